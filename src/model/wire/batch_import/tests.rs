//! BatchImportFindings' request and answer JSON, read and printed.

use serde_json::json;

use super::*;
use crate::model::finding::tests::sample;

#[test]
fn a_request_reads_back_what_it_prints() {
    let request = BatchImportRequest { findings: vec![sample("a"), sample("b")] };
    assert_eq!(BatchImportRequest::from_json(&request.to_json()).unwrap(), request);
    let empty = BatchImportRequest::default();
    assert_eq!(BatchImportRequest::from_json(&empty.to_json()).unwrap(), empty);
}

#[test]
fn a_request_in_the_service_shape_prints_as_it_was_written() {
    let body = json!({"Findings": [sample("a"), {"Id": "not even ASFF"}]});
    assert_eq!(BatchImportRequest::from_json(&body).unwrap().to_json(), body);
}

#[test]
fn a_request_with_a_fault_is_refused_as_the_service_emulation_words_it() {
    let cases = [
        (json!({}), "Findings is required"),
        (json!([1]), "Findings is required"),
        (json!({"Findings": {}}), "Findings must be a list of findings"),
        (json!({"Findings": [], "Extra": 1}), "unknown member Extra; BatchImportFindings accepts Findings"),
        (json!({"Extra": 1}), "Findings is required"),
    ];
    for (body, expected) in cases {
        assert_eq!(BatchImportRequest::from_json(&body).unwrap_err().to_string(), expected);
    }
}

fn answer() -> ImportResult {
    ImportResult {
        success_count: 2,
        failed: vec![ImportFailure {
            id: "bad".into(),
            code: "InvalidInput".into(),
            message: "data.Title should NOT be longer than 256 characters (it has 300)".into(),
        }],
    }
}

#[test]
fn an_answer_reads_back_what_it_prints() {
    assert_eq!(ImportResult::from_json(&answer().to_json()).unwrap(), answer());
    assert_eq!(ImportResult::from_json(&ImportResult::default().to_json()).unwrap(), ImportResult::default());
    let f = &answer().failed[0];
    assert_eq!(&ImportFailure::from_json(&f.to_json()).unwrap(), f);
}

#[test]
fn an_answer_in_the_service_shape_prints_as_it_was_written() {
    let body = json!({
        "FailedCount": 1,
        "SuccessCount": 99,
        "FailedFindings": [{"Id": "f-1", "ErrorCode": "FindingSizeExceeded", "ErrorMessage": "too large"}]
    });
    assert_eq!(ImportResult::from_json(&body).unwrap().to_json(), body);
    let entry = &body["FailedFindings"][0];
    assert_eq!(&ImportFailure::from_json(entry).unwrap().to_json(), entry);
    // FailedFindings is optional in the service model: absent, none failed.
    let none_failed = ImportResult::from_json(&json!({"FailedCount": 0, "SuccessCount": 3})).unwrap();
    assert_eq!(none_failed, ImportResult { success_count: 3, failed: vec![] });
}

#[test]
fn an_answer_with_a_fault_is_refused_with_its_path() {
    let cases = [
        (json!(null), "the BatchImportFindings response must be a JSON object"),
        (json!({"SuccessCount": 1}), "FailedCount is required"),
        (json!({"FailedCount": 0}), "SuccessCount is required"),
        (json!({"FailedCount": -1, "SuccessCount": 1}), "FailedCount must be a count, not -1"),
        (json!({"FailedCount": 1, "SuccessCount": 1}), "FailedCount is 1 but FailedFindings has 0 findings"),
        (
            json!({"FailedCount": 1, "SuccessCount": 0, "FailedFindings": [{"Id": "x", "ErrorCode": "E"}]}),
            "FailedFindings[0].ErrorMessage is required",
        ),
        (
            json!({"FailedCount": 1, "SuccessCount": 0, "FailedFindings": [{"Id": 1, "ErrorCode": "E", "ErrorMessage": "m"}]}),
            "FailedFindings[0].Id must be a string, not number",
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(ImportResult::from_json(&body).unwrap_err().to_string(), expected);
    }
    assert_eq!(
        ImportFailure::from_json(&json!([])).unwrap_err().to_string(),
        "the failed finding must be a JSON object"
    );
}

// A body with Findings twice is refused before it is read into a tree (where the last member would
// win), as the CLI's reading of a file refuses it.
#[test]
fn a_body_with_findings_twice_is_refused() {
    let e = BatchImportRequest::from_body(br#"{"Findings": [], "Findings": [{"Id": "x"}]}"#).unwrap_err();
    assert_eq!(e.to_string(), "Findings appears more than once in the request; send one Findings list");
    assert!(BatchImportRequest::from_body(br#"{"Findings": []}"#).unwrap().findings.is_empty());
    let e = BatchImportRequest::from_body(br#"{"Other": 1}"#).unwrap_err();
    assert!(e.to_string().contains("Findings is required"), "{e}");
    // Nested Findings members are the findings' own business.
    let r = BatchImportRequest::from_body(br#"{"Findings": [{"Findings": 1, "Findings": 2}]}"#).unwrap();
    assert_eq!(r.findings.len(), 1);
}
