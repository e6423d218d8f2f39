//! The sandboxed child's answer on its stdout: a [`Workbook`] or a
//! [`Refusal`], in a compact length-prefixed binary form. The parent
//! decodes it with every length checked against what is left.

use crate::columns::{Column, Mode};
use crate::value::{Text, Value};
use crate::{Refusal, Row, Workbook};

const MAGIC: &[u8; 4] = b"PWB1";

/// The answer could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("respuesta del lector ilegible / unreadable reader answer: {0}")]
pub struct WireError(&'static str);

struct Out(Vec<u8>);

impl Out {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.0.extend_from_slice(&v.to_bits().to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u32(u32::try_from(s.len()).unwrap_or(u32::MAX));
        self.0.extend_from_slice(s.as_bytes());
    }
}

struct In<'a>(&'a [u8]);

impl<'a> In<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        if n > self.0.len() {
            return Err(WireError("truncated"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn u8(&mut self) -> Result<u8, WireError> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, WireError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Result<u64, WireError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    fn f64(&mut self) -> Result<f64, WireError> {
        Ok(f64::from_bits(self.u64()?))
    }
    fn str(&mut self) -> Result<String, WireError> {
        let n = self.u32()? as usize;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| WireError("not UTF-8"))
    }
}

fn mode_byte(m: Mode) -> u8 {
    match m {
        Mode::Cui => 0,
        Mode::Names => 1,
    }
}

fn mode_of(b: u8) -> Result<Mode, WireError> {
    match b {
        0 => Ok(Mode::Cui),
        1 => Ok(Mode::Names),
        _ => Err(WireError("mode")),
    }
}

/// The child's answer, as it writes it on stdout.
pub fn encode(result: &Result<Workbook, Refusal>) -> Vec<u8> {
    let mut o = Out(MAGIC.to_vec());
    match result {
        Ok(wb) => {
            o.u8(0);
            o.u8(mode_byte(wb.mode));
            o.str(&wb.sheet);
            o.u32(wb.header_row);
            o.u32(wb.rows.len() as u32);
            for row in &wb.rows {
                o.u32(row.number);
                o.u8(row.cells.len() as u8);
                for (c, v) in &row.cells {
                    o.u8(c.index());
                    match v {
                        Value::Text(t) => {
                            o.u8(0);
                            o.u32(t.chars());
                            o.str(t.as_str());
                        }
                        Value::Number(f) => {
                            o.u8(1);
                            o.f64(*f);
                        }
                        Value::Date(f) => {
                            o.u8(2);
                            o.f64(*f);
                        }
                        Value::Bool(b) => {
                            o.u8(3);
                            o.u8(u8::from(*b));
                        }
                        Value::Error => o.u8(4),
                    }
                }
            }
        }
        Err(r) => {
            o.u8(1);
            refusal(&mut o, r);
        }
    }
    o.0
}

fn refusal(o: &mut Out, r: &Refusal) {
    match r {
        Refusal::Unreadable(s) => {
            o.u8(0);
            o.str(s);
        }
        Refusal::NoHeader { cui, names } => {
            o.u8(1);
            o.str(cui);
            o.str(names);
        }
        Refusal::Empty => o.u8(2),
        Refusal::TooManyRows { mode, rows, limit } => {
            o.u8(3);
            o.u8(mode_byte(*mode));
            o.u64(*rows as u64);
            o.u64(*limit as u64);
        }
        Refusal::TooLarge(n) => {
            o.u8(4);
            o.u64(*n);
        }
        Refusal::ZipBomb => o.u8(5),
        Refusal::TooManyEntries(n) => {
            o.u8(6);
            o.u64(*n);
        }
        Refusal::TooManySheets(n) => {
            o.u8(7);
            o.u64(*n);
        }
        Refusal::TooManyCells(n) => {
            o.u8(8);
            o.u64(*n);
        }
        Refusal::CellTooLong => o.u8(9),
        Refusal::TextTooLarge(n) => {
            o.u8(10);
            o.u64(*n);
        }
        Refusal::TooDeep(n) => {
            o.u8(11);
            o.u64(*n);
        }
        Refusal::OutOfRange { row, col } => {
            o.u8(12);
            o.u64(*row);
            o.u64(*col);
        }
        Refusal::TooSlow(n) => {
            o.u8(13);
            o.u64(*n);
        }
        Refusal::Encrypted => o.u8(14),
        Refusal::Xlsb => o.u8(15),
        Refusal::XlsNeedsIsolation => o.u8(16),
        Refusal::ParseLimit(s) => {
            o.u8(17);
            o.str(s);
        }
        Refusal::ParseFailed(s) => {
            o.u8(18);
            o.str(s);
        }
        Refusal::Busy => o.u8(19),
    }
}

/// Reads a child's answer; an error when it is malformed or truncated, never a panic.
pub fn decode(bytes: &[u8]) -> Result<Result<Workbook, Refusal>, WireError> {
    let mut i = In(bytes);
    if i.take(4)? != MAGIC {
        return Err(WireError("magic"));
    }
    let result = match i.u8()? {
        0 => {
            let mode = mode_of(i.u8()?)?;
            let sheet = i.str()?;
            let header_row = i.u32()?;
            let n = i.u32()? as usize;
            // Each row takes at least five bytes: no reservation beyond what is there.
            let mut rows = Vec::with_capacity(n.min(i.0.len() / 5));
            for _ in 0..n {
                let number = i.u32()?;
                let k = i.u8()?;
                let mut cells = Vec::with_capacity(usize::from(k));
                for _ in 0..k {
                    let column = Column::from_index(i.u8()?).ok_or(WireError("column"))?;
                    let value = match i.u8()? {
                        0 => {
                            let chars = i.u32()?;
                            Value::Text(Text::from_parts(&i.str()?, chars))
                        }
                        1 => Value::Number(i.f64()?),
                        2 => Value::Date(i.f64()?),
                        3 => Value::Bool(i.u8()? != 0),
                        4 => Value::Error,
                        _ => return Err(WireError("value")),
                    };
                    cells.push((column, value));
                }
                rows.push(Row { number, cells });
            }
            Ok(Workbook {
                mode,
                sheet,
                header_row,
                rows,
            })
        }
        1 => Err(match i.u8()? {
            0 => Refusal::Unreadable(i.str()?),
            1 => Refusal::NoHeader {
                cui: i.str()?,
                names: i.str()?,
            },
            2 => Refusal::Empty,
            3 => Refusal::TooManyRows {
                mode: mode_of(i.u8()?)?,
                rows: i.u64()? as usize,
                limit: i.u64()? as usize,
            },
            4 => Refusal::TooLarge(i.u64()?),
            5 => Refusal::ZipBomb,
            6 => Refusal::TooManyEntries(i.u64()?),
            7 => Refusal::TooManySheets(i.u64()?),
            8 => Refusal::TooManyCells(i.u64()?),
            9 => Refusal::CellTooLong,
            10 => Refusal::TextTooLarge(i.u64()?),
            11 => Refusal::TooDeep(i.u64()?),
            12 => Refusal::OutOfRange {
                row: i.u64()?,
                col: i.u64()?,
            },
            13 => Refusal::TooSlow(i.u64()?),
            14 => Refusal::Encrypted,
            15 => Refusal::Xlsb,
            16 => Refusal::XlsNeedsIsolation,
            17 => Refusal::ParseLimit(i.str()?),
            18 => Refusal::ParseFailed(i.str()?),
            19 => Refusal::Busy,
            _ => return Err(WireError("refusal")),
        }),
        _ => return Err(WireError("tag")),
    };
    if !i.0.is_empty() {
        return Err(WireError("trailing bytes"));
    }
    Ok(result)
}
