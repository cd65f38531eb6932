//! The remote client against `hubtriage serve` started on an OS-chosen loopback port, with `--auth`
//! (real SigV4 end to end) and credentials the test writes itself: in the environment map handed to
//! the client, or in a profile in temp `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE` files. The
//! client never sees the process's environment or the real `~/.aws`: each test passes an explicit
//! `Environment` (tests run in parallel threads).

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hubtriage::backend::Backend;
use hubtriage::model::call::UpdateCall;
use hubtriage::model::enums::{SeverityLabel, WorkflowStatus};
use hubtriage::model::filter::Filters;
use hubtriage::model::finding::FindingId;
use hubtriage::model::finding::FindingKey;
use hubtriage::model::source::ErrorKind;
use hubtriage::model::update::FindingUpdate;
use hubtriage::model::wire::batch_import::BatchImportRequest;
use hubtriage::model::wire::get_findings::GetFindingsRequest;
use hubtriage::model::wire::history::HistoryRequest;
use hubtriage::remote::retry::RetryPolicy;
use hubtriage::remote::{Client, ClientConfig, Environment, RemoteBackend, RemoteError, RemoteOptions};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_hubtriage");

const SECRET: &str = "alice/Secret+Key";
const AUTH: &str = r#"{"Keys": [
    {"AccessKeyId": "AKIDALICE", "SecretAccessKey": "alice/Secret+Key", "AccountId": "111111111111", "UserName": "alice"}
]}"#;

struct Server {
    child: Option<Child>,
    addr: String,
    dir: tempfile::TempDir,
}

impl Server {
    /// `serve --auth` (alice's key) on a loopback port, with `extra` arguments.
    fn start(extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let auth = dir.path().join("auth.json");
        std::fs::write(&auth, AUTH).unwrap();
        let mut args = vec!["--auth", auth.to_str().unwrap()];
        args.extend_from_slice(extra);
        let (child, addr) =
            common::spawn_serve(&dir.path().join("s.db"), "127.0.0.1:0", &args, &dir.path().join("stderr.txt"));
        Server { child: Some(child), addr, dir }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// SIGTERM, then what the server printed on stderr (its per-operation call counts).
    fn stop(&mut self) -> String {
        let mut child = self.child.take().unwrap();
        // SAFETY: signalling our own child process by its id.
        unsafe {
            libc::kill(child.id() as i32, libc::SIGTERM);
        }
        child.wait().unwrap();
        std::fs::read_to_string(self.dir.path().join("stderr.txt")).unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// An environment of exactly `vars`, with a temp HOME (so `~/.aws` is the test's, empty) and no
/// instance metadata.
fn env(home: &Path, vars: &[(&str, &str)]) -> Environment {
    let mut m: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    m.insert("HOME".into(), home.display().to_string());
    m.insert("AWS_EC2_METADATA_DISABLED".into(), "true".into());
    Environment::from_map(m)
}

/// alice's keys in the environment, region us-east-1 (serve's).
fn env_keys(home: &Path, secret: &str) -> Environment {
    env(home, &[("AWS_ACCESS_KEY_ID", "AKIDALICE"), ("AWS_SECRET_ACCESS_KEY", secret), ("AWS_REGION", "us-east-1")])
}

fn fast_retries(max_attempts: u32) -> ClientConfig {
    ClientConfig {
        retry: RetryPolicy { max_attempts, base: Duration::from_millis(20), max_backoff: Duration::from_millis(500) },
        ..ClientConfig::default()
    }
}

async fn client(s: &Server, env: &Environment, config: ClientConfig) -> Client {
    let opts = RemoteOptions { endpoint_url: Some(s.url()), ..Default::default() };
    Client::connect(&opts, env, config).await.unwrap()
}

fn findings(dir: &Path, count: usize) -> Vec<Value> {
    let p = dir.join("gen.json");
    let o = Command::new(BIN)
        .args(["--store", dir.join("gen.db").to_str().unwrap()])
        .args(["generate", "--count", &count.to_string(), "--seed", "3", "-o", p.to_str().unwrap()])
        .env_remove("HUBTRIAGE_ACCOUNT")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    let mut all = v["Findings"].as_array().unwrap().clone();
    // alice imports for her own account.
    for f in &mut all {
        f["AwsAccountId"] = json!("111111111111");
    }
    all
}

async fn import(c: &Client, all: &[Value]) {
    for chunk in all.chunks(100) {
        let r = c.batch_import_findings(&BatchImportRequest { findings: chunk.to_vec() }).await.unwrap();
        assert_eq!((r.success_count, r.failed.len()), (chunk.len(), 0), "{:?}", r.failed);
    }
}

fn keys(all: &[Value]) -> Vec<FindingKey> {
    all.iter().map(|f| FindingKey::of(f).unwrap()).collect()
}

async fn all_ids(c: &Client, request: &GetFindingsRequest) -> (Vec<String>, usize) {
    let mut ids = Vec::new();
    let pages = c
        .get_all_findings(request, |page| {
            ids.extend(page.iter().map(|f| f["Id"].as_str().unwrap().to_string()));
            true
        })
        .await
        .unwrap();
    (ids, pages)
}

#[tokio::test]
async fn get_findings_pages_every_finding_exactly_once() {
    let s = Server::start(&[]);
    let home = tempfile::tempdir().unwrap();
    let c = client(&s, &env_keys(home.path(), SECRET), ClientConfig::default()).await;
    let all = findings(s.dir.path(), 250);
    import(&c, &all).await;

    for (max, pages) in [(100, 3), (37, 7)] {
        let (ids, n) = all_ids(&c, &GetFindingsRequest { max_results: max, ..Default::default() }).await;
        assert_eq!(n, pages);
        assert_eq!(ids.len(), 250, "every finding once");
        let unique: HashSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), 250, "no finding twice");
        let expected: HashSet<String> = all.iter().map(|f| f["Id"].as_str().unwrap().to_string()).collect();
        assert_eq!(unique.into_iter().cloned().collect::<HashSet<_>>(), expected);
    }
}

/// Keys in a profile of the shared files, the profile and region from the files' environment.
#[tokio::test]
async fn bulk_resolve_with_a_profile_sends_calls_of_at_most_100_and_history_shows_it() {
    let mut s = Server::start(&[]);
    let home = tempfile::tempdir().unwrap();
    let (config, credentials) = (home.path().join("cfg"), home.path().join("creds"));
    std::fs::write(&config, "[profile triage]\nregion = us-east-1\n").unwrap();
    std::fs::write(
        &credentials,
        format!("[triage]\naws_access_key_id = AKIDALICE\naws_secret_access_key = {SECRET}\n"),
    )
    .unwrap();
    let e = env(
        home.path(),
        &[
            ("AWS_PROFILE", "triage"),
            ("AWS_CONFIG_FILE", config.to_str().unwrap()),
            ("AWS_SHARED_CREDENTIALS_FILE", credentials.to_str().unwrap()),
        ],
    );
    let c = client(&s, &e, ClientConfig::default()).await;
    assert_eq!((c.profile(), c.region()), ("triage", "us-east-1"));
    let all = findings(s.dir.path(), 250);
    import(&c, &all).await;

    let update = FindingUpdate { workflow_status: Some(WorkflowStatus::Resolved), ..Default::default() };
    let r = c.batch_update_all(&keys(&all), &update).await.unwrap();
    assert_eq!((r.processed.len(), r.unprocessed.len()), (250, 0));
    assert_eq!(r.processed, keys(&all), "answers merged in the order asked");

    let resolved =
        Filters::from_json(&json!({"WorkflowStatus": [{"Value": "RESOLVED", "Comparison": "EQUALS"}]})).unwrap();
    let (ids, _) = all_ids(&c, &GetFindingsRequest { filters: resolved, ..Default::default() }).await;
    assert_eq!(ids.len(), 250);

    let h = c.get_finding_history(&HistoryRequest::new(keys(&all)[7].clone())).await.unwrap();
    let newest = &h.records[0];
    assert_eq!((newest.source.as_str(), newest.identity.as_str()), ("BATCH_UPDATE_FINDINGS", "alice"), "{h:?}");
    assert!(
        newest.updates.iter().any(|u| u.field == "Workflow.Status" && u.new.as_deref() == Some("RESOLVED")),
        "{h:?}"
    );
    assert!(h.records.iter().any(|r| r.created), "the import is in the history too: {h:?}");

    let stderr = s.stop();
    assert!(stderr.contains("BatchUpdateFindings: 3 calls"), "250 findings in calls of at most 100: {stderr}");
}

#[tokio::test]
async fn a_wrong_secret_is_access_denied_and_the_secret_is_not_shown() {
    let s = Server::start(&[]);
    let home = tempfile::tempdir().unwrap();
    let wrong = "not-alice/Secret+Key";
    let c = client(&s, &env_keys(home.path(), wrong), fast_retries(5)).await;
    let e = c.get_findings(&GetFindingsRequest::default()).await.unwrap_err();
    assert!(matches!(e, RemoteError::AccessDenied { .. }), "{e:?}");
    let backend = hubtriage::backend::BackendError::from(e.clone());
    assert_eq!(backend.kind, ErrorKind::AccessDenied);
    let m = backend.message;
    assert!(m.contains("access denied: GetFindings") && m.contains("InvalidSignatureException"), "{m}");
    for shown in [m.clone(), format!("{e:?}"), format!("{c:?}")] {
        assert!(!shown.contains(wrong) && !shown.contains("not-alice"), "{shown}");
    }
    assert_eq!(c.stats().retries, 0, "a refused signature is not retried");
}

/// `--throttle aws`: a burst of calls beyond the published burst all succeed, paced at the rate.
#[tokio::test]
async fn under_aws_throttling_a_burst_of_calls_all_succeed() {
    let s = Server::start(&["--throttle", "aws"]);
    let home = tempfile::tempdir().unwrap();
    let c = client(&s, &env_keys(home.path(), SECRET), ClientConfig::default()).await;
    let t = Instant::now();
    // GetFindings: 3 per second, burst 6: 15 calls take at least 3 s.
    let one = GetFindingsRequest { max_results: 1, ..Default::default() };
    let calls = (0..15).map(|_| c.get_findings(&one));
    let results = futures_util::future::join_all(calls).await;
    let failed: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(failed.is_empty(), "{failed:?}");
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(2900), "the client kept to the rate: {took:?}");
    assert!(took < Duration::from_secs(8), "and used it: {took:?}");
    assert_eq!(c.stats().calls, 15);
    eprintln!("15 GetFindings under --throttle aws: {took:?}, {:?}", c.stats());
}

#[tokio::test]
async fn server_errors_and_dropped_connections_are_retried() {
    let home = tempfile::tempdir().unwrap();
    for fault in ["error=503@0.5", "error=500@0.3", "drop@0.4"] {
        let s = Server::start(&["--fault", fault, "--seed", "11"]);
        let c = client(&s, &env_keys(home.path(), SECRET), fast_retries(12)).await;
        for i in 0..12 {
            let r = c.get_findings(&GetFindingsRequest { max_results: 1, ..Default::default() }).await;
            assert!(r.is_ok(), "{fault}, call {i}: {r:?}");
        }
        let stats = c.stats();
        assert_eq!(stats.calls, 12);
        assert!(stats.retries > 0, "{fault}: the faults were met and retried: {stats:?}");
    }
}

#[tokio::test]
async fn an_endpoint_that_is_down_is_reported_unreachable() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let home = tempfile::tempdir().unwrap();
    let opts = RemoteOptions { endpoint_url: Some(format!("http://127.0.0.1:{port}")), ..Default::default() };
    let c = Client::connect(&opts, &env_keys(home.path(), SECRET), fast_retries(3)).await.unwrap();
    let e = c.get_findings(&GetFindingsRequest::default()).await.unwrap_err();
    assert!(matches!(e, RemoteError::Unreachable { attempts: 3, .. }), "{e:?}");
    assert_eq!(e.kind(), ErrorKind::Unavailable);
    assert!(e.to_string().contains(&format!("cannot reach http://127.0.0.1:{port}")), "{e}");
}

#[tokio::test]
async fn no_credentials_at_all_says_which_profile_and_sources() {
    let home = tempfile::tempdir().unwrap();
    let opts = RemoteOptions {
        endpoint_url: Some("http://127.0.0.1:9".into()),
        region: Some("eu-west-1".into()),
        ..Default::default()
    };
    let e = Client::connect(&opts, &env(home.path(), &[("AWS_PROFILE", "audit")]), ClientConfig::default())
        .await
        .unwrap_err();
    assert!(matches!(e, RemoteError::NoCredentials { .. }), "{e:?}");
    assert!(e.to_string().contains("for profile audit"), "{e}");
}

/// A clock an hour slow: the first request is refused as expired, the client signs again on the
/// endpoint's clock (its `Date` header) and the call succeeds.
#[tokio::test]
async fn a_slow_clock_is_corrected_from_the_endpoint() {
    let s = Server::start(&[]);
    let home = tempfile::tempdir().unwrap();
    let config =
        ClientConfig { clock: || time::OffsetDateTime::now_utc() - time::Duration::hours(1), ..fast_retries(3) };
    let c = client(&s, &env_keys(home.path(), SECRET), config).await;
    c.get_findings(&GetFindingsRequest::default()).await.unwrap();
}

/// `RemoteBackend`, the workbench's `Backend` over the client: listing, documents, a query, an
/// update call and history, all against `serve`.
#[test]
fn the_remote_backend_serves_the_workbench_operations() {
    let s = Server::start(&[]);
    let home = tempfile::tempdir().unwrap();
    let e = env_keys(home.path(), SECRET);
    let all = findings(s.dir.path(), 150);
    // Seeded with a client of its own: the backend's connections live on the backend's runtime.
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(async { import(&client(&s, &e, ClientConfig::default()).await, &all).await });

    let opts = RemoteOptions { endpoint_url: Some(s.url()), ..Default::default() };
    let mut b = RemoteBackend::connect(&opts, &e, ClientConfig::default()).unwrap();
    // Every finding, not the console's default view that the workbench mirrors by default.
    b.set_view(hubtriage::remote::cache::View::all());
    assert_eq!(b.count().unwrap(), None);
    assert!(b.describe().contains(&s.url()) && b.describe().contains("us-east-1"), "{}", b.describe());
    assert!(!b.capabilities().seed);

    let mut rows = Vec::new();
    b.for_each_summary(&mut |r| {
        rows.push(r);
        true
    })
    .unwrap();
    // Then the refresh, as the worker does: the cache is empty, so every row comes from the sync.
    assert!(b.refreshes());
    b.refresh_summaries(&mut |r| {
        rows.push(r);
        true
    })
    .unwrap();
    assert_eq!(rows.len(), 150);
    let ids: Vec<FindingId> = keys(&all).into_iter().map(FindingId::Asff).collect();
    let listed: HashSet<&FindingId> = rows.iter().map(|r| &r.key).collect();
    assert_eq!(listed, ids.iter().collect::<HashSet<_>>());
    // SeverityLabel follows Severity.Normalized (the import rules), so the labels come in order.
    let order: Vec<Option<SeverityLabel>> = rows.iter().map(|r| r.severity).collect();
    assert!(order.windows(2).all(|w| w[0] >= w[1]), "most severe first: {order:?}");

    // Stopping early stops reading.
    let mut seen = 0;
    b.for_each_summary(&mut |_| {
        seen += 1;
        seen < 3
    })
    .unwrap();
    assert_eq!(seen, 3);

    // Documents in the order asked, 25 of them (two filtered calls), one that does not exist.
    let mut asked: Vec<FindingId> = ids[100..125].iter().rev().cloned().collect();
    asked.insert(3, FindingId::asff("arn:aws:securityhub:us-east-1::product/x/y", "missing"));
    let docs = b.documents(&asked).unwrap();
    assert_eq!(docs.len(), 26);
    assert!(docs[3].is_none());
    for (id, doc) in asked.iter().zip(&docs).filter(|(_, d)| d.is_some()) {
        assert_eq!(FindingKey::of(doc.as_ref().unwrap()).map(FindingId::Asff).as_ref(), Some(id));
    }

    let q = hubtriage::query::parse("status:notified").unwrap();
    let before: HashSet<FindingId> = b.query(&q).unwrap().into_iter().collect();
    let update = FindingUpdate { workflow_status: Some(WorkflowStatus::Notified), ..Default::default() };
    let mut call_ids = ids[..40].to_vec();
    call_ids.push(FindingId::asff("arn:aws:securityhub:us-east-1::product/x/y", "missing"));
    let outcome = b.batch_update(&UpdateCall { ids: call_ids, update }).unwrap();
    // Acknowledged once on the outbox's disk, without waiting for the remote: the refusal of the
    // missing finding comes back through the outbox (the workbench's `!`), with its code.
    assert_eq!((outcome.processed.len(), outcome.unprocessed.len()), (41, 0));
    let outbox = b.outbox_path().unwrap();
    let t = std::time::Instant::now();
    let refused = loop {
        let state = hubtriage::remote::pending::read(&outbox).unwrap();
        if state.queued.is_empty() && !state.refused.is_empty() {
            break state.refused;
        }
        assert!(t.elapsed() < std::time::Duration::from_secs(30), "{state:?}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(refused[0].reason.starts_with("FindingNotFound"), "{refused:?}");

    let after: HashSet<FindingId> = b.query(&q).unwrap().into_iter().collect();
    let expected: HashSet<FindingId> = before.iter().chain(&ids[..40]).cloned().collect();
    assert!(after == expected, "{} notified, expected {}", after.len(), expected.len());

    let h = b.history(&ids[0]).unwrap();
    assert_eq!(h[0].who, "alice");
    assert!(h[0].changes.iter().any(|c| c.field == "Workflow.Status" && c.new.as_deref() == Some("NOTIFIED")), "{h:?}");
    // Documents and queries are answered by the read cache now: the remote saw the sync's two
    // pages, the update and the history (it was >= 8 when every read went to the remote).
    assert!(b.stats().calls >= 4, "{:?}", b.stats());
}

/// The remote flags work with the workbench and the commands that can work on a remote (sync,
/// outbox, findings, update, history, api, simulate); a command that cannot (import, generate, org) refuses
/// them rather than quietly using the local store, and `--profile`/`--region` alone say to add
/// `--remote`. (Until the read cache, findings and update refused them too.)
#[test]
fn remote_flags_are_refused_by_local_only_commands() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let o = Command::new(BIN)
            .args(["--store", dir.path().join("s.db").to_str().unwrap()])
            .args(args)
            .env("HOME", dir.path())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(!o.status.success(), "{args:?}");
        String::from_utf8_lossy(&o.stderr).to_string()
    };
    let only = "findings, update, history, api and simulate only";
    assert!(run(&["--remote", "import", "x.json"]).contains(only));
    assert!(run(&["--endpoint-url", "http://127.0.0.1:9", "generate"]).contains(only));
    assert!(run(&["org", "show", "--endpoint-url", "http://127.0.0.1:9"]).contains(only), "after the command too");
    assert!(run(&["--profile", "audit"]).contains("add --remote"));
    assert!(run(&["--remote", "--demo"]).contains("cannot be used with"));
    // Not a terminal: said, instead of an overview of the local store.
    assert!(run(&["--endpoint-url", "http://127.0.0.1:9"]).contains("needs a terminal"));
    // The client's pacing is published or none, nothing else.
    let e = run(&["--rate-limit", "fast", "--endpoint-url", "http://127.0.0.1:9", "findings"]);
    assert!(e.contains("published") && e.contains("none"), "{e}");
}
