//! The PKCS#11 driver: a [`Card`] over a vendor's middleware module (the
//! `.so` a national eID comes with), through `cryptoki`.
//!
//! Which certificate is which comes from its key usage, as national eIDs
//! label their objects in many ways: nonRepudiation marks the signature
//! certificate, digitalSignature without it the authentication one. The
//! private key is the one with the same `CKA_ID`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, SessionState, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::card::{Card, CardSource, Digest, KeyAlgorithm, KeySlot, Pin, PinStatus, ReaderInfo};
use crate::certificate;
use crate::error::CardError;
use crate::signature_format::{digest_info, ecdsa_input, ecdsa_raw_to_der};

fn ck_error(function: &str, err: CkError) -> CardError {
    match err {
        CkError::Pkcs11(rv, _) => match rv {
            RvError::PinIncorrect => CardError::PinIncorrect { tries_left: None },
            RvError::PinLocked => CardError::PinBlocked,
            RvError::PinLenRange | RvError::PinInvalid => {
                CardError::PinFormat("the token refused the PIN's format")
            }
            RvError::UserNotLoggedIn => CardError::PinRequired,
            RvError::DeviceRemoved
            | RvError::TokenNotPresent
            | RvError::SessionClosed
            | RvError::SessionHandleInvalid => CardError::CardRemoved,
            other => CardError::Pkcs11 {
                function: function.to_owned(),
                message: other.to_string(),
            },
        },
        other => CardError::Pkcs11 {
            function: function.to_owned(),
            message: other.to_string(),
        },
    }
}

/// A loaded PKCS#11 module.
#[derive(Clone)]
pub struct Pkcs11Source {
    module: PathBuf,
    ctx: Arc<Pkcs11>,
}

impl std::fmt::Debug for Pkcs11Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Source")
            .field("module", &self.module)
            .finish()
    }
}

impl Pkcs11Source {
    /// Loads and initialises `module`.
    pub fn load(module: &Path) -> Result<Pkcs11Source, CardError> {
        let fail = |message: String| CardError::Pkcs11Module {
            path: module.display().to_string(),
            message,
        };
        let ctx = Pkcs11::new(module).map_err(|e| fail(e.to_string()))?;
        match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
            Err(e) => return Err(fail(e.to_string())),
        }
        Ok(Pkcs11Source {
            module: module.to_owned(),
            ctx: Arc::new(ctx),
        })
    }

    fn slots(&self) -> Result<Vec<(Slot, ReaderInfo)>, CardError> {
        let slots = self
            .ctx
            .get_all_slots()
            .map_err(|e| ck_error("C_GetSlotList", e))?;
        slots
            .into_iter()
            .map(|slot| {
                let info = self
                    .ctx
                    .get_slot_info(slot)
                    .map_err(|e| ck_error("C_GetSlotInfo", e))?;
                let name = info.slot_description().trim().to_owned();
                Ok((
                    slot,
                    ReaderInfo {
                        name,
                        card_present: info.token_present(),
                    },
                ))
            })
            .collect()
    }

    /// Opens the token in the slot described as `reader`, or whose token label is `reader`.
    pub fn open_token(&self, reader: &str) -> Result<Pkcs11Card, CardError> {
        let mut found = None;
        for (slot, info) in self.slots()? {
            let label_matches = info.card_present
                && self
                    .ctx
                    .get_token_info(slot)
                    .is_ok_and(|t| t.label().trim() == reader);
            if info.name == reader || label_matches {
                found = Some((slot, info));
                break;
            }
        }
        let (slot, info) = found.ok_or_else(|| CardError::ReaderNotFound(reader.to_owned()))?;
        if !info.card_present {
            return Err(CardError::TokenNotFound(reader.to_owned()));
        }
        let session = self
            .ctx
            .open_ro_session(slot)
            .map_err(|e| ck_error("C_OpenSession", e))?;
        Ok(Pkcs11Card {
            ctx: self.ctx.clone(),
            slot,
            session,
            reader: reader.to_owned(),
            objects: Vec::new(),
        })
    }
}

impl CardSource for Pkcs11Source {
    fn readers(&self) -> Result<Vec<ReaderInfo>, CardError> {
        Ok(self.slots()?.into_iter().map(|(_, info)| info).collect())
    }

    fn open(&self, reader: &str) -> Result<Box<dyn Card>, CardError> {
        Ok(Box::new(self.open_token(reader)?))
    }
}

/// A certificate found on the token and what it is for.
#[derive(Debug, Clone)]
struct TokenCertificate {
    slot: KeySlot,
    id: Vec<u8>,
    der: Vec<u8>,
}

/// A token opened through a PKCS#11 module.
pub struct Pkcs11Card {
    ctx: Arc<Pkcs11>,
    slot: Slot,
    session: Session,
    reader: String,
    objects: Vec<TokenCertificate>,
}

impl std::fmt::Debug for Pkcs11Card {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Card")
            .field("reader", &self.reader)
            .finish_non_exhaustive()
    }
}

/// Authentication or signature, from a certificate's key usage.
fn classify(der: &[u8]) -> Option<KeySlot> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let usage = cert.key_usage().ok()??.value;
    if usage.non_repudiation() {
        Some(KeySlot::Signature)
    } else if usage.digital_signature() {
        Some(KeySlot::Authentication)
    } else {
        None
    }
}

impl Pkcs11Card {
    fn certificates(&mut self) -> Result<&[TokenCertificate], CardError> {
        if self.objects.is_empty() {
            let template = [
                Attribute::Class(ObjectClass::CERTIFICATE),
                Attribute::CertificateType(CertificateType::X_509),
            ];
            let handles = self
                .session
                .find_objects(&template)
                .map_err(|e| ck_error("C_FindObjects", e))?;
            for handle in handles {
                let attrs = self
                    .session
                    .get_attributes(handle, &[AttributeType::Id, AttributeType::Value])
                    .map_err(|e| ck_error("C_GetAttributeValue", e))?;
                let (mut id, mut der) = (Vec::new(), Vec::new());
                for attr in attrs {
                    match attr {
                        Attribute::Id(v) => id = v,
                        Attribute::Value(v) => der = v,
                        _ => {}
                    }
                }
                if let Some(slot) = classify(&der)
                    && !self.objects.iter().any(|o| o.slot == slot)
                {
                    self.objects.push(TokenCertificate { slot, id, der });
                }
            }
        }
        Ok(&self.objects)
    }

    fn token_certificate(&mut self, slot: KeySlot) -> Result<TokenCertificate, CardError> {
        self.certificates()?
            .iter()
            .find(|o| o.slot == slot)
            .cloned()
            .ok_or(CardError::CertificateMissing(slot))
    }

    fn logged_in(&self) -> Result<bool, CardError> {
        let info = self
            .session
            .get_session_info()
            .map_err(|e| ck_error("C_GetSessionInfo", e))?;
        Ok(matches!(
            info.session_state(),
            SessionState::RoUser | SessionState::RwUser
        ))
    }

    fn login(&self, pin: &Pin) -> Result<(), CardError> {
        // A module that is already logged in would accept any PIN: log out
        // first so the PIN is really checked.
        if self.logged_in()? {
            self.session.logout().map_err(|e| ck_error("C_Logout", e))?;
        }
        let secret = AuthPin::from(String::from_utf8_lossy(pin.as_bytes()).into_owned());
        match self.session.login(UserType::User, Some(&secret)) {
            Ok(()) => Ok(()),
            Err(e) => match ck_error("C_Login", e) {
                CardError::PinIncorrect { .. } => Err(CardError::PinIncorrect {
                    tries_left: self.pin_status().ok().and_then(|s| s.tries_left),
                }),
                other => Err(other),
            },
        }
    }

    fn private_key(&self, id: &[u8]) -> Result<(ObjectHandle, bool), CardError> {
        let template = [
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Id(id.to_vec()),
        ];
        let handle = *self
            .session
            .find_objects(&template)
            .map_err(|e| ck_error("C_FindObjects", e))?
            .first()
            .ok_or(CardError::PinRequired)?;
        let always = self
            .session
            .get_attributes(handle, &[AttributeType::AlwaysAuthenticate])
            .map_err(|e| ck_error("C_GetAttributeValue", e))?
            .into_iter()
            .any(|a| matches!(a, Attribute::AlwaysAuthenticate(true)));
        Ok((handle, always))
    }

    fn pin_status(&self) -> Result<PinStatus, CardError> {
        let info = self
            .ctx
            .get_token_info(self.slot)
            .map_err(|e| ck_error("C_GetTokenInfo", e))?;
        let blocked = info.user_pin_locked();
        // PKCS#11 only says "final try" or "count low", never the count.
        let tries_left = if blocked {
            Some(0)
        } else if info.user_pin_final_try() {
            Some(1)
        } else {
            None
        };
        Ok(PinStatus {
            tries_left,
            blocked,
            verified: self.logged_in()?,
        })
    }
}

impl Card for Pkcs11Card {
    fn reader(&self) -> &str {
        &self.reader
    }

    fn certificate(&mut self, slot: KeySlot) -> Result<Vec<u8>, CardError> {
        Ok(self.token_certificate(slot)?.der)
    }

    fn pin_status(&mut self) -> Result<PinStatus, CardError> {
        Pkcs11Card::pin_status(self)
    }

    fn verify_pin(&mut self, pin: &Pin) -> Result<(), CardError> {
        self.login(pin)
    }

    fn sign(
        &mut self,
        slot: KeySlot,
        digest: &Digest,
        pin: Option<&Pin>,
    ) -> Result<Vec<u8>, CardError> {
        let cert = self.token_certificate(slot)?;
        let alg = certificate::key_algorithm(&cert.der)
            .map_err(|_| CardError::CertificateInvalid(slot))?
            .ok_or_else(|| CardError::UnsupportedAlgorithm(format!("the {slot} key's type")))?;
        if let Some(pin) = pin
            && !self.logged_in()?
        {
            self.login(pin)?;
        }
        // Private keys are often invisible before login.
        let (key, always_authenticate) = self.private_key(&cert.id)?;
        let (mechanism, input) = match alg {
            KeyAlgorithm::EcP256 | KeyAlgorithm::EcP384 => {
                (Mechanism::Ecdsa, ecdsa_input(digest, alg.input_len()))
            }
            KeyAlgorithm::Rsa2048 => (Mechanism::RsaPkcs, digest_info(digest)),
        };
        let raw = if always_authenticate {
            let pin = pin.ok_or(CardError::PinRequired)?;
            // cryptoki 0.12 has no single-part C_Sign after C_SignInit, so the
            // context-specific login sits between C_SignInit and a
            // C_SignUpdate/C_SignFinal pair (OpenSC buffers raw mechanisms).
            self.session
                .sign_init(&mechanism, key)
                .map_err(|e| ck_error("C_SignInit", e))?;
            let secret = AuthPin::from(String::from_utf8_lossy(pin.as_bytes()).into_owned());
            self.session
                .login(UserType::ContextSpecific, Some(&secret))
                .map_err(|e| ck_error("C_Login", e))?;
            self.session
                .sign_update(&input)
                .map_err(|e| ck_error("C_SignUpdate", e))?;
            self.session
                .sign_final()
                .map_err(|e| ck_error("C_SignFinal", e))?
        } else {
            self.session
                .sign(&mechanism, key, &input)
                .map_err(|e| ck_error("C_Sign", e))?
        };
        if alg.is_ec() {
            ecdsa_raw_to_der(&raw)
        } else {
            Ok(raw)
        }
    }
}
