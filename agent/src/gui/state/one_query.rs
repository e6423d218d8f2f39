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
    /// The documentation tour fills the form (`PADRON_GUI_TOUR`).
    TourFill {
        cui: String,
        programme: String,
    },
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
        Msg::TourFill { cui, programme } => {
            screen.by_names = false;
            screen.cui = cui;
            screen.programme = programme;
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

#[cfg(test)]
mod tests {
    use padron_shared::Cui;
    use padron_shared::auth::{Role, SessionInfo};
    use padron_shared::{ErrorCode, Lang};

    use super::*;
    use crate::gui::state::session::{SessionId, Tab};

    fn user() -> Session {
        let info = SessionInfo {
            programmes: Vec::new(),
            token: "tok".into(),
            role: Role::User,
            cui: Cui::parse("9876543220101").unwrap(),
            name: "Pedro Xol".into(),
            institution_code: "MIDES".into(),
            institution_name: "Ministerio".into(),
            workstation_id: 1,
            idle_timeout_seconds: 900,
            expires_at: "2026-11-22T23:00:00.000Z".into(),
            installation_id: "test".into(),
        };
        Session::new(
            SessionId(7),
            info,
            "r".into(),
            time::macros::date!(2026 - 11 - 22),
        )
    }

    fn run(s: &mut Session, msg: Msg) -> Outcome {
        let mut out = Outcome::default();
        s.update(msg.into(), Lang::Es, &mut out);
        out
    }

    #[test]
    fn the_tab_asks_once_with_the_programme_and_keeps_it_for_the_next_person() {
        let mut s = user();
        assert!(Tab::for_role(Role::User).contains(&Tab::OneQuery));
        assert!(!Tab::for_role(Role::Coordinator).contains(&Tab::OneQuery));
        // Nothing is asked without a programme, nor without a CUI.
        s.one.cui = "1234567890101".into();
        assert!(run(&mut s, Msg::Submit).commands.is_empty());
        s.one.programme = "Bolsa Social".into();
        s.one.cui.clear();
        assert!(run(&mut s, Msg::Submit).commands.is_empty());
        s.one.cui = "1234 56789 0101".into();
        let out = run(&mut s, Msg::Submit);
        match out.commands.as_slice() {
            [Command::OneQuery { session, query, .. }] => {
                assert_eq!(*session, SessionId(7));
                assert_eq!(query.cui.as_deref(), Some("1234 56789 0101"));
                assert_eq!(query.names, None);
            }
            other => panic!("{other:?}"),
        }
        // A second press while waiting asks nothing more.
        assert!(run(&mut s, Msg::Submit).commands.is_empty());
        // By names: the names, the date if given; the CUI field is not sent.
        run(
            &mut s,
            Msg::Answered(Err(Failure::of(ErrorCode::QuotaExceeded))),
        );
        run(&mut s, Msg::ByNames(true));
        s.one.names = "ANA, POP".into();
        s.one.birth = "02/07/1990".into();
        match run(&mut s, Msg::Submit).commands.as_slice() {
            [Command::OneQuery { query, .. }] => {
                assert_eq!(
                    (query.cui.as_deref(), query.names.as_deref()),
                    (None, Some("ANA, POP"))
                );
                assert_eq!(query.birth.as_deref(), Some("02/07/1990"));
            }
            other => panic!("{other:?}"),
        }
        // A refusal is shown and handed up (the banner, the session's end).
        let out = run(
            &mut s,
            Msg::Answered(Err(Failure::of(ErrorCode::UserBlocked))),
        );
        assert_eq!(out.failures.len(), 1);
        assert!(matches!(s.one.answer, Remote::Failed(_)));
        run(&mut s, Msg::Next);
        assert_eq!(s.one.programme, "Bolsa Social");
        assert!(s.one.names.is_empty() && s.one.birth.is_empty() && s.one.by_names);
        assert!(matches!(s.one.answer, Remote::NotLoaded));
    }
}
