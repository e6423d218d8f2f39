//! The user's screens: a Consulta Social (pick, pre-check, upload, follow,
//! download) and their own jobs.

use eframe::egui::{self, RichText};

use super::coordinator::tabs;
use super::{GREEN, RED, callout, failure_box, short_time, state_word, tr};
use crate::gui::state::{AppState, Msg, Remote, Saved, Tab, Upload, result_file_name};

pub fn show(ui: &mut egui::Ui, state: &mut AppState, msgs: &mut Vec<Msg>) {
    let lang = state.lang;
    tabs(
        ui,
        state,
        msgs,
        &[
            (Tab::Query, tr(lang, "Nueva consulta", "New query")),
            (Tab::Jobs, tr(lang, "Mis consultas", "My queries")),
        ],
    );
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| match state.tab {
            Tab::Jobs => jobs(ui, state, msgs),
            _ => query(ui, state, msgs),
        });
}

fn query(ui: &mut egui::Ui, state: &AppState, msgs: &mut Vec<Msg>) {
    let lang = state.lang;
    ui.heading(tr(lang, "Consulta Social", "Consulta Social"));
    ui.label(tr(
        lang,
        "Libro xlsx, xls u ods con las columnas Referencia, CUI y Programa (o nombres y apellidos). Hasta 50,000 filas por CUI o 3,000 por nombres.",
        "An xlsx, xls or ods workbook with the columns Referencia, CUI and Programa (or names and surnames). Up to 50,000 rows by CUI or 3,000 by names.",
    ));
    ui.add_space(6.0);
    // The job under way (or just finished) first: it is what the person waits for.
    if let Some(upload) = &state.upload {
        progress(ui, state, upload, msgs);
        ui.add_space(10.0);
    }
    let hovering = ui.ctx().input(|i| !i.raw.hovered_files.is_empty());
    let running = matches!(&state.upload, Some(Upload::Sending))
        || matches!(&state.upload, Some(Upload::Job(j)) if j.state == "QUEUED" || j.state == "RUNNING");
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
                    RichText::new(tr(
                        lang,
                        "Arrastre aquí el libro de cálculo",
                        "Drag the workbook here",
                    ))
                    .strong(),
                );
                ui.label(tr(lang, "o", "or"));
                if ui
                    .add_enabled(
                        !running,
                        egui::Button::new(tr(lang, "Elegir archivo…", "Choose file…")),
                    )
                    .clicked()
                {
                    msgs.push(Msg::ChooseWorkbook);
                }
            });
        });
    ui.add_space(10.0);
    if let Some(path) = &state.checking {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(format!(
                "{} {}",
                tr(lang, "Revisando", "Checking"),
                path.display()
            ));
        });
    }
    if let Some(book) = &state.workbook {
        ui.label(
            RichText::new(format!("{} {}", tr(lang, "Archivo:", "File:"), book.name)).strong(),
        );
        match &book.check {
            Err(f) => {
                failure_box(ui, lang, f);
                ui.label(tr(
                    lang,
                    "Corrija el archivo y vuelva a elegirlo.",
                    "Fix the file and choose it again.",
                ));
            }
            Ok((report, _)) => {
                let ok_rows = report.rows - report.bad_count;
                callout(ui, super::GREEN_BG, GREEN, |ui| {
                    ui.label(format!(
                        "{} {} · {} {} ({} {}) · {} {}",
                        tr(lang, "Consulta por", "Query by"),
                        report.mode.label(lang),
                        report.rows,
                        tr(lang, "filas", "rows"),
                        tr(lang, "encabezado en la fila", "header on row"),
                        report.header_row,
                        ok_rows,
                        tr(lang, "filas sin observaciones", "rows without remarks"),
                    ));
                });
                if report.bad_count > 0 {
                    ui.add_space(6.0);
                    callout(ui, super::AMBER_BG, super::AMBER, |ui| {
                        ui.label(RichText::new(format!(
                            "{} {}",
                            report.bad_count,
                            tr(lang, "filas con problemas: se responderán como rechazadas o CUI inválido. Puede corregirlas antes de enviar.", "rows with problems: they will be answered as rejected or invalid CUI. You may fix them before sending.")
                        )).strong());
                        egui::Grid::new("bad-rows")
                            .striped(true)
                            .num_columns(2)
                            .show(ui, |ui| {
                                ui.label(RichText::new(tr(lang, "Fila", "Row")).strong());
                                ui.label(RichText::new(tr(lang, "Problema", "Problem")).strong());
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
                                tr(lang, "más", "more")
                            ));
                        }
                    });
                }
                ui.add_space(8.0);
                if state.upload.is_none()
                    && ui
                        .button(RichText::new(tr(lang, "Enviar consulta", "Send query")).strong())
                        .clicked()
                {
                    msgs.push(Msg::Upload);
                }
            }
        }
    }
}

fn progress(ui: &mut egui::Ui, state: &AppState, upload: &Upload, msgs: &mut Vec<Msg>) {
    let lang = state.lang;
    match upload {
        Upload::Sending => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(tr(lang, "Enviando el archivo…", "Sending the file…"));
            });
        }
        Upload::Failed(f) => failure_box(ui, lang, f),
        Upload::Job(job) => match job.state.as_str() {
            "QUEUED" => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    let text = match job.jobs_ahead {
                        Some(0) | None => {
                            tr(lang, "En cola: es la siguiente.", "Queued: next in line.")
                                .to_owned()
                        }
                        Some(n) => format!(
                            "{} {n}",
                            tr(
                                lang,
                                "En cola. Consultas antes de la suya:",
                                "Queued. Queries ahead of yours:"
                            )
                        ),
                    };
                    ui.label(RichText::new(text).strong());
                });
            }
            "RUNNING" => {
                ui.label(RichText::new(tr(lang, "Procesando…", "Processing…")).strong());
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
                        RichText::new(tr(lang, "Consulta terminada.", "Query finished.")).strong(),
                    );
                    if let Some(counts) = job.counts.as_ref().and_then(|c| c.as_object()) {
                        let parts: Vec<String> =
                            counts.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                        ui.label(parts.join(" · "));
                    }
                });
                download(ui, state, &job.id, &job.file_name, msgs);
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

fn download(ui: &mut egui::Ui, state: &AppState, id: &str, input_name: &str, msgs: &mut Vec<Msg>) {
    let lang = state.lang;
    ui.horizontal(|ui| {
        if ui
            .button(RichText::new(tr(lang, "Descargar resultado…", "Download result…")).strong())
            .clicked()
        {
            msgs.push(Msg::SaveResult {
                id: id.to_owned(),
                file_name: result_file_name(input_name),
            });
        }
        match &state.saved {
            Some(Saved::Saving(s)) if s == id => {
                ui.spinner();
                ui.label(tr(lang, "Guardando…", "Saving…"));
            }
            Some(saved) => super::saved_line(ui, lang, saved, msgs),
            None => {}
        }
    });
}

fn jobs(ui: &mut egui::Ui, state: &AppState, msgs: &mut Vec<Msg>) {
    let lang = state.lang;
    ui.horizontal(|ui| {
        ui.heading(tr(lang, "Mis consultas", "My queries"));
        if ui.button(tr(lang, "Actualizar", "Refresh")).clicked() {
            msgs.push(Msg::Reload);
        }
    });
    let list = match &state.jobs {
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
        ui.label(tr(
            lang,
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
                tr(lang, "Enviada", "Sent"),
                tr(lang, "Archivo", "File"),
                tr(lang, "Tipo", "Kind"),
                tr(lang, "Filas", "Rows"),
                tr(lang, "Estado", "State"),
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
                        .button(tr(lang, "Descargar…", "Download…"))
                        .on_hover_text(format!(
                            "{} {}",
                            tr(lang, "Descargar el resultado de", "Download the result of"),
                            job.file_name
                        ));
                    if b.clicked() {
                        msgs.push(Msg::SaveResult {
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
    if let Some(Saved::Done(path)) = &state.saved {
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(format!(
                    "{} {}",
                    tr(lang, "Guardado en", "Saved to"),
                    path.display()
                ))
                .color(GREEN),
            );
            if ui
                .button(tr(lang, "Abrir carpeta", "Open folder"))
                .clicked()
            {
                msgs.push(Msg::OpenFolder(path.clone()));
            }
        });
    }
}
