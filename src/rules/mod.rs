//! Automation rules in the shape of Security Hub's (V1): the requests of CreateAutomationRule and
//! BatchUpdateAutomationRules read and checked with the service model's limits, a rule's `Criteria`
//! (`AutomationRulesFindingFilters`) compiled onto the engine's own filter evaluator
//! (`model::filter`: the shape is made of the same filters as `AwsSecurityFindingFilters`, under the
//! same names), and its one action (`FINDING_FIELDS_UPDATE`) read as a BatchUpdateFindings update.
//! The store keeps the rules and applies them on import (`store::rules`).
//!
//! Every error names the member at fault (`Criteria.SeverityLabel[0].Comparison: ...`), as the
//! service's InvalidInputException does.

use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::model::filter::{FilterError, Filters};
use crate::model::finding::FindingKey;
use crate::model::timestamp;
use crate::model::update::FindingUpdate;
use crate::model::wire::batch_update::BatchUpdateRequest;

/// RuleOrder's range (service model, RuleOrderValue).
pub const MIN_ORDER: i64 = 1;
pub const MAX_ORDER: i64 = 1000;
/// Rules an account may have (Security Hub user guide, "Automation rules": up to 100 rules).
pub const MAX_RULES: usize = 100;
/// ARNs in one BatchGet/BatchDelete and items in one BatchUpdateAutomationRules (service model,
/// AutomationRulesArnsList and UpdateAutomationRulesRequestItemsList: 1 to 100).
pub const MAX_BATCH: usize = 100;
/// Tags on a rule (service model, TagMap: 1 to 50), a key's and a value's length (TagKey, TagValue).
const MAX_TAGS: usize = 50;
const MAX_TAG_KEY: usize = 128;
const MAX_TAG_VALUE: usize = 256;

/// The members of `AutomationRulesFindingFilters` and how many filter values each takes (service
/// model: "Maximum number of 20 items", 100 for these four). The names are the GetFindings filter
/// names, so each maps onto the same field of `model::filter`.
const CRITERIA: &[(&str, usize)] = &[
    ("ProductArn", 20),
    ("AwsAccountId", 100),
    ("Id", 20),
    ("GeneratorId", 100),
    ("Type", 20),
    ("FirstObservedAt", 20),
    ("LastObservedAt", 20),
    ("CreatedAt", 20),
    ("UpdatedAt", 20),
    ("Confidence", 20),
    ("Criticality", 20),
    ("Title", 100),
    ("Description", 20),
    ("SourceUrl", 20),
    ("ProductName", 20),
    ("CompanyName", 20),
    ("SeverityLabel", 20),
    ("ResourceType", 20),
    ("ResourceId", 100),
    ("ResourcePartition", 20),
    ("ResourceRegion", 20),
    ("ResourceTags", 20),
    ("ResourceDetailsOther", 20),
    ("ComplianceStatus", 20),
    ("ComplianceSecurityControlId", 20),
    ("ComplianceAssociatedStandardsId", 20),
    ("VerificationState", 20),
    ("WorkflowStatus", 20),
    ("RecordState", 20),
    ("RelatedFindingsProductArn", 20),
    ("RelatedFindingsId", 20),
    ("NoteText", 20),
    ("NoteUpdatedAt", 20),
    ("NoteUpdatedBy", 20),
    ("UserDefinedFields", 20),
    ("ResourceApplicationArn", 20),
    ("ResourceApplicationName", 20),
    ("AwsAccountName", 20),
    // The model gives these three no limit of their own: the filters' usual 20.
    ("ResourceProvider", 20),
    ("ResourceOwnerAccountId", 20),
    ("ResourceOwnerOrgId", 20),
];

/// The one action type (service model, AutomationRulesActionType).
pub const FINDING_FIELDS_UPDATE: &str = "FINDING_FIELDS_UPDATE";

/// An invalid request: `InvalidInputException` with this message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RuleError(pub String);

impl From<FilterError> for RuleError {
    fn from(e: FilterError) -> Self {
        RuleError(e.to_string())
    }
}

type Result<T> = std::result::Result<T, RuleError>;

/// An automation rule as the store keeps it (`AutomationRulesConfig`).
#[derive(Debug, Clone, PartialEq)]
pub struct AutomationRule {
    pub arn: String,
    /// What was asked for (CreateAutomationRule's members, as later updated).
    pub spec: RuleSpec,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub created_by: String,
}

/// A rule compiled for evaluation: its criteria on the filter evaluator and its update.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    pub arn: String,
    pub is_terminal: bool,
    pub criteria: Filters,
    pub update: FindingUpdate,
}

impl AutomationRule {
    /// `AutomationRulesConfig` (BatchGetAutomationRules).
    pub fn to_config(&self) -> Value {
        let mut v = self.to_metadata();
        v["Criteria"] = self.spec.criteria.clone();
        v["Actions"] = self.spec.actions.clone();
        v
    }

    /// `AutomationRulesMetadata` (ListAutomationRules): the rule without its criteria and actions.
    pub fn to_metadata(&self) -> Value {
        serde_json::json!({
            "RuleArn": self.arn,
            "RuleStatus": if self.spec.enabled { "ENABLED" } else { "DISABLED" },
            "RuleOrder": self.spec.order,
            "RuleName": self.spec.name,
            "Description": self.spec.description,
            "IsTerminal": self.spec.is_terminal,
            "CreatedAt": timestamp::format(self.created_at),
            "UpdatedAt": timestamp::format(self.updated_at),
            "CreatedBy": self.created_by,
        })
    }

    /// The rule ready to evaluate. A stored rule was checked when it was saved.
    pub fn compile(&self) -> Result<CompiledRule> {
        Ok(CompiledRule {
            arn: self.arn.clone(),
            is_terminal: self.spec.is_terminal,
            criteria: criteria(&self.spec.criteria)?,
            update: action_update(&self.spec.actions)?,
        })
    }
}

/// A rule's `Criteria` on the engine's filter evaluator, with the shape's members and limits.
pub fn criteria(v: &Value) -> Result<Filters> {
    let limit = |name: &str| CRITERIA.iter().find(|(n, _)| *n == name).map(|(_, max)| *max);
    Ok(Filters::from_json_as(v, "Criteria", &limit)?)
}

/// The update of a rule's `Actions` (exactly one `FINDING_FIELDS_UPDATE`), read with
/// BatchUpdateFindings' own rules: the action has that operation's members and limits.
pub fn action_update(v: &Value) -> Result<FindingUpdate> {
    let list = v.as_array().ok_or_else(|| RuleError("Actions must be a list".into()))?;
    if list.len() != 1 {
        return Err(RuleError(format!("Actions must hold exactly 1 action, not {}", list.len())));
    }
    let action = list[0].as_object().ok_or_else(|| RuleError("Actions[0] must be an object".into()))?;
    only(action, "Actions[0]", &["Type", "FindingFieldsUpdate"])?;
    match action.get("Type") {
        Some(Value::String(t)) if t == FINDING_FIELDS_UPDATE => {}
        Some(other) => {
            return Err(RuleError(format!("Actions[0].Type: {other} is not one of {FINDING_FIELDS_UPDATE}")));
        }
        None => return Err(RuleError("Actions[0].Type is required".into())),
    }
    let fields = match action.get("FindingFieldsUpdate") {
        Some(Value::Object(o)) => o,
        Some(_) => return Err(RuleError("Actions[0].FindingFieldsUpdate must be an object".into())),
        None => return Err(RuleError("Actions[0].FindingFieldsUpdate is required".into())),
    };
    if fields.contains_key("FindingIdentifiers") {
        return Err(RuleError("unknown member Actions[0].FindingFieldsUpdate.FindingIdentifiers".into()));
    }
    // BatchUpdateFindings' request with a stand-in finding: the same members, checked the same way.
    let mut request = fields.clone();
    request.insert("FindingIdentifiers".into(), serde_json::json!([FindingKey::new("p", "i").to_json()]));
    let parsed = BatchUpdateRequest::from_json(&Value::Object(request))
        .map_err(|e| RuleError(format!("Actions[0].FindingFieldsUpdate: {e}")))?;
    if parsed.update.is_empty() {
        return Err(RuleError("Actions[0].FindingFieldsUpdate: sets no field".into()));
    }
    Ok(parsed.update)
}

fn only(obj: &Map<String, Value>, at: &str, allowed: &[&str]) -> Result<()> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => {
            let at = if at.is_empty() { String::new() } else { format!("{at}.") };
            Err(RuleError(format!("unknown member {at}{k}; accepted: {}", allowed.join(", "))))
        }
        None => Ok(()),
    }
}

/// A NonEmptyString member (service model: pattern `.*\S.*`).
fn non_empty(obj: &Map<String, Value>, member: &str) -> Result<Option<String>> {
    match obj.get(member) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Err(RuleError(format!("{member} must not be blank"))),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(RuleError(format!("{member} must be a string"))),
    }
}

fn order(obj: &Map<String, Value>) -> Result<Option<i64>> {
    match obj.get("RuleOrder") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_i64() {
            Some(n) if (MIN_ORDER..=MAX_ORDER).contains(&n) => Ok(Some(n)),
            _ => Err(RuleError(format!("RuleOrder must be an integer from {MIN_ORDER} to {MAX_ORDER}, not {v}"))),
        },
    }
}

fn status(obj: &Map<String, Value>) -> Result<Option<bool>> {
    match obj.get("RuleStatus") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s == "ENABLED" => Ok(Some(true)),
        Some(Value::String(s)) if s == "DISABLED" => Ok(Some(false)),
        Some(v) => Err(RuleError(format!("RuleStatus: {v} is not one of ENABLED, DISABLED"))),
    }
}

fn terminal(obj: &Map<String, Value>) -> Result<Option<bool>> {
    match obj.get("IsTerminal") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(v) => Err(RuleError(format!("IsTerminal must be true or false, not {v}"))),
    }
}

/// `Tags` (service model, TagMap: 1 to 50 entries; TagKey 1 to 128 characters matching
/// `^(?!aws:)[a-zA-Z+-=._:/]+$`; TagValue at most 256).
fn tags(obj: &Map<String, Value>) -> Result<Option<Value>> {
    let Some(v) = obj.get("Tags").filter(|v| !v.is_null()) else { return Ok(None) };
    let map = v.as_object().ok_or_else(|| RuleError("Tags must be a map of strings".into()))?;
    if map.is_empty() || map.len() > MAX_TAGS {
        return Err(RuleError(format!("Tags must hold 1 to {MAX_TAGS} tags, not {}", map.len())));
    }
    for (k, v) in map {
        let key_ok = !k.is_empty()
            && k.chars().count() <= MAX_TAG_KEY
            && !k.starts_with("aws:")
            && k.chars().all(|c| c.is_ascii_alphabetic() || "+-=._:/".contains(c) || ('+'..='=').contains(&c));
        if !key_ok {
            return Err(RuleError(format!(
                "Tags: key {:?} must be 1 to {MAX_TAG_KEY} characters of a-z, A-Z, +-=._:/ and not start with aws:",
                crate::model::sanitize::line(k)
            )));
        }
        match v.as_str() {
            Some(s) if s.chars().count() <= MAX_TAG_VALUE => {}
            Some(_) => return Err(RuleError(format!("Tags.{k}: a value is at most {MAX_TAG_VALUE} characters"))),
            None => return Err(RuleError(format!("Tags.{k} must be a string"))),
        }
    }
    Ok(Some(v.clone()))
}

/// What CreateAutomationRule asks for, checked: the rule without its ARN and times.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSpec {
    pub enabled: bool,
    pub order: i64,
    pub name: String,
    pub description: String,
    pub is_terminal: bool,
    pub criteria: Value,
    pub actions: Value,
    pub tags: Option<Value>,
}

impl RuleSpec {
    /// Reads a CreateAutomationRule request (the exact AWS JSON).
    pub fn from_json(v: &Value) -> Result<RuleSpec> {
        let obj = v.as_object().ok_or_else(|| RuleError("the request body must be a JSON object".into()))?;
        only(
            obj,
            "",
            &["Tags", "RuleStatus", "RuleOrder", "RuleName", "Description", "IsTerminal", "Criteria", "Actions"],
        )?;
        let required = |m: &str| RuleError(format!("{m} is required"));
        let rule = RuleSpec {
            enabled: status(obj)?.unwrap_or(true),
            order: order(obj)?.ok_or_else(|| required("RuleOrder"))?,
            name: non_empty(obj, "RuleName")?.ok_or_else(|| required("RuleName"))?,
            description: non_empty(obj, "Description")?.ok_or_else(|| required("Description"))?,
            is_terminal: terminal(obj)?.unwrap_or(false),
            criteria: obj.get("Criteria").filter(|v| !v.is_null()).cloned().ok_or_else(|| required("Criteria"))?,
            actions: obj.get("Actions").filter(|v| !v.is_null()).cloned().ok_or_else(|| required("Actions"))?,
            tags: tags(obj)?,
        };
        criteria(&rule.criteria)?;
        action_update(&rule.actions)?;
        Ok(rule)
    }

    /// The rule as saved, with its ARN.
    pub fn into_rule(self, arn: String, now: OffsetDateTime, created_by: &str) -> AutomationRule {
        AutomationRule { arn, spec: self, created_at: now, updated_at: now, created_by: created_by.to_string() }
    }
}

/// One `UpdateAutomationRulesRequestItem`: the rule's ARN and what changes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RuleUpdate {
    pub arn: String,
    pub enabled: Option<bool>,
    pub order: Option<i64>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub is_terminal: Option<bool>,
    pub criteria: Option<Value>,
    pub actions: Option<Value>,
}

impl RuleUpdate {
    /// Reads one item; `at` locates it in the request (`UpdateAutomationRulesRequestItems[2]`).
    pub fn from_json(v: &Value, at: &str) -> Result<RuleUpdate> {
        let located = |e: RuleError| if at.is_empty() { e } else { RuleError(format!("{at}: {}", e.0)) };
        let obj = v.as_object().ok_or_else(|| located(RuleError("must be a JSON object".into())))?;
        let read = || -> Result<RuleUpdate> {
            only(
                obj,
                "",
                &["RuleArn", "RuleStatus", "RuleOrder", "Description", "RuleName", "IsTerminal", "Criteria", "Actions"],
            )?;
            let u = RuleUpdate {
                arn: non_empty(obj, "RuleArn")?.ok_or_else(|| RuleError("RuleArn is required".into()))?,
                enabled: status(obj)?,
                order: order(obj)?,
                name: non_empty(obj, "RuleName")?,
                description: non_empty(obj, "Description")?,
                is_terminal: terminal(obj)?,
                criteria: obj.get("Criteria").filter(|v| !v.is_null()).cloned(),
                actions: obj.get("Actions").filter(|v| !v.is_null()).cloned(),
            };
            if let Some(c) = &u.criteria {
                criteria(c)?;
            }
            if let Some(a) = &u.actions {
                action_update(a)?;
            }
            Ok(u)
        };
        read().map_err(located)
    }

    /// `rule` with this update applied.
    pub fn apply(&self, rule: &AutomationRule, now: OffsetDateTime) -> AutomationRule {
        let mut r = rule.clone();
        let s = &mut r.spec;
        s.enabled = self.enabled.unwrap_or(s.enabled);
        s.order = self.order.unwrap_or(s.order);
        s.is_terminal = self.is_terminal.unwrap_or(s.is_terminal);
        if let Some(name) = &self.name {
            s.name.clone_from(name);
        }
        if let Some(description) = &self.description {
            s.description.clone_from(description);
        }
        if let Some(criteria) = &self.criteria {
            s.criteria.clone_from(criteria);
        }
        if let Some(actions) = &self.actions {
            s.actions.clone_from(actions);
        }
        r.updated_at = now;
        r
    }
}

/// A list of rule ARNs (`AutomationRulesArns`: 1 to 100 non-blank strings).
pub fn arns(v: &Value, member: &str) -> Result<Vec<String>> {
    let list = v
        .get(member)
        .filter(|v| !v.is_null())
        .ok_or_else(|| RuleError(format!("{member} is required")))?
        .as_array()
        .ok_or_else(|| RuleError(format!("{member} must be a list of rule ARNs")))?;
    if list.is_empty() || list.len() > MAX_BATCH {
        return Err(RuleError(format!("{member} must hold 1 to {MAX_BATCH} ARNs, not {}", list.len())));
    }
    list.iter()
        .enumerate()
        .map(|(i, a)| match a.as_str() {
            Some(s) if !s.trim().is_empty() => Ok(s.to_string()),
            _ => Err(RuleError(format!("{member}[{i}] must be a non-blank string"))),
        })
        .collect()
}

/// A new rule's ARN, as Security Hub makes them: `arn:aws:securityhub:REGION:ACCOUNT:automation-rule/UUID`
/// (a random version 4 UUID).
pub fn new_arn(region: &str, account: &str) -> String {
    use rand::{Rng, SeedableRng};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let seed = crate::model::fnv1a(
        format!(
            "{}:{}:{}",
            OffsetDateTime::now_utc().unix_timestamp_nanos(),
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        )
        .as_bytes(),
    );
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut b: [u8; 16] = rng.random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "arn:aws:securityhub:{region}:{account}:automation-rule/{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

pub mod ops;

#[cfg(test)]
mod tests;
