//! Revocation services for tests, on loopback ports the test picks: a real
//! OCSP responder (`openssl ocsp`) and a plain HTTP server that answers
//! every request with bytes the test chooses (a CRL at a distribution
//! point, or a recorded OCSP response replayed later).
#![allow(clippy::unwrap_used)] // test support: a failed unwrap is a failed test

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A free loopback port (bound, then released for the child to take).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits for `openssl ocsp` to say it accepts connections (a probe
/// connection would count as a malformed request).
fn wait_listening(what: &str, child: &mut Child, log: &Path) {
    for _ in 0..100 {
        if std::fs::read_to_string(log).is_ok_and(|l| l.contains("ACCEPT")) {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "{what} exited ({status}) before listening:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what} never said it accepts connections");
}

/// `openssl ocsp` as a responder for one CA.
#[derive(Debug)]
pub struct OcspResponder {
    child: Child,
    pub port: u16,
}

impl OcspResponder {
    /// Starts `openssl ocsp -index … -CA … -rsigner … -rkey … -port 127.0.0.1:PORT -nmin 1`
    /// in `dir`, with `index` as index.txt. Panics (loudly) without openssl.
    pub fn start(
        dir: &Path,
        ca_pem: &str,
        index: &str,
        signer_pem: &str,
        signer_key: &str,
    ) -> Self {
        OcspResponder::start_on(free_port(), dir, ca_pem, index, signer_pem, signer_key)
    }

    /// [`OcspResponder::start`] on a port chosen beforehand (to put its URL
    /// in certificates first).
    pub fn start_on(
        port: u16,
        dir: &Path,
        ca_pem: &str,
        index: &str,
        signer_pem: &str,
        signer_key: &str,
    ) -> Self {
        std::fs::create_dir_all(dir).unwrap();
        let file = |name: &str, contents: &str| -> PathBuf {
            let path = dir.join(name);
            std::fs::write(&path, contents).unwrap();
            path
        };
        let index = file("index.txt", index);
        let ca = file("ca.pem", ca_pem);
        let rsigner = file("resp.pem", signer_pem);
        let rkey = file("resp.key", signer_key);
        let log = dir.join("ocsp.log");
        let mut child = Command::new("openssl")
            .arg("ocsp")
            .arg("-index")
            .arg(&index)
            .arg("-CA")
            .arg(&ca)
            .arg("-rsigner")
            .arg(&rsigner)
            .arg("-rkey")
            .arg(&rkey)
            // OpenSSL 3.0 takes a bare port here (it listens on every
            // interface); the tests only ever connect to 127.0.0.1.
            .args(["-port", &port.to_string(), "-nmin", "1", "-ignore_err"])
            .stdout(Stdio::from(std::fs::File::create(&log).unwrap()))
            .stderr(Stdio::from(
                std::fs::File::options().append(true).open(&log).unwrap(),
            ))
            .spawn()
            .expect("openssl is required for the OCSP tests (openssl ocsp)");
        wait_listening("openssl ocsp", &mut child, &log);
        OcspResponder { child, port }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Asks the responder about `cert` with the openssl client and returns
    /// the DER response (to replay later). `nonce`: whether to send one.
    pub fn fetch(&self, dir: &Path, issuer_pem: &str, cert_der: &[u8], nonce: bool) -> Vec<u8> {
        let issuer = dir.join("fetch-issuer.pem");
        std::fs::write(&issuer, issuer_pem).unwrap();
        let cert = dir.join("fetch-cert.der");
        std::fs::write(&cert, cert_der).unwrap();
        let cert_pem = dir.join("fetch-cert.pem");
        let status = Command::new("openssl")
            .args(["x509", "-inform", "DER", "-in"])
            .arg(&cert)
            .arg("-out")
            .arg(&cert_pem)
            .status()
            .unwrap();
        assert!(status.success());
        let out = dir.join("fetched.der");
        let mut cmd = Command::new("openssl");
        cmd.arg("ocsp")
            .arg("-issuer")
            .arg(&issuer)
            .arg("-sha256")
            .arg("-cert")
            .arg(&cert_pem)
            .args([
                "-url",
                &self.url(),
                "-timeout",
                "5",
                "-noverify",
                "-respout",
            ])
            .arg(&out);
        if !nonce {
            cmd.arg("-no_nonce");
        }
        let output = cmd.output().unwrap();
        assert!(
            output.status.success(),
            "openssl ocsp client: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        std::fs::read(&out).unwrap()
    }
}

impl Drop for OcspResponder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP/1.1 server on loopback answering every request with `body`.
#[derive(Debug, Clone)]
pub struct StaticHttp {
    pub port: u16,
    pub body: Arc<Mutex<Vec<u8>>>,
    pub hits: Arc<Mutex<usize>>,
}

impl StaticHttp {
    pub fn start(body: Vec<u8>) -> StaticHttp {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = StaticHttp {
            port,
            body: Arc::new(Mutex::new(body)),
            hits: Arc::new(Mutex::new(0)),
        };
        let shared = server.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let _ = shared.answer(stream);
            }
        });
        server
    }

    fn answer(&self, stream: TcpStream) -> std::io::Result<()> {
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 || line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body)?;
        *self.hits.lock().unwrap() += 1;
        let answer = self.body.lock().unwrap().clone();
        let mut stream = stream;
        write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            answer.len()
        )?;
        stream.write_all(&answer)?;
        stream.flush()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn set(&self, body: Vec<u8>) {
        *self.body.lock().unwrap() = body;
    }
}

/// A loopback port that accepts connections and never answers (a hung responder).
pub fn silent_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().map_while(Result::ok) {
            held.push(stream);
        }
    });
    port
}
