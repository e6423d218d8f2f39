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
//! - [`launcher`]: the window before the kiosk can work (a workstation not
//!   enrolled yet), which hands over to [`app`] once the files appear.
//!
//! Dependencies point one way: `app` uses `screens`, `worker` and
//! `capture`; they and `secrets` use `state`; `state` uses none of them,
//! nor egui.

pub mod app;
pub mod capture;
pub mod launcher;
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

/// Opens the window and runs until it is closed. Without a usable
/// configuration (a workstation not enrolled yet) the window says what to
/// send the registry and waits for the files.
pub fn run(options: GuiOptions) -> Result<(), GuiError> {
    let started = std::time::Instant::now();
    let title = "Padrón";
    // `PADRON_GUI_SIZE=1366x768`: the window's size (screenshots, layout checks).
    let size = std::env::var("PADRON_GUI_SIZE")
        .ok()
        .and_then(|s| {
            let (w, h) = s.split_once('x')?;
            Some([w.trim().parse::<f32>().ok()?, h.trim().parse::<f32>().ok()?])
        })
        .unwrap_or([1100.0, 720.0]);
    let mut viewport = eframe::egui::ViewportBuilder::default()
        .with_title(title)
        .with_app_id("padron-agent")
        .with_inner_size(size)
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
    let (config, lang) = (options.config, options.lang);
    eframe::run_native(
        title,
        native,
        Box::new(move |cc| {
            let capture = capture::Capture::from_env(started);
            Ok(Box::new(launcher::Launcher::new(
                &cc.egui_ctx,
                config,
                lang,
                kiosk,
                capture,
            )))
        }),
    )
    .map_err(|e| GuiError::Window(e.to_string()))
}
