//! GetFindingHistory on the wire: the request (`HistoryRequest`) and the answer (`HistoryPage` of
//! `HistoryRecord`s, the service model's FindingHistoryRecord), with the update sources a record
//! names.

use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use super::{
    check_members, identifier, max_results, next_token, object, optional_list, page_json, path, required, string,
    WireError,
};
use crate::model::change::FieldChange;
use crate::model::finding::{json_type, FindingKey};
use crate::model::timestamp;

/// UpdateSource.Type of a change made by BatchImportFindings (service model,
/// FindingHistoryUpdateSourceType).
pub const SOURCE_IMPORT: &str = "BATCH_IMPORT_FINDINGS";
/// UpdateSource.Type of a change made by BatchUpdateFindings.
pub const SOURCE_UPDATE: &str = "BATCH_UPDATE_FINDINGS";
/// Security Hub's own automatic changes, kept apart from the provider's: not a value of the wire's
/// UpdateSource.Type, so a record of one prints as the import that caused it (`HistoryRecord::to_json`).
pub const SOURCE_SERVICE: &str = "SERVICE";

/// The request's members, in the order they are read.
const MEMBERS: [&str; 5] = ["FindingIdentifier", "StartTime", "EndTime", "NextToken", "MaxResults"];

/// A GetFindingHistory request.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRequest {
    pub key: FindingKey,
    pub start: Option<OffsetDateTime>,
    pub end: Option<OffsetDateTime>,
    pub next_token: Option<String>,
    pub max_results: usize,
}

impl HistoryRequest {
    pub fn new(key: FindingKey) -> HistoryRequest {
        HistoryRequest { key, start: None, end: None, next_token: None, max_results: 100 }
    }

    /// Reads the exact AWS request JSON. Every error names the member at fault.
    pub fn from_json(v: &Value) -> Result<HistoryRequest, WireError> {
        let obj = object(v, "", "the request body")?;
        check_members(obj, &MEMBERS, "GetFindingHistory")?;
        let id = obj.get("FindingIdentifier").ok_or("FindingIdentifier is required")?;
        let key = identifier(id, "FindingIdentifier")?;
        let time = |m: &str| -> Result<Option<OffsetDateTime>, WireError> {
            match obj.get(m) {
                None => Ok(None),
                Some(Value::String(s)) => timestamp::parse(s)
                    .map(Some)
                    .ok_or_else(|| WireError(format!("{m} \"{s}\" is not an ISO 8601 timestamp"))),
                Some(other) => Err(WireError(format!("{m} must be an ISO 8601 timestamp string, not {other}"))),
            }
        };
        Ok(HistoryRequest {
            key,
            start: time("StartTime")?,
            end: time("EndTime")?,
            next_token: next_token(obj.get("NextToken"))?,
            max_results: max_results(obj.get("MaxResults"))?,
        })
    }

    /// The request JSON. Times are printed the service's way (UTC, milliseconds); MaxResults always.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("FindingIdentifier".into(), self.key.to_json());
        if let Some(t) = self.start {
            m.insert("StartTime".into(), json!(timestamp::format(t)));
        }
        if let Some(t) = self.end {
            m.insert("EndTime".into(), json!(timestamp::format(t)));
        }
        if let Some(t) = &self.next_token {
            m.insert("NextToken".into(), json!(t));
        }
        m.insert("MaxResults".into(), json!(self.max_results));
        Value::Object(m)
    }
}

/// One applied change to a finding.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRecord {
    pub key: FindingKey,
    pub time: String,
    pub created: bool,
    /// BATCH_IMPORT_FINDINGS, BATCH_UPDATE_FINDINGS, or SERVICE for Security Hub's own changes.
    pub source: String,
    pub identity: String,
    /// Why the service made an automatic change.
    pub reason: Option<String>,
    pub updates: Vec<FieldChange>,
}

impl HistoryRecord {
    pub fn is_service_change(&self) -> bool {
        self.source == SOURCE_SERVICE
    }

    /// The `FindingHistoryRecord` shape. The service's automatic changes are reported as part of the
    /// import that caused them, with the service's identity.
    pub fn to_json(&self) -> Value {
        let source_type = if self.source == SOURCE_SERVICE { SOURCE_IMPORT } else { self.source.as_str() };
        let updates: Vec<Value> = self
            .updates
            .iter()
            .map(|u| {
                let mut m = Map::new();
                m.insert("UpdatedField".into(), json!(u.field));
                if let Some(o) = &u.old {
                    m.insert("OldValue".into(), json!(o));
                }
                if let Some(n) = &u.new {
                    m.insert("NewValue".into(), json!(n));
                }
                Value::Object(m)
            })
            .collect();
        json!({
            "FindingIdentifier": self.key.to_json(),
            "UpdateTime": self.time,
            "FindingCreated": self.created,
            "UpdateSource": {"Type": source_type, "Identity": self.identity},
            "Updates": updates,
        })
    }

    /// Reads a FindingHistoryRecord. The wire carries no reason and no SERVICE source (see
    /// `to_json`): a record read has neither. FindingCreated and Updates may be absent (false, none);
    /// members this type does not keep (the model's per-record NextToken) are ignored.
    pub fn from_json(v: &Value) -> Result<HistoryRecord, WireError> {
        HistoryRecord::from_json_at(v, "")
    }

    /// `from_json` of the record at `at` in a response, which the errors name.
    fn from_json_at(v: &Value, at: &str) -> Result<HistoryRecord, WireError> {
        let obj = object(v, at, "the history record")?;
        let key = identifier(required(obj, at, "FindingIdentifier")?, &path(at, "FindingIdentifier"))?;
        let time = string(required(obj, at, "UpdateTime")?, &path(at, "UpdateTime"))?;
        let created = match obj.get("FindingCreated") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                let at = path(at, "FindingCreated");
                return Err(WireError(format!("{at} must be a boolean, not {}", json_type(other))));
            }
        };
        let source_at = path(at, "UpdateSource");
        let source = object(required(obj, at, "UpdateSource")?, &source_at, "")?;
        let kind = string(required(source, &source_at, "Type")?, &path(&source_at, "Type"))?;
        let identity = string(required(source, &source_at, "Identity")?, &path(&source_at, "Identity"))?;
        let updates_at = path(at, "Updates");
        let updates = optional_list(obj, at, "Updates")?
            .iter()
            .enumerate()
            .map(|(i, u)| field_change(u, &format!("{updates_at}[{i}]")))
            .collect::<Result<_, _>>()?;
        Ok(HistoryRecord { key, time, created, source: kind, identity, reason: None, updates })
    }
}

/// A FindingHistoryUpdate: UpdatedField, with OldValue and NewValue when the field had them.
fn field_change(v: &Value, at: &str) -> Result<FieldChange, WireError> {
    let obj = object(v, at, "")?;
    let value = |m: &str| obj.get(m).filter(|v| !v.is_null()).map(|v| string(v, &path(at, m))).transpose();
    Ok(FieldChange {
        field: string(required(obj, at, "UpdatedField")?, &path(at, "UpdatedField"))?,
        old: value("OldValue")?,
        new: value("NewValue")?,
    })
}

/// GetFindingHistory's answer: newest first, with a NextToken while more remain.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HistoryPage {
    pub records: Vec<HistoryRecord>,
    pub next_token: Option<String>,
}

impl HistoryPage {
    pub fn to_json(&self) -> Value {
        page_json("Records", self.records.iter().map(HistoryRecord::to_json).collect(), self.next_token.as_deref())
    }

    /// Reads the response JSON; Records may be absent (no history).
    pub fn from_json(v: &Value) -> Result<HistoryPage, WireError> {
        let obj = object(v, "", "the GetFindingHistory response")?;
        let records = optional_list(obj, "", "Records")?
            .iter()
            .enumerate()
            .map(|(i, r)| HistoryRecord::from_json_at(r, &format!("Records[{i}]")))
            .collect::<Result<_, _>>()?;
        Ok(HistoryPage { records, next_token: next_token(obj.get("NextToken"))? })
    }
}

#[cfg(test)]
mod tests;
