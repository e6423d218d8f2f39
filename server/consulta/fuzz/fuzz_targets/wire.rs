//! Any bytes as the sandboxed child's answer: decoded or refused, never a
//! panic or a reservation sized by a declared count.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = padron_consulta::wire::decode(data);
});
