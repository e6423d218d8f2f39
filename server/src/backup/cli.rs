//! `padron-server backup` and `restore`: what they print for an admin
//! (Spanish, English with `PADRON_LANG=en`).

use std::path::{Path, PathBuf};

use padron_shared::Lang;

use super::{BackupOptions, RestoreOptions};
use crate::clock::Clock;
use crate::datadir::DataDir;
use crate::error::ServerError;

fn t<'a>(lang: Lang, es: &'a str, en: &'a str) -> &'a str {
    if lang == Lang::En { en } else { es }
}

fn size(bytes: u64) -> String {
    if bytes >= 10 * 1024 * 1024 {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{} KiB", bytes.div_ceil(1024))
    }
}

pub fn backup(
    data: &Path,
    out: PathBuf,
    encrypt_to: Vec<String>,
    with_registry: bool,
    lang: Lang,
    clock: &dyn Clock,
) -> anyhow::Result<()> {
    let dir = DataDir::open(data).map_err(ServerError::from)?;
    let options = BackupOptions {
        out,
        encrypt_to,
        with_registry,
    };
    let summary = super::backup(&dir, &options, clock.now())?;
    let m = &summary.manifest;
    println!(
        "{} {} ({}, {} {}, {:.1} s)",
        t(lang, "Respaldo escrito:", "Backup written:"),
        options.out.display(),
        size(summary.bytes),
        summary.entries,
        t(lang, "archivos", "files"),
        summary.seconds
    );
    println!(
        "  {} {} ({}), hash {}",
        t(lang, "auditoría hasta la entrada", "audit up to entry"),
        m.audit_head_seq,
        m.audit_head_at,
        m.audit_head_hash,
    );
    println!(
        "  {} {}; {} {}",
        t(lang, "versión del esquema:", "schema version:"),
        m.schema_version,
        t(lang, "consultas:", "queries:"),
        m.jobs
    );
    if m.encrypted {
        println!(
            "  {}",
            t(
                lang,
                "cifrado con age para el destinatario indicado; guarde la identidad (clave privada) aparte del respaldo",
                "encrypted with age to the given recipient; keep the identity (private key) apart from the backup"
            )
        );
    } else {
        eprintln!(
            "{}",
            t(
                lang,
                "Advertencia: el respaldo NO está cifrado y contiene las claves de las CA y datos personales. Use --encrypt-to age1… (clave pública de age-keygen).",
                "Warning: the backup is NOT encrypted and holds the CA keys and personal data. Use --encrypt-to age1… (a public key from age-keygen)."
            )
        );
    }
    if summary.registry_left_out {
        println!(
            "  {}",
            t(
                lang,
                "sin el registro civil (registry.sqlite): reimpórtelo tras restaurar, o use --with-registry",
                "without the civil registry (registry.sqlite): re-import it after restoring, or use --with-registry"
            )
        );
    }
    Ok(())
}

pub fn restore(
    from: PathBuf,
    data: PathBuf,
    identity: Option<PathBuf>,
    audit_export: Option<PathBuf>,
    lang: Lang,
) -> anyhow::Result<()> {
    let options = RestoreOptions {
        from,
        data,
        identity,
        audit_export,
    };
    let summary = super::restore(&options)?;
    let m = &summary.manifest;
    println!(
        "{} {} ({} {}{})",
        t(lang, "Respaldo restaurado en", "Backup restored into"),
        options.data.display(),
        summary.files,
        t(lang, "archivos verificados", "files verified"),
        if summary.encrypted {
            t(lang, ", descifrado", ", decrypted")
        } else {
            ""
        }
    );
    println!(
        "  {} {} ({}); {} {} {}",
        t(lang, "respaldo del", "backup of"),
        m.created_at,
        m.hostname,
        t(lang, "cadena de auditoría íntegra:", "audit chain intact:"),
        summary.audit_entries,
        t(lang, "entradas", "entries"),
    );
    if !m.with_registry {
        println!(
            "  {}",
            t(
                lang,
                "el respaldo no incluye el registro civil: impórtelo con `padron-server registry import`",
                "the backup does not hold the civil registry: import it with `padron-server registry import`"
            )
        );
    }
    // The warning an admin must not miss: the restore is as of the backup.
    println!();
    println!(
        "{} {} ({} {}) {}",
        t(
            lang,
            "ATENCIÓN: las revocaciones de estaciones, los bloqueos de personas y las bajas de coordinadores hechos después del",
            "WARNING: workstation revocations, person blocks and coordinator removals made after"
        ),
        m.created_at,
        t(lang, "entrada de auditoría", "audit entry"),
        m.audit_head_seq,
        t(
            lang,
            "NO están en este respaldo: quien fue revocado o bloqueado después vuelve a tener acceso hasta que los repita.",
            "are NOT in this backup: whoever was revoked or blocked since has access again until you repeat them."
        )
    );
    match &summary.later_changes {
        None => println!(
            "{}",
            t(
                lang,
                "Para listarlos, exporte la auditoría del sistema en vivo (`padron-server audit export`) y restaure con --audit-export ARCHIVO.xlsx.",
                "To list them, export the live system's audit log (`padron-server audit export`) and restore with --audit-export FILE.xlsx."
            )
        ),
        Some(changes) if changes.is_empty() => println!(
            "{}",
            t(
                lang,
                "Según la exportación de auditoría indicada, no hubo ninguno después del respaldo.",
                "According to the given audit export, there were none after the backup."
            )
        ),
        Some(changes) => {
            let one = changes.len() == 1;
            println!(
                "{} {}:",
                changes.len(),
                match (lang, one) {
                    (Lang::En, true) =>
                        "change on the live system after the backup that you must repeat",
                    (Lang::En, false) =>
                        "changes on the live system after the backup that you must repeat",
                    (_, true) =>
                        "cambio del sistema en vivo posterior al respaldo que debe repetir",
                    (_, false) =>
                        "cambios del sistema en vivo posteriores al respaldo que debe repetir",
                }
            );
            for c in changes {
                println!(
                    "  #{} {} {} {} {} — {}",
                    c.seq,
                    crate::audit::printable(&c.at),
                    crate::audit::printable(&c.action),
                    crate::audit::printable(&c.subject),
                    crate::audit::printable(&c.detail),
                    t(lang, &c.todo_es, &c.todo_en)
                );
            }
        }
    }
    Ok(())
}
