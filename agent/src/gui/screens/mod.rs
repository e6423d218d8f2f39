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
    egui::Panel::top("top")
        .frame(
            egui::Frame::new()
                .fill(BLUE)
                .inner_margin(egui::Margin::symmetric(16, 10)),
        )
        .show(ui, |ui| chrome::top_bar(ui, state, msgs));
    let banners = matches!(state.server, super::state::Server::Offline(_))
        || matches!(state.institution, super::state::Institution::Refused(_))
        || state.session.as_ref().is_some_and(|s| s.notice.is_some());
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
        .show(ui, |ui| match state.session.as_mut() {
            Some(s) if s.role() == Role::Coordinator => coordinator::show(ui, lang, s, msgs),
            Some(s) => user::show(ui, lang, s, msgs),
            None => card::show(ui, lang, &state.card, secrets, msgs),
        });
    let signing = state
        .session
        .as_ref()
        .and_then(|s| s.requests.signing.as_ref());
    if let Some(signing) = signing {
        card::sign_prompt(ui.ctx(), lang, signing, secrets, msgs);
    }
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

/// A failure in a red box.
pub fn failure_box(ui: &mut egui::Ui, lang: Lang, failure: &Failure) {
    callout(ui, RED_BG, RED, |ui| {
        ui.label(RichText::new(failure.text(lang)).strong());
        if let Some(hint) = what_to_do(failure, lang) {
            ui.label(hint);
        }
        ui.label(RichText::new(format!("[{}]", failure.code.as_str())).small());
    });
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
pub fn field(
    ui: &mut egui::Ui,
    label: &str,
    text: &mut String,
    hint: &str,
    problem: Option<&str>,
) -> egui::Response {
    let label_response = ui.label(label);
    let edit = egui::TextEdit::singleline(text)
        .hint_text(hint)
        .desired_width(360.0);
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
pub fn saved_line(ui: &mut egui::Ui, lang: Lang, saved: &Saved, msgs: &mut Vec<Msg>) {
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
            if ui
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

pub fn state_word(lang: Lang, state: &str) -> String {
    let (es, en) = match state {
        "RECEIVED" => ("Recibida", "Received"),
        "PROCESSING" => ("En proceso", "Processing"),
        "DONE" => ("Finalizada", "Done"),
        "REJECTED" => ("Rechazada", "Rejected"),
        "ACTIVE" => ("Activo", "Active"),
        "INACTIVE" => ("Inactivo", "Inactive"),
        "REMOVED" => ("De baja", "Removed"),
        "PENDING" => ("Pendiente", "Pending"),
        "BLOCKED" => ("Bloqueado", "Blocked"),
        "QUEUED" => ("En cola", "Queued"),
        "RUNNING" => ("Procesando", "Running"),
        "FAILED" => ("Falló", "Failed"),
        "EXPIRED" => ("Eliminada", "Expired"),
        other => (other, other),
    };
    lang.pick(es, en).to_owned()
}

/// `2026-11-22T15:17:54.107Z` → `2026-11-22 15:17`.
pub fn short_time(stamp: &str) -> String {
    let date = stamp.get(..10).unwrap_or(stamp);
    let time = stamp.get(11..16).unwrap_or("");
    format!("{date} {time}").trim_end().to_owned()
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

    use crate::gui::state::{Command, Readers, Server, SessionMsg, Tab, card, report};

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
}
