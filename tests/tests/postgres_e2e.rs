//! The server on PostgreSQL, end to end with real processes: card login,
//! signed requests, an upload through the queue, `audit verify`; a second
//! node on the same database honouring the first one's session and
//! revocation; and `padron-server migrate` moving a SQLite installation
//! with the same audit head.
#![allow(clippy::unwrap_used)]

use padron_shared::queries::JobState;
use std::time::{Duration, Instant};

use padron_tests::consulta::{download, registry, upload, user_token, wait_done};
use padron_tests::fixture::{Env, cui};
use padron_tests::postgres::TestPostgres;
use padron_tests::workbooks::{cui_workbook, registry_cuis, result_rows};
use padron_tests::{Backend, Server, ok, run, stderr};

/// `audit verify`'s head line ("head: HASH (entry N)" in either language).
fn audit_head(data: &str) -> String {
    let out = ok("padron-server", &["audit", "verify", "--data", data]);
    out.lines()
        .find(|l| l.contains("cabeza:") || l.contains("head:"))
        .unwrap_or_else(|| panic!("no head in {out}"))
        .trim()
        .to_owned()
}

/// A user logs in, uploads, waits and downloads; returns (token, job id).
fn run_a_job(env: &Env, user: u32) -> (String, String) {
    let csv = env.inst.tmp.path().join("registro.csv");
    let csv = if csv.exists() {
        csv
    } else {
        registry(env, "2000")
    };
    let token = user_token(env, &env.ws1, user);
    let cuis = registry_cuis(&csv, 12);
    let job = upload(
        env,
        &env.ws1,
        &token,
        "beneficiarios.xlsx",
        cui_workbook(&cuis, "Bolsa Social"),
    )
    .unwrap();
    let done = wait_done(env, &env.ws1, &token, &job.id);
    assert_eq!(done.state, JobState::Done, "{done:?}");
    assert_eq!(done.counts.unwrap().encontrado, 12);
    let out = env.inst.tmp.path().join(format!("{}.xlsx", job.id));
    assert_eq!(download(env, &env.ws1, &token, &job.id, &out), 200);
    assert_eq!(result_rows(&out).len(), 13);
    (token, job.id)
}

#[test]
fn on_postgres_login_requests_a_job_and_audit_verify_all_work() {
    let env = Env::on(Backend::Postgres, "");
    assert!(
        std::fs::read_to_string(env.inst.data.join("server.toml"))
            .unwrap()
            .contains("database = \"postgresql://")
    );
    assert!(!env.inst.data.join("padron.db").exists(), "no SQLite file");
    run_a_job(&env, 1);
    let verify = ok(
        "padron-server",
        &["audit", "verify", "--data", env.inst.data()],
    );
    assert!(
        verify.contains("; 1 "),
        "one signed request verified: {verify}"
    );
    // The rows are in PostgreSQL, read by another client.
    let pg = env.inst.pg.as_ref().unwrap();
    assert_eq!(
        pg.psql(
            "padron",
            "SELECT count(*) FROM query_jobs WHERE state = 'DONE'"
        ),
        "1"
    );
    assert_eq!(pg.psql("padron", "SELECT count(*) FROM users"), "1");
    // A second `init` on the same database is refused and leaves nothing.
    let other = env.inst.tmp.path().join("other");
    let url = padron_tests::postgres::database_url(&env.inst.data).unwrap();
    let out = run(
        "padron-server",
        &[
            "init",
            "--data",
            other.to_str().unwrap(),
            "--database",
            &url,
        ],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("already holds"), "{}", stderr(&out));
    assert!(!other.exists());
}

#[test]
fn on_postgres_a_second_node_honours_the_first_ones_session_and_revocation() {
    let env = Env::on(Backend::Postgres, "");
    let ana = env.coordinator();
    let session = env.login(&env.ws1, &ana);
    // Node 2: the same data directory (PKI, server.toml), the same database.
    let node2 = Server::start(&env.inst.data);
    let on_node2 = |path: &str| format!("https://localhost:{}{path}", node2.port);
    let r = env
        .ws1
        .get(on_node2("/v1/session"))
        .bearer_auth(&session.token)
        .send()
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        200,
        "a login on node 1 works on node 2"
    );
    // Logout on node 2 ends the session on node 1.
    let r = env
        .ws1
        .post(on_node2("/v1/auth/logout"))
        .bearer_auth(&session.token)
        .send()
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let (status, _) = env.get_code(&env.ws1, "/v1/session", &session.token);
    assert_eq!(status, 401);
    // A revocation by the admin is effective on both nodes within a second or so.
    ok(
        "padron-server",
        &[
            "workstation",
            "revoke",
            "--data",
            env.inst.data(),
            "--id",
            &env.ws1_id.to_string(),
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let a = env.ws1.get(env.url("/v1/whoami")).send();
        let b = env.ws1.get(on_node2("/v1/whoami")).send();
        let refused = |r: &reqwest::Result<reqwest::blocking::Response>| match r {
            Ok(r) => !r.status().is_success(),
            Err(_) => true,
        };
        if refused(&a) && refused(&b) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "revocation not effective on both nodes"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // The other workstation still works on both.
    assert_eq!(
        env.ws2
            .get(on_node2("/v1/whoami"))
            .send()
            .unwrap()
            .status()
            .as_u16(),
        200
    );
}

#[test]
fn migrate_moves_a_sqlite_installation_with_the_same_audit_head() {
    let mut env = Env::on(Backend::Sqlite, "");
    let (token, job_id) = run_a_job(&env, 2);
    env.server.kill_hard();
    let head_before = audit_head(env.inst.data());

    let pg = TestPostgres::start();
    let url = pg.create_database("migrated");
    // A URL with a password in it is refused: server.toml would keep it.
    let with_password = url.replace("padron@", "padron:secret@");
    let refused = run(
        "padron-server",
        &["migrate", "--from", env.inst.data(), "--to", &with_password],
    );
    assert!(!refused.status.success());
    assert!(env.inst.data.join("padron.db").exists(), "nothing changed");
    let out = ok(
        "padron-server",
        &["migrate", "--from", env.inst.data(), "--to", &url],
    );
    assert!(out.contains("audit_log"), "{out}");
    assert!(!env.inst.data.join("padron.db").exists());
    assert!(env.inst.data.join("padron.db.before-postgresql").exists());
    assert_eq!(audit_head(env.inst.data()), head_before);
    // Migrating twice is refused: the target holds an installation.
    let again = run(
        "padron-server",
        &["migrate", "--from", env.inst.data(), "--to", &url],
    );
    assert!(!again.status.success(), "{}", stderr(&again));
    assert_eq!(
        pg.psql("migrated", "SELECT count(*) FROM user_requests"),
        "1"
    );

    // The server runs on PostgreSQL now: the session opened before the
    // move still works, the old job's result file is found by its id, and
    // new work continues the chain and the ids.
    env.server = Server::start(&env.inst.data);
    let (status, _) = env.get_code(&env.ws1, "/v1/session", &token);
    assert_eq!(status, 200, "the session moved with the store");
    let out = env.inst.tmp.path().join("again.xlsx");
    assert_eq!(download(&env, &env.ws1, &token, &job_id, &out), 200);
    assert_eq!(result_rows(&out).len(), 13);
    let (_, second_job) = run_a_job(&env, 3);
    assert_ne!(second_job, job_id);
    let verify = ok(
        "padron-server",
        &["audit", "verify", "--data", env.inst.data()],
    );
    assert!(
        verify.contains("; 2 "),
        "two signed requests verified: {verify}"
    );
    assert_ne!(audit_head(env.inst.data()), head_before);
    assert_eq!(cui(2).len(), 13);
}

/// Issue 15: two nodes on one PostgreSQL, each with its own data directory
/// (so its own registry file) and one shared upload directory. The node
/// whose registry is not the published version takes no job while the
/// other does; once it has the file it takes jobs again; `/v1/health` and
/// `registry status` say which node holds which.
#[test]
fn a_node_with_an_older_registry_takes_no_job_until_it_has_the_current_one() {
    let mut env = Env::on(Backend::Postgres, "");
    let a_data = env.inst.data.clone();
    // Node B: a copy of A's data directory (PKI, server.toml, database),
    // uploads and results in A's directory.
    let b_data = env.inst.tmp.path().join("node-b");
    let copied = std::process::Command::new("cp")
        .arg("-a")
        .arg(&a_data)
        .arg(&b_data)
        .status()
        .unwrap();
    assert!(copied.success());
    let toml = b_data.join("server.toml");
    let config = std::fs::read_to_string(&toml).unwrap();
    let shared = a_data.join("queries");
    std::fs::write(
        &toml,
        format!("shared_dir = {:?}\n{config}", shared.to_str().unwrap()),
    )
    .unwrap();
    let b = b_data.to_str().unwrap();
    // B imports an older registry, then A the current one.
    let old_csv = env.inst.tmp.path().join("registro-anterior.csv");
    let old = old_csv.to_str().unwrap();
    ok(
        "padron-server",
        &[
            "registry",
            "generate",
            "--persons",
            "500",
            "--seed",
            "3",
            "--out",
            old,
        ],
    );
    let published = ok("padron-server", &["registry", "import", "--data", b, old]);
    assert!(published.contains("publi"), "{published}");
    registry(&env, "2000");
    let status = ok(
        "padron-server",
        &["registry", "status", "--data", env.inst.data()],
    );
    let current = status
        .lines()
        .find_map(|l| {
            l.strip_prefix("versión vigente: ")
                .or_else(|| l.strip_prefix("current version: "))
        })
        .unwrap_or_else(|| panic!("{status}"))
        .to_owned();
    assert_eq!(current.len(), 64, "{status}");

    let node_b = Server::start(&b_data);
    let health = |port: u16| -> serde_json::Value {
        env.ws1
            .get(format!("https://localhost:{port}/v1/health"))
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    let on_b = health(node_b.port);
    assert_eq!(on_b["registry_current"], false, "{on_b}");
    assert_eq!(on_b["status"], "degraded", "{on_b}");
    assert_eq!(on_b["database"], "ok", "{on_b}");
    let on_a = health(env.server.port);
    assert_eq!(on_a["registry_current"], true, "{on_a}");
    assert_eq!(on_a["registry_version"], current.as_str(), "{on_a}");
    assert_ne!(on_a["node"], on_b["node"]);
    node_b.wait_for_log("este nodo no toma trabajos");

    // Both nodes serve, only A works: every job is A's, with A's version.
    let b_worker = format!(":{}:", node_b.pid());
    let a_worker = format!(":{}:", env.server.pid());
    for user in 1..=2 {
        run_a_job(&env, user);
    }
    let pg = env.inst.pg.as_ref().unwrap();
    let workers = pg.psql(
        "padron",
        "SELECT worker || ' ' || registry_version FROM query_jobs ORDER BY seq",
    );
    for line in workers.lines() {
        assert!(line.contains(&a_worker), "{workers}");
        assert!(line.ends_with(&current), "{workers}");
    }
    assert_eq!(workers.lines().count(), 2, "{workers}");
    // The warning is said once, not once a second.
    assert_eq!(
        node_b.log().matches("este nodo no toma trabajos").count(),
        1
    );

    // B gets the current file (as cluster.sh copies it): it takes jobs again.
    std::fs::copy(a_data.join("registry.sqlite"), b_data.join("registry.new")).unwrap();
    std::fs::rename(b_data.join("registry.new"), b_data.join("registry.sqlite")).unwrap();
    node_b.wait_for_log("vuelve a tomar trabajos");
    let on_b = health(node_b.port);
    assert_eq!(on_b["registry_current"], true, "{on_b}");
    assert_eq!(on_b["status"], "ok", "{on_b}");
    // Both nodes beat into the store with their versions.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let status = ok("padron-server", &["registry", "status", "--data", b]);
        let current_rows = status
            .lines()
            .filter(|l| l.contains(" sí ") || l.contains(" yes "))
            .count();
        if current_rows == 2 {
            break;
        }
        assert!(Instant::now() < deadline, "{status}");
        std::thread::sleep(Duration::from_millis(500));
    }
    // With A gone, B runs the next job.
    env.server.kill_hard();
    env.front = Some(node_b.port);
    run_a_job(&env, 3);
    let last = pg.psql(
        "padron",
        "SELECT worker || ' ' || registry_version FROM query_jobs ORDER BY seq DESC LIMIT 1",
    );
    assert!(
        last.contains(&b_worker) && last.ends_with(&current),
        "{last}"
    );
    drop(node_b);
}

/// A PostgreSQL installation's operations: `doctor` reads it (reachable,
/// schema version, without migrating), `backup` refuses with its own code
/// rather than writing an archive without the data, and the README's
/// `pg_dump` / `pg_restore` procedure gives an installation whose audit
/// chain verifies with the same head.
#[test]
fn on_postgres_doctor_reads_backup_points_to_pg_dump_and_the_dump_restores() {
    let env = Env::on(Backend::Postgres, "");
    run_a_job(&env, 1);
    let head = audit_head(env.inst.data());

    let doctor = run("padron-server", &["doctor", "--data", env.inst.data()]);
    let report = String::from_utf8_lossy(&doctor.stdout).into_owned() + &stderr(&doctor);
    assert!(
        report.contains("PostgreSQL") && !report.contains("no es un directorio"),
        "{report}"
    );
    assert_ne!(doctor.status.code(), Some(2), "no error finding: {report}");

    let out_file = env.inst.tmp.path().join("respaldo.tar");
    let backup = run(
        "padron-server",
        &[
            "backup",
            "--data",
            env.inst.data(),
            "--out",
            out_file.to_str().unwrap(),
        ],
    );
    assert!(!backup.status.success());
    assert!(
        stderr(&backup).contains("BACKUP_NEEDS_PG_DUMP"),
        "{}",
        stderr(&backup)
    );
    assert!(!out_file.exists(), "nothing written");

    // The documented procedure: pg_dump of the live database, pg_restore
    // into a new one, the data directory's files beside it.
    let pg = env.inst.pg.as_ref().unwrap();
    let dump = env.inst.tmp.path().join("padron.dump");
    let bin = padron_tests::postgres::bin_dir();
    let status = std::process::Command::new(bin.join("pg_dump"))
        .args([
            "--format=custom",
            "-f",
            dump.to_str().unwrap(),
            "-d",
            &pg.url("padron"),
        ])
        .status()
        .unwrap();
    assert!(status.success(), "pg_dump");
    let restored_url = pg.create_database("restored");
    let status = std::process::Command::new(bin.join("pg_restore"))
        .args(["--no-owner", "-d", &restored_url, dump.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success(), "pg_restore");
    let restored = env.inst.tmp.path().join("restored");
    let status = std::process::Command::new("cp")
        .args(["-a", env.inst.data(), restored.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success());
    let config = restored.join("server.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let live_url = padron_tests::postgres::database_url(&env.inst.data).unwrap();
    assert!(text.contains(&live_url));
    std::fs::write(&config, text.replace(&live_url, &restored_url)).unwrap();
    assert_eq!(audit_head(restored.to_str().unwrap()), head);
}
