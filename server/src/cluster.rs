//! What tells the nodes sharing one store apart (issue 15): the registry
//! version each holds against the one `registry import` published, and
//! each node's heartbeat in the store (`registry status` reads them).
//!
//! The registry stays a read-only file per node. A node whose file is not
//! the published version takes no queued jobs until it has it; with no
//! version published (an installation from before this was recorded) every
//! node takes jobs, as before.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use padron_consulta::registry::store::{Registry, RegistryMeta, STORE_FILE};
use serde_json::json;

use crate::audit::AuditRecord;
use crate::clock::{Clock, timestamp};
use crate::store::{NodeBeat, PublishedRegistry, Store, StoreError};

/// How often a serving node writes its heartbeat.
pub const HEARTBEAT: Duration = Duration::from_secs(5);

/// The registry file of this node's data directory, its meta read again
/// only when an import (or a copy) replaced the file.
#[derive(Debug)]
pub struct LocalRegistry {
    path: PathBuf,
    cached: Mutex<Option<((u64, u64), RegistryMeta)>>,
}

impl LocalRegistry {
    pub fn new(data_dir: &Path) -> LocalRegistry {
        LocalRegistry {
            path: data_dir.join(STORE_FILE),
            cached: Mutex::new(None),
        }
    }

    /// The meta of the registry on disk now; `None` without a readable one.
    pub fn meta(&self) -> Option<RegistryMeta> {
        let identity = std::fs::metadata(&self.path)
            .ok()
            .map(|m| (m.dev(), m.ino()))?;
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((seen, meta)) = cached.as_ref()
            && *seen == identity
        {
            return Some(meta.clone());
        }
        let meta = Registry::open_file(&self.path).ok()?.meta().clone();
        *cached = Some((identity, meta.clone()));
        Some(meta)
    }

    /// The version on disk now (see `RegistryMeta::version`).
    pub fn version(&self) -> Option<String> {
        self.meta().map(|m| m.version())
    }
}

/// Whether a node holding `mine` may take jobs while `published` is current.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// No version published yet: every node takes jobs.
    NonePublished,
    Current,
    /// This node's registry (or its lack) is not the published one.
    Outdated {
        mine: Option<String>,
        current: String,
    },
}

impl Standing {
    pub fn of(mine: Option<&str>, published: Option<&PublishedRegistry>) -> Standing {
        match published {
            None => Standing::NonePublished,
            Some(p) if mine == Some(p.version.as_str()) => Standing::Current,
            Some(p) => Standing::Outdated {
                mine: mine.map(str::to_owned),
                current: p.version.clone(),
            },
        }
    }

    /// Jobs may be claimed.
    pub fn may_claim(&self) -> bool {
        !matches!(self, Standing::Outdated { .. })
    }

    /// For `/v1/health`: `None` with nothing published.
    pub fn is_current(&self) -> Option<bool> {
        match self {
            Standing::NonePublished => None,
            Standing::Current => Some(true),
            Standing::Outdated { .. } => Some(false),
        }
    }
}

/// This node's standing now (one read of the store, one `stat`).
pub fn standing(store: &dyn Store, local: &LocalRegistry) -> Result<Standing, StoreError> {
    let published = store.current_registry()?;
    Ok(Standing::of(local.version().as_deref(), published.as_ref()))
}

/// A short form of a version for logs and tables.
pub fn short(version: &str) -> &str {
    version.get(..12).unwrap_or(version)
}

fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "localhost".to_owned())
}

/// Publishes the registry of `data_dir` as the cluster's current version,
/// audited as `registry.published` by `actor`.
pub fn publish(
    store: &dyn Store,
    data_dir: &Path,
    node: &str,
    actor: &str,
    clock: &dyn Clock,
) -> Result<PublishedRegistry, PublishError> {
    let registry = Registry::open(data_dir).map_err(PublishError::Registry)?;
    let meta = registry.meta();
    let at = timestamp(clock.now());
    let published = PublishedRegistry {
        version: meta.version(),
        persons: i64::try_from(meta.persons).unwrap_or(i64::MAX),
        source: meta.source.clone(),
        imported_at: meta.imported_at.clone(),
        node: node.to_owned(),
        published_at: at.clone(),
    };
    let audit = AuditRecord {
        at,
        actor: actor.to_owned(),
        workstation_id: None,
        action: "registry.published".to_owned(),
        subject: format!("registry:{}", published.version),
        outcome: "ok".to_owned(),
        detail: json!({
            "node": node,
            "persons": published.persons,
            "source": published.source,
            "imported_at": published.imported_at,
        }),
    };
    store
        .publish_registry(&published, &audit)
        .map_err(PublishError::Store)?;
    Ok(published)
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("{0}")]
    Registry(padron_consulta::registry::store::StoreError),
    #[error("{0}")]
    Store(StoreError),
}

/// Writes this node's heartbeat every [`HEARTBEAT`] on a thread of its own
/// (a long job does not stall it).
pub fn spawn_heartbeat(
    store: Arc<dyn Store>,
    local: Arc<LocalRegistry>,
    clock: Arc<dyn Clock>,
    node: String,
) -> std::io::Result<()> {
    let started_at = timestamp(clock.now());
    let host = host();
    std::thread::Builder::new()
        .name("heartbeat".into())
        .spawn(move || {
            let mut failing = false;
            loop {
                let beat = NodeBeat {
                    node: node.clone(),
                    host: host.clone(),
                    registry_version: local.version(),
                    started_at: started_at.clone(),
                    last_seen: timestamp(clock.now()),
                };
                match store.node_seen(&beat) {
                    Ok(()) => failing = false,
                    Err(e) if !failing => {
                        failing = true;
                        tracing::warn!(error = %e, "cannot record this node's heartbeat");
                    }
                    Err(_) => {}
                }
                std::thread::sleep(HEARTBEAT);
            }
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn published(version: &str) -> PublishedRegistry {
        PublishedRegistry {
            version: version.to_owned(),
            persons: 1,
            source: "r.csv".into(),
            imported_at: "t".into(),
            node: "n".into(),
            published_at: "t".into(),
        }
    }

    #[test]
    fn a_node_claims_only_with_the_published_registry_or_none_published() {
        assert!(Standing::of(None, None).may_claim());
        assert!(Standing::of(Some("a"), None).may_claim());
        assert_eq!(
            Standing::of(Some("a"), Some(&published("a"))),
            Standing::Current
        );
        assert!(!Standing::of(Some("b"), Some(&published("a"))).may_claim());
        assert!(!Standing::of(None, Some(&published("a"))).may_claim());
        assert_eq!(
            Standing::of(None, Some(&published("a"))).is_current(),
            Some(false)
        );
    }
}
