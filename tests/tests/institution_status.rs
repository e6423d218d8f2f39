//! Inactive institutions and blocked users are refused, saying exactly why,
//! and are let back in by the act the rules name: a payment for a payment
//! suspension, an admin's decision for a breach, an unblock for a block.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use padron_tests::eid::{Flaws, new_user};
use padron_tests::fixture::{Env, cui};
use padron_tests::{ok, run, stderr};

fn refusal(env: &Env, token: &str, lang: &str) -> (u16, String, String) {
    let response = env
        .ws1
        .get(env.url("/v1/session"))
        .bearer_auth(token)
        .header("Accept-Language", lang)
        .send()
        .unwrap();
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().unwrap();
    (
        status,
        body["code"].as_str().unwrap_or_default().to_owned(),
        format!(
            "{} {}",
            body["message"].as_str().unwrap_or_default(),
            body["detail"].as_str().unwrap_or_default()
        ),
    )
}

#[test]
fn a_payment_suspension_is_lifted_by_the_payment() {
    let env = Env::new();
    let d = env.inst.data();
    let session = env.login(&env.ws1, &env.coordinator());
    let out = ok(
        "padron-server",
        &[
            "institution",
            "suspend",
            "--data",
            d,
            "--code",
            "MIDES",
            "--reason",
            "payment",
            "--period",
            "2026-10",
        ],
    );
    assert!(
        out.contains("inactiva") && out.contains("falta de pago del consumo de 2026-10"),
        "{out}"
    );

    // The open session ends with the reason, in either language.
    let (status, code, text) = refusal(&env, &session.token, "es");
    assert_eq!((status, code.as_str()), (403, "INSTITUTION_INACTIVE"));
    assert!(
        text.contains("La institución está inactiva")
            && text.contains("falta de pago del consumo de 2026-10"),
        "{text}"
    );
    let (_, _, text) = refusal(&env, &session.token, "en");
    assert!(text.contains("unpaid consumption for 2026-10"), "{text}");
    // A new login too.
    let nonce = env.challenge(&env.ws1);
    assert_eq!(
        env.try_login(
            &env.ws1,
            &env.coordinator().login_token(&env.fingerprint, &nonce)
        ),
        Err("INSTITUTION_INACTIVE".into())
    );
    let show = ok(
        "padron-server",
        &["institution", "show", "--data", d, "MIDES"],
    );
    assert!(
        show.contains("inactiva (PAYMENT)") && show.contains("Se reactiva al registrarse el pago"),
        "{show}"
    );

    let out = run(
        "padron-server",
        &[
            "payment",
            "record",
            "--data",
            d,
            "--institution",
            "MIDES",
            "--period",
            "2026-13",
            "--amount",
            "10",
        ],
    );
    assert!(stderr(&out).contains("PAYMENT_INVALID"), "{}", stderr(&out));
    let out = ok(
        "padron-server",
        &[
            "payment",
            "record",
            "--data",
            d,
            "--institution",
            "MIDES",
            "--period",
            "2026-10",
            "--amount",
            "1500.50",
        ],
    );
    assert!(out.contains("Institución MIDES: activa"), "{out}");
    env.login(&env.ws1, &env.coordinator());
}

#[test]
fn a_breach_needs_the_admin_not_a_payment() {
    let env = Env::new();
    let d = env.inst.data();
    ok(
        "padron-server",
        &[
            "institution",
            "suspend",
            "--data",
            d,
            "--code",
            "MIDES",
            "--reason",
            "breach",
            "--note",
            "cláusula quinta",
        ],
    );
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
            "2026-10",
            "--amount",
            "100",
        ],
    );
    let nonce = env.challenge(&env.ws1);
    assert_eq!(
        env.try_login(
            &env.ws1,
            &env.coordinator().login_token(&env.fingerprint, &nonce)
        ),
        Err("INSTITUTION_INACTIVE".into()),
        "a payment does not lift a breach"
    );
    let out = ok(
        "padron-server",
        &["institution", "reactivate", "--data", d, "--code", "MIDES"],
    );
    assert!(out.contains("activa"), "{out}");
    env.login(&env.ws1, &env.coordinator());
    let out = run(
        "padron-server",
        &["institution", "reactivate", "--data", d, "--code", "MIDES"],
    );
    assert!(
        stderr(&out).contains("INSTITUTION_STATE_CONFLICT"),
        "{}",
        stderr(&out)
    );
    let audit = ok("padron-server", &["audit", "list", "--data", d]);
    for action in [
        "institution.suspend",
        "payment.record",
        "institution.reactivate",
    ] {
        assert!(audit.contains(action), "{action}:\n{audit}");
    }
}

#[test]
fn a_blocked_user_is_refused_at_login_and_mid_session_until_unblocked() {
    let env = Env::new();
    let d = env.inst.data();
    let ana = env.coordinator();
    let coordinator = env.login(&env.ws1, &ana);
    assert_eq!(
        env.add(&ana, &coordinator.token, new_user(&cui(1), "Pedro")),
        Ok("DONE".into())
    );
    let pedro = env.eid.person(&cui(1), "PEDRO", Flaws::default());
    let session = env.login(&env.ws1, &pedro);

    let out = ok(
        "padron-server",
        &[
            "user",
            "block",
            "--data",
            d,
            "--cui",
            &cui(1),
            "--reason",
            "consultas ajenas al programa",
        ],
    );
    assert!(out.contains("Persona bloqueada"), "{out}");
    assert_eq!(refusal(&env, &session.token, "es").1, "USER_BLOCKED");
    let upload = env
        .ws1
        .post(env.url("/v1/queries?name=x.xlsx"))
        .bearer_auth(&session.token)
        .body(vec![1, 2, 3])
        .send()
        .unwrap();
    let body: serde_json::Value = upload.json().unwrap();
    assert_eq!(body["code"], "USER_BLOCKED");
    let nonce = env.challenge(&env.ws1);
    assert_eq!(
        env.try_login(&env.ws1, &pedro.login_token(&env.fingerprint, &nonce)),
        Err("USER_BLOCKED".into())
    );

    ok(
        "padron-server",
        &["user", "unblock", "--data", d, "--cui", &cui(1)],
    );
    env.login(&env.ws1, &pedro);
    // The block is on the person: a CUI nobody added can be blocked too.
    let out = run(
        "padron-server",
        &[
            "user",
            "block",
            "--data",
            d,
            "--cui",
            &cui(77),
            "--reason",
            "x",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(
        "padron-server",
        &["user", "unblock", "--data", d, "--cui", &cui(78)],
    );
    assert!(stderr(&out).contains("USER_UNKNOWN"), "{}", stderr(&out));
}
