//! The month's usage report as a workbook: sheets `consumo` (by
//! institution), `grafico` (a chart sheet of rows by institution and mode),
//! `usuarios`, `por_cancelar`, `desactivados_enero` and `resumen`. Every
//! text is written as a string, never a formula; dates are Excel dates.

use std::path::Path;

use padron_shared::reports::ResultCounts;
use rust_xlsxwriter::{Chart, ChartType, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use time::Date;

use super::usage::{APPROACHING_DAYS, UsageReport};
use crate::error::ServerError;

fn xlsx_err(e: XlsxError) -> ServerError {
    ServerError::Io(format!("cannot write the workbook: {e}"))
}

struct Formats {
    bold: Format,
    date: Format,
    stamp: Format,
    percent: Format,
}

fn header(ws: &mut Worksheet, names: &[&str], f: &Formats) -> Result<(), XlsxError> {
    for (c, h) in names.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &f.bold)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn day(ws: &mut Worksheet, r: u32, c: u16, d: Date, f: &Formats) -> Result<(), XlsxError> {
    let x = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day())?;
    ws.write_datetime_with_format(r, c, &x, &f.date)?;
    Ok(())
}

/// A stored RFC 3339 stamp as an Excel date-time (UTC); blank if absent.
fn stamp(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    text: Option<&str>,
    f: &Formats,
) -> Result<(), XlsxError> {
    padron_consulta::excel::write_stamp(ws, r, c, text, &f.stamp)
}

fn results(ws: &mut Worksheet, r: u32, c: u16, counts: &ResultCounts) -> Result<(), XlsxError> {
    for (i, n) in counts.as_array().iter().enumerate() {
        ws.write_number(r, c + i as u16, *n as f64)?;
    }
    Ok(())
}

fn status_es(code: &str) -> &'static str {
    match code {
        "ACTIVE" => "activa",
        "INACTIVE" => "inactiva",
        "CANCELLED" => "cancelada",
        _ => "desconocido",
    }
}

/// Writes the report; returns the number of institutions listed.
pub fn write(report: &UsageReport, out: &Path) -> Result<usize, ServerError> {
    write_inner(report, out).map_err(xlsx_err)
}

fn write_inner(report: &UsageReport, out: &Path) -> Result<usize, XlsxError> {
    let f = Formats {
        bold: Format::new().set_bold(),
        date: Format::new().set_num_format("dd/mm/yyyy"),
        stamp: Format::new().set_num_format("dd/mm/yyyy hh:mm"),
        percent: Format::new().set_num_format("0.0%"),
    };
    let mut wb = Workbook::new();

    // consumo
    let n = report.institutions.len() as u32;
    {
        let ws = wb.add_worksheet();
        ws.set_name("consumo")?;
        let mut cols = vec![
            "institución",
            "nombre",
            "estado",
            "causa",
            "cuota mensual",
            "consultas",
            "consultas fallidas",
            "filas por CUI",
            "filas por nombres",
            "filas",
            "uso de la cuota",
        ];
        cols.extend(ResultCounts::NAMES);
        cols.extend(["usuarios activos", "última consulta (UTC)"]);
        header(ws, &cols, &f)?;
        let mut total = ResultCounts::default();
        let (mut q, mut failed, mut cui, mut names) = (0u64, 0u64, 0u64, 0u64);
        for (i, inst) in report.institutions.iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_string(r, 0, &inst.code)?;
            ws.write_string(r, 1, &inst.name)?;
            ws.write_string(r, 2, status_es(inst.status.as_str()))?;
            ws.write_string(r, 3, inst.status_cause.as_deref().unwrap_or(""))?;
            if let Some(quota) = inst.monthly_quota {
                ws.write_number(r, 4, quota as f64)?;
                if quota > 0 {
                    ws.write_number_with_format(
                        r,
                        10,
                        inst.rows() as f64 / quota as f64,
                        &f.percent,
                    )?;
                }
            }
            ws.write_number(r, 5, inst.queries as f64)?;
            ws.write_number(r, 6, inst.failed as f64)?;
            ws.write_number(r, 7, inst.rows_cui as f64)?;
            ws.write_number(r, 8, inst.rows_names as f64)?;
            ws.write_number(r, 9, inst.rows() as f64)?;
            results(ws, r, 11, &inst.results)?;
            ws.write_number(r, 16, inst.active_users as f64)?;
            stamp(ws, r, 17, inst.last_query_at.as_deref(), &f)?;
            total.add(&inst.results);
            q += inst.queries;
            failed += inst.failed;
            cui += inst.rows_cui;
            names += inst.rows_names;
        }
        let r = n + 1;
        ws.write_string_with_format(r, 0, "TOTAL", &f.bold)?;
        ws.write_number_with_format(r, 5, q as f64, &f.bold)?;
        ws.write_number_with_format(r, 6, failed as f64, &f.bold)?;
        ws.write_number_with_format(r, 7, cui as f64, &f.bold)?;
        ws.write_number_with_format(r, 8, names as f64, &f.bold)?;
        ws.write_number_with_format(r, 9, (cui + names) as f64, &f.bold)?;
        for (i, v) in total.as_array().iter().enumerate() {
            ws.write_number_with_format(r, 11 + i as u16, *v as f64, &f.bold)?;
        }
        ws.autofit();
    }

    // grafico: rows by institution, stacked by mode. The series refer to
    // `consumo`, so the chart is the table's, not a copy that could drift.
    if n > 0 {
        let mut chart = Chart::new(ChartType::ColumnStacked);
        for (col, label) in [(7u16, "Por CUI"), (8u16, "Por nombres")] {
            chart
                .add_series()
                .set_name(label)
                .set_categories(("consumo", 1, 0, n, 0))
                .set_values(("consumo", 1, col, n, col));
        }
        chart.title().set_name(&format!(
            "Filas consultadas en {}",
            report.month.month_label()
        ));
        chart.x_axis().set_name("Institución");
        chart.y_axis().set_name("Filas");
        let sheet = wb.add_chartsheet();
        sheet.set_name("grafico")?;
        sheet.insert_chart(0, 0, &chart)?;
    }

    // usuarios
    {
        let ws = wb.add_worksheet();
        ws.set_name("usuarios")?;
        let mut cols = vec![
            "institución",
            "CUI",
            "nombre",
            "programa",
            "consultas",
            "filas",
        ];
        cols.extend(ResultCounts::NAMES);
        header(ws, &cols, &f)?;
        for (i, u) in report.users.iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_string(r, 0, &u.institution_code)?;
            ws.write_string(r, 1, &u.cui)?;
            ws.write_string(r, 2, &u.name)?;
            ws.write_string(r, 3, &u.programme)?;
            ws.write_number(r, 4, u.queries as f64)?;
            ws.write_number(r, 5, u.rows as f64)?;
            results(ws, r, 6, &u.results)?;
        }
        ws.autofit();
    }

    // por_cancelar
    {
        let ws = wb.add_worksheet();
        ws.set_name("por_cancelar")?;
        header(
            ws,
            &[
                "institución",
                "nombre",
                "estado",
                "sin consultas desde",
                "días sin consultas",
                "se cancela el",
            ],
            &f,
        )?;
        for (i, a) in report.approaching.iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_string(r, 0, &a.code)?;
            ws.write_string(r, 1, &a.name)?;
            ws.write_string(r, 2, status_es(&a.status))?;
            day(ws, r, 3, a.since, &f)?;
            ws.write_number(r, 4, a.days as f64)?;
            day(ws, r, 5, a.cancels_on, &f)?;
        }
        ws.autofit();
    }

    // desactivados_enero
    {
        let ws = wb.add_worksheet();
        ws.set_name("desactivados_enero")?;
        header(
            ws,
            &[
                "año",
                "institución",
                "nombre de la institución",
                "CUI",
                "nombre",
                "programa",
                "desactivado (UTC)",
            ],
            &f,
        )?;
        for (i, d) in report.january.iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_number(r, 0, d.year as f64)?;
            ws.write_string(r, 1, &d.institution_code)?;
            ws.write_string(r, 2, &d.institution_name)?;
            ws.write_string(r, 3, &d.user_cui)?;
            ws.write_string(r, 4, &d.full_name)?;
            ws.write_string(r, 5, &d.programme)?;
            stamp(ws, r, 6, Some(&d.deactivated_at), &f)?;
        }
        ws.autofit();
    }

    // resumen
    {
        let ws = wb.add_worksheet();
        ws.set_name("resumen")?;
        let rows: u64 = report.institutions.iter().map(|i| i.rows()).sum();
        let queries: u64 = report.institutions.iter().map(|i| i.queries).sum();
        let lines: [(&str, String); 8] = [
            ("mes", report.month.month_label()),
            ("generado (UTC)", report.generated_at.clone()),
            ("instituciones", report.institutions.len().to_string()),
            ("consultas", queries.to_string()),
            ("filas consultadas", rows.to_string()),
            ("usuarios que consultaron", report.users.len().to_string()),
            (
                "por cancelar",
                format!(
                    "{} con {APPROACHING_DAYS} días o más sin consultas al {}",
                    report.approaching.len(),
                    report.as_of
                ),
            ),
            (
                "desactivados en enero",
                format!("{} en {}", report.january.len(), report.month.first.year()),
            ),
        ];
        for (i, (k, v)) in lines.iter().enumerate() {
            ws.write_string_with_format(i as u32, 0, *k, &f.bold)?;
            ws.write_string(i as u32, 1, v)?;
        }
        ws.autofit();
    }

    wb.save(out)?;
    Ok(report.institutions.len())
}
