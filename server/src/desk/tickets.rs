//! The service desk (seed 000 §8, seed 001 DS-UI-04): any logged-in person
//! opens a ticket (a question, an incident; an improvement request only
//! from a coordinator, on behalf of the head of the institution, 8.1.2),
//! with the workstation, the person, the institution and the agent's
//! version attached from the session; registry staff reply and move it
//! RECIBIDO → EN_PROCESO → RESUELTO → CERRADO; its author may reopen a
//! resolved ticket within 15 days. Every change is audited; the monthly
//! report is the procedure's own follow-up register (8.1.3).

use padron_shared::auth::Role;
use padron_shared::tickets::{
    MAX_SUBJECT_CHARS, MAX_TEXT_CHARS, NewTicket, REOPEN_DAYS, TicketMessage, TicketState,
    TicketView,
};
use padron_shared::{ErrorCode, Lang};
use serde_json::json;
use time::OffsetDateTime;

use crate::audit::AuditRecord;
use crate::clock::timestamp;
use crate::institutions::calendar::Period;
use crate::refusal::Refusal;
use crate::store::{
    NewTicketRecord, SessionRow, Store, TicketChange, TicketMessageRecord, TicketRecord,
    Workstation,
};

fn store_err(e: crate::store::StoreError) -> Refusal {
    Refusal::from(e)
}

/// `duda`, `incidente`, `mejora` (any case) as stored.
pub fn parse_kind(text: &str) -> Option<&'static str> {
    match text.trim().to_lowercase().as_str() {
        "duda" => Some("DUDA"),
        "incidente" => Some("INCIDENTE"),
        "mejora" => Some("MEJORA"),
        _ => None,
    }
}

fn invalid(es: &str, en: &str) -> Refusal {
    Refusal::new(ErrorCode::TicketInvalid)
        .with_detail(es.to_owned(), en.to_owned())
        .logged(en.to_owned())
}

/// Text a person typed: not blank, within `max`, no control characters but line breaks.
pub fn text_ok(text: &str, max: usize, lines: bool) -> bool {
    !text.trim().is_empty()
        && text.chars().count() <= max
        && !text
            .chars()
            .any(|c| c.is_control() && !(lines && (c == '\n' || c == '\t')))
}

fn short_ok(text: &str, max: usize) -> bool {
    text.chars().count() <= max && !text.chars().any(char::is_control)
}

/// Opens a ticket for the person of the session.
pub fn open(
    store: &dyn Store,
    now: OffsetDateTime,
    ws: &Workstation,
    session: &SessionRow,
    t: &NewTicket,
) -> Result<TicketView, Refusal> {
    let kind = parse_kind(&t.kind).ok_or_else(|| invalid("tipo desconocido", "unknown kind"))?;
    if kind == "MEJORA" && session.role != Role::Coordinator {
        return Err(
            Refusal::new(ErrorCode::TicketMejoraCoordinatorOnly).logged("mejora from a user")
        );
    }
    if !text_ok(&t.subject, MAX_SUBJECT_CHARS, false) {
        return Err(invalid(
            "asunto vacío, largo o con caracteres de control",
            "subject blank, long or with control characters",
        ));
    }
    if !text_ok(&t.text, MAX_TEXT_CHARS, true) {
        return Err(invalid(
            "texto vacío, largo o con caracteres de control",
            "text blank, long or with control characters",
        ));
    }
    if !short_ok(&t.agent_version, 60)
        || t.about.as_deref().is_some_and(|a| {
            a.len() > 64
                || !a
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':')
        })
    {
        return Err(invalid(
            "versión o referencia no válidas",
            "version or reference not valid",
        ));
    }
    let at = timestamp(now);
    let record = NewTicketRecord {
        institution_id: session.institution_id,
        author_cui: session.cui.clone(),
        author_name: session.full_name.clone(),
        author_role: match session.role {
            Role::Coordinator => "COORDINATOR",
            Role::User => "USER",
        }
        .to_owned(),
        workstation_id: ws.id,
        kind: kind.to_owned(),
        subject: t.subject.trim().to_owned(),
        text: t.text.trim().to_owned(),
        agent_version: t.agent_version.trim().to_owned(),
        about: t.about.clone().filter(|a| !a.is_empty()),
        at: at.clone(),
    };
    let audit = AuditRecord {
        at,
        actor: format!("cui:{}", session.cui),
        workstation_id: Some(ws.id),
        action: "ticket.open".to_owned(),
        subject: "ticket:?".to_owned(),
        outcome: "ok".to_owned(),
        detail: json!({ "kind": kind, "about": record.about }),
    };
    let id = store.open_ticket(&record, &audit).map_err(store_err)?;
    let row = store
        .ticket(id)
        .map_err(store_err)?
        .ok_or_else(|| Refusal::new(ErrorCode::Internal))?;
    let messages = store.ticket_messages(id).map_err(store_err)?;
    Ok(view(&row, &messages, true))
}

/// Whether the person of a session may see a ticket: their own, or, for a
/// coordinator, any of the institution's. Anything else does not exist.
pub fn visible(session: &SessionRow, t: &TicketRecord) -> bool {
    t.institution_id == session.institution_id
        && (session.role == Role::Coordinator || t.author_cui == session.cui)
}

/// A ticket as shown; `with_messages` adds its record.
pub fn view(t: &TicketRecord, messages: &[TicketMessageRecord], with_messages: bool) -> TicketView {
    let unread = match (&t.last_reply_at, &t.author_seen_at) {
        (Some(reply), Some(seen)) => reply > seen,
        (Some(_), None) => true,
        _ => false,
    };
    TicketView {
        id: t.id,
        kind: t.kind.clone(),
        subject: t.subject.clone(),
        state: t.state,
        institution: t.institution_code.clone(),
        author_cui: t.author_cui.clone(),
        author_name: t.author_name.clone(),
        workstation_id: t.workstation_id,
        workstation_site: t.workstation_site.clone(),
        agent_version: t.agent_version.clone(),
        about: t.about.clone(),
        created_at: t.created_at.clone(),
        first_reply_at: t.first_reply_at.clone(),
        resolved_at: t.resolved_at.clone(),
        closed_at: t.closed_at.clone(),
        unread,
        messages: if with_messages {
            messages
                .iter()
                .map(|m| TicketMessage {
                    author: m.author.clone(),
                    side: m.side.clone(),
                    text: m.text.clone(),
                    at: m.at.clone(),
                })
                .collect()
        } else {
            Vec::new()
        },
    }
}

/// The author reopens a resolved ticket (within [`REOPEN_DAYS`] of its resolution).
pub fn reopen(
    store: &dyn Store,
    now: OffsetDateTime,
    ws: &Workstation,
    session: &SessionRow,
    id: i64,
    text: &str,
) -> Result<TicketView, Refusal> {
    let t = store
        .ticket(id)
        .map_err(store_err)?
        .filter(|t| visible(session, t))
        .ok_or_else(|| Refusal::new(ErrorCode::TicketNotFound))?;
    if t.author_cui != session.cui {
        return Err(Refusal::new(ErrorCode::TicketStateConflict).with_detail(
            "Solo quien abrió el ticket puede reabrirlo.",
            "Only the person who opened the ticket can reopen it.",
        ));
    }
    if !text_ok(text, MAX_TEXT_CHARS, true) {
        return Err(invalid(
            "texto vacío, largo o con caracteres de control",
            "text blank, long or with control characters",
        ));
    }
    let at = timestamp(now);
    let since = timestamp(now - time::Duration::days(REOPEN_DAYS));
    let audit = AuditRecord {
        at: at.clone(),
        actor: format!("cui:{}", session.cui),
        workstation_id: Some(ws.id),
        action: "ticket.reopen".to_owned(),
        subject: format!("ticket:{id}"),
        outcome: "ok".to_owned(),
        detail: json!({}),
    };
    match store
        .reopen_ticket(
            id,
            &format!("cui:{}", session.cui),
            text.trim(),
            &since,
            &at,
            &audit,
        )
        .map_err(store_err)?
    {
        TicketChange::Done => {}
        TicketChange::NoSuchTicket => return Err(Refusal::new(ErrorCode::TicketNotFound)),
        TicketChange::Conflict => {
            return Err(Refusal::new(ErrorCode::TicketStateConflict).with_detail(
                format!("Solo un ticket RESUELTO hace {REOPEN_DAYS} días o menos puede reabrirse."),
                format!("Only a ticket RESUELTO {REOPEN_DAYS} days ago or less can be reopened."),
            ));
        }
    }
    let row = store
        .ticket(id)
        .map_err(store_err)?
        .ok_or_else(|| Refusal::new(ErrorCode::Internal))?;
    let messages = store.ticket_messages(id).map_err(store_err)?;
    Ok(view(&row, &messages, true))
}

/// Why a registry action on a ticket was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    #[error("no existe el ticket {0} / there is no ticket {0}")]
    NotFound(i64),
    #[error(
        "el ticket {0} no admite ese cambio en su estado / ticket {0} does not allow that change in its state"
    )]
    Conflict(i64),
    #[error(
        "texto vacío, largo o con caracteres de control / text blank, long or with control characters"
    )]
    Text,
    #[error("{0}")]
    Store(String),
}

impl TicketError {
    pub fn code(&self) -> ErrorCode {
        match self {
            TicketError::NotFound(_) => ErrorCode::TicketNotFound,
            TicketError::Conflict(_) => ErrorCode::TicketStateConflict,
            TicketError::Text => ErrorCode::TicketInvalid,
            TicketError::Store(_) => ErrorCode::StoreUnavailable,
        }
    }
}

fn changed(id: i64, c: TicketChange) -> Result<(), TicketError> {
    match c {
        TicketChange::Done => Ok(()),
        TicketChange::NoSuchTicket => Err(TicketError::NotFound(id)),
        TicketChange::Conflict => Err(TicketError::Conflict(id)),
    }
}

fn admin_audit(
    actor: &str,
    at: &str,
    action: &str,
    id: i64,
    detail: serde_json::Value,
) -> AuditRecord {
    AuditRecord {
        at: at.to_owned(),
        actor: actor.to_owned(),
        workstation_id: None,
        action: action.to_owned(),
        subject: format!("ticket:{id}"),
        outcome: "ok".to_owned(),
        detail,
    }
}

/// `ticket reply`.
pub fn reply(
    store: &dyn Store,
    actor: &str,
    now: OffsetDateTime,
    id: i64,
    text: &str,
) -> Result<(), TicketError> {
    if !text_ok(text, MAX_TEXT_CHARS, true) {
        return Err(TicketError::Text);
    }
    let at = timestamp(now);
    let audit = admin_audit(actor, &at, "ticket.reply", id, json!({}));
    let c = store
        .reply_ticket(id, actor, text.trim(), &at, &audit)
        .map_err(|e| TicketError::Store(e.to_string()))?;
    changed(id, c)
}

/// `ticket state`.
pub fn set_state(
    store: &dyn Store,
    actor: &str,
    now: OffsetDateTime,
    id: i64,
    state: TicketState,
) -> Result<(), TicketError> {
    let at = timestamp(now);
    let audit = admin_audit(actor, &at, "ticket.state", id, json!({ "state": state }));
    let c = store
        .set_ticket_state(id, state, &at, &audit)
        .map_err(|e| TicketError::Store(e.to_string()))?;
    changed(id, c)
}

/// Hours between two stamps.
fn hours(from: &str, to: &str) -> Option<f64> {
    use time::format_description::well_known::Rfc3339;
    let a = OffsetDateTime::parse(from, &Rfc3339).ok()?;
    let b = OffsetDateTime::parse(to, &Rfc3339).ok()?;
    Some((b - a).as_seconds_f64() / 3600.0)
}

/// The month's register, as figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketReport {
    pub total: usize,
    pub by_kind: std::collections::BTreeMap<String, usize>,
    pub by_institution: std::collections::BTreeMap<String, usize>,
    pub by_state: std::collections::BTreeMap<String, usize>,
    /// Hours, over the tickets that had one: (count, mean, max).
    pub first_reply: (usize, f64, f64),
    pub resolution: (usize, f64, f64),
}

fn summary(values: &[f64]) -> (usize, f64, f64) {
    if values.is_empty() {
        return (0, 0.0, 0.0);
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let max = values.iter().cloned().fold(0.0, f64::max);
    (values.len(), mean, max)
}

/// Tickets opened in `month`: by kind, institution and state; time to first
/// reply and to resolution. No ticket's text or person is in it.
pub fn report(
    store: &dyn Store,
    month: Period,
    zone: &padron_shared::calendar::Zone,
) -> Result<TicketReport, crate::store::StoreError> {
    let tickets = store.tickets(
        None,
        None,
        None,
        Some((&month.from_stamp(zone), &month.to_stamp(zone))),
    )?;
    let mut r = TicketReport {
        total: tickets.len(),
        ..Default::default()
    };
    let mut first = Vec::new();
    let mut resolved = Vec::new();
    for t in &tickets {
        *r.by_kind.entry(t.kind.clone()).or_default() += 1;
        *r.by_institution
            .entry(t.institution_code.clone())
            .or_default() += 1;
        *r.by_state.entry(t.state.as_str().to_owned()).or_default() += 1;
        if let Some(h) = t
            .first_reply_at
            .as_deref()
            .and_then(|f| hours(&t.created_at, f))
        {
            first.push(h);
        }
        if let Some(h) = t
            .resolved_at
            .as_deref()
            .and_then(|f| hours(&t.created_at, f))
        {
            resolved.push(h);
        }
    }
    r.first_reply = summary(&first);
    r.resolution = summary(&resolved);
    Ok(r)
}

/// `report tickets --month`.
pub fn print_report(
    store: &dyn Store,
    month: Period,
    zone: &padron_shared::calendar::Zone,
    lang: Lang,
) -> anyhow::Result<()> {
    let r = report(store, month, zone)?;
    let t = |es: &'static str, en: &'static str| if lang == Lang::En { en } else { es };
    println!(
        "{} {}: {} {}",
        t("Mesa de servicio", "Service desk"),
        month.month_label(),
        r.total,
        t("tickets", "tickets")
    );
    for (title, map) in [
        (t("por tipo", "by kind"), &r.by_kind),
        (t("por institución", "by institution"), &r.by_institution),
        (t("por estado", "by state"), &r.by_state),
    ] {
        println!("  {title}:");
        for (k, n) in map {
            println!("    {k:<16} {n:>5}");
        }
    }
    for (title, (n, mean, max)) in [
        (t("primera respuesta", "first reply"), r.first_reply),
        (t("resolución", "resolution"), r.resolution),
    ] {
        println!(
            "  {title}: {n} {}, {} {mean:.1} h, {} {max:.1} h",
            t("tickets", "tickets"),
            t("promedio", "mean"),
            t("máximo", "max")
        );
    }
    Ok(())
}
