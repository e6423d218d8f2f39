use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use padron_server::cli::commands;
use padron_server::cli::{Cli, Command};
use padron_shared::Lang;
use tracing_subscriber::EnvFilter;

// jemalloc for the whole process, SQLite's and aws-lc's allocations
// included: glibc's arenas, one per thread that ever allocated, kept the
// fragments of the request threads' and the matcher's short-lived buffers
// resident even with `malloc_trim` every 15 s; jemalloc returns dirty pages
// after 10 s by itself. With the store's bounded page caches
// (`store/sqlite/mod.rs`) it keeps a 10-minute soak flat (README, "Load").
#[cfg(all(target_os = "linux", not(target_env = "musl")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    // The sandboxed workbook reader: before anything else (no logging, no
    // CLI), so that the child does nothing but read one file.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some((first, rest)) = args.split_first()
        && first == padron_consulta::sandbox::SUBCOMMAND
    {
        let status = padron_server::queue::sandbox::child_main(rest);
        return ExitCode::from(u8::try_from(status).unwrap_or(1));
    }
    let cli = Cli::parse();
    // An admin at a terminal wants the command's answer, not the server's chatter.
    let default = if matches!(cli.command, Command::Serve { .. }) {
        "info"
    } else {
        "warn"
    };
    let filter = EnvFilter::try_new(cli.log.as_deref().unwrap_or(default))
        .unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // JSON when stderr is not a terminal (a journal, a file, a collector);
    // text for a person. `--log-json` forces JSON at a terminal too.
    if cli.log_json || !std::io::stderr().is_terminal() {
        builder.json().init();
    } else {
        builder.init();
    }
    let lang = Lang::from_env();
    match commands::run(cli.command, lang) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", commands::describe_error(&e, lang));
            ExitCode::from(1)
        }
    }
}
