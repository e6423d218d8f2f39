//! What a coordinator's card signed, checked the one way every signed
//! document (user requests, follow-up cases) is: the signer is a
//! coordinator still designated, the card is valid for signing and is the
//! session's person, the signature verifies over the bytes as received,
//! and those bytes are canonical JSON; then, once parsed, the document is
//! bound to this installation, institution and workstation, and is fresh.
//! Nothing is re-serialised before verification.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use padron_shared::ErrorCode;
use padron_shared::auth::Role;
use padron_shared::canonical::is_canonical;
use padron_shared::users::{REQUEST_MAX_AGE_SECONDS, SignedRequest};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::auth::eid::{Purpose, verify_signature};
use crate::refusal::Refusal;
use crate::services::Services;
use crate::store::{SessionRow, Workstation};

/// A signed document whose signature verified, as received.
#[derive(Debug)]
pub struct Verified {
    /// The canonical JSON bytes the card signed.
    pub payload: Vec<u8>,
    pub signature: Vec<u8>,
    /// The card's signature certificate, DER.
    pub certificate: Vec<u8>,
}

/// The checks before the document's content is read.
pub fn verify(
    state: &Services,
    ws: &Workstation,
    session: &SessionRow,
    signed: &SignedRequest,
) -> Result<Verified, Refusal> {
    if session.role != Role::Coordinator {
        return Err(Refusal::new(ErrorCode::CoordinatorOnly).logged("user session"));
    }
    // Removal ends the sessions at once; this holds even for a document
    // already on its way when it happened.
    if state
        .store
        .designation_removed_at(ws.institution_id, &session.cui)
        .map_err(Refusal::from)?
        .is_some()
    {
        return Err(Refusal::new(ErrorCode::CoordinatorRemoved).logged("removed coordinator"));
    }
    let decode = |what: &str, b64: &str| {
        STANDARD.decode(b64).map_err(|e| {
            Refusal::new(ErrorCode::AuthFormatInvalid).logged(format!("{what} base64: {e}"))
        })
    };
    let payload = decode("payload", &signed.payload)?;
    let signature = decode("signature", &signed.signature)?;
    let certificate = decode("certificate", &signed.certificate)?;
    let signer = crate::auth::login::check_card(state, &certificate, Purpose::Signature)?.holder;
    if signer.cui.to_string() != session.cui {
        return Err(
            Refusal::new(ErrorCode::SignerMismatch).logged(format!("signed by {}", signer.cui))
        );
    }
    verify_signature(&certificate, signed.algorithm, &payload, &signature)
        .map_err(|r| Refusal::new(r.code).logged(r.reason))?;
    if !is_canonical(&payload) {
        return Err(
            Refusal::new(ErrorCode::AuthFormatInvalid).logged("payload is not canonical JSON")
        );
    }
    Ok(Verified {
        payload,
        signature,
        certificate,
    })
}

/// What a parsed document says it is for, against where it arrived.
#[derive(Debug)]
pub struct Binding<'a> {
    pub installation: &'a str,
    pub institution: &'a str,
    pub workstation_id: i64,
    /// RFC 3339, as signed.
    pub created_at: &'a str,
}

/// The document is for this installation, institution and workstation,
/// and was signed within `REQUEST_MAX_AGE_SECONDS` of now.
pub fn check_binding(
    state: &Services,
    ws: &Workstation,
    binding: &Binding<'_>,
) -> Result<(), Refusal> {
    if binding.installation != crate::auth::login::installation_id(state)? {
        return Err(
            Refusal::new(ErrorCode::InstallationMismatch).logged(format!(
                "for installation {}",
                crate::audit::untrusted(binding.installation)
            )),
        );
    }
    if binding.institution != ws.institution_code {
        return Err(Refusal::new(ErrorCode::InstitutionMismatch).logged(format!(
            "for {}",
            crate::audit::untrusted(binding.institution)
        )));
    }
    if binding.workstation_id != ws.id {
        return Err(Refusal::new(ErrorCode::WorkstationMismatch)
            .logged(format!("for {}", binding.workstation_id)));
    }
    let created = OffsetDateTime::parse(binding.created_at, &Rfc3339).map_err(|e| {
        Refusal::new(ErrorCode::AuthFormatInvalid).logged(format!("created_at: {e}"))
    })?;
    if (state.clock.now() - created).whole_seconds().abs() > REQUEST_MAX_AGE_SECONDS {
        return Err(Refusal::new(ErrorCode::RequestStale).logged(format!(
            "created {}",
            crate::audit::untrusted(binding.created_at)
        )));
    }
    Ok(())
}
