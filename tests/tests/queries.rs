//! Consulta Social through the API: uploads acknowledged only once durable,
//! strict FIFO across concurrent uploads, results only for their owners,
//! whole-file refusals before queueing, and a server killed mid-job that
//! resumes without losing or repeating anything.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use padron_shared::queries::{JobState, QueryMode};
use std::time::{Duration, Instant};

use padron_shared::queries::QueryJob;
use padron_tests::consulta::{download, registry, status, upload, user_token, wait_done};
use padron_tests::fixture::{Env, cui};
use padron_tests::workbooks::{cui_workbook, registry_cuis, result_rows};
use padron_tests::{Server, ok};

#[test]
fn a_cui_workbook_goes_through_the_queue_and_comes_back_row_by_row() {
    let env = Env::new();
    let csv = registry(&env, "3000");
    let token = user_token(&env, &env.ws1, 1);
    let mut cuis = registry_cuis(&csv, 40);
    cuis.push("1234567880101".into()); // bad check digit
    cuis.push(cui(900)); // valid, not in the registry
    let job = upload(
        &env,
        &env.ws1,
        &token,
        "beneficiarios.xlsx",
        cui_workbook(&cuis, "Bolsa Social"),
    )
    .unwrap();
    assert_eq!(job.mode, QueryMode::Cui);
    assert_eq!(job.rows, 42);
    let done = wait_done(&env, &env.ws1, &token, &job.id);
    assert_eq!(done.state, JobState::Done, "{done:?}");
    assert_eq!(done.progress_percent, 100);
    let counts = done.counts.unwrap();
    assert_eq!(counts.encontrado, 40);
    assert_eq!(counts.cui_invalido, 1);
    assert_eq!(counts.no_encontrado, 1);

    let out = env.inst.tmp.path().join("resultado.xlsx");
    assert_eq!(download(&env, &env.ws1, &token, &job.id, &out), 200);
    let rows = result_rows(&out);
    assert_eq!(rows.len(), 43, "header and 42 rows, in input order");
    assert_eq!(rows[0][0], "referencia");
    assert_eq!(rows[1][0], "REF-00001");
    assert_eq!(rows[1][1], cuis[0]);
    assert_eq!(rows[41][16], "CUI_INVALIDO");
    assert_eq!(rows[42][16], "NO_ENCONTRADO");

    // The institution's last query date moved.
    let show = ok(
        "padron-server",
        &["institution", "show", "--data", env.inst.data(), "MIDES"],
    );
    assert!(!show.contains("última consulta:      ninguna"), "{show}");
}

#[test]
fn whole_file_refusals_happen_before_queueing() {
    let env = Env::new();
    registry(&env, "500");
    let token = user_token(&env, &env.ws1, 1);
    assert_eq!(
        upload(&env, &env.ws1, &token, "x.xlsx", b"not a workbook".to_vec()),
        Err((400, "WORKBOOK_UNREADABLE".into()))
    );
    let oversize = vec![b'P'; 21 * 1024 * 1024];
    assert_eq!(
        upload(&env, &env.ws1, &token, "big.xlsx", oversize)
            .unwrap_err()
            .1,
        "WORKBOOK_TOO_LARGE"
    );
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet()
        .write_string(0, 0, "Nombre completo")
        .unwrap();
    let no_header = book.save_to_buffer().unwrap();
    assert_eq!(
        upload(&env, &env.ws1, &token, "h.xlsx", no_header)
            .unwrap_err()
            .1,
        "WORKBOOK_NO_HEADER"
    );
    let too_many: Vec<String> = (0..50_001).map(|i| cui(i % 500)).collect();
    assert_eq!(
        upload(
            &env,
            &env.ws1,
            &token,
            "many.xlsx",
            cui_workbook(&too_many, "P")
        )
        .unwrap_err()
        .1,
        "WORKBOOK_TOO_MANY_ROWS"
    );
    // Nothing was queued, and nothing was left on disk.
    let queued = env.inst.query_i64("SELECT count(*) FROM query_jobs");
    assert_eq!(queued, 0);
    let uploads = env.inst.data.join("queries/uploads");
    assert!(!uploads.exists() || std::fs::read_dir(&uploads).unwrap().next().is_none());
    // And without a session there is no upload at all.
    assert_eq!(
        upload(&env, &env.ws1, "", "x.xlsx", vec![]).unwrap_err().1,
        "SESSION_INVALID"
    );
}

#[test]
fn concurrent_uploads_run_strictly_in_acknowledged_order() {
    let env = Env::new();
    let csv = registry(&env, "3000");
    let token = user_token(&env, &env.ws1, 1);
    let cuis = registry_cuis(&csv, 2000);
    let book = cui_workbook(&cuis, "Bolsa Social");
    let ids: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|i| {
                let (env, token, book) = (&env, &token, book.clone());
                s.spawn(move || {
                    upload(env, &env.ws1, token, &format!("lote-{i}.xlsx"), book)
                        .unwrap()
                        .id
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for id in &ids {
        assert_eq!(wait_done(&env, &env.ws1, &token, id).state, JobState::Done);
    }
    let by_seq = env.inst.query("SELECT id FROM query_jobs ORDER BY seq");
    // The audit log records completions in the order they happened.
    let finished = env
        .inst
        .query("SELECT substr(subject, 7) FROM audit_log WHERE action = 'query.done' ORDER BY seq");
    assert_eq!(by_seq.len(), 6);
    assert_eq!(
        finished, by_seq,
        "jobs must finish in the order their uploads were acknowledged"
    );
}

#[test]
fn results_are_seen_only_by_their_owner_and_coordinator() {
    let env = Env::new();
    let csv = registry(&env, "500");
    let token_a = user_token(&env, &env.ws1, 1);
    let token_b = user_token(&env, &env.ws1, 2);
    let job = upload(
        &env,
        &env.ws1,
        &token_a,
        "a.xlsx",
        cui_workbook(&registry_cuis(&csv, 10), "P"),
    )
    .unwrap();
    wait_done(&env, &env.ws1, &token_a, &job.id);
    let out = env.inst.tmp.path().join("r.xlsx");

    // Another user of the same institution: it does not exist for them.
    assert_eq!(
        status(&env, &env.ws1, &token_b, &job.id).unwrap_err(),
        (404, "QUERY_NOT_FOUND".into())
    );
    assert_eq!(download(&env, &env.ws1, &token_b, &job.id, &out), 404);
    let listed: Vec<QueryJob> = env
        .ws1
        .get(env.url("/v1/queries"))
        .bearer_auth(&token_b)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(listed.is_empty());

    // The institution's coordinator sees it.
    let coordinator = env.login(&env.ws1, &env.coordinator());
    assert_eq!(
        download(&env, &env.ws1, &coordinator.token, &job.id, &out),
        200
    );

    // A coordinator of another institution does not.
    let (sosep, other) = env.other_institution_coordinator();
    assert_eq!(
        status(&env, &sosep, &other.token, &job.id).unwrap_err(),
        (404, "QUERY_NOT_FOUND".into())
    );
    assert_eq!(download(&env, &sosep, &other.token, &job.id, &out), 404);
}

#[test]
fn the_job_list_comes_in_pages_newest_first() {
    let env = Env::new();
    let csv = registry(&env, "500");
    let token = user_token(&env, &env.ws1, 1);
    let other = user_token(&env, &env.ws1, 2);
    let book = cui_workbook(&registry_cuis(&csv, 2), "P");
    let mut ids: Vec<String> = (0..5)
        .map(|i| {
            upload(&env, &env.ws1, &token, &format!("p{i}.xlsx"), book.clone())
                .unwrap()
                .id
        })
        .collect();
    ids.reverse(); // newest first, as the list answers
    let page = |query: &str, bearer: &str| {
        let response = env
            .ws1
            .get(env.url(&format!("/v1/queries{query}")))
            .bearer_auth(bearer)
            .send()
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json::<serde_json::Value>().unwrap())
    };
    let listed = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|j| j["id"].as_str().unwrap().to_owned())
            .collect()
    };

    let (status, all) = page("", &token);
    assert_eq!(status, 200);
    assert_eq!(listed(&all), ids, "the default page holds all five");
    let (_, first) = page("?limit=2", &token);
    assert_eq!(listed(&first), ids[..2]);
    let (_, second) = page(&format!("?limit=2&before={}", ids[1]), &token);
    assert_eq!(listed(&second), ids[2..4]);
    let (_, last) = page(&format!("?limit=2&before={}", ids[3]), &token);
    assert_eq!(listed(&last), ids[4..]);
    let (_, past) = page(&format!("?before={}", ids[4]), &token);
    assert_eq!(listed(&past), Vec::<String>::new());

    // Pages the server does not give, and a cursor that is not the caller's.
    for bad in [
        "?limit=0",
        "?limit=501",
        "?limit=-1",
        "?limit=muchos",
        "?limit=4294967296",
    ] {
        let (status, body) = page(bad, &token);
        assert_eq!(
            (status, body["code"].as_str()),
            (400, Some("BAD_REQUEST")),
            "{bad}"
        );
    }
    let (status, body) = page(&format!("?before={}", ids[0]), &other);
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("QUERY_NOT_FOUND"))
    );
    let (status, body) = page("?before=00000000-0000-0000-0000-000000000000", &token);
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("QUERY_NOT_FOUND"))
    );
}

#[test]
fn a_server_killed_mid_job_resumes_and_finishes_each_job_once() {
    let mut env = Env::new();
    let csv = registry(&env, "20000");
    let token = user_token(&env, &env.ws1, 1);
    let cuis = registry_cuis(&csv, 20_000);
    let mut big: Vec<String> = Vec::with_capacity(50_000);
    while big.len() < 50_000 {
        big.extend(cuis.iter().take(50_000 - big.len()).cloned());
    }
    let book = cui_workbook(&big, "Bolsa Social");
    let ids: Vec<String> = (0..3)
        .map(|i| {
            upload(
                &env,
                &env.ws1,
                &token,
                &format!("grande-{i}.xlsx"),
                book.clone(),
            )
            .unwrap()
            .id
        })
        .collect();

    // Wait until a job is running, then kill the server outright. On a
    // fast machine the first job may finish between two looks: the next
    // one is then the one interrupted.
    let deadline = Instant::now() + Duration::from_secs(60);
    let interrupted = 'wait: loop {
        for id in &ids {
            let job = status(&env, &env.ws1, &token, id).unwrap();
            if job.state == JobState::Running {
                break 'wait id.clone();
            }
        }
        let last = status(&env, &env.ws1, &token, &ids[2]).unwrap();
        assert_eq!(
            last.state,
            JobState::Queued,
            "every job finished before one could be interrupted"
        );
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(10));
    };
    env.server.kill_hard();
    // Restart on the same data directory.
    env.server = Server::start(&env.inst.data);
    let token = user_token(&env, &env.ws1, 2);
    let coordinator = env.login(&env.ws1, &env.coordinator());
    for id in &ids {
        let job = wait_done(&env, &env.ws1, &coordinator.token, id);
        assert_eq!(job.state, JobState::Done, "{job:?}");
        assert_eq!(job.counts.as_ref().unwrap().encontrado, 50_000);
    }
    for id in &ids {
        let done = env.inst.query_i64(&format!(
            "SELECT count(*) FROM audit_log WHERE action = 'query.done' AND subject = 'query:{id}'"
        ));
        assert_eq!(done, 1, "job {id} completed {done} times");
    }
    let attempts = env.inst.query_i64(&format!(
        "SELECT attempts FROM query_jobs WHERE id = '{interrupted}'"
    ));
    assert_eq!(
        attempts, 2,
        "the interrupted job ran again after the restart"
    );
    let out = env.inst.tmp.path().join("r.xlsx");
    assert_eq!(
        download(&env, &env.ws1, &coordinator.token, &interrupted, &out),
        200
    );
    assert_eq!(result_rows(&out).len(), 50_001);
    drop(token);
}

#[test]
fn results_past_retention_are_deleted() {
    let mut env = Env::new();
    let csv = registry(&env, "500");
    let token = user_token(&env, &env.ws1, 1);
    let job = upload(
        &env,
        &env.ws1,
        &token,
        "viejo.xlsx",
        cui_workbook(&registry_cuis(&csv, 5), "P"),
    )
    .unwrap();
    wait_done(&env, &env.ws1, &token, &job.id);
    let result = env
        .inst
        .data
        .join(format!("queries/results/{}.xlsx", job.id));
    let upload_file = env
        .inst
        .data
        .join(format!("queries/uploads/{}.xlsx", job.id));
    assert!(result.exists() && upload_file.exists());

    // Finished 31 days ago (default retention: 30); the sweep runs when the worker starts.
    env.sql(&format!(
        "UPDATE query_jobs SET finished_at = '{}'",
        padron_tests::seconds_ago(31 * 24 * 3600)
    ));
    env.server.kill_hard();
    env.server = Server::start(&env.inst.data);
    let deadline = Instant::now() + Duration::from_secs(10);
    while result.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !result.exists() && !upload_file.exists(),
        "files past retention are deleted"
    );
    let coordinator = env.login(&env.ws1, &env.coordinator());
    let out = env.inst.tmp.path().join("r.xlsx");
    assert_eq!(
        download(&env, &env.ws1, &coordinator.token, &job.id, &out),
        410
    );
    assert_eq!(
        status(&env, &env.ws1, &coordinator.token, &job.id)
            .unwrap()
            .state,
        JobState::Expired
    );
}

#[test]
fn the_agreement_sets_services_and_the_monthly_quota() {
    let env = Env::new();
    let csv = registry(&env, "500");
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
            "--monthly-quota",
            "30",
            "--services",
            "cui",
        ],
    );
    let token = user_token(&env, &env.ws1, 1);

    // By names is not in this agreement.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in padron_consulta::Mode::Names.titles().iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["R1", "ANA", "", "", "LOPEZ", "PEREZ", "", "", "Bolsa"]
        .iter()
        .enumerate()
    {
        sheet.write_string(1, c as u16, *v).unwrap();
    }
    assert_eq!(
        upload(
            &env,
            &env.ws1,
            &token,
            "n.xlsx",
            book.save_to_buffer().unwrap()
        )
        .unwrap_err(),
        (403, "SERVICE_NOT_IN_AGREEMENT".into())
    );

    let cuis = registry_cuis(&csv, 40);
    assert!(
        upload(
            &env,
            &env.ws1,
            &token,
            "a.xlsx",
            cui_workbook(&cuis[..20], "P")
        )
        .is_ok()
    );
    let response = env
        .ws1
        .post(env.url("/v1/queries?name=b.xlsx"))
        .bearer_auth(&token)
        .body(cui_workbook(&cuis[..20], "P"))
        .send()
        .unwrap();
    assert_eq!(response.status(), 429);
    let body: serde_json::Value = response.json().unwrap();
    assert_eq!(body["code"], "QUOTA_EXCEEDED");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("Quedan 10 filas este mes; el archivo tiene 20"),
        "{body}"
    );
    // Exactly reaching the quota is allowed; one more row is not.
    assert!(
        upload(
            &env,
            &env.ws1,
            &token,
            "c.xlsx",
            cui_workbook(&cuis[20..30], "P")
        )
        .is_ok()
    );
    let show = ok(
        "padron-server",
        &["institution", "show", "--data", d, "MIDES"],
    );
    assert!(
        show.contains("2026-01-01 → 2030-12-31 (cuota mensual 30)") && show.contains("30 filas"),
        "{show}"
    );
    assert_eq!(
        upload(
            &env,
            &env.ws1,
            &token,
            "d.xlsx",
            cui_workbook(&cuis[30..31], "P")
        )
        .unwrap_err()
        .1,
        "QUOTA_EXCEEDED"
    );
}
