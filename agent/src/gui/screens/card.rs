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
                job_continues(ui, lang, state);
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
        (Readers::Seen(_), Some(_)) if state.locked == Some(LockReason::LoggedOut) => {
            centred(ui, |ui| {
                card_picture(ui, true);
                ui.heading(lang.pick(
                    "Sesión cerrada. Retire su tarjeta.",
                    "Session closed. Remove your card.",
                ));
                ui.label(lang.pick(
                    "Llévese su documento de identificación. La siguiente persona encontrará el quiosco vacío.",
                    "Take your identity card with you. The next person finds the kiosk empty.",
                ));
                job_continues(ui, lang, state);
            })
        }
        (Readers::Seen(_), Some(_)) => pin_screen(ui, lang, state, secrets, msgs),
    }
}

/// A session that ended while its job was queued or running: the job goes on.
fn job_continues(ui: &mut egui::Ui, lang: Lang, state: &CardScreen) {
    if state.job_continues {
        ui.add_space(8.0);
        super::callout(ui, super::BLUE_BG, BLUE, |ui| {
            ui.label(lang.pick(
                "Su consulta sigue en proceso en el servidor. Al volver a iniciar sesión la encontrará en «Mis consultas», lista para descargar.",
                "Your query goes on on the server. Log in again and you will find it in \"My queries\", ready to download.",
            ));
        });
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
                let button =
                    super::primary_enabled(ui, !busy, lang.pick("Iniciar sesión", "Log in"));
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
/// Every field signed is repeated, the PIN asked for is named, its tries
/// left shown, and the legal effect said before the PIN is typed.
pub fn sign_prompt(
    ctx: &egui::Context,
    lang: Lang,
    signing: &Signing,
    tries_left: Option<u8>,
    secrets: &mut Secrets,
    msgs: &mut Vec<Msg>,
) {
    egui::Modal::new(egui::Id::unique("padron-sign-prompt")).show(ctx, |ui| {
        ui.set_width(560.0);
        let what = match signing.action {
            RequestAction::Add => lang.pick("Firmar alta de usuario", "Sign user addition"),
            RequestAction::Remove => lang.pick("Firmar baja de usuario", "Sign user removal"),
            RequestAction::Update => lang.pick("Firmar actualización", "Sign update"),
        };
        ui.heading(what);
        let user = &signing.user;
        ui.label(lang.pick("Usted firma estos datos:", "You sign these data:"));
        let cui = padron_shared::Cui::parse(&user.cui)
            .map(|c| c.display_grouped())
            .unwrap_or_else(|_| user.cui.clone());
        let mut rows: Vec<(&str, String)> = vec![("CUI", cui)];
        let mut add = |label: &'static str, value: &Option<String>| {
            if let Some(v) = value.as_ref().filter(|v| !v.is_empty()) {
                rows.push((label, v.clone()));
            }
        };
        add(lang.pick("Nombre completo", "Full name"), &user.full_name);
        add(lang.pick("Correo institucional", "Institutional e-mail"), &user.email);
        add(lang.pick("Teléfono móvil", "Mobile phone"), &user.phone);
        add(lang.pick("Extensión", "Extension"), &user.extension);
        add(lang.pick("Dependencia", "Department"), &user.department);
        add(lang.pick("Puesto", "Post"), &user.post);
        add(lang.pick("Programa social", "Social programme"), &user.programme);
        if let Some(reason) = user.reason {
            rows.push((
                lang.pick("Motivo de la baja", "Reason for the removal"),
                super::coordinator::reason_text(lang, reason).to_owned(),
            ));
        }
        egui::Frame::group(ui.style()).show(ui, |ui| {
            egui::Grid::new("signed-fields")
                .num_columns(2)
                .spacing([14.0, 4.0])
                .show(ui, |ui| {
                    for (label, value) in &rows {
                        ui.label(RichText::new(*label).color(super::GREY));
                        ui.label(RichText::new(value).strong());
                        ui.end_row();
                    }
                });
        });
        if signing.action == RequestAction::Remove {
            ui.label(
                RichText::new(lang.pick(
                    "Al firmar, la persona pierde el acceso de inmediato.",
                    "Once signed, the person loses access at once.",
                ))
                .color(RED)
                .strong(),
            );
        }
        ui.label(lang.pick(
            "Su firma electrónica avanzada tiene efecto legal: equivale a su firma en el formulario de solicitud y queda registrada.",
            "Your advanced electronic signature has legal effect: it stands for your signature on the request form and is kept on record.",
        ));
        ui.label(lang.pick(
            "Se usa el PIN de firma de su tarjeta (el mismo PIN con el que inició sesión).",
            "Your card's signature PIN is used (the same PIN you logged in with).",
        ));
        match tries_left {
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
                ui.label(format!("{} {n}", lang.pick("Intentos restantes:", "Tries left:")));
            }
            None => {}
        }
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
            let text = lang.pick("Firmar y enviar", "Sign and send");
            let sign = if signing.action == RequestAction::Remove {
                super::danger(ui, !busy, text)
            } else {
                super::primary_enabled(ui, !busy, text)
            };
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
