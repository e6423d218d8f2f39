//! The PIV driver: a [`Card`] over PC/SC.

use std::collections::HashMap;
use std::ffi::CString;
use std::time::Duration;

use crate::apdu::{Command, StatusWord};
use crate::card::{Card, CardSource, Digest, KeyAlgorithm, KeySlot, Pin, PinStatus, ReaderInfo};
use crate::certificate;
use crate::error::CardError;
use crate::piv::transport::{status_error, transmit, transmit_ok};
use crate::piv::{
    self, INS_GENERAL_AUTHENTICATE, INS_GET_DATA, INS_SELECT, INS_VERIFY, PIN_REFERENCE,
};
use crate::signature_format::{ecdsa_input, pkcs1_v15_block};
use crate::tlv;

/// How long to wait for pcscd to notice a card that stopped answering: its
/// reader polling interval is 400 ms, so this covers two polls.
const REMOVAL_CONFIRMATION: Duration = Duration::from_millis(900);

/// PC/SC readers, opened as PIV cards.
#[derive(Clone)]
pub struct PivSource {
    ctx: pcsc::Context,
}

impl std::fmt::Debug for PivSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PivSource")
    }
}

impl PivSource {
    /// Connects to the PC/SC service.
    pub fn new() -> Result<PivSource, CardError> {
        let ctx =
            pcsc::Context::establish(pcsc::Scope::User).map_err(|e| CardError::from_pcsc(e, ""))?;
        Ok(PivSource { ctx })
    }

    /// The PC/SC context, e.g. for an [`crate::events::EventWatcher`].
    pub fn context(&self) -> &pcsc::Context {
        &self.ctx
    }

    /// Opens the card in `reader` and selects its PIV application.
    pub fn open_piv(&self, reader: &str) -> Result<PivCard, CardError> {
        let name = reader_cstring(reader)?;
        let card = self
            .ctx
            .connect(&name, pcsc::ShareMode::Shared, pcsc::Protocols::ANY)
            .map_err(|e| CardError::from_pcsc(e, reader))?;
        let mut piv = PivCard {
            ctx: self.ctx.clone(),
            card,
            reader: reader.to_owned(),
            certificates: HashMap::new(),
        };
        piv.with_transaction(select_piv)?;
        Ok(piv)
    }
}

fn reader_cstring(reader: &str) -> Result<CString, CardError> {
    CString::new(reader).map_err(|_| CardError::ReaderNotFound(reader.to_owned()))
}

/// Lists readers and whether each holds a card.
pub fn list_readers(ctx: &pcsc::Context) -> Result<Vec<ReaderInfo>, CardError> {
    let names = match ctx.list_readers_owned() {
        Ok(names) => names,
        Err(pcsc::Error::NoReadersAvailable) => return Ok(Vec::new()),
        Err(e) => return Err(CardError::from_pcsc(e, "")),
    };
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let mut states: Vec<pcsc::ReaderState> = names
        .into_iter()
        .map(|n| pcsc::ReaderState::new(n, pcsc::State::UNAWARE))
        .collect();
    // With UNAWARE as the known state this returns at once with the current state.
    ctx.get_status_change(Duration::ZERO, &mut states)
        .map_err(|e| CardError::from_pcsc(e, ""))?;
    Ok(states
        .iter()
        .map(|s| ReaderInfo {
            name: s.name().to_string_lossy().into_owned(),
            card_present: s.event_state().contains(pcsc::State::PRESENT)
                && !s.event_state().contains(pcsc::State::MUTE),
        })
        .collect())
}

impl CardSource for PivSource {
    fn readers(&self) -> Result<Vec<ReaderInfo>, CardError> {
        list_readers(&self.ctx)
    }

    fn open(&self, reader: &str) -> Result<Box<dyn Card>, CardError> {
        Ok(Box::new(self.open_piv(reader)?))
    }
}

/// SELECT the PIV application (case 4: the card answers its property template).
fn select_piv(card: &pcsc::Card, reader: &str) -> Result<(), CardError> {
    let cmd = Command::new(0x00, INS_SELECT, 0x04, 0x00)
        .with_data(piv::AID.to_vec())
        .with_le(256);
    let resp = transmit(card, &cmd, reader)?;
    match resp.sw {
        StatusWord::SUCCESS => Ok(()),
        StatusWord::FILE_NOT_FOUND
        | StatusWord::INS_NOT_SUPPORTED
        | StatusWord::CLA_NOT_SUPPORTED => Err(CardError::NotPiv),
        sw => Err(CardError::Status {
            operation: "SELECT PIV",
            sw,
        }),
    }
}

fn verify(card: &pcsc::Card, reader: &str, pin: &Pin) -> Result<(), CardError> {
    let block = piv::pin_block(pin.as_bytes())?;
    // Both the block and the command's copy are wiped on drop.
    let cmd = Command::new(0x00, INS_VERIFY, 0x00, PIN_REFERENCE).with_data(block.to_vec());
    let resp = transmit(card, &cmd, reader)?;
    match resp.sw {
        StatusWord::SUCCESS => Ok(()),
        StatusWord::AUTH_METHOD_BLOCKED => Err(CardError::PinBlocked),
        StatusWord::WRONG_DATA => Err(CardError::PinFormat("the card refused the PIN's format")),
        sw => match sw.tries_left() {
            Some(0) => Err(CardError::PinBlocked),
            Some(n) => Err(CardError::PinIncorrect {
                tries_left: Some(n),
            }),
            None => Err(CardError::Status {
                operation: "VERIFY",
                sw,
            }),
        },
    }
}

/// A PIV card in a PC/SC reader.
pub struct PivCard {
    ctx: pcsc::Context,
    card: pcsc::Card,
    reader: String,
    certificates: HashMap<KeySlot, Vec<u8>>,
}

impl std::fmt::Debug for PivCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PivCard")
            .field("reader", &self.reader)
            .finish_non_exhaustive()
    }
}

impl PivCard {
    /// Runs `op` inside a PC/SC transaction so no other program's commands
    /// interleave (e.g. between VERIFY and the signature it authorises).
    fn with_transaction<T>(
        &mut self,
        mut op: impl FnMut(&pcsc::Card, &str) -> Result<T, CardError>,
    ) -> Result<T, CardError> {
        let mut reset_seen = false;
        loop {
            let reader = &self.reader;
            let attempt = self.card.transaction().map(|tx| op(&tx, reader));
            let result = match attempt {
                Ok(result) => result,
                // Another program reset the card: reconnect, select again, retry once.
                Err(pcsc::Error::ResetCard) if !reset_seen => {
                    reset_seen = true;
                    self.card
                        .reconnect(
                            pcsc::ShareMode::Shared,
                            pcsc::Protocols::ANY,
                            pcsc::Disposition::LeaveCard,
                        )
                        .map_err(|e| CardError::from_pcsc(e, &self.reader))?;
                    let tx = self
                        .card
                        .transaction()
                        .map_err(|e| CardError::from_pcsc(e, &self.reader))?;
                    select_piv(&tx, &self.reader)?;
                    continue;
                }
                Err(e) => Err(CardError::from_pcsc(e, &self.reader)),
            };
            return match result {
                Err(CardError::Pcsc(e)) => Err(self.classify_failure(e)),
                other => other,
            };
        }
    }

    /// A transmit that failed without saying why may be a card that just
    /// left: pcscd notices within one poll, so ask it before reporting.
    fn classify_failure(&self, err: pcsc::Error) -> CardError {
        let Ok(name) = reader_cstring(&self.reader) else {
            return CardError::Pcsc(err);
        };
        let mut states = [pcsc::ReaderState::new(name, pcsc::State::UNAWARE)];
        if self
            .ctx
            .get_status_change(Duration::ZERO, &mut states)
            .is_err()
        {
            return CardError::Pcsc(err);
        }
        let present = |s: &pcsc::ReaderState| s.event_state().contains(pcsc::State::PRESENT);
        if present(&states[0]) {
            states[0].sync_current_state();
            // Still listed as present: wait briefly for pcscd's next poll.
            if self
                .ctx
                .get_status_change(REMOVAL_CONFIRMATION, &mut states)
                .is_err()
                || present(&states[0])
            {
                return CardError::Pcsc(err);
            }
        }
        CardError::CardRemoved
    }

    /// The reader name.
    pub fn reader_name(&self) -> &str {
        &self.reader
    }

    /// The card's ATR.
    pub fn atr(&self) -> Result<Vec<u8>, CardError> {
        let status = self
            .card
            .status2_owned()
            .map_err(|e| CardError::from_pcsc(e, &self.reader))?;
        Ok(status.atr().to_vec())
    }

    /// Sends one command and returns the card's complete answer, status word
    /// included: for diagnostics and tests of card behaviour.
    pub fn transmit(&mut self, cmd: &Command) -> Result<crate::apdu::Response, CardError> {
        self.with_transaction(|card, reader| transmit(card, cmd, reader))
    }

    /// The raw contents of a data object, or `None` if the card does not hold it.
    pub fn get_data(&mut self, object: u32) -> Result<Option<Vec<u8>>, CardError> {
        let cmd = Command::new(0x00, INS_GET_DATA, 0x3F, 0xFF)
            .with_data(piv::get_data_body(object))
            .with_le(256);
        self.with_transaction(|card, reader| {
            let resp = transmit(card, &cmd, reader)?;
            match resp.sw {
                StatusWord::SUCCESS => Ok(Some(resp.data.clone())),
                StatusWord::FILE_NOT_FOUND => Ok(None),
                sw => Err(status_error("GET DATA", sw)),
            }
        })
    }

    /// The card UUID from the CHUID (tag `34`), which tells cards apart
    /// even when they carry the same holder's certificates.
    pub fn card_uuid(&mut self) -> Result<Option<[u8; 16]>, CardError> {
        let Some(chuid) = self.get_data(piv::OBJ_CHUID)? else {
            return Ok(None);
        };
        let (outer, _) = tlv::parse_one(&chuid)?;
        Ok(tlv::find(outer.value, 0x34)?.and_then(|guid| guid.try_into().ok()))
    }

    fn key_algorithm(&mut self, slot: KeySlot) -> Result<KeyAlgorithm, CardError> {
        let der = self.certificate(slot)?;
        match certificate::key_algorithm(&der) {
            Ok(Some(alg)) => Ok(alg),
            Ok(None) => Err(CardError::UnsupportedAlgorithm(format!(
                "the {slot} key's type"
            ))),
            Err(_) => Err(CardError::CertificateInvalid(slot)),
        }
    }
}

impl Card for PivCard {
    fn reader(&self) -> &str {
        &self.reader
    }

    fn certificate(&mut self, slot: KeySlot) -> Result<Vec<u8>, CardError> {
        if let Some(der) = self.certificates.get(&slot) {
            return Ok(der.clone());
        }
        let object = self
            .get_data(piv::certificate_object(slot))?
            .ok_or(CardError::CertificateMissing(slot))?;
        let der =
            piv::decode_certificate_object(&object)?.ok_or(CardError::CertificateMissing(slot))?;
        self.certificates.insert(slot, der.clone());
        Ok(der)
    }

    fn pin_status(&mut self) -> Result<PinStatus, CardError> {
        // VERIFY without data asks for the status without spending a try.
        let cmd = Command::new(0x00, INS_VERIFY, 0x00, PIN_REFERENCE);
        self.with_transaction(|card, reader| {
            let resp = transmit(card, &cmd, reader)?;
            match resp.sw {
                StatusWord::SUCCESS => Ok(PinStatus {
                    tries_left: None,
                    blocked: false,
                    verified: true,
                }),
                StatusWord::AUTH_METHOD_BLOCKED => Ok(PinStatus {
                    tries_left: Some(0),
                    blocked: true,
                    verified: false,
                }),
                sw => match sw.tries_left() {
                    Some(n) => Ok(PinStatus {
                        tries_left: Some(n),
                        blocked: n == 0,
                        verified: false,
                    }),
                    None => Err(CardError::Status {
                        operation: "VERIFY (status)",
                        sw,
                    }),
                },
            }
        })
    }

    fn verify_pin(&mut self, pin: &Pin) -> Result<(), CardError> {
        self.with_transaction(|card, reader| verify(card, reader, pin))
    }

    fn sign(
        &mut self,
        slot: KeySlot,
        digest: &Digest,
        pin: Option<&Pin>,
    ) -> Result<Vec<u8>, CardError> {
        let alg = self.key_algorithm(slot)?;
        let input = match alg {
            KeyAlgorithm::EcP256 | KeyAlgorithm::EcP384 => ecdsa_input(digest, alg.input_len()),
            KeyAlgorithm::Rsa2048 => pkcs1_v15_block(digest, alg.input_len())?,
        };
        let cmd = Command::new(
            0x00,
            INS_GENERAL_AUTHENTICATE,
            piv::algorithm_id(alg),
            piv::key_reference(slot),
        )
        .with_data(piv::general_authenticate_body(&input))
        .with_le(256);
        self.with_transaction(|card, reader| {
            if let Some(pin) = pin {
                verify(card, reader, pin)?;
            }
            let data = transmit_ok(card, &cmd, reader, "GENERAL AUTHENTICATE")?;
            piv::decode_general_authenticate_response(&data)
        })
    }
}
