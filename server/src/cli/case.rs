//! `padron-server case …`: the registry's identity-verification desk works
//! the follow-up cases institutions sent.

use clap::{Subcommand, ValueEnum};
use padron_shared::{Cui, ErrorCode, Lang};

use crate::cli::DataArg;
use crate::cli::commands::open;
use crate::cli::registry::CodedError;
use crate::clock::Clock;
use crate::desk::cases::{CaseError, Outcome};

#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// Cases, newest first.
    List {
        #[command(flatten)]
        data: DataArg,
        #[arg(long, value_enum)]
        state: Option<CaseState>,
        /// Only this institution's (code).
        #[arg(long)]
        institution: Option<String>,
    },
    /// One case with its rows, the locating data and each outcome.
    Show {
        #[command(flatten)]
        data: DataArg,
        id: String,
    },
    /// Record a row's outcome (the first moves the case to EN_PROCESO).
    Update {
        #[command(flatten)]
        data: DataArg,
        id: String,
        /// The row (`fila`, as `case show` lists it).
        #[arg(long)]
        row: u32,
        #[arg(long, value_enum)]
        outcome: CaseOutcome,
        /// With `verified`: the person's CUI.
        #[arg(long, required_if_eq("outcome", "verified"))]
        cui: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Close a case (CERRADO).
    Close {
        #[command(flatten)]
        data: DataArg,
        id: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CaseState {
    Recibido,
    EnProceso,
    Cerrado,
}

impl CaseState {
    fn typed(self) -> padron_shared::cases::CaseState {
        use padron_shared::cases::CaseState as S;
        match self {
            CaseState::Recibido => S::Recibido,
            CaseState::EnProceso => S::EnProceso,
            CaseState::Cerrado => S::Cerrado,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CaseOutcome {
    Verified,
    NotFound,
    VisitNeeded,
}

fn coded(code: ErrorCode, message: impl std::fmt::Display) -> anyhow::Error {
    CodedError {
        code,
        message: message.to_string(),
    }
    .into()
}

fn case_err(e: CaseError) -> anyhow::Error {
    coded(e.code(), e)
}

fn t<'a>(lang: Lang, es: &'a str, en: &'a str) -> &'a str {
    if lang == Lang::En { en } else { es }
}

pub fn run(cmd: CaseCommand, lang: Lang, clock: &dyn Clock) -> anyhow::Result<()> {
    let p = crate::audit::printable;
    match cmd {
        CaseCommand::List {
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
            let cases = store.cases(inst, state.map(CaseState::typed))?;
            println!(
                "{:<36} {:<10} {:<11} {:>5} {:>9} {}",
                t(lang, "CASO", "CASE"),
                t(lang, "INSTITUCIÓN", "INSTITUTION"),
                t(lang, "ESTADO", "STATE"),
                t(lang, "FILAS", "ROWS"),
                t(lang, "ATENDIDAS", "ANSWERED"),
                t(lang, "RECIBIDO", "RECEIVED")
            );
            for c in &cases {
                println!(
                    "{:<36} {:<10} {:<11} {:>5} {:>9} {}",
                    c.id, c.institution_code, c.state, c.rows_total, c.rows_answered, c.received_at
                );
            }
            println!("{} {}", cases.len(), t(lang, "casos", "cases"));
            Ok(())
        }
        CaseCommand::Show { data, id } => {
            let (_, store) = open(&data.data)?;
            let case = store
                .case(&id)?
                .ok_or_else(|| case_err(CaseError::NotFound(p(&id))))?;
            let rows = store.case_rows(&case.id)?;
            let v = crate::desk::cases::view(&case, &rows, true);
            println!("{} {}", t(lang, "Caso", "Case"), v.id);
            println!(
                "  {} {}",
                t(lang, "institución:", "institution:"),
                v.institution
            );
            println!("  {} {}", t(lang, "consulta:", "query:"), v.job_id);
            println!(
                "  {} {}",
                t(lang, "coordinador(a):", "coordinator:"),
                v.coordinator_cui
            );
            println!("  {} {}", t(lang, "estado:", "state:"), v.state);
            println!("  {} {}", t(lang, "recibido:", "received:"), v.received_at);
            if let Some(d) = &v.in_process_at {
                println!("  {} {d}", t(lang, "en proceso:", "in process:"));
            }
            if let Some(d) = &v.closed_at {
                println!("  {} {d}", t(lang, "cerrado:", "closed:"));
            }
            if v.purged {
                println!(
                    "  {}",
                    t(
                        lang,
                        "datos personales eliminados al cumplirse el plazo de conservación",
                        "personal data deleted at the end of the retention period"
                    )
                );
            }
            for r in &v.rows {
                println!(
                    "  {} {} [{}] {} — {}",
                    t(lang, "fila", "row"),
                    r.input.fila,
                    p(&r.input.referencia),
                    r.resultado,
                    p(&r.consulta)
                );
                for (label, value) in [
                    (t(lang, "dirección", "address"), &r.input.direccion),
                    (t(lang, "comunidad", "community"), &r.input.comunidad),
                    (t(lang, "municipio", "municipality"), &r.input.municipio),
                    (t(lang, "teléfono", "phone"), &r.input.telefono),
                    (t(lang, "observaciones", "remarks"), &r.input.observaciones),
                ] {
                    if !value.is_empty() {
                        println!("      {label}: {}", p(value));
                    }
                }
                if let Some(o) = &r.outcome {
                    let cui = r
                        .outcome_cui
                        .as_deref()
                        .map(|c| format!(" CUI {c}"))
                        .unwrap_or_default();
                    let note = r
                        .note
                        .as_deref()
                        .map(|n| format!(" — {}", p(n)))
                        .unwrap_or_default();
                    println!(
                        "      {} {o}{cui}{note} ({})",
                        t(lang, "resultado:", "outcome:"),
                        r.updated_at.clone().unwrap_or_default()
                    );
                }
            }
            Ok(())
        }
        CaseCommand::Update {
            data,
            id,
            row,
            outcome,
            cui,
            note,
        } => {
            let (_, store) = open(&data.data)?;
            let outcome = match outcome {
                CaseOutcome::Verified => {
                    let text = cui.unwrap_or_default();
                    let cui = Cui::parse(&text).map_err(|e| coded(ErrorCode::CuiInvalid, e))?;
                    Outcome::Verified(cui)
                }
                CaseOutcome::NotFound => Outcome::NotFound,
                CaseOutcome::VisitNeeded => Outcome::VisitNeeded,
            };
            if let Some(n) = &note
                && (n.chars().count() > 500 || n.chars().any(char::is_control))
            {
                return Err(coded(
                    ErrorCode::BadRequest,
                    "note: at most 500 characters, no control characters",
                ));
            }
            crate::desk::cases::update_row(
                store.as_ref(),
                &crate::admin::local_actor(),
                clock.now(),
                &id,
                row,
                &outcome,
                note.as_deref(),
            )
            .map_err(case_err)?;
            println!(
                "{} {id}, {} {row}: {}",
                t(lang, "Caso", "Case"),
                t(lang, "fila", "row"),
                outcome.as_str()
            );
            Ok(())
        }
        CaseCommand::Close { data, id } => {
            let (_, store) = open(&data.data)?;
            crate::desk::cases::close(
                store.as_ref(),
                &crate::admin::local_actor(),
                clock.now(),
                &id,
            )
            .map_err(case_err)?;
            println!("{} {id}: CERRADO", t(lang, "Caso", "Case"));
            Ok(())
        }
    }
}
