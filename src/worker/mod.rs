//! The worker: a thread that owns the `Backend`, runs the app's effects one at a time and sends
//! the outcomes back as events, so the UI never waits on disk or network. A background failure
//! becomes an event, never a panic.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use crate::app::event::{CallOutcome, Event, Rejected};
use crate::app::Effect;
use crate::backend::{Backend, BackendError, Capabilities, Refreshed};
use crate::export::ExportFormat;
use crate::generate;
use crate::model::finding::FindingId;
use crate::model::undo;
use crate::model::update::{FindingUpdate, MAX_IDENTIFIERS};

/// Rows in the first chunk: enough for the first screenful, sent before the rest is read.
pub const FIRST_CHUNK: usize = 500;
/// Rows in the chunk after the first; each later one is twice the one before, up to `MAX_CHUNK`.
/// The list merges every chunk into its order (a pass over all the rows loaded so far, and a copy
/// of the list's order): a million rows in chunks of 20,000 made fifty such passes, in growing
/// chunks (up to `MAX_CHUNK`) about thirty.
pub const CHUNK: usize = 20_000;
/// The largest chunk: about 45 ms of the list's work on one core (interning the rows' values,
/// merging them into the list's order), so keys typed while the rows load are answered between
/// chunks. 80,000 rows held the UI thread ~0.1 s a chunk (quiet machine), and the last chunk of a
/// million (with the end of the load's work on top) 136-148 ms.
pub const MAX_CHUNK: usize = 40_000;
/// A chunk is sent once this old even if smaller, so that rows read slowly (GetFindings pages at
/// 3 a second) reach the list as they come.
const SLOW_CHUNK: std::time::Duration = std::time::Duration::from_millis(250);

/// One load of the rows, sent in chunks: the first small (the first screenful), then large ones,
/// and one whenever rows have waited SLOW_CHUNK (a slow source's pages).
struct Load {
    generation: u64,
    total: Option<usize>,
    events: UnboundedSender<Event>,
    chunk: Vec<crate::model::summary::FindingSummary>,
    limit: usize,
    sent: std::time::Instant,
    /// False once the app has gone.
    alive: bool,
}

impl Load {
    fn new(generation: u64, total: Option<usize>, events: UnboundedSender<Event>) -> Load {
        Load {
            generation,
            total,
            events,
            chunk: Vec::with_capacity(FIRST_CHUNK),
            limit: FIRST_CHUNK,
            sent: std::time::Instant::now(),
            alive: true,
        }
    }

    fn push(&mut self, row: crate::model::summary::FindingSummary) -> bool {
        self.chunk.push(row);
        if self.chunk.len() >= self.limit || self.sent.elapsed() >= SLOW_CHUNK {
            self.flush(false);
        }
        self.alive
    }

    /// A page of rows, sent at once (in chunks if over the limit).
    fn page(&mut self, rows: Vec<crate::model::summary::FindingSummary>) {
        for row in rows {
            self.chunk.push(row);
            if self.chunk.len() >= self.limit {
                self.flush(false);
            }
        }
        self.flush(false);
    }

    /// Sends the rows waiting (all the same when `done`, which ends the load).
    fn flush(&mut self, done: bool) {
        if self.chunk.is_empty() && !done {
            return;
        }
        // The end of a load is work of its own for the list (the order checked and taken again,
        // the query run again, the text columns handed to be ranked): more than a first screenful
        // of rows goes in a chunk of its own before it, not in one event with it (that event was
        // the longest the list held a key typed during a million rows' load).
        if done && self.chunk.len() > FIRST_CHUNK {
            self.flush(false);
        }
        self.sent = std::time::Instant::now();
        self.limit = if self.limit == FIRST_CHUNK { CHUNK } else { (self.limit * 2).min(MAX_CHUNK) };
        let rows = std::mem::replace(&mut self.chunk, Vec::with_capacity(self.limit));
        let (generation, total) = (self.generation, self.total);
        self.alive &= self.events.send(Event::RowsLoaded { generation, rows, total, done }).is_ok();
    }
}

/// Starts the worker thread. It ends when the effect channel closes or on `Effect::Quit`.
pub fn spawn(
    backend: Box<dyn Backend>,
    effects: UnboundedReceiver<Effect>,
    events: UnboundedSender<Event>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new().name("hubtriage-worker".into()).spawn(move || {
        background_priority();
        run(backend, effects, events)
    })
}

/// Lowers the calling thread's priority by 5 nice steps, for it and the threads it starts (they
/// inherit it): the worker's work is background work, and the UI thread should have a contended
/// core first. At a million findings the load keeps both cores busy (SQLite on the worker, the rows
/// built on its helper thread), and the UI thread, handling a chunk, waited for a core (its longest
/// stall went from ~130 to ~214 ms). A nice of 5 weighs a thread at about a third of the UI's when
/// they compete, and changes nothing when a core is free. Linux's nice value is per thread; where
/// it is per process (or the call fails), nothing changes.
fn background_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: nice(2) takes and returns plain integers; on Linux it changes the calling thread only.
    unsafe {
        libc::nice(5);
    }
}

/// The worker loop, callable on the current thread (tests).
pub fn run(mut backend: Box<dyn Backend>, mut effects: UnboundedReceiver<Effect>, events: UnboundedSender<Event>) {
    // A description that reads the findings (a store's demo data) waits until the first load is
    // done and nothing else is asked (`Described`).
    let first = backend.first_description();
    let mut described = match first {
        Some(first) => Described::Later { first },
        None => Described::Done,
    };
    let source = match &described {
        Described::Later { first } => first.clone(),
        _ => backend.describe(),
    };
    let _ = events.send(Event::SourceDescribed { source, capabilities: backend.capabilities() });
    // A remote's outbox is watched from a thread of the backend's: the pending marks follow it.
    let outbox = events.clone();
    backend.watch_outbox(Box::new(move |state| outbox.send(Event::OutboxChanged { state }).is_ok()));
    // So is the pass that catches other analysts' edits.
    let recheck = events.clone();
    backend.recheck_in_background(Box::new(move |r| {
        (r.updated.is_empty() || recheck.send(Event::RowsUpdated { rows: r.updated }).is_ok())
            && recheck.send(Event::Rechecked { keys: r.checked, at_ms: r.at_ms }).is_ok()
    }));
    let mut queue: VecDeque<Effect> = VecDeque::new();
    loop {
        if queue.is_empty() {
            // What is asked is answered first; the description when nothing is.
            let waiting = match &described {
                Described::Due { .. } => effects.try_recv().ok(),
                _ => effects.blocking_recv(),
            };
            match (waiting, &described) {
                (Some(e), _) => queue.push_back(e),
                (None, Described::Due { first, from }) => {
                    // One part at a time, so that what is asked meanwhile (a detail) waits for
                    // one part (a few tens of milliseconds) rather than the whole look.
                    let now = match backend.describe_from(*from) {
                        crate::backend::Describing::From(next) => {
                            described = Described::Due { first: first.clone(), from: next };
                            continue;
                        }
                        crate::backend::Describing::Done(now) => now,
                    };
                    if &now != first
                        && events
                            .send(Event::SourceDescribed { source: now, capabilities: backend.capabilities() })
                            .is_err()
                    {
                        return;
                    }
                    described = Described::Done;
                    continue;
                }
                (None, _) => return,
            }
        }
        // Take whatever else is waiting, so a burst of cursor moves loads only the last detail.
        while let Ok(e) = effects.try_recv() {
            queue.push_back(e);
        }
        let last_detail = queue.iter().rposition(|e| matches!(e, Effect::LoadDetail { .. }));
        let Some(effect) = queue.pop_front() else { continue };
        if matches!(effect, Effect::LoadDetail { .. }) && last_detail.is_some_and(|i| i > 0) {
            continue;
        }
        if matches!(effect, Effect::Quit) {
            return;
        }
        let loads = matches!(effect, Effect::LoadRows { .. });
        if !execute(backend.as_mut(), effect, &events) {
            return;
        }
        if loads {
            if let Described::Later { first } = described {
                described = Described::Due { first, from: 0 };
            }
        }
    }
}

/// Where the worker is with describing a source whose description reads the findings.
enum Described {
    /// The header shows `first`; no load has ended yet.
    Later { first: String },
    /// A load has ended: described once the worker has nothing else to do, a part at a time
    /// (`Backend::describe_from`), going on from `from`.
    Due { first: String, from: i64 },
    /// Described (or the description was cheap from the start).
    Done,
}

/// Sends a bulk edit's calls in order, with what undo restores read first; a suppression with an
/// expiry goes to `batch_update_expiring`. Returns false when the app has gone.
fn apply_batch(
    backend: &mut dyn Backend,
    events: &UnboundedSender<Event>,
    batch_id: crate::app::effect::BatchId,
    calls: Vec<crate::model::call::UpdateCall>,
    expiry: Option<&crate::store::expiry::SetExpiry>,
) -> bool {
    let send = |e: Event| events.send(e).is_ok();
    // What undo restores: every finding's previous values, captured from the documents the
    // backend holds before the first call is sent (a read per call of 100, not per finding), never
    // from the network (a remote's cache).
    let mut restores: HashMap<FindingId, FindingUpdate> = HashMap::new();
    for call in &calls {
        let Ok(docs) = backend.documents_at_hand(&call.ids) else { continue };
        for (id, doc) in call.ids.iter().zip(docs) {
            if let Some(doc) = doc {
                restores.insert(id.clone(), undo::restore_for(&doc, &call.update));
            }
        }
    }
    for (i, call) in calls.into_iter().enumerate() {
        let answer = match expiry {
            Some(expiry) => backend.batch_update_expiring(&call, expiry),
            None => backend.batch_update_undoable(&call, &restores),
        };
        let ok = match answer {
            Ok(result) => {
                let restores = result.processed.iter().filter_map(|k| Some((k.clone(), restores.remove(k)?))).collect();
                let outcome = CallOutcome {
                    processed: result.processed,
                    unprocessed: result
                        .unprocessed
                        .into_iter()
                        .map(|u| Rejected { key: u.id, reason: format!("{}: {}", u.code, u.message) })
                        .collect(),
                    restores,
                };
                send(Event::BatchApplied { batch_id, call: i, outcome })
            }
            Err(error) => send(Event::BatchFailed { batch_id, call: i, keys: call.ids, error }),
        };
        if !ok {
            return false;
        }
    }
    true
}

fn guard<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Ends a load on this thread: the last chunk, or why it failed, and the source's description if
/// the load changed it (`described`, read before the load).
fn end_load(load: &mut Load, r: Result<(), BackendError>, described: Option<String>, backend: &dyn Backend) -> bool {
    match r {
        Ok(()) => {
            load.flush(true);
            load.alive
                && match described.map(|before| (before, backend.describe())) {
                    Some((before, now)) if before != now => load
                        .events
                        .send(Event::SourceDescribed { source: now, capabilities: backend.capabilities() })
                        .is_ok(),
                    _ => true,
                }
        }
        Err(error) => load.events.send(Event::RowsFailed { generation: load.generation, error }).is_ok(),
    }
}

/// What a background refresh tells the load it ends. Returns false once the app has gone.
fn finish(load: &mut Load, what: Refreshed, before: Option<&str>, capabilities: &Capabilities) -> bool {
    match what {
        // A page is shown as it arrives: the next may be seconds away (pages at 3 a second, or a
        // slow endpoint), and rows held back for it looked like a list growing one row a page.
        Refreshed::New(rows) => {
            load.page(rows);
            load.alive
        }
        Refreshed::Updated(rows) => load.events.send(Event::RowsUpdated { rows }).is_ok(),
        Refreshed::Done { result: Ok(()), described } => {
            load.flush(true);
            load.alive
                && (before == Some(described.as_str())
                    || load
                        .events
                        .send(Event::SourceDescribed { source: described, capabilities: capabilities.clone() })
                        .is_ok())
        }
        Refreshed::Done { result: Err(error), .. } => {
            load.events.send(Event::RowsFailed { generation: load.generation, error }).is_ok()
        }
    }
}

/// Reads documents in calls of at most this many findings (a remote's cache, the store).
const DOCUMENTS_PER_READ: usize = 100;

/// Runs one effect. Returns false when the app has gone (the event channel closed).
pub fn execute(backend: &mut dyn Backend, effect: Effect, events: &UnboundedSender<Event>) -> bool {
    let send = |e: Event| events.send(e).is_ok();
    match effect {
        Effect::LoadRows { generation } => {
            // A source whose description is cheap (a remote) may say something new of itself once
            // loaded (how fresh its cache is); a store's, which reads the findings, is read by
            // `run` once the first load is done.
            let described = backend.first_description().is_none().then(|| backend.describe());
            let mut load = Load::new(generation, None, events.clone());
            // The total is counted once the first screenful has gone: a store counts by reading
            // the whole table (0.3 s or more at a million findings), and the first rows need not
            // wait for it. The later chunks carry it.
            let source: &dyn Backend = backend;
            let mut counted = false;
            let mut r = source.for_each_summary(&mut |row| {
                let alive = load.push(row);
                if !counted && load.limit != FIRST_CHUNK {
                    counted = true;
                    load.total = source.count().unwrap_or(None);
                }
                alive
            });
            if !counted {
                load.total = backend.count().unwrap_or(None);
            }
            if r.is_ok() && load.alive && backend.refreshes() {
                // What is listed is shown before the refresh (a remote's cache before its sync).
                load.flush(false);
                // The refresh ends the load from its own thread, so that details and edits are
                // answered while a long first sync streams in.
                let shared = Arc::new(Mutex::new(load));
                let report = {
                    let (shared, before, capabilities) = (shared.clone(), described.clone(), backend.capabilities());
                    move |what: Refreshed| finish(&mut guard(&shared), what, before.as_deref(), &capabilities)
                };
                if backend.refresh_in_background(Box::new(report)) {
                    return true;
                }
                // The report went unused: refresh here.
                let mut load = guard(&shared);
                r = backend.refresh_summaries(&mut |row| load.push(row));
                return end_load(&mut load, r, described, backend);
            }
            end_load(&mut load, r, described, backend)
        }
        Effect::LoadDetail { key } => match backend.documents(std::slice::from_ref(&key)) {
            Ok(mut docs) => {
                let doc = docs.pop().flatten();
                let history = if doc.is_some() { backend.history(&key).unwrap_or_default() } else { Vec::new() };
                let other = if doc.is_some() { backend.other_form(&key).ok().flatten() } else { None };
                let shown = send(Event::DetailLoaded { key: key.clone(), doc: doc.map(Box::new), history });
                match other {
                    Some(doc) if shown => send(Event::OtherFormLoaded { key, doc: Box::new(doc) }),
                    _ => shown,
                }
            }
            Err(error) => send(Event::DetailFailed { key, error }),
        },
        Effect::RunQuery { query_id, query } => match backend.query(&query) {
            Ok(keys) => send(Event::QueryMatched { query_id, keys }),
            Err(error) => send(Event::QueryFailed { query_id, error }),
        },
        Effect::FetchBeyondView { query } => match backend.fetch_beyond_view(&query) {
            Ok(rows) if rows.is_empty() => true,
            Ok(rows) => send(Event::FetchedBeyondView { rows }),
            Err(error) => send(Event::FetchBeyondViewFailed { error }),
        },
        Effect::ApplyBatch { batch_id, calls } => apply_batch(backend, events, batch_id, calls, None),
        Effect::ApplyExpiringBatch { batch_id, calls, expiry } => {
            apply_batch(backend, events, batch_id, calls, Some(&expiry))
        }
        Effect::ExpireDue => match backend.expire_due() {
            Ok(count) => send(Event::SuppressionsExpired { count }),
            Err(error) => send(Event::ExpiryFailed { error }),
        },
        Effect::FindExpiring { query_id, keys, within } => send(views::find_expiring(backend, query_id, keys, within)),
        Effect::LoadDemo => match load_demo(backend) {
            // Described again: the source now holds demo data, which its description says.
            Ok(count) => {
                send(Event::DemoLoaded { count })
                    && send(Event::SourceDescribed { source: backend.describe(), capabilities: backend.capabilities() })
            }
            Err(error) => send(Event::DemoFailed { error }),
        },
        Effect::RemoveDemo => match backend.remove_demo() {
            Ok(count) => {
                send(Event::DemoRemoved { count })
                    && send(Event::SourceDescribed { source: backend.describe(), capabilities: backend.capabilities() })
            }
            Err(error) => send(Event::DemoRemoveFailed { error }),
        },
        Effect::Export { path, keys, overwrite } => match export(backend, &path, &keys, overwrite) {
            Ok(count) => send(Event::Exported { path, count }),
            Err(error) => send(Event::ExportFailed { path, error }),
        },
        Effect::LoadHistory { path } => match history::read(&path) {
            Ok(entries) => send(Event::HistoryLoaded { entries }),
            Err(error) => send(Event::HistoryFailed { error }),
        },
        Effect::SaveHistory { path, entries } => match history::write(&path, &entries) {
            Ok(()) => true,
            Err(error) => send(Event::HistoryFailed { error }),
        },
        Effect::LoadViews { dir } => {
            let (views, errors) = views::read(&dir);
            send(Event::ViewsLoaded { views, errors })
        }
        Effect::SaveView { path, text } => match views::write(&path, &text) {
            Ok(()) => send(Event::ViewSaved { path }),
            Err(error) => send(Event::ViewSaveFailed { error }),
        },
        Effect::FindReopened { query_id, keys } => send(views::find_reopened(backend, query_id, keys)),
        Effect::OpenUrl { url } => send(open_url(&url)),
        // The terminal loop writes copies itself; one that reaches the worker has nowhere to go.
        Effect::Copy { what, .. } => send(Event::CopyFailed { what, reason: "no terminal to copy through".into() }),
        Effect::WatchStore => watch::check(backend, events),
        Effect::LogEdit { description, restores } => match backend.log_edit(&description, &restores) {
            Ok(()) => true,
            Err(error) => send(Event::LogFailed { error }),
        },
        Effect::LoadChangeLog { limit } => match backend.change_log(limit) {
            Ok(entries) => send(Event::ChangeLogLoaded { entries }),
            Err(error) => send(Event::ChangeLogFailed { id: None, error }),
        },
        Effect::LoadLogEntry { id } => match backend.undo_plan(id) {
            Ok(plan) => send(Event::LogEntryLoaded { plan: Box::new(plan) }),
            Err(error) => send(Event::ChangeLogFailed { id: Some(id), error }),
        },
        Effect::UndoLogged { id } => match backend.undo_logged(id) {
            Ok((by, outcome)) => send(Event::LogUndone { id, by, outcome }),
            Err(error) => send(Event::ChangeLogFailed { id: Some(id), error }),
        },
        Effect::Quit => false,
    }
}

/// Starts the platform's opener on an http(s) URL (the app checked it) and does not wait for it: a
/// thread reaps it. The URL is one argument, never read by a shell.
fn open_url(url: &str) -> Event {
    if !crate::app::menu::openable(url) {
        return Event::OpenFailed { error: "only http(s) URLs are opened".into() };
    }
    let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    let child = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match child {
        Ok(mut c) => {
            std::thread::spawn(move || c.wait());
            Event::Opened { url: url.to_string() }
        }
        Err(e) => Event::OpenFailed { error: format!("{opener}: {e}") },
    }
}

/// Seeds the source with the demo dataset, in calls of 100.
fn load_demo(backend: &mut dyn Backend) -> Result<usize, BackendError> {
    if !backend.capabilities().seed {
        return Err(BackendError::invalid(format!("{} cannot be loaded with demo data", backend.describe())));
    }
    let all = generate::demo_all();
    backend.seed(all.chunks(MAX_IDENTIFIERS).map(<[Value]>::to_vec).collect())
}

/// `~` and `~/...` are the home directory, as a shell would read them.
fn expand_home(path: &Path) -> PathBuf {
    let Ok(rest) = path.strip_prefix("~") else { return path.to_path_buf() };
    match directories::BaseDirs::new() {
        Some(d) => d.home_dir().join(rest),
        None => path.to_path_buf(),
    }
}

/// Writes the findings to `path`, JSON or CSV by its extension; an existing file only when
/// `overwrite` (`:export!`). Returns how many were written.
fn export(backend: &dyn Backend, path: &Path, keys: &[FindingId], overwrite: bool) -> Result<usize, String> {
    let path = expand_home(path);
    if !overwrite && path.exists() {
        return Err(format!("{} exists; `:export! {}` replaces it", path.display(), path.display()));
    }
    let mut docs: Vec<Value> = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(DOCUMENTS_PER_READ) {
        docs.extend(backend.documents(chunk).map_err(|e| e.to_string())?.into_iter().flatten());
    }
    let n = docs.len();
    let mut bytes = Vec::new();
    ExportFormat::for_path(&path).write(&docs, &mut bytes).map_err(|e| e.to_string())?;
    std::fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(n)
}

pub mod history;
#[cfg(test)]
mod tests;
#[cfg(test)]
pub(crate) mod tests_changelog;
#[cfg(test)]
mod tests_expiry;
pub mod views;
pub mod watch;
