//! Edits in flight and the undo history: a confirmed plan is applied to the rows at once
//! (optimistically) and sent as BatchUpdateFindings calls; each call's answer keeps or rolls back its
//! findings, and a batch with every call answered becomes one undo step. Undo, redo and retry send
//! new batches built from what the answers recorded.

use std::collections::HashMap;

use time::OffsetDateTime;

use super::detail::reload_detail_if;
use super::edit;
use super::effect::{BatchId, Effect};
use super::event::CallOutcome;
use super::state::{EditPlan, Origin, RowFields};
use super::AppState;
use crate::model::finding::FindingId;
use crate::model::plan::CallPlan;
use crate::model::source::{BackendError, OutboxState, QueuedEdit};
use crate::model::undo;
use crate::model::update::FindingUpdate;
use crate::model::words;

/// A bulk edit whose calls are still being answered.
#[derive(Debug, Clone, PartialEq)]
pub struct InFlight {
    pub plan: EditPlan,
    /// The update and identifiers of each call, by call index.
    pub calls: Vec<(FindingUpdate, Vec<FindingId>)>,
    pub answered: usize,
    pub findings_done: usize,
    pub rollback: HashMap<FindingId, RowFields>,
    pub restores: Vec<(FindingId, FindingUpdate)>,
    pub processed: Vec<(FindingUpdate, Vec<FindingId>)>,
    pub rejected: usize,
    pub started: OffsetDateTime,
    /// The applied edit this batch undoes; it moves to the redo stack when the batch completes.
    pub undoing: Option<AppliedEdit>,
}

/// An edit the backend acknowledged, with what undoes it.
#[derive(Debug, Clone, PartialEq)]
pub struct AppliedEdit {
    pub description: String,
    /// Re-applies the edit (redo).
    pub forward: Vec<(FindingUpdate, Vec<FindingId>)>,
    /// Restores each finding's previous values (undo).
    pub restores: Vec<(FindingId, FindingUpdate)>,
}

/// A finding the backend did not update: it stays marked with the reason until retried.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub reason: String,
    pub update: FindingUpdate,
}

#[derive(Debug, Default)]
pub struct PendingEdits {
    pub next_id: BatchId,
    pub in_flight: HashMap<BatchId, InFlight>,
    pub failed: HashMap<FindingId, Failure>,
    /// A remote's edits on its outbox's disk, not yet confirmed: the list's pending marks.
    pub queued: HashMap<FindingId, QueuedEdit>,
    /// Refusals the outbox reported already: each becomes a `!` once, so that a retried finding
    /// is not marked again by the refused row the outbox keeps (until `hubtriage outbox --drop`).
    pub refused_seen: std::collections::HashSet<FindingId>,
    /// When a remote's finding was last read again by the recheck pass (ms since the epoch).
    pub checked: HashMap<FindingId, i64>,
}

impl PendingEdits {
    pub fn findings_in_flight(&self) -> usize {
        self.in_flight.values().map(|b| b.plan.findings() - b.findings_done).sum()
    }
}

#[derive(Debug, Default)]
pub struct UndoHistory {
    pub undo: Vec<AppliedEdit>,
    pub redo: Vec<AppliedEdit>,
}

/// `Event::OutboxChanged`: the pending marks follow the outbox; a refusal answered after the edit's
/// acknowledgement (the remote was slow, or offline then) becomes the `!` with its code.
pub(super) fn outbox_changed(s: &mut AppState, state: OutboxState) -> Vec<Effect> {
    s.edits.queued = state.queued.into_iter().map(|q| (q.key.clone(), q)).collect();
    for r in state.refused {
        if s.edits.refused_seen.insert(r.key.clone()) && !s.edits.failed.contains_key(&r.key) {
            s.edits.failed.insert(r.key, Failure { reason: r.reason, update: r.update });
        }
    }
    Vec::new()
}

/// Applies a plan optimistically and sends it.
pub(super) fn start_batch(s: &mut AppState, plan: EditPlan, undoing: Option<AppliedEdit>) -> Vec<Effect> {
    s.edits.next_id += 1;
    let batch_id = s.edits.next_id;
    let mut rollback = HashMap::new();
    let mut changed = Vec::new();
    for (u, keys) in plan.calls.groups() {
        for k in keys {
            s.edits.failed.remove(k);
            let Some(i) = s.rows.index_of(k) else { continue };
            let Some(row) = s.rows.all.get_mut(i as usize) else { continue };
            rollback.entry(k.clone()).or_insert_with(|| edit::row_fields(row));
            edit::apply_to_row(row, u);
            changed.push(i);
        }
    }
    let requests: Vec<_> = plan.calls.update_calls().collect();
    let expiry = plan.expiry.clone();
    let calls = requests.iter().map(|r| (r.update.clone(), r.ids.clone())).collect();
    if plan.origin == Origin::Retry {
        // Retried findings leave the marks they kept while failed.
        for (_, keys) in plan.calls.groups() {
            for k in keys {
                if let Some(i) = s.rows.index_of(k) {
                    s.marks.remove(&i);
                }
            }
        }
    }
    if plan.origin == Origin::Edit {
        s.marks.clear();
        s.list.anchor = None;
        s.list.anchor_mark = None;
        s.history.redo.clear();
    }
    s.info(format!("Sending: {}", plan.preview()));
    s.edits.in_flight.insert(
        batch_id,
        InFlight {
            plan,
            calls,
            answered: 0,
            findings_done: 0,
            rollback,
            restores: Vec::new(),
            processed: Vec::new(),
            rejected: 0,
            started: s.now,
            undoing,
        },
    );
    resettle(s, &changed);
    let mut effects = match expiry {
        Some(expiry) => vec![Effect::ApplyExpiringBatch { batch_id, calls: requests, expiry }],
        None => vec![Effect::ApplyBatch { batch_id, calls: requests }],
    };
    effects.extend(super::detail::sync_detail(s));
    effects
}

fn roll_back(s: &mut AppState, key: &FindingId, fields: Option<RowFields>, reason: String, u: FindingUpdate) {
    if let (Some(i), Some(f)) = (s.rows.index_of(key), fields) {
        if let Some(row) = s.rows.all.get_mut(i as usize) {
            edit::set_row_fields(row, f);
        }
        s.marks.insert(i);
    }
    s.edits.failed.insert(key.clone(), Failure { reason, update: u });
}

fn call_answered(
    s: &mut AppState,
    batch_id: u64,
    call: usize,
    outcome: Result<CallOutcome, (Vec<FindingId>, BackendError)>,
) -> Vec<Effect> {
    let Some(mut b) = s.edits.in_flight.remove(&batch_id) else { return Vec::new() };
    let update = b.calls.get(call).map(|c| c.0.clone()).unwrap_or_default();
    b.answered += 1;
    let mut rolled_back = Vec::new();
    match outcome {
        Ok(o) => {
            b.findings_done += o.processed.len() + o.unprocessed.len();
            for r in o.unprocessed {
                b.rejected += 1;
                let f = b.rollback.get(&r.key).copied();
                rolled_back.extend(s.rows.index_of(&r.key));
                roll_back(s, &r.key, f, r.reason, update.clone());
            }
            if !o.processed.is_empty() {
                b.processed.push((update, o.processed));
            }
            b.restores.extend(o.restores);
        }
        Err((keys, error)) => {
            b.findings_done += keys.len();
            for k in keys {
                b.rejected += 1;
                let f = b.rollback.get(&k).copied();
                rolled_back.extend(s.rows.index_of(&k));
                roll_back(s, &k, f, error.to_string(), update.clone());
            }
        }
    }
    resettle(s, &rolled_back);
    if b.answered < b.calls.len() {
        s.edits.in_flight.insert(batch_id, b);
        return Vec::new();
    }
    finish_batch(s, b)
}

/// Adds one finding's members to a count of findings per member, keeping first-seen order.
fn tally(counts: &mut Vec<(String, usize)>, members: impl IntoIterator<Item = String>, findings: usize) {
    for m in members {
        match counts.iter_mut().find(|(name, _)| *name == m) {
            Some(c) => c.1 += findings,
            None => counts.push((m, findings)),
        }
    }
}

/// "Workflow on 3 findings, Note on 1 finding".
fn counted(counts: &[(String, usize)]) -> String {
    let each = counts.iter().map(|(m, n)| format!("{m} on {n} finding{}", if *n == 1 { "" } else { "s" }));
    each.collect::<Vec<_>>().join(", ")
}

/// What undoing `entry` leaves as the edit set it, per member: a field the finding did not have
/// before (BatchUpdateFindings cannot remove one), or every field of a finding whose earlier
/// values were not recorded.
fn unrestored(entry: &AppliedEdit) -> Vec<(String, usize)> {
    let restores: HashMap<&FindingId, &FindingUpdate> = entry.restores.iter().map(|(k, u)| (k, u)).collect();
    let mut counts = Vec::new();
    for (u, keys) in &entry.forward {
        for k in keys {
            tally(&mut counts, undo::unrestored(u, restores.get(k).copied()), 1);
        }
    }
    counts
}

/// The part of an undo's message naming what stays as the edit left it, most telling first so a
/// narrow status line still shows it.
fn not_restored(lost: &[(String, usize)]) -> String {
    if lost.is_empty() {
        return String::new();
    }
    format!("not restored: {} (BatchUpdateFindings cannot remove a field a finding did not have)", counted(lost))
}

/// Ends a bulk edit whose calls are all answered; returns the effect that keeps it in the source's
/// change log (as `hubtriage update` keeps its edits), when it changed anything.
fn finish_batch(s: &mut AppState, b: InFlight) -> Vec<Effect> {
    let done = b.processed.iter().map(|(_, k)| k.len()).sum::<usize>();
    let logged = if b.restores.is_empty() {
        Vec::new()
    } else {
        vec![Effect::LogEdit { description: b.plan.description.clone(), restores: b.restores.clone() }]
    };
    if let Some(original) = &b.undoing {
        let lost = unrestored(original);
        let mut restored = Vec::new();
        for (u, keys) in &b.processed {
            tally(&mut restored, undo::members(u), keys.len());
        }
        let restored =
            if restored.is_empty() { "nothing restored".into() } else { format!("restored {}", counted(&restored)) };
        let first_reason = s.edits.failed.values().next().map(|f| f.reason.clone()).unwrap_or_default();
        let failed = if b.rejected == 0 {
            String::new()
        } else {
            format!("; {} not updated ({first_reason}), they stay marked, t retries", b.rejected)
        };
        let lost_text = if lost.is_empty() { String::new() } else { format!("; {}", not_restored(&lost)) };
        let text = format!("{}: {restored}{failed}{lost_text}", b.plan.description);
        if lost.is_empty() && b.rejected == 0 {
            s.info(text);
        } else {
            s.error(text);
        }
    }
    let applied = AppliedEdit { description: b.plan.description.clone(), forward: b.processed, restores: b.restores };
    match b.undoing {
        // An undo completed: what it undid can be redone.
        Some(original) if done > 0 => s.history.redo.push(original),
        Some(_) => {}
        None if done > 0 => s.history.undo.push(applied),
        None => {}
    }
    if b.plan.origin == Origin::Undo {
        return logged;
    }
    let first_reason = s.edits.failed.values().next().map(|f| f.reason.clone()).unwrap_or_default();
    if b.rejected == 0 {
        s.info(format!("{}: {} updated", b.plan.description, words::count(done, "finding")));
    } else {
        s.error(format!(
            "{}: {done} updated, {} not updated ({first_reason}); they stay marked, t retries",
            b.plan.description, b.rejected
        ));
    }
    logged
}

pub(super) fn undo(s: &mut AppState) -> Vec<Effect> {
    let Some(entry) = s.history.undo.pop() else {
        s.info("Nothing to undo");
        return Vec::new();
    };
    // A finding with nothing to put back gets no call: an empty update is no request.
    let calls = CallPlan::grouping(entry.restores.iter().filter(|(_, u)| !u.is_empty()).cloned());
    if calls.is_empty() {
        let lost = unrestored(&entry);
        let why =
            if lost.is_empty() { "the findings had no earlier values to restore".into() } else { not_restored(&lost) };
        s.error(format!("Undo {}: {why}", entry.description));
        return Vec::new();
    }
    let plan = EditPlan::new(format!("Undo {}", entry.description), calls, Origin::Undo);
    start_batch(s, plan, Some(entry))
}

pub(super) fn redo(s: &mut AppState) -> Vec<Effect> {
    let Some(entry) = s.history.redo.pop() else {
        s.info("Nothing to redo");
        return Vec::new();
    };
    let plan = EditPlan::new(entry.description.clone(), CallPlan::from_groups(entry.forward), Origin::Redo);
    start_batch(s, plan, None)
}

/// The plan that re-sends every failed edit, previewed before it is sent (`prompt::retry`): the
/// findings' own updates, grouped; `None` when nothing failed.
pub(super) fn retry_plan(s: &AppState) -> Option<EditPlan> {
    if s.edits.failed.is_empty() {
        return None;
    }
    let mut pairs: Vec<(FindingId, FindingUpdate)> =
        s.edits.failed.iter().map(|(k, f)| (k.clone(), f.update.clone())).collect();
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    let calls = CallPlan::grouping(pairs);
    let description = match calls.groups() {
        [(u, _)] => format!("Retry {}", edit::describe(u)),
        groups => format!("Retry {} different edits", groups.len()),
    };
    Some(EditPlan::new(description, calls, Origin::Retry))
}

/// `Event::BatchApplied`: one call answered.
pub(super) fn batch_applied(s: &mut AppState, batch_id: BatchId, call: usize, outcome: CallOutcome) -> Vec<Effect> {
    let touched = s
        .detail
        .key
        .as_ref()
        .is_some_and(|k| outcome.processed.contains(k) || outcome.unprocessed.iter().any(|r| r.key == *k));
    let mut effects = call_answered(s, batch_id, call, Ok(outcome));
    effects.extend(reload_detail_if(s, touched));
    effects
}

/// `Event::BatchFailed`: one call failed whole.
pub(super) fn batch_failed(
    s: &mut AppState,
    batch_id: BatchId,
    call: usize,
    keys: Vec<FindingId>,
    error: BackendError,
) -> Vec<Effect> {
    let touched = s.detail.key.as_ref().is_some_and(|k| keys.contains(k));
    let mut effects = call_answered(s, batch_id, call, Err((keys, error)));
    effects.extend(reload_detail_if(s, touched));
    effects
}

/// Puts rows whose fields an edit (or its rollback) changed where the sort and the query put them
/// now: each moves to its sorted place, and one an in-memory query no longer matches leaves the
/// view. The cursor stays on the finding it was on; when that finding left the view, it stays at
/// the same place, on the row that took it. A query the backend answered (free text, a field the
/// rows do not hold) is not asked again: its rows stay until the next query.
pub(super) fn resettle(s: &mut AppState, changed: &[u32]) {
    if changed.is_empty() {
        return;
    }
    let cursor_at = s.list.cursor;
    let cursor_row = s.view.visible.get(cursor_at).copied();
    let moved: std::collections::HashSet<u32> = changed.iter().copied().collect();
    // Each moved row is taken out and put back by binary search: the order is SortSpec::compare's
    // under a stable sort, so ties go by load index.
    let spec = s.view.sort;
    s.view.order.retain(|i| !moved.contains(i));
    let mut sorted_changed: Vec<u32> = moved.iter().copied().collect();
    sorted_changed.sort_unstable();
    for i in sorted_changed {
        let Some(row) = s.rows.get(i) else { continue };
        let rows = &s.rows;
        let at = s.view.order.partition_point(|&j| match rows.get(j) {
            Some(other) => spec.compare(other, row).then(j.cmp(&i)) == std::cmp::Ordering::Less,
            None => true,
        });
        s.view.order.insert(at, i);
    }
    let filters = super::view::in_memory_query(&s.view.query.text);
    if let (Some(q), Some(matched)) = (filters, s.view.query.matched.as_mut()) {
        let now = s.now;
        let matches =
            |r: &super::row::Row| !super::columnar::matching(std::slice::from_ref(r), &q.filters, now).is_empty();
        let mut leaving = std::collections::HashSet::new();
        for &i in &moved {
            match (matched.contains(i), s.rows.get(i).is_some_and(matches)) {
                (false, true) => matched.insert(i),
                (true, false) => {
                    leaving.insert(i);
                }
                _ => {}
            }
        }
        if !leaving.is_empty() {
            let kept = (0..s.rows.all.len() as u32).filter(|i| matched.contains(*i) && !leaving.contains(i));
            *matched = super::columnar::RowSet::from_indices(kept);
        }
    }
    super::view::refresh(s, true);
    if cursor_row.is_some_and(|r| !s.view.visible.contains(&r)) {
        s.list.cursor = cursor_at.min(s.view.visible.len().saturating_sub(1));
        super::list::scroll_into_view(s);
    }
}
