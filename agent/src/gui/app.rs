//! The eframe application: takes the worker's messages and the person's
//! input into [`AppState`], hands the resulting commands to the [`Worker`],
//! and draws the state. It repaints only when egui or a message asks.

use std::sync::mpsc;
use std::time::Instant;

use eframe::egui;
use padron_shared::Lang;
use padron_shared::config_card::CardSettings;

use super::capture::Capture;
use super::screens;
use super::secrets::Secrets;
use super::state::{AppState, Command, Msg, query};
use super::worker::{Outbox, Worker};
use crate::client::Client;

#[derive(Debug)]
pub struct PadronApp {
    pub state: AppState,
    pub secrets: Secrets,
    worker: Worker,
    rx: mpsc::Receiver<Msg>,
    ctx: egui::Context,
    capture: Option<Capture>,
    /// Kiosk mode: the window was made to cover the monitor.
    covered: bool,
}

impl PadronApp {
    pub fn new(
        ctx: &egui::Context,
        client: Client,
        settings: CardSettings,
        lang: Lang,
        kiosk: bool,
    ) -> std::io::Result<PadronApp> {
        screens::style(ctx);
        let (tx, rx) = mpsc::channel();
        let wake = ctx.clone();
        let outbox = Outbox::new(tx, move || wake.request_repaint());
        let mut worker = Worker::new(client, settings.clone(), outbox)?;
        worker.watch_cards();
        let mut state = AppState::new(lang, kiosk, settings.reader.clone());
        state.removable_roots = std::env::var_os("PADRON_REMOVABLE_ROOTS")
            .map(|roots| std::env::split_paths(&roots).collect());
        let mut app = PadronApp {
            state,
            secrets: Secrets::default(),
            worker,
            rx,
            ctx: ctx.clone(),
            capture: None,
            covered: false,
        };
        let start = app.state.start();
        for command in start {
            app.execute(command);
        }
        Ok(app)
    }

    pub fn with_capture(mut self, capture: Option<Capture>) -> PadronApp {
        self.capture = capture;
        self
    }

    /// Applies a message and runs what it asks for.
    pub fn dispatch(&mut self, msg: impl Into<Msg>) {
        for command in self.state.update(msg) {
            self.execute(command);
        }
    }

    fn execute(&mut self, command: Command) {
        match command {
            // Quitting: the session must end before the process does.
            Command::Logout { token } if self.state.quitting => self.worker.logout_now(&token),
            Command::Close => self.ctx.send_viewport_cmd(egui::ViewportCommand::Close),
            other => self.worker.run(other),
        }
    }

    /// Takes in what the worker sent since the last frame.
    pub fn drain(&mut self) {
        while let Ok(msg) = self.rx.try_recv() {
            self.dispatch(msg);
        }
    }
}

impl eframe::App for PadronApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.drain();
        let (active, dropped, close) = ctx.input(|i| {
            let active = i.events.iter().any(|e| {
                matches!(
                    e,
                    egui::Event::Key { .. }
                        | egui::Event::Text(_)
                        | egui::Event::PointerButton { .. }
                        | egui::Event::PointerMoved(_)
                        | egui::Event::MouseWheel { .. }
                        | egui::Event::Touch { .. }
                )
            });
            let dropped: Vec<_> = i
                .raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_owned())
                .collect();
            (active, dropped, i.viewport().close_requested())
        });
        if active {
            self.state.last_input = Instant::now();
        }
        if let Some(path) = dropped.into_iter().next() {
            self.dispatch(query::Msg::Chosen(path));
        }
        if self.state.kiosk && !self.covered {
            // Fullscreen needs a window manager; a kiosk X session may have
            // none, so the window is also placed over the whole monitor.
            if let Some(size) = ctx.input(|i| i.viewport().monitor_size) {
                ctx.send_viewport_cmd(egui::ViewportCommand::OuterPosition(egui::pos2(0.0, 0.0)));
                ctx.send_viewport_cmd(egui::ViewportCommand::InnerSize(size));
                self.covered = true;
            }
        }
        if close && self.state.kiosk && !self.state.quitting {
            // Kiosk mode ends only through a coordinator's "quit".
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
        }
        // The idle lock (kiosk mode): a followed job counts as activity; one
        // wake-up at the warning, then each second of its countdown, then
        // the lock; never a repaint loop.
        let (commands, next) = self.state.tick(Instant::now());
        for command in commands {
            self.execute(command);
        }
        if let Some(next) = next {
            ctx.request_repaint_after(next);
        }
        let scale = self.state.text_scale();
        if (ctx.zoom_factor() - scale).abs() > 0.001 {
            ctx.set_zoom_factor(scale);
        }
        if self.state.session.is_none() {
            // No PIN text survives a session change.
            zeroize::Zeroize::zeroize(&mut *self.secrets.sign_pin);
        }
        if let Some(capture) = &mut self.capture {
            for msg in capture.frame(ctx, &self.state) {
                self.dispatch(msg);
            }
        }
    }

    /// The window closes (windowed mode, or a coordinator's quit): a session
    /// still open is ended on the server first.
    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        if let Some(session) = self.state.session.take() {
            self.worker.logout_now(&session.info.token);
            self.worker.run(Command::WipeFolder {
                path: session.folder,
            });
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let mut msgs = Vec::new();
        screens::show(ui, &mut self.state, &mut self.secrets, &mut msgs);
        for msg in msgs {
            self.dispatch(msg);
        }
        if let Some(capture) = &mut self.capture {
            capture.painted(&self.state);
        }
    }
}
