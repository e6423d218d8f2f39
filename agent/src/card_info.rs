//! `padron-agent card info`: the readers, and for the card in one of them
//! the holder's name and CUI, each certificate's issuer and validity, and
//! the PIN tries left. Read-only: it never asks for the PIN.

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;
use padron_drivers::pkcs11::Pkcs11Source;
use padron_drivers::{
    Card, CardError, CardSource, CertificateInfo, KeySlot, PivSource, ReaderInfo,
};
use padron_shared::Lang;
use time::OffsetDateTime;

/// `padron-agent card …`.
#[derive(Debug, Subcommand)]
pub enum CardCommand {
    /// List the readers and show the card: holder, CUI, certificates, PIN tries left.
    Info {
        /// The reader to read (default: the first one with a card).
        #[arg(long, value_name = "NAME")]
        reader: Option<String>,
        /// Read the card through this PKCS#11 module (the eID vendor's middleware) instead of PIV.
        #[arg(long, value_name = "FILE")]
        pkcs11_module: Option<PathBuf>,
    },
}

/// The sentence for a card failure: the stable message, then the detail.
pub fn explain(err: &CardError, lang: Lang) -> String {
    match err {
        CardError::PcscUnavailable => err.code().message(lang).to_owned(),
        CardError::CardAbsent(reader) if reader.is_empty() => err.code().message(lang).to_owned(),
        _ => format!("{} ({err})", err.code().message(lang)),
    }
}

fn when(at: OffsetDateTime) -> String {
    let d = at.date();
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        d.year(),
        u8::from(d.month()),
        d.day(),
        at.hour(),
        at.minute()
    )
}

/// Runs a `card` subcommand, writing to stdout.
pub fn run(command: &CardCommand, lang: Lang) -> Result<(), CardError> {
    let CardCommand::Info {
        reader,
        pkcs11_module,
    } = command;
    let source: Box<dyn CardSource> = match pkcs11_module {
        Some(module) => Box::new(Pkcs11Source::load(module)?),
        None => Box::new(PivSource::new()?),
    };
    let mut out = std::io::stdout().lock();
    info(source.as_ref(), reader.as_deref(), lang, &mut out)
}

/// Lists the readers of `source` and describes the chosen card on `out`.
pub fn info(
    source: &dyn CardSource,
    reader: Option<&str>,
    lang: Lang,
    out: &mut dyn Write,
) -> Result<(), CardError> {
    let readers = source.readers()?;
    let io = |e: std::io::Error| CardError::Malformed(format!("writing the report: {e}"));
    writeln!(out, "{}", lang.pick("Lectores:", "Readers:")).map_err(io)?;
    if readers.is_empty() {
        writeln!(out, "  {}", lang.pick("(ninguno)", "(none)")).map_err(io)?;
    }
    for r in &readers {
        let state = if r.card_present {
            lang.pick("con tarjeta", "card inserted")
        } else {
            lang.pick("vacío", "empty")
        };
        writeln!(out, "  {} — {state}", r.name).map_err(io)?;
    }
    let chosen: &ReaderInfo = match reader {
        Some(name) => readers
            .iter()
            .find(|r| r.name == name)
            .ok_or_else(|| CardError::ReaderNotFound(name.to_owned()))?,
        None => readers
            .iter()
            .find(|r| r.card_present)
            .ok_or_else(|| CardError::CardAbsent(String::new()))?,
    };
    if !chosen.card_present {
        return Err(CardError::CardAbsent(chosen.name.clone()));
    }
    let mut card = source.open(&chosen.name)?;
    describe(card.as_mut(), lang, out)
}

fn describe(card: &mut dyn Card, lang: Lang, out: &mut dyn Write) -> Result<(), CardError> {
    let io = |e: std::io::Error| CardError::Malformed(format!("writing the report: {e}"));
    let unknown = lang.pick("(desconocido)", "(unknown)");
    writeln!(
        out,
        "{} «{}»:",
        lang.pick("Tarjeta en", "Card in"),
        card.reader()
    )
    .map_err(io)?;
    let auth = card.certificate(KeySlot::Authentication)?;
    let holder = CertificateInfo::parse(&auth)
        .map_err(|_| CardError::CertificateInvalid(KeySlot::Authentication))?;
    writeln!(
        out,
        "  {} {}",
        lang.pick("titular:", "holder:"),
        holder.holder_name().as_deref().unwrap_or(unknown)
    )
    .map_err(io)?;
    let id = match (holder.cui(), &holder.national_id) {
        (Some(cui), _) => cui.display_grouped(),
        (None, Some(other)) => other.to_string(),
        (None, None) => unknown.to_owned(),
    };
    writeln!(out, "  CUI: {id}").map_err(io)?;
    for slot in KeySlot::ALL {
        let label = match slot {
            KeySlot::Authentication => {
                lang.pick("certificado de autenticación", "authentication certificate")
            }
            KeySlot::Signature => lang.pick("certificado de firma", "signature certificate"),
        };
        let der = match card.certificate(slot) {
            Ok(der) => der,
            Err(CardError::CertificateMissing(_)) => {
                writeln!(out, "  {label}: {}", lang.pick("no hay", "none")).map_err(io)?;
                continue;
            }
            Err(e) => return Err(e),
        };
        let info = CertificateInfo::parse(&der).map_err(|_| CardError::CertificateInvalid(slot))?;
        writeln!(out, "  {label}:").map_err(io)?;
        writeln!(
            out,
            "    {} {}",
            lang.pick("emisor:", "issuer:"),
            info.issuer
        )
        .map_err(io)?;
        let valid_now = info.is_valid_at(OffsetDateTime::now_utc());
        writeln!(
            out,
            "    {} {} {} {} ({})",
            lang.pick("válido desde", "valid from"),
            when(info.not_before),
            lang.pick("hasta", "until"),
            when(info.not_after),
            if valid_now {
                lang.pick("vigente", "in force")
            } else {
                lang.pick("NO vigente", "NOT in force")
            }
        )
        .map_err(io)?;
        writeln!(
            out,
            "    {} {}",
            lang.pick("número de serie:", "serial number:"),
            info.serial
        )
        .map_err(io)?;
    }
    let status = card.pin_status()?;
    let tries = match (status.blocked, status.tries_left) {
        (true, _) => lang.pick("0 (PIN bloqueado)", "0 (PIN blocked)").to_owned(),
        (false, Some(n)) => n.to_string(),
        // PIV answers an empty VERIFY with 9000, not a count, while the PIN
        // is still verified from an earlier operation on the same card session.
        (false, None) if status.verified => lang
            .pick(
                "(PIN ya verificado en esta sesión de la tarjeta)",
                "(PIN already verified in this card session)",
            )
            .to_owned(),
        (false, None) => unknown.to_owned(),
    };
    writeln!(
        out,
        "  {} {tries}",
        lang.pick("intentos de PIN restantes:", "PIN tries left:")
    )
    .map_err(io)?;
    Ok(())
}
