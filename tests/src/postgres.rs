//! A real PostgreSQL server for a test: a cluster of its own in a
//! temporary directory, on a free loopback port, stopped when dropped.
//!
//! `initdb` and `postgres` refuse to run as root, and the tests run as
//! root: they run as the `postgres` user Debian's package creates
//! (`runuser`). Nothing here skips: a machine without PostgreSQL fails the
//! test with the reason (`packaging/dev/setup.sh` installs it).
#![allow(clippy::unwrap_used, clippy::expect_used)] // fixture: a failure is a failed test

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The cluster's superuser (trust authentication on loopback only).
pub const SUPERUSER: &str = "padron";

#[derive(Debug)]
pub struct TestPostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
}

/// Where Debian keeps the server binaries (`/usr/lib/postgresql/N/bin`),
/// the highest version installed.
pub fn bin_dir() -> PathBuf {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is not installed ({}: {e}): run packaging/dev/setup.sh",
                root.display()
            )
        })
        .filter_map(Result::ok)
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).unwrap_or_else(|| {
        panic!(
            "no initdb under {}: run packaging/dev/setup.sh",
            root.display()
        )
    })
}

fn as_postgres(program: &Path, args: &[&str]) -> Output {
    Command::new("runuser")
        .args(["-u", "postgres", "--"])
        .arg(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run runuser {}: {e}", program.display()))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn postgres_uid_gid() -> (u32, u32) {
    let id = |flag: &str| -> u32 {
        let out = Command::new("id")
            .args([flag, "postgres"])
            .output()
            .expect("id");
        assert!(
            out.status.success(),
            "there is no postgres user (Debian's postgresql package creates it): run packaging/dev/setup.sh"
        );
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    };
    (id("-u"), id("-g"))
}

impl TestPostgres {
    /// initdb + pg_ctl start, fsync off (tests: a crash of the machine is
    /// not what they try); panics with the server's log if it cannot.
    pub fn start() -> TestPostgres {
        TestPostgres::start_with(false, None)
    }

    /// With `ssl = on` and the given certificate and key (PEM), and only
    /// TLS connections accepted over TCP (`hostssl` in pg_hba.conf).
    pub fn start_tls(cert_pem: &str, key_pem: &str) -> TestPostgres {
        TestPostgres::start_with(false, Some((cert_pem, key_pem)))
    }

    /// With fsync on, as production runs: for the benchmarks.
    pub fn start_durable() -> TestPostgres {
        TestPostgres::start_with(true, None)
    }

    fn start_with(fsync: bool, tls: Option<(&str, &str)>) -> TestPostgres {
        let bin = bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("padron-pg-")
            .tempdir()
            .unwrap();
        let (uid, gid) = postgres_uid_gid();
        std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).unwrap();
        let data = dir.path().join("data");
        let data_s = data.to_str().unwrap();
        let out = as_postgres(
            &bin.join("initdb"),
            &[
                "-D",
                data_s,
                "-A",
                "trust",
                "-U",
                SUPERUSER,
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        );
        assert!(
            out.status.success(),
            "initdb failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let mut ssl = String::new();
        if let Some((cert, key)) = tls {
            use std::os::unix::fs::PermissionsExt;
            for (name, pem) in [("server.crt", cert), ("server.key", key)] {
                let path = data.join(name);
                std::fs::write(&path, pem).unwrap();
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
                std::os::unix::fs::chown(&path, Some(uid), Some(gid)).unwrap();
            }
            let hba = data.join("pg_hba.conf");
            let text = std::fs::read_to_string(&hba).unwrap();
            let only_tls: String = text
                .lines()
                .map(|l| match l.strip_prefix("host ") {
                    Some(rest) => format!("hostssl {rest}\n"),
                    None => format!("{l}\n"),
                })
                .collect();
            std::fs::write(&hba, only_tls).unwrap();
            ssl = " -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key".into();
        }
        let log = dir.path().join("server.log");
        for attempt in 0..5 {
            let port = free_port();
            let options = format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync={} -c max_connections=200{ssl}",
                dir.path().display(),
                if fsync { "on" } else { "off" }
            );
            let out = as_postgres(
                &bin.join("pg_ctl"),
                &[
                    "-D",
                    data_s,
                    "-o",
                    &options,
                    "-l",
                    log.to_str().unwrap(),
                    "-w",
                    "-t",
                    "30",
                    "start",
                ],
            );
            if out.status.success() {
                return TestPostgres { dir, bin, port };
            }
            if attempt == 4 {
                panic!(
                    "pg_ctl start failed: {}{}\nlog:\n{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr),
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
        }
        unreachable!()
    }

    /// The URL of database `name` (no password: trust on loopback).
    pub fn url(&self, name: &str) -> String {
        format!("postgresql://{SUPERUSER}@127.0.0.1:{}/{name}", self.port)
    }

    /// A PostgreSQL client program (psql, createdb, pg_dump) pointed at this
    /// server as its superuser.
    fn client(&self, program: &str) -> Command {
        let mut command = Command::new(self.bin.join(program));
        command.args([
            "-h",
            "127.0.0.1",
            "-p",
            &self.port.to_string(),
            "-U",
            SUPERUSER,
        ]);
        command
    }

    /// Creates an empty database and returns its URL.
    pub fn create_database(&self, name: &str) -> String {
        let out = self
            .client("createdb")
            .args([name])
            .output()
            .expect("createdb");
        assert!(
            out.status.success(),
            "createdb {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.url(name)
    }

    /// Runs SQL through psql (a client other than the server's), returning
    /// the unaligned, tuples-only output.
    pub fn psql(&self, database: &str, sql: &str) -> String {
        self.try_psql(database, sql)
            .unwrap_or_else(|e| panic!("psql {sql}: {e}"))
    }

    /// [`Self::psql`] that may fail: psql's error text.
    pub fn try_psql(&self, database: &str, sql: &str) -> Result<String, String> {
        let out = self
            .client("psql")
            .args([
                "-d",
                database,
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ])
            .output()
            .expect("psql");
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    /// A copy of database `from` (no one connected to it) as `to`; its URL.
    pub fn copy_database(&self, from: &str, to: &str) -> String {
        let out = self
            .client("createdb")
            .args(["-T", from, to])
            .output()
            .expect("createdb");
        assert!(
            out.status.success(),
            "createdb -T {from} {to}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.url(to)
    }

    /// `pg_dump` of a database: its whole content as SQL text (without the
    /// `\restrict` lines, whose key is new at each dump).
    pub fn dump(&self, database: &str) -> String {
        let out = self
            .client("pg_dump")
            .args([database])
            .output()
            .expect("pg_dump");
        assert!(
            out.status.success(),
            "pg_dump {database}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.starts_with("\\restrict") && !l.starts_with("\\unrestrict"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// A psql kept open inside `BEGIN; LOCK TABLE … IN EXCLUSIVE MODE`,
    /// returned once the lock is held.
    pub fn hold_lock(&self, database: &str, tables: &[&str]) -> HeldLock {
        use std::io::{BufRead, Write};
        let mut child = self
            .client("psql")
            .args([
                "-d",
                database,
                "-X",
                "-A",
                "-t",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("psql");
        let mut stdin = child.stdin.take().unwrap();
        writeln!(
            stdin,
            "BEGIN; LOCK TABLE {} IN EXCLUSIVE MODE; SELECT 'locked';",
            tables.join(", ")
        )
        .unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "locked", "psql did not take the lock");
        HeldLock {
            child,
            stdin: Some(stdin),
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = as_postgres(
            &self.bin.join("pg_ctl"),
            &[
                "-D",
                data.to_str().unwrap_or_default(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }
}

/// See [`TestPostgres::hold_lock`]; rolled back on release or drop.
#[derive(Debug)]
pub struct HeldLock {
    child: std::process::Child,
    stdin: Option<std::process::ChildStdin>,
}

impl HeldLock {
    pub fn release(mut self) {
        self.end();
    }

    fn end(&mut self) {
        use std::io::Write;
        if let Some(mut stdin) = self.stdin.take() {
            let _ = writeln!(stdin, "ROLLBACK;");
            drop(stdin);
            let _ = self.child.wait();
        }
    }
}

impl Drop for HeldLock {
    fn drop(&mut self) {
        self.end();
    }
}

/// `database` of a data directory's server.toml, if it names one.
pub fn database_url(data: &Path) -> Option<String> {
    let text = std::fs::read_to_string(data.join("server.toml")).ok()?;
    text.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("database")?.trim_start();
        let value = rest.strip_prefix('=')?.trim();
        Some(value.trim_matches('"').to_owned())
    })
}

/// One value from a database given by URL, through psql.
pub fn psql_url(url: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([url, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .expect("psql");
    assert!(
        out.status.success(),
        "psql {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}
