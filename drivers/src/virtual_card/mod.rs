//! `padron-card`: a PIV card made of files, which vsmartcard's `vpcd`
//! reader driver presents to pcscd as a real card in a real reader.
//!
//! - [`issuer`]: the test eID CA and the cards it issues;
//! - [`files`]: their directories;
//! - [`keys`]: the card's private-key operations;
//! - [`applet`]: the PIV application answering APDUs;
//! - [`vpcd`]: the TCP protocol to the reader driver.

pub mod applet;
pub mod files;
pub mod issuer;
pub mod keys;
pub mod vpcd;
