//! BER-TLV as smart cards use it (ISO 7816-4 §5.2, and the PIV data model).
//!
//! Hand-written because card data arrives from outside and must be parsed
//! without trusting a single length byte, and because the `iso7816-tlv` crate
//! mis-parses PIV containers. Tags are kept as the integer of their bytes
//! (`0x5FC105`), the way PIV specifications write them.

use thiserror::Error;

/// The largest value this parser accepts: a card object is at most a few kB,
/// and a length beyond this means corrupt data, not a big certificate.
pub const MAX_VALUE_LEN: usize = 0xFF_FFFF;

/// Why bytes are not well-formed BER-TLV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum TlvError {
    /// The data ends inside a multi-byte tag.
    #[error("TLV data ends before the tag is complete")]
    TruncatedTag,
    /// A tag of more than three bytes (none is defined for PIV).
    #[error("TLV tag is longer than 3 bytes")]
    TagTooLong,
    /// The data ends inside the length field.
    #[error("TLV data ends before the length is complete")]
    TruncatedLength,
    /// The length byte `80` (indefinite form), which BER-TLV on cards does not allow.
    #[error("TLV uses the indefinite length form, which cards must not send")]
    IndefiniteLength,
    /// A length field of more than three bytes (`83` and beyond).
    #[error("TLV length field is longer than 3 bytes")]
    LengthTooLong,
    /// The length announces more value bytes than the data holds.
    #[error("TLV value announces {announced} bytes but only {available} follow")]
    TruncatedValue {
        /// Value bytes the length field announces.
        announced: usize,
        /// Bytes left in the data.
        available: usize,
    },
}

/// One tag with its value, borrowed from the parsed buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag, its bytes read big-endian (e.g. `0x5FC102`).
    pub tag: u32,
    /// The value's bytes.
    pub value: &'a [u8],
}

/// Reads one tag, returning it and the number of bytes it used.
fn read_tag(input: &[u8]) -> Result<(u32, usize), TlvError> {
    let first = *input.first().ok_or(TlvError::TruncatedTag)?;
    let mut tag = u32::from(first);
    if first & 0x1F != 0x1F {
        return Ok((tag, 1));
    }
    // Multi-byte tag: continuation bytes have bit 8 set, the last one does not.
    let mut used = 1;
    loop {
        let byte = *input.get(used).ok_or(TlvError::TruncatedTag)?;
        used += 1;
        if used > 3 {
            return Err(TlvError::TagTooLong);
        }
        tag = (tag << 8) | u32::from(byte);
        if byte & 0x80 == 0 {
            return Ok((tag, used));
        }
    }
}

/// Reads one length field, returning it and the number of bytes it used.
fn read_length(input: &[u8]) -> Result<(usize, usize), TlvError> {
    let first = *input.first().ok_or(TlvError::TruncatedLength)?;
    if first < 0x80 {
        return Ok((usize::from(first), 1));
    }
    if first == 0x80 {
        return Err(TlvError::IndefiniteLength);
    }
    let count = usize::from(first & 0x7F);
    if count > 3 {
        return Err(TlvError::LengthTooLong);
    }
    let bytes = input.get(1..1 + count).ok_or(TlvError::TruncatedLength)?;
    let len = bytes
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    Ok((len, 1 + count))
}

/// Parses the first TLV of `input`; returns it and what follows it.
pub fn parse_one(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), TlvError> {
    let (tag, tag_len) = read_tag(input)?;
    let rest = &input[tag_len..];
    let (len, len_len) = read_length(rest)?;
    let rest = &rest[len_len..];
    if len > rest.len() {
        return Err(TlvError::TruncatedValue {
            announced: len,
            available: rest.len(),
        });
    }
    let (value, rest) = rest.split_at(len);
    Ok((Tlv { tag, value }, rest))
}

/// Parses a sequence of TLVs that fills `input` exactly. Padding bytes `00`
/// and `FF` between objects are skipped, as ISO 7816-4 allows.
pub fn parse_all(mut input: &[u8]) -> Result<Vec<Tlv<'_>>, TlvError> {
    let mut out = Vec::new();
    loop {
        while let Some((&(0x00 | 0xFF), rest)) = input.split_first() {
            input = rest;
        }
        if input.is_empty() {
            return Ok(out);
        }
        let (tlv, rest) = parse_one(input)?;
        out.push(tlv);
        input = rest;
    }
}

/// The value of the first top-level `tag` in `input`, if any.
pub fn find(input: &[u8], tag: u32) -> Result<Option<&[u8]>, TlvError> {
    Ok(parse_all(input)?
        .into_iter()
        .find(|t| t.tag == tag)
        .map(|t| t.value))
}

/// Appends the bytes of `tag` (its minimal big-endian form).
pub fn write_tag(tag: u32, out: &mut Vec<u8>) {
    let bytes = tag.to_be_bytes();
    let skip = bytes.iter().take(3).take_while(|b| **b == 0).count();
    out.extend_from_slice(&bytes[skip..]);
}

/// Appends a definite length in its shortest form.
pub fn write_length(len: usize, out: &mut Vec<u8>) {
    match len {
        0..=0x7F => out.push(len as u8),
        0x80..=0xFF => out.extend_from_slice(&[0x81, len as u8]),
        0x100..=0xFFFF => out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]),
        _ => out.extend_from_slice(&[0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8]),
    }
}

/// Encodes one TLV.
pub fn encode(tag: u32, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 6);
    write_tag(tag, &mut out);
    write_length(value.len(), &mut out);
    out.extend_from_slice(value);
    out
}

/// Encodes one TLV whose value is the concatenation of `parts`.
pub fn encode_parts(tag: u32, parts: &[&[u8]]) -> Vec<u8> {
    encode(tag, &parts.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_and_multi_byte_tags_round_trip() {
        for tag in [0x53, 0x7C, 0x5C, 0x5F2F, 0x5FC105, 0x7F49] {
            let bytes = encode(tag, b"abc");
            let (tlv, rest) = parse_one(&bytes).unwrap();
            assert_eq!(tlv.tag, tag, "{tag:X}");
            assert_eq!(tlv.value, b"abc");
            assert!(rest.is_empty());
        }
    }

    #[test]
    fn long_lengths_round_trip() {
        for len in [0usize, 1, 0x7F, 0x80, 0xFF, 0x100, 0x1234, 0x1_0000] {
            let value = vec![0xA5; len];
            let bytes = encode(0x70, &value);
            let (tlv, _) = parse_one(&bytes).unwrap();
            assert_eq!(tlv.value.len(), len);
        }
        assert_eq!(encode(0x53, &[0; 0x100])[..4], [0x53, 0x82, 0x01, 0x00]);
    }

    #[test]
    fn malformed_input_is_an_error() {
        assert_eq!(parse_one(&[]), Err(TlvError::TruncatedTag));
        assert_eq!(parse_one(&[0x5F]), Err(TlvError::TruncatedTag));
        assert_eq!(
            parse_one(&[0x5F, 0xC1, 0x85, 0x01]),
            Err(TlvError::TagTooLong)
        );
        assert_eq!(parse_one(&[0x53]), Err(TlvError::TruncatedLength));
        assert_eq!(parse_one(&[0x53, 0x80]), Err(TlvError::IndefiniteLength));
        assert_eq!(
            parse_one(&[0x53, 0x85, 1, 1, 1, 1, 1]),
            Err(TlvError::LengthTooLong)
        );
        assert_eq!(
            parse_one(&[0x53, 0x82, 0x01]),
            Err(TlvError::TruncatedLength)
        );
        assert_eq!(
            parse_one(&[0x53, 0x03, 0x01]),
            Err(TlvError::TruncatedValue {
                announced: 3,
                available: 1
            })
        );
    }

    #[test]
    fn parse_all_skips_padding_and_finds_tags() {
        let mut bytes = encode(0x70, b"cert");
        bytes.extend_from_slice(&[0x00, 0xFF]);
        bytes.extend(encode(0x71, &[0x01]));
        bytes.extend(encode(0xFE, &[]));
        let all = parse_all(&bytes).unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(find(&bytes, 0x71).unwrap(), Some(&[0x01][..]));
        assert_eq!(find(&bytes, 0x72).unwrap(), None);
    }
}
