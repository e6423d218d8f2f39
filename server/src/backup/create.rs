//! `padron-server backup`: the archive of a data directory, written while
//! the server serves.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Instant;

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::encryption::Recipients;
use super::{BackupError, FORMAT, MANIFEST, Manifest, SUMS, io_err, random_suffix};
use crate::datadir::{CONFIG_FILE, DATABASE_FILE, DataDir};
use crate::error::ServerError;
use crate::store::snapshot;
use padron_consulta::registry::store::STORE_FILE as REGISTRY_FILE;

#[derive(Debug, Clone)]
pub struct BackupOptions {
    pub out: PathBuf,
    /// age recipients (`age1…`); empty: not encrypted.
    pub encrypt_to: Vec<String>,
    pub with_registry: bool,
}

#[derive(Debug, Clone)]
pub struct BackupSummary {
    pub manifest: Manifest,
    /// Data files in the archive (besides the manifest and checksums).
    pub entries: usize,
    /// Size of the file written.
    pub bytes: u64,
    pub seconds: f64,
    /// A registry file was present but left out.
    pub registry_left_out: bool,
}

/// Where an archive's bytes go: a file, or age around a file.
enum Sink {
    Plain(File),
    Age(age::stream::StreamWriter<File>),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Plain(f) => f.write(buf),
            Sink::Age(w) => w.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Plain(f) => f.flush(),
            Sink::Age(w) => w.flush(),
        }
    }
}

impl Sink {
    fn finish(self) -> io::Result<File> {
        match self {
            Sink::Plain(f) => Ok(f),
            Sink::Age(w) => w.finish(),
        }
    }
}

/// The archive being written, with the SHA-256 of each entry.
struct Archive {
    tar: tar::Builder<Sink>,
    sums: Vec<(String, String)>,
    mtime: u64,
}

impl Archive {
    fn add_bytes(&mut self, name: &str, bytes: &[u8], mode: u32) -> io::Result<()> {
        self.add_reader(name, bytes.len() as u64, mode, bytes)
    }

    /// Adds a file through an open descriptor: a file replaced by rename
    /// while we read (a registry import) is read whole as it was.
    fn add_file(&mut self, name: &str, path: &Path, mode: u32) -> io::Result<()> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        self.add_reader(name, len, mode, file.take(len))
    }

    fn add_reader(&mut self, name: &str, len: u64, mode: u32, reader: impl Read) -> io::Result<()> {
        let mut header = tar::Header::new_gnu();
        header.set_size(len);
        header.set_mode(mode);
        header.set_mtime(self.mtime);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        let mut hashing = HashingReader {
            inner: reader,
            hasher: Sha256::new(),
            read: 0,
        };
        self.tar.append_data(&mut header, name, &mut hashing)?;
        if hashing.read != len {
            return Err(io::Error::other(format!(
                "{name} changed size while it was copied"
            )));
        }
        self.sums
            .push((name.to_owned(), hex::encode(hashing.hasher.finalize())));
        Ok(())
    }
}

struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    read: u64,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}

/// Files of `pki/`, sorted, with the mode each is restored with.
fn pki_files(dir: &DataDir) -> Result<Vec<(String, PathBuf, u32)>, BackupError> {
    let pki = dir.path().join("pki");
    let mut files = Vec::new();
    for entry in fs::read_dir(&pki).map_err(io_err(&pki))? {
        let entry = entry.map_err(io_err(&pki))?;
        let path = entry.path();
        let meta = fs::symlink_metadata(&path).map_err(io_err(&path))?;
        if !meta.is_file() {
            continue;
        }
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
            continue;
        };
        // Keys are 0600 whatever they are today; certificates are public.
        let mode = if name.ends_with(".key") { 0o600 } else { 0o644 };
        files.push((format!("pki/{name}"), path, mode));
    }
    files.sort();
    Ok(files)
}

/// Writes the backup. The output appears only when complete (written
/// hidden beside it, then linked into place; an existing file is never
/// replaced).
pub fn backup(
    dir: &DataDir,
    options: &BackupOptions,
    now: OffsetDateTime,
) -> Result<BackupSummary, ServerError> {
    let started = Instant::now();
    let recipients = Recipients::parse(&options.encrypt_to)?;
    let out = &options.out;
    if fs::symlink_metadata(out).is_ok() {
        return Err(BackupError::OutputExists(out.clone()).into());
    }
    // The archive's database is a `VACUUM INTO` copy of padron.db; a
    // PostgreSQL store is the DBA's pg_dump (documented), never a silent
    // backup without the data.
    if dir.database_config()?.is_postgres() {
        return Err(BackupError::NeedsPgDump.into());
    }
    let config = dir.config()?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let stem = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "padron-backup".into());
    let suffix = random_suffix()?;
    // The copy of the database holds keys' worth of secrets: a 0700 directory.
    let work = parent.join(format!(".{stem}.work-{suffix}"));
    fs::DirBuilder::new()
        .mode(0o700)
        .create(&work)
        .map_err(io_err(&work))?;
    let partial = parent.join(format!(".{stem}.partial-{suffix}"));
    let result = write_archive(
        dir,
        &config.hostname,
        &work,
        &partial,
        &recipients,
        options.with_registry,
        now,
    )
    .and_then(|(manifest, entries)| {
        // hard_link refuses an existing name: no race can make us overwrite.
        fs::hard_link(&partial, out).map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                BackupError::OutputExists(out.clone()).into()
            } else {
                ServerError::from(BackupError::Io {
                    path: out.clone(),
                    source: e,
                })
            }
        })?;
        Ok((manifest, entries))
    });
    let _ = fs::remove_dir_all(&work);
    let _ = fs::remove_file(&partial);
    let (manifest, entries) = result?;
    if let Ok(d) = File::open(&parent) {
        let _ = d.sync_all();
    }
    let bytes = fs::metadata(out).map_err(io_err(out))?.len();
    Ok(BackupSummary {
        registry_left_out: !options.with_registry && dir.path().join(REGISTRY_FILE).is_file(),
        manifest,
        entries,
        bytes,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn write_archive(
    dir: &DataDir,
    hostname: &str,
    work: &Path,
    partial: &Path,
    recipients: &Recipients,
    with_registry: bool,
    now: OffsetDateTime,
) -> Result<(Manifest, usize), ServerError> {
    // 1. The database, as of one commit.
    let copy = work.join(DATABASE_FILE);
    snapshot::vacuum_into(&dir.database(), &copy)?;
    let facts = snapshot::facts(&copy)?;
    let (head_seq, head_hash, head_at) = facts.audit_head.clone().unwrap_or_default();
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        created_at: crate::clock::timestamp(now),
        padron_version: env!("CARGO_PKG_VERSION").to_owned(),
        hostname: hostname.to_owned(),
        installation_id: facts.installation_id.clone(),
        schema_version: facts.schema_version,
        audit_entries: facts.audit_entries,
        audit_head_seq: head_seq,
        audit_head_hash: head_hash,
        audit_head_at: head_at,
        with_registry,
        jobs: facts.job_ids.len(),
        encrypted: !recipients.is_empty(),
    };
    let manifest_json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| ServerError::Io(format!("manifest: {e}")))?;

    // 2. The archive.
    let file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(partial)
        .map_err(io_err(partial))?;
    let sink = if recipients.is_empty() {
        Sink::Plain(file)
    } else {
        Sink::Age(recipients.encrypt(file)?)
    };
    let mut archive = Archive {
        tar: tar::Builder::new(sink),
        sums: Vec::new(),
        mtime: now.unix_timestamp().max(0) as u64,
    };
    let io = |name: &str| {
        let name = name.to_owned();
        move |e: io::Error| ServerError::Io(format!("backup of {name}: {e}"))
    };
    archive
        .add_bytes(MANIFEST, &manifest_json, 0o600)
        .map_err(io(MANIFEST))?;
    archive
        .add_file(DATABASE_FILE, &copy, 0o600)
        .map_err(io(DATABASE_FILE))?;
    archive
        .add_file(CONFIG_FILE, &dir.config_path(), 0o644)
        .map_err(io(CONFIG_FILE))?;
    for (name, path, mode) in pki_files(dir)? {
        archive.add_file(&name, &path, mode).map_err(io(&name))?;
    }
    // 3. The files of the jobs the copied database knows (uploads are
    // durable before their row commits, so each queued job's file exists).
    for id in &facts.job_ids {
        for (folder, path) in [
            ("uploads", crate::queue::uploads::upload_path(dir, id)),
            ("results", crate::queue::uploads::result_path(dir, id)),
        ] {
            // A stored id that names no file (not a job id) is skipped.
            let Ok(path) = path else { continue };
            match fs::symlink_metadata(&path) {
                Ok(meta) if meta.is_file() && meta.nlink() >= 1 => {
                    let name = format!("queries/{folder}/{id}.xlsx");
                    match archive.add_file(&name, &path, 0o600) {
                        Ok(()) => {}
                        // Deleted by the retention sweep since the copy.
                        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                        Err(e) => return Err(io(&name)(e)),
                    }
                }
                _ => {}
            }
        }
    }
    if with_registry {
        let path = dir.path().join(REGISTRY_FILE);
        if path.is_file() {
            archive
                .add_file(REGISTRY_FILE, &path, 0o600)
                .map_err(io(REGISTRY_FILE))?;
        }
    }
    // 4. The checksums, last.
    let sums: String = archive
        .sums
        .iter()
        .map(|(name, sum)| format!("{sum}  {name}\n"))
        .collect();
    // Data files only (the manifest and the checksums are not counted).
    let entries = archive.sums.len() - 1;
    archive
        .add_bytes(SUMS, sums.as_bytes(), 0o600)
        .map_err(io(SUMS))?;
    let sink = archive.tar.into_inner().map_err(io("tar"))?;
    let file = sink.finish().map_err(io("age"))?;
    file.sync_all().map_err(io("sync"))?;
    Ok((manifest, entries))
}
