//! `padron-server report …`: the admin's reports at the terminal.

use padron_shared::Lang;

use crate::cli::ReportCommand;
use crate::cli::commands::open;
use crate::clock::{Clock, SystemClock, timestamp};
use crate::institutions::calendar::{parse_day, parse_month};
use crate::reports::usage::{APPROACHING_DAYS, approaching, usage};

fn t<'a>(lang: Lang, es: &'a str, en: &'a str) -> &'a str {
    if lang == Lang::En { en } else { es }
}

fn as_of(at: Option<&str>, clock: &dyn Clock) -> anyhow::Result<time::Date> {
    Ok(match at {
        Some(text) => parse_day(text)?,
        None => clock.today(),
    })
}

/// Days are the installation's (`SystemClock::of` its data directory), so
/// the caller's clock is not used.
pub fn run(cmd: ReportCommand, lang: Lang, _clock: &dyn Clock) -> anyhow::Result<()> {
    match cmd {
        ReportCommand::Tickets { data, month } => {
            let month = parse_month(&month)?;
            let (dir, store) = open(&data.data)?;
            let clock = SystemClock::of(&dir)?;
            crate::desk::tickets::print_report(store.as_ref(), month, &clock.zone(), lang)?;
        }
        ReportCommand::Usage {
            data,
            month,
            out,
            at,
        } => {
            let month = parse_month(&month)?;
            let (dir, store) = open(&data.data)?;
            let clock = &SystemClock::of(&dir)?;
            let as_of = as_of(at.as_deref(), clock)?;
            let report = usage(
                store.as_ref(),
                month,
                as_of,
                &timestamp(clock.now()),
                &clock.zone(),
            )?;
            crate::reports::usage_xlsx::write(&report, &out)?;
            let rows: u64 = report.institutions.iter().map(|i| i.rows()).sum();
            let queries: u64 = report.institutions.iter().map(|i| i.queries).sum();
            println!(
                "{} {} → {}",
                t(lang, "Reporte de consumo de", "Usage report for"),
                month.month_label(),
                out.display()
            );
            println!(
                "  {} {}, {} {}, {} {}",
                report.institutions.len(),
                t(lang, "instituciones", "institutions"),
                queries,
                t(lang, "consultas", "queries"),
                rows,
                t(lang, "filas", "rows")
            );
            for i in &report.institutions {
                let quota = i
                    .monthly_quota
                    .map(|q| format!(" / {q}"))
                    .unwrap_or_default();
                println!(
                    "  {:<16} {:>5} {:<10} {:>9}{quota} {}",
                    i.code,
                    i.queries,
                    t(lang, "consultas", "queries"),
                    i.rows(),
                    t(lang, "filas", "rows"),
                );
            }
            println!(
                "  {}: {}; {}: {}",
                t(lang, "por cancelar", "approaching cancellation"),
                report.approaching.len(),
                t(lang, "desactivados en enero", "deactivated in January"),
                report.january.len()
            );
        }
        ReportCommand::Approaching { data, at } => {
            let (dir, store) = open(&data.data)?;
            let clock = &SystemClock::of(&dir)?;
            let as_of = as_of(at.as_deref(), clock)?;
            let list = approaching(store.as_ref(), as_of, &clock.zone())?;
            println!(
                "{} {APPROACHING_DAYS} {} {as_of}: {}",
                t(lang, "Instituciones con", "Institutions with"),
                t(
                    lang,
                    "días o más sin consultas al",
                    "days or more without queries as of"
                ),
                list.len()
            );
            for a in list {
                println!(
                    "  {:<16} {} {} ({} {}); {} {}",
                    a.code,
                    t(lang, "sin consultas desde", "no queries since"),
                    a.since,
                    a.days,
                    t(lang, "días", "days"),
                    t(lang, "se cancela el", "cancelled on"),
                    a.cancels_on
                );
            }
        }
        ReportCommand::January { data, year } => {
            let (_, store) = open(&data.data)?;
            let list = store_january(store.as_ref(), year)?;
            println!(
                "{} {year}: {}",
                t(
                    lang,
                    "Usuarios desactivados en enero de",
                    "Users deactivated in January"
                ),
                list.len()
            );
            for d in list {
                println!(
                    "  {:<16} {} {} ({}) {}",
                    d.institution_code, d.user_cui, d.full_name, d.programme, d.deactivated_at
                );
            }
        }
    }
    Ok(())
}

fn store_january(
    store: &dyn crate::store::Store,
    year: i32,
) -> anyhow::Result<Vec<crate::store::JanuaryDeactivation>> {
    Ok(store
        .january_deactivations(year)
        .map_err(crate::error::ServerError::from)?)
}
