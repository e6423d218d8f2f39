//! The coordinator's screens: users, add a user, requests, the report.

use eframe::egui::{self, RichText};
use padron_shared::Lang;
use padron_shared::users::RequestState;
use padron_shared::users::{MAX_ACTIVE_USERS, RemovalReason, RequestView};

use super::MsgsExt;
use super::{
    GREEN, RED, Tally, action_word, danger, failure_box, field, job_state_word, local_time,
    mode_word, primary, request_state_word, state_word, tiles,
};
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

pub fn show(ui: &mut egui::Ui, lang: Lang, s: &mut Session, online: bool, msgs: &mut Vec<Msg>) {
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
            Tab::AddUser => add_user(ui, lang, s, online, msgs),
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
            RichText::new(format!(
                "{} · CUI {} · {} {}",
                action_word(lang, view.action),
                view.user_cui,
                lang.pick("n.º", "no."),
                short_id(&view.id)
            ))
            .strong(),
        );
        let colour = match view.state {
            RequestState::Done => GREEN,
            RequestState::Rejected => RED,
            RequestState::Received | RequestState::Processing => ui.visuals().text_color(),
        };
        ui.label(
            RichText::new(request_state_word(lang, view.state))
                .color(colour)
                .strong(),
        );
        if !view.state.is_final() {
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
        super::search_box(ui, lang, &s.search, msgs);
    });
    let shown: Vec<_> = list
        .iter()
        .filter(|u| {
            super::matches_search(
                &s.search,
                &[
                    &u.full_name,
                    &u.cui,
                    &u.programme,
                    &state_word(lang, &u.status),
                ],
            )
        })
        .collect();
    if list.is_empty() {
        ui.label(lang.pick(
            "Aún no hay usuarios. Use «Agregar usuario».",
            "No users yet. Use \"Add user\".",
        ));
    } else if shown.is_empty() {
        ui.label(lang.pick(
            "Ninguna persona coincide con la búsqueda.",
            "Nobody matches the search.",
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
                for u in shown {
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
                    ui.label(local_time(&s.zone, lang, &u.since));
                    if u.status == "ACTIVE" {
                        let remove =
                            danger(ui, true, lang.pick("Dar de baja", "Remove")).on_hover_text(
                                format!("{} {}", lang.pick("Dar de baja a", "Remove"), u.full_name),
                            );
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
                let cui = padron_shared::Cui::parse(&removal.cui)
                    .map(|c| c.display_grouped())
                    .unwrap_or_else(|_| removal.cui.clone());
                ui.label(RichText::new(format!("{} · CUI {cui}", removal.name)).strong());
                ui.label(
                    RichText::new(lang.pick(
                        "Qué pasa: al firmar, la persona pierde el acceso de inmediato y su sesión abierta se cierra. Para volver a darle acceso hará falta una nueva alta.",
                        "What happens: once signed, the person loses access at once and any open session ends. Giving access again needs a new addition.",
                    ))
                    .color(RED),
                );
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
                    if danger(
                        ui,
                        ready,
                        lang.pick("Firmar baja con la tarjeta", "Sign removal with the card"),
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

fn add_user(ui: &mut egui::Ui, lang: Lang, s: &mut Session, online: bool, msgs: &mut Vec<Msg>) {
    ui.heading(lang.pick("Alta de usuario", "Add a user"));
    ui.label(lang.pick(
        "Datos del formulario de solicitud. La solicitud se firma con su tarjeta. Los datos con * son obligatorios.",
        "The request form's data. The request is signed with your card. Fields marked * are required.",
    ));
    ui.add_space(6.0);
    let problem = |s: &Session, f: Field| {
        s.users
            .form
            .shown_problem(f)
            .map(|p| p.text(lang).to_owned())
    };
    // Labels stay as they were (screen readers find the fields by them);
    // a required field says so in the column where its problem would show.
    let rows: [(Field, &str, &str, bool); 8] = [
        (Field::Cui, "CUI", "1234 56789 0101", true),
        (
            Field::FullName,
            lang.pick(
                "Nombre completo (como en el DPI)",
                "Full name (as on the ID card)",
            ),
            "María José Chavajay Quej",
            true,
        ),
        (
            Field::Email,
            lang.pick("Correo institucional", "Institutional e-mail"),
            "nombre@institucion.gob.gt",
            true,
        ),
        (
            Field::Phone,
            lang.pick("Teléfono móvil", "Mobile phone"),
            "5555 1234",
            true,
        ),
        (
            Field::Extension,
            lang.pick("Extensión (opcional)", "Extension (optional)"),
            "204",
            false,
        ),
        (
            Field::Department,
            lang.pick("Dependencia", "Department"),
            lang.pick(
                "Dirección de Programas Sociales",
                "Social Programmes Office",
            ),
            true,
        ),
        (
            Field::Post,
            lang.pick("Puesto", "Post"),
            lang.pick("Analista", "Analyst"),
            true,
        ),
        (
            Field::Programme,
            lang.pick("Programa social", "Social programme"),
            "Bolsa Social",
            true,
        ),
    ];
    egui::Grid::new("add-user")
        .num_columns(2)
        .spacing([16.0, 10.0])
        .show(ui, |ui| {
            for (f, label, hint, required) in rows {
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
                let response = if f == Field::Programme && !s.programmes.is_empty() {
                    programme_list(ui, lang, label, text, &s.programmes)
                } else {
                    field(ui, label, text, hint, None)
                };
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
                    None if required => ui.label(
                        RichText::new(lang.pick("* obligatorio", "* required"))
                            .small()
                            .color(super::GREY),
                    ),
                    None => ui.label(""),
                };
                ui.end_row();
            }
        });
    ui.add_space(10.0);
    let problems = s.users.form.problems();
    ui.horizontal(|ui| {
        let sign = super::primary_enabled(
            ui,
            online,
            lang.pick("Firmar alta con la tarjeta", "Sign addition with the card"),
        );
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
        super::search_box(ui, lang, &s.search, msgs);
    });
    if list.is_empty() {
        ui.label(lang.pick("Aún no hay solicitudes.", "No requests yet."));
        return;
    }
    // The person's name, from the institution's users (removed ones included).
    let name_of = |cui: &str| -> String {
        match &s.users.list {
            Remote::Loaded(users) => users
                .iter()
                .find(|u| u.cui == cui)
                .map(|u| u.full_name.clone())
                .unwrap_or_default(),
            _ => String::new(),
        }
    };
    let rows: Vec<_> = list
        .iter()
        .map(|r| (r, name_of(&r.user_cui)))
        .filter(|(r, name)| {
            super::matches_search(
                &s.search,
                &[
                    name,
                    &r.user_cui,
                    &r.id,
                    action_word(lang, r.action),
                    &request_state_word(lang, r.state),
                ],
            )
        })
        .collect();
    if rows.is_empty() {
        ui.label(lang.pick(
            "Ninguna solicitud coincide con la búsqueda.",
            "No request matches the search.",
        ));
        return;
    }
    ui.label(
        RichText::new(lang.pick(
            "Para consultas a soporte, indique el número de la solicitud.",
            "When asking support, quote the request number.",
        ))
        .small()
        .color(super::GREY),
    );
    egui::Grid::new("requests")
        .striped(true)
        .num_columns(6)
        .spacing([18.0, 8.0])
        .show(ui, |ui| {
            for h in [
                lang.pick("Fecha", "Date"),
                lang.pick("Número", "Number"),
                lang.pick("Acción", "Action"),
                lang.pick("Persona", "Person"),
                lang.pick("Estado", "State"),
                lang.pick("Motivo del rechazo", "Reason for rejection"),
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for (r, name) in rows {
                ui.label(local_time(&s.zone, lang, &r.updated_at));
                ui.label(RichText::new(short_id(&r.id)).monospace())
                    .on_hover_text(&r.id);
                ui.label(action_word(lang, r.action));
                let cui = padron_shared::Cui::parse(&r.user_cui)
                    .map(|c| c.display_grouped())
                    .unwrap_or_else(|_| r.user_cui.clone());
                ui.label(if name.is_empty() {
                    format!("CUI {cui}")
                } else {
                    format!("{name} · CUI {cui}")
                });
                let colour = match r.state {
                    RequestState::Done => GREEN,
                    RequestState::Rejected => RED,
                    RequestState::Received | RequestState::Processing => ui.visuals().text_color(),
                };
                ui.label(RichText::new(request_state_word(lang, r.state)).color(colour));
                let reason = match (
                    &r.reject_message,
                    r.reject_code
                        .as_deref()
                        .and_then(padron_shared::ErrorCode::from_code),
                ) {
                    (Some(m), _) if !m.is_empty() => m.clone(),
                    (_, Some(code)) => code.message(lang).to_owned(),
                    _ => String::new(),
                };
                ui.label(reason);
                ui.end_row();
            }
        });
}

/// The first block of a request's id: what a person reads out to support.
pub fn short_id(id: &str) -> String {
    id.split('-').next().unwrap_or(id).to_uppercase()
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
            let today = s.zone.date_of(time::OffsetDateTime::now_utc());
            date_field(
                ui,
                lang,
                lang.pick("Desde (dd/mm/aaaa)", "From (dd/mm/yyyy)"),
                &mut s.report.form.from,
                today,
            );
            ui.end_row();
            date_field(
                ui,
                lang,
                lang.pick("Hasta (dd/mm/aaaa)", "To (dd/mm/yyyy)"),
                &mut s.report.form.to,
                today,
            );
            ui.end_row();
        });
    if primary(ui, lang.pick("Ver actividad", "Show activity")).clicked() {
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
            let day = |d: &str| {
                padron_shared::calendar::parse_day(d)
                    .map(|d| padron_shared::calendar::show_day(d, lang))
                    .unwrap_or_else(|| d.to_owned())
            };
            ui.label(format!(
                "{} {} {}: {} {} · {} {}",
                day(&r.from),
                lang.pick("a", "to"),
                day(&r.to),
                r.queries.len(),
                lang.pick("consultas", "queries"),
                r.rows_charged,
                lang.pick("filas", "rows"),
            ));
            tiles(ui, lang, &Tally::of_report(&r.results));
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
                            ui.label(local_time(&s.zone, lang, &q.submitted_at));
                            ui.label(&q.site);
                            ui.label(mode_word(lang, q.mode));
                            ui.label(
                                q.programmes
                                    .iter()
                                    .map(|p| format!("{} ({})", p.programme, p.rows))
                                    .collect::<Vec<_>>()
                                    .join(", "),
                            );
                            ui.label(q.rows.to_string());
                            ui.label(job_state_word(lang, q.state));
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
                    Some(saved) => super::saved_line(ui, lang, saved, s.kiosk, msgs),
                    None => {}
                }
            });
        }
    }
}

/// A date typed as dd/mm/aaaa, with a month calendar to pick it from.
fn date_field(ui: &mut egui::Ui, lang: Lang, label: &str, text: &mut String, today: time::Date) {
    let label_response = ui.label(label);
    ui.horizontal(|ui| {
        let response = ui
            .add(
                egui::TextEdit::singleline(text)
                    .hint_text(super::hint("Ej.: 01/11/2026"))
                    .desired_width(140.0),
            )
            .labelled_by(label_response.id);
        let id = response.id.with("month");
        let picked = padron_shared::calendar::parse_day(text).unwrap_or(today);
        ui.menu_button(lang.pick("Calendario", "Calendar"), |ui| {
            // The month on show, kept by egui between frames (UI-only state).
            let (mut year, mut month) = ui
                .data(|d| d.get_temp::<(i32, u8)>(id))
                .unwrap_or((picked.year(), u8::from(picked.month())));
            ui.horizontal(|ui| {
                if ui
                    .button("◀")
                    .on_hover_text(lang.pick("Mes anterior", "Previous month"))
                    .clicked()
                {
                    (year, month) = if month == 1 {
                        (year - 1, 12)
                    } else {
                        (year, month - 1)
                    };
                }
                ui.label(RichText::new(month_name(lang, month, year)).strong());
                if ui
                    .button("▶")
                    .on_hover_text(lang.pick("Mes siguiente", "Next month"))
                    .clicked()
                {
                    (year, month) = if month == 12 {
                        (year + 1, 1)
                    } else {
                        (year, month + 1)
                    };
                }
            });
            ui.data_mut(|d| d.insert_temp(id, (year, month)));
            let Ok(m) = time::Month::try_from(month) else {
                return;
            };
            let Ok(first) = time::Date::from_calendar_date(year, m, 1) else {
                return;
            };
            egui::Grid::new(id.with("grid"))
                .spacing([4.0, 4.0])
                .show(ui, |ui| {
                    for d in lang.pick("L M M J V S D", "M T W T F S S").split(' ') {
                        ui.label(RichText::new(d).small().color(super::GREY));
                    }
                    ui.end_row();
                    let lead = first.weekday().number_days_from_monday();
                    for _ in 0..lead {
                        ui.label("");
                    }
                    let mut day = first;
                    let mut column = lead;
                    while day.month() == m {
                        let chosen = day == picked;
                        if ui
                            .selectable_label(chosen, format!("{:2}", day.day()))
                            .on_hover_text(padron_shared::calendar::show_day(day, lang))
                            .clicked()
                        {
                            *text = padron_shared::calendar::show_day(day, padron_shared::Lang::Es);
                            ui.close();
                        }
                        column += 1;
                        if column == 7 {
                            ui.end_row();
                            column = 0;
                        }
                        match day.next_day() {
                            Some(next) => day = next,
                            None => break,
                        }
                    }
                });
        });
    });
}

fn month_name(lang: Lang, month: u8, year: i32) -> String {
    const ES: [&str; 12] = [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let i = usize::from(month.clamp(1, 12)) - 1;
    format!("{} {year}", lang.pick(ES[i], EN[i]))
}

/// The programme as a list of the agreement's programmes (the registry
/// recorded them): nothing to mistype.
fn programme_list(
    ui: &mut egui::Ui,
    lang: Lang,
    label: &str,
    text: &mut String,
    programmes: &[String],
) -> egui::Response {
    let label_response = ui.label(label);
    let shown = if text.is_empty() {
        lang.pick("Elija el programa…", "Pick the programme…")
            .to_owned()
    } else {
        text.clone()
    };
    egui::ComboBox::from_id_salt("add-user-programme")
        .selected_text(shown)
        .width(360.0)
        .show_ui(ui, |ui| {
            for p in programmes {
                ui.selectable_value(text, p.clone(), p);
            }
        })
        .response
        .labelled_by(label_response.id)
}
