//! A person at the workstation, identified by the eID card: open the card,
//! log in with the authentication key, sign requests with the signature key,
//! and notice when the card leaves the reader.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use padron_drivers::events::{CardEvent, EventWatcher};
use padron_drivers::pkcs11::Pkcs11Source;
use padron_drivers::{
    Card, CardError, CardSource, Digest, HashAlgorithm, KeyAlgorithm, KeySlot, Pin, PivSource,
};
use padron_shared::auth::{AUTH_FORMAT, AuthToken, SessionInfo, SignatureAlgorithm, login_message};
use padron_shared::canonical::to_canonical_json;
use padron_shared::config_card::CardSettings;
use padron_shared::users::{
    REQUEST_FORMAT, RequestAction, RequestPayload, SignedRequest, UserChange,
};
use padron_shared::{ErrorCode, Lang};

use crate::client::{Client, ClientError};

/// Why a card-backed operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Card(#[from] CardError),
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error("{0}")]
    Payload(String),
}

impl SessionError {
    pub fn code(&self) -> ErrorCode {
        match self {
            SessionError::Card(e) => e.code(),
            SessionError::Client(e) => e.code(),
            SessionError::Payload(_) => ErrorCode::Internal,
        }
    }

    pub fn explain(&self, lang: Lang) -> String {
        match self {
            SessionError::Card(e) => crate::card_info::explain(e, lang),
            SessionError::Client(e) => e.explain(lang),
            SessionError::Payload(m) => format!("{} {m}", ErrorCode::Internal.message(lang)),
        }
    }
}

/// The card's key algorithm as a signature algorithm and the hash it takes.
pub(crate) fn algorithm_of(
    cert_der: &[u8],
) -> Result<(SignatureAlgorithm, HashAlgorithm), CardError> {
    match padron_drivers::certificate::key_algorithm(cert_der) {
        Ok(Some(KeyAlgorithm::EcP256)) => Ok((SignatureAlgorithm::ES256, HashAlgorithm::Sha256)),
        Ok(Some(KeyAlgorithm::EcP384)) => Ok((SignatureAlgorithm::ES384, HashAlgorithm::Sha384)),
        Ok(Some(KeyAlgorithm::Rsa2048)) => Ok((SignatureAlgorithm::RS256, HashAlgorithm::Sha256)),
        _ => Err(CardError::UnsupportedAlgorithm(
            "the certificate key algorithm".into(),
        )),
    }
}

/// The card in its reader, opened.
pub struct OpenCard {
    pub card: Box<dyn Card>,
    pub reader: String,
}

impl std::fmt::Debug for OpenCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenCard")
            .field("reader", &self.reader)
            .finish_non_exhaustive()
    }
}

/// Opens the card: through the configured PKCS#11 module, or PIV over PC/SC.
pub fn open_card(settings: &CardSettings) -> Result<OpenCard, CardError> {
    let source: Box<dyn CardSource> = match &settings.module {
        Some(module) => Box::new(Pkcs11Source::load(Path::new(module))?),
        None => Box::new(PivSource::new()?),
    };
    let readers = source.readers()?;
    let reader = match &settings.reader {
        Some(name) => readers
            .iter()
            .find(|r| &r.name == name)
            .ok_or_else(|| CardError::ReaderNotFound(name.clone()))?
            .name
            .clone(),
        None => readers
            .iter()
            .find(|r| r.card_present)
            .ok_or_else(|| CardError::CardAbsent(String::new()))?
            .name
            .clone(),
    };
    let card = source.open(&reader)?;
    Ok(OpenCard { card, reader })
}

/// Logs in: challenge, card signature with the authentication key, token.
pub async fn login(
    client: &Client,
    card: &mut OpenCard,
    pin: &Pin,
) -> Result<SessionInfo, SessionError> {
    let certificate = card.card.certificate(KeySlot::Authentication)?;
    let (algorithm, hash) = algorithm_of(&certificate)?;
    let (challenge, server_fingerprint) = client.challenge().await?;
    let message = login_message(&server_fingerprint, &challenge.nonce);
    let signature = card.card.sign(
        KeySlot::Authentication,
        &Digest::of(hash, &message),
        Some(pin),
    )?;
    let token = AuthToken {
        format: AUTH_FORMAT.to_owned(),
        certificate: STANDARD.encode(&certificate),
        algorithm,
        signature: STANDARD.encode(signature),
        nonce: challenge.nonce,
    };
    Ok(client.login(&token).await?)
}

/// Builds and signs (with the signature key, PIN verified right before) a
/// user-administration request.
pub fn sign_request(
    card: &mut OpenCard,
    pin: &Pin,
    session: &SessionInfo,
    action: RequestAction,
    user: UserChange,
    now: time::OffsetDateTime,
) -> Result<SignedRequest, SessionError> {
    let certificate = card.card.certificate(KeySlot::Signature)?;
    let (algorithm, hash) = algorithm_of(&certificate)?;
    let created_at = now
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| SessionError::Payload(e.to_string()))?;
    let payload = RequestPayload {
        format: REQUEST_FORMAT.to_owned(),
        action,
        institution: session.institution_code.clone(),
        installation: session.installation_id.clone(),
        request_id: uuid::Uuid::new_v4().to_string(),
        created_at,
        workstation_id: session.workstation_id,
        user,
    };
    let bytes = to_canonical_json(&payload).map_err(|e| SessionError::Payload(e.to_string()))?;
    let signature = card
        .card
        .sign(KeySlot::Signature, &Digest::of(hash, &bytes), Some(pin))?;
    Ok(SignedRequest {
        payload: STANDARD.encode(&bytes),
        algorithm,
        signature: STANDARD.encode(signature),
        certificate: STANDARD.encode(&certificate),
    })
}

/// Resolves when the card leaves `reader` (or the reader goes away). The
/// watcher blocks in pcscd, not in a polling loop; dropping the returned
/// guard cancels it.
pub fn watch_removal(
    reader: &str,
) -> Result<(tokio::sync::oneshot::Receiver<()>, RemovalGuard), CardError> {
    let mut watcher = EventWatcher::establish()?;
    let canceller = watcher.canceller();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let reader = reader.to_owned();
    std::thread::spawn(move || {
        loop {
            match watcher.wait(None) {
                Ok(events) => {
                    let gone = events.iter().any(|e| {
                        matches!(e, CardEvent::CardRemoved(r) | CardEvent::ReaderRemoved(r) if *r == reader)
                    });
                    if gone {
                        let _ = tx.send(());
                        return;
                    }
                }
                // Cancelled (the operation finished) or pcscd went away.
                Err(CardError::WatchCancelled) => return,
                Err(_) => {
                    let _ = tx.send(());
                    return;
                }
            }
        }
    });
    Ok((rx, RemovalGuard(Some(canceller))))
}

/// Stops the removal watcher when dropped.
#[derive(Debug)]
pub struct RemovalGuard(Option<padron_drivers::events::Canceller>);

impl Drop for RemovalGuard {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            let _ = c.cancel();
        }
    }
}
