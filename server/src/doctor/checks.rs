//! The doctor's checks, one function each, each returning its findings.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use super::{DoctorOptions, Finding, Level};
use crate::datadir::{CONFIG_FILE, DATABASE_FILE, DataDir};
use std::sync::Arc;

use crate::store::Database;
use crate::store::{SqliteStore, Store, snapshot};
use padron_consulta::registry::store::STORE_FILE as REGISTRY_FILE;

fn s(es: impl Into<String>, en: impl Into<String>) -> (String, String) {
    (es.into(), en.into())
}

/// "la CA…" → "La CA…".
fn upper(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn date(at: OffsetDateTime) -> String {
    let d = at.date();
    format!("{}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

pub(super) fn all(o: &DoctorOptions) -> Vec<Finding> {
    let root = &o.data;
    // A PostgreSQL installation has no padron.db: its server.toml says where
    // the database is.
    let postgres = crate::datadir::DataDir::open(root)
        .and_then(|d| d.database_config())
        .ok()
        .filter(Database::is_postgres);
    if !root.join(CONFIG_FILE).is_file()
        || (postgres.is_none() && !root.join(DATABASE_FILE).is_file())
    {
        return vec![Finding::bad(
            "DATA_DIR",
            Level::Error,
            s(
                format!(
                    "{} no es un directorio de datos de Padrón (falta server.toml o padron.db).",
                    root.display()
                ),
                format!(
                    "{} is not a Padrón data directory (server.toml or padron.db is missing).",
                    root.display()
                ),
            ),
            s(
                format!(
                    "Cree uno con `padron-server init --data {0}` o restaure un respaldo con `padron-server restore --data {0}`.",
                    root.display()
                ),
                format!(
                    "Create one with `padron-server init --data {0}` or restore a backup with `padron-server restore --data {0}`.",
                    root.display()
                ),
            ),
        )];
    }
    let mut out = Vec::new();
    out.extend(file_modes(root));
    let (db_findings, store) = match &postgres {
        Some(db) => postgres_database(db),
        None => database(root),
    };
    out.extend(db_findings);
    let store = store.as_deref();
    out.extend(clock(o, store));
    out.extend(certificates(o, store));
    out.extend(crls(o, store));
    out.push(disk(o));
    out.push(registry(root));
    out
}

fn mode(path: &Path) -> Option<(u32, u32)> {
    fs::symlink_metadata(path)
        .ok()
        .map(|m| (m.permissions().mode() & 0o7777, m.uid()))
}

/// The data directory, pki/ and queries/ private; keys 0600; all owned by
/// the directory's owner (the service user).
fn file_modes(root: &Path) -> Vec<Finding> {
    let mut problems: Vec<(PathBuf, String)> = Vec::new();
    let owner = mode(root).map(|(_, uid)| uid);
    let mut dirs = vec![root.to_owned(), root.join("pki")];
    for sub in ["queries", "queries/uploads", "queries/results"] {
        if root.join(sub).exists() {
            dirs.push(root.join(sub));
        }
    }
    for dir in &dirs {
        if let Some((m, _)) = mode(dir)
            && m & 0o077 != 0
        {
            problems.push((dir.clone(), format!("chmod 700 {}", dir.display())));
        }
    }
    let mut private: Vec<PathBuf> = fs::read_dir(root.join("pki"))
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "key"))
                .collect()
        })
        .unwrap_or_default();
    // padron.db is as SQLite makes it (umask); the 0700 directory is what
    // keeps it private, as `serve`'s own check has it.
    private.sort();
    for file in &private {
        if let Some((m, _)) = mode(file)
            && m & 0o077 != 0
        {
            problems.push((file.clone(), format!("chmod 600 {}", file.display())));
        }
    }
    let mut foreign: Vec<PathBuf> = Vec::new();
    for path in dirs.iter().chain(private.iter()) {
        if let (Some((_, uid)), Some(owner)) = (mode(path), owner)
            && uid != owner
        {
            foreign.push(path.clone());
        }
    }
    let mut out = Vec::new();
    if problems.is_empty() {
        out.push(Finding::ok(
            "FILE_MODES",
            "Permisos: el directorio de datos, pki/ y queries/ son 0700; las claves, 0600.",
            "Permissions: the data directory, pki/ and queries/ are 0700; keys 0600.",
        ));
    } else {
        let list: Vec<String> = problems
            .iter()
            .map(|(p, _)| p.display().to_string())
            .collect();
        let fixes: Vec<String> = problems.iter().map(|(_, f)| f.clone()).collect();
        out.push(Finding::bad(
            "FILE_MODES",
            Level::Error,
            s(
                format!(
                    "Otros usuarios del sistema pueden leer: {} (`serve` se niega a iniciar).",
                    list.join(", ")
                ),
                format!(
                    "Other users of the machine can read: {} (`serve` refuses to start).",
                    list.join(", ")
                ),
            ),
            s(
                format!(
                    "Ejecute: {}. Si una clave fue legible por otros, considérela comprometida.",
                    fixes.join("; ")
                ),
                format!(
                    "Run: {}. A key others could read should be considered compromised.",
                    fixes.join("; ")
                ),
            ),
        ));
    }
    if !foreign.is_empty() {
        let list: Vec<String> = foreign.iter().map(|p| p.display().to_string()).collect();
        out.push(Finding::bad(
            "FILE_MODES",
            Level::Warning,
            s(
                format!(
                    "Archivos de otro dueño que el directorio de datos: {}.",
                    list.join(", ")
                ),
                format!(
                    "Files owned by someone else than the data directory: {}.",
                    list.join(", ")
                ),
            ),
            s(
                format!(
                    "Ejecute los comandos de administración como el usuario del servicio (`runuser -u padron -- padron-server …`) y corrija con `chown -R padron:padron {}`.",
                    root.display()
                ),
                format!(
                    "Run admin commands as the service user (`runuser -u padron -- padron-server …`) and fix with `chown -R padron:padron {}`.",
                    root.display()
                ),
            ),
        ));
    }
    out
}

/// Reachability, integrity and schema version; the store, opened only
/// when its schema is this build's (opening an older one would migrate it).
fn database(root: &Path) -> (Vec<Finding>, Option<Arc<dyn Store>>) {
    let db = root.join(DATABASE_FILE);
    let facts = match snapshot::facts(&db) {
        Ok(f) => f,
        Err(e) => {
            return (
                vec![Finding::bad(
                    "DATABASE",
                    Level::Error,
                    s(
                        format!("La base de datos {} no responde: {e}.", db.display()),
                        format!("The database {} does not answer: {e}.", db.display()),
                    ),
                    s(
                        "Compruebe que el archivo existe y es legible por el usuario del servicio; si está dañado, restaure el último respaldo (`padron-server restore`).",
                        "Check that the file exists and the service user can read it; if it is damaged, restore the latest backup (`padron-server restore`).",
                    ),
                )],
                None,
            );
        }
    };
    let mut out = Vec::new();
    match snapshot::quick_check(&db) {
        Ok(problems) if problems.is_empty() => out.push(Finding::ok(
            "DATABASE",
            format!(
                "Base de datos accesible e íntegra (PRAGMA quick_check): {} entradas de auditoría, {} consultas.",
                facts.audit_entries,
                facts.job_ids.len()
            ),
            format!(
                "Database reachable and sound (PRAGMA quick_check): {} audit entries, {} queries.",
                facts.audit_entries,
                facts.job_ids.len()
            ),
        )),
        result => {
            let what = match result {
                Ok(problems) => problems.join("; "),
                Err(e) => e.to_string(),
            };
            out.push(Finding::bad(
                "DATABASE",
                Level::Error,
                s(
                    format!("La base de datos está dañada: {what}."),
                    format!("The database is damaged: {what}."),
                ),
                s(
                    "Detenga el servicio y restaure el último respaldo (`padron-server restore`); después repita las revocaciones y bloqueos posteriores.",
                    "Stop the service and restore the latest backup (`padron-server restore`); then repeat the later revocations and blocks.",
                ),
            ));
        }
    }
    let supported = snapshot::supported_schema_version();
    let found = facts.schema_version;
    out.push(schema(
        found,
        supported,
        ("`padron-server backup`", "`padron-server backup`"),
    ));
    // Opened only when the schema is this build's: then opening migrates nothing.
    let store = (found == supported)
        .then(|| SqliteStore::open(&root.join(crate::datadir::DATABASE_FILE), false).ok())
        .flatten()
        .map(|s| Arc::new(s) as Arc<dyn Store>);
    (out, store)
}

/// The schema version found against this build's; `backup` is how to back
/// this backend up (Spanish, English) before an upgrade.
fn schema(found: u32, supported: u32, backup: (&str, &str)) -> Finding {
    if found > supported {
        Finding::bad(
            "SCHEMA",
            Level::Error,
            s(
                format!(
                    "El esquema de la base de datos es la versión {found}; este padron-server conoce hasta la {supported}."
                ),
                format!(
                    "The database schema is version {found}; this padron-server knows up to {supported}."
                ),
            ),
            s(
                "Instale la versión de padron-server que escribió esta base de datos (o una más reciente).",
                "Install the padron-server version that wrote this database (or a newer one).",
            ),
        )
    } else if found < supported {
        Finding::bad(
            "SCHEMA",
            Level::Warning,
            s(
                format!(
                    "El esquema es la versión {found}; `serve` lo actualizará a la {supported} al iniciar."
                ),
                format!(
                    "The schema is version {found}; `serve` will upgrade it to {supported} when it starts."
                ),
            ),
            s(
                format!(
                    "Haga un respaldo ({}) antes de iniciar la versión nueva.",
                    backup.0
                ),
                format!(
                    "Take a backup ({}) before starting the new version.",
                    backup.1
                ),
            ),
        )
    } else {
        Finding::ok(
            "SCHEMA",
            format!("Esquema de la base de datos: versión {found} (la de este padron-server)."),
            format!("Database schema: version {found} (this padron-server's)."),
        )
    }
}

/// The same findings for a PostgreSQL database: reachable, schema version
/// (read, never migrated), and the store when the schema is this build's.
fn postgres_database(db: &Database) -> (Vec<Finding>, Option<Arc<dyn Store>>) {
    let Database::Postgres { url, password } = db else {
        return (Vec::new(), None);
    };
    let (found, supported, store) = match crate::store::postgres::PgStore::inspect(
        url,
        password.as_deref(),
    ) {
        Ok(v) => v,
        Err(e) => {
            return (
                vec![Finding::bad(
                    "DATABASE",
                    Level::Error,
                    s(
                        format!("La base de datos PostgreSQL no responde: {e}."),
                        format!("The PostgreSQL database does not answer: {e}."),
                    ),
                    s(
                        "Compruebe que el servidor PostgreSQL está en marcha y es alcanzable, el `database` de server.toml y la contraseña (`database_password_file` o PADRON_DATABASE_PASSWORD).",
                        "Check that the PostgreSQL server is running and reachable, server.toml's `database` and the password (`database_password_file` or PADRON_DATABASE_PASSWORD).",
                    ),
                )],
                None,
            );
        }
    };
    let mut out = vec![Finding::ok(
        "DATABASE",
        "Base de datos PostgreSQL accesible.",
        "PostgreSQL database reachable.",
    )];
    out.push(schema(
        found,
        supported,
        (
            "`pg_dump`, véase «Copias de seguridad» en el README",
            "`pg_dump`, see \"Backups\" in the README",
        ),
    ));
    (out, store.map(|s| Arc::new(s) as Arc<dyn Store>))
}

/// The system clock against what the installation has already seen: no
/// audit entry from the future, certificates not issued after now.
fn clock(o: &DoctorOptions, store: Option<&dyn Store>) -> Vec<Finding> {
    let skew = Duration::minutes(5);
    let mut latest: Option<(String, OffsetDateTime)> = None;
    if let Some(store) = store
        && let Ok(page) = last_audit(store)
        && let Some(e) = page
        && let Ok(at) = OffsetDateTime::parse(&e, &Rfc3339)
    {
        latest = Some((e, at));
    }
    if let Some((text, at)) = &latest
        && o.now + skew < *at
    {
        return vec![Finding::bad(
            "CLOCK",
            Level::Error,
            s(
                format!(
                    "El reloj del sistema ({}) está atrasado: la última entrada de auditoría es del {text}.",
                    crate::clock::timestamp(o.now)
                ),
                format!(
                    "The system clock ({}) is behind: the last audit entry is from {text}.",
                    crate::clock::timestamp(o.now)
                ),
            ),
            s(
                "Sincronice el reloj (NTP: `timedatectl set-ntp true`, chrony o systemd-timesyncd) antes de servir: las sesiones, los certificados y las CRL dependen de la hora.",
                "Synchronise the clock (NTP: `timedatectl set-ntp true`, chrony or systemd-timesyncd) before serving: sessions, certificates and CRLs depend on the time.",
            ),
        )];
    }
    if o.now.year() < 2024 {
        return vec![Finding::bad(
            "CLOCK",
            Level::Error,
            s(
                format!(
                    "El reloj del sistema marca {}: no es una fecha plausible.",
                    date(o.now)
                ),
                format!(
                    "The system clock says {}: not a plausible date.",
                    date(o.now)
                ),
            ),
            s(
                "Sincronice el reloj (NTP) antes de servir.",
                "Synchronise the clock (NTP) before serving.",
            ),
        )];
    }
    vec![Finding::ok(
        "CLOCK",
        format!(
            "Reloj del sistema: {} (no anterior a la última entrada de auditoría).",
            crate::clock::timestamp(o.now)
        ),
        format!(
            "System clock: {} (not before the last audit entry).",
            crate::clock::timestamp(o.now)
        ),
    )]
}

fn last_audit(store: &dyn Store) -> Result<Option<String>, crate::store::StoreError> {
    // The newest entry is the last of the last page; pages are by sequence.
    let mut after = 0;
    let mut last = None;
    loop {
        let page = store.audit_entries(after, 1000)?;
        let Some(e) = page.last() else { break };
        after = e.seq;
        last = Some(e.at.clone());
    }
    Ok(last)
}

fn not_after_of_pem(pem: &[u8]) -> Result<(OffsetDateTime, OffsetDateTime), String> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(pem).map_err(|e| e.to_string())?;
    let cert = pem.parse_x509().map_err(|e| e.to_string())?;
    let v = cert.validity();
    Ok((v.not_before.to_datetime(), v.not_after.to_datetime()))
}

fn certificates(o: &DoctorOptions, store: Option<&dyn Store>) -> Vec<Finding> {
    let root = &o.data;
    let warn_at = o.now + Duration::days(o.expiry_warning_days);
    let mut out = Vec::new();
    let own = [
        (
            "CERT_SERVER",
            "pki/server.crt",
            "el certificado TLS del servidor",
            "server TLS certificate",
            "Emita uno nuevo con la CA del servidor y reinicie el servicio; los agentes no necesitan cambios mientras la CA sea la misma.",
            "Issue a new one with the server CA and restart the service; agents need no change while the CA stays the same.",
        ),
        (
            "CERT_SERVER_CA",
            "pki/server-ca.crt",
            "la CA del servidor (los agentes la fijan)",
            "server CA (agents pin it)",
            "Prepare una CA nueva y distribúyala a las estaciones antes del vencimiento: al vencer, ningún agente confía en el servidor.",
            "Prepare a new CA and distribute it to the workstations before it expires: once expired, no agent trusts the server.",
        ),
        (
            "CERT_WORKSTATION_CA",
            "pki/workstation-ca.crt",
            "la CA de estaciones de trabajo",
            "workstation CA",
            "Prepare una CA de estaciones nueva e inscriba de nuevo las estaciones antes del vencimiento: al vencer, ninguna estación puede conectarse.",
            "Prepare a new workstation CA and re-enrol the workstations before it expires: once expired, no workstation can connect.",
        ),
    ];
    for (id, file, name_es, name_en, todo_es, todo_en) in own {
        let path = root.join(file);
        let parsed = fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|b| not_after_of_pem(&b));
        match parsed {
            Err(e) => out.push(Finding::bad(
                id,
                Level::Error,
                s(
                    format!("No se puede leer {name_es} ({}): {e}.", path.display()),
                    format!("Cannot read the {name_en} ({}): {e}.", path.display()),
                ),
                s(
                    "Restaure pki/ del último respaldo.",
                    "Restore pki/ from the latest backup.",
                ),
            )),
            Ok((not_before, not_after)) => {
                let days = (not_after - o.now).whole_days();
                if not_after <= o.now {
                    out.push(Finding::bad(
                        id,
                        Level::Error,
                        s(
                            format!("{} venció el {}.", upper(name_es), date(not_after)),
                            format!("The {name_en} expired on {}.", date(not_after)),
                        ),
                        s(todo_es, todo_en),
                    ));
                } else if not_before > o.now {
                    out.push(Finding::bad(
                        id,
                        Level::Error,
                        s(
                            format!(
                                "{} solo es válido(a) desde el {}: ¿el reloj está atrasado?",
                                upper(name_es),
                                date(not_before)
                            ),
                            format!(
                                "The {name_en} is valid only from {}: is the clock behind?",
                                date(not_before)
                            ),
                        ),
                        s("Sincronice el reloj (NTP).", "Synchronise the clock (NTP)."),
                    ));
                } else if not_after <= warn_at {
                    out.push(Finding::bad(
                        id,
                        Level::Warning,
                        s(
                            format!(
                                "El {name_es} vence el {} (en {days} días).",
                                date(not_after)
                            ),
                            format!(
                                "The {name_en} expires on {} (in {days} days).",
                                date(not_after)
                            ),
                        ),
                        s(todo_es, todo_en),
                    ));
                } else {
                    out.push(Finding::ok(
                        id,
                        format!("{} vence el {}.", upper(name_es), date(not_after)),
                        format!("The {name_en} is valid until {}.", date(not_after)),
                    ));
                }
            }
        }
    }
    let Some(store) = store else {
        return out;
    };
    let workstations = match Store::workstations(store) {
        Ok(w) => w,
        Err(_) => return out,
    };
    let mut expired = Vec::new();
    let mut soon = Vec::new();
    let mut active = 0;
    for w in workstations.iter().filter(|w| !w.is_revoked()) {
        active += 1;
        let Ok(not_after) = OffsetDateTime::parse(&w.certificate.not_after, &Rfc3339) else {
            continue;
        };
        let label = format!(
            "#{} {} {} ({})",
            w.id,
            w.institution_code,
            crate::audit::printable(&w.site),
            date(not_after)
        );
        if not_after <= o.now {
            expired.push(label);
        } else if not_after <= warn_at {
            soon.push(label);
        }
    }
    if expired.is_empty() && soon.is_empty() {
        out.push(Finding::ok(
            "CERT_WORKSTATIONS",
            format!(
                "Certificados de {active} estaciones activas: ninguno vence en los próximos {} días.",
                o.expiry_warning_days
            ),
            format!(
                "Certificates of {active} active workstations: none expires within {} days.",
                o.expiry_warning_days
            ),
        ));
    }
    if !expired.is_empty() {
        out.push(Finding::bad(
            "CERT_WORKSTATIONS",
            Level::Warning,
            s(
                format!("Estaciones con el certificado vencido (no pueden conectarse): {}.", expired.join(", ")),
                format!("Workstations whose certificate expired (they cannot connect): {}.", expired.join(", ")),
            ),
            s(
                "Inscríbalas de nuevo: en la estación `padron-agent enroll-request`, aquí `padron-server workstation enroll --csr …`, y revoque la inscripción anterior.",
                "Enrol them again: on the workstation `padron-agent enroll-request`, here `padron-server workstation enroll --csr …`, and revoke the old enrolment.",
            ),
        ));
    }
    if !soon.is_empty() {
        out.push(Finding::bad(
            "CERT_WORKSTATIONS",
            Level::Warning,
            s(
                format!(
                    "Estaciones cuyo certificado vence en los próximos {} días: {}.",
                    o.expiry_warning_days,
                    soon.join(", ")
                ),
                format!(
                    "Workstations whose certificate expires within {} days: {}.",
                    o.expiry_warning_days,
                    soon.join(", ")
                ),
            ),
            s(
                "Inscríbalas de nuevo antes del vencimiento (`padron-agent enroll-request`, luego `padron-server workstation enroll --csr …`).",
                "Enrol them again before they expire (`padron-agent enroll-request`, then `padron-server workstation enroll --csr …`).",
            ),
        ));
    }
    out
}

/// Every issuer's current CRL: past nextUpdate + grace, card logins under
/// it are refused (`CARD_REVOCATION_UNKNOWN`); past nextUpdate, soon.
fn crls(o: &DoctorOptions, store: Option<&dyn Store>) -> Vec<Finding> {
    let Some(store) = store else {
        return Vec::new();
    };
    let Ok(set) = store.trust_set() else {
        return Vec::new();
    };
    let grace = DataDir::open(&o.data)
        .ok()
        .and_then(|d| d.config().ok())
        .map(|c| c.revocation.crl_grace())
        .unwrap_or(Duration::hours(24));
    let mut out = Vec::new();
    if set.crls.is_empty() {
        out.push(Finding::ok(
            "CRL",
            "No hay CRL de emisores eID importadas: nada que comprobar.",
            "No eID issuer CRLs are imported: nothing to check.",
        ));
    }
    for crl in &set.crls {
        let issuer = crate::audit::printable(&crl.issuer);
        let Some(next) = crl
            .next_update
            .as_deref()
            .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
        else {
            out.push(Finding::ok(
                "CRL",
                format!(
                    "CRL de {issuer}: sin nextUpdate (importada el {}).",
                    crl.fetched_at
                ),
                format!(
                    "CRL of {issuer}: no nextUpdate (imported {}).",
                    crl.fetched_at
                ),
            ));
            continue;
        };
        let todo = s(
            "Importe la CRL vigente (`padron-server trust add-crl ARCHIVO`) o revise por qué falla la descarga (`padron-server trust list` muestra el último error; `trust issuer --crl-url`).",
            "Import the current CRL (`padron-server trust add-crl FILE`) or find out why fetching it fails (`padron-server trust list` shows the last error; `trust issuer --crl-url`).",
        );
        if next + grace <= o.now {
            out.push(Finding::bad(
                "CRL",
                Level::Error,
                s(
                    format!(
                        "La CRL de {issuer} caducó el {} (más el margen): se rechazan los inicios de sesión con tarjetas de ese emisor.",
                        crl.next_update.as_deref().unwrap_or_default()
                    ),
                    format!(
                        "The CRL of {issuer} went stale on {} (plus grace): card logins under that issuer are refused.",
                        crl.next_update.as_deref().unwrap_or_default()
                    ),
                ),
                todo,
            ));
        } else if next <= o.now {
            out.push(Finding::bad(
                "CRL",
                Level::Warning,
                s(
                    format!(
                        "La CRL de {issuer} pasó su nextUpdate ({}); dentro del margen, pronto se rechazarán los inicios de sesión.",
                        crl.next_update.as_deref().unwrap_or_default()
                    ),
                    format!(
                        "The CRL of {issuer} is past its nextUpdate ({}); within the grace period, logins will soon be refused.",
                        crl.next_update.as_deref().unwrap_or_default()
                    ),
                ),
                todo,
            ));
        } else {
            out.push(Finding::ok(
                "CRL",
                format!(
                    "CRL de {issuer}: vigente hasta {}.",
                    crl.next_update.as_deref().unwrap_or_default()
                ),
                format!(
                    "CRL of {issuer}: current until {}.",
                    crl.next_update.as_deref().unwrap_or_default()
                ),
            ));
        }
    }
    out
}

/// Free space where uploads are written.
fn disk(o: &DoctorOptions) -> Finding {
    let uploads = o.data.join("queries/uploads");
    let at = if uploads.exists() {
        uploads
    } else {
        o.data.clone()
    };
    let stat = match nix::sys::statvfs::statvfs(&at) {
        Ok(st) => st,
        Err(e) => {
            return Finding::bad(
                "DISK",
                Level::Error,
                s(
                    format!(
                        "No se puede medir el espacio libre en {}: {e}.",
                        at.display()
                    ),
                    format!("Cannot measure free space at {}: {e}.", at.display()),
                ),
                s("Revise el sistema de archivos.", "Check the file system."),
            );
        }
    };
    let free = stat.blocks_available() as u64 * stat.fragment_size() as u64;
    let mib = |b: u64| b / (1024 * 1024);
    // Below this, a handful of maximum-size uploads (20 MB) and their
    // results no longer fit.
    let critical = 256 * 1024 * 1024;
    let todo = s(
        format!(
            "Libere espacio o amplíe el volumen de {}; baje `retention_days` en server.toml para conservar menos resultados.",
            o.data.display()
        ),
        format!(
            "Free space or grow the volume of {}; lower `retention_days` in server.toml to keep fewer results.",
            o.data.display()
        ),
    );
    if free < critical {
        Finding::bad(
            "DISK",
            Level::Error,
            s(
                format!(
                    "Solo quedan {} MiB libres para las cargas: se rechazarán.",
                    mib(free)
                ),
                format!("Only {} MiB free for uploads: they will fail.", mib(free)),
            ),
            todo,
        )
    } else if free < o.min_free_bytes {
        Finding::bad(
            "DISK",
            Level::Warning,
            s(
                format!(
                    "Quedan {} MiB libres para las cargas (menos de {} MiB).",
                    mib(free),
                    mib(o.min_free_bytes)
                ),
                format!(
                    "{} MiB free for uploads (less than {} MiB).",
                    mib(free),
                    mib(o.min_free_bytes)
                ),
            ),
            todo,
        )
    } else {
        Finding::ok(
            "DISK",
            format!("Espacio libre para las cargas: {} MiB.", mib(free)),
            format!("Free space for uploads: {} MiB.", mib(free)),
        )
    }
}

fn registry(root: &Path) -> Finding {
    let path = root.join(REGISTRY_FILE);
    let todo = s(
        format!(
            "Importe el registro civil: `padron-server registry import --data {} ARCHIVO.csv`.",
            root.display()
        ),
        format!(
            "Import the civil registry: `padron-server registry import --data {} FILE.csv`.",
            root.display()
        ),
    );
    if !path.is_file() {
        return Finding::bad(
            "REGISTRY",
            Level::Warning,
            s(
                "No hay registro civil importado: las consultas (Consulta Social) fallarán.",
                "No civil registry is imported: queries (Consulta Social) will fail.",
            ),
            todo,
        );
    }
    match padron_consulta::registry::store::Registry::open(root) {
        Ok(r) => Finding::ok(
            "REGISTRY",
            format!(
                "Registro civil: {} personas, importado el {}.",
                r.meta().persons,
                r.meta().imported_at
            ),
            format!(
                "Civil registry: {} persons, imported {}.",
                r.meta().persons,
                r.meta().imported_at
            ),
        ),
        Err(e) => Finding::bad(
            "REGISTRY",
            Level::Error,
            s(
                format!(
                    "El registro civil ({}) no se puede abrir: {e}.",
                    path.display()
                ),
                format!(
                    "The civil registry ({}) cannot be opened: {e}.",
                    path.display()
                ),
            ),
            todo,
        ),
    }
}
