//! `padron-agent query …`: submit a Consulta Social workbook, follow it in
//! the FIFO queue, download the result.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use padron_shared::queries::{JobListParams, JobState, QueryJob};
use padron_shared::{ErrorBody, ErrorCode, Lang};

use crate::card_session::SessionError;
use crate::client::{Client, ClientError};

#[derive(Debug, Subcommand)]
pub enum QueryCommand {
    /// Upload a workbook (by CUI or by names) to the queue.
    Submit {
        /// The .xlsx (or .xls / .ods) workbook.
        file: PathBuf,
        /// Wait for the result, showing the queue position and then the progress.
        #[arg(long)]
        wait: bool,
        /// With --wait: where to save the result workbook.
        #[arg(long, value_name = "OUT.xlsx", requires = "wait")]
        out: Option<PathBuf>,
    },
    /// Show one job's state.
    Status { id: String },
    /// Your jobs, newest first (a coordinator sees the institution's): the
    /// latest 50, or every one with --all.
    List {
        #[arg(long)]
        all: bool,
    },
    /// Consulta individual: one person, by CUI or by names, answered at once.
    #[command(group(clap::ArgGroup::new("who").required(true).args(["cui", "names"])))]
    One {
        #[arg(long)]
        cui: Option<String>,
        /// Given names then surnames (a comma between them makes the split exact).
        #[arg(long)]
        names: Option<String>,
        /// Date of birth when known (dd/mm/aaaa); with --names only.
        #[arg(long, value_name = "dd/mm/aaaa", requires = "names")]
        birth: Option<String>,
        /// The social programme the query is for.
        #[arg(long)]
        programme: String,
        /// The institution's own reference for the person.
        #[arg(long)]
        reference: Option<String>,
    },
    /// Download a finished job's result workbook.
    Result {
        id: String,
        #[arg(long, value_name = "OUT.xlsx")]
        out: PathBuf,
    },
}

fn refusal(code: ErrorCode, lang: Lang, detail: String) -> SessionError {
    SessionError::Client(ClientError::Api(ErrorBody::new(code, lang, Some(detail))))
}

fn print_job(job: &QueryJob, lang: Lang) {
    println!("{} {}", lang.pick("Consulta:", "Query:"), job.id);
    println!(
        "  {} {} ({} {}, {})",
        lang.pick("archivo:", "file:"),
        job.file_name,
        job.rows,
        lang.pick("filas", "rows"),
        job.mode
    );
    let state = match (job.state, job.jobs_ahead) {
        (JobState::Queued, Some(0)) => lang
            .pick("en cola, es la siguiente", "queued, next in line")
            .to_owned(),
        (JobState::Queued, Some(n)) => format!(
            "{} {n}",
            lang.pick("en cola; consultas antes:", "queued; jobs ahead:")
        ),
        (JobState::Running, _) => format!(
            "{} {}%",
            lang.pick("en proceso", "running"),
            job.progress_percent
        ),
        (other, _) => other.as_str().to_owned(),
    };
    println!("  {} {state}", lang.pick("estado:", "state:"));
    if let Some(counts) = &job.counts {
        // The counts as the API gives them (`{"AMBIGUO":0,…}`).
        let text = serde_json::to_string(counts).unwrap_or_default();
        println!("  {} {text}", lang.pick("resultados:", "results:"));
    }
    if let (Some(code), Some(msg)) = (&job.fail_code, &job.fail_message) {
        println!("  {} [{code}] {msg}", lang.pick("falló:", "failed:"));
    }
}

fn save(path: &Path, bytes: &[u8]) -> Result<(), SessionError> {
    std::fs::write(path, bytes)
        .map_err(|e| SessionError::Payload(format!("{}: {e}", path.display())))
}

pub async fn run(
    client: &Client,
    token: &str,
    command: QueryCommand,
    lang: Lang,
) -> Result<(), SessionError> {
    match command {
        QueryCommand::Submit { file, wait, out } => {
            let bytes = std::fs::read(&file).map_err(|e| {
                refusal(
                    ErrorCode::WorkbookUnreadable,
                    lang,
                    format!("{}: {e}", file.display()),
                )
            })?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let job = client.upload_query(token, &name, bytes).await?;
            print_job(&job, lang);
            if !wait {
                return Ok(());
            }
            let done = follow(client, token, &job.id, lang).await?;
            if done.state != JobState::Done {
                let code = done
                    .fail_code
                    .as_deref()
                    .and_then(ErrorCode::from_code)
                    .unwrap_or(ErrorCode::QueryFailed);
                return Err(refusal(code, lang, done.id));
            }
            print_job(&done, lang);
            let bytes = client.query_result(token, &done.id).await?;
            let out = out.unwrap_or_else(|| {
                file.with_file_name(format!("{}-resultado.xlsx", name.trim_end_matches(".xlsx")))
            });
            save(&out, &bytes)?;
            println!(
                "{} {}",
                lang.pick("Resultado guardado en", "Result saved to"),
                out.display()
            );
            Ok(())
        }
        QueryCommand::One {
            cui,
            names,
            birth,
            programme,
            reference,
        } => {
            let query = padron_shared::single::OneQuery {
                programme,
                cui,
                names,
                birth,
                reference,
            };
            crate::one_query_cmd::run(client, token, query, lang).await
        }
        QueryCommand::Status { id } => {
            print_job(&client.query(token, &id).await?, lang);
            Ok(())
        }
        QueryCommand::List { all } => {
            let mut page = JobListParams::default();
            loop {
                let jobs = client.queries(token, &page).await?;
                for job in &jobs {
                    println!(
                        "{:<36} {:<8} {:<6} {:>6} {:<24} {}",
                        job.id, job.state, job.mode, job.rows, job.created_at, job.file_name
                    );
                }
                // A short page is the last one.
                let full = jobs.len() == page.page_size().unwrap_or_default() as usize;
                match jobs.last() {
                    Some(last) if all && full => page.before = Some(last.id.clone()),
                    _ => return Ok(()),
                }
            }
        }
        QueryCommand::Result { id, out } => {
            let bytes = client.query_result(token, &id).await?;
            save(&out, &bytes)?;
            println!(
                "{} {}",
                lang.pick("Resultado guardado en", "Result saved to"),
                out.display()
            );
            Ok(())
        }
    }
}

/// Polls the job until it ends: a spinner with the queue position, then a
/// bar with the rows done. Drawn only on a terminal.
async fn follow(
    client: &Client,
    token: &str,
    id: &str,
    lang: Lang,
) -> Result<QueryJob, SessionError> {
    let bar = ProgressBar::new(100);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}%")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    loop {
        let job = client.query(token, id).await?;
        match job.state {
            JobState::Queued => {
                let ahead = job.jobs_ahead.unwrap_or(0);
                bar.set_message(format!(
                    "{} {ahead}",
                    lang.pick("en cola; antes:", "queued; ahead:")
                ));
            }
            JobState::Running => {
                bar.set_message(lang.pick("procesando", "processing").to_owned());
                bar.set_position(u64::from(job.progress_percent));
            }
            JobState::Done | JobState::Failed | JobState::Expired => {
                bar.finish_and_clear();
                return Ok(job);
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
