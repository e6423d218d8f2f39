//! One person's time at the kiosk, from login to logout, card removal or
//! idle lock. Everything that must not outlive it is in [`Session`], so
//! ending it is one assignment (`AppState::session = None`); every command
//! it sends carries its [`SessionId`], and an answer stamped with another
//! id is dropped (see [`super::Msg::Answer`]).

use std::path::PathBuf;

use padron_shared::Lang;
use padron_shared::auth::{Role, SessionInfo};
use padron_shared::calendar::Zone;

use super::{
    Command, Failure, cases, jobs, one_query, query, report, requests, save, tickets, users,
};

/// The session a command and its answer belong to; never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionId(pub(super) u64);

/// The coordinator's and the user's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    Users,
    AddUser,
    Requests,
    Report,
    Query,
    OneQuery,
    Jobs,
    Tickets,
    Cases,
}

impl Tab {
    pub fn for_role(role: Role) -> &'static [Tab] {
        match role {
            Role::Coordinator => &[
                Tab::Users,
                Tab::AddUser,
                Tab::Requests,
                Tab::Report,
                Tab::Cases,
                Tab::Tickets,
            ],
            Role::User => &[Tab::Query, Tab::OneQuery, Tab::Jobs, Tab::Tickets],
        }
    }
}

/// A short message at the top of the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Info { es: String, en: String },
    Error(Failure),
}

/// Inputs for the session on show, by screen.
#[derive(Debug)]
pub enum SessionMsg {
    SelectTab(Tab),
    Reload,
    DismissNotice,
    Users(users::Msg),
    Requests(requests::Msg),
    Report(report::Msg),
    Query(query::Msg),
    Jobs(jobs::Msg),
    OneQuery(one_query::Msg),
    Tickets(tickets::Msg),
    Cases(cases::Msg),
    Save(save::Msg),
    /// The text typed into a list's search box.
    Search(String),
}

impl From<save::Msg> for SessionMsg {
    fn from(msg: save::Msg) -> SessionMsg {
        SessionMsg::Save(msg)
    }
}

impl From<cases::Msg> for SessionMsg {
    fn from(msg: cases::Msg) -> SessionMsg {
        SessionMsg::Cases(msg)
    }
}

impl From<tickets::Msg> for SessionMsg {
    fn from(msg: tickets::Msg) -> SessionMsg {
        SessionMsg::Tickets(msg)
    }
}

impl From<one_query::Msg> for SessionMsg {
    fn from(msg: one_query::Msg) -> SessionMsg {
        SessionMsg::OneQuery(msg)
    }
}

impl From<users::Msg> for SessionMsg {
    fn from(msg: users::Msg) -> SessionMsg {
        SessionMsg::Users(msg)
    }
}

impl From<requests::Msg> for SessionMsg {
    fn from(msg: requests::Msg) -> SessionMsg {
        SessionMsg::Requests(msg)
    }
}

impl From<report::Msg> for SessionMsg {
    fn from(msg: report::Msg) -> SessionMsg {
        SessionMsg::Report(msg)
    }
}

impl From<query::Msg> for SessionMsg {
    fn from(msg: query::Msg) -> SessionMsg {
        SessionMsg::Query(msg)
    }
}

impl From<jobs::Msg> for SessionMsg {
    fn from(msg: jobs::Msg) -> SessionMsg {
        SessionMsg::Jobs(msg)
    }
}

/// What a session's transition asks for: work to run, and the server's
/// refusals for the application to take in (offline banner, institution
/// status, the end of the session).
#[derive(Debug, Default)]
pub struct Outcome {
    pub commands: Vec<Command>,
    pub failures: Vec<Failure>,
}

impl Outcome {
    pub fn run(&mut self, command: Command) {
        self.commands.push(command);
    }

    pub fn fail(&mut self, failure: Failure) {
        self.failures.push(failure);
    }
}

/// The person logged in and all the kiosk holds for them.
#[derive(Debug)]
pub struct Session {
    pub id: SessionId,
    pub info: SessionInfo,
    /// The reader holding the card that opened the session.
    pub reader: String,
    pub tab: Tab,
    pub notice: Option<Notice>,
    pub users: users::UsersScreen,
    pub requests: requests::RequestsScreen,
    pub report: report::ReportScreen,
    pub query: query::QueryScreen,
    pub jobs: jobs::JobsScreen,
    pub one: one_query::OneQueryScreen,
    pub tickets: tickets::TicketsScreen,
    pub cases: cases::CasesScreen,
    /// Where a result or report is being saved to (kiosk mode).
    pub save: Option<save::SaveOffer>,
    /// What the lists on show are filtered by (name, CUI, file, number).
    pub search: String,
    /// The registry's zone (times are shown in it).
    pub zone: Zone,
    /// Kiosk mode: files go to a removable drive or [`Session::folder`] only.
    pub kiosk: bool,
    /// This session's own folder, wiped when it ends.
    pub folder: PathBuf,
    /// The programmes the institution's agreement covers (the add-user
    /// form offers them as a list); empty: not recorded.
    pub programmes: Vec<String>,
    /// Where removable drives are looked for (see `AppState::removable_roots`).
    pub removable_roots: Option<Vec<PathBuf>>,
}

impl Session {
    pub fn new(id: SessionId, info: SessionInfo, reader: String, today: time::Date) -> Session {
        Session {
            id,
            tab: Tab::for_role(info.role)[0],
            info,
            reader,
            notice: None,
            users: users::UsersScreen::default(),
            requests: requests::RequestsScreen::default(),
            report: report::ReportScreen::new(today),
            query: query::QueryScreen::default(),
            jobs: jobs::JobsScreen::default(),
            one: one_query::OneQueryScreen::default(),
            tickets: tickets::TicketsScreen::default(),
            cases: cases::CasesScreen::default(),
            save: None,
            search: String::new(),
            zone: Zone::guatemala(),
            kiosk: false,
            folder: std::env::temp_dir().join("padron-kiosk"),
            programmes: Vec::new(),
            removable_roots: None,
        }
    }

    pub fn role(&self) -> Role {
        self.info.role
    }

    pub(super) fn token(&self) -> String {
        self.info.token.clone()
    }

    pub(super) fn update(&mut self, msg: SessionMsg, lang: Lang, out: &mut Outcome) {
        match msg {
            SessionMsg::SelectTab(tab) => {
                if Tab::for_role(self.role()).contains(&tab) {
                    self.tab = tab;
                    self.users.removal = None;
                    self.search.clear();
                    self.load_tab(out);
                }
            }
            SessionMsg::Reload => self.load_tab(out),
            SessionMsg::DismissNotice => self.notice = None,
            SessionMsg::Users(msg) => users::update(self, msg, out),
            SessionMsg::Requests(msg) => requests::update(self, msg, lang, out),
            SessionMsg::Report(msg) => report::update(self, msg, out),
            SessionMsg::Query(msg) => query::update(self, msg, out),
            SessionMsg::Jobs(msg) => jobs::update(self, msg, out),
            SessionMsg::OneQuery(msg) => one_query::update(self, msg, out),
            SessionMsg::Tickets(msg) => tickets::update(self, msg, out),
            SessionMsg::Cases(msg) => cases::update(self, msg, out),
            SessionMsg::Save(msg) => save::update(self, msg, out),
            SessionMsg::Search(text) => self.search = text,
        }
    }

    /// Fetches what the tab on show lists.
    pub(super) fn load_tab(&mut self, out: &mut Outcome) {
        let (session, token) = (self.id, self.token());
        match self.tab {
            Tab::Users => {
                self.users.list = super::Remote::Loading;
                out.run(Command::LoadUsers { session, token });
            }
            Tab::Requests => {
                self.requests.list = super::Remote::Loading;
                out.run(Command::LoadRequests {
                    session,
                    token: token.clone(),
                });
                // The requests name their person through the users' list.
                if !matches!(self.users.list, super::Remote::Loaded(_)) {
                    self.users.list = super::Remote::Loading;
                    out.run(Command::LoadUsers { session, token });
                }
            }
            Tab::Jobs => {
                self.jobs.list = super::Remote::Loading;
                out.run(Command::LoadJobs { session, token });
            }
            Tab::Report => {
                // The picker lists the institution's users.
                if !matches!(self.users.list, super::Remote::Loaded(_)) {
                    self.users.list = super::Remote::Loading;
                    out.run(Command::LoadUsers { session, token });
                }
            }
            Tab::Cases => {
                self.cases.list = super::Remote::Loading;
                out.run(Command::LoadCases { session, token });
            }
            Tab::Tickets => {
                self.tickets.list = super::Remote::Loading;
                out.run(Command::LoadTickets { session, token });
            }
            Tab::AddUser | Tab::Query | Tab::OneQuery => {}
        }
    }
}
