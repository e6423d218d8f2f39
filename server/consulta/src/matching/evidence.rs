//! Optional evidence columns of a names row: `Sexo`, `Departamento de
//! nacimiento`, `Municipio de nacimiento` (the year or age of birth is
//! [`super::engine`]'s `birth_year_bits`). Each weighs `log2(m / u)` with
//! `u` the registry's own share of persons with that value
//! ([`crate::registry::store::EvidenceCounts`]); a value the row leaves
//! blank says nothing either way.
//!
//! - Sex: given names already tell it (see [`super::score`]'s
//!   `SAME_SEX_BITS`), so an agreeing sex adds nothing beyond them; a sex
//!   that disagrees is a namesake of the other sex, or a clerk's slip
//!   (`m` 0.02), against a random person of that sex (`u`, the share of the
//!   other sex).
//! - Place of birth: rolls often carry the place of residence instead, so
//!   `m` is 0.9 for the department and 0.85 for the municipality when the
//!   department agrees. Surnames cluster by place (CHAVAJAY in Sololá), so
//!   an agreement is capped: it splits namesakes, it does not identify.

use crate::names::fold;
use crate::registry::places::DEPARTMENTS;
use crate::registry::record::RegistryRecord;
use crate::registry::store::EvidenceCounts;

/// Folded (upper case, no accents), single spaces, trimmed.
fn key(text: &str) -> String {
    fold(text).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A row's optional evidence, normalised (upper case, no accents).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    /// `F` or `M`, from `Sexo`.
    pub sex: Option<char>,
    /// A department's name (folded), from `Departamento de nacimiento`.
    pub department: Option<String>,
    /// A municipality's name (folded), from `Municipio de nacimiento`.
    pub municipality: Option<String>,
}

impl Evidence {
    /// Whether the row gives any of these fields.
    pub fn is_empty(&self) -> bool {
        self.sex.is_none() && self.department.is_none() && self.municipality.is_none()
    }
}

/// A value of an optional evidence column that is none the engine knows
/// (ignored for matching; the pre-check tells it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unrecognised;

/// `Sexo` as institutions type it: `F`, `M`, `FEMENINO`, `MUJER`, `HOMBRE`…
/// Blank is `Ok(None)`; text that is none of them is `Err` (ignored, and
/// told by the pre-check).
pub fn parse_sex(text: &str) -> Result<Option<char>, Unrecognised> {
    let t = key(text);
    let t = t.trim_end_matches('.');
    match t {
        "" => Ok(None),
        "F" | "FEM" | "FEMENINO" | "MUJER" | "FEMENINA" => Ok(Some('F')),
        "M" | "MASC" | "MASCULINO" | "HOMBRE" | "H" | "VARON" => Ok(Some('M')),
        _ => Err(Unrecognised),
    }
}

/// `Departamento de nacimiento`: one of the 22 departments (accents and
/// case aside). Blank is `Ok(None)`; anything else is `Err`.
pub fn parse_department(text: &str) -> Result<Option<String>, Unrecognised> {
    let t = key(text);
    if t.is_empty() {
        return Ok(None);
    }
    DEPARTMENTS
        .iter()
        .map(|d| key(d.name))
        .find(|d| *d == t)
        .map(Some)
        .ok_or(Unrecognised)
}

/// `Municipio de nacimiento`: one of the municipalities (of `department`
/// when the row gives one). Blank is `Ok(None)`; anything else is `Err`.
pub fn parse_municipality(
    text: &str,
    department: Option<&str>,
) -> Result<Option<String>, Unrecognised> {
    let t = key(text);
    if t.is_empty() {
        return Ok(None);
    }
    DEPARTMENTS
        .iter()
        .filter(|d| department.is_none_or(|w| key(d.name) == w))
        .flat_map(|d| d.municipalities.iter())
        .map(|m| key(m))
        .find(|m| *m == t)
        .map(Some)
        .ok_or(Unrecognised)
}

/// `m` of an agreeing sex, department and municipality.
const M_SEX: f64 = 0.98;
const M_DEPARTMENT: f64 = 0.9;
const M_MUNICIPALITY: f64 = 0.85;
/// The most an agreeing department or municipality may add, in bits.
const MAX_DEPARTMENT_BITS: f64 = 3.0;
const MAX_MUNICIPALITY_BITS: f64 = 6.0;

/// Bits of the row's evidence against one person: (sex, place of birth).
pub fn evidence_bits(
    counts: &EvidenceCounts,
    row: &Evidence,
    person: &RegistryRecord,
) -> (f64, f64) {
    let sex = match row.sex {
        None => 0.0,
        Some(s) if s == person.sex => 0.0,
        Some(s) => ((1.0 - M_SEX) / (1.0 - counts.sex_share(s)).max(1e-6)).log2(),
    };
    let department = key(&person.department);
    let municipality = key(&person.municipality);
    let department_agrees = row.department.as_deref().map(|d| d == department);
    let mut place = 0.0;
    match department_agrees {
        None => {}
        Some(true) => {
            let u = counts.department_share(&department);
            place += (M_DEPARTMENT / u).log2().min(MAX_DEPARTMENT_BITS);
        }
        Some(false) => {
            let u = 1.0 - counts.department_share(row.department.as_deref().unwrap_or(""));
            place += ((1.0 - M_DEPARTMENT) / u.max(1e-6)).log2();
        }
    }
    if let Some(m) = row.municipality.as_deref() {
        // Within the department (the row's, or the person's when the row
        // names none): a municipality of the same name elsewhere is another place.
        let within = department_agrees != Some(false);
        if within && m == municipality {
            let u = counts.municipality_share(&department, &municipality)
                / counts.department_share(&department);
            place += (M_MUNICIPALITY / u.min(1.0))
                .log2()
                .min(MAX_MUNICIPALITY_BITS);
            if department_agrees.is_none() {
                // The municipality implies the department.
                let u = counts.department_share(&department);
                place += (M_DEPARTMENT / u).log2().min(MAX_DEPARTMENT_BITS);
            }
        } else if within {
            place += (1.0 - M_MUNICIPALITY).log2();
        }
    }
    (sex, place)
}

/// `log2 m` of the row's evidence typed right, for the posterior's
/// "someone outside the registry" (who shows the row's values only when
/// they are theirs and typed right, as a candidate does).
pub fn outside_bits(row: &Evidence) -> f64 {
    let mut bits = 0.0;
    if row.department.is_some() || row.municipality.is_some() {
        bits += M_DEPARTMENT.log2();
    }
    if row.municipality.is_some() {
        bits += M_MUNICIPALITY.log2();
    }
    bits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_as_institutions_type_them() {
        assert_eq!(parse_sex(" f "), Ok(Some('F')));
        assert_eq!(parse_sex("Masculino"), Ok(Some('M')));
        assert_eq!(parse_sex("Mujer"), Ok(Some('F')));
        assert_eq!(parse_sex(""), Ok(None));
        assert_eq!(parse_sex("X"), Err(Unrecognised));
        assert_eq!(parse_department("sololá"), Ok(Some("SOLOLA".into())));
        assert_eq!(parse_department("Narnia"), Err(Unrecognised));
        assert_eq!(
            parse_municipality("San Pedro Carchá", Some("ALTA VERAPAZ")),
            Ok(Some("SAN PEDRO CARCHA".into()))
        );
        assert_eq!(
            parse_municipality("MIXCO", Some("SOLOLA")),
            Err(Unrecognised)
        );
        assert_eq!(parse_municipality("MIXCO", None), Ok(Some("MIXCO".into())));
    }
}
