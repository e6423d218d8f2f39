//! Reading a query workbook: `padron-consulta` reads the file (bounded, one
//! implementation for server and agent; see its docs for every cap), and
//! this module turns its rows into what the matching engine asks.
//!
//! Untrusted uploads are read in a sandboxed child ([`super::sandbox`]);
//! [`read_workbook`] reads in this process with the same bounded reader,
//! for `padron-server match --in-process` and tests (xls is refused there:
//! calamine only runs in the child).

use std::collections::BTreeMap;

pub use crate::limits::{MAX_CELL_CHARS, MAX_CUI_ROWS, MAX_FILE_BYTES, MAX_NAMES_ROWS};
use crate::{Column, Limits, Value};
pub use crate::{Mode as QueryMode, Refusal as WorkbookError};

use crate::matching::NamesQuery;
use crate::matching::evidence::{Evidence, parse_department, parse_municipality, parse_sex};
use crate::registry::date::Day;

/// What one row asks.
#[derive(Debug, Clone)]
pub enum RowQuery {
    /// The CUI cell as text (numbers converted, 13 digits restored).
    Cui(String),
    /// The row's names (and birth evidence), for a names query.
    Names(NamesQuery),
}

/// One query row of the workbook.
#[derive(Debug, Clone)]
pub struct QueryRow {
    /// Row number as the spreadsheet shows it (1-based).
    pub row: u32,
    /// The row's reference (referencia), copied to the result so the institution can relate it to its own data.
    pub reference: String,
    /// The social programme the row is for.
    pub programme: String,
    /// What to look up: a CUI or names.
    pub query: RowQuery,
    /// A row-level problem: the row is answered `RECHAZADO` with this text.
    pub problem: Option<String>,
    /// Remarks that do not stop the row (e.g. an unreadable date ignored).
    pub remarks: Vec<String>,
}

/// A parsed query workbook.
#[derive(Debug, Clone)]
pub struct QueryWorkbook {
    /// By CUI or by names, from the header.
    pub mode: QueryMode,
    /// Name of the sheet the header was found on.
    pub sheet: String,
    /// The header's row, 1-based.
    pub header_row: u32,
    /// The rows below the header, in order.
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

/// Reads a query workbook in this process with the default limits (no xls).
pub fn read_workbook(bytes: &[u8]) -> Result<QueryWorkbook, WorkbookError> {
    read_workbook_with(bytes, &Limits::default())
}

/// Reads a query workbook in this process within `limits`.
pub fn read_workbook_with(bytes: &[u8], limits: &Limits) -> Result<QueryWorkbook, WorkbookError> {
    crate::read(bytes, limits).map(queries)
}

/// The rows of a read workbook as queries.
pub fn queries(workbook: crate::Workbook) -> QueryWorkbook {
    let mode = workbook.mode;
    let rows = workbook
        .rows
        .iter()
        .map(|row| {
            let text = |c: Column| row.text(c);
            let mut remarks = Vec::new();
            let query = match mode {
                QueryMode::Cui => RowQuery::Cui(row.cui_text()),
                QueryMode::Names => {
                    let born = match parse_birth(row.get(Column::Born)) {
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
                        evidence: evidence(&text, &mut remarks),
                    })
                }
            };
            QueryRow {
                row: row.number,
                reference: truncate(&text(Column::Reference), MAX_CELL_CHARS),
                programme: text(Column::Programme),
                query,
                problem: row.rejection(),
                remarks,
            }
        })
        .collect();
    QueryWorkbook {
        mode,
        sheet: workbook.sheet,
        header_row: workbook.header_row,
        rows,
    }
}

/// Parses a date of birth as institutions type it.
pub fn parse_birth(value: Option<&Value>) -> Result<Option<Day>, String> {
    match value {
        None | Some(Value::Error) => Ok(None),
        Some(v @ (Value::Date(serial) | Value::Number(serial))) => Day::from_excel_serial(*serial)
            .map(Some)
            .ok_or_else(|| v.text()),
        Some(other) => {
            let text = other.text();
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

/// The optional sex and place of birth of a names row; a value that is
/// none of the known ones is ignored, with a remark (the pre-check tells
/// it too: [`crate::checks::RowIssue::IgnoredValue`]).
fn evidence(text: &dyn Fn(Column) -> String, remarks: &mut Vec<String>) -> Evidence {
    let mut ignored = |c: Column, t: &str| {
        remarks.push(format!(
            "{} «{}» no reconocido; se ignoró",
            c.title(),
            truncate(t, 40)
        ))
    };
    let sex = text(Column::Sex);
    let department = text(Column::BirthDepartment);
    let municipality = text(Column::BirthMunicipality);
    let sex = parse_sex(&sex).unwrap_or_else(|_| {
        ignored(Column::Sex, &sex);
        None
    });
    let department = parse_department(&department).unwrap_or_else(|_| {
        ignored(Column::BirthDepartment, &department);
        None
    });
    let municipality =
        parse_municipality(&municipality, department.as_deref()).unwrap_or_else(|_| {
            ignored(Column::BirthMunicipality, &municipality);
            None
        });
    Evidence {
        sex,
        department,
        municipality,
    }
}

/// The years of birth an optional `Año de nacimiento` or `Edad` allows:
/// a year as typed, or the two years an age in whole years spans.
pub(crate) fn birth_years(year: &str, age: &str) -> Option<(i32, i32)> {
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

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}
