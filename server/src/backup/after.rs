//! What the live system did after a backup that the backup cannot hold:
//! read from its `audit export` workbook (sheet `auditoria`), the entries
//! after the backup's audit head that took access away (a workstation
//! revoked, a person blocked, a coordinator removed, a root or certificate
//! distrusted, an institution suspended). A restored system would let
//! those back in until the admin repeats them.

use std::path::Path;

use calamine::{Data, Reader};

use super::BackupError;

/// Actions that take access away, with what to do on the restored system.
const ACCESS_REMOVALS: &[(&str, &str, &str)] = &[
    (
        "workstation.revoke",
        "repita: padron-server workstation revoke --id N",
        "repeat: padron-server workstation revoke --id N",
    ),
    (
        "person.block",
        "repita: padron-server person block --cui CUI --cause …",
        "repeat: padron-server person block --cui CUI --cause …",
    ),
    (
        "coordinator.remove",
        "repita: padron-server coordinator remove …",
        "repeat: padron-server coordinator remove …",
    ),
    (
        "legal_representative.add",
        "repita la designación: padron-server coordinator add --role legal-representative …",
        "repeat the designation: padron-server coordinator add --role legal-representative …",
    ),
    (
        "trust.remove_eid_root",
        "repita: padron-server trust remove-root …",
        "repeat: padron-server trust remove-root …",
    ),
    (
        "trust.add_crl",
        "importe de nuevo la CRL: padron-server trust add-crl ARCHIVO",
        "import the CRL again: padron-server trust add-crl FILE",
    ),
    (
        "institution.suspend",
        "repita: padron-server institution suspend …",
        "repeat: padron-server institution suspend …",
    ),
];

/// One entry of the live log after the backup that took access away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaterChange {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    /// What to do on the restored system (Spanish, English).
    pub todo_es: String,
    pub todo_en: String,
}

fn cell_text(cell: Option<&Data>) -> String {
    match cell {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => format!("{f}"),
        Some(Data::Int(i)) => i.to_string(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

fn cell_seq(cell: Option<&Data>) -> Option<i64> {
    match cell {
        Some(Data::Float(f)) if f.fract() == 0.0 => Some(*f as i64),
        Some(Data::Int(i)) => Some(*i),
        Some(Data::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The exact command when the subject names what to act on.
fn precise_todo(action: &str, subject: &str) -> Option<(String, String)> {
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let command = match (action, subject.split_once(':')) {
        ("workstation.revoke", Some(("workstation", id))) if digits(id) => {
            format!("padron-server workstation revoke --id {id} --reason …")
        }
        ("person.block", Some(("person", cui))) if digits(cui) => {
            format!("padron-server person block --cui {cui} --cause …")
        }
        _ => return None,
    };
    Some((format!("repita: {command}"), format!("repeat: {command}")))
}

/// Reads `export` and returns the access removals after `head_seq`,
/// refusing an export whose entry `head_seq` is not `head_hash` (another
/// installation, or a log that was forked or rewritten since the backup).
pub fn changes_after(
    export: &Path,
    head_seq: i64,
    head_hash: &str,
) -> Result<Vec<LaterChange>, BackupError> {
    let bad = |what: String| BackupError::AuditExport(format!("{}: {what}", export.display()));
    let mut book = calamine::open_workbook_auto(export).map_err(|e| bad(e.to_string()))?;
    let range = book
        .worksheet_range("auditoria")
        .map_err(|e| bad(format!("no sheet auditoria ({e})")))?;
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .map(|r| r.iter().map(|c| cell_text(Some(c))).collect())
        .unwrap_or_default();
    let want = [
        "secuencia",
        "fecha",
        "actor",
        "estación",
        "acción",
        "objeto",
        "resultado",
        "detalle",
        "hash anterior",
        "hash",
    ];
    if header.len() < want.len() || header.iter().zip(want).any(|(h, w)| h != w) {
        return Err(bad("not a `padron-server audit export` workbook".into()));
    }
    let mut found_head = head_seq == 0;
    let mut later = Vec::new();
    for row in rows {
        let Some(seq) = cell_seq(row.first()) else {
            continue;
        };
        let text = |i: usize| cell_text(row.get(i));
        if seq == head_seq {
            if text(9) != head_hash {
                return Err(bad(format!(
                    "entry {seq} has another hash than the backup's head: not this system's log, or rewritten"
                )));
            }
            found_head = true;
        }
        if seq <= head_seq {
            continue;
        }
        let action = text(4);
        if let Some((_, es, en)) = ACCESS_REMOVALS.iter().find(|(a, _, _)| *a == action) {
            let subject = text(5);
            let (todo_es, todo_en) = precise_todo(&action, &subject)
                .unwrap_or_else(|| ((*es).to_owned(), (*en).to_owned()));
            later.push(LaterChange {
                seq,
                at: text(1),
                actor: text(2),
                subject,
                detail: text(7),
                action,
                todo_es,
                todo_en,
            });
        }
    }
    if !found_head {
        return Err(bad(format!(
            "it does not hold entry {head_seq}, the backup's last (exported before the backup?)"
        )));
    }
    Ok(later)
}
