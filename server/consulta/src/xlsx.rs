//! xlsx (SpreadsheetML in a zip), streamed: workbook, relationships,
//! shared strings (kept once each), styles (which cells are dates), then
//! the sheets in workbook order until one has a header.

use std::collections::HashMap;
use std::io::BufRead;

use quick_xml::events::Event;

use crate::Refusal;
use crate::budget::Budget;
use crate::sink::{Collector, Flow};
use crate::value::{Text, Value};
use crate::xmlread::{Xml, attr, push_text};
use crate::zipped::Archive;

/// Most number formats and cell formats remembered (Excel's own cap is 64,000).
const MAX_STYLES: usize = 65_536;

struct Rel {
    id: String,
    kind: String,
    target: String,
}

pub(crate) fn read(
    archive: &mut Archive<'_>,
    budget: &Budget,
    sink: &mut Collector<'_>,
) -> Result<(), Refusal> {
    let (sheets, date1904) = workbook(archive, budget)?;
    let rels = relationships(archive, budget, "xl/_rels/workbook.xml.rels")?;
    let part = |suffix: &str, default: &str| {
        rels.iter()
            .find(|r| r.kind.ends_with(suffix))
            .map(|r| r.target.clone())
            .unwrap_or_else(|| default.to_owned())
    };
    let strings = shared_strings(
        archive,
        budget,
        &part("/sharedStrings", "xl/sharedStrings.xml"),
    )?;
    let dates = date_styles(archive, budget, &part("/styles", "xl/styles.xml"))?;
    for _ in &sheets {
        sink.count_sheet()?;
    }
    for (i, (name, rid)) in sheets.iter().enumerate() {
        let (path, worksheet) = match rels.iter().find(|r| &r.id == rid) {
            Some(r) => (r.target.clone(), r.kind.ends_with("/worksheet")),
            None => (format!("xl/worksheets/sheet{}.xml", i + 1), true),
        };
        if !worksheet {
            continue;
        }
        sink.begin_sheet(name);
        sheet(archive, budget, &path, &strings, &dates, date1904, sink)?;
        sink.end_sheet()?;
        if sink.finished() {
            break;
        }
    }
    Ok(())
}

fn open<'a, 'b>(
    archive: &'a mut Archive<'b>,
    budget: &'a Budget,
    path: &str,
) -> Result<Option<Xml<'a, impl BufRead + 'a>>, Refusal> {
    Ok(archive.entry(path, budget)?.map(|r| Xml::new(r, budget)))
}

fn workbook(
    archive: &mut Archive<'_>,
    budget: &Budget,
) -> Result<(Vec<(String, String)>, bool), Refusal> {
    let Some(mut xml) = open(archive, budget, "xl/workbook.xml")? else {
        return Err(Refusal::Unreadable("falta xl/workbook.xml".into()));
    };
    let mut sheets = Vec::new();
    let mut date1904 = false;
    loop {
        match xml.next()? {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "workbookPr" => {
                    date1904 = matches!(attr(&e, "date1904").as_deref(), Some("1" | "true"));
                }
                "sheet" => {
                    let name = attr(&e, "name").unwrap_or_default();
                    let id = attr(&e, "id").unwrap_or_default();
                    sheets.push((name, id));
                    if sheets.len() > budget.limits.sheets {
                        return Err(
                            budget.refuse(Refusal::TooManySheets(budget.limits.sheets as u64))
                        );
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok((sheets, date1904))
}

fn relationships(
    archive: &mut Archive<'_>,
    budget: &Budget,
    path: &str,
) -> Result<Vec<Rel>, Refusal> {
    let Some(mut xml) = open(archive, budget, path)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    loop {
        match xml.next()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                if attr(&e, "TargetMode").as_deref() == Some("External") {
                    continue;
                }
                let target = attr(&e, "Target").unwrap_or_default();
                let target = match target.strip_prefix('/') {
                    Some(absolute) => absolute.to_owned(),
                    None => format!("xl/{target}"),
                };
                out.push(Rel {
                    id: attr(&e, "Id").unwrap_or_default(),
                    kind: attr(&e, "Type").unwrap_or_default(),
                    target,
                });
                budget.text(64)?;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// Appends text to a cell being built, counting it.
fn grow(
    budget: &Budget,
    event: &Event<'_>,
    out: &mut String,
    chars: &mut usize,
) -> Result<(), Refusal> {
    let before = out.len();
    if push_text(event, out)? {
        let added = &out[before..];
        *chars += added.chars().count();
        budget.text(added.len())?;
        budget.cell_chars(*chars)?;
    }
    Ok(())
}

fn shared_strings(
    archive: &mut Archive<'_>,
    budget: &Budget,
    path: &str,
) -> Result<Vec<Text>, Refusal> {
    let Some(mut xml) = open(archive, budget, path)? else {
        return Ok(Vec::new());
    };
    // Grown as strings are read, never reserved from `uniqueCount`.
    let mut out = Vec::new();
    let mut current: Option<(String, usize)> = None;
    let mut in_t = false;
    let mut phonetic = 0usize;
    loop {
        let event = xml.next()?;
        match &event {
            Event::Start(e) => match e.local_name().as_ref() {
                "si" => current = Some((String::new(), 0)),
                "rPh" => phonetic += 1,
                "t" => in_t = true,
                _ => {}
            },
            Event::Empty(e) if e.local_name().as_ref() == "si" => {
                budget.text(32)?;
                out.push(Text::new(""));
            }
            Event::End(e) => match e.local_name().as_ref() {
                "si" => {
                    let (s, _) = current.take().unwrap_or_default();
                    budget.text(32)?;
                    out.push(Text::new(&s));
                }
                "rPh" => phonetic = phonetic.saturating_sub(1),
                "t" => in_t = false,
                _ => {}
            },
            Event::Eof => break,
            other => {
                if in_t
                    && phonetic == 0
                    && let Some((s, chars)) = current.as_mut()
                {
                    grow(budget, other, s, chars)?;
                }
            }
        }
    }
    Ok(out)
}

/// Built-in number formats that are dates.
fn builtin_date(id: u32) -> bool {
    matches!(id, 14..=22 | 27..=36 | 45..=47 | 50..=58 | 71..=81)
}

/// Whether a custom number format shows a date: a d, m, y, h or s outside
/// quoted text and `[...]` sections.
fn date_format(code: &str) -> bool {
    let mut quoted = false;
    let mut bracket = false;
    let mut escaped = false;
    for c in code.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '[' if !quoted => bracket = true,
            ']' if !quoted => bracket = false,
            'd' | 'D' | 'm' | 'M' | 'y' | 'Y' | 'h' | 'H' | 's' | 'S' if !quoted && !bracket => {
                return true;
            }
            _ => {}
        }
    }
    false
}

fn date_styles(
    archive: &mut Archive<'_>,
    budget: &Budget,
    path: &str,
) -> Result<Vec<bool>, Refusal> {
    let Some(mut xml) = open(archive, budget, path)? else {
        return Ok(Vec::new());
    };
    let mut custom: HashMap<u32, bool> = HashMap::new();
    let mut xfs: Vec<u32> = Vec::new();
    let mut in_xfs = false;
    loop {
        match xml.next()? {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "numFmt" if custom.len() < MAX_STYLES => {
                    if let Some(id) = attr(&e, "numFmtId").and_then(|v| v.parse().ok()) {
                        let code = attr(&e, "formatCode").unwrap_or_default();
                        custom.insert(id, date_format(&code));
                    }
                }
                "cellXfs" => in_xfs = true,
                "xf" if in_xfs && xfs.len() < MAX_STYLES => {
                    xfs.push(
                        attr(&e, "numFmtId")
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(0),
                    );
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "cellXfs" => in_xfs = false,
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(xfs
        .into_iter()
        .map(|id| custom.get(&id).copied().unwrap_or_else(|| builtin_date(id)))
        .collect())
}

/// `B12` → (column 1, row 11), both 0-based; `None` if it is not a reference.
fn cell_ref(r: &str) -> Option<(u64, u64)> {
    let letters = r.bytes().take_while(u8::is_ascii_alphabetic).count();
    let (l, d) = r.split_at(letters);
    if letters == 0 || letters > 4 || d.is_empty() || d.len() > 10 {
        return None;
    }
    let mut col = 0u64;
    for b in l.bytes() {
        col = col * 26 + u64::from(b.to_ascii_uppercase() - b'A' + 1);
    }
    let row: u64 = d.parse().ok()?;
    Some((col - 1, row.checked_sub(1)?))
}

#[derive(Default)]
struct CellBuild {
    row: u64,
    col: u64,
    kind: String,
    style: usize,
    v: Option<String>,
    inline: Option<String>,
    chars: usize,
}

#[allow(clippy::too_many_arguments)]
fn sheet(
    archive: &mut Archive<'_>,
    budget: &Budget,
    path: &str,
    strings: &[Text],
    dates: &[bool],
    date1904: bool,
    sink: &mut Collector<'_>,
) -> Result<(), Refusal> {
    let Some(mut xml) = open(archive, budget, path)? else {
        return Ok(());
    };
    let mut row: u64 = 0; // 0-based row of the current <row>
    let mut next_col: u64 = 0;
    let mut cell: Option<CellBuild> = None;
    let mut in_v = false;
    let mut in_is_t = false;
    let mut phonetic = 0usize;
    let mut seen_row = false;
    loop {
        let event = xml.next()?;
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.local_name().as_ref() {
                    "row" => {
                        row = match attr(e, "r").and_then(|r| r.parse::<u64>().ok()) {
                            Some(r) => r.saturating_sub(1),
                            None if seen_row => row.saturating_add(1),
                            None => 0,
                        };
                        seen_row = true;
                        next_col = 0;
                    }
                    "c" => {
                        let (col, r) = attr(e, "r")
                            .and_then(|r| cell_ref(&r))
                            .unwrap_or((next_col, row));
                        next_col = col.saturating_add(1);
                        if !empty {
                            cell = Some(CellBuild {
                                row: r,
                                col,
                                kind: attr(e, "t").unwrap_or_default(),
                                style: attr(e, "s").and_then(|s| s.parse().ok()).unwrap_or(0),
                                ..CellBuild::default()
                            });
                        }
                    }
                    "v" if !empty => {
                        in_v = true;
                        if let Some(c) = cell.as_mut() {
                            c.v.get_or_insert_with(String::new);
                        }
                    }
                    "rPh" if !empty => phonetic += 1,
                    "t" if !empty => {
                        in_is_t = true;
                        if let Some(c) = cell.as_mut() {
                            c.inline.get_or_insert_with(String::new);
                        }
                    }
                    _ => {}
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "row" if sink.end_row()? == Flow::NextSheet => return Ok(()),
                "c" => {
                    if let Some(c) = cell.take() {
                        let value = value_of(c.kind.as_str(), &c, strings, dates, date1904);
                        let r = u32::try_from(c.row).unwrap_or(u32::MAX);
                        let col = u32::try_from(c.col).unwrap_or(u32::MAX);
                        if let Some(value) = value
                            && sink.cell(r, col, value)? == Flow::NextSheet
                        {
                            return Ok(());
                        }
                    }
                }
                "v" => in_v = false,
                "rPh" => phonetic = phonetic.saturating_sub(1),
                "t" => in_is_t = false,
                _ => {}
            },
            Event::Eof => break,
            other => {
                if let Some(c) = cell.as_mut() {
                    if in_v && let Some(v) = c.v.as_mut() {
                        grow(budget, other, v, &mut c.chars)?;
                    } else if in_is_t
                        && phonetic == 0
                        && let Some(t) = c.inline.as_mut()
                    {
                        grow(budget, other, t, &mut c.chars)?;
                    }
                }
            }
        }
    }
    Ok(())
}

fn value_of(
    kind: &str,
    c: &CellBuild,
    strings: &[Text],
    dates: &[bool],
    date1904: bool,
) -> Option<Value> {
    let v = c.v.as_deref().map(str::trim);
    Some(match kind {
        "s" => Value::Text(strings.get(v?.parse::<usize>().ok()?)?.clone()),
        "str" | "d" => Value::text_of(v?),
        "inlineStr" => Value::text_of(c.inline.as_deref()?),
        "b" => Value::Bool(v? == "1"),
        "e" => Value::Error,
        _ => {
            let v = v?;
            match v.parse::<f64>() {
                Ok(f) if f.is_finite() => {
                    if dates.get(c.style).copied().unwrap_or(false) {
                        Value::Date(if date1904 { f + 1462.0 } else { f })
                    } else {
                        Value::Number(f)
                    }
                }
                _ => Value::text_of(v),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_formats() {
        assert_eq!(cell_ref("A1"), Some((0, 0)));
        assert_eq!(cell_ref("XFD1048576"), Some((16_383, 1_048_575)));
        assert_eq!(cell_ref("XFE1"), Some((16_384, 0)));
        assert_eq!(cell_ref("A0"), None);
        assert_eq!(cell_ref("1A"), None);
        assert!(date_format("dd/mm/yyyy"));
        assert!(!date_format("0.00"));
        assert!(!date_format("\"dd\"0"));
        assert!(!date_format("General"));
        assert!(!date_format("[Red]0"));
    }
}
