//! TLS to the database, in libpq's own spelling so a DBA's URL works as
//! is: `?sslmode=verify-full&sslrootcert=/path/ca.pem`. Only verified TLS
//! is offered: `require`, `verify-ca`, `prefer` and `allow` would accept a
//! server nobody checked (or fall back to plain text), so they are refused
//! with the setting to use instead. Without `sslmode` (or `disable`) the
//! connection is plain, for a loopback or private network.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::RootCertStore;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::store::StoreError;

/// The URL with libpq's TLS parameters taken out (the `postgres` crate
/// does not know `sslrootcert` nor `verify-full`), and what they asked.
#[derive(Debug)]
pub(crate) struct TlsRequest {
    pub url: String,
    pub root_cert: Option<PathBuf>,
}

/// Splits the TLS parameters off the URL; an unsafe `sslmode` is an error.
pub(crate) fn split(url: &str) -> Result<TlsRequest, StoreError> {
    let refuse = |what: String| {
        StoreError::Unavailable(format!(
            "database URL: {what}; use sslmode=verify-full&sslrootcert=FILE (verified TLS) or no sslmode (plain, loopback or private network only)"
        ))
    };
    let Some((base, query)) = url.split_once('?') else {
        return Ok(TlsRequest {
            url: url.to_owned(),
            root_cert: None,
        });
    };
    let mut kept = Vec::new();
    let mut mode = None;
    let mut root = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let repeated = match key {
            "sslmode" => mode.replace(value.to_owned()).is_some(),
            "sslrootcert" => root.replace(PathBuf::from(value)).is_some(),
            _ => {
                kept.push(pair);
                false
            }
        };
        // Two values for one setting: which one wins is a guess, not ours to make.
        if repeated {
            return Err(refuse(format!("{key} given twice")));
        }
    }
    let root_cert = match mode.as_deref() {
        None | Some("disable") => {
            if root.is_some() {
                return Err(refuse("sslrootcert without sslmode=verify-full".into()));
            }
            None
        }
        Some("verify-full") => {
            Some(root.ok_or_else(|| refuse("sslmode=verify-full needs sslrootcert".into()))?)
        }
        Some(other) => return Err(refuse(format!("sslmode={other} is not accepted"))),
    };
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok(TlsRequest { url, root_cert })
}

/// A connector that trusts only the given CA file and checks the server's
/// name (the URL's host) against its certificate.
pub(super) fn connector(root_cert: &std::path::Path) -> Result<MakeRustlsConnect, StoreError> {
    let unusable = |e: String| {
        StoreError::Unavailable(format!("database CA file {}: {e}", root_cert.display()))
    };
    let certs = CertificateDer::pem_file_iter(root_cert)
        .map_err(|e| unusable(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| unusable(e.to_string()))?;
    let mut roots = RootCertStore::empty();
    let (added, _ignored) = roots.add_parsable_certificates(certs);
    if added == 0 {
        return Err(unusable("no certificate in it".into()));
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| unusable(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_urls_pass_through() {
        let r = split("postgresql://padron@db/padron").unwrap();
        assert_eq!(r.url, "postgresql://padron@db/padron");
        assert!(r.root_cert.is_none());
        let r = split("postgresql://padron@db/padron?sslmode=disable&connect_timeout=3").unwrap();
        assert_eq!(r.url, "postgresql://padron@db/padron?connect_timeout=3");
    }

    #[test]
    fn verify_full_needs_its_root_and_keeps_the_rest() {
        let r = split(
            "postgresql://db/padron?sslmode=verify-full&sslrootcert=/etc/db.pem&application_name=x",
        )
        .unwrap();
        assert_eq!(r.url, "postgresql://db/padron?application_name=x");
        assert_eq!(r.root_cert.unwrap(), PathBuf::from("/etc/db.pem"));
        assert!(split("postgresql://db/padron?sslmode=verify-full").is_err());
    }

    #[test]
    fn unverified_or_ambiguous_tls_is_refused() {
        for mode in ["require", "verify-ca", "prefer", "allow", "bogus"] {
            let url = format!("postgresql://db/padron?sslmode={mode}&sslrootcert=/x.pem");
            assert!(split(&url).is_err(), "{mode}");
        }
        assert!(
            split("postgresql://db/p?sslmode=verify-full&sslrootcert=/a&sslmode=disable").is_err()
        );
        assert!(split("postgresql://db/p?sslrootcert=/a").is_err());
    }
}
