//! The civil registry: its CSV form, the synthetic generator, and the store
//! the matching engine reads.
//!
//! - [`record`]: one person as the registry CSV carries it, validated.
//! - [`generate`]: `registry generate`, a realistic synthetic registry.
//! - [`places`]: departments and municipalities in CUI code order.
//! - [`date`]: dates as day numbers.
//! - [`store`]: the SQLite store the engine reads.
//! - [`import`]: `registry import`, CSV to store with an atomic swap.
//! - [`recurrence_tally`]: the import's count of how often full names recur.

pub mod date;
pub mod generate;
pub mod import;
pub mod places;
pub mod record;
pub mod recurrence_tally;
pub mod store;
