//! The coordinator's follow-up cases, read-only: each case's state and,
//! opened, each row's outcome (a verified row gives the CUI to query).
//! Cases are sent with `padron-agent case send` (signed with the card).

use padron_shared::cases::CaseView;

use super::session::{Outcome, Session};
use super::{Command, Failure, Remote};

#[derive(Debug, Default)]
pub struct CasesScreen {
    pub list: Remote<Vec<CaseView>>,
    pub shown: Remote<CaseView>,
}

#[derive(Debug)]
pub enum Msg {
    Loaded(Result<Vec<CaseView>, Failure>),
    Show(String),
    Shown(Result<Box<CaseView>, Failure>),
}

pub(super) fn update(s: &mut Session, msg: Msg, out: &mut Outcome) {
    let (session, token) = (s.id, s.token());
    let c = &mut s.cases;
    match msg {
        Msg::Loaded(Ok(list)) => c.list = Remote::Loaded(list),
        Msg::Loaded(Err(f)) => {
            c.list = Remote::Failed(f.clone());
            out.fail(f);
        }
        Msg::Show(id) => {
            c.shown = Remote::Loading;
            out.run(Command::ShowCase { session, token, id });
        }
        Msg::Shown(Ok(view)) => c.shown = Remote::Loaded(*view),
        Msg::Shown(Err(f)) => {
            c.shown = Remote::Failed(f.clone());
            out.fail(f);
        }
    }
}
