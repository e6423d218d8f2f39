//! `padron-server registry generate|import|stats` and `match`, as an admin runs them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

use calamine::{Data, Reader};

const EXE: &str = env!("CARGO_BIN_EXE_padron-server");

fn run(args: &[&str]) -> Output {
    Command::new(EXE)
        .args(args)
        .env("PADRON_LANG", "es")
        .output()
        .unwrap()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn generate_import_stats_and_match() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("registro.csv");
    let data = dir.path().join("datos");
    std::fs::create_dir(&data).unwrap();

    let out = run(&[
        "registry",
        "generate",
        "--persons",
        "3000",
        "--seed",
        "4",
        "--out",
        p(&csv),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A bad row is reported with its line number and skipped.
    let mut text = std::fs::read_to_string(&csv).unwrap();
    text.push_str("123,ANA,,,LÓPEZ,,,F,GUATEMALA,GUATEMALA,MIXCO,1990-01-01,NO,,\n");
    std::fs::write(&csv, &text).unwrap();

    let out = run(&["registry", "import", "--data", p(&data), p(&csv)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("3000 personas"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("línea 3002") && stderr.contains("CUI"),
        "{stderr}"
    );

    let out = run(&["registry", "stats", "--data", p(&data)]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("personas: 3000"));

    // A CUI workbook with one known CUI and one mistyped.
    let first_cui = text
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_owned();
    let input = dir.path().join("consulta.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in ["Referencia", "CUI", "Programa"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "a").unwrap();
    ws.write_number(1, 1, first_cui.parse::<f64>().unwrap())
        .unwrap();
    ws.write_string(1, 2, "Bono").unwrap();
    ws.write_string(2, 0, "b").unwrap();
    ws.write_string(2, 1, "1234 56788 0101").unwrap();
    ws.write_string(2, 2, "Bono").unwrap();
    book.save(&input).unwrap();
    let output = dir.path().join("resultado.xlsx");
    let out = run(&[
        "match",
        "--data",
        p(&data),
        "--input",
        p(&input),
        "--output",
        p(&output),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("ENCONTRADO 1"));
    let mut result: calamine::Xlsx<_> = calamine::open_workbook(&output).unwrap();
    let range = result.worksheet_range("resultados").unwrap();
    assert_eq!(range.get((1, 1)), Some(&Data::String(first_cui)));
    assert_eq!(range.get((1, 16)), Some(&Data::String("ENCONTRADO".into())));
    assert_eq!(
        range.get((2, 16)),
        Some(&Data::String("CUI_INVALIDO".into()))
    );
}

#[test]
fn refusals_have_their_codes() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-existe");
    let csv = dir.path().join("r.csv");
    std::fs::write(&csv, "a,b\n").unwrap();
    let out = run(&["registry", "import", "--data", p(&missing), p(&csv)]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("DATA_DIR_MISSING"));

    let out = run(&["registry", "import", "--data", p(dir.path()), p(&csv)]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("REGISTRY_CSV_INVALID"));

    let out = run(&["registry", "stats", "--data", p(dir.path())]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("REGISTRY_EMPTY"));

    let not_a_workbook = dir.path().join("x.xlsx");
    std::fs::write(&not_a_workbook, "hola").unwrap();
    // `match` on that file, with extra options.
    let matching = |extra: &[&str]| {
        let mut args = vec![
            "match",
            "--data",
            p(dir.path()),
            "--input",
            p(&not_a_workbook),
            "--output",
            p(&csv),
        ];
        args.extend_from_slice(extra);
        run(&args)
    };
    let out = matching(&[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("WORKBOOK_UNREADABLE"));

    // The installation's assumption about persons outside the registry is a share.
    let out = matching(&["--outside-share", "2"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("BAD_REQUEST"));

    // The bar a match by names must reach is a probability in its range:
    // 0.5 would report a coin toss as found.
    for bad in ["0.5", "1", "NaN"] {
        let out = matching(&["--found-probability", bad]);
        assert!(!out.status.success(), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("BAD_REQUEST") && err.contains("--found-probability"),
            "{bad}: {err}"
        );
    }
}
