//! The compliance section of a control finding: why it has its status (`Compliance.StatusReasons`),
//! the standards the control belongs to, the requirements it maps to, and the control's parameters
//! (AWS Security Finding Format (ASFF) reference, Compliance). The status and the control id are
//! the header's `Compliance` field (`model::control` finds the id, with its ProductFields fallback).
//!
//! Control findings written before consolidated controls name their standard only in
//! `ProductFields` (`StandardsArn`, `StandardsGuideArn`); those are shown when
//! `AssociatedStandards` is absent, for Security Hub's own findings (the same rule as
//! `control::control_id`).

use serde_json::Value;

use super::{at, joined, list, scalar, DetailLine, DetailSection};
use crate::model::control;

pub(super) fn section(doc: &Value) -> Option<DetailSection> {
    let compliance = doc.get("Compliance").filter(|c| c.is_object());
    let mut lines = Vec::new();
    if let Some(c) = compliance {
        for reason in list(c, &["StatusReasons"]) {
            let code = at(reason, &["ReasonCode"]).unwrap_or_else(|| "-".into());
            let text = match at(reason, &["Description"]) {
                Some(d) => format!("{code}: {d}"),
                None => code,
            };
            lines.push(DetailLine::kv(2, "reason", text));
        }
    }
    let standards: Vec<String> = compliance
        .map(|c| list(c, &["AssociatedStandards"]).iter().filter_map(|s| at(s, &["StandardsId"])).collect())
        .unwrap_or_default();
    // Older control findings: the standard as ProductFields names it.
    let legacy = || {
        let arn = doc.get("ProductArn").and_then(Value::as_str)?;
        let fields = doc.get("ProductFields").filter(|_| control::is_security_hub_product(arn))?;
        scalar(fields.get("StandardsArn")).or_else(|| scalar(fields.get("StandardsGuideArn")))
    };
    if standards.is_empty() {
        if let Some(s) = legacy() {
            lines.push(DetailLine::kv(2, "standard", s));
        }
    }
    for s in standards {
        lines.push(DetailLine::kv(2, "standard", s));
    }
    if let Some(c) = compliance {
        if let Some(reqs) = joined(c, &["RelatedRequirements"]) {
            lines.push(DetailLine::kv(2, "requirements", reqs));
        }
        for p in list(c, &["SecurityControlParameters"]) {
            let name = at(p, &["Name"]).unwrap_or_else(|| "-".into());
            let value = joined(p, &["Value"]).unwrap_or_else(|| "-".into());
            lines.push(DetailLine::kv(2, "parameter", format!("{name} = {value}")));
        }
    }
    (!lines.is_empty()).then_some(DetailSection { heading: "Compliance", lines })
}
