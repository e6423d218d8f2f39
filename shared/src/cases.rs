//! Follow-up cases (seed 000, 6.1.6): rows of a finished query the registry
//! could not resolve, sent by a coordinator, signed with the card, to the
//! registry's identity-verification desk with what is known to locate each
//! person. Signed like a user request: canonical JSON, bytes kept as signed.

use serde::{Deserialize, Serialize};

/// `format` of a signed case payload.
pub const CASE_FORMAT: &str = "padron-case:1";
/// At most this many rows in one case.
pub const MAX_CASE_ROWS: usize = 500;
/// Longest text of a locating field.
pub const MAX_CASE_FIELD_CHARS: usize = 300;

/// One row of the case as the coordinator sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseRowInput {
    /// The row's position in the result sheet `resultados` (1 = first row under the header).
    pub fila: u32,
    /// The row's reference, as in the result (checked against it).
    pub referencia: String,
    #[serde(default)]
    pub direccion: String,
    #[serde(default)]
    pub comunidad: String,
    #[serde(default)]
    pub municipio: String,
    #[serde(default)]
    pub telefono: String,
    #[serde(default)]
    pub observaciones: String,
}

/// What the card signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasePayload {
    /// Always [`CASE_FORMAT`].
    pub format: String,
    pub installation: String,
    pub institution: String,
    /// UUIDv4 chosen by the agent: the case's id.
    pub case_id: String,
    /// The finished query the rows come from.
    pub job_id: String,
    /// RFC 3339, UTC, when the coordinator signed.
    pub created_at: String,
    pub workstation_id: i64,
    pub rows: Vec<CaseRowInput>,
}

/// A row of a finished job that the registry could not resolve: what a case may hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnresolvedRow {
    pub fila: u32,
    pub referencia: String,
    /// `NO_ENCONTRADO` or `AMBIGUO`.
    pub resultado: String,
    /// What the institution asked for that row (the CUI, or the names and date).
    pub consulta: String,
}

/// A case row with the registry's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRowView {
    #[serde(flatten)]
    pub input: CaseRowInput,
    pub resultado: String,
    pub consulta: String,
    /// `VERIFIED`, `NOT_FOUND`, `VISIT_NEEDED`, or none yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// For `VERIFIED`: the person's CUI, which the institution can now query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome_cui: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// A case as its institution's coordinators (and the registry) see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    pub id: String,
    pub institution: String,
    pub job_id: String,
    pub coordinator_cui: String,
    /// `RECIBIDO`, `EN_PROCESO`, `CERRADO`.
    pub state: String,
    pub received_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_process_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<String>,
    pub rows_total: u32,
    pub rows_answered: u32,
    /// The rows (empty in a list; empty once purged after retention).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<CaseRowView>,
    /// The rows' personal data was deleted after the retention period.
    #[serde(default)]
    pub purged: bool,
}
