//! The queue worker: one job at a time, strictly first in, first out.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use padron_shared::ErrorCode;
use padron_shared::queries::JobCounts;
use padron_shared::reports::ResultCounts;
use serde_json::json;

use crate::audit::AuditRecord;
use crate::clock::{Clock, timestamp};
use crate::datadir::DataDir;
use crate::queue::sandbox::{Parser, Wait};
use crate::store::{JobRow, Store};
use padron_consulta::job::run_job_with;
use padron_consulta::matching::RowOutcome;
use padron_consulta::registry::store::Registry;

use super::uploads;

/// A job is held this long without news before another worker may take it.
const LEASE: time::Duration = time::Duration::seconds(30);
/// How often progress (and the lease) is written while a job runs.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(500);
/// How often finished jobs past retention are swept.
const SWEEP_INTERVAL: Duration = Duration::from_secs(3600);

/// Who this worker is: host, process and start, so that a restarted
/// server recognises jobs its previous process left running.
fn identity() -> (String, String) {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "localhost".to_owned());
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    (
        host.clone(),
        format!("{host}:{}:{started}", std::process::id()),
    )
}

/// A worker id from this host whose process is gone (or is this process
/// under an earlier start) cannot be running its job any more.
fn is_dead_on(host: &str, me: &str) -> impl Fn(&str) -> bool {
    let host = host.to_owned();
    let me = me.to_owned();
    move |holder: &str| {
        let mut parts = holder.splitn(3, ':');
        let (Some(h), Some(pid)) = (parts.next(), parts.next()) else {
            return false;
        };
        if h != host || holder == me {
            return false;
        }
        let mine = pid == std::process::id().to_string();
        mine || !std::path::Path::new(&format!("/proc/{pid}")).exists()
    }
}

#[derive(Debug)]
pub struct Worker {
    pub store: Arc<dyn Store>,
    pub dir: DataDir,
    pub clock: Arc<dyn Clock>,
    pub retention_days: u32,
    /// This node's registry file, compared with the published version
    /// before every claim.
    pub local_registry: Arc<crate::cluster::LocalRegistry>,
}

impl Worker {
    /// Runs until `wake` is closed (the server shutting down). A message on
    /// `wake` means "a job was queued": look now rather than at the next tick.
    pub fn run(self, wake: Receiver<()>) {
        let (host, me) = identity();
        let is_dead = is_dead_on(&host, &me);
        tracing::info!(worker = %me, "query worker started");
        let mut last_sweep: Option<Instant> = None;
        let mut was_outdated = false;
        loop {
            if last_sweep.is_none_or(|t| t.elapsed() >= SWEEP_INTERVAL) {
                self.sweep();
                last_sweep = Some(Instant::now());
            }
            let may_claim = self.may_claim(&mut was_outdated);
            let now = self.clock.now();
            let claimed = if may_claim {
                self.store
                    .claim_next(&me, &timestamp(now), &timestamp(now + LEASE), &is_dead)
            } else {
                Ok(None)
            };
            match claimed {
                Ok(Some(job)) => {
                    let mode = job.mode.as_str();
                    if let Ok(queued) = time::OffsetDateTime::parse(
                        &job.created_at,
                        &time::format_description::well_known::Rfc3339,
                    ) {
                        let waited = (self.clock.now() - queued).as_seconds_f64().max(0.0);
                        metrics::histogram!(crate::metrics::names::QUEUE_WAIT, "mode" => mode)
                            .record(waited);
                    }
                    let started = Instant::now();
                    self.process(&me, job);
                    metrics::histogram!(crate::metrics::names::JOB_DURATION, "mode" => mode)
                        .record(started.elapsed().as_secs_f64());
                    continue;
                }
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "cannot read the query queue"),
            }
            match wake.recv_timeout(Duration::from_secs(1)) {
                Ok(()) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    /// Whether this node's registry is the published version; says so in
    /// the log once when that changes, not on every look.
    fn may_claim(&self, was_outdated: &mut bool) -> bool {
        let standing = match crate::cluster::standing(self.store.as_ref(), &self.local_registry) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the current registry version");
                return false;
            }
        };
        let may = standing.may_claim();
        if let crate::cluster::Standing::Outdated { mine, current } = &standing
            && !*was_outdated
        {
            tracing::warn!(
                node = crate::services::node_id(),
                registry = mine.as_deref().map(crate::cluster::short).unwrap_or("-"),
                current = crate::cluster::short(current),
                "este nodo no toma trabajos: su registro no es la versión vigente (copie el registro o ejecute registry import) / this node takes no jobs: its registry is not the current version (copy the registry or run registry import)"
            );
        } else if may && *was_outdated {
            tracing::info!(
                node = crate::services::node_id(),
                "este nodo tiene el registro vigente y vuelve a tomar trabajos / this node has the current registry and takes jobs again"
            );
        }
        *was_outdated = !may;
        may
    }

    fn audit(
        &self,
        job: &JobRow,
        action: &str,
        outcome: String,
        detail: serde_json::Value,
    ) -> AuditRecord {
        AuditRecord {
            at: timestamp(self.clock.now()),
            actor: "server:queue".to_owned(),
            workstation_id: Some(job.workstation_id),
            action: action.to_owned(),
            subject: format!("query:{}", job.id),
            outcome,
            detail,
        }
    }

    fn fail(&self, me: &str, job: &JobRow, code: ErrorCode, why: &str) {
        tracing::warn!(job = %job.id, code = code.as_str(), why, "query failed");
        let audit = self.audit(
            job,
            "query.failed",
            format!("refused:{}", code.as_str()),
            json!({ "reason": why }),
        );
        if let Err(e) = self.store.job_failed(
            &job.id,
            me,
            code.as_str(),
            &timestamp(self.clock.now()),
            &audit,
        ) {
            tracing::error!(job = %job.id, error = %e, "cannot record a failed query");
        }
    }

    fn process(&self, me: &str, job: JobRow) {
        let started = Instant::now();
        tracing::info!(job = %job.id, rows = job.rows, attempt = job.attempts, "query started");
        let bytes = match uploads::upload_path(&self.dir, &job.id).and_then(std::fs::read) {
            Ok(b) => b,
            Err(e) => {
                return self.fail(
                    me,
                    &job,
                    ErrorCode::Internal,
                    &format!("upload unreadable: {e}"),
                );
            }
        };
        // Read again in a sandboxed child: the file on disk is as untrusted
        // as the upload was.
        let workbook = match Parser::of(&self.dir).parse(&bytes, Wait::Forever) {
            Ok(w) => w,
            Err(e) => return self.fail(me, &job, e.code(), &e.to_string()),
        };
        let registry = match Registry::open(self.dir.path()) {
            Ok(r) => r,
            Err(e) => return self.fail(me, &job, e.code(), &e.to_string()),
        };
        let version = registry.meta().version();
        match self.store.job_registry(&job.id, me, &version) {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(job = %job.id, "query taken over elsewhere before it started");
                return;
            }
            Err(e) => {
                tracing::warn!(job = %job.id, error = %e, "cannot record the registry version")
            }
        }
        let mut last = Instant::now();
        let mut ours = true;
        let mut progress = |done: usize, _total: usize| {
            if ours && last.elapsed() >= PROGRESS_INTERVAL {
                last = Instant::now();
                let lease = timestamp(self.clock.now() + LEASE);
                match self.store.job_progress(&job.id, me, done as i64, &lease) {
                    Ok(still_ours) => ours = still_ours,
                    Err(e) => tracing::warn!(job = %job.id, error = %e, "cannot record progress"),
                }
            }
        };
        // Read per job: an edited server.toml applies from the next job on.
        let settings = self
            .dir
            .config()
            .map(|c| c.matching.settings())
            .unwrap_or_default();
        let result = match run_job_with(
            &registry,
            settings,
            &workbook,
            &job.file_name,
            self.clock.now(),
            &mut progress,
        ) {
            Ok(r) => r,
            Err(e) => return self.fail(me, &job, e.code(), &e.to_string()),
        };
        if let Err(e) = uploads::store_result(&self.dir, &job.id, &result.xlsx) {
            return self.fail(
                me,
                &job,
                ErrorCode::Internal,
                &format!("cannot write the result: {e}"),
            );
        }
        // The preview of the rows to look at; the workbook has them all, so
        // a failure here only loses the preview.
        match serde_json::to_vec(&result.attention) {
            Ok(json) => {
                if let Err(e) = uploads::store_attention(&self.dir, &job.id, &json) {
                    tracing::warn!(job = %job.id, error = %e, "cannot write the attention rows");
                }
            }
            Err(e) => tracing::warn!(job = %job.id, error = %e, "cannot encode the attention rows"),
        }
        for (outcome, n) in RowOutcome::ALL.iter().zip(result.counts) {
            metrics::counter!(crate::metrics::names::ROWS, "mode" => job.mode.as_str(), "result" => outcome.as_str())
                .increment(n as u64);
        }
        let counts = JobCounts {
            duplicados: Some(result.duplicate_rows as u64),
            fallecido: Some(result.deceased as u64),
            ..JobCounts::from_results(ResultCounts::from_array(result.counts.map(|n| n as u64)))
        };
        let audit = self.audit(
            &job,
            "query.done",
            "ok".to_owned(),
            json!({ "rows": result.rows, "seconds": (started.elapsed().as_secs_f64() * 100.0).round() / 100.0 }),
        );
        match self
            .store
            .job_done(&job.id, me, &counts, &timestamp(self.clock.now()), &audit)
        {
            Ok(true) => {
                tracing::info!(job = %job.id, seconds = started.elapsed().as_secs_f64(), "query done")
            }
            // Another worker took it over (our lease lapsed): its run counts, not ours.
            Ok(false) => {
                tracing::warn!(job = %job.id, "query finished elsewhere; this run is discarded")
            }
            Err(e) => tracing::error!(job = %job.id, error = %e, "cannot record a finished query"),
        }
    }

    /// Deletes uploads and results of jobs finished before the retention period.
    fn sweep(&self) {
        let cutoff =
            timestamp(self.clock.now() - time::Duration::days(i64::from(self.retention_days)));
        match self.store.expire_jobs(&cutoff) {
            Ok(ids) => {
                for id in &ids {
                    uploads::delete_job_files(&self.dir, id);
                }
                if !ids.is_empty() {
                    tracing::info!(expired = ids.len(), "query files past retention deleted");
                }
            }
            Err(e) => tracing::error!(error = %e, "retention sweep failed"),
        }
        // Follow-up cases hold personal data too: the same retention.
        match crate::retention::purge_cases(
            self.store.as_ref(),
            self.clock.now(),
            self.retention_days,
        ) {
            Ok(ids) if !ids.is_empty() => {
                tracing::info!(purged = ids.len(), "closed cases past retention purged")
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "case retention sweep failed"),
        }
    }
}
