//! Hostile workbooks against the real server: every file of the hostile
//! suite (`server/consulta/tests/support/hostile.rs`) through the upload
//! endpoint of a running server, through `padron-server match`, and through
//! the agent's pre-check (in process and in its sandboxed child). Each is a
//! refusal with its code or is processed within bounds; another workstation
//! is served during the attack and after each file; the server's peak RSS
//! stays under its idle level + 512 MB. The table of figures is printed
//! (`--nocapture`).
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "../../server/consulta/tests/support/hostile.rs"]
mod hostile;

use padron_shared::queries::JobState;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hostile::{Expect, suite};
use padron_consulta::sandbox::{SandboxLimits, parse_in_child};
use padron_tests::consulta::{registry, upload, user_token, wait_done};
use padron_tests::fixture::Env;
use padron_tests::{Server, bin, path_str, stderr};

const XLS: &[u8] = include_bytes!("../../server/consulta/tests/fixtures/consulta_cui.xls");
const MIB: u64 = 1024 * 1024;

/// VmHWM (peak) and VmRSS of a process, bytes.
fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|kb| kb.parse::<u64>().ok())
            .unwrap_or(0)
            * 1024
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Resets a process's peak RSS to its current RSS (Linux `clear_refs` 5).
fn reset_peak(pid: u32) {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").unwrap();
}

fn whoami(env: &Env) -> bool {
    env.ws2
        .get(env.url("/v1/whoami"))
        .send()
        .is_ok_and(|r| r.status().is_success())
}

fn matches(expect: Expect, outcome: &str) -> bool {
    match expect {
        Expect::Refused(code) => outcome == code,
        Expect::Rows(n) => outcome == format!("{n} rows"),
    }
}

#[test]
fn hostile_workbooks_through_upload_match_and_precheck() {
    let mut env = Env::new();
    registry(&env, "500");
    // The whole suite comes from one workstation, faster than the default
    // upload rate allows: the rate limit is tested in rate_limits.rs, the
    // parser here.
    env.server.kill_hard();
    padron_tests::set_server_config(&env.inst.data, "upload_burst", "100");
    padron_tests::set_server_config(&env.inst.data, "upload_per_minute", "600");
    env.server = Server::start(&env.inst.data);
    let token = user_token(&env, &env.ws1, 1);
    let pid = env.server.pid();
    // Idle: after start, login and one ordinary upload processed.
    let job = upload(&env, &env.ws1, &token, "ok.xlsx", hostile::valid(3)).unwrap();
    assert_eq!(
        wait_done(&env, &env.ws1, &token, &job.id).state,
        JobState::Done
    );
    let (_, idle) = memory(pid);

    // Another workstation asks all along; every answer must come.
    let stop = AtomicBool::new(false);
    let (served, failed, slowest) = (AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0));
    let mut table = Vec::new();
    std::thread::scope(|s| {
        s.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                if whoami(&env) {
                    served.fetch_add(1, Ordering::Relaxed);
                } else {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
                slowest.fetch_max(t.elapsed().as_millis() as u64, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        for case in suite(XLS) {
            reset_peak(pid);
            let started = Instant::now();
            let outcome = match upload(&env, &env.ws1, &token, "hostil.xlsx", case.bytes.clone()) {
                Ok(job) => {
                    let done = wait_done(&env, &env.ws1, &token, &job.id);
                    assert_eq!(done.state, JobState::Done, "{}: {done:?}", case.name);
                    format!("{} rows", job.rows)
                }
                Err((_, code)) => code,
            };
            let seconds = started.elapsed().as_secs_f64();
            let (peak, _) = memory(pid);
            assert!(
                matches(case.expect, &outcome),
                "upload of {}: expected {:?}, got {outcome}",
                case.name,
                case.expect
            );
            assert!(
                whoami(&env),
                "the server did not answer after {}",
                case.name
            );
            assert!(
                peak < idle + 512 * MIB,
                "{}: server peak RSS {} MiB, idle {} MiB",
                case.name,
                peak / MIB,
                idle / MIB
            );
            table.push((case.name, case.bytes.len(), outcome, peak, seconds));
        }
        stop.store(true, Ordering::Relaxed);
    });
    let (served, failed) = (
        served.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed),
    );
    assert!(
        served > 10 && failed == 0,
        "during the attack: {served} served, {failed} failed"
    );

    println!("\nUpload endpoint (server idle RSS {} MiB)", idle / MIB);
    println!("| file | size | outcome | server peak RSS | time |");
    println!("|---|---:|---|---:|---:|");
    for (name, size, outcome, peak, seconds) in &table {
        println!(
            "| {name} | {} KB | {outcome} | {} MiB (+{} MiB) | {seconds:.2} s |",
            size / 1024,
            peak / MIB,
            peak.saturating_sub(idle) / MIB
        );
    }
    println!(
        "Other workstation during the attack: {served} whoami answered, {failed} failed, slowest {} ms",
        slowest.load(Ordering::Relaxed)
    );

    // `padron-server match`, sandboxed by default: the same outcomes, and
    // the peak RSS of the whole command (`/usr/bin/time`).
    println!("\n`padron-server match`");
    println!("| file | outcome | peak RSS of match | time |");
    println!("|---|---|---:|---:|");
    let dir = env.inst.tmp.path();
    for case in suite(XLS) {
        let input = dir.join("hostil.xlsx");
        let output = dir.join("hostil-resultado.xlsx");
        let _ = std::fs::remove_file(&output);
        std::fs::write(&input, &case.bytes).unwrap();
        let started = Instant::now();
        let out = std::process::Command::new("/usr/bin/time")
            .args(["-f", "maxrss_kb=%M"])
            .arg(bin("padron-server"))
            .args(["match", "--data", env.inst.data()])
            .args(["--input", path_str(&input), "--output", path_str(&output)])
            .env_remove("PADRON_LANG")
            .output()
            .unwrap();
        let seconds = started.elapsed().as_secs_f64();
        let err = stderr(&out);
        let outcome = if out.status.success() {
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            let rows = text
                .split('(')
                .nth(1)
                .and_then(|t| t.split_whitespace().next())
                .unwrap_or_default()
                .to_owned();
            format!("{rows} rows")
        } else {
            err.split('[')
                .nth(1)
                .and_then(|t| t.split(']').next())
                .unwrap_or("no code")
                .to_owned()
        };
        let rss = err
            .lines()
            .find_map(|l| l.strip_prefix("maxrss_kb="))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(0)
            * 1024;
        assert!(
            matches(case.expect, &outcome),
            "match of {}: expected {:?}, got {outcome}\n{err}",
            case.name,
            case.expect
        );
        assert!(
            !err.contains("panicked") && out.status.code().is_some(),
            "{}: {err}",
            case.name
        );
        println!(
            "| {} | {outcome} | {} MiB | {seconds:.2} s |",
            case.name,
            rss / MIB
        );
    }

    // The agent's pre-check: in this process (the bounded reader; xls is
    // refused there) and as the agent runs it, in `padron-agent`'s own
    // sandboxed child.
    println!("\nAgent pre-check");
    println!("| file | in process | padron-agent child | child peak RSS | time (child) |");
    println!("|---|---|---|---:|---:|");
    let agent = bin("padron-agent");
    for case in suite(XLS) {
        let here = match padron_agent::precheck::check(&case.bytes) {
            Ok(r) => format!("{} rows", r.rows),
            Err(e) => e.code().as_str().to_owned(),
        };
        let started = Instant::now();
        let (child, report) = parse_in_child(&agent, &case.bytes, &SandboxLimits::default());
        let child = match child {
            Ok(wb) => format!("{} rows", wb.rows.len()),
            Err(e) => e.code().as_str().to_owned(),
        };
        assert!(
            matches(case.expect, &child),
            "{}: {child} ({report:?})",
            case.name
        );
        if case.sandbox_only {
            assert_eq!(here, "WORKBOOK_XLS_NEEDS_ISOLATION", "{}", case.name);
        } else {
            assert!(matches(case.expect, &here), "{}: {here}", case.name);
        }
        println!(
            "| {} | {here} | {child} | {} | {:.2} s |",
            case.name,
            report
                .peak_rss
                .map_or("(ended by a limit)".to_owned(), |b| format!(
                    "{} MiB",
                    b >> 20
                )),
            started.elapsed().as_secs_f64()
        );
    }
    assert!(whoami(&env));
}

#[test]
fn too_many_parses_at_once_are_told_to_retry() {
    let mut env = Env::new();
    registry(&env, "200");
    let token = user_token(&env, &env.ws1, 1);
    // One parser, no waiting: a second upload during a parse is "busy".
    env.server.kill_hard();
    let config = env.inst.data.join("server.toml");
    // `init` writes the defaults into `[parsing]`.
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.contains("concurrent = 2") && text.contains("wait_seconds = 10"),
        "{text}"
    );
    let text = text
        .replace("concurrent = 2", "concurrent = 1")
        .replace("wait_seconds = 10", "wait_seconds = 0");
    std::fs::write(&config, text).unwrap();
    env.server = Server::start(&env.inst.data);
    let slow = hostile::ods_huge_repeats();
    let codes: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let (env, token, slow) = (&env, &token, slow.clone());
                s.spawn(
                    move || match upload(env, &env.ws1, token, "lento.ods", slow) {
                        Ok(_) => "accepted".to_owned(),
                        Err((status, code)) => format!("{status} {code}"),
                    },
                )
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(
        codes.iter().any(|c| c == "503 WORKBOOK_PARSER_BUSY"),
        "{codes:?}"
    );
    assert!(
        codes
            .iter()
            .all(|c| c == "503 WORKBOOK_PARSER_BUSY" || c == "413 WORKBOOK_TOO_MANY_CELLS"),
        "{codes:?}"
    );
    assert!(whoami(&env));
    let body: serde_json::Value = env
        .ws1
        .post(env.url("/v1/queries?name=x.xlsx"))
        .bearer_auth(&token)
        .header("Accept-Language", "en")
        .body(hostile::valid(1))
        .send()
        .unwrap()
        .json()
        .unwrap();
    // Idle again by now: processed normally.
    assert!(body.get("code").is_none(), "{body}");
}
