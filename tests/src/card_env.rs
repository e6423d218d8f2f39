//! An installation whose people log in with virtual eID cards: `padron-card`
//! in vsmartcard's vpcd readers of a real pcscd, driven through the
//! `padron-agent` CLI (PIN from `PADRON_PIN`). Holds the test bed's lock,
//! so the tests that use it run one at a time (and in nextest's `pcscd` group).
#![allow(clippy::unwrap_used)] // test support: a failed unwrap is a failed test

use std::path::PathBuf;
use std::process::{Command, Output};

use padron_drivers::testbed;

use crate::{Installation, Server, bin, ok, path_str, stderr, stdout};

/// The coordinator of MIDES the environment registers (Ana López).
pub const COORDINATOR: &str = "1234567890101";
/// The user the tests add: Pedro Xol.
pub const PEDRO: &str = "9876543220101";
/// The agent command by which the coordinator adds Pedro (alta).
pub const ADD_PEDRO: [&str; 16] = [
    "users",
    "add",
    "--cui",
    PEDRO,
    "--name",
    "Pedro Xol",
    "--email",
    "p@mides.gob.gt",
    "--phone",
    "55551234",
    "--department",
    "D",
    "--post",
    "P",
    "--programme",
    "Bolsa Social",
];

#[derive(Debug)]
pub struct CardEnv {
    pub inst: Installation,
    pub server: Server,
    /// The enrolment bundle of MIDES's "Central" workstation.
    pub bundle: PathBuf,
    /// The eID CA that issues the virtual cards (trusted by the server).
    pub ca: PathBuf,
    _lock: testbed::TestbedLock,
}

impl CardEnv {
    /// pcscd running, an eID CA trusted, Ana as MIDES's coordinator, the
    /// server up and one workstation enrolled.
    pub fn new() -> CardEnv {
        let lock = testbed::lock().unwrap();
        testbed::ensure_pcscd().unwrap();
        let inst = Installation::new();
        let d = inst.data();
        let ca = inst.tmp.path().join("eid-ca");
        testbed::init_ca(&bin("padron-card"), &ca).unwrap();
        ok(
            "padron-server",
            &[
                "trust",
                "add-eid-root",
                "--data",
                d,
                path_str(&ca.join("ca.crt.pem")),
            ],
        );
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
                COORDINATOR,
                "--name",
                "Ana López",
            ],
        );
        let server = Server::start(&inst.data);
        let bundle = inst.enroll("MIDES", "Central", &server.url());
        CardEnv {
            inst,
            server,
            bundle,
            ca,
            _lock: lock,
        }
    }

    /// A virtual card for a person, signed by the environment's eID CA.
    pub fn issue(
        &self,
        name: &str,
        cui: &str,
        given: &str,
        surnames: &str,
        algorithm: &str,
    ) -> PathBuf {
        let dir = self.inst.tmp.path().join(name);
        testbed::issue_card(
            &bin("padron-card"),
            &self.ca,
            &dir,
            cui,
            given,
            surnames,
            algorithm,
        )
        .unwrap();
        dir
    }

    /// Runs the agent with this workstation's configuration, reading the card in `reader`.
    pub fn agent(&self, reader: &str, args: &[&str]) -> Output {
        let config = self.config_for(reader);
        Command::new(bin("padron-agent"))
            .arg("--config")
            .arg(&config)
            .args(args)
            .env("PADRON_PIN", "123456")
            .env_remove("PADRON_LANG")
            .output()
            .unwrap()
    }

    /// agent.toml of the bundle, pointed at one reader.
    pub fn config_for(&self, reader: &str) -> PathBuf {
        let base = std::fs::read_to_string(self.bundle.join("agent.toml")).unwrap();
        let path = self
            .bundle
            .join(format!("agent-{}.toml", reader.replace(' ', "_")));
        std::fs::write(&path, format!("{base}card_reader = \"{reader}\"\n")).unwrap();
        path
    }
}

impl Default for CardEnv {
    fn default() -> Self {
        CardEnv::new()
    }
}

/// Asserts the command succeeded (showing both streams if not); returns stdout.
pub fn assert_ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
    stdout(out)
}
