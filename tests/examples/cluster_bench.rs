//! Benchmark of the shared store and the cluster (packaging/bench/cluster.sh
//! runs it): `cargo run --example cluster_bench -- [store|jobs|all]`.
//!
//! - store: operations per second of the three hot paths, on SQLite (WAL,
//!   synchronous FULL) and on PostgreSQL (a local server, fsync on), from 1
//!   and from 4 threads each with its own connection: a login (challenge
//!   with its cap, nonce spent, session created with its audit entry), a
//!   status poll (session read and touched, job and queue position read),
//!   an upload acknowledgement (quota counted, job queued, audit entry).
//! - jobs: jobs completed per minute by 1 and by 3 nodes on the same queue
//!   (small and large CUI workbooks), uploaded before the nodes start work.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use padron_shared::queries::QueryMode;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use padron_server::audit::AuditRecord;
use padron_server::store::{
    Database, IssuedCertificate, KeyOrigin, MonthlyQuota, NewJob, NewSession, Store,
};
use padron_shared::Cui;
use padron_shared::auth::Role;
use padron_tests::consulta::{registry, upload, user_token};
use padron_tests::fixture::{COORDINATOR, Env, cui};
use padron_tests::postgres::TestPostgres;
use padron_tests::workbooks::{cui_workbook, registry_cuis};
use padron_tests::{Backend, Server};
use serde_json::json;

const AT: &str = "2026-12-01T10:00:00.000Z";

fn audit(action: &str) -> AuditRecord {
    AuditRecord::ok(AT, "bench", action, "bench".into(), json!({}))
}

fn prepare(store: &dyn Store) -> (i64, i64) {
    let inst = store
        .add_institution("MIDES", "M", AT, &audit("institution.add"))
        .unwrap();
    store
        .add_coordinator(
            "MIDES",
            Cui::parse(COORDINATOR).unwrap(),
            "Ana",
            AT,
            &audit("c"),
        )
        .unwrap();
    let ws = store
        .enroll_workstation(
            "MIDES",
            "s",
            KeyOrigin::Generated,
            AT,
            &audit("w"),
            &mut |id| {
                Ok(IssuedCertificate {
                    serial_hex: format!("{id}"),
                    fingerprint_hex: format!("{id:064}"),
                    pem: String::new(),
                    not_before: AT.into(),
                    not_after: AT.into(),
                })
            },
        )
        .unwrap();
    (inst.id, ws.id)
}

/// Runs `op(thread, i)` `per_thread` times on each of `threads` threads,
/// each with its own store; returns operations per second.
fn measure(
    db: &Database,
    threads: usize,
    per_thread: usize,
    op: impl Fn(&dyn Store, usize, usize) + Send + Sync + 'static,
) -> f64 {
    let op = Arc::new(op);
    let barrier = Arc::new(Barrier::new(threads + 1));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let store = db.open(true).unwrap();
            let (op, barrier) = (op.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                for i in 0..per_thread {
                    op(store.as_ref(), t, i);
                }
            })
        })
        .collect();
    barrier.wait();
    let start = Instant::now();
    for h in handles {
        h.join().unwrap();
    }
    (threads * per_thread) as f64 / start.elapsed().as_secs_f64()
}

fn store_bench(name: &str, db: &Database) {
    let store = db.open(true).unwrap();
    let (inst, ws) = prepare(store.as_ref());
    // A queue and sessions to poll.
    for t in 0..4 {
        store
            .create_session(
                &NewSession {
                    token_hash: format!("poll-{t}"),
                    workstation_id: ws,
                    cert_fingerprint: "f".into(),
                    institution_id: inst,
                    cui: COORDINATOR.into(),
                    full_name: "Ana".into(),
                    role: Role::Coordinator,
                    created_at: AT.into(),
                    expires_at: "2026-12-01T18:00:00.000Z".into(),
                },
                &audit("auth.login"),
            )
            .unwrap();
    }
    for threads in [1usize, 4] {
        let n = 300 / threads.max(1) * threads.min(2);
        let login = measure(db, threads, n, move |s, t, i| {
            let nonce = format!("n-{threads}-{t}-{i}");
            assert!(
                s.insert_nonce_capped(&nonce, ws, AT, "2026-12-01T10:05:00.000Z", 1_000_000)
                    .unwrap()
            );
            s.consume_nonce(&nonce, ws, AT).unwrap().unwrap();
            s.create_session(
                &NewSession {
                    token_hash: nonce.clone(),
                    workstation_id: ws,
                    cert_fingerprint: "f".into(),
                    institution_id: inst,
                    cui: COORDINATOR.into(),
                    full_name: "Ana".into(),
                    role: Role::Coordinator,
                    created_at: AT.into(),
                    expires_at: "2026-12-01T18:00:00.000Z".into(),
                },
                &audit("auth.login"),
            )
            .unwrap();
        });
        let upload = measure(db, threads, n, move |s, t, i| {
            let job = NewJob {
                id: format!("job-{threads}-{t}-{i}"),
                institution_id: inst,
                user_cui: cui(1),
                workstation_id: ws,
                file_name: "x.xlsx".into(),
                mode: QueryMode::Cui,
                rows: 10,
                upload_sha256: "00".into(),
                programmes: "{}".into(),
                created_at: AT.into(),
            };
            let quota = MonthlyQuota {
                limit: i64::MAX / 2,
                from: "2026-12-01T00:00:00.000Z".into(),
                to: "2027-01-01T00:00:00.000Z".into(),
            };
            s.enqueue(&job, Some(&quota), &audit("query.upload"))
                .unwrap();
        });
        let poll = measure(db, threads, n * 3, move |s, t, _| {
            let token = format!("poll-{t}");
            let session = s.session(&token).unwrap().unwrap();
            assert!(session.ended_at.is_none());
            s.touch_session(&token, "2026-12-01T10:01:00.000Z").unwrap();
            let job = s.job("job-1-0-0").unwrap().unwrap();
            s.jobs_ahead(job.seq).unwrap();
        });
        println!("| {name} | {threads} | {login:.0} | {poll:.0} | {upload:.0} |");
    }
}

/// 12 jobs (4 of 20,000 rows, 8 of 500) uploaded once; then, for each
/// node count, the queue is reset to waiting, that many nodes start, and
/// the span from the first start to the last finish is read from the store.
fn jobs_bench(counts: &[usize]) -> Vec<f64> {
    let mut env = Env::on(Backend::Postgres, "");
    let csv = registry(&env, "20000");
    let token = user_token(&env, &env.ws1, 1);
    let cuis = registry_cuis(&csv, 20_000);
    let big: Vec<String> = cuis.iter().cycle().take(20_000).cloned().collect();
    let small: Vec<String> = cuis.iter().take(500).cloned().collect();
    let (big, small) = (cui_workbook(&big, "B"), cui_workbook(&small, "S"));
    let jobs = 12;
    for i in 0..jobs {
        let book = if i % 3 == 0 {
            big.clone()
        } else {
            small.clone()
        };
        upload(&env, &env.ws1, &token, &format!("j{i}.xlsx"), book).unwrap();
    }
    let pg = env.inst.pg.take().unwrap();
    let done = |pg: &TestPostgres| {
        let deadline = Instant::now() + Duration::from_secs(1200);
        while pg.psql(
            "padron",
            "SELECT count(*) FROM query_jobs WHERE state = 'DONE'",
        ) != jobs.to_string()
        {
            assert!(Instant::now() < deadline, "jobs did not finish");
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    done(&pg);
    env.server.kill_hard();
    let mut out = Vec::new();
    for &nodes in counts {
        pg.psql(
            "padron",
            "UPDATE query_jobs SET state = 'QUEUED', worker = NULL, lease_until = NULL, progress_done = 0,
                    counts = NULL, started_at = NULL, finished_at = NULL, attempts = 0",
        );
        let servers: Vec<Server> = (0..nodes).map(|_| Server::start(&env.inst.data)).collect();
        done(&pg);
        let span = pg.psql(
            "padron",
            "SELECT extract(epoch FROM max(finished_at::timestamptz) - min(started_at::timestamptz)) FROM query_jobs",
        );
        let workers = pg.psql("padron", "SELECT count(DISTINCT worker) FROM query_jobs");
        drop(servers);
        let seconds: f64 = span.parse().unwrap();
        let per_minute = jobs as f64 / seconds * 60.0;
        println!(
            "| {nodes} | {jobs} (4 × 20,000 rows, 8 × 500) | {seconds:.1} s | {per_minute:.1} | {workers} |"
        );
        out.push(per_minute);
    }
    env.inst.pg = Some(pg);
    out
}

fn main() {
    let what = std::env::args().nth(1).unwrap_or_else(|| "all".into());
    if what == "store" || what == "all" {
        println!("| backend | threads | logins/s | status polls/s | upload acks/s |");
        println!("|---|---|---|---|---|");
        let dir = tempfile::tempdir().unwrap();
        store_bench("SQLite", &Database::Sqlite(dir.path().join("padron.db")));
        let pg = TestPostgres::start_durable();
        let url = pg.create_database("bench");
        store_bench(
            "PostgreSQL",
            &Database::Postgres {
                url,
                password: None,
            },
        );
    }
    if what == "jobs" || what == "all" {
        println!("| nodes | jobs | first start → last finish | jobs/min | workers |");
        println!("|---|---|---|---|---|");
        let rates = jobs_bench(&[1, 3]);
        println!("ratio 3 nodes / 1 node: {:.2}", rates[1] / rates[0]);
    }
}
