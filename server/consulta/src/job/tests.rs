//! Reading edge cases, every whole-file refusal, and the safety of what is written.

use std::io::Write;

use calamine::{Data, Reader};
use rust_xlsxwriter::{Formula, Workbook};

use crate::job::{run_job, run_job_with};
use crate::queries::{MAX_NAMES_ROWS, QueryMode, RowQuery, WorkbookError, read_workbook};
use crate::registry::date::Day;
use crate::registry::store::Registry;
use crate::results::RESULT_COLUMNS;

/// A cell to put in a test workbook.
enum C<'a> {
    S(&'a str),
    N(f64),
    D(Day),
    F(&'a str, &'a str),
    Blank,
}

fn xlsx(sheets: &[(&str, Vec<Vec<C<'_>>>)]) -> Vec<u8> {
    let mut book = Workbook::new();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    for (name, rows) in sheets {
        let ws = book.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    C::S(s) => {
                        ws.write_string(r, c, *s).unwrap();
                    }
                    C::N(n) => {
                        ws.write_number(r, c, *n).unwrap();
                    }
                    C::D(d) => {
                        ws.write_number_with_format(r, c, d.excel_serial(), &date)
                            .unwrap();
                    }
                    C::F(f, result) => {
                        ws.write_formula(r, c, Formula::new(*f).set_result(*result))
                            .unwrap();
                    }
                    C::Blank => {}
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

fn cui_of(row: &super::QueryRow) -> &str {
    match &row.query {
        RowQuery::Cui(c) => c,
        RowQuery::Names(_) => panic!("not a CUI row"),
    }
}

#[test]
fn cui_cells_as_numbers_text_spaces_dashes_and_formulas() {
    use C::*;
    let bytes = xlsx(&[(
        "Hoja1",
        vec![
            vec![S("Consulta de beneficiarios")],
            vec![],
            vec![
                S(" REFERÉNCIA "),
                S("cui"),
                S("Observación"),
                S("programa_social"),
            ],
            vec![S("A-1"), N(1_234_567_890_101.0), S("x"), S("Bono")],
            vec![],
            vec![S("A-2"), S("1234 56789 0101"), Blank, S("Bono")],
            vec![S("A-3"), S("1234-56789-0101"), Blank, S("Bono")],
            vec![S("A-4"), N(123_456_780_101.0), Blank, S("Bono")],
            vec![
                S("A-5"),
                F("=\"9876543220101\"", "9876543220101"),
                Blank,
                S("Bono"),
            ],
            vec![S("A-6"), S("1234567890101"), Blank, Blank],
        ],
    )]);
    let wb = read_workbook(&bytes).unwrap();
    assert_eq!(wb.mode, QueryMode::Cui);
    assert_eq!(wb.header_row, 3);
    let cuis: Vec<&str> = wb.rows.iter().map(cui_of).collect();
    assert_eq!(
        cuis,
        [
            "1234567890101",
            "1234 56789 0101",
            "1234-56789-0101",
            "0123456780101",
            "9876543220101",
            "1234567890101"
        ]
    );
    // Spreadsheet row numbers; the blank row is skipped.
    assert_eq!(
        wb.rows.iter().map(|r| r.row).collect::<Vec<_>>(),
        [4, 6, 7, 8, 9, 10]
    );
    assert!(wb.rows[..5].iter().all(|r| r.problem.is_none()));
    assert_eq!(
        wb.rows[5].problem.as_deref(),
        Some("falta el programa social")
    );
}

#[test]
fn names_mode_dates_and_odd_headers() {
    use C::*;
    let born = Day::parse_iso("1985-03-15").unwrap();
    let bytes = xlsx(&[(
        "datos",
        vec![
            vec![
                S("Referencia"),
                S("PRIMER NOMBRE"),
                S("Segundo  nombre"),
                S("Tercer Nombre"),
                S("primer_apellido"),
                S("Segundo Apellido"),
                S("Apellido de Casada"),
                S("Fecha de Nacimiento"),
                S("Programa"),
            ],
            vec![
                S("1"),
                S("María José"),
                Blank,
                Blank,
                S("López"),
                S("García"),
                Blank,
                D(born),
                S("Bolsa"),
            ],
            vec![
                S("2"),
                S("Ana"),
                Blank,
                Blank,
                S("Pop"),
                Blank,
                Blank,
                S("15/03/1985"),
                S("Bolsa"),
            ],
            vec![
                S("3"),
                S("Ana"),
                Blank,
                Blank,
                S("Pop"),
                Blank,
                Blank,
                S("el año pasado"),
                S("Bolsa"),
            ],
            vec![
                S("4"),
                S("Ana"),
                Blank,
                Blank,
                S("Pop"),
                Blank,
                Blank,
                N(31_121.0),
                S("Bolsa"),
            ],
        ],
    )]);
    let wb = read_workbook(&bytes).unwrap();
    assert_eq!(wb.mode, QueryMode::Names);
    let births: Vec<Option<Day>> = wb
        .rows
        .iter()
        .map(|r| match &r.query {
            RowQuery::Names(q) => q.born,
            RowQuery::Cui(_) => None,
        })
        .collect();
    assert_eq!(births, [Some(born), Some(born), None, Some(born)]);
    assert!(wb.rows[2].remarks[0].contains("no reconocida"));
}

#[test]
fn data_on_a_later_sheet_and_extra_columns() {
    use C::*;
    let bytes = xlsx(&[
        ("Instrucciones", vec![vec![S("Llene la hoja siguiente")]]),
        (
            "Datos",
            vec![
                vec![S("Programa"), S("Otra"), S("CUI"), S("Referencia")],
                vec![S("P"), S("z"), S("1234567890101"), S("r")],
            ],
        ),
    ]);
    let wb = read_workbook(&bytes).unwrap();
    assert_eq!(wb.sheet, "Datos");
    assert_eq!(wb.rows[0].reference, "r");
    assert_eq!(wb.rows[0].programme, "P");
}

#[test]
fn huge_strings_reject_the_row_not_the_file() {
    use C::*;
    let huge = "A".repeat(30_000);
    let bytes = xlsx(&[(
        "H",
        vec![
            vec![
                S("Referencia"),
                S("Primer nombre"),
                S("Primer apellido"),
                S("Programa"),
            ],
            vec![S("1"), S(&huge), S("López"), S("P")],
            vec![S(&huge), S("Ana"), S("López"), S("P")],
        ],
    )]);
    let wb = read_workbook(&bytes).unwrap();
    assert!(wb.rows[0].problem.as_deref().unwrap().contains("excede"));
    assert!(
        wb.rows[1]
            .problem
            .as_deref()
            .unwrap()
            .contains("Referencia")
    );
}

#[test]
fn whole_file_refusals() {
    use C::*;
    assert!(matches!(
        read_workbook(b""),
        Err(WorkbookError::Unreadable(_))
    ));
    assert!(matches!(
        read_workbook(b"cui,programa\n1,2\n"),
        Err(WorkbookError::Unreadable(_))
    ));
    let mut truncated = xlsx(&[("H", vec![vec![S("CUI"), S("Programa")]])]);
    truncated.truncate(truncated.len() / 2);
    assert!(matches!(
        read_workbook(&truncated),
        Err(WorkbookError::Unreadable(_))
    ));
    assert_eq!(
        read_workbook(&truncated).unwrap_err().code(),
        padron_shared::ErrorCode::WorkbookUnreadable
    );

    let no_header = read_workbook(&xlsx(&[(
        "H",
        vec![vec![S("nombre completo"), S("dpi?")], vec![S("x"), S("y")]],
    )]))
    .unwrap_err();
    let message = no_header.to_string();
    assert!(
        message.contains("Referencia, CUI, Programa") && message.contains("Primer apellido"),
        "{message}"
    );
    assert!(matches!(
        read_workbook(&xlsx(&[("H", vec![])])),
        Err(WorkbookError::NoHeader { .. })
    ));

    let header_only = xlsx(&[(
        "H",
        vec![
            vec![S("Referencia"), S("CUI"), S("Programa")],
            vec![],
            vec![],
        ],
    )]);
    assert_eq!(
        read_workbook(&header_only).unwrap_err(),
        WorkbookError::Empty
    );

    let mut rows = vec![vec![
        S("Referencia"),
        S("Primer nombre"),
        S("Primer apellido"),
        S("Programa"),
    ]];
    rows.extend((0..=MAX_NAMES_ROWS).map(|_| vec![S("r"), S("Ana"), S("Pop"), S("P")]));
    let err = read_workbook(&xlsx(&[("H", rows)])).unwrap_err();
    assert!(
        matches!(err, WorkbookError::TooManyRows { limit: 3_000, .. }),
        "{err}"
    );

    assert!(matches!(
        read_workbook(&vec![b'P'; 21 * 1024 * 1024]),
        Err(WorkbookError::TooLarge(_))
    ));
    // xls only in the sandboxed child.
    assert_eq!(
        read_workbook(include_bytes!("../../tests/fixtures/consulta_cui.xls")).unwrap_err(),
        WorkbookError::XlsNeedsIsolation
    );
}

#[test]
fn more_than_fifty_thousand_cui_rows_is_refused() {
    let mut book = Workbook::new();
    let ws = book.add_worksheet_with_constant_memory().unwrap();
    for (c, h) in ["Referencia", "CUI", "Programa"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..=50_001u32 {
        ws.write_number(r, 0, f64::from(r)).unwrap();
        ws.write_number(r, 1, 1_234_567_890_101.0).unwrap();
        ws.write_string(r, 2, "P").unwrap();
    }
    let err = read_workbook(&book.save_to_buffer().unwrap()).unwrap_err();
    assert!(
        matches!(err, WorkbookError::TooManyRows { limit: 50_000, .. }),
        "{err}"
    );
}

#[test]
fn zip_bomb_is_refused_by_what_it_inflates_to() {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        zip.start_file("xl/workbook.xml", options).unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..260 {
            zip.write_all(&zeros).unwrap();
        }
        zip.finish().unwrap();
    }
    let bytes = out.into_inner();
    assert!(bytes.len() < 2 * 1024 * 1024);
    assert_eq!(read_workbook(&bytes).unwrap_err(), WorkbookError::ZipBomb);
    assert_eq!(
        WorkbookError::ZipBomb.code(),
        padron_shared::ErrorCode::WorkbookZipBomb
    );
}

/// A registry with one person whose names look like formulas.
fn registry_with_formula_names(dir: &std::path::Path) -> Registry {
    let mut bytes = Vec::new();
    crate::registry::generate::generate(200, 3, &mut bytes, |_| {}).unwrap();
    bytes.extend_from_slice(
        "1234567890101,=HYPERLINK(\"http://x\"),+1,-2,@SUMA(A1),DE LEÓN,,F,GUATEMALA,GUATEMALA,MIXCO,1985-03-15,SI,2020-05-01,2020-05-03\n"
            .as_bytes(),
    );
    let csv = dir.join("r.csv");
    std::fs::write(&csv, bytes).unwrap();
    crate::registry::import::import(dir, &csv, &indicatif::ProgressBar::hidden()).unwrap();
    Registry::open(dir).unwrap()
}

fn read_sheet(bytes: &[u8], name: &str) -> calamine::Range<Data> {
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let formulas = book.worksheet_formula(name).unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "a formula was written in {name}"
    );
    book.worksheet_range(name).unwrap()
}

#[test]
fn results_have_the_exact_columns_strings_and_real_dates() {
    use C::*;
    let dir = tempfile::tempdir().unwrap();
    let registry = registry_with_formula_names(dir.path());
    let input = xlsx(&[(
        "H",
        vec![
            vec![S("Referencia"), S("CUI"), S("Programa")],
            vec![S("=1+1"), S("1234 56789 0101"), S("Bono")],
            vec![S("r2"), S("1234567880101"), S("Bono")],
            vec![S("r3"), S("9876543220101"), S("Bono")],
            vec![S("r4"), S("1234567890101"), Blank],
        ],
    )]);
    let wb = read_workbook(&input).unwrap();
    let result = run_job(
        &registry,
        &wb,
        "in.xlsx",
        time::macros::datetime!(2026-01-05 10:00 UTC),
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(result.counts, [1, 1, 1, 0, 1]);
    let range = read_sheet(&result.xlsx, "resultados");
    let header: Vec<String> = (0..20)
        .map(|c| range.get((0, c)).unwrap().to_string())
        .collect();
    assert_eq!(header, RESULT_COLUMNS);
    assert_eq!(range.get_size().1, 20);
    let cell = |r: usize, c: usize| range.get((r, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(cell(1, 0), Data::String("=1+1".into()));
    assert_eq!(cell(1, 1), Data::String("1234567890101".into()));
    assert_eq!(cell(1, 2), Data::String("=HYPERLINK(\"http://x\")".into()));
    assert_eq!(cell(1, 3), Data::String("+1".into()));
    assert_eq!(cell(1, 4), Data::String("-2".into()));
    assert_eq!(cell(1, 5), Data::String("@SUMA(A1)".into()));
    assert_eq!(cell(1, 13), Data::String("SI".into()));
    assert_eq!(cell(1, 16), Data::String("ENCONTRADO".into()));
    for (col, iso) in [(12, "1985-03-15"), (14, "2020-05-01"), (15, "2020-05-03")] {
        match cell(1, col) {
            Data::DateTime(d) => {
                assert_eq!(
                    d.as_f64(),
                    Day::parse_iso(iso).unwrap().excel_serial(),
                    "{col}"
                );
            }
            other => panic!("column {col} is not a date: {other:?}"),
        }
    }
    assert_eq!(cell(2, 16), Data::String("CUI_INVALIDO".into()));
    assert!(cell(2, 18).to_string().contains("verificador"));
    assert_eq!(cell(3, 16), Data::String("NO_ENCONTRADO".into()));
    assert_eq!(cell(4, 16), Data::String("RECHAZADO".into()));
    assert!(cell(4, 18).to_string().contains("programa"));
    let summary = read_sheet(&result.xlsx, "resumen");
    let text: Vec<String> = summary
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("=")
        })
        .collect();
    assert!(text.iter().any(|l| l == "ENCONTRADO=1"), "{text:?}");
    assert!(
        text.iter()
            .any(|l| l.starts_with("personas en el registro=201")),
        "{text:?}"
    );
}

#[test]
fn names_job_writes_candidates_for_ambiguous_rows() {
    use C::*;
    let dir = tempfile::tempdir().unwrap();
    let registry = registry_with_formula_names(dir.path());
    // Two persons share a name and no date of birth tells them apart.
    let input = xlsx(&[(
        "H",
        vec![
            vec![
                S("Referencia"),
                S("Primer nombre"),
                S("Primer apellido"),
                S("Segundo apellido"),
                S("Programa"),
            ],
            vec![S("x"), S("María"), S("López"), Blank, S("P")],
            vec![S("y"), S("Ana"), Blank, Blank, S("P")],
        ],
    )]);
    let wb = read_workbook(&input).unwrap();
    let result = run_job(
        &registry,
        &wb,
        "in.xlsx",
        time::macros::datetime!(2026-01-05 10:00 UTC),
        &mut |_, _| {},
    )
    .unwrap();
    let range = read_sheet(&result.xlsx, "resultados");
    assert_eq!(range.get((2, 16)).unwrap().to_string(), "RECHAZADO");
    let candidates = read_sheet(&result.xlsx, "candidatos");
    assert_eq!(candidates.get((0, 4)).unwrap().to_string(), "cui");
    if *range.get((1, 16)).unwrap() == "AMBIGUO" {
        assert!(candidates.get_size().0 >= 2);
    }
    // The summary states the bar this job's matches had to reach: the
    // default, or the installation's own.
    let summary = summary_lines(&result.xlsx);
    assert!(
        summary
            .iter()
            .any(|l| l == "ENCONTRADO exige probabilidad ≥ (%)=99"),
        "{summary:?}"
    );
    let strict = crate::matching::engine::MatchingSettings {
        found_probability: 0.995,
        ..Default::default()
    };
    let result = run_job_with(
        &registry,
        strict,
        &wb,
        "in.xlsx",
        time::macros::datetime!(2026-01-05 10:00 UTC),
        &mut |_, _| {},
    )
    .unwrap();
    let summary = summary_lines(&result.xlsx);
    assert!(
        summary
            .iter()
            .any(|l| l == "ENCONTRADO exige probabilidad ≥ (%)=99.5"),
        "{summary:?}"
    );
}

/// A minimal OpenDocument spreadsheet, as LibreOffice would save it.
fn ods(rows: &[&[&str]]) -> Vec<u8> {
    let mut content = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Hoja1">"#,
    );
    for row in rows {
        content.push_str("<table:table-row>");
        for cell in *row {
            content.push_str(&format!(
                r#"<table:table-cell office:value-type="string"><text:p>{cell}</text:p></table:table-cell>"#
            ));
        }
        content.push_str("</table:table-row>");
    }
    content.push_str("</table:table></office:spreadsheet></office:body></office:document-content>");
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let deflated = zip::write::SimpleFileOptions::default();
        zip.start_file("mimetype", stored).unwrap();
        zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
            .unwrap();
        zip.start_file("META-INF/manifest.xml", deflated).unwrap();
        zip.write_all(manifest.as_bytes()).unwrap();
        zip.start_file("content.xml", deflated).unwrap();
        zip.write_all(content.as_bytes()).unwrap();
        zip.finish().unwrap();
    }
    out.into_inner()
}

#[test]
fn ods_workbooks_are_read_like_xlsx() {
    let bytes = ods(&[
        &["Referencia", "Primer Nombre", "Primer Apellido", "Programa"],
        &["o1", "Ana", "Pop", "Bolsa"],
    ]);
    let wb = read_workbook(&bytes).unwrap();
    assert_eq!(wb.mode, QueryMode::Names);
    assert_eq!(wb.rows.len(), 1);
    assert_eq!(wb.rows[0].reference, "o1");
    match &wb.rows[0].query {
        RowQuery::Names(q) => assert_eq!(q.first_surname, "Pop"),
        RowQuery::Cui(_) => panic!("names row expected"),
    }
}

/// xls is read by calamine only in the sandboxed child; these fixtures are
/// ours, so the test reads them in this process with xls allowed.
fn read_xls_too(bytes: &[u8]) -> Result<super::QueryWorkbook, WorkbookError> {
    crate::queries::read_workbook_with(
        bytes,
        &crate::Limits {
            allow_xls: true,
            ..crate::Limits::default()
        },
    )
}

/// Legacy Excel 97–2003 (BIFF) workbooks, as institutions still save them:
/// fixtures converted from their xlsx twins by LibreOffice
/// (`libreoffice --headless --convert-to xls`), so both hold the same cells.
#[test]
fn xls_workbooks_are_read_like_their_xlsx() {
    let fixtures = [
        (
            &include_bytes!("../../tests/fixtures/consulta_nombres.xlsx")[..],
            &include_bytes!("../../tests/fixtures/consulta_nombres.xls")[..],
        ),
        (
            &include_bytes!("../../tests/fixtures/consulta_cui.xlsx")[..],
            &include_bytes!("../../tests/fixtures/consulta_cui.xls")[..],
        ),
    ];
    for (xlsx, xls) in fixtures {
        let a = read_xls_too(xlsx).unwrap();
        let b = read_xls_too(xls).unwrap();
        assert_eq!(a.mode, b.mode);
        assert_eq!((&a.sheet, a.header_row), (&b.sheet, b.header_row));
        // Same rows, row numbers, references, queries, dates and remarks.
        assert_eq!(format!("{:?}", a.rows), format!("{:?}", b.rows));
    }
    let names = read_xls_too(include_bytes!("../../tests/fixtures/consulta_nombres.xls")).unwrap();
    assert_eq!(names.mode, QueryMode::Names);
    assert_eq!(names.rows.len(), 5);
    match &names.rows[0].query {
        RowQuery::Names(q) => {
            assert_eq!(q.given[0], "María");
            assert_eq!(q.first_surname, "López");
            assert_eq!(q.born, Day::parse_iso("1985-03-15"));
        }
        RowQuery::Cui(_) => panic!("names row expected"),
    }
    // A date typed as text is read as a date too; a row without programme is refused.
    match &names.rows[3].query {
        RowQuery::Names(q) => assert_eq!(q.born, Day::parse_iso("1971-04-02")),
        RowQuery::Cui(_) => panic!("names row expected"),
    }
    assert!(names.rows[4].problem.is_some());
    let cui = read_xls_too(include_bytes!("../../tests/fixtures/consulta_cui.xls")).unwrap();
    assert_eq!(cui.mode, QueryMode::Cui);
    let texts: Vec<String> = cui
        .rows
        .iter()
        .map(|r| match &r.query {
            RowQuery::Cui(t) => t.clone(),
            RowQuery::Names(_) => panic!("CUI row expected"),
        })
        .collect();
    assert_eq!(
        texts[0], "1234567890101",
        "a numeric CUI keeps its 13 digits"
    );
    assert_eq!(cui.rows[3].reference, "1004");
}

#[test]
fn optional_year_of_birth_and_age_columns_are_read() {
    use C::*;
    let bytes = xlsx(&[(
        "datos",
        vec![
            vec![
                S("Referencia"),
                S("Primer nombre"),
                S("Primer apellido"),
                S("Año de nacimiento"),
                S("Edad"),
                S("Programa"),
            ],
            vec![S("a"), S("Ana"), S("Pop"), N(1971.0), Blank, S("P")],
            vec![S("b"), S("Ana"), S("Pop"), Blank, N(30.0), S("P")],
            vec![S("c"), S("Ana"), S("Pop"), S("no sé"), S("mucha"), S("P")],
        ],
    )]);
    let wb = read_workbook(&bytes).unwrap();
    let years: Vec<Option<(i32, i32)>> = wb
        .rows
        .iter()
        .map(|r| match &r.query {
            RowQuery::Names(q) => q.birth_years,
            RowQuery::Cui(_) => None,
        })
        .collect();
    let now = time::OffsetDateTime::now_utc().year();
    assert_eq!(
        years,
        [Some((1971, 1971)), Some((now - 31, now - 30)), None]
    );
}

/// The registry of the formula test plus one person with names no generated
/// person has, so a names row resolves to her alone.
fn registry_with_xicay(dir: &std::path::Path) -> Registry {
    let mut bytes = Vec::new();
    crate::registry::generate::generate(200, 3, &mut bytes, |_| {}).unwrap();
    bytes.extend_from_slice(
        "1234567890101,ANA,,,PÉREZ,DE LEÓN,,F,GUATEMALA,GUATEMALA,MIXCO,1985-03-15,NO,,\n\
         9876543220101,MARÍA,JUANA,,XICAY,CHAVAJAY,,F,GUATEMALA,GUATEMALA,MIXCO,1990-07-02,NO,,\n"
            .as_bytes(),
    );
    let csv = dir.join("r.csv");
    std::fs::write(&csv, bytes).unwrap();
    crate::registry::import::import(dir, &csv, &indicatif::ProgressBar::hidden()).unwrap();
    Registry::open(dir).unwrap()
}

fn summary_lines(xlsx: &[u8]) -> Vec<String> {
    read_sheet(xlsx, "resumen")
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("=")
        })
        .collect()
}

#[test]
fn coincidencias_cui_rows_of_one_person_name_each_other() {
    use C::*;
    let dir = tempfile::tempdir().unwrap();
    let registry = registry_with_xicay(dir.path());
    // Ana three times (spelt three ways), María twice (once with no
    // reference), a CUI not in the registry twice (not a person: not marked),
    // a bad CUI once.
    let input = xlsx(&[(
        "H",
        vec![
            vec![S("Referencia"), S("CUI"), S("Programa")],
            vec![S("A-1"), S("1234567890101"), S("Bono")],
            vec![S("M-1"), S("9876543220101"), S("Bono")],
            vec![S("A-2"), S("1234 56789 0101"), S("Bolsa")],
            vec![S("X-1"), S("2000000120101"), S("Bono")],
            vec![Blank, S("9876-54322-0101"), S("Bono")],
            vec![S("X-2"), S("2000000120101"), S("Bono")],
            vec![S("A-3"), N(1_234_567_890_101.0), S("Bono")],
            vec![S("Z"), S("1234567880101"), S("Bono")],
        ],
    )]);
    let wb = read_workbook(&input).unwrap();
    let result = run_job(
        &registry,
        &wb,
        "in.xlsx",
        time::macros::datetime!(2026-01-05 10:00 UTC),
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(result.duplicate_rows, 5);
    let range = read_sheet(&result.xlsx, "resultados");
    assert_eq!(range.get_size().1, 20);
    assert_eq!(range.get((0, 19)).unwrap().to_string(), "duplicado_de");
    let cell = |r: usize, c: usize| {
        range
            .get((r, c))
            .cloned()
            .unwrap_or(Data::Empty)
            .to_string()
    };
    let marked: Vec<(String, String, String)> = (1..=8)
        .map(|r| (cell(r, 0), cell(r, 16), cell(r, 19)))
        .collect();
    let expected = [
        ("A-1", "ENCONTRADO", "A-2, A-3"),
        ("M-1", "ENCONTRADO", "fila 6"),
        ("A-2", "ENCONTRADO", "A-1, A-3"),
        ("X-1", "NO_ENCONTRADO", ""),
        ("", "ENCONTRADO", "M-1"),
        ("X-2", "NO_ENCONTRADO", ""),
        ("A-3", "ENCONTRADO", "A-1, A-2"),
        ("Z", "CUI_INVALIDO", ""),
    ];
    for (got, want) in marked.iter().zip(expected) {
        assert_eq!(
            (got.0.as_str(), got.1.as_str(), got.2.as_str()),
            want,
            "{marked:?}"
        );
    }
    let summary = summary_lines(&result.xlsx);
    assert!(
        summary
            .iter()
            .any(|l| l == "filas duplicadas (misma persona en otra fila)=5"),
        "{summary:?}"
    );
    assert!(
        summary.iter().any(|l| l == "personas en más de una fila=2"),
        "{summary:?}"
    );
}

#[test]
fn coincidencias_names_rows_resolving_to_one_person_are_marked_and_others_are_not() {
    use C::*;
    let dir = tempfile::tempdir().unwrap();
    let registry = registry_with_xicay(dir.path());
    let input = xlsx(&[(
        "H",
        vec![
            vec![
                S("Referencia"),
                S("Primer nombre"),
                S("Segundo nombre"),
                S("Primer apellido"),
                S("Segundo apellido"),
                S("Fecha de nacimiento"),
                S("Programa"),
            ],
            vec![
                S("p1"),
                S("María"),
                S("Juana"),
                S("Xicay"),
                S("Chavajay"),
                D(Day::parse_iso("1990-07-02").unwrap()),
                S("P"),
            ],
            vec![
                S("p2"),
                S("MARIA"),
                S("JUANA"),
                S("XICAY"),
                S("CHAVAJAY"),
                D(Day::parse_iso("1990-07-02").unwrap()),
                S("Q"),
            ],
            vec![
                S("p3"),
                S("Ana"),
                Blank,
                S("Pérez"),
                S("De León"),
                D(Day::parse_iso("1985-03-15").unwrap()),
                S("P"),
            ],
        ],
    )]);
    let wb = read_workbook(&input).unwrap();
    let result = run_job(
        &registry,
        &wb,
        "in.xlsx",
        time::macros::datetime!(2026-01-05 10:00 UTC),
        &mut |_, _| {},
    )
    .unwrap();
    let range = read_sheet(&result.xlsx, "resultados");
    let cell = |r: usize, c: usize| {
        range
            .get((r, c))
            .cloned()
            .unwrap_or(Data::Empty)
            .to_string()
    };
    for r in 1..=3 {
        assert_eq!(cell(r, 16), "ENCONTRADO", "row {r}: {}", cell(r, 18));
    }
    assert_eq!(cell(1, 19), "p2");
    assert_eq!(cell(2, 19), "p1");
    assert_eq!(cell(3, 19), "");
    assert_eq!(result.duplicate_rows, 2);
    let summary = summary_lines(&result.xlsx);
    assert!(
        summary.iter().any(|l| l == "personas en más de una fila=1"),
        "{summary:?}"
    );
}
