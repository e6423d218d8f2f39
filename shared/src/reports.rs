//! Reports over the API: what a coordinator may learn of a user's queries.
//!
//! A report says who queried, when, for which programme, how many rows and
//! how they came out by result; never whom they queried. The rows of a
//! query workbook are personal data of beneficiaries and stay out of it.

use serde::{Deserialize, Serialize};

use crate::queries::{JobState, QueryMode};

/// `GET /v1/reports/user-activity?cui=…&from=YYYY-MM-DD&to=YYYY-MM-DD`:
/// the queries one user of the coordinator's institution made between two
/// days, both included (UTC calendar days, like the monthly quota).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserActivityParams {
    /// CUI of the user whose queries are reported.
    pub cui: String,
    /// First day, `YYYY-MM-DD`, included.
    pub from: String,
    /// Last day, `YYYY-MM-DD`, included.
    pub to: String,
}

/// Rows of a query by result, in the order the result workbook lists them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ResultCounts {
    /// Rows matched to one registry record (`ENCONTRADO`).
    pub encontrado: u64,
    /// Rows with no registry record (`NO_ENCONTRADO`).
    pub no_encontrado: u64,
    /// Rows whose CUI fails the CUI rules (`CUI_INVALIDO`).
    pub cui_invalido: u64,
    /// Rows that fit several records equally (`AMBIGUO`).
    pub ambiguo: u64,
    /// Rows refused before matching, e.g. incomplete (`RECHAZADO`).
    pub rechazado: u64,
}

impl ResultCounts {
    /// Column names, as in the result workbook's `resultado` column.
    pub const NAMES: [&'static str; 5] = [
        "ENCONTRADO",
        "NO_ENCONTRADO",
        "CUI_INVALIDO",
        "AMBIGUO",
        "RECHAZADO",
    ];

    /// The counts in [`ResultCounts::NAMES`] order.
    pub fn as_array(&self) -> [u64; 5] {
        [
            self.encontrado,
            self.no_encontrado,
            self.cui_invalido,
            self.ambiguo,
            self.rechazado,
        ]
    }

    /// The counts from an array in [`ResultCounts::NAMES`] order (the
    /// engine's `RowOutcome::ALL` order).
    pub fn from_array(n: [u64; 5]) -> ResultCounts {
        let [encontrado, no_encontrado, cui_invalido, ambiguo, rechazado] = n;
        ResultCounts {
            encontrado,
            no_encontrado,
            cui_invalido,
            ambiguo,
            rechazado,
        }
    }

    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &ResultCounts) {
        self.encontrado += other.encontrado;
        self.no_encontrado += other.no_encontrado;
        self.cui_invalido += other.cui_invalido;
        self.ambiguo += other.ambiguo;
        self.rechazado += other.rechazado;
    }
}

/// Rows of one query that named a programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProgrammeRows {
    /// The programme, upper case with its spaces collapsed, as counted at upload.
    pub programme: String,
    /// Rows of the query that named it.
    pub rows: u64,
}

/// One query of the user, as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ActivityQuery {
    /// The query's id.
    pub id: String,
    /// When the upload was acknowledged (RFC 3339, UTC).
    pub submitted_at: String,
    /// When processing ended (RFC 3339, UTC); absent while queued or running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    /// The workstation's site.
    pub site: String,
    /// By CUI or by names.
    pub mode: QueryMode,
    /// Programmes named in the workbook, with their rows; empty for queries
    /// made before programmes were recorded.
    pub programmes: Vec<ProgrammeRows>,
    /// Query rows in the workbook.
    pub rows: u64,
    /// Where the query is (`EXPIRED`: done, files deleted).
    pub state: JobState,
    /// By result, once done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<ResultCounts>,
}

/// The answer to [`UserActivityParams`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserActivityReport {
    /// The institution's code.
    pub institution_code: String,
    /// The institution's name.
    pub institution_name: String,
    /// CUI of the user reported on.
    pub user_cui: String,
    /// The user's full name.
    pub user_name: String,
    /// The programme the user was registered for.
    pub user_programme: String,
    /// The user's status today (`ACTIVE`, `INACTIVE`, …).
    pub user_status: String,
    /// First day reported, `YYYY-MM-DD`.
    pub from: String,
    /// Last day reported, `YYYY-MM-DD`.
    pub to: String,
    /// When the report was made (RFC 3339, UTC).
    pub generated_at: String,
    /// Oldest first.
    pub queries: Vec<ActivityQuery>,
    /// Rows of the queries that did not fail (what the quota counts).
    pub rows_charged: u64,
    /// Results of all the queries listed, summed.
    pub results: ResultCounts,
}

impl UserActivityReport {
    /// Sums the rows charged and the results of `queries`.
    pub fn totals(queries: &[ActivityQuery]) -> (u64, ResultCounts) {
        let mut results = ResultCounts::default();
        let mut rows = 0;
        for q in queries {
            if q.state != JobState::Failed {
                rows += q.rows;
            }
            if let Some(r) = &q.results {
                results.add(r);
            }
        }
        (rows, results)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_the_stored_object_and_sum() {
        let stored = r#"{"ENCONTRADO": 7, "NO_ENCONTRADO": 2, "CUI_INVALIDO": 1,
            "AMBIGUO": 0, "RECHAZADO": 3}"#;
        let c = serde_json::from_str::<crate::queries::JobCounts>(stored)
            .unwrap()
            .results();
        assert_eq!(c.as_array(), [7, 2, 1, 0, 3]);
        assert_eq!(ResultCounts::from_array(c.as_array()), c);
        let mut total = c;
        total.add(&c);
        assert_eq!(total.as_array(), [14, 4, 2, 0, 6]);
    }

    #[test]
    fn failed_queries_are_not_charged() {
        let q = |state: JobState, rows| ActivityQuery {
            id: "x".into(),
            submitted_at: "2026-11-01T10:00:00.000Z".into(),
            finished_at: None,
            site: "Sede".into(),
            mode: QueryMode::Cui,
            programmes: vec![],
            rows,
            state,
            results: None,
        };
        let (rows, _) = UserActivityReport::totals(&[
            q(JobState::Done, 10),
            q(JobState::Failed, 5),
            q(JobState::Queued, 2),
        ]);
        assert_eq!(rows, 12);
    }
}
