//! A small pool of PostgreSQL connections of our own (no r2d2): at most
//! `max` open, idle ones reused, a broken one dropped and replaced. A
//! caller waits at most [`WAIT`] for a free connection, then gets
//! `StoreError::Unavailable` rather than hanging a request.

use std::ops::{Deref, DerefMut};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use postgres::config::SslMode;
use postgres::{Client, Config, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::store::StoreError;

const WAIT: Duration = Duration::from_secs(10);
/// Connecting gives up after this, so a node whose database is gone says so.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Default)]
struct State {
    idle: Vec<Client>,
    open: usize,
}

pub struct Pool {
    config: Config,
    /// Verified TLS, when the URL asks for it (see `tls.rs`).
    tls: Option<MakeRustlsConnect>,
    max: usize,
    state: Mutex<State>,
    freed: Condvar,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The config holds the password: never printed.
        f.debug_struct("Pool").field("max", &self.max).finish()
    }
}

impl Pool {
    pub fn new(url: &str, password: Option<&str>, max: usize) -> Result<Pool, StoreError> {
        let request = super::tls::split(url)?;
        let tls = request
            .root_cert
            .as_deref()
            .map(super::tls::connector)
            .transpose()?;
        let mut config: Config = request
            .url
            .parse()
            .map_err(|e: postgres::Error| StoreError::Unavailable(format!("database URL: {e}")))?;
        if let Some(p) = password {
            config.password(p);
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.application_name("padron-server");
        if tls.is_some() {
            // Never a plain-text fallback once TLS is asked for.
            config.ssl_mode(SslMode::Require);
        }
        Ok(Pool {
            config,
            tls,
            max: max.max(1),
            state: Mutex::new(State::default()),
            freed: Condvar::new(),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A connection of its own, outside the pool (LISTEN, the reader).
    pub fn connect(&self) -> Result<Client, StoreError> {
        let connected = match &self.tls {
            Some(tls) => self.config.connect(tls.clone()),
            None => self.config.connect(NoTls),
        };
        // Why a connection failed is in the error's sources (rustls says
        // which certificate check failed): the admin reads all of it.
        connected.map_err(|e| {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                text.push_str(": ");
                text.push_str(&s.to_string());
                source = s.source();
            }
            StoreError::Unavailable(format!("cannot connect to the database: {text}"))
        })
    }

    /// A pooled connection; the time it was waited for and held is the
    /// database latency of the metrics, as the SQLite store's lock is.
    pub fn get(&self) -> Result<Pooled<'_>, StoreError> {
        let asked = Instant::now();
        let pooled = self.checkout()?;
        metrics::histogram!(crate::metrics::names::DATABASE_WAIT)
            .record(pooled.got.duration_since(asked).as_secs_f64());
        Ok(pooled)
    }

    fn checkout(&self) -> Result<Pooled<'_>, StoreError> {
        let deadline = Instant::now() + WAIT;
        let mut state = self.lock();
        loop {
            while let Some(client) = state.idle.pop() {
                if client.is_closed() {
                    state.open -= 1;
                    continue;
                }
                return Ok(Pooled {
                    pool: self,
                    client: Some(client),
                    got: Instant::now(),
                });
            }
            if state.open < self.max {
                state.open += 1;
                drop(state);
                return match self.connect() {
                    Ok(client) => Ok(Pooled {
                        pool: self,
                        client: Some(client),
                        got: Instant::now(),
                    }),
                    Err(e) => {
                        self.lock().open -= 1;
                        self.freed.notify_one();
                        Err(e)
                    }
                };
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(StoreError::Unavailable(format!(
                    "all {} database connections stayed busy for {} s",
                    self.max,
                    WAIT.as_secs()
                )));
            }
            state = self
                .freed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        // Closing a client blocks on its runtime, which panics on an async
        // thread (the last reference may be dropped there at shutdown).
        let idle = std::mem::take(&mut self.lock().idle);
        if !idle.is_empty() && tokio::runtime::Handle::try_current().is_ok() {
            let _ = std::thread::Builder::new()
                .name("pg-close".into())
                .spawn(move || drop(idle));
        }
    }
}

/// A connection borrowed from the pool; back to it when dropped.
pub struct Pooled<'a> {
    pool: &'a Pool,
    client: Option<Client>,
    got: Instant,
}

impl std::fmt::Debug for Pooled<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pooled").finish_non_exhaustive()
    }
}

impl Deref for Pooled<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client.as_ref().unwrap_or_else(|| unreachable!())
    }
}

impl DerefMut for Pooled<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        metrics::histogram!(crate::metrics::names::DATABASE_HELD)
            .record(self.got.elapsed().as_secs_f64());
        let mut state = self.pool.lock();
        match self.client.take() {
            Some(client) if !client.is_closed() => state.idle.push(client),
            _ => state.open -= 1,
        }
        drop(state);
        self.pool.freed.notify_one();
    }
}
