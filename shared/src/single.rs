//! Consulta individual (DOMAIN.md: the other registry's service answers one
//! query at a time, online): one person verified while they stand at the
//! desk, by CUI or by names, always for a programme.

use serde::{Deserialize, Serialize};

/// `POST /v1/queries/one`. Exactly one of `cui` and `names`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneQuery {
    /// The social programme the query is for (required, as on a workbook row).
    pub programme: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cui: Option<String>,
    /// Given names then surnames, as one text. A comma separates them
    /// exactly (`MARÍA JUANA, XICAY CHAVAJAY`); without one, the last two
    /// words (compound surnames such as DE LEÓN kept whole) are the surnames.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub names: Option<String>,
    /// Date of birth when known: `dd/mm/aaaa` (or `aaaa-mm-dd`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth: Option<String>,
    /// The institution's own reference for the person (optional, echoed back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// Fields a–o of a result row (DOMAIN.md, "Consulta Social"). Dates are `YYYY-MM-DD`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonFields {
    pub cui: String,
    pub primer_nombre: String,
    pub segundo_nombre: String,
    pub tercer_nombre: String,
    pub primer_apellido: String,
    pub segundo_apellido: String,
    pub apellido_casada: String,
    pub sexo: String,
    pub pais_nacimiento: String,
    pub departamento_nacimiento: String,
    pub municipio_nacimiento: String,
    pub fecha_nacimiento: String,
    pub fallecido: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fecha_defuncion: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fecha_inscripcion_defuncion: Option<String>,
}

/// A candidate of a dudosa (`AMBIGUO`) answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OneCandidate {
    /// Probability in percent, one decimal, as `puntaje` in a workbook.
    pub puntaje: f64,
    pub person: PersonFields,
    /// What tells this candidate apart from the others.
    pub lo_distingue: String,
}

/// The answer: the same as a workbook row, with its result and score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OneAnswer {
    /// The query's id (its row in the query log; in reports like a workbook of one row).
    pub id: String,
    /// `CUI` or `NAMES`.
    pub mode: String,
    pub programme: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// `ENCONTRADO`, `NO_ENCONTRADO`, `CUI_INVALIDO`, `AMBIGUO` or `RECHAZADO`.
    pub resultado: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub puntaje: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<PersonFields>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<OneCandidate>,
    pub observaciones: String,
    /// How a names query was read (given names / surnames), for the clerk to check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_as: Option<String>,
    pub at: String,
}
