//! The language a person reads messages in: Spanish first, English available.

use serde::{Deserialize, Serialize};

/// The language a message is given in: Spanish first, English on request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Spanish, the default.
    #[default]
    Es,
    /// English.
    En,
}

impl Lang {
    /// Picks the language from an HTTP `Accept-Language` value: English only
    /// when the client ranks it above Spanish; Spanish otherwise.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(Lang, f32)> = None;
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let lang = if tag == "es" || tag.starts_with("es-") {
                Lang::Es
            } else if tag == "en" || tag.starts_with("en-") {
                Lang::En
            } else {
                continue;
            };
            if best.is_none_or(|(_, bq)| q > bq) {
                best = Some((lang, q));
            }
        }
        best.map(|(l, _)| l).unwrap_or_default()
    }

    /// Reads `PADRON_LANG`, then the POSIX locale variables; Spanish unless
    /// one of them asks for English.
    pub fn from_env() -> Lang {
        for var in ["PADRON_LANG", "LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(value) = std::env::var(var) {
                if value.is_empty() {
                    continue;
                }
                return Lang::parse(&value).unwrap_or_default();
            }
        }
        Lang::Es
    }

    /// `es`, `es_GT.UTF-8`, `en-US`… → the language; anything else → `None`.
    pub fn parse(value: &str) -> Option<Lang> {
        let v = value.trim().to_ascii_lowercase();
        if v.starts_with("es") {
            Some(Lang::Es)
        } else if v.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The BCP 47 tag: `es` or `en`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Es => "es",
            Lang::En => "en",
        }
    }

    /// The text in this language, from its Spanish and English versions.
    pub fn pick<'a>(self, es: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Es => es,
            Lang::En => en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_spanish_unless_english_ranks_higher() {
        assert_eq!(Lang::from_accept_language(""), Lang::Es);
        assert_eq!(Lang::from_accept_language("en"), Lang::En);
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_accept_language("es-GT,en;q=0.5"), Lang::Es);
        assert_eq!(
            Lang::from_accept_language("fr, en;q=0.8, es;q=0.9"),
            Lang::Es
        );
        assert_eq!(Lang::from_accept_language("de"), Lang::Es);
    }

    #[test]
    fn parse_locale_names() {
        assert_eq!(Lang::parse("es_GT.UTF-8"), Some(Lang::Es));
        assert_eq!(Lang::parse("en_US.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::parse("C.UTF-8"), None);
    }

    #[test]
    fn pick_takes_the_text_of_the_language() {
        assert_eq!(Lang::Es.pick("hola", "hello"), "hola");
        assert_eq!(Lang::En.pick("hola", "hello"), "hello");
    }
}
