//! The automation-rule operations as JSON in, JSON out, over a store: CreateAutomationRule,
//! BatchGetAutomationRules, ListAutomationRules, BatchUpdateAutomationRules and
//! BatchDeleteAutomationRules, with the request and response shapes of the service model. `api`
//! (and so `hubtriage api`) and `serve` call them here.

use serde_json::{json, Map, Value};

use super::{arns, RuleError, RuleSpec, RuleUpdate, MAX_BATCH, MAX_RULES};
use crate::api::{ApiError, Operation};
use crate::store::rules::UnprocessedRule;
use crate::store::{Caller, Store};

/// The account a rule's ARN names when the caller has none (`serve`'s default account).
const DEFAULT_ACCOUNT: &str = crate::serve::DEFAULT_ACCOUNT;

impl From<RuleError> for ApiError {
    fn from(e: RuleError) -> ApiError {
        ApiError::invalid_input(e.0)
    }
}

fn only(input: &Value, allowed: &[&str]) -> Result<(), ApiError> {
    let obj = input.as_object().ok_or_else(|| ApiError::invalid_input("the request body must be a JSON object"))?;
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(ApiError::invalid_input(format!("unknown member {k}; accepted: {}", allowed.join(", ")))),
        None => Ok(()),
    }
}

fn unprocessed(list: &[UnprocessedRule]) -> Value {
    Value::Array(list.iter().map(UnprocessedRule::to_json).collect())
}

/// A batch answer: what was processed and, when any, what was not.
fn processed(done: Vec<String>, missing: &[UnprocessedRule]) -> Value {
    let mut out = Map::new();
    out.insert("ProcessedAutomationRules".into(), json!(done));
    if !missing.is_empty() {
        out.insert("UnprocessedAutomationRules".into(), unprocessed(missing));
    }
    Value::Object(out)
}

/// Runs one automation-rule operation. New rules' ARNs name `region` and the caller's account.
pub fn call(store: &mut Store, caller: &Caller, region: &str, op: Operation, input: &Value) -> Result<Value, ApiError> {
    match op {
        Operation::CreateAutomationRule => {
            let rule = RuleSpec::from_json(input)?;
            if store.automation_rule_count()? >= MAX_RULES {
                return Err(ApiError {
                    code: "LimitExceededException",
                    status: 429,
                    message: format!("an account can have at most {MAX_RULES} automation rules"),
                });
            }
            let account = caller.account.as_deref().unwrap_or(DEFAULT_ACCOUNT);
            let arn = store.create_automation_rule(rule, region, account, &caller.identity)?;
            Ok(json!({"RuleArn": arn}))
        }
        Operation::BatchGetAutomationRules => {
            only(input, &["AutomationRulesArns"])?;
            let (found, missing) = store.get_automation_rules(&arns(input, "AutomationRulesArns")?)?;
            let mut out = json!({"Rules": found.iter().map(|r| r.to_config()).collect::<Vec<_>>()});
            if !missing.is_empty() {
                out["UnprocessedAutomationRules"] = unprocessed(&missing);
            }
            Ok(out)
        }
        Operation::ListAutomationRules => list(store, input),
        Operation::BatchUpdateAutomationRules => {
            only(input, &["UpdateAutomationRulesRequestItems"])?;
            const MEMBER: &str = "UpdateAutomationRulesRequestItems";
            let items = input
                .get(MEMBER)
                .filter(|v| !v.is_null())
                .ok_or_else(|| ApiError::invalid_input(format!("{MEMBER} is required")))?
                .as_array()
                .ok_or_else(|| ApiError::invalid_input(format!("{MEMBER} must be a list")))?;
            if items.is_empty() || items.len() > MAX_BATCH {
                return Err(ApiError::invalid_input(format!(
                    "{MEMBER} must hold 1 to {MAX_BATCH} items, not {}",
                    items.len()
                )));
            }
            let updates = items
                .iter()
                .enumerate()
                .map(|(i, item)| RuleUpdate::from_json(item, &format!("{MEMBER}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            let (done, missing) = store.update_automation_rules(&updates)?;
            Ok(processed(done, &missing))
        }
        Operation::BatchDeleteAutomationRules => {
            only(input, &["AutomationRulesArns"])?;
            let (done, missing) = store.delete_automation_rules(&arns(input, "AutomationRulesArns")?)?;
            Ok(processed(done, &missing))
        }
        other => Err(ApiError::invalid_input(format!("{} is not an automation-rule operation", other.name()))),
    }
}

/// ListAutomationRules: `MaxResults` 1 to 100 (default 100), `NextToken` from the previous page.
fn list(store: &Store, input: &Value) -> Result<Value, ApiError> {
    only(input, &["NextToken", "MaxResults"])?;
    let max = match input.get("MaxResults").filter(|v| !v.is_null()) {
        None => MAX_BATCH,
        Some(v) => match v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok())) {
            Some(n) if (1..=MAX_BATCH as u64).contains(&n) => n as usize,
            _ => return Err(ApiError::invalid_input(format!("MaxResults must be from 1 to {MAX_BATCH}, not {v}"))),
        },
    };
    let start = match input.get("NextToken").and_then(Value::as_str) {
        None | Some("") => 0,
        Some(t) => t
            .strip_prefix("rules-")
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| ApiError::invalid_input("NextToken is not a token this service gave"))?,
    };
    let rules = store.automation_rules()?;
    let page: Vec<Value> = rules.iter().skip(start).take(max).map(|r| r.to_metadata()).collect();
    let mut out = json!({"AutomationRulesMetadata": page});
    if start + max < rules.len() {
        out["NextToken"] = json!(format!("rules-{}", start + max));
    }
    Ok(out)
}

/// ListAutomationRules' query string (`NextToken`, `MaxResults`: the service model puts them
/// there) as the operation's input.
pub fn list_input(query: &str) -> Value {
    let mut out = Map::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = percent_decode(v);
        out.insert(percent_decode(k), Value::String(v));
    }
    Value::Object(out)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
