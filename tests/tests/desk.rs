//! Issue 18 end to end: the consulta individual, duplicates in a roll,
//! follow-up cases signed with the card, and the service desk, through the
//! real server over mutual TLS with software eID cards, including the
//! refusals (another institution's case or ticket, a user sending a case,
//! a mejora from a user, the upload codes, the per-person rate).
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use padron_shared::canonical::to_canonical_json;
use padron_shared::cases::CaseState;
use padron_shared::cases::{CASE_FORMAT, CasePayload, CaseRowInput, CaseView, UnresolvedRow};
use padron_shared::queries::{JobState, QueryMode};
use padron_shared::single::OneAnswer;
use padron_shared::tickets::TicketState;
use padron_shared::tickets::TicketView;
use padron_tests::consulta::{download, registry, upload, user_token, wait_done};
use padron_tests::eid::{Flaws, TestPerson};
use padron_tests::fixture::{Env, cui};
use padron_tests::workbooks::{cui_workbook, cui_workbook_rows, registry_cuis, result_rows};
use padron_tests::{Server, ok, path_str, run, set_server_config, stderr};
use reqwest::blocking::Client;
use serde_json::{Value, json};

fn post(env: &Env, client: &Client, token: &str, path: &str, body: &Value) -> (u16, Value) {
    let response = client
        .post(env.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().unwrap_or_default())
}

fn get(env: &Env, client: &Client, token: &str, path: &str) -> (u16, Value) {
    let response = client.get(env.url(path)).bearer_auth(token).send().unwrap();
    let status = response.status().as_u16();
    (status, response.json().unwrap_or_default())
}

fn one(env: &Env, client: &Client, token: &str, body: Value) -> Result<OneAnswer, (u16, String)> {
    let (status, v) = post(env, client, token, "/v1/queries/one", &body);
    if status == 200 {
        Ok(serde_json::from_value(v).unwrap())
    } else {
        Err((status, v["code"].as_str().unwrap_or_default().to_owned()))
    }
}

/// The registry CSV's line for `cui`, split.
fn person_line(csv: &std::path::Path, cui: &str) -> Vec<String> {
    std::fs::read_to_string(csv)
        .unwrap()
        .lines()
        .find(|l| l.starts_with(cui))
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect()
}

/// `YYYY-MM-DD` → `dd/mm/aaaa`.
fn dmy(iso: &str) -> String {
    let p: Vec<&str> = iso.split('-').collect();
    format!("{}/{}/{}", p[2], p[1], p[0])
}

fn agreement(env: &Env, extra: &[&str]) {
    let mut args = vec![
        "agreement",
        "set",
        "--data",
        env.inst.data(),
        "--institution",
        "MIDES",
        "--from",
        "2020-01-01",
        "--to",
        "2099-12-31",
    ];
    args.extend(extra);
    ok("padron-server", &args);
}

#[test]
fn desk_one_query_by_cui_and_by_names_answers_at_once_and_counts_as_a_row() {
    let env = Env::new();
    let csv = registry(&env, "3000");
    let token = user_token(&env, &env.ws1, 1);
    let cuis = registry_cuis(&csv, 5);
    let line = person_line(&csv, &cuis[0]);

    let a = one(
        &env,
        &env.ws1,
        &token,
        json!({ "programme": "Bolsa Social", "cui": cuis[0] }),
    )
    .unwrap();
    assert_eq!(a.resultado, "ENCONTRADO");
    assert_eq!(a.mode, QueryMode::Cui);
    assert_eq!(a.puntaje, Some(100.0));
    let p = a.person.unwrap();
    assert_eq!(p.cui, cuis[0]);
    assert_eq!(
        (
            p.primer_nombre.as_str(),
            p.primer_apellido.as_str(),
            p.fecha_nacimiento.as_str()
        ),
        (line[1].as_str(), line[4].as_str(), line[11].as_str())
    );

    // By names, given names and surnames apart by a comma, with the date.
    let given = [&line[1], &line[2], &line[3]]
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let names = format!("{given}, {} {}", line[4], line[5]);
    let b = one(
        &env,
        &env.ws1,
        &token,
        json!({ "programme": "Bolsa Social", "names": names, "birth": dmy(&line[11]) }),
    )
    .unwrap();
    assert_eq!(b.resultado, "ENCONTRADO", "{b:?}");
    assert_eq!(b.person.unwrap().cui, cuis[0]);
    assert!(b.read_as.unwrap().contains("nacimiento"));

    // Not in the registry, and a bad check digit: answered like workbook rows.
    let c = one(
        &env,
        &env.ws1,
        &token,
        json!({ "programme": "P", "cui": cui(900) }),
    )
    .unwrap();
    assert_eq!(c.resultado, "NO_ENCONTRADO");
    let d = one(
        &env,
        &env.ws1,
        &token,
        json!({ "programme": "P", "cui": "1234567880101" }),
    )
    .unwrap();
    assert_eq!(d.resultado, "CUI_INVALIDO");

    // Malformed requests: refused before anything is counted.
    for body in [
        json!({ "programme": "", "cui": cuis[1] }),
        json!({ "programme": "P" }),
        json!({ "programme": "P", "cui": cuis[1], "names": "ANA POP" }),
        json!({ "programme": "P", "names": "ANA POP", "birth": "31/02/1990" }),
    ] {
        assert_eq!(
            one(&env, &env.ws1, &token, body.clone()),
            Err((400, "SINGLE_QUERY_INVALID".into())),
            "{body}"
        );
    }

    // In the query log as four finished one-row jobs; no workbook to download.
    let (_, jobs) = get(&env, &env.ws1, &token, "/v1/queries");
    let jobs = jobs.as_array().unwrap();
    assert_eq!(jobs.len(), 4);
    assert!(jobs.iter().all(|j| j["rows"] == 1 && j["state"] == "DONE"));
    assert!(
        jobs.iter()
            .all(|j| j["file_name"] == "(consulta individual)")
    );
    let out = env.inst.tmp.path().join("x.xlsx");
    assert_eq!(download(&env, &env.ws1, &token, &a.id, &out), 404);

    // In the coordinator's activity report like workbook rows.
    let ana = env.login(&env.ws1, &env.coordinator());
    // The report's days are the registry's (America/Guatemala).
    let today = padron_shared::calendar::Zone::guatemala().date_of(time::OffsetDateTime::now_utc());
    let (status, report) = get(
        &env,
        &env.ws1,
        &ana.token,
        &format!(
            "/v1/reports/user-activity?cui={}&from={today}&to={today}",
            cui(1)
        ),
    );
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["rows_charged"], 4);
    assert_eq!(report["results"]["encontrado"], 2);

    // Each answer audited.
    let audit = ok(
        "padron-server",
        &["audit", "list", "--data", env.inst.data(), "--limit", "200"],
    );
    assert_eq!(audit.matches("query.one").count(), 4, "{audit}");
}

#[test]
fn desk_one_query_is_refused_with_the_upload_codes_and_rate_limited_per_person() {
    let mut env = Env::new();
    let csv = registry(&env, "500");
    let cuis = registry_cuis(&csv, 3);
    set_server_config(&env.inst.data, "one_query_burst", "3");
    set_server_config(&env.inst.data, "one_query_per_minute", "1");
    env.server = Server::start(&env.inst.data);
    let token = user_token(&env, &env.ws1, 1);
    let q = |c: &str| json!({ "programme": "Bono", "cui": c });

    // Service not in the agreement: names only → CUI refused.
    agreement(&env, &["--services", "names"]);
    assert_eq!(
        one(&env, &env.ws1, &token, q(&cuis[0])),
        Err((403, "SERVICE_NOT_IN_AGREEMENT".into()))
    );
    // Quota: 1 row a month; the second query is refused.
    agreement(&env, &["--services", "cui,names", "--monthly-quota", "1"]);
    assert!(one(&env, &env.ws1, &token, q(&cuis[0])).is_ok());
    assert_eq!(
        one(&env, &env.ws1, &token, q(&cuis[1])),
        Err((429, "QUOTA_EXCEEDED".into()))
    );
    // The per-person rate: the burst of 3 is spent (3 above, refused or
    // not); another person of the same workstation still has theirs.
    assert_eq!(
        one(&env, &env.ws1, &token, q(&cuis[1])),
        Err((429, "SINGLE_QUERY_RATE_LIMITED".into()))
    );
    agreement(&env, &["--services", "cui,names"]);
    let token2 = user_token(&env, &env.ws1, 2);
    assert!(one(&env, &env.ws1, &token2, q(&cuis[2])).is_ok());

    // Institution inactive.
    ok(
        "padron-server",
        &[
            "institution",
            "suspend",
            "--data",
            env.inst.data(),
            "--code",
            "MIDES",
            "--reason",
            "payment",
            "--period",
            "2026-10",
        ],
    );
    assert_eq!(
        one(&env, &env.ws1, &token2, q(&cuis[2])),
        Err((403, "INSTITUTION_INACTIVE".into()))
    );
    ok(
        "padron-server",
        &[
            "payment",
            "record",
            "--data",
            env.inst.data(),
            "--institution",
            "MIDES",
            "--period",
            "2026-10",
            "--amount",
            "100",
        ],
    );
    // User blocked.
    let token3 = user_token(&env, &env.ws2, 3);
    ok(
        "padron-server",
        &[
            "user",
            "block",
            "--data",
            env.inst.data(),
            "--cui",
            &cui(3),
            "--reason",
            "listas por la consulta individual",
        ],
    );
    assert_eq!(
        one(&env, &env.ws2, &token3, q(&cuis[2])),
        Err((403, "USER_BLOCKED".into()))
    );
}

#[test]
fn desk_coincidencias_the_same_person_twice_in_a_roll_is_marked() {
    let env = Env::new();
    let csv = registry(&env, "1000");
    let cuis = registry_cuis(&csv, 3);
    let token = user_token(&env, &env.ws1, 1);
    let rows = [
        (cuis[0].as_str(), "Bono"),
        (cuis[1].as_str(), "Bono"),
        (cuis[0].as_str(), "Bolsa"),
        (cuis[2].as_str(), "Bono"),
        (cuis[0].as_str(), "Bono"),
    ];
    let job = upload(&env, &env.ws1, &token, "r.xlsx", cui_workbook_rows(&rows)).unwrap();
    let done = wait_done(&env, &env.ws1, &token, &job.id);
    assert_eq!(
        done.counts.as_ref().unwrap().duplicados,
        Some(3),
        "{done:?}"
    );
    assert_eq!(done.counts.as_ref().unwrap().encontrado, 5);
    let out = env.inst.tmp.path().join("r-resultado.xlsx");
    assert_eq!(download(&env, &env.ws1, &token, &job.id, &out), 200);
    let rows = result_rows(&out);
    assert_eq!(rows[0][19], "duplicado_de");
    assert_eq!(rows[1][19], "REF-00003, REF-00005");
    assert_eq!(rows[2].get(19).map(String::as_str).unwrap_or(""), "");
    assert_eq!(rows[3][19], "REF-00001, REF-00005");
    let summary = padron_tests::workbooks::sheet_rows(&out, "resumen");
    assert!(
        summary
            .iter()
            .any(|r| r[0] == "filas duplicadas (misma persona en otra fila)" && r[1] == "3"),
        "{summary:?}"
    );
}

/// A finished CUI job of user 1 with two rows not in the registry; returns
/// the job id and the coordinator's session.
fn job_with_unresolved(env: &Env) -> (String, padron_shared::auth::SessionInfo, String) {
    let csv = registry(env, "1000");
    let mut cuis = registry_cuis(&csv, 3);
    cuis.insert(1, cui(900));
    cuis.push(cui(901));
    cuis.push("1234567880101".into());
    let token = user_token(env, &env.ws1, 1);
    let job = upload(
        env,
        &env.ws1,
        &token,
        "roll.xlsx",
        cui_workbook(&cuis, "Bono"),
    )
    .unwrap();
    assert_eq!(
        wait_done(env, &env.ws1, &token, &job.id).state,
        JobState::Done
    );
    let ana = env.login(&env.ws1, &env.coordinator());
    (job.id, ana, token)
}

fn case_payload(env: &Env, job: &str, rows: Vec<CaseRowInput>) -> CasePayload {
    CasePayload {
        format: CASE_FORMAT.to_owned(),
        installation: env.installation.clone(),
        institution: "MIDES".to_owned(),
        case_id: uuid::Uuid::new_v4().to_string(),
        job_id: job.to_owned(),
        created_at: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap(),
        workstation_id: env.ws1_id,
        rows,
    }
}

fn signed(person: &TestPerson, payload: &CasePayload) -> Value {
    serde_json::to_value(person.sign_bytes(&to_canonical_json(payload).unwrap())).unwrap()
}

fn row(u: &UnresolvedRow, address: &str) -> CaseRowInput {
    CaseRowInput {
        fila: u.fila,
        referencia: u.referencia.clone(),
        direccion: address.to_owned(),
        comunidad: "Aldea El Rosario".to_owned(),
        municipio: "San Juan Sacatepéquez".to_owned(),
        telefono: "5555-0101".to_owned(),
        observaciones: "vive con su hija".to_owned(),
    }
}

#[test]
fn desk_a_case_is_signed_received_worked_and_closed_and_stays_evidence() {
    let env = Env::new();
    let d = env.inst.data();
    let (job, ana, user_token) = job_with_unresolved(&env);
    let coordinator = env.coordinator();

    // The rows a case may hold: NO_ENCONTRADO and AMBIGUO only (not CUI_INVALIDO).
    let (status, rows) = get(
        &env,
        &env.ws1,
        &ana.token,
        &format!("/v1/queries/{job}/unresolved"),
    );
    assert_eq!(status, 200, "{rows}");
    let unresolved: Vec<UnresolvedRow> = serde_json::from_value(rows).unwrap();
    assert_eq!(unresolved.len(), 2, "{unresolved:?}");
    assert_eq!((unresolved[0].fila, unresolved[1].fila), (2, 5));
    assert_eq!(unresolved[0].consulta, format!("CUI {}", cui(900)));
    // A user may not see them, nor send a case (even one signed with their own card).
    assert_eq!(
        get(
            &env,
            &env.ws1,
            &user_token,
            &format!("/v1/queries/{job}/unresolved")
        )
        .1["code"],
        "COORDINATOR_ONLY"
    );
    let pedro = env.eid.person(&cui(1), "OPERADOR", Flaws::default());
    let by_user = signed(
        &pedro,
        &case_payload(&env, &job, vec![row(&unresolved[0], "Calle 1")]),
    );
    assert_eq!(
        post(&env, &env.ws1, &user_token, "/v1/cases", &by_user).1["code"],
        "COORDINATOR_ONLY"
    );

    // A row that was resolved, and a row with nothing to locate the person: refused.
    let mut found_row = row(&unresolved[0], "x");
    found_row.fila = 1;
    found_row.referencia = "REF-00001".into();
    let bad = signed(&coordinator, &case_payload(&env, &job, vec![found_row]));
    assert_eq!(
        post(&env, &env.ws1, &ana.token, "/v1/cases", &bad).1["code"],
        "CASE_ROWS_INVALID"
    );
    let empty = CaseRowInput {
        fila: 2,
        referencia: unresolved[0].referencia.clone(),
        ..Default::default()
    };
    let bad = signed(&coordinator, &case_payload(&env, &job, vec![empty]));
    assert_eq!(
        post(&env, &env.ws1, &ana.token, "/v1/cases", &bad).1["code"],
        "CASE_ROWS_INVALID"
    );
    // Signed by someone else than the session's coordinator.
    assert_eq!(
        post(&env, &env.ws1, &ana.token, "/v1/cases", &by_user).1["code"],
        "SIGNER_MISMATCH"
    );

    // The case.
    let good = signed(
        &coordinator,
        &case_payload(
            &env,
            &job,
            vec![
                row(&unresolved[0], "3a. calle 4-56 zona 1"),
                row(&unresolved[1], "Km 30 carretera a San Juan"),
            ],
        ),
    );
    let (status, v) = post(&env, &env.ws1, &ana.token, "/v1/cases", &good);
    assert_eq!(status, 201, "{v}");
    let case: CaseView = serde_json::from_value(v).unwrap();
    assert_eq!((case.state, case.rows_total), (CaseState::Recibido, 2));
    // Replayed: refused.
    assert_eq!(
        post(&env, &env.ws1, &ana.token, "/v1/cases", &good).1["code"],
        "REQUEST_REPLAYED"
    );

    // Another institution's coordinator: the case does not exist for them.
    let (sosep, sosep_session) = env.other_institution_coordinator();
    assert_eq!(
        get(
            &env,
            &sosep,
            &sosep_session.token,
            &format!("/v1/cases/{}", case.id)
        )
        .1["code"],
        "CASE_NOT_FOUND"
    );
    assert_eq!(
        get(&env, &sosep, &sosep_session.token, "/v1/cases").1,
        json!([])
    );
    assert_eq!(
        get(
            &env,
            &sosep,
            &sosep_session.token,
            &format!("/v1/queries/{job}/unresolved")
        )
        .1["code"],
        "QUERY_NOT_FOUND"
    );
    assert_eq!(
        get(&env, &env.ws1, &user_token, "/v1/cases").1["code"],
        "COORDINATOR_ONLY"
    );

    // The registry's desk works it.
    let listed = ok(
        "padron-server",
        &["case", "list", "--data", d, "--state", "recibido"],
    );
    assert!(
        listed.contains(&case.id) && listed.contains("RECIBIDO"),
        "{listed}"
    );
    let shown = ok("padron-server", &["case", "show", "--data", d, &case.id]);
    assert!(
        shown.contains("3a. calle 4-56 zona 1") && shown.contains("Aldea El Rosario"),
        "{shown}"
    );
    let verified = cui(900);
    ok(
        "padron-server",
        &[
            "case",
            "update",
            "--data",
            d,
            &case.id,
            "--row",
            "2",
            "--outcome",
            "verified",
            "--cui",
            &verified,
        ],
    );
    let (_, v) = get(
        &env,
        &env.ws1,
        &ana.token,
        &format!("/v1/cases/{}", case.id),
    );
    let seen: CaseView = serde_json::from_value(v).unwrap();
    assert_eq!(seen.state, CaseState::EnProceso);
    assert!(seen.in_process_at.is_some());
    assert_eq!(seen.rows[0].outcome.as_deref(), Some("VERIFIED"));
    assert_eq!(seen.rows[0].outcome_cui.as_deref(), Some(verified.as_str()));
    assert_eq!(seen.rows[1].input.direccion, "Km 30 carretera a San Juan");
    ok(
        "padron-server",
        &[
            "case",
            "update",
            "--data",
            d,
            &case.id,
            "--row",
            "5",
            "--outcome",
            "visit-needed",
            "--note",
            "sin dirección exacta",
        ],
    );
    let no_row = run(
        "padron-server",
        &[
            "case",
            "update",
            "--data",
            d,
            &case.id,
            "--row",
            "1",
            "--outcome",
            "not-found",
        ],
    );
    assert!(
        stderr(&no_row).contains("CASE_ROWS_INVALID"),
        "{}",
        stderr(&no_row)
    );
    ok("padron-server", &["case", "close", "--data", d, &case.id]);
    let closed = run(
        "padron-server",
        &[
            "case",
            "update",
            "--data",
            d,
            &case.id,
            "--row",
            "5",
            "--outcome",
            "not-found",
        ],
    );
    assert!(
        stderr(&closed).contains("CASE_STATE_CONFLICT"),
        "{}",
        stderr(&closed)
    );
    let (_, v) = get(&env, &env.ws1, &ana.token, "/v1/cases");
    assert_eq!(v[0]["state"], "CERRADO");
    assert_eq!(v[0]["rows_answered"], 2);

    // Evidence: audit verify re-checks the case's signature; a changed byte shows.
    let verify = ok("padron-server", &["audit", "verify", "--data", d]);
    // The user's addition and the case.
    assert!(
        verify.contains("2 solicitudes firmadas verificadas"),
        "{verify}"
    );
    env.sql(&format!(
        "UPDATE cases SET payload = {} WHERE id = '{}'",
        env.inst.blob_replace("payload", "zona 1", "zona 9"),
        case.id
    ));
    let broken = run("padron-server", &["audit", "verify", "--data", d]);
    assert!(!broken.status.success());
    assert!(stderr(&broken).contains(&case.id), "{}", stderr(&broken));

    // Never in a report: the monthly usage workbook has no case data.
    let out = env.inst.tmp.path().join("usage.xlsx");
    let month = padron_shared::calendar::Zone::guatemala().date_of(time::OffsetDateTime::now_utc());
    ok(
        "padron-server",
        &[
            "report",
            "usage",
            "--data",
            d,
            "--month",
            &format!("{:04}-{:02}", month.year(), month.month() as u8),
            "--out",
            path_str(&out),
        ],
    );
    for sheet in ["consumo", "usuarios"] {
        let rows = padron_tests::workbooks::sheet_rows(&out, sheet);
        assert!(!format!("{rows:?}").contains("Aldea El Rosario"));
    }
}

fn ticket(
    env: &Env,
    client: &Client,
    token: &str,
    kind: &str,
    subject: &str,
) -> Result<TicketView, (u16, String)> {
    let (status, v) = post(
        env,
        client,
        token,
        "/v1/tickets",
        &json!({ "kind": kind, "subject": subject, "text": "No puedo descargar el resultado.\nSale un error.", "agent_version": "padron-agent test" }),
    );
    if status == 201 {
        Ok(serde_json::from_value(v).unwrap())
    } else {
        Err((status, v["code"].as_str().unwrap_or_default().to_owned()))
    }
}

#[test]
fn desk_tickets_from_the_workstation_answered_by_the_registry() {
    let env = Env::new();
    let d = env.inst.data();
    let user = user_token(&env, &env.ws1, 1);
    let ana = env.login(&env.ws1, &env.coordinator());

    let t = ticket(&env, &env.ws1, &user, "duda", "Descarga del resultado").unwrap();
    assert_eq!(t.state, TicketState::Recibido);
    assert_eq!(
        (t.author_cui.as_str(), t.institution.as_str()),
        (cui(1).as_str(), "MIDES")
    );
    assert_eq!(
        (t.workstation_id, t.workstation_site.as_str()),
        (1, "Central")
    );
    assert_eq!(t.agent_version, "padron-agent test");
    assert_eq!(
        ticket(&env, &env.ws1, &user, "mejora", "Otra columna"),
        Err((403, "TICKET_MEJORA_COORDINATOR_ONLY".into()))
    );
    assert_eq!(
        ticket(&env, &env.ws1, &user, "queja", "x"),
        Err((400, "TICKET_INVALID".into()))
    );
    assert_eq!(
        ticket(&env, &env.ws1, &user, "duda", ""),
        Err((400, "TICKET_INVALID".into()))
    );
    let mejora = ticket(
        &env,
        &env.ws1,
        &ana.token,
        "mejora",
        "Columna de programa en el resultado",
    )
    .unwrap();

    // Another institution, another user of the same one: not theirs to see.
    let (sosep, sosep_session) = env.other_institution_coordinator();
    assert_eq!(
        get(
            &env,
            &sosep,
            &sosep_session.token,
            &format!("/v1/tickets/{}", t.id)
        )
        .1["code"],
        "TICKET_NOT_FOUND"
    );
    assert_eq!(
        get(&env, &sosep, &sosep_session.token, "/v1/tickets").1,
        json!([])
    );
    let other_user = user_token(&env, &env.ws2, 2);
    assert_eq!(
        get(
            &env,
            &env.ws2,
            &other_user,
            &format!("/v1/tickets/{}", t.id)
        )
        .1["code"],
        "TICKET_NOT_FOUND"
    );
    // The coordinator sees the institution's.
    assert_eq!(
        get(&env, &env.ws1, &ana.token, "/v1/tickets")
            .1
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // The registry answers; the author sees a new reply, reads it.
    let listed = ok(
        "padron-server",
        &["ticket", "list", "--data", d, "--institution", "MIDES"],
    );
    assert!(
        listed.contains("Descarga del resultado") && listed.contains("MEJORA"),
        "{listed}"
    );
    let shown = ok(
        "padron-server",
        &["ticket", "show", "--data", d, &t.id.to_string()],
    );
    assert!(
        shown.contains("Central") && shown.contains("padron-agent test") && shown.contains(&cui(1)),
        "{shown}"
    );
    ok(
        "padron-server",
        &[
            "ticket",
            "reply",
            "--data",
            d,
            &t.id.to_string(),
            "--text",
            "Pruebe de nuevo; ya se corrigió.",
        ],
    );
    let (_, list) = get(&env, &env.ws1, &user, "/v1/tickets");
    assert_eq!(list[0]["unread"], true);
    assert_eq!(list[0]["state"], "EN_PROCESO");
    let (_, one) = get(&env, &env.ws1, &user, &format!("/v1/tickets/{}", t.id));
    assert_eq!(one["messages"].as_array().unwrap().len(), 2);
    assert_eq!(one["messages"][1]["side"], "REGISTRY");
    let (_, list) = get(&env, &env.ws1, &user, "/v1/tickets");
    assert_eq!(list[0]["unread"], false);

    // Resolved, reopened by its author; not by someone else; not after 15 days.
    ok(
        "padron-server",
        &[
            "ticket",
            "state",
            "--data",
            d,
            &t.id.to_string(),
            "resuelto",
        ],
    );
    let reopen = |client: &Client, token: &str| {
        post(
            &env,
            client,
            token,
            &format!("/v1/tickets/{}/reopen", t.id),
            &json!({ "text": "Sigue fallando." }),
        )
    };
    assert_eq!(
        reopen(&env.ws1, &ana.token).1["code"],
        "TICKET_STATE_CONFLICT"
    );
    let (status, v) = reopen(&env.ws1, &user);
    assert_eq!(
        (status, v["state"].as_str()),
        (200, Some("EN_PROCESO")),
        "{v}"
    );
    ok(
        "padron-server",
        &[
            "ticket",
            "state",
            "--data",
            d,
            &t.id.to_string(),
            "resuelto",
        ],
    );
    env.sql(&format!(
        "UPDATE tickets SET resolved_at = '{}' WHERE id = {}",
        padron_tests::seconds_ago(16 * 24 * 3600),
        t.id
    ));
    assert_eq!(reopen(&env.ws1, &user).1["code"], "TICKET_STATE_CONFLICT");
    ok(
        "padron-server",
        &["ticket", "state", "--data", d, &t.id.to_string(), "cerrado"],
    );
    let after = run(
        "padron-server",
        &[
            "ticket",
            "reply",
            "--data",
            d,
            &t.id.to_string(),
            "--text",
            "x",
        ],
    );
    assert!(
        stderr(&after).contains("TICKET_STATE_CONFLICT"),
        "{}",
        stderr(&after)
    );
    let back = run(
        "padron-server",
        &[
            "ticket",
            "state",
            "--data",
            d,
            &mejora.id.to_string(),
            "recibido",
        ],
    );
    assert!(
        stderr(&back).contains("TICKET_STATE_CONFLICT"),
        "{}",
        stderr(&back)
    );

    // The month's register.
    let now = padron_shared::calendar::Zone::guatemala().date_of(time::OffsetDateTime::now_utc());
    let month = format!("{:04}-{:02}", now.year(), now.month() as u8);
    let report = ok(
        "padron-server",
        &["report", "tickets", "--data", d, "--month", &month],
    );
    assert!(report.contains("2 tickets"), "{report}");
    assert!(
        report.contains("DUDA") && report.contains("MEJORA") && report.contains("MIDES"),
        "{report}"
    );
    assert!(
        report.contains("CERRADO") && report.contains("RECIBIDO"),
        "{report}"
    );
    assert!(report.contains("primera respuesta: 1 tickets"), "{report}");
    assert!(!report.contains("Sigue fallando"), "{report}");
}
