//! Which rows show, in which order: the sort, the `:` structured query and the `/` live filter
//! narrowing the rows in turn, and the group counts over what is left. `refresh` recomputes them
//! and keeps the list cursor on its finding; whatever changes a narrowing calls it.
//!
//! The group counts are computed here rather than in `group` because the group pane drills in
//! through `apply_query`, which refreshes the view: the view is below the group pane.

use super::columnar::{self, RowSet};
use super::detail::sync_detail;
use super::effect::Effect;
use super::filter::{self, LiveFilter, SortColumn, SortSpec};
use super::list::scroll_into_view;
use super::row::IN_MEMORY_FIELDS;
use super::state::{LoadState, Mode};
use super::AppState;
use crate::model::finding::FindingId;
use crate::model::source::BackendError;

/// The active structured query (`:` line).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryState {
    pub text: String,
    /// Rows matching, when the worker answered (or the rows were evaluated in memory).
    pub matched: Option<RowSet>,
    /// Waiting for the worker's answer to this query id.
    pub pending: Option<u64>,
    /// What in the query likely matches nothing it was meant to (`query::QueryWarning`), shown with
    /// its answer.
    pub warning: Option<String>,
    pub next_id: u64,
}

/// Which rows show, in which order.
#[derive(Debug, Default)]
pub struct ViewState {
    /// Every row, sorted.
    pub order: Vec<u32>,
    /// `order` narrowed by the structured query.
    pub base: Vec<u32>,
    /// `base` narrowed by the live filter: what the list shows.
    pub visible: Vec<u32>,
    pub sort: SortSpec,
    pub query: QueryState,
    pub filter: LiveFilter,
    /// The named view the query came from (`app::views`), shown in the header.
    pub named: Option<super::views::NamedView>,
    /// The list's columns a view or `:columns` chose (`app::columns` words); empty: as many as fit.
    pub columns: Vec<String>,
}

/// Recomputes what the list shows. `base_changed`: the sort, the query or the rows changed.
pub(super) fn refresh(s: &mut AppState, base_changed: bool) {
    let cursor_row = s.view.visible.get(s.list.cursor).copied();
    if base_changed {
        s.view.base = match &s.view.query.matched {
            Some(m) => s.view.order.iter().copied().filter(|&i| m.contains(i)).collect(),
            None => s.view.order.clone(),
        };
        s.view.filter.invalidate();
    }
    s.view.visible = s.view.filter.apply(&s.rows, &s.view.base);
    // Keep the cursor on the same finding when it is still shown.
    s.list.cursor = cursor_row.and_then(|r| s.view.visible.iter().position(|v| *v == r)).unwrap_or(0);
    scroll_into_view(s);
    if s.mode == Mode::Group {
        compute_groups(s);
    }
}

/// Counts the visible rows by the group fields' values, for the group pane (`group::compute`).
pub(super) fn compute_groups(s: &mut AppState) {
    super::group::compute(s);
}

pub(super) fn set_sort(s: &mut AppState, spec: SortSpec) -> Vec<Effect> {
    s.view.sort = spec;
    s.view.order = filter::sorted(&s.rows, spec);
    refresh(s, true);
    s.info(format!("Sorted by {}{}", spec.column.name(), if spec.descending { " (descending)" } else { "" }));
    sync_detail(s)
}

/// The sort key: the next column, in the direction that column reads best.
pub(super) fn sort_next(s: &mut AppState) -> Vec<Effect> {
    let column = s.view.sort.column.next();
    let descending = matches!(column, SortColumn::Severity | SortColumn::Updated);
    set_sort(s, SortSpec { column, descending })
}

pub(super) fn sort_reverse(s: &mut AppState) -> Vec<Effect> {
    let spec = SortSpec { descending: !s.view.sort.descending, ..s.view.sort };
    set_sort(s, spec)
}

/// The `/` pattern changed (typed, or cleared).
pub(super) fn set_filter(s: &mut AppState, pattern: String) -> Vec<Effect> {
    s.view.filter.pattern = pattern;
    refresh(s, false);
    sync_detail(s)
}

pub(super) fn clear_query(s: &mut AppState) -> Vec<Effect> {
    s.view.named = None;
    s.view.query.text.clear();
    s.view.query.warning = None;
    s.view.query.matched = None;
    s.view.query.pending = None;
    refresh(s, true);
    s.info("Query cleared");
    sync_detail(s)
}

/// Narrows the list by a structured query: in memory when the rows answer every term exactly, else
/// by the backend.
pub fn apply_query(s: &mut AppState, text: &str) -> Result<Vec<Effect>, String> {
    let q = crate::query::parse(text).map_err(|e| e.to_string())?;
    s.view.query.text = text.to_string();
    s.view.query.warning =
        (!q.warnings.is_empty()).then(|| q.warnings.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "));
    let in_memory = answered_in_memory(&q);
    // A remote's cache holds one view of it: what the query selects beyond that is fetched. While
    // the rows load, the last chunk applies the query again and asks then: rows fetched before the
    // load's first chunk would be replaced by it.
    let beyond = (s.capabilities.fetches_beyond_view && !q.filters.is_empty() && s.status.load == LoadState::Loaded)
        .then(|| Effect::FetchBeyondView { query: q.clone() });
    let mut effects = apply_parsed(s, text, q, in_memory);
    effects.extend(beyond);
    Ok(effects)
}

fn apply_parsed(s: &mut AppState, text: &str, q: crate::query::Query, in_memory: bool) -> Vec<Effect> {
    if in_memory {
        s.view.query.matched = Some(columnar::matching(&s.rows.all, &q.filters, s.now));
        s.view.query.pending = None;
        refresh(s, true);
        let n = s.view.visible.len();
        s.info(matched_message(n, &s.view.query));
        sync_detail(s)
    } else {
        s.view.query.next_id += 1;
        let query_id = s.view.query.next_id;
        s.view.query.pending = Some(query_id);
        s.info(format!("Querying the store for :{text}…"));
        vec![Effect::RunQuery { query_id, query: q }]
    }
}

/// `Event::FetchedBeyondView`: the findings the remote holds for the query that the list lacks
/// join it (appended: the marks, which name rows by position, stay on theirs; never a reload) and
/// the query is applied again. An answer arriving while rows load is dropped: the load's last chunk
/// asks again.
pub(super) fn fetched_beyond_view(s: &mut AppState, rows: Vec<super::row::Row>) -> Vec<Effect> {
    if s.status.load != LoadState::Loaded {
        return Vec::new();
    }
    let mut added = 0;
    for row in rows {
        if s.rows.index_of(&row.key).is_none() {
            s.rows.push(row);
            added += 1;
        }
    }
    if added == 0 {
        return Vec::new();
    }
    s.view.order = filter::sorted(&s.rows, s.view.sort);
    let mut effects = match super::views::reapply(s) {
        Ok(e) => e,
        Err(e) => {
            s.error(e);
            return Vec::new();
        }
    };
    // Asked already: the cache holds them now.
    effects.retain(|e| !matches!(e, Effect::FetchBeyondView { .. }));
    s.info(format!(
        "{} beyond the cached view fetched from the remote for :{}",
        crate::model::words::count(added, "finding"),
        s.view.query.text
    ));
    effects
}

/// Whether the rows answer `q` themselves (no free text, only fields the rows hold).
pub(super) fn answered_in_memory(q: &crate::query::Query) -> bool {
    q.text.is_empty() && q.filters.field_names().all(|f| IN_MEMORY_FIELDS.contains(&f))
}

/// The view's query, when the rows answer it themselves.
pub(super) fn in_memory_query(text: &str) -> Option<crate::query::Query> {
    crate::query::parse(text).ok().filter(answered_in_memory)
}

/// The status line's answer to a query: how many match, and any warning of the query's.
fn matched_message(n: usize, q: &QueryState) -> String {
    match &q.warning {
        Some(w) => format!("{n} match :{}  warning: {w}", q.text),
        None => format!("{n} match :{}", q.text),
    }
}

/// `Event::QueryMatched`: the backend's answer to the pending query, if it is still the one asked.
pub(super) fn query_matched(s: &mut AppState, query_id: u64, keys: Vec<FindingId>) -> Vec<Effect> {
    if s.view.query.pending != Some(query_id) {
        return Vec::new();
    }
    s.view.query.pending = None;
    s.view.query.matched = Some(RowSet::from_indices(keys.iter().filter_map(|k| s.rows.index_of(k))));
    refresh(s, true);
    let n = s.view.visible.len();
    s.info(matched_message(n, &s.view.query));
    sync_detail(s)
}

/// `Event::QueryFailed`.
pub(super) fn query_failed(s: &mut AppState, query_id: u64, error: BackendError) -> Vec<Effect> {
    if s.view.query.pending == Some(query_id) {
        s.view.query.pending = None;
        s.error(format!("Query failed: {error}"));
    }
    Vec::new()
}
