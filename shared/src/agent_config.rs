//! `agent.toml`: written by the server's enrolment, read by the agent.

use serde::{Deserialize, Serialize};

/// The agent's configuration. Relative paths are relative to the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentConfig {
    /// `https://host:port` of the Padrón server.
    pub server_url: String,
    /// The server CA certificate (PEM) the agent pins; no public CA is trusted.
    pub server_ca: String,
    /// This workstation's client certificate (PEM).
    pub certificate: String,
    /// This workstation's private key (PEM, readable only by the agent's user).
    pub key: String,
    /// For display before the first connection; the server's word wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workstation_id: Option<i64>,
    /// The institution's code, for display before the first connection; the server's word wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub institution: Option<String>,
    /// The workstation's site, for display before the first connection; the server's word wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// The eID vendor's PKCS#11 module (`.so`) to reach the card through;
    /// without it the agent speaks PIV to the card over PC/SC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_module: Option<String>,
    /// The reader (or PKCS#11 slot) to use; default: the first with a card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_reader: Option<String>,
    /// `es` (default) or `en`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<crate::Lang>,
}

/// File names inside an enrolment bundle.
pub mod bundle {
    /// The agent's configuration, [`super::AgentConfig`] as TOML.
    pub const CONFIG: &str = "agent.toml";
    /// The server CA certificate (PEM) the agent pins.
    pub const SERVER_CA: &str = "server-ca.crt";
    /// The workstation's client certificate (PEM), signed by the server's enrolment CA.
    pub const CERTIFICATE: &str = "workstation.crt";
    /// The workstation's private key (PEM).
    pub const KEY: &str = "workstation.key";
    /// The certificate signing request (PEM) the workstation's key was certified from.
    pub const CSR: &str = "workstation.csr";
}
