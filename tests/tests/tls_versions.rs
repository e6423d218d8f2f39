//! TLS 1.3 only between Padrón's agent and server; TLS 1.2 only when the
//! admin enables it in `server.toml`. Checked with `openssl s_client`, a
//! client that is not Padrón's.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::path::Path;
use std::process::{Command, Stdio};

use padron_tests::{Installation, Server, path_str, set_server_config};

/// `openssl s_client` with the workstation's identity; (connected, output).
fn s_client(inst: &Installation, bundle: &Path, port: u16, version: &str) -> (bool, String) {
    let out = Command::new("openssl")
        .args(["s_client", version, "-brief", "-servername", "localhost"])
        .args(["-connect", &format!("127.0.0.1:{port}")])
        .args(["-CAfile", path_str(&inst.data.join("pki/server-ca.crt"))])
        .args(["-cert", path_str(&bundle.join("workstation.crt"))])
        .args(["-key", path_str(&bundle.join("workstation.key"))])
        .stdin(Stdio::null())
        .output()
        .expect("openssl s_client (the openssl package) must be installed");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (text.contains("CONNECTION ESTABLISHED"), text)
}

#[test]
fn tls12_is_refused_by_default_and_accepted_when_enabled() {
    let inst = Installation::new();
    let mut server = Server::start(&inst.data);
    let bundle = inst.enroll("MIDES", "Central", &server.url());

    let (connected, out) = s_client(&inst, &bundle, server.port, "-tls1_2");
    assert!(!connected, "TLS 1.2 must be refused by default:\n{out}");
    assert!(out.contains("protocol version"), "{out}");
    let (connected, out) = s_client(&inst, &bundle, server.port, "-tls1_3");
    assert!(connected, "{out}");
    assert!(out.contains("TLSv1.3"), "{out}");
    server.wait_for_log("TLS handshake refused");

    server.terminate();
    set_server_config(&inst.data, "allow_tls12", "true");
    let server = Server::start(&inst.data);
    let (connected, out) = s_client(&inst, &bundle, server.port, "-tls1_2");
    assert!(connected, "TLS 1.2 enabled in server.toml:\n{out}");
    assert!(out.contains("TLSv1.2"), "{out}");
    // Still only enrolled workstations: TLS 1.2 without a certificate fails.
    let out = Command::new("openssl")
        .args(["s_client", "-tls1_2", "-brief", "-servername", "localhost"])
        .args(["-connect", &format!("127.0.0.1:{}", server.port)])
        .args(["-CAfile", path_str(&inst.data.join("pki/server-ca.crt"))])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains("CONNECTION ESTABLISHED"), "{text}");
}
