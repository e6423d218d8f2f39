//! The restore drill: a backup taken while the server serves uploads and
//! logins, encrypted to an age key made by `age-keygen`, restored into a
//! new directory and started; the audit chain verifies and every
//! workstation and session behaves as it did at backup time, including
//! the ones revoked or blocked on the live system after the backup, which
//! the restore lists from the live system's audit export.
#![allow(clippy::unwrap_used)] // test: a failed unwrap is a failed test

use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use padron_tests::consulta::{registry, upload, user_token};
use padron_tests::eid::{Flaws, new_user};
use padron_tests::fixture::{Env, cui, identity};
use padron_tests::workbooks::{cui_workbook, registry_cuis};
use padron_tests::{Installation, Server, https_client, ok, path_str, run, stderr, stdout};
use reqwest::blocking::Client;

/// `GET /v1/session` with a token through a client: the status, or None
/// when the connection itself is refused (a revoked workstation).
fn session_status(client: &Client, base: &str, token: &str) -> Option<u16> {
    client
        .get(format!("{base}/v1/session"))
        .bearer_auth(token)
        .send()
        .ok()
        .map(|r| r.status().as_u16())
}

fn logout(client: &Client, base: &str, token: &str) {
    let r = client
        .post(format!("{base}/v1/auth/logout"))
        .bearer_auth(token)
        .send()
        .unwrap();
    assert!(r.status().is_success(), "logout: {}", r.status());
}

/// An age identity file from the real `age-keygen`; returns its recipient.
fn age_keygen(path: &std::path::Path) -> String {
    let out = Command::new("age-keygen")
        .arg("-o")
        .arg(path)
        .output()
        .expect("age-keygen (Debian package age; packaging/dev/setup.sh installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .unwrap()
        .to_owned()
}

#[derive(Debug, Clone, Copy)]
struct Op {
    start: Instant,
    end: Instant,
}

#[test]
fn a_backup_under_load_restores_workstations_sessions_and_queries_as_they_were() {
    let mut env = Env::new();
    let tmp = env.inst.tmp.path();
    let csv = registry(&env, "2000");
    let cuis = registry_cuis(&csv, 25);
    let live = env.server.url();

    // State before the backup.
    let user = user_token(&env, &env.ws1, 1); // an operator at workstation 1
    let ana = env.coordinator();
    let coordinator = env.login(&env.ws2, &ana).token; // revoked ws later
    assert_eq!(
        env.add(
            &ana,
            &env.login(&env.ws1, &ana).token,
            new_user(&cui(2), "Segundo")
        ),
        Ok("DONE".into())
    );
    let second = env
        .login(
            &env.ws2,
            &env.eid.person(&cui(2), "SEGUNDO", Flaws::default()),
        )
        .token; // blocked after the backup
    let ended = env.login(&env.ws1, &ana).token;
    logout(&env.ws1, &live, &ended);
    let b3 = env.inst.enroll("MIDES", "Sur", &live);
    ok(
        "padron-server",
        &[
            "workstation",
            "revoke",
            "--data",
            env.inst.data(),
            "--id",
            "3",
            "--reason",
            "robada",
        ],
    );
    let ca = std::fs::read(env.inst.data.join("pki/server-ca.crt")).unwrap();
    let ws3 = https_client(&ca, Some(identity(&b3)));
    let before_list = ok(
        "padron-server",
        &["workstation", "list", "--data", env.inst.data()],
    );
    let early = upload(
        &env,
        &env.ws1,
        &user,
        "antes.xlsx",
        cui_workbook(&cuis, "Bolsa Social"),
    )
    .unwrap();

    // The backup, while uploads (workstation 1) and logins (workstation 2) run.
    let key = tmp.join("admin-age.txt");
    let recipient = age_keygen(&key);
    let archive = tmp.join("padron-backup.age");
    let stop = AtomicBool::new(false);
    let uploads: Mutex<Vec<(Op, String)>> = Mutex::new(Vec::new());
    let logins: Mutex<Vec<Op>> = Mutex::new(Vec::new());
    let mut backup_window = None;
    std::thread::scope(|s| {
        s.spawn(|| {
            // Within the upload bucket (10 at once).
            for i in 0..8 {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let start = Instant::now();
                let job = upload(
                    &env,
                    &env.ws1,
                    &user,
                    &format!("carga-{i}.xlsx"),
                    cui_workbook(&cuis, "Bolsa Social"),
                )
                .unwrap();
                uploads.lock().unwrap().push((
                    Op {
                        start,
                        end: Instant::now(),
                    },
                    job.id,
                ));
                std::thread::sleep(Duration::from_millis(40));
            }
        });
        s.spawn(|| {
            // Within the challenge and login buckets (30 at once).
            for _ in 0..20 {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let start = Instant::now();
                let token = env.login(&env.ws2, &ana).token;
                logout(&env.ws2, &live, &token);
                logins.lock().unwrap().push(Op {
                    start,
                    end: Instant::now(),
                });
            }
        });
        // Let the load get going first.
        while uploads.lock().unwrap().is_empty() || logins.lock().unwrap().is_empty() {
            std::thread::sleep(Duration::from_millis(10));
        }
        let start = Instant::now();
        let out = run(
            "padron-server",
            &[
                "backup",
                "--data",
                env.inst.data(),
                "--out",
                path_str(&archive),
                "--encrypt-to",
                &recipient,
            ],
        );
        let end = Instant::now();
        assert!(out.status.success(), "backup: {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains("Respaldo escrito:"), "{text}");
        assert!(text.contains("cifrado con age"), "{text}");
        assert!(text.contains("sin el registro civil"), "{text}");
        eprintln!(
            "backup under load: {:.0} ms, {} bytes",
            (end - start).as_secs_f64() * 1000.0,
            std::fs::metadata(&archive).unwrap().len()
        );
        backup_window = Some((start, end));
        std::thread::sleep(Duration::from_millis(300));
        stop.store(true, Ordering::SeqCst);
    });
    let (b_start, b_end) = backup_window.unwrap();
    let uploads = uploads.into_inner().unwrap();
    let logins = logins.into_inner().unwrap();
    // The load really ran across the backup.
    let overlapping = uploads
        .iter()
        .map(|(op, _)| op)
        .chain(logins.iter())
        .filter(|op| op.start < b_end && op.end > b_start)
        .count();
    let after = uploads
        .iter()
        .map(|(op, _)| op)
        .chain(logins.iter())
        .filter(|op| op.start > b_end)
        .count();
    assert!(
        overlapping + after > 0 && !uploads.is_empty() && !logins.is_empty(),
        "uploads {} logins {} overlapping {overlapping}",
        uploads.len(),
        logins.len()
    );

    // The live system moves on: what the backup cannot know.
    ok(
        "padron-server",
        &[
            "workstation",
            "revoke",
            "--data",
            env.inst.data(),
            "--id",
            "2",
            "--reason",
            "retirada después del respaldo",
        ],
    );
    ok(
        "padron-server",
        &[
            "person",
            "block",
            "--data",
            env.inst.data(),
            "--cui",
            &cui(2),
            "--cause",
            "uso indebido",
        ],
    );
    // Refused: at the handshake, or (on a kept-alive connection) by the per-request check.
    assert_ne!(session_status(&env.ws2, &live, &coordinator), Some(200));
    assert_eq!(session_status(&env.ws1, &live, &user), Some(200));
    let export = tmp.join("auditoria-en-vivo.xlsx");
    ok(
        "padron-server",
        &[
            "audit",
            "export",
            "--data",
            env.inst.data(),
            "--out",
            path_str(&export),
        ],
    );

    // The admin's own tool reads the archive: age, then tar.
    let listing = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "age -d -i '{}' '{}' | tar -t",
            key.display(),
            archive.display()
        ))
        .output()
        .unwrap();
    assert!(listing.status.success());
    let listing = String::from_utf8_lossy(&listing.stdout).into_owned();
    assert!(
        listing.starts_with("padron-backup.json\npadron.db\nserver.toml\npki/"),
        "{listing}"
    );
    assert!(listing.contains(&format!("queries/uploads/{}.xlsx", early.id)));

    // Refusals first: without the key; with an export of another system.
    let restored = tmp.join("restaurado");
    let out = run(
        "padron-server",
        &[
            "restore",
            "--from",
            path_str(&archive),
            "--data",
            path_str(&restored),
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("error [BACKUP_ENCRYPTED]"),
        "{}",
        stderr(&out)
    );
    let other = Installation::new();
    let foreign = tmp.join("otra-auditoria.xlsx");
    ok(
        "padron-server",
        &[
            "audit",
            "export",
            "--data",
            other.data(),
            "--out",
            path_str(&foreign),
        ],
    );
    let out = run(
        "padron-server",
        &[
            "restore",
            "--from",
            path_str(&archive),
            "--data",
            path_str(&restored),
            "--identity",
            path_str(&key),
            "--audit-export",
            path_str(&foreign),
        ],
    );
    assert!(
        stderr(&out).contains("error [AUDIT_EXPORT_INVALID]"),
        "{}",
        stderr(&out)
    );
    assert!(!restored.exists());

    // The restore.
    let text = ok(
        "padron-server",
        &[
            "restore",
            "--from",
            path_str(&archive),
            "--data",
            path_str(&restored),
            "--identity",
            path_str(&key),
            "--audit-export",
            path_str(&export),
        ],
    );
    assert!(text.contains("Respaldo restaurado en"), "{text}");
    assert!(text.contains("descifrado"), "{text}");
    assert!(text.contains("ATENCIÓN"), "{text}");
    assert!(text.contains("NO están en este respaldo"), "{text}");
    assert!(text.contains("2 cambios del sistema en vivo"), "{text}");
    assert!(text.contains("workstation.revoke workstation:2"), "{text}");
    assert!(
        text.contains(&format!("person.block person:{}", cui(2))),
        "{text}"
    );
    assert!(
        text.contains("repita: padron-server workstation revoke --id 2"),
        "{text}"
    );
    let verify = ok(
        "padron-server",
        &["audit", "verify", "--data", path_str(&restored)],
    );
    assert!(verify.contains("Cadena de auditoría íntegra"), "{verify}");
    assert_eq!(
        ok(
            "padron-server",
            &["workstation", "list", "--data", path_str(&restored)]
        ),
        before_list
    );
    // The registry is re-imported, as the restore says.
    ok(
        "padron-server",
        &[
            "registry",
            "import",
            "--data",
            path_str(&restored),
            path_str(&csv),
        ],
    );

    // The live system is gone; the restored one serves.
    env.server.terminate();
    let server = Server::start(&restored);
    let base = server.url();
    // Workstation 1 and its operator's session: as before.
    assert_eq!(session_status(&env.ws1, &base, &user), Some(200));
    // Workstation 2 was revoked after the backup: in the restore it is not
    // (the warning said so), and its sessions are open again.
    assert_eq!(session_status(&env.ws2, &base, &coordinator), Some(200));
    assert_eq!(session_status(&env.ws2, &base, &second), Some(200));
    // Workstation 3 was revoked before: refused at the handshake.
    assert_eq!(session_status(&ws3, &base, &user), None);
    // A session that had ended stays ended.
    assert_eq!(session_status(&env.ws1, &base, &ended), Some(401));
    // Every upload acknowledged before the backup began is there, and runs.
    let mut before: Vec<String> = vec![early.id.clone()];
    before.extend(
        uploads
            .iter()
            .filter(|(op, _)| op.end < b_start)
            .map(|(_, id)| id.clone()),
    );
    for id in &before {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let r = env
                .ws1
                .get(format!("{base}/v1/queries/{id}"))
                .bearer_auth(&user)
                .send()
                .unwrap();
            assert_eq!(r.status().as_u16(), 200, "job {id}");
            let job: serde_json::Value = r.json().unwrap();
            if job["state"] == "DONE" {
                break;
            }
            assert_ne!(job["state"], "FAILED", "{job}");
            assert!(Instant::now() < deadline, "{job}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    // Uploads acknowledged after the backup ended are not.
    for (op, id) in &uploads {
        if op.start > b_end {
            let r = env
                .ws1
                .get(format!("{base}/v1/queries/{id}"))
                .bearer_auth(&user)
                .send()
                .unwrap();
            assert_eq!(r.status().as_u16(), 404, "job {id} after the backup");
        }
    }
}
