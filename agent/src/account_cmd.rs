//! `padron-agent login`, `users …`, `requests list`: the coordinator's work
//! with the eID card. Each command opens the card, asks for the PIN (or
//! reads `PADRON_PIN`), logs in, does its work, and logs out, also when the
//! card is removed half-way.

use clap::{Subcommand, ValueEnum};
use padron_drivers::Pin;
use padron_shared::auth::{Role, SessionInfo};
use padron_shared::config_card::CardSettings;
use padron_shared::users::{RemovalReason, RequestAction, RequestView, UserChange};
use padron_shared::{ErrorCode, Lang};

use crate::card_session::{OpenCard, SessionError, login, open_card, watch_removal};
use crate::client::Client;
use crate::user_admin::{Field, check_change, sign_and_submit};

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// The institution's users.
    List,
    /// Add a user (alta), signed with the card.
    Add {
        #[arg(long)]
        cui: String,
        /// Full name as on the DPI.
        #[arg(long)]
        name: String,
        /// Institutional e-mail.
        #[arg(long)]
        email: String,
        /// Mobile phone.
        #[arg(long)]
        phone: String,
        /// Office extension.
        #[arg(long)]
        extension: Option<String>,
        /// Dependencia.
        #[arg(long)]
        department: String,
        /// Puesto.
        #[arg(long)]
        post: String,
        /// Social programme the user works for.
        #[arg(long)]
        programme: String,
    },
    /// Update a user's e-mail, phone, department, post or programme (actualización), signed with the card.
    Update {
        #[arg(long)]
        cui: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        extension: Option<String>,
        #[arg(long)]
        department: Option<String>,
        #[arg(long)]
        post: Option<String>,
        #[arg(long)]
        programme: Option<String>,
    },
    /// Remove a user (baja), signed with the card.
    Remove {
        #[arg(long)]
        cui: String,
        #[arg(long, value_enum)]
        reason: Reason,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Reason {
    /// The worker's functions changed.
    FunctionsChanged,
    /// The employment ended.
    EmploymentEnded,
    /// The head of the institution changed.
    AuthorityChanged,
}

impl From<Reason> for RemovalReason {
    fn from(r: Reason) -> RemovalReason {
        match r {
            Reason::FunctionsChanged => RemovalReason::FunctionsChanged,
            Reason::EmploymentEnded => RemovalReason::EmploymentEnded,
            Reason::AuthorityChanged => RemovalReason::AuthorityChanged,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum RequestsCommand {
    /// The institution's add/update/remove requests and their states.
    List,
}

/// What the signed-in command does once logged in.
#[derive(Debug)]
pub enum Work {
    /// Just show who is logged in; with `until_removed`, keep the session
    /// open until the card leaves the reader.
    Whoami {
        until_removed: bool,
    },
    Users(UsersCommand),
    Requests(RequestsCommand),
    Query(crate::query_cmd::QueryCommand),
    Report(crate::report_cmd::ReportCommand),
    Case(crate::case_cmd::CaseCommand),
    Ticket(crate::ticket_cmd::TicketCommand),
}

/// The PIN: `PADRON_PIN` for scripts and tests, otherwise asked without echo.
pub fn read_pin(lang: Lang, prompt_es: &str, prompt_en: &str) -> Result<Pin, SessionError> {
    // The typed text is wiped when this returns; only the `Pin` (wiped on
    // drop too) goes on to the card.
    let text = zeroize::Zeroizing::new(match std::env::var("PADRON_PIN") {
        Ok(pin) => pin,
        Err(_) => rpassword::prompt_password(format!("{} ", lang.pick(prompt_es, prompt_en)))
            .map_err(|e| SessionError::Payload(format!("PIN: {e}")))?,
    });
    Ok(Pin::new(text.trim())?)
}

/// Logs in with the card, runs `work`, logs out. If the card leaves the
/// reader first, the session is ended on the server and `CARD_REMOVED` returned.
pub async fn run(
    client: &Client,
    settings: &CardSettings,
    work: Work,
    lang: Lang,
) -> Result<(), SessionError> {
    let mut card = open_card(settings)?;
    let (removed, _guard) = watch_removal(&card.reader)?;
    let pin = read_pin(lang, "PIN de la tarjeta:", "Card PIN:")?;
    let session = login(client, &mut card, &pin).await?;
    let token = session.token.clone();
    let outcome = tokio::select! {
        result = perform(client, &mut card, &pin, &session, work, lang) => result,
        _ = removed => Err(SessionError::Card(padron_drivers::CardError::CardRemoved)),
    };
    // Always end the session: after the work, on an error, and at once when
    // the card was removed.
    if let Err(e) = client.logout(&token).await {
        tracing::warn!(error = %e, "logout failed");
    }
    outcome
}

async fn perform(
    client: &Client,
    card: &mut OpenCard,
    pin: &Pin,
    session: &SessionInfo,
    work: Work,
    lang: Lang,
) -> Result<(), SessionError> {
    let role = match session.role {
        Role::Coordinator => lang.pick("coordinador(a)", "coordinator"),
        Role::User => lang.pick("usuario(a)", "user"),
    };
    eprintln!(
        "{} {} ({}, CUI {}) — {} {}",
        lang.pick("Sesión iniciada:", "Logged in:"),
        session.name,
        role,
        session.cui.display_grouped(),
        session.institution_code,
        session.institution_name
    );
    match work {
        Work::Whoami { until_removed } => {
            println!(
                "{} {}",
                lang.pick("Sesión válida hasta", "Session valid until"),
                session.expires_at
            );
            if until_removed {
                println!(
                    "{}",
                    lang.pick(
                        "La sesión sigue abierta hasta que retire la tarjeta.",
                        "The session stays open until the card is removed."
                    )
                );
                // Flushed now: whoever watches the output learns the session is open.
                use std::io::Write;
                let _ = std::io::stdout().flush();
                std::future::pending::<()>().await;
            }
            Ok(())
        }
        Work::Query(command) => crate::query_cmd::run(client, &session.token, command, lang).await,
        Work::Report(command) => crate::report_cmd::run(client, session, command, lang).await,
        Work::Case(command) => {
            crate::case_cmd::run(client, card, pin, session, command, lang).await
        }
        Work::Ticket(command) => {
            crate::ticket_cmd::run(client, &session.token, command, lang).await
        }
        Work::Requests(RequestsCommand::List) => {
            let list = client.requests(&session.token).await?;
            print_requests(&list, lang);
            Ok(())
        }
        Work::Users(UsersCommand::List) => {
            let users = client.users(&session.token).await?;
            println!(
                "{:<15} {:<30} {:<22} {:<10} {}",
                "CUI",
                lang.pick("NOMBRE", "NAME"),
                lang.pick("PROGRAMA", "PROGRAMME"),
                lang.pick("ESTADO", "STATUS"),
                lang.pick("DESDE", "SINCE")
            );
            for u in &users {
                let status = if u.blocked {
                    "BLOCKED".to_owned()
                } else {
                    u.status.clone()
                };
                println!(
                    "{:<15} {:<30} {:<22} {:<10} {}",
                    u.cui, u.full_name, u.programme, status, u.since
                );
            }
            let active = users.iter().filter(|u| u.status == "ACTIVE").count();
            println!(
                "{} {active} / 10",
                lang.pick("Usuarios activos:", "Active users:")
            );
            Ok(())
        }
        Work::Users(cmd) => {
            let (action, user) = change(cmd);
            // Refused before the PIN is asked: nothing wrong gets signed.
            if let Some(problem) = check_change(action, &user).into_iter().next() {
                let code = if problem.field == Field::Cui {
                    ErrorCode::CuiInvalid
                } else {
                    ErrorCode::UserFieldInvalid
                };
                return Err(SessionError::Client(crate::client::ClientError::Api(
                    padron_shared::ErrorBody::new(code, lang, Some(problem.text(lang).to_owned())),
                )));
            }
            eprintln!(
                "{}",
                lang.pick(
                    "La solicitud se firmará con la llave de firma de la tarjeta.",
                    "The request will be signed with the card's signature key."
                )
            );
            let sign_pin = match std::env::var("PADRON_PIN") {
                Ok(_) => pin.clone(),
                Err(_) => read_pin(lang, "PIN para firmar:", "PIN to sign:")?,
            };
            let view =
                sign_and_submit(client, card, &sign_pin, session, action, user, lang).await?;
            print_requests(std::slice::from_ref(&view), lang);
            Ok(())
        }
    }
}

fn change(cmd: UsersCommand) -> (RequestAction, UserChange) {
    match cmd {
        UsersCommand::Add {
            cui,
            name,
            email,
            phone,
            extension,
            department,
            post,
            programme,
        } => (
            RequestAction::Add,
            UserChange {
                cui,
                full_name: Some(name),
                email: Some(email),
                phone: Some(phone),
                extension,
                department: Some(department),
                post: Some(post),
                programme: Some(programme),
                reason: None,
            },
        ),
        UsersCommand::Update {
            cui,
            name,
            email,
            phone,
            extension,
            department,
            post,
            programme,
        } => (
            RequestAction::Update,
            UserChange {
                cui,
                full_name: name,
                email,
                phone,
                extension,
                department,
                post,
                programme,
                reason: None,
            },
        ),
        UsersCommand::Remove { cui, reason } => (
            RequestAction::Remove,
            UserChange {
                cui,
                reason: Some(reason.into()),
                ..Default::default()
            },
        ),
        UsersCommand::List => (RequestAction::Update, UserChange::default()),
    }
}

fn print_requests(list: &[RequestView], lang: Lang) {
    println!(
        "{:<36} {:<7} {:<15} {:<10} {}",
        lang.pick("SOLICITUD", "REQUEST"),
        lang.pick("ACCIÓN", "ACTION"),
        "CUI",
        lang.pick("ESTADO", "STATE"),
        lang.pick("FECHA", "DATE")
    );
    for r in list {
        let state = match (&r.reject_code, &r.reject_message) {
            (Some(code), Some(msg)) => format!("{} [{code}] {msg}", r.state),
            (Some(code), None) => format!("{} [{code}]", r.state),
            _ => r.state.to_string(),
        };
        println!(
            "{:<36} {:<7} {:<15} {:<10} {}",
            r.id,
            r.action.as_str(),
            r.user_cui,
            state,
            r.updated_at
        );
    }
}
