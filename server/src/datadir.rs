//! The data directory: one place holding everything a Padrón server is.
//!
//! ```text
//! DIR/
//!   server.toml              hostname, public URL, default listen address
//!   padron.db                SQLite (WAL: also padron.db-wal, padron.db-shm)
//!   pki/server-ca.crt        agents pin this
//!   pki/server-ca.key
//!   pki/server.crt, .key     the TLS identity `serve` presents
//!   pki/workstation-ca.crt   client certificates must chain to this
//!   pki/workstation-ca.key
//! ```
//!
//! Keys are written 0600 and the directory 0700: the workstation CA key is
//! the power to let a computer in.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::access::pki::{self, PkiError};
use crate::store::postgres::{PgStore, is_postgres_url};
use crate::store::{Database, SqliteStore, Store, StoreError};

pub const CONFIG_FILE: &str = "server.toml";
pub const DATABASE_FILE: &str = "padron.db";
pub const DEFAULT_PORT: u16 = 8443;

#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    #[error("{0} already holds a Padrón installation (or other files); nothing was changed")]
    Exists(PathBuf),
    #[error("{0} is not a Padrón data directory (run `padron-server init --data {0}` first)")]
    Missing(PathBuf),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid: {message}")]
    Config { path: PathBuf, message: String },
    #[error("the host name {0:?} is not a valid DNS name or IP address")]
    Hostname(String),
    #[error(transparent)]
    Pki(#[from] PkiError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the database {0} already holds a Padrón installation; nothing was changed")]
    DatabaseInUse(String),
    #[error("{path} has mode {mode:o}: other users of this machine can reach it; run: {fix}")]
    NotPrivate {
        path: PathBuf,
        mode: u32,
        fix: String,
    },
}

/// `server.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// The name agents connect to; in the server certificate.
    pub hostname: String,
    /// The URL written into enrolment bundles.
    pub public_url: String,
    /// Where `serve` listens when `--listen` is not given.
    pub listen: String,
    /// ETSI country code in the eID certificates' `serialNumber=PNO<CC>-<CUI>`.
    #[serde(default = "default_eid_country")]
    pub eid_country: String,
    /// `postgresql://user@host:port/dbname`: the store is that PostgreSQL
    /// database, which several `serve` nodes may share. Absent: SQLite,
    /// `padron.db` in the data directory. No password in the URL: see
    /// `database_password_file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// A file holding the database password (else the environment's
    /// `PADRON_DATABASE_PASSWORD`, else none: peer or trust authentication).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_password_file: Option<PathBuf>,
    /// Where uploaded and result workbooks live (`uploads/`, `results/`
    /// under it); relative paths are taken from the data directory. Nodes
    /// sharing a PostgreSQL store point this at one directory they all
    /// reach (NFS or the like). Absent: `queries/` in the data directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_dir: Option<PathBuf>,
    /// Days uploads and results are kept after a job finishes.
    #[serde(default = "default_retention_days")]
    pub retention_days: u32,
    /// Connections, timeouts and request rates (`[limits]`).
    #[serde(default)]
    pub limits: crate::access::limits::Limits,
    /// TLS protocol versions (`[tls]`).
    #[serde(default)]
    pub tls: crate::access::limits::TlsSettings,
    /// How card revocation is checked (CRL grace, refresh, OCSP timing).
    #[serde(
        default,
        skip_serializing_if = "crate::auth::revocation::RevocationConfig::is_default"
    )]
    pub revocation: crate::auth::revocation::RevocationConfig,
    /// `[matching]`: what the names engine assumes about this installation's rows.
    #[serde(default)]
    pub matching: MatchingConfig,
    /// The sandboxed workbook reader: limits of each child, parses at once.
    #[serde(default)]
    pub parsing: ParsingConfig,
    /// `[calendar]`: the zone whose days are the registry's days.
    #[serde(default)]
    pub calendar: CalendarConfig,
    /// `[service_desk]`: whom the kiosk's people call for help.
    #[serde(default, skip_serializing_if = "ServiceDeskConfig::is_empty")]
    pub service_desk: ServiceDeskConfig,
    /// `[metrics]`: the Prometheus listener; none unless configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<crate::metrics::MetricsConfig>,
}

/// `[calendar]` of `server.toml`: the installation's time zone (tz database
/// name). Quota months, report periods, the 90-day count, January, the
/// agreements' dates and the daily pass are its local days; stored stamps
/// stay UTC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarConfig {
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
}

impl Default for CalendarConfig {
    fn default() -> Self {
        CalendarConfig {
            time_zone: default_time_zone(),
        }
    }
}

fn default_time_zone() -> String {
    padron_shared::calendar::DEFAULT_TIME_ZONE.to_owned()
}

impl CalendarConfig {
    /// The zone (checked when `server.toml` is read).
    pub fn zone(&self) -> padron_shared::calendar::Zone {
        padron_shared::calendar::Zone::or_default(&self.time_zone)
    }
}

/// `[service_desk]` of `server.toml`: the registry's help desk, shown in
/// every kiosk's footer (e.g. `contact = "Servicios electrónicos · 2413-0000"`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceDeskConfig {
    #[serde(default)]
    pub contact: String,
}

impl ServiceDeskConfig {
    fn is_empty(&self) -> bool {
        self.contact.trim().is_empty()
    }
}

/// `[matching]` of `server.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchingConfig {
    /// Share of the rows whose person is not in the registry at all: near
    /// 0.01 for a national civil registry queried by its own country's
    /// programmes; higher for an institution whose rolls hold foreigners or
    /// many errors (see ARCHITECTURE.md, "Persons outside the registry").
    #[serde(default = "default_outside_share")]
    pub outside_share: f64,
    /// Probability a match by names must reach to be reported
    /// `ENCONTRADO` (see ARCHITECTURE.md, "How sure a reported match is"):
    /// higher for fewer wrong answers and more rows for a person to review.
    #[serde(default = "default_found_probability")]
    pub found_probability: f64,
}

// Both checked finite and in range when read; never NaN.
impl Eq for MatchingConfig {}

impl Default for MatchingConfig {
    fn default() -> Self {
        MatchingConfig {
            outside_share: default_outside_share(),
            found_probability: default_found_probability(),
        }
    }
}

fn default_outside_share() -> f64 {
    padron_consulta::matching::engine::DEFAULT_OUTSIDE_SHARE
}

fn default_found_probability() -> f64 {
    padron_consulta::matching::engine::DEFAULT_FOUND_PROBABILITY
}

impl MatchingConfig {
    pub fn settings(&self) -> padron_consulta::matching::engine::MatchingSettings {
        padron_consulta::matching::engine::MatchingSettings {
            outside_share: self.outside_share,
            found_probability: self.found_probability,
        }
    }
}

/// `[parsing]` in `server.toml`: how untrusted workbooks are read (each in
/// a child process with these limits; at most `concurrent` at once, an
/// upload waiting at most `wait_seconds` for its turn).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ParsingConfig {
    /// The child's address space (`RLIMIT_AS`), MiB.
    pub address_space_mib: u64,
    /// The child's CPU time (`RLIMIT_CPU`), seconds.
    pub cpu_seconds: u64,
    /// The child is killed after this long, seconds.
    pub wall_seconds: u64,
    /// Parses running at once.
    pub concurrent: usize,
    /// How long an upload waits for a free parser before "busy, retry", seconds.
    pub wait_seconds: u64,
}

impl Default for ParsingConfig {
    fn default() -> ParsingConfig {
        ParsingConfig {
            address_space_mib: 1024,
            cpu_seconds: 30,
            wall_seconds: 60,
            concurrent: 2,
            wait_seconds: 10,
        }
    }
}

fn default_retention_days() -> u32 {
    30
}

fn default_eid_country() -> String {
    "GT".to_owned()
}

#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> DataDirError + '_ {
    move |source| DataDirError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Writes a new file, refusing to replace an existing one.
pub fn write_new_file(path: &Path, contents: &[u8], mode: u32) -> Result<(), DataDirError> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(io_err(path))?;
    file.write_all(contents).map_err(io_err(path))?;
    file.sync_all().map_err(io_err(path))?;
    Ok(())
}

fn valid_hostname(name: &str) -> bool {
    if name.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

impl DataDir {
    pub fn path(&self) -> &Path {
        &self.root
    }
    pub fn database(&self) -> PathBuf {
        self.root.join(DATABASE_FILE)
    }
    pub fn config_path(&self) -> PathBuf {
        self.root.join(CONFIG_FILE)
    }
    pub fn server_ca_cert(&self) -> PathBuf {
        self.root.join("pki/server-ca.crt")
    }
    pub fn server_cert(&self) -> PathBuf {
        self.root.join("pki/server.crt")
    }
    pub fn server_key(&self) -> PathBuf {
        self.root.join("pki/server.key")
    }
    pub fn workstation_ca_cert(&self) -> PathBuf {
        self.root.join("pki/workstation-ca.crt")
    }
    pub fn workstation_ca_key(&self) -> PathBuf {
        self.root.join("pki/workstation-ca.key")
    }
    /// `shared_dir` of server.toml, else `queries/` here. (`serve` has
    /// read server.toml successfully before anything asks.)
    fn queries_dir(&self) -> PathBuf {
        match self.config().ok().and_then(|c| c.shared_dir) {
            Some(dir) => self.root.join(dir),
            None => self.root.join("queries"),
        }
    }
    /// Acknowledged query workbooks, `<job id>.xlsx`.
    pub fn uploads_dir(&self) -> PathBuf {
        self.queries_dir().join("uploads")
    }
    /// Result workbooks, `<job id>.xlsx`.
    pub fn results_dir(&self) -> PathBuf {
        self.queries_dir().join("results")
    }

    /// Creates a data directory. It is assembled in a sibling temporary
    /// directory and renamed into place, so a failure half-way leaves
    /// nothing behind and an existing directory is never touched.
    pub fn init(root: &Path, hostname: &str, now: OffsetDateTime) -> Result<DataDir, DataDirError> {
        Self::init_with(root, hostname, now, None)
    }

    /// [`init`](Self::init), with the store in a PostgreSQL database
    /// (`database`: its URL) rather than SQLite. The database must exist and
    /// hold no installation yet; its schema is created here.
    pub fn init_with(
        root: &Path,
        hostname: &str,
        now: OffsetDateTime,
        database: Option<&str>,
    ) -> Result<DataDir, DataDirError> {
        if let Some(url) = database {
            check_database_url(url, &root.join(CONFIG_FILE))?;
        }
        if !valid_hostname(hostname) {
            return Err(DataDirError::Hostname(hostname.to_owned()));
        }
        let exists_nonempty = match fs::read_dir(root) {
            Ok(mut entries) => entries.next().is_some(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => true,
            Err(source) => {
                return Err(DataDirError::Io {
                    path: root.to_owned(),
                    source,
                });
            }
        };
        if exists_nonempty || root.is_file() {
            return Err(DataDirError::Exists(root.to_owned()));
        }
        let parent = match root.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(io_err(&parent))?;
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "padron".into());
        let mut suffix = [0u8; 6];
        pki::fill_random(&mut suffix)?;
        let staging = parent.join(format!(".{name}.init-{}", hex::encode(suffix)));
        let result = Self::populate(&staging, hostname, now, database).and_then(|()| {
            // An empty directory may be a mount point or made by a package;
            // replace it only if it is still empty.
            if root.exists() {
                fs::remove_dir(root).map_err(|_| DataDirError::Exists(root.to_owned()))?;
            }
            fs::rename(&staging, root).map_err(io_err(root))
        });
        if let Err(e) = result {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
        Ok(DataDir {
            root: root.to_owned(),
        })
    }

    fn populate(
        dir: &Path,
        hostname: &str,
        now: OffsetDateTime,
        database: Option<&str>,
    ) -> Result<(), DataDirError> {
        fs::DirBuilder::new()
            .mode(0o700)
            .create(dir)
            .map_err(io_err(dir))?;
        let pki_dir = dir.join("pki");
        fs::DirBuilder::new()
            .mode(0o700)
            .create(&pki_dir)
            .map_err(io_err(&pki_dir))?;
        let material = pki::init(hostname, now)?;
        let files: [(&str, &str, u32); 6] = [
            ("pki/server-ca.crt", &material.server_ca.cert_pem, 0o644),
            ("pki/server-ca.key", &material.server_ca.key_pem, 0o600),
            ("pki/server.crt", &material.server.cert_pem, 0o644),
            ("pki/server.key", &material.server.key_pem, 0o600),
            (
                "pki/workstation-ca.crt",
                &material.workstation_ca.cert_pem,
                0o644,
            ),
            (
                "pki/workstation-ca.key",
                &material.workstation_ca.key_pem,
                0o600,
            ),
        ];
        for (name, contents, mode) in files {
            write_new_file(&dir.join(name), contents.as_bytes(), mode)?;
        }
        let url_host = if hostname.contains(':') {
            format!("[{hostname}]")
        } else {
            hostname.to_owned()
        };
        let config = ServerConfig {
            hostname: hostname.to_owned(),
            public_url: format!("https://{url_host}:{DEFAULT_PORT}"),
            listen: format!("0.0.0.0:{DEFAULT_PORT}"),
            eid_country: default_eid_country(),
            database: database.map(str::to_owned),
            database_password_file: None,
            shared_dir: None,
            retention_days: default_retention_days(),
            limits: Default::default(),
            tls: Default::default(),
            revocation: Default::default(),
            matching: MatchingConfig::default(),
            parsing: ParsingConfig::default(),
            calendar: CalendarConfig::default(),
            service_desk: ServiceDeskConfig::default(),
            metrics: None,
        };
        let text = toml::to_string_pretty(&config).map_err(|e| DataDirError::Config {
            path: dir.join(CONFIG_FILE),
            message: e.to_string(),
        })?;
        write_new_file(&dir.join(CONFIG_FILE), text.as_bytes(), 0o644)?;
        crate::evidence::verify::create_key(dir)?;
        match database {
            None => drop(SqliteStore::open(&dir.join(DATABASE_FILE), true)?),
            Some(url) => {
                let password = std::env::var("PADRON_DATABASE_PASSWORD").ok();
                let store = PgStore::open(url, password.as_deref())?;
                if store.holds_installation()? {
                    return Err(DataDirError::DatabaseInUse(url.to_owned()));
                }
            }
        }
        Ok(())
    }

    /// Refuses a data directory other users of the machine can reach: the
    /// directory and `pki/` must be 0700 (no group or other bits) and every
    /// private key 0600. Names the first offending path and the `chmod` that
    /// fixes it. `serve` checks this before it starts.
    pub fn check_private(&self) -> Result<(), DataDirError> {
        use std::os::unix::fs::PermissionsExt;
        let mode_of = |path: &Path| {
            fs::metadata(path)
                .map(|m| m.permissions().mode() & 0o7777)
                .map_err(io_err(path))
        };
        let pki_dir = self.root.join("pki");
        for dir in [&self.root, &pki_dir] {
            let mode = mode_of(dir)?;
            if mode & 0o077 != 0 {
                return Err(DataDirError::NotPrivate {
                    path: dir.clone(),
                    mode,
                    fix: format!("chmod 700 {}", dir.display()),
                });
            }
        }
        let mut keys: Vec<PathBuf> = fs::read_dir(&pki_dir)
            .map_err(io_err(&pki_dir))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "key"))
            .collect();
        keys.sort();
        for key in keys {
            let mode = mode_of(&key)?;
            if mode & 0o077 != 0 {
                return Err(DataDirError::NotPrivate {
                    fix: format!("chmod 600 {}", key.display()),
                    path: key,
                    mode,
                });
            }
        }
        Ok(())
    }

    /// Opens an initialised data directory.
    pub fn open(root: &Path) -> Result<DataDir, DataDirError> {
        let dir = DataDir {
            root: root.to_owned(),
        };
        if !dir.config_path().is_file() {
            return Err(DataDirError::Missing(root.to_owned()));
        }
        // Without padron.db only a PostgreSQL installation is one.
        if !dir.database().is_file() && !dir.database_config()?.is_postgres() {
            return Err(DataDirError::Missing(root.to_owned()));
        }
        Ok(dir)
    }

    pub fn config(&self) -> Result<ServerConfig, DataDirError> {
        let path = self.config_path();
        let text = fs::read_to_string(&path).map_err(io_err(&path))?;
        let config: ServerConfig = toml::from_str(&text).map_err(|e| DataDirError::Config {
            path: path.clone(),
            message: e.to_string(),
        })?;
        if let Err(e) = padron_shared::calendar::Zone::parse(&config.calendar.time_zone) {
            return Err(DataDirError::Config {
                path,
                message: format!("[calendar] time_zone: {e}"),
            });
        }
        if let Err(e) = config.matching.settings().check() {
            return Err(DataDirError::Config {
                path,
                message: format!("[matching] {e}"),
            });
        }
        Ok(config)
    }

    /// Where the store lives: `database` of server.toml, else `padron.db`.
    pub fn database_config(&self) -> Result<Database, DataDirError> {
        let path = self.config_path();
        let config = self.config()?;
        let Some(url) = config.database else {
            return Ok(Database::Sqlite(self.database()));
        };
        check_database_url(&url, &path)?;
        let password = match config.database_password_file {
            Some(file) => {
                let file = self.root.join(file);
                let text = fs::read_to_string(&file).map_err(io_err(&file))?;
                Some(text.trim_end_matches(['\n', '\r']).to_owned())
            }
            None => std::env::var("PADRON_DATABASE_PASSWORD").ok(),
        };
        Ok(Database::Postgres { url, password })
    }

    /// The store, SQLite or PostgreSQL as server.toml says.
    pub fn open_store(&self) -> Result<std::sync::Arc<dyn Store>, DataDirError> {
        Ok(self.database_config()?.open(false)?)
    }
}

/// A PostgreSQL URL, without a password in it (server.toml is readable
/// by others; the password goes in `database_password_file`).
pub(crate) fn check_database_url(url: &str, config: &Path) -> Result<(), DataDirError> {
    let bad = |message: String| DataDirError::Config {
        path: config.to_owned(),
        message,
    };
    if !is_postgres_url(url) {
        return Err(bad(format!(
            "database must be a postgresql:// URL, not {:?}",
            crate::audit::printable(url)
        )));
    }
    // libpq's TLS settings are read by the store (`store/postgres/tls.rs`),
    // not by the `postgres` crate's parser.
    let request = crate::store::postgres::tls::split(url).map_err(|e| bad(e.to_string()))?;
    if let Some(root) = &request.root_cert
        && !root.is_file()
    {
        return Err(bad(format!(
            "sslrootcert {} is not a readable file",
            root.display()
        )));
    }
    let parsed: postgres::Config = request
        .url
        .parse()
        .map_err(|e: postgres::Error| bad(format!("database URL: {e}")))?;
    if parsed.get_password().is_some() {
        return Err(bad(
            "the database URL holds a password: put it in database_password_file or PADRON_DATABASE_PASSWORD"
                .into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_refuses_existing_installation_and_changes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("data");
        DataDir::init(&root, "padron.example", OffsetDateTime::now_utc()).unwrap();
        let before = fs::read(root.join("pki/workstation-ca.key")).unwrap();
        let err = DataDir::init(&root, "padron.example", OffsetDateTime::now_utc()).unwrap_err();
        assert!(matches!(err, DataDirError::Exists(_)), "{err}");
        assert_eq!(
            fs::read(root.join("pki/workstation-ca.key")).unwrap(),
            before
        );
        // No staging directory is left behind.
        let leftovers: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
    }

    #[test]
    fn shared_dir_moves_uploads_and_results() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::init(
            &tmp.path().join("d"),
            "localhost",
            OffsetDateTime::now_utc(),
        )
        .unwrap();
        assert_eq!(dir.uploads_dir(), dir.path().join("queries/uploads"));
        let toml = fs::read_to_string(dir.config_path()).unwrap();
        fs::write(
            dir.config_path(),
            format!("shared_dir = \"/srv/padron\"\n{toml}"),
        )
        .unwrap();
        assert_eq!(dir.uploads_dir(), Path::new("/srv/padron/uploads"));
        assert_eq!(dir.results_dir(), Path::new("/srv/padron/results"));
    }

    #[test]
    fn a_database_url_with_a_password_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let err = DataDir::init_with(
            &tmp.path().join("d"),
            "localhost",
            OffsetDateTime::now_utc(),
            Some("postgresql://padron:secret@127.0.0.1/padron"),
        )
        .unwrap_err();
        assert!(err.to_string().contains("password"), "{err}");
        assert!(!tmp.path().join("d").exists());
        let err = DataDir::init_with(
            &tmp.path().join("d"),
            "localhost",
            OffsetDateTime::now_utc(),
            Some("mysql://x"),
        )
        .unwrap_err();
        assert!(matches!(err, DataDirError::Config { .. }), "{err}");
    }

    #[test]
    fn init_accepts_an_empty_directory_and_protects_keys() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::init(tmp.path(), "localhost", OffsetDateTime::now_utc()).unwrap();
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(dir.workstation_ca_key())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let config = dir.config().unwrap();
        assert_eq!(config.public_url, "https://localhost:8443");
        DataDir::open(tmp.path()).unwrap().open_store().unwrap();
    }

    /// The installation's `server.toml` up to its `[matching]` table.
    fn without_matching(dir: &DataDir) -> String {
        fs::read_to_string(dir.config_path())
            .unwrap()
            .lines()
            .take_while(|l| !l.starts_with("[matching]"))
            .map(|l| format!("{l}\n"))
            .collect()
    }

    #[test]
    fn the_outside_share_is_read_from_server_toml_and_checked() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::init(tmp.path(), "localhost", OffsetDateTime::now_utc()).unwrap();
        // A fresh installation writes the default.
        assert_eq!(
            dir.config().unwrap().matching.outside_share,
            padron_consulta::matching::engine::DEFAULT_OUTSIDE_SHARE
        );
        let base = without_matching(&dir);
        // An institution roll with foreigners: its own assumption.
        fs::write(
            dir.config_path(),
            format!("{base}[matching]\noutside_share = 0.1\n"),
        )
        .unwrap();
        assert_eq!(dir.config().unwrap().matching.settings().outside_share, 0.1);
        // Left out: the default.
        fs::write(dir.config_path(), &base).unwrap();
        assert_eq!(
            dir.config().unwrap().matching.outside_share,
            padron_consulta::matching::engine::DEFAULT_OUTSIDE_SHARE
        );
        for bad in ["0.0", "0.9", "-1.0", "nan"] {
            fs::write(
                dir.config_path(),
                format!("{base}[matching]\noutside_share = {bad}\n"),
            )
            .unwrap();
            assert!(
                matches!(dir.config(), Err(DataDirError::Config { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_found_probability_is_read_from_server_toml_and_checked() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::init(tmp.path(), "localhost", OffsetDateTime::now_utc()).unwrap();
        assert_eq!(
            dir.config().unwrap().matching.settings().found_probability,
            padron_consulta::matching::engine::DEFAULT_FOUND_PROBABILITY
        );
        let base = without_matching(&dir);
        // A registry that wants fewer wrong answers and more review.
        fs::write(
            dir.config_path(),
            format!("{base}[matching]\nfound_probability = 0.995\n"),
        )
        .unwrap();
        let settings = dir.config().unwrap().matching.settings();
        assert_eq!(settings.found_probability, 0.995);
        assert_eq!(
            settings.outside_share,
            padron_consulta::matching::engine::DEFAULT_OUTSIDE_SHARE
        );
        for bad in ["0.5", "1.0", "0.9999", "nan", "-0.99"] {
            fs::write(
                dir.config_path(),
                format!("{base}[matching]\nfound_probability = {bad}\n"),
            )
            .unwrap();
            match dir.config() {
                Err(DataDirError::Config { message, .. }) => {
                    assert!(message.contains("found_probability"), "{bad}: {message}")
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn init_refuses_bad_hostnames_and_foreign_directories() {
        let tmp = tempfile::tempdir().unwrap();
        let err = DataDir::init(&tmp.path().join("d"), "bad host", OffsetDateTime::now_utc())
            .unwrap_err();
        assert!(matches!(err, DataDirError::Hostname(_)));
        fs::write(tmp.path().join("other.txt"), "x").unwrap();
        let err = DataDir::init(tmp.path(), "localhost", OffsetDateTime::now_utc()).unwrap_err();
        assert!(matches!(err, DataDirError::Exists(_)));
        let err = DataDir::open(&tmp.path().join("nowhere")).unwrap_err();
        assert!(matches!(err, DataDirError::Missing(_)));
    }
}
