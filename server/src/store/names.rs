//! Reading the closed sets of names (`padron_shared::wire`) from either
//! backend. Columns stay TEXT with the wire's spelling; a text that is none
//! of the type's names is [`StoreError::UnknownName`], never a panic.

use padron_shared::queries::JobCounts;
use padron_shared::wire::{UnknownName, WireName};

use super::StoreError;

/// Column `i` of a SQLite row as `T`.
pub(super) fn sqlite<T: WireName>(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<T> {
    let text: String = r.get(i)?;
    T::parse(&text).map_err(|e| sqlite_error(i, e))
}

fn sqlite_error(i: usize, e: UnknownName) -> rusqlite::Error {
    // Carried inside rusqlite's error through its row closures, taken out
    // again by `From<rusqlite::Error> for StoreError`.
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
}

/// Column `i` of a PostgreSQL row as `T`.
pub(super) fn pg<T: WireName>(r: &postgres::Row, i: usize) -> Result<T, StoreError> {
    let text: String = r.try_get(i)?;
    Ok(T::parse(&text)?)
}

/// A job's counts as the JSON text its column holds.
pub(super) fn counts_text(c: &JobCounts) -> Result<String, StoreError> {
    serde_json::to_string(c).map_err(|e| StoreError::Corrupt(format!("job counts: {e}")))
}

/// Column `i` of a SQLite row as a job's counts, NULL as `None`.
pub(super) fn sqlite_counts(
    r: &rusqlite::Row<'_>,
    i: usize,
) -> rusqlite::Result<Option<JobCounts>> {
    let text: Option<String> = r.get(i)?;
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
        })
    })
    .transpose()
}

/// Column `i` of a PostgreSQL row as a job's counts, NULL as `None`.
pub(super) fn pg_counts(r: &postgres::Row, i: usize) -> Result<Option<JobCounts>, StoreError> {
    let text: Option<String> = r.try_get(i)?;
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(format!("job counts: {e}")))
    })
    .transpose()
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        match e {
            rusqlite::Error::FromSqlConversionFailure(_, _, inner) if inner.is::<UnknownName>() => {
                match inner.downcast::<UnknownName>() {
                    Ok(name) => StoreError::UnknownName(*name),
                    Err(inner) => StoreError::Sqlite(rusqlite::Error::FromSqlConversionFailure(
                        0,
                        rusqlite::types::Type::Text,
                        inner,
                    )),
                }
            }
            e => StoreError::Sqlite(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use padron_shared::queries::JobState;

    use super::*;

    #[test]
    fn an_unknown_name_in_sqlite_is_a_typed_error() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let read = |text: &str| -> Result<JobState, StoreError> {
            Ok(conn.query_row("SELECT ?1", [text], |r| sqlite::<JobState>(r, 0))?)
        };
        assert_eq!(read("RUNNING").unwrap(), JobState::Running);
        match read("PAUSED") {
            Err(StoreError::UnknownName(n)) => {
                assert_eq!((n.kind, n.value.as_str()), ("job state", "PAUSED"))
            }
            other => panic!("{other:?}"),
        }
    }
}
