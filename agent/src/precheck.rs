//! A local look at a query workbook before it is uploaded: the mistakes the
//! server would refuse the whole file for (unreadable, no header, no rows,
//! too many rows, too large), and the rows it would answer `RECHAZADO` or
//! `CUI_INVALIDO` (no programme, a CUI whose check digit is wrong, a names
//! row without given name or surname), by row number as the spreadsheet
//! shows it. The server stays the judge; this only saves a trip.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader};
use padron_shared::workbook_format::{MAX_CUI_ROWS, MAX_FILE_BYTES, MAX_NAMES_ROWS};
use padron_shared::{Cui, ErrorCode, Lang};

/// Rows scanned for the header, as the server does.
const HEADER_SCAN_ROWS: usize = 30;
/// Problem rows kept for display; the count is always exact.
const MAX_LISTED: usize = 200;

/// How the workbook asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Cui,
    Names,
}

impl Mode {
    pub fn limit(self) -> usize {
        match self {
            Mode::Cui => MAX_CUI_ROWS,
            Mode::Names => MAX_NAMES_ROWS,
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Mode::Cui, _) => "CUI",
            (Mode::Names, Lang::Es) => "nombres y apellidos",
            (Mode::Names, Lang::En) => "names and surnames",
        }
    }
}

/// What is wrong with one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowIssue {
    MissingProgramme,
    MissingCui,
    BadCui { es: String, en: String },
    MissingName,
}

impl RowIssue {
    pub fn text(&self, lang: Lang) -> String {
        let en = lang == Lang::En;
        match self {
            RowIssue::MissingProgramme if en => "no social programme".into(),
            RowIssue::MissingProgramme => "falta el programa social".into(),
            RowIssue::MissingCui if en => "no CUI".into(),
            RowIssue::MissingCui => "falta el CUI".into(),
            RowIssue::BadCui { en: text, .. } if en => text.clone(),
            RowIssue::BadCui { es, .. } => es.clone(),
            RowIssue::MissingName if en => "first given name or first surname missing".into(),
            RowIssue::MissingName => "falta el primer nombre o el primer apellido".into(),
        }
    }
}

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
    /// At most [`MAX_LISTED`] rows; `bad_count` is the full count.
    pub bad_rows: Vec<BadRow>,
    pub bad_count: usize,
}

/// Why the server would refuse the whole file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("unreadable: {0}")]
    Unreadable(String),
    #[error("too large: {0} bytes")]
    TooLarge(u64),
    #[error("no header row")]
    NoHeader,
    #[error("no rows")]
    Empty,
    #[error("{rows} rows, limit {limit}")]
    TooManyRows {
        mode: Mode,
        rows: usize,
        limit: usize,
    },
}

impl Refusal {
    pub fn code(&self) -> ErrorCode {
        match self {
            Refusal::Unreadable(_) => ErrorCode::WorkbookUnreadable,
            Refusal::TooLarge(_) => ErrorCode::WorkbookTooLarge,
            Refusal::NoHeader => ErrorCode::WorkbookNoHeader,
            Refusal::Empty => ErrorCode::WorkbookEmpty,
            Refusal::TooManyRows { .. } => ErrorCode::WorkbookTooManyRows,
        }
    }

    /// The stable sentence, then what in particular.
    pub fn explain(&self, lang: Lang) -> String {
        let en = lang == Lang::En;
        let detail = match self {
            Refusal::Unreadable(cause) => cause.clone(),
            Refusal::TooLarge(n) => format!("{:.1} MB", *n as f64 / 1_048_576.0),
            Refusal::NoHeader if en => format!(
                "By CUI: {}. By names: {}.",
                padron_shared::workbook_format::CUI_COLUMNS.join(", "),
                padron_shared::workbook_format::NAMES_COLUMNS.join(", ")
            ),
            Refusal::NoHeader => format!(
                "Por CUI: {}. Por nombres: {}.",
                padron_shared::workbook_format::CUI_COLUMNS.join(", "),
                padron_shared::workbook_format::NAMES_COLUMNS.join(", ")
            ),
            Refusal::Empty => String::new(),
            Refusal::TooManyRows { mode, rows, limit } if en => format!(
                "This file has {rows} rows by {}; the limit is {limit}. Split it into several files.",
                mode.label(lang)
            ),
            Refusal::TooManyRows { mode, rows, limit } => format!(
                "Este archivo tiene {rows} filas por {}; el límite es {limit}. Divídalo en varios archivos.",
                mode.label(lang)
            ),
        };
        format!("{} {detail}", self.code().message(lang))
            .trim_end()
            .to_owned()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Reference,
    Cui,
    Programme,
    Given1,
    Surname1,
    Other,
}

/// Folds a header cell the way the server does: case, accents, spaces and
/// punctuation do not count.
fn recognise(text: &str) -> Option<Column> {
    let key: String = text
        .chars()
        .map(|c| match c {
            'á' | 'Á' => 'A',
            'é' | 'É' => 'E',
            'í' | 'Í' => 'I',
            'ó' | 'Ó' => 'O',
            'ú' | 'Ú' | 'ü' | 'Ü' => 'U',
            'ñ' | 'Ñ' => 'N',
            c => c.to_ascii_uppercase(),
        })
        .filter(char::is_ascii_uppercase)
        .collect();
    Some(match key.as_str() {
        "REFERENCIA" | "REF" => Column::Reference,
        "CUI" | "DPI" | "CUIDPI" | "NUMERODECUI" => Column::Cui,
        "PROGRAMA" | "PROGRAMASOCIAL" => Column::Programme,
        "PRIMERNOMBRE" | "NOMBRE" | "NOMBRES" => Column::Given1,
        "PRIMERAPELLIDO" | "APELLIDO" => Column::Surname1,
        "SEGUNDONOMBRE" | "TERCERNOMBRE" | "SEGUNDOAPELLIDO" | "APELLIDODECASADA"
        | "APELLIDOCASADA" | "FECHADENACIMIENTO" | "FECHANACIMIENTO" => Column::Other,
        _ => return None,
    })
}

fn text(cell: Option<&Data>) -> String {
    match cell {
        Some(Data::String(s)) => s.trim().to_owned(),
        Some(Data::Int(i)) => i.to_string(),
        Some(Data::Float(f)) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Some(Data::Float(f)) => f.to_string(),
        Some(Data::DateTimeIso(s)) => s.clone(),
        Some(Data::DateTime(d)) => d.to_string(),
        _ => String::new(),
    }
}

/// A CUI typed as a number loses its leading zeros; the server restores them.
fn cui_text(cell: Option<&Data>) -> String {
    let t = text(cell);
    if matches!(cell, Some(Data::Int(_) | Data::Float(_)))
        && t.len() < 13
        && t.bytes().all(|b| b.is_ascii_digit())
    {
        format!("{t:0>13}")
    } else {
        t
    }
}

/// A sheet as sparse rows of cells (0-based row → (column, value)). xlsx
/// is read cell by cell, as the server does: a sheet with one cell in A1 and
/// one in XFD1048576 must not become a 17-billion-cell grid in the kiosk.
type Grid = BTreeMap<u32, Vec<(u32, Data)>>;

/// Columns read; anything further right is not part of a query.
const MAX_COLUMNS: u32 = 256;

fn put(grid: &mut Grid, row: u32, col: u32, value: Data) -> Result<(), Refusal> {
    let blank = match &value {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    };
    if col >= MAX_COLUMNS || blank {
        return Ok(());
    }
    grid.entry(row).or_default().push((col, value));
    // More rows than any query may have: stop reading, the count is enough.
    if grid.len() > MAX_CUI_ROWS + HEADER_SCAN_ROWS + 1 {
        return Err(Refusal::TooManyRows {
            mode: Mode::Cui,
            rows: grid.len(),
            limit: MAX_CUI_ROWS,
        });
    }
    Ok(())
}

fn sheets(bytes: &[u8]) -> Result<Vec<(String, Grid)>, Refusal> {
    let unreadable = |e: &dyn std::fmt::Display| Refusal::Unreadable(e.to_string());
    let mut out = Vec::new();
    if bytes.starts_with(b"PK\x03\x04")
        && let Ok(mut book) =
            calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(Cursor::new(bytes))
    {
        for name in book.sheet_names() {
            let mut grid = Grid::new();
            let mut cells = book
                .worksheet_cells_reader(&name)
                .map_err(|e| unreadable(&e))?;
            while let Some(cell) = cells.next_cell().map_err(|e| unreadable(&e))? {
                let (row, col) = cell.get_position();
                put(&mut grid, row, col, Data::from(cell.get_value().clone()))?;
            }
            out.push((name, grid));
        }
        return Ok(out);
    }
    // xls and ods: through calamine's ranges, bounded by the file size.
    let mut book =
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    for (i, name) in book.sheet_names().into_iter().enumerate() {
        let Some(range) = book.worksheet_range_at(i) else {
            continue;
        };
        let range = range.map_err(|e| unreadable(&e))?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut grid = Grid::new();
        for (r, row) in range.rows().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                put(&mut grid, r0 + r as u32, c0 + c as u32, cell.clone())?;
            }
        }
        out.push((name, grid));
    }
    Ok(out)
}

type Header = (u32, Mode, Vec<(Column, u32)>);

fn header(grid: &Grid) -> Option<Header> {
    for (row, cells) in grid.iter().take(HEADER_SCAN_ROWS) {
        let mut columns: Vec<(Column, u32)> = Vec::new();
        for (c, cell) in cells {
            if let Data::String(s) = cell
                && let Some(col) = recognise(s)
                && !columns.iter().any(|(k, _)| *k == col)
            {
                columns.push((col, *c));
            }
        }
        let has = |k: Column| columns.iter().any(|(c, _)| *c == k);
        if has(Column::Programme) && has(Column::Cui) {
            return Some((*row, Mode::Cui, columns));
        }
        if has(Column::Programme) && has(Column::Given1) && has(Column::Surname1) {
            return Some((*row, Mode::Names, columns));
        }
    }
    None
}

/// Checks a workbook's bytes; see the module documentation.
pub fn check(bytes: &[u8]) -> Result<Report, Refusal> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Refusal::TooLarge(bytes.len() as u64));
    }
    let (sheet, grid, (header_at, mode, columns)) = sheets(bytes)?
        .into_iter()
        .find_map(|(name, grid)| header(&grid).map(|h| (name, grid, h)))
        .ok_or(Refusal::NoHeader)?;
    let col = |k: Column| columns.iter().find(|(c, _)| *c == k).map(|(_, i)| *i);
    let mut rows = 0usize;
    let mut bad_rows = Vec::new();
    let mut bad_count = 0usize;
    for (r, cells) in grid.range(header_at + 1..) {
        let at = |i: u32| cells.iter().find(|(c, _)| *c == i).map(|(_, v)| v);
        let get = |k: Column| col(k).and_then(at);
        if columns.iter().all(|(_, i)| text(at(*i)).is_empty()) {
            continue;
        }
        rows += 1;
        let mut issues = Vec::new();
        if text(get(Column::Programme)).is_empty() {
            issues.push(RowIssue::MissingProgramme);
        }
        match mode {
            Mode::Cui => {
                let cui = cui_text(get(Column::Cui));
                if cui.is_empty() {
                    issues.push(RowIssue::MissingCui);
                } else if let Err(e) = Cui::parse(&cui) {
                    issues.push(RowIssue::BadCui {
                        es: format!("CUI «{cui}»: {e}"),
                        en: format!("CUI «{cui}»: {}", e.message_en()),
                    });
                }
            }
            Mode::Names => {
                if text(get(Column::Given1)).is_empty() || text(get(Column::Surname1)).is_empty() {
                    issues.push(RowIssue::MissingName);
                }
            }
        }
        if !issues.is_empty() {
            bad_count += 1;
            if bad_rows.len() < MAX_LISTED {
                bad_rows.push(BadRow { row: r + 1, issues });
            }
        }
    }
    if rows == 0 {
        return Err(Refusal::Empty);
    }
    if rows > mode.limit() {
        return Err(Refusal::TooManyRows {
            mode,
            rows,
            limit: mode.limit(),
        });
    }
    Ok(Report {
        mode,
        sheet,
        header_row: header_at + 1,
        rows,
        bad_rows,
        bad_count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
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
            Refusal::NoHeader
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
