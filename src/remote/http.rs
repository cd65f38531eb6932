//! Remote mode's one HTTP stack: hyper's pooled client over rustls with the ring provider (the
//! same TLS stack aws-config's STS and SSO calls run on), trusting the system's certificate
//! authorities. Connections to an endpoint are kept and reused across calls; every attempt has a
//! connect timeout and an overall one, so a silent endpoint is reported instead of waited on.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use super::error::error_chain;

/// Connections idle this long are closed (AWS's front ends close theirs after about a minute).
const POOL_IDLE: Duration = Duration::from_secs(50);
/// Idle connections kept per host: enough for the calls a token bucket lets run together.
const POOL_PER_HOST: usize = 32;

/// How an attempt failed before an answer came.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// No connection could be made (refused, no route, DNS, TLS handshake).
    #[error("{0}")]
    Connect(String),
    /// The connection broke before the whole answer came.
    #[error("{0}")]
    Broken(String),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
}

/// An answer, whole.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The pooled client. Cheap to clone: clones share the pool.
#[derive(Clone)]
pub struct HttpClient {
    inner: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    timeout: Duration,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient").field("timeout", &self.timeout).finish_non_exhaustive()
    }
}

/// rustls with ring, trusting the system's roots. A system without readable roots gets an empty
/// store: plain-HTTP endpoints (a local `serve`) still work, and HTTPS fails naming the certificate.
fn tls_config() -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        // One unreadable certificate should not make the others unusable.
        let _ = roots.add(cert);
    }
    // rustls now deprecates ring's provider for its lack of post-quantum key exchange; ring is kept
    // because aws-lc-rs, the alternative, adds a C and assembly build to every clean build
    // (docs/remote.md#crates), and aws-config's own calls use ring too.
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    rustls::ClientConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .map(|b| b.with_root_certificates(roots).with_no_client_auth())
        .map_err(|e| format!("cannot set up TLS: {e}"))
}

impl HttpClient {
    /// `connect_timeout` bounds making a connection; `timeout` a whole attempt, answer included.
    pub fn new(connect_timeout: Duration, timeout: Duration) -> Result<HttpClient, String> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(connect_timeout));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls_config()?)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let inner = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(POOL_IDLE)
            .pool_max_idle_per_host(POOL_PER_HOST)
            .build(https);
        Ok(HttpClient { inner, timeout })
    }

    pub async fn send(&self, request: hyper::Request<Full<Bytes>>) -> Result<Response, HttpError> {
        let attempt = async {
            let response = self.inner.request(request).await.map_err(|e| {
                let text = error_chain(&e);
                if e.is_connect() {
                    HttpError::Connect(text)
                } else {
                    HttpError::Broken(text)
                }
            })?;
            let (parts, body) = response.into_parts();
            let body = body.collect().await.map_err(|e| HttpError::Broken(error_chain(&e)))?.to_bytes();
            Ok(Response { status: parts.status.as_u16(), headers: parts.headers, body })
        };
        tokio::time::timeout(self.timeout, attempt).await.unwrap_or(Err(HttpError::Timeout(self.timeout)))
    }
}
