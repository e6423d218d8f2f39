//! The PIN fields' text, kept out of [`super::state::AppState`] (which is
//! `Debug` and tested) and wiped as soon as the PIN is handed to the card
//! layer.

use padron_drivers::Pin;
use padron_shared::{ErrorCode, Lang};
use zeroize::Zeroizing;

use super::state::Failure;

/// What is typed into the login and signature PIN fields.
#[derive(Default)]
pub struct Secrets {
    pub pin: Zeroizing<String>,
    pub sign_pin: Zeroizing<String>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(****)")
    }
}

/// Turns a typed PIN into the card layer's `Pin`, wiping the text.
pub fn take_pin(text: &mut Zeroizing<String>) -> Result<Pin, Failure> {
    let result = Pin::new(text.trim()).map_err(|_| {
        Failure::new(
            ErrorCode::PinFormatInvalid,
            format!(
                "{} Tiene de 4 a 16 caracteres.",
                ErrorCode::PinFormatInvalid.message(Lang::Es)
            ),
            format!(
                "{} It has 4 to 16 characters.",
                ErrorCode::PinFormatInvalid.message(Lang::En)
            ),
        )
    });
    zeroize::Zeroize::zeroize(&mut **text);
    result
}
