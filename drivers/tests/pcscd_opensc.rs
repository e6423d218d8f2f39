//! Interop with a card stack nobody here wrote: OpenSC's PKCS#11 module and
//! `pkcs11-tool` must see and use a `padron-card` as a PIV card, and
//! `openssl` must verify what it signs. Also the PKCS#11 driver over
//! OpenSC's module. Needs pcscd: started by the test bed.

// Test helpers outside #[test] functions panic to fail the test, like the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::process::Command;

use padron_drivers::CardSource;
use padron_drivers::pkcs11::Pkcs11Source;
use padron_drivers::testbed::{self, run};
use support::{Bed, Expected, PIN, behaviour_suite};

const CUI: &str = "2456789050101";

fn opensc() -> std::path::PathBuf {
    testbed::opensc_module()
        .expect("OpenSC's opensc-pkcs11.so (Debian package opensc) must be installed")
}

fn pkcs11_tool(args: &[&str]) -> String {
    run(Command::new("pkcs11-tool")
        .arg("--module")
        .arg(opensc())
        .args(args))
    .expect("pkcs11-tool")
}

fn public_key_pem(cert_pem: &Path, out: &Path) {
    let text = run(Command::new("openssl")
        .arg("x509")
        .arg("-in")
        .arg(cert_pem)
        .args(["-pubkey", "-noout"]))
    .unwrap();
    std::fs::write(out, text).unwrap();
}

fn opensc_lists_and_signs(algorithm: &str, mechanism: &str) {
    let bed = Bed::new();
    let card = bed.issue(algorithm, CUI, "CARLOS ENRIQUE", "DE LEÓN CAAL", algorithm);
    let _inserted = bed.insert(&card, 0);

    let listing = pkcs11_tool(&["--list-objects"]);
    assert!(
        listing.contains("Certificate for PIV Authentication"),
        "{listing}"
    );
    assert!(
        listing.contains("Certificate for Digital Signature"),
        "{listing}"
    );
    assert!(
        listing.contains(&format!("serialNumber=PNOGT-{CUI}")),
        "{listing}"
    );

    let data = bed.dir.path().join("data.txt");
    std::fs::write(&data, "Consulta Social: lote 7, programa Bolsa Social\n").unwrap();
    for (id, cert) in [("01", "auth.crt.pem"), ("02", "sign.crt.pem")] {
        let sig = bed.dir.path().join(format!("sig{id}-{algorithm}"));
        let mut args = vec![
            "--login", "--pin", PIN, "--sign", "--id", id, "-m", mechanism,
        ];
        if algorithm != "rsa2048" {
            args.extend(["--signature-format", "openssl"]);
        }
        let input = data.to_str().unwrap();
        let output = sig.to_str().unwrap();
        args.extend(["-i", input, "-o", output]);
        pkcs11_tool(&args);
        let public = bed.dir.path().join(format!("pub{id}.pem"));
        public_key_pem(&card.join(cert), &public);
        let verified = run(Command::new("openssl")
            .args(["dgst", "-sha256", "-verify"])
            .arg(&public)
            .arg("-signature")
            .arg(&sig)
            .arg(&data))
        .expect("openssl verifies the signature");
        assert!(verified.contains("Verified OK"), "{verified}");
    }
}

#[test]
fn opensc_lists_and_signs_with_a_p256_card() {
    opensc_lists_and_signs("p256", "ECDSA-SHA256");
}

#[test]
fn opensc_lists_and_signs_with_an_rsa2048_card() {
    opensc_lists_and_signs("rsa2048", "SHA256-RSA-PKCS");
}

#[test]
fn pkcs11_driver_over_opensc_passes_the_behaviour_suite() {
    for algorithm in ["p256", "rsa2048"] {
        let bed = Bed::new();
        let card = bed.issue(algorithm, CUI, "LUCÍA", "XICAY", algorithm);
        let inserted = bed.insert(&card, 0);
        let source = Pkcs11Source::load(&opensc()).unwrap();
        let slot = source
            .readers()
            .unwrap()
            .into_iter()
            .find(|r| r.name.contains(&inserted.reader))
            .unwrap_or_else(|| {
                panic!(
                    "OpenSC has no slot for {}: {:?}",
                    inserted.reader,
                    source.readers()
                )
            });
        assert!(slot.card_present);
        let mut token = source.open(&slot.name).unwrap();
        behaviour_suite(
            token.as_mut(),
            &Expected::from_card_dir(&card, CUI, "LUCÍA XICAY"),
        );
    }
}
