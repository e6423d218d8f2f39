//! The auditor's view: re-verifying stored signatures and exporting the
//! audit log with the signed requests to a workbook.

use std::path::Path;

use padron_shared::auth::SignatureAlgorithm;
use rust_xlsxwriter::{Format, Workbook};

use crate::error::ServerError;
use crate::store::{Store, StoredRequest};

/// Re-verifies a stored request's signature against its stored certificate
/// (not the chain at today's date: the certificate may have expired since,
/// which does not undo what it signed).
pub fn verify_stored_request(r: &StoredRequest) -> Result<(), String> {
    let algorithm = match r.algorithm.as_deref() {
        Some("ES256") => SignatureAlgorithm::ES256,
        Some("ES384") => SignatureAlgorithm::ES384,
        Some("RS256") => SignatureAlgorithm::RS256,
        other => return Err(format!("unknown algorithm {other:?}")),
    };
    crate::auth::eid::verify_signature(&r.certificate, algorithm, &r.payload, &r.signature)
        .map_err(|refusal| refusal.reason)
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> ServerError {
    ServerError::Io(format!("cannot write the workbook: {e}"))
}

/// Writes sheets `auditoria` and `solicitudes`; returns their row counts.
pub fn export(store: &dyn Store, out: &Path) -> Result<(usize, usize), ServerError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();

    let sheet = workbook.add_worksheet();
    sheet.set_name("auditoria").map_err(xlsx_err)?;
    let header = [
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
    for (c, h) in header.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(xlsx_err)?;
    }
    let mut row = 1u32;
    let mut after = 0;
    loop {
        let page = store.audit_entries(after, 1000)?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for e in &page {
            sheet.write_number(row, 0, e.seq as f64).map_err(xlsx_err)?;
            // Every text as a string: nothing in the log becomes a formula.
            let texts = [
                &e.at,
                &e.actor,
                &e.workstation_id.map(|w| w.to_string()).unwrap_or_default(),
                &e.action,
                &e.subject,
                &e.outcome,
                &e.detail,
                &e.prev_hash,
                &e.hash,
            ];
            for (c, text) in texts.iter().enumerate() {
                sheet
                    .write_string(row, c as u16 + 1, text.as_str())
                    .map_err(xlsx_err)?;
            }
            row += 1;
        }
    }
    let entries = (row - 1) as usize;
    sheet.autofit();

    let requests = store.stored_requests()?;
    let sheet = workbook.add_worksheet();
    sheet.set_name("solicitudes").map_err(xlsx_err)?;
    for (c, h) in [
        "solicitud",
        "algoritmo",
        "firma verifica",
        "contenido firmado (JSON canónico)",
    ]
    .iter()
    .enumerate()
    {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(xlsx_err)?;
    }
    for (i, r) in requests.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, &r.id).map_err(xlsx_err)?;
        sheet
            .write_string(row, 1, r.algorithm.as_deref().unwrap_or(""))
            .map_err(xlsx_err)?;
        let ok = if verify_stored_request(r).is_ok() {
            "SÍ"
        } else {
            "NO"
        };
        sheet.write_string(row, 2, ok).map_err(xlsx_err)?;
        sheet
            .write_string(row, 3, String::from_utf8_lossy(&r.payload))
            .map_err(xlsx_err)?;
    }
    sheet.autofit();
    workbook.save(out).map_err(xlsx_err)?;
    Ok((entries, requests.len()))
}
