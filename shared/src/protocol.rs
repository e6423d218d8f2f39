//! JSON bodies of the `/v1` API. Field names are part of the protocol.

use serde::{Deserialize, Serialize};

/// Version of the wire protocol; bumped on an incompatible change.
pub const PROTOCOL_VERSION: u32 = 1;

/// `GET /v1/whoami`: who the server thinks is calling, from the client certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhoAmI {
    /// The workstation's id, from its enrolment.
    pub workstation_id: i64,
    /// Code of the institution the workstation belongs to.
    pub institution_code: String,
    /// Name of that institution.
    pub institution_name: String,
    /// Where the workstation is installed (its fixed site).
    pub site: String,
    /// RFC 3339 expiry of the workstation certificate, so the agent can warn in time.
    pub certificate_not_after: String,
}

/// `GET /v1/health`: for monitoring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `ok` when every dependency answers; `degraded` otherwise.
    pub status: String,
    /// The server's version (its crate version).
    pub version: String,
    /// The wire protocol it speaks, [`PROTOCOL_VERSION`].
    pub protocol: u32,
    /// `ok` or the reason the database did not answer.
    pub database: String,
    /// Which server node answered (several may share one PostgreSQL store):
    /// `PADRON_NODE` of its environment, else host and process id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// RFC 3339, UTC.
    pub server_time: String,
}
