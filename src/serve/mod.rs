//! `hubtriage serve`: the local store behind Security Hub's own HTTP API (restJson1, SigV4), so the
//! aws CLI, boto3 and any SDK can use it with `--endpoint-url`. This module owns the HTTP side only:
//! routing, the AWS error and header conventions, authentication, throttling, fault injection,
//! latency figures and graceful shutdown. Every finding rule is the store's, reached through
//! `api::call` (see `pool`); the hub calls (EnableSecurityHub, DescribeHub) keep their state here,
//! in memory, because they exist only so SDK setup code succeeds.

pub mod auth;
pub mod conn;
pub mod limits;
pub mod pool;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::api::{ApiError, Operation};
use crate::model::timestamp;
use crate::sigv4;
use crate::store::Caller;
use auth::AuthConfig;
use conn::ConnLimits;
use limits::{BodyBudget, BodyReservation, FaultSpec, Faults, Throttle};
use pool::StorePool;

/// Largest request body read. BatchImportFindings' own limit is 6 MB, a store rule answered with
/// InvalidInputException, so bodies somewhat over it must still reach the store.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// The account named in hub ARNs when callers are not mapped to accounts (no `--auth`).
pub const DEFAULT_ACCOUNT: &str = "123456789012";
/// The region `serve` answers for unless `--region` says otherwise.
pub const DEFAULT_REGION: &str = "us-east-1";

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "refusing to listen on {0} without --auth: only loopback addresses may serve unauthenticated requests \
         (give --auth FILE to verify every request's SigV4 signature)"
    )]
    OpenWithoutAuth(SocketAddr),
    #[error("--auth {0}")]
    Auth(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("{0}")]
    Pool(#[from] pool::PoolError),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}

pub struct ServeOptions {
    pub listen: SocketAddr,
    pub store: PathBuf,
    pub auth: Option<PathBuf>,
    pub throttle: bool,
    pub fault: FaultSpec,
    pub seed: u64,
    /// The region requests must be signed for with `--auth`, and the hub ARN's region.
    pub region: String,
    /// Timeouts and the connection limit.
    pub limits: ConnLimits,
    /// The caller without `--auth` (the CLI's `--account`/`--user`).
    pub default_caller: Caller,
}

/// What the server answers to, beyond the store operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Store(Operation),
    EnableSecurityHub,
    DescribeHub,
    DisableSecurityHub,
}

impl Route {
    fn of(method: &Method, path: &str) -> Option<Route> {
        if path == "/accounts" {
            return match *method {
                Method::POST => Some(Route::EnableSecurityHub),
                Method::GET => Some(Route::DescribeHub),
                Method::DELETE => Some(Route::DisableSecurityHub),
                _ => None,
            };
        }
        Operation::ALL.into_iter().find(|op| op.route() == (method.as_str(), path)).map(Route::Store)
    }

    fn name(self) -> &'static str {
        match self {
            Route::Store(op) => op.name(),
            Route::EnableSecurityHub => "EnableSecurityHub",
            Route::DescribeHub => "DescribeHub",
            Route::DisableSecurityHub => "DisableSecurityHub",
        }
    }
}

/// Server-side time per operation, in milliseconds, printed on shutdown.
#[derive(Default)]
struct Latencies(Mutex<HashMap<&'static str, Vec<f64>>>);

impl Latencies {
    fn record(&self, op: &'static str, ms: f64) {
        if let Ok(mut m) = self.0.lock() {
            m.entry(op).or_default().push(ms);
        }
    }

    fn summary(&self) -> Vec<String> {
        let Ok(m) = self.0.lock() else { return Vec::new() };
        let mut ops: Vec<_> = m.iter().collect();
        ops.sort_by_key(|(k, _)| *k);
        ops.into_iter()
            .map(|(op, v)| {
                let mut v = v.clone();
                v.sort_by(f64::total_cmp);
                let at = |q: f64| v[((v.len() as f64 * q).ceil() as usize).clamp(1, v.len()) - 1];
                format!("{op}: {} calls, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms", v.len(), at(0.5), at(0.99), at(1.0))
            })
            .collect()
    }
}

struct State {
    pool: StorePool,
    auth: Option<AuthConfig>,
    region: String,
    default_caller: Caller,
    throttle: Option<Throttle>,
    faults: Faults,
    body_budget: BodyBudget,
    /// A request body that sends nothing for this long is answered 408.
    body_stall: Duration,
    hubs: Mutex<HashMap<String, OffsetDateTime>>,
    latencies: Latencies,
    request_base: u64,
    requests: AtomicU64,
}

/// The connection is cut without an answer (an injected `drop` fault).
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for Dropped {}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

impl State {
    /// A UUID-shaped request id, unique within the process and unlikely to repeat across runs.
    fn request_id(&self) -> String {
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        let (a, b) = (splitmix(self.request_base ^ n), splitmix(self.request_base.wrapping_add(n) ^ 0xA5A5));
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        )
    }

    fn hub_call(&self, route: Route, caller: &Caller, region: Option<&str>) -> Result<Value, ApiError> {
        let account = caller.account.clone().unwrap_or_else(|| DEFAULT_ACCOUNT.to_string());
        let region = region.filter(|r| !r.is_empty()).unwrap_or(&self.region);
        let arn = format!("arn:aws:securityhub:{region}:{account}:hub/default");
        let mut hubs = self.hubs.lock().map_err(|_| internal("hub state lock poisoned"))?;
        let not_subscribed = || ApiError {
            code: "InvalidAccessException",
            status: 401,
            message: format!("Account {account} is not subscribed to AWS Security Hub"),
        };
        match route {
            Route::EnableSecurityHub => {
                if hubs.contains_key(&account) {
                    return Err(ApiError {
                        code: "ResourceConflictException",
                        status: 409,
                        message: format!("Account {account} is already subscribed to Security Hub"),
                    });
                }
                hubs.insert(account, OffsetDateTime::now_utc());
                Ok(json!({}))
            }
            Route::DescribeHub => {
                let at = hubs.get(&account).ok_or_else(not_subscribed)?;
                Ok(json!({
                    "HubArn": arn,
                    "SubscribedAt": timestamp::format(*at),
                    "AutoEnableControls": true,
                    "ControlFindingGenerator": "SECURITY_CONTROL",
                }))
            }
            Route::DisableSecurityHub => {
                hubs.remove(&account).ok_or_else(not_subscribed)?;
                Ok(json!({}))
            }
            Route::Store(_) => Err(internal("not a hub call")),
        }
    }
}

fn internal(message: impl Into<String>) -> ApiError {
    ApiError { code: "InternalException", status: 500, message: message.into() }
}

fn error(code: &'static str, status: u16, message: impl Into<String>) -> ApiError {
    ApiError { code, status, message: message.into() }
}

/// Bodies over `MAX_BODY_BYTES` but under this are read to the end and discarded before the 413, so
/// the client, still sending, reads the answer instead of a reset connection.
const DRAIN_BYTES: u64 = 64 * 1024 * 1024;

/// Request bodies held at once (`limits::BodyBudget`): sixteen of the largest.
const BODY_BUDGET_BYTES: usize = 16 * MAX_BODY_BYTES;
/// How long a body waits for room in the budget before it is refused with a 503 (which SDKs retry).
const BODY_BUDGET_WAIT: Duration = Duration::from_secs(10);

/// Reads the request body up to `MAX_BODY_BYTES`, holding room for it in `budget`.
async fn read_body(
    headers: &hyper::HeaderMap,
    mut body: Incoming,
    budget: &BodyBudget,
    stall: Duration,
) -> Result<(Bytes, BodyReservation), ApiError> {
    let stalled = || {
        error(
            "RequestTimeoutException",
            408,
            format!("The request body sent nothing for {} s; send it whole, without pauses", stall.as_secs_f64()),
        )
    };
    let busy = || {
        error(
            "ServiceUnavailableException",
            503,
            "The server is reading too many request bodies at once; retry the request",
        )
    };
    let too_large = || {
        error(
            "RequestEntityTooLargeException",
            413,
            format!("Request must be smaller than {MAX_BODY_BYTES} bytes for the operation"),
        )
    };
    let declared = headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > DRAIN_BYTES) {
        return Err(too_large());
    }
    let mut held = BodyReservation::default();
    let capacity = declared.map_or(0, |n| n.min(MAX_BODY_BYTES as u64) as usize);
    if !budget.reserve(&mut held, capacity).await {
        return Err(busy());
    }
    let mut buf = Vec::with_capacity(capacity);
    let mut total = 0u64;
    // A pause longer than `stall` ends the read: a caller cannot hold the request open by sending
    // its body a byte at a time (the connection's idle timer spares a request being answered).
    while let Some(frame) = tokio::time::timeout(stall, body.frame()).await.map_err(|_| stalled())? {
        let frame =
            frame.map_err(|e| error("SerializationException", 400, format!("could not read the request body: {e}")))?;
        if let Ok(data) = frame.into_data() {
            total += data.len() as u64;
            if total <= MAX_BODY_BYTES as u64 {
                // A body without a Content-Length (chunked) grows its reservation as it arrives.
                if !budget.reserve(&mut held, total as usize).await {
                    return Err(busy());
                }
                buf.extend_from_slice(&data);
            } else if total > DRAIN_BYTES {
                return Err(too_large());
            }
        }
    }
    if total > MAX_BODY_BYTES as u64 {
        return Err(too_large());
    }
    Ok((Bytes::from(buf), held))
}

/// The JSON body: `{}` when empty; anything but a JSON object is a serialization error.
fn parse_input(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(error("SerializationException", 400, "the request body must be a JSON object")),
        Err(e) => Err(crate::api::not_json(&e)),
    }
}

fn respond(status: u16, body: &Value, request_id: &str, server_ms: Option<f64>) -> Response<Full<Bytes>> {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut resp = Response::new(Full::new(Bytes::from(bytes)));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-amzn-RequestId", v);
    }
    if let Some(ms) = server_ms {
        if let Ok(v) = HeaderValue::from_str(&format!("{ms:.3}")) {
            h.insert("x-hubtriage-server-ms", v);
        }
    }
    resp
}

fn respond_error(e: &ApiError, request_id: &str) -> Response<Full<Bytes>> {
    let mut resp = respond(e.status, &e.to_json(), request_id, None);
    resp.headers_mut().insert("X-Amzn-ErrorType", HeaderValue::from_static(e.code));
    resp
}

async fn handle(state: Arc<State>, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Dropped> {
    let request_id = state.request_id();
    match answer(&state, req).await {
        Answer::Ok(v, route, ms) => {
            state.latencies.record(route.name(), ms);
            Ok(respond(200, &v, &request_id, Some(ms)))
        }
        Answer::Err(e) => Ok(respond_error(&e, &request_id)),
        Answer::Drop => Err(Dropped),
    }
}

enum Answer {
    Ok(Value, Route, f64),
    Err(ApiError),
    Drop,
}

impl From<ApiError> for Answer {
    fn from(e: ApiError) -> Answer {
        Answer::Err(e)
    }
}

async fn answer(state: &State, req: Request<Incoming>) -> Answer {
    let (parts, body) = req.into_parts();
    // Authentication comes first, as at AWS's front end: an unsigned request learns nothing else.
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter_map(|(n, v)| v.to_str().ok().map(|v| (n.as_str().to_string(), v.to_string())))
        .collect();
    // What the headers alone can refuse is refused before the body is read: a caller without a
    // known key, a current date and the right scope makes the server hold nothing.
    if let Err(e) = auth::check_before_body(state.auth.as_ref(), &headers, OffsetDateTime::now_utc()) {
        return e.into();
    }
    // Held until the answer is ready: the body's bytes count against the budget until then.
    let (body, _reservation) = match read_body(&parts.headers, body, &state.body_budget, state.body_stall).await {
        Ok(b) => b,
        Err(e) => return e.into(),
    };
    let signed = sigv4::Request {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers: &headers,
        body: &body,
    };
    let (caller, region) =
        match auth::authenticate(state.auth.as_ref(), &state.default_caller, &signed, OffsetDateTime::now_utc()) {
            Ok(c) => c,
            Err(e) => return e.into(),
        };
    let Some(route) = Route::of(&parts.method, parts.uri.path()) else {
        return Answer::Err(error(
            "UnknownOperationException",
            404,
            format!("No operation matches {} {}", parts.method, parts.uri.path()),
        ));
    };
    if let Some(throttle) = &state.throttle {
        let account = caller.account.as_deref().unwrap_or(DEFAULT_ACCOUNT);
        if !throttle.admit(account, route.name(), Instant::now()) {
            return Answer::Err(error("LimitExceededException", 429, "Rate exceeded"));
        }
    }
    // Injected faults strike before the operation runs, so a retried call is never applied twice.
    let fault = state.faults.draw();
    if !fault.delay.is_zero() {
        tokio::time::sleep(fault.delay).await;
    }
    if fault.drop {
        return Answer::Drop;
    }
    match fault.error {
        Some(503) => {
            return Answer::Err(error("ServiceUnavailableException", 503, "Service unavailable (injected fault)"))
        }
        Some(status) => return Answer::Err(error("InternalException", status, "Internal error (injected fault)")),
        None => {}
    }
    let started = Instant::now();
    // BatchImportFindings reads its body as a file is read (`api::import_findings`): a finding
    // that could not be read back fails alone, and `Findings` twice is refused.
    let result = match route {
        Route::Store(Operation::BatchImportFindings) => match crate::api::import_findings(&body) {
            Ok(findings) => state.pool.import(caller, findings).await,
            Err(e) => Err(e),
        },
        _ => match parse_input(&body) {
            Err(e) => Err(e),
            Ok(input) => match route {
                // A new rule's ARN names the request's region (`rules::ops`).
                Route::Store(Operation::CreateAutomationRule) => {
                    let region = region.filter(|r| !r.is_empty()).unwrap_or_else(|| state.region.clone());
                    state.pool.create_rule(caller, input, region).await
                }
                // The model puts ListAutomationRules' members in the query string.
                Route::Store(op @ Operation::ListAutomationRules) => {
                    let input = crate::rules::ops::list_input(parts.uri.query().unwrap_or(""));
                    state.pool.call(caller, op, input).await
                }
                Route::Store(op) => state.pool.call(caller, op, input).await,
                hub => state.hub_call(hub, &caller, region.as_deref()),
            },
        },
    };
    match result {
        Ok(v) => Answer::Ok(v, route, started.elapsed().as_secs_f64() * 1000.0),
        Err(e) => Answer::Err(e),
    }
}

/// Serves until Ctrl-C or SIGTERM, then stops accepting, lets in-flight requests finish and closes
/// the store. Prints `listening on http://ADDR` on stdout once bound.
pub fn run(opts: ServeOptions) -> Result<(), ServeError> {
    if !opts.listen.ip().is_loopback() && opts.auth.is_none() {
        return Err(ServeError::OpenWithoutAuth(opts.listen));
    }
    let auth = match &opts.auth {
        Some(p) => Some(AuthConfig::load(p).map_err(ServeError::Auth)?.in_region(&opts.region)),
        None => None,
    };
    // Two read connections: one per core; more would only queue on the CPU.
    let pool = StorePool::open(&opts.store, 2)?;
    let base = OffsetDateTime::now_utc().unix_timestamp_nanos() as u64 ^ u64::from(std::process::id()).rotate_left(32);
    let state = Arc::new(State {
        pool,
        auth,
        region: opts.region,
        default_caller: opts.default_caller,
        throttle: opts.throttle.then(Throttle::new),
        faults: Faults::new(opts.fault, opts.seed),
        body_budget: BodyBudget::new(BODY_BUDGET_BYTES, BODY_BUDGET_WAIT),
        body_stall: opts.limits.idle_timeout,
        hubs: Mutex::new(HashMap::new()),
        latencies: Latencies::default(),
        request_base: splitmix(base),
        requests: AtomicU64::new(0),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    let served = runtime.block_on(conn::accept_loop(Arc::clone(&state), opts.listen, opts.limits));
    drop(runtime);
    state.pool.close();
    for line in state.latencies.summary() {
        eprintln!("  {line}");
    }
    eprintln!("hubtriage serve: stopped; store closed");
    served
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_follow_the_model() {
        assert_eq!(Route::of(&Method::POST, "/findings"), Some(Route::Store(Operation::GetFindings)));
        assert_eq!(
            Route::of(&Method::PATCH, "/findings/batchupdate"),
            Some(Route::Store(Operation::BatchUpdateFindings))
        );
        assert_eq!(Route::of(&Method::POST, "/findings/import"), Some(Route::Store(Operation::BatchImportFindings)));
        assert_eq!(Route::of(&Method::POST, "/findingHistory/get"), Some(Route::Store(Operation::GetFindingHistory)));
        assert_eq!(Route::of(&Method::POST, "/findingsv2"), Some(Route::Store(Operation::GetFindingsV2)));
        assert_eq!(
            Route::of(&Method::PATCH, "/findingsv2/batchupdatev2"),
            Some(Route::Store(Operation::BatchUpdateFindingsV2))
        );
        assert_eq!(Route::of(&Method::GET, "/accounts"), Some(Route::DescribeHub));
        assert_eq!(Route::of(&Method::POST, "/accounts"), Some(Route::EnableSecurityHub));
        assert_eq!(Route::of(&Method::GET, "/findings"), None);
        assert_eq!(Route::of(&Method::GET, "/findingsv2"), None);
    }

    #[test]
    fn malformed_bodies_are_serialization_errors() {
        assert_eq!(parse_input(b"").unwrap(), json!({}));
        assert_eq!(parse_input(b"{\"MaxResults\": 1}").unwrap(), json!({"MaxResults": 1}));
        for bad in [&b"{"[..], b"[1]", b"nope"] {
            let e = parse_input(bad).unwrap_err();
            assert_eq!((e.code, e.status), ("SerializationException", 400));
        }
    }

    #[test]
    fn latency_summary_reports_percentiles() {
        let l = Latencies::default();
        for i in 1..=100 {
            l.record("BatchUpdateFindings", f64::from(i));
        }
        assert_eq!(l.summary(), ["BatchUpdateFindings: 100 calls, p50 50.00 ms, p99 99.00 ms, max 100.00 ms"]);
    }
}
