//! What the retention rules delete once `retention_days` (server.toml) have
//! passed, run by the queue's daily sweep: the payloads of closed follow-up
//! cases (their rows hold personal data; the hashes stay in the audit log).
//! The job files' sweep is the queue worker's own.

use serde_json::json;
use time::OffsetDateTime;

use crate::audit::AuditRecord;
use crate::clock::timestamp;
use crate::store::Store;

/// The retention sweep's part for cases: personal data of cases closed
/// more than `retention_days` ago is deleted (the signed bytes too; the
/// audit entry keeps their hashes).
pub fn purge_cases(
    store: &dyn Store,
    now: OffsetDateTime,
    retention_days: u32,
) -> Result<Vec<String>, crate::store::StoreError> {
    let cutoff = timestamp(now - time::Duration::days(i64::from(retention_days)));
    let at = timestamp(now);
    let audit = |id: &str| AuditRecord {
        at: at.clone(),
        actor: "server:retention".to_owned(),
        workstation_id: None,
        action: "case.purge".to_owned(),
        subject: format!("case:{id}"),
        outcome: "ok".to_owned(),
        detail: json!({}),
    };
    store.purge_cases(&cutoff, &at, &audit)
}
