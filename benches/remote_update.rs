//! Bulk-resolve benchmark of remote mode: prints figures, asserts nothing about time.
//!
//! `cargo bench --bench remote_update` (BENCH_UPDATE_COUNT changes the 10,000 findings;
//! BENCH_ONLY=throttled, unthrottled or unlimited runs one part).
//!
//! Each part resolves BENCH_UPDATE_COUNT findings as `hubtriage update QUERY --endpoint-url URL
//! --yes` does once it has selected them: one edit committed to the durable outbox, then a
//! foreground pass of the sender (identical updates grouped into BatchUpdateFindings calls of 100,
//! several in flight under the client's token bucket), and checks in serve's store that every
//! finding is RESOLVED. It prints the wall time of the pass, the calls, the client's retries, the
//! ideal and the rate.
//! 1. `throttled`: against `hubtriage serve --throttle aws` (BatchUpdateFindings 10 a second, burst
//!    30); the ideal is (calls - 30) / 10 s.
//! 2. `unthrottled`: against a `serve` without throttling, with the client as the CLI builds it by
//!    default (`--rate-limit published`): its bucket keeps to Security Hub's published rate, so the
//!    ideal is the same as above.
//! 3. `unlimited`: the same with `--rate-limit none` (the client's bucket lifted), what the outbox,
//!    the sender and serve carry when the rate is not the bound.

// A benchmark harness, like a test: a failed step should stop it loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use hubtriage::model::enums::WorkflowStatus;
use hubtriage::model::finding::FindingKey;
use hubtriage::model::update::FindingUpdate;
use hubtriage::remote::backend::outbox_path;
use hubtriage::remote::outbox::Outbox;
use hubtriage::remote::{sender, Client, ClientConfig, Environment, RemoteOptions};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_hubtriage");

struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `serve` on a loopback port over `store` (no --auth: the client signs, nothing checks).
fn serve(store: &Path, extra: &[&str]) -> (Serve, String) {
    let mut child = Command::new(BIN)
        .args(["--store", store.to_str().unwrap(), "serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim().strip_prefix("listening on http://").expect("serve's address").to_string();
    (Serve(child), addr)
}

fn local(store: &Path, args: &[&str]) -> std::process::Output {
    let o = Command::new(BIN)
        .args(["--store", store.to_str().unwrap()])
        .args(args)
        .env("XDG_CONFIG_HOME", store.parent().unwrap().join("config"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    o
}

/// A store of `n` generated ASFF findings, and their keys.
fn seeded_store(dir: &Path, n: usize) -> (std::path::PathBuf, Vec<FindingKey>) {
    let store = dir.join("serve.db");
    let gen = dir.join("gen.json");
    local(&store, &["generate", "--count", &n.to_string(), "--seed", "13", "-o", gen.to_str().unwrap()]);
    local(&store, &["import", gen.to_str().unwrap()]);
    let doc: Value = serde_json::from_slice(&std::fs::read(&gen).unwrap()).unwrap();
    let docs = doc.get("Findings").and_then(Value::as_array).cloned().unwrap_or_default();
    (store, docs.iter().filter_map(FindingKey::of).collect())
}

fn resolved(store: &Path) -> usize {
    let o = local(store, &["findings", "status:resolved", "--format", "csv"]);
    String::from_utf8_lossy(&o.stdout).lines().count().saturating_sub(1)
}

fn environment(home: &Path) -> Environment {
    let vars = [
        ("AWS_ACCESS_KEY_ID", "AKIDBENCH".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "bench/secret".to_string()),
        ("AWS_REGION", "us-east-1".to_string()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_string()),
        ("HOME", home.to_str().unwrap().to_string()),
        ("XDG_CACHE_HOME", home.join("cache").to_str().unwrap().to_string()),
        ("AWS_CONFIG_FILE", home.join("aws-config").to_str().unwrap().to_string()),
        ("AWS_SHARED_CREDENTIALS_FILE", home.join("aws-credentials").to_str().unwrap().to_string()),
    ];
    Environment::from_map(vars.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<HashMap<_, _>>())
}

/// One bulk resolve: `n` findings through the outbox and a sender pass against serve with `extra`.
fn bulk_resolve(label: &str, n: usize, extra: &[&str], limited: bool) {
    let dir = tempfile::tempdir().unwrap();
    let (store, keys) = seeded_store(dir.path(), n);
    let (_serve, addr) = serve(&store, extra);
    let home = dir.path().join("home");
    let env = environment(&home);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let mut config = ClientConfig::default();
    if !limited {
        config.limiter = Arc::new(hubtriage::remote::limit::RateLimit::None.limiter());
    }
    let opts = RemoteOptions { endpoint_url: Some(format!("http://{addr}")), ..Default::default() };
    let client = runtime.block_on(Client::connect(&opts, &env, config)).unwrap();
    let path = runtime.block_on(outbox_path(&client, &env)).unwrap();
    let account = runtime.block_on(client.account_key()).unwrap();
    let mut outbox = Outbox::open(&path, &client.endpoint().url, &account, client.region()).unwrap();
    let update = FindingUpdate { workflow_status: Some(WorkflowStatus::Resolved), ..Default::default() };
    let t = Instant::now();
    outbox.enqueue(&keys, &update, &HashMap::new()).unwrap();
    let queued = t.elapsed().as_secs_f64();
    let outbox = Mutex::new(outbox);
    let r = runtime.block_on(sender::send_pass(&outbox, &client, false, 0)).unwrap();
    let wall = t.elapsed().as_secs_f64();
    assert_eq!((r.sent, r.refused, r.stopped.as_deref()), (n, 0, None), "{r:?}");
    assert_eq!(resolved(&store), n, "serve's store holds every finding resolved");
    let stats = client.stats();
    let ideal = if limited { r.calls.saturating_sub(30) as f64 / 10.0 } else { 0.0 };
    let against = if limited {
        format!("ideal at 10/s burst 30: {ideal:.1} s, {:+.1}%", (wall / ideal - 1.0) * 100.0)
    } else {
        "no ideal: nothing bounds the rate".to_string()
    };
    println!(
        "{label}: {n} findings resolved through the outbox and the sender in {wall:.2} s (outbox commit {queued:.3} s): \
         {} calls, {} retries ({} after throttling); {against}; {:.0} findings/s",
        r.calls,
        stats.retries,
        stats.throttled,
        n as f64 / wall
    );
}

fn main() {
    let n = std::env::var("BENCH_UPDATE_COUNT").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    if only.is_empty() || only == "throttled" {
        bulk_resolve("serve --throttle aws", n, &["--throttle", "aws"], true);
    }
    if only.is_empty() || only == "unthrottled" {
        bulk_resolve("serve unthrottled, the client's bucket at the published rate", n, &[], true);
    }
    if only.is_empty() || only == "unlimited" {
        bulk_resolve("serve unthrottled, the client's bucket lifted", n, &[], false);
    }
}
