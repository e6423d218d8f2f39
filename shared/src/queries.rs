//! Consulta Social over the API: a query job as its owner sees it.

use serde::{Deserialize, Serialize};

/// `GET /v1/queries/{id}` and the answer to an upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QueryJob {
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
    pub rows: i64,
    pub file_name: String,
    pub user_cui: String,
    /// Rows by result (`ENCONTRADO`, …) once done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_message: Option<String>,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
}
