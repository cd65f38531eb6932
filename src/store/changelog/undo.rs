//! Undoing a logged entry (`hubtriage log --undo`, the workbench's `:log` and `u`): its plan's
//! restores sent as one logged bulk edit of both formats — BatchUpdateFindings for the ASFF
//! findings, BatchUpdateFindingsV2 for the OCSF ones and for the OCSF form of an ASFF finding
//! stored in both (as an edit reaches both forms) — which marks the entry undone by it. Each
//! finding gets its previous values whatever it holds now, as a BatchUpdateFindings call would set
//! them: an undo is a bulk edit like any other, previewed first.

use std::collections::{HashMap, HashSet};

use super::{LoggedAnswers, UndoPlan};
use crate::backend::{Unprocessed, UpdateOutcome};
use crate::model::finding::{FindingId, FindingKey};
use crate::model::ocsf::OcsfUpdate;
use crate::model::plan::CallPlan;
use crate::model::update::{FindingUpdate, MAX_IDENTIFIERS};
use crate::model::wire::batch_update_v2::{BatchUpdateV2Request, V2Targets, V2UnprocessedCode};
use crate::store::{Caller, Result, Store};

/// An OCSF restore's members, as a map key (`OcsfUpdate` is not `Hash`).
type Members = (Option<String>, Option<i64>, Option<i64>);

/// BatchUpdateFindingsV2 restores grouped by update (in first-seen order), in calls of 100.
fn v2_requests(restores: Vec<(String, OcsfUpdate)>) -> Vec<BatchUpdateV2Request> {
    let mut groups: Vec<(OcsfUpdate, Vec<String>)> = Vec::new();
    let mut at: HashMap<Members, usize> = HashMap::new();
    for (uid, u) in restores {
        let key = (u.comment.clone(), u.severity_id.map(|s| s.id()), u.status_id.map(|s| s.id()));
        match at.get(&key) {
            Some(&i) => groups[i].1.push(uid),
            None => {
                at.insert(key, groups.len());
                groups.push((u, vec![uid]));
            }
        }
    }
    let mut out = Vec::new();
    for (update, uids) in groups {
        for chunk in uids.chunks(MAX_IDENTIFIERS) {
            out.push(BatchUpdateV2Request { targets: V2Targets::MetadataUids(chunk.to_vec()), update: update.clone() });
        }
    }
    out
}

impl Store {
    /// Sends `plan` (read by `undo_plan`) as `caller`, logged as an entry of its own described by
    /// `UndoPlan::description`, and marks the plan's entry undone by it. Returns that entry's id
    /// (`None` when nothing was put back) and the answers by finding as the list names it: the OCSF
    /// form of an ASFF finding is reported only when it was refused, as the workbench's edits
    /// report it.
    pub fn apply_undo(&mut self, caller: &Caller, plan: &UndoPlan) -> Result<(Option<i64>, UpdateOutcome)> {
        if plan.restores.is_empty() {
            return Ok((None, UpdateOutcome::default()));
        }
        let access = self.access(caller)?;
        let named: HashSet<&str> = plan
            .restores
            .iter()
            .filter_map(|(id, _)| match id {
                FindingId::Ocsf(uid) => Some(uid.as_str()),
                FindingId::Asff(_) => None,
            })
            .collect();
        let mut asff: Vec<(FindingKey, FindingUpdate)> = Vec::new();
        let mut v2: Vec<(String, OcsfUpdate)> = Vec::new();
        let mut twins = HashSet::new();
        let mut outcome = UpdateOutcome::default();
        for (id, u) in &plan.restores {
            let (uid, restore) = match id {
                FindingId::Asff(key) => {
                    let own = FindingUpdate { v2: None, ..u.clone() };
                    if !own.is_empty() {
                        asff.push((key.clone(), own));
                    }
                    let Some(twin) = self.ocsf_twin_as(&access, key)?.filter(|t| !named.contains(t.as_str())) else {
                        continue;
                    };
                    twins.insert(twin.clone());
                    (twin, u.to_v2())
                }
                FindingId::Ocsf(uid) => (uid.clone(), u.to_v2()),
            };
            if restore.is_empty() {
                continue;
            }
            // A note put back as an OCSF comment may be longer than a comment can be.
            match restore.comment.as_deref().map(crate::model::ocsf::update::check_comment) {
                Some(Err(message)) => outcome.unprocessed.push(Unprocessed {
                    id: FindingId::Ocsf(uid),
                    code: V2UnprocessedCode::ValidationException.as_str().into(),
                    message,
                }),
                _ => v2.push((uid, restore)),
            }
        }
        let requests: Vec<_> = CallPlan::grouping(asff).requests().collect();
        let description = plan.description();
        let LoggedAnswers { asff: answers, v2: v2_answers, entry } =
            self.batch_updates_both_logged(caller, &requests, &v2_requests(v2), None, &description)?;
        if let Some(by) = entry {
            self.mark_undone(plan.entry.id, by)?;
        }
        for a in answers {
            outcome.processed.extend(a.processed.into_iter().map(FindingId::Asff));
            outcome.unprocessed.extend(a.unprocessed.into_iter().map(|u| Unprocessed {
                id: FindingId::Asff(u.key),
                code: u.code,
                message: u.message,
            }));
        }
        for a in v2_answers {
            let uid = |f: crate::model::wire::batch_update_v2::V2FindingRef| f.metadata_uid.unwrap_or_default();
            outcome
                .processed
                .extend(a.processed.into_iter().map(uid).filter(|u| !twins.contains(u)).map(FindingId::Ocsf));
            outcome.unprocessed.extend(a.unprocessed.into_iter().map(|u| Unprocessed {
                id: FindingId::Ocsf(uid(u.finding)),
                code: u.error_code.as_str().into(),
                message: u.error_message,
            }));
        }
        Ok((entry, outcome))
    }
}
