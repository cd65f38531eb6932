//! Evaluating `OcsfFindingFilters` against an OCSF finding document, with the semantics in the
//! module doc of `model::ocsf::filter`.

use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use super::{CompositeFilter, Condition, OcsfFilter, OcsfFindingFilters, Operator};
use crate::model::filter::{as_number, number_test, string_test};
use crate::model::finding::Member;
use crate::model::ocsf::from_millis;
use crate::model::timestamp;

impl OcsfFindingFilters {
    /// Whether `doc` (an OCSF finding) passes the filters, with `now` as the reference for
    /// `DateRange`s.
    pub fn matches(&self, doc: &Value, now: OffsetDateTime) -> bool {
        combine(self.composite_operator, self.composite_filters.iter().map(|c| c.matches(doc, now)))
    }
}

impl CompositeFilter {
    pub fn matches(&self, doc: &Value, now: OffsetDateTime) -> bool {
        let direct = self.conditions.iter().map(|c| c.matches(doc, now));
        let nested = self.nested.iter().map(|n| n.matches(doc, now));
        combine(self.operator, direct.chain(nested))
    }
}

/// AND (the default) or OR over the results; nothing to combine matches everything.
fn combine(op: Option<Operator>, mut results: impl Iterator<Item = bool>) -> bool {
    match op.unwrap_or(Operator::And) {
        Operator::And => results.all(|r| r),
        Operator::Or => {
            let mut any = false;
            for r in results.by_ref() {
                if r {
                    return true;
                }
                any = true;
            }
            !any
        }
    }
}

/// Calls `f` on every value at `path` (dot-separated) below `v`, walking each list met on the way and
/// a list at the end, until `f` returns true. Returns whether it did.
pub(crate) fn walk<'a>(v: &'a Value, path: &[&str], f: &mut dyn FnMut(&'a Value) -> bool) -> bool {
    if let Value::Array(items) = v {
        return items.iter().any(|item| walk(item, path, f));
    }
    match path.split_first() {
        None => f(v),
        Some((seg, rest)) => v.member(seg).is_some_and(|child| walk(child, rest, f)),
    }
}

fn segments(field: &str) -> Vec<&str> {
    field.split('.').collect()
}

/// An OCSF map: an object of strings, or a list of `{name, value}` (or `{key, value}`) pairs.
fn as_map(v: &Value) -> Option<Value> {
    match v {
        Value::Object(_) => Some(v.clone()),
        Value::Array(pairs) => {
            let mut m = Map::new();
            for p in pairs {
                let key = p.member("name").or_else(|| p.member("key")).and_then(Value::as_str);
                if let (Some(k), Some(val)) = (key, p.member("value")) {
                    m.entry(k.to_string()).or_insert_with(|| val.clone());
                }
            }
            Some(Value::Object(m))
        }
        _ => None,
    }
}

impl Condition {
    pub fn matches(&self, doc: &Value, now: OffsetDateTime) -> bool {
        let path = self.path.as_slice();
        match &self.filter {
            OcsfFilter::String(f) => {
                let hit = walk(doc, path, &mut |v| v.as_str().is_some_and(|s| string_test(f, s, true)));
                hit != f.comparison.is_negative()
            }
            OcsfFilter::Number(f) => walk(doc, path, &mut |v| as_number(v).is_some_and(|x| number_test(f, x))),
            OcsfFilter::Boolean(f) => walk(doc, path, &mut |v| v.as_bool() == Some(f.value)),
            OcsfFilter::Date(_) => {
                let mut dates = Vec::new();
                walk(doc, path, &mut |v| {
                    if let Some(s) = v.as_str() {
                        dates.push(json!(s));
                    }
                    false
                });
                if dates.is_empty() {
                    if let Some(base) = self.field.strip_suffix("_dt") {
                        walk(doc, &segments(base), &mut |v| {
                            if let Some(t) = v.as_i64().and_then(from_millis) {
                                dates.push(json!(timestamp::format(t)));
                            }
                            false
                        });
                    }
                }
                self.v1.matches(&json!({ "UpdatedAt": dates }), now)
            }
            OcsfFilter::Map(_) => {
                let (parent, last) = path.split_at(path.len().saturating_sub(1));
                let mut maps = Vec::new();
                walk(doc, parent, &mut |p| {
                    if let Some(m) = last.first().and_then(|k| p.member(k)).and_then(as_map) {
                        maps.push(m);
                    }
                    false
                });
                self.v1.matches(&json!({ "ProductFields": maps }), now)
            }
            OcsfFilter::Ip(_) => {
                let mut ips = Vec::new();
                walk(doc, path, &mut |v| {
                    if v.is_string() {
                        ips.push(v.clone());
                    }
                    false
                });
                self.v1.matches(&json!({ "Network": { "SourceIpV4": ips } }), now)
            }
        }
    }
}
