//! Rate limits per workstation on challenge, login, upload and result
//! download (429 RATE_LIMITED, Retry-After); a cap on outstanding login
//! challenges (CHALLENGES_OUTSTANDING); repeated refusals audited as one
//! entry per workstation, code and minute, in the same tamper-evident chain.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use padron_tests::consulta::user_token;
use padron_tests::fixture::Env;
use padron_tests::{Server, ok, set_server_config};
use reqwest::blocking::Client;

/// The fixture's server restarted with these `server.toml` settings.
fn env_with(settings: &[(&str, &str)]) -> Env {
    let mut env = Env::new();
    for (key, value) in settings {
        set_server_config(&env.inst.data, key, value);
    }
    env.server.terminate();
    env.server = Server::start(&env.inst.data);
    env
}

/// (status, code, Retry-After) of a request.
fn send(request: reqwest::blocking::RequestBuilder) -> (u16, String, Option<String>) {
    let response = request.send().unwrap();
    let status = response.status().as_u16();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let body: serde_json::Value = response.json().unwrap_or_default();
    (
        status,
        body["code"].as_str().unwrap_or_default().to_owned(),
        retry,
    )
}

/// `request.refused` entries: (workstation, outcome, minute, count).
fn refusal_entries(env: &Env) -> Vec<(i64, String, String, u64)> {
    env.inst
        .query("SELECT workstation_id, outcome, detail FROM audit_log WHERE action = 'request.refused' ORDER BY seq")
        .iter()
        .map(|row| {
            let mut fields = row.splitn(3, '|');
            let workstation = fields.next().unwrap().parse().unwrap();
            let outcome = fields.next().unwrap().to_owned();
            let detail: serde_json::Value = serde_json::from_str(fields.next().unwrap()).unwrap();
            (
                workstation,
                outcome,
                detail["minute"].as_str().unwrap().to_owned(),
                detail["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn audit_rows(env: &Env, action: &str) -> i64 {
    env.inst.query_i64(&format!(
        "SELECT count(*) FROM audit_log WHERE action = '{action}'"
    ))
}

fn burst(env: &Env, client: &Client, n: usize, path: &str) -> (usize, usize, Vec<String>) {
    let mut allowed = 0;
    let mut limited = 0;
    let mut other = Vec::new();
    for _ in 0..n {
        let (status, code, retry) = send(client.post(env.url(path)));
        if status == 429 && code == "RATE_LIMITED" {
            assert!(retry.is_some_and(|r| r.parse::<u64>().unwrap() >= 1));
            limited += 1;
        } else {
            allowed += 1;
            other.push(format!("{status} {code}"));
        }
    }
    (allowed, limited, other)
}

#[test]
fn challenges_over_the_rate_get_429_and_one_audit_entry_per_minute() {
    let mut env = env_with(&[
        ("challenge_per_minute", "6"),
        ("challenge_burst", "5"),
        ("max_outstanding_challenges", "1000"),
    ]);
    let (allowed, limited, _) = burst(&env, &env.ws1, 50, "/v1/auth/challenge");
    println!(
        "challenge burst of 50 from one workstation (burst 5, 6/min): {allowed} allowed, {limited} × 429"
    );
    assert!((5..=6).contains(&allowed), "{allowed}");
    assert_eq!(allowed + limited, 50);

    // The sentence, in both languages.
    let response = env
        .ws1
        .post(env.url("/v1/auth/challenge"))
        .header("accept-language", "en")
        .send()
        .unwrap();
    assert_eq!(response.status(), 429);
    let body: serde_json::Value = response.json().unwrap();
    assert_eq!(body["code"], "RATE_LIMITED");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("too many requests"),
        "{body}"
    );
    let response = env.ws1.post(env.url("/v1/auth/challenge")).send().unwrap();
    let body: serde_json::Value = response.json().unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("demasiadas solicitudes"),
        "{body}"
    );
    let limited = limited + 2;

    // Another workstation has its own bucket.
    let (status, _, _) = send(env.ws2.post(env.url("/v1/auth/challenge")));
    assert_eq!(status, 200);

    // Shutdown writes the minute in progress: one entry per minute (two if
    // the burst straddled one), whose counts add up to every 429.
    env.server.terminate();
    let entries = refusal_entries(&env);
    println!("audit entries for {limited} refusals: {entries:?}");
    assert!((1..=2).contains(&entries.len()), "{entries:?}");
    assert!(
        entries
            .iter()
            .all(|(ws, outcome, _, _)| *ws == env.ws1_id && outcome == "refused:RATE_LIMITED")
    );
    assert_eq!(
        entries.iter().map(|e| e.3).sum::<u64>(),
        limited as u64,
        "{entries:?}"
    );
    // The chain holds with the counted entries in it.
    let out = ok(
        "padron-server",
        &["audit", "verify", "--data", env.inst.data()],
    );
    println!("{out}");
}

#[test]
fn logins_over_the_rate_are_refused_before_any_check() {
    let mut env = env_with(&[("login_per_minute", "1"), ("login_burst", "3")]);
    let garbage = serde_json::json!({
        "format": "nope", "certificate": "", "algorithm": "ES256", "signature": "", "nonce": ""
    });
    let mut codes = Vec::new();
    for _ in 0..20 {
        let (status, code, _) = send(env.ws1.post(env.url("/v1/auth/login")).json(&garbage));
        codes.push((status, code));
    }
    let limited = codes
        .iter()
        .filter(|(s, c)| *s == 429 && c == "RATE_LIMITED")
        .count();
    println!(
        "login burst of 20 (burst 3, 1/min): {} checked, {limited} × 429",
        20 - limited
    );
    assert_eq!(limited, 17, "{codes:?}");
    assert!(
        codes[..3]
            .iter()
            .all(|(s, c)| *s == 400 && c == "AUTH_FORMAT_INVALID"),
        "{codes:?}"
    );
    env.server.terminate();
    // Three login attempts audited one by one; the 17 others in one count.
    assert_eq!(audit_rows(&env, "auth.login"), 3);
    let entries = refusal_entries(&env);
    assert_eq!(entries.iter().map(|e| e.3).sum::<u64>(), 17, "{entries:?}");
}

#[test]
fn uploads_and_result_downloads_are_rate_limited() {
    let env = env_with(&[
        ("upload_per_minute", "1"),
        ("upload_burst", "2"),
        ("download_per_minute", "1"),
        ("download_burst", "3"),
    ]);
    let token = user_token(&env, &env.ws2, 1);
    let mut uploads = Vec::new();
    for _ in 0..6 {
        uploads.push(send(
            env.ws2
                .post(env.url("/v1/queries?name=x.xlsx"))
                .bearer_auth(&token)
                .body(b"not a workbook".to_vec()),
        ));
    }
    let limited = uploads.iter().filter(|u| u.0 == 429).count();
    println!(
        "upload burst of 6 (burst 2, 1/min): {} reached the handler, {limited} × 429",
        6 - limited
    );
    assert_eq!(limited, 4, "{uploads:?}");
    assert!(uploads[..2].iter().all(|u| u.0 != 429), "{uploads:?}");

    let mut downloads = Vec::new();
    for _ in 0..8 {
        downloads.push(send(
            env.ws2
                .get(env.url("/v1/queries/00000000-0000-4000-8000-000000000000/result"))
                .bearer_auth(&token),
        ));
    }
    let limited = downloads.iter().filter(|d| d.0 == 429).count();
    println!(
        "download burst of 8 (burst 3, 1/min): {} reached the handler, {limited} × 429",
        8 - limited
    );
    assert_eq!(limited, 5, "{downloads:?}");
    assert!(
        downloads[..3].iter().all(|d| d.1 == "QUERY_NOT_FOUND"),
        "{downloads:?}"
    );
    // Other endpoints are not limited.
    for _ in 0..10 {
        let (status, _, _) = send(env.ws2.get(env.url("/v1/queries")).bearer_auth(&token));
        assert_eq!(status, 200);
    }
}

#[test]
fn outstanding_login_challenges_are_capped_per_workstation() {
    let mut env = env_with(&[
        ("max_outstanding_challenges", "3"),
        ("challenge_burst", "100"),
    ]);
    let nonces: Vec<String> = (0..3).map(|_| env.challenge(&env.ws1)).collect();
    let (status, code, _) = send(env.ws1.post(env.url("/v1/auth/challenge")));
    assert_eq!((status, code.as_str()), (429, "CHALLENGES_OUTSTANDING"));
    // Another workstation is not affected.
    let (status, _, _) = send(env.ws2.post(env.url("/v1/auth/challenge")));
    assert_eq!(status, 200);
    // Spending one (a login) frees its place.
    let ana = env.coordinator();
    env.try_login(&env.ws1, &ana.login_token(&env.fingerprint, &nonces[0]))
        .unwrap();
    let (status, _, _) = send(env.ws1.post(env.url("/v1/auth/challenge")));
    assert_eq!(status, 200);
    let (status, code, _) = send(env.ws1.post(env.url("/v1/auth/challenge")));
    assert_eq!((status, code.as_str()), (429, "CHALLENGES_OUTSTANDING"));
    env.server.terminate();
    let entries = refusal_entries(&env);
    assert!(
        entries
            .iter()
            .all(|(_, outcome, _, _)| outcome == "refused:CHALLENGES_OUTSTANDING"),
        "{entries:?}"
    );
    assert_eq!(entries.iter().map(|e| e.3).sum::<u64>(), 2, "{entries:?}");
}
