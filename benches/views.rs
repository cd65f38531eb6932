//! Views and grouping benchmark: the app core over generated rows held in memory (no store: the
//! figures are the workbench's own work), every action followed by one 160×48 frame into a ratatui
//! `TestBackend`. Prints figures, asserts nothing about time.
//!
//! `cargo bench --bench views` (100,000 findings; `BENCH_COUNT=1000000` for a million).
//! `BENCH_ONLY=group,view` runs only those parts:
//! - group: `:group` on one field (severity, control, title) and on two (control,account): the
//!   counts, the severity distribution and the frame (goal <= 300 ms)
//! - view: opening a saved view (`:view NAME`) over every row: its query, sort and grouping, and
//!   the frame (goal <= 150 ms)

// A benchmark harness, like a test: a failed step should stop it loudly.
#![allow(clippy::expect_used)]

use std::time::{Duration, Instant};

use hubtriage::app::row::Row;
use hubtriage::app::state::Config;
use hubtriage::app::{self, Action, AppState, Event};
use hubtriage::generate::{generate, GenOptions};
use hubtriage::keys::Keymap;
use hubtriage::ui;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const SIZE: (u16, u16) = (160, 48);

fn part(name: &str) -> bool {
    std::env::var("BENCH_ONLY").map_or(true, |v| v.split(',').any(|p| p.trim() == name))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn p50_max(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[v.len() - 1])
}

struct Bench {
    s: AppState,
    term: Terminal<TestBackend>,
    keymap: Keymap,
}

impl Bench {
    fn frame(&mut self) {
        let (s, keymap) = (&self.s, &self.keymap);
        self.term.draw(|f| ui::render(f, s, keymap)).expect("draw");
    }

    /// Types a `:` command and submits it; the time from Enter to the frame after it.
    fn command(&mut self, text: &str) -> Duration {
        if self.s.mode == app::state::Mode::Group {
            app::update(&mut self.s, Action::Back);
        }
        app::update(&mut self.s, Action::StartCommand);
        for c in text.chars() {
            app::update(&mut self.s, Action::Input(c));
        }
        let t = Instant::now();
        app::update(&mut self.s, Action::Submit);
        self.frame();
        t.elapsed()
    }
}

fn main() {
    let count: usize = std::env::var("BENCH_COUNT").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let t = Instant::now();
    let rows: Vec<Row> =
        generate(&GenOptions { count, seed: 7, ..GenOptions::default() }).map(|d| Row::from_asff(&d)).collect();
    println!("built {count} rows in memory in {:.1} s (not part of the figures)", t.elapsed().as_secs_f64());
    let mut s = AppState::new(Config::default(), "bench.db", hubtriage::generate::DEFAULT_ANCHOR);
    app::resize(&mut s, SIZE.0, SIZE.1);
    app::start(&mut s);
    app::handle_event(&mut s, Event::RowsLoaded { generation: 1, rows, total: Some(count), done: true });
    let term = Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).expect("terminal");
    let mut b = Bench { s, term, keymap: Keymap::defaults().expect("the default keymap") };
    b.frame();

    if part("group") {
        // The `=` key from the list: the group view on its last field, as benches/tui.rs times it.
        let times: Vec<f64> = (0..5)
            .map(|_| {
                let t = Instant::now();
                app::update(&mut b.s, Action::GroupView);
                b.frame();
                let d = ms(t.elapsed());
                app::update(&mut b.s, Action::GroupView);
                d
            })
            .collect();
        let (p50, max) = p50_max(times);
        println!("group        = key (severity) over {count} rows: p50 {p50:.0} ms, max {max:.0} ms (goal <= 300 ms)");
        for fields in ["severity", "control", "title", "control,account"] {
            let times: Vec<f64> = (0..5).map(|_| ms(b.command(&format!("group {fields}")))).collect();
            let (p50, max) = p50_max(times);
            println!(
                "group        :group {fields:<16} over {count} rows ({} groups shown): p50 {p50:.0} ms, max {max:.0} ms \
                 (goal <= 300 ms): update + frame",
                b.s.group.groups.len()
            );
        }
        app::update(&mut b.s, Action::Back);
    }
    if part("view") {
        for name in ["failed controls", "open critical and high", "all"] {
            let times: Vec<f64> = (0..5).map(|_| ms(b.command(&format!("view {name}")))).collect();
            let (p50, max) = p50_max(times);
            println!(
                "view         :view {name:<22} over {count} rows ({} shown): p50 {p50:.0} ms, max {max:.0} ms \
                 (goal <= 150 ms): update + frame",
                b.s.view.visible.len()
            );
        }
    }
}
