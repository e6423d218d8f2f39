//! The service desk tab: the person's tickets (a coordinator's: the
//! institution's), a new reply marked, one ticket's record, a new ticket.

use padron_shared::auth::Role;
use padron_shared::tickets::{NewTicket, TicketView};

use super::session::{Outcome, Session};
use super::{Command, Failure, Remote};

/// The tab's state.
#[derive(Debug, Default)]
pub struct TicketsScreen {
    pub list: Remote<Vec<TicketView>>,
    /// `duda`, `incidente` or `mejora` (offered to coordinators only).
    pub kind: String,
    pub subject: String,
    pub text: String,
    pub sending: bool,
    pub shown: Remote<TicketView>,
}

impl TicketsScreen {
    /// Tickets with a reply their author has not opened.
    pub fn unread(&self) -> usize {
        match &self.list {
            Remote::Loaded(list) => list.iter().filter(|t| t.unread).count(),
            _ => 0,
        }
    }
}

#[derive(Debug)]
pub enum Msg {
    Loaded(Result<Vec<TicketView>, Failure>),
    Kind(&'static str),
    Send,
    Sent(Result<Box<TicketView>, Failure>),
    Show(i64),
    Shown(Result<Box<TicketView>, Failure>),
}

pub(super) fn update(s: &mut Session, msg: Msg, out: &mut Outcome) {
    let (session, token) = (s.id, s.token());
    let coordinator = s.role() == Role::Coordinator;
    let t = &mut s.tickets;
    match msg {
        Msg::Loaded(Ok(list)) => t.list = Remote::Loaded(list),
        Msg::Loaded(Err(f)) => {
            t.list = Remote::Failed(f.clone());
            out.fail(f);
        }
        Msg::Kind(kind) => {
            if kind != "mejora" || coordinator {
                t.kind = kind.to_owned();
            }
        }
        Msg::Send => {
            if t.sending || t.subject.trim().is_empty() || t.text.trim().is_empty() {
                return;
            }
            t.sending = true;
            let kind = if t.kind.is_empty() {
                "duda".to_owned()
            } else {
                t.kind.clone()
            };
            out.run(Command::OpenTicket {
                session,
                token,
                ticket: NewTicket {
                    kind,
                    subject: t.subject.trim().to_owned(),
                    text: t.text.trim().to_owned(),
                    agent_version: crate::ticket_cmd::agent_version(),
                    about: None,
                },
            });
        }
        Msg::Sent(Ok(view)) => {
            t.sending = false;
            t.subject.clear();
            t.text.clear();
            t.shown = Remote::Loaded(*view);
            t.list = Remote::Loading;
            out.run(Command::LoadTickets { session, token });
        }
        Msg::Sent(Err(f)) => {
            t.sending = false;
            t.shown = Remote::Failed(f.clone());
            out.fail(f);
        }
        Msg::Show(id) => {
            t.shown = Remote::Loading;
            out.run(Command::ShowTicket { session, token, id });
        }
        Msg::Shown(Ok(view)) => {
            // Opened: its replies are read now.
            if let Remote::Loaded(list) = &mut t.list
                && let Some(item) = list.iter_mut().find(|x| x.id == view.id)
            {
                item.unread = false;
            }
            t.shown = Remote::Loaded(*view);
        }
        Msg::Shown(Err(f)) => {
            t.shown = Remote::Failed(f.clone());
            out.fail(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use padron_shared::Cui;
    use padron_shared::auth::{Role, SessionInfo};
    use padron_shared::tickets::TicketState;
    use padron_shared::{ErrorCode, Lang};

    use super::*;
    use crate::gui::state::session::{SessionId, Tab};

    fn session(role: Role) -> Session {
        let info = SessionInfo {
            programmes: Vec::new(),
            token: "tok".into(),
            role,
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
            SessionId(3),
            info,
            "r".into(),
            time::macros::date!(2026 - 11 - 22),
        )
    }

    fn run(s: &mut Session, msg: impl Into<crate::gui::state::SessionMsg>) -> Outcome {
        let mut out = Outcome::default();
        s.update(msg.into(), Lang::Es, &mut out);
        out
    }

    fn ticket(id: i64, unread: bool) -> TicketView {
        TicketView {
            id,
            kind: "DUDA".into(),
            subject: "s".into(),
            state: TicketState::EnProceso,
            institution: "MIDES".into(),
            author_cui: "9876543220101".into(),
            author_name: "Pedro".into(),
            workstation_id: 1,
            workstation_site: "Central".into(),
            agent_version: "v".into(),
            about: None,
            created_at: "t".into(),
            first_reply_at: None,
            resolved_at: None,
            closed_at: None,
            unread,
            messages: vec![],
        }
    }

    #[test]
    fn the_desk_tab_lists_marks_new_replies_and_sends_a_ticket() {
        let mut s = session(Role::User);
        assert!(Tab::for_role(Role::User).contains(&Tab::Tickets));
        let out = run(
            &mut s,
            crate::gui::state::SessionMsg::SelectTab(Tab::Tickets),
        );
        assert!(matches!(
            out.commands.as_slice(),
            [Command::LoadTickets { .. }]
        ));
        run(
            &mut s,
            Msg::Loaded(Ok(vec![ticket(1, true), ticket(2, false)])),
        );
        assert_eq!(s.tickets.unread(), 1);
        assert!(matches!(
            run(&mut s, Msg::Show(1)).commands.as_slice(),
            [Command::ShowTicket { id: 1, .. }]
        ));
        run(&mut s, Msg::Shown(Ok(Box::new(ticket(1, false)))));
        assert_eq!(s.tickets.unread(), 0, "opened: read");
        // A user cannot pick mejora; nothing is sent without subject and text.
        run(&mut s, Msg::Kind("mejora"));
        assert_eq!(s.tickets.kind, "");
        assert!(run(&mut s, Msg::Send).commands.is_empty());
        s.tickets.subject = "No descarga".into();
        s.tickets.text = "Error al descargar.".into();
        match run(&mut s, Msg::Send).commands.as_slice() {
            [Command::OpenTicket { ticket, .. }] => {
                assert_eq!(ticket.kind, "duda");
                assert!(ticket.agent_version.starts_with("padron-agent "));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            run(&mut s, Msg::Send).commands.is_empty(),
            "once while sending"
        );
        let out = run(
            &mut s,
            Msg::Sent(Err(Failure::of(ErrorCode::TicketInvalid))),
        );
        assert_eq!(out.failures.len(), 1);
        let mut c = session(Role::Coordinator);
        run(&mut c, Msg::Kind("mejora"));
        assert_eq!(c.tickets.kind, "mejora");
    }
}
