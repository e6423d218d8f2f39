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
    /// Publish this node's registry as the current version (`import` does
    /// it; this repeats it, e.g. after the database was unreachable).
    Publish {
        #[command(flatten)]
        data: DataArg,
    },
    /// The current registry version and which node holds which (last seen).
    Status {
        #[command(flatten)]
        data: DataArg,
    },
}

/// Publishes the registry of `data` and says so; a bare registry directory
/// (no installation: the benchmark's) has nothing to publish to.
fn publish(data: &Path, lang: Lang, after_import: bool) -> anyhow::Result<()> {
    let Ok(dir) = crate::datadir::DataDir::open(data) else {
        if after_import {
            return Ok(());
        }
        return Err(CodedError::error(
            ErrorCode::BadRequest,
            format!(
                "{}: no es un directorio de datos / not a data directory",
                data.display()
            ),
        ));
    };
    let store = dir.open_store().map_err(crate::error::ServerError::from)?;
    let clock = crate::clock::SystemClock::of(&dir).map_err(crate::error::ServerError::from)?;
    let published = crate::cluster::publish(
        store.as_ref(),
        data,
        crate::services::node_id(),
        &crate::admin::local_actor(),
        &clock,
    )
    .map_err(|e| match e {
        crate::cluster::PublishError::Registry(e) => CodedError::error(e.code(), e),
        crate::cluster::PublishError::Store(e) => crate::error::ServerError::from(e).into(),
    })?;
    println!(
        "{} {} ({} {})",
        t(
            lang,
            "Versión vigente del registro publicada:",
            "Registry version published as current:"
        ),
        published.version,
        published.persons,
        t(lang, "personas", "persons"),
    );
    Ok(())
}

fn status(data: &Path, lang: Lang) -> anyhow::Result<()> {
    let (dir, store) = crate::cli::commands::open(data)?;
    let current = store
        .current_registry()
        .map_err(crate::error::ServerError::from)?;
    let local = crate::cluster::LocalRegistry::new(dir.path());
    match &current {
        Some(c) => println!(
            "{} {}\n  {} {}, {} {}, {} {}\n  {} {} {} {}",
            t(lang, "versión vigente:", "current version:"),
            c.version,
            c.persons,
            t(lang, "personas", "persons"),
            t(lang, "archivo", "file"),
            c.source,
            t(lang, "importado", "imported"),
            c.imported_at,
            t(lang, "publicada por", "published by"),
            c.node,
            t(lang, "el", "at"),
            c.published_at,
        ),
        None => println!(
            "{}",
            t(
                lang,
                "versión vigente: ninguna publicada (todo nodo toma trabajos; registry import la publica)",
                "current version: none published (every node takes jobs; registry import publishes one)"
            )
        ),
    }
    println!(
        "{} {}",
        t(lang, "este directorio:", "this directory:"),
        local.version().as_deref().unwrap_or("-")
    );
    let nodes = store.nodes().map_err(crate::error::ServerError::from)?;
    println!(
        "{:<20} {:<16} {:<14} {:<10} {}",
        t(lang, "NODO", "NODE"),
        "HOST",
        t(lang, "REGISTRO", "REGISTRY"),
        t(lang, "VIGENTE", "CURRENT"),
        t(lang, "VISTO (UTC)", "LAST SEEN (UTC)"),
    );
    for n in &nodes {
        let standing =
            crate::cluster::Standing::of(n.registry_version.as_deref(), current.as_ref());
        let current_word = match standing.is_current() {
            Some(true) => t(lang, "sí", "yes"),
            Some(false) => t(lang, "NO", "NO"),
            None => "-",
        };
        println!(
            "{:<20} {:<16} {:<14} {:<10} {}",
            n.node,
            n.host,
            n.registry_version
                .as_deref()
                .map(crate::cluster::short)
                .unwrap_or("-"),
            current_word,
            n.last_seen,
        );
    }
    Ok(())
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
            // The store is replaced on disk whatever happens next; a failed
            // publication is retried with `registry publish`.
            publish(&data.data, lang, true)
        }
        RegistryCommand::Publish { data } => publish(&data.data, lang, false),
        RegistryCommand::Status { data } => status(&data.data, lang),
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
    found_probability: Option<f64>,
    in_process: bool,
    lang: Lang,
) -> anyhow::Result<()> {
    // The installation's settings when this is one; a bare registry
    // directory (the benchmark's) has no server.toml.
    let mut settings = match crate::datadir::DataDir::open(data) {
        Ok(dir) => dir.config()?.matching.settings(),
        Err(_) => padron_consulta::matching::engine::MatchingSettings::default(),
    };
    settings.outside_share = outside_share.unwrap_or(settings.outside_share);
    settings.found_probability = found_probability.unwrap_or(settings.found_probability);
    settings.check().map_err(|e| {
        CodedError::error(ErrorCode::BadRequest, format!("--{e}").replace('_', "-"))
    })?;
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
