//! All rows of the current load, in load order, and what finds them fast: a row by its finding's
//! key, and the search columns the `/` filter reads (each distinct value folded once). Plain data with no transitions, so
//! the sort and the filter (`filter`) can read it without knowing the rest of the state.

use std::collections::{HashMap, HashSet};

use super::matcher::{self, Haystack, Sketch};
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
    recent: Recent<()>,
}

/// The values a column met lately, by where their copy is held: the listing already hands the
/// rows one copy of each repeated value (`model::summary::Values`), so a value is mostly the very
/// copy the column keeps, found here by its address without hashing or comparing its text (the
/// interning was 9% of a million rows' load). Only the column's own copies are put here, and a
/// column keeps every copy it took for as long as it lives (its set never drops one), so no other
/// value can be held at an address while it is here. A slot holds the address alone (0: empty),
/// not a clone: a clone put and the one it replaced dropped were two atomic counts per row and
/// column, on values (titles, resource ids) spread over the whole heap.
#[derive(Debug)]
struct Recent<T>(Vec<(usize, T)>);

impl<T> Default for Recent<T> {
    fn default() -> Self {
        Recent(Vec::new())
    }
}

/// Slots per column: the few hundred accounts, products, regions and controls of a large load.
const RECENT: usize = 1 << 10;

impl<T: Copy + Default> Recent<T> {
    fn slot(v: &Shared) -> usize {
        (v.addr().wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (usize::BITS - RECENT.trailing_zeros())) & (RECENT - 1)
    }

    /// What was kept with `v` if `v` is the copy kept.
    fn get(&self, v: &Shared) -> Option<T> {
        match self.0.get(Self::slot(v)) {
            Some(&(at, t)) if at == v.addr() => Some(t),
            _ => None,
        }
    }

    /// `one` is the column's own copy (see above).
    fn put(&mut self, one: &Shared, t: T) {
        if self.0.is_empty() {
            self.0.resize(RECENT, (0, T::default()));
        }
        if let Some(slot) = self.0.get_mut(Self::slot(one)) {
            *slot = (one.addr(), t);
        }
    }
}

const PROBATION: usize = 65_536;

/// The interners' hash (the rows' text values, `model::summary::WordHasher`).
pub(super) use crate::model::summary::WordHasher;

const MIN_REPEAT: usize = 10;

impl Interner {
    /// `v` as the one copy of its value.
    fn intern(&mut self, v: &mut Shared) {
        self.seen += 1;
        if self.recent.get(v).is_some() {
            self.found += 1;
            return;
        }
        match self.set.get(v.as_str()) {
            Some(one) => {
                if !one.same(v) {
                    *v = one.clone();
                }
                self.found += 1;
                self.recent.put(v, ());
            }
            None if self.set.len() < PROBATION || self.found * MIN_REPEAT >= self.seen => {
                self.set.insert(v.clone());
                self.recent.put(v, ());
            }
            None => {}
        }
    }
}

/// One search column's distinct values (`Row::search_fields`, one column each): every row holds
/// the id of its value, and each value is held once, as the rows' interned copy and folded to lower
/// case in one buffer with its word starts beside it. The `/` filter decides a term once per
/// distinct value (`columnar::search`) instead of once per row: at 1,000,000 generated rows the
/// titles hold about 340,000 values and the resource ids about 100,000, the other columns a few
/// hundred.
#[derive(Debug, Default)]
pub struct SearchColumn {
    ids: HashMap<Shared, u32, std::hash::BuildHasherDefault<WordHasher>>,
    /// The values folded (`matcher::fold`), one after another.
    folded: String,
    /// Where each value starts in `folded`, and one more: the end of the last.
    at: Vec<usize>,
    /// One bit per byte of `folded`: whether a word starts there, decided on the text as shown
    /// (which knows camel case).
    word_starts: Vec<u64>,
    /// Each value's sketch (`matcher::Sketch`), by id: what rules most values out of a term's
    /// search, 16 bytes a value.
    sketches: Vec<Sketch>,
    recent: Recent<u32>,
    /// Every copy's id by where the copy is held, as `Recent` keeps a few: a title or resource id
    /// met again is mostly not among the few, and this finds it without hashing its text and
    /// reading it back to compare (the listing hands the rows its one copy of each value; the
    /// titles and resource ids were most of the list's interning while a million rows load). An
    /// address is put here only for the column's own copy, which its `ids` keep: no other value can
    /// be held there. Emptied when a load ends (`RowStore::loaded`): ~11 MB at a million rows.
    by_addr: HashMap<usize, u32, std::hash::BuildHasherDefault<WordHasher>>,
}

impl SearchColumn {
    /// `v`'s id, `v` becoming the column's one copy of its value.
    fn intern(&mut self, v: &mut Shared) -> u32 {
        if let Some(id) = self.recent.get(v) {
            return id;
        }
        if let Some(&id) = self.by_addr.get(&v.addr()) {
            self.recent.put(v, id);
            return id;
        }
        if let Some((one, &id)) = self.ids.get_key_value(v.as_str()) {
            if !one.same(v) {
                *v = one.clone();
            }
            self.recent.put(v, id);
            self.by_addr.insert(v.addr(), id);
            return id;
        }
        if self.at.is_empty() {
            self.at.push(0);
        }
        let id = (self.at.len() - 1) as u32;
        let start = self.folded.len();
        matcher::mark_word_starts(v, start, &mut self.word_starts);
        matcher::fold_into(v, &mut self.folded);
        self.sketches.push(Sketch::of(self.folded.get(start..).unwrap_or_default()));
        self.at.push(self.folded.len());
        self.ids.insert(v.clone(), id);
        self.recent.put(v, id);
        self.by_addr.insert(v.addr(), id);
        id
    }

    /// The distinct values (as shown, not folded), by id.
    pub fn values(&self) -> Vec<&str> {
        let mut v = vec![""; self.len()];
        for (value, &id) in &self.ids {
            if let Some(at) = v.get_mut(id as usize) {
                *at = value.as_str();
            }
        }
        v
    }

    /// The distinct values by id, as the rows' own copies (for a thread that ranks them).
    pub fn shared_values(&self) -> Vec<Shared> {
        let mut v = vec![Shared::default(); self.len()];
        for (value, &id) in &self.ids {
            if let Some(at) = v.get_mut(id as usize) {
                *at = value.clone();
            }
        }
        v
    }

    /// How many distinct values.
    pub fn len(&self) -> usize {
        self.at.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values' sketches, by id.
    pub fn sketches(&self) -> &[Sketch] {
        &self.sketches
    }

    /// Value `id` folded, with its word starts (empty when there is no such value).
    pub fn haystack(&self, id: u32) -> Haystack<'_> {
        let id = id as usize;
        match (self.at.get(id), self.at.get(id + 1)) {
            (Some(&start), Some(&end)) => {
                Haystack::new(self.folded.get(start..end).unwrap_or(""), &self.word_starts, start)
            }
            _ => Haystack::new("", &[], 0),
        }
    }
}

/// How many search columns a row has (`Row::search_fields`).
pub const SEARCH_COLUMNS: usize = 6;

/// All rows, in load order. Indices into `all` (u32) are stable until the next reload.
#[derive(Debug, Default)]
pub struct RowStore {
    pub all: Vec<Row>,
    /// Finds a row by its key without a second copy of every key (about 200 bytes a row): the
    /// index maps a 32-bit hash of the key (9 bytes a slot, where a 64-bit one took 17: 16 MB at a
    /// million rows); a key whose hash another key already has goes to `collided` (about a hundred
    /// keys at a million).
    by_hash: HashMap<u32, u32, std::hash::BuildHasherDefault<WordHasher>>,
    collided: HashMap<FindingId, u32>,
    /// The search columns' distinct values (title, resource type, resource id, account, product,
    /// control id), and each row's value ids in them, by row: what the `/` filter reads. Edits never
    /// change the search fields.
    pub(super) search: [SearchColumn; SEARCH_COLUMNS],
    /// The ids are kept a vector per column: a term's search reads one column's ids one after
    /// another (4 bytes a row, where a row's six ids took 24).
    pub(super) codes: [Vec<u32>; SEARCH_COLUMNS],
    /// One copy of each region (the one shared column the filter does not search), and of each
    /// key's product ARN.
    regions: Interner,
    arns: Interner,
    generators: Interner,
    types: Interner,
    /// How many rows are OCSF findings: the list shows its format column only when there are some.
    pub ocsf_rows: usize,
    /// What one sort keeps for the next (`columnar::sort`).
    pub sort_keys: super::columnar::sort::SortKeys,
    /// The default order of the rows while they load (`columnar::sort::LoadOrder`).
    pub load_order: super::columnar::sort::LoadOrder,
}

impl RowStore {
    /// Shares `row`'s region and search fields with the rows holding the same values, and returns
    /// its value ids in the search columns.
    fn intern(&mut self, row: &mut Row) -> [u32; SEARCH_COLUMNS] {
        let RowStore { search, regions, arns, generators, types, .. } = self;
        intern_row(search, [regions, generators, types, arns], row)
    }

    pub fn push(&mut self, row: Row) -> u32 {
        let i = self.all.len();
        self.all.push(row);
        self.index(i);
        i as u32
    }

    /// Appends a load's chunk of rows, then shares and indexes each as `push` does; the index of the
    /// first. The chunk is moved whole: row by row, each row (~200 bytes) was moved out of the
    /// chunk and again into `all`, 14% of the UI thread's work while a million rows load.
    pub fn append(&mut self, rows: &mut Vec<Row>) -> usize {
        let start = self.all.len();
        self.all.append(rows);
        for i in start..self.all.len() {
            self.index(i);
        }
        start
    }

    /// Row `i` (the rows before it indexed, those after not yet): its values shared, its value ids
    /// kept, and found by its key.
    fn index(&mut self, i: usize) {
        let RowStore { all, search, regions, arns, generators, types, codes, by_hash, collided, ocsf_rows, .. } = self;
        let Some(row) = all.get_mut(i) else { return };
        let ids = intern_row(search, [regions, generators, types, arns], row);
        for (column, id) in codes.iter_mut().zip(ids) {
            column.push(id);
        }
        if row.ocsf.is_some() {
            *ocsf_rows += 1;
        }
        let h = key_hash(&row.key);
        let Some(row) = all.get(i) else { return };
        match by_hash.get(&h).and_then(|&j| all.get(j as usize)) {
            Some(other) if other.key != row.key => {
                collided.insert(row.key.clone(), i as u32);
            }
            // A key seen again now names the newer row, as a map insert would.
            _ => {
                by_hash.insert(h, i as u32);
            }
        }
    }

    /// Replaces row `i` by a newer summary of the same finding (a refresh's), keeping its index, so
    /// that marks and the cursor stay on it. Its search fields are interned like a pushed row's (a
    /// value no other row has stays among the column's distinct values: harmless, it matches no
    /// row's code).
    pub fn replace(&mut self, i: u32, mut row: Row) -> bool {
        let Some(old) = self.all.get(i as usize) else { return false };
        if old.key != row.key {
            return false;
        }
        let ocsf_before = old.ocsf.is_some();
        let codes = self.intern(&mut row);
        match (ocsf_before, row.ocsf.is_some()) {
            (false, true) => self.ocsf_rows += 1,
            (true, false) => self.ocsf_rows -= 1,
            _ => {}
        }
        if let Some(slot) = self.all.get_mut(i as usize) {
            *slot = row;
            for (column, code) in self.codes.iter_mut().zip(codes) {
                if let Some(c) = column.get_mut(i as usize) {
                    *c = code;
                }
            }
        }
        self.sort_keys.forget();
        self.load_order.clear();
        true
    }

    /// The load has ended: the search columns forget their copies' addresses (`SearchColumn::by_addr`),
    /// memory the list need not keep for the few values a refresh brings.
    pub fn loaded(&mut self) {
        for column in &mut self.search {
            column.by_addr = HashMap::default();
        }
    }

    /// Room for `n` more rows, when their number is known.
    pub fn reserve(&mut self, n: usize) {
        self.all.reserve(n);
        self.by_hash.reserve(n);
        for column in &mut self.codes {
            column.reserve(n);
        }
    }

    /// Row `i`'s search fields, folded, joined by `matcher::SEPARATOR` (what the filter matches a
    /// row against, one field at a time; empty when there is no row `i`).
    pub fn haystack_text(&self, i: u32) -> String {
        if i as usize >= self.coded_rows() {
            return String::new();
        }
        let fields: Vec<&str> =
            self.search.iter().enumerate().map(|(c, col)| col.haystack(self.code(i, c).unwrap_or(0)).text).collect();
        fields.join(&matcher::SEPARATOR.to_string())
    }

    /// The search columns, and how many bytes of folded text they hold in all (the bench's memory
    /// figures).
    pub fn search_bytes(&self) -> usize {
        self.search
            .iter()
            .map(|c| {
                c.folded.len()
                    + c.at.len() * 8
                    + c.word_starts.len() * 8
                    + c.sketches.len() * std::mem::size_of::<Sketch>()
            })
            .sum::<usize>()
            + self.codes.iter().map(|c| c.len() * 4).sum::<usize>()
    }

    /// Row `i`'s value id in search column `c`.
    pub(super) fn code(&self, i: u32, c: usize) -> Option<u32> {
        self.codes.get(c)?.get(i as usize).copied()
    }

    /// How many rows have their value ids: all of them.
    pub(super) fn coded_rows(&self) -> usize {
        self.codes.first().map_or(0, Vec::len)
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

/// Shares `row`'s region, generator, types, product ARN (`interners`, in that order) and search
/// fields with the rows holding the same values, and returns its value ids in the search columns.
fn intern_row(
    search: &mut [SearchColumn; SEARCH_COLUMNS],
    interners: [&mut Interner; 4],
    row: &mut Row,
) -> [u32; SEARCH_COLUMNS] {
    let [regions, generators, types, arns] = interners;
    regions.intern(&mut row.region);
    generators.intern(&mut row.generator);
    types.intern(&mut row.types);
    if let FindingId::Asff(k) = &mut row.key {
        arns.intern(&mut k.product_arn);
    }
    let fields = [
        &mut row.title,
        &mut row.resource_type,
        &mut row.resource_id,
        &mut row.account,
        &mut row.product,
        &mut row.control_id,
    ];
    let mut codes = [0u32; SEARCH_COLUMNS];
    for ((column, v), code) in search.iter_mut().zip(fields).zip(&mut codes) {
        *code = column.intern(v);
    }
    codes
}

fn key_hash(key: &FindingId) -> u32 {
    let h = std::hash::BuildHasher::hash_one(&std::hash::BuildHasherDefault::<WordHasher>::default(), key);
    (h ^ (h >> 32)) as u32
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
        let arn = |r: &Row| match &r.key {
            FindingId::Asff(k) => k.product_arn.clone(),
            FindingId::Ocsf(_) => unreachable!(),
        };
        assert!(arn(a).same(&arn(b)), "the key's product ARN too");
        assert_eq!(a.account, "111122223333");
        assert!(!a.title.same(&b.title), "different values stay apart");
    }

    /// A value met as the column's own copy is found by where it is held; another copy of the same
    /// text is still found by its text, and takes the column's copy.
    #[test]
    fn a_value_is_the_same_whether_met_as_the_kept_copy_or_another() {
        let mut c = SearchColumn::default();
        let mut a = Shared::from("Finding");
        let kept = a.clone();
        assert_eq!(c.intern(&mut a), 0);
        assert_eq!(c.intern(&mut a.clone()), 0);
        let mut other = Shared::from("Finding");
        assert!(!other.same(&kept));
        assert_eq!(c.intern(&mut other), 0);
        assert!(other.same(&kept));
        let mut b = Shared::from("Other");
        assert_eq!(c.intern(&mut b), 1);
        assert_eq!(c.intern(&mut b), 1);
        assert_eq!(c.values(), ["Finding", "Other"]);
        let mut i = Interner::default();
        let (mut x, mut y) = (Shared::from("eu-west-1"), Shared::from("eu-west-1"));
        i.intern(&mut x);
        i.intern(&mut x.clone());
        i.intern(&mut y);
        assert!(x.same(&y));
        assert_eq!((i.seen, i.found), (3, 2));
    }

    /// Past the few addresses `Recent` holds, every kept copy is found by where it is held while a
    /// load goes on; once it has ended (`loaded`), by its text as before, with the same ids.
    #[test]
    fn every_kept_copy_is_found_by_its_address_until_the_load_ends() {
        let mut s = RowStore::default();
        let titles: Vec<Shared> = (0..5 * RECENT).map(|n| Shared::from(format!("title {n}"))).collect();
        for (n, t) in titles.iter().enumerate() {
            s.push(Row { title: t.clone(), ..row(&n.to_string(), "") });
        }
        let column = &mut s.search[0];
        assert_eq!(column.by_addr.len(), 5 * RECENT);
        for (n, t) in titles.iter().enumerate() {
            assert_eq!(column.by_addr.get(&t.addr()), Some(&(n as u32)));
            assert_eq!(column.intern(&mut t.clone()), n as u32);
        }
        let mut other = Shared::from("title 7");
        assert_eq!(column.intern(&mut other), 7);
        assert!(other.same(&titles[7]), "another copy takes the kept one");
        s.loaded();
        assert!(s.search.iter().all(|c| c.by_addr.is_empty()));
        let column = &mut s.search[0];
        let mut other = Shared::from("title 4000");
        assert_eq!(column.intern(&mut other), 4000);
        assert!(other.same(&titles[4000]));
        assert_eq!(column.intern(&mut titles[4001].clone()), 4001);
        assert_eq!(column.len(), 5 * RECENT);
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
        assert_eq!(s.haystack_text(0), "s3 bucket\n\n\n111122223333\n\n");
        assert_eq!(s.haystack_text(1), "école\n\n\n111122223333\n\n");
        assert_eq!(s.haystack_text(2), "");
    }
}
