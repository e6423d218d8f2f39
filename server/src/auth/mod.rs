//! Who the person at the workstation is: card login, the national eID's
//! chains of trust, and their revocation (CRLs and OCSP).

pub mod eid;
pub mod login;
pub mod ocsp;
pub mod revocation;
pub mod signed;
pub mod trust;
