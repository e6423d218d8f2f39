//! Reading a workbook in a child process, where no input can take the
//! caller down.
//!
//! The caller re-executes its own binary with [`SUBCOMMAND`] as the first
//! argument; that binary's `main` hands over to [`child_main`] before
//! anything else. The child sets `RLIMIT_AS`, `RLIMIT_CPU` and
//! `RLIMIT_CORE` on itself, reads the file from stdin, reads it with
//! [`crate::read`] (xls allowed) and writes the [`crate::wire`] answer on
//! stdout. The parent writes the bytes, reads at most [`MAX_ANSWER_BYTES`]
//! back, kills the child at the wall-clock deadline, and turns any crash,
//! signal, kill or limit into a [`Refusal`] with its code.

use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::limits::MAX_FILE_BYTES;
use crate::{Limits, Refusal, Workbook, wire};

/// The hidden first argument that makes a binary the parsing child.
pub const SUBCOMMAND: &str = "__parse-workbook";

/// Largest answer the parent reads from the child.
pub const MAX_ANSWER_BYTES: u64 = 160 * 1024 * 1024;

/// Most of the child's stderr kept (to tell an allocation failure).
const MAX_STDERR: u64 = 16 * 1024;

/// The child's resource limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxLimits {
    /// `RLIMIT_AS`, bytes.
    pub address_space: u64,
    /// `RLIMIT_CPU`, seconds.
    pub cpu_seconds: u64,
    /// Killed after this long, whatever it is doing.
    pub wall: Duration,
}

impl Default for SandboxLimits {
    fn default() -> SandboxLimits {
        SandboxLimits {
            address_space: 1024 * 1024 * 1024,
            cpu_seconds: 30,
            wall: Duration::from_secs(60),
        }
    }
}

/// The child's side. `args` are the arguments after [`SUBCOMMAND`].
/// Returns the process exit status.
pub fn child_main(args: &[String]) -> i32 {
    let mut address_space = SandboxLimits::default().address_space;
    let mut cpu = SandboxLimits::default().cpu_seconds;
    let mut wall = SandboxLimits::default().wall.as_secs();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().and_then(|v| v.parse::<u64>().ok());
        match (flag.as_str(), value) {
            ("--as", Some(v)) => address_space = v,
            ("--cpu", Some(v)) => cpu = v,
            ("--wall", Some(v)) => wall = v,
            _ => {
                eprintln!("{SUBCOMMAND}: bad arguments");
                return 2;
            }
        }
    }
    // On itself, before reading a byte: if a limit cannot be set, nothing is read.
    let limited = rlimit::setrlimit(rlimit::Resource::CORE, 0, 0)
        .and_then(|()| rlimit::setrlimit(rlimit::Resource::CPU, cpu, cpu.saturating_add(1)))
        .and_then(|()| rlimit::setrlimit(rlimit::Resource::AS, address_space, address_space));
    if let Err(e) = limited {
        eprintln!("{SUBCOMMAND}: cannot set resource limits: {e}");
        return 3;
    }
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin()
        .lock()
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
    {
        eprintln!("{SUBCOMMAND}: stdin: {e}");
        return 4;
    }
    let limits = Limits {
        allow_xls: true,
        time: Duration::from_secs(wall),
        ..Limits::default()
    };
    let answer = wire::encode(&crate::read(&bytes, &limits));
    drop(bytes);
    let mut out = std::io::stdout().lock();
    if out.write_all(&answer).and_then(|()| out.flush()).is_err() {
        return 5;
    }
    // The parse's own peak memory, for the parent's log and figures.
    if let Some(kb) = peak_rss_kb() {
        eprintln!("{PEAK_PREFIX}{kb}");
    }
    0
}

const PEAK_PREFIX: &str = "padron-parse peak_rss_kb=";

/// VmHWM of this process, KiB.
fn peak_rss_kb() -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// What became of a child, for the caller's log and figures.
#[derive(Debug, Clone)]
pub struct ChildReport {
    /// Wall-clock time from start to end of the child.
    pub elapsed: Duration,
    /// How it ended (`exit 0`, `signal 9`, `killed at the deadline`).
    pub ended: String,
    /// The child's peak RSS, bytes, when it finished normally.
    pub peak_rss: Option<u64>,
}

/// Reads `bytes` in a child `exe SUBCOMMAND …` under `limits`.
pub fn parse_in_child(
    exe: &Path,
    bytes: &[u8],
    limits: &SandboxLimits,
) -> (Result<Workbook, Refusal>, ChildReport) {
    let started = Instant::now();
    let report = |ended: String| ChildReport {
        elapsed: started.elapsed(),
        ended,
        peak_rss: None,
    };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return (
            Err(Refusal::TooLarge(bytes.len() as u64)),
            report("not started".into()),
        );
    }
    let spawned = Command::new(exe)
        .arg(SUBCOMMAND)
        .args(["--as", &limits.address_space.to_string()])
        .args(["--cpu", &limits.cpu_seconds.to_string()])
        .args(["--wall", &limits.wall.as_secs().to_string()])
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            return (
                Err(Refusal::ParseFailed(format!(
                    "no se pudo iniciar el lector / cannot start the reader: {e}"
                ))),
                report("not started".into()),
            );
        }
    };
    let (mut stdin, mut stdout, mut stderr) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take());
    let deadline = started + limits.wall;
    let (status, killed, answer, errors) = std::thread::scope(|s| {
        s.spawn(move || {
            if let Some(mut w) = stdin.take() {
                // A child that stops reading (a refusal, a crash) closes the
                // pipe: that is not an error here.
                let _ = w.write_all(bytes);
            }
        });
        let out = s.spawn(move || {
            let mut buf = Vec::new();
            if let Some(r) = stdout.take() {
                let _ = r.take(MAX_ANSWER_BYTES + 1).read_to_end(&mut buf);
            }
            buf
        });
        let err = s.spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut r) = stderr.take() {
                let _ = (&mut r).take(MAX_STDERR).read_to_end(&mut buf);
                // Drain the rest so the child never blocks on a full pipe.
                let _ = std::io::copy(&mut r, &mut std::io::sink());
            }
            buf
        });
        let mut killed = false;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() >= deadline && !killed => {
                    let _ = child.kill();
                    killed = true;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                Err(_) => break None,
            }
        };
        let answer = out.join().unwrap_or_default();
        let errors = err.join().unwrap_or_default();
        (status, killed, answer, errors)
    });
    let errors = String::from_utf8_lossy(&errors);
    let Some(status) = status else {
        return (
            Err(Refusal::ParseFailed(
                "estado del lector desconocido / unknown reader status".into(),
            )),
            report("unknown".into()),
        );
    };
    if killed {
        return (
            Err(Refusal::TooSlow(limits.wall.as_secs())),
            report("killed at the deadline".into()),
        );
    }
    if let Some(signal) = status.signal() {
        let refusal = match signal {
            // RLIMIT_CPU: SIGXCPU at the soft limit, SIGKILL at the hard one.
            24 | 9 => Refusal::ParseLimit("CPU".into()),
            // An allocation refused under RLIMIT_AS aborts.
            6 if errors.contains("memory allocation") => {
                Refusal::ParseLimit("memoria / memory".into())
            }
            s => Refusal::ParseFailed(format!("señal / signal {s}")),
        };
        return (refusal_result(refusal), report(format!("signal {signal}")));
    }
    if !status.success() {
        let code = status.code().unwrap_or(-1);
        let refusal = if errors.contains("memory allocation") {
            Refusal::ParseLimit("memoria / memory".into())
        } else {
            Refusal::ParseFailed(format!("salida / exit {code}"))
        };
        return (refusal_result(refusal), report(format!("exit {code}")));
    }
    if answer.len() as u64 > MAX_ANSWER_BYTES {
        return (
            Err(Refusal::ParseLimit(
                "respuesta demasiado grande / answer too large".into(),
            )),
            report("exit 0".into()),
        );
    }
    let finished = ChildReport {
        peak_rss: errors
            .lines()
            .find_map(|l| l.strip_prefix(PEAK_PREFIX))
            .and_then(|kb| kb.trim().parse::<u64>().ok())
            .map(|kb| kb * 1024),
        ..report("exit 0".into())
    };
    match wire::decode(&answer) {
        Ok(result) => (result, finished),
        Err(e) => (
            Err(Refusal::ParseFailed(e.to_string())),
            report("exit 0".into()),
        ),
    }
}

fn refusal_result(r: Refusal) -> Result<Workbook, Refusal> {
    Err(r)
}
