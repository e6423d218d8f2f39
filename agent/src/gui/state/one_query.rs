//! The user's consulta individual: one person at the desk, by CUI or by
//! names (with the date of birth when known), for a programme.

use padron_shared::single::{OneAnswer, OneQuery};

use super::session::{Outcome, Session};
use super::{Command, Failure, Remote};

/// The tab's form and the last answer.
#[derive(Debug, Default)]
pub struct OneQueryScreen {
    pub by_names: bool,
    pub cui: String,
    pub names: String,
    pub birth: String,
    pub programme: String,
    pub answer: Remote<OneAnswer>,
}

impl OneQueryScreen {
    /// The request the form makes, once it has what it needs.
    pub fn query(&self) -> Option<OneQuery> {
        let programme = self.programme.trim();
        if programme.is_empty() {
            return None;
        }
        let text = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
        let (cui, names, birth) = if self.by_names {
            (None, Some(text(&self.names)?), text(&self.birth))
        } else {
            (Some(text(&self.cui)?), None, None)
        };
        Some(OneQuery {
            programme: programme.to_owned(),
            cui,
            names,
            birth,
            reference: None,
        })
    }
}

#[derive(Debug)]
pub enum Msg {
    ByNames(bool),
    Submit,
    Answered(Result<Box<OneAnswer>, Failure>),
    /// The next person: the form and the answer are cleared, the programme kept.
    Next,
}

pub(super) fn update(s: &mut Session, msg: Msg, out: &mut Outcome) {
    let (session, token) = (s.id, s.token());
    let screen = &mut s.one;
    match msg {
        Msg::ByNames(by_names) => screen.by_names = by_names,
        Msg::Submit => {
            if matches!(screen.answer, Remote::Loading) {
                return;
            }
            if let Some(query) = screen.query() {
                screen.answer = Remote::Loading;
                out.run(Command::OneQuery {
                    session,
                    token,
                    query,
                });
            }
        }
        Msg::Answered(Ok(answer)) => screen.answer = Remote::Loaded(*answer),
        Msg::Answered(Err(f)) => {
            screen.answer = Remote::Failed(f.clone());
            out.fail(f);
        }
        Msg::Next => {
            let programme = std::mem::take(&mut screen.programme);
            *screen = OneQueryScreen {
                by_names: screen.by_names,
                programme,
                ..Default::default()
            };
        }
    }
}
