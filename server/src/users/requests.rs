//! Signed user-administration requests (altas, bajas, actualizaciones).
//!
//! The server verifies the bytes exactly as the card signed them, then
//! parses them; nothing is re-serialised before verification. A request that
//! fails a check before it is kept (bad signature, stale, replayed, another
//! institution) is refused and audited; one that is kept but cannot be
//! applied (11th user, unknown user) is stored as REJECTED, as evidence.

use padron_shared::user_fields::Field;
use padron_shared::users::{
    REQUEST_FORMAT, RequestAction, RequestPayload, RequestState, RequestView, SignedRequest,
    UserChange,
};
use padron_shared::{Cui, ErrorCode, Lang};
use serde_json::json;

use crate::audit::AuditRecord;
use crate::clock::timestamp;
use crate::refusal::Refusal;
use crate::services::Services;
use crate::store::{NewRequest, RequestRow, RequestVerdict, SessionRow, Workstation};

/// The user fields the request form captures, validated for the action with
/// the agent's own rules (`UserChange::problems`); the first problem refuses.
fn validate_user(action: RequestAction, u: &UserChange) -> Result<(), Refusal> {
    match u.problems(action).into_iter().next() {
        None => Ok(()),
        Some(p) => {
            let code = if p.field == Field::Cui {
                ErrorCode::CuiInvalid
            } else {
                ErrorCode::UserFieldInvalid
            };
            let key = p.field.key();
            Err(Refusal::new(code)
                .with_detail(format!("{key}: {}", p.es), format!("{key}: {}", p.en))
                .logged(format!("field {key}")))
        }
    }
}

/// A request id is a version-4 UUID in its canonical form (lowercase,
/// hyphenated): the id is signed text, so one UUID has one spelling.
pub(crate) fn is_uuid_v4(id: &str) -> bool {
    uuid::Uuid::try_parse(id).is_ok_and(|u| {
        u.get_version_num() == 4
            && u.get_variant() == uuid::Variant::RFC4122
            && u.hyphenated().to_string() == id
    })
}

fn audit_refusal(
    state: &Services,
    ws: &Workstation,
    session: &SessionRow,
    request_id: &str,
    e: &Refusal,
) {
    let record = AuditRecord {
        at: timestamp(state.clock.now()),
        actor: format!("cui:{}", session.cui),
        workstation_id: Some(ws.id),
        action: "request.submit".to_owned(),
        subject: format!("request:{request_id}"),
        outcome: format!("refused:{}", e.code.as_str()),
        detail: json!({ "reason": e.log_reason.clone().unwrap_or_default() }),
    };
    if let Err(err) = state.store.append_audit(&record) {
        tracing::error!(error = %err, "cannot audit a refused request");
    }
}

/// Verifies, keeps and applies a signed request from a coordinator session.
pub fn submit(
    state: &Services,
    ws: &Workstation,
    session: &SessionRow,
    signed: &SignedRequest,
) -> Result<RequestView, Refusal> {
    let mut request_id = String::from("?");
    let result = check_and_apply(state, ws, session, signed, &mut request_id);
    if let Err(e) = &result {
        // Rule rejections were audited with the stored request.
        if e.log_reason.as_deref() != Some("stored as REJECTED") {
            audit_refusal(state, ws, session, &request_id, e);
        }
    }
    result
}

fn check_and_apply(
    state: &Services,
    ws: &Workstation,
    session: &SessionRow,
    signed: &SignedRequest,
    request_id: &mut String,
) -> Result<RequestView, Refusal> {
    let crate::auth::signed::Verified {
        payload,
        signature,
        certificate,
    } = crate::auth::signed::verify(state, ws, session, signed)?;
    let now = state.clock.now();
    let request: RequestPayload = serde_json::from_slice(&payload)
        .map_err(|e| Refusal::new(ErrorCode::AuthFormatInvalid).logged(format!("payload: {e}")))?;
    if request.format != REQUEST_FORMAT || !is_uuid_v4(&request.request_id) {
        return Err(Refusal::new(ErrorCode::AuthFormatInvalid).logged("format or request id"));
    }
    // Only now, validated, may the id reach the audit log.
    *request_id = request.request_id.clone();
    crate::auth::signed::check_binding(
        state,
        ws,
        &crate::auth::signed::Binding {
            installation: &request.installation,
            institution: &request.institution,
            workstation_id: request.workstation_id,
            created_at: &request.created_at,
        },
    )?;
    let store_err = |e| Refusal::from(e);
    if state
        .store
        .request_exists(&request.request_id)
        .map_err(store_err)?
    {
        return Err(Refusal::new(ErrorCode::RequestReplayed).logged("request id seen before"));
    }
    validate_user(request.action, &request.user)?;
    // A user works for one of the programmes the agreement covers (when
    // the registry recorded them).
    if request.action == RequestAction::Add
        && let Some(programme) = &request.user.programme
    {
        let covered = state
            .store
            .programmes(&ws.institution_code)
            .map_err(store_err)?;
        if !covered.is_empty()
            && !covered
                .iter()
                .any(|c| crate::institutions::admin::same_programme(c, programme))
        {
            let list = covered.join(", ");
            let shown = crate::audit::untrusted(programme);
            return Err(
                Refusal::new(ErrorCode::ProgrammeNotInAgreement).with_detail(
                    format!("«{shown}» no está en el convenio; sus programas: {list}."),
                    format!("\"{shown}\" is not in the agreement; its programmes: {list}."),
                ),
            );
        }
    }
    let mut user = request.user.clone();
    // Stored as digits only, whatever spacing the coordinator typed.
    user.cui = Cui::parse(&user.cui)
        .map(|c| c.to_string())
        .unwrap_or(user.cui);

    let at = timestamp(now);
    let new = NewRequest {
        id: request.request_id.clone(),
        institution_id: ws.institution_id,
        coordinator_cui: session.cui.clone(),
        workstation_id: ws.id,
        action: request.action,
        user: user.clone(),
        payload,
        algorithm: signed.algorithm.as_str().to_owned(),
        signature,
        certificate,
        at: at.clone(),
    };
    let audit = AuditRecord {
        at: at.clone(),
        actor: format!("cui:{}", session.cui),
        workstation_id: Some(ws.id),
        action: format!("user.{}", request.action.as_str().to_lowercase()),
        subject: format!("user:{}", user.cui),
        outcome: "ok".to_owned(),
        // The evidence: what exactly was signed, how, by which certificate.
        // Someone who can write the database cannot swap any of them
        // without breaking the chain (`audit verify`).
        detail: json!({
            "request_id": request.request_id,
            "institution": ws.institution_code,
            "payload_sha256": crate::audit::sha256_hex(&new.payload),
            "signature_sha256": crate::audit::sha256_hex(&new.signature),
            "certificate_sha256": crate::audit::sha256_hex(&new.certificate),
        }),
    };
    let verdict = state
        .store
        .submit_request(&new, &audit)
        .map_err(store_err)?;
    match verdict {
        RequestVerdict::Done => Ok(RequestView {
            id: request.request_id,
            action: request.action,
            user_cui: user.cui,
            state: RequestState::Done,
            reject_code: None,
            reject_message: None,
            coordinator_cui: session.cui.clone(),
            created_at: at.clone(),
            updated_at: at,
        }),
        RequestVerdict::Rejected(ErrorCode::RequestReplayed) => {
            Err(Refusal::new(ErrorCode::RequestReplayed).logged("request id seen before (race)"))
        }
        RequestVerdict::Rejected(code) => Err(Refusal::new(code)
            .with_detail(
                format!("La solicitud {} quedó RECHAZADA.", request.request_id),
                format!("Request {} was REJECTED.", request.request_id),
            )
            .logged("stored as REJECTED")),
    }
}

/// A stored request for the coordinator, with the rejection in words.
pub fn view(row: RequestRow, lang: Lang) -> RequestView {
    let reject_message = row
        .reject_code
        .as_deref()
        .and_then(ErrorCode::from_code)
        .map(|c| c.message(lang).to_owned());
    RequestView {
        id: row.id,
        action: row.action,
        user_cui: row.user_cui,
        state: row.state,
        reject_code: row.reject_code,
        reject_message,
        coordinator_cui: row.coordinator_cui,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_v4_shape() {
        assert!(is_uuid_v4("3f2b8c1e-9a4d-4e7f-8b2a-1c3d5e7f9a0b"));
        assert!(!is_uuid_v4("3f2b8c1e-9a4d-1e7f-8b2a-1c3d5e7f9a0b"));
        assert!(!is_uuid_v4("3F2B8C1E-9A4D-4E7F-8B2A-1C3D5E7F9A0B"));
        assert!(!is_uuid_v4("not-a-uuid"));
    }

    #[test]
    fn add_needs_every_form_field_and_remove_a_reason() {
        let mut u = UserChange {
            cui: "1234567890101".into(),
            ..Default::default()
        };
        assert_eq!(
            validate_user(RequestAction::Add, &u).unwrap_err().code,
            ErrorCode::UserFieldInvalid
        );
        assert_eq!(
            validate_user(RequestAction::Remove, &u).unwrap_err().code,
            ErrorCode::UserFieldInvalid
        );
        assert!(validate_user(RequestAction::Update, &u).is_ok());
        u.email = Some("sin-arroba".into());
        assert_eq!(
            validate_user(RequestAction::Update, &u).unwrap_err().code,
            ErrorCode::UserFieldInvalid
        );
        u.email = Some("ana@mides.gob.gt".into());
        u.phone = Some("5555-1234".into());
        assert!(validate_user(RequestAction::Update, &u).is_ok());
        u.cui = "1234567880101".into();
        assert_eq!(
            validate_user(RequestAction::Update, &u).unwrap_err().code,
            ErrorCode::CuiInvalid
        );
    }
}
