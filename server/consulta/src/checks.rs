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
    /// An optional evidence column (`Sexo`, place of birth, `Año de
    /// nacimiento`, `Edad`) whose value is none the engine knows: matched
    /// without it.
    IgnoredValue(Column, String),
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
            RowIssue::IgnoredValue(c, v) if en => {
                format!("«{}»: «{v}» not recognised; matched without it", c.title())
            }
            RowIssue::IgnoredValue(c, v) => {
                format!("«{}»: «{v}» no reconocido; se consulta sin él", c.title())
            }
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
                self.evidence_issues(&mut issues);
            }
        }
        issues
    }

    /// The optional evidence values the engine will ignore (the same
    /// parsers as [`crate::queries`]).
    fn evidence_issues(&self, issues: &mut Vec<RowIssue>) {
        use crate::matching::evidence::{parse_department, parse_municipality, parse_sex};
        let mut ignored = |c: Column, t: String| {
            issues.push(RowIssue::IgnoredValue(c, t.chars().take(40).collect()))
        };
        let sex = self.text(Column::Sex);
        if parse_sex(&sex).is_err() {
            ignored(Column::Sex, sex);
        }
        let department = self.text(Column::BirthDepartment);
        let parsed = parse_department(&department);
        if parsed.is_err() {
            ignored(Column::BirthDepartment, department);
        }
        let municipality = self.text(Column::BirthMunicipality);
        let within = parsed.ok().flatten();
        if parse_municipality(&municipality, within.as_deref()).is_err() {
            ignored(Column::BirthMunicipality, municipality);
        }
        for (c, year, age) in [
            (
                Column::BirthYear,
                self.text(Column::BirthYear),
                String::new(),
            ),
            (Column::Age, String::new(), self.text(Column::Age)),
        ] {
            let typed = if year.is_empty() { &age } else { &year };
            if !typed.trim().is_empty() && crate::queries::birth_years(&year, &age).is_none() {
                ignored(c, typed.clone());
            }
        }
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
