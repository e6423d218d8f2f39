//! PIV (NIST SP 800-73-4): the constants and data objects both the host
//! driver ([`driver`]) and the virtual card speak.

pub mod driver;
mod transport;

use std::io::Read as _;

use crate::card::{KeyAlgorithm, KeySlot};
use crate::error::CardError;
use crate::tlv;
use zeroize::Zeroizing;

/// The PIV application identifier (NIST RID + PIX, without version).
pub const AID: [u8; 9] = [0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00];
/// The full AID with application version 01 00, as the discovery object carries it.
pub const AID_WITH_VERSION: [u8; 11] = [
    0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00,
];

/// SELECT (ISO 7816-4): selects the PIV application by its AID.
pub const INS_SELECT: u8 = 0xA4;
/// GET DATA: reads a PIV data object by tag.
pub const INS_GET_DATA: u8 = 0xCB;
/// VERIFY: presents the PIN (or, without data, asks its status).
pub const INS_VERIFY: u8 = 0x20;
/// GENERAL AUTHENTICATE: the private-key operation (signing a challenge or digest).
pub const INS_GENERAL_AUTHENTICATE: u8 = 0x87;
/// GET RESPONSE: fetches the rest of a response announced by `61xx`.
pub const INS_GET_RESPONSE: u8 = 0xC0;

/// VERIFY's P2 for the PIV card application PIN.
pub const PIN_REFERENCE: u8 = 0x80;
/// A PIV PIN is padded with `FF` to this length.
pub const PIN_BLOCK_LEN: usize = 8;

/// Data object tags (SP 800-73-4 Part 1, Table 3).
pub const OBJ_DISCOVERY: u32 = 0x7E;
/// Card Holder Unique Identifier (holds the card UUID).
pub const OBJ_CHUID: u32 = 0x5F_C102;
/// Card Capability Container.
pub const OBJ_CCC: u32 = 0x5F_C107;
/// X.509 certificate for PIV authentication (slot `9A`).
pub const OBJ_CERT_AUTHENTICATION: u32 = 0x5F_C105;
/// X.509 certificate for digital signature (slot `9C`).
pub const OBJ_CERT_SIGNATURE: u32 = 0x5F_C10A;

/// Tags inside objects and commands.
pub const TAG_TAG_LIST: u32 = 0x5C;
/// Data field of a PIV data object (wraps the object's content in GET DATA responses).
pub const TAG_DATA: u32 = 0x53;
/// The certificate, inside a certificate object.
pub const TAG_CERTIFICATE: u32 = 0x70;
/// `CertInfo` byte, inside a certificate object (see [`CERT_INFO_COMPRESSED`]).
pub const TAG_CERT_INFO: u32 = 0x71;
/// Error detection code, the last (empty) element of an object.
pub const TAG_ERROR_DETECTION: u32 = 0xFE;
/// Dynamic authentication template of GENERAL AUTHENTICATE.
pub const TAG_DYNAMIC_AUTH: u32 = 0x7C;
/// Response element inside the dynamic authentication template (the signature).
pub const TAG_AUTH_RESPONSE: u32 = 0x82;
/// Challenge element inside the dynamic authentication template (what the card signs).
pub const TAG_AUTH_CHALLENGE: u32 = 0x81;
/// Application property template, returned by SELECT.
pub const TAG_APT: u32 = 0x61;

/// `CertInfo` bit: the certificate is gzip-compressed.
pub const CERT_INFO_COMPRESSED: u8 = 0x01;

/// Largest decompressed certificate accepted: a guard against a card (or
/// anything posing as one) sending a decompression bomb.
const MAX_CERTIFICATE_LEN: u64 = 64 * 1024;

/// The key reference of a slot.
pub fn key_reference(slot: KeySlot) -> u8 {
    match slot {
        KeySlot::Authentication => 0x9A,
        KeySlot::Signature => 0x9C,
    }
}

/// The certificate object of a slot.
pub fn certificate_object(slot: KeySlot) -> u32 {
    match slot {
        KeySlot::Authentication => OBJ_CERT_AUTHENTICATION,
        KeySlot::Signature => OBJ_CERT_SIGNATURE,
    }
}

/// The cryptographic mechanism identifier (SP 800-78-4 Table 6-2).
pub fn algorithm_id(alg: KeyAlgorithm) -> u8 {
    match alg {
        KeyAlgorithm::Rsa2048 => 0x07,
        KeyAlgorithm::EcP256 => 0x11,
        KeyAlgorithm::EcP384 => 0x14,
    }
}

/// The key algorithm for a PIV algorithm identifier (SP 800-78-4: `07` RSA 2048, `11` P-256, `14` P-384); `None` for any other.
pub fn algorithm_from_id(id: u8) -> Option<KeyAlgorithm> {
    match id {
        0x07 => Some(KeyAlgorithm::Rsa2048),
        0x11 => Some(KeyAlgorithm::EcP256),
        0x14 => Some(KeyAlgorithm::EcP384),
        _ => None,
    }
}

/// The body of the GET DATA command for `object`: `5C len tag`.
pub fn get_data_body(object: u32) -> Vec<u8> {
    let mut tag = Vec::new();
    tlv::write_tag(object, &mut tag);
    tlv::encode(TAG_TAG_LIST, &tag)
}

/// A certificate container: `53 { 70 cert, 71 certinfo, FE }`.
pub fn encode_certificate_object(cert_der: &[u8]) -> Vec<u8> {
    tlv::encode_parts(
        TAG_DATA,
        &[
            &tlv::encode(TAG_CERTIFICATE, cert_der),
            &tlv::encode(TAG_CERT_INFO, &[0x00]),
            &tlv::encode(TAG_ERROR_DETECTION, &[]),
        ],
    )
}

/// Extracts the DER certificate from a GET DATA response; `Ok(None)` when
/// the container is empty (an object the card knows but that holds nothing).
pub fn decode_certificate_object(response: &[u8]) -> Result<Option<Vec<u8>>, CardError> {
    let (outer, _) = tlv::parse_one(response)?;
    if outer.tag != TAG_DATA {
        return Err(CardError::Malformed(format!(
            "certificate object has tag {:X}, not 53",
            outer.tag
        )));
    }
    let Some(cert) = tlv::find(outer.value, TAG_CERTIFICATE)? else {
        return Ok(None);
    };
    if cert.is_empty() {
        return Ok(None);
    }
    // SP 800-73-4 says bit 0x01; early cards used 0x80. Accept both, as OpenSC does.
    let compressed = tlv::find(outer.value, TAG_CERT_INFO)?
        .and_then(|info| info.first().copied())
        .is_some_and(|b| b & (CERT_INFO_COMPRESSED | 0x80) != 0);
    if !compressed {
        return Ok(Some(cert.to_vec()));
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(cert)
        .take(MAX_CERTIFICATE_LEN + 1)
        .read_to_end(&mut out)
        .map_err(|e| CardError::Malformed(format!("compressed certificate: {e}")))?;
    if out.len() as u64 > MAX_CERTIFICATE_LEN {
        return Err(CardError::Malformed(
            "compressed certificate is too large".into(),
        ));
    }
    Ok(Some(out))
}

/// The GENERAL AUTHENTICATE body asking for a signature of `input`:
/// `7C { 82 00, 81 input }`.
pub fn general_authenticate_body(input: &[u8]) -> Vec<u8> {
    tlv::encode_parts(
        TAG_DYNAMIC_AUTH,
        &[
            &tlv::encode(TAG_AUTH_RESPONSE, &[]),
            &tlv::encode(TAG_AUTH_CHALLENGE, input),
        ],
    )
}

/// The signature inside a GENERAL AUTHENTICATE response `7C { 82 sig }`.
pub fn decode_general_authenticate_response(response: &[u8]) -> Result<Vec<u8>, CardError> {
    let (outer, _) = tlv::parse_one(response)?;
    if outer.tag != TAG_DYNAMIC_AUTH {
        return Err(CardError::Malformed(format!(
            "GENERAL AUTHENTICATE answered tag {:X}, not 7C",
            outer.tag
        )));
    }
    match tlv::find(outer.value, TAG_AUTH_RESPONSE)? {
        Some(sig) if !sig.is_empty() => Ok(sig.to_vec()),
        _ => Err(CardError::Malformed(
            "GENERAL AUTHENTICATE response has no signature".into(),
        )),
    }
}

/// A PIN as VERIFY sends it: its bytes padded with `FF` to 8. The block is
/// wiped when dropped, like the [`crate::Pin`] it came from.
pub fn pin_block(pin: &[u8]) -> Result<Zeroizing<[u8; PIN_BLOCK_LEN]>, CardError> {
    if pin.is_empty() || pin.len() > PIN_BLOCK_LEN {
        return Err(CardError::PinFormat("a PIV PIN has 1 to 8 characters"));
    }
    let mut block = Zeroizing::new([0xFF; PIN_BLOCK_LEN]);
    block[..pin.len()].copy_from_slice(pin);
    Ok(block)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    #[test]
    fn certificate_containers_round_trip() {
        let cert = vec![0x30, 0x82, 0x01, 0x00, 1, 2, 3];
        let object = encode_certificate_object(&cert);
        assert_eq!(decode_certificate_object(&object).unwrap(), Some(cert));
        let empty = tlv::encode(TAG_DATA, &tlv::encode(TAG_CERTIFICATE, &[]));
        assert_eq!(decode_certificate_object(&empty).unwrap(), None);
        assert!(decode_certificate_object(&tlv::encode(0x54, &[])).is_err());
    }

    #[test]
    fn compressed_certificates_are_inflated() {
        let cert = b"0\x82 a certificate, compressible compressible compressible".to_vec();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&cert).unwrap();
        let packed = gz.finish().unwrap();
        let object = tlv::encode_parts(
            TAG_DATA,
            &[
                &tlv::encode(TAG_CERTIFICATE, &packed),
                &tlv::encode(TAG_CERT_INFO, &[0x01]),
            ],
        );
        assert_eq!(decode_certificate_object(&object).unwrap(), Some(cert));
    }

    #[test]
    fn general_authenticate_encodings() {
        let body = general_authenticate_body(&[0xAB; 32]);
        assert_eq!(&body[..6], &[0x7C, 0x24, 0x82, 0x00, 0x81, 0x20]);
        let resp = tlv::encode(
            TAG_DYNAMIC_AUTH,
            &tlv::encode(TAG_AUTH_RESPONSE, &[1, 2, 3]),
        );
        assert_eq!(
            decode_general_authenticate_response(&resp).unwrap(),
            vec![1, 2, 3]
        );
        assert!(decode_general_authenticate_response(&tlv::encode(TAG_DYNAMIC_AUTH, &[])).is_err());
    }

    #[test]
    fn pins_are_padded() {
        assert_eq!(
            *pin_block(b"123456").unwrap(),
            [b'1', b'2', b'3', b'4', b'5', b'6', 0xFF, 0xFF]
        );
        assert!(pin_block(b"123456789").is_err());
    }
}
