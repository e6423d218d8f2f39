//! The civil registry: its CSV form, the synthetic generator, and the store
//! the matching engine reads.
//!
//! - [`record`]: one person as the registry CSV carries it, validated.
//! - [`generate`]: `registry generate`, a realistic synthetic registry.
//! - [`places`]: departments and municipalities in CUI code order.
//! - [`date`]: dates as day numbers.

pub mod date;
pub mod generate;
pub mod places;
pub mod record;
