//! The user's Consulta Social: a workbook picked and pre-checked here,
//! uploaded, followed in the queue, and its result saved.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use padron_shared::auth::Role;
use padron_shared::queries::{AttentionRow, JobState, QueryJob};

use super::save::{self, SaveWhat};
use super::session::{Outcome, Session, Tab};
use super::{Command, Failure, Remote, Saved};
use crate::precheck;

/// A workbook picked by the user and its local pre-check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workbook {
    pub path: PathBuf,
    pub name: String,
    pub check: Result<(precheck::Report, Arc<Vec<u8>>), Failure>,
}

/// The upload being followed: sending, then the job as the server reports it.
// One of these lives in the state; boxing the job would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upload {
    Sending,
    Job(QueryJob),
    Failed(Failure),
}

/// The query tab's state, and the result being saved (from this tab or
/// the jobs list).
#[derive(Debug, Default)]
pub struct QueryScreen {
    /// The workbook whose pre-check is running.
    pub checking: Option<PathBuf>,
    pub workbook: Option<Workbook>,
    pub upload: Option<Upload>,
    pub saved: Option<Saved>,
    /// The template saved (or being saved) from the pre-check.
    pub template: Option<Saved>,
    /// When the job was first seen running, and its progress then: the
    /// time-left estimate is the rate since.
    pub running_since: Option<(Instant, u8)>,
    /// When the job was first seen queued, and how many were ahead then:
    /// the queue's estimate is the pace the line has moved since.
    pub queued_since: Option<(Instant, i64)>,
    /// The finished job's rows that need a look (preview).
    pub attention: Remote<Vec<AttentionRow>>,
}

impl QueryScreen {
    /// An upload is on its way or its job is not finished.
    pub fn running(&self) -> bool {
        match &self.upload {
            Some(Upload::Sending) => true,
            Some(Upload::Job(job)) => job.state.is_unfinished(),
            _ => false,
        }
    }

    /// An estimate of the time left while running, from the progress made
    /// since the job was first seen running.
    pub fn time_left(&self, now: Instant) -> Option<Duration> {
        let Some(Upload::Job(job)) = &self.upload else {
            return None;
        };
        let (since, from) = self.running_since?;
        let done = job.progress_percent.saturating_sub(from);
        if job.state != JobState::Running || done == 0 {
            return None;
        }
        let elapsed = now.saturating_duration_since(since).as_secs_f64();
        let left = f64::from(100 - job.progress_percent.min(100));
        Some(Duration::from_secs_f64(elapsed * left / f64::from(done)))
    }

    /// An estimate of the wait in the queue, from how fast the jobs ahead
    /// have gone since the job was first seen queued (none until one has).
    pub fn queue_left(&self, now: Instant) -> Option<Duration> {
        let Some(Upload::Job(job)) = &self.upload else {
            return None;
        };
        let (since, first) = self.queued_since?;
        let ahead = job.jobs_ahead?;
        let gone = first - ahead;
        if job.state != JobState::Queued || gone <= 0 {
            return None;
        }
        let per_job = now.saturating_duration_since(since).as_secs_f64() / gone as f64;
        Some(Duration::from_secs_f64(per_job * (ahead + 1) as f64))
    }

    /// The row being processed, of how many: `(X, Y)` of "fila X de Y".
    pub fn row_of(&self) -> Option<(i64, i64)> {
        let Some(Upload::Job(job)) = &self.upload else {
            return None;
        };
        (job.state == JobState::Running).then(|| {
            (
                (job.rows * i64::from(job.progress_percent) / 100).max(1),
                job.rows,
            )
        })
    }
}

#[derive(Debug)]
pub enum Msg {
    Choose,
    /// Dropped on the window, or picked in the file dialog.
    Chosen(PathBuf),
    Checked(Workbook),
    Upload,
    Uploaded(Result<QueryJob, Failure>),
    JobUpdate(Result<QueryJob, Failure>),
    SaveResult {
        id: String,
        file_name: String,
    },
    /// Where the save dialog said to write job `id`'s result (`None`: cancelled).
    SaveTarget {
        id: String,
        path: Option<PathBuf>,
    },
    ResultSaved(Result<PathBuf, Failure>),
    /// Read the same file again (after fixing it).
    CheckAgain,
    /// Fold the finished job away and start another.
    NewQuery,
    /// Save an empty template (by names or by CUI).
    SaveTemplate {
        names: bool,
    },
    TemplateSaved(Result<PathBuf, Failure>),
    Attention(Result<Vec<AttentionRow>, Failure>),
}

pub(super) fn update(s: &mut Session, msg: Msg, out: &mut Outcome) {
    let session = s.id;
    let token = s.token();
    let user = s.role() == Role::User;
    let query = &mut s.query;
    match msg {
        Msg::Choose => {
            if user {
                out.run(Command::PickWorkbook { session });
            }
        }
        Msg::Chosen(path) => {
            if user && !query.running() {
                s.tab = Tab::Query;
                query.checking = Some(path.clone());
                query.workbook = None;
                query.upload = None;
                query.saved = None;
                query.running_since = None;
                query.queued_since = None;
                query.attention = Remote::NotLoaded;
                out.run(Command::CheckWorkbook { session, path });
            }
        }
        Msg::CheckAgain => {
            if let Some(book) = &query.workbook
                && !query.running()
            {
                let path = book.path.clone();
                query.checking = Some(path.clone());
                query.workbook = None;
                out.run(Command::CheckWorkbook { session, path });
            }
        }
        Msg::NewQuery => {
            if !query.running() {
                query.checking = None;
                query.workbook = None;
                query.upload = None;
                query.saved = None;
                query.running_since = None;
                query.queued_since = None;
                query.attention = Remote::NotLoaded;
            }
        }
        Msg::SaveTemplate { names } => {
            let file_name = if names {
                "plantilla-consulta-por-nombres.xlsx"
            } else {
                "plantilla-consulta-por-cui.xlsx"
            };
            save::ask(
                s,
                SaveWhat::Template {
                    names,
                    file_name: file_name.to_owned(),
                },
                out,
            );
        }
        Msg::Attention(result) => {
            query.attention = match result {
                Ok(rows) => Remote::Loaded(rows),
                // The preview only: the workbook has every row.
                Err(f) => Remote::Failed(f),
            };
        }
        Msg::TemplateSaved(result) => {
            query.template = Some(match result {
                Ok(path) => Saved::Done(path),
                Err(f) => Saved::Failed(f),
            });
        }
        Msg::Checked(book) => {
            if query.checking.as_ref() == Some(&book.path) {
                query.checking = None;
                query.workbook = Some(book);
            }
        }
        Msg::Upload => {
            let ready = match &query.workbook {
                Some(Workbook {
                    name,
                    check: Ok((_, bytes)),
                    ..
                }) => Some((name.clone(), bytes.clone())),
                _ => None,
            };
            if let Some((name, bytes)) = ready
                && !query.running()
            {
                query.upload = Some(Upload::Sending);
                query.saved = None;
                out.run(Command::Upload {
                    session,
                    token,
                    name,
                    bytes,
                });
            }
        }
        Msg::Uploaded(Ok(job)) => {
            query.queued_since = job.jobs_ahead.map(|ahead| (Instant::now(), ahead));
            out.run(Command::FollowJob {
                session,
                token,
                id: job.id.clone(),
            });
            query.upload = Some(Upload::Job(job));
        }
        Msg::Uploaded(Err(f)) => {
            query.upload = Some(Upload::Failed(f.clone()));
            out.fail(f);
        }
        Msg::JobUpdate(Ok(job)) => {
            let ours = matches!(&query.upload, Some(Upload::Job(j)) if j.id == job.id);
            if ours {
                if job.state == JobState::Queued
                    && query.queued_since.is_none()
                    && let Some(ahead) = job.jobs_ahead
                {
                    query.queued_since = Some((Instant::now(), ahead));
                }
                if job.state == JobState::Running && query.running_since.is_none() {
                    query.running_since = Some((Instant::now(), job.progress_percent));
                }
                if job.state == JobState::Done && query.attention == Remote::NotLoaded {
                    query.attention = Remote::Loading;
                    out.run(Command::LoadAttention {
                        session,
                        token,
                        id: job.id.clone(),
                    });
                }
                query.upload = Some(Upload::Job(job));
            }
        }
        Msg::JobUpdate(Err(f)) => {
            if f.is_offline()
                && let Some(Upload::Job(job)) = &query.upload
            {
                // Keep following once the server is back.
                out.run(Command::FollowJob {
                    session,
                    token,
                    id: job.id.clone(),
                });
            }
            out.fail(f);
        }
        Msg::SaveResult { id, file_name } => {
            if s.kiosk {
                // Kiosk mode: a removable drive or the session's folder.
                save::ask(s, SaveWhat::Result { id, file_name }, out);
            } else {
                out.run(Command::PickSaveTarget {
                    session,
                    id,
                    file_name,
                });
            }
        }
        Msg::SaveTarget { id, path } => {
            if let Some(path) = path {
                query.saved = Some(Saved::Saving(id.clone()));
                out.run(Command::Download {
                    session,
                    token,
                    id,
                    path,
                });
            }
        }
        Msg::ResultSaved(Ok(path)) => query.saved = Some(Saved::Done(path)),
        Msg::ResultSaved(Err(f)) => {
            query.saved = Some(Saved::Failed(f.clone()));
            out.fail(f);
        }
    }
}

/// Suggested file name for a result: `<input>-resultado.xlsx`.
pub fn result_file_name(input: &str) -> String {
    let stem = input
        .strip_suffix(".xlsx")
        .or_else(|| input.strip_suffix(".xls"))
        .or_else(|| input.strip_suffix(".ods"))
        .unwrap_or(input);
    format!("{stem}-resultado.xlsx")
}
