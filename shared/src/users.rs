//! User administration (altas, bajas, actualizaciones): the signed request
//! and what the coordinator sees of users and requests.

use serde::{Deserialize, Serialize};

use crate::auth::SignatureAlgorithm;

/// `format` of a signed request this version speaks. Version 2 added
/// `installation`: a request signed for one installation (a test server)
/// cannot be replayed to another (production).
pub const REQUEST_FORMAT: &str = "padron-request:2";
/// A signed request older than this (or this far in the future) is refused.
pub const REQUEST_MAX_AGE_SECONDS: i64 = 300;
/// At most this many active users per institution (RENAP 5.1.6).
pub const MAX_ACTIVE_USERS: u32 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RequestAction {
    Add,
    Update,
    Remove,
}

impl RequestAction {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestAction::Add => "ADD",
            RequestAction::Update => "UPDATE",
            RequestAction::Remove => "REMOVE",
        }
    }
}

/// Why a user is removed (RENAP 5.1.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RemovalReason {
    FunctionsChanged,
    EmploymentEnded,
    AuthorityChanged,
}

impl RemovalReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RemovalReason::FunctionsChanged => "FUNCTIONS_CHANGED",
            RemovalReason::EmploymentEnded => "EMPLOYMENT_ENDED",
            RemovalReason::AuthorityChanged => "AUTHORITY_CHANGED",
        }
    }
}

/// The user part of a request. For `ADD` every field but `extension` and
/// `reason` is required; `UPDATE` carries the CUI and the fields that change;
/// `REMOVE` carries the CUI and the reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserChange {
    pub cui: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    /// Dependencia.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Puesto.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post: Option<String>,
    /// The social programme the user works for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub programme: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<RemovalReason>,
}

/// What the card signs: its canonical JSON ([`crate::canonical`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestPayload {
    /// Always [`REQUEST_FORMAT`].
    pub format: String,
    pub action: RequestAction,
    /// The institution code.
    pub institution: String,
    /// The installation id of the server the request is for
    /// ([`crate::auth::SessionInfo::installation_id`]).
    pub installation: String,
    /// UUIDv4, chosen by the agent; the server refuses one it has seen.
    pub request_id: String,
    /// RFC 3339, UTC, when the coordinator signed.
    pub created_at: String,
    pub workstation_id: i64,
    pub user: UserChange,
}

/// `POST /v1/requests`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignedRequest {
    /// The canonical payload bytes, standard base64: verified as received.
    pub payload: String,
    pub algorithm: SignatureAlgorithm,
    pub signature: String,
    /// The card's signature certificate, DER, standard base64.
    pub certificate: String,
}

/// A request as the coordinator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RequestView {
    pub id: String,
    pub action: RequestAction,
    pub user_cui: String,
    /// `RECEIVED`, `PROCESSING`, `DONE` or `REJECTED`.
    pub state: String,
    /// For `REJECTED`: the error code and its sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reject_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reject_message: Option<String>,
    pub coordinator_cui: String,
    pub created_at: String,
    pub updated_at: String,
}

/// A user as the coordinator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserView {
    pub cui: String,
    pub full_name: String,
    pub email: String,
    pub phone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    pub department: String,
    pub post: String,
    pub programme: String,
    /// `ACTIVE`, `INACTIVE`, `REMOVED` (`PENDING` while a request runs).
    pub status: String,
    pub since: String,
    pub blocked: bool,
}
