//! How what is signed and what comes back are encoded, for the two
//! signature families the cards use:
//! - RSA: EMSA-PKCS1-v1_5 (RFC 8017 §9.2), done on the host because a PIV
//!   card's RSA operation is the raw modular exponentiation;
//! - ECDSA: PKCS#11 returns `r‖s`, X.509 and TLS want DER `Ecdsa-Sig-Value`.

use crate::card::{Digest, HashAlgorithm};
use crate::error::CardError;
use crate::tlv;

const TAG_SEQUENCE: u32 = 0x30;
const TAG_INTEGER: u32 = 0x02;
const TAG_NULL: u32 = 0x05;
const TAG_OCTET_STRING: u32 = 0x04;
const TAG_OID: u32 = 0x06;

/// The DER of the hash algorithm's object identifier value (2.16.840.1.101.3.4.2.x).
fn hash_oid(alg: HashAlgorithm) -> [u8; 9] {
    let last = match alg {
        HashAlgorithm::Sha256 => 1,
        HashAlgorithm::Sha384 => 2,
        HashAlgorithm::Sha512 => 3,
    };
    [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, last]
}

/// `DigestInfo ::= SEQUENCE { AlgorithmIdentifier, OCTET STRING }`.
pub fn digest_info(digest: &Digest) -> Vec<u8> {
    let algorithm = tlv::encode_parts(
        TAG_SEQUENCE,
        &[
            &tlv::encode(TAG_OID, &hash_oid(digest.algorithm())),
            &tlv::encode(TAG_NULL, &[]),
        ],
    );
    tlv::encode_parts(
        TAG_SEQUENCE,
        &[&algorithm, &tlv::encode(TAG_OCTET_STRING, digest.bytes())],
    )
}

/// The EMSA-PKCS1-v1_5 block `00 01 FF…FF 00 DigestInfo` of `modulus_len` bytes.
pub fn pkcs1_v15_block(digest: &Digest, modulus_len: usize) -> Result<Vec<u8>, CardError> {
    let info = digest_info(digest);
    // RFC 8017: at least 8 bytes of FF padding.
    if info.len() + 11 > modulus_len {
        return Err(CardError::DigestLength {
            expected: "the RSA modulus",
            actual: info.len(),
        });
    }
    let mut block = Vec::with_capacity(modulus_len);
    block.extend_from_slice(&[0x00, 0x01]);
    block.resize(modulus_len - info.len() - 1, 0xFF);
    block.push(0x00);
    block.extend_from_slice(&info);
    Ok(block)
}

/// The ECDSA input for a curve whose order has `field_len` bytes: a longer
/// hash keeps its leftmost bytes (as ECDSA itself does), a shorter one is
/// left-padded with zeros (same integer), because PIV cards expect exactly
/// the field size.
pub fn ecdsa_input(digest: &Digest, field_len: usize) -> Vec<u8> {
    let bytes = digest.bytes();
    if bytes.len() >= field_len {
        bytes[..field_len].to_vec()
    } else {
        let mut out = vec![0u8; field_len - bytes.len()];
        out.extend_from_slice(bytes);
        out
    }
}

/// A DER INTEGER holding the unsigned big-endian `magnitude`.
fn der_unsigned_integer(magnitude: &[u8]) -> Vec<u8> {
    let start = magnitude
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(magnitude.len());
    let trimmed = &magnitude[start..];
    let mut value = Vec::with_capacity(trimmed.len() + 1);
    // A set top bit would make the integer negative: prefix a zero byte.
    if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
        value.push(0);
    }
    value.extend_from_slice(trimmed);
    tlv::encode(TAG_INTEGER, &value)
}

/// `r‖s` (PKCS#11 `CKM_ECDSA` output) to DER `SEQUENCE { r INTEGER, s INTEGER }`.
pub fn ecdsa_raw_to_der(raw: &[u8]) -> Result<Vec<u8>, CardError> {
    if raw.is_empty() || !raw.len().is_multiple_of(2) {
        return Err(CardError::Malformed(format!(
            "ECDSA signature of odd length {}",
            raw.len()
        )));
    }
    let (r, s) = raw.split_at(raw.len() / 2);
    Ok(tlv::encode_parts(
        TAG_SEQUENCE,
        &[&der_unsigned_integer(r), &der_unsigned_integer(s)],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_digest_info_has_the_rfc_8017_prefix() {
        let digest = Digest::new(HashAlgorithm::Sha256, vec![0xAA; 32]).unwrap();
        let info = digest_info(&digest);
        // RFC 8017 §9.2 note 1.
        let prefix = hex::decode("3031300d060960864801650304020105000420").unwrap();
        assert_eq!(&info[..prefix.len()], &prefix[..]);
        assert_eq!(info.len(), prefix.len() + 32);
        let block = pkcs1_v15_block(&digest, 256).unwrap();
        assert_eq!(block.len(), 256);
        assert_eq!(&block[..3], &[0, 1, 0xFF]);
        assert_eq!(block[256 - info.len() - 1], 0);
    }

    #[test]
    fn ecdsa_integers_are_minimal_and_positive() {
        let mut raw = vec![0u8; 64];
        raw[0] = 0x00;
        raw[1] = 0x7F; // r = 0x7F00…: leading zero dropped, no sign byte needed
        raw[32] = 0x80; // s has its top bit set: needs a 00 prefix
        let der = ecdsa_raw_to_der(&raw).unwrap();
        let (seq, rest) = tlv::parse_one(&der).unwrap();
        assert!(rest.is_empty());
        let ints = tlv::parse_all(seq.value).unwrap();
        assert_eq!(ints[0].value.len(), 31);
        assert_eq!(ints[0].value[0], 0x7F);
        assert_eq!(ints[1].value.len(), 33);
        assert_eq!(&ints[1].value[..2], &[0x00, 0x80]);
        assert!(ecdsa_raw_to_der(&[1, 2, 3]).is_err());
    }

    #[test]
    fn ecdsa_input_fits_the_curve() {
        let d512 = Digest::of(HashAlgorithm::Sha512, b"m");
        assert_eq!(ecdsa_input(&d512, 32), d512.bytes()[..32].to_vec());
        let d256 = Digest::of(HashAlgorithm::Sha256, b"m");
        let padded = ecdsa_input(&d256, 48);
        assert_eq!(&padded[..16], &[0; 16]);
        assert_eq!(&padded[16..], d256.bytes());
    }
}
