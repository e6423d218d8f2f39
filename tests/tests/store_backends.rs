//! One store suite, two backends: every case runs on SQLite
//! (`sqlite::NAME`) and on a real PostgreSQL server started for the test
//! (`postgres::NAME`). Several `Store` instances on one database stand for
//! several processes or nodes; the invariants are tried under concurrency.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use padron_shared::cases::CaseState;
use padron_shared::queries::{JobCounts, JobState, QueryMode};
use padron_shared::tickets::TicketState;
use padron_shared::users::RequestState;
use std::sync::{Arc, Barrier};

use padron_server::audit::{AuditRecord, GENESIS_HASH, verify_chain};
use padron_server::store::{
    CaseChange, Database, IssuedCertificate, KeyOrigin, MonthlyQuota, NewCase, NewCaseRow, NewJob,
    NewRequest, NewSession, NewTicketRecord, NodeBeat, NonceRefusal, ONE_QUERY_FILE_NAME,
    PublishedRegistry, RequestVerdict, Store, StoreError, StoredCrl, TicketChange,
    WorkstationSource,
};
use padron_shared::auth::Role;
use padron_shared::users::{RequestAction, UserChange};
use padron_shared::{Cui, ErrorCode};
use padron_tests::fixture::{COORDINATOR, cui};
use padron_tests::postgres::TestPostgres;
use serde_json::json;

struct Backend {
    db: Database,
    _dir: tempfile::TempDir,
    _pg: Option<TestPostgres>,
}

impl Backend {
    fn sqlite() -> Backend {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::Sqlite(dir.path().join("padron.db"));
        db.open(true).unwrap();
        Backend {
            db,
            _dir: dir,
            _pg: None,
        }
    }

    fn postgres() -> Backend {
        let pg = TestPostgres::start();
        let url = pg.create_database("padron");
        Backend {
            db: Database::Postgres {
                url,
                password: None,
            },
            _dir: tempfile::tempdir().unwrap(),
            _pg: Some(pg),
        }
    }

    /// Another connection to the same database, as another process would open it.
    fn store(&self) -> Arc<dyn Store> {
        self.db.open(true).unwrap()
    }
}

const AT: &str = "2026-12-01T10:00:00.000Z";

fn audit(action: &str) -> AuditRecord {
    AuditRecord::ok(AT, "admin:test", action, "test".into(), json!({}))
}

struct Seed {
    institution: i64,
    workstation: i64,
}

fn seed(store: &dyn Store) -> Seed {
    let inst = store
        .add_institution("MIDES", "Ministerio", AT, &audit("institution.add"))
        .unwrap();
    store
        .add_coordinator(
            "MIDES",
            Cui::parse(COORDINATOR).unwrap(),
            "Ana Coordinadora",
            AT,
            &audit("coordinator.add"),
        )
        .unwrap();
    let ws = enroll(store, "sede central");
    Seed {
        institution: inst.id,
        workstation: ws,
    }
}

fn enroll(store: &dyn Store, site: &str) -> i64 {
    store
        .enroll_workstation(
            "MIDES",
            site,
            KeyOrigin::Generated,
            AT,
            &audit("workstation.enroll"),
            &mut |id| {
                Ok(IssuedCertificate {
                    serial_hex: format!("{id:04x}"),
                    fingerprint_hex: format!("{:064x}", id + 1000 * site.len() as i64),
                    pem: "-----BEGIN CERTIFICATE-----".into(),
                    not_before: AT.into(),
                    not_after: "2027-12-01T10:00:00.000Z".into(),
                })
            },
        )
        .unwrap()
        .id
}

fn chain_is_whole(store: &dyn Store) -> usize {
    let entries = store.audit_entries(0, 1_000_000).unwrap();
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e.seq, i as i64 + 1, "gap or fork at {}", e.seq);
    }
    verify_chain(GENESIS_HASH.to_owned(), &entries).unwrap();
    entries.len()
}

fn add_request(seed: &Seed, id: &str, user: &str) -> NewRequest {
    NewRequest {
        id: id.to_owned(),
        institution_id: seed.institution,
        coordinator_cui: COORDINATOR.to_owned(),
        workstation_id: seed.workstation,
        action: RequestAction::Add,
        user: UserChange {
            cui: user.to_owned(),
            full_name: Some(format!("Usuario {user}")),
            email: Some("u@example.org".into()),
            phone: Some("5555".into()),
            department: Some("Dep".into()),
            post: Some("Puesto".into()),
            programme: Some("Bono".into()),
            ..Default::default()
        },
        // Bytes as a card would sign them, with NUL and high bytes.
        payload: [b"{\"a\":1}".as_slice(), &[0, 0xff, 0x80, b'\n']].concat(),
        algorithm: "ES256".into(),
        signature: (0..=255u8).rev().collect(),
        certificate: vec![0x30, 0x82, 0, 0, 0xde, 0xad],
        at: AT.to_owned(),
    }
}

fn job(seed: &Seed, id: &str, rows: i64, at: &str) -> NewJob {
    NewJob {
        id: id.to_owned(),
        institution_id: seed.institution,
        user_cui: cui(1),
        workstation_id: seed.workstation,
        file_name: format!("{id}.xlsx"),
        mode: QueryMode::Cui,
        rows,
        upload_sha256: "00".repeat(32),
        programmes: "{}".into(),
        created_at: at.to_owned(),
    }
}

// ---- the cases ----

fn a_failed_action_leaves_no_audit_entry(b: &Backend) {
    let store = b.store();
    seed(store.as_ref());
    let before = chain_is_whole(store.as_ref());
    let err = store
        .add_institution("MIDES", "otra", AT, &audit("institution.add"))
        .unwrap_err();
    assert!(matches!(err, StoreError::InstitutionExists(_)), "{err}");
    assert_eq!(chain_is_whole(store.as_ref()), before);
    // The issuance failing rolls the workstation row back with its entry.
    let err = store
        .enroll_workstation(
            "MIDES",
            "x",
            KeyOrigin::Csr,
            AT,
            &audit("workstation.enroll"),
            &mut |_| Err("no".into()),
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::Issuance(_)), "{err}");
    assert_eq!(store.workstations().unwrap().len(), 1);
    assert_eq!(chain_is_whole(store.as_ref()), before);
}

fn concurrent_writers_never_fork_the_audit_chain(b: &Backend) {
    let stores: Vec<Arc<dyn Store>> = (0..3).map(|_| b.store()).collect();
    let barrier = Arc::new(Barrier::new(6));
    let threads: Vec<_> = (0..6)
        .map(|t| {
            let store = stores[t % 3].clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                for i in 0..25 {
                    let mut record = audit("test.append");
                    record.subject = format!("t{t}:{i}");
                    store.append_audit(&record).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(chain_is_whole(stores[0].as_ref()), 150);
}

fn a_nonce_is_spent_once(b: &Backend) {
    let store = b.store();
    let s = seed(store.as_ref());
    let other = enroll(store.as_ref(), "otra sede");
    let expires = "2026-12-01T10:05:00.000Z";
    store
        .insert_nonce("n1", s.workstation, AT, expires)
        .unwrap();
    store
        .insert_nonce("n2", s.workstation, AT, expires)
        .unwrap();
    let now = "2026-12-01T10:01:00.000Z";
    assert_eq!(
        store.consume_nonce("nope", s.workstation, now).unwrap(),
        Err(NonceRefusal::Unknown)
    );
    assert_eq!(
        store.consume_nonce("n2", other, now).unwrap(),
        Err(NonceRefusal::OtherWorkstation)
    );
    assert_eq!(
        store
            .consume_nonce("n2", s.workstation, "2026-12-01T10:06:00.000Z")
            .unwrap(),
        Err(NonceRefusal::Expired)
    );
    let barrier = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let store = b.store();
            let barrier = barrier.clone();
            let ws = s.workstation;
            std::thread::spawn(move || {
                barrier.wait();
                store.consume_nonce("n1", ws, now).unwrap()
            })
        })
        .collect();
    let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(
        results
            .iter()
            .filter(|r| r.is_err())
            .all(|r| *r == Err(NonceRefusal::Reused))
    );
}

fn outstanding_challenges_are_capped_under_concurrency(b: &Backend) {
    let store = b.store();
    let s = seed(store.as_ref());
    let barrier = Arc::new(Barrier::new(10));
    let threads: Vec<_> = (0..10)
        .map(|i| {
            let store = b.store();
            let barrier = barrier.clone();
            let ws = s.workstation;
            std::thread::spawn(move || {
                barrier.wait();
                store
                    .insert_nonce_capped(&format!("c{i}"), ws, AT, "2026-12-01T10:05:00.000Z", 3)
                    .unwrap()
            })
        })
        .collect();
    let granted = threads
        .into_iter()
        .map(|t| t.join().unwrap())
        .filter(|ok| *ok)
        .count();
    assert_eq!(granted, 3);
}

fn the_user_limit_is_counted_inside_the_transaction(b: &Backend) {
    let store = b.store();
    let s = Arc::new(seed(store.as_ref()));
    let barrier = Arc::new(Barrier::new(14));
    let threads: Vec<_> = (0..14)
        .map(|i| {
            let store = b.store();
            let barrier = barrier.clone();
            let request = add_request(&s, &format!("req-{i}"), &cui(100 + i));
            std::thread::spawn(move || {
                barrier.wait();
                store.submit_request(&request, &audit("user.add")).unwrap()
            })
        })
        .collect();
    let verdicts: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let done = verdicts
        .iter()
        .filter(|v| **v == RequestVerdict::Done)
        .count();
    assert_eq!(done, 10, "{verdicts:?}");
    assert!(
        verdicts
            .iter()
            .filter(|v| **v != RequestVerdict::Done)
            .all(|v| *v == RequestVerdict::Rejected(ErrorCode::UserLimitReached))
    );
    assert_eq!(store.users(s.institution).unwrap().len(), 10);
    chain_is_whole(store.as_ref());
}

fn signed_requests_keep_their_bytes_and_refuse_a_replay(b: &Backend) {
    let store = b.store();
    let s = seed(store.as_ref());
    let request = add_request(&s, "req-1", &cui(7));
    assert_eq!(
        store.submit_request(&request, &audit("user.add")).unwrap(),
        RequestVerdict::Done
    );
    assert_eq!(
        store.submit_request(&request, &audit("user.add")).unwrap(),
        RequestVerdict::Rejected(ErrorCode::RequestReplayed)
    );
    let stored = store.stored_requests().unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].payload, request.payload);
    assert_eq!(stored[0].signature, request.signature);
    assert_eq!(stored[0].certificate, request.certificate);
    assert_eq!(stored[0].algorithm.as_deref(), Some("ES256"));
    assert!(store.request_exists("req-1").unwrap());
    let rows = store.requests(s.institution).unwrap();
    assert_eq!(rows[0].state, RequestState::Done);
}

fn the_quota_is_charged_once(b: &Backend) {
    let store = b.store();
    let s = Arc::new(seed(store.as_ref()));
    let quota = MonthlyQuota {
        limit: 100,
        from: "2026-12-01T00:00:00.000Z".into(),
        to: "2027-01-01T00:00:00.000Z".into(),
    };
    let barrier = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let store = b.store();
            let barrier = barrier.clone();
            let job = job(&s, &format!("job-{i}"), 30, AT);
            let quota = quota.clone();
            std::thread::spawn(move || {
                barrier.wait();
                store.enqueue(&job, Some(&quota), &audit("query.upload"))
            })
        })
        .collect();
    let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 3);
    for r in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(
            matches!(r, StoreError::QuotaExceeded { remaining: 10 }),
            "{r}"
        );
    }
    assert_eq!(
        store
            .rows_used(s.institution, &quota.from, &quota.to)
            .unwrap(),
        90
    );
    // Acknowledgement order is queue order: seq grows with each upload.
    let mut seqs: Vec<i64> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|j| j.seq))
        .collect();
    seqs.sort();
    seqs.dedup();
    assert_eq!(seqs.len(), 3);
}

fn jobs_run_in_fifo_order_are_taken_over_after_their_lease_and_complete_once(b: &Backend) {
    let store = b.store();
    let s = seed(store.as_ref());
    for i in 1..=3 {
        store
            .enqueue(
                &job(&s, &format!("j{i}"), 5, AT),
                None,
                &audit("query.upload"),
            )
            .unwrap();
    }
    let never = |_: &str| false;
    let t0 = "2026-12-01T11:00:00.000Z";
    let lease0 = "2026-12-01T11:00:30.000Z";
    let first = store
        .claim_next("node-a", t0, lease0, &never)
        .unwrap()
        .unwrap();
    assert_eq!(first.id, "j1");
    assert_eq!(store.jobs_ahead(first.seq).unwrap(), 0);
    let entries = chain_is_whole(store.as_ref());
    assert!(
        store
            .job_done(
                "j1",
                "node-a",
                &JobCounts::default(),
                t0,
                &audit("query.done")
            )
            .unwrap()
    );
    assert!(
        !store
            .job_done(
                "j1",
                "node-a",
                &JobCounts::default(),
                t0,
                &audit("query.done")
            )
            .unwrap()
    );
    assert!(
        !store
            .job_done(
                "j1",
                "node-b",
                &JobCounts::default(),
                t0,
                &audit("query.done")
            )
            .unwrap()
    );
    assert_eq!(
        chain_is_whole(store.as_ref()),
        entries + 1,
        "done recorded once"
    );

    let second = store
        .claim_next("node-b", t0, lease0, &never)
        .unwrap()
        .unwrap();
    assert_eq!(second.id, "j2");
    assert!(store.job_progress("j2", "node-b", 2, lease0).unwrap());
    // node-b stops answering; after its lease lapses node-c takes j2 over,
    // before j3: the head of the queue first.
    let later = "2026-12-01T11:01:00.000Z";
    let taken = store
        .claim_next("node-c", later, "2026-12-01T11:01:30.000Z", &never)
        .unwrap()
        .unwrap();
    assert_eq!(taken.id, "j2");
    assert_eq!(taken.attempts, 2);
    assert!(!store.job_progress("j2", "node-b", 3, lease0).unwrap());
    assert!(
        !store
            .job_done(
                "j2",
                "node-b",
                &JobCounts::default(),
                later,
                &audit("query.done")
            )
            .unwrap()
    );
    assert!(
        store
            .job_done(
                "j2",
                "node-c",
                &JobCounts::default(),
                later,
                &audit("query.done")
            )
            .unwrap()
    );
    let j2 = store.job("j2").unwrap().unwrap();
    assert_eq!(
        (j2.state, j2.worker.as_deref()),
        (JobState::Done, Some("node-c"))
    );
    // A worker this host knows is dead loses its job at once.
    let third = store
        .claim_next("node-d", later, "2026-12-01T11:01:30.000Z", &never)
        .unwrap()
        .unwrap();
    assert_eq!(third.id, "j3");
    let dead = |w: &str| w == "node-d";
    let resumed = store
        .claim_next("node-e", later, "2026-12-01T11:01:30.000Z", &dead)
        .unwrap()
        .unwrap();
    assert_eq!(resumed.id, "j3");
    assert!(
        store
            .claim_next("node-f", later, later, &never)
            .unwrap()
            .is_none()
    );
    let expired = store.expire_jobs("2026-12-01T11:00:30.000Z").unwrap();
    assert_eq!(expired, vec!["j1".to_owned()]);
}

fn the_enrolled_reader_sees_enrolments_and_revocations(b: &Backend) {
    let store = b.store();
    let s = seed(store.as_ref());
    let reader: Box<dyn WorkstationSource> = b.db.workstation_reader().unwrap();
    let before = reader.summary().unwrap();
    assert_eq!((before.count, before.revoked), (1, 0));
    let v = reader.data_version().unwrap();
    store
        .revoke_workstation(s.workstation, "lost", AT, &audit("workstation.revoke"))
        .unwrap();
    assert_ne!(reader.data_version().unwrap(), v);
    let after = reader.summary().unwrap();
    assert_eq!((after.count, after.revoked), (1, 1));
    let list = reader.workstations().unwrap();
    assert!(list[0].is_revoked());
    let err = store
        .revoke_workstation(s.workstation, "lost", AT, &audit("workstation.revoke"))
        .unwrap_err();
    assert!(
        matches!(err, StoreError::WorkstationAlreadyRevoked(_)),
        "{err}"
    );
}

fn blocking_a_person_ends_their_sessions_on_every_connection(b: &Backend) {
    let store = b.store();
    let s = seed(store.as_ref());
    let session = NewSession {
        token_hash: "t1".into(),
        workstation_id: s.workstation,
        cert_fingerprint: "f".into(),
        institution_id: s.institution,
        cui: COORDINATOR.into(),
        full_name: "Ana".into(),
        role: Role::Coordinator,
        created_at: AT.into(),
        expires_at: "2026-12-01T18:00:00.000Z".into(),
    };
    store
        .create_session(&session, &audit("auth.login"))
        .unwrap();
    // Another node sees the session and its end.
    let other = b.store();
    assert!(other.session("t1").unwrap().unwrap().ended_at.is_none());
    other
        .touch_session("t1", "2026-12-01T10:01:00.000Z")
        .unwrap();
    assert!(
        store
            .block_person(
                COORDINATOR,
                "misuse",
                "admin:test",
                AT,
                &audit("person.block")
            )
            .unwrap()
    );
    assert!(
        !other
            .block_person(
                COORDINATOR,
                "misuse",
                "admin:test",
                AT,
                &audit("person.block")
            )
            .unwrap()
    );
    let row = other.session("t1").unwrap().unwrap();
    assert_eq!(row.end_reason.as_deref(), Some("PERSON_BLOCKED"));
    assert_eq!(row.last_seen_at, "2026-12-01T10:01:00.000Z");
    assert!(other.person_block(COORDINATOR).unwrap().is_some());
    assert!(
        store
            .unblock_person(COORDINATOR, "admin:test", AT, &audit("person.unblock"))
            .unwrap()
    );
    assert_eq!(store.person_blocks(true).unwrap().len(), 1);
    assert!(store.person_blocks(false).unwrap().is_empty());
}

fn the_current_crl_is_replaced_by_compare_and_swap(b: &Backend) {
    let store = b.store();
    let crl = |fp: &str| StoredCrl {
        issuer: "CN=Issuer".into(),
        fingerprint: fp.into(),
        der: vec![1, 2, 3],
        crl_number: Some("1".into()),
        this_update: AT.into(),
        next_update: None,
        source: "import".into(),
        fetched_at: AT.into(),
        checked_at: None,
        last_error: None,
    };
    assert!(
        store
            .put_current_crl(&crl("a"), None, &audit("trust.crl"))
            .unwrap()
    );
    assert!(
        !store
            .put_current_crl(&crl("b"), None, &audit("trust.crl"))
            .unwrap()
    );
    assert!(
        store
            .put_current_crl(&crl("b"), Some("a"), &audit("trust.crl"))
            .unwrap()
    );
    store
        .note_crl_check("CN=Issuer", AT, Some("timeout"))
        .unwrap();
    let set = store.trust_set().unwrap();
    assert_eq!(set.crls.len(), 1);
    assert_eq!(set.crls[0].fingerprint, "b");
    assert_eq!(set.crls[0].last_error.as_deref(), Some("timeout"));
    assert!(
        store
            .add_eid_root("CN=Root", "r1", &[9, 9], AT, &audit("trust.add-root"))
            .unwrap()
    );
    assert!(
        !store
            .add_eid_root("CN=Root", "r1", &[9, 9], AT, &audit("trust.add-root"))
            .unwrap()
    );
    assert_eq!(store.evidence_roots().unwrap().len(), 1);
    assert_eq!(
        store
            .remove_eid_root("r1", AT, &audit("trust.remove-root"))
            .unwrap(),
        Some(0)
    );
    assert_eq!(store.evidence_roots().unwrap()[0].der, vec![9, 9]);
    chain_is_whole(store.as_ref());
}

fn the_january_step_runs_once(b: &Backend) {
    let store = b.store();
    let s = seed(store.as_ref());
    store
        .submit_request(&add_request(&s, "r1", &cui(3)), &audit("user.add"))
        .unwrap();
    assert!(store.mark_once("january:2027", AT).unwrap());
    assert!(!b.store().mark_once("january:2027", AT).unwrap());
    let n = store
        .deactivate_users(
            "MIDES",
            2027,
            "2027-01-02T00:00:00.000Z",
            &audit("lifecycle.january"),
        )
        .unwrap();
    assert_eq!(n, 1);
    let deactivated = store.january_deactivations(2027).unwrap();
    assert_eq!(deactivated.len(), 1);
    assert_eq!(deactivated[0].user_cui, cui(3));
    let facts = store.lifecycle_facts().unwrap();
    assert_eq!(facts[0].code, "MIDES");
    assert!(!store.installation_id().unwrap().is_empty());
}

fn a_case_is_kept_byte_for_byte_worked_closed_and_purged(b: &Backend) {
    let store = b.store();
    let s = seed(store.as_ref());
    let case = NewCase {
        id: "case-1".into(),
        institution_id: s.institution,
        job_id: "job-1".into(),
        coordinator_cui: COORDINATOR.to_owned(),
        workstation_id: s.workstation,
        payload: [b"{\"filas\":[1,2]}".as_slice(), &[0, 0xff, 0x80]].concat(),
        algorithm: "ES256".into(),
        signature: (0..=255u8).collect(),
        certificate: vec![0x30, 0x82, 0, 0, 0xbe, 0xef],
        rows: vec![
            NewCaseRow {
                fila: 2,
                referencia: "R-2".into(),
                resultado: "NO_ENCONTRADO".into(),
                consulta: "Juana Pérez".into(),
            },
            NewCaseRow {
                fila: 7,
                referencia: "R-7".into(),
                resultado: "AMBIGUO".into(),
                consulta: "José López".into(),
            },
        ],
        at: AT.into(),
    };
    assert!(store.add_case(&case, &audit("case.add")).unwrap());
    // The same id again: refused, nothing audited.
    assert!(!store.add_case(&case, &audit("case.add")).unwrap());
    let got = store.case("case-1").unwrap().unwrap();
    assert_eq!(got.payload, case.payload);
    assert_eq!(got.institution_code, "MIDES");
    assert_eq!(
        (got.state, got.rows_total, got.rows_answered),
        (CaseState::Recibido, 2, 0)
    );
    let stored = store.stored_case_requests().unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].signature, case.signature);
    assert_eq!(stored[0].certificate, case.certificate);
    assert_eq!(stored[0].algorithm.as_deref(), Some("ES256"));

    let t2 = "2026-12-02T10:00:00.000Z";
    let update = |id: &str, fila| {
        store
            .update_case_row(
                id,
                fila,
                "VERIFIED",
                Some(COORDINATOR),
                Some("visto"),
                t2,
                &audit("case.row"),
            )
            .unwrap()
    };
    assert_eq!(update("case-9", 2), CaseChange::NoSuchCase);
    assert_eq!(update("case-1", 3), CaseChange::NoSuchRow);
    assert_eq!(update("case-1", 7), CaseChange::Done);
    let got = store.case("case-1").unwrap().unwrap();
    assert_eq!((got.state, got.rows_answered), (CaseState::EnProceso, 1));
    assert_eq!(got.in_process_at.as_deref(), Some(t2));
    let rows = store.case_rows("case-1").unwrap();
    assert_eq!(rows.iter().map(|r| r.fila).collect::<Vec<_>>(), [2, 7]);
    assert_eq!(rows[1].outcome.as_deref(), Some("VERIFIED"));
    assert_eq!(rows[1].note.as_deref(), Some("visto"));
    assert_eq!(
        store
            .cases(Some(s.institution), Some(CaseState::EnProceso))
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .cases(None, Some(CaseState::Cerrado))
            .unwrap()
            .is_empty()
    );

    let t3 = "2026-12-03T10:00:00.000Z";
    assert_eq!(
        store
            .close_case("case-1", t3, &audit("case.close"))
            .unwrap(),
        CaseChange::Done
    );
    assert_eq!(
        store
            .close_case("case-1", t3, &audit("case.close"))
            .unwrap(),
        CaseChange::Closed
    );
    assert_eq!(update("case-1", 2), CaseChange::Closed);

    let purge_audit =
        |id: &str| AuditRecord::ok(AT, "system", "case.purge", format!("case:{id}"), json!({}));
    assert!(store.purge_cases(t3, AT, &purge_audit).unwrap().is_empty());
    let purged = store
        .purge_cases("2027-01-01T00:00:00.000Z", AT, &purge_audit)
        .unwrap();
    assert_eq!(purged, ["case-1"]);
    let got = store.case("case-1").unwrap().unwrap();
    assert!(got.payload.is_empty());
    assert_eq!(got.purged_at.as_deref(), Some(AT));
    assert!(
        store
            .case_rows("case-1")
            .unwrap()
            .iter()
            .all(|r| r.consulta.is_empty() && r.note.is_none())
    );
    assert!(store.stored_case_requests().unwrap().is_empty());
    assert!(
        store
            .purge_cases("2027-01-01T00:00:00.000Z", AT, &purge_audit)
            .unwrap()
            .is_empty()
    );
    // Seed (3), add, row, close, purge.
    assert_eq!(chain_is_whole(store.as_ref()), 7);
}

fn a_ticket_is_answered_resolved_reopened_and_closed(b: &Backend) {
    let store = b.store();
    let s = seed(store.as_ref());
    let new = |author: String, at: &str| NewTicketRecord {
        institution_id: s.institution,
        author_cui: author,
        author_name: "Usuaria".into(),
        author_role: "USER".into(),
        workstation_id: s.workstation,
        kind: "DUDA".into(),
        subject: "¿Cómo?".into(),
        text: "No encuentro el botón".into(),
        agent_version: "1.0.0".into(),
        about: Some("job-1".into()),
        at: at.into(),
    };
    let id = store
        .open_ticket(&new(cui(1), AT), &audit("ticket.open"))
        .unwrap();
    let last = store.audit_entries(0, 1000).unwrap().pop().unwrap();
    assert_eq!(last.subject, format!("ticket:{id}"));
    let t = store.ticket(id).unwrap().unwrap();
    assert_eq!(
        (t.state, t.workstation_site.as_str()),
        (TicketState::Recibido, "sede central")
    );
    assert_eq!(t.institution_code, "MIDES");
    assert_eq!(t.last_reply_at, None);

    let t2 = "2026-12-01T11:00:00.000Z";
    assert_eq!(
        store
            .reply_ticket(
                id,
                "admin:mesa",
                "Arriba a la derecha",
                t2,
                &audit("ticket.reply")
            )
            .unwrap(),
        TicketChange::Done
    );
    let t = store.ticket(id).unwrap().unwrap();
    assert_eq!(t.state, TicketState::EnProceso);
    assert_eq!(t.first_reply_at.as_deref(), Some(t2));
    assert_eq!(t.last_reply_at.as_deref(), Some(t2));
    assert_eq!(
        store
            .set_ticket_state(id, TicketState::EnProceso, t2, &audit("ticket.state"))
            .unwrap(),
        TicketChange::Conflict
    );

    let t3 = "2026-12-01T12:00:00.000Z";
    assert_eq!(
        store
            .set_ticket_state(id, TicketState::Resuelto, t3, &audit("ticket.state"))
            .unwrap(),
        TicketChange::Done
    );
    assert_eq!(
        store.ticket(id).unwrap().unwrap().resolved_at.as_deref(),
        Some(t3)
    );
    let reopen = |since: &str| {
        store
            .reopen_ticket(
                id,
                &format!("cui:{}", cui(1)),
                "Sigue sin salir",
                since,
                t3,
                &audit("ticket.reopen"),
            )
            .unwrap()
    };
    assert_eq!(reopen("2026-12-01T12:00:00.001Z"), TicketChange::Conflict);
    assert_eq!(reopen(t3), TicketChange::Done);
    let t = store.ticket(id).unwrap().unwrap();
    assert_eq!((t.state, t.resolved_at), (TicketState::EnProceso, None));
    let messages = store.ticket_messages(id).unwrap();
    assert_eq!(
        messages.iter().map(|m| m.side.as_str()).collect::<Vec<_>>(),
        ["PERSON", "REGISTRY", "PERSON"]
    );
    assert_eq!(messages[0].author, format!("cui:{}", cui(1)));

    let t4 = "2026-12-01T13:00:00.000Z";
    assert_eq!(
        store
            .set_ticket_state(id, TicketState::Cerrado, t4, &audit("ticket.state"))
            .unwrap(),
        TicketChange::Done
    );
    let t = store.ticket(id).unwrap().unwrap();
    assert_eq!(
        (t.closed_at.as_deref(), t.resolved_at.as_deref()),
        (Some(t4), Some(t4))
    );
    assert_eq!(
        store
            .reply_ticket(id, "admin:mesa", "¿Algo más?", t4, &audit("ticket.reply"))
            .unwrap(),
        TicketChange::Conflict
    );
    assert_eq!(
        store
            .set_ticket_state(id, TicketState::Resuelto, t4, &audit("ticket.state"))
            .unwrap(),
        TicketChange::Conflict
    );
    assert_eq!(
        store
            .set_ticket_state(id + 100, TicketState::Cerrado, t4, &audit("ticket.state"))
            .unwrap(),
        TicketChange::NoSuchTicket
    );

    let t5 = "2026-12-02T09:00:00.000Z";
    let other = store
        .open_ticket(&new(cui(2), t5), &audit("ticket.open"))
        .unwrap();
    assert!(other > id);
    let ids = |list: Vec<padron_server::store::TicketRecord>| {
        list.iter().map(|t| t.id).collect::<Vec<_>>()
    };
    assert_eq!(
        ids(store.tickets(None, None, None, None).unwrap()),
        [other, id]
    );
    assert_eq!(
        ids(store
            .tickets(Some(s.institution), Some(&cui(1)), None, None)
            .unwrap()),
        [id]
    );
    assert_eq!(
        ids(store
            .tickets(None, None, Some(TicketState::Cerrado), None)
            .unwrap()),
        [id]
    );
    assert_eq!(
        ids(store
            .tickets(None, None, None, Some((t5, "2026-12-03T00:00:00.000Z")))
            .unwrap()),
        [other]
    );
    assert!(
        store
            .tickets(Some(s.institution + 100), None, None, None)
            .unwrap()
            .is_empty()
    );

    store.ticket_seen(id, t5).unwrap();
    assert_eq!(
        store.ticket(id).unwrap().unwrap().author_seen_at.as_deref(),
        Some(t5)
    );
    // Seed (3), open, reply, resolve, reopen, close, open; seen is not audited.
    assert_eq!(chain_is_whole(store.as_ref()), 9);
}

fn a_one_query_is_stored_done_and_charged_to_the_quota(b: &Backend) {
    let store = b.store();
    let s = seed(store.as_ref());
    let quota = MonthlyQuota {
        limit: 2,
        from: "2026-12-01T00:00:00.000Z".into(),
        to: "2027-01-01T00:00:00.000Z".into(),
    };
    let one = |id: &str| NewJob {
        file_name: ONE_QUERY_FILE_NAME.into(),
        ..job(&s, id, 1, AT)
    };
    let counts = &JobCounts {
        encontrado: 1,
        ..JobCounts::default()
    };
    for id in ["one-1", "one-2"] {
        let row = store
            .record_one_query(&one(id), counts, Some(&quota), &audit("query.one"))
            .unwrap();
        assert_eq!(
            (row.state, row.progress_done, row.rows),
            (JobState::Done, 1, 1)
        );
        assert_eq!(row.counts.as_ref(), Some(counts));
        assert_eq!(
            (row.started_at.as_deref(), row.finished_at.as_deref()),
            (Some(AT), Some(AT))
        );
    }
    assert!(matches!(
        store.record_one_query(&one("one-3"), counts, Some(&quota), &audit("query.one")),
        Err(StoreError::QuotaExceeded { remaining: 0 })
    ));
    assert!(store.job("one-3").unwrap().is_none());
    assert_eq!(
        store
            .rows_used(s.institution, &quota.from, &quota.to)
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .institution("MIDES")
            .unwrap()
            .unwrap()
            .last_query_at
            .as_deref(),
        Some(AT)
    );
    assert_eq!(chain_is_whole(store.as_ref()), 5);
}

/// Issue 15: the registry version published last is current (audited),
/// each node's heartbeat is kept per node and refreshed in place, and a job
/// records the registry version it ran against, only for its own worker.
fn registry_versions_are_published_and_every_node_beats(b: &Backend) {
    let store = b.store();
    let other = b.store();
    let s = seed(store.as_ref());
    assert_eq!(store.current_registry().unwrap(), None);
    let before = chain_is_whole(store.as_ref());
    let publish = |version: &str, node: &str, at: &str| PublishedRegistry {
        version: version.into(),
        persons: 1000,
        source: "registro.csv".into(),
        imported_at: at.into(),
        node: node.into(),
        published_at: at.into(),
    };
    store
        .publish_registry(
            &publish("v-old", "node-a", AT),
            &audit("registry.published"),
        )
        .unwrap();
    let newer = publish("v-new", "node-b", "2026-12-01T11:00:00.000Z");
    other
        .publish_registry(&newer, &audit("registry.published"))
        .unwrap();
    assert_eq!(store.current_registry().unwrap(), Some(newer));
    assert_eq!(chain_is_whole(store.as_ref()), before + 2);

    let beat = |node: &str, version: Option<&str>, seen: &str| NodeBeat {
        node: node.into(),
        host: "host".into(),
        registry_version: version.map(str::to_owned),
        started_at: AT.into(),
        last_seen: seen.into(),
    };
    store.node_seen(&beat("node-b", Some("v-new"), AT)).unwrap();
    other.node_seen(&beat("node-a", Some("v-old"), AT)).unwrap();
    other
        .node_seen(&beat("node-a", Some("v-new"), "2026-12-01T11:00:05.000Z"))
        .unwrap();
    assert_eq!(
        store.nodes().unwrap(),
        vec![
            beat("node-a", Some("v-new"), "2026-12-01T11:00:05.000Z"),
            beat("node-b", Some("v-new"), AT),
        ]
    );
    // Heartbeats are not audited.
    assert_eq!(chain_is_whole(store.as_ref()), before + 2);

    store
        .enqueue(&job(&s, "j1", 5, AT), None, &audit("query.upload"))
        .unwrap();
    assert_eq!(store.job("j1").unwrap().unwrap().registry_version, None);
    let never = |_: &str| false;
    let t0 = "2026-12-01T11:00:00.000Z";
    let claimed = store
        .claim_next("node-a", t0, "2026-12-01T11:00:30.000Z", &never)
        .unwrap()
        .unwrap();
    assert!(!other.job_registry(&claimed.id, "node-b", "v-new").unwrap());
    assert!(other.job_registry(&claimed.id, "node-a", "v-new").unwrap());
    assert!(
        store
            .job_done(
                "j1",
                "node-a",
                &JobCounts::default(),
                t0,
                &audit("query.done")
            )
            .unwrap()
    );
    // Finished: no longer anyone's to change.
    assert!(!store.job_registry("j1", "node-a", "v-old").unwrap());
    assert_eq!(
        other
            .job("j1")
            .unwrap()
            .unwrap()
            .registry_version
            .as_deref(),
        Some("v-new")
    );
}

macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $case() { super::$case(&super::Backend::sqlite()) })*
        }
        mod postgres {
            $(#[test] fn $case() { super::$case(&super::Backend::postgres()) })*
        }
    };
}

on_both_backends!(
    a_failed_action_leaves_no_audit_entry,
    concurrent_writers_never_fork_the_audit_chain,
    a_nonce_is_spent_once,
    outstanding_challenges_are_capped_under_concurrency,
    the_user_limit_is_counted_inside_the_transaction,
    signed_requests_keep_their_bytes_and_refuse_a_replay,
    the_quota_is_charged_once,
    jobs_run_in_fifo_order_are_taken_over_after_their_lease_and_complete_once,
    the_enrolled_reader_sees_enrolments_and_revocations,
    blocking_a_person_ends_their_sessions_on_every_connection,
    the_current_crl_is_replaced_by_compare_and_swap,
    the_january_step_runs_once,
    a_case_is_kept_byte_for_byte_worked_closed_and_purged,
    a_ticket_is_answered_resolved_reopened_and_closed,
    a_one_query_is_stored_done_and_charged_to_the_quota,
    registry_versions_are_published_and_every_node_beats,
);

/// Several nodes on one PostgreSQL claim different jobs at once, in queue
/// order (SQLite's single worker per installation never does).
#[test]
fn postgres_nodes_claim_distinct_jobs_in_queue_order() {
    let b = Backend::postgres();
    let store = b.store();
    let s = seed(store.as_ref());
    for i in 1..=6 {
        store
            .enqueue(
                &job(&s, &format!("j{i}"), 1, AT),
                None,
                &audit("query.upload"),
            )
            .unwrap();
    }
    let barrier = Arc::new(Barrier::new(3));
    let threads: Vec<_> = (0..3)
        .map(|n| {
            let store = b.store();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                let never = |_: &str| false;
                store
                    .claim_next(&format!("node-{n}"), AT, "2026-12-01T10:00:30.000Z", &never)
                    .unwrap()
                    .map(|j| j.id)
            })
        })
        .collect();
    let mut claimed: Vec<String> = threads
        .into_iter()
        .filter_map(|t| t.join().unwrap())
        .collect();
    claimed.sort();
    assert_eq!(claimed, vec!["j1", "j2", "j3"]);
}

/// `migrate` copies the desk's tables byte for byte, and PostgreSQL's
/// identities continue after the copied ticket and message ids.
#[test]
fn transfer_copies_cases_and_tickets_and_their_ids_continue() {
    use padron_server::store::postgres::{PgStore, transfer::copy_from_sqlite};
    let source = Backend::sqlite();
    let payload = vec![0, 0xff, b'{', 0x80];
    let ticket = {
        let store = source.store();
        let s = seed(store.as_ref());
        let case = NewCase {
            id: "case-1".into(),
            institution_id: s.institution,
            job_id: "job-1".into(),
            coordinator_cui: COORDINATOR.to_owned(),
            workstation_id: s.workstation,
            payload: payload.clone(),
            algorithm: "ES256".into(),
            signature: vec![1, 2, 3],
            certificate: vec![0x30, 0x82],
            rows: vec![NewCaseRow {
                fila: 4,
                referencia: "R-4".into(),
                resultado: "AMBIGUO".into(),
                consulta: "Juana".into(),
            }],
            at: AT.into(),
        };
        assert!(store.add_case(&case, &audit("case.add")).unwrap());
        let ticket = NewTicketRecord {
            institution_id: s.institution,
            author_cui: cui(1),
            author_name: "Usuaria".into(),
            author_role: "USER".into(),
            workstation_id: s.workstation,
            kind: "INCIDENTE".into(),
            subject: "Error".into(),
            text: "Sale un error".into(),
            agent_version: "1.0.0".into(),
            about: None,
            at: AT.into(),
        };
        let id = store.open_ticket(&ticket, &audit("ticket.open")).unwrap();
        (ticket, id)
    };
    let Database::Sqlite(path) = &source.db else {
        unreachable!()
    };
    let target = Backend::postgres();
    let Database::Postgres { url, .. } = &target.db else {
        unreachable!()
    };
    let pg = PgStore::open(url, None).unwrap();
    let transfer = copy_from_sqlite(path, &pg).unwrap();
    for (table, rows) in [
        ("cases", 1),
        ("case_rows", 1),
        ("tickets", 1),
        ("ticket_messages", 1),
    ] {
        assert!(
            transfer.tables.contains(&(table.to_owned(), rows)),
            "{table}: {:?}",
            transfer.tables
        );
    }
    let store = target.store();
    let case = store.case("case-1").unwrap().unwrap();
    assert_eq!(case.payload, payload);
    assert_eq!(store.case_rows("case-1").unwrap()[0].fila, 4);
    let (ticket, old) = ticket;
    let new = store.open_ticket(&ticket, &audit("ticket.open")).unwrap();
    assert!(new > old, "{new} after {old}");
    store
        .reply_ticket(new, "admin:mesa", "Mirando", AT, &audit("ticket.reply"))
        .unwrap();
    assert_eq!(store.ticket_messages(new).unwrap().len(), 2);
    assert_eq!(store.ticket_messages(old).unwrap().len(), 1);
    chain_is_whole(store.as_ref());
}
