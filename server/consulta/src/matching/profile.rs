//! A person or a query row reduced to what matching compares.

use crate::names::{NameToken, Surnames, given_names, surnames};
use crate::registry::date::Day;
use crate::registry::record::{RecordFields, RegistryRecord};

use super::blocking::BlockingView;

/// Normalised names and date of birth.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    pub given: Vec<NameToken>,
    pub surnames: Surnames,
    pub born: Option<Day>,
}

impl Profile {
    pub fn of_record(r: &RegistryRecord) -> Profile {
        Profile {
            given: given_names(r.given.iter().map(String::as_str)),
            surnames: surnames(&r.first_surname, &r.second_surname, &r.married_surname),
            born: Some(r.born),
        }
    }

    pub fn of_fields(r: &RecordFields<'_>) -> Profile {
        Profile {
            given: given_names(r.given),
            surnames: surnames(r.first_surname, r.second_surname, r.married_surname),
            born: Some(r.born),
        }
    }

    pub fn view(&self) -> BlockingView<'_> {
        BlockingView::new(&self.given, &self.surnames, self.born)
    }
}
