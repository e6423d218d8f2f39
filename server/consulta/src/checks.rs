//! The row checks: what makes the server answer a row `RECHAZADO` or
//! `CUI_INVALIDO` before matching. The pre-check shows them by row number;
//! the server applies the rejecting ones.

use padron_shared::{Cui, Lang};

use crate::columns::{Column, Mode};
use crate::limits::MAX_CELL_CHARS;
use crate::{Row, Value};

/// What is wrong with one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowIssue {
    /// Rejects the row.
    MissingProgramme,
    /// Rejects the row: a used cell is longer than [`MAX_CELL_CHARS`].
    CellTooLong(Column),
    /// Answered `CUI_INVALIDO`.
    MissingCui,
    /// Answered `CUI_INVALIDO`.
    BadCui {
        /// Why the CUI is invalid, in Spanish.
        es: String,
        /// Why the CUI is invalid, in English.
        en: String,
    },
    /// Answered `RECHAZADO` by the engine.
    MissingName,
}

impl RowIssue {
    /// The problem as a sentence for a person, in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let en = lang == Lang::En;
        match self {
            RowIssue::MissingProgramme if en => "no social programme".into(),
            RowIssue::MissingProgramme => "falta el programa social".into(),
            RowIssue::CellTooLong(c) if en => format!(
                "the cell «{}» exceeds {MAX_CELL_CHARS} characters",
                c.title()
            ),
            RowIssue::CellTooLong(c) => format!(
                "la celda «{}» excede {MAX_CELL_CHARS} caracteres",
                c.title()
            ),
            RowIssue::MissingCui if en => "no CUI".into(),
            RowIssue::MissingCui => "falta el CUI".into(),
            RowIssue::BadCui { en: text, .. } if en => text.clone(),
            RowIssue::BadCui { es, .. } => es.clone(),
            RowIssue::MissingName if en => "first given name or first surname missing".into(),
            RowIssue::MissingName => "falta el primer nombre o el primer apellido".into(),
        }
    }

    /// Whether the server rejects the row for this before any matching.
    pub fn rejects_row(&self) -> bool {
        matches!(self, RowIssue::MissingProgramme | RowIssue::CellTooLong(_))
    }
}

impl Row {
    /// Every issue of the row, rejecting ones first.
    pub fn issues(&self, mode: Mode) -> Vec<RowIssue> {
        let mut issues = Vec::new();
        if let Some(c) = self.too_long() {
            issues.push(RowIssue::CellTooLong(c));
        }
        if self.text(Column::Programme).is_empty() {
            issues.push(RowIssue::MissingProgramme);
        }
        match mode {
            Mode::Cui => {
                let cui = self.cui_text();
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
                if self.text(Column::Given1).is_empty() || self.text(Column::Surname1).is_empty() {
                    issues.push(RowIssue::MissingName);
                }
            }
        }
        issues
    }

    /// The sentence the server answers a rejected row with, if it is rejected.
    pub fn rejection(&self) -> Option<String> {
        // A long cell names the cell; it takes precedence.
        if let Some(c) = self.too_long() {
            return Some(RowIssue::CellTooLong(c).text(Lang::Es));
        }
        if self.text(Column::Programme).is_empty() {
            return Some(RowIssue::MissingProgramme.text(Lang::Es));
        }
        None
    }

    /// Whether the row has something in any used column.
    pub(crate) fn blank(cells: &[(Column, Value)]) -> bool {
        cells.iter().all(|(_, v)| v.is_blank())
    }
}
