//! `padron-server migrate --from DIR --to postgresql://…`: copies every
//! table of a SQLite installation into an empty PostgreSQL database, row for
//! row and byte for byte (signed requests' payloads, signatures and
//! certificates; the audit chain with its hashes, so `audit verify` gives
//! the same head), in one PostgreSQL transaction: a failure leaves the
//! target as it was. Uploaded and result files stay in the data directory
//! (jobs refer to them by id); a cluster points every node at that
//! directory (`shared_dir`).

use std::path::Path;

use postgres::types::ToSql;
use rusqlite::types::Value;

use super::{PgStore, WRITE_LOCK};
use crate::store::StoreError;

/// The SQLite schema version the PostgreSQL schema mirrors: a SQLite
/// migration past it needs its PostgreSQL counterpart (and this bumped).
pub const SQLITE_VERSION_COVERED: u32 = 11;

/// Parents before children, so foreign keys hold at every insert.
pub const TABLES: &[&str] = &[
    "institutions",
    "agreements",
    "continuity_requests",
    "payments",
    "coordinators",
    "users",
    "workstations",
    "user_requests",
    "user_request_states",
    "audit_log",
    "eid_roots",
    "eid_crls",
    "auth_nonces",
    "sessions",
    "query_jobs",
    "lifecycle_marks",
    "january_deactivations",
    "eid_current_crls",
    "eid_intermediates",
    "eid_issuer_settings",
    "person_blocks",
    "installation",
    "evidence_roots",
    "cases",
    "case_rows",
    "tickets",
    "ticket_messages",
    "agreement_programmes",
    "registry_publications",
    "nodes",
];

/// What was copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// (table, rows) in copy order.
    pub tables: Vec<(String, u64)>,
    /// The last audit entry's (seq, hash), the same on both sides.
    pub audit_head: Option<(i64, String)>,
}

fn convert(
    value: Value,
    pg_type: &str,
    table: &str,
    column: &str,
) -> Result<Box<dyn ToSql + Sync>, StoreError> {
    let mismatch = |v: &Value| {
        StoreError::Corrupt(format!(
            "{table}.{column}: {v:?} does not fit PostgreSQL type {pg_type}"
        ))
    };
    Ok(match (pg_type, value) {
        ("bigint", Value::Null) => Box::new(None::<i64>),
        ("integer", Value::Null) => Box::new(None::<i32>),
        ("boolean", Value::Null) => Box::new(None::<bool>),
        ("bytea", Value::Null) => Box::new(None::<Vec<u8>>),
        (_, Value::Null) => Box::new(None::<String>),
        ("bigint", Value::Integer(i)) => Box::new(i),
        ("integer", Value::Integer(i)) => {
            Box::new(i32::try_from(i).map_err(|_| mismatch(&Value::Integer(i)))?)
        }
        ("boolean", Value::Integer(i)) => Box::new(i != 0),
        ("bytea", Value::Blob(b)) => Box::new(b),
        ("bytea", Value::Text(t)) => Box::new(t.into_bytes()),
        ("text", Value::Text(t)) => Box::new(t),
        ("text", Value::Integer(i)) => Box::new(i.to_string()),
        (_, v) => return Err(mismatch(&v)),
    })
}

/// Copies the SQLite database at `sqlite` into `target`, which must hold
/// no installation yet.
pub fn copy_from_sqlite(sqlite: &Path, target: &PgStore) -> Result<Transfer, StoreError> {
    // Brings the file to the latest SQLite schema first, as `serve` would.
    drop(crate::store::SqliteStore::open(sqlite, false)?);
    let source = rusqlite::Connection::open_with_flags(
        sqlite,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let version: u32 = source.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version != SQLITE_VERSION_COVERED {
        return Err(StoreError::SchemaTooNew {
            found: version,
            supported: SQLITE_VERSION_COVERED,
        });
    }
    if target.holds_installation()? {
        return Err(StoreError::Unavailable(
            "the target database already holds an installation; nothing was copied".into(),
        ));
    }
    // One read transaction: a consistent snapshot even if a writer is at work.
    source.execute_batch("BEGIN")?;
    let mut client = target.pool().get()?;
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])?;
    // The new database's own installation id gives way to the old one:
    // signed requests name the installation.
    tx.execute("DELETE FROM installation", &[])?;
    let mut tables = Vec::new();
    for table in TABLES {
        let columns: Vec<(String, String)> = tx
            .query(
                "SELECT column_name::TEXT, data_type::TEXT FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                &[table],
            )?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
        let list = names.join(", ");
        let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
        let insert = tx.prepare(&format!(
            "INSERT INTO {table} ({list}) VALUES ({})",
            placeholders.join(", ")
        ))?;
        let mut select = source.prepare(&format!("SELECT {list} FROM {table} ORDER BY rowid"))?;
        let mut rows = select.query([])?;
        let mut copied = 0u64;
        while let Some(row) = rows.next()? {
            let mut values: Vec<Box<dyn ToSql + Sync>> = Vec::with_capacity(columns.len());
            for (i, (name, pg_type)) in columns.iter().enumerate() {
                values.push(convert(row.get::<_, Value>(i)?, pg_type, table, name)?);
            }
            let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
            tx.execute(&insert, &params)?;
            copied += 1;
        }
        // Identities continue after the copied ids.
        let identity = tx
            .query_opt(
                "SELECT column_name::TEXT FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = $1 AND is_identity = 'YES'",
                &[table],
            )?
            .map(|r| r.get::<_, String>(0));
        if let Some(column) = identity {
            tx.execute(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', '{column}'),
                                   coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)"
                ),
                &[],
            )?;
        }
        tables.push(((*table).to_owned(), copied));
    }
    let source_head: Option<(i64, String)> = source
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ok();
    let target_head: Option<(i64, String)> = tx
        .query_opt(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            &[],
        )?
        .map(|r| (r.get(0), r.get(1)));
    if source_head != target_head {
        return Err(StoreError::Corrupt(format!(
            "the audit head differs after the copy: {source_head:?} vs {target_head:?}"
        )));
    }
    tx.commit()?;
    source.execute_batch("COMMIT")?;
    Ok(Transfer {
        tables,
        audit_head: target_head,
    })
}

/// `padron-server migrate --from DIR --to URL`: copies, then names the
/// database in DIR/server.toml (a line added at the top, the rest of the
/// file untouched) and keeps padron.db beside it as `padron.db.before-postgresql`.
pub fn migrate_command(from: &Path, to: &str, lang: padron_shared::Lang) -> anyhow::Result<()> {
    use anyhow::Context;
    let es = lang == padron_shared::Lang::Es;
    let dir = crate::datadir::DataDir::open(from).map_err(crate::error::ServerError::from)?;
    if dir.database_config()?.is_postgres() {
        anyhow::bail!(
            "{}",
            if es {
                "ese directorio ya usa PostgreSQL"
            } else {
                "that directory already uses PostgreSQL"
            }
        );
    }
    // The URL as server.toml will hold it: no password in it.
    crate::datadir::check_database_url(to, &dir.config_path())
        .map_err(crate::error::ServerError::from)?;
    let password = std::env::var("PADRON_DATABASE_PASSWORD").ok();
    let target = PgStore::open(to, password.as_deref()).map_err(crate::error::ServerError::from)?;
    let transfer =
        copy_from_sqlite(&dir.database(), &target).map_err(crate::error::ServerError::from)?;
    drop(target);
    let config_path = dir.config_path();
    let old = std::fs::read_to_string(&config_path)
        .with_context(|| format!("reading {}", config_path.display()))?;
    let line = format!("database = {}\n", toml::Value::String(to.to_owned()));
    let staged = config_path.with_extension("toml.new");
    std::fs::write(&staged, format!("{line}{old}"))
        .with_context(|| format!("writing {}", staged.display()))?;
    std::fs::rename(&staged, &config_path)
        .with_context(|| format!("replacing {}", config_path.display()))?;
    let db = dir.database();
    let kept = db.with_file_name("padron.db.before-postgresql");
    std::fs::rename(&db, &kept).with_context(|| format!("keeping {}", kept.display()))?;
    for suffix in ["-wal", "-shm"] {
        let side = db.with_file_name(format!("padron.db{suffix}"));
        if side.exists() {
            let _ = std::fs::rename(
                &side,
                kept.with_file_name(format!("padron.db.before-postgresql{suffix}")),
            );
        }
    }
    for (table, rows) in &transfer.tables {
        println!("  {table}: {rows}");
    }
    match &transfer.audit_head {
        Some((seq, hash)) => println!(
            "{} {seq} {hash}",
            if es {
                "cabeza del registro de auditoría:"
            } else {
                "audit head:"
            }
        ),
        None => println!(
            "{}",
            if es {
                "registro de auditoría vacío"
            } else {
                "empty audit log"
            }
        ),
    }
    println!(
        "{} {}",
        if es {
            "El almacén está ahora en"
        } else {
            "The store is now in"
        },
        to
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A SQLite migration past the one the PostgreSQL schema mirrors needs
    /// its counterpart in `postgres/migrations.rs`, and this bumped.
    #[test]
    fn the_postgresql_schema_covers_every_sqlite_migration() {
        assert_eq!(crate::store::schema_version(), SQLITE_VERSION_COVERED);
    }

    /// Every SQLite table is copied by `migrate`.
    #[test]
    fn migrate_copies_every_sqlite_table() {
        let store = crate::store::SqliteStore::open_in_memory().unwrap();
        let conn = store.lock();
        let mut stmt = conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .unwrap();
        let names: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for name in names {
            assert!(TABLES.contains(&name.as_str()), "{name} is not copied");
        }
    }
}
