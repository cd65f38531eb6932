//! The worker against the real store on a thread, and against a fake `Backend` that fails as a
//! remote one does, with its events fed to the app.

use std::time::Duration;

use tokio::sync::mpsc::unbounded_channel;

use super::*;
use crate::backend::{ErrorKind, UpdateOutcome};
use crate::generate::{generate, GenOptions};
use crate::model::call::UpdateCall;
use crate::model::enums::WorkflowStatus;
use crate::model::finding::{FindingId, FindingKey};
use crate::model::history::HistoryEntry;
use crate::model::summary::FindingSummary;
use crate::model::update::FindingUpdate;
use crate::query::Query;
use crate::store::{Caller, Store, StoreBackend};

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
        Harness::on(Box::new(StoreBackend::new(store, Caller::unrestricted("tester"))))
    }

    fn on(backend: Box<dyn Backend>) -> Harness {
        let (tx, erx) = unbounded_channel();
        let (etx, mut events) = unbounded_channel();
        spawn(backend, erx, etx).unwrap();
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
                // The total is counted after the first chunk has gone, and the later ones carry it.
                let counted = if sizes.is_empty() { None } else { Some(650) };
                assert_eq!((generation, total), (4, counted));
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
    let keys: Vec<FindingId> = docs.iter().filter_map(FindingKey::of).map(FindingId::Asff).collect();
    let before = crate::model::finding::Summary::of(&docs[0]).workflow_status;
    let update = FindingUpdate { workflow_status: Some(WorkflowStatus::Resolved), ..FindingUpdate::default() };
    let mut second: Vec<FindingId> = keys[100..].to_vec();
    second.push(FindingId::asff("arn:nope", "missing"));
    let calls =
        vec![UpdateCall { ids: keys[..100].to_vec(), update: update.clone() }, UpdateCall { ids: second, update }];
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

    h.send(Effect::RunQuery { query_id: 2, query: crate::query::parse("status:resolved").unwrap() });
    let Event::QueryMatched { query_id: 2, keys: matched } = h.next() else { panic!("query") };
    assert_eq!(matched.len(), 150, "every finding of the store is resolved now");
    assert_eq!(matched.iter().collect::<std::collections::HashSet<_>>().len(), 150, "each once");

    let out = dir.path().join("export.json");
    h.send(Effect::Export { path: out.clone(), keys: keys[..5].to_vec(), overwrite: false });
    assert!(matches!(h.next(), Event::Exported { count: 5, .. }));
    let v: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(v["Findings"].as_array().unwrap().len(), 5);
    // An existing file is not replaced without `:export!`, and is left as it was.
    h.send(Effect::Export { path: out.clone(), keys: keys[..2].to_vec(), overwrite: false });
    let Event::ExportFailed { error, .. } = h.next() else { panic!("refused overwrite") };
    assert!(error.contains("exists") && error.contains(":export!"), "{error}");
    let v: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(v["Findings"].as_array().unwrap().len(), 5, "the file is as it was");
    h.send(Effect::Export { path: out.clone(), keys: keys[..2].to_vec(), overwrite: true });
    assert!(matches!(h.next(), Event::Exported { count: 2, .. }));
    // The extension chooses the format: a .csv file gets a header and one record per finding.
    let csv = dir.path().join("export.CSV");
    h.send(Effect::Export { path: csv.clone(), keys: keys[..3].to_vec(), overwrite: false });
    assert!(matches!(h.next(), Event::Exported { count: 3, .. }));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("Id,ProductArn,SeverityLabel,"), "{text}");
    assert_eq!(text.lines().count(), 4, "{text}");
    h.send(Effect::Export { path: dir.path().join("no/such/dir/x.json"), keys: keys[..1].to_vec(), overwrite: false });
    let Event::ExportFailed { error, .. } = h.next() else { panic!("export failure") };
    assert!(error.contains("cannot write"), "{error}");
}

#[test]
fn loads_the_demo_into_an_empty_store() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = store_with(dir.path(), 0);
    let h = Harness::new(store);
    h.send(Effect::LoadDemo);
    assert_eq!(
        h.next(),
        Event::DemoLoaded { count: crate::generate::DEMO_COUNT + crate::generate::ocsf::DEMO_OCSF_COUNT }
    );
    // The header's source is described again: it now holds demo data.
    let Event::SourceDescribed { source, .. } = h.next() else { panic!("described") };
    assert!(source.ends_with("· demo data"), "{source}");
}

// A store's first description is its path, read without the findings: looking for demo findings
// reads the whole table (half a second at a million), which the first frame and the first rows
// must not wait for. Once the first load is done the worker says "demo data", and only then.
#[test]
fn a_store_is_described_as_demo_data_after_its_first_load() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = store_with(dir.path(), 0);
    crate::store::import_demo(&mut store).unwrap();
    let backend = StoreBackend::new(store, Caller::unrestricted("tester"));
    let path = backend.first_description().unwrap();
    assert!(path.ends_with("s.db"), "{path}");
    assert!(backend.describe().ends_with("· demo data"));
    let (tx, erx) = unbounded_channel();
    let (etx, mut events) = unbounded_channel();
    spawn(Box::new(backend), erx, etx).unwrap();
    let Some(Event::SourceDescribed { source, .. }) = events.blocking_recv() else { panic!("described") };
    assert_eq!(source, path, "the first description reads no finding");
    tx.send(Effect::LoadRows { generation: 1 }).unwrap();
    let mut rows = 0;
    loop {
        match events.blocking_recv() {
            Some(Event::RowsLoaded { rows: chunk, done, .. }) => {
                rows += chunk.len();
                if done {
                    break;
                }
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(rows, crate::generate::DEMO_COUNT + crate::generate::ocsf::DEMO_OCSF_COUNT);
    let Some(Event::SourceDescribed { source, .. }) = events.blocking_recv() else { panic!("described again") };
    assert_eq!(source, format!("{path} · demo data"));
    // Described once: a reload does not look again.
    tx.send(Effect::LoadRows { generation: 2 }).unwrap();
    loop {
        match events.blocking_recv() {
            Some(Event::RowsLoaded { done: true, .. }) => break,
            Some(Event::RowsLoaded { .. }) => {}
            other => panic!("{other:?}"),
        }
    }
    tx.send(Effect::Quit).unwrap();
    assert!(events.blocking_recv().is_none(), "nothing more");
}

/// A source that behaves as a remote one may: no total, and each operation answering from a script
/// of failures (throttled, unavailable) before it succeeds.
struct FakeBackend {
    docs: Vec<Value>,
    failures: std::sync::Mutex<HashMap<&'static str, VecDeque<BackendError>>>,
    /// A description that reads the findings (as a store's demo data does), in this many parts of
    /// `DESCRIBE_PART` each.
    described_in: Option<i64>,
}

/// How long one part of a slow description takes.
const DESCRIBE_PART: Duration = Duration::from_millis(25);

impl FakeBackend {
    fn new(docs: Vec<Value>) -> FakeBackend {
        FakeBackend { docs, failures: std::sync::Mutex::new(HashMap::new()), described_in: None }
    }

    fn described_in(mut self, parts: i64) -> FakeBackend {
        self.described_in = Some(parts);
        self
    }

    /// The next call of `op` fails with `e` (several are taken in turn).
    fn failing(self, op: &'static str, e: BackendError) -> FakeBackend {
        self.failures.lock().unwrap().entry(op).or_default().push_back(e);
        self
    }

    fn scripted(&self, op: &'static str) -> crate::backend::Result<()> {
        match self.failures.lock().unwrap().get_mut(op).and_then(VecDeque::pop_front) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn id(doc: &Value) -> FindingId {
        FindingId::Asff(FindingKey::of(doc).unwrap())
    }
}

impl Backend for FakeBackend {
    fn describe(&self) -> String {
        if let Some(parts) = self.described_in {
            std::thread::sleep(DESCRIBE_PART * parts as u32);
        }
        "fake endpoint (us-east-1)".into()
    }

    fn first_description(&self) -> Option<String> {
        self.described_in.map(|_| "fake endpoint".into())
    }

    fn describe_from(&self, from: i64) -> crate::backend::Describing {
        let Some(parts) = self.described_in else { return crate::backend::Describing::Done(self.describe()) };
        std::thread::sleep(DESCRIBE_PART);
        if from + 1 < parts {
            return crate::backend::Describing::From(from + 1);
        }
        crate::backend::Describing::Done("fake endpoint (us-east-1)".into())
    }

    fn capabilities(&self) -> crate::backend::Capabilities {
        crate::backend::Capabilities { history: false, seed: false, ..Default::default() }
    }

    fn count(&self) -> crate::backend::Result<Option<usize>> {
        self.scripted("count")?;
        Ok(None)
    }

    fn for_each_summary(&self, sink: &mut dyn FnMut(FindingSummary) -> bool) -> crate::backend::Result<()> {
        self.scripted("rows")?;
        for d in &self.docs {
            if !sink(FindingSummary::from_asff(d)) {
                break;
            }
        }
        Ok(())
    }

    fn documents(&self, ids: &[FindingId]) -> crate::backend::Result<Vec<Option<Value>>> {
        self.scripted("documents")?;
        Ok(ids.iter().map(|id| self.docs.iter().find(|d| FakeBackend::id(d) == *id).cloned()).collect())
    }

    fn history(&self, _: &FindingId) -> crate::backend::Result<Vec<HistoryEntry>> {
        Ok(Vec::new())
    }

    fn query(&self, q: &Query) -> crate::backend::Result<Vec<FindingId>> {
        self.scripted("query")?;
        let now = time::OffsetDateTime::now_utc();
        Ok(self.docs.iter().filter(|d| q.filters.matches(d, now)).map(FakeBackend::id).collect())
    }

    fn batch_update(&mut self, call: &UpdateCall) -> crate::backend::Result<UpdateOutcome> {
        self.scripted("update")?;
        Ok(UpdateOutcome { processed: call.ids.clone(), unprocessed: Vec::new() })
    }

    fn seed(&mut self, _: Vec<Vec<Value>>) -> crate::backend::Result<usize> {
        Err(BackendError::invalid("not seeded"))
    }
}

/// Runs effects on the worker and feeds every event it answers with to the app, until the worker has
/// answered `n` events.
fn drive(h: &Harness, s: &mut crate::app::AppState, n: usize) -> Vec<Event> {
    let mut seen = Vec::new();
    for _ in 0..n {
        let e = h.next();
        seen.push(e.clone());
        for effect in crate::app::handle_event(s, e) {
            h.send(effect);
        }
    }
    seen
}

fn status(s: &crate::app::AppState) -> String {
    s.status.message.as_ref().map(|m| m.text.clone()).unwrap_or_default()
}

#[test]
fn a_fake_backend_drives_the_worker_and_the_app_shows_its_failures_as_status() {
    let docs: Vec<Value> = generate(&GenOptions { count: 30, seed: 5, ..GenOptions::default() }).collect();
    let backend = FakeBackend::new(docs.clone())
        .failing("rows", BackendError::unavailable("endpoint https://127.0.0.1:1 unreachable: connection refused"))
        .failing("query", BackendError::throttled("GetFindings throttled (LimitExceededException) in us-east-1"))
        .failing("update", BackendError::throttled("BatchUpdateFindings throttled (429) in us-east-1"))
        .failing("documents", BackendError::unavailable("the cache is busy"));
    let h = Harness::on(Box::new(backend));
    let mut s = crate::app::AppState::new(
        crate::app::state::Config::default(),
        "x",
        time::macros::datetime!(2026-11-01 0:00 UTC),
    );
    crate::app::resize(&mut s, 120, 40);

    // Load: the first attempt is unavailable; the app says so and does not panic.
    for e in crate::app::start(&mut s) {
        h.send(e);
    }
    let seen = drive(&h, &mut s, 1);
    let Event::RowsFailed { error, .. } = &seen[0] else { panic!("{seen:?}") };
    assert_eq!(error.kind, ErrorKind::Unavailable);
    assert!(error.kind.is_retryable());
    assert_eq!(s.status.load, crate::app::state::LoadState::Failed);
    assert!(status(&s).contains("connection refused"), "{}", status(&s));

    // Reload: rows arrive without a total (a remote has none); the first detail is then unavailable.
    for e in crate::app::update(&mut s, crate::app::Action::Reload) {
        h.send(e);
    }
    let seen = drive(&h, &mut s, 2);
    assert!(
        matches!(&seen[0], Event::RowsLoaded { total: None, done: true, rows, .. } if rows.len() == 30),
        "{seen:?}"
    );
    let Event::DetailFailed { error, .. } = &seen[1] else { panic!("{seen:?}") };
    assert_eq!(error.kind, ErrorKind::Unavailable);
    assert_eq!(s.rows.all.len(), 30);
    assert_eq!(s.detail.error.as_deref(), Some("the cache is busy"));

    // A query the rows cannot answer goes to the backend: throttled, shown as a status.
    let q = crate::app::update::apply_query(&mut s, "tag:Environment=prod").unwrap();
    assert!(matches!(q[..], [Effect::RunQuery { .. }]), "{q:?}");
    for e in q {
        h.send(e);
    }
    let seen = drive(&h, &mut s, 1);
    let Event::QueryFailed { error, .. } = &seen[0] else { panic!("{seen:?}") };
    assert_eq!(error.kind, ErrorKind::Throttled);
    assert!(status(&s).starts_with("Query failed: GetFindings throttled"), "{}", status(&s));

    // An edit whose call is throttled is rolled back, stays marked and says why.
    let before = s.cursor_row().unwrap().1.workflow;
    let mut effects = crate::app::update(&mut s, crate::app::Action::Resolve);
    effects.extend(crate::app::update(&mut s, crate::app::Action::Yes));
    let apply: Vec<Effect> = effects.into_iter().filter(|e| matches!(e, Effect::ApplyBatch { .. })).collect();
    assert_eq!(apply.len(), 1);
    for e in apply {
        h.send(e);
    }
    let seen = drive(&h, &mut s, 1);
    let Event::BatchFailed { error, .. } = &seen[0] else { panic!("{seen:?}") };
    assert_eq!(error.kind, ErrorKind::Throttled);
    assert_eq!(s.cursor_row().unwrap().1.workflow, before, "rolled back");
    assert!(status(&s).contains("BatchUpdateFindings throttled"), "{}", status(&s));
    assert!(status(&s).contains("t retries"), "{}", status(&s));
    assert_eq!(s.edits.failed.len(), 1);

    // Retried, it goes through: the script has no more failures.
    let mut effects = crate::app::update(&mut s, crate::app::Action::RetryFailed);
    effects.extend(crate::app::update(&mut s, crate::app::Action::Yes));
    for e in effects {
        h.send(e);
    }
    let mut seen = drive(&h, &mut s, 1);
    // The failed call's finding is the detail's: its reload may answer first.
    if matches!(seen[0], Event::DetailLoaded { .. }) {
        seen = drive(&h, &mut s, 1);
    }
    assert!(matches!(&seen[0], Event::BatchApplied { .. }), "{seen:?}");
    assert!(s.edits.failed.is_empty());
    assert_eq!(s.cursor_row().unwrap().1.workflow, Some(WorkflowStatus::Resolved));
}

#[test]
fn a_source_that_cannot_be_seeded_refuses_the_demo() {
    let h = Harness::on(Box::new(FakeBackend::new(Vec::new())));
    h.send(Effect::LoadDemo);
    let Event::DemoFailed { error } = h.next() else { panic!("demo") };
    assert_eq!(error.kind, ErrorKind::Invalid);
    assert!(error.message.contains("fake endpoint"), "{error}");
}

#[test]
fn a_tilde_is_the_home_directory() {
    let home = directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf());
    assert_eq!(expand_home(std::path::Path::new("/tmp/x.json")), std::path::PathBuf::from("/tmp/x.json"));
    assert_eq!(expand_home(std::path::Path::new("x~.json")), std::path::PathBuf::from("x~.json"));
    if let Some(home) = home {
        assert_eq!(expand_home(std::path::Path::new("~/f.csv")), home.join("f.csv"));
        assert_eq!(expand_home(std::path::Path::new("~")), home);
    }
}

// `:demo remove` on a store holding the demo and other findings: only the demo goes, and the header
// no longer says "demo data". A remote source refuses.
#[test]
fn removes_the_demo_findings_and_describes_the_source_again() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = store_with(dir.path(), 30);
    crate::store::import_demo(&mut store).unwrap();
    let h = Harness::new(store);
    h.send(Effect::RemoveDemo);
    assert_eq!(
        h.next(),
        Event::DemoRemoved { count: crate::generate::DEMO_COUNT + crate::generate::ocsf::DEMO_OCSF_COUNT }
    );
    let Event::SourceDescribed { source, .. } = h.next() else { panic!("described") };
    assert!(!source.contains("demo data"), "{source}");
    assert_eq!(Store::open(dir.path().join("s.db")).unwrap().count().unwrap(), 30);

    let h = Harness::on(Box::new(FakeBackend::new(Vec::new())));
    h.send(Effect::RemoveDemo);
    let Event::DemoRemoveFailed { error } = h.next() else { panic!("remove") };
    assert_eq!(error.kind, ErrorKind::Invalid);
}

/// Issue 20: the `:` history file is read and written by the worker, and a failure is an event.
#[test]
fn reads_and_writes_the_command_history_file() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = store_with(dir.path(), 1);
    let h = Harness::new(store);
    let path = dir.path().join("state").join("command_history");
    h.send(Effect::LoadHistory { path: path.clone() });
    assert_eq!(h.next(), Event::HistoryLoaded { entries: vec![] }, "no file yet: an empty history");
    h.send(Effect::SaveHistory { path: path.clone(), entries: vec!["sev>=high".into(), "status:new".into()] });
    h.send(Effect::LoadHistory { path: path.clone() });
    assert_eq!(h.next(), Event::HistoryLoaded { entries: vec!["sev>=high".into(), "status:new".into()] });
    // A directory where the file should be: it cannot be read or written.
    h.send(Effect::LoadHistory { path: dir.path().to_path_buf() });
    assert!(matches!(h.next(), Event::HistoryFailed { .. }));
    h.send(Effect::SaveHistory { path: dir.path().join("state"), entries: vec!["x".into()] });
    assert!(matches!(h.next(), Event::HistoryFailed { error } if error.contains("cannot write")));
}

/// After the first screenful the chunks grow, each twice the one before, up to `MAX_CHUNK`: fewer
/// merges into the list's order at a million rows.
#[test]
fn later_chunks_grow_up_to_the_largest() {
    let (tx, mut rx) = unbounded_channel();
    let mut load = Load::new(1, None, tx);
    let n = FIRST_CHUNK + CHUNK + 2 * CHUNK + 2 * MAX_CHUNK + 7;
    load.page(vec![FindingSummary::default(); n]);
    load.flush(true);
    let mut sizes = Vec::new();
    while let Ok(Event::RowsLoaded { rows, .. }) = rx.try_recv() {
        sizes.push(rows.len());
    }
    assert_eq!(sizes, [FIRST_CHUNK, CHUNK, 2 * CHUNK, MAX_CHUNK, MAX_CHUNK, 7, 0], "the last, done, empty");
}

/// Rows read one by one (a store's listing) up to the end of the load: the rows left when it ends
/// are sent before the event that ends it, which carries none, so that the list does not take the
/// last chunk and the end of the load's work in one turn; a load within the first screenful is sent
/// in one event still.
#[test]
fn the_rows_left_at_the_end_go_before_the_event_that_ends_the_load() {
    let (tx, mut rx) = unbounded_channel();
    let mut load = Load::new(1, None, tx);
    // Read faster than `SLOW_CHUNK` however busy the machine.
    load.sent = std::time::Instant::now() + Duration::from_secs(3600);
    let n = FIRST_CHUNK + CHUNK + FIRST_CHUNK + 123;
    for _ in 0..n {
        load.push(FindingSummary::default());
    }
    load.flush(true);
    let mut sent = Vec::new();
    while let Ok(Event::RowsLoaded { rows, done, .. }) = rx.try_recv() {
        sent.push((rows.len(), done));
    }
    assert_eq!(sent, [(FIRST_CHUNK, false), (CHUNK, false), (FIRST_CHUNK + 123, false), (0, true)]);

    let (tx, mut rx) = unbounded_channel();
    let mut load = Load::new(1, None, tx);
    for _ in 0..FIRST_CHUNK - 1 {
        load.push(FindingSummary::default());
    }
    load.flush(true);
    let Ok(Event::RowsLoaded { rows, done: true, .. }) = rx.try_recv() else { panic!("the rows and the end in one") };
    assert_eq!(rows.len(), FIRST_CHUNK - 1);
    assert!(rx.try_recv().is_err());
}

// After the first load the worker looks over the findings for its description (a store's demo
// data: half a second at a million); a detail asked meanwhile is answered between two parts of
// that look, not after all of it.
#[test]
fn a_detail_does_not_wait_for_the_description() {
    let docs: Vec<Value> = generate(&GenOptions { count: 3, seed: 3, ..GenOptions::default() }).collect();
    let key = FakeBackend::id(&docs[0]);
    let h = Harness::on(Box::new(FakeBackend::new(docs).described_in(40)));
    h.send(Effect::LoadRows { generation: 1 });
    loop {
        match h.next() {
            Event::RowsLoaded { done: true, .. } => break,
            Event::RowsLoaded { .. } => {}
            other => panic!("{other:?}"),
        }
    }
    h.send(Effect::LoadDetail { key: key.clone() });
    let mut seen = Vec::new();
    loop {
        match h.next() {
            Event::SourceDescribed { source, .. } => {
                assert_eq!(source, "fake endpoint (us-east-1)");
                break;
            }
            e => seen.push(e),
        }
    }
    assert!(
        seen.iter().any(|e| matches!(e, Event::DetailLoaded { key: k, .. } if *k == key)),
        "the detail came before the description: {seen:?}"
    );
}

/// The nice value of each of this process's threads named `name` (Linux's /proc), and of the
/// calling thread.
#[cfg(target_os = "linux")]
fn nice_of(name: &str) -> (Vec<i64>, i64) {
    let nice = |stat: &str| -> i64 {
        // After the command's closing parenthesis: state is field 3, nice field 19.
        let rest = &stat[stat.rfind(')').unwrap() + 2..];
        rest.split(' ').nth(16).unwrap().parse().unwrap()
    };
    let mut named = Vec::new();
    for task in std::fs::read_dir("/proc/self/task").unwrap() {
        let task = task.unwrap().path();
        let (Ok(comm), Ok(stat)) =
            (std::fs::read_to_string(task.join("comm")), std::fs::read_to_string(task.join("stat")))
        else {
            continue; // a thread that ended meanwhile
        };
        // The kernel keeps 15 bytes of a thread's name.
        if comm.trim_end() == &name[..name.len().min(15)] {
            named.push(nice(&stat));
        }
    }
    (named, nice(&std::fs::read_to_string("/proc/thread-self/stat").unwrap()))
}

// The load keeps both cores busy at a million findings: the worker (and the threads it starts,
// which inherit its nice value) yields a contended core to the UI thread, which keeps its own.
#[cfg(target_os = "linux")]
#[test]
fn the_worker_runs_below_the_ui_threads_priority() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = store_with(dir.path(), 3);
    let (tx, erx) = unbounded_channel();
    let (etx, mut events) = unbounded_channel();
    let worker = spawn(Box::new(StoreBackend::new(store, Caller::unrestricted("tester"))), erx, etx).unwrap();
    tx.send(Effect::LoadRows { generation: 1 }).unwrap();
    while !matches!(events.blocking_recv(), Some(Event::RowsLoaded { done: true, .. })) {}
    let (workers, here) = nice_of("hubtriage-worker");
    assert!(!workers.is_empty(), "the worker thread is listed");
    // Every worker thread of this test process (tests run in parallel) is 5 below its spawner,
    // which is a test thread like this one (or at the ceiling, 19).
    for w in workers {
        assert_eq!(w, (here + 5).min(19), "worker nice {w}, this thread {here}");
    }
    // And a thread the worker starts inherits it.
    let child = std::thread::spawn(|| {
        super::background_priority();
        std::thread::spawn(|| nice_of("none").1).join().unwrap()
    })
    .join()
    .unwrap();
    assert_eq!(child, (here + 5).min(19));
    drop(tx);
    worker.join().unwrap();
}
