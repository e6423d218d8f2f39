//! The Consulta Social query workbook as institutions fill it: columns,
//! limits. The server's reader matches headers ignoring case, accents and
//! spaces; these are the canonical spellings a template carries.

/// Columns of a query by CUI.
pub const CUI_COLUMNS: [&str; 3] = ["Referencia", "CUI", "Programa"];

/// Columns of a query by names (`Fecha de nacimiento` may be left empty).
pub const NAMES_COLUMNS: [&str; 9] = [
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

/// Largest file accepted.
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;
/// Most rows in a query by CUI.
pub const MAX_CUI_ROWS: usize = 50_000;
/// Most rows in a query by names.
pub const MAX_NAMES_ROWS: usize = 3_000;
