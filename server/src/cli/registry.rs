//! `padron-server registry …` and `padron-server match`: arguments and what
//! they print.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use padron_shared::{ErrorCode, Lang};

use crate::cli::DataArg;
use padron_consulta::matching::RowOutcome;

use padron_consulta::job::{ConsultaError, JobResult, run_job_with};
use padron_consulta::matching::engine::MatchingSettings;
use padron_consulta::queries::{WorkbookError, read_workbook};
use padron_consulta::registry::generate::generate;
use padron_consulta::registry::import::import;
use padron_consulta::registry::store::Registry;

use crate::queue::sandbox::{Parser, Wait};

#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Write a synthetic civil registry (CSV) for demos, tests and benchmarks.
    Generate {
        /// How many persons.
        #[arg(long)]
        persons: u64,
        /// Seed: the same seed gives the same file.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output CSV file.
        #[arg(long, value_name = "FILE.csv")]
        out: PathBuf,
    },
    /// Import the registry CSV, replacing the current registry atomically.
    Import {
        #[command(flatten)]
        data: DataArg,
        /// The registry CSV (UTF-8, header `cui,primer_nombre,…`).
        #[arg(value_name = "FILE.csv")]
        csv: PathBuf,
    },
    /// Show what the imported registry holds.
    Stats {
        #[command(flatten)]
        data: DataArg,
    },
}

/// An error that carries its stable code, for `describe_error`.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CodedError {
    pub code: ErrorCode,
    pub message: String,
}

impl CodedError {
    fn error(code: ErrorCode, message: impl std::fmt::Display) -> anyhow::Error {
        CodedError {
            code,
            message: message.to_string(),
        }
        .into()
    }
}

fn t<'a>(lang: Lang, es: &'a str, en: &'a str) -> &'a str {
    if lang == Lang::En { en } else { es }
}

/// A progress bar on a terminal, nothing otherwise.
fn bar(len: u64, template: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

pub fn run(command: RegistryCommand, lang: Lang) -> anyhow::Result<()> {
    match command {
        RegistryCommand::Generate { persons, seed, out } => {
            let file = std::fs::File::create(&out).map_err(|e| {
                CodedError::error(ErrorCode::BadRequest, format!("{}: {e}", out.display()))
            })?;
            let progress = bar(persons, "{bar:40} {pos}/{len} personas ({per_sec}, {eta})");
            let started = std::time::Instant::now();
            let stats = generate(persons, seed, file, |n| progress.set_position(n))
                .map_err(|e| CodedError::error(ErrorCode::Internal, e))?;
            progress.finish_and_clear();
            println!(
                "{} {} ({} {:.1} s): {} {}, {} {}",
                out.display(),
                t(lang, "escrito", "written"),
                t(lang, "en", "in"),
                started.elapsed().as_secs_f64(),
                stats.persons,
                t(lang, "personas", "persons"),
                stats.deceased,
                t(lang, "fallecidas", "deceased"),
            );
            Ok(())
        }
        RegistryCommand::Import { data, csv } => {
            let progress = bar(
                1,
                "{msg:28} {bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
            );
            let summary =
                import(&data.data, &csv, &progress).map_err(|e| CodedError::error(e.code(), e))?;
            progress.finish_and_clear();
            println!(
                "{}: {} {} ({} {}), {:.1} s, {} MiB",
                t(lang, "Registro importado", "Registry imported"),
                summary.persons,
                t(lang, "personas", "persons"),
                summary.deceased,
                t(lang, "fallecidas", "deceased"),
                summary.seconds,
                summary.store_bytes / (1024 * 1024),
            );
            if summary.bad_rows > 0 {
                eprintln!(
                    "{} {} ({} {}):",
                    summary.bad_rows,
                    t(
                        lang,
                        "filas con errores se omitieron",
                        "rows with errors were skipped"
                    ),
                    t(lang, "lista completa en", "full list in"),
                    summary.report_path.display()
                );
                for bad in summary.first_bad_rows.iter().take(20) {
                    eprintln!(
                        "  {} {}: {}",
                        t(lang, "línea", "line"),
                        bad.line,
                        bad.reason
                    );
                }
            }
            Ok(())
        }
        RegistryCommand::Stats { data } => {
            let registry =
                Registry::open(&data.data).map_err(|e| CodedError::error(e.code(), e))?;
            let m = registry.meta();
            println!("{} {}", t(lang, "personas:", "persons:"), m.persons);
            println!("{} {}", t(lang, "fallecidas:", "deceased:"), m.deceased);
            println!(
                "{} {}",
                t(lang, "con apellido de casada:", "with married surname:"),
                m.with_married_surname
            );
            println!(
                "{} {}",
                t(lang, "entradas de índice:", "index entries:"),
                m.block_entries
            );
            println!(
                "{} {}",
                t(
                    lang,
                    "filas omitidas al importar:",
                    "rows skipped on import:"
                ),
                m.bad_rows
            );
            println!(
                "{} {}",
                t(lang, "archivo de origen:", "source file:"),
                m.source
            );
            println!(
                "{} {}",
                t(lang, "importado (UTC):", "imported (UTC):"),
                m.imported_at
            );
            println!(
                "{} {} s",
                t(lang, "duración de la importación:", "import took:"),
                m.import_seconds
            );
            println!(
                "{} {} ({} MiB)",
                t(lang, "almacén:", "store:"),
                registry.path().display(),
                registry.file_size() / (1024 * 1024)
            );
            Ok(())
        }
    }
}

/// `padron-server match`: the queue's engine on one workbook, without the queue.
pub fn run_match(
    data: &Path,
    input: &Path,
    output: &Path,
    outside_share: Option<f64>,
    in_process: bool,
    lang: Lang,
) -> anyhow::Result<()> {
    // The installation's setting when this is one; a bare registry
    // directory (the benchmark's) has no server.toml.
    let mut settings = match crate::datadir::DataDir::open(data) {
        Ok(dir) => dir.config()?.matching.settings(),
        Err(_) => padron_consulta::matching::engine::MatchingSettings::default(),
    };
    if let Some(share) = outside_share {
        if !(share > 0.0 && share <= 0.5) {
            return Err(CodedError::error(
                ErrorCode::BadRequest,
                format!(
                    "--outside-share: una proporción mayor que 0 y hasta 0,5 / a share above 0 and at most 0.5, not {share}"
                ),
            ));
        }
        settings.outside_share = share;
    }
    let progress = bar(1, "{bar:40} {pos}/{len} filas ({eta})");
    let result = match_file(
        data,
        settings,
        input,
        output,
        in_process,
        &mut |done, total| {
            progress.set_length(total as u64);
            progress.set_position(done as u64);
        },
    )
    .map_err(|e| CodedError::error(e.code(), e))?;
    progress.finish_and_clear();
    let counts: Vec<String> = RowOutcome::ALL
        .iter()
        .zip(result.counts)
        .map(|(o, n)| format!("{} {n}", o.as_str()))
        .collect();
    println!(
        "{} ({} {}, {} {}): {}; {:.2} s",
        output.display(),
        result.rows,
        t(lang, "filas", "rows"),
        t(lang, "por", "by"),
        result.mode.as_str(),
        counts.join(", "),
        result.seconds
    );
    Ok(())
}

/// `padron-server match`: reads `input` (in a sandboxed child, as uploads
/// are, unless `in_process`), runs the job on the registry of `data_dir`,
/// writes `output`.
pub fn match_file(
    data_dir: &Path,
    settings: MatchingSettings,
    input: &Path,
    output: &Path,
    in_process: bool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<JobResult, ConsultaError> {
    let len = std::fs::metadata(input)?.len();
    if len > padron_consulta::queries::MAX_FILE_BYTES {
        return Err(WorkbookError::TooLarge(len).into());
    }
    let bytes = std::fs::read(input)?;
    let workbook = if in_process {
        read_workbook(&bytes)?
    } else {
        let parsing = crate::datadir::DataDir::open(data_dir)
            .and_then(|d| d.config())
            .map(|c| c.parsing)
            .unwrap_or_default();
        Parser::new(&parsing).parse(&bytes, Wait::Forever)?
    };
    let registry = Registry::open(data_dir)?;
    let name = input
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let result = run_job_with(
        &registry,
        settings,
        &workbook,
        &name,
        time::OffsetDateTime::now_utc(),
        progress,
    )?;
    std::fs::write(output, &result.xlsx)?;
    Ok(result)
}
