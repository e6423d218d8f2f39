//! Connections are bounded: caps in total and per client address, and
//! handshake, header, idle and body timeouts; a slowloris flood does not
//! keep a real workstation waiting; a long write transaction on the
//! database does not stall handshakes.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::fs;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use padron_tests::{Installation, Server, https_client, set_server_config};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

fn identity(bundle: &Path) -> Vec<u8> {
    let mut pem = fs::read(bundle.join("workstation.crt")).unwrap();
    pem.extend(fs::read(bundle.join("workstation.key")).unwrap());
    pem
}

fn server_ca(inst: &Installation) -> Vec<u8> {
    fs::read(inst.data.join("pki/server-ca.crt")).unwrap()
}

/// A rustls client config with a workstation's identity, HTTP/1.1 only.
fn tls_config(inst: &Installation, bundle: &Path) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for ca in CertificateDer::pem_file_iter(inst.data.join("pki/server-ca.crt")).unwrap() {
        roots.add(ca.unwrap()).unwrap();
    }
    let chain: Vec<_> = CertificateDer::pem_file_iter(bundle.join("workstation.crt"))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let key = PrivateKeyDer::from_pem_file(bundle.join("workstation.key")).unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(roots)
        .with_client_auth_cert(chain, key)
        .unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}

async fn connect_from(source: &str, port: u16) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(format!("{source}:0").parse::<SocketAddr>().unwrap())?;
    socket
        .connect(format!("127.0.0.1:{port}").parse().unwrap())
        .await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slow {
    /// Raw TCP, a TLS ClientHello one byte a second.
    Handshake,
    /// TLS done with an enrolled certificate, then headers one byte a second.
    Headers,
    /// Complete headers announcing a body, then the body one byte a second.
    Body,
}

#[derive(Debug)]
struct Outcome {
    kind: Slow,
    /// When the server closed it (from the first byte sent), if it did.
    dropped_after: Option<Duration>,
    /// What the server wrote before closing (the 408, for `Body`).
    answer: String,
}

/// Sends `prefix` at once, then one byte a second, until the server
/// closes the connection or `give_up` passes.
async fn dribble<S>(stream: S, kind: Slow, prefix: Vec<u8>, give_up: Duration) -> Outcome
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let (mut rd, mut wr) = tokio::io::split(stream);
    let started = Instant::now();
    let mut answer = Vec::new();
    if wr.write_all(&prefix).await.is_err() {
        return Outcome {
            kind,
            dropped_after: Some(started.elapsed()),
            answer: String::new(),
        };
    }
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.tick().await;
    let mut buf = [0u8; 4096];
    loop {
        tokio::select! {
            read = rd.read(&mut buf) => match read {
                Ok(n) if n > 0 => answer.extend_from_slice(&buf[..n]),
                _ => break,
            },
            _ = tick.tick() => {
                if started.elapsed() > give_up {
                    return Outcome { kind, dropped_after: None, answer: String::from_utf8_lossy(&answer).into_owned() };
                }
                if wr.write_all(b"a").await.is_err() || wr.flush().await.is_err() {
                    break;
                }
            }
        }
    }
    Outcome {
        kind,
        dropped_after: Some(started.elapsed()),
        answer: String::from_utf8_lossy(&answer).into_owned(),
    }
}

async fn slow_connection(
    kind: Slow,
    port: u16,
    tls: Arc<rustls::ClientConfig>,
    give_up: Duration,
) -> Outcome {
    let tcp = connect_from("127.0.0.1", port).await.unwrap();
    match kind {
        // The start of a real-looking ClientHello record header.
        Slow::Handshake => {
            dribble(tcp, kind, vec![0x16, 0x03, 0x01, 0x02, 0x00, 0x01], give_up).await
        }
        Slow::Headers | Slow::Body => {
            let connector = tokio_rustls::TlsConnector::from(tls);
            let name = ServerName::try_from("localhost").unwrap();
            let stream = connector.connect(name, tcp).await.unwrap();
            let prefix = if kind == Slow::Headers {
                b"GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".to_vec()
            } else {
                b"POST /v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{".to_vec()
            };
            dribble(stream, kind, prefix, give_up).await
        }
    }
}

/// Hundreds of connections sending a byte a second: each kind is dropped
/// at its timeout, and meanwhile a real workstation opens fresh
/// connections and is answered promptly every time.
#[test]
fn slowloris_is_dropped_while_a_real_workstation_is_served() {
    const PER_KIND: usize = 100;
    let inst = Installation::new();
    for (key, value) in [
        ("max_connections", "2000"),
        ("max_connections_per_address", "2000"),
        ("handshake_timeout_seconds", "2"),
        ("header_read_timeout_seconds", "2"),
        ("idle_timeout_seconds", "3"),
        ("body_read_timeout_seconds", "3"),
        ("login_burst", "1000"),
    ] {
        set_server_config(&inst.data, key, value);
    }
    let server = Server::start(&inst.data);
    let attacker = inst.enroll("MIDES", "Atacante", &server.url());
    let real = inst.enroll("MIDES", "Central", &server.url());
    let tls = tls_config(&inst, &attacker);
    let port = server.port;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let give_up = Duration::from_secs(12);
    let attack = runtime.spawn(async move {
        let mut tasks = Vec::new();
        for kind in [Slow::Handshake, Slow::Headers, Slow::Body] {
            for _ in 0..PER_KIND {
                tasks.push(tokio::spawn(slow_connection(
                    kind,
                    port,
                    tls.clone(),
                    give_up,
                )));
            }
        }
        let mut outcomes = Vec::new();
        for t in tasks {
            outcomes.push(t.await.unwrap());
        }
        outcomes
    });

    // The real workstation: a fresh connection (handshake included) for
    // every request, for as long as the attack lasts.
    let client = reqwest::blocking::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&server_ca(&inst)).unwrap()])
        .identity(reqwest::Identity::from_pem(&identity(&real)).unwrap())
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let mut latencies = Vec::new();
    let attack_started = Instant::now();
    while attack_started.elapsed() < Duration::from_secs(6) {
        let t = Instant::now();
        let response = client
            .get(format!("{}/v1/whoami", server.url()))
            .send()
            .unwrap();
        assert_eq!(response.status(), 200);
        latencies.push(t.elapsed());
        std::thread::sleep(Duration::from_millis(100));
    }
    let outcomes = runtime.block_on(attack).unwrap();

    let max = latencies.iter().max().copied().unwrap();
    let mut sorted = latencies.clone();
    sorted.sort();
    let median = sorted[sorted.len() / 2];
    println!(
        "real workstation during the attack: {} requests, each on a new connection; median {:?}, max {:?}",
        latencies.len(),
        median,
        max
    );
    // (kind, earliest, latest): the handshake timeout (2 s); hyper's header
    // timeout (2 s) or the idle watchdog (3 s, checked every 750 ms); the
    // body timeout (3 s). Never before the bound (they did send bytes),
    // nor long after.
    for (kind, earliest, latest) in [
        (Slow::Handshake, 1.5, 4.5),
        (Slow::Headers, 1.5, 5.5),
        (Slow::Body, 2.5, 5.5),
    ] {
        let of: Vec<_> = outcomes.iter().filter(|o| o.kind == kind).collect();
        let dropped: Vec<_> = of.iter().filter_map(|o| o.dropped_after).collect();
        let slowest = dropped.iter().max().copied().unwrap_or_default();
        let fastest = dropped.iter().min().copied().unwrap_or_default();
        println!(
            "{kind:?}: {} slow connections, {} dropped by the server, after {:?} .. {:?}",
            of.len(),
            dropped.len(),
            fastest,
            slowest,
        );
        assert_eq!(dropped.len(), of.len(), "{kind:?}: some were never dropped");
        assert!(fastest.as_secs_f64() >= earliest, "{kind:?}: {fastest:?}");
        assert!(slowest.as_secs_f64() <= latest, "{kind:?}: {slowest:?}");
    }
    for o in outcomes.iter().filter(|o| o.kind == Slow::Body) {
        assert!(o.answer.starts_with("HTTP/1.1 408"), "{}", o.answer);
        assert!(o.answer.contains("REQUEST_BODY_TIMEOUT"), "{}", o.answer);
    }
    assert!(
        max < Duration::from_secs(2),
        "the real workstation waited {max:?}"
    );
}

/// Over the per-address cap, a connection is closed at once, before TLS;
/// other addresses are still served; over the total cap, everyone waits
/// for a place, and a freed place is usable again.
#[test]
fn connection_caps_per_address_and_in_total() {
    let inst = Installation::new();
    set_server_config(&inst.data, "max_connections", "8");
    set_server_config(&inst.data, "max_connections_per_address", "5");
    let server = Server::start(&inst.data);
    let real = inst.enroll("MIDES", "Central", &server.url());
    let port = server.port;
    let client = reqwest::blocking::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&server_ca(&inst)).unwrap()])
        .identity(reqwest::Identity::from_pem(&identity(&real)).unwrap())
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let whoami = || client.get(format!("{}/v1/whoami", server.url())).send();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    /// Whether the server closes the connection within a second, unasked.
    async fn closed_at_once(stream: &mut TcpStream) -> bool {
        let mut byte = [0u8; 1];
        matches!(
            tokio::time::timeout(Duration::from_secs(1), stream.read(&mut byte)).await,
            Ok(Ok(0) | Err(_))
        )
    }
    // (The blocking HTTPS client must not run inside the runtime.)
    let open = |source: &str| {
        let mut s = runtime.block_on(connect_from(source, port)).unwrap();
        let closed = runtime.block_on(closed_at_once(&mut s));
        (s, closed)
    };
    let mut from_2 = Vec::new();
    for _ in 0..5 {
        let (s, closed) = open("127.0.0.2");
        assert!(!closed, "within the per-address cap");
        from_2.push(s);
    }
    let (_sixth, closed) = open("127.0.0.2");
    assert!(closed, "over the per-address cap");
    // Another address is not affected.
    assert_eq!(whoami().unwrap().status(), 200);
    // (Its connection, not kept, gives its place back.)
    std::thread::sleep(Duration::from_millis(300));

    let mut from_3 = Vec::new();
    for _ in 0..3 {
        let (s, closed) = open("127.0.0.3");
        assert!(!closed, "within the total cap");
        from_3.push(s);
    }
    // 8 open: the total cap. Anyone else is closed at once.
    let (_ninth, closed) = open("127.0.0.4");
    assert!(closed, "over the total cap");
    assert!(whoami().is_err(), "over the total cap");
    // A place freed is a place usable.
    drop(from_2.pop());
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(whoami().unwrap().status(), 200);
    server.wait_for_log("connections refused: over the connection caps");
}

/// The handshake never waits on the database: with another process
/// holding a write transaction, and the server's own store connection
/// stuck behind it (a challenge waiting to insert its nonce), a
/// workstation still completes new handshakes and is answered.
#[test]
fn a_long_write_transaction_does_not_stall_handshakes() {
    let inst = Installation::new();
    let server = Server::start(&inst.data);
    let one = inst.enroll("MIDES", "Central", &server.url());
    let two = inst.enroll("MIDES", "Norte", &server.url());
    let ca = server_ca(&inst);
    let url = server.url();

    let lock = inst.hold_write_lock(&["auth_nonces"]);
    // A writer inside the server, now waiting (up to its busy timeout)
    // with the store's connection held.
    let (ca1, id1, url1) = (ca.clone(), identity(&one), url.clone());
    let stuck = std::thread::spawn(move || {
        let client = https_client(&ca1, Some(id1));
        let t = Instant::now();
        let status = client
            .post(format!("{url1}/v1/auth/challenge"))
            .send()
            .map(|r| r.status().as_u16());
        (status, t.elapsed())
    });
    std::thread::sleep(Duration::from_millis(700));
    for _ in 0..5 {
        // A fresh client each time: a new connection, a new handshake.
        let client = https_client(&ca, Some(identity(&two)));
        let t = Instant::now();
        let response = client.get(format!("{url}/v1/whoami")).send().unwrap();
        let took = t.elapsed();
        assert_eq!(response.status(), 200);
        println!("handshake + whoami with the database locked: {took:?}");
        assert!(took < Duration::from_secs(2), "{took:?}");
    }
    // The challenge was indeed waiting on the lock all along.
    assert!(!stuck.is_finished(), "the writer should still be waiting");
    lock.release();
    let (status, took) = stuck.join().unwrap();
    assert_eq!(
        status.unwrap(),
        200,
        "the writer completes once the lock is released"
    );
    assert!(took > Duration::from_millis(700), "{took:?}");
}
