//! The worker: a thread that owns the `Backend`, runs the app's effects one at a time and sends
//! the outcomes back as events, so the UI never waits on disk or network. A background failure
//! becomes an event, never a panic.

use std::collections::VecDeque;
use std::path::Path;

use serde_json::{json, Value};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use crate::app::edit;
use crate::app::event::{CallOutcome, Event, Rejected};
use crate::app::Effect;
use crate::backend::Backend;

/// Rows in the first chunk: enough for the first screenful, sent before the rest is read.
pub const FIRST_CHUNK: usize = 500;
/// Rows per later chunk.
pub const CHUNK: usize = 20_000;

/// Starts the worker thread. It ends when the effect channel closes or on `Effect::Quit`.
pub fn spawn(
    backend: Box<dyn Backend>,
    effects: UnboundedReceiver<Effect>,
    events: UnboundedSender<Event>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new().name("hubtriage-worker".into()).spawn(move || run(backend, effects, events))
}

/// The worker loop, callable on the current thread (tests).
pub fn run(mut backend: Box<dyn Backend>, mut effects: UnboundedReceiver<Effect>, events: UnboundedSender<Event>) {
    let _ = events.send(Event::SourceDescribed { source: backend.describe() });
    let mut queue: VecDeque<Effect> = VecDeque::new();
    loop {
        if queue.is_empty() {
            match effects.blocking_recv() {
                Some(e) => queue.push_back(e),
                None => return,
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
        if !execute(backend.as_mut(), effect, &events) {
            return;
        }
    }
}

/// Runs one effect. Returns false when the app has gone (the event channel closed).
pub fn execute(backend: &mut dyn Backend, effect: Effect, events: &UnboundedSender<Event>) -> bool {
    let send = |e: Event| events.send(e).is_ok();
    match effect {
        Effect::LoadRows { generation } => {
            let total = backend.count().unwrap_or(0);
            let mut chunk = Vec::with_capacity(FIRST_CHUNK);
            let mut limit = FIRST_CHUNK;
            let mut alive = true;
            let r = backend.for_each_row(&mut |row| {
                chunk.push(row);
                if chunk.len() >= limit {
                    let rows = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                    limit = CHUNK;
                    alive = events.send(Event::RowsLoaded { generation, rows, total, done: false }).is_ok();
                }
                alive
            });
            match r {
                Ok(()) => send(Event::RowsLoaded { generation, rows: chunk, total, done: true }),
                Err(error) => send(Event::RowsFailed { generation, error }),
            }
        }
        Effect::LoadDetail { key } => match backend.document(&key) {
            Ok(doc) => {
                let history = if doc.is_some() { backend.history(&key).unwrap_or_default() } else { Vec::new() };
                send(Event::DetailLoaded { key, doc: doc.map(Box::new), history })
            }
            Err(error) => send(Event::DetailFailed { key, error }),
        },
        Effect::RunQuery { query_id, text } => match backend.query(&text) {
            Ok(keys) => send(Event::QueryMatched { query_id, keys }),
            Err(error) => send(Event::QueryFailed { query_id, error }),
        },
        Effect::ApplyBatch { batch_id, calls } => {
            for (call, request) in calls.into_iter().enumerate() {
                // The previous values, read before the call, are what undo restores.
                let restores: Vec<_> = request
                    .identifiers
                    .iter()
                    .filter_map(|k| {
                        let doc = backend.document(k).ok()??;
                        Some((k.clone(), edit::restore_for(&doc, &request.update)))
                    })
                    .collect();
                let ok = match backend.batch_update(&request) {
                    Ok(result) => {
                        let processed: std::collections::HashSet<_> = result.processed.iter().collect();
                        let restores = restores.into_iter().filter(|(k, _)| processed.contains(k)).collect();
                        let outcome = CallOutcome {
                            processed: result.processed.clone(),
                            unprocessed: result
                                .unprocessed
                                .into_iter()
                                .map(|u| Rejected { key: u.key, reason: format!("{}: {}", u.code, u.message) })
                                .collect(),
                            restores,
                        };
                        send(Event::BatchApplied { batch_id, call, outcome })
                    }
                    Err(error) => send(Event::BatchFailed { batch_id, call, keys: request.identifiers, error }),
                };
                if !ok {
                    return false;
                }
            }
            true
        }
        Effect::LoadDemo => match backend.load_demo() {
            Ok(count) => send(Event::DemoLoaded { count }),
            Err(error) => send(Event::DemoFailed { error }),
        },
        Effect::Export { path, keys } => match export(backend, &path, &keys) {
            Ok(count) => send(Event::Exported { path, count }),
            Err(error) => send(Event::ExportFailed { path, error }),
        },
        Effect::Quit => false,
    }
}

fn export(backend: &dyn Backend, path: &Path, keys: &[crate::model::finding::FindingKey]) -> Result<usize, String> {
    let mut docs: Vec<Value> = Vec::with_capacity(keys.len());
    for k in keys {
        if let Some(d) = backend.document(k)? {
            docs.push(d);
        }
    }
    let n = docs.len();
    let bytes = serde_json::to_vec_pretty(&json!({ "Findings": docs })).map_err(|e| e.to_string())?;
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(n)
}
