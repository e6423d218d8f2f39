//! A failure as the person reads it, and what the kiosk fetched or saved.

use std::path::PathBuf;

use padron_shared::{ErrorCode, Lang};

/// A failure as the person reads it, in both languages (the language can be
/// switched while it is on screen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: ErrorCode,
    pub es: String,
    pub en: String,
    /// For a wrong PIN: the tries the card says are left.
    pub tries_left: Option<u8>,
}

impl Failure {
    pub fn new(code: ErrorCode, es: impl Into<String>, en: impl Into<String>) -> Failure {
        Failure {
            code,
            es: es.into(),
            en: en.into(),
            tries_left: None,
        }
    }

    /// Just the stable sentence of `code`.
    pub fn of(code: ErrorCode) -> Failure {
        Failure::new(code, code.message(Lang::Es), code.message(Lang::En))
    }

    pub fn text(&self, lang: Lang) -> &str {
        lang.pick(&self.es, &self.en)
    }

    /// The server (or the network to it) is the problem, not the request.
    pub fn is_offline(&self) -> bool {
        matches!(
            self.code,
            ErrorCode::ServerUnreachable | ErrorCode::StoreUnavailable
        )
    }

    /// The session is gone on the server's side.
    pub fn ends_session(&self) -> bool {
        matches!(
            self.code,
            ErrorCode::SessionExpired
                | ErrorCode::SessionInvalid
                | ErrorCode::SessionOtherWorkstation
                | ErrorCode::InstitutionInactive
                | ErrorCode::InstitutionCancelled
                | ErrorCode::UserBlocked
                | ErrorCode::UserNotAuthorized
        )
    }
}

/// Something fetched from the server.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Remote<T> {
    #[default]
    NotLoaded,
    Loading,
    Loaded(T),
    Failed(Failure),
}

/// A file saved, or failing to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// The id of what is being saved (a job, a report's CUI).
    Saving(String),
    Done(PathBuf),
    Failed(Failure),
}
