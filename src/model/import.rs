//! BatchImportFindings semantics as a pure function: given what is stored (if anything) and what a
//! provider sends, decide the document to keep. Sources: the BatchImportFindings API reference, the
//! user guide's "Using BatchImportFindings" (create-or-update, restricted attributes,
//! FindingProviderFields precedence) and the BatchUpdateFindings API reference (automatic workflow
//! changes).

use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use super::change::{diff, FieldChange};
use super::enums::{ComplianceStatus, RecordState, SeverityLabel, WorkflowState, WorkflowStatus};
use super::finding::{int_of, str_at, value_at, Member};
use super::timestamp;

/// The attributes a provider owns through FindingProviderFields and an analyst may override with
/// BatchUpdateFindings. The store keeps, per finding, which of them BatchUpdateFindings has set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BufFields(pub u8);

impl BufFields {
    pub const CONFIDENCE: BufFields = BufFields(1);
    pub const CRITICALITY: BufFields = BufFields(2);
    pub const RELATED_FINDINGS: BufFields = BufFields(4);
    pub const SEVERITY: BufFields = BufFields(8);
    pub const TYPES: BufFields = BufFields(16);

    /// Every attribute of `other` is in `self` (the empty set is in every set).
    pub fn contains(self, other: BufFields) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn union(self, other: BufFields) -> BufFields {
        BufFields(self.0 | other.0)
    }
}

/// The five attributes with a FindingProviderFields twin, and their flag.
const PROVIDER_ATTRIBUTES: [(&str, BufFields); 5] = [
    ("Confidence", BufFields::CONFIDENCE),
    ("Criticality", BufFields::CRITICALITY),
    ("RelatedFindings", BufFields::RELATED_FINDINGS),
    ("Severity", BufFields::SEVERITY),
    ("Types", BufFields::TYPES),
];

/// Members an import may not change on an existing finding (Security Hub user guide, "Using
/// BatchImportFindings", restricted attributes).
const CUSTOMER_OWNED: [&str; 5] = ["Note", "UserDefinedFields", "VerificationState", "Workflow", "WorkflowState"];

/// A workflow change Security Hub makes by itself, recorded as made by the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoChange {
    pub from: Option<WorkflowStatus>,
    pub to: WorkflowStatus,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ImportOutcome {
    Created {
        doc: Value,
        auto: Option<AutoChange>,
    },
    Updated {
        doc: Value,
        changes: Vec<FieldChange>,
        auto: Option<AutoChange>,
    },
    /// The user guide ("Using BatchImportFindings"): UpdatedAt matches or precedes the stored one,
    /// so the update is ignored.
    Ignored,
}

/// Applies one validated incoming finding. `existing` is the stored document and which attributes
/// BatchUpdateFindings has set on it.
pub fn apply_import(existing: Option<(&Value, BufFields)>, incoming: Value, now: OffsetDateTime) -> ImportOutcome {
    let Some((old, buf)) = existing else {
        let (doc, auto) = create(incoming, now);
        return ImportOutcome::Created { doc, auto };
    };
    let mut doc = match incoming {
        Value::Object(m) => m,
        other => return ImportOutcome::Created { doc: other, auto: None },
    };
    fill_service_members(&mut doc, now);
    let newer = match (
        timestamp::parse(str_at(old, &["UpdatedAt"])),
        doc.member("UpdatedAt").and_then(Value::as_str).and_then(timestamp::parse),
    ) {
        (Some(a), Some(b)) => b > a,
        (None, Some(_)) => true,
        _ => false,
    };
    if !newer {
        return ImportOutcome::Ignored;
    }
    for member in CUSTOMER_OWNED {
        match old.member(member) {
            Some(v) => doc.insert(member.to_string(), v.clone()),
            None => doc.remove(member),
        };
    }
    if let Some(record) = old.member("RecordState") {
        doc.entry("RecordState").or_insert_with(|| record.clone());
    }
    for (attr, flag) in PROVIDER_ATTRIBUTES {
        provider_precedence_on_update(&mut doc, old, attr, buf.contains(flag));
    }
    complete_severity(&mut doc);
    let mut doc = Value::Object(doc);
    let auto = auto_workflow(Some(old), &mut doc);
    let mut changes = diff(old, &doc);
    if auto.is_some() {
        // The service's change is recorded on its own, not as the provider's.
        changes.retain(|c| c.field != "Workflow.Status" && c.field != "Workflow");
    }
    ImportOutcome::Updated { doc, changes, auto }
}

/// Imports a finding that is not stored (BatchImportFindings API reference and the user guide's
/// "Using BatchImportFindings"): Security Hub's own
/// members, the defaults on create, FindingProviderFields precedence, and the automatic workflow
/// change of a control finding that arrives PASSED.
pub fn create(incoming: Value, now: OffsetDateTime) -> (Value, Option<AutoChange>) {
    let mut doc = match incoming {
        Value::Object(m) => m,
        other => return (other, None),
    };
    fill_service_members(&mut doc, now);
    if !doc.contains_key("Workflow") {
        let status = doc
            .member("WorkflowState")
            .and_then(Value::as_str)
            .and_then(WorkflowState::parse)
            .map_or(WorkflowStatus::New, WorkflowState::to_status);
        doc.insert("Workflow".into(), json!({"Status": status.as_str()}));
    }
    doc.entry("RecordState").or_insert_with(|| json!(RecordState::Active.as_str()));
    for (attr, _) in PROVIDER_ATTRIBUTES {
        provider_precedence_on_create(&mut doc, attr);
    }
    complete_severity(&mut doc);
    let mut doc = Value::Object(doc);
    let auto = auto_workflow(None, &mut doc);
    (doc, auto)
}

/// The user guide ("Using BatchImportFindings"), third case ("new finding, both given") and first
/// case: a FindingProviderFields value
/// populates both places; a top-level value alone is copied into FindingProviderFields.
fn provider_precedence_on_create(doc: &mut Map<String, Value>, attr: &str) {
    let provider = fpf_get(doc, attr).cloned();
    match provider {
        Some(p) => {
            let top = top_from_provider(attr, &p, None, doc.member(attr));
            doc.insert(attr.to_string(), top);
        }
        None => {
            if let Some(top) = doc.member(attr).cloned() {
                fpf_set(doc, attr, provider_from_top(attr, &top));
            }
        }
    }
}

/// The user guide ("Using BatchImportFindings"), all three cases for an existing finding.
/// FindingProviderFields always takes the
/// provider's value; the top level follows only when BatchUpdateFindings has not set the attribute.
/// An attribute the provider leaves out keeps its stored values.
fn provider_precedence_on_update(doc: &mut Map<String, Value>, old: &Value, attr: &str, set_by_analyst: bool) {
    let old_top = old.member(attr).cloned();
    let old_fpf = value_at(old, &["FindingProviderFields", attr]).cloned();
    let new_fpf = fpf_get(doc, attr).cloned();
    let new_top = doc.member(attr).cloned();
    let (fpf, top) = match (new_fpf, new_top) {
        (Some(p), Some(t)) => (Some(p), Some(t)),
        (Some(p), None) => {
            let t = top_from_provider(attr, &p, old_top.as_ref(), old_top.as_ref());
            (Some(p), Some(t))
        }
        (None, Some(t)) => (Some(provider_from_top(attr, &t)), Some(t)),
        (None, None) => (old_fpf, old_top.clone()),
    };
    if let Some(p) = fpf {
        fpf_set(doc, attr, p);
    }
    let top = if set_by_analyst { old_top } else { top };
    match top {
        Some(t) => doc.insert(attr.to_string(), t),
        None => doc.remove(attr),
    };
}

/// The model's Severity shape: "If you provide Normalized and don't provide Label, then Label is set
/// automatically" (0 INFORMATIONAL, 1-39 LOW, 40-69 MEDIUM, 70-89 HIGH, 90-100 CRITICAL), and "If you
/// provide Label and don't provide Normalized, then Normalized is set automatically" (0, 1, 40, 70,
/// 90). So the label a filter, a sort and the list read is the one stored.
fn complete_severity(doc: &mut Map<String, Value>) {
    let Some(Value::Object(severity)) = doc.get_mut("Severity") else { return };
    let missing = match (severity.member("Label"), severity.member("Normalized")) {
        (Some(label), None) => {
            label.as_str().and_then(SeverityLabel::parse).map(|l| ("Normalized", json!(l.to_normalized())))
        }
        (None, Some(n)) => int_of(n).map(|n| ("Label", json!(SeverityLabel::from_normalized(n).as_str()))),
        _ => None,
    };
    if let Some((member, value)) = missing {
        severity.insert(member.into(), value);
    }
}

fn fpf_get<'a>(doc: &'a Map<String, Value>, attr: &str) -> Option<&'a Value> {
    doc.member("FindingProviderFields").and_then(|f| f.member(attr))
}

fn fpf_set(doc: &mut Map<String, Value>, attr: &str, v: Value) {
    let fpf = doc.entry("FindingProviderFields").or_insert_with(|| json!({}));
    if !fpf.is_object() {
        *fpf = json!({});
    }
    if let Some(m) = fpf.as_object_mut() {
        m.insert(attr.to_string(), v);
    }
}

/// The top-level value a FindingProviderFields value stands for. Only Severity differs in shape:
/// FindingProviderFields.Severity is {Label, Original}; the top level also carries Normalized
/// (derived from the label, BatchUpdateFindings API reference) and keeps the Product of
/// `product_from` (the stored top
/// level). A provider severity without a Label takes Label and Normalized from `label_from` (the
/// incoming top level of a new finding, the stored one of an existing finding), so that an Original
/// alone does not leave the finding without a severity.
fn top_from_provider(attr: &str, provider: &Value, product_from: Option<&Value>, label_from: Option<&Value>) -> Value {
    if attr != "Severity" {
        return provider.clone();
    }
    let label = provider.member("Label").and_then(Value::as_str).and_then(SeverityLabel::parse);
    let mut top = Map::new();
    if let Some(p) = product_from.and_then(|t| t.member("Product")) {
        top.insert("Product".into(), p.clone());
    }
    match (label, label_from) {
        (Some(label), _) => {
            top.insert("Label".into(), json!(label.as_str()));
            top.insert("Normalized".into(), json!(label.to_normalized()));
        }
        (None, Some(from)) => {
            for member in ["Label", "Normalized"] {
                if let Some(v) = from.member(member) {
                    top.insert(member.into(), v.clone());
                }
            }
        }
        (None, None) => {}
    }
    if let Some(original) = provider.member("Original") {
        top.insert("Original".into(), original.clone());
    }
    Value::Object(top)
}

fn provider_from_top(attr: &str, top: &Value) -> Value {
    if attr != "Severity" {
        return top.clone();
    }
    let label = top
        .member("Label")
        .and_then(Value::as_str)
        .and_then(SeverityLabel::parse)
        .or_else(|| top.member("Normalized").and_then(int_of).map(SeverityLabel::from_normalized));
    let mut p = Map::new();
    if let Some(label) = label {
        p.insert("Label".into(), json!(label.as_str()));
    }
    if let Some(original) = top.member("Original") {
        p.insert("Original".into(), original.clone());
    }
    Value::Object(p)
}

/// Members Security Hub fills in itself: Region, ProductName and CompanyName from the product ARN
/// when the provider left them out, and ProcessedAt on every import.
fn fill_service_members(doc: &mut Map<String, Value>, now: OffsetDateTime) {
    // Most providers send all three: the ARN is only taken apart when one is missing.
    if ["Region", "CompanyName", "ProductName"].iter().any(|m| doc.member(m).is_none()) {
        let arn = doc.member("ProductArn").and_then(Value::as_str).unwrap_or("").to_string();
        let (region, company, product) = product_names(&arn);
        if !region.is_empty() {
            doc.entry("Region").or_insert_with(|| json!(region));
        }
        doc.entry("CompanyName").or_insert_with(|| json!(company));
        doc.entry("ProductName").or_insert_with(|| json!(product));
    }
    doc.insert("ProcessedAt".into(), Value::String(timestamp::format_repeated(now)));
}

/// `arn:aws:securityhub:<region>:<account>:product/<company>/<product>` -> (region, company, product).
pub fn product_names(arn: &str) -> (String, String, String) {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let region = parts.get(3).copied().unwrap_or("").to_string();
    let resource = parts.get(5).copied().unwrap_or("");
    let mut segs = resource.split('/').skip(1);
    let company = segs.next().unwrap_or("");
    let product = segs.next().unwrap_or("");
    if company.chars().all(|c| c.is_ascii_digit()) && !company.is_empty() {
        return (region, "Personal".into(), "Default".into());
    }
    let known = match (company, product) {
        ("aws", "securityhub") => Some("Security Hub"),
        ("aws", "guardduty") => Some("GuardDuty"),
        ("aws", "inspector") => Some("Inspector"),
        ("aws", "macie") => Some("Macie"),
        ("aws", "access-analyzer") => Some("IAM Access Analyzer"),
        ("aws", "config") => Some("Config"),
        ("aws", "health") => Some("Health"),
        ("aws", "firewall-manager") => Some("Firewall Manager"),
        ("aws", "ssm-patch-manager") => Some("Systems Manager Patch Manager"),
        _ => None,
    };
    let company_name = if company == "aws" { "AWS".to_string() } else { title_case(company) };
    let product_name = known.map_or_else(|| title_case(product), str::to_string);
    (region, company_name, product_name)
}

fn title_case(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn is_control_finding(doc: &Value) -> bool {
    str_at(doc, &["ProductArn"]).ends_with("product/aws/securityhub") && doc.member("Compliance").is_some()
}

/// Security Hub's own workflow changes on import (BatchUpdateFindings API reference and the user guide):
/// NOTIFIED/RESOLVED -> NEW when RecordState goes ARCHIVED -> ACTIVE or Compliance.Status goes from
/// PASSED to FAILED/WARNING/NOT_AVAILABLE; SUPPRESSED is kept; a control finding arriving PASSED
/// becomes RESOLVED.
fn auto_workflow(old: Option<&Value>, doc: &mut Value) -> Option<AutoChange> {
    let status =
        |d: &Value| value_at(d, &["Workflow", "Status"]).and_then(Value::as_str).and_then(WorkflowStatus::parse);
    let compliance =
        |d: &Value| value_at(d, &["Compliance", "Status"]).and_then(Value::as_str).and_then(ComplianceStatus::parse);
    let record = |d: &Value| d.member("RecordState").and_then(Value::as_str).and_then(RecordState::parse);
    let current = status(doc);
    let mut change = None;
    if let Some(old) = old {
        let reactivated = record(old) == Some(RecordState::Archived) && record(doc) == Some(RecordState::Active);
        let failed_again = compliance(old) == Some(ComplianceStatus::Passed)
            && matches!(
                compliance(doc),
                Some(ComplianceStatus::Failed | ComplianceStatus::Warning | ComplianceStatus::NotAvailable)
            );
        if matches!(current, Some(WorkflowStatus::Notified | WorkflowStatus::Resolved)) && (reactivated || failed_again)
        {
            let reason = if reactivated {
                "RecordState changed from ARCHIVED to ACTIVE".to_string()
            } else {
                format!(
                    "Compliance.Status changed from PASSED to {}",
                    compliance(doc).map_or("", ComplianceStatus::as_str)
                )
            };
            change = Some(AutoChange { from: current, to: WorkflowStatus::New, reason });
        }
    }
    if change.is_none()
        && is_control_finding(doc)
        && compliance(doc) == Some(ComplianceStatus::Passed)
        && matches!(current, Some(WorkflowStatus::New | WorkflowStatus::Notified))
    {
        change = Some(AutoChange {
            from: current,
            to: WorkflowStatus::Resolved,
            reason: "control finding has Compliance.Status PASSED".to_string(),
        });
    }
    if let Some(c) = &change {
        doc["Workflow"] = json!({"Status": c.to.as_str()});
    }
    change
}

#[cfg(test)]
mod tests;
