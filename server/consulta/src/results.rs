//! Writing the result workbook.
//!
//! Sheet `resultados` has exactly the columns of the specification, one row
//! per query row in the same order. Every text cell is written as a string
//! (a name such as `=1+1` or `@SUMA` stays text, never a formula), dates are
//! real Excel dates, the score is a number. Sheet `resumen` has the counts
//! and the processing facts; for names queries, sheet `candidatos` lists the
//! scored candidates of each `AMBIGUO` row.
//!
//! Coincidencias (DOMAIN.md, "Beneficiaries across programmes"): rows that
//! resolve (`ENCONTRADO`) to the same registry person are marked in column
//! `duplicado_de` with the other rows' references, and counted in `resumen`:
//! a programme paying the same person twice is what an auditor looks for first.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use crate::matching::{Decision, RowOutcome};
use crate::registry::date::Day;
use crate::registry::record::RegistryRecord;

use crate::queries::{QueryMode, QueryWorkbook, RowQuery};

/// The columns of `resultados`, in order.
pub const RESULT_COLUMNS: [&str; 20] = [
    "referencia",
    "cui",
    "primer_nombre",
    "segundo_nombre",
    "tercer_nombre",
    "primer_apellido",
    "segundo_apellido",
    "apellido_casada",
    "sexo",
    "pais_nacimiento",
    "departamento_nacimiento",
    "municipio_nacimiento",
    "fecha_nacimiento",
    "fallecido",
    "fecha_defuncion",
    "fecha_inscripcion_defuncion",
    "resultado",
    "puntaje",
    "observaciones",
    "duplicado_de",
];

/// The columns of `candidatos`, in order.
pub const CANDIDATE_COLUMNS: [&str; 17] = [
    "referencia",
    "fila",
    "candidato",
    "puntaje",
    "cui",
    "primer_nombre",
    "segundo_nombre",
    "tercer_nombre",
    "primer_apellido",
    "segundo_apellido",
    "apellido_casada",
    "sexo",
    "fecha_nacimiento",
    "departamento_nacimiento",
    "municipio_nacimiento",
    "fallecido",
    "lo_distingue",
];

/// Facts about the job for the `resumen` sheet.
#[derive(Debug, Clone, Default)]
pub struct JobFacts {
    /// The query workbook's file name, as uploaded.
    pub input_name: String,
    /// When the job started, as the summary sheet shows it.
    pub started_at: String,
    /// How long matching took, in seconds.
    pub seconds: f64,
    /// Persons in the registry the job matched against.
    pub registry_persons: u64,
    /// File name of the CSV that registry was imported from.
    pub registry_source: String,
    /// When that registry was imported.
    pub registry_imported_at: String,
    /// The bar an `ENCONTRADO` by names had to reach (the installation's
    /// [`crate::matching::settings::MatchingSettings::found_probability`]).
    pub found_probability: f64,
}

struct Formats {
    header: Format,
    date: Format,
    score: Format,
}

/// Writes a text cell as a string (never a formula); empty text leaves the cell blank.
fn text(ws: &mut Worksheet, row: u32, col: u16, value: &str) -> Result<(), XlsxError> {
    if !value.is_empty() {
        ws.write_string(row, col, value)?;
    }
    Ok(())
}

fn date(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    value: Option<Day>,
    f: &Formats,
) -> Result<(), XlsxError> {
    if let Some(d) = value {
        ws.write_number_with_format(row, col, d.excel_serial(), &f.date)?;
    }
    Ok(())
}

fn header(ws: &mut Worksheet, columns: &[&str], f: &Formats) -> Result<(), XlsxError> {
    for (i, c) in columns.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *c, &f.header)?;
    }
    Ok(())
}

fn person_names(
    ws: &mut Worksheet,
    row: u32,
    first_col: u16,
    p: &RegistryRecord,
) -> Result<(), XlsxError> {
    let values = [
        &p.given[0],
        &p.given[1],
        &p.given[2],
        &p.first_surname,
        &p.second_surname,
        &p.married_surname,
    ];
    for (i, v) in values.iter().enumerate() {
        text(ws, row, first_col + i as u16, v)?;
    }
    Ok(())
}

/// Counts of rows by result, in [`RowOutcome::ALL`] order.
pub fn counts(decisions: &[Decision]) -> [usize; 5] {
    let mut out = [0; 5];
    for d in decisions {
        if let Some(i) = RowOutcome::ALL.iter().position(|o| *o == d.outcome) {
            out[i] += 1;
        }
    }
    out
}

/// For each row, the other rows that resolved to the same registry person
/// (indices into `decisions`, in row order); empty for a row whose person is
/// in no other row, or that did not resolve (`ENCONTRADO`) to anyone.
pub fn duplicates(decisions: &[Decision]) -> Vec<Vec<usize>> {
    let mut by_person: std::collections::HashMap<String, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, d) in decisions.iter().enumerate() {
        if d.outcome == RowOutcome::Encontrado
            && let Some(p) = &d.person
        {
            by_person.entry(p.cui.to_string()).or_default().push(i);
        }
    }
    let mut out = vec![Vec::new(); decisions.len()];
    for rows in by_person.values().filter(|rows| rows.len() > 1) {
        for &i in rows {
            out[i] = rows.iter().copied().filter(|j| *j != i).collect();
        }
    }
    out
}

/// Rows marked as duplicates, and the persons they are (for `resumen` and the job's counts).
pub fn duplicate_counts(dups: &[Vec<usize>]) -> (usize, usize) {
    let rows = dups.iter().filter(|d| !d.is_empty()).count();
    // Each person of k rows has k marked rows, each naming k − 1 others.
    let persons = dups
        .iter()
        .filter(|d| !d.is_empty())
        .map(|d| 1.0 / (d.len() + 1) as f64)
        .sum::<f64>()
        .round() as usize;
    (rows, persons)
}

/// How a row is named in `duplicado_de`: its reference, or its sheet row
/// when the institution left the reference blank.
fn row_label(row: &crate::queries::QueryRow) -> String {
    if row.reference.trim().is_empty() {
        format!("fila {}", row.row)
    } else {
        row.reference.clone()
    }
}

/// The result workbook as xlsx bytes. `decisions[i]` answers `workbook.rows[i]`.
pub fn write_results(
    workbook: &QueryWorkbook,
    decisions: &[Decision],
    facts: &JobFacts,
) -> Result<Vec<u8>, XlsxError> {
    let f = Formats {
        header: Format::new().set_bold(),
        date: Format::new().set_num_format("dd/mm/yyyy"),
        score: Format::new().set_num_format("0.0"),
    };
    let dups = duplicates(decisions);
    let (dup_rows, dup_persons) = duplicate_counts(&dups);
    let mut book = Workbook::new();
    // Compressing the sheets is most of the cost of writing; level 2 is about
    // twice as fast as the default for a file about 10% larger.
    book.set_zip_compression_level(2);
    {
        let ws = book.add_worksheet_with_constant_memory()?;
        ws.set_name("resultados")?;
        for (i, width) in [
            14, 15, 14, 14, 12, 15, 15, 15, 6, 12, 18, 22, 12, 9, 12, 14, 15, 8, 50, 20,
        ]
        .iter()
        .enumerate()
        {
            ws.set_column_width(i as u16, *width)?;
        }
        ws.set_freeze_panes(1, 0)?;
        header(ws, &RESULT_COLUMNS, &f)?;
        for (i, (row, d)) in workbook.rows.iter().zip(decisions).enumerate() {
            let r = i as u32 + 1;
            text(ws, r, 0, &row.reference)?;
            match (&d.person, &row.query) {
                (Some(p), _) => {
                    text(ws, r, 1, &p.cui.to_string())?;
                    person_names(ws, r, 2, p)?;
                    text(ws, r, 8, &p.sex.to_string())?;
                    text(ws, r, 9, &p.country)?;
                    text(ws, r, 10, &p.department)?;
                    text(ws, r, 11, &p.municipality)?;
                    date(ws, r, 12, Some(p.born), &f)?;
                    text(ws, r, 13, if p.deceased { "SI" } else { "NO" })?;
                    date(ws, r, 14, p.died, &f)?;
                    date(ws, r, 15, p.death_registered, &f)?;
                }
                (None, RowQuery::Cui(cui)) => text(ws, r, 1, cui)?,
                (None, RowQuery::Names(_)) => {}
            }
            text(ws, r, 16, d.outcome.as_str())?;
            if let Some(p) = d.probability {
                ws.write_number_with_format(r, 17, (p * 1000.0).round() / 10.0, &f.score)?;
            }
            let mut notes = d.notes.clone();
            for remark in &row.remarks {
                if !notes.is_empty() {
                    notes.push_str("; ");
                }
                notes.push_str(remark);
            }
            text(ws, r, 18, &notes)?;
            if !dups[i].is_empty() {
                let others: Vec<String> = dups[i]
                    .iter()
                    .map(|j| row_label(&workbook.rows[*j]))
                    .collect();
                text(ws, r, 19, &others.join(", "))?;
            }
        }
    }
    {
        let ws = book.add_worksheet_with_constant_memory()?;
        ws.set_name("resumen")?;
        ws.set_column_width(0, 34)?;
        ws.set_column_width(1, 40)?;
        header(ws, &["concepto", "valor"], &f)?;
        let mut r = 1;
        let mut line =
            |ws: &mut Worksheet, label: &str, value: Value<'_>| -> Result<(), XlsxError> {
                ws.write_string(r, 0, label)?;
                match value {
                    Value::Text(t) => text(ws, r, 1, t)?,
                    Value::Number(n) => {
                        ws.write_number(r, 1, n)?;
                    }
                }
                r += 1;
                Ok(())
            };
        line(ws, "archivo", Value::Text(&facts.input_name))?;
        line(ws, "hoja leída", Value::Text(&workbook.sheet))?;
        line(ws, "modo de consulta", Value::Text(workbook.mode.as_str()))?;
        line(
            ws,
            "filas consultadas",
            Value::Number(workbook.rows.len() as f64),
        )?;
        for (outcome, n) in RowOutcome::ALL.iter().zip(counts(decisions)) {
            line(ws, outcome.as_str(), Value::Number(n as f64))?;
        }
        line(
            ws,
            "filas duplicadas (misma persona en otra fila)",
            Value::Number(dup_rows as f64),
        )?;
        line(
            ws,
            "personas en más de una fila",
            Value::Number(dup_persons as f64),
        )?;
        line(
            ws,
            "inicio del proceso (UTC)",
            Value::Text(&facts.started_at),
        )?;
        line(
            ws,
            "duración del proceso (s)",
            Value::Number((facts.seconds * 100.0).round() / 100.0),
        )?;
        line(
            ws,
            "personas en el registro",
            Value::Number(facts.registry_persons as f64),
        )?;
        line(
            ws,
            "registro importado de",
            Value::Text(&facts.registry_source),
        )?;
        line(
            ws,
            "registro importado el (UTC)",
            Value::Text(&facts.registry_imported_at),
        )?;
        if workbook.mode == QueryMode::Names {
            line(
                ws,
                "ENCONTRADO exige probabilidad ≥ (%)",
                Value::Number(facts.found_probability * 100.0),
            )?;
        }
        line(
            ws,
            "motor",
            Value::Text(concat!("padron-server ", env!("CARGO_PKG_VERSION"))),
        )?;
    }
    if workbook.mode == QueryMode::Names {
        let ws = book.add_worksheet_with_constant_memory()?;
        ws.set_name("candidatos")?;
        ws.set_freeze_panes(1, 0)?;
        header(ws, &CANDIDATE_COLUMNS, &f)?;
        let mut r = 1;
        for (row, d) in workbook.rows.iter().zip(decisions) {
            for (rank, c) in d.candidates.iter().enumerate() {
                let p = &c.person;
                text(ws, r, 0, &row.reference)?;
                ws.write_number(r, 1, f64::from(row.row))?;
                ws.write_number(r, 2, rank as f64 + 1.0)?;
                ws.write_number_with_format(
                    r,
                    3,
                    (c.probability * 1000.0).round() / 10.0,
                    &f.score,
                )?;
                text(ws, r, 4, &p.cui.to_string())?;
                person_names(ws, r, 5, p)?;
                text(ws, r, 11, &p.sex.to_string())?;
                date(ws, r, 12, Some(p.born), &f)?;
                text(ws, r, 13, &p.department)?;
                text(ws, r, 14, &p.municipality)?;
                text(ws, r, 15, if p.deceased { "SI" } else { "NO" })?;
                text(ws, r, 16, &distinguishing(p, &d.candidates))?;
                r += 1;
            }
        }
    }
    book.save_to_buffer()
}

/// What tells a candidate apart from the others listed for its row, so a
/// clerk who knows the person decides at once: the values of date of
/// birth, place of birth, sex and the names the row may have left out,
/// where they are not the same for every candidate.
pub fn distinguishing(p: &RegistryRecord, all: &[crate::matching::Candidate]) -> String {
    let facts = |q: &RegistryRecord| -> [(&'static str, String); 5] {
        [
            ("nacido el", q.born.to_string()),
            (
                "en",
                format!("{}, {}", q.municipality, q.department)
                    .trim_matches([',', ' '])
                    .to_owned(),
            ),
            ("sexo", q.sex.to_string()),
            ("segundo nombre", q.given[1].clone()),
            ("segundo apellido", q.second_surname.clone()),
        ]
    };
    let mine = facts(p);
    let others: Vec<_> = all
        .iter()
        .filter(|c| c.person.cui != p.cui)
        .map(|c| facts(&c.person))
        .collect();
    let differing: Vec<String> = mine
        .iter()
        .enumerate()
        .filter(|(i, _)| others.iter().any(|o| o[*i].1 != mine[*i].1))
        .map(|(_, (label, value))| {
            if value.is_empty() {
                format!("sin {label}")
            } else {
                format!("{label} {value}")
            }
        })
        .collect();
    if others.is_empty() {
        String::new()
    } else if differing.is_empty() {
        "igual a otro candidato en fecha, lugar, sexo y nombres".to_owned()
    } else {
        differing.join("; ")
    }
}

enum Value<'a> {
    Text(&'a str),
    Number(f64),
}
