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
    /// `YYYY-MM-DD`, both days included.
    pub from: String,
    pub to: String,
}

impl ReportForm {
    /// This month so far (UTC days, like the server's).
    pub fn this_month(today: time::Date) -> ReportForm {
        let day =
            |d: time::Date| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
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
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let parse = |t: &str| time::Date::parse(t.trim(), &format).ok();
        match (parse(&self.from), parse(&self.to)) {
            (Some(from), Some(to)) if from <= to => Ok(UserActivityParams {
                cui: cui.as_string(),
                from: self.from.trim().to_owned(),
                to: self.to.trim().to_owned(),
            }),
            (Some(_), Some(_)) => Err(Failure::new(
                ErrorCode::BadRequest,
                "La fecha inicial es posterior a la final.",
                "The first day is after the last one.",
            )),
            _ => Err(Failure::new(
                ErrorCode::BadRequest,
                "Escriba las fechas como AAAA-MM-DD.",
                "Write the dates as YYYY-MM-DD.",
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
            if let Remote::Loaded(r) = &report.activity {
                out.run(Command::PickReportTarget {
                    session,
                    file_name: format!("actividad-{}-{}-{}.xlsx", r.user_cui, r.from, r.to),
                });
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
