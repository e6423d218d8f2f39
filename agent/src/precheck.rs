//! A local look at a query workbook before it is uploaded: the mistakes the
//! server would refuse the whole file for, and the rows it would answer
//! `RECHAZADO` or `CUI_INVALIDO` (no programme, a cell too long, a CUI whose
//! check digit is wrong, a names row without given name or surname), by row
//! number as the spreadsheet shows it. The server stays the judge; this only
//! saves a trip.
//!
//! The reading and every rule are `padron-consulta`'s, the same crate the
//! server reads uploads with: same caps, same header spellings, same row
//! checks. When this process is `padron-agent` (the kiosk, the CLI), the file
//! is read in a child process with resource limits, as the server does
//! (`padron-agent __parse-workbook`); elsewhere (tests, a library caller) it
//! is read in this process by the same bounded reader, which refuses xls.

use std::path::PathBuf;

use padron_consulta::sandbox::{SandboxLimits, parse_in_child};
use padron_consulta::{Limits, Workbook};
pub use padron_consulta::{Mode, Refusal, RowIssue};

/// Problem rows kept for display; the count is always exact.
const MAX_LISTED: usize = 200;

/// A row with problems (its number as the spreadsheet shows it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    pub row: u32,
    pub issues: Vec<RowIssue>,
}

/// A workbook that can be uploaded; `bad_rows` will come back rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub mode: Mode,
    pub sheet: String,
    /// 1-based.
    pub header_row: u32,
    pub rows: usize,
    /// At most `MAX_LISTED` rows; `bad_count` is the full count.
    pub bad_rows: Vec<BadRow>,
    pub bad_count: usize,
}

/// The binary to re-execute as the sandboxed reader: this one, if it is the agent.
fn sandbox_exe() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    (exe.file_stem()? == "padron-agent").then_some(exe)
}

/// Checks a workbook's bytes; see the module documentation.
pub fn check(bytes: &[u8]) -> Result<Report, Refusal> {
    let workbook = match sandbox_exe() {
        Some(exe) => parse_in_child(&exe, bytes, &SandboxLimits::default()).0?,
        None => padron_consulta::read(bytes, &Limits::default())?,
    };
    Ok(report(workbook))
}

/// Checks in this process, with the bounded reader (no xls).
pub fn check_in_process(bytes: &[u8]) -> Result<Report, Refusal> {
    padron_consulta::read(bytes, &Limits::default()).map(report)
}

fn report(workbook: Workbook) -> Report {
    let mut bad_rows = Vec::new();
    let mut bad_count = 0usize;
    for row in &workbook.rows {
        let issues = row.issues(workbook.mode);
        if !issues.is_empty() {
            bad_count += 1;
            if bad_rows.len() < MAX_LISTED {
                bad_rows.push(BadRow {
                    row: row.number,
                    issues,
                });
            }
        }
    }
    Report {
        mode: workbook.mode,
        sheet: workbook.sheet,
        header_row: workbook.header_row,
        rows: workbook.rows.len(),
        bad_rows,
        bad_count,
    }
}

/// `padron-agent __parse-workbook …`: the child's side. Returns the exit status.
pub fn child_main(args: &[String]) -> i32 {
    padron_consulta::sandbox::child_main(args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use padron_consulta::limits::MAX_NAMES_ROWS;
    use padron_shared::{ErrorCode, Lang};
    use rust_xlsxwriter::Workbook;

    fn book(rows: &[&[&str]]) -> Vec<u8> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                sheet.write_string(r as u32, c as u16, *value).unwrap();
            }
        }
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn bad_rows_are_named_by_spreadsheet_row_number() {
        let bytes = book(&[
            &["Consulta de beneficiarios"],
            &[],
            &["referencia", "C.U.I.", "Programa Social"],
            &["R1", "1234567890101", "Bolsa"],
            &["R2", "1234567880101", "Bolsa"],
            &["R3", "9876543220101", ""],
            &[],
            &["R5", "", "Bolsa"],
        ]);
        let report = check(&bytes).unwrap();
        assert_eq!(report.mode, Mode::Cui);
        assert_eq!(report.header_row, 3);
        assert_eq!(report.rows, 4);
        assert_eq!(report.bad_count, 3);
        let numbers: Vec<u32> = report.bad_rows.iter().map(|b| b.row).collect();
        assert_eq!(numbers, [5, 6, 8]);
        assert!(
            report.bad_rows[0].issues[0]
                .text(Lang::Es)
                .contains("verificador")
        );
        assert_eq!(report.bad_rows[1].issues, [RowIssue::MissingProgramme]);
        assert_eq!(report.bad_rows[2].issues, [RowIssue::MissingCui]);
    }

    #[test]
    fn unknown_evidence_values_are_told_not_rejected() {
        let bytes = book(&[
            &[
                "Referencia",
                "Primer nombre",
                "Primer apellido",
                "Programa",
                "Sexo",
                "Departamento de nacimiento",
                "Edad",
            ],
            &["R1", "ANA", "LOPEZ", "Bolsa", "F", "Sololá", "34"],
            &["R2", "ANA", "LOPEZ", "Bolsa", "X", "Narnia", "treinta"],
        ]);
        let report = check(&bytes).unwrap();
        assert_eq!(report.mode, Mode::Names);
        assert_eq!(report.bad_rows.len(), 1, "{:?}", report.bad_rows);
        assert_eq!(report.bad_rows[0].row, 3);
        let issues = &report.bad_rows[0].issues;
        assert_eq!(issues.len(), 3, "{issues:?}");
        assert!(issues.iter().all(|i| !i.rejects_row()));
        assert!(issues[0].text(Lang::Es).contains("Sexo"), "{issues:?}");
    }

    #[test]
    fn a_far_away_cell_does_not_make_a_huge_grid() {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["Referencia", "CUI", "Programa"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        sheet.write_string(1, 0, "R1").unwrap();
        sheet.write_string(1, 1, "1234567890101").unwrap();
        sheet.write_string(1, 2, "Bolsa").unwrap();
        sheet.write_string(1_048_575, 16_383, "x").unwrap();
        let report = check(&book.save_to_buffer().unwrap()).unwrap();
        assert_eq!((report.rows, report.bad_count), (1, 0));
    }

    #[test]
    fn whole_file_refusals() {
        assert_eq!(
            check(b"not a workbook").unwrap_err().code(),
            ErrorCode::WorkbookUnreadable
        );
        assert_eq!(
            check(&book(&[&["Nombre", "Teléfono"], &["a", "b"]])).unwrap_err(),
            Refusal::no_header()
        );
        assert_eq!(
            check(&book(&[&["Referencia", "CUI", "Programa"]])).unwrap_err(),
            Refusal::Empty
        );
        let mut rows: Vec<Vec<String>> = vec![vec![
            "Referencia".into(),
            "Primer nombre".into(),
            "Primer apellido".into(),
            "Programa".into(),
        ]];
        for i in 0..=MAX_NAMES_ROWS {
            rows.push(vec![i.to_string(), "ANA".into(), "XOL".into(), "B".into()]);
        }
        let refs: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let slices: Vec<&[&str]> = refs.iter().map(Vec::as_slice).collect();
        let refusal = check(&book(&slices)).unwrap_err();
        assert_eq!(refusal.code(), ErrorCode::WorkbookTooManyRows);
        assert!(
            refusal.explain(Lang::En).contains("3001 rows"),
            "{refusal:?}"
        );
    }
}
