//! The tamper-evident audit log: what each entry holds and how it is chained.
//!
//! Every entry stores the SHA-256 of the previous entry's hash and its own
//! fields, so editing or deleting any row (even directly in the database
//! file) breaks the chain from that row on, which [`verify_chain`] reports.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash that precedes the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, as the caller describes it; the store adds order and hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    /// RFC 3339, UTC.
    pub at: String,
    /// Who acted: `admin:<os user>`, `cui:<CUI>`, or `workstation:<id>`.
    pub actor: String,
    pub workstation_id: Option<i64>,
    /// Dotted verb, e.g. `institution.add`, `workstation.revoke`.
    pub action: String,
    /// What was acted on, e.g. `institution:MIDES`.
    pub subject: String,
    /// `ok`, or `refused:<ERROR_CODE>`.
    pub outcome: String,
    /// Facts worth keeping, as a JSON object; ids only, no personal data
    /// beyond what the action itself is about.
    pub detail: serde_json::Value,
}

impl AuditRecord {
    pub fn ok(
        at: &str,
        actor: &str,
        action: &str,
        subject: String,
        detail: serde_json::Value,
    ) -> AuditRecord {
        AuditRecord {
            at: at.to_owned(),
            actor: actor.to_owned(),
            workstation_id: None,
            action: action.to_owned(),
            subject,
            outcome: "ok".to_owned(),
            detail,
        }
    }
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub workstation_id: Option<i64>,
    pub action: String,
    pub subject: String,
    pub outcome: String,
    /// The detail exactly as stored (JSON text), because the hash covers these bytes.
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    /// SHA-256 over the previous hash and each field, every field
    /// length-prefixed so that no two different entries hash alike.
    pub fn recompute_hash(&self) -> String {
        let mut h = Sha256::new();
        let ws = self
            .workstation_id
            .map(|w| w.to_string())
            .unwrap_or_default();
        let seq = self.seq.to_string();
        for field in [
            self.prev_hash.as_str(),
            &seq,
            &self.at,
            &self.actor,
            &ws,
            &self.action,
            &self.subject,
            &self.outcome,
            &self.detail,
        ] {
            h.update((field.len() as u64).to_be_bytes());
            h.update(field.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// Where the chain first breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The entry's fields no longer produce its stored hash (edited).
    HashMismatch { seq: i64 },
    /// The entry does not point to the previous entry's hash (deleted or reordered).
    LinkMismatch { seq: i64 },
}

/// Checks a run of consecutive entries, given the hash before the first one.
/// Returns the last hash to continue from, or the first break.
pub fn verify_chain<'a>(
    mut prev_hash: String,
    entries: impl IntoIterator<Item = &'a AuditEntry>,
) -> Result<String, ChainBreak> {
    for entry in entries {
        if entry.prev_hash != prev_hash {
            return Err(ChainBreak::LinkMismatch { seq: entry.seq });
        }
        if entry.recompute_hash() != entry.hash {
            return Err(ChainBreak::HashMismatch { seq: entry.seq });
        }
        prev_hash = entry.hash.clone();
    }
    Ok(prev_hash)
}

/// SHA-256 of bytes, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Text that came from outside and was not validated, made safe for the
/// audit log and a terminal: at most 64 characters, every control or
/// formatting character (ANSI escapes, newlines, bidi overrides) escaped.
pub fn untrusted(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == 64 {
            out.push('…');
            break;
        }
        out.push_str(&escape_char(c));
    }
    out
}

fn escape_char(c: char) -> String {
    let invisible = c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}');
    if invisible {
        c.escape_unicode().to_string()
    } else {
        c.to_string()
    }
}

/// A stored field made safe to print on an admin's terminal: control and
/// formatting characters are shown escaped, never interpreted.
pub fn printable(text: &str) -> String {
    text.chars().map(escape_char).collect()
}

#[cfg(test)]
mod text_tests {
    use super::*;

    #[test]
    fn escapes_reach_no_terminal() {
        let evil = "ok\u{1b}[2J\nroot\u{202e}x\u{9b}";
        let shown = printable(evil);
        assert!(!shown.chars().any(|c| c.is_control()), "{shown}");
        assert!(shown.contains("\\u{1b}[2J\\u{a}root\\u{202e}x"), "{shown}");
        assert_eq!(untrusted(&"a".repeat(100)).chars().count(), 65);
    }
}
