//! `padron-load`: a load generator for `padron-server`, built on the
//! agent's own HTTP client (`padron_agent::client::Client`: mutual TLS
//! with the workstation identity, the server CA pinned).
//!
//! It builds an installation of its own (the real `padron-server` binary
//! beside this one: `init`, an institution with an agreement, a software
//! eID authority, a generated registry), starts the server with its
//! metrics listener, enrols N workstations (each with its own certificate),
//! adds one user per workstation by signed requests and logs each in with
//! a real card login (challenge, signature, login). Then, for `--seconds`:
//!
//! - every workstation polls: its session (status) and its job list, every
//!   `--poll-ms` (0: as fast as the server answers, for the maximum rate);
//! - `--uploaders` of them upload CUI and names workbooks at random
//!   intervals (exponential, mean `--upload-every-ms`) and follow each job;
//! - optionally, `--handshake-seconds` of new mutual-TLS connections (a new
//!   agent client each: a full handshake, no resumption).
//!
//! Reported: requests per second, latency p50/p99/p99.9 by operation,
//! errors by code, new TLS handshakes per second (client count and the
//! server's own counter), server RSS (start, after warm-up, end, max) and
//! CPU. A benchmark, not a test: `packaging/bench/README.md` has figures.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use padron_agent::client::{Client, ClientError};
use padron_shared::Lang;
use padron_shared::users::RequestAction;
use padron_tests::eid::{Flaws, TestEid, TestPerson, new_user};
use padron_tests::fixture::cui;
use rand_core::{RngCore, SeedableRng};

#[derive(Debug, Parser)]
#[command(about = "Load generator for padron-server (see the module docs).")]
struct Args {
    /// Workstations, each with its own certificate and session.
    #[arg(long, default_value_t = 200)]
    workstations: usize,
    /// Workstations that also upload workbooks.
    #[arg(long, default_value_t = 20)]
    uploaders: usize,
    /// Mean time between one uploader's uploads (exponential), ms.
    #[arg(long, default_value_t = 5000)]
    upload_every_ms: u64,
    /// Rows in each uploaded workbook.
    #[arg(long, default_value_t = 50)]
    upload_rows: usize,
    /// Pause between one workstation's polls, ms (0: closed loop, maximum rate).
    #[arg(long, default_value_t = 1000)]
    poll_ms: u64,
    /// Jobs per list poll (`GET /v1/queries?limit=N`); the server's default
    /// page when absent. 500 reproduces the lists before pagination.
    #[arg(long)]
    list_limit: Option<u32>,
    /// Polls in flight per workstation (closed loop only).
    #[arg(long, default_value_t = 1)]
    in_flight: usize,
    /// Length of the measured run.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Discarded from the figures at the start (RSS "after warm-up" too).
    #[arg(long, default_value_t = 10)]
    warmup_seconds: u64,
    /// Then this long of new mutual-TLS connections (0: none).
    #[arg(long, default_value_t = 0)]
    handshake_seconds: u64,
    /// Concurrent connectors in the handshake phase.
    #[arg(long, default_value_t = 32)]
    handshake_concurrency: usize,
    /// Persons in the generated registry.
    #[arg(long, default_value_t = 20000)]
    registry_persons: u32,
    /// Where the installation is built (default: a temporary directory).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// The padron-server binary (default: beside this one).
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// Seed of the upload schedule and the workbooks' rows.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print a line of progress every this many seconds.
    #[arg(long, default_value_t = 10)]
    progress_seconds: u64,
}

/// One operation's samples: latencies in microseconds, errors by code.
#[derive(Debug, Default)]
struct OpStats {
    micros: Vec<u32>,
    errors: BTreeMap<String, u64>,
}

#[derive(Debug, Default)]
struct Stats {
    ops: Mutex<BTreeMap<&'static str, OpStats>>,
    measuring: AtomicBool,
    total: AtomicU64,
}

impl Stats {
    fn record(&self, op: &'static str, started: Instant, outcome: Result<(), String>) {
        self.total.fetch_add(1, Ordering::Relaxed);
        if !self.measuring.load(Ordering::Relaxed) {
            return;
        }
        let micros = u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
        let mut ops = self.ops.lock().unwrap_or_else(|p| p.into_inner());
        let entry = ops.entry(op).or_default();
        match outcome {
            Ok(()) => entry.micros.push(micros),
            Err(code) => *entry.errors.entry(code).or_default() += 1,
        }
    }
}

fn code_of(e: &ClientError) -> String {
    e.code().as_str().to_owned()
}

/// Users an institution may have at once.
const PER_INSTITUTION: usize = 10;

fn institution_code(k: usize) -> String {
    format!("INST{k:03}")
}

fn coordinator_cui(k: usize) -> String {
    cui(100_000 + k as u32)
}

struct Workstation {
    client: Client,
    config: padron_agent::config::LoadedConfig,
    token: String,
}

fn server_bin(args: &Args) -> anyhow::Result<PathBuf> {
    if let Some(p) = &args.server_bin {
        return Ok(p.clone());
    }
    let exe = std::env::current_exe()?;
    let path = exe
        .parent()
        .context("no directory beside this executable")?
        .join("padron-server");
    if !path.is_file() {
        bail!(
            "{} is missing: cargo build --workspace --bins (or --server-bin)",
            path.display()
        );
    }
    Ok(path)
}

fn run(bin: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new(bin)
        .args(args)
        .env_remove("PADRON_DATA")
        .output()
        .with_context(|| format!("cannot run {}", bin.display()))?;
    if !out.status.success() {
        bail!(
            "padron-server {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap_or_default()
}

/// Limits high enough that the generator measures the server, not its
/// per-workstation rate limits (all workstations come from 127.0.0.1).
const LOAD_CONFIG: &str = r#"
[metrics]
listen = "127.0.0.1:0"
"#;

fn raise_limits(data: &Path) -> anyhow::Result<()> {
    let path = data.join("server.toml");
    let text = std::fs::read_to_string(&path)?;
    let mut out = Vec::new();
    for line in text.lines() {
        let key = line.split(" = ").next().unwrap_or_default();
        let value = match key {
            "max_connections" => Some("20000"),
            "max_connections_per_address" => Some("20000"),
            "challenge_per_minute"
            | "login_per_minute"
            | "upload_per_minute"
            | "download_per_minute" => Some("100000"),
            "challenge_burst" | "login_burst" | "upload_burst" | "download_burst" => Some("10000"),
            _ => None,
        };
        match value {
            Some(v) => out.push(format!("{key} = {v}")),
            None => out.push(line.to_owned()),
        }
    }
    let mut text = out.join("\n");
    text.push('\n');
    text.push_str(LOAD_CONFIG);
    std::fs::write(&path, text)?;
    Ok(())
}

struct ServerProcess {
    child: Child,
    url: String,
    metrics: String,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(bin: &Path, data: &Path, log: &Path) -> anyhow::Result<ServerProcess> {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(bin)
        .args([
            "serve",
            "--data",
            s(data),
            "--listen",
            "127.0.0.1:0",
            "--log",
            "warn",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::from(std::fs::File::create(log)?))
        .spawn()?;
    let stdout = child.stdout.take().context("server stdout")?;
    let mut metrics = String::new();
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        if let Some(m) = line.strip_prefix("padron-server metrics on ") {
            metrics = m.to_owned();
        }
        if let Some(addr) = line.strip_prefix("padron-server listening on https://") {
            let port = addr.rsplit(':').next().unwrap_or_default().to_owned();
            return Ok(ServerProcess {
                child,
                url: format!("https://localhost:{port}"),
                metrics,
            });
        }
    }
    bail!("the server exited before listening; see {}", log.display())
}

/// VmRSS (bytes) and utime+stime (seconds) of a process.
fn proc_figures(pid: u32) -> (u64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| {
            v.split_whitespace()
                .next()
                .and_then(|n| n.parse::<u64>().ok())
        })
        .unwrap_or(0)
        * 1024;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name's closing parenthesis: utime is 14th, stime 15th overall.
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let clk = 100.0; // USER_HZ on Linux
    (rss, (ticks(11) + ticks(12)) / clk)
}

async fn scrape_counter(metrics_url: &str, name: &str) -> f64 {
    let Ok(resp) = reqwest::get(metrics_url).await else {
        return f64::NAN;
    };
    let text = resp.text().await.unwrap_or_default();
    text.lines()
        .filter(|l| l.starts_with(name) && !l.starts_with('#'))
        .filter_map(|l| l.rsplit_once(' ').and_then(|(_, v)| v.parse::<f64>().ok()))
        .sum()
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    f64::from(sorted[rank.clamp(1, sorted.len()) - 1]) / 1000.0
}

fn cui_book(cuis: &[String]) -> Vec<u8> {
    padron_tests::workbooks::cui_workbook(cuis, "Bolsa Social")
}

fn names_book(rows: &[Vec<String>]) -> anyhow::Result<Vec<u8>> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let header = [
        "Referencia",
        "Primer nombre",
        "Segundo nombre",
        "Primer apellido",
        "Segundo apellido",
        "Fecha de nacimiento",
        "Programa",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        // CSV: cui, primer_nombre, segundo_nombre, tercer, primer_apellido,
        // segundo_apellido, casada, sexo, país, depto, municipio, fecha…
        let cells = [
            format!("REF-{row:05}"),
            r.get(1).cloned().unwrap_or_default(),
            r.get(2).cloned().unwrap_or_default(),
            r.get(4).cloned().unwrap_or_default(),
            r.get(5).cloned().unwrap_or_default(),
            r.get(11).cloned().unwrap_or_default(),
            "Bolsa Social".to_owned(),
        ];
        for (c, v) in cells.iter().enumerate() {
            sheet.write_string(row, c as u16, v)?;
        }
    }
    Ok(book.save_to_buffer()?)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let bin = server_bin(&args)?;
    let tmp = tempfile::tempdir()?;
    let root = args.dir.clone().unwrap_or_else(|| tmp.path().to_owned());
    std::fs::create_dir_all(&root)?;
    let data = root.join("data");
    let t0 = Instant::now();
    eprintln!(
        "padron-load: building an installation in {}",
        root.display()
    );
    run(&bin, &["init", "--data", s(&data)])?;
    // Ten users at most per institution (the domain's rule): one
    // institution, with its coordinator, per ten workstations.
    let institutions = args.workstations.div_ceil(PER_INSTITUTION).max(1);
    for k in 0..institutions {
        let code = institution_code(k);
        let name = format!("Institución {k}");
        run(
            &bin,
            &[
                "institution",
                "add",
                "--data",
                s(&data),
                "--code",
                &code,
                "--name",
                &name,
            ],
        )?;
        run(
            &bin,
            &[
                "agreement",
                "set",
                "--data",
                s(&data),
                "--institution",
                &code,
                "--from",
                "2020-01-01",
                "--to",
                "2099-12-31",
            ],
        )?;
        run(
            &bin,
            &[
                "coordinator",
                "add",
                "--data",
                s(&data),
                "--institution",
                &code,
                "--cui",
                &coordinator_cui(k),
                "--name",
                "Coordinadora",
            ],
        )?;
    }
    let eid = TestEid::new("Load eID CA GT");
    let eid_root = root.join("eid-root.pem");
    std::fs::write(&eid_root, &eid.ca_pem)?;
    run(
        &bin,
        &["trust", "add-eid-root", "--data", s(&data), s(&eid_root)],
    )?;
    let csv = root.join("registro.csv");
    let persons = args.registry_persons.to_string();
    run(
        &bin,
        &[
            "registry",
            "generate",
            "--persons",
            &persons,
            "--seed",
            "7",
            "--out",
            s(&csv),
        ],
    )?;
    run(&bin, &["registry", "import", "--data", s(&data), s(&csv)])?;
    let registry: Vec<Vec<String>> = std::fs::read_to_string(&csv)?
        .lines()
        .skip(1)
        .take(5000)
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    raise_limits(&data)?;
    let server = start_server(&bin, &data, &root.join("server.log"))?;
    let pid = server.child.id();
    eprintln!(
        "padron-load: server {} (pid {pid}), metrics {}",
        server.url, server.metrics
    );

    // Workstations: enrolled one by one (each `enroll` is a transaction).
    let mut configs = Vec::new();
    for i in 0..args.workstations {
        let out = root.join(format!("ws-{i:04}"));
        run(
            &bin,
            &[
                "workstation",
                "enroll",
                "--data",
                s(&data),
                "--institution",
                &institution_code(i / PER_INSTITUTION),
                "--site",
                &format!("Sede {i}"),
                "--out",
                s(&out),
                "--server-url",
                &server.url,
            ],
        )?;
        configs.push(padron_agent::config::load(&out.join("agent.toml"))?);
    }
    eprintln!(
        "padron-load: {} workstations enrolled ({:.0} s)",
        configs.len(),
        t0.elapsed().as_secs_f64()
    );

    // One user per workstation, added by its institution's coordinator's
    // signed requests at the institution's first workstation.
    let people: Vec<TestPerson> = (0..args.workstations as u32)
        .map(|i| eid.person(&cui(i + 1), "OPERADOR", Flaws::default()))
        .collect();
    for (k, chunk) in people.chunks(PER_INSTITUTION).enumerate() {
        let coordinator = eid.person(&coordinator_cui(k), "COORDINADORA", Flaws::default());
        let first = Client::new(&configs[k * PER_INSTITUTION], Lang::Es)?;
        let session = login(&first, &coordinator).await?;
        let whoami = first.whoami().await?;
        for (j, person) in chunk.iter().enumerate() {
            let payload = coordinator.payload(
                &session.installation_id,
                RequestAction::Add,
                &institution_code(k),
                whoami.workstation_id,
                new_user(&person.cui, &format!("Operador {k}-{j}")),
                time::OffsetDateTime::now_utc(),
            );
            first
                .submit(&session.token, &coordinator.sign(&payload))
                .await?;
        }
        first.logout(&session.token).await?;
    }
    let mut stations = Vec::new();
    for (config, person) in configs.into_iter().zip(&people) {
        let client = Client::new(&config, Lang::Es)?;
        let session = login(&client, person).await?;
        stations.push(Arc::new(Workstation {
            client,
            config,
            token: session.token,
        }));
    }
    eprintln!(
        "padron-load: {} sessions open ({:.0} s); running {} s (+{} s warm-up)",
        stations.len(),
        t0.elapsed().as_secs_f64(),
        args.seconds,
        args.warmup_seconds
    );

    let stats = Arc::new(Stats::default());
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, ws) in stations.iter().enumerate() {
        for _ in 0..args.in_flight.max(1) {
            tasks.spawn(poller(
                ws.clone(),
                i,
                stats.clone(),
                stop.clone(),
                args.poll_ms,
                args.list_limit,
            ));
        }
    }
    let registry = Arc::new(registry);
    for (i, ws) in stations.iter().take(args.uploaders).enumerate() {
        tasks.spawn(uploader(
            ws.clone(),
            stats.clone(),
            stop.clone(),
            registry.clone(),
            args.upload_every_ms,
            args.upload_rows,
            args.seed.wrapping_mul(1000).wrapping_add(i as u64),
        ));
    }

    tokio::time::sleep(Duration::from_secs(args.warmup_seconds)).await;
    let (rss_warm, cpu_start) = proc_figures(pid);
    let (_, own_cpu_start) = proc_figures(std::process::id());
    let mut rss_max = rss_warm;
    let mut rss_samples = vec![(0u64, rss_warm)];
    stats.measuring.store(true, Ordering::Relaxed);
    let measured = Instant::now();
    let total_start = stats.total.load(Ordering::Relaxed);
    let mut last_total = total_start;
    while measured.elapsed() < Duration::from_secs(args.seconds) {
        tokio::time::sleep(Duration::from_secs(args.progress_seconds.max(1))).await;
        let (rss, _) = proc_figures(pid);
        rss_max = rss_max.max(rss);
        let at = measured.elapsed().as_secs();
        rss_samples.push((at, rss));
        let total = stats.total.load(Ordering::Relaxed);
        eprintln!(
            "padron-load: t={at:>4} s  {:>7.0} req/s  server RSS {:.1} MiB",
            (total - last_total) as f64 / args.progress_seconds.max(1) as f64,
            rss as f64 / 1048576.0
        );
        last_total = total;
    }
    stats.measuring.store(false, Ordering::Relaxed);
    let elapsed = measured.elapsed().as_secs_f64();
    let (rss_end, cpu_end) = proc_figures(pid);
    let (_, own_cpu_end) = proc_figures(std::process::id());
    stop.store(true, Ordering::Relaxed);
    while tasks.join_next().await.is_some() {}

    println!("## padron-load");
    println!();
    println!(
        "{} workstations ({} uploading, one upload per {} ms each on average, {} rows), poll every {} ms{}, {} s measured after {} s warm-up",
        stations.len(),
        args.uploaders.min(stations.len()),
        args.upload_every_ms,
        args.upload_rows,
        args.poll_ms,
        if args.poll_ms == 0 {
            format!(" (closed loop, {} in flight each)", args.in_flight)
        } else {
            String::new()
        },
        args.seconds,
        args.warmup_seconds
    );
    println!();
    println!("| operation | requests | req/s | p50 ms | p99 ms | p99.9 ms | errors |");
    println!("|---|---|---|---|---|---|---|");
    let mut ops = std::mem::take(&mut *stats.ops.lock().unwrap_or_else(|p| p.into_inner()));
    let (mut all_ok, mut all_err, mut all) = (0u64, 0u64, Vec::new());
    let mut errors_by_code: BTreeMap<String, u64> = BTreeMap::new();
    for (op, st) in ops.iter_mut() {
        st.micros.sort_unstable();
        let errors: u64 = st.errors.values().sum();
        for (code, n) in &st.errors {
            *errors_by_code.entry(code.clone()).or_default() += n;
        }
        all_ok += st.micros.len() as u64;
        all_err += errors;
        all.extend_from_slice(&st.micros);
        println!(
            "| {op} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {errors} |",
            st.micros.len() as u64 + errors,
            (st.micros.len() as u64 + errors) as f64 / elapsed,
            percentile(&st.micros, 50.0),
            percentile(&st.micros, 99.0),
            percentile(&st.micros, 99.9),
        );
    }
    all.sort_unstable();
    println!(
        "| **all** | {} | **{:.0}** | {:.2} | **{:.2}** | {:.2} | **{all_err}** |",
        all_ok + all_err,
        (all_ok + all_err) as f64 / elapsed,
        percentile(&all, 50.0),
        percentile(&all, 99.0),
        percentile(&all, 99.9),
    );
    println!();
    println!(
        "errors by code: {}",
        if errors_by_code.is_empty() {
            "none".to_owned()
        } else {
            format!("{errors_by_code:?}")
        }
    );
    println!(
        "server: CPU {:.0} % of one core ({:.1} s over {:.0} s); RSS after warm-up {:.1} MiB, end {:.1} MiB, max {:.1} MiB",
        100.0 * (cpu_end - cpu_start) / elapsed,
        cpu_end - cpu_start,
        elapsed,
        rss_warm as f64 / 1048576.0,
        rss_end as f64 / 1048576.0,
        rss_max as f64 / 1048576.0
    );
    // Both share the machine's cores: what the generator takes, the server
    // cannot have.
    println!(
        "load generator: CPU {:.0} % of one core",
        100.0 * (own_cpu_end - own_cpu_start) / elapsed
    );
    let rss_line: Vec<String> = rss_samples
        .iter()
        .map(|(t, r)| format!("{t}s:{:.1}", *r as f64 / 1048576.0))
        .collect();
    println!("server RSS MiB over time: {}", rss_line.join(" "));

    if args.handshake_seconds > 0 {
        let before = scrape_counter(&server.metrics, "padron_tls_handshakes_total").await;
        let (_, cpu0) = proc_figures(pid);
        let done = Arc::new(AtomicU64::new(0));
        let failed = Arc::new(Mutex::new(BTreeMap::<String, u64>::new()));
        let deadline = Instant::now() + Duration::from_secs(args.handshake_seconds);
        let started = Instant::now();
        let mut set = tokio::task::JoinSet::new();
        for i in 0..args.handshake_concurrency.max(1) {
            let ws = stations[i % stations.len()].clone();
            let (done, failed) = (done.clone(), failed.clone());
            set.spawn(async move {
                while Instant::now() < deadline {
                    // A new client: a new connection, a full handshake.
                    let outcome = match Client::new(&ws.config, Lang::Es) {
                        Ok(c) => c.whoami().await.map(drop).map_err(|e| code_of(&e)),
                        Err(e) => Err(code_of(&e)),
                    };
                    match outcome {
                        Ok(()) => {
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(code) => {
                            *failed
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .entry(code)
                                .or_default() += 1;
                        }
                    }
                }
            });
        }
        while set.join_next().await.is_some() {}
        let secs = started.elapsed().as_secs_f64();
        let after = scrape_counter(&server.metrics, "padron_tls_handshakes_total").await;
        let (_, cpu1) = proc_figures(pid);
        println!();
        println!(
            "new mutual-TLS connections: {:.0}/s ({} in {:.0} s, {} connectors; server counted {:.0}/s); errors: {:?}; server CPU {:.0} % of one core",
            done.load(Ordering::Relaxed) as f64 / secs,
            done.load(Ordering::Relaxed),
            secs,
            args.handshake_concurrency,
            (after - before) / secs,
            failed.lock().unwrap_or_else(|p| p.into_inner()),
            100.0 * (cpu1 - cpu0) / secs
        );
    }
    drop(server);
    Ok(())
}

async fn login(
    client: &Client,
    person: &TestPerson,
) -> anyhow::Result<padron_shared::auth::SessionInfo> {
    let (challenge, fingerprint) = client.challenge().await?;
    let token = person.login_token(&fingerprint, &challenge.nonce);
    Ok(client.login(&token).await?)
}

/// Polls the session (status) and the job list, alternately.
async fn poller(
    ws: Arc<Workstation>,
    index: usize,
    stats: Arc<Stats>,
    stop: Arc<AtomicBool>,
    pause_ms: u64,
    list_limit: Option<u32>,
) {
    let page = padron_shared::queries::JobListParams {
        limit: list_limit,
        before: None,
    };
    let mut n = 0u64;
    // Spread the first polls over the pause so they do not arrive in step.
    if pause_ms > 0 {
        let offset = (index as u64).wrapping_mul(7919) % pause_ms;
        tokio::time::sleep(Duration::from_millis(offset)).await;
    }
    while !stop.load(Ordering::Relaxed) {
        let started = Instant::now();
        if n.is_multiple_of(2) {
            let r = ws.client.session(&ws.token).await;
            stats.record(
                "session (status)",
                started,
                r.map(drop).map_err(|e| code_of(&e)),
            );
        } else {
            let r = ws.client.queries(&ws.token, &page).await;
            stats.record(
                "queries (list)",
                started,
                r.map(drop).map_err(|e| code_of(&e)),
            );
        }
        n += 1;
        if pause_ms > 0 {
            tokio::time::sleep(Duration::from_millis(pause_ms)).await;
        }
    }
}

/// Uploads CUI and names workbooks at random, then follows each job to its end.
async fn uploader(
    ws: Arc<Workstation>,
    stats: Arc<Stats>,
    stop: Arc<AtomicBool>,
    registry: Arc<Vec<Vec<String>>>,
    every_ms: u64,
    rows: usize,
    seed: u64,
) {
    let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
    while !stop.load(Ordering::Relaxed) {
        // Exponential inter-arrival time with mean `every_ms`.
        let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let wait = (-(1.0 - u).ln() * every_ms as f64).min(every_ms as f64 * 10.0);
        tokio::time::sleep(Duration::from_millis(wait as u64)).await;
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let start = (rng.next_u64() as usize) % registry.len().saturating_sub(rows).max(1);
        let slice = &registry[start..(start + rows).min(registry.len())];
        let names = rng.next_u32().is_multiple_of(2);
        let (op, bytes) = if names {
            match names_book(slice) {
                Ok(b) => ("upload (names)", b),
                Err(_) => continue,
            }
        } else {
            let cuis: Vec<String> = slice.iter().filter_map(|r| r.first().cloned()).collect();
            ("upload (CUI)", cui_book(&cuis))
        };
        let started = Instant::now();
        let job = ws.client.upload_query(&ws.token, "carga.xlsx", bytes).await;
        let job = match job {
            Ok(job) => {
                stats.record(op, started, Ok(()));
                job
            }
            Err(e) => {
                stats.record(op, started, Err(code_of(&e)));
                continue;
            }
        };
        // Follow it as the agent does.
        loop {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            let started = Instant::now();
            match ws.client.query(&ws.token, &job.id).await {
                Ok(j) => {
                    stats.record("query (job status)", started, Ok(()));
                    if matches!(j.state.as_str(), "DONE" | "FAILED" | "EXPIRED") {
                        break;
                    }
                }
                Err(e) => {
                    stats.record("query (job status)", started, Err(code_of(&e)));
                    break;
                }
            }
        }
    }
}
