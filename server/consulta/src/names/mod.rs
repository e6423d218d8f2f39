//! Personal names as Guatemalan registrars and institutions write them, reduced
//! to forms that can be compared.
//!
//! - [`normalize`]: case, accents, Ñ, punctuation, particles (DE / DEL /
//!   DE LA …) kept as a unit, abbreviations such as `MA.` for MARÍA, initials,
//!   and "DE X" married surnames.
//! - [`phonetic`](mod@phonetic): a key that survives the spellings of Spanish (seseo, B/V,
//!   LL/Y, silent H) and of Mayan languages (K/Q/C, X/CH, W/HU, doubled vowels),
//!   and a spelling key that keeps the vowels, to tell a spelling variant
//!   from a different name.
//! - [`similarity`]: edit distance for typing mistakes.

pub mod normalize;
pub mod phonetic;
pub mod similarity;

pub use normalize::{NameToken, Surnames, fold, given_names, surnames};
pub use phonetic::{phonetic, spelling};
