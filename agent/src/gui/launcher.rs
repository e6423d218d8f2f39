//! The kiosk before it can work: a workstation not enrolled yet (no
//! `agent.toml`, or one whose files are not all there) shows what to send
//! the registry and looks for the files every few seconds; once they load,
//! the kiosk itself ([`PadronApp`]) takes over in the same window.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eframe::egui::{self, RichText};
use padron_shared::Lang;

use super::app::PadronApp;
use super::capture::Capture;
use super::screens;

/// How often the configuration is looked for.
pub const RETRY: Duration = Duration::from_secs(3);

/// Why the kiosk is not running yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotReady {
    pub config: PathBuf,
    /// The technical reason (missing file, invalid file, unreadable key).
    pub detail: String,
    /// The enrolment request, if `enroll-request` already made it.
    pub csr: Option<PathBuf>,
}

impl NotReady {
    /// The CSR `enroll-request --out DIR` writes beside the configuration.
    pub fn csr_path(config: &Path) -> PathBuf {
        config
            .parent()
            .unwrap_or(Path::new("."))
            .join("workstation.csr")
    }
}

#[derive(Debug)]
enum Stage {
    Waiting {
        not_ready: NotReady,
        next_look: Instant,
    },
    Running(Box<PadronApp>),
}

/// The window's application: waiting for enrolment, then the kiosk.
#[derive(Debug)]
pub struct Launcher {
    config: PathBuf,
    lang: Lang,
    kiosk: bool,
    stage: Stage,
    capture: Option<Capture>,
}

impl Launcher {
    /// Tries to start the kiosk at once; shows the waiting screen if it cannot.
    pub fn new(
        ctx: &egui::Context,
        config: PathBuf,
        lang: Option<Lang>,
        kiosk: bool,
        capture: Option<Capture>,
    ) -> Launcher {
        screens::style(ctx);
        let mut launcher = Launcher {
            lang: lang.unwrap_or_default(),
            config,
            kiosk,
            stage: Stage::Waiting {
                not_ready: NotReady {
                    config: PathBuf::new(),
                    detail: String::new(),
                    csr: None,
                },
                next_look: Instant::now(),
            },
            capture,
        };
        launcher.look(ctx, lang);
        launcher
    }

    /// The kiosk, once it runs.
    pub fn app(&self) -> Option<&PadronApp> {
        match &self.stage {
            Stage::Running(app) => Some(app),
            Stage::Waiting { .. } => None,
        }
    }

    pub fn app_mut(&mut self) -> Option<&mut PadronApp> {
        match &mut self.stage {
            Stage::Running(app) => Some(app),
            Stage::Waiting { .. } => None,
        }
    }

    /// Why it does not run yet.
    pub fn not_ready(&self) -> Option<&NotReady> {
        match &self.stage {
            Stage::Waiting { not_ready, .. } => Some(not_ready),
            Stage::Running(_) => None,
        }
    }

    fn look(&mut self, ctx: &egui::Context, lang: Option<Lang>) {
        let started = (|| {
            let loaded = crate::config::load(&self.config).map_err(|e| e.to_string())?;
            let lang = lang.or(loaded.config.lang).unwrap_or(self.lang);
            let client =
                crate::client::Client::new(&loaded, lang).map_err(|e| e.explain(Lang::Es))?;
            let settings = padron_shared::config_card::CardSettings::from(&loaded.config);
            PadronApp::new(ctx, client, settings, lang, self.kiosk).map_err(|e| e.to_string())
        })();
        self.stage = match started {
            Ok(app) => {
                tracing::info!("configuration found: the kiosk starts");
                Stage::Running(Box::new(app.with_capture(self.capture.take())))
            }
            Err(detail) => Stage::Waiting {
                not_ready: NotReady {
                    csr: Some(NotReady::csr_path(&self.config)).filter(|p| p.is_file()),
                    config: self.config.clone(),
                    detail,
                },
                next_look: Instant::now() + RETRY,
            },
        };
    }
}

impl eframe::App for Launcher {
    fn logic(&mut self, ctx: &egui::Context, frame: &mut eframe::Frame) {
        match &mut self.stage {
            Stage::Running(app) => app.logic(ctx, frame),
            Stage::Waiting { next_look, .. } => {
                let now = Instant::now();
                if now >= *next_look {
                    self.look(ctx, Some(self.lang));
                }
                if let Stage::Waiting { next_look, .. } = &self.stage {
                    ctx.request_repaint_after(next_look.saturating_duration_since(now));
                }
                if self.kiosk && ctx.input(|i| i.viewport().close_requested()) {
                    ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                }
                if let Some(capture) = &mut self.capture {
                    capture.still(ctx, "not-enrolled");
                }
            }
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        match &mut self.stage {
            Stage::Running(app) => app.ui(ui, frame),
            Stage::Waiting { not_ready, .. } => {
                let mut lang = self.lang;
                not_enrolled(ui, &mut lang, not_ready);
                self.lang = lang;
            }
        }
    }

    fn on_exit(&mut self, gl: Option<&eframe::glow::Context>) {
        if let Stage::Running(app) = &mut self.stage {
            app.on_exit(gl);
        }
    }
}

/// "This computer is not enrolled yet": what to send the registry.
pub fn not_enrolled(ui: &mut egui::Ui, lang: &mut Lang, not_ready: &NotReady) {
    let l = *lang;
    egui::Panel::top("top")
        .frame(
            egui::Frame::new()
                .fill(screens::BLUE)
                .inner_margin(egui::Margin::symmetric(16, 10)),
        )
        .show(ui, |ui| {
            ui.visuals_mut().override_text_color = Some(egui::Color32::WHITE);
            ui.horizontal(|ui| {
                ui.label(RichText::new("Padrón").heading().strong());
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.visuals_mut().override_text_color = None;
                    let other = if l == Lang::Es { Lang::En } else { Lang::Es };
                    if ui
                        .button(if l == Lang::Es { "English" } else { "Español" })
                        .clicked()
                    {
                        *lang = other;
                    }
                });
            });
        });
    egui::CentralPanel::default()
        .frame(
            egui::Frame::new()
                .fill(screens::BACKGROUND)
                .inner_margin(egui::Margin::same(24)),
        )
        .show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                ui.vertical_centered(|ui| {
                    ui.set_max_width(760.0);
                    ui.heading(l.pick(
                        "Esta computadora aún no está inscrita en el registro",
                        "This computer is not enrolled with the registry yet",
                    ));
                    ui.add_space(8.0);
                    ui.label(l.pick(
                        "Padrón solo funciona en computadoras que el registro inscribió. Para inscribir esta:",
                        "Padrón works only on computers the registry enrolled. To enrol this one:",
                    ));
                });
                ui.add_space(12.0);
                let dir = not_ready
                    .config
                    .parent()
                    .map(|d| d.display().to_string())
                    .unwrap_or_default();
                screens::callout(ui, egui::Color32::WHITE, screens::BLUE, |ui| {
                    ui.label(RichText::new(l.pick("1. Prepare la solicitud (soporte técnico):", "1. Prepare the request (technical support):")).strong());
                    ui.label(RichText::new(format!("padron-agent enroll-request --out {dir}")).monospace());
                    match &not_ready.csr {
                        Some(csr) => ui.label(
                            RichText::new(format!(
                                "{} {}",
                                l.pick("Lista:", "Ready:"),
                                csr.display()
                            ))
                            .color(screens::GREEN),
                        ),
                        None => ui.label(l.pick(
                            "Crea la llave de esta computadora (workstation.key, que nunca sale de ella) y la solicitud (workstation.csr).",
                            "It makes this computer's key (workstation.key, which never leaves it) and the request (workstation.csr).",
                        )),
                    };
                    ui.add_space(6.0);
                    ui.label(RichText::new(l.pick("2. Envíe al registro el archivo workstation.csr", "2. Send the registry the file workstation.csr")).strong());
                    ui.label(l.pick(
                        "Con el nombre de la institución y de la sede. Solo ese archivo: la llave no se envía.",
                        "With the institution's and the site's names. Only that file: the key is not sent.",
                    ));
                    ui.add_space(6.0);
                    ui.label(RichText::new(l.pick("3. Copie aquí lo que el registro devuelva", "3. Copy here what the registry sends back")).strong());
                    ui.label(RichText::new(not_ready.config.display().to_string()).monospace());
                    ui.label(l.pick(
                        "(agent.toml y sus certificados). Esta pantalla continúa sola al encontrarlos.",
                        "(agent.toml and its certificates). This screen goes on by itself once it finds them.",
                    ));
                });
                ui.add_space(10.0);
                // No spinner: a kiosk may wait here for days, and a spinner
                // repaints every frame; the look every 3 s wakes it instead.
                ui.label(l.pick(
                    "Se busca la configuración cada 3 segundos.",
                    "The configuration is looked for every 3 seconds.",
                ));
                ui.collapsing(l.pick("Detalles técnicos", "Technical details"), |ui| {
                    ui.label(RichText::new(&not_ready.detail).small());
                    ui.label(
                        RichText::new(format!(
                            "{} {}",
                            l.pick("Código para soporte:", "Code for support:"),
                            padron_shared::ErrorCode::AgentConfigInvalid.as_str()
                        ))
                        .small(),
                    );
                    ui.label(
                        RichText::new(format!("padron-agent {}", env!("CARGO_PKG_VERSION")))
                            .small(),
                    );
                });
            });
        });
}
