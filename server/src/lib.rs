//! The Padrón server: a mutual-TLS API for enrolled workstations, its
//! store, and the admin CLI that acts on the same data directory. The
//! Consulta engine (registry, names, matching, workbooks, the job runner)
//! is the `padron-consulta` crate.
//!
//! See `ARCHITECTURE.md` at the repository root for the map: one folder per
//! capability, `http/` thin, the domain free of HTTP.

pub(crate) mod access;
pub(crate) mod admin;
pub mod audit;
pub(crate) mod auth;
pub(crate) mod backup;
pub mod cli;
pub(crate) mod clock;
pub(crate) mod cluster;
pub(crate) mod datadir;
pub(crate) mod desk;
pub(crate) mod doctor;
pub(crate) mod error;
pub(crate) mod evidence;
pub(crate) mod http;
pub(crate) mod institutions;
pub(crate) mod metrics;
pub mod queue;
pub(crate) mod refusal;
pub(crate) mod reports;
pub(crate) mod request_id;
pub(crate) mod retention;
pub(crate) mod serve;
pub(crate) mod services;
pub mod store;
pub(crate) mod users;
