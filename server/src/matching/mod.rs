//! The matching engine: from a query row to a registry person, or an honest
//! "not found" / "ambiguous".
//!
//! - [`profile`]: a person or row reduced to normalised names and date of birth.
//! - [`blocking`]: the keys persons are filed under and rows look up.

pub mod blocking;
pub mod profile;
