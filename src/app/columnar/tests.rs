//! The columnar evaluation against the engine's evaluator on each row's probe document (what the
//! workbench used before, `Filters::matches`), on generated findings and hand-made edge rows, over
//! many generated queries on every field the rows hold.

use serde_json::json;
use time::macros::datetime;
use time::OffsetDateTime;

use super::*;
use crate::app::row::IN_MEMORY_FIELDS;
use crate::generate::{generate, GenOptions, DEFAULT_ANCHOR};
use crate::model::enums::{ComplianceStatus, RecordState, SeverityLabel, VerificationState, WorkflowStatus};
use crate::model::filter::{DateRange, DateRangeUnit, NumberFilter};
use crate::model::finding::FindingId;

const NOW: OffsetDateTime = DEFAULT_ANCHOR;

/// A field of the registry by name, hubtriage's own included.
fn def(name: &str) -> Option<&'static FieldDef> {
    crate::model::filter::FIELDS.iter().find(|f| f.name == name)
}

/// A small seeded source (xorshift), so the queries are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

fn rows() -> Rows {
    let mut rows: Vec<Row> = generate(&GenOptions { count: 1_500, seed: 11, accounts: 7, anchor: NOW })
        .map(|doc| Row::from_asff(&doc))
        .collect();
    // Rows with absent and odd values: no enums, empty strings, an OCSF key, text that is not a
    // date, characters beyond ASCII, a value that is a prefix of another.
    rows.push(Row::default());
    rows.push(updated(
        "not a date",
        Row {
            key: FindingId::Ocsf("ocsf-uid-1".into()),
            title: "Überprüfung: S3.1 bucket-policy (public)".into(),
            account: "1111".into(),
            region: "eu-west-1".into(),
            control_id: "S3.1".into(),
            confidence: Some(0),
            criticality: Some(100),
            severity: Some(SeverityLabel::Informational),
            ..Row::default()
        },
    ));
    rows.push(updated(
        "2026-10-31T23:59:59.999Z",
        Row {
            key: FindingId::asff("arn:aws:securityhub:eu-west-1::product/aws/securityhub", "S3.1"),
            title: "S3.10".into(),
            account: "111122223333".into(),
            region: "eu-west-10".into(),
            product: "Security Hub".into(),
            control_id: "S3.10".into(),
            workflow: Some(WorkflowStatus::Suppressed),
            record_state: Some(RecordState::Archived),
            verification: Some(VerificationState::FalsePositive),
            compliance: Some(ComplianceStatus::NotAvailable),
            confidence: Some(-5),
            ..Row::default()
        },
    ));
    // Times exactly on a DateRange's edge (now minus 0, 1, 7 and 30 days), one with blanks around it.
    for at in ["2026-11-01T00:00:00Z", "2026-10-31T00:00:00Z", "2026-10-25T00:00:00.000Z", " 2026-10-02T00:00:00Z "] {
        rows.push(updated(at, Row::default()));
    }
    with_probes(rows)
}

/// `row` updated at `text` (as a source writes it).
fn updated(text: &str, mut row: Row) -> Row {
    row.set_updated_at(text);
    row
}

/// Every value each string field takes in `rows`, with pieces of them and values no row has.
fn values_of(rows: &Rows, field: &str) -> Vec<String> {
    let mut out: Vec<String> = rows
        .probes
        .iter()
        .filter_map(|doc| {
            let def = def(field)?;
            let mut found = None;
            crate::model::filter::any_str_of(def, doc, &mut |s| {
                found = Some(s.to_string());
                true
            });
            found
        })
        .collect();
    out.sort();
    out.dedup();
    let mut extra = Vec::new();
    for v in out.iter().step_by(out.len() / 40 + 1) {
        let chars: Vec<char> = v.chars().collect();
        extra.push(chars[..chars.len() / 2].iter().collect::<String>());
        extra.push(chars[chars.len() / 3..].iter().collect::<String>());
        extra.push(v.to_lowercase());
        if let Some(w) = v.split(|c: char| !c.is_alphanumeric()).find(|w| !w.is_empty()) {
            extra.push(w.to_string());
        }
    }
    out.extend(extra);
    out.extend(["".to_string(), "zzz-none".to_string(), "S3".to_string(), "1".to_string(), "HIGH".to_string()]);
    out
}

fn string_filters(rng: &mut Rng, values: &[String]) -> Vec<StringFilter> {
    use StringComparison::*;
    let all = [Equals, Prefix, NotEquals, PrefixNotEquals, Contains, NotContains, ContainsWord];
    let n = 1 + rng.below(3);
    // One family at a time sometimes, mixtures at other times (the rules refuse some mixtures;
    // those queries are skipped, as the engine never sees them).
    (0..n).map(|_| StringFilter::new(rng.pick(values).clone(), *rng.pick(&all))).collect()
}

fn number_filter(rng: &mut Rng) -> NumberFilter {
    let bound = |rng: &mut Rng| Some([-5.0, 0.0, 10.0, 49.5, 50.0, 80.0, 100.0][rng.below(7)]);
    let mut f = NumberFilter::default();
    while f == NumberFilter::default() {
        match rng.below(5) {
            0 => f.gte = bound(rng),
            1 => f.lte = bound(rng),
            2 => f.eq = bound(rng),
            3 => f.gt = bound(rng),
            _ => f.lt = bound(rng),
        }
        if rng.below(2) == 0 {
            break;
        }
    }
    f
}

fn date_filter(rng: &mut Rng) -> DateFilter {
    let times =
        ["2026-10-31T23:59:59.999Z", "2026-10-01T00:00:00Z", "2026-10-31T00:00:00+01:00", "2025-01-01T00:00:00Z"];
    match rng.below(4) {
        0 => DateFilter { start: Some(rng.pick(&times).to_string()), ..DateFilter::default() },
        1 => DateFilter { end: Some(rng.pick(&times).to_string()), ..DateFilter::default() },
        2 => DateFilter {
            start: Some(rng.pick(&times).to_string()),
            end: Some(rng.pick(&times).to_string()),
            ..DateFilter::default()
        },
        _ => DateFilter {
            date_range: Some(DateRange {
                value: [0, 1, 7, 30, 400, i64::from(i32::MAX)][rng.below(6)],
                unit: DateRangeUnit::Days,
                comparison: *rng.pick(&[DateRangeComparison::Within, DateRangeComparison::OlderThan]),
            }),
            ..DateFilter::default()
        },
    }
}

/// The rows and their probe documents (built once: the engine's side is most of the test's time).
struct Rows {
    rows: Vec<Row>,
    probes: Vec<serde_json::Value>,
}

impl std::ops::Deref for Rows {
    type Target = [Row];
    fn deref(&self) -> &[Row] {
        &self.rows
    }
}

fn with_probes(rows: Vec<Row>) -> Rows {
    let probes = rows.iter().map(Row::probe_doc).collect();
    Rows { rows, probes }
}

fn check(rows: &Rows, filters: &Filters, now: OffsetDateTime, what: &str) -> usize {
    let want = RowSet::from_indices((0..rows.len() as u32).filter(|&i| filters.matches(&rows.probes[i as usize], now)));
    let got = matching(&rows.rows, filters, now);
    if got != want {
        let differs: Vec<usize> =
            (0..rows.len() as u32).filter(|&i| got.contains(i) != want.contains(i)).map(|i| i as usize).collect();
        panic!("{what}: {filters:?}\n{} rows differ, first {:?}", differs.len(), rows[differs[0]]);
    }
    want.len()
}

#[test]
fn every_in_memory_field_is_decided_as_the_engine_decides_it() {
    let rows = rows();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let fields: Vec<&'static str> = IN_MEMORY_FIELDS.clone();
    assert!(fields.len() >= 15, "{fields:?}");
    let values: HashMap<&str, Vec<String>> = fields.iter().map(|f| (*f, values_of(&rows, f))).collect();
    let mut checked = 0;
    let mut some_match = 0;
    for field in &fields {
        let field_def = def(field).expect("a field");
        let mut tried = 0;
        let mut attempts = 0;
        while tried < 120 && attempts < 2_000 {
            attempts += 1;
            let list = match field_def.kind {
                crate::model::filter::FilterKind::String => {
                    FilterList::String(string_filters(&mut rng, &values[field]))
                }
                crate::model::filter::FilterKind::Number => {
                    FilterList::Number((0..1 + rng.below(2)).map(|_| number_filter(&mut rng)).collect())
                }
                crate::model::filter::FilterKind::Date => {
                    FilterList::Date((0..1 + rng.below(2)).map(|_| date_filter(&mut rng)).collect())
                }
                other => panic!("{field}: a {other:?} field in the rows"),
            };
            let mut filters = Filters::new();
            if filters.push(field, list).is_err() {
                continue;
            }
            // Sometimes with a second field, so fields are ANDed too.
            if rng.below(3) == 0 {
                let other = rng.pick(&fields);
                if *other != *field && values[other].len() > 1 {
                    let list = match def(other).map(|d| d.kind) {
                        Some(crate::model::filter::FilterKind::String) => {
                            FilterList::String(string_filters(&mut rng, &values[other]))
                        }
                        Some(crate::model::filter::FilterKind::Number) => {
                            FilterList::Number(vec![number_filter(&mut rng)])
                        }
                        _ => FilterList::Date(vec![date_filter(&mut rng)]),
                    };
                    let _ = filters.push(other, list);
                }
            }
            let n = check(&rows, &filters, NOW, field);
            tried += 1;
            checked += 1;
            if n > 0 && n < rows.len() {
                some_match += 1;
            }
        }
        assert!(tried >= 60, "{field}: only {tried} accepted queries");
    }
    // The queries are not all trivial: most select some rows and leave others.
    assert!(some_match * 3 > checked, "{some_match} of {checked}");
}

#[test]
fn query_language_queries_are_decided_as_the_engine_decides_them() {
    let rows = rows();
    let queries = [
        "sev>=high status:new",
        "sev:critical,low -status:resolved",
        "sev<medium record:archived",
        "status:notified,suppressed compliance:failed",
        "compliance:passed,not-available verification:unknown",
        "account:111122223333",
        "-account:111122223333 region:eu-west-1",
        "region:eu-*",
        "-region:us-*",
        "product:guardduty",
        "product:inspector,macie -sev:low",
        "control:S3.1",
        "control:S3*",
        "-control:IAM.1",
        "title:bucket",
        "-title:public",
        "confidence>=50",
        "criticality<30 confidence:80",
        "updated<7d",
        "updated>30d",
        "id:S3.1",
    ];
    let mut accepted = 0;
    for text in queries {
        let Ok(q) = crate::query::parse(text) else { continue };
        if !q.text.is_empty() || !q.filters.field_names().all(|f| IN_MEMORY_FIELDS.contains(&f)) {
            continue;
        }
        accepted += 1;
        for now in [NOW, datetime!(2026-10-15 00:00 UTC)] {
            check(&rows, &q.filters, now, text);
        }
    }
    assert!(accepted >= 15, "{accepted} queries were answered in memory");
}

#[test]
fn filters_from_json_with_every_comparison() {
    // Service model, StringFilter.Comparison: each comparison on a present, an empty and an absent
    // value.
    let rows = rows();
    for field in ["SeverityLabel", "AwsAccountId", "Title", "Id", "ControlId", "ProductArn", "ComplianceStatus"] {
        for c in ["EQUALS", "PREFIX", "NOT_EQUALS", "PREFIX_NOT_EQUALS", "CONTAINS", "NOT_CONTAINS", "CONTAINS_WORD"] {
            for v in ["", "S3", "HIGH", "1111", "arn:aws:securityhub", "Bucket"] {
                let Ok(filters) = Filters::from_json(&json!({ field: [{"Value": v, "Comparison": c}] })) else {
                    // ControlId is hubtriage's own field: pushed as the query language does.
                    let mut f = Filters::new();
                    let comparison = StringComparison::parse(c).expect("a comparison");
                    if f.push(field, FilterList::String(vec![StringFilter::new(v, comparison)])).is_ok() {
                        check(&rows, &f, NOW, field);
                    }
                    continue;
                };
                check(&rows, &filters, NOW, field);
            }
        }
    }
}

#[test]
fn a_row_set_counts_and_answers_membership() {
    let mut s = RowSet::from_indices([3, 64, 3, 200]);
    assert_eq!(s.len(), 3);
    assert!(s.contains(3) && s.contains(64) && s.contains(200));
    assert!(!s.contains(4) && !s.contains(100_000));
    s.insert(0);
    assert_eq!(s.len(), 4);
    assert!(!RowSet::default().contains(0) && RowSet::default().is_empty());
}
