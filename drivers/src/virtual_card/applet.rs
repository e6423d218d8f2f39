//! The PIV card application of the virtual card: APDU in, APDU out.
//!
//! It implements the subset OpenSC and the PIV driver use: SELECT (with the
//! application property template), GET DATA for discovery, CHUID, CCC and
//! the two certificates (`6A82` for anything else), VERIFY with a tries
//! counter that blocks at zero (`6983`), GENERAL AUTHENTICATE for the card's
//! algorithm with PIN-always on key `9C`, GET RESPONSE and command chaining.

use crate::apdu::{Command, Response, SHORT_MAX_LE, StatusWord};
use crate::card::KeySlot;
use crate::piv::{
    self, INS_GENERAL_AUTHENTICATE, INS_GET_DATA, INS_GET_RESPONSE, INS_SELECT, INS_VERIFY,
};
use crate::tlv;
use crate::virtual_card::files::{CardFiles, SlotContents};

/// A FASC-N with agency code 9999: "not a US federal credential", which
/// tells OpenSC to identify the card by its UUID instead (SP 800-73-4 §3.1.2).
const NON_FEDERAL_FASC_N: [u8; 25] = [
    0xD4, 0xE7, 0x39, 0xDA, 0x73, 0x9C, 0xED, 0x39, 0xCE, 0x73, 0x9D, 0x83, 0x68, 0x58, 0x21, 0x08,
    0x42, 0x10, 0x84, 0x21, 0xC8, 0x42, 0x10, 0xC3, 0xEB,
];

/// The PIV applet's state.
#[derive(Debug)]
pub struct PivApplet {
    files: CardFiles,
    tries_left: u8,
    pin_verified: bool,
    /// Set by a successful VERIFY, spent by the next command.
    pin_always_armed: bool,
    /// Data of a command chain not yet complete: (INS, P1, P2, data).
    chain: Option<(u8, u8, u8, Vec<u8>)>,
    /// Response bytes waiting for GET RESPONSE.
    pending: Vec<u8>,
}

impl PivApplet {
    /// A PIV application over these card files, PIN not verified, tries left as saved (at most the profile's maximum).
    pub fn new(files: CardFiles) -> PivApplet {
        let tries_left = files.state.pin_tries_left.min(files.profile.pin_max_tries);
        PivApplet {
            files,
            tries_left,
            pin_verified: false,
            pin_always_armed: false,
            chain: None,
            pending: Vec::new(),
        }
    }

    /// PIN tries left before the card blocks.
    pub fn pin_tries_left(&self) -> u8 {
        self.tries_left
    }

    /// Power-on or reset: security status and unfinished exchanges are gone.
    pub fn reset(&mut self) {
        self.pin_verified = false;
        self.pin_always_armed = false;
        self.chain = None;
        self.pending.clear();
    }

    /// Answers one command APDU.
    pub fn process(&mut self, bytes: &[u8]) -> Vec<u8> {
        self.process_command(bytes).to_bytes()
    }

    fn process_command(&mut self, bytes: &[u8]) -> Response {
        let Ok(cmd) = Command::parse(bytes) else {
            self.chain = None;
            return Response::status(StatusWord::WRONG_LENGTH);
        };
        if cmd.cla & !piv_cla_bits() != 0 {
            return Response::status(StatusWord::CLA_NOT_SUPPORTED);
        }
        if cmd.ins == INS_GET_RESPONSE {
            return self.get_response(cmd.le.unwrap_or(SHORT_MAX_LE));
        }
        self.pending.clear();
        // PIN-always: only the command right after a successful VERIFY may
        // use the signature key; any other command in between spends it.
        let armed = std::mem::take(&mut self.pin_always_armed);

        // Command chaining: collect the parts, then run the whole command.
        let mut cmd = cmd;
        if let Some((ins, p1, p2, mut data)) = self.chain.take()
            && (ins, p1, p2) == (cmd.ins, cmd.p1, cmd.p2)
        {
            data.extend_from_slice(&cmd.data);
            cmd.data = data;
        }
        if cmd.is_chained() {
            if cmd.data.len() > 8 * 1024 {
                return Response::status(StatusWord::WRONG_LENGTH);
            }
            self.chain = Some((cmd.ins, cmd.p1, cmd.p2, std::mem::take(&mut cmd.data)));
            // The parts of one chained command are still "the next command".
            self.pin_always_armed = armed;
            return Response::status(StatusWord::SUCCESS);
        }

        let le = cmd.le.unwrap_or(SHORT_MAX_LE);
        let result = match cmd.ins {
            INS_SELECT => self.select(&cmd),
            INS_GET_DATA => self.get_data(&cmd),
            INS_VERIFY => self.verify(&cmd),
            INS_GENERAL_AUTHENTICATE => self.general_authenticate(&cmd, armed),
            _ => Err(StatusWord::INS_NOT_SUPPORTED),
        };
        match result {
            Ok(data) => {
                self.pending = data;
                self.get_response(le)
            }
            Err(sw) => Response::status(sw),
        }
    }

    /// The next part of the pending response; `61xx` says how much is left.
    fn get_response(&mut self, le: usize) -> Response {
        let n = le.min(SHORT_MAX_LE).min(self.pending.len());
        let chunk: Vec<u8> = self.pending.drain(..n).collect();
        let sw = match self.pending.len() {
            0 => StatusWord::SUCCESS,
            left => StatusWord::from_bytes(0x61, if left >= 256 { 0 } else { left as u8 }),
        };
        Response::new(chunk, sw)
    }

    fn select(&mut self, cmd: &Command) -> Result<Vec<u8>, StatusWord> {
        // Selecting by a (possibly truncated) AID is all PIV defines. A failed
        // SELECT leaves the PIV application selected, as ISO 7816-4 requires,
        // so other middleware probing for its own applets does no harm.
        if cmd.p1 != 0x04 {
            return Err(StatusWord::FILE_NOT_FOUND);
        }
        if cmd.data.len() < 5 || !piv::AID_WITH_VERSION.starts_with(&cmd.data) {
            return Err(StatusWord::FILE_NOT_FOUND);
        }
        let alg = piv::algorithm_id(self.files.profile.algorithm.key_algorithm());
        let template = [
            tlv::encode(0x4F, &piv::AID_WITH_VERSION[5..]),
            tlv::encode(0x79, &tlv::encode(0x4F, &piv::AID[..5])),
            tlv::encode(0x50, b"Padron virtual PIV"),
            tlv::encode(
                0xAC,
                &[tlv::encode(0x80, &[alg]), tlv::encode(0x06, &[])].concat(),
            ),
        ]
        .concat();
        Ok(tlv::encode(piv::TAG_APT, &template))
    }

    fn get_data(&mut self, cmd: &Command) -> Result<Vec<u8>, StatusWord> {
        if (cmd.p1, cmd.p2) != (0x3F, 0xFF) {
            return Err(StatusWord::INCORRECT_P1P2);
        }
        let (list, _) = tlv::parse_one(&cmd.data).map_err(|_| StatusWord::WRONG_DATA)?;
        if list.tag != piv::TAG_TAG_LIST || list.value.is_empty() || list.value.len() > 3 {
            return Err(StatusWord::WRONG_DATA);
        }
        let object = list
            .value
            .iter()
            .fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
        match object {
            piv::OBJ_DISCOVERY => Ok(tlv::encode_parts(
                piv::OBJ_DISCOVERY,
                // PIN usage policy 40 00: the PIV application PIN is the one to use.
                &[
                    &tlv::encode(0x4F, &piv::AID_WITH_VERSION),
                    &tlv::encode(0x5F2F, &[0x40, 0x00]),
                ],
            )),
            piv::OBJ_CHUID => Ok(tlv::encode_parts(
                piv::TAG_DATA,
                &[
                    &tlv::encode(0x30, &NON_FEDERAL_FASC_N),
                    &tlv::encode(0x34, &self.files.card_uuid()),
                    &tlv::encode(0x35, self.chuid_expiry().as_bytes()),
                    &tlv::encode(0x3E, &[]),
                    &tlv::encode(piv::TAG_ERROR_DETECTION, &[]),
                ],
            )),
            piv::OBJ_CCC => {
                // Card identifier: the PIV RID, a manufacturer byte, a card type
                // byte (01 = not Java Card) and 14 bytes of card id.
                let mut identifier = vec![0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x01];
                identifier.extend_from_slice(&self.files.card_uuid()[..14]);
                let mut body = tlv::encode(0xF0, &identifier);
                for (tag, value) in [
                    (0xF1u32, &[0x21u8][..]),
                    (0xF2, &[0x21]),
                    (0xF3, &[]),
                    (0xF4, &[0x00]),
                    (0xF5, &[0x10]),
                    (0xF6, &[]),
                    (0xF7, &[]),
                    (0xFA, &[]),
                    (0xFB, &[]),
                    (0xFC, &[]),
                    (0xFD, &[]),
                    (piv::TAG_ERROR_DETECTION, &[]),
                ] {
                    body.extend(tlv::encode(tag, value));
                }
                Ok(tlv::encode(piv::TAG_DATA, &body))
            }
            piv::OBJ_CERT_AUTHENTICATION => Ok(piv::encode_certificate_object(
                &self.files.authentication.certificate_der,
            )),
            piv::OBJ_CERT_SIGNATURE => Ok(piv::encode_certificate_object(
                &self.files.signature.certificate_der,
            )),
            _ => Err(StatusWord::FILE_NOT_FOUND),
        }
    }

    /// CHUID expiration date (YYYYMMDD): the authentication certificate's end of validity.
    fn chuid_expiry(&self) -> String {
        crate::certificate::CertificateInfo::parse(&self.files.authentication.certificate_der)
            .map(|info| {
                let d = info.not_after.date();
                format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
            })
            .unwrap_or_else(|_| "20991231".to_owned())
    }

    fn verify(&mut self, cmd: &Command) -> Result<Vec<u8>, StatusWord> {
        // P1 = FF with no data: reset the PIN's security status (SP 800-73-4 §3.2.1).
        if cmd.p1 == 0xFF && cmd.data.is_empty() {
            self.pin_verified = false;
            self.pin_always_armed = false;
            return Ok(Vec::new());
        }
        if cmd.p1 != 0x00 || cmd.p2 != piv::PIN_REFERENCE {
            return Err(StatusWord::REFERENCE_NOT_FOUND);
        }
        if self.tries_left == 0 {
            return Err(StatusWord::AUTH_METHOD_BLOCKED);
        }
        if cmd.data.is_empty() {
            // A status query: spends no try.
            return if self.pin_verified {
                Ok(Vec::new())
            } else {
                Err(StatusWord::with_tries_left(self.tries_left))
            };
        }
        if cmd.data.len() != piv::PIN_BLOCK_LEN {
            return Err(StatusWord::WRONG_DATA);
        }
        let expected = piv::pin_block(self.files.profile.pin.as_bytes())
            .map_err(|_| StatusWord::UNKNOWN_ERROR)?;
        if constant_time_eq(&expected[..], &cmd.data) {
            self.set_tries(self.files.profile.pin_max_tries);
            self.pin_verified = true;
            self.pin_always_armed = true;
            Ok(Vec::new())
        } else {
            self.set_tries(self.tries_left.saturating_sub(1));
            self.pin_verified = false;
            self.pin_always_armed = false;
            Err(StatusWord::with_tries_left(self.tries_left))
        }
    }

    fn set_tries(&mut self, tries: u8) {
        if tries != self.tries_left {
            self.tries_left = tries;
            let state = crate::virtual_card::files::CardState {
                pin_tries_left: tries,
            };
            // Losing the write would let a restart reset the counter; say so.
            if let Err(e) = CardFiles::save_state(&self.files.dir, state) {
                eprintln!("padron-card: could not record PIN tries: {e}");
            }
        }
    }

    fn general_authenticate(
        &mut self,
        cmd: &Command,
        pin_always_armed: bool,
    ) -> Result<Vec<u8>, StatusWord> {
        let slot = match cmd.p2 {
            0x9A => KeySlot::Authentication,
            0x9C => KeySlot::Signature,
            _ => return Err(StatusWord::REFERENCE_NOT_FOUND),
        };
        // PIN-always: the signature key needs a VERIFY right before each use.
        let authorised = match slot {
            KeySlot::Authentication => self.pin_verified,
            KeySlot::Signature => pin_always_armed && self.pin_verified,
        };
        let contents: &SlotContents = match slot {
            KeySlot::Authentication => &self.files.authentication,
            KeySlot::Signature => &self.files.signature,
        };
        if piv::algorithm_from_id(cmd.p1) != Some(contents.key.algorithm()) {
            return Err(StatusWord::INCORRECT_P1P2);
        }
        let (template, _) = tlv::parse_one(&cmd.data).map_err(|_| StatusWord::WRONG_DATA)?;
        if template.tag != piv::TAG_DYNAMIC_AUTH {
            return Err(StatusWord::WRONG_DATA);
        }
        let items = tlv::parse_all(template.value).map_err(|_| StatusWord::WRONG_DATA)?;
        let wants_response = items
            .iter()
            .any(|t| t.tag == piv::TAG_AUTH_RESPONSE && t.value.is_empty());
        let challenge = items
            .iter()
            .find(|t| t.tag == piv::TAG_AUTH_CHALLENGE)
            .map(|t| t.value);
        let (true, Some(challenge)) = (wants_response, challenge) else {
            return Err(StatusWord::WRONG_DATA);
        };
        if !authorised {
            return Err(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        }
        let signature = contents
            .key
            .sign(challenge)
            .map_err(|_| StatusWord::WRONG_DATA)?;
        Ok(tlv::encode(
            piv::TAG_DYNAMIC_AUTH,
            &tlv::encode(piv::TAG_AUTH_RESPONSE, &signature),
        ))
    }
}

/// The class bits the applet accepts: interindustry `00` with chaining.
fn piv_cla_bits() -> u8 {
    crate::apdu::CLA_CHAINING
}

/// Compares without an early exit, so timing does not reveal how many PIN
/// digits were right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
