//! The import's count of how often full names recur (see
//! [`crate::matching::recurrence`]): every form of every person's names is
//! counted while the CSV is read; once all names are counted, a second pass
//! over the stored persons files each name carried by one or two persons
//! under the bin of its independence estimate, which needs the final name
//! shares.

use std::hash::Hasher;

use rusqlite::{Connection, Transaction, params};

use super::import::{FastMap, Fnv, ImportError};
use super::store::{NAME_KINDS, NameField};
use crate::matching::profile::Profile;
use crate::matching::recurrence::{
    BINS, FORMS, FormNames, Recurrence, bin, bin_floor, person_forms,
};
use crate::names::{given_names, surnames};

/// Persons per distinct name, by form, keyed by a hash of the names (a
/// collision merges two names: at 18 million names in 2⁶⁴, none expected).
#[derive(Debug, Default)]
pub(super) struct FormTally {
    counts: [FastMap<u64, u32>; FORMS],
}

fn key(names: &FormNames<'_>) -> u64 {
    let mut h = Fnv::default();
    for (field, token) in names {
        h.write_u8(field.kind(false) as u8);
        h.write(token.full.as_bytes());
        h.write_u8(0xff);
    }
    h.finish()
}

impl FormTally {
    /// Counts a person's forms (first pass).
    pub(super) fn add(&mut self, person: &Profile) {
        for (form, names) in person_forms(person) {
            *self.counts[form.index()].entry(key(&names)).or_insert(0) += 1;
        }
    }

    /// The second pass: reads the stored persons back and files each name
    /// seen once or twice under its bin. `freq` holds the import's final
    /// name counts by `name_freq` kind.
    pub(super) fn finish(
        self,
        conn: &Connection,
        freq: &[FastMap<Box<str>, u64>; NAME_KINDS],
        persons: u64,
    ) -> Result<Recurrence, ImportError> {
        let n = persons.max(1) as f64;
        let share = |field: NameField, name: &str| -> f64 {
            let kind = usize::try_from(field.kind(false)).unwrap_or(0) % NAME_KINDS;
            let c = freq[kind].get(name).copied().unwrap_or(0) as f64;
            (c.max(0.5) / n).min(1.0)
        };
        let mut out = Recurrence::default();
        let mut stmt = conn.prepare(
            "SELECT nombre1, nombre2, nombre3, apellido1, apellido2, casada FROM person",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let text: [String; 6] = [
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ];
            let profile = Profile {
                given: given_names(text[..3].iter().map(String::as_str)),
                surnames: surnames(&text[3], &text[4], &text[5]),
                born: None,
            };
            for (form, names) in person_forms(&profile) {
                let Some(&carriers) = self.counts[form.index()].get(&key(&names)) else {
                    continue;
                };
                if carriers > 2 {
                    continue;
                }
                let expected = names
                    .iter()
                    .map(|(f, t)| share(*f, &t.full))
                    .product::<f64>()
                    * n;
                let b = bin(expected);
                if carriers == 1 {
                    out.once[form.index()][b] += 1.0;
                } else {
                    // Each of the two carriers files half the name.
                    out.twice[form.index()][b] += 0.5;
                }
            }
        }
        Ok(out)
    }
}

/// Writes the table the engine reads ([`read`]).
pub(super) fn write(tx: &Transaction<'_>, r: &Recurrence) -> Result<(), ImportError> {
    let mut stmt =
        tx.prepare("INSERT INTO name_recurrence(form, bin, once, twice) VALUES (?1, ?2, ?3, ?4)")?;
    for form in 0..FORMS {
        for b in 0..BINS {
            if r.once[form][b] > 0.0 || r.twice[form][b] > 0.0 {
                stmt.execute(params![
                    form as i64,
                    bin_floor(b),
                    r.once[form][b],
                    r.twice[form][b]
                ])?;
            }
        }
    }
    Ok(())
}

/// The stored counts, or `None` for a store imported before they existed.
pub(super) fn read(conn: &Connection) -> Result<Option<Recurrence>, rusqlite::Error> {
    let has_table: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'name_recurrence'",
        [],
        |r| r.get(0),
    )?;
    if has_table == 0 {
        return Ok(None);
    }
    let mut out = Recurrence::default();
    let mut stmt = conn.prepare("SELECT form, bin, once, twice FROM name_recurrence")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, f64>(2)?,
            r.get::<_, f64>(3)?,
        ))
    })?;
    for row in rows {
        let (form, floor, once, twice) = row?;
        let (Ok(form), Ok(b)) = (
            usize::try_from(form),
            usize::try_from(floor - i64::from(bin_floor(0))),
        ) else {
            continue;
        };
        if form < FORMS && b < BINS && once.is_finite() && twice.is_finite() {
            out.once[form][b] = once.max(0.0);
            out.twice[form][b] = twice.max(0.0);
        }
    }
    Ok(Some(out))
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::HashMap;

    use crate::matching::profile::Profile;
    use crate::matching::recurrence::{FORMS, person_forms};
    use crate::registry::record::RecordFields;
    use crate::registry::store::Registry;

    /// Generated persons; with `twins`, the second thousand carry the
    /// names of the first thousand (their own CUIs, dates and places).
    pub(crate) fn csv_with_twins(twins: bool, extra: &[&str]) -> String {
        let mut bytes = Vec::new();
        crate::registry::generate::generate(4_000, 9, &mut bytes, |_| {}).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let mut lines: Vec<Vec<String>> = text
            .lines()
            .map(|l| l.split(',').map(str::to_owned).collect())
            .collect();
        if twins {
            for i in 1..=1000 {
                // Names (fields 1 to 6) and the sex that goes with the
                // given names (field 7).
                let names = lines[i][1..=7].to_vec();
                lines[i + 1000][1..=7].clone_from_slice(&names);
            }
        }
        let mut out: Vec<String> = lines.iter().map(|l| l.join(",")).collect();
        out.extend(extra.iter().map(|s| (*s).to_owned()));
        out.join("\n") + "\n"
    }

    pub(crate) fn import(csv: &str) -> (tempfile::TempDir, Registry) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        std::fs::write(&path, csv).unwrap();
        crate::registry::import::import(dir.path(), &path, &indicatif::ProgressBar::hidden())
            .unwrap();
        let reg = Registry::open(dir.path()).unwrap();
        (dir, reg)
    }

    #[test]
    fn the_stored_counts_are_the_registrys_names_seen_once_and_twice() {
        for twins in [false, true] {
            let csv = csv_with_twins(twins, &[]);
            let (_d, reg) = import(&csv);
            let stored = reg.recurrence().unwrap().unwrap().clone();
            // Counted again here, by the names' text.
            let mut carriers: [HashMap<String, u32>; FORMS] = Default::default();
            let mut reader = csv::Reader::from_reader(csv.as_bytes());
            for record in reader.records() {
                let record = record.unwrap();
                let profile = Profile::of_fields(&RecordFields::parse(&record).unwrap());
                for (form, names) in person_forms(&profile) {
                    let text: Vec<&str> = names.iter().map(|(_, t)| t.full.as_str()).collect();
                    *carriers[form.index()].entry(text.join(" ")).or_insert(0) += 1;
                }
            }
            for (form, counts) in carriers.iter().enumerate() {
                let once = counts.values().filter(|c| **c == 1).count() as f64;
                let twice = counts.values().filter(|c| **c == 2).count() as f64;
                assert_eq!(
                    stored.once[form].iter().sum::<f64>(),
                    once,
                    "{form} {twins}"
                );
                assert_eq!(
                    stored.twice[form].iter().sum::<f64>(),
                    twice,
                    "{form} {twins}"
                );
                if twins {
                    assert!(twice >= 800.0, "{form}: {twice}");
                }
            }
        }
    }
}
