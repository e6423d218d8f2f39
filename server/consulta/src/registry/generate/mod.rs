//! `registry generate`: a synthetic civil registry for demos, tests and
//! benchmarks.
//!
//! Realistic where matching cares: names drawn with Guatemalan frequencies
//! (a few very frequent names such as MARÍA or LÓPEZ, a long tail of rare
//! ones), Mayan surnames more frequent where the Maya population is, compound
//! surnames (DE LEÓN, DE LA CRUZ, DEL VALLE), married surnames written
//! `DE X` for part of the married women, valid CUIs whose department and
//! municipality follow the population, an age pyramid, and deaths that are
//! more frequent with age. Deterministic for a seed: the same seed gives the
//! same file byte for byte. Rows are streamed, so 18 million persons need no
//! more memory than a thousand.

mod names_data;

use std::io::{self, Write};

use padron_shared::Cui;
use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg64Mcg;

use super::date::Day;
use super::places::{COUNTRIES_ABROAD, DEPARTMENTS};
use super::record::CSV_HEADER;
use names_data::*;

/// The date the synthetic registry is "as of": fixed, so that output does
/// not depend on when it is generated.
pub fn reference_day() -> Day {
    Day::from_ymd(2026, 11, 1).unwrap_or(Day(20_758))
}

/// A table to draw items from with given weights.
#[derive(Debug)]
struct Weighted<T> {
    items: Vec<T>,
    cumulative: Vec<u64>,
}

impl<T> Weighted<T> {
    fn new(pairs: impl IntoIterator<Item = (T, u64)>) -> Weighted<T> {
        let mut items = Vec::new();
        let mut cumulative = Vec::new();
        let mut total = 0u64;
        for (item, w) in pairs {
            if w == 0 {
                continue;
            }
            total += w;
            items.push(item);
            cumulative.push(total);
        }
        Weighted { items, cumulative }
    }

    fn total(&self) -> u64 {
        self.cumulative.last().copied().unwrap_or(0)
    }

    fn pick(&self, rng: &mut Pcg64Mcg) -> &T {
        let r = rng.next_u64() % self.total().max(1);
        let i = self.cumulative.partition_point(|&c| c <= r);
        &self.items[i.min(self.items.len() - 1)]
    }
}

/// Uniform integer in `0..n`.
fn below(rng: &mut Pcg64Mcg, n: u64) -> u64 {
    rng.next_u64() % n.max(1)
}

/// True with probability `per_million / 1_000_000`.
fn chance(rng: &mut Pcg64Mcg, per_million: u64) -> bool {
    below(rng, 1_000_000) < per_million
}

/// Rare names built from syllables, most frequent first: the long tail that
/// real registries have and a short list of names lacks.
fn tail_names(count: usize, seed: u64, feminine: Option<bool>) -> Vec<String> {
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let syllables = 2 + below(&mut rng, 2) as usize;
        let mut name = String::new();
        for s in 0..syllables {
            name.push_str(TAIL_ONSETS[below(&mut rng, TAIL_ONSETS.len() as u64) as usize]);
            name.push_str(TAIL_NUCLEI[below(&mut rng, TAIL_NUCLEI.len() as u64) as usize]);
            if s + 1 == syllables {
                match feminine {
                    Some(true) => name.push('A'),
                    Some(false) => name.push('O'),
                    None => {
                        name.push_str(TAIL_CODAS[below(&mut rng, TAIL_CODAS.len() as u64) as usize])
                    }
                }
            }
        }
        if name.chars().count() >= 3 && seen.insert(name.clone()) {
            out.push(name);
        }
    }
    out
}

/// Listed names with their weights plus a generated tail carrying
/// `tail_share_percent` of the total weight, with Zipf-like weights.
fn with_tail(listed: &[(&str, u32)], tail: &[String], tail_share_percent: u64) -> Weighted<String> {
    let listed_total: u64 = listed.iter().map(|(_, w)| u64::from(*w)).sum();
    // Scale so that weights are integers with room for the tail's smallest.
    let scale = 1000u64;
    let zipf: Vec<f64> = (0..tail.len()).map(|i| 1.0 / (i as f64 + 20.0)).collect();
    let zipf_total: f64 = zipf.iter().sum();
    let tail_total = listed_total * scale * tail_share_percent / (100 - tail_share_percent);
    Weighted::new(
        listed
            .iter()
            .map(|(n, w)| ((*n).to_owned(), u64::from(*w) * scale))
            .chain(tail.iter().zip(&zipf).map(|(n, z)| {
                (
                    n.clone(),
                    ((z / zipf_total) * tail_total as f64).max(1.0) as u64,
                )
            })),
    )
}

/// Everything the generator draws from, built once.
#[derive(Debug)]
struct Tables {
    departments: Weighted<usize>,
    municipalities: Vec<Weighted<usize>>,
    countries: Weighted<&'static str>,
    spanish: Weighted<String>,
    mayan: Weighted<String>,
    female: Weighted<String>,
    male: Weighted<String>,
    ages: Weighted<u32>,
}

impl Tables {
    fn new() -> Tables {
        let surname_tail = tail_names(6000, 0x5eed_0001, None);
        let female_tail = tail_names(1500, 0x5eed_0002, Some(true));
        let male_tail = tail_names(1500, 0x5eed_0003, Some(false));
        let municipalities = DEPARTMENTS
            .iter()
            .map(|d| {
                // The department's capital (code 01) is the largest town;
                // the rest follow a gentle Zipf curve.
                Weighted::new((0..d.municipalities.len()).map(|i| {
                    let w = 1000.0 / (i as f64 + 1.0).powf(0.6);
                    (i, if i == 0 { (w * 2.0) as u64 } else { w as u64 })
                }))
            })
            .collect();
        // Guatemala's population is young: weights fall with age.
        let ages = Weighted::new((0..=102u32).map(|a| {
            let w = (104.0 - f64::from(a)).powf(1.6);
            (a, w as u64)
        }));
        Tables {
            departments: Weighted::new(
                DEPARTMENTS
                    .iter()
                    .enumerate()
                    .map(|(i, d)| (i, u64::from(d.population_per_mille))),
            ),
            municipalities,
            countries: Weighted::new(COUNTRIES_ABROAD.iter().map(|(c, w)| (*c, u64::from(*w)))),
            spanish: with_tail(SPANISH_SURNAMES, &surname_tail, 22),
            mayan: with_tail(MAYAN_SURNAMES, &surname_tail, 25),
            female: with_tail(FEMALE_NAMES, &female_tail, 8),
            male: with_tail(MALE_NAMES, &male_tail, 8),
            ages,
        }
    }
}

/// What `generate` wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenerateStats {
    /// Persons written.
    pub persons: u64,
    /// Of them, deceased.
    pub deceased: u64,
    /// Of them, with a married surname.
    pub with_married_surname: u64,
}

/// Errors of `registry generate`.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error(
        "no se pueden generar {0} personas: los CUI solo alcanzan para unos 90 millones / cannot generate {0} persons: CUIs only reach about 90 million"
    )]
    /// More persons asked for than distinct valid CUIs can be made; the number asked.
    TooMany(u64),
    /// Writing the output failed.
    #[error("error al escribir el archivo / error writing the file: {0}")]
    Io(#[from] io::Error),
    /// The CSV writer failed.
    #[error("error al escribir el CSV / error writing the CSV: {0}")]
    Csv(#[from] csv::Error),
}

/// Writes a registry of `persons` people as CSV (see [`CSV_HEADER`]) to
/// `out`, calling `progress` with the count written every 65,536 persons.
pub fn generate(
    persons: u64,
    seed: u64,
    out: impl Write,
    mut progress: impl FnMut(u64),
) -> Result<GenerateStats, GenerateError> {
    // Each person takes a sequence number; about one in eleven is never
    // issued (check remainder 10), and gaps between issued numbers are
    // spread so that the file covers the whole 8-digit range.
    const SEQUENCE_SPACE: u64 = 99_999_999;
    if persons > SEQUENCE_SPACE * 9 / 10 {
        return Err(GenerateError::TooMany(persons));
    }
    let max_gap = ((SEQUENCE_SPACE * 9 / 10) / persons.max(1)).clamp(1, 9);
    let tables = Tables::new();
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(io::BufWriter::with_capacity(1 << 20, out));
    writer.write_record(CSV_HEADER)?;
    let today = reference_day();
    let mut stats = GenerateStats::default();
    let mut sequence: u64 = 1_000_000 + below(&mut rng, 1000);
    let mut fields: [String; 15] = Default::default();
    for n in 0..persons {
        // CUI: next issued sequence number, registered where the person lives.
        let department = *tables.departments.pick(&mut rng);
        let municipality = *tables.municipalities[department].pick(&mut rng);
        let cui = loop {
            sequence += 1 + below(&mut rng, max_gap);
            if let Some(cui) = Cui::compose(
                sequence as u32,
                department as u8 + 1,
                municipality as u8 + 1,
            ) {
                break cui;
            }
        };
        let female = chance(&mut rng, 510_000);
        let age = *tables.ages.pick(&mut rng);
        let born = Day(today.0 - (age as i32) * 365 - below(&mut rng, 365) as i32 - age as i32 / 4);
        let given = if female { &tables.female } else { &tables.male };
        let count = match below(&mut rng, 100) {
            0..=9 => 1,
            10..=93 => 2,
            _ => 3,
        };
        for f in fields.iter_mut() {
            f.clear();
        }
        fields[0].push_str(&cui.to_string());
        let mut chosen: Vec<&str> = Vec::with_capacity(3);
        while chosen.len() < count {
            let name = given.pick(&mut rng).as_str();
            // A particle name (DEL CARMEN) never comes first; no name twice.
            let particle = name.starts_with("DE ") || name.starts_with("DEL ");
            if chosen.contains(&name) || (chosen.is_empty() && particle) {
                continue;
            }
            chosen.push(name);
        }
        for (i, name) in chosen.iter().enumerate() {
            fields[1 + i].push_str(name);
        }
        let maya_per_million = u64::from(DEPARTMENTS[department].maya_percent) * 7_000;
        let surname = |rng: &mut Pcg64Mcg| -> String {
            if chance(rng, maya_per_million) {
                tables.mayan.pick(rng).clone()
            } else {
                tables.spanish.pick(rng).clone()
            }
        };
        fields[4] = surname(&mut rng);
        if !chance(&mut rng, 8_000) {
            fields[5] = surname(&mut rng);
        }
        if female && age >= 20 && chance(&mut rng, 250_000) {
            let husband = surname(&mut rng);
            fields[6] = if age >= 60 && chance(&mut rng, 150_000) {
                format!("VDA. DE {husband}")
            } else {
                format!("DE {husband}")
            };
            stats.with_married_surname += 1;
        }
        fields[7].push_str(if female { "F" } else { "M" });
        // Place of birth: mostly where registered, sometimes elsewhere or abroad.
        let place = below(&mut rng, 1000);
        if place < 5 {
            fields[8].push_str(tables.countries.pick(&mut rng));
        } else {
            fields[8].push_str("GUATEMALA");
            let (d, m) = if place < 80 {
                let d = *tables.departments.pick(&mut rng);
                (d, *tables.municipalities[d].pick(&mut rng))
            } else {
                (department, municipality)
            };
            fields[9].push_str(DEPARTMENTS[d].name);
            fields[10].push_str(DEPARTMENTS[d].municipalities[m]);
        }
        fields[11] = born.to_string();
        // Deaths: rare among the young, frequent among the old.
        let a = f64::from(age) / 100.0;
        let death_per_million = (15_000.0 + 900_000.0 * a.powi(3)) as u64;
        if chance(&mut rng, death_per_million) {
            let span = (today.0 - born.0).max(1) as u64;
            let died = Day(today.0 - below(&mut rng, span.min(25 * 365)) as i32);
            let delay = match below(&mut rng, 100) {
                0..=79 => below(&mut rng, 8),
                80..=96 => 8 + below(&mut rng, 60),
                _ => 68 + below(&mut rng, 700),
            };
            let registered = Day((died.0 + delay as i32).min(today.0));
            fields[12].push_str("SI");
            fields[13] = died.to_string();
            fields[14] = registered.to_string();
            stats.deceased += 1;
        } else {
            fields[12].push_str("NO");
        }
        writer.write_record(&fields)?;
        stats.persons += 1;
        if (n + 1).is_multiple_of(65_536) {
            progress(n + 1);
        }
    }
    writer.flush()?;
    progress(persons);
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generate_to_vec(persons: u64, seed: u64) -> (Vec<u8>, GenerateStats) {
        let mut out = Vec::new();
        let stats = generate(persons, seed, &mut out, |_| {}).unwrap();
        (out, stats)
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let (a, _) = generate_to_vec(2_000, 7);
        let (b, _) = generate_to_vec(2_000, 7);
        let (c, _) = generate_to_vec(2_000, 8);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn rows_are_valid_registry_rows_with_realistic_shares() {
        let (bytes, stats) = generate_to_vec(20_000, 1);
        assert_eq!(stats.persons, 20_000);
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        assert_eq!(
            reader.headers().unwrap().iter().collect::<Vec<_>>(),
            CSV_HEADER
        );
        let mut cuis = std::collections::HashSet::new();
        let mut lopez = 0;
        let mut maria = 0;
        let mut mayan = 0;
        let mut compound = 0;
        for row in reader.records() {
            let row = row.unwrap();
            let record = super::super::record::RegistryRecord::from_csv(&row).unwrap();
            assert!(cuis.insert(record.cui), "duplicate CUI");
            if &row[4] == "LÓPEZ" {
                lopez += 1;
            }
            if &row[1] == "MARÍA" {
                maria += 1;
            }
            if MAYAN_SURNAMES.iter().any(|(s, _)| *s == &row[4]) {
                mayan += 1;
            }
            if row[4].starts_with("DE") {
                compound += 1;
            }
        }
        // LÓPEZ is the most frequent surname (a few per cent), MARÍA the
        // most frequent given name of women; Mayan and compound surnames occur.
        assert!((300..1500).contains(&lopez), "{lopez}");
        assert!(maria > 1500, "{maria}");
        assert!(mayan > 1000, "{mayan}");
        assert!(compound > 50, "{compound}");
        let deceased = stats.deceased as f64 / 20_000.0;
        assert!((0.02..0.12).contains(&deceased), "{deceased}");
        assert!(stats.with_married_surname > 500);
    }
}
