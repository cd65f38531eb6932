//! All rows of the current load, in load order, and what finds them fast: a row by its finding's
//! key, and every row's folded search text for the `/` filter. Plain data with no transitions, so
//! the sort and the filter (`filter`) can read it without knowing the rest of the state.

use std::collections::{HashMap, HashSet};

use super::matcher::{self, Haystack};
use super::row::Row;
use crate::model::finding::FindingId;
use crate::model::summary::Shared;

/// One column's interned values. A column whose values rarely repeat (each title its own, say)
/// gains nothing from interning and would pay a set entry per row, so past `PROBATION` values the
/// column takes new ones only while at least one value in `MIN_REPEAT` was found in it.
#[derive(Debug, Default)]
struct Interner {
    set: HashSet<Shared, std::hash::BuildHasherDefault<WordHasher>>,
    seen: usize,
    found: usize,
}

const PROBATION: usize = 65_536;

/// A multiply-rotate hash over 8-byte words (as rustc's FxHash): the interner hashes five values
/// of every row added on the UI thread while rows load, and SipHash's resistance to chosen keys
/// buys nothing for a table only the loading rows fill (a bad case costs time, never correctness).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl WordHasher {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}
const MIN_REPEAT: usize = 10;

impl Interner {
    /// `v` as the one copy of its value.
    fn intern(&mut self, v: &mut Shared) {
        self.seen += 1;
        match self.set.get(v.as_str()) {
            Some(one) => {
                *v = one.clone();
                self.found += 1;
            }
            None if self.set.len() < PROBATION || self.found * MIN_REPEAT >= self.seen => {
                self.set.insert(v.clone());
            }
            None => {}
        }
    }
}

/// All rows, in load order. Indices into `all` (u32) are stable until the next reload.
#[derive(Debug, Default)]
pub struct RowStore {
    pub all: Vec<Row>,
    /// Finds a row by its key without a second copy of every key (about 200 bytes a row): the
    /// index maps a 64-bit hash of the key; a key whose hash another key already has goes to
    /// `collided`.
    by_hash: HashMap<u64, u32>,
    collided: HashMap<FindingId, u32>,
    /// Every row's search fields (`Row::search_fields`), folded to lower case and joined by
    /// `matcher::SEPARATOR`, one row after another: the `/` filter scans this one buffer, in load
    /// order, instead of a heap string per row. Edits never change the search fields.
    haystacks: String,
    /// One bit per byte of `haystacks`: whether a word starts there, decided on the text as shown
    /// (which knows camel case) when the row was added.
    word_starts: Vec<u64>,
    /// Where each row's haystack starts in `haystacks`, and one more: the end of the last.
    haystack_at: Vec<usize>,
    /// One copy of each value of the shared columns (account, region, product, resource type,
    /// control id), by column: a row's own copy is replaced by it when the row is added.
    shared: [Interner; 5],
    /// How many rows are OCSF findings: the list shows its format column only when there are some.
    pub ocsf_rows: usize,
    /// What one sort keeps for the next (`columnar::sort`).
    pub sort_keys: super::columnar::sort::SortKeys,
}

impl RowStore {
    pub fn push(&mut self, mut row: Row) -> u32 {
        let i = self.all.len() as u32;
        // Not titles nor resource ids: at 1,000,000 rows their tables (340,000 and 100,000 values)
        // saved ~95 bytes a row but made the UI thread's share of each loaded chunk so much larger
        // that the bench drew 9-18 frames while loading instead of ~50.
        let columns =
            [&mut row.account, &mut row.region, &mut row.product, &mut row.resource_type, &mut row.control_id];
        for (interner, v) in self.shared.iter_mut().zip(columns) {
            interner.intern(v);
        }
        if self.haystack_at.is_empty() {
            self.haystack_at.push(0);
        }
        for (n, field) in row.search_fields().iter().enumerate() {
            if n > 0 {
                self.haystacks.push(matcher::SEPARATOR);
            }
            matcher::mark_word_starts(field, self.haystacks.len(), &mut self.word_starts);
            matcher::fold_into(field, &mut self.haystacks);
        }
        self.haystack_at.push(self.haystacks.len());
        if row.ocsf.is_some() {
            self.ocsf_rows += 1;
        }
        let h = key_hash(&row.key);
        match self.by_hash.get(&h).and_then(|&j| self.all.get(j as usize)) {
            Some(other) if other.key != row.key => {
                self.collided.insert(row.key.clone(), i);
            }
            // A key seen again now names the newer row, as a map insert would.
            _ => {
                self.by_hash.insert(h, i);
            }
        }
        self.all.push(row);
        i
    }

    /// Replaces row `i` by a newer summary of the same finding (a refresh's), keeping its index, so
    /// that marks and the cursor stay on it. A row whose search fields changed (a new title) has
    /// every row's search text built again: rare, and one pass over the rows.
    pub fn replace(&mut self, i: u32, mut row: Row) -> bool {
        let Some(old) = self.all.get(i as usize) else { return false };
        if old.key != row.key {
            return false;
        }
        let rebuild = old.search_fields() != row.search_fields();
        let ocsf_before = old.ocsf.is_some();
        let columns =
            [&mut row.account, &mut row.region, &mut row.product, &mut row.resource_type, &mut row.control_id];
        for (interner, v) in self.shared.iter_mut().zip(columns) {
            interner.intern(v);
        }
        match (ocsf_before, row.ocsf.is_some()) {
            (false, true) => self.ocsf_rows += 1,
            (true, false) => self.ocsf_rows -= 1,
            _ => {}
        }
        if let Some(slot) = self.all.get_mut(i as usize) {
            *slot = row;
        }
        if rebuild {
            self.rebuild_haystacks();
        }
        self.sort_keys.forget();
        true
    }

    fn rebuild_haystacks(&mut self) {
        self.haystacks.clear();
        self.word_starts.clear();
        self.haystack_at.clear();
        self.haystack_at.push(0);
        for row in &self.all {
            for (n, field) in row.search_fields().iter().enumerate() {
                if n > 0 {
                    self.haystacks.push(matcher::SEPARATOR);
                }
                matcher::mark_word_starts(field, self.haystacks.len(), &mut self.word_starts);
                matcher::fold_into(field, &mut self.haystacks);
            }
            self.haystack_at.push(self.haystacks.len());
        }
    }

    /// Room for `n` more rows, when their number is known.
    pub fn reserve(&mut self, n: usize) {
        self.all.reserve(n);
        self.by_hash.reserve(n);
        self.haystack_at.reserve(n + 1);
    }

    /// Row `i`'s search fields, folded, joined by `matcher::SEPARATOR`, with their word starts
    /// (empty when there is no row `i`).
    pub fn haystack(&self, i: u32) -> Haystack<'_> {
        let i = i as usize;
        match (self.haystack_at.get(i), self.haystack_at.get(i + 1)) {
            (Some(&start), Some(&end)) => {
                Haystack::new(self.haystacks.get(start..end).unwrap_or(""), &self.word_starts, start)
            }
            _ => Haystack::new("", &[], 0),
        }
    }

    pub fn get(&self, i: u32) -> Option<&Row> {
        self.all.get(i as usize)
    }

    pub fn index_of(&self, key: &FindingId) -> Option<u32> {
        match self.by_hash.get(&key_hash(key)) {
            Some(&i) if self.get(i).is_some_and(|r| r.key == *key) => Some(i),
            _ => self.collided.get(key).copied(),
        }
    }
}

fn key_hash(key: &FindingId) -> u64 {
    std::hash::BuildHasher::hash_one(&std::hash::BuildHasherDefault::<std::hash::DefaultHasher>::default(), key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, title: &str) -> Row {
        Row { key: FindingId::asff("arn:p", id), title: title.into(), account: "111122223333".into(), ..Row::default() }
    }

    #[test]
    fn rows_are_found_by_key_even_when_hashes_collide() {
        let mut s = RowStore::default();
        assert_eq!(s.push(row("a", "First")), 0);
        assert_eq!(s.push(row("b", "Second")), 1);
        assert_eq!(s.index_of(&FindingId::asff("arn:p", "b")), Some(1));
        assert_eq!(s.index_of(&FindingId::asff("arn:p", "zz")), None);
        // Pretend "c" hashes like "a": it must still be found, and "a" too.
        let c = FindingId::asff("arn:p", "c");
        s.by_hash.insert(key_hash(&c), 0);
        assert_eq!(s.push(row("c", "Third")), 2);
        assert_eq!(s.index_of(&c), Some(2));
        assert_eq!(s.index_of(&FindingId::asff("arn:p", "a")), Some(0));
        assert_eq!(s.push(row("b", "Again")), 3, "a key seen again names the newer row");
        assert_eq!(s.index_of(&FindingId::asff("arn:p", "b")), Some(3));
    }

    #[test]
    fn repeated_values_are_held_once() {
        let mut s = RowStore::default();
        s.push(row("a", "First"));
        s.push(row("b", "Second"));
        let (a, b) = (&s.all[0], &s.all[1]);
        assert!(a.account.same(&b.account) && a.region.same(&b.region) && a.product.same(&b.product));
        assert_eq!(a.account, "111122223333");
        assert!(!a.title.same(&b.title), "different values stay apart");
    }

    #[test]
    fn a_column_whose_values_do_not_repeat_stops_being_interned() {
        let mut i = Interner::default();
        for n in 0..PROBATION * 3 {
            i.intern(&mut Shared::from(format!("t{n}")));
        }
        assert_eq!(i.set.len(), PROBATION);
        let mut j = Interner::default();
        let (mut a, mut b) = (Shared::from("t7"), Shared::from("t7"));
        j.intern(&mut a);
        for n in 0..PROBATION * 3 {
            j.intern(&mut Shared::from(format!("t{}", n % 1_000)));
        }
        j.intern(&mut b);
        assert_eq!(j.set.len(), 1_000);
        assert!(a.same(&b), "values seen again keep the column interned");
    }

    #[test]
    fn each_row_has_its_folded_haystack() {
        let mut s = RowStore::default();
        s.push(row("a", "S3 Bucket"));
        s.push(row("b", "ÉCOLE"));
        assert_eq!(s.haystack(0).text, "s3 bucket\n\n\n111122223333\n\n");
        assert_eq!(s.haystack(1).text, "école\n\n\n111122223333\n\n");
        assert_eq!(s.haystack(2).text, "");
    }
}
