//! What kind of file this is, by its first bytes.

/// Compound File Binary (OLE2): xls, or an encrypted OOXML package.
const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// xlsx, xlsb or ods: told apart by their entries.
    Zip,
    /// A CFB container: xls.
    Cfb,
    /// A CFB container holding `EncryptionInfo` / `EncryptedPackage`: a
    /// password-protected xlsx (MS-OFFCRYPTO).
    Encrypted,
    Unknown,
}

pub(crate) fn sniff(bytes: &[u8]) -> Kind {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Kind::Zip;
    }
    if bytes.starts_with(&CFB_MAGIC) {
        // The stream names are stored in UTF-16LE in the CFB directory;
        // a refusal needs no more than seeing one of them.
        if contains_utf16(bytes, "EncryptionInfo") || contains_utf16(bytes, "EncryptedPackage") {
            return Kind::Encrypted;
        }
        return Kind::Cfb;
    }
    Kind::Unknown
}

fn contains_utf16(haystack: &[u8], needle: &str) -> bool {
    let needle: Vec<u8> = needle.encode_utf16().flat_map(u16::to_le_bytes).collect();
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_slice())
}
