//! GetFindingHistory's request and answer JSON, read and printed.

use serde_json::json;

use super::*;

fn at(s: &str) -> OffsetDateTime {
    timestamp::parse(s).unwrap()
}

#[test]
fn a_request_reads_back_what_it_prints() {
    let full = HistoryRequest {
        key: FindingKey::new("p", "a"),
        start: Some(at("2025-01-02T03:04:05.678Z")),
        end: Some(at("2025-02-02T00:00:00Z")),
        next_token: Some("7".into()),
        max_results: 3,
    };
    assert_eq!(HistoryRequest::from_json(&full.to_json()).unwrap(), full);
    let bare = HistoryRequest::new(FindingKey::new("p", "a"));
    assert_eq!(HistoryRequest::from_json(&bare.to_json()).unwrap(), bare);
}

#[test]
fn a_request_in_the_service_shape_prints_as_it_was_written() {
    let body = json!({
        "FindingIdentifier": {"Id": "a", "ProductArn": "p"},
        "StartTime": "2025-01-02T03:04:05.678Z",
        "EndTime": "2025-02-02T00:00:00.000Z",
        "NextToken": "12",
        "MaxResults": 50
    });
    assert_eq!(HistoryRequest::from_json(&body).unwrap().to_json(), body);
    let body = json!({"FindingIdentifier": {"Id": "a", "ProductArn": "p"}, "MaxResults": 100});
    assert_eq!(HistoryRequest::from_json(&body).unwrap().to_json(), body);
}

#[test]
fn a_request_with_a_fault_is_refused_with_the_member_named() {
    let key = json!({"Id": "a", "ProductArn": "p"});
    let cases = [
        (json!([]), "the request body must be a JSON object"),
        (
            json!({"FindingIdentifier": key, "Since": 1}),
            "unknown member Since; GetFindingHistory accepts FindingIdentifier, StartTime, EndTime, NextToken, MaxResults",
        ),
        (json!({}), "FindingIdentifier is required"),
        (json!({"FindingIdentifier": {"Id": "a"}}), "FindingIdentifier must have Id and ProductArn strings"),
        (json!({"FindingIdentifier": key, "StartTime": "soon"}), "StartTime \"soon\" is not an ISO 8601 timestamp"),
        (json!({"FindingIdentifier": key, "EndTime": 5}), "EndTime must be an ISO 8601 timestamp string, not 5"),
        (json!({"FindingIdentifier": key, "NextToken": 5}), "NextToken must be a string, not number"),
        (json!({"FindingIdentifier": key, "MaxResults": 0}), "MaxResults must be an integer from 1 to 100, not 0"),
    ];
    for (body, expected) in cases {
        assert_eq!(HistoryRequest::from_json(&body).unwrap_err().to_string(), expected);
    }
}

fn record(source: &str, updates: Vec<FieldChange>) -> HistoryRecord {
    HistoryRecord {
        key: FindingKey::new("p", "a"),
        time: "2025-01-02T03:04:05.678Z".into(),
        created: false,
        source: source.into(),
        identity: "analyst".into(),
        reason: None,
        updates,
    }
}

fn change(field: &str, old: Option<&str>, new: Option<&str>) -> FieldChange {
    FieldChange { field: field.into(), old: old.map(String::from), new: new.map(String::from) }
}

#[test]
fn a_record_and_a_page_read_back_what_they_print() {
    let updated = record(SOURCE_UPDATE, vec![change("Workflow.Status", Some("NEW"), Some("RESOLVED"))]);
    let created = HistoryRecord { created: true, source: SOURCE_IMPORT.into(), updates: vec![], ..updated.clone() };
    let added = record(SOURCE_IMPORT, vec![change("Note.Text", None, Some("t")), change("Types", Some("[]"), None)]);
    for r in [&updated, &created, &added] {
        assert_eq!(&HistoryRecord::from_json(&r.to_json()).unwrap(), r);
    }
    let page = HistoryPage { records: vec![updated, added, created], next_token: Some("4".into()) };
    assert_eq!(HistoryPage::from_json(&page.to_json()).unwrap(), page);
    let last = HistoryPage::default();
    assert_eq!(HistoryPage::from_json(&last.to_json()).unwrap(), last);
}

#[test]
fn an_answer_in_the_service_shape_prints_as_it_was_written() {
    let body = json!({
        "Records": [{
            "FindingIdentifier": {"Id": "a", "ProductArn": "p"},
            "UpdateTime": "2025-01-02T03:04:05.678Z",
            "FindingCreated": false,
            "UpdateSource": {"Type": "BATCH_UPDATE_FINDINGS", "Identity": "arn:aws:iam::111122223333:role/analyst"},
            "Updates": [
                {"UpdatedField": "Workflow.Status", "OldValue": "NEW", "NewValue": "NOTIFIED"},
                {"UpdatedField": "Note.Text", "NewValue": "ticket"}
            ]
        }, {
            "FindingIdentifier": {"Id": "a", "ProductArn": "p"},
            "UpdateTime": "2025-01-01T00:00:00.000Z",
            "FindingCreated": true,
            "UpdateSource": {"Type": "BATCH_IMPORT_FINDINGS", "Identity": "p"},
            "Updates": []
        }],
        "NextToken": "3"
    });
    let page = HistoryPage::from_json(&body).unwrap();
    assert_eq!(page.to_json(), body);
    assert_eq!(HistoryRecord::from_json(&body["Records"][0]).unwrap().to_json(), body["Records"][0]);
}

// The wire's UpdateSource.Type is BATCH_IMPORT_FINDINGS or BATCH_UPDATE_FINDINGS (service model):
// an automatic change prints as the import's, with the service's identity and without its reason,
// and reads back as such.
#[test]
fn a_service_change_prints_as_the_import_that_caused_it() {
    let service = HistoryRecord {
        identity: "securityhub.amazonaws.com".into(),
        reason: Some("the finding was updated after it was resolved".into()),
        ..record(SOURCE_SERVICE, vec![change("Workflow.Status", Some("RESOLVED"), Some("NEW"))])
    };
    let printed = service.to_json();
    assert_eq!(
        printed["UpdateSource"],
        json!({"Type": "BATCH_IMPORT_FINDINGS", "Identity": "securityhub.amazonaws.com"})
    );
    let read = HistoryRecord::from_json(&printed).unwrap();
    assert!(!read.is_service_change());
    assert_eq!(read, HistoryRecord { source: SOURCE_IMPORT.into(), reason: None, ..service });
}

#[test]
fn an_answer_takes_the_model_optional_members_as_absent() {
    let page = HistoryPage::from_json(&json!({})).unwrap();
    assert_eq!(page, HistoryPage::default());
    let r = HistoryRecord::from_json(&json!({
        "FindingIdentifier": {"Id": "a", "ProductArn": "p"},
        "UpdateTime": "2025-01-02T03:04:05.678Z",
        "UpdateSource": {"Type": "BATCH_UPDATE_FINDINGS", "Identity": "analyst"},
        "NextToken": "ignored"
    }))
    .unwrap();
    assert_eq!(r, record(SOURCE_UPDATE, vec![]));
}

#[test]
fn an_answer_with_a_fault_is_refused_with_its_path() {
    let good = record(SOURCE_UPDATE, vec![change("Confidence", Some("1"), Some("2"))]).to_json();
    let with = |member: &str, v: Value| {
        let mut r = good.clone();
        r[member] = v;
        json!({"Records": [r]})
    };
    let without = |member: &str| {
        let mut r = good.clone();
        r.as_object_mut().unwrap().remove(member);
        json!({"Records": [r]})
    };
    let cases = [
        (json!("x"), "the GetFindingHistory response must be a JSON object"),
        (json!({"Records": {}}), "Records must be a list, not object"),
        (json!({"Records": [1]}), "Records[0] must be a JSON object"),
        (json!({"Records": [], "NextToken": 3}), "NextToken must be a string, not number"),
        (without("UpdateTime"), "Records[0].UpdateTime is required"),
        (without("UpdateSource"), "Records[0].UpdateSource is required"),
        (
            with("FindingIdentifier", json!({"Id": "a"})),
            "Records[0].FindingIdentifier must have Id and ProductArn strings",
        ),
        (with("FindingCreated", json!("yes")), "Records[0].FindingCreated must be a boolean, not string"),
        (
            with("UpdateSource", json!({"Type": "BATCH_UPDATE_FINDINGS"})),
            "Records[0].UpdateSource.Identity is required",
        ),
        (with("Updates", json!([{"OldValue": "1"}])), "Records[0].Updates[0].UpdatedField is required"),
        (
            with("Updates", json!([{"UpdatedField": "x", "NewValue": 2}])),
            "Records[0].Updates[0].NewValue must be a string, not number",
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(HistoryPage::from_json(&body).unwrap_err().to_string(), expected);
    }
    assert_eq!(
        HistoryRecord::from_json(&json!(null)).unwrap_err().to_string(),
        "the history record must be a JSON object"
    );
}
