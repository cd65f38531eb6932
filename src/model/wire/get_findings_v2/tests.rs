//! GetFindingsV2's request and page.

use serde_json::{json, Value};

use super::*;

fn err(v: Value) -> String {
    GetFindingsV2Request::from_json(&v).unwrap_err().to_string()
}

#[test]
fn a_full_request_round_trips() {
    let input = json!({
        "Filters": {"CompositeFilters": [{"StringFilters": [
            {"FieldName": "status", "Filter": {"Value": "New", "Comparison": "EQUALS"}}]}], "CompositeOperator": "AND"},
        "Scopes": {"AwsOrganizations": [{"OrganizationId": "o-abcd1234567890"}, {"OrganizationalUnitId": "ou-ab12-cd345678"}]},
        "SortCriteria": [{"Field": "finding_info.modified_time_dt", "SortOrder": "desc"}, {"Field": "severity_id", "SortOrder": "asc"}],
        "NextToken": "t1",
        "MaxResults": 50
    });
    let r = GetFindingsV2Request::from_json(&input).unwrap();
    assert_eq!(r.max_results, 50);
    assert_eq!(r.scopes.len(), 2);
    assert_eq!(r.sort[0], SortCriterion { field: "finding_info.modified_time_dt".into(), descending: true });
    assert_eq!(r.to_json(), input);
    // An empty body is every finding, 100 a page.
    let empty = GetFindingsV2Request::from_json(&Value::Null).unwrap();
    assert_eq!(empty, GetFindingsV2Request::default());
    assert_eq!(GetFindingsV2Request::from_json(&json!({})).unwrap(), empty);
    assert_eq!(GetFindingsV2Request::from_json(&json!({"Filters": null})).unwrap(), empty);
    assert_eq!(empty.to_json(), json!({"MaxResults": 100}));
}

#[test]
fn max_results_is_one_to_a_hundred() {
    // Service model, MaxResults: min 1, max 100.
    assert_eq!(err(json!({"MaxResults": 0})), "MaxResults must be an integer from 1 to 100, not 0");
    assert_eq!(err(json!({"MaxResults": 101})), "MaxResults must be an integer from 1 to 100, not 101");
    assert_eq!(err(json!({"MaxResults": "5"})), "MaxResults must be an integer from 1 to 100, not \"5\"");
    for n in [1, 100] {
        assert_eq!(GetFindingsV2Request::from_json(&json!({"MaxResults": n})).unwrap().max_results, n);
    }
}

#[test]
fn refused_members_are_named() {
    assert_eq!(
        err(json!({"Filters": {}, "Filter": {}})),
        "unknown member Filter; GetFindingsV2 accepts Filters, Scopes, SortCriteria, NextToken, MaxResults"
    );
    assert_eq!(err(json!([])), "the request body must be a JSON object");
    assert_eq!(
        err(json!({"Filters": {"CompositeFilters": [{"StringFilters": [{"FieldName": "Title", "Filter": {}}]}]}})),
        "Filters.CompositeFilters[0].StringFilters[0].FieldName: \"Title\" is not one of the OcsfStringField names"
    );
    assert_eq!(err(json!({"SortCriteria": [{"SortOrder": "asc"}]})), "SortCriteria[0].Field is required");
    assert_eq!(
        err(json!({"SortCriteria": [{"Field": "SeverityLabel"}]})),
        "SortCriteria[0].Field SeverityLabel cannot be sorted on; use a name of OcsfStringField, OcsfNumberField, \
         OcsfDateField or OcsfBooleanField"
    );
    assert_eq!(
        err(json!({"SortCriteria": [{"Field": "severity_id", "SortOrder": "DESC"}]})),
        "SortCriteria[0].SortOrder must be asc or desc"
    );
    assert_eq!(err(json!({"NextToken": 3})), "NextToken must be a string, not number");
    assert_eq!(
        err(json!({"Scopes": {"AwsOrganizations": vec![json!({"OrganizationId": "o-1"}); 11]}})),
        "Scopes.AwsOrganizations takes at most 10 entries, got 11"
    );
    assert_eq!(
        err(json!({"Scopes": {"AwsOrganizations": [{"OrganizationId": " "}]}})),
        "Scopes.AwsOrganizations[0].OrganizationId must be a non-blank string"
    );
    assert_eq!(err(json!({"Scopes": {"Accounts": []}})), "unknown member Accounts; Scopes accepts AwsOrganizations");
}

#[test]
fn a_page_prints_and_reads_the_response_shape() {
    let page = FindingsV2Page { findings: vec![json!({"metadata": {"uid": "m"}})], next_token: Some("n".into()) };
    assert_eq!(page.to_json(), json!({"Findings": [{"metadata": {"uid": "m"}}], "NextToken": "n"}));
    assert_eq!(FindingsV2Page::from_json(&page.to_json()).unwrap(), page);
    let last = FindingsV2Page { findings: vec![], next_token: None };
    assert_eq!(last.to_json(), json!({"Findings": []}));
    assert_eq!(FindingsV2Page::from_json(&json!({"NextToken": null})).unwrap(), last);
}
