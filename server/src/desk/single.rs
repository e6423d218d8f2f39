//! Consulta individual: one person verified at the desk, by CUI or by
//! names (with the date of birth when known), for a programme. The same
//! engine and the same fields a–o as a workbook row; no HTTP here.
//!
//! The registry is kept open between queries in a small pool (a names
//! query needs a warm page cache to answer in milliseconds); a connection
//! whose file was replaced by a re-import is dropped and reopened.

use std::path::PathBuf;
use std::sync::Mutex;

use padron_shared::queries::QueryMode;
use padron_shared::single::{OneCandidate, OneQuery, PersonFields};

use padron_consulta::matching::engine::MatchingSettings;
use padron_consulta::matching::{Decision, Engine, NamesQuery};
use padron_consulta::registry::date::Day;
use padron_consulta::registry::record::RegistryRecord;
use padron_consulta::registry::store::{Registry, StoreError};

/// Longest text accepted in a field of a consulta individual (a cell's limit).
pub const MAX_FIELD_CHARS: usize = 200;

/// Why a consulta individual cannot be run as asked (`SINGLE_QUERY_INVALID`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OneQueryError {
    #[error("falta el programa social / the social programme is missing")]
    NoProgramme,
    #[error(
        "indique un CUI o los nombres, no ambos ni ninguno / give a CUI or the names, not both nor neither"
    )]
    CuiOrNames,
    #[error("fecha de nacimiento no reconocida (dd/mm/aaaa) / date of birth not recognised")]
    Birth,
    #[error(
        "la fecha de nacimiento es solo para consultas por nombres / the date of birth is for names queries only"
    )]
    BirthWithCui,
    #[error(
        "un campo excede {MAX_FIELD_CHARS} caracteres / a field exceeds {MAX_FIELD_CHARS} characters"
    )]
    TooLong,
}

/// What the engine is asked: the mode, and how a names text was read.
#[derive(Debug, Clone)]
pub enum Asked {
    Cui(String),
    Names {
        query: Box<NamesQuery>,
        read_as: String,
    },
}

impl Asked {
    pub fn mode(&self) -> QueryMode {
        match self {
            Asked::Cui(_) => QueryMode::Cui,
            Asked::Names { .. } => QueryMode::Names,
        }
    }
}

/// Checks the request and reads it into what the engine is asked.
pub fn parse(q: &OneQuery) -> Result<Asked, OneQueryError> {
    let long = |t: &Option<String>| {
        t.as_ref()
            .is_some_and(|t| t.chars().count() > MAX_FIELD_CHARS)
    };
    if q.programme.chars().count() > MAX_FIELD_CHARS
        || long(&q.cui)
        || long(&q.names)
        || long(&q.birth)
        || long(&q.reference)
    {
        return Err(OneQueryError::TooLong);
    }
    if q.programme.trim().is_empty() {
        return Err(OneQueryError::NoProgramme);
    }
    let present = |t: &Option<String>| t.as_ref().is_some_and(|t| !t.trim().is_empty());
    match (present(&q.cui), present(&q.names)) {
        (true, false) => {
            if present(&q.birth) {
                return Err(OneQueryError::BirthWithCui);
            }
            Ok(Asked::Cui(q.cui.clone().unwrap_or_default()))
        }
        (false, true) => {
            let born = match q.birth.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(text) => Some(parse_birth(text).ok_or(OneQueryError::Birth)?),
            };
            let (query, read_as) = split_names(q.names.as_deref().unwrap_or_default(), born);
            Ok(Asked::Names {
                query: Box::new(query),
                read_as,
            })
        }
        _ => Err(OneQueryError::CuiOrNames),
    }
}

/// `dd/mm/aaaa` (also `-` or `.`) or `aaaa-mm-dd`.
fn parse_birth(text: &str) -> Option<Day> {
    let parts: Vec<&str> = text.split(['/', '-', '.']).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let n: Vec<u32> = parts.iter().map(|p| p.parse().unwrap_or(0)).collect();
    if parts[0].len() == 4 {
        Day::from_ymd(n[0] as i32, n[1], n[2])
    } else if parts[2].len() == 4 {
        Day::from_ymd(n[2] as i32, n[1], n[0])
    } else {
        None
    }
}

/// Words that belong to the word after them: DE LEÓN, DE LA CRUZ, DEL VALLE, VDA. DE …
fn is_particle(word: &str) -> bool {
    matches!(
        word.to_uppercase().trim_end_matches('.'),
        "DE" | "DEL" | "LA" | "LAS" | "LOS" | "SAN" | "VDA" | "VIUDA" | "Y"
    )
}

/// The text's words with particles joined to the word they introduce.
fn groups(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending: Vec<&str> = Vec::new();
    for word in text.split_whitespace() {
        pending.push(word);
        if !is_particle(word) {
            out.push(pending.join(" "));
            pending.clear();
        }
    }
    if !pending.is_empty() {
        match out.last_mut() {
            Some(last) => {
                last.push(' ');
                last.push_str(&pending.join(" "));
            }
            None => out.push(pending.join(" ")),
        }
    }
    out
}

/// Given names and surnames from one text. With a comma, what is before it
/// is the given names and after it the surnames; without, the last two
/// groups are the surnames (one if there are only two groups). A surname
/// group starting with `VDA` or a third surname group `DE …` is the married surname.
pub fn split_names(text: &str, born: Option<Day>) -> (NamesQuery, String) {
    let (given, surnames): (Vec<String>, Vec<String>) = match text.split_once(',') {
        Some((g, s)) => (groups(g), groups(s)),
        None => {
            let all = groups(text);
            let n = all.len();
            let cut = match n {
                0 | 1 => n,
                2 => 1,
                _ => n - 2,
            };
            (all[..cut].to_vec(), all[cut..].to_vec())
        }
    };
    let mut given = given;
    if given.len() > 3 {
        let rest = given.split_off(2).join(" ");
        given.push(rest);
    }
    let mut maiden: Vec<String> = Vec::new();
    let mut married = String::new();
    for (i, s) in surnames.iter().enumerate() {
        let upper = s.to_uppercase();
        if upper.starts_with("VDA") || (i >= 2 && upper.starts_with("DE ")) {
            married = s.clone();
        } else {
            maiden.push(s.clone());
        }
    }
    let first = maiden.first().cloned().unwrap_or_default();
    let second = maiden.get(1..).map(|r| r.join(" ")).unwrap_or_default();
    let mut read_as = format!(
        "nombres: {}; primer apellido: {}",
        if given.is_empty() {
            "—".to_owned()
        } else {
            given.join(" ")
        },
        if first.is_empty() { "—" } else { &first }
    );
    if !second.is_empty() {
        read_as.push_str(&format!("; segundo apellido: {second}"));
    }
    if !married.is_empty() {
        read_as.push_str(&format!("; apellido de casada: {married}"));
    }
    if let Some(d) = born {
        let (y, m, dd) = d.ymd();
        read_as.push_str(&format!("; nacimiento: {dd:02}/{m:02}/{y}"));
    }
    let mut names = [String::new(), String::new(), String::new()];
    for (slot, g) in names.iter_mut().zip(given) {
        *slot = g;
    }
    (
        NamesQuery {
            given: names,
            first_surname: first,
            second_surname: second,
            married_surname: married,
            born,
            birth_years: None,
            evidence: Default::default(),
        },
        read_as,
    )
}

/// Runs the engine on one query.
pub fn decide(
    registry: &Registry,
    settings: MatchingSettings,
    asked: &Asked,
) -> Result<Decision, StoreError> {
    let mut engine = Engine::with_settings(registry, settings);
    match asked {
        Asked::Cui(text) => engine.by_cui(text),
        Asked::Names { query, .. } => engine.by_names(query),
    }
}

/// Fields a–o of a registry person.
pub fn fields(p: &RegistryRecord) -> PersonFields {
    PersonFields {
        cui: p.cui.to_string(),
        primer_nombre: p.given[0].clone(),
        segundo_nombre: p.given[1].clone(),
        tercer_nombre: p.given[2].clone(),
        primer_apellido: p.first_surname.clone(),
        segundo_apellido: p.second_surname.clone(),
        apellido_casada: p.married_surname.clone(),
        sexo: p.sex.to_string(),
        pais_nacimiento: p.country.clone(),
        departamento_nacimiento: p.department.clone(),
        municipio_nacimiento: p.municipality.clone(),
        fecha_nacimiento: p.born.to_string(),
        fallecido: p.deceased,
        fecha_defuncion: p.died.map(|d| d.to_string()),
        fecha_inscripcion_defuncion: p.death_registered.map(|d| d.to_string()),
    }
}

/// A percentage with one decimal, as `puntaje` in a workbook.
pub fn score(probability: f64) -> f64 {
    (probability * 1000.0).round() / 10.0
}

/// The candidates of a dudosa, as the `candidatos` sheet lists them.
pub fn candidates(d: &Decision) -> Vec<OneCandidate> {
    d.candidates
        .iter()
        .map(|c| OneCandidate {
            puntaje: score(c.probability),
            person: fields(&c.person),
            lo_distingue: padron_consulta::results::distinguishing(&c.person, &d.candidates),
        })
        .collect()
}

/// Open registries kept between queries.
#[derive(Debug)]
pub struct RegistryPool {
    dir: PathBuf,
    idle: Mutex<Vec<Registry>>,
}

/// Connections kept open when idle (one per concurrent query beyond is opened and dropped).
const POOL_KEEP: usize = 8;

impl RegistryPool {
    pub fn new(data_dir: PathBuf) -> RegistryPool {
        RegistryPool {
            dir: data_dir,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Reads the registry file once, in the background, so that the first
    /// desk queries after a start do not wait on the disk: a names query
    /// touches a few dozen scattered pages, and on a cold 4 GB store (18 M
    /// persons) its p99 was 164 ms, twenty times its p50. Reading is sequential
    /// and done once; the kernel keeps or drops the pages as memory allows,
    /// so a machine too small for the file loses nothing but the effort.
    pub fn warm_in_background(&self) {
        let path = self.dir.join(padron_consulta::registry::store::STORE_FILE);
        let spawned = std::thread::Builder::new()
            .name("registry-warm".into())
            .spawn(move || {
                let started = std::time::Instant::now();
                match warm(&path) {
                    Ok(0) => {}
                    Ok(bytes) => tracing::info!(
                        bytes,
                        seconds = started.elapsed().as_secs_f64(),
                        "registry pages read into the page cache"
                    ),
                    Err(e) => tracing::warn!(error = %e, "registry warm-up stopped"),
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "registry warm-up not started");
        }
    }

    /// Runs `f` on an open, current registry, and keeps it for the next query.
    pub fn with<T>(&self, f: impl FnOnce(&Registry) -> T) -> Result<T, StoreError> {
        let taken = {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            loop {
                match idle.pop() {
                    Some(r) if r.is_current() => break Some(r),
                    Some(_) => continue,
                    None => break None,
                }
            }
        };
        let registry = match taken {
            Some(r) => r,
            None => Registry::open(&self.dir)?,
        };
        let out = f(&registry);
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < POOL_KEEP {
            idle.push(registry);
        }
        Ok(out)
    }
}

/// Reads `path` to its end; a missing file (no registry imported yet) is
/// nothing to warm.
fn warm(path: &std::path::Path) -> std::io::Result<u64> {
    match std::fs::File::open(path) {
        Ok(mut file) => std::io::copy(&mut file, &mut std::io::sink()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> String {
        split_names(text, None).1
    }

    #[test]
    fn warming_reads_the_whole_file_and_a_missing_registry_is_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.sqlite");
        assert_eq!(warm(&path).unwrap(), 0);
        std::fs::write(&path, vec![7u8; (1 << 20) * 2 + 5]).unwrap();
        assert_eq!(warm(&path).unwrap(), (1 << 20) * 2 + 5);
    }

    #[test]
    fn names_are_split_into_given_names_and_surnames() {
        assert_eq!(
            read("María Juana Xicay Chavajay"),
            "nombres: María Juana; primer apellido: Xicay; segundo apellido: Chavajay"
        );
        assert_eq!(
            read("ANA DE LEÓN"),
            "nombres: ANA; primer apellido: DE LEÓN"
        );
        assert_eq!(
            read("José Luis de la Cruz del Valle"),
            "nombres: José Luis; primer apellido: de la Cruz; segundo apellido: del Valle"
        );
        assert_eq!(
            read("MARIA JUANA ROSA, LOPEZ PEREZ DE GARCIA"),
            "nombres: MARIA JUANA ROSA; primer apellido: LOPEZ; segundo apellido: PEREZ; apellido de casada: DE GARCIA"
        );
        assert_eq!(
            read("ANA, POP VDA. DE CHOC"),
            "nombres: ANA; primer apellido: POP; apellido de casada: VDA. DE CHOC"
        );
        let (q, _) = split_names("A B C D E F", None);
        assert_eq!(q.given, ["A".to_owned(), "B".to_owned(), "C D".to_owned()]);
        assert_eq!(
            (q.first_surname.as_str(), q.second_surname.as_str()),
            ("E", "F")
        );
    }

    #[test]
    fn a_request_needs_a_programme_and_exactly_one_of_cui_and_names() {
        let q = |cui: Option<&str>, names: Option<&str>, birth: Option<&str>, p: &str| OneQuery {
            programme: p.into(),
            cui: cui.map(Into::into),
            names: names.map(Into::into),
            birth: birth.map(Into::into),
            reference: None,
        };
        assert_eq!(
            parse(&q(Some("1"), None, None, " ")).unwrap_err(),
            OneQueryError::NoProgramme
        );
        assert_eq!(
            parse(&q(None, None, None, "P")).unwrap_err(),
            OneQueryError::CuiOrNames
        );
        assert_eq!(
            parse(&q(Some("1"), Some("A B"), None, "P")).unwrap_err(),
            OneQueryError::CuiOrNames
        );
        assert_eq!(
            parse(&q(Some("1"), None, Some("01/01/2000"), "P")).unwrap_err(),
            OneQueryError::BirthWithCui
        );
        assert_eq!(
            parse(&q(None, Some("A B"), Some("31/02/2000"), "P")).unwrap_err(),
            OneQueryError::Birth
        );
        let long = "X".repeat(201);
        assert_eq!(
            parse(&q(None, Some(&long), None, "P")).unwrap_err(),
            OneQueryError::TooLong
        );
        match parse(&q(None, Some("Ana Pop"), Some("02/07/1990"), "P")).unwrap() {
            Asked::Names { query, read_as } => {
                assert_eq!(query.born, Day::from_ymd(1990, 7, 2));
                assert!(read_as.ends_with("nacimiento: 02/07/1990"), "{read_as}");
            }
            Asked::Cui(_) => panic!("names expected"),
        }
        assert!(matches!(
            parse(&q(Some("1234567890101"), None, None, "P")).unwrap(),
            Asked::Cui(_)
        ));
    }
}
