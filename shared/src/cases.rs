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

crate::wire_names! {
    /// Where a follow-up case is at the registry's desk.
    pub enum CaseState ("case state") {
        /// Received, no row answered yet.
        Recibido = "RECIBIDO",
        /// The registry has answered a row.
        EnProceso = "EN_PROCESO",
        /// Closed by the registry.
        Cerrado = "CERRADO",
    }
}

/// One row of the case as the coordinator sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseRowInput {
    /// The row's position in the result sheet `resultados` (1 = first row under the header).
    pub fila: u32,
    /// The row's reference, as in the result (checked against it).
    pub referencia: String,
    /// Where the person lives or can be found.
    #[serde(default)]
    pub direccion: String,
    /// The person's community.
    #[serde(default)]
    pub comunidad: String,
    /// The person's municipality.
    #[serde(default)]
    pub municipio: String,
    /// A telephone number to reach the person.
    #[serde(default)]
    pub telefono: String,
    /// Anything else that helps locate the person.
    #[serde(default)]
    pub observaciones: String,
}

/// What the card signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CasePayload {
    /// Always [`CASE_FORMAT`].
    pub format: String,
    /// The installation the case is for (checked by the server, so a signed case only counts here).
    pub installation: String,
    /// Code of the institution the coordinator acts for.
    pub institution: String,
    /// UUIDv4 chosen by the agent: the case's id.
    pub case_id: String,
    /// The finished query the rows come from.
    pub job_id: String,
    /// RFC 3339, UTC, when the coordinator signed.
    pub created_at: String,
    /// The enrolled workstation the coordinator signed at.
    pub workstation_id: i64,
    /// The unresolved rows sent, with what is known to locate each person.
    pub rows: Vec<CaseRowInput>,
}

/// A row of a finished job that the registry could not resolve: what a case may hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UnresolvedRow {
    /// The row's position in the result sheet `resultados`.
    pub fila: u32,
    /// The row's reference, as in the result.
    pub referencia: String,
    /// `NO_ENCONTRADO` or `AMBIGUO`.
    pub resultado: String,
    /// What the institution asked for that row (the CUI, or the names and date).
    pub consulta: String,
}

/// A case row with the registry's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseRowView {
    /// The row as the coordinator sent it.
    #[serde(flatten)]
    pub input: CaseRowInput,
    /// The row's result in the query (`NO_ENCONTRADO` or `AMBIGUO`).
    pub resultado: String,
    /// What the institution asked for that row (the CUI, or the names and date).
    pub consulta: String,
    /// `VERIFIED`, `NOT_FOUND`, `VISIT_NEEDED`, or none yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// For `VERIFIED`: the person's CUI, which the institution can now query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome_cui: Option<String>,
    /// The registry's note on the outcome, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// RFC 3339, UTC, when the registry last recorded the row's outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// A case as its institution's coordinators (and the registry) see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseView {
    /// The case's id (the UUID the agent chose).
    pub id: String,
    /// Code of the institution that sent the case.
    pub institution: String,
    /// The finished query the rows come from.
    pub job_id: String,
    /// CUI of the coordinator who signed the case.
    pub coordinator_cui: String,
    /// Where the case is.
    pub state: CaseState,
    /// RFC 3339, UTC, when the registry received the case.
    pub received_at: String,
    /// RFC 3339, UTC, when the registry began work on it (`EN_PROCESO`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_process_at: Option<String>,
    /// RFC 3339, UTC, when the case was closed (`CERRADO`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<String>,
    /// How many rows the case holds.
    pub rows_total: u32,
    /// How many of them have an outcome from the registry.
    pub rows_answered: u32,
    /// The rows (empty in a list; empty once purged after retention).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<CaseRowView>,
    /// The rows' personal data was deleted after the retention period.
    #[serde(default)]
    pub purged: bool,
}
