//! What the worker needs from a source of findings, as a trait: the local store implements it here;
//! a remote Security Hub endpoint implements the same operations later.

use std::path::Path;

use serde_json::Value;

use crate::app::event::HistoryEntry;
use crate::app::row::Row;
use crate::generate;
use crate::model::finding::FindingKey;
use crate::model::update::BatchUpdateRequest;
use crate::store::{Caller, HistoryRequest, Store, StoreError, UpdateResult, MAX_IMPORT_FINDINGS};

pub type BackendResult<T> = std::result::Result<T, String>;

pub trait Backend: Send {
    /// Where the findings come from, for the header (a store path, an endpoint and region).
    fn describe(&self) -> String;
    /// How many findings there are, for the progress of a load.
    fn count(&self) -> BackendResult<usize>;
    /// Streams every finding's list row, most severe first; `sink` returns false to stop.
    fn for_each_row(&self, sink: &mut dyn FnMut(Row) -> bool) -> BackendResult<()>;
    /// One finding's document, or `None` when it does not exist.
    fn document(&self, key: &FindingKey) -> BackendResult<Option<Value>>;
    /// A finding's history, newest first.
    fn history(&self, key: &FindingKey) -> BackendResult<Vec<HistoryEntry>>;
    /// The keys of the findings a structured query matches.
    fn query(&self, text: &str) -> BackendResult<Vec<FindingKey>>;
    /// One BatchUpdateFindings call.
    fn batch_update(&mut self, request: &BatchUpdateRequest) -> BackendResult<UpdateResult>;
    /// Imports the demo dataset; returns how many findings it holds.
    fn load_demo(&mut self) -> BackendResult<usize>;
}

/// The local store, acting as `caller`.
pub struct StoreBackend {
    pub store: Store,
    pub caller: Caller,
}

fn err(e: StoreError) -> String {
    e.to_string()
}

impl StoreBackend {
    pub fn new(store: Store, caller: Caller) -> StoreBackend {
        StoreBackend { store, caller }
    }

    pub fn open(path: &Path, caller: Caller) -> BackendResult<StoreBackend> {
        Ok(StoreBackend { store: Store::open(path).map_err(err)?, caller })
    }
}

impl Backend for StoreBackend {
    fn describe(&self) -> String {
        self.store.path().display().to_string()
    }

    fn count(&self) -> BackendResult<usize> {
        self.store.count().map(|n| n as usize).map_err(err)
    }

    fn for_each_row(&self, sink: &mut dyn FnMut(Row) -> bool) -> BackendResult<()> {
        self.store.for_each_listed(|f| sink(Row::from_listed(f))).map_err(err)
    }

    fn document(&self, key: &FindingKey) -> BackendResult<Option<Value>> {
        self.store.get(key).map_err(err)
    }

    fn history(&self, key: &FindingKey) -> BackendResult<Vec<HistoryEntry>> {
        let mut req = HistoryRequest::new(key.clone());
        let mut out = Vec::new();
        loop {
            let page = self.store.finding_history(&req).map_err(err)?;
            for r in page.records {
                let service = r.is_service_change();
                out.push(HistoryEntry {
                    time: r.time,
                    who: if service { "Security Hub".into() } else { r.identity },
                    service_reason: service.then(|| r.reason.unwrap_or_default()),
                    created: r.created,
                    changes: r.updates,
                });
            }
            match page.next_token {
                Some(t) if out.len() < 1_000 => req.next_token = Some(t),
                _ => break,
            }
        }
        Ok(out)
    }

    fn query(&self, text: &str) -> BackendResult<Vec<FindingKey>> {
        let q = crate::query::parse(text).map_err(|e| e.to_string())?;
        let words = |doc: &Value| q.matches_text(doc);
        let extra: Option<&dyn Fn(&Value) -> bool> = if q.text.is_empty() { None } else { Some(&words) };
        self.store.matching_keys(&q.filters, &q.text, extra).map_err(err)
    }

    fn batch_update(&mut self, request: &BatchUpdateRequest) -> BackendResult<UpdateResult> {
        self.store.batch_update(&self.caller, request).map_err(err)
    }

    fn load_demo(&mut self) -> BackendResult<usize> {
        import_demo(&mut self.store).map_err(err)
    }
}

/// Imports the demo dataset (as the caller "demo", in calls of 100); returns how many findings were
/// imported. The workbench offers it for an empty store, and the overview seeds one with it.
pub fn import_demo(store: &mut Store) -> Result<usize, StoreError> {
    let all = generate::demo_dataset();
    let calls: Vec<Vec<Value>> = all.chunks(MAX_IMPORT_FINDINGS).map(<[Value]>::to_vec).collect();
    let mut n = 0;
    for r in store.import_calls(&Caller::unrestricted("demo"), calls)? {
        n += r?.success_count;
    }
    Ok(n)
}
