//! The validation and application of BatchUpdateFindings updates (the request's parsing is tested
//! in `model::wire::batch_update`).

use super::*;
use crate::model::wire::batch_update::BatchUpdateRequest;

fn req(extra: Value) -> Value {
    let mut r = json!({"FindingIdentifiers": [{"Id": "a", "ProductArn": "p"}]});
    for (k, v) in extra.as_object().unwrap() {
        r[k] = v.clone();
    }
    r
}

fn now() -> OffsetDateTime {
    timestamp::parse("2026-03-04T05:06:07Z").unwrap()
}

// BatchUpdateFindings API reference, Severity: Label alone -> Normalized 0/1/40/70/90; Normalized alone -> Label.
#[test]
fn severity_label_and_normalized_follow_each_other() {
    let mut doc =
        json!({"Severity": {"Label": "LOW", "Normalized": 10, "Original": "2"}, "UpdatedAt": "2025-01-01T00:00:00Z"});
    let u = BatchUpdateRequest::from_json(&req(json!({"Severity": {"Label": "HIGH"}}))).unwrap().update;
    let (changes, set) = u.apply(&mut doc, now());
    assert_eq!(doc["Severity"], json!({"Label": "HIGH", "Normalized": 70, "Original": "2"}));
    assert!(set.contains(BufFields::SEVERITY));
    assert_eq!(changes.len(), 2);
    let u = BatchUpdateRequest::from_json(&req(json!({"Severity": {"Normalized": 95}}))).unwrap().update;
    u.apply(&mut doc, now());
    assert_eq!(doc["Severity"]["Label"], "CRITICAL");
    assert_eq!(doc["Severity"]["Normalized"], 95);
    assert_eq!(doc["UpdatedAt"], "2025-01-01T00:00:00Z", "BatchUpdateFindings leaves UpdatedAt unchanged");
}

#[test]
fn note_gets_updated_at_and_user_fields_merge() {
    let mut doc = json!({"UserDefinedFields": {"keep": "1", "over": "old"}});
    let u = BatchUpdateRequest::from_json(&req(json!({
        "Note": {"Text": "t", "UpdatedBy": "me"},
        "UserDefinedFields": {"over": "new", "add": "2"}
    })))
    .unwrap()
    .update;
    let (changes, set) = u.apply(&mut doc, now());
    assert_eq!(doc["Note"], json!({"Text": "t", "UpdatedBy": "me", "UpdatedAt": "2026-03-04T05:06:07.000Z"}));
    assert_eq!(doc["UserDefinedFields"], json!({"keep": "1", "over": "new", "add": "2"}));
    assert_eq!(set, BufFields::default());
    let over = changes.iter().find(|c| c.field == "UserDefinedFields.over").unwrap();
    assert_eq!((over.old.as_deref(), over.new.as_deref()), (Some("old"), Some("new")));
}

fn note(text: &str, by: &str) -> FindingUpdate {
    FindingUpdate { note: Some(NoteUpdate { text: text.into(), updated_by: by.into() }), ..FindingUpdate::default() }
}

/// `validate`'s error for a typed update, checked to be word for word what the request JSON of the
/// same update is refused with.
fn refused(u: FindingUpdate) -> UpdateError {
    let err = u.validate().unwrap_err();
    let request = BatchUpdateRequest { identifiers: vec![FindingKey::new("p", "a")], update: u };
    assert_eq!(BatchUpdateRequest::from_json(&request.to_json()).unwrap_err().to_string(), err.to_string());
    err
}

#[test]
fn validate_names_each_fault_as_the_request_would() {
    let blank = |m: &str| UpdateError::Blank { member: m.into() };
    assert_eq!(refused(note(" ", "me")), blank("Note.Text"));
    assert_eq!(refused(note("x", "")), blank("Note.UpdatedBy"));
    assert_eq!(refused(note(&"é".repeat(513), "me")), UpdateError::NoteTooLong { chars: 513 });
    assert!(note(&"é".repeat(512), "me").validate().is_ok());
    let severity = |s: SeverityUpdate| FindingUpdate { severity: Some(s), ..FindingUpdate::default() };
    assert_eq!(
        refused(severity(SeverityUpdate { normalized: Some(101), ..SeverityUpdate::default() })),
        UpdateError::NotARatio { member: "Severity.Normalized", value: "101".into() }
    );
    assert_eq!(refused(severity(SeverityUpdate::default())), UpdateError::NoSeverity);
    assert_eq!(
        refused(severity(SeverityUpdate { product: Some(f64::NAN), ..SeverityUpdate::default() })),
        UpdateError::NotANumber { value: "null".into() }
    );
    let confidence = FindingUpdate { confidence: Some(-1), ..FindingUpdate::default() };
    assert_eq!(refused(confidence), UpdateError::NotARatio { member: "Confidence", value: "-1".into() });
    let criticality = FindingUpdate { criticality: Some(200), ..FindingUpdate::default() };
    assert_eq!(refused(criticality), UpdateError::NotARatio { member: "Criticality", value: "200".into() });
    let types = |t: Vec<&str>| FindingUpdate {
        types: Some(t.into_iter().map(String::from).collect()),
        ..FindingUpdate::default()
    };
    assert_eq!(refused(types(vec!["Effects"; 51])), UpdateError::TooManyTypes { count: 51 });
    assert!(matches!(refused(types(vec!["Effects", "Bogus/x"])), UpdateError::BadType { index: 1, .. }));
    let fields = |pairs: Vec<(&str, String)>| FindingUpdate {
        user_defined_fields: Some(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()),
        ..FindingUpdate::default()
    };
    let many: Vec<(String, String)> = (0..51).map(|i| (format!("k{i}"), "v".to_string())).collect();
    let many = FindingUpdate { user_defined_fields: Some(many), ..FindingUpdate::default() };
    assert_eq!(refused(many), UpdateError::TooManyUserFields { count: 51 });
    assert_eq!(refused(fields(vec![("k", " ".into())])), UpdateError::BlankUserField { key: "k".into() });
    assert_eq!(refused(fields(vec![("k", "v".repeat(1025))])), UpdateError::UserFieldTooLong { key: "k".into() });
    let related = |n: usize, id: &str| FindingUpdate {
        related_findings: Some((0..n).map(|_| FindingKey::new("p", id)).collect()),
        ..FindingUpdate::default()
    };
    assert_eq!(
        refused(related(11, "b")),
        UpdateError::TooManyIdentifiers { member: "RelatedFindings", count: 11, max: 10 }
    );
    assert_eq!(refused(related(2, "")), blank("RelatedFindings[0].Id"));
    assert_eq!(refused(FindingUpdate::default()), UpdateError::NothingToUpdate);
}

#[test]
fn validate_reports_the_first_fault_in_request_order() {
    let u = FindingUpdate {
        confidence: Some(101),
        types: Some(vec!["Bogus".into()]),
        note: Some(NoteUpdate { text: " ".into(), updated_by: "me".into() }),
        ..FindingUpdate::default()
    };
    assert_eq!(refused(u), UpdateError::Blank { member: "Note.Text".into() });
}

#[test]
fn an_error_names_its_member_and_which_comes_first() {
    let blank = UpdateError::Blank { member: "RelatedFindings[3].ProductArn".into() };
    assert_eq!(blank.member(), Some("RelatedFindings"));
    let note = UpdateError::NoteTooLong { chars: 600 };
    assert_eq!(note.member(), Some("Note"));
    let ratio = UpdateError::NotARatio { member: "Severity.Normalized", value: "-3".into() };
    assert_eq!(ratio.member(), Some("Severity"));
    assert_eq!(UpdateError::NothingToUpdate.member(), None);
    let confidence = UpdateError::NotARatio { member: "Confidence", value: "\"lots\"".into() };
    assert!(note.precedes(&confidence) && !confidence.precedes(&note));
    assert!(confidence.precedes(&UpdateError::TooManyTypes { count: 60 }));
    assert!(blank.precedes(&UpdateError::NothingToUpdate));
    assert!(!UpdateError::NothingToUpdate.precedes(&blank));
    assert_eq!(confidence.to_string(), "Confidence must be an integer from 0 to 100, not \"lots\"");
}
