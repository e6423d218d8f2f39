//! ods (OpenDocument content.xml), streamed. Repeat attributes
//! (`number-rows-repeated`, `number-columns-repeated`) are honoured only as
//! counts: an empty repeat advances a position and produces nothing; a
//! repeated non-blank cell is produced only where a query can use it
//! (the first [`MAX_COLUMNS`] columns), and a repeated row with content
//! is produced once per repeat, each counted against the cell cap.

use quick_xml::events::Event;

use crate::Refusal;
use crate::budget::Budget;
use crate::limits::MAX_COLUMNS;
use crate::sink::{Collector, Flow};
use crate::value::Value;
use crate::xmlread::{Xml, attr, push_text};
use crate::zipped::Archive;

/// Most spaces one `<text:s text:c="…">` stands for.
const MAX_SPACES: usize = 1_000;

#[derive(Default)]
struct CellBuild {
    repeat: u64,
    kind: Option<String>,
    value: Option<String>,
    date: Option<String>,
    time: Option<String>,
    boolean: Option<String>,
    text: String,
    chars: usize,
    paragraphs: usize,
}

fn repeat(e: &quick_xml::events::BytesStart<'_>, name: &str) -> u64 {
    attr(e, name)
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(1)
        .max(1)
}

pub(crate) fn read(
    archive: &mut Archive<'_>,
    budget: &Budget,
    sink: &mut Collector<'_>,
) -> Result<(), Refusal> {
    let Some(input) = archive.entry("content.xml", budget)? else {
        return Err(Refusal::Unreadable("falta content.xml".into()));
    };
    let mut xml = Xml::new(input, budget);
    let mut table_depth: Option<usize> = None;
    let mut skipping = false;
    let mut row: u64 = 0;
    let mut col: u64 = 0;
    let mut rows_repeat: u64 = 1;
    let mut row_cells: Vec<(u32, Value)> = Vec::new();
    let mut cell: Option<CellBuild> = None;
    let mut annotation: Option<usize> = None;
    loop {
        let (event, depth) = xml.next_at()?;
        match &event {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(event, Event::Empty(_));
                let name = e.local_name();
                let name = name.as_ref();
                if table_depth.is_none() {
                    if name == "table" && !empty {
                        sink.count_sheet()?;
                        sink.begin_sheet(&attr(e, "name").unwrap_or_default());
                        table_depth = Some(depth);
                        skipping = false;
                        row = 0;
                    }
                    continue;
                }
                if skipping || annotation.is_some() {
                    continue;
                }
                match name {
                    "annotation" if !empty && cell.is_some() => annotation = Some(depth),
                    "table-row" => {
                        rows_repeat = repeat(e, "number-rows-repeated");
                        col = 0;
                        row_cells.clear();
                        if empty {
                            row = row.saturating_add(rows_repeat);
                        }
                    }
                    "table-cell" | "covered-table-cell" => {
                        let build = CellBuild {
                            repeat: repeat(e, "number-columns-repeated"),
                            kind: attr(e, "value-type"),
                            value: attr(e, "value"),
                            date: attr(e, "date-value"),
                            time: attr(e, "time-value"),
                            boolean: attr(e, "boolean-value"),
                            ..CellBuild::default()
                        };
                        if empty {
                            finish_cell(build, row, &mut col, &mut row_cells, sink)?;
                        } else {
                            cell = Some(build);
                        }
                    }
                    "p" | "h" => {
                        if let Some(c) = cell.as_mut() {
                            if c.paragraphs > 0 {
                                c.text.push('\n');
                            }
                            c.paragraphs += 1;
                        }
                    }
                    "s" => {
                        if let Some(c) = cell.as_mut() {
                            let n = attr(e, "c")
                                .and_then(|v| v.parse::<usize>().ok())
                                .unwrap_or(1)
                                .min(MAX_SPACES);
                            add(budget, c, &" ".repeat(n))?;
                        }
                    }
                    "tab" => {
                        if let Some(c) = cell.as_mut() {
                            add(budget, c, "\t")?;
                        }
                    }
                    "line-break" => {
                        if let Some(c) = cell.as_mut() {
                            add(budget, c, "\n")?;
                        }
                    }
                    _ => {}
                }
            }
            Event::End(e) => {
                let name = e.local_name();
                let name = name.as_ref();
                if annotation.is_some_and(|d| depth < d) {
                    annotation = None;
                    continue;
                }
                if table_depth.is_some_and(|d| depth < d) {
                    // </table:table>
                    table_depth = None;
                    sink.end_sheet()?;
                    if sink.finished() {
                        return Ok(());
                    }
                    continue;
                }
                if skipping || annotation.is_some() || table_depth.is_none() {
                    continue;
                }
                match name {
                    "table-cell" | "covered-table-cell" => {
                        if let Some(c) = cell.take() {
                            finish_cell(c, row, &mut col, &mut row_cells, sink)?;
                        }
                    }
                    "table-row" => {
                        if !row_cells.is_empty() {
                            // A repeated row with content: once per repeat,
                            // each counted; the cell cap bounds the loop.
                            for k in 0..rows_repeat {
                                let r = row.saturating_add(k);
                                sink.in_range(r, 0)?;
                                let r = u32::try_from(r).unwrap_or(u32::MAX);
                                let mut flow = Flow::Continue;
                                for (c, v) in &row_cells {
                                    flow = sink.cell(r, *c, v.clone())?;
                                    if flow == Flow::NextSheet {
                                        break;
                                    }
                                }
                                if flow == Flow::NextSheet || sink.end_row()? == Flow::NextSheet {
                                    skipping = true;
                                    break;
                                }
                            }
                            row_cells.clear();
                        }
                        row = row.saturating_add(rows_repeat);
                    }
                    _ => {}
                }
            }
            other => {
                if !skipping
                    && annotation.is_none()
                    && let Some(c) = cell.as_mut()
                {
                    let mut piece = String::new();
                    if push_text(other, &mut piece)? {
                        add(budget, c, &piece)?;
                    }
                }
            }
        }
    }
    Ok(())
}

fn add(budget: &Budget, c: &mut CellBuild, piece: &str) -> Result<(), Refusal> {
    c.chars += piece.chars().count();
    budget.text(piece.len())?;
    budget.cell_chars(c.chars)?;
    c.text.push_str(piece);
    Ok(())
}

fn finish_cell(
    c: CellBuild,
    row: u64,
    col: &mut u64,
    row_cells: &mut Vec<(u32, Value)>,
    sink: &Collector<'_>,
) -> Result<(), Refusal> {
    let value = match c.kind.as_deref() {
        Some("float" | "percentage" | "currency") => {
            match c
                .value
                .as_deref()
                .and_then(|v| v.trim().parse::<f64>().ok())
            {
                Some(f) if f.is_finite() => Value::Number(f),
                _ => Value::text_of(&c.text),
            }
        }
        Some("date") => Value::text_of(c.date.as_deref().unwrap_or(&c.text)),
        Some("time") => Value::text_of(c.time.as_deref().unwrap_or(&c.text)),
        Some("boolean") => Value::Bool(c.boolean.as_deref() == Some("true")),
        _ => Value::text_of(&c.text),
    };
    if !value.is_blank() {
        sink.in_range(row, *col)?;
        let end = col.saturating_add(c.repeat).min(u64::from(MAX_COLUMNS));
        let mut at = *col;
        while at < end {
            row_cells.push((at as u32, value.clone()));
            at += 1;
        }
    }
    *col = col.saturating_add(c.repeat);
    Ok(())
}
