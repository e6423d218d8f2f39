//! The accept loop of `serve`: TCP → admission → TLS → HTTP, every step
//! bounded, so that no client can hold more than its share.
//!
//! - **Admission**: at most `max_connections` open connections, and
//!   `max_connections_per_address` from one IP address; a connection over
//!   either cap is closed at once, before any TLS work.
//! - **Handshake**: `handshake_timeout_seconds` from accept to a finished
//!   handshake. Before it, the in-memory list of enrolled workstations is
//!   brought up to date off the async threads ([`EnrolledWorkstations`]);
//!   the verifier then reads memory only.
//! - **Headers**: hyper's `header_read_timeout` (HTTP/1.1); and a watchdog
//!   closes any connection with no request in progress for
//!   `idle_timeout_seconds`. Bytes trickling in are not activity, so a
//!   request that never completes its headers (slowloris, HTTP/1.1 or h2)
//!   is closed at that bound; bytes written to the client are.
//! - **Body**: a request's body must arrive within
//!   `body_read_timeout_seconds` (the body is cut off and the request
//!   refused with `REQUEST_BODY_TIMEOUT`).
//! - **A client that stops reading**: a write blocked for the idle timeout
//!   closes the connection.
//!
//! The client certificate chain reaches handlers as [`PeerIdentity`].
//! On shutdown the listener closes, connections are told to finish their
//! requests (HTTP/1.1 `Connection: close`, h2 GOAWAY), and the loop waits
//! for them up to the drain bound.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use hyper::body::{Bytes, Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use rustls::pki_types::CertificateDer;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::access::enrolled::EnrolledWorkstations;
use crate::access::limits::Limits;

/// The client side of the connection a request came on (request extension).
#[derive(Debug, Clone)]
pub struct PeerIdentity {
    /// The client's certificate chain, end entity first, as presented in
    /// the handshake the verifier accepted.
    pub certificates: Vec<CertificateDer<'static>>,
}

/// Set on a request whose body did not arrive within the body timeout
/// (request extension): the handler's failure is then reported as
/// `REQUEST_BODY_TIMEOUT`, not as a malformed body.
#[derive(Debug, Clone)]
pub struct BodyDeadline(pub Arc<AtomicBool>);

impl BodyDeadline {
    pub fn expired(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Open connections, in total and per client address.
#[derive(Debug)]
struct Gate {
    max_total: usize,
    max_per_address: usize,
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

#[derive(Debug, Clone, Copy)]
enum Refused {
    Total,
    PerAddress,
}

/// One admitted connection; dropping it frees its place.
#[derive(Debug)]
struct Admission {
    gate: Arc<Gate>,
    ip: IpAddr,
}

impl Gate {
    fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<Admission, Refused> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if open.0 >= self.max_total {
            return Err(Refused::Total);
        }
        let from = open.1.entry(ip).or_insert(0);
        if *from >= self.max_per_address {
            return Err(Refused::PerAddress);
        }
        *from += 1;
        open.0 += 1;
        metrics::gauge!(crate::metrics::names::CONNECTIONS_OPEN).increment(1.0);
        Ok(Admission {
            gate: Arc::clone(self),
            ip,
        })
    }

    fn open_connections(&self) -> usize {
        self.open.lock().unwrap_or_else(|p| p.into_inner()).0
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        let mut open = self.gate.open.lock().unwrap_or_else(|p| p.into_inner());
        open.0 = open.0.saturating_sub(1);
        metrics::gauge!(crate::metrics::names::CONNECTIONS_OPEN).decrement(1.0);
        if let Some(n) = open.1.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.1.remove(&self.ip);
            }
        }
    }
}

/// What the watchdog knows of one connection. Times are milliseconds
/// since the connection was accepted, plus one (zero means "never").
#[derive(Debug)]
struct Activity {
    origin: Instant,
    in_flight: AtomicUsize,
    quiet_since: AtomicU64,
    write_blocked_since: AtomicU64,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            origin: Instant::now(),
            in_flight: AtomicUsize::new(0),
            quiet_since: AtomicU64::new(1),
            write_blocked_since: AtomicU64::new(0),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX - 1) + 1
    }

    fn wrote(&self) {
        self.quiet_since.store(self.now(), Ordering::Relaxed);
        self.write_blocked_since.store(0, Ordering::Relaxed);
    }

    fn write_blocked(&self) {
        let _ = self.write_blocked_since.compare_exchange(
            0,
            self.now(),
            Ordering::Relaxed,
            Ordering::Relaxed,
        );
    }

    fn write_unblocked(&self) {
        self.write_blocked_since.store(0, Ordering::Relaxed);
    }

    /// Why the connection should be closed now, if it should.
    fn expired(&self, idle: Duration) -> Option<&'static str> {
        let now = self.now();
        let idle = u64::try_from(idle.as_millis()).unwrap_or(u64::MAX);
        let blocked = self.write_blocked_since.load(Ordering::Relaxed);
        if blocked != 0 && now.saturating_sub(blocked) > idle {
            return Some("the client stopped reading");
        }
        if self.in_flight.load(Ordering::Relaxed) == 0
            && now.saturating_sub(self.quiet_since.load(Ordering::Relaxed)) > idle
        {
            return Some("no complete request within the idle timeout");
        }
        None
    }
}

/// A request being handled; dropping it (the response is out) restarts
/// the idle clock.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn new(activity: Arc<Activity>) -> InFlight {
        activity.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(activity)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.quiet_since.store(self.0.now(), Ordering::Relaxed);
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The TLS stream, telling [`Activity`] about writes.
struct Watched<S> {
    inner: S,
    activity: Arc<Activity>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> Watched<S> {
    fn note(&self, result: &Poll<std::io::Result<usize>>) {
        match result {
            Poll::Ready(Ok(n)) if *n > 0 => self.activity.wrote(),
            Poll::Pending => self.activity.write_blocked(),
            _ => {}
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.note(&result);
        result
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.note(&result);
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let result = Pin::new(&mut self.inner).poll_flush(cx);
        match &result {
            Poll::Pending => self.activity.write_blocked(),
            Poll::Ready(_) => self.activity.write_unblocked(),
        }
        result
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A request body that must be complete by a deadline.
struct DeadlineBody {
    inner: Incoming,
    deadline: Pin<Box<tokio::time::Sleep>>,
    expired: Arc<AtomicBool>,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl hyper::body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|r| r.map_err(BoxError::from)));
        }
        if this.deadline.as_mut().poll(cx).is_ready() {
            this.expired.store(true, Ordering::Relaxed);
            return Poll::Ready(Some(Err("request body not received in time".into())));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// How long shutdown waits for open connections to finish.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `app` on `listener` until `shutdown` completes, then drains.
pub async fn run(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    app: Router,
    limits: Limits,
    enrolled: Arc<EnrolledWorkstations>,
    shutdown: impl Future<Output = ()>,
) {
    let gate = Arc::new(Gate {
        max_total: limits.max_connections.max(1),
        max_per_address: limits.max_connections_per_address.max(1),
        open: Mutex::new((0, HashMap::new())),
    });
    let acceptor = TlsAcceptor::from(tls);
    let limits = Arc::new(limits);
    let (drain_tx, drain_rx) = watch::channel(false);
    let mut refused = (0u64, 0u64, Instant::now());
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (tcp, peer) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                // Out of file descriptors, usually: wait rather than spin.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let admission = match gate.admit(peer.ip()) {
            Ok(a) => a,
            Err(why) => {
                drop(tcp);
                let cap = match why {
                    Refused::Total => {
                        refused.0 += 1;
                        "max_connections"
                    }
                    Refused::PerAddress => {
                        refused.1 += 1;
                        "max_connections_per_address"
                    }
                };
                metrics::counter!(crate::metrics::names::CONNECTIONS_REFUSED, "cap" => cap)
                    .increment(1);
                // One line a second at most: a flood must not flood the log.
                if refused.2.elapsed() >= Duration::from_secs(1) {
                    tracing::warn!(
                        over_total = refused.0,
                        over_per_address = refused.1,
                        last_peer = %peer.ip(),
                        "connections refused: over the connection caps"
                    );
                    refused = (0, 0, Instant::now());
                }
                continue;
            }
        };
        tokio::spawn(connection(
            tcp,
            peer,
            admission,
            acceptor.clone(),
            app.clone(),
            Arc::clone(&limits),
            Arc::clone(&enrolled),
            drain_rx.clone(),
        ));
    }
    drop(listener);
    let _ = drain_tx.send(true);
    let started = Instant::now();
    while gate.open_connections() > 0 && started.elapsed() < DRAIN_TIMEOUT {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let left = gate.open_connections();
    if left > 0 {
        tracing::warn!(connections = left, "drain timeout: closing the rest");
    }
}

#[allow(clippy::too_many_arguments)] // one connection's whole context, from the loop above
async fn connection(
    tcp: TcpStream,
    peer: SocketAddr,
    admission: Admission,
    acceptor: TlsAcceptor,
    app: Router,
    limits: Arc<Limits>,
    enrolled: Arc<EnrolledWorkstations>,
    mut drain: watch::Receiver<bool>,
) {
    let _admission = admission;
    let _ = tcp.set_nodelay(true);
    // The verifier reads memory only; bring it up to date first, off the
    // async threads, so a revocation made a moment ago already counts.
    let list = Arc::clone(&enrolled);
    let _ = tokio::task::spawn_blocking(move || list.refresh()).await;
    let tls = match tokio::time::timeout(limits.handshake_timeout(), acceptor.accept(tcp)).await {
        Ok(Ok(tls)) => {
            metrics::counter!(crate::metrics::names::TLS_HANDSHAKES).increment(1);
            tls
        }
        Ok(Err(error)) => {
            // The reason (unknown CA, expired, revoked) is what an admin
            // needs when a workstation cannot connect.
            let reason = handshake_refusal(&error);
            metrics::counter!(crate::metrics::names::TLS_REFUSED, "reason" => reason).increment(1);
            tracing::warn!(peer = ?peer, %error, reason, "TLS handshake refused");
            return;
        }
        Err(_) => {
            metrics::counter!(crate::metrics::names::TLS_REFUSED, "reason" => "timeout")
                .increment(1);
            tracing::debug!(peer = ?peer, "TLS handshake timed out");
            return;
        }
    };
    let identity = PeerIdentity {
        certificates: tls
            .get_ref()
            .1
            .peer_certificates()
            .map(|certs| certs.iter().map(|c| c.clone().into_owned()).collect())
            .unwrap_or_default(),
    };
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        inner: tls,
        activity: Arc::clone(&activity),
    });
    let body_timeout = limits.body_read_timeout();
    let service_activity = Arc::clone(&activity);
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let guard = InFlight::new(Arc::clone(&service_activity));
        let app = app.clone();
        let identity = identity.clone();
        async move {
            let _guard = guard;
            let expired = Arc::new(AtomicBool::new(false));
            let (mut parts, body) = request.into_parts();
            parts.extensions.insert(identity);
            parts.extensions.insert(BodyDeadline(Arc::clone(&expired)));
            let body = axum::body::Body::new(DeadlineBody {
                inner: body,
                deadline: Box::pin(tokio::time::sleep(body_timeout)),
                expired,
            });
            app.oneshot(axum::http::Request::from_parts(parts, body))
                .await
        }
    });
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout());
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(32)
        .max_header_list_size(64 * 1024);
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    let idle = limits.idle_timeout();
    let mut tick =
        tokio::time::interval((idle / 4).clamp(Duration::from_millis(50), Duration::from_secs(1)));
    let mut draining = false;
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(peer = ?peer, %error, "connection ended with an error");
                }
                break;
            }
            _ = tick.tick() => {
                if let Some(why) = activity.expired(idle) {
                    tracing::debug!(peer = ?peer, why, "connection closed");
                    break;
                }
            }
            _ = drain.changed(), if !draining => {
                draining = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// Why a handshake failed, as a bounded label: the certificate's fault
/// (by kind), the client's protocol, or the connection.
fn handshake_refusal(error: &std::io::Error) -> &'static str {
    use rustls::{CertificateError, Error};
    let Some(tls) = error.get_ref().and_then(|e| e.downcast_ref::<Error>()) else {
        return "connection_closed";
    };
    match tls {
        Error::NoCertificatesPresented => "no_certificate",
        Error::InvalidCertificate(why) => match why {
            CertificateError::UnknownIssuer => "unknown_issuer",
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => "expired",
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "not_yet_valid"
            }
            CertificateError::Revoked => "revoked",
            // The verifier's "issued by our CA, but no enrolled workstation".
            CertificateError::ApplicationVerificationFailure => "not_enrolled",
            _ => "bad_certificate",
        },
        Error::General(_) => "registry_unavailable",
        Error::PeerIncompatible(_) => "incompatible_client",
        Error::AlertReceived(_) => "client_alert",
        _ => "protocol_error",
    }
}

#[cfg(test)]
mod handshake_reason_tests {
    use super::handshake_refusal;

    #[test]
    fn handshake_refusals_get_bounded_reasons() {
        let io = |e: rustls::Error| std::io::Error::new(std::io::ErrorKind::InvalidData, e);
        assert_eq!(
            handshake_refusal(&io(rustls::Error::InvalidCertificate(
                rustls::CertificateError::Revoked
            ))),
            "revoked"
        );
        assert_eq!(
            handshake_refusal(&io(rustls::Error::NoCertificatesPresented)),
            "no_certificate"
        );
        assert_eq!(
            handshake_refusal(&std::io::Error::from(std::io::ErrorKind::UnexpectedEof)),
            "connection_closed"
        );
    }
}
