//! Loading the rows. `start` and reload ask for them under a new generation, so the chunks of an
//! older load are dropped. The first chunk replaces the previous rows (marks follow their findings),
//! each later one is merged into the list's order (the source sends the first screenful in order,
//! the rest as it reads it), and the last one sorts, runs the query again on the new rows, and
//! offers the demo dataset to an empty store.

use std::collections::HashSet;

use super::columnar::{self, RowSet};
use super::detail::sync_detail;
use super::effect::Effect;
use super::filter::{self, SortSpec};
use super::prompt::Prompt;
use super::row::Row;
use super::state::LoadState;
use super::view::refresh;
use super::AppState;
use crate::model::finding::FindingId;
use crate::model::source::{BackendError, Capabilities};
use crate::model::words;

/// The effects to run when the workbench opens: load the rows.
pub fn start(s: &mut AppState) -> Vec<Effect> {
    s.generation += 1;
    s.status.load = LoadState::Loading { loaded: 0, total: 0 };
    s.dirty = true;
    // The history and the views first: small files, read before the rows are streamed.
    let mut effects: Vec<Effect> =
        s.config.history_file.iter().map(|path| Effect::LoadHistory { path: path.clone() }).collect();
    effects.extend(super::views::start_default(s));
    effects.push(Effect::LoadRows { generation: s.generation });
    effects
}

pub(super) fn reload(s: &mut AppState) -> Vec<Effect> {
    s.generation += 1;
    s.status.load = LoadState::Loading { loaded: 0, total: 0 };
    s.info("Reloading…");
    vec![Effect::LoadRows { generation: s.generation }]
}

/// `Event::SourceDescribed`: the header names the source, and capabilities say what it can do.
pub(super) fn described(s: &mut AppState, source: String, capabilities: Capabilities) -> Vec<Effect> {
    s.source = source;
    s.capabilities = capabilities;
    Vec::new()
}

/// `Event::RowsLoaded`: one chunk, `done` on the last.
pub(super) fn rows_loaded(
    s: &mut AppState,
    generation: u64,
    mut rows: Vec<Row>,
    total: Option<usize>,
    done: bool,
) -> Vec<Effect> {
    // An unknown total shows as 0: loading without a bar.
    let total = total.unwrap_or(0);
    if generation != s.generation {
        s.dirty = false;
        return Vec::new();
    }
    let loaded = match s.status.load {
        LoadState::Loading { loaded, .. } => loaded,
        _ => 0,
    };
    if loaded == 0 {
        // The first chunk of a (re)load replaces the old rows; marks follow their findings.
        let marked: HashSet<FindingId> = s.marks.iter().filter_map(|&i| s.rows.get(i)).map(|r| r.key.clone()).collect();
        s.rows = Default::default();
        s.view.order.clear();
        s.marks.clear();
        s.pending_marks = marked;
        s.detail.key = None;
        // The query's matches named the old rows by position: they are found again among the new
        // ones (below, or by the last chunk for a query the store answers).
        if let Some(m) = s.view.query.matched.as_mut() {
            *m = RowSet::default();
        }
    }
    let default_sort = s.view.sort == SortSpec::default();
    // Room for the whole load at once, so 100k rows are not copied on every doubling (a total
    // from a remote backend is trusted only so far).
    s.rows.reserve(total.saturating_sub(s.rows.all.len()).min(1 << 22));
    let start = s.rows.append(&mut rows);
    if !s.pending_marks.is_empty() {
        for (i, row) in s.rows.all.iter().enumerate().skip(start) {
            if s.pending_marks.contains(&row.key) {
                s.marks.insert(i as u32);
            }
        }
    }
    // A query the rows answer is applied to each chunk as it arrives: the list shows its matches
    // among the rows loaded so far.
    if let (Some(q), Some(matched)) = (super::view::in_memory_query(&s.view.query.text), s.view.query.matched.as_mut())
    {
        let found = columnar::matching(&s.rows.all[start..], &q.filters, s.now);
        for i in (0..(s.rows.all.len() - start) as u32).filter(|&i| found.contains(i)) {
            matched.insert(start as u32 + i);
        }
    }
    let first_chunk = loaded == 0;
    let loaded = s.rows.all.len();
    s.status.load = if done { LoadState::Loaded } else { LoadState::Loading { loaded, total } };
    let mut effects = Vec::new();
    if !default_sort {
        s.view.order = filter::sorted(&s.rows, s.view.sort);
    } else if first_chunk && !done {
        // The first screenful comes in the list's order.
        s.view.order = (0..s.rows.all.len() as u32).collect();
    } else {
        // The rows after it come in the source's order, not the list's. The last chunk is merged
        // too: the merged order is the sorted order, and sorting all the rows again held the list
        // (keys typed during the load) for 0.2-0.5 s at a million rows.
        s.view.order = s.rows.load_order.merge(&s.rows.all, done);
    }
    if done {
        s.rows.load_order.clear();
        s.rows.loaded();
        s.pending_marks.clear();
        // The worker's listing has freed SQLite's page cache, and the merges their keys.
        crate::alloc::release_free_memory();
        // The first sort by title or resource need not rank a million values while the user waits.
        s.rows.sort_keys.rank_in_background(&s.rows);
        // A query is evaluated again on the new rows.
        if !s.view.query.text.is_empty() {
            match super::views::reapply(s) {
                Ok(e) => effects.extend(e),
                Err(e) => s.error(e),
            }
        }
    }
    refresh(s, true);
    effects.extend(sync_detail(s));
    if done {
        if loaded == 0 {
            if s.config.auto_demo {
                s.config.auto_demo = false;
                s.status.load = LoadState::Loading { loaded: 0, total: 0 };
                s.info("Loading the demo dataset…");
                effects.push(Effect::LoadDemo);
            } else {
                s.prompt = Some(Prompt::OfferDemo);
            }
        } else if s.status.message.is_none() || s.status.message.as_ref().is_some_and(|m| m.text.starts_with("Reload"))
        {
            s.info(format!("{} loaded", words::count(loaded, "finding")));
        }
    }
    effects
}

/// `Event::RowsUpdated`: a refresh's newer rows replace theirs in place (indices stay, so the marks
/// and the cursor stay on their findings), and the list is sorted and narrowed again. A row with our
/// own edit in flight keeps what the list shows until the edit is answered: the refresh may have
/// read the remote before the edit reached it; so does one whose edit waits in a remote's outbox.
/// Under a query the rows answer, the updated rows are put in place as our own edits' rows are
/// (`edits::resettle`): one that others' edits take out of the query (another analyst resolved it
/// under open work) leaves the view at once, the cursor on it staying at its place; it stayed listed
/// until `R`, and re-evaluating the whole query put the cursor back on the first row.
pub(super) fn rows_updated(s: &mut AppState, rows: Vec<Row>) -> Vec<Effect> {
    let in_flight: HashSet<&FindingId> = s.edits.in_flight.values().flat_map(|b| b.rollback.keys()).collect();
    let mut touched_detail = false;
    let mut changed = Vec::new();
    for row in rows {
        if in_flight.contains(&row.key) || s.edits.queued.contains_key(&row.key) {
            continue;
        }
        let Some(i) = s.rows.index_of(&row.key) else { continue };
        touched_detail |= s.detail.key.as_ref() == Some(&row.key);
        if s.rows.replace(i, row) {
            changed.push(i);
        }
    }
    if changed.is_empty() {
        s.dirty = false;
        return Vec::new();
    }
    let text = &s.view.query.text;
    let in_memory = text.is_empty() || super::view::in_memory_query(text).is_some();
    let mut effects = Vec::new();
    if in_memory && s.view.query.pending.is_none() {
        // While loading, the query is not applied yet (the last chunk does it): only sorted.
        super::edits::resettle(s, &changed);
        effects.extend(super::detail::sync_detail(s));
        effects.extend(super::detail::reload_detail_if(s, touched_detail));
        return effects;
    }
    s.view.order = filter::sorted(&s.rows, s.view.sort);
    // A query the worker answered is asked again on the new values. While loading, the last chunk
    // does it. The status line keeps what it said.
    if !s.view.query.text.is_empty() && s.view.query.pending.is_none() && s.status.load == LoadState::Loaded {
        let said = s.status.message.clone();
        match super::views::reapply(s) {
            Ok(e) => effects.extend(e),
            Err(e) => s.error(e),
        }
        if s.status.message.as_ref().is_none_or(|m| m.level != super::state::Level::Error) {
            s.status.message = said;
        }
    }
    refresh(s, true);
    effects.extend(super::detail::reload_detail_if(s, touched_detail));
    effects
}

/// `Event::RowsFailed`, for the current load only.
pub(super) fn rows_failed(s: &mut AppState, generation: u64, error: BackendError) -> Vec<Effect> {
    if generation == s.generation {
        s.status.load = LoadState::Failed;
        s.error(format!("Loading findings failed: {error}"));
    }
    Vec::new()
}

/// `Event::DemoLoaded`: the store has findings now; load them.
pub(super) fn demo_loaded(s: &mut AppState, count: usize) -> Vec<Effect> {
    s.info(format!("Loaded {count} demo findings"));
    reload(s)
}

/// `Event::DemoRemoved`: the demo findings are gone from the source; load what is left.
pub(super) fn demo_removed(s: &mut AppState, count: usize) -> Vec<Effect> {
    if count == 0 {
        s.info("The store holds no demo findings: nothing removed");
        return Vec::new();
    }
    // After `reload`, whose "Reloading…" would replace it.
    let effects = reload(s);
    s.info(format!("Removed {}; reloading…", crate::model::words::count(count, "demo finding")));
    effects
}

/// `Event::DemoRemoveFailed`.
pub(super) fn demo_remove_failed(s: &mut AppState, error: BackendError) -> Vec<Effect> {
    s.error(format!("Removing the demo findings failed: {error}"));
    Vec::new()
}

/// `Event::DemoFailed`.
pub(super) fn demo_failed(s: &mut AppState, error: BackendError) -> Vec<Effect> {
    s.status.load = LoadState::Failed;
    s.error(format!("Loading the demo dataset failed: {error}"));
    Vec::new()
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::super::event::Event;
    use super::super::filter::SortSpec;
    use super::super::state::Config;
    use super::super::{handle_event, start, AppState};
    use super::*;

    /// The rows after the first screenful arrive in the source's order (the store reads its table
    /// as laid out): the list shows them in its own order while the load goes on.
    #[test]
    fn rows_arriving_out_of_order_are_listed_in_order_while_loading() {
        let mut s = AppState::new(Config::default(), "x", datetime!(2026-11-01 0:00 UTC));
        start(&mut s);
        let rows: Vec<Row> = super::super::tests::docs(300).iter().map(Row::from_asff).collect();
        let mut first = rows.clone();
        first.sort_by(|a, b| SortSpec::default().compare(a, b));
        first.truncate(20);
        let rest: Vec<Row> = rows.into_iter().filter(|r| !first.iter().any(|f| f.key == r.key)).collect();
        let mut chunks = vec![first];
        chunks.extend(rest.chunks(70).map(<[Row]>::to_vec));
        let last = chunks.len() - 1;
        for (n, chunk) in chunks.into_iter().enumerate() {
            handle_event(&mut s, Event::RowsLoaded { generation: 1, rows: chunk, total: Some(300), done: n == last });
            let expected = filter::sorted(&s.rows, SortSpec::default());
            assert_eq!(s.view.order, expected, "after chunk {n}");
            let keys: Vec<_> = s.view.visible.iter().map(|&i| s.rows.all[i as usize].key.clone()).collect();
            let want: Vec<_> = expected.iter().map(|&i| s.rows.all[i as usize].key.clone()).collect();
            assert_eq!(keys, want, "the list shows that order after chunk {n}");
        }
        assert_eq!(s.rows.all.len(), 300);
    }

    /// An edit made while the rows load (a severity set from the list) moves its row once the last
    /// chunk is in: the list's order after the load is the sorted order of the values then.
    #[test]
    fn a_row_edited_while_loading_is_listed_where_its_new_values_put_it() {
        let mut s = AppState::new(Config::default(), "x", datetime!(2026-11-01 0:00 UTC));
        start(&mut s);
        let mut rows: Vec<Row> = super::super::tests::docs(300).iter().map(Row::from_asff).collect();
        // The first screenful in the list's order, the rest as read.
        rows[..20].sort_by(|a, b| SortSpec::default().compare(a, b));
        let mut chunks = vec![rows[..20].to_vec()];
        chunks.extend(rows[20..].chunks(60).map(<[Row]>::to_vec));
        let last = chunks.len() - 1;
        for (n, chunk) in chunks.into_iter().enumerate() {
            handle_event(&mut s, Event::RowsLoaded { generation: 1, rows: chunk, total: Some(300), done: n == last });
            if n == last {
                assert_eq!(s.view.order, filter::sorted(&s.rows, SortSpec::default()), "after the last chunk");
            }
            // Row `n` and the first row of another severity swap severities.
            if n == 1 || n == 3 {
                let a = s.rows.all[n].severity;
                let other = s.rows.all.iter().position(|r| r.severity != a).unwrap();
                s.rows.all[n].severity = s.rows.all[other].severity;
                s.rows.all[other].severity = a;
            }
        }
    }
}
