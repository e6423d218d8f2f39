//! `padron-agent case …`: a coordinator sends a finished query's unresolved
//! rows to the registry's identity-verification desk, signed with the
//! card's signature key, and follows each row's outcome.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use clap::Subcommand;
use padron_drivers::{Digest, KeySlot, Pin};
use padron_shared::auth::SessionInfo;
use padron_shared::canonical::to_canonical_json;
use padron_shared::cases::{CASE_FORMAT, CasePayload, CaseRowInput, CaseView, UnresolvedRow};
use padron_shared::users::SignedRequest;
use padron_shared::{ErrorBody, ErrorCode, Lang};

use crate::card_session::{OpenCard, SessionError, algorithm_of};
use crate::client::{Client, ClientError};

#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// The NO_ENCONTRADO / AMBIGUO rows of a finished query (what a case may hold).
    Rows {
        #[arg(long)]
        job: String,
    },
    /// Send rows of a finished query as one case, signed with the card.
    Send {
        #[arg(long)]
        job: String,
        /// CSV with columns referencia (or fila), direccion, comunidad,
        /// municipio, telefono, observaciones (header names as in a
        /// template: case, accents and spaces ignored).
        #[arg(long, value_name = "FILE.csv")]
        rows: PathBuf,
    },
    /// The institution's cases.
    List,
    /// One case with each row's outcome.
    Show { id: String },
}

fn refusal(code: ErrorCode, lang: Lang, detail: String) -> SessionError {
    SessionError::Client(ClientError::Api(ErrorBody::new(code, lang, Some(detail))))
}

fn fold(header: &str) -> String {
    use std::collections::HashMap;
    let accents: HashMap<char, char> = [
        ('á', 'a'),
        ('é', 'e'),
        ('í', 'i'),
        ('ó', 'o'),
        ('ú', 'u'),
        ('ñ', 'n'),
    ]
    .into_iter()
    .collect();
    header
        .to_lowercase()
        .chars()
        .map(|c| *accents.get(&c).unwrap_or(&c))
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// The case rows of a CSV, matched to the job's unresolved rows by `fila`
/// or by reference (`fila N` names a row without a reference).
pub fn read_rows(
    path: &Path,
    unresolved: &[UnresolvedRow],
    lang: Lang,
) -> Result<Vec<CaseRowInput>, SessionError> {
    let bad = |detail: String| refusal(ErrorCode::CaseRowsInvalid, lang, detail);
    let text =
        std::fs::read_to_string(path).map_err(|e| bad(format!("{}: {e}", path.display())))?;
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<String> = lines
        .next()
        .map(crate::template::split_csv)
        .unwrap_or_default()
        .iter()
        .map(|h| fold(h))
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (fila_col, ref_col) = (col("fila"), col("referencia"));
    if fila_col.is_none() && ref_col.is_none() {
        return Err(bad("el CSV necesita una columna referencia o fila / the CSV needs a referencia or fila column".into()));
    }
    let mut out = Vec::new();
    for (n, line) in lines.enumerate() {
        let cells = crate::template::split_csv(line);
        let get = |c: Option<usize>| {
            c.and_then(|i| cells.get(i))
                .map(|s| s.trim().to_owned())
                .unwrap_or_default()
        };
        let fila_text = get(fila_col);
        let reference = get(ref_col);
        let found = if !fila_text.is_empty() {
            fila_text
                .parse::<u32>()
                .ok()
                .and_then(|f| unresolved.iter().find(|u| u.fila == f))
        } else if let Some(f) = reference
            .strip_prefix("fila ")
            .and_then(|f| f.trim().parse::<u32>().ok())
        {
            unresolved.iter().find(|u| u.fila == f)
        } else {
            let matching: Vec<&UnresolvedRow> = unresolved
                .iter()
                .filter(|u| u.referencia == reference)
                .collect();
            if matching.len() > 1 {
                return Err(bad(format!(
                    "línea {}: la referencia {reference} está en varias filas; use la columna fila / line {}: reference {reference} is in several rows; use the fila column",
                    n + 2,
                    n + 2
                )));
            }
            matching.first().copied()
        };
        let Some(row) = found else {
            return Err(bad(format!(
                "línea {}: no es una fila NO_ENCONTRADO ni AMBIGUO de esa consulta / line {}: not a NO_ENCONTRADO or AMBIGUO row of that query",
                n + 2,
                n + 2
            )));
        };
        out.push(CaseRowInput {
            fila: row.fila,
            referencia: row.referencia.clone(),
            direccion: get(col("direccion")),
            comunidad: get(col("comunidad")),
            municipio: get(col("municipio")),
            telefono: get(col("telefono")),
            observaciones: get(col("observaciones")),
        });
    }
    Ok(out)
}

/// Builds and signs a case (the signature key, PIN verified right before).
pub fn sign_case(
    card: &mut OpenCard,
    pin: &Pin,
    session: &SessionInfo,
    job: &str,
    rows: Vec<CaseRowInput>,
    now: time::OffsetDateTime,
) -> Result<SignedRequest, SessionError> {
    let certificate = card.card.certificate(KeySlot::Signature)?;
    let (algorithm, hash) = algorithm_of(&certificate)?;
    let created_at = now
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| SessionError::Payload(e.to_string()))?;
    let payload = CasePayload {
        format: CASE_FORMAT.to_owned(),
        installation: session.installation_id.clone(),
        institution: session.institution_code.clone(),
        case_id: uuid::Uuid::new_v4().to_string(),
        job_id: job.to_owned(),
        created_at,
        workstation_id: session.workstation_id,
        rows,
    };
    let bytes = to_canonical_json(&payload).map_err(|e| SessionError::Payload(e.to_string()))?;
    let signature = card
        .card
        .sign(KeySlot::Signature, &Digest::of(hash, &bytes), Some(pin))?;
    Ok(SignedRequest {
        payload: STANDARD.encode(&bytes),
        algorithm,
        signature: STANDARD.encode(signature),
        certificate: STANDARD.encode(&certificate),
    })
}

pub fn print_case(v: &CaseView, lang: Lang) {
    println!("{} {}  [{}]", lang.pick("Caso", "Case"), v.id, v.state);
    println!("  {} {}", lang.pick("consulta:", "query:"), v.job_id);
    println!(
        "  {} {}",
        lang.pick("recibido:", "received:"),
        v.received_at
    );
    if let Some(d) = &v.in_process_at {
        println!("  {} {d}", lang.pick("en proceso:", "in process:"));
    }
    if let Some(d) = &v.closed_at {
        println!("  {} {d}", lang.pick("cerrado:", "closed:"));
    }
    println!(
        "  {} {}/{}",
        lang.pick("filas atendidas:", "rows answered:"),
        v.rows_answered,
        v.rows_total
    );
    for r in &v.rows {
        let outcome = match (r.outcome.as_deref(), &r.outcome_cui) {
            (Some("VERIFIED"), Some(cui)) => {
                format!("{} CUI {cui}", lang.pick("VERIFICADO", "VERIFIED"))
            }
            (Some("NOT_FOUND"), _) => lang.pick("NO LOCALIZADO", "NOT FOUND").to_owned(),
            (Some("VISIT_NEEDED"), _) => lang.pick("REQUIERE VISITA", "VISIT NEEDED").to_owned(),
            (Some(o), _) => o.to_owned(),
            (None, _) => lang.pick("pendiente", "pending").to_owned(),
        };
        let note = r
            .note
            .as_deref()
            .map(|n| format!(" — {n}"))
            .unwrap_or_default();
        println!(
            "  {} {:>4} {:<14} {:<14} {outcome}{note}",
            lang.pick("fila", "row"),
            r.input.fila,
            r.input.referencia,
            r.resultado
        );
    }
}

pub async fn run(
    client: &Client,
    card: &mut OpenCard,
    pin: &Pin,
    session: &SessionInfo,
    command: CaseCommand,
    lang: Lang,
) -> Result<(), SessionError> {
    let token = &session.token;
    match command {
        CaseCommand::Rows { job } => {
            let rows = client.unresolved(token, &job).await?;
            println!(
                "{:>5} {:<16} {:<14} {}",
                lang.pick("FILA", "ROW"),
                lang.pick("REFERENCIA", "REFERENCE"),
                lang.pick("RESULTADO", "RESULT"),
                lang.pick("CONSULTA", "QUERY")
            );
            for r in &rows {
                println!(
                    "{:>5} {:<16} {:<14} {}",
                    r.fila, r.referencia, r.resultado, r.consulta
                );
            }
            Ok(())
        }
        CaseCommand::Send { job, rows } => {
            let unresolved = client.unresolved(token, &job).await?;
            let rows = read_rows(&rows, &unresolved, lang)?;
            eprintln!(
                "{}",
                lang.pick(
                    "El caso se firmará con la llave de firma de la tarjeta.",
                    "The case will be signed with the card's signature key."
                )
            );
            let sign_pin = match std::env::var("PADRON_PIN") {
                Ok(_) => pin.clone(),
                Err(_) => crate::account_cmd::read_pin(lang, "PIN para firmar:", "PIN to sign:")?,
            };
            let signed = sign_case(
                card,
                &sign_pin,
                session,
                &job,
                rows,
                time::OffsetDateTime::now_utc(),
            )?;
            let view = client.send_case(token, &signed).await?;
            print_case(&view, lang);
            Ok(())
        }
        CaseCommand::List => {
            for c in client.cases(token).await? {
                println!(
                    "{:<36} {:<11} {:>3}/{:<3} {} {}",
                    c.id, c.state, c.rows_answered, c.rows_total, c.received_at, c.job_id
                );
            }
            Ok(())
        }
        CaseCommand::Show { id } => {
            print_case(&client.case(token, &id).await?, lang);
            Ok(())
        }
    }
}
