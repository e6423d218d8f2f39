//! Card login: challenges, the authentication token check, sessions.
//!
//! Every check refuses with its own code, in the specified order, and every
//! attempt (success or refusal) is audited with the workstation and, once
//! the certificate has been read, the person's CUI.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use padron_shared::ErrorCode;
use padron_shared::auth::{
    AUTH_FORMAT, AuthToken, Challenge, NONCE_TTL_SECONDS, SESSION_IDLE_SECONDS,
    SESSION_MAX_SECONDS, SessionInfo, login_message,
};
use padron_shared::calendar::Zone;
use serde_json::json;
use sha2::{Digest, Sha256};
use time::Duration;

use crate::access::pki::fill_random;
use crate::audit::AuditRecord;
use crate::auth::eid::Purpose;
use crate::clock::timestamp;
use crate::refusal::Refusal;
use crate::services::Services;
use crate::store::{NewSession, Principal, SessionRow, Workstation};

/// SHA-256 hex of a secret, as stored: the database never holds a usable
/// nonce or token.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn random_b64(len: usize, url_safe: bool) -> Result<String, Refusal> {
    let mut bytes = vec![0u8; len];
    fill_random(&mut bytes).map_err(|_| Refusal::new(ErrorCode::Internal))?;
    Ok(if url_safe {
        URL_SAFE_NO_PAD.encode(bytes)
    } else {
        STANDARD.encode(bytes)
    })
}

/// Checks a card certificate now, with the trust as configured now (roots,
/// intermediates, CRLs and OCSP settings are re-read on each use, so an
/// imported CRL takes effect without a restart).
pub fn check_card(
    state: &Services,
    der: &[u8],
    purpose: Purpose,
) -> Result<crate::auth::eid::VerifiedCard, Refusal> {
    let config = state
        .data_dir
        .config()
        .map(|c| c.revocation)
        .unwrap_or_default();
    crate::auth::revocation::check_card(
        state.store.as_ref(),
        &config,
        &state.eid_country,
        der,
        purpose,
        state.clock.now(),
    )
    .map_err(|r| Refusal::new(r.code).logged(r.reason))
}

pub fn challenge(state: &Services, ws: &Workstation) -> Result<Challenge, Refusal> {
    let nonce = random_b64(32, false)?;
    let now = state.clock.now();
    let expires = now + Duration::seconds(NONCE_TTL_SECONDS);
    let cap = state.max_outstanding_challenges;
    let inserted = state
        .store
        .insert_nonce_capped(
            &secret_hash(&nonce),
            ws.id,
            &timestamp(now),
            &timestamp(expires),
            cap,
        )
        .map_err(Refusal::from)?;
    if !inserted {
        // A workstation asking for challenges it never uses: each one is a
        // stored row, so they are bounded; counted, audited once a minute.
        state
            .refusals
            .note(ws.id, ErrorCode::ChallengesOutstanding, now);
        return Err(Refusal::new(ErrorCode::ChallengesOutstanding).with_detail(
            format!(
                "Hay {cap} pendientes; cada uno vence a los {} minutos.",
                NONCE_TTL_SECONDS / 60
            ),
            format!(
                "{cap} are pending; each expires after {} minutes.",
                NONCE_TTL_SECONDS / 60
            ),
        ));
    }
    Ok(Challenge {
        nonce,
        expires_at: timestamp(expires),
    })
}

fn audit_login(
    state: &Services,
    ws: &Workstation,
    actor: &str,
    outcome: &str,
    detail: serde_json::Value,
) {
    let record = AuditRecord {
        at: timestamp(state.clock.now()),
        actor: actor.to_owned(),
        workstation_id: Some(ws.id),
        action: "auth.login".to_owned(),
        subject: format!("workstation:{}", ws.id),
        outcome: outcome.to_owned(),
        detail,
    };
    if let Err(e) = state.store.append_audit(&record) {
        tracing::error!(error = %e, "cannot audit a login attempt");
    }
}

/// Checks a login and opens a session.
pub fn login(
    state: &Services,
    ws: &Workstation,
    token: &AuthToken,
) -> Result<SessionInfo, Refusal> {
    let mut actor = format!("workstation:{}", ws.id);
    let result = check_login(state, ws, token, &mut actor);
    match &result {
        Ok(info) => audit_login(
            state,
            ws,
            &actor,
            "ok",
            json!({ "role": info.role.as_str() }),
        ),
        Err(e) => audit_login(
            state,
            ws,
            &actor,
            &format!("refused:{}", e.code.as_str()),
            json!({ "reason": e.log_reason.clone().unwrap_or_default() }),
        ),
    }
    result
}

fn check_login(
    state: &Services,
    ws: &Workstation,
    token: &AuthToken,
    actor: &mut String,
) -> Result<SessionInfo, Refusal> {
    if token.format != AUTH_FORMAT {
        return Err(Refusal::new(ErrorCode::AuthFormatInvalid)
            .logged(format!("format {}", crate::audit::untrusted(&token.format))));
    }
    let now = state.clock.now();
    let consumed = state
        .store
        .consume_nonce(&secret_hash(&token.nonce), ws.id, &timestamp(now))
        .map_err(Refusal::from)?;
    if let Err(refusal) = consumed {
        return Err(Refusal::new(refusal.code()).logged(format!("{refusal:?}")));
    }
    let certificate = STANDARD.decode(&token.certificate).map_err(|e| {
        Refusal::new(ErrorCode::AuthFormatInvalid).logged(format!("certificate base64: {e}"))
    })?;
    let signature = STANDARD.decode(&token.signature).map_err(|e| {
        Refusal::new(ErrorCode::AuthFormatInvalid).logged(format!("signature base64: {e}"))
    })?;
    let card = check_card(state, &certificate, Purpose::Authentication)?;
    let holder = card.holder.clone();
    *actor = format!("cui:{}", holder.cui);
    let message = login_message(&state.server_fingerprint, &token.nonce);
    crate::auth::eid::verify_signature(&certificate, token.algorithm, &message, &signature)
        .map_err(|r| Refusal::new(r.code).logged(r.reason))?;

    let store_err = |e| Refusal::from(e);
    // A block is on the person: whatever the role, whatever the institution.
    if let Some(block) = state
        .store
        .person_block(&holder.cui.to_string())
        .map_err(store_err)?
    {
        return Err(person_blocked(&block, &state.clock.zone()));
    }
    let institution = state
        .store
        .institution_by_id(ws.institution_id)
        .map_err(store_err)?
        .ok_or_else(|| Refusal::new(ErrorCode::InstitutionUnknown))?;
    if let Some(refusal) = crate::institutions::status::refusal(&institution, &state.clock.zone()) {
        return Err(refusal);
    }
    let agreement = state
        .store
        .agreement(&institution.code)
        .map_err(store_err)?;
    if let Some(refusal) = crate::institutions::status::agreement_refusal(
        agreement.as_ref(),
        state.clock.zone().date_of(now),
    ) {
        return Err(refusal);
    }
    let principal = state
        .store
        .principal(ws.institution_id, &holder.cui.to_string())
        .map_err(store_err)?;
    let removed = match &principal {
        Some(p) if p.active => None,
        _ => state
            .store
            .designation_removed_at(ws.institution_id, &holder.cui.to_string())
            .map_err(store_err)?,
    };
    let principal = match principal {
        Some(p) if p.blocked => return Err(Refusal::new(ErrorCode::UserBlocked).logged("blocked")),
        Some(p) if p.active => p,
        _ if removed.is_some() => {
            let since = removed.unwrap_or_default();
            let zone = state.clock.zone();
            return Err(Refusal::new(ErrorCode::CoordinatorRemoved)
                .with_detail(
                    format!("Retirado(a) el {}.", zone.stamp_day(&since)),
                    format!("Removed on {}.", zone.stamp_day(&since)),
                )
                .logged("removed coordinator or legal representative"));
        }
        Some(Principal {
            inactive_cause: Some((cause, since)),
            ..
        }) => return Err(inactive_user(&cause, &since, &state.clock.zone())),
        _ => {
            return Err(Refusal::new(ErrorCode::UserNotAuthorized)
                .with_detail(
                    format!(
                        "El CUI {} no está inscrito en {}.",
                        holder.cui.display_grouped(),
                        ws.institution_code
                    ),
                    format!(
                        "CUI {} is not enrolled in {}.",
                        holder.cui.display_grouped(),
                        ws.institution_code
                    ),
                )
                .logged("not a coordinator or active user of the workstation's institution"));
        }
    };

    let token_text = random_b64(32, true)?;
    let expires = now + Duration::seconds(SESSION_MAX_SECONDS);
    let session = NewSession {
        token_hash: secret_hash(&token_text),
        workstation_id: ws.id,
        cert_fingerprint: ws.certificate.fingerprint_hex.clone(),
        institution_id: ws.institution_id,
        cui: holder.cui.to_string(),
        full_name: principal.full_name.clone(),
        role: principal.role,
        created_at: timestamp(now),
        expires_at: timestamp(expires),
    };
    let audit = AuditRecord {
        at: timestamp(now),
        actor: actor.clone(),
        workstation_id: Some(ws.id),
        action: "session.open".to_owned(),
        subject: format!("cui:{}", holder.cui),
        outcome: "ok".to_owned(),
        detail: json!({ "role": principal.role.as_str() }),
    };
    state
        .store
        .create_session(&session, &audit)
        .map_err(Refusal::from)?;
    // Removing this root ends the session (one whose root was not recorded
    // ends with any root removed).
    state
        .store
        .bind_session_root(&session.token_hash, &card.root_fingerprint)
        .map_err(Refusal::from)?;
    Ok(SessionInfo {
        token: token_text,
        role: principal.role,
        cui: holder.cui,
        name: principal.full_name,
        institution_code: ws.institution_code.clone(),
        institution_name: ws.institution_name.clone(),
        workstation_id: ws.id,
        idle_timeout_seconds: SESSION_IDLE_SECONDS,
        expires_at: timestamp(expires),
        installation_id: installation_id(state)?,
        programmes: state
            .store
            .programmes(&ws.institution_code)
            .map_err(Refusal::from)?,
    })
}

/// This installation's id, which signed requests must name.
pub fn installation_id(state: &Services) -> Result<String, Refusal> {
    state.store.installation_id().map_err(Refusal::from)
}

/// The refusal of a blocked person, with the block's cause and date.
pub fn person_blocked(block: &crate::store::PersonBlock, zone: &Zone) -> Refusal {
    Refusal::new(ErrorCode::UserBlocked)
        .with_detail(
            format!(
                "Bloqueo del {}; motivo: {}.",
                zone.stamp_day(&block.blocked_at),
                block.cause
            ),
            format!(
                "Blocked on {}; cause: {}.",
                zone.stamp_day(&block.blocked_at),
                block.cause
            ),
        )
        .logged("person blocked")
}

/// Checks a bearer token against the calling workstation and the clocks.
/// Returns the session and the hash it is stored under.
pub fn authenticate(
    state: &Services,
    ws: &Workstation,
    bearer: Option<&str>,
) -> Result<(SessionRow, String), Refusal> {
    let Some(token) = bearer else {
        return Err(Refusal::new(ErrorCode::SessionInvalid));
    };
    let hash = secret_hash(token);
    let store_err = |e| Refusal::from(e);
    let session = state
        .store
        .session(&hash)
        .map_err(store_err)?
        .ok_or_else(|| Refusal::new(ErrorCode::SessionInvalid))?;
    if session.ended_at.is_some() {
        // A session ended because the institution stopped being active says so.
        if let Some(institution) = state
            .store
            .institution_by_id(session.institution_id)
            .map_err(store_err)?
            && let Some(refusal) =
                crate::institutions::status::refusal(&institution, &state.clock.zone())
        {
            return Err(refusal);
        }
        return Err(match session.end_reason.as_deref() {
            Some("USER_BLOCKED") => Refusal::new(ErrorCode::UserBlocked),
            Some("PERSON_BLOCKED") => {
                match state.store.person_block(&session.cui).map_err(store_err)? {
                    Some(block) => person_blocked(&block, &state.clock.zone()),
                    None => Refusal::new(ErrorCode::UserBlocked),
                }
            }
            Some("COORDINATOR_REMOVED") => Refusal::new(ErrorCode::CoordinatorRemoved),
            Some("TRUST_ROOT_REMOVED") => Refusal::new(ErrorCode::SessionTrustRemoved),
            Some("OTHER_WORKSTATION") => Refusal::new(ErrorCode::SessionOtherWorkstation),
            _ => Refusal::new(ErrorCode::SessionExpired),
        });
    }
    if session.cert_fingerprint != ws.certificate.fingerprint_hex {
        // A token shown by another workstation has leaked: it stops working
        // everywhere, at once, not only here.
        let now = timestamp(state.clock.now());
        let audit = AuditRecord {
            at: now.clone(),
            actor: format!("workstation:{}", ws.id),
            workstation_id: Some(ws.id),
            action: "session.close".to_owned(),
            subject: format!("cui:{}", session.cui),
            outcome: format!("refused:{}", ErrorCode::SessionOtherWorkstation.as_str()),
            detail: json!({ "reason": "OTHER_WORKSTATION", "issued_to": session.workstation_id }),
        };
        state
            .store
            .end_session(&hash, "OTHER_WORKSTATION", &now, Some(&audit))
            .map_err(store_err)?;
        return Err(Refusal::new(ErrorCode::SessionOtherWorkstation));
    }
    let now = state.clock.now();
    let now_text = timestamp(now);
    let idle_cutoff = timestamp(now - Duration::seconds(SESSION_IDLE_SECONDS));
    let reason = if session.expires_at <= now_text {
        Some("ABSOLUTE_TIMEOUT")
    } else if session.last_seen_at < idle_cutoff {
        Some("IDLE_TIMEOUT")
    } else {
        None
    };
    if let Some(reason) = reason {
        state
            .store
            .end_session(&hash, reason, &now_text, None)
            .map_err(store_err)?;
        return Err(Refusal::new(ErrorCode::SessionExpired));
    }
    // Activity is written at most every TOUCH_EVERY: a durable write (an
    // fsync) on every poll was the p99 of the load benchmark. A session
    // therefore ends between 14 min 30 s and 15 min after its last request,
    // never later.
    if session.last_seen_at < timestamp(now - TOUCH_EVERY) {
        state
            .store
            .touch_session(&hash, &now_text)
            .map_err(store_err)?;
    }
    Ok((session, hash))
}

/// How stale a session's recorded activity may get before a request rewrites it.
pub const TOUCH_EVERY: Duration = Duration::seconds(30);

pub fn logout(
    state: &Services,
    ws: &Workstation,
    session: &SessionRow,
    hash: &str,
) -> Result<(), Refusal> {
    let now = timestamp(state.clock.now());
    let audit = AuditRecord {
        at: now.clone(),
        actor: format!("cui:{}", session.cui),
        workstation_id: Some(ws.id),
        action: "session.close".to_owned(),
        subject: format!("cui:{}", session.cui),
        outcome: "ok".to_owned(),
        detail: json!({ "reason": "LOGOUT" }),
    };
    state
        .store
        .end_session(hash, "LOGOUT", &now, Some(&audit))
        .map_err(Refusal::from)
}

/// Why a person who was a user of the institution may not log in now, in
/// words that tell them what to do.
fn inactive_user(cause: &str, since: &str, zone: &Zone) -> Refusal {
    let since = zone.stamp_day(since);
    let (es, en) = match cause {
        "JANUARY_DEACTIVATION" => (
            format!(
                "Su acceso se desactivó el {since} en la desactivación anual de enero (la institución no solicitó continuidad). Pida a su coordinador(a) que lo dé de alta de nuevo."
            ),
            format!(
                "Your access was deactivated on {since} by the yearly January deactivation (the institution did not ask for continuity). Ask your coordinator to add you again."
            ),
        ),
        "PENDING" => (
            "Su alta aún está en trámite.".to_owned(),
            "Your registration is still being processed.".to_owned(),
        ),
        _ => (
            format!(
                "Fue dado(a) de baja el {since}. Si debe volver a consultar, pida a su coordinador(a) que lo dé de alta."
            ),
            format!(
                "You were removed on {since}. If you need to query again, ask your coordinator to add you."
            ),
        ),
    };
    Refusal::new(ErrorCode::UserNotAuthorized)
        .with_detail(es, en)
        .logged(format!("user not active: {cause}"))
}
