//! The lifecycle pass over simulated dates (`lifecycle run --at`): day 89
//! vs day 90 without queries, the agreement's last day, renewal, and
//! January with and without continuity. Refusals say why.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use padron_tests::eid::{Flaws, new_user};
use padron_tests::fixture::{Env, cui};
use padron_tests::{ok, run, stderr};

fn sql(env: &Env, statement: &str) {
    env.sql(statement);
}

#[test]
fn ninety_days_without_queries_cancel_and_a_renewal_reinstates() {
    let env = Env::new();
    let d = env.inst.data();
    ok(
        "padron-server",
        &[
            "agreement",
            "set",
            "--data",
            d,
            "--institution",
            "MIDES",
            "--from",
            "2026-01-01",
            "--to",
            "2030-12-31",
        ],
    );
    sql(
        &env,
        "UPDATE institutions SET last_query_at = '2026-03-01T10:00:00.000Z'",
    );
    let out = ok(
        "padron-server",
        &["lifecycle", "run", "--data", d, "--at", "2026-05-29"],
    );
    assert!(out.contains(": 0 cambios"), "day 89: {out}");
    let out = ok(
        "padron-server",
        &["lifecycle", "run", "--data", d, "--at", "2026-05-30"],
    );
    assert!(
        out.contains("MIDES") && out.contains("sin consultas desde 2026-03-01"),
        "day 90: {out}"
    );

    let nonce = env.challenge(&env.ws1);
    let response = env
        .ws1
        .post(env.url("/v1/auth/login"))
        .json(&env.coordinator().login_token(&env.fingerprint, &nonce))
        .send()
        .unwrap();
    let body: serde_json::Value = response.json().unwrap();
    assert_eq!(body["code"], "INSTITUTION_CANCELLED");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("no realizó consultas en 90 días (la última fue el 2026-03-01)"),
        "{body}"
    );

    // A payment does not reinstate a cancellation; a renewed agreement does.
    ok(
        "padron-server",
        &[
            "payment",
            "record",
            "--data",
            d,
            "--institution",
            "MIDES",
            "--period",
            "2026-05",
            "--amount",
            "10",
        ],
    );
    let show = ok(
        "padron-server",
        &["institution", "show", "--data", d, "MIDES"],
    );
    assert!(show.contains("cancelada"), "{show}");
    let out = ok(
        "padron-server",
        &[
            "agreement",
            "renew",
            "--data",
            d,
            "--institution",
            "MIDES",
            "--to",
            "2031-12-31",
        ],
    );
    assert!(out.contains("Institución MIDES: activa"), "{out}");
    env.login(&env.ws1, &env.coordinator());
}

#[test]
fn the_agreement_lasts_through_its_last_day() {
    let env = Env::new();
    let d = env.inst.data();
    ok(
        "padron-server",
        &[
            "agreement",
            "set",
            "--data",
            d,
            "--institution",
            "MIDES",
            "--from",
            "2026-01-01",
            "--to",
            "2026-06-30",
        ],
    );
    sql(
        &env,
        "UPDATE institutions SET last_query_at = '2026-06-15T10:00:00.000Z'",
    );
    let out = ok(
        "padron-server",
        &["lifecycle", "run", "--data", d, "--at", "2026-06-30"],
    );
    assert!(out.contains(": 0 cambios"), "{out}");
    let out = ok(
        "padron-server",
        &["lifecycle", "run", "--data", d, "--at", "2026-07-01"],
    );
    assert!(out.contains("convenio vencido el 2026-06-30"), "{out}");
    let show = ok(
        "padron-server",
        &["institution", "show", "--data", d, "MIDES"],
    );
    assert!(show.contains("el convenio venció el 2026-06-30"), "{show}");
    let audit = ok("padron-server", &["audit", "list", "--data", d]);
    assert!(
        audit.contains("lifecycle.change") && audit.contains("AGREEMENT_EXPIRED"),
        "{audit}"
    );
    let out = run(
        "padron-server",
        &[
            "agreement",
            "set",
            "--data",
            d,
            "--institution",
            "MIDES",
            "--from",
            "2026-13-01",
            "--to",
            "2027-01-01",
        ],
    );
    assert!(
        stderr(&out).contains("AGREEMENT_INVALID"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn january_deactivates_users_unless_continuity_was_asked_once_a_year() {
    let env = Env::new();
    let d = env.inst.data();
    ok(
        "padron-server",
        &[
            "institution",
            "add",
            "--data",
            d,
            "--code",
            "SESAN",
            "--name",
            "Seguridad Alimentaria",
        ],
    );
    for code in ["MIDES", "SOSEP", "SESAN"] {
        ok(
            "padron-server",
            &[
                "agreement",
                "set",
                "--data",
                d,
                "--institution",
                code,
                "--from",
                "2026-01-01",
                "--to",
                "2030-12-31",
            ],
        );
    }
    let ana = env.coordinator();
    let session = env.login(&env.ws1, &ana);
    assert_eq!(
        env.add(&ana, &session.token, new_user(&cui(1), "Pedro")),
        Ok("DONE".into())
    );
    assert_eq!(
        env.add(&ana, &session.token, new_user(&cui(2), "Rosa")),
        Ok("DONE".into())
    );
    // Queries recently, so that only January acts.
    sql(
        &env,
        "UPDATE institutions SET last_query_at = '2026-12-20T10:00:00.000Z'",
    );

    ok(
        "padron-server",
        &[
            "agreement",
            "continuity",
            "--data",
            d,
            "--institution",
            "SOSEP",
            "--year",
            "2027",
        ],
    );
    let out = ok(
        "padron-server",
        &["lifecycle", "run", "--data", d, "--at", "2026-12-31"],
    );
    assert!(out.contains(": 0 cambios"), "{out}");
    let out = ok(
        "padron-server",
        &["lifecycle", "run", "--data", d, "--at", "2027-01-02"],
    );
    assert!(
        out.contains("MIDES") && out.contains("2 usuarios desactivados"),
        "{out}"
    );
    let pedro = env.eid.person(&cui(1), "PEDRO", Flaws::default());
    let nonce = env.challenge(&env.ws1);
    assert_eq!(
        env.try_login(&env.ws1, &pedro.login_token(&env.fingerprint, &nonce)),
        Err("USUARIO_NO_AUTORIZADO".into())
    );
    // Coordinators stay, and re-add users as needed.
    let session = env.login(&env.ws1, &ana);
    assert_eq!(
        env.add(&ana, &session.token, new_user(&cui(1), "Pedro")),
        Ok("DONE".into())
    );
    // The January step runs once a year.
    let out = ok(
        "padron-server",
        &["lifecycle", "run", "--data", d, "--at", "2027-01-03"],
    );
    assert!(out.contains(": 0 cambios"), "{out}");
    env.login(&env.ws1, &pedro);
}
