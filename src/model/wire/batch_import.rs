//! BatchImportFindings on the wire: the request (`BatchImportRequest`, `{"Findings": [...]}`) and the
//! answer (`ImportResult`, `{FailedCount, SuccessCount, FailedFindings}`), as the BatchImportFindings
//! API reference and the service model shape them. The findings themselves are carried as JSON: their
//! checks (the ASFF rules, the call's limits) are the store's, per finding.

use serde_json::{json, Value};

use super::{object, optional_list, path, required, string, WireError};

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
