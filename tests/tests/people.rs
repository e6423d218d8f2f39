//! People and roles under attack (issue 12): a block on the person that
//! follows them to every institution and role, removed coordinators and
//! replaced legal representatives, a leaked session token, a request
//! replayed to another installation, and an institution without an
//! agreement in force. Each attack is tried against a real server and seen
//! refused with its own code.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::fs;

use padron_shared::users::RequestAction;
use padron_tests::eid::{Flaws, new_user};
use padron_tests::fixture::{COORDINATOR, Env, cui, identity, installation_id};
use padron_tests::{Installation, https_client, ok, path_str, run, stderr};
use time::{Duration, OffsetDateTime};

fn admin(args: &[&str]) -> String {
    ok("padron-server", args)
}

/// The code and detail of a refused GET.
fn refused_get(env: &Env, client: &reqwest::blocking::Client, token: &str) -> (String, String) {
    let body: serde_json::Value = client
        .get(env.url("/v1/session"))
        .bearer_auth(token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    (
        body["code"].as_str().unwrap_or_default().to_owned(),
        body["detail"].as_str().unwrap_or_default().to_owned(),
    )
}

#[test]
fn a_block_is_on_the_person_in_every_institution_and_every_role() {
    let env = Env::new();
    let d = env.inst.data();
    let ana = env.coordinator();
    let ana_session = env.login(&env.ws1, &ana);
    let (sosep, sosep_session) = env.other_institution_coordinator();
    let otro = env.eid.person(&cui(50), "OTRO", Flaws::default());

    // A CUI that is nobody's user anywhere can be blocked.
    let blocked = cui(7);
    let out = admin(&[
        "person",
        "block",
        "--data",
        d,
        "--cui",
        &blocked,
        "--cause",
        "suplantación de identidad",
    ]);
    assert!(out.contains("Persona bloqueada"), "{out}");

    // Another institution tries to add the blocked person: refused.
    let p = otro.payload(
        &env.installation,
        RequestAction::Add,
        "SOSEP",
        sosep_session.workstation_id,
        new_user(&blocked, "Pedro Bloqueado"),
        OffsetDateTime::now_utc(),
    );
    assert_eq!(
        env.submit(&sosep, &sosep_session.token, &otro.sign(&p)),
        Err("USER_BLOCKED".into())
    );
    // And so does the first.
    assert_eq!(
        env.add(&ana, &ana_session.token, new_user(&blocked, "Pedro")),
        Err("USER_BLOCKED".into())
    );

    // A user of MIDES, blocked, cannot be added by SOSEP either.
    let pedro_cui = cui(8);
    assert_eq!(
        env.add(&ana, &ana_session.token, new_user(&pedro_cui, "Pedro")),
        Ok("DONE".into())
    );
    let pedro = env.eid.person(&pedro_cui, "PEDRO", Flaws::default());
    let pedro_session = env.login(&env.ws1, &pedro);
    admin(&[
        "user",
        "block",
        "--data",
        d,
        "--cui",
        &pedro_cui,
        "--reason",
        "consultas ajenas al programa",
    ]);
    let p = otro.payload(
        &env.installation,
        RequestAction::Add,
        "SOSEP",
        sosep_session.workstation_id,
        new_user(&pedro_cui, "Pedro"),
        OffsetDateTime::now_utc(),
    );
    assert_eq!(
        env.submit(&sosep, &sosep_session.token, &otro.sign(&p)),
        Err("USER_BLOCKED".into())
    );
    // His open session ended at once, and says why.
    let (code, detail) = refused_get(&env, &env.ws1, &pedro_session.token);
    assert_eq!(code, "USER_BLOCKED");
    assert!(detail.contains("consultas ajenas al programa"), "{detail}");

    // A coordinator is a person too: blocked, her open session ends at
    // once and she cannot log in again, with the cause shown.
    assert_eq!(
        env.get_code(&env.ws1, "/v1/session", &ana_session.token).0,
        200
    );
    admin(&[
        "person",
        "block",
        "--data",
        d,
        "--cui",
        COORDINATOR,
        "--cause",
        "uso indebido de la tarjeta",
    ]);
    let (code, detail) = refused_get(&env, &env.ws1, &ana_session.token);
    assert_eq!(code, "USER_BLOCKED");
    assert!(detail.contains("uso indebido de la tarjeta"), "{detail}");
    let nonce = env.challenge(&env.ws1);
    assert_eq!(
        env.try_login(&env.ws1, &ana.login_token(&env.fingerprint, &nonce)),
        Err("USER_BLOCKED".into())
    );

    // The blocks are listed with their cause; lifting is by CUI.
    let list = admin(&["person", "list-blocks", "--data", d]);
    for needle in [
        blocked.as_str(),
        pedro_cui.as_str(),
        COORDINATOR,
        "suplantación de identidad",
        "uso indebido de la tarjeta",
    ] {
        assert!(list.contains(needle), "{needle} missing:\n{list}");
    }
    admin(&["person", "unblock", "--data", d, "--cui", COORDINATOR]);
    let ana_session = env.login(&env.ws1, &ana);
    assert_eq!(
        env.get_code(&env.ws1, "/v1/session", &ana_session.token).0,
        200
    );
    let all = admin(&["person", "list-blocks", "--data", d, "--all"]);
    assert!(all.contains(COORDINATOR), "{all}");
    let current = admin(&["person", "list-blocks", "--data", d]);
    assert!(!current.contains(COORDINATOR), "{current}");

    // Every block and its lifting is in the audit log, by the real admin.
    let audit = admin(&["audit", "list", "--data", d, "--limit", "200"]);
    assert!(
        audit.contains("person.block") && audit.contains("person.unblock"),
        "{audit}"
    );
}

#[test]
fn a_removed_coordinator_loses_access_at_once_even_for_a_request_already_signed() {
    let env = Env::new();
    let d = env.inst.data();
    let ana = env.coordinator();
    let session = env.login(&env.ws1, &ana);
    assert_eq!(
        env.add(&ana, &session.token, new_user(&cui(1), "Uno")),
        Ok("DONE".into())
    );
    // Signed while still coordinator, sent after the removal.
    let p = ana.payload(
        &env.installation,
        RequestAction::Add,
        "MIDES",
        env.ws1_id,
        new_user(&cui(2), "Dos"),
        OffsetDateTime::now_utc(),
    );
    let signed = ana.sign(&p);

    let out = admin(&[
        "coordinator",
        "remove",
        "--data",
        d,
        "--institution",
        "MIDES",
        "--cui",
        COORDINATOR,
        "--request-ref",
        "OF-2026-114",
        "--reason",
        "cambio de coordinador",
    ]);
    assert!(out.contains("Retirado(a)"), "{out}");
    assert_eq!(
        env.submit(&env.ws1, &session.token, &signed),
        Err("COORDINATOR_REMOVED".into())
    );
    // Even a session that somehow survived cannot submit.
    env.sql("UPDATE sessions SET ended_at = NULL, end_reason = NULL");
    assert_eq!(
        env.submit(&env.ws1, &session.token, &signed),
        Err("COORDINATOR_REMOVED".into())
    );
    let nonce = env.challenge(&env.ws1);
    assert_eq!(
        env.try_login(&env.ws1, &ana.login_token(&env.fingerprint, &nonce)),
        Err("COORDINATOR_REMOVED".into())
    );
    // Removing twice, or someone who is not a coordinator, says so.
    let again = run(
        "padron-server",
        &[
            "coordinator",
            "remove",
            "--data",
            d,
            "--institution",
            "MIDES",
            "--cui",
            COORDINATOR,
            "--request-ref",
            "x",
            "--reason",
            "x",
        ],
    );
    assert!(
        stderr(&again).contains("COORDINATOR_UNKNOWN"),
        "{}",
        stderr(&again)
    );

    let list = admin(&["coordinator", "list", "--data", d, "--institution", "MIDES"]);
    // The installation's calendar (Guatemala by default), as the list shows it.
    let today = padron_shared::calendar::Zone::guatemala()
        .date_of(OffsetDateTime::now_utc())
        .to_string();
    let line = list.lines().find(|l| l.contains(COORDINATOR)).unwrap();
    assert!(
        line.contains(&today)
            && line.contains("OF-2026-114")
            && line.contains("cambio de coordinador"),
        "{list}"
    );
}

#[test]
fn a_new_legal_representative_replaces_the_old_one_who_loses_access() {
    let env = Env::new();
    let d = env.inst.data();
    let designate = |c: &str, name: &str, reference: &str| {
        admin(&[
            "coordinator",
            "add",
            "--data",
            d,
            "--institution",
            "MIDES",
            "--cui",
            c,
            "--name",
            name,
            "--role",
            "legal-representative",
            "--request-ref",
            reference,
        ])
    };
    let out = designate(&cui(60), "Rosa Primera", "OF-1");
    assert!(out.contains("Representante legal designado"), "{out}");
    let rosa = env.eid.person(&cui(60), "ROSA", Flaws::default());
    let rosa_session = env.login(&env.ws1, &rosa);
    assert_eq!(
        env.get_code(&env.ws1, "/v1/session", &rosa_session.token).0,
        200
    );

    let out = designate(&cui(61), "Luis Segundo", "OF-2");
    assert!(
        out.contains("Reemplaza a") && out.contains("Rosa Primera"),
        "{out}"
    );
    assert_eq!(
        env.get_code(&env.ws1, "/v1/session", &rosa_session.token),
        (403, "COORDINATOR_REMOVED".into())
    );
    let nonce = env.challenge(&env.ws1);
    assert_eq!(
        env.try_login(&env.ws1, &rosa.login_token(&env.fingerprint, &nonce)),
        Err("COORDINATOR_REMOVED".into())
    );
    let luis = env.eid.person(&cui(61), "LUIS", Flaws::default());
    env.login(&env.ws1, &luis);

    let list = admin(&["coordinator", "list", "--data", d]);
    let rosa_line = list.lines().find(|l| l.contains(&cui(60))).unwrap();
    assert!(
        rosa_line.contains("representante legal") && rosa_line.contains("OF-2"),
        "{list}"
    );
    let luis_line = list.lines().find(|l| l.contains(&cui(61))).unwrap();
    assert!(!luis_line.contains("retirado"), "{list}");
}

#[test]
fn a_token_shown_by_another_workstation_ends_the_session() {
    let env = Env::new();
    let ana = env.coordinator();
    let session = env.login(&env.ws1, &ana);
    assert_eq!(env.get_code(&env.ws1, "/v1/session", &session.token).0, 200);
    // The token leaks to another enrolled workstation.
    assert_eq!(
        env.get_code(&env.ws2, "/v1/session", &session.token),
        (401, "SESSION_OTHER_WORKSTATION".into())
    );
    // It no longer works anywhere, not even where it was issued.
    assert_eq!(
        env.get_code(&env.ws1, "/v1/session", &session.token),
        (401, "SESSION_OTHER_WORKSTATION".into())
    );
    assert_eq!(
        env.add(&ana, &session.token, new_user(&cui(3), "Tres")),
        Err("SESSION_OTHER_WORKSTATION".into())
    );
    let audit = admin(&["audit", "list", "--data", env.inst.data()]);
    assert!(audit.contains("OTHER_WORKSTATION"), "{audit}");
}

#[test]
fn a_request_signed_for_another_installation_is_refused() {
    let env = Env::new();
    let ana = env.coordinator();
    let session = env.login(&env.ws1, &ana);
    assert_eq!(session.installation_id, env.installation);
    assert_eq!(session.installation_id.len(), 32);

    // A test installation: same eID authority, same coordinator, other id.
    let test = Installation::new();
    let test_id = installation_id(&test.data);
    assert_ne!(test_id, env.installation);
    let p = ana.payload(
        &test_id,
        RequestAction::Add,
        "MIDES",
        env.ws1_id,
        new_user(&cui(4), "Cuatro"),
        OffsetDateTime::now_utc(),
    );
    assert_eq!(
        env.submit(&env.ws1, &session.token, &ana.sign(&p)),
        Err("INSTALLATION_MISMATCH".into())
    );
    // The same request for this installation is fine.
    let mut p = p;
    p.installation = env.installation.clone();
    p.request_id = uuid::Uuid::new_v4().to_string();
    assert_eq!(
        env.submit(&env.ws1, &session.token, &ana.sign(&p)),
        Ok("DONE".into())
    );
}

#[test]
fn an_institution_without_an_agreement_in_force_is_refused_at_login_and_upload() {
    let env = Env::new();
    let d = env.inst.data();
    // SESAN: registered, a coordinator and a workstation, but no agreement.
    admin(&[
        "institution",
        "add",
        "--data",
        d,
        "--code",
        "SESAN",
        "--name",
        "Seguridad Alimentaria",
    ]);
    admin(&[
        "coordinator",
        "add",
        "--data",
        d,
        "--institution",
        "SESAN",
        "--cui",
        &cui(70),
        "--name",
        "Marta",
    ]);
    let bundle = env.inst.enroll("SESAN", "Central", &env.server.url());
    let ca = fs::read(env.inst.data.join("pki/server-ca.crt")).unwrap();
    let sesan = https_client(&ca, Some(identity(&bundle)));
    let marta = env.eid.person(&cui(70), "MARTA", Flaws::default());
    let nonce = env.challenge(&sesan);
    let token = marta.login_token(&env.fingerprint, &nonce);
    let response = sesan
        .post(env.url("/v1/auth/login"))
        .json(&token)
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    let body: serde_json::Value = response.json().unwrap();
    assert_eq!(body["code"], "AGREEMENT_NOT_IN_FORCE");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("no tiene convenio"),
        "{body}"
    );

    // An agreement that starts tomorrow is not in force today (the
    // registry's day, America/Guatemala).
    let today = padron_shared::calendar::Zone::guatemala().date_of(OffsetDateTime::now_utc());
    let day = |d: time::Date| d.to_string();
    let set = |from: &str, to: &str, code: &str| {
        admin(&[
            "agreement",
            "set",
            "--data",
            d,
            "--institution",
            code,
            "--from",
            from,
            "--to",
            to,
        ])
    };
    set(
        &day(today + Duration::days(1)),
        &day(today + Duration::days(365)),
        "SESAN",
    );
    let nonce = env.challenge(&sesan);
    assert_eq!(
        env.try_login(&sesan, &marta.login_token(&env.fingerprint, &nonce)),
        Err("AGREEMENT_NOT_IN_FORCE".into())
    );
    set(&day(today), &day(today + Duration::days(365)), "SESAN");
    env.login(&sesan, &marta);

    // MIDES's agreement ends yesterday; the daily pass has not run yet,
    // but an open session cannot upload and nobody can log in.
    let ana = env.coordinator();
    let session = env.login(&env.ws1, &ana);
    set("2020-01-01", &day(today - Duration::days(1)), "MIDES");
    let upload: serde_json::Value = env
        .ws1
        .post(env.url("/v1/queries?name=x.xlsx"))
        .bearer_auth(&session.token)
        .body(vec![1, 2, 3])
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(upload["code"], "AGREEMENT_NOT_IN_FORCE", "{upload}");
    assert!(
        upload["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("venció"),
        "{upload}"
    );
    let nonce = env.challenge(&env.ws1);
    assert_eq!(
        env.try_login(&env.ws1, &ana.login_token(&env.fingerprint, &nonce)),
        Err("AGREEMENT_NOT_IN_FORCE".into())
    );
    let _ = path_str(&bundle);
}
