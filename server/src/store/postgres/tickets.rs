//! [`TicketStore`] on PostgreSQL: the SQLite statements of
//! `store/sqlite/tickets.rs`, each audited write in one transaction under
//! the write lock with its audit entry.

use padron_shared::tickets::TicketState;
use postgres::{GenericClient, Row};

use super::{PgStore, append_audit_in, opt_row};
use crate::audit::AuditRecord;
use crate::store::tickets::{
    NewTicketRecord, TicketChange, TicketMessageRecord, TicketRecord, TicketStore,
};
use crate::store::{StoreError, names};

const TICKET_SELECT: &str = "SELECT t.id, t.institution_id, i.code, t.author_cui, t.author_name, t.author_role,
        t.workstation_id, coalesce(w.site, ''), t.kind, t.subject, t.agent_version, t.about, t.state,
        t.created_at, t.first_reply_at, t.resolved_at, t.closed_at, t.author_seen_at,
        (SELECT max(m.at) FROM ticket_messages m WHERE m.ticket_id = t.id AND m.side = 'REGISTRY')
    FROM tickets t JOIN institutions i ON i.id = t.institution_id
    LEFT JOIN workstations w ON w.id = t.workstation_id";

fn ticket_from_row(r: &Row) -> Result<TicketRecord, StoreError> {
    Ok(TicketRecord {
        id: r.get(0),
        institution_id: r.get(1),
        institution_code: r.get(2),
        author_cui: r.get(3),
        author_name: r.get(4),
        author_role: r.get(5),
        workstation_id: r.get(6),
        workstation_site: r.get(7),
        kind: r.get(8),
        subject: r.get(9),
        agent_version: r.get(10),
        about: r.get(11),
        state: names::pg(r, 12)?,
        created_at: r.get(13),
        first_reply_at: r.get(14),
        resolved_at: r.get(15),
        closed_at: r.get(16),
        author_seen_at: r.get(17),
        last_reply_at: r.get(18),
    })
}

fn state_of(c: &mut impl GenericClient, id: i64) -> Result<Option<TicketState>, StoreError> {
    opt_row(c, "SELECT state FROM tickets WHERE id = $1", &[&id])?
        .map(|r| names::pg(&r, 0))
        .transpose()
}

fn message(
    c: &mut impl GenericClient,
    id: i64,
    author: &str,
    side: &str,
    text: &str,
    at: &str,
) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO ticket_messages (ticket_id, author, side, text, at) VALUES ($1, $2, $3, $4, $5)",
        &[&id, &author, &side, &text, &at],
    )?;
    Ok(())
}

impl TicketStore for PgStore {
    fn open_ticket(&self, t: &NewTicketRecord, audit: &AuditRecord) -> Result<i64, StoreError> {
        self.write(|tx| {
            let id: i64 = tx
                .query_one(
                    "INSERT INTO tickets (institution_id, author_cui, author_name, author_role, workstation_id,
                                          kind, subject, agent_version, about, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                    &[
                        &t.institution_id,
                        &t.author_cui,
                        &t.author_name,
                        &t.author_role,
                        &t.workstation_id,
                        &t.kind,
                        &t.subject,
                        &t.agent_version,
                        &t.about,
                        &t.at,
                    ],
                )?
                .get(0);
            message(
                tx,
                id,
                &format!("cui:{}", t.author_cui),
                "PERSON",
                &t.text,
                &t.at,
            )?;
            let mut audit = audit.clone();
            audit.subject = format!("ticket:{id}");
            append_audit_in(tx, &audit)?;
            Ok(id)
        })
    }

    fn ticket(&self, id: i64) -> Result<Option<TicketRecord>, StoreError> {
        self.read(|c| {
            let sql = format!("{TICKET_SELECT} WHERE t.id = $1");
            opt_row(c, &sql, &[&id])?
                .as_ref()
                .map(ticket_from_row)
                .transpose()
        })
    }

    fn ticket_messages(&self, id: i64) -> Result<Vec<TicketMessageRecord>, StoreError> {
        self.read(|c| {
            Ok(c.query(
                "SELECT author, side, text, at FROM ticket_messages WHERE ticket_id = $1 ORDER BY seq",
                &[&id],
            )?
            .iter()
            .map(|r| TicketMessageRecord {
                author: r.get(0),
                side: r.get(1),
                text: r.get(2),
                at: r.get(3),
            })
            .collect())
        })
    }

    fn tickets(
        &self,
        institution_id: Option<i64>,
        author_cui: Option<&str>,
        state: Option<TicketState>,
        created: Option<(&str, &str)>,
    ) -> Result<Vec<TicketRecord>, StoreError> {
        let state = state.map(TicketState::as_str);
        let (from, to) = match created {
            Some((f, t)) => (Some(f), Some(t)),
            None => (None, None),
        };
        self.read(|c| {
            let sql = format!(
                "{TICKET_SELECT} WHERE ($1::BIGINT IS NULL OR t.institution_id = $1)
                   AND ($2::TEXT IS NULL OR t.author_cui = $2)
                   AND ($3::TEXT IS NULL OR t.state = $3)
                   AND ($4::TEXT IS NULL OR t.created_at >= $4)
                   AND ($5::TEXT IS NULL OR t.created_at < $5)
                 ORDER BY t.id DESC LIMIT 5000"
            );
            c.query(&sql, &[&institution_id, &author_cui, &state, &from, &to])?
                .iter()
                .map(ticket_from_row)
                .collect()
        })
    }

    fn reply_ticket(
        &self,
        id: i64,
        author: &str,
        text: &str,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<TicketChange, StoreError> {
        self.write(|tx| {
            match state_of(tx, id)? {
                None => return Ok(TicketChange::NoSuchTicket),
                Some(TicketState::Cerrado) => return Ok(TicketChange::Conflict),
                Some(_) => {}
            }
            message(tx, id, author, "REGISTRY", text, at)?;
            tx.execute(
                "UPDATE tickets SET first_reply_at = coalesce(first_reply_at, $2),
                        state = CASE state WHEN 'RECIBIDO' THEN 'EN_PROCESO' ELSE state END
                 WHERE id = $1",
                &[&id, &at],
            )?;
            append_audit_in(tx, audit)?;
            Ok(TicketChange::Done)
        })
    }

    fn set_ticket_state(
        &self,
        id: i64,
        state: TicketState,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<TicketChange, StoreError> {
        self.write(|tx| {
            let Some(current) = state_of(tx, id)? else {
                return Ok(TicketChange::NoSuchTicket);
            };
            if !current.may_move_to(state) {
                return Ok(TicketChange::Conflict);
            }
            let new = state.as_str();
            match state {
                TicketState::Resuelto => tx.execute(
                    "UPDATE tickets SET state = $2, resolved_at = $3 WHERE id = $1",
                    &[&id, &new, &at],
                )?,
                TicketState::Cerrado => tx.execute(
                    "UPDATE tickets SET state = $2, closed_at = $3,
                            resolved_at = coalesce(resolved_at, $3)
                     WHERE id = $1",
                    &[&id, &new, &at],
                )?,
                // `at` is not bound here: PostgreSQL refuses a parameter
                // whose type it cannot infer.
                TicketState::Recibido | TicketState::EnProceso => {
                    tx.execute("UPDATE tickets SET state = $2 WHERE id = $1", &[&id, &new])?
                }
            };
            append_audit_in(tx, audit)?;
            Ok(TicketChange::Done)
        })
    }

    fn reopen_ticket(
        &self,
        id: i64,
        author: &str,
        text: &str,
        resolved_since: &str,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<TicketChange, StoreError> {
        self.write(|tx| {
            let found = opt_row(
                tx,
                "SELECT state, resolved_at FROM tickets WHERE id = $1",
                &[&id],
            )?
            .map(|r| {
                Ok::<_, StoreError>((
                    names::pg::<TicketState>(&r, 0)?,
                    r.get::<_, Option<String>>(1),
                ))
            })
            .transpose()?;
            let Some((state, resolved)) = found else {
                return Ok(TicketChange::NoSuchTicket);
            };
            if state != TicketState::Resuelto
                || resolved.as_deref().is_none_or(|r| r < resolved_since)
            {
                return Ok(TicketChange::Conflict);
            }
            message(tx, id, author, "PERSON", text, at)?;
            tx.execute(
                "UPDATE tickets SET state = 'EN_PROCESO', resolved_at = NULL WHERE id = $1",
                &[&id],
            )?;
            append_audit_in(tx, audit)?;
            Ok(TicketChange::Done)
        })
    }

    fn ticket_seen(&self, id: i64, at: &str) -> Result<(), StoreError> {
        // Not audited (as on SQLite): no write lock needed.
        self.read(|c| {
            c.execute(
                "UPDATE tickets SET author_seen_at = $2 WHERE id = $1",
                &[&id, &at],
            )?;
            Ok(())
        })
    }
}
