//! xls (BIFF in a CFB container), through calamine. Only the sandboxed
//! child reads xls (see [`crate::Limits::allow_xls`]): calamine sizes some
//! of its work by what the file declares, and a child with an address-space
//! limit is where that cannot hurt.

use std::io::Cursor;

use calamine::{Data, Reader, Xls};

use crate::Refusal;
use crate::budget::Budget;
use crate::sink::{Collector, Flow};
use crate::value::Value;

pub(crate) fn read(bytes: &[u8], budget: &Budget, sink: &mut Collector<'_>) -> Result<(), Refusal> {
    let mut book: Xls<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsError| Refusal::Unreadable(e.to_string()))?;
    let names = book.sheet_names();
    for _ in &names {
        sink.count_sheet()?;
    }
    for (i, name) in names.iter().enumerate() {
        let Some(range) = book.worksheet_range_at(i) else {
            continue;
        };
        let range = range.map_err(|e| Refusal::Unreadable(e.to_string()))?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        sink.begin_sheet(name);
        for (r, c, data) in range.used_cells() {
            let value = match data {
                Data::String(s) => {
                    budget.cell_chars(s.chars().count())?;
                    budget.text(s.len())?;
                    Value::text_of(s)
                }
                Data::Int(i) => Value::Number(*i as f64),
                Data::Float(f) => Value::Number(*f),
                Data::Bool(b) => Value::Bool(*b),
                Data::DateTime(d) => Value::Date(d.as_f64()),
                Data::DateTimeIso(s) | Data::DurationIso(s) => Value::text_of(s),
                Data::Error(_) => Value::Error,
                Data::Empty => continue,
            };
            let row = r0.saturating_add(r as u32);
            let col = c0.saturating_add(c as u32);
            if sink.cell(row, col, value)? == Flow::NextSheet {
                break;
            }
        }
        sink.end_sheet()?;
        if sink.finished() {
            break;
        }
    }
    Ok(())
}
