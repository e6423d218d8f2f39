pub mod consulta;
pub mod matching;
pub mod names;
pub mod registry;
pub mod workbook;

