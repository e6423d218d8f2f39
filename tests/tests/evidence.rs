//! Evidence that survives a stolen database, and keys that stay private
//! (issue 12): a consistent forgery of a signed request with a self-made
//! certificate, a truncated / forked / rewritten log against a checkpoint,
//! the admin's real identity, control characters, file modes, weak CSRs.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use padron_shared::users::RequestAction;
use padron_tests::eid::{Flaws, TestEid, new_user};
use padron_tests::fixture::{COORDINATOR, Env, cui};
use padron_tests::{Installation, ok, path_str, run, run_env, stderr, stdout};
use sha2::Digest;
use time::OffsetDateTime;

fn verify(data: &str, checkpoint: Option<&Path>) -> std::process::Output {
    let mut args = vec!["audit", "verify", "--data", data];
    if let Some(c) = checkpoint {
        args.extend(["--checkpoint", path_str(c)]);
    }
    run("padron-server", &args)
}

#[test]
fn a_consistent_forgery_with_a_self_made_certificate_is_found_and_named() {
    let env = Env::new();
    let ana = env.coordinator();
    let session = env.login(&env.ws1, &ana);
    assert_eq!(
        env.add(&ana, &session.token, new_user(&cui(1), "Uno")),
        Ok("DONE".into())
    );
    let out = verify(env.inst.data(), None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("1 solicitudes firmadas verificadas"),
        "{}",
        stdout(&out)
    );

    // The thief, with write access to the database, makes an eID CA of
    // their own and a "card" with the coordinator's CUI, signs a different
    // request with the same id, and swaps payload, signature and
    // certificate together; the forged root goes into both trust tables.
    let row = env.inst.query_one(
        "SELECT r.id, a.seq FROM user_requests r JOIN audit_log a ON a.action = 'user.add'",
    );
    let (id, seq) = row.split_once('|').unwrap();
    let (id, seq) = (id.to_owned(), seq.to_owned());
    let forger = TestEid::new("Test eID CA GT");
    let fake = forger.person(COORDINATOR, "ANA LÓPEZ", Flaws::default());
    let mut p = fake.payload(
        &env.installation,
        RequestAction::Add,
        "MIDES",
        env.ws1_id,
        new_user(&cui(2), "Intruso"),
        OffsetDateTime::now_utc(),
    );
    p.request_id = id.clone();
    let forged = fake.sign(&p);
    let decode = |b: &str| STANDARD.decode(b).unwrap();
    let root_der = x509_parser::pem::parse_x509_pem(forger.ca_pem.as_bytes())
        .unwrap()
        .1
        .contents;
    let root_fp = hex::encode(sha2::Sha256::digest(&root_der));
    let blob = |b: &[u8]| env.inst.blob_literal(b);
    env.sql(&format!(
        "UPDATE user_requests SET payload = {}, signature = {}, certificate = {}, user_cui = '{}' WHERE id = '{id}'",
        blob(&decode(&forged.payload)),
        blob(&decode(&forged.signature)),
        blob(&decode(&forged.certificate)),
        cui(2)
    ));
    env.sql(&format!(
        "INSERT INTO eid_roots (subject, fingerprint, der, added_at) VALUES ('forged', '{root_fp}', {}, '2020-01-01T00:00:00.000Z')",
        blob(&root_der)
    ));
    env.sql(&format!(
        "INSERT INTO evidence_roots (fingerprint, subject, der, first_trusted_at) VALUES ('{root_fp}', 'forged', {}, '2020-01-01T00:00:00.000Z')",
        blob(&root_der)
    ));

    let out = verify(env.inst.data(), None);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("AUDIT_CHAIN_BROKEN"), "{err}");
    assert!(
        err.contains(&format!("solicitud firmada {id}"))
            && err.contains(&format!("entrada de auditoría {seq}")),
        "{err}"
    );
}

#[test]
fn trust_roots_stay_in_the_evidence_when_removed() {
    let env = Env::new();
    let ana = env.coordinator();
    let session = env.login(&env.ws1, &ana);
    assert_eq!(
        env.add(&ana, &session.token, new_user(&cui(1), "Uno")),
        Ok("DONE".into())
    );
    // The root is taken out of the live trust (as `trust remove-root` or a
    // thief would): the evidence still has it, and refuses to lose it.
    env.sql("DELETE FROM eid_roots");
    let out = verify(env.inst.data(), None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(env.inst.try_sql("DELETE FROM evidence_roots").is_err());
    assert!(
        env.inst
            .try_sql("UPDATE evidence_roots SET subject = 'x'")
            .is_err()
    );
    // The guards, not a missing table, refused: the roots are still there.
    assert!(env.inst.query_i64("SELECT count(*) FROM evidence_roots") > 0);
}

/// The audit hash as the server computes it (documented in `audit.rs`): an
/// attacker who rewrites the log recomputes it too.
fn entry_hash(fields: &[String]) -> String {
    let mut h = sha2::Sha256::new();
    for f in fields {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Rewrites entry `seq`'s detail and recomputes every hash from there on.
fn rewrite_history(inst: &Installation, seq: i64, detail: &str) {
    assert!(!detail.contains('\''));
    inst.sql(inst.drop_audit_guards_sql());
    inst.sql(&format!(
        "UPDATE audit_log SET detail = '{detail}' WHERE seq = {seq}"
    ));
    // The detail last: the only field that might hold a `|`.
    let rows: Vec<(i64, Vec<String>)> = inst
        .query(&format!(
            "SELECT seq, at, actor, coalesce(CAST(workstation_id AS TEXT), ''), action, subject, outcome, detail
             FROM audit_log WHERE seq >= {seq} ORDER BY seq"
        ))
        .iter()
        .map(|row| {
            let mut fields = row.splitn(8, '|').map(str::to_owned);
            let s = fields.next().unwrap().parse().unwrap();
            (s, fields.collect())
        })
        .collect();
    let mut prev = inst.query_one(&format!(
        "SELECT prev_hash FROM audit_log WHERE seq = {seq}"
    ));
    for (s, rest) in rows {
        assert_eq!(rest.len(), 7);
        let mut fields = vec![prev.clone(), s.to_string()];
        fields.extend(rest);
        let hash = entry_hash(&fields);
        inst.sql(&format!(
            "UPDATE audit_log SET prev_hash = '{prev}', hash = '{hash}' WHERE seq = {s}"
        ));
        prev = hash;
    }
}

fn copy_dir(from: &Path, to: &Path) {
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .unwrap();
    assert!(status.success());
}

fn add_institution(data: &str, code: &str) {
    ok(
        "padron-server",
        &[
            "institution",
            "add",
            "--data",
            data,
            "--code",
            code,
            "--name",
            code,
        ],
    );
}

#[test]
fn the_log_must_extend_its_checkpoint_truncation_fork_and_rewrite_are_refused() {
    let inst = Installation::new();
    let d = inst.data();
    for code in ["AAA", "BBB", "CCC"] {
        add_institution(d, code);
    }
    let cp = inst.tmp.path().join("checkpoint.json");
    let out = ok(
        "padron-server",
        &["audit", "checkpoint", "--data", d, "--out", path_str(&cp)],
    );
    assert!(out.contains("Punto de control escrito"), "{out}");
    let key = inst.data.join("pki/audit-checkpoint.key");
    assert_eq!(
        fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // Written once, never overwritten.
    let again = run(
        "padron-server",
        &["audit", "checkpoint", "--data", d, "--out", path_str(&cp)],
    );
    assert_eq!(again.status.code(), Some(1));

    // The log grows: it still extends the checkpoint.
    add_institution(d, "DDD");
    let out = verify(d, Some(&cp));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("El registro extiende el punto de control"),
        "{}",
        stdout(&out)
    );

    // A fork: a copy of the installation goes its own way from here.
    let fork_root = inst.tmp.path().join("fork");
    fs::create_dir(&fork_root).unwrap();
    copy_dir(&inst.data, &fork_root);
    let fork = fork_root.join("data");
    if let Some(pg) = &inst.pg {
        // The store is not in the directory: the fork gets a copy of the
        // database too, and its server.toml names the copy.
        let url = pg.url("padron");
        let copy = pg.copy_database("padron", "padron_fork");
        let config = fork.join("server.toml");
        let text = fs::read_to_string(&config).unwrap();
        assert!(text.contains(&url), "{text}");
        fs::write(&config, text.replace(&url, &copy)).unwrap();
    }
    let fork_d = path_str(&fork);
    add_institution(d, "EEE");
    let cp_main = inst.tmp.path().join("checkpoint-main.json");
    ok(
        "padron-server",
        &[
            "audit",
            "checkpoint",
            "--data",
            d,
            "--out",
            path_str(&cp_main),
        ],
    );
    add_institution(fork_d, "ZZZ");
    let out = verify(fork_d, Some(&cp_main));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("AUDIT_CHECKPOINT_INVALID"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("forked or rewritten"),
        "{}",
        stderr(&out)
    );
    // The fork on its own looks intact: only the checkpoint shows it.
    assert!(verify(fork_d, None).status.success());

    // Truncation: the last entries are deleted.
    inst.sql(inst.drop_audit_guards_sql());
    inst.sql("DELETE FROM audit_log WHERE seq > (SELECT max(seq) - 2 FROM audit_log)");
    assert!(
        verify(d, None).status.success(),
        "a prefix of a chain is a chain"
    );
    let out = verify(d, Some(&cp_main));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("truncated"), "{}", stderr(&out));

    // A rewrite: history changed and every later hash recomputed.
    rewrite_history(&inst, 2, "{\"name\":\"Otra\"}");
    assert!(
        verify(d, None).status.success(),
        "a consistent rewrite fools the chain"
    );
    let out = verify(d, Some(&cp));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("forked or rewritten"),
        "{}",
        stderr(&out)
    );

    // A checkpoint edited or made with another key is refused.
    let text = fs::read_to_string(&cp).unwrap();
    let edited = inst.tmp.path().join("edited.json");
    fs::write(&edited, text.replace("\"entries\": 5", "\"entries\": 2")).unwrap();
    let out = verify(d, Some(&edited));
    assert!(
        stderr(&out).contains("not signed by this installation"),
        "{}",
        stderr(&out)
    );
    let other = Installation::new();
    let out = verify(other.data(), Some(&cp));
    assert!(
        stderr(&out).contains("AUDIT_CHECKPOINT_INVALID"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_admin_is_who_the_operating_system_says() {
    let inst = Installation::new();
    let d = inst.data();
    let lie = [
        ("USER", "mallory"),
        ("LOGNAME", "mallory"),
        ("SUDO_USER", "mallory"),
    ];
    let out = run_env(
        "padron-server",
        &[
            "institution",
            "add",
            "--data",
            d,
            "--code",
            "SOSEP",
            "--name",
            "Obras",
        ],
        &lie,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let me = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    let me = String::from_utf8_lossy(&me.stdout).trim().to_owned();
    let audit = ok("padron-server", &["audit", "list", "--data", d]);
    let line = audit
        .lines()
        .find(|l| l.contains("institution:SOSEP"))
        .unwrap();
    assert!(line.contains(&format!("admin:{me}(uid ")), "{audit}");
    assert!(!audit.contains("mallory"), "{audit}");
}

#[test]
fn no_request_text_reaches_the_log_or_a_terminal_unescaped() {
    let env = Env::new();
    let ana = env.coordinator();
    let session = env.login(&env.ws1, &ana);
    // A request id carrying an ANSI escape and a forged log line.
    let mut p = ana.payload(
        &env.installation,
        RequestAction::Add,
        "MIDES",
        env.ws1_id,
        new_user(&cui(1), "Uno"),
        OffsetDateTime::now_utc(),
    );
    p.request_id = "\u{1b}[2J\n     9 2026-01-01 admin:root ok FAKE".into();
    assert_eq!(
        env.submit(&env.ws1, &session.token, &ana.sign(&p)),
        Err("AUTH_FORMAT_INVALID".into())
    );
    // A user field with control characters.
    let mut user = new_user(&cui(2), "Dos");
    user.full_name = Some("Dos\u{1b}[31m\nrojo".into());
    assert_eq!(
        env.add(&ana, &session.token, user),
        Err("USER_FIELD_INVALID".into())
    );
    // An institution naming another installation, with an escape in it.
    let mut p = ana.payload(
        "\u{1b}]0;pwned\u{7}",
        RequestAction::Add,
        "MIDES",
        env.ws1_id,
        new_user(&cui(3), "Tres"),
        OffsetDateTime::now_utc(),
    );
    p.request_id = uuid::Uuid::new_v4().to_string();
    assert_eq!(
        env.submit(&env.ws1, &session.token, &ana.sign(&p)),
        Err("INSTALLATION_MISMATCH".into())
    );
    // And what someone with the database wrote there directly.
    env.sql(
        // The control characters raw in the literal: no dialect's char()/chr().
        "INSERT INTO audit_log (seq, at, actor, action, subject, outcome, detail, prev_hash, hash)
         VALUES ((SELECT max(seq) + 1 FROM audit_log), 't', 'x', 'x', '\u{1b}[2J\nFAKE', 'ok', '{}', 'p', 'h')",
    );
    let audit = ok(
        "padron-server",
        &["audit", "list", "--data", env.inst.data(), "--limit", "500"],
    );
    assert!(
        !audit.contains('\u{1b}') && !audit.contains('\u{7}'),
        "{audit:?}"
    );
    assert!(
        !audit.lines().any(|l| l.trim_start().starts_with("FAKE")),
        "{audit}"
    );
    assert!(!audit.contains("9 2026-01-01 admin:root"), "{audit}");
    assert!(audit.contains("\\u{1b}[2J\\u{a}FAKE"), "{audit}");
}

#[test]
fn serve_refuses_private_files_others_can_read_and_init_makes_them_right() {
    let inst = Installation::new();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&inst.data), 0o700);
    assert_eq!(mode(&inst.data.join("pki")), 0o700);
    for key in [
        "server-ca.key",
        "server.key",
        "workstation-ca.key",
        "audit-checkpoint.key",
    ] {
        assert_eq!(mode(&inst.data.join("pki").join(key)), 0o600, "{key}");
    }
    let serve = || {
        run(
            "padron-server",
            &["serve", "--data", inst.data(), "--listen", "127.0.0.1:0"],
        )
    };
    let key = inst.data.join("pki/workstation-ca.key");
    fs::set_permissions(&key, fs::Permissions::from_mode(0o640)).unwrap();
    let out = serve();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("DATA_DIR_NOT_PRIVATE"), "{err}");
    assert!(
        err.contains(&format!("chmod 600 {}", key.display())),
        "{err}"
    );
    fs::set_permissions(&key, fs::Permissions::from_mode(0o600)).unwrap();
    fs::set_permissions(&inst.data, fs::Permissions::from_mode(0o755)).unwrap();
    let err = stderr(&serve());
    assert!(
        err.contains(&format!("chmod 700 {}", inst.data.display())),
        "{err}"
    );
    fs::set_permissions(&inst.data, fs::Permissions::from_mode(0o700)).unwrap();
    // Fixed, it starts.
    let server = padron_tests::Server::start(&inst.data);
    assert!(server.port > 0);

    // The agent warns about its own key.
    let bundle = inst.enroll("MIDES", "Central", &server.url());
    let agent_key = bundle.join("workstation.key");
    assert_eq!(mode(&agent_key), 0o600);
    fs::set_permissions(&agent_key, fs::Permissions::from_mode(0o644)).unwrap();
    let out = run(
        "padron-agent",
        &["--config", path_str(&bundle.join("agent.toml")), "status"],
    );
    let err = stderr(&out);
    assert!(
        err.contains(&format!("chmod 600 {}", agent_key.display())),
        "{err}"
    );
}

#[test]
fn csrs_with_weak_or_unsupported_keys_are_refused() {
    let inst = Installation::new();
    let csr = |name: &str, newkey: &[&str]| {
        let dir = inst.tmp.path();
        let path = dir.join(format!("{name}.csr"));
        let mut args = vec!["req", "-new", "-nodes", "-subj", "/CN=estacion"];
        args.extend_from_slice(newkey);
        let key = dir.join(format!("{name}.key"));
        args.extend(["-keyout", path_str(&key), "-out", path_str(&path)]);
        let status = std::process::Command::new("openssl")
            .args(&args)
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "openssl: {}",
            String::from_utf8_lossy(&status.stderr)
        );
        path
    };
    let enroll = |path: &Path, site: &str| {
        run(
            "padron-server",
            &[
                "workstation",
                "enroll",
                "--data",
                inst.data(),
                "--institution",
                "MIDES",
                "--site",
                site,
                "--csr",
                path_str(path),
                "--out",
                path_str(&inst.tmp.path().join(format!("bundle-{site}"))),
                "--server-url",
                "https://localhost:8443",
            ],
        )
    };
    for (name, newkey) in [
        ("rsa1024", &["-newkey", "rsa:1024"][..]),
        (
            "p521",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp521r1"][..],
        ),
        (
            "k256",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp256k1"][..],
        ),
    ] {
        let out = enroll(&csr(name, newkey), name);
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert!(
            stderr(&out).contains("CSR_KEY_REFUSED"),
            "{name}: {}",
            stderr(&out)
        );
    }
    let out = enroll(&csr("rsa2048", &["-newkey", "rsa:2048"]), "rsa2048");
    assert!(out.status.success(), "{}", stderr(&out));
    let out = enroll(
        &csr(
            "p256",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"],
        ),
        "p256",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let list = ok(
        "padron-server",
        &["workstation", "list", "--data", inst.data()],
    );
    assert!(!list.contains("rsa1024") && list.contains("p256"), "{list}");
}
