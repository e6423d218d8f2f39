//! Dates of birth compared as Fellegi–Sunter levels.
//!
//! A date typed wrong is rarely typed at random: day and month swapped
//! (`05/03` for `03/05`), one key missed on the keypad (`1985` for `1986`,
//! `14` for `15`), the day before or after, the year before or after. Each
//! such slip points to a handful of dates, so a candidate born on one of them
//! is far better evidence than "some other date" and deserves its own weight:
//! its `u` is the share of the registry born on exactly the dates of that
//! level, not a flat guess.
//!
//! The levels are checked in order and each takes its dates out of the
//! later ones, so they partition all dates and their `u`s add up to one.

use crate::registry::date::{Day, days_in_month};

/// How a candidate's date of birth compares with the row's, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BirthAgreement {
    /// The same date.
    Exact,
    /// Same year, day and month swapped (`1985-05-03` for `1985-03-05`).
    Transposed,
    /// One day apart (also across a month or year boundary).
    NextDay,
    /// One digit of `YYYYMMDD` changed, or two neighbouring digits swapped.
    OneSlip,
    /// Same day and month, year one apart.
    NextYear,
    /// Same year and month, another day.
    SameMonth,
    /// None of the above: the dates differ.
    Disagree,
}

impl BirthAgreement {
    /// Every level, best first (the order of their bits).
    pub const ALL: [BirthAgreement; 7] = [
        BirthAgreement::Exact,
        BirthAgreement::Transposed,
        BirthAgreement::NextDay,
        BirthAgreement::OneSlip,
        BirthAgreement::NextYear,
        BirthAgreement::SameMonth,
        BirthAgreement::Disagree,
    ];

    fn index(self) -> usize {
        self as usize
    }

    /// `m`: how often the row's date is at this level from the person's own,
    /// when the row gives a date. About one date in fourteen is typed
    /// wrong, nearly always by one slip: a wrong digit, day and month
    /// swapped (day-first and month-first forms are both in use), less
    /// often a day or a year off. Another day of the same month with no
    /// slip to explain it, or an unrelated date (another person's, a
    /// registration date), is rare, and a candidate born on such a date is
    /// good evidence of another person with the same names.
    pub fn m(self) -> f64 {
        match self {
            BirthAgreement::Exact => 0.93,
            BirthAgreement::Transposed => 0.015,
            BirthAgreement::NextDay => 0.006,
            BirthAgreement::OneSlip => 0.025,
            BirthAgreement::NextYear => 0.006,
            BirthAgreement::SameMonth => 0.003,
            BirthAgreement::Disagree => 0.015,
        }
    }
}

/// Same year, day and month swapped (and different, or it would be the same date).
fn transposed(q: Day) -> Option<Day> {
    let (y, m, d) = q.ymd();
    if d == m || d > 12 {
        return None;
    }
    Day::from_ymd(y, d, m)
}

/// The dates a row's date most often slipped from: day and month swapped,
/// and the day before or after. Blocking looks these up too.
pub fn commonest_slips(q: Day) -> impl Iterator<Item = Day> {
    transposed(q)
        .into_iter()
        .chain([Day(q.0 - 1), Day(q.0 + 1)])
}

fn digits(day: Day) -> [u8; 8] {
    let (y, m, d) = day.ymd();
    let y = y.clamp(0, 9999) as u32;
    let mut out = [0u8; 8];
    for (i, v) in [
        y / 1000,
        y / 100 % 10,
        y / 10 % 10,
        y % 10,
        m / 10,
        m % 10,
        d / 10,
        d % 10,
    ]
    .into_iter()
    .enumerate()
    {
        out[i] = v as u8;
    }
    out
}

fn of_digits(x: [u8; 8]) -> Option<Day> {
    let n = |r: std::ops::Range<usize>| x[r].iter().fold(0u32, |a, d| a * 10 + u32::from(*d));
    Day::from_ymd(n(0..4) as i32, n(4..6), n(6..8))
}

/// Valid dates one typing slip away from `q`: one digit changed, or two
/// neighbouring digits swapped.
fn one_slip(q: Day, out: &mut Vec<Day>) {
    let x = digits(q);
    for i in 0..8 {
        for v in 0..10u8 {
            if v != x[i] {
                let mut y = x;
                y[i] = v;
                out.extend(of_digits(y));
            }
        }
        if i < 7 && x[i] != x[i + 1] {
            let mut y = x;
            y.swap(i, i + 1);
            out.extend(of_digits(y));
        }
    }
}

fn is_one_slip(q: Day, c: Day) -> bool {
    let (a, b) = (digits(q), digits(c));
    let diff: Vec<usize> = (0..8).filter(|i| a[*i] != b[*i]).collect();
    match diff.as_slice() {
        [_] => true,
        [i, j] => *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i],
        _ => false,
    }
}

fn next_year(q: Day) -> [Option<Day>; 2] {
    let (y, m, d) = q.ymd();
    [Day::from_ymd(y - 1, m, d), Day::from_ymd(y + 1, m, d)]
}

/// The level of a candidate's date `c` against the row's date `q`.
pub fn compare_births(q: Day, c: Day) -> BirthAgreement {
    if q == c {
        return BirthAgreement::Exact;
    }
    if transposed(q) == Some(c) {
        return BirthAgreement::Transposed;
    }
    if (q.0 - c.0).abs() == 1 {
        return BirthAgreement::NextDay;
    }
    if is_one_slip(q, c) {
        return BirthAgreement::OneSlip;
    }
    if next_year(q).contains(&Some(c)) {
        return BirthAgreement::NextYear;
    }
    let (qy, qm, _) = q.ymd();
    let (cy, cm, _) = c.ymd();
    if (qy, qm) == (cy, cm) {
        return BirthAgreement::SameMonth;
    }
    BirthAgreement::Disagree
}

/// `u` of each level for one row's date: the share of registry persons
/// born on the dates of that level. `share` gives the share born on one day.
pub fn level_shares(q: Day, share: impl Fn(Day) -> f64) -> [f64; 7] {
    let mut u = [0.0; 7];
    let mut taken: Vec<Day> = vec![q];
    let mut add = |level: BirthAgreement, days: &mut dyn Iterator<Item = Day>, u: &mut [f64; 7]| {
        for d in days {
            if !taken.contains(&d) {
                taken.push(d);
                u[level.index()] += share(d);
            }
        }
    };
    u[BirthAgreement::Exact.index()] = share(q);
    add(
        BirthAgreement::Transposed,
        &mut transposed(q).into_iter(),
        &mut u,
    );
    add(
        BirthAgreement::NextDay,
        &mut [Day(q.0 - 1), Day(q.0 + 1)].into_iter(),
        &mut u,
    );
    let mut slips = Vec::with_capacity(80);
    one_slip(q, &mut slips);
    add(BirthAgreement::OneSlip, &mut slips.into_iter(), &mut u);
    add(
        BirthAgreement::NextYear,
        &mut next_year(q).into_iter().flatten(),
        &mut u,
    );
    let (y, m, _) = q.ymd();
    add(
        BirthAgreement::SameMonth,
        &mut (1..=days_in_month(y, m)).filter_map(|d| Day::from_ymd(y, m, d)),
        &mut u,
    );
    let near: f64 = u[..6].iter().sum();
    u[BirthAgreement::Disagree.index()] = (1.0 - near).max(0.5);
    u
}

/// Bits of each level for one row's date, ready for every candidate.
#[derive(Debug, Clone, Copy)]
pub struct BirthWeights {
    /// The row's date of birth.
    pub born: Day,
    bits: [f64; 7],
}

impl BirthWeights {
    /// The bits of each level for a row born on `q`; `share(d)` is the share of registry persons born on day `d`.
    pub fn new(q: Day, share: impl Fn(Day) -> f64) -> BirthWeights {
        let u = level_shares(q, share);
        let mut bits = [0.0; 7];
        for level in BirthAgreement::ALL {
            let u = u[level.index()].clamp(1e-12, 1.0);
            bits[level.index()] = (level.m() / u).log2();
        }
        BirthWeights { born: q, bits }
    }

    /// The bits a candidate born on `c` earns against the row's date (negative when they disagree).
    pub fn bits(&self, c: Day) -> f64 {
        self.bits[compare_births(self.born, c).index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Day {
        Day::parse_iso(s).unwrap()
    }

    /// Births spread evenly over 1900–2026, none outside.
    fn even(day: Day) -> f64 {
        if (1900..=2026).contains(&day.ymd().0) {
            1.0 / (127.0 * 365.25)
        } else {
            0.0
        }
    }

    #[test]
    fn levels_of_typical_slips() {
        let q = d("1985-03-05");
        assert_eq!(compare_births(q, q), BirthAgreement::Exact);
        assert_eq!(
            compare_births(q, d("1985-05-03")),
            BirthAgreement::Transposed
        );
        assert_eq!(compare_births(q, d("1985-03-04")), BirthAgreement::NextDay);
        assert_eq!(compare_births(q, d("1985-03-01")), BirthAgreement::OneSlip);
        // Neighbouring digits of the year swapped.
        assert_eq!(compare_births(q, d("1958-03-05")), BirthAgreement::OneSlip);
        assert_eq!(compare_births(q, d("1986-03-05")), BirthAgreement::OneSlip);
        // 1990 → 1989: a year off, but not one digit.
        assert_eq!(
            compare_births(d("1990-03-05"), d("1989-03-05")),
            BirthAgreement::NextYear
        );
        assert_eq!(
            compare_births(q, d("1985-03-27")),
            BirthAgreement::SameMonth
        );
        assert_eq!(compare_births(q, d("1960-10-21")), BirthAgreement::Disagree);
        // Across a month boundary, the day before is still the day before.
        assert_eq!(
            compare_births(d("1985-03-01"), d("1985-02-28")),
            BirthAgreement::NextDay
        );
        // Day equal to month: swapping changes nothing, so no transposition.
        assert_eq!(
            compare_births(d("1985-03-03"), d("1985-03-03")),
            BirthAgreement::Exact
        );
    }

    #[test]
    fn level_shares_partition_the_dates() {
        let u = level_shares(d("1985-03-05"), even);
        assert!((u.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{u:?}");
        let days = |u: f64| u / even(d("1985-03-05"));
        // One date for exact and transposed, two neighbours, a few dozen
        // slips (years nobody was born in do not count).
        assert!((days(u[0]) - 1.0).abs() < 1e-9);
        assert!((days(u[1]) - 1.0).abs() < 1e-9);
        assert!((days(u[2]) - 2.0).abs() < 1e-9);
        let slips = days(u[3]);
        assert!((20.0..50.0).contains(&slips), "{slips}");
        // The rest of March 1985, less what the slips took.
        let month = days(u[5]);
        assert!((10.0..25.0).contains(&month), "{month}");
    }

    #[test]
    fn a_slip_weighs_less_than_agreement_and_more_than_another_date() {
        let w = BirthWeights::new(d("1985-03-05"), even);
        let exact = w.bits(d("1985-03-05"));
        let swapped = w.bits(d("1985-05-03"));
        let next = w.bits(d("1985-03-06"));
        let digit = w.bits(d("1985-03-08"));
        let month = w.bits(d("1985-03-27"));
        let other = w.bits(d("1960-10-21"));
        assert!(
            exact > swapped && swapped > next,
            "{exact} {swapped} {next}"
        );
        assert!(next > digit, "{next} {digit}");
        assert!(digit > month && month > other, "{digit} {month} {other}");
        assert!(swapped > 5.0 && other < -4.0, "{swapped} {other}");
    }
}
