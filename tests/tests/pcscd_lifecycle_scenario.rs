//! The lifecycle over simulated months, as the people involved live it:
//! the registry admin acts with `padron-server`, the coordinator and the
//! user with their (virtual) eID cards through `padron-agent`. Quota, the
//! agreement's services, suspension for payment and for breach, a blocked
//! user, the January deactivation, 89 vs 90 days without queries, renewal,
//! and the reports at the end. Every refusal is checked by code and words.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::process::Output;

use padron_drivers::testbed::VirtualCard;
use padron_tests::card_env::{ADD_PEDRO, COORDINATOR, CardEnv, PEDRO, assert_ok};
use padron_tests::consulta::registry_for;
use padron_tests::workbooks::{cui_workbook, registry_cuis, sheet_rows};
use padron_tests::{bin, ok, path_str, run, stderr};
use time::{Duration, OffsetDateTime};

/// The refusal the agent printed: exit status 1 and `error [CODE]` with words.
fn refused(out: &Output, code: &str, words: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "expected {code}: {err}");
    assert!(
        err.contains(&format!("error [{code}]")),
        "expected {code}: {err}"
    );
    assert!(err.contains(words), "expected {words:?} in: {err}");
}

fn admin(args: &[&str]) -> String {
    ok("padron-server", args)
}

#[test]
fn an_institution_lives_through_suspensions_january_and_ninety_quiet_days() {
    let env = CardEnv::new();
    let d = env.inst.data();
    // The registry's local day (America/Guatemala), not UTC's.
    let today = padron_shared::calendar::Zone::guatemala().date_of(OffsetDateTime::now_utc());
    let y = today.year();
    let month = format!("{y:04}-{:02}", today.month() as u8);
    let next_month = {
        let first = today.replace_day(1).unwrap();
        (first + Duration::days(32)).replace_day(1).unwrap()
    };
    let csv = registry_for(&env.inst, "300");
    let cuis = registry_cuis(&csv, 20);
    let tmp = env.inst.tmp.path();
    let book = |name: &str, n: usize| {
        let path = tmp.join(name);
        std::fs::write(&path, cui_workbook(&cuis[..n], "Bolsa Social")).unwrap();
        path
    };

    // The agreement: by CUI only, 12 rows a month.
    admin(&[
        "agreement",
        "set",
        "--data",
        d,
        "--institution",
        "MIDES",
        "--from",
        &format!("{}-01-01", y - 1),
        "--to",
        &format!("{}-12-31", y + 2),
        "--monthly-quota",
        "12",
        "--services",
        "cui",
    ]);

    let ana = env.issue("ana", COORDINATOR, "ANA", "LÓPEZ", "p256");
    let pedro = env.issue("pedro", PEDRO, "PEDRO", "XOL", "p256");
    let ana = VirtualCard::insert(&bin("padron-card"), &ana, 0).unwrap();
    let pedro = VirtualCard::insert(&bin("padron-card"), &pedro, 1).unwrap();
    let (a, p) = (ana.reader.clone(), pedro.reader.clone());
    assert_ok(&env.agent(&a, &ADD_PEDRO));

    // Month 0: Pedro queries 5 rows; 8 more would pass the quota; names are not in the agreement.
    let out5 = tmp.join("r5.xlsx");
    let q5 = book("q5.xlsx", 5);
    assert_ok(&env.agent(
        &p,
        &[
            "query",
            "submit",
            path_str(&q5),
            "--wait",
            "--out",
            path_str(&out5),
        ],
    ));
    assert_eq!(sheet_rows(&out5, "resultados").len(), 6);
    let q8 = book("q8.xlsx", 8);
    refused(
        &env.agent(&p, &["query", "submit", path_str(&q8)]),
        "QUOTA_EXCEEDED",
        &format!(
            "Quedan 7 filas este mes; el archivo tiene 8. La cuota se renueva el {}.",
            padron_shared::calendar::show_day(next_month, padron_shared::Lang::Es)
        ),
    );
    let names_csv = tmp.join("nombres.csv");
    std::fs::write(
        &names_csv,
        "Referencia,Primer nombre,Segundo nombre,Tercer nombre,Primer apellido,Segundo apellido,Apellido de casada,Programa\n\
         1,PEDRO,,,XOL,CAAL,,Bolsa Social\n",
    )
    .unwrap();
    let names = tmp.join("nombres.xlsx");
    assert_ok(&env.agent(
        &p,
        &[
            "query-template",
            "--names",
            "--from-csv",
            path_str(&names_csv),
            "--out",
            path_str(&names),
        ],
    ));
    refused(
        &env.agent(&p, &["query", "submit", path_str(&names)]),
        "SERVICE_NOT_IN_AGREEMENT",
        "Consulta por nombres.",
    );

    // Unpaid consumption: nobody of MIDES gets in until the payment is recorded.
    let unpaid = "2026-10";
    admin(&[
        "institution",
        "suspend",
        "--data",
        d,
        "--code",
        "MIDES",
        "--reason",
        "payment",
        "--period",
        unpaid,
    ]);
    refused(
        &env.agent(&p, &["login"]),
        "INSTITUTION_INACTIVE",
        &format!("falta de pago del consumo de {unpaid}"),
    );
    refused(
        &env.agent(&a, &["users", "list"]),
        "INSTITUTION_INACTIVE",
        "Se reactiva al registrarse el pago",
    );
    admin(&[
        "payment",
        "record",
        "--data",
        d,
        "--institution",
        "MIDES",
        "--period",
        unpaid,
        "--amount",
        "1500.00",
    ]);
    assert_ok(&env.agent(&p, &["login"]));

    // A breach: a payment does not lift it; the admin does.
    admin(&[
        "institution",
        "suspend",
        "--data",
        d,
        "--code",
        "MIDES",
        "--reason",
        "breach",
        "--note",
        "cláusula 7",
    ]);
    admin(&[
        "payment",
        "record",
        "--data",
        d,
        "--institution",
        "MIDES",
        "--period",
        &month,
        "--amount",
        "100",
    ]);
    refused(
        &env.agent(&p, &["login"]),
        "INSTITUTION_INACTIVE",
        "incumplimiento de una cláusula del convenio: cláusula 7",
    );
    admin(&["institution", "reactivate", "--data", d, "--code", "MIDES"]);
    assert_ok(&env.agent(&p, &["login"]));

    // Pedro blocked for misuse, then unblocked.
    admin(&[
        "user",
        "block",
        "--data",
        d,
        "--cui",
        PEDRO,
        "--reason",
        "uso indebido",
    ]);
    refused(
        &env.agent(&p, &["login"]),
        "USER_BLOCKED",
        "solo el registro puede desbloquearlo",
    );
    admin(&["user", "unblock", "--data", d, "--cui", PEDRO]);
    assert_ok(&env.agent(&p, &["login"]));

    // This year's January pass (evaluated as of 2 January): MIDES asked for
    // no continuity, so Pedro is deactivated; Ana stays and adds him again.
    let january = admin(&[
        "lifecycle",
        "run",
        "--data",
        d,
        "--at",
        &format!("{y}-01-02"),
    ]);
    assert!(january.contains("1 usuarios desactivados"), "{january}");
    refused(
        &env.agent(&p, &["login"]),
        "USUARIO_NO_AUTORIZADO",
        &format!("Su acceso se desactivó el {y}-01-02 en la desactivación anual de enero"),
    );
    assert_ok(&env.agent(&a, &["login"]));
    assert_ok(&env.agent(&a, &ADD_PEDRO));
    assert_ok(&env.agent(&p, &["login"]));

    // 89 days after Pedro's query nothing happens; on the 90th MIDES is cancelled.
    let day = |n: i64| (today + Duration::days(n)).to_string();
    let quiet = admin(&["lifecycle", "run", "--data", d, "--at", &day(89)]);
    assert!(quiet.contains(": 0 cambios"), "{quiet}");
    let cancelled = admin(&["lifecycle", "run", "--data", d, "--at", &day(90)]);
    assert!(
        cancelled.contains(&format!("sin consultas desde {today}")),
        "{cancelled}"
    );
    refused(
        &env.agent(&a, &["login"]),
        "INSTITUTION_CANCELLED",
        &format!("no realizó consultas en 90 días (la última fue el {today})"),
    );
    let q2 = book("q2.xlsx", 2);
    refused(
        &env.agent(&p, &["query", "submit", path_str(&q2)]),
        "INSTITUTION_CANCELLED",
        "convenio renovado",
    );

    // A renewed agreement reinstates it; Pedro queries again within the quota.
    admin(&[
        "agreement",
        "renew",
        "--data",
        d,
        "--institution",
        "MIDES",
        "--to",
        &format!("{}-12-31", y + 3),
    ]);
    let out2 = tmp.join("r2.xlsx");
    assert_ok(&env.agent(
        &p,
        &[
            "query",
            "submit",
            path_str(&q2),
            "--wait",
            "--out",
            path_str(&out2),
        ],
    ));

    // The reports: Ana's view of Pedro's activity, the admin's month.
    let activity = tmp.join("actividad.xlsx");
    let printed = assert_ok(&env.agent(
        &a,
        &[
            "report",
            "user",
            "--cui",
            PEDRO,
            "--from",
            &day(-1),
            "--to",
            &day(1),
            "--out",
            path_str(&activity),
        ],
    ));
    assert!(printed.contains("2 consultas, 7 filas"), "{printed}");
    assert!(printed.contains("ENCONTRADO 7"), "{printed}");
    assert_eq!(sheet_rows(&activity, "consultas").len(), 3);
    refused(
        &env.agent(
            &p,
            &[
                "report",
                "user",
                "--cui",
                PEDRO,
                "--from",
                &day(-1),
                "--to",
                &day(1),
                "--out",
                path_str(&activity),
            ],
        ),
        "COORDINATOR_ONLY",
        "",
    );
    let bad = env.agent(
        &a,
        &[
            "report",
            "user",
            "--cui",
            PEDRO,
            "--from",
            &day(1),
            "--to",
            &day(-1),
            "--out",
            path_str(&activity),
        ],
    );
    refused(
        &bad,
        "REPORT_PERIOD_INVALID",
        "El período del reporte no es válido",
    );

    let usage = tmp.join("consumo.xlsx");
    admin(&[
        "report",
        "usage",
        "--data",
        d,
        "--month",
        &month,
        "--out",
        path_str(&usage),
    ]);
    let consumo = sheet_rows(&usage, "consumo");
    let mides = consumo.iter().find(|r| r[0] == "MIDES").unwrap();
    assert_eq!(
        (mides[5].as_str(), mides[9].as_str()),
        ("2", "7"),
        "{mides:?}"
    );
    let users = sheet_rows(&usage, "usuarios");
    assert_eq!(
        users[1][1..6],
        [PEDRO, "Pedro Xol", "Bolsa Social", "2", "7"]
    );

    let shown = admin(&["institution", "show", "--data", d, "MIDES"]);
    assert!(shown.contains("activa"), "{shown}");
    assert!(shown.contains("7 filas"), "{shown}");
    assert!(shown.contains("1 / 10"), "{shown}");

    // Everything above left its trace, and the chain holds.
    let audit = run("padron-server", &["audit", "verify", "--data", d]);
    assert!(audit.status.success(), "{}", stderr(&audit));
}
