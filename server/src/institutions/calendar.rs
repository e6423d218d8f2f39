//! Calendar periods: the month a quota counts in, the days a report covers.
//!
//! Days are the registry's local calendar days (`[calendar] time_zone`,
//! America/Guatemala by default); stored stamps are UTC (see
//! [`crate::clock::timestamp`]), so a period turns into the UTC text range
//! `[from, to)` between the local midnights that bound it, which the store
//! compares stamps against.

use padron_shared::calendar::Zone;
use time::macros::format_description;
use time::{Date, Month};

use crate::error::ServerError;

/// Days `[first, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub first: Date,
    /// The day after the last one.
    pub end: Date,
}

impl Period {
    /// The stamp the period starts at (local midnight of its first day), as
    /// the store writes them.
    // "from" and "to" are the range's ends, not conversions.
    #[allow(clippy::wrong_self_convention)]
    pub fn from_stamp(&self, zone: &Zone) -> String {
        crate::clock::timestamp(zone.day_start(self.first))
    }

    /// The first stamp after the period (local midnight after its last day).
    #[allow(clippy::wrong_self_convention)]
    pub fn to_stamp(&self, zone: &Zone) -> String {
        crate::clock::timestamp(zone.day_start(self.end))
    }

    /// The last day in the period.
    pub fn last(&self) -> Date {
        self.end.previous_day().unwrap_or(self.end)
    }

    /// `YYYY-MM` of the first day.
    pub fn month_label(&self) -> String {
        format!("{:04}-{:02}", self.first.year(), self.first.month() as u8)
    }
}

/// The calendar month `day` is in.
pub fn month_of(day: Date) -> Period {
    let first = day.replace_day(1).unwrap_or(day);
    let (year, month) = match first.month() {
        Month::December => (first.year() + 1, Month::January),
        m => (first.year(), m.next()),
    };
    let end = Date::from_calendar_date(year, month, 1).unwrap_or(first);
    Period { first, end }
}

fn invalid(what: &str) -> ServerError {
    ServerError::ReportPeriod(what.to_owned())
}

/// `YYYY-MM`, as typed by an admin.
pub fn parse_month(text: &str) -> Result<Period, ServerError> {
    let day = Date::parse(
        &format!("{}-01", text.trim()),
        format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| invalid(&format!("mes {text:?} (AAAA-MM)")))?;
    Ok(month_of(day))
}

/// `YYYY-MM-DD`.
pub fn parse_day(text: &str) -> Result<Date, ServerError> {
    Date::parse(text.trim(), format_description!("[year]-[month]-[day]"))
        .map_err(|_| invalid(&format!("fecha {text:?} (AAAA-MM-DD)")))
}

/// From `from` to `to`, both days included. At most ten years, so that a
/// typo in a year does not make the store scan its whole history for nothing.
pub fn parse_days(from: &str, to: &str) -> Result<Period, ServerError> {
    let first = parse_day(from)?;
    let last = parse_day(to)?;
    if last < first {
        return Err(invalid(&format!("{from} > {to}")));
    }
    if (last - first).whole_days() > 3660 {
        return Err(invalid(&format!("{from} → {to}: más de diez años")));
    }
    let end = last.next_day().ok_or_else(|| invalid(to))?;
    Ok(Period { first, end })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn months_end_where_the_next_begins() {
        let m = month_of(date!(2026 - 12 - 17));
        assert_eq!(
            (m.first, m.end),
            (date!(2026 - 12 - 01), date!(2027 - 01 - 01))
        );
        let utc = Zone::parse("UTC").unwrap();
        assert_eq!(m.from_stamp(&utc), "2026-12-01T00:00:00.000Z");
        assert_eq!(m.to_stamp(&utc), "2027-01-01T00:00:00.000Z");
        // Guatemala's December starts at 06:00 UTC on the first.
        let gt = Zone::guatemala();
        assert_eq!(m.from_stamp(&gt), "2026-12-01T06:00:00.000Z");
        assert_eq!(m.to_stamp(&gt), "2027-01-01T06:00:00.000Z");
        assert_eq!(m.last(), date!(2026 - 12 - 31));
        assert_eq!(m.month_label(), "2026-12");
        let feb = parse_month("2028-02").unwrap();
        assert_eq!(feb.last(), date!(2028 - 02 - 29));
    }

    /// A query at 23:30 local on the last day of a month counts in that
    /// month (its UTC stamp is already the next month's), and one at 00:10
    /// local on 1 January in the new year.
    #[test]
    fn the_edges_of_a_local_month_and_year() {
        let gt = Zone::guatemala();
        let late = crate::clock::timestamp(gt.at_local(date!(2026 - 11 - 30), 23, 30));
        assert_eq!(late, "2026-12-01T05:30:00.000Z");
        let november = month_of(gt.date_of(time::macros::datetime!(2026-12-01 05:30 UTC)));
        assert_eq!(november.month_label(), "2026-11");
        assert!(november.from_stamp(&gt) <= late && late < november.to_stamp(&gt));
        let december = month_of(date!(2026 - 12 - 01));
        assert!(late < december.from_stamp(&gt), "not in December");
        let new_year = crate::clock::timestamp(gt.at_local(date!(2027 - 01 - 01), 0, 10));
        assert_eq!(new_year, "2027-01-01T06:10:00.000Z");
        let january = month_of(date!(2027 - 01 - 01));
        assert!(january.from_stamp(&gt) <= new_year && new_year < january.to_stamp(&gt));
        assert!(
            new_year >= month_of(date!(2026 - 12 - 31)).to_stamp(&gt),
            "not in December"
        );
    }

    #[test]
    fn day_ranges_include_both_ends_and_refuse_nonsense() {
        let p = parse_days("2026-11-01", "2026-11-01").unwrap();
        assert_eq!(p.to_stamp(&Zone::guatemala()), "2026-11-02T06:00:00.000Z");
        for (from, to) in [
            ("2026-11-02", "2026-11-01"),
            ("2026-13-01", "2026-12-01"),
            ("ayer", "hoy"),
            ("2026-01-01", "2040-01-01"),
        ] {
            let e = parse_days(from, to).unwrap_err();
            assert_eq!(
                e.code(),
                padron_shared::ErrorCode::ReportPeriodInvalid,
                "{from} {to}"
            );
        }
        assert!(parse_month("2026-13").is_err());
        assert!(parse_month("noviembre").is_err());
    }
}
