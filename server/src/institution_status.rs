//! Whether an institution may use the service today, and the words that
//! say why not (DOMAIN.md, "Institution status").

use padron_shared::ErrorCode;

use crate::http::errors::ApiError;
use crate::store::{Institution, InstitutionStatus};

/// `None` when active; otherwise the refusal, naming the exact cause.
pub fn refusal(institution: &Institution) -> Option<ApiError> {
    let note = institution.status_note.clone().unwrap_or_default();
    let since = institution
        .status_since
        .get(..10)
        .unwrap_or(&institution.status_since)
        .to_owned();
    let (code, es, en) = match (institution.status, institution.status_cause.as_deref()) {
        (InstitutionStatus::Active, _) => return None,
        (InstitutionStatus::Inactive, Some("PAYMENT")) => (
            ErrorCode::InstitutionInactive,
            format!(
                "Motivo: falta de pago del consumo de {note}. Se reactiva al registrarse el pago."
            ),
            format!(
                "Reason: unpaid consumption for {note}. It is reactivated when the payment is recorded."
            ),
        ),
        (InstitutionStatus::Inactive, _) => (
            ErrorCode::InstitutionInactive,
            format!(
                "Motivo: incumplimiento de una cláusula del convenio{}{} (desde el {since}). La reactivación la decide el registro.",
                if note.is_empty() { "" } else { ": " },
                note
            ),
            format!(
                "Reason: breach of a clause of the agreement{}{} (since {since}). The registry decides on reactivation.",
                if note.is_empty() { "" } else { ": " },
                note
            ),
        ),
        (InstitutionStatus::Cancelled, Some("NO_QUERIES_90_DAYS")) => (
            ErrorCode::InstitutionCancelled,
            format!(
                "Motivo: no realizó consultas en 90 días (la última fue el {note}). Se restablece con un convenio renovado."
            ),
            format!(
                "Reason: no queries for 90 days (the last on {note}). It is reinstated by a renewed agreement."
            ),
        ),
        (InstitutionStatus::Cancelled, _) => (
            ErrorCode::InstitutionCancelled,
            format!(
                "Motivo: el convenio venció el {note}. Se restablece con un convenio renovado."
            ),
            format!(
                "Reason: the agreement expired on {note}. It is reinstated by a renewed agreement."
            ),
        ),
    };
    Some(
        ApiError::new(code)
            .with_detail(es, en)
            .logged(format!("institution {}", institution.code)),
    )
}
