//! `padron-agent card info` end to end: a `padron-card` in vsmartcard's vpcd
//! reader of a real pcscd, read by the agent binary. Needs pcscd: started by
//! the drivers' test bed (packaging/dev/pcscd.sh).

// Test helpers outside #[test] functions panic to fail the test, like the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use padron_drivers::testbed::{self, VirtualCard};
use padron_drivers::{Card, CardError, Pin, PivSource};

fn agent() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_padron-agent"))
}

/// `padron-card` sits next to `padron-agent` in the target directory once
/// the workspace is built; build it if this test runs alone.
fn padron_card() -> PathBuf {
    let path = agent().with_file_name("padron-card");
    if !path.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-p", "padron-drivers", "--bin", "padron-card"])
            .status()
            .expect("cargo build padron-card");
        assert!(status.success(), "building padron-card failed");
    }
    assert!(path.exists(), "padron-card not found at {}", path.display());
    path
}

fn card_info(lang: &str) -> Output {
    Command::new(agent())
        .args(["--lang", lang, "card", "info"])
        .output()
        .expect("run padron-agent")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn card_info_shows_readers_holder_cui_certificates_and_pin_tries() {
    let _lock = testbed::lock().unwrap();
    testbed::ensure_pcscd()
        .expect("pcscd with vpcd must be running for card tests (packaging/dev/pcscd.sh)");
    let padron_card = padron_card();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca");
    let card = dir.path().join("card");
    testbed::init_ca(&padron_card, &ca).unwrap();
    testbed::issue_card(
        &padron_card,
        &ca,
        &card,
        "1234567890101",
        "MARÍA JOSÉ",
        "LÓPEZ DE GARCÍA",
        "p256",
    )
    .unwrap();

    // No card: the readers are listed and the refusal has its code.
    let out = card_info("es");
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("Virtual PCD 00 00 — vacío"),
        "{}",
        stdout(&out)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("CARD_ABSENT"));

    let inserted = VirtualCard::insert(&padron_card, &card, 0).unwrap();
    let out = card_info("es");
    let text = stdout(&out);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "Lectores:",
        "Virtual PCD 00 00 — con tarjeta",
        "Virtual PCD 00 01 — vacío",
        "titular: MARÍA JOSÉ LÓPEZ DE GARCÍA",
        "CUI: 1234 56789 0101",
        "certificado de autenticación:",
        "certificado de firma:",
        "emisor: C=GT, O=Padrón TEST eID (NOT FOR PRODUCTION), CN=Padrón TEST eID CA GT",
        "(vigente)",
        "intentos de PIN restantes: 3",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // Validity: issued now, for five years.
    let year = time::OffsetDateTime::now_utc().year();
    assert!(text.contains(&format!("válido desde {year}-")), "{text}");
    assert!(text.contains(&format!("hasta {}-", year + 5)), "{text}");

    // A wrong PIN shows up as one try fewer, in English too.
    {
        let mut piv = PivSource::new()
            .unwrap()
            .open_piv(&inserted.reader)
            .unwrap();
        assert!(matches!(
            piv.verify_pin(&Pin::new("000000").unwrap()),
            Err(CardError::PinIncorrect { .. })
        ));
    }
    let out = card_info("en");
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("holder: MARÍA JOSÉ LÓPEZ DE GARCÍA"),
        "{text}"
    );
    assert!(text.contains("PIN tries left: 2"), "{text}");
    inserted.remove().unwrap();
}
