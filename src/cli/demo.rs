//! `hubtriage --remove-demo`: the demo findings taken out of the local store again (`--load-demo`
//! and the workbench's offer put them in; `generate::is_demo` says which they are).

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{bail, Result};

use super::{Global, Outcome};
use crate::model::words;

/// Deletes the demo findings and their history from the store, after a yes on a terminal (or
/// `--yes`). The analyst's own findings are never touched; a store without demo findings is left
/// as it is, and said so.
pub(super) fn remove_demo(g: &Global, yes: bool) -> Result<Outcome> {
    if g.account.is_some() {
        // Demo findings were loaded by the store's owner, for every account: removing them is not
        // an operation of one account of the access model.
        bail!("--remove-demo acts on the whole local store as its owner; run it without --account");
    }
    let mut store = g.open()?;
    let path = store.path().display().to_string();
    let demo = store.count_demo()? as usize;
    if demo == 0 {
        println!("The store {path} holds no demo findings: nothing removed.");
        return Ok(Outcome::Ok);
    }
    let what = format!("{} (and their history) from {path}", words::count(demo, "demo finding"));
    if !yes {
        if !std::io::stdin().is_terminal() {
            bail!("remove {what}: refusing without confirmation; pass --yes");
        }
        eprint!("Remove {what}? Other findings are kept. [y/N] ");
        std::io::stderr().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            eprintln!("Nothing removed.");
            return Ok(Outcome::Ok);
        }
    }
    let removed = store.remove_demo()? as usize;
    let left = store.count()? as usize;
    println!("Removed {} from {path}; {} left.", words::count(removed, "demo finding"), words::count(left, "finding"));
    Ok(Outcome::Ok)
}

/// `--demo --simulate`: finding providers at work in the background of the demo workbench.
pub(super) mod simulation {
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use super::super::simulate::{simulate_quietly, Rate, SimulateArgs};
    use crate::store::Store;

    /// A presenter's pace: one event every two seconds, so that each can be seen arriving.
    pub const DEMO_RATE: &str = "30/min";

    /// The simulator's thread; stopped and joined by `stop`.
    pub struct Running {
        stop: Arc<AtomicBool>,
        thread: std::thread::JoinHandle<()>,
    }

    impl Running {
        /// Stops the simulator and waits for its last event to be written.
        pub fn stop(self) {
            self.stop.store(true, Ordering::Relaxed);
            let _ = self.thread.join();
        }
    }

    /// How long the store's count must hold still before the simulator reads its population: the
    /// worker imports the demo dataset in calls of 100.
    const SETTLED: Duration = Duration::from_millis(1500);

    /// Starts `simulate` on its own connection to the store at `path` (so that the workbench's
    /// worker sees each event as another process's change, `worker::watch`), once the demo
    /// dataset is in. Events go into the store only: the workbench shows them.
    pub fn start(path: PathBuf, rate: Rate) -> std::io::Result<Running> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new().name("hubtriage-simulate".into()).spawn(move || {
            let stopped = || flag.load(Ordering::Relaxed);
            let Some(store) = settled(&path, &stopped) else { return };
            let args = SimulateArgs { rate, count: None, seed: 1, events: Vec::new() };
            // A failure ends the simulation; the workbench goes on (nothing may be printed over it).
            let _ = simulate_quietly(store, &args, &mut |_| {}, &stopped);
        })?;
        Ok(Running { stop, thread })
    }

    /// The store once it holds findings and its count has held still for `SETTLED`.
    fn settled(path: &std::path::Path, stopped: &dyn Fn() -> bool) -> Option<Store> {
        let (mut last, mut since) = (0, Instant::now());
        while !stopped() {
            std::thread::sleep(Duration::from_millis(100));
            let Ok(store) = Store::open(path) else { continue };
            let n = store.count().unwrap_or(0);
            if n != last {
                (last, since) = (n, Instant::now());
            } else if n > 0 && since.elapsed() >= SETTLED {
                return Some(store);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use serde_json::Value;

    use super::super::Cli;
    use crate::app::{Effect, Event};
    use crate::generate::{generate, GenOptions};
    use crate::store::{Caller, Store, StoreBackend};

    #[test]
    fn simulate_goes_with_demo_and_takes_a_rate() {
        let cli = Cli::try_parse_from(["hubtriage", "--demo", "--simulate", "--rate", "2/s"]).unwrap();
        assert!(cli.demo && cli.simulate);
        assert!(matches!(cli.rate, Some(super::super::simulate::Rate::PerSecond(r)) if r == 2.0));
        let cli = Cli::try_parse_from(["hubtriage", "--demo", "--simulate"]).unwrap();
        assert_eq!(cli.rate, None, "the demo's own pace");
        assert!(Cli::try_parse_from(["hubtriage", "--simulate"]).is_err(), "only on the throwaway demo store");
        assert!(Cli::try_parse_from(["hubtriage", "--demo", "--rate", "2/s"]).is_err(), "--rate needs --simulate");
    }

    #[test]
    fn the_simulator_writes_the_demo_store_and_the_worker_sees_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("findings.db");
        let mut store = Store::open(&path).unwrap();
        let docs: Vec<Value> = generate(&GenOptions { count: 20, seed: 4, ..GenOptions::default() }).collect();
        store.batch_import(&Caller::unrestricted("t"), docs).unwrap();
        let mut backend = StoreBackend::new(store, Caller::unrestricted("alice"));
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        assert!(crate::worker::execute(&mut backend, Effect::WatchStore, &tx));

        let running = super::simulation::start(path.clone(), super::super::simulate::Rate::PerSecond(20.0)).unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let seen = loop {
            assert!(crate::worker::execute(&mut backend, Effect::WatchStore, &tx));
            if let Ok(ev) = rx.try_recv() {
                break ev;
            }
            assert!(std::time::Instant::now() < deadline, "the worker never saw the simulator's writes");
            std::thread::sleep(std::time::Duration::from_millis(100));
        };
        running.stop();
        assert_eq!(seen, Event::StoreChanged);
        assert!(Store::open(&path).unwrap().count().unwrap() >= 20);
    }
}
