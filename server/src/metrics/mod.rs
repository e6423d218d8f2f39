//! Prometheus metrics on a listener of their own (`[metrics]` of
//! `server.toml`), apart from the mutual-TLS API.
//!
//! Off unless configured: the listener speaks plain HTTP without
//! authentication, so an installation turns it on deliberately, and only on
//! a loopback address unless it says `public = true` (a scraper on another
//! host then reaches it through a firewall rule or a TLS proxy the
//! operators already run). Tests start many servers at once, which a fixed
//! default port would also make collide.
//!
//! Counters and histograms are recorded where things happen, with the
//! `metrics` facade (a no-op until [`install`] has run); gauges that are a
//! count of rows (sessions open, jobs waiting, audit entries) are read from
//! the database at each scrape ([`gauges`]), so they can never drift from
//! what is stored. The exporter's upkeep runs every 5 s: without it its
//! histograms keep every sample.
//!
//! Names follow Prometheus' conventions: `padron_` prefix, base units
//! (`_seconds`, `_bytes`), `_total` on counters.

pub mod gauges;
pub mod names;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use serde::{Deserialize, Serialize};

use crate::datadir::DataDir;

/// `[metrics]` of `server.toml`. No table, no metrics listener.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Where Prometheus scrapes `GET /metrics` (plain HTTP).
    #[serde(default = "default_listen")]
    pub listen: String,
    /// Allows a non-loopback `listen` address (the listener has no TLS and
    /// no authentication).
    #[serde(default)]
    pub public: bool,
}

pub fn default_listen() -> String {
    "127.0.0.1:9464".to_owned()
}

impl MetricsConfig {
    /// The address to bind, refusing a non-loopback one unless `public`.
    pub fn address(&self) -> anyhow::Result<SocketAddr> {
        let addr: SocketAddr = self.listen.parse().map_err(|e| {
            anyhow::anyhow!(
                "[metrics] listen = {:?} no es una dirección IP:puerto / is not an IP:port: {e}",
                self.listen
            )
        })?;
        if !addr.ip().is_loopback() && !self.public {
            anyhow::bail!(
                "[metrics] listen = {:?}: solo direcciones de loopback salvo public = true / loopback only unless public = true",
                self.listen
            );
        }
        Ok(addr)
    }
}

/// Seconds: from 1 ms (a status poll) to 10 min (a large names job).
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
    120.0, 300.0, 600.0,
];
/// Seconds a store operation waits for or holds the connection.
const DATABASE_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

/// Installs the process-wide recorder and returns its handle. Once per
/// process: a second call (tests) gets `None`.
pub fn install() -> anyhow::Result<PrometheusHandle> {
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Prefix(names::DATABASE_PREFIX.to_owned()),
            DATABASE_BUCKETS,
        )?
        .set_buckets(LATENCY_BUCKETS)?
        .build_recorder();
    let handle = recorder.handle();
    metrics::set_global_recorder(recorder)
        .map_err(|e| anyhow::anyhow!("metrics recorder already installed: {e}"))?;
    names::describe();
    Ok(handle)
}

/// Serves `GET /metrics` on `listener` until the process ends, and runs the
/// exporter's upkeep.
pub fn spawn(
    listener: tokio::net::TcpListener,
    handle: PrometheusHandle,
    dir: DataDir,
    source: Box<dyn gauges::GaugeSource>,
) -> anyhow::Result<()> {
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            upkeep.run_upkeep();
        }
    });
    let collector = Arc::new(gauges::Collector::new(dir, source));
    let app = axum::Router::new()
        .route(
            "/metrics",
            axum::routing::get(move || {
                let (handle, collector) = (handle.clone(), collector.clone());
                async move { render(handle, collector).await }
            }),
        )
        .fallback(|| async { (axum::http::StatusCode::NOT_FOUND, "try /metrics\n") });
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "metrics listener stopped");
        }
    });
    Ok(())
}

async fn render(
    handle: PrometheusHandle,
    collector: Arc<gauges::Collector>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    // Row counts are read now, off the async threads, then everything is
    // rendered: a scrape sees the database as it is.
    let _ = tokio::task::spawn_blocking(move || collector.collect()).await;
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}
