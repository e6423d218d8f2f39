//! Development aids switched on by environment variables, never by the
//! person at the kiosk:
//!
//! - `PADRON_GUI_TIMING=1`: print the time from process start to the first
//!   frame (read by `packaging/bench/kiosk.sh`).
//! - `PADRON_GUI_SCREENSHOTS=DIR`: save each screen, once settled, as
//!   `DIR/<screen>.png` (read back from the GPU by eframe: the real window).
//! - `PADRON_GUI_TOUR=1` (with screenshots): after each screenshot, move to
//!   the next screen of the documentation tour through the same messages
//!   the buttons send; `PADRON_GUI_TOUR_WORKBOOK` is the workbook the user
//!   part of the tour picks. Card insertion and PIN entry stay with the
//!   script driving the real window (`packaging/dev/screenshots.sh`).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use eframe::egui;
use padron_shared::queries::JobState;
use padron_shared::users::RemovalReason;

use super::state::{
    AppState, Msg, Remote, Saved, SessionMsg, Tab, Upload, UserForm, one_query, query, report,
    requests, users,
};
use crate::user_admin::Field;

#[derive(Debug)]
pub struct Capture {
    started: Instant,
    timing: bool,
    first_painted: bool,
    ready_painted: bool,
    dir: Option<PathBuf>,
    tour: bool,
    tour_workbook: Option<PathBuf>,
    /// A registry CUI for the consulta individual's pictures.
    tour_cui: Option<String>,
    last: String,
    settled: u32,
    taken: HashSet<String>,
    saved: Arc<AtomicBool>,
    waiting_for: Option<String>,
}

impl Capture {
    pub fn from_env(started: Instant) -> Option<Capture> {
        let timing = std::env::var_os("PADRON_GUI_TIMING").is_some();
        let dir = std::env::var_os("PADRON_GUI_SCREENSHOTS").map(PathBuf::from);
        if !timing && dir.is_none() {
            return None;
        }
        Some(Capture {
            started,
            timing,
            first_painted: false,
            ready_painted: false,
            tour: dir.is_some() && std::env::var_os("PADRON_GUI_TOUR").is_some(),
            tour_workbook: std::env::var_os("PADRON_GUI_TOUR_WORKBOOK").map(PathBuf::from),
            tour_cui: std::env::var("PADRON_GUI_TOUR_CUI").ok(),
            dir,
            last: String::new(),
            settled: 0,
            taken: HashSet::new(),
            saved: Arc::new(AtomicBool::new(false)),
            waiting_for: None,
        })
    }

    /// Called after every frame is laid out: with timing on, says when the
    /// first frame and the first "insert your card" (readers known) were.
    pub fn painted(&mut self, state: &AppState) {
        if !self.timing {
            return;
        }
        let epoch_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let ms = self.started.elapsed().as_millis();
        if !self.first_painted {
            self.first_painted = true;
            eprintln!("padron-gui: first frame after {ms} ms (epoch_ms={epoch_ms})");
        }
        let name = state.screen_name();
        if !self.ready_painted
            && matches!(
                name.as_str(),
                "insert-card" | "pin" | "no-reader" | "no-service"
            )
        {
            self.ready_painted = true;
            eprintln!("padron-gui: ready screen {name} after {ms} ms (epoch_ms={epoch_ms})");
        }
    }

    /// A screen drawn outside the kiosk's state (the launcher's "not
    /// enrolled yet"): saved once as `DIR/<name>.png` after a few frames.
    pub fn still(&mut self, ctx: &egui::Context, name: &str) {
        let Some(dir) = self.dir.clone() else {
            return;
        };
        if self.taken.contains(name) {
            return;
        }
        if self.last != name {
            self.last = name.to_owned();
            self.settled = 0;
        }
        self.settled += 1;
        if self.settled < 4 {
            ctx.request_repaint();
            return;
        }
        self.taken.insert(name.to_owned());
        let path = dir.join(format!("{name}.png"));
        ctx.request_screenshot(move |image| {
            if let Err(e) = save_png(&path, &image) {
                eprintln!("padron-gui: screenshot {}: {e}", path.display());
            }
        });
        ctx.request_repaint();
    }

    /// Once per frame: takes a screenshot of a settled new screen and, on a
    /// tour, answers with the next step.
    pub fn frame(&mut self, ctx: &egui::Context, state: &AppState) -> Vec<Msg> {
        let Some(dir) = self.dir.clone() else {
            return Vec::new();
        };
        if let Some(name) = &self.waiting_for {
            if !self.saved.load(Ordering::SeqCst) {
                ctx.request_repaint_after(Duration::from_millis(50));
                return Vec::new();
            }
            let name = name.clone();
            self.waiting_for = None;
            if !self.tour {
                return Vec::new();
            }
            // A step may change only the state (no worker result follows):
            // one more frame draws it.
            ctx.request_repaint();
            let steps = self.next_step(&name, state);
            eprintln!("padron-gui: tour after {name}: {} step(s)", steps.len());
            return steps;
        }
        let name = shot_name(state);
        if name != self.last {
            self.last = name.clone();
            self.settled = 0;
        }
        if busy(state) || self.taken.contains(&name) {
            if busy(state) {
                ctx.request_repaint_after(Duration::from_millis(100));
            }
            return Vec::new();
        }
        // A few frames for layout (grids size themselves on their first).
        self.settled += 1;
        if self.settled < 4 {
            ctx.request_repaint();
            return Vec::new();
        }
        eprintln!("padron-gui: screenshot {name}");
        self.taken.insert(name.clone());
        self.saved.store(false, Ordering::SeqCst);
        let saved = self.saved.clone();
        let path = dir.join(format!("{name}.png"));
        ctx.request_screenshot(move |image| {
            if let Err(e) = save_png(&path, &image) {
                eprintln!("padron-gui: screenshot {}: {e}", path.display());
            }
            saved.store(true, Ordering::SeqCst);
        });
        ctx.request_repaint();
        self.waiting_for = Some(name);
        Vec::new()
    }

    fn next_step(&self, shot: &str, state: &AppState) -> Vec<Msg> {
        let listed = state.session.as_ref().map(|s| &s.users.list);
        match shot {
            "coordinator-users" => vec![SessionMsg::SelectTab(Tab::AddUser).into()],
            "coordinator-add-user" => vec![
                users::Msg::TourFill(Box::new(UserForm {
                    cui: "2345 67891 0101".into(),
                    full_name: "María José Chavajay Quej".into(),
                    email: "mjchavajay@mides".into(),
                    phone: "5555 87".into(),
                    department: "Dirección de Programas Sociales".into(),
                    post: "Analista".into(),
                    programme: String::new(),
                    touched: vec![Field::Cui, Field::Email, Field::Phone, Field::Programme],
                    ..UserForm::default()
                }))
                .into(),
            ],
            "coordinator-add-user-invalid" => vec![
                users::Msg::TourFill(Box::new(UserForm {
                    cui: "2345 67899 0101".into(),
                    full_name: "María José Chavajay Quej".into(),
                    email: "mjchavajay@mides.gob.gt".into(),
                    phone: "5555 8765".into(),
                    department: "Dirección de Programas Sociales".into(),
                    post: "Analista".into(),
                    programme: "Bolsa Social".into(),
                    ..UserForm::default()
                }))
                .into(),
                users::Msg::AskSignAdd.into(),
            ],
            "coordinator-add-user-signing" => {
                vec![
                    requests::Msg::CancelSigning.into(),
                    SessionMsg::SelectTab(Tab::Requests).into(),
                ]
            }
            "coordinator-requests" => vec![SessionMsg::SelectTab(Tab::Report).into()],
            "coordinator-report" => match listed {
                Some(Remote::Loaded(users)) if !users.is_empty() => vec![
                    report::Msg::TourFill(users[0].cui.clone()).into(),
                    report::Msg::Run.into(),
                ],
                _ => vec![SessionMsg::SelectTab(Tab::Users).into()],
            },
            "coordinator-report-loaded" => vec![SessionMsg::SelectTab(Tab::Users).into()],
            "coordinator-users-loaded" => match listed {
                Some(Remote::Loaded(users)) if !users.is_empty() => vec![
                    users::Msg::AskRemove {
                        cui: users[0].cui.clone(),
                        name: users[0].full_name.clone(),
                    }
                    .into(),
                    users::Msg::PickReason(RemovalReason::FunctionsChanged).into(),
                ],
                _ => Vec::new(),
            },
            "user-query" => self
                .tour_workbook
                .clone()
                .map(|p| vec![query::Msg::Chosen(p).into()])
                .unwrap_or_default(),
            "user-query-checked" => vec![query::Msg::Upload.into()],
            "user-query-done" if self.tour_cui.is_some() => {
                vec![SessionMsg::SelectTab(Tab::OneQuery).into()]
            }
            "user-one-query-answered" => vec![SessionMsg::SelectTab(Tab::Tickets).into()],
            "user-query-done" | "user-tickets" => vec![SessionMsg::SelectTab(Tab::Jobs).into()],
            "user-one-query" => self
                .tour_cui
                .clone()
                .map(|cui| {
                    vec![
                        one_query::Msg::TourFill {
                            cui,
                            programme: "Bolsa Social".into(),
                        }
                        .into(),
                        one_query::Msg::Submit.into(),
                    ]
                })
                .unwrap_or_default(),
            // The end of a session: "Retire su tarjeta" (the script then
            // takes the card out and logs in again).
            "user-jobs" => vec![Msg::Logout],
            _ => Vec::new(),
        }
    }
}

/// The screen's name plus what distinguishes the states worth a picture.
pub fn shot_name(state: &AppState) -> String {
    let base = state.screen_name();
    let card = &state.card;
    let suffix = match (base.as_str(), &state.session) {
        ("pin", _) => match (&card.facts, &card.pin_error) {
            (Some(Ok(c)), _) if c.blocked => "-blocked",
            (_, Some(_)) => "-error",
            _ => "",
        },
        ("insert-card", _) if card.pin_error.is_some() => "-removed",
        ("coordinator-report", Some(s)) if matches!(s.report.activity, Remote::Loaded(_)) => {
            "-loaded"
        }
        ("coordinator-add-user", Some(s)) if s.users.form != UserForm::default() => "-invalid",
        ("coordinator-users", Some(s)) if matches!(&s.users.list, Remote::Loaded(u) if !u.is_empty()) =>
        {
            // The first picture is taken before the tour visits other tabs;
            // coming back, the table is photographed with its remove dialog.
            if s.requests.list == Remote::NotLoaded {
                ""
            } else {
                "-loaded"
            }
        }
        ("user-one-query", Some(s)) if matches!(s.one.answer, Remote::Loaded(_)) => "-answered",
        ("user-query", Some(s)) => match (&s.query.workbook, &s.query.upload, &s.query.saved) {
            (_, _, Some(Saved::Done(_))) => "-saved",
            (_, Some(Upload::Job(j)), _) if j.state == JobState::Done => "-done",
            (_, Some(Upload::Job(_)), _) => "-running",
            (Some(w), None, _) if w.check.is_ok() => "-checked",
            (Some(_), None, _) => "-refused",
            _ => "",
        },
        _ => "",
    };
    let offline = if matches!(state.server, super::state::Server::Offline(_)) {
        "-offline"
    } else {
        ""
    };
    format!("{base}{suffix}{offline}")
}

/// Something is on its way; a picture now would show a spinner.
fn busy(state: &AppState) -> bool {
    let session_busy = state.session.as_ref().is_some_and(|s| {
        s.query.checking.is_some()
            || matches!(s.query.upload, Some(Upload::Sending))
            || matches!(&s.query.upload, Some(Upload::Job(j)) if j.state.is_unfinished())
            || match s.tab {
                Tab::Users => matches!(s.users.list, Remote::Loading | Remote::NotLoaded),
                Tab::Requests => matches!(s.requests.list, Remote::Loading | Remote::NotLoaded),
                Tab::Jobs => matches!(s.jobs.list, Remote::Loading | Remote::NotLoaded),
                Tab::Report => matches!(s.report.activity, Remote::Loading),
                Tab::Tickets => matches!(s.tickets.list, Remote::Loading | Remote::NotLoaded),
                Tab::Cases => matches!(s.cases.list, Remote::Loading | Remote::NotLoaded),
                Tab::OneQuery => matches!(s.one.answer, Remote::Loading),
                _ => false,
            }
    });
    state.card.pin_busy
        || session_busy
        || (state.card.reader().is_some() && state.card.facts.is_none() && state.session.is_none())
}

fn save_png(path: &Path, image: &egui::ColorImage) -> Result<(), String> {
    let file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    let [w, h] = image.size;
    let mut encoder = png::Encoder::new(
        std::io::BufWriter::new(file),
        u32::try_from(w).map_err(|e| e.to_string())?,
        u32::try_from(h).map_err(|e| e.to_string())?,
    );
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    let bytes: Vec<u8> = image.pixels.iter().flat_map(|p| p.to_array()).collect();
    writer.write_image_data(&bytes).map_err(|e| e.to_string())
}
