//! Sending one logical command over PC/SC: command chaining for long data,
//! GET RESPONSE for `61xx`, and a resend for `6Cxx`, so callers see one
//! command and one complete response.

use crate::apdu::{Command, Response, StatusWord};
use crate::error::CardError;
use crate::piv::INS_GET_RESPONSE;

/// A response larger than this is not a PIV object but a card gone wrong.
const MAX_RESPONSE_LEN: usize = 64 * 1024;

fn transmit_one(card: &pcsc::Card, cmd: &Command, reader: &str) -> Result<Response, CardError> {
    // The encoded APDU carries the PIN block of a VERIFY: wiped on drop.
    let bytes = zeroize::Zeroizing::new(cmd.to_short_bytes()?);
    let mut buf = [0u8; pcsc::MAX_BUFFER_SIZE_EXTENDED];
    let raw = card
        .transmit(&bytes, &mut buf)
        .map_err(|e| CardError::from_pcsc(e, reader))?;
    Ok(Response::parse(raw)?)
}

/// Sends `cmd` and returns its whole response.
pub(crate) fn transmit(
    card: &pcsc::Card,
    cmd: &Command,
    reader: &str,
) -> Result<Response, CardError> {
    let parts = cmd.chain();
    let Some((last, init)) = parts.split_last() else {
        return Err(CardError::Malformed("empty command".into()));
    };
    for part in init {
        let resp = transmit_one(card, part, reader)?;
        if !resp.sw.is_success() {
            return Ok(resp);
        }
    }
    let mut resp = transmit_one(card, last, reader)?;
    if let Some(le) = resp.sw.exact_length() {
        let mut again = last.clone();
        again.le = Some(le);
        resp = transmit_one(card, &again, reader)?;
    }
    let mut data = std::mem::take(&mut resp.data);
    let mut sw = resp.sw;
    while let Some(remaining) = sw.bytes_remaining() {
        let more = transmit_one(
            card,
            &Command::new(0x00, INS_GET_RESPONSE, 0, 0).with_le(remaining),
            reader,
        )?;
        data.extend_from_slice(&more.data);
        if data.len() > MAX_RESPONSE_LEN {
            return Err(CardError::Malformed("response longer than 64 KiB".into()));
        }
        sw = more.sw;
    }
    Ok(Response::new(data, sw))
}

/// Sends `cmd` and fails unless the card answers `9000`.
pub(crate) fn transmit_ok(
    card: &pcsc::Card,
    cmd: &Command,
    reader: &str,
    operation: &'static str,
) -> Result<Vec<u8>, CardError> {
    let resp = transmit(card, cmd, reader)?;
    match resp.sw {
        StatusWord::SUCCESS => Ok(resp.data),
        sw => Err(status_error(operation, sw)),
    }
}

/// The typed error for a refusal.
pub(crate) fn status_error(operation: &'static str, sw: StatusWord) -> CardError {
    match sw {
        StatusWord::SECURITY_STATUS_NOT_SATISFIED => CardError::PinRequired,
        StatusWord::AUTH_METHOD_BLOCKED => CardError::PinBlocked,
        sw => CardError::Status { operation, sw },
    }
}
