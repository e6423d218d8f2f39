//! Consulta Social over HTTP for tests: a generated registry, a logged-in
//! user, uploads, polling a job to its end, downloading the result.
#![allow(clippy::unwrap_used)] // test support: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use padron_shared::queries::{JobState, QueryJob};
use reqwest::blocking::Client;

use crate::eid::{Flaws, new_user};
use crate::fixture::{Env, cui};
use crate::{Installation, ok, path_str};

/// Generates a registry of `persons` (seed 7) and imports it; returns the CSV.
pub fn registry(env: &Env, persons: &str) -> PathBuf {
    registry_for(&env.inst, persons)
}

/// [`registry`] for any installation.
pub fn registry_for(inst: &Installation, persons: &str) -> PathBuf {
    let csv = inst.tmp.path().join("registro.csv");
    ok(
        "padron-server",
        &[
            "registry",
            "generate",
            "--persons",
            persons,
            "--seed",
            "7",
            "--out",
            path_str(&csv),
        ],
    );
    ok(
        "padron-server",
        &["registry", "import", "--data", inst.data(), path_str(&csv)],
    );
    csv
}

/// Logs in a user of MIDES (added by the coordinator) and returns the token.
pub fn user_token(env: &Env, client: &Client, i: u32) -> String {
    let ana = env.coordinator();
    let coordinator = env.login(&env.ws1, &ana);
    assert_eq!(
        env.add(&ana, &coordinator.token, new_user(&cui(i), "Operador")),
        Ok("DONE".into())
    );
    let person = env.eid.person(&cui(i), "OPERADOR", Flaws::default());
    env.login(client, &person).token
}

pub fn upload(
    env: &Env,
    client: &Client,
    token: &str,
    name: &str,
    bytes: Vec<u8>,
) -> Result<QueryJob, (u16, String)> {
    let response = client
        .post(env.url(&format!("/v1/queries?name={name}")))
        .bearer_auth(token)
        .body(bytes)
        .send()
        .unwrap();
    let status = response.status().as_u16();
    if status == 202 {
        Ok(response.json().unwrap())
    } else {
        let body: serde_json::Value = response.json().unwrap();
        Err((status, body["code"].as_str().unwrap_or_default().to_owned()))
    }
}

pub fn status(
    env: &Env,
    client: &Client,
    token: &str,
    id: &str,
) -> Result<QueryJob, (u16, String)> {
    let response = client
        .get(env.url(&format!("/v1/queries/{id}")))
        .bearer_auth(token)
        .send()
        .unwrap();
    let code = response.status().as_u16();
    if code == 200 {
        Ok(response.json().unwrap())
    } else {
        let body: serde_json::Value = response.json().unwrap();
        Err((code, body["code"].as_str().unwrap_or_default().to_owned()))
    }
}

pub fn wait_done(env: &Env, client: &Client, token: &str, id: &str) -> QueryJob {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let job = status(env, client, token, id).unwrap();
        if matches!(job.state, JobState::Done | JobState::Failed) {
            return job;
        }
        assert!(
            Instant::now() < deadline,
            "job {id} still {} after 2 minutes",
            job.state
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn download(env: &Env, client: &Client, token: &str, id: &str, out: &Path) -> u16 {
    let response = client
        .get(env.url(&format!("/v1/queries/{id}/result")))
        .bearer_auth(token)
        .send()
        .unwrap();
    let code = response.status().as_u16();
    if code == 200 {
        std::fs::write(out, response.bytes().unwrap()).unwrap();
    }
    code
}
