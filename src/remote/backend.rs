//! A remote Security Hub as a `Backend`: the worker's operations become GetFindings,
//! BatchUpdateFindings and GetFindingHistory calls through `Client`, run to completion on a runtime
//! of the backend's own (the worker thread is synchronous). This stage reads straight from the
//! remote; the cache store and the durable outbox that will sit in front of it are the next stage
//! (docs/remote.md).

use std::collections::HashMap;

use serde_json::{json, Value};

use super::client::{Client, ClientConfig};
use super::endpoint::{Environment, RemoteOptions};
use super::limit::published_rate;
use super::Operation;
use crate::backend::{Backend, BackendError, Capabilities, Result, Unprocessed, UpdateOutcome};
use crate::model::call::UpdateCall;
use crate::model::filter::Filters;
use crate::model::finding::{FindingId, FindingKey};
use crate::model::history::HistoryEntry;
use crate::model::summary::FindingSummary;
use crate::model::wire::batch_update::BatchUpdateRequest;
use crate::model::wire::get_findings::{GetFindingsRequest, SortCriterion};
use crate::model::wire::history::HistoryRequest;
use crate::query::Query;

/// A finding's history is read at most this far (newest first) for the detail pane.
const MAX_HISTORY: usize = 1_000;
/// Values one string filter may list (GetFindings' Filters: up to 20 values per attribute).
const MAX_FILTER_VALUES: usize = 20;

pub struct RemoteBackend {
    client: Client,
    runtime: tokio::runtime::Runtime,
}

impl std::fmt::Debug for RemoteBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteBackend").field("client", &self.client).finish_non_exhaustive()
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| BackendError::other(format!("cannot start the remote client's runtime: {e}")))
}

/// Most severe first: the order the workbench lists in, which GetFindings can sort by.
fn most_severe_first() -> Vec<SortCriterion> {
    vec![SortCriterion { field: "SeverityNormalized".into(), descending: true }]
}

impl RemoteBackend {
    /// Resolves the profile, region, endpoint and credentials as the AWS CLI does.
    pub fn connect(opts: &RemoteOptions, env: &Environment, config: ClientConfig) -> Result<RemoteBackend> {
        let runtime = runtime()?;
        let client = runtime.block_on(Client::connect(opts, env, config))?;
        Ok(RemoteBackend { client, runtime })
    }

    /// Over a client already made (fixed credentials, tests).
    pub fn new(client: Client) -> Result<RemoteBackend> {
        Ok(RemoteBackend { client, runtime: runtime()? })
    }

    /// What the client has sent so far. (The client itself is not lent out: its pooled connections
    /// run on this backend's runtime, which only drives them inside the backend's own calls.)
    pub fn stats(&self) -> super::ClientStats {
        self.client.stats()
    }

    /// Every finding `request`'s filters select, page by page, handed to `each`; `each` returns
    /// false to stop.
    fn each_finding(&self, request: GetFindingsRequest, each: &mut dyn FnMut(Value) -> bool) -> Result<()> {
        self.runtime.block_on(self.client.get_all_findings(&request, |page| page.into_iter().all(&mut *each)))?;
        Ok(())
    }
}

/// A filter on the findings' Id being any of `ids` (the ProductArn is checked on the answers).
fn ids_filter(keys: &[&FindingKey]) -> Result<Filters> {
    let values: Vec<Value> = keys.iter().map(|k| json!({"Value": k.id, "Comparison": "EQUALS"})).collect();
    Filters::from_json(&json!({ "Id": values })).map_err(|e| BackendError::invalid(e.to_string()))
}

impl Backend for RemoteBackend {
    fn describe(&self) -> String {
        self.client.describe()
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            history: true,
            // A real account is never seeded with the demo dataset.
            seed: false,
            read_rate: Some(published_rate(Operation::GetFindings)),
            update_rate: Some(published_rate(Operation::BatchUpdateFindings)),
            ..Capabilities::default()
        }
    }

    /// GetFindings gives no total.
    fn count(&self) -> Result<Option<usize>> {
        Ok(None)
    }

    fn for_each_summary(&self, sink: &mut dyn FnMut(FindingSummary) -> bool) -> Result<()> {
        let request = GetFindingsRequest { sort: most_severe_first(), ..Default::default() };
        self.each_finding(request, &mut |doc| sink(FindingSummary::from_asff(&doc)))
    }

    fn documents(&self, ids: &[FindingId]) -> Result<Vec<Option<Value>>> {
        let keys: Vec<&FindingKey> = ids.iter().filter_map(FindingId::as_asff).collect();
        let mut found: HashMap<FindingKey, Value> = HashMap::new();
        for chunk in keys.chunks(MAX_FILTER_VALUES) {
            let request = GetFindingsRequest { filters: ids_filter(chunk)?, ..Default::default() };
            self.each_finding(request, &mut |doc| {
                if let Some(k) = FindingKey::of(&doc).filter(|k| chunk.contains(&k)) {
                    found.insert(k, doc);
                }
                true
            })?;
        }
        Ok(ids.iter().map(|id| id.as_asff().and_then(|k| found.get(k).cloned())).collect())
    }

    fn history(&self, id: &FindingId) -> Result<Vec<HistoryEntry>> {
        let Some(key) = id.as_asff() else { return Ok(Vec::new()) };
        let mut request = HistoryRequest::new(key.clone());
        let mut out = Vec::new();
        loop {
            let page = self.runtime.block_on(self.client.get_finding_history(&request))?;
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
                Some(t) if out.len() < MAX_HISTORY => request.next_token = Some(t),
                _ => return Ok(out),
            }
        }
    }

    /// The filters run on the remote; the free words, which GetFindings cannot search for, on the
    /// findings it returns.
    fn query(&self, q: &Query) -> Result<Vec<FindingId>> {
        let request =
            GetFindingsRequest { filters: q.filters.clone(), sort: most_severe_first(), ..Default::default() };
        let mut out = Vec::new();
        self.each_finding(request, &mut |doc| {
            if q.text.is_empty() || q.matches_text(&doc) {
                out.extend(FindingKey::of(&doc).map(FindingId::Asff));
            }
            true
        })?;
        Ok(out)
    }

    fn batch_update(&mut self, call: &UpdateCall) -> Result<UpdateOutcome> {
        let mut outcome = UpdateOutcome::default();
        let mut identifiers = Vec::with_capacity(call.ids.len());
        for id in &call.ids {
            match id.as_asff() {
                Some(k) => identifiers.push(k.clone()),
                None => outcome.unprocessed.push(Unprocessed {
                    id: id.clone(),
                    code: "FindingNotFound".into(),
                    message: "BatchUpdateFindings updates ASFF findings only".into(),
                }),
            }
        }
        if identifiers.is_empty() {
            return Ok(outcome);
        }
        let request = BatchUpdateRequest { identifiers, update: call.update.clone() };
        let r = self.runtime.block_on(self.client.batch_update_findings(&request))?;
        outcome.processed.extend(r.processed.into_iter().map(FindingId::Asff));
        outcome.unprocessed.extend(r.unprocessed.into_iter().map(|u| Unprocessed {
            id: FindingId::Asff(u.key),
            code: u.code,
            message: u.message,
        }));
        Ok(outcome)
    }

    fn seed(&mut self, _calls: Vec<Vec<Value>>) -> Result<usize> {
        Err(BackendError::invalid("a remote Security Hub is not seeded with the demo dataset"))
    }
}
