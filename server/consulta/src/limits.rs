//! The caps every read is held to, and the workbook rules' numbers.

use std::time::Duration;

/// Largest file accepted.
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;
/// Most rows in a query by CUI.
pub const MAX_CUI_ROWS: usize = 50_000;
/// Most rows in a query by names.
pub const MAX_NAMES_ROWS: usize = 3_000;
/// Longest text a used cell may have; a longer one rejects its row (not the file).
pub const MAX_CELL_CHARS: usize = 200;
/// Rows scanned for a header (non-blank rows from the top of a sheet).
pub const HEADER_SCAN_ROWS: usize = 30;
/// Columns read; anything further right is not part of a query.
pub const MAX_COLUMNS: u32 = 256;
/// Excel's last row (1-based).
pub const EXCEL_MAX_ROWS: u64 = 1_048_576;
/// Excel's last column (XFD, 1-based).
pub const EXCEL_MAX_COLS: u64 = 16_384;
/// Excel's longest cell.
pub const EXCEL_MAX_CELL_CHARS: usize = 32_767;

/// Hard caps on one read. Each, when reached, refuses the whole file with
/// its own [`crate::Refusal`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Size of the file itself.
    pub file_bytes: u64,
    /// Decompressed bytes of one zip entry, counted as they are inflated.
    pub entry_bytes: u64,
    /// Decompressed bytes of all the entries read.
    pub total_bytes: u64,
    /// Entries in the zip's central directory.
    pub zip_entries: usize,
    /// Sheets in the workbook.
    pub sheets: usize,
    /// Non-blank cells produced, over all sheets read.
    pub cells: u64,
    /// Characters of one cell.
    pub cell_chars: usize,
    /// Decoded text produced (shared strings, inline strings, rows kept).
    pub text_bytes: u64,
    /// XML element nesting.
    pub xml_depth: usize,
    /// Wall-clock time of the read.
    pub time: Duration,
    /// Whether xls (BIFF, read by calamine) is allowed: only in the sandboxed child.
    pub allow_xls: bool,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            file_bytes: MAX_FILE_BYTES,
            entry_bytes: 128 * 1024 * 1024,
            total_bytes: 256 * 1024 * 1024,
            zip_entries: 10_000,
            sheets: 256,
            cells: 3_000_000,
            cell_chars: EXCEL_MAX_CELL_CHARS,
            text_bytes: 64 * 1024 * 1024,
            xml_depth: 64,
            time: Duration::from_secs(30),
            allow_xls: false,
        }
    }
}
