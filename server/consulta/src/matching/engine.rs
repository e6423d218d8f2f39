//! Matching one query row: by CUI (validate, exact lookup) or by names
//! (block, narrow, score, decide).
//!
//! The decision is Bayesian: each candidate's weight `W` (bits, see
//! [`super::score`]) becomes a probability `2^W / (Σ 2^Wj + Z)` where the
//! sum runs over all scored candidates and `Z` stands for the row's person
//! not being in the registry, or not among the candidates (`Z` grows with
//! the registry and with the installation's [`MatchingSettings`]: among 18
//! million people, a common name alone rarely identifies anyone). A row
//! with a name that is none of the best candidate's names, not even a slip
//! of one ([`super::score::unrelated_name`]), or a date of birth that is
//! none of the candidate's slips, is never `ENCONTRADO`. `ENCONTRADO` needs
//! that probability to reach the installation's bar
//! ([`MatchingSettings::found_probability`], 99 % by default): the best
//! candidate must be clearly ahead of the next one *and* of chance. A wrong
//! match is far worse than an honest `AMBIGUO`.

use padron_shared::Cui;

use crate::names::{NameToken, given_names, surnames};
use crate::registry::date::Day;
use crate::registry::record::RegistryRecord;
use crate::registry::store::{BlockEntry, NameField, Registry, StoreError};

use super::birth::{BirthAgreement, compare_births};
use super::blocking::{SignatureProbe, query_keys};
use super::evidence::{Evidence, evidence_bits, outside_bits as evidence_outside_bits};
use super::profile::Profile;
use super::recurrence::{FormNames, NameForm, bin, carries, row_form};
use super::score::{Frequencies, Score, match_score, unrelated_name};
pub use super::settings::{DEFAULT_FOUND_PROBABILITY, DEFAULT_OUTSIDE_SHARE, MatchingSettings};

/// The result of one query row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowOutcome {
    /// One registry person is the row's, with the probability the engine requires.
    Encontrado,
    /// No registry person fits the row.
    NoEncontrado,
    /// The row's CUI fails the CUI rules (by-CUI queries).
    CuiInvalido,
    /// Several persons fit and none stands out enough to be reported.
    Ambiguo,
    /// The row cannot be queried as typed (e.g. a required name missing).
    Rechazado,
}

impl RowOutcome {
    /// Every outcome, in the order the result workbook and its counts list them.
    pub const ALL: [RowOutcome; 5] = [
        RowOutcome::Encontrado,
        RowOutcome::NoEncontrado,
        RowOutcome::CuiInvalido,
        RowOutcome::Ambiguo,
        RowOutcome::Rechazado,
    ];

    /// The word written in the result workbook.
    pub fn as_str(self) -> &'static str {
        match self {
            RowOutcome::Encontrado => "ENCONTRADO",
            RowOutcome::NoEncontrado => "NO_ENCONTRADO",
            RowOutcome::CuiInvalido => "CUI_INVALIDO",
            RowOutcome::Ambiguo => "AMBIGUO",
            RowOutcome::Rechazado => "RECHAZADO",
        }
    }
}

/// A scored candidate of a names query.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The registry person scored.
    pub person: RegistryRecord,
    /// Match weight in bits.
    pub bits: f64,
    /// Probability (0–1) that this is the row's person.
    pub probability: f64,
}

/// What the engine says about one row.
#[derive(Debug, Clone)]
pub struct Decision {
    /// Found, not found, ambiguous, invalid CUI or rejected.
    pub outcome: RowOutcome,
    /// The person reported, for `ENCONTRADO` (and a by-CUI hit).
    pub person: Option<RegistryRecord>,
    /// Probability (0–1) of the reported person, or of the best candidate.
    pub probability: Option<f64>,
    /// Why, for a person to read (Spanish).
    pub notes: String,
    /// For `AMBIGUO`: the best candidates, most probable first (up to 5).
    pub candidates: Vec<Candidate>,
}

impl Decision {
    /// A `RECHAZADO` decision with these notes.
    pub fn rejected(notes: impl Into<String>) -> Decision {
        Decision {
            outcome: RowOutcome::Rechazado,
            person: None,
            probability: None,
            notes: notes.into(),
            candidates: vec![],
        }
    }
}

/// A names query row, as typed.
#[derive(Debug, Clone, Default)]
pub struct NamesQuery {
    /// First, second and third given names as typed; blank when not given.
    pub given: [String; 3],
    /// First surname as typed.
    pub first_surname: String,
    /// Second surname as typed; blank when not given.
    pub second_surname: String,
    /// Married surname as typed (with or without `DE`); blank when not given.
    pub married_surname: String,
    /// Date of birth, when the row gives one (most rolls do not).
    pub born: Option<Day>,
    /// Optional `Año de nacimiento` (one year) or `Edad` (the two years an
    /// age at the job's date allows): evidence when the row has no date.
    pub birth_years: Option<(i32, i32)>,
    /// Optional `Sexo`, `Departamento` and `Municipio de nacimiento`.
    pub evidence: Evidence,
}

/// Below this, no candidate is worth showing: `NO_ENCONTRADO`.
pub const CANDIDATE_PROBABILITY: f64 = 0.02;
/// `m` of a name typed exactly as registered (see [`super::score`]), and of
/// a date of birth typed exactly: an outside person's row shows its text
/// only if typed right, as a candidate's does.
const M_EXACT_NAME: f64 = 0.88;
const M_EXACT_BIRTH: f64 = 0.93;

/// Persons of the blocks that get the full scoring: the best by signature,
/// and all those tied with the very best up to `FULL_SCORING_TIED`. (Scoring
/// 64 gave the same precision on the benchmark's 27,000 rows, for 40% more
/// time at 18 million persons.)
const FULL_SCORING: usize = 24;
const FULL_SCORING_TIED: usize = 256;
/// Candidates whose rough score trails the best by more than this cannot win.
const ROUGH_MARGIN: i32 = 14;
/// Candidates listed for an `AMBIGUO` row.
pub const LISTED_CANDIDATES: usize = 5;

/// Matches rows against one registry; keep one per job (it caches name counts).
#[derive(Debug)]
pub struct Engine<'r> {
    registry: &'r Registry,
    settings: MatchingSettings,
    frequencies: Frequencies<'r>,
    keys: Vec<u64>,
    entries: Vec<BlockEntry>,
    /// The current row's year(s) of birth, when it gives them instead of a date.
    birth_years: Option<(i32, i32)>,
    /// The current row's optional sex and place of birth.
    evidence: Evidence,
    more_keys: Vec<u64>,
}

impl<'r> Engine<'r> {
    /// An engine over `registry` with the default matching settings.
    pub fn new(registry: &'r Registry) -> Engine<'r> {
        Engine::with_settings(registry, MatchingSettings::default())
    }

    /// An engine over `registry` with these settings.
    pub fn with_settings(registry: &'r Registry, settings: MatchingSettings) -> Engine<'r> {
        Engine {
            registry,
            settings,
            frequencies: Frequencies::new(registry),
            keys: Vec::new(),
            entries: Vec::new(),
            birth_years: None,
            evidence: Evidence::default(),
            more_keys: Vec::new(),
        }
    }

    /// A CUI row: `text` as typed (spaces and dashes allowed).
    pub fn by_cui(&mut self, text: &str) -> Result<Decision, StoreError> {
        if text.trim().is_empty() {
            return Ok(Decision {
                outcome: RowOutcome::CuiInvalido,
                person: None,
                probability: None,
                notes: "CUI vacío".into(),
                candidates: vec![],
            });
        }
        let cui = match Cui::parse(text) {
            Ok(c) => c,
            Err(e) => {
                return Ok(Decision {
                    outcome: RowOutcome::CuiInvalido,
                    person: None,
                    probability: None,
                    notes: e.to_string(),
                    candidates: vec![],
                });
            }
        };
        Ok(match self.registry.person(cui)? {
            Some(p) => Decision {
                outcome: RowOutcome::Encontrado,
                person: Some(p),
                probability: Some(1.0),
                notes: String::new(),
                candidates: vec![],
            },
            None => Decision {
                outcome: RowOutcome::NoEncontrado,
                person: None,
                probability: None,
                notes: "el CUI no está en el registro".into(),
                candidates: vec![],
            },
        })
    }

    /// A names row.
    pub fn by_names(&mut self, q: &NamesQuery) -> Result<Decision, StoreError> {
        self.birth_years = q.birth_years;
        self.evidence = q.evidence.clone();
        let profile = Profile {
            given: given_names(q.given.iter().map(String::as_str)),
            surnames: surnames(&q.first_surname, &q.second_surname, &q.married_surname),
            born: q.born,
        };
        if profile.given.is_empty() {
            return Ok(Decision::rejected("falta el nombre"));
        }
        if profile.surnames.first.is_none() && profile.surnames.married.is_none() {
            return Ok(Decision::rejected("falta el apellido"));
        }
        // Three maiden surnames and room for another given name: the first
        // "surname" may be a given name typed into the surname column
        // (`LUIS PÉREZ` / `GARCÍA`), or the row may carry a compound
        // surname. Both readings are weighed; the more probable one decides.
        if !profile.surnames.extra.is_empty() && profile.given.len() < 3 {
            let mut shifted = profile.clone();
            if let Some(first) = shifted.surnames.first.take() {
                shifted.given.push(first);
                shifted.surnames.first = shifted.surnames.second.take();
                shifted.surnames.second = Some(shifted.surnames.extra.remove(0));
                let straight = self.decide(&profile)?;
                let other = self.decide(&shifted)?;
                let p = |d: &Decision| d.probability.unwrap_or(0.0);
                return Ok(if p(&other) > p(&straight) {
                    other
                } else {
                    straight
                });
            }
        }
        self.decide(&profile)
    }

    /// For a row without a date of birth, the keys of the same row with one
    /// name (first given name, first or second surname) replaced by the
    /// common names its slip may come from, added to `self.keys`.
    fn corrected_keys(&mut self, profile: &Profile) -> Result<(), StoreError> {
        let [given, surnames] = self.registry.corrections()?;
        let mut names: Vec<(usize, &NameToken)> = Vec::with_capacity(3);
        names.extend(profile.given.first().map(|t| (0, t)));
        names.extend(profile.surnames.first.as_ref().map(|t| (1, t)));
        names.extend(profile.surnames.second.as_ref().map(|t| (2, t)));
        for (slot, token) in names {
            if token.initial {
                continue;
            }
            let index = if slot == 0 { given } else { surnames };
            for code in index.likelier(&token.code) {
                let mut other = profile.clone();
                let target = match slot {
                    0 => other.given.first_mut(),
                    1 => other.surnames.first.as_mut(),
                    _ => other.surnames.second.as_mut(),
                };
                if let Some(t) = target {
                    t.code = code.to_owned();
                }
                query_keys(
                    &other.view(),
                    other.surnames.married.as_ref(),
                    &mut self.more_keys,
                );
                self.keys.extend_from_slice(&self.more_keys);
            }
        }
        self.keys.sort_unstable();
        self.keys.dedup();
        Ok(())
    }

    /// The outside term's names part (bits) for a row whose full name, as
    /// typed, exactly one scored person carries (`carrier`, their score):
    /// someone outside the registry carries it as often as the registry
    /// says such names recur ([`super::recurrence`]), so against that
    /// person the odds are `outside odds per person × expected carriers`.
    /// `None` when the registry has no counts for this kind of name (a
    /// store imported before them, or a tiny registry): the independence
    /// estimate stands.
    fn outside_names_bits(
        &mut self,
        profile: &Profile,
        form: NameForm,
        names: &FormNames<'_>,
        carrier: &Score,
    ) -> Result<Option<f64>, StoreError> {
        let Some(recurrence) = self.registry.recurrence()? else {
            return Ok(None);
        };
        let mut independent = self.frequencies.persons();
        for (field, token) in names {
            independent *= self.frequencies.share(*field, false, &token.full)?;
        }
        // Names the form leaves out (a third given name, a married surname)
        // make the full name rarer; they count as independent of the rest.
        let mut rarer = 1.0;
        for token in profile.given.iter().skip(2).take(1) {
            rarer *= self
                .frequencies
                .share(NameField::GivenOther, false, &token.full)?;
        }
        if let Some(token) = &profile.surnames.married {
            rarer *= self
                .frequencies
                .share(NameField::Married, false, &token.full)?;
        }
        Ok(recurrence
            .expected_carriers(form, bin(independent))
            .map(|expected| {
                carrier.given
                    + carrier.surnames
                    + (self.settings.outside_odds_per_person() * expected * rarer).log2()
            }))
    }

    fn decide(&mut self, profile: &Profile) -> Result<Decision, StoreError> {
        let profile = profile.clone();
        let view = profile.view();
        query_keys(&view, profile.surnames.married.as_ref(), &mut self.keys);
        if profile.born.is_none() {
            self.corrected_keys(&profile)?;
        }
        self.entries.clear();
        for key in &self.keys {
            self.registry.block(*key, &mut self.entries)?;
        }
        self.entries.sort_unstable_by_key(|e| e.cui);
        self.entries.dedup_by_key(|e| e.cui);

        // Narrow large blocks on the signatures alone.
        let probe = SignatureProbe::new(&view, profile.surnames.married.as_ref());
        let mut rough: Vec<(i32, u64)> = self
            .entries
            .iter()
            .map(|e| (probe.rough_score(e.signature), e.cui))
            .collect();
        rough.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let top_rough = rough.first().map(|r| r.0).unwrap_or(0);
        let tied = rough.iter().take_while(|r| r.0 >= top_rough).count();
        let limit = FULL_SCORING.max(tied.min(FULL_SCORING_TIED));
        // More equally plausible persons than can be scored: no single one can be reported.
        let crowded = rough.len() > limit && rough[limit].0 >= top_rough;
        let mut scored: Vec<(f64, Score, RegistryRecord)> = Vec::new();
        // The row's full name as typed, and the scored persons who carry
        // it exactly (see `outside_names_bits`).
        let form = row_form(&profile);
        let mut carriers: Vec<Score> = Vec::new();
        for (r, cui) in rough.iter().take(limit) {
            if *r < top_rough - ROUGH_MARGIN {
                break;
            }
            let Some(person) = self.registry.person_by_id(*cui as i64)? else {
                continue;
            };
            let person_profile = Profile::of_record(&person);
            let mut score = match_score(&mut self.frequencies, &profile, &person_profile)?;
            let carrier = form
                .as_ref()
                .is_some_and(|(_, names)| carries(&person_profile, names));
            if profile.born.is_none()
                && let Some(years) = self.birth_years
            {
                score.birth = birth_year_bits(self.registry, years, person.born.ymd().0);
            }
            if !self.evidence.is_empty() {
                let counts = self.registry.evidence_counts()?;
                (score.sex, score.place) = evidence_bits(counts, &self.evidence, &person);
            }
            if carrier {
                carriers.push(score);
            }
            scored.push((score.total(), score, person));
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));

        // Probabilities against each other and against "someone else": a
        // person outside the registry whose names (and date) are the row's,
        // typed right, as likely as a random registered person's would be.
        let names_typed_right = (profile.given.len().min(3)
            + profile.surnames.maiden().count()
            + usize::from(profile.surnames.married.is_some()))
            as f64
            * M_EXACT_NAME.log2();
        let outside_names = match (&form, carriers.as_slice(), crowded) {
            (Some((form, names)), [only], false) => {
                self.outside_names_bits(&profile, *form, names, only)?
            }
            _ => None,
        }
        .unwrap_or(
            (self.frequencies.persons() * self.settings.outside_odds_per_person()).log2()
                + names_typed_right,
        );
        let typed_right = if profile.born.is_some() {
            M_EXACT_BIRTH.log2()
        } else if self.birth_years.is_some() {
            M_YEAR.log2()
        } else {
            0.0
        } + evidence_outside_bits(&self.evidence);
        let outside_bits = outside_names + typed_right;
        let top_bits = scored
            .first()
            .map(|s| s.0)
            .unwrap_or(outside_bits)
            .max(outside_bits);
        let denominator: f64 = scored.iter().map(|s| (s.0 - top_bits).exp2()).sum::<f64>()
            + (outside_bits - top_bits).exp2();
        let best_score = scored.first().map(|s| s.1).unwrap_or_default();
        let next_score = scored.get(1).map(|s| s.1);
        let candidates: Vec<Candidate> = scored
            .into_iter()
            .map(|(bits, _, person)| Candidate {
                probability: (bits - top_bits).exp2() / denominator,
                bits,
                person,
            })
            .collect();
        let best = candidates.first().map(|c| c.probability).unwrap_or(0.0);
        // A name of the row that is none of the best candidate's names, not
        // even a slip of one: never reported as found, whatever the rest.
        let unrelated = match candidates.first() {
            Some(c) => unrelated_name(
                &mut self.frequencies,
                &profile,
                &Profile::of_record(&c.person),
            )?,
            None => None,
        };
        // Likewise a date of birth the row gives that is not the best
        // candidate's, nor one of the slips dates are typed with: a row
        // dated 1968 is not the woman born in 1990 who carries its names,
        // however rare the names are in a small registry.
        let other_date = match (profile.born, candidates.first()) {
            (Some(born), Some(c)) => {
                compare_births(born, c.person.born) == BirthAgreement::Disagree
            }
            _ => false,
        };
        if best >= self.settings.found_probability && !crowded && unrelated.is_none() && !other_date
        {
            let c = &candidates[0];
            return Ok(Decision {
                outcome: RowOutcome::Encontrado,
                person: Some(c.person.clone()),
                probability: Some(c.probability),
                notes: deciding_fields(
                    &best_score,
                    next_score.as_ref(),
                    if profile.born.is_some() {
                        Some("fecha de nacimiento")
                    } else if self.birth_years.is_some() {
                        Some("año de nacimiento")
                    } else {
                        None
                    },
                ),
                candidates: vec![],
            });
        }
        if let Some(u) = &unrelated
            && best >= CANDIDATE_PROBABILITY
        {
            let listed: Vec<Candidate> = candidates.into_iter().take(LISTED_CANDIDATES).collect();
            return Ok(Decision {
                outcome: RowOutcome::Ambiguo,
                person: None,
                probability: Some(best),
                notes: format!(
                    "el {} «{}» no es ningún nombre del candidato más probable (ni un error de escritura de uno); ver hoja candidatos",
                    u.field, u.text
                ),
                candidates: listed,
            });
        }
        if other_date && best >= CANDIDATE_PROBABILITY {
            let listed: Vec<Candidate> = candidates.into_iter().take(LISTED_CANDIDATES).collect();
            return Ok(Decision {
                outcome: RowOutcome::Ambiguo,
                person: None,
                probability: Some(best),
                notes: format!(
                    "la fecha de nacimiento {} no es la del candidato más probable ({}) ni un error de escritura de ella; ver hoja candidatos",
                    profile.born.map(|d| d.to_string()).unwrap_or_default(),
                    listed[0].person.born
                ),
                candidates: listed,
            });
        }
        if best >= CANDIDATE_PROBABILITY || (crowded && !candidates.is_empty()) {
            let listed: Vec<Candidate> = candidates.into_iter().take(LISTED_CANDIDATES).collect();
            let notes = if crowded {
                format!(
                    "{} o más personas coinciden por igual; ver hoja candidatos",
                    FULL_SCORING + 1
                )
            } else {
                format!(
                    "{} candidato(s) posible(s), ninguno con certeza suficiente; ver hoja candidatos",
                    listed.len()
                )
            };
            return Ok(Decision {
                outcome: RowOutcome::Ambiguo,
                person: None,
                probability: Some(best),
                notes,
                candidates: listed,
            });
        }
        Ok(Decision {
            outcome: RowOutcome::NoEncontrado,
            person: None,
            probability: None,
            notes: "ninguna persona del registro coincide lo suficiente".into(),
            candidates: vec![],
        })
    }
}

/// `m` of a year of birth (or age) typed for a row without a date: the
/// registered year (or one of the two an age allows), a year off, another.
const M_YEAR: f64 = 0.9;
const M_YEAR_OFF: f64 = 0.06;
const M_YEAR_OTHER: f64 = 0.04;

/// Bits for a row's year(s) of birth against a candidate born in `year`,
/// `u` from the registry's births per year.
fn birth_year_bits(registry: &Registry, (from, to): (i32, i32), year: i32) -> f64 {
    if (from..=to).contains(&year) {
        (M_YEAR / registry.birth_year_share(from, to)).log2()
    } else if year == from - 1 || year == to + 1 {
        let u = registry.birth_year_share(from - 1, from - 1)
            + registry.birth_year_share(to + 1, to + 1);
        (M_YEAR_OFF / u.min(1.0)).log2()
    } else {
        M_YEAR_OTHER.log2()
    }
}

/// Which fields decided a match, for `observaciones`: those that added
/// evidence (positive bits), from the most telling, then the optional
/// fields (sex, place of birth) that set the match apart from the next
/// candidate by a bit or more.
fn deciding_fields(score: &Score, next: Option<&Score>, birth: Option<&'static str>) -> String {
    let mut fields: Vec<(&str, f64)> =
        vec![("nombres", score.given), ("apellidos", score.surnames)];
    if let Some(label) = birth {
        fields.push((label, score.birth));
    }
    fields.push(("lugar de nacimiento", score.place));
    fields.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut decided: Vec<String> = fields
        .iter()
        .filter(|f| f.1 > 0.0)
        .map(|f| format!("{} ({:.0} bits)", f.0, f.1))
        .collect();
    if let Some(next) = next {
        for (label, own, other) in [
            ("sexo", score.sex, next.sex),
            ("lugar de nacimiento", score.place, next.place),
        ] {
            if own - other >= 1.0 && !(own > 0.0 && label == "lugar de nacimiento") {
                decided.push(format!(
                    "{label} ({:.0} bits frente al siguiente candidato)",
                    own - other
                ));
            }
        }
    }
    if decided.is_empty() {
        return String::new();
    }
    format!("decidieron: {}", decided.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::generate::generate;
    use crate::registry::import::import;

    fn registry(persons: u64) -> (tempfile::TempDir, Registry, Vec<csv::StringRecord>) {
        let dir = tempfile::tempdir().unwrap();
        let csv_path = dir.path().join("r.csv");
        let mut bytes = Vec::new();
        generate(persons, 5, &mut bytes, |_| {}).unwrap();
        std::fs::write(&csv_path, &bytes).unwrap();
        import(dir.path(), &csv_path, &indicatif::ProgressBar::hidden()).unwrap();
        let rows = csv::Reader::from_reader(bytes.as_slice())
            .records()
            .map(|r| r.unwrap())
            .collect();
        let reg = Registry::open(dir.path()).unwrap();
        (dir, reg, rows)
    }

    fn query_of(row: &csv::StringRecord) -> NamesQuery {
        NamesQuery {
            given: [row[1].to_owned(), row[2].to_owned(), row[3].to_owned()],
            first_surname: row[4].to_owned(),
            second_surname: row[5].to_owned(),
            married_surname: row[6].to_owned(),
            born: Day::parse_iso(&row[11]),
            birth_years: None,
            evidence: Evidence::default(),
        }
    }

    #[test]
    fn cui_rows() {
        let (_dir, reg, rows) = registry(300);
        let mut engine = Engine::new(&reg);
        let d = engine.by_cui(&rows[7][0]).unwrap();
        assert_eq!(d.outcome, RowOutcome::Encontrado);
        assert_eq!(d.person.unwrap().cui.to_string(), &rows[7][0]);
        // Spaces and dashes are fine.
        let spaced = format!(
            "{} {}-{}",
            &rows[7][0][..4],
            &rows[7][0][4..9],
            &rows[7][0][9..]
        );
        assert_eq!(
            engine.by_cui(&spaced).unwrap().outcome,
            RowOutcome::Encontrado
        );
        assert_eq!(
            engine.by_cui("1234567880101").unwrap().outcome,
            RowOutcome::CuiInvalido
        );
        assert_eq!(engine.by_cui("").unwrap().outcome, RowOutcome::CuiInvalido);
        assert_eq!(
            engine.by_cui("9876543220101").unwrap().outcome,
            RowOutcome::NoEncontrado
        );
    }

    #[test]
    fn names_rows_find_the_right_person_or_say_so() {
        let (_dir, reg, rows) = registry(5_000);
        let mut engine = Engine::new(&reg);
        let mut found = 0;
        for row in rows.iter().take(200) {
            let d = engine.by_names(&query_of(row)).unwrap();
            if d.outcome == RowOutcome::Encontrado {
                assert_eq!(
                    d.person.unwrap().cui.to_string(),
                    &row[0],
                    "wrong person for {row:?}"
                );
                found += 1;
            }
        }
        assert!(found >= 190, "{found}");

        // Typical slips: accents dropped, a typo, second surname missing.
        let row = &rows[3];
        let mut q = query_of(row);
        q.given[0] = crate::names::fold(&q.given[0]);
        q.second_surname.clear();
        let d = engine.by_names(&q).unwrap();
        assert_eq!(d.outcome, RowOutcome::Encontrado, "{d:?}");

        // Someone who is not there.
        let q = NamesQuery {
            given: ["ZACARÍAS".into(), "EUSTAQUIO".into(), String::new()],
            first_surname: "QUISQUINÁ".into(),
            second_surname: "XAJIL".into(),
            married_surname: String::new(),
            born: Day::parse_iso("1931-02-03"),
            birth_years: None,
            evidence: Evidence::default(),
        };
        assert_ne!(engine.by_names(&q).unwrap().outcome, RowOutcome::Encontrado);
        assert_eq!(
            engine.by_names(&NamesQuery::default()).unwrap().outcome,
            RowOutcome::Rechazado
        );
    }
}

#[cfg(test)]
mod decision_tests {
    use super::*;
    use crate::matching::registry_with;

    fn q(given: &str, s1: &str, s2: &str, born: Option<&str>) -> NamesQuery {
        NamesQuery {
            given: [given.into(), String::new(), String::new()],
            first_surname: s1.into(),
            second_surname: s2.into(),
            married_surname: String::new(),
            born: born.and_then(Day::parse_iso),
            birth_years: None,
            evidence: Evidence::default(),
        }
    }

    #[test]
    fn identical_persons_are_ambiguous_never_found() {
        // Two registered persons with the same names and date of birth.
        let (_d, reg) = registry_with(&[
            "9876543220101,ROSALINDA,,,CHAVAJAY,XICAY,,F,GUATEMALA,SOLOLÁ,SOLOLÁ,1990-04-02,NO,,",
            "1234567890101,ROSALINDA,,,CHAVAJAY,XICAY,,F,GUATEMALA,SOLOLÁ,SOLOLÁ,1990-04-02,NO,,",
        ]);
        let mut e = Engine::new(&reg);
        let d = e
            .by_names(&q("Rosalinda", "Chavajay", "Xicay", Some("1990-04-02")))
            .unwrap();
        assert_eq!(d.outcome, RowOutcome::Ambiguo, "{d:?}");
        assert_eq!(d.candidates.len(), 2);
        assert!(
            d.candidates
                .iter()
                .all(|c| c.probability < DEFAULT_FOUND_PROBABILITY)
        );
    }

    #[test]
    fn the_date_of_birth_tells_namesakes_apart() {
        let (_d, reg) = registry_with(&[
            "9876543220101,ROSALINDA,,,CHAVAJAY,XICAY,,F,GUATEMALA,SOLOLÁ,SOLOLÁ,1990-04-02,NO,,",
            "1234567890101,ROSALINDA,,,CHAVAJAY,XICAY,,F,GUATEMALA,SOLOLÁ,SOLOLÁ,1971-11-23,NO,,",
        ]);
        let mut e = Engine::new(&reg);
        let d = e
            .by_names(&q("ROSALINDA", "CHABAJAI", "XICAY", Some("1971-11-23")))
            .unwrap();
        assert_eq!(d.outcome, RowOutcome::Encontrado, "{d:?}");
        assert_eq!(d.person.unwrap().cui.to_string(), "1234567890101");
        // Without a date of birth, neither can be chosen.
        let d = e
            .by_names(&q("ROSALINDA", "CHAVAJAY", "XICAY", None))
            .unwrap();
        assert_eq!(d.outcome, RowOutcome::Ambiguo, "{d:?}");
    }

    #[test]
    fn a_date_with_day_and_month_swapped_finds_the_person() {
        let (_d, reg) = registry_with(&[
            "9876543220101,ROSALINDA,,,CHAVAJAY,XICAY,,F,GUATEMALA,SOLOLÁ,SOLOLÁ,1990-04-02,NO,,",
            "1234567890101,ROSALINDA,,,CHAVAJAY,XICAY,,F,GUATEMALA,SOLOLÁ,SOLOLÁ,1971-11-23,NO,,",
        ]);
        let mut e = Engine::new(&reg);
        // 1990-02-04 typed for 1990-04-02.
        let d = e
            .by_names(&q("ROSALINDA", "CHAVAJAY", "XICAY", Some("1990-02-04")))
            .unwrap();
        assert_eq!(d.outcome, RowOutcome::Encontrado, "{d:?}");
        assert_eq!(d.person.unwrap().cui.to_string(), "9876543220101");
        // So does one wrong digit of the year.
        let d = e
            .by_names(&q("ROSALINDA", "CHAVAJAY", "XICAY", Some("1971-11-28")))
            .unwrap();
        assert_eq!(d.outcome, RowOutcome::Encontrado, "{d:?}");
        assert_eq!(d.person.unwrap().cui.to_string(), "1234567890101");
    }

    #[test]
    fn namesakes_told_apart_only_by_the_missing_field_stay_ambiguous() {
        // Same given name and first surname; the second surname, which the
        // row leaves out, is all that differs. Neutral is not a tie-breaker.
        let (_d, reg) = registry_with(&[
            "9876543220101,EULALIA,,,CHAVAJAY,XICAY,,F,GUATEMALA,SOLOLÁ,SOLOLÁ,1990-04-02,NO,,",
            "1234567890101,EULALIA,,,CHAVAJAY,TZOC,,F,GUATEMALA,SOLOLÁ,SOLOLÁ,1971-11-23,NO,,",
        ]);
        let mut e = Engine::new(&reg);
        let d = e.by_names(&q("EULALIA", "CHAVAJAY", "", None)).unwrap();
        assert_eq!(d.outcome, RowOutcome::Ambiguo, "{d:?}");
        assert_eq!(d.candidates.len(), 2);
        // With the date, the one born that day.
        let d = e
            .by_names(&q("EULALIA", "CHAVAJAY", "", Some("1971-11-23")))
            .unwrap();
        assert_eq!(d.outcome, RowOutcome::Encontrado, "{d:?}");
        assert_eq!(d.person.unwrap().cui.to_string(), "1234567890101");
    }

    const ROSALINDA: &str =
        "9876543220101,ROSALINDA,,,CHAVAJAY,XICAY,,F,GUATEMALA,SOLOLÁ,SOLOLÁ,1990-04-02,NO,,";

    #[test]
    fn a_surname_that_is_not_the_persons_is_never_found() {
        let (_d, reg) = registry_with(&[ROSALINDA]);
        let mut e = Engine::new(&reg);
        // Gibberish, a real surname of others, a name nobody has: with the
        // date of birth and every other field right, still not found.
        for (s1, s2) in [
            ("QWERTIÁN", "XICAY"),
            ("MORALES", "XICAY"),
            ("CHAVAJAY", "WOJCIECHOWSKI"),
        ] {
            for born in [Some("1990-04-02"), None] {
                let d = e.by_names(&q("ROSALINDA", s1, s2, born)).unwrap();
                assert_ne!(
                    d.outcome,
                    RowOutcome::Encontrado,
                    "{s1} {s2} {born:?}: {d:?}"
                );
            }
        }
        // The clerk is told why.
        let d = e
            .by_names(&q("ROSALINDA", "QWERTIÁN", "XICAY", Some("1990-04-02")))
            .unwrap();
        assert_eq!(d.outcome, RowOutcome::Ambiguo, "{d:?}");
        assert!(
            d.notes.contains("primer apellido «QWERTIAN»"),
            "{}",
            d.notes
        );
        assert_eq!(d.candidates[0].person.cui.to_string(), "9876543220101");
        // Each of the person's names accounts for one of the row's only.
        let d = e
            .by_names(&q("ROSALINDA", "XICAY", "XICAY", Some("1990-04-02")))
            .unwrap();
        assert_ne!(d.outcome, RowOutcome::Encontrado, "{d:?}");
        // So is a given name that is none of the person's.
        let d = e
            .by_names(&q("EUSTAQUIA", "CHAVAJAY", "XICAY", Some("1990-04-02")))
            .unwrap();
        assert_ne!(d.outcome, RowOutcome::Encontrado, "{d:?}");
    }

    #[test]
    fn a_given_name_in_the_surname_column_is_read_as_one() {
        let (_d, reg) = registry_with(&[
            "9876543220101,ROSALINDA,MARISOL,,CHAVAJAY,XICAY,,F,GUATEMALA,SOLOLÁ,SOLOLÁ,1990-04-02,NO,,",
        ]);
        let mut e = Engine::new(&reg);
        let d = e
            .by_names(&q("ROSALINDA", "MARISOL CHAVAJAY", "XICAY", None))
            .unwrap();
        assert_eq!(d.outcome, RowOutcome::Encontrado, "{d:?}");
        // A third surname nobody of the candidates has is unrelated text too.
        let d = e
            .by_names(&q(
                "ROSALINDA",
                "MARISOL CHAVAJAY",
                "NAKAMURA",
                Some("1990-04-02"),
            ))
            .unwrap();
        assert_ne!(d.outcome, RowOutcome::Encontrado, "{d:?}");
    }

    #[test]
    fn a_slip_of_the_persons_own_surname_is_still_found() {
        let (_d, reg) = registry_with(&[ROSALINDA]);
        let mut e = Engine::new(&reg);
        // One letter off, a keyboard neighbour (J/H), a Mayan spelling.
        for s1 in ["CHAVAJAI", "CHAVAHAY", "CHABAJAY"] {
            for born in [Some("1990-04-02"), None] {
                let d = e.by_names(&q("ROSALINDA", s1, "XICAY", born)).unwrap();
                assert_eq!(d.outcome, RowOutcome::Encontrado, "{s1} {born:?}: {d:?}");
                assert_eq!(d.person.unwrap().cui.to_string(), "9876543220101");
            }
        }
    }

    #[test]
    fn a_slip_that_changes_the_given_names_code_still_finds_the_person_without_a_date() {
        // CAROS for CARLOS (phonetic KRS / KRLS), no second given name and
        // no date: no key of the row as typed files the person.
        let (_d, reg) = registry_with(&[
            "9876543220101,CARLOS,TOMÁS,,KACRAJ,RAMÍREZ,,M,GUATEMALA,SOLOLÁ,SOLOLÁ,2004-02-22,NO,,",
        ]);
        let mut e = Engine::new(&reg);
        let d = e.by_names(&q("CAROS", "KACRAJ", "RAMIREZ", None)).unwrap();
        assert_eq!(d.outcome, RowOutcome::Encontrado, "{d:?}");
        assert_eq!(d.person.unwrap().cui.to_string(), "9876543220101");
        // And a slip in both surnames (LOPKZ MORAES for LÓPEZ MORALES).
        let (_d, reg) = registry_with(&[
            "9876543220101,LUIS,ARMANDO,,LÓPEZ,MORALES,,M,GUATEMALA,SOLOLÁ,SOLOLÁ,2021-05-16,NO,,",
        ]);
        let mut e = Engine::new(&reg);
        let mut row = q("LUIS", "LOPKZ", "MORAES", None);
        row.given[1] = "ARMANDO".into();
        let d = e.by_names(&row).unwrap();
        assert!(
            d.person
                .iter()
                .chain(d.candidates.iter().map(|c| &c.person))
                .any(|p| p.cui.to_string() == "9876543220101"),
            "{d:?}"
        );
    }

    #[test]
    fn a_full_name_only_one_person_carries_is_found_without_a_date() {
        let (_d, reg) = registry_with(&[ROSALINDA]);
        let mut e = Engine::new(&reg);
        let d = e
            .by_names(&q("rosalinda", "chavajay", "xicay", None))
            .unwrap();
        assert_eq!(d.outcome, RowOutcome::Encontrado, "{d:?}");
        assert_eq!(d.person.unwrap().cui.to_string(), "9876543220101");
        // `observaciones` says which fields decided.
        assert!(d.notes.starts_with("decidieron: "), "{}", d.notes);
        assert!(!d.notes.contains("fecha"), "{}", d.notes);
    }

    #[test]
    fn a_common_name_without_a_date_is_ambiguous_with_its_candidates_in_order() {
        let (_d, reg) = registry_with(&[
            "9876543220101,MARÍA,,,LÓPEZ,GARCÍA,,F,GUATEMALA,GUATEMALA,MIXCO,1990-04-02,NO,,",
            "1234567890101,MARÍA,,,LÓPEZ,GARCÍA,,F,GUATEMALA,SOLOLÁ,SOLOLÁ,1971-11-23,NO,,",
            "2345678910101,MARÍA,,,LÓPEZ,GARSÍA,,F,GUATEMALA,ZACAPA,ZACAPA,1985-06-30,NO,,",
        ]);
        let mut e = Engine::new(&reg);
        let d = e.by_names(&q("MARIA", "LOPEZ", "GARCIA", None)).unwrap();
        assert_eq!(d.outcome, RowOutcome::Ambiguo, "{d:?}");
        assert!(d.candidates.len() >= 2, "{d:?}");
        assert!(
            d.candidates
                .windows(2)
                .all(|w| w[0].probability >= w[1].probability),
            "{d:?}"
        );
        let top: Vec<String> = d.candidates[..2]
            .iter()
            .map(|c| c.person.cui.to_string())
            .collect();
        assert!(top.contains(&"9876543220101".to_owned()), "{top:?}");
        assert!(top.contains(&"1234567890101".to_owned()), "{top:?}");
    }

    #[test]
    fn a_year_of_birth_tells_namesakes_apart_without_a_date() {
        let (_d, reg) = registry_with(&[
            "9876543220101,ROSALINDA,,,CHAVAJAY,XICAY,,F,GUATEMALA,SOLOLÁ,SOLOLÁ,1990-04-02,NO,,",
            "1234567890101,ROSALINDA,,,CHAVAJAY,XICAY,,F,GUATEMALA,SOLOLÁ,SOLOLÁ,1971-11-23,NO,,",
        ]);
        let mut e = Engine::new(&reg);
        let mut row = q("ROSALINDA", "CHAVAJAY", "XICAY", None);
        assert_eq!(e.by_names(&row).unwrap().outcome, RowOutcome::Ambiguo);
        row.birth_years = Some((1971, 1971));
        let d = e.by_names(&row).unwrap();
        assert_eq!(d.outcome, RowOutcome::Encontrado, "{d:?}");
        assert_eq!(d.person.unwrap().cui.to_string(), "1234567890101");
        assert!(d.notes.contains("año de nacimiento"), "{}", d.notes);
        // An age: the two years it allows.
        row.birth_years = Some((1989, 1990));
        let d = e.by_names(&row).unwrap();
        assert_eq!(d.person.unwrap().cui.to_string(), "9876543220101");
    }

    #[test]
    fn sex_and_place_of_birth_tell_namesakes_apart_without_a_date() {
        // GUADALUPE: a given name of both sexes.
        let (_d, reg) = registry_with(&[
            "9876543220101,GUADALUPE,,,CHAVAJAY,XICAY,,F,GUATEMALA,SOLOLÁ,SOLOLÁ,1990-04-02,NO,,",
            "1234567890101,GUADALUPE,,,CHAVAJAY,XICAY,,M,GUATEMALA,ZACAPA,ZACAPA,1971-11-23,NO,,",
        ]);
        let mut e = Engine::new(&reg);
        let mut row = q("GUADALUPE", "CHAVAJAY", "XICAY", None);
        assert_eq!(e.by_names(&row).unwrap().outcome, RowOutcome::Ambiguo);
        // The sex alone: a clerk's slip is one row in fifty, so the
        // namesake of the other sex is far behind but not ruled out.
        row.evidence.sex = Some('M');
        let d = e.by_names(&row).unwrap();
        assert_eq!(d.candidates[0].person.cui.to_string(), "1234567890101");
        assert!(d.candidates[0].probability > 0.9, "{d:?}");
        // With the department of birth as well, found.
        row.evidence.department = Some("ZACAPA".into());
        let d = e.by_names(&row).unwrap();
        assert_eq!(d.outcome, RowOutcome::Encontrado, "{d:?}");
        assert_eq!(d.person.unwrap().cui.to_string(), "1234567890101");
        assert!(d.notes.contains("sexo"), "{}", d.notes);
        let mut row = q("GUADALUPE", "CHAVAJAY", "XICAY", None);
        row.evidence.department = Some("SOLOLA".into());
        row.evidence.municipality = Some("SOLOLA".into());
        let d = e.by_names(&row).unwrap();
        assert_eq!(d.outcome, RowOutcome::Encontrado, "{d:?}");
        assert_eq!(d.person.unwrap().cui.to_string(), "9876543220101");
        assert!(d.notes.contains("lugar de nacimiento"), "{}", d.notes);
        // A place that is neither's does not make either found.
        let mut row = q("GUADALUPE", "CHAVAJAY", "XICAY", None);
        row.evidence.department = Some("PETEN".into());
        assert_ne!(e.by_names(&row).unwrap().outcome, RowOutcome::Encontrado);
    }

    #[test]
    fn the_outside_share_is_the_installations_assumption() {
        let (_d, reg) = registry_with(&[ROSALINDA]);
        let row = q("ROSALINDA", "CHAVAJAY", "", None);
        let p = |share: f64| {
            let mut e = Engine::with_settings(
                &reg,
                MatchingSettings {
                    outside_share: share,
                    ..Default::default()
                },
            );
            e.by_names(&row).unwrap().probability.unwrap_or(0.0)
        };
        // More persons outside the registry: less certainty from names alone.
        assert!(p(0.001) > p(0.3), "{} {}", p(0.001), p(0.3));
        let odds = MatchingSettings::default().outside_odds_per_person();
        assert!(odds > DEFAULT_OUTSIDE_SHARE && odds < 2.0 * DEFAULT_OUTSIDE_SHARE + 0.003);
    }

    #[test]
    fn the_bar_for_found_is_the_installations_setting() {
        let (_d, reg) = registry_with(&[ROSALINDA]);
        let row = q("ROSALINDA", "CHAVAJAY", "XICAY", None);
        let decide = |bar: f64| {
            let settings = MatchingSettings {
                found_probability: bar,
                ..Default::default()
            };
            Engine::with_settings(&reg, settings)
                .by_names(&row)
                .unwrap()
        };
        let p = decide(DEFAULT_FOUND_PROBABILITY).probability.unwrap();
        assert!(p > 0.5 && p < 1.0, "{p}");
        // Just under the row's probability: found; just over: the same
        // person, for a person to confirm.
        let found = decide(p - 1e-9);
        assert_eq!(found.outcome, RowOutcome::Encontrado, "{found:?}");
        let doubt = decide(p + 1e-9);
        assert_eq!(doubt.outcome, RowOutcome::Ambiguo, "{doubt:?}");
        assert_eq!(doubt.candidates[0].person.cui, found.person.unwrap().cui);
    }

    #[test]
    fn a_namesake_outside_the_registry_is_not_matched_on_a_common_name() {
        // A common name with another date of birth than the registered one.
        let (_d, reg) = registry_with(&[
            "9876543220101,MARÍA,,,LÓPEZ,GARCÍA,,F,GUATEMALA,GUATEMALA,MIXCO,1990-04-02,NO,,",
        ]);
        let mut e = Engine::new(&reg);
        let d = e
            .by_names(&q("MARIA", "LOPEZ", "GARCIA", Some("1968-09-30")))
            .unwrap();
        assert_ne!(d.outcome, RowOutcome::Encontrado, "{d:?}");
        // Whatever the bar: a date that is not hers, nor a slip of hers,
        // says so to the clerk.
        let lax = MatchingSettings {
            found_probability: 0.9,
            ..Default::default()
        };
        let d = Engine::with_settings(&reg, lax)
            .by_names(&q("MARIA", "LOPEZ", "GARCIA", Some("1968-09-30")))
            .unwrap();
        assert_eq!(d.outcome, RowOutcome::Ambiguo, "{d:?}");
        assert!(
            d.notes.contains("fecha de nacimiento 1968-09-30"),
            "{}",
            d.notes
        );
        assert_eq!(d.candidates[0].person.cui.to_string(), "9876543220101");
        // A slip of her date (day and month swapped) is still her.
        let d = Engine::with_settings(&reg, lax)
            .by_names(&q("MARIA", "LOPEZ", "GARCIA", Some("1990-02-04")))
            .unwrap();
        assert_eq!(d.outcome, RowOutcome::Encontrado, "{d:?}");
    }
}

#[cfg(test)]
mod recurrence_tests {
    use super::*;
    use crate::registry::recurrence_tally::tests::{csv_with_twins, import};

    const UNIQUE: &str =
        "9876543220101,ROSALINDA,,,CHAVAJAY,XICAY,,F,GUATEMALA,SOLOLÁ,SOLOLÁ,1990-04-02,NO,,";

    #[test]
    fn a_name_seen_once_weighs_as_often_as_such_names_recur_in_the_registry() {
        // The same registry but for names: in one, a thousand persons share
        // their full name with another; names that recur that often make a
        // unique one likelier to be someone else's outside the registry.
        let row = NamesQuery {
            given: ["ROSALINDA".into(), String::new(), String::new()],
            first_surname: "CHAVAJAY".into(),
            second_surname: "XICAY".into(),
            ..NamesQuery::default()
        };
        let p = |twins: bool| {
            let (_d, reg) = import(&csv_with_twins(twins, &[UNIQUE]));
            let recurrence = reg.recurrence().unwrap().unwrap();
            let e = recurrence
                .expected_carriers(crate::matching::recurrence::NameForm::BothSurnames, 10)
                .unwrap();
            let d = Engine::new(&reg).by_names(&row).unwrap();
            (e, d.probability.unwrap_or(0.0))
        };
        let (seldom, found) = p(false);
        let (often, doubted) = p(true);
        assert!(often > 5.0 * seldom, "{seldom} {often}");
        assert!(doubted < found, "{found} {doubted}");
    }
}
