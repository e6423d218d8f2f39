//! HAProxy (Debian's package) in TCP mode in front of several
//! `padron-server` nodes, for the cluster tests: TLS passes through, so
//! each node sees the workstation's certificate. Stopped when dropped.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Haproxy {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

/// The configuration: round robin over `backends`, each checked by a TCP
/// connect every 500 ms (down after 2 failures, up after 1 success).
pub fn config(port: u16, backends: &[u16]) -> String {
    let mut text = format!(
        "global\n    maxconn 2000\n\
         defaults\n    mode tcp\n    timeout connect 2s\n    timeout client 120s\n    timeout server 120s\n\
         frontend padron\n    bind 127.0.0.1:{port}\n    default_backend nodes\n\
         backend nodes\n    balance roundrobin\n"
    );
    for (i, b) in backends.iter().enumerate() {
        text.push_str(&format!(
            "    server node{} 127.0.0.1:{b} check inter 500ms fall 2 rise 1\n",
            i + 1
        ));
    }
    text
}

impl Haproxy {
    pub fn start(backends: &[u16]) -> Haproxy {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cfg = dir.path().join("haproxy.cfg");
        std::fs::write(&cfg, config(port, backends)).unwrap();
        let log = std::fs::File::create(dir.path().join("haproxy.log")).unwrap();
        let child = Command::new("haproxy")
            .arg("-db")
            .arg("-f")
            .arg(&cfg)
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start haproxy ({e}): run packaging/dev/setup.sh"));
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "haproxy did not listen: {}",
                std::fs::read_to_string(dir.path().join("haproxy.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Haproxy {
            child,
            port,
            _dir: dir,
        }
    }
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
