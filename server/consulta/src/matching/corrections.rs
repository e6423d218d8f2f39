//! Slips that change a name's phonetic code, for blocking rows without a
//! date of birth.
//!
//! Blocking files persons under the phonetic codes of their names (see
//! [`super::blocking`]); a row without a date is found only through keys
//! made of names. One slip that changes a code — `CAROS` for CARLOS (`KRS`
//! / `KRLS`), `PERO` for PEDRO, `LOPKZ` for LÓPEZ — in the first given name
//! of a row that has no second one, or in both surnames, leaves no key
//! that finds the person. So for such rows the engine also looks up the
//! keys with one name's code replaced by the codes one edit away that many
//! more persons carry: the names the slip most likely came from. Whether
//! the person found that way is the row's is for the scoring to say, as
//! for any candidate.

use std::collections::HashMap;

use crate::names::similarity::typo_distance;
use crate::registry::store::{NameField, Registry, StoreError};

/// Codes rarer than this share of the registry are not offered as
/// corrections: a slip is most likely made on a common name, and keeping
/// the index to the common codes keeps it small at 18 million persons.
const MIN_SHARE: f64 = 1e-5;
/// A correction must be carried by this many times as many persons as the
/// code typed: a slip lands on rare text far more often than on another
/// common name.
const LIKELIER: u64 = 4;
/// Corrections offered per name, the commonest first.
pub const MAX_CORRECTIONS: usize = 2;

/// The common phonetic codes of some name fields, indexed for lookups one
/// edit away (each code under itself and under each of its one-letter
/// deletions: two codes one substitution, insertion or deletion apart share
/// one of these).
#[derive(Debug, Default)]
pub struct Corrections {
    codes: Vec<(String, u64)>,
    counts: HashMap<String, u64>,
    by_variant: HashMap<String, Vec<u32>>,
}

fn variants(code: &str) -> impl Iterator<Item = String> + '_ {
    std::iter::once(code.to_owned()).chain((0..code.len()).map(move |i| {
        let mut v = String::with_capacity(code.len());
        v.push_str(&code[..i]);
        v.push_str(&code[i + 1..]);
        v
    }))
}

impl Corrections {
    /// The codes of `fields` (their counts added up) carried by at least
    /// [`MIN_SHARE`] of the registry's persons.
    pub fn load(registry: &Registry, fields: &[NameField]) -> Result<Corrections, StoreError> {
        let persons = registry.meta().persons.max(1) as f64;
        let min = ((persons * MIN_SHARE).ceil() as u64).max(2);
        let mut counts: HashMap<String, u64> = HashMap::new();
        for field in fields {
            for (code, n) in registry.names_with_at_least(*field, true, min)? {
                *counts.entry(code).or_default() += n;
            }
        }
        Ok(Corrections::of(counts))
    }

    fn of(counts: HashMap<String, u64>) -> Corrections {
        let mut codes: Vec<(String, u64)> = counts
            .iter()
            .filter(|(c, _)| c.is_ascii())
            .map(|(c, n)| (c.clone(), *n))
            .collect();
        codes.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut by_variant: HashMap<String, Vec<u32>> = HashMap::new();
        for (i, (code, _)) in codes.iter().enumerate() {
            for v in variants(code) {
                let list = by_variant.entry(v).or_default();
                if list.last() != Some(&(i as u32)) {
                    list.push(i as u32);
                }
            }
        }
        Corrections {
            codes,
            counts,
            by_variant,
        }
    }

    /// The codes one edit from `code` that [`LIKELIER`] times as many
    /// persons carry, commonest first, at most [`MAX_CORRECTIONS`].
    pub fn likelier(&self, code: &str) -> Vec<&str> {
        if code.is_empty() || !code.is_ascii() {
            return Vec::new();
        }
        let own = self.counts.get(code).copied().unwrap_or(0);
        let mut found: Vec<u32> = Vec::new();
        for v in variants(code) {
            if let Some(list) = self.by_variant.get(&v) {
                found.extend(list);
            }
        }
        // Codes are indexed commonest first.
        found.sort_unstable();
        found.dedup();
        found
            .into_iter()
            .map(|i| &self.codes[i as usize])
            .filter(|(c, n)| {
                c != code && *n >= own.max(1) * LIKELIER && typo_distance(c, code, 1) <= 1
            })
            .take(MAX_CORRECTIONS)
            .map(|(c, _)| c.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(codes: &[(&str, u64)]) -> Corrections {
        Corrections::of(codes.iter().map(|(c, n)| ((*c).to_owned(), *n)).collect())
    }

    #[test]
    fn a_slip_is_corrected_to_the_common_codes_one_edit_away() {
        let c = index(&[
            ("KRLS", 5_000), // CARLOS
            ("KRS", 40),     // CAROS, as rare as a slip
            ("KRMN", 900),   // CARMEN
            ("PDR", 3_000),  // PEDRO
            ("PR", 10),
            ("PRS", 2_500), // PÉREZ
            ("LPS", 8_000), // LÓPEZ
        ]);
        // A letter dropped, a letter added, a letter changed.
        assert_eq!(c.likelier("KRS"), vec!["KRLS", "PRS"]);
        assert_eq!(c.likelier("PR"), vec!["PDR", "PRS"]);
        assert_eq!(c.likelier("LPKS"), vec!["LPS"]);
        assert_eq!(c.likelier("LBS"), vec!["LPS"]);
        // A common code is not "corrected" to another common one.
        assert!(c.likelier("KRLS").is_empty());
        assert!(c.likelier("PDR").is_empty(), "{:?}", c.likelier("PDR"));
        // Nothing near.
        assert!(c.likelier("XXXXX").is_empty());
        assert!(c.likelier("").is_empty());
    }
}
