pub mod names;
pub mod registry;

