//! Any bytes into the bounded reader: a refusal or a workbook, never a
//! panic, an abort or unbounded memory (run with `-rss_limit_mb`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = padron_consulta::Limits {
        time: std::time::Duration::from_secs(5),
        ..padron_consulta::Limits::default()
    };
    let _ = padron_consulta::read(data, &limits);
});
