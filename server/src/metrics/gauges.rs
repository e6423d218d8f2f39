//! The gauges read from the database at each scrape: counts of rows,
//! never kept in memory, so a restart or another process's change (the
//! admin CLI, a second server on the same queue) is seen as it is.
//!
//! The store's counts through a connection of its own
//! (`crate::store::GaugeSource`, either backend): a scrape must not wait
//! behind a long write.

use std::path::PathBuf;

use metrics::gauge;
use padron_shared::queries::{JobState, QueryMode};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::names;
use crate::clock::timestamp;
use crate::datadir::DataDir;

/// Where `audit checkpoint` leaves a copy of the last checkpoint it wrote
/// (the signed file itself goes wherever the admin keeps it).
pub const LAST_CHECKPOINT_FILE: &str = "audit-checkpoint.last.json";

/// The row of `counts` a mode's figures are kept in.
fn mode_index(mode: QueryMode) -> usize {
    match mode {
        QueryMode::Cui => 0,
        QueryMode::Names => 1,
    }
}

/// What one scrape reads from the store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreGauges {
    /// Sessions neither ended nor expired nor idle.
    pub open_sessions: i64,
    /// Jobs QUEUED or RUNNING, by mode and state.
    pub active_jobs: Vec<(QueryMode, JobState, i64)>,
    /// The audit chain's length (its last seq: append-only from 1).
    pub audit_entries: i64,
}

/// Reads [`StoreGauges`] on a connection of its own (the store implements
/// it for each backend: `Database::gauge_source`); `now` and `idle_since`
/// are store timestamps.
pub trait GaugeSource: Send + Sync + std::fmt::Debug {
    fn read(&self, now: &str, idle_since: &str) -> anyhow::Result<StoreGauges>;
}

#[derive(Debug)]
pub struct Collector {
    dir: DataDir,
    source: Box<dyn GaugeSource>,
}

impl Collector {
    pub fn new(dir: DataDir, source: Box<dyn GaugeSource>) -> Collector {
        Collector { dir, source }
    }

    /// Sets every gauge; a failure leaves the previous values and is logged.
    pub fn collect(&self) {
        let started = std::time::Instant::now();
        if let Err(e) = self.collect_store() {
            tracing::warn!(error = %e, "metrics: cannot read the store's counts");
        }
        if let Err(e) = self.collect_registry() {
            tracing::debug!(error = %e, "metrics: no registry figures");
        }
        self.collect_checkpoint();
        tracing::trace!(
            ms = started.elapsed().as_millis() as u64,
            "metrics collected"
        );
    }

    fn collect_store(&self) -> anyhow::Result<()> {
        let now = OffsetDateTime::now_utc();
        let idle_since =
            timestamp(now - time::Duration::seconds(padron_shared::auth::SESSION_IDLE_SECONDS));
        let read = self.source.read(&timestamp(now), &idle_since)?;
        gauge!(names::SESSIONS_OPEN).set(read.open_sessions as f64);

        let mut counts = [[0i64; 2]; 2]; // [CUI, NAMES] × [QUEUED, RUNNING]
        for (mode, state, n) in read.active_jobs {
            let s = match state {
                JobState::Queued => 0,
                JobState::Running => 1,
                JobState::Done | JobState::Failed | JobState::Expired => continue,
            };
            counts[mode_index(mode)][s] = n;
        }
        for mode in [QueryMode::Cui, QueryMode::Names] {
            let m = mode_index(mode);
            gauge!(names::QUEUE_DEPTH, "mode" => mode.as_str()).set(counts[m][0] as f64);
            gauge!(names::QUEUE_RUNNING, "mode" => mode.as_str()).set(counts[m][1] as f64);
        }

        // The chain is append-only from seq 1: its last seq is its length.
        let entries = read.audit_entries;
        gauge!(names::AUDIT_ENTRIES).set(entries as f64);
        if let Some(covered) = last_checkpoint(&self.dir).map(|c| c.1) {
            gauge!(names::CHECKPOINT_BEHIND).set((entries - covered).max(0) as f64);
        }
        Ok(())
    }

    fn collect_registry(&self) -> rusqlite::Result<()> {
        let path: PathBuf = self
            .dir
            .path()
            .join(padron_consulta::registry::store::STORE_FILE);
        if !path.is_file() {
            gauge!(names::REGISTRY_PERSONS).set(0.0);
            return Ok(());
        }
        // Opened per scrape: a re-import renames a new file into place.
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let get = |key: &str| -> rusqlite::Result<Option<String>> {
            conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()
        };
        let persons: f64 = get("persons")?.and_then(|v| v.parse().ok()).unwrap_or(0.0);
        gauge!(names::REGISTRY_PERSONS).set(persons);
        if let Some(at) = get("imported_at")?.and_then(|v| OffsetDateTime::parse(&v, &Rfc3339).ok())
        {
            gauge!(names::REGISTRY_IMPORT).set(at.unix_timestamp() as f64);
        }
        Ok(())
    }

    fn collect_checkpoint(&self) {
        if let Some((at, _)) = last_checkpoint(&self.dir) {
            let age = (OffsetDateTime::now_utc() - at).as_seconds_f64().max(0.0);
            gauge!(names::CHECKPOINT_AGE).set(age);
        }
    }
}

/// The time and head seq of the last checkpoint written here.
fn last_checkpoint(dir: &DataDir) -> Option<(OffsetDateTime, i64)> {
    let text = std::fs::read_to_string(dir.path().join(LAST_CHECKPOINT_FILE)).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    let at = OffsetDateTime::parse(value.get("at")?.as_str()?, &Rfc3339).ok()?;
    let head_seq = value.get("head_seq")?.as_i64()?;
    Some((at, head_seq))
}
