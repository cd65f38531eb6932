//! BatchUpdateFindings on the wire: the request (`BatchUpdateRequest`, the findings named and the
//! update), read with the value rules of `model::update` applied as each member is read, and the
//! answer (`UpdateResult`, `{ProcessedFindings, UnprocessedFindings}`), as the BatchUpdateFindings API
//! reference and the service model shape them.

use serde_json::{json, Map, Value};

use super::{identifier, list, object, path, required, string, WireError};
use crate::model::enums::{SeverityLabel, VerificationState, WorkflowStatus};
use crate::model::finding::{json_type, FindingKey};
use crate::model::update::rules::{
    check_identifier_count, check_not_blank, check_note_length, check_product, check_ratio, check_severity, check_type,
    check_type_count, check_user_field, check_user_field_count, MAX_RELATED,
};
use crate::model::update::{FindingUpdate, NoteUpdate, SeverityUpdate, UpdateError, MAX_IDENTIFIERS, MEMBERS};

/// A BatchUpdateFindings request: the findings to update and what to change in each.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchUpdateRequest {
    pub identifiers: Vec<FindingKey>,
    pub update: FindingUpdate,
}

fn string_at<'a>(v: &'a Value, member: &str, at: &str) -> Result<&'a str, WireError> {
    match v.get(member) {
        Some(Value::String(s)) => {
            check_not_blank(s, || format!("{at}.{member}"))?;
            Ok(s)
        }
        Some(other) => Err(format!("{at}.{member} must be a string, not {}", json_type(other)).into()),
        None => Err(format!("{at}.{member} is required").into()),
    }
}

/// The service model's shapes inside the request have only the members it names: any other is
/// refused naming it (`what` says which shape, for the message).
fn only_members(obj: &Map<String, Value>, at: &str, what: &str, allowed: &[&str]) -> Result<(), WireError> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(format!("unknown member {at}.{k}; {what} accepts {}", allowed.join(", ")).into()),
        None => Ok(()),
    }
}

fn ratio(v: &Value, at: &'static str) -> Result<i64, UpdateError> {
    match v.as_i64() {
        Some(n) => check_ratio(n, at),
        None => Err(UpdateError::NotARatio { member: at, value: v.to_string() }),
    }
}

fn parse_identifiers(v: &Value, at: &'static str, max: usize) -> Result<Vec<FindingKey>, WireError> {
    let list = v.as_array().ok_or_else(|| format!("{at} must be a list, not {}", json_type(v)))?;
    check_identifier_count(at, list.len(), max)?;
    list.iter()
        .enumerate()
        .map(|(i, item)| {
            let here = format!("{at}[{i}]");
            let Some(obj) = item.as_object() else {
                return Err(format!("{here} must be an object with Id and ProductArn").into());
            };
            only_members(obj, &here, "a finding identifier", &["Id", "ProductArn"])?;
            Ok(FindingKey::new(string_at(item, "ProductArn", &here)?, string_at(item, "Id", &here)?))
        })
        .collect()
}

impl BatchUpdateRequest {
    /// Reads the exact AWS request JSON. Every error names the member at fault.
    pub fn from_json(v: &Value) -> Result<BatchUpdateRequest, WireError> {
        let obj = v.as_object().ok_or("the request body must be a JSON object")?;
        if let Some(unknown) = obj.keys().find(|k| !MEMBERS.contains(&k.as_str())) {
            return Err(format!("unknown member {unknown}; BatchUpdateFindings accepts {}", MEMBERS.join(", ")).into());
        }
        let ids = obj.get("FindingIdentifiers").ok_or("FindingIdentifiers is required")?;
        let identifiers = parse_identifiers(ids, "FindingIdentifiers", MAX_IDENTIFIERS)?;
        if identifiers.is_empty() {
            return Err("FindingIdentifiers must name at least one finding".into());
        }
        let mut u = FindingUpdate::default();
        if let Some(n) = obj.get("Note") {
            let Some(note) = n.as_object() else {
                return Err("Note must be an object with Text and UpdatedBy".into());
            };
            only_members(note, "Note", "Note", &["Text", "UpdatedBy"])?;
            let text = string_at(n, "Text", "Note")?;
            check_note_length(text)?;
            u.note =
                Some(NoteUpdate { text: text.to_string(), updated_by: string_at(n, "UpdatedBy", "Note")?.to_string() });
        }
        if let Some(s) = obj.get("Severity") {
            let s = s.as_object().ok_or("Severity must be an object")?;
            let mut sev = SeverityUpdate::default();
            if let Some(l) = s.get("Label") {
                sev.label = Some(
                    l.as_str()
                        .and_then(SeverityLabel::parse)
                        .ok_or_else(|| format!("Severity.Label {l} is not one of {}", SeverityLabel::allowed()))?,
                );
            }
            if let Some(n) = s.get("Normalized") {
                sev.normalized = Some(ratio(n, "Severity.Normalized")?);
            }
            if let Some(p) = s.get("Product") {
                let p = p.as_f64().ok_or_else(|| UpdateError::NotANumber { value: p.to_string() })?;
                sev.product = Some(check_product(p)?);
            }
            if let Some(k) = s.keys().find(|k| !["Label", "Normalized", "Product"].contains(&k.as_str())) {
                return Err(format!("unknown member Severity.{k}; Severity accepts Label, Normalized, Product").into());
            }
            check_severity(&sev)?;
            u.severity = Some(sev);
        }
        if let Some(v) = obj.get("VerificationState") {
            u.verification_state = Some(
                v.as_str()
                    .and_then(VerificationState::parse)
                    .ok_or_else(|| format!("VerificationState {v} is not one of {}", VerificationState::allowed()))?,
            );
        }
        if let Some(v) = obj.get("Confidence") {
            u.confidence = Some(ratio(v, "Confidence")?);
        }
        if let Some(v) = obj.get("Criticality") {
            u.criticality = Some(ratio(v, "Criticality")?);
        }
        if let Some(v) = obj.get("Types") {
            let list = v.as_array().ok_or("Types must be a list of strings")?;
            check_type_count(list.len())?;
            let mut types = Vec::with_capacity(list.len());
            for (i, t) in list.iter().enumerate() {
                let t = t.as_str().ok_or_else(|| format!("Types[{i}] must be a string"))?;
                check_type(i, t)?;
                types.push(t.to_string());
            }
            u.types = Some(types);
        }
        if let Some(v) = obj.get("UserDefinedFields") {
            let map = v.as_object().ok_or("UserDefinedFields must be an object of string to string")?;
            check_user_field_count(map.len())?;
            let mut pairs = Vec::with_capacity(map.len());
            for (k, val) in map {
                let val = val.as_str().ok_or_else(|| format!("UserDefinedFields.{k} must be a string"))?;
                check_user_field(k, val)?;
                pairs.push((k.clone(), val.to_string()));
            }
            u.user_defined_fields = Some(pairs);
        }
        if let Some(w) = obj.get("Workflow") {
            // A null Workflow is refused as a null Note is (boto3 never sends one).
            let workflow =
                w.as_object().ok_or_else(|| format!("Workflow must be an object with Status, not {}", json_type(w)))?;
            only_members(workflow, "Workflow", "Workflow", &["Status"])?;
            let status = w.get("Status").ok_or("Workflow must have a Status")?;
            u.workflow_status = Some(
                status
                    .as_str()
                    .and_then(WorkflowStatus::parse)
                    .ok_or_else(|| format!("Workflow.Status {status} is not one of {}", WorkflowStatus::allowed()))?,
            );
        }
        if let Some(r) = obj.get("RelatedFindings") {
            u.related_findings = Some(parse_identifiers(r, "RelatedFindings", MAX_RELATED)?);
        }
        if u.is_empty() {
            return Err(UpdateError::NothingToUpdate.into());
        }
        Ok(BatchUpdateRequest { identifiers, update: u })
    }

    pub fn to_json(&self) -> Value {
        let mut m = self.update.to_json();
        m.insert("FindingIdentifiers".into(), Value::Array(self.identifiers.iter().map(FindingKey::to_json).collect()));
        Value::Object(m)
    }
}

/// Printed here, beside `BatchUpdateRequest::from_json` that reads the same members back.
impl FindingUpdate {
    /// The request members for these fields (without FindingIdentifiers).
    pub fn to_json(&self) -> Map<String, Value> {
        let mut m = Map::new();
        if let Some(n) = &self.note {
            m.insert("Note".into(), json!({"Text": n.text, "UpdatedBy": n.updated_by}));
        }
        if let Some(s) = &self.severity {
            let mut o = Map::new();
            if let Some(l) = s.label {
                o.insert("Label".into(), json!(l.as_str()));
            }
            if let Some(n) = s.normalized {
                o.insert("Normalized".into(), json!(n));
            }
            if let Some(p) = s.product {
                o.insert("Product".into(), json!(p));
            }
            m.insert("Severity".into(), Value::Object(o));
        }
        if let Some(v) = self.verification_state {
            m.insert("VerificationState".into(), json!(v.as_str()));
        }
        if let Some(c) = self.confidence {
            m.insert("Confidence".into(), json!(c));
        }
        if let Some(c) = self.criticality {
            m.insert("Criticality".into(), json!(c));
        }
        if let Some(t) = &self.types {
            m.insert("Types".into(), json!(t));
        }
        if let Some(u) = &self.user_defined_fields {
            let o: Map<String, Value> = u.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
            m.insert("UserDefinedFields".into(), Value::Object(o));
        }
        if let Some(w) = self.workflow_status {
            m.insert("Workflow".into(), json!({"Status": w.as_str()}));
        }
        if let Some(r) = &self.related_findings {
            m.insert("RelatedFindings".into(), Value::Array(r.iter().map(FindingKey::to_json).collect()));
        }
        m
    }
}

/// BatchUpdateFindings' answer: exactly `{ProcessedFindings, UnprocessedFindings}`, in the order the
/// request named the findings.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpdateResult {
    pub processed: Vec<FindingKey>,
    pub unprocessed: Vec<Unprocessed>,
}

/// A finding BatchUpdateFindings did not update (BatchUpdateFindingsUnprocessedFinding).
#[derive(Debug, Clone, PartialEq)]
pub struct Unprocessed {
    pub key: FindingKey,
    pub code: String,
    pub message: String,
}

impl UpdateResult {
    pub fn to_json(&self) -> Value {
        json!({
            "ProcessedFindings": self.processed.iter().map(FindingKey::to_json).collect::<Vec<_>>(),
            "UnprocessedFindings": self.unprocessed.iter().map(Unprocessed::to_json).collect::<Vec<_>>(),
        })
    }

    /// Reads the response JSON. Both lists are required members of the service model's
    /// BatchUpdateFindingsResponse.
    pub fn from_json(v: &Value) -> Result<UpdateResult, WireError> {
        let obj = object(v, "", "the BatchUpdateFindings response")?;
        let processed = list(required(obj, "", "ProcessedFindings")?, "ProcessedFindings")?
            .iter()
            .enumerate()
            .map(|(i, k)| identifier(k, &format!("ProcessedFindings[{i}]")))
            .collect::<Result<_, _>>()?;
        let unprocessed = list(required(obj, "", "UnprocessedFindings")?, "UnprocessedFindings")?
            .iter()
            .enumerate()
            .map(|(i, u)| Unprocessed::from_json_at(u, &format!("UnprocessedFindings[{i}]")))
            .collect::<Result<_, _>>()?;
        Ok(UpdateResult { processed, unprocessed })
    }
}

impl Unprocessed {
    /// `{FindingIdentifier, ErrorCode, ErrorMessage}` (BatchUpdateFindingsUnprocessedFinding).
    pub fn to_json(&self) -> Value {
        json!({"FindingIdentifier": self.key.to_json(), "ErrorCode": self.code, "ErrorMessage": self.message})
    }

    /// Reads one entry of UnprocessedFindings; all three members are required.
    pub fn from_json(v: &Value) -> Result<Unprocessed, WireError> {
        Unprocessed::from_json_at(v, "")
    }

    /// `from_json` of the entry at `at` in a response, which the errors name.
    fn from_json_at(v: &Value, at: &str) -> Result<Unprocessed, WireError> {
        let obj = object(v, at, "the unprocessed finding")?;
        let member = |m: &str| Ok::<_, WireError>((required(obj, at, m)?, path(at, m)));
        let (key, key_at) = member("FindingIdentifier")?;
        let (code, code_at) = member("ErrorCode")?;
        let (message, message_at) = member("ErrorMessage")?;
        Ok(Unprocessed {
            key: identifier(key, &key_at)?,
            code: string(code, &code_at)?,
            message: string(message, &message_at)?,
        })
    }
}

#[cfg(test)]
mod tests;
