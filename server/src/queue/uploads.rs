//! Query workbooks and results on disk. A file is written beside its final
//! name, fsynced, renamed into place, and its directory fsynced: after
//! `store_*` returns, a power cut cannot lose it.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::datadir::DataDir;

fn durable_write(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let final_path = dir.join(name);
    let temp = dir.join(format!(".{name}.partial"));
    {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    fs::rename(&temp, &final_path)?;
    fs::File::open(dir)?.sync_all()?;
    Ok(final_path)
}

/// Job ids are UUIDs we generate; anything else never names a file.
fn file_name(job_id: &str) -> std::io::Result<String> {
    if job_id.len() == 36 && job_id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        Ok(format!("{job_id}.xlsx"))
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a job id",
        ))
    }
}

pub fn store_upload(dir: &DataDir, job_id: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    durable_write(&dir.uploads_dir(), &file_name(job_id)?, bytes)
}

pub fn store_result(dir: &DataDir, job_id: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    durable_write(&dir.results_dir(), &file_name(job_id)?, bytes)
}

/// The rows of a result that need a look (JSON), beside the result.
pub fn store_attention(dir: &DataDir, job_id: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    durable_write(&dir.results_dir(), &attention_name(job_id)?, bytes)
}

pub fn attention_path(dir: &DataDir, job_id: &str) -> std::io::Result<PathBuf> {
    Ok(dir.results_dir().join(attention_name(job_id)?))
}

fn attention_name(job_id: &str) -> std::io::Result<String> {
    Ok(file_name(job_id)?.replace(".xlsx", ".attention.json"))
}

pub fn upload_path(dir: &DataDir, job_id: &str) -> std::io::Result<PathBuf> {
    Ok(dir.uploads_dir().join(file_name(job_id)?))
}

pub fn result_path(dir: &DataDir, job_id: &str) -> std::io::Result<PathBuf> {
    Ok(dir.results_dir().join(file_name(job_id)?))
}

/// Deletes a job's files (retention); missing files are not an error.
pub fn delete_job_files(dir: &DataDir, job_id: &str) {
    for path in [
        upload_path(dir, job_id),
        result_path(dir, job_id),
        attention_path(dir, job_id),
    ]
    .into_iter()
    .flatten()
    {
        if let Err(e) = fs::remove_file(&path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(path = %path.display(), error = %e, "cannot delete an expired query file");
        }
    }
}
