//! The V2 operations' errors (GetFindingsV2, BatchUpdateFindingsV2): the service model's V2 error
//! shapes, each `{Code, Message}` with its HTTP status, answered with the `X-Amzn-ErrorType` header
//! naming the code. A refused request is a `ValidationException` whose message is the `WireError`'s.

use serde_json::{json, Value};

use super::WireError;
use crate::model::enums::string_enum;

string_enum!(
    /// The error shapes the V2 finding operations answer with (service model, GetFindingsV2 and
    /// BatchUpdateFindingsV2 `errors`, and the per-finding ResourceNotFoundException).
    V2ErrorCode {
        ValidationException => "ValidationException",
        AccessDeniedException => "AccessDeniedException",
        ResourceNotFoundException => "ResourceNotFoundException",
        ConflictException => "ConflictException",
        ThrottlingException => "ThrottlingException",
        InternalServerException => "InternalServerException",
        ServiceQuotaExceededException => "ServiceQuotaExceededException",
        OrganizationNotFoundException => "OrganizationNotFoundException",
        OrganizationalUnitNotFoundException => "OrganizationalUnitNotFoundException",
    }
);

impl V2ErrorCode {
    /// The shape's `httpStatusCode` in the service model.
    pub fn status(self) -> u16 {
        match self {
            V2ErrorCode::ValidationException
            | V2ErrorCode::OrganizationNotFoundException
            | V2ErrorCode::OrganizationalUnitNotFoundException => 400,
            V2ErrorCode::ServiceQuotaExceededException => 402,
            V2ErrorCode::AccessDeniedException => 403,
            V2ErrorCode::ResourceNotFoundException => 404,
            V2ErrorCode::ConflictException => 409,
            V2ErrorCode::ThrottlingException => 429,
            V2ErrorCode::InternalServerException => 500,
        }
    }

    /// Worth retrying with backoff: throttling and server errors, never a 4xx of the request's own.
    pub fn is_retryable(self) -> bool {
        matches!(self, V2ErrorCode::ThrottlingException | V2ErrorCode::InternalServerException)
    }
}

/// A V2 operation's error answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct V2Error {
    pub code: V2ErrorCode,
    pub message: String,
}

impl V2Error {
    pub fn new(code: V2ErrorCode, message: impl Into<String>) -> V2Error {
        V2Error { code, message: message.into() }
    }

    pub fn validation(message: impl Into<String>) -> V2Error {
        V2Error::new(V2ErrorCode::ValidationException, message)
    }

    pub fn status(&self) -> u16 {
        self.code.status()
    }

    /// The body: `{"Code": ..., "Message": ...}` (every Security Hub error shape has exactly these).
    pub fn to_json(&self) -> Value {
        json!({"Code": self.code.as_str(), "Message": self.message})
    }
}

impl From<WireError> for V2Error {
    fn from(e: WireError) -> V2Error {
        V2Error::validation(e.0)
    }
}

/// The error type and message of an error answer, as a restJson1 client reads them: the
/// `X-Amzn-ErrorType` header first, else the body's `code`/`Code`, else `__type`; the type cut at the
/// first `:` and after a `#` (`aws.securityhub#ValidationException:http://...` ->
/// `ValidationException`). The type is a string because a front end answers codes of its own
/// (`UnrecognizedClientException`, ...).
pub fn error_of_response(header: Option<&str>, body: &Value) -> (String, String) {
    let from_body = ["code", "Code", "__type"].iter().find_map(|k| body.get(*k).and_then(Value::as_str));
    let raw = header.filter(|h| !h.trim().is_empty()).or(from_body).unwrap_or("");
    let raw = raw.split(':').next().unwrap_or("");
    let code = raw.rsplit('#').next().unwrap_or(raw).trim().to_string();
    let message = ["Message", "message"].iter().find_map(|k| body.get(*k).and_then(Value::as_str)).unwrap_or("");
    (code, message.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_the_models_statuses_and_body() {
        let e = V2Error::from(WireError::from("MaxResults must be an integer from 1 to 100, not 0"));
        assert_eq!(e.status(), 400);
        assert_eq!(
            e.to_json(),
            json!({"Code": "ValidationException", "Message": "MaxResults must be an integer from 1 to 100, not 0"})
        );
        let statuses: Vec<u16> = V2ErrorCode::ALL.iter().map(|c| c.status()).collect();
        assert_eq!(statuses, [400, 403, 404, 409, 429, 500, 402, 400, 400]);
        assert!(V2ErrorCode::ThrottlingException.is_retryable());
        assert!(!V2ErrorCode::ValidationException.is_retryable());
        assert_eq!(e.to_string(), "ValidationException: MaxResults must be an integer from 1 to 100, not 0");
    }

    #[test]
    fn a_client_reads_the_type_as_restjson1_says() {
        let body = json!({"Code": "ValidationException", "Message": "bad"});
        assert_eq!(error_of_response(None, &body), ("ValidationException".into(), "bad".into()));
        assert_eq!(
            error_of_response(Some("aws.securityhub#ThrottlingException:http://internal"), &body).0,
            "ThrottlingException"
        );
        assert_eq!(
            error_of_response(None, &json!({"__type": "x#AccessDeniedException", "message": "no"})),
            ("AccessDeniedException".into(), "no".into())
        );
    }
}
