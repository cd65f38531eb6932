//! Named views: a name over a query, a sort, a grouping and the list's columns. The workbench opens
//! on one (`Config::default_view`, "open work" unless the config says otherwise), the header names
//! it, `0` switches between every finding and that default view, `:view NAME` and the picker (`V`)
//! open any of them, and `:view save NAME` keeps the current one.
//!
//! Saved views are TOML files, one per view, in the `views` directory of the config directory; the
//! worker reads and writes them (`worker::views`), this module parses and applies them. The shipped
//! views are built in; a file with the same name replaces one. A view is only a way to set the
//! view's query, sort, grouping and columns: the list narrows by the query as any `:` query does,
//! but for "reopened", which the rows cannot answer: its candidates are narrowed by the store's
//! history (`Effect::FindReopened`), and "suppressed, expiring", narrowed by the suppressions'
//! expiries the store keeps (`Effect::FindExpiring`).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::effect::Effect;
use super::filter::{SortColumn, SortSpec};
use super::state::{GroupField, Mode};
use super::view::{apply_query, clear_query, set_sort};
use super::AppState;

/// The console's open work: what Security Hub's console shows by default (active findings whose
/// workflow is NEW or NOTIFIED).
pub const OPEN_WORK: &str = "open work";
pub const OPEN_WORK_QUERY: &str = "record:active status:new,notified";
/// Every finding, no query.
pub const ALL: &str = "all";

/// A view: what `:view NAME` opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedView {
    pub name: String,
    /// A query in the query language; empty: every finding.
    pub query: String,
    pub sort: Option<SortSpec>,
    /// Opens the group view on this field.
    pub group: Option<GroupField>,
    /// And splits its groups again by this one (`group = "control,account"`).
    pub group_second: Option<GroupField>,
    /// The list's columns in order, as `app::columns` words (`title`, `resource:40`); empty: as
    /// many as fit.
    pub columns: Vec<String>,
    /// Only the findings of the query whose history shows their workflow going from RESOLVED or
    /// SUPPRESSED back to NEW or NOTIFIED.
    pub reopened: bool,
    /// Only the findings of the query whose suppression expires soon (`app::expiry`).
    pub expiring: bool,
    /// The file it was read from; `None` for a shipped view.
    pub file: Option<PathBuf>,
}

impl SavedView {
    fn shipped(name: &str, query: &str) -> SavedView {
        SavedView {
            name: name.into(),
            query: query.into(),
            sort: None,
            group: None,
            group_second: None,
            columns: Vec::new(),
            reopened: false,
            expiring: false,
            file: None,
        }
    }

    /// The view as its file writes it.
    pub fn to_toml(&self) -> String {
        let q = |s: &str| toml::Value::String(s.to_string()).to_string();
        let mut out = format!("name = {}\nquery = {}\n", q(&self.name), q(&self.query));
        if let Some(sort) = self.sort {
            out += &format!("sort = {}\n", q(&format!("{} {}", sort.column.name(), dir(sort))));
        }
        if let Some(g) = self.group {
            out += &format!("group = {}\n", q(&super::group::words(g, self.group_second)));
        }
        if !self.columns.is_empty() {
            let cols: Vec<String> = self.columns.iter().map(|c| q(c)).collect();
            out += &format!("columns = [{}]\n", cols.join(", "));
        }
        if self.reopened {
            out += "reopened = true\n";
        }
        if self.expiring {
            out += "expiring = true\n";
        }
        out
    }
}

fn dir(sort: SortSpec) -> &'static str {
    if sort.descending {
        "desc"
    } else {
        "asc"
    }
}

/// The shipped views, in the picker's order.
pub fn shipped() -> Vec<SavedView> {
    let sorted = |mut v: SavedView, column, descending| {
        v.sort = Some(SortSpec { column, descending });
        v
    };
    let mut failed = sorted(
        SavedView::shipped("failed controls", "record:active compliance:failed -status:resolved,suppressed"),
        SortColumn::Control,
        false,
    );
    failed.group = Some(GroupField::Control);
    let mut reopened = SavedView::shipped("reopened", OPEN_WORK_QUERY);
    reopened.reopened = true;
    // The suppressions whose expiry (`update --expires`, `s`) comes within two weeks, the longest
    // untouched first.
    let mut expiring =
        sorted(SavedView::shipped("suppressed, expiring", "status:suppressed"), SortColumn::Updated, false);
    expiring.expiring = true;
    vec![
        SavedView::shipped(OPEN_WORK, OPEN_WORK_QUERY),
        SavedView::shipped(ALL, ""),
        sorted(
            SavedView::shipped("open critical and high", "record:active status:new,notified sev>=high"),
            SortColumn::Severity,
            true,
        ),
        failed,
        reopened,
        expiring,
    ]
}

/// The views the workbench knows: the shipped ones, replaced or joined by the files read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    /// The views read from files, in file-name order.
    pub saved: Vec<SavedView>,
    /// A saved view to open once the files are read (the default view named one).
    pub pending_default: Option<String>,
    /// The files were read.
    pub loaded: bool,
    /// Why each bad file was not loaded, said again when the picker opens.
    pub errors: Vec<String>,
}

impl Catalog {
    /// Every view, the shipped ones first (replaced by a file of the same name), then the others.
    pub fn all(&self) -> Vec<SavedView> {
        let mut out: Vec<SavedView> = shipped()
            .into_iter()
            .map(|v| self.saved.iter().find(|s| same(&s.name, &v.name)).cloned().unwrap_or(v))
            .collect();
        for v in &self.saved {
            if !out.iter().any(|o| same(&o.name, &v.name)) {
                out.push(v.clone());
            }
        }
        out
    }

    pub fn find(&self, name: &str) -> Option<SavedView> {
        self.all().into_iter().find(|v| same(&v.name, name))
    }

    /// A view saved this run: it replaces one of the same name.
    pub fn put(&mut self, view: SavedView) {
        self.saved.retain(|v| !same(&v.name, &view.name));
        self.saved.push(view);
    }
}

fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// A view file's name for a view's name: lower-case letters, digits and dashes.
pub fn file_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    format!("{}.toml", if out.is_empty() { "view" } else { out })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ViewFile {
    name: Option<String>,
    #[serde(default)]
    query: String,
    sort: Option<String>,
    group: Option<String>,
    #[serde(default)]
    columns: Vec<String>,
    #[serde(default)]
    reopened: bool,
    #[serde(default)]
    expiring: bool,
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The line where `key` is set, for an error about its value.
fn line_of_key(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| l.trim_start().strip_prefix(key).is_some_and(|r| r.trim_start().starts_with('=')))
        .map_or(1, |i| i + 1)
}

/// Reads one view file. An error names the file (with its directory, short enough for the status
/// line) and the line: "views/x.toml line 3: …".
pub fn parse(path: &Path, text: &str) -> Result<SavedView, String> {
    let tail: Vec<_> = path.iter().rev().take(2).collect();
    let file = tail.iter().rev().map(|c| c.to_string_lossy()).collect::<Vec<_>>().join("/");
    let at = |line: usize, msg: &dyn std::fmt::Display| format!("{file} line {line}: {msg}");
    let f: ViewFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        at(line, &e.message().trim())
    })?;
    let name = f
        .name
        .filter(|n| !n.trim().is_empty())
        .or_else(|| path.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_default();
    if name.chars().any(char::is_control) {
        return Err(at(line_of_key(text, "name"), &"the name has a control character"));
    }
    if !f.query.trim().is_empty() {
        crate::query::parse(&f.query).map_err(|e| at(line_of_key(text, "query"), &format!("query: {e}")))?;
    }
    let sort = match f.sort.as_deref() {
        None => None,
        Some(s) => Some(parse_sort(s).map_err(|e| at(line_of_key(text, "sort"), &e))?),
    };
    let (group, group_second) = match f.group.as_deref() {
        None => (None, None),
        Some(g) if !g.contains(',') => (
            Some(GroupField::parse(g).ok_or_else(|| {
                let names: Vec<&str> = GroupField::ALL.iter().map(|g| g.name()).collect();
                at(line_of_key(text, "group"), &format!("group: \"{g}\" is not one of {}", names.join(", ")))
            })?),
            None,
        ),
        Some(g) => {
            let (a, b) = super::group::parse_fields(g).map_err(|e| at(line_of_key(text, "group"), &e))?;
            (Some(a), b)
        }
    };
    let mut columns = Vec::new();
    for c in f.columns {
        let chosen = super::columns::parse_word(&c).map_err(|e| at(line_of_key(text, "columns"), &e))?;
        columns.push(chosen.word());
    }
    Ok(SavedView {
        name: name.trim().to_string(),
        query: f.query,
        sort,
        group,
        group_second,
        columns,
        reopened: f.reopened,
        expiring: f.expiring,
        file: Some(path.to_path_buf()),
    })
}

/// "severity", "updated asc", "control desc".
fn parse_sort(s: &str) -> Result<SortSpec, String> {
    let mut words = s.split_whitespace();
    let names = || SortColumn::ALL.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ");
    let column = words
        .next()
        .and_then(SortColumn::parse)
        .ok_or_else(|| format!("sort: \"{s}\" does not start with a column: {}", names()))?;
    let descending = match words.next() {
        None => matches!(column, SortColumn::Severity | SortColumn::Updated),
        Some("desc") => true,
        Some("asc") => false,
        Some(o) => return Err(format!("sort: {o} is not asc or desc")),
    };
    Ok(SortSpec { column, descending })
}

/// Reopened: the finding's last workflow change took it from RESOLVED or SUPPRESSED back to NEW or
/// NOTIFIED (Security Hub's own reopening on a compliance or record-state change, or anyone's edit).
/// `history` is newest first, as GetFindingHistory lists it.
pub fn is_reopened(history: &[crate::model::history::HistoryEntry]) -> bool {
    let last = history.iter().flat_map(|e| &e.changes).find(|c| c.field == "Workflow.Status");
    last.is_some_and(|c| {
        matches!(c.old.as_deref(), Some("RESOLVED" | "SUPPRESSED"))
            && matches!(c.new.as_deref(), Some("NEW" | "NOTIFIED"))
    })
}

/// The view the list shows, when it was opened by name: the header shows the name, and the query
/// alone when the analyst has changed it since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedView {
    pub name: String,
    pub query: String,
    pub reopened: bool,
    pub expiring: bool,
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
    s.view.named =
        Some(NamedView { name: name.to_string(), query: query.to_string(), reopened: false, expiring: false });
    say_count(s);
    Ok(effects)
}

/// Opens a view: its sort, its query, its columns and its grouping.
pub(super) fn open(s: &mut AppState, v: &SavedView) -> Result<Vec<Effect>, String> {
    // The query is checked before anything changes, so a bad one leaves the view as it was.
    if !v.query.trim().is_empty() {
        crate::query::parse(&v.query).map_err(|e| format!("view \"{}\": {e}", v.name))?;
    }
    let mut effects = Vec::new();
    if let Some(sort) = v.sort.filter(|s0| *s0 != s.view.sort) {
        effects.extend(set_sort(s, sort));
    }
    s.view.columns = v.columns.clone();
    if !matches!(s.status.load, super::state::LoadState::Loaded) {
        // While rows stream in, a query the rows answer (open work, say) is applied to each chunk as
        // it arrives (`load::rows_loaded`), starting with the rows already here, so the list never
        // shows, and `a` never marks, a row outside the view. Any other query is evaluated by the
        // last chunk (`reapply`); until then every row shows.
        s.view.query.text = v.query.clone();
        s.view.query.matched = (!v.query.trim().is_empty())
            .then(|| super::view::in_memory_query(&v.query))
            .flatten()
            .map(|q| super::columnar::matching(&s.rows.all, &q.filters, s.now));
        super::view::refresh(s, true);
        s.view.named = Some(NamedView {
            name: v.name.clone(),
            query: v.query.clone(),
            reopened: v.reopened,
            expiring: v.expiring,
        });
        return Ok(effects);
    }
    effects.extend(open_named(s, &v.name, &v.query)?);
    if v.reopened {
        effects.extend(find_reopened(s));
    } else if v.expiring {
        effects.extend(super::expiry::find_expiring(s));
    }
    if let Some(named) = &mut s.view.named {
        named.reopened = v.reopened;
        named.expiring = v.expiring;
    }
    match v.group {
        Some(field) => effects.extend(super::group::open_on_two(s, field, v.group_second)),
        None if s.mode == Mode::Group => {
            s.mode = Mode::Split;
            super::list::resize(s, s.size.0, s.size.1);
        }
        None => {}
    }
    Ok(effects)
}

/// "reopened": the query's rows, narrowed by the store's history in the worker.
fn find_reopened(s: &mut AppState) -> Vec<Effect> {
    let keys = s.view.base.iter().filter_map(|&i| s.rows.get(i)).map(|r| r.key.clone()).collect();
    s.view.query.next_id += 1;
    let query_id = s.view.query.next_id;
    s.view.query.pending = Some(query_id);
    s.info("Reading the findings' history for the reopened ones…");
    vec![Effect::FindReopened { query_id, keys }]
}

/// The named view's query again, on new rows (the end of a load).
pub(super) fn reapply(s: &mut AppState) -> Result<Vec<Effect>, String> {
    let text = s.view.query.text.clone();
    let error = s.status.message.clone().filter(|m| m.level == super::state::Level::Error);
    let mut effects = apply_query(s, &text)?;
    if error.is_some() {
        s.status.message = error;
    }
    if s.view.named.as_ref().is_some_and(|v| v.reopened && v.query == text) {
        effects.extend(find_reopened(s));
    } else if s.view.named.as_ref().is_some_and(|v| v.expiring && v.query == text) {
        effects.extend(super::expiry::find_expiring(s));
    } else {
        say_count(s);
    }
    Ok(effects)
}

/// "open work: 812 findings", once the named view's rows are known. An error (a bad view file read
/// while the rows loaded) stays.
pub(super) fn say_count(s: &mut AppState) {
    let Some(v) = &s.view.named else { return };
    if s.status.message.as_ref().is_some_and(|m| m.level == super::state::Level::Error) {
        return;
    }
    if s.view.query.pending.is_none() && v.query == s.view.query.text {
        let text = format!("{}: {}", v.name, crate::model::words::count(s.view.visible.len(), "finding"));
        s.info(text);
    }
}

/// The start's view: the configured default, set before any row arrives so the last chunk's
/// re-evaluation of the query narrows the list. A saved view waits for its file.
pub(super) fn start_default(s: &mut AppState) -> Vec<Effect> {
    let mut effects: Vec<Effect> =
        s.config.views_dir.iter().map(|dir| Effect::LoadViews { dir: dir.clone() }).collect();
    let Some(name) = s.config.default_view.clone() else { return effects };
    match shipped().into_iter().find(|v| same(&v.name, &name)) {
        // Opened on the empty rows, the query is evaluated again when they have arrived.
        Some(v) if s.config.views_dir.is_none() => effects.extend(open(s, &v).unwrap_or_default()),
        _ if s.config.views_dir.is_some() => s.views.pending_default = Some(name),
        Some(v) => effects.extend(open(s, &v).unwrap_or_default()),
        None => s.error(format!("default_view: no view named \"{name}\"; showing every finding")),
    }
    effects
}

/// `0`: every finding; from every finding, the default view again.
pub(super) fn show_all(s: &mut AppState) -> Vec<Effect> {
    let showing_all = s.view.query.text.is_empty();
    let default = s.config.default_view.clone().filter(|d| !same(d, ALL)).and_then(|d| s.views.find(&d));
    let view = match default {
        Some(v) if showing_all => v,
        _ => SavedView::shipped(ALL, ""),
    };
    open_or_say(s, &view)
}

/// Opens `view`, or says why not.
pub(super) fn open_or_say(s: &mut AppState, view: &SavedView) -> Vec<Effect> {
    match open(s, view) {
        Ok(effects) => effects,
        Err(e) => {
            s.error(e);
            Vec::new()
        }
    }
}

/// `Event::ViewsLoaded`: the view files read; each bad one is named with its line, the others load.
pub(super) fn loaded(s: &mut AppState, views: Vec<SavedView>, errors: Vec<String>) -> Vec<Effect> {
    s.views.saved = views;
    s.views.loaded = true;
    s.views.errors = errors.clone();
    let mut effects = Vec::new();
    if let Some(name) = s.views.pending_default.take() {
        match s.views.find(&name) {
            Some(v) => effects = open_or_say(s, &v),
            None => s.error(format!("default_view: no view named \"{name}\"; showing every finding")),
        }
    }
    if let Some(e) = errors_message(s) {
        s.error(e);
    } else if effects.is_empty() {
        s.dirty = false;
    }
    effects
}

/// "View file not loaded: views/x.toml line 3: … (and 2 more bad view files)".
pub(super) fn errors_message(s: &AppState) -> Option<String> {
    let errors = &s.views.errors;
    let first = errors.first()?;
    let more =
        if errors.len() > 1 { format!(" (and {} more bad view files)", errors.len() - 1) } else { String::new() };
    Some(format!("View file not loaded: {first}{more}"))
}

/// `:view save NAME`: the current view, kept in its file (the worker writes it).
pub(super) fn save(s: &mut AppState, name: &str) -> Result<Vec<Effect>, String> {
    let name = name.trim().trim_matches('"').trim();
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err("view save: name the view, e.g. :view save my triage".into());
    }
    let Some(dir) = s.config.views_dir.clone() else {
        return Err("view save: there is no config directory to keep views in".into());
    };
    let path = dir.join(file_name(name));
    let reopened = s.view.named.as_ref().is_some_and(|v| v.reopened && v.query == s.view.query.text);
    let expiring = s.view.named.as_ref().is_some_and(|v| v.expiring && v.query == s.view.query.text);
    let view = SavedView {
        name: name.to_string(),
        query: s.view.query.text.clone(),
        sort: Some(s.view.sort),
        group: (s.mode == Mode::Group).then_some(s.group.field),
        group_second: if s.mode == Mode::Group { s.group.second } else { None },
        columns: s.view.columns.clone(),
        reopened,
        expiring,
        file: Some(path.clone()),
    };
    let text = view.to_toml();
    s.views.put(view);
    if let Some(named) = &mut s.view.named {
        named.name = name.to_string();
    } else {
        s.view.named = Some(NamedView { name: name.to_string(), query: s.view.query.text.clone(), reopened, expiring });
    }
    s.info(format!("Saving the view \"{name}\" to {}…", path.display()));
    Ok(vec![Effect::SaveView { path, text }])
}

/// `Event::ViewSaved`.
pub(super) fn saved(s: &mut AppState, path: PathBuf) -> Vec<Effect> {
    s.info(format!("Saved the view to {}", path.display()));
    Vec::new()
}

/// `Event::ViewSaveFailed`.
pub(super) fn save_failed(s: &mut AppState, error: String) -> Vec<Effect> {
    s.error(format!("The view was not saved: {error}"));
    Vec::new()
}
