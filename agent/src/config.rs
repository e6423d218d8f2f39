//! Loading `agent.toml` and the files it points to.

use std::path::{Path, PathBuf};

use padron_shared::agent_config::AgentConfig;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("no existe el archivo de configuración {0} / configuration file {0} does not exist")]
    Missing(PathBuf),
    #[error("no se puede leer {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} tiene errores / has errors: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// A configuration with its paths resolved against the file's directory.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub path: PathBuf,
    pub config: AgentConfig,
    pub server_ca: PathBuf,
    pub certificate: PathBuf,
    pub key: PathBuf,
}

/// Where the agent looks when `--config` is not given.
pub fn default_path() -> PathBuf {
    PathBuf::from("/etc/padron/agent.toml")
}

pub fn load(path: &Path) -> Result<LoadedConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            ConfigError::Missing(path.to_owned())
        } else {
            ConfigError::Read {
                path: path.to_owned(),
                source,
            }
        }
    })?;
    let config: AgentConfig = toml::from_str(&text).map_err(|e| ConfigError::Invalid {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    let url = config.server_url.trim();
    if !url.starts_with("https://") || url.len() <= "https://".len() {
        return Err(ConfigError::Invalid {
            path: path.to_owned(),
            message: format!(
                "server_url debe comenzar con https:// / must start with https:// (es {url:?})"
            ),
        });
    }
    let base = path.parent().unwrap_or(Path::new("."));
    let resolve = |p: &str| {
        if Path::new(p).is_absolute() {
            PathBuf::from(p)
        } else {
            base.join(p)
        }
    };
    let loaded = LoadedConfig {
        path: path.to_owned(),
        server_ca: resolve(&config.server_ca),
        certificate: resolve(&config.certificate),
        key: resolve(&config.key),
        config,
    };
    if let Some(warning) = key_exposure(&loaded.key) {
        eprintln!("{warning}");
    }
    Ok(loaded)
}

/// A warning when the workstation key can be read by other users of the
/// machine (group or other permission bits), naming the `chmod` that fixes it.
pub fn key_exposure(key: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(key).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then(|| {
        format!(
            "aviso / warning: la llave de la estación {0} tiene permisos {mode:o}: otros usuarios pueden leerla / the workstation key {0} has mode {mode:o}: other users can read it; run: chmod 600 {0}",
            key.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_next_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("agent.toml");
        std::fs::write(
            &path,
            "server_url = \"https://localhost:8443\"\nserver_ca = \"ca.crt\"\ncertificate = \"/abs/ws.crt\"\nkey = \"ws.key\"\n",
        )
        .unwrap();
        let loaded = load(&path).unwrap();
        assert_eq!(loaded.server_ca, dir.path().join("ca.crt"));
        assert_eq!(loaded.certificate, PathBuf::from("/abs/ws.crt"));
    }

    #[test]
    fn missing_and_invalid_files_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            load(&dir.path().join("nope.toml")),
            Err(ConfigError::Missing(_))
        ));
        let path = dir.path().join("agent.toml");
        std::fs::write(&path, "server_url = 3").unwrap();
        assert!(matches!(load(&path), Err(ConfigError::Invalid { .. })));
        std::fs::write(
            &path,
            "server_url = \"http://x\"\nserver_ca = \"a\"\ncertificate = \"b\"\nkey = \"c\"\n",
        )
        .unwrap();
        assert!(matches!(load(&path), Err(ConfigError::Invalid { .. })));
        std::fs::write(&path, "server_url = \"https://x\"\nserver_ca = \"a\"\ncertificate = \"b\"\nkey = \"c\"\nextra = 1\n").unwrap();
        assert!(matches!(load(&path), Err(ConfigError::Invalid { .. })));
    }
}
