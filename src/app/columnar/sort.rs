//! The list's sort over the rows' columns as small integer keys, instead of comparing strings and
//! structs: the order is exactly `SortSpec::compare`'s with a stable sort (the column in the chosen
//! direction, ties most recently updated first, then load order), computed as
//! 1. every row ordered by the tie rule (updated time descending, then load order), kept between
//!    sorts;
//! 2. a stable counting sort of that order by the column's rank: a severity or status code, or the
//!    position of the row's text among the column's distinct values in string order (kept between
//!    sorts), two passes for the resource column (type, then id).
//!
//! A stable pass by the column over an order already sorted by the tie rule leaves equal keys in the
//! tie rule's order, which is what the comparator's `then_with` gives.
//!
//! What is kept (the tie order and the text ranks) is valid for as many rows as it was built on:
//! rows are only ever appended until a reload replaces the store, and the kept columns are fixed
//! once a row is added (edits change workflow, severity, verification, confidence and criticality,
//! which are read afresh on every sort).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::super::filter::{SortColumn, SortSpec};
use super::super::row::Row;
use super::super::rows::RowStore;

/// The text columns a sort ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Text {
    Title,
    ResourceType,
    ResourceId,
    Account,
    Region,
    Product,
    Control,
}

impl Text {
    const COUNT: usize = 7;

    /// Its column in `RowStore::search` (`Row::search_fields`' order), if the filter searches it.
    fn search_column(self) -> Option<usize> {
        match self {
            Text::Title => Some(0),
            Text::ResourceType => Some(1),
            Text::ResourceId => Some(2),
            Text::Account => Some(3),
            Text::Product => Some(4),
            Text::Control => Some(5),
            Text::Region => None,
        }
    }

    fn of(self, r: &Row) -> &str {
        match self {
            Text::Title => &r.title,
            Text::ResourceType => &r.resource_type,
            Text::ResourceId => &r.resource_id,
            Text::Account => &r.account,
            Text::Region => &r.region,
            Text::Product => &r.product,
            Text::Control => &r.control_id,
        }
    }
}

/// Each row's rank in a text column, and how many distinct ranks there are.
#[derive(Debug)]
struct Ranks {
    of_row: Vec<u32>,
    distinct: usize,
}

/// What one sort keeps for the next, for `rows` rows.
#[derive(Debug, Default)]
struct Kept {
    rows: usize,
    /// Counts `forget`s: what a background thread ranked from older values is not kept.
    epoch: u64,
    by_updated: Option<Arc<Vec<u32>>>,
    text: [Option<Arc<Ranks>>; Text::COUNT],
}

/// The sort's kept keys, beside the rows (`RowStore`).
#[derive(Debug, Default)]
pub struct SortKeys(Arc<Mutex<Kept>>);

/// The kept entries, emptied when the rows are no longer the ones they were built on.
fn kept_for(kept: &Mutex<Kept>, rows: usize) -> std::sync::MutexGuard<'_, Kept> {
    // A panic while the lock was held leaves at worst a missing entry, never a wrong one.
    let mut k = kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if k.rows != rows {
        *k = Kept { rows, epoch: k.epoch, ..Kept::default() };
    }
    k
}

impl SortKeys {
    /// Drops the kept keys: a row's values changed in place (a refresh's updated finding). Ranks a
    /// background thread computed from the rows before are not kept after this (`epoch`).
    pub fn forget(&self) {
        let mut k = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *k = Kept { epoch: k.epoch + 1, ..Kept::default() };
    }

    fn kept(&self, rows: usize) -> std::sync::MutexGuard<'_, Kept> {
        kept_for(&self.0, rows)
    }

    /// Ranks the columns whose first sort takes longest (title, resource id and type: hundreds of
    /// thousands of distinct values at a million rows) and the tie order on a thread of their own,
    /// from a copy of what they need, and keeps them for the sorts to come. Called when a load
    /// ends; a sort asked for before the thread is done computes what it needs itself, exactly as
    /// the thread would, so the order never depends on which came first.
    pub fn rank_in_background(&self, store: &RowStore) {
        let n = store.all.len();
        let columns = [Text::Title, Text::ResourceId, Text::ResourceType];
        let inputs: Vec<(Text, Vec<crate::model::summary::Shared>, Vec<u32>)> = columns
            .iter()
            .filter_map(|&t| {
                let c = t.search_column()?;
                Some((t, store.search[c].shared_values(), store.codes.get(c)?.clone()))
            })
            .collect();
        let updated: Vec<i64> = store.all.iter().map(|r| r.updated_ns).collect();
        let kept = self.0.clone();
        let epoch = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).epoch;
        // Without a thread the first sort ranks as before.
        let _ = std::thread::Builder::new().name("sort-ranks".into()).spawn(move || {
            let tie = Arc::new(by_updated_ns(&updated));
            {
                let mut k = kept_for(&kept, n);
                if k.epoch != epoch {
                    return;
                }
                k.by_updated.get_or_insert(tie);
            }
            for (t, values, codes) in inputs {
                let distinct: Vec<&str> = values.iter().map(|v| v.as_str()).collect();
                let rank_of = rank_distinct(&distinct);
                let of_row = codes.iter().map(|&id| rank_of.get(id as usize).copied().unwrap_or(0)).collect();
                let ranks = Arc::new(Ranks { of_row, distinct: distinct.len() });
                let mut k = kept_for(&kept, n);
                if k.epoch != epoch {
                    return;
                }
                k.text[t as usize].get_or_insert(ranks);
            }
        });
    }

    /// Whether the background ranking (or a sort) has kept the ranks of `column`'s text (tests).
    #[cfg(test)]
    pub(crate) fn has_ranks(&self, rows: usize, column: SortColumn) -> bool {
        let text = match column {
            SortColumn::Title => Text::Title,
            _ => Text::ResourceId,
        };
        self.kept(rows).text[text as usize].is_some()
    }

    fn by_updated(&self, rows: &[Row]) -> Arc<Vec<u32>> {
        if let Some(v) = &self.kept(rows.len()).by_updated {
            return v.clone();
        }
        let v = Arc::new(by_updated(rows));
        self.kept(rows.len()).by_updated = Some(v.clone());
        v
    }

    fn ranks(&self, rows: &[Row], store: Option<&RowStore>, column: Text) -> Arc<Ranks> {
        if let Some(r) = &self.kept(rows.len()).text[column as usize] {
            return r.clone();
        }
        let by_id = store.filter(|s| s.coded_rows() == rows.len()).zip(column.search_column());
        let r = Arc::new(match by_id {
            Some((store, c)) => ranks_by_value_id(store, c),
            None => text_ranks(rows, column),
        });
        self.kept(rows.len()).text[column as usize] = Some(r.clone());
        r
    }
}

/// Every row index in `spec`'s order.
pub fn sorted(rows: &[Row], keys: &SortKeys, spec: SortSpec) -> Vec<u32> {
    sorted_in(rows, None, keys, spec)
}

/// Every row of `store` in `spec`'s order. A text column the `/` filter searches is ranked by its
/// distinct values (`RowStore::search`: 340,000 titles at a million rows, 100,000 resource ids),
/// each row taking its value's rank, instead of hashing every row's text to find them.
pub fn sorted_store(store: &RowStore, spec: SortSpec) -> Vec<u32> {
    sorted_in(&store.all, Some(store), &store.sort_keys, spec)
}

fn sorted_in(rows: &[Row], store: Option<&RowStore>, keys: &SortKeys, spec: SortSpec) -> Vec<u32> {
    let tie = keys.by_updated(rows);
    let desc = spec.descending;
    match spec.column {
        SortColumn::Severity => {
            let n = 1 + crate::model::enums::SeverityLabel::ALL.len();
            counting_sort(&tie, n, desc, |i| rows[i].severity.map_or(0, |s| 1 + s as usize))
        }
        SortColumn::Status => {
            let n = 1 + crate::model::enums::WorkflowStatus::ALL.len();
            counting_sort(&tie, n, desc, |i| rows[i].workflow.map_or(0, |s| 1 + s as usize))
        }
        SortColumn::Updated if desc => tie.to_vec(),
        // Ascending: the tie order backwards, each run of one time put back in load order.
        SortColumn::Updated => {
            let mut order: Vec<u32> = tie.iter().rev().copied().collect();
            for run in order.chunk_by_mut(|&a, &b| rows[a as usize].updated_ns == rows[b as usize].updated_ns) {
                run.reverse();
            }
            order
        }
        SortColumn::Resource => {
            // Least significant first: by id, then (stably) by type.
            let id = keys.ranks(rows, store, Text::ResourceId);
            let by_id = counting_sort(&tie, id.distinct, desc, |i| id.of_row[i] as usize);
            let ty = keys.ranks(rows, store, Text::ResourceType);
            counting_sort(&by_id, ty.distinct, desc, |i| ty.of_row[i] as usize)
        }
        column => {
            let text = match column {
                SortColumn::Title => Text::Title,
                SortColumn::Account => Text::Account,
                SortColumn::Region => Text::Region,
                SortColumn::Product => Text::Product,
                _ => Text::Control,
            };
            let r = keys.ranks(rows, store, text);
            counting_sort(&tie, r.distinct, desc, |i| r.of_row[i] as usize)
        }
    }
}

/// The default order (`SortSpec::default()`: severity descending, ties most recently updated
/// first, then load order) of the rows of a load so far, kept while the load goes on as one
/// integer per row that sorts in that order. The rows arrive in any order after the first
/// screenful (the store reads its table as it is laid out), so each chunk is sorted by itself and
/// merged in: linear in the rows, where sorting them all again per chunk would not be.
#[derive(Debug, Default)]
pub struct LoadOrder {
    keys: Vec<u128>,
    /// The keys' hashes (`key_hash`) added up: what the rows' keys add up to while no row changed.
    sum: u64,
}

impl LoadOrder {
    /// Forgets the keys (the load ended, or a row's values changed in place).
    pub fn clear(&mut self) {
        self.keys = Vec::new();
        self.sum = 0;
    }

    /// Whether the keys are still those of `rows`' first rows. Their hashes are added up reading
    /// the rows in order (the keys in order would read the rows at random: 0.1 s at a million);
    /// the hash is not linear, so rows that swapped severities still change the sum.
    fn holds(&self, rows: &[Row]) -> bool {
        let Some(rows) = rows.get(..self.keys.len()) else { return false };
        let sum =
            rows.iter().enumerate().fold(0u64, |sum, (i, r)| sum.wrapping_add(key_hash(default_key(r, i as u32))));
        sum == self.sum
    }

    /// Every row of `rows` in the default order, the rows not seen before merged in. With `check`
    /// (the last chunk, whose order is the list's after the load, without sorting again), a row
    /// whose severity or updated time changed since its key was taken (an edit made while the rows
    /// load) has every key taken again, so that order is exactly the sorted one. Checking is a pass
    /// over every row loaded: on every chunk it was a third of the list's work per chunk at a
    /// million rows, so the chunks before the last list an edited row where it was until the end.
    pub fn merge(&mut self, rows: &[Row], check: bool) -> Vec<u32> {
        if self.keys.len() > rows.len() || (check && !self.holds(rows)) {
            self.clear();
        }
        let from = self.keys.len();
        let mut new: Vec<u128> = rows.iter().enumerate().skip(from).map(|(i, r)| default_key(r, i as u32)).collect();
        self.sum = new.iter().fold(self.sum, |sum, &k| sum.wrapping_add(key_hash(k)));
        new.sort_unstable();
        // Merged in place from the back, into the room the new keys take at the end: a new vector
        // of every key per chunk (16 MB at a million rows) was written to fresh pages each time.
        let mut left = from;
        self.keys.resize(from + new.len(), 0);
        for at in (0..self.keys.len()).rev() {
            let Some(&next) = new.last() else { break };
            // Keys differ (the row's index is in each), so no two are equal.
            if left > 0 && self.keys[left - 1] > next {
                self.keys[at] = self.keys[left - 1];
                left -= 1;
            } else {
                self.keys[at] = next;
                new.pop();
            }
        }
        self.keys.iter().map(|&k| k as u32).collect()
    }
}

/// Row `i`'s place in the default order as one integer: the severity descending in the top bits,
/// then the updated time descending, then the load order.
fn default_key(r: &Row, i: u32) -> u128 {
    let severity = 7 - r.severity.map_or(0, |s| 1 + s as u128);
    // The sign bit flipped orders i64s as u64s; inverted, latest first.
    let updated = !((r.updated_ns as u64) ^ (1 << 63));
    (severity << 96) | (u128::from(updated) << 32) | u128::from(i)
}

/// A key's 64-bit hash (two rounds of a multiply-xorshift mix, one per half).
fn key_hash(k: u128) -> u64 {
    fn mix(mut x: u64) -> u64 {
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^ (x >> 33)
    }
    mix(k as u64 ^ mix((k >> 64) as u64))
}

/// Every row, most recently updated first, then in load order.
fn by_updated(rows: &[Row]) -> Vec<u32> {
    by_updated_ns(&rows.iter().map(|r| r.updated_ns).collect::<Vec<_>>())
}

fn by_updated_ns(updated: &[i64]) -> Vec<u32> {
    let mut keyed: Vec<(i64, u32)> = updated.iter().enumerate().map(|(i, &u)| (u, i as u32)).collect();
    keyed.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// `order` stably sorted by `key` (below `n`), largest first when `descending`.
fn counting_sort(order: &[u32], n: usize, descending: bool, key: impl Fn(usize) -> usize) -> Vec<u32> {
    let keys: Vec<u32> = order
        .iter()
        .map(|&i| {
            let k = key(i as usize).min(n.saturating_sub(1));
            (if descending { n - 1 - k } else { k }) as u32
        })
        .collect();
    let mut start = vec![0usize; n + 1];
    for &k in &keys {
        start[k as usize + 1] += 1;
    }
    for b in 1..=n {
        start[b] += start[b - 1];
    }
    let mut out = vec![0u32; order.len()];
    for (&i, &k) in order.iter().zip(&keys) {
        let at = &mut start[k as usize];
        out[*at] = i;
        *at += 1;
    }
    out
}

/// Each row's position among the column's distinct values in string order (`str`'s `Ord`, as the
/// comparator's), equal text equal rank.
fn text_ranks(rows: &[Row], column: Text) -> Ranks {
    // Distinct values first: interned columns hold a few hundred, titles about a third of the rows.
    let mut ids: HashMap<&str, u32, std::hash::BuildHasherDefault<super::super::rows::WordHasher>> = HashMap::default();
    let mut distinct: Vec<&str> = Vec::new();
    let of_row: Vec<u32> = rows
        .iter()
        .map(|r| {
            let v = column.of(r);
            *ids.entry(v).or_insert_with(|| {
                distinct.push(v);
                distinct.len() as u32 - 1
            })
        })
        .collect();
    drop(ids);
    let rank_of = rank_distinct(&distinct);
    Ranks { of_row: of_row.into_iter().map(|d| rank_of[d as usize]).collect(), distinct: distinct.len() }
}

/// A search column's ranks from its distinct values: each row's value id mapped to its rank.
fn ranks_by_value_id(store: &RowStore, column: usize) -> Ranks {
    let distinct = store.search[column].values();
    let rank_of = rank_distinct(&distinct);
    let ids = store.codes.get(column).map_or(&[][..], Vec::as_slice);
    let of_row = ids.iter().map(|&id| rank_of.get(id as usize).copied().unwrap_or(0)).collect();
    Ranks { of_row, distinct: distinct.len() }
}

/// Each distinct value's position among them in string order (`str`'s `Ord`), by index.
fn rank_distinct(distinct: &[&str]) -> Vec<u32> {
    // Ordered by their first 16 bytes as one integer (zero-padded, big-endian: the same order as
    // the bytes'), and only values sharing those compared in full.
    let mut by_prefix: Vec<(u128, u32)> = distinct.iter().enumerate().map(|(d, v)| (prefix(v), d as u32)).collect();
    by_prefix.sort_unstable_by_key(|p| p.0);
    for run in by_prefix.chunk_by_mut(|a, b| a.0 == b.0) {
        if run.len() > 1 {
            run.sort_unstable_by(|a, b| distinct[a.1 as usize].cmp(distinct[b.1 as usize]));
        }
    }
    let mut rank_of = vec![0u32; distinct.len()];
    for (rank, &(_, d)) in by_prefix.iter().enumerate() {
        rank_of[d as usize] = rank as u32;
    }
    rank_of
}

fn prefix(v: &str) -> u128 {
    let mut b = [0u8; 16];
    let head = &v.as_bytes()[..v.len().min(16)];
    b[..head.len()].copy_from_slice(head);
    u128::from_be_bytes(b)
}

#[cfg(test)]
mod tests;
