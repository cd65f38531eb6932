//! Pure helpers for edits: the optimistic change to a list row and the quick-key updates. Grouping
//! updates into calls is `model::plan::CallPlan`; what restores a finding's previous values (undo)
//! is `model::undo`.

use super::row::Row;
use super::state::RowFields;
use crate::model::enums::{SeverityLabel, WorkflowStatus};
use crate::model::update::{FindingUpdate, NoteUpdate};
use crate::model::words::{count, thousands};

pub fn row_fields(r: &Row) -> RowFields {
    RowFields {
        workflow: r.workflow,
        severity: r.severity,
        verification: r.verification,
        confidence: r.confidence,
        criticality: r.criticality,
        ocsf: r.ocsf,
    }
}

pub fn set_row_fields(r: &mut Row, f: RowFields) {
    r.workflow = f.workflow;
    r.severity = f.severity;
    r.verification = f.verification;
    r.confidence = f.confidence;
    r.criticality = f.criticality;
    r.ocsf = f.ocsf;
}

/// Shows the update in the list before the backend confirms it.
pub fn apply_to_row(r: &mut Row, u: &FindingUpdate) {
    // An OCSF row shows its own ids: those BatchUpdateFindingsV2 is about to set, and nothing else.
    if let Some(o) = r.ocsf.as_mut() {
        let v2 = u.to_v2();
        if let Some(id) = v2.status_id {
            o.status_id = Some(id);
            r.workflow = Some(id.to_workflow());
        }
        if let Some(id) = v2.severity_id {
            o.severity_id = Some(id);
            r.severity = id.to_label();
        }
        return;
    }
    if let Some(w) = u.workflow_status {
        r.workflow = Some(w);
    }
    if let Some(s) = &u.severity {
        r.severity = s.label.or(s.normalized.map(SeverityLabel::from_normalized)).or(r.severity);
    }
    if let Some(v) = u.verification_state {
        r.verification = Some(v);
    }
    if let Some(c) = u.confidence {
        r.confidence = Some(c);
    }
    if let Some(c) = u.criticality {
        r.criticality = Some(c);
    }
}

/// "Workflow RESOLVED and Note", "Workflow NOTIFIED, Confidence 1 and Note": the preview's words.
pub fn describe(u: &FindingUpdate) -> String {
    let d = u.describe();
    match d.rsplit_once(", ") {
        Some((head, last)) => format!("{head} and {last}"),
        None => d,
    }
}

/// A quick-key update: workflow status with an optional note.
pub fn workflow_update(status: WorkflowStatus, note: Option<(&str, &str)>) -> FindingUpdate {
    FindingUpdate {
        workflow_status: Some(status),
        note: note.map(|(text, by)| NoteUpdate { text: text.to_string(), updated_by: by.to_string() }),
        ..FindingUpdate::default()
    }
}

/// The values a row shows for the fields `u` sets, by field name: the list's own words, so an OCSF
/// row says its own status (IN_PROGRESS, ARCHIVED) rather than the ASFF status it maps onto.
fn shown_values(r: &Row, u: &FindingUpdate) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if u.workflow_status.is_some() {
        out.push(("Workflow", r.workflow_text().to_string()));
    }
    if u.severity.is_some() {
        out.push(("Severity", r.severity_text().to_string()));
    }
    // An OCSF finding keeps the fields BatchUpdateFindingsV2 has no place for, so it is not counted.
    if r.ocsf.is_none() {
        let num = |v: Option<i64>| v.map_or(String::new(), |n| n.to_string());
        if u.verification_state.is_some() {
            out.push(("Verification", r.verification.map_or("", |v| v.as_str()).to_string()));
        }
        if u.confidence.is_some() {
            out.push(("Confidence", num(r.confidence)));
        }
        if u.criticality.is_some() {
            out.push(("Criticality", num(r.criticality)));
        }
    }
    out
}

/// Past this many distinct changes a field's line sums up the rest.
const BREAKDOWN_ITEMS: usize = 6;

/// What a preview says changes: for each field `u` sets, how many of `rows` go from which value to
/// which, and how many already have it ("240 findings: 180 NEW -> RESOLVED, 40 already RESOLVED
/// (unchanged), 20 SUPPRESSED -> RESOLVED"), largest first. The field is named when it sets more
/// than one.
pub fn breakdown<'a>(rows: impl IntoIterator<Item = &'a Row>, u: &FindingUpdate) -> Vec<String> {
    breakdown_each(rows.into_iter().map(|r| (r, u)))
}

/// `breakdown` where each row gets its own update (an undo puts back each finding's own values).
pub fn breakdown_each<'a>(pairs: impl IntoIterator<Item = (&'a Row, &'a FindingUpdate)>) -> Vec<String> {
    // (field, from, to) -> count, in first-seen field order.
    let mut fields: Vec<&'static str> = Vec::new();
    let mut counts: std::collections::HashMap<(&'static str, String, String), usize> = Default::default();
    let mut totals: std::collections::HashMap<&'static str, usize> = Default::default();
    for (r, u) in pairs {
        let mut after = r.clone();
        apply_to_row(&mut after, u);
        for ((field, from), (_, to)) in shown_values(r, u).into_iter().zip(shown_values(&after, u)) {
            if !fields.contains(&field) {
                fields.push(field);
            }
            *totals.entry(field).or_default() += 1;
            *counts.entry((field, from, to)).or_default() += 1;
        }
    }
    let named = fields.len() > 1;
    fields
        .iter()
        .map(|field| {
            let mut items: Vec<(&(&str, String, String), &usize)> =
                counts.iter().filter(|((f, _, _), _)| f == field).collect();
            items.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
            let word = |v: &str| if v.is_empty() { "(none)".to_string() } else { v.to_string() };
            let mut parts: Vec<String> = items
                .iter()
                .take(BREAKDOWN_ITEMS)
                .map(|((_, from, to), n)| {
                    if from == to {
                        format!("{} already {} (unchanged)", thousands(**n), word(to))
                    } else {
                        format!("{} {} -> {}", thousands(**n), word(from), word(to))
                    }
                })
                .collect();
            let rest: usize = items.iter().skip(BREAKDOWN_ITEMS).map(|(_, n)| **n).sum();
            if rest > 0 {
                parts.push(format!("{} other", thousands(rest)));
            }
            let total = totals.get(field).copied().unwrap_or(0);
            let findings = count(total, "finding");
            let head = if named { format!("{field} on {findings}") } else { findings };
            format!("{head}: {}", parts.join(", "))
        })
        .collect()
}
