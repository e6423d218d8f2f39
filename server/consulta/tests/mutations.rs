//! Seed workbooks mutated (bytes flipped in the file, entries' XML
//! truncated, numbers rewritten to lie: counts, row and column numbers,
//! repeats) and read with the default limits: never a panic, never an
//! abort, and the process's peak memory stays bounded.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "support/hostile.rs"]
mod hostile;

use std::io::{Read, Write};

use padron_consulta::{Limits, read};
use proptest::prelude::*;

/// (entry name, inflated bytes) of a zip.
fn entries(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut out = Vec::new();
            f.read_to_end(&mut out).unwrap();
            (f.name().unwrap().into_owned(), out)
        })
        .collect()
}

fn rezip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        for (name, bytes) in parts {
            zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap();
    }
    out.into_inner()
}

fn seeds() -> Vec<Vec<u8>> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    for (c, h) in [
        "Referencia",
        "Primer nombre",
        "Primer apellido",
        "Fecha de nacimiento",
        "Programa",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..20u32 {
        sheet.write_number(r, 0, f64::from(r)).unwrap();
        sheet.write_string(r, 1, "Ana").unwrap();
        sheet.write_string(r, 2, "López").unwrap();
        sheet
            .write_number_with_format(r, 3, 31_121.0, &date)
            .unwrap();
        sheet.write_string(r, 4, "Bolsa").unwrap();
    }
    vec![
        book.save_to_buffer().unwrap(),
        hostile::valid(20),
        hostile::lying_unique_count(),
        hostile::ods_empty_repeats(),
        hostile::last_cell(),
        include_bytes!("fixtures/consulta_nombres.xlsx").to_vec(),
    ]
}

/// Lies a number can tell.
const LIES: [&str; 8] = [
    "4294967295",
    "18446744073709551615",
    "1048577",
    "0",
    "-1",
    "99999999999999999999999",
    "XFE1",
    "1e308",
];

#[derive(Debug, Clone)]
enum Mutation {
    /// Flip a byte of the file.
    Flip(usize, u8),
    /// Cut one entry's XML short.
    Truncate(usize, usize),
    /// Replace the n-th number of one entry's XML with a lie.
    Lie(usize, usize, usize),
    /// Cut the file itself short.
    Cut(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1..=255u8).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(e, n)| Mutation::Truncate(e, n)),
        (any::<usize>(), 0..200usize, 0..LIES.len()).prop_map(|(e, n, l)| Mutation::Lie(e, n, l)),
        any::<usize>().prop_map(Mutation::Cut),
    ]
}

fn apply(seed: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut parts = entries(seed);
    let mut raw: Option<Vec<u8>> = None;
    for m in mutations {
        match m {
            Mutation::Truncate(e, n) => {
                let count = parts.len();
                let (_, bytes) = &mut parts[e % count];
                let keep = n % (bytes.len() + 1);
                bytes.truncate(keep);
            }
            Mutation::Lie(e, n, l) => {
                let count = parts.len();
                let (_, bytes) = &mut parts[e % count];
                let text = String::from_utf8_lossy(bytes).into_owned();
                let mut count = 0;
                let mut out = String::new();
                let mut rest = text.as_str();
                while let Some(p) = rest.find(|c: char| c.is_ascii_digit()) {
                    let end = rest[p..]
                        .find(|c: char| !c.is_ascii_digit())
                        .map_or(rest.len(), |q| p + q);
                    out.push_str(&rest[..p]);
                    out.push_str(if count == *n { LIES[*l] } else { &rest[p..end] });
                    count += 1;
                    rest = &rest[end..];
                }
                out.push_str(rest);
                *bytes = out.into_bytes();
            }
            Mutation::Flip(..) | Mutation::Cut(_) => {}
        }
    }
    for m in mutations {
        let bytes = raw.get_or_insert_with(|| rezip(&parts));
        match m {
            Mutation::Flip(i, b) if !bytes.is_empty() => {
                let at = i % bytes.len();
                bytes[at] ^= b;
            }
            Mutation::Cut(n) => {
                let keep = n % (bytes.len() + 1);
                bytes.truncate(keep);
            }
            _ => {}
        }
    }
    raw.unwrap_or_else(|| rezip(&parts))
}

fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kb| kb.parse::<u64>().ok())
        .unwrap_or(0)
        * 1024
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn mutated_workbooks_are_refused_or_read_within_bounds(
        seed in 0..6usize,
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        let seeds = seeds();
        let bytes = apply(&seeds[seed % seeds.len()], &mutations);
        // A refusal or a workbook; a panic fails the test, an abort kills it.
        let _ = read(&bytes, &Limits::default());
        prop_assert!(peak_rss() < 512 * 1024 * 1024, "peak RSS {} MiB", peak_rss() >> 20);
    }
}
