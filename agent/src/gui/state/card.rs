//! Before a session: the readers, the card in the one used, and its PIN.
//! The transitions are in [`super::AppState`], since a card's arrival,
//! removal and login open and end sessions.

use padron_drivers::{Pin, ReaderInfo};
use padron_shared::auth::SessionInfo;

use super::Failure;

/// The card a reading or a login was for. Each change of the card in the
/// reader gets a new one, so the answer about a card that has left (even
/// if another is in the same reader now) is recognised and dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CardId(pub(super) u64);

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

/// Why the PIN screen is showing again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockReason {
    Idle,
    SessionEnded,
    /// The person logged out: "Retire su tarjeta" until the card is out.
    LoggedOut,
}

/// The card and PIN screen's state.
#[derive(Debug)]
pub struct CardScreen {
    pub readers: Readers,
    /// The reader the configuration names, if any.
    pub configured_reader: Option<String>,
    /// The card in the reader now (see [`CardId`]).
    pub id: CardId,
    pub facts: Option<Result<CardFacts, Failure>>,
    pub pin_busy: bool,
    /// Why the last login failed or the last session ended.
    pub pin_error: Option<Failure>,
    pub locked: Option<LockReason>,
    /// The session ended while its job was queued or running: the job goes
    /// on, and the screen says where to find it.
    pub job_continues: bool,
}

impl CardScreen {
    pub fn new(configured_reader: Option<String>) -> CardScreen {
        CardScreen {
            readers: Readers::Unknown,
            configured_reader,
            id: CardId::default(),
            facts: None,
            pin_busy: false,
            pin_error: None,
            locked: None,
            job_continues: false,
        }
    }

    /// The reader whose card is used: the configured one, or the first
    /// reader holding a card.
    pub fn reader(&self) -> Option<&ReaderInfo> {
        let Readers::Seen(readers) = &self.readers else {
            return None;
        };
        match &self.configured_reader {
            Some(name) => readers.iter().find(|r| &r.name == name && r.card_present),
            None => readers.iter().find(|r| r.card_present),
        }
    }

    pub fn reader_name(&self) -> Option<String> {
        self.reader().map(|r| r.name.clone())
    }
}

/// The card screen's inputs.
#[derive(Debug)]
pub enum Msg {
    /// The card watcher saw the readers change.
    Readers(Readers),
    /// What card `card` says before any PIN.
    Read {
        card: CardId,
        facts: Result<CardFacts, Failure>,
    },
    SubmitPin(Pin),
    /// The PIN typed cannot be a PIN; nothing reached the card.
    PinInvalid(Failure),
    /// The answer to the login with card `card`.
    LoggedIn {
        card: CardId,
        result: Result<SessionInfo, Failure>,
    },
}
