//! GetFindingsV2's `SortCriteria` over OCSF documents. The model types `SortCriterion.Field` as any
//! non-empty string; hubtriage sorts on the fields GetFindingsV2 filters on by value (the string,
//! number, date and boolean field enums) and refuses the others, naming the field. A finding without
//! the field sorts after those with it, either way; ties end on `metadata.uid`, so the order is total
//! and paging returns each finding once.

use std::cmp::Ordering;

use serde_json::Value;

use super::eval::walk;
use super::fields::{kind_of, OcsfFieldKind};
use crate::model::ocsf::from_millis;
use crate::model::timestamp;
use crate::model::wire::get_findings::SortCriterion;

/// The model's spelling of a field GetFindingsV2 sorts on, or the message refusing it.
pub fn check_sort_field(field: &str) -> Result<&'static str, String> {
    match kind_of(field) {
        Some(k @ (OcsfFieldKind::String | OcsfFieldKind::Number | OcsfFieldKind::Date | OcsfFieldKind::Boolean)) => {
            k.field(field).ok_or_else(|| field.to_string())
        }
        _ => Err(format!(
            "{field} cannot be sorted on; use a name of OcsfStringField, OcsfNumberField, OcsfDateField or OcsfBooleanField"
        )),
    }
}

#[derive(Debug, PartialEq, PartialOrd)]
enum Key<'a> {
    Bool(bool),
    Number(f64),
    Text(&'a str),
}

/// The first value of `field` in `doc`, typed for comparing.
fn key<'a>(doc: &'a Value, field: &str) -> Option<Key<'a>> {
    let path: Vec<&str> = field.split('.').collect();
    let mut first: Option<&Value> = None;
    walk(doc, &path, &mut |v| {
        first = Some(v);
        true
    });
    match kind_of(field) {
        Some(OcsfFieldKind::Date) => {
            let t = first.and_then(Value::as_str).and_then(timestamp::parse).or_else(|| {
                let base: Vec<&str> = field.strip_suffix("_dt")?.split('.').collect();
                let mut t = None;
                walk(doc, &base, &mut |v| {
                    t = v.as_i64().and_then(from_millis);
                    t.is_some()
                });
                t
            });
            t.map(|t| Key::Number(timestamp::to_nanos(t) as f64))
        }
        _ => match first? {
            Value::Bool(b) => Some(Key::Bool(*b)),
            Value::Number(n) => n.as_f64().map(Key::Number),
            Value::String(s) => Some(Key::Text(s)),
            _ => None,
        },
    }
}

/// Orders two OCSF findings by the criteria, then by `metadata.uid`.
pub fn compare_findings(a: &Value, b: &Value, criteria: &[SortCriterion]) -> Ordering {
    for c in criteria {
        let ord = match (key(a, &c.field), key(b, &c.field)) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(x), Some(y)) => {
                let o = x.partial_cmp(&y).unwrap_or(Ordering::Equal);
                if c.descending {
                    o.reverse()
                } else {
                    o
                }
            }
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    let uid = |d: &Value| crate::model::finding::str_at(d, &["metadata", "uid"]).to_string();
    uid(a).cmp(&uid(b))
}
