//! `padron-server ticket …`: registry staff answer the service desk.

use clap::{Subcommand, ValueEnum};
use padron_shared::{ErrorCode, Lang};

use crate::cli::DataArg;
use crate::cli::commands::open;
use crate::cli::registry::CodedError;
use crate::clock::Clock;
use crate::desk::tickets::TicketError;

#[derive(Debug, Subcommand)]
pub enum TicketCommand {
    /// Tickets, newest first.
    List {
        #[command(flatten)]
        data: DataArg,
        #[arg(long, value_enum)]
        state: Option<TicketState>,
        /// Only this institution's (code).
        #[arg(long)]
        institution: Option<String>,
    },
    /// One ticket with its context and every message.
    Show {
        #[command(flatten)]
        data: DataArg,
        id: i64,
    },
    /// Reply (the first reply moves a RECIBIDO ticket to EN_PROCESO).
    Reply {
        #[command(flatten)]
        data: DataArg,
        id: i64,
        #[arg(long)]
        text: String,
    },
    /// Move a ticket on: en-proceso, resuelto, cerrado.
    State {
        #[command(flatten)]
        data: DataArg,
        id: i64,
        #[arg(value_enum)]
        state: TicketState,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TicketState {
    Recibido,
    EnProceso,
    Resuelto,
    Cerrado,
}

impl TicketState {
    fn typed(self) -> padron_shared::tickets::TicketState {
        use padron_shared::tickets::TicketState as S;
        match self {
            TicketState::Recibido => S::Recibido,
            TicketState::EnProceso => S::EnProceso,
            TicketState::Resuelto => S::Resuelto,
            TicketState::Cerrado => S::Cerrado,
        }
    }
}

fn coded(code: ErrorCode, message: impl std::fmt::Display) -> anyhow::Error {
    CodedError {
        code,
        message: message.to_string(),
    }
    .into()
}

fn ticket_err(e: TicketError) -> anyhow::Error {
    coded(e.code(), e)
}

fn t<'a>(lang: Lang, es: &'a str, en: &'a str) -> &'a str {
    if lang == Lang::En { en } else { es }
}

pub fn run(cmd: TicketCommand, lang: Lang, clock: &dyn Clock) -> anyhow::Result<()> {
    let p = crate::audit::printable;
    match cmd {
        TicketCommand::List {
            data,
            state,
            institution,
        } => {
            let (_, store) = open(&data.data)?;
            let inst = match institution {
                Some(code) => Some(
                    store
                        .institution(&code)?
                        .ok_or_else(|| coded(ErrorCode::InstitutionUnknown, &code))?
                        .id,
                ),
                None => None,
            };
            let list = store.tickets(inst, None, state.map(TicketState::typed), None)?;
            println!(
                "{:>5} {:<10} {:<10} {:<11} {:<24} {}",
                "ID",
                t(lang, "TIPO", "KIND"),
                t(lang, "INSTITUCIÓN", "INSTITUTION"),
                t(lang, "ESTADO", "STATE"),
                t(lang, "ABIERTO", "OPENED"),
                t(lang, "ASUNTO", "SUBJECT")
            );
            for x in &list {
                println!(
                    "{:>5} {:<10} {:<10} {:<11} {:<24} {}",
                    x.id,
                    x.kind,
                    x.institution_code,
                    x.state,
                    x.created_at,
                    p(&x.subject)
                );
            }
            println!("{} {}", list.len(), t(lang, "tickets", "tickets"));
            Ok(())
        }
        TicketCommand::Show { data, id } => {
            let (_, store) = open(&data.data)?;
            let x = store
                .ticket(id)?
                .ok_or_else(|| ticket_err(TicketError::NotFound(id)))?;
            let messages = store.ticket_messages(id)?;
            println!("Ticket {} [{}] {}", x.id, x.kind, p(&x.subject));
            println!("  {} {}", t(lang, "estado:", "state:"), x.state);
            println!(
                "  {} {} ({}, CUI {}, {})",
                t(lang, "persona:", "person:"),
                p(&x.author_name),
                x.author_role,
                x.author_cui,
                x.institution_code
            );
            println!(
                "  {} {} ({})",
                t(lang, "estación:", "workstation:"),
                x.workstation_id,
                p(&x.workstation_site)
            );
            println!(
                "  {} {}",
                t(lang, "versión:", "version:"),
                p(&x.agent_version)
            );
            if let Some(a) = &x.about {
                println!("  {} {}", t(lang, "sobre:", "about:"), p(a));
            }
            println!("  {} {}", t(lang, "abierto:", "opened:"), x.created_at);
            for (label, v) in [
                (
                    t(lang, "primera respuesta:", "first reply:"),
                    &x.first_reply_at,
                ),
                (t(lang, "resuelto:", "resolved:"), &x.resolved_at),
                (t(lang, "cerrado:", "closed:"), &x.closed_at),
            ] {
                if let Some(v) = v {
                    println!("  {label} {v}");
                }
            }
            for m in &messages {
                println!("  --- {} {} ({})", m.at, p(&m.author), m.side);
                for line in m.text.lines() {
                    println!("  {}", p(line));
                }
            }
            Ok(())
        }
        TicketCommand::Reply { data, id, text } => {
            let (_, store) = open(&data.data)?;
            crate::desk::tickets::reply(
                store.as_ref(),
                &crate::admin::local_actor(),
                clock.now(),
                id,
                &text,
            )
            .map_err(ticket_err)?;
            println!(
                "Ticket {id}: {}",
                t(lang, "respuesta registrada", "reply recorded")
            );
            Ok(())
        }
        TicketCommand::State { data, id, state } => {
            let (_, store) = open(&data.data)?;
            crate::desk::tickets::set_state(
                store.as_ref(),
                &crate::admin::local_actor(),
                clock.now(),
                id,
                state.typed(),
            )
            .map_err(ticket_err)?;
            println!("Ticket {id}: {}", state.typed());
            Ok(())
        }
    }
}
