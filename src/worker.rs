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
                            processed: result.processed,
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::sync::mpsc::unbounded_channel;

    use super::*;
    use crate::backend::StoreBackend;
    use crate::generate::{generate, GenOptions};
    use crate::model::enums::WorkflowStatus;
    use crate::model::finding::FindingKey;
    use crate::model::update::{BatchUpdateRequest, FindingUpdate};
    use crate::store::{Caller, Store};

    fn store_with(dir: &std::path::Path, n: usize) -> (Store, Vec<Value>) {
        let mut store = Store::open(dir.join("s.db")).unwrap();
        let docs: Vec<Value> = generate(&GenOptions { count: n, seed: 3, ..GenOptions::default() }).collect();
        for c in docs.chunks(100) {
            store.batch_import(&Caller::unrestricted("t"), c.to_vec()).unwrap();
        }
        (store, docs)
    }

    /// A worker on its own thread, as in the app.
    struct Harness {
        tx: tokio::sync::mpsc::UnboundedSender<Effect>,
        rx: std::sync::mpsc::Receiver<Event>,
    }

    impl Harness {
        fn new(store: Store) -> Harness {
            let (tx, erx) = unbounded_channel();
            let (etx, mut events) = unbounded_channel();
            spawn(Box::new(StoreBackend::new(store, Caller::unrestricted("tester"))), erx, etx).unwrap();
            // Bridge to a std channel so the test can wait with a timeout.
            let (stx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                while let Some(e) = events.blocking_recv() {
                    if stx.send(e).is_err() {
                        return;
                    }
                }
            });
            let h = Harness { tx, rx };
            assert!(matches!(h.next(), Event::SourceDescribed { .. }));
            h
        }

        fn next(&self) -> Event {
            self.rx.recv_timeout(Duration::from_secs(20)).expect("an event from the worker")
        }

        fn send(&self, e: Effect) {
            self.tx.send(e).unwrap();
        }
    }

    #[test]
    fn loads_rows_in_chunks_first_chunk_small() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = store_with(dir.path(), 650);
        let h = Harness::new(store);
        h.send(Effect::LoadRows { generation: 4 });
        let mut sizes = Vec::new();
        loop {
            match h.next() {
                Event::RowsLoaded { generation, rows, total, done } => {
                    assert_eq!((generation, total), (4, 650));
                    sizes.push(rows.len());
                    if done {
                        break;
                    }
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(sizes[0], FIRST_CHUNK);
        assert_eq!(sizes.iter().sum::<usize>(), 650);
    }

    #[test]
    fn applies_batches_reports_restores_and_unprocessed_then_details_and_queries() {
        let dir = tempfile::tempdir().unwrap();
        let (store, docs) = store_with(dir.path(), 150);
        let h = Harness::new(store);
        let keys: Vec<FindingKey> = docs.iter().filter_map(FindingKey::of).collect();
        let before = crate::model::finding::Summary::of(&docs[0]).workflow_status;
        let update = FindingUpdate { workflow_status: Some(WorkflowStatus::Resolved), ..FindingUpdate::default() };
        let mut second: Vec<FindingKey> = keys[100..].to_vec();
        second.push(FindingKey::new("arn:nope", "missing"));
        let calls = vec![
            BatchUpdateRequest { identifiers: keys[..100].to_vec(), update: update.clone() },
            BatchUpdateRequest { identifiers: second, update },
        ];
        h.send(Effect::ApplyBatch { batch_id: 9, calls });
        let Event::BatchApplied { batch_id: 9, call: 0, outcome } = h.next() else { panic!("first call") };
        assert_eq!(outcome.processed.len(), 100);
        let (k, restore) = &outcome.restores[0];
        assert_eq!(k, &keys[0]);
        assert_eq!(restore.workflow_status, before, "the previous value, read before the call");
        let Event::BatchApplied { call: 1, outcome, .. } = h.next() else { panic!("second call") };
        assert_eq!(outcome.processed.len(), 50);
        assert_eq!(outcome.unprocessed.len(), 1);
        assert!(outcome.unprocessed[0].reason.starts_with("FindingNotFound"), "{:?}", outcome.unprocessed);

        h.send(Effect::LoadDetail { key: keys[0].clone() });
        let Event::DetailLoaded { doc, history, .. } = h.next() else { panic!("detail") };
        assert_eq!(doc.unwrap()["Workflow"]["Status"], "RESOLVED");
        assert!(history.iter().any(|e| e.who == "tester" && e.changes.iter().any(|c| c.field == "Workflow.Status")));

        h.send(Effect::RunQuery { query_id: 2, text: "status:resolved".into() });
        let Event::QueryMatched { query_id: 2, keys: matched } = h.next() else { panic!("query") };
        assert_eq!(matched.len(), 150, "every finding of the store is resolved now");
        assert_eq!(matched.iter().collect::<std::collections::HashSet<_>>().len(), 150, "each once");
        h.send(Effect::RunQuery { query_id: 3, text: "sevv:x".into() });
        assert!(matches!(h.next(), Event::QueryFailed { query_id: 3, .. }));

        let out = dir.path().join("export.json");
        h.send(Effect::Export { path: out.clone(), keys: keys[..5].to_vec() });
        assert!(matches!(h.next(), Event::Exported { count: 5, .. }));
        let v: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        assert_eq!(v["Findings"].as_array().unwrap().len(), 5);
        h.send(Effect::Export { path: dir.path().join("no/such/dir/x.json"), keys: keys[..1].to_vec() });
        let Event::ExportFailed { error, .. } = h.next() else { panic!("export failure") };
        assert!(error.contains("cannot write"), "{error}");
    }

    #[test]
    fn loads_the_demo_into_an_empty_store() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = store_with(dir.path(), 0);
        let h = Harness::new(store);
        h.send(Effect::LoadDemo);
        assert_eq!(h.next(), Event::DemoLoaded { count: crate::generate::DEMO_COUNT });
    }
}
