//! The "Consulta individual" tab: one form, one answer card.

use eframe::egui::{self, RichText};
use padron_shared::Lang;

use super::MsgsExt;
use super::{GREEN, GREEN_BG, callout, failure_box, field};
use crate::gui::state::{Msg, Remote, Session, one_query};

pub fn show(ui: &mut egui::Ui, lang: Lang, s: &mut Session, msgs: &mut Vec<Msg>) {
    ui.heading(lang.pick("Consulta individual", "Individual query"));
    ui.label(lang.pick(
        "Para la persona presente. Para listas use un libro de cálculo.",
        "For the person at the desk. For lists use a workbook.",
    ));
    ui.add_space(6.0);
    let by_names = s.one.by_names;
    ui.horizontal(|ui| {
        if ui
            .radio(!by_names, lang.pick("Por CUI", "By CUI"))
            .clicked()
        {
            msgs.send(one_query::Msg::ByNames(false));
        }
        if ui
            .radio(by_names, lang.pick("Por nombres", "By names"))
            .clicked()
        {
            msgs.send(one_query::Msg::ByNames(true));
        }
    });
    let mut enter = false;
    if by_names {
        let r = field(
            ui,
            lang.pick("Nombres y apellidos", "Names and surnames"),
            &mut s.one.names,
            lang.pick("MARÍA JUANA, XICAY CHAVAJAY", "MARÍA JUANA, XICAY CHAVAJAY"),
            None,
        );
        enter |= r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let r = field(
            ui,
            lang.pick(
                "Fecha de nacimiento (si se conoce)",
                "Date of birth (if known)",
            ),
            &mut s.one.birth,
            "dd/mm/aaaa",
            None,
        );
        enter |= r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    } else {
        let r = field(ui, "CUI", &mut s.one.cui, "1234 56789 0101", None);
        enter |= r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    }
    field(
        ui,
        lang.pick("Programa social", "Social programme"),
        &mut s.one.programme,
        lang.pick("Bolsa Social", "Bolsa Social"),
        None,
    );
    ui.add_space(6.0);
    let waiting = matches!(s.one.answer, Remote::Loading);
    ui.horizontal(|ui| {
        let ready = s.one.query().is_some() && !waiting;
        if ui
            .add_enabled(
                ready,
                egui::Button::new(RichText::new(lang.pick("Consultar", "Query")).strong()),
            )
            .clicked()
            || (enter && ready)
        {
            msgs.send(one_query::Msg::Submit);
        }
        if ui
            .button(lang.pick("Siguiente persona", "Next person"))
            .clicked()
        {
            msgs.send(one_query::Msg::Next);
        }
        if waiting {
            ui.spinner();
        }
    });
    ui.add_space(10.0);
    match &s.one.answer {
        Remote::Loaded(answer) => {
            callout(ui, GREEN_BG, GREEN, |ui| {
                let text = crate::one_query_cmd::render(answer, lang);
                let mut lines = text.lines();
                if let Some(first) = lines.next() {
                    ui.label(RichText::new(first).strong());
                }
                for line in lines {
                    ui.label(RichText::new(line).monospace());
                }
            });
        }
        Remote::Failed(f) => failure_box(ui, lang, f),
        Remote::Loading | Remote::NotLoaded => {}
    }
}
