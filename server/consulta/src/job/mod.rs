//! A Consulta Social job from workbook to result workbook: what the FIFO
//! queue runs for each upload, and what `padron-server match` runs alone.
//!
//! ```text
//! let workbook = workbook::read_workbook(&bytes)?;          // refusals happen here, before queueing
//! let registry = Registry::open(data_dir)?;                   // open per job: picks up re-imports
//! let done = job::run_job(&registry, &workbook, "file.xlsx", clock.now(), &mut |done, total| { … })?;
//! std::fs::write(result_path, &done.xlsx)?;
//! ```

use std::time::Instant;

use padron_shared::ErrorCode;
use time::OffsetDateTime;

use crate::matching::engine::MatchingSettings;
use crate::matching::engine::RowOutcome;
use crate::matching::{Decision, Engine};
use crate::queries::{QueryMode, QueryRow, QueryWorkbook, RowQuery, WorkbookError};
use crate::registry::store::{Registry, StoreError};
use crate::results::{JobFacts, counts, duplicate_counts, duplicates, write_results};

/// Why a job failed.
#[derive(Debug, thiserror::Error)]
pub enum ConsultaError {
    /// The workbook could not be read as a query.
    #[error("{0}")]
    Workbook(#[from] WorkbookError),
    /// The registry store could not be opened or read.
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error(
        "no se pudo escribir el libro de resultados / could not write the result workbook: {0}"
    )]
    /// The result workbook could not be written.
    Write(#[from] rust_xlsxwriter::XlsxError),
    /// Reading or writing a file of the job failed.
    #[error("error de entrada/salida / I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A matching thread panicked; the job's result would be incomplete.
    #[error("un hilo del motor se interrumpió / an engine thread panicked")]
    Panicked,
}

impl ConsultaError {
    /// The stable error code for a person: the cause's for a workbook or store, `INTERNAL` otherwise.
    pub fn code(&self) -> ErrorCode {
        match self {
            ConsultaError::Workbook(e) => e.code(),
            ConsultaError::Store(e) => e.code(),
            ConsultaError::Write(_) | ConsultaError::Io(_) | ConsultaError::Panicked => {
                ErrorCode::Internal
            }
        }
    }
}

/// A finished job.
#[derive(Debug, Clone)]
pub struct JobResult {
    /// The result workbook (xlsx).
    pub xlsx: Vec<u8>,
    /// By CUI or by names.
    pub mode: QueryMode,
    /// Query rows processed.
    pub rows: usize,
    /// Rows by result, in `RowOutcome::ALL` order.
    pub counts: [usize; 5],
    /// Rows that resolved to a person another row of the workbook resolved to.
    pub duplicate_rows: usize,
    /// Rows whose person is registered as deceased (what a social
    /// programme needs most: payments to stop).
    pub deceased: usize,
    /// The first rows that need a person's look, for the kiosk's preview.
    pub attention: Vec<padron_shared::queries::AttentionRow>,
    /// How long matching and writing took, in seconds.
    pub seconds: f64,
}

/// Rows between two progress reports.
const PROGRESS_EVERY: usize = 250;

fn decide(engine: &mut Engine<'_>, row: &QueryRow) -> Result<Decision, StoreError> {
    if let Some(problem) = &row.problem {
        return Ok(Decision::rejected(problem.clone()));
    }
    match &row.query {
        RowQuery::Cui(text) => engine.by_cui(text),
        RowQuery::Names(q) => engine.by_names(q),
    }
}

/// Matches every row of a parsed workbook against the registry and writes
/// the result workbook. `progress(done, total)` is called as rows finish
/// (from the calling thread). Names rows are shared between two threads,
/// each with its own connection to the same registry file.
pub fn run_job(
    registry: &Registry,
    workbook: &QueryWorkbook,
    input_name: &str,
    started_at: OffsetDateTime,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<JobResult, ConsultaError> {
    run_job_with(
        registry,
        MatchingSettings::default(),
        workbook,
        input_name,
        started_at,
        progress,
    )
}

/// [`run_job`] with the installation's matching settings (`[matching]` of server.toml).
pub fn run_job_with(
    registry: &Registry,
    settings: MatchingSettings,
    workbook: &QueryWorkbook,
    input_name: &str,
    started_at: OffsetDateTime,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<JobResult, ConsultaError> {
    // Elapsed time is measured here (a duration, not a date); the date the
    // job started is the caller's, whose clock may be a test's.
    let started = Instant::now();
    let started_at = started_at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let total = workbook.rows.len();
    let decisions: Vec<Decision> = match workbook.mode {
        QueryMode::Cui => {
            // Looking CUIs up in ascending order walks the registry's B-tree
            // from left to right: neighbouring lookups share pages.
            let mut order: Vec<usize> = (0..total).collect();
            let key = |i: usize| match &workbook.rows[i].query {
                RowQuery::Cui(text) => padron_shared::Cui::parse(text)
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
                RowQuery::Names(_) => String::new(),
            };
            let keys: Vec<String> = (0..total).map(key).collect();
            order.sort_by(|a, b| keys[*a].cmp(&keys[*b]));
            let mut engine = Engine::with_settings(registry, settings);
            let mut out: Vec<Option<Decision>> = vec![None; total];
            for (n, i) in order.into_iter().enumerate() {
                out[i] = Some(decide(&mut engine, &workbook.rows[i])?);
                if (n + 1).is_multiple_of(PROGRESS_EVERY) {
                    progress(n + 1, total);
                }
            }
            out.into_iter()
                .map(|d| d.unwrap_or_else(|| Decision::rejected("sin procesar")))
                .collect()
        }
        QueryMode::Names => {
            let half = total.div_ceil(2);
            let (first, second) = workbook.rows.split_at(half);
            let path = registry.path().to_owned();
            let done = std::sync::atomic::AtomicUsize::new(0);
            std::thread::scope(|s| -> Result<Vec<Decision>, ConsultaError> {
                let helper = s.spawn(|| -> Result<Vec<Decision>, ConsultaError> {
                    let own = Registry::open_file(&path)?;
                    let mut engine = Engine::with_settings(&own, settings);
                    let mut out = Vec::with_capacity(second.len());
                    for row in second {
                        out.push(decide(&mut engine, row)?);
                        done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    Ok(out)
                });
                let mut engine = Engine::with_settings(registry, settings);
                let mut out = Vec::with_capacity(total);
                for (i, row) in first.iter().enumerate() {
                    out.push(decide(&mut engine, row)?);
                    let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    if (i + 1).is_multiple_of(PROGRESS_EVERY / 5) {
                        progress(d, total);
                    }
                }
                out.extend(helper.join().map_err(|_| ConsultaError::Panicked)??);
                Ok(out)
            })?
        }
    };
    progress(total, total);
    let meta = registry.meta();
    let facts = JobFacts {
        input_name: input_name.to_owned(),
        started_at,
        seconds: started.elapsed().as_secs_f64(),
        registry_persons: meta.persons,
        registry_source: meta.source.clone(),
        registry_imported_at: meta.imported_at.clone(),
        found_probability: settings.found_probability,
    };
    let xlsx = write_results(workbook, &decisions, &facts)?;
    Ok(JobResult {
        xlsx,
        mode: workbook.mode,
        rows: total,
        counts: counts(&decisions),
        duplicate_rows: duplicate_counts(&duplicates(&decisions)).0,
        deceased: decisions
            .iter()
            .filter(|d| d.person.as_ref().is_some_and(|p| p.deceased))
            .count(),
        attention: attention_rows(workbook, &decisions),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The rows a person must look at: not a clean find, or a deceased person.
fn attention_rows(
    workbook: &QueryWorkbook,
    decisions: &[Decision],
) -> Vec<padron_shared::queries::AttentionRow> {
    let name = |p: &crate::registry::record::RegistryRecord| {
        p.given
            .iter()
            .chain([&p.first_surname, &p.second_surname, &p.married_surname])
            .filter(|s| !s.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    };
    workbook
        .rows
        .iter()
        .zip(decisions)
        .filter(|(_, d)| {
            d.outcome != RowOutcome::Encontrado || d.person.as_ref().is_some_and(|p| p.deceased)
        })
        .take(padron_shared::queries::MAX_ATTENTION_ROWS)
        .map(|(row, d)| padron_shared::queries::AttentionRow {
            row: row.row,
            reference: row.reference.clone(),
            outcome: d.outcome.as_str().to_owned(),
            deceased: d.person.as_ref().is_some_and(|p| p.deceased),
            notes: d.notes.clone(),
            candidates: d
                .candidates
                .iter()
                .take(3)
                .map(|c| {
                    format!(
                        "{} · CUI {} · {:.0} %",
                        name(&c.person),
                        c.person.cui,
                        c.probability * 100.0
                    )
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests;
