//! Engine benchmark: prints figures, asserts nothing about time.
//!
//! `cargo bench --bench engine` (set BENCH_COUNT to change the 100,000 findings).
//! 1. import: generated ASFF JSON bytes -> parse -> BatchImportFindings in calls of 100, BENCH_RUNS
//!    times (3 unless set) into new stores, median printed
//! 2. store size / compact JSON size
//! 3. GetFindings with a 3-field filter, first page (median and worst of 20)
//! 4. BatchUpdateFindings of 10,000 findings in 100 calls, BENCH_RUNS times (median printed)

// A benchmark harness, like a test: a failed step should stop it loudly.
#![allow(clippy::expect_used)]

use std::time::Instant;

use hubtriage::generate::{generate, GenOptions};
use hubtriage::input;
use hubtriage::model::finding::FindingKey;
use hubtriage::model::wire::batch_update::BatchUpdateRequest;
use hubtriage::store::{Caller, GetFindingsRequest, Store};
use serde_json::json;

// The allocator the `hubtriage` binary uses, so the figures are its own.
hubtriage::binary_allocator!();

/// CPU seconds (user, system) this process has used: on a shared machine wall time includes
/// waiting for a core, so each step also prints its CPU time.
fn cpu_secs() -> Cpu {
    // SAFETY: getrusage only writes the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Cpu { user: tv(u.ru_utime), system: tv(u.ru_stime) }
}

#[derive(Clone, Copy)]
struct Cpu {
    user: f64,
    system: f64,
}

impl std::ops::Sub for Cpu {
    type Output = Cpu;
    fn sub(self, o: Cpu) -> Cpu {
        Cpu { user: self.user - o.user, system: self.system - o.system }
    }
}

impl std::fmt::Display for Cpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.2} s (user {:.2}, system {:.2})", self.user + self.system, self.user, self.system)
    }
}

/// The CLI's import path: calls of 100, parsed on this thread while the store imports the calls
/// already sent on another (`Store::import_pipelined`). Returns the wall seconds and the CPU time.
fn import(store: &mut Store, caller: &Caller, json: &[u8], count: usize) -> (f64, Cpu) {
    let t = Instant::now();
    let cpu = cpu_secs();
    let (read, results) = store
        .import_pipelined(caller, |queue| {
            let mut call = Vec::with_capacity(100);
            input::for_each_finding("bench", json, |f| {
                call.push(f);
                if call.len() == 100 {
                    queue.send(std::mem::replace(&mut call, Vec::with_capacity(100)))?;
                }
                Ok::<(), hubtriage::store::StoreError>(())
            })?;
            if !call.is_empty() {
                queue.send(call).map_err(input::ReadError::Sink)?;
            }
            Ok::<(), input::ReadError<hubtriage::store::StoreError>>(())
        })
        .expect("import");
    read.expect("read");
    let imported: usize = results.into_iter().map(|r| r.expect("call").success_count).sum();
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_secs() - cpu;
    assert_eq!(imported, count, "every generated finding imports");
    (secs, cpu)
}

/// The median, lowest and highest of some runs' figures (at least one).
fn spread(mut figures: Vec<f64>) -> (f64, f64, f64) {
    figures.sort_by(f64::total_cmp);
    (figures[figures.len() / 2], figures[0], figures[figures.len() - 1])
}

fn main() {
    let count: usize = std::env::var("BENCH_COUNT").ok().and_then(|c| c.parse().ok()).unwrap_or(100_000);
    // Wall times on a shared machine vary from run to run: the import runs BENCH_RUNS times (3
    // unless set), each into a new store, and the median is the figure.
    let runs: usize = std::env::var("BENCH_RUNS").ok().and_then(|c| c.parse().ok()).unwrap_or(3).max(1);
    let caller = Caller::unrestricted("bench");
    // As the `import` command does (`hubtriage::alloc`).
    hubtriage::alloc::tune_for_bulk_import();

    let t = Instant::now();
    let mut json = Vec::with_capacity(count * 2800);
    json.extend_from_slice(b"{\"Findings\":[");
    for (i, f) in generate(&GenOptions { count, seed: 1, ..GenOptions::default() }).enumerate() {
        if i > 0 {
            json.push(b',');
        }
        serde_json::to_writer(&mut json, &f).expect("serialise");
    }
    json.extend_from_slice(b"]}");
    println!(
        "generate   {count} findings, {:.1} MB compact JSON ({:.0} B/finding) in {:.2} s",
        json.len() as f64 / 1e6,
        json.len() as f64 / count as f64,
        t.elapsed().as_secs_f64()
    );

    let mut rates = Vec::new();
    let mut last = None;
    for run in 1..=runs {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Store::open(dir.path().join("bench.db")).expect("store");
        let (secs, cpu) = import(&mut store, &caller, &json, count);
        rates.push(count as f64 / secs);
        println!(
            "import     run {run}/{runs}: {count} findings in {secs:.2} s = {:.0} findings/s, parse + {} calls; cpu {cpu}",
            count as f64 / secs,
            count.div_ceil(100)
        );
        // The last run's store is kept for the steps below; the others are deleted before the next.
        last = Some((dir, store));
    }
    let (median, lowest, highest) = spread(rates);
    println!("import     median of {runs}: {median:.0} findings/s (goal >= 50,000); lowest {lowest:.0}, highest {highest:.0}");
    let (_dir, mut store) = last.expect("at least one run");

    store.checkpoint().expect("checkpoint");
    let size = store.size_on_disk().expect("size");
    println!(
        "size       store {:.1} MB / JSON {:.1} MB = {:.2} (goal <= 1.2)",
        size as f64 / 1e6,
        json.len() as f64 / 1e6,
        size as f64 / json.len() as f64
    );
    drop(json);

    let req = GetFindingsRequest::from_json(&json!({
        "Filters": {
            "SeverityLabel": [{"Value": "HIGH", "Comparison": "EQUALS"}],
            "WorkflowStatus": [{"Value": "NEW", "Comparison": "EQUALS"}],
            "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}]
        },
        "MaxResults": 100
    }))
    .expect("request");
    let mut times = Vec::new();
    let mut n = 0;
    for _ in 0..20 {
        let t = Instant::now();
        n = store.get_findings(&req, None).expect("get").findings.len();
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "get        3-field filter, first page of {n}: median {:.1} ms, worst {:.1} ms (goal <= 50 ms)",
        times[times.len() / 2],
        times[times.len() - 1]
    );

    let keys: Vec<FindingKey> = store
        .find_all(&Default::default(), &[], Some(10_000.min(count)), None)
        .expect("keys")
        .iter()
        .filter_map(FindingKey::of)
        .collect();
    // Each run updates the same 10,000 findings to another workflow status, so every run changes
    // every finding.
    let mut totals = Vec::new();
    for (run, status) in (1..=runs).zip(["RESOLVED", "NOTIFIED", "SUPPRESSED"].into_iter().cycle()) {
        let t = Instant::now();
        let cpu = cpu_secs();
        let mut calls = Vec::new();
        let mut processed = 0;
        for chunk in keys.chunks(100) {
            let body = json!({
                "FindingIdentifiers": chunk.iter().map(FindingKey::to_json).collect::<Vec<_>>(),
                "Workflow": {"Status": status},
                "Note": {"Text": format!("bulk {status} by the benchmark"), "UpdatedBy": "bench"}
            });
            let c = Instant::now();
            processed += store
                .batch_update(&caller, &BatchUpdateRequest::from_json(&body).expect("req"))
                .expect("update")
                .processed
                .len();
            calls.push(c.elapsed().as_secs_f64() * 1e3);
        }
        let secs = t.elapsed().as_secs_f64();
        let cpu = cpu_secs() - cpu;
        calls.sort_by(f64::total_cmp);
        totals.push(secs);
        println!(
            "update     run {run}/{runs}: {processed} findings to {status} in {} calls: {secs:.3} s, p50 per call {:.1} ms, worst {:.1} ms; cpu {cpu}",
            calls.len(),
            calls[calls.len() / 2],
            calls[calls.len() - 1]
        );
    }
    let (median, lowest, highest) = spread(totals);
    println!("update     median of {runs}: {median:.3} s (goal <= 0.5 s); lowest {lowest:.3}, highest {highest:.3}");
}
