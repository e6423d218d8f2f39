//! The PIV driver and the event watcher against `padron-card` cards in a
//! real pcscd (vpcd readers). Needs pcscd: started by the test bed.

// Test helpers outside #[test] functions panic to fail the test, like the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use padron_drivers::apdu::{Command, StatusWord};
use padron_drivers::events::{CardEvent, EventWatcher};
use padron_drivers::{
    Card, CardError, CardSource, CertificateInfo, Digest, HashAlgorithm, KeySlot, Pin, PivSource,
};
use support::{Bed, Expected, PIN, behaviour_suite, signature_verifies};

const CUI_A: &str = "1234567890101";
const CUI_B: &str = "9876543220101";

fn suite_for(algorithm: &str) {
    let bed = Bed::new();
    let card = bed.issue(algorithm, CUI_A, "MARÍA JOSÉ", "LÓPEZ DE GARCÍA", algorithm);
    let inserted = bed.insert(&card, 0);
    let source = PivSource::new().unwrap();
    let reader = source
        .readers()
        .unwrap()
        .into_iter()
        .find(|r| r.name == inserted.reader)
        .unwrap();
    assert!(reader.card_present);
    let mut piv = source.open(&inserted.reader).unwrap();
    behaviour_suite(
        piv.as_mut(),
        &Expected::from_card_dir(&card, CUI_A, "MARÍA JOSÉ LÓPEZ DE GARCÍA"),
    );
}

#[test]
fn piv_driver_behaviour_p256() {
    suite_for("p256");
}

#[test]
fn piv_driver_behaviour_p384() {
    suite_for("p384");
}

#[test]
fn piv_driver_behaviour_rsa2048() {
    suite_for("rsa2048");
}

#[test]
fn wrong_pins_count_down_and_three_block_the_card() {
    let bed = Bed::new();
    let card = bed.issue("card", CUI_A, "JUAN", "PÉREZ", "p256");
    let inserted = bed.insert(&card, 0);
    let mut piv = PivSource::new()
        .unwrap()
        .open_piv(&inserted.reader)
        .unwrap();
    assert_eq!(piv.pin_status().unwrap().tries_left, Some(3));

    let wrong = Pin::new("654321").unwrap();
    for left in [2u8, 1] {
        match piv.verify_pin(&wrong) {
            Err(CardError::PinIncorrect { tries_left }) => assert_eq!(tries_left, Some(left)),
            other => panic!("{other:?}"),
        }
        assert_eq!(piv.pin_status().unwrap().tries_left, Some(left));
    }
    // A right PIN before the counter runs out resets it.
    piv.verify_pin(&Pin::new(PIN).unwrap()).unwrap();
    assert!(piv.pin_status().unwrap().verified);
    for _ in 0..2 {
        assert!(matches!(
            piv.verify_pin(&wrong),
            Err(CardError::PinIncorrect { .. })
        ));
    }
    // The third wrong PIN in a row blocks it.
    assert!(matches!(piv.verify_pin(&wrong), Err(CardError::PinBlocked)));
    let status = piv.pin_status().unwrap();
    assert!(status.blocked && status.tries_left == Some(0), "{status:?}");
    // Even the right PIN is now refused with 6983.
    let verify = Command::new(0x00, 0x20, 0x00, 0x80).with_data(b"123456\xFF\xFF".to_vec());
    assert_eq!(
        piv.transmit(&verify).unwrap().sw,
        StatusWord::AUTH_METHOD_BLOCKED
    );
    assert!(matches!(
        piv.verify_pin(&Pin::new(PIN).unwrap()),
        Err(CardError::PinBlocked)
    ));
    let digest = Digest::of(HashAlgorithm::Sha256, b"x");
    assert!(matches!(
        piv.sign(KeySlot::Authentication, &digest, None),
        Err(CardError::PinRequired)
    ));

    // Blocked stays blocked when the card is pulled out and put back.
    drop(piv);
    inserted.remove().unwrap();
    let inserted = bed.insert(&card, 0);
    let mut piv = PivSource::new()
        .unwrap()
        .open_piv(&inserted.reader)
        .unwrap();
    assert!(piv.pin_status().unwrap().blocked);
}

#[test]
fn removal_during_a_session_is_reported_as_removal_within_one_second() {
    let bed = Bed::new();
    let card = bed.issue("card", CUI_A, "ANA", "CHOC", "p256");
    let mut inserted = bed.insert(&card, 0);
    let mut piv = PivSource::new()
        .unwrap()
        .open_piv(&inserted.reader)
        .unwrap();
    piv.verify_pin(&Pin::new(PIN).unwrap()).unwrap();

    inserted.kill();
    let started = Instant::now();
    let result = piv.pin_status();
    let elapsed = started.elapsed();
    assert!(matches!(result, Err(CardError::CardRemoved)), "{result:?}");
    assert!(elapsed < Duration::from_secs(1), "took {elapsed:?}");
    // And it stays removed.
    let digest = Digest::of(HashAlgorithm::Sha256, b"x");
    assert!(matches!(
        piv.sign(KeySlot::Authentication, &digest, None),
        Err(CardError::CardRemoved)
    ));
    assert_eq!(CardError::CardRemoved.code().as_str(), "CARD_REMOVED");
}

#[test]
fn two_cards_in_two_slots_are_told_apart() {
    let bed = Bed::new();
    let card_a = bed.issue("a", CUI_A, "MARÍA", "XOL", "p256");
    let card_b = bed.issue("b", CUI_B, "PEDRO", "TZUL", "rsa2048");
    let slot0 = bed.insert(&card_a, 0);
    let slot1 = bed.insert(&card_b, 1);
    assert_ne!(slot0.reader, slot1.reader);

    let source = PivSource::new().unwrap();
    let present: Vec<String> = source
        .readers()
        .unwrap()
        .into_iter()
        .filter(|r| r.card_present)
        .map(|r| r.name)
        .collect();
    assert!(
        present.contains(&slot0.reader) && present.contains(&slot1.reader),
        "{present:?}"
    );

    let mut a = source.open_piv(&slot0.reader).unwrap();
    let mut b = source.open_piv(&slot1.reader).unwrap();
    let cui = |card: &mut padron_drivers::PivCard| {
        CertificateInfo::parse(&card.certificate(KeySlot::Authentication).unwrap())
            .unwrap()
            .cui()
            .unwrap()
            .to_string()
    };
    assert_eq!(cui(&mut a), CUI_A);
    assert_eq!(cui(&mut b), CUI_B);
    assert_ne!(a.card_uuid().unwrap(), b.card_uuid().unwrap());

    let pin = Pin::new(PIN).unwrap();
    a.verify_pin(&pin).unwrap();
    // Verifying in one reader does not unlock the other card.
    assert!(!b.pin_status().unwrap().verified);
    b.verify_pin(&pin).unwrap();
    let digest = Digest::of(HashAlgorithm::Sha256, b"consulta");
    let sig_a = a.sign(KeySlot::Authentication, &digest, None).unwrap();
    let sig_b = b.sign(KeySlot::Authentication, &digest, None).unwrap();
    let cert_a = a.certificate(KeySlot::Authentication).unwrap();
    let cert_b = b.certificate(KeySlot::Authentication).unwrap();
    assert!(signature_verifies(
        &cert_a,
        HashAlgorithm::Sha256,
        b"consulta",
        &sig_a
    ));
    assert!(signature_verifies(
        &cert_b,
        HashAlgorithm::Sha256,
        b"consulta",
        &sig_b
    ));
    assert!(!signature_verifies(
        &cert_a,
        HashAlgorithm::Sha256,
        b"consulta",
        &sig_b
    ));
}

fn next_events(watcher: &mut EventWatcher, within: Duration) -> (Vec<CardEvent>, Duration) {
    let started = Instant::now();
    let events = watcher.wait(Some(within)).unwrap();
    (events, started.elapsed())
}

#[test]
fn events_report_insertion_and_removal_within_one_second() {
    let bed = Bed::new();
    let card = bed.issue("card", CUI_A, "ROSA", "POP", "p256");
    let mut watcher = EventWatcher::new(bed.ctx.clone()).unwrap();
    let vpcd: Vec<_> = watcher
        .readers()
        .into_iter()
        .filter(|r| r.name.starts_with("Virtual PCD"))
        .collect();
    assert!(
        vpcd.len() >= 2 && vpcd.iter().all(|r| !r.card_present),
        "{vpcd:?}"
    );

    let mut inserted = bed.insert(&card, 0);
    let (events, _) = next_events(&mut watcher, Duration::from_secs(5));
    assert!(
        events.iter().any(|e| matches!(e, CardEvent::CardInserted { reader, atr } if *reader == inserted.reader && atr.first() == Some(&0x3B))),
        "{events:?}"
    );

    inserted.kill();
    let (events, elapsed) = next_events(&mut watcher, Duration::from_secs(5));
    assert_eq!(
        events,
        vec![CardEvent::CardRemoved(inserted.reader.clone())]
    );
    assert!(
        elapsed < Duration::from_secs(1),
        "removal seen after {elapsed:?}"
    );
}

/// CPU time of this process so far, from /proc (user + system ticks).
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // Fields after the parenthesised command name; utime and stime are 14th and 15th overall.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[test]
fn waiting_for_events_blocks_without_burning_cpu_and_can_be_cancelled() {
    let bed = Bed::new();
    let mut watcher = EventWatcher::new(bed.ctx.clone()).unwrap();
    let before = cpu_ticks();
    let (events, elapsed) = next_events(&mut watcher, Duration::from_millis(1500));
    assert!(events.is_empty(), "{events:?}");
    assert!(elapsed >= Duration::from_millis(1400), "{elapsed:?}");
    // 1.5 s of waiting costs well under 0.1 s of CPU (ticks are 10 ms).
    assert!(
        cpu_ticks() - before < 10,
        "waiting used {} ticks",
        cpu_ticks() - before
    );

    let canceller = watcher.canceller();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        canceller.cancel().unwrap();
    });
    let started = Instant::now();
    assert!(matches!(watcher.wait(None), Err(CardError::WatchCancelled)));
    assert!(started.elapsed() < Duration::from_secs(2));
    stopper.join().unwrap();
}
