//! OCSF (Security Hub V2) benchmark: prints figures, asserts nothing about time.
//!
//! `cargo bench --bench ocsf` (set BENCH_COUNT to change the 100,000 findings, BENCH_RUNS the 3 runs).
//! 1. import: generated OCSF JSON bytes -> read (`Incoming::into_ocsf`) -> the store's pipelined import in calls of 100
//!    (`ImportQueue::send_ocsf`), as `hubtriage import` does, BENCH_RUNS times into new stores,
//!    median printed (compare with the ASFF figure of `cargo bench --bench engine` on the same
//!    machine)
//! 2. GetFindingsV2 with a three-filter CompositeFilter, first page (median and worst of 20)
//! 3. BatchUpdateFindingsV2 of 10,000 findings in 100 calls sent together (`Store::batch_updates_v2`,
//!    as `hubtriage update` does), BENCH_RUNS times (median printed)

// A benchmark harness, like a test: a failed step should stop it loudly.
#![allow(clippy::expect_used)]

use std::time::Instant;

use hubtriage::generate::ocsf::generate_ocsf;
use hubtriage::generate::GenOptions;
use hubtriage::input;
use hubtriage::model::wire::batch_update_v2::BatchUpdateV2Request;
use hubtriage::model::wire::get_findings_v2::GetFindingsV2Request;
use hubtriage::store::{Caller, Store, StoreError};
use serde_json::json;

// The allocator the `hubtriage` binary uses, so the figures are its own.
hubtriage::binary_allocator!();

/// CPU seconds (user + system) this process has used: on a shared machine wall time includes
/// waiting for a core, so each step also prints its CPU time.
fn cpu_secs() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// The median, lowest and highest of some runs' figures (at least one).
fn spread(mut figures: Vec<f64>) -> (f64, f64, f64) {
    figures.sort_by(f64::total_cmp);
    (figures[figures.len() / 2], figures[0], figures[figures.len() - 1])
}

/// The CLI's OCSF import path (`hubtriage import`): the file parsed on this thread into calls of
/// 100 sent to the store's import thread (`Store::import_pipelined`, `ImportQueue::send_ocsf`),
/// which imports them in transactions of many calls while the next ones are parsed.
fn import(store: &mut Store, caller: &Caller, json: &[u8], count: usize) -> (f64, f64) {
    let t = Instant::now();
    let cpu = cpu_secs();
    let (read, results) = store
        .import_pipelined(caller, |queue| {
            let mut call = Vec::with_capacity(100);
            input::for_each_finding("bench", json, |f| {
                // As `hubtriage import` reads it: the text kept, the members the import reads parsed.
                match f.into_ocsf().map_err(|e| StoreError::Corrupt(e.to_string()))? {
                    Ok(o) => call.push(o),
                    Err(_) => return Err(StoreError::Corrupt("a generated finding is not OCSF".into())),
                }
                if call.len() == 100 {
                    queue.send_ocsf(std::mem::replace(&mut call, Vec::with_capacity(100)))?;
                }
                Ok::<(), StoreError>(())
            })?;
            if !call.is_empty() {
                queue.send_ocsf(call).map_err(input::ReadError::Sink)?;
            }
            Ok::<(), input::ReadError<StoreError>>(())
        })
        .expect("import");
    read.expect("read");
    let imported: usize = results.into_iter().map(|r| r.expect("call").success_count).sum();
    assert_eq!(imported, count, "every generated finding imports");
    (t.elapsed().as_secs_f64(), cpu_secs() - cpu)
}

fn main() {
    let count: usize = std::env::var("BENCH_COUNT").ok().and_then(|c| c.parse().ok()).unwrap_or(100_000);
    let runs: usize = std::env::var("BENCH_RUNS").ok().and_then(|c| c.parse().ok()).unwrap_or(3).max(1);
    let caller = Caller::unrestricted("bench");
    hubtriage::alloc::tune_for_bulk_import();

    let t = Instant::now();
    let mut json = Vec::with_capacity(count * 3000);
    json.extend_from_slice(b"{\"Findings\":[");
    for (i, f) in generate_ocsf(&GenOptions { count, seed: 1, ..GenOptions::default() }).enumerate() {
        if i > 0 {
            json.push(b',');
        }
        serde_json::to_writer(&mut json, &f).expect("serialise");
    }
    json.extend_from_slice(b"]}");
    println!(
        "generate   {count} OCSF findings, {:.1} MB compact JSON ({:.0} B/finding) in {:.2} s",
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
            "import     run {run}/{runs}: {count} OCSF findings in {secs:.2} s = {:.0} findings/s; cpu {cpu:.2} s = {:.0} findings per cpu second",
            count as f64 / secs,
            count as f64 / cpu
        );
        last = Some((dir, store));
    }
    let (median, lowest, highest) = spread(rates);
    println!("import     median of {runs}: {median:.0} findings/s (goal >= 50,000); lowest {lowest:.0}, highest {highest:.0}");
    let (_dir, mut store) = last.expect("at least one run");
    drop(json);

    // Three conditions ANDed in one composite filter, as a triage view asks.
    let req = GetFindingsV2Request::from_json(&json!({
        "Filters": {"CompositeFilters": [{
            "Operator": "AND",
            "NumberFilters": [{"FieldName": "severity_id", "Filter": {"Gte": 4}}],
            "StringFilters": [
                {"FieldName": "status", "Filter": {"Value": "New", "Comparison": "EQUALS"}},
                {"FieldName": "cloud.region", "Filter": {"Value": "us-east-1", "Comparison": "EQUALS"}}
            ]
        }]},
        "MaxResults": 100
    }))
    .expect("request");
    let access = store.access(&caller).expect("access");
    let mut times = Vec::new();
    let mut n = 0;
    let cpu = cpu_secs();
    for _ in 0..20 {
        let t = Instant::now();
        n = store.get_findings_v2_as(&access, &req).expect("get").findings.len();
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let cpu_ms = (cpu_secs() - cpu) * 1e3 / 20.0;
    times.sort_by(f64::total_cmp);
    println!(
        "get v2     3-filter composite, first page of {n}: median {:.1} ms, worst {:.1} ms (goal <= 50 ms); cpu {cpu_ms:.1} ms per call",
        times[times.len() / 2],
        times[times.len() - 1]
    );

    let page = GetFindingsV2Request::from_json(&json!({"MaxResults": 100})).expect("request");
    let mut uids: Vec<String> = Vec::new();
    let mut next = page;
    while uids.len() < 10_000.min(count) {
        let p = store.get_findings_v2_as(&access, &next).expect("page");
        uids.extend(p.findings.iter().filter_map(|f| f["metadata"]["uid"].as_str().map(str::to_string)));
        match p.next_token {
            Some(t) => next.next_token = Some(t),
            None => break,
        }
    }
    uids.truncate(10_000);
    let mut totals = Vec::new();
    for (run, status) in (1..=runs).zip([4, 2, 3].into_iter().cycle()) {
        let t = Instant::now();
        let cpu = cpu_secs();
        // As `hubtriage update` sends them: the calls of 100 in one `batch_updates_v2`.
        let requests: Vec<BatchUpdateV2Request> = uids
            .chunks(100)
            .map(|chunk| {
                let body = json!({"MetadataUids": chunk, "StatusId": status, "Comment": format!("bulk {status} by the benchmark")});
                BatchUpdateV2Request::from_json(&body).expect("request")
            })
            .collect();
        let answers = store.batch_updates_v2(&caller, &requests).expect("update");
        let processed: usize = answers.iter().map(|r| r.processed.len()).sum();
        let secs = t.elapsed().as_secs_f64();
        let cpu = cpu_secs() - cpu;
        totals.push(secs);
        println!(
            "update v2  run {run}/{runs}: {processed} findings to status_id {status} in {} calls: {secs:.3} s; cpu {cpu:.3} s",
            uids.len().div_ceil(100)
        );
    }
    let (median, lowest, highest) = spread(totals);
    println!("update v2  median of {runs}: {median:.3} s (goal <= 0.5 s); lowest {lowest:.3}, highest {highest:.3}");
}
