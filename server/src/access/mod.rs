//! Who may connect, and how much they may ask: the server's PKI and TLS
//! configuration, the enrolment bundle a workstation installs, the enrolled
//! workstations the handshake checks, and the accept loop with its caps.

pub mod buckets;
pub mod bundle;
pub mod connections;
pub mod enrolled;
pub mod limits;
pub mod pki;
pub mod refusal_tally;
pub mod tls;
