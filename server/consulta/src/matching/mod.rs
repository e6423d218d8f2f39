//! The matching engine: from a query row to a registry person, or an honest
//! "not found" / "ambiguous".
//!
//! - [`profile`]: a person or row reduced to normalised names and date of birth.
//! - [`blocking`]: the keys persons are filed under and rows look up.
//! - [`corrections`]: the common names a slip in a row's name may come from.
//! - [`birth`]: dates of birth compared as levels (exact, swapped, one slip…).
//! - [`recurrence`]: how often a full name seen once recurs (the outside term).
//! - [`score`]: Fellegi–Sunter weights with the registry's name frequencies.
//! - [`settings`]: what an installation assumes and demands (checked once).
//! - [`engine`]: one row in, one decision out.

pub mod birth;
pub mod blocking;
pub mod corrections;
pub mod engine;
pub mod evidence;
pub mod profile;
pub mod recurrence;
pub mod score;
pub mod settings;

pub use engine::{Candidate, Decision, Engine, NamesQuery, RowOutcome};
pub use evidence::Evidence;

/// A registry of a few hand-made persons (CSV rows) on top of a generated
/// crowd, for tests that need real name counts.
#[cfg(test)]
pub(crate) fn registry_with(
    rows: &[&str],
) -> (tempfile::TempDir, crate::registry::store::Registry) {
    use crate::registry::record::CSV_HEADER;
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = Vec::new();
    crate::registry::generate::generate(2_000, 9, &mut bytes, |_| {}).unwrap();
    let mut text = String::from_utf8(bytes).unwrap();
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    assert!(text.starts_with(&CSV_HEADER.join(",")));
    let csv = dir.path().join("r.csv");
    std::fs::write(&csv, text).unwrap();
    crate::registry::import::import(dir.path(), &csv, &indicatif::ProgressBar::hidden()).unwrap();
    let reg = crate::registry::store::Registry::open(dir.path()).unwrap();
    (dir, reg)
}
