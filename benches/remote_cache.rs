//! Remote read cache benchmark: prints figures, asserts nothing about time.
//!
//! `cargo bench --bench remote_cache` (BENCH_SYNC_COUNT and BENCH_CACHE_COUNT change the 20,000 and
//! 100,000 findings; BENCH_ONLY=sync or reopen runs one part).
//! 1. First sync of BENCH_SYNC_COUNT findings (every finding) against `hubtriage serve --throttle
//!    aws` (GetFindings 3 a second, burst 6), through `RemoteBackend` as the workbench loads its
//!    list: seconds to the first row, to the first 500 rows (the worker's first chunk, the first
//!    frame with rows), and to the end, next to the ideal at the published rate.
//! 2. Reopening a cached remote of BENCH_CACHE_COUNT findings (the endpoint up, nothing changed
//!    since the last sync): seconds from `RemoteBackend::connect` to the first 500 rows, and to the
//!    end of the load (the listing and the refresh).

// A benchmark harness, like a test: a failed step should stop it loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use hubtriage::backend::Backend;
use hubtriage::generate::{generate, GenOptions};
use hubtriage::remote::cache::{cache_path, Cache, View};
use hubtriage::remote::outbox;
use hubtriage::remote::{ClientConfig, Environment, RemoteBackend, RemoteOptions};

const BIN: &str = env!("CARGO_BIN_EXE_hubtriage");
const FIRST_FRAME_ROWS: usize = 500;

fn count(var: &str, default: usize) -> usize {
    std::env::var(var).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

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

/// A store of `n` generated findings.
fn seeded_store(dir: &Path, n: usize) -> std::path::PathBuf {
    let store = dir.join("serve.db");
    let gen = dir.join("gen.json");
    let ok = |args: &[&str]| {
        let s = Command::new(BIN).args(["--store", store.to_str().unwrap()]).args(args).status().unwrap();
        assert!(s.success(), "{args:?}");
    };
    ok(&["generate", "--count", &n.to_string(), "--seed", "11", "-o", gen.to_str().unwrap()]);
    ok(&["import", gen.to_str().unwrap()]);
    store
}

fn environment(home: &Path) -> Environment {
    let cache = home.join("cache");
    let vars = [
        ("AWS_ACCESS_KEY_ID", "AKIDBENCH"),
        ("AWS_SECRET_ACCESS_KEY", "bench/secret"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("HOME", home.to_str().unwrap()),
        ("XDG_CACHE_HOME", cache.to_str().unwrap()),
    ];
    Environment::from_map(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<HashMap<_, _>>())
}

fn connect(home: &Path, url: &str) -> RemoteBackend {
    let opts = RemoteOptions { endpoint_url: Some(url.to_string()), ..Default::default() };
    let mut b = RemoteBackend::connect(&opts, &environment(home), ClientConfig::default()).unwrap();
    b.set_view(View::all());
    b
}

/// One load of the list: seconds to the first row, to the first frame's rows, to the end; rows.
fn load(started: Instant, b: &RemoteBackend) -> (f64, f64, f64, usize) {
    let (mut first, mut frame, mut n) = (None, None, 0usize);
    let mut sink = |_| {
        n += 1;
        first.get_or_insert_with(|| started.elapsed().as_secs_f64());
        if n == FIRST_FRAME_ROWS {
            frame = Some(started.elapsed().as_secs_f64());
        }
        true
    };
    // As the worker loads: the cached rows, then the refresh's.
    b.for_each_summary(&mut sink).unwrap();
    b.refresh_summaries(&mut sink).unwrap();
    let end = started.elapsed().as_secs_f64();
    (first.unwrap_or(end), frame.unwrap_or(end), end, n)
}

fn first_sync() {
    let n = count("BENCH_SYNC_COUNT", 20_000);
    let dir = tempfile::tempdir().unwrap();
    let store = seeded_store(dir.path(), n);
    let (_serve, addr) = serve(&store, &["--throttle", "aws"]);
    let home = dir.path().join("home");
    let t = Instant::now();
    let b = connect(&home, &format!("http://{addr}"));
    let (first, frame, end, rows) = load(t, &b);
    let pages = n.div_ceil(100);
    let ideal = pages.saturating_sub(6) as f64 / 3.0;
    println!(
        "first sync of {rows} findings ({pages} pages) against serve --throttle aws: first row {first:.2} s, \
         first {FIRST_FRAME_ROWS} rows {frame:.2} s, all {end:.1} s (ideal at 3/s burst 6: {ideal:.1} s, {:+.1}%); \
         {} calls, {} retries",
        (end / ideal - 1.0) * 100.0,
        b.stats().calls,
        b.stats().retries
    );
}

fn reopen() {
    let n = count("BENCH_CACHE_COUNT", 100_000);
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("empty.db");
    let (_serve, addr) = serve(&store, &[]);
    let url = format!("http://{addr}");
    let home = dir.path().join("home");
    // A sync of the (empty) remote leaves the cache synced; the findings are then written into it
    // as pages of a sync would be.
    let _ = load(Instant::now(), &connect(&home, &url));
    let env = environment(&home);
    let path = cache_path(&outbox::store_path(&outbox::cache_dir(&env).unwrap(), &url, "AKIDBENCH", "us-east-1"));
    let t = Instant::now();
    {
        let mut cache = Cache::open(&path).unwrap();
        let docs: Vec<serde_json::Value> =
            generate(&GenOptions { count: n, seed: 12, ..GenOptions::default() }).collect();
        for page in docs.chunks(1_000) {
            cache.store.mirror(page).unwrap();
        }
    }
    println!("(cache of {n} findings written in {:.1} s)", t.elapsed().as_secs_f64());
    for round in 1..=3 {
        let t = Instant::now();
        let b = connect(&home, &url);
        let (_, frame, end, rows) = load(t, &b);
        println!(
            "reopen {round}: cached remote of {rows} findings: first {FIRST_FRAME_ROWS} rows {frame:.3} s after connect, \
             whole list and refresh {end:.2} s"
        );
    }
}

fn main() {
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    if only.is_empty() || only == "reopen" {
        reopen();
    }
    if only.is_empty() || only == "sync" {
        first_sync();
    }
}
