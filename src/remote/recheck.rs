//! The workbench's background pass over a remote's cached findings: another analyst's
//! BatchUpdateFindings edits (workflow, note, severity) do not change `UpdatedAt`, so no refresh
//! brings them. The pass reads the cached findings again, 20 Ids a GetFindings call (`Id` EQUALS,
//! 20 values per filter), round after round, each round in the cache's order; a finding whose
//! document changed is written into the cache (leaving it if it left the view) and reported, so
//! that its row changes in place. It calls only while the GetFindings bucket holds more than
//! `KEEP` tokens, at most one call each `CALL_EVERY`, never while a refresh runs, and skips
//! findings whose own edit is still queued in the outbox (the remote may not hold it yet).
//! With `--api` reading V2, each round then reads the cached OCSF findings the same way, with
//! GetFindingsV2 (`recheck_v2`).

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::cache::{Cache, View};
use super::client::Client;
use super::endpoint::Api;
use super::outbox::now_ms;
use super::Operation;
use crate::backend::{Rechecked, Result};
use crate::model::finding::{FindingId, FindingKey};
use crate::model::summary::FindingSummary;
use crate::model::wire::get_findings::GetFindingsRequest;

/// Tokens of the GetFindings bucket (burst 6) left for the analyst's own reads: the pass calls
/// only when more than this are there.
pub const KEEP: u32 = 3;
/// At most one call this often: 40 findings a second, 2,400 a minute, while the rate is spare.
pub const CALL_EVERY: Duration = Duration::from_millis(500);
/// Ids one call asks for (GetFindings: up to 20 values per string filter).
pub const PER_CALL: usize = 20;
/// After a failed call (offline, refused), the pass rests this long.
pub const AFTER_FAILURE: Duration = Duration::from_secs(30);

/// The pass's place in its round.
pub struct Pass {
    client: Arc<Client>,
    pub cache: Cache,
    view: View,
    outbox: Option<PathBuf>,
    /// The APIs read: the ASFF findings are read again with GetFindings, the OCSF ones with
    /// GetFindingsV2.
    api: Api,
    round: VecDeque<FindingKey>,
    /// The OCSF findings (`metadata.uid`) of the round, read after the ASFF ones.
    round_v2: VecDeque<String>,
}

impl Pass {
    pub fn new(client: Arc<Client>, cache: Cache, view: View, outbox: Option<PathBuf>, api: Api) -> Pass {
        Pass { client, cache, view, outbox, api, round: VecDeque::new(), round_v2: VecDeque::new() }
    }

    /// The operation the next `step` calls, whose bucket must have tokens to spare.
    pub fn next_operation(&self) -> Operation {
        let asff_next = !self.round.is_empty() || (self.round_v2.is_empty() && self.api.v1());
        if asff_next {
            Operation::GetFindings
        } else {
            Operation::GetFindingsV2
        }
    }

    /// Findings whose own edit waits in the outbox.
    fn queued(&self) -> Vec<FindingId> {
        let Some(path) = &self.outbox else { return Vec::new() };
        let Ok(state) = super::pending::read(path) else { return Vec::new() };
        state.queued.into_iter().map(|q| q.key).collect()
    }

    /// One call: the next findings of the round read again. `None` when the cache is empty.
    pub async fn step(&mut self) -> Result<Option<Rechecked>> {
        if self.round.is_empty() && self.round_v2.is_empty() {
            if self.api.v1() {
                self.round = self.cache.store.all_keys()?.into();
            }
            if self.api.v2() {
                self.round_v2 = self.cache.store.all_ocsf_keys()?.into_iter().map(|k| k.id).collect();
            }
        }
        if self.round.is_empty() {
            let queued: HashSet<String> = self
                .queued()
                .into_iter()
                .filter_map(|k| if let FindingId::Ocsf(u) = k { Some(u) } else { None })
                .collect();
            let (client, cache, view) = (&self.client, &mut self.cache, &self.view);
            let twins_listed_as_asff = self.api.v1();
            return super::recheck_v2::step(client, cache, view, &mut self.round_v2, &queued, twins_listed_as_asff)
                .await;
        }
        let queued: HashSet<FindingKey> = self.queued().into_iter().filter_map(|k| k.as_asff().cloned()).collect();
        let mut keys = Vec::with_capacity(PER_CALL);
        while keys.len() < PER_CALL {
            match self.round.pop_front() {
                Some(k) if !queued.contains(&k) => keys.push(k),
                Some(_) => {}
                None => break,
            }
        }
        if keys.is_empty() {
            return Ok(None);
        }
        let refs: Vec<&FindingKey> = keys.iter().collect();
        let request =
            GetFindingsRequest { filters: super::backend::ids_filter(&refs)?, max_results: 100, ..Default::default() };
        let mut found: HashMap<FindingKey, Value> = HashMap::new();
        self.client
            .get_all_findings(&request, |page| {
                for d in page {
                    if let Some(k) = FindingKey::of(&d).filter(|k| keys.contains(k)) {
                        found.insert(k, d);
                    }
                }
                true
            })
            .await?;
        let mut changed = Vec::new();
        for k in &keys {
            let Some(doc) = found.remove(k) else { continue };
            if self.cache.store.get(k)?.as_ref() != Some(&doc) {
                changed.push(doc);
            }
        }
        let updated = changed.iter().map(FindingSummary::from_asff).collect();
        if !changed.is_empty() {
            self.cache.put_edited(changed, &self.view)?;
        }
        Ok(Some(Rechecked { updated, checked: keys.into_iter().map(FindingId::Asff).collect(), at_ms: now_ms() }))
    }
}
