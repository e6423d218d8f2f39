//! The agent tells a connection cut mid-request from a refused
//! certificate: a server killed (SIGKILL) in the middle of an upload is
//! "the server did not finish the request; retry"
//! (`SERVER_CONNECTION_DROPPED`), not `WORKSTATION_CERTIFICATE_REFUSED`.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::time::Duration;

use padron_agent::client::Client;
use padron_shared::{ErrorCode, Lang};
use padron_tests::consulta::user_token;
use padron_tests::fixture::Env;

#[test]
fn a_server_killed_mid_upload_is_a_dropped_request_not_a_refused_certificate() {
    let mut env = Env::new();
    let token = user_token(&env, &env.ws1, 1);
    let bundle = env.inst.tmp.path().join("bundle-MIDES-Central");
    let config = padron_agent::config::load(&bundle.join("agent.toml")).unwrap();
    let client = Client::new(&config, Lang::Es).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    // The agent works as usual first.
    runtime.block_on(client.whoami()).unwrap();

    // Another process holds the database: the server's session check waits
    // on it, so the upload is accepted (the handshake passed) and stuck
    // mid-body when the server dies.
    // Activity is recorded at most every 30 s: make this request record it,
    // so that the session check writes, and waits.
    env.sql(&format!(
        "UPDATE sessions SET last_seen_at = '{}'",
        padron_tests::seconds_ago(60)
    ));
    let lock = env.inst.hold_write_lock(&["sessions"]);
    let body = vec![0x50u8; 15 * 1024 * 1024];
    let uploading = client.clone();
    let upload =
        runtime.spawn(async move { uploading.upload_query(&token, "grande.xlsx", body).await });
    std::thread::sleep(Duration::from_millis(1500));
    assert!(!upload.is_finished(), "the upload should be in progress");
    env.server.kill_hard();
    let err = runtime.block_on(upload).unwrap().unwrap_err();
    lock.release();

    assert_eq!(err.code(), ErrorCode::ServerConnectionDropped, "{err:?}");
    let es = err.explain(Lang::Es);
    println!("{es}");
    assert!(
        es.contains("El servidor no terminó de atender la solicitud"),
        "{es}"
    );
    assert!(es.contains("Intente de nuevo"), "{es}");
    assert!(!es.contains("certificado"), "{es}");
    let en = err.explain(Lang::En);
    assert!(en.contains("The server did not finish the request"), "{en}");

    // With nothing listening at all, the same request is "unreachable".
    let err = runtime.block_on(client.whoami()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ServerUnreachable, "{err:?}");
}
