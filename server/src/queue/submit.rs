//! An upload's rules, before anything is acknowledged: the agreement in
//! force, the file's size, every whole-file refusal (read in a sandboxed
//! child), the services the agreement allows, the month's quota (charged
//! inside the queueing transaction), then the file stored durably and the
//! job queued with its audit entry. Callable from the API, the CLI and tests.

use padron_consulta::queries::{MAX_FILE_BYTES, QueryMode};
use padron_shared::ErrorCode;
use padron_shared::Lang;
use padron_shared::queries::QueryJob;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::AuditRecord;
use crate::clock::timestamp;
use crate::queue::sandbox::{Parser, Wait};
use crate::queue::{uploads, view};
use crate::refusal::Refusal;
use crate::services::Services;
use crate::store::{Agreement, MonthlyQuota, NewJob, SessionRow, Workstation};

/// One upload: who sends it, from where, and the file.
#[derive(Debug)]
pub struct Upload<'a> {
    pub session: &'a SessionRow,
    pub workstation: &'a Workstation,
    /// Already cleaned (last path component, printable, bounded).
    pub file_name: String,
    pub bytes: &'a [u8],
}

fn store_err(e: crate::store::StoreError) -> Refusal {
    Refusal::from(e)
}

/// Applies every rule of an upload and queues it; the answer is the job as
/// its owner sees it, with its place in the queue. Blocking (store, child
/// process): run it off the async threads.
pub fn submit(services: &Services, upload: Upload<'_>, lang: Lang) -> Result<QueryJob, Refusal> {
    // No agreement in force, no service: refused before the file is read.
    let in_force = services
        .store
        .agreement(&upload.workstation.institution_code)
        .map_err(store_err)?;
    if let Some(refusal) =
        crate::institutions::status::agreement_refusal(in_force.as_ref(), services.clock.today())
    {
        return Err(refusal);
    }
    if upload.bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Refusal::new(ErrorCode::WorkbookTooLarge));
    }
    // Every whole-file refusal happens here, before anything is queued,
    // and the file is read in a sandboxed child process.
    let workbook = Parser::of(&services.data_dir)
        .parse(upload.bytes, Wait::Bounded)
        .map_err(|e| {
            let en = e.to_string();
            Refusal::new(e.code())
                .with_detail(e.to_string(), en)
                .logged("workbook refused")
        })?;
    // What the agreement allows: the services, and the month's rows.
    let agreement = services
        .store
        .agreement(&upload.workstation.institution_code)
        .map_err(store_err)?;
    service_allowed(agreement.as_ref(), workbook.mode == QueryMode::Names)?;
    // Every row's programme must be one the agreement covers (when the
    // registry recorded them); the refusal names them and their rows.
    let covered = services
        .store
        .programmes(&upload.workstation.institution_code)
        .map_err(store_err)?;
    if !covered.is_empty() {
        let mut strays: Vec<(String, Vec<u32>)> = Vec::new();
        for row in &workbook.rows {
            let p = row.programme.trim();
            if p.is_empty()
                || covered
                    .iter()
                    .any(|c| crate::institutions::admin::same_programme(c, p))
            {
                continue;
            }
            match strays
                .iter_mut()
                .find(|(name, _)| crate::institutions::admin::same_programme(name, p))
            {
                Some((_, rows)) => rows.push(row.row),
                None => strays.push((p.to_owned(), vec![row.row])),
            }
        }
        if !strays.is_empty() {
            let said = |rows_word: &str| {
                strays
                    .iter()
                    .take(5)
                    .map(|(name, rows)| {
                        let listed: Vec<String> = rows.iter().take(5).map(u32::to_string).collect();
                        let more = if rows.len() > 5 { " …" } else { "" };
                        format!(
                            "«{}» ({rows_word} {}{more})",
                            crate::audit::untrusted(name),
                            listed.join(", ")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let list = covered.join(", ");
            return Err(
                Refusal::new(ErrorCode::ProgrammeNotInAgreement).with_detail(
                    format!("{}. Programas del convenio: {list}.", said("filas")),
                    format!("{}. The agreement's programmes: {list}.", said("rows")),
                ),
            );
        }
    }
    let rows = workbook.rows.len() as i64;
    let quota = month_quota(services, agreement.as_ref());
    let id = uuid::Uuid::new_v4().to_string();
    uploads::store_upload(&services.data_dir, &id, upload.bytes).map_err(|e| {
        Refusal::new(ErrorCode::Internal).logged(format!("cannot store upload: {e}"))
    })?;
    let ws = upload.workstation;
    let new = NewJob {
        id: id.clone(),
        institution_id: upload.session.institution_id,
        user_cui: upload.session.cui.clone(),
        workstation_id: ws.id,
        file_name: upload.file_name,
        mode: workbook.mode.into(),
        rows: workbook.rows.len() as i64,
        upload_sha256: hex::encode(Sha256::digest(upload.bytes)),
        programmes: serde_json::to_string(&workbook.programme_rows())
            .unwrap_or_else(|_| "{}".to_owned()),
        created_at: timestamp(services.clock.now()),
    };
    let audit = AuditRecord {
        at: new.created_at.clone(),
        actor: format!("cui:{}", upload.session.cui),
        workstation_id: Some(ws.id),
        action: "query.upload".to_owned(),
        subject: format!("query:{id}"),
        outcome: "ok".to_owned(),
        detail: json!({ "mode": new.mode, "rows": new.rows }),
    };
    let row = match services.store.enqueue(&new, quota.as_ref(), &audit) {
        Ok(row) => row,
        Err(e) => {
            // Not acknowledged: the file must not linger as an orphan.
            uploads::delete_job_files(&services.data_dir, &id);
            if let crate::store::StoreError::QuotaExceeded { remaining } = e {
                let zone = services.clock.zone();
                let reset = |lang| {
                    quota
                        .as_ref()
                        .map(|q| zone.show_stamp_day(&q.to, lang))
                        .unwrap_or_default()
                };
                let (es, en) = (reset(Lang::Es), reset(Lang::En));
                return Err(Refusal::new(ErrorCode::QuotaExceeded).with_detail(
                    format!("Quedan {remaining} filas este mes; el archivo tiene {rows}. La cuota se renueva el {es}."),
                    format!("{remaining} rows remain this month; the file has {rows}. The quota renews on {en}."),
                ));
            }
            return Err(store_err(e));
        }
    };
    let ahead = services.store.jobs_ahead(row.seq).map_err(store_err)?;
    Ok(view(&row, Some(ahead), lang))
}

/// Whether the agreement covers this kind of query (by CUI or by names):
/// `SERVICE_NOT_IN_AGREEMENT` if not. Uploads and the consulta individual
/// both ask it.
pub fn service_allowed(agreement: Option<&Agreement>, names: bool) -> Result<(), Refusal> {
    if let Some(a) = agreement
        && ((names && !a.service_names) || (!names && !a.service_cui))
    {
        let (es, en) = if names {
            ("por nombres", "by names")
        } else {
            ("por CUI", "by CUI")
        };
        return Err(Refusal::new(ErrorCode::ServiceNotInAgreement)
            .with_detail(format!("Consulta {es}."), format!("Query {en}.")));
    }
    Ok(())
}

/// The agreement's monthly quota as the store charges it: the limit and
/// the registry's local month as UTC stamps. None: no quota.
pub fn month_quota(services: &Services, agreement: Option<&Agreement>) -> Option<MonthlyQuota> {
    agreement.and_then(|a| a.monthly_quota).map(|limit| {
        let month = crate::institutions::calendar::month_of(services.clock.today());
        let zone = services.clock.zone();
        MonthlyQuota {
            limit,
            from: month.from_stamp(&zone),
            to: month.to_stamp(&zone),
        }
    })
}
