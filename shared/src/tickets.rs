//! The service desk (seed 000 §8, seed 001 DS-UI-04): questions, incidents
//! and improvement requests, each a ticket with a record of every reply.

use serde::{Deserialize, Serialize};

/// Longest subject and text.
pub const MAX_SUBJECT_CHARS: usize = 120;
pub const MAX_TEXT_CHARS: usize = 4000;
/// A resolved ticket may be reopened by its author within this many days.
pub const REOPEN_DAYS: i64 = 15;

/// `POST /v1/tickets`. The server adds the workstation, the person and the
/// institution from the session; the agent its version and, when the
/// ticket is about one, a job, request or case id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTicket {
    /// `duda`, `incidente` or `mejora` (a mejora only from a coordinator).
    pub kind: String,
    pub subject: String,
    pub text: String,
    /// The agent's version (`padron-agent 0.x`).
    #[serde(default)]
    pub agent_version: String,
    /// The job, request or case the ticket is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
}

/// `POST /v1/tickets/{id}/reopen`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketText {
    pub text: String,
}

/// One entry of a ticket's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketMessage {
    /// `cui:…` for the institution's person, `admin:…` for registry staff.
    pub author: String,
    /// `PERSON` or `REGISTRY`.
    pub side: String,
    pub text: String,
    pub at: String,
}

/// A ticket as the person (and the registry) sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketView {
    pub id: i64,
    pub kind: String,
    pub subject: String,
    /// `RECIBIDO`, `EN_PROCESO`, `RESUELTO`, `CERRADO`.
    pub state: String,
    pub institution: String,
    pub author_cui: String,
    pub author_name: String,
    pub workstation_id: i64,
    pub workstation_site: String,
    pub agent_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_reply_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<String>,
    /// A reply from the registry the author has not opened yet.
    #[serde(default)]
    pub unread: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<TicketMessage>,
}
