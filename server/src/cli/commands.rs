//! What each `padron-server` subcommand does and prints.
//!
//! Output is for a registry admin at a terminal: Spanish by default,
//! English with `PADRON_LANG=en`.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use padron_shared::{ErrorCode, Lang};

use crate::access::pki::WorkstationCa;
use crate::admin::{Admin, local_actor};
use crate::cli::{
    AuditCommand, Command, CoordinatorCommand, InstitutionCommand, TrustCommand, WorkstationCommand,
};
use crate::clock::{Clock, SystemClock};
use crate::datadir::{DataDir, DataDirError};
use crate::error::ServerError;
use crate::store::Store;

fn t<'a>(lang: Lang, es: &'a str, en: &'a str) -> &'a str {
    if lang == Lang::En { en } else { es }
}

pub(crate) fn open(data: &Path) -> Result<(DataDir, Arc<dyn Store>), ServerError> {
    let dir = DataDir::open(data)?;
    let store = dir.open_store()?;
    Ok((dir, store))
}

/// Turns an error into the lines an admin reads: the stable code and the
/// sentence first, then the technical cause.
pub fn describe_error(e: &anyhow::Error, lang: Lang) -> String {
    if let Some(coded) = e.downcast_ref::<crate::cli::registry::CodedError>() {
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
    // Commands that count days read their installation's zone (`SystemClock::of`).
    let clock = SystemClock::default();
    match command {
        Command::Migrate { from, to } => crate::store::postgres::migrate_command(&from, &to, lang),
        Command::Init {
            data,
            hostname,
            database,
        } => {
            let dir = DataDir::init_with(&data.data, &hostname, clock.now(), database.as_deref())
                .map_err(ServerError::from)?;
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
            // Keys readable by others are keys already lost: refuse to serve with them.
            dir.check_private().map_err(ServerError::from)?;
            let listen = match listen {
                Some(addr) => addr,
                None => {
                    let text = dir.config()?.listen;
                    text.parse()
                        .with_context(|| format!("listen address {text:?} in server.toml"))?
                }
            };
            // A bounded blocking pool: every request's store work runs there,
            // and the store has one writer and four readers, so more threads
            // only wait on its locks. Unbounded (tokio's 512), 200 busy
            // workstations grew it to 370 threads and the RSS with them.
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .max_blocking_threads(crate::serve::BLOCKING_THREADS)
                .build()?;
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
        Command::Report(cmd) => crate::cli::report::run(cmd, lang, &clock),
        Command::Case(cmd) => crate::cli::case::run(cmd, lang, &clock),
        Command::Ticket(cmd) => crate::cli::ticket::run(cmd, lang, &clock),
        Command::Agreement(cmd) => agreement(cmd, lang, &clock),
        Command::Lifecycle(crate::cli::LifecycleCommand::Run { data, at }) => {
            let (dir, store) = open(&data.data)?;
            let clock = SystemClock::of(&dir).map_err(ServerError::from)?;
            let zone = clock.zone();
            let when = match at {
                Some(text) => {
                    let date = crate::institutions::admin::validate_date(&text)?;
                    // Noon of that local day.
                    zone.at_local(
                        time::Date::parse(
                            &date,
                            time::macros::format_description!("[year]-[month]-[day]"),
                        )?,
                        12,
                        0,
                    )
                }
                None => clock.now(),
            };
            let changes =
                crate::institutions::lifecycle::run(store.as_ref(), when, &zone, &local_actor())?;
            println!(
                "{} {}: {} {}",
                t(lang, "Ciclo de vida al", "Lifecycle as of"),
                zone.date_of(when),
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
        Command::Person(cmd) => person(cmd, lang, &clock),
        Command::Backup {
            data,
            out,
            encrypt_to,
            with_registry,
        } => crate::backup::cli::backup(&data.data, out, encrypt_to, with_registry, lang, &clock),
        Command::Restore {
            from,
            data,
            identity,
            audit_export,
        } => crate::backup::cli::restore(from, data, identity, audit_export, lang),
        Command::Doctor { data, min_free_mib } => {
            let status = crate::doctor::cli::run(&data.data, min_free_mib, lang, &clock);
            // Scripts read the exit status: 0 ok, 1 warnings, 2 errors.
            std::process::exit(i32::from(status));
        }
        Command::Registry(cmd) => crate::cli::registry::run(cmd, lang),
        Command::Match {
            data,
            input,
            output,
            outside_share,
            found_probability,
            in_process,
        } => crate::cli::registry::run_match(
            &data.data,
            &input,
            &output,
            outside_share,
            found_probability,
            in_process,
            lang,
        ),
    }
}

fn institution(cmd: InstitutionCommand, lang: Lang, clock: &dyn Clock) -> anyhow::Result<()> {
    match cmd {
        InstitutionCommand::Add { data, code, name } => {
            let (_, store) = open(&data.data)?;
            let admin = Admin::at_terminal(store.as_ref(), clock);
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
            let (dir, store) = open(&data.data)?;
            let admin = Admin::at_terminal(store.as_ref(), clock);
            let breach = matches!(reason, crate::cli::SuspendReason::Breach);
            let inst = admin.suspend(&code, breach, period.as_deref(), note.as_deref())?;
            print_status(&inst, lang, &dir)?;
        }
        InstitutionCommand::Reactivate { data, code } => {
            let (dir, store) = open(&data.data)?;
            let admin = Admin::at_terminal(store.as_ref(), clock);
            let inst = admin.reactivate(&code)?;
            print_status(&inst, lang, &dir)?;
        }
        InstitutionCommand::Show { data, code } => {
            let (dir, store) = open(&data.data)?;
            let clock = SystemClock::of(&dir).map_err(ServerError::from)?;
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
            if let Some((es, en)) =
                crate::institutions::status::refusal(&inst, &clock.zone()).and_then(|r| r.detail)
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
            let month = crate::institutions::calendar::month_of(clock.today());
            let zone = clock.zone();
            let used = store
                .rows_used(inst.id, &month.from_stamp(&zone), &month.to_stamp(&zone))
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

fn print_status(
    inst: &crate::store::Institution,
    lang: Lang,
    dir: &DataDir,
) -> Result<(), ServerError> {
    let zone = SystemClock::of(dir).map_err(ServerError::from)?.zone();
    let detail = crate::institutions::status::refusal(inst, &zone)
        .and_then(|r| r.detail)
        .map(|(es, en)| if lang == Lang::En { en } else { es })
        .unwrap_or_default();
    println!(
        "{} {}: {} {detail}",
        t(lang, "Institución", "Institution"),
        inst.code,
        status_label(inst.status, lang)
    );
    Ok(())
}

fn agreement(
    cmd: crate::cli::AgreementCommand,
    lang: Lang,
    _clock: &dyn Clock,
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
        }
        | A::Programmes {
            data, institution, ..
        } => (data.data.clone(), institution.clone()),
    };
    let (dir, store) = open(&data)?;
    // The agreement's days are the installation's local days.
    let zoned = SystemClock::of(&dir).map_err(ServerError::from)?;
    let admin = Admin::at_terminal(store.as_ref(), &zoned);
    match cmd {
        A::Set {
            from,
            to,
            monthly_quota,
            services,
            ..
        } => admin.set_agreement(&code, &from, &to, monthly_quota, &services)?,
        A::Renew { to, .. } => admin.renew_agreement(&code, &to)?,
        A::Programmes { programmes, .. } => {
            let set = admin.set_programmes(&code, &programmes)?;
            if set.is_empty() {
                println!(
                    "{} {code}: {}",
                    t(lang, "Programas del convenio de", "Agreement programmes of"),
                    t(lang, "cualquiera (sin lista)", "any (no list)")
                );
            } else {
                println!(
                    "{} {code}: {}",
                    t(lang, "Programas del convenio de", "Agreement programmes of"),
                    set.join(", ")
                );
            }
            return Ok(());
        }
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
        print_status(&inst, lang, &dir)?;
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
    let (dir, store) = open(&data.data)?;
    let admin = Admin::at_terminal(store.as_ref(), clock);
    let inst = admin.record_payment(&institution, &period, &amount)?;
    println!(
        "{} {period}: Q {amount}",
        t(lang, "Pago registrado para", "Payment recorded for")
    );
    print_status(&inst, lang, &dir)?;
    Ok(())
}

fn user(cmd: crate::cli::UserCommand, lang: Lang, clock: &dyn Clock) -> anyhow::Result<()> {
    // The block is on the person: `user block` is `person block`.
    let cmd = match cmd {
        crate::cli::UserCommand::Block { data, cui, reason } => crate::cli::PersonCommand::Block {
            data,
            cui,
            cause: reason,
        },
        crate::cli::UserCommand::Unblock { data, cui } => {
            crate::cli::PersonCommand::Unblock { data, cui }
        }
    };
    person(cmd, lang, clock)
}

fn person(cmd: crate::cli::PersonCommand, lang: Lang, clock: &dyn Clock) -> anyhow::Result<()> {
    use crate::cli::PersonCommand;
    match cmd {
        PersonCommand::Block { data, cui, cause } => {
            let (_, store) = open(&data.data)?;
            let admin = Admin::at_terminal(store.as_ref(), clock);
            let added = admin.block_person(&cui, &cause)?;
            let what = if added {
                t(
                    lang,
                    "Persona bloqueada en todas las instituciones (sus sesiones terminaron):",
                    "Person blocked in every institution (their sessions ended):",
                )
            } else {
                t(
                    lang,
                    "La persona ya estaba bloqueada:",
                    "The person was already blocked:",
                )
            };
            println!("{what} {cui}");
        }
        PersonCommand::Unblock { data, cui } => {
            let (_, store) = open(&data.data)?;
            let admin = Admin::at_terminal(store.as_ref(), clock);
            if !admin.unblock_person(&cui)? {
                return Err(ServerError::UserUnknown(cui).into());
            }
            println!("{} {cui}", t(lang, "Bloqueo levantado:", "Block lifted:"));
        }
        PersonCommand::ListBlocks { data, all } => {
            let (_, store) = open(&data.data)?;
            let blocks = store.person_blocks(all).map_err(ServerError::from)?;
            println!(
                "{:<15} {:<24} {:<24} {}",
                "CUI",
                t(lang, "BLOQUEADO", "BLOCKED"),
                t(lang, "LEVANTADO", "LIFTED"),
                t(lang, "CAUSA", "CAUSE")
            );
            for b in blocks {
                println!(
                    "{:<15} {:<24} {:<24} {}",
                    b.cui,
                    b.blocked_at,
                    b.lifted_at.as_deref().unwrap_or("-"),
                    crate::audit::printable(&b.cause)
                );
            }
        }
    }
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
    use crate::store::DesignatedRole;
    let role_label = |role: &str| match role {
        "LEGAL_REPRESENTATIVE" => t(lang, "representante legal", "legal representative"),
        _ => t(lang, "coordinador(a)", "coordinator"),
    };
    match cmd {
        CoordinatorCommand::Add {
            data,
            institution,
            cui,
            name,
            role,
            request_ref,
        } => {
            let (_, store) = open(&data.data)?;
            let admin = Admin::at_terminal(store.as_ref(), clock);
            let role = match role {
                crate::cli::DesignationRole::Coordinator => DesignatedRole::Coordinator,
                crate::cli::DesignationRole::LegalRepresentative => {
                    DesignatedRole::LegalRepresentative
                }
            };
            let (c, replaced) =
                admin.designate(&institution, &cui, &name, role, request_ref.as_deref())?;
            let what = match role {
                DesignatedRole::Coordinator => {
                    t(lang, "Coordinador designado:", "Coordinator designated:")
                }
                DesignatedRole::LegalRepresentative => t(
                    lang,
                    "Representante legal designado:",
                    "Legal representative designated:",
                ),
            };
            println!(
                "{what} {} (CUI {}) — {}",
                c.full_name,
                c.cui.display_grouped(),
                c.institution_code
            );
            for old in replaced {
                println!(
                    "  {} {} (CUI {})",
                    t(
                        lang,
                        "Reemplaza a (perdió el acceso):",
                        "Replaces (access ended):"
                    ),
                    old.full_name,
                    old.cui.display_grouped()
                );
            }
        }
        CoordinatorCommand::Remove {
            data,
            institution,
            cui,
            request_ref,
            reason,
        } => {
            let (_, store) = open(&data.data)?;
            let admin = Admin::at_terminal(store.as_ref(), clock);
            let c = admin.remove_designation(&institution, &cui, &request_ref, &reason)?;
            println!(
                "{} {} (CUI {}) — {} ({} {request_ref}; {})",
                t(lang, "Retirado(a):", "Removed:"),
                c.full_name,
                c.cui.display_grouped(),
                c.institution_code,
                t(lang, "solicitud", "request"),
                t(lang, "sus sesiones terminaron", "their sessions ended")
            );
        }
        CoordinatorCommand::List { data, institution } => {
            let (dir, store) = open(&data.data)?;
            // Days as the admin's calendar reads them, not the stored UTC stamp's date.
            let zone = SystemClock::of(&dir).map_err(ServerError::from)?.zone();
            let all = store
                .designations(institution.as_deref())
                .map_err(ServerError::from)?;
            println!(
                "{:<12} {:<14} {:<21} {:<11} {:<11} {}",
                t(lang, "INSTITUCIÓN", "INSTITUTION"),
                "CUI",
                t(lang, "CARGO", "ROLE"),
                t(lang, "DESDE", "FROM"),
                t(lang, "HASTA", "UNTIL"),
                t(lang, "NOMBRE", "NAME")
            );
            for c in all {
                let day = |s: &str| zone.stamp_day(s);
                let until = c
                    .removed_at
                    .as_deref()
                    .map(day)
                    .unwrap_or_else(|| "-".into());
                let mut line = format!(
                    "{:<12} {:<14} {:<21} {:<11} {:<11} {}",
                    c.institution_code,
                    c.cui.to_string(),
                    role_label(&c.role),
                    day(&c.designated_at),
                    until,
                    c.full_name
                );
                if c.removed_at.is_some() {
                    line.push_str(&format!(
                        " [{}: {}; {}]",
                        t(lang, "retirado(a), solicitud", "removed, request"),
                        crate::audit::printable(c.removal_reference.as_deref().unwrap_or("")),
                        crate::audit::printable(c.removal_reason.as_deref().unwrap_or(""))
                    ));
                }
                println!("{line}");
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
            let admin = Admin::at_terminal(store.as_ref(), clock);
            let enrolment =
                admin.enroll_workstation(&ca, &institution, &site, csr_pem.as_deref())?;
            let ws = &enrolment.workstation;
            let written = crate::access::bundle::write(
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
            let admin = Admin::at_terminal(store.as_ref(), clock);
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
            // Stored text is shown, never interpreted by the terminal.
            let p = crate::audit::printable;
            for e in all {
                println!(
                    "{:>6} {} {:<22} {:<20} {:<24} {} {}",
                    e.seq,
                    p(&e.at),
                    p(&e.actor),
                    p(&e.action),
                    p(&e.subject),
                    p(&e.outcome),
                    p(&e.detail)
                );
            }
        }
        AuditCommand::Verify { data, checkpoint } => {
            let (dir, store) = open(&data.data)?;
            let country = dir.config()?.eid_country;
            let verified = crate::evidence::verify::verify(store.as_ref(), &country)?;
            println!(
                "{} {} {}; {} {}",
                t(lang, "Cadena de auditoría íntegra:", "Audit chain intact:"),
                verified.entries,
                t(lang, "entradas", "entries"),
                verified.requests,
                t(
                    lang,
                    "solicitudes firmadas verificadas",
                    "signed requests verified"
                )
            );
            println!(
                "  {} {} ({} {})",
                t(lang, "cabeza:", "head:"),
                verified.head_hash,
                t(lang, "entrada", "entry"),
                verified.head_seq
            );
            if verified.legacy_requests > 0 {
                println!(
                    "  {} {}",
                    verified.legacy_requests,
                    t(
                        lang,
                        "solicitudes anteriores a las huellas de evidencia (solo firma verificada)",
                        "requests older than the evidence hashes (signature checked only)"
                    )
                );
            }
            if let Some(file) = checkpoint {
                let c = crate::evidence::verify::check_checkpoint(
                    &dir,
                    store.as_ref(),
                    &verified,
                    &file,
                )?;
                println!(
                    "  {} {} ({} {}, {})",
                    t(
                        lang,
                        "El registro extiende el punto de control:",
                        "The log extends the checkpoint:"
                    ),
                    file.display(),
                    c.body.entries,
                    t(lang, "entradas", "entries"),
                    c.body.at
                );
            }
        }
        AuditCommand::Checkpoint { data, out } => {
            let (dir, store) = open(&data.data)?;
            let country = dir.config()?.eid_country;
            let c = crate::evidence::verify::write_checkpoint(
                &dir,
                store.as_ref(),
                &country,
                SystemClock::default().now(),
                &out,
            )?;
            println!(
                "{} {}",
                t(lang, "Punto de control escrito:", "Checkpoint written:"),
                out.display()
            );
            println!(
                "  {} {}, {} {}",
                t(lang, "entradas:", "entries:"),
                c.body.entries,
                t(lang, "cabeza:", "head:"),
                c.body.head_hash
            );
            println!(
                "  {} {}",
                t(lang, "clave pública:", "public key:"),
                c.body.public_key
            );
        }
        AuditCommand::Export { data, out } => {
            let (_, store) = open(&data.data)?;
            let (entries, requests) = crate::evidence::export::export(store.as_ref(), &out)?;
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
            let admin = Admin::at_terminal(store.as_ref(), clock);
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
            let admin = Admin::at_terminal(store.as_ref(), clock);
            let (info, outcome) = admin.add_eid_crl(&read(&file)?)?;
            let what = match outcome {
                crate::auth::trust::CrlOutcome::Current => t(
                    lang,
                    "Lista de revocación importada (vigente para su emisor):",
                    "Revocation list imported (current for its issuer):",
                ),
                crate::auth::trust::CrlOutcome::AlreadyCurrent => t(
                    lang,
                    "La lista de revocación ya era la vigente:",
                    "The revocation list was already the current one:",
                ),
            };
            println!(
                "{what} {} (n.º {}, {} {}, {} {})",
                info.issuer,
                info.number.as_deref().unwrap_or("-"),
                info.revoked,
                t(lang, "certificados revocados", "revoked certificates"),
                t(lang, "emitida", "issued"),
                info.this_update
            );
        }
        TrustCommand::List { data } => {
            let (dir, store) = open(&data.data)?;
            let config = dir.config()?.revocation;
            trust_list(store.as_ref(), lang, &config, clock)?;
        }
        TrustCommand::AddIntermediate { data, file } => {
            let (_, store) = open(&data.data)?;
            let admin = Admin::at_terminal(store.as_ref(), clock);
            for (subject, added) in admin.add_eid_intermediate(&read(&file)?)? {
                let what = if added {
                    t(
                        lang,
                        "CA intermedia de confianza agregada:",
                        "Trusted intermediate CA added:",
                    )
                } else {
                    t(
                        lang,
                        "La CA intermedia ya era de confianza:",
                        "The intermediate CA was already trusted:",
                    )
                };
                println!("{what} {subject}");
            }
        }
        TrustCommand::RemoveRoot { data, root } => {
            let (_, store) = open(&data.data)?;
            let admin = Admin::at_terminal(store.as_ref(), clock);
            let (subject, ended) = admin.remove_eid_root(&root_fingerprint(&root)?)?;
            println!(
                "{} {subject} ({ended} {})",
                t(lang, "Raíz eID retirada:", "eID root removed:"),
                t(lang, "sesiones terminadas", "sessions ended")
            );
        }
        TrustCommand::RootPolicy {
            data,
            root,
            allow_no_eku,
            policies,
        } => {
            let (_, store) = open(&data.data)?;
            let admin = Admin::at_terminal(store.as_ref(), clock);
            admin.set_eid_root_policy(&root_fingerprint(&root)?, allow_no_eku, &policies)?;
            println!(
                "{} {}: {}; {}: {}",
                t(
                    lang,
                    "Política de la raíz actualizada.",
                    "Root policy updated."
                ),
                t(lang, "sin EKU", "no EKU"),
                if allow_no_eku {
                    t(lang, "aceptado (excepción)", "accepted (exception)")
                } else {
                    t(lang, "rechazado", "refused")
                },
                t(lang, "políticas", "policies"),
                if policies.is_empty() {
                    t(lang, "cualquiera", "any").to_owned()
                } else {
                    policies.join(" ")
                }
            );
        }
        TrustCommand::Issuer {
            data,
            issuer,
            crl_url,
            ocsp_url,
            ocsp_responder,
            no_nonce,
            ocsp_unavailable,
        } => {
            let (_, store) = open(&data.data)?;
            let admin = Admin::at_terminal(store.as_ref(), clock);
            let fallback = match ocsp_unavailable.as_str() {
                "refuse" => false,
                "crl" => true,
                other => {
                    return Err(ServerError::TrustFile(format!(
                        "--ocsp-unavailable {other:?}: use refuse or crl"
                    ))
                    .into());
                }
            };
            let responder = match &ocsp_responder {
                Some(path) => crate::auth::trust::certificates(&read(path)?)?
                    .into_iter()
                    .next(),
                None => None,
            };
            let settings = admin.set_eid_issuer(
                &read(&issuer)?,
                crate::store::IssuerSettings {
                    issuer: String::new(),
                    crl_url,
                    ocsp_url,
                    ocsp_responder_der: responder,
                    ocsp_nonce: !no_nonce,
                    ocsp_fallback_crl: fallback,
                },
            )?;
            println!(
                "{} {}",
                t(
                    lang,
                    "Revocación configurada para",
                    "Revocation settings for"
                ),
                settings.issuer
            );
        }
        TrustCommand::RefreshCrls { data } => {
            let (dir, store) = open(&data.data)?;
            let config = dir.config()?.revocation;
            let results = crate::auth::revocation::refresh_crls(store.as_ref(), clock, &config)
                .map_err(ServerError::from)?;
            if results.is_empty() {
                println!(
                    "{}",
                    t(
                        lang,
                        "No hay de dónde descargar listas de revocación (configure trust issuer --crl-url).",
                        "There is nowhere to fetch revocation lists from (set trust issuer --crl-url)."
                    )
                );
            }
            for r in results {
                match r.outcome {
                    Ok(crate::auth::trust::CrlOutcome::Current) => {
                        println!(
                            "{} {} ({})",
                            t(lang, "CRL nueva:", "New CRL:"),
                            r.issuer,
                            r.url
                        )
                    }
                    Ok(crate::auth::trust::CrlOutcome::AlreadyCurrent) => println!(
                        "{} {} ({})",
                        t(lang, "CRL sin cambios:", "CRL unchanged:"),
                        r.issuer,
                        r.url
                    ),
                    Err(e) => println!(
                        "{} {} ({}): {e}",
                        t(
                            lang,
                            "ERROR al descargar la CRL de",
                            "ERROR fetching the CRL of"
                        ),
                        r.issuer,
                        r.url
                    ),
                }
            }
        }
    }
    Ok(())
}

/// A root named by its certificate file or by its SHA-256 fingerprint.
fn root_fingerprint(root: &str) -> Result<String, ServerError> {
    let path = Path::new(root);
    if path.is_file() {
        let bytes = std::fs::read(path).map_err(|source| {
            ServerError::DataDir(DataDirError::Io {
                path: path.to_owned(),
                source,
            })
        })?;
        let der = crate::auth::trust::certificates(&bytes)?
            .into_iter()
            .next()
            .ok_or_else(|| ServerError::TrustFile("no certificate".into()))?;
        Ok(crate::access::pki::fingerprint_hex(&der))
    } else {
        Ok(root.to_owned())
    }
}

/// `trust list`: roots with their policy, intermediates, and each issuer's
/// current CRL with its last good fetch and a warning when it is stale.
fn trust_list(
    store: &dyn Store,
    lang: Lang,
    config: &crate::auth::revocation::RevocationConfig,
    clock: &dyn Clock,
) -> Result<(), ServerError> {
    let set = store.trust_set()?;
    let now = crate::clock::timestamp(clock.now());
    let grace_end = |next: &str| {
        time::OffsetDateTime::parse(next, &time::format_description::well_known::Rfc3339)
            .map(|n| crate::clock::timestamp(n + config.crl_grace()))
            .unwrap_or_default()
    };
    for r in &set.roots {
        println!(
            "{:<6} {} {} sha256:{}",
            t(lang, "raíz", "root"),
            r.added_at,
            r.subject,
            r.fingerprint.get(..16).unwrap_or(&r.fingerprint)
        );
        if r.allow_no_eku || !r.policy_oids.is_empty() {
            println!(
                "         {}{}",
                if r.allow_no_eku {
                    t(
                        lang,
                        "sin EKU aceptado (excepción); ",
                        "no EKU accepted (exception); ",
                    )
                } else {
                    ""
                },
                if r.policy_oids.is_empty() {
                    String::new()
                } else {
                    format!(
                        "{} {}",
                        t(lang, "políticas:", "policies:"),
                        r.policy_oids.join(" ")
                    )
                }
            );
        }
    }
    for i in &set.intermediates {
        println!(
            "{:<6} {} {} ({} {})",
            t(lang, "interm", "interm"),
            i.added_at,
            i.subject,
            t(lang, "emitida por", "issued by"),
            i.issuer
        );
    }
    for c in &set.crls {
        println!(
            "CRL    {} {} n.º {} {} {} {} {}",
            c.fetched_at,
            c.issuer,
            c.crl_number.as_deref().unwrap_or("-"),
            t(lang, "próxima", "next"),
            c.next_update.as_deref().unwrap_or("-"),
            t(lang, "origen", "source"),
            c.source
        );
        println!(
            "         {} {}",
            t(lang, "última descarga correcta:", "last good fetch:"),
            c.fetched_at
        );
        if let Some(next) = &c.next_update {
            if grace_end(next) < now {
                println!(
                    "         {}",
                    t(
                        lang,
                        "AVISO: vencida y fuera del margen: se rechazan las tarjetas de este emisor (estado de revocación desconocido). Importe una CRL vigente.",
                        "WARNING: expired beyond the grace period: cards of this issuer are refused (revocation status unknown). Import a current CRL."
                    )
                );
            } else if next.as_str() < now.as_str() {
                println!(
                    "         {} {}",
                    t(
                        lang,
                        "AVISO: vencida; las tarjetas se rechazarán desde",
                        "WARNING: expired; cards will be refused from"
                    ),
                    grace_end(next)
                );
            }
        }
        if let Some(e) = &c.last_error {
            println!(
                "         {} {} {e}",
                t(lang, "último intento fallido", "last attempt failed"),
                c.checked_at.as_deref().unwrap_or("-")
            );
        }
    }
    for s in &set.issuers {
        println!(
            "{:<6} {} crl_url={} ocsp_url={} nonce={} {}={}",
            t(lang, "emisor", "issuer"),
            s.issuer,
            s.crl_url.as_deref().unwrap_or("-"),
            s.ocsp_url.as_deref().unwrap_or("AIA"),
            s.ocsp_nonce,
            t(lang, "sin_respuesta", "unavailable"),
            if s.ocsp_fallback_crl { "crl" } else { "refuse" }
        );
    }
    Ok(())
}
