//! The checks a V2 (OCSF) finding passes before it is stored. There is no public V2 import API, so
//! the rules are hubtriage's, chosen to keep what the V2 APIs rely on: what names the finding
//! (`metadata.uid`, and the triple `cloud.account.uid`, `finding_info.uid`, `metadata.product.uid`
//! that BatchUpdateFindingsV2 also takes), a class Security Hub keeps (`class_uid` 2002, 2003, 2004
//! or 2006), the two ids BatchUpdateFindingsV2 edits (`severity_id`, `status_id`, in the service
//! model's sets), and a time an import can compare (`finding_info.modified_time(_dt)` or
//! `time(_dt)`). Messages follow the ASFF validator's ("data.<member path> should ...") and name the
//! member at fault.

use serde_json::Value;

use super::{ComplianceStatusId, OcsfClass, SeverityId, StatusId};
use crate::model::finding::{json_type, value_at, Member};
use crate::model::timestamp;

/// Longest `comment` kept, as BatchUpdateFindingsV2 allows (service model, Comment: 512 characters).
pub const MAX_COMMENT_CHARS: usize = 512;

/// Checks an OCSF finding for import. `Err` is the message naming the member at fault.
pub fn validate_ocsf(doc: &Value) -> Result<(), String> {
    if !doc.is_object() {
        return Err("data should be an object".to_string());
    }
    required_string(doc, &["metadata", "uid"])?;
    required_string(doc, &["finding_info", "uid"])?;
    let account = required_string(doc, &["cloud", "account", "uid"])?;
    required_string(doc, &["metadata", "product", "uid"])?;
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("data.cloud.account.uid \"{account}\" should be a 12-digit account id"));
    }
    let class = required_int(doc, "class_uid")?;
    if OcsfClass::from_id(class).is_none() {
        return Err(format!(
            "data.class_uid {class} should be one of {} (Vulnerability, Compliance, Detection, Data Security Finding)",
            OcsfClass::allowed()
        ));
    }
    let severity = required_int(doc, "severity_id")?;
    if SeverityId::from_id(severity).is_none() {
        return Err(format!("data.severity_id {severity} should be one of {}", SeverityId::allowed()));
    }
    let status = required_int(doc, "status_id")?;
    if StatusId::from_id(status).is_none() {
        return Err(format!("data.status_id {status} should be one of {}", StatusId::allowed()));
    }
    for member in ["severity", "status", "class_name", "comment"] {
        optional_string(doc, &[member])?;
    }
    if let Some(c) = doc.member("comment").and_then(Value::as_str) {
        let n = c.chars().count();
        if n > MAX_COMMENT_CHARS {
            return Err(format!("data.comment should NOT be longer than {MAX_COMMENT_CHARS} characters (it has {n})"));
        }
    }
    let mut has_time = false;
    for (at, name) in [(&["finding_info"][..], "modified_time"), (&[], "time"), (&["finding_info"], "created_time")] {
        let here = value_at(doc, at);
        let dotted = |m: &str| at.iter().copied().chain([m]).collect::<Vec<_>>().join(".");
        let dt_name = match name {
            "modified_time" => "modified_time_dt",
            "time" => "time_dt",
            _ => "created_time_dt",
        };
        if let Some(v) = here.and_then(|h| h.member(dt_name)) {
            let ok = v.as_str().and_then(timestamp::parse).is_some();
            if !ok {
                return Err(format!("data.{} {v} is not an RFC 3339 date-time", dotted(dt_name)));
            }
            has_time |= name != "created_time";
        }
        if let Some(v) = here.and_then(|h| h.member(name)) {
            if v.as_i64().and_then(super::from_millis).is_none() {
                return Err(format!(
                    "data.{} should be an integer (milliseconds since the epoch), not {v}",
                    dotted(name)
                ));
            }
            has_time |= name != "created_time";
        }
    }
    if !has_time {
        return Err(
            "data should have finding_info.modified_time_dt, finding_info.modified_time, time_dt or time".to_string()
        );
    }
    if let Some(c) = doc.member("compliance") {
        if !c.is_object() {
            return Err(format!("data.compliance should be object, not {}", json_type(c)));
        }
        if let Some(v) = c.member("status_id") {
            if v.as_i64().and_then(ComplianceStatusId::from_id).is_none() {
                return Err(format!(
                    "data.compliance.status_id {v} should be one of {}",
                    ComplianceStatusId::allowed()
                ));
            }
        }
    }
    for member in ["resources", "vulnerabilities"] {
        if let Some(v) = doc.member(member) {
            let list = v.as_array().ok_or_else(|| format!("data.{member} should be array"))?;
            if let Some(i) = list.iter().position(|r| !r.is_object()) {
                return Err(format!("data.{member}[{i}] should be object"));
            }
        }
    }
    Ok(())
}

/// The non-empty string at `path`; a missing member is named from its nearest present parent, as
/// the ASFF validator does ("data.metadata should have required property 'uid'").
fn required_string<'a>(doc: &'a Value, path: &[&str]) -> Result<&'a str, String> {
    // The names are made only for a message: every import checks four paths of every finding.
    let parent = |i: usize| if i == 0 { "data".to_string() } else { format!("data.{}", path[..i].join(".")) };
    let here = || format!("data.{}", path.join("."));
    let mut at = doc;
    for (i, member) in path.iter().enumerate() {
        if !at.is_object() {
            return Err(format!("{} should be object, not {}", parent(i), json_type(at)));
        }
        at = match at.member(member) {
            None | Some(Value::Null) => return Err(format!("{} should have required property '{member}'", parent(i))),
            Some(v) => v,
        };
    }
    match at {
        Value::String(s) if s.trim().is_empty() => Err(format!("{} should NOT be empty or blank", here())),
        Value::String(s) => Ok(s),
        other => Err(format!("{} should be string, not {}", here(), json_type(other))),
    }
}

fn optional_string(doc: &Value, path: &[&str]) -> Result<(), String> {
    match value_at(doc, path) {
        None | Some(Value::String(_)) => Ok(()),
        Some(other) => Err(format!("data.{} should be string, not {}", path.join("."), json_type(other))),
    }
}

/// The integer top-level `member` (OCSF ids are integers; `3.0` and `"3"` are refused).
fn required_int(doc: &Value, member: &str) -> Result<i64, String> {
    match doc.member(member) {
        None | Some(Value::Null) => Err(format!("data should have required property '{member}'")),
        Some(v) => v.as_i64().ok_or_else(|| format!("data.{member} should be integer, not {v}")),
    }
}
