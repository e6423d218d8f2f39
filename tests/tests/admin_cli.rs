//! The admin CLI as a registry admin uses it: what it prints, what it
//! refuses (with a stable code and exit status 1), and what it records.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::fs;

use padron_tests::{Installation, ok, path_str, run, run_env, stderr, stdout};

fn refused(args: &[&str], code: &str) -> String {
    let out = run("padron-server", args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{args:?} should be refused:\n{}{}",
        stdout(&out),
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains(&format!("error [{code}]")),
        "{args:?}: expected {code}, got:\n{err}"
    );
    err
}

#[test]
fn init_twice_refuses_and_changes_nothing() {
    let inst = Installation::new();
    let key = fs::read(inst.data.join("pki/workstation-ca.key")).unwrap();
    // The store as it is: the SQLite file's bytes, or all of PostgreSQL's
    // database as pg_dump writes it.
    let store = |inst: &Installation| match &inst.pg {
        None => fs::read(inst.data.join("padron.db")).unwrap(),
        Some(pg) => pg.dump("padron").into_bytes(),
    };
    let db = store(&inst);
    let err = refused(&["init", "--data", inst.data()], "DATA_DIR_EXISTS");
    assert!(
        err.contains("ya contiene una instalación de Padrón; no se modificó nada"),
        "{err}"
    );
    assert_eq!(
        fs::read(inst.data.join("pki/workstation-ca.key")).unwrap(),
        key
    );
    assert!(store(&inst) == db, "the store changed");
    assert!(!db.is_empty());
}

#[test]
fn institutions_and_coordinators() {
    let inst = Installation::new();
    let d = inst.data();
    refused(
        &[
            "institution",
            "add",
            "--data",
            d,
            "--code",
            "MIDES",
            "--name",
            "Otra",
        ],
        "INSTITUTION_EXISTS",
    );
    refused(
        &[
            "institution",
            "add",
            "--data",
            d,
            "--code",
            "mi des",
            "--name",
            "X",
        ],
        "INSTITUTION_CODE_INVALID",
    );
    refused(
        &[
            "institution",
            "add",
            "--data",
            d,
            "--code",
            "SOSEP",
            "--name",
            "  ",
        ],
        "NAME_INVALID",
    );
    ok(
        "padron-server",
        &[
            "institution",
            "add",
            "--data",
            d,
            "--code",
            "SOSEP",
            "--name",
            "Secretaría de Obras Sociales",
        ],
    );

    let list = ok("padron-server", &["institution", "list", "--data", d]);
    assert!(
        list.contains("MIDES") && list.contains("SOSEP") && list.contains("activa"),
        "{list}"
    );

    let out = ok(
        "padron-server",
        &[
            "coordinator",
            "add",
            "--data",
            d,
            "--institution",
            "MIDES",
            "--cui",
            "1234 56789 0101",
            "--name",
            "Ana López",
        ],
    );
    assert!(
        out.contains("Ana López (CUI 1234 56789 0101) — MIDES"),
        "{out}"
    );
    let err = refused(
        &[
            "coordinator",
            "add",
            "--data",
            d,
            "--institution",
            "MIDES",
            "--cui",
            "1234567880101",
            "--name",
            "X",
        ],
        "CUI_INVALIDO",
    );
    assert!(err.contains("dígito verificador"), "{err}");
    refused(
        &[
            "coordinator",
            "add",
            "--data",
            d,
            "--institution",
            "MIDES",
            "--cui",
            "1234567890101",
            "--name",
            "Ana López",
        ],
        "COORDINATOR_EXISTS",
    );
    refused(
        &[
            "coordinator",
            "add",
            "--data",
            d,
            "--institution",
            "NADA",
            "--cui",
            "9876543220101",
            "--name",
            "X",
        ],
        "INSTITUTION_UNKNOWN",
    );
    let list = ok(
        "padron-server",
        &["coordinator", "list", "--data", d, "--institution", "MIDES"],
    );
    assert!(
        list.contains("1234567890101") && list.contains("Ana López"),
        "{list}"
    );

    let show = ok(
        "padron-server",
        &["institution", "show", "--data", d, "MIDES"],
    );
    let line = |label: &str| {
        show.lines()
            .find(|l| l.trim_start().starts_with(label))
            .map(str::trim_end)
            .unwrap_or("")
    };
    assert!(line("coordinadores:").ends_with(" 1"), "{show}");
    assert!(line("usuarios activos:").ends_with(" 0 / 10"), "{show}");
    assert!(line("estado:").contains("activa desde"), "{show}");
    refused(
        &["institution", "show", "--data", d, "NADA"],
        "INSTITUTION_UNKNOWN",
    );
}

#[test]
fn workstation_refusals() {
    let inst = Installation::new();
    let d = inst.data();
    let out_dir = inst.tmp.path().join("b");
    let out = path_str(&out_dir);
    refused(
        &[
            "workstation",
            "enroll",
            "--data",
            d,
            "--institution",
            "NADA",
            "--site",
            "X",
            "--out",
            out,
        ],
        "INSTITUTION_UNKNOWN",
    );
    refused(
        &[
            "workstation",
            "enroll",
            "--data",
            d,
            "--institution",
            "MIDES",
            "--site",
            " ",
            "--out",
            out,
        ],
        "SITE_INVALID",
    );
    ok(
        "padron-server",
        &[
            "workstation",
            "enroll",
            "--data",
            d,
            "--institution",
            "MIDES",
            "--site",
            "A",
            "--out",
            out,
        ],
    );
    // A second enrolment into the same bundle directory would mix two identities.
    refused(
        &[
            "workstation",
            "enroll",
            "--data",
            d,
            "--institution",
            "MIDES",
            "--site",
            "B",
            "--out",
            out,
        ],
        "DATA_DIR_EXISTS",
    );
    let list = ok("padron-server", &["workstation", "list", "--data", d]);
    assert_eq!(
        list.lines().count(),
        2,
        "the refused enrolment left no workstation: {list}"
    );
    refused(
        &["workstation", "revoke", "--data", d, "--id", "42"],
        "WORKSTATION_NOT_FOUND",
    );
    ok(
        "padron-server",
        &["workstation", "revoke", "--data", d, "--id", "1"],
    );
    refused(
        &["workstation", "revoke", "--data", d, "--id", "1"],
        "WORKSTATION_ALREADY_REVOKED",
    );
}

#[test]
fn argument_errors_exit_2_with_usage() {
    let out = run("padron-server", &["institution", "add", "--code", "X"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--data"), "{}", stderr(&out));
    let out = run(
        "padron-server",
        &["workstation", "revoke", "--data", "/tmp", "--id", "uno"],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = run(
        "padron-server",
        &["serve", "--data", "/tmp", "--listen", "not-an-address"],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = run("padron-server", &["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run("padron-agent", &["status", "--config"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn missing_data_dir_and_missing_agent_config_say_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let nowhere = tmp.path().join("nowhere");
    let err = refused(
        &["institution", "list", "--data", path_str(&nowhere)],
        "DATA_DIR_MISSING",
    );
    assert!(err.contains("padron-server init"), "{err}");

    let out = run(
        "padron-agent",
        &["--config", path_str(&nowhere.join("agent.toml")), "status"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("AGENT_CONFIG_INVALID") && err.contains("PADRON_AGENT_CONFIG"),
        "{err}"
    );
}

#[test]
fn unreachable_server_is_reported_as_such() {
    let inst = Installation::new();
    // Nothing listens on port 1.
    let bundle = inst.enroll("MIDES", "Central", "https://127.0.0.1:1");
    let out = run(
        "padron-agent",
        &["--config", path_str(&bundle.join("agent.toml")), "status"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("SERVER_UNREACHABLE") && err.contains("No se pudo conectar"),
        "{err}"
    );
    let out = run(
        "padron-agent",
        &[
            "--lang",
            "en",
            "--config",
            path_str(&bundle.join("agent.toml")),
            "status",
        ],
    );
    assert!(
        stderr(&out).contains("Could not connect to the Padrón server."),
        "{}",
        stderr(&out)
    );
}

#[test]
fn english_is_available() {
    let inst = Installation::new();
    let out = run_env(
        "padron-server",
        &["institution", "show", "--data", inst.data(), "NADA"],
        &[("PADRON_LANG", "en")],
    );
    assert!(
        stderr(&out).contains("The institution does not exist."),
        "{}",
        stderr(&out)
    );
}

#[test]
fn every_admin_action_is_audited_and_tampering_is_detected() {
    let inst = Installation::new();
    let d = inst.data();
    ok(
        "padron-server",
        &[
            "coordinator",
            "add",
            "--data",
            d,
            "--institution",
            "MIDES",
            "--cui",
            "1234567890101",
            "--name",
            "Ana",
        ],
    );
    inst.enroll("MIDES", "Central", "https://localhost:8443");
    ok(
        "padron-server",
        &[
            "workstation",
            "revoke",
            "--data",
            d,
            "--id",
            "1",
            "--reason",
            "equipo dado de baja",
        ],
    );

    let list = ok("padron-server", &["audit", "list", "--data", d]);
    for action in [
        "institution.add",
        "coordinator.add",
        "workstation.enroll",
        "workstation.revoke",
    ] {
        assert!(list.contains(action), "{action} missing from:\n{list}");
    }
    let verify = ok("padron-server", &["audit", "verify", "--data", d]);
    assert!(
        // init's institution and its agreement, then the three actions above.
        verify.contains("Cadena de auditoría íntegra: 5 entradas"),
        "{verify}"
    );

    // Someone with the database file edits history behind the server's back.
    inst.sql(inst.drop_audit_guards_sql());
    inst.sql(
        "UPDATE audit_log SET detail = '{\"reason\":\"mantenimiento\"}' WHERE action = 'workstation.revoke';",
    );
    let out = run("padron-server", &["audit", "verify", "--data", d]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("rota en la entrada 5"),
        "{}",
        stderr(&out)
    );
}
