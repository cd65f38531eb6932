//! The Security Hub operations' request and response types, each parsing and printing its exact JSON,
//! as the service model shapes them: the store and `hubtriage serve` parse requests and print
//! responses, and a client of the real service prints requests and parses responses, with the same
//! code. Parsing a request applies the service's request-level checks (a refused request is an
//! InvalidInputException whose message is the `WireError`'s text); the rules of the values themselves
//! live beside the model they are about (`model::update` for BatchUpdateFindings).

use serde_json::{json, Map, Value};

use super::finding::{json_type, FindingKey};
use super::update::UpdateError;

pub mod batch_import;
pub mod batch_update;
pub mod batch_update_v2;
pub mod get_findings;
pub mod get_findings_v2;
pub mod history;
pub mod v2_error;

/// Why a request or response JSON does not have the operation's shape. The message names the member
/// at fault; for a request it is the InvalidInputException message the service emulation answers,
/// which users and tests see word for word.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct WireError(pub String);

impl From<String> for WireError {
    fn from(message: String) -> WireError {
        WireError(message)
    }
}

/// A refused update's message is the same check's text, whether the JSON or a typed update broke it.
impl From<UpdateError> for WireError {
    fn from(e: UpdateError) -> WireError {
        WireError(e.to_string())
    }
}

impl From<&str> for WireError {
    fn from(message: &str) -> WireError {
        WireError(message.to_string())
    }
}

/// Refuses a member the operation does not take, naming the ones it does.
pub(crate) fn check_members(obj: &Map<String, Value>, allowed: &[&str], op: &str) -> Result<(), WireError> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(WireError(format!("unknown member {k}; {op} accepts {}", allowed.join(", ")))),
        None => Ok(()),
    }
}

/// A paged request's MaxResults: 1 to 100, 100 when absent.
pub(crate) fn max_results(v: Option<&Value>) -> Result<usize, WireError> {
    match v {
        None => Ok(100),
        Some(n) => match n.as_u64() {
            Some(n @ 1..=100) => Ok(n as usize),
            _ => Err(WireError(format!("MaxResults must be an integer from 1 to 100, not {n}"))),
        },
    }
}

/// A paged request's or response's NextToken: absent, null and empty all mean "no more pages".
pub(crate) fn next_token(v: Option<&Value>) -> Result<Option<String>, WireError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(WireError(format!("NextToken must be a string, not {}", json_type(other)))),
    }
}

/// `{<member>: [...], NextToken?}`: the paged responses omit `NextToken` on the last page.
/// The paging members both GetFindings and GetFindingsV2 requests end with: `SortCriteria` (when
/// any), `NextToken` (when given) and `MaxResults`.
pub(crate) fn insert_paging(
    m: &mut Map<String, Value>,
    sort: &[get_findings::SortCriterion],
    next_token: Option<&str>,
    max_results: usize,
) {
    if !sort.is_empty() {
        let sort =
            sort.iter().map(|c| json!({"Field": c.field, "SortOrder": if c.descending { "desc" } else { "asc" }}));
        m.insert("SortCriteria".into(), Value::Array(sort.collect()));
    }
    if let Some(t) = next_token {
        m.insert("NextToken".into(), json!(t));
    }
    m.insert("MaxResults".into(), json!(max_results));
}

pub(crate) fn page_json(member: &str, items: Vec<Value>, next_token: Option<&str>) -> Value {
    let mut m = Map::new();
    m.insert(member.into(), Value::Array(items));
    if let Some(t) = next_token {
        m.insert("NextToken".into(), json!(t));
    }
    Value::Object(m)
}

/// The path of `member` of the object at `at` ("" at the top), for messages: `Records[0].UpdateTime`.
pub(crate) fn path(at: &str, member: &str) -> String {
    if at.is_empty() {
        member.to_string()
    } else {
        format!("{at}.{member}")
    }
}

/// The object at `at`; `name` says what it is when it is the whole body (`at` is "").
pub(crate) fn object<'a>(v: &'a Value, at: &str, name: &str) -> Result<&'a Map<String, Value>, WireError> {
    let what = if at.is_empty() { name } else { at };
    v.as_object().ok_or_else(|| WireError(format!("{what} must be a JSON object")))
}

/// A member the service model marks required, of the object at `at`.
pub(crate) fn required<'a>(obj: &'a Map<String, Value>, at: &str, member: &str) -> Result<&'a Value, WireError> {
    obj.get(member).ok_or_else(|| WireError(format!("{} is required", path(at, member))))
}

/// The string at `at`.
pub(crate) fn string(v: &Value, at: &str) -> Result<String, WireError> {
    v.as_str().map(str::to_string).ok_or_else(|| WireError(format!("{at} must be a string, not {}", json_type(v))))
}

/// The list at `at`.
pub(crate) fn list<'a>(v: &'a Value, at: &str) -> Result<&'a [Value], WireError> {
    v.as_array().map(Vec::as_slice).ok_or_else(|| WireError(format!("{at} must be a list, not {}", json_type(v))))
}

/// An optional list member of the object at `at`: absent or null is empty.
pub(crate) fn optional_list<'a>(obj: &'a Map<String, Value>, at: &str, member: &str) -> Result<&'a [Value], WireError> {
    match obj.get(member) {
        None | Some(Value::Null) => Ok(&[]),
        Some(v) => list(v, &path(at, member)),
    }
}

/// The AwsSecurityFindingIdentifier (`{"Id", "ProductArn"}`) at `at`.
pub(crate) fn identifier(v: &Value, at: &str) -> Result<FindingKey, WireError> {
    FindingKey::of(v).ok_or_else(|| WireError(format!("{at} must have Id and ProductArn strings")))
}
