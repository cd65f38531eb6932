//! BatchUpdateFindingsV2 (`PATCH /findingsv2/batchupdatev2`) on the wire: the request (the findings
//! named by `MetadataUids` or by `FindingIdentifiers`, and the `OcsfUpdate`) read with every rule of
//! the service model and the API reference, and the answer (`{ProcessedFindings,
//! UnprocessedFindings}`, both required). A refused request is a ValidationException
//! (`V2Error::from(WireError)`); a finding that cannot be updated is an unprocessed finding with its
//! error code.
//!
//! Rules: `MetadataUids` and `FindingIdentifiers` cannot be used together (the model's doc of
//! MetadataUids), and one of them must name the findings; each takes 1 to 100 entries (the model's
//! 0..100, and an empty list names nothing); `Comment` 1 to 512 characters and not blank;
//! `SeverityId` in [0, 1, 2, 3, 4, 5, 6, 99] and `StatusId` in [0, 1, 2, 3, 4, 5, 99] (the model's
//! doc; an older SDK doc page lists them the other way round); at least one of the three; no other
//! member.

use serde_json::{json, Map, Value};

use super::{check_members, list, object, WireError};
use crate::model::enums::string_enum;
use crate::model::finding::json_type;
use crate::model::ocsf::update::check_comment;
use crate::model::ocsf::{OcsfFindingIdentifier, OcsfUpdate, SeverityId, StatusId};

/// The members a BatchUpdateFindingsV2 request takes.
pub const MEMBERS: [&str; 5] = ["MetadataUids", "FindingIdentifiers", "Comment", "SeverityId", "StatusId"];
/// At most this many findings per call (service model, MetadataUidList and OcsfFindingIdentifierList).
pub const MAX_FINDINGS: usize = 100;

/// How a request names its findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum V2Targets {
    MetadataUids(Vec<String>),
    FindingIdentifiers(Vec<OcsfFindingIdentifier>),
}

impl V2Targets {
    pub fn len(&self) -> usize {
        match self {
            V2Targets::MetadataUids(v) => v.len(),
            V2Targets::FindingIdentifiers(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Each target as the answer names it.
    pub fn refs(&self) -> Vec<V2FindingRef> {
        match self {
            V2Targets::MetadataUids(v) => v.iter().map(|u| V2FindingRef::uid(u.clone())).collect(),
            V2Targets::FindingIdentifiers(v) => v.iter().map(|i| V2FindingRef::identifier(i.clone())).collect(),
        }
    }
}

/// A BatchUpdateFindingsV2 request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchUpdateV2Request {
    pub targets: V2Targets,
    pub update: OcsfUpdate,
}

fn non_blank(v: &Value, at: &str) -> Result<String, WireError> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Ok(s.clone()),
        Value::String(_) => Err(WireError(format!("{at} must not be empty or blank"))),
        other => Err(WireError(format!("{at} must be a string, not {}", json_type(other)))),
    }
}

fn count(member: &str, n: usize) -> Result<(), WireError> {
    if (1..=MAX_FINDINGS).contains(&n) {
        Ok(())
    } else {
        Err(WireError(format!("{member} must name 1 to {MAX_FINDINGS} findings, not {n}")))
    }
}

/// An `OcsfFindingIdentifier` at `at`: the three members, all required non-blank strings.
pub fn identifier_from_json(v: &Value, at: &str) -> Result<OcsfFindingIdentifier, WireError> {
    let obj = object(v, at, "")?;
    check_members(obj, &["CloudAccountUid", "FindingInfoUid", "MetadataProductUid"], "an OcsfFindingIdentifier")?;
    let member = |m: &str| {
        obj.get(m)
            .ok_or_else(|| WireError(format!("{at}.{m} is required")))
            .and_then(|v| non_blank(v, &format!("{at}.{m}")))
    };
    Ok(OcsfFindingIdentifier {
        cloud_account_uid: member("CloudAccountUid")?,
        finding_info_uid: member("FindingInfoUid")?,
        metadata_product_uid: member("MetadataProductUid")?,
    })
}

fn id_member<T>(
    v: &Value,
    member: &str,
    from_id: fn(i64) -> Option<T>,
    allowed: fn() -> String,
) -> Result<T, WireError> {
    let n = v.as_i64().ok_or_else(|| WireError(format!("{member} must be an integer, not {v}")))?;
    from_id(n).ok_or_else(|| WireError(format!("{member} {n} is not one of {}", allowed())))
}

impl BatchUpdateV2Request {
    /// Reads the exact AWS request JSON. Every error names the member at fault.
    pub fn from_json(v: &Value) -> Result<BatchUpdateV2Request, WireError> {
        let obj = object(v, "", "the request body")?;
        check_members(obj, &MEMBERS, "BatchUpdateFindingsV2")?;
        let targets =
            match (obj.get("MetadataUids"), obj.get("FindingIdentifiers")) {
                (Some(_), Some(_)) => return Err(WireError::from(
                    "MetadataUids and FindingIdentifiers cannot be used together; name the findings with one of them",
                )),
                (None, None) => return Err(WireError::from("one of MetadataUids or FindingIdentifiers is required")),
                (Some(uids), None) => {
                    let uids = list(uids, "MetadataUids")?;
                    count("MetadataUids", uids.len())?;
                    V2Targets::MetadataUids(
                        uids.iter()
                            .enumerate()
                            .map(|(i, u)| non_blank(u, &format!("MetadataUids[{i}]")))
                            .collect::<Result<_, _>>()?,
                    )
                }
                (None, Some(ids)) => {
                    let ids = list(ids, "FindingIdentifiers")?;
                    count("FindingIdentifiers", ids.len())?;
                    V2Targets::FindingIdentifiers(
                        ids.iter()
                            .enumerate()
                            .map(|(i, id)| identifier_from_json(id, &format!("FindingIdentifiers[{i}]")))
                            .collect::<Result<_, _>>()?,
                    )
                }
            };
        let mut update = OcsfUpdate::default();
        if let Some(c) = obj.get("Comment") {
            let c = match c {
                Value::String(s) => s,
                other => return Err(WireError(format!("Comment must be a string, not {}", json_type(other)))),
            };
            check_comment(c)?;
            update.comment = Some(c.clone());
        }
        if let Some(s) = obj.get("SeverityId") {
            update.severity_id = Some(id_member(s, "SeverityId", SeverityId::from_id, SeverityId::allowed)?);
        }
        if let Some(s) = obj.get("StatusId") {
            update.status_id = Some(id_member(s, "StatusId", StatusId::from_id, StatusId::allowed)?);
        }
        if update.is_empty() {
            return Err(WireError::from("at least one of Comment, SeverityId or StatusId is required"));
        }
        Ok(BatchUpdateV2Request { targets, update })
    }

    /// The request as a client sends it.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        match &self.targets {
            V2Targets::MetadataUids(v) => m.insert("MetadataUids".into(), json!(v)),
            V2Targets::FindingIdentifiers(v) => {
                m.insert("FindingIdentifiers".into(), v.iter().map(OcsfFindingIdentifier::to_json).collect())
            }
        };
        if let Some(c) = &self.update.comment {
            m.insert("Comment".into(), json!(c));
        }
        if let Some(s) = self.update.severity_id {
            m.insert("SeverityId".into(), json!(s.id()));
        }
        if let Some(s) = self.update.status_id {
            m.insert("StatusId".into(), json!(s.id()));
        }
        Value::Object(m)
    }
}

/// A finding as the answer names it: by its `MetadataUid`, its `FindingIdentifier`, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct V2FindingRef {
    pub finding_identifier: Option<OcsfFindingIdentifier>,
    pub metadata_uid: Option<String>,
}

impl V2FindingRef {
    pub fn uid(uid: impl Into<String>) -> V2FindingRef {
        V2FindingRef { finding_identifier: None, metadata_uid: Some(uid.into()) }
    }

    pub fn identifier(id: OcsfFindingIdentifier) -> V2FindingRef {
        V2FindingRef { finding_identifier: Some(id), metadata_uid: None }
    }

    fn write(&self, m: &mut Map<String, Value>) {
        if let Some(id) = &self.finding_identifier {
            m.insert("FindingIdentifier".into(), id.to_json());
        }
        if let Some(uid) = &self.metadata_uid {
            m.insert("MetadataUid".into(), json!(uid));
        }
    }

    fn read(obj: &Map<String, Value>, at: &str) -> Result<V2FindingRef, WireError> {
        let finding_identifier = obj
            .get("FindingIdentifier")
            .map(|v| identifier_from_json(v, &format!("{at}.FindingIdentifier")))
            .transpose()?;
        let metadata_uid = obj.get("MetadataUid").map(|v| non_blank(v, &format!("{at}.MetadataUid"))).transpose()?;
        Ok(V2FindingRef { finding_identifier, metadata_uid })
    }
}

string_enum!(
    /// `BatchUpdateFindingsV2UnprocessedFindingErrorCode`.
    V2UnprocessedCode {
        ResourceNotFoundException => "ResourceNotFoundException",
        ValidationException => "ValidationException",
        InternalServerException => "InternalServerException",
        ConflictException => "ConflictException",
    }
);

/// One `UnprocessedFindings` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V2Unprocessed {
    pub finding: V2FindingRef,
    pub error_code: V2UnprocessedCode,
    pub error_message: String,
}

/// The answer of one BatchUpdateFindingsV2 call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchUpdateV2Result {
    pub processed: Vec<V2FindingRef>,
    pub unprocessed: Vec<V2Unprocessed>,
}

impl BatchUpdateV2Result {
    /// `{ProcessedFindings, UnprocessedFindings}`, both always present.
    pub fn to_json(&self) -> Value {
        let processed = self.processed.iter().map(|r| {
            let mut m = Map::new();
            r.write(&mut m);
            Value::Object(m)
        });
        let unprocessed = self.unprocessed.iter().map(|u| {
            let mut m = Map::new();
            u.finding.write(&mut m);
            m.insert("ErrorCode".into(), json!(u.error_code.as_str()));
            m.insert("ErrorMessage".into(), json!(u.error_message));
            Value::Object(m)
        });
        json!({"ProcessedFindings": processed.collect::<Vec<_>>(), "UnprocessedFindings": unprocessed.collect::<Vec<_>>()})
    }

    /// Reads the answer; both lists are required. An error code this version does not know is
    /// refused, naming it.
    pub fn from_json(v: &Value) -> Result<BatchUpdateV2Result, WireError> {
        let obj = object(v, "", "the BatchUpdateFindingsV2 response")?;
        let member = |m: &str| obj.get(m).ok_or_else(|| WireError(format!("{m} is required"))).and_then(|l| list(l, m));
        let mut out = BatchUpdateV2Result::default();
        for (i, p) in member("ProcessedFindings")?.iter().enumerate() {
            let at = format!("ProcessedFindings[{i}]");
            out.processed.push(V2FindingRef::read(object(p, &at, "")?, &at)?);
        }
        for (i, u) in member("UnprocessedFindings")?.iter().enumerate() {
            let at = format!("UnprocessedFindings[{i}]");
            let o = object(u, &at, "")?;
            let code = o.get("ErrorCode").and_then(Value::as_str).unwrap_or_default();
            let error_code = V2UnprocessedCode::parse(code).ok_or_else(|| {
                WireError(format!("{at}.ErrorCode \"{code}\" is not one of {}", V2UnprocessedCode::allowed()))
            })?;
            out.unprocessed.push(V2Unprocessed {
                finding: V2FindingRef::read(o, &at)?,
                error_code,
                error_message: o.get("ErrorMessage").and_then(Value::as_str).unwrap_or_default().to_string(),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
