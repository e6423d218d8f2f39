//! The Consulta Social engine: the civil registry, names, matching, the
//! query workbooks in and the result workbooks out, and the job that ties
//! them. It knows nothing of HTTP, TLS, the server's store or the clock:
//! the caller passes the job's start time and takes its progress.
//!
//! - [`registry`]: the registry's CSV form, the synthetic generator, the
//!   importer and the read-only store the engine reads.
//! - [`names`]: normalisation, phonetic and spelling keys, similarity.
//! - [`matching`]: blocking, scoring and the engine's decisions.
//! - [`queries`] → [`job`] → [`results`]: rows as queries, matched, written
//!   as the result workbook.
//!
//! The workbook reader, one for every process that looks at a workbook
//! (the server's upload handler and queue worker, `padron-server match`,
//! the agent's pre-check): nothing is sized by what a file *declares*;
//! every count (decompressed bytes, zip entries, sheets, cells, one cell's
//! length, total text, XML nesting, Excel's row and column limits, time)
//! is taken from what was actually produced, against a hard cap in
//! [`Limits`], and each cap refuses the whole file with its own stable
//! code ([`Refusal`]).
//!
//! - [`read`]: bytes in, [`Workbook`] (header, mode, rows of the columns
//!   that matter) or a [`Refusal`] out.
//! - [`columns`]: the one table of query columns and their accepted spellings.
//! - [`checks`]: the row checks (no programme, a CUI whose check digit is
//!   wrong, …) the pre-check shows and the server applies.
//! - [`sandbox`]: the same read in a child process with an address-space
//!   limit, a CPU limit and a wall-clock timeout; [`wire`] carries the result.
//!
//! xlsx and ods are read by this crate's own streaming readers (zip +
//! quick-xml). xls (BIFF) goes through calamine, only when
//! [`Limits::allow_xls`] is set, which only the sandboxed child does.

#![warn(missing_docs)]

mod budget;
pub mod checks;
pub mod columns;
mod container;
pub mod excel;
pub mod job;
pub mod limits;
pub mod matching;
pub mod names;
mod ods;
pub mod queries;
pub mod refusal;
pub mod registry;
pub mod results;
pub mod sandbox;
mod sink;
pub mod value;
pub mod wire;
mod xls;
mod xlsx;
mod xmlread;
mod zipped;

pub use checks::RowIssue;
pub use columns::{Column, Mode};
pub use limits::Limits;
pub use refusal::Refusal;
pub use value::{Text, Value};

/// A query workbook as read: the sheet that holds the header, its mode,
/// and the rows below it (only the cells of recognised columns).
#[derive(Debug, Clone, PartialEq)]
pub struct Workbook {
    /// By CUI or by names, as the header's columns say.
    pub mode: Mode,
    /// Name of the sheet the header was found on.
    pub sheet: String,
    /// 1-based, as the spreadsheet shows it.
    pub header_row: u32,
    /// The non-blank rows below the header, in order.
    pub rows: Vec<Row>,
}

/// One non-blank row below the header.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 1-based, as the spreadsheet shows it.
    pub number: u32,
    /// At most one cell per column, in [`Column`] order.
    pub cells: Vec<(Column, Value)>,
}

impl Row {
    /// The row's cell in `column`, if it has one.
    pub fn get(&self, column: Column) -> Option<&Value> {
        self.cells
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, v)| v)
    }

    /// The cell as text (see [`Value::text`]); empty when absent.
    pub fn text(&self, column: Column) -> String {
        self.get(column).map(Value::text).unwrap_or_default()
    }

    /// The CUI cell: text as typed, or a number with its lost leading zeros restored.
    pub fn cui_text(&self) -> String {
        self.get(Column::Cui)
            .map(Value::cui_text)
            .unwrap_or_default()
    }

    /// The first used cell longer than [`limits::MAX_CELL_CHARS`].
    pub fn too_long(&self) -> Option<Column> {
        self.cells
            .iter()
            .find(|(_, v)| matches!(v, Value::Text(t) if t.too_long()))
            .map(|(c, _)| *c)
    }
}

impl Workbook {
    /// Rows per programme. Spellings that differ only in case or spacing
    /// are one programme; rows without one are left out.
    pub fn programme_rows(&self) -> std::collections::BTreeMap<String, u64> {
        let mut out = std::collections::BTreeMap::new();
        for row in &self.rows {
            let name = row
                .text(Column::Programme)
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

/// Reads a query workbook from its bytes, in this process, within `limits`.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Workbook, Refusal> {
    if bytes.len() as u64 > limits.file_bytes {
        return Err(Refusal::TooLarge(bytes.len() as u64));
    }
    let budget = budget::Budget::new(limits);
    let result = read_inner(bytes, &budget);
    // A cap reached deep inside a reader surfaces as an I/O or XML error;
    // the cap's own refusal is what the person must see.
    match (result, budget.take_refusal()) {
        (Err(_), Some(refusal)) => Err(refusal),
        (other, _) => other,
    }
}

fn read_inner(bytes: &[u8], budget: &budget::Budget) -> Result<Workbook, Refusal> {
    let mut sink = sink::Collector::new(budget);
    match container::sniff(bytes) {
        container::Kind::Zip => {
            let mut archive = zipped::Archive::open(bytes, budget)?;
            if archive.has("xl/workbook.bin") {
                return Err(Refusal::Xlsb);
            }
            if archive.has("xl/workbook.xml") {
                xlsx::read(&mut archive, budget, &mut sink)?;
            } else if archive.has("content.xml") {
                ods::read(&mut archive, budget, &mut sink)?;
            } else {
                return Err(Refusal::Unreadable(
                    "zip sin libro de cálculo / zip without a workbook".into(),
                ));
            }
        }
        container::Kind::Encrypted => return Err(Refusal::Encrypted),
        container::Kind::Cfb => {
            if !budget.limits.allow_xls {
                return Err(Refusal::XlsNeedsIsolation);
            }
            xls::read(bytes, budget, &mut sink)?;
        }
        container::Kind::Unknown => {
            return Err(Refusal::Unreadable(
                "formato desconocido (se aceptan xlsx, xls y ods) / unknown format".into(),
            ));
        }
    }
    sink.finish()
}
