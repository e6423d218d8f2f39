//! Card revocation online and over time: the checks login and signed
//! requests call ([`check_card`]: the offline chain and CRL checks of
//! [`crate::auth::eid`], then OCSP when the card's issuer has a responder), and
//! the CRL refresh `serve` runs in the background.

use std::collections::BTreeSet;
use std::io::Read;
use std::sync::{Arc, Mutex};

use padron_shared::ErrorCode;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::admin::Admin;
use crate::auth::eid::{EidError, EidTrust, Purpose, Refusal, TrustRoot, VerifiedCard};
use crate::auth::ocsp::{OcspFailure, OcspQuery, OcspTiming};
use crate::auth::trust::CrlOutcome;
use crate::clock::{Clock, timestamp};
use crate::error::ServerError;
use crate::store::{IssuerSettings, Store, StoreError, TrustSet};

/// `[revocation]` in server.toml.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RevocationConfig {
    /// How long past its nextUpdate an issuer's CRL still counts; after
    /// that, cards of that issuer are refused (revocation status unknown).
    pub crl_grace_seconds: u64,
    /// How often `serve` fetches the CRLs (distribution points, configured URLs).
    pub crl_refresh_seconds: u64,
    /// OCSP: allowed difference between the server's and the responder's clocks.
    pub ocsp_clock_skew_seconds: u64,
    /// OCSP: how old a response's thisUpdate may be (beyond the skew).
    pub ocsp_max_age_seconds: u64,
    /// OCSP and CRL downloads: how long to wait for the other side.
    pub fetch_timeout_seconds: u64,
}

impl Default for RevocationConfig {
    fn default() -> Self {
        RevocationConfig {
            crl_grace_seconds: 24 * 3600,
            crl_refresh_seconds: 3600,
            ocsp_clock_skew_seconds: 15 * 60,
            ocsp_max_age_seconds: 2 * 60,
            fetch_timeout_seconds: 5,
        }
    }
}

impl RevocationConfig {
    pub fn is_default(&self) -> bool {
        *self == RevocationConfig::default()
    }
    pub fn crl_grace(&self) -> Duration {
        Duration::seconds(i64::try_from(self.crl_grace_seconds).unwrap_or(i64::MAX / 2))
    }
    fn timing(&self) -> OcspTiming {
        let secs = |s: u64| Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX / 2));
        OcspTiming {
            clock_skew: secs(self.ocsp_clock_skew_seconds),
            max_age: secs(self.ocsp_max_age_seconds),
        }
    }
    fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.fetch_timeout_seconds.max(1))
    }
}

/// The card checks' view of the trust the admin configured.
pub fn eid_trust(set: &TrustSet, country: &str, config: &RevocationConfig) -> EidTrust {
    EidTrust {
        roots: set
            .roots
            .iter()
            .map(|r| TrustRoot {
                fingerprint: r.fingerprint.clone(),
                der: r.der.clone(),
                allow_no_eku: r.allow_no_eku,
                policy_oids: r.policy_oids.clone(),
            })
            .collect(),
        intermediates: set.intermediates.iter().map(|i| i.der.clone()).collect(),
        crls: set.crls.iter().map(|c| c.der.clone()).collect(),
        country: country.to_owned(),
        crl_grace: config.crl_grace(),
    }
}

/// CRL distribution points seen on cards at login, for the refresh to
/// fetch: (issuer, URL).
static SEEN_DISTRIBUTION_POINTS: Mutex<BTreeSet<(String, String)>> = Mutex::new(BTreeSet::new());

fn distribution_points(cert: &X509Certificate<'_>) -> Vec<String> {
    use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension};
    let mut urls = Vec::new();
    for ext in cert.iter_extensions() {
        if let ParsedExtension::CRLDistributionPoints(points) = ext.parsed_extension() {
            for point in points.iter() {
                if let Some(DistributionPointName::FullName(names)) = &point.distribution_point {
                    for name in names {
                        if let GeneralName::URI(uri) = name
                            && (uri.starts_with("http://") || uri.starts_with("https://"))
                        {
                            urls.push((*uri).to_owned());
                        }
                    }
                }
            }
        }
    }
    urls
}

/// Verifies a card certificate now for `purpose`: chain, purpose and CRLs
/// ([`EidTrust::verify_card_chain_at`]), then OCSP when the issuer has a
/// designated responder or the certificate names one (AIA).
pub fn check_card(
    store: &dyn Store,
    config: &RevocationConfig,
    country: &str,
    cert_der: &[u8],
    purpose: Purpose,
    now: OffsetDateTime,
) -> Result<VerifiedCard, EidError> {
    let internal = |e: StoreError| Refusal {
        code: ErrorCode::Internal,
        reason: e.to_string(),
    };
    let set = store.trust_set().map_err(internal)?;
    let trust = eid_trust(&set, country, config);
    let card = trust.verify_card_chain_at(cert_der, now, purpose)?;
    let (Ok((_, cert)), Ok((_, issuer))) = (
        X509Certificate::from_der(cert_der),
        X509Certificate::from_der(&card.issuer_der),
    ) else {
        return Err(Refusal {
            code: ErrorCode::AuthFormatInvalid,
            reason: "certificate does not parse".into(),
        });
    };
    let issuer_name = issuer.subject().to_string();
    if let Ok(mut seen) = SEEN_DISTRIBUTION_POINTS.lock() {
        for url in distribution_points(&cert) {
            seen.insert((issuer_name.clone(), url));
        }
    }
    let settings = set
        .issuers
        .iter()
        .find(|s| s.issuer == issuer_name)
        .cloned()
        .unwrap_or(IssuerSettings {
            issuer: issuer_name.clone(),
            ocsp_nonce: true,
            ..IssuerSettings::default()
        });
    let Some(url) = settings
        .ocsp_url
        .clone()
        .or_else(|| crate::auth::ocsp::aia_responder(cert_der))
    else {
        return Ok(card);
    };
    let query = OcspQuery {
        cert_der,
        issuer_der: &card.issuer_der,
        designated_responder: settings.ocsp_responder_der.as_deref(),
        nonce: settings.ocsp_nonce,
    };
    match ocsp_status(&query, &url, config, now) {
        Ok(()) => Ok(card),
        Err(OcspFailure::Refused(refusal)) => Err(refusal),
        Err(OcspFailure::Unavailable(why)) => {
            if settings.ocsp_fallback_crl && card.issuer_crl_checked {
                tracing::warn!(%url, reason = %why, "OCSP responder unavailable; the CRL decided");
                Ok(card)
            } else {
                Err(Refusal {
                    code: ErrorCode::CardRevocationUnknown,
                    reason: format!("OCSP responder {url} unavailable: {why}"),
                })
            }
        }
    }
}

fn ocsp_status(
    query: &OcspQuery<'_>,
    url: &str,
    config: &RevocationConfig,
    now: OffsetDateTime,
) -> Result<(), OcspFailure> {
    let nonce = if query.nonce {
        let mut bytes = vec![0u8; 32];
        crate::access::pki::fill_random(&mut bytes)
            .map_err(|e| OcspFailure::Unavailable(format!("no randomness: {e}")))?;
        Some(bytes)
    } else {
        None
    };
    let (request, id, nonce_ext) = crate::auth::ocsp::request(query, nonce.as_deref())?;
    let response = http(
        url,
        Some(("application/ocsp-request", request)),
        config.timeout(),
        1 << 20,
    )
    .map_err(OcspFailure::Unavailable)?;
    crate::auth::ocsp::check_response(
        query,
        &id,
        nonce_ext.as_ref(),
        &response,
        config.timing(),
        now,
    )
}

/// One HTTP exchange (POST when a body is given), at most `limit` bytes
/// back. No proxy: the registry decides where its revocation traffic goes.
fn http(
    url: &str,
    body: Option<(&str, Vec<u8>)>,
    timeout: std::time::Duration,
    limit: u64,
) -> Result<Vec<u8>, String> {
    let client = reqwest::blocking::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .no_proxy()
        .build()
        .map_err(|e| e.to_string())?;
    let request = match body {
        Some((content_type, bytes)) => client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(bytes),
        None => client.get(url),
    };
    let response = request.send().map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("HTTP {}", response.status()));
    }
    let mut out = Vec::new();
    response
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| e.to_string())?;
    if out.len() as u64 > limit {
        return Err(format!("answer larger than {limit} bytes"));
    }
    Ok(out)
}

/// What one refresh pass did, per (issuer, URL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshResult {
    pub issuer: String,
    pub url: String,
    pub outcome: Result<CrlOutcome, String>,
}

/// Where to fetch CRLs from: the URLs configured per issuer, the
/// distribution points of the trusted intermediates (their issuer's CRL)
/// and those seen on cards at login.
fn sources(set: &TrustSet) -> BTreeSet<(String, String)> {
    let mut out: BTreeSet<(String, String)> = set
        .issuers
        .iter()
        .filter_map(|s| s.crl_url.clone().map(|u| (s.issuer.clone(), u)))
        .collect();
    for i in &set.intermediates {
        if let Ok((_, cert)) = X509Certificate::from_der(&i.der) {
            for url in distribution_points(&cert) {
                out.insert((cert.issuer().to_string(), url));
            }
        }
    }
    if let Ok(seen) = SEEN_DISTRIBUTION_POINTS.lock() {
        out.extend(seen.iter().cloned());
    }
    // A configured URL replaces the distribution points of its issuer.
    let configured: BTreeSet<String> = set
        .issuers
        .iter()
        .filter(|s| s.crl_url.is_some())
        .map(|s| s.issuer.clone())
        .collect();
    out.retain(|(issuer, url)| {
        !configured.contains(issuer)
            || set
                .issuers
                .iter()
                .any(|s| &s.issuer == issuer && s.crl_url.as_deref() == Some(url.as_str()))
    });
    out
}

/// One refresh pass: fetch every source, import what is newer, note the rest.
pub fn refresh_crls(
    store: &dyn Store,
    clock: &dyn Clock,
    config: &RevocationConfig,
) -> Result<Vec<RefreshResult>, StoreError> {
    let set = store.trust_set()?;
    let admin = Admin {
        store,
        clock,
        actor: "server:crl-refresh".to_owned(),
    };
    let mut results = Vec::new();
    for (issuer, url) in sources(&set) {
        let fetched = http(&url, None, config.timeout(), 64 << 20);
        let outcome = match fetched {
            Err(e) => Err(e),
            Ok(bytes) => match admin.add_eid_crl_from(&bytes, &url) {
                Ok((_, outcome)) => Ok(outcome),
                Err(ServerError::Trust(ErrorCode::CrlNotNewer, why)) => {
                    Err(format!("not newer than the current CRL: {why}"))
                }
                Err(e) => Err(e.to_string()),
            },
        };
        let at = timestamp(clock.now());
        match &outcome {
            Ok(CrlOutcome::AlreadyCurrent) => store.note_crl_check(&issuer, &at, None)?,
            Ok(CrlOutcome::Current) => {
                tracing::info!(%issuer, %url, "CRL refreshed")
            }
            Err(e) => {
                tracing::warn!(%issuer, %url, error = %e, "CRL refresh failed");
                store.note_crl_check(&issuer, &at, Some(e))?;
            }
        }
        results.push(RefreshResult {
            issuer,
            url,
            outcome,
        });
    }
    Ok(results)
}

/// The background refresh of `serve`: a pass at start, then every
/// `crl_refresh_seconds`.
pub fn spawn_refresh(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: RevocationConfig,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("crl-refresh".into())
        .spawn(move || {
            loop {
                if let Err(e) = refresh_crls(store.as_ref(), clock.as_ref(), &config) {
                    tracing::error!(error = %e, "CRL refresh pass failed");
                }
                std::thread::sleep(std::time::Duration::from_secs(
                    config.crl_refresh_seconds.max(1),
                ));
            }
        })
        .map(|_| ())
}
