//! Test support for end-to-end tests: the real `padron-server` and
//! `padron-agent` binaries, started as processes, talking real TLS.
//!
//! The binaries are the ones `cargo build`/`cargo nextest` put beside this
//! test executable in the target directory; `packaging/dev/test.sh` builds
//! them first.

pub mod card_env;
pub mod consulta;
pub mod eid;
pub mod fixture;
pub mod haproxy;
pub mod postgres;
pub mod responders;
pub mod workbooks;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Path of a workspace binary in the same target directory as this test.
pub fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // A harness binary (the benchmark) sits beside the binaries it runs.
    if let Some(beside) = exe.parent().map(|d| d.join(name))
        && beside.is_file()
    {
        return beside;
    }
    // target/<profile>/deps/<test>-<hash> → target/<profile>/<name>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target profile directory");
    let path = profile_dir.join(name);
    assert!(
        path.is_file(),
        "{} is missing: build the workspace binaries first (cargo build --workspace --bins, as packaging/dev/test.sh does)",
        path.display()
    );
    path
}

/// Runs a binary to completion with the environment cleared of Padrón
/// variables, so a developer's shell does not leak into the test.
pub fn run(name: &str, args: &[&str]) -> Output {
    run_env(name, args, &[])
}

pub fn run_env(name: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(bin(name));
    cmd.args(args);
    for var in [
        "PADRON_DATA",
        "PADRON_AGENT_CONFIG",
        "PADRON_LANG",
        "PADRON_LOG",
        "LANG",
        "LC_ALL",
        "LC_MESSAGES",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {name}: {e}"))
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs and insists on success, returning stdout.
pub fn ok(name: &str, args: &[&str]) -> String {
    let out = run(name, args);
    assert!(
        out.status.success(),
        "{name} {args:?} failed:\nstdout: {}\nstderr: {}",
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

/// A `padron-server serve` process on a loopback port, killed on drop.
#[derive(Debug)]
pub struct Server {
    child: Child,
    pub port: u16,
    /// The metrics listener's port, when `[metrics]` is configured.
    pub metrics_port: Option<u16>,
    log: PathBuf,
}

impl Server {
    pub fn start(data: &Path) -> Server {
        let log = data.with_extension("server.log");
        let log_file = std::fs::File::create(&log).expect("server log file");
        let mut child = Command::new(bin("padron-server"))
            .args(["serve", "--data"])
            .arg(data)
            .args(["--listen", "127.0.0.1:0", "--log", "info"])
            .env_remove("PADRON_DATA")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .spawn()
            .expect("start padron-server");
        let out = child.stdout.take().expect("server stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut metrics = None;
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if let Some(addr) = line
                    .strip_prefix("padron-server metrics on http://")
                    .and_then(|rest| rest.strip_suffix("/metrics"))
                {
                    metrics = addr.rsplit(':').next().and_then(|p| p.parse::<u16>().ok());
                }
                if let Some(addr) = line.strip_prefix("padron-server listening on https://") {
                    let _ = tx.send((addr.to_owned(), metrics));
                }
            }
        });
        let (addr, metrics_port) = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(addr) => addr,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "padron-server did not start; log:\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
        };
        let port = addr
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("port in listening line");
        Server {
            child,
            port,
            metrics_port,
            log,
        }
    }

    pub fn url(&self) -> String {
        format!("https://localhost:{}", self.port)
    }

    /// The server's process id (for its memory figures in /proc).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process with SIGKILL: no shutdown, no flushing, as a crash.
    pub fn kill_hard(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// What the server has logged so far (refusal reasons land here).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the log contains `needle` (logging is asynchronous to the client's view).
    pub fn wait_for_log(&self, needle: &str) -> String {
        for _ in 0..100 {
            let log = self.log();
            if log.contains(needle) {
                return log;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("server log never contained {needle:?}:\n{}", self.log());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Which store an installation uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    /// A PostgreSQL server started for the installation (see `postgres.rs`).
    Postgres,
}

impl Backend {
    /// `PADRON_TEST_BACKEND=postgres` runs the fixture-based end-to-end
    /// tests on PostgreSQL; the default is SQLite.
    pub fn from_env() -> Backend {
        match std::env::var("PADRON_TEST_BACKEND").as_deref() {
            Ok("postgres") | Ok("postgresql") => Backend::Postgres,
            Ok("sqlite") | Ok("") | Err(_) => Backend::Sqlite,
            Ok(other) => panic!("PADRON_TEST_BACKEND={other:?}: sqlite or postgres"),
        }
    }
}

/// A data directory with one institution, ready to enrol workstations.
#[derive(Debug)]
pub struct Installation {
    pub tmp: tempfile::TempDir,
    pub data: PathBuf,
    /// The database server, when the store is PostgreSQL (stopped on drop).
    pub pg: Option<postgres::TestPostgres>,
}

impl Installation {
    pub fn new() -> Installation {
        Installation::on(Backend::from_env())
    }

    pub fn on(backend: Backend) -> Installation {
        let tmp = tempfile::tempdir().expect("temp dir");
        let data = tmp.path().join("data");
        let pg = match backend {
            Backend::Sqlite => {
                ok("padron-server", &["init", "--data", path_str(&data)]);
                None
            }
            Backend::Postgres => {
                let pg = postgres::TestPostgres::start();
                let url = pg.create_database("padron");
                ok(
                    "padron-server",
                    &["init", "--data", path_str(&data), "--database", &url],
                );
                Some(pg)
            }
        };
        ok(
            "padron-server",
            &[
                "institution",
                "add",
                "--data",
                path_str(&data),
                "--code",
                "MIDES",
                "--name",
                "Ministerio de Desarrollo Social",
            ],
        );
        give_agreement(&data, "MIDES");
        Installation { tmp, data, pg }
    }

    pub fn data(&self) -> &str {
        path_str(&self.data)
    }

    /// The store backend this installation runs on.
    pub fn backend(&self) -> Backend {
        if self.pg.is_some() {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// Runs SQL statements on the installation's database behind the
    /// server's back (as a thief or a clock-changing test would), on either
    /// backend: psql for PostgreSQL, rusqlite for SQLite.
    pub fn sql(&self, statements: &str) {
        if let Some(pg) = &self.pg {
            pg.psql("padron", statements);
            return;
        }
        let db = rusqlite::Connection::open(self.data.join("padron.db")).expect("open padron.db");
        db.execute_batch(statements)
            .unwrap_or_else(|e| panic!("{statements}: {e}"));
    }

    /// [`Self::sql`] that may fail (a guard refusing it): the error text.
    pub fn try_sql(&self, statements: &str) -> Result<(), String> {
        if let Some(pg) = &self.pg {
            return pg.try_psql("padron", statements).map(drop);
        }
        let db = rusqlite::Connection::open(self.data.join("padron.db")).expect("open padron.db");
        db.execute_batch(statements).map_err(|e| e.to_string())
    }

    /// A byte string as an SQL literal in this backend's dialect.
    pub fn blob_literal(&self, bytes: &[u8]) -> String {
        match self.backend() {
            Backend::Sqlite => format!("X'{}'", hex::encode(bytes)),
            Backend::Postgres => format!("decode('{}', 'hex')", hex::encode(bytes)),
        }
    }

    /// The rows of a query on the installation's database, each row its
    /// columns joined by `|` as psql prints them unaligned (NULL as the
    /// empty string, a blob as `\x` and its hex), on either backend.
    pub fn query(&self, sql: &str) -> Vec<String> {
        if let Some(pg) = &self.pg {
            let out = pg.psql("padron", sql);
            return out.lines().map(str::to_owned).collect();
        }
        use rusqlite::types::ValueRef;
        let db = rusqlite::Connection::open(self.data.join("padron.db")).expect("open padron.db");
        let mut stmt = db.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap_or_else(|e| panic!("{sql}: {e}"));
        let mut out = Vec::new();
        while let Some(row) = rows.next().unwrap_or_else(|e| panic!("{sql}: {e}")) {
            let fields: Vec<String> = (0..columns)
                .map(|i| match row.get_ref(i).expect("column") {
                    ValueRef::Null => String::new(),
                    ValueRef::Integer(n) => n.to_string(),
                    ValueRef::Real(x) => x.to_string(),
                    ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    ValueRef::Blob(b) => format!("\\x{}", hex::encode(b)),
                })
                .collect();
            out.push(fields.join("|"));
        }
        out
    }

    /// Another process holding a write transaction on the database, so
    /// that the server's writes to `tables` wait: SQLite's `BEGIN
    /// IMMEDIATE` (the whole file), PostgreSQL's `LOCK TABLE … IN EXCLUSIVE
    /// MODE` (reads go on, writes wait) from a psql kept open. Released by
    /// [`WriteLock::release`] or on drop.
    pub fn hold_write_lock(&self, tables: &[&str]) -> WriteLock {
        match &self.pg {
            None => {
                let db = rusqlite::Connection::open(self.data.join("padron.db"))
                    .expect("open padron.db");
                db.execute_batch("BEGIN IMMEDIATE")
                    .expect("BEGIN IMMEDIATE");
                WriteLock::Sqlite(db)
            }
            Some(pg) => WriteLock::Postgres(pg.hold_lock("padron", tables)),
        }
    }

    /// The SQL expression of a byte column `column` with the text `from`
    /// replaced by `to` (the column read as UTF-8), in this backend's dialect.
    pub fn blob_replace(&self, column: &str, from: &str, to: &str) -> String {
        match self.backend() {
            Backend::Sqlite => {
                format!("CAST(replace(CAST({column} AS TEXT), '{from}', '{to}') AS BLOB)")
            }
            Backend::Postgres => format!(
                "convert_to(replace(convert_from({column}, 'UTF8'), '{from}', '{to}'), 'UTF8')"
            ),
        }
    }

    /// SQL that removes the triggers keeping `audit_log` append-only (what
    /// a thief with the database does first), in this backend's dialect.
    pub fn drop_audit_guards_sql(&self) -> &'static str {
        match self.backend() {
            Backend::Sqlite => {
                "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;"
            }
            Backend::Postgres => "DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log;",
        }
    }

    /// The one value of a one-row, one-column query (see [`Self::query`]).
    pub fn query_one(&self, sql: &str) -> String {
        let rows = self.query(sql);
        assert_eq!(rows.len(), 1, "{sql}: expected one row, got {rows:?}");
        rows.into_iter().next().unwrap_or_default()
    }

    /// [`Self::query_one`] as a number (a count, a seq).
    pub fn query_i64(&self, sql: &str) -> i64 {
        let value = self.query_one(sql);
        value
            .parse()
            .unwrap_or_else(|_| panic!("{sql}: {value:?} is not a number"))
    }

    /// Enrols a workstation of `institution` and returns its bundle directory.
    pub fn enroll(&self, institution: &str, site: &str, server_url: &str) -> PathBuf {
        let out =
            self.tmp
                .path()
                .join(format!("bundle-{}-{}", institution, site.replace(' ', "_")));
        ok(
            "padron-server",
            &[
                "workstation",
                "enroll",
                "--data",
                self.data(),
                "--institution",
                institution,
                "--site",
                site,
                "--out",
                path_str(&out),
                "--server-url",
                server_url,
            ],
        );
        out
    }
}

/// See [`Installation::hold_write_lock`].
#[derive(Debug)]
pub enum WriteLock {
    Sqlite(rusqlite::Connection),
    Postgres(postgres::HeldLock),
}

impl WriteLock {
    /// Ends the transaction (rolled back: it wrote nothing).
    pub fn release(self) {
        match self {
            WriteLock::Sqlite(db) => db.execute_batch("ROLLBACK").expect("ROLLBACK"),
            WriteLock::Postgres(held) => held.release(),
        }
    }
}

impl Default for Installation {
    fn default() -> Self {
        Installation::new()
    }
}

/// Gives an institution an agreement in force for the tests' years: no
/// agreement, no service (the server fails closed), so every test says so
/// explicitly, here, in one place.
pub fn give_agreement(data: &Path, code: &str) {
    ok(
        "padron-server",
        &[
            "agreement",
            "set",
            "--data",
            path_str(data),
            "--institution",
            code,
            "--from",
            "2020-01-01",
            "--to",
            "2099-12-31",
        ],
    );
}

/// The store's timestamp text (RFC 3339, UTC, milliseconds, as both
/// backends keep it) of `seconds` ago: for SQL that backdates a row
/// without either dialect's date functions.
pub fn seconds_ago(seconds: i64) -> String {
    let at = time::OffsetDateTime::now_utc() - time::Duration::seconds(seconds);
    let d = at.date();
    format!(
        "{}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        d.year(),
        u8::from(d.month()),
        d.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

/// A blocking HTTPS client with an optional client identity, pinned to the
/// installation's server CA: the "someone else's program" view of the server.
pub fn https_client(
    server_ca_pem: &[u8],
    identity_pem: Option<Vec<u8>>,
) -> reqwest::blocking::Client {
    let ca = reqwest::Certificate::from_pem(server_ca_pem).expect("server CA");
    let mut builder = reqwest::blocking::Client::builder()
        .tls_certs_only([ca])
        .timeout(Duration::from_secs(20));
    if let Some(pem) = identity_pem {
        builder = builder.identity(reqwest::Identity::from_pem(&pem).expect("identity"));
    }
    builder.build().expect("client")
}

/// Sets `key = value` in the installation's `server.toml` (the line that
/// `init` wrote for that key; key names are unique across the file).
/// `value` is TOML text: `"5"`, `"true"`.
pub fn set_server_config(data: &Path, key: &str, value: &str) {
    let path = data.join("server.toml");
    let text = std::fs::read_to_string(&path).expect("server.toml");
    let prefix = format!("{key} = ");
    assert!(
        text.lines().any(|l| l.starts_with(&prefix)),
        "server.toml has no {key}:\n{text}"
    );
    let edited: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with(&prefix) {
                format!("{key} = {value}")
            } else {
                l.to_owned()
            }
        })
        .collect();
    std::fs::write(&path, edited.join("\n") + "\n").expect("write server.toml");
}

impl Server {
    /// SIGTERM, then waits for the process to drain and exit (at most 20 s).
    pub fn terminate(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..200 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("padron-server did not exit after SIGTERM:\n{}", self.log());
    }
}
