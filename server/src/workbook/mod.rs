//! Query workbooks (what institutions upload) and result workbooks (what
//! they get back).
//!
//! - [`read`]: rows out of `padron-consulta`'s bounded reader, as queries.
//! - [`sandbox`]: the same read in a child process with resource limits,
//!   which is how the server reads every upload.
//! - [`write`]: the result workbook: `resultados`, `resumen`, `candidatos`.

pub mod read;
pub mod sandbox;
pub mod write;

pub use read::{QueryMode, QueryRow, QueryWorkbook, RowQuery, WorkbookError, read_workbook};

#[cfg(test)]
mod tests;
