//! An edit as BatchUpdateFindings calls: findings that need the same update grouped in first-seen
//! order, each group split into calls of at most 100 identifiers (`MAX_IDENTIFIERS`), and the
//! preview that says how many. Generic over how a finding is named, so the command line (by
//! `FindingKey`) and the workbench plan their calls alike. OCSF findings (`PlanKey::is_v2`) go in
//! calls of their own, BatchUpdateFindingsV2 calls, after the ASFF findings' calls of each group;
//! the preview counts both kinds and names what V2 cannot set.

use std::collections::HashMap;

use serde_json::Value;

use super::call::UpdateCall;
use super::finding::{FindingId, FindingKey, Format};
use super::update::{FindingUpdate, MAX_IDENTIFIERS};
use super::wire::batch_update::BatchUpdateRequest;
use super::words::{count, thousands};

/// How a plan's key says which operation updates its finding.
pub trait PlanKey {
    /// An OCSF finding, updated with BatchUpdateFindingsV2.
    fn is_v2(&self) -> bool {
        false
    }
}

impl PlanKey for FindingId {
    fn is_v2(&self) -> bool {
        self.format() == Format::Ocsf
    }
}

impl PlanKey for FindingKey {}
impl PlanKey for u32 {}
impl PlanKey for usize {}

/// Each group as two, its ASFF findings' then its OCSF findings', so that no call mixes the formats.
fn split<K: PlanKey>(groups: Vec<(FindingUpdate, Vec<K>)>) -> Vec<(FindingUpdate, Vec<K>)> {
    let mut out = Vec::with_capacity(groups.len());
    for (u, keys) in groups {
        if keys.iter().all(|k| !k.is_v2()) || keys.iter().all(PlanKey::is_v2) {
            out.push((u, keys));
            continue;
        }
        let (v2, v1): (Vec<K>, Vec<K>) = keys.into_iter().partition(PlanKey::is_v2);
        out.push((u.clone(), v1));
        out.push((u, v2));
    }
    out
}

/// Updates and the findings each applies to, in the order their calls are sent.
#[derive(Debug, Clone, PartialEq)]
pub struct CallPlan<K> {
    groups: Vec<(FindingUpdate, Vec<K>)>,
}

impl<K> Default for CallPlan<K> {
    fn default() -> Self {
        CallPlan { groups: Vec::new() }
    }
}

impl<K: PlanKey> CallPlan<K> {
    /// One update for all of `keys`.
    pub fn new(update: FindingUpdate, keys: Vec<K>) -> CallPlan<K> {
        CallPlan { groups: split(vec![(update, keys)]) }
    }

    /// Groups formed already (an edit's calls as they were answered), kept apart: each is split
    /// into its own calls.
    pub fn from_groups(groups: Vec<(FindingUpdate, Vec<K>)>) -> CallPlan<K> {
        CallPlan { groups: split(groups) }
    }

    /// Each finding with its own update: those that need the same update share calls, grouped in
    /// the order each update is first seen.
    pub fn grouping(pairs: impl IntoIterator<Item = (K, FindingUpdate)>) -> CallPlan<K> {
        let mut groups: Vec<(FindingUpdate, Vec<K>)> = Vec::new();
        // Two updates are the same when they send the same request members.
        let mut index: HashMap<String, usize> = HashMap::new();
        for (k, u) in pairs {
            // The format too: no call mixes them; and undo's exact V2 restore, which the request
            // members do not show.
            let sig = format!("{}{:?}{}", k.is_v2(), u.v2, Value::Object(u.to_json()));
            match index.get(&sig) {
                Some(&i) => groups[i].1.push(k),
                None => {
                    index.insert(sig, groups.len());
                    groups.push((u, vec![k]));
                }
            }
        }
        CallPlan { groups }
    }

    pub fn groups(&self) -> &[(FindingUpdate, Vec<K>)] {
        &self.groups
    }

    /// Whether the plan names no finding.
    pub fn is_empty(&self) -> bool {
        self.findings() == 0
    }

    pub fn findings(&self) -> usize {
        self.groups.iter().map(|(_, k)| k.len()).sum()
    }

    pub fn call_count(&self) -> usize {
        self.groups.iter().map(|(_, k)| k.len().div_ceil(MAX_IDENTIFIERS)).sum()
    }

    /// How many of the calls are BatchUpdateFindingsV2 calls.
    pub fn v2_call_count(&self) -> usize {
        self.groups
            .iter()
            .filter(|(_, k)| k.first().is_some_and(PlanKey::is_v2))
            .map(|(_, k)| k.len().div_ceil(MAX_IDENTIFIERS))
            .sum()
    }

    /// Each call's update and the findings it names (at most 100), in sending order.
    pub fn calls(&self) -> impl Iterator<Item = (&FindingUpdate, &[K])> {
        self.groups.iter().flat_map(|(u, keys)| keys.chunks(MAX_IDENTIFIERS).map(move |c| (u, c)))
    }

    /// "Set Workflow RESOLVED on 240 findings: 3 BatchUpdateFindings calls", `description` being
    /// "Set Workflow RESOLVED".
    pub fn preview(&self, description: &str) -> String {
        self.preview_hidden(description, 0)
    }

    /// The preview, saying how many of the findings are marked but not shown where the edit was
    /// asked for: "Set Workflow RESOLVED on 3 findings (2 marked, not in this view): 1
    /// BatchUpdateFindings call".
    pub fn preview_hidden(&self, description: &str, hidden: usize) -> String {
        let (n, v2) = (self.findings(), self.v2_call_count());
        let c = self.call_count() - v2;
        let hidden =
            if hidden == 0 { String::new() } else { format!(" ({} marked, not in this view)", thousands(hidden)) };
        let v1 = count(c, "BatchUpdateFindings call");
        let v2_text = count(v2, "BatchUpdateFindingsV2 call");
        let calls = match (c, v2) {
            (_, 0) => v1,
            (0, _) => v2_text,
            _ => format!("{v1} and {v2_text}"),
        };
        let mut dropped: Vec<&str> = Vec::new();
        for (u, keys) in &self.groups {
            if keys.first().is_some_and(PlanKey::is_v2) {
                for m in u.v2_dropped() {
                    if !dropped.contains(&m) {
                        dropped.push(m);
                    }
                }
            }
        }
        let dropped = if dropped.is_empty() {
            String::new()
        } else {
            format!(" (BatchUpdateFindingsV2 cannot set {}: the OCSF findings keep theirs)", dropped.join(", "))
        };
        format!("{description} on {}{hidden}: {calls}{dropped}", count(n, "finding"))
    }
}

impl CallPlan<FindingId> {
    /// Each call as the workbench sends it to a `Backend`.
    pub fn update_calls(&self) -> impl Iterator<Item = UpdateCall> + '_ {
        self.calls().map(|(u, ids)| UpdateCall { ids: ids.to_vec(), update: u.clone() })
    }
}

impl CallPlan<FindingKey> {
    /// Each call as the request it sends.
    pub fn requests(&self) -> impl Iterator<Item = BatchUpdateRequest> + '_ {
        self.calls().map(|(u, keys)| BatchUpdateRequest { identifiers: keys.to_vec(), update: u.clone() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::enums::WorkflowStatus;

    fn workflow(status: WorkflowStatus) -> FindingUpdate {
        FindingUpdate { workflow_status: Some(status), ..FindingUpdate::default() }
    }

    // Moved from app::edit (its `calls` and `group`).
    #[test]
    fn calls_hold_at_most_100_and_identical_updates_share_them() {
        let u = workflow(WorkflowStatus::Resolved);
        let keys: Vec<FindingKey> = (0..240).map(|i| FindingKey::new("p", format!("f{i}"))).collect();
        let c = CallPlan::new(u.clone(), keys.clone());
        assert_eq!(c.requests().map(|r| r.identifiers.len()).collect::<Vec<_>>(), vec![100, 100, 40]);
        let other = workflow(WorkflowStatus::New);
        let pairs: Vec<_> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), if i % 2 == 0 { u.clone() } else { other.clone() }))
            .collect();
        let g = CallPlan::grouping(pairs);
        assert_eq!(g.groups().len(), 2);
        assert_eq!(g.groups()[0].1.len(), 120);
        assert_eq!(g.requests().count(), 4);
    }

    #[test]
    fn groups_keep_first_seen_order_and_each_findings_order() {
        let (new, resolved) = (workflow(WorkflowStatus::New), workflow(WorkflowStatus::Resolved));
        let pairs = [(7u32, new.clone()), (3, resolved.clone()), (9, new.clone()), (1, resolved.clone())];
        let g = CallPlan::grouping(pairs);
        assert_eq!(g.groups(), &[(new.clone(), vec![7, 9]), (resolved.clone(), vec![3, 1])]);
        let calls: Vec<(&FindingUpdate, &[u32])> = g.calls().collect();
        assert_eq!(calls, vec![(&new, &[7, 9][..]), (&resolved, &[3, 1][..])]);
        assert!(CallPlan::<u32>::grouping([]).is_empty());
        assert!(CallPlan::new(new, Vec::<u32>::new()).is_empty());
    }

    #[test]
    fn calls_split_at_100_within_each_group() {
        let u = workflow(WorkflowStatus::Notified);
        let sizes = |plan: &CallPlan<usize>| plan.calls().map(|(_, k)| k.len()).collect::<Vec<_>>();
        let one = CallPlan::new(u.clone(), (0..100).collect());
        assert_eq!((sizes(&one), one.call_count()), (vec![100], 1));
        let two = CallPlan::new(u.clone(), (0..101).collect());
        assert_eq!((sizes(&two), two.call_count()), (vec![100, 1], 2));
        // Groups formed already are not merged: each has its own calls.
        let kept = CallPlan::from_groups(vec![(u.clone(), (0..60).collect()), (u, (60..100).collect())]);
        assert_eq!((sizes(&kept), kept.call_count(), kept.findings()), (vec![60, 40], 2, 100));
    }

    #[test]
    fn the_preview_counts_findings_and_calls() {
        let u = workflow(WorkflowStatus::Resolved);
        let plan = |n: u32| CallPlan::new(u.clone(), (0..n).collect()).preview("Set Workflow RESOLVED");
        assert_eq!(plan(1), "Set Workflow RESOLVED on 1 finding: 1 BatchUpdateFindings call");
        assert_eq!(plan(2), "Set Workflow RESOLVED on 2 findings: 1 BatchUpdateFindings call");
        assert_eq!(plan(101), "Set Workflow RESOLVED on 101 findings: 2 BatchUpdateFindings calls");
        assert_eq!(plan(240), "Set Workflow RESOLVED on 240 findings: 3 BatchUpdateFindings calls");
        assert_eq!(plan(0), "Set Workflow RESOLVED on 0 findings: 0 BatchUpdateFindings calls");
        // Counts read as the header's do.
        assert_eq!(plan(12_650), "Set Workflow RESOLVED on 12,650 findings: 127 BatchUpdateFindings calls");
    }

    #[test]
    fn ocsf_findings_get_batch_update_findings_v2_calls_of_their_own() {
        let u = workflow(WorkflowStatus::Resolved);
        let ids: Vec<FindingId> = (0..150)
            .map(|i| FindingId::asff("p", format!("a{i}")))
            .chain((0..30).map(|i| FindingId::Ocsf(format!("o{i}"))))
            .collect();
        let plan = CallPlan::new(u.clone(), ids.clone());
        assert_eq!(
            plan.preview("Set Workflow RESOLVED"),
            "Set Workflow RESOLVED on 180 findings: 2 BatchUpdateFindings calls and 1 BatchUpdateFindingsV2 call"
        );
        let calls: Vec<_> = plan.update_calls().collect();
        assert_eq!(calls.iter().map(|c| c.ids.len()).collect::<Vec<_>>(), [100, 50, 30]);
        assert!(calls[2].ids.iter().all(PlanKey::is_v2) && !calls[0].ids.iter().any(PlanKey::is_v2));
        let only_v2 = CallPlan::new(u.clone(), ids[150..].to_vec());
        assert_eq!(
            only_v2.preview("Set Workflow RESOLVED"),
            "Set Workflow RESOLVED on 30 findings: 1 BatchUpdateFindingsV2 call"
        );
        let confidence = FindingUpdate { confidence: Some(5), ..u };
        assert_eq!(
            CallPlan::new(confidence, ids[140..].to_vec()).preview("Set Workflow RESOLVED and Confidence 5"),
            "Set Workflow RESOLVED and Confidence 5 on 40 findings: 1 BatchUpdateFindings call and 1 \
             BatchUpdateFindingsV2 call (BatchUpdateFindingsV2 cannot set Confidence: the OCSF findings keep theirs)"
        );
        // Grouped per finding (undo's restores): the formats stay apart too.
        let pairs = ids.iter().skip(145).map(|k| (k.clone(), workflow(WorkflowStatus::New)));
        assert_eq!(CallPlan::grouping(pairs).groups().len(), 2);
    }
}
