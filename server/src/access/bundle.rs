//! The enrolment bundle handed to a workstation: what `padron-agent` needs
//! to connect (agent.toml, the server CA to pin, its certificate and, when
//! the server generated it, its key).

use std::fs;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use padron_shared::agent_config::{AgentConfig, bundle};

use crate::datadir::{DataDirError, write_new_file};
use crate::store::Workstation;

/// Files written, in order.
#[derive(Debug)]
pub struct WrittenBundle {
    pub files: Vec<PathBuf>,
}

/// Writes the bundle into `out`, creating it if needed. Refuses up front if
/// any target file exists, so a bundle is never a mix of two enrolments
/// (a workstation key placed there by `enroll-request` is the one exception:
/// with a CSR the key is not part of the bundle).
pub fn write(
    out: &Path,
    workstation: &Workstation,
    server_url: &str,
    server_ca_pem: &str,
    key_pem: Option<&str>,
) -> Result<WrittenBundle, DataDirError> {
    let config = AgentConfig {
        server_url: server_url.to_owned(),
        server_ca: bundle::SERVER_CA.to_owned(),
        certificate: bundle::CERTIFICATE.to_owned(),
        key: bundle::KEY.to_owned(),
        workstation_id: Some(workstation.id),
        institution: Some(workstation.institution_code.clone()),
        site: Some(workstation.site.clone()),
        card_module: None,
        card_reader: None,
        lang: None,
    };
    let toml = toml::to_string_pretty(&config).map_err(|e| DataDirError::Config {
        path: out.join(bundle::CONFIG),
        message: e.to_string(),
    })?;
    let header = format!(
        "# Padrón: configuración del agente para la estación {} ({}, {}).\n\
         # Escrita por `padron-server workstation enroll`.\n",
        workstation.id, workstation.institution_code, workstation.site
    );
    let mut files: Vec<(&str, String, u32)> = vec![
        (bundle::CONFIG, header + &toml, 0o644),
        (bundle::SERVER_CA, server_ca_pem.to_owned(), 0o644),
        (
            bundle::CERTIFICATE,
            workstation.certificate.pem.clone(),
            0o644,
        ),
    ];
    if let Some(key) = key_pem {
        files.push((bundle::KEY, key.to_owned(), 0o600));
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(out)
        .map_err(|source| DataDirError::Io {
            path: out.to_owned(),
            source,
        })?;
    for (name, _, _) in &files {
        let path = out.join(name);
        if path.exists() {
            return Err(DataDirError::Exists(path));
        }
    }
    let mut written = Vec::new();
    for (name, contents, mode) in files {
        let path = out.join(name);
        write_new_file(&path, contents.as_bytes(), mode)?;
        written.push(path);
    }
    Ok(WrittenBundle { files: written })
}
