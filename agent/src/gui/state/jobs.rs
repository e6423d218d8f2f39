//! The user's own queries, as the server lists them.

use padron_shared::queries::QueryJob;

use super::session::{Outcome, Session};
use super::{Failure, Remote};

/// The jobs tab's state (saving a result is the [`super::query`] screen's).
#[derive(Debug, Default)]
pub struct JobsScreen {
    pub list: Remote<Vec<QueryJob>>,
}

#[derive(Debug)]
pub enum Msg {
    Loaded(Result<Vec<QueryJob>, Failure>),
}

pub(super) fn update(s: &mut Session, msg: Msg, out: &mut Outcome) {
    match msg {
        Msg::Loaded(Ok(list)) => s.jobs.list = Remote::Loaded(list),
        Msg::Loaded(Err(f)) => {
            s.jobs.list = Remote::Failed(f.clone());
            out.fail(f);
        }
    }
}
