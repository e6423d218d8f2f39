//! The coordinator's "Casos" tab: follow-up cases and each row's outcome.

use eframe::egui::{self, RichText};
use padron_shared::Lang;

use super::MsgsExt;
use super::failure_box;
use crate::gui::state::{Msg, Remote, Session, cases};

pub fn show(ui: &mut egui::Ui, lang: Lang, s: &Session, msgs: &mut Vec<Msg>) {
    ui.heading(lang.pick(
        "Casos de verificación de identidad",
        "Identity-verification cases",
    ));
    ui.label(lang.pick(
        "Filas NO_ENCONTRADO o AMBIGUO enviadas al registro (padron-agent case send, firmado con la tarjeta).",
        "NO_ENCONTRADO or AMBIGUO rows sent to the registry (padron-agent case send, signed with the card).",
    ));
    match &s.cases.list {
        Remote::Loaded(list) if list.is_empty() => {
            ui.label(lang.pick("Sin casos.", "No cases."));
        }
        Remote::Loaded(list) => {
            egui::Grid::new("cases").striped(true).show(ui, |ui| {
                for c in list {
                    if ui.link(&c.id[..8.min(c.id.len())]).clicked() {
                        msgs.send(cases::Msg::Show(c.id.clone()));
                    }
                    ui.label(c.state.as_str());
                    ui.label(format!("{}/{}", c.rows_answered, c.rows_total));
                    ui.label(&c.received_at);
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
    match &s.cases.shown {
        Remote::Loaded(c) => {
            ui.label(RichText::new(format!("{} — {}", c.id, c.state)).strong());
            for r in &c.rows {
                let outcome = match (r.outcome.as_deref(), &r.outcome_cui) {
                    (Some("VERIFIED"), Some(cui)) => {
                        format!("{} CUI {cui}", lang.pick("VERIFICADO", "VERIFIED"))
                    }
                    (Some("NOT_FOUND"), _) => lang.pick("NO LOCALIZADO", "NOT FOUND").to_owned(),
                    (Some("VISIT_NEEDED"), _) => {
                        lang.pick("REQUIERE VISITA", "VISIT NEEDED").to_owned()
                    }
                    (Some(o), _) => o.to_owned(),
                    (None, _) => lang.pick("pendiente", "pending").to_owned(),
                };
                ui.label(format!(
                    "{} {} · {} · {} · {outcome}",
                    lang.pick("fila", "row"),
                    r.input.fila,
                    r.input.referencia,
                    r.resultado
                ));
            }
        }
        Remote::Failed(f) => failure_box(ui, lang, f),
        Remote::Loading => {
            ui.spinner();
        }
        Remote::NotLoaded => {}
    }
}
