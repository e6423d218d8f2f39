//! Bytes from a card (or from a host, for the virtual card) are never
//! trusted: the APDU and BER-TLV parsers, the PIV object decoders and the
//! virtual card's applet return errors on anything malformed, and never panic.

// Test helpers outside #[test] functions panic to fail the test, like the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Mutex, OnceLock};

use padron_drivers::apdu::{Command, Response};
use padron_drivers::virtual_card::applet::PivApplet;
use padron_drivers::virtual_card::files::{CardAlgorithm, CardFiles};
use padron_drivers::virtual_card::issuer::{self, CardRequest};
use padron_drivers::{piv, signature_format, tlv};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn tlv_parsing_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = tlv::parse_one(&bytes);
        if let Ok(all) = tlv::parse_all(&bytes) {
            // Whatever parsed lies inside the input.
            prop_assert!(all.iter().map(|t| t.value.len()).sum::<usize>() <= bytes.len());
        }
        let _ = tlv::find(&bytes, 0x53);
    }

    #[test]
    fn apdu_parsing_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(cmd) = Command::parse(&bytes) {
            // A parsed short command encodes back to the same bytes.
            if bytes.len() <= 261 && bytes.get(4) != Some(&0) {
                prop_assert_eq!(cmd.to_short_bytes().unwrap(), bytes.clone());
            }
        }
        let _ = Response::parse(&bytes);
    }

    #[test]
    fn piv_object_decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = piv::decode_certificate_object(&bytes);
        let _ = piv::decode_general_authenticate_response(&bytes);
        let _ = signature_format::ecdsa_raw_to_der(&bytes);
        let _ = padron_drivers::CertificateInfo::parse(&bytes);
    }

    #[test]
    fn tlv_round_trips(tag in prop_oneof![0x01u32..0x1F, 0x5F01u32..0x5F7F, 0x5FC101u32..0x5FC17F],
                       value in proptest::collection::vec(any::<u8>(), 0..1000)) {
        let bytes = tlv::encode(tag, &value);
        let (parsed, rest) = tlv::parse_one(&bytes).unwrap();
        prop_assert_eq!(parsed.tag, tag);
        prop_assert_eq!(parsed.value, &value[..]);
        prop_assert!(rest.is_empty());
    }

    #[test]
    fn the_virtual_card_answers_any_bytes(apdus in proptest::collection::vec(
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..300),
            // Valid-looking PIV commands with random bodies reach deeper code.
            (prop::sample::select(vec![0xA4u8, 0xCB, 0x20, 0x87, 0xC0]), any::<u8>(), any::<u8>(),
             proptest::collection::vec(any::<u8>(), 0..260), any::<bool>())
                .prop_map(|(ins, p1, p2, data, chained)| {
                    let mut cmd = Command::new(if chained { 0x10 } else { 0 }, ins, p1, p2);
                    cmd.data = data.into_iter().take(255).collect();
                    cmd.le = Some(256);
                    cmd.to_short_bytes().unwrap()
                }),
        ], 1..12)) {
        let mut applet = applet().lock().unwrap();
        for apdu in apdus {
            let response = applet.process(&apdu);
            prop_assert!(response.len() >= 2 && response.len() <= 258, "{}", response.len());
        }
        applet.reset();
    }
}

/// One virtual card for every case: issuing keys per case would be slow.
fn applet() -> &'static Mutex<PivApplet> {
    static APPLET: OnceLock<Mutex<PivApplet>> = OnceLock::new();
    APPLET.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let ca = dir.join("ca");
        issuer::init_ca(&ca, "GT").unwrap();
        let request = CardRequest {
            cui: padron_shared::Cui::parse("1234567890101").unwrap(),
            given_names: "PRUEBA".into(),
            surnames: "ALEATORIA".into(),
            algorithm: CardAlgorithm::P256,
            // A PIN random bytes will not hit: the card would block, which is fine too.
            pin: "98765432".into(),
        };
        issuer::issue_card(&ca, &dir.join("card"), &request).unwrap();
        Mutex::new(PivApplet::new(CardFiles::load(&dir.join("card")).unwrap()))
    })
}
