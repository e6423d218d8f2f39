//! The kiosk's state and its transitions, apart from any drawing: `update`
//! takes a [`Msg`] (something the person did, or a result the worker sent
//! back) and returns the [`Command`]s to run off the UI thread. Tests drive
//! it without a window.
//!
//! Invariants kept here: a PIN is only ever carried inside a [`Command`]
//! to the card layer, never stored in the state; a card removal or an idle
//! lock ends the session at once (the server is told, the token forgotten).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use padron_drivers::{Pin, ReaderInfo};
use padron_shared::auth::{Role, SessionInfo};
use padron_shared::protocol::WhoAmI;
use padron_shared::queries::QueryJob;
use padron_shared::reports::{UserActivityParams, UserActivityReport};
use padron_shared::users::{RemovalReason, RequestAction, RequestView, UserChange, UserView};
use padron_shared::{ErrorCode, Lang};

use crate::precheck;
use crate::user_admin::{self, FieldProblem};

/// A kiosk locks after this long without input.
pub const IDLE_LOCK: Duration = Duration::from_secs(5 * 60);
/// An offline server is asked again after this long.
pub const OFFLINE_RETRY: Duration = Duration::from_secs(5);
/// An online server is asked again after this long, so an outage shows
/// while nobody works (one request, one repaint: no measurable idle cost).
pub const ONLINE_RECHECK: Duration = Duration::from_secs(30);

/// A failure as the person reads it, in both languages (the language can be
/// switched while it is on screen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: ErrorCode,
    pub es: String,
    pub en: String,
    /// For a wrong PIN: the tries the card says are left.
    pub tries_left: Option<u8>,
}

impl Failure {
    pub fn new(code: ErrorCode, es: impl Into<String>, en: impl Into<String>) -> Failure {
        Failure {
            code,
            es: es.into(),
            en: en.into(),
            tries_left: None,
        }
    }

    /// Just the stable sentence of `code`.
    pub fn of(code: ErrorCode) -> Failure {
        Failure::new(code, code.message(Lang::Es), code.message(Lang::En))
    }

    pub fn text(&self, lang: Lang) -> &str {
        if lang == Lang::En { &self.en } else { &self.es }
    }

    /// The server (or the network to it) is the problem, not the request.
    pub fn is_offline(&self) -> bool {
        matches!(
            self.code,
            ErrorCode::ServerUnreachable | ErrorCode::StoreUnavailable
        )
    }

    /// The session is gone on the server's side.
    pub fn ends_session(&self) -> bool {
        matches!(
            self.code,
            ErrorCode::SessionExpired
                | ErrorCode::SessionInvalid
                | ErrorCode::SessionOtherWorkstation
                | ErrorCode::InstitutionInactive
                | ErrorCode::InstitutionCancelled
                | ErrorCode::UserBlocked
                | ErrorCode::UserNotAuthorized
        )
    }
}

/// The readers, as the card watcher last reported them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readers {
    /// Not known yet (the watcher is starting).
    Unknown,
    /// The PC/SC service is not running.
    NoService,
    Seen(Vec<ReaderInfo>),
}

/// What the card says before any PIN: who holds it and how the PIN stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardFacts {
    pub reader: String,
    pub holder: Option<String>,
    pub cui: Option<String>,
    pub tries_left: Option<u8>,
    pub blocked: bool,
}

/// The connection to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Server {
    Checking,
    Online(WhoAmI),
    Offline(Failure),
}

/// Whether the institution may use the service, as far as the kiosk knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Institution {
    Unknown,
    Active,
    /// `INSTITUTION_INACTIVE` or `INSTITUTION_CANCELLED`, with the server's
    /// words for the cause.
    Refused(Failure),
}

/// Why the PIN screen is showing again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockReason {
    Idle,
    SessionEnded,
}

/// The coordinator's and the user's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    Users,
    AddUser,
    Requests,
    Report,
    Query,
    Jobs,
}

impl Tab {
    pub fn for_role(role: Role) -> &'static [Tab] {
        match role {
            Role::Coordinator => &[Tab::Users, Tab::AddUser, Tab::Requests, Tab::Report],
            Role::User => &[Tab::Query, Tab::Jobs],
        }
    }
}

/// Something fetched from the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remote<T> {
    NotLoaded,
    Loading,
    Loaded(T),
    Failed(Failure),
}

/// The add-user form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserForm {
    pub cui: String,
    pub full_name: String,
    pub email: String,
    pub phone: String,
    pub extension: String,
    pub department: String,
    pub post: String,
    pub programme: String,
    /// Problems are shown for a field once it was left, or after a first
    /// attempt to sign, not while the first characters are typed.
    pub touched: Vec<user_admin::Field>,
    pub attempted: bool,
}

impl UserForm {
    pub fn change(&self) -> UserChange {
        let opt = |s: &str| Some(s.trim().to_owned());
        UserChange {
            cui: self.cui.trim().to_owned(),
            full_name: opt(&self.full_name),
            email: opt(&self.email),
            phone: opt(&self.phone),
            extension: Some(self.extension.trim().to_owned()).filter(|e| !e.is_empty()),
            department: opt(&self.department),
            post: opt(&self.post),
            programme: opt(&self.programme),
            reason: None,
        }
    }

    pub fn problems(&self) -> Vec<FieldProblem> {
        user_admin::check_change(RequestAction::Add, &self.change())
    }

    /// The problem to show under `field`, if any.
    pub fn shown_problem(&self, field: user_admin::Field) -> Option<FieldProblem> {
        if !(self.attempted || self.touched.contains(&field)) {
            return None;
        }
        self.problems().into_iter().find(|p| p.field == field)
    }
}

/// A removal being prepared: whom, and the reason picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub cui: String,
    pub name: String,
    pub reason: Option<RemovalReason>,
}

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

/// A request waiting for the card's signature (PIN prompt), or being sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signing {
    pub action: RequestAction,
    pub user: UserChange,
    pub busy: bool,
    pub error: Option<Failure>,
}

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

/// A result file saved, or failing to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    Saving(String),
    Done(PathBuf),
    Failed(Failure),
}

/// Inputs: what the person did, and what the worker found out.
#[derive(Debug)]
pub enum Msg {
    // Card layer.
    Readers(Readers),
    CardRead(Result<CardFacts, Failure>),
    // Server.
    /// The answer to the check of `epoch` (see [`AppState::server_epoch`]).
    ServerChecked {
        epoch: u64,
        result: Result<WhoAmI, Failure>,
    },
    RetryServer,
    // Login.
    SubmitPin(Pin),
    LoggedIn(Result<SessionInfo, Failure>),
    Logout,
    IdleTimeout,
    SetLang(Lang),
    SelectTab(Tab),
    // Coordinator.
    Users(Result<Vec<UserView>, Failure>),
    Requests(Result<Vec<RequestView>, Failure>),
    Reload,
    FieldLeft(user_admin::Field),
    /// The documentation tour fills the forms (see `capture.rs`).
    TourFill(Box<UserForm>),
    TourReport(String),
    /// The PIN typed cannot be a PIN; nothing reached the card.
    PinInvalid(Failure),
    AskSignAdd,
    AskRemove {
        cui: String,
        name: String,
    },
    PickReason(RemovalReason),
    AskSignRemove,
    CancelSigning,
    SignWithPin(Pin),
    Submitted(Result<RequestView, Failure>),
    RequestUpdate(RequestView),
    RunReport,
    Report(Result<UserActivityReport, Failure>),
    SaveReport,
    ReportTarget(Option<PathBuf>),
    ReportSaved(Result<PathBuf, Failure>),
    // User.
    ChooseWorkbook,
    WorkbookChosen(PathBuf),
    WorkbookChecked(Workbook),
    Upload,
    Uploaded(Result<QueryJob, Failure>),
    JobUpdate(Result<QueryJob, Failure>),
    Jobs(Result<Vec<QueryJob>, Failure>),
    SaveResult {
        id: String,
        file_name: String,
    },
    SaveTarget {
        id: String,
        path: Option<PathBuf>,
    },
    ResultSaved(Result<PathBuf, Failure>),
    OpenFolder(PathBuf),
    /// A coordinator ends kiosk mode.
    Quit,
    DismissNotice,
}

/// Work for the worker (network, card, dialogs), off the UI thread.
#[derive(Debug)]
pub enum Command {
    CheckServer {
        epoch: u64,
        after: Option<Duration>,
    },
    ReadCard {
        reader: String,
    },
    Login {
        reader: String,
        pin: Pin,
    },
    Logout {
        token: String,
    },
    LoadUsers {
        token: String,
    },
    LoadRequests {
        token: String,
    },
    Sign {
        reader: String,
        pin: Pin,
        lang: Lang,
        session: Box<SessionInfo>,
        action: RequestAction,
        user: UserChange,
    },
    FollowRequest {
        token: String,
        request: RequestView,
    },
    LoadReport {
        token: String,
        params: UserActivityParams,
    },
    PickReportTarget {
        file_name: String,
    },
    WriteReport {
        report: Box<UserActivityReport>,
        path: PathBuf,
    },
    PickWorkbook,
    CheckWorkbook {
        path: PathBuf,
    },
    Upload {
        token: String,
        name: String,
        bytes: Arc<Vec<u8>>,
    },
    FollowJob {
        token: String,
        id: String,
    },
    LoadJobs {
        token: String,
    },
    PickSaveTarget {
        id: String,
        file_name: String,
    },
    Download {
        token: String,
        id: String,
        path: PathBuf,
    },
    OpenFolder {
        path: PathBuf,
    },
    SetLang(Lang),
    Close,
}

/// A short message at the top of the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Info { es: String, en: String },
    Error(Failure),
}

/// The whole state of the kiosk.
#[derive(Debug)]
pub struct AppState {
    pub lang: Lang,
    pub kiosk: bool,
    pub readers: Readers,
    /// The reader the configuration names, if any.
    pub configured_reader: Option<String>,
    pub card: Option<Result<CardFacts, Failure>>,
    pub pin_busy: bool,
    pub pin_error: Option<Failure>,
    pub locked: Option<LockReason>,
    pub session: Option<SessionInfo>,
    pub session_reader: Option<String>,
    pub server: Server,
    /// Each scheduled server check gets a new epoch; an answer to an older
    /// one does not schedule another, so there is one chain of checks.
    pub server_epoch: u64,
    pub institution: Institution,
    pub tab: Tab,
    pub users: Remote<Vec<UserView>>,
    pub requests: Remote<Vec<RequestView>>,
    pub form: UserForm,
    pub removal: Option<Removal>,
    pub signing: Option<Signing>,
    pub followed: Option<RequestView>,
    pub report_form: ReportForm,
    pub report: Remote<UserActivityReport>,
    pub report_saved: Option<Saved>,
    pub workbook: Option<Workbook>,
    pub checking: Option<PathBuf>,
    pub upload: Option<Upload>,
    pub jobs: Remote<Vec<QueryJob>>,
    pub saved: Option<Saved>,
    pub notice: Option<Notice>,
    pub last_input: Instant,
    pub quitting: bool,
}

impl AppState {
    pub fn new(lang: Lang, kiosk: bool, configured_reader: Option<String>) -> AppState {
        AppState {
            lang,
            kiosk,
            readers: Readers::Unknown,
            configured_reader,
            card: None,
            pin_busy: false,
            pin_error: None,
            locked: None,
            session: None,
            session_reader: None,
            server: Server::Checking,
            server_epoch: 0,
            institution: Institution::Unknown,
            tab: Tab::Users,
            users: Remote::NotLoaded,
            requests: Remote::NotLoaded,
            form: UserForm::default(),
            removal: None,
            signing: None,
            followed: None,
            report_form: ReportForm::this_month(time::OffsetDateTime::now_utc().date()),
            report: Remote::NotLoaded,
            report_saved: None,
            workbook: None,
            checking: None,
            upload: None,
            jobs: Remote::NotLoaded,
            saved: None,
            notice: None,
            last_input: Instant::now(),
            quitting: false,
        }
    }

    /// What the kiosk starts with.
    pub fn start(&mut self) -> Vec<Command> {
        vec![self.check_server(None)]
    }

    fn check_server(&mut self, after: Option<Duration>) -> Command {
        self.server_epoch += 1;
        Command::CheckServer {
            epoch: self.server_epoch,
            after,
        }
    }

    /// The reader whose card is used: the configured one, or the first
    /// reader holding a card.
    pub fn card_reader(&self) -> Option<&ReaderInfo> {
        let Readers::Seen(readers) = &self.readers else {
            return None;
        };
        match &self.configured_reader {
            Some(name) => readers.iter().find(|r| &r.name == name && r.card_present),
            None => readers.iter().find(|r| r.card_present),
        }
    }

    pub fn role(&self) -> Option<Role> {
        self.session.as_ref().map(|s| s.role)
    }

    fn token(&self) -> Option<String> {
        self.session.as_ref().map(|s| s.token.clone())
    }

    /// A name for the screen on show, for screenshots and tests.
    pub fn screen_name(&self) -> String {
        match (&self.session, &self.readers, self.card_reader()) {
            (Some(s), _, _) => {
                let role = match s.role {
                    Role::Coordinator => "coordinator",
                    Role::User => "user",
                };
                let tab = match self.tab {
                    Tab::Users => "users",
                    Tab::AddUser => "add-user",
                    Tab::Requests => "requests",
                    Tab::Report => "report",
                    Tab::Query => "query",
                    Tab::Jobs => "jobs",
                };
                let extra = if self.signing.is_some() {
                    "-signing"
                } else if self.removal.is_some() {
                    "-remove"
                } else {
                    ""
                };
                format!("{role}-{tab}{extra}")
            }
            (None, Readers::Unknown, _) => "starting".into(),
            (None, Readers::NoService, _) => "no-service".into(),
            (None, Readers::Seen(r), _) if r.is_empty() => "no-reader".into(),
            (None, _, Some(_)) => "pin".into(),
            _ => "insert-card".into(),
        }
    }

    /// Ends the session here and on the server (the command), keeping the
    /// reason to show on the PIN screen.
    fn end_session(&mut self, reason: LockReason, out: &mut Vec<Command>) {
        if let Some(session) = self.session.take() {
            out.push(Command::Logout {
                token: session.token,
            });
        }
        self.session_reader = None;
        self.locked = Some(reason);
        self.users = Remote::NotLoaded;
        self.requests = Remote::NotLoaded;
        self.jobs = Remote::NotLoaded;
        self.form = UserForm::default();
        self.removal = None;
        self.signing = None;
        self.followed = None;
        self.report = Remote::NotLoaded;
        self.report_saved = None;
        self.report_form.cui.clear();
        self.workbook = None;
        self.upload = None;
        self.saved = None;
        self.notice = None;
    }

    /// Takes in a failure from the server: offline banner and retry,
    /// institution status, session end.
    fn absorb(&mut self, failure: &Failure, out: &mut Vec<Command>) {
        if failure.is_offline() {
            if !matches!(self.server, Server::Offline(_)) {
                out.push(self.check_server(Some(OFFLINE_RETRY)));
            }
            self.server = Server::Offline(failure.clone());
            return;
        }
        if matches!(
            failure.code,
            ErrorCode::InstitutionInactive | ErrorCode::InstitutionCancelled
        ) {
            self.institution = Institution::Refused(failure.clone());
        }
        if failure.ends_session() && self.session.is_some() {
            self.end_session(LockReason::SessionEnded, out);
            self.pin_error = Some(failure.clone());
        }
    }

    fn load_tab(&mut self, out: &mut Vec<Command>) {
        let Some(token) = self.token() else { return };
        match self.tab {
            Tab::Users => {
                self.users = Remote::Loading;
                out.push(Command::LoadUsers { token });
            }
            Tab::Requests => {
                self.requests = Remote::Loading;
                out.push(Command::LoadRequests { token });
            }
            Tab::Jobs => {
                self.jobs = Remote::Loading;
                out.push(Command::LoadJobs { token });
            }
            Tab::Report => {
                // The picker lists the institution's users.
                if !matches!(self.users, Remote::Loaded(_)) {
                    self.users = Remote::Loading;
                    out.push(Command::LoadUsers { token });
                }
            }
            Tab::AddUser | Tab::Query => {}
        }
    }

    /// Applies `msg`; returns the work to do.
    pub fn update(&mut self, msg: Msg) -> Vec<Command> {
        let mut out = Vec::new();
        match msg {
            Msg::Readers(readers) => {
                let before = self.card_reader().map(|r| r.name.clone());
                self.readers = readers;
                let now = self.card_reader().map(|r| r.name.clone());
                if let Some(reader) = &self.session_reader
                    && now.as_ref() != Some(reader)
                {
                    // The card left the reader: the session ends now.
                    self.end_session(LockReason::SessionEnded, &mut out);
                    self.pin_error = Some(Failure::of(ErrorCode::CardRemoved));
                    self.locked = None;
                }
                if now != before {
                    self.card = None;
                    self.pin_busy = false;
                    if before.is_some() && now.is_none() {
                        self.locked = None;
                    }
                    if now.is_some() {
                        // A new card: earlier errors were about the old one.
                        self.pin_error = None;
                    }
                    if let Some(reader) = now {
                        out.push(Command::ReadCard { reader });
                    }
                }
            }
            Msg::CardRead(facts) => {
                let current = self.card_reader().map(|r| r.name.clone());
                match &facts {
                    Ok(f) if Some(&f.reader) != current.as_ref() => {}
                    _ => self.card = Some(facts),
                }
            }
            Msg::ServerChecked { epoch, result } => {
                let next = match &result {
                    Err(f) if f.is_offline() => OFFLINE_RETRY,
                    // Online, or reachable but refusing this workstation
                    // (an admin may fix it): look again now and then.
                    _ => ONLINE_RECHECK,
                };
                self.server = match result {
                    Ok(me) => Server::Online(me),
                    Err(f) => Server::Offline(f),
                };
                if epoch == self.server_epoch {
                    out.push(self.check_server(Some(next)));
                }
            }
            Msg::RetryServer => out.push(self.check_server(None)),
            Msg::SubmitPin(pin) => {
                if self.pin_busy || self.session.is_some() {
                    return out;
                }
                let Some(reader) = self.card_reader().map(|r| r.name.clone()) else {
                    self.pin_error = Some(Failure::of(ErrorCode::CardAbsent));
                    return out;
                };
                if let Some(Ok(facts)) = &self.card
                    && facts.blocked
                {
                    self.pin_error = Some(Failure::of(ErrorCode::PinBlocked));
                    return out;
                }
                self.pin_busy = true;
                self.pin_error = None;
                out.push(Command::Login { reader, pin });
            }
            Msg::LoggedIn(Ok(session)) => {
                self.pin_busy = false;
                self.pin_error = None;
                self.locked = None;
                let reader = self.card_reader().map(|r| r.name.clone());
                if reader.is_none() {
                    // Removed while the login was on its way: end it at once.
                    out.push(Command::Logout {
                        token: session.token,
                    });
                    return out;
                }
                self.session_reader = reader;
                self.institution = Institution::Active;
                self.tab = Tab::for_role(session.role)[0];
                self.session = Some(session);
                self.last_input = Instant::now();
                self.load_tab(&mut out);
            }
            Msg::LoggedIn(Err(failure)) => {
                self.pin_busy = false;
                if let (Some(Ok(facts)), ErrorCode::PinIncorrect | ErrorCode::PinBlocked) =
                    (&mut self.card, failure.code)
                {
                    facts.tries_left = failure.tries_left;
                    facts.blocked = failure.code == ErrorCode::PinBlocked;
                }
                self.absorb(&failure, &mut out);
                self.pin_error = Some(failure);
            }
            Msg::Logout => {
                self.end_session(LockReason::SessionEnded, &mut out);
                self.locked = None;
            }
            Msg::IdleTimeout => {
                if self.session.is_some() && self.kiosk {
                    self.end_session(LockReason::Idle, &mut out);
                }
            }
            Msg::SetLang(lang) => {
                self.lang = lang;
                out.push(Command::SetLang(lang));
            }
            Msg::SelectTab(tab) => {
                let allowed = self
                    .role()
                    .is_some_and(|role| Tab::for_role(role).contains(&tab));
                if allowed {
                    self.tab = tab;
                    self.removal = None;
                    self.load_tab(&mut out);
                }
            }
            Msg::Users(result) => match result {
                Ok(users) => self.users = Remote::Loaded(users),
                Err(f) => {
                    self.absorb(&f, &mut out);
                    if self.session.is_some() {
                        self.users = Remote::Failed(f);
                    }
                }
            },
            Msg::Requests(result) => match result {
                Ok(list) => self.requests = Remote::Loaded(list),
                Err(f) => {
                    self.absorb(&f, &mut out);
                    if self.session.is_some() {
                        self.requests = Remote::Failed(f);
                    }
                }
            },
            Msg::Jobs(result) => match result {
                Ok(list) => self.jobs = Remote::Loaded(list),
                Err(f) => {
                    self.absorb(&f, &mut out);
                    if self.session.is_some() {
                        self.jobs = Remote::Failed(f);
                    }
                }
            },
            Msg::Reload => self.load_tab(&mut out),
            Msg::FieldLeft(field) => {
                if !self.form.touched.contains(&field) {
                    self.form.touched.push(field);
                }
            }
            Msg::TourFill(form) => self.form = *form,
            Msg::TourReport(cui) => self.report_form.cui = cui,
            Msg::PinInvalid(failure) => match &mut self.signing {
                Some(signing) => signing.error = Some(failure),
                None => self.pin_error = Some(failure),
            },
            Msg::AskSignAdd => {
                self.form.attempted = true;
                if self.role() == Some(Role::Coordinator) && self.form.problems().is_empty() {
                    self.signing = Some(Signing {
                        action: RequestAction::Add,
                        user: self.form.change(),
                        busy: false,
                        error: None,
                    });
                }
            }
            Msg::AskRemove { cui, name } => {
                if self.role() == Some(Role::Coordinator) {
                    self.removal = Some(Removal {
                        cui,
                        name,
                        reason: None,
                    });
                }
            }
            Msg::PickReason(reason) => {
                if let Some(r) = &mut self.removal {
                    r.reason = Some(reason);
                }
            }
            Msg::AskSignRemove => {
                if let Some(Removal {
                    cui,
                    reason: Some(reason),
                    ..
                }) = &self.removal
                {
                    self.signing = Some(Signing {
                        action: RequestAction::Remove,
                        user: UserChange {
                            cui: cui.clone(),
                            reason: Some(*reason),
                            ..Default::default()
                        },
                        busy: false,
                        error: None,
                    });
                }
            }
            Msg::CancelSigning => {
                if self.signing.as_ref().is_some_and(|s| !s.busy) {
                    self.signing = None;
                } else if self.signing.is_none() {
                    self.removal = None;
                }
            }
            Msg::SignWithPin(pin) => {
                let (Some(session), Some(reader)) = (&self.session, &self.session_reader) else {
                    return out;
                };
                if let Some(signing) = &mut self.signing
                    && !signing.busy
                {
                    signing.busy = true;
                    signing.error = None;
                    out.push(Command::Sign {
                        reader: reader.clone(),
                        pin,
                        lang: self.lang,
                        session: Box::new(session.clone()),
                        action: signing.action,
                        user: signing.user.clone(),
                    });
                }
            }
            Msg::Submitted(Ok(view)) => {
                let action = self.signing.take().map(|s| s.action);
                self.removal = None;
                if action == Some(RequestAction::Add) && view.state != "REJECTED" {
                    self.form = UserForm::default();
                }
                if let Some(token) = self.token()
                    && !user_admin::is_final(&view.state)
                {
                    out.push(Command::FollowRequest {
                        token,
                        request: view.clone(),
                    });
                }
                self.settle_request(&view, &mut out);
                self.followed = Some(view);
            }
            Msg::Submitted(Err(failure)) => {
                if let Some(signing) = &mut self.signing {
                    signing.busy = false;
                    signing.error = Some(failure.clone());
                }
                self.absorb(&failure, &mut out);
            }
            Msg::RequestUpdate(view) => {
                self.settle_request(&view, &mut out);
                self.followed = Some(view);
            }
            Msg::RunReport => {
                if self.role() != Some(Role::Coordinator) {
                    return out;
                }
                match (self.token(), self.report_form.params()) {
                    (Some(token), Ok(params)) => {
                        self.report = Remote::Loading;
                        self.report_saved = None;
                        out.push(Command::LoadReport { token, params });
                    }
                    (_, Err(f)) => self.report = Remote::Failed(f),
                    (None, _) => {}
                }
            }
            Msg::Report(Ok(report)) => self.report = Remote::Loaded(report),
            Msg::Report(Err(f)) => {
                self.absorb(&f, &mut out);
                if self.session.is_some() {
                    self.report = Remote::Failed(f);
                }
            }
            Msg::SaveReport => {
                if let Remote::Loaded(r) = &self.report {
                    out.push(Command::PickReportTarget {
                        file_name: format!("actividad-{}-{}-{}.xlsx", r.user_cui, r.from, r.to),
                    });
                }
            }
            Msg::ReportTarget(path) => {
                if let (Remote::Loaded(r), Some(path)) = (&self.report, path) {
                    self.report_saved = Some(Saved::Saving(r.user_cui.clone()));
                    out.push(Command::WriteReport {
                        report: Box::new(r.clone()),
                        path,
                    });
                }
            }
            Msg::ReportSaved(Ok(path)) => self.report_saved = Some(Saved::Done(path)),
            Msg::ReportSaved(Err(f)) => self.report_saved = Some(Saved::Failed(f)),
            Msg::ChooseWorkbook => {
                if self.role() == Some(Role::User) {
                    out.push(Command::PickWorkbook);
                }
            }
            Msg::WorkbookChosen(path) => {
                if self.role() == Some(Role::User) && !self.upload_running() {
                    self.tab = Tab::Query;
                    self.checking = Some(path.clone());
                    self.workbook = None;
                    self.upload = None;
                    self.saved = None;
                    out.push(Command::CheckWorkbook { path });
                }
            }
            Msg::WorkbookChecked(book) => {
                if self.checking.as_ref() == Some(&book.path) {
                    self.checking = None;
                    self.workbook = Some(book);
                }
            }
            Msg::Upload => {
                let ready = match &self.workbook {
                    Some(Workbook {
                        name,
                        check: Ok((_, bytes)),
                        ..
                    }) => Some((name.clone(), bytes.clone())),
                    _ => None,
                };
                if let (Some(token), Some((name, bytes))) = (self.token(), ready)
                    && !self.upload_running()
                {
                    self.upload = Some(Upload::Sending);
                    self.saved = None;
                    out.push(Command::Upload { token, name, bytes });
                }
            }
            Msg::Uploaded(Ok(job)) => {
                if let Some(token) = self.token() {
                    out.push(Command::FollowJob {
                        token,
                        id: job.id.clone(),
                    });
                }
                self.upload = Some(Upload::Job(job));
            }
            Msg::Uploaded(Err(f)) => {
                self.absorb(&f, &mut out);
                if self.session.is_some() {
                    self.upload = Some(Upload::Failed(f));
                }
            }
            Msg::JobUpdate(Ok(job)) => {
                let ours = matches!(&self.upload, Some(Upload::Job(j)) if j.id == job.id);
                if ours {
                    self.upload = Some(Upload::Job(job));
                }
            }
            Msg::JobUpdate(Err(f)) => {
                self.absorb(&f, &mut out);
                if f.is_offline()
                    && let (Some(token), Some(Upload::Job(job))) = (self.token(), &self.upload)
                {
                    // Keep following once the server is back.
                    out.push(Command::FollowJob {
                        token,
                        id: job.id.clone(),
                    });
                }
            }
            Msg::SaveResult { id, file_name } => {
                if self.session.is_some() {
                    out.push(Command::PickSaveTarget { id, file_name });
                }
            }
            Msg::SaveTarget { id, path } => {
                if let (Some(token), Some(path)) = (self.token(), path) {
                    self.saved = Some(Saved::Saving(id.clone()));
                    out.push(Command::Download { token, id, path });
                }
            }
            Msg::ResultSaved(Ok(path)) => self.saved = Some(Saved::Done(path)),
            Msg::ResultSaved(Err(f)) => {
                self.absorb(&f, &mut out);
                if self.session.is_some() {
                    self.saved = Some(Saved::Failed(f));
                }
            }
            Msg::OpenFolder(path) => out.push(Command::OpenFolder { path }),
            Msg::Quit => {
                // Kiosk mode is left only by a coordinator with a card in the reader.
                if !self.kiosk || self.role() == Some(Role::Coordinator) {
                    self.end_session(LockReason::SessionEnded, &mut out);
                    self.quitting = true;
                    out.push(Command::Close);
                }
            }
            Msg::DismissNotice => self.notice = None,
        }
        out
    }

    fn upload_running(&self) -> bool {
        match &self.upload {
            Some(Upload::Sending) => true,
            Some(Upload::Job(job)) => matches!(job.state.as_str(), "QUEUED" | "RUNNING"),
            _ => false,
        }
    }

    /// A followed request reached a state: say so, refresh the lists.
    fn settle_request(&mut self, view: &RequestView, out: &mut Vec<Command>) {
        match view.state.as_str() {
            "DONE" => {
                let (es, en) = match view.action {
                    RequestAction::Add => ("Alta realizada", "User added"),
                    RequestAction::Remove => ("Baja realizada", "User removed"),
                    RequestAction::Update => ("Actualización realizada", "User updated"),
                };
                self.notice = Some(Notice::Info {
                    es: format!("{es}: CUI {}.", view.user_cui),
                    en: format!("{en}: CUI {}.", view.user_cui),
                });
                self.users = Remote::NotLoaded;
                self.requests = Remote::NotLoaded;
                if matches!(self.tab, Tab::Users | Tab::Requests) {
                    self.load_tab(out);
                } else if self.tab == Tab::AddUser {
                    self.tab = Tab::Users;
                    self.load_tab(out);
                }
            }
            "REJECTED" => {
                let code = view
                    .reject_code
                    .as_deref()
                    .and_then(ErrorCode::from_code)
                    .unwrap_or(ErrorCode::Internal);
                let detail = view.reject_message.clone().unwrap_or_default();
                let lead_es = "La solicitud fue RECHAZADA:";
                let lead_en = "The request was REJECTED:";
                self.notice = Some(Notice::Error(Failure::new(
                    code,
                    format!(
                        "{lead_es} {}",
                        if detail.is_empty() {
                            code.message(Lang::Es)
                        } else {
                            &detail
                        }
                    ),
                    format!(
                        "{lead_en} {}",
                        if detail.is_empty() {
                            code.message(Lang::En)
                        } else {
                            &detail
                        }
                    ),
                )));
                self.requests = Remote::NotLoaded;
            }
            _ => {}
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use padron_shared::Cui;

    fn readers(card: bool) -> Msg {
        Msg::Readers(Readers::Seen(vec![ReaderInfo {
            name: "Virtual PCD 00 00".into(),
            card_present: card,
        }]))
    }

    fn session(role: Role) -> SessionInfo {
        SessionInfo {
            token: "tok".into(),
            role,
            cui: Cui::parse("1234567890101").unwrap(),
            name: "Ana López".into(),
            institution_code: "MIDES".into(),
            institution_name: "Ministerio".into(),
            workstation_id: 1,
            idle_timeout_seconds: 900,
            expires_at: "2026-11-22T23:00:00.000Z".into(),
            installation_id: "test".into(),
        }
    }

    fn pin() -> Pin {
        Pin::new("123456").unwrap()
    }

    fn logged_in(role: Role) -> AppState {
        let mut s = AppState::new(Lang::Es, true, None);
        s.update(readers(true));
        s.update(Msg::LoggedIn(Ok(session(role))));
        s
    }

    fn names(cmds: &[Command]) -> Vec<String> {
        cmds.iter()
            .map(|c| {
                format!("{c:?}")
                    .split([' ', '(', '{'])
                    .next()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    }

    #[test]
    fn a_card_leads_from_insert_to_pin_to_home() {
        let mut s = AppState::new(Lang::Es, false, None);
        assert_eq!(s.screen_name(), "starting");
        assert_eq!(names(&s.start()), ["CheckServer"]);
        s.update(Msg::Readers(Readers::Seen(vec![])));
        assert_eq!(s.screen_name(), "no-reader");
        assert_eq!(names(&s.update(readers(false))), Vec::<String>::new());
        assert_eq!(s.screen_name(), "insert-card");
        assert_eq!(names(&s.update(readers(true))), ["ReadCard"]);
        assert_eq!(s.screen_name(), "pin");
        let cmds = s.update(Msg::SubmitPin(pin()));
        assert!(
            matches!(&cmds[..], [Command::Login { reader, .. }] if reader == "Virtual PCD 00 00")
        );
        assert!(s.pin_busy);
        // A second Enter while the first login runs sends nothing.
        assert!(s.update(Msg::SubmitPin(pin())).is_empty());
        let cmds = s.update(Msg::LoggedIn(Ok(session(Role::Coordinator))));
        assert_eq!(names(&cmds), ["LoadUsers"]);
        assert_eq!(s.screen_name(), "coordinator-users");
        assert_eq!(s.institution, Institution::Active);
    }

    #[test]
    fn the_pin_command_hides_the_digits() {
        let mut s = AppState::new(Lang::Es, false, None);
        s.update(readers(true));
        let cmds = s.update(Msg::SubmitPin(pin()));
        let shown = format!("{cmds:?}");
        assert!(
            !shown.contains("123456") && shown.contains("Pin(****)"),
            "{shown}"
        );
        assert!(!format!("{s:?}").contains("123456"));
    }

    #[test]
    fn a_wrong_pin_shows_tries_left_and_a_blocked_card_stops_at_once() {
        let mut s = AppState::new(Lang::Es, false, None);
        s.update(readers(true));
        s.update(Msg::CardRead(Ok(CardFacts {
            reader: "Virtual PCD 00 00".into(),
            holder: Some("ANA".into()),
            cui: None,
            tries_left: Some(3),
            blocked: false,
        })));
        s.update(Msg::SubmitPin(pin()));
        let mut wrong = Failure::of(ErrorCode::PinIncorrect);
        wrong.tries_left = Some(2);
        s.update(Msg::LoggedIn(Err(wrong)));
        assert!(!s.pin_busy);
        assert!(matches!(&s.card, Some(Ok(c)) if c.tries_left == Some(2)));
        s.update(Msg::SubmitPin(pin()));
        s.update(Msg::LoggedIn(Err(Failure::of(ErrorCode::PinBlocked))));
        assert!(matches!(&s.card, Some(Ok(c)) if c.blocked));
        assert!(s.update(Msg::SubmitPin(pin())).is_empty());
        assert_eq!(s.pin_error.as_ref().unwrap().code, ErrorCode::PinBlocked);
    }

    #[test]
    fn removing_the_card_ends_the_session_at_once() {
        let mut s = logged_in(Role::Coordinator);
        let cmds = s.update(readers(false));
        assert!(matches!(&cmds[..], [Command::Logout { token }] if token == "tok"));
        assert!(s.session.is_none());
        assert_eq!(s.screen_name(), "insert-card");
        assert_eq!(s.pin_error.as_ref().unwrap().code, ErrorCode::CardRemoved);
        // The next card starts from the PIN, not from the old session.
        assert_eq!(names(&s.update(readers(true))), ["ReadCard"]);
        assert_eq!(s.screen_name(), "pin");
        assert!(s.pin_error.is_none());
    }

    #[test]
    fn a_login_that_lands_after_removal_is_logged_out() {
        let mut s = AppState::new(Lang::Es, true, None);
        s.update(readers(true));
        s.update(Msg::SubmitPin(pin()));
        s.update(readers(false));
        let cmds = s.update(Msg::LoggedIn(Ok(session(Role::User))));
        assert!(matches!(&cmds[..], [Command::Logout { .. }]));
        assert!(s.session.is_none());
    }

    #[test]
    fn idle_locks_only_the_kiosk() {
        let mut s = logged_in(Role::User);
        let cmds = s.update(Msg::IdleTimeout);
        assert_eq!(names(&cmds), ["Logout"]);
        assert_eq!(s.locked, Some(LockReason::Idle));
        assert_eq!(s.screen_name(), "pin");
        let mut windowed = AppState::new(Lang::Es, false, None);
        windowed.update(readers(true));
        windowed.update(Msg::LoggedIn(Ok(session(Role::User))));
        assert!(windowed.update(Msg::IdleTimeout).is_empty());
        assert!(windowed.session.is_some());
    }

    #[test]
    fn only_a_coordinator_quits_the_kiosk() {
        let mut user = logged_in(Role::User);
        assert!(user.update(Msg::Quit).is_empty());
        assert!(!user.quitting);
        let mut nobody = AppState::new(Lang::Es, true, None);
        assert!(nobody.update(Msg::Quit).is_empty());
        let mut coordinator = logged_in(Role::Coordinator);
        assert_eq!(names(&coordinator.update(Msg::Quit)), ["Logout", "Close"]);
        assert!(coordinator.quitting);
    }

    #[test]
    fn offline_shows_a_banner_and_retries_once_per_outage() {
        let mut s = logged_in(Role::Coordinator);
        let offline = Failure::of(ErrorCode::ServerUnreachable);
        let cmds = s.update(Msg::Users(Err(offline.clone())));
        assert!(
            matches!(&cmds[..], [Command::CheckServer { after: Some(d), .. }] if *d == OFFLINE_RETRY)
        );
        assert!(matches!(s.server, Server::Offline(_)));
        assert!(s.update(Msg::Requests(Err(offline.clone()))).is_empty());
        // The check that was running before the outage is superseded.
        let stale = Msg::ServerChecked {
            epoch: s.server_epoch - 1,
            result: Err(offline.clone()),
        };
        assert!(s.update(stale).is_empty(), "one chain of checks");
        let cmds = s.update(Msg::ServerChecked {
            epoch: s.server_epoch,
            result: Err(offline),
        });
        assert_eq!(names(&cmds), ["CheckServer"]);
        let me = WhoAmI {
            workstation_id: 1,
            institution_code: "MIDES".into(),
            institution_name: "M".into(),
            site: "Central".into(),
            certificate_not_after: "2030".into(),
        };
        let cmds = s.update(Msg::ServerChecked {
            epoch: s.server_epoch,
            result: Ok(me),
        });
        assert!(
            matches!(&cmds[..], [Command::CheckServer { after: Some(d), .. }] if *d == ONLINE_RECHECK)
        );
        assert!(matches!(s.server, Server::Online(_)));
        assert!(s.session.is_some(), "an outage does not end the session");
    }

    #[test]
    fn an_inactive_institution_is_explained_and_ends_the_session() {
        let mut s = AppState::new(Lang::Es, false, None);
        s.update(readers(true));
        s.update(Msg::SubmitPin(pin()));
        let refused = Failure::new(
            ErrorCode::InstitutionInactive,
            "La institución está inactiva… Motivo: falta de pago",
            "inactive… Reason: unpaid",
        );
        s.update(Msg::LoggedIn(Err(refused.clone())));
        assert_eq!(s.institution, Institution::Refused(refused.clone()));
        let mut s = logged_in(Role::User);
        let cmds = s.update(Msg::Jobs(Err(refused)));
        assert_eq!(names(&cmds), ["Logout"]);
        assert!(s.session.is_none());
        assert!(matches!(s.institution, Institution::Refused(_)));
    }

    #[test]
    fn adding_a_user_validates_then_signs_then_follows() {
        let mut s = logged_in(Role::Coordinator);
        s.update(Msg::SelectTab(Tab::AddUser));
        s.form.cui = "9876543230101".into();
        assert!(
            s.form.shown_problem(user_admin::Field::Cui).is_none(),
            "not before leaving the field"
        );
        s.update(Msg::FieldLeft(user_admin::Field::Cui));
        assert!(s.form.shown_problem(user_admin::Field::Cui).is_some());
        s.update(Msg::AskSignAdd);
        assert!(s.signing.is_none(), "an invalid form is not signed");
        s.form = UserForm {
            cui: "9876 54322 0101".into(),
            full_name: "Pedro Xol".into(),
            email: "p@mides.gob.gt".into(),
            phone: "5555 1234".into(),
            department: "D".into(),
            post: "P".into(),
            programme: "Bolsa Social".into(),
            ..UserForm::default()
        };
        s.update(Msg::AskSignAdd);
        assert_eq!(s.screen_name(), "coordinator-add-user-signing");
        let cmds = s.update(Msg::SignWithPin(pin()));
        assert!(
            matches!(&cmds[..], [Command::Sign { action: RequestAction::Add, user, .. }] if user.cui == "9876 54322 0101")
        );
        assert!(
            s.update(Msg::SignWithPin(pin())).is_empty(),
            "one signature at a time"
        );
        let view = RequestView {
            id: "r1".into(),
            action: RequestAction::Add,
            user_cui: "9876543220101".into(),
            state: "RECEIVED".into(),
            reject_code: None,
            reject_message: None,
            coordinator_cui: "1234567890101".into(),
            created_at: "t".into(),
            updated_at: "t".into(),
        };
        let cmds = s.update(Msg::Submitted(Ok(view.clone())));
        assert_eq!(names(&cmds), ["FollowRequest"]);
        assert!(s.signing.is_none());
        assert_eq!(s.form, UserForm::default());
        let cmds = s.update(Msg::RequestUpdate(RequestView {
            state: "DONE".into(),
            ..view
        }));
        assert_eq!(names(&cmds), ["LoadUsers"]);
        assert_eq!(s.tab, Tab::Users);
        assert!(
            matches!(&s.notice, Some(Notice::Info { es, .. }) if es.starts_with("Alta realizada"))
        );
    }

    #[test]
    fn a_removal_needs_one_of_the_three_reasons() {
        let mut s = logged_in(Role::Coordinator);
        s.update(Msg::AskRemove {
            cui: "9876543220101".into(),
            name: "Pedro".into(),
        });
        s.update(Msg::AskSignRemove);
        assert!(s.signing.is_none());
        s.update(Msg::PickReason(RemovalReason::EmploymentEnded));
        s.update(Msg::AskSignRemove);
        let signing = s.signing.clone().unwrap();
        assert_eq!(signing.action, RequestAction::Remove);
        assert_eq!(signing.user.reason, Some(RemovalReason::EmploymentEnded));
        let cmds = s.update(Msg::SignWithPin(pin()));
        assert_eq!(names(&cmds), ["Sign"]);
        let mut rejected = Failure::of(ErrorCode::PinIncorrect);
        rejected.tries_left = Some(2);
        s.update(Msg::Submitted(Err(rejected)));
        let signing = s.signing.as_ref().unwrap();
        assert!(
            !signing.busy && signing.error.is_some(),
            "the prompt stays for another try"
        );
    }

    #[test]
    fn users_cannot_reach_coordinator_tabs_nor_coordinators_the_upload() {
        let mut s = logged_in(Role::User);
        assert_eq!(s.tab, Tab::Query);
        assert!(s.update(Msg::SelectTab(Tab::Users)).is_empty());
        assert_eq!(s.tab, Tab::Query);
        s.update(Msg::AskRemove {
            cui: "1".into(),
            name: "x".into(),
        });
        assert!(s.removal.is_none());
        let mut c = logged_in(Role::Coordinator);
        assert!(
            c.update(Msg::WorkbookChosen("/tmp/x.xlsx".into()))
                .is_empty()
        );
    }

    #[test]
    fn a_workbook_is_checked_uploaded_followed_and_saved() {
        let mut s = logged_in(Role::User);
        let path = PathBuf::from("/tmp/beneficiarios.xlsx");
        let cmds = s.update(Msg::WorkbookChosen(path.clone()));
        assert!(matches!(&cmds[..], [Command::CheckWorkbook { .. }]));
        // A refused workbook cannot be uploaded.
        s.update(Msg::WorkbookChecked(Workbook {
            path: path.clone(),
            name: "beneficiarios.xlsx".into(),
            check: Err(Failure::of(ErrorCode::WorkbookNoHeader)),
        }));
        assert!(s.update(Msg::Upload).is_empty());
        s.update(Msg::WorkbookChosen(path.clone()));
        let report = precheck::Report {
            mode: precheck::Mode::Cui,
            sheet: "Hoja1".into(),
            header_row: 1,
            rows: 2,
            bad_rows: vec![],
            bad_count: 0,
        };
        s.update(Msg::WorkbookChecked(Workbook {
            path,
            name: "beneficiarios.xlsx".into(),
            check: Ok((report, Arc::new(vec![1, 2, 3]))),
        }));
        assert_eq!(names(&s.update(Msg::Upload)), ["Upload"]);
        assert!(s.update(Msg::Upload).is_empty(), "one upload at a time");
        let job = QueryJob {
            id: "j1".into(),
            state: "QUEUED".into(),
            jobs_ahead: Some(2),
            progress_percent: 0,
            mode: "CUI".into(),
            rows: 2,
            file_name: "beneficiarios.xlsx".into(),
            user_cui: "9876543220101".into(),
            counts: None,
            fail_code: None,
            fail_message: None,
            created_at: "t".into(),
            finished_at: None,
        };
        assert_eq!(
            names(&s.update(Msg::Uploaded(Ok(job.clone())))),
            ["FollowJob"]
        );
        s.update(Msg::JobUpdate(Ok(QueryJob {
            state: "RUNNING".into(),
            progress_percent: 40,
            ..job.clone()
        })));
        assert!(matches!(&s.upload, Some(Upload::Job(j)) if j.progress_percent == 40));
        assert!(
            s.update(Msg::WorkbookChosen("/tmp/other.xlsx".into()))
                .is_empty(),
            "not while one runs"
        );
        s.update(Msg::JobUpdate(Ok(QueryJob {
            state: "DONE".into(),
            progress_percent: 100,
            ..job
        })));
        assert_eq!(
            names(&s.update(Msg::SaveResult {
                id: "j1".into(),
                file_name: result_file_name("beneficiarios.xlsx"),
            })),
            ["PickSaveTarget"]
        );
        assert!(
            s.update(Msg::SaveTarget {
                id: "j1".into(),
                path: None
            })
            .is_empty(),
            "dialog cancelled"
        );
        let cmds = s.update(Msg::SaveTarget {
            id: "j1".into(),
            path: Some("/tmp/r.xlsx".into()),
        });
        assert!(matches!(&cmds[..], [Command::Download { id, .. }] if id == "j1"));
        s.update(Msg::ResultSaved(Ok("/tmp/r.xlsx".into())));
        assert_eq!(s.saved, Some(Saved::Done("/tmp/r.xlsx".into())));
    }

    #[test]
    fn the_activity_report_checks_its_question_first() {
        let mut s = logged_in(Role::Coordinator);
        assert_eq!(names(&s.update(Msg::SelectTab(Tab::Report))), ["LoadUsers"]);
        s.report_form = ReportForm {
            cui: "9876543220101".into(),
            from: "2026-11-30".into(),
            to: "2026-11-01".into(),
        };
        assert!(s.update(Msg::RunReport).is_empty());
        assert!(matches!(&s.report, Remote::Failed(f) if f.en.contains("after")));
        s.report_form.from = "1 nov".into();
        s.update(Msg::RunReport);
        assert!(matches!(&s.report, Remote::Failed(f) if f.en.contains("YYYY-MM-DD")));
        s.report_form.from = "2026-11-01".into();
        s.report_form.cui = "9876543230101".into();
        s.update(Msg::RunReport);
        assert!(matches!(&s.report, Remote::Failed(f) if f.code == ErrorCode::CuiInvalid));
        s.report_form.cui = "9876 54322 0101".into();
        let cmds = s.update(Msg::RunReport);
        assert!(matches!(&cmds[..], [Command::LoadReport { params, .. }]
            if params.cui == "9876543220101" && params.from == "2026-11-01"));
        let mut user = logged_in(Role::User);
        user.report_form = s.report_form.clone();
        assert!(user.update(Msg::RunReport).is_empty(), "coordinators only");
        let first = ReportForm::this_month(time::macros::date!(2026 - 11 - 22));
        assert_eq!(
            (first.from.as_str(), first.to.as_str()),
            ("2026-11-01", "2026-11-22")
        );
    }

    #[test]
    fn result_names() {
        assert_eq!(result_file_name("a.xlsx"), "a-resultado.xlsx");
        assert_eq!(result_file_name("a.ods"), "a-resultado.xlsx");
        assert_eq!(result_file_name("a"), "a-resultado.xlsx");
    }
}
