//! Where the format readers put cells: finds the header within a sheet's
//! first rows, keeps only the cells of recognised columns below it, and
//! counts rows (keeping no more than the mode allows).
//!
//! Readers feed cells in document order. A sheet whose first
//! [`HEADER_SCAN_ROWS`] non-blank rows hold no header is left at once
//! ([`Flow::NextSheet`]), and once a sheet with a header is read, later
//! sheets are not read at all.

use crate::budget::Budget;
use crate::columns::{Column, Mode, header_of};
use crate::limits::{EXCEL_MAX_COLS, EXCEL_MAX_ROWS, HEADER_SCAN_ROWS, MAX_COLUMNS};
use crate::{Refusal, Row, Value, Workbook};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Continue,
    /// Nothing further in this sheet can matter.
    NextSheet,
}

struct Header {
    row: u32,
    mode: Mode,
    columns: Vec<(Column, u32)>,
}

pub(crate) struct Collector<'b> {
    budget: &'b Budget,
    sheets: usize,
    sheet: String,
    row: Option<u32>,
    cells: Vec<(u32, Value)>,
    scanned: usize,
    header: Option<Header>,
    rows: Vec<Row>,
    counted: usize,
    done: Option<(String, Header)>,
}

impl<'b> Collector<'b> {
    pub fn new(budget: &'b Budget) -> Collector<'b> {
        Collector {
            budget,
            sheets: 0,
            sheet: String::new(),
            row: None,
            cells: Vec::new(),
            scanned: 0,
            header: None,
            rows: Vec::new(),
            counted: 0,
            done: None,
        }
    }

    /// Whether a sheet with a header has been read (no more sheets needed).
    pub fn finished(&self) -> bool {
        self.done.is_some()
    }

    /// Counts a sheet of the workbook, read or not.
    pub fn count_sheet(&mut self) -> Result<(), Refusal> {
        self.sheets += 1;
        if self.sheets > self.budget.limits.sheets {
            return Err(self
                .budget
                .refuse(Refusal::TooManySheets(self.budget.limits.sheets as u64)));
        }
        Ok(())
    }

    pub fn begin_sheet(&mut self, name: &str) {
        self.sheet = name.chars().take(200).collect();
        self.row = None;
        self.cells.clear();
        self.scanned = 0;
        self.header = None;
        self.rows.clear();
        self.counted = 0;
    }

    /// Checks a position against Excel's limits (0-based in, as readers count).
    pub fn in_range(&self, row: u64, col: u64) -> Result<(), Refusal> {
        if row >= EXCEL_MAX_ROWS || col >= EXCEL_MAX_COLS {
            return Err(self.budget.refuse(Refusal::OutOfRange {
                row: row.saturating_add(1),
                col: col.saturating_add(1),
            }));
        }
        Ok(())
    }

    /// One cell (0-based position). Blank cells are not counted.
    pub fn cell(&mut self, row: u32, col: u32, value: Value) -> Result<Flow, Refusal> {
        if value.is_blank() {
            return self.budget.tick().map(|()| Flow::Continue);
        }
        self.in_range(u64::from(row), u64::from(col))?;
        self.budget.cell()?;
        if self.row != Some(row) {
            if self.end_row()? == Flow::NextSheet {
                return Ok(Flow::NextSheet);
            }
            self.row = Some(row);
        }
        if col >= MAX_COLUMNS {
            return Ok(Flow::Continue);
        }
        match &self.header {
            None => self.cells.push((col, value)),
            Some(h) => {
                if h.columns.iter().any(|(_, c)| *c == col) {
                    self.cells.push((col, value));
                }
            }
        }
        Ok(Flow::Continue)
    }

    /// Ends the current row (readers call it at a row's end; `cell` calls it
    /// when the row changes).
    pub fn end_row(&mut self) -> Result<Flow, Refusal> {
        let Some(row) = self.row.take() else {
            return Ok(Flow::Continue);
        };
        let cells = std::mem::take(&mut self.cells);
        if cells.is_empty() {
            return Ok(Flow::Continue);
        }
        let Some(header) = &self.header else {
            let texts = cells.iter().filter_map(|(c, v)| match v {
                Value::Text(t) => Some((*c, t.as_str())),
                _ => None,
            });
            if let Some((mode, columns)) = header_of(texts) {
                self.header = Some(Header { row, mode, columns });
                return Ok(Flow::Continue);
            }
            self.scanned += 1;
            if self.scanned >= HEADER_SCAN_ROWS {
                return Ok(Flow::NextSheet);
            }
            return Ok(Flow::Continue);
        };
        if row <= header.row {
            return Ok(Flow::Continue);
        }
        let mut kept: Vec<(Column, Value)> = Vec::new();
        for (column, at) in &header.columns {
            if let Some((_, v)) = cells.iter().find(|(c, _)| c == at) {
                kept.push((*column, v.clone()));
            }
        }
        if Row::blank(&kept) {
            return Ok(Flow::Continue);
        }
        self.counted += 1;
        if self.counted <= header.mode.row_limit() {
            let bytes: usize = kept
                .iter()
                .map(|(_, v)| match v {
                    Value::Text(t) => t.as_str().len() + 16,
                    _ => 16,
                })
                .sum();
            self.budget.text(bytes)?;
            self.rows.push(Row {
                number: row + 1,
                cells: kept,
            });
        }
        Ok(Flow::Continue)
    }

    /// Ends a sheet: if it had a header, the workbook is read.
    pub fn end_sheet(&mut self) -> Result<(), Refusal> {
        self.end_row()?;
        if let Some(h) = self.header.take() {
            self.done = Some((std::mem::take(&mut self.sheet), h));
        }
        Ok(())
    }

    pub fn finish(mut self) -> Result<Workbook, Refusal> {
        let Some((sheet, header)) = self.done.take() else {
            return Err(Refusal::no_header());
        };
        if self.counted == 0 {
            return Err(Refusal::Empty);
        }
        if self.counted > header.mode.row_limit() {
            return Err(Refusal::TooManyRows {
                mode: header.mode,
                rows: self.counted,
                limit: header.mode.row_limit(),
            });
        }
        Ok(Workbook {
            mode: header.mode,
            sheet,
            header_row: header.row + 1,
            rows: self.rows,
        })
    }
}
