//! Ordering and narrowing the rows: the sort, the `/` live fuzzy filter and the in-memory side of
//! the `:` structured query.
//!
//! The live filter decides each row with `matcher` (terms as substrings or word pieces of one field)
//! and is incremental: when the new pattern extends the previous one, only the previous matches are
//! matched again, so each keystroke after the first scans fewer rows; backspace returns to a kept
//! earlier result. Rows keep the list's sort order (a filter narrows; it does not re-rank), which is
//! what makes reuse possible.

use std::cmp::Ordering;
use std::sync::Arc;

use super::columnar::search::{self, Matched, TermMatches};
use super::matcher::{self, Pattern};
use super::row::Row;
use super::rows::RowStore;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortColumn {
    #[default]
    Severity,
    Status,
    Title,
    Resource,
    Account,
    Region,
    Product,
    Updated,
    Control,
}

impl SortColumn {
    pub const ALL: [SortColumn; 9] = [
        SortColumn::Severity,
        SortColumn::Status,
        SortColumn::Title,
        SortColumn::Resource,
        SortColumn::Account,
        SortColumn::Region,
        SortColumn::Product,
        SortColumn::Updated,
        SortColumn::Control,
    ];

    /// The finding field this column orders by. Its name and the words that select it are that
    /// field's in the field registry (`model::filter::fields`).
    pub fn field(self) -> &'static crate::model::filter::FieldDef {
        use crate::model::filter::fields::named;
        match self {
            SortColumn::Severity => const { named("SeverityLabel") },
            SortColumn::Status => const { named("WorkflowStatus") },
            SortColumn::Title => const { named("Title") },
            SortColumn::Resource => const { named("ResourceType") },
            SortColumn::Account => const { named("AwsAccountId") },
            SortColumn::Region => const { named("Region") },
            SortColumn::Product => const { named("ProductName") },
            SortColumn::Updated => const { named("UpdatedAt") },
            SortColumn::Control => const { named("ComplianceSecurityControlId") },
        }
    }

    pub fn name(self) -> &'static str {
        self.field().workbench_sort.map_or("", |n| n.name)
    }

    pub fn parse(s: &str) -> Option<SortColumn> {
        let field = crate::model::filter::fields::workbench_sort(s)?;
        SortColumn::ALL.iter().copied().find(|c| c.field().name == field.name)
    }

    pub fn next(self) -> SortColumn {
        let i = SortColumn::ALL.iter().position(|c| *c == self).unwrap_or(0);
        SortColumn::ALL[(i + 1) % SortColumn::ALL.len()]
    }

    fn compare(self, a: &Row, b: &Row) -> Ordering {
        match self {
            SortColumn::Severity => a.severity.cmp(&b.severity),
            SortColumn::Status => a.workflow.cmp(&b.workflow),
            SortColumn::Title => a.title.cmp(&b.title),
            SortColumn::Resource => (&a.resource_type, &a.resource_id).cmp(&(&b.resource_type, &b.resource_id)),
            SortColumn::Account => a.account.cmp(&b.account),
            SortColumn::Region => a.region.cmp(&b.region),
            SortColumn::Product => a.product.cmp(&b.product),
            SortColumn::Updated => a.updated_ns.cmp(&b.updated_ns),
            SortColumn::Control => a.control_id.cmp(&b.control_id),
        }
    }
}

/// Sort column and direction; ties fall back to most recently updated first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortSpec {
    pub column: SortColumn,
    pub descending: bool,
}

impl Default for SortSpec {
    fn default() -> Self {
        SortSpec { column: SortColumn::Severity, descending: true }
    }
}

impl SortSpec {
    pub fn compare(&self, a: &Row, b: &Row) -> Ordering {
        let o = self.column.compare(a, b);
        let o = if self.descending { o.reverse() } else { o };
        o.then_with(|| b.updated_ns.cmp(&a.updated_ns))
    }
}

/// Every row index, sorted: in `SortSpec::compare`'s order under a stable sort, computed over small
/// integer keys (`columnar::sort`).
pub fn sorted(rows: &RowStore, spec: SortSpec) -> Vec<u32> {
    super::columnar::sort::sorted_store(rows, spec)
}

/// How many successively longer patterns keep their results for backspace.
const MAX_LEVELS: usize = 32;

/// The live filter, and the results of the patterns typed on the way to the current one.
#[derive(Debug, Default)]
pub struct LiveFilter {
    pub pattern: String,
    /// Each level's pattern extends the one below it and its matches are a subset of them: typing
    /// pushes a level computed from the top one, backspace pops back to a kept result.
    levels: Vec<Level>,
    /// Set when the rows under the filter changed, so the kept results no longer apply.
    stale: bool,
    /// Candidates from which a second thread helps (`PARALLEL_MIN` when unset): tests lower it to
    /// take the load-order way with few rows.
    parallel_min: Option<usize>,
}

#[derive(Debug)]
struct Level {
    /// The pattern folded to lower case, its terms joined by single spaces.
    key: String,
    matches: Vec<u32>,
    /// The same rows as a bit per row, when known (`search::Matched::bits`).
    bits: Option<Vec<u64>>,
    /// Each term's matches among the search columns' values, for the next level to reuse or narrow.
    terms: Vec<Arc<TermMatches>>,
}

impl LiveFilter {
    /// The rows under the filter changed (reload, sort, query).
    pub fn invalidate(&mut self) {
        self.stale = true;
    }

    /// The rows of `base` (in order: a filter narrows, it does not re-rank) that match the pattern.
    pub fn apply(&mut self, rows: &RowStore, base: &[u32]) -> Vec<u32> {
        if std::mem::take(&mut self.stale) {
            self.levels.clear();
        }
        let folded = matcher::fold(&self.pattern);
        let key = folded.split_whitespace().collect::<Vec<_>>().join(" ");
        if key.is_empty() {
            self.levels.clear();
            return base.to_vec();
        }
        // A key extending another has every term equal or longer and maybe more terms, so it
        // matches a subset (the predicate is monotone, see `matcher`).
        while self.levels.last().is_some_and(|l| !key.starts_with(&l.key)) {
            self.levels.pop();
        }
        if let Some(top) = self.levels.last().filter(|l| l.key == key) {
            return top.matches.clone();
        }
        let pattern = Pattern::new(&key);
        let top = self.levels.last();
        // A term the previous pattern had is reused; one it extends (the last term typed on) is
        // decided among the values the shorter term matched.
        let terms: Vec<Arc<TermMatches>> = pattern
            .terms()
            .iter()
            .enumerate()
            .map(|(n, t)| {
                let before = top.and_then(|l| l.terms.get(n));
                match before {
                    Some(b) if b.term == t.text() => b.clone(),
                    Some(b) if t.text().starts_with(b.term.as_str()) => search::term_matches(rows, t, Some(b)),
                    _ => search::term_matches(rows, t, None),
                }
            })
            .collect();
        let candidates = top.map_or(base, |l| &l.matches);
        // The candidates matched every term of the level below, so a term matching the same values
        // as the one it extends or repeats (`public` after `publi`) removes none of them.
        let changed: Vec<Arc<TermMatches>> = match top {
            None => terms.clone(),
            Some(l) => terms
                .iter()
                .enumerate()
                .filter(|&(n, t)| l.terms.get(n).is_none_or(|b| !Arc::ptr_eq(b, t) && !b.same_values(t)))
                .map(|(_, t)| t.clone())
                .collect(),
        };
        let known = top.and_then(|l| l.bits.as_deref());
        let Matched { rows: matches, bits } = match changed.is_empty() {
            true => Matched { rows: candidates.to_vec(), bits: known.map(<[u64]>::to_vec) },
            false => {
                search::rows_matching(rows, &changed, candidates, known, self.parallel_min.unwrap_or(PARALLEL_MIN))
            }
        };
        if self.levels.len() == MAX_LEVELS {
            self.levels.remove(0);
        }
        self.levels.push(Level { key, matches: matches.clone(), bits, terms });
        matches
    }
}

/// Candidates below which one thread decides them all: a second thread costs ~50 µs to start, and a
/// pass over 100,000 rows takes a few milliseconds.
const PARALLEL_MIN: usize = 65_536;

/// The candidates whose row `pattern` matches, in their order (`columnar::search`).
#[cfg(test)]
fn matching(rows: &RowStore, pattern: &Pattern, candidates: &[u32], parallel_min: usize) -> Vec<u32> {
    let terms: Vec<Arc<TermMatches>> = pattern.terms().iter().map(|t| search::term_matches(rows, t, None)).collect();
    search::rows_matching(rows, &terms, candidates, None, parallel_min).rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::enums::SeverityLabel;
    use crate::model::finding::FindingId;

    fn rows(titles: &[(&str, SeverityLabel, i64)]) -> RowStore {
        let mut s = RowStore::default();
        for (i, (t, sev, upd)) in titles.iter().enumerate() {
            let r = Row {
                key: FindingId::asff("arn:p", format!("f{i}")),
                title: (*t).into(),
                severity: Some(*sev),
                updated_ns: *upd,
                ..Row::default()
            };
            s.push(r);
        }
        s
    }

    #[test]
    fn sorts_by_column_with_recent_first_on_ties() {
        let s = rows(&[("b", SeverityLabel::Low, 1), ("a", SeverityLabel::High, 1), ("c", SeverityLabel::High, 5)]);
        assert_eq!(sorted(&s, SortSpec::default()), vec![2, 1, 0]);
        assert_eq!(sorted(&s, SortSpec { column: SortColumn::Title, descending: false }), vec![1, 0, 2]);
        assert_eq!(SortColumn::parse("SEV"), Some(SortColumn::Severity));
        assert_eq!(SortColumn::Control.next(), SortColumn::Severity);
    }

    #[test]
    fn live_filter_narrows_incrementally_and_widens_again() {
        let s = rows(&[
            ("S3 bucket public read", SeverityLabel::High, 1),
            ("Security group open", SeverityLabel::High, 1),
            ("IAM root key", SeverityLabel::Low, 1),
        ]);
        let base: Vec<u32> = vec![0, 1, 2];
        let mut f = LiveFilter { pattern: "s".into(), ..LiveFilter::default() };
        assert_eq!(f.apply(&s, &base), vec![0, 1]);
        f.pattern = "s3".into();
        assert_eq!(f.apply(&s, &base), vec![0]);
        f.pattern = "s3 ".into();
        assert_eq!(f.apply(&s, &base), vec![0]);
        assert_eq!(f.levels.len(), 2, "a trailing space is the same pattern");
        f.pattern = "s".into();
        assert_eq!(f.apply(&s, &base), vec![0, 1], "backspace returns to the kept result");
        assert_eq!(f.levels.len(), 1);
        f.pattern = "ROOT key".into();
        assert_eq!(f.apply(&s, &base), vec![2], "case-insensitive, terms ANDed");
        f.pattern = "sb".into();
        assert!(f.apply(&s, &base).is_empty(), "letters scattered over two words do not match");
        f.pattern = String::new();
        assert_eq!(f.apply(&s, &base), base);
        f.pattern = "s".into();
        assert_eq!(f.apply(&s, &[1, 2]), vec![1], "after invalidate the base is used again");
        f.invalidate();
        assert_eq!(f.apply(&s, &[0, 2]), vec![0]);
    }

    /// The demo dataset's rows, sorted as the list shows them.
    fn demo() -> (RowStore, Vec<u32>) {
        let mut s = RowStore::default();
        for d in crate::generate::demo_dataset() {
            s.push(Row::from_asff(&d));
        }
        let order = sorted(&s, SortSpec::default());
        (s, order)
    }

    fn filter(s: &RowStore, base: &[u32], pattern: &str) -> Vec<u32> {
        LiveFilter { pattern: pattern.into(), ..LiveFilter::default() }.apply(s, base)
    }

    fn in_some_field(r: &Row, text: &str) -> bool {
        r.search_fields().iter().any(|f| f.to_lowercase().contains(text))
    }

    #[test]
    fn a_short_term_matches_exactly_the_rows_that_contain_it() {
        let (s, order) = demo();
        for term in ["rds", "s3", "iam", "ec2", "kms", "guardduty", "public", "root"] {
            let got = filter(&s, &order, term);
            let want: Vec<u32> = order.iter().copied().filter(|&i| in_some_field(&s.all[i as usize], term)).collect();
            assert_eq!(got, want, "/{term}");
            assert!(!got.is_empty() && got.len() < s.all.len() / 2, "/{term}: {} of {}", got.len(), s.all.len());
        }
        let upper = filter(&s, &order, "RDS");
        assert_eq!(upper, filter(&s, &order, "rds"), "case-insensitive");
    }

    #[test]
    fn a_pass_split_between_threads_finds_what_one_thread_finds_in_the_same_order() {
        let (s, order) = demo();
        for p in ["rds", "s3 pub", "i-0", "pubacc", "zzzz", "e"] {
            let pattern = Pattern::new(p);
            let one = matching(&s, &pattern, &order, usize::MAX);
            assert_eq!(matching(&s, &pattern, &order, 1), one, "/{p}");
            assert_eq!(matching(&s, &pattern, &order[..3], 1), matching(&s, &pattern, &order[..3], usize::MAX));
        }
        assert!(matching(&s, &Pattern::new("s3"), &[], 1).is_empty());
    }

    #[test]
    fn an_instance_id_finds_the_instance() {
        let (s, order) = demo();
        let i = order.iter().copied().find(|&i| s.all[i as usize].short_resource().starts_with("i-")).unwrap();
        let id = s.all[i as usize].short_resource().to_string();
        let found = filter(&s, &order, &id[..6]);
        assert!(found.contains(&i), "/{}", &id[..6]);
        assert!(found.iter().all(|&j| in_some_field(&s.all[j as usize], &id[..6])));
        assert_eq!(
            filter(&s, &order, &id),
            order.iter().copied().filter(|&j| in_some_field(&s.all[j as usize], &id)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn word_pieces_match_within_one_field_and_scattered_letters_do_not() {
        let (s, order) = demo();
        let rds_public = filter(&s, &order, "rdsdbi pubacc");
        assert!(!rds_public.is_empty());
        for &i in &rds_public {
            let r = &s.all[i as usize];
            let (title, resource) = (r.title.to_lowercase(), r.resource_type.to_lowercase());
            assert!(title.contains("rds db i") || resource.contains("rdsdbi"), "{r:?}");
            assert!(title.contains("public acc") || title.contains("publicly acc"), "{r:?}");
        }
        // Letters of "Ensure hardware MFA is enabled for the root account", in order, scattered.
        for scattered in ["nsrhw", "hrdwmf", "eurdr", "srhdw"] {
            assert!(filter(&s, &order, scattered).is_empty(), "/{scattered}");
        }
        // Never across fields: "pub" ends no title next to an "aws" resource type in one field.
        let mut one = RowStore::default();
        one.push(Row {
            title: "S3 bucket public read".into(),
            resource_type: "AwsS3Bucket".into(),
            account: "111122223333".into(),
            ..Row::default()
        });
        assert_eq!(filter(&one, &[0], "pubaws"), Vec::<u32>::new());
        assert_eq!(filter(&one, &[0], "read aws"), vec![0], "each term in its own field");
        assert_eq!(filter(&one, &[0], "3333"), vec![0]);
        assert_eq!(filter(&one, &[0], "readaws"), Vec::<u32>::new());
    }

    #[test]
    fn typing_and_backspacing_give_what_a_fresh_pass_gives() {
        let (s, order) = demo();
        // Candidate by candidate, and by row bits kept from the keystroke before.
        for parallel_min in [None, Some(1)] {
            let mut f = LiveFilter { parallel_min, ..LiveFilter::default() };
            let typed = ["pubacc", "rdsdbi", "s3 pub", "i-", "guardd"];
            for p in typed {
                let mut steps: Vec<String> = (1..=p.len()).map(|n| p[..n].to_string()).collect();
                steps.extend((1..p.len()).rev().map(|n| p[..n].to_string()));
                for step in steps {
                    f.pattern = step.clone();
                    assert_eq!(f.apply(&s, &order), filter(&s, &order, &step), "/{step} after /{p}");
                }
            }
        }
    }
}

#[cfg(test)]
mod differential {
    use super::*;
    use crate::app::matcher::{self, Haystack};
    use crate::model::finding::FindingId;

    /// Row `i`'s fields joined as the filter once held them, one haystack per row, and the
    /// predicate on it: the brute force the value-wise filter must equal.
    fn brute(rows: &RowStore, pattern: &str, candidates: &[u32]) -> Vec<u32> {
        let p = Pattern::new(pattern);
        candidates
            .iter()
            .copied()
            .filter(|&i| {
                let (mut text, mut starts) = (String::new(), Vec::new());
                for (n, f) in rows.all[i as usize].search_fields().iter().enumerate() {
                    if n > 0 {
                        text.push(matcher::SEPARATOR);
                    }
                    matcher::mark_word_starts(f, text.len(), &mut starts);
                    matcher::fold_into(f, &mut text);
                }
                p.matches(&Haystack::new(&text, &starts, 0))
            })
            .collect()
    }

    struct Rng(u64);
    impl Rng {
        fn next(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
        fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
            from[self.next(from.len())]
        }
    }

    const WORDS: &[&str] = &[
        "S3",
        "bucket",
        "Public",
        "publicly",
        "access",
        "RDS",
        "DB",
        "Instances",
        "AwsRdsDbInstance",
        "ÉCOLE",
        "Straße",
        "İstanbul",
        "école",
        "i-0abc12",
        "EC2.19",
        "arn:aws:s3:::prod-logs",
        "IAM",
        "root",
        "pub",
        "acc",
        "x",
        "Ωmega",
        "ÅSA",
        "guardDuty",
        "KMS",
        "key-rotation",
        "1111",
        "2222",
        "3333",
    ];

    fn field(rng: &mut Rng) -> String {
        let n = rng.next(4);
        let seps = [" ", "-", "/", "", ".", ":"];
        (0..n).map(|_| format!("{}{}", rng.pick(WORDS), rng.pick(&seps))).collect()
    }

    #[test]
    fn the_value_wise_filter_equals_the_predicate_on_every_row() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut s = RowStore::default();
        for i in 0..1_000 {
            // Few distinct values in some columns, many in others, as in real data.
            let r = Row {
                key: FindingId::asff("arn:p", format!("f{i}")),
                title: field(&mut rng).into(),
                resource_type: rng.pick(&["AwsS3Bucket", "AwsRdsDbInstance", "AwsEc2Instance", ""]).into(),
                resource_id: field(&mut rng).into(),
                account: rng.pick(&["111122223333", "444455556666"]).into(),
                product: rng.pick(&["Security Hub", "GuardDuty", "Inspector"]).into(),
                control_id: rng.pick(&["S3.8", "EC2.19", "", "IAM.4"]).into(),
                ..Row::default()
            };
            s.push(r);
        }
        let order = sorted(&s, SortSpec::default());
        let mut patterns: Vec<String> = [
            "pubacc", "rdsdbi", "s3 pub", "ÉCO", "école", "strasse", "straß", "İst", "ist", "ωm", "ΩMEGA", "3333",
            "ec219",
        ]
        .iter()
        .map(|p| p.to_string())
        .collect();
        for _ in 0..30 {
            let f = field(&mut rng);
            let chars: Vec<char> = f.chars().collect();
            if chars.len() > 2 {
                let a = rng.next(chars.len() - 1);
                let b = (a + 1 + rng.next(6)).min(chars.len());
                patterns.push(chars[a..b].iter().collect());
            }
            let second: String = rng.pick(WORDS).chars().take(1).collect();
            patterns.push(format!("{} {second}", rng.pick(WORDS)).to_uppercase());
        }
        let half: Vec<u32> = order.iter().copied().filter(|i| i % 3 != 0).collect();
        for p in &patterns {
            for base in [&order, &half] {
                let want = brute(&s, p, base);
                assert_eq!(matching(&s, &Pattern::new(p), base, usize::MAX), want, "/{p}, one thread");
                assert_eq!(matching(&s, &Pattern::new(p), base, 1), want, "/{p}, by row bits");
                // Typed character by character, then backspaced: every step as a fresh pass; one
                // thread candidate by candidate, and by row bits kept from the step before.
                for parallel_min in [None, Some(1)] {
                    let mut f = LiveFilter { parallel_min, ..LiveFilter::default() };
                    let steps: Vec<String> = p.char_indices().map(|(k, c)| p[..k + c.len_utf8()].to_string()).collect();
                    for step in steps.iter().chain(steps.iter().rev()) {
                        f.pattern = step.clone();
                        assert_eq!(f.apply(&s, base), brute(&s, step, base), "/{step} typing /{p} {parallel_min:?}");
                    }
                }
            }
        }
    }
}
