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
    Unreadable(String),
    #[error(
        "no se encontró la fila de encabezados. Por CUI: {cui}. Por nombres: {names} / no header row found"
    )]
    NoHeader { cui: String, names: String },
    #[error("el archivo no contiene filas para consultar / the file contains no rows to query")]
    Empty,
    #[error(
        "el archivo tiene {rows} filas; el límite por {} es {limit} / the file has {rows} rows; the limit is {limit}",
        mode.label(Lang::Es)
    )]
    TooManyRows {
        mode: Mode,
        rows: usize,
        limit: usize,
    },
    #[error(
        "el archivo pesa {0} bytes; el máximo es 20 MB / the file is {0} bytes; the maximum is 20 MB"
    )]
    TooLarge(u64),
    #[error(
        "el archivo comprimido se expande a más de lo permitido / the archive expands beyond the limit"
    )]
    ZipBomb,
    #[error("el archivo contiene más de {0} partes / the archive has more than {0} entries")]
    TooManyEntries(u64),
    #[error("el libro tiene más de {0} hojas / the workbook has more than {0} sheets")]
    TooManySheets(u64),
    #[error("el libro tiene más de {0} celdas con datos / the workbook has more than {0} cells")]
    TooManyCells(u64),
    #[error(
        "una celda tiene más de {EXCEL_MAX_CELL_CHARS} caracteres / a cell has more than {EXCEL_MAX_CELL_CHARS} characters"
    )]
    CellTooLong,
    #[error("el texto del libro excede {0} bytes / the workbook's text exceeds {0} bytes")]
    TextTooLarge(u64),
    #[error(
        "la estructura XML está anidada más de {0} niveles / the XML nests deeper than {0} levels"
    )]
    TooDeep(u64),
    #[error(
        "celda en la fila {row}, columna {col}, fuera de los límites de Excel / cell at row {row}, column {col}, beyond Excel's limits"
    )]
    OutOfRange { row: u64, col: u64 },
    #[error("la lectura excedió {0} s / reading took more than {0} s")]
    TooSlow(u64),
    #[error("el archivo está protegido con contraseña / the file is password-protected")]
    Encrypted,
    #[error("libro binario de Excel (.xlsb) / Excel binary workbook (.xlsb)")]
    Xlsb,
    #[error(
        "los archivos .xls se leen solo en un proceso aislado / .xls files are read only in an isolated process"
    )]
    XlsNeedsIsolation,
    #[error(
        "la lectura alcanzó el límite de memoria o de CPU / reading hit the memory or CPU limit: {0}"
    )]
    ParseLimit(String),
    #[error("la lectura se interrumpió / reading stopped unexpectedly: {0}")]
    ParseFailed(String),
    #[error("hay demasiados archivos en lectura / too many files are being read")]
    Busy,
}

impl Refusal {
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
