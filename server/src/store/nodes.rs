//! The part of [`Store`](super::Store) that tells the nodes of a cluster
//! apart: the registry version published as current, and each node's
//! heartbeat with the registry version it holds.

use super::StoreError;
use crate::audit::AuditRecord;

/// A registry import as published to the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedRegistry {
    /// The version (the imported CSV's SHA-256, see `RegistryMeta::version`).
    pub version: String,
    pub persons: i64,
    /// The CSV's file name.
    pub source: String,
    /// When the import finished (the store's own record).
    pub imported_at: String,
    /// The node whose `registry import` published it.
    pub node: String,
    pub published_at: String,
}

/// What a node last said about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeBeat {
    pub node: String,
    pub host: String,
    /// The registry version in its data directory; `None` without a registry.
    pub registry_version: Option<String>,
    pub started_at: String,
    pub last_seen: String,
}

pub trait NodeStore {
    /// Makes `registry` the current version, audited; the previous ones stay
    /// as history.
    fn publish_registry(
        &self,
        registry: &PublishedRegistry,
        audit: &AuditRecord,
    ) -> Result<(), StoreError>;
    /// The version published last, if any.
    fn current_registry(&self) -> Result<Option<PublishedRegistry>, StoreError>;
    /// Records (or refreshes) a node's heartbeat.
    fn node_seen(&self, beat: &NodeBeat) -> Result<(), StoreError>;
    /// Every node that ever beat, by name.
    fn nodes(&self) -> Result<Vec<NodeBeat>, StoreError>;
    /// Records the registry version a job runs against; `false` if the job
    /// is no longer `worker`'s.
    fn job_registry(&self, id: &str, worker: &str, version: &str) -> Result<bool, StoreError>;
}
