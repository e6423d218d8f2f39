//! The service desk (seed 000 §8, seed 001 DS-UI-04): questions, incidents
//! and improvement requests, each a ticket with a record of every reply.

use serde::{Deserialize, Serialize};

/// Longest subject and text.
pub const MAX_SUBJECT_CHARS: usize = 120;
/// Longest text of a ticket or a reply.
pub const MAX_TEXT_CHARS: usize = 4000;
/// A resolved ticket may be reopened by its author within this many days.
pub const REOPEN_DAYS: i64 = 15;

crate::wire_names! {
    /// Where a service-desk ticket is.
    pub enum TicketState ("ticket state") {
        /// Opened, not yet taken up.
        Recibido = "RECIBIDO",
        /// The registry is working on it.
        EnProceso = "EN_PROCESO",
        /// Resolved; its author may reopen it for [`REOPEN_DAYS`].
        Resuelto = "RESUELTO",
        /// Closed.
        Cerrado = "CERRADO",
    }
}

impl TicketState {
    /// Whether the registry may move a ticket from `self` to `to`:
    /// RECIBIDO → EN_PROCESO → RESUELTO → CERRADO, closing from any open
    /// state, nothing out of CERRADO (a reopening is the author's, apart).
    pub fn may_move_to(self, to: TicketState) -> bool {
        use TicketState::*;
        matches!(
            (self, to),
            (Recibido, EnProceso)
                | (Recibido | EnProceso, Resuelto)
                | (Recibido | EnProceso | Resuelto, Cerrado)
        )
    }
}

/// `POST /v1/tickets`. The server adds the workstation, the person and the
/// institution from the session; the agent its version and, when the
/// ticket is about one, a job, request or case id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTicket {
    /// `duda`, `incidente` or `mejora` (a mejora only from a coordinator).
    pub kind: String,
    /// A short subject (at most [`MAX_SUBJECT_CHARS`]).
    pub subject: String,
    /// The question, incident or request (at most [`MAX_TEXT_CHARS`]).
    pub text: String,
    /// The agent's version (`padron-agent 0.x`).
    #[serde(default)]
    pub agent_version: String,
    /// The job, request or case the ticket is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
}

/// `POST /v1/tickets/{id}/reopen`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketText {
    /// Why the ticket is reopened.
    pub text: String,
}

/// One entry of a ticket's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TicketMessage {
    /// `cui:…` for the institution's person, `admin:…` for registry staff.
    pub author: String,
    /// `PERSON` or `REGISTRY`.
    pub side: String,
    /// The message.
    pub text: String,
    /// RFC 3339, UTC, when it was written.
    pub at: String,
}

/// A ticket as the person (and the registry) sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TicketView {
    /// The ticket's number.
    pub id: i64,
    /// `duda`, `incidente` or `mejora`.
    pub kind: String,
    /// The subject its author gave.
    pub subject: String,
    /// Where the ticket is.
    pub state: TicketState,
    /// Code of the author's institution.
    pub institution: String,
    /// CUI of the person who opened the ticket.
    pub author_cui: String,
    /// That person's full name.
    pub author_name: String,
    /// The workstation the ticket was opened at.
    pub workstation_id: i64,
    /// That workstation's site.
    pub workstation_site: String,
    /// The agent's version when the ticket was opened.
    pub agent_version: String,
    /// The job, request or case the ticket is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
    /// RFC 3339, UTC, when the ticket was opened.
    pub created_at: String,
    /// When the registry first replied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_reply_at: Option<String>,
    /// When the ticket was resolved (`RESUELTO`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<String>,
    /// When the ticket was closed (`CERRADO`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<String>,
    /// A reply from the registry the author has not opened yet.
    #[serde(default)]
    pub unread: bool,
    /// The ticket's record: every message and reply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<TicketMessage>,
}
