//! Query workbooks (what institutions upload) and result workbooks (what
//! they get back).
//!
//! - [`read`]: xlsx / xls / ods in, rows out, or a whole-file refusal.
//! - [`write`]: the result workbook: `resultados`, `resumen`, `candidatos`.

pub mod read;
pub mod write;

pub use read::{QueryMode, QueryRow, QueryWorkbook, RowQuery, WorkbookError, read_workbook};

#[cfg(test)]
mod tests;
