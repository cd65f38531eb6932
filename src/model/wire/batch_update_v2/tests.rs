//! BatchUpdateFindingsV2's request rules, one test each, and the answer's shape.

use serde_json::{json, Value};

use super::*;
use crate::model::wire::v2_error::V2Error;

fn ok(v: Value) -> BatchUpdateV2Request {
    BatchUpdateV2Request::from_json(&v).unwrap()
}

fn err(v: Value) -> String {
    BatchUpdateV2Request::from_json(&v).unwrap_err().to_string()
}

fn id() -> Value {
    json!({"CloudAccountUid": "111122223333", "FindingInfoUid": "f-1",
           "MetadataProductUid": "arn:aws:securityhub:eu-west-1::productv2/aws/securityhub"})
}

#[test]
fn metadata_uids_or_identifiers_name_the_findings() {
    let r = ok(json!({"MetadataUids": ["m-1", "m-2"], "StatusId": 4}));
    assert_eq!(r.targets, V2Targets::MetadataUids(vec!["m-1".into(), "m-2".into()]));
    assert_eq!(r.update.status_id, Some(StatusId::Resolved));
    let r = ok(json!({"FindingIdentifiers": [id()], "SeverityId": 6, "Comment": "seen"}));
    let V2Targets::FindingIdentifiers(ids) = &r.targets else { panic!("{r:?}") };
    assert_eq!(ids[0].finding_info_uid, "f-1");
    assert_eq!((r.update.severity_id, r.update.comment.as_deref()), (Some(SeverityId::Fatal), Some("seen")));
    // to_json prints what from_json reads.
    assert_eq!(BatchUpdateV2Request::from_json(&r.to_json()).unwrap(), r);
    assert_eq!(r.to_json(), json!({"FindingIdentifiers": [id()], "Comment": "seen", "SeverityId": 6}));
}

#[test]
fn both_or_neither_is_a_validation_exception() {
    // Service model, MetadataUids: "Customers cannot use MetadataUids together with FindingIdentifiers."
    assert_eq!(
        err(json!({"MetadataUids": ["m"], "FindingIdentifiers": [id()], "StatusId": 1})),
        "MetadataUids and FindingIdentifiers cannot be used together; name the findings with one of them"
    );
    assert_eq!(err(json!({"StatusId": 1})), "one of MetadataUids or FindingIdentifiers is required");
    let e = V2Error::from(BatchUpdateV2Request::from_json(&json!({"StatusId": 1})).unwrap_err());
    assert_eq!(e.to_json()["Code"], "ValidationException");
    assert_eq!(e.status(), 400);
}

#[test]
fn each_list_takes_one_to_a_hundred() {
    assert_eq!(err(json!({"MetadataUids": [], "StatusId": 1})), "MetadataUids must name 1 to 100 findings, not 0");
    let uids: Vec<String> = (0..100).map(|i| format!("m-{i}")).collect();
    assert_eq!(ok(json!({"MetadataUids": uids, "StatusId": 1})).targets.len(), 100);
    let uids: Vec<String> = (0..101).map(|i| format!("m-{i}")).collect();
    assert_eq!(err(json!({"MetadataUids": uids, "StatusId": 1})), "MetadataUids must name 1 to 100 findings, not 101");
    assert_eq!(
        err(json!({"FindingIdentifiers": vec![id(); 101], "StatusId": 1})),
        "FindingIdentifiers must name 1 to 100 findings, not 101"
    );
    assert_eq!(
        err(json!({"FindingIdentifiers": [], "StatusId": 1})),
        "FindingIdentifiers must name 1 to 100 findings, not 0"
    );
    assert_eq!(err(json!({"MetadataUids": "m", "StatusId": 1})), "MetadataUids must be a list, not string");
    assert_eq!(err(json!({"MetadataUids": ["m", " "], "StatusId": 1})), "MetadataUids[1] must not be empty or blank");
    assert_eq!(err(json!({"MetadataUids": [3], "StatusId": 1})), "MetadataUids[0] must be a string, not number");
}

#[test]
fn identifiers_need_their_three_members_and_no_other() {
    let mut missing = id();
    missing.as_object_mut().unwrap().remove("FindingInfoUid");
    assert_eq!(
        err(json!({"FindingIdentifiers": [id(), missing], "StatusId": 1})),
        "FindingIdentifiers[1].FindingInfoUid is required"
    );
    let mut extra = id();
    extra["Id"] = json!("x");
    assert_eq!(
        err(json!({"FindingIdentifiers": [extra], "StatusId": 1})),
        "unknown member Id; an OcsfFindingIdentifier accepts CloudAccountUid, FindingInfoUid, MetadataProductUid"
    );
    let mut blank = id();
    blank["CloudAccountUid"] = json!("");
    assert_eq!(
        err(json!({"FindingIdentifiers": [blank], "StatusId": 1})),
        "FindingIdentifiers[0].CloudAccountUid must not be empty or blank"
    );
    assert_eq!(err(json!({"FindingIdentifiers": ["x"], "StatusId": 1})), "FindingIdentifiers[0] must be a JSON object");
}

#[test]
fn comment_is_one_to_512_characters() {
    assert_eq!(
        ok(json!({"MetadataUids": ["m"], "Comment": "x".repeat(512)})).update.comment.map(|c| c.len()),
        Some(512)
    );
    assert_eq!(
        err(json!({"MetadataUids": ["m"], "Comment": "x".repeat(513)})),
        "Comment must be 1 to 512 characters, not 513"
    );
    assert_eq!(err(json!({"MetadataUids": ["m"], "Comment": ""})), "Comment must not be empty or blank");
    assert_eq!(err(json!({"MetadataUids": ["m"], "Comment": 5})), "Comment must be a string, not number");
}

#[test]
fn severity_and_status_ids_follow_the_service_model() {
    // Service model: SeverityId [0, 1, 2, 3, 4, 5, 6, 99], StatusId [0, 1, 2, 3, 4, 5, 99].
    for n in [0, 1, 2, 3, 4, 5, 6, 99] {
        assert_eq!(ok(json!({"MetadataUids": ["m"], "SeverityId": n})).update.severity_id.map(SeverityId::id), Some(n));
    }
    for n in [0, 1, 2, 3, 4, 5, 99] {
        assert_eq!(ok(json!({"MetadataUids": ["m"], "StatusId": n})).update.status_id.map(StatusId::id), Some(n));
    }
    assert_eq!(
        err(json!({"MetadataUids": ["m"], "SeverityId": 7})),
        "SeverityId 7 is not one of 0, 1, 2, 3, 4, 5, 6, 99"
    );
    assert_eq!(err(json!({"MetadataUids": ["m"], "StatusId": 6})), "StatusId 6 is not one of 0, 1, 2, 3, 4, 5, 99");
    assert_eq!(err(json!({"MetadataUids": ["m"], "StatusId": -1})), "StatusId -1 is not one of 0, 1, 2, 3, 4, 5, 99");
    assert_eq!(err(json!({"MetadataUids": ["m"], "StatusId": "4"})), "StatusId must be an integer, not \"4\"");
    assert_eq!(err(json!({"MetadataUids": ["m"], "SeverityId": 4.5})), "SeverityId must be an integer, not 4.5");
}

#[test]
fn something_must_change_and_nothing_unknown_is_sent() {
    assert_eq!(err(json!({"MetadataUids": ["m"]})), "at least one of Comment, SeverityId or StatusId is required");
    assert_eq!(
        err(json!({"MetadataUids": ["m"], "StatusId": 1, "Workflow": {"Status": "NEW"}})),
        "unknown member Workflow; BatchUpdateFindingsV2 accepts MetadataUids, FindingIdentifiers, Comment, SeverityId, StatusId"
    );
    assert_eq!(err(json!([])), "the request body must be a JSON object");
}

#[test]
fn the_answer_has_both_lists_and_the_models_error_codes() {
    let r = BatchUpdateV2Result {
        processed: vec![V2FindingRef::uid("m-1")],
        unprocessed: vec![V2Unprocessed {
            finding: V2FindingRef::identifier(identifier_from_json(&id(), "x").unwrap()),
            error_code: V2UnprocessedCode::ResourceNotFoundException,
            error_message: "no such finding".into(),
        }],
    };
    let j = r.to_json();
    assert_eq!(
        j,
        json!({
            "ProcessedFindings": [{"MetadataUid": "m-1"}],
            "UnprocessedFindings": [{"FindingIdentifier": id(), "ErrorCode": "ResourceNotFoundException",
                                     "ErrorMessage": "no such finding"}]
        })
    );
    assert_eq!(BatchUpdateV2Result::from_json(&j).unwrap(), r);
    assert_eq!(BatchUpdateV2Result::default().to_json(), json!({"ProcessedFindings": [], "UnprocessedFindings": []}));
    assert_eq!(
        BatchUpdateV2Result::from_json(&json!({"ProcessedFindings": []})).unwrap_err().to_string(),
        "UnprocessedFindings is required"
    );
    assert!(BatchUpdateV2Result::from_json(&json!({"ProcessedFindings": [], "UnprocessedFindings": [
        {"MetadataUid": "m", "ErrorCode": "Nope"}]}))
    .unwrap_err()
    .to_string()
    .contains("ResourceNotFoundException|ValidationException|InternalServerException|ConflictException"));
    assert_eq!(V2Targets::MetadataUids(vec!["a".into()]).refs(), vec![V2FindingRef::uid("a")]);
}
