//! The domain's refusal: what any rule of Padrón answers when it says no.
//!
//! Login, user requests, institution status, uploads and reports return a
//! [`Refusal`]; they know nothing of HTTP. `http/errors.rs` alone turns one
//! into a response (status from the code's table, body in the caller's
//! language), and the CLI prints one with its code.

use padron_shared::ErrorCode;

use crate::error::ServerError;
use crate::store::StoreError;

/// A refusal: a stable code, what in particular was refused (Spanish and
/// English), and the technical reason for the log and the audit trail,
/// which is never shown to the caller.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub code: ErrorCode,
    pub detail: Option<(String, String)>,
    /// Technical reason for the log and the audit trail; never sent.
    pub log_reason: Option<String>,
}

impl Refusal {
    pub fn new(code: ErrorCode) -> Refusal {
        Refusal {
            code,
            detail: None,
            log_reason: None,
        }
    }

    /// Adds the technical reason kept in the log and audit trail.
    pub fn logged(mut self, reason: impl Into<String>) -> Refusal {
        self.log_reason = Some(reason.into());
        self
    }

    /// Adds what in particular was refused, in Spanish and English.
    pub fn with_detail(mut self, es: impl Into<String>, en: impl Into<String>) -> Refusal {
        self.detail = Some((es.into(), en.into()));
        self
    }
}

impl From<ServerError> for Refusal {
    fn from(e: ServerError) -> Refusal {
        let code = e.code();
        if code.http_status() >= 500 {
            tracing::error!(error = %e, "request failed");
        }
        Refusal::new(code)
    }
}

/// The one conversion from a store failure: its code (quota spent, unknown
/// institution, …) or `INTERNAL`, logged with its cause.
impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Refusal {
        Refusal::from(ServerError::from(e))
    }
}
