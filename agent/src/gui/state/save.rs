//! Saving a result or a report in kiosk mode: only to a removable drive the
//! person plugged in (found by the worker, offered by name) or to the
//! session's own folder, which is wiped when the session ends. No dialog
//! that browses the disk, no file manager. Windowed mode keeps the desktop's
//! save dialog.

use std::path::PathBuf;

use super::session::{Outcome, Session};
use super::{Command, Remote, Saved};

/// A removable drive, as mounted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drive {
    /// What the person sees ("KINGSTON", "USB DISK").
    pub name: String,
    pub path: PathBuf,
}

/// What is being saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveWhat {
    /// A job's result workbook.
    Result { id: String, file_name: String },
    /// The user-activity report on show.
    Report { file_name: String },
    /// An empty query workbook to fill in (by names or by CUI).
    Template { names: bool, file_name: String },
}

impl SaveWhat {
    pub fn file_name(&self) -> &str {
        match self {
            SaveWhat::Result { file_name, .. }
            | SaveWhat::Report { file_name }
            | SaveWhat::Template { file_name, .. } => file_name,
        }
    }
}

/// The choice of where to save, on show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveOffer {
    pub what: SaveWhat,
    /// `None` while the drives are being looked for.
    pub drives: Option<Vec<Drive>>,
}

#[derive(Debug)]
pub enum Msg {
    /// The drives plugged in now.
    Drives(Vec<Drive>),
    /// Look again (a drive was just plugged in).
    LookAgain,
    /// Save on this drive; `None`: in the session's folder.
    SaveTo(Option<PathBuf>),
    Cancel,
    /// The desktop's save dialog answered (windowed mode; `None`: cancelled).
    Picked {
        what: SaveWhat,
        path: Option<PathBuf>,
    },
}

/// Asks where to save `what`: in kiosk mode the drives and the session's
/// folder are offered; windowed, the desktop's dialog.
pub(super) fn ask(s: &mut Session, what: SaveWhat, out: &mut Outcome) {
    if s.kiosk {
        s.save = Some(SaveOffer { what, drives: None });
        out.run(Command::ListDrives {
            session: s.id,
            roots: s.removable_roots.clone(),
        });
    } else {
        out.run(Command::PickTarget {
            session: s.id,
            what,
        });
    }
}

/// Writes `what` at `path`.
fn write(s: &mut Session, what: SaveWhat, path: PathBuf, out: &mut Outcome) {
    match what {
        SaveWhat::Result { id, .. } => {
            s.query.saved = Some(Saved::Saving(id.clone()));
            out.run(Command::Download {
                session: s.id,
                token: s.token(),
                id,
                path,
            });
        }
        SaveWhat::Report { .. } => {
            if let Remote::Loaded(r) = &s.report.activity {
                s.report.saved = Some(Saved::Saving(r.user_cui.clone()));
                out.run(Command::WriteReport {
                    session: s.id,
                    report: Box::new(r.clone()),
                    path,
                });
            }
        }
        SaveWhat::Template { names, .. } => {
            s.query.template = Some(Saved::Saving(String::new()));
            out.run(Command::WriteTemplate {
                session: s.id,
                names,
                path,
            });
        }
    }
}

pub(super) fn update(s: &mut Session, msg: Msg, out: &mut Outcome) {
    match msg {
        Msg::Drives(drives) => {
            if let Some(offer) = &mut s.save {
                offer.drives = Some(drives);
            }
        }
        Msg::LookAgain => {
            if let Some(offer) = &mut s.save {
                offer.drives = None;
                out.run(Command::ListDrives {
                    session: s.id,
                    roots: s.removable_roots.clone(),
                });
            }
        }
        Msg::Cancel => s.save = None,
        Msg::SaveTo(drive) => {
            let Some(offer) = s.save.take() else {
                return;
            };
            // Only a drive that was offered, or the session's own folder.
            let dir = match drive {
                Some(path) => {
                    let offered = offer.drives.iter().flatten().any(|d| d.path == path);
                    if !offered {
                        return;
                    }
                    path
                }
                None => s.folder.clone(),
            };
            let path = dir.join(offer.what.file_name());
            write(s, offer.what, path, out);
        }
        Msg::Picked { what, path } => {
            if let Some(path) = path {
                write(s, what, path, out);
            }
        }
    }
}
