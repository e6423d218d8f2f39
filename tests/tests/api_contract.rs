//! The API contract: the OpenAPI document the server serves is the one
//! committed (docs/openapi.json), and Schemathesis, run against a live
//! server over mutual TLS with the session of a real card login, finds no
//! server error, no response outside the document and no refusal that is
//! not an `ErrorBody` with a known code (the document lists the codes).
//! Seeded and time-boxed, so a run is reproducible and bounded.
#![allow(clippy::unwrap_used)] // test: a failed unwrap is a failed test

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use padron_tests::consulta::registry;
use padron_tests::fixture::Env;
use padron_tests::{Server, set_server_config};

/// Seconds Schemathesis may spend in each of its two runs.
const MAX_SECONDS: u64 = 75;
const SEED: &str = "20261202";

fn schemathesis() -> PathBuf {
    let venv = std::env::var_os("PADRON_SCHEMATHESIS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/opt/padron-dev/schemathesis"));
    let bin = venv.join("bin/schemathesis");
    assert!(
        bin.is_file(),
        "{} is missing: run packaging/dev/setup.sh (it installs schemathesis in a venv)",
        bin.display()
    );
    bin
}

fn committed_document() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json"))
        .expect("docs/openapi.json")
}

/// Runs Schemathesis with `extra` arguments; panics with its output unless
/// it passes within the time box.
fn run(env: &Env, schema: &str, token: &str, extra: &[&str], name: &str) {
    let bundle = env.inst.tmp.path().join("bundle-MIDES-Central");
    let ca = env.inst.data.join("pki/server-ca.crt");
    // Kept after the test, for the failures' details.
    let report = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("schemathesis-{name}"));
    let auth = format!("Authorization: Bearer {token}");
    let mut cmd = Command::new(schemathesis());
    cmd.arg("run")
        .arg(schema)
        .args(["--url", &env.server.url()])
        .args([
            "--request-cert",
            bundle.join("workstation.crt").to_str().unwrap(),
        ])
        .args([
            "--request-cert-key",
            bundle.join("workstation.key").to_str().unwrap(),
        ])
        .args(["--tls-verify", ca.to_str().unwrap()])
        .args(["-H", &auth])
        .args(["--checks", "all"])
        // A schema-valid login token is still not a card's signature, and a
        // schema-valid workbook is bytes, not a spreadsheet: refusing them
        // is the point, so "valid data must be accepted" cannot hold here.
        .args(["--exclude-checks", "positive_data_acceptance"])
        .args(["--seed", SEED, "--generation-database", "none"])
        .args(["--max-time", &MAX_SECONDS.to_string()])
        .args(["--max-examples", "40"])
        .args(["--workers", "1", "--request-timeout", "30"])
        .args(["--no-color"])
        .args([
            "--report",
            "junit",
            "--report-dir",
            report.to_str().unwrap(),
        ])
        .args(extra)
        .current_dir(env.inst.tmp.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let child = cmd.spawn().expect("start schemathesis");
    let pid = child.id();
    // A hard stop beyond the time box (schemathesis' own --max-time governs).
    let watchdog = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(MAX_SECONDS + 90));
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    });
    let out = child.wait_with_output().unwrap();
    drop(watchdog);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "schemathesis ({name}) failed after {:.0} s:\n{text}\n--- server log ---\n{}",
        started.elapsed().as_secs_f64(),
        env.server.log()
    );
    eprintln!(
        "schemathesis ({name}) passed in {:.0} s:\n{text}",
        started.elapsed().as_secs_f64()
    );
    assert!(
        !text.contains(" errored"),
        "schemathesis ({name}) had errors:\n{text}"
    );
}

#[test]
fn schemathesis_finds_no_server_error_and_nothing_outside_the_document() {
    let mut env = Env::new();
    registry(&env, "300");
    // Rate limits have their own tests; here they would turn most of the
    // fuzzing into 429s before it reaches the handlers.
    for (key, value) in [
        ("challenge_burst", "100000"),
        ("challenge_per_minute", "100000"),
        ("login_burst", "100000"),
        ("login_per_minute", "100000"),
        ("upload_burst", "100000"),
        ("upload_per_minute", "100000"),
        ("download_burst", "100000"),
        ("download_per_minute", "100000"),
        ("max_outstanding_challenges", "100000"),
    ] {
        set_server_config(&env.inst.data, key, value);
    }
    env.server.terminate();
    env.server = Server::start(&env.inst.data);
    let ana = env.coordinator();
    let session = env.login(&env.ws1, &ana);

    // What the server serves is what is committed.
    let served: serde_json::Value = env
        .ws1
        .get(env.url("/v1/openapi.json"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let committed: serde_json::Value = serde_json::from_str(&committed_document()).unwrap();
    assert_eq!(served, committed, "served and committed documents differ");
    let schema = env.inst.tmp.path().join("openapi.json");
    std::fs::write(&schema, committed_document()).unwrap();
    let schema = schema.to_str().unwrap();

    // Everything but logout (which would end the session the rest needs),
    // all phases: examples, coverage, fuzzing and stateful (the upload's
    // links to its status and result).
    run(
        &env,
        schema,
        &session.token,
        &["--exclude-operation-id", "logout"],
        "all",
    );
    // Then logout on its own, last.
    run(
        &env,
        schema,
        &session.token,
        &[
            "--include-operation-id",
            "logout",
            "--phases",
            "coverage,fuzzing",
        ],
        "logout",
    );
    // The server is still up and well.
    let health = env.ws1.get(env.url("/v1/health")).send().unwrap();
    assert_eq!(health.status(), 200);
}
