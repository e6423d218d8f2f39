//! A user's query activity as a workbook for the coordinator: sheet
//! `consultas` (one row per query: when, where, programme, rows, results by
//! type) and sheet `resumen`. Nothing in it identifies a beneficiary: the
//! server never sends the rows queried.

use std::path::Path;

use padron_shared::queries::{JobState, QueryMode};
use padron_shared::reports::{ResultCounts, UserActivityReport};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

#[derive(Debug, thiserror::Error)]
#[error("no se pudo escribir el reporte / cannot write the report: {0}")]
pub struct ReportWriteError(#[from] XlsxError);

fn mode_es(mode: QueryMode) -> &'static str {
    match mode {
        QueryMode::Names => "por nombres",
        QueryMode::Cui => "por CUI",
    }
}

fn state_es(state: JobState) -> &'static str {
    match state {
        JobState::Queued => "en cola",
        JobState::Running => "en proceso",
        JobState::Done => "terminada",
        JobState::Failed => "fallida",
        JobState::Expired => "terminada (archivos eliminados)",
    }
}

/// A stored RFC 3339 stamp as an Excel date-time (UTC); blank if absent.
fn stamp(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    text: Option<&str>,
    format: &Format,
) -> Result<(), XlsxError> {
    padron_consulta::excel::write_stamp(ws, r, c, text, format)
}

/// Writes the report; returns the number of queries listed.
pub fn write(report: &UserActivityReport, out: &Path) -> Result<usize, ReportWriteError> {
    let bold = Format::new().set_bold();
    let when = Format::new().set_num_format("dd/mm/yyyy hh:mm");
    let mut wb = Workbook::new();

    let ws = wb.add_worksheet();
    ws.set_name("consultas")?;
    let mut cols = vec![
        "consulta",
        "enviada (UTC)",
        "terminada (UTC)",
        "sede",
        "modo",
        "programa",
        "filas",
        "estado",
    ];
    cols.extend(ResultCounts::NAMES);
    for (c, h) in cols.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    ws.set_freeze_panes(1, 0)?;
    for (i, q) in report.queries.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, &q.id)?;
        stamp(ws, r, 1, Some(&q.submitted_at), &when)?;
        stamp(ws, r, 2, q.finished_at.as_deref(), &when)?;
        // Site and programme come from people's typing: strings, never formulas.
        ws.write_string(r, 3, &q.site)?;
        ws.write_string(r, 4, mode_es(q.mode))?;
        let programmes = q
            .programmes
            .iter()
            .map(|p| format!("{} ({})", p.programme, p.rows))
            .collect::<Vec<_>>()
            .join("; ");
        ws.write_string(r, 5, &programmes)?;
        ws.write_number(r, 6, q.rows as f64)?;
        ws.write_string(r, 7, state_es(q.state))?;
        if let Some(results) = &q.results {
            for (k, n) in results.as_array().iter().enumerate() {
                ws.write_number(r, 8 + k as u16, *n as f64)?;
            }
        }
    }
    ws.autofit();

    let ws = wb.add_worksheet();
    ws.set_name("resumen")?;
    let mut lines: Vec<(String, String)> = vec![
        (
            "institución".into(),
            format!("{} {}", report.institution_code, report.institution_name),
        ),
        ("usuario".into(), report.user_name.clone()),
        ("CUI".into(), report.user_cui.clone()),
        ("programa registrado".into(), report.user_programme.clone()),
        ("estado actual".into(), report.user_status.clone()),
        ("período".into(), format!("{} a {}", report.from, report.to)),
        ("generado (UTC)".into(), report.generated_at.clone()),
        ("consultas".into(), report.queries.len().to_string()),
        ("filas consumidas".into(), report.rows_charged.to_string()),
    ];
    for (name, n) in ResultCounts::NAMES.iter().zip(report.results.as_array()) {
        lines.push(((*name).to_owned(), n.to_string()));
    }
    for (i, (k, v)) in lines.iter().enumerate() {
        ws.write_string_with_format(i as u32, 0, k, &bold)?;
        ws.write_string(i as u32, 1, v)?;
    }
    ws.autofit();
    wb.save(out)?;
    Ok(report.queries.len())
}
