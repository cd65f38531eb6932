//! The recheck pass (`recheck`) over a remote's cached OCSF findings: BatchUpdateFindingsV2 never
//! changes `finding_info.modified_time`, so the incremental V2 refresh misses another analyst's
//! V2 edit (status, severity, comment). The pass reads the cached OCSF findings again by their
//! `metadata.uid`, 20 a GetFindingsV2 call (one composite filter of `metadata.uid` EQUALS string
//! filters ORed: the service model allows 20 filters of a type per composite), at the same pace as
//! the ASFF pass; a finding whose document changed is written into the cache (leaving it if it
//! left the view) and reported, so that its row changes in place.

use std::collections::{HashMap, HashSet, VecDeque};

use serde_json::{json, Value};

use super::cache::{Cache, View};
use super::client::Client;
use super::outbox::now_ms;
use crate::backend::{BackendError, Rechecked, Result};
use crate::model::finding::FindingId;
use crate::model::ocsf::filter::{OcsfFindingFilters, MAX_FILTERS_PER_TYPE};
use crate::model::ocsf::Ocsf;
use crate::model::summary::FindingSummary;
use crate::model::wire::get_findings_v2::GetFindingsV2Request;
use crate::store::Access;

/// `metadata.uid`s one call asks for: the string filters one composite filter may hold.
pub const PER_CALL: usize = MAX_FILTERS_PER_TYPE;

/// GetFindingsV2's Filters for these `metadata.uid`s (at most `PER_CALL`).
pub fn uids_filter(uids: &[String]) -> Result<OcsfFindingFilters> {
    let strings: Vec<Value> = uids
        .iter()
        .map(|uid| json!({"FieldName": "metadata.uid", "Filter": {"Value": uid, "Comparison": "EQUALS"}}))
        .collect();
    OcsfFindingFilters::from_json(&json!({"CompositeFilters": [{"Operator": "OR", "StringFilters": strings}]}))
        .map_err(|e| BackendError::invalid(e.to_string()))
}

/// One call: the next OCSF findings of `round` (skipping those in `queued`, whose own edit waits
/// in the outbox) read again. `None` when the round holds none to read. `twins_listed_as_asff`:
/// a finding the cache also holds in its ASFF form is listed as that row (`--api both`), so its
/// OCSF row is not reported.
pub async fn step(
    client: &Client,
    cache: &mut Cache,
    view: &View,
    round: &mut VecDeque<String>,
    queued: &HashSet<String>,
    twins_listed_as_asff: bool,
) -> Result<Option<Rechecked>> {
    let mut uids = Vec::with_capacity(PER_CALL);
    while uids.len() < PER_CALL {
        match round.pop_front() {
            Some(uid) if !queued.contains(&uid) => uids.push(uid),
            Some(_) => {}
            None => break,
        }
    }
    if uids.is_empty() {
        return Ok(None);
    }
    let request = GetFindingsV2Request { filters: uids_filter(&uids)?, max_results: 100, ..Default::default() };
    let mut found: HashMap<String, Value> = HashMap::new();
    client
        .get_all_findings_v2(&request, |page| {
            for d in page {
                let uid = Ocsf(&d).metadata_uid().to_string();
                if uids.contains(&uid) {
                    found.insert(uid, d);
                }
            }
            true
        })
        .await?;
    let all = Access::Unrestricted;
    let mut changed = Vec::new();
    for uid in &uids {
        let Some(doc) = found.remove(uid) else { continue };
        if cache.store.get_ocsf_as(&all, uid)?.as_ref() != Some(&doc) {
            changed.push(doc);
        }
    }
    let mut updated = Vec::new();
    for d in &changed {
        let f = Ocsf(d);
        if twins_listed_as_asff && cache.store.has_asff_twin(&all, f.finding_uid(), f.product_uid())? {
            continue;
        }
        updated.push(FindingSummary::from_ocsf(d));
    }
    if !changed.is_empty() {
        cache.put_edited_ocsf(changed, view)?;
    }
    Ok(Some(Rechecked { updated, checked: uids.into_iter().map(FindingId::Ocsf).collect(), at_ms: now_ms() }))
}
