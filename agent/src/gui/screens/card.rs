//! Before a session: no card service, no reader, insert your card, PIN.
//! And the PIN prompt that confirms a signature.

use eframe::egui::{self, Color32, RichText};
use padron_shared::users::RequestAction;

use super::MsgsExt;
use super::{BLUE, RED, failure_box};
use crate::gui::secrets::{Secrets, take_pin};
use crate::gui::state::{CardScreen, LockReason, Msg, Readers, Signing, card, requests};
use padron_shared::Lang;

/// A large pictogram of a card going into a reader, drawn (no image files).
fn card_picture(ui: &mut egui::Ui, inserted: bool) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(220.0, 150.0), egui::Sense::hover());
    let p = ui.painter();
    let reader = egui::Rect::from_min_size(
        rect.left_top() + egui::vec2(20.0, 90.0),
        egui::vec2(180.0, 50.0),
    );
    let card_top = if inserted { 40.0 } else { 0.0 };
    let card = egui::Rect::from_min_size(
        rect.left_top() + egui::vec2(50.0, card_top),
        egui::vec2(120.0, 80.0),
    );
    p.rect_filled(card, 8.0, Color32::from_rgb(0xd8, 0xe6, 0xf5));
    p.rect_stroke(
        card,
        8.0,
        egui::Stroke::new(2.0, BLUE),
        egui::StrokeKind::Inside,
    );
    let chip = egui::Rect::from_min_size(
        card.left_top() + egui::vec2(14.0, 22.0),
        egui::vec2(26.0, 20.0),
    );
    p.rect_filled(chip, 3.0, Color32::from_rgb(0xd4, 0xa5, 0x2a));
    p.rect_filled(reader, 6.0, Color32::from_rgb(0x33, 0x3d, 0x4a));
    let slot = egui::Rect::from_center_size(
        reader.center_top() + egui::vec2(0.0, 8.0),
        egui::vec2(140.0, 5.0),
    );
    p.rect_filled(slot, 2.0, Color32::BLACK);
    if !inserted {
        let a = card.center_bottom() + egui::vec2(0.0, 4.0);
        p.arrow(a, egui::vec2(0.0, 16.0), egui::Stroke::new(3.0, BLUE));
    }
}

fn centred(ui: &mut egui::Ui, add: impl FnOnce(&mut egui::Ui)) {
    ui.vertical_centered(|ui| {
        ui.set_max_width(620.0);
        ui.add_space(24.0);
        add(ui);
    });
}

pub fn show(
    ui: &mut egui::Ui,
    lang: Lang,
    state: &CardScreen,
    secrets: &mut Secrets,
    msgs: &mut Vec<Msg>,
) {
    let reader = state.reader().cloned();
    match (&state.readers, reader) {
        (Readers::Unknown, _) => centred(ui, |ui| {
            ui.heading(lang.pick(
                "Buscando lectores de tarjetas…",
                "Looking for card readers…",
            ));
            ui.spinner();
        }),
        (Readers::NoService, _) => centred(ui, |ui| {
            ui.heading(lang.pick(
                "El servicio de tarjetas no está disponible",
                "The card service is not available",
            ));
            ui.label(padron_shared::ErrorCode::PcscUnavailable.message(lang));
            ui.label(lang.pick("Qué hacer: reinicie la computadora o pida a soporte técnico que inicie el servicio «pcscd». Esta pantalla se actualiza sola.",
                "What to do: restart the computer or ask technical support to start the \"pcscd\" service. This screen updates by itself.",
            ));
        }),
        (Readers::Seen(readers), _) if readers.is_empty() => centred(ui, |ui| {
            card_picture(ui, false);
            ui.heading(lang.pick("Conecte el lector de tarjetas", "Connect the card reader"));
            ui.label(lang.pick("No se detecta ningún lector. Conéctelo a un puerto USB; esta pantalla cambia sola al detectarlo.",
                "No reader is detected. Plug it into a USB port; this screen changes by itself once it is found.",
            ));
        }),
        (Readers::Seen(readers), None) => {
            let names: Vec<String> = readers.iter().map(|r| r.name.clone()).collect();
            centred(ui, |ui| {
                card_picture(ui, false);
                ui.heading(lang.pick(
                    "Inserte su documento de identificación",
                    "Insert your identity card",
                ));
                ui.label(lang.pick("Coloque la tarjeta en el lector con el chip hacia arriba. Se le pedirá su PIN.",
                    "Put the card in the reader, chip facing up. You will be asked for your PIN.",
                ));
                if let Some(f) = &state.pin_error {
                    ui.add_space(8.0);
                    failure_box(ui, lang, f);
                }
                ui.add_space(12.0);
                ui.label(
                    RichText::new(format!(
                        "{} {}",
                        lang.pick("Lectores:", "Readers:"),
                        names.join(", ")
                    ))
                    .small()
                    .color(Color32::GRAY),
                );
            });
        }
        (Readers::Seen(_), Some(_)) => pin_screen(ui, lang, state, secrets, msgs),
    }
}

fn pin_screen(
    ui: &mut egui::Ui,
    lang: Lang,
    state: &CardScreen,
    secrets: &mut Secrets,
    msgs: &mut Vec<Msg>,
) {
    centred(ui, |ui| {
        card_picture(ui, true);
        match state.locked {
            Some(LockReason::Idle) => {
                ui.heading(lang.pick(
                    "Sesión bloqueada por inactividad",
                    "Session locked after inactivity",
                ));
                ui.label(lang.pick("Pasaron 5 minutos sin actividad; la sesión se cerró. Ingrese su PIN para continuar.",
                    "5 minutes passed without activity; the session was closed. Enter your PIN to go on.",
                ));
            }
            _ => {
                ui.heading(lang.pick("Ingrese su PIN", "Enter your PIN"));
            }
        }
        match &state.facts {
            None => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(lang.pick("Leyendo la tarjeta…", "Reading the card…"));
                });
            }
            Some(Err(f)) => failure_box(ui, lang, f),
            Some(Ok(card)) => {
                let who = match (&card.holder, &card.cui) {
                    (Some(name), Some(cui)) => format!("{name} · CUI {cui}"),
                    (Some(name), None) => name.clone(),
                    _ => String::new(),
                };
                ui.label(RichText::new(who).strong());
                if card.blocked {
                    failure_box(
                        ui,
                        lang,
                        &crate::gui::state::Failure::of(padron_shared::ErrorCode::PinBlocked),
                    );
                    return;
                }
                match card.tries_left {
                    Some(n) if n <= 1 => {
                        ui.label(
                            RichText::new(lang.pick(
                                "Último intento: si el PIN es incorrecto la tarjeta se bloqueará.",
                                "Last try: a wrong PIN will block the card.",
                            ))
                            .color(RED)
                            .strong(),
                        );
                    }
                    Some(n) => {
                        ui.label(format!(
                            "{} {n}",
                            lang.pick("Intentos restantes:", "Tries left:")
                        ));
                    }
                    None => {}
                }
                ui.add_space(8.0);
                let label = ui.label(lang.pick("PIN de la tarjeta", "Card PIN"));
                let edit = egui::TextEdit::singleline(&mut *secrets.pin)
                    .password(true)
                    .id_salt("pin")
                    .desired_width(220.0)
                    .font(egui::TextStyle::Heading)
                    .align(egui::Align2::CENTER_CENTER);
                let busy = state.pin_busy;
                let response = ui.add_enabled(!busy, edit).labelled_by(label.id);
                // Focus the empty PIN field when nothing else has focus: never
                // steal it from a button, nor take it back after Enter.
                if !busy && secrets.pin.is_empty() && ui.memory(|m| m.focused().is_none()) {
                    response.request_focus();
                }
                let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                ui.add_space(6.0);
                let button = ui.add_enabled(
                    !busy,
                    egui::Button::new(lang.pick("Iniciar sesión", "Log in")),
                );
                if (enter || button.clicked()) && !busy && !secrets.pin.is_empty() {
                    forget_edit_history(ui, response.id);
                    msgs.send(match take_pin(&mut secrets.pin) {
                        Ok(pin) => card::Msg::SubmitPin(pin),
                        Err(f) => card::Msg::PinInvalid(f),
                    });
                }
                if busy {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(lang.pick(
                            "Verificando con la tarjeta y el servidor…",
                            "Checking with the card and the server…",
                        ));
                    });
                }
            }
        }
        if let Some(f) = &state.pin_error {
            ui.add_space(8.0);
            failure_box(ui, lang, f);
        }
    });
}

/// egui keeps an undo history of each text field; a PIN must not stay in it.
fn forget_edit_history(ui: &egui::Ui, id: egui::Id) {
    egui::text_edit::TextEditState::default().store(ui.ctx(), id);
}

/// Confirms a signed request with the PIN (the signature key asks for it each time).
pub fn sign_prompt(
    ctx: &egui::Context,
    lang: Lang,
    signing: &Signing,
    secrets: &mut Secrets,
    msgs: &mut Vec<Msg>,
) {
    egui::Modal::new(egui::Id::unique("padron-sign-prompt")).show(ctx, |ui| {
        ui.set_width(480.0);
        let what = match signing.action {
            RequestAction::Add => lang.pick("Firmar alta de usuario", "Sign user addition"),
            RequestAction::Remove => lang.pick("Firmar baja de usuario", "Sign user removal"),
            RequestAction::Update => lang.pick("Firmar actualización", "Sign update"),
        };
        ui.heading(what);
        let user = &signing.user;
        let mut line = format!("CUI {}", user.cui);
        if let Some(name) = &user.full_name {
            line = format!("{name} · {line}");
        }
        ui.label(RichText::new(line).strong());
        if let Some(reason) = user.reason {
            ui.label(super::coordinator::reason_text(lang, reason));
        }
        ui.label(lang.pick("La solicitud se firma con la llave de firma de su tarjeta. Ingrese el PIN para confirmar.",
            "The request is signed with your card's signature key. Enter the PIN to confirm.",
        ));
        let label = ui.label(lang.pick("PIN para firmar", "PIN to sign"));
        let busy = signing.busy;
        let response = ui
            .add_enabled(
                !busy,
                egui::TextEdit::singleline(&mut *secrets.sign_pin)
                    .password(true)
                    .id_salt("sign-pin")
                    .desired_width(220.0),
            )
            .labelled_by(label.id);
        if !busy && secrets.sign_pin.is_empty() && ui.memory(|m| m.focused().is_none()) {
            response.request_focus();
        }
        let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if let Some(f) = &signing.error {
            failure_box(ui, lang, f);
        }
        ui.horizontal(|ui| {
            let sign = ui.add_enabled(!busy, egui::Button::new(lang.pick("Firmar y enviar", "Sign and send")));
            if (sign.clicked() || enter) && !busy && !secrets.sign_pin.is_empty() {
                forget_edit_history(ui, response.id);
                msgs.send(match take_pin(&mut secrets.sign_pin) {
                    Ok(pin) => requests::Msg::SignWithPin(pin),
                    Err(f) => requests::Msg::PinInvalid(f),
                });
            }
            if ui.add_enabled(!busy, egui::Button::new(lang.pick("Cancelar", "Cancel"))).clicked() {
                zeroize::Zeroize::zeroize(&mut *secrets.sign_pin);
                msgs.send(requests::Msg::CancelSigning);
            }
            if busy {
                ui.spinner();
                ui.label(lang.pick("Firmando y enviando…", "Signing and sending…"));
            }
        });
    });
}
