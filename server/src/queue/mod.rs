//! The Consulta Social FIFO queue around the matching engine.
//!
//! - [`sandbox`]: every upload read in a child process with resource limits.
//! - [`submit`]: an upload's rules, then the job queued.
//! - [`uploads`]: workbooks and results on disk, written durably.
//! - [`worker`]: takes jobs in FIFO order from the store, runs the engine,
//!   keeps its lease, resumes jobs a stopped worker left behind.
//!
//! An upload is acknowledged only after its file is fsynced and its queue
//! row committed; the order is the row's `seq`. Nothing about the queue is
//! held only in memory, so a server killed at any point loses no
//! acknowledged upload and a job never completes twice (completion is a
//! conditional update by the worker that holds the job).

pub mod sandbox;
pub mod submit;
pub mod uploads;
pub mod worker;

use padron_shared::ErrorCode;
use padron_shared::Lang;
use padron_shared::queries::{JobState, QueryJob};

use crate::store::JobRow;

/// A job row as its owner sees it.
pub fn view(row: &JobRow, jobs_ahead: Option<i64>, lang: Lang) -> QueryJob {
    let percent = if row.rows > 0 {
        (row.progress_done * 100 / row.rows).clamp(0, 100) as u8
    } else {
        100
    };
    QueryJob {
        id: row.id.clone(),
        state: row.state,
        jobs_ahead: if row.state == JobState::Queued {
            jobs_ahead
        } else {
            None
        },
        progress_percent: if row.state == JobState::Done {
            100
        } else {
            percent
        },
        mode: row.mode,
        rows: row.rows,
        file_name: row.file_name.clone(),
        user_cui: row.user_cui.clone(),
        counts: row.counts,
        fail_code: row.fail_code.clone(),
        fail_message: row
            .fail_code
            .as_deref()
            .and_then(ErrorCode::from_code)
            .map(|c| c.message(lang).to_owned()),
        created_at: row.created_at.clone(),
        finished_at: row.finished_at.clone(),
    }
}
