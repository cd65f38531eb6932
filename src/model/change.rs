//! What changed in a finding, field by field, as GetFindingHistory reports it.

use serde_json::Value;

/// One field's value before and after a change. `None` means the field was absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// Strings as they are, anything else as compact JSON: the `OldValue`/`NewValue` form.
pub fn render(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Members that change on every import and say nothing to an analyst.
const NOISE: [&str; 1] = ["ProcessedAt"];

/// Field-level differences between two documents: top-level members, and one level into objects
/// (`Severity.Label`, `Workflow.Status`, `Note.Text`) so the history reads the way analysts think.
pub fn diff(old: &Value, new: &Value) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let empty = serde_json::Map::new();
    let old_map = old.as_object().unwrap_or(&empty);
    let new_map = new.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = old_map.keys().collect();
    keys.extend(new_map.keys().filter(|k| !old_map.contains_key(*k)));
    for key in keys {
        if NOISE.contains(&key.as_str()) {
            continue;
        }
        let (a, b) = (old_map.get(key), new_map.get(key));
        if a == b {
            continue;
        }
        match (a, b) {
            (Some(Value::Object(x)), Some(Value::Object(y))) => {
                let mut sub: Vec<&String> = x.keys().collect();
                sub.extend(y.keys().filter(|k| !x.contains_key(*k)));
                for s in sub {
                    let (p, q) = (x.get(s), y.get(s));
                    if p != q {
                        out.push(FieldChange { field: format!("{key}.{s}"), old: p.map(render), new: q.map(render) });
                    }
                }
            }
            _ => out.push(FieldChange { field: key.clone(), old: a.map(render), new: b.map(render) }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_reports_leaf_changes_one_level_deep() {
        let a = json!({"Title": "a", "Severity": {"Label": "LOW", "Normalized": 1}, "Gone": 1, "ProcessedAt": "x"});
        let b = json!({"Title": "b", "Severity": {"Label": "HIGH", "Normalized": 1}, "New": [1], "ProcessedAt": "y"});
        let d = diff(&a, &b);
        assert_eq!(
            d,
            vec![
                FieldChange { field: "Title".into(), old: Some("a".into()), new: Some("b".into()) },
                FieldChange { field: "Severity.Label".into(), old: Some("LOW".into()), new: Some("HIGH".into()) },
                FieldChange { field: "Gone".into(), old: Some("1".into()), new: None },
                FieldChange { field: "New".into(), old: None, new: Some("[1]".into()) },
            ]
        );
        assert!(diff(&a, &a).is_empty());
    }
}
