//! Card access for Padrón. The PIV and PKCS#11 drivers and the virtual card
//! arrive with the smart-card work; this crate exists so the workspace layout
//! is final from the start.
