//! JSON bodies of the `/v1` API. Field names are part of the protocol.

use serde::{Deserialize, Serialize};

/// Version of the wire protocol; bumped on an incompatible change.
pub const PROTOCOL_VERSION: u32 = 1;

/// `GET /v1/whoami`: who the server thinks is calling, from the client certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WhoAmI {
    pub workstation_id: i64,
    pub institution_code: String,
    pub institution_name: String,
    pub site: String,
    /// RFC 3339 expiry of the workstation certificate, so the agent can warn in time.
    pub certificate_not_after: String,
}

/// `GET /v1/health`: for monitoring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` when every dependency answers; `degraded` otherwise.
    pub status: String,
    pub version: String,
    pub protocol: u32,
    /// `ok` or the reason the database did not answer.
    pub database: String,
    /// RFC 3339, UTC.
    pub server_time: String,
}
