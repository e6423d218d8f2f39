//! What the domain works with: the store, the clock, the identity logins
//! are bound to, the data directory and the enrolled workstations. Login,
//! user requests, status, uploads and reports take a [`Services`]; the HTTP
//! layer holds one inside its state, and the CLI and tests can build one
//! without a router.

use std::sync::Arc;

use crate::access::enrolled::EnrolledWorkstations;
use crate::access::refusal_tally::RefusalTally;
use crate::clock::Clock;
use crate::datadir::DataDir;
use crate::store::Store;

#[derive(Clone, Debug)]
pub struct Services {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    /// Lowercase hex SHA-256 of the server's TLS certificate: the identity
    /// card logins are bound to.
    pub server_fingerprint: String,
    /// ETSI country code of the eID certificates' `serialNumber` (`GT`).
    pub eid_country: String,
    /// Where uploads and results live.
    pub data_dir: DataDir,
    /// Tells the queue worker a job was queued.
    pub wake: std::sync::mpsc::Sender<()>,
    /// The enrolled workstations, in memory (kept current from the store).
    pub enrolled: Arc<EnrolledWorkstations>,
    /// Challenges a workstation may hold unanswered (`[limits]`).
    pub max_outstanding_challenges: u32,
    /// Repeated refusals, audited once a minute.
    pub refusals: Arc<RefusalTally>,
    /// This node's registry file, for `/v1/health`.
    pub local_registry: Arc<crate::cluster::LocalRegistry>,
}

/// This node's name in `/v1/health` and the logs: `PADRON_NODE`, else
/// host and process id.
pub fn node_id() -> &'static str {
    static NODE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    NODE.get_or_init(|| {
        std::env::var("PADRON_NODE")
            .ok()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| {
                let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
                    .map(|h| h.trim().to_owned())
                    .unwrap_or_else(|_| "localhost".to_owned());
                format!("{host}:{}", std::process::id())
            })
    })
}
