//! Remote read cache benchmark: prints figures, asserts nothing about time.
//!
//! `cargo bench --bench remote_cache` (BENCH_SYNC_COUNT, BENCH_CACHE_COUNT and BENCH_RECHECK_COUNT
//! change the 20,000, 100,000 and 2,000 findings; BENCH_ONLY=sync, reopen or recheck runs one part).
//! 1. First sync of BENCH_SYNC_COUNT findings (every finding) against `hubtriage serve --throttle
//!    aws` (GetFindings 3 a second, burst 6), through `RemoteBackend` as the workbench loads its
//!    list: seconds to the first row, to the first 500 rows (the worker's first chunk, the first
//!    frame with rows), and to the end, next to the ideal at the published rate.
//! 2. Reopening a cached remote of BENCH_CACHE_COUNT findings (the endpoint up, nothing changed
//!    since the last sync): seconds from `RemoteBackend::connect` to the first 500 rows, and to the
//!    end of the load (the listing and the refresh).
//! 3. The recheck pass over BENCH_RECHECK_COUNT cached findings (the background re-read that catches
//!    other analysts' BatchUpdateFindings edits, which no refresh brings), against `serve --throttle
//!    aws` with the client at the published rates and against an unthrottled serve with
//!    `--rate-limit none`: (a) one round of `recheck::Pass` calls back to back, as fast as the
//!    client's bucket lets (20 Ids a GetFindings call); (b) the pass as the workbench runs it
//!    (`RemoteBackend::recheck_in_background`: one call each 500 ms while the GetFindings bucket
//!    holds more than 3 tokens): the time for a round, and how long another process's
//!    BatchUpdateFindings of the finding halfway through the round takes to reach the cache.

// A benchmark harness, like a test: a failed step should stop it loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use hubtriage::backend::Backend;
use hubtriage::generate::{generate, GenOptions};
use hubtriage::remote::cache::{cache_path, Cache, View};
use hubtriage::remote::outbox;
use hubtriage::remote::{Client, ClientConfig, Environment, RemoteBackend, RemoteOptions};

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

/// The client's configuration: at the published rates, or with its bucket lifted.
fn client_config(unlimited: bool) -> ClientConfig {
    let mut config = ClientConfig::default();
    if unlimited {
        config.limiter = Arc::new(hubtriage::remote::limit::RateLimit::None.limiter());
    }
    config
}

fn recheck() {
    use hubtriage::model::finding::FindingId;
    use hubtriage::model::update::{FindingUpdate, NoteUpdate};
    use hubtriage::model::wire::batch_update::BatchUpdateRequest;
    use hubtriage::remote::recheck::{Pass, CALL_EVERY, PER_CALL};
    let n = count("BENCH_RECHECK_COUNT", 2_000);
    let dir = tempfile::tempdir().unwrap();
    let store = seeded_store(dir.path(), n);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let calls = n.div_ceil(PER_CALL);
    for (part, (extra, unlimited)) in [(&["--throttle", "aws"][..], false), (&[][..], true)].into_iter().enumerate() {
        let what = if unlimited { "an unthrottled serve, --rate-limit none" } else { "serve --throttle aws" };
        let (_serve, addr) = serve(&store, extra);
        let url = format!("http://{addr}");
        let home = dir.path().join(format!("home-{part}"));
        let env = environment(&home);
        let opts = RemoteOptions { endpoint_url: Some(url.clone()), ..Default::default() };
        let backend = || {
            let mut b = RemoteBackend::connect(&opts, &env, client_config(unlimited)).unwrap();
            b.set_view(View::all());
            b
        };
        // The cache synced, as the workbench leaves it.
        let (_, _, _, rows) = load(Instant::now(), &backend());
        assert_eq!(rows, n);
        let path = cache_path(&outbox::store_path(&outbox::cache_dir(&env).unwrap(), &url, "AKIDBENCH", "us-east-1"));

        // (a) One round, calls back to back.
        let client = Arc::new(runtime.block_on(Client::connect(&opts, &env, client_config(unlimited))).unwrap());
        // The ASFF pass (the cache holds ASFF findings only).
        let api = hubtriage::remote::endpoint::Api::V1;
        let mut pass = Pass::new(client.clone(), Cache::open(&path).unwrap(), View::all(), None, api);
        let (t, mut checked, mut made) = (Instant::now(), 0, 0);
        while checked < n {
            let Some(r) = runtime.block_on(pass.step()).unwrap() else { break };
            checked += r.checked.len();
            made += 1;
        }
        let round = t.elapsed().as_secs_f64();
        let ideal = if unlimited {
            String::new()
        } else {
            format!(" (ideal at 3/s burst 6: {:.1} s)", calls.saturating_sub(6) as f64 / 3.0)
        };
        println!(
            "recheck, {what}: one round over {checked} cached findings, {made} calls back to back: {round:.2} s{ideal}, \
             {:.0} findings/s",
            checked as f64 / round
        );

        // (b) The workbench's pass, and another process's edit of the finding halfway through it.
        let b = backend();
        let (tx, rx) = std::sync::mpsc::channel();
        assert!(b.recheck_in_background(Box::new(move |r| tx.send(r).is_ok())));
        let keys = Cache::open(&path).unwrap().store.all_keys().unwrap();
        let target = keys[keys.len() / 2].clone();
        let note = FindingUpdate {
            note: Some(NoteUpdate { text: "seen by bob".into(), updated_by: "bob".into() }),
            ..Default::default()
        };
        // Bob: a client of his own (his own process, his own bucket).
        let bob = runtime.block_on(Client::connect(&opts, &env, client_config(unlimited))).unwrap();
        let request = BatchUpdateRequest { identifiers: vec![target.clone()], update: note };
        let answer = runtime.block_on(bob.batch_update_findings(&request)).unwrap();
        assert_eq!(answer.processed.len(), 1);
        let edited = Instant::now();
        let (mut checked, mut round, mut reached) = (0, None, None);
        while round.is_none() || reached.is_none() {
            let r = rx.recv_timeout(std::time::Duration::from_secs(600)).expect("the pass reports");
            checked += r.checked.len();
            if checked >= n {
                round.get_or_insert(edited.elapsed().as_secs_f64());
            }
            if r.updated.iter().any(|s| s.key == FindingId::Asff(target.clone())) {
                reached = Some(edited.elapsed().as_secs_f64());
            }
        }
        let doc = Cache::open(&path).unwrap().store.get(&target).unwrap().unwrap();
        assert_eq!(doc["Note"]["Text"], "seen by bob");
        let pace = PER_CALL as f64 / CALL_EVERY.as_secs_f64();
        println!(
            "recheck, {what}: the workbench's pass: a round over {n} cached findings in {:.1} s (at most {pace:.0} \
             findings/s: {:.1} s); another process's edit of the finding halfway through the round reached the \
             cache {:.1} s after it was made (the worst case is a round)",
            round.unwrap(),
            n as f64 / pace,
            reached.unwrap()
        );
    }
}

fn main() {
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    if only.is_empty() || only == "recheck" {
        recheck();
    }
    if only.is_empty() || only == "reopen" {
        reopen();
    }
    if only.is_empty() || only == "sync" {
        first_sync();
    }
}
