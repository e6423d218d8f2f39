//! Untrusted workbooks are read in a child process: this binary re-executed
//! as `padron-server __parse-workbook` (see `padron_consulta::sandbox`),
//! with `RLIMIT_AS`, `RLIMIT_CPU` and a wall-clock timeout from
//! `server.toml` `[parsing]`. A crash, a kill or a limit reached is a
//! refusal with its code; the server process itself never parses.
//!
//! At most `concurrent` children run at once (one gate for the upload
//! handler and the queue worker of this process). An upload waits at most
//! `wait_seconds` for its turn, then gets `WORKBOOK_PARSER_BUSY` (503); the
//! queue worker waits as long as it takes.

use std::path::PathBuf;
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use padron_consulta::sandbox::{SandboxLimits, parse_in_child};

use crate::datadir::{DataDir, ParsingConfig};
use padron_consulta::queries::{QueryWorkbook, WorkbookError, queries};

/// How long a caller waits for a free parser.
#[derive(Debug, Clone, Copy)]
pub enum Wait {
    /// The configured bound, then [`WorkbookError::Busy`].
    Bounded,
    /// Until one is free (the queue worker: the job is already accepted).
    Forever,
}

/// The sandboxed reader of this process.
#[derive(Debug)]
pub struct Parser {
    exe: Option<PathBuf>,
    limits: SandboxLimits,
    wait: Duration,
    concurrent: usize,
    running: Mutex<usize>,
    freed: Condvar,
}

static PARSER: OnceLock<Parser> = OnceLock::new();

impl Parser {
    pub fn new(config: &ParsingConfig) -> Parser {
        Parser {
            exe: std::env::current_exe().ok(),
            limits: SandboxLimits {
                address_space: config.address_space_mib.saturating_mul(1024 * 1024),
                cpu_seconds: config.cpu_seconds.max(1),
                wall: Duration::from_secs(config.wall_seconds.max(1)),
            },
            wait: Duration::from_secs(config.wait_seconds),
            concurrent: config.concurrent.max(1),
            running: Mutex::new(0),
            freed: Condvar::new(),
        }
    }

    /// The parser of this server process, configured from `dir`'s
    /// `server.toml` on first use (defaults if it cannot be read).
    pub fn of(dir: &DataDir) -> &'static Parser {
        PARSER.get_or_init(|| {
            let config = dir.config().map(|c| c.parsing).unwrap_or_default();
            Parser::new(&config)
        })
    }

    /// Reads `bytes` in a child process.
    pub fn parse(&self, bytes: &[u8], wait: Wait) -> Result<QueryWorkbook, WorkbookError> {
        let Some(exe) = &self.exe else {
            return Err(WorkbookError::ParseFailed(
                "no se conoce el ejecutable del servidor / server executable unknown".into(),
            ));
        };
        let _turn = self.turn(wait).inspect_err(count_refusal)?;
        let (result, report) = parse_in_child(exe, bytes, &self.limits);
        if let Err(e) = &result {
            count_refusal(e);
        }
        let outcome = match &result {
            Ok(wb) => format!("{} rows", wb.rows.len()),
            Err(e) => e.code().as_str().to_owned(),
        };
        tracing::info!(
            bytes = bytes.len(),
            outcome,
            ended = report.ended,
            ms = report.elapsed.as_millis() as u64,
            child_peak_mib = report.peak_rss.map(|b| b >> 20),
            "workbook read in a child process"
        );
        result.map(queries)
    }

    fn turn(&self, wait: Wait) -> Result<Turn<'_>, WorkbookError> {
        let deadline = Instant::now() + self.wait;
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        while *running >= self.concurrent {
            let left = match wait {
                Wait::Forever => Duration::from_secs(3600),
                Wait::Bounded => deadline.saturating_duration_since(Instant::now()),
            };
            if left.is_zero() {
                return Err(WorkbookError::Busy);
            }
            running = self
                .freed
                .wait_timeout(running, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        *running += 1;
        Ok(Turn(self))
    }
}

/// A running parse; frees its place when dropped.
struct Turn<'a>(&'a Parser);

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut running = self.0.running.lock().unwrap_or_else(|p| p.into_inner());
        *running = running.saturating_sub(1);
        self.0.freed.notify_one();
    }
}

/// `padron-server __parse-workbook …`: the child's side. Returns the exit status.
pub fn child_main(args: &[String]) -> i32 {
    padron_consulta::sandbox::child_main(args)
}

fn count_refusal(e: &WorkbookError) {
    metrics::counter!(crate::metrics::names::PARSE_REFUSALS, "code" => e.code().as_str())
        .increment(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gate_bounds_the_wait() {
        let parser = Parser::new(&ParsingConfig {
            concurrent: 1,
            wait_seconds: 0,
            ..ParsingConfig::default()
        });
        let first = parser.turn(Wait::Bounded).unwrap();
        assert!(matches!(
            parser.turn(Wait::Bounded),
            Err(WorkbookError::Busy)
        ));
        drop(first);
        assert!(parser.turn(Wait::Bounded).is_ok());
    }
}
