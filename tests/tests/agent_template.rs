//! `padron-agent query-template`: the workbook an institution fills, from
//! nothing or from its CSV export, read back as the server reads it.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use calamine::{Data, Reader, open_workbook_auto};
use padron_tests::{ok, path_str, run, stderr};

fn cells(path: &std::path::Path) -> Vec<Vec<Data>> {
    let mut book = open_workbook_auto(path).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

#[test]
fn templates_have_the_expected_columns_and_keep_cuis_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("vacio.xlsx");
    ok(
        "padron-agent",
        &["query-template", "--names", "--out", path_str(&empty)],
    );
    let rows = cells(&empty);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][1], Data::String("Primer nombre".into()));

    let csv = dir.path().join("export.csv");
    std::fs::write(
        &csv,
        "programa,REFERENCIA,Cui\n\"Bolsa Social, urbana\",R-1,0123456780101\nBono,R-2,=1+1\n",
    )
    .unwrap();
    let out = dir.path().join("consulta.xlsx");
    let text = ok(
        "padron-agent",
        &[
            "query-template",
            "--from-csv",
            path_str(&csv),
            "--out",
            path_str(&out),
        ],
    );
    assert!(text.contains("(2 filas)"), "{text}");
    let rows = cells(&out);
    assert_eq!(
        rows[0],
        vec![
            Data::String("Referencia".into()),
            Data::String("CUI".into()),
            Data::String("Programa".into())
        ]
    );
    assert_eq!(
        rows[1][1],
        Data::String("0123456780101".into()),
        "leading zero kept: text, not a number"
    );
    assert_eq!(rows[1][2], Data::String("Bolsa Social, urbana".into()));
    assert_eq!(rows[2][1], Data::String("=1+1".into()), "never a formula");

    std::fs::write(&csv, "Referencia,Programa\nR-1,Bono\n").unwrap();
    let out = run(
        "padron-agent",
        &[
            "query-template",
            "--from-csv",
            path_str(&csv),
            "--out",
            path_str(&out),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no tiene la columna «CUI»"),
        "{}",
        stderr(&out)
    );
}
