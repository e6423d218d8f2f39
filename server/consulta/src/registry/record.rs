//! One person of the civil registry, as the registry CSV carries it.

use padron_shared::{Cui, CuiError};

use super::date::Day;

/// The registry CSV's header, in this order.
pub const CSV_HEADER: [&str; 15] = [
    "cui",
    "primer_nombre",
    "segundo_nombre",
    "tercer_nombre",
    "primer_apellido",
    "segundo_apellido",
    "apellido_casada",
    "sexo",
    "pais_nacimiento",
    "departamento_nacimiento",
    "municipio_nacimiento",
    "fecha_nacimiento",
    "fallecido",
    "fecha_defuncion",
    "fecha_inscripcion_defuncion",
];

/// Longest text accepted in a registry field.
pub const MAX_FIELD_CHARS: usize = 120;

/// A person of the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryRecord {
    /// The person's CUI, unique in the registry.
    pub cui: Cui,
    /// First, second and third given names; the first is never empty, the others may be.
    pub given: [String; 3],
    /// First surname; never empty.
    pub first_surname: String,
    /// Second surname; empty when there is none.
    pub second_surname: String,
    /// Married surname (apellido de casada); empty when there is none.
    pub married_surname: String,
    /// `M` or `F`.
    pub sex: char,
    /// Country of birth.
    pub country: String,
    /// Department of birth.
    pub department: String,
    /// Municipality of birth.
    pub municipality: String,
    /// Date of birth.
    pub born: Day,
    /// Whether the registry records the person as deceased.
    pub deceased: bool,
    /// Date of death, when deceased and known; never before birth.
    pub died: Option<Day>,
    /// Date the death was registered, when deceased and known; never before the death.
    pub death_registered: Option<Day>,
}

/// Why a registry row was skipped. The text is for the import report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The row does not have the 15 columns of [`CSV_HEADER`]; the count it has.
    #[error("tiene {0} columnas en lugar de 15 / has {0} columns instead of 15")]
    Columns(usize),
    /// The `cui` column fails the CUI rules; the reason, and the same in English.
    #[error("CUI inválido ({0}) / invalid CUI ({1})")]
    Cui(CuiError, String),
    /// A required column (first given name, first surname) is empty; its name.
    #[error("falta {0} / {0} is missing")]
    Missing(&'static str),
    /// A column is longer than [`MAX_FIELD_CHARS`]; its name.
    #[error("{0} excede {MAX_FIELD_CHARS} caracteres / {0} exceeds {MAX_FIELD_CHARS} characters")]
    TooLong(&'static str),
    /// `sexo` is not `M` or `F`.
    #[error("sexo debe ser M o F / sexo must be M or F")]
    Sex,
    /// `fallecido` is not `SI` or `NO`.
    #[error("fallecido debe ser SI o NO / fallecido must be SI or NO")]
    Deceased,
    /// A date column is not `YYYY-MM-DD`; its name.
    #[error("{0} no es una fecha AAAA-MM-DD / {0} is not a YYYY-MM-DD date")]
    Date(&'static str),
    #[error(
        "hay fechas de defunción para una persona no fallecida / death dates for a person not deceased"
    )]
    /// A death date is given for a person not marked deceased.
    DeathDatesWhileAlive,
    #[error(
        "las fechas no están en orden (nacimiento ≤ defunción ≤ inscripción) / dates out of order (birth ≤ death ≤ registration)"
    )]
    /// Birth, death and death registration are not in that order.
    DateOrder,
    #[error(
        "CUI repetido; se conservó la primera aparición / repeated CUI; the first occurrence was kept"
    )]
    /// The CUI was already on an earlier row, which is kept.
    DuplicateCui,
}

fn optional_date(text: &str, field: &'static str) -> Result<Option<Day>, RecordError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    Day::parse_iso(t).map(Some).ok_or(RecordError::Date(field))
}

fn text<'a>(value: &'a str, field: &'static str) -> Result<&'a str, RecordError> {
    let t = value.trim();
    // Byte length bounds the character count from above: count only when needed.
    if t.len() > MAX_FIELD_CHARS && t.chars().count() > MAX_FIELD_CHARS {
        return Err(RecordError::TooLong(field));
    }
    Ok(t)
}

/// A validated registry row that borrows its text from the CSV record, so
/// that the import does not copy every field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordFields<'a> {
    /// The person's CUI.
    pub cui: Cui,
    /// First, second and third given names, trimmed; the first is never empty.
    pub given: [&'a str; 3],
    /// First surname, trimmed; never empty.
    pub first_surname: &'a str,
    /// Second surname, trimmed; may be empty.
    pub second_surname: &'a str,
    /// Married surname, trimmed; may be empty.
    pub married_surname: &'a str,
    /// `M` or `F`.
    pub sex: char,
    /// Country of birth, trimmed.
    pub country: &'a str,
    /// Department of birth, trimmed.
    pub department: &'a str,
    /// Municipality of birth, trimmed.
    pub municipality: &'a str,
    /// Date of birth.
    pub born: Day,
    /// Whether the person is deceased.
    pub deceased: bool,
    /// Date of death, when given.
    pub died: Option<Day>,
    /// Date the death was registered, when given.
    pub death_registered: Option<Day>,
}

impl<'a> RecordFields<'a> {
    /// Validates one CSV row (fields in [`CSV_HEADER`] order).
    pub fn parse(row: &'a csv::StringRecord) -> Result<RecordFields<'a>, RecordError> {
        if row.len() != CSV_HEADER.len() {
            return Err(RecordError::Columns(row.len()));
        }
        let f = |i: usize| row.get(i).unwrap_or("");
        let cui = Cui::parse(f(0)).map_err(|e| {
            let en = e.message_en();
            RecordError::Cui(e, en)
        })?;
        let given = [
            text(f(1), "primer_nombre")?,
            text(f(2), "segundo_nombre")?,
            text(f(3), "tercer_nombre")?,
        ];
        if given[0].is_empty() {
            return Err(RecordError::Missing("primer_nombre"));
        }
        let first_surname = text(f(4), "primer_apellido")?;
        if first_surname.is_empty() {
            return Err(RecordError::Missing("primer_apellido"));
        }
        let sex = match f(7).trim() {
            "M" | "m" => 'M',
            "F" | "f" => 'F',
            _ => return Err(RecordError::Sex),
        };
        let born = Day::parse_iso(f(11).trim()).ok_or(RecordError::Date("fecha_nacimiento"))?;
        let deceased = match f(12).trim() {
            "SI" | "SÍ" | "si" | "Si" | "sí" => true,
            "NO" | "no" | "No" => false,
            _ => return Err(RecordError::Deceased),
        };
        let died = optional_date(f(13), "fecha_defuncion")?;
        let death_registered = optional_date(f(14), "fecha_inscripcion_defuncion")?;
        if !deceased && (died.is_some() || death_registered.is_some()) {
            return Err(RecordError::DeathDatesWhileAlive);
        }
        if died.is_some_and(|d| d < born)
            || death_registered.is_some_and(|r| r < born || died.is_some_and(|d| r < d))
        {
            return Err(RecordError::DateOrder);
        }
        Ok(RecordFields {
            cui,
            given,
            first_surname,
            second_surname: text(f(5), "segundo_apellido")?,
            married_surname: text(f(6), "apellido_casada")?,
            sex,
            country: text(f(8), "pais_nacimiento")?,
            department: text(f(9), "departamento_nacimiento")?,
            municipality: text(f(10), "municipio_nacimiento")?,
            born,
            deceased,
            died,
            death_registered,
        })
    }

    /// The record with its text copied out of the CSV row.
    pub fn to_owned(&self) -> RegistryRecord {
        RegistryRecord {
            cui: self.cui,
            given: self.given.map(str::to_owned),
            first_surname: self.first_surname.to_owned(),
            second_surname: self.second_surname.to_owned(),
            married_surname: self.married_surname.to_owned(),
            sex: self.sex,
            country: self.country.to_owned(),
            department: self.department.to_owned(),
            municipality: self.municipality.to_owned(),
            born: self.born,
            deceased: self.deceased,
            died: self.died,
            death_registered: self.death_registered,
        }
    }
}

impl RegistryRecord {
    /// Validates one CSV row (fields in [`CSV_HEADER`] order).
    pub fn from_csv(row: &csv::StringRecord) -> Result<RegistryRecord, RecordError> {
        RecordFields::parse(row).map(|f| f.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(fields: &[&str]) -> csv::StringRecord {
        csv::StringRecord::from(fields.to_vec())
    }

    const GOOD: [&str; 15] = [
        "1234567890101",
        "MARÍA",
        "JOSÉ",
        "",
        "LÓPEZ",
        "PÉREZ",
        "DE GARCÍA",
        "F",
        "GUATEMALA",
        "GUATEMALA",
        "MIXCO",
        "1985-03-15",
        "NO",
        "",
        "",
    ];

    #[test]
    fn a_good_row_parses() {
        let r = RegistryRecord::from_csv(&row(&GOOD)).unwrap();
        assert_eq!(r.cui.to_string(), "1234567890101");
        assert_eq!(r.married_surname, "DE GARCÍA");
        assert_eq!(r.born.to_string(), "1985-03-15");
        assert!(!r.deceased);
    }

    #[test]
    fn each_bad_row_has_its_reason() {
        let bad = |i: usize, v: &str| {
            let mut f = GOOD;
            f[i] = v;
            RegistryRecord::from_csv(&row(&f)).unwrap_err()
        };
        assert!(matches!(bad(0, "1234567880101"), RecordError::Cui(..)));
        assert_eq!(bad(1, " "), RecordError::Missing("primer_nombre"));
        assert_eq!(bad(4, ""), RecordError::Missing("primer_apellido"));
        assert_eq!(bad(7, "X"), RecordError::Sex);
        assert_eq!(bad(11, "15/03/1985"), RecordError::Date("fecha_nacimiento"));
        assert_eq!(bad(12, "TAL VEZ"), RecordError::Deceased);
        assert_eq!(bad(13, "2020-01-01"), RecordError::DeathDatesWhileAlive);
        assert_eq!(
            bad(2, &"A".repeat(200)),
            RecordError::TooLong("segundo_nombre")
        );
        assert_eq!(
            RegistryRecord::from_csv(&row(&GOOD[..14])).unwrap_err(),
            RecordError::Columns(14)
        );
        let mut f = GOOD;
        f[12] = "SI";
        f[13] = "1980-01-01";
        assert_eq!(
            RegistryRecord::from_csv(&row(&f)).unwrap_err(),
            RecordError::DateOrder
        );
        f[13] = "2020-01-01";
        f[14] = "2020-01-09";
        assert!(RegistryRecord::from_csv(&row(&f)).unwrap().deceased);
    }
}
