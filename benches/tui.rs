//! Workbench benchmark: drives the app core with real generated data and renders every frame into a
//! ratatui `TestBackend` (160×48). Prints figures, asserts nothing about time.
//!
//! `cargo bench --bench tui` (100,000 findings; `BENCH_COUNT` to change).
//! 0. builds a store of generated findings in a temp dir (timed apart, not part of the figures);
//!    the rest runs in a fresh process (this binary again) so start-up and memory are the
//!    workbench's own, not the builder's
//! 1. first frame: open the store, `AppState::new`, first (loading) frame; then the first frame that
//!    shows rows and the frame after the last row arrived, through the real worker and `StoreBackend`
//! 2. memory with every row loaded: VmRSS / VmHWM, and bytes per row
//! 3. typing a 6-character `/` filter: keystroke -> `update` -> the first frame that shows that
//!    query's matches, per keystroke, typing and backspacing
//! 4. `:` structured queries: answered in memory, and ones that need the store (left out with
//!    `BENCH_MEMORY_ONLY=1`)
//! 5. sorting by another column, reversing it, and opening the group view: action -> frame
//! 6. the detail pane of the largest generated finding: its `DetailView` built and one frame drawn
//!
//! `BENCH_ONLY=typing,sort` runs only those parts after loading (names: memory, typing, fullpass,
//! query, sort, group, detail); unset, every part runs. `BENCH_STORE=PATH` keeps the generated store
//! at PATH and uses it again on the next run with the same `BENCH_COUNT` (the build takes minutes at
//! 1,000,000). Each timed action also prints the process's CPU time (every thread's), since wall time
//! on a shared machine says as much about the other load as about the workbench.

// A benchmark harness, like a test: a failed step should stop it loudly.
#![allow(clippy::expect_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use hubtriage::app::state::{Config, LoadState};
use hubtriage::app::{self, Action, AppState, Effect, Event};
use hubtriage::backend::Backend;
use hubtriage::generate::{generate, GenOptions};
use hubtriage::keys::Keymap;
use hubtriage::store::StoreBackend;
use hubtriage::store::{Caller, Store};
use hubtriage::{ui, worker};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use serde_json::Value;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

// The allocator the `hubtriage` binary uses, so the figures are its own.
hubtriage::binary_allocator!();

/// Set in the measuring child process: the store to open.
const STORE_ENV: &str = "HUBTRIAGE_BENCH_STORE";
const SIZE: (u16, u16) = (160, 48);

fn main() {
    let count: usize = std::env::var("BENCH_COUNT").ok().and_then(|c| c.parse().ok()).unwrap_or(100_000);
    if let Some(path) = std::env::var_os(STORE_ENV) {
        measure(Path::new(&path), count);
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = match std::env::var_os("BENCH_STORE") {
        Some(kept) => std::path::PathBuf::from(kept),
        None => dir.path().join("bench.db"),
    };
    if path.exists() && store_count(&path) == Some(count) {
        println!("setup      store of {count} generated findings kept at {}", path.display());
    } else {
        if path.exists() {
            std::fs::remove_file(&path).expect("remove the kept store of another count");
        }
        build_store(&path, count);
    }
    let status = std::process::Command::new(std::env::current_exe().expect("own path"))
        .args(std::env::args_os().skip(1))
        .env(STORE_ENV, &path)
        .status()
        .expect("run the measuring process");
    assert!(status.success(), "the measuring process failed: {status}");
}

/// How many findings a kept store holds.
fn store_count(path: &Path) -> Option<usize> {
    let conn = rusqlite::Connection::open(path).ok()?;
    conn.query_row("SELECT count(*) FROM findings", [], |r| r.get::<_, i64>(0)).ok().map(|n| n as usize)
}

/// Whether `BENCH_ONLY` (a comma-separated list of part names) asks for `part`; unset, every part.
fn part(name: &str) -> bool {
    std::env::var("BENCH_ONLY").map_or(true, |only| only.split(',').any(|p| p.trim() == name))
}

/// CPU time of the whole process (every thread), to tell the work from the waiting for a core.
fn cpu_time() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes only the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// The calling thread's CPU time: the UI thread's own work, apart from the time it waited for a core.
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes only the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn build_store(path: &Path, count: usize) {
    let t = Instant::now();
    let mut store = Store::open(path).expect("store");
    let caller = Caller::unrestricted("bench");
    let mut calls: Vec<Vec<Value>> = Vec::new();
    let mut call = Vec::with_capacity(100);
    let mut imported = 0;
    for f in generate(&GenOptions { count, seed: 1, ..GenOptions::default() }) {
        call.push(f);
        if call.len() == 100 {
            calls.push(std::mem::replace(&mut call, Vec::with_capacity(100)));
        }
        if calls.len() == 20 {
            for r in store.import_calls(&caller, std::mem::take(&mut calls)).expect("import") {
                imported += r.expect("call").success_count;
            }
        }
    }
    if !call.is_empty() {
        calls.push(call);
    }
    for r in store.import_calls(&caller, calls).expect("import") {
        imported += r.expect("call").success_count;
    }
    store.checkpoint().expect("checkpoint");
    assert_eq!(imported, count, "every generated finding imports");
    println!("setup      store of {count} generated findings built in {:.1} s (not part of the figures)", secs(t));
}

fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The workbench without a terminal: state, keymap, a TestBackend, and the worker's channels.
struct Bench {
    s: AppState,
    keymap: Keymap,
    term: Terminal<TestBackend>,
    effects: UnboundedSender<Effect>,
    events: UnboundedReceiver<Event>,
    /// The CPU time of the last `act`.
    last_cpu: Duration,
}

impl Bench {
    fn draw(&mut self) {
        let (s, keymap) = (&self.s, &self.keymap);
        self.term.draw(|f| ui::render(f, s, keymap)).expect("draw");
        self.s.dirty = false;
    }

    fn send(&self, effects: Vec<Effect>) {
        for e in effects {
            self.effects.send(e).expect("worker alive");
        }
    }

    /// Handles one event from the worker, waiting for it.
    fn handle_next(&mut self) {
        let ev = self.events.blocking_recv().expect("worker alive");
        let effects = app::handle_event(&mut self.s, ev);
        self.send(effects);
    }

    /// Handles whatever the worker already answered, and redraws if needed (between keystrokes).
    fn drain(&mut self) {
        while let Ok(ev) = self.events.try_recv() {
            let effects = app::handle_event(&mut self.s, ev);
            self.send(effects);
        }
        if self.s.dirty {
            self.draw();
        }
    }

    /// One user action, then the frame that shows its result.
    fn act(&mut self, a: Action) -> Duration {
        let (t, c) = (Instant::now(), cpu_time());
        let effects = app::update(&mut self.s, a);
        self.draw();
        let d = t.elapsed();
        self.last_cpu = cpu_time().saturating_sub(c);
        self.send(effects);
        d
    }

    fn screen_text(&self) -> String {
        let buf = self.term.backend().buffer();
        buf.content().iter().map(|c| c.symbol()).collect()
    }
}

fn status_kb(field: &str) -> u64 {
    let text = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.trim_start_matches(':').trim().strip_suffix("kB")?.trim().parse().ok())
        .unwrap_or(0)
}

fn measure(path: &Path, count: usize) {
    hubtriage::alloc::tune_for_workbench();
    let rss_at_start = status_kb("VmRSS");

    // 1. First frame, as `hubtriage` does it: open the store, keymap, state, draw, then load.
    let t0 = Instant::now();
    let backend = StoreBackend::open(path, Caller::unrestricted("bench")).expect("open store");
    let keymap = Keymap::defaults().expect("keymap");
    let source = backend.first_description().unwrap_or_else(|| backend.describe());
    let (effects, effect_rx) = unbounded_channel();
    let (event_tx, events) = unbounded_channel();
    worker::spawn(Box::new(backend) as Box<dyn Backend>, effect_rx, event_tx).expect("worker");
    let mut s = AppState::new(Config::default(), source, hubtriage::generate::DEFAULT_ANCHOR);
    app::resize(&mut s, SIZE.0, SIZE.1);
    let term = Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).expect("terminal");
    let mut b = Bench { s, keymap, term, effects, events, last_cpu: Duration::ZERO };
    b.draw();
    let first = t0.elapsed();
    let start = app::start(&mut b.s);
    b.send(start);
    let rss_before_rows = status_kb("VmRSS");
    let mut first_rows = None;
    let mut frames = 1;
    // The longest the UI thread was busy between two waits for the worker (the chunks handled and
    // the frame drawn): how long a key typed while loading could wait.
    let mut longest_stall = Duration::ZERO;
    // What the longest stall did: the events handled, the rows before and after, the frame's time.
    let mut stall_detail = (0, 0, 0, Duration::ZERO, Duration::ZERO);
    // The longest the UI thread worked (its own CPU time) between two waits: the stall on a quiet machine.
    let mut longest_work = Duration::ZERO;
    loop {
        let ev = b.events.blocking_recv().expect("worker alive");
        let busy = Instant::now();
        let busy_cpu = thread_cpu_time();
        let rows_before = b.s.rows.all.len();
        let effects = app::handle_event(&mut b.s, ev);
        b.send(effects);
        let mut handled = 1;
        // As the workbench's loop does (`tui::COALESCE_FOR`).
        while busy.elapsed() < hubtriage::tui::COALESCE_FOR {
            let Ok(ev) = b.events.try_recv() else { break };
            let effects = app::handle_event(&mut b.s, ev);
            b.send(effects);
            handled += 1;
        }
        let drawing = Instant::now();
        if b.s.dirty {
            b.draw();
            frames += 1;
            if first_rows.is_none() && !b.s.view.visible.is_empty() {
                first_rows = Some((t0.elapsed(), b.s.rows.all.len()));
            }
        }
        let work = thread_cpu_time().saturating_sub(busy_cpu);
        longest_work = longest_work.max(work);
        if busy.elapsed() > longest_stall {
            longest_stall = busy.elapsed();
            stall_detail = (handled, rows_before, b.s.rows.all.len(), drawing.elapsed(), work);
        }
        if b.s.status.load == LoadState::Loaded {
            break;
        }
        assert!(b.s.status.load != LoadState::Failed, "loading failed");
    }
    let all_rows = t0.elapsed();
    let load_cpu = cpu_time();
    let (first_rows, first_n) = first_rows.expect("a frame with rows");
    assert_eq!(b.s.rows.all.len(), count, "every finding loaded");
    assert!(b.screen_text().contains(&b.s.rows.all[0].title[..10]), "the last frame shows rows");
    println!("first frame  loading frame {:.1} ms (goal <= 300 ms): store open + state + keymap + render", ms(first));
    println!(
        "             first frame with rows {:.1} ms ({first_n} rows arrived); \
         all {count} rows {:.0} ms ({frames} frames)",
        ms(first_rows),
        ms(all_rows)
    );
    println!(
        "             longest UI-thread stall while loading {:.1} ms (chunks handled + frame drawn); \
         CPU {:.2} s (every thread) from start to the last row",
        ms(longest_stall),
        load_cpu.as_secs_f64()
    );
    println!(
        "             that stall: {} events handled, rows {} -> {}, frame {:.1} ms, UI thread's CPU {:.1} ms; \
         the UI thread's longest work between two waits (its CPU time) {:.1} ms",
        stall_detail.0,
        stall_detail.1,
        stall_detail.2,
        ms(stall_detail.3),
        ms(stall_detail.4),
        ms(longest_work)
    );

    // Let the worker answer the cursor's detail, then settle.
    std::thread::sleep(Duration::from_millis(200));
    b.drain();

    // 2. Memory with every row loaded.
    let (rss, hwm) = (status_kb("VmRSS"), status_kb("VmHWM"));
    let per_row = (rss.saturating_sub(rss_before_rows) * 1024) as f64 / count as f64;
    println!(
        "memory       VmRSS {:.1} MB, VmHWM {:.1} MB with {count} rows (goal <= 250 MB); \
         {per_row:.0} B/row (RSS growth while loading); {:.1} MB before loading, {:.1} MB at process start",
        rss as f64 / 1024.0,
        hwm as f64 / 1024.0,
        rss_before_rows as f64 / 1024.0,
        rss_at_start as f64 / 1024.0
    );

    if part("memory") {
        // What the rows themselves hold (payload bytes, before allocator overhead).
        let key_bytes = |k: &hubtriage::model::finding::FindingId| match k {
            hubtriage::model::finding::FindingId::Asff(k) => k.id.capacity(),
            hubtriage::model::finding::FindingId::Ocsf(uid) => uid.capacity(),
        };
        let strings = |r: &hubtriage::app::row::Row| key_bytes(&r.key) + r.updated_text.as_ref().map_or(0, |t| t.len());
        let rows = &b.s.rows;
        // Shared values (account, region, product, resource type, control id, title, resource id, the
        // key's product ARN) count once per copy.
        let mut copies = std::collections::HashSet::new();
        for r in &rows.all {
            for v in [&r.account, &r.region, &r.product, &r.resource_type, &r.control_id, &r.title, &r.resource_id] {
                copies.insert((v.as_ptr() as usize, v.len()));
            }
            if let hubtriage::model::finding::FindingId::Asff(k) = &r.key {
                copies.insert((k.product_arn.as_ptr() as usize, k.product_arn.len()));
            }
        }
        let shared_bytes: usize = copies.iter().map(|(_, len)| len + 16).sum();
        let row_bytes = rows.all.capacity() * std::mem::size_of::<hubtriage::app::row::Row>()
            + rows.all.iter().map(strings).sum::<usize>()
            + shared_bytes;
        let hay_bytes = rows.search_bytes();
        println!(
            "memory       rows {:.0} B/row, the filter's search columns {:.0} B/row (payload, before allocator overhead)",
            row_bytes as f64 / count as f64,
            hay_bytes as f64 / count as f64,
        );
    }

    // 3. Typing. Patterns taken from the data: words of titles, a resource id, an account, a
    // product, a word-prefix abbreviation, and two terms.
    let rows = &b.s.rows.all;
    let mid = &rows[rows.len() / 2];
    let instance = rows[rows.len() / 2..].iter().find(|r| r.short_resource().starts_with("i-")).unwrap_or(mid);
    let resource: String = instance.short_resource().chars().take(6).collect();
    let account: String = rows[rows.len() / 3].account.chars().take(6).collect();
    let patterns: Vec<String> = vec![
        "public".into(),
        "instan".into(),
        resource.to_lowercase(),
        account,
        "guardd".into(),
        "pubacc".into(),
        "s3 pub".into(),
        "rdsdbi".into(),
    ];
    if part("typing") {
        let mut typing = Vec::new();
        let mut typing_cpu = Vec::new();
        let mut backspacing = Vec::new();
        let rounds = 3;
        for round in 0..rounds {
            for p in &patterns {
                b.act(Action::StartFilter);
                let mut counts = Vec::new();
                for c in p.chars() {
                    typing.push(b.act(Action::Input(c)));
                    typing_cpu.push(b.last_cpu);
                    counts.push(b.s.view.visible.len());
                    b.drain();
                }
                let matched = b.s.view.visible.len();
                for _ in 0..p.chars().count() {
                    backspacing.push(b.act(Action::Backspace));
                    b.drain();
                }
                b.act(Action::Back);
                b.drain();
                if round == 0 {
                    let counts: Vec<String> = counts.iter().map(ToString::to_string).collect();
                    println!(
                        "typing       /{p:<7} matches per keystroke {} ({matched} at the end)",
                        counts.join(" → ")
                    );
                }
            }
        }
        let by_position = |times: &[Duration]| -> String {
            let p50s: Vec<String> = (0..6)
                .map(|k| {
                    let at: Vec<Duration> = times.iter().skip(k).step_by(6).copied().collect();
                    format!("{:.1}", percentiles(&at).0)
                })
                .collect();
            p50s.join(" / ")
        };
        println!("keystroke    typing p50 by position in the pattern (1st..6th char): {} ms", by_position(&typing));
        // The CPU time too: on a busy machine the wall time is mostly waiting for a core.
        println!("keystroke    typing CPU time p50 by position (1st..6th char): {} ms", by_position(&typing_cpu));
        let mut frames = Vec::new();
        for _ in 0..20 {
            let t = Instant::now();
            b.draw();
            frames.push(t.elapsed());
        }
        println!("render       one full 160×48 frame alone: p50 {:.2} ms", percentiles(&frames).0);
        let all: Vec<Duration> = typing.iter().chain(&backspacing).copied().collect();
        for (what, times) in [("typing", &typing), ("backspace", &backspacing), ("both", &all)] {
            let (p50, p99, max) = percentiles(times);
            println!(
                "keystroke    {what:<9} p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms over {} keystrokes \
             (goal p50 <= 16, p99 <= 50): update + full frame",
                times.len()
            );
        }
        let (p50, p99, max) = percentiles(&typing_cpu);
        println!("keystroke    typing    CPU time (all threads) p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms");
    }

    if part("fullpass") {
        // One pass over every row, without incremental reuse: the predicate vs nucleo-matcher's
        // greedy fuzzy match (what the filter used before) on the same haystacks.
        let all: Vec<u32> = (0..b.s.rows.all.len() as u32).collect();
        let mut ours = Vec::new();
        let mut nucleo = Vec::new();
        let mut matcher = nucleo_matcher::Matcher::new(nucleo_matcher::Config::DEFAULT);
        let mut buf = Vec::new();
        // The rows' haystacks as the filter once held them, built before any timing.
        let haystacks: Vec<String> = (0..b.s.rows.all.len() as u32).map(|i| b.s.rows.haystack_text(i)).collect();
        for p in &patterns {
            for _ in 0..3 {
                let t = Instant::now();
                let mut fresh = app::filter::LiveFilter::default();
                fresh.pattern = p.clone();
                let n = fresh.apply(&b.s.rows, &all).len();
                ours.push((t.elapsed(), n));
                let t = Instant::now();
                let words: Vec<nucleo_matcher::Utf32String> = p.split_whitespace().map(Into::into).collect();
                let n = haystacks
                    .iter()
                    .filter(|h| {
                        let hay = nucleo_matcher::Utf32Str::new(h, &mut buf);
                        words.iter().all(|w| matcher.fuzzy_match_greedy(hay, w.slice(..)).is_some())
                    })
                    .count();
                nucleo.push((t.elapsed(), n));
            }
        }
        for (what, v) in [("this filter", &ours), ("nucleo greedy", &nucleo)] {
            let times: Vec<Duration> = v.iter().map(|x| x.0).collect();
            let (p50, _, max) = percentiles(&times);
            let mut min = times.clone();
            min.sort();
            println!(
                "full pass    {what:<13} one pass over {count} rows: p50 {p50:.1} ms, min {:.1} ms, max {max:.1} ms; \
             {} rows matched in all",
                ms(min[0]),
                v.iter().map(|x| x.1).sum::<usize>() / 3
            );
        }
    }

    if part("query") {
        // 4. `:` queries: the one the rows answer in memory, and ones that need the store.
        // `BENCH_MEMORY_ONLY=1` leaves out the queries that need the store (seconds each at 1,000,000).
        let memory_only = std::env::var_os("BENCH_MEMORY_ONLY").is_some();
        // `BENCH_QUERIES=public;tag:Environment=prod` runs only those (`;`-separated), e.g. to profile one.
        let chosen = std::env::var("BENCH_QUERIES").ok();
        let queries: Vec<&str> = if let Some(chosen) = &chosen {
            chosen.split(';').map(str::trim).filter(|q| !q.is_empty()).collect()
        } else if memory_only {
            vec!["sev>=high status:new", "sev:critical,low -status:resolved region:us-*"]
        } else {
            vec!["sev>=high status:new", "resource:AwsS3Bucket", "tag:Environment=prod", "public"]
        };
        for q in queries {
            let (mut times, mut cpu) = (Vec::new(), Vec::new());
            for _ in 0..5 {
                b.act(Action::StartCommand);
                for c in q.chars() {
                    b.act(Action::Input(c));
                }
                let (t, c) = (Instant::now(), cpu_time());
                let effects = app::update(&mut b.s, Action::Submit);
                let needs_store = effects.iter().any(|e| matches!(e, Effect::RunQuery { .. }));
                b.send(effects);
                while b.s.view.query.pending.is_some() {
                    b.handle_next();
                }
                b.draw();
                times.push(t.elapsed());
                cpu.push(cpu_time().saturating_sub(c));
                let n = b.s.view.visible.len();
                let where_ = if needs_store { "store" } else { "memory" };
                if times.len() == 5 {
                    let (p50, _, max) = percentiles(&times);
                    let (cpu50, _, _) = percentiles(&cpu);
                    println!(
                        "query        :{q:<22} {n:>6} matches, {where_:<6} p50 {p50:.0} ms, max {max:.0} ms \
                         (CPU p50 {cpu50:.0} ms, every thread)"
                    );
                }
                b.act(Action::StartCommand);
                b.act(Action::Submit);
                b.drain();
            }
        }
    }

    if part("sort") {
        // 5. sorting by another column and the group view, each action -> its first full frame, over
        //    every row. First the sort alone, each column the first time it is sorted by and again.
        for column in app::filter::SortColumn::ALL {
            let mut cells = Vec::new();
            for descending in [false, true, false] {
                let spec = app::filter::SortSpec { column, descending };
                let (t, c) = (Instant::now(), cpu_time());
                let order = app::filter::sorted(&b.s.rows, spec);
                cells.push(format!("{:.0} ms (CPU {:.0} ms)", ms(t.elapsed()), ms(cpu_time().saturating_sub(c))));
                assert_eq!(order.len(), count);
            }
            println!(
                "sort by      {:<8} over {count} rows: first {}, reversed {}, again {} (goal <= 300 ms): the order alone",
                column.name(),
                cells[0],
                cells[1],
                cells[2]
            );
        }
        for (what, action) in [("sort", Action::SortNext), ("reverse", Action::SortReverse)] {
            let (mut times, mut cpu) = (Vec::new(), Vec::new());
            for _ in 0..5 {
                times.push(b.act(action));
                cpu.push(b.last_cpu);
            }
            let (p50, _, max) = percentiles(&times);
            let (cpu50, _, cpu_max) = percentiles(&cpu);
            println!(
                "{what:<12} next column over {} rows: p50 {p50:.0} ms, max {max:.0} ms (CPU p50 {cpu50:.0} ms, \
                 max {cpu_max:.0} ms) (goal <= 300 ms): update + frame",
                b.s.view.visible.len()
            );
        }
    }
    if part("group") {
        let (mut times, mut cpu) = (Vec::new(), Vec::new());
        for _ in 0..5 {
            times.push(b.act(Action::GroupView));
            cpu.push(b.last_cpu);
            // In the group view the same key closes it.
            b.act(Action::GroupView);
        }
        let (p50, _, max) = percentiles(&times);
        let (cpu50, _, cpu_max) = percentiles(&cpu);
        println!(
            "group view   open over {count} rows: p50 {p50:.0} ms, max {max:.0} ms (CPU p50 {cpu50:.0} ms, \
             max {cpu_max:.0} ms) (goal <= 300 ms): update + frame"
        );
    }

    if part("detail") {
        detail_pane(count, &b.keymap);
    }
}

/// 6. The detail pane of the largest generated finding (its JSON the longest of the bench's data
///    set): the document arrives (the model builds its `DetailView`), then one full-height 160×48
///    frame is drawn, laid out by the pane's line layout.
fn detail_pane(count: usize, keymap: &Keymap) {
    let largest = generate(&GenOptions { count, seed: 1, ..GenOptions::default() })
        .max_by_key(|d| d.to_string().len())
        .expect("a finding");
    let bytes = largest.to_string().len();
    let row = hubtriage::app::row::Row::from_asff(&largest);
    let key = row.key.clone();
    let mut s = AppState::new(Config::default(), "bench.db", hubtriage::generate::DEFAULT_ANCHOR);
    app::resize(&mut s, SIZE.0, SIZE.1);
    app::start(&mut s);
    app::handle_event(&mut s, Event::RowsLoaded { generation: 1, rows: vec![row], total: Some(1), done: true });
    app::update(&mut s, Action::OpenDetail);
    let mut term = Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).expect("terminal");
    let mut times = Vec::new();
    for _ in 0..50 {
        let doc = Box::new(largest.clone());
        let t = Instant::now();
        app::handle_event(&mut s, Event::DetailLoaded { key: key.clone(), doc: Some(doc), history: Vec::new() });
        term.draw(|f| ui::render(f, &s, keymap)).expect("draw");
        times.push(t.elapsed());
    }
    let lines: usize = s.detail.view.sections.iter().map(|x| x.lines.len()).sum();
    let (p50, _, max) = percentiles(&times);
    println!(
        "detail pane  largest finding ({bytes} B of JSON, {lines} section lines): DetailView + one 160×48 frame \
         p50 {p50:.2} ms, max {max:.2} ms over 50 runs (goal <= 5 ms)"
    );
}

fn percentiles(times: &[Duration]) -> (f64, f64, f64) {
    let mut v: Vec<f64> = times.iter().map(|d| ms(*d)).collect();
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.99), at(1.0))
}
