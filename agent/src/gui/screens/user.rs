//! The user's screens: a Consulta Social (pick, pre-check, upload, follow,
//! download) and their own jobs.

use eframe::egui::{self, RichText};

use super::MsgsExt;
use super::coordinator::tabs;
use super::{GREEN, RED, callout, failure_box, short_time, state_word};
use crate::gui::state::{
    Msg, Remote, Saved, Session, SessionMsg, Tab, Upload, query, result_file_name,
};
use padron_shared::Lang;

pub fn show(ui: &mut egui::Ui, lang: Lang, s: &mut Session, msgs: &mut Vec<Msg>) {
    tabs(
        ui,
        s.tab,
        msgs,
        &[
            (Tab::Query, lang.pick("Nueva consulta", "New query")),
            (
                Tab::OneQuery,
                lang.pick("Consulta individual", "Individual query"),
            ),
            (Tab::Jobs, lang.pick("Mis consultas", "My queries")),
            (Tab::Tickets, &super::tickets::tab_name(lang, s)),
        ],
    );
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| match s.tab {
            Tab::Jobs => jobs(ui, lang, s, msgs),
            Tab::OneQuery => super::one_query::show(ui, lang, s, msgs),
            Tab::Tickets => super::tickets::show(ui, lang, s, msgs),
            _ => query(ui, lang, s, msgs),
        });
}

fn query(ui: &mut egui::Ui, lang: Lang, s: &Session, msgs: &mut Vec<Msg>) {
    ui.heading(lang.pick("Consulta Social", "Consulta Social"));
    ui.label(lang.pick("Libro xlsx, xls u ods con las columnas Referencia, CUI y Programa (o nombres y apellidos). Hasta 50,000 filas por CUI o 3,000 por nombres.",
        "An xlsx, xls or ods workbook with the columns Referencia, CUI and Programa (or names and surnames). Up to 50,000 rows by CUI or 3,000 by names.",
    ));
    ui.add_space(6.0);
    // The job under way (or just finished) first: it is what the person waits for.
    if let Some(upload) = &s.query.upload {
        progress(ui, lang, s, upload, msgs);
        ui.add_space(10.0);
    }
    let hovering = ui.ctx().input(|i| !i.raw.hovered_files.is_empty());
    let running = matches!(&s.query.upload, Some(Upload::Sending))
        || matches!(&s.query.upload, Some(Upload::Job(j)) if j.state == "QUEUED" || j.state == "RUNNING");
    let fill = if hovering {
        egui::Color32::from_rgb(0xdc, 0xea, 0xfb)
    } else {
        egui::Color32::WHITE
    };
    egui::Frame::new()
        .fill(fill)
        .stroke(egui::Stroke::new(2.0, super::BLUE.gamma_multiply(0.6)))
        .corner_radius(8.0)
        .inner_margin(egui::Margin::same(18))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.vertical_centered(|ui| {
                ui.label(
                    RichText::new(lang.pick(
                        "Arrastre aquí el libro de cálculo",
                        "Drag the workbook here",
                    ))
                    .strong(),
                );
                ui.label(lang.pick("o", "or"));
                if ui
                    .add_enabled(
                        !running,
                        egui::Button::new(lang.pick("Elegir archivo…", "Choose file…")),
                    )
                    .clicked()
                {
                    msgs.send(query::Msg::Choose);
                }
            });
        });
    ui.add_space(10.0);
    if let Some(path) = &s.query.checking {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(format!(
                "{} {}",
                lang.pick("Revisando", "Checking"),
                path.display()
            ));
        });
    }
    if let Some(book) = &s.query.workbook {
        ui.label(
            RichText::new(format!("{} {}", lang.pick("Archivo:", "File:"), book.name)).strong(),
        );
        match &book.check {
            Err(f) => {
                failure_box(ui, lang, f);
                ui.label(lang.pick(
                    "Corrija el archivo y vuelva a elegirlo.",
                    "Fix the file and choose it again.",
                ));
            }
            Ok((report, _)) => {
                let ok_rows = report.rows - report.bad_count;
                callout(ui, super::GREEN_BG, GREEN, |ui| {
                    ui.label(format!(
                        "{} {} · {} {} ({} {}) · {} {}",
                        lang.pick("Consulta por", "Query by"),
                        report.mode.label(lang),
                        report.rows,
                        lang.pick("filas", "rows"),
                        lang.pick("encabezado en la fila", "header on row"),
                        report.header_row,
                        ok_rows,
                        lang.pick("filas sin observaciones", "rows without remarks"),
                    ));
                });
                if report.bad_count > 0 {
                    ui.add_space(6.0);
                    callout(ui, super::AMBER_BG, super::AMBER, |ui| {
                        ui.label(RichText::new(format!(
                            "{} {}",
                            report.bad_count,
                            lang.pick("filas con problemas: se responderán como rechazadas o CUI inválido. Puede corregirlas antes de enviar.", "rows with problems: they will be answered as rejected or invalid CUI. You may fix them before sending.")
                        )).strong());
                        egui::Grid::new("bad-rows")
                            .striped(true)
                            .num_columns(2)
                            .show(ui, |ui| {
                                ui.label(RichText::new(lang.pick("Fila", "Row")).strong());
                                ui.label(RichText::new(lang.pick("Problema", "Problem")).strong());
                                ui.end_row();
                                for bad in report.bad_rows.iter().take(50) {
                                    ui.label(bad.row.to_string());
                                    ui.label(
                                        bad.issues
                                            .iter()
                                            .map(|i| i.text(lang))
                                            .collect::<Vec<_>>()
                                            .join("; "),
                                    );
                                    ui.end_row();
                                }
                            });
                        if report.bad_count > 50 {
                            ui.label(format!(
                                "… {} {}",
                                report.bad_count - 50,
                                lang.pick("más", "more")
                            ));
                        }
                    });
                }
                ui.add_space(8.0);
                if s.query.upload.is_none()
                    && ui
                        .button(RichText::new(lang.pick("Enviar consulta", "Send query")).strong())
                        .clicked()
                {
                    msgs.send(query::Msg::Upload);
                }
            }
        }
    }
}

fn progress(ui: &mut egui::Ui, lang: Lang, s: &Session, upload: &Upload, msgs: &mut Vec<Msg>) {
    match upload {
        Upload::Sending => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(lang.pick("Enviando el archivo…", "Sending the file…"));
            });
        }
        Upload::Failed(f) => failure_box(ui, lang, f),
        Upload::Job(job) => match job.state.as_str() {
            "QUEUED" => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    let text = match job.jobs_ahead {
                        Some(0) | None => lang
                            .pick("En cola: es la siguiente.", "Queued: next in line.")
                            .to_owned(),
                        Some(n) => format!(
                            "{} {n}",
                            lang.pick(
                                "En cola. Consultas antes de la suya:",
                                "Queued. Queries ahead of yours:"
                            )
                        ),
                    };
                    ui.label(RichText::new(text).strong());
                });
            }
            "RUNNING" => {
                ui.label(RichText::new(lang.pick("Procesando…", "Processing…")).strong());
                ui.add(
                    egui::ProgressBar::new(f32::from(job.progress_percent) / 100.0)
                        .show_percentage()
                        .desired_width(480.0),
                );
            }
            "DONE" => {
                ui.add(
                    egui::ProgressBar::new(1.0)
                        .show_percentage()
                        .desired_width(480.0),
                );
                callout(ui, super::GREEN_BG, GREEN, |ui| {
                    ui.label(
                        RichText::new(lang.pick("Consulta terminada.", "Query finished.")).strong(),
                    );
                    if let Some(counts) = job.counts.as_ref().and_then(|c| c.as_object()) {
                        let parts: Vec<String> =
                            counts.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                        ui.label(parts.join(" · "));
                    }
                });
                download(ui, lang, s, &job.id, &job.file_name, msgs);
            }
            _ => {
                let text = job
                    .fail_message
                    .clone()
                    .unwrap_or_else(|| state_word(lang, &job.state));
                ui.label(RichText::new(text).color(RED));
            }
        },
    }
}

fn download(
    ui: &mut egui::Ui,
    lang: Lang,
    s: &Session,
    id: &str,
    input_name: &str,
    msgs: &mut Vec<Msg>,
) {
    ui.horizontal(|ui| {
        if ui
            .button(RichText::new(lang.pick("Descargar resultado…", "Download result…")).strong())
            .clicked()
        {
            msgs.send(query::Msg::SaveResult {
                id: id.to_owned(),
                file_name: result_file_name(input_name),
            });
        }
        match &s.query.saved {
            Some(Saved::Saving(s)) if s == id => {
                ui.spinner();
                ui.label(lang.pick("Guardando…", "Saving…"));
            }
            Some(saved) => super::saved_line(ui, lang, saved, msgs),
            None => {}
        }
    });
}

fn jobs(ui: &mut egui::Ui, lang: Lang, s: &Session, msgs: &mut Vec<Msg>) {
    ui.horizontal(|ui| {
        ui.heading(lang.pick("Mis consultas", "My queries"));
        if ui.button(lang.pick("Actualizar", "Refresh")).clicked() {
            msgs.send(SessionMsg::Reload);
        }
    });
    let list = match &s.jobs.list {
        Remote::Loaded(list) => list,
        Remote::Failed(f) => {
            failure_box(ui, lang, f);
            return;
        }
        _ => {
            ui.spinner();
            return;
        }
    };
    if list.is_empty() {
        ui.label(lang.pick(
            "Aún no ha enviado consultas.",
            "You have not sent any query yet.",
        ));
        return;
    }
    egui::Grid::new("jobs")
        .striped(true)
        .num_columns(6)
        .spacing([18.0, 8.0])
        .show(ui, |ui| {
            for h in [
                lang.pick("Enviada", "Sent"),
                lang.pick("Archivo", "File"),
                lang.pick("Tipo", "Kind"),
                lang.pick("Filas", "Rows"),
                lang.pick("Estado", "State"),
                "",
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for job in list {
                ui.label(short_time(&job.created_at));
                ui.label(&job.file_name);
                ui.label(&job.mode);
                ui.label(job.rows.to_string());
                let mut word = state_word(lang, &job.state);
                if job.state == "RUNNING" {
                    word = format!("{word} {}%", job.progress_percent);
                }
                ui.label(word);
                if job.state == "DONE" {
                    let b = ui
                        .button(lang.pick("Descargar…", "Download…"))
                        .on_hover_text(format!(
                            "{} {}",
                            lang.pick("Descargar el resultado de", "Download the result of"),
                            job.file_name
                        ));
                    if b.clicked() {
                        msgs.send(query::Msg::SaveResult {
                            id: job.id.clone(),
                            file_name: result_file_name(&job.file_name),
                        });
                    }
                } else {
                    ui.label("");
                }
                ui.end_row();
            }
        });
    if let Some(Saved::Done(path)) = &s.query.saved {
        ui.add_space(8.0);
        ui.horizontal(|ui| {
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
                msgs.send(Msg::OpenFolder(path.clone()));
            }
        });
    }
}
