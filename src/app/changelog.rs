//! `:log`: the store's change log (`store::changelog`) inside the workbench. An overlay lists the
//! bulk edits, newest first (when, who, what, how many findings); Enter shows one change (what its
//! undo puts back, field by field and per finding); `u` undoes it after a yes, as `hubtriage log
//! --undo` does. Everything is read and sent by the worker (`Effect::LoadChangeLog`,
//! `LoadLogEntry`, `UndoLogged`): the overlay shows "reading…" until the answer comes.
//!
//! After an undo the log is read again (the undo is an entry of its own, and the entry it undid
//! says so) and so are the rows, which the undo changed behind the list's back.

use time::OffsetDateTime;

use super::action::Action;
use super::effect::Effect;
use super::prompt::Prompt;
use super::row::Row;
use super::AppState;
use crate::backend::{BackendError, UpdateOutcome};
use crate::model::finding::FindingId;
use crate::model::plan::CallPlan;
use crate::model::update::FindingUpdate;
use crate::model::{sanitize, words};
use crate::store::changelog::{LogEntry, UndoPlan};

/// How many entries `:log` reads: a working week of bulk edits and more.
pub const LOG_LIMIT: usize = 500;

/// The `:log` overlay.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogView {
    pub entries: Vec<LogEntry>,
    /// The worker has not answered yet.
    pub loading: bool,
    /// Why the log could not be read (a remote has none).
    pub error: Option<String>,
    pub cursor: usize,
    /// Enter: the change shown in place of the list.
    pub shown: Option<Shown>,
    /// `u` asked for this entry's plan: its confirmation opens when the plan arrives.
    pub undo_asked: Option<i64>,
    /// What the last undo did, kept above the entries: the status line's copy is replaced as
    /// soon as the rows are read again.
    pub notice: Option<String>,
}

/// One entry's change, shown with Enter.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    pub id: i64,
    /// `None` until the worker has read it.
    pub plan: Option<UndoPlan>,
    pub error: Option<String>,
    /// The first line shown.
    pub scroll: usize,
}

impl LogView {
    fn entry(&self) -> Option<&LogEntry> {
        self.entries.get(self.cursor)
    }
}

/// `:log`: opens the overlay (or reads the log again when it is open).
pub(super) fn open(s: &mut AppState) -> Vec<Effect> {
    let view = s.changelog.get_or_insert_with(LogView::default);
    view.loading = true;
    view.error = None;
    vec![Effect::LoadChangeLog { limit: LOG_LIMIT }]
}

/// The lines a page of the overlay holds: the screen less the header, status and hint lines and
/// the box's border.
fn page(s: &AppState) -> usize {
    usize::from(s.size.1.saturating_sub(5)).max(1)
}

/// The overlay's keys: movement, Enter (the change), `u` (undo), `R` (read again), Esc (back).
pub(super) fn action(s: &mut AppState, a: Action) -> Vec<Effect> {
    let page = page(s);
    let lines = detail_len(s);
    let Some(view) = &mut s.changelog else { return Vec::new() };
    let step = |at: usize, max: usize| -> usize {
        match a {
            Action::MoveDown | Action::ScrollDown => at + 1,
            Action::MoveUp | Action::ScrollUp => at.saturating_sub(1),
            Action::PageDown => at + page,
            Action::PageUp => at.saturating_sub(page),
            Action::Top => 0,
            _ => max,
        }
        .min(max)
    };
    let moving = matches!(
        a,
        Action::MoveDown
            | Action::MoveUp
            | Action::PageDown
            | Action::PageUp
            | Action::Top
            | Action::Bottom
            | Action::ScrollDown
            | Action::ScrollUp
    );
    match a {
        _ if moving => match &mut view.shown {
            Some(shown) => shown.scroll = step(shown.scroll, lines.saturating_sub(page)),
            None => view.cursor = step(view.cursor, view.entries.len().saturating_sub(1)),
        },
        Action::Back | Action::No if view.shown.is_some() => view.shown = None,
        Action::Back | Action::No | Action::Quit => s.changelog = None,
        Action::Submit | Action::OpenDetail | Action::Yes if view.shown.is_none() => {
            let Some(id) = view.entry().map(|e| e.id) else {
                s.dirty = false;
                return Vec::new();
            };
            view.shown = Some(Shown { id, plan: None, error: None, scroll: 0 });
            return vec![Effect::LoadLogEntry { id }];
        }
        Action::Input('u') | Action::Undo => return ask_undo(s),
        Action::Input('R') | Action::Reload => return open(s),
        _ => s.dirty = false,
    }
    Vec::new()
}

/// `u`: the confirmation of undoing the entry shown (or under the cursor), once its plan is read.
fn ask_undo(s: &mut AppState) -> Vec<Effect> {
    let Some(view) = &mut s.changelog else { return Vec::new() };
    let id = match &view.shown {
        Some(shown) => shown.id,
        None => match view.entry() {
            Some(e) => e.id,
            None => {
                s.dirty = false;
                return Vec::new();
            }
        },
    };
    if let Some(plan) = view.shown.as_ref().and_then(|sh| sh.plan.as_ref()).filter(|p| p.entry.id == id).cloned() {
        confirm(s, &plan);
        return Vec::new();
    }
    view.undo_asked = Some(id);
    s.info(format!("Reading what undoing #{id} would put back…"));
    vec![Effect::LoadLogEntry { id }]
}

/// The yes/no question before an undo: the CLI's preview, then what changes in the list's words.
fn confirm(s: &mut AppState, plan: &UndoPlan) {
    let id = plan.entry.id;
    if plan.restores.is_empty() {
        s.info(format!(
            "{}: nothing to put back on {}",
            plan.description(),
            words::count(plan.entry.findings, "finding")
        ));
        return;
    }
    let calls = CallPlan::grouping(plan.restores.clone());
    let mut lines = vec![calls.preview(&format!("{}: restore the previous values", plan.description()))];
    lines.extend(breakdown(s, plan));
    if plan.unrestorable > 0 {
        lines.push(unrestorable(plan.unrestorable));
    }
    if let Some(by) = plan.entry.undone_by {
        lines.push(format!("#{id} was undone already (by #{by}); undoing it again puts back its own previous values"));
    }
    s.prompt = Some(Prompt::UndoLogged { id, lines });
}

fn unrestorable(n: usize) -> String {
    format!(
        "{} keep what the edit set: they did not have the field before (BatchUpdateFindings can set a field, \
         not delete it) or are no longer stored",
        words::count(n, "finding")
    )
}

/// What the undo changes, from the rows as they are now to the values it puts back
/// ("240 findings: 180 RESOLVED -> NEW, 60 RESOLVED -> SUPPRESSED"), and how many findings the
/// list does not hold.
fn breakdown(s: &AppState, plan: &UndoPlan) -> Vec<String> {
    let mut pairs: Vec<(&Row, &FindingUpdate)> = Vec::new();
    let mut absent = 0;
    for (key, update) in &plan.restores {
        match s.rows.index_of(key).and_then(|i| s.rows.get(i)) {
            Some(row) => pairs.push((row, update)),
            None => absent += 1,
        }
    }
    let mut out = super::edit::breakdown_each(pairs);
    if absent > 0 {
        out.push(format!("{} not in the list (not loaded, or not yours to see)", words::count(absent, "finding")));
    }
    out
}

/// A yes to the confirmation: the worker undoes it.
pub(super) fn confirmed(s: &mut AppState, id: i64) -> Vec<Effect> {
    s.info(format!("Undoing #{id}…"));
    vec![Effect::UndoLogged { id }]
}

/// `Event::ChangeLogLoaded`.
pub(super) fn loaded(s: &mut AppState, entries: Vec<LogEntry>) -> Vec<Effect> {
    let Some(view) = &mut s.changelog else {
        s.dirty = false;
        return Vec::new();
    };
    view.loading = false;
    view.error = None;
    view.entries = entries;
    view.cursor = view.cursor.min(view.entries.len().saturating_sub(1));
    Vec::new()
}

/// `Event::LogEntryLoaded`: the change shown, or the confirmation `u` waited for.
pub(super) fn entry_loaded(s: &mut AppState, plan: UndoPlan) -> Vec<Effect> {
    let Some(view) = &mut s.changelog else {
        s.dirty = false;
        return Vec::new();
    };
    let id = plan.entry.id;
    let asked = view.undo_asked == Some(id);
    if asked {
        view.undo_asked = None;
    }
    if let Some(shown) = view.shown.as_mut().filter(|sh| sh.id == id) {
        shown.plan = Some(plan.clone());
        shown.error = None;
    }
    if asked {
        s.status.message = None;
        confirm(s, &plan);
    }
    Vec::new()
}

/// `Event::LogUndone`: says what was put back, then reads the log and the rows again.
pub(super) fn undone(s: &mut AppState, id: i64, by: Option<i64>, outcome: UpdateOutcome) -> Vec<Effect> {
    let Some(by) = by else {
        s.info(format!("#{id}: nothing to put back"));
        return Vec::new();
    };
    let mut effects = super::log::reload(s);
    if let Some(view) = &mut s.changelog {
        view.shown = None;
        view.cursor = 0;
        effects.extend(open(s));
    }
    let restored = words::count(outcome.processed.len(), "finding");
    let text = match outcome.unprocessed.first() {
        None => format!("Undid #{id}: {restored} put back, logged as #{by}"),
        Some(first) => format!(
            "Undid #{id}: {restored} put back, {} not ({}: {}), logged as #{by}",
            outcome.unprocessed.len(),
            first.code,
            sanitize::line(&first.message)
        ),
    };
    if let Some(view) = &mut s.changelog {
        view.notice = Some(text.clone());
    }
    if outcome.unprocessed.is_empty() {
        s.info(text);
    } else {
        s.error(text);
    }
    effects
}

/// `Event::ChangeLogFailed`: in the overlay where it was asked, and on the status line.
pub(super) fn failed(s: &mut AppState, id: Option<i64>, error: BackendError) -> Vec<Effect> {
    let text = sanitize::line(&error.to_string()).into_owned();
    if let Some(view) = &mut s.changelog {
        view.loading = false;
        if view.undo_asked.is_some() && view.undo_asked == id {
            view.undo_asked = None;
        }
        match view.shown.as_mut().filter(|sh| Some(sh.id) == id) {
            Some(shown) => shown.error = Some(text.clone()),
            None if id.is_none() => view.error = Some(text.clone()),
            None => {}
        }
    }
    match id {
        Some(id) => s.error(format!("Change log #{id}: {text}")),
        None => s.error(format!("The change log: {text}")),
    }
    Vec::new()
}

/// How long ago, as the rest of the workbench says it ("3 h ago", "2 days ago").
pub fn age(now: OffsetDateTime, at: OffsetDateTime) -> String {
    words::ago(i64::try_from((now - at).whole_milliseconds()).unwrap_or(i64::MAX))
}

/// The kind of a line of the change shown, for its style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Title,
    Text,
    Heading,
    Dim,
    Warning,
}

/// What the undo of one finding puts back, in a few words ("Workflow NEW · Note \"…\"").
pub fn restore_text(u: &FindingUpdate) -> String {
    let mut parts = Vec::new();
    if let Some(w) = u.workflow_status {
        parts.push(format!("Workflow {w}"));
    }
    if let Some(l) = u.severity.as_ref().and_then(|s| s.label) {
        parts.push(format!("Severity {l}"));
    }
    if let Some(v) = u.verification_state {
        parts.push(format!("Verification {v}"));
    }
    if let Some(c) = u.confidence {
        parts.push(format!("Confidence {c}"));
    }
    if let Some(c) = u.criticality {
        parts.push(format!("Criticality {c}"));
    }
    if let Some(n) = &u.note {
        let text: String = sanitize::line(&n.text).chars().take(60).collect();
        let cut = if n.text.chars().count() > 60 { "…" } else { "" };
        parts.push(format!("Note \"{text}{cut}\""));
    }
    if let Some(t) = &u.types {
        parts.push(format!("Types ({})", t.len()));
    }
    if let Some(f) = &u.user_defined_fields {
        parts.push(format!("user fields ({})", f.len()));
    }
    parts.join(" · ")
}

/// The head of the change shown with Enter, line by line (unwrapped: the UI cuts each to the
/// width): the entry, what its undo changes, and the heading of its findings.
fn detail_head(s: &AppState) -> Vec<(LineKind, String)> {
    let Some(view) = &s.changelog else { return Vec::new() };
    let Some(shown) = &view.shown else { return Vec::new() };
    let mut out = Vec::new();
    let entry = view.entries.iter().find(|e| e.id == shown.id);
    let entry = shown.plan.as_ref().map(|p| &p.entry).or(entry);
    if let Some(e) = entry {
        out.push((LineKind::Title, format!("#{}  {}", e.id, sanitize::line(&e.description))));
        let mut by = format!(
            "by {} at {} ({}) · {}",
            sanitize::line(&e.identity),
            crate::model::timestamp::format(e.at),
            age(s.now, e.at),
            words::count(e.findings, "finding")
        );
        if let Some(u) = e.undone_by {
            by.push_str(&format!(" · undone by #{u}"));
        }
        out.push((LineKind::Dim, by));
    }
    if let Some(error) = &shown.error {
        out.push((LineKind::Warning, error.clone()));
        return out;
    }
    let Some(plan) = &shown.plan else {
        out.push((LineKind::Dim, "reading the change…".into()));
        return out;
    };
    out.push((LineKind::Text, String::new()));
    out.push((LineKind::Heading, "u undoes it: now -> what it puts back".into()));
    if plan.restores.is_empty() {
        out.push((LineKind::Text, "  nothing to put back".into()));
    }
    for line in breakdown(s, plan) {
        out.push((LineKind::Text, format!("  {line}")));
    }
    if plan.unrestorable > 0 {
        out.push((LineKind::Warning, format!("  {}", unrestorable(plan.unrestorable))));
    }
    out.push((LineKind::Text, String::new()));
    out.push((LineKind::Heading, format!("Findings ({})", plan.restores.len())));
    out
}

/// The restores of the change shown, when it has been read.
fn shown_restores(s: &AppState) -> &[(FindingId, FindingUpdate)] {
    match s.changelog.as_ref().and_then(|v| v.shown.as_ref()) {
        Some(Shown { plan: Some(p), error: None, .. }) => &p.restores,
        _ => &[],
    }
}

/// Lines `from..from + count` of the change shown with Enter: its head, then two lines per finding
/// (the finding as the list shows it, or its Id when the list does not hold it; what it gets back).
/// Only the lines asked for are built: an edit of 10,000 findings has 20,000.
pub fn detail_window(s: &AppState, from: usize, count: usize) -> Vec<(LineKind, String)> {
    let head = detail_head(s);
    let mut out: Vec<(LineKind, String)> = head.iter().skip(from).take(count).cloned().collect();
    let restores = shown_restores(s);
    let mut i = from.saturating_sub(head.len());
    while out.len() < count && i < restores.len() * 2 {
        let (key, update) = &restores[i / 2];
        if i.is_multiple_of(2) {
            let row = s.rows.index_of(key).and_then(|r| s.rows.get(r));
            let what = match row {
                Some(r) => format!(
                    "{:<13} {:<10} {}",
                    r.severity.map_or("", |l| l.as_str()),
                    r.workflow.map_or("", |w| w.as_str()),
                    // Row text is sanitised when the row is built.
                    r.title.as_str()
                ),
                None => sanitize::line(key.display_id()).into_owned(),
            };
            out.push((LineKind::Text, format!("  {what}")));
        } else {
            out.push((LineKind::Dim, format!("      -> {}", restore_text(update))));
        }
        i += 1;
    }
    out
}

/// How many lines the change shown has (for scrolling).
pub fn detail_len(s: &AppState) -> usize {
    detail_head(s).len() + shown_restores(s).len() * 2
}

#[cfg(test)]
pub(crate) mod tests;
