//! Normalisation of given names and surnames.
//!
//! Each rule below exists because institutions type names differently from
//! the registry: case, accents and Ñ (`Peña` / `PENA`), punctuation and
//! apostrophes of Mayan spellings (`K'iche'`), particles (`De León`,
//! `DELEON`, `de la Cruz`), abbreviations (`Ma.` for MARÍA), initials
//! (`J.`), several given names typed into one cell, and the married surname
//! written `DE X` or `VDA. DE X` inside a surname cell.

use unicode_normalization::UnicodeNormalization;

use super::phonetic::phonetic;

/// Words that are not a name by themselves but belong to the next word
/// (`DE LEÓN`, `DEL VALLE`, `DE LA CRUZ`, `MARÍA DE LOS ÁNGELES`).
const PARTICLES: &[&str] = &["DE", "DEL", "LA", "LAS", "LOS"];

/// Surnames that are written with a single `DE` and are a family name, not a
/// married surname (`DE LEÓN`, `DE PAZ`…). Any other `DE X` after the maiden
/// surnames is the married surname.
const DE_COMPOUNDS: &[&str] = &["LEON", "PAZ", "JESUS", "MATA", "DIOS", "LEMUS", "ARCE"];

/// Abbreviations of given names that Guatemalan institutions use.
const GIVEN_ABBREVIATIONS: &[(&str, &str)] = &[
    ("MA", "MARIA"),
    ("MRA", "MARIA"),
    ("FCO", "FRANCISCO"),
    ("GPE", "GUADALUPE"),
    ("JSE", "JOSE"),
    ("ANT", "ANTONIO"),
];

/// Words that announce a widow's married surname (`VDA. DE GARCÍA`).
const WIDOW_MARKERS: &[&str] = &["VDA", "VIUDA", "VIUD"];

/// One name as compared: a given name or a surname.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NameToken {
    /// Particles and name joined without spaces: `DELEON`, `MARIA`.
    pub full: String,
    /// The name without its particles: `LEON`. Equal to `full` when there are none.
    pub core: String,
    /// Written as a single letter (`J.`): agrees with any name of that initial.
    pub initial: bool,
    /// Phonetic key of `core` (see [`phonetic`]).
    pub code: String,
}

impl NameToken {
    fn new(particles: &[String], word: &str) -> NameToken {
        let mut full = String::with_capacity(word.len() + 4 * particles.len());
        for p in particles {
            full.push_str(p);
        }
        full.push_str(word);
        let initial = word.len() == 1;
        NameToken {
            full,
            core: word.to_owned(),
            initial,
            code: phonetic(word),
        }
    }
}

/// A person's surnames after normalisation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Surnames {
    /// The first surname, if any.
    pub first: Option<NameToken>,
    /// The second surname, if any.
    pub second: Option<NameToken>,
    /// The married surname without its `DE` / `VDA. DE`.
    pub married: Option<NameToken>,
    /// Further words that fit none of the three (rare; kept for scoring).
    pub extra: Vec<NameToken>,
}

impl Surnames {
    /// The maiden surnames present, in order.
    pub fn maiden(&self) -> impl Iterator<Item = &NameToken> {
        self.first.iter().chain(self.second.iter())
    }
}

/// Upper case without accents, Ñ as N, apostrophes dropped (Mayan glottal
/// stops: `K'ICHE'` → `KICHE`), and every other character that is not a
/// letter turned into a space. Periods survive: they mark abbreviations.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Fast path for the letters Spanish names use; anything else goes
    // through Unicode compatibility decomposition.
    for ch in text.chars() {
        let plain = match ch {
            'a'..='z' => ch.to_ascii_uppercase(),
            'A'..='Z' | '.' => ch,
            ' ' => ' ',
            'Á' | 'À' | 'Â' | 'Ä' | 'á' | 'à' | 'â' | 'ä' => 'A',
            'É' | 'È' | 'Ê' | 'Ë' | 'é' | 'è' | 'ê' | 'ë' => 'E',
            'Í' | 'Ì' | 'Î' | 'Ï' | 'í' | 'ì' | 'î' | 'ï' => 'I',
            'Ó' | 'Ò' | 'Ô' | 'Ö' | 'ó' | 'ò' | 'ô' | 'ö' => 'O',
            'Ú' | 'Ù' | 'Û' | 'Ü' | 'ú' | 'ù' | 'û' | 'ü' => 'U',
            'Ñ' | 'ñ' => 'N',
            'Ç' | 'ç' => 'C',
            _ => {
                fold_slow(ch, &mut out);
                continue;
            }
        };
        out.push(plain);
    }
    out
}

fn fold_slow(ch: char, out: &mut String) {
    for ch in std::iter::once(ch).nfkd() {
        match ch {
            'a'..='z' => out.push(ch.to_ascii_uppercase()),
            'A'..='Z' | '.' => out.push(ch),
            '\'' | '’' | '‘' | '`' | '´' => {}
            // Combining marks left by the decomposition (accents, tilde, diaeresis).
            '\u{300}'..='\u{36f}' => {}
            'ß' => out.push_str("SS"),
            'æ' | 'Æ' => out.push_str("AE"),
            _ => out.push(' '),
        }
    }
}

/// A word as typed, after folding.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Word {
    text: String,
    /// Ended with a period (`MA.`), or several letters separated by periods.
    abbreviated: bool,
}

fn words(text: &str) -> Vec<Word> {
    fold(text)
        .split(' ')
        .flat_map(|chunk| {
            // `J.M.` is two initials; `MA.` is one abbreviation.
            let parts: Vec<&str> = chunk.split('.').collect();
            let n = parts.len();
            parts
                .into_iter()
                .enumerate()
                .filter(|(_, p)| !p.is_empty())
                .map(move |(i, p)| Word {
                    text: p.to_owned(),
                    abbreviated: i + 1 < n,
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Joins particles to the word they introduce. A trailing particle with no
/// word after it is dropped (it is noise, not a name).
fn group(words: Vec<Word>) -> Vec<(Vec<String>, Word)> {
    let mut out = Vec::new();
    let mut particles = Vec::new();
    for w in words {
        if PARTICLES.contains(&w.text.as_str()) && !w.abbreviated {
            particles.push(w.text);
        } else {
            out.push((std::mem::take(&mut particles), w));
        }
    }
    out
}

/// The given names of a person from one or more cells, in order. Several
/// names typed into one cell are split; `MA.` becomes MARÍA; `J.` is an
/// initial; `DE LOS ÁNGELES` is one name.
pub fn given_names<'a>(cells: impl IntoIterator<Item = &'a str>) -> Vec<NameToken> {
    let mut out = Vec::new();
    for cell in cells {
        for (particles, word) in group(words(cell)) {
            let expanded = GIVEN_ABBREVIATIONS
                .iter()
                .find(|(abbr, _)| *abbr == word.text)
                .map(|(_, name)| *name);
            match expanded {
                Some(name) if particles.is_empty() => out.push(NameToken::new(&[], name)),
                _ => out.push(NameToken::new(&particles, &word.text)),
            }
        }
    }
    out
}

/// The surnames of a person from the three cells. A `DE X` (single `DE`,
/// not a known compound such as DE LEÓN) after the first surname, or any
/// name after `VDA.`, is the married surname; the married cell may be
/// written with or without its `DE` / `VDA. DE`.
pub fn surnames(first: &str, second: &str, married: &str) -> Surnames {
    let mut maiden: Vec<NameToken> = Vec::new();
    let mut married_found: Option<NameToken> = None;
    let mut extra = Vec::new();
    for cell in [first, second] {
        let mut widow = false;
        for (particles, word) in group(words(cell)) {
            if WIDOW_MARKERS.contains(&word.text.as_str()) && particles.is_empty() {
                widow = true;
                continue;
            }
            let single_de = particles.len() == 1 && particles[0] == "DE";
            let is_married = widow
                || (single_de && !maiden.is_empty() && !DE_COMPOUNDS.contains(&word.text.as_str()));
            let token = if is_married {
                NameToken::new(&[], &word.text)
            } else {
                NameToken::new(&particles, &word.text)
            };
            if is_married && married_found.is_none() {
                married_found = Some(token);
            } else if is_married {
                extra.push(token);
            } else {
                maiden.push(token);
            }
        }
    }
    // The married cell: `DE GARCÍA`, `VDA. DE GARCÍA`, `GARCÍA`, `DE DE LEÓN`.
    let mut cell_words = words(married);
    while cell_words
        .first()
        .is_some_and(|w| WIDOW_MARKERS.contains(&w.text.as_str()))
    {
        cell_words.remove(0);
    }
    // Strip the `DE` of `DE GARCÍA`, but not of `DE LA CRUZ` (a compound
    // written without its own `DE`).
    if cell_words.len() > 1
        && cell_words[0].text == "DE"
        && !["LA", "LAS", "LOS"].contains(&cell_words[1].text.as_str())
    {
        cell_words.remove(0);
    }
    let mut cell_groups = group(cell_words).into_iter();
    if let Some((particles, word)) = cell_groups.next() {
        if let Some(previous) = married_found.take() {
            extra.push(previous);
        }
        married_found = Some(NameToken::new(&particles, &word.text));
    }
    extra.extend(cell_groups.map(|(p, w)| NameToken::new(&p, &w.text)));
    let mut maiden = maiden.into_iter();
    let first = maiden.next();
    let second = maiden.next();
    extra.extend(maiden);
    Surnames {
        first,
        second,
        married: married_found,
        extra,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fulls(tokens: &[NameToken]) -> Vec<&str> {
        tokens.iter().map(|t| t.full.as_str()).collect()
    }

    #[test]
    fn case_is_ignored() {
        assert_eq!(fold("maría López"), "MARIA LOPEZ");
    }

    #[test]
    fn accents_and_dieresis_are_dropped() {
        assert_eq!(fold("ÁÉÍÓÚ àèü Güerra"), "AEIOU AEU GUERRA");
    }

    #[test]
    fn enie_is_compared_as_n() {
        assert_eq!(fold("Peña Muñoz"), "PENA MUNOZ");
        assert_eq!(given_names(["Íñigo"])[0].full, "INIGO");
    }

    #[test]
    fn mayan_apostrophes_are_dropped_not_split() {
        assert_eq!(fold("K'iche' Q’eqchi’"), "KICHE QEQCHI");
        let s = surnames("Tz'ul", "", "");
        assert_eq!(s.first.unwrap().full, "TZUL");
    }

    #[test]
    fn punctuation_and_digits_separate_words() {
        assert_eq!(fold("LOPEZ-GARCIA,ANA/2"), "LOPEZ GARCIA ANA  ");
        let s = surnames("López-García", "", "");
        assert_eq!(s.first.unwrap().full, "LOPEZ");
        assert_eq!(s.second.unwrap().full, "GARCIA");
    }

    #[test]
    fn several_given_names_in_one_cell_are_split() {
        assert_eq!(
            fulls(&given_names(["María  José", "", ""])),
            ["MARIA", "JOSE"]
        );
        assert_eq!(
            fulls(&given_names(["Ana", "Lucía Beatriz"])),
            ["ANA", "LUCIA", "BEATRIZ"]
        );
    }

    #[test]
    fn ma_abbreviation_is_maria() {
        for text in ["Ma. José", "MA JOSE", "Mª José", "ma.jose"] {
            assert_eq!(fulls(&given_names([text])), ["MARIA", "JOSE"], "{text}");
        }
        assert_eq!(
            fulls(&given_names(["Fco. Javier"])),
            ["FRANCISCO", "JAVIER"]
        );
    }

    #[test]
    fn single_letters_are_initials() {
        let g = given_names(["Juan", "C."]);
        assert!(!g[0].initial);
        assert!(g[1].initial);
        assert_eq!(g[1].core, "C");
        let g = given_names(["J.M."]);
        assert_eq!(fulls(&g), ["J", "M"]);
        assert!(g.iter().all(|t| t.initial));
    }

    #[test]
    fn particles_stay_with_their_name() {
        let s = surnames("de León", "De la Cruz", "");
        let first = s.first.unwrap();
        assert_eq!(
            (first.full.as_str(), first.core.as_str()),
            ("DELEON", "LEON")
        );
        let second = s.second.unwrap();
        assert_eq!(
            (second.full.as_str(), second.core.as_str()),
            ("DELACRUZ", "CRUZ")
        );
        assert_eq!(
            surnames("Del Valle", "", "").first.unwrap().full,
            "DELVALLE"
        );
        // Typed without spaces: the same full form.
        assert_eq!(surnames("DELEON", "", "").first.unwrap().full, "DELEON");
        let g = given_names(["María de los Ángeles"]);
        assert_eq!(fulls(&g), ["MARIA", "DELOSANGELES"]);
        assert_eq!(g[1].core, "ANGELES");
    }

    #[test]
    fn trailing_particle_is_dropped() {
        assert_eq!(fulls(&given_names(["José de"])), ["JOSE"]);
    }

    #[test]
    fn de_x_after_the_surname_is_the_married_surname() {
        let s = surnames("López", "Pérez de García", "");
        assert_eq!(s.first.unwrap().full, "LOPEZ");
        assert_eq!(s.second.unwrap().full, "PEREZ");
        assert_eq!(s.married.unwrap().full, "GARCIA");
        // Both in one cell, second surname missing.
        let s = surnames("López de García", "", "");
        assert_eq!(s.first.unwrap().full, "LOPEZ");
        assert!(s.second.is_none());
        assert_eq!(s.married.unwrap().full, "GARCIA");
        // In the second cell alone.
        let s = surnames("López", "de García", "");
        assert!(s.second.is_none());
        assert_eq!(s.married.unwrap().full, "GARCIA");
    }

    #[test]
    fn known_de_compounds_are_not_married_surnames() {
        let s = surnames("Pérez", "de León", "");
        assert_eq!(s.second.unwrap().full, "DELEON");
        assert!(s.married.is_none());
        let s = surnames("Pérez", "de la Cruz", "");
        assert_eq!(s.second.unwrap().full, "DELACRUZ");
        assert!(s.married.is_none());
    }

    #[test]
    fn widow_marker_introduces_the_married_surname() {
        let s = surnames("López", "Pérez vda. de García", "");
        assert_eq!(s.second.unwrap().full, "PEREZ");
        assert_eq!(s.married.unwrap().full, "GARCIA");
    }

    #[test]
    fn married_cell_with_or_without_de() {
        for cell in ["de García", "GARCIA", "Vda. de García", "VIUDA DE GARCIA"] {
            assert_eq!(
                surnames("López", "", cell).married.unwrap().full,
                "GARCIA",
                "{cell}"
            );
        }
        // Married to a DE LEÓN.
        assert_eq!(
            surnames("López", "", "de De León").married.unwrap().full,
            "DELEON"
        );
        assert_eq!(
            surnames("López", "", "De la Cruz").married.unwrap().full,
            "DELACRUZ"
        );
    }

    #[test]
    fn empty_cells_give_no_names() {
        assert!(given_names(["", "  ", "."]).is_empty());
        assert_eq!(surnames("", " ", ""), Surnames::default());
    }
}
