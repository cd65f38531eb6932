//! CLI benchmark: prints figures, asserts nothing about time.
//!
//! `cargo bench --bench cli` (set BENCH_COUNT to change the 100,000 findings).
//! Runs the `hubtriage` binary as an analyst would, on a store of BENCH_COUNT generated findings:
//! 1. `findings` listing every finding in each format (table, JSON, CSV) to a pipe that is drained
//!    and counted: wall seconds and the child's peak resident memory;
//! 2. the same at a tenth of the count, so memory "flat in the count" is seen next to it;
//! 3. `update --yes` of a query matching 10,000 findings (or a little more), end to end (select,
//!    preview, calls of 100 in one transaction, exit), three rounds, each on a fresh copy of the store.
//!
//! BENCH_ONLY=update skips the listings.

// A benchmark harness, like a test: a failed step should stop it loudly.
#![allow(clippy::expect_used)]

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_hubtriage");

/// A child's wall seconds, peak resident memory (MB) and the bytes it wrote to stdout.
struct Run {
    secs: f64,
    /// The child's CPU seconds (user + system): on a shared machine wall time includes waiting.
    cpu: f64,
    peak_mb: f64,
    bytes: usize,
    /// Seconds from the start to the first and to the last byte written to stdout.
    first_out: f64,
    last_out: f64,
}

/// Runs `hubtriage args...`, draining its stdout, and reads its peak RSS from wait4.
// The child is reaped by wait4 (which `Child::wait` cannot do: it gives no rusage).
#[allow(clippy::zombie_processes)]
fn run(store: &Path, args: &[&str]) -> Run {
    let t = Instant::now();
    let mut child = Command::new(BIN)
        .arg("--store")
        .arg(store)
        .args(args)
        .env("HUBTRIAGE_USER", "bench")
        .env_remove("HUBTRIAGE_ACCOUNT")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn hubtriage");
    let mut out = child.stdout.take().expect("stdout");
    let mut buf = vec![0u8; 1 << 16];
    let (mut bytes, mut first_out, mut last_out) = (0, 0.0, 0.0);
    loop {
        let n = out.read(&mut buf).expect("read stdout");
        if n == 0 {
            break;
        }
        if bytes == 0 {
            first_out = t.elapsed().as_secs_f64();
        }
        last_out = t.elapsed().as_secs_f64();
        bytes += n;
    }
    let mut status = 0;
    // SAFETY: wait4 only writes the status and the rusage it is given, for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4");
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "hubtriage {args:?} failed");
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    let cpu = tv(usage.ru_utime) + tv(usage.ru_stime);
    Run { secs: t.elapsed().as_secs_f64(), cpu, peak_mb: usage.ru_maxrss as f64 / 1024.0, bytes, first_out, last_out }
}

/// What `hubtriage args...` prints.
fn output(store: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new(BIN).arg("--store").arg(store).args(args).output().expect("run hubtriage");
    assert!(out.status.success(), "hubtriage {args:?} failed");
    out.stdout
}

/// A store of `count` generated findings (seed 7), made through the CLI's own import.
fn make_store(dir: &Path, count: usize) -> std::path::PathBuf {
    let file = dir.join(format!("findings-{count}.json"));
    let store = dir.join(format!("store-{count}.db"));
    let gen = Command::new(BIN)
        .args(["generate", "--count", &count.to_string(), "--seed", "7", "--output"])
        .arg(&file)
        .status()
        .expect("generate");
    assert!(gen.success(), "generate");
    let t = Instant::now();
    let imp = Command::new(BIN)
        .arg("--store")
        .arg(&store)
        .arg("import")
        .arg(&file)
        .env("HUBTRIAGE_USER", "bench")
        .stdout(Stdio::null())
        .status()
        .expect("import");
    assert!(imp.success(), "import");
    println!("store of {count} findings imported in {:.2} s", t.elapsed().as_secs_f64());
    store
}

fn listing(store: &Path, count: usize) {
    for format in ["table", "json", "csv"] {
        let r = run(store, &["findings", "", "--format", format]);
        println!(
            "findings --format {format:<5} all {count:>7}: {:>6.2} s (CPU {:>5.2} s), peak {:>6.1} MB, {:>6.1} MB written",
            r.secs,
            r.cpu,
            r.peak_mb,
            r.bytes as f64 / 1e6
        );
    }
}

fn main() {
    let count: usize = std::env::var("BENCH_COUNT").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("hubtriage-cli-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");

    let only_update = std::env::var("BENCH_ONLY").is_ok_and(|v| v == "update");
    let store = make_store(&dir, count);
    if !only_update {
        let small = (count / 10).max(1);
        let small_store = make_store(&dir, small);
        listing(&small_store, small);
        listing(&store, count);
    }

    // `update` of a query matching at least 10,000 findings, as few over as the data allows: the
    // query `account:A,B,… severity:X,Y,…` over the first accounts (in order) and the subset of
    // severity labels whose count is the smallest at or over 10,000, read off the CSV listing.
    let csv = output(&store, &["findings", "", "--format", "csv"]);
    let mut counts: std::collections::BTreeMap<(String, String), usize> = Default::default();
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let headers = reader.headers().expect("csv header").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect("csv column");
    let (account, severity) = (col("AwsAccountId"), col("SeverityLabel"));
    for rec in reader.records() {
        let rec = rec.expect("csv record");
        *counts.entry((rec[account].to_string(), rec[severity].to_string())).or_default() += 1;
    }
    let accounts: Vec<&String> =
        counts.keys().map(|(a, _)| a).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    let labels: Vec<&String> =
        counts.keys().map(|(_, l)| l).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    let target = count.min(10_000);
    let mut best: Option<(usize, usize, u32)> = None;
    for a in 1..=accounts.len() {
        for mask in 1..(1u32 << labels.len()) {
            let n: usize = accounts[..a]
                .iter()
                .flat_map(|acc| {
                    labels.iter().enumerate().filter(move |(i, _)| mask >> i & 1 == 1).map(move |(_, l)| (*acc, *l))
                })
                .map(|(acc, l)| counts.get(&(acc.clone(), l.clone())).copied().unwrap_or(0))
                .sum();
            if n >= target && best.is_none_or(|(m, _, _)| n < m) {
                best = Some((n, a, mask));
            }
        }
    }
    let (n, a, mask) = best.expect("a query matching enough findings");
    let chosen: Vec<String> =
        labels.iter().enumerate().filter(|(i, _)| mask >> i & 1 == 1).map(|(_, l)| l.to_ascii_lowercase()).collect();
    let query = format!(
        "account:{} severity:{}",
        accounts[..a].iter().map(|s| s.as_str()).collect::<Vec<_>>().join(","),
        chosen.join(",")
    );
    for round in 1..=3 {
        // Each round on a fresh copy of the store, so every round changes the same findings.
        let copy = dir.join(format!("update-{round}.db"));
        std::fs::copy(&store, &copy).expect("copy the store");
        let r = run(&copy, &["update", "--yes", "--workflow", "notified", "--note", "bench", &query]);
        println!(
            "update --yes of {n} matching findings, end to end: {:.2} s (CPU {:.2} s), peak {:.1} MB; \
             preview after {:.2} s, answers after {:.2} s",
            r.secs, r.cpu, r.peak_mb, r.first_out, r.last_out
        );
        let _ = std::fs::remove_file(&copy);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
