//! `padron-card`: a test eID CA, the cards it issues, and a virtual PIV card
//! that vsmartcard's vpcd presents to pcscd as a card in a reader.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, Result};
use clap::{Parser, Subcommand};
use padron_drivers::virtual_card::applet::PivApplet;
use padron_drivers::virtual_card::files::{CardAlgorithm, CardFiles};
use padron_drivers::virtual_card::issuer::{self, CardRequest};
use padron_drivers::virtual_card::vpcd;
use padron_shared::Cui;

#[derive(Debug, Parser)]
#[command(
    name = "padron-card",
    version,
    about = "Tarjeta PIV virtual y CA de prueba / Virtual PIV card and test CA"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Test certification authority.
    Ca {
        #[command(subcommand)]
        command: CaCommand,
    },
    /// Issue a card: keys and certificates as a national eID carries them.
    Issue {
        /// The CA directory made by `ca init`.
        #[arg(long)]
        ca: PathBuf,
        /// The holder's CUI (13 digits; spaces and dashes allowed).
        #[arg(long)]
        cui: String,
        /// Given names, e.g. "MARÍA JOSÉ".
        #[arg(long)]
        given: String,
        /// Surnames, e.g. "LÓPEZ DE GARCÍA".
        #[arg(long)]
        surnames: String,
        /// Where to write the card.
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum, default_value = "p256")]
        algorithm: CardAlgorithm,
        /// The card PIN (6 to 8 digits).
        #[arg(long, default_value = "123456")]
        pin: String,
    },
    /// Insert the card into vpcd's reader until this process ends (ending it removes the card).
    Run {
        #[arg(long)]
        card: PathBuf,
        /// vpcd's address: 127.0.0.1:35963 is reader "Virtual PCD 00 00", 35964 is "00 01".
        #[arg(long, default_value = vpcd::DEFAULT_ADDRESS)]
        vpcd: String,
        /// Seconds to keep trying to reach vpcd (pcscd may be starting).
        #[arg(long, default_value_t = 10)]
        wait: u64,
    },
}

#[derive(Debug, Subcommand)]
enum CaCommand {
    /// Create a test CA (marked NOT FOR PRODUCTION in its name).
    Init {
        #[arg(long)]
        out: PathBuf,
        /// ISO 3166-1 alpha-2 country code of the cards it issues.
        #[arg(long, default_value = "GT")]
        country: String,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Ca {
            command: CaCommand::Init { out, country },
        } => {
            let cert = issuer::init_ca(&out, &country).context("ca init")?;
            println!("CA de prueba creada / test CA created: {}", cert.display());
        }
        Command::Issue {
            ca,
            cui,
            given,
            surnames,
            out,
            algorithm,
            pin,
        } => {
            let cui = Cui::parse(&cui).map_err(|e| {
                anyhow::anyhow!("CUI inválido / invalid CUI: {e} / {}", e.message_en())
            })?;
            let request = CardRequest {
                cui,
                given_names: given,
                surnames,
                algorithm,
                pin,
            };
            let profile = issuer::issue_card(&ca, &out, &request).context("issue")?;
            println!(
                "Tarjeta emitida / card issued: {} ({}), CUI {}, {:?} -> {}",
                profile.holder,
                profile.country,
                profile.cui,
                profile.algorithm,
                out.display()
            );
        }
        Command::Run {
            card,
            vpcd: address,
            wait,
        } => {
            let files = CardFiles::load(&card)
                .with_context(|| format!("loading card {}", card.display()))?;
            let holder = files.profile.holder.clone();
            let mut applet = PivApplet::new(files);
            let mut stream = vpcd::connect(&address, Duration::from_secs(wait))
                .with_context(|| format!("connecting to vpcd at {address} (is pcscd running? see packaging/dev/pcscd.sh)"))?;
            eprintln!("padron-card: tarjeta de {holder} insertada en {address} / card inserted");
            vpcd::serve(&mut stream, &mut applet).context("vpcd connection")?;
            eprintln!("padron-card: vpcd cerró la conexión / vpcd closed the connection");
        }
    }
    Ok(())
}
