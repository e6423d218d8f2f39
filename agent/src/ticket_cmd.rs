//! `padron-agent ticket …`: the service desk from the workstation. The
//! server attaches the workstation, the person and the institution from
//! the session; the agent adds its version.

use clap::{Subcommand, ValueEnum};
use padron_shared::Lang;
use padron_shared::tickets::{NewTicket, TicketView};

use crate::card_session::SessionError;
use crate::client::Client;

#[derive(Debug, Subcommand)]
pub enum TicketCommand {
    /// Open a ticket: a question, an incident, or (coordinators) an improvement request.
    Open {
        #[arg(long, value_enum)]
        kind: Kind,
        #[arg(long)]
        subject: String,
        #[arg(long)]
        text: String,
        /// The job, request or case the ticket is about.
        #[arg(long)]
        about: Option<String>,
    },
    /// Your tickets (a coordinator sees the institution's); `*` marks a new reply.
    List,
    /// One ticket with every message (marks its replies read).
    Show { id: i64 },
    /// Reopen a resolved ticket (within 15 days of its resolution).
    Reopen {
        id: i64,
        #[arg(long)]
        text: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Kind {
    Duda,
    Incidente,
    Mejora,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Duda => "duda",
            Kind::Incidente => "incidente",
            Kind::Mejora => "mejora",
        }
    }
}

/// What the agent attaches as its version.
pub fn agent_version() -> String {
    concat!("padron-agent ", env!("CARGO_PKG_VERSION")).to_owned()
}

pub fn print_ticket(t: &TicketView, lang: Lang) {
    println!("Ticket {} [{}] {}", t.id, t.kind, t.subject);
    println!("  {} {}", lang.pick("estado:", "state:"), t.state);
    println!(
        "  {} {} ({}), {} {} ({}), {}",
        lang.pick("persona:", "person:"),
        t.author_name,
        t.author_cui,
        lang.pick("estación", "workstation"),
        t.workstation_id,
        t.workstation_site,
        t.institution
    );
    if let Some(a) = &t.about {
        println!("  {} {a}", lang.pick("sobre:", "about:"));
    }
    for m in &t.messages {
        let who = if m.side == "REGISTRY" {
            lang.pick("Registro", "Registry")
        } else {
            &m.author
        };
        println!("  --- {} {who}", m.at);
        for line in m.text.lines() {
            println!("  {line}");
        }
    }
}

pub async fn run(
    client: &Client,
    token: &str,
    command: TicketCommand,
    lang: Lang,
) -> Result<(), SessionError> {
    match command {
        TicketCommand::Open {
            kind,
            subject,
            text,
            about,
        } => {
            let t = NewTicket {
                kind: kind.as_str().to_owned(),
                subject,
                text,
                agent_version: agent_version(),
                about,
            };
            let view = client.open_ticket(token, &t).await?;
            print_ticket(&view, lang);
            Ok(())
        }
        TicketCommand::List => {
            for t in client.tickets(token).await? {
                println!(
                    "{}{:>5} {:<10} {:<11} {} {}",
                    if t.unread { "*" } else { " " },
                    t.id,
                    t.kind,
                    t.state,
                    t.created_at,
                    t.subject
                );
            }
            Ok(())
        }
        TicketCommand::Show { id } => {
            print_ticket(&client.ticket(token, id).await?, lang);
            Ok(())
        }
        TicketCommand::Reopen { id, text } => {
            print_ticket(&client.reopen_ticket(token, id, &text).await?, lang);
            Ok(())
        }
    }
}
