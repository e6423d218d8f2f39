//! Reports: a user's activity for the coordinator (exactly the right rows,
//! no beneficiary data, refused to anyone else) and the admin's monthly
//! usage workbook with its chart sheet, the institutions approaching
//! cancellation and January's deactivations.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use padron_shared::queries::{JobState, QueryMode};
use std::io::Read;
use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};
use padron_shared::reports::UserActivityReport;
use padron_tests::consulta::{registry, upload, user_token, wait_done};
use padron_tests::fixture::{Env, cui};
use padron_tests::workbooks::{cui_workbook_rows, registry_cuis, sheet_rows};
use padron_tests::{ok, path_str, run};

fn activity(
    env: &Env,
    client: &reqwest::blocking::Client,
    token: &str,
    query: &str,
) -> Result<UserActivityReport, (u16, String, String)> {
    let response = client
        .get(env.url(&format!("/v1/reports/user-activity?{query}")))
        .bearer_auth(token)
        .send()
        .unwrap();
    let status = response.status().as_u16();
    if status == 200 {
        Ok(response.json().unwrap())
    } else {
        let body: serde_json::Value = response.json().unwrap();
        Err((
            status,
            body["code"].as_str().unwrap_or_default().to_owned(),
            body["message"].as_str().unwrap_or_default().to_owned(),
        ))
    }
}

/// Two MIDES users with four finished queries, moved by SQL to known days:
/// user 1 on 15 Oct, 1 Nov 00:00 and 30 Nov 23:59; user 2 on 10 Nov.
/// Returns the CUIs queried (which no report may contain) and the job ids.
fn four_queries(env: &Env) -> (Vec<String>, Vec<String>) {
    let csv = registry(env, "300");
    let cuis = registry_cuis(&csv, 12);
    let token1 = user_token(env, &env.ws1, 1);
    let token2 = user_token(env, &env.ws2, 2);
    let c = |i: usize| cuis[i].as_str();
    let books = [
        (
            1,
            cui_workbook_rows(&[(c(0), "Bono Social"), (c(1), "Bono Social")]),
        ),
        // Two programmes, one spelled twice; a bad CUI; a row with no programme.
        (
            1,
            cui_workbook_rows(&[
                (c(2), "Bono Social"),
                (c(3), "  bono   social "),
                (c(4), "Beca Escolar"),
                ("1234567890123", "Beca Escolar"),
                (c(5), ""),
            ]),
        ),
        (
            1,
            cui_workbook_rows(&[
                (c(6), "Beca Escolar"),
                (c(7), "Beca Escolar"),
                (c(8), "Beca Escolar"),
            ]),
        ),
        (
            2,
            cui_workbook_rows(&[(c(9), "Bono Social"), (c(10), "Bono Social")]),
        ),
    ];
    let mut ids = Vec::new();
    for (user, book) in books {
        let (client, token) = if user == 1 {
            (&env.ws1, &token1)
        } else {
            (&env.ws2, &token2)
        };
        let job = upload(env, client, token, "lista.xlsx", book).unwrap();
        let done = wait_done(env, client, token, &job.id);
        assert_eq!(done.state, JobState::Done);
        ids.push(job.id);
    }
    // November's edges in the registry's days (America/Guatemala, UTC−6):
    // 00:00 on 1 November and 23:59:59.999 on 30 November, local.
    for (id, at) in ids.iter().zip([
        "2026-10-15T10:00:00.000Z",
        "2026-11-01T06:00:00.000Z",
        "2026-12-01T05:59:59.999Z",
        "2026-11-10T15:30:00.000Z",
    ]) {
        env.sql(&format!(
            "UPDATE query_jobs SET created_at = '{at}' WHERE id = '{id}'"
        ));
    }
    (cuis, ids)
}

#[test]
fn a_coordinator_gets_exactly_one_users_queries_in_the_period() {
    let env = Env::new();
    let (queried, ids) = four_queries(&env);
    let ana = env.login(&env.ws1, &env.coordinator());
    let query = format!("cui={}&from=2026-11-01&to=2026-11-30", cui(1));
    let report = activity(&env, &env.ws1, &ana.token, &query).unwrap();

    // The first and last day are included; October and user 2 are not.
    let got: Vec<&str> = report.queries.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(got, [ids[1].as_str(), ids[2].as_str()]);
    assert_eq!(report.user_cui, cui(1));
    assert_eq!(report.user_name, "Operador");
    assert_eq!(
        (report.from.as_str(), report.to.as_str()),
        ("2026-11-01", "2026-11-30")
    );
    let second = &report.queries[0];
    assert_eq!(second.site, "Central");
    assert_eq!(second.mode, QueryMode::Cui);
    assert_eq!(second.rows, 5);
    let programmes: Vec<(&str, u64)> = second
        .programmes
        .iter()
        .map(|p| (p.programme.as_str(), p.rows))
        .collect();
    assert_eq!(programmes, [("BECA ESCOLAR", 2), ("BONO SOCIAL", 2)]);
    let r = second.results.unwrap();
    assert_eq!(
        (
            r.encontrado,
            r.cui_invalido,
            r.rechazado,
            r.no_encontrado,
            r.ambiguo
        ),
        (3, 1, 1, 0, 0)
    );
    assert_eq!(report.rows_charged, 8);
    assert_eq!(report.results.encontrado, 6);

    // Who was queried never reaches the report.
    let text = serde_json::to_string(&report).unwrap();
    for c in &queried {
        assert!(!text.contains(c.as_str()), "report leaks queried CUI {c}");
    }

    // The agent's workbook from the same report, read back by calamine.
    let out = env.inst.tmp.path().join("actividad.xlsx");
    assert_eq!(
        padron_agent::activity_report::write(&report, &out).unwrap(),
        2
    );
    let rows = sheet_rows(&out, "consultas");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(
        rows[0][..8],
        [
            "consulta",
            "enviada (UTC)",
            "terminada (UTC)",
            "sede",
            "modo",
            "programa",
            "filas",
            "estado"
        ]
    );
    assert_eq!(rows[1][0], ids[1]);
    assert_eq!(rows[1][5], "BECA ESCOLAR (2); BONO SOCIAL (2)");
    assert_eq!(rows[1][6], "5");
    assert_eq!(rows[1][7], "terminada");
    assert_eq!(rows[1][8..13], ["3", "0", "1", "0", "1"]);
    let mut book = open_workbook_auto(&out).unwrap();
    let sheet = book.worksheet_range("consultas").unwrap();
    assert!(
        matches!(sheet.get((1, 1)), Some(Data::DateTime(_))),
        "submission time is a real date: {:?}",
        sheet.get((1, 1))
    );
    let summary = sheet_rows(&out, "resumen");
    assert!(
        summary.contains(&vec!["filas consumidas".to_owned(), "8".to_owned()]),
        "{summary:?}"
    );

    // Every look at someone's activity is in the audit log.
    let n = env.inst.query_i64(
        "SELECT count(*) FROM audit_log WHERE action = 'report.user_activity' AND outcome = 'ok'",
    );
    assert_eq!(n, 1);
}

#[test]
fn the_activity_report_is_refused_outside_the_coordinators_remit() {
    let env = Env::new();
    let token1 = user_token(&env, &env.ws1, 1);
    let ana = env.login(&env.ws1, &env.coordinator());
    let period = "from=2026-11-01&to=2026-11-30";

    // A user may not see even their own activity report: it is the coordinator's.
    let e = activity(&env, &env.ws1, &token1, &format!("cui={}&{period}", cui(1))).unwrap_err();
    assert_eq!((e.0, e.1.as_str()), (403, "COORDINATOR_ONLY"));

    // Someone who is not a user of MIDES (a valid CUI) is unknown.
    let e = activity(
        &env,
        &env.ws1,
        &ana.token,
        &format!("cui={}&{period}", cui(9)),
    )
    .unwrap_err();
    assert_eq!((e.0, e.1.as_str()), (404, "USER_UNKNOWN"));
    assert!(e.2.contains("no es usuaria de la institución"), "{}", e.2);

    // Bad input: a CUI with a wrong check digit, an inverted period, a non-date.
    let e = activity(
        &env,
        &env.ws1,
        &ana.token,
        &format!("cui=1234567890123&{period}"),
    )
    .unwrap_err();
    assert_eq!((e.0, e.1.as_str()), (400, "CUI_INVALIDO"));
    for bad in [
        "from=2026-12-01&to=2026-11-01",
        "from=noviembre&to=2026-11-30",
    ] {
        let e = activity(&env, &env.ws1, &ana.token, &format!("cui={}&{bad}", cui(1))).unwrap_err();
        assert_eq!((e.0, e.1.as_str()), (400, "REPORT_PERIOD_INVALID"), "{bad}");
        assert!(e.2.contains("período del reporte no es válido"), "{}", e.2);
    }

    // A coordinator of another institution cannot learn about MIDES's users.
    let (sosep, other) = env.other_institution_coordinator();
    let e = activity(
        &env,
        &sosep,
        &other.token,
        &format!("cui={}&{period}", cui(1)),
    )
    .unwrap_err();
    assert_eq!((e.0, e.1.as_str()), (404, "USER_UNKNOWN"));
}

fn zip_entry(path: &Path, name: &str) -> Option<String> {
    let file = std::fs::File::open(path).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    let mut entry = archive.by_name(name).ok()?;
    let mut text = String::new();
    entry.read_to_string(&mut text).unwrap();
    Some(text)
}

#[test]
fn the_monthly_usage_report_has_consumption_a_chart_and_the_institutions_at_risk() {
    let env = Env::new();
    four_queries(&env);
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
            "2027-12-31",
            "--monthly-quota",
            "100",
        ],
    );
    // SOSEP has been silent since 20 Sep: 71 days on 30 Nov, cancelled on 19 Dec.
    env.sql(
        "UPDATE institutions SET last_query_at = '2026-09-20T09:00:00.000Z' WHERE code = 'SOSEP'",
    );
    env.sql(
        "UPDATE institutions SET last_query_at = '2026-11-30T23:59:59.999Z' WHERE code = 'MIDES'",
    );

    let out = env.inst.tmp.path().join("consumo.xlsx");
    let printed = ok(
        "padron-server",
        &[
            "report",
            "usage",
            "--data",
            d,
            "--month",
            "2026-11",
            "--at",
            "2026-11-30",
            "--out",
            path_str(&out),
        ],
    );
    assert!(
        printed.contains("Reporte de consumo de 2026-11"),
        "{printed}"
    );

    let consumo = sheet_rows(&out, "consumo");
    let mides = consumo.iter().find(|r| r[0] == "MIDES").unwrap();
    // November: three queries (user 1 twice, user 2 once), 5 + 3 + 2 rows.
    assert_eq!(mides[2], "activa");
    assert_eq!(mides[4], "100");
    assert_eq!(mides[5..10], ["3", "0", "10", "0", "10"]);
    assert_eq!(mides[10], "0.1");
    assert_eq!(mides[11..16], ["8", "0", "1", "0", "1"]);
    let sosep = consumo.iter().find(|r| r[0] == "SOSEP").unwrap();
    assert_eq!(sosep[5], "0");
    assert_eq!(consumo.last().unwrap()[0], "TOTAL");

    let users = sheet_rows(&out, "usuarios");
    assert_eq!(users.len(), 3, "{users:?}");
    let u1 = users.iter().find(|r| r[1] == cui(1)).unwrap();
    assert_eq!(
        (u1[0].as_str(), u1[4].as_str(), u1[5].as_str()),
        ("MIDES", "2", "8")
    );
    let u2 = users.iter().find(|r| r[1] == cui(2)).unwrap();
    assert_eq!((u2[4].as_str(), u2[5].as_str()), ("1", "2"));

    let at_risk = sheet_rows(&out, "por_cancelar");
    assert_eq!(at_risk.len(), 2, "only SOSEP: {at_risk:?}");
    assert_eq!(at_risk[1][0], "SOSEP");
    assert_eq!(at_risk[1][4], "71");

    // The chart sheet draws the consumo table's rows by mode.
    let workbook = zip_entry(&out, "xl/workbook.xml").unwrap();
    assert!(workbook.contains("name=\"grafico\""), "{workbook}");
    assert!(zip_entry(&out, "xl/chartsheets/sheet1.xml").is_some());
    let chart = zip_entry(&out, "xl/charts/chart1.xml").unwrap();
    assert!(chart.contains("consumo!$H$2:$H$3"), "{chart}");
    assert!(chart.contains("consumo!$I$2:$I$3"), "{chart}");

    // The same list at the terminal, one day short of 60 and on the 60th.
    let out59 = ok(
        "padron-server",
        &["report", "approaching", "--data", d, "--at", "2026-11-18"],
    );
    assert!(out59.contains(": 0"), "{out59}");
    let out60 = ok(
        "padron-server",
        &["report", "approaching", "--data", d, "--at", "2026-11-19"],
    );
    assert!(
        out60.contains("SOSEP") && out60.contains("se cancela el 2026-12-19"),
        "{out60}"
    );

    // A month that is not one is refused with its code.
    let bad = run(
        "padron-server",
        &[
            "report",
            "usage",
            "--data",
            d,
            "--month",
            "2026-13",
            "--out",
            path_str(&out),
        ],
    );
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("REPORT_PERIOD_INVALID"), "{stderr}");
}

#[test]
fn january_deactivations_stay_on_record_after_users_are_added_again() {
    let env = Env::new();
    let ana = env.coordinator();
    let session = env.login(&env.ws1, &ana);
    for i in [1, 2] {
        let user = padron_tests::eid::new_user(&cui(i), "Operador");
        assert_eq!(env.add(&ana, &session.token, user), Ok("DONE".into()));
    }
    let d = env.inst.data();
    // SOSEP asked for continuity in 2027; MIDES did not.
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
    ok(
        "padron-server",
        &["lifecycle", "run", "--data", d, "--at", "2027-01-02"],
    );

    let printed = ok(
        "padron-server",
        &["report", "january", "--data", d, "--year", "2027"],
    );
    assert!(printed.contains("2027: 2"), "{printed}");
    assert!(
        printed.contains(&cui(1)) && printed.contains(&cui(2)),
        "{printed}"
    );

    // The coordinator re-adds one; the record of January does not change.
    let session = env.login(&env.ws1, &ana);
    let again = padron_tests::eid::new_user(&cui(1), "Operador");
    assert_eq!(env.add(&ana, &session.token, again), Ok("DONE".into()));
    let out = env.inst.tmp.path().join("enero.xlsx");
    ok(
        "padron-server",
        &[
            "report",
            "usage",
            "--data",
            d,
            "--month",
            "2027-01",
            "--at",
            "2027-01-31",
            "--out",
            path_str(&out),
        ],
    );
    let january = sheet_rows(&out, "desactivados_enero");
    assert_eq!(january.len(), 3, "{january:?}");
    assert!(
        january[1..]
            .iter()
            .all(|r| r[0] == "2027" && r[1] == "MIDES")
    );
    let listed: Vec<&str> = january[1..].iter().map(|r| r[3].as_str()).collect();
    assert!(listed.contains(&cui(1).as_str()) && listed.contains(&cui(2).as_str()));
    // Nothing queried in January 2027: no chart-worthy rows, but the sheet is there.
    let consumo = sheet_rows(&out, "consumo");
    assert!(
        consumo[1..consumo.len() - 1].iter().all(|r| r[5] == "0"),
        "{consumo:?}"
    );
}
