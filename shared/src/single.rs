//! Consulta individual (DOMAIN.md: the other registry's service answers one
//! query at a time, online): one person verified while they stand at the
//! desk, by CUI or by names, always for a programme.

use serde::{Deserialize, Serialize};

use crate::queries::QueryMode;

/// `POST /v1/queries/one`. Exactly one of `cui` and `names`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OneQuery {
    /// The social programme the query is for (required, as on a workbook row).
    pub programme: String,
    /// The person's CUI (13 digits).
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PersonFields {
    /// The person's CUI.
    pub cui: String,
    /// First given name.
    pub primer_nombre: String,
    /// Second given name.
    pub segundo_nombre: String,
    /// Third given name.
    pub tercer_nombre: String,
    /// First surname.
    pub primer_apellido: String,
    /// Second surname.
    pub segundo_apellido: String,
    /// Married surname.
    pub apellido_casada: String,
    /// Sex, as the registry records it.
    pub sexo: String,
    /// Country of birth.
    pub pais_nacimiento: String,
    /// Department of birth.
    pub departamento_nacimiento: String,
    /// Municipality of birth.
    pub municipio_nacimiento: String,
    /// Date of birth.
    pub fecha_nacimiento: String,
    /// The registry records the person as deceased.
    pub fallecido: bool,
    /// Date of death, for a deceased person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fecha_defuncion: Option<String>,
    /// Date the death was registered, for a deceased person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fecha_inscripcion_defuncion: Option<String>,
}

/// A candidate of a dudosa (`AMBIGUO`) answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OneCandidate {
    /// Probability in percent, one decimal, as `puntaje` in a workbook.
    pub puntaje: f64,
    /// The candidate's fields a–o.
    pub person: PersonFields,
    /// What tells this candidate apart from the others.
    pub lo_distingue: String,
}

/// The answer: the same as a workbook row, with its result and score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OneAnswer {
    /// The query's id (its row in the query log; in reports like a workbook of one row).
    pub id: String,
    /// By CUI or by names.
    pub mode: QueryMode,
    /// The social programme the query was for.
    pub programme: String,
    /// The institution's reference for the person, echoed back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// `ENCONTRADO`, `NO_ENCONTRADO`, `CUI_INVALIDO`, `AMBIGUO` or `RECHAZADO`.
    pub resultado: String,
    /// Probability in percent, one decimal, as `puntaje` in a workbook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub puntaje: Option<f64>,
    /// The person's fields, when the query found one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<PersonFields>,
    /// For `AMBIGUO`: the candidates, most probable first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<OneCandidate>,
    /// The row's `observaciones`, as in a workbook.
    pub observaciones: String,
    /// How a names query was read (given names / surnames), for the clerk to check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_as: Option<String>,
    /// RFC 3339, UTC, when the query was answered.
    pub at: String,
}
