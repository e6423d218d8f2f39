//! Card login and card-signed user administration under attack: each
//! attack of the threat list is tried against a real server and seen
//! refused with its own code. Certificates and signatures come from a
//! software eID authority so that flawed ones can be made; the happy paths
//! with the real virtual card are in `pcscd_card_admin.rs`.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::fs;

use padron_shared::users::{RemovalReason, RequestAction, UserChange};
use padron_tests::eid::{Flaws, TestEid, TestPerson, new_user};
use padron_tests::fixture::{COORDINATOR, Env, cui};
use padron_tests::{ok, path_str, run};
use time::{Duration, OffsetDateTime};

#[test]
fn nonces_are_single_use_fresh_and_bound_to_their_workstation() {
    let env = Env::new();
    let ana = env.coordinator();

    // Replayed nonce: the same challenge answered twice.
    let nonce = env.challenge(&env.ws1);
    let session = env
        .try_login(&env.ws1, &ana.login_token(&env.fingerprint, &nonce))
        .unwrap();
    assert_eq!(session.role, padron_shared::auth::Role::Coordinator);
    assert_eq!(session.institution_code, "MIDES");
    assert_eq!(
        env.try_login(&env.ws1, &ana.login_token(&env.fingerprint, &nonce)),
        Err("NONCE_REUSED".into())
    );

    // Expired nonce: issued, then older than 5 minutes.
    let nonce = env.challenge(&env.ws1);
    env.sql("UPDATE auth_nonces SET expires_at = '2020-01-01T00:00:00.000Z' WHERE used_at IS NULL");
    assert_eq!(
        env.try_login(&env.ws1, &ana.login_token(&env.fingerprint, &nonce)),
        Err("NONCE_EXPIRED".into())
    );

    // A nonce issued to another workstation.
    let nonce = env.challenge(&env.ws1);
    assert_eq!(
        env.try_login(&env.ws2, &ana.login_token(&env.fingerprint, &nonce)),
        Err("NONCE_OTHER_WORKSTATION".into())
    );

    // A nonce the server never issued.
    assert_eq!(
        env.try_login(
            &env.ws1,
            &ana.login_token(&env.fingerprint, "bm90IGlzc3VlZA==")
        ),
        Err("NONCE_UNKNOWN".into())
    );

    // Every attempt is in the audit log with its refusal.
    let audit = ok(
        "padron-server",
        &["audit", "list", "--data", env.inst.data(), "--limit", "100"],
    );
    for code in [
        "NONCE_REUSED",
        "NONCE_EXPIRED",
        "NONCE_OTHER_WORKSTATION",
        "NONCE_UNKNOWN",
    ] {
        assert!(
            audit.contains(&format!("refused:{code}")),
            "{code} not audited:\n{audit}"
        );
    }
}

#[test]
fn card_certificates_are_checked_in_order() {
    let env = Env::new();
    let login = |person: &TestPerson| {
        let nonce = env.challenge(&env.ws1);
        env.try_login(&env.ws1, &person.login_token(&env.fingerprint, &nonce))
    };

    let stranger_ca = TestEid::new("Otra CA");
    assert_eq!(
        login(&stranger_ca.person(COORDINATOR, "ANA", Flaws::default())),
        Err("CARD_CERTIFICATE_UNTRUSTED".into())
    );
    assert_eq!(
        login(&env.eid.person(
            COORDINATOR,
            "ANA",
            Flaws {
                expired: true,
                ..Flaws::default()
            }
        )),
        Err("CARD_CERTIFICATE_EXPIRED".into())
    );
    assert_eq!(
        login(&env.eid.person(
            COORDINATOR,
            "ANA",
            Flaws {
                no_digital_signature: true,
                ..Flaws::default()
            }
        )),
        Err("CARD_CERTIFICATE_USAGE".into())
    );

    // Revoked by a CRL the admin imports while the server runs.
    let revoked = env.coordinator();
    assert!(login(&revoked).is_ok());
    let crl = env.inst.tmp.path().join("eid.crl");
    fs::write(&crl, env.eid.crl(&[&revoked.auth_serial])).unwrap();
    let out = ok(
        "padron-server",
        &[
            "trust",
            "add-crl",
            "--data",
            env.inst.data(),
            path_str(&crl),
        ],
    );
    assert!(out.contains("1 certificados revocados"), "{out}");
    assert_eq!(login(&revoked), Err("CARD_CERTIFICATE_REVOKED".into()));
    // Another card of the same person, not revoked, still works.
    assert!(login(&env.coordinator()).is_ok());

    // A signature over another nonce, or for another server.
    let ana = env.coordinator();
    let nonce = env.challenge(&env.ws1);
    let mut token = ana.login_token(&env.fingerprint, "b3RybyBkZXNhZsOtbw==");
    token.nonce = nonce;
    assert_eq!(
        env.try_login(&env.ws1, &token),
        Err("SIGNATURE_INVALID".into())
    );
    let nonce = env.challenge(&env.ws1);
    let other_server = "00".repeat(32);
    assert_eq!(
        env.try_login(&env.ws1, &ana.login_token(&other_server, &nonce)),
        Err("SIGNATURE_INVALID".into())
    );

    // A valid card of someone the institution does not know.
    assert_eq!(
        login(&env.eid.person("9876543220101", "PEDRO", Flaws::default())),
        Err("USUARIO_NO_AUTORIZADO".into())
    );
    // Malformed tokens.
    let nonce = env.challenge(&env.ws1);
    let mut token = ana.login_token(&env.fingerprint, &nonce);
    token.format = "padron-auth:0".into();
    assert_eq!(
        env.try_login(&env.ws1, &token),
        Err("AUTH_FORMAT_INVALID".into())
    );
}

#[test]
fn signed_requests_resist_tampering_replay_and_staleness() {
    let env = Env::new();
    let ana = env.coordinator();
    let session = env.login(&env.ws1, &ana);
    let token = &session.token;

    // Altered after signing: the same signature over other bytes.
    let payload = ana.payload(
        &env.installation,
        RequestAction::Add,
        "MIDES",
        env.ws1_id,
        new_user(&cui(1), "Pedro Xol"),
        OffsetDateTime::now_utc(),
    );
    let mut signed = ana.sign(&payload);
    let mut altered = payload.clone();
    altered.user.programme = Some("Otro programa".into());
    signed.payload = ana.sign(&altered).payload;
    assert_eq!(
        env.submit(&env.ws1, token, &signed),
        Err("SIGNATURE_INVALID".into())
    );

    // The genuine one goes through; the same request id again does not.
    let signed = ana.sign(&payload);
    assert_eq!(env.submit(&env.ws1, token, &signed), Ok("DONE".into()));
    assert_eq!(
        env.submit(&env.ws1, token, &signed),
        Err("REQUEST_REPLAYED".into())
    );

    // Stale: signed ten minutes ago.
    let old = ana.payload(
        &env.installation,
        RequestAction::Add,
        "MIDES",
        env.ws1_id,
        new_user(&cui(2), "Rosa Caal"),
        OffsetDateTime::now_utc() - Duration::minutes(10),
    );
    assert_eq!(
        env.submit(&env.ws1, token, &ana.sign(&old)),
        Err("REQUEST_STALE".into())
    );

    // Non-canonical bytes (whitespace added) are refused even if signed.
    let bytes = padron_shared::canonical::to_canonical_json(&payload).unwrap();
    let mut spaced = b" ".to_vec();
    spaced.extend(bytes);
    assert_eq!(
        env.submit(&env.ws1, token, &ana.sign_bytes(&spaced)),
        Err("AUTH_FORMAT_INVALID".into())
    );

    // Signed with someone else's card.
    let other = env.eid.person("9876543220101", "OTRO", Flaws::default());
    let p = ana.payload(
        &env.installation,
        RequestAction::Add,
        "MIDES",
        env.ws1_id,
        new_user(&cui(3), "X"),
        OffsetDateTime::now_utc(),
    );
    assert_eq!(
        env.submit(&env.ws1, token, &other.sign(&p)),
        Err("SIGNER_MISMATCH".into())
    );

    // For another workstation than the one sending it.
    let p = ana.payload(
        &env.installation,
        RequestAction::Add,
        "MIDES",
        2,
        new_user(&cui(4), "X"),
        OffsetDateTime::now_utc(),
    );
    assert_eq!(
        env.submit(&env.ws1, token, &ana.sign(&p)),
        Err("WORKSTATION_MISMATCH".into())
    );
}

#[test]
fn a_coordinator_acts_only_on_its_institution_and_within_the_rules() {
    let env = Env::new();
    let ana = env.coordinator();
    let session = env.login(&env.ws1, &ana);
    let token = &session.token;

    // Coordinator of MIDES acting on SOSEP.
    let p = ana.payload(
        &env.installation,
        RequestAction::Add,
        "SOSEP",
        env.ws1_id,
        new_user(&cui(1), "X"),
        OffsetDateTime::now_utc(),
    );
    assert_eq!(
        env.submit(&env.ws1, token, &ana.sign(&p)),
        Err("INSTITUTION_MISMATCH".into())
    );

    // Ten users, then the eleventh is refused and kept as REJECTED.
    for i in 0..10 {
        assert_eq!(
            env.add(&ana, token, new_user(&cui(10 + i), &format!("Usuario {i}"))),
            Ok("DONE".into()),
            "user {i}"
        );
    }
    assert_eq!(
        env.add(&ana, token, new_user(&cui(99), "Undécimo")),
        Err("USER_LIMIT_REACHED".into())
    );
    // An existing active user cannot be added again.
    assert_eq!(
        env.add(&ana, token, new_user(&cui(10), "Usuario 0")),
        Err("USER_EXISTS".into())
    );

    // Removing an unknown person.
    let remove = |c: &str| {
        let user = UserChange {
            cui: c.to_owned(),
            reason: Some(RemovalReason::EmploymentEnded),
            ..Default::default()
        };
        let p = ana.payload(
            &env.installation,
            RequestAction::Remove,
            "MIDES",
            env.ws1_id,
            user,
            OffsetDateTime::now_utc(),
        );
        env.submit(&env.ws1, token, &ana.sign(&p))
    };
    assert_eq!(remove(&cui(500)), Err("USER_UNKNOWN".into()));

    // A blocked user cannot be acted on.
    ok(
        "padron-server",
        &[
            "person",
            "block",
            "--data",
            env.inst.data(),
            "--cui",
            &cui(11),
            "--cause",
            "mal uso",
        ],
    );
    assert_eq!(remove(&cui(11)), Err("USER_BLOCKED".into()));

    // After a removal there is room again.
    assert_eq!(remove(&cui(12)), Ok("DONE".into()));
    assert_eq!(
        env.add(&ana, token, new_user(&cui(99), "Undécimo")),
        Ok("DONE".into())
    );

    // Update: e-mail and post change.
    let change = UserChange {
        cui: cui(13),
        email: Some("nuevo@mides.gob.gt".into()),
        post: Some("Jefe de sección".into()),
        ..Default::default()
    };
    let p = ana.payload(
        &env.installation,
        RequestAction::Update,
        "MIDES",
        env.ws1_id,
        change,
        OffsetDateTime::now_utc(),
    );
    assert_eq!(
        env.submit(&env.ws1, token, &ana.sign(&p)),
        Ok("DONE".into())
    );
    let users: Vec<serde_json::Value> = env
        .ws1
        .get(env.url("/v1/users"))
        .bearer_auth(token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let updated = users.iter().find(|u| u["cui"] == cui(13)).unwrap();
    assert_eq!(updated["email"], "nuevo@mides.gob.gt");
    assert_eq!(updated["post"], "Jefe de sección");

    // The coordinator sees every request and its state.
    let requests: Vec<serde_json::Value> = env
        .ws1
        .get(env.url("/v1/requests"))
        .bearer_auth(token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let states: Vec<&str> = requests
        .iter()
        .map(|r| r["state"].as_str().unwrap())
        .collect();
    assert_eq!(states.iter().filter(|s| **s == "DONE").count(), 13);
    assert_eq!(states.iter().filter(|s| **s == "REJECTED").count(), 4);
    assert!(
        requests
            .iter()
            .any(|r| r["reject_code"] == "USER_LIMIT_REACHED"
                && r["reject_message"]
                    == "La institución ya tiene el máximo de 10 usuarios activos.")
    );
}

#[test]
fn sessions_end_and_user_sessions_cannot_administer() {
    let env = Env::new();
    let ana = env.coordinator();
    let coordinator = env.login(&env.ws1, &ana);
    let user_cui = cui(1);
    assert_eq!(
        env.add(&ana, &coordinator.token, new_user(&user_cui, "Pedro Xol")),
        Ok("DONE".into())
    );

    // The user logs in at the same workstation with their own card.
    let pedro = env.eid.person(&user_cui, "PEDRO XOL", Flaws::default());
    let user = env.login(&env.ws1, &pedro);
    assert_eq!(user.role, padron_shared::auth::Role::User);
    assert_eq!(env.get_code(&env.ws1, "/v1/session", &user.token).0, 200);
    assert_eq!(
        env.get_code(&env.ws1, "/v1/users", &user.token),
        (403, "COORDINATOR_ONLY".into())
    );
    assert_eq!(
        env.get_code(&env.ws1, "/v1/requests", &user.token),
        (403, "COORDINATOR_ONLY".into())
    );
    let p = pedro.payload(
        &env.installation,
        RequestAction::Add,
        "MIDES",
        env.ws1_id,
        new_user(&cui(2), "X"),
        OffsetDateTime::now_utc(),
    );
    assert_eq!(
        env.submit(&env.ws1, &user.token, &pedro.sign(&p)),
        Err("COORDINATOR_ONLY".into())
    );

    // A token is bound to the workstation it was issued at; shown by
    // another one it has leaked, and the session ends for its owner too.
    assert_eq!(
        env.get_code(&env.ws2, "/v1/session", &user.token),
        (401, "SESSION_OTHER_WORKSTATION".into())
    );
    assert_eq!(
        env.get_code(&env.ws1, "/v1/session", &user.token),
        (401, "SESSION_OTHER_WORKSTATION".into())
    );
    let user = env.login(&env.ws1, &pedro);
    assert_eq!(env.get_code(&env.ws1, "/v1/session", &user.token).0, 200);
    assert_eq!(
        env.get_code(&env.ws1, "/v1/session", "invented-token"),
        (401, "SESSION_INVALID".into())
    );

    // Removing the user ends their session at once.
    let removal = UserChange {
        cui: user_cui.clone(),
        reason: Some(RemovalReason::FunctionsChanged),
        ..Default::default()
    };
    let p = ana.payload(
        &env.installation,
        RequestAction::Remove,
        "MIDES",
        env.ws1_id,
        removal,
        OffsetDateTime::now_utc(),
    );
    assert_eq!(
        env.submit(&env.ws1, &coordinator.token, &ana.sign(&p)),
        Ok("DONE".into())
    );
    assert_eq!(
        env.get_code(&env.ws1, "/v1/session", &user.token),
        (401, "SESSION_EXPIRED".into())
    );
    // And a removed user cannot log in again.
    let nonce = env.challenge(&env.ws1);
    assert_eq!(
        env.try_login(&env.ws1, &pedro.login_token(&env.fingerprint, &nonce)),
        Err("USUARIO_NO_AUTORIZADO".into())
    );

    // Idle for more than 15 minutes.
    env.sql(
        "UPDATE sessions SET last_seen_at = '2020-01-01T00:00:00.000Z' WHERE role = 'COORDINATOR'",
    );
    assert_eq!(
        env.get_code(&env.ws1, "/v1/session", &coordinator.token),
        (401, "SESSION_EXPIRED".into())
    );

    // Logout.
    let again = env.login(&env.ws1, &ana);
    assert_eq!(env.get_code(&env.ws1, "/v1/session", &again.token).0, 200);
    let response = env
        .ws1
        .post(env.url("/v1/auth/logout"))
        .bearer_auth(&again.token)
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        env.get_code(&env.ws1, "/v1/session", &again.token),
        (401, "SESSION_EXPIRED".into())
    );

    // Beyond the 8-hour absolute limit.
    let late = env.login(&env.ws1, &ana);
    env.sql("UPDATE sessions SET expires_at = '2020-01-01T00:00:00.000Z' WHERE ended_at IS NULL");
    assert_eq!(
        env.get_code(&env.ws1, "/v1/session", &late.token),
        (401, "SESSION_EXPIRED".into())
    );

    // The session table never holds a usable token.
    assert!(
        late.token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
    );
    let stored = env.inst.query_i64(&format!(
        "SELECT count(*) FROM sessions WHERE token_hash = '{}'",
        late.token
    ));
    assert_eq!(stored, 0);
}

#[test]
fn audit_verify_catches_an_edited_request_and_export_writes_a_workbook() {
    let env = Env::new();
    let ana = env.coordinator();
    let session = env.login(&env.ws1, &ana);
    assert_eq!(
        env.add(&ana, &session.token, new_user(&cui(1), "Pedro Xol")),
        Ok("DONE".into())
    );
    let out = ok(
        "padron-server",
        &["audit", "verify", "--data", env.inst.data()],
    );
    assert!(out.contains("1 solicitudes firmadas verificadas"), "{out}");

    let xlsx = env.inst.tmp.path().join("auditoria.xlsx");
    let out = ok(
        "padron-server",
        &[
            "audit",
            "export",
            "--data",
            env.inst.data(),
            "--out",
            path_str(&xlsx),
        ],
    );
    assert!(out.contains("1 solicitudes"), "{out}");
    let bytes = fs::read(&xlsx).unwrap();
    assert_eq!(&bytes[..2], b"PK", "an xlsx is a zip");

    // Someone with the database file changes what the coordinator signed.
    env.sql(&format!(
        "UPDATE user_requests SET payload = {}",
        env.inst
            .blob_replace("payload", "Bolsa Social", "Otro programa")
    ));
    let out = run(
        "padron-server",
        &["audit", "verify", "--data", env.inst.data()],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("AUDIT_CHAIN_BROKEN") && err.contains("su payload no es el que registró"),
        "{err}"
    );
}

/// The session routes confirm the workstation in the same call as their
/// work: a workstation revoked by the admin CLI (another process) while its
/// connection and session stay open is refused on the very next request of
/// every kind, and its session opens nothing again.
#[test]
fn a_workstation_revoked_mid_session_is_refused_on_its_next_request() {
    let env = Env::new();
    let ana = env.coordinator();
    let session = env.login(&env.ws1, &ana);
    let other = env.login(&env.ws2, &ana);
    for path in ["/v1/session", "/v1/queries", "/v1/users"] {
        assert_eq!(
            env.get_code(&env.ws1, path, &session.token).0,
            200,
            "{path}"
        );
    }

    let out = ok(
        "padron-server",
        &[
            "workstation",
            "revoke",
            "--data",
            env.inst.data(),
            "--id",
            &env.ws1_id.to_string(),
            "--reason",
            "equipo robado",
        ],
    );
    assert!(out.contains("Estación revocada"), "{out}");

    // The same kept-alive client, at once, with no pause for a reload.
    for path in [
        "/v1/session",
        "/v1/queries",
        "/v1/queries/00000000-0000-0000-0000-000000000000",
        "/v1/users",
    ] {
        assert_eq!(
            env.get_code(&env.ws1, path, &session.token),
            (403, "WORKSTATION_REVOKED".into()),
            "{path}"
        );
    }
    // The other workstation's session goes on.
    assert_eq!(env.get_code(&env.ws2, "/v1/session", &other.token).0, 200);
}
