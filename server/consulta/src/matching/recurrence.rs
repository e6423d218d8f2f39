//! How likely someone outside the registry is to carry a full name that
//! exactly one registered person carries.
//!
//! The posterior's "someone else" ([`super::engine`]) needs the expected
//! number of people, per registry-sized population, who carry the row's
//! full name. Multiplying the registry's shares of each name (MARÍA ×
//! LÓPEZ × …) assumes names are drawn independently; they are not
//! (surnames cluster by family and place, given names by sex and era), and
//! for a full name the registry has seen exactly once the product is often
//! several persons, while the registry itself says how often such names
//! recur. The empirical Bayes answer (Robbins 1956; Good–Turing): among the
//! distinct full names of one form, `n₁` are carried by one person and `n₂`
//! by two, and a name seen once is expected `2·n₂/n₁` times in another
//! population of the registry's size. Names seen once are grouped by the
//! independence estimate itself (bins of its `log2`), so a unique name made
//! of common parts keeps a higher estimate than one made of rare parts.
//!
//! The import counts every form's names ([`FormTally`]) and stores `n₁` and
//! `n₂` per form and bin (`name_recurrence`); the engine reads them back
//! ([`Recurrence`]).

use crate::names::NameToken;
use crate::registry::store::NameField;

use super::profile::Profile;

/// Which names of a person a row gives, in the fields it gives them:
/// first given name and first surname always; second given name, second
/// surname when present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameForm {
    /// First given name, first surname.
    Short = 0,
    /// First given name, both surnames.
    BothSurnames = 1,
    /// Two given names, first surname.
    BothGiven = 2,
    /// Two given names, both surnames.
    Full = 3,
}

/// Forms counted, as stored (`NameForm as usize`).
pub const FORMS: usize = 4;

impl NameForm {
    fn of(second_given: bool, second_surname: bool) -> NameForm {
        match (second_given, second_surname) {
            (false, false) => NameForm::Short,
            (false, true) => NameForm::BothSurnames,
            (true, false) => NameForm::BothGiven,
            (true, true) => NameForm::Full,
        }
    }

    /// The stored number of this form.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The names of one form of a profile, each with the field its share is
/// counted in.
pub type FormNames<'p> = Vec<(NameField, &'p NameToken)>;

/// The form a query row gives and its names: `None` when it cannot be
/// counted as typed (an initial, no first given name or no first surname).
/// A third given name or a married surname only makes the name rarer: the
/// form without them is the cautious estimate.
pub fn row_form(p: &Profile) -> Option<(NameForm, FormNames<'_>)> {
    let g1 = p.given.first()?;
    let s1 = p.surnames.first.as_ref()?;
    let g2 = p.given.get(1);
    let s2 = p.surnames.second.as_ref();
    let names = [
        Some((NameField::Given1, g1)),
        g2.map(|t| (NameField::GivenOther, t)),
        Some((NameField::Surname1, s1)),
        s2.map(|t| (NameField::Surname2, t)),
    ];
    let names: FormNames<'_> = names.into_iter().flatten().collect();
    if names.iter().any(|(_, t)| t.initial) {
        return None;
    }
    Some((NameForm::of(g2.is_some(), s2.is_some()), names))
}

/// Every form a registered person carries (one to four), with its names.
pub fn person_forms(p: &Profile) -> Vec<(NameForm, FormNames<'_>)> {
    let (Some(g1), Some(s1)) = (p.given.first(), p.surnames.first.as_ref()) else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(FORMS);
    let g2s: &[Option<&NameToken>] = match p.given.get(1) {
        Some(t) => &[None, Some(t)],
        None => &[None],
    };
    for g2 in g2s.iter().copied() {
        let s2s: &[Option<&NameToken>] = match p.surnames.second.as_ref() {
            Some(t) => &[None, Some(t)],
            None => &[None],
        };
        for s2 in s2s.iter().copied() {
            let names = [
                Some((NameField::Given1, g1)),
                g2.map(|t| (NameField::GivenOther, t)),
                Some((NameField::Surname1, s1)),
                s2.map(|t| (NameField::Surname2, t)),
            ];
            out.push((
                NameForm::of(g2.is_some(), s2.is_some()),
                names.into_iter().flatten().collect(),
            ));
        }
    }
    out
}

/// Whether a registered person carries these names in these fields (the
/// row's exact text, after normalisation).
pub fn carries(person: &Profile, names: &FormNames<'_>) -> bool {
    names.iter().all(|(field, t)| {
        let own = match field {
            NameField::Given1 => person.given.first(),
            NameField::GivenOther => person.given.get(1),
            NameField::Surname1 => person.surnames.first.as_ref(),
            NameField::Surname2 => person.surnames.second.as_ref(),
            NameField::Married => person.surnames.married.as_ref(),
        };
        own.is_some_and(|o| o.full == t.full)
    })
}

/// Lowest and highest bin of `log2` of the independence estimate.
const LOWEST_BIN: i32 = -24;
const HIGHEST_BIN: i32 = 12;
/// Bins stored per form.
pub const BINS: usize = (HIGHEST_BIN - LOWEST_BIN + 1) as usize;

/// The bin of an independence estimate (expected carriers in a population
/// of the registry's size).
pub fn bin(expected: f64) -> usize {
    let b = if expected > 0.0 {
        expected.log2().floor() as i32
    } else {
        LOWEST_BIN
    };
    (b.clamp(LOWEST_BIN, HIGHEST_BIN) - LOWEST_BIN) as usize
}

/// The bin's lower edge as a `log2` (for the stored table and reports).
pub fn bin_floor(index: usize) -> i32 {
    LOWEST_BIN + index as i32
}

/// Names seen once needed before an estimate is trusted: bins with fewer
/// are pooled with their neighbours (at 1 million persons every form's
/// central bins hold tens of thousands).
const MIN_ONCE: f64 = 200.0;

/// `n₁` and `n₂` per form and bin.
#[derive(Debug, Clone, PartialEq)]
pub struct Recurrence {
    /// `[form][bin]`: distinct names carried by exactly one person.
    pub once: [[f64; BINS]; FORMS],
    /// `[form][bin]`: distinct names carried by exactly two.
    pub twice: [[f64; BINS]; FORMS],
}

impl Default for Recurrence {
    fn default() -> Self {
        Recurrence {
            once: [[0.0; BINS]; FORMS],
            twice: [[0.0; BINS]; FORMS],
        }
    }
}

impl Recurrence {
    /// Expected carriers, in a population of the registry's size, of a
    /// name of this form that one registered person carries, whose
    /// independence estimate falls in `bin`: `2·n₂ / n₁` over the nearest
    /// bins holding at least [`MIN_ONCE`] names seen once. `None` when the
    /// whole form holds fewer (a tiny registry says nothing).
    pub fn expected_carriers(&self, form: NameForm, bin: usize) -> Option<f64> {
        let once = &self.once[form.index()];
        let twice = &self.twice[form.index()];
        let bin = bin.min(BINS - 1);
        let (mut lo, mut hi) = (bin, bin);
        let (mut n1, mut n2) = (once[bin], twice[bin]);
        while n1 < MIN_ONCE {
            let grow_down = lo > 0 && (hi == BINS - 1 || once[lo - 1] >= once[hi + 1]);
            if grow_down {
                lo -= 1;
                n1 += once[lo];
                n2 += twice[lo];
            } else if hi < BINS - 1 {
                hi += 1;
                n1 += once[hi];
                n2 += twice[hi];
            } else {
                return None;
            }
        }
        // Half a name seen twice keeps an empty bin from claiming that no
        // name of its kind ever recurs.
        Some(2.0 * (n2 + 0.5) / n1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::{given_names, surnames};

    fn profile(given: &[&str], s1: &str, s2: &str) -> Profile {
        Profile {
            given: given_names(given.iter().copied()),
            surnames: surnames(s1, s2, ""),
            born: None,
        }
    }

    #[test]
    fn a_row_gives_one_form_and_a_person_carries_each_of_theirs() {
        let row = profile(&["maría", "josefa"], "gonzález", "");
        let (form, names) = row_form(&row).unwrap();
        assert_eq!(form, NameForm::BothGiven);
        assert_eq!(names.len(), 3);
        let person = profile(&["MARIA", "JOSEFA"], "GONZALEZ", "ORTIZ");
        assert!(carries(&person, &names));
        let other = profile(&["MARIA", "JOSEFINA"], "GONZALEZ", "ORTIZ");
        assert!(!carries(&other, &names));
        let forms: Vec<NameForm> = person_forms(&person).iter().map(|f| f.0).collect();
        assert_eq!(
            forms,
            [
                NameForm::Short,
                NameForm::BothSurnames,
                NameForm::BothGiven,
                NameForm::Full
            ]
        );
        assert_eq!(person_forms(&profile(&["ANA"], "POP", "")).len(), 1);
        // An initial is not a name that can be counted.
        assert!(row_form(&profile(&["J."], "POP", "")).is_none());
    }

    #[test]
    fn names_seen_once_recur_as_the_registry_says() {
        let mut r = Recurrence::default();
        let b = bin(3.0);
        r.once[0][b] = 1000.0;
        r.twice[0][b] = 100.0;
        let e = r.expected_carriers(NameForm::Short, b).unwrap();
        assert!((e - 2.0 * 100.5 / 1000.0).abs() < 1e-9, "{e}");
        // A sparse bin borrows from its neighbours; a form with too few
        // names says nothing.
        r.once[0][b + 1] = 10.0;
        r.twice[0][b + 1] = 10.0;
        let pooled = r.expected_carriers(NameForm::Short, b + 1).unwrap();
        assert!((pooled - 2.0 * 110.5 / 1010.0).abs() < 1e-9, "{pooled}");
        assert_eq!(r.expected_carriers(NameForm::Full, b), None);
        assert_eq!(bin(0.0), 0);
        assert_eq!(bin(1e30), BINS - 1);
        assert_eq!(bin_floor(bin(1.0)), 0);
    }
}
