//! Every hostile file of the suite, read in this process with the default
//! limits and in the sandboxed child: each is a refusal with its code or a
//! read within the bounds, and none takes the process down.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "support/hostile.rs"]
mod hostile;

use std::time::Instant;

use hostile::{Expect, suite};
use padron_consulta::sandbox::{SandboxLimits, parse_in_child};
use padron_consulta::{Limits, Refusal, read};

const XLS: &[u8] = include_bytes!("fixtures/consulta_cui.xls");

fn outcome(r: &Result<padron_consulta::Workbook, Refusal>) -> String {
    match r {
        Ok(wb) => format!("{} rows", wb.rows.len()),
        Err(e) => e.code().as_str().to_owned(),
    }
}

fn check(name: &str, expect: Expect, r: &Result<padron_consulta::Workbook, Refusal>) {
    match (expect, r) {
        (Expect::Rows(n), Ok(wb)) => assert_eq!(wb.rows.len(), n, "{name}"),
        (Expect::Refused("ANY"), _) => {}
        (Expect::Refused(code), Err(e)) => assert_eq!(e.code().as_str(), code, "{name}: {e}"),
        (expect, got) => panic!("{name}: expected {expect:?}, got {}", outcome(got)),
    }
}

#[test]
fn in_process() {
    for case in suite(XLS) {
        let started = Instant::now();
        let r = read(&case.bytes, &Limits::default());
        println!(
            "{:<50} {:>9} bytes  {:<28} {:>6} ms",
            case.name,
            case.bytes.len(),
            outcome(&r),
            started.elapsed().as_millis()
        );
        if case.sandbox_only {
            assert_eq!(r.unwrap_err(), Refusal::XlsNeedsIsolation, "{}", case.name);
        } else {
            check(case.name, case.expect, &r);
        }
    }
}

#[test]
fn in_the_sandbox() {
    let exe = std::path::Path::new(env!("CARGO_BIN_EXE_padron-parse"));
    for case in suite(XLS) {
        let (r, report) = parse_in_child(exe, &case.bytes, &SandboxLimits::default());
        println!(
            "{:<50} {:<28} {:>6} ms  {:<10} peak {:?} MiB",
            case.name,
            outcome(&r),
            report.elapsed.as_millis(),
            report.ended,
            report.peak_rss.map(|b| b >> 20)
        );
        check(case.name, case.expect, &r);
    }
}

#[test]
fn the_sandbox_turns_limits_into_refusals() {
    let exe = std::path::Path::new(env!("CARGO_BIN_EXE_padron-parse"));
    // 12 MB of address space: the reader streams, but not in that little.
    let tight = SandboxLimits {
        address_space: 12 * 1024 * 1024,
        ..SandboxLimits::default()
    };
    let (r, report) = parse_in_child(exe, &hostile::long_cells_49999(), &tight);
    let code = r
        .as_ref()
        .map(|_| "read")
        .unwrap_or_else(|e| e.code().as_str());
    assert!(
        matches!(code, "WORKBOOK_PARSE_LIMIT" | "WORKBOOK_PARSE_FAILED"),
        "{code} {report:?}"
    );
    // A wall clock of zero seconds: killed at once.
    let hasty = SandboxLimits {
        wall: std::time::Duration::ZERO,
        ..SandboxLimits::default()
    };
    let (r, _) = parse_in_child(exe, &hostile::valid(10), &hasty);
    assert_eq!(r.unwrap_err().code().as_str(), "WORKBOOK_TOO_SLOW");
    // A binary that is not there.
    let (r, _) = parse_in_child(
        std::path::Path::new("/nonexistent/padron"),
        &hostile::valid(1),
        &SandboxLimits::default(),
    );
    assert_eq!(r.unwrap_err().code().as_str(), "WORKBOOK_PARSE_FAILED");
}

#[test]
fn the_wire_round_trips() {
    let wb = read(&hostile::valid(5), &Limits::default()).unwrap();
    let back = padron_consulta::wire::decode(&padron_consulta::wire::encode(&Ok(wb.clone())))
        .unwrap()
        .unwrap();
    assert_eq!(back, wb);
    let refusal = Refusal::TooManyRows {
        mode: padron_consulta::Mode::Names,
        rows: 3001,
        limit: 3000,
    };
    let back = padron_consulta::wire::decode(&padron_consulta::wire::encode(&Err(refusal.clone())))
        .unwrap();
    assert_eq!(back, Err(refusal));
    assert!(padron_consulta::wire::decode(b"PWB1\x00\x00").is_err());
}
