//! JSON bodies of the `/v1` API. Field names are part of the protocol.

use serde::{Deserialize, Serialize};

/// Version of the wire protocol; bumped on an incompatible change.
pub const PROTOCOL_VERSION: u32 = 1;

/// `GET /v1/whoami`: who the server thinks is calling, from the client certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// The registry's time zone (tz database name): the agent shows every
    /// stamp in it, since the registry's days are its days.
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    /// Whom to call for help (the registry's service desk), for the kiosk's footer.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub service_desk: String,
}

fn default_time_zone() -> String {
    crate::calendar::DEFAULT_TIME_ZONE.to_owned()
}

/// `GET /v1/health`: for monitoring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// The registry version this node holds (the imported CSV's SHA-256);
    /// absent when it has no registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_version: Option<String>,
    /// Whether that is the version `registry import` published as current
    /// (a node without it takes no queued jobs, and `status` is
    /// `degraded`); absent while no version is published or the database
    /// does not answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_current: Option<bool>,
    /// RFC 3339, UTC.
    pub server_time: String,
}
