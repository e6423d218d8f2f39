//! One user's queries over a period, for the coordinator of the institution.

use std::collections::HashMap;

use padron_shared::Cui;
use padron_shared::reports::{ActivityQuery, UserActivityReport};

use super::{job_programmes, job_results};
use crate::error::ServerError;
use crate::institutions::calendar::Period;
use crate::store::{Store, StoreError};
use padron_shared::calendar::Zone;

/// Who the person is to the institution: a user (any status, even
/// removed: their past queries stay reportable) or a coordinator.
fn person(
    store: &dyn Store,
    institution_id: i64,
    institution_code: &str,
    cui: &Cui,
) -> Result<(String, String, String), ServerError> {
    let text = cui.as_string();
    if let Some(u) = store
        .users(institution_id)?
        .into_iter()
        .find(|u| u.cui == text)
    {
        let status = if u.blocked {
            "BLOCKED".to_owned()
        } else {
            u.status
        };
        return Ok((u.full_name, u.programme, status));
    }
    if let Some(c) = store
        .coordinators(Some(institution_code))?
        .into_iter()
        .find(|c| c.cui == *cui)
    {
        let status = if c.active { "ACTIVE" } else { "INACTIVE" };
        return Ok((c.full_name, String::new(), status.to_owned()));
    }
    Err(ServerError::UserUnknown(text))
}

/// The report of `cui`'s queries in `period`, for an institution. A person
/// who is not a user or coordinator of that institution is `USER_UNKNOWN`,
/// whether or not they exist elsewhere.
pub fn user_activity(
    store: &dyn Store,
    institution_id: i64,
    cui: &Cui,
    period: Period,
    zone: &Zone,
    generated_at: &str,
) -> Result<UserActivityReport, ServerError> {
    let institution = store
        .institution_by_id(institution_id)?
        .ok_or_else(|| StoreError::InstitutionUnknown(institution_id.to_string()))?;
    let (user_name, user_programme, user_status) =
        person(store, institution_id, &institution.code, cui)?;
    let jobs = store.jobs_between(
        Some(institution_id),
        Some(&cui.as_string()),
        &period.from_stamp(zone),
        &period.to_stamp(zone),
    )?;
    let mut sites: HashMap<i64, String> = HashMap::new();
    let mut queries = Vec::with_capacity(jobs.len());
    for job in &jobs {
        let site = match sites.entry(job.workstation_id) {
            std::collections::hash_map::Entry::Occupied(e) => e.get().clone(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let site = store
                    .workstation(job.workstation_id)?
                    .map(|w| w.site)
                    .unwrap_or_default();
                e.insert(site).clone()
            }
        };
        queries.push(ActivityQuery {
            id: job.id.clone(),
            submitted_at: job.created_at.clone(),
            finished_at: job.finished_at.clone(),
            site,
            mode: job.mode,
            programmes: job_programmes(job),
            rows: job.rows.max(0) as u64,
            state: job.state,
            results: job_results(job),
        });
    }
    let (rows_charged, results) = UserActivityReport::totals(&queries);
    Ok(UserActivityReport {
        institution_code: institution.code,
        institution_name: institution.name,
        user_cui: cui.as_string(),
        user_name,
        user_programme,
        user_status,
        from: period.first.to_string(),
        to: period.last().to_string(),
        generated_at: generated_at.to_owned(),
        queries,
        rows_charged,
        results,
    })
}
