//! GetFindingsV2's `OcsfFindingFilters`: parsing the request JSON, writing it back, and evaluating
//! the filters against an OCSF finding document.
//!
//! Shape (service model, `OcsfFindingFilters` and `CompositeFilter`): `CompositeFilters` (at most 10,
//! combined by `CompositeOperator`), each holding typed lists `StringFilters`, `DateFilters`,
//! `BooleanFilters`, `NumberFilters`, `MapFilters`, `IpFilters` (at most 20 per type, doc of
//! GetFindingsV2Request.Filters) of `{FieldName, Filter}` and `NestedCompositeFilters`, combined by
//! `Operator`. Nesting has three layers (CompositeFilter.NestedCompositeFilters doc), so a nested
//! composite filter cannot nest again. `FieldName` is one of the model's field enums (`fields`).
//!
//! Semantics, and where they are hubtriage's reading:
//! * every condition of a composite filter (each entry of each typed list, and each nested composite
//!   filter) is combined with that filter's `Operator`; the composite filters with `CompositeOperator`.
//!   An absent operator is AND; a composite filter without conditions matches everything. V1's
//!   same-field rules (positives ORed, negatives ANDed, EQUALS not mixed with NOT_EQUALS) do not
//!   apply: the request says how its conditions combine.
//! * one condition means what the same filter object means in V1 (`model::filter`): `Filter` is the V1
//!   `StringFilter`, `DateFilter`, ... read and checked by V1's parser (blank values, bounds, CIDR
//!   blocks, date-times); EQUALS, PREFIX, CONTAINS are case-sensitive and match when any value at the
//!   path does; NOT_EQUALS, PREFIX_NOT_EQUALS, NOT_CONTAINS match when no value hits (a missing member
//!   passes them); dates, numbers, IP addresses and maps are evaluated by V1's evaluator.
//! * CONTAINS_WORD is case-insensitive, as the service model says ("regardless of case": `Title
//!   CONTAINS_WORD lambda` matches "GuardDuty Lambda Protection"): the value must stand between
//!   characters that are not letters or digits.
//! * a date field without its `_dt` string is read from its epoch-milliseconds sibling
//!   (`finding_info.created_time` for `finding_info.created_time_dt`).
//! * a map field is an OCSF list of `{name, value}` pairs (`resources.tags`) or an object; a boolean
//!   condition matches when any value at the path equals it (a missing member matches neither).

mod eval;
pub mod fields;
mod sort;

use serde_json::{json, Map, Value};

use crate::model::enums::string_enum;
use crate::model::filter::{
    BooleanFilter, DateFilter, FilterError, FilterList, Filters, IpFilter, MapFilter, NumberFilter, StringFilter,
};

pub use fields::{kind_of, OcsfFieldKind};
pub use sort::{check_sort_field, compare_findings};

/// At most this many `CompositeFilters` (and `NestedCompositeFilters` in one composite filter).
pub const MAX_COMPOSITE_FILTERS: usize = 10;
/// At most this many filters of one type in one composite filter.
pub const MAX_FILTERS_PER_TYPE: usize = 20;

string_enum!(
    /// `AllowedOperators`.
    Operator {
        And => "AND",
        Or => "OR",
    }
);

/// One typed filter of a condition: the V1 filter object it carries.
#[derive(Debug, Clone, PartialEq)]
pub enum OcsfFilter {
    String(StringFilter),
    Date(DateFilter),
    Boolean(BooleanFilter),
    Number(NumberFilter),
    Map(MapFilter),
    Ip(IpFilter),
}

impl OcsfFilter {
    pub fn kind(&self) -> OcsfFieldKind {
        match self {
            OcsfFilter::String(_) => OcsfFieldKind::String,
            OcsfFilter::Date(_) => OcsfFieldKind::Date,
            OcsfFilter::Boolean(_) => OcsfFieldKind::Boolean,
            OcsfFilter::Number(_) => OcsfFieldKind::Number,
            OcsfFilter::Map(_) => OcsfFieldKind::Map,
            OcsfFilter::Ip(_) => OcsfFieldKind::Ip,
        }
    }

    fn to_list(&self) -> FilterList {
        match self.clone() {
            OcsfFilter::String(f) => FilterList::String(vec![f]),
            OcsfFilter::Date(f) => FilterList::Date(vec![f]),
            OcsfFilter::Boolean(f) => FilterList::Boolean(vec![f]),
            OcsfFilter::Number(f) => FilterList::Number(vec![f]),
            OcsfFilter::Map(f) => FilterList::Map(vec![f]),
            OcsfFilter::Ip(f) => FilterList::Ip(vec![f]),
        }
    }

    fn from_list(list: FilterList) -> Option<OcsfFilter> {
        match list {
            FilterList::String(v) => v.into_iter().next().map(OcsfFilter::String),
            FilterList::Date(v) => v.into_iter().next().map(OcsfFilter::Date),
            FilterList::Boolean(v) => v.into_iter().next().map(OcsfFilter::Boolean),
            FilterList::Number(v) => v.into_iter().next().map(OcsfFilter::Number),
            FilterList::Map(v) => v.into_iter().next().map(OcsfFilter::Map),
            FilterList::Ip(v) => v.into_iter().next().map(OcsfFilter::Ip),
            FilterList::Keyword(_) => None,
        }
    }
}

/// The V1 filter member whose filter type a kind carries: V1's parser and evaluator work on it, with
/// the OCSF values put where that member's ASFF path is (see `eval`).
fn v1_field(kind: OcsfFieldKind) -> &'static str {
    match kind {
        OcsfFieldKind::String => "Type",
        OcsfFieldKind::Date => "UpdatedAt",
        OcsfFieldKind::Number => "Confidence",
        OcsfFieldKind::Boolean => "Sample",
        OcsfFieldKind::Map => "ProductFields",
        OcsfFieldKind::Ip => "NetworkSourceIpV4",
    }
}

/// One `{FieldName, Filter}` entry of a typed list.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The model's field name (also the OCSF path).
    pub field: &'static str,
    pub filter: OcsfFilter,
    /// The filter as V1 holds it, checked and pre-parsed (dates, CIDR blocks).
    v1: Filters,
    /// `field` split at its dots, once.
    path: Vec<&'static str>,
}

impl Condition {
    /// A condition on `field` (a name of the filter kind's enum), checked as a request's would be.
    pub fn new(field: &str, filter: OcsfFilter) -> Result<Condition, FilterError> {
        let kind = filter.kind();
        let field = kind.field(field).ok_or_else(|| unknown_field(field, kind, "FieldName"))?;
        let mut v1 = Filters::new();
        v1.push(v1_field(kind), filter.to_list()).map_err(|e| rename(e, kind, "Filter"))?;
        Ok(Condition::build(field, filter, v1))
    }

    fn build(field: &'static str, filter: OcsfFilter, v1: Filters) -> Condition {
        Condition { field, filter, v1, path: field.split('.').collect() }
    }

    fn to_json(&self) -> Value {
        let list = self.v1.to_json();
        let filter = list.get(v1_field(self.filter.kind())).and_then(|l| l.get(0)).cloned().unwrap_or(json!({}));
        json!({"FieldName": self.field, "Filter": filter})
    }
}

/// A `CompositeFilter`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CompositeFilter {
    /// The typed lists' entries, in the model's member order (strings, dates, booleans, numbers,
    /// maps, IP addresses), each list in request order.
    pub conditions: Vec<Condition>,
    pub nested: Vec<CompositeFilter>,
    /// `Operator`; AND when absent.
    pub operator: Option<Operator>,
}

/// `OcsfFindingFilters`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OcsfFindingFilters {
    pub composite_filters: Vec<CompositeFilter>,
    /// `CompositeOperator`; AND when absent.
    pub composite_operator: Option<Operator>,
}

/// The list members of a `CompositeFilter`, in the model's order.
const KINDS_IN_ORDER: [OcsfFieldKind; 6] = [
    OcsfFieldKind::String,
    OcsfFieldKind::Date,
    OcsfFieldKind::Boolean,
    OcsfFieldKind::Number,
    OcsfFieldKind::Map,
    OcsfFieldKind::Ip,
];

fn err(path: impl Into<String>, message: impl Into<String>) -> FilterError {
    FilterError { path: path.into(), message: message.into() }
}

/// V1's message about its stand-in member, moved to where the condition is.
fn rename(e: FilterError, kind: OcsfFieldKind, at: &str) -> FilterError {
    let v1 = format!("Filters.{}", v1_field(kind));
    let path = match e.path.strip_prefix(&v1) {
        Some(rest) => format!("{at}{}", rest.strip_prefix("[0]").unwrap_or(rest)),
        None => at.to_string(),
    };
    FilterError { path, message: e.message }
}

fn unknown_field(name: &str, kind: OcsfFieldKind, at: &str) -> FilterError {
    let hint = match kind_of(name) {
        Some(other) => format!("; it is an {} name, for {}", other.enum_name(), other.list_member()),
        None => String::new(),
    };
    err(at, format!("\"{name}\" is not one of the {} names{hint}", kind.enum_name()))
}

fn type_name(v: &Value) -> &'static str {
    crate::model::finding::json_type(v)
}

fn object<'a>(v: &'a Value, at: &str, shape: &str, members: &[&str]) -> Result<&'a Map<String, Value>, FilterError> {
    let article = if shape.starts_with(['A', 'E', 'I', 'O', 'U']) { "an" } else { "a" };
    let obj =
        v.as_object().ok_or_else(|| err(at, format!("expected {article} {shape} object, got {}", type_name(v))))?;
    if let Some(k) = obj.keys().find(|k| !members.contains(&k.as_str())) {
        return Err(err(format!("{at}.{k}"), format!("unknown member of {shape} (expected {})", members.join(", "))));
    }
    Ok(obj)
}

fn list<'a>(obj: &'a Map<String, Value>, member: &str, at: &str, max: usize) -> Result<&'a [Value], FilterError> {
    match obj.get(member) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) if a.len() > max => {
            Err(err(format!("{at}.{member}"), format!("at most {max} entries, got {}", a.len())))
        }
        Some(Value::Array(a)) => Ok(a),
        Some(other) => Err(err(format!("{at}.{member}"), format!("expected a list, got {}", type_name(other)))),
    }
}

fn operator(obj: &Map<String, Value>, member: &str, at: &str) -> Result<Option<Operator>, FilterError> {
    match obj.get(member) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Operator::parse(s)
            .map(Some)
            .ok_or_else(|| err(format!("{at}.{member}"), format!("\"{s}\" is not one of {}", Operator::allowed()))),
        Some(other) => Err(err(format!("{at}.{member}"), format!("expected a string, got {}", type_name(other)))),
    }
}

fn condition(v: &Value, kind: OcsfFieldKind, at: &str) -> Result<Condition, FilterError> {
    let shape = match kind {
        OcsfFieldKind::String => "OcsfStringFilter",
        OcsfFieldKind::Date => "OcsfDateFilter",
        OcsfFieldKind::Boolean => "OcsfBooleanFilter",
        OcsfFieldKind::Number => "OcsfNumberFilter",
        OcsfFieldKind::Map => "OcsfMapFilter",
        OcsfFieldKind::Ip => "OcsfIpFilter",
    };
    let obj = object(v, at, shape, &["FieldName", "Filter"])?;
    let name = match obj.get("FieldName") {
        None | Some(Value::Null) => return Err(err(format!("{at}.FieldName"), "missing (required)")),
        Some(Value::String(s)) => s,
        Some(other) => {
            return Err(err(format!("{at}.FieldName"), format!("expected a string, got {}", type_name(other))))
        }
    };
    let field = kind.field(name).ok_or_else(|| unknown_field(name, kind, &format!("{at}.FieldName")))?;
    let filter_at = format!("{at}.Filter");
    let filter = match obj.get("Filter") {
        None | Some(Value::Null) => return Err(err(filter_at, "missing (required)")),
        Some(f) => f,
    };
    let v1 = Filters::from_json(&json!({ v1_field(kind): [filter] })).map_err(|e| rename(e, kind, &filter_at))?;
    let filter = v1
        .get(v1_field(kind))
        .cloned()
        .and_then(OcsfFilter::from_list)
        .ok_or_else(|| err(filter_at, "expected a filter object"))?;
    Ok(Condition::build(field, filter, v1))
}

impl CompositeFilter {
    fn from_json(v: &Value, at: &str, depth: usize) -> Result<CompositeFilter, FilterError> {
        let mut members: Vec<&str> = KINDS_IN_ORDER.iter().map(|k| k.list_member()).collect();
        members.extend(["NestedCompositeFilters", "Operator"]);
        let obj = object(v, at, "CompositeFilter", &members)?;
        let mut out = CompositeFilter { operator: operator(obj, "Operator", at)?, ..CompositeFilter::default() };
        for kind in KINDS_IN_ORDER {
            for (i, item) in list(obj, kind.list_member(), at, MAX_FILTERS_PER_TYPE)?.iter().enumerate() {
                out.conditions.push(condition(item, kind, &format!("{at}.{}[{i}]", kind.list_member()))?);
            }
        }
        let nested = list(obj, "NestedCompositeFilters", at, MAX_COMPOSITE_FILTERS)?;
        if !nested.is_empty() && depth > 0 {
            return Err(err(
                format!("{at}.NestedCompositeFilters"),
                "filters nest three layers deep at most (CompositeFilters, CompositeFilter, NestedCompositeFilters)",
            ));
        }
        for (i, n) in nested.iter().enumerate() {
            out.nested.push(CompositeFilter::from_json(n, &format!("{at}.NestedCompositeFilters[{i}]"), depth + 1)?);
        }
        Ok(out)
    }

    fn to_json(&self) -> Value {
        let mut m = Map::new();
        for kind in KINDS_IN_ORDER {
            let items: Vec<Value> =
                self.conditions.iter().filter(|c| c.filter.kind() == kind).map(Condition::to_json).collect();
            if !items.is_empty() {
                m.insert(kind.list_member().into(), Value::Array(items));
            }
        }
        if !self.nested.is_empty() {
            m.insert("NestedCompositeFilters".into(), self.nested.iter().map(CompositeFilter::to_json).collect());
        }
        if let Some(op) = self.operator {
            m.insert("Operator".into(), json!(op.as_str()));
        }
        Value::Object(m)
    }

    /// Adds a condition, as a client building a request does; refused past the per-type limit.
    pub fn push(&mut self, c: Condition) -> Result<(), FilterError> {
        let kind = c.filter.kind();
        if self.conditions.iter().filter(|x| x.filter.kind() == kind).count() >= MAX_FILTERS_PER_TYPE {
            return Err(err(kind.list_member(), format!("at most {MAX_FILTERS_PER_TYPE} entries")));
        }
        let at = self.conditions.iter().rposition(|x| kind_rank(x.filter.kind()) <= kind_rank(kind));
        self.conditions.insert(at.map_or(0, |i| i + 1), c);
        Ok(())
    }
}

/// Where a kind's list is in a `CompositeFilter`.
fn kind_rank(kind: OcsfFieldKind) -> usize {
    KINDS_IN_ORDER.iter().position(|k| *k == kind).unwrap_or(0)
}

impl OcsfFindingFilters {
    /// Parses the `Filters` member of a GetFindingsV2 request. Errors say where
    /// (`Filters.CompositeFilters[0].StringFilters[1].Filter.Comparison: ...`).
    pub fn from_json(v: &Value) -> Result<OcsfFindingFilters, FilterError> {
        let obj = object(v, "Filters", "OcsfFindingFilters", &["CompositeFilters", "CompositeOperator"])?;
        let composite_operator = operator(obj, "CompositeOperator", "Filters")?;
        let composite_filters = list(obj, "CompositeFilters", "Filters", MAX_COMPOSITE_FILTERS)?
            .iter()
            .enumerate()
            .map(|(i, c)| CompositeFilter::from_json(c, &format!("Filters.CompositeFilters[{i}]"), 0))
            .collect::<Result<_, _>>()?;
        Ok(OcsfFindingFilters { composite_filters, composite_operator })
    }

    /// The request JSON; `from_json(&f.to_json()) == Ok(f)`.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        if !self.composite_filters.is_empty() {
            m.insert("CompositeFilters".into(), self.composite_filters.iter().map(CompositeFilter::to_json).collect());
        }
        if let Some(op) = self.composite_operator {
            m.insert("CompositeOperator".into(), json!(op.as_str()));
        }
        Value::Object(m)
    }

    /// `(field, value)` of the EQUALS string conditions that every finding the filters match must
    /// meet: those of a composite filter that is ANDed (or alone) at the top and ANDs its own
    /// conditions (or has only the one). The store narrows its reading with the ones it has
    /// columns for; the filters are still applied to each document read.
    pub fn required_equals(&self) -> Vec<(&'static str, &str)> {
        if self.composite_filters.len() > 1 && self.composite_operator == Some(Operator::Or) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for c in &self.composite_filters {
            if c.operator == Some(Operator::Or) && c.conditions.len() + c.nested.len() > 1 {
                continue;
            }
            for cond in &c.conditions {
                if let OcsfFilter::String(f) = &cond.filter {
                    if f.comparison == crate::model::filter::StringComparison::Equals {
                        out.push((cond.field, f.value.as_str()));
                    }
                }
            }
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.composite_filters.is_empty()
    }
}

#[cfg(test)]
mod tests;
