//! One cell's value, as the query rules need it.

use std::sync::Arc;

use crate::limits::MAX_CELL_CHARS;

/// Text of a cell: trimmed, its first [`MAX_CELL_CHARS`] characters kept
/// (nothing longer is ever used: a longer cell rejects its row), and its
/// full length. Shared strings are one `Text` each, which every cell that
/// refers to them shares (an `Arc`, never a copy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    kept: Arc<str>,
    chars: u32,
}

impl Text {
    /// The text of a cell typed as `raw`: trimmed, its length counted, its first [`MAX_CELL_CHARS`] characters kept.
    pub fn new(raw: &str) -> Text {
        let t = raw.trim();
        let mut chars = 0u32;
        let mut end = 0usize;
        for (i, c) in t.char_indices() {
            if (chars as usize) < MAX_CELL_CHARS {
                end = i + c.len_utf8();
            }
            chars = chars.saturating_add(1);
        }
        Text {
            kept: Arc::from(&t[..end]),
            chars,
        }
    }

    /// Rebuilds a text from its parts (the wire).
    pub fn from_parts(kept: &str, chars: u32) -> Text {
        let t = Text::new(kept);
        Text {
            kept: t.kept,
            chars: chars.max(t.chars),
        }
    }

    /// The kept text (at most [`MAX_CELL_CHARS`] characters).
    pub fn as_str(&self) -> &str {
        &self.kept
    }

    /// Characters of the whole trimmed text.
    pub fn chars(&self) -> u32 {
        self.chars
    }

    /// Whether the whole text is longer than [`MAX_CELL_CHARS`] (the row is rejected).
    pub fn too_long(&self) -> bool {
        self.chars as usize > MAX_CELL_CHARS
    }

    /// Whether the trimmed text is empty.
    pub fn is_empty(&self) -> bool {
        self.chars == 0
    }
}

/// A non-empty cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A text cell (shared strings included).
    Text(Text),
    /// A numeric cell.
    Number(f64),
    /// An Excel serial date (days since 1899-12-30, 1900 system).
    Date(f64),
    /// A boolean cell.
    Bool(bool),
    /// `#N/A` and the like: reads as empty.
    Error,
}

impl Value {
    /// A text cell of `raw`, as [`Text::new`] keeps it.
    pub fn text_of(raw: &str) -> Value {
        Value::Text(Text::new(raw))
    }

    /// Blank cells are not cells.
    pub fn is_blank(&self) -> bool {
        match self {
            Value::Text(t) => t.is_empty(),
            Value::Error => true,
            _ => false,
        }
    }

    /// A cell as text: numbers without a spurious `.0`, dates as `AAAA-MM-DD`.
    pub fn text(&self) -> String {
        match self {
            Value::Text(t) => t.as_str().to_owned(),
            Value::Number(f) => number_text(*f),
            Value::Bool(b) => if *b { "VERDADERO" } else { "FALSO" }.to_owned(),
            Value::Date(serial) => match serial_to_ymd(*serial) {
                Some((y, m, d)) => format!("{y:04}-{m:02}-{d:02}"),
                None => number_text(*serial),
            },
            Value::Error => String::new(),
        }
    }

    /// A CUI cell: text as typed, or a number with its lost leading zeros restored.
    pub fn cui_text(&self) -> String {
        let t = self.text();
        if matches!(self, Value::Number(_)) && t.len() < 13 && t.bytes().all(|b| b.is_ascii_digit())
        {
            format!("{t:0>13}")
        } else {
            t
        }
    }
}

fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

/// Year, month, day of an Excel serial date (1900 system, with Excel's
/// phantom 29 February 1900).
pub fn serial_to_ymd(serial: f64) -> Option<(i64, u32, u32)> {
    if !serial.is_finite() || !(0.0..3_000_000.0).contains(&serial) {
        return None;
    }
    let mut days = serial.floor() as i64;
    if days < 60 {
        days += 1;
    }
    // Days since 1899-12-30 → civil date (Howard Hinnant's algorithm).
    let z = days - 25_569 + 719_468; // 1970-01-01 is serial 25569
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    Some((if m <= 2 { y + 1 } else { y }, m, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_and_numbers() {
        let long = "x".repeat(1000);
        let t = Text::new(&format!("  {long} "));
        assert_eq!(
            (t.as_str().len(), t.chars(), t.too_long()),
            (200, 1000, true)
        );
        assert_eq!(Value::Number(1_234_567_890_101.0).text(), "1234567890101");
        assert_eq!(Value::Number(123_456_780_101.0).cui_text(), "0123456780101");
        assert_eq!(Value::Date(31_121.0).text(), "1985-03-15");
        assert_eq!(Value::Date(1.0).text(), "1900-01-01");
        assert_eq!(Value::Date(61.0).text(), "1900-03-01");
        assert!(Value::text_of("   ").is_blank());
    }
}
