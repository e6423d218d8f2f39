//! Command-line interface of `padron-agent` (clap). Without a command it
//! opens the GUI (`gui`, `--kiosk`); the commands are for scripts and support.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "padron-agent",
    version,
    about = "Agente de Padrón para estaciones de trabajo / Padrón workstation agent",
    propagate_version = true
)]
pub struct Cli {
    /// Agent configuration (from the enrolment bundle).
    #[arg(long, global = true, env = "PADRON_AGENT_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Language of messages: es (default) or en.
    #[arg(long, global = true, value_name = "es|en")]
    pub lang: Option<String>,
    /// Open the kiosk: fullscreen, locked when the card leaves or after 5 minutes idle.
    #[arg(long)]
    pub kiosk: bool,
    /// Without a command the windowed application opens (`gui`).
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the application window (the default without a command).
    Gui {
        /// Fullscreen kiosk mode (same as `padron-agent --kiosk`).
        #[arg(long)]
        kiosk: bool,
    },
    /// Connect to the server and show this workstation, its institution and the server's health.
    Status,
    /// Make this workstation's key and a certificate request (CSR) for the registry admin.
    EnrollRequest {
        /// Directory for workstation.key and workstation.csr.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// A hint for the admin (e.g. institution and site); the server sets the real subject.
        #[arg(long, default_value = "Padrón estación de trabajo")]
        hint: String,
    },
    /// Log in with the eID card, show the session, log out (checks a card and PIN work).
    Login {
        /// Keep the session open until the card is removed, then log out.
        #[arg(long)]
        until_removed: bool,
    },
    /// The institution's users: list, add (alta), update, remove (baja). Coordinators only.
    Users {
        #[command(subcommand)]
        command: crate::account_cmd::UsersCommand,
    },
    /// The institution's signed user requests and their states. Coordinators only.
    Requests {
        #[command(subcommand)]
        command: crate::account_cmd::RequestsCommand,
    },
    /// Write a query workbook template (empty, or filled from a CSV export).
    QueryTemplate {
        /// By names instead of by CUI.
        #[arg(long)]
        names: bool,
        /// A CSV with the same column names (case, accents, spaces and `_` ignored).
        #[arg(long, value_name = "FILE.csv")]
        from_csv: Option<PathBuf>,
        #[arg(long, value_name = "FILE.xlsx")]
        out: PathBuf,
    },
    /// Consulta Social: submit a workbook, follow it, download the result.
    Query {
        #[command(subcommand)]
        command: crate::query_cmd::QueryCommand,
    },
    /// Reports for coordinators: a user's query activity.
    Report {
        #[command(subcommand)]
        command: crate::report_cmd::ReportCommand,
    },
    /// Follow-up cases: unresolved rows sent to the registry, signed with the card. Coordinators only.
    Case {
        #[command(subcommand)]
        command: crate::case_cmd::CaseCommand,
    },
    /// The registry's service desk: questions, incidents, improvement requests.
    Ticket {
        #[command(subcommand)]
        command: crate::ticket_cmd::TicketCommand,
    },
    /// The national eID card in the reader.
    Card {
        #[command(subcommand)]
        command: crate::card_info::CardCommand,
    },
}
