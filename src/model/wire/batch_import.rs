//! BatchImportFindings on the wire: the request (`BatchImportRequest`, `{"Findings": [...]}`) and the
//! answer (`ImportResult`, `{FailedCount, SuccessCount, FailedFindings}`), as the BatchImportFindings
//! API reference and the service model shape them. The findings themselves are carried as JSON: their
//! checks (the ASFF rules, the call's limits) are the store's, per finding.

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{json, Value};

use super::{object, optional_list, path, required, string, WireError};
use crate::model::raw::{ContainedFinding, Incoming};

/// A BatchImportFindings request: the findings, as the caller wrote them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchImportRequest {
    pub findings: Vec<Value>,
}

impl BatchImportRequest {
    /// Reads the exact AWS request JSON. Findings is checked before any other member, so a body
    /// that is not an object is refused as having no Findings.
    pub fn from_json(v: &Value) -> Result<BatchImportRequest, WireError> {
        let findings = match v.get("Findings") {
            Some(Value::Array(list)) => list.clone(),
            Some(_) => return Err("Findings must be a list of findings".into()),
            None => return Err("Findings is required".into()),
        };
        if let Some(k) = v.as_object().and_then(|o| o.keys().find(|k| *k != "Findings")) {
            return Err(format!("unknown member {k}; BatchImportFindings accepts Findings").into());
        }
        Ok(BatchImportRequest { findings })
    }

    /// Reads a request body's text: as `from_json`, but a body with `Findings` twice is refused,
    /// which a body read into a tree first cannot tell (its last member wins, where the CLI's reading
    /// of a file refuses the second). The JSON API's body reading should call this for
    /// BatchImportFindings.
    pub fn from_body(body: &[u8]) -> Result<BatchImportRequest, WireError> {
        BatchImportRequest::check_body(body)?;
        let v: Value = serde_json::from_slice(body).map_err(|e| WireError(format!("the request is not JSON: {e}")))?;
        BatchImportRequest::from_json(&v)
    }

    /// Refuses a request body with `Findings` twice, before it is read into a tree that would keep
    /// only the last (a body that is not JSON is left to the reader that follows, for its message).
    pub fn check_body(body: &[u8]) -> Result<(), WireError> {
        match serde_json::from_slice::<FindingsMembers>(body) {
            Ok(count) if count.0 > 1 => {
                Err("Findings appears more than once in the request; send one Findings list".into())
            }
            _ => Ok(()),
        }
    }

    pub fn to_json(&self) -> Value {
        json!({"Findings": self.findings})
    }
}

/// Why a BatchImportFindings request body could not be split into findings.
#[derive(Debug)]
pub enum BodyError {
    /// Not JSON: serde_json's error, which has the position.
    NotJson(serde_json::Error),
    /// JSON, but not an object.
    NotObject,
    /// An object without the request's shape (`from_json`'s messages).
    Shape(WireError),
}

impl BatchImportRequest {
    /// Reads a request body's text (`hubtriage api`'s input, serve's HTTP body) into its findings,
    /// each read as a file's findings are (`ContainedFinding`): a finding that could not be read
    /// back once stored (nested too deeply, a number beyond f64) is kept with its defect and fails
    /// alone on import, where reading the body into one tree failed the whole request for it. Only
    /// a body that cannot be split into findings is refused whole, with `from_json`'s and
    /// `check_body`'s messages.
    pub fn read_body(body: &[u8]) -> Result<Vec<Incoming>, BodyError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(BodyError::Shape("Findings is required".into()));
        }
        BatchImportRequest::check_body(body).map_err(BodyError::Shape)?;
        let mut de = serde_json::Deserializer::from_slice(body);
        let envelope = de.deserialize_any(EnvelopeReader).and_then(|e| de.end().map(|()| e));
        match envelope.map_err(BodyError::NotJson)? {
            Envelope::NotObject => Err(BodyError::NotObject),
            Envelope::Object { findings: None, .. } => Err(BodyError::Shape("Findings is required".into())),
            Envelope::Object { findings: Some(None), .. } => {
                Err(BodyError::Shape("Findings must be a list of findings".into()))
            }
            Envelope::Object { unknown: Some(k), .. } => {
                Err(BodyError::Shape(format!("unknown member {k}; BatchImportFindings accepts Findings").into()))
            }
            Envelope::Object { findings: Some(Some(list)), unknown: None } => Ok(list),
        }
    }
}

/// A request body as `read_body` reads it: `Findings` (`None` if absent, `Some(None)` if not a
/// list) and the first other member's name.
enum Envelope {
    NotObject,
    Object { findings: Option<Option<Vec<Incoming>>>, unknown: Option<String> },
}

struct EnvelopeReader;

impl<'de> Visitor<'de> for EnvelopeReader {
    type Value = Envelope;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope, A::Error> {
        let (mut findings, mut unknown) = (None, None);
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == "Findings" {
                findings = Some(map.next_value_seed(ListReader)?);
            } else {
                map.next_value::<IgnoredAny>()?;
                unknown.get_or_insert_with(|| key.into_owned());
            }
        }
        Ok(Envelope::Object { findings, unknown })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Envelope, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Envelope::NotObject)
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Envelope, E> {
        Ok(Envelope::NotObject)
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Envelope, E> {
        Ok(Envelope::NotObject)
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Envelope, E> {
        Ok(Envelope::NotObject)
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Envelope, E> {
        Ok(Envelope::NotObject)
    }

    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Envelope, E> {
        Ok(Envelope::NotObject)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Envelope, E> {
        Ok(Envelope::NotObject)
    }
}

/// The value of `Findings`: each finding read as `ContainedFinding`; `None` if it is not a list.
struct ListReader;

impl<'de> DeserializeSeed<'de> for ListReader {
    type Value = Option<Vec<Incoming>>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ListReader {
    type Value = Option<Vec<Incoming>>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of findings")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut list = Vec::new();
        while let Some(f) = seq.next_element_seed(ContainedFinding)? {
            list.push(f);
        }
        Ok(Some(list))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// How many `Findings` members a JSON object has at its top level, read without building it.
struct FindingsMembers(usize);

impl<'de> serde::Deserialize<'de> for FindingsMembers {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<FindingsMembers, D::Error> {
        struct Count;
        impl<'de> serde::de::Visitor<'de> for Count {
            type Value = FindingsMembers;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<FindingsMembers, A::Error> {
                let mut n = 0;
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    n += usize::from(key == "Findings");
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
                Ok(FindingsMembers(n))
            }
        }
        d.deserialize_map(Count)
    }
}

/// BatchImportFindings' answer: exactly `{FailedCount, SuccessCount, FailedFindings}`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportResult {
    pub success_count: usize,
    pub failed: Vec<ImportFailure>,
}

/// A finding BatchImportFindings did not import (the service model's ImportFindingsError).
#[derive(Debug, Clone, PartialEq)]
pub struct ImportFailure {
    pub id: String,
    pub code: String,
    pub message: String,
}

impl ImportResult {
    pub fn to_json(&self) -> Value {
        json!({
            "FailedCount": self.failed.len(),
            "SuccessCount": self.success_count,
            "FailedFindings": self.failed.iter().map(ImportFailure::to_json).collect::<Vec<_>>(),
        })
    }

    /// Reads the response JSON. The counts are required; FailedFindings may be absent (none failed),
    /// and FailedCount must be its length, which is all this type keeps of it.
    pub fn from_json(v: &Value) -> Result<ImportResult, WireError> {
        let obj = object(v, "", "the BatchImportFindings response")?;
        let count = |m: &str| {
            let n = required(obj, "", m)?;
            n.as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| WireError(format!("{m} must be a count, not {n}")))
        };
        let (failed_count, success_count) = (count("FailedCount")?, count("SuccessCount")?);
        let failed: Vec<ImportFailure> = optional_list(obj, "", "FailedFindings")?
            .iter()
            .enumerate()
            .map(|(i, f)| ImportFailure::from_json_at(f, &format!("FailedFindings[{i}]")))
            .collect::<Result<_, _>>()?;
        if failed.len() != failed_count {
            return Err(WireError(format!(
                "FailedCount is {failed_count} but FailedFindings has {} findings",
                failed.len()
            )));
        }
        Ok(ImportResult { success_count, failed })
    }
}

impl ImportFailure {
    /// `{Id, ErrorCode, ErrorMessage}`.
    pub fn to_json(&self) -> Value {
        json!({"Id": self.id, "ErrorCode": self.code, "ErrorMessage": self.message})
    }

    /// Reads one entry of FailedFindings; all three members are required.
    pub fn from_json(v: &Value) -> Result<ImportFailure, WireError> {
        ImportFailure::from_json_at(v, "")
    }

    /// `from_json` of the entry at `at` in a response, which the errors name.
    fn from_json_at(v: &Value, at: &str) -> Result<ImportFailure, WireError> {
        let obj = object(v, at, "the failed finding")?;
        let member = |m: &str| string(required(obj, at, m)?, &path(at, m));
        Ok(ImportFailure { id: member("Id")?, code: member("ErrorCode")?, message: member("ErrorMessage")? })
    }
}

#[cfg(test)]
mod tests;
