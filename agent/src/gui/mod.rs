//! The kiosk: an eframe/egui application over the same library as the CLI.
//!
//! - [`state`]: the application state and its transitions (`Msg` in,
//!   `Command`s out), testable without a window.
//! - [`worker`]: runs the commands off the UI thread (tokio, pcscd events)
//!   and sends the results back, waking the UI; nothing repaints otherwise.
//! - [`app`]: the eframe `App`: feeds input and results into the state and
//!   draws it through [`screens`].
//! - [`secrets`]: the PIN fields' text, outside the state.
//! - [`capture`]: screenshots of each screen for the documentation.
//!
//! Dependencies point one way: `app` uses `screens`, `worker` and
//! `capture`; they and `secrets` use `state`; `state` uses none of them,
//! nor egui.

pub mod app;
pub mod capture;
pub mod screens;
pub mod secrets;
pub mod state;
pub mod worker;

use std::path::PathBuf;

use padron_shared::Lang;

/// How the kiosk was started.
#[derive(Debug, Clone)]
pub struct GuiOptions {
    pub config: PathBuf,
    pub lang: Option<Lang>,
    /// Fullscreen, undecorated, locks on removal and when idle, no quitting
    /// without a coordinator's card.
    pub kiosk: bool,
}

/// Why the kiosk could not start.
#[derive(Debug, thiserror::Error)]
pub enum GuiError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("{}", .0.explain(Lang::Es))]
    Client(#[from] crate::client::ClientError),
    #[error("tokio: {0}")]
    Runtime(#[from] std::io::Error),
    #[error("no se pudo abrir la ventana / could not open the window: {0}")]
    Window(String),
}

/// Opens the window and runs until it is closed.
pub fn run(options: GuiOptions) -> Result<(), GuiError> {
    let started = std::time::Instant::now();
    let loaded = crate::config::load(&options.config)?;
    let lang = options.lang.or(loaded.config.lang).unwrap_or_default();
    let client = crate::client::Client::new(&loaded, lang)?;
    let settings = padron_shared::config_card::CardSettings::from(&loaded.config);
    let title = "Padrón";
    let mut viewport = eframe::egui::ViewportBuilder::default()
        .with_title(title)
        .with_app_id("padron-agent")
        .with_inner_size([1100.0, 720.0])
        .with_min_inner_size([800.0, 560.0])
        .with_drag_and_drop(true);
    if options.kiosk {
        viewport = viewport
            .with_fullscreen(true)
            .with_decorations(false)
            .with_close_button(false)
            .with_minimize_button(false);
    }
    let native = eframe::NativeOptions {
        viewport,
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    let kiosk = options.kiosk;
    eframe::run_native(
        title,
        native,
        Box::new(move |cc| {
            let app = app::PadronApp::new(&cc.egui_ctx, client, settings, lang, kiosk)
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?
                .with_capture(capture::Capture::from_env(started));
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| GuiError::Window(e.to_string()))
}
