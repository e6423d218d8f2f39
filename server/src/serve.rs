//! `padron-server serve`: the HTTPS server.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;
use rustls_pki_types::pem::PemObject;

use crate::clock::{Clock, SystemClock};
use crate::datadir::DataDir;
use crate::http::{AppState, router};
use crate::store::Store;
use crate::tls::server_config;

/// Runs until SIGINT or SIGTERM, then drains connections for up to 10 s.
/// `on_listening` learns the bound address (useful with port 0).
pub async fn serve(
    dir: &DataDir,
    listen: SocketAddr,
    on_listening: impl FnOnce(SocketAddr) + Send,
) -> anyhow::Result<()> {
    let store: Arc<dyn Store> = Arc::new(dir.open_store()?);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let tls = server_config(
        &dir.server_cert(),
        &dir.server_key(),
        &dir.workstation_ca_cert(),
        store.clone(),
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
    let config = dir.config()?;
    let (wake, woken) = std::sync::mpsc::channel();
    let worker = crate::queue::worker::Worker {
        store: store.clone(),
        dir: dir.clone(),
        clock: clock.clone(),
        retention_days: config.retention_days,
    };
    std::thread::Builder::new()
        .name("query-worker".into())
        .spawn(move || worker.run(woken))?;
    // The lifecycle pass at start and then daily; the January step marks
    // itself done, so running more often than needed is harmless.
    let (lifecycle_store, lifecycle_clock) = (store.clone(), clock.clone());
    std::thread::Builder::new()
        .name("lifecycle".into())
        .spawn(move || {
            loop {
                let now = lifecycle_clock.now();
                match crate::lifecycle::run(lifecycle_store.as_ref(), now, "server:lifecycle") {
                    Ok(changes) if !changes.is_empty() => {
                        tracing::info!(changes = changes.len(), "lifecycle pass")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "lifecycle pass failed"),
                }
                std::thread::sleep(Duration::from_secs(24 * 3600));
            }
        })?;
    // CRLs from their distribution points or configured URLs (issue 12).
    crate::revocation::spawn_refresh(store.clone(), clock.clone(), config.revocation.clone())?;
    let app = router(AppState {
        store,
        clock,
        server_fingerprint: crate::pki::fingerprint_hex(&server_der),
        eid_country: config.eid_country,
        data_dir: dir.clone(),
        wake,
    });

    let handle: Handle<SocketAddr> = Handle::new();
    let shutdown = handle.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutting down");
        shutdown.graceful_shutdown(Some(Duration::from_secs(10)));
    });
    let listening = handle.clone();
    let server = axum_server::bind_rustls(listen, RustlsConfig::from_config(Arc::new(tls)))
        .handle(handle)
        .accept_error_handler(|peer, error| {
            // Refused handshakes land here: the reason (unknown CA, expired,
            // revoked) is what an admin needs when a workstation cannot connect.
            tracing::warn!(peer = ?peer, %error, "TLS handshake refused");
        })
        .serve(app.into_make_service());
    let server = tokio::spawn(server);
    match listening.listening().await {
        Some(addr) => {
            tracing::info!(%addr, "listening");
            on_listening(addr);
        }
        None => {
            // The server task ended before binding; its error says why.
            return match server.await? {
                Ok(()) => Err(anyhow::anyhow!("the server stopped before listening")),
                Err(e) => Err(anyhow::anyhow!("cannot listen on {listen}: {e}")),
            };
        }
    }
    server.await??;
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
