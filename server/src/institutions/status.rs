//! Whether an institution may use the service today, and the words that
//! say why not (DOMAIN.md, "Institution status").

use padron_shared::ErrorCode;
use padron_shared::calendar::Zone;

use crate::refusal::Refusal;
use crate::store::{Institution, InstitutionStatus};

/// `None` when active; otherwise the refusal, naming the exact cause. Days
/// are the installation's local days (`zone`), as the person reads them.
pub fn refusal(institution: &Institution, zone: &Zone) -> Option<Refusal> {
    let note = institution.status_note.clone().unwrap_or_default();
    let since = zone.stamp_day(&institution.status_since);
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
        Refusal::new(code)
            .with_detail(es, en)
            .logged(format!("institution {}", institution.code)),
    )
}

/// `None` when an agreement is in force on `today`; otherwise the refusal
/// saying whether there is none, it has not started or it has ended. Fails
/// closed: no agreement, no service.
pub fn agreement_refusal(
    agreement: Option<&crate::store::Agreement>,
    today: time::Date,
) -> Option<Refusal> {
    let today = today.to_string();
    let (es, en, why) = match agreement {
        None => (
            "La institución no tiene convenio registrado.".to_owned(),
            "The institution has no agreement on record.".to_owned(),
            "no agreement",
        ),
        Some(a) if today < a.starts_on => (
            format!("El convenio rige desde el {}.", a.starts_on),
            format!("The agreement starts on {}.", a.starts_on),
            "agreement not started",
        ),
        Some(a) if today > a.ends_on => (
            format!("El convenio venció el {}.", a.ends_on),
            format!("The agreement ended on {}.", a.ends_on),
            "agreement ended",
        ),
        Some(_) => return None,
    };
    Some(
        Refusal::new(ErrorCode::AgreementNotInForce)
            .with_detail(es, en)
            .logged(why),
    )
}

#[cfg(test)]
mod agreement_tests {
    use super::*;
    use crate::store::Agreement;

    #[test]
    fn no_agreement_or_one_out_of_its_dates_refuses() {
        let day = |s: &str| {
            time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
                .unwrap_or(time::Date::MIN)
        };
        let a = Agreement {
            institution_code: "MIDES".into(),
            starts_on: "2026-01-01".into(),
            ends_on: "2026-12-31".into(),
            service_cui: true,
            service_names: true,
            monthly_quota: None,
        };
        let code = |a: Option<&Agreement>, d: &str| agreement_refusal(a, day(d)).map(|e| e.code);
        assert_eq!(
            code(None, "2026-06-01"),
            Some(ErrorCode::AgreementNotInForce)
        );
        assert_eq!(
            code(Some(&a), "2025-12-31"),
            Some(ErrorCode::AgreementNotInForce)
        );
        assert_eq!(code(Some(&a), "2026-01-01"), None);
        assert_eq!(code(Some(&a), "2026-12-31"), None);
        assert_eq!(
            code(Some(&a), "2027-01-01"),
            Some(ErrorCode::AgreementNotInForce)
        );
    }
}
