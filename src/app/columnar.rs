//! The `:` structured query answered over the rows' columns, without a document per row: which
//! rows a parsed `Filters` matches, with exactly the engine's semantics (`model::filter`), and the
//! set of matched rows the view narrows by.
//!
//! Each filtered field becomes one test over one column. Where a column holds few distinct values
//! (the enum columns, account, region, product, product ARN, control id, confidence, criticality),
//! the field's filters are decided once per distinct value by the engine's own evaluator, on the
//! probe document of a row holding only that value (`FindingSummary::probe_doc`), and rows only look
//! their value's answer up: the semantics are the engine's by construction. Where nearly every row
//! has its own value (title, id, updated time) the comparison runs on the row's text directly, with
//! the rules of `model::filter` restated below; a differential test (`columnar/tests.rs`) checks
//! every field against the engine on generated findings. A field this module does not know is
//! decided by the engine on each row's probe document, as before.

use std::collections::HashMap;
use std::hash::Hash;

use time::OffsetDateTime;

use super::row::Row;
use crate::model::enums::{ComplianceStatus, RecordState, SeverityLabel, VerificationState, WorkflowStatus};
use crate::model::filter::{
    DateFilter, DateRangeComparison, FieldDef, FilterList, Filters, StringComparison, StringFilter,
};
use crate::model::timestamp;

/// A set of row indices, one bit per row.
#[derive(Debug, Clone, Default)]
pub struct RowSet {
    bits: Vec<u64>,
    count: usize,
}

/// The same rows, however many words either holds.
impl PartialEq for RowSet {
    fn eq(&self, other: &RowSet) -> bool {
        let (short, long) = if self.bits.len() <= other.bits.len() { (self, other) } else { (other, self) };
        self.count == other.count
            && short.bits.iter().zip(&long.bits).all(|(a, b)| a == b)
            && long.bits[short.bits.len()..].iter().all(|w| *w == 0)
    }
}

impl Eq for RowSet {}

impl RowSet {
    pub fn from_indices(indices: impl IntoIterator<Item = u32>) -> RowSet {
        let mut s = RowSet::default();
        for i in indices {
            s.insert(i);
        }
        s
    }

    pub fn insert(&mut self, i: u32) {
        let (w, b) = (i as usize / 64, i % 64);
        if self.bits.len() <= w {
            self.bits.resize(w + 1, 0);
        }
        if self.bits[w] & (1 << b) == 0 {
            self.bits[w] |= 1 << b;
            self.count += 1;
        }
    }

    pub fn contains(&self, i: u32) -> bool {
        self.bits.get(i as usize / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// The rows of `rows` that `filters` matches, `now` being the reference for `DateRange`s.
pub fn matching(rows: &[Row], filters: &Filters, now: OffsetDateTime) -> RowSet {
    let mut tests: Vec<Test<'_>> = filters.iter().map(|(def, list)| Test::new(def, list, now)).collect();
    // The cheapest tests first: a row failing one is not looked at again.
    tests.sort_by_key(Test::cost);
    let mut set = RowSet { bits: vec![0; rows.len().div_ceil(64)], count: 0 };
    for (i, r) in rows.iter().enumerate() {
        if tests.iter_mut().all(|t| t.matches(r)) {
            set.bits[i / 64] |= 1 << (i % 64);
            set.count += 1;
        }
    }
    set
}

/// Answers per distinct value, asked of the engine the first time a value is met.
struct Memo<K> {
    single: Filters,
    now: OffsetDateTime,
    answers: HashMap<K, bool>,
    /// A row holding only `K`, whose probe document the engine reads.
    row_of: fn(&K) -> Row,
}

impl<K: Hash + Eq + Clone> Memo<K> {
    fn new(single: &Filters, now: OffsetDateTime, row_of: fn(&K) -> Row) -> Memo<K> {
        Memo { single: single.clone(), now, answers: HashMap::new(), row_of }
    }

    fn get(&mut self, k: &K) -> bool {
        if let Some(&a) = self.answers.get(k) {
            return a;
        }
        let a = self.single.matches(&(self.row_of)(k).probe_doc(), self.now);
        self.answers.insert(k.clone(), a);
        a
    }
}

/// One field's filters as a test over one column.
enum Test<'a> {
    /// Indexed by an enum column's value (`code`): the engine's answer for each.
    Table {
        table: [bool; 8],
        code: fn(&Row) -> usize,
    },
    Text {
        memo: Memo<&'a str>,
        value: fn(&'a Row) -> &'a str,
    },
    Number {
        memo: Memo<Option<i64>>,
        value: fn(&Row) -> Option<i64>,
    },
    /// Compared on the row's own text (a present string value, never absent).
    Strings {
        list: &'a [StringFilter],
        value: fn(&'a Row) -> &'a str,
    },
    Dates {
        bounds: Vec<Bounds>,
        value: fn(&Row) -> Option<time::OffsetDateTime>,
    },
    /// A field not known here: the engine on the row's probe document.
    Probe {
        single: Filters,
        now: OffsetDateTime,
    },
}

impl<'a> Test<'a> {
    fn new(def: &'static FieldDef, list: &'a FilterList, now: OffsetDateTime) -> Test<'a> {
        let mut single = Filters::new();
        // The list was accepted on this field already, so it is accepted again; if it were not, the
        // probe test below still decides with the whole query's meaning of an empty filter.
        let accepted = single.push(def.name, list.clone()).is_ok();
        match (def.name, list) {
            _ if !accepted => Test::Probe { single, now },
            ("SeverityLabel", _) => {
                Test::table(&single, now, &enum_rows(|v| Row { severity: v, ..Row::default() }), |r| {
                    r.severity.map_or(0, |v| v as usize + 1)
                })
            }
            ("WorkflowStatus", _) => {
                Test::table(&single, now, &enum_rows(|v| Row { workflow: v, ..Row::default() }), |r| {
                    r.workflow.map_or(0, |v| v as usize + 1)
                })
            }
            ("RecordState", _) => {
                Test::table(&single, now, &enum_rows(|v| Row { record_state: v, ..Row::default() }), |r| {
                    r.record_state.map_or(0, |v| v as usize + 1)
                })
            }
            ("VerificationState", _) => {
                Test::table(&single, now, &enum_rows(|v| Row { verification: v, ..Row::default() }), |r| {
                    r.verification.map_or(0, |v| v as usize + 1)
                })
            }
            ("ComplianceStatus", _) => {
                Test::table(&single, now, &enum_rows(|v| Row { compliance: v, ..Row::default() }), |r| {
                    r.compliance.map_or(0, |v| v as usize + 1)
                })
            }
            ("AwsAccountId", _) => Test::Text {
                memo: Memo::new(&single, now, |v: &&str| Row { account: (*v).into(), ..Row::default() }),
                value: |r| &r.account,
            },
            ("Region", _) => Test::Text {
                memo: Memo::new(&single, now, |v: &&str| Row { region: (*v).into(), ..Row::default() }),
                value: |r| &r.region,
            },
            ("ProductName", _) => Test::Text {
                memo: Memo::new(&single, now, |v: &&str| Row { product: (*v).into(), ..Row::default() }),
                value: |r| &r.product,
            },
            ("ControlId", _) => Test::Text {
                memo: Memo::new(&single, now, |v: &&str| Row { control_id: (*v).into(), ..Row::default() }),
                value: |r| &r.control_id,
            },
            ("ProductArn", _) => Test::Text {
                memo: Memo::new(&single, now, |v: &&str| Row {
                    key: crate::model::finding::FindingId::asff(*v, ""),
                    ..Row::default()
                }),
                value: |r| r.key.scope(),
            },
            ("Confidence", _) => Test::Number {
                memo: Memo::new(&single, now, |v: &Option<i64>| Row { confidence: *v, ..Row::default() }),
                value: |r| r.confidence,
            },
            ("Criticality", _) => Test::Number {
                memo: Memo::new(&single, now, |v: &Option<i64>| Row { criticality: *v, ..Row::default() }),
                value: |r| r.criticality,
            },
            ("Title", FilterList::String(list)) => Test::Strings { list, value: |r| &r.title },
            ("Id", FilterList::String(list)) => Test::Strings { list, value: |r| r.key.display_id() },
            ("UpdatedAt", FilterList::Date(list)) => match list.iter().map(|f| Bounds::new(f, now)).collect() {
                Some(bounds) => Test::Dates { bounds, value: Row::updated_time },
                None => Test::Probe { single, now },
            },
            _ => Test::Probe { single, now },
        }
    }

    /// The engine's answer for each value of an enum column: `rows[c]` holds the value of code `c`.
    fn table(single: &Filters, now: OffsetDateTime, rows: &[Row], code: fn(&Row) -> usize) -> Test<'a> {
        let mut table = [false; 8];
        for r in rows {
            if let Some(t) = table.get_mut(code(r)) {
                *t = single.matches(&r.probe_doc(), now);
            }
        }
        Test::Table { table, code }
    }

    fn cost(&self) -> u8 {
        match self {
            Test::Table { .. } => 0,
            Test::Number { .. } => 1,
            Test::Text { .. } => 2,
            Test::Strings { .. } => 3,
            Test::Dates { .. } => 4,
            Test::Probe { .. } => 5,
        }
    }

    fn matches(&mut self, r: &'a Row) -> bool {
        match self {
            Test::Table { table, code } => table.get(code(r)).copied().unwrap_or(false),
            Test::Text { memo, value } => memo.get(&value(r)),
            Test::Number { memo, value } => memo.get(&value(r)),
            Test::Strings { list, value } => strings_match(list, value(r)),
            Test::Dates { bounds, value } => value(r).is_some_and(|t| bounds.iter().any(|b| b.contains(t))),
            Test::Probe { single, now } => single.matches(&r.probe_doc(), *now),
        }
    }
}

/// A row of each value of an enum column, and one without: `make(None)`, then `make(Some(v))` for
/// every value.
fn enum_rows<E: Copy + EnumAll>(make: impl Fn(Option<E>) -> Row) -> Vec<Row> {
    std::iter::once(None).chain(E::all().iter().copied().map(Some)).map(make).collect()
}

trait EnumAll: Sized + 'static {
    fn all() -> &'static [Self];
}

macro_rules! enum_all {
    ($($t:ty),*) => {$(
        impl EnumAll for $t {
            fn all() -> &'static [Self] {
                <$t>::ALL
            }
        }
    )*};
}
enum_all!(SeverityLabel, WorkflowStatus, RecordState, VerificationState, ComplianceStatus);

/// A string field's filters on a present value (model::filter): the positive comparisons ORed (none
/// passes every value), then any negative one that hits removes the row.
fn strings_match(list: &[StringFilter], s: &str) -> bool {
    let mut has_pos = false;
    let mut pos_hit = false;
    for f in list {
        if f.comparison.is_negative() {
            if string_test(f, s) {
                return false;
            }
        } else {
            has_pos = true;
            pos_hit = pos_hit || string_test(f, s);
        }
    }
    !has_pos || pos_hit
}

/// StringFilter.Comparison, case-sensitive: EQUALS, PREFIX, CONTAINS and their negations compare the
/// same way; CONTAINS_WORD wants no letter or digit right before or after the value.
fn string_test(f: &StringFilter, s: &str) -> bool {
    let v = f.value.as_str();
    match f.comparison {
        StringComparison::Equals | StringComparison::NotEquals => s == v,
        StringComparison::Prefix | StringComparison::PrefixNotEquals => s.starts_with(v),
        StringComparison::Contains | StringComparison::NotContains => s.contains(v),
        StringComparison::ContainsWord => s.match_indices(v).any(|(i, _)| {
            let before = s[..i].chars().next_back();
            let after = s[i + v.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        }),
    }
}

/// One `DateFilter` as an inclusive window (DateRange: WITHIN the last N days up to now; OLDER_THAN
/// before that); `None` bounds are open.
struct Bounds {
    start: Option<OffsetDateTime>,
    end: Option<OffsetDateTime>,
    /// OLDER_THAN with no representable cutoff matches nothing.
    never: bool,
    /// The upper bound is exclusive (OLDER_THAN).
    end_exclusive: bool,
}

impl Bounds {
    /// `None` when a bound does not parse (the engine would have refused the filter).
    fn new(f: &DateFilter, now: OffsetDateTime) -> Option<Bounds> {
        if let Some(r) = &f.date_range {
            let cutoff = r.cutoff(now);
            return Some(match r.comparison {
                DateRangeComparison::Within => {
                    Bounds { start: cutoff, end: Some(now), never: false, end_exclusive: false }
                }
                DateRangeComparison::OlderThan => {
                    Bounds { start: None, end: cutoff, never: cutoff.is_none(), end_exclusive: true }
                }
            });
        }
        let parse = |s: &Option<String>| match s {
            None => Some(None),
            Some(s) => timestamp::parse(s).map(Some),
        };
        Some(Bounds { start: parse(&f.start)?, end: parse(&f.end)?, never: false, end_exclusive: false })
    }

    fn contains(&self, t: OffsetDateTime) -> bool {
        !self.never
            && self.start.is_none_or(|s| t >= s)
            && self.end.is_none_or(|e| if self.end_exclusive { t < e } else { t <= e })
    }
}

pub mod search;
pub mod sort;

#[cfg(test)]
mod tests;
