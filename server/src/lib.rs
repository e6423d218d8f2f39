//! The Padrón server: a mutual-TLS API for enrolled workstations, its
//! SQLite store, and the admin CLI that acts on the same data directory.
//!
//! See `ARCHITECTURE.md` at the repository root for the map.

pub mod admin;
pub mod audit;
pub mod audit_export;
pub mod bundle;
pub mod calendar;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod connections;
pub mod consulta;
pub mod datadir;
pub mod eid;
pub mod enrolled;
pub mod error;
pub mod evidence;
pub mod http;
pub mod institution_status;
pub mod lifecycle;
pub mod limits;
pub mod login;
pub mod matching;
pub mod metrics;
pub mod names;
pub mod ocsp;
pub mod pki;
pub mod queue;
pub mod refusal_tally;
pub mod registry;
pub mod reports;
pub mod request_id;
pub mod revocation;
pub mod serve;
pub mod store;
pub mod tls;
pub mod trust;
pub mod user_requests;
pub mod workbook;
