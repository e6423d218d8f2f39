//! The query columns: one table, one line per column. A header cell is
//! recognised ignoring case, accents, spaces and punctuation.

use padron_shared::Lang;
use unicode_normalization::UnicodeNormalization;

/// How a workbook asks: by CUI or by names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// By CUI: each row gives a CUI (up to 50,000 rows).
    Cui,
    /// By names and surnames (up to 3,000 rows).
    Names,
}

impl Mode {
    /// The most query rows a workbook of this mode may have.
    pub fn row_limit(self) -> usize {
        match self {
            Mode::Cui => crate::limits::MAX_CUI_ROWS,
            Mode::Names => crate::limits::MAX_NAMES_ROWS,
        }
    }

    /// The Spanish label, as result workbooks and reports show it.
    pub fn as_str(self) -> &'static str {
        self.label(Lang::Es)
    }

    /// For sentences: "por CUI", "por nombres y apellidos".
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Mode::Cui, _) => "CUI",
            (Mode::Names, Lang::Es) => "nombres y apellidos",
            (Mode::Names, Lang::En) => "names and surnames",
        }
    }

    /// The columns a header must have for this mode.
    fn required(self) -> &'static [Column] {
        match self {
            Mode::Cui => &[Column::Programme, Column::Cui],
            Mode::Names => &[Column::Programme, Column::Given1, Column::Surname1],
        }
    }

    /// The columns of this mode, in template order.
    pub fn columns(self) -> impl Iterator<Item = Column> {
        Column::ALL
            .iter()
            .copied()
            .filter(move |c| c.uses().has(self))
    }

    /// Their canonical titles, as a template carries them.
    pub fn titles(self) -> Vec<&'static str> {
        self.columns().map(Column::title).collect()
    }
}

/// The mode as the wire and the server's store name it (`CUI`, `NAMES`).
impl From<Mode> for padron_shared::queries::QueryMode {
    fn from(m: Mode) -> Self {
        match m {
            Mode::Cui => padron_shared::queries::QueryMode::Cui,
            Mode::Names => padron_shared::queries::QueryMode::Names,
        }
    }
}

/// Which modes a column belongs to.
#[derive(Debug, Clone, Copy)]
enum Uses {
    Both,
    CuiOnly,
    NamesOnly,
}

impl Uses {
    fn has(self, mode: Mode) -> bool {
        matches!(
            (self, mode),
            (Uses::Both, _) | (Uses::CuiOnly, Mode::Cui) | (Uses::NamesOnly, Mode::Names)
        )
    }
}

macro_rules! columns {
    ($( $variant:ident = $title:literal, $uses:ident, [$($alias:literal),* $(,)?]; )*) => {
        /// A column a query workbook may have.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Column { $( #[doc = concat!("The column titled “", $title, "”.")] $variant, )* }

        impl Column {
            /// Every column, in template order.
            pub const ALL: &'static [Column] = &[ $( Column::$variant, )* ];

            /// The canonical spelling, as a template carries it.
            pub fn title(self) -> &'static str {
                match self { $( Column::$variant => $title, )* }
            }

            /// Accepted spellings, folded (A–Z only).
            fn aliases(self) -> &'static [&'static str] {
                match self { $( Column::$variant => &[ $( $alias, )* ], )* }
            }

            fn uses(self) -> Uses {
                match self { $( Column::$variant => Uses::$uses, )* }
            }
        }
    };
}

// Adding a column is one line here (the matching engine decides what to do with it).
columns! {
    Reference = "Referencia", Both, ["REFERENCIA", "REF"];
    Cui = "CUI", CuiOnly, ["CUI", "DPI", "CUIDPI", "NUMERODECUI"];
    Given1 = "Primer nombre", NamesOnly, ["PRIMERNOMBRE", "NOMBRE", "NOMBRES"];
    Given2 = "Segundo nombre", NamesOnly, ["SEGUNDONOMBRE"];
    Given3 = "Tercer nombre", NamesOnly, ["TERCERNOMBRE"];
    Surname1 = "Primer apellido", NamesOnly, ["PRIMERAPELLIDO", "APELLIDO"];
    Surname2 = "Segundo apellido", NamesOnly, ["SEGUNDOAPELLIDO"];
    Married = "Apellido de casada", NamesOnly, ["APELLIDODECASADA", "APELLIDOCASADA"];
    Born = "Fecha de nacimiento", NamesOnly, ["FECHADENACIMIENTO", "FECHANACIMIENTO", "FECHADENACIMIENTOOPCIONAL"];
    Programme = "Programa", Both, ["PROGRAMA", "PROGRAMASOCIAL"];
    BirthYear = "Año de nacimiento (opcional)", NamesOnly, ["ANODENACIMIENTO", "ANONACIMIENTO", "ANIODENACIMIENTO", "ANODENACIMIENTOOPCIONAL"];
    Age = "Edad (opcional)", NamesOnly, ["EDAD", "EDADANOS", "EDADOPCIONAL"];
    Sex = "Sexo (opcional)", NamesOnly, ["SEXO", "SEXOOPCIONAL", "GENERO"];
    BirthDepartment = "Departamento de nacimiento (opcional)", NamesOnly, ["DEPARTAMENTODENACIMIENTO", "DEPARTAMENTONACIMIENTO", "DEPARTAMENTODENACIMIENTOOPCIONAL"];
    BirthMunicipality = "Municipio de nacimiento (opcional)", NamesOnly, ["MUNICIPIODENACIMIENTO", "MUNICIPIONACIMIENTO", "MUNICIPIODENACIMIENTOOPCIONAL"];
}

impl Column {
    /// Recognises a header cell, ignoring case, accents, spaces and punctuation.
    pub fn recognise(text: &str) -> Option<Column> {
        let key = fold_key(text);
        if key.is_empty() {
            return None;
        }
        Column::ALL
            .iter()
            .copied()
            .find(|c| c.aliases().contains(&key.as_str()))
    }

    /// The position of a column in [`Column::ALL`], for the wire.
    pub fn index(self) -> u8 {
        Column::ALL.iter().position(|c| *c == self).unwrap_or(0) as u8
    }

    /// The column at position `i` of [`Column::ALL`] (the wire), if any.
    pub fn from_index(i: u8) -> Option<Column> {
        Column::ALL.get(usize::from(i)).copied()
    }
}

/// Upper-case ASCII letters only, accents removed (á → A, ñ → N).
fn fold_key(text: &str) -> String {
    text.nfkd()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_uppercase())
        .take(64)
        .collect()
}

/// The header a sheet's row makes, if it is one.
pub(crate) fn header_of<'a>(
    cells: impl Iterator<Item = (u32, &'a str)>,
) -> Option<(Mode, Vec<(Column, u32)>)> {
    let mut found: Vec<(Column, u32)> = Vec::new();
    for (col, text) in cells {
        if let Some(c) = Column::recognise(text)
            && !found.iter().any(|(k, _)| *k == c)
        {
            found.push((c, col));
        }
    }
    let has = |c: &Column| found.iter().any(|(k, _)| k == c);
    for mode in [Mode::Cui, Mode::Names] {
        if mode.required().iter().all(has) {
            found.sort();
            return Some((mode, found));
        }
    }
    None
}

/// "Referencia, CUI, Programa" for a refusal.
pub fn titles_list(mode: Mode) -> String {
    mode.titles().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        assert_eq!(Column::recognise(" REFERÉNCIA "), Some(Column::Reference));
        assert_eq!(Column::recognise("C.U.I."), Some(Column::Cui));
        assert_eq!(
            Column::recognise("programa_social"),
            Some(Column::Programme)
        );
        assert_eq!(Column::recognise("Segundo  nombre"), Some(Column::Given2));
        assert_eq!(
            Column::recognise("Fecha de nacimiento (opcional)"),
            Some(Column::Born)
        );
        assert_eq!(Column::recognise("Observación"), None);
        assert_eq!(Mode::Cui.titles(), ["Referencia", "CUI", "Programa"]);
        // The nine columns of the portal and the five optional ones.
        assert_eq!(Mode::Names.titles().len(), 14);
        assert_eq!(Column::recognise("Sexo"), Some(Column::Sex));
        assert_eq!(
            Column::recognise("Municipio de nacimiento"),
            Some(Column::BirthMunicipality)
        );
        assert_eq!(
            Column::recognise("Año de nacimiento"),
            Some(Column::BirthYear)
        );
        assert_eq!(Column::recognise("EDAD"), Some(Column::Age));
        for c in Column::ALL {
            assert_eq!(Column::from_index(c.index()), Some(*c));
            assert_eq!(Column::recognise(c.title()), Some(*c), "{c:?}");
        }
    }
}
