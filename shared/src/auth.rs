//! Card login: the challenge, the authentication token the card signs, and
//! the session that results.
//!
//! Modelled on the Web eID authentication token, with the TLS server
//! certificate in the role of the web origin: the card signs
//!
//! ```text
//! SHA-256(server identity) ‖ SHA-256(nonce)
//! ```
//!
//! where the server identity is the lowercase hex SHA-256 fingerprint of
//! the server certificate the agent saw in the TLS handshake, and the nonce
//! is the base64 text the server sent (both hashed as UTF-8 text). The
//! signature is made with the hash of the algorithm (`ES256`: SHA-256,
//! `ES384`: SHA-384, `RS256`: SHA-256 with PKCS#1 v1.5) over those 64 bytes,
//! so a login signed for one server cannot be replayed to another.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Cui;

/// `format` of an authentication token this version speaks.
pub const AUTH_FORMAT: &str = "padron-auth:1";
/// How long a challenge may be answered.
pub const NONCE_TTL_SECONDS: i64 = 300;
/// A session ends after this long without a request…
pub const SESSION_IDLE_SECONDS: i64 = 15 * 60;
/// …and in any case after this long.
pub const SESSION_MAX_SECONDS: i64 = 8 * 60 * 60;

/// `POST /v1/auth/challenge`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Challenge {
    /// 32 random bytes, standard base64.
    pub nonce: String,
    /// RFC 3339, UTC.
    pub expires_at: String,
}

/// Signature algorithms, by their JOSE names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum SignatureAlgorithm {
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// ECDSA on P-384 with SHA-384.
    ES384,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
}

impl SignatureAlgorithm {
    /// The JOSE name (`ES256`, `ES384`, `RS256`).
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureAlgorithm::ES256 => "ES256",
            SignatureAlgorithm::ES384 => "ES384",
            SignatureAlgorithm::RS256 => "RS256",
        }
    }
}

/// `POST /v1/auth/login`: what the card produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthToken {
    /// Always [`AUTH_FORMAT`].
    pub format: String,
    /// The card's authentication certificate, DER, standard base64.
    pub certificate: String,
    /// The algorithm of the signature, which must match the certificate's key.
    pub algorithm: SignatureAlgorithm,
    /// ECDSA: ASN.1 DER; RSA: PKCS#1 v1.5. Standard base64.
    pub signature: String,
    /// The nonce exactly as received.
    pub nonce: String,
}

/// The bytes the card signs at login.
pub fn login_message(server_fingerprint_hex: &str, nonce: &str) -> Vec<u8> {
    let mut message = Vec::with_capacity(64);
    message.extend_from_slice(&Sha256::digest(server_fingerprint_hex.as_bytes()));
    message.extend_from_slice(&Sha256::digest(nonce.as_bytes()));
    message
}

/// What a person logged in as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// An institution's coordinator: administers the institution's users.
    Coordinator,
    /// An operator: runs Consulta Social queries.
    User,
}

impl Role {
    /// The wire name: `COORDINATOR` or `USER`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Coordinator => "COORDINATOR",
            Role::User => "USER",
        }
    }
}

/// The answer to a successful login, and `GET /v1/session`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SessionInfo {
    /// Opaque bearer token; only its hash is stored. Empty in `GET /v1/session`.
    pub token: String,
    /// Coordinator or user.
    pub role: Role,
    /// The person's CUI, from the card certificate.
    pub cui: Cui,
    /// The person's name as the server has it.
    pub name: String,
    /// Code of the institution the session acts for.
    pub institution_code: String,
    /// Name of that institution.
    pub institution_name: String,
    /// The enrolled workstation the session was opened at.
    pub workstation_id: i64,
    /// Seconds without requests after which the session ends.
    pub idle_timeout_seconds: i64,
    /// RFC 3339: the absolute end of the session.
    pub expires_at: String,
    /// The server installation's id (random, made when its database was
    /// created): what signed requests name, so they only count here.
    #[serde(default)]
    pub installation_id: String,
    /// The social programmes the institution's agreement covers (empty:
    /// not recorded, any is accepted): the kiosk's add-user form lists them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub programmes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_message_binds_server_and_nonce() {
        let a = login_message("ab", "bm9uY2U=");
        assert_eq!(a.len(), 64);
        assert_ne!(a, login_message("ac", "bm9uY2U="));
        assert_ne!(a, login_message("ab", "bm9uY2V="));
        assert_eq!(&a[..32], Sha256::digest(b"ab").as_slice());
    }
}
