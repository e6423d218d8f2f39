//! Consulta Social over the API: a query job as its owner sees it.

use serde::{Deserialize, Serialize};

use crate::reports::ResultCounts;

crate::wire_names! {
    /// Where a query job is in its life.
    pub enum JobState ("job state") {
        /// Acknowledged, waiting its turn.
        Queued = "QUEUED",
        /// A worker holds it.
        Running = "RUNNING",
        /// Finished: the result can be downloaded.
        Done = "DONE",
        /// Finished without a result (`fail_code` says why).
        Failed = "FAILED",
        /// Finished, and its files deleted after retention.
        Expired = "EXPIRED",
    }
}

impl JobState {
    /// Queued or running: the queue is not done with it.
    pub fn is_unfinished(self) -> bool {
        matches!(self, JobState::Queued | JobState::Running)
    }
}

crate::wire_names! {
    /// How the rows of a query name a person.
    pub enum QueryMode ("query mode") {
        /// By CUI.
        Cui = "CUI",
        /// By names (and date of birth).
        Names = "NAMES",
    }
}

/// The rows of a finished job by result, as the job stores them and
/// `QueryJob::counts` shows them: `{"ENCONTRADO": n, …}`. The fields are
/// in the order of their names, the order the stored text has always had.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobCounts {
    /// Rows that fit several records equally.
    #[serde(rename = "AMBIGUO", default)]
    pub ambiguo: u64,
    /// Rows whose CUI fails the CUI rules.
    #[serde(rename = "CUI_INVALIDO", default)]
    pub cui_invalido: u64,
    /// Not a result of its own: `ENCONTRADO` rows whose person is in
    /// another row too (`duplicado_de`); absent for a consulta individual.
    #[serde(
        rename = "DUPLICADOS",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub duplicados: Option<u64>,
    /// Rows matched to one registry record.
    #[serde(rename = "ENCONTRADO", default)]
    pub encontrado: u64,
    /// Not a result of its own: found rows whose person has died; absent
    /// for a consulta individual and for jobs finished before it was counted.
    #[serde(rename = "FALLECIDO", default, skip_serializing_if = "Option::is_none")]
    pub fallecido: Option<u64>,
    /// Rows with no registry record.
    #[serde(rename = "NO_ENCONTRADO", default)]
    pub no_encontrado: u64,
    /// Rows refused before matching.
    #[serde(rename = "RECHAZADO", default)]
    pub rechazado: u64,
}

impl JobCounts {
    /// Counts of the five results, without the extras.
    pub fn from_results(r: ResultCounts) -> JobCounts {
        JobCounts {
            ambiguo: r.ambiguo,
            cui_invalido: r.cui_invalido,
            duplicados: None,
            encontrado: r.encontrado,
            fallecido: None,
            no_encontrado: r.no_encontrado,
            rechazado: r.rechazado,
        }
    }

    /// The five results, as reports show them.
    pub fn results(&self) -> ResultCounts {
        ResultCounts {
            encontrado: self.encontrado,
            no_encontrado: self.no_encontrado,
            cui_invalido: self.cui_invalido,
            ambiguo: self.ambiguo,
            rechazado: self.rechazado,
        }
    }
}

/// `GET /v1/queries?limit=N&before=ID`: one page of the caller's jobs,
/// newest first. A kiosk polls the first page only; a long history is read
/// page by page (`before` = the last id of the previous page), so an
/// answer's size does not grow with the years of uploads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobListParams {
    /// Jobs in the page, 1 to 500 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// Only jobs older than this one (the last id of the previous page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
}

impl JobListParams {
    /// A page when none is asked for.
    pub const DEFAULT_LIMIT: u32 = 50;
    /// The largest page one answer carries.
    pub const MAX_LIMIT: u32 = 500;

    /// The page size asked for, if it is one the server gives.
    pub fn page_size(&self) -> Option<u32> {
        match self.limit {
            None => Some(Self::DEFAULT_LIMIT),
            Some(n) if (1..=Self::MAX_LIMIT).contains(&n) => Some(n),
            Some(_) => None,
        }
    }
}

/// `GET /v1/queries/{id}` and the answer to an upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QueryJob {
    /// The query job's id.
    pub id: String,
    /// Where the job is in its life.
    pub state: JobState,
    /// While queued: how many jobs are ahead (0 = next).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jobs_ahead: Option<i64>,
    /// 0–100.
    pub progress_percent: u8,
    /// By CUI or by names.
    pub mode: QueryMode,
    /// Query rows in the workbook.
    pub rows: i64,
    /// The uploaded file's name, as the user's machine gave it.
    pub file_name: String,
    /// CUI of the user who uploaded it.
    pub user_cui: String,
    /// Rows by result (`ENCONTRADO`, …) once done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<JobCounts>,
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_keep_the_stored_text() {
        // What the worker has always stored (keys in order, extras included)
        // and what a consulta individual stores (no extras).
        let batch = r#"{"AMBIGUO":1,"CUI_INVALIDO":0,"DUPLICADOS":3,"ENCONTRADO":7,"FALLECIDO":2,"NO_ENCONTRADO":2,"RECHAZADO":1}"#;
        let one =
            r#"{"AMBIGUO":0,"CUI_INVALIDO":0,"ENCONTRADO":1,"NO_ENCONTRADO":0,"RECHAZADO":0}"#;
        for text in [batch, one] {
            let c: JobCounts = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&c).unwrap(), text);
        }
        let c: JobCounts = serde_json::from_str(batch).unwrap();
        assert_eq!(c.results().as_array(), [7, 2, 0, 1, 1]);
        assert_eq!(JobCounts::from_results(c.results()).duplicados, None);
    }
}
