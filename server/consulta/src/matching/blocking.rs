//! Blocking: which registry persons are worth scoring against a query row.
//!
//! Comparing a row with 18 million persons is out of the question, so each
//! person is filed under a few keys built from the phonetic codes of its
//! names and its date of birth, and a query row looks up the same keys. Each
//! key leaves out some field, so that a mistake in any one field (or in two,
//! when the date of birth is there) still leaves a key that finds the person:
//!
//! | key | made of | survives |
//! |---|---|---|
//! | `SURNAMES_GIVEN` | both surnames (either order) + first or second given name | a wrong or missing given name, swapped surnames |
//! | `SURNAME_TWO_GIVEN` | one surname + first and second given names | a wrong or missing other surname, a married surname typed as second |
//! | `SURNAME_BIRTH` | one surname + date of birth | wrong, abbreviated or merged given names together with a wrong or missing other surname |
//! | `GIVEN_BIRTH` | first given name + date of birth | both surnames mistyped |
//!
//! Every key also carries a 64-bit signature of the person (date of birth
//! and short hashes of four name codes), so that a large block (MARÍA LÓPEZ
//! GARCÍA) can be narrowed without reading each person's row.

use crate::names::{NameToken, Surnames};
use crate::registry::date::Day;

use super::birth::commonest_slips;

/// Key kind: both surnames (either order) and the first or second given name.
pub const SURNAMES_GIVEN: u8 = 1;
/// Key kind: one surname and the first and second given names.
pub const SURNAME_TWO_GIVEN: u8 = 2;
/// Key kind: one surname and the date of birth.
pub const SURNAME_BIRTH: u8 = 3;
/// Key kind: the first given name and the date of birth.
pub const GIVEN_BIRTH: u8 = 4;
/// Key kind: the first surname and the first given name, for a person with
/// a second given name (one without is under `SURNAME_TWO_GIVEN` already).
pub const FIRST_SURNAME_GIVEN: u8 = 5;

/// What blocking and the signature need of a person or a query row.
#[derive(Debug, Clone, Default)]
pub struct BlockingView<'a> {
    /// Given names, in order.
    pub given: Vec<&'a NameToken>,
    /// First surname, if any.
    pub first_surname: Option<&'a NameToken>,
    /// Second surname, if any.
    pub second_surname: Option<&'a NameToken>,
    /// Date of birth, if known.
    pub born: Option<Day>,
}

impl<'a> BlockingView<'a> {
    /// A view of normalised given names, surnames and an optional date of birth.
    pub fn new(
        given: &'a [NameToken],
        surnames: &'a Surnames,
        born: Option<Day>,
    ) -> BlockingView<'a> {
        BlockingView {
            given: given.iter().collect(),
            first_surname: surnames.first.as_ref(),
            second_surname: surnames.second.as_ref(),
            born,
        }
    }
}

/// FNV-1a over the parts, separated, as a non-negative 63-bit key (stored
/// on disk, so it must not depend on the Rust version, unlike `std`'s hasher).
fn key_of(kind: u8, parts: &[&str], born: Option<Day>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    };
    eat(kind);
    for p in parts {
        for b in p.bytes() {
            eat(b);
        }
        eat(b'|');
    }
    if let Some(d) = born {
        for b in d.0.to_le_bytes() {
            eat(b);
        }
    }
    // Finalise (the low bits of FNV are weak) and keep 63 bits for SQLite.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h & 0x7fff_ffff_ffff_ffff
}

fn code(t: Option<&NameToken>) -> &str {
    t.map(|t| t.code.as_str()).unwrap_or("")
}

fn sorted_pair<'a>(a: &'a str, b: &'a str) -> [&'a str; 2] {
    if a <= b { [a, b] } else { [b, a] }
}

/// The keys a registry person is filed under (four to eight).
pub fn person_keys(view: &BlockingView<'_>, out: &mut Vec<u64>) {
    out.clear();
    let g1 = code(view.given.first().copied());
    let g2 = code(view.given.get(1).copied());
    let s1 = code(view.first_surname);
    let s2 = code(view.second_surname);
    let pair = sorted_pair(s1, s2);
    out.push(key_of(SURNAMES_GIVEN, &[pair[0], pair[1], g1], None));
    if !g2.is_empty() && g2 != g1 {
        // The second given name may be the one the person goes by.
        out.push(key_of(SURNAMES_GIVEN, &[pair[0], pair[1], g2], None));
    }
    out.push(key_of(SURNAME_TWO_GIVEN, &[s1, g1, g2], None));
    if !s2.is_empty() && s2 != s1 {
        out.push(key_of(SURNAME_TWO_GIVEN, &[s2, g1, g2], None));
    }
    if !g2.is_empty() {
        out.push(key_of(FIRST_SURNAME_GIVEN, &[s1, g1], None));
    }
    out.push(key_of(SURNAME_BIRTH, &[s1], view.born));
    if !s2.is_empty() && s2 != s1 {
        out.push(key_of(SURNAME_BIRTH, &[s2], view.born));
    }
    out.push(key_of(GIVEN_BIRTH, &[g1], view.born));
}

/// The keys to look up for a query row: the same recipes, tried with each
/// surname the row gives (first, second, married) in each role, and with
/// the second given name present or absent.
pub fn query_keys(view: &BlockingView<'_>, married: Option<&NameToken>, out: &mut Vec<u64>) {
    out.clear();
    let g1 = code(view.given.first().copied());
    let g2 = code(view.given.get(1).copied());
    let typed: Vec<&str> = [view.first_surname, view.second_surname, married]
        .into_iter()
        .flatten()
        .map(|s| s.code.as_str())
        .filter(|c| !c.is_empty())
        .collect();
    let mut surnames: Vec<&str> = Vec::with_capacity(3);
    for c in &typed {
        if !surnames.contains(c) {
            surnames.push(c);
        }
    }
    // Pairs of surnames as typed (PÉREZ PÉREZ is a pair too), and each
    // surname alone, for registry persons with one.
    let mut pairs: Vec<[&str; 2]> = Vec::new();
    for (i, a) in typed.iter().enumerate() {
        for b in &typed[i + 1..] {
            pairs.push(sorted_pair(a, b));
        }
    }
    for a in &surnames {
        pairs.push(sorted_pair(a, ""));
    }
    pairs.sort_unstable();
    pairs.dedup();
    for pair in &pairs {
        out.push(key_of(SURNAMES_GIVEN, &[pair[0], pair[1], g1], None));
    }
    // The date as typed, and the dates its commonest slips come from (day
    // and month swapped, a day off), so that a slipped date still finds the
    // person through the keys that need the date.
    let dates: Vec<Day> = view
        .born
        .map(|b| std::iter::once(b).chain(commonest_slips(b)).collect())
        .unwrap_or_default();
    for born in &dates {
        out.push(key_of(GIVEN_BIRTH, &[g1], Some(*born)));
    }
    for s in &surnames {
        out.push(key_of(SURNAME_TWO_GIVEN, &[s, g1, g2], None));
        if !g2.is_empty() {
            // The registry may hold only one given name.
            out.push(key_of(SURNAME_TWO_GIVEN, &[s, g1, ""], None));
        }
        for born in &dates {
            out.push(key_of(SURNAME_BIRTH, &[s], Some(*born)));
        }
    }
    // One given name (or an initial after it), one surname, no date.
    let one_given = view.given.get(1).is_none_or(|t| t.initial);
    if view.born.is_none() && one_given && surnames.len() == 1 {
        out.push(key_of(FIRST_SURNAME_GIVEN, &[surnames[0], g1], None));
    }
    // The second given name may be the one the person goes by.
    if !g2.is_empty() {
        for pair in &pairs {
            out.push(key_of(SURNAMES_GIVEN, &[pair[0], pair[1], g2], None));
        }
    }
    out.sort_unstable();
    out.dedup();
}

fn hash12(text: &str) -> u64 {
    if text.is_empty() {
        return 0;
    }
    (key_of(0, &[text], None) % 4095) + 1
}

/// Days from 1880-01-01 plus one (0 = unknown), in 16 bits.
fn birth16(born: Option<Day>) -> u64 {
    const EPOCH: i32 = -32_872; // 1880-01-01
    born.map(|d| (d.0 - EPOCH + 1).clamp(1, 65_535) as u64)
        .unwrap_or(0)
}

/// The date of birth stored in a signature's low 16 bits; `None` when it holds none.
pub fn birth_of_signature(sig: u64) -> Option<Day> {
    const EPOCH: i32 = -32_872;
    let v = (sig & 0xffff) as i32;
    (v != 0).then(|| Day(v - 1 + EPOCH))
}

/// The person's signature: date of birth and 12-bit hashes of the codes of
/// the first two given names and the two surnames.
pub fn signature(view: &BlockingView<'_>) -> u64 {
    birth16(view.born)
        | hash12(code(view.given.first().copied())) << 16
        | hash12(code(view.given.get(1).copied())) << 28
        | hash12(code(view.first_surname)) << 40
        | hash12(code(view.second_surname)) << 52
}

/// What a query row's names look like in a signature, for comparison.
#[derive(Debug, Clone, Default)]
pub struct SignatureProbe {
    given: Vec<u64>,
    surnames: Vec<u64>,
    born: Option<Day>,
}

impl SignatureProbe {
    /// The probe for a query row: its names' hashes, including the married surname as a surname.
    pub fn new(view: &BlockingView<'_>, married: Option<&NameToken>) -> SignatureProbe {
        SignatureProbe {
            given: view
                .given
                .iter()
                .map(|t| hash12(&t.code))
                .filter(|h| *h != 0)
                .collect(),
            surnames: [view.first_surname, view.second_surname, married]
                .into_iter()
                .flatten()
                .map(|t| hash12(&t.code))
                .filter(|h| *h != 0)
                .collect(),
            born: view.born,
        }
    }

    /// A cheap score of how well a signature agrees with the row: used
    /// only to choose which persons of a large block get the full scoring.
    pub fn rough_score(&self, sig: u64) -> i32 {
        let mut score = 0;
        // Each of the person's names answers one name of the row: PÉREZ
        // PÉREZ agrees twice only with a PÉREZ PÉREZ.
        let mut g = [(sig >> 16) & 0xfff, (sig >> 28) & 0xfff];
        let mut s = [(sig >> 40) & 0xfff, (sig >> 52) & 0xfff];
        for h in &self.given {
            if let Some(slot) = g.iter_mut().find(|x| **x == *h) {
                *slot = 0;
                score += 4;
            }
        }
        for h in &self.surnames {
            if let Some(slot) = s.iter_mut().find(|x| **x == *h) {
                *slot = 0;
                score += 5;
            }
        }
        if let (Some(q), Some(p)) = (self.born, birth_of_signature(sig)) {
            score += birth_closeness(q, p);
        }
        score
    }
}

/// Rough agreement of two dates of birth: exact, a typing slip (one field
/// differs, day and month swapped), or unrelated.
pub fn birth_closeness(a: Day, b: Day) -> i32 {
    if a == b {
        return 12;
    }
    let (ya, ma, da) = a.ymd();
    let (yb, mb, db) = b.ymd();
    let same = u8::from(ya == yb) + u8::from(ma == mb) + u8::from(da == db);
    if same == 2 || (ya == yb && ma == db && da == mb) {
        4
    } else {
        -4
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::{given_names, surnames};

    fn keys_of(
        g: &[&str],
        s1: &str,
        s2: &str,
        married: &str,
        born: Option<&str>,
        query: bool,
    ) -> Vec<u64> {
        let given = given_names(g.iter().copied());
        let sur = surnames(s1, s2, married);
        let born = born.and_then(Day::parse_iso);
        let view = BlockingView::new(&given, &sur, born);
        let mut out = Vec::new();
        if query {
            query_keys(&view, sur.married.as_ref(), &mut out);
        } else {
            person_keys(&view, &mut out);
        }
        out
    }

    fn found(person: &[u64], query: &[u64]) -> bool {
        person.iter().any(|k| query.contains(k))
    }

    #[test]
    fn one_wrong_field_still_finds_the_person() {
        let p = keys_of(
            &["MARÍA", "JOSÉ"],
            "LÓPEZ",
            "GARCÍA",
            "",
            Some("1985-03-15"),
            false,
        );
        // Accents dropped, Mayan-style spelling variants: all keys agree.
        assert!(found(
            &p,
            &keys_of(&["MARIA", "JOSE"], "LOPES", "GARSIA", "", None, true)
        ));
        // Swapped surnames.
        assert!(found(
            &p,
            &keys_of(&["MARIA", "JOSE"], "GARCIA", "LOPEZ", "", None, true)
        ));
        // Missing second surname.
        assert!(found(
            &p,
            &keys_of(&["MARIA", "JOSE"], "LOPEZ", "", "", None, true)
        ));
        // Wrong first surname.
        assert!(found(
            &p,
            &keys_of(&["MARIA", "JOSE"], "TOPEZ", "GARCIA", "", None, true)
        ));
        // Wrong first given name, date of birth given.
        assert!(found(
            &p,
            &keys_of(
                &["MARTA", "JOSE"],
                "LOPEZ",
                "GARCIA",
                "",
                Some("1985-03-15"),
                true
            )
        ));
        // Only first given name and first surname, with date of birth.
        assert!(found(
            &p,
            &keys_of(&["MARIA"], "LOPEZ", "", "", Some("1985-03-15"), true)
        ));
        // Married surname typed as the second surname.
        assert!(found(
            &p,
            &keys_of(&["MARIA", "JOSE"], "LOPEZ", "PEREZ", "", None, true)
        ));
        // Typos in the first given name and the first surname, date of birth given.
        assert!(found(
            &p,
            &keys_of(
                &["MARYA", "JOSE"],
                "LOPZE",
                "GARCIA",
                "",
                Some("1985-03-15"),
                true
            )
        ));
        // Typos in both surnames, date of birth given.
        assert!(found(
            &p,
            &keys_of(&["MARIA"], "LOPZE", "GRACIA", "", Some("1985-03-15"), true)
        ));
        // Day and month swapped, and the day before, with a given name the
        // registry does not have (so only the date keys can find it).
        let date_slips = keys_of(&["MARIA"], "LOPEZ", "", "", Some("1985-03-15"), false);
        let born = |s| keys_of(&["MARTA"], "LOPEZ", "", "", Some(s), true);
        assert!(found(&date_slips, &born("1985-03-16")));
        assert!(found(&date_slips, &born("1985-03-14")));
        let swapped = keys_of(&["MARIA"], "LOPEZ", "", "", Some("1985-03-05"), false);
        assert!(found(&swapped, &born("1985-05-03")));
        // Both surnames the same.
        let same = keys_of(&["ANTONIO", "RAÚL"], "PÉREZ", "PÉREZ", "", None, false);
        assert!(found(
            &same,
            &keys_of(
                &["ANTONIO", "R."],
                "PEREZ",
                "PEREZ",
                "",
                Some("2011-04-27"),
                true
            )
        ));
        // Goes by the second given name.
        let p2 = keys_of(&["JOSÉ", "LUIS"], "PÉREZ", "XOL", "", None, false);
        assert!(found(
            &p2,
            &keys_of(&["LUIS"], "PEREZ", "CHOL", "", None, true)
        ));
    }

    #[test]
    fn first_given_name_and_first_surname_alone_find_a_person_with_more() {
        // The portal's plainest row: one given name, one surname, no date
        // (or an initial for the second given name). The person has a
        // second given name and a second surname, so no key of the full
        // name fits; an 18 M registry left QIRUAO CHÍDOR not found at all.
        let p = keys_of(
            &["QIRUAO", "ALEJANDRO", "ALFREDO"],
            "CHÍDOR",
            "CHICOJ",
            "",
            Some("2013-09-24"),
            false,
        );
        assert!(found(
            &p,
            &keys_of(&["qiruao"], "chidor", "", "", None, true)
        ));
        assert!(found(
            &p,
            &keys_of(&["QIRUAO", "A."], "CHIDOR", "", "", None, true)
        ));
        // A row with two surnames has narrower keys and does not look this
        // one up: LUCÍA GRXTÓDO LÓPEZ is not in every LUCÍA … LÓPEZ's block.
        let namesake = keys_of(&["LUCÍA", "MARÍA"], "LÓPEZ", "PÉREZ", "", None, false);
        assert!(found(
            &namesake,
            &keys_of(&["LUCIA"], "LOPEZ", "", "", None, true)
        ));
        assert!(!found(
            &namesake,
            &keys_of(&["LUCIA"], "GRXTODO", "LOPEZ", "", None, true)
        ));
    }

    #[test]
    fn a_different_person_is_not_in_the_same_blocks() {
        let p = keys_of(
            &["MARÍA", "JOSÉ"],
            "LÓPEZ",
            "GARCÍA",
            "",
            Some("1985-03-15"),
            false,
        );
        assert!(!found(
            &p,
            &keys_of(
                &["ANA", "LUCIA"],
                "CAAL",
                "POP",
                "",
                Some("1990-01-01"),
                true
            )
        ));
    }

    #[test]
    fn signature_keeps_the_birth_date_and_ranks_agreement() {
        let given = given_names(["MARÍA", "JOSÉ"]);
        let sur = surnames("LÓPEZ", "GARCÍA", "");
        let born = Day::parse_iso("1985-03-15");
        let sig = signature(&BlockingView::new(&given, &sur, born));
        assert_eq!(birth_of_signature(sig), born);
        let same = SignatureProbe::new(&BlockingView::new(&given, &sur, born), None);
        let qg = given_names(["MARÍA", "LUISA"]);
        let other = SignatureProbe::new(
            &BlockingView::new(&qg, &sur, Day::parse_iso("1970-01-01")),
            None,
        );
        assert!(same.rough_score(sig) > other.rough_score(sig));
        // A row PÉREZ PÉREZ ranks a PÉREZ PÉREZ above a PÉREZ LÓPEZ.
        let twice = surnames("PÉREZ", "PÉREZ", "");
        let once = surnames("PÉREZ", "LÓPEZ", "");
        let probe = SignatureProbe::new(&BlockingView::new(&given, &twice, born), None);
        assert!(
            probe.rough_score(signature(&BlockingView::new(&given, &twice, born)))
                > probe.rough_score(signature(&BlockingView::new(&given, &once, born)))
        );
    }

    #[test]
    fn birth_dates_close_by_a_typing_slip() {
        let d = |s| Day::parse_iso(s).unwrap();
        assert_eq!(birth_closeness(d("1985-03-15"), d("1985-03-15")), 12);
        assert_eq!(birth_closeness(d("1985-03-15"), d("1985-03-16")), 4);
        assert_eq!(birth_closeness(d("1985-03-05"), d("1985-05-03")), 4);
        assert_eq!(birth_closeness(d("1985-03-15"), d("1958-03-15")), 4);
        assert_eq!(birth_closeness(d("1985-03-15"), d("1990-07-01")), -4);
    }
}
