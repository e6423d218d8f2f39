//! `padron-agent query template`: an empty query workbook with the right
//! columns, or one filled from a CSV the institution exported.

use std::path::Path;

use padron_consulta::Mode;
use padron_consulta::limits::{MAX_CUI_ROWS, MAX_NAMES_ROWS};
use rust_xlsxwriter::{Format, Workbook};

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("no se puede leer {0}: {1}")]
    Read(String, std::io::Error),
    #[error("el CSV no tiene la columna «{0}» (se esperan: {1}) / the CSV lacks column «{0}»")]
    MissingColumn(String, String),
    #[error("el CSV tiene {0} filas; el máximo es {1} / the CSV has {0} rows; at most {1}")]
    TooManyRows(usize, usize),
    #[error("no se pudo escribir el libro / could not write the workbook: {0}")]
    Write(#[from] rust_xlsxwriter::XlsxError),
}

/// Folds a header for comparison: lower case, no accents, no spaces or `_`.
fn fold(header: &str) -> String {
    header
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_')
        .map(|c| match c.to_lowercase().next().unwrap_or(c) {
            'á' => 'a',
            'é' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' | 'ü' => 'u',
            other => other,
        })
        .collect()
}

/// Splits one CSV line (RFC 4180 quoting).
pub(crate) fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    out.push(field);
    out
}

/// Writes the template for `names` (by names) or by CUI, with the rows of
/// `csv` when given. Every cell is text, so CUIs keep their digits.
pub fn write(names: bool, csv: Option<&Path>, out: &Path) -> Result<usize, TemplateError> {
    let titles = if names { Mode::Names } else { Mode::Cui }.titles();
    let columns: &[&str] = &titles;
    let limit = if names { MAX_NAMES_ROWS } else { MAX_CUI_ROWS };
    let mut rows: Vec<Vec<String>> = Vec::new();
    if let Some(csv) = csv {
        let text = std::fs::read_to_string(csv)
            .map_err(|e| TemplateError::Read(csv.display().to_string(), e))?;
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let header: Vec<String> = lines.next().map(split_csv).unwrap_or_default();
        // A CSV header is recognised by the workbook reader's own aliases,
        // or else by its folded spelling.
        let folded: Vec<String> = header.iter().map(|h| fold(h)).collect();
        let known: Vec<Option<padron_consulta::Column>> = header
            .iter()
            .map(|h| padron_consulta::Column::recognise(h))
            .collect();
        let mut index = Vec::new();
        for column in columns {
            let wanted = padron_consulta::Column::recognise(column);
            let found = known
                .iter()
                .position(|k| k.is_some() && *k == wanted)
                .or_else(|| folded.iter().position(|h| *h == fold(column)));
            match found {
                Some(i) => index.push(Some(i)),
                None if *column == "Fecha de nacimiento"
                    || column.starts_with("Segundo")
                    || column.starts_with("Tercer")
                    || *column == "Apellido de casada"
                    || column.ends_with("(opcional)") =>
                {
                    index.push(None)
                }
                None => {
                    return Err(TemplateError::MissingColumn(
                        (*column).to_owned(),
                        columns.join(", "),
                    ));
                }
            }
        }
        for line in lines {
            let fields = split_csv(line);
            rows.push(
                index
                    .iter()
                    .map(|i| i.and_then(|i| fields.get(i).cloned()).unwrap_or_default())
                    .collect(),
            );
        }
        if rows.len() > limit {
            return Err(TemplateError::TooManyRows(rows.len(), limit));
        }
    }
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("consulta")?;
    let bold = Format::new().set_bold();
    for (c, h) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        sheet.set_column_width(c as u16, 18)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            if !value.is_empty() {
                sheet.write_string(r as u32 + 1, c as u16, value)?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save(out)?;
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_with_quotes_and_commas() {
        assert_eq!(
            split_csv(r#"a,"b, c","d ""e""",,f"#),
            vec!["a", "b, c", "d \"e\"", "", "f"]
        );
    }

    #[test]
    fn headers_fold_like_the_server_reads_them() {
        assert_eq!(fold("Primer_Nombre"), fold("primer nombre"));
        assert_eq!(fold("Fecha de Nacimiento"), fold("fecha_de_nacimiento"));
        assert_eq!(fold("REFERENCIA"), "referencia");
    }
}
