//! The one source of "now" for the server.
//!
//! Status rules (90 days without queries, January deactivation, session
//! timeouts) depend on the date, so every use of time goes through a
//! [`Clock`] that tests and `--at` evaluations can replace.

use padron_shared::calendar::Zone;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> OffsetDateTime;

    /// The installation's zone (`[calendar] time_zone`): its days are the
    /// registry's days.
    fn zone(&self) -> Zone {
        Zone::guatemala()
    }

    /// The registry's local day now.
    fn today(&self) -> Date {
        self.zone().date_of(self.now())
    }
}

/// The operating system's clock, read in the installation's zone.
#[derive(Debug, Clone, Default)]
pub struct SystemClock {
    zone: Zone,
}

impl SystemClock {
    pub fn in_zone(zone: Zone) -> SystemClock {
        SystemClock { zone }
    }

    /// The clock of the installation in `dir` (its `[calendar]`).
    pub fn of(dir: &crate::datadir::DataDir) -> Result<SystemClock, crate::datadir::DataDirError> {
        Ok(SystemClock::in_zone(dir.config()?.calendar.zone()))
    }
}

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    fn zone(&self) -> Zone {
        self.zone.clone()
    }
}

/// A clock stopped at one instant (in the registry's default zone).
#[cfg(test)]
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub OffsetDateTime);

#[cfg(test)]
impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        self.0
    }
}

/// RFC 3339 in UTC with millisecond precision: sortable as text, which the
/// store relies on for date comparisons.
pub fn timestamp(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let at = at
        .replace_nanosecond(at.millisecond() as u32 * 1_000_000)
        .unwrap_or(at);
    let text = at
        .format(&Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string());
    // Rfc3339 drops trailing zero fractions; pad so every stamp has the same width.
    match text.find('.') {
        Some(dot) => {
            let frac_len = text.len() - dot - 2; // digits between '.' and 'Z'
            format!(
                "{}{}Z",
                &text[..text.len() - 1],
                "0".repeat(3usize.saturating_sub(frac_len))
            )
        }
        None => format!("{}.000Z", &text[..text.len() - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn timestamps_have_one_width_and_sort_as_text() {
        let a = timestamp(datetime!(2026-01-02 03:04:05 UTC));
        let b = timestamp(datetime!(2026-01-02 03:04:05.5 UTC));
        let c = timestamp(datetime!(2026-01-02 03:04:05.123456 UTC));
        assert_eq!(a, "2026-01-02T03:04:05.000Z");
        assert_eq!(b, "2026-01-02T03:04:05.500Z");
        assert_eq!(c, "2026-01-02T03:04:05.123Z");
        assert!(a < b && b > c && a < c);
        let local = datetime!(2026-01-02 00:00:00 -6);
        assert_eq!(timestamp(local), "2026-01-02T06:00:00.000Z");
    }
}
