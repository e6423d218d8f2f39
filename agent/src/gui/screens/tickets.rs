//! The "Mesa de servicio" tab: tickets with a new reply marked, one
//! ticket's record, and a form for a new one.

use eframe::egui::{self, RichText};
use padron_shared::Lang;
use padron_shared::auth::Role;

use super::MsgsExt;
use super::{BLUE, failure_box, field};
use crate::gui::state::{Msg, Remote, Session, tickets};

/// The tab's name, with the count of tickets with a new reply.
pub fn tab_name(lang: Lang, s: &Session) -> String {
    let base = lang.pick("Mesa de servicio", "Service desk");
    match s.tickets.unread() {
        0 => base.to_owned(),
        n => format!("{base} ● {n}"),
    }
}

pub fn show(ui: &mut egui::Ui, lang: Lang, s: &mut Session, msgs: &mut Vec<Msg>) {
    ui.heading(lang.pick("Mesa de servicio", "Service desk"));
    match &s.tickets.list {
        Remote::Loaded(list) if list.is_empty() => {
            ui.label(lang.pick("Sin tickets.", "No tickets."));
        }
        Remote::Loaded(list) => {
            egui::Grid::new("tickets").striped(true).show(ui, |ui| {
                for t in list {
                    let mark = if t.unread { "●" } else { "" };
                    ui.label(RichText::new(mark).color(BLUE).strong());
                    ui.label(format!("#{}", t.id));
                    ui.label(&t.kind);
                    ui.label(t.state.as_str());
                    if ui.link(&t.subject).clicked() {
                        msgs.send(tickets::Msg::Show(t.id));
                    }
                    ui.end_row();
                }
            });
        }
        Remote::Loading => {
            ui.spinner();
        }
        Remote::Failed(f) => failure_box(ui, lang, f),
        Remote::NotLoaded => {}
    }
    ui.add_space(8.0);
    match &s.tickets.shown {
        Remote::Loaded(t) => {
            ui.label(
                RichText::new(format!(
                    "#{} [{}] {} — {}",
                    t.id, t.kind, t.subject, t.state
                ))
                .strong(),
            );
            for m in &t.messages {
                let who = if m.side == "REGISTRY" {
                    lang.pick("Registro", "Registry").to_owned()
                } else {
                    m.author.clone()
                };
                ui.label(RichText::new(format!("{} · {who}", m.at)).small());
                ui.label(&m.text);
            }
        }
        Remote::Failed(f) => failure_box(ui, lang, f),
        Remote::Loading => {
            ui.spinner();
        }
        Remote::NotLoaded => {}
    }
    ui.separator();
    ui.label(RichText::new(lang.pick("Nuevo ticket", "New ticket")).strong());
    let coordinator = s.role() == Role::Coordinator;
    let current = if s.tickets.kind.is_empty() {
        "duda"
    } else {
        s.tickets.kind.as_str()
    };
    ui.horizontal(|ui| {
        let mut kinds = vec![
            ("duda", lang.pick("Duda", "Question")),
            ("incidente", lang.pick("Incidente", "Incident")),
        ];
        if coordinator {
            kinds.push(("mejora", lang.pick("Mejora", "Improvement")));
        }
        for (kind, label) in kinds {
            if ui.radio(current == kind, label).clicked() {
                msgs.send(tickets::Msg::Kind(kind));
            }
        }
    });
    field(
        ui,
        lang.pick("Asunto", "Subject"),
        &mut s.tickets.subject,
        "",
        None,
    );
    let label = ui.label(lang.pick("Texto", "Text"));
    ui.add(egui::TextEdit::multiline(&mut s.tickets.text).desired_width(480.0))
        .labelled_by(label.id);
    let ready = !s.tickets.sending
        && !s.tickets.subject.trim().is_empty()
        && !s.tickets.text.trim().is_empty();
    if ui
        .add_enabled(
            ready,
            egui::Button::new(lang.pick("Enviar ticket", "Send ticket")),
        )
        .clicked()
    {
        msgs.send(tickets::Msg::Send);
    }
}
