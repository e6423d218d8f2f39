//! The happy paths of card login and user administration, end to end:
//! `padron-card` (a PIV card in vsmartcard's vpcd reader of a real pcscd)
//! → `padron-agent` CLI (PIN from `PADRON_PIN`) → `padron-server`, for a
//! P-256 and an RSA-2048 card; and the session ending when the card is
//! removed. Serialised with the other pcscd tests (nextest group `pcscd`
//! and the test bed's file lock).
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use padron_drivers::testbed::VirtualCard;
use padron_tests::card_env::{ADD_PEDRO, COORDINATOR, CardEnv as Env, PEDRO as USER, assert_ok};
use padron_tests::{bin, ok, path_str, stderr};

fn administer_with(algorithm: &str) {
    let env = Env::new();
    let card = env.issue("ana", COORDINATOR, "ANA LUCÍA", "LÓPEZ PÉREZ", algorithm);
    let inserted = VirtualCard::insert(&bin("padron-card"), &card, 0).unwrap();
    let reader = inserted.reader.clone();

    let out = env.agent(&reader, &["login"]);
    assert_ok(&out);
    assert!(
        stderr(&out)
            .contains("Sesión iniciada: Ana López (coordinador(a), CUI 1234 56789 0101) — MIDES")
    );

    let out = env.agent(
        &reader,
        &[
            "users",
            "add",
            "--cui",
            USER,
            "--name",
            "Pedro Xol Caal",
            "--email",
            "pedro.xol@mides.gob.gt",
            "--phone",
            "5555 1234",
            "--department",
            "Dirección de Programas",
            "--post",
            "Analista",
            "--programme",
            "Bolsa Social",
        ],
    );
    let text = assert_ok(&out);
    assert!(text.contains(&format!("ADD     {USER}   DONE")), "{text}");

    let out = env.agent(
        &reader,
        &[
            "users",
            "update",
            "--cui",
            USER,
            "--email",
            "pxol@mides.gob.gt",
            "--post",
            "Jefe",
        ],
    );
    assert!(assert_ok(&out).contains("UPDATE  9876543220101   DONE"));

    let list = assert_ok(&env.agent(&reader, &["users", "list"]));
    assert!(
        list.contains("Pedro Xol Caal") && list.contains("ACTIVE"),
        "{list}"
    );
    assert!(list.contains("Usuarios activos: 1 / 10"), "{list}");

    let out = env.agent(
        &reader,
        &[
            "users",
            "remove",
            "--cui",
            USER,
            "--reason",
            "employment-ended",
        ],
    );
    assert!(assert_ok(&out).contains("REMOVE  9876543220101   DONE"));
    let out = env.agent(
        &reader,
        &[
            "users",
            "remove",
            "--cui",
            USER,
            "--reason",
            "employment-ended",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("error [USER_UNKNOWN]"),
        "{}",
        stderr(&out)
    );

    let requests = assert_ok(&env.agent(&reader, &["requests", "list"]));
    assert_eq!(
        requests.lines().filter(|l| l.contains(" DONE ")).count(),
        3,
        "{requests}"
    );
    assert!(requests.contains("REJECTED [USER_UNKNOWN]"), "{requests}");

    // A bad CUI is refused before anything is signed.
    let out = env.agent(
        &reader,
        &[
            "users",
            "remove",
            "--cui",
            "1234567880101",
            "--reason",
            "functions-changed",
        ],
    );
    assert!(
        stderr(&out).contains("error [CUI_INVALIDO]"),
        "{}",
        stderr(&out)
    );

    // The stored signatures of the real card verify in an audit.
    let audit = ok(
        "padron-server",
        &["audit", "verify", "--data", env.inst.data()],
    );
    assert!(
        audit.contains("4 solicitudes firmadas verificadas"),
        "{audit}"
    );
    drop(env.server);
}

#[test]
fn coordinator_with_a_p256_card_adds_updates_and_removes_a_user() {
    administer_with("p256");
}

#[test]
fn coordinator_with_an_rsa2048_card_adds_updates_and_removes_a_user() {
    administer_with("rsa2048");
}

#[test]
fn a_user_logs_in_with_their_card_but_cannot_administer() {
    let env = Env::new();
    let ana = env.issue("ana", COORDINATOR, "ANA", "LÓPEZ", "p256");
    let pedro = env.issue("pedro", USER, "PEDRO", "XOL CAAL", "p256");
    let ana_card = VirtualCard::insert(&bin("padron-card"), &ana, 0).unwrap();
    let pedro_card = VirtualCard::insert(&bin("padron-card"), &pedro, 1).unwrap();

    // Before being added, Pedro is nobody to this institution.
    let out = env.agent(&pedro_card.reader, &["login"]);
    assert!(
        stderr(&out).contains("error [USUARIO_NO_AUTORIZADO]"),
        "{}",
        stderr(&out)
    );

    assert_ok(&env.agent(&ana_card.reader, &ADD_PEDRO));

    let out = env.agent(&pedro_card.reader, &["login"]);
    assert_ok(&out);
    assert!(
        stderr(&out).contains("Pedro Xol (usuario(a), CUI 9876 54322 0101)"),
        "{}",
        stderr(&out)
    );
    let out = env.agent(&pedro_card.reader, &["users", "list"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("error [COORDINATOR_ONLY]"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn removing_the_card_ends_the_session_at_once() {
    let env = Env::new();
    let card = env.issue("ana", COORDINATOR, "ANA", "LÓPEZ", "p256");
    let inserted = VirtualCard::insert(&bin("padron-card"), &card, 0).unwrap();
    let config = env.config_for(&inserted.reader);

    let mut agent = Command::new(bin("padron-agent"))
        .arg("--config")
        .arg(&config)
        .args(["login", "--until-removed"])
        .env("PADRON_PIN", "123456")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(agent.stdout.take().unwrap()).lines();
    let open = lines.find(|l| {
        l.as_ref()
            .is_ok_and(|l| l.contains("hasta que retire la tarjeta"))
    });
    assert!(open.is_some(), "the agent never reported an open session");
    let open_sessions = || -> i64 {
        env.inst
            .query_i64("SELECT count(*) FROM sessions WHERE ended_at IS NULL")
    };
    assert_eq!(open_sessions(), 1);

    let removed_at = Instant::now();
    inserted.remove().unwrap();
    let status = wait(&mut agent, Duration::from_secs(10));
    let elapsed = removed_at.elapsed();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut agent.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status, Some(1), "{err}");
    assert!(err.contains("error [CARD_REMOVED]"), "{err}");
    assert!(elapsed < Duration::from_secs(3), "logout took {elapsed:?}");
    assert_eq!(open_sessions(), 0, "the server still holds the session");
    let reason = env.inst.query_one("SELECT end_reason FROM sessions");
    assert_eq!(reason, "LOGOUT");
}

fn wait(child: &mut std::process::Child, timeout: Duration) -> Option<i32> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    panic!("the agent did not end after the card was removed");
}

#[test]
fn a_user_submits_a_workbook_with_the_agent_and_saves_the_result() {
    let env = Env::new();
    let csv = env.inst.tmp.path().join("registro.csv");
    ok(
        "padron-server",
        &[
            "registry",
            "generate",
            "--persons",
            "2000",
            "--seed",
            "3",
            "--out",
            path_str(&csv),
        ],
    );
    ok(
        "padron-server",
        &[
            "registry",
            "import",
            "--data",
            env.inst.data(),
            path_str(&csv),
        ],
    );
    let ana = env.issue("ana", COORDINATOR, "ANA", "LÓPEZ", "p256");
    let pedro = env.issue("pedro", USER, "PEDRO", "XOL CAAL", "rsa2048");
    let ana_card = VirtualCard::insert(&bin("padron-card"), &ana, 0).unwrap();
    let pedro_card = VirtualCard::insert(&bin("padron-card"), &pedro, 1).unwrap();
    assert_ok(&env.agent(&ana_card.reader, &ADD_PEDRO));

    let mut cuis = padron_tests::workbooks::registry_cuis(&csv, 25);
    cuis.push("1234567880101".into());
    let input = env.inst.tmp.path().join("beneficiarios.xlsx");
    std::fs::write(
        &input,
        padron_tests::workbooks::cui_workbook(&cuis, "Bolsa Social"),
    )
    .unwrap();
    let output = env.inst.tmp.path().join("resultado.xlsx");
    let out = env.agent(
        &pedro_card.reader,
        &[
            "query",
            "submit",
            path_str(&input),
            "--wait",
            "--out",
            path_str(&output),
        ],
    );
    let text = assert_ok(&out);
    assert!(text.contains("26 filas, CUI"), "{text}");
    assert!(text.contains("Resultado guardado en"), "{text}");
    let rows = padron_tests::workbooks::result_rows(&output);
    assert_eq!(rows.len(), 27);
    assert_eq!(rows.iter().filter(|r| r[16] == "ENCONTRADO").count(), 25);
    assert_eq!(rows[26][16], "CUI_INVALIDO");

    let list = assert_ok(&env.agent(&pedro_card.reader, &["query", "list"]));
    assert!(
        list.contains("DONE") && list.contains("beneficiarios.xlsx"),
        "{list}"
    );
}
