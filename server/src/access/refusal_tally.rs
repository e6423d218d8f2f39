//! Repeated refusals, counted in memory and audited once per minute.
//!
//! A workstation hammering a rate-limited endpoint must not write one audit
//! row per attempt: the log would grow without bound and bury what matters.
//! Refusals that can repeat at that rate (`RATE_LIMITED`,
//! `CHALLENGES_OUTSTANDING`) are counted per (minute, workstation, code);
//! when the minute is over, one ordinary chained audit entry records the
//! count (`action = "request.refused"`, `detail = {"minute", "count"}`).
//! Nothing is written outside the chain, so the log stays tamper-evident;
//! the minute in progress is written at shutdown. A crash (SIGKILL) loses
//! at most the counts of the minutes not yet written: the requests were
//! refused, so nothing happened that the log misses.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use padron_shared::ErrorCode;
use serde_json::json;
use time::OffsetDateTime;

use crate::audit::AuditRecord;
use crate::clock::{Clock, timestamp};
use crate::store::Store;

/// How often closed minutes are written.
pub const FLUSH_EVERY: Duration = Duration::from_secs(5);

/// `YYYY-MM-DDTHH:MM`, UTC: sorts as time does.
fn minute_of(at: OffsetDateTime) -> String {
    timestamp(at).chars().take(16).collect()
}

#[derive(Debug, Default)]
pub struct RefusalTally {
    counts: Mutex<BTreeMap<(String, i64, &'static str), u64>>,
}

impl RefusalTally {
    /// Counts one refusal of `code` to workstation `workstation_id`.
    pub fn note(&self, workstation_id: i64, code: ErrorCode, at: OffsetDateTime) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        *counts
            .entry((minute_of(at), workstation_id, code.as_str()))
            .or_insert(0) += 1;
    }

    /// Writes one entry per (minute, workstation, code) for minutes before
    /// `now`'s (all of them if `everything`). An entry that cannot be
    /// written is kept for the next pass. Blocking (SQLite).
    pub fn flush(&self, store: &dyn Store, now: OffsetDateTime, everything: bool) {
        let current = minute_of(now);
        let due: Vec<_> = {
            let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
            let keys: Vec<_> = counts
                .keys()
                .filter(|(minute, _, _)| everything || *minute < current)
                .cloned()
                .collect();
            keys.into_iter()
                .filter_map(|k| counts.remove(&k).map(|n| (k, n)))
                .collect()
        };
        for ((minute, workstation_id, code), count) in due {
            let record = AuditRecord {
                at: timestamp(now),
                actor: format!("workstation:{workstation_id}"),
                workstation_id: Some(workstation_id),
                action: "request.refused".to_owned(),
                subject: format!("workstation:{workstation_id}"),
                outcome: format!("refused:{code}"),
                detail: json!({ "minute": minute, "count": count }),
            };
            if let Err(e) = store.append_audit(&record) {
                tracing::error!(error = %e, "cannot audit counted refusals; kept for the next pass");
                let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
                *counts.entry((minute, workstation_id, code)).or_insert(0) += count;
            }
        }
    }

    /// Writes closed minutes every [`FLUSH_EVERY`] on a thread of its own.
    pub fn spawn_flusher(
        self: &Arc<Self>,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
    ) -> std::io::Result<()> {
        let tally = Arc::clone(self);
        std::thread::Builder::new()
            .name("refusal-tally".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(FLUSH_EVERY);
                    tally.flush(store.as_ref(), clock.now(), false);
                }
            })
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::store::SqliteStore;

    #[test]
    fn one_entry_per_workstation_code_and_minute_and_the_chain_holds() {
        let store = SqliteStore::open_in_memory().unwrap();
        let tally = RefusalTally::default();
        let t0 = time::macros::datetime!(2026-12-01 10:00:05 UTC);
        for i in 0..500 {
            tally.note(
                7,
                ErrorCode::RateLimited,
                t0 + time::Duration::milliseconds(i * 100),
            );
        }
        tally.note(8, ErrorCode::RateLimited, t0);
        tally.note(7, ErrorCode::ChallengesOutstanding, t0);
        // The minute is still open: nothing written yet.
        tally.flush(&store, t0 + time::Duration::seconds(30), false);
        assert!(store.audit_entries(0, 100).unwrap().is_empty());
        tally.flush(&store, t0 + time::Duration::seconds(120), false);
        let entries = store.audit_entries(0, 100).unwrap();
        // 500 notes spread over 10:00:05 .. 10:00:55 and 10:00:55 ..: 10:00 and 10:01 for ws 7.
        let of7: Vec<_> = entries
            .iter()
            .filter(|e| e.workstation_id == Some(7) && e.outcome == "refused:RATE_LIMITED")
            .collect();
        let total: u64 = of7
            .iter()
            .map(|e| {
                serde_json::from_str::<serde_json::Value>(&e.detail).unwrap()["count"]
                    .as_u64()
                    .unwrap()
            })
            .sum();
        assert_eq!(total, 500);
        assert_eq!(of7.len(), 1 + usize::from(of7.len() > 1));
        assert_eq!(entries.len(), of7.len() + 2);
        crate::audit::verify_chain(crate::audit::GENESIS_HASH.to_owned(), &entries).unwrap();
        // Written once: a second pass adds nothing.
        tally.flush(&store, t0 + time::Duration::seconds(180), true);
        assert_eq!(store.audit_entries(0, 100).unwrap().len(), entries.len());
    }
}
