//! The CUI (Código Único de Identificación), Guatemala's 13-digit national number.
//!
//! Layout: digits 1–8 are a sequence number, digit 9 a check digit, digits
//! 10–11 the department of registration (01–22) and 12–13 the municipality
//! within it. The check digit is `Σ dᵢ·(i+1) mod 11` over the first eight
//! digits (weights 2..9); a remainder of 10 is never issued, so such a CUI is
//! invalid rather than "unchecked".

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Number of municipalities of each department, 01..=22.
pub const MUNICIPALITIES_PER_DEPARTMENT: [u8; 22] = [
    17, 8, 16, 16, 14, 14, 19, 8, 24, 21, 9, 30, 33, 21, 8, 17, 14, 5, 11, 11, 7, 17,
];

/// A CUI whose length, check digit, department and municipality are valid.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cui([u8; 13]);

/// Why a text is not a valid CUI. Each variant is a different mistake a
/// person can fix, so each gets its own message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CuiError {
    /// Not 13 digits once separators are removed; the count there is.
    #[error("el CUI debe tener 13 dígitos; tiene {0}")]
    Length(usize),
    /// A character other than a digit, a space or a hyphen.
    #[error("el CUI solo puede contener dígitos, espacios y guiones")]
    NotDigits,
    /// Digit 9 is not the check digit of digits 1–8.
    #[error("el dígito verificador del CUI no corresponde")]
    CheckDigit,
    /// Digits 10–11 are not a department 01–22; the number read.
    #[error("el departamento {0:02} del CUI no existe (01 a 22)")]
    Department(u8),
    /// Digits 12–13 are not a municipality of that department.
    #[error("el municipio {municipality:02} no existe en el departamento {department:02}")]
    Municipality {
        /// The department read (valid).
        department: u8,
        /// The municipality read, beyond that department's count.
        municipality: u8,
    },
}

impl CuiError {
    /// The same explanation in English.
    pub fn message_en(&self) -> String {
        match self {
            CuiError::Length(n) => format!("a CUI has 13 digits; this one has {n}"),
            CuiError::NotDigits => "a CUI may only contain digits, spaces and dashes".into(),
            CuiError::CheckDigit => "the CUI's check digit does not match".into(),
            CuiError::Department(d) => {
                format!("department {d:02} of the CUI does not exist (01 to 22)")
            }
            CuiError::Municipality {
                department,
                municipality,
            } => {
                format!(
                    "municipality {municipality:02} does not exist in department {department:02}"
                )
            }
        }
    }
}

/// The check digit for an eight-digit sequence, or `None` when the remainder
/// is 10 (a sequence that is never issued).
pub fn check_digit(sequence: &[u8; 8]) -> Option<u8> {
    let sum: u32 = sequence
        .iter()
        .enumerate()
        .map(|(i, d)| u32::from(*d) * (i as u32 + 2))
        .sum();
    let rem = (sum % 11) as u8;
    (rem < 10).then_some(rem)
}

impl Cui {
    /// Parses a CUI as people write it: spaces and dashes are ignored
    /// (`2456 78901 0101`, `2456-78901-0101`).
    pub fn parse(text: &str) -> Result<Cui, CuiError> {
        let mut digits = [0u8; 13];
        let mut n = 0usize;
        for ch in text.trim().chars() {
            match ch {
                ' ' | '-' | '\u{a0}' => continue,
                '0'..='9' => {
                    if n < 13 {
                        digits[n] = ch as u8 - b'0';
                    }
                    n += 1;
                }
                _ => return Err(CuiError::NotDigits),
            }
        }
        if n != 13 {
            return Err(CuiError::Length(n));
        }
        Cui::from_digits(digits)
    }

    /// Validates thirteen decimal digits (each 0..=9).
    pub fn from_digits(digits: [u8; 13]) -> Result<Cui, CuiError> {
        if digits.iter().any(|d| *d > 9) {
            return Err(CuiError::NotDigits);
        }
        let mut sequence = [0u8; 8];
        sequence.copy_from_slice(&digits[..8]);
        if check_digit(&sequence) != Some(digits[8]) {
            return Err(CuiError::CheckDigit);
        }
        let department = digits[9] * 10 + digits[10];
        let municipality = digits[11] * 10 + digits[12];
        let Some(count) = department
            .checked_sub(1)
            .and_then(|i| MUNICIPALITIES_PER_DEPARTMENT.get(usize::from(i)))
        else {
            return Err(CuiError::Department(department));
        };
        if municipality == 0 || municipality > *count {
            return Err(CuiError::Municipality {
                department,
                municipality,
            });
        }
        Ok(Cui(digits))
    }

    /// Builds the valid CUI for a sequence, department and municipality, or
    /// `None` if the sequence's check remainder is 10 or the place does not exist.
    pub fn compose(sequence: u32, department: u8, municipality: u8) -> Option<Cui> {
        if sequence > 99_999_999 {
            return None;
        }
        let mut digits = [0u8; 13];
        let mut s = sequence;
        for i in (0..8).rev() {
            digits[i] = (s % 10) as u8;
            s /= 10;
        }
        let mut seq = [0u8; 8];
        seq.copy_from_slice(&digits[..8]);
        digits[8] = check_digit(&seq)?;
        digits[9] = department / 10;
        digits[10] = department % 10;
        digits[11] = municipality / 10;
        digits[12] = municipality % 10;
        Cui::from_digits(digits).ok()
    }

    /// Department of registration, 1–22 (digits 10–11).
    pub fn department(&self) -> u8 {
        self.0[9] * 10 + self.0[10]
    }

    /// Municipality within the department, from 1 (digits 12–13).
    pub fn municipality(&self) -> u8 {
        self.0[11] * 10 + self.0[12]
    }

    /// The 13 digits without separators, as stored and sent on the wire.
    pub fn as_string(&self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d)).collect()
    }

    /// The conventional printed form `NNNN NNNNN NNNN` (as on the DPI card).
    pub fn display_grouped(&self) -> String {
        let s = self.as_string();
        format!("{} {} {}", &s[..4], &s[4..9], &s[9..])
    }
}

impl fmt::Display for Cui {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_string())
    }
}

impl fmt::Debug for Cui {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cui({self})")
    }
}

impl FromStr for Cui {
    type Err = CuiError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cui::parse(s)
    }
}

impl Serialize for Cui {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.as_string())
    }
}

/// In the API: 13 digits (the check digit and place are checked on input).
impl utoipa::PartialSchema for Cui {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[0-9]{13}$"))
            .description(Some("CUI: 13 dígitos / 13 digits."))
            .into()
    }
}

impl utoipa::ToSchema for Cui {}

impl<'de> Deserialize<'de> for Cui {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Cui::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_valid_examples() {
        for text in ["1234567890101", "9876543220101"] {
            let cui = Cui::parse(text).unwrap();
            assert_eq!(cui.to_string(), text);
            assert_eq!(cui.department(), 1);
            assert_eq!(cui.municipality(), 1);
        }
    }

    #[test]
    fn separators_are_ignored() {
        assert_eq!(
            Cui::parse(" 1234 56789 0101 ").unwrap().to_string(),
            "1234567890101"
        );
        assert_eq!(
            Cui::parse("1234-56789-0101").unwrap().to_string(),
            "1234567890101"
        );
        assert_eq!(
            Cui::parse("1234567890101").unwrap().display_grouped(),
            "1234 56789 0101"
        );
    }

    #[test]
    fn each_mistake_has_its_own_error() {
        assert_eq!(Cui::parse("123456789010"), Err(CuiError::Length(12)));
        assert_eq!(Cui::parse("12345678901011"), Err(CuiError::Length(14)));
        assert_eq!(Cui::parse(""), Err(CuiError::Length(0)));
        assert_eq!(Cui::parse("12345678A0101"), Err(CuiError::NotDigits));
        assert_eq!(Cui::parse("1234567880101"), Err(CuiError::CheckDigit));
        assert_eq!(Cui::parse("1234567892301"), Err(CuiError::Department(23)));
        assert_eq!(Cui::parse("1234567890001"), Err(CuiError::Department(0)));
        // Department 18 (Izabal) has 5 municipalities.
        assert_eq!(
            Cui::parse("1234567891806"),
            Err(CuiError::Municipality {
                department: 18,
                municipality: 6
            })
        );
        assert_eq!(
            Cui::parse("1234567890100"),
            Err(CuiError::Municipality {
                department: 1,
                municipality: 0
            })
        );
    }

    #[test]
    fn remainder_ten_is_never_valid() {
        // 0000 0005: sum = 5·9 = 45, 45 mod 11 = 1; find a sequence whose remainder is 10.
        let seq = (0..100u32)
            .find(|n| {
                let mut d = [0u8; 8];
                let mut s = *n;
                for i in (0..8).rev() {
                    d[i] = (s % 10) as u8;
                    s /= 10;
                }
                check_digit(&d).is_none()
            })
            .unwrap();
        assert!(Cui::compose(seq, 1, 1).is_none());
    }

    #[test]
    fn compose_round_trips_every_municipality() {
        let mut count = 0;
        for (i, munis) in MUNICIPALITIES_PER_DEPARTMENT.iter().enumerate() {
            for m in 1..=*munis {
                let cui = Cui::compose(12_345_678, i as u8 + 1, m).unwrap();
                assert_eq!(Cui::parse(&cui.to_string()).unwrap(), cui);
                count += 1;
            }
        }
        assert_eq!(count, 340);
    }

    #[test]
    fn serde_uses_the_plain_digits_and_validates() {
        let cui = Cui::parse("9876543220101").unwrap();
        assert_eq!(serde_json::to_string(&cui).unwrap(), "\"9876543220101\"");
        assert!(serde_json::from_str::<Cui>("\"9876543210101\"").is_err());
    }
}
