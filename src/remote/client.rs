//! The Security Hub client: the operations remote mode uses (GetFindings, GetFindingsV2,
//! BatchUpdateFindings, BatchUpdateFindingsV2, GetFindingHistory, BatchImportFindings) as REST-JSON calls, each signed with
//! `sigv4::sign`, paced by the rate limiter, retried as `retry` decides, and its answer read with the
//! same wire types `serve` prints them with. Failures come back as `RemoteError`s that say what to do.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use time::OffsetDateTime;

use super::credentials::{CredentialSource, Identity};
use super::endpoint::{self, Endpoint, Environment, RemoteOptions};
use super::error::{RemoteError, Result};
use super::http::{HttpClient, HttpError, Response};
use super::limit::RateLimiter;
use super::retry::{self, RetryPolicy, RetryQuota, Verdict};
use crate::model::finding::FindingKey;
use crate::model::sanitize;
use crate::model::update::{FindingUpdate, MAX_IDENTIFIERS};
use crate::model::wire::batch_import::{BatchImportRequest, ImportResult};
use crate::model::wire::batch_update::{BatchUpdateRequest, UpdateResult};
use crate::model::wire::batch_update_v2::{BatchUpdateV2Request, BatchUpdateV2Result};
use crate::model::wire::get_findings::{FindingsPage, GetFindingsRequest};
use crate::model::wire::get_findings_v2::{FindingsV2Page, GetFindingsV2Request};
use crate::model::wire::history::{HistoryPage, HistoryRequest};
use crate::sigv4::{self, Credentials};

/// The operations this client sends, with their method and path (Security Hub API reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    GetFindings,
    BatchUpdateFindings,
    GetFindingHistory,
    BatchImportFindings,
    GetFindingsV2,
    BatchUpdateFindingsV2,
}

impl Operation {
    pub fn name(self) -> &'static str {
        match self {
            Operation::GetFindings => "GetFindings",
            Operation::BatchUpdateFindings => "BatchUpdateFindings",
            Operation::GetFindingHistory => "GetFindingHistory",
            Operation::BatchImportFindings => "BatchImportFindings",
            Operation::GetFindingsV2 => "GetFindingsV2",
            Operation::BatchUpdateFindingsV2 => "BatchUpdateFindingsV2",
        }
    }

    fn method(self) -> &'static str {
        match self {
            Operation::BatchUpdateFindings | Operation::BatchUpdateFindingsV2 => "PATCH",
            _ => "POST",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Operation::GetFindings => "/findings",
            Operation::BatchUpdateFindings => "/findings/batchupdate",
            Operation::GetFindingHistory => "/findingHistory/get",
            Operation::BatchImportFindings => "/findings/import",
            Operation::GetFindingsV2 => "/findingsv2",
            Operation::BatchUpdateFindingsV2 => "/findingsv2/batchupdatev2",
        }
    }
}

/// How a client behaves; the defaults suit Security Hub.
#[derive(Clone)]
pub struct ClientConfig {
    pub retry: RetryPolicy,
    pub connect_timeout: Duration,
    /// One attempt, answer included.
    pub timeout: Duration,
    /// Shared by every client of a process that calls the same accounts.
    pub limiter: Arc<RateLimiter>,
    /// The local clock (injected so that tests can set it wrong).
    pub clock: fn() -> OffsetDateTime,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            retry: RetryPolicy::default(),
            connect_timeout: Duration::from_millis(3100),
            timeout: Duration::from_secs(30),
            limiter: Arc::new(RateLimiter::default()),
            clock: OffsetDateTime::now_utc,
        }
    }
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("retry", &self.retry)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// A request ready to send. `Debug` shows the signature's scope but neither the signature nor the
/// session token.
pub struct SignedRequest {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl std::fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, String)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                let shown = if n.eq_ignore_ascii_case("authorization") {
                    match v.split_once("Signature=") {
                        Some((scope, _)) => format!("{scope}Signature=<redacted>"),
                        None => "<redacted>".into(),
                    }
                } else if n.eq_ignore_ascii_case("x-amz-security-token") {
                    "<redacted>".into()
                } else {
                    v.clone()
                };
                (n.as_str(), shown)
            })
            .collect();
        f.debug_struct("SignedRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

/// What a client has sent so far, for progress lines and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// Operations called (each counted once, however many attempts it took).
    pub calls: u64,
    /// Attempts sent again after a retryable failure.
    pub retries: u64,
    /// Of those, the ones after a throttling answer.
    pub throttled: u64,
}

/// A Security Hub endpoint, signed in to.
pub struct Client {
    calls: AtomicU64,
    retries: AtomicU64,
    throttled: AtomicU64,
    endpoint: Endpoint,
    region: String,
    credentials: CredentialSource,
    http: HttpClient,
    config: ClientConfig,
    quota: Mutex<RetryQuota>,
    rng: Mutex<ChaCha8Rng>,
    /// How far the endpoint's clock is ahead of ours, once a request was refused for the skew.
    clock_offset: Mutex<time::Duration>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.endpoint.url)
            .field("region", &self.region)
            .field("credentials", &self.credentials)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// What a failed attempt came to.
enum Failure {
    Answer { status: u16, code: String, message: String, server_time: Option<OffsetDateTime> },
    Http(HttpError),
}

impl Client {
    /// Resolves the profile, region and endpoint as the AWS CLI does, and loads credentials once,
    /// so that a missing login is reported now rather than at the first call.
    pub async fn connect(opts: &RemoteOptions, env: &Environment, config: ClientConfig) -> Result<Client> {
        let profile = endpoint::profile_name(opts, env);
        let region = endpoint::region(opts, env, &profile).await?;
        let endpoint = endpoint::endpoint(opts, env, &region)?;
        let credentials = CredentialSource::chain(&profile, &region, env).await;
        credentials.get().await?;
        Client::new(endpoint, region, credentials, config)
    }

    /// A client with these parts (fixed credentials for a local `serve`, tests).
    pub fn new(
        endpoint: Endpoint,
        region: String,
        credentials: CredentialSource,
        config: ClientConfig,
    ) -> Result<Client> {
        let http = HttpClient::new(config.connect_timeout, config.timeout).map_err(RemoteError::Config)?;
        let seed = (config.clock)().unix_timestamp_nanos() as u64 ^ u64::from(std::process::id()).rotate_left(32);
        Ok(Client {
            calls: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
            endpoint,
            region,
            credentials,
            http,
            config,
            quota: Mutex::new(RetryQuota::default()),
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(seed)),
            clock_offset: Mutex::new(time::Duration::ZERO),
        })
    }

    /// Fixed credentials against `endpoint_url` in `region`.
    pub fn with_credentials(
        endpoint_url: &str,
        region: &str,
        creds: Credentials,
        config: ClientConfig,
    ) -> Result<Client> {
        Client::new(Endpoint::parse(endpoint_url)?, region.to_string(), CredentialSource::fixed(creds), config)
    }

    pub fn stats(&self) -> ClientStats {
        ClientStats {
            calls: self.calls.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
        }
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    pub fn profile(&self) -> &str {
        self.credentials.profile()
    }

    /// Whose account the calls count against: the credentials' account when their source says,
    /// else the access key id (one key is one account's). Names the cache store; never a secret.
    pub async fn account_key(&self) -> Result<String> {
        Ok(self.credentials.get().await?.rate_key().to_string())
    }

    /// The endpoint and region, for the header: `https://securityhub.eu-west-1.amazonaws.com (eu-west-1)`.
    pub fn describe(&self) -> String {
        format!("{} ({})", self.endpoint.url, self.region)
    }

    pub async fn get_findings(&self, request: &GetFindingsRequest) -> Result<FindingsPage> {
        let op = Operation::GetFindings;
        self.parse(op, &self.call(op, &request.to_json()).await?, FindingsPage::from_json)
    }

    pub async fn get_findings_v2(&self, request: &GetFindingsV2Request) -> Result<FindingsV2Page> {
        let op = Operation::GetFindingsV2;
        self.parse(op, &self.call(op, &request.to_json()).await?, FindingsV2Page::from_json)
    }

    pub async fn batch_update_findings_v2(&self, request: &BatchUpdateV2Request) -> Result<BatchUpdateV2Result> {
        let op = Operation::BatchUpdateFindingsV2;
        self.parse(op, &self.call(op, &request.to_json()).await?, BatchUpdateV2Result::from_json)
    }

    pub async fn batch_update_findings(&self, request: &BatchUpdateRequest) -> Result<UpdateResult> {
        let op = Operation::BatchUpdateFindings;
        self.parse(op, &self.call(op, &request.to_json()).await?, UpdateResult::from_json)
    }

    pub async fn get_finding_history(&self, request: &HistoryRequest) -> Result<HistoryPage> {
        let op = Operation::GetFindingHistory;
        self.parse(op, &self.call(op, &request.to_json()).await?, HistoryPage::from_json)
    }

    pub async fn batch_import_findings(&self, request: &BatchImportRequest) -> Result<ImportResult> {
        let op = Operation::BatchImportFindings;
        self.parse(op, &self.call(op, &request.to_json()).await?, ImportResult::from_json)
    }

    /// Every page of GetFindings for `request` (its NextToken ignored), each handed to `sink` as it
    /// arrives; `sink` returns false to stop. Returns how many pages were read.
    pub async fn get_all_findings(
        &self,
        request: &GetFindingsRequest,
        mut sink: impl FnMut(Vec<Value>) -> bool,
    ) -> Result<usize> {
        let mut request = GetFindingsRequest { next_token: None, ..request.clone() };
        let mut pages = 0;
        loop {
            let page = self.get_findings(&request).await?;
            pages += 1;
            if !sink(page.findings) {
                return Ok(pages);
            }
            match page.next_token {
                Some(t) => request.next_token = Some(t),
                None => return Ok(pages),
            }
        }
    }

    /// Every page GetFindingsV2 returns for `request` (from its first), each given to `sink` until
    /// it says stop; a NextToken the last page already sent ends the paging (it would never end).
    /// Returns how many pages were read.
    pub async fn get_all_findings_v2(
        &self,
        request: &GetFindingsV2Request,
        mut sink: impl FnMut(Vec<Value>) -> bool,
    ) -> Result<usize> {
        let mut request = GetFindingsV2Request { next_token: None, ..request.clone() };
        let mut pages = 0;
        loop {
            let page = self.get_findings_v2(&request).await?;
            pages += 1;
            if !sink(page.findings) {
                return Ok(pages);
            }
            match page.next_token {
                Some(t) if request.next_token.as_deref() != Some(t.as_str()) => request.next_token = Some(t),
                _ => return Ok(pages),
            }
        }
    }

    /// One update for any number of findings: BatchUpdateFindings calls of at most 100, several in
    /// flight (the rate limiter paces them), their answers merged in the order of `keys`' calls.
    pub async fn batch_update_all(&self, keys: &[FindingKey], update: &FindingUpdate) -> Result<UpdateResult> {
        let calls = keys.chunks(MAX_IDENTIFIERS).map(|chunk| {
            let request = BatchUpdateRequest { identifiers: chunk.to_vec(), update: update.clone() };
            async move { self.batch_update_findings(&request).await }
        });
        let mut merged = UpdateResult::default();
        for r in futures_util::future::join_all(calls).await {
            let r = r?;
            merged.processed.extend(r.processed);
            merged.unprocessed.extend(r.unprocessed);
        }
        Ok(merged)
    }

    fn parse<T>(
        &self,
        op: Operation,
        v: &Value,
        read: fn(&Value) -> std::result::Result<T, crate::model::wire::WireError>,
    ) -> Result<T> {
        read(v).map_err(|e| RemoteError::BadResponse {
            operation: op.name(),
            endpoint: self.endpoint.url.clone(),
            message: e.to_string(),
        })
    }

    /// Sends one operation's JSON and returns the answer's JSON, retrying what is worth retrying.
    pub async fn call(&self, op: Operation, body: &Value) -> Result<Value> {
        let body = serde_json::to_vec(body).map_err(|e| RemoteError::Config(format!("{}: {e}", op.name())))?;
        self.calls.fetch_add(1, Ordering::Relaxed);
        let mut attempt = 0;
        let mut spent = 0;
        let (mut renewed, mut resynced) = (false, false);
        loop {
            attempt += 1;
            let identity = self.credentials.get().await?;
            self.config.limiter.acquire(identity.rate_key(), &self.region, op).await;
            let request = self.sign(op, &body, &identity);
            let failure = match self.http.send(self.to_hyper(request)?).await {
                Ok(r) if r.status == 200 => {
                    self.with_quota(|q| q.release(spent));
                    return serde_json::from_slice(&r.body).map_err(|e| RemoteError::BadResponse {
                        operation: op.name(),
                        endpoint: self.endpoint.url.clone(),
                        message: format!("not JSON: {e}"),
                    });
                }
                Ok(r) => answer_failure(&r),
                Err(e) => Failure::Http(e),
            };
            let verdict = match &failure {
                Failure::Answer { status, code, message, server_time } => {
                    // The SDKs' two recoveries that are not retries: sign again on the endpoint's
                    // clock, and fetch credentials again when the endpoint says they expired.
                    if is_clock_skew(code, message) && !resynced {
                        if let Some(server) = server_time {
                            self.set_clock_offset(*server - (self.config.clock)());
                            resynced = true;
                            continue;
                        }
                    }
                    if code.starts_with("ExpiredToken") && !renewed {
                        self.credentials.invalidate().await;
                        renewed = true;
                        continue;
                    }
                    retry::classify(*status, code)
                }
                Failure::Http(HttpError::Timeout(_)) => Verdict::Timeout,
                Failure::Http(_) => Verdict::Transient,
            };
            if !verdict.is_retryable() || attempt >= self.config.retry.max_attempts {
                return Err(self.error(op, failure, attempt));
            }
            let Some(cost) = self.with_quota(|q| q.acquire(verdict)) else {
                return Err(self.error(op, failure, attempt));
            };
            spent += cost;
            self.retries.fetch_add(1, Ordering::Relaxed);
            if verdict == Verdict::Throttled {
                self.throttled.fetch_add(1, Ordering::Relaxed);
            }
            let wait = {
                let mut rng = self.rng.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                self.config.retry.backoff(attempt, &mut *rng)
            };
            tokio::time::sleep(wait).await;
        }
    }

    fn with_quota<T>(&self, f: impl FnOnce(&mut RetryQuota) -> T) -> T {
        f(&mut self.quota.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    fn set_clock_offset(&self, offset: time::Duration) {
        *self.clock_offset.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = offset;
    }

    fn now(&self) -> OffsetDateTime {
        (self.config.clock)() + *self.clock_offset.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The request for `op`, signed with `identity` for this client's region.
    pub fn sign(&self, op: Operation, body: &[u8], identity: &Identity) -> SignedRequest {
        let path = format!("{}{}", self.endpoint.base_path, op.path());
        let mut headers = vec![
            ("host".to_string(), self.endpoint.authority.clone()),
            ("content-type".to_string(), "application/json".to_string()),
        ];
        let request = sigv4::Request { method: op.method(), path: &path, query: "", headers: &headers, body };
        let added = sigv4::sign(&request, &identity.credentials, &self.region, self.now());
        headers.extend(added);
        headers.push(("user-agent".to_string(), concat!("hubtriage/", env!("CARGO_PKG_VERSION")).to_string()));
        SignedRequest {
            method: op.method(),
            url: format!("{}{path}", self.endpoint.origin),
            headers,
            body: body.to_vec(),
        }
    }

    fn to_hyper(&self, r: SignedRequest) -> Result<hyper::Request<Full<Bytes>>> {
        let mut builder = hyper::Request::builder().method(r.method).uri(&r.url);
        for (n, v) in &r.headers {
            builder = builder.header(n.as_str(), v.as_str());
        }
        // Only a header value the signer was given can be invalid, and none of ours are; the message
        // names the URL, never a header.
        builder
            .body(Full::new(Bytes::from(r.body)))
            .map_err(|_| RemoteError::Config(format!("cannot build a request to {}", self.endpoint.url)))
    }

    /// The error a user sees for a call that failed for good after `attempts` attempts.
    fn error(&self, op: Operation, failure: Failure, attempts: u32) -> RemoteError {
        let operation = op.name();
        let endpoint = self.endpoint.url.clone();
        let (status, code, message, server_time) = match failure {
            Failure::Http(e) => {
                return RemoteError::Unreachable { operation, endpoint, attempts, cause: e.to_string() }
            }
            Failure::Answer { status, code, message, server_time } => (status, code, message, server_time),
        };
        let message = sanitize::line(&message).chars().take(500).collect::<String>();
        if is_clock_skew(&code, &message) {
            let skew_seconds = server_time.map_or(0, |t| ((self.config.clock)() - t).whole_seconds());
            return RemoteError::ClockSkew { operation, endpoint, skew_seconds };
        }
        match (status, code.as_str()) {
            (_, "InvalidAccessException") => {
                RemoteError::NotEnabled { operation, region: self.region.clone(), message }
            }
            (
                _,
                "AccessDeniedException"
                | "UnrecognizedClientException"
                | "InvalidSignatureException"
                | "MissingAuthenticationTokenException"
                | "InvalidClientTokenId"
                | "SignatureDoesNotMatch"
                | "ExpiredTokenException",
            )
            | (401 | 403, _) => RemoteError::AccessDenied {
                operation,
                endpoint,
                profile: self.profile().to_string(),
                code: if code.is_empty() { format!("HTTP {status}") } else { code },
                message,
            },
            (404, c) if c != "ResourceNotFoundException" => RemoteError::NotImplemented { operation, endpoint },
            _ if retry::classify(status, &code) == Verdict::Throttled => RemoteError::Throttled {
                operation,
                endpoint,
                attempts,
                code: if code.is_empty() { "HTTP 429".into() } else { code },
            },
            _ => RemoteError::Service { operation, endpoint, status, code, message },
        }
    }
}

/// An error answer's code and message, read as the restJson1 protocol says: the code from
/// `X-Amzn-ErrorType`, else the body's `code`/`Code`, else `__type`, cut at the first `:` and after
/// any `#` (`aws.securityhub#InvalidInputException:http://...` is `InvalidInputException`).
fn answer_failure(r: &Response) -> Failure {
    let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    let member = |names: &[&str]| names.iter().find_map(|n| body.get(*n).and_then(Value::as_str)).map(str::to_string);
    let raw = r
        .header("x-amzn-errortype")
        .map(str::to_string)
        .or_else(|| member(&["code", "Code"]))
        .or_else(|| member(&["__type"]))
        .unwrap_or_default();
    let code = raw.split(':').next().unwrap_or_default();
    let code = code.rsplit('#').next().unwrap_or_default().to_string();
    let message = member(&["message", "Message"]).unwrap_or_default();
    let server_time = r.header("date").and_then(parse_http_date);
    Failure::Answer { status: r.status, code, message, server_time }
}

/// Whether the endpoint refused the request for the time it was signed at.
fn is_clock_skew(code: &str, message: &str) -> bool {
    matches!(code, "RequestTimeTooSkewed" | "RequestExpired" | "RequestInTheFuture")
        || (code == "InvalidSignatureException" && message.contains("Signature expired"))
}

/// An HTTP `Date` (`Sun, 06 Dec 2026 10:04:34 GMT`).
fn parse_http_date(s: &str) -> Option<OffsetDateTime> {
    const FORMAT: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::PrimitiveDateTime::parse(s.trim(), FORMAT).ok().map(time::PrimitiveDateTime::assume_utc)
}

#[cfg(test)]
mod tests;
