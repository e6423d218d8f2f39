//! Fellegi–Sunter scoring of a query row against one registry person.
//!
//! Each field comparison adds `log2(m / u)` bits: `m` is how likely that
//! outcome is when row and person are the same human (given how
//! institutions type names), `u` how likely it is for a random person of
//! the registry. `u` comes from the registry's own name counts, so agreeing
//! on MARÍA or LÓPEZ is worth little and agreeing on CHAVAJAY or a rare
//! given name is worth a lot. The total is turned into a probability in
//! [`super::engine`], against every other candidate and against the chance
//! that the row's person is not in the registry at all.
//!
//! What makes the weights honest, each rule with its tests below:
//! - `u` is the share of what the row shows *where the row shows it* (its
//!   own field), however the name is aligned with the person's;
//! - a slip (`LOPZ`) or another spelling (`GONSALES`) weighs by how common
//!   the row's text is as a name of its own: nearly as much as the name
//!   when nobody carries it, little when it is someone else's name;
//! - names the row leaves out (second surname, second or third given name)
//!   are neutral; leaving out the first ones, or crossing roles, costs;
//! - given names are not independent (they tell the sex);
//! - dates of birth compare by level, see [`super::birth`].

use std::collections::HashMap;

use crate::names::similarity::{slip_chance, typo_allowance, typo_distance};
use crate::names::spelling;
use crate::names::{NameToken, Surnames};
use crate::registry::date::Day;
use crate::registry::store::{NAME_KINDS, NameField, Registry, StoreError};

use super::birth::BirthWeights;
use super::profile::Profile;

/// How two names compare, from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agreement {
    /// Same name (after normalisation).
    Exact,
    /// Same name but for its particles (`DE LEÓN` / `LEÓN`).
    Particle,
    /// Same sound, other spelling (`XOL` / `CHOL`, `GONZÁLEZ` / `GONSALES`).
    Phonetic,
    /// Within typing-mistake distance (`GRACIA` / `GARCIA`).
    Typo,
    /// Two slips in a name of five letters or more (`RAIRREZ` / `RAMIREZ`,
    /// `ESYOADA` / `ESTRADA`): rows with two mistakes in one field exist, so
    /// such text is the person's name mistyped *when nobody is registered
    /// with it*; when it is a name of its own (`GARZA` / `GARCIA`), the
    /// weight says so, as for one slip.
    DoubleSlip,
    /// An initial that fits (`J.` / `JOSÉ`).
    Initial,
    /// Nothing of the above: the names differ.
    Disagree,
}

/// `m`: how often each outcome happens when row and person are the same.
/// A surname that is not even close to the registry's is rarer (a changed
/// or adopted surname) than a given name that is (a name used in daily life
/// instead of the registered one).
fn m_of(a: Agreement, given: bool) -> f64 {
    match a {
        Agreement::Exact => 0.88,
        Agreement::Particle => 0.02,
        Agreement::Phonetic => 0.04,
        Agreement::Typo => 0.03,
        Agreement::DoubleSlip => 0.005,
        Agreement::Initial => 0.9,
        Agreement::Disagree if given => 0.02,
        Agreement::Disagree => 0.01,
    }
}

/// Compares two names.
pub fn compare(q: &NameToken, c: &NameToken) -> Agreement {
    if q.full == c.full {
        return Agreement::Exact;
    }
    if q.initial || c.initial {
        // DEL CARMEN may be abbreviated D. or C.
        let (qi, ci) = (q.core.as_bytes().first(), c.core.as_bytes().first());
        let fits = qi == ci
            || (q.initial && qi == c.full.as_bytes().first())
            || (c.initial && ci == q.full.as_bytes().first());
        return if fits {
            Agreement::Initial
        } else {
            Agreement::Disagree
        };
    }
    if q.core == c.core {
        return Agreement::Particle;
    }
    let same_sounds = !q.code.is_empty() && q.code == c.code;
    if same_sounds && spelling(&q.core) == spelling(&c.core) {
        return Agreement::Phonetic;
    }
    // Slips are made on the person's name: a letter dropped from BATZ
    // leaves BAZ, three letters but still one slip from a four-letter name.
    // With the same consonants, one vowel slipped is a slip even in a short
    // name (ANO for ANA); whether it is rather another name (MARIO for
    // MARÍA) is for the weight to say, from how common the row's text is.
    let allowance = typo_allowance(c.full.len()).max(usize::from(same_sounds));
    let double = allowance < 2 && q.full.len().min(c.full.len()) >= DOUBLE_SLIP_LETTERS;
    let distance = typo_distance(&q.full, &c.full, if double { 2 } else { allowance });
    if allowance > 0 && distance <= allowance {
        return Agreement::Typo;
    }
    if double && distance <= 2 {
        return Agreement::DoubleSlip;
    }
    Agreement::Disagree
}

/// The shortest names (row's and person's) in which two slips may still be
/// the person's name: in shorter ones two letters changed leave little of it
/// (`CWCO` / `CHOC`, `ZEA` / `ZEGAA`).
const DOUBLE_SLIP_LETTERS: usize = 5;

/// How many ways a name is commonly spelled (S/Z, B/V, K/Q/C, X/CH, a
/// silent H, a doubled vowel…): the chance that a variant spelling is one
/// given spelling.
const SPELLINGS_PER_NAME: f64 = 4.0;

/// `m/u` of a row's text that is a slip or another spelling (`level`) of
/// the person's name (see [`Frequencies::variant_bits`]), from the
/// registry shares of the person's name and of the row's text as a name of
/// its own; `chance` is how likely that very form is among the person's
/// slips or spellings.
fn variant_odds(
    level: Agreement,
    person_name: f64,
    row_text: f64,
    chance: f64,
    given: bool,
) -> f64 {
    // Names near the row's text: the person's own and a few others.
    let near = person_name * 1.5;
    let m_level = m_of(level, given);
    let m_exact = m_of(Agreement::Exact, given);
    let u = near + row_text * m_exact / (m_level * chance);
    // A slip onto another real name may tell against the person, but never
    // as much as a name that is not even close.
    (1.0 / u).max(m_of(Agreement::Disagree, given))
}

/// Registry name counts, looked up once per name and job.
#[derive(Debug)]
pub struct Frequencies<'r> {
    registry: &'r Registry,
    persons: f64,
    /// Shares by `name_freq` kind, then name.
    cache: [HashMap<String, f64>; NAME_KINDS],
    /// The last row's date levels (a row is scored against all its
    /// candidates before the next one).
    birth: Option<BirthWeights>,
}

/// The most a single agreeing field may add, in bits: beyond this, the
/// chance that the row itself is mistyped dominates.
const MAX_FIELD_BITS: f64 = 14.0;

impl<'r> Frequencies<'r> {
    /// Name counts of `registry`, an empty cache.
    pub fn new(registry: &'r Registry) -> Frequencies<'r> {
        Frequencies {
            registry,
            persons: registry.meta().persons.max(1) as f64,
            cache: Default::default(),
            birth: None,
        }
    }

    /// Persons in the registry (at least 1).
    pub fn persons(&self) -> f64 {
        self.persons
    }

    /// Share of registry persons carrying this name in this field (never zero).
    pub fn share(&mut self, field: NameField, code: bool, name: &str) -> Result<f64, StoreError> {
        let kind = usize::try_from(field.kind(code)).unwrap_or(0) % NAME_KINDS;
        // Looked up by `&str`: a hit, by far the common case, allocates nothing.
        if let Some(v) = self.cache[kind].get(name) {
            return Ok(*v);
        }
        let n = self.registry.persons_with(field, code, name)? as f64;
        let v = (n.max(0.5) / self.persons).min(1.0);
        self.cache[kind].insert(name.to_owned(), v);
        Ok(v)
    }

    /// Bits for comparing a row's name with one of the person's names.
    ///
    /// `u` is how likely a random person's row would show what this row
    /// shows *where the row shows it* (`row_field`), not where the person
    /// has it (`person_field`): a row's first surname MORALES that agrees
    /// with a person's married surname MORALES is as common as any first
    /// surname MORALES, however rare MORALES is among married surnames (how
    /// rare such a crossing is among a person's own rows is the role's
    /// penalty, not `u`). Likewise CARMEN typed first is as common as any
    /// first name CARMEN, though nobody's first name is DEL CARMEN.
    pub fn weight(
        &mut self,
        row_field: NameField,
        person_field: NameField,
        q: &NameToken,
        c: &NameToken,
    ) -> Result<f64, StoreError> {
        Ok(self.weight_and_level(row_field, person_field, q, c)?.0)
    }

    fn weight_and_level(
        &mut self,
        row_field: NameField,
        person_field: NameField,
        q: &NameToken,
        c: &NameToken,
    ) -> Result<(f64, Agreement), StoreError> {
        let given = matches!(row_field, NameField::Given1 | NameField::GivenOther);
        let a = compare(q, c);
        let u = match a {
            Agreement::Exact => self.share(row_field, false, &q.full)?,
            // LEÓN typed for DE LEÓN: as common as either spelling there.
            Agreement::Particle => self
                .share(row_field, false, &q.full)?
                .max(self.share(row_field, false, &c.full)?),
            Agreement::Phonetic | Agreement::Typo | Agreement::DoubleSlip => {
                return Ok((self.variant_bits(a, row_field, person_field, q, c)?, a));
            }
            Agreement::Initial => 0.1,
            Agreement::Disagree => return Ok((m_of(a, given).log2(), a)),
        };
        Ok(((m_of(a, given) / u.min(0.9)).log2().min(MAX_FIELD_BITS), a))
    }

    /// Bits for a row's name that is a typing slip (`LOPZ`) or another
    /// spelling (`GONSALES`) of the person's.
    ///
    /// Compared with a random person, what the row shows is the slip
    /// itself: the person made it with probability `m · p` (`p`, that very
    /// form among the plausible ones), and a random person would show the
    /// same text either by carrying a name near it and making the same
    /// slip, or by carrying it as their own name and typing it right. So
    ///
    /// `m/u = m·p / (m·p·share(near) + m_exact·share(row's text))`.
    ///
    /// A slip of a frequent name into a text that is nobody's name (`LOPZ`)
    /// is then nearly as telling as the name itself, while a slip that
    /// lands on another real name (`MARTA` or `MARIO` for MARÍA) tells
    /// little or counts against: MARTAs are far likelier to be typed MARTA
    /// than MARÍAs are.
    fn variant_bits(
        &mut self,
        level: Agreement,
        row_field: NameField,
        person_field: NameField,
        q: &NameToken,
        c: &NameToken,
    ) -> Result<f64, StoreError> {
        let given = matches!(row_field, NameField::Given1 | NameField::GivenOther);
        // The person's name may be rare where the row typed it (DEL CARMEN
        // is never first): take its larger share, to stay on the safe side.
        let person_name =
            self.share(row_field, false, &c.full)?
                .max(self.share(person_field, false, &c.full)?);
        let row_text = self.share(row_field, false, &q.full)?;
        let chance = match level {
            Agreement::Phonetic => 1.0 / SPELLINGS_PER_NAME,
            // Two slips in either order: twice one pair of single slips.
            Agreement::DoubleSlip => 2.0 * slip_chance(c.full.len()).powi(2),
            _ => slip_chance(c.full.len()),
        };
        Ok(variant_odds(level, person_name, row_text, chance, given)
            .log2()
            .min(MAX_FIELD_BITS))
    }

    /// Bits for the dates of birth, when the row gives one: the level of
    /// the candidate's date (see [`super::birth`]), with `u` taken from the
    /// registry's births per year. No date in the row says nothing either way.
    pub fn birth_bits(&mut self, q: Option<Day>, c: Option<Day>) -> f64 {
        let (Some(q), Some(c)) = (q, c) else {
            return 0.0;
        };
        let weights = match self.birth {
            Some(w) if w.born == q => w,
            _ => {
                let registry = self.registry;
                let w = BirthWeights::new(q, |d| registry.birth_share(d));
                self.birth = Some(w);
                w
            }
        };
        weights.bits(c)
    }
}

/// Bits for query tokens left without a partner, and for person tokens the
/// query did not mention.
// A given name the row has and the person lacks is nearly as telling as a
// different name: registries rarely miss a name a person goes by.
const UNMATCHED_QUERY_GIVEN: f64 = -5.0;
// A second or third name the row leaves out is missing, not different: rows
// omit them for their own persons about as often as for anyone else, so the
// omission is no evidence either way. Leaving out the *first* given name
// (a person known by the second: `LUCÍA` for ERIKA LUCÍA) is rare: neither
// the benchmark's generator nor the independent one ever does it, and a
// roll copied from documents seldom does; at one row in sixteen of those
// that give one name (4 bits; it was 2), the namesake known by that name
// as the first (LUCÍA ALVARADO, registered) no longer takes a quarter of
// the probability from her (query seed 101: 14 rows without a date had
// such a namesake at 5–25 %).
fn unmatched_person_given(position: usize) -> f64 {
    if position == 0 { -4.0 } else { 0.0 }
}
/// Given names typed in another order than registered (`MARÍA AURA` for
/// AURA MARÍA). Neither the institutions' rolls the benchmarks model nor
/// registries show it often: a person's names come from the same
/// document each time, so a swapped order is rarer than one row in thirty
/// of that person's (`m` 1/64 of in order: neither the benchmark's
/// generator nor the independent one swaps given names; at 1/32, JUAN JOSÉ
/// kept 3 % from a registered JOSÉ JUAN typed in order) and, like a letter changed,
/// points as much to a namesake (a MARÍA AURA outside the registry) as to
/// the person. At 1 bit, independent set 2's non-existent `MA AURA MENDOZA
/// CHIQUITO` was found as AURA MARÍA MENDOZA CHIQUITÓ at 99.7 %.
const OUT_OF_ORDER: f64 = -6.0;
/// Given names tell the person's sex, so they are not independent: once
/// one agrees, a random person's next name is drawn from the names of that
/// sex alone, about half of everyone's, which makes each further agreement
/// twice as likely by chance as its share of the registry says.
const SAME_SEX_BITS: f64 = 1.0;

/// Best alignment of the row's given names with the person's.
fn given_bits(
    f: &mut Frequencies<'_>,
    q: &[NameToken],
    c: &[NameToken],
) -> Result<f64, StoreError> {
    let q = &q[..q.len().min(3)];
    let c = &c[..c.len().min(3)];
    let mut w = [[0f64; 3]; 3];
    let mut agrees = [[false; 3]; 3];
    let field = |i: usize| {
        if i == 0 {
            NameField::Given1
        } else {
            NameField::GivenOther
        }
    };
    for (i, qt) in q.iter().enumerate() {
        for (j, ct) in c.iter().enumerate() {
            let (bits, level) = f.weight_and_level(field(i), field(j), qt, ct)?;
            w[i][j] = bits;
            agrees[i][j] = !matches!(level, Agreement::Disagree | Agreement::Initial);
        }
    }
    // Every injective assignment of query names to person names (or none).
    let mut best = f64::NEG_INFINITY;
    let choices = c.len() + 1;
    let combos = choices.pow(q.len() as u32);
    for mut combo in 0..combos {
        let mut used = [false; 3];
        let mut total = 0.0;
        let mut ok = true;
        let mut last_j: Option<usize> = None;
        let mut agreeing = 0usize;
        for (i, wi) in w.iter().take(q.len()).enumerate() {
            let pick = combo % choices;
            combo /= choices;
            if pick == c.len() {
                total += UNMATCHED_QUERY_GIVEN;
                continue;
            }
            if used[pick] {
                ok = false;
                break;
            }
            used[pick] = true;
            total += wi[pick];
            agreeing += usize::from(agrees[i][pick]);
            if last_j.is_some_and(|l| l > pick) {
                total += OUT_OF_ORDER;
            }
            last_j = Some(pick);
        }
        if !ok {
            continue;
        }
        total -= agreeing.saturating_sub(1) as f64 * SAME_SEX_BITS;
        total += used
            .iter()
            .take(c.len())
            .enumerate()
            .filter(|(_, u)| !**u)
            .map(|(j, _)| unmatched_person_given(j))
            .sum::<f64>();
        best = best.max(total);
    }
    Ok(if best.is_finite() { best } else { 0.0 })
}

/// Surname roles: first, second, married.
const ROLES: usize = 3;

fn slots(s: &Surnames) -> [Option<&NameToken>; ROLES] {
    [s.first.as_ref(), s.second.as_ref(), s.married.as_ref()]
}

/// Penalty for pairing a row surname in one role with a person surname in
/// another: swapped surnames and a married surname typed as the second are
/// common; a married surname as the first is not, nor is a row whose
/// married surname is the person's own second surname.
fn role_bits(q_role: usize, c_role: usize) -> f64 {
    match (q_role, c_role) {
        (a, b) if a == b => 0.0,
        (0, 1) | (1, 0) => -0.75,
        (1, 2) => -0.5,
        (2, 1) => -4.0,
        _ => -3.0,
    }
}

/// A row surname that pairs with nothing: a maiden surname the person does
/// not have is strong evidence against; a married surname may simply not
/// be in the registry.
fn unmatched_query_surname(role: usize) -> f64 {
    if role == 2 { -2.0 } else { -6.0 }
}

/// A person surname the row does not mention. A missing second surname is
/// no evidence either way: rows leave out the second surname of their own
/// persons about as often as anyone else's. Leaving out the *first* one
/// and typing only the second is rare (a few rows in a hundred, against
/// the one in seven that give a single surname), so a person whose first
/// surname the row lacks is that much less likely to be its person.
fn unmatched_person_surname(role: usize) -> f64 {
    if role == 0 { -2.0 } else { 0.0 }
}

fn surname_bits(f: &mut Frequencies<'_>, q: &Surnames, c: &Surnames) -> Result<f64, StoreError> {
    let qs = slots(q);
    let cs = slots(c);
    let mut w = [[f64::NEG_INFINITY; ROLES]; ROLES];
    for (i, qt) in qs.iter().enumerate() {
        for (j, ct) in cs.iter().enumerate() {
            if let (Some(qt), Some(ct)) = (qt, ct) {
                let field = [NameField::Surname1, NameField::Surname2, NameField::Married];
                w[i][j] = f.weight(field[i], field[j], qt, ct)? + role_bits(i, j);
            }
        }
    }
    let mut best = f64::NEG_INFINITY;
    for combo in 0..(ROLES + 1).pow(ROLES as u32) {
        let mut c = combo;
        let mut used = [false; ROLES];
        let mut total = 0.0;
        let mut ok = true;
        for (i, qt) in qs.iter().enumerate() {
            let pick = c % (ROLES + 1);
            c /= ROLES + 1;
            if qt.is_none() {
                if pick != ROLES {
                    ok = false;
                    break;
                }
                continue;
            }
            if pick == ROLES {
                total += unmatched_query_surname(i);
                continue;
            }
            if used[pick] || !w[i][pick].is_finite() {
                ok = false;
                break;
            }
            used[pick] = true;
            total += w[i][pick];
        }
        if !ok {
            continue;
        }
        for (j, ct) in cs.iter().enumerate() {
            if ct.is_some() && !used[j] {
                total += unmatched_person_surname(j);
            }
        }
        best = best.max(total);
    }
    Ok(if best.is_finite() { best } else { 0.0 })
}

/// Total match weight, in bits, of a row against a person.
pub fn match_bits(f: &mut Frequencies<'_>, q: &Profile, c: &Profile) -> Result<f64, StoreError> {
    Ok(match_score(f, q, c)?.total())
}

/// A row against a person, field by field (bits), for the decision and
/// for saying which fields decided.
#[derive(Debug, Clone, Copy, Default)]
pub struct Score {
    /// Bits from the given names.
    pub given: f64,
    /// Bits from the surnames (first, second and married).
    pub surnames: f64,
    /// Bits from the date or year of birth.
    pub birth: f64,
    /// Bits from the optional `Sexo` (see [`super::evidence`]).
    pub sex: f64,
    /// Bits from the optional place of birth (see [`super::evidence`]).
    pub place: f64,
}

impl Score {
    /// The total match weight, in bits.
    pub fn total(&self) -> f64 {
        self.given + self.surnames + self.birth + self.sex + self.place
    }
}

/// [`match_bits`], by field.
pub fn match_score(f: &mut Frequencies<'_>, q: &Profile, c: &Profile) -> Result<Score, StoreError> {
    Ok(Score {
        given: given_bits(f, &q.given, &c.given)?,
        surnames: surname_bits(f, &q.surnames, &c.surnames)?,
        birth: f.birth_bits(q.born, c.born),
        sex: 0.0,
        place: 0.0,
    })
}

/// A name field of the row whose text is unrelated to the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrelated {
    /// The field, as the result workbook names it (Spanish).
    pub field: &'static str,
    /// The row's text (normalised).
    pub text: String,
}

/// The first of the row's given names and maiden surnames that is not even
/// a slip of any of the person's names: not the same, not a particle or
/// spelling variant, not within typing distance, not a fitting initial,
/// and not two slips of a name into text that nobody in the registry
/// carries where the row typed it (`RAIRREZ` for RAMÍREZ is a mistyped
/// name; `GARZA` for GARCÍA is someone else's).
///
/// Such text is a disagreement, not a slip: a row whose first surname is
/// QWERTIÁN where the person's is MORALES says the row is someone else (or
/// no one), however rare QWERTIÁN is as a name — its rarity makes a *slip*
/// telling, never a disagreement neutral. The person's names in any field
/// count (a second given name typed into the surname column, surnames
/// swapped, a married surname typed as the second), so only text that is
/// none of them is unrelated. The engine never reports such a candidate as
/// found: a clerk decides (see [`super::engine`]).
pub fn unrelated_name(
    f: &mut Frequencies<'_>,
    q: &Profile,
    c: &Profile,
) -> Result<Option<Unrelated>, StoreError> {
    let person: Vec<&NameToken> = c
        .given
        .iter()
        .chain(c.surnames.first.iter())
        .chain(c.surnames.second.iter())
        .chain(c.surnames.married.iter())
        .chain(c.surnames.extra.iter())
        .collect();
    let given_field = |i: usize| match i {
        0 => ("primer nombre", NameField::Given1),
        1 => ("segundo nombre", NameField::GivenOther),
        _ => ("tercer nombre", NameField::GivenOther),
    };
    let mut row: Vec<(&'static str, NameField, &NameToken)> = q
        .given
        .iter()
        .take(3)
        .enumerate()
        .map(|(i, t)| {
            let (label, field) = given_field(i);
            (label, field, t)
        })
        .collect();
    row.extend(
        q.surnames
            .first
            .iter()
            .map(|t| ("primer apellido", NameField::Surname1, t)),
    );
    for t in q.surnames.second.iter().chain(q.surnames.extra.iter()) {
        row.push(("segundo apellido", NameField::Surname2, t));
    }
    // Each of the person's names accounts for one of the row's at most:
    // MARTÍNEZ MARTÍNEZ is not a slip of CALDERÓN MARTÍNEZ, nor MARÍA
    // MARIO of MARIO.
    let nobodys = 1.0 / f.persons();
    let mut related: Vec<Vec<usize>> = Vec::with_capacity(row.len());
    for (_, field, t) in &row {
        let mut near = Vec::new();
        for (j, p) in person.iter().enumerate() {
            match compare(t, p) {
                Agreement::Disagree => {}
                Agreement::DoubleSlip => {
                    if f.share(*field, false, &t.full)? < nobodys {
                        near.push(j);
                    }
                }
                _ => near.push(j),
            }
        }
        related.push(near);
    }
    let mut owner: Vec<Option<usize>> = vec![None; person.len()];
    for (i, (field, _, token)) in row.iter().enumerate() {
        let mut seen = vec![false; person.len()];
        if !augment(i, &related, &mut owner, &mut seen) {
            return Ok(Some(Unrelated {
                field,
                text: token.full.clone(),
            }));
        }
    }
    Ok(None)
}

/// One step of bipartite matching (Kuhn): finds a person name for row
/// name `i`, moving earlier row names to other person names if needed.
fn augment(
    i: usize,
    related: &[Vec<usize>],
    owner: &mut [Option<usize>],
    seen: &mut [bool],
) -> bool {
    for &j in &related[i] {
        if seen[j] {
            continue;
        }
        seen[j] = true;
        if owner[j].is_none_or(|k| augment(k, related, owner, seen)) {
            owner[j] = Some(i);
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::given_names;

    fn t(name: &str) -> NameToken {
        given_names([name]).remove(0)
    }

    #[test]
    fn comparison_levels() {
        assert_eq!(compare(&t("MARÍA"), &t("maria")), Agreement::Exact);
        assert_eq!(compare(&t("XOL"), &t("CHOL")), Agreement::Phonetic);
        assert_eq!(compare(&t("GONZÁLEZ"), &t("GONSALES")), Agreement::Phonetic);
        assert_eq!(compare(&t("CAAL"), &t("KAL")), Agreement::Phonetic);
        // Same consonants, vowels slipped: a slip, or another name.
        assert_eq!(compare(&t("GRACIELA"), &t("GARCIELA")), Agreement::Typo);
        assert_eq!(compare(&t("MARAI"), &t("MARÍA")), Agreement::Typo);
        assert_eq!(compare(&t("MARIO"), &t("MARÍA")), Agreement::Typo);
        assert_eq!(compare(&t("ROBERTO"), &t("ROBERTP")), Agreement::Typo);
        assert_eq!(compare(&t("J."), &t("JOSÉ")), Agreement::Initial);
        assert_eq!(compare(&t("L."), &t("JOSÉ")), Agreement::Disagree);
        assert_eq!(compare(&t("ANA"), &t("ANO")), Agreement::Typo);
        assert_eq!(compare(&t("POP"), &t("POL")), Agreement::Disagree);
        assert_eq!(compare(&t("BAZ"), &t("BATZ")), Agreement::Typo);
        assert_eq!(compare(&t("BATZ"), &t("BAZ")), Agreement::Disagree);
        let de_leon = crate::names::surnames("DE LEÓN", "", "").first.unwrap();
        let leon = crate::names::surnames("LEÓN", "", "").first.unwrap();
        assert_eq!(compare(&leon, &de_leon), Agreement::Particle);
    }

    #[test]
    fn a_slip_into_nobodys_name_weighs_nearly_as_much_as_the_name() {
        // Shares as in a registry of millions: LÓPEZ 3%, a slip of it that
        // nobody carries, and MARTA, a name of its own, for MARÍA (9%).
        let typo = |person: f64, row: f64, letters: usize, given: bool| {
            variant_odds(Agreement::Typo, person, row, slip_chance(letters), given).log2()
        };
        let exact = (0.88f64 / 0.03).log2();
        let lopz = typo(0.03, 0.5 / 18e6, 5, false);
        assert!(lopz > exact - 1.0, "{lopz} {exact}");
        let marta = typo(0.09, 0.004, 5, true);
        assert!(marta < -2.0, "{marta}");
        // A rare name's slip is strong evidence.
        let rare = typo(2e-6, 0.5 / 18e6, 8, false);
        assert!(rare > 12.0, "{rare}");
        // Another spelling of a frequent surname that nobody is registered
        // with (GONSALES) is as good as the name; one that is a common
        // name of its own (XOL typed for a rarer CHOL) is not.
        let spelling = |person: f64, row: f64| {
            variant_odds(Agreement::Phonetic, person, row, 0.25, false).log2()
        };
        assert!(spelling(0.05, 0.5 / 18e6) > (0.88f64 / 0.05).log2() - 1.0);
        assert!(spelling(0.0005, 0.003) < 2.0);
    }

    #[test]
    fn two_slips_in_a_long_name_are_a_double_slip() {
        assert_eq!(compare(&t("RAIRREZ"), &t("RAMÍREZ")), Agreement::DoubleSlip);
        assert_eq!(compare(&t("ESYOADA"), &t("ESTRADA")), Agreement::DoubleSlip);
        assert_eq!(compare(&t("CRIAKA"), &t("CRIAQUA")), Agreement::DoubleSlip);
        // Too short for two slips to leave the name recognisable.
        assert_eq!(compare(&t("CWCO"), &t("CHOC")), Agreement::Disagree);
        assert_eq!(compare(&t("ZEA"), &t("ZEGAA")), Agreement::Disagree);
        // Gibberish is still no one's name.
        assert_eq!(compare(&t("QWERTIAN"), &t("MORALES")), Agreement::Disagree);
    }

    #[test]
    fn two_slips_into_nobodys_name_are_related_into_a_real_one_are_not() {
        let (_d, reg) = super::super::registry_with(&[]);
        let mut f = Frequencies::new(&reg);
        let person = profile("ROSALINDA", "RAMÍREZ", "XICAY", "");
        // RAIRREZ is nobody's surname: RAMÍREZ mistyped twice.
        let row = profile("ROSALINDA", "RAIRREZ", "XICAY", "");
        assert!(unrelated_name(&mut f, &row, &person).unwrap().is_none());
        // GARCÍA is a registered surname: typed where the person is
        // GARZÍAS, it is someone else's name, not two slips.
        assert!(
            reg.persons_with(NameField::Surname1, false, "GARCIA")
                .unwrap()
                > 0
        );
        assert_eq!(compare(&t("GARCIA"), &t("GARZIAS")), Agreement::DoubleSlip);
        let u = unrelated_name(
            &mut f,
            &profile("ROSALINDA", "GARCÍA", "XICAY", ""),
            &profile("ROSALINDA", "GARZÍAS", "XICAY", ""),
        )
        .unwrap()
        .unwrap();
        assert_eq!(u.field, "primer apellido");
    }

    #[test]
    fn two_slips_into_nobodys_name_weigh_for_the_person_in_a_large_registry() {
        // Shares as in a registry of a million: RAMÍREZ 2 %, RAIRREZ nobody's.
        let double = |row: f64| {
            variant_odds(
                Agreement::DoubleSlip,
                0.02,
                row,
                2.0 * slip_chance(7).powi(2),
                false,
            )
            .log2()
        };
        let disagree = m_of(Agreement::Disagree, false).log2();
        assert!(double(0.5 / 1e6) > disagree + 7.0, "{}", double(0.5 / 1e6));
        // Into a name of its own (0.1 %): no better than a disagreement.
        assert!((double(0.001) - disagree).abs() < 1e-9);
    }

    fn field_weight(reg: &Registry, field: NameField, q: &str, c: &str) -> f64 {
        let mut f = Frequencies::new(reg);
        f.weight(field, field, &t(q), &t(c)).unwrap()
    }

    #[test]
    fn typo_weights_follow_the_registry() {
        let (_d, reg) = super::super::registry_with(&[]);
        // MARNA is nobody's name; MARTA and MARIO are names of their own.
        let marna = field_weight(&reg, NameField::Given1, "MARNA", "MARÍA");
        let marta = field_weight(&reg, NameField::Given1, "MARTA", "MARÍA");
        let mario = field_weight(&reg, NameField::Given1, "MARIO", "MARÍA");
        assert!(marna > marta + 1.0, "{marna} {marta}");
        assert!(marna > mario + 1.0, "{marna} {mario}");
    }

    fn bits(reg: &Registry, q: (&str, &str, &str, &str), c: (&str, &str, &str, &str)) -> f64 {
        let profile = |(g, s1, s2, born): (&str, &str, &str, &str)| Profile {
            given: given_names(g.split(' ')),
            surnames: crate::names::surnames(s1, s2, ""),
            born: Day::parse_iso(born),
        };
        let mut f = Frequencies::new(reg);
        match_bits(&mut f, &profile(q), &profile(c)).unwrap()
    }

    fn profile(g: &str, s1: &str, s2: &str, married: &str) -> Profile {
        Profile {
            given: given_names(g.split(' ')),
            surnames: crate::names::surnames(s1, s2, married),
            born: None,
        }
    }

    #[test]
    fn a_second_agreeing_given_name_counts_a_bit_less() {
        let (_d, reg) = super::super::registry_with(&[]);
        let mut f = Frequencies::new(&reg);
        let ana = f
            .weight(NameField::Given1, NameField::Given1, &t("ANA"), &t("ANA"))
            .unwrap();
        let lucia = f
            .weight(
                NameField::GivenOther,
                NameField::GivenOther,
                &t("LUCÍA"),
                &t("LUCÍA"),
            )
            .unwrap();
        let p = profile("ANA LUCÍA", "", "", "");
        let both = match_bits(&mut f, &p, &p).unwrap();
        assert!((both - (ana + lucia - SAME_SEX_BITS)).abs() < 1e-9);
    }

    #[test]
    fn given_names_in_the_other_order_are_a_namesake_not_a_slip() {
        // Independent set 2, row I00064: `MA AURA MENDOZA CHIQUITO`, no
        // date, a non-existent person (CALDERÓN replaced by another
        // person's surname), answered `ENCONTRADO` at 99.7 % as the
        // registered AURA MARÍA MENDOZA CHIQUITÓ. Every name of the row is
        // hers, so the unrelated-text rule rightly does not apply; what let
        // it through is the order: rows almost never swap a person's given
        // names, so the swap must weigh as a namesake would, not as 1 bit.
        let (_d, reg) = super::super::registry_with(&[]);
        let mut f = Frequencies::new(&reg);
        let row = profile("MA AURA", "MENDOZA", "CHIQUITO", "");
        let in_order = match_bits(
            &mut f,
            &row,
            &profile("MARÍA AURA", "MENDOZA", "CHIQUITÓ", ""),
        )
        .unwrap();
        let swapped = match_bits(
            &mut f,
            &row,
            &profile("AURA MARÍA", "MENDOZA", "CHIQUITÓ", ""),
        )
        .unwrap();
        assert!(swapped < in_order - 4.0, "{swapped} {in_order}");
        assert!(
            unrelated_name(
                &mut f,
                &row,
                &profile("AURA MARÍA", "MENDOZA", "CHIQUITÓ", "")
            )
            .unwrap()
            .is_none()
        );
    }

    #[test]
    fn a_surname_in_another_role_weighs_as_typed() {
        let (_d, reg) = super::super::registry_with(&[]);
        let mut f = Frequencies::new(&reg);
        let q = profile("ANA", "MORALES", "", "");
        let straight = match_bits(&mut f, &q, &profile("ANA", "MORALES", "", "")).unwrap();
        // MORALES is rare as a married surname, but the row typed it as a
        // first surname, where it is common: the crossing adds nothing for
        // that rarity, and pays for the crossing and the missing first surname.
        let crossed = match_bits(&mut f, &q, &profile("ANA", "PÉREZ", "", "DE MORALES")).unwrap();
        assert!(crossed < straight - 4.5, "{crossed} {straight}");
    }

    #[test]
    fn a_missing_second_surname_or_given_name_is_neutral() {
        let (_d, reg) = super::super::registry_with(&[]);
        let q = ("ANA", "LÓPEZ", "", "1985-03-05");
        // The row lacks what the person has: no penalty.
        let with = bits(&reg, q, ("ANA LUCÍA", "LÓPEZ", "GARCÍA", "1985-03-05"));
        let without = bits(&reg, q, ("ANA", "LÓPEZ", "", "1985-03-05"));
        assert!((with - without).abs() < 1e-9, "{with} {without}");
        // A second surname that disagrees is another matter.
        let other = bits(
            &reg,
            ("ANA", "LÓPEZ", "PÉREZ", "1985-03-05"),
            ("ANA", "LÓPEZ", "GARCÍA", "1985-03-05"),
        );
        assert!(other < without - 4.0, "{other} {without}");
    }

    #[test]
    fn leaving_out_the_first_name_or_surname_costs() {
        let (_d, reg) = super::super::registry_with(&[]);
        let q = ("SILVIA", "PÉREZ", "", "2019-11-04");
        let first = bits(&reg, q, ("SILVIA ROSA", "PÉREZ", "GARCÍA", "2019-11-04"));
        // Known by the second given name, or by the second surname.
        let second_given = bits(&reg, q, ("SANTOS SILVIA", "PÉREZ", "GARCÍA", "2019-11-04"));
        let second_surname = bits(&reg, q, ("SILVIA ROSA", "GARCÍA", "PÉREZ", "2019-11-04"));
        assert!(first > second_given + 0.5, "{first} {second_given}");
        assert!(first > second_surname + 0.5, "{first} {second_surname}");
    }

    #[test]
    fn a_namesake_known_by_the_second_given_name_is_a_long_shot() {
        // Query seed 101, row `LUCÍA ALVARADO JECHIAGRÓLA` without a date:
        // ERIKA LUCÍA ALVARADO JECHIAGRÓLA took 25 % of the probability
        // from the registered LUCÍA, at 2 bits for a first name left out.
        let (_d, reg) = super::super::registry_with(&[]);
        let q = ("LUCÍA", "ALVARADO", "JECHIAGRÓLA", "");
        let first = bits(&reg, q, ("LUCÍA", "ALVARADO", "JECHIAGRÓLA", ""));
        let second = bits(&reg, q, ("ERIKA LUCÍA", "ALVARADO", "JECHIAGRÓLA", ""));
        assert!(first - second >= 3.5, "{first} {second}");
        // The same two given names in the other order: one row in 64.
        let q = ("JUAN JOSÉ", "MORÁN", "CAAL", "");
        let in_order = bits(&reg, q, ("JUAN JOSÉ", "MORÁN", "CAAL", ""));
        let swapped = bits(&reg, q, ("JOSÉ JUAN", "MORÁN", "CAAL", ""));
        assert!(in_order - swapped >= 5.5, "{in_order} {swapped}");
    }

    #[test]
    fn birth_weights_order() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("r.csv");
        let mut bytes = Vec::new();
        crate::registry::generate::generate(3_000, 2, &mut bytes, |_| {}).unwrap();
        std::fs::write(&csv, bytes).unwrap();
        crate::registry::import::import(dir.path(), &csv, &indicatif::ProgressBar::hidden())
            .unwrap();
        let registry = Registry::open(dir.path()).unwrap();
        let mut f = Frequencies::new(&registry);
        let d = |s| Day::parse_iso(s);
        let exact = f.birth_bits(d("1985-03-15"), d("1985-03-15"));
        let slip = f.birth_bits(d("1985-03-15"), d("1985-03-16"));
        let other = f.birth_bits(d("1985-03-15"), d("1960-10-01"));
        assert!(
            exact > 10.0 && slip > 0.0 && other < -4.0,
            "{exact} {slip} {other}"
        );
        assert_eq!(f.birth_bits(None, d("1985-03-15")), 0.0);
        // Fewer persons were born in 1930 than in 2010: the same agreement weighs more.
        assert!(
            f.birth_bits(d("1930-03-15"), d("1930-03-15"))
                > f.birth_bits(d("2010-03-15"), d("2010-03-15"))
        );
    }
}
