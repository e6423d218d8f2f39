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
