//! Calendar dates as day numbers, for the registry's dates of birth, death and
//! death registration. A day number is compact (it is what the store keeps),
//! orders correctly and converts to the Excel serial the result workbook writes.

use std::fmt;

/// A date in the proleptic Gregorian calendar, as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i32);

impl Day {
    /// The date for a year, month (1–12) and day (1–31), if it exists.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Day> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        // Days from civil (H. Hinnant's algorithm): years start in March so
        // that the leap day is the last day of the year.
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = month as i32;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Day(era * 146_097 + doe - 719_468))
    }

    /// Year, month, day.
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + i32::from(m <= 2);
        (y, m, d)
    }

    /// Parses `YYYY-MM-DD`, the registry CSV's format.
    pub fn parse_iso(text: &str) -> Option<Day> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |s: &[u8]| -> Option<u32> {
            s.iter().try_fold(0u32, |acc, c| {
                c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
            })
        };
        Day::from_ymd(num(&b[..4])? as i32, num(&b[5..7])?, num(&b[8..])?)
    }

    /// The Excel serial number (1900 date system) of this date.
    pub fn excel_serial(self) -> f64 {
        // 1899-12-30 is serial 0 for every date after February 1900.
        f64::from(self.0 + 25_569)
    }

    /// The date of an Excel serial number (1900 system; fractions are the time of day).
    pub fn from_excel_serial(serial: f64) -> Option<Day> {
        if !(1.0..2_958_466.0).contains(&serial) {
            return None;
        }
        Some(Day(serial.floor() as i32 - 25_569))
    }
}

/// Days in a month of a year (Gregorian leap years).
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for Day {
    /// `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_across_leap_years_and_centuries() {
        assert_eq!(Day::from_ymd(1970, 1, 1), Some(Day(0)));
        assert_eq!(
            Day::from_ymd(2000, 3, 1).unwrap().0 - Day::from_ymd(2000, 2, 28).unwrap().0,
            2
        );
        assert_eq!(
            Day::from_ymd(1900, 3, 1).unwrap().0 - Day::from_ymd(1900, 2, 28).unwrap().0,
            1
        );
        for n in (-30_000..40_000).step_by(7) {
            let (y, m, d) = Day(n).ymd();
            assert_eq!(Day::from_ymd(y, m, d), Some(Day(n)));
        }
    }

    #[test]
    fn rejects_impossible_dates() {
        assert_eq!(Day::from_ymd(2023, 2, 29), None);
        assert_eq!(Day::from_ymd(2023, 13, 1), None);
        assert_eq!(Day::parse_iso("2023-04-31"), None);
        assert_eq!(Day::parse_iso("2023-4-3"), None);
        assert_eq!(Day::parse_iso("2023-04-0x"), None);
        assert_eq!(
            Day::parse_iso("1985-03-15").unwrap().to_string(),
            "1985-03-15"
        );
    }

    #[test]
    fn excel_serials() {
        // 1985-03-15 is serial 31121 in Excel.
        let day = Day::parse_iso("1985-03-15").unwrap();
        assert_eq!(day.excel_serial(), 31_121.0);
        assert_eq!(Day::from_excel_serial(31_121.75), Some(day));
        assert_eq!(Day::from_excel_serial(-3.0), None);
    }
}
