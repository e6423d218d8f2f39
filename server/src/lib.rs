//! The Padrón server: a mutual-TLS API for enrolled workstations, its
//! store, and the admin CLI that acts on the same data directory. The
//! Consulta engine (registry, names, matching, workbooks, the job runner)
//! is the `padron-consulta` crate.
//!
//! See `ARCHITECTURE.md` at the repository root for the map: one folder per
//! capability, `http/` thin, the domain free of HTTP.

pub mod access;
pub mod admin;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod cli;
pub mod clock;
pub mod datadir;
pub mod desk;
pub mod doctor;
pub mod error;
pub mod evidence;
pub mod http;
pub mod institutions;
pub mod metrics;
pub mod queue;
pub mod refusal;
pub mod reports;
pub mod request_id;
pub mod retention;
pub mod serve;
pub mod services;
pub mod store;
pub mod users;
