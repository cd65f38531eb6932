//! BatchUpdateFindings' request and answer JSON, read and printed.

use serde_json::{json, Value};

use super::*;
use crate::model::enums::WorkflowStatus;

fn req(extra: Value) -> Value {
    let mut r = json!({"FindingIdentifiers": [{"Id": "a", "ProductArn": "p"}]});
    for (k, v) in extra.as_object().unwrap() {
        r[k] = v.clone();
    }
    r
}

#[test]
fn parses_every_field_and_round_trips() {
    let r = req(json!({
        "Note": {"Text": "Known issue", "UpdatedBy": "user1"},
        "Severity": {"Label": "LOW"},
        "VerificationState": "TRUE_POSITIVE",
        "Confidence": 10, "Criticality": 90,
        "Types": ["Effects/Data Exposure"],
        "UserDefinedFields": {"ticket": "SEC-1"},
        "Workflow": {"Status": "RESOLVED"},
        "RelatedFindings": [{"Id": "b", "ProductArn": "p"}]
    }));
    let parsed = BatchUpdateRequest::from_json(&r).unwrap();
    assert_eq!(parsed.identifiers, vec![FindingKey::new("p", "a")]);
    assert_eq!(parsed.update.workflow_status, Some(WorkflowStatus::Resolved));
    assert_eq!(BatchUpdateRequest::from_json(&parsed.to_json()).unwrap(), parsed);
    assert_eq!(
        parsed.update.describe(),
        "Workflow RESOLVED, Severity LOW, VerificationState TRUE_POSITIVE, Confidence 10, Criticality 90, Types, UserDefinedFields, RelatedFindings, Note"
    );
}

// BatchUpdateFindings API reference: request-level InvalidInputException for invalid values.
#[test]
fn invalid_values_are_rejected_with_the_member_named() {
    let cases = [
        (req(json!({"Confidence": 101})), "Confidence must be an integer from 0 to 100"),
        (req(json!({"Criticality": -1})), "Criticality"),
        (req(json!({"Severity": {"Label": "SEVERE"}})), "Severity.Label"),
        (req(json!({"Severity": {"Normalized": 150}})), "Severity.Normalized"),
        (req(json!({"Note": {"Text": "x"}})), "Note.UpdatedBy is required"),
        (req(json!({"Note": {"Text": "", "UpdatedBy": "u"}})), "Note.Text must not be blank"),
        (req(json!({"Note": {"Text": "x".repeat(513), "UpdatedBy": "u"}})), "513 characters"),
        (req(json!({"VerificationState": "MAYBE"})), "VerificationState"),
        (req(json!({"Workflow": {"Status": "DONE"}})), "Workflow.Status"),
        (req(json!({"Types": ["Bogus/x/y"]})), "Types[0]"),
        (req(json!({"UserDefinedFields": {"k": " "}})), "must not be blank"),
        (req(json!({"RelatedFindings": [{"Id": "x"}]})), "RelatedFindings[0].ProductArn is required"),
        (req(json!({"Flavour": 1})), "unknown member Flavour"),
        (req(json!({})), "no field to update"),
        (json!({"Workflow": {"Status": "NEW"}}), "FindingIdentifiers is required"),
        (json!({"FindingIdentifiers": [], "Workflow": {"Status": "NEW"}}), "at least one"),
    ];
    for (r, expected) in cases {
        let err = BatchUpdateRequest::from_json(&r).unwrap_err().to_string();
        assert!(err.contains(expected), "expected {expected:?} in {err:?}");
    }
}

// BatchUpdateFindings API reference: up to 100 findings at a time.
#[test]
fn more_than_100_identifiers_is_an_error() {
    let ids: Vec<Value> = (0..101).map(|i| json!({"Id": format!("f{i}"), "ProductArn": "p"})).collect();
    let r = json!({"FindingIdentifiers": ids, "Workflow": {"Status": "NEW"}});
    assert!(BatchUpdateRequest::from_json(&r).unwrap_err().to_string().contains("101 items"));
    let ids: Vec<Value> = (0..100).map(|i| json!({"Id": format!("f{i}"), "ProductArn": "p"})).collect();
    let r = json!({"FindingIdentifiers": ids, "Workflow": {"Status": "NEW"}});
    assert_eq!(BatchUpdateRequest::from_json(&r).unwrap().identifiers.len(), 100);
}

/// A request written by hand in the service model's shape, with every member.
fn every_member() -> Value {
    json!({
        "FindingIdentifiers": [{"Id": "a", "ProductArn": "p"}, {"Id": "b", "ProductArn": "q"}],
        "Note": {"Text": "Known issue", "UpdatedBy": "user1"},
        "Severity": {"Label": "LOW", "Normalized": 20, "Product": 2.5},
        "VerificationState": "TRUE_POSITIVE",
        "Confidence": 10,
        "Criticality": 90,
        "Types": ["Effects/Data Exposure", "Software and Configuration Checks"],
        "UserDefinedFields": {"ticket": "SEC-1", "owner": "ops"},
        "Workflow": {"Status": "RESOLVED"},
        "RelatedFindings": [{"Id": "c", "ProductArn": "p"}]
    })
}

#[test]
fn a_request_reads_back_what_it_prints() {
    let request = BatchUpdateRequest {
        identifiers: vec![FindingKey::new("p", "a"), FindingKey::new("q", "b")],
        update: FindingUpdate {
            note: Some(NoteUpdate { text: "t".into(), updated_by: "me".into() }),
            severity: Some(SeverityUpdate { label: None, normalized: Some(55), product: Some(7.25) }),
            verification_state: Some(VerificationState::BenignPositive),
            confidence: Some(0),
            criticality: Some(100),
            types: Some(vec!["Effects".into()]),
            user_defined_fields: Some(vec![("b".into(), "2".into()), ("a".into(), "1".into())]),
            workflow_status: Some(WorkflowStatus::Suppressed),
            related_findings: Some(vec![FindingKey::new("p", "c")]),
            v2: None,
        },
    };
    assert_eq!(BatchUpdateRequest::from_json(&request.to_json()).unwrap(), request);
    let one = BatchUpdateRequest {
        identifiers: vec![FindingKey::new("p", "a")],
        update: FindingUpdate { workflow_status: Some(WorkflowStatus::New), ..FindingUpdate::default() },
    };
    assert_eq!(BatchUpdateRequest::from_json(&one.to_json()).unwrap(), one);
}

#[test]
fn a_request_in_the_service_shape_prints_as_it_was_written() {
    let body = every_member();
    assert_eq!(BatchUpdateRequest::from_json(&body).unwrap().to_json(), body);
    let body = json!({"FindingIdentifiers": [{"Id": "a", "ProductArn": "p"}], "Severity": {"Normalized": 0}});
    assert_eq!(BatchUpdateRequest::from_json(&body).unwrap().to_json(), body);
}

fn answer() -> UpdateResult {
    UpdateResult {
        processed: vec![FindingKey::new("p", "a"), FindingKey::new("p", "c")],
        unprocessed: vec![Unprocessed {
            key: FindingKey::new("p", "b"),
            code: "FindingNotFound".into(),
            message: "no finding has this Id and ProductArn".into(),
        }],
    }
}

#[test]
fn an_answer_reads_back_what_it_prints() {
    assert_eq!(UpdateResult::from_json(&answer().to_json()).unwrap(), answer());
    assert_eq!(UpdateResult::from_json(&UpdateResult::default().to_json()).unwrap(), UpdateResult::default());
    let u = &answer().unprocessed[0];
    assert_eq!(&Unprocessed::from_json(&u.to_json()).unwrap(), u);
}

#[test]
fn an_answer_in_the_service_shape_prints_as_it_was_written() {
    let body = json!({
        "ProcessedFindings": [{"Id": "a", "ProductArn": "p"}],
        "UnprocessedFindings": [{
            "FindingIdentifier": {"Id": "b", "ProductArn": "p"},
            "ErrorCode": "FindingSizeExceeded",
            "ErrorMessage": "the updated finding would be 241 KB; the maximum is 240 KB"
        }]
    });
    assert_eq!(UpdateResult::from_json(&body).unwrap().to_json(), body);
    let entry = &body["UnprocessedFindings"][0];
    assert_eq!(&Unprocessed::from_json(entry).unwrap().to_json(), entry);
}

#[test]
fn an_answer_missing_a_member_is_refused_with_its_path() {
    let cases = [
        (json!([]), "the BatchUpdateFindings response must be a JSON object"),
        (json!({"UnprocessedFindings": []}), "ProcessedFindings is required"),
        (json!({"ProcessedFindings": []}), "UnprocessedFindings is required"),
        (json!({"ProcessedFindings": {}, "UnprocessedFindings": []}), "ProcessedFindings must be a list, not object"),
        (
            json!({"ProcessedFindings": [{"Id": "a"}], "UnprocessedFindings": []}),
            "ProcessedFindings[0] must have Id and ProductArn strings",
        ),
        (
            json!({"ProcessedFindings": [], "UnprocessedFindings": [{
                "FindingIdentifier": {"Id": "b", "ProductArn": "p"}, "ErrorCode": "FindingNotFound"
            }]}),
            "UnprocessedFindings[0].ErrorMessage is required",
        ),
        (
            json!({"ProcessedFindings": [], "UnprocessedFindings": [{
                "FindingIdentifier": {"Id": "b", "ProductArn": "p"}, "ErrorCode": 7, "ErrorMessage": "m"
            }]}),
            "UnprocessedFindings[0].ErrorCode must be a string, not number",
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(UpdateResult::from_json(&body).unwrap_err().to_string(), expected);
    }
    assert_eq!(
        Unprocessed::from_json(&json!(1)).unwrap_err().to_string(),
        "the unprocessed finding must be a JSON object"
    );
    assert_eq!(Unprocessed::from_json(&json!({})).unwrap_err().to_string(), "FindingIdentifier is required");
}

// The service model's Workflow, Note and identifier shapes have no other members: an unknown one is
// refused naming it (InvalidInputException), as at the request's top level and in Severity.
// Severity.Normalized is an integer: a string or a fraction is refused, not rounded. A null member is
// refused as the wrong type, as every member (Note, Confidence, Workflow alike).
#[test]
fn unknown_members_wrong_numbers_and_nulls_are_refused() {
    let cases = [
        (
            req(json!({"Workflow": {"Status": "NEW", "Reason": "x"}})),
            "unknown member Workflow.Reason; Workflow accepts Status",
        ),
        (
            req(json!({"Note": {"Text": "t", "UpdatedBy": "u", "UpdatedAt": "2026-01-01T00:00:00Z"}})),
            "unknown member Note.UpdatedAt; Note accepts Text, UpdatedBy",
        ),
        (
            json!({"FindingIdentifiers": [{"Id": "a", "ProductArn": "p", "Region": "us-east-1"}], "Workflow": {"Status": "NEW"}}),
            "unknown member FindingIdentifiers[0].Region; a finding identifier accepts Id, ProductArn",
        ),
        (
            req(json!({"RelatedFindings": [{"Id": "b", "ProductArn": "p", "X": 1}]})),
            "unknown member RelatedFindings[0].X",
        ),
        (req(json!({"Severity": {"Normalized": "50"}})), "Severity.Normalized"),
        (req(json!({"Severity": {"Normalized": 50.7}})), "Severity.Normalized"),
        (req(json!({"Workflow": null})), "Workflow must be an object with Status, not null"),
        (req(json!({"Workflow": "NEW"})), "Workflow must be an object with Status, not string"),
        (req(json!({"Note": null})), "Note must be an object"),
        (req(json!({"Confidence": null})), "Confidence"),
        (req(json!({"Severity": null})), "Severity must be an object"),
        (req(json!({"Workflow": {"Status": null}})), "Workflow.Status"),
    ];
    for (r, expected) in cases {
        let err = BatchUpdateRequest::from_json(&r).map(|_| ()).unwrap_err().to_string();
        assert!(err.contains(expected), "expected {expected:?} in {err:?}");
    }
}
