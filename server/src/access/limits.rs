//! `[limits]` and `[tls]` of `server.toml`: how much any one client may ask
//! of `serve`, and which TLS versions it speaks.
//!
//! Every field has a default, so an existing `server.toml` keeps working;
//! `init` writes them all out so an admin sees what can be tuned.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// One token bucket: `burst` requests at once, refilled at `per_minute`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub per_minute: u32,
    pub burst: u32,
}

/// Bounds on connections and requests. Field names are unique across the
/// file so a line-oriented edit (or `grep`) finds exactly one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Open connections at once, from everyone.
    pub max_connections: usize,
    /// Open connections at once from one client IP address. Several
    /// workstations of an institution behind one NAT share an address.
    pub max_connections_per_address: usize,
    /// TCP accepted → TLS handshake done.
    pub handshake_timeout_seconds: u64,
    /// A request's headers, from its first byte (HTTP/1.1).
    pub header_read_timeout_seconds: u64,
    /// A connection with no request in progress and nothing written is
    /// closed after this long. Bytes trickling in do not count as activity,
    /// so a request that never completes its headers is closed too.
    pub idle_timeout_seconds: u64,
    /// A request's whole body (an upload of up to 20 MB) must arrive within this.
    pub body_read_timeout_seconds: u64,
    /// Per workstation, token buckets (`_burst` at once, refilled at
    /// `_per_minute`): `POST /v1/auth/challenge`…
    pub challenge_per_minute: u32,
    pub challenge_burst: u32,
    /// … `POST /v1/auth/login`…
    pub login_per_minute: u32,
    pub login_burst: u32,
    /// … `POST /v1/queries` (uploads)…
    pub upload_per_minute: u32,
    pub upload_burst: u32,
    /// … and `GET /v1/queries/{id}/result` (result downloads).
    pub download_per_minute: u32,
    pub download_burst: u32,
    /// Unspent, unexpired login challenges one workstation may hold.
    pub max_outstanding_challenges: u32,
    /// Per person (not workstation), `POST /v1/queries/one`: the consulta
    /// individual is for the beneficiary at the desk; lists go in a workbook.
    pub one_query_per_minute: u32,
    pub one_query_burst: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 1024,
            max_connections_per_address: 64,
            handshake_timeout_seconds: 10,
            header_read_timeout_seconds: 10,
            idle_timeout_seconds: 60,
            body_read_timeout_seconds: 300,
            challenge_per_minute: 60,
            challenge_burst: 30,
            login_per_minute: 60,
            login_burst: 30,
            upload_per_minute: 30,
            upload_burst: 10,
            download_per_minute: 60,
            download_burst: 20,
            max_outstanding_challenges: 10,
            one_query_per_minute: 20,
            one_query_burst: 10,
        }
    }
}

fn seconds(s: u64) -> Duration {
    // Zero would disable a bound by accident; one second is the floor.
    Duration::from_secs(s.max(1))
}

impl Limits {
    pub fn handshake_timeout(&self) -> Duration {
        seconds(self.handshake_timeout_seconds)
    }
    pub fn header_read_timeout(&self) -> Duration {
        seconds(self.header_read_timeout_seconds)
    }
    pub fn idle_timeout(&self) -> Duration {
        seconds(self.idle_timeout_seconds)
    }
    pub fn body_read_timeout(&self) -> Duration {
        seconds(self.body_read_timeout_seconds)
    }
    pub fn challenge_rate(&self) -> Rate {
        Rate {
            per_minute: self.challenge_per_minute,
            burst: self.challenge_burst,
        }
    }
    pub fn login_rate(&self) -> Rate {
        Rate {
            per_minute: self.login_per_minute,
            burst: self.login_burst,
        }
    }
    pub fn upload_rate(&self) -> Rate {
        Rate {
            per_minute: self.upload_per_minute,
            burst: self.upload_burst,
        }
    }
    pub fn one_query_rate(&self) -> Rate {
        Rate {
            per_minute: self.one_query_per_minute,
            burst: self.one_query_burst,
        }
    }
    pub fn download_rate(&self) -> Rate {
        Rate {
            per_minute: self.download_per_minute,
            burst: self.download_burst,
        }
    }
}

/// `[tls]`: Padrón's agent speaks TLS 1.3 only; TLS 1.2 is for an admin
/// whose other client (a monitoring probe, an old proxy) needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsSettings {
    pub allow_tls12: bool,
}
