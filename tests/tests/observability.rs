//! Watching the service: the Prometheus listener after real traffic
//! (checked by `promtool check metrics`, Prometheus' own linter), JSON logs,
//! and one request id per request carried into its audit entries.
#![allow(clippy::unwrap_used)] // test: a failed unwrap is a failed test

use padron_shared::queries::JobState;
use std::collections::HashMap;
use std::process::{Command, Stdio};

use padron_tests::consulta::{registry, upload, user_token, wait_done};
use padron_tests::fixture::Env;
use padron_tests::https_client;
use padron_tests::workbooks::{cui_workbook, registry_cuis};

const METRICS: &str = "[metrics]\nlisten = \"127.0.0.1:0\"\n";

fn scrape(env: &Env) -> String {
    let port = env
        .server
        .metrics_port
        .expect("the server printed its metrics address");
    let response = reqwest::blocking::get(format!("http://127.0.0.1:{port}/metrics")).unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    response.text().unwrap()
}

/// `name{labels}` → value, for every sample line.
fn samples(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            Some((series.to_owned(), value.parse().ok()?))
        })
        .collect()
}

fn value(all: &HashMap<String, f64>, series: &str) -> f64 {
    *all.get(series).unwrap_or_else(|| {
        let mut names: Vec<_> = all.keys().collect();
        names.sort();
        panic!("no series {series}; have:\n{names:#?}")
    })
}

/// Runs `promtool check metrics` on the exposition; returns its output.
fn promtool(text: &str) -> (bool, String) {
    use std::io::Write;
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool (Debian package prometheus; packaging/dev/setup.sh installs it)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn metrics_after_real_traffic_pass_promtool_and_moved() {
    let env = Env::with_config(METRICS);
    let csv = registry(&env, "500");
    let before = samples(&scrape(&env));
    assert_eq!(value(&before, "padron_registry_persons"), 500.0);
    assert!(value(&before, "padron_registry_import_timestamp_seconds") > 1.7e9);

    // Traffic: logins (coordinator and user), a refused login, a CUI job
    // through the queue, a workbook the reader refuses, a handshake
    // without a certificate.
    let token = user_token(&env, &env.ws1, 1);
    let nonce = env.challenge(&env.ws1);
    let mut bad = env.coordinator().login_token(&env.fingerprint, &nonce);
    bad.nonce = "AAAA".into();
    let refused = env.try_login(&env.ws1, &bad).unwrap_err();
    let cuis = registry_cuis(&csv, 12);
    let job = upload(
        &env,
        &env.ws1,
        &token,
        "a.xlsx",
        cui_workbook(&cuis, "Bolsa"),
    )
    .unwrap();
    assert_eq!(
        wait_done(&env, &env.ws1, &token, &job.id).state,
        JobState::Done
    );
    assert_eq!(
        upload(&env, &env.ws1, &token, "x.xlsx", b"not a workbook".to_vec()).unwrap_err(),
        (400, "WORKBOOK_UNREADABLE".to_owned())
    );
    let ca = std::fs::read(env.inst.data.join("pki/server-ca.crt")).unwrap();
    assert!(
        https_client(&ca, None)
            .get(env.url("/v1/health"))
            .send()
            .is_err()
    );
    env.server.wait_for_log("TLS handshake refused");
    let checkpoint = env.inst.tmp.path().join("checkpoint.json");
    padron_tests::ok(
        "padron-server",
        &[
            "audit",
            "checkpoint",
            "--data",
            env.inst.data(),
            "--out",
            checkpoint.to_str().unwrap(),
        ],
    );

    let text = scrape(&env);
    let (clean, lint) = promtool(&text);
    assert!(
        clean && lint.trim().is_empty(),
        "promtool check metrics:\n{lint}\n{text}"
    );
    let after = samples(&text);
    let v = |s: &str| value(&after, s);
    assert_eq!(v("padron_logins_total"), 2.0, "coordinator and user");
    assert_eq!(
        v(&format!(
            "padron_login_refusals_total{{code=\"{refused}\"}}"
        )),
        1.0
    );
    assert_eq!(
        v(r#"padron_http_requests_total{method="POST",route="/v1/auth/login",status="200"}"#),
        2.0
    );
    assert!(
        v(r#"padron_http_requests_total{method="GET",route="/v1/queries/{id}",status="200"}"#)
            >= 1.0
    );
    assert_eq!(
        v(r#"padron_http_refusals_total{route="/v1/queries",code="WORKBOOK_UNREADABLE"}"#),
        1.0
    );
    assert!(
        v(r#"padron_http_request_duration_seconds_count{method="POST",route="/v1/queries"}"#)
            >= 2.0
    );
    assert!(
        after
            .keys()
            .any(|k| k.starts_with("padron_http_request_duration_seconds_bucket{")),
        "a histogram, not a summary"
    );
    assert!(v(r#"padron_tls_handshakes_refused_total{reason="no_certificate"}"#) >= 1.0);
    assert!(
        v("padron_tls_handshakes_total") >= 1.0,
        "one kept-alive connection at least"
    );
    assert_eq!(
        v(r#"padron_workbook_parse_refusals_total{code="WORKBOOK_UNREADABLE"}"#),
        1.0
    );
    assert_eq!(
        v(r#"padron_query_rows_total{mode="CUI",result="ENCONTRADO"}"#),
        12.0
    );
    assert_eq!(v(r#"padron_queue_wait_seconds_count{mode="CUI"}"#), 1.0);
    assert_eq!(
        v(r#"padron_queue_job_duration_seconds_count{mode="CUI"}"#),
        1.0
    );
    assert_eq!(v(r#"padron_queue_depth{mode="CUI"}"#), 0.0);
    assert!(v("padron_sessions_open") >= 2.0);
    assert!(v("padron_database_held_seconds_count") > 10.0);
    assert!(v("padron_database_wait_seconds_count") > 10.0);
    assert!(v("padron_audit_entries") > value(&before, "padron_audit_entries"));
    let age = v("padron_audit_checkpoint_age_seconds");
    assert!((0.0..60.0).contains(&age), "{age}");
    assert_eq!(v("padron_audit_entries_since_checkpoint"), 0.0);
}

#[test]
fn the_metrics_listener_is_off_unless_configured_and_loopback_only() {
    let env = Env::new();
    assert_eq!(env.server.metrics_port, None);
    let data = env.inst.data.clone();
    let mut config = std::fs::read_to_string(data.join("server.toml")).unwrap();
    assert!(
        !config.contains("[metrics]"),
        "init writes no metrics table"
    );
    config.push_str("\n[metrics]\nlisten = \"0.0.0.0:0\"\n");
    std::fs::write(data.join("server.toml"), config).unwrap();
    let out = padron_tests::run(
        "padron-server",
        &[
            "serve",
            "--data",
            env.inst.data(),
            "--listen",
            "127.0.0.1:0",
        ],
    );
    assert!(!out.status.success());
    assert!(
        padron_tests::stderr(&out).contains("loopback only unless public = true"),
        "{}",
        padron_tests::stderr(&out)
    );
}

#[test]
fn each_request_has_an_id_in_its_response_its_json_logs_and_its_audit_entries() {
    let env = Env::new();
    let csv = registry(&env, "300");
    let token = user_token(&env, &env.ws1, 1);
    let response = env
        .ws1
        .post(env.url("/v1/queries?name=b.xlsx"))
        .bearer_auth(&token)
        .body(cui_workbook(&registry_cuis(&csv, 3), "Bolsa"))
        .send()
        .unwrap();
    assert_eq!(response.status(), 202);
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 32, "{id}");
    // A refusal has one too, and another request another id.
    let refused = env.ws1.get(env.url("/v1/session")).send().unwrap();
    let other = refused.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_ne!(other, id);

    // The upload's audit entry names the request; the chain still verifies.
    let detail = env
        .inst
        .query_one("SELECT detail FROM audit_log WHERE action = 'query.upload'");
    let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(detail["request_id"], id.as_str(), "{detail}");
    let logins = env
        .inst
        .query("SELECT detail FROM audit_log WHERE action LIKE 'auth.login%'");
    assert!(
        !logins.is_empty() && logins.iter().all(|d| d.contains("\"request_id\":")),
        "{logins:?}"
    );
    let verify = padron_tests::ok(
        "padron-server",
        &["audit", "verify", "--data", env.inst.data()],
    );
    assert!(!verify.is_empty());

    // stderr is a file here, not a terminal: one JSON object a line, and
    // the request's lines carry its id.
    let log = env.server.wait_for_log(&id);
    let mut with_id = 0;
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        let entry: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        if line.contains(&id) {
            with_id += 1;
            assert!(entry["fields"]["message"].is_string(), "{entry}");
        }
    }
    assert!(with_id >= 1, "{log}");
}
