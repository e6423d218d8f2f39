//! The lifecycle pass: which institutions are cancelled and whose users are
//! deactivated, as of a date (DOMAIN.md, "Institution status", "Users").
//!
//! - an agreement that ended before the date cancels the institution;
//! - 90 days or more without queries (counted from the last query, or from
//!   the agreement's start or the registration if there was none) cancel it;
//! - the first pass in January deactivates the users of every institution
//!   that did not ask for continuity that year (coordinators stay).
//!
//! Runs daily inside `serve` and on demand (`lifecycle run --at DATE`).
//! Days are the registry's local days (`[calendar] time_zone`): a query at
//! 23:30 on 31 March in Guatemala counts on 31 March though its stamp is
//! 1 April, and "January" starts at local midnight.

use padron_shared::calendar::Zone;
use serde_json::json;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use crate::audit::AuditRecord;
use crate::clock::timestamp;
use crate::error::ServerError;
use crate::store::{InstitutionStatus, LifecycleFacts, Store};

/// Days without queries that cancel an institution.
pub const DAYS_WITHOUT_QUERIES: i64 = 90;

/// One change the pass made, for the admin's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub institution: String,
    /// `AGREEMENT_EXPIRED`, `NO_QUERIES_90_DAYS` or `JANUARY_DEACTIVATION`.
    pub cause: String,
    /// The date the cause refers to, or the number of users deactivated.
    pub note: String,
}

fn date_of(text: &str) -> Option<Date> {
    Date::parse(text.get(..10)?, format_description!("[year]-[month]-[day]")).ok()
}

/// The local day of a stored stamp (or a plain `YYYY-MM-DD` date as it is).
fn local_day(text: &str, zone: &Zone) -> Option<Date> {
    match padron_shared::calendar::parse_stamp(text) {
        Some(at) => Some(zone.date_of(at)),
        None => date_of(text),
    }
}

/// Evaluates every rule as of `at`, in `zone`'s days; returns what changed.
pub fn run(
    store: &dyn Store,
    at: OffsetDateTime,
    zone: &Zone,
    actor: &str,
) -> Result<Vec<Change>, ServerError> {
    let today = zone.date_of(at);
    let stamp = timestamp(at);
    let audit = |institution: &str, cause: &str, note: &str| AuditRecord {
        at: stamp.clone(),
        actor: actor.to_owned(),
        workstation_id: None,
        action: "lifecycle.change".to_owned(),
        subject: format!("institution:{institution}"),
        outcome: "ok".to_owned(),
        detail: json!({ "cause": cause, "note": note, "as_of": today.to_string() }),
    };
    let mut changes = Vec::new();
    for facts in store.lifecycle_facts()? {
        if facts.status == InstitutionStatus::Cancelled.as_str() {
            continue;
        }
        if let Some((cause, note)) = cancellation(&facts, zone, today) {
            store.set_institution_status(
                &facts.code,
                InstitutionStatus::Cancelled,
                Some(cause),
                Some(&note),
                &stamp,
                &audit(&facts.code, cause, &note),
            )?;
            changes.push(Change {
                institution: facts.code.clone(),
                cause: cause.to_owned(),
                note,
            });
        }
    }
    if today.month() == time::Month::January
        && store.mark_once(&format!("january:{}", today.year()), &stamp)?
    {
        for facts in store.lifecycle_facts()? {
            if facts.continuity_years.contains(&today.year()) {
                continue;
            }
            let n = store.deactivate_users(
                &facts.code,
                today.year(),
                &stamp,
                &audit(
                    &facts.code,
                    "JANUARY_DEACTIVATION",
                    &today.year().to_string(),
                ),
            )?;
            if n > 0 {
                changes.push(Change {
                    institution: facts.code.clone(),
                    cause: "JANUARY_DEACTIVATION".to_owned(),
                    note: n.to_string(),
                });
            }
        }
    }
    Ok(changes)
}

/// Why an institution is cancelled as of `today`, with the date that says so.
fn cancellation(
    facts: &LifecycleFacts,
    zone: &Zone,
    today: Date,
) -> Option<(&'static str, String)> {
    if let Some(agreement) = &facts.agreement
        && let Some(end) = date_of(&agreement.ends_on)
        && end < today
    {
        return Some(("AGREEMENT_EXPIRED", end.to_string()));
    }
    let since = quiet_since(facts, zone)?;
    ((today - since).whole_days() >= DAYS_WITHOUT_QUERIES)
        .then(|| ("NO_QUERIES_90_DAYS", since.to_string()))
}

/// The day the count of days without queries starts: the last query, or
/// the agreement's start or the registration if there was none.
pub fn quiet_since(facts: &LifecycleFacts, zone: &Zone) -> Option<Date> {
    facts
        .last_query_at
        .as_deref()
        .and_then(|t| local_day(t, zone))
        .or_else(|| {
            let created = local_day(&facts.created_at, zone);
            let started = facts.agreement.as_ref().and_then(|a| date_of(&a.starts_on));
            created.max(started)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Agreement;
    use time::macros::date;

    fn gt() -> Zone {
        Zone::guatemala()
    }

    fn facts(last_query: Option<&str>, ends_on: &str) -> LifecycleFacts {
        LifecycleFacts {
            code: "MIDES".into(),
            status: "ACTIVE".into(),
            status_cause: None,
            created_at: "2026-01-01T00:00:00.000Z".into(),
            last_query_at: last_query.map(str::to_owned),
            agreement: Some(Agreement {
                institution_code: "MIDES".into(),
                starts_on: "2026-01-01".into(),
                ends_on: ends_on.into(),
                service_cui: true,
                service_names: true,
                monthly_quota: None,
            }),
            continuity_years: vec![],
        }
    }

    /// A last query at 23:30 local on 1 March (2 March in UTC) starts the
    /// count on 1 March: day 90 is 30 May, not 31 May.
    #[test]
    fn the_ninety_days_count_local_days() {
        let f = facts(Some("2026-03-02T05:30:00.000Z"), "2030-12-31");
        assert_eq!(cancellation(&f, &gt(), date!(2026 - 05 - 29)), None);
        assert_eq!(
            cancellation(&f, &gt(), date!(2026 - 05 - 30)),
            Some(("NO_QUERIES_90_DAYS", "2026-03-01".to_owned()))
        );
    }

    /// 23:30 on 31 December in Guatemala is already 1 January in UTC: no
    /// January deactivation yet; 00:10 on 1 January local is January.
    #[test]
    fn january_starts_at_local_midnight() {
        use crate::store::LifecycleStore;
        use time::macros::datetime;
        let store = crate::store::SqliteStore::open_in_memory().unwrap();
        run(&store, datetime!(2027-01-01 05:30 UTC), &gt(), "test").unwrap();
        assert!(
            store.mark_once("january:2027", "x").unwrap(),
            "the pass at 23:30 on 31 December did not take January's turn"
        );
        let store = crate::store::SqliteStore::open_in_memory().unwrap();
        run(&store, datetime!(2027-01-01 06:10 UTC), &gt(), "test").unwrap();
        assert!(
            !store.mark_once("january:2027", "x").unwrap(),
            "the pass at 00:10 on 1 January took January's turn"
        );
    }

    #[test]
    fn day_89_is_fine_day_90_cancels() {
        let f = facts(Some("2026-03-01T10:00:00.000Z"), "2030-12-31");
        assert_eq!(cancellation(&f, &gt(), date!(2026 - 05 - 29)), None); // 89 days
        assert_eq!(
            cancellation(&f, &gt(), date!(2026 - 05 - 30)),
            Some(("NO_QUERIES_90_DAYS", "2026-03-01".to_owned()))
        );
    }

    #[test]
    fn the_agreement_ends_at_the_end_of_its_last_day() {
        let f = facts(Some("2026-06-01T10:00:00.000Z"), "2026-06-30");
        assert_eq!(cancellation(&f, &gt(), date!(2026 - 06 - 30)), None);
        assert_eq!(
            cancellation(&f, &gt(), date!(2026 - 07 - 01)),
            Some(("AGREEMENT_EXPIRED", "2026-06-30".to_owned()))
        );
    }

    #[test]
    fn without_queries_the_count_starts_at_the_agreement() {
        let f = facts(None, "2030-12-31");
        assert_eq!(cancellation(&f, &gt(), date!(2026 - 03 - 31)), None);
        assert_eq!(
            cancellation(&f, &gt(), date!(2026 - 04 - 01)),
            Some(("NO_QUERIES_90_DAYS", "2026-01-01".to_owned()))
        );
    }
}
