//! The top bar (institution and its status, server, person, language) and
//! the banners under it (offline server, refused institution, notices).

use eframe::egui::{self, Color32, RichText};
use padron_shared::Lang;
use padron_shared::auth::Role;

use super::MsgsExt;
use super::{AMBER, AMBER_BG, GREEN, GREEN_BG, RED, RED_BG, callout, failure_box};
use crate::gui::state::{AppState, Institution, Msg, Notice, Server, SessionMsg};

fn chip(ui: &mut egui::Ui, text: &str, fill: Color32, colour: Color32) {
    egui::Frame::new()
        .fill(fill)
        .corner_radius(10.0)
        .inner_margin(egui::Margin::symmetric(8, 2))
        .show(ui, |ui| {
            ui.label(RichText::new(text).color(colour).small().strong());
        });
}

pub fn top_bar(ui: &mut egui::Ui, state: &AppState, msgs: &mut Vec<Msg>) {
    let lang = state.lang;
    ui.visuals_mut().override_text_color = Some(Color32::WHITE);
    // First row: who this workstation is, and the buttons.
    ui.horizontal(|ui| {
        ui.label(RichText::new("Padrón").heading().strong());
        ui.separator();
        let institution = match (&state.session, &state.server) {
            (Some(s), _) => Some(format!(
                "{} — {}",
                s.info.institution_code, s.info.institution_name
            )),
            (None, Server::Online(me)) => Some(format!(
                "{} — {} · {}",
                me.institution_code, me.institution_name, me.site
            )),
            _ => None,
        };
        if let Some(name) = institution {
            ui.label(RichText::new(name).strong());
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.visuals_mut().override_text_color = None;
            if state.kiosk && state.role() == Some(Role::Coordinator) {
                let quit = ui
                    .button(lang.pick("Salir del quiosco", "Quit kiosk"))
                    .on_hover_text(lang.pick(
                        "Cierra la sesión y la aplicación (solo coordinación).",
                        "Ends the session and the application (coordinators only).",
                    ));
                if quit.clicked() {
                    msgs.push(Msg::Quit);
                }
            }
            if state.session.is_some() && ui.button(lang.pick("Cerrar sesión", "Log out")).clicked()
            {
                msgs.push(Msg::Logout);
            }
            // Text size: A+ / A− (right to left, so A+ is drawn first).
            let bigger = ui
                .add_enabled(
                    state.text_size + 1 < crate::gui::state::TEXT_SCALES.len(),
                    egui::Button::new("A+"),
                )
                .on_hover_text(lang.pick("Letra más grande", "Larger text"));
            let smaller = ui
                .add_enabled(state.text_size > 0, egui::Button::new("A−"))
                .on_hover_text(lang.pick("Letra más pequeña", "Smaller text"));
            if bigger.clicked() {
                msgs.push(Msg::TextSize(1));
            }
            if smaller.clicked() {
                msgs.push(Msg::TextSize(-1));
            }
            let other = if lang == Lang::Es { Lang::En } else { Lang::Es };
            let toggle = ui
                .button(if lang == Lang::Es {
                    "English"
                } else {
                    "Español"
                })
                .on_hover_text(lang.pick("Cambiar idioma", "Change language"));
            if toggle.clicked() {
                msgs.push(Msg::SetLang(other));
            }
        });
    });
    // Second row: the institution's status (always), the server, the person.
    ui.horizontal(|ui| {
        match &state.institution {
            Institution::Active => chip(
                ui,
                lang.pick("Institución activa", "Institution active"),
                GREEN_BG,
                GREEN,
            ),
            Institution::Refused(f) => {
                let word = if f.code == padron_shared::ErrorCode::InstitutionCancelled {
                    lang.pick("Institución cancelada", "Institution cancelled")
                } else {
                    lang.pick("Institución inactiva", "Institution inactive")
                };
                chip(ui, word, RED_BG, RED);
            }
            Institution::Unknown => chip(
                ui,
                lang.pick(
                    "Estado de la institución: se verifica al iniciar sesión",
                    "Institution status: checked at login",
                ),
                Color32::from_rgb(0xe4, 0xea, 0xf2),
                Color32::from_rgb(0x22, 0x33, 0x55),
            ),
        }
        match &state.server {
            Server::Online(_) => chip(
                ui,
                lang.pick("Servidor en línea", "Server online"),
                GREEN_BG,
                GREEN,
            ),
            Server::Offline(_) => chip(ui, lang.pick("Sin conexión", "Offline"), AMBER_BG, AMBER),
            Server::Checking => chip(
                ui,
                lang.pick("Conectando…", "Connecting…"),
                Color32::from_rgb(0xe4, 0xea, 0xf2),
                Color32::from_rgb(0x22, 0x33, 0x55),
            ),
        }
        if let Some(s) = state.session.as_ref().map(|s| &s.info) {
            let role = match s.role {
                Role::Coordinator => lang.pick("coordinación", "coordinator"),
                Role::User => lang.pick("usuario(a)", "user"),
            };
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(
                    RichText::new(format!(
                        "{} · {role} · CUI {}",
                        s.name,
                        s.cui.display_grouped()
                    ))
                    .strong(),
                );
            });
        }
    });
}

pub fn banners(ui: &mut egui::Ui, state: &AppState, msgs: &mut Vec<Msg>) {
    let lang = state.lang;
    let mut any = false;
    if let Some(secs) = state.idle_warning(std::time::Instant::now()) {
        any = true;
        ui.add_space(8.0);
        callout(ui, AMBER_BG, AMBER, |ui| {
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(format!(
                        "{} {secs} {}",
                        lang.pick(
                            "Por inactividad, la sesión se cerrará en",
                            "The session closes for inactivity in"
                        ),
                        lang.pick("segundos.", "seconds.")
                    ))
                    .strong(),
                );
                if super::primary(ui, lang.pick("Seguir trabajando", "Keep working")).clicked() {
                    msgs.push(Msg::KeepWorking);
                }
            });
        });
    }
    if let Server::Offline(f) = &state.server {
        any = true;
        ui.add_space(8.0);
        callout(ui, AMBER_BG, AMBER, |ui| {
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(lang.pick(
                        "Sin conexión con el servidor.",
                        "No connection to the server.",
                    ))
                    .strong(),
                );
                if f.is_offline() {
                    ui.label(lang.pick(
                        "Se reintenta automáticamente cada 5 segundos.",
                        "Retrying automatically every 5 seconds.",
                    ));
                }
                if ui
                    .button(lang.pick("Reintentar ahora", "Retry now"))
                    .clicked()
                {
                    msgs.push(Msg::RetryServer);
                }
            });
            ui.label(RichText::new(f.text(lang)).small());
        });
    }
    if let Institution::Refused(f) = &state.institution {
        any = true;
        ui.add_space(8.0);
        failure_box(ui, lang, f);
    }
    if let Some(notice) = state.session.as_ref().and_then(|s| s.notice.as_ref()) {
        any = true;
        ui.add_space(8.0);
        match notice {
            Notice::Info { es, en } => callout(ui, GREEN_BG, GREEN, |ui| {
                ui.horizontal(|ui| {
                    ui.label(RichText::new(lang.pick(es, en)).strong());
                    if ui.button(lang.pick("Aceptar", "OK")).clicked() {
                        msgs.send(SessionMsg::DismissNotice);
                    }
                });
            }),
            Notice::Error(f) => {
                failure_box(ui, lang, f);
                if ui.button(lang.pick("Aceptar", "OK")).clicked() {
                    msgs.send(SessionMsg::DismissNotice);
                }
            }
        }
    }
    if any {
        ui.add_space(8.0);
    }
}

/// The footer: whom to call, this workstation, the version; the technical
/// details folded away.
pub fn footer(ui: &mut egui::Ui, state: &AppState, _msgs: &mut Vec<Msg>) {
    let lang = state.lang;
    let me = match &state.server {
        Server::Online(me) => Some(me),
        _ => state.known.as_ref(),
    };
    ui.horizontal_wrapped(|ui| {
        let desk = me
            .map(|m| m.service_desk.as_str())
            .filter(|d| !d.is_empty())
            .map(|d| format!("{} {d}", lang.pick("Ayuda:", "Help:")))
            .unwrap_or_else(|| {
                lang.pick(
                    "Ayuda: la coordinación de su institución o la mesa de servicio del registro",
                    "Help: your institution's coordinator or the registry's service desk",
                )
                .to_owned()
            });
        ui.label(RichText::new(desk).small().strong());
        ui.separator();
        if let Some(me) = me {
            ui.label(
                RichText::new(format!(
                    "{} {}",
                    lang.pick("Estación", "Workstation"),
                    me.workstation_id
                ))
                .small(),
            );
            ui.separator();
        }
        ui.label(RichText::new(format!("Padrón {}", env!("CARGO_PKG_VERSION"))).small());
        ui.separator();
        ui.collapsing(
            RichText::new(lang.pick("Detalles técnicos", "Technical details")).small(),
            |ui| {
                let zone = &state.zone;
                let mut lines = vec![format!(
                    "{} {}",
                    lang.pick("Hora del registro:", "Registry time:"),
                    zone.name()
                )];
                if let Some(me) = me {
                    lines.push(format!(
                        "{} {} · {}",
                        lang.pick("Institución y sede:", "Institution and site:"),
                        me.institution_code,
                        me.site
                    ));
                    lines.push(format!(
                        "{} {}",
                        lang.pick(
                            "Certificado de la estación vence:",
                            "Workstation certificate expires:"
                        ),
                        zone.show_stamp(&me.certificate_not_after, lang)
                    ));
                }
                if let Server::Offline(f) = &state.server {
                    lines.push(format!(
                        "{} {}",
                        lang.pick("Código para soporte:", "Code for support:"),
                        f.code.as_str()
                    ));
                }
                if let Some(reader) = state.card.reader_name() {
                    lines.push(format!("{} {reader}", lang.pick("Lector:", "Reader:")));
                }
                for line in lines {
                    ui.label(RichText::new(line).small());
                }
            },
        );
    });
}
