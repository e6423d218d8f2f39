//! The enrolled workstations, in memory, for the TLS handshake and the
//! per-request identity check.
//!
//! The handshake must never wait on the database: the store's one
//! connection can be held for seconds by a writer waiting out another
//! process's transaction. So the verifier reads only this in-memory list.
//! It is kept current by a read-only connection of its own
//! ([`WorkstationReader`], WAL reader, zero busy timeout): before every
//! handshake and every request that reads or changes data the server asks
//! [`EnrolledWorkstations::refresh`] (off the async threads, in the
//! request's one blocking call: `http::identity::confirm`) whether the
//! database changed (`PRAGMA
//! data_version`, then counts of workstations and revocations), and a
//! background thread re-reads the whole list every second regardless. A
//! revocation by the admin CLI, another process, is therefore seen by the
//! next handshake.
//!
//! Fail closed: if the list cannot be confirmed against the database for
//! [`STALE_AFTER`], every lookup answers [`Lookup::Unavailable`].

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::store::{
    StoreError, Workstation, WorkstationReader, WorkstationSource, WorkstationsSummary,
};

/// How long the list may go unconfirmed before lookups fail closed.
pub const STALE_AFTER: Duration = Duration::from_secs(5);
/// The background re-read of the whole list.
pub const FULL_RELOAD_EVERY: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub enum Lookup {
    Known(Arc<Workstation>),
    Unknown,
    /// The list could not be confirmed recently: refuse.
    Unavailable,
}

#[derive(Debug, Default)]
struct Snapshot {
    by_fingerprint: HashMap<String, Arc<Workstation>>,
    summary: WorkstationsSummary,
}

#[derive(Debug)]
struct Checks {
    /// When the last check started (to coalesce concurrent callers).
    last_started: Option<Instant>,
    data_version: Option<i64>,
}

#[derive(Debug)]
pub struct EnrolledWorkstations {
    reader: Box<dyn WorkstationSource>,
    snapshot: RwLock<Arc<Snapshot>>,
    /// Held only while a check runs (a read that never waits on a lock).
    checks: Mutex<Checks>,
    /// When the list was last confirmed current; apart from `checks` so
    /// that a handshake never waits for a check in progress.
    confirmed: RwLock<Option<Instant>>,
}

impl EnrolledWorkstations {
    /// Opens the reader and loads the list.
    pub fn open(database: &Path) -> Result<EnrolledWorkstations, StoreError> {
        Self::open_source(Box::new(WorkstationReader::open(database)?))
    }

    /// Loads the list from any backend's reader (PostgreSQL: a connection
    /// of its own, see `store::postgres::PgWorkstationReader`).
    pub fn open_source(
        reader: Box<dyn WorkstationSource>,
    ) -> Result<EnrolledWorkstations, StoreError> {
        let enrolled = EnrolledWorkstations {
            reader,
            snapshot: RwLock::new(Arc::new(Snapshot::default())),
            checks: Mutex::new(Checks {
                last_started: None,
                data_version: None,
            }),
            confirmed: RwLock::new(None),
        };
        enrolled.check(true)?;
        Ok(enrolled)
    }

    fn current(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Memory only: what the handshake asks.
    pub fn lookup(&self, fingerprint_hex: &str) -> Lookup {
        let confirmed = *self.confirmed.read().unwrap_or_else(|p| p.into_inner());
        if confirmed.is_none_or(|at| at.elapsed() >= STALE_AFTER) {
            return Lookup::Unavailable;
        }
        match self.current().by_fingerprint.get(fingerprint_hex) {
            Some(ws) => Lookup::Known(ws.clone()),
            None => Lookup::Unknown,
        }
    }

    /// Brings the list up to date if the database changed. Blocking
    /// (SQLite, though it never waits on a lock): call it off the async
    /// threads. Errors are logged; the list stays as it was.
    pub fn refresh(&self) {
        if let Err(e) = self.check(false) {
            tracing::warn!(error = %e, "cannot confirm the enrolled workstations");
        }
    }

    /// Re-reads the whole list (the background pass).
    pub fn reload(&self) {
        if let Err(e) = self.check(true) {
            tracing::warn!(error = %e, "cannot reload the enrolled workstations");
        }
    }

    /// [`refresh`](Self::refresh), then [`lookup`](Self::lookup).
    pub fn fresh_lookup(&self, fingerprint_hex: &str) -> Lookup {
        self.refresh();
        self.lookup(fingerprint_hex)
    }

    fn check(&self, full: bool) -> Result<(), StoreError> {
        let asked = Instant::now();
        let mut checks = self.checks.lock().unwrap_or_else(|p| p.into_inner());
        // A check that started after this caller asked has seen every
        // commit this caller could know of.
        if !full && checks.last_started.is_some_and(|at| at >= asked) {
            return Ok(());
        }
        checks.last_started = Some(Instant::now());
        let version = self.reader.data_version()?;
        if !full && checks.data_version == Some(version) {
            self.confirm();
            return Ok(());
        }
        let summary = self.reader.summary()?;
        let current = self.current();
        let same = |a: &WorkstationsSummary, b: &WorkstationsSummary| {
            (a.count, a.max_id, a.revoked, a.with_certificate)
                == (b.count, b.max_id, b.revoked, b.with_certificate)
        };
        if full || !same(&summary, &current.summary) {
            let list = self.reader.workstations()?;
            let by_fingerprint = list
                .into_iter()
                .map(|ws| (ws.certificate.fingerprint_hex.clone(), Arc::new(ws)))
                .collect();
            *self.snapshot.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(Snapshot {
                by_fingerprint,
                summary,
            });
        }
        checks.data_version = Some(version);
        self.confirm();
        Ok(())
    }

    fn confirm(&self) {
        *self.confirmed.write().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
    }

    /// Re-reads the list every [`FULL_RELOAD_EVERY`] on a thread of its own.
    pub fn spawn_reloader(self: &Arc<Self>) -> std::io::Result<()> {
        let enrolled = Arc::clone(self);
        std::thread::Builder::new()
            .name("enrolled-reload".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(FULL_RELOAD_EVERY);
                    enrolled.reload();
                }
            })
            .map(drop)
    }
}
