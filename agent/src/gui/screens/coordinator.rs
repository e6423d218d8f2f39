//! The coordinator's screens: users, add a user, requests, the report.

use eframe::egui::{self, RichText};
use padron_shared::Lang;
use padron_shared::users::{MAX_ACTIVE_USERS, RemovalReason, RequestView};

use super::MsgsExt;
use super::{GREEN, RED, failure_box, field, short_time, state_word};
use crate::gui::state::{Msg, Remote, Saved, Session, SessionMsg, Tab, report, users};
use crate::user_admin::Field;

pub fn reason_text(lang: Lang, reason: RemovalReason) -> &'static str {
    match reason {
        RemovalReason::FunctionsChanged => lang.pick("Cambio de funciones", "Functions changed"),
        RemovalReason::EmploymentEnded => {
            lang.pick("Fin de la relación laboral", "Employment ended")
        }
        RemovalReason::AuthorityChanged => lang.pick(
            "Cambio de autoridad de la institución",
            "Head of the institution changed",
        ),
    }
}

pub fn tabs(ui: &mut egui::Ui, current: Tab, msgs: &mut Vec<Msg>, names: &[(Tab, &str)]) {
    ui.horizontal(|ui| {
        for (tab, name) in names {
            if ui
                .selectable_label(current == *tab, RichText::new(*name).strong())
                .clicked()
            {
                msgs.send(SessionMsg::SelectTab(*tab));
            }
        }
    });
    ui.separator();
}

pub fn show(ui: &mut egui::Ui, lang: Lang, s: &mut Session, msgs: &mut Vec<Msg>) {
    tabs(
        ui,
        s.tab,
        msgs,
        &[
            (Tab::Users, lang.pick("Usuarios", "Users")),
            (Tab::AddUser, lang.pick("Agregar usuario", "Add user")),
            (Tab::Requests, lang.pick("Solicitudes", "Requests")),
            (
                Tab::Report,
                lang.pick("Actividad de usuarios", "User activity"),
            ),
            (Tab::Cases, lang.pick("Casos", "Cases")),
            (Tab::Tickets, &super::tickets::tab_name(lang, s)),
        ],
    );
    if let Some(view) = &s.requests.followed {
        followed(ui, lang, view);
    }
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| match s.tab {
            Tab::Users => users(ui, lang, s, msgs),
            Tab::AddUser => add_user(ui, lang, s, msgs),
            Tab::Requests => requests(ui, lang, s, msgs),
            Tab::Tickets => super::tickets::show(ui, lang, s, msgs),
            Tab::Cases => super::cases::show(ui, lang, s, msgs),
            _ => report(ui, lang, s, msgs),
        });
}

/// The last signed request and where it stands.
fn followed(ui: &mut egui::Ui, lang: Lang, view: &RequestView) {
    ui.horizontal(|ui| {
        ui.label(lang.pick("Última solicitud:", "Last request:"));
        ui.label(
            RichText::new(format!("{} · CUI {}", view.action.as_str(), view.user_cui)).strong(),
        );
        let colour = match view.state.as_str() {
            "DONE" => GREEN,
            "REJECTED" => RED,
            _ => ui.visuals().text_color(),
        };
        ui.label(
            RichText::new(state_word(lang, &view.state))
                .color(colour)
                .strong(),
        );
        if !crate::user_admin::is_final(&view.state) {
            ui.spinner();
        }
    });
}

fn loading<T>(ui: &mut egui::Ui, lang: Lang, remote: &Remote<T>, msgs: &mut Vec<Msg>) -> bool {
    match remote {
        Remote::NotLoaded | Remote::Loading => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(lang.pick("Cargando…", "Loading…"));
            });
            true
        }
        Remote::Failed(f) => {
            failure_box(ui, lang, f);
            if ui.button(lang.pick("Reintentar", "Retry")).clicked() {
                msgs.send(SessionMsg::Reload);
            }
            true
        }
        Remote::Loaded(_) => false,
    }
}

fn users(ui: &mut egui::Ui, lang: Lang, s: &Session, msgs: &mut Vec<Msg>) {
    if loading(ui, lang, &s.users.list, msgs) {
        return;
    }
    let Remote::Loaded(list) = &s.users.list else {
        return;
    };
    let active = list.iter().filter(|u| u.status == "ACTIVE").count();
    ui.horizontal(|ui| {
        ui.heading(lang.pick("Usuarios de la institución", "The institution's users"));
        ui.label(format!(
            "{} {active} / {MAX_ACTIVE_USERS}",
            lang.pick("activos:", "active:")
        ));
        if ui.button(lang.pick("Actualizar", "Refresh")).clicked() {
            msgs.send(SessionMsg::Reload);
        }
    });
    if list.is_empty() {
        ui.label(lang.pick(
            "Aún no hay usuarios. Use «Agregar usuario».",
            "No users yet. Use \"Add user\".",
        ));
    } else {
        egui::Grid::new("users")
            .striped(true)
            .num_columns(6)
            .spacing([18.0, 8.0])
            .show(ui, |ui| {
                for h in [
                    lang.pick("Nombre", "Name"),
                    "CUI",
                    lang.pick("Programa", "Programme"),
                    lang.pick("Estado", "Status"),
                    lang.pick("Desde", "Since"),
                    "",
                ] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for u in list {
                    ui.label(&u.full_name);
                    ui.label(
                        padron_shared::Cui::parse(&u.cui)
                            .map(|c| c.display_grouped())
                            .unwrap_or_else(|_| u.cui.clone()),
                    );
                    ui.label(&u.programme);
                    let status = if u.blocked {
                        "BLOCKED"
                    } else {
                        u.status.as_str()
                    };
                    let colour = match status {
                        "ACTIVE" => GREEN,
                        "BLOCKED" => RED,
                        _ => ui.visuals().text_color(),
                    };
                    ui.label(RichText::new(state_word(lang, status)).color(colour));
                    ui.label(short_time(&u.since));
                    if u.status == "ACTIVE" {
                        let remove =
                            ui.button(lang.pick("Dar de baja", "Remove"))
                                .on_hover_text(format!(
                                    "{} {}",
                                    lang.pick("Dar de baja a", "Remove"),
                                    u.full_name
                                ));
                        if remove.clicked() {
                            msgs.send(users::Msg::AskRemove {
                                cui: u.cui.clone(),
                                name: u.full_name.clone(),
                            });
                        }
                    } else {
                        ui.label("");
                    }
                    ui.end_row();
                }
            });
    }
    if let Some(removal) = &s.users.removal {
        ui.add_space(12.0);
        egui::Frame::group(ui.style())
            .inner_margin(egui::Margin::same(14))
            .show(ui, |ui| {
                ui.heading(lang.pick("Baja de usuario", "Remove a user"));
                ui.label(RichText::new(format!("{} · CUI {}", removal.name, removal.cui)).strong());
                ui.label(lang.pick(
                    "Motivo de la baja (RENAP 5.1.7):",
                    "Reason for the removal (RENAP 5.1.7):",
                ));
                for reason in [
                    RemovalReason::FunctionsChanged,
                    RemovalReason::EmploymentEnded,
                    RemovalReason::AuthorityChanged,
                ] {
                    if ui
                        .radio(removal.reason == Some(reason), reason_text(lang, reason))
                        .clicked()
                    {
                        msgs.send(users::Msg::PickReason(reason));
                    }
                }
                ui.horizontal(|ui| {
                    let ready = removal.reason.is_some();
                    if ui
                        .add_enabled(
                            ready,
                            egui::Button::new(
                                lang.pick(
                                    "Firmar baja con la tarjeta",
                                    "Sign removal with the card",
                                ),
                            ),
                        )
                        .clicked()
                    {
                        msgs.send(users::Msg::AskSignRemove);
                    }
                    if ui.button(lang.pick("Cancelar", "Cancel")).clicked() {
                        msgs.send(users::Msg::CancelRemoval);
                    }
                });
            });
    }
}

fn add_user(ui: &mut egui::Ui, lang: Lang, s: &mut Session, msgs: &mut Vec<Msg>) {
    ui.heading(lang.pick("Alta de usuario", "Add a user"));
    ui.label(lang.pick(
        "Datos del formulario de solicitud. La solicitud se firma con su tarjeta.",
        "The request form's data. The request is signed with your card.",
    ));
    ui.add_space(6.0);
    let problem = |s: &Session, f: Field| {
        s.users
            .form
            .shown_problem(f)
            .map(|p| p.text(lang).to_owned())
    };
    let rows: [(Field, &str, &str); 8] = [
        (Field::Cui, "CUI", "1234 56789 0101"),
        (
            Field::FullName,
            lang.pick(
                "Nombre completo (como en el DPI)",
                "Full name (as on the ID card)",
            ),
            "",
        ),
        (
            Field::Email,
            lang.pick("Correo institucional", "Institutional e-mail"),
            "nombre@institucion.gob.gt",
        ),
        (
            Field::Phone,
            lang.pick("Teléfono móvil", "Mobile phone"),
            "5555 1234",
        ),
        (
            Field::Extension,
            lang.pick("Extensión (opcional)", "Extension (optional)"),
            "",
        ),
        (
            Field::Department,
            lang.pick("Dependencia", "Department"),
            "",
        ),
        (Field::Post, lang.pick("Puesto", "Post"), ""),
        (
            Field::Programme,
            lang.pick("Programa social", "Social programme"),
            "Bolsa Social",
        ),
    ];
    egui::Grid::new("add-user")
        .num_columns(2)
        .spacing([16.0, 10.0])
        .show(ui, |ui| {
            for (f, label, hint) in rows {
                let shown = problem(s, f);
                let form = &mut s.users.form;
                let text = match f {
                    Field::Cui => &mut form.cui,
                    Field::FullName => &mut form.full_name,
                    Field::Email => &mut form.email,
                    Field::Phone => &mut form.phone,
                    Field::Extension => &mut form.extension,
                    Field::Department => &mut form.department,
                    Field::Post => &mut form.post,
                    Field::Programme | Field::Reason => &mut form.programme,
                };
                let response = field(ui, label, text, hint, None);
                if response.lost_focus() {
                    msgs.send(users::Msg::FieldLeft(f));
                }
                // Live check of the CUI as it reaches 13 digits.
                let cui_complete = f == Field::Cui
                    && s.users
                        .form
                        .cui
                        .chars()
                        .filter(char::is_ascii_digit)
                        .count()
                        >= 13;
                let shown = shown.or_else(|| {
                    cui_complete
                        .then(|| {
                            crate::user_admin::check_cui(&s.users.form.cui)
                                .err()
                                .map(|p| p.text(lang).to_owned())
                        })
                        .flatten()
                });
                match shown {
                    Some(text) => ui.label(RichText::new(text).color(RED)),
                    None if f == Field::Cui && cui_complete => {
                        ui.label(RichText::new(lang.pick("CUI válido", "Valid CUI")).color(GREEN))
                    }
                    None => ui.label(""),
                };
                ui.end_row();
            }
        });
    ui.add_space(10.0);
    let problems = s.users.form.problems();
    ui.horizontal(|ui| {
        let sign =
            ui.button(lang.pick("Firmar alta con la tarjeta", "Sign addition with the card"));
        if sign.clicked() {
            msgs.send(users::Msg::AskSignAdd);
        }
        if s.users.form.attempted && !problems.is_empty() {
            ui.label(
                RichText::new(lang.pick("Corrija los datos marcados.", "Fix the marked fields."))
                    .color(RED),
            );
        }
    });
}

fn requests(ui: &mut egui::Ui, lang: Lang, s: &Session, msgs: &mut Vec<Msg>) {
    if loading(ui, lang, &s.requests.list, msgs) {
        return;
    }
    let Remote::Loaded(list) = &s.requests.list else {
        return;
    };
    ui.horizontal(|ui| {
        ui.heading(lang.pick("Historial de solicitudes", "Request history"));
        if ui.button(lang.pick("Actualizar", "Refresh")).clicked() {
            msgs.send(SessionMsg::Reload);
        }
    });
    if list.is_empty() {
        ui.label(lang.pick("Aún no hay solicitudes.", "No requests yet."));
        return;
    }
    egui::Grid::new("requests")
        .striped(true)
        .num_columns(5)
        .spacing([18.0, 8.0])
        .show(ui, |ui| {
            for h in [
                lang.pick("Fecha", "Date"),
                lang.pick("Acción", "Action"),
                "CUI",
                lang.pick("Estado", "State"),
                lang.pick("Detalle", "Detail"),
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for r in list {
                ui.label(short_time(&r.updated_at));
                ui.label(match r.action {
                    padron_shared::users::RequestAction::Add => lang.pick("Alta", "Add"),
                    padron_shared::users::RequestAction::Remove => lang.pick("Baja", "Remove"),
                    padron_shared::users::RequestAction::Update => {
                        lang.pick("Actualización", "Update")
                    }
                });
                ui.label(&r.user_cui);
                let colour = match r.state.as_str() {
                    "DONE" => GREEN,
                    "REJECTED" => RED,
                    _ => ui.visuals().text_color(),
                };
                ui.label(RichText::new(state_word(lang, &r.state)).color(colour));
                ui.label(r.reject_message.as_deref().unwrap_or(""));
                ui.end_row();
            }
        });
}

/// The user-activity report: one user's queries between two days (who,
/// when, programme, rows, results; never whom they queried).
fn report(ui: &mut egui::Ui, lang: Lang, s: &mut Session, msgs: &mut Vec<Msg>) {
    ui.heading(lang.pick("Actividad de usuarios", "User activity"));
    ui.label(lang.pick("Las consultas que hizo una persona usuaria de la institución: cuándo, desde qué sede, para qué programa, cuántas filas y con qué resultados. Nunca a quién se consultó.",
        "The queries a user of the institution made: when, from which site, for which programme, how many rows and with what results. Never whom they queried.",
    ));
    ui.add_space(6.0);
    let users: Vec<(String, String)> = match &s.users.list {
        Remote::Loaded(list) => list
            .iter()
            .map(|u| (u.cui.clone(), u.full_name.clone()))
            .collect(),
        _ => Vec::new(),
    };
    egui::Grid::new("report-form")
        .num_columns(2)
        .spacing([16.0, 10.0])
        .show(ui, |ui| {
            let label = ui.label(lang.pick("Usuario", "User"));
            let chosen = users
                .iter()
                .find(|(cui, _)| *cui == s.report.form.cui)
                .map(|(cui, name)| format!("{name} · {cui}"))
                .unwrap_or_else(|| lang.pick("Elija una persona…", "Pick a person…").to_owned());
            egui::ComboBox::from_id_salt("report-user")
                .selected_text(chosen)
                .width(360.0)
                .show_ui(ui, |ui| {
                    for (cui, name) in &users {
                        ui.selectable_value(
                            &mut s.report.form.cui,
                            cui.clone(),
                            format!("{name} · {cui}"),
                        );
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            field(
                ui,
                lang.pick("CUI (o escríbalo)", "CUI (or type it)"),
                &mut s.report.form.cui,
                "1234 56789 0101",
                None,
            );
            ui.end_row();
            field(
                ui,
                lang.pick("Desde (AAAA-MM-DD)", "From (YYYY-MM-DD)"),
                &mut s.report.form.from,
                "2026-01-01",
                None,
            );
            ui.end_row();
            field(
                ui,
                lang.pick("Hasta (AAAA-MM-DD)", "To (YYYY-MM-DD)"),
                &mut s.report.form.to,
                "2026-12-31",
                None,
            );
            ui.end_row();
        });
    if ui
        .button(RichText::new(lang.pick("Ver actividad", "Show activity")).strong())
        .clicked()
    {
        msgs.send(report::Msg::Run);
    }
    ui.add_space(8.0);
    match &s.report.activity {
        Remote::NotLoaded => {}
        Remote::Loading => {
            ui.spinner();
        }
        Remote::Failed(f) => failure_box(ui, lang, f),
        Remote::Loaded(r) => {
            ui.label(
                RichText::new(format!(
                    "{} · CUI {} · {} · {}",
                    r.user_name,
                    r.user_cui,
                    r.user_programme,
                    state_word(lang, &r.user_status)
                ))
                .strong(),
            );
            let t = &r.results;
            ui.label(format!(
                "{} {} {}: {} {} · {} {} · ENCONTRADO {} · NO_ENCONTRADO {} · CUI_INVALIDO {} · AMBIGUO {} · RECHAZADO {}",
                r.from,
                lang.pick("a", "to"),
                r.to,
                r.queries.len(),
                lang.pick("consultas", "queries"),
                r.rows_charged,
                lang.pick("filas", "rows"),
                t.encontrado,
                t.no_encontrado,
                t.cui_invalido,
                t.ambiguo,
                t.rechazado
            ));
            if r.queries.is_empty() {
                ui.label(lang.pick(
                    "Sin consultas en esas fechas.",
                    "No queries between those days.",
                ));
            } else {
                egui::Grid::new("report")
                    .striped(true)
                    .num_columns(6)
                    .spacing([16.0, 6.0])
                    .show(ui, |ui| {
                        for h in [
                            lang.pick("Enviada", "Sent"),
                            lang.pick("Sede", "Site"),
                            lang.pick("Tipo", "Kind"),
                            lang.pick("Programas", "Programmes"),
                            lang.pick("Filas", "Rows"),
                            lang.pick("Estado", "State"),
                        ] {
                            ui.label(RichText::new(h).strong());
                        }
                        ui.end_row();
                        for q in &r.queries {
                            ui.label(short_time(&q.submitted_at));
                            ui.label(&q.site);
                            ui.label(&q.mode);
                            ui.label(
                                q.programmes
                                    .iter()
                                    .map(|p| format!("{} ({})", p.programme, p.rows))
                                    .collect::<Vec<_>>()
                                    .join(", "),
                            );
                            ui.label(q.rows.to_string());
                            ui.label(state_word(lang, &q.state));
                            ui.end_row();
                        }
                    });
            }
            ui.horizontal(|ui| {
                if ui
                    .button(lang.pick("Guardar como libro…", "Save as workbook…"))
                    .clicked()
                {
                    msgs.send(report::Msg::Save);
                }
                match &s.report.saved {
                    Some(Saved::Saving(_)) => {
                        ui.spinner();
                    }
                    Some(saved) => super::saved_line(ui, lang, saved, msgs),
                    None => {}
                }
            });
        }
    }
}
