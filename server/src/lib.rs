pub mod matching;
pub mod names;
pub mod registry;

