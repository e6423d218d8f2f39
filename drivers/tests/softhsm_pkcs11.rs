//! The PKCS#11 driver against SoftHSM2 (Debian `softhsm2`), a token the
//! test initialises and fills with a `padron-card` card's keys and
//! certificates. No pcscd needed.
//!
//! SoftHSM reads its configuration from `SOFTHSM2_CONF` when the module
//! loads; setting that variable inside a running test would be unsafe, so
//! the test prepares the token and then runs itself again in a child
//! process whose environment names the configuration.

// Test helpers outside #[test] functions panic to fail the test, like the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use padron_drivers::pkcs11::Pkcs11Source;
use padron_drivers::testbed::{self, run};
use padron_drivers::{CardError, CardSource, KeySlot};
use support::{Expected, PIN, behaviour_suite, card_certificate, padron_card};

const TEST_NAME: &str = "pkcs11_driver_on_softhsm_passes_the_behaviour_suite";
const TOKEN: &str = "padron-test";
const CUI: &str = "1234567890101";
const CHILD_CARD: &str = "PADRON_SOFTHSM_CARD";

fn softhsm() -> PathBuf {
    testbed::softhsm_module()
        .expect("SoftHSM2's libsofthsm2.so (Debian package softhsm2) must be installed")
}

fn child(card: &Path) {
    let source = Pkcs11Source::load(&softhsm()).unwrap();
    let slot = source
        .readers()
        .unwrap()
        .into_iter()
        .find(|r| r.card_present)
        .expect("a SoftHSM slot with a token");
    assert!(matches!(
        source.open("no such token"),
        Err(CardError::ReaderNotFound(_))
    ));
    let mut token = source
        .open(TOKEN)
        .unwrap_or_else(|e| panic!("token {TOKEN} in {slot:?}: {e}"));
    let mut expected = Expected::from_card_dir(card, CUI, "ELENA QUEJ");
    // SoftHSM keys imported as they are here carry no "always authenticate".
    expected.signature_pin_always = false;
    behaviour_suite(token.as_mut(), &expected);
}

fn prepare_token(dir: &Path, conf: &Path, card: &Path) {
    let tokens = dir.join("tokens");
    std::fs::create_dir_all(&tokens).unwrap();
    std::fs::write(
        conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tokens.display()
        ),
    )
    .unwrap();
    let env = |cmd: &mut Command| -> Command {
        let mut c = std::mem::replace(cmd, Command::new("true"));
        c.env("SOFTHSM2_CONF", conf);
        c
    };
    run(&mut env(Command::new("softhsm2-util").args([
        "--init-token",
        "--free",
        "--label",
        TOKEN,
        "--pin",
        PIN,
        "--so-pin",
        "87654321",
    ])))
    .expect("softhsm2-util --init-token");
    for (slot, id, label) in [
        (KeySlot::Authentication, "01", "auth"),
        (KeySlot::Signature, "02", "sign"),
    ] {
        let key = card.join(format!("{label}.key.pem"));
        run(&mut env(Command::new("softhsm2-util")
            .arg("--import")
            .arg(&key)
            .args([
                "--token", TOKEN, "--label", label, "--id", id, "--pin", PIN,
            ])))
        .expect("softhsm2-util --import");
        let der = dir.join(format!("{label}.crt.der"));
        std::fs::write(&der, card_certificate(card, slot)).unwrap();
        run(&mut env(Command::new("pkcs11-tool")
            .arg("--module")
            .arg(softhsm())
            .args([
                "--token-label",
                TOKEN,
                "--login",
                "--pin",
                PIN,
                "--write-object",
            ])
            .arg(&der)
            .args(["--type", "cert", "--id", id, "--label", label])))
        .expect("pkcs11-tool --write-object");
    }
}

#[test]
fn pkcs11_driver_on_softhsm_passes_the_behaviour_suite() {
    if let Some(card) = std::env::var_os(CHILD_CARD) {
        child(Path::new(&card));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca");
    let card = dir.path().join("card");
    testbed::init_ca(padron_card(), &ca).unwrap();
    testbed::issue_card(padron_card(), &ca, &card, CUI, "ELENA", "QUEJ", "p256").unwrap();
    let conf = dir.path().join("softhsm2.conf");
    prepare_token(dir.path(), &conf, &card);

    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", TEST_NAME, "--nocapture", "--test-threads", "1"])
        .env("SOFTHSM2_CONF", &conf)
        .env(CHILD_CARD, &card)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "the SoftHSM run failed:\n{text}");
    // The child really ran the test (a filter that matched nothing would also exit 0).
    assert!(text.contains("1 passed"), "{text}");
}
