//! Named views: a name over a query (and, for saved views, a sort, a grouping and columns). The
//! workbench opens on one (`Config::default_view`, "open work" unless the config says otherwise),
//! the header names it, and `0` switches between every finding and that default view.
//!
//! A named view is only a way to set the view's query and sort: the list narrows by the query as
//! any `:` query does, so what a view shows is exactly what its query answers.

use super::effect::Effect;
use super::view::{apply_query, clear_query};
use super::AppState;

/// The console's open work: what Security Hub's console shows by default (active findings whose
/// workflow is NEW or NOTIFIED).
pub const OPEN_WORK: &str = "open work";
pub const OPEN_WORK_QUERY: &str = "record:active status:new,notified";
/// Every finding, no query.
pub const ALL: &str = "all";

/// The view the list shows, when it was opened by name: the header shows the name, and the query
/// alone when the analyst has changed it since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedView {
    pub name: String,
    pub query: String,
}

/// The query of a built-in view, by name.
pub fn builtin_query(name: &str) -> Option<&'static str> {
    match name {
        OPEN_WORK => Some(OPEN_WORK_QUERY),
        ALL => Some(""),
        _ => None,
    }
}

/// Opens the view `name` with `query` (empty: every finding).
pub(super) fn open_named(s: &mut AppState, name: &str, query: &str) -> Result<Vec<Effect>, String> {
    let effects = if query.trim().is_empty() { clear_query(s) } else { apply_query(s, query)? };
    s.view.named = Some(NamedView { name: name.to_string(), query: query.to_string() });
    say_count(s);
    Ok(effects)
}

/// "open work: 812 findings", once the named view's rows are known.
pub(super) fn say_count(s: &mut AppState) {
    let Some(v) = &s.view.named else { return };
    if s.view.query.pending.is_none() && v.query == s.view.query.text {
        let text = format!("{}: {}", v.name, crate::model::words::count(s.view.visible.len(), "finding"));
        s.info(text);
    }
}

/// The start's view: the configured default, set before any row arrives so the last chunk's
/// re-evaluation of the query narrows the list.
pub(super) fn start_default(s: &mut AppState) {
    let Some(name) = s.config.default_view.clone() else { return };
    match builtin_query(&name) {
        Some(query) => {
            s.view.query.text = query.to_string();
            s.view.named = Some(NamedView { name, query: query.to_string() });
        }
        None => s.error(format!("default_view: no view named \"{name}\"; showing every finding")),
    }
}

/// `0`: every finding; from every finding, the default view again.
pub(super) fn show_all(s: &mut AppState) -> Vec<Effect> {
    let showing_all = s.view.query.text.is_empty();
    let default = s.config.default_view.clone().filter(|d| d != ALL);
    let (name, query) = match default.and_then(|d| builtin_query(&d).map(|q| (d, q.to_string()))) {
        Some((name, query)) if showing_all => (name, query),
        _ => (ALL.to_string(), String::new()),
    };
    match open_named(s, &name, &query) {
        Ok(effects) => effects,
        Err(e) => {
            s.error(e);
            Vec::new()
        }
    }
}
