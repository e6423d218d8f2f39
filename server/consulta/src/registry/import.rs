//! `registry import`: streams the registry CSV into a new store and swaps it
//! in atomically.
//!
//! Two threads share the work on a two-core machine: one reads, validates
//! and normalises rows, detects repeated CUIs, computes blocking keys and
//! counts names; the other only inserts persons into SQLite. The blocking
//! entries are collected in memory (24 bytes each, about seven per person)
//! in fixed-size chunks, each chunk sorted on one of the two cores, and the
//! sorted chunks merged while the packed pages are written (18 million
//! persons: about 4 GB at the peak). Bad rows are reported with their line
//! number and skipped;
//! the store is built in a temporary file and renamed over the previous one
//! only when complete, after an fsync, so a failed or interrupted import
//! leaves the previous registry untouched.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use indicatif::ProgressBar;
use padron_shared::ErrorCode;
use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};

use super::record::{CSV_HEADER, RecordError, RecordFields};
use super::recurrence_tally::{self, FormTally};
use super::store::{ENTRY_BYTES, NAME_KINDS, NameField, SCHEMA, STORE_FILE, STORE_FORMAT};
use crate::matching::blocking::{person_keys, signature};
use crate::matching::profile::Profile;

/// Name of the file listing every skipped row of the last import.
pub const REPORT_FILE: &str = "registry-import-report.txt";
const LOCK_FILE: &str = "registry.lock";
const BUILDING_FILE: &str = "registry.sqlite.importing";
/// Entries per block page, at least (a page ends only where a key ends).
const PAGE_ENTRIES: usize = 170;
const BATCH: usize = 4096;
/// Blocking entries per chunk (24 MiB).
const CHUNK_ENTRIES: usize = 1 << 20;

/// Errors that stop an import (bad rows do not: they are skipped).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(
        "el directorio de datos {0} no existe; créelo con `padron-server init` / the data directory {0} does not exist; create it with `padron-server init`"
    )]
    /// The data directory does not exist; its path.
    DataDir(PathBuf),
    /// Another import holds the data directory's lock; the directory.
    #[error("ya hay una importación en curso en {0} / an import is already running in {0}")]
    Busy(PathBuf),
    /// The CSV file cannot be opened or read; its path and the error.
    #[error("no se puede leer {0}: {1} / cannot read {0}: {1}")]
    Input(PathBuf, std::io::Error),
    #[error(
        "el encabezado del CSV no es el esperado; debe ser: {expected} / the CSV header is not the expected one; it must be: {expected}"
    )]
    /// The CSV's first line is not [`CSV_HEADER`].
    Header {
        /// The header a registry CSV must have, comma-separated.
        expected: String,
    },
    #[error(
        "el CSV está dañado cerca de la línea {line}: {message} / the CSV is damaged near line {line}: {message}"
    )]
    /// The CSV is malformed (quoting, encoding).
    Csv {
        /// The line near which the CSV is damaged.
        line: u64,
        /// The CSV reader's reason.
        message: String,
    },
    /// Writing the store or the report failed.
    #[error("error de entrada/salida / I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// SQLite failed writing the new store.
    #[error("error de SQLite / SQLite error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "el archivo no contiene ninguna persona válida; el registro anterior se conserva / the file holds no valid person; the previous registry is kept"
    )]
    /// No row of the CSV is a valid person; the previous registry stays.
    NoPersons,
}

impl ImportError {
    /// The stable error code for a person.
    pub fn code(&self) -> ErrorCode {
        match self {
            ImportError::DataDir(_) => ErrorCode::DataDirMissing,
            ImportError::Busy(_) => ErrorCode::RegistryBusy,
            ImportError::Header { .. } | ImportError::Csv { .. } | ImportError::NoPersons => {
                ErrorCode::RegistryCsvInvalid
            }
            ImportError::Input(..) => ErrorCode::BadRequest,
            ImportError::Io(_) | ImportError::Sqlite(_) => ErrorCode::Internal,
        }
    }
}

/// One skipped row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    /// Line number in the CSV file (the header is line 1).
    pub line: u64,
    /// Why it was skipped (a [`RecordError`]'s text).
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct ImportSummary {
    /// Persons imported.
    pub persons: u64,
    /// Of them, deceased.
    pub deceased: u64,
    /// Of them, with a married surname.
    pub with_married_surname: u64,
    /// Entries written to the blocking index.
    pub block_entries: u64,
    /// Rows skipped.
    pub bad_rows: u64,
    /// The first bad rows (all of them are in `report_path`).
    pub first_bad_rows: Vec<BadRow>,
    /// The file listing every skipped row ([`REPORT_FILE`] in the data directory).
    pub report_path: PathBuf,
    /// The new store file.
    pub store_path: PathBuf,
    /// Size of the new store file, in bytes.
    pub store_bytes: u64,
    /// How long the import took, in seconds.
    pub seconds: f64,
}

/// Persons ready for SQLite: their text in one buffer per batch (one
/// allocation, freed at once by the writer, instead of a dozen per person
/// freed across threads).
#[derive(Debug, Default)]
struct Batch {
    text: String,
    rows: Vec<PersonRow>,
}

#[derive(Debug)]
struct PersonRow {
    id: i64,
    /// Byte ranges in `Batch::text`: three given names, three surnames.
    names: [(u32, u32); 6],
    sex: &'static str,
    places: [i64; 3],
    born: i32,
    deceased: bool,
    died: Option<i32>,
    registered: Option<i32>,
}

impl Batch {
    fn push(&mut self, id: i64, r: &RecordFields<'_>, places: [i64; 3]) {
        let mut names = [(0u32, 0u32); 6];
        let values = [
            r.given[0],
            r.given[1],
            r.given[2],
            r.first_surname,
            r.second_surname,
            r.married_surname,
        ];
        for (slot, v) in names.iter_mut().zip(values) {
            let start = self.text.len() as u32;
            self.text.push_str(v);
            *slot = (start, self.text.len() as u32);
        }
        self.rows.push(PersonRow {
            id,
            names,
            sex: if r.sex == 'F' { "F" } else { "M" },
            places,
            born: r.born.0,
            deceased: r.deceased,
            died: r.died.map(|d| d.0),
            registered: r.death_registered.map(|d| d.0),
        });
    }

    fn name(&self, row: &PersonRow, i: usize) -> &str {
        let (a, b) = row.names[i];
        self.text.get(a as usize..b as usize).unwrap_or("")
    }
}

/// FNV-1a: the import hashes a hundred million short strings and integers;
/// SipHash's protection against hostile keys is not needed for a file the
/// registry itself provides.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn write_i64(&mut self, v: i64) {
        // Mix the whole word at once (CUIs differ mostly in their middle digits).
        let mut h = (v as u64) ^ self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        self.0 = h;
    }
}

pub(super) type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;
type FastSet<K> = std::collections::HashSet<K, std::hash::BuildHasherDefault<Fnv>>;

fn count<'a>(
    map: &mut FastMap<Box<str>, u64>,
    name: &'a str,
    seen: &mut Vec<(i64, &'a str)>,
    kind: i64,
) {
    if name.is_empty() || seen.iter().any(|(k, n)| *k == kind && *n == name) {
        return;
    }
    seen.push((kind, name));
    if let Some(c) = map.get_mut(name) {
        *c += 1;
    } else {
        map.insert(name.into(), 1);
    }
}

/// Everything the reading thread learns besides the rows it sends.
#[derive(Debug, Default)]
struct Collected {
    persons: u64,
    deceased: u64,
    married: u64,
    bad_rows: u64,
    first_bad: Vec<BadRow>,
    /// Blocking entries in fixed-size chunks: growing one vector of a few
    /// gigabytes would copy it (and double the memory) at each growth.
    entries: Vec<Vec<[u64; 3]>>,
    freq: [FastMap<Box<str>, u64>; NAME_KINDS],
    births_per_year: FastMap<i32, u64>,
    places: FastMap<Box<str>, i64>,
    /// Persons by sex, department and municipality of birth (place ids).
    evidence: FastMap<(bool, i64, i64), u64>,
    /// Persons per full name, by form (see [`crate::matching::recurrence`]).
    forms: FormTally,
}

impl Collected {
    fn place(&mut self, name: &str) -> i64 {
        if let Some(id) = self.places.get(name) {
            return *id;
        }
        let id = self.places.len() as i64;
        self.places.insert(name.into(), id);
        id
    }

    fn bad(
        &mut self,
        report: &mut impl Write,
        line: u64,
        reason: String,
    ) -> Result<(), ImportError> {
        writeln!(report, "línea {line}: {reason}")?;
        self.bad_rows += 1;
        if self.first_bad.len() < 50 {
            self.first_bad.push(BadRow { line, reason });
        }
        Ok(())
    }
}

/// The reading thread: parse, validate, normalise, compute keys and counts,
/// and send persons to the writer in batches.
fn read_rows(
    mut reader: csv::Reader<Counting<BufReader<File>>>,
    tx: std::sync::mpsc::SyncSender<Batch>,
    report: &mut impl Write,
    input_len: u64,
) -> Result<Collected, ImportError> {
    let mut c = Collected::default();
    c.place(""); // id 0: unknown / not applicable
    let mut seen_cuis: FastSet<i64> = FastSet::default();
    seen_cuis.reserve(
        usize::try_from(input_len / 100)
            .unwrap_or(0)
            .min(100_000_000),
    );
    let mut record = csv::StringRecord::new();
    let mut batch = Batch::default();
    let mut keys = Vec::with_capacity(8);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                c.bad(
                    report,
                    line,
                    "el texto no es UTF-8 válido / the text is not valid UTF-8".into(),
                )?;
                continue;
            }
            Err(e) => {
                return Err(ImportError::Csv {
                    line: e.position().map(|p| p.line()).unwrap_or(0),
                    message: e.to_string(),
                });
            }
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.len() == 1 && record.get(0).is_some_and(|f| f.trim().is_empty()) {
            continue; // a blank line
        }
        let fields = match RecordFields::parse(&record) {
            Ok(f) => f,
            Err(e) => {
                c.bad(report, line, e.to_string())?;
                continue;
            }
        };
        let id: i64 = fields.cui.to_string().parse().unwrap_or(0);
        if !seen_cuis.insert(id) {
            c.bad(report, line, RecordError::DuplicateCui.to_string())?;
            continue;
        }
        let profile = Profile::of_fields(&fields);
        c.forms.add(&profile);
        let view = profile.view();
        person_keys(&view, &mut keys);
        let sig = signature(&view);
        for k in &keys {
            if c.entries
                .last()
                .is_none_or(|chunk| chunk.len() == CHUNK_ENTRIES)
            {
                c.entries.push(Vec::with_capacity(CHUNK_ENTRIES));
            }
            if let Some(chunk) = c.entries.last_mut() {
                chunk.push([*k, id as u64, sig]);
            }
        }
        let mut seen_names: Vec<(i64, &str)> = Vec::with_capacity(12);
        let s = &profile.surnames;
        let placed = profile
            .given
            .iter()
            .enumerate()
            .map(|(i, g)| {
                (
                    if i == 0 {
                        NameField::Given1
                    } else {
                        NameField::GivenOther
                    },
                    g,
                )
            })
            .chain(s.first.iter().map(|t| (NameField::Surname1, t)))
            .chain(s.second.iter().map(|t| (NameField::Surname2, t)))
            .chain(s.married.iter().map(|t| (NameField::Married, t)));
        for (field, token) in placed {
            for (code, name) in [(false, &token.full), (true, &token.code)] {
                let kind = field.kind(code);
                count(&mut c.freq[kind as usize], name, &mut seen_names, kind);
            }
        }
        *c.births_per_year.entry(fields.born.ymd().0).or_insert(0) += 1;
        c.persons += 1;
        c.deceased += u64::from(fields.deceased);
        c.married += u64::from(!fields.married_surname.is_empty());
        let places = [
            c.place(fields.country),
            c.place(fields.department),
            c.place(fields.municipality),
        ];
        *c.evidence
            .entry((fields.sex == 'F', places[1], places[2]))
            .or_insert(0) += 1;
        batch.push(id, &fields, places);
        if batch.rows.len() == BATCH && tx.send(std::mem::take(&mut batch)).is_err() {
            break; // the writer stopped; its error is reported
        }
    }
    if !batch.rows.is_empty() {
        let _ = tx.send(batch);
    }
    Ok(c)
}

/// A reader that counts the bytes read, for the progress bar.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
    /// SHA-256 of every byte read: the registry version is the CSV's digest.
    digest: Arc<Mutex<Sha256>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        self.digest
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .update(&buf[..n]);
        Ok(n)
    }
}

/// Holds the import lock of a data directory while alive.
#[derive(Debug)]
struct ImportLock {
    _file: File,
}

fn lock(data_dir: &Path) -> Result<ImportLock, ImportError> {
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(data_dir.join(LOCK_FILE))?;
    match file.try_lock() {
        Ok(()) => Ok(ImportLock { _file: file }),
        Err(std::fs::TryLockError::WouldBlock) => Err(ImportError::Busy(data_dir.to_owned())),
        Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
    }
}

/// Imports `csv_path` into the registry of `data_dir`. `progress` shows the
/// bytes read (pass `ProgressBar::hidden()` when no one watches).
pub fn import(
    data_dir: &Path,
    csv_path: &Path,
    progress: &ProgressBar,
) -> Result<ImportSummary, ImportError> {
    let started = Instant::now();
    if !data_dir.is_dir() {
        return Err(ImportError::DataDir(data_dir.to_owned()));
    }
    let _lock = lock(data_dir)?;
    let input = File::open(csv_path).map_err(|e| ImportError::Input(csv_path.to_owned(), e))?;
    let input_len = input.metadata().map(|m| m.len()).unwrap_or(0);
    let read_bytes = Arc::new(AtomicU64::new(0));
    let digest = Arc::new(Mutex::new(Sha256::new()));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_reader(Counting {
            inner: BufReader::with_capacity(1 << 20, input),
            count: read_bytes.clone(),
            digest: digest.clone(),
        });

    // Header: exact names, in order (a UTF-8 BOM and case are tolerated).
    let mut header = csv::ByteRecord::new();
    let header_ok = reader
        .read_byte_record(&mut header)
        .map_err(|e| ImportError::Csv {
            line: 1,
            message: e.to_string(),
        })?
        && header.len() == CSV_HEADER.len()
        && header.iter().zip(CSV_HEADER).all(|(got, want)| {
            let got = String::from_utf8_lossy(got);
            got.trim_start_matches('\u{feff}')
                .trim()
                .eq_ignore_ascii_case(want)
        });
    if !header_ok {
        return Err(ImportError::Header {
            expected: CSV_HEADER.join(","),
        });
    }

    let building = data_dir.join(BUILDING_FILE);
    let _ = std::fs::remove_file(&building);
    let report_path = data_dir.join(REPORT_FILE);
    let mut report = BufWriter::new(File::create(&report_path)?);
    writeln!(
        report,
        "# Importación de {} / import of {}",
        csv_path.display(),
        csv_path.display()
    )?;

    let mut conn = Connection::open(&building)?;
    conn.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;
         PRAGMA temp_store = MEMORY; PRAGMA cache_size = -1048576;",
    )?;
    conn.execute_batch(SCHEMA)?;

    progress.set_length(input_len.max(1));
    progress.set_message("leyendo / reading");

    let (tx, rx) = sync_channel::<Batch>(8);
    let result = std::thread::scope(|scope| -> Result<Collected, ImportError> {
        let report = &mut report;
        let reader_thread = scope.spawn(move || read_rows(reader, tx, report, input_len));
        let written = write_persons(&mut conn, rx, progress, &read_bytes);
        let read = reader_thread.join().unwrap_or_else(|_| {
            Err(ImportError::Csv {
                line: 0,
                message: "lector interrumpido / reader panicked".into(),
            })
        });
        written?;
        read
    });
    let mut collected = match result {
        Ok(c) => c,
        Err(e) => {
            drop(conn);
            let _ = std::fs::remove_file(&building);
            return Err(e);
        }
    };
    report.flush()?;
    if collected.persons == 0 {
        drop(conn);
        let _ = std::fs::remove_file(&building);
        return Err(ImportError::NoPersons);
    }

    progress.set_message("ordenando el índice / sorting the index");
    let block_entries = write_blocks(&conn, &mut collected.entries, progress)?;
    drop(std::mem::take(&mut collected.entries));
    progress.set_message("contando nombres repetidos / counting recurring names");
    let recurrence =
        std::mem::take(&mut collected.forms).finish(&conn, &collected.freq, collected.persons)?;

    let tx = conn.transaction()?;
    {
        let mut stmt =
            tx.prepare("INSERT INTO name_freq(kind, name, persons) VALUES (?1, ?2, ?3)")?;
        for (kind, map) in collected.freq.iter().enumerate() {
            for (name, n) in map {
                stmt.execute(params![kind as i64, name, *n as i64])?;
            }
        }
        let mut stmt = tx.prepare("INSERT INTO birth_year(year, persons) VALUES (?1, ?2)")?;
        for (year, n) in &collected.births_per_year {
            stmt.execute(params![year, *n as i64])?;
        }
        let mut stmt = tx.prepare(
            "INSERT INTO evidence_freq(sexo, departamento, municipio, persons) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for ((female, department, municipality), n) in &collected.evidence {
            let sex = if *female { "F" } else { "M" };
            stmt.execute(params![sex, department, municipality, *n as i64])?;
        }
        recurrence_tally::write(&tx, &recurrence)?;
        let mut stmt = tx.prepare("INSERT INTO place(id, name) VALUES (?1, ?2)")?;
        for (name, id) in &collected.places {
            stmt.execute(params![id, name])?;
        }
        let now = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let seconds = started.elapsed().as_secs_f64();
        let source = csv_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let csv_sha256: String =
            std::mem::take(&mut *digest.lock().unwrap_or_else(|p| p.into_inner()))
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
        let mut stmt = tx.prepare("INSERT INTO meta(key, value) VALUES (?1, ?2)")?;
        for (k, v) in [
            ("format", STORE_FORMAT.to_owned()),
            ("persons", collected.persons.to_string()),
            ("deceased", collected.deceased.to_string()),
            ("with_married_surname", collected.married.to_string()),
            ("block_entries", block_entries.to_string()),
            ("bad_rows", collected.bad_rows.to_string()),
            ("source", source),
            ("imported_at", now),
            ("import_seconds", format!("{seconds:.1}")),
            ("csv_sha256", csv_sha256),
        ] {
            stmt.execute(params![k, v])?;
        }
    }
    tx.commit()?;
    drop(conn);

    // Make the new store durable, then swap it in.
    File::open(&building)?.sync_all()?;
    let store_path = data_dir.join(STORE_FILE);
    std::fs::rename(&building, &store_path)?;
    File::open(data_dir)?.sync_all()?;
    let store_bytes = std::fs::metadata(&store_path).map(|m| m.len()).unwrap_or(0);
    progress.finish_and_clear();
    Ok(ImportSummary {
        persons: collected.persons,
        deceased: collected.deceased,
        with_married_surname: collected.married,
        block_entries,
        bad_rows: collected.bad_rows,
        first_bad_rows: collected.first_bad,
        report_path,
        store_path,
        store_bytes,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The writing thread: inserts persons into SQLite as batches arrive.
fn write_persons(
    conn: &mut Connection,
    rx: std::sync::mpsc::Receiver<Batch>,
    progress: &ProgressBar,
    read_bytes: &AtomicU64,
) -> Result<(), ImportError> {
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare(
            "INSERT INTO person(cui, nombre1, nombre2, nombre3, apellido1, apellido2, casada, sexo,
                                pais, departamento, municipio, nacimiento, fallecido, defuncion, inscripcion)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?;
        for batch in rx {
            for r in &batch.rows {
                insert.execute(params![
                    r.id,
                    batch.name(r, 0),
                    batch.name(r, 1),
                    batch.name(r, 2),
                    batch.name(r, 3),
                    batch.name(r, 4),
                    batch.name(r, 5),
                    r.sex,
                    r.places[0],
                    r.places[1],
                    r.places[2],
                    r.born,
                    r.deceased,
                    r.died,
                    r.registered,
                ])?;
            }
            progress.set_position(read_bytes.load(Ordering::Relaxed));
        }
    }
    tx.commit()?;
    Ok(())
}

/// Sorts the blocking entries and writes them as pages; returns how many.
fn write_blocks(
    conn: &Connection,
    chunks: &mut [Vec<[u64; 3]>],
    progress: &ProgressBar,
) -> Result<u64, ImportError> {
    // Each chunk is sorted on its own, the two cores taking half the chunks
    // each; the sorted chunks are then merged while the pages are written.
    let total: usize = chunks.iter().map(Vec::len).sum();
    let mid = chunks.len() / 2;
    let (left, right) = chunks.split_at_mut(mid);
    std::thread::scope(|s| {
        s.spawn(|| left.iter_mut().for_each(|c| c.sort_unstable()));
        right.iter_mut().for_each(|c| c.sort_unstable());
    });
    progress.set_message("escribiendo el índice / writing the index");
    progress.set_length(total as u64);
    progress.set_position(0);
    let mut heap: std::collections::BinaryHeap<std::cmp::Reverse<([u64; 3], usize)>> = chunks
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.first().map(|e| std::cmp::Reverse((*e, i))))
        .collect();
    let mut cursor = vec![1usize; chunks.len()];
    let mut stmt = conn.prepare("INSERT INTO block_page(first_key, entries) VALUES (?1, ?2)")?;
    conn.execute_batch("BEGIN")?;
    let mut page: Vec<u8> = Vec::with_capacity((PAGE_ENTRIES + 64) * ENTRY_BYTES);
    let mut page_first: Option<u64> = None;
    let mut last: Option<[u64; 3]> = None;
    let mut written = 0u64;
    let mut merged = 0u64;
    while let Some(std::cmp::Reverse((next, i))) = heap.pop() {
        if let Some(e) = chunks[i].get(cursor[i]) {
            heap.push(std::cmp::Reverse((*e, i)));
            cursor[i] += 1;
        }
        merged += 1;
        if merged.is_multiple_of(1 << 20) {
            progress.set_position(merged);
        }
        if last.is_some_and(|l| l[0] == next[0] && l[1] == next[1]) {
            continue; // the same person twice under one key
        }
        let new_key = last.is_none_or(|l| l[0] != next[0]);
        if new_key && page.len() >= PAGE_ENTRIES * ENTRY_BYTES {
            if let Some(first) = page_first {
                stmt.execute(params![first as i64, page])?;
            }
            page.clear();
            page_first = None;
        }
        if page_first.is_none() {
            page_first = Some(next[0]);
        }
        for v in next {
            page.extend_from_slice(&v.to_le_bytes());
        }
        last = Some(next);
        written += 1;
    }
    if let Some(first) = page_first {
        stmt.execute(params![first as i64, page])?;
    }
    conn.execute_batch("COMMIT")?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::blocking::{BlockingView, query_keys};
    use crate::names::{given_names, surnames};
    use crate::registry::generate::generate;
    use crate::registry::store::Registry;

    fn write_registry(path: &Path, persons: u64, seed: u64, extra: &str) {
        let mut bytes = Vec::new();
        generate(persons, seed, &mut bytes, |_| {}).unwrap();
        bytes.extend_from_slice(extra.as_bytes());
        std::fs::write(path, bytes).unwrap();
    }

    #[test]
    fn the_version_is_the_csv_digest_whoever_imports_it() {
        let csv_dir = tempfile::tempdir().unwrap();
        let mut bytes = Vec::new();
        generate(200, 3, &mut bytes, |_| {}).unwrap();
        let csv = csv_dir.path().join("r.csv");
        std::fs::write(&csv, &bytes).unwrap();
        let version_of = |csv: &Path| {
            let dir = tempfile::tempdir().unwrap();
            import(dir.path(), csv, &ProgressBar::hidden()).unwrap();
            Registry::open(dir.path()).unwrap().meta().version()
        };
        let first = version_of(&csv);
        let digest: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(first, digest);
        assert_eq!(version_of(&csv), first);
        let other = csv_dir.path().join("s.csv");
        let mut bytes = Vec::new();
        generate(200, 4, &mut bytes, |_| {}).unwrap();
        std::fs::write(&other, &bytes).unwrap();
        assert_ne!(version_of(&other), first);
    }

    #[test]
    fn imports_reports_bad_rows_and_finds_people() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("r.csv");
        // The generator's first CUI is reused below to make a duplicate.
        let mut bytes = Vec::new();
        generate(3_000, 11, &mut bytes, |_| {}).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let first_row = text.lines().nth(1).unwrap().to_owned();
        let extra = format!(
            "{first_row}\n1234567880101,ANA,,,LOPEZ,,,F,GUATEMALA,GUATEMALA,MIXCO,1990-01-01,NO,,\nnot,enough\n"
        );
        std::fs::write(&csv, format!("{text}{extra}")).unwrap();
        let summary = import(dir.path(), &csv, &ProgressBar::hidden()).unwrap();
        assert_eq!(summary.persons, 3_000);
        assert_eq!(summary.bad_rows, 3);
        let lines: Vec<u64> = summary.first_bad_rows.iter().map(|b| b.line).collect();
        assert_eq!(lines, [3_002, 3_003, 3_004]);
        assert!(summary.first_bad_rows[0].reason.contains("CUI repetido"));
        assert!(summary.first_bad_rows[1].reason.contains("CUI"));
        let report = std::fs::read_to_string(&summary.report_path).unwrap();
        assert!(report.contains("línea 3004"), "{report}");

        let registry = Registry::open(dir.path()).unwrap();
        assert_eq!(registry.meta().persons, 3_000);
        let fields: Vec<&str> = first_row.split(',').collect();
        let person = registry
            .person(fields[0].parse().unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(person.given[0], fields[1]);
        assert_eq!(person.municipality, fields[10]);
        assert_eq!(person.born.to_string(), fields[11]);
        assert!(
            registry
                .person("1234567890101".parse().unwrap())
                .unwrap()
                .is_none()
        );

        // The person's own names, looked up as a query, reach the person.
        let given = given_names([fields[1], fields[2], fields[3]]);
        let sur = surnames(fields[4], fields[5], fields[6]);
        let view = BlockingView::new(&given, &sur, None);
        let mut keys = Vec::new();
        query_keys(&view, sur.married.as_ref(), &mut keys);
        let mut entries = Vec::new();
        for k in keys {
            registry.block(k, &mut entries).unwrap();
        }
        let id: u64 = fields[0].parse().unwrap();
        assert!(entries.iter().any(|e| e.cui == id));
        assert!(
            registry
                .persons_with(NameField::Surname1, false, "LOPEZ")
                .unwrap()
                > 20
        );
        let born = crate::registry::date::Day::parse_iso(fields[11]).unwrap();
        assert!(registry.birth_share(born) > 0.0 && registry.birth_share(born) < 0.001);
    }

    #[test]
    fn reimport_swaps_atomically_and_old_readers_keep_their_registry() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("r.csv");
        write_registry(&csv, 500, 1, "");
        import(dir.path(), &csv, &ProgressBar::hidden()).unwrap();
        let old = Registry::open(dir.path()).unwrap();
        assert!(old.is_current());
        write_registry(&csv, 800, 2, "");
        import(dir.path(), &csv, &ProgressBar::hidden()).unwrap();
        // The old handle still answers from the old registry.
        assert!(!old.is_current());
        assert_eq!(old.meta().persons, 500);
        let text = std::fs::read_to_string(&csv).unwrap();
        let cui = text
            .lines()
            .nth(1)
            .unwrap()
            .split(',')
            .next()
            .unwrap()
            .to_owned();
        let new = Registry::open(dir.path()).unwrap();
        assert_eq!(new.meta().persons, 800);
        assert!(new.person(cui.parse().unwrap()).unwrap().is_some());
        let _ = old.person(cui.parse().unwrap()).unwrap();
    }

    #[test]
    fn refusals_leave_the_previous_registry() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("r.csv");
        write_registry(&csv, 200, 1, "");
        import(dir.path(), &csv, &ProgressBar::hidden()).unwrap();
        std::fs::write(&csv, "cui,nombre\n1,2\n").unwrap();
        let err = import(dir.path(), &csv, &ProgressBar::hidden()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::RegistryCsvInvalid);
        assert!(err.to_string().contains("primer_nombre"));
        std::fs::write(&csv, format!("{}\nbad\n", CSV_HEADER.join(","))).unwrap();
        assert!(matches!(
            import(dir.path(), &csv, &ProgressBar::hidden()),
            Err(ImportError::NoPersons)
        ));
        assert_eq!(Registry::open(dir.path()).unwrap().meta().persons, 200);
        let missing = dir.path().join("nope");
        assert_eq!(
            import(&missing, &csv, &ProgressBar::hidden())
                .unwrap_err()
                .code(),
            ErrorCode::DataDirMissing
        );
        assert_eq!(
            Registry::open(&missing).unwrap_err().code(),
            ErrorCode::RegistryEmpty
        );
        // A second import while one holds the lock is refused.
        let _held = lock(dir.path()).unwrap();
        assert_eq!(
            import(dir.path(), &csv, &ProgressBar::hidden())
                .unwrap_err()
                .code(),
            ErrorCode::RegistryBusy
        );
    }
}
