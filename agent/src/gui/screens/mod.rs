//! Drawing: each screen reads the state and pushes the [`Msg`]s the person's
//! actions mean; only the text of form fields is edited in place.
//!
//! Every control carries an AccessKit label: buttons and checkboxes get it
//! from their text, text fields from the label drawn beside them
//! (`labelled_by`).

mod card;
mod cases;
mod chrome;
mod coordinator;
mod one_query;
mod tickets;
mod user;

use eframe::egui::{self, Color32, RichText};
use padron_shared::Lang;
use padron_shared::auth::Role;
use padron_shared::queries::{JobState, QueryMode};
use padron_shared::users::RequestState;

use super::secrets::Secrets;
use super::state::{AppState, Failure, Msg, Saved};

pub const BACKGROUND: Color32 = Color32::from_rgb(0xf6, 0xf7, 0xf9);
pub const BLUE: Color32 = Color32::from_rgb(0x0b, 0x4f, 0x8a);
pub const GREEN: Color32 = Color32::from_rgb(0x1e, 0x7b, 0x34);
pub const RED: Color32 = Color32::from_rgb(0xb0, 0x1c, 0x1c);
pub const AMBER: Color32 = Color32::from_rgb(0x9a, 0x5b, 0x00);
pub const AMBER_BG: Color32 = Color32::from_rgb(0xff, 0xf3, 0xd6);
pub const RED_BG: Color32 = Color32::from_rgb(0xfd, 0xe8, 0xe8);
pub const GREEN_BG: Color32 = Color32::from_rgb(0xe6, 0xf4, 0xea);
pub const BLUE_BG: Color32 = Color32::from_rgb(0xe4, 0xee, 0xf8);
pub const GREY: Color32 = Color32::from_rgb(0x44, 0x4c, 0x56);
pub const GREY_BG: Color32 = Color32::from_rgb(0xea, 0xec, 0xef);
pub const PURPLE: Color32 = Color32::from_rgb(0x5b, 0x2a, 0x86);
pub const PURPLE_BG: Color32 = Color32::from_rgb(0xf0, 0xe8, 0xf8);

/// A readable kiosk: light theme, larger text, roomier buttons.
pub fn style(ctx: &egui::Context) {
    ctx.set_theme(egui::Theme::Light);
    ctx.all_styles_mut(|style| {
        use egui::{FontFamily, FontId, TextStyle};
        style.text_styles = [
            (
                TextStyle::Heading,
                FontId::new(26.0, FontFamily::Proportional),
            ),
            (TextStyle::Body, FontId::new(16.0, FontFamily::Proportional)),
            (
                TextStyle::Button,
                FontId::new(16.0, FontFamily::Proportional),
            ),
            (
                TextStyle::Small,
                FontId::new(13.0, FontFamily::Proportional),
            ),
            (
                TextStyle::Monospace,
                FontId::new(15.0, FontFamily::Monospace),
            ),
        ]
        .into();
        style.spacing.button_padding = egui::vec2(12.0, 6.0);
        style.spacing.item_spacing = egui::vec2(10.0, 8.0);
        style.spacing.interact_size.y = 30.0;
        // A blinking cursor repaints twice a second for as long as the PIN
        // field waits: measurable CPU on a kiosk without a GPU.
        style.visuals.text_cursor.blink = false;
    });
}

/// The whole window.
pub fn show(ui: &mut egui::Ui, state: &mut AppState, secrets: &mut Secrets, msgs: &mut Vec<Msg>) {
    let lang = state.lang;
    let scale = state.text_scale();
    if (ui.ctx().zoom_factor() - scale).abs() > 0.001 {
        ui.ctx().set_zoom_factor(scale);
    }
    egui::Panel::bottom("footer")
        .frame(
            egui::Frame::new()
                .fill(GREY_BG)
                .inner_margin(egui::Margin::symmetric(16, 6)),
        )
        .show(ui, |ui| chrome::footer(ui, state, msgs));
    egui::Panel::top("top")
        .frame(
            egui::Frame::new()
                .fill(BLUE)
                .inner_margin(egui::Margin::symmetric(16, 10)),
        )
        .show(ui, |ui| chrome::top_bar(ui, state, msgs));
    let banners = matches!(state.server, super::state::Server::Offline(_))
        || matches!(state.institution, super::state::Institution::Refused(_))
        || state.session.as_ref().is_some_and(|s| s.notice.is_some())
        || state.idle_warning(std::time::Instant::now()).is_some();
    if banners {
        egui::Panel::top("banners")
            .frame(
                egui::Frame::new()
                    .fill(BACKGROUND)
                    .inner_margin(egui::Margin::symmetric(16, 0)),
            )
            .show(ui, |ui| chrome::banners(ui, state, msgs));
    }
    egui::CentralPanel::default()
        .frame(
            egui::Frame::new()
                .fill(BACKGROUND)
                .inner_margin(egui::Margin::same(20)),
        )
        .show(ui, |ui| {
            // Sending and downloading need the server; while it is being
            // checked they are allowed (a failure says why).
            let online = !matches!(state.server, super::state::Server::Offline(_));
            match state.session.as_mut() {
                Some(s) if s.role() == Role::Coordinator => {
                    coordinator::show(ui, lang, s, online, msgs)
                }
                Some(s) => user::show(ui, lang, s, online, msgs),
                None => card::show(ui, lang, &state.card, secrets, msgs),
            }
        });
    let tries_left = state
        .card
        .facts
        .as_ref()
        .and_then(|f| f.as_ref().ok())
        .and_then(|f| f.tries_left);
    let signing = state
        .session
        .as_ref()
        .and_then(|s| s.requests.signing.as_ref());
    if let Some(signing) = signing {
        card::sign_prompt(ui.ctx(), lang, signing, tries_left, secrets, msgs);
    }
    if let Some(offer) = state.session.as_ref().and_then(|s| s.save.as_ref()) {
        save_offer(ui.ctx(), lang, offer, msgs);
    }
}

/// Kiosk mode's "where to save": the removable drives plugged in, by name,
/// or this session's folder (wiped at its end). Nothing else of the disk.
fn save_offer(
    ctx: &egui::Context,
    lang: Lang,
    offer: &super::state::SaveOffer,
    msgs: &mut Vec<Msg>,
) {
    use super::state::save;
    egui::Modal::new(egui::Id::unique("padron-save-offer")).show(ctx, |ui| {
        ui.set_width(520.0);
        ui.heading(lang.pick("¿Dónde guardar?", "Where to save?"));
        ui.label(RichText::new(offer.what.file_name()).strong());
        ui.add_space(6.0);
        match &offer.drives {
            None => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(lang.pick("Buscando memorias USB…", "Looking for USB drives…"));
                });
            }
            Some(drives) if drives.is_empty() => {
                ui.label(lang.pick(
                    "No hay ninguna memoria USB conectada. Conecte una y pulse «Buscar de nuevo».",
                    "No USB drive is plugged in. Plug one in and press \"Look again\".",
                ));
            }
            Some(drives) => {
                for d in drives {
                    let text = format!("{} «{}»", lang.pick("Guardar en la memoria", "Save on the drive"), d.name);
                    if primary(ui, &text).clicked() {
                        msgs.send(save::Msg::SaveTo(Some(d.path.clone())));
                    }
                }
            }
        }
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            if ui
                .button(lang.pick("Buscar de nuevo", "Look again"))
                .clicked()
            {
                msgs.send(save::Msg::LookAgain);
            }
            if ui
                .button(lang.pick(
                    "Guardar solo para esta sesión",
                    "Save for this session only",
                ))
                .on_hover_text(lang.pick(
                    "En una carpeta de esta sesión que se borra al cerrarla.",
                    "In a folder of this session, deleted when it ends.",
                ))
                .clicked()
            {
                msgs.send(save::Msg::SaveTo(None));
            }
            if ui.button(lang.pick("Cancelar", "Cancel")).clicked() {
                msgs.send(save::Msg::Cancel);
            }
        });
        ui.label(
            RichText::new(lang.pick(
                "En esta computadora pública nada queda guardado: lo de la sesión se borra al cerrarla.",
                "Nothing stays on this public computer: the session's files are deleted when it ends.",
            ))
            .small()
            .color(GREY),
        );
    });
}

/// The screen's main action: filled and coloured (one per screen).
pub fn primary(ui: &mut egui::Ui, text: &str) -> egui::Response {
    ui.add(
        egui::Button::new(RichText::new(text).strong().color(Color32::WHITE))
            .fill(BLUE)
            .min_size(egui::vec2(0.0, 36.0)),
    )
}

/// [`primary`], greyed out when `enabled` is false.
pub fn primary_enabled(ui: &mut egui::Ui, enabled: bool, text: &str) -> egui::Response {
    let fill = if enabled {
        BLUE
    } else {
        BLUE.gamma_multiply(0.45)
    };
    ui.add_enabled(
        enabled,
        egui::Button::new(RichText::new(text).strong().color(Color32::WHITE))
            .fill(fill)
            .min_size(egui::vec2(0.0, 36.0)),
    )
}

/// An action that cannot be undone: red.
pub fn danger(ui: &mut egui::Ui, enabled: bool, text: &str) -> egui::Response {
    let fill = if enabled {
        RED
    } else {
        RED.gamma_multiply(0.45)
    };
    ui.add_enabled(
        enabled,
        egui::Button::new(RichText::new(text).strong().color(Color32::WHITE))
            .fill(fill)
            .min_size(egui::vec2(0.0, 32.0)),
    )
}

/// Rows by result, in the fixed order the tiles show them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub found: u64,
    pub not_found: u64,
    pub doubtful: u64,
    pub invalid: u64,
    pub rejected: u64,
    /// Known only for jobs run since it is counted.
    pub deceased: Option<u64>,
}

impl Tally {
    /// From a job's counts.
    pub fn of_job(counts: &padron_shared::queries::JobCounts) -> Tally {
        Tally {
            deceased: counts.fallecido,
            ..Tally::of_report(&counts.results())
        }
    }

    pub fn of_report(r: &padron_shared::reports::ResultCounts) -> Tally {
        Tally {
            found: r.encontrado,
            not_found: r.no_encontrado,
            doubtful: r.ambiguo,
            invalid: r.cui_invalido,
            rejected: r.rechazado,
            deceased: None,
        }
    }

    /// Rows a person must look at (everything but a clean find).
    pub fn attention(&self) -> u64 {
        self.not_found + self.doubtful + self.invalid + self.rejected + self.deceased.unwrap_or(0)
    }
}

/// The results as coloured tiles: "Encontrados 28 · No encontrados 0 ·
/// Coincidencia dudosa 0 · CUI inválido 1 · Rechazadas 1 · Fallecidos 2".
pub fn tiles(ui: &mut egui::Ui, lang: Lang, t: &Tally) {
    let mut all = vec![
        (lang.pick("Encontrados", "Found"), t.found, GREEN, GREEN_BG),
        (
            lang.pick("No encontrados", "Not found"),
            t.not_found,
            AMBER,
            AMBER_BG,
        ),
        (
            lang.pick("Coincidencia dudosa", "Doubtful match"),
            t.doubtful,
            AMBER,
            AMBER_BG,
        ),
        (
            lang.pick("CUI inválido", "Invalid CUI"),
            t.invalid,
            RED,
            RED_BG,
        ),
        (lang.pick("Rechazadas", "Rejected"), t.rejected, RED, RED_BG),
    ];
    if let Some(d) = t.deceased {
        all.push((lang.pick("Fallecidos", "Deceased"), d, PURPLE, PURPLE_BG));
    }
    ui.horizontal_wrapped(|ui| {
        for (word, n, colour, fill) in all {
            let (colour, fill) = if n == 0 {
                (GREY, GREY_BG)
            } else {
                (colour, fill)
            };
            egui::Frame::new()
                .fill(fill)
                .stroke(egui::Stroke::new(1.0, colour.gamma_multiply(0.5)))
                .corner_radius(8.0)
                .inner_margin(egui::Margin::symmetric(14, 8))
                .show(ui, |ui| {
                    // Vertical inside: a wrapping row would pad the text
                    // down to the row's height.
                    ui.vertical(|ui| {
                        ui.set_min_width(120.0);
                        let mut job = egui::text::LayoutJob::default();
                        job.append(
                            &format!("{word}\n"),
                            0.0,
                            egui::TextFormat::simple(egui::FontId::proportional(14.0), colour),
                        );
                        job.append(
                            &n.to_string(),
                            0.0,
                            egui::TextFormat::simple(egui::FontId::proportional(26.0), colour),
                        );
                        ui.label(job);
                    });
                });
        }
    });
}

/// A query's kind in words.
pub fn mode_word(lang: Lang, mode: QueryMode) -> &'static str {
    match mode {
        QueryMode::Names => lang.pick("Por nombres", "By names"),
        QueryMode::Cui => lang.pick("Por CUI", "By CUI"),
    }
}

/// A user request's action in words.
pub fn action_word(lang: Lang, action: padron_shared::users::RequestAction) -> &'static str {
    use padron_shared::users::RequestAction;
    match action {
        RequestAction::Add => lang.pick("Alta", "Addition"),
        RequestAction::Remove => lang.pick("Baja", "Removal"),
        RequestAction::Update => lang.pick("Actualización", "Update"),
    }
}

/// Whether `text` matches what was typed in a list's search box (case and
/// accents ignored, digits of a CUI with or without spaces).
pub fn matches_search(search: &str, fields: &[&str]) -> bool {
    let fold = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .map(|c| match c {
                'á' | 'à' | 'ä' => 'a',
                'é' | 'è' | 'ë' => 'e',
                'í' | 'ì' | 'ï' => 'i',
                'ó' | 'ò' | 'ö' => 'o',
                'ú' | 'ù' | 'ü' => 'u',
                other => other,
            })
            .collect()
    };
    let wanted = fold(search);
    wanted.is_empty() || fields.iter().any(|f| fold(f).contains(&wanted))
}

/// A list's search box; returns the new text when it changed.
pub fn search_box(ui: &mut egui::Ui, lang: Lang, current: &str, msgs: &mut Vec<Msg>) {
    let mut text = current.to_owned();
    let label = ui.label(lang.pick("Buscar", "Search"));
    let response = ui
        .add(
            egui::TextEdit::singleline(&mut text)
                .hint_text(hint(
                    lang.pick("Ej.: nombre, CUI o número", "E.g.: name, CUI or number"),
                ))
                .desired_width(260.0),
        )
        .labelled_by(label.id);
    if response.changed() {
        msgs.send(super::state::SessionMsg::Search(text));
    }
}

/// A placeholder that cannot be taken for a value typed: lighter, italic.
pub fn hint(text: &str) -> RichText {
    RichText::new(text)
        .italics()
        .color(Color32::from_gray(0xa0))
}

/// Pushing any screen's message into the frame's list.
pub trait MsgsExt {
    fn send(&mut self, msg: impl Into<Msg>);
}

impl MsgsExt for Vec<Msg> {
    fn send(&mut self, msg: impl Into<Msg>) {
        self.push(msg.into());
    }
}

/// A coloured box with a message.
pub fn callout(
    ui: &mut egui::Ui,
    fill: Color32,
    text_colour: Color32,
    add: impl FnOnce(&mut egui::Ui),
) {
    egui::Frame::new()
        .fill(fill)
        .stroke(egui::Stroke::new(1.0, text_colour.gamma_multiply(0.5)))
        .corner_radius(6.0)
        .inner_margin(egui::Margin::same(12))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.visuals_mut().override_text_color = Some(text_colour);
            add(ui);
        });
}

/// A failure in a red box, its code on a small line for support. Routine
/// events (the card taken out, a session that ended) are information, not
/// errors: a blue box without a code.
pub fn failure_box(ui: &mut egui::Ui, lang: Lang, failure: &Failure) {
    if is_routine(failure) {
        callout(ui, BLUE_BG, BLUE, |ui| {
            ui.label(RichText::new(failure.text(lang)).strong());
        });
        return;
    }
    callout(ui, RED_BG, RED, |ui| {
        ui.label(RichText::new(failure.text(lang)).strong());
        if let Some(hint) = what_to_do(failure, lang) {
            ui.label(hint);
        }
        support_code(ui, lang, failure.code);
    });
}

/// "Código para soporte: CARD_…", small and grey.
pub fn support_code(ui: &mut egui::Ui, lang: Lang, code: padron_shared::ErrorCode) {
    ui.label(
        RichText::new(format!(
            "{} {}",
            lang.pick("Código para soporte:", "Code for support:"),
            code.as_str()
        ))
        .small()
        .color(GREY),
    );
}

/// Events that are part of normal use, not failures.
pub fn is_routine(failure: &Failure) -> bool {
    matches!(
        failure.code,
        padron_shared::ErrorCode::CardRemoved | padron_shared::ErrorCode::SessionExpired
    )
}

/// What the person can do about a refusal, where the sentence alone does not say.
pub fn what_to_do(failure: &Failure, lang: Lang) -> Option<&'static str> {
    use padron_shared::ErrorCode::*;
    Some(match failure.code {
        InstitutionInactive => lang.pick("Qué hacer: la persona responsable de la institución debe comunicarse con el registro para regularizar el pago o el convenio. Nadie de la institución puede consultar mientras tanto.",
            "What to do: the institution's responsible person must contact the registry to settle the payment or the agreement. Nobody at the institution can run queries meanwhile.",
        ),
        InstitutionCancelled => lang.pick("Qué hacer: la institución debe renovar su convenio con el registro; al renovarse se restablece el acceso.",
            "What to do: the institution must renew its agreement with the registry; access returns once it is renewed.",
        ),
        UserBlocked => lang.pick("Qué hacer: comuníquese con el registro; solo el registro puede desbloquear su acceso.",
            "What to do: contact the registry; only the registry can unblock your access.",
        ),
        UserNotAuthorized => lang.pick("Qué hacer: pida a la persona coordinadora de su institución que le dé de alta como usuario(a).",
            "What to do: ask your institution's coordinator to add you as a user.",
        ),
        PinBlocked => lang.pick("Su tarjeta no puede usarse hasta que la entidad emisora desbloquee el PIN. Retírela del lector.",
            "Your card cannot be used until its issuer unblocks the PIN. Remove it from the reader.",
        ),
        CardCertificateUntrusted | CardCertificateExpired | CardCertificateRevoked => lang.pick("Qué hacer: verifique que su documento esté vigente; si lo está, comuníquese con el registro.",
            "What to do: check that your document is valid; if it is, contact the registry.",
        ),
        WorkstationRevoked | WorkstationCertificateRefused | WorkstationUnknown => lang.pick("Qué hacer: esta computadora necesita una nueva inscripción; comuníquese con el registro.",
            "What to do: this computer needs a new enrolment; contact the registry.",
        ),
        _ => return None,
    })
}

/// A text field with its label, labelled for AccessKit; returns whether it lost focus.
/// `example` is shown as a light "Ej.: …" placeholder.
pub fn field(
    ui: &mut egui::Ui,
    label: &str,
    text: &mut String,
    example: &str,
    problem: Option<&str>,
) -> egui::Response {
    let label_response = ui.label(label);
    let mut edit = egui::TextEdit::singleline(text).desired_width(360.0);
    if !example.is_empty() {
        edit = edit.hint_text(hint(&format!("Ej.: {example}")));
    }
    let response = ui.add(edit).labelled_by(label_response.id);
    if let Some(problem) = problem {
        ui.label(RichText::new(problem).color(RED).small());
    }
    response
}

/// The state word for a request or a user, in the person's language.
/// Where a saved workbook went (with a button to open its folder), or why
/// it could not be saved. `Saving` is drawn by the caller, which knows
/// whether the save in progress is the one on screen.
/// In kiosk mode there is no "open folder": a file manager would let the
/// person out of the kiosk.
pub fn saved_line(ui: &mut egui::Ui, lang: Lang, saved: &Saved, kiosk: bool, msgs: &mut Vec<Msg>) {
    match saved {
        Saved::Saving(_) => {}
        Saved::Done(path) => {
            ui.label(
                RichText::new(format!(
                    "{} {}",
                    lang.pick("Guardado en", "Saved to"),
                    path.display()
                ))
                .color(GREEN),
            );
            if kiosk {
                ui.label(
                    RichText::new(lang.pick(
                        "Retire la memoria USB cuando termine.",
                        "Remove the USB drive when you are done.",
                    ))
                    .small(),
                );
            } else if ui
                .button(lang.pick("Abrir carpeta", "Open folder"))
                .clicked()
            {
                msgs.push(Msg::OpenFolder(path.clone()));
            }
        }
        Saved::Failed(f) => {
            ui.label(RichText::new(f.text(lang)).color(RED));
        }
    }
}

/// A user's status in words.
pub fn state_word(lang: Lang, state: &str) -> String {
    let (es, en) = match state {
        "ACTIVE" => ("Activo", "Active"),
        "INACTIVE" => ("Inactivo", "Inactive"),
        "REMOVED" => ("De baja", "Removed"),
        "PENDING" => ("Pendiente", "Pending"),
        "BLOCKED" => ("Bloqueado", "Blocked"),
        other => (other, other),
    };
    lang.pick(es, en).to_owned()
}

/// A user request's state in words.
pub fn request_state_word(lang: Lang, state: RequestState) -> String {
    let (es, en) = match state {
        RequestState::Received => ("Recibida", "Received"),
        RequestState::Processing => ("En proceso", "Processing"),
        RequestState::Done => ("Finalizada", "Done"),
        RequestState::Rejected => ("Rechazada", "Rejected"),
    };
    lang.pick(es, en).to_owned()
}

/// A query job's state in words.
pub fn job_state_word(lang: Lang, state: JobState) -> String {
    let (es, en) = match state {
        JobState::Queued => ("En cola", "Queued"),
        JobState::Running => ("Procesando", "Running"),
        JobState::Done => ("Finalizada", "Done"),
        JobState::Failed => ("Falló", "Failed"),
        JobState::Expired => ("Eliminada", "Expired"),
    };
    lang.pick(es, en).to_owned()
}

/// A stored stamp in the registry's local time: `2026-11-22T21:17:54.107Z`
/// → `22/11/2026 15:17` (Spanish), `22 Nov 2026 15:17` (English).
pub fn local_time(zone: &padron_shared::calendar::Zone, lang: Lang, stamp: &str) -> String {
    zone.show_stamp(stamp, lang)
}

#[cfg(test)]
mod tests {
    //! The screens drawn from a state (no worker, no server, no card),
    //! driven through their AccessKit tree.
    #![allow(clippy::unwrap_used)]

    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;
    use padron_shared::auth::SessionInfo;
    use padron_shared::{Cui, ErrorCode};

    use super::*;
    use padron_drivers::ReaderInfo;
    use padron_shared::auth::Role;
    use padron_shared::reports::UserActivityReport;

    use crate::gui::state::{Command, Readers, Server, SessionMsg, Tab, card, query, report};

    type Screen = (AppState, Secrets, Vec<Msg>);

    fn harness(state: AppState) -> Harness<'static, Screen> {
        Harness::builder()
            .with_size([1100.0, 760.0])
            .build_ui_state(
                |ui, (state, secrets, msgs): &mut Screen| show(ui, state, secrets, msgs),
                (state, Secrets::default(), Vec::new()),
            )
    }

    fn shows(h: &Harness<'static, Screen>, text: &str) -> bool {
        h.query_all_by_label_contains(text).next().is_some()
    }

    #[test]
    fn no_card_service_and_no_server_are_explained_and_retried() {
        let mut state = AppState::new(Lang::Es, true, None);
        state.card.readers = Readers::NoService;
        state.server = Server::Offline(Failure::of(ErrorCode::ServerUnreachable));
        let mut h = harness(state);
        h.run();
        assert!(shows(&h, "El servicio de tarjetas no está disponible"));
        assert!(shows(&h, "Sin conexión con el servidor."));
        assert!(shows(&h, "Se reintenta automáticamente"));
        h.get_by_label("Reintentar ahora").click();
        h.run();
        assert!(matches!(h.state().2.as_slice(), [Msg::RetryServer]));
    }

    #[test]
    fn the_add_user_form_checks_as_it_is_typed_and_switches_language() {
        let mut state = AppState::new(Lang::Es, false, None);
        state.begin_session(
            SessionInfo {
                token: "t".into(),
                role: padron_shared::auth::Role::Coordinator,
                cui: Cui::parse("1234567890101").unwrap(),
                name: "Ana".into(),
                institution_code: "MIDES".into(),
                institution_name: "Ministerio".into(),
                workstation_id: 1,
                idle_timeout_seconds: 900,
                expires_at: "x".into(),
                installation_id: "test".into(),
                programmes: vec![],
            },
            "Virtual PCD 00 00".into(),
        );
        state.session.as_mut().unwrap().tab = Tab::AddUser;
        let mut h = harness(state);
        h.run();
        h.get_by_label("CUI").focus();
        h.run();
        h.get_by_label("CUI").type_text("1234567880101");
        h.run();
        assert!(shows(&h, "El dígito verificador del CUI no corresponde"));
        h.get_by_label("Firmar alta con la tarjeta").click();
        h.run();
        h.check_accessibility();
        let msgs = std::mem::take(&mut h.state_mut().2);
        for msg in msgs {
            h.state_mut().0.update(msg);
        }
        h.run();
        assert!(
            h.state()
                .0
                .session
                .as_ref()
                .unwrap()
                .requests
                .signing
                .is_none(),
            "an invalid form is not signed"
        );
        assert!(shows(&h, "Este dato es obligatorio."));
        h.get_by_label("English").click();
        h.run();
        let msgs = std::mem::take(&mut h.state_mut().2);
        for msg in msgs {
            h.state_mut().0.update(msg);
        }
        h.run();
        assert!(shows(&h, "This field is required."));
        assert!(shows(&h, "the CUI's check digit does not match"));
    }

    fn card_in(present: bool) -> card::Msg {
        card::Msg::Readers(Readers::Seen(vec![ReaderInfo {
            name: "Virtual PCD 00 00".into(),
            card_present: present,
        }]))
    }

    fn person(name: &str, token: &str) -> SessionInfo {
        SessionInfo {
            token: token.into(),
            role: Role::Coordinator,
            cui: Cui::parse("1234567890101").unwrap(),
            name: name.into(),
            institution_code: "MIDES".into(),
            institution_name: "Ministerio".into(),
            workstation_id: 1,
            idle_timeout_seconds: 900,
            expires_at: "x".into(),
            installation_id: "test".into(),
            programmes: vec![],
        }
    }

    /// Applies what the screen pushed; returns the commands.
    fn apply(h: &mut Harness<'static, Screen>) -> Vec<Command> {
        let msgs = std::mem::take(&mut h.state_mut().2);
        let mut cmds = Vec::new();
        for msg in msgs {
            cmds.extend(h.state_mut().0.update(msg));
        }
        // A report on its way spins: step, do not wait for stillness.
        h.step();
        cmds
    }

    #[test]
    fn a_report_for_a_card_that_left_never_shows_on_the_next_persons_screen() {
        let mut state = AppState::new(Lang::Es, false, None);
        state.update(card_in(true));
        let ana = state.card.id;
        state.update(card::Msg::LoggedIn {
            card: ana,
            result: Ok(person("Ana López", "tok-ana")),
        });
        state.update(SessionMsg::SelectTab(Tab::Report));
        let mut h = harness(state);
        h.run();
        h.get_by_label("CUI (o escríbalo)").focus();
        h.run();
        h.get_by_label("CUI (o escríbalo)")
            .type_text("9876543220101");
        h.run();
        h.get_by_label("Ver actividad").click();
        h.run();
        let cmds = apply(&mut h);
        let Some(Command::LoadReport { session: asked, .. }) = cmds.first() else {
            panic!("no report asked: {cmds:?}");
        };
        let asked = *asked;
        assert!(shows(&h, "Ana López"));
        // The card leaves while the report loads; Bruno's comes in.
        h.state_mut().0.update(card_in(false));
        h.state_mut().0.update(card_in(true));
        let bruno = h.state().0.card.id;
        h.state_mut().0.update(card::Msg::LoggedIn {
            card: bruno,
            result: Ok(person("Bruno Ajú", "tok-bruno")),
        });
        h.state_mut().0.update(SessionMsg::SelectTab(Tab::Report));
        h.run();
        let report = UserActivityReport {
            institution_code: "MIDES".into(),
            institution_name: "Ministerio".into(),
            user_cui: "9876543220101".into(),
            user_name: "Pedro Xol Caal".into(),
            user_programme: "Bolsa Social".into(),
            user_status: "ACTIVE".into(),
            from: "2026-11-01".into(),
            to: "2026-11-22".into(),
            generated_at: "2026-11-22T10:00:00.000Z".into(),
            queries: vec![],
            rows_charged: 0,
            results: Default::default(),
        };
        // Ana's report arrives on Bruno's screen.
        h.state_mut().0.update(Msg::Answer {
            session: asked,
            msg: report::Msg::Loaded(Ok(report.clone())).into(),
        });
        h.run();
        assert!(shows(&h, "Bruno Ajú"));
        assert!(shows(&h, "Ver actividad"), "the report tab is on show");
        assert!(
            !shows(&h, "Pedro Xol Caal"),
            "a report asked in an ended session never shows"
        );
        // Bruno's own answer shows.
        let own = h.state().0.session.as_ref().unwrap().id;
        h.state_mut().0.update(Msg::Answer {
            session: own,
            msg: report::Msg::Loaded(Ok(report)).into(),
        });
        h.run();
        assert!(shows(&h, "Pedro Xol Caal"));
        h.check_accessibility();
    }

    fn user_session(lang: Lang, kiosk: bool) -> AppState {
        let mut state = AppState::new(lang, kiosk, None);
        state.update(card_in(true));
        let card = state.card.id;
        let mut info = person("Pedro Xol Caal", "tok-pedro");
        info.role = Role::User;
        state.update(card::Msg::LoggedIn {
            card,
            result: Ok(info),
        });
        state
    }

    fn job(state: JobState, progress: u8, created_at: &str) -> padron_shared::queries::QueryJob {
        padron_shared::queries::QueryJob {
            id: "6f1c2a9e-0000-4000-8000-000000000001".into(),
            state,
            jobs_ahead: (state == JobState::Queued).then_some(2),
            progress_percent: progress,
            mode: QueryMode::Cui,
            rows: 30,
            file_name: "beneficiarios.xlsx".into(),
            user_cui: "9876543220101".into(),
            counts: (state == JobState::Done).then(|| {
                serde_json::from_value(serde_json::json!({
                    "ENCONTRADO": 28, "NO_ENCONTRADO": 0, "CUI_INVALIDO": 1,
                    "AMBIGUO": 0, "RECHAZADO": 1, "FALLECIDO": 2
                }))
                .unwrap()
            }),
            fail_code: None,
            fail_message: None,
            created_at: created_at.into(),
            finished_at: None,
        }
    }

    /// Every time is the registry's local time: a query sent at 23:30 on
    /// 30 November in Guatemala (05:30 UTC on 1 December) reads 30/11/2026.
    #[test]
    fn times_are_shown_in_the_registrys_local_time() {
        let mut state = user_session(Lang::Es, false);
        state.update(SessionMsg::SelectTab(Tab::Jobs));
        let session = state.session.as_ref().unwrap().id;
        state.update(Msg::Answer {
            session,
            msg: crate::gui::state::jobs::Msg::Loaded(Ok(vec![job(
                JobState::Done,
                100,
                "2026-12-01T05:30:00.000Z",
            )]))
            .into(),
        });
        let mut h = harness(state);
        h.run();
        assert!(shows(&h, "30/11/2026 23:30"), "local, day first");
        assert!(!shows(&h, "2026-12-01"), "never the UTC stamp");
        assert!(
            shows(&h, "Por CUI"),
            "the kind in words, not CUI/NAMES codes"
        );
        h.get_by_label("English").click();
        h.run();
        apply(&mut h);
        h.run();
        assert!(shows(&h, "30 Nov 2026 23:30"));
        assert!(shows(&h, "By CUI"));
        h.check_accessibility();
    }

    /// After a job: tiles in a fixed order with words, the download as the
    /// primary action, and a new query.
    #[test]
    fn a_finished_job_shows_its_tiles_in_words() {
        let mut state = user_session(Lang::Es, false);
        let s = state.session.as_mut().unwrap();
        s.query.upload = Some(crate::gui::state::Upload::Job(job(
            JobState::Done,
            100,
            "2026-12-01T05:30:00.000Z",
        )));
        s.query.attention = crate::gui::state::Remote::Loaded(vec![
            padron_shared::queries::AttentionRow {
                row: 12,
                reference: "B-0011".into(),
                outcome: "AMBIGUO".into(),
                deceased: false,
                notes: "segundo apellido distinto".into(),
                candidates: vec!["PEDRO XOL CAAL · CUI 9876543220101 · 61 %".into()],
            },
            padron_shared::queries::AttentionRow {
                row: 14,
                reference: "B-0013".into(),
                outcome: "ENCONTRADO".into(),
                deceased: true,
                notes: String::new(),
                candidates: vec![],
            },
        ]);
        let mut h = harness(state);
        h.run();
        // The rows to look at, with their remarks and candidates.
        assert!(shows(&h, "Filas para revisar"));
        assert!(shows(&h, "B-0011"));
        assert!(shows(&h, "segundo apellido distinto"));
        assert!(shows(&h, "PEDRO XOL CAAL · CUI 9876543220101 · 61 %"));
        assert!(shows(&h, "Encontrado · fallecido(a)"));
        for tile in [
            "Encontrados\n28",
            "No encontrados\n0",
            "Coincidencia dudosa\n0",
            "CUI inválido\n1",
            "Rechazadas\n1",
            "Fallecidos\n2",
        ] {
            assert!(shows(&h, tile), "{tile}");
        }
        assert!(!shows(&h, "ENCONTRADO"), "no codes");
        assert!(h.query_by_label("Descargar en Excel").is_some());
        h.get_by_label("Nueva consulta").click();
        h.run();
        apply(&mut h);
        h.run();
        assert!(shows(&h, "Arrastre aquí el libro de cálculo"));
    }

    /// A running job says which row and roughly how long; the idle warning
    /// never shows, nor does the lock fire, while the person follows it.
    #[test]
    fn the_idle_lock_waits_while_a_job_is_followed() {
        let mut state = user_session(Lang::Es, true);
        let s = state.session.as_mut().unwrap();
        s.query.upload = Some(crate::gui::state::Upload::Job(job(
            JobState::Running,
            50,
            "x",
        )));
        let now = std::time::Instant::now();
        s.query.running_since = Some((now - std::time::Duration::from_secs(20), 10));
        state.last_input = now - crate::gui::state::IDLE_LOCK - std::time::Duration::from_secs(5);
        let mut h = harness(state);
        h.run();
        assert!(shows(&h, "fila 15 de 30"), "the row being processed");
        assert!(shows(&h, "faltan unos"), "an estimate of the time left");
        assert!(
            !shows(&h, "la sesión se cerrará en"),
            "no warning while a job is followed"
        );
        let (cmds, _) = h.state_mut().0.tick(std::time::Instant::now());
        assert!(cmds.is_empty(), "no lock while a job is followed: {cmds:?}");
        assert!(h.state().0.session.is_some());
        // The job ends: the idle time counts from then, with a warning first.
        let session = h.state().0.session.as_ref().unwrap().id;
        h.state_mut().0.update(Msg::Answer {
            session,
            msg: query::Msg::JobUpdate(Ok(job(JobState::Done, 100, "x"))).into(),
        });
        let (cmds, _) = h.state_mut().0.tick(std::time::Instant::now());
        assert!(cmds.is_empty());
        h.state_mut().0.last_input = std::time::Instant::now() - crate::gui::state::IDLE_LOCK
            + std::time::Duration::from_secs(30);
        h.run();
        assert!(
            shows(&h, "la sesión se cerrará en"),
            "warned before the lock"
        );
        h.get_by_label("Seguir trabajando").click();
        h.run();
        apply(&mut h);
        h.run();
        assert!(!shows(&h, "la sesión se cerrará en"));
        assert!(
            h.state()
                .0
                .idle_warning(std::time::Instant::now())
                .is_none()
        );
        h.check_accessibility();
    }

    /// Logging out: "Retire su tarjeta" until the card is out, the language
    /// back to Spanish, and nothing of the person on screen.
    #[test]
    fn the_session_end_leaves_nothing_for_the_next_person() {
        let mut state = user_session(Lang::Es, true);
        state.update(Msg::SetLang(Lang::En));
        state.update(Msg::TextSize(2));
        state.session.as_mut().unwrap().query.upload = Some(crate::gui::state::Upload::Job(job(
            JobState::Done,
            100,
            "x",
        )));
        let mut h = harness(state);
        h.run();
        assert!(shows(&h, "Pedro Xol Caal"));
        assert!(shows(&h, "Found\n28"));
        h.get_by_label("Log out").click();
        h.run();
        let cmds = apply(&mut h);
        h.run();
        assert!(
            cmds.iter().any(|c| matches!(c, Command::WipeFolder { .. })),
            "the session's folder is wiped: {cmds:?}"
        );
        assert!(cmds.iter().any(|c| matches!(c, Command::SetLang(Lang::Es))));
        assert_eq!(h.state().0.lang, Lang::Es, "back to Spanish");
        assert_eq!(
            h.state().0.text_scale(),
            1.0,
            "back to the normal text size"
        );
        assert!(shows(&h, "Retire su tarjeta"));
        assert!(
            h.query_by_label("PIN de la tarjeta").is_none(),
            "no PIN until the card is out"
        );
        assert!(!shows(&h, "Pedro Xol Caal"));
        assert!(!shows(&h, "Encontrados"));
        // The card out: the kiosk waits for the next one.
        h.state_mut().0.update(card_in(false));
        h.run();
        assert!(shows(&h, "Inserte su documento de identificación"));
        h.state_mut().0.update(card_in(true));
        // The card is being read: a spinner, so step.
        h.step();
        assert_eq!(h.state().0.screen_name(), "pin");
        h.check_accessibility();
    }

    /// A card taken out is information, not an error, and says that a job
    /// on its way goes on.
    #[test]
    fn a_card_taken_out_mid_job_is_information_and_the_job_goes_on() {
        let mut state = user_session(Lang::Es, true);
        state.session.as_mut().unwrap().query.upload = Some(crate::gui::state::Upload::Job(job(
            JobState::Queued,
            0,
            "x",
        )));
        state.update(card_in(false));
        let mut h = harness(state);
        h.run();
        assert!(shows(&h, "La tarjeta fue retirada del lector"));
        assert!(!shows(&h, "CARD_REMOVED"), "no code for a routine event");
        assert!(shows(&h, "Su consulta sigue en proceso"));
        assert!(shows(&h, "Mis consultas"));
    }

    /// Kiosk mode: a result goes only to a removable drive, offered by its
    /// name, or to the session's folder; never a dialog, never a file manager.
    #[test]
    fn kiosk_mode_saves_to_a_removable_drive_by_name() {
        let mut state = user_session(Lang::Es, true);
        state.session.as_mut().unwrap().query.upload = Some(crate::gui::state::Upload::Job(job(
            JobState::Done,
            100,
            "x",
        )));
        state.server = Server::Online(padron_shared::protocol::WhoAmI {
            workstation_id: 7,
            institution_code: "MIDES".into(),
            institution_name: "Ministerio".into(),
            site: "Central".into(),
            certificate_not_after: "2027-06-30T18:00:00.000Z".into(),
            time_zone: "America/Guatemala".into(),
            service_desk: "Servicios electrónicos · 2413-0000".into(),
        });
        let mut h = harness(state);
        h.run();
        assert!(
            shows(&h, "Servicios electrónicos · 2413-0000"),
            "the service desk in the footer"
        );
        assert!(shows(&h, "Estación 7"));
        h.get_by_label("Descargar en Excel").click();
        h.run();
        let cmds = apply(&mut h);
        assert!(
            matches!(&cmds[..], [Command::ListDrives { .. }]),
            "drives are looked for, no dialog: {cmds:?}"
        );
        let session = h.state().0.session.as_ref().unwrap().id;
        let drive = std::path::PathBuf::from("/media/ana/KINGSTON");
        h.state_mut().0.update(Msg::Answer {
            session,
            msg: crate::gui::state::save::Msg::Drives(vec![crate::gui::state::Drive {
                name: "KINGSTON".into(),
                path: drive.clone(),
            }])
            .into(),
        });
        h.run();
        assert!(shows(&h, "Guardar en la memoria «KINGSTON»"));
        h.get_by_label("Guardar en la memoria «KINGSTON»").click();
        h.run();
        let cmds = apply(&mut h);
        assert!(
            matches!(&cmds[..], [Command::Download { path, .. }] if path == &drive.join("beneficiarios-resultado.xlsx")),
            "{cmds:?}"
        );
        h.state_mut().0.update(Msg::Answer {
            session,
            msg: query::Msg::ResultSaved(Ok(drive.join("beneficiarios-resultado.xlsx"))).into(),
        });
        h.run();
        assert!(shows(&h, "Guardado en"));
        assert!(
            h.query_by_label("Abrir carpeta").is_none(),
            "no file manager in kiosk mode"
        );
        assert!(h.state_mut().0.update(Msg::OpenFolder(drive)).is_empty());
        // A drive that was not offered is refused.
        let s = h.state_mut().0.session.as_mut().unwrap();
        s.save = Some(crate::gui::state::SaveOffer {
            what: crate::gui::state::SaveWhat::Result {
                id: "x".into(),
                file_name: "r.xlsx".into(),
            },
            drives: Some(vec![]),
        });
        let cmds = h
            .state_mut()
            .0
            .update(crate::gui::state::save::Msg::SaveTo(Some("/etc".into())));
        assert!(cmds.is_empty(), "{cmds:?}");
        h.check_accessibility();
    }

    /// The signing dialog repeats every field, names the PIN and its tries,
    /// and says the signature's legal effect.
    #[test]
    fn the_signing_dialog_repeats_what_is_signed() {
        let mut state = AppState::new(Lang::Es, false, None);
        state.update(card_in(true));
        let card = state.card.id;
        state.update(card::Msg::Read {
            card,
            facts: Ok(crate::gui::state::CardFacts {
                reader: "Virtual PCD 00 00".into(),
                holder: Some("ANA LÓPEZ".into()),
                cui: None,
                tries_left: Some(3),
                blocked: false,
            }),
        });
        state.update(card::Msg::LoggedIn {
            card,
            result: Ok(person("Ana López", "tok-ana")),
        });
        let s = state.session.as_mut().unwrap();
        s.users.form = crate::gui::state::UserForm {
            cui: "9876543220101".into(),
            full_name: "Pedro Xol Caal".into(),
            email: "pxol@mides.gob.gt".into(),
            phone: "5555 1234".into(),
            department: "Programas Sociales".into(),
            post: "Analista".into(),
            programme: "Bolsa Social".into(),
            ..Default::default()
        };
        state.update(crate::gui::state::users::Msg::AskSignAdd);
        let mut h = harness(state);
        // The users' list is loading behind the dialog (a spinner): step.
        h.run_steps(4);
        for text in [
            "9876 54322 0101",
            "Pedro Xol Caal",
            "pxol@mides.gob.gt",
            "5555 1234",
            "Programas Sociales",
            "Analista",
            "Bolsa Social",
            "PIN de firma",
            "Intentos restantes: 3",
            "efecto legal",
        ] {
            assert!(shows(&h, text), "{text}");
        }
        h.check_accessibility();
    }

    /// With programmes on the agreement, "Programa social" is their list
    /// (nothing to mistype), and placeholders read "Ej.: …".
    #[test]
    fn the_add_user_form_lists_the_agreements_programmes() {
        let mut state = AppState::new(Lang::Es, false, None);
        state.update(card_in(true));
        let card = state.card.id;
        let mut info = person("Ana López", "tok-ana");
        info.programmes = vec!["Bolsa Social".into(), "Bono Social".into()];
        state.update(card::Msg::LoggedIn {
            card,
            result: Ok(info),
        });
        state.update(SessionMsg::SelectTab(Tab::AddUser));
        let mut h = harness(state);
        h.run();
        assert!(shows(&h, "* obligatorio"), "required fields say so");
        h.get_by_label("Programa social").click();
        h.run();
        h.get_by_label("Bono Social").click();
        h.run();
        assert_eq!(
            h.state().0.session.as_ref().unwrap().users.form.programme,
            "Bono Social"
        );
        h.check_accessibility();
    }
}
