//! `padron-agent enroll-request`: the workstation makes its own key and a
//! certificate signing request, so the private key never leaves it.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use padron_shared::agent_config::bundle;
use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair};

#[derive(Debug, thiserror::Error)]
pub enum EnrollError {
    #[error("{0} ya existe; no se reemplaza / already exists; not replaced")]
    Exists(PathBuf),
    #[error("no se puede escribir {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no se pudo generar la llave o la solicitud: {0}")]
    Generate(#[from] rcgen::Error),
}

#[derive(Debug)]
pub struct EnrollRequest {
    pub key: PathBuf,
    pub csr: PathBuf,
}

fn write_new(path: &Path, contents: &str, mode: u32) -> Result<(), EnrollError> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|source| {
            if source.kind() == std::io::ErrorKind::AlreadyExists {
                EnrollError::Exists(path.to_owned())
            } else {
                EnrollError::Io {
                    path: path.to_owned(),
                    source,
                }
            }
        })?;
    file.write_all(contents.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|source| EnrollError::Io {
            path: path.to_owned(),
            source,
        })
}

/// Writes `workstation.key` (0600) and `workstation.csr` into `dir`. The
/// subject is only a hint for the admin: the server sets its own.
pub fn create(dir: &Path, hint: &str) -> Result<EnrollRequest, EnrollError> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|source| EnrollError::Io {
            path: dir.to_owned(),
            source,
        })?;
    let key_path = dir.join(bundle::KEY);
    let csr_path = dir.join(bundle::CSR);
    for p in [&key_path, &csr_path] {
        if p.exists() {
            return Err(EnrollError::Exists(p.clone()));
        }
    }
    let key = KeyPair::generate()?;
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, hint);
    params.distinguished_name = dn;
    let csr = params.serialize_request(&key)?;
    write_new(&key_path, &key.serialize_pem(), 0o600)?;
    write_new(&csr_path, &csr.pem()?, 0o644)?;
    Ok(EnrollRequest {
        key: key_path,
        csr: csr_path,
    })
}
