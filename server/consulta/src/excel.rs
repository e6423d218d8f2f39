//! Dates in the workbooks Padrón writes (results and reports, on the server
//! and in the agent): stored stamps become Excel date-times, so a person can
//! sort and filter them, never text that merely looks like a date.

use rust_xlsxwriter::{ExcelDateTime, Format, Worksheet, XlsxError};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Writes a stored RFC 3339 stamp as an Excel date-time in the stamp's own
/// offset; writes nothing when the stamp is absent or unreadable.
pub fn write_stamp(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    stamp: Option<&str>,
    format: &Format,
) -> Result<(), XlsxError> {
    let Some(at) = stamp.and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok()) else {
        return Ok(());
    };
    let x = ExcelDateTime::from_ymd(at.year() as u16, at.month() as u8, at.day())?.and_hms(
        at.hour() as u16,
        at.minute(),
        at.second(),
    )?;
    ws.write_datetime_with_format(row, col, &x, format)?;
    Ok(())
}
