//! Query workbooks for tests, written with rust_xlsxwriter as an
//! institution's spreadsheet would be, and result workbooks read back with
//! calamine.

use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};
use rust_xlsxwriter::Workbook;

/// A CUI workbook: `Referencia`, `CUI`, `Programa`, one row per CUI.
pub fn cui_workbook(cuis: &[String], programme: &str) -> Vec<u8> {
    let rows: Vec<(&str, &str)> = cuis.iter().map(|c| (c.as_str(), programme)).collect();
    cui_workbook_rows(&rows)
}

/// A CUI workbook whose rows each name their own programme.
pub fn cui_workbook_rows(rows: &[(&str, &str)]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Referencia", "CUI", "Programa"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("header");
    }
    for (i, (cui, programme)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet
            .write_string(r, 0, format!("REF-{r:05}"))
            .expect("cell");
        sheet.write_string(r, 1, *cui).expect("cell");
        sheet.write_string(r, 2, *programme).expect("cell");
    }
    book.save_to_buffer().expect("xlsx")
}

/// The CUIs of the first `n` persons of a registry CSV.
pub fn registry_cuis(csv: &Path, n: usize) -> Vec<String> {
    std::fs::read_to_string(csv)
        .expect("registry CSV")
        .lines()
        .skip(1)
        .take(n)
        .filter_map(|l| l.split(',').next().map(str::to_owned))
        .collect()
}

/// The `resultados` sheet as text rows (header first).
pub fn result_rows(xlsx: &Path) -> Vec<Vec<String>> {
    sheet_rows(xlsx, "resultados")
}

/// A sheet as text rows (header first); numbers and dates as calamine shows them.
pub fn sheet_rows(xlsx: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut book = open_workbook_auto(xlsx).expect("workbook");
    let range = book
        .worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("sheet {sheet}: {e}"));
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}
