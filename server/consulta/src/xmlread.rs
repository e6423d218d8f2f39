//! quick-xml with a nesting cap and the clock, and the few helpers every
//! reader needs (text with entity references, attributes by local name).

use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};

use crate::Refusal;
use crate::budget::Budget;

pub(crate) struct Xml<'b, R: BufRead> {
    reader: quick_xml::Reader<R>,
    buf: Vec<u8>,
    depth: usize,
    budget: &'b Budget,
}

impl<'b, R: BufRead> Xml<'b, R> {
    pub fn new(input: R, budget: &'b Budget) -> Xml<'b, R> {
        let mut reader = quick_xml::Reader::from_reader(input);
        reader.config_mut().check_end_names = true;
        Xml {
            reader,
            buf: Vec::new(),
            depth: 0,
            budget,
        }
    }

    /// The next event; `Eof` at the end.
    pub fn next(&mut self) -> Result<Event<'_>, Refusal> {
        self.next_at().map(|(e, _)| e)
    }

    /// The next event and the depth after it (a start's own depth, an end's parent's).
    pub fn next_at(&mut self) -> Result<(Event<'_>, usize), Refusal> {
        self.buf.clear();
        let budget = self.budget;
        let event = self.reader.read_event_into(&mut self.buf).map_err(|e| {
            budget
                .take_refusal()
                .map(|r| budget.refuse(r))
                .unwrap_or_else(|| Refusal::Unreadable(format!("XML: {e}")))
        })?;
        match &event {
            Event::Start(_) => {
                self.depth += 1;
                if self.depth > budget.limits.xml_depth {
                    return Err(budget.refuse(Refusal::TooDeep(budget.limits.xml_depth as u64)));
                }
            }
            Event::End(_) => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        budget.tick()?;
        Ok((event, self.depth))
    }
}

/// Appends an event's text (text, CDATA, an entity reference) to `out`;
/// returns whether it was text at all.
pub(crate) fn push_text(event: &Event<'_>, out: &mut String) -> Result<bool, Refusal> {
    match event {
        Event::Text(t) => out.push_str(&t.xml10_content()),
        Event::CData(t) => out.push_str(&t.xml10_content()),
        Event::GeneralRef(r) => {
            let name: &str = r;
            let plain = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => None,
            };
            match plain {
                Some(c) => out.push(c),
                None => match r.resolve_char_ref() {
                    Ok(Some(c)) => out.push(c),
                    _ => return Err(Refusal::Unreadable(format!("XML: entidad &{name};"))),
                },
            }
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// An attribute's value by its local name (`r`, `t`, `table:number-rows-repeated` → `number-rows-repeated`).
pub(crate) fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}
