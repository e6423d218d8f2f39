//! The user's screens: a Consulta Social (pick, pre-check, upload, follow,
//! download) and their own jobs.

use std::time::Instant;

use eframe::egui::{self, RichText};

use super::MsgsExt;
use super::coordinator::tabs;
use super::{
    GREEN, RED, Tally, callout, failure_box, job_state_word, local_time, mode_word, primary,
    primary_enabled, tiles,
};
use crate::gui::state::{
    Msg, Remote, Saved, Session, SessionMsg, Tab, Upload, query, result_file_name,
};
use padron_shared::Lang;
use padron_shared::queries::JobState;

pub fn show(ui: &mut egui::Ui, lang: Lang, s: &mut Session, online: bool, msgs: &mut Vec<Msg>) {
    tabs(
        ui,
        s.tab,
        msgs,
        &[
            // The tab is "Consultar"; "Nueva consulta" is the button that
            // starts another one after a job.
            (Tab::Query, lang.pick("Consultar", "Query")),
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
            Tab::Jobs => jobs(ui, lang, s, online, msgs),
            Tab::OneQuery => super::one_query::show(ui, lang, s, msgs),
            Tab::Tickets => super::tickets::show(ui, lang, s, msgs),
            _ => query(ui, lang, s, online, msgs),
        });
}

fn query(ui: &mut egui::Ui, lang: Lang, s: &Session, online: bool, msgs: &mut Vec<Msg>) {
    ui.heading(lang.pick("Consulta Social", "Consulta Social"));
    // The job under way (or just finished) first: it is what the person waits for.
    if let Some(upload) = &s.query.upload {
        progress(ui, lang, s, upload, online, msgs);
        ui.add_space(10.0);
        if !matches!(upload, Upload::Failed(_)) {
            // The drop zone and the pre-check fold away under the job.
            return;
        }
    }
    ui.label(lang.pick("Libro xlsx, xls u ods con las columnas Referencia, CUI y Programa (o nombres y apellidos). Hasta 50,000 filas por CUI o 3,000 por nombres.",
        "An xlsx, xls or ods workbook with the columns Referencia, CUI and Programa (or names and surnames). Up to 50,000 rows by CUI or 3,000 by names.",
    ));
    ui.add_space(6.0);
    let hovering = ui.ctx().input(|i| !i.raw.hovered_files.is_empty());
    let running = s.query.running();
    let fill = if hovering {
        egui::Color32::from_rgb(0xdc, 0xea, 0xfb)
    } else {
        egui::Color32::WHITE
    };
    let picked = s.query.workbook.is_some();
    egui::Frame::new()
        .fill(fill)
        .stroke(egui::Stroke::new(2.0, super::BLUE.gamma_multiply(0.6)))
        .corner_radius(8.0)
        .inner_margin(egui::Margin::same(if picked { 8 } else { 18 }))
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
                ui.horizontal(|ui| {
                    ui.label(lang.pick("o", "or"));
                    let choose = lang.pick("Elegir archivo…", "Choose file…");
                    // The screen's main action until a file is picked.
                    let clicked = if picked {
                        ui.add_enabled(!running, egui::Button::new(choose))
                            .clicked()
                    } else {
                        primary_enabled(ui, !running, choose).clicked()
                    };
                    if clicked {
                        msgs.send(query::Msg::Choose);
                    }
                    if ui
                        .button(lang.pick("Guardar plantilla vacía", "Save an empty template"))
                        .clicked()
                    {
                        msgs.send(query::Msg::SaveTemplate { names: false });
                    }
                });
                template_line(ui, lang, s, msgs);
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
                    "Abra el archivo, corríjalo, guárdelo y pulse «Volver a revisar». Si no tiene las columnas, guarde la plantilla vacía y copie sus datos en ella.",
                    "Open the file, fix it, save it and press \"Check again\". If it lacks the columns, save the empty template and copy your data into it.",
                ));
                ui.horizontal(|ui| {
                    if primary(ui, lang.pick("Volver a revisar", "Check again")).clicked() {
                        msgs.send(query::Msg::CheckAgain);
                    }
                });
            }
            Ok((report, _)) => {
                let ok_rows = report.rows - report.bad_count;
                callout(ui, super::GREEN_BG, GREEN, |ui| {
                    ui.label(format!(
                        "{} · {} {} ({} {}) · {} {}",
                        mode_word(lang, report.mode.into()),
                        report.rows,
                        lang.pick("filas", "rows"),
                        lang.pick("encabezado en la fila", "header on row"),
                        report.header_row,
                        ok_rows,
                        lang.pick("filas sin observaciones", "rows without remarks"),
                    ));
                });
                ui.add_space(6.0);
                // The action first, so it stays on screen at 768 px whatever
                // the list of bad rows below.
                ui.horizontal(|ui| {
                    let send = if report.bad_count > 0 {
                        let rejected = if report.bad_count == 1 {
                            lang.pick("fila se rechazará", "row will be rejected")
                        } else {
                            lang.pick("filas se rechazarán", "rows will be rejected")
                        };
                        format!(
                            "{} ({} {rejected})",
                            lang.pick("Enviar consulta", "Send query"),
                            report.bad_count,
                        )
                    } else {
                        lang.pick("Enviar consulta", "Send query").to_owned()
                    };
                    if primary_enabled(ui, online, &send).clicked() {
                        msgs.send(query::Msg::Upload);
                    }
                    if report.bad_count > 0
                        && ui
                            .button(lang.pick("Volver a revisar", "Check again"))
                            .clicked()
                    {
                        msgs.send(query::Msg::CheckAgain);
                    }
                    if !online {
                        ui.label(
                            RichText::new(lang.pick(
                                "Sin conexión: se podrá enviar cuando vuelva.",
                                "Offline: it can be sent once the connection is back.",
                            ))
                            .color(super::AMBER),
                        );
                    }
                });
                if report.bad_count > 0 {
                    ui.add_space(6.0);
                    callout(ui, super::AMBER_BG, super::AMBER, |ui| {
                        let (es, en) = if report.bad_count == 1 {
                            (
                                "fila con problemas: se responderá como rechazada o CUI inválido. Puede corregirla antes de enviar.",
                                "row with problems: it will be answered as rejected or invalid CUI. You may fix it before sending.",
                            )
                        } else {
                            (
                                "filas con problemas: se responderán como rechazadas o CUI inválido. Puede corregirlas antes de enviar.",
                                "rows with problems: they will be answered as rejected or invalid CUI. You may fix them before sending.",
                            )
                        };
                        ui.label(
                            RichText::new(format!("{} {}", report.bad_count, lang.pick(es, en)))
                                .strong(),
                        );
                        let listed: Vec<String> = report
                            .bad_rows
                            .iter()
                            .take(8)
                            .map(|b| b.row.to_string())
                            .collect();
                        let more = if report.bad_count > listed.len() {
                            " …"
                        } else {
                            ""
                        };
                        let rows_word = if listed.len() == 1 {
                            lang.pick(
                                "Cómo corregirlo: abra el archivo, corrija la fila",
                                "How to fix it: open the file, fix row",
                            )
                        } else {
                            lang.pick(
                                "Cómo corregirlo: abra el archivo, corrija las filas",
                                "How to fix it: open the file, fix rows",
                            )
                        };
                        ui.label(format!(
                            "{rows_word} {}{more}{}",
                            listed.join(", "),
                            lang.pick(
                                ", guárdelo y pulse «Volver a revisar».",
                                ", save it and press \"Check again\"."
                            ),
                        ));
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
            }
        }
    }
}

fn template_line(ui: &mut egui::Ui, lang: Lang, s: &Session, msgs: &mut Vec<Msg>) {
    match &s.query.template {
        Some(Saved::Saving(_)) => {
            ui.spinner();
        }
        Some(saved) => super::saved_line(ui, lang, saved, s.kiosk, msgs),
        None => {}
    }
}

/// `m min s s` / `s s`.
fn duration_words(lang: Lang, d: std::time::Duration) -> String {
    let secs = d.as_secs();
    if secs >= 120 {
        format!("{} {}", secs.div_ceil(60), lang.pick("minutos", "minutes"))
    } else if secs >= 60 {
        lang.pick("1 minuto", "1 minute").to_owned()
    } else {
        format!("{} {}", secs.max(1), lang.pick("segundos", "seconds"))
    }
}

fn progress(
    ui: &mut egui::Ui,
    lang: Lang,
    s: &Session,
    upload: &Upload,
    online: bool,
    msgs: &mut Vec<Msg>,
) {
    match upload {
        Upload::Sending => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(lang.pick("Enviando el archivo…", "Sending the file…"));
            });
        }
        Upload::Failed(f) => failure_box(ui, lang, f),
        Upload::Job(job) => match job.state {
            JobState::Queued => {
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
                    if let Some(left) = s.query.queue_left(Instant::now()) {
                        ui.label(format!(
                            "{} {}",
                            lang.pick("Espera estimada: unos", "Estimated wait: about"),
                            duration_words(lang, left)
                        ));
                    }
                });
                ui.label(lang.pick(
                    "Las consultas se atienden en orden de llegada. Puede esperar aquí: la sesión no se cierra mientras su consulta avanza.",
                    "Queries are served in order of arrival. You may wait here: the session stays open while your query moves on.",
                ));
            }
            JobState::Running => {
                let (row, rows) = s.query.row_of().unwrap_or((0, job.rows));
                let mut text = format!(
                    "{} {row} {} {rows}",
                    lang.pick("Procesando… fila", "Processing… row"),
                    lang.pick("de", "of")
                );
                if let Some(left) = s.query.time_left(Instant::now()) {
                    text = format!(
                        "{text} · {} {}",
                        lang.pick("faltan unos", "about"),
                        duration_words(lang, left)
                    );
                    if lang == Lang::En {
                        text.push_str(" left");
                    }
                }
                ui.label(RichText::new(text).strong());
                ui.add(
                    egui::ProgressBar::new(f32::from(job.progress_percent) / 100.0)
                        .show_percentage()
                        .desired_width(480.0),
                );
            }
            JobState::Done => result_card(ui, lang, s, job, online, msgs),
            JobState::Failed | JobState::Expired => {
                let text = job
                    .fail_message
                    .clone()
                    .unwrap_or_else(|| job_state_word(lang, job.state));
                ui.label(RichText::new(text).color(RED));
                if let Some(code) = job
                    .fail_code
                    .as_deref()
                    .and_then(padron_shared::ErrorCode::from_code)
                {
                    super::support_code(ui, lang, code);
                }
                if ui
                    .button(lang.pick("Nueva consulta", "New query"))
                    .clicked()
                {
                    msgs.send(query::Msg::NewQuery);
                }
            }
        },
    }
}

/// After a job: the tiles, the download, the next query.
fn result_card(
    ui: &mut egui::Ui,
    lang: Lang,
    s: &Session,
    job: &padron_shared::queries::QueryJob,
    online: bool,
    msgs: &mut Vec<Msg>,
) {
    callout(ui, egui::Color32::WHITE, super::GREY, |ui| {
        ui.label(
            RichText::new(lang.pick("Consulta terminada.", "Query finished."))
                .strong()
                .color(GREEN),
        );
        ui.label(format!(
            "{} · {} · {} {}",
            job.file_name,
            mode_word(lang, job.mode),
            job.rows,
            lang.pick("filas", "rows")
        ));
        let tally = job.counts.as_ref().map(Tally::of_job).unwrap_or_default();
        tiles(ui, lang, &tally);
        if tally.attention() > 0 {
            ui.label(lang.pick(
                "Revise en el libro las filas que no son «Encontrado» y las de personas fallecidas: la columna «observaciones» dice por qué, y la hoja «candidatos» lista las coincidencias dudosas.",
                "In the workbook, look at the rows that are not \"Found\" and those of deceased persons: the \"observaciones\" column says why, and the \"candidatos\" sheet lists the doubtful matches.",
            ));
        }
        ui.add_space(6.0);
        download(ui, lang, s, &job.id, &job.file_name, online, msgs);
        if let Remote::Loaded(rows) = &s.query.attention
            && !rows.is_empty()
        {
            ui.add_space(8.0);
            attention(ui, lang, rows);
        }
    });
}

/// The outcome of a row in words.
fn outcome_word(lang: Lang, outcome: &str, deceased: bool) -> String {
    let word = match outcome {
        "ENCONTRADO" => lang.pick("Encontrado", "Found"),
        "NO_ENCONTRADO" => lang.pick("No encontrado", "Not found"),
        "AMBIGUO" => lang.pick("Coincidencia dudosa", "Doubtful match"),
        "CUI_INVALIDO" => lang.pick("CUI inválido", "Invalid CUI"),
        "RECHAZADO" => lang.pick("Rechazada", "Rejected"),
        other => other,
    };
    if deceased {
        format!("{word} · {}", lang.pick("fallecido(a)", "deceased"))
    } else {
        word.to_owned()
    }
}

/// A preview of the rows that need a look: their remarks and, for a
/// doubtful match, its candidates.
fn attention(ui: &mut egui::Ui, lang: Lang, rows: &[padron_shared::queries::AttentionRow]) {
    ui.label(RichText::new(lang.pick("Filas para revisar", "Rows to look at")).strong());
    egui::ScrollArea::vertical()
        .id_salt("attention")
        .max_height(260.0)
        .show(ui, |ui| {
            egui::Grid::new("attention-rows")
                .striped(true)
                .num_columns(4)
                .spacing([14.0, 6.0])
                .show(ui, |ui| {
                    for h in [
                        lang.pick("Fila", "Row"),
                        lang.pick("Referencia", "Reference"),
                        lang.pick("Resultado", "Result"),
                        lang.pick("Observaciones y candidatos", "Remarks and candidates"),
                    ] {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for r in rows.iter().take(50) {
                        ui.label(r.row.to_string());
                        ui.label(&r.reference);
                        let colour = match (r.outcome.as_str(), r.deceased) {
                            (_, true) => super::PURPLE,
                            ("CUI_INVALIDO" | "RECHAZADO", _) => RED,
                            _ => super::AMBER,
                        };
                        ui.label(
                            RichText::new(outcome_word(lang, &r.outcome, r.deceased)).color(colour),
                        );
                        ui.vertical(|ui| {
                            if !r.notes.is_empty() {
                                ui.label(&r.notes);
                            }
                            for c in &r.candidates {
                                ui.label(RichText::new(format!("• {c}")).small());
                            }
                        });
                        ui.end_row();
                    }
                });
            if rows.len() > 50 {
                ui.label(format!(
                    "… {} {}",
                    rows.len() - 50,
                    lang.pick("más en el libro", "more in the workbook")
                ));
            }
        });
}

fn download(
    ui: &mut egui::Ui,
    lang: Lang,
    s: &Session,
    id: &str,
    input_name: &str,
    online: bool,
    msgs: &mut Vec<Msg>,
) {
    ui.horizontal(|ui| {
        if primary_enabled(
            ui,
            online,
            lang.pick("Descargar en Excel", "Download as Excel"),
        )
        .on_disabled_hover_text(lang.pick(
            "Sin conexión con el servidor.",
            "No connection to the server.",
        ))
        .clicked()
        {
            msgs.send(query::Msg::SaveResult {
                id: id.to_owned(),
                file_name: result_file_name(input_name),
            });
        }
        if !s.query.running()
            && ui
                .button(lang.pick("Nueva consulta", "New query"))
                .clicked()
        {
            msgs.send(query::Msg::NewQuery);
        }
    });
    match &s.query.saved {
        Some(Saved::Saving(s)) if s == id => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(lang.pick("Guardando…", "Saving…"));
            });
        }
        Some(saved) => {
            ui.horizontal_wrapped(|ui| super::saved_line(ui, lang, saved, s.kiosk, msgs));
        }
        None => {}
    }
}

fn jobs(ui: &mut egui::Ui, lang: Lang, s: &Session, online: bool, msgs: &mut Vec<Msg>) {
    ui.horizontal(|ui| {
        ui.heading(lang.pick("Mis consultas", "My queries"));
        if ui.button(lang.pick("Actualizar", "Refresh")).clicked() {
            msgs.send(SessionMsg::Reload);
        }
        super::search_box(ui, lang, &s.search, msgs);
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
    let shown: Vec<_> = list
        .iter()
        .filter(|job| {
            let when = local_time(&s.zone, lang, &job.created_at);
            let state = job_state_word(lang, job.state);
            super::matches_search(
                &s.search,
                &[&job.file_name, &when, &state, mode_word(lang, job.mode)],
            )
        })
        .collect();
    if shown.is_empty() {
        ui.label(lang.pick(
            "Ninguna consulta coincide con la búsqueda.",
            "No query matches the search.",
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
            for job in shown {
                ui.label(local_time(&s.zone, lang, &job.created_at));
                ui.label(&job.file_name);
                ui.label(mode_word(lang, job.mode));
                ui.label(job.rows.to_string());
                let mut word = job_state_word(lang, job.state);
                if job.state == JobState::Running {
                    word = format!("{word} {}%", job.progress_percent);
                }
                let colour = match job.state {
                    JobState::Done => GREEN,
                    JobState::Failed => RED,
                    JobState::Queued | JobState::Running | JobState::Expired => {
                        ui.visuals().text_color()
                    }
                };
                ui.label(RichText::new(word).color(colour));
                if job.state == JobState::Done {
                    let b = ui
                        .add_enabled(
                            online,
                            egui::Button::new(lang.pick("Descargar…", "Download…")),
                        )
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
    if let Some(saved) = &s.query.saved {
        ui.add_space(8.0);
        ui.horizontal_wrapped(|ui| match saved {
            Saved::Saving(_) => {
                ui.spinner();
                ui.label(lang.pick("Guardando…", "Saving…"));
            }
            other => super::saved_line(ui, lang, other, s.kiosk, msgs),
        });
    }
}
