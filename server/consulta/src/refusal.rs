//! Why a whole file is refused. Each variant has its own stable code.

use padron_shared::{ErrorCode, Lang};

use crate::columns::{Mode, titles_list};
use crate::limits::{EXCEL_MAX_CELL_CHARS, MAX_FILE_BYTES};

/// Why a whole workbook is refused. `Display` is Spanish / English, for logs
/// and the detail of a refusal; [`Refusal::explain`] is what a person reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "el archivo no es un libro de cálculo legible / the file is not a readable workbook: {0}"
    )]
    /// Not a workbook of a format that is read, or one that fails to parse; what went wrong.
    Unreadable(String),
    #[error(
        "no se encontró la fila de encabezados. Por CUI: {cui}. Por nombres: {names} / no header row found"
    )]
    /// No sheet has a row with the titles of a CUI query or of a names query.
    NoHeader {
        /// The column titles a CUI query needs, listed for the person.
        cui: String,
        /// The column titles a names query needs, listed for the person.
        names: String,
    },
    /// The header is there but no non-blank row follows it.
    #[error("el archivo no contiene filas para consultar / the file contains no rows to query")]
    Empty,
    #[error(
        "el archivo tiene {rows} filas; el límite por {} es {limit} / the file has {rows} rows; the limit is {limit}",
        mode.label(Lang::Es)
    )]
    /// More rows than the mode allows (50,000 by CUI, 3,000 by names).
    TooManyRows {
        /// The mode the header showed.
        mode: Mode,
        /// Query rows in the file.
        rows: usize,
        /// The mode's limit.
        limit: usize,
    },
    #[error(
        "el archivo pesa {0} bytes; el máximo es 20 MB / the file is {0} bytes; the maximum is 20 MB"
    )]
    /// The file is larger than [`MAX_FILE_BYTES`]; its size in bytes.
    TooLarge(u64),
    #[error(
        "el archivo comprimido se expande a más de lo permitido / the archive expands beyond the limit"
    )]
    /// The zip's entries decompress to more bytes than [`crate::Limits`] allows.
    ZipBomb,
    /// The zip has more entries than allowed; the cap.
    #[error("el archivo contiene más de {0} partes / the archive has more than {0} entries")]
    TooManyEntries(u64),
    /// The workbook has more sheets than allowed; the cap.
    #[error("el libro tiene más de {0} hojas / the workbook has more than {0} sheets")]
    TooManySheets(u64),
    /// The workbook has more cells with data than allowed; the cap.
    #[error("el libro tiene más de {0} celdas con datos / the workbook has more than {0} cells")]
    TooManyCells(u64),
    #[error(
        "una celda tiene más de {EXCEL_MAX_CELL_CHARS} caracteres / a cell has more than {EXCEL_MAX_CELL_CHARS} characters"
    )]
    /// A cell is longer than Excel's own limit of [`EXCEL_MAX_CELL_CHARS`] characters.
    CellTooLong,
    /// The workbook's text, all cells together, is larger than allowed; the cap in bytes.
    #[error("el texto del libro excede {0} bytes / the workbook's text exceeds {0} bytes")]
    TextTooLarge(u64),
    #[error(
        "la estructura XML está anidada más de {0} niveles / the XML nests deeper than {0} levels"
    )]
    /// The XML nests deeper than allowed; the cap in levels.
    TooDeep(u64),
    #[error(
        "celda en la fila {row}, columna {col}, fuera de los límites de Excel / cell at row {row}, column {col}, beyond Excel's limits"
    )]
    /// A cell's reference is beyond Excel's last row or column.
    OutOfRange {
        /// The cell's row number.
        row: u64,
        /// The cell's column number.
        col: u64,
    },
    /// Reading took longer than the wall-clock limit; the limit in seconds.
    #[error("la lectura excedió {0} s / reading took more than {0} s")]
    TooSlow(u64),
    /// The file is encrypted (password-protected OOXML).
    #[error("el archivo está protegido con contraseña / the file is password-protected")]
    Encrypted,
    /// An Excel binary workbook (`.xlsb`), which is not read.
    #[error("libro binario de Excel (.xlsb) / Excel binary workbook (.xlsb)")]
    Xlsb,
    #[error(
        "los archivos .xls se leen solo en un proceso aislado / .xls files are read only in an isolated process"
    )]
    /// A legacy `.xls`, which is read only by the sandboxed child process ([`crate::sandbox`]).
    XlsNeedsIsolation,
    #[error(
        "la lectura alcanzó el límite de memoria o de CPU / reading hit the memory or CPU limit: {0}"
    )]
    /// The sandboxed reader hit its memory or CPU limit; which one.
    ParseLimit(String),
    /// The sandboxed reader crashed, was killed or answered nonsense; how.
    #[error("la lectura se interrumpió / reading stopped unexpectedly: {0}")]
    ParseFailed(String),
    /// Too many workbooks are being read at once; the file can be sent again later.
    #[error("hay demasiados archivos en lectura / too many files are being read")]
    Busy,
}

impl Refusal {
    /// The stable error code of this refusal.
    pub fn code(&self) -> ErrorCode {
        match self {
            Refusal::Unreadable(_) => ErrorCode::WorkbookUnreadable,
            Refusal::NoHeader { .. } => ErrorCode::WorkbookNoHeader,
            Refusal::Empty => ErrorCode::WorkbookEmpty,
            Refusal::TooManyRows { .. } => ErrorCode::WorkbookTooManyRows,
            Refusal::TooLarge(_) => ErrorCode::WorkbookTooLarge,
            Refusal::ZipBomb => ErrorCode::WorkbookZipBomb,
            Refusal::TooManyEntries(_) => ErrorCode::WorkbookTooManyEntries,
            Refusal::TooManySheets(_) => ErrorCode::WorkbookTooManySheets,
            Refusal::TooManyCells(_) => ErrorCode::WorkbookTooManyCells,
            Refusal::CellTooLong => ErrorCode::WorkbookCellTooLong,
            Refusal::TextTooLarge(_) => ErrorCode::WorkbookTextTooLarge,
            Refusal::TooDeep(_) => ErrorCode::WorkbookTooDeep,
            Refusal::OutOfRange { .. } => ErrorCode::WorkbookOutOfRange,
            Refusal::TooSlow(_) => ErrorCode::WorkbookTooSlow,
            Refusal::Encrypted => ErrorCode::WorkbookEncrypted,
            Refusal::Xlsb => ErrorCode::WorkbookXlsb,
            Refusal::XlsNeedsIsolation => ErrorCode::WorkbookXlsNeedsIsolation,
            Refusal::ParseLimit(_) => ErrorCode::WorkbookParseLimit,
            Refusal::ParseFailed(_) => ErrorCode::WorkbookParseFailed,
            Refusal::Busy => ErrorCode::WorkbookParserBusy,
        }
    }

    /// The no-header refusal, listing the columns of each mode.
    pub fn no_header() -> Refusal {
        Refusal::NoHeader {
            cui: titles_list(Mode::Cui),
            names: titles_list(Mode::Names),
        }
    }

    /// What in particular, in the person's language (may be empty).
    pub fn detail(&self, lang: Lang) -> String {
        let en = lang == Lang::En;
        match self {
            Refusal::Unreadable(cause)
            | Refusal::ParseLimit(cause)
            | Refusal::ParseFailed(cause) => cause.clone(),
            Refusal::TooLarge(n) => format!(
                "{:.1} MB / {} MB",
                *n as f64 / 1_048_576.0,
                MAX_FILE_BYTES / 1_048_576
            ),
            Refusal::NoHeader { cui, names } if en => {
                format!("By CUI: {cui}. By names: {names}.")
            }
            Refusal::NoHeader { cui, names } => format!("Por CUI: {cui}. Por nombres: {names}."),
            Refusal::TooManyRows { mode, rows, limit } if en => format!(
                "This file has {rows} rows by {}; the limit is {limit}. Split it into several files.",
                mode.label(lang)
            ),
            Refusal::TooManyRows { mode, rows, limit } => format!(
                "Este archivo tiene {rows} filas por {}; el límite es {limit}. Divídalo en varios archivos.",
                mode.label(lang)
            ),
            Refusal::OutOfRange { row, col } if en => format!("Row {row}, column {col}."),
            Refusal::OutOfRange { row, col } => format!("Fila {row}, columna {col}."),
            Refusal::TooManyEntries(n)
            | Refusal::TooManySheets(n)
            | Refusal::TooManyCells(n)
            | Refusal::TextTooLarge(n)
            | Refusal::TooDeep(n) => {
                if en {
                    format!("Limit: {n}.")
                } else {
                    format!("Límite: {n}.")
                }
            }
            Refusal::TooSlow(s) => format!("{s} s."),
            _ => String::new(),
        }
    }

    /// The stable sentence, then what in particular.
    pub fn explain(&self, lang: Lang) -> String {
        format!("{} {}", self.code().message(lang), self.detail(lang))
            .trim_end()
            .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_has_its_own_code_and_sentences() {
        let all = [
            Refusal::Unreadable(String::new()),
            Refusal::no_header(),
            Refusal::Empty,
            Refusal::TooManyRows {
                mode: Mode::Cui,
                rows: 1,
                limit: 1,
            },
            Refusal::TooLarge(1),
            Refusal::ZipBomb,
            Refusal::TooManyEntries(1),
            Refusal::TooManySheets(1),
            Refusal::TooManyCells(1),
            Refusal::CellTooLong,
            Refusal::TextTooLarge(1),
            Refusal::TooDeep(1),
            Refusal::OutOfRange { row: 1, col: 1 },
            Refusal::TooSlow(1),
            Refusal::Encrypted,
            Refusal::Xlsb,
            Refusal::XlsNeedsIsolation,
            Refusal::ParseLimit(String::new()),
            Refusal::ParseFailed(String::new()),
            Refusal::Busy,
        ];
        let codes: std::collections::HashSet<_> = all.iter().map(Refusal::code).collect();
        assert_eq!(codes.len(), all.len());
        for r in &all {
            assert_ne!(r.explain(Lang::Es), r.explain(Lang::En), "{r:?}");
        }
    }
}
