//! The Security Hub operations as JSON in, JSON out, over a store: the one adapter the CLI's `api`
//! command (and later `hubtriage serve`) use, so no rule is written twice. Errors carry the AWS error
//! code and HTTP status a client would see.

use serde_json::Value;

use crate::model::raw::Incoming;
use crate::model::wire::batch_import::{BatchImportRequest, BodyError};
use crate::model::wire::batch_update::BatchUpdateRequest;
use crate::model::wire::batch_update_v2::BatchUpdateV2Request;
use crate::model::wire::get_findings_v2::GetFindingsV2Request;
use crate::model::wire::history::HistoryRequest;
use crate::model::wire::v2_error::V2Error;
use crate::model::wire::WireError;
use crate::store::{Caller, GetFindingsRequest, Store, StoreError};

/// An operation this adapter serves, with its restJson1 route (the service model's http bindings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    GetFindings,
    BatchImportFindings,
    BatchUpdateFindings,
    GetFindingHistory,
    GetFindingsV2,
    BatchUpdateFindingsV2,
    CreateAutomationRule,
    BatchGetAutomationRules,
    ListAutomationRules,
    BatchUpdateAutomationRules,
    BatchDeleteAutomationRules,
}

impl Operation {
    pub const ALL: [Operation; 11] = [
        Operation::GetFindings,
        Operation::BatchImportFindings,
        Operation::BatchUpdateFindings,
        Operation::GetFindingHistory,
        Operation::GetFindingsV2,
        Operation::BatchUpdateFindingsV2,
        Operation::CreateAutomationRule,
        Operation::BatchGetAutomationRules,
        Operation::ListAutomationRules,
        Operation::BatchUpdateAutomationRules,
        Operation::BatchDeleteAutomationRules,
    ];

    /// The automation-rule operations (`rules::ops`).
    pub fn is_rules(self) -> bool {
        matches!(
            self,
            Operation::CreateAutomationRule
                | Operation::BatchGetAutomationRules
                | Operation::ListAutomationRules
                | Operation::BatchUpdateAutomationRules
                | Operation::BatchDeleteAutomationRules
        )
    }

    /// The V2 (OCSF) operations answer errors with the V2 shapes (`model::wire::v2_error`).
    pub fn is_v2(self) -> bool {
        matches!(self, Operation::GetFindingsV2 | Operation::BatchUpdateFindingsV2)
    }

    /// Whether the operation only reads the store.
    pub fn reads_only(self) -> bool {
        matches!(
            self,
            Operation::GetFindings
                | Operation::GetFindingHistory
                | Operation::GetFindingsV2
                | Operation::BatchGetAutomationRules
                | Operation::ListAutomationRules
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            Operation::GetFindings => "GetFindings",
            Operation::BatchImportFindings => "BatchImportFindings",
            Operation::BatchUpdateFindings => "BatchUpdateFindings",
            Operation::GetFindingHistory => "GetFindingHistory",
            Operation::GetFindingsV2 => "GetFindingsV2",
            Operation::BatchUpdateFindingsV2 => "BatchUpdateFindingsV2",
            Operation::CreateAutomationRule => "CreateAutomationRule",
            Operation::BatchGetAutomationRules => "BatchGetAutomationRules",
            Operation::ListAutomationRules => "ListAutomationRules",
            Operation::BatchUpdateAutomationRules => "BatchUpdateAutomationRules",
            Operation::BatchDeleteAutomationRules => "BatchDeleteAutomationRules",
        }
    }

    /// (method, path)
    pub fn route(self) -> (&'static str, &'static str) {
        match self {
            Operation::GetFindings => ("POST", "/findings"),
            Operation::BatchImportFindings => ("POST", "/findings/import"),
            Operation::BatchUpdateFindings => ("PATCH", "/findings/batchupdate"),
            Operation::GetFindingHistory => ("POST", "/findingHistory/get"),
            Operation::GetFindingsV2 => ("POST", "/findingsv2"),
            Operation::BatchUpdateFindingsV2 => ("PATCH", "/findingsv2/batchupdatev2"),
            Operation::CreateAutomationRule => ("POST", "/automationrules/create"),
            Operation::BatchGetAutomationRules => ("POST", "/automationrules/get"),
            Operation::ListAutomationRules => ("GET", "/automationrules/list"),
            Operation::BatchUpdateAutomationRules => ("PATCH", "/automationrules/update"),
            Operation::BatchDeleteAutomationRules => ("POST", "/automationrules/delete"),
        }
    }

    /// Accepts `GetFindings`, `get-findings` and `get_findings`.
    pub fn parse(s: &str) -> Option<Operation> {
        let folded: String = s.chars().filter(|c| *c != '-' && *c != '_').collect::<String>().to_ascii_lowercase();
        Operation::ALL.into_iter().find(|op| op.name().to_ascii_lowercase() == folded)
    }
}

/// An error as the service reports it: `X-Amzn-ErrorType` code, HTTP status, message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub code: &'static str,
    pub status: u16,
    pub message: String,
}

impl ApiError {
    pub fn invalid_input(message: impl Into<String>) -> ApiError {
        ApiError { code: "InvalidInputException", status: 400, message: message.into() }
    }

    /// The `{Code, Message}` error body.
    pub fn to_json(&self) -> Value {
        serde_json::json!({"Code": self.code, "Message": self.message})
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::InvalidInput(m) => ApiError::invalid_input(m),
            other => ApiError { code: "InternalException", status: 500, message: other.to_string() },
        }
    }
}

/// A request that does not have its operation's shape is refused as the service would refuse it.
impl From<WireError> for ApiError {
    fn from(e: WireError) -> ApiError {
        ApiError::invalid_input(e.0)
    }
}

/// A V1 error as the V2 operations answer it: a refused request is a ValidationException (400)
/// with the same `{Code, Message}` body (service model, GetFindingsV2 and BatchUpdateFindingsV2
/// `errors`); anything else stays what it was.
fn as_v2(e: ApiError) -> ApiError {
    if e.code == "InvalidInputException" {
        let v2 = V2Error::validation(e.message);
        ApiError { code: v2.code.as_str(), status: v2.status(), message: v2.message }
    } else {
        e
    }
}

/// Runs one operation with the exact AWS request JSON and returns the exact response JSON. Reads
/// answer with what `caller` may see, as updates touch only that: a finding of an account that is
/// neither the caller nor one of its members is not found.
pub fn call(store: &mut Store, caller: &Caller, op: Operation, input: &Value) -> Result<Value, ApiError> {
    let answer = call_v1_or_v2(store, caller, op, input);
    if op.is_v2() {
        answer.map_err(as_v2)
    } else {
        answer
    }
}

fn call_v1_or_v2(store: &mut Store, caller: &Caller, op: Operation, input: &Value) -> Result<Value, ApiError> {
    match op {
        Operation::GetFindingsV2 => {
            let req = GetFindingsV2Request::from_json(input)?;
            Ok(store.get_findings_v2_as(&store.access(caller)?, &req)?.to_json())
        }
        Operation::BatchUpdateFindingsV2 => {
            let req = BatchUpdateV2Request::from_json(input)?;
            Ok(store.batch_update_v2_as(caller, &req)?.to_json())
        }
        Operation::GetFindings => {
            let req = GetFindingsRequest::from_json(input)?;
            Ok(store.get_findings_as(&store.access(caller)?, &req, None)?.to_json())
        }
        Operation::BatchImportFindings => {
            let req = BatchImportRequest::from_json(input)?;
            Ok(store.batch_import(caller, req.findings)?.to_json())
        }
        Operation::BatchUpdateFindings => {
            let req = BatchUpdateRequest::from_json(input)?;
            Ok(store.batch_update(caller, &req)?.to_json())
        }
        Operation::GetFindingHistory => {
            let req = HistoryRequest::from_json(input)?;
            Ok(store.finding_history_as(&store.access(caller)?, &req)?.to_json())
        }
        op if op.is_rules() => crate::rules::ops::call(store, caller, crate::serve::DEFAULT_REGION, op, input),
        other => Err(ApiError::invalid_input(format!("{} is not served here", other.name()))),
    }
}

/// A request body that is not JSON, as the service refuses it: the position once (serde_json's
/// message, which ends with it too, is cut before it).
pub fn not_json(e: &serde_json::Error) -> ApiError {
    ApiError {
        code: "SerializationException",
        status: 400,
        message: format!(
            "the request body is not valid JSON: line {}, column {}: {}",
            e.line(),
            e.column(),
            crate::input::clean(e)
        ),
    }
}

/// A BatchImportFindings request body's findings (`BatchImportRequest::read_body`): a finding
/// that could not be stored and read back fails alone on import, as in a file; a body that cannot
/// be split into findings is refused whole.
pub fn import_findings(body: &[u8]) -> Result<Vec<Incoming>, ApiError> {
    BatchImportRequest::read_body(body).map_err(|e| match e {
        BodyError::NotJson(e) => not_json(&e),
        BodyError::NotObject => ApiError {
            code: "SerializationException",
            status: 400,
            message: "the request body must be a JSON object".into(),
        },
        BodyError::Shape(e) => e.into(),
    })
}

/// BatchImportFindings of findings read by `import_findings`.
pub fn import(store: &mut Store, caller: &Caller, findings: Vec<Incoming>) -> Result<Value, ApiError> {
    Ok(store.batch_import(caller, findings)?.to_json())
}

/// `call` with the request body's text: BatchImportFindings reads it with `import_findings`, the
/// other operations as one JSON object (`{}` when empty).
pub fn call_body(store: &mut Store, caller: &Caller, op: Operation, body: &[u8]) -> Result<Value, ApiError> {
    if op == Operation::BatchImportFindings {
        return import(store, caller, import_findings(body)?);
    }
    let input = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(serde_json::Map::new())
    } else {
        serde_json::from_slice(body).map_err(|e| not_json(&e))?
    };
    call(store, caller, op, &input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_fold_cli_spellings() {
        assert_eq!(Operation::parse("get-findings"), Some(Operation::GetFindings));
        assert_eq!(Operation::parse("BatchUpdateFindings"), Some(Operation::BatchUpdateFindings));
        assert_eq!(Operation::parse("batch_import_findings"), Some(Operation::BatchImportFindings));
        assert_eq!(Operation::parse("DeleteEverything"), None);
        assert_eq!(Operation::BatchUpdateFindings.route(), ("PATCH", "/findings/batchupdate"));
    }
}
