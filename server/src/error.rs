//! The server's error type and its mapping to stable codes.

use padron_shared::{CuiError, ErrorCode};

use crate::access::pki::PkiError;
use crate::datadir::DataDirError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    DataDir(#[from] DataDirError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Pki(#[from] PkiError),
    #[error("CUI {text:?}: {source}")]
    Cui { text: String, source: CuiError },
    #[error("institution code {0:?} is not valid")]
    InstitutionCode(String),
    #[error("name is empty or too long")]
    Name,
    #[error("site name is empty, too long or has control characters")]
    Site,
    #[error("{0}")]
    Io(String),
    #[error("trust file: {0}")]
    TrustFile(String),
    #[error("{0}")]
    AuditBroken(String),
    #[error("{0}")]
    StateConflict(String),
    #[error("{0}")]
    Payment(String),
    #[error("{0}")]
    Agreement(String),
    #[error("{0} is not a user of any institution")]
    UserUnknown(String),
    #[error("{0}")]
    ReportPeriod(String),
    /// An eID trust refusal with its own code (CRL, intermediate, root).
    #[error("{1}")]
    Trust(ErrorCode, String),
    #[error(transparent)]
    Evidence(#[from] crate::evidence::verify::EvidenceError),
    #[error(transparent)]
    Checkpoint(#[from] crate::evidence::verify::CheckpointError),
    #[error(transparent)]
    Backup(#[from] crate::backup::BackupError),
}

impl ServerError {
    /// The stable code a client or script sees for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            ServerError::DataDir(DataDirError::Exists(_)) => ErrorCode::DataDirExists,
            ServerError::DataDir(DataDirError::Missing(_)) => ErrorCode::DataDirMissing,
            ServerError::DataDir(DataDirError::Store(e)) | ServerError::Store(e) => store_code(e),
            ServerError::DataDir(DataDirError::Pki(e)) | ServerError::Pki(e) => pki_code(e),
            ServerError::DataDir(DataDirError::NotPrivate { .. }) => ErrorCode::DataDirNotPrivate,
            ServerError::DataDir(_) | ServerError::Io(_) => ErrorCode::Internal,
            ServerError::Cui { .. } => ErrorCode::CuiInvalid,
            ServerError::InstitutionCode(_) => ErrorCode::InstitutionCodeInvalid,
            ServerError::Name => ErrorCode::NameInvalid,
            ServerError::Site => ErrorCode::SiteInvalid,
            ServerError::TrustFile(_) => ErrorCode::TrustFileInvalid,
            ServerError::AuditBroken(_) => ErrorCode::AuditChainBroken,
            ServerError::StateConflict(_) => ErrorCode::InstitutionStateConflict,
            ServerError::Payment(_) => ErrorCode::PaymentInvalid,
            ServerError::UserUnknown(_) => ErrorCode::UserUnknown,
            ServerError::Agreement(_) => ErrorCode::AgreementInvalid,
            ServerError::ReportPeriod(_) => ErrorCode::ReportPeriodInvalid,
            ServerError::Trust(code, _) => *code,
            ServerError::Evidence(_) => ErrorCode::AuditChainBroken,
            ServerError::Checkpoint(_) => ErrorCode::AuditCheckpointInvalid,
            ServerError::Backup(e) => e.code(),
        }
    }
}

fn store_code(e: &StoreError) -> ErrorCode {
    match e {
        StoreError::Sqlite(_)
        | StoreError::Postgres(_)
        | StoreError::Corrupt(_)
        | StoreError::UnknownName(_)
        | StoreError::Issuance(_) => ErrorCode::Internal,
        StoreError::Unavailable(_) => ErrorCode::StoreUnavailable,
        StoreError::QuotaExceeded { .. } => ErrorCode::QuotaExceeded,
        StoreError::SchemaTooNew { .. } => ErrorCode::SchemaTooNew,
        StoreError::InstitutionUnknown(_) => ErrorCode::InstitutionUnknown,
        StoreError::InstitutionExists(_) => ErrorCode::InstitutionExists,
        StoreError::CoordinatorExists { .. } => ErrorCode::CoordinatorExists,
        StoreError::CoordinatorUnknown { .. } => ErrorCode::CoordinatorUnknown,
        StoreError::WorkstationNotFound(_) => ErrorCode::WorkstationNotFound,
        StoreError::WorkstationAlreadyRevoked(_) => ErrorCode::WorkstationAlreadyRevoked,
    }
}

fn pki_code(e: &PkiError) -> ErrorCode {
    match e {
        PkiError::CsrInvalid(_) => ErrorCode::CsrInvalid,
        PkiError::CsrKeyType(_) => ErrorCode::CsrKeyRefused,
        PkiError::Rcgen(_) | PkiError::Read { .. } | PkiError::Random => ErrorCode::Internal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_mistakes_map_to_client_codes() {
        let cases = [
            (
                ServerError::Store(StoreError::InstitutionUnknown("X".into())),
                "INSTITUTION_UNKNOWN",
                404,
            ),
            (
                ServerError::Store(StoreError::InstitutionExists("X".into())),
                "INSTITUTION_EXISTS",
                409,
            ),
            (
                ServerError::Store(StoreError::WorkstationAlreadyRevoked(3)),
                "WORKSTATION_ALREADY_REVOKED",
                409,
            ),
            (
                ServerError::Store(StoreError::WorkstationNotFound(3)),
                "WORKSTATION_NOT_FOUND",
                404,
            ),
            (
                ServerError::Pki(PkiError::CsrInvalid("x".into())),
                "CSR_INVALID",
                400,
            ),
            (
                ServerError::Cui {
                    text: "1".into(),
                    source: CuiError::Length(1),
                },
                "CUI_INVALIDO",
                400,
            ),
            (
                ServerError::InstitutionCode("a b".into()),
                "INSTITUTION_CODE_INVALID",
                400,
            ),
            (
                ServerError::DataDir(DataDirError::Exists("/x".into())),
                "DATA_DIR_EXISTS",
                409,
            ),
            (
                ServerError::DataDir(DataDirError::Missing("/x".into())),
                "DATA_DIR_MISSING",
                404,
            ),
        ];
        for (err, code, status) in cases {
            assert_eq!(err.code().as_str(), code, "{err}");
            assert_eq!(err.code().http_status(), status, "{err}");
        }
    }

    #[test]
    fn faults_are_internal() {
        let err = ServerError::Store(StoreError::Corrupt("bad".into()));
        assert_eq!(err.code(), ErrorCode::Internal);
    }
}
