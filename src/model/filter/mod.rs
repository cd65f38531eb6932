//! `AwsSecurityFindingFilters` (Security Hub V1 filters): parsing the AWS request JSON, writing it back,
//! and evaluating the filters locally against ASFF findings held as `serde_json::Value`.
//!
//! Semantics (GetFindings API reference; service model, the documentation of `AwsSecurityFindingFilters`,
//! `StringFilter.Comparison` and `MapFilter.Comparison`):
//! * different fields are ANDed;
//! * on a string field the positive comparisons (`EQUALS`, `PREFIX`, `CONTAINS`, `CONTAINS_WORD`) are ORed
//!   and the negative ones (`NOT_EQUALS`, `PREFIX_NOT_EQUALS`, `NOT_CONTAINS`) ANDed; the positive set is
//!   evaluated first and the negatives then remove matches;
//! * list-valued attributes (`Types[]`, `Resources[].Id`, ...) match a positive filter when any element
//!   matches, and fail a negative filter when any element violates it;
//! * a missing attribute fails positive filters and passes negative ones;
//! * several `NumberFilter`/`DateFilter`/`IpFilter`/`BooleanFilter`/`KeywordFilter` entries on one field
//!   are ORed (each entry is one range; every bound inside an entry must hold);
//! * `MapFilter`: `EQUALS`/`CONTAINS` ORed, `NOT_EQUALS`/`NOT_CONTAINS` ANDed, like strings.
//!
//! Deliberate choices where the model is silent: an entry without any bound (`NumberFilter {}`,
//! `DateFilter {}`) and a `DateFilter` carrying both `Start`/`End` and `DateRange` are rejected;
//! `CONTAINS_WORD` matches `Value` bounded by non-alphanumeric characters (case-sensitive); an `IpFilter`
//! `Cidr` may be a bare address (a /32 or /128); `Keyword` is a case-insensitive substring search over
//! every string value of the finding.
//!
//! Layout: [`fields`] is the one table of finding fields (filter names, kinds, ASFF paths, and what
//! the store, the query language, the command line and the workbench know of each); `parse` reads
//! and writes the JSON
//! shapes; `rules` holds the service's limits and mixing rules and pre-parses an accepted list;
//! `eval` evaluates a compiled filter against a finding document. This file owns the filter value
//! types and [`Filters`] itself.

mod eval;
pub mod fields;
mod parse;
mod rules;

use time::{Duration, OffsetDateTime};

use crate::model::enums::string_enum;

pub use fields::{field_def, FieldDef, FilterKind, FIELDS};
pub use rules::MAX_VALUES_PER_FIELD;

pub(crate) use eval::{any_at, any_str_of, as_number, contains_ignore_case, number_test, string_test};
use parse::lookup_field;
use rules::{check_list, Compiled};

/// An invalid filter document. `Display` is `<where>: <what>`, e.g.
/// `Filters.SeverityLabel[1].Comparison: "EQUAL" is not one of EQUALS|PREFIX|...`.
/// Callers answer it as the AWS `InvalidInputException`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct FilterError {
    /// Where in the request, e.g. `Filters.SeverityLabel[1].Comparison`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl FilterError {
    fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { path: path.into(), message: message.into() }
    }
}

string_enum!(
    /// `StringFilterComparison`.
    StringComparison {
        Equals => "EQUALS",
        Prefix => "PREFIX",
        NotEquals => "NOT_EQUALS",
        PrefixNotEquals => "PREFIX_NOT_EQUALS",
        Contains => "CONTAINS",
        NotContains => "NOT_CONTAINS",
        ContainsWord => "CONTAINS_WORD",
    }
);

string_enum!(
    /// `MapFilterComparison`.
    MapComparison {
        Equals => "EQUALS",
        NotEquals => "NOT_EQUALS",
        Contains => "CONTAINS",
        NotContains => "NOT_CONTAINS",
    }
);

string_enum!(
    /// `DateRangeComparison`; `WITHIN` when absent.
    DateRangeComparison {
        Within => "WITHIN",
        OlderThan => "OLDER_THAN",
    }
);

string_enum!(
    /// `DateRangeUnit`.
    DateRangeUnit {
        Days => "DAYS",
    }
);

impl StringComparison {
    /// `NOT_EQUALS`, `PREFIX_NOT_EQUALS` and `NOT_CONTAINS` (ANDed on a field); the rest are ORed.
    pub fn is_negative(self) -> bool {
        matches!(self, Self::NotEquals | Self::PrefixNotEquals | Self::NotContains)
    }
}

impl MapComparison {
    /// `NOT_EQUALS` and `NOT_CONTAINS`.
    pub fn is_negative(self) -> bool {
        matches!(self, Self::NotEquals | Self::NotContains)
    }
}

/// `StringFilter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringFilter {
    pub value: String,
    pub comparison: StringComparison,
}

impl StringFilter {
    pub fn new(value: impl Into<String>, comparison: StringComparison) -> Self {
        Self { value: value.into(), comparison }
    }
}

/// `NumberFilter`: every bound present must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NumberFilter {
    pub gte: Option<f64>,
    pub lte: Option<f64>,
    pub eq: Option<f64>,
    pub gt: Option<f64>,
    pub lt: Option<f64>,
}

/// `DateRange`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateRange {
    pub value: i64,
    pub unit: DateRangeUnit,
    pub comparison: DateRangeComparison,
}

impl DateRange {
    /// `now` minus `value` days: the lower edge of a `WITHIN` range, the upper (exclusive) edge of an
    /// `OLDER_THAN` one. `None` when that lies before the earliest representable date (then `WITHIN`
    /// has no lower edge and `OLDER_THAN` matches nothing). Never panics.
    pub fn cutoff(&self, now: OffsetDateTime) -> Option<OffsetDateTime> {
        let days = match self.unit {
            DateRangeUnit::Days => self.value,
        };
        days.checked_mul(86_400).and_then(|s| now.checked_sub(Duration::seconds(s)))
    }
}

/// `DateFilter`: an absolute window `start..=end` (either bound optional) or a relative `date_range`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DateFilter {
    pub start: Option<String>,
    pub end: Option<String>,
    pub date_range: Option<DateRange>,
}

/// `MapFilter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapFilter {
    pub key: String,
    pub value: String,
    pub comparison: MapComparison,
}

/// `BooleanFilter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BooleanFilter {
    pub value: bool,
}

/// `IpFilter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpFilter {
    pub cidr: String,
}

/// `KeywordFilter` (deprecated member `Keyword`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeywordFilter {
    pub value: String,
}

/// The typed filter list of one field.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterList {
    String(Vec<StringFilter>),
    Number(Vec<NumberFilter>),
    Date(Vec<DateFilter>),
    Map(Vec<MapFilter>),
    Boolean(Vec<BooleanFilter>),
    Ip(Vec<IpFilter>),
    Keyword(Vec<KeywordFilter>),
}

impl FilterList {
    pub fn kind(&self) -> FilterKind {
        match self {
            FilterList::String(_) => FilterKind::String,
            FilterList::Number(_) => FilterKind::Number,
            FilterList::Date(_) => FilterKind::Date,
            FilterList::Map(_) => FilterKind::Map,
            FilterList::Boolean(_) => FilterKind::Boolean,
            FilterList::Ip(_) => FilterKind::Ip,
            FilterList::Keyword(_) => FilterKind::Keyword,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            FilterList::String(v) => v.len(),
            FilterList::Number(v) => v.len(),
            FilterList::Date(v) => v.len(),
            FilterList::Map(v) => v.len(),
            FilterList::Boolean(v) => v.len(),
            FilterList::Ip(v) => v.len(),
            FilterList::Keyword(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends `other` when both are of the same kind; returns `false` (and leaves `self`) otherwise.
    fn extend(&mut self, other: FilterList) -> bool {
        match (self, other) {
            (FilterList::String(a), FilterList::String(b)) => a.extend(b),
            (FilterList::Number(a), FilterList::Number(b)) => a.extend(b),
            (FilterList::Date(a), FilterList::Date(b)) => a.extend(b),
            (FilterList::Map(a), FilterList::Map(b)) => a.extend(b),
            (FilterList::Boolean(a), FilterList::Boolean(b)) => a.extend(b),
            (FilterList::Ip(a), FilterList::Ip(b)) => a.extend(b),
            (FilterList::Keyword(a), FilterList::Keyword(b)) => a.extend(b),
            _ => return false,
        }
        true
    }
}

#[derive(Debug, Clone, PartialEq)]
struct FieldEntry {
    def: &'static FieldDef,
    list: FilterList,
    compiled: Compiled,
}

/// An `AwsSecurityFindingFilters` document: an ordered list of (field, typed filter list), validated
/// and pre-parsed. Build it with [`Filters::from_json`] or [`Filters::push`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    entries: Vec<FieldEntry>,
}

impl Filters {
    /// No filters: matches every finding.
    pub fn new() -> Self {
        Self::default()
    }

    /// True when no field has a filter.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of fields with filters.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The filtered fields, in order.
    pub fn field_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.entries.iter().map(|e| e.def.name)
    }

    /// (field, filters) pairs, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static FieldDef, &FilterList)> + '_ {
        self.entries.iter().map(|e| (e.def, &e.list))
    }

    /// The filters of one field.
    pub fn get(&self, field: &str) -> Option<&FilterList> {
        self.entries.iter().find(|e| e.def.name == field).map(|e| &e.list)
    }

    /// The `StringFilter`s of one field (for SQL pushdown); `None` when the field has none or is not a
    /// string field.
    pub fn string_filters(&self, field: &str) -> Option<&[StringFilter]> {
        match self.get(field) {
            Some(FilterList::String(v)) => Some(v),
            _ => None,
        }
    }

    /// Removes a field's filters and returns them.
    pub fn remove(&mut self, field: &str) -> Option<FilterList> {
        let i = self.entries.iter().position(|e| e.def.name == field)?;
        Some(self.entries.remove(i).list)
    }

    /// Adds filters to `field` (appending to any it already has) after validating the combined list as
    /// [`Filters::from_json`] would. On error `self` is unchanged. Also takes hubtriage's own fields
    /// (the query language's), which a request's JSON cannot name.
    pub fn push(&mut self, field: &str, list: FilterList) -> Result<(), FilterError> {
        let own = FIELDS.iter().find(|f| f.derived.is_some() && f.name == field);
        let def = match own {
            Some(def) => def,
            None => lookup_field(field)?,
        };
        let path = format!("Filters.{}", def.name);
        if list.kind() != def.kind {
            return Err(FilterError::new(
                path,
                format!("takes {} values, not {}", def.kind.shape_name(), list.kind().shape_name()),
            ));
        }
        let pos = self.entries.iter().position(|e| e.def.name == def.name);
        let combined = match pos {
            Some(i) => {
                let mut l = self.entries[i].list.clone();
                l.extend(list);
                l
            }
            None => list,
        };
        let compiled = check_list(&combined, &path)?;
        let entry = FieldEntry { def, list: combined, compiled };
        match pos {
            Some(i) => self.entries[i] = entry,
            None if entry.list.is_empty() => {}
            None => self.entries.push(entry),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};
    use time::macros::datetime;

    pub(super) const NOW: OffsetDateTime = datetime!(2025-03-01 12:00:00 UTC);

    pub(super) fn f(v: Value) -> Filters {
        Filters::from_json(&v).unwrap()
    }

    pub(super) fn err(v: Value) -> String {
        Filters::from_json(&v).unwrap_err().to_string()
    }

    pub(super) fn finding() -> Value {
        json!({
            "Id": "arn:aws:securityhub:eu-west-1:123456789012:finding/1",
            "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/guardduty",
            "AwsAccountId": "123456789012",
            "Region": "eu-west-1",
            "ProductName": "GuardDuty",
            "Title": "EC2 instance is querying a CloudFront domain",
            "Types": ["TTPs/Discovery/Recon:EC2-PortProbe", "Effects/Data Exposure"],
            "Severity": {"Label": "HIGH", "Normalized": 70, "Product": 7.5},
            "Confidence": 80,
            "Workflow": {"Status": "NEW"},
            "RecordState": "ACTIVE",
            "CreatedAt": "2025-02-20T10:00:00Z",
            "UpdatedAt": "2025-02-27T10:00:00.000Z",
            "ProductFields": {"aws/guardduty/service/count": "3"},
            "Network": {"SourceIpV4": "198.51.100.7", "SourceIpV6": "2001:db8::17", "SourcePort": 443},
            "Compliance": {
                "Status": "FAILED",
                "SecurityControlId": "S3.1",
                "AssociatedStandards": [{"StandardsId": "standards/aws-foundational-security-best-practices/v/1.0.0"}],
                "SecurityControlParameters": [{"Name": "maxDays", "Value": ["90", "30"]}]
            },
            "Resources": [
                {"Type": "AwsEc2Instance", "Id": "i-0abc", "Tags": {"env": "prod", "team": "blue"},
                 "Details": {"AwsEc2Instance": {"IpV4Addresses": ["10.0.1.5", "172.16.0.9"], "LaunchedAt": "2024-01-01T00:00:00Z"}}},
                {"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::logs", "Tags": {"env": "dev"},
                 "Details": {"Other": {"k": "v1"}}}
            ]
        })
    }

    pub(super) fn m(filters: Value) -> bool {
        f(filters).matches(&finding(), NOW)
    }

    #[test]
    fn date_range_cutoff_never_panics() {
        // DateRange doc: WITHIN = the last N days; the edge is now - N days.
        let r = |value| DateRange { value, unit: DateRangeUnit::Days, comparison: DateRangeComparison::Within };
        assert_eq!(r(7).cutoff(NOW), Some(datetime!(2025-02-22 12:00:00 UTC)));
        assert_eq!(r(0).cutoff(NOW), Some(NOW));
        assert_eq!(r(i64::from(i32::MAX)).cutoff(NOW), None);
        assert_eq!(r(i64::MAX).cutoff(NOW), None);
    }

    #[test]
    fn accessors() {
        let filters = f(json!({
            "ProductName": [{"Value": "GuardDuty", "Comparison": "EQUALS"}],
            "Confidence": [{"Gte": 1}],
            "Title": null,
            "Region": []
        }));
        assert_eq!(filters.len(), 2);
        assert!(!filters.is_empty());
        assert_eq!(
            filters.string_filters("ProductName"),
            Some(&[StringFilter::new("GuardDuty", StringComparison::Equals)][..])
        );
        assert_eq!(filters.string_filters("Confidence"), None);
        assert_eq!(filters.string_filters("Region"), None);
        assert!(Filters::new().is_empty());
    }

    #[test]
    fn push_validates_and_appends() {
        let mut filters = Filters::new();
        filters
            .push("WorkflowStatus", FilterList::String(vec![StringFilter::new("NEW", StringComparison::Equals)]))
            .unwrap();
        filters
            .push("WorkflowStatus", FilterList::String(vec![StringFilter::new("NOTIFIED", StringComparison::Equals)]))
            .unwrap();
        assert_eq!(filters.string_filters("WorkflowStatus").unwrap().len(), 2);
        // Model doc: EQUALS with NOT_EQUALS on one field is an error; on error nothing changes.
        let e = filters
            .push("WorkflowStatus", FilterList::String(vec![StringFilter::new("NEW", StringComparison::NotEquals)]))
            .unwrap_err();
        assert_eq!(e.path, "Filters.WorkflowStatus[2].Comparison");
        assert_eq!(filters.string_filters("WorkflowStatus").unwrap().len(), 2);
        let e = filters.push("Confidence", FilterList::String(vec![])).unwrap_err();
        assert_eq!(e.to_string(), "Filters.Confidence: takes NumberFilter values, not StringFilter");
        assert!(filters.push("Nope", FilterList::Boolean(vec![])).is_err());
        assert_eq!(filters.remove("WorkflowStatus").map(|l| l.len()), Some(2));
        assert!(filters.is_empty());
    }
}
