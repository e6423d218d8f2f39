//! Evidence that survives a stolen database: `audit verify` and
//! `audit checkpoint`.
//!
//! The hash chain alone proves nothing to someone who can rewrite the whole
//! database: they can recompute every hash. So:
//! - each signed request's audit entry holds SHA-256 of the exact payload,
//!   signature and certificate; the stored request must match its entry,
//!   and its certificate must chain to an eID root that a chained entry
//!   trusted before the signing, as of the time of signing (roots are kept
//!   in `evidence_roots`, which nothing deletes);
//! - a checkpoint (head hash and entry count, signed with a key of its own,
//!   `pki/audit-checkpoint.key`, apart from the CAs) is written to a file
//!   the registry keeps elsewhere; `audit verify --checkpoint` proves the
//!   log still extends it, so a truncated, forked or rewritten log shows.

use std::collections::HashMap;
use std::path::Path;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_ASN1, ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair,
    UnparsedPublicKey,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use padron_shared::canonical::to_canonical_json;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::audit::{AuditEntry, ChainBreak, GENESIS_HASH, sha256_hex, verify_chain};
use crate::auth::eid::{EidTrust, Purpose};
use crate::datadir::{DataDir, DataDirError, write_new_file};
use crate::error::ServerError;
use crate::store::{Store, StoredRequest};

/// `format` of a checkpoint file.
pub const CHECKPOINT_FORMAT: &str = "padron-audit-checkpoint:1";
/// The checkpoint key's file in the data directory.
pub const CHECKPOINT_KEY: &str = "pki/audit-checkpoint.key";

/// What `audit verify` found when everything holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub entries: u64,
    pub head_seq: i64,
    pub head_hash: String,
    pub requests: usize,
    /// Requests whose entry predates the evidence hashes (signature checked, not bound).
    pub legacy_requests: usize,
}

/// Why the evidence does not hold; each names the entry or request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    #[error(
        "la cadena de auditoría está rota en la entrada {0} / the audit chain is broken at entry {0}"
    )]
    Chain(i64),
    #[error(
        "la solicitud firmada {id} no tiene entrada de auditoría / signed request {id} has no audit entry"
    )]
    Unrecorded { id: String },
    #[error(
        "solicitud firmada {id}: su {what} no es el que registró la entrada de auditoría {seq} / signed request {id}: its {what} is not the one audit entry {seq} recorded"
    )]
    Swapped {
        id: String,
        seq: i64,
        what: &'static str,
    },
    #[error(
        "la firma de la solicitud {id} (entrada {seq}) no verifica / the signature of request {id} (audit entry {seq}) does not verify: {why}"
    )]
    Signature { id: String, seq: i64, why: String },
    #[error(
        "solicitud firmada {id} (entrada {seq}): el certificado no encadena a una raíz eID de confianza al firmarse / signed request {id} (audit entry {seq}): the certificate does not chain to an eID root trusted when it was signed: {why}"
    )]
    Untrusted { id: String, seq: i64, why: String },
}

/// Why a checkpoint is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("the checkpoint file cannot be used: {0}")]
    Unreadable(String),
    #[error("the checkpoint is not signed by this installation's checkpoint key")]
    BadSignature,
    #[error("the checkpoint is for installation {0}, not this one")]
    OtherInstallation(String),
    #[error(
        "the log was truncated: the checkpoint counted {expected} entries, the log has {found}"
    )]
    Truncated { expected: u64, found: u64 },
    #[error("the log was forked or rewritten: entry {seq} is not the one the checkpoint recorded")]
    Forked { seq: i64 },
}

/// The signed part of a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointBody {
    pub format: String,
    pub installation: String,
    pub entries: u64,
    pub head_seq: i64,
    pub head_hash: String,
    pub at: String,
    /// The checkpoint key's public key (uncompressed P-256 point), hex.
    pub public_key: String,
}

/// A checkpoint file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    #[serde(flatten)]
    pub body: CheckpointBody,
    /// ECDSA P-256 SHA-256 (ASN.1 DER) over the canonical JSON of `body`, base64.
    pub signature: String,
}

fn key_err(e: impl std::fmt::Display) -> ServerError {
    ServerError::Io(format!("audit checkpoint key: {e}"))
}

fn pem_wrap(der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(chunk));
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    pem
}

/// Creates the checkpoint key (0600, never overwritten); `init` calls it,
/// and the first checkpoint of an older data directory.
pub fn create_key(root: &Path) -> Result<(), DataDirError> {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
        .map_err(|_| DataDirError::Pki(crate::access::pki::PkiError::Random))?;
    write_new_file(
        &root.join(CHECKPOINT_KEY),
        pem_wrap(pkcs8.as_ref()).as_bytes(),
        0o600,
    )
}

fn load_key(dir: &DataDir, create: bool) -> Result<EcdsaKeyPair, ServerError> {
    let path = dir.path().join(CHECKPOINT_KEY);
    if create && !path.exists() {
        create_key(dir.path())?;
    }
    let text =
        std::fs::read_to_string(&path).map_err(|e| key_err(format!("{}: {e}", path.display())))?;
    let b64: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    let der = STANDARD.decode(b64.trim()).map_err(key_err)?;
    EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &der).map_err(key_err)
}

/// Every entry of the log, in order, with the chain checked.
fn chained_entries(store: &dyn Store) -> Result<Vec<AuditEntry>, ServerError> {
    let mut all = Vec::new();
    let mut prev = GENESIS_HASH.to_owned();
    let mut after = 0;
    loop {
        let page = store.audit_entries(after, 1000)?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        match verify_chain(prev, &page) {
            Ok(hash) => prev = hash,
            Err(ChainBreak::HashMismatch { seq } | ChainBreak::LinkMismatch { seq }) => {
                return Err(EvidenceError::Chain(seq).into());
            }
        }
        all.extend(page);
    }
    Ok(all)
}

/// Recomputes and checks everything the log and the stored requests
/// promise; the first failure names its entry or request.
pub fn verify(store: &dyn Store, eid_country: &str) -> Result<Verified, ServerError> {
    let entries = chained_entries(store)?;
    // The entry that recorded each stored request, and when each root was
    // first trusted by a chained entry.
    let mut by_request: HashMap<String, &AuditEntry> = HashMap::new();
    let mut trusted: Vec<(&AuditEntry, serde_json::Value)> = Vec::new();
    for e in &entries {
        let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
        // Signed user requests, and signed follow-up cases (issue 18).
        if (e.action.starts_with("user.") || (e.action == "case.submit" && e.outcome == "ok"))
            && let Some(id) = detail.get("request_id").and_then(|v| v.as_str())
        {
            by_request.insert(id.to_owned(), e);
        }
        if e.action == "trust.add_eid_root" {
            trusted.push((e, detail));
        }
    }
    let roots = store.evidence_roots()?;
    let intermediates: Vec<Vec<u8>> = store
        .trust_set()?
        .intermediates
        .into_iter()
        .map(|i| i.der)
        .collect();
    let mut legacy = 0;
    let mut requests = store.stored_requests()?;
    // A case purged after retention has no bytes left to check; its entry keeps the hashes.
    requests.extend(store.stored_case_requests()?);
    for r in &requests {
        let entry = by_request
            .get(&r.id)
            .ok_or_else(|| EvidenceError::Unrecorded { id: r.id.clone() })?;
        let detail: serde_json::Value = serde_json::from_str(&entry.detail).unwrap_or_default();
        let recorded = |key: &str| detail.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        match (
            recorded("payload_sha256"),
            recorded("signature_sha256"),
            recorded("certificate_sha256"),
        ) {
            (Some(p), Some(s), Some(c)) => {
                for (what, want, bytes) in [
                    ("payload", p, &r.payload),
                    ("signature", s, &r.signature),
                    ("certificate", c, &r.certificate),
                ] {
                    if sha256_hex(bytes) != want {
                        return Err(EvidenceError::Swapped {
                            id: r.id.clone(),
                            seq: entry.seq,
                            what,
                        }
                        .into());
                    }
                }
            }
            _ => legacy += 1,
        }
        crate::evidence::export::verify_stored_request(r).map_err(|why| {
            EvidenceError::Signature {
                id: r.id.clone(),
                seq: entry.seq,
                why,
            }
        })?;
        verify_chain_at_signing(r, entry, &roots, &intermediates, &trusted, eid_country)?;
    }
    let (head_seq, head_hash) = entries
        .last()
        .map(|e| (e.seq, e.hash.clone()))
        .unwrap_or((0, GENESIS_HASH.to_owned()));
    Ok(Verified {
        entries: entries.len() as u64,
        head_seq,
        head_hash,
        requests: requests.len(),
        legacy_requests: legacy,
    })
}

/// The certificate of a stored request against the roots a chained entry
/// had trusted by the time it was signed, at that time.
fn verify_chain_at_signing(
    r: &StoredRequest,
    entry: &AuditEntry,
    roots: &[crate::store::EvidenceRoot],
    intermediates: &[Vec<u8>],
    trusted: &[(&AuditEntry, serde_json::Value)],
    eid_country: &str,
) -> Result<(), ServerError> {
    let untrusted = |why: String| EvidenceError::Untrusted {
        id: r.id.clone(),
        seq: entry.seq,
        why,
    };
    let was_trusted = |fingerprint: &str| {
        trusted.iter().any(|(t, detail)| {
            t.seq < entry.seq
                && (detail.get("fingerprint").and_then(|v| v.as_str()) == Some(fingerprint)
                    // Entries written before the full fingerprint was recorded.
                    || fingerprint
                        .get(..16)
                        .is_some_and(|p| t.subject == format!("eid_root:{p}")))
        })
    };
    // Only the chain to a root trusted at the time is evidence here: the
    // card's purpose policies and revocation were checked when it signed.
    let anchors: Vec<crate::auth::eid::TrustRoot> = roots
        .iter()
        .filter(|root| crate::access::pki::fingerprint_hex(&root.der) == root.fingerprint)
        .filter(|root| was_trusted(&root.fingerprint))
        .map(|root| crate::auth::eid::TrustRoot {
            fingerprint: root.fingerprint.clone(),
            der: root.der.clone(),
            allow_no_eku: true,
            policy_oids: Vec::new(),
        })
        .collect();
    let at = OffsetDateTime::parse(&entry.at, &Rfc3339)
        .map_err(|_| untrusted(format!("entry time {:?}", entry.at)))?;
    let trust = EidTrust {
        roots: anchors,
        intermediates: intermediates.to_vec(),
        crls: Vec::new(),
        country: eid_country.to_owned(),
        crl_grace: time::Duration::ZERO,
    };
    // The one call into eid.rs's chain verification for evidence.
    trust
        .verify_card_chain_at(&r.certificate, at, Purpose::Signature)
        .map(drop)
        .map_err(|refusal| untrusted(format!("{}: {}", refusal.code, refusal.reason)).into())
}

/// Writes a signed checkpoint of the log as it is now (after verifying it).
pub fn write_checkpoint(
    dir: &DataDir,
    store: &dyn Store,
    eid_country: &str,
    now: OffsetDateTime,
    out: &Path,
) -> Result<Checkpoint, ServerError> {
    let verified = verify(store, eid_country)?;
    let key = load_key(dir, true)?;
    let body = CheckpointBody {
        format: CHECKPOINT_FORMAT.to_owned(),
        installation: store.installation_id()?,
        entries: verified.entries,
        head_seq: verified.head_seq,
        head_hash: verified.head_hash,
        at: crate::clock::timestamp(now),
        public_key: hex::encode(key.public_key().as_ref()),
    };
    let bytes = to_canonical_json(&body).map_err(key_err)?;
    let signature = key
        .sign(&SystemRandom::new(), &bytes)
        .map_err(|_| key_err("signing failed"))?;
    let checkpoint = Checkpoint {
        body,
        signature: STANDARD.encode(signature.as_ref()),
    };
    let mut text = serde_json::to_string_pretty(&checkpoint).map_err(key_err)?;
    text.push('\n');
    write_new_file(out, text.as_bytes(), 0o644)?;
    // A copy in the data directory, for the metrics' "age of the last
    // checkpoint"; losing it loses only that figure.
    let last = dir
        .path()
        .join(crate::metrics::gauges::LAST_CHECKPOINT_FILE);
    if let Err(e) = std::fs::write(&last, text.as_bytes()) {
        tracing::warn!(error = %e, file = %last.display(), "cannot record the last checkpoint");
    }
    Ok(checkpoint)
}

/// Proves the log (already verified as `verified`) still extends the
/// checkpoint in `file`.
pub fn check_checkpoint(
    dir: &DataDir,
    store: &dyn Store,
    verified: &Verified,
    file: &Path,
) -> Result<Checkpoint, ServerError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| CheckpointError::Unreadable(format!("{}: {e}", file.display())))?;
    let checkpoint: Checkpoint =
        serde_json::from_str(&text).map_err(|e| CheckpointError::Unreadable(e.to_string()))?;
    let body = &checkpoint.body;
    if body.format != CHECKPOINT_FORMAT {
        return Err(CheckpointError::Unreadable(format!("format {:?}", body.format)).into());
    }
    // Only this installation's key counts, whatever key the file names.
    let key = load_key(dir, false)?;
    let ours = hex::encode(key.public_key().as_ref());
    let signature = STANDARD
        .decode(&checkpoint.signature)
        .map_err(|_| CheckpointError::BadSignature)?;
    let bytes = to_canonical_json(body).map_err(key_err)?;
    if body.public_key != ours
        || UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, key.public_key().as_ref())
            .verify(&bytes, &signature)
            .is_err()
    {
        return Err(CheckpointError::BadSignature.into());
    }
    let installation = store.installation_id()?;
    if body.installation != installation {
        return Err(CheckpointError::OtherInstallation(body.installation.clone()).into());
    }
    if verified.entries < body.entries || verified.head_seq < body.head_seq {
        return Err(CheckpointError::Truncated {
            expected: body.entries,
            found: verified.entries,
        }
        .into());
    }
    if body.head_seq > 0 {
        let at = store.audit_entries(body.head_seq - 1, 1)?;
        match at.first() {
            Some(e) if e.seq == body.head_seq && e.hash == body.head_hash => {}
            _ => {
                return Err(CheckpointError::Forked { seq: body.head_seq }.into());
            }
        }
    }
    Ok(checkpoint)
}
