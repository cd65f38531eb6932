//! Tests of the BatchImportFindings rules: defaults on create, severity label and normalized kept
//! in step, what an update may overwrite (provider fields unless BatchUpdateFindings set them), and
//! the workflow changes an import makes on its own (reactivation, compliance regressions).

use super::*;
use crate::model::finding::tests::sample;

fn now() -> OffsetDateTime {
    timestamp::parse("2026-01-01T00:00:00Z").unwrap()
}

fn created(f: Value) -> Value {
    match apply_import(None, f, now()) {
        ImportOutcome::Created { doc, .. } => doc,
        other => panic!("expected create, got {other:?}"),
    }
}

fn updated(old: &Value, buf: BufFields, f: Value) -> (Value, Vec<FieldChange>, Option<AutoChange>) {
    match apply_import(Some((old, buf)), f, now()) {
        ImportOutcome::Updated { doc, changes, auto } => (doc, changes, auto),
        other => panic!("expected update, got {other:?}"),
    }
}

// Engine issue: defaults on create (Workflow.Status NEW, RecordState ACTIVE, FPF from the top level).
#[test]
fn create_fills_defaults_and_provider_fields() {
    let mut f = sample("a");
    f["Confidence"] = json!(50);
    let doc = created(f);
    assert_eq!(doc["Workflow"]["Status"], "NEW");
    assert_eq!(doc["RecordState"], "ACTIVE");
    assert_eq!(doc["FindingProviderFields"]["Severity"]["Label"], "HIGH");
    assert_eq!(doc["FindingProviderFields"]["Confidence"], 50);
    assert_eq!(doc["ProcessedAt"], "2026-01-01T00:00:00.000Z");
    assert_eq!(doc["Region"], "us-east-1");
    assert_eq!(doc["ProductName"], "Default");
}

// Model, Severity.Label and Severity.Normalized: the one not provided is set from the other, on
// create and on an import update, so the stored label is the one filters and the list read.
#[test]
fn severity_label_and_normalized_are_set_from_each_other() {
    for (given, label, normalized) in [
        (json!({"Normalized": 75}), "HIGH", json!(75)),
        (json!({"Normalized": 0}), "INFORMATIONAL", json!(0)),
        (json!({"Normalized": "39"}), "LOW", json!("39")),
        (json!({"Normalized": 90, "Original": "x"}), "CRITICAL", json!(90)),
        (json!({"Label": "MEDIUM"}), "MEDIUM", json!(40)),
        (json!({"Label": "HIGH", "Normalized": 10}), "HIGH", json!(10)),
    ] {
        let mut f = sample("a");
        f["Severity"] = given.clone();
        let doc = created(f.clone());
        assert_eq!(
            (&doc["Severity"]["Label"], &doc["Severity"]["Normalized"]),
            (&json!(label), &normalized),
            "{given}"
        );
        assert_eq!(doc["FindingProviderFields"]["Severity"]["Label"], label, "{given}");
        let mut old = sample("a");
        old.as_object_mut().unwrap().remove("FindingProviderFields");
        let old = created(old);
        f["UpdatedAt"] = json!("2030-01-01T00:00:00Z");
        let (doc, _, _) = updated(&old, BufFields::default(), f);
        assert_eq!(
            (&doc["Severity"]["Label"], &doc["Severity"]["Normalized"]),
            (&json!(label), &normalized),
            "{given}"
        );
    }
}

// A provider severity with only an Original (FindingProviderSeverity has no Normalized) takes
// precedence for the Original but leaves the finding's label: the incoming one on create, the
// stored one on an update.
#[test]
fn a_provider_severity_without_a_label_keeps_the_findings_label() {
    let mut f = sample("a");
    f["Severity"] = json!({"Normalized": 75});
    f["FindingProviderFields"] = json!({"Severity": {"Original": "sev-7"}});
    let doc = created(f.clone());
    assert_eq!(doc["Severity"], json!({"Normalized": 75, "Label": "HIGH", "Original": "sev-7"}));
    let mut next = f;
    next.as_object_mut().unwrap().remove("Severity");
    next["FindingProviderFields"] = json!({"Severity": {"Original": "sev-8"}});
    next["UpdatedAt"] = json!("2030-01-01T00:00:00Z");
    let (doc, _, _) = updated(&doc, BufFields::default(), next);
    assert_eq!(doc["Severity"], json!({"Normalized": 75, "Label": "HIGH", "Original": "sev-8"}));
}

#[test]
fn create_keeps_a_provided_workflow_and_maps_the_deprecated_workflow_state() {
    let mut f = sample("a");
    f["Workflow"] = json!({"Status": "NOTIFIED"});
    assert_eq!(created(f)["Workflow"]["Status"], "NOTIFIED");
    let mut f = sample("b");
    f["WorkflowState"] = json!("DEFERRED");
    assert_eq!(created(f)["Workflow"]["Status"], "SUPPRESSED");
}

// The user guide ("Using BatchImportFindings"): "For a new finding, Security Hub uses the
// value in FindingProviderFields to populate
// both ... It does not use the provided top-level attribute value."
#[test]
fn create_with_both_values_uses_the_provider_value_for_both() {
    let mut f = sample("a");
    f["Severity"] = json!({"Label": "LOW"});
    f["FindingProviderFields"] =
        json!({"Severity": {"Label": "CRITICAL", "Original": "9.8"}, "Types": ["TTPs/Discovery"]});
    f["Types"] = json!(["Effects/Data Exposure"]);
    let doc = created(f);
    assert_eq!(doc["Severity"], json!({"Label": "CRITICAL", "Normalized": 90, "Original": "9.8"}));
    assert_eq!(doc["Types"], json!(["TTPs/Discovery"]));
    assert_eq!(doc["FindingProviderFields"]["Types"], json!(["TTPs/Discovery"]));
}

// The user guide ("Using BatchImportFindings"): "If UpdatedAt on the update matches or occurs
// before UpdatedAt on the existing finding,
// then the update is ignored."
#[test]
fn an_update_that_is_not_later_is_ignored() {
    let old = created(sample("a"));
    let mut same = sample("a");
    same["Title"] = json!("changed");
    assert_eq!(apply_import(Some((&old, BufFields::default())), same.clone(), now()), ImportOutcome::Ignored);
    same["UpdatedAt"] = json!("2024-12-31T00:00:00Z");
    assert_eq!(apply_import(Some((&old, BufFields::default())), same.clone(), now()), ImportOutcome::Ignored);
    // Same instant written with an offset is still "matches".
    same["UpdatedAt"] = json!("2025-01-02T01:00:00+01:00");
    assert_eq!(apply_import(Some((&old, BufFields::default())), same, now()), ImportOutcome::Ignored);
}

// The user guide ("Using BatchImportFindings"): Note, UserDefinedFields, VerificationState and
// Workflow are ignored on an existing finding.
#[test]
fn update_ignores_customer_owned_members() {
    let mut old = created(sample("a"));
    old["Note"] = json!({"Text": "mine", "UpdatedBy": "analyst", "UpdatedAt": "2025-01-05T00:00:00Z"});
    old["Workflow"] = json!({"Status": "SUPPRESSED"});
    let mut f = sample("a");
    f["UpdatedAt"] = json!("2025-02-01T00:00:00Z");
    f["Title"] = json!("new title");
    f["Note"] = json!({"Text": "provider", "UpdatedBy": "p", "UpdatedAt": "2025-02-01T00:00:00Z"});
    f["Workflow"] = json!({"Status": "NEW"});
    f["VerificationState"] = json!("FALSE_POSITIVE");
    f["UserDefinedFields"] = json!({"k": "v"});
    let (doc, changes, auto) = updated(&old, BufFields::default(), f);
    assert_eq!(doc["Title"], "new title");
    assert_eq!(doc["Note"]["Text"], "mine");
    assert_eq!(doc["Workflow"]["Status"], "SUPPRESSED");
    assert!(doc.get("VerificationState").is_none());
    assert!(doc.get("UserDefinedFields").is_none());
    assert!(auto.is_none());
    let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, vec!["UpdatedAt", "Title"]);
}

// The user guide ("Using BatchImportFindings"), case 1: FPF only -> FPF updated; top level
// replicated only if BUF did not set it.
#[test]
fn provider_fields_replicate_unless_set_by_batch_update() {
    let old = created(sample("a"));
    let mut f = sample("a");
    f["UpdatedAt"] = json!("2025-02-01T00:00:00Z");
    f.as_object_mut().unwrap().remove("Severity");
    f["FindingProviderFields"] = json!({"Severity": {"Label": "LOW", "Original": "3"}, "Confidence": 80});
    let (doc, _, _) = updated(&old, BufFields::default(), f.clone());
    assert_eq!(doc["Severity"]["Label"], "LOW");
    assert_eq!(doc["Confidence"], 80);

    let mut analysed = old.clone();
    analysed["Severity"] = json!({"Label": "CRITICAL", "Normalized": 90});
    let (doc, _, _) = updated(&analysed, BufFields::SEVERITY, f);
    assert_eq!(doc["Severity"]["Label"], "CRITICAL", "analyst's severity kept");
    assert_eq!(doc["FindingProviderFields"]["Severity"]["Label"], "LOW", "provider copy updated");
    assert_eq!(doc["Confidence"], 80, "confidence was not set by BUF");
}

// The user guide ("Using BatchImportFindings"), case 2: top level only -> FPF overwritten; top
// level only if not set by BUF.
#[test]
fn top_level_only_overwrites_provider_fields() {
    let mut first = sample("a");
    first["FindingProviderFields"] = json!({"Types": ["TTPs/Discovery"]});
    let mut old = created(first);
    old["Types"] = json!(["Effects/Data Exposure"]);
    let mut f = sample("a");
    f["UpdatedAt"] = json!("2025-02-01T00:00:00Z");
    f["Types"] = json!(["Unusual Behaviors/User"]);
    let (doc, _, _) = updated(&old, BufFields::TYPES, f.clone());
    assert_eq!(doc["FindingProviderFields"]["Types"], json!(["Unusual Behaviors/User"]));
    assert_eq!(doc["Types"], json!(["Effects/Data Exposure"]));
    let (doc, _, _) = updated(&old, BufFields::default(), f);
    assert_eq!(doc["Types"], json!(["Unusual Behaviors/User"]));
}

// The user guide ("Using BatchImportFindings"), case 3 on an existing finding: both values
// used; top level only if not set by BUF.
#[test]
fn both_values_on_update() {
    let old = created(sample("a"));
    let mut f = sample("a");
    f["UpdatedAt"] = json!("2025-02-01T00:00:00Z");
    f["Criticality"] = json!(10);
    f["FindingProviderFields"] = json!({"Criticality": 20});
    let (doc, _, _) = updated(&old, BufFields::default(), f.clone());
    assert_eq!(doc["Criticality"], 10);
    assert_eq!(doc["FindingProviderFields"]["Criticality"], 20);
    let mut analysed = old.clone();
    analysed["Criticality"] = json!(99);
    let (doc, _, _) = updated(&analysed, BufFields::CRITICALITY, f);
    assert_eq!(doc["Criticality"], 99);
    assert_eq!(doc["FindingProviderFields"]["Criticality"], 20);
}

// BatchUpdateFindings API reference, Workflow: NOTIFIED/RESOLVED -> NEW when RecordState goes
// ARCHIVED -> ACTIVE.
#[test]
fn reactivation_reopens_resolved_findings() {
    let mut old = created(sample("a"));
    old["RecordState"] = json!("ARCHIVED");
    old["Workflow"] = json!({"Status": "RESOLVED"});
    let mut f = sample("a");
    f["UpdatedAt"] = json!("2025-02-01T00:00:00Z");
    f["RecordState"] = json!("ACTIVE");
    let (doc, changes, auto) = updated(&old, BufFields::default(), f.clone());
    assert_eq!(doc["Workflow"]["Status"], "NEW");
    let auto = auto.unwrap();
    assert_eq!((auto.from, auto.to), (Some(WorkflowStatus::Resolved), WorkflowStatus::New));
    assert!(auto.reason.contains("ARCHIVED"));
    assert!(changes.iter().any(|c| c.field == "RecordState"));
    assert!(!changes.iter().any(|c| c.field == "Workflow.Status"), "service change recorded apart");
    // SUPPRESSED is kept.
    old["Workflow"] = json!({"Status": "SUPPRESSED"});
    let (doc, _, auto) = updated(&old, BufFields::default(), f);
    assert_eq!(doc["Workflow"]["Status"], "SUPPRESSED");
    assert!(auto.is_none());
}

fn control(status: &str) -> Value {
    let mut f = sample("ctl");
    f["ProductArn"] = json!("arn:aws:securityhub:us-east-1::product/aws/securityhub");
    f["Compliance"] = json!({"Status": status, "SecurityControlId": "S3.1"});
    f
}

// BatchUpdateFindings API reference, Workflow: Compliance.Status PASSED ->
// FAILED/WARNING/NOT_AVAILABLE reopens.
#[test]
fn compliance_regression_reopens_notified_findings() {
    for new_status in ["FAILED", "WARNING", "NOT_AVAILABLE"] {
        let mut old = created(control("PASSED"));
        assert_eq!(old["Workflow"]["Status"], "RESOLVED");
        old["Workflow"] = json!({"Status": "NOTIFIED"});
        let mut f = control(new_status);
        f["UpdatedAt"] = json!("2025-02-01T00:00:00Z");
        let (doc, _, auto) = updated(&old, BufFields::default(), f);
        assert_eq!(doc["Workflow"]["Status"], "NEW", "{new_status}");
        assert!(auto.unwrap().reason.contains(new_status));
    }
}

// Engine issue: a control finding arriving with Compliance.Status PASSED becomes RESOLVED.
#[test]
fn passed_control_findings_resolve() {
    let doc = created(control("PASSED"));
    assert_eq!(doc["Workflow"]["Status"], "RESOLVED");
    let doc = created(control("FAILED"));
    assert_eq!(doc["Workflow"]["Status"], "NEW");
    // Not a control finding: stays NEW.
    let mut f = sample("x");
    f["Compliance"] = json!({"Status": "PASSED"});
    assert_eq!(created(f)["Workflow"]["Status"], "NEW");
    // An existing NEW control finding that passes on re-import is resolved, and a SUPPRESSED one kept.
    let old = created(control("FAILED"));
    let mut f = control("PASSED");
    f["UpdatedAt"] = json!("2025-02-01T00:00:00Z");
    let (doc, _, auto) = updated(&old, BufFields::default(), f.clone());
    assert_eq!(doc["Workflow"]["Status"], "RESOLVED");
    assert_eq!(auto.unwrap().to, WorkflowStatus::Resolved);
    let mut sup = old.clone();
    sup["Workflow"] = json!({"Status": "SUPPRESSED"});
    let (doc, _, _) = updated(&sup, BufFields::default(), f);
    assert_eq!(doc["Workflow"]["Status"], "SUPPRESSED");
}

#[test]
fn product_names_come_from_the_arn() {
    let n = |a: &str| product_names(a);
    assert_eq!(
        n("arn:aws:securityhub:eu-west-1::product/aws/guardduty"),
        ("eu-west-1".into(), "AWS".into(), "GuardDuty".into())
    );
    assert_eq!(n("arn:aws:securityhub:us-east-1::product/prowler/prowler").2, "Prowler");
    assert_eq!(n("arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default").1, "Personal");
}
