//! [`TicketStore`] on SQLite.

use padron_shared::tickets::TicketState;
use rusqlite::{OptionalExtension, Row, params};

use super::append_audit_in;
use crate::audit::AuditRecord;
use crate::store::tickets::{
    NewTicketRecord, TicketChange, TicketMessageRecord, TicketRecord, TicketStore,
};
use crate::store::{SqliteStore, StoreError, names};

const TICKET_SELECT: &str = "SELECT t.id, t.institution_id, i.code, t.author_cui, t.author_name, t.author_role,
        t.workstation_id, coalesce(w.site, ''), t.kind, t.subject, t.agent_version, t.about, t.state,
        t.created_at, t.first_reply_at, t.resolved_at, t.closed_at, t.author_seen_at,
        (SELECT max(m.at) FROM ticket_messages m WHERE m.ticket_id = t.id AND m.side = 'REGISTRY')
    FROM tickets t JOIN institutions i ON i.id = t.institution_id
    LEFT JOIN workstations w ON w.id = t.workstation_id";

fn ticket_from_row(r: &Row<'_>) -> rusqlite::Result<TicketRecord> {
    Ok(TicketRecord {
        id: r.get(0)?,
        institution_id: r.get(1)?,
        institution_code: r.get(2)?,
        author_cui: r.get(3)?,
        author_name: r.get(4)?,
        author_role: r.get(5)?,
        workstation_id: r.get(6)?,
        workstation_site: r.get(7)?,
        kind: r.get(8)?,
        subject: r.get(9)?,
        agent_version: r.get(10)?,
        about: r.get(11)?,
        state: names::sqlite(r, 12)?,
        created_at: r.get(13)?,
        first_reply_at: r.get(14)?,
        resolved_at: r.get(15)?,
        closed_at: r.get(16)?,
        author_seen_at: r.get(17)?,
        last_reply_at: r.get(18)?,
    })
}

fn state_of(tx: &rusqlite::Connection, id: i64) -> rusqlite::Result<Option<TicketState>> {
    tx.query_row("SELECT state FROM tickets WHERE id = ?1", [id], |r| {
        names::sqlite(r, 0)
    })
    .optional()
}

fn message(
    tx: &rusqlite::Connection,
    id: i64,
    author: &str,
    side: &str,
    text: &str,
    at: &str,
) -> rusqlite::Result<usize> {
    tx.execute(
        "INSERT INTO ticket_messages (ticket_id, author, side, text, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, author, side, text, at],
    )
}

impl TicketStore for SqliteStore {
    fn open_ticket(&self, t: &NewTicketRecord, audit: &AuditRecord) -> Result<i64, StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO tickets (institution_id, author_cui, author_name, author_role, workstation_id,
                                      kind, subject, agent_version, about, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    t.institution_id,
                    t.author_cui,
                    t.author_name,
                    t.author_role,
                    t.workstation_id,
                    t.kind,
                    t.subject,
                    t.agent_version,
                    t.about,
                    t.at
                ],
            )?;
            let id = tx.last_insert_rowid();
            message(tx, id, &format!("cui:{}", t.author_cui), "PERSON", &t.text, &t.at)?;
            let mut audit = audit.clone();
            audit.subject = format!("ticket:{id}");
            append_audit_in(tx, &audit)?;
            Ok(id)
        })
    }

    fn ticket(&self, id: i64) -> Result<Option<TicketRecord>, StoreError> {
        let conn = self.read()?;
        let sql = format!("{TICKET_SELECT} WHERE t.id = ?1");
        Ok(conn.query_row(&sql, [id], ticket_from_row).optional()?)
    }

    fn ticket_messages(&self, id: i64) -> Result<Vec<TicketMessageRecord>, StoreError> {
        let conn = self.read()?;
        let rows = conn
            .prepare("SELECT author, side, text, at FROM ticket_messages WHERE ticket_id = ?1 ORDER BY seq")?
            .query_map([id], |r| {
                Ok(TicketMessageRecord {
                    author: r.get(0)?,
                    side: r.get(1)?,
                    text: r.get(2)?,
                    at: r.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn tickets(
        &self,
        institution_id: Option<i64>,
        author_cui: Option<&str>,
        state: Option<TicketState>,
        created: Option<(&str, &str)>,
    ) -> Result<Vec<TicketRecord>, StoreError> {
        let state = state.map(TicketState::as_str);
        let conn = self.read()?;
        let (from, to) = match created {
            Some((f, t)) => (Some(f), Some(t)),
            None => (None, None),
        };
        let sql = format!(
            "{TICKET_SELECT} WHERE (?1 IS NULL OR t.institution_id = ?1) AND (?2 IS NULL OR t.author_cui = ?2)
               AND (?3 IS NULL OR t.state = ?3) AND (?4 IS NULL OR t.created_at >= ?4)
               AND (?5 IS NULL OR t.created_at < ?5)
             ORDER BY t.id DESC LIMIT 5000"
        );
        let rows = conn
            .prepare(&sql)?
            .query_map(
                params![institution_id, author_cui, state, from, to],
                ticket_from_row,
            )?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
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
                "UPDATE tickets SET first_reply_at = coalesce(first_reply_at, ?2),
                        state = CASE state WHEN 'RECIBIDO' THEN 'EN_PROCESO' ELSE state END
                 WHERE id = ?1",
                params![id, at],
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
            let current = match state_of(tx, id)? {
                None => return Ok(TicketChange::NoSuchTicket),
                Some(s) => s,
            };
            if !current.may_move_to(state) {
                return Ok(TicketChange::Conflict);
            }
            let sql = match state {
                TicketState::Resuelto => {
                    "UPDATE tickets SET state = ?2, resolved_at = ?3 WHERE id = ?1"
                }
                TicketState::Cerrado => {
                    "UPDATE tickets SET state = ?2, closed_at = ?3, resolved_at = coalesce(resolved_at, ?3) WHERE id = ?1"
                }
                TicketState::Recibido | TicketState::EnProceso => {
                    "UPDATE tickets SET state = ?2 WHERE id = ?1"
                }
            };
            tx.execute(sql, params![id, state.as_str(), at])?;
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
            let found: Option<(TicketState, Option<String>)> = tx
                .query_row(
                    "SELECT state, resolved_at FROM tickets WHERE id = ?1",
                    [id],
                    |r| Ok((names::sqlite(r, 0)?, r.get(1)?)),
                )
                .optional()?;
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
                "UPDATE tickets SET state = 'EN_PROCESO', resolved_at = NULL WHERE id = ?1",
                [id],
            )?;
            append_audit_in(tx, audit)?;
            Ok(TicketChange::Done)
        })
    }

    fn ticket_seen(&self, id: i64, at: &str) -> Result<(), StoreError> {
        let conn = self.lock();
        conn.execute(
            "UPDATE tickets SET author_seen_at = ?2 WHERE id = ?1",
            params![id, at],
        )?;
        Ok(())
    }
}
