//! The connection to the server and the institution's standing: what the
//! kiosk knows of both outlives sessions (the banners stay on the PIN screen).

use padron_shared::protocol::WhoAmI;

use super::Failure;

/// The connection to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Server {
    Checking,
    Online(WhoAmI),
    Offline(Failure),
}

/// Whether the institution may use the service, as far as the kiosk knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Institution {
    Unknown,
    Active,
    /// `INSTITUTION_INACTIVE` or `INSTITUTION_CANCELLED`, with the server's
    /// words for the cause.
    Refused(Failure),
}
