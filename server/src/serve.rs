//! `padron-server serve`: the HTTPS server.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::pem::PemObject;

use crate::access::enrolled::EnrolledWorkstations;
use crate::access::refusal_tally::RefusalTally;
use crate::access::tls::server_config;
use crate::clock::{Clock, SystemClock};
use crate::datadir::DataDir;
use crate::http::rate::RateLimits;
use crate::http::{AppState, router};
use crate::store::Store;

/// Threads of the runtime's blocking pool (store work, workbook parses):
/// a few times the store's connections, so a slow call never starves the
/// rest, and no more.
pub const BLOCKING_THREADS: usize = 32;

/// Runs until SIGINT or SIGTERM, then drains connections for up to 10 s
/// and writes the refusals counted in memory to the audit log.
/// `on_listening` learns the bound address (useful with port 0).
pub async fn serve(
    dir: &DataDir,
    listen: SocketAddr,
    on_listening: impl FnOnce(SocketAddr) + Send,
) -> anyhow::Result<()> {
    let config = dir.config()?;
    // Metrics first, so that what happens from here on is counted.
    if let Some(metrics) = &config.metrics {
        let addr = metrics.address()?;
        let handle = crate::metrics::install()?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {addr} for metrics: {e}"))?;
        let bound = listener.local_addr()?;
        let source = dir.database_config()?.gauge_source()?;
        crate::metrics::spawn(listener, handle, dir.clone(), source)?;
        tracing::info!(addr = %bound, "metrics listening");
        // Before the "listening" line, which tells a supervisor we are up.
        println!("padron-server metrics on http://{bound}/metrics");
    }
    let database = dir.database_config()?;
    // Off the async threads: the postgres crate blocks on a runtime of its own.
    let opening = database.clone();
    let (store, enrolled) = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let store: Arc<dyn Store> = opening.open(false)?;
        let enrolled = EnrolledWorkstations::open_source(opening.workstation_reader()?)?;
        Ok((store, Arc::new(enrolled)))
    })
    .await??;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::in_zone(config.calendar.zone()));
    enrolled.spawn_reloader()?;
    let tls = server_config(
        &dir.server_cert(),
        &dir.server_key(),
        &dir.workstation_ca_cert(),
        enrolled.clone(),
        config.tls.allow_tls12,
    )?;
    let server_der = std::fs::read(dir.server_cert())
        .ok()
        .and_then(|pem| rustls_pki_types::CertificateDer::from_pem_slice(&pem).ok())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "cannot read the server certificate {}",
                dir.server_cert().display()
            )
        })?;
    let (wake, woken) = std::sync::mpsc::channel();
    let local_registry = Arc::new(crate::cluster::LocalRegistry::new(dir.path()));
    crate::cluster::spawn_heartbeat(
        store.clone(),
        local_registry.clone(),
        clock.clone(),
        crate::services::node_id().to_owned(),
    )?;
    let worker = crate::queue::worker::Worker {
        store: store.clone(),
        dir: dir.clone(),
        clock: clock.clone(),
        retention_days: config.retention_days,
        local_registry: local_registry.clone(),
    };
    std::thread::Builder::new()
        .name("query-worker".into())
        .spawn(move || worker.run(woken))?;
    // The lifecycle pass at start and then daily; the January step marks
    // itself done, so running more often than needed is harmless. Nodes
    // sharing a PostgreSQL store run it once a day between them: each
    // looks every hour, and the one that marks the day first runs it.
    let (lifecycle_store, lifecycle_clock) = (store.clone(), clock.clone());
    let shared = database.is_postgres();
    std::thread::Builder::new()
        .name("lifecycle".into())
        .spawn(move || {
            loop {
                let now = lifecycle_clock.now();
                let stamp = crate::clock::timestamp(now);
                let zone = lifecycle_clock.zone();
                let mine = !shared
                    || lifecycle_store
                        .mark_once(&format!("lifecycle-pass:{}", zone.date_of(now)), &stamp)
                        .unwrap_or_else(|e| {
                            tracing::error!(error = %e, "cannot mark the lifecycle pass");
                            false
                        });
                if mine {
                    match crate::institutions::lifecycle::run(
                        lifecycle_store.as_ref(),
                        now,
                        &zone,
                        "server:lifecycle",
                    ) {
                        Ok(changes) if !changes.is_empty() => {
                            tracing::info!(changes = changes.len(), "lifecycle pass")
                        }
                        Ok(_) => {}
                        Err(e) => tracing::error!(error = %e, "lifecycle pass failed"),
                    }
                }
                // The next pass a minute after the next local midnight: the
                // registry's day, not UTC's, is what turns.
                std::thread::sleep(until_next_local_day(&*lifecycle_clock));
            }
        })?;
    let refusals = Arc::new(RefusalTally::default());
    refusals.spawn_flusher(store.clone(), clock.clone())?;
    // CRLs from their distribution points or configured URLs (issue 12).
    crate::auth::revocation::spawn_refresh(
        store.clone(),
        clock.clone(),
        config.revocation.clone(),
    )?;
    let app = router(AppState {
        services: crate::services::Services {
            store: store.clone(),
            clock: clock.clone(),
            server_fingerprint: crate::access::pki::fingerprint_hex(&server_der),
            eid_country: config.eid_country,
            data_dir: dir.clone(),
            wake,
            enrolled: enrolled.clone(),
            max_outstanding_challenges: config.limits.max_outstanding_challenges.max(1),
            refusals: refusals.clone(),
            local_registry,
        },
        rates: Arc::new(RateLimits::new(&config.limits)),
        desk: {
            let desk = crate::desk::answer::DeskState::new(
                &config.limits,
                dir.path().to_owned(),
                config.matching.settings(),
            );
            desk.pool.warm_in_background();
            Arc::new(desk)
        },
        service_desk: config.service_desk.contact.trim().to_owned(),
    });

    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "listening");
    on_listening(addr);
    crate::access::connections::run(
        listener,
        Arc::new(tls),
        app,
        config.limits,
        enrolled,
        async {
            wait_for_signal().await;
            tracing::info!("shutting down");
        },
    )
    .await;
    // The minute in progress too: a refusal counted is a refusal recorded.
    let (tally, now) = (refusals, clock.now());
    tokio::task::spawn_blocking(move || tally.flush(store.as_ref(), now, true)).await?;
    Ok(())
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// How long until a minute past the next local midnight (at least a minute).
fn until_next_local_day(clock: &dyn Clock) -> Duration {
    let zone = clock.zone();
    let now = clock.now();
    let next = zone
        .date_of(now)
        .next_day()
        .map(|d| zone.day_start(d) + time::Duration::minutes(1));
    next.map(|at| at - now)
        .and_then(|d| Duration::try_from(d).ok())
        .unwrap_or(Duration::from_secs(24 * 3600))
        .max(Duration::from_secs(60))
}
