//! The agent's HTTPS client: mutual TLS with the workstation identity,
//! the server CA pinned, refusals turned into errors a person can act on.

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::Duration;

use padron_shared::auth::{AuthToken, Challenge, SessionInfo};
use padron_shared::protocol::{Health, WhoAmI};
use padron_shared::queries::{JobListParams, QueryJob};
use padron_shared::users::{RequestView, SignedRequest, UserView};
use padron_shared::{ErrorBody, ErrorCode, Lang};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{AlertDescription, RootCertStore};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::config::LoadedConfig;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// A local file of the workstation identity could not be used.
    #[error("{what} ({path}): {message}")]
    Identity {
        what: &'static str,
        path: String,
        message: String,
    },
    /// Nothing answered: DNS, routing, server down, timeout.
    #[error("no hay conexión con {url}: {cause}")]
    Unreachable { url: String, cause: String },
    /// The server refused this workstation in the TLS handshake.
    #[error("el servidor rechazó el certificado de la estación ({reason:?})")]
    CertificateRefused { reason: RefusalReason },
    /// The server's certificate does not chain to the pinned server CA.
    #[error("certificado del servidor no confiable: {0}")]
    ServerUntrusted(String),
    /// The connection was cut after the server had accepted this
    /// workstation (it stopped mid-request, or the network failed): not a
    /// refusal, so the person is told to retry, not to call the registry.
    #[error("el servidor no terminó la solicitud: {cause}")]
    Dropped { cause: String },
    /// The server answered with a refusal.
    #[error("{}: {}", .0.code, .0.to_sentence())]
    Api(ErrorBody),
    /// The server answered something that is not the protocol.
    #[error("respuesta inesperada del servidor: {0}")]
    Protocol(String),
}

/// Why the server refused the workstation certificate, from the TLS alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalReason {
    Revoked,
    Expired,
    /// Not issued by the server's workstation CA, or not a workstation it knows.
    NotRecognised,
    /// The connection closed with no alert; TLS 1.3 reports a refused
    /// client certificate this way when the alert is lost in the race.
    ClosedDuringHandshake,
}

impl ClientError {
    /// The stable code for this failure.
    pub fn code(&self) -> ErrorCode {
        match self {
            ClientError::Identity { .. } => ErrorCode::AgentConfigInvalid,
            ClientError::Unreachable { .. } => ErrorCode::ServerUnreachable,
            ClientError::CertificateRefused {
                reason: RefusalReason::Revoked,
            } => ErrorCode::WorkstationRevoked,
            ClientError::CertificateRefused { .. } => ErrorCode::WorkstationCertificateRefused,
            ClientError::ServerUntrusted(_) => ErrorCode::ServerCertificateUntrusted,
            ClientError::Dropped { .. } => ErrorCode::ServerConnectionDropped,
            ClientError::Api(body) => body.error_code().unwrap_or(ErrorCode::Internal),
            ClientError::Protocol(_) => ErrorCode::Internal,
        }
    }

    /// What a person at the workstation reads: the sentence for the code,
    /// then what in particular happened and what to do.
    pub fn explain(&self, lang: Lang) -> String {
        let en = lang == Lang::En;
        match self {
            ClientError::Api(body) => body.to_sentence(),
            ClientError::Unreachable { url, cause } => format!(
                "{} {}",
                self.code().message(lang),
                if en {
                    format!(
                        "({url}: {cause}). Check the network cable and that the server is running."
                    )
                } else {
                    format!(
                        "({url}: {cause}). Revise la red y que el servidor esté en funcionamiento."
                    )
                }
            ),
            ClientError::CertificateRefused { reason } => {
                let why = match (reason, en) {
                    (RefusalReason::Revoked, false) => "La inscripción fue revocada.",
                    (RefusalReason::Revoked, true) => "The enrolment was revoked.",
                    (RefusalReason::Expired, false) => {
                        "El certificado de la estación venció; solicite una nueva inscripción."
                    }
                    (RefusalReason::Expired, true) => {
                        "The workstation certificate has expired; ask for a new enrolment."
                    }
                    (RefusalReason::NotRecognised, false) => {
                        "El servidor no reconoce esta estación: no fue inscrita en este servidor o su inscripción ya no existe."
                    }
                    (RefusalReason::NotRecognised, true) => {
                        "The server does not recognise this workstation: it was not enrolled on this server or its enrolment no longer exists."
                    }
                    (RefusalReason::ClosedDuringHandshake, false) => {
                        "El servidor cerró la conexión al validar el certificado de la estación (revocado, vencido o de otra autoridad)."
                    }
                    (RefusalReason::ClosedDuringHandshake, true) => {
                        "The server closed the connection while checking the workstation certificate (revoked, expired or from another authority)."
                    }
                };
                if *reason == RefusalReason::Revoked {
                    // WORKSTATION_REVOKED's sentence already says it all.
                    self.code().message(lang).to_owned()
                } else {
                    format!("{} {}", self.code().message(lang), why)
                }
            }
            ClientError::ServerUntrusted(cause) => {
                format!("{} ({cause})", self.code().message(lang))
            }
            ClientError::Dropped { cause } => format!(
                "{} {}",
                self.code().message(lang),
                if en {
                    format!(
                        "({cause}). If it happens again, ask the registry whether the server is running."
                    )
                } else {
                    format!(
                        "({cause}). Si vuelve a ocurrir, consulte al registro si el servidor está en funcionamiento."
                    )
                }
            ),
            ClientError::Identity { .. } | ClientError::Protocol(_) => {
                format!("{} {}", self.code().message(lang), self)
            }
        }
    }
}

/// A connection to the Padrón server as this workstation.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    tls: Arc<rustls::ClientConfig>,
    base: String,
    lang: Lang,
}

fn identity_err(
    what: &'static str,
    path: &std::path::Path,
    e: impl std::fmt::Display,
) -> ClientError {
    ClientError::Identity {
        what,
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

impl Client {
    pub fn new(config: &LoadedConfig, lang: Lang) -> Result<Client, ClientError> {
        let ca_certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(&config.server_ca)
                .and_then(|it| it.collect())
                .map_err(|e| identity_err("CA del servidor / server CA", &config.server_ca, e))?;
        let mut roots = RootCertStore::empty();
        for cert in ca_certs {
            roots
                .add(cert)
                .map_err(|e| identity_err("CA del servidor / server CA", &config.server_ca, e))?;
        }
        let chain: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(&config.certificate)
                .and_then(|it| it.collect())
                .map_err(|e| {
                    identity_err(
                        "certificado de la estación / workstation certificate",
                        &config.certificate,
                        e,
                    )
                })?;
        if chain.is_empty() {
            return Err(identity_err(
                "certificado de la estación / workstation certificate",
                &config.certificate,
                "vacío / empty",
            ));
        }
        let key = PrivateKeyDer::from_pem_file(&config.key)
            .map_err(|e| identity_err("llave de la estación / workstation key", &config.key, e))?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        // Padrón's own agent and server speak TLS 1.3 only.
        let mut tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13])
            .map_err(|e| identity_err("TLS", &config.path, e))?
            .with_root_certificates(roots)
            .with_client_auth_cert(chain, key)
            .map_err(|e| identity_err("llave de la estación / workstation key", &config.key, e))?;
        tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls.clone())
            .tls_info(true)
            .https_only(true)
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .user_agent(concat!("padron-agent/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| identity_err("TLS", &config.path, e))?;
        Ok(Client {
            http,
            tls: Arc::new(tls),
            base: config.config.server_url.trim_end_matches('/').to_owned(),
            lang,
        })
    }

    /// The same connection, asking the server for messages in `lang`.
    pub fn with_lang(&self, lang: Lang) -> Client {
        Client {
            lang,
            ..self.clone()
        }
    }

    pub fn server_url(&self) -> &str {
        &self.base
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        self.send(reqwest::Method::GET, path, None, None::<&()>)
            .await
            .map(|(v, _)| v)
    }

    /// Sends a request; returns the decoded answer and the server's TLS
    /// certificate (DER) as seen on this connection.
    pub(crate) async fn send<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        method: reqwest::Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<&B>,
    ) -> Result<(T, Option<Vec<u8>>), ClientError> {
        let url = format!("{}{}", self.base, path);
        let mut request = self
            .http
            .request(method, &url)
            .header(reqwest::header::ACCEPT_LANGUAGE, self.lang.tag());
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => return Err(self.explain_failure(&e).await),
        };
        let peer = response
            .extensions()
            .get::<reqwest::tls::TlsInfo>()
            .and_then(|info| info.peer_certificate())
            .map(<[u8]>::to_vec);
        let status = response.status();
        let bytes = match response.bytes().await {
            Ok(b) => b,
            Err(e) => return Err(self.explain_failure(&e).await),
        };
        if status.is_success() {
            let value =
                serde_json::from_slice(&bytes).map_err(|e| ClientError::Protocol(e.to_string()))?;
            return Ok((value, peer));
        }
        match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(body) => Err(ClientError::Api(body)),
            Err(_) => Err(ClientError::Protocol(format!("HTTP {status}"))),
        }
    }

    /// A login challenge, and the fingerprint (lowercase hex SHA-256) of the
    /// server certificate it came over: what the card's signature binds to.
    pub async fn challenge(&self) -> Result<(Challenge, String), ClientError> {
        let (challenge, peer) = self
            .send::<Challenge, ()>(reqwest::Method::POST, "/v1/auth/challenge", None, None)
            .await?;
        let der = peer.ok_or_else(|| {
            ClientError::Protocol("no server certificate on the connection".into())
        })?;
        Ok((challenge, hex_sha256(&der)))
    }

    pub async fn login(&self, token: &AuthToken) -> Result<SessionInfo, ClientError> {
        self.send(reqwest::Method::POST, "/v1/auth/login", None, Some(token))
            .await
            .map(|(v, _)| v)
    }

    pub async fn logout(&self, bearer: &str) -> Result<(), ClientError> {
        self.send::<serde_json::Value, ()>(
            reqwest::Method::POST,
            "/v1/auth/logout",
            Some(bearer),
            None,
        )
        .await
        .map(drop)
    }

    pub async fn session(&self, bearer: &str) -> Result<SessionInfo, ClientError> {
        self.send::<_, ()>(reqwest::Method::GET, "/v1/session", Some(bearer), None)
            .await
            .map(|(v, _)| v)
    }

    pub async fn users(&self, bearer: &str) -> Result<Vec<UserView>, ClientError> {
        self.send::<_, ()>(reqwest::Method::GET, "/v1/users", Some(bearer), None)
            .await
            .map(|(v, _)| v)
    }

    pub async fn requests(&self, bearer: &str) -> Result<Vec<RequestView>, ClientError> {
        self.send::<_, ()>(reqwest::Method::GET, "/v1/requests", Some(bearer), None)
            .await
            .map(|(v, _)| v)
    }

    /// Uploads a query workbook; answers once it is safely queued.
    pub async fn upload_query(
        &self,
        bearer: &str,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<QueryJob, ClientError> {
        let url = reqwest::Url::parse_with_params(
            &format!("{}/v1/queries", self.base),
            &[("name", name)],
        )
        .map_err(|e| ClientError::Protocol(e.to_string()))?;
        let request = self
            .http
            .post(url)
            .bearer_auth(bearer)
            .header(reqwest::header::ACCEPT_LANGUAGE, self.lang.tag())
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(bytes);
        let bytes = self.finish(request).await?;
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Protocol(e.to_string()))
    }

    /// The rows of a finished job that need a look (the kiosk's preview).
    pub async fn query_attention(
        &self,
        bearer: &str,
        id: &str,
    ) -> Result<Vec<padron_shared::queries::AttentionRow>, ClientError> {
        self.send::<_, ()>(
            reqwest::Method::GET,
            &format!("/v1/queries/{id}/attention"),
            Some(bearer),
            None,
        )
        .await
        .map(|(v, _)| v)
    }

    pub async fn query(&self, bearer: &str, id: &str) -> Result<QueryJob, ClientError> {
        self.send::<_, ()>(
            reqwest::Method::GET,
            &format!("/v1/queries/{id}"),
            Some(bearer),
            None,
        )
        .await
        .map(|(v, _)| v)
    }

    /// One user's queries between two days (coordinators only).
    pub async fn user_activity(
        &self,
        bearer: &str,
        params: &padron_shared::reports::UserActivityParams,
    ) -> Result<padron_shared::reports::UserActivityReport, ClientError> {
        // Encoded by the URL type, so a CUI typed with spaces or a stray
        // character cannot change the request's shape.
        let url = reqwest::Url::parse_with_params(
            &format!("{}/v1/reports/user-activity", self.base),
            &[
                ("cui", params.cui.as_str()),
                ("from", params.from.as_str()),
                ("to", params.to.as_str()),
            ],
        )
        .map_err(|e| ClientError::Protocol(e.to_string()))?;
        let path = format!("/v1/reports/user-activity?{}", url.query().unwrap_or(""));
        self.send::<_, ()>(reqwest::Method::GET, &path, Some(bearer), None)
            .await
            .map(|(v, _)| v)
    }

    /// One page of the caller's jobs, newest first (the server's default
    /// page when `page` asks for none).
    pub async fn queries(
        &self,
        bearer: &str,
        page: &JobListParams,
    ) -> Result<Vec<QueryJob>, ClientError> {
        let mut pairs = Vec::new();
        if let Some(limit) = page.limit {
            pairs.push(("limit", limit.to_string()));
        }
        if let Some(before) = &page.before {
            pairs.push(("before", before.clone()));
        }
        let url = reqwest::Url::parse_with_params("http://query.invalid/", &pairs)
            .map_err(|e| ClientError::Protocol(e.to_string()))?;
        let path = match url.query() {
            Some(q) if !q.is_empty() => format!("/v1/queries?{q}"),
            _ => "/v1/queries".to_owned(),
        };
        self.send::<_, ()>(reqwest::Method::GET, &path, Some(bearer), None)
            .await
            .map(|(v, _)| v)
    }

    /// The result workbook's bytes.
    pub async fn query_result(&self, bearer: &str, id: &str) -> Result<Vec<u8>, ClientError> {
        let url = format!("{}/v1/queries/{id}/result", self.base);
        let request = self
            .http
            .get(&url)
            .bearer_auth(bearer)
            .header(reqwest::header::ACCEPT_LANGUAGE, self.lang.tag());
        Ok(self.finish(request).await?.to_vec())
    }

    /// Sends a prepared request; the body on success, the refusal otherwise.
    async fn finish(&self, request: reqwest::RequestBuilder) -> Result<bytes::Bytes, ClientError> {
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => return Err(self.explain_failure(&e).await),
        };
        let status = response.status();
        let bytes = match response.bytes().await {
            Ok(b) => b,
            Err(e) => return Err(self.explain_failure(&e).await),
        };
        if status.is_success() {
            return Ok(bytes);
        }
        match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(body) => Err(ClientError::Api(body)),
            Err(_) => Err(ClientError::Protocol(format!("HTTP {status}"))),
        }
    }

    pub async fn submit(
        &self,
        bearer: &str,
        request: &SignedRequest,
    ) -> Result<RequestView, ClientError> {
        self.send(
            reqwest::Method::POST,
            "/v1/requests",
            Some(bearer),
            Some(request),
        )
        .await
        .map(|(v, _)| v)
    }

    /// Classifies a failed request. When the connection just closed, which
    /// is how TLS 1.3 often shows a refused client certificate (the alert is
    /// lost when the server resets a socket that still holds our request),
    /// a bare handshake that sends no request learns what really happened:
    /// an alert is a refusal; a handshake the server accepts, or no server
    /// at all any more, means the server did not finish the request.
    async fn explain_failure(&self, err: &reqwest::Error) -> ClientError {
        tracing::debug!(error = ?err, "request failed");
        match classify(&self.base, err) {
            ClientError::CertificateRefused {
                reason: RefusalReason::ClosedDuringHandshake,
            } => match self.probe_twice().await {
                Probe::Alert(alert) => ClientError::CertificateRefused {
                    reason: alert_reason(alert),
                },
                Probe::Accepted | Probe::NoServer => ClientError::Dropped {
                    cause: root_cause(err),
                },
                Probe::ClosedWithoutAlert => ClientError::CertificateRefused {
                    reason: RefusalReason::ClosedDuringHandshake,
                },
            },
            other => other,
        }
    }

    /// The probe, once more after a moment when the first one was closed
    /// without an alert: a server that is being killed or restarted closes
    /// that probe too, and is gone (or back) a moment later, while a server
    /// that refuses the certificate closes every probe.
    async fn probe_twice(&self) -> Probe {
        match self.probe_handshake().await {
            Probe::ClosedWithoutAlert => {
                tokio::time::sleep(Duration::from_millis(300)).await;
                self.probe_handshake().await
            }
            other => other,
        }
    }

    /// Completes a TLS handshake without sending a request and waits a
    /// moment for the server's alert, if it sends one.
    async fn probe_handshake(&self) -> Probe {
        use tokio::io::AsyncReadExt;
        let Some((host, port)) = reqwest::Url::parse(&self.base).ok().and_then(|url| {
            let host = url
                .host_str()?
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned();
            Some((host, url.port_or_known_default()?))
        }) else {
            return Probe::ClosedWithoutAlert;
        };
        let Ok(name) = rustls::pki_types::ServerName::try_from(host.clone()) else {
            return Probe::ClosedWithoutAlert;
        };
        let connector = tokio_rustls::TlsConnector::from(self.tls.clone());
        let tcp = match tokio::time::timeout(
            Duration::from_secs(5),
            tokio::net::TcpStream::connect((host.as_str(), port)),
        )
        .await
        {
            Ok(Ok(tcp)) => tcp,
            _ => return Probe::NoServer,
        };
        let mut stream = match tokio::time::timeout(
            Duration::from_secs(5),
            connector.connect(name, tcp),
        )
        .await
        {
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) => {
                return received_alert(&e).map_or(Probe::ClosedWithoutAlert, Probe::Alert);
            }
            Err(_) => return Probe::ClosedWithoutAlert,
        };
        // TLS 1.3: the server judges our certificate after our side of the
        // handshake is done; its alert, if any, follows within moments.
        let mut byte = [0u8; 1];
        match tokio::time::timeout(Duration::from_millis(1500), stream.read(&mut byte)).await {
            // Waiting for a request, or already talking: the certificate passed.
            Err(_) | Ok(Ok(1..)) => Probe::Accepted,
            Ok(Ok(_)) => Probe::ClosedWithoutAlert,
            Ok(Err(e)) => received_alert(&e).map_or(Probe::ClosedWithoutAlert, Probe::Alert),
        }
    }

    pub async fn whoami(&self) -> Result<WhoAmI, ClientError> {
        self.get("/v1/whoami").await
    }

    pub async fn health(&self) -> Result<Health, ClientError> {
        self.get("/v1/health").await
    }
}

/// What a bare handshake learned about the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Probe {
    /// The server refused the certificate, and said why.
    Alert(AlertDescription),
    /// The handshake passed: the earlier failure was not a refusal.
    Accepted,
    /// Nothing listens any more: the server stopped.
    NoServer,
    /// Closed with no alert: still ambiguous.
    ClosedWithoutAlert,
}

/// The TLS alert the server sent, found anywhere in the cause chain. Some
/// layers keep the `rustls::Error`; others flatten it into an `io::Error`
/// whose message is rustls' own text ("received fatal alert: …").
fn received_alert(err: &(dyn StdError + 'static)) -> Option<AlertDescription> {
    const KNOWN: [AlertDescription; 7] = [
        AlertDescription::CertificateRevoked,
        AlertDescription::CertificateExpired,
        AlertDescription::UnknownCA,
        AlertDescription::BadCertificate,
        AlertDescription::CertificateUnknown,
        AlertDescription::AccessDenied,
        AlertDescription::CertificateRequired,
    ];
    let mut source: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = source {
        let tls = e.downcast_ref::<rustls::Error>().or_else(|| {
            e.downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        });
        if let Some(rustls::Error::AlertReceived(alert)) = tls {
            return Some(*alert);
        }
        let text = e.to_string();
        if let Some(name) = text.split("received fatal alert: ").nth(1) {
            let name = name.trim();
            return Some(
                KNOWN
                    .into_iter()
                    .find(|a| format!("{a:?}") == name)
                    .unwrap_or(AlertDescription::CertificateUnknown),
            );
        }
        source = e.source();
    }
    None
}

/// Finds, anywhere in the error's cause chain, the TLS or I/O failure that
/// says what really happened.
fn classify(url: &str, err: &reqwest::Error) -> ClientError {
    if let Some(alert) = received_alert(err) {
        return ClientError::CertificateRefused {
            reason: alert_reason(alert),
        };
    }
    let mut source: Option<&(dyn StdError + 'static)> = Some(err);
    let mut io_kind = None;
    while let Some(e) = source {
        let tls = e.downcast_ref::<rustls::Error>().or_else(|| {
            e.downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        });
        if let Some(tls) = tls {
            // Our own verification of the server failed.
            return ClientError::ServerUntrusted(match tls {
                rustls::Error::InvalidCertificate(cause) => format!("{cause:?}"),
                other => other.to_string(),
            });
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            io_kind.get_or_insert(io.kind());
        }
        if e.downcast_ref::<hyper::Error>().is_some() {
            // hyper only ever holds an established connection: whatever it
            // reports (closed, reset inside h2, which hides its io::Error),
            // the exchange did not reach its end. The probe tells a refused
            // certificate from a server that did not finish.
            io_kind.get_or_insert(std::io::ErrorKind::UnexpectedEof);
        }
        source = e.source();
    }
    use std::io::ErrorKind::*;
    match io_kind {
        // The TCP connection was made and then dropped during TLS: with
        // TLS 1.3 that is how a refused client certificate often looks.
        Some(ConnectionReset | BrokenPipe | UnexpectedEof | ConnectionAborted) => {
            ClientError::CertificateRefused {
                reason: RefusalReason::ClosedDuringHandshake,
            }
        }
        _ if err.is_connect() || err.is_timeout() || io_kind.is_some() => {
            ClientError::Unreachable {
                url: url.to_owned(),
                cause: root_cause(err),
            }
        }
        _ => ClientError::Protocol(root_cause(err)),
    }
}

fn alert_reason(alert: AlertDescription) -> RefusalReason {
    match alert {
        AlertDescription::CertificateRevoked => RefusalReason::Revoked,
        AlertDescription::CertificateExpired => RefusalReason::Expired,
        _ => RefusalReason::NotRecognised,
    }
}

fn root_cause(err: &(dyn StdError + 'static)) -> String {
    let mut last = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        last = e.to_string();
        source = e.source();
    }
    last
}

fn hex_sha256(der: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
