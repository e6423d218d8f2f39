//! age encryption of a backup: to X25519 recipients (`age1…`, what
//! `age-keygen` prints), decrypted with an identity file
//! (`AGE-SECRET-KEY-1…`). The format is age v1, so the `age` command line
//! tool reads what this writes and the reverse.

use std::io::{BufRead, Read, Write};
use std::path::Path;
use std::str::FromStr;

use super::BackupError;

/// The first bytes of a binary age file.
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1";
/// The first bytes of an ASCII-armored one.
const AGE_ARMOR: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";

/// Parsed `--encrypt-to` values.
#[derive(Debug)]
pub struct Recipients(Vec<age::x25519::Recipient>);

impl Recipients {
    pub fn parse(texts: &[String]) -> Result<Recipients, BackupError> {
        texts
            .iter()
            .map(|t| {
                age::x25519::Recipient::from_str(t.trim())
                    .map_err(|_| BackupError::Recipient(crate::audit::untrusted(t)))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Recipients)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Wraps `out` so that what is written to it is encrypted; `finish`
    /// the returned writer to write the last chunk.
    pub fn encrypt<W: Write>(&self, out: W) -> Result<age::stream::StreamWriter<W>, BackupError> {
        let encryptor =
            age::Encryptor::with_recipients(self.0.iter().map(|r| r as &dyn age::Recipient))
                .map_err(|e| BackupError::Recipient(e.to_string()))?;
        encryptor
            .wrap_output(out)
            .map_err(|source| BackupError::Io {
                path: "(backup)".into(),
                source,
            })
    }
}

/// Whether a file starts like an age file, binary or armored.
pub fn is_encrypted(start: &[u8]) -> bool {
    start.starts_with(AGE_MAGIC) || start.starts_with(AGE_ARMOR)
}

/// A reader of the decrypted backup.
pub fn decrypt<R: BufRead + 'static>(
    input: R,
    identity_file: &Path,
) -> Result<Box<dyn Read>, BackupError> {
    let file = identity_file.to_string_lossy().into_owned();
    let identities = age::IdentityFile::from_file(file)
        .map_err(|e| BackupError::Identity(format!("{}: {e}", identity_file.display())))?
        .into_identities()
        .map_err(|e| BackupError::Identity(format!("{}: {e}", identity_file.display())))?;
    if identities.is_empty() {
        return Err(BackupError::Identity(format!(
            "{} holds no age identity",
            identity_file.display()
        )));
    }
    let decryptor = age::Decryptor::new_buffered(input)
        .map_err(|e| BackupError::Corrupt(format!("age header: {e}")))?;
    if decryptor.is_scrypt() {
        return Err(BackupError::Identity(
            "the backup is encrypted with a passphrase, not to a key".into(),
        ));
    }
    let reader = decryptor
        .decrypt(identities.iter().map(|i| i.as_ref() as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => BackupError::Identity(format!(
                "no identity in {} decrypts this backup",
                identity_file.display()
            )),
            other => BackupError::Corrupt(format!("age: {other}")),
        })?;
    Ok(Box::new(reader))
}
