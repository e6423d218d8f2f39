//! What the Padrón agent and server must agree on.
//!
//! - [`cui`]: the rules of Guatemala's Código Único de Identificación.
//! - [`error`]: stable error codes, their HTTP status and the words a person reads.
//! - [`protocol`]: the JSON bodies exchanged over `/v1`.
//! - [`agent_config`]: `agent.toml`, written by enrolment, read by the agent.
//! - [`auth`]: card login (challenge, token, session); [`users`]: signed
//!   user-administration requests; [`canonical`]: RFC 8785 JSON they are signed in.
//! - [`queries`]: Consulta Social jobs; [`reports`]: a user's query activity
//!   as a coordinator may see it; [`single`]: the consulta individual;
//!   [`cases`]: follow-up cases of unresolved rows; [`tickets`]: the service desk.
//! - [`wire`]: the closed sets of names (job state, query mode, …) both
//!   sides and the store spell alike.
//! - [`lang`]: which language a message is given in; [`calendar`]: the
//!   registry's local days and how a stored stamp reads in local time.

#![warn(missing_docs)]

pub mod agent_config;
pub mod auth;
pub mod calendar;
pub mod canonical;
pub mod cases;
pub mod config_card;
pub mod cui;
pub mod error;
pub mod lang;
pub mod protocol;
pub mod queries;
pub mod reports;
pub mod single;
pub mod tickets;
pub mod user_fields;
pub mod users;
pub mod wire;

pub use cui::{Cui, CuiError};
pub use error::{ErrorBody, ErrorCode};
pub use lang::Lang;
