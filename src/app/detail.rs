//! The detail pane: the cursor finding's document and history, how far it is scrolled, and the raw
//! JSON toggle. It asks for a document whenever the cursor lands on another finding and shows the
//! answer only if the cursor is still there.

use serde_json::Value;

use super::action::Action;
use super::effect::Effect;
use super::event::HistoryEntry;
use super::AppState;
use crate::model::detail::DetailView;
use crate::model::finding::FindingId;
use crate::model::source::BackendError;

#[derive(Debug, Default)]
pub struct DetailState {
    pub key: Option<FindingId>,
    pub doc: Option<Value>,
    /// The model's view of `doc`, built once when it arrived.
    pub view: DetailView,
    pub history: Vec<HistoryEntry>,
    pub loading: bool,
    pub error: Option<String>,
    /// First line shown.
    pub scroll: u16,
    /// The largest `scroll` that still fills the pane, as the pane was last laid out
    /// (`detail_measured`); `None` until then, when scrolling is not bounded.
    pub bottom: Option<u16>,
    pub raw: bool,
    /// The same finding in its other format (an ASFF finding's OCSF form, listed under the ASFF
    /// row): the raw JSON shows both documents.
    pub other: Option<Value>,
    /// The `/` search inside the pane (case-insensitive); empty: none.
    pub search: String,
    /// The first screen line of each line that holds the search, as the pane was last laid out
    /// (`detail_search_measured`).
    pub matches: Vec<u16>,
    /// Which of `matches` the pane was last scrolled to.
    pub match_at: Option<usize>,
    /// Scroll to the first match once the matches are measured (the search was just typed).
    pub jump: bool,
}

/// The detail pane was laid out: `bottom` is the largest scroll that still fills it (the wrapped
/// text's height less the pane's, `ui::detail_bottom`). A scroll past it is brought back.
pub fn detail_measured(s: &mut AppState, bottom: u16) {
    s.detail.bottom = Some(bottom);
    if s.detail.scroll > bottom {
        s.detail.scroll = bottom;
        s.dirty = true;
    }
}

/// The movement keys while the detail has the keyboard: they scroll, up to the measured bottom.
pub(super) fn scroll(s: &mut AppState, a: Action) -> Vec<Effect> {
    match a {
        Action::Top => s.detail.scroll = 0,
        Action::Bottom => {
            if let Some(bottom) = s.detail.bottom {
                s.detail.scroll = bottom;
            }
        }
        _ => {
            let step: i32 = match a {
                Action::MoveDown => 1,
                Action::MoveUp => -1,
                Action::PageDown => 10,
                _ => -10,
            };
            let bottom = s.detail.bottom.unwrap_or(u16::MAX);
            s.detail.scroll = (i32::from(s.detail.scroll) + step).clamp(0, i32::from(bottom)) as u16;
        }
    }
    Vec::new()
}

/// The detail was laid out with a search: `matches` are the lines that hold it (`ui::detail_matches`).
/// Right after the search was typed, the pane scrolls to the first match at or after where it is.
pub fn detail_search_measured(s: &mut AppState, matches: Vec<u16>) {
    if matches != s.detail.matches {
        s.detail.matches = matches;
        s.dirty = true;
    }
    if std::mem::take(&mut s.detail.jump) {
        let at =
            s.detail.matches.iter().position(|&m| m >= s.detail.scroll).or((!s.detail.matches.is_empty()).then_some(0));
        jump_to(s, at);
    }
}

fn jump_to(s: &mut AppState, at: Option<usize>) {
    s.detail.match_at = at;
    if let Some(line) = at.and_then(|i| s.detail.matches.get(i)) {
        s.detail.scroll = s.detail.bottom.map_or(*line, |b| (*line).min(b));
    }
    s.dirty = true;
}

/// `n`/`N` while a search is on: the next (previous) line holding it, around the end.
pub(super) fn search_step(s: &mut AppState, forward: bool) -> Vec<Effect> {
    let n = s.detail.matches.len();
    if n == 0 {
        s.info(format!("No match for /{} in this finding", s.detail.search));
        return Vec::new();
    }
    let at = match s.detail.match_at {
        Some(i) if forward => (i + 1) % n,
        Some(i) => (i + n - 1) % n,
        None if forward => s.detail.matches.iter().position(|&m| m > s.detail.scroll).unwrap_or(0),
        None => s.detail.matches.iter().rposition(|&m| m < s.detail.scroll).unwrap_or(n - 1),
    };
    jump_to(s, Some(at));
    Vec::new()
}

/// Sets (or clears) the pane's search; the matches are measured at the next frame.
pub(super) fn set_search(s: &mut AppState, pattern: String) {
    s.detail.jump = !pattern.is_empty();
    s.detail.search = pattern;
    s.detail.matches.clear();
    s.detail.match_at = None;
}

pub(super) fn toggle_raw(s: &mut AppState) -> Vec<Effect> {
    s.detail.raw = !s.detail.raw;
    s.detail.scroll = 0;
    Vec::new()
}

/// Asks for the cursor finding's document when it changed.
pub(super) fn sync_detail(s: &mut AppState) -> Vec<Effect> {
    let key = s.cursor_row().map(|(_, r)| r.key.clone());
    if key == s.detail.key {
        return Vec::new();
    }
    s.detail.key = key.clone();
    s.detail.doc = None;
    s.detail.other = None;
    s.detail.view = DetailView::default();
    s.detail.history.clear();
    s.detail.error = None;
    s.detail.scroll = 0;
    s.detail.match_at = None;
    // The search is kept for the next finding: it shows its first match.
    s.detail.jump = !s.detail.search.is_empty();
    s.detail.loading = key.is_some();
    key.map(|key| vec![Effect::LoadDetail { key }]).unwrap_or_default()
}

/// The detail shows the stored document: after an edit of it, read it again.
pub(super) fn reload_detail_if(s: &mut AppState, touched: bool) -> Vec<Effect> {
    if touched {
        s.detail.key = None;
        return sync_detail(s);
    }
    Vec::new()
}

/// `Event::DetailLoaded`: shown only if the cursor is still on that finding.
pub(super) fn loaded(
    s: &mut AppState,
    key: FindingId,
    doc: Option<Box<Value>>,
    history: Vec<HistoryEntry>,
) -> Vec<Effect> {
    if s.detail.key.as_ref() == Some(&key) {
        s.detail.loading = false;
        s.detail.doc = doc.map(|d| *d);
        s.detail.view = s.detail.doc.as_ref().map(DetailView::of).unwrap_or_default();
        if s.detail.doc.is_none() {
            s.detail.error = Some("This finding is no longer in the store".into());
        }
        s.detail.history = history;
        s.detail.jump = !s.detail.search.is_empty();
    } else {
        s.dirty = false;
    }
    Vec::new()
}

/// `Event::OtherFormLoaded`: kept only if the cursor is still on that finding.
pub(super) fn other_form_loaded(s: &mut AppState, key: FindingId, doc: Value) -> Vec<Effect> {
    if s.detail.key.as_ref() == Some(&key) {
        s.detail.other = Some(doc);
    } else {
        s.dirty = false;
    }
    Vec::new()
}

/// `Event::DetailFailed`.
pub(super) fn failed(s: &mut AppState, key: FindingId, error: BackendError) -> Vec<Effect> {
    if s.detail.key.as_ref() == Some(&key) {
        s.detail.loading = false;
        s.detail.error = Some(error.to_string());
    }
    Vec::new()
}
