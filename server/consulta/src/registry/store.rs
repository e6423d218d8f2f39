//! The registry store: one SQLite file, `DIR/registry.sqlite`, written once
//! by an import and only read afterwards.
//!
//! Layout, chosen for the two ways the engine reads:
//! - `person`, keyed by the CUI as an integer (SQLite's rowid), so a CUI
//!   lookup is one B-tree descent. Place names are interned in `place`.
//! - `block_page`: the blocking index (see `matching::blocking`) as sorted
//!   runs of fixed 24-byte entries (key, CUI, signature), packed into blobs
//!   of a few hundred entries keyed by their first key. A block is read with
//!   one rowid range lookup and scanned in memory; 100 million entries cost
//!   a few hundred thousand SQLite rows instead of 100 million, which keeps
//!   both the import and the file small.
//! - `name_freq`: how many persons carry each name and each phonetic code,
//!   for the frequency-aware weights.
//! - `meta`: counts and the import's facts.
//!
//! A re-import builds a new file beside it and renames it over the old one:
//! a reader that opened the old file keeps reading it (the open descriptor
//! holds the old inode) until it opens the registry again, so queries in
//! flight finish on the registry they started with.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use padron_shared::{Cui, ErrorCode};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use super::date::Day;
use super::record::RegistryRecord;
use crate::matching::corrections::Corrections;
use crate::matching::recurrence::Recurrence;

/// The store's file name inside the data directory.
pub const STORE_FILE: &str = "registry.sqlite";
/// Format of the store; an import writes it, `open` refuses others.
pub const STORE_FORMAT: &str = "padron-registry-2";

/// Bytes per blocking entry: key, CUI, signature, each a little-endian u64.
pub const ENTRY_BYTES: usize = 24;

/// Where a name sits in a person's record. Name counts are kept per
/// position: an agreement weight needs how many persons carry the name in
/// that very field (LÓPEZ as first surname, not anywhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameField {
    /// The first given name.
    Given1,
    /// The second or third given name.
    GivenOther,
    /// The first surname.
    Surname1,
    /// The second surname.
    Surname2,
    /// The married surname.
    Married,
}

impl NameField {
    /// Every field, in the order of their `name_freq` kinds.
    pub const ALL: [NameField; 5] = [
        NameField::Given1,
        NameField::GivenOther,
        NameField::Surname1,
        NameField::Surname2,
        NameField::Married,
    ];

    /// The `name_freq.kind` of this field's names (or of their phonetic codes).
    pub fn kind(self, code: bool) -> i64 {
        let base = match self {
            NameField::Given1 => 0,
            NameField::GivenOther => 1,
            NameField::Surname1 => 2,
            NameField::Surname2 => 3,
            NameField::Married => 4,
        };
        if code { base + 5 } else { base }
    }
}

/// Number of `name_freq` kinds.
pub const NAME_KINDS: usize = 10;

/// The store's SQLite schema, created by an import.
pub const SCHEMA: &str = "
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE place(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE person(
    cui INTEGER PRIMARY KEY,
    nombre1 TEXT NOT NULL, nombre2 TEXT NOT NULL, nombre3 TEXT NOT NULL,
    apellido1 TEXT NOT NULL, apellido2 TEXT NOT NULL, casada TEXT NOT NULL,
    sexo TEXT NOT NULL, pais INTEGER NOT NULL, departamento INTEGER NOT NULL, municipio INTEGER NOT NULL,
    nacimiento INTEGER NOT NULL, fallecido INTEGER NOT NULL, defuncion INTEGER, inscripcion INTEGER
);
CREATE TABLE block_page(first_key INTEGER PRIMARY KEY, entries BLOB NOT NULL);
CREATE TABLE name_freq(kind INTEGER NOT NULL, name TEXT NOT NULL, persons INTEGER NOT NULL,
    PRIMARY KEY(kind, name)) WITHOUT ROWID;
CREATE TABLE birth_year(year INTEGER PRIMARY KEY, persons INTEGER NOT NULL);
CREATE TABLE evidence_freq(sexo TEXT NOT NULL, departamento INTEGER NOT NULL,
    municipio INTEGER NOT NULL, persons INTEGER NOT NULL);
CREATE TABLE name_recurrence(form INTEGER NOT NULL, bin INTEGER NOT NULL,
    once REAL NOT NULL, twice REAL NOT NULL, PRIMARY KEY(form, bin)) WITHOUT ROWID;
";

/// Errors reading the registry store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No store file in the data directory; the path looked for.
    #[error("aún no se ha importado el registro civil / no registry has been imported yet ({0})")]
    Missing(PathBuf),
    #[error(
        "el archivo del registro no es de este formato / the registry file is not of this format ({0})"
    )]
    /// The file is not a store of [`STORE_FORMAT`]; its path.
    Format(PathBuf),
    /// SQLite failed reading the store.
    #[error("error de SQLite en el registro / SQLite error in the registry: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl StoreError {
    /// The stable error code for a person.
    pub fn code(&self) -> ErrorCode {
        match self {
            StoreError::Missing(_) => ErrorCode::RegistryEmpty,
            StoreError::Format(_) | StoreError::Sqlite(_) => ErrorCode::StoreUnavailable,
        }
    }
}

/// Counts and facts of an imported registry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryMeta {
    /// Persons in the registry.
    pub persons: u64,
    /// Of them, deceased.
    pub deceased: u64,
    /// Of them, with a married surname.
    pub with_married_surname: u64,
    /// Entries of the blocking index.
    pub block_entries: u64,
    /// CSV rows skipped by the import.
    pub bad_rows: u64,
    /// File name of the CSV imported.
    pub source: String,
    /// When the import finished.
    pub imported_at: String,
    /// How long the import took, in seconds (one decimal).
    pub import_seconds: String,
    /// SHA-256 (hex) of the CSV imported; empty for stores imported before it was recorded.
    pub csv_sha256: String,
}

impl RegistryMeta {
    /// The registry version a cluster compares: the imported CSV's SHA-256,
    /// so a copy of the store and an import of the same CSV on another node
    /// are the same version. A store imported before the digest was
    /// recorded is named by its import time.
    pub fn version(&self) -> String {
        if self.csv_sha256.is_empty() {
            format!("importado-{}", self.imported_at)
        } else {
            self.csv_sha256.clone()
        }
    }
}

/// One entry of a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockEntry {
    /// The person's CUI, as an integer.
    pub cui: u64,
    /// The person's blocking signature (see [`crate::matching::blocking::signature`]): birth date and name-code hashes.
    pub signature: u64,
}

/// An open, read-only registry.
#[derive(Debug)]
pub struct Registry {
    conn: Connection,
    path: PathBuf,
    identity: (u64, u64),
    meta: RegistryMeta,
    places: Vec<String>,
    births_per_year: std::collections::HashMap<i32, u64>,
    /// Persons by sex and place of birth, read on first use.
    evidence: std::cell::OnceCell<EvidenceCounts>,
    /// Common given-name and surname codes for blocking slipped names,
    /// built on first use (see [`crate::matching::corrections`]).
    corrections: std::cell::OnceCell<[Corrections; 2]>,
    /// How often full names recur, read on first use (`None`: a store
    /// imported before the import counted them).
    recurrence: std::cell::OnceCell<Option<Recurrence>>,
}

/// Persons by sex, department and municipality of birth (names folded),
/// for the optional evidence columns of a names row.
#[derive(Debug, Default)]
pub struct EvidenceCounts {
    persons: f64,
    sex: std::collections::HashMap<char, u64>,
    department: std::collections::HashMap<String, u64>,
    municipality: std::collections::HashMap<(String, String), u64>,
}

impl EvidenceCounts {
    fn share(&self, n: u64) -> f64 {
        ((n as f64).max(0.5) / self.persons.max(1.0)).min(1.0)
    }

    /// Share of persons of this sex (never zero).
    pub fn sex_share(&self, sex: char) -> f64 {
        self.share(self.sex.get(&sex).copied().unwrap_or(0))
    }

    /// Share of persons born in this department (folded name; never zero).
    pub fn department_share(&self, department: &str) -> f64 {
        self.share(self.department.get(department).copied().unwrap_or(0))
    }

    /// Share of persons born in this municipality of this department
    /// (folded names; never zero).
    pub fn municipality_share(&self, department: &str, municipality: &str) -> f64 {
        let key = (department.to_owned(), municipality.to_owned());
        self.share(self.municipality.get(&key).copied().unwrap_or(0))
    }
}

fn read_u64(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(b)
}

impl Registry {
    /// Opens the registry of a data directory.
    pub fn open(data_dir: &Path) -> Result<Registry, StoreError> {
        Registry::open_file(&data_dir.join(STORE_FILE))
    }

    /// Opens a registry store file.
    pub fn open_file(path: &Path) -> Result<Registry, StoreError> {
        let metadata = std::fs::metadata(path).map_err(|_| StoreError::Missing(path.to_owned()))?;
        // immutable=1: the file never changes in place (imports replace it by
        // rename), so SQLite may skip locking and change detection.
        let uri = format!("file:{}?immutable=1", path.display());
        let conn = Connection::open_with_flags(
            uri,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.pragma_update(None, "cache_size", -262_144)?;
        let format: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'format'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|_| StoreError::Format(path.to_owned()))?;
        if format.as_deref() != Some(STORE_FORMAT) {
            return Err(StoreError::Format(path.to_owned()));
        }
        let get = |key: &str| -> Result<String, StoreError> {
            Ok(conn
                .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| {
                    r.get::<_, String>(0)
                })
                .optional()?
                .unwrap_or_default())
        };
        let num = |key: &str| -> Result<u64, StoreError> { Ok(get(key)?.parse().unwrap_or(0)) };
        let meta = RegistryMeta {
            persons: num("persons")?,
            deceased: num("deceased")?,
            with_married_surname: num("with_married_surname")?,
            block_entries: num("block_entries")?,
            bad_rows: num("bad_rows")?,
            source: get("source")?,
            imported_at: get("imported_at")?,
            import_seconds: get("import_seconds")?,
            csv_sha256: get("csv_sha256")?,
        };
        let mut places = Vec::new();
        {
            let mut stmt = conn.prepare("SELECT id, name FROM place ORDER BY id")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (id, name) = row?;
                let id = usize::try_from(id).unwrap_or(0);
                if places.len() <= id {
                    places.resize(id + 1, String::new());
                }
                places[id] = name;
            }
        }
        let mut births_per_year = std::collections::HashMap::new();
        {
            let mut stmt = conn.prepare("SELECT year, persons FROM birth_year")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, i32>(0)?, r.get::<_, i64>(1)?)))?;
            for row in rows {
                let (year, n) = row?;
                births_per_year.insert(year, n.max(0) as u64);
            }
        }
        Ok(Registry {
            conn,
            path: path.to_owned(),
            identity: (metadata.dev(), metadata.ino()),
            meta,
            places,
            births_per_year,
            evidence: std::cell::OnceCell::new(),
            corrections: std::cell::OnceCell::new(),
            recurrence: std::cell::OnceCell::new(),
        })
    }

    /// The common codes of given names and of surnames, indexed for
    /// slipped names (built once per opened registry: a job's rows and the
    /// desk's single queries share it).
    pub fn corrections(&self) -> Result<&[Corrections; 2], StoreError> {
        if let Some(c) = self.corrections.get() {
            return Ok(c);
        }
        let built = [
            Corrections::load(self, &[NameField::Given1, NameField::GivenOther])?,
            Corrections::load(self, &[NameField::Surname1, NameField::Surname2])?,
        ];
        Ok(self.corrections.get_or_init(|| built))
    }

    /// How often the registry's full names recur (see
    /// [`crate::matching::recurrence`]); `None` for a store imported before
    /// the import counted them: the engine then keeps the independence
    /// estimate.
    pub fn recurrence(&self) -> Result<Option<&Recurrence>, StoreError> {
        if let Some(r) = self.recurrence.get() {
            return Ok(r.as_ref());
        }
        let read = super::recurrence_tally::read(&self.conn)?;
        Ok(self.recurrence.get_or_init(|| read).as_ref())
    }

    /// Persons by sex and place of birth: the import's `evidence_freq`, or
    /// for a store imported before it existed, counted once from `person`.
    pub fn evidence_counts(&self) -> Result<&EvidenceCounts, StoreError> {
        if let Some(c) = self.evidence.get() {
            return Ok(c);
        }
        let has_table: i64 = self.conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'evidence_freq'",
            [],
            |r| r.get(0),
        )?;
        let sql = if has_table > 0 {
            "SELECT sexo, departamento, municipio, persons FROM evidence_freq"
        } else {
            "SELECT sexo, departamento, municipio, count(*) FROM person
             GROUP BY sexo, departamento, municipio"
        };
        let mut counts = EvidenceCounts {
            persons: self.meta.persons as f64,
            ..EvidenceCounts::default()
        };
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        for row in rows {
            let (sex, department, municipality, n) = row?;
            let n = n.max(0) as u64;
            let department = crate::names::fold(&self.place(department));
            let municipality = crate::names::fold(&self.place(municipality));
            *counts
                .sex
                .entry(sex.chars().next().unwrap_or('?'))
                .or_insert(0) += n;
            *counts.department.entry(department.clone()).or_insert(0) += n;
            *counts
                .municipality
                .entry((department, municipality))
                .or_insert(0) += n;
        }
        Ok(self.evidence.get_or_init(|| counts))
    }

    /// Counts and facts of the import this store was made by.
    pub fn meta(&self) -> &RegistryMeta {
        &self.meta
    }

    /// The store file this handle reads.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// False once an import has replaced the file this handle reads: a
    /// long-running server opens the registry again before its next job.
    pub fn is_current(&self) -> bool {
        std::fs::metadata(&self.path).is_ok_and(|m| (m.dev(), m.ino()) == self.identity)
    }

    fn place(&self, id: i64) -> String {
        usize::try_from(id)
            .ok()
            .and_then(|i| self.places.get(i))
            .cloned()
            .unwrap_or_default()
    }

    /// The person with this CUI.
    pub fn person(&self, cui: Cui) -> Result<Option<RegistryRecord>, StoreError> {
        let id: i64 = cui.to_string().parse().unwrap_or(-1);
        self.person_by_id(id)
    }

    /// The person stored under this numeric CUI.
    pub fn person_by_id(&self, id: i64) -> Result<Option<RegistryRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT nombre1, nombre2, nombre3, apellido1, apellido2, casada, sexo, pais, departamento,
                    municipio, nacimiento, fallecido, defuncion, inscripcion
             FROM person WHERE cui = ?1",
        )?;
        let row = stmt
            .query_row([id], |r| {
                Ok((
                    [
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ],
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    [
                        r.get::<_, i64>(7)?,
                        r.get::<_, i64>(8)?,
                        r.get::<_, i64>(9)?,
                    ],
                    r.get::<_, i64>(10)?,
                    r.get::<_, bool>(11)?,
                    r.get::<_, Option<i64>>(12)?,
                    r.get::<_, Option<i64>>(13)?,
                ))
            })
            .optional()?;
        let Some((given, s1, s2, married, sex, places, born, deceased, died, registered)) = row
        else {
            return Ok(None);
        };
        let Ok(cui) = Cui::parse(&format!("{id:013}")) else {
            return Ok(None);
        };
        let day = |v: i64| Day(i32::try_from(v).unwrap_or(0));
        Ok(Some(RegistryRecord {
            cui,
            given,
            first_surname: s1,
            second_surname: s2,
            married_surname: married,
            sex: sex.chars().next().unwrap_or('?'),
            country: self.place(places[0]),
            department: self.place(places[1]),
            municipality: self.place(places[2]),
            born: day(born),
            deceased,
            died: died.map(day),
            death_registered: registered.map(day),
        }))
    }

    /// Appends the entries filed under `key` to `out`.
    pub fn block(&self, key: u64, out: &mut Vec<BlockEntry>) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT entries FROM block_page WHERE first_key <= ?1 ORDER BY first_key DESC LIMIT 1",
        )?;
        let mut rows = stmt.query([key as i64])?;
        let Some(row) = rows.next()? else {
            return Ok(());
        };
        let bytes = row.get_ref(0)?.as_blob().map_err(rusqlite::Error::from)?;
        let n = bytes.len() / ENTRY_BYTES;
        // First entry whose key is not below `key`.
        let (mut lo, mut hi) = (0usize, n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if read_u64(bytes, mid * ENTRY_BYTES) < key {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let mut i = lo;
        while i < n && read_u64(bytes, i * ENTRY_BYTES) == key {
            out.push(BlockEntry {
                cui: read_u64(bytes, i * ENTRY_BYTES + 8),
                signature: read_u64(bytes, i * ENTRY_BYTES + 16),
            });
            i += 1;
        }
        Ok(())
    }

    /// Share of registry persons born on this day (never zero): the
    /// persons born that year spread over its days.
    pub fn birth_share(&self, day: Day) -> f64 {
        let persons = self.meta.persons.max(1) as f64;
        let born = self.births_per_year.get(&day.ymd().0).copied().unwrap_or(0) as f64;
        (born.max(0.5) / 365.25 / persons).min(1.0)
    }

    /// Share of registry persons born in one of the years `from..=to` (never zero).
    pub fn birth_year_share(&self, from: i32, to: i32) -> f64 {
        let persons = self.meta.persons.max(1) as f64;
        let born: u64 = (from..=to)
            .map(|y| self.births_per_year.get(&y).copied().unwrap_or(0))
            .sum();
        ((born as f64).max(0.5) / persons).min(1.0)
    }

    /// How many persons carry this name in this field.
    pub fn persons_with(
        &self,
        field: NameField,
        code: bool,
        name: &str,
    ) -> Result<u64, StoreError> {
        let kind = field.kind(code);
        let mut stmt = self
            .conn
            .prepare_cached("SELECT persons FROM name_freq WHERE kind = ?1 AND name = ?2")?;
        let n: Option<i64> = stmt
            .query_row(params![kind, name], |r| r.get(0))
            .optional()?;
        Ok(n.map(|n| n.max(0) as u64).unwrap_or(0))
    }

    /// The names (or phonetic codes) of this field carried by at least
    /// `min_persons` persons, with their counts.
    pub fn names_with_at_least(
        &self,
        field: NameField,
        code: bool,
        min_persons: u64,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT name, persons FROM name_freq WHERE kind = ?1 AND persons >= ?2",
        )?;
        let rows = stmt.query_map(
            params![
                field.kind(code),
                i64::try_from(min_persons).unwrap_or(i64::MAX)
            ],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64)),
        )?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r?);
        }
        Ok(out)
    }

    /// Size of the store file in bytes.
    pub fn file_size(&self) -> u64 {
        std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0)
    }
}
