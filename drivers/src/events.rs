//! Reader and card events from pcscd, without polling: the watcher blocks
//! in `SCardGetStatusChange` on every reader plus the PnP pseudo-reader
//! (`\\?PnP?\Notification`), so it wakes only when a reader is plugged or
//! unplugged or a card is inserted or removed.

use std::ffi::CString;
use std::time::Duration;

use crate::card::ReaderInfo;
use crate::error::CardError;

/// Something that happened in a reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardEvent {
    /// A reader was plugged in; its name.
    ReaderAdded(String),
    /// A reader was unplugged; its name.
    ReaderRemoved(String),
    /// A card was inserted.
    CardInserted {
        /// The reader's name.
        reader: String,
        /// The card's Answer To Reset.
        atr: Vec<u8>,
    },
    /// The card was removed from the named reader.
    CardRemoved(String),
}

/// Interrupts a blocked [`EventWatcher::wait`] from another thread.
#[derive(Clone)]
pub struct Canceller(pcsc::Context);

impl std::fmt::Debug for Canceller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Canceller")
    }
}

impl Canceller {
    /// Wakes the watcher's blocked wait, which then returns [`CardError::WatchCancelled`].
    pub fn cancel(&self) -> Result<(), CardError> {
        self.0.cancel().map_err(|e| CardError::from_pcsc(e, ""))
    }
}

/// Watches every reader; see the module documentation.
pub struct EventWatcher {
    ctx: pcsc::Context,
    /// The PnP pseudo-reader first, then one entry per reader.
    states: Vec<pcsc::ReaderState>,
}

impl std::fmt::Debug for EventWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventWatcher")
            .field("readers", &self.reader_names())
            .finish()
    }
}

fn is_present(state: pcsc::State) -> bool {
    state.contains(pcsc::State::PRESENT) && !state.contains(pcsc::State::MUTE)
}

impl EventWatcher {
    /// Starts watching: the readers and cards present now are the baseline,
    /// reported by [`EventWatcher::readers`], not as events.
    pub fn new(ctx: pcsc::Context) -> Result<EventWatcher, CardError> {
        let pnp = pcsc::ReaderState::new(pcsc::PNP_NOTIFICATION(), pcsc::State::UNAWARE);
        let mut watcher = EventWatcher {
            ctx,
            states: vec![pnp],
        };
        watcher.refresh_readers()?;
        Ok(watcher)
    }

    /// Connects to pcscd and starts watching.
    pub fn establish() -> Result<EventWatcher, CardError> {
        let ctx =
            pcsc::Context::establish(pcsc::Scope::User).map_err(|e| CardError::from_pcsc(e, ""))?;
        EventWatcher::new(ctx)
    }

    /// A handle that can interrupt this watcher's wait from another thread.
    pub fn canceller(&self) -> Canceller {
        Canceller(self.ctx.clone())
    }

    fn reader_names(&self) -> Vec<String> {
        self.states[1..]
            .iter()
            .map(|s| s.name().to_string_lossy().into_owned())
            .collect()
    }

    /// The readers as last seen.
    pub fn readers(&self) -> Vec<ReaderInfo> {
        self.states[1..]
            .iter()
            .map(|s| ReaderInfo {
                name: s.name().to_string_lossy().into_owned(),
                card_present: is_present(s.current_state()),
            })
            .collect()
    }

    /// Brings the reader list up to date; returns the events that implies.
    fn refresh_readers(&mut self) -> Result<Vec<CardEvent>, CardError> {
        let names: Vec<CString> = match self.ctx.list_readers_owned() {
            Ok(names) => names,
            Err(pcsc::Error::NoReadersAvailable) => Vec::new(),
            Err(e) => return Err(CardError::from_pcsc(e, "")),
        };
        let mut events = Vec::new();
        let baseline =
            self.states.len() == 1 && self.states[0].current_state() == pcsc::State::UNAWARE;
        // Readers that went away.
        let mut kept = vec![self.states.remove(0)];
        for state in self.states.drain(..) {
            if names.iter().any(|n| n.as_c_str() == state.name()) {
                kept.push(state);
            } else {
                let name = state.name().to_string_lossy().into_owned();
                if is_present(state.current_state()) {
                    events.push(CardEvent::CardRemoved(name.clone()));
                }
                events.push(CardEvent::ReaderRemoved(name));
            }
        }
        self.states = kept;
        // Readers that arrived: learn their state at once.
        let first_new = self.states.len();
        for name in names {
            if !self.states.iter().any(|s| s.name() == name.as_c_str()) {
                self.states
                    .push(pcsc::ReaderState::new(name, pcsc::State::UNAWARE));
            }
        }
        if self.states.len() > first_new || baseline {
            match self.ctx.get_status_change(Duration::ZERO, &mut self.states) {
                Ok(()) | Err(pcsc::Error::Timeout) => {}
                Err(e) => return Err(CardError::from_pcsc(e, "")),
            }
            for state in &mut self.states[first_new..] {
                if !baseline {
                    let name = state.name().to_string_lossy().into_owned();
                    events.push(CardEvent::ReaderAdded(name.clone()));
                    if is_present(state.event_state()) {
                        events.push(CardEvent::CardInserted {
                            reader: name,
                            atr: state.atr().to_vec(),
                        });
                    }
                }
            }
            for state in &mut self.states {
                state.sync_current_state();
            }
        }
        Ok(events)
    }

    /// Waits up to `timeout` (`None`: forever) for something to happen and
    /// returns what did; an empty list means the time ran out.
    pub fn wait(&mut self, timeout: Option<Duration>) -> Result<Vec<CardEvent>, CardError> {
        match self.ctx.get_status_change(timeout, &mut self.states) {
            Ok(()) => {}
            Err(pcsc::Error::Timeout) => return Ok(Vec::new()),
            Err(pcsc::Error::Cancelled) => return Err(CardError::WatchCancelled),
            Err(e) => return Err(CardError::from_pcsc(e, "")),
        }
        let mut events = Vec::new();
        let mut readers_changed = self.states[0].event_state().contains(pcsc::State::CHANGED);
        for state in &mut self.states[1..] {
            let (before, now) = (state.current_state(), state.event_state());
            if now.intersects(pcsc::State::UNKNOWN | pcsc::State::UNAVAILABLE) {
                readers_changed = true;
                continue;
            }
            let name = state.name().to_string_lossy().into_owned();
            match (is_present(before), is_present(now)) {
                (false, true) => events.push(CardEvent::CardInserted {
                    reader: name,
                    atr: state.atr().to_vec(),
                }),
                (true, false) => events.push(CardEvent::CardRemoved(name)),
                _ => {}
            }
        }
        for state in &mut self.states {
            state.sync_current_state();
        }
        if readers_changed {
            events.extend(self.refresh_readers()?);
        }
        Ok(events)
    }
}
