//! The `/` filter over the rows' search columns (`RowStore::search`): each term is decided once per
//! distinct value of each column, then a row matches when every term matched the value of one of
//! its columns. A term matches a row exactly when it matches one of the row's fields on its own
//! (`matcher`), so deciding it per distinct field value gives the per-row answer; a differential
//! test (`filter`'s tests) checks the result against the predicate on every row's whole haystack.
//!
//! Why: at 1,000,000 generated rows the titles hold about 340,000 distinct values, the resource ids
//! about 100,000 and the other columns a few hundred, so a fresh pass matches about 440,000 short
//! texts instead of a million rows' six fields, and a term typed on (`pu` -> `pub`) re-checks only
//! the values its shorter form matched (the predicate is monotone, per field). Each value's sketch
//! (`matcher::Sketch`, made when the value is interned) rules most values out before the predicate
//! reads them, and answers a one-character term alone.

use std::sync::Arc;

use super::super::matcher::Term;
use super::super::rows::{RowStore, SEARCH_COLUMNS};

/// One term's matches: a bit per distinct value of each search column.
#[derive(Debug)]
pub struct TermMatches {
    /// The term, folded.
    pub term: String,
    sets: [Vec<u64>; SEARCH_COLUMNS],
}

impl TermMatches {
    /// Whether both match the same values of every column (then they match the same rows).
    pub fn same_values(&self, other: &TermMatches) -> bool {
        self.sets.iter().zip(&other.sets).all(|(a, b)| {
            let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
            long.get(..short.len()) == Some(short.as_slice())
                && long.get(short.len()..).is_none_or(|rest| rest.iter().all(|&w| w == 0))
        })
    }
}

/// Values below which one thread decides a column: a second thread costs ~50 µs to start.
const PARALLEL_MIN: usize = 65_536;

/// Which values of every column `term` matches. `within`: the matches of a term `term` extends
/// (every value `term` matches is among them, the predicate being monotone), so only those are
/// checked.
pub fn term_matches(rows: &RowStore, term: &Term, within: Option<&TermMatches>) -> Arc<TermMatches> {
    let sets = std::array::from_fn(|c| {
        let column = &rows.search[c];
        let sketches = column.sketches();
        let n = column.len();
        // The value's sketch rules most values out before the predicate reads the value.
        let hit = |id: usize| sketches.get(id).is_some_and(|&s| term.matches_value(s, || column.haystack(id as u32)));
        let decide = |range: std::ops::Range<usize>| -> Vec<u64> {
            // Words of `range.start / 64 ..`: ranges start on word boundaries.
            let mut bits = vec![0u64; range.len().div_ceil(64)];
            match within.map(|w| &w.sets[c]) {
                Some(prev) => {
                    let words = prev.get(range.start / 64..).unwrap_or_default();
                    for (w, (&word, out)) in words.iter().zip(bits.iter_mut()).enumerate() {
                        let mut rest = word;
                        while rest != 0 {
                            let b = rest.trailing_zeros() as usize;
                            rest &= rest - 1;
                            let id = range.start + w * 64 + b;
                            if id < range.end && hit(id) {
                                *out |= 1 << b;
                            }
                        }
                    }
                }
                None => {
                    for id in range.clone() {
                        if hit(id) {
                            let k = id - range.start;
                            bits[k / 64] |= 1 << (k % 64);
                        }
                    }
                }
            }
            bits
        };
        if n < PARALLEL_MIN || threads() < 2 {
            return decide(0..n);
        }
        let half = (n / 2).div_ceil(64) * 64;
        std::thread::scope(|scope| {
            let second = scope.spawn(|| decide(half..n));
            let mut bits = decide(0..half);
            match second.join() {
                Ok(b) => bits.extend(b),
                // The predicate does not panic; if a thread ever did, its panic is this thread's.
                Err(panic) => std::panic::resume_unwind(panic),
            }
            bits
        })
    });
    Arc::new(TermMatches { term: term.text().to_string(), sets })
}

fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(4)
}

/// Candidates below which they are decided one by one in their own order; above, in load order
/// (and always when `parallel_min` is lower, so that tests take that way with few rows).
const SPARSE: usize = 4_096;

/// Rows that matched, in the candidates' order.
#[derive(Debug, Default)]
pub struct Matched {
    pub rows: Vec<u32>,
    /// A bit per row, set for every row of `rows` (and maybe for other rows, never candidates),
    /// when they were decided in load order: the next keystroke's candidates, without setting a
    /// bit per candidate at random again.
    pub bits: Option<Vec<u64>>,
}

/// The candidates (in their order) every one of whose terms matched one of the row's values.
/// `known`: a bit per row set for every candidate (the level below's `Matched::bits`), if known.
/// Candidates (in the list's sorted order) are decided in load order, where the rows' value ids
/// are read one after another instead of at random (a cache miss a row: a third of a keystroke's
/// time at a million rows), split between the cores when there are many; then the candidates are
/// kept in their order by a bit per row.
pub fn rows_matching(
    rows: &RowStore,
    terms: &[Arc<TermMatches>],
    candidates: &[u32],
    known: Option<&[u64]>,
    parallel_min: usize,
) -> Matched {
    // Per term, only the columns where it matched something: the value bits and the rows' ids.
    let live: Vec<Vec<(&[u64], &[u32])>> = terms
        .iter()
        .map(|t| {
            (0..SEARCH_COLUMNS)
                .filter(|&c| t.sets[c].iter().any(|&w| w != 0))
                .map(|c| (t.sets[c].as_slice(), rows.codes[c].as_slice()))
                .collect()
        })
        .collect();
    if live.iter().any(Vec::is_empty) {
        return Matched::default();
    }
    let row_matches = |i: usize| -> bool {
        live.iter().all(|cols| {
            cols.iter().any(|&(set, ids)| {
                ids.get(i).is_some_and(|&id| set.get(id as usize / 64).is_some_and(|w| (w >> (id % 64)) & 1 == 1))
            })
        })
    };
    let n = rows.coded_rows();
    if candidates.len() < SPARSE.min(parallel_min) {
        return Matched { rows: candidates.iter().copied().filter(|&i| row_matches(i as usize)).collect(), bits: None };
    }
    // Only candidates are kept below, so a bit set for another row costs work, never a wrong row.
    let mut wanted = match known.filter(|b| b.len() == n.div_ceil(64)) {
        Some(bits) => bits.to_vec(),
        // As many candidates as rows are all of them (no query; they are distinct): every row is
        // decided without setting a bit per candidate at random.
        None if candidates.len() == n => {
            let mut all = vec![u64::MAX; n.div_ceil(64)];
            if let Some(last) = all.last_mut().filter(|_| !n.is_multiple_of(64)) {
                *last = (1 << (n % 64)) - 1;
            }
            all
        }
        None => {
            let mut bits = vec![0u64; n.div_ceil(64)];
            for &i in candidates {
                if let Some(w) = bits.get_mut(i as usize / 64) {
                    *w |= 1 << (i % 64);
                }
            }
            bits
        }
    };
    let decide = |words: &mut [u64], first_word: usize| {
        for (k, word) in words.iter_mut().enumerate() {
            let mut rest = *word;
            while rest != 0 {
                let b = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                if !row_matches((first_word + k) * 64 + b) {
                    *word &= !(1 << b);
                }
            }
        }
    };
    let decide = &decide;
    let parts = if candidates.len() < parallel_min.max(2) { 1 } else { threads() };
    if parts < 2 {
        decide(&mut wanted, 0);
    } else {
        let size = wanted.len().div_ceil(parts).max(1);
        std::thread::scope(|scope| {
            let mut chunks = wanted.chunks_mut(size).enumerate();
            let first = chunks.next();
            let others: Vec<_> =
                chunks.map(|(k, chunk)| scope.spawn(move || decide(chunk, k * size))).collect::<Vec<_>>();
            if let Some((_, chunk)) = first {
                decide(chunk, 0);
            }
            for h in others {
                if let Err(panic) = h.join() {
                    std::panic::resume_unwind(panic);
                }
            }
        });
    }
    let rows = candidates
        .iter()
        .copied()
        .filter(|&i| wanted.get(i as usize / 64).is_some_and(|w| (w >> (i % 64)) & 1 == 1))
        .collect();
    Matched { rows, bits: Some(wanted) }
}
