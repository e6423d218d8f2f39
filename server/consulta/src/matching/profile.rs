//! A person or a query row reduced to what matching compares.

use crate::names::{NameToken, Surnames, given_names, surnames};
use crate::registry::date::Day;
use crate::registry::record::{RecordFields, RegistryRecord};

use super::blocking::BlockingView;

/// Normalised names and date of birth.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    /// Normalised given names, in order.
    pub given: Vec<NameToken>,
    /// Normalised first, second and married surnames.
    pub surnames: Surnames,
    /// Date of birth, if known.
    pub born: Option<Day>,
}

impl Profile {
    /// The profile of a registry person.
    pub fn of_record(r: &RegistryRecord) -> Profile {
        Profile {
            given: given_names(r.given.iter().map(String::as_str)),
            surnames: surnames(&r.first_surname, &r.second_surname, &r.married_surname),
            born: Some(r.born),
        }
    }

    /// The profile of a registry CSV row being imported.
    pub fn of_fields(r: &RecordFields<'_>) -> Profile {
        Profile {
            given: given_names(r.given),
            surnames: surnames(r.first_surname, r.second_surname, r.married_surname),
            born: Some(r.born),
        }
    }

    /// What blocking and the signature need of this profile.
    pub fn view(&self) -> BlockingView<'_> {
        BlockingView::new(&self.given, &self.surnames, self.born)
    }
}
