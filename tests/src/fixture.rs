//! A running installation with a software eID authority and two MIDES
//! workstations: the fixture of the tests that log in and act over HTTP.
#![allow(clippy::unwrap_used)] // fixture: a failed unwrap is a failed test

use std::fs;
use std::path::Path;

use padron_shared::Cui;
use padron_shared::auth::{AuthToken, Challenge, SessionInfo};
use padron_shared::users::{RequestAction, SignedRequest, UserChange};
use reqwest::blocking::Client;
use sha2::Digest;
use time::OffsetDateTime;

use crate::eid::{Flaws, TestEid, TestPerson};
use crate::{Installation, Server, https_client, ok, path_str};

pub const COORDINATOR: &str = "1234567890101";

/// A valid CUI for test user `i`.
pub fn cui(i: u32) -> String {
    (0..)
        .filter_map(|k| Cui::compose(20_000_000 + i * 37 + k, 1, 1))
        .next()
        .unwrap()
        .to_string()
}

/// The fixture: see the module docs.
#[derive(Debug)]
pub struct Env {
    pub inst: Installation,
    pub server: Server,
    pub eid: TestEid,
    pub fingerprint: String,
    pub ws1: Client,
    pub ws2: Client,
    pub ws1_id: i64,
    /// The installation id signed requests must name.
    pub installation: String,
    /// When set, requests go to this port (a load balancer in front of
    /// several nodes) instead of `server`'s.
    pub front: Option<u16>,
}

pub fn identity(bundle: &Path) -> Vec<u8> {
    let mut pem = fs::read(bundle.join("workstation.crt")).unwrap();
    pem.extend(fs::read(bundle.join("workstation.key")).unwrap());
    pem
}

/// The installation id of a data directory, read from its database.
pub fn installation_id(data: &Path) -> String {
    if let Some(url) = crate::postgres::database_url(data) {
        return crate::postgres::psql_url(&url, "SELECT id FROM installation");
    }
    let db = rusqlite::Connection::open(data.join("padron.db")).unwrap();
    db.query_row("SELECT id FROM installation", [], |r| r.get(0))
        .unwrap()
}

impl Env {
    pub fn new() -> Env {
        Env::with_config("")
    }

    /// The fixture with `toml` appended to server.toml before the server
    /// starts (e.g. a `[revocation]` table).
    pub fn with_config(toml: &str) -> Env {
        Env::on(crate::Backend::from_env(), toml)
    }

    /// The fixture on a chosen store backend.
    pub fn on(backend: crate::Backend, toml: &str) -> Env {
        let inst = Installation::on(backend);
        if !toml.is_empty() {
            let path = inst.data.join("server.toml");
            let mut config = fs::read_to_string(&path).unwrap();
            config.push('\n');
            config.push_str(toml);
            fs::write(&path, config).unwrap();
        }
        let d = inst.data();
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
                "Obras Sociales",
            ],
        );
        crate::give_agreement(&inst.data, "SOSEP");
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
        let eid = TestEid::new("Test eID CA GT");
        let root = inst.tmp.path().join("eid-root.pem");
        fs::write(&root, &eid.ca_pem).unwrap();
        let out = ok(
            "padron-server",
            &["trust", "add-eid-root", "--data", d, path_str(&root)],
        );
        assert!(out.contains("Raíz eID de confianza agregada"), "{out}");
        let server = Server::start(&inst.data);
        let ca = fs::read(inst.data.join("pki/server-ca.crt")).unwrap();
        let b1 = inst.enroll("MIDES", "Central", &server.url());
        let b2 = inst.enroll("MIDES", "Norte", &server.url());
        let server_pem = fs::read(inst.data.join("pki/server.crt")).unwrap();
        let der = x509_parser::pem::parse_x509_pem(&server_pem)
            .unwrap()
            .1
            .contents;
        let installation = installation_id(&inst.data);
        Env {
            installation,
            fingerprint: hex::encode(sha2::Sha256::digest(&der)),
            ws1: https_client(&ca, Some(identity(&b1))),
            ws2: https_client(&ca, Some(identity(&b2))),
            ws1_id: 1,
            inst,
            server,
            eid,
            front: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        match self.front {
            Some(port) => format!("https://localhost:{port}{path}"),
            None => format!("{}{}", self.server.url(), path),
        }
    }

    pub fn challenge(&self, client: &Client) -> String {
        let c: Challenge = client
            .post(self.url("/v1/auth/challenge"))
            .send()
            .unwrap()
            .json()
            .unwrap();
        c.nonce
    }

    pub fn try_login(&self, client: &Client, token: &AuthToken) -> Result<SessionInfo, String> {
        let response = client
            .post(self.url("/v1/auth/login"))
            .json(token)
            .send()
            .unwrap();
        if response.status().is_success() {
            Ok(response.json().unwrap())
        } else {
            let body: serde_json::Value = response.json().unwrap();
            Err(body["code"].as_str().unwrap_or_default().to_owned())
        }
    }

    pub fn login(&self, client: &Client, person: &TestPerson) -> SessionInfo {
        let nonce = self.challenge(client);
        self.try_login(client, &person.login_token(&self.fingerprint, &nonce))
            .unwrap()
    }

    pub fn submit(
        &self,
        client: &Client,
        token: &str,
        request: &SignedRequest,
    ) -> Result<String, String> {
        let response = client
            .post(self.url("/v1/requests"))
            .bearer_auth(token)
            .json(request)
            .send()
            .unwrap();
        let ok = response.status().is_success();
        let body: serde_json::Value = response.json().unwrap();
        if ok {
            Ok(body["state"].as_str().unwrap().to_owned())
        } else {
            Err(body["code"].as_str().unwrap().to_owned())
        }
    }

    pub fn get_code(&self, client: &Client, path: &str, token: &str) -> (u16, String) {
        let response = client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .unwrap();
        let status = response.status().as_u16();
        let body: serde_json::Value = response.json().unwrap_or_default();
        (status, body["code"].as_str().unwrap_or_default().to_owned())
    }

    /// SQL behind the server's back: [`Installation::sql`].
    pub fn sql(&self, statement: &str) {
        self.inst.sql(statement);
    }

    /// Runs `padron-server trust ARGS… --data D` and returns its stdout.
    pub fn trust(&self, args: &[&str]) -> String {
        let mut all = vec!["trust", args[0], "--data", self.inst.data()];
        all.extend(&args[1..]);
        ok("padron-server", &all)
    }

    /// Runs a `trust` command that must fail; returns its stderr.
    pub fn trust_fails(&self, args: &[&str]) -> String {
        let mut all = vec!["trust", args[0], "--data", self.inst.data()];
        all.extend(&args[1..]);
        let out = crate::run("padron-server", &all);
        assert!(!out.status.success(), "trust {args:?} succeeded");
        crate::stderr(&out)
    }

    /// Writes `contents` to a file in the installation's temp dir.
    pub fn file(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        let path = self.inst.tmp.path().join(name);
        fs::write(&path, contents).unwrap();
        path_str(&path).to_owned()
    }

    /// The login outcome of `person` at workstation 1.
    pub fn login_result(&self, person: &TestPerson) -> Result<SessionInfo, String> {
        let nonce = self.challenge(&self.ws1);
        self.try_login(&self.ws1, &person.login_token(&self.fingerprint, &nonce))
    }

    pub fn coordinator(&self) -> TestPerson {
        self.eid.person(COORDINATOR, "ANA LÓPEZ", Flaws::default())
    }

    pub fn add(
        &self,
        coordinator: &TestPerson,
        token: &str,
        user: UserChange,
    ) -> Result<String, String> {
        let payload = coordinator.payload(
            &self.installation,
            RequestAction::Add,
            "MIDES",
            self.ws1_id,
            user,
            OffsetDateTime::now_utc(),
        );
        self.submit(&self.ws1, token, &coordinator.sign(&payload))
    }
    /// A coordinator of SOSEP (another institution) logged in at a SOSEP
    /// workstation: the client and the session.
    pub fn other_institution_coordinator(&self) -> (Client, SessionInfo) {
        ok(
            "padron-server",
            &[
                "coordinator",
                "add",
                "--data",
                self.inst.data(),
                "--institution",
                "SOSEP",
                "--cui",
                &cui(50),
                "--name",
                "Otro",
            ],
        );
        let bundle = self.inst.enroll("SOSEP", "Central", &self.server.url());
        let ca = fs::read(self.inst.data.join("pki/server-ca.crt")).unwrap();
        let sosep = https_client(&ca, Some(identity(&bundle)));
        let session = self.login(&sosep, &self.eid.person(&cui(50), "OTRO", Flaws::default()));
        (sosep, session)
    }
}

impl Default for Env {
    fn default() -> Self {
        Env::new()
    }
}
