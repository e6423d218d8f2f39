//! `padron-server doctor`: prints the findings (Spanish, English with
//! `PADRON_LANG=en`) and returns the exit status.

use std::io::Write;
use std::path::Path;

use padron_shared::Lang;

use super::{DoctorOptions, Level};
use crate::clock::Clock;

/// Runs the checks, prints them, and returns 0 / 1 / 2 (ok / warnings / errors).
pub fn run(data: &Path, min_free_mib: u64, lang: Lang, clock: &dyn Clock) -> u8 {
    let mut options = DoctorOptions::new(data, clock.now());
    options.min_free_bytes = min_free_mib.saturating_mul(1024 * 1024);
    let report = super::run(&options);
    let en = lang == Lang::En;
    println!("padron-server doctor: {}", data.display());
    for f in &report.findings {
        let tag = match (f.level, en) {
            (Level::Ok, _) => "ok",
            (Level::Warning, false) => "AVISO",
            (Level::Warning, true) => "WARNING",
            (Level::Error, _) => "ERROR",
        };
        let (found, todo) = if en {
            (&f.found_en, &f.todo_en)
        } else {
            (&f.found_es, &f.todo_es)
        };
        println!("  [{tag}] {}: {found}", f.id);
        if !todo.is_empty() {
            println!(
                "      {} {todo}",
                if en { "What to do:" } else { "Qué hacer:" }
            );
        }
    }
    let count = |l: Level| report.findings.iter().filter(|f| f.level == l).count();
    let (errors, warnings) = (count(Level::Error), count(Level::Warning));
    if en {
        println!("Result: {errors} errors, {warnings} warnings.");
    } else {
        println!("Resultado: {errors} errores, {warnings} avisos.");
    }
    let _ = std::io::stdout().flush();
    report.exit_status()
}
