//! The kiosk's state and its transitions, apart from any drawing:
//! [`AppState::update`] takes a [`Msg`] (something the person did, or a
//! result the worker sent back) and returns the [`Command`]s to run off
//! the UI thread. Tests drive it without a window.
//!
//! The state is composed as the screens are (like egui's demo app composes
//! its demos): [`card`] (readers, card, PIN) and [`server`] outlive
//! sessions; everything of one person is in [`session::Session`], with one
//! sub-state and one message type per screen: [`users`], [`requests`],
//! [`report`], [`query`], [`jobs`].
//!
//! Invariants kept here:
//! - Nothing of a session outlives it: it all lives in
//!   [`AppState::session`], so ending a session is one assignment.
//! - Answers are stamped: every command of a session carries its
//!   [`SessionId`], the worker sends the answer back as [`Msg::Answer`]
//!   with it, and the answer for a session that has ended is dropped.
//!   A card's reading and login carry the [`CardId`] of the card they were
//!   for in the same way.
//! - A PIN is only ever carried inside a [`Command`] to the card layer,
//!   never stored in the state.
//! - A card removal or an idle lock ends the session at once (the server
//!   is told, the token forgotten).

pub mod card;
pub mod cases;
mod failure;
pub mod jobs;
pub mod one_query;
pub mod query;
pub mod report;
pub mod requests;
pub mod save;
pub mod server;
pub mod session;
pub mod tickets;
pub mod users;

#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use padron_drivers::Pin;
use padron_shared::auth::{Role, SessionInfo};
use padron_shared::calendar::Zone;
use padron_shared::protocol::WhoAmI;
use padron_shared::reports::{UserActivityParams, UserActivityReport};
use padron_shared::users::{RequestAction, RequestView, UserChange};
use padron_shared::{ErrorCode, Lang};

pub use card::{CardFacts, CardId, CardScreen, LockReason, Readers};
pub use failure::{Failure, Remote, Saved};
pub use query::{Upload, Workbook, result_file_name};
pub use report::ReportForm;
pub use requests::Signing;
pub use save::{Drive, SaveOffer, SaveWhat};
pub use server::{Institution, Server};
pub use session::{Notice, Session, SessionId, SessionMsg, Tab};
pub use users::{Removal, UserForm};

/// A kiosk locks after this long without input.
pub const IDLE_LOCK: Duration = Duration::from_secs(5 * 60);
/// The lock is announced this long before, with a way to keep working.
pub const IDLE_WARNING: Duration = Duration::from_secs(60);
/// Text size steps (A−/A+), as zoom factors.
pub const TEXT_SCALES: [f32; 5] = [0.85, 1.0, 1.15, 1.3, 1.5];
/// An offline server is asked again after this long.
pub const OFFLINE_RETRY: Duration = Duration::from_secs(5);
/// An online server is asked again after this long, so an outage shows
/// while nobody works (one request, one repaint: no measurable idle cost).
pub const ONLINE_RECHECK: Duration = Duration::from_secs(30);

/// Inputs: what the person did, and what the worker found out.
#[derive(Debug)]
pub enum Msg {
    /// Readers, card and PIN.
    Card(card::Msg),
    /// The answer to the check of `epoch` (see [`AppState::server_epoch`]).
    ServerChecked {
        epoch: u64,
        result: Result<WhoAmI, Failure>,
    },
    RetryServer,
    SetLang(Lang),
    Logout,
    IdleTimeout,
    /// "Seguir trabajando" under the idle warning.
    KeepWorking,
    /// A− (−1) or A+ (+1).
    TextSize(i8),
    /// A coordinator ends kiosk mode.
    Quit,
    OpenFolder(PathBuf),
    /// The person acts on the session on show.
    Session(SessionMsg),
    /// The worker's answer to a command of session `session`: taken in only
    /// while that session lasts.
    Answer {
        session: SessionId,
        msg: SessionMsg,
    },
}

impl From<card::Msg> for Msg {
    fn from(msg: card::Msg) -> Msg {
        Msg::Card(msg)
    }
}

impl From<SessionMsg> for Msg {
    fn from(msg: SessionMsg) -> Msg {
        Msg::Session(msg)
    }
}

macro_rules! screen_msg {
    ($($screen:ident),*) => {$(
        impl From<$screen::Msg> for Msg {
            fn from(msg: $screen::Msg) -> Msg {
                Msg::Session(msg.into())
            }
        }
    )*};
}
screen_msg!(
    users, requests, report, query, jobs, one_query, tickets, cases, save
);

/// Work for the worker (network, card, dialogs), off the UI thread. What
/// belongs to a session carries its id, to stamp the answer with.
#[derive(Debug)]
pub enum Command {
    CheckServer {
        epoch: u64,
        after: Option<Duration>,
    },
    ReadCard {
        card: CardId,
        reader: String,
    },
    Login {
        card: CardId,
        reader: String,
        pin: Pin,
    },
    Logout {
        token: String,
    },
    LoadUsers {
        session: SessionId,
        token: String,
    },
    LoadRequests {
        session: SessionId,
        token: String,
    },
    Sign {
        session: SessionId,
        reader: String,
        pin: Pin,
        lang: Lang,
        info: Box<SessionInfo>,
        action: RequestAction,
        user: UserChange,
    },
    FollowRequest {
        session: SessionId,
        token: String,
        request: RequestView,
    },
    LoadReport {
        session: SessionId,
        token: String,
        params: UserActivityParams,
    },
    PickReportTarget {
        session: SessionId,
        file_name: String,
    },
    WriteReport {
        session: SessionId,
        report: Box<UserActivityReport>,
        path: PathBuf,
    },
    PickWorkbook {
        session: SessionId,
    },
    CheckWorkbook {
        session: SessionId,
        path: PathBuf,
    },
    Upload {
        session: SessionId,
        token: String,
        name: String,
        bytes: Arc<Vec<u8>>,
    },
    FollowJob {
        session: SessionId,
        token: String,
        id: String,
    },
    LoadJobs {
        session: SessionId,
        token: String,
    },
    OneQuery {
        session: SessionId,
        token: String,
        query: padron_shared::single::OneQuery,
    },
    LoadTickets {
        session: SessionId,
        token: String,
    },
    LoadCases {
        session: SessionId,
        token: String,
    },
    ShowCase {
        session: SessionId,
        token: String,
        id: String,
    },
    OpenTicket {
        session: SessionId,
        token: String,
        ticket: padron_shared::tickets::NewTicket,
    },
    ShowTicket {
        session: SessionId,
        token: String,
        id: i64,
    },
    PickSaveTarget {
        session: SessionId,
        id: String,
        file_name: String,
    },
    Download {
        session: SessionId,
        token: String,
        id: String,
        path: PathBuf,
    },
    OpenFolder {
        path: PathBuf,
    },
    /// The finished job's rows that need a look.
    LoadAttention {
        session: SessionId,
        token: String,
        id: String,
    },
    /// Lists the removable drives plugged in (kiosk mode saves only there
    /// or in the session's own folder).
    ListDrives {
        session: SessionId,
        /// Folders whose subfolders count as drives, instead of the mounts
        /// under /media and /run/media (see [`AppState::removable_roots`]).
        roots: Option<Vec<PathBuf>>,
    },
    /// The desktop's save dialog for `what` (windowed mode).
    PickTarget {
        session: SessionId,
        what: SaveWhat,
    },
    WriteTemplate {
        session: SessionId,
        names: bool,
        path: PathBuf,
    },
    /// Deletes a session's folder and all in it (at the session's end).
    WipeFolder {
        path: PathBuf,
    },
    SetLang(Lang),
    Close,
}

/// The whole state of the kiosk.
#[derive(Debug)]
pub struct AppState {
    pub lang: Lang,
    pub kiosk: bool,
    pub card: CardScreen,
    pub server: Server,
    /// Each scheduled server check gets a new epoch; an answer to an older
    /// one does not schedule another, so there is one chain of checks.
    pub server_epoch: u64,
    pub institution: Institution,
    /// The person logged in and all the kiosk holds for them.
    pub session: Option<Session>,
    pub last_input: Instant,
    pub quitting: bool,
    /// The registry's zone, as the server said: every time shown is in it.
    pub zone: Zone,
    /// What the server last said about this workstation (the footer keeps
    /// the service desk and the workstation's number through an outage).
    pub known: Option<WhoAmI>,
    /// The language the kiosk starts in, and returns to for the next person.
    pub home_lang: Lang,
    /// Index into [`TEXT_SCALES`].
    pub text_size: usize,
    /// Where the per-session folders are made (kiosk mode saves there when
    /// no removable drive is plugged in); each is wiped at its session's end.
    pub session_root: PathBuf,
    /// `PADRON_REMOVABLE_ROOTS` (tests, and sites that mount drives
    /// elsewhere): each folder inside one of these is a removable drive.
    pub removable_roots: Option<Vec<PathBuf>>,
    /// The last card or session id handed out; ids are never reused.
    stamps: u64,
    /// A job was followed at the last tick: its end restarts the idle clock.
    was_following: bool,
}

/// The normal text size's index in [`TEXT_SCALES`].
pub const DEFAULT_TEXT_SIZE: usize = 1;

impl AppState {
    pub fn new(lang: Lang, kiosk: bool, configured_reader: Option<String>) -> AppState {
        AppState {
            lang,
            kiosk,
            card: CardScreen::new(configured_reader),
            server: Server::Checking,
            server_epoch: 0,
            institution: Institution::Unknown,
            session: None,
            last_input: Instant::now(),
            quitting: false,
            zone: Zone::guatemala(),
            known: None,
            home_lang: lang,
            text_size: DEFAULT_TEXT_SIZE,
            session_root: std::env::temp_dir().join("padron-kiosk"),
            removable_roots: None,
            stamps: 0,
            was_following: false,
        }
    }

    /// The zoom factor of the text size chosen.
    pub fn text_scale(&self) -> f32 {
        TEXT_SCALES.get(self.text_size).copied().unwrap_or(1.0)
    }

    /// The person follows a job in the queue or being processed: the idle
    /// lock waits for it to end.
    pub fn following_job(&self) -> bool {
        self.session.as_ref().is_some_and(|s| s.query.running())
    }

    /// Time left before the idle lock, when it applies (a kiosk session
    /// not following a job).
    pub fn idle_left(&self, now: Instant) -> Option<Duration> {
        (self.kiosk && self.session.is_some() && !self.following_job())
            .then(|| IDLE_LOCK.saturating_sub(now.saturating_duration_since(self.last_input)))
    }

    /// Seconds left when the idle warning is on show.
    pub fn idle_warning(&self, now: Instant) -> Option<u64> {
        self.idle_left(now)
            .filter(|left| *left <= IDLE_WARNING)
            .map(|left| left.as_secs().max(1))
    }

    /// Once per frame: a followed job counts as activity; past the idle
    /// deadline the session ends. Returns the commands and when to look
    /// again (the warning's start, the lock, or each second of the warning).
    pub fn tick(&mut self, now: Instant) -> (Vec<Command>, Option<Duration>) {
        // While a job is followed, and at the moment it ends (the idle time
        // counts from then, however long it waited in the queue).
        let following = self.following_job();
        if following || self.was_following {
            self.last_input = now;
        }
        self.was_following = following;
        match self.idle_left(now) {
            None => (Vec::new(), None),
            Some(left) if left.is_zero() => (self.update(Msg::IdleTimeout), None),
            Some(left) if left <= IDLE_WARNING => {
                // The countdown is drawn each second.
                let frac = left - Duration::from_secs(left.as_secs());
                let next = if frac.is_zero() {
                    Duration::from_secs(1)
                } else {
                    frac
                };
                (Vec::new(), Some(next))
            }
            Some(left) => (Vec::new(), Some(left - IDLE_WARNING)),
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

    fn stamp(&mut self) -> u64 {
        self.stamps += 1;
        self.stamps
    }

    pub fn role(&self) -> Option<Role> {
        self.session.as_ref().map(Session::role)
    }

    /// A name for the screen on show, for screenshots and tests.
    pub fn screen_name(&self) -> String {
        match (&self.session, &self.card.readers, self.card.reader()) {
            (Some(s), _, _) => {
                let role = match s.role() {
                    Role::Coordinator => "coordinator",
                    Role::User => "user",
                };
                let tab = match s.tab {
                    Tab::Users => "users",
                    Tab::AddUser => "add-user",
                    Tab::Requests => "requests",
                    Tab::Report => "report",
                    Tab::Query => "query",
                    Tab::OneQuery => "one-query",
                    Tab::Tickets => "tickets",
                    Tab::Cases => "cases",
                    Tab::Jobs => "jobs",
                };
                let extra = if s.requests.signing.is_some() {
                    "-signing"
                } else if s.users.removal.is_some() {
                    "-remove"
                } else {
                    ""
                };
                format!("{role}-{tab}{extra}")
            }
            (None, Readers::Unknown, _) => "starting".into(),
            (None, Readers::NoService, _) => "no-service".into(),
            (None, Readers::Seen(r), _) if r.is_empty() => "no-reader".into(),
            (None, _, Some(_)) if self.card.locked == Some(LockReason::LoggedOut) => {
                "remove-card".into()
            }
            (None, _, Some(_)) => "pin".into(),
            _ => "insert-card".into(),
        }
    }

    /// Opens the session of `info`, read from the card in `reader`.
    pub fn begin_session(&mut self, info: SessionInfo, reader: String) -> Vec<Command> {
        let id = SessionId(self.stamp());
        let today = self.zone.date_of(time::OffsetDateTime::now_utc());
        let mut session = Session::new(id, info, reader, today);
        session.zone = self.zone.clone();
        session.kiosk = self.kiosk;
        session.folder = self.session_root.join(format!("sesion-{}", id.0));
        session.removable_roots = self.removable_roots.clone();
        session.programmes = session.info.programmes.clone();
        self.card.job_continues = false;
        let mut out = session::Outcome::default();
        session.load_tab(&mut out);
        self.session = Some(session);
        self.institution = Institution::Active;
        self.last_input = Instant::now();
        out.commands
    }

    /// Ends the session here and on the server (the command), keeping the
    /// reason to show on the PIN screen.
    fn end_session(&mut self, reason: LockReason, out: &mut Vec<Command>) {
        // The one assignment: all the person's state goes with it, and
        // answers still on their way no longer find their session.
        if let Some(session) = self.session.take() {
            // The job goes on on the server; the PIN screen says where to find it.
            self.card.job_continues = session.query.running();
            out.push(Command::Logout {
                token: session.info.token,
            });
            out.push(Command::WipeFolder {
                path: session.folder,
            });
            // The next person finds the kiosk as it started: its language
            // and text size.
            if self.lang != self.home_lang {
                self.lang = self.home_lang;
                out.push(Command::SetLang(self.home_lang));
            }
            self.text_size = DEFAULT_TEXT_SIZE;
        }
        self.card.locked = Some(reason);
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
            self.card.pin_error = Some(failure.clone());
        }
    }

    /// Applies `msg`; returns the work to do.
    pub fn update(&mut self, msg: impl Into<Msg>) -> Vec<Command> {
        let mut out = Vec::new();
        match msg.into() {
            Msg::Card(msg) => self.on_card(msg, &mut out),
            Msg::ServerChecked { epoch, result } => {
                let next = match &result {
                    Err(f) if f.is_offline() => OFFLINE_RETRY,
                    // Online, or reachable but refusing this workstation
                    // (an admin may fix it): look again now and then.
                    _ => ONLINE_RECHECK,
                };
                self.server = match result {
                    Ok(me) => {
                        self.zone = Zone::or_default(&me.time_zone);
                        self.known = Some(me.clone());
                        if let Some(s) = &mut self.session {
                            s.zone = self.zone.clone();
                        }
                        Server::Online(me)
                    }
                    Err(f) => Server::Offline(f),
                };
                if epoch == self.server_epoch {
                    out.push(self.check_server(Some(next)));
                }
            }
            Msg::RetryServer => out.push(self.check_server(None)),
            Msg::Logout => {
                // "Retire su tarjeta" until the card is out.
                self.end_session(LockReason::LoggedOut, &mut out);
            }
            Msg::IdleTimeout => {
                // Never while the person follows a job.
                if self.session.is_some() && self.kiosk && !self.following_job() {
                    self.end_session(LockReason::Idle, &mut out);
                }
            }
            Msg::KeepWorking => self.last_input = Instant::now(),
            Msg::TextSize(step) => {
                let next = self.text_size as i64 + i64::from(step);
                self.text_size = next.clamp(0, TEXT_SCALES.len() as i64 - 1) as usize;
            }
            Msg::SetLang(lang) => {
                self.lang = lang;
                out.push(Command::SetLang(lang));
            }
            // Never in kiosk mode: a file manager is a way out of the kiosk.
            Msg::OpenFolder(path) => {
                if !self.kiosk {
                    out.push(Command::OpenFolder { path });
                }
            }
            Msg::Quit => {
                // Kiosk mode is left only by a coordinator with a card in the reader.
                if !self.kiosk || self.role() == Some(Role::Coordinator) {
                    self.end_session(LockReason::SessionEnded, &mut out);
                    self.quitting = true;
                    out.push(Command::Close);
                }
            }
            Msg::Session(msg) => self.on_session(None, msg, &mut out),
            Msg::Answer { session, msg } => self.on_session(Some(session), msg, &mut out),
        }
        out
    }

    /// A message for the session on show; an answer stamped for another
    /// session (one that has ended) is dropped.
    fn on_session(&mut self, stamp: Option<SessionId>, msg: SessionMsg, out: &mut Vec<Command>) {
        let Some(session) = self.session.as_mut() else {
            return;
        };
        if stamp.is_some_and(|id| id != session.id) {
            return;
        }
        let mut outcome = session::Outcome::default();
        session.update(msg, self.lang, &mut outcome);
        out.append(&mut outcome.commands);
        for failure in &outcome.failures {
            self.absorb(failure, out);
        }
    }

    fn on_card(&mut self, msg: card::Msg, out: &mut Vec<Command>) {
        match msg {
            card::Msg::Readers(readers) => {
                let before = self.card.reader_name();
                self.card.readers = readers;
                let now = self.card.reader_name();
                if let Some(session) = &self.session
                    && now.as_ref() != Some(&session.reader)
                {
                    // The card left the reader: the session ends now.
                    self.end_session(LockReason::SessionEnded, out);
                    self.card.pin_error = Some(Failure::of(ErrorCode::CardRemoved));
                    self.card.locked = None;
                }
                if now != before {
                    // Another card (or none): what was on its way about the
                    // old one is no longer wanted.
                    self.card.id = CardId(self.stamp());
                    self.card.facts = None;
                    self.card.pin_busy = false;
                    if before.is_some() && now.is_none() {
                        self.card.locked = None;
                    }
                    if now.is_some() {
                        // A new card: earlier errors were about the old one.
                        self.card.pin_error = None;
                    }
                    if let Some(reader) = now {
                        out.push(Command::ReadCard {
                            card: self.card.id,
                            reader,
                        });
                    }
                }
            }
            card::Msg::Read { card, facts } => {
                if card == self.card.id {
                    self.card.facts = Some(facts);
                }
            }
            card::Msg::SubmitPin(pin) => {
                if self.card.pin_busy || self.session.is_some() {
                    return;
                }
                let Some(reader) = self.card.reader_name() else {
                    self.card.pin_error = Some(Failure::of(ErrorCode::CardAbsent));
                    return;
                };
                if let Some(Ok(facts)) = &self.card.facts
                    && facts.blocked
                {
                    self.card.pin_error = Some(Failure::of(ErrorCode::PinBlocked));
                    return;
                }
                self.card.pin_busy = true;
                self.card.pin_error = None;
                out.push(Command::Login {
                    card: self.card.id,
                    reader,
                    pin,
                });
            }
            card::Msg::PinInvalid(failure) => self.card.pin_error = Some(failure),
            card::Msg::LoggedIn {
                card,
                result: Ok(info),
            } => {
                let reader = self.card.reader_name();
                match reader {
                    Some(reader) if card == self.card.id && self.session.is_none() => {
                        self.card.pin_busy = false;
                        self.card.pin_error = None;
                        self.card.locked = None;
                        out.extend(self.begin_session(info, reader));
                    }
                    // The card was removed (or replaced) while the login
                    // was on its way: end that session at once.
                    _ => out.push(Command::Logout { token: info.token }),
                }
            }
            card::Msg::LoggedIn {
                card,
                result: Err(failure),
            } => {
                if card != self.card.id {
                    // About a card that has left.
                    return;
                }
                self.card.pin_busy = false;
                if let (Some(Ok(facts)), ErrorCode::PinIncorrect | ErrorCode::PinBlocked) =
                    (&mut self.card.facts, failure.code)
                {
                    facts.tries_left = failure.tries_left;
                    facts.blocked = failure.code == ErrorCode::PinBlocked;
                }
                self.absorb(&failure, out);
                self.card.pin_error = Some(failure);
            }
        }
    }
}
