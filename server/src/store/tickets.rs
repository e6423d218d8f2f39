//! The part of [`Store`](super::Store) behind the service desk (issue 18).

use padron_shared::tickets::TicketState;

use super::StoreError;
use crate::audit::AuditRecord;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicketRecord {
    pub institution_id: i64,
    pub author_cui: String,
    pub author_name: String,
    /// `USER` or `COORDINATOR`.
    pub author_role: String,
    pub workstation_id: i64,
    /// `DUDA`, `INCIDENTE`, `MEJORA`.
    pub kind: String,
    pub subject: String,
    pub text: String,
    pub agent_version: String,
    pub about: Option<String>,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRecord {
    pub id: i64,
    pub institution_id: i64,
    pub institution_code: String,
    pub author_cui: String,
    pub author_name: String,
    pub author_role: String,
    pub workstation_id: i64,
    pub workstation_site: String,
    pub kind: String,
    pub subject: String,
    pub agent_version: String,
    pub about: Option<String>,
    pub state: TicketState,
    pub created_at: String,
    pub first_reply_at: Option<String>,
    pub resolved_at: Option<String>,
    pub closed_at: Option<String>,
    pub author_seen_at: Option<String>,
    /// When the registry last wrote on it.
    pub last_reply_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketMessageRecord {
    pub author: String,
    pub side: String,
    pub text: String,
    pub at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketChange {
    Done,
    NoSuchTicket,
    /// The ticket's state does not allow it.
    Conflict,
}

pub trait TicketStore {
    /// Opens a ticket with its first message; returns its id.
    fn open_ticket(&self, t: &NewTicketRecord, audit: &AuditRecord) -> Result<i64, StoreError>;
    fn ticket(&self, id: i64) -> Result<Option<TicketRecord>, StoreError>;
    fn ticket_messages(&self, id: i64) -> Result<Vec<TicketMessageRecord>, StoreError>;
    /// Tickets newest first, filtered when given: institution, author, state;
    /// `created` a `[from, to)` range of stamps.
    fn tickets(
        &self,
        institution_id: Option<i64>,
        author_cui: Option<&str>,
        state: Option<TicketState>,
        created: Option<(&str, &str)>,
    ) -> Result<Vec<TicketRecord>, StoreError>;
    /// A registry reply: the first one stamps `first_reply_at`; a reply to a
    /// RECIBIDO ticket moves it to EN_PROCESO; CERRADO refuses.
    fn reply_ticket(
        &self,
        id: i64,
        author: &str,
        text: &str,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<TicketChange, StoreError>;
    /// The registry moves a ticket to `state` (EN_PROCESO, RESUELTO, CERRADO), stamping it.
    fn set_ticket_state(
        &self,
        id: i64,
        state: TicketState,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<TicketChange, StoreError>;
    /// The author reopens a RESUELTO ticket resolved at or after `resolved_since`.
    fn reopen_ticket(
        &self,
        id: i64,
        author: &str,
        text: &str,
        resolved_since: &str,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<TicketChange, StoreError>;
    /// The author opened the ticket: replies up to `at` are read.
    fn ticket_seen(&self, id: i64, at: &str) -> Result<(), StoreError>;
}
