//! The registry's calendar: which local day an instant falls on, and how a
//! person reads a stored stamp.
//!
//! Stamps are stored in UTC (`2026-11-30T23:30:00.000Z`), but a day, a
//! month and "January" are the registry's local ones (DOMAIN.md, "Time"):
//! Guatemala is UTC−6, so a query at 19:00 on 30 November counts in
//! November even though its stamp says 1 December. The zone comes from the
//! tz database bundled with jiff (not `/usr/share/zoneinfo`, which a minimal
//! server or a kiosk image may lack or hold stale).

use std::fmt;

use crate::Lang;

/// The installation's zone when `server.toml` names none.
pub const DEFAULT_TIME_ZONE: &str = "America/Guatemala";

/// A time zone of the tz database, by its IANA name.
#[derive(Clone)]
pub struct Zone {
    name: String,
    tz: jiff::tz::TimeZone,
}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Zone({})", self.name)
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name == other.name
    }
}

impl Eq for Zone {}

impl Default for Zone {
    fn default() -> Zone {
        Zone::guatemala()
    }
}

/// A zone name that is not in the bundled tz database.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a time zone of the tz database (e.g. America/Guatemala)")]
pub struct UnknownZone(pub String);

impl Zone {
    /// `America/Guatemala`, `UTC`, …
    pub fn parse(name: &str) -> Result<Zone, UnknownZone> {
        let name = name.trim();
        let tz = jiff::tz::db()
            .get(name)
            .map_err(|_| UnknownZone(name.to_owned()))?;
        Ok(Zone {
            name: name.to_owned(),
            tz,
        })
    }

    /// The registry's own zone (always in the bundled database).
    pub fn guatemala() -> Zone {
        Zone::parse(DEFAULT_TIME_ZONE).unwrap_or_else(|_| Zone {
            name: DEFAULT_TIME_ZONE.to_owned(),
            tz: jiff::tz::TimeZone::fixed(jiff::tz::offset(-6)),
        })
    }

    /// Like [`Zone::parse`], falling back to the registry's zone (for a name
    /// sent by a server: a kiosk shows times rather than nothing).
    pub fn or_default(name: &str) -> Zone {
        Zone::parse(name).unwrap_or_default()
    }

    /// The zone's IANA name, as it was parsed (`America/Guatemala`).
    pub fn name(&self) -> &str {
        &self.name
    }

    fn zoned(&self, at: time::OffsetDateTime) -> Option<jiff::Zoned> {
        let nanos = at.unix_timestamp_nanos();
        let ts = jiff::Timestamp::from_nanosecond(nanos).ok()?;
        Some(ts.to_zoned(self.tz.clone()))
    }

    /// The local calendar day `at` falls on.
    pub fn date_of(&self, at: time::OffsetDateTime) -> time::Date {
        self.local(at).map(|l| l.date).unwrap_or(at.date())
    }

    /// The local wall-clock reading of `at`.
    pub fn local(&self, at: time::OffsetDateTime) -> Option<Local> {
        let z = self.zoned(at)?;
        let date = time::Date::from_calendar_date(
            i32::from(z.year()),
            time::Month::try_from(u8::try_from(z.month()).ok()?).ok()?,
            u8::try_from(z.day()).ok()?,
        )
        .ok()?;
        Some(Local {
            date,
            hour: u8::try_from(z.hour()).ok()?,
            minute: u8::try_from(z.minute()).ok()?,
        })
    }

    /// The instant local `day` begins (its first moment, even on a day whose
    /// midnight a DST change skips).
    pub fn day_start(&self, day: time::Date) -> time::OffsetDateTime {
        self.at_local(day, 0, 0)
    }

    /// The instant of local `hour:minute` on `day`.
    pub fn at_local(&self, day: time::Date, hour: u8, minute: u8) -> time::OffsetDateTime {
        let fallback = day
            .with_hms(hour, minute, 0)
            .map(|d| d.assume_utc())
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        let Ok(civil) = jiff::civil::DateTime::new(
            day.year() as i16,
            u8::from(day.month()) as i8,
            day.day() as i8,
            hour as i8,
            minute as i8,
            0,
            0,
        ) else {
            return fallback;
        };
        let Ok(zoned) = civil.to_zoned(self.tz.clone()) else {
            return fallback;
        };
        let zoned = if hour == 0 && minute == 0 {
            zoned.start_of_day().unwrap_or(zoned)
        } else {
            zoned
        };
        time::OffsetDateTime::from_unix_timestamp_nanos(zoned.timestamp().as_nanosecond())
            .unwrap_or(fallback)
    }

    /// A stored stamp (RFC 3339) as a person reads it, in local time:
    /// `30/11/2026 17:30` in Spanish, `30 Nov 2026 17:30` in English. Text
    /// that is not a stamp is shown as it is.
    pub fn show_stamp(&self, stamp: &str, lang: Lang) -> String {
        match parse_stamp(stamp).and_then(|at| self.local(at)) {
            Some(local) => local.show(lang),
            None => stamp.to_owned(),
        }
    }

    /// The local day of a stored stamp as ISO text (`2026-11-30`), the form
    /// the server's messages and listings use for days; text that is not a
    /// stamp keeps its first ten characters.
    pub fn stamp_day(&self, stamp: &str) -> String {
        match parse_stamp(stamp) {
            Some(at) => self.date_of(at).to_string(),
            None => stamp.get(..10).unwrap_or(stamp).to_owned(),
        }
    }

    /// Only the local day of a stored stamp (`30/11/2026`).
    pub fn show_stamp_day(&self, stamp: &str, lang: Lang) -> String {
        match parse_stamp(stamp).and_then(|at| self.local(at)) {
            Some(local) => show_day(local.date, lang),
            None => stamp.get(..10).unwrap_or(stamp).to_owned(),
        }
    }
}

/// A local wall-clock reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Local {
    /// The local calendar day.
    pub date: time::Date,
    /// The local hour, 0–23.
    pub hour: u8,
    /// The local minute, 0–59.
    pub minute: u8,
}

impl Local {
    /// The reading as a person reads it: `30/11/2026 17:30` in Spanish, `30 Nov 2026 17:30` in English.
    pub fn show(&self, lang: Lang) -> String {
        format!(
            "{} {:02}:{:02}",
            show_day(self.date, lang),
            self.hour,
            self.minute
        )
    }
}

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `dd/mm/aaaa` in Spanish; `30 Nov 2026` in English (unambiguous for a
/// reader used to either order).
pub fn show_day(day: time::Date, lang: Lang) -> String {
    match lang {
        Lang::Es => format!(
            "{:02}/{:02}/{:04}",
            day.day(),
            u8::from(day.month()),
            day.year()
        ),
        Lang::En => format!(
            "{} {} {:04}",
            day.day(),
            MONTHS_EN[usize::from(u8::from(day.month())) - 1],
            day.year()
        ),
    }
}

/// `dd/mm/aaaa` as typed into a date field (also `d/m/aaaa`, `dd-mm-aaaa`
/// and the ISO `aaaa-mm-dd`).
pub fn parse_day(text: &str) -> Option<time::Date> {
    let text = text.trim();
    let parts: Vec<&str> = text.split(['/', '-', '.']).map(str::trim).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let (year, month, day) = if a.len() == 4 { (a, b, c) } else { (c, b, a) };
    if year.len() != 4 {
        return None;
    }
    let month = time::Month::try_from(month.parse::<u8>().ok()?).ok()?;
    time::Date::from_calendar_date(year.parse().ok()?, month, day.parse().ok()?).ok()
}

/// An RFC 3339 stamp as the server stores and sends them.
pub fn parse_stamp(stamp: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(stamp.trim(), &time::format_description::well_known::Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn a_stamp_late_in_the_utc_day_is_the_previous_local_day() {
        // 02:00 UTC on 2 December is 20:00 on 1 December in Guatemala.
        let zone = Zone::guatemala();
        assert_eq!(zone.stamp_day("2026-12-02T02:00:00Z"), "2026-12-01");
        assert_eq!(zone.stamp_day("2026-12-02T06:00:00Z"), "2026-12-02");
        assert_eq!(zone.stamp_day("no es fecha"), "no es fech");
    }

    #[test]
    fn guatemala_is_six_hours_behind_all_year_from_the_bundled_database() {
        let gt = Zone::parse("America/Guatemala").unwrap();
        // 23:30 local on 30 November is already 1 December in UTC.
        let late = datetime!(2026-12-01 05:30 UTC);
        assert_eq!(gt.date_of(late), date!(2026 - 11 - 30));
        assert_eq!(
            gt.show_stamp("2026-12-01T05:30:00.000Z", Lang::Es),
            "30/11/2026 23:30"
        );
        assert_eq!(
            gt.show_stamp("2026-12-01T05:30:00.000Z", Lang::En),
            "30 Nov 2026 23:30"
        );
        // 00:10 local on 1 January is still 1 January (06:10 UTC).
        let new_year = datetime!(2027-01-01 06:10 UTC);
        assert_eq!(gt.date_of(new_year), date!(2027 - 01 - 01));
        assert_eq!(
            gt.date_of(datetime!(2027-01-01 05:59 UTC)),
            date!(2026 - 12 - 31)
        );
        assert_eq!(
            gt.day_start(date!(2026 - 12 - 01)),
            datetime!(2026-12-01 06:00 UTC)
        );
        assert_eq!(
            gt.at_local(date!(2026 - 07 - 15), 12, 0),
            datetime!(2026-07-15 18:00 UTC)
        );
        assert!(Zone::parse("America/Atlantis").is_err());
        assert_eq!(Zone::or_default("nonsense"), Zone::guatemala());
    }

    #[test]
    fn a_zone_with_summer_time_changes_its_offset() {
        let ny = Zone::parse("America/New_York").unwrap();
        assert_eq!(
            ny.day_start(date!(2026 - 01 - 15)),
            datetime!(2026-01-15 05:00 UTC)
        );
        assert_eq!(
            ny.day_start(date!(2026 - 07 - 15)),
            datetime!(2026-07-15 04:00 UTC)
        );
    }

    #[test]
    fn typed_days_are_read_day_first() {
        assert_eq!(parse_day("05/01/2026"), Some(date!(2026 - 01 - 05)));
        assert_eq!(parse_day("5/1/2026"), Some(date!(2026 - 01 - 05)));
        assert_eq!(parse_day("2026-01-05"), Some(date!(2026 - 01 - 05)));
        assert_eq!(parse_day(" 31-12-2026 "), Some(date!(2026 - 12 - 31)));
        for bad in ["31/02/2026", "2026/13/01", "ayer", "1/1/26", ""] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
        assert_eq!(show_day(date!(2026 - 01 - 05), Lang::Es), "05/01/2026");
        assert_eq!(show_day(date!(2026 - 01 - 05), Lang::En), "5 Jan 2026");
        assert_eq!(Zone::guatemala().show_stamp("x", Lang::Es), "x");
    }
}
