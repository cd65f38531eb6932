use serde_json::json;

use super::*;

#[test]
fn a_request_reads_and_prints_the_service_shape() {
    let body = json!({
        "Filters": {"SeverityLabel": [{"Value": "HIGH", "Comparison": "EQUALS"}]},
        "SortCriteria": [{"Field": "UpdatedAt", "SortOrder": "desc"}, {"Field": "Title", "SortOrder": "asc"}],
        "NextToken": "abc",
        "MaxResults": 25
    });
    let req = GetFindingsRequest::from_json(&body).unwrap();
    assert_eq!(req.max_results, 25);
    assert_eq!(req.next_token.as_deref(), Some("abc"));
    assert_eq!(
        req.sort,
        vec![
            SortCriterion { field: "UpdatedAt".into(), descending: true },
            SortCriterion { field: "Title".into(), descending: false }
        ]
    );
    assert_eq!(req.to_json(), body);
    assert_eq!(GetFindingsRequest::from_json(&req.to_json()).unwrap(), req);
}

#[test]
fn an_empty_request_is_the_default_and_prints_only_max_results() {
    let req = GetFindingsRequest::from_json(&json!({})).unwrap();
    assert_eq!(req, GetFindingsRequest::default());
    assert_eq!(GetFindingsRequest::from_json(&Value::Null).unwrap(), req);
    assert_eq!(req.to_json(), json!({"MaxResults": 100}));
}

#[test]
fn a_request_is_refused_with_the_member_at_fault() {
    for (body, expected) in [
        (json!([]), "the request body must be a JSON object"),
        (json!({"Sort": []}), "unknown member Sort; GetFindings accepts Filters, SortCriteria, NextToken, MaxResults"),
        (json!({"SortCriteria": {}}), "SortCriteria must be a list"),
        (json!({"SortCriteria": [{}]}), "SortCriteria[0].Field is required"),
        (json!({"SortCriteria": [{"Field": "Nope"}]}), "SortCriteria[0].Field Nope cannot be sorted on; use one of"),
        (
            json!({"SortCriteria": [{"Field": "Title", "SortOrder": "up"}]}),
            "SortCriteria[0].SortOrder up is not asc or desc",
        ),
        (json!({"MaxResults": 0}), "MaxResults must be an integer from 1 to 100, not 0"),
        (json!({"NextToken": 3}), "NextToken must be a string"),
    ] {
        let e = GetFindingsRequest::from_json(&body).unwrap_err();
        assert!(e.to_string().contains(expected), "{body}: {e}");
    }
}

#[test]
fn a_page_reads_and_prints_the_service_shape() {
    let last = json!({"Findings": [{"Id": "a"}, {"Id": "b"}]});
    let page = FindingsPage::from_json(&last).unwrap();
    assert_eq!(page.findings.len(), 2);
    assert_eq!(page.next_token, None);
    assert_eq!(page.to_json(), last, "the last page has no NextToken");
    let more = FindingsPage { findings: vec![json!({"Id": "c"})], next_token: Some("t".into()) };
    assert_eq!(FindingsPage::from_json(&more.to_json()).unwrap(), more);
    assert!(FindingsPage::from_json(&json!({"NextToken": "t"})).unwrap_err().to_string().contains("Findings"));
}
