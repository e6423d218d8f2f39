//! Consulta Social over the API: a query job as its owner sees it.

use serde::{Deserialize, Serialize};

/// `GET /v1/queries/{id}` and the answer to an upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QueryJob {
    /// The query job's id.
    pub id: String,
    /// `QUEUED`, `RUNNING`, `DONE`, `FAILED` or `EXPIRED`.
    pub state: String,
    /// While queued: how many jobs are ahead (0 = next).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jobs_ahead: Option<i64>,
    /// 0–100.
    pub progress_percent: u8,
    /// `CUI` or `NAMES`.
    pub mode: String,
    /// Query rows in the workbook.
    pub rows: i64,
    /// The uploaded file's name, as the user's machine gave it.
    pub file_name: String,
    /// CUI of the user who uploaded it.
    pub user_cui: String,
    /// Rows by result (`ENCONTRADO`, …) once done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<serde_json::Value>,
    /// For `FAILED`: the stable error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_code: Option<String>,
    /// For `FAILED`: the code's sentence, in the caller's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_message: Option<String>,
    /// When the upload was acknowledged (RFC 3339, UTC).
    pub created_at: String,
    /// When processing ended (RFC 3339, UTC); absent while queued or running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
}

/// `GET /v1/queries/{id}/attention`: a row of a finished job that needs a
/// person's look (anything but a clean find, or a person who has died),
/// for the kiosk's preview. Only the job's owner gets it, as the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttentionRow {
    /// The spreadsheet's row number.
    pub row: u32,
    /// The row's reference, as in the institution's workbook.
    pub reference: String,
    /// `NO_ENCONTRADO`, `AMBIGUO`, `CUI_INVALIDO`, `RECHAZADO`, or
    /// `ENCONTRADO` for a deceased person.
    pub outcome: String,
    /// The person has died.
    pub deceased: bool,
    /// The result workbook's `observaciones`.
    pub notes: String,
    /// For a doubtful match: its candidates, most probable first
    /// (`NAMES · CUI · 87 %`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<String>,
}

/// At most this many rows are previewed (the workbook has them all).
pub const MAX_ATTENTION_ROWS: usize = 200;
