//! What each `padron-server` subcommand does and prints.
//!
//! Output is for a registry admin at a terminal: Spanish by default,
//! English with `PADRON_LANG=en`.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use padron_shared::{ErrorCode, Lang};

use crate::admin::{Admin, local_actor};
use crate::audit::{ChainBreak, GENESIS_HASH, verify_chain};
use crate::cli::{
    AuditCommand, Command, CoordinatorCommand, InstitutionCommand, TrustCommand, WorkstationCommand,
};
use crate::clock::{Clock, SystemClock};
use crate::datadir::{DataDir, DataDirError};
use crate::error::ServerError;
use crate::pki::WorkstationCa;
use crate::store::{AuthStore, JobStore, LifecycleStore, SqliteStore, Store};

fn t<'a>(lang: Lang, es: &'a str, en: &'a str) -> &'a str {
    if lang == Lang::En { en } else { es }
}

pub(crate) fn open(data: &Path) -> Result<(DataDir, SqliteStore), ServerError> {
    let dir = DataDir::open(data)?;
    let store = dir.open_store()?;
    Ok((dir, store))
}

/// Turns an error into the lines an admin reads: the stable code and the
/// sentence first, then the technical cause.
pub fn describe_error(e: &anyhow::Error, lang: Lang) -> String {
    if let Some(coded) = e.downcast_ref::<crate::registry::cli::CodedError>() {
        return format!(
            "error [{}]: {}\n  {}",
            coded.code.as_str(),
            coded.code.message(lang),
            coded
        );
    }
    match e.downcast_ref::<ServerError>() {
        Some(server) => {
            let code = server.code();
            format!(
                "error [{}]: {}\n  {}",
                code.as_str(),
                code.message(lang),
                server
            )
        }
        None => {
            let code = ErrorCode::Internal;
            format!(
                "error [{}]: {}\n  {:#}",
                code.as_str(),
                code.message(lang),
                e
            )
        }
    }
}

pub fn run(command: Command, lang: Lang) -> anyhow::Result<()> {
    let clock = SystemClock;
    match command {
        Command::Init { data, hostname } => {
            let dir =
                DataDir::init(&data.data, &hostname, clock.now()).map_err(ServerError::from)?;
            let config = dir.config()?;
            println!(
                "{} {}",
                t(
                    lang,
                    "Directorio de datos creado:",
                    "Data directory created:"
                ),
                dir.path().display()
            );
            println!(
                "  {} {}",
                t(lang, "servidor:", "server:"),
                config.public_url
            );
            println!(
                "  {} {}",
                t(lang, "CA de estaciones:", "workstation CA:"),
                dir.workstation_ca_cert().display()
            );
            println!(
                "  {} {}",
                t(lang, "CA del servidor:", "server CA:"),
                dir.server_ca_cert().display()
            );
            Ok(())
        }
        Command::Serve { data, listen } => {
            let dir = DataDir::open(&data.data).map_err(ServerError::from)?;
            let listen = match listen {
                Some(addr) => addr,
                None => {
                    let text = dir.config()?.listen;
                    text.parse()
                        .with_context(|| format!("listen address {text:?} in server.toml"))?
                }
            };
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(crate::serve::serve(&dir, listen, |addr| {
                // One stable line on stdout, so scripts and tests learn the port.
                println!("padron-server listening on https://{addr}");
            }))
        }
        Command::Institution(cmd) => institution(cmd, lang, &clock),
        Command::Coordinator(cmd) => coordinator(cmd, lang, &clock),
        Command::Workstation(cmd) => workstation(cmd, lang, &clock),
        Command::Audit(cmd) => audit(cmd, lang),
        Command::Trust(cmd) => trust(cmd, lang, &clock),
        Command::Payment(cmd) => payment(cmd, lang, &clock),
        Command::Report(cmd) => crate::reports::cli::run(cmd, lang, &clock),
        Command::Agreement(cmd) => agreement(cmd, lang, &clock),
        Command::Lifecycle(crate::cli::LifecycleCommand::Run { data, at }) => {
            let (_, store) = open(&data.data)?;
            let when = match at {
                Some(text) => {
                    let date = crate::admin::validate_date(&text)?;
                    time::Date::parse(
                        &date,
                        time::macros::format_description!("[year]-[month]-[day]"),
                    )?
                    .with_hms(12, 0, 0)?
                    .assume_utc()
                }
                None => clock.now(),
            };
            let changes = crate::lifecycle::run(&store, when, &local_actor())?;
            println!(
                "{} {}: {} {}",
                t(lang, "Ciclo de vida al", "Lifecycle as of"),
                when.date(),
                changes.len(),
                t(lang, "cambios", "changes")
            );
            for c in changes {
                let what = match c.cause.as_str() {
                    "AGREEMENT_EXPIRED" => format!(
                        "{} ({} {})",
                        t(lang, "cancelada", "cancelled"),
                        t(lang, "convenio vencido el", "agreement expired on"),
                        c.note
                    ),
                    "NO_QUERIES_90_DAYS" => format!(
                        "{} ({} {})",
                        t(lang, "cancelada", "cancelled"),
                        t(lang, "sin consultas desde", "no queries since"),
                        c.note
                    ),
                    _ => format!(
                        "{} {} ({})",
                        c.note,
                        t(lang, "usuarios desactivados", "users deactivated"),
                        t(lang, "enero, sin continuidad", "January, no continuity")
                    ),
                };
                println!("  {:<16} {what}", c.institution);
            }
            Ok(())
        }
        Command::User(cmd) => user(cmd, lang, &clock),
        Command::Registry(cmd) => crate::registry::cli::run(cmd, lang),
        Command::Match {
            data,
            input,
            output,
            in_process,
        } => crate::registry::cli::run_match(&data.data, &input, &output, in_process, lang),
    }
}

fn institution(cmd: InstitutionCommand, lang: Lang, clock: &dyn Clock) -> anyhow::Result<()> {
    match cmd {
        InstitutionCommand::Add { data, code, name } => {
            let (_, store) = open(&data.data)?;
            let admin = Admin::at_terminal(&store, clock);
            let inst = admin.add_institution(&code, &name)?;
            println!(
                "{} {} — {}",
                t(lang, "Institución registrada:", "Institution registered:"),
                inst.code,
                inst.name
            );
        }
        InstitutionCommand::List { data } => {
            let (_, store) = open(&data.data)?;
            let all = store.institutions().map_err(ServerError::from)?;
            if all.is_empty() {
                println!(
                    "{}",
                    t(
                        lang,
                        "No hay instituciones registradas.",
                        "No institutions registered."
                    )
                );
            }
            println!(
                "{:<16} {:<10} {}",
                t(lang, "CÓDIGO", "CODE"),
                t(lang, "ESTADO", "STATUS"),
                t(lang, "NOMBRE", "NAME")
            );
            for i in all {
                println!(
                    "{:<16} {:<10} {}",
                    i.code,
                    status_label(i.status, lang),
                    i.name
                );
            }
        }
        InstitutionCommand::Suspend {
            data,
            code,
            reason,
            period,
            note,
        } => {
            let (_, store) = open(&data.data)?;
            let admin = Admin::at_terminal(&store, clock);
            let breach = matches!(reason, crate::cli::SuspendReason::Breach);
            let inst = admin.suspend(&code, breach, period.as_deref(), note.as_deref())?;
            print_status(&inst, lang);
        }
        InstitutionCommand::Reactivate { data, code } => {
            let (_, store) = open(&data.data)?;
            let admin = Admin::at_terminal(&store, clock);
            let inst = admin.reactivate(&code)?;
            print_status(&inst, lang);
        }
        InstitutionCommand::Show { data, code } => {
            let (_, store) = open(&data.data)?;
            let inst = store
                .institution(&code)
                .map_err(ServerError::from)?
                .ok_or_else(|| {
                    ServerError::Store(crate::store::StoreError::InstitutionUnknown(code.clone()))
                })?;
            let counts = store.institution_counts(&code).map_err(ServerError::from)?;
            println!("{} {}", t(lang, "Institución:", "Institution:"), inst.code);
            println!("  {:<22} {}", t(lang, "nombre:", "name:"), inst.name);
            let cause = inst
                .status_cause
                .as_deref()
                .map(|c| format!(" ({c})"))
                .unwrap_or_default();
            println!(
                "  {:<22} {}{} {} {}",
                t(lang, "estado:", "status:"),
                status_label(inst.status, lang),
                cause,
                t(lang, "desde", "since"),
                inst.status_since
            );
            if let Some((es, en)) = crate::institution_status::refusal(&inst).and_then(|r| r.detail)
            {
                println!("  {:<22} {}", "", if lang == Lang::En { en } else { es });
            }
            match store.agreement(&code).map_err(ServerError::from)? {
                Some(a) => println!(
                    "  {:<22} {} → {}{}",
                    t(lang, "convenio:", "agreement:"),
                    a.starts_on,
                    a.ends_on,
                    a.monthly_quota
                        .map(|q| format!(" ({} {q})", t(lang, "cuota mensual", "monthly quota")))
                        .unwrap_or_default()
                ),
                None => println!(
                    "  {:<22} {}",
                    t(lang, "convenio:", "agreement:"),
                    t(lang, "sin registrar", "not recorded")
                ),
            }
            let month = crate::calendar::month_of(clock.now().date());
            let used = store
                .rows_used(inst.id, &month.from_stamp(), &month.to_stamp())
                .map_err(ServerError::from)?;
            println!(
                "  {:<22} {used} {}",
                t(lang, "consumo del mes:", "rows this month:"),
                t(lang, "filas", "rows")
            );
            println!(
                "  {:<22} {}",
                t(lang, "coordinadores:", "coordinators:"),
                counts.coordinators
            );
            println!(
                "  {:<22} {} / 10",
                t(lang, "usuarios activos:", "active users:"),
                counts.active_users
            );
            println!(
                "  {:<22} {} ({} {})",
                t(lang, "estaciones de trabajo:", "workstations:"),
                counts.workstations,
                counts.revoked_workstations,
                t(lang, "revocadas", "revoked")
            );
            let last = inst
                .last_query_at
                .unwrap_or_else(|| t(lang, "ninguna", "none").to_owned());
            println!(
                "  {:<22} {}",
                t(lang, "última consulta:", "last query:"),
                last
            );
            println!(
                "  {:<22} {}",
                t(lang, "registrada:", "registered:"),
                inst.created_at
            );
        }
    }
    Ok(())
}

fn print_status(inst: &crate::store::Institution, lang: Lang) {
    let detail = crate::institution_status::refusal(inst)
        .and_then(|r| r.detail)
        .map(|(es, en)| if lang == Lang::En { en } else { es })
        .unwrap_or_default();
    println!(
        "{} {}: {} {detail}",
        t(lang, "Institución", "Institution"),
        inst.code,
        status_label(inst.status, lang)
    );
}

fn agreement(
    cmd: crate::cli::AgreementCommand,
    lang: Lang,
    clock: &dyn Clock,
) -> anyhow::Result<()> {
    use crate::cli::AgreementCommand as A;
    let (data, code) = match &cmd {
        A::Set {
            data, institution, ..
        }
        | A::Renew {
            data, institution, ..
        }
        | A::Continuity {
            data, institution, ..
        } => (data.data.clone(), institution.clone()),
    };
    let (_, store) = open(&data)?;
    let admin = Admin::at_terminal(&store, clock);
    match cmd {
        A::Set {
            from,
            to,
            monthly_quota,
            services,
            ..
        } => admin.set_agreement(&code, &from, &to, monthly_quota, &services)?,
        A::Renew { to, .. } => admin.renew_agreement(&code, &to)?,
        A::Continuity { year, .. } => {
            admin.request_continuity(&code, year)?;
            println!(
                "{} {code} {year}",
                t(lang, "Continuidad registrada:", "Continuity recorded:")
            );
            return Ok(());
        }
    }
    if let Some(a) = store.agreement(&code).map_err(ServerError::from)? {
        println!(
            "{} {code}: {} → {} ({}{})",
            t(lang, "Convenio en vigor de", "Agreement in force for"),
            a.starts_on,
            a.ends_on,
            [
                (a.service_cui, "CUI"),
                (a.service_names, t(lang, "nombres", "names"))
            ]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, n)| *n)
            .collect::<Vec<_>>()
            .join(", "),
            a.monthly_quota
                .map(|q| format!("; {} {q}", t(lang, "cuota mensual", "monthly quota")))
                .unwrap_or_default()
        );
    }
    if let Some(inst) = store.institution(&code).map_err(ServerError::from)? {
        print_status(&inst, lang);
    }
    Ok(())
}

fn payment(cmd: crate::cli::PaymentCommand, lang: Lang, clock: &dyn Clock) -> anyhow::Result<()> {
    let crate::cli::PaymentCommand::Record {
        data,
        institution,
        period,
        amount,
    } = cmd;
    let (_, store) = open(&data.data)?;
    let admin = Admin::at_terminal(&store, clock);
    let inst = admin.record_payment(&institution, &period, &amount)?;
    println!(
        "{} {period}: Q {amount}",
        t(lang, "Pago registrado para", "Payment recorded for")
    );
    print_status(&inst, lang);
    Ok(())
}

fn user(cmd: crate::cli::UserCommand, lang: Lang, clock: &dyn Clock) -> anyhow::Result<()> {
    let (data, cui, reason) = match cmd {
        crate::cli::UserCommand::Block { data, cui, reason } => (data, cui, Some(reason)),
        crate::cli::UserCommand::Unblock { data, cui } => (data, cui, None),
    };
    let (_, store) = open(&data.data)?;
    let admin = Admin::at_terminal(&store, clock);
    let n = admin.set_user_block(&cui, reason.as_deref())?;
    if n == 0 {
        return Err(ServerError::UserUnknown(cui).into());
    }
    let what = if reason.is_some() {
        t(lang, "Usuario bloqueado:", "User blocked:")
    } else {
        t(lang, "Usuario desbloqueado:", "User unblocked:")
    };
    println!(
        "{what} {cui} ({n} {})",
        t(lang, "institución(es)", "institution(s)")
    );
    Ok(())
}

fn status_label(status: crate::store::InstitutionStatus, lang: Lang) -> &'static str {
    match lang {
        Lang::Es => status.label_es(),
        Lang::En => match status {
            crate::store::InstitutionStatus::Active => "active",
            crate::store::InstitutionStatus::Inactive => "inactive",
            crate::store::InstitutionStatus::Cancelled => "cancelled",
        },
    }
}

fn coordinator(cmd: CoordinatorCommand, lang: Lang, clock: &dyn Clock) -> anyhow::Result<()> {
    match cmd {
        CoordinatorCommand::Add {
            data,
            institution,
            cui,
            name,
        } => {
            let (_, store) = open(&data.data)?;
            let admin = Admin::at_terminal(&store, clock);
            let c = admin.add_coordinator(&institution, &cui, &name)?;
            println!(
                "{} {} (CUI {}) — {}",
                t(lang, "Coordinador designado:", "Coordinator designated:"),
                c.full_name,
                c.cui.display_grouped(),
                c.institution_code
            );
        }
        CoordinatorCommand::List { data, institution } => {
            let (_, store) = open(&data.data)?;
            let all = store
                .coordinators(institution.as_deref())
                .map_err(ServerError::from)?;
            println!(
                "{:<16} {:<15} {:<8} {}",
                t(lang, "INSTITUCIÓN", "INSTITUTION"),
                "CUI",
                t(lang, "ACTIVO", "ACTIVE"),
                t(lang, "NOMBRE", "NAME")
            );
            for c in all {
                let active = if c.active {
                    t(lang, "sí", "yes")
                } else {
                    "no"
                };
                println!(
                    "{:<16} {:<15} {:<8} {}",
                    c.institution_code,
                    c.cui.to_string(),
                    active,
                    c.full_name
                );
            }
        }
    }
    Ok(())
}

fn workstation(cmd: WorkstationCommand, lang: Lang, clock: &dyn Clock) -> anyhow::Result<()> {
    match cmd {
        WorkstationCommand::Enroll {
            data,
            institution,
            site,
            out,
            csr,
            server_url,
        } => {
            let (dir, store) = open(&data.data)?;
            let csr_pem = match &csr {
                Some(path) => Some(std::fs::read_to_string(path).map_err(|source| {
                    ServerError::DataDir(DataDirError::Io {
                        path: path.clone(),
                        source,
                    })
                })?),
                None => None,
            };
            let server_url = match server_url {
                Some(url) => url,
                None => dir.config()?.public_url,
            };
            let server_ca_pem =
                std::fs::read_to_string(dir.server_ca_cert()).map_err(|source| {
                    ServerError::DataDir(DataDirError::Io {
                        path: dir.server_ca_cert(),
                        source,
                    })
                })?;
            // Refuse before enrolling if the bundle could not be written.
            precheck_bundle_dir(&out, csr.is_none())?;
            let ca = WorkstationCa::load(&dir.workstation_ca_cert(), &dir.workstation_ca_key())
                .map_err(ServerError::from)?;
            let admin = Admin::at_terminal(&store, clock);
            let enrolment =
                admin.enroll_workstation(&ca, &institution, &site, csr_pem.as_deref())?;
            let ws = &enrolment.workstation;
            let written = crate::bundle::write(
                &out,
                ws,
                &server_url,
                &server_ca_pem,
                enrolment.key_pem.as_deref(),
            )
            .map_err(ServerError::from)?;
            println!(
                "{} {} — {} / {}",
                t(
                    lang,
                    "Estación de trabajo inscrita:",
                    "Workstation enrolled:"
                ),
                ws.id,
                ws.institution_code,
                ws.site
            );
            println!(
                "  {} {}",
                t(
                    lang,
                    "certificado válido hasta:",
                    "certificate valid until:"
                ),
                ws.certificate.not_after
            );
            println!(
                "  {} {}",
                t(lang, "huella SHA-256:", "SHA-256 fingerprint:"),
                ws.certificate.fingerprint_hex
            );
            println!(
                "  {}",
                t(lang, "paquete para el agente:", "bundle for the agent:")
            );
            for f in written.files {
                println!("    {}", f.display());
            }
            if csr.is_some() {
                println!(
                    "  {}",
                    t(
                        lang,
                        "La llave privada quedó en la estación; copie estos archivos junto a ella.",
                        "The private key stayed on the workstation; copy these files next to it."
                    )
                );
            }
        }
        WorkstationCommand::List { data } => {
            let (_, store) = open(&data.data)?;
            println!(
                "{:<5} {:<12} {:<24} {:<10} {:<26} {}",
                "ID",
                t(lang, "INSTITUCIÓN", "INSTITUTION"),
                t(lang, "SEDE", "SITE"),
                t(lang, "ESTADO", "STATUS"),
                t(lang, "VENCE", "EXPIRES"),
                t(lang, "LLAVE", "KEY")
            );
            for ws in store.workstations().map_err(ServerError::from)? {
                let state = if ws.is_revoked() {
                    t(lang, "revocada", "revoked")
                } else {
                    t(lang, "activa", "active")
                };
                println!(
                    "{:<5} {:<12} {:<24} {:<10} {:<26} {}",
                    ws.id,
                    ws.institution_code,
                    ws.site,
                    state,
                    ws.certificate.not_after,
                    ws.key_origin
                );
            }
        }
        WorkstationCommand::Revoke { data, id, reason } => {
            let (_, store) = open(&data.data)?;
            let admin = Admin::at_terminal(&store, clock);
            let ws = admin.revoke_workstation(id, &reason)?;
            println!(
                "{} {} ({} / {}) — {}",
                t(lang, "Estación revocada:", "Workstation revoked:"),
                ws.id,
                ws.institution_code,
                ws.site,
                t(lang, "rechazada desde ahora.", "refused from now on.")
            );
        }
    }
    Ok(())
}

fn precheck_bundle_dir(out: &Path, with_key: bool) -> Result<(), ServerError> {
    use padron_shared::agent_config::bundle;
    let mut names = vec![bundle::CONFIG, bundle::SERVER_CA, bundle::CERTIFICATE];
    if with_key {
        names.push(bundle::KEY);
    }
    for name in names {
        let path = out.join(name);
        if path.exists() {
            return Err(ServerError::DataDir(DataDirError::Exists(path)));
        }
    }
    Ok(())
}

fn audit(cmd: AuditCommand, lang: Lang) -> anyhow::Result<()> {
    match cmd {
        AuditCommand::List { data, limit } => {
            let (_, store) = open(&data.data)?;
            let store: Arc<dyn Store> = Arc::new(store);
            let mut all = Vec::new();
            let mut after = 0;
            loop {
                let page = store
                    .audit_entries(after, 1000)
                    .map_err(ServerError::from)?;
                let Some(last) = page.last() else { break };
                after = last.seq;
                all.extend(page);
                let excess = all.len().saturating_sub(limit as usize);
                all.drain(..excess);
            }
            for e in all {
                println!(
                    "{:>6} {} {:<22} {:<20} {:<24} {} {}",
                    e.seq, e.at, e.actor, e.action, e.subject, e.outcome, e.detail
                );
            }
        }
        AuditCommand::Verify { data } => {
            let (_, store) = open(&data.data)?;
            let mut prev = GENESIS_HASH.to_owned();
            let mut after = 0;
            let mut count = 0u64;
            loop {
                let page = store
                    .audit_entries(after, 1000)
                    .map_err(ServerError::from)?;
                let Some(last) = page.last() else { break };
                after = last.seq;
                count += page.len() as u64;
                match verify_chain(prev, &page) {
                    Ok(hash) => prev = hash,
                    Err(ChainBreak::HashMismatch { seq })
                    | Err(ChainBreak::LinkMismatch { seq }) => {
                        anyhow::bail!(
                            "{} {seq}",
                            t(
                                lang,
                                "La cadena de auditoría está rota en la entrada",
                                "The audit chain is broken at entry"
                            )
                        );
                    }
                }
            }
            let requests = store.stored_requests().map_err(ServerError::from)?;
            for r in &requests {
                if let Err(why) = crate::audit_export::verify_stored_request(r) {
                    return Err(ServerError::AuditBroken(format!(
                        "{} {}: {why}",
                        t(
                            lang,
                            "La firma de la solicitud no verifica:",
                            "The request signature does not verify:"
                        ),
                        r.id
                    ))
                    .into());
                }
            }
            println!(
                "{} {count} {}; {} {}",
                t(lang, "Cadena de auditoría íntegra:", "Audit chain intact:"),
                t(lang, "entradas", "entries"),
                requests.len(),
                t(
                    lang,
                    "solicitudes firmadas verificadas",
                    "signed requests verified"
                )
            );
        }
        AuditCommand::Export { data, out } => {
            let (_, store) = open(&data.data)?;
            let (entries, requests) = crate::audit_export::export(&store, &out)?;
            println!(
                "{} {} ({entries} {}, {requests} {})",
                t(lang, "Auditoría exportada:", "Audit exported:"),
                out.display(),
                t(lang, "entradas", "entries"),
                t(lang, "solicitudes", "requests")
            );
        }
    }
    Ok(())
}

fn trust(cmd: TrustCommand, lang: Lang, clock: &dyn Clock) -> anyhow::Result<()> {
    let read = |path: &Path| {
        std::fs::read(path).map_err(|source| {
            ServerError::DataDir(DataDirError::Io {
                path: path.to_owned(),
                source,
            })
        })
    };
    match cmd {
        TrustCommand::AddEidRoot { data, file } => {
            let (_, store) = open(&data.data)?;
            let admin = Admin::at_terminal(&store, clock);
            let (subject, added) = admin.add_eid_root(&read(&file)?)?;
            if added {
                println!(
                    "{} {subject}",
                    t(
                        lang,
                        "Raíz eID de confianza agregada:",
                        "Trusted eID root added:"
                    )
                );
            } else {
                println!(
                    "{} {subject}",
                    t(
                        lang,
                        "La raíz eID ya era de confianza:",
                        "The eID root was already trusted:"
                    )
                );
            }
        }
        TrustCommand::AddCrl { data, file } => {
            let (_, store) = open(&data.data)?;
            let admin = Admin::at_terminal(&store, clock);
            let (info, added) = admin.add_eid_crl(&read(&file)?)?;
            let what = if added {
                t(
                    lang,
                    "Lista de revocación importada:",
                    "Revocation list imported:",
                )
            } else {
                t(
                    lang,
                    "La lista de revocación ya estaba importada:",
                    "The revocation list was already imported:",
                )
            };
            println!(
                "{what} {} ({} {}, {} {})",
                info.issuer,
                info.revoked,
                t(lang, "certificados revocados", "revoked certificates"),
                t(lang, "emitida", "issued"),
                info.this_update
            );
        }
        TrustCommand::List { data } => {
            let (_, store) = open(&data.data)?;
            for (name, at, kind) in store.eid_trust_list().map_err(ServerError::from)? {
                let kind = match kind.as_str() {
                    "ROOT" => t(lang, "raíz", "root"),
                    _ => "CRL",
                };
                println!("{kind:<6} {at} {name}");
            }
        }
    }
    Ok(())
}
