//! Reading a query workbook.
//!
//! Whole-file refusals happen here, before anything is queued: a file over
//! 20 MB, a zip archive that would inflate beyond a sane bound (checked by
//! actually inflating, since declared sizes can lie), something that is not
//! a workbook, no recognisable header row, no rows, or more rows than the
//! mode allows. xlsx is read cell by cell (a sheet with one cell at A1 and
//! one at XFD1048576 would otherwise become a 17-billion-cell grid); xls and
//! ods go through calamine's ranges, bounded by the same size checks.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use calamine::{Data, DataType, Reader};
use padron_shared::ErrorCode;

use crate::matching::NamesQuery;
use crate::names::fold;
use crate::registry::date::Day;

/// Largest file accepted.
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;
/// Largest total a zip-based workbook may inflate to.
pub const MAX_INFLATED_BYTES: u64 = 256 * 1024 * 1024;
/// Most entries a zip-based workbook may hold.
pub const MAX_ZIP_ENTRIES: usize = 10_000;
pub const MAX_CUI_ROWS: usize = 50_000;
pub const MAX_NAMES_ROWS: usize = 3_000;
/// Rows scanned for a header.
const HEADER_SCAN_ROWS: usize = 30;
/// Columns read; anything to the right is not part of a query.
const MAX_COLUMNS: u32 = 256;
/// Longest text accepted in a cell that is used.
pub const MAX_CELL_CHARS: usize = 200;

/// How a workbook asks: by CUI or by names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryMode {
    Cui,
    Names,
}

impl QueryMode {
    pub fn as_str(self) -> &'static str {
        match self {
            QueryMode::Cui => "CUI",
            QueryMode::Names => "nombres y apellidos",
        }
    }

    pub fn row_limit(self) -> usize {
        match self {
            QueryMode::Cui => MAX_CUI_ROWS,
            QueryMode::Names => MAX_NAMES_ROWS,
        }
    }
}

/// What one row asks.
#[derive(Debug, Clone)]
pub enum RowQuery {
    /// The CUI cell as text (numbers converted, 13 digits restored).
    Cui(String),
    Names(NamesQuery),
}

/// One query row of the workbook.
#[derive(Debug, Clone)]
pub struct QueryRow {
    /// Row number as the spreadsheet shows it (1-based).
    pub row: u32,
    pub reference: String,
    pub programme: String,
    pub query: RowQuery,
    /// A row-level problem: the row is answered `RECHAZADO` with this text.
    pub problem: Option<String>,
    /// Remarks that do not stop the row (e.g. an unreadable date ignored).
    pub remarks: Vec<String>,
}

/// A parsed query workbook.
#[derive(Debug, Clone)]
pub struct QueryWorkbook {
    pub mode: QueryMode,
    pub sheet: String,
    pub header_row: u32,
    pub rows: Vec<QueryRow>,
}

impl QueryWorkbook {
    /// Rows per programme, for the reports. Spellings that differ only in
    /// case or spacing are one programme; rows without one are left out
    /// (they are answered `RECHAZADO`).
    pub fn programme_rows(&self) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for row in &self.rows {
            let name = row
                .programme
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_uppercase();
            if !name.is_empty() {
                *out.entry(name).or_insert(0) += 1;
            }
        }
        out
    }
}

/// Why a whole file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkbookError {
    #[error(
        "el archivo no es un libro de cálculo legible / the file is not a readable workbook: {0}"
    )]
    Unreadable(String),
    #[error(
        "no se encontró la fila de encabezados. Por CUI: {cui}. Por nombres: {names} / no header row found"
    )]
    NoHeader { cui: String, names: String },
    #[error("el archivo no contiene filas para consultar / the file contains no rows to query")]
    Empty,
    #[error(
        "el archivo tiene {rows} filas; el límite por {mode} es {limit} / the file has {rows} rows; the limit is {limit}"
    )]
    TooManyRows {
        mode: &'static str,
        rows: usize,
        limit: usize,
    },
    #[error(
        "el archivo pesa {0} bytes; el máximo es 20 MB / the file is {0} bytes; the maximum is 20 MB"
    )]
    TooLarge(u64),
    #[error(
        "el archivo comprimido se expandiría a más de {MAX_INFLATED_BYTES} bytes / the archive would expand beyond {MAX_INFLATED_BYTES} bytes"
    )]
    ZipBomb,
}

impl WorkbookError {
    pub fn code(&self) -> ErrorCode {
        match self {
            WorkbookError::Unreadable(_) => ErrorCode::WorkbookUnreadable,
            WorkbookError::NoHeader { .. } => ErrorCode::WorkbookNoHeader,
            WorkbookError::Empty => ErrorCode::WorkbookEmpty,
            WorkbookError::TooManyRows { .. } => ErrorCode::WorkbookTooManyRows,
            WorkbookError::TooLarge(_) => ErrorCode::WorkbookTooLarge,
            WorkbookError::ZipBomb => ErrorCode::WorkbookZipBomb,
        }
    }

    fn no_header() -> WorkbookError {
        let names = |cols: &[Column]| {
            cols.iter()
                .map(|c| c.title())
                .collect::<Vec<_>>()
                .join(", ")
        };
        WorkbookError::NoHeader {
            cui: names(CUI_COLUMNS),
            names: names(NAMES_COLUMNS),
        }
    }
}

/// The columns a query workbook may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Column {
    Reference,
    Cui,
    Programme,
    Given1,
    Given2,
    Given3,
    Surname1,
    Surname2,
    Married,
    Born,
    /// Optional: `Año de nacimiento`.
    BirthYear,
    /// Optional: `Edad` (years, at the job's date).
    Age,
}

const CUI_COLUMNS: &[Column] = &[Column::Reference, Column::Cui, Column::Programme];
const NAMES_COLUMNS: &[Column] = &[
    Column::Reference,
    Column::Given1,
    Column::Given2,
    Column::Given3,
    Column::Surname1,
    Column::Surname2,
    Column::Married,
    Column::Born,
    Column::Programme,
];

impl Column {
    fn title(self) -> &'static str {
        match self {
            Column::Reference => "Referencia",
            Column::Cui => "CUI",
            Column::Programme => "Programa",
            Column::Given1 => "Primer nombre",
            Column::Given2 => "Segundo nombre",
            Column::Given3 => "Tercer nombre",
            Column::Surname1 => "Primer apellido",
            Column::Surname2 => "Segundo apellido",
            Column::Married => "Apellido de casada",
            Column::Born => "Fecha de nacimiento (opcional)",
            Column::BirthYear => "Año de nacimiento (opcional)",
            Column::Age => "Edad (opcional)",
        }
    }

    /// Recognises a header cell, ignoring case, accents, spaces and punctuation.
    fn recognise(text: &str) -> Option<Column> {
        let key: String = fold(text)
            .chars()
            .filter(char::is_ascii_uppercase)
            .collect();
        Some(match key.as_str() {
            "REFERENCIA" | "REF" => Column::Reference,
            "CUI" | "DPI" | "CUIDPI" | "NUMERODECUI" => Column::Cui,
            "PROGRAMA" | "PROGRAMASOCIAL" => Column::Programme,
            "PRIMERNOMBRE" | "NOMBRE" | "NOMBRES" => Column::Given1,
            "SEGUNDONOMBRE" => Column::Given2,
            "TERCERNOMBRE" => Column::Given3,
            "PRIMERAPELLIDO" | "APELLIDO" => Column::Surname1,
            "SEGUNDOAPELLIDO" => Column::Surname2,
            "APELLIDODECASADA" | "APELLIDOCASADA" => Column::Married,
            "FECHADENACIMIENTO" | "FECHANACIMIENTO" => Column::Born,
            "ANODENACIMIENTO" | "ANONACIMIENTO" | "ANIODENACIMIENTO" => Column::BirthYear,
            "EDAD" | "EDADANOS" => Column::Age,
            _ => return None,
        })
    }
}

/// A sheet as sparse rows of cells.
type Grid = BTreeMap<u32, Vec<(u32, Data)>>;

/// Refuses zip archives that would inflate beyond the bound, by inflating
/// every entry into nothing and counting.
fn check_zip(bytes: &[u8]) -> Result<(), WorkbookError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| WorkbookError::Unreadable(format!("zip: {e}")))?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(WorkbookError::ZipBomb);
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| WorkbookError::Unreadable(format!("zip: {e}")))?;
        if entry.size() > MAX_INFLATED_BYTES {
            return Err(WorkbookError::ZipBomb);
        }
        let budget = MAX_INFLATED_BYTES - total;
        let n = std::io::copy(&mut (&mut entry).take(budget + 1), &mut std::io::sink())
            .map_err(|e| WorkbookError::Unreadable(format!("zip: {e}")))?;
        total += n;
        if total > MAX_INFLATED_BYTES {
            return Err(WorkbookError::ZipBomb);
        }
    }
    Ok(())
}

fn zip_has(bytes: &[u8], name: &str) -> bool {
    zip::ZipArchive::new(Cursor::new(bytes)).is_ok_and(|a| a.index_for_name(name).is_some())
}

/// Adds a cell to a grid, refusing sheets with far more rows than any query allows.
fn put(grid: &mut Grid, row: u32, col: u32, value: Data) -> Result<(), WorkbookError> {
    if col >= MAX_COLUMNS || matches!(value, Data::Empty) {
        return Ok(());
    }
    if let Data::String(s) = &value
        && s.trim().is_empty()
    {
        return Ok(());
    }
    grid.entry(row).or_default().push((col, value));
    if grid.len() > MAX_CUI_ROWS + HEADER_SCAN_ROWS + 1 {
        return Err(WorkbookError::TooManyRows {
            mode: QueryMode::Cui.as_str(),
            rows: grid.len(),
            limit: MAX_CUI_ROWS,
        });
    }
    Ok(())
}

fn xlsx_sheets(bytes: &[u8]) -> Result<Vec<(String, Grid)>, WorkbookError> {
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| WorkbookError::Unreadable(e.to_string()))?;
    let mut out = Vec::new();
    for name in book.sheet_names() {
        let mut grid = Grid::new();
        let mut cells = book
            .worksheet_cells_reader(&name)
            .map_err(|e| WorkbookError::Unreadable(e.to_string()))?;
        while let Some(cell) = cells
            .next_cell()
            .map_err(|e| WorkbookError::Unreadable(e.to_string()))?
        {
            let (row, col) = cell.get_position();
            put(&mut grid, row, col, Data::from(cell.get_value().clone()))?;
        }
        out.push((name, grid));
    }
    Ok(out)
}

fn range_sheets<R: Reader<Cursor<Vec<u8>>>>(
    mut book: R,
) -> Result<Vec<(String, Grid)>, WorkbookError>
where
    R::Error: std::fmt::Display,
{
    let mut out = Vec::new();
    for (i, name) in book.sheet_names().into_iter().enumerate() {
        let Some(range) = book.worksheet_range_at(i) else {
            continue;
        };
        let range = range.map_err(|e| WorkbookError::Unreadable(e.to_string()))?;
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

/// The sheets of a workbook file, in the workbook's order.
fn sheets(bytes: &[u8]) -> Result<Vec<(String, Grid)>, WorkbookError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(WorkbookError::TooLarge(bytes.len() as u64));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        check_zip(bytes)?;
        if zip_has(bytes, "xl/workbook.xml") {
            return xlsx_sheets(bytes);
        }
        if zip_has(bytes, "content.xml") {
            let book: calamine::Ods<_> =
                calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec()))
                    .map_err(|e: calamine::OdsError| WorkbookError::Unreadable(e.to_string()))?;
            return range_sheets(book);
        }
        return Err(WorkbookError::Unreadable(
            "zip sin libro de cálculo / zip without a workbook".into(),
        ));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        let book: calamine::Xls<_> =
            calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec()))
                .map_err(|e: calamine::XlsError| WorkbookError::Unreadable(e.to_string()))?;
        return range_sheets(book);
    }
    Err(WorkbookError::Unreadable(
        "formato desconocido (se aceptan xlsx, xls y ods) / unknown format".into(),
    ))
}

/// A cell as text: numbers without a spurious `.0`, dates as `AAAA-MM-DD`.
fn cell_text(value: &Data) -> String {
    match value {
        Data::String(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "VERDADERO" } else { "FALSO" }.to_owned(),
        Data::DateTime(d) => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(_) | Data::Empty => String::new(),
    }
}

/// A CUI cell: text as typed, or a number with its lost leading zeros restored.
fn cui_text(value: &Data) -> String {
    match value {
        Data::Int(_) | Data::Float(_) => {
            let t = cell_text(value);
            if t.len() < 13 && t.bytes().all(|b| b.is_ascii_digit()) {
                format!("{t:0>13}")
            } else {
                t
            }
        }
        other => cell_text(other),
    }
}

/// Parses a date of birth as institutions type it.
pub fn parse_birth(value: &Data) -> Result<Option<Day>, String> {
    match value {
        Data::Empty => Ok(None),
        Data::DateTime(d) => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            Day::from_ymd(i32::from(y), u32::from(m), u32::from(day))
                .map(Some)
                .ok_or_else(|| cell_text(value))
        }
        Data::Int(_) | Data::Float(_) => {
            let serial = value
                .get_float()
                .or_else(|| value.get_int().map(|i| i as f64))
                .unwrap_or(0.0);
            Day::from_excel_serial(serial)
                .map(Some)
                .ok_or_else(|| cell_text(value))
        }
        other => {
            let text = cell_text(other);
            if text.is_empty() {
                return Ok(None);
            }
            parse_birth_text(&text).map(Some).ok_or(text)
        }
    }
}

/// `DD/MM/AAAA`, `D-M-AAAA`, `DD.MM.AAAA` (Guatemalan order) or `AAAA-MM-DD`.
fn parse_birth_text(text: &str) -> Option<Day> {
    let t = text.trim();
    let t = t.split(['T', ' ']).next().unwrap_or(t);
    let parts: Vec<&str> = t.split(['/', '-', '.']).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let n: Vec<u32> = parts.iter().map(|p| p.parse().unwrap_or(0)).collect();
    if parts[0].len() == 4 {
        Day::from_ymd(n[0] as i32, n[1], n[2])
    } else if parts[2].len() == 4 {
        Day::from_ymd(n[2] as i32, n[1], n[0])
    } else {
        None
    }
}

/// The years of birth an optional `Año de nacimiento` or `Edad` cell
/// allows: one year, or the two an age in whole years allows today.
/// Anything else (empty, not a number, out of range) is no evidence.
fn birth_years(year: &str, age: &str) -> Option<(i32, i32)> {
    let this_year = time::OffsetDateTime::now_utc().year();
    let number = |t: &str| t.trim().trim_end_matches(".0").parse::<i32>().ok();
    if let Some(y) = number(year)
        && (1880..=this_year).contains(&y)
    {
        return Some((y, y));
    }
    let a = number(age)?;
    (0..=130)
        .contains(&a)
        .then(|| (this_year - a - 1, this_year - a))
}

/// Finds the header row of a sheet: the first of its first rows naming the
/// programme and either the CUI or the first given name and first surname.
fn header(grid: &Grid) -> Option<(u32, QueryMode, BTreeMap<Column, u32>)> {
    for (row, cells) in grid.iter().take(HEADER_SCAN_ROWS) {
        let mut columns = BTreeMap::new();
        for (col, value) in cells {
            if let Data::String(s) = value
                && let Some(c) = Column::recognise(s)
            {
                columns.entry(c).or_insert(*col);
            }
        }
        let has = |c| columns.contains_key(&c);
        if has(Column::Programme) && has(Column::Cui) {
            return Some((*row, QueryMode::Cui, columns));
        }
        if has(Column::Programme) && has(Column::Given1) && has(Column::Surname1) {
            return Some((*row, QueryMode::Names, columns));
        }
    }
    None
}

/// Reads a query workbook from its bytes.
pub fn read_workbook(bytes: &[u8]) -> Result<QueryWorkbook, WorkbookError> {
    let sheets = sheets(bytes)?;
    // The first sheet, or the first one with a header if the first has none
    // (an instructions sheet put first).
    let Some((sheet, grid, (header_row, mode, columns))) = sheets
        .into_iter()
        .find_map(|(name, grid)| header(&grid).map(|h| (name, grid, h)))
    else {
        return Err(WorkbookError::no_header());
    };
    let mut rows = Vec::new();
    for (row, cells) in grid.range(header_row + 1..) {
        let get = |c: Column| -> Option<&Data> {
            let col = columns.get(&c)?;
            cells.iter().find(|(cc, _)| cc == col).map(|(_, v)| v)
        };
        let text = |c: Column| get(c).map(cell_text).unwrap_or_default();
        // Rows with nothing in the columns that matter are blank.
        if columns.keys().all(|c| text(*c).is_empty()) {
            continue;
        }
        let mut problem = None;
        let mut remarks = Vec::new();
        let programme = text(Column::Programme);
        if programme.is_empty() {
            problem = Some("falta el programa social".to_owned());
        }
        let query = match mode {
            QueryMode::Cui => RowQuery::Cui(get(Column::Cui).map(cui_text).unwrap_or_default()),
            QueryMode::Names => {
                let born = match get(Column::Born).map(parse_birth).unwrap_or(Ok(None)) {
                    Ok(d) => d,
                    Err(t) => {
                        remarks.push(format!(
                            "fecha de nacimiento «{}» no reconocida; se ignoró",
                            truncate(&t, 40)
                        ));
                        None
                    }
                };
                RowQuery::Names(NamesQuery {
                    given: [
                        text(Column::Given1),
                        text(Column::Given2),
                        text(Column::Given3),
                    ],
                    first_surname: text(Column::Surname1),
                    second_surname: text(Column::Surname2),
                    married_surname: text(Column::Married),
                    born,
                    birth_years: birth_years(&text(Column::BirthYear), &text(Column::Age)),
                })
            }
        };
        let long = columns
            .keys()
            .find(|c| text(**c).chars().count() > MAX_CELL_CHARS);
        if let Some(c) = long {
            problem = Some(format!(
                "la celda «{}» excede {MAX_CELL_CHARS} caracteres",
                c.title()
            ));
        }
        let reference = truncate(&text(Column::Reference), MAX_CELL_CHARS);
        rows.push(QueryRow {
            row: row + 1,
            reference,
            programme,
            query,
            problem,
            remarks,
        });
        if rows.len() > mode.row_limit() {
            return Err(WorkbookError::TooManyRows {
                mode: mode.as_str(),
                rows: grid.range(header_row + 1..).count(),
                limit: mode.row_limit(),
            });
        }
    }
    if rows.is_empty() {
        return Err(WorkbookError::Empty);
    }
    Ok(QueryWorkbook {
        mode,
        sheet,
        header_row: header_row + 1,
        rows,
    })
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}
