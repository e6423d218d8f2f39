//! What an installation decides about names matching: what it assumes
//! about the persons its rows name, and how sure a reported match must be.
//! Read from `server.toml`'s `[matching]` (the server crate) or given to
//! `padron-server match`; checked here, in one place, whoever reads them.

/// Share of the rows of registered persons that blocking misses (1 to 2 in
/// 1,000, measured on the benchmark's perturbed sets at 1 and 18 million
/// persons): their person is "outside" as far as the candidates go.
const BLOCKING_MISSES: f64 = 0.002;

/// Default [`MatchingSettings::outside_share`]: see ARCHITECTURE.md
/// ("Persons outside the registry") for the measurement behind it.
pub const DEFAULT_OUTSIDE_SHARE: f64 = 0.03;

/// Default [`MatchingSettings::found_probability`]: the best candidate at
/// least 99 times as likely as every alternative together (other
/// candidates and "someone not in the registry"). Lower bars were measured
/// (ARCHITECTURE.md, "How sure a reported match is"): 0.98 adds a point or
/// more of recall, and at 1 M persons keeps the precision the portal owes
/// (99.7 % of all `ENCONTRADO`, 99.5 % of those without a date), but at
/// 18 M it did not on a held-out set, so the default stays where every
/// set met it; an installation may choose otherwise.
pub const DEFAULT_FOUND_PROBABILITY: f64 = 0.99;

/// The range [`MatchingSettings::found_probability`] may take: below 90 %
/// one reported match in ten of the last band could be someone else's;
/// above 99.9 % names alone would almost never be enough.
pub const FOUND_PROBABILITY_RANGE: (f64, f64) = (0.9, 0.999);

/// What an installation assumes and demands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchingSettings {
    /// Share of the rows whose person is not in the registry at all
    /// (foreigners, persons never registered, rows of nobody). See
    /// [`DEFAULT_OUTSIDE_SHARE`].
    pub outside_share: f64,
    /// Probability the best candidate must reach to be reported
    /// `ENCONTRADO`; rows below it are `AMBIGUO` (or `NO_ENCONTRADO`), with
    /// the candidates and their scores for a person to review. See
    /// [`DEFAULT_FOUND_PROBABILITY`].
    pub found_probability: f64,
}

impl Default for MatchingSettings {
    fn default() -> Self {
        MatchingSettings {
            outside_share: DEFAULT_OUTSIDE_SHARE,
            found_probability: DEFAULT_FOUND_PROBABILITY,
        }
    }
}

/// A setting out of its range, named as the installation writes it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SettingsError {
    /// `outside_share` not in (0, 0.5].
    #[error(
        "outside_share: una proporción mayor que 0 y hasta 0,5, no {0} / a share above 0 and at most 0.5, not {0}"
    )]
    OutsideShare(f64),
    /// `found_probability` not in [`FOUND_PROBABILITY_RANGE`].
    #[error(
        "found_probability: una probabilidad entre 0,9 y 0,999, no {0} / a probability from 0.9 to 0.999, not {0}"
    )]
    FoundProbability(f64),
}

impl MatchingSettings {
    /// Both settings within their ranges (NaN is in neither).
    pub fn check(&self) -> Result<(), SettingsError> {
        if !(self.outside_share > 0.0 && self.outside_share <= 0.5) {
            return Err(SettingsError::OutsideShare(self.outside_share));
        }
        let (low, high) = FOUND_PROBABILITY_RANGE;
        if !(self.found_probability >= low && self.found_probability <= high) {
            return Err(SettingsError::FoundProbability(self.found_probability));
        }
        Ok(())
    }

    /// Odds, per registry person, that a row's person is outside the
    /// registry or was missed by blocking: `Z = persons × this` (the
    /// posterior's "someone else"). With `s` the outside share and `b` the
    /// blocking misses, `(s + (1 − s)·b) / ((1 − s)·(1 − b))`.
    pub fn outside_odds_per_person(&self) -> f64 {
        let s = self.outside_share.clamp(1e-6, 0.5);
        (s + (1.0 - s) * BLOCKING_MISSES) / ((1.0 - s) * (1.0 - BLOCKING_MISSES))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_out_of_range_are_refused_by_name() {
        assert_eq!(MatchingSettings::default().check(), Ok(()));
        for share in [0.0, -0.1, 0.51, f64::NAN, f64::INFINITY] {
            let s = MatchingSettings {
                outside_share: share,
                ..Default::default()
            };
            assert!(
                matches!(s.check(), Err(SettingsError::OutsideShare(_))),
                "{share}"
            );
        }
        for p in [0.5, 0.899, 0.9995, 1.0, f64::NAN] {
            let s = MatchingSettings {
                found_probability: p,
                ..Default::default()
            };
            let e = s.check().unwrap_err();
            assert!(matches!(e, SettingsError::FoundProbability(_)), "{p}");
            assert!(e.to_string().contains("found_probability"));
        }
        for p in [0.9, 0.95, 0.99, 0.999] {
            let s = MatchingSettings {
                found_probability: p,
                ..Default::default()
            };
            assert_eq!(s.check(), Ok(()), "{p}");
        }
    }
}
