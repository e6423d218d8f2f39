pub mod names;

