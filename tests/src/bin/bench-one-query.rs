//! Consulta individual benchmark (issue 18): p50 / p99 latency end to end
//! through the API over mutual TLS, by CUI and by names, with 1 and 20
//! concurrent users, while a 50,000-row workbook is being processed.
//!
//!     packaging/bench/one_query.sh [PERSONS] [SECONDS] [THINK_MS]
//!
//! Runs the release binaries beside this one: a throwaway installation
//! (software eID, two workstations, ten users, each logged in at both), a
//! generated registry of PERSONS (seed 7), the per-person rate raised so
//! the benchmark measures latency, not the limiter. Each scenario runs
//! SECONDS; a 50,000-row CUI workbook is kept in the queue throughout.
//! Users are closed loops with no think time (the server's saturation), and
//! then twenty clerks who each pause a random time (exponential, mean
//! THINK_MS, 1000 by default) between answers: a desk's use, far busier
//! than a real clerk who types a name between queries.
#![allow(clippy::unwrap_used)] // a benchmark harness: a failed unwrap is a failed run

use std::time::{Duration, Instant};

use padron_tests::consulta::{registry_for, upload, user_token};
use padron_tests::fixture::Env;
use padron_tests::workbooks::{cui_workbook, registry_cuis};
use padron_tests::{Server, set_server_config};
use serde_json::json;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Names of registry persons as `GIVEN…, SURNAME SURNAME` with the date (dd/mm/aaaa) for half.
fn names_of(csv: &std::path::Path, n: usize) -> Vec<(String, Option<String>)> {
    std::fs::read_to_string(csv)
        .unwrap()
        .lines()
        .skip(1)
        .step_by(7)
        .take(n)
        .enumerate()
        .map(|(i, l)| {
            let f: Vec<&str> = l.split(',').collect();
            let given = f[1..4]
                .iter()
                .filter(|s| !s.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(" ");
            let names = format!("{given}, {} {}", f[4], f[5]).trim().to_owned();
            let d: Vec<&str> = f[11].split('-').collect();
            let birth = (i % 2 == 0).then(|| format!("{}/{}/{}", d[2], d[1], d[0]));
            (names, birth)
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let persons: String = args.get(1).cloned().unwrap_or_else(|| "1000000".into());
    let seconds: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let think_ms: f64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1000.0);
    let mut env = Env::new();
    eprintln!("registry: generating and importing {persons} persons…");
    let started = Instant::now();
    let csv = registry_for(&env.inst, &persons);
    eprintln!("registry ready in {:.0} s", started.elapsed().as_secs_f64());
    set_server_config(&env.inst.data, "one_query_burst", "1000000");
    set_server_config(&env.inst.data, "one_query_per_minute", "1000000");
    set_server_config(&env.inst.data, "upload_burst", "1000");
    env.server = Server::start(&env.inst.data);

    // Ten users, each with a session at each workstation: twenty sessions.
    let mut sessions = Vec::new();
    for i in 1..=10 {
        sessions.push((env.ws1.clone(), user_token(&env, &env.ws1, i)));
    }
    for i in 1..=10 {
        let person = env.eid.person(
            &padron_tests::fixture::cui(i),
            "OPERADOR",
            Default::default(),
        );
        sessions.push((env.ws2.clone(), env.login(&env.ws2, &person).token));
    }
    let cuis = registry_cuis(&csv, 200_000);
    let names = names_of(&csv, 5_000);
    let big: Vec<String> = cuis.iter().take(50_000).cloned().collect();
    let workbook = cui_workbook(&big, "Bolsa Social");

    let mut report = String::new();
    report.push_str(&format!(
        "# Consulta individual: latency through the API over mutual TLS\n\n\
         Registry: {persons} persons (generated, seed 7). Each scenario {seconds} s, with a 50,000-row \
         CUI workbook being processed by the queue throughout. Machine: {} cores.\n\n\
         | query | users | think (ms, mean) | requests | p50 (ms) | p99 (ms) | max (ms) | errors |\n|---|---|---|---|---|---|---|---|---|\n",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
    ));
    for mode in ["cui", "names"] {
        for (users, think) in [(1usize, 0.0), (20, 0.0), (20, think_ms)] {
            let (ws, token) = sessions[0].clone();
            // Keep the queue busy: one workbook now, another whenever it finishes.
            let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let feeder = {
                let stop = stop.clone();
                let (env_url, ws, token, workbook) =
                    (env.url(""), ws.clone(), token.clone(), workbook.clone());
                std::thread::spawn(move || {
                    let mut jobs = 0;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        let r = ws
                            .post(format!("{env_url}/v1/queries?name=carga.xlsx"))
                            .bearer_auth(&token)
                            .body(workbook.clone())
                            .send()
                            .unwrap();
                        let job: serde_json::Value = r.json().unwrap();
                        let id = job["id"].as_str().unwrap_or_default().to_owned();
                        jobs += 1;
                        loop {
                            std::thread::sleep(Duration::from_millis(200));
                            let s: serde_json::Value = ws
                                .get(format!("{env_url}/v1/queries/{id}"))
                                .bearer_auth(&token)
                                .send()
                                .unwrap()
                                .json()
                                .unwrap();
                            if s["state"] == "RUNNING"
                                || stop.load(std::sync::atomic::Ordering::Relaxed)
                            {
                                break;
                            }
                        }
                        // Wait for it to finish before queueing the next.
                        loop {
                            let s: serde_json::Value = ws
                                .get(format!("{env_url}/v1/queries/{id}"))
                                .bearer_auth(&token)
                                .send()
                                .unwrap()
                                .json()
                                .unwrap();
                            if s["state"] == "DONE" || s["state"] == "FAILED" {
                                break;
                            }
                            std::thread::sleep(Duration::from_millis(200));
                        }
                    }
                    jobs
                })
            };
            // Wait until the workbook is running before measuring.
            std::thread::sleep(Duration::from_secs(3));
            let deadline = Instant::now() + Duration::from_secs(seconds);
            let handles: Vec<_> = (0..users)
                .map(|u| {
                    let (ws, token) = sessions[u].clone();
                    let url = env.url("/v1/queries/one");
                    let cuis = cuis.clone();
                    let names = names.clone();
                    std::thread::spawn(move || {
                        let mut lat = Vec::new();
                        let mut errors = 0u64;
                        let mut k = u * 7919;
                        while Instant::now() < deadline {
                            k = k
                                .wrapping_mul(6364136223846793005)
                                .wrapping_add(1442695040888963407)
                                % 1_000_003;
                            let body = if mode == "cui" {
                                json!({ "programme": "Bolsa Social", "cui": cuis[k % cuis.len()] })
                            } else {
                                let (n, b) = &names[k % names.len()];
                                json!({ "programme": "Bolsa Social", "names": n, "birth": b })
                            };
                            let t = Instant::now();
                            let ok = ws
                                .post(&url)
                                .bearer_auth(&token)
                                .json(&body)
                                .send()
                                .map(|r| r.status().is_success() && r.bytes().is_ok())
                                .unwrap_or(false);
                            let ms = t.elapsed().as_secs_f64() * 1000.0;
                            if ok {
                                lat.push(ms);
                            } else {
                                errors += 1;
                            }
                            if think > 0.0 {
                                // Exponential pause from the same generator, capped at 5× the mean.
                                let uniform = ((k % 1_000_003) as f64 + 1.0) / 1_000_004.0;
                                let pause = (-uniform.ln() * think).min(5.0 * think);
                                std::thread::sleep(Duration::from_secs_f64(pause / 1000.0));
                            }
                        }
                        (lat, errors)
                    })
                })
                .collect();
            let mut all = Vec::new();
            let mut errors = 0;
            for h in handles {
                let (l, e) = h.join().unwrap();
                all.extend(l);
                errors += e;
            }
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            let _ = feeder.join();
            all.sort_by(|a, b| a.partial_cmp(b).unwrap());
            let line = format!(
                "| {mode} | {users} | {think:.0} | {} | {:.1} | {:.1} | {:.1} | {errors} |\n",
                all.len(),
                percentile(&all, 0.5),
                percentile(&all, 0.99),
                all.last().copied().unwrap_or(f64::NAN)
            );
            eprint!("{line}");
            report.push_str(&line);
        }
    }
    println!("{report}");
    let _ = upload; // the feeder posts directly to keep its own client
}
