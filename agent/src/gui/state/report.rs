//! The coordinator's user-activity report: the question, the answer, and
//! the workbook it is saved as.

use std::path::PathBuf;

use padron_shared::ErrorCode;
use padron_shared::auth::Role;
use padron_shared::reports::{UserActivityParams, UserActivityReport};

use super::session::{Outcome, Session};
use super::{Command, Failure, Remote, Saved};
use crate::user_admin;

/// The user-activity report's question: whose queries, between which days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportForm {
    pub cui: String,
    /// `dd/mm/aaaa` as typed (ISO `aaaa-mm-dd` is read too), both days included.
    pub from: String,
    pub to: String,
}

impl ReportForm {
    /// This month so far (the registry's local days, like the server's).
    pub fn this_month(today: time::Date) -> ReportForm {
        let day = |d: time::Date| padron_shared::calendar::show_day(d, padron_shared::Lang::Es);
        ReportForm {
            cui: String::new(),
            from: day(today.replace_day(1).unwrap_or(today)),
            to: day(today),
        }
    }

    /// The request, or what is wrong with the form.
    pub fn params(&self) -> Result<UserActivityParams, Failure> {
        let cui = user_admin::check_cui(&self.cui)
            .map_err(|p| Failure::new(ErrorCode::CuiInvalid, p.es, p.en))?;
        let parse = padron_shared::calendar::parse_day;
        let iso =
            |d: time::Date| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
        match (parse(&self.from), parse(&self.to)) {
            (Some(from), Some(to)) if from <= to => Ok(UserActivityParams {
                cui: cui.as_string(),
                from: iso(from),
                to: iso(to),
            }),
            (Some(_), Some(_)) => Err(Failure::new(
                ErrorCode::BadRequest,
                "La fecha inicial es posterior a la final.",
                "The first day is after the last one.",
            )),
            _ => Err(Failure::new(
                ErrorCode::BadRequest,
                "Escriba las fechas como dd/mm/aaaa (por ejemplo 01/11/2026).",
                "Write the dates as dd/mm/yyyy (for example 01/11/2026).",
            )),
        }
    }
}

/// The report tab's state.
#[derive(Debug)]
pub struct ReportScreen {
    pub form: ReportForm,
    pub activity: Remote<UserActivityReport>,
    pub saved: Option<Saved>,
}

impl ReportScreen {
    pub fn new(today: time::Date) -> ReportScreen {
        ReportScreen {
            form: ReportForm::this_month(today),
            activity: Remote::NotLoaded,
            saved: None,
        }
    }
}

// A message is moved once, from the worker to the state; boxing the
// report would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Msg {
    Run,
    Loaded(Result<UserActivityReport, Failure>),
    Save,
    /// Where the save dialog said to write it (`None`: cancelled).
    Target(Option<PathBuf>),
    Written(Result<PathBuf, Failure>),
    /// The documentation tour picks the person (see `capture.rs`).
    TourFill(String),
}

pub(super) fn update(s: &mut Session, msg: Msg, out: &mut Outcome) {
    let session = s.id;
    let token = s.token();
    let coordinator = s.role() == Role::Coordinator;
    let report = &mut s.report;
    match msg {
        Msg::Run => {
            if !coordinator {
                return;
            }
            match report.form.params() {
                Ok(params) => {
                    report.activity = Remote::Loading;
                    report.saved = None;
                    out.run(Command::LoadReport {
                        session,
                        token,
                        params,
                    });
                }
                Err(f) => report.activity = Remote::Failed(f),
            }
        }
        Msg::Loaded(Ok(r)) => report.activity = Remote::Loaded(r),
        Msg::Loaded(Err(f)) => {
            report.activity = Remote::Failed(f.clone());
            out.fail(f);
        }
        Msg::Save => {
            let file_name = match &report.activity {
                Remote::Loaded(r) => {
                    Some(format!("actividad-{}-{}-{}.xlsx", r.user_cui, r.from, r.to))
                }
                _ => None,
            };
            if let Some(file_name) = file_name {
                if s.kiosk {
                    super::save::ask(s, super::save::SaveWhat::Report { file_name }, out);
                } else {
                    out.run(Command::PickReportTarget { session, file_name });
                }
            }
        }
        Msg::Target(path) => {
            if let (Remote::Loaded(r), Some(path)) = (&report.activity, path) {
                report.saved = Some(Saved::Saving(r.user_cui.clone()));
                out.run(Command::WriteReport {
                    session,
                    report: Box::new(r.clone()),
                    path,
                });
            }
        }
        Msg::Written(Ok(path)) => report.saved = Some(Saved::Done(path)),
        Msg::Written(Err(f)) => report.saved = Some(Saved::Failed(f)),
        Msg::TourFill(cui) => report.form.cui = cui,
    }
}
