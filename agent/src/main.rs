use std::process::ExitCode;

use clap::Parser;
use padron_agent::cli::{Cli, Command};
use padron_agent::client::{Client, ClientError};
use padron_agent::config::{self, ConfigError};
use padron_agent::{account_cmd, enroll};
use padron_shared::{ErrorCode, Lang};

/// A failure as the person at the workstation reads it, with the stable
/// code first so support can search for it.
struct Failure {
    code: ErrorCode,
    text: String,
}

impl Failure {
    fn from_client(e: &ClientError, lang: Lang) -> Failure {
        Failure {
            code: e.code(),
            text: e.explain(lang),
        }
    }

    fn from_config(e: &ConfigError, lang: Lang) -> Failure {
        let code = ErrorCode::AgentConfigInvalid;
        let hint = match e {
            ConfigError::Missing(_) => lang.pick("Indique el archivo con --config o PADRON_AGENT_CONFIG (viene en el paquete de inscripción).",
                "Give the file with --config or PADRON_AGENT_CONFIG (it comes in the enrolment bundle).",
            ),
            _ => "",
        };
        Failure {
            code,
            text: format!("{} {e} {hint}", code.message(lang))
                .trim_end()
                .to_owned(),
        }
    }
}

fn main() -> ExitCode {
    // The sandboxed workbook reader of the pre-check: before anything else.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some((first, rest)) = args.split_first()
        && first == padron_consulta::sandbox::SUBCOMMAND
    {
        let status = padron_agent::precheck::child_main(rest);
        return ExitCode::from(u8::try_from(status).unwrap_or(1));
    }
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PADRON_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let lang = cli
        .lang
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or_else(Lang::from_env);
    let command = match cli.command {
        None => Command::Gui { kiosk: cli.kiosk },
        Some(Command::Gui { kiosk }) => Command::Gui {
            kiosk: kiosk || cli.kiosk,
        },
        Some(_) if cli.kiosk => {
            eprintln!(
                "error: --kiosk {}",
                lang.pick(
                    "solo abre la aplicación; no acompaña a otros comandos",
                    "only opens the application; it goes with no other command"
                )
            );
            return ExitCode::from(2);
        }
        Some(other) => other,
    };
    let result = match command {
        Command::Gui { kiosk } => gui(cli.config, cli.lang.as_deref(), kiosk),
        Command::Status => status(cli.config, lang),
        Command::Login { until_removed } => signed_in(
            cli.config,
            lang,
            account_cmd::Work::Whoami { until_removed },
        ),
        Command::Users { command } => {
            signed_in(cli.config, lang, account_cmd::Work::Users(command))
        }
        Command::Requests { command } => {
            signed_in(cli.config, lang, account_cmd::Work::Requests(command))
        }
        Command::Report { command } => {
            signed_in(cli.config, lang, account_cmd::Work::Report(command))
        }
        Command::QueryTemplate {
            names,
            from_csv,
            out,
        } => match padron_agent::template::write(names, from_csv.as_deref(), &out) {
            Ok(rows) => {
                println!(
                    "{} {} ({rows} {})",
                    lang.pick("Libro de consulta escrito:", "Query workbook written:"),
                    out.display(),
                    lang.pick("filas", "rows")
                );
                Ok(())
            }
            Err(e) => Err(Failure {
                code: ErrorCode::WorkbookUnreadable,
                text: e.to_string(),
            }),
        },
        Command::Query { command } => {
            signed_in(cli.config, lang, account_cmd::Work::Query(command))
        }
        Command::Case { command } => signed_in(cli.config, lang, account_cmd::Work::Case(command)),
        Command::Ticket { command } => {
            signed_in(cli.config, lang, account_cmd::Work::Ticket(command))
        }
        Command::Card { command } => {
            padron_agent::card_info::run(&command, lang).map_err(|e| Failure {
                code: e.code(),
                text: padron_agent::card_info::explain(&e, lang),
            })
        }
        Command::EnrollRequest { out, hint } => match enroll::create(&out, &hint) {
            Ok(req) => {
                println!(
                    "{}",
                    lang.pick(
                        "Solicitud de inscripción creada:",
                        "Enrolment request created:"
                    )
                );
                println!(
                    "  {} {}",
                    lang.pick(
                        "llave privada (no la comparta):",
                        "private key (do not share):"
                    ),
                    req.key.display()
                );
                println!(
                    "  {} {}",
                    lang.pick(
                        "solicitud para el administrador:",
                        "request for the administrator:"
                    ),
                    req.csr.display()
                );
                Ok(())
            }
            Err(e) => {
                let code = ErrorCode::AgentConfigInvalid;
                Err(Failure {
                    code,
                    text: e.to_string(),
                })
            }
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error [{}]: {}", f.code.as_str(), f.text);
            ExitCode::from(1)
        }
    }
}

/// Opens the windowed application or the kiosk.
fn gui(config: Option<std::path::PathBuf>, lang: Option<&str>, kiosk: bool) -> Result<(), Failure> {
    let options = padron_agent::gui::GuiOptions {
        config: config.unwrap_or_else(config::default_path),
        lang: lang.and_then(Lang::parse).or_else(|| {
            std::env::var("PADRON_LANG")
                .ok()
                .as_deref()
                .and_then(Lang::parse)
        }),
        kiosk,
    };
    padron_agent::gui::run(options).map_err(|e| {
        let code = match &e {
            padron_agent::gui::GuiError::Config(_) => ErrorCode::AgentConfigInvalid,
            padron_agent::gui::GuiError::Client(c) => c.code(),
            _ => ErrorCode::Internal,
        };
        Failure {
            code,
            text: e.to_string(),
        }
    })
}

/// Runs card-backed work for the person at the workstation.
fn signed_in(
    config: Option<std::path::PathBuf>,
    lang: Lang,
    work: account_cmd::Work,
) -> Result<(), Failure> {
    let path = config.unwrap_or_else(config::default_path);
    let loaded = config::load(&path).map_err(|e| Failure::from_config(&e, lang))?;
    let lang = loaded.config.lang.unwrap_or(lang);
    let client = Client::new(&loaded, lang).map_err(|e| Failure::from_client(&e, lang))?;
    let settings = padron_shared::config_card::CardSettings::from(&loaded.config);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure {
            code: ErrorCode::Internal,
            text: e.to_string(),
        })?;
    runtime
        .block_on(account_cmd::run(&client, &settings, work, lang))
        .map_err(|e| Failure {
            code: e.code(),
            text: e.explain(lang),
        })
}

fn status(config: Option<std::path::PathBuf>, lang: Lang) -> Result<(), Failure> {
    let path = config.unwrap_or_else(config::default_path);
    let loaded = config::load(&path).map_err(|e| Failure::from_config(&e, lang))?;
    let lang = loaded.config.lang.unwrap_or(lang);
    let client = Client::new(&loaded, lang).map_err(|e| Failure::from_client(&e, lang))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure {
            code: ErrorCode::Internal,
            text: e.to_string(),
        })?;
    let (me, health) = runtime
        .block_on(async { Ok::<_, ClientError>((client.whoami().await?, client.health().await?)) })
        .map_err(|e| Failure::from_client(&e, lang))?;
    println!(
        "{} {}",
        lang.pick("Servidor:", "Server:"),
        client.server_url()
    );
    println!(
        "  {} {} ({} {}, {} {})",
        lang.pick("estado:", "status:"),
        if health.status == "ok" {
            lang.pick("en servicio", "in service")
        } else {
            lang.pick("degradado", "degraded")
        },
        lang.pick("versión", "version"),
        health.version,
        lang.pick("base de datos", "database"),
        health.database
    );
    println!(
        "{} {}",
        lang.pick("Estación de trabajo:", "Workstation:"),
        me.workstation_id
    );
    println!(
        "  {} {} — {}",
        lang.pick("institución:", "institution:"),
        me.institution_code,
        me.institution_name
    );
    println!("  {} {}", lang.pick("sede:", "site:"), me.site);
    println!(
        "  {} {}",
        lang.pick("certificado válido hasta:", "certificate valid until:"),
        me.certificate_not_after
    );
    Ok(())
}
