//! Ordering and narrowing the rows: the sort, the `/` live fuzzy filter and the in-memory side of
//! the `:` structured query.
//!
//! The live filter uses nucleo-matcher's greedy fuzzy match on a precomputed lower-case haystack per
//! row, and is incremental: when the new pattern extends the previous one, only the previous
//! matches are matched again, so each keystroke after the first scans fewer rows. Rows keep the
//! list's sort order (a filter narrows; it does not re-rank), which is what makes reuse possible.

use std::cmp::Ordering;

use nucleo_matcher::{Config, Matcher, Utf32Str, Utf32String};

use super::row::Row;
use super::state::RowStore;

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

    pub fn name(self) -> &'static str {
        match self {
            SortColumn::Severity => "severity",
            SortColumn::Status => "status",
            SortColumn::Title => "title",
            SortColumn::Resource => "resource",
            SortColumn::Account => "account",
            SortColumn::Region => "region",
            SortColumn::Product => "product",
            SortColumn::Updated => "updated",
            SortColumn::Control => "control",
        }
    }

    pub fn parse(s: &str) -> Option<SortColumn> {
        let s = s.to_ascii_lowercase();
        let s = match s.as_str() {
            "sev" => "severity",
            "workflow" => "status",
            "age" => "updated",
            other => other,
        };
        SortColumn::ALL.iter().copied().find(|c| c.name() == s)
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

/// Every row index, sorted.
pub fn sorted(rows: &RowStore, spec: SortSpec) -> Vec<u32> {
    let mut order: Vec<u32> = (0..rows.all.len() as u32).collect();
    order.sort_by(|&a, &b| spec.compare(&rows.all[a as usize], &rows.all[b as usize]));
    order
}

/// The live filter and what its last pass produced, for incremental reuse.
pub struct FuzzyFilter {
    pub pattern: String,
    matcher: Matcher,
    last_pattern: String,
    last_matches: Vec<u32>,
    /// Set when the rows under the filter changed, so the next pass starts from all of them.
    stale: bool,
}

impl std::fmt::Debug for FuzzyFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FuzzyFilter").field("pattern", &self.pattern).finish_non_exhaustive()
    }
}

impl Default for FuzzyFilter {
    fn default() -> Self {
        FuzzyFilter {
            pattern: String::new(),
            matcher: Matcher::new(Config::DEFAULT),
            last_pattern: String::new(),
            last_matches: Vec::new(),
            stale: true,
        }
    }
}

impl FuzzyFilter {
    /// The rows under the filter changed (reload, sort, query, edits).
    pub fn invalidate(&mut self) {
        self.stale = true;
    }

    /// The rows of `base` (in order) that match the pattern.
    pub fn apply(&mut self, rows: &RowStore, base: &[u32]) -> Vec<u32> {
        let pattern = self.pattern.to_lowercase();
        let words: Vec<Utf32String> = pattern.split_whitespace().map(Utf32String::from).collect();
        if words.is_empty() {
            self.last_pattern.clear();
            self.last_matches.clear();
            self.stale = false;
            return base.to_vec();
        }
        let extends = !self.stale && !self.last_pattern.is_empty() && pattern.starts_with(&self.last_pattern);
        let candidates: &[u32] = if extends { &self.last_matches } else { base };
        let mut buf = Vec::new();
        let matcher = &mut self.matcher;
        let out: Vec<u32> = candidates
            .iter()
            .copied()
            .filter(|&i| {
                let Some(row) = rows.all.get(i as usize) else { return false };
                let hay = Utf32Str::new(&row.haystack, &mut buf);
                words.iter().all(|w| matcher.fuzzy_match_greedy(hay, w.slice(..)).is_some())
            })
            .collect();
        self.last_pattern = pattern;
        self.last_matches = out.clone();
        self.stale = false;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::enums::SeverityLabel;
    use crate::model::finding::FindingKey;

    fn rows(titles: &[(&str, SeverityLabel, i64)]) -> RowStore {
        let mut s = RowStore::default();
        for (i, (t, sev, upd)) in titles.iter().enumerate() {
            let mut r = Row {
                key: FindingKey::new("arn:p", format!("f{i}")),
                title: t.to_string(),
                severity: Some(*sev),
                updated_ns: *upd,
                ..Row::default()
            };
            r.haystack = r.title.to_lowercase();
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
    fn fuzzy_filter_narrows_incrementally_and_widens_again() {
        let s = rows(&[
            ("S3 bucket public read", SeverityLabel::High, 1),
            ("Security group open", SeverityLabel::High, 1),
            ("IAM root key", SeverityLabel::Low, 1),
        ]);
        let base: Vec<u32> = vec![0, 1, 2];
        let mut f = FuzzyFilter { pattern: "s".into(), ..FuzzyFilter::default() };
        assert_eq!(f.apply(&s, &base), vec![0, 1]);
        f.pattern = "sb".into();
        assert_eq!(f.apply(&s, &base), vec![0]);
        f.pattern = "s".into();
        assert_eq!(f.apply(&s, &base), vec![0, 1], "a shorter pattern starts from all rows again");
        f.pattern = "ROOT key".into();
        assert_eq!(f.apply(&s, &base), vec![2], "case-insensitive, words ANDed");
        f.pattern = String::new();
        assert_eq!(f.apply(&s, &base), base);
    }
}
