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

crate::wire_names! {
    /// What a signed user-administration request asks for.
    pub enum RequestAction ("request action") {
        /// Alta: enrol a new user for the institution.
        Add = "ADD",
        /// Change an existing user's data.
        Update = "UPDATE",
        /// Baja: remove a user from the institution.
        Remove = "REMOVE",
    }
}

crate::wire_names! {
    /// Where a signed user request is.
    pub enum RequestState ("request state") {
        /// Stored, verified, not yet applied.
        Received = "RECEIVED",
        /// Being applied.
        Processing = "PROCESSING",
        /// Applied.
        Done = "DONE",
        /// Refused by a rule (`reject_code` says which); kept as evidence.
        Rejected = "REJECTED",
    }
}

impl RequestState {
    /// Done or rejected: the request will not change again.
    pub fn is_final(self) -> bool {
        matches!(self, RequestState::Done | RequestState::Rejected)
    }
}

/// Why a user is removed (RENAP 5.1.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RemovalReason {
    /// The worker's functions changed.
    FunctionsChanged,
    /// The employment ended.
    EmploymentEnded,
    /// The head of the institution changed.
    AuthorityChanged,
}

impl RemovalReason {
    /// The wire name: `FUNCTIONS_CHANGED`, `EMPLOYMENT_ENDED` or `AUTHORITY_CHANGED`.
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
    /// The user's CUI (13 digits): who the request is about; always present.
    pub cui: String,
    /// Full name as on the signed form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// Institutional e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Mobile phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Phone extension at the institution; optional even for `ADD`.
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
    /// Why the user is removed; only for `REMOVE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<RemovalReason>,
}

/// What the card signs: its canonical JSON ([`crate::canonical`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestPayload {
    /// Always [`REQUEST_FORMAT`].
    pub format: String,
    /// Add, update or remove.
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
    /// The enrolled workstation the coordinator signed at.
    pub workstation_id: i64,
    /// The user the request is about and the data that changes.
    pub user: UserChange,
}

/// `POST /v1/requests`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignedRequest {
    /// The canonical payload bytes, standard base64: verified as received.
    pub payload: String,
    /// The signature's algorithm, which must match the certificate's key.
    pub algorithm: SignatureAlgorithm,
    /// The card's signature over the payload bytes, standard base64 (ECDSA: DER `Ecdsa-Sig-Value`; RSA: PKCS#1 v1.5).
    pub signature: String,
    /// The card's signature certificate, DER, standard base64.
    pub certificate: String,
}

/// A request as the coordinator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RequestView {
    /// The request's id (the agent's UUIDv4).
    pub id: String,
    /// Add, update or remove.
    pub action: RequestAction,
    /// CUI of the user the request is about.
    pub user_cui: String,
    /// Where the request is.
    pub state: RequestState,
    /// For `REJECTED`: the error code and its sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reject_code: Option<String>,
    /// For `REJECTED`: the sentence for [`RequestView::reject_code`], in the caller's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reject_message: Option<String>,
    /// CUI of the coordinator who signed it.
    pub coordinator_cui: String,
    /// When the server received it (RFC 3339, UTC).
    pub created_at: String,
    /// When its state last changed (RFC 3339, UTC).
    pub updated_at: String,
}

/// A user as the coordinator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserView {
    /// The user's CUI.
    pub cui: String,
    /// Full name.
    pub full_name: String,
    /// Institutional e-mail address.
    pub email: String,
    /// Mobile phone number.
    pub phone: String,
    /// Phone extension, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    /// Dependencia.
    pub department: String,
    /// Puesto.
    pub post: String,
    /// The social programme the user works for.
    pub programme: String,
    /// `ACTIVE`, `INACTIVE`, `REMOVED` (`PENDING` while a request runs).
    pub status: String,
    /// When the user entered the current status (RFC 3339, UTC).
    pub since: String,
    /// Blocked for misuse by a server admin: refused in every institution until unblocked.
    pub blocked: bool,
}
