//! Three `padron-server serve` nodes on one PostgreSQL behind HAProxy (TCP
//! passthrough), with real processes: logins and uploads from two
//! workstations through the load balancer, one FIFO queue worked by every
//! node, `kill -9` of the node running a job and another node completing
//! it (each job done once, none lost), a revocation effective on every
//! node, and a restarted node serving again.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use padron_tests::consulta::{registry, upload, user_token};
use padron_tests::fixture::Env;
use padron_tests::haproxy::Haproxy;
use padron_tests::workbooks::{cui_workbook, registry_cuis};
use padron_tests::{Backend, Server, ok};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

fn pid_of(worker: &str) -> u32 {
    worker.split(':').nth(1).unwrap().parse().unwrap()
}

fn refused(r: reqwest::Result<reqwest::blocking::Response>) -> bool {
    match r {
        Ok(r) => !r.status().is_success(),
        Err(_) => true,
    }
}

#[test]
fn three_nodes_behind_haproxy_share_one_fifo_queue_and_survive_a_kill() {
    let mut env = Env::on(Backend::Postgres, "");
    let csv = registry(&env, "20000");
    let mut others = [Server::start(&env.inst.data), Server::start(&env.inst.data)];
    let ports = [env.server.port, others[0].port, others[1].port];
    let lb = Haproxy::start(&ports);
    env.front = Some(lb.port);
    let pg = env.inst.pg.as_ref().unwrap();
    let sql = |q: &str| pg.psql("padron", q);

    // Logins through the balancer: a challenge and its login may reach
    // different nodes; the nonce and the session are in the database.
    let t1 = user_token(&env, &env.ws1, 1);
    let t2 = user_token(&env, &env.ws2, 2);
    let cuis = registry_cuis(&csv, 20_000);
    let mut rows: Vec<String> = Vec::with_capacity(30_000);
    while rows.len() < 30_000 {
        rows.extend(cuis.iter().take(30_000 - rows.len()).cloned());
    }
    let book = cui_workbook(&rows, "Bolsa Social");
    let mut ids = Vec::new();
    for i in 0..6 {
        let (client, token) = if i % 2 == 0 {
            (&env.ws1, &t1)
        } else {
            (&env.ws2, &t2)
        };
        ids.push(
            upload(&env, client, token, &format!("lote-{i}.xlsx"), book.clone())
                .unwrap()
                .id,
        );
    }

    // Kill -9 the node running the oldest running job.
    let deadline = Instant::now() + Duration::from_secs(60);
    let (victim_job, victim_worker) = loop {
        let running = sql(
            "SELECT id || ' ' || worker FROM query_jobs WHERE state = 'RUNNING' ORDER BY seq LIMIT 1",
        );
        if let Some((id, worker)) = running.split_once(' ') {
            break (id.to_owned(), worker.to_owned());
        }
        assert!(Instant::now() < deadline, "no job ever ran");
        std::thread::sleep(Duration::from_millis(20));
    };
    let pid = pid_of(&victim_worker);
    let killed_at = OffsetDateTime::now_utc();
    if env.server.pid() == pid {
        env.server.kill_hard();
    } else {
        let node = others
            .iter_mut()
            .find(|s| s.pid() == pid)
            .expect("a node of ours");
        node.kill_hard();
    }

    // Every acknowledged upload completes, once.
    let deadline = Instant::now() + Duration::from_secs(300);
    while sql("SELECT count(*) FROM query_jobs WHERE state = 'DONE'") != "6" {
        assert_eq!(
            sql("SELECT count(*) FROM query_jobs WHERE state = 'FAILED'"),
            "0"
        );
        assert!(
            Instant::now() < deadline,
            "jobs did not finish: {}",
            sql("SELECT string_agg(id || ':' || state, ' ') FROM query_jobs")
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        sql("SELECT count(*) FROM audit_log WHERE action = 'query.done'"),
        "6",
        "no job completed twice"
    );
    assert_eq!(
        sql("SELECT count(DISTINCT subject) FROM audit_log WHERE action = 'query.done'"),
        "6"
    );
    assert_eq!(
        sql(&format!(
            "SELECT attempts FROM query_jobs WHERE id = '{victim_job}'"
        )),
        "2"
    );
    let finisher = sql(&format!(
        "SELECT worker FROM query_jobs WHERE id = '{victim_job}'"
    ));
    assert_ne!(pid_of(&finisher), pid, "another node finished it");
    let workers = sql("SELECT count(DISTINCT split_part(worker, ':', 2)) FROM query_jobs");
    assert!(
        workers.parse::<u32>().unwrap() >= 2,
        "jobs ran on {workers} node(s)"
    );
    // The takeover: from the kill to the other node's start of the job.
    let restarted = sql(&format!(
        "SELECT started_at FROM query_jobs WHERE id = '{victim_job}'"
    ));
    let restarted = OffsetDateTime::parse(&restarted, &Rfc3339).unwrap();
    let takeover = restarted - killed_at;
    eprintln!(
        "takeover after kill -9: {} ms",
        takeover.whole_milliseconds()
    );
    assert!(takeover < time::Duration::seconds(5), "took {takeover}");
    // FIFO: first starts follow acknowledgement order (same-instant claims
    // by different nodes may swap by the width of a poll).
    let starts =
        sql("SELECT string_agg(started_at, ' ' ORDER BY seq) FROM query_jobs WHERE attempts = 1");
    let starts: Vec<OffsetDateTime> = starts
        .split(' ')
        .map(|s| OffsetDateTime::parse(s, &Rfc3339).unwrap())
        .collect();
    for pair in starts.windows(2) {
        assert!(
            pair[1] + time::Duration::seconds(1) >= pair[0],
            "{starts:?}"
        );
    }

    // A revocation on one node (the admin CLI writes the shared database)
    // refuses the workstation on every node still running.
    let live: Vec<u16> = [&env.server, &others[0], &others[1]]
        .iter()
        .filter(|s| s.pid() != pid)
        .map(|s| s.port)
        .collect();
    ok(
        "padron-server",
        &[
            "workstation",
            "revoke",
            "--data",
            env.inst.data(),
            "--id",
            "2",
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(3);
    for port in &live {
        let url = format!("https://localhost:{port}/v1/whoami");
        while !refused(env.ws2.get(&url).send()) {
            assert!(
                Instant::now() < deadline,
                "node {port} still serves a revoked workstation"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(env.ws1.get(&url).send().unwrap().status().as_u16(), 200);
    }

    // The killed node, restarted, serves again from the shared store.
    let rejoined = Server::start(&env.inst.data);
    let health: serde_json::Value = env
        .ws1
        .get(format!("https://localhost:{}/v1/health", rejoined.port))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(health["database"], "ok", "{health}");
    assert!(
        health["node"]
            .as_str()
            .unwrap()
            .ends_with(&format!(":{}", rejoined.pid()))
    );
    let (status, _) = {
        let r = env
            .ws1
            .get(format!(
                "https://localhost:{}/v1/queries/{}",
                rejoined.port, ids[0]
            ))
            .bearer_auth(&t1)
            .send()
            .unwrap();
        (r.status().as_u16(), ())
    };
    assert_eq!(
        status, 200,
        "a session from before is valid on the new node"
    );
}
