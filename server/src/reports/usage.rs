//! A month of consumption for the registry admin: by institution and by
//! user, the institutions approaching cancellation, and the users the
//! January pass deactivated.

use std::collections::{BTreeMap, HashMap};

use padron_shared::calendar::Zone;
use padron_shared::queries::{JobState, QueryMode};
use padron_shared::reports::ResultCounts;
use time::Date;

use super::{charged, job_results};
use crate::error::ServerError;
use crate::institutions::calendar::Period;
use crate::institutions::lifecycle::{DAYS_WITHOUT_QUERIES, quiet_since};
use crate::store::{InstitutionStatus, JanuaryDeactivation, Store};

/// Days without queries from which an institution is listed as approaching
/// cancellation (a month's warning before the 90 days).
pub const APPROACHING_DAYS: i64 = 60;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstitutionUsage {
    pub code: String,
    pub name: String,
    pub status: InstitutionStatus,
    pub status_cause: Option<String>,
    pub monthly_quota: Option<i64>,
    /// Queries acknowledged in the month, failed ones included.
    pub queries: u64,
    pub failed: u64,
    /// Rows charged (queries that did not fail), by mode.
    pub rows_cui: u64,
    pub rows_names: u64,
    pub results: ResultCounts,
    pub active_users: u32,
    pub last_query_at: Option<String>,
}

impl InstitutionUsage {
    pub fn rows(&self) -> u64 {
        self.rows_cui + self.rows_names
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserUsage {
    pub institution_code: String,
    pub cui: String,
    pub name: String,
    pub programme: String,
    pub queries: u64,
    pub rows: u64,
    pub results: ResultCounts,
}

/// An institution that will be cancelled for lack of queries unless it
/// queries before `cancels_on`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approaching {
    pub code: String,
    pub name: String,
    pub status: String,
    pub since: Date,
    pub days: i64,
    pub cancels_on: Date,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageReport {
    pub month: Period,
    /// The day "approaching cancellation" is evaluated at.
    pub as_of: Date,
    pub generated_at: String,
    /// Every institution, by code, even those with no queries that month.
    pub institutions: Vec<InstitutionUsage>,
    /// Every person who queried that month, by institution and name.
    pub users: Vec<UserUsage>,
    pub approaching: Vec<Approaching>,
    /// The January pass of the month's year.
    pub january: Vec<JanuaryDeactivation>,
}

/// Institutions not cancelled that have gone [`APPROACHING_DAYS`] or more
/// without queries as of `as_of`, the longest-silent first.
pub fn approaching(
    store: &dyn Store,
    as_of: Date,
    zone: &Zone,
) -> Result<Vec<Approaching>, ServerError> {
    let names: HashMap<String, String> = store
        .institutions()?
        .into_iter()
        .map(|i| (i.code, i.name))
        .collect();
    let mut out = Vec::new();
    for facts in store.lifecycle_facts()? {
        if facts.status == InstitutionStatus::Cancelled.as_str() {
            continue;
        }
        let Some(since) = quiet_since(&facts, zone) else {
            continue;
        };
        let days = (as_of - since).whole_days();
        if days < APPROACHING_DAYS {
            continue;
        }
        out.push(Approaching {
            name: names.get(&facts.code).cloned().unwrap_or_default(),
            code: facts.code,
            status: facts.status,
            since,
            days,
            cancels_on: since + time::Duration::days(DAYS_WITHOUT_QUERIES),
        });
    }
    out.sort_by(|a, b| b.days.cmp(&a.days).then(a.code.cmp(&b.code)));
    Ok(out)
}

pub fn usage(
    store: &dyn Store,
    month: Period,
    as_of: Date,
    generated_at: &str,
    zone: &Zone,
) -> Result<UsageReport, ServerError> {
    let institutions = store.institutions()?;
    let jobs = store.jobs_between(None, None, &month.from_stamp(zone), &month.to_stamp(zone))?;

    let mut by_institution: HashMap<i64, InstitutionUsage> = HashMap::new();
    let mut by_user: BTreeMap<(i64, String), UserUsage> = BTreeMap::new();
    let mut people: HashMap<i64, HashMap<String, (String, String)>> = HashMap::new();
    for inst in &institutions {
        let agreement = store.agreement(&inst.code)?;
        let counts = store.institution_counts(&inst.code)?;
        by_institution.insert(
            inst.id,
            InstitutionUsage {
                code: inst.code.clone(),
                name: inst.name.clone(),
                status: inst.status,
                status_cause: inst.status_cause.clone(),
                monthly_quota: agreement.and_then(|a| a.monthly_quota),
                queries: 0,
                failed: 0,
                rows_cui: 0,
                rows_names: 0,
                results: ResultCounts::default(),
                active_users: counts.active_users,
                last_query_at: inst.last_query_at.clone(),
            },
        );
        let mut known: HashMap<String, (String, String)> = store
            .users(inst.id)?
            .into_iter()
            .map(|u| (u.cui, (u.full_name, u.programme)))
            .collect();
        for c in store.coordinators(Some(&inst.code))? {
            known
                .entry(c.cui.as_string())
                .or_insert((c.full_name, String::new()));
        }
        people.insert(inst.id, known);
    }

    for job in &jobs {
        let Some(inst) = by_institution.get_mut(&job.institution_id) else {
            continue;
        };
        let rows = charged(job);
        let results = job_results(job).unwrap_or_default();
        inst.queries += 1;
        if job.state == JobState::Failed {
            inst.failed += 1;
        }
        if job.mode == QueryMode::Names {
            inst.rows_names += rows;
        } else {
            inst.rows_cui += rows;
        }
        inst.results.add(&results);
        let user = by_user
            .entry((job.institution_id, job.user_cui.clone()))
            .or_insert_with(|| {
                let (name, programme) = people
                    .get(&job.institution_id)
                    .and_then(|p| p.get(&job.user_cui))
                    .cloned()
                    .unwrap_or_default();
                UserUsage {
                    institution_code: inst.code.clone(),
                    cui: job.user_cui.clone(),
                    name,
                    programme,
                    queries: 0,
                    rows: 0,
                    results: ResultCounts::default(),
                }
            });
        user.queries += 1;
        user.rows += rows;
        user.results.add(&results);
    }

    let mut institutions: Vec<InstitutionUsage> = by_institution.into_values().collect();
    institutions.sort_by(|a, b| a.code.cmp(&b.code));
    let mut users: Vec<UserUsage> = by_user.into_values().collect();
    users.sort_by(|a, b| {
        (&a.institution_code, &a.name, &a.cui).cmp(&(&b.institution_code, &b.name, &b.cui))
    });
    Ok(UsageReport {
        month,
        as_of,
        generated_at: generated_at.to_owned(),
        institutions,
        users,
        approaching: approaching(store, as_of, zone)?,
        january: store.january_deactivations(month.first.year())?,
    })
}
