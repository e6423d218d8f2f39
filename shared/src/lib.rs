//! What the Padrón agent and server must agree on.
//!
//! - [`cui`]: the rules of Guatemala's Código Único de Identificación.
//! - [`error`]: stable error codes, their HTTP status and the words a person reads.
//! - [`protocol`]: the JSON bodies exchanged over `/v1`.
//! - [`agent_config`]: `agent.toml`, written by enrolment, read by the agent.
//! - [`lang`]: which language a message is given in.

pub mod agent_config;
pub mod cui;
pub mod error;
pub mod lang;
pub mod protocol;

pub use cui::{Cui, CuiError};
pub use error::{ErrorBody, ErrorCode};
pub use lang::Lang;
