//! `padron-server doctor` as a script sees it: the exit status (0 ok,
//! 1 warnings, 2 errors) and a finding that says what to do, in Spanish
//! and English.
#![allow(clippy::unwrap_used)] // test: a failed unwrap is a failed test

use std::os::unix::fs::PermissionsExt;

use padron_tests::consulta::registry_for;
use padron_tests::{Installation, path_str, run, run_env, stdout};

#[test]
fn doctor_exit_status_follows_the_worst_finding() {
    let inst = Installation::new();
    let d = inst.data();
    let doctor = |env: &[(&str, &str)]| {
        let out = run_env(
            "padron-server",
            &["doctor", "--data", d, "--min-free-mib", "1"],
            env,
        );
        (out.status.code(), stdout(&out))
    };
    // No registry yet: a warning.
    let (code, text) = doctor(&[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("[AVISO] REGISTRY"), "{text}");
    assert!(
        text.contains("Qué hacer: Importe el registro civil"),
        "{text}"
    );
    registry_for(&inst, "200");
    let (code, text) = doctor(&[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("Resultado: 0 errores, 0 avisos."), "{text}");
    // A key others can read: an error, with the chmod to run.
    let key = inst.data.join("pki/server.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, text) = doctor(&[("PADRON_LANG", "en")]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("[ERROR] FILE_MODES"), "{text}");
    assert!(
        text.contains(&format!("What to do: Run: chmod 600 {}", key.display())),
        "{text}"
    );
    // Not an installation at all.
    let out = run(
        "padron-server",
        &["doctor", "--data", path_str(&inst.tmp.path().join("none"))],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("[ERROR] DATA_DIR"));
}
