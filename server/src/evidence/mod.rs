//! What the audit log proves to someone who trusts neither the server nor
//! its database: `audit verify` (the chain, each signed request's bytes,
//! signature and certificate chain at the time of signing) and `audit
//! checkpoint` ([`verify`]); the admin's export of the log with each
//! request re-verified ([`export`]). Above `audit/` (the chain itself),
//! which the store writes through.

pub mod export;
pub mod verify;
