//! The matching engine: from a query row to a registry person, or an honest
//! "not found" / "ambiguous".
//!
//! - [`profile`]: a person or row reduced to normalised names and date of birth.
//! - [`blocking`]: the keys persons are filed under and rows look up.
//! - [`score`]: Fellegi–Sunter weights with the registry's name frequencies.
//! - [`engine`]: one row in, one decision out.

pub mod blocking;
pub mod engine;
pub mod profile;
pub mod score;

pub use engine::{Candidate, Decision, Engine, NamesQuery, RowOutcome};
