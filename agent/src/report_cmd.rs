//! `padron-agent report …`: reports a coordinator obtains with the card.

use std::path::PathBuf;

use clap::Subcommand;
use padron_shared::Lang;
use padron_shared::auth::SessionInfo;
use padron_shared::reports::UserActivityParams;

use crate::card_session::SessionError;
use crate::client::Client;

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The queries a user of the institution made (who, when, programme,
    /// rows, results by type; never the persons queried), as a workbook.
    User {
        /// The user's CUI.
        #[arg(long)]
        cui: String,
        /// First day, YYYY-MM-DD.
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: String,
        /// Last day, included, YYYY-MM-DD.
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: String,
        #[arg(long, value_name = "FILE.xlsx")]
        out: PathBuf,
    },
}

pub async fn run(
    client: &Client,
    session: &SessionInfo,
    command: ReportCommand,
    lang: Lang,
) -> Result<(), SessionError> {
    let ReportCommand::User { cui, from, to, out } = command;
    let params = UserActivityParams { cui, from, to };
    let report = client.user_activity(&session.token, &params).await?;
    crate::activity_report::write(&report, &out)
        .map_err(|e| SessionError::Payload(e.to_string()))?;
    println!(
        "{} {} (CUI {}), {} {} {}: {} {}, {} {}",
        lang.pick("Actividad de", "Activity of"),
        report.user_name,
        report.user_cui,
        report.from,
        lang.pick("a", "to"),
        report.to,
        report.queries.len(),
        lang.pick("consultas", "queries"),
        report.rows_charged,
        lang.pick("filas", "rows"),
    );
    let r = &report.results;
    println!(
        "  ENCONTRADO {}  NO_ENCONTRADO {}  CUI_INVALIDO {}  AMBIGUO {}  RECHAZADO {}",
        r.encontrado, r.no_encontrado, r.cui_invalido, r.ambiguo, r.rechazado
    );
    println!(
        "{} {}",
        lang.pick("Reporte guardado en", "Report saved to"),
        out.display()
    );
    Ok(())
}
