//! CLI benchmark: prints figures, asserts nothing about time.
//!
//! `cargo bench --bench cli` (set BENCH_COUNT to change the 100,000 findings).
//! Runs the `hubtriage` binary as an analyst would, on a store of BENCH_COUNT generated findings:
//! 1. `findings` listing every finding in each format (table, JSON, CSV) to a pipe that is drained
//!    and counted: wall seconds and the child's peak resident memory;
//! 2. the same at a tenth of the count, so memory "flat in the count" is seen next to it;
//! 3. `update --yes` of 10,000 matching findings, end to end (select, preview, calls of 100).

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
    let mut bytes = 0;
    loop {
        let n = out.read(&mut buf).expect("read stdout");
        if n == 0 {
            break;
        }
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
    Run { secs: t.elapsed().as_secs_f64(), cpu, peak_mb: usage.ru_maxrss as f64 / 1024.0, bytes }
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

    let small = (count / 10).max(1);
    let small_store = make_store(&dir, small);
    let store = make_store(&dir, count);
    listing(&small_store, small);
    listing(&store, count);

    // `update` of a query matching at least 10,000 findings: whole accounts, taken in order until
    // 10,000 (or every finding) is reached, read off the CSV listing.
    let csv = output(&store, &["findings", "", "--format", "csv"]);
    let mut per_account: std::collections::BTreeMap<String, usize> = Default::default();
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let col = reader.headers().expect("csv header").iter().position(|h| h == "AwsAccountId").expect("account column");
    for rec in reader.records() {
        *per_account.entry(rec.expect("csv record")[col].to_string()).or_default() += 1;
    }
    let (mut accounts, mut n) = (Vec::new(), 0);
    for (a, c) in per_account {
        if n >= count.min(10_000) {
            break;
        }
        accounts.push(a);
        n += c;
    }
    let query = format!("account:{}", accounts.join(","));
    let r = run(&store, &["update", "--yes", "--workflow", "notified", "--note", "bench", &query]);
    println!(
        "update --yes of {n} matching findings (select + preview + calls of 100): {:.2} s (CPU {:.2} s), peak {:.1} MB",
        r.secs, r.cpu, r.peak_mb
    );
    let _ = std::fs::remove_dir_all(&dir);
}
