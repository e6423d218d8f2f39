//! Consulta Social benchmark: Padrón against a plain Python baseline (CUI)
//! and Splink (names), on the same generated registry and query files.
//!
//! ```text
//! packaging/bench/run.sh 1000000        # or 18000000
//! cargo bench -p padron-server --bench consulta -- --persons 1000000 [--work DIR] [--no-python]
//!     [--queries-seed S] [--reuse-import]
//! ```
//!
//! Steps: generate the registry (`registry generate`), import it (`registry
//! import`, time and peak memory), build a 50,000-row CUI workbook and a
//! 3,000-row names workbook whose rows carry realistic perturbations (and
//! persons not in the registry) with their ground truth, run `match` on
//! both, score the names result, then run the Python baseline and Splink on
//! the same files and print everything side by side (also written to
//! `WORK/<persons>/report.md`).
//!
//! `--queries-seed S` draws another, independent set of query rows (other
//! sampled persons, perturbations and outsiders) from the same registry, so
//! that figures are not tuned to one set; its files and report go to
//! `WORK/<persons>/queries-S/`. `--reuse-import` keeps a store already
//! imported from this registry instead of importing again (the import is
//! then not measured).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use calamine::{Data, Reader};
use padron_consulta::registry::date::Day;
use padron_consulta::registry::generate::generate;
use padron_shared::Cui;
use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg64Mcg;
use rust_xlsxwriter::{Format, Workbook};
use unicode_normalization::UnicodeNormalization;

const EXE: &str = env!("CARGO_BIN_EXE_padron-server");
const CUI_ROWS: usize = 50_000;
const NAMES_ROWS: usize = 3_000;

#[derive(Debug)]
struct Args {
    persons: u64,
    work: PathBuf,
    seed: u64,
    queries_seed: Option<u64>,
    reuse_import: bool,
    python: bool,
    splink: bool,
    splink_minutes: u64,
    /// Percent of the names rows whose date of birth is left out (on top
    /// of the generator's own `sin_fecha_nacimiento`).
    no_dob_percent: u64,
    /// Seeds of independent query sets (`independent_queries.py`).
    independent: Vec<u64>,
    outside_share: Option<String>,
    found_probability: Option<String>,
}

fn args() -> Result<Args> {
    let mut a = Args {
        persons: 1_000_000,
        work: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-consulta"),
        seed: 42,
        queries_seed: None,
        reuse_import: false,
        python: true,
        splink: true,
        splink_minutes: 40,
        no_dob_percent: 0,
        independent: Vec::new(),
        outside_share: None,
        found_probability: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--persons" => a.persons = it.next().context("--persons N")?.parse()?,
            "--work" => a.work = PathBuf::from(it.next().context("--work DIR")?),
            "--seed" => a.seed = it.next().context("--seed S")?.parse()?,
            "--queries-seed" => {
                a.queries_seed = Some(it.next().context("--queries-seed S")?.parse()?)
            }
            "--reuse-import" => a.reuse_import = true,
            "--no-python" => a.python = false,
            "--no-splink" => a.splink = false,
            "--splink-minutes" => {
                a.splink_minutes = it.next().context("--splink-minutes M")?.parse()?
            }
            "--no-dob-percent" => {
                a.no_dob_percent = it.next().context("--no-dob-percent P")?.parse()?
            }
            "--independent" => a
                .independent
                .push(it.next().context("--independent S")?.parse()?),
            "--outside-share" => a.outside_share = Some(it.next().context("--outside-share X")?),
            "--found-probability" => {
                a.found_probability = Some(it.next().context("--found-probability P")?)
            }
            "--bench" => {}
            other => bail!("unknown argument {other}"),
        }
    }
    Ok(a)
}

/// Wall time and peak resident memory of a child process (GNU time).
#[derive(Debug, Clone, Copy, Default)]
struct Run {
    seconds: f64,
    peak_mib: f64,
}

fn timed(program: &str, args: &[&str]) -> Result<Run> {
    let stats = tempfile::NamedTempFile::new()?;
    let started = Instant::now();
    let status = Command::new("/usr/bin/time")
        .args(["-f", "%M", "-o"])
        .arg(stats.path())
        .arg(program)
        .args(args)
        .status()
        .with_context(|| format!("running {program} (is GNU time installed at /usr/bin/time?)"))?;
    let seconds = started.elapsed().as_secs_f64();
    if !status.success() {
        bail!("{program} {args:?} failed: {status}");
    }
    let mut text = String::new();
    std::fs::File::open(stats.path())?.read_to_string(&mut text)?;
    let kib: f64 = text
        .lines()
        .last()
        .unwrap_or("0")
        .trim()
        .parse()
        .unwrap_or(0.0);
    Ok(Run {
        seconds,
        peak_mib: kib / 1024.0,
    })
}

fn p(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

fn below(rng: &mut Pcg64Mcg, n: usize) -> usize {
    (rng.next_u64() % n.max(1) as u64) as usize
}

fn chance(rng: &mut Pcg64Mcg, percent: u64) -> bool {
    rng.next_u64() % 100 < percent
}

fn strip_accents(s: &str) -> String {
    s.nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .collect::<String>()
        .replace('Ñ', "N")
}

/// One registry row, as the query builder needs it.
#[derive(Debug, Clone)]
struct Person {
    cui: String,
    given: [String; 3],
    s1: String,
    s2: String,
    married: String,
    born: String,
}

impl Person {
    fn of(row: &csv::StringRecord) -> Person {
        Person {
            cui: row[0].to_owned(),
            given: [row[1].to_owned(), row[2].to_owned(), row[3].to_owned()],
            s1: row[4].to_owned(),
            s2: row[5].to_owned(),
            married: row[6].to_owned(),
            born: row[11].to_owned(),
        }
    }
}

/// A typing slip in a name: substitution, deletion, transposition or doubling.
fn typo(rng: &mut Pcg64Mcg, name: &str) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    if chars.len() < 4 {
        return name.to_owned();
    }
    let i = 1 + below(rng, chars.len() - 2);
    match below(rng, 4) {
        0 => chars[i] = (b'A' + below(rng, 26) as u8) as char,
        1 => {
            chars.remove(i);
        }
        2 => chars.swap(i, i + 1),
        _ => chars.insert(i, chars[i]),
    }
    chars.into_iter().collect()
}

/// A spelling a registrar might use for a Mayan surname.
fn mayan_variant(name: &str) -> Option<String> {
    let rules: [(&str, &str); 9] = [
        ("CH", "X"),
        ("X", "CH"),
        ("QU", "K"),
        ("C", "K"),
        ("K", "Q"),
        ("HU", "W"),
        ("W", "HU"),
        ("AA", "A"),
        ("TZ", "TS"),
    ];
    let plain = strip_accents(name);
    rules
        .iter()
        .find(|(from, _)| plain.contains(from))
        .map(|(from, to)| plain.replacen(from, to, 1))
}

const MAYAN_HINTS: [&str; 12] = [
    "X", "CH", "Q", "K", "TZ", "AJ", "CAAL", "POP", "COC", "CUC", "BOL", "TIUL",
];

/// Reference, expected CUI (empty: not in the registry), perturbations.
type Truth = (String, String, String);

/// Builds the names workbook and its truth.
fn names_queries(
    rng: &mut Pcg64Mcg,
    sample: &[Person],
    outsiders: &[Person],
) -> (Vec<[String; 9]>, Vec<Truth>) {
    let mut rows = Vec::new();
    let mut truth = Vec::new();
    for i in 0..NAMES_ROWS {
        let outside = chance(rng, 8);
        let person = if outside {
            &outsiders[i % outsiders.len()]
        } else {
            &sample[i % sample.len()]
        };
        let mut q = person.clone();
        let mut kinds: Vec<&str> = Vec::new();
        if outside {
            kinds.push("fuera_del_registro");
        }
        // The married surname is filled in only sometimes.
        if !q.married.is_empty() && chance(rng, 50) {
            q.married.clear();
        }
        let n = match below(rng, 100) {
            0..=14 => 0,
            15..=59 => 1,
            60..=89 => 2,
            _ => 3,
        };
        for _ in 0..n {
            // The perturbations institutions' files show; a missing or
            // mistyped date of birth is rarer than a mistyped name.
            let kind = match below(rng, 100) {
                0..=87 => below(rng, 8),
                88..=93 => 0,
                94..=96 => 8,
                _ => 9,
            };
            match kind {
                0 => {
                    let f = below(rng, 3);
                    let field = match f {
                        0 => &mut q.given[0],
                        1 => &mut q.s1,
                        _ => &mut q.s2,
                    };
                    if !field.is_empty() {
                        *field = typo(rng, field);
                        kinds.push("error_tipografico");
                    }
                }
                1 if !q.s2.is_empty() => {
                    std::mem::swap(&mut q.s1, &mut q.s2);
                    kinds.push("apellidos_invertidos");
                }
                2 if !q.s2.is_empty() => {
                    q.s2.clear();
                    kinds.push("sin_segundo_apellido");
                }
                3 if !q.given[1].is_empty() => {
                    q.given[0] = q
                        .given
                        .iter()
                        .filter(|g| !g.is_empty())
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" ");
                    q.given[1].clear();
                    q.given[2].clear();
                    kinds.push("nombres_juntos");
                }
                4 if !person.married.is_empty() => {
                    let husband = person
                        .married
                        .trim_start_matches("VDA. ")
                        .trim_start_matches("DE ")
                        .to_owned();
                    if chance(rng, 50) {
                        q.s2 = format!("{} DE {husband}", q.s2).trim().to_owned();
                        q.married.clear();
                    } else {
                        q.married = husband;
                    }
                    kinds.push("apellido_de_casada");
                }
                5 => {
                    for field in [&mut q.s1, &mut q.s2] {
                        if MAYAN_HINTS.iter().any(|h| strip_accents(field).contains(h))
                            && let Some(v) = mayan_variant(field)
                        {
                            *field = v;
                            kinds.push("variante_maya");
                            break;
                        }
                    }
                }
                6 if strip_accents(&q.given[0]) == "MARIA" => {
                    q.given[0] = "MA.".into();
                    kinds.push("abreviatura");
                }
                6 if !q.given[1].is_empty() => {
                    q.given[1] = format!("{}.", q.given[1].chars().next().unwrap_or('X'));
                    kinds.push("abreviatura");
                }
                7 if !q.given[1].is_empty() => {
                    q.given[1].clear();
                    q.given[2].clear();
                    kinds.push("sin_segundo_nombre");
                }
                8 => {
                    q.born.clear();
                    kinds.push("sin_fecha_nacimiento");
                }
                9 => {
                    if let Some(d) = Day::parse_iso(&q.born) {
                        let (y, m, dd) = d.ymd();
                        let slipped = if dd <= 12 && dd != m {
                            Day::from_ymd(y, dd, m)
                        } else {
                            Day::from_ymd(y, m, if dd > 1 { dd - 1 } else { dd + 1 })
                        };
                        if let Some(s) = slipped {
                            q.born = s.to_string();
                            kinds.push("fecha_con_error");
                        }
                    }
                }
                _ => {}
            }
        }
        let mut all = [
            q.given[0].clone(),
            q.given[1].clone(),
            q.given[2].clone(),
            q.s1.clone(),
            q.s2.clone(),
            q.married.clone(),
        ];
        if chance(rng, 50) {
            for f in all.iter_mut() {
                *f = strip_accents(f);
            }
            kinds.push("sin_tildes");
        }
        if chance(rng, 25) {
            for f in all.iter_mut() {
                *f = f.to_lowercase();
            }
        }
        let reference = format!("N{:05}", i + 1);
        let [g1, g2, g3, s1, s2, married] = all;
        rows.push([
            reference.clone(),
            g1,
            g2,
            g3,
            s1,
            s2,
            married,
            q.born.clone(),
            "BOLSA SOCIAL".into(),
        ]);
        truth.push((
            reference,
            if outside {
                String::new()
            } else {
                person.cui.clone()
            },
            kinds.join("+"),
        ));
    }
    (rows, truth)
}

fn write_names_xlsx(path: &Path, rows: &[[String; 9]]) -> Result<()> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let header = [
        "Referencia",
        "Primer nombre",
        "Segundo nombre",
        "Tercer nombre",
        "Primer apellido",
        "Segundo apellido",
        "Apellido de casada",
        "Fecha de nacimiento",
        "Programa",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, v) in row.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            if c == 7 {
                if let Some(d) = Day::parse_iso(v) {
                    ws.write_number_with_format(r, c as u16, d.excel_serial(), &date)?;
                }
            } else {
                ws.write_string(r, c as u16, v)?;
            }
        }
    }
    book.save(path)?;
    Ok(())
}

/// 50,000 CUI rows: registry CUIs typed as numbers, text, with spaces or
/// dashes; valid CUIs not in the registry; mistyped CUIs.
fn write_cui_xlsx(rng: &mut Pcg64Mcg, path: &Path, sample: &[Person]) -> Result<()> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet_with_constant_memory()?;
    for (c, h) in ["Referencia", "CUI", "Programa"].iter().enumerate() {
        ws.write_string(0, c as u16, *h)?;
    }
    for i in 0..CUI_ROWS {
        let r = i as u32 + 1;
        ws.write_string(r, 0, format!("C{:06}", i + 1))?;
        let roll = below(rng, 100);
        let cui = if roll < 90 {
            sample[below(rng, sample.len())].cui.clone()
        } else if roll < 95 {
            loop {
                let seq = 99_000_000 + below(rng, 999_999) as u32;
                if let Some(c) = Cui::compose(seq, 1 + below(rng, 22) as u8, 1) {
                    break c.to_string();
                }
            }
        } else {
            let mut c = sample[below(rng, sample.len())].cui.clone().into_bytes();
            c[8] = b'0' + ((c[8] - b'0' + 1) % 10);
            String::from_utf8(c)?
        };
        match below(rng, 4) {
            0 => {
                ws.write_number(r, 1, cui.parse::<f64>()?)?;
            }
            1 => {
                ws.write_string(r, 1, format!("{} {} {}", &cui[..4], &cui[4..9], &cui[9..]))?;
            }
            2 => {
                ws.write_string(r, 1, format!("{}-{}-{}", &cui[..4], &cui[4..9], &cui[9..]))?;
            }
            _ => {
                ws.write_string(r, 1, &cui)?;
            }
        }
        ws.write_string(r, 2, "BONO SOCIAL")?;
    }
    book.save(path)?;
    Ok(())
}

/// Accuracy of a names result against the truth.
#[derive(Debug, Default, Clone)]
struct Accuracy {
    rows: usize,
    in_registry: usize,
    found: usize,
    found_right: usize,
    ambiguous: usize,
    wrong: Vec<String>,
    recall_by_kind: HashMap<String, (usize, usize)>,
}

impl Accuracy {
    fn precision(&self) -> f64 {
        if self.found == 0 {
            1.0
        } else {
            self.found_right as f64 / self.found as f64
        }
    }
    fn recall(&self) -> f64 {
        self.found_right as f64 / self.in_registry.max(1) as f64
    }
    fn ambiguous_rate(&self) -> f64 {
        self.ambiguous as f64 / self.rows.max(1) as f64
    }
}

fn score(
    truth: &[(String, String, String)],
    answers: &HashMap<String, (String, String)>,
) -> Accuracy {
    let mut a = Accuracy {
        rows: truth.len(),
        ..Accuracy::default()
    };
    for (reference, expected, kinds) in truth {
        let (outcome, cui) = answers.get(reference).cloned().unwrap_or_default();
        if !expected.is_empty() {
            a.in_registry += 1;
        }
        let right = outcome == "ENCONTRADO" && !expected.is_empty() && &cui == expected;
        if outcome == "ENCONTRADO" {
            a.found += 1;
            if right {
                a.found_right += 1;
            } else {
                a.wrong.push(format!(
                    "{reference} ({kinds}): {cui} en lugar de «{expected}»"
                ));
            }
        }
        if outcome == "AMBIGUO" {
            a.ambiguous += 1;
        }
        if !expected.is_empty() {
            let kinds = if kinds.is_empty() {
                "sin_perturbacion".to_owned()
            } else {
                kinds.clone()
            };
            for k in kinds.split('+').filter(|k| *k != "sin_tildes") {
                let e = a.recall_by_kind.entry(k.to_owned()).or_default();
                e.0 += 1;
                e.1 += usize::from(right);
            }
        }
    }
    a
}

fn padron_answers(result: &Path) -> Result<HashMap<String, (String, String)>> {
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(result)?;
    let range = book.worksheet_range("resultados")?;
    let mut out = HashMap::new();
    for row in range.rows().skip(1) {
        let s = |i: usize| match row.get(i) {
            Some(Data::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        out.insert(s(0), (s(16), s(1)));
    }
    Ok(out)
}

fn splink_answers(result: &Path) -> Result<HashMap<String, (String, String)>> {
    let mut out = HashMap::new();
    for row in csv::Reader::from_path(result)?.records() {
        let row = row?;
        out.insert(row[0].to_owned(), (row[1].to_owned(), row[2].to_owned()));
    }
    Ok(out)
}

/// `padron-server match` on a names workbook, with `--outside-share` and
/// `--found-probability` when given.
fn names_match_args<'a>(
    args: &'a Args,
    data: &'a Path,
    input: &'a Path,
    out: &'a Path,
) -> Vec<&'a str> {
    let mut v = vec![
        "match",
        "--data",
        p(data),
        "--input",
        p(input),
        "--output",
        p(out),
    ];
    if let Some(share) = &args.outside_share {
        v.extend(["--outside-share", share.as_str()]);
    }
    if let Some(bar) = &args.found_probability {
        v.extend(["--found-probability", bar.as_str()]);
    }
    v
}

/// Output of a Python script (stdout), failing loudly.
fn python_output(python: &str, script: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new(python).arg(script).args(args).output()?;
    if !out.status.success() {
        bail!(
            "{} failed: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn dir_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn ensure_venv(work: &Path) -> Result<PathBuf> {
    let venv = work.join("venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        eprintln!(
            "creando el entorno de Python / creating the Python venv ({})",
            venv.display()
        );
        let ok = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()?
            .success()
            && Command::new(venv.join("bin/pip"))
                .args(["install", "-q", "splink", "openpyxl"])
                .status()?
                .success();
        if !ok {
            bail!("could not create the Python venv with splink and openpyxl");
        }
    }
    Ok(python)
}

fn main() -> Result<()> {
    let args = args()?;
    let work = args.work.join(args.persons.to_string());
    std::fs::create_dir_all(&work)?;
    let queries_seed = args.queries_seed.unwrap_or(args.seed);
    // The registry's own seed keeps the historical layout; other query sets
    // live beside it.
    let out = if queries_seed == args.seed && args.no_dob_percent == 0 {
        work.clone()
    } else if args.no_dob_percent == 0 {
        work.join(format!("queries-{queries_seed}"))
    } else {
        work.join(format!(
            "queries-{queries_seed}-nodob{}",
            args.no_dob_percent
        ))
    };
    std::fs::create_dir_all(&out)?;
    let scripts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../packaging/bench");
    let mut report = String::new();
    let registry = work.join("registry.csv");
    let data = work.join("data");

    // 1. Registry.
    let generate_run = if registry.exists() {
        None
    } else {
        eprintln!("generando {} personas / generating", args.persons);
        Some(timed(
            EXE,
            &[
                "registry",
                "generate",
                "--persons",
                &args.persons.to_string(),
                "--seed",
                &args.seed.to_string(),
                "--out",
                p(&registry),
            ],
        )?)
    };
    std::fs::create_dir_all(&data)?;
    let reused = args.reuse_import && data.join("registry.sqlite").exists();
    let import_run = if reused {
        eprintln!("usando el registro ya importado / reusing the imported registry");
        None
    } else {
        eprintln!("importando / importing");
        Some(timed(
            EXE,
            &["registry", "import", "--data", p(&data), p(&registry)],
        )?)
    };
    let store_bytes = dir_size(&data.join("registry.sqlite"));

    // 2. Query files and truth.
    let mut rng = Pcg64Mcg::seed_from_u64(queries_seed ^ 0xbe4c_4a11);
    let mut sample: Vec<Person> = Vec::with_capacity(CUI_ROWS);
    let mut seen = 0usize;
    let mut reader = csv::Reader::from_path(&registry)?;
    for row in reader.records() {
        let row = row?;
        seen += 1;
        if sample.len() < CUI_ROWS {
            sample.push(Person::of(&row));
        } else {
            let j = below(&mut rng, seen);
            if j < CUI_ROWS {
                sample[j] = Person::of(&row);
            }
        }
    }
    let mut outsider_csv = Vec::new();
    generate(
        2_000,
        queries_seed.wrapping_add(7_777),
        &mut outsider_csv,
        |_| {},
    )?;
    let outsiders: Vec<Person> = csv::Reader::from_reader(outsider_csv.as_slice())
        .records()
        .map(|r| Person::of(&r.expect("generated row")))
        .collect();
    let cui_xlsx = out.join("cui.xlsx");
    let names_xlsx = out.join("names.xlsx");
    write_cui_xlsx(&mut rng, &cui_xlsx, &sample)?;
    let (mut rows, mut truth) = names_queries(&mut rng, &sample[..NAMES_ROWS * 2], &outsiders);
    if args.no_dob_percent > 0 {
        for (row, t) in rows.iter_mut().zip(truth.iter_mut()) {
            if !row[7].is_empty() && chance(&mut rng, args.no_dob_percent) {
                row[7].clear();
                t.2 = if t.2.is_empty() {
                    "sin_fecha_nacimiento".to_owned()
                } else {
                    format!("{}+sin_fecha_nacimiento", t.2)
                };
            }
        }
    }
    write_names_xlsx(&names_xlsx, &rows)?;
    let mut truth_csv = csv::Writer::from_path(out.join("names_truth.csv"))?;
    truth_csv.write_record(["referencia", "cui_esperado", "perturbaciones"])?;
    for t in &truth {
        truth_csv.write_record([&t.0, &t.1, &t.2])?;
    }
    truth_csv.flush()?;

    // 3. Padrón.
    let cui_out = out.join("cui_padron.xlsx");
    let names_out = out.join("names_padron.xlsx");
    let mut cui_runs = Vec::new();
    let mut names_runs = Vec::new();
    for _ in 0..2 {
        cui_runs.push(timed(
            EXE,
            &[
                "match",
                "--data",
                p(&data),
                "--input",
                p(&cui_xlsx),
                "--output",
                p(&cui_out),
            ],
        )?);
        names_runs.push(timed(
            EXE,
            &names_match_args(&args, &data, &names_xlsx, &names_out),
        )?);
    }
    let padron = score(&truth, &padron_answers(&names_out)?);
    let cui_found = padron_answers(&cui_out)?
        .values()
        .filter(|(o, _)| o == "ENCONTRADO")
        .count();

    // 4. Python baseline and Splink.
    let mut baseline: Option<(Run, Run, u64)> = None;
    let mut splink: Option<(Run, Accuracy, String)> = None;
    let mut splink_failed: Option<String> = None;
    if args.python {
        let python = ensure_venv(&args.work)?;
        let py = p(&python);
        let db = work.join("baseline.sqlite");
        let _ = std::fs::remove_file(&db);
        eprintln!("línea base de Python / Python baseline");
        let b_import = timed(
            py,
            &[
                p(&scripts.join("baseline_cui.py")),
                "import",
                p(&registry),
                p(&db),
            ],
        )?;
        let b_match = timed(
            py,
            &[
                p(&scripts.join("baseline_cui.py")),
                "match",
                p(&db),
                p(&cui_xlsx),
                p(&out.join("cui_baseline.xlsx")),
            ],
        )?;
        baseline = Some((b_import, b_match, dir_size(&db)));
        if args.splink {
            eprintln!("Splink");
            let splink_out = out.join("names_splink.csv");
            let phases = out.join("splink_phases.json");
            // Splink gets a time limit: at 18 million persons its training
            // may not finish on two cores, and that is a result too.
            let run = timed(
                "/bin/sh",
                &[
                    "-c",
                    &format!(
                        "timeout {} '{py}' '{}' '{}' '{}' '{}' 2> '{}'",
                        args.splink_minutes * 60,
                        p(&scripts.join("splink_names.py")),
                        p(&registry),
                        p(&names_xlsx),
                        p(&splink_out),
                        p(&phases)
                    ),
                ],
            );
            match run {
                Ok(run) => {
                    let phases_text = std::fs::read_to_string(&phases).unwrap_or_default();
                    let last = phases_text
                        .lines()
                        .rev()
                        .find(|l| l.starts_with('{'))
                        .unwrap_or("")
                        .to_owned();
                    splink = Some((run, score(&truth, &splink_answers(&splink_out)?), last));
                }
                Err(e) => {
                    eprintln!("Splink: {e}");
                    splink_failed =
                        Some(format!("did not finish within {} min", args.splink_minutes));
                }
            }
        }
    }

    // 5. Report.
    let best = |runs: &[Run]| runs.iter().map(|r| r.seconds).fold(f64::INFINITY, f64::min);
    let peak = |runs: &[Run]| runs.iter().map(|r| r.peak_mib).fold(0.0, f64::max);
    writeln!(
        report,
        "# Consulta Social benchmark: {} persons (registry seed {}, query seed {queries_seed})\n",
        args.persons, args.seed
    )?;
    writeln!(
        report,
        "Machine: {} cores. Times are wall-clock of whole processes (read, match, write).\n",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    )?;
    writeln!(report, "## Registry\n")?;
    writeln!(
        report,
        "| | Padrón | Python baseline (sqlite3) |\n|---|---|---|"
    )?;
    if let Some(g) = generate_run {
        writeln!(report, "| generate CSV | {:.1} s | |", g.seconds)?;
    }
    writeln!(
        report,
        "| CSV size | {:.0} MiB | |",
        dir_size(&registry) as f64 / 1048576.0
    )?;
    writeln!(
        report,
        "| import | {} | {} |",
        import_run
            .map(|r| format!("{:.1} s, peak {:.0} MiB", r.seconds, r.peak_mib))
            .unwrap_or_else(|| "reused (not measured)".into()),
        baseline
            .map(|b| format!("{:.1} s, peak {:.0} MiB", b.0.seconds, b.0.peak_mib))
            .unwrap_or_else(|| "—".into())
    )?;
    writeln!(
        report,
        "| store size | {:.0} MiB | {} |\n",
        store_bytes as f64 / 1048576.0,
        baseline
            .map(|b| format!("{:.0} MiB (no name index)", b.2 as f64 / 1048576.0))
            .unwrap_or_else(|| "—".into())
    )?;
    writeln!(report, "## CUI job ({CUI_ROWS} rows)\n")?;
    writeln!(
        report,
        "| | Padrón | Python baseline (openpyxl + sqlite3) |\n|---|---|---|"
    )?;
    writeln!(
        report,
        "| time | {:.2} s (runs: {}) , peak {:.0} MiB | {} |",
        best(&cui_runs),
        cui_runs
            .iter()
            .map(|r| format!("{:.2}", r.seconds))
            .collect::<Vec<_>>()
            .join(", "),
        peak(&cui_runs),
        baseline
            .map(|b| format!("{:.2} s, peak {:.0} MiB", b.1.seconds, b.1.peak_mib))
            .unwrap_or_else(|| "—".into())
    )?;
    writeln!(report, "| ENCONTRADO | {cui_found} | |\n")?;
    writeln!(
        report,
        "## Names job ({NAMES_ROWS} rows, perturbed; {} of them not in the registry)\n",
        padron.rows - padron.in_registry
    )?;
    writeln!(report, "| | Padrón | Splink (DuckDB) |\n|---|---|---|")?;
    let sp = |f: &dyn Fn(&(Run, Accuracy, String)) -> String| {
        splink
            .as_ref()
            .map(f)
            .or_else(|| splink_failed.clone())
            .unwrap_or_else(|| "—".into())
    };
    writeln!(
        report,
        "| time | {:.2} s (runs: {}), peak {:.0} MiB | {} |",
        best(&names_runs),
        names_runs
            .iter()
            .map(|r| format!("{:.2}", r.seconds))
            .collect::<Vec<_>>()
            .join(", "),
        peak(&names_runs),
        sp(&|s| format!(
            "{:.1} s, peak {:.0} MiB; phases {}",
            s.0.seconds, s.0.peak_mib, s.2
        ))
    )?;
    writeln!(
        report,
        "| precision of ENCONTRADO | {:.2}% | {} |",
        padron.precision() * 100.0,
        sp(&|s| format!("{:.2}%", s.1.precision() * 100.0))
    )?;
    writeln!(
        report,
        "| recall of ENCONTRADO | {:.2}% | {} |",
        padron.recall() * 100.0,
        sp(&|s| format!("{:.2}%", s.1.recall() * 100.0))
    )?;
    writeln!(
        report,
        "| AMBIGUO rate | {:.2}% | {} |",
        padron.ambiguous_rate() * 100.0,
        sp(&|s| format!("{:.2}%", s.1.ambiguous_rate() * 100.0))
    )?;
    writeln!(
        report,
        "| wrong ENCONTRADO | {} | {} |\n",
        padron.wrong.len(),
        sp(&|s| s.1.wrong.len().to_string())
    )?;
    writeln!(
        report,
        "### Padrón recall by perturbation\n\n| perturbation | rows | found right |\n|---|---|---|"
    )?;
    let mut kinds: Vec<_> = padron.recall_by_kind.iter().collect();
    kinds.sort();
    for (k, (n, right)) in kinds {
        writeln!(
            report,
            "| {k} | {n} | {:.1}% |",
            *right as f64 * 100.0 / (*n).max(1) as f64
        )?;
    }
    if !padron.wrong.is_empty() {
        writeln!(report, "\n### Padrón wrong ENCONTRADO\n")?;
        for w in padron.wrong.iter().take(30) {
            writeln!(report, "- {w}")?;
        }
    }
    // 6. By slice (own set), and the independent sets, Padrón and Splink
    // on the same files.
    if args.python {
        let python = ensure_venv(&args.work)?;
        let py = p(&python);
        let splink_csv = out.join("names_splink.csv");
        writeln!(
            report,
            "\n### By slice (this set)\n\n{}",
            python_output(
                py,
                &scripts.join("score_slices.py"),
                &[
                    p(&out.join("names_truth.csv")),
                    p(&names_out),
                    p(&splink_csv),
                    "--bands"
                ]
            )?
        )?;
        for seed in &args.independent {
            let dir = work.join(format!("independent-{seed}"));
            eprintln!("conjunto independiente / independent set {seed}");
            python_output(
                py,
                &scripts.join("independent_queries.py"),
                &[p(&registry), p(&dir), "--seed", &seed.to_string()],
            )?;
            let input = dir.join("names.xlsx");
            let result = dir.join("names_padron.xlsx");
            let run = timed(EXE, &names_match_args(&args, &data, &input, &result))?;
            let splink_out = dir.join("names_splink.csv");
            let mut splink_note = String::from("Splink not run");
            if args.splink {
                let started = Instant::now();
                let status = Command::new("timeout")
                    .arg((args.splink_minutes * 60).to_string())
                    .arg(py)
                    .arg(scripts.join("splink_names.py"))
                    .args([p(&registry), p(&input), p(&splink_out)])
                    .stderr(std::process::Stdio::null())
                    .status()?;
                splink_note = if status.success() {
                    format!("Splink {:.1} s", started.elapsed().as_secs_f64())
                } else {
                    format!("Splink did not finish ({status})")
                };
            }
            let table = python_output(
                py,
                &scripts.join("score_slices.py"),
                &[
                    p(&dir.join("names_truth.csv")),
                    p(&result),
                    p(&splink_out),
                    "--bands",
                ],
            )?;
            writeln!(
                report,
                "\n## Independent set {seed} (`independent_queries.py`)\n\nPadrón {:.2} s, peak {:.0} MiB; {splink_note}\n\n{table}",
                run.seconds, run.peak_mib
            )?;
        }
    }
    std::fs::write(out.join("report.md"), &report)?;
    println!("{report}");
    Ok(())
}
