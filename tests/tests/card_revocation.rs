//! Card certificate revocation and trust under attack (issue 12): each
//! attack is tried against a real server and seen refused with its own
//! code. CRLs come from the software eID authority with chosen numbers and
//! dates; OCSP answers come from a real `openssl ocsp` responder on a
//! loopback port the test picks.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use padron_shared::users::RequestAction;
use padron_tests::eid::{CardKey, CardOptions, CrlSpec, Flaws, TestEid, TestPerson, new_user};
use padron_tests::fixture::{COORDINATOR, Env, cui};
use padron_tests::responders::{OcspResponder, StaticHttp, free_port, silent_port};
use time::{Duration, OffsetDateTime};

fn code(result: Result<padron_shared::auth::SessionInfo, String>) -> String {
    match result {
        Ok(_) => "OK".into(),
        Err(code) => code,
    }
}

/// The attack of the issue: CRL 1 without the card, CRL 2 with it, then
/// CRL 1 again. Before the fix the oldest CRL won and the card logged in.
#[test]
fn a_newer_crl_revokes_and_an_older_one_cannot_take_its_place() {
    let env = Env::new();
    let ana = env.coordinator();
    let crl1 = env.file("crl1.pem", env.eid.crl_with(&CrlSpec::new(1, &[])));
    let out = env.trust(&["add-crl", &crl1]);
    assert!(out.contains("n.º 1"), "{out}");
    assert_eq!(code(env.login_result(&ana)), "OK");

    let crl2 = env.file(
        "crl2.pem",
        env.eid
            .crl_with(&CrlSpec::new(2, &[&ana.auth_serial, &ana.sign_serial])),
    );
    env.trust(&["add-crl", &crl2]);
    assert_eq!(code(env.login_result(&ana)), "CARD_CERTIFICATE_REVOKED");

    // CRL 1 again: refused as not newer; the card stays refused.
    let err = env.trust_fails(&["add-crl", &crl1]);
    assert!(err.contains("CRL_NOT_NEWER"), "{err}");
    assert_eq!(code(env.login_result(&ana)), "CARD_CERTIFICATE_REVOKED");
    // The same number with other contents is not newer either.
    let other2 = env.file("crl2b.pem", env.eid.crl_with(&CrlSpec::new(2, &[])));
    assert!(
        env.trust_fails(&["add-crl", &other2])
            .contains("CRL_NOT_NEWER")
    );
    assert_eq!(code(env.login_result(&ana)), "CARD_CERTIFICATE_REVOKED");

    // A CRL with the root's name but another key is refused at import.
    let impostor = TestEid::new("Test eID CA GT");
    let forged = env.file("forged.pem", impostor.crl_with(&CrlSpec::new(99, &[])));
    let err = env.trust_fails(&["add-crl", &forged]);
    assert!(err.contains("CRL_SIGNATURE_INVALID"), "{err}");
    assert_eq!(code(env.login_result(&ana)), "CARD_CERTIFICATE_REVOKED");

    // A signed request with the revoked signature certificate is refused
    // too (the session was opened with another, valid card of Ana's).
    let other_card = env.coordinator();
    let session = env.login(&env.ws1, &other_card);
    let payload = ana.payload(
        &env.installation,
        RequestAction::Add,
        "MIDES",
        env.ws1_id,
        new_user(&cui(1), "Pedro Xol"),
        OffsetDateTime::now_utc(),
    );
    assert_eq!(
        env.submit(&env.ws1, &session.token, &ana.sign(&payload)),
        Err("CARD_CERTIFICATE_REVOKED".into())
    );

    let list = env.trust(&["list"]);
    assert!(list.contains("n.º 2"), "{list}");
    assert!(
        !list.contains("n.º 1 "),
        "only the current CRL is listed:\n{list}"
    );
}

/// nextUpdate enforced: a CRL past it plus the grace period makes the
/// status unknown and the card is refused (fail closed) until a current
/// CRL is imported.
#[test]
fn a_crl_past_its_next_update_refuses_cards_as_unknown() {
    let env = Env::with_config("[revocation]\ncrl_grace_seconds = 60\n");
    let ana = env.coordinator();
    let now = OffsetDateTime::now_utc();
    let stale = env.file(
        "stale.pem",
        env.eid.crl_with(&CrlSpec {
            number: 5,
            revoked: &[],
            this_update: now - Duration::days(3),
            next_update: now - Duration::minutes(2),
        }),
    );
    env.trust(&["add-crl", &stale]);
    assert_eq!(code(env.login_result(&ana)), "CARD_REVOCATION_UNKNOWN");
    let list = env.trust(&["list"]);
    assert!(list.contains("AVISO: vencida y fuera del margen"), "{list}");

    let fresh = env.file("fresh.pem", env.eid.crl_with(&CrlSpec::new(6, &[])));
    env.trust(&["add-crl", &fresh]);
    assert_eq!(code(env.login_result(&ana)), "OK");
}

/// root → issuing CA → card; the issuing CA revocable by the root's CRL.
#[test]
fn intermediate_cas_chain_and_can_be_revoked_by_the_root() {
    let env = Env::new();
    let issuing = env.eid.intermediate("Test eID Issuing CA GT");
    let ana = issuing.person(COORDINATOR, "ANA LÓPEZ", Flaws::default());
    // Not trusted yet: the issuing CA is no trust anchor.
    assert_eq!(code(env.login_result(&ana)), "CARD_CERTIFICATE_UNTRUSTED");

    // An intermediate of a CA the registry does not trust is refused.
    let stranger = TestEid::new("Otra CA").intermediate("Otra emisora");
    let file = env.file("stranger-int.pem", &stranger.ca_pem);
    let err = env.trust_fails(&["add-intermediate", &file]);
    assert!(err.contains("TRUST_INTERMEDIATE_UNTRUSTED"), "{err}");

    let file = env.file("issuing.pem", &issuing.ca_pem);
    let out = env.trust(&["add-intermediate", &file]);
    assert!(out.contains("CA intermedia de confianza agregada"), "{out}");
    assert_eq!(code(env.login_result(&ana)), "OK");

    // The issuing CA's own CRL (signed by the intermediate) revokes a card.
    let revoked = issuing.person(COORDINATOR, "ANA LÓPEZ", Flaws::default());
    let crl = env.file(
        "issuing-crl.pem",
        issuing.crl_with(&CrlSpec::new(1, &[&revoked.auth_serial])),
    );
    env.trust(&["add-crl", &crl]);
    assert_eq!(code(env.login_result(&revoked)), "CARD_CERTIFICATE_REVOKED");
    assert_eq!(code(env.login_result(&ana)), "OK");

    // The root's CRL revokes the issuing CA: all its cards are refused.
    let root_crl = env.file(
        "root-crl.pem",
        env.eid.crl_with(&CrlSpec::new(1, &[&issuing.serial])),
    );
    env.trust(&["add-crl", &root_crl]);
    assert_eq!(code(env.login_result(&ana)), "CARD_CERTIFICATE_REVOKED");
    // Cards issued by the root itself are unaffected.
    assert_eq!(code(env.login_result(&env.coordinator())), "OK");
    let list = env.trust(&["list"]);
    assert!(list.contains("Test eID Issuing CA GT"), "{list}");
}

/// Web eID's purpose checks: EKU clientAuth (with the per-root
/// exception), policy OIDs per root, key sizes and curves.
#[test]
fn certificate_purpose_policies_and_keys_are_checked() {
    let env = Env::new();
    let with = |options: CardOptions| env.eid.card(COORDINATOR, "ANA LÓPEZ", options);
    let no_eku = with(CardOptions {
        no_eku: true,
        ..CardOptions::default()
    });
    assert_eq!(
        code(env.login_result(&no_eku)),
        "CARD_CERTIFICATE_NO_CLIENT_AUTH"
    );
    let root = env.file("root.pem", &env.eid.ca_pem);
    env.trust(&["root-policy", &root, "--allow-no-eku"]);
    assert_eq!(code(env.login_result(&no_eku)), "OK");

    env.trust(&["root-policy", &root, "--policy", "2.16.320.1.1.1"]);
    assert_eq!(
        code(env.login_result(&env.coordinator())),
        "CARD_CERTIFICATE_POLICY"
    );
    let with_policy = with(CardOptions {
        policies: vec![vec![2, 16, 320, 1, 1, 1]],
        ..CardOptions::default()
    });
    assert_eq!(code(env.login_result(&with_policy)), "OK");
    let other_policy = with(CardOptions {
        policies: vec![vec![2, 16, 320, 9]],
        ..CardOptions::default()
    });
    assert_eq!(
        code(env.login_result(&other_policy)),
        "CARD_CERTIFICATE_POLICY"
    );
    env.trust(&["root-policy", &root]);

    let weak = with(CardOptions {
        key: CardKey::Rsa1024,
        ..CardOptions::default()
    });
    assert_eq!(code(env.login_result(&weak)), "CARD_CERTIFICATE_KEY");
    let p521 = with(CardOptions {
        key: CardKey::P521,
        ..CardOptions::default()
    });
    assert_eq!(code(env.login_result(&p521)), "CARD_CERTIFICATE_KEY");
}

/// `trust remove-root`: the sessions of cards under it end at once.
#[test]
fn removing_a_root_ends_the_sessions_of_its_cards() {
    let env = Env::new();
    let ana = env.coordinator();
    let session = env.login(&env.ws1, &ana);
    assert_eq!(
        env.get_code(&env.ws1, "/v1/requests", &session.token).0,
        200
    );

    let err = env.trust_fails(&["remove-root", &"ab".repeat(32)]);
    assert!(err.contains("TRUST_ROOT_UNKNOWN"), "{err}");
    let root = env.file("root.pem", &env.eid.ca_pem);
    let out = env.trust(&["remove-root", &root]);
    assert!(out.contains("1 sesiones terminadas"), "{out}");
    assert_eq!(
        env.get_code(&env.ws1, "/v1/requests", &session.token),
        (401, "SESSION_TRUST_REMOVED".into())
    );
    assert_eq!(code(env.login_result(&ana)), "CARD_CERTIFICATE_UNTRUSTED");
}

/// `serve` fetches CRLs by itself: from the distribution point of the
/// cards it has seen, and shows the last good fetch in `trust list`.
#[test]
fn serve_refreshes_crls_from_the_distribution_point() {
    let env = Env::with_config("[revocation]\ncrl_refresh_seconds = 1\n");
    let http = StaticHttp::start(pem_der(&env.eid.crl_with(&CrlSpec::new(1, &[]))));
    let ana = env.eid.card(
        COORDINATOR,
        "ANA LÓPEZ",
        CardOptions {
            crl_url: Some(http.url("/eid.crl")),
            ..CardOptions::default()
        },
    );
    // The first login shows the server where the CRL is.
    assert_eq!(code(env.login_result(&ana)), "OK");
    let list = wait_for(|| {
        let list = env.trust(&["list"]);
        list.contains(&http.url("/eid.crl")).then_some(list)
    });
    assert!(list.contains("última descarga correcta"), "{list}");

    // The authority publishes CRL 2 revoking the card: no admin step.
    http.set(pem_der(
        &env.eid.crl_with(&CrlSpec::new(2, &[&ana.auth_serial])),
    ));
    wait_for(|| (code(env.login_result(&ana)) == "CARD_CERTIFICATE_REVOKED").then_some(()));

    // A distribution point that serves an older CRL cannot roll it back.
    http.set(pem_der(&env.eid.crl_with(&CrlSpec::new(1, &[]))));
    let list = wait_for(|| {
        let list = env.trust(&["list"]);
        list.contains("último intento fallido").then_some(list)
    });
    assert!(list.contains("n.º 2"), "{list}");
    assert_eq!(code(env.login_result(&ana)), "CARD_CERTIFICATE_REVOKED");
}

/// The configured URL per issuer, fetched by `trust refresh-crls`.
#[test]
fn a_configured_crl_url_is_fetched_on_demand() {
    let env = Env::new();
    let ana = env.coordinator();
    let http = StaticHttp::start(pem_der(
        &env.eid.crl_with(&CrlSpec::new(3, &[&ana.auth_serial])),
    ));
    let root = env.file("root.pem", &env.eid.ca_pem);
    env.trust(&["issuer", &root, "--crl-url", &http.url("/root.crl")]);
    let out = env.trust(&["refresh-crls"]);
    assert!(out.contains("CRL nueva"), "{out}");
    assert_eq!(code(env.login_result(&ana)), "CARD_CERTIFICATE_REVOKED");
    let out = env.trust(&["refresh-crls"]);
    assert!(out.contains("CRL sin cambios"), "{out}");
}

fn pem_der(pem: &str) -> Vec<u8> {
    pem.as_bytes().to_vec()
}

fn wait_for<T>(mut f: impl FnMut() -> Option<T>) -> T {
    for _ in 0..60 {
        if let Some(v) = f() {
            return v;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    panic!("condition not reached in 30 s");
}

struct OcspSetup {
    env: Env,
    good: TestPerson,
    revoked: TestPerson,
    unknown: TestPerson,
    responder: OcspResponder,
    root: String,
}

/// A responder for the root with a good, a revoked and an unknown card;
/// the good and revoked cards name it in their AIA.
fn ocsp_setup(config: &str) -> OcspSetup {
    let env = Env::with_config(config);
    // The cards are made first, the responder's index lists them.
    let (resp_pem, resp_key) = env.eid.ocsp_responder("Test OCSP responder");
    let good = env
        .eid
        .card(COORDINATOR, "ANA LÓPEZ", CardOptions::default());
    let revoked = env
        .eid
        .card(COORDINATOR, "ANA LÓPEZ", CardOptions::default());
    let unknown = env
        .eid
        .card(COORDINATOR, "ANA LÓPEZ", CardOptions::default());
    let index = [
        TestEid::index_line(&good.auth_serial, false),
        TestEid::index_line(&good.sign_serial, false),
        TestEid::index_line(&revoked.auth_serial, true),
        TestEid::index_line(&revoked.sign_serial, true),
    ]
    .concat();
    let responder = OcspResponder::start(
        &env.inst.tmp.path().join("ocsp"),
        &env.eid.ca_pem,
        &index,
        &resp_pem,
        &resp_key,
    );
    let root = env.file("root.pem", &env.eid.ca_pem);
    OcspSetup {
        env,
        good,
        revoked,
        unknown,
        responder,
        root,
    }
}

/// OCSP as Web eID checks it, against a real responder: good, revoked,
/// unknown (= revoked), a response signed by a key the issuer never
/// delegated to, a replayed response (another nonce).
#[test]
fn ocsp_good_revoked_unknown_forged_and_replayed() {
    let s = ocsp_setup("");
    let env = &s.env;
    env.trust(&["issuer", &s.root, "--ocsp-url", &s.responder.url()]);
    let first = code(env.login_result(&s.good));
    let audit = padron_tests::ok(
        "padron-server",
        &["audit", "list", "--data", env.inst.data(), "--limit", "100"],
    );
    assert_eq!(first, "OK", "{audit}");
    assert_eq!(
        code(env.login_result(&s.revoked)),
        "CARD_CERTIFICATE_REVOKED"
    );
    assert_eq!(
        code(env.login_result(&s.unknown)),
        "CARD_CERTIFICATE_REVOKED"
    );
    let audit = padron_tests::ok(
        "padron-server",
        &["audit", "list", "--data", env.inst.data(), "--limit", "100"],
    );
    assert!(
        audit.contains("status unknown"),
        "unknown counted as revoked:\n{audit}"
    );
    // A signed request with the revoked signature certificate.
    let session = env.login(&env.ws1, &s.good);
    let payload = s.revoked.payload(
        &env.installation,
        RequestAction::Add,
        "MIDES",
        env.ws1_id,
        new_user(&cui(1), "Pedro Xol"),
        OffsetDateTime::now_utc(),
    );
    assert_eq!(
        env.submit(&env.ws1, &session.token, &s.revoked.sign(&payload)),
        Err("CARD_CERTIFICATE_REVOKED".into())
    );

    // A replayed response: genuine, but for another request's nonce.
    let recorded = s.responder.fetch(
        &env.inst.tmp.path().join("ocsp"),
        &env.eid.ca_pem,
        &s.good.auth_der,
        true,
    );
    let replay = StaticHttp::start(recorded);
    env.trust(&["issuer", &s.root, "--ocsp-url", &replay.url("/")]);
    assert_eq!(code(env.login_result(&s.good)), "OCSP_NONCE_MISMATCH");

    // A responder whose certificate the issuer never issued (another CA's
    // OCSP responder, "the wrong key").
    let other = TestEid::new("Otra CA");
    let (wrong_pem, wrong_key) = other.ocsp_responder("Falso OCSP");
    let forged = OcspResponder::start(
        &env.inst.tmp.path().join("ocsp-forged"),
        &env.eid.ca_pem,
        &TestEid::index_line(&s.good.auth_serial, false),
        &wrong_pem,
        &wrong_key,
    );
    env.trust(&["issuer", &s.root, "--ocsp-url", &forged.url()]);
    assert_eq!(code(env.login_result(&s.good)), "OCSP_SIGNER_UNTRUSTED");
}

/// The responder named in the certificate's AIA is used without any
/// configuration.
#[test]
fn ocsp_responder_from_the_certificate_aia() {
    let env = Env::new();
    let port = free_port();
    let aia = CardOptions {
        ocsp_url: Some(format!("http://127.0.0.1:{port}")),
        ..CardOptions::default()
    };
    let good = env.eid.card(COORDINATOR, "ANA LÓPEZ", aia.clone());
    let revoked = env.eid.card(COORDINATOR, "ANA LÓPEZ", aia);
    let (resp_pem, resp_key) = env.eid.ocsp_responder("AIA OCSP");
    let index = [
        TestEid::index_line(&good.auth_serial, false),
        TestEid::index_line(&revoked.auth_serial, true),
    ]
    .concat();
    let _responder = OcspResponder::start_on(
        port,
        &env.inst.tmp.path().join("ocsp-aia"),
        &env.eid.ca_pem,
        &index,
        &resp_pem,
        &resp_key,
    );
    assert_eq!(code(env.login_result(&good)), "OK");
    assert_eq!(code(env.login_result(&revoked)), "CARD_CERTIFICATE_REVOKED");
    // Without an AIA and without configuration there is no OCSP: the
    // (absent) CRLs decide.
    assert_eq!(code(env.login_result(&env.coordinator())), "OK");
}

/// A stale response (replayed after its thisUpdate aged past the limit),
/// from a responder configured without nonce.
#[test]
fn a_stale_ocsp_response_is_refused() {
    let s = ocsp_setup("[revocation]\nocsp_clock_skew_seconds = 0\nocsp_max_age_seconds = 1\n");
    let env = &s.env;
    let recorded = s.responder.fetch(
        &env.inst.tmp.path().join("ocsp"),
        &env.eid.ca_pem,
        &s.good.auth_der,
        false,
    );
    let cached = StaticHttp::start(recorded);
    env.trust(&[
        "issuer",
        &s.root,
        "--ocsp-url",
        &cached.url("/"),
        "--no-nonce",
    ]);
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert_eq!(code(env.login_result(&s.good)), "OCSP_RESPONSE_STALE");
}

/// An unreachable or hung responder: refused by default (status unknown),
/// or decided by the CRL when the admin chose so.
#[test]
fn an_unreachable_ocsp_responder_refuses_or_falls_back_to_the_crl() {
    let env = Env::with_config("[revocation]\nfetch_timeout_seconds = 1\n");
    let ana = env.coordinator();
    let root = env.file("root.pem", &env.eid.ca_pem);
    let closed = format!("http://127.0.0.1:{}/", free_port());
    env.trust(&["issuer", &root, "--ocsp-url", &closed]);
    assert_eq!(code(env.login_result(&ana)), "CARD_REVOCATION_UNKNOWN");
    let hung = format!("http://127.0.0.1:{}/", silent_port());
    env.trust(&["issuer", &root, "--ocsp-url", &hung]);
    assert_eq!(code(env.login_result(&ana)), "CARD_REVOCATION_UNKNOWN");

    // Fallback to the CRL: with no CRL there is nothing to fall back to.
    env.trust(&[
        "issuer",
        &root,
        "--ocsp-url",
        &hung,
        "--ocsp-unavailable",
        "crl",
    ]);
    assert_eq!(code(env.login_result(&ana)), "CARD_REVOCATION_UNKNOWN");
    let revoked = env.coordinator();
    let crl = env.file(
        "crl.pem",
        env.eid.crl_with(&CrlSpec::new(1, &[&revoked.auth_serial])),
    );
    env.trust(&["add-crl", &crl]);
    assert_eq!(code(env.login_result(&ana)), "OK");
    assert_eq!(code(env.login_result(&revoked)), "CARD_CERTIFICATE_REVOKED");
}
