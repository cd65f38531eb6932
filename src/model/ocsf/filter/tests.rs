//! Tests of GetFindingsV2's filters: parsing (accepted and refused, with the message), and the
//! semantics of each comparison and operator on an OCSF finding.

use serde_json::{json, Value};
use time::macros::datetime;
use time::OffsetDateTime;

use super::*;
use crate::model::filter::StringComparison;
use crate::model::ocsf::tests::sample;
use crate::model::wire::get_findings::SortCriterion;

const NOW: OffsetDateTime = datetime!(2026-01-05 00:00:00 UTC);

fn parse(v: Value) -> OcsfFindingFilters {
    OcsfFindingFilters::from_json(&v).unwrap()
}

fn err(v: Value) -> String {
    OcsfFindingFilters::from_json(&v).unwrap_err().to_string()
}

/// One composite filter with one condition of `list` on `field`.
fn one(list: &str, field: &str, filter: Value) -> Value {
    json!({"CompositeFilters": [{ list: [{"FieldName": field, "Filter": filter}] }]})
}

fn s(field: &str, value: &str, cmp: &str) -> bool {
    parse(one("StringFilters", field, json!({"Value": value, "Comparison": cmp}))).matches(&sample(), NOW)
}

#[test]
fn string_comparisons_mean_what_they_mean_in_v1() {
    // Service model, StringFilter.Comparison: EQUALS exact, PREFIX starts-with, CONTAINS substring,
    // all case-sensitive; the NOT_ forms are their negations.
    assert!(s("cloud.region", "eu-west-1", "EQUALS"));
    assert!(!s("cloud.region", "EU-west-1", "EQUALS"));
    assert!(s("cloud.region", "eu-", "PREFIX"));
    assert!(!s("cloud.region", "us-", "PREFIX"));
    assert!(s("finding_info.title", "public access", "CONTAINS"));
    assert!(!s("finding_info.title", "Public Access", "CONTAINS"));
    assert!(s("cloud.region", "us-east-1", "NOT_EQUALS"));
    assert!(!s("cloud.region", "eu-west-1", "NOT_EQUALS"));
    assert!(!s("cloud.region", "eu", "PREFIX_NOT_EQUALS"));
    assert!(s("cloud.region", "us", "PREFIX_NOT_EQUALS"));
    assert!(!s("finding_info.title", "buckets", "NOT_CONTAINS"));
    assert!(s("finding_info.title", "queues", "NOT_CONTAINS"));
}

#[test]
fn contains_word_ignores_case_and_needs_word_edges() {
    // Service model: "CONTAINS_WORD lambda matches a finding whose Title is GuardDuty Lambda Protection".
    assert!(s("finding_info.title", "s3", "CONTAINS_WORD"));
    assert!(s("finding_info.title", "PUBLIC", "CONTAINS_WORD"));
    assert!(s("finding_info.title", "block public", "CONTAINS_WORD"));
    assert!(!s("finding_info.title", "bucket", "CONTAINS_WORD"));
    assert!(!s("finding_info.title", "ubl", "CONTAINS_WORD"));
}

#[test]
fn list_values_match_positives_by_any_and_negatives_by_none() {
    // As in V1 (GetFindings API reference): a list-valued attribute matches a positive filter when an
    // element does; a negative filter fails when an element hits it.
    assert!(s("resources.type", "AWS::EC2::Instance", "EQUALS"));
    assert!(s("resources.uid", "arn:aws:s3", "PREFIX"));
    assert!(!s("resources.type", "AWS::EC2::Instance", "NOT_EQUALS"));
    assert!(s("resources.type", "AWS::IAM::Role", "NOT_EQUALS"));
    assert!(s("compliance.standards", "standards/cis/", "PREFIX"));
    assert!(s("finding_info.types", "Posture Management", "EQUALS"));
    assert!(s("vulnerabilities.affected_packages.name", "openssl", "EQUALS"));
    assert!(s("evidences.src_endpoint.hostname", "x", "NOT_EQUALS"));
}

#[test]
fn a_missing_member_fails_positives_and_passes_negatives() {
    for (cmp, expected) in [
        ("EQUALS", false),
        ("PREFIX", false),
        ("CONTAINS", false),
        ("CONTAINS_WORD", false),
        ("NOT_EQUALS", true),
        ("PREFIX_NOT_EQUALS", true),
        ("NOT_CONTAINS", true),
    ] {
        assert_eq!(s("malware.name", "x", cmp), expected, "{cmp}");
    }
}

#[test]
fn conditions_combine_by_the_operator_and_composites_by_the_composite_operator() {
    let eq = |field: &str, v: &str| json!({"FieldName": field, "Filter": {"Value": v, "Comparison": "EQUALS"}});
    let yes = eq("cloud.region", "eu-west-1");
    let no = eq("cloud.region", "us-east-1");
    let m = |v: Value| parse(v).matches(&sample(), NOW);
    assert!(m(json!({"CompositeFilters": [{"StringFilters": [yes, yes]}]})));
    assert!(!m(json!({"CompositeFilters": [{"StringFilters": [yes, no]}]})));
    assert!(!m(json!({"CompositeFilters": [{"StringFilters": [yes, no], "Operator": "AND"}]})));
    assert!(m(json!({"CompositeFilters": [{"StringFilters": [yes, no], "Operator": "OR"}]})));
    assert!(!m(json!({"CompositeFilters": [{"StringFilters": [no, no], "Operator": "OR"}]})));
    // EQUALS and NOT_EQUALS on one field are allowed: the operator says how they combine.
    let not = json!({"FieldName": "cloud.region", "Filter": {"Value": "us-east-1", "Comparison": "NOT_EQUALS"}});
    assert!(m(json!({"CompositeFilters": [{"StringFilters": [yes, not]}]})));
    // Different typed lists are conditions of the same composite filter.
    let high = json!({"FieldName": "severity_id", "Filter": {"Gte": 4}});
    assert!(m(json!({"CompositeFilters": [{"StringFilters": [yes], "NumberFilters": [high]}]})));
    assert!(m(json!({"CompositeFilters": [{"StringFilters": [no], "NumberFilters": [high], "Operator": "OR"}]})));
    // CompositeOperator.
    let c_yes = json!({"StringFilters": [yes]});
    let c_no = json!({"StringFilters": [no]});
    assert!(!m(json!({"CompositeFilters": [c_yes, c_no]})));
    assert!(m(json!({"CompositeFilters": [c_yes, c_no], "CompositeOperator": "OR"})));
    assert!(!m(json!({"CompositeFilters": [c_no, c_no], "CompositeOperator": "OR"})));
    // Nested: (region = us-east-1) OR (region = eu-west-1 AND severity >= 4).
    let nested = json!({"CompositeFilters": [{
        "StringFilters": [no],
        "NestedCompositeFilters": [{"StringFilters": [yes], "NumberFilters": [high]}],
        "Operator": "OR"
    }]});
    assert!(m(nested));
    // Nothing to match on matches everything.
    assert!(m(json!({})));
    assert!(m(json!({"CompositeFilters": [{}]})));
    assert!(m(json!({"CompositeFilters": [{"Operator": "OR"}]})));
}

#[test]
fn numbers_dates_booleans_maps_and_addresses() {
    let m = |list: &str, field: &str, f: Value| parse(one(list, field, f)).matches(&sample(), NOW);
    // NumberFilter: every bound holds; any element of a list may match.
    assert!(m("NumberFilters", "severity_id", json!({"Eq": 4})));
    assert!(!m("NumberFilters", "severity_id", json!({"Gt": 4})));
    assert!(m("NumberFilters", "vulnerabilities.cve.cvss.base_score", json!({"Gte": 7.0})));
    assert!(!m("NumberFilters", "vulnerabilities.cve.cvss.base_score", json!({"Gt": 8})));
    assert!(m("NumberFilters", "evidences.src_endpoint.port", json!({"Eq": 443})));
    assert!(!m("NumberFilters", "resources.image.in_use_count", json!({"Gte": 0})));
    // DateFilter: Start/End inclusive, DateRange WITHIN / OLDER_THAN days before now.
    let f = "finding_info.modified_time_dt";
    assert!(m("DateFilters", f, json!({"Start": "2026-01-02T00:00:00Z", "End": "2026-01-02T00:00:00Z"})));
    assert!(!m("DateFilters", f, json!({"End": "2026-01-01T23:59:59Z"})));
    assert!(m("DateFilters", f, json!({"DateRange": {"Value": 7, "Unit": "DAYS"}})));
    assert!(!m("DateFilters", f, json!({"DateRange": {"Value": 2, "Unit": "DAYS"}})));
    assert!(m("DateFilters", f, json!({"DateRange": {"Value": 2, "Unit": "DAYS", "Comparison": "OLDER_THAN"}})));
    // Without the _dt string, the epoch milliseconds are read.
    let mut ms = sample();
    ms["finding_info"].as_object_mut().unwrap().remove("created_time_dt");
    let c = parse(one("DateFilters", "finding_info.created_time_dt", json!({"End": "2026-01-01T00:00:00Z"})));
    assert!(c.matches(&ms, NOW));
    assert!(!parse(one("DateFilters", "finding_info.first_seen_time_dt", json!({"Start": "2000-01-01T00:00:00Z"})))
        .matches(&sample(), NOW));
    // BooleanFilter: a value at the path equals it; a missing member matches neither.
    assert!(m("BooleanFilters", "vulnerabilities.is_fix_available", json!({"Value": true})));
    assert!(!m("BooleanFilters", "vulnerabilities.is_fix_available", json!({"Value": false})));
    assert!(m("BooleanFilters", "vulnerabilities.is_exploit_available", json!({"Value": false})));
    assert!(!m("BooleanFilters", "compliance.assessments.meets_criteria", json!({"Value": false})));
    // MapFilter over OCSF {name, value} pairs, per resource.
    let tag = |k: &str, v: &str, c: &str| json!({"Key": k, "Value": v, "Comparison": c});
    assert!(m("MapFilters", "resources.tags", tag("env", "dev", "EQUALS")));
    assert!(m("MapFilters", "resources.tags", tag("team", "blu", "CONTAINS")));
    assert!(!m("MapFilters", "resources.tags", tag("env", "prod", "NOT_EQUALS")));
    assert!(m("MapFilters", "resources.tags", tag("owner", "x", "NOT_EQUALS")));
    assert!(!m("MapFilters", "resources.tags", tag("owner", "x", "EQUALS")));
    assert!(m("MapFilters", "finding_info.tags", tag("team", "storage", "EQUALS")));
    assert!(m("MapFilters", "compliance.control_parameters", tag("maxDays", "90", "EQUALS")));
    // IpFilter: an address at the path lies in the CIDR block.
    assert!(m("IpFilters", "evidences.src_endpoint.ip", json!({"Cidr": "198.51.100.0/24"})));
    assert!(!m("IpFilters", "evidences.src_endpoint.ip", json!({"Cidr": "10.0.0.0/8"})));
    assert!(m("IpFilters", "evidences.dst_endpoint.ip", json!({"Cidr": "2001:db8::/32"})));
}

#[test]
fn refused_requests_say_where_and_why() {
    let cond = |field: &str, f: Value| json!({"FieldName": field, "Filter": f});
    let eq = json!({"Value": "x", "Comparison": "EQUALS"});
    assert_eq!(err(json!([])), "Filters: expected an OcsfFindingFilters object, got array");
    assert_eq!(
        err(json!({"Composite": []})),
        "Filters.Composite: unknown member of OcsfFindingFilters (expected CompositeFilters, CompositeOperator)"
    );
    assert_eq!(
        err(json!({"CompositeFilters": [], "CompositeOperator": "XOR"})),
        "Filters.CompositeOperator: \"XOR\" is not one of AND|OR"
    );
    assert_eq!(
        err(json!({"CompositeFilters": vec![json!({}); 11]})),
        "Filters.CompositeFilters: at most 10 entries, got 11"
    );
    assert_eq!(
        err(json!({"CompositeFilters": [{"StringFilters": vec![cond("status", eq.clone()); 21]}]})),
        "Filters.CompositeFilters[0].StringFilters: at most 20 entries, got 21"
    );
    // Twenty of each type is fine.
    assert!(OcsfFindingFilters::from_json(&json!({"CompositeFilters": [{
        "StringFilters": vec![cond("status", eq.clone()); 20],
        "NumberFilters": vec![cond("status_id", json!({"Eq": 1})); 20]}]}))
    .is_ok());
    assert_eq!(
        err(one("StringFilters", "Title", eq.clone())),
        "Filters.CompositeFilters[0].StringFilters[0].FieldName: \"Title\" is not one of the OcsfStringField names"
    );
    assert_eq!(
        err(one("StringFilters", "severity_id", eq.clone())),
        "Filters.CompositeFilters[0].StringFilters[0].FieldName: \"severity_id\" is not one of the OcsfStringField \
         names; it is an OcsfNumberField name, for NumberFilters"
    );
    assert_eq!(
        err(json!({"CompositeFilters": [{"StringFilters": [{"Filter": eq}]}]})),
        "Filters.CompositeFilters[0].StringFilters[0].FieldName: missing (required)"
    );
    assert_eq!(
        err(json!({"CompositeFilters": [{"StringFilters": [{"FieldName": "status"}]}]})),
        "Filters.CompositeFilters[0].StringFilters[0].Filter: missing (required)"
    );
    assert_eq!(
        err(one("StringFilters", "status", json!({"Value": "x", "Comparison": "EQUAL"}))),
        "Filters.CompositeFilters[0].StringFilters[0].Filter.Comparison: \"EQUAL\" is not one of \
         EQUALS|PREFIX|NOT_EQUALS|PREFIX_NOT_EQUALS|CONTAINS|NOT_CONTAINS|CONTAINS_WORD"
    );
    assert_eq!(
        err(one("StringFilters", "status", json!({"Value": " ", "Comparison": "EQUALS"}))),
        "Filters.CompositeFilters[0].StringFilters[0].Filter.Value: must not be empty or blank"
    );
    assert_eq!(
        err(one("NumberFilters", "severity_id", json!({}))),
        "Filters.CompositeFilters[0].NumberFilters[0].Filter: needs at least one of Gte, Lte, Eq, Gt, Lt"
    );
    assert_eq!(
        err(one("DateFilters", "finding_info.created_time_dt", json!({"Start": "soon"}))),
        "Filters.CompositeFilters[0].DateFilters[0].Filter.Start: \"soon\" is not an RFC 3339 date-time"
    );
    assert_eq!(
        err(one("IpFilters", "evidences.src_endpoint.ip", json!({"Cidr": "10.0.0.0/33"}))),
        "Filters.CompositeFilters[0].IpFilters[0].Filter.Cidr: \"10.0.0.0/33\" is not an IPv4 or IPv6 CIDR block"
    );
    assert_eq!(
        err(one("BooleanFilters", "vulnerabilities.is_fix_available", json!({"Value": "yes"}))),
        "Filters.CompositeFilters[0].BooleanFilters[0].Filter.Value: expected true or false, got a string"
    );
    assert_eq!(
        err(one("MapFilters", "resources.tags", json!({"Key": "k", "Value": "v", "Comparison": "PREFIX"}))),
        "Filters.CompositeFilters[0].MapFilters[0].Filter.Comparison: \"PREFIX\" is not one of \
         EQUALS|NOT_EQUALS|CONTAINS|NOT_CONTAINS"
    );
    assert_eq!(
        err(json!({"CompositeFilters": [{"StringFilters": [{"FieldName": "status", "Filter": eq, "Extra": 1}]}]})),
        "Filters.CompositeFilters[0].StringFilters[0].Extra: unknown member of OcsfStringFilter (expected FieldName, Filter)"
    );
    assert_eq!(
        err(json!({"CompositeFilters": [{"KeywordFilters": []}]})),
        "Filters.CompositeFilters[0].KeywordFilters: unknown member of CompositeFilter (expected StringFilters, \
         DateFilters, BooleanFilters, NumberFilters, MapFilters, IpFilters, NestedCompositeFilters, Operator)"
    );
    assert_eq!(
        err(json!({"CompositeFilters": [{"Operator": "and"}]})),
        "Filters.CompositeFilters[0].Operator: \"and\" is not one of AND|OR"
    );
    // Three layers at most.
    assert_eq!(
        err(json!({"CompositeFilters": [{"NestedCompositeFilters": [{"NestedCompositeFilters": [{}]}]}]})),
        "Filters.CompositeFilters[0].NestedCompositeFilters[0].NestedCompositeFilters: filters nest three layers \
         deep at most (CompositeFilters, CompositeFilter, NestedCompositeFilters)"
    );
    assert!(OcsfFindingFilters::from_json(&json!({"CompositeFilters": [{"NestedCompositeFilters": [{}]}]})).is_ok());
}

#[test]
fn filters_round_trip_in_the_request_shape() {
    let input = json!({
        "CompositeFilters": [{
            "StringFilters": [{"FieldName": "finding_info.title", "Filter": {"Value": "S3", "Comparison": "CONTAINS_WORD"}}],
            "DateFilters": [{"FieldName": "finding_info.modified_time_dt",
                             "Filter": {"DateRange": {"Value": 7, "Unit": "DAYS", "Comparison": "WITHIN"}}}],
            "BooleanFilters": [{"FieldName": "vulnerabilities.is_fix_available", "Filter": {"Value": true}}],
            "NumberFilters": [{"FieldName": "severity_id", "Filter": {"Gte": 4}}],
            "MapFilters": [{"FieldName": "resources.tags", "Filter": {"Key": "env", "Value": "prod", "Comparison": "EQUALS"}}],
            "IpFilters": [{"FieldName": "evidences.src_endpoint.ip", "Filter": {"Cidr": "10.0.0.0/8"}}],
            "NestedCompositeFilters": [{"StringFilters": [{"FieldName": "status", "Filter": {"Value": "New", "Comparison": "EQUALS"}}]}],
            "Operator": "OR"
        }],
        "CompositeOperator": "AND"
    });
    let f = parse(input.clone());
    assert_eq!(f.to_json(), input);
    assert_eq!(OcsfFindingFilters::from_json(&f.to_json()).unwrap(), f);
    // A client builds the same thing from typed conditions.
    let mut c = CompositeFilter::default();
    c.push(
        Condition::new("severity_id", OcsfFilter::Number(NumberFilter { gte: Some(4.0), ..Default::default() }))
            .unwrap(),
    )
    .unwrap();
    c.push(
        Condition::new(
            "finding_info.title",
            OcsfFilter::String(StringFilter::new("S3", StringComparison::ContainsWord)),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(c.conditions[0].field, "finding_info.title");
    let built = OcsfFindingFilters { composite_filters: vec![c], composite_operator: None };
    assert_eq!(OcsfFindingFilters::from_json(&built.to_json()).unwrap(), built);
    assert!(built.matches(&sample(), NOW));
    assert!(Condition::new("Title", OcsfFilter::String(StringFilter::new("x", StringComparison::Equals))).is_err());
    assert_eq!(
        Condition::new("status", OcsfFilter::String(StringFilter::new(" ", StringComparison::Equals)))
            .unwrap_err()
            .to_string(),
        "Filter.Value: must not be empty or blank"
    );
}

#[test]
fn sorting_by_value_with_missing_last_and_uid_ties() {
    let doc = |uid: &str, sev: Option<i64>, title: &str| {
        let mut d = json!({"metadata": {"uid": uid}, "finding_info": {"title": title}});
        if let Some(s) = sev {
            d["severity_id"] = json!(s);
        }
        d
    };
    let mut docs = vec![doc("c", Some(2), "b"), doc("a", None, "a"), doc("b", Some(5), "c"), doc("d", Some(2), "a")];
    let by = |field: &str, descending: bool| vec![SortCriterion { field: field.into(), descending }];
    let uids =
        |docs: &[Value]| docs.iter().map(|d| d["metadata"]["uid"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    docs.sort_by(|a, b| compare_findings(a, b, &by("severity_id", true)));
    assert_eq!(uids(&docs), ["b", "c", "d", "a"]);
    docs.sort_by(|a, b| compare_findings(a, b, &by("severity_id", false)));
    assert_eq!(uids(&docs), ["c", "d", "b", "a"]);
    docs.sort_by(|a, b| compare_findings(a, b, &by("finding_info.title", false)));
    assert_eq!(uids(&docs), ["a", "d", "c", "b"]);
    assert_eq!(check_sort_field("finding_info.modified_time_dt"), Ok("finding_info.modified_time_dt"));
    assert!(check_sort_field("resources.tags").unwrap_err().contains("cannot be sorted on"));
    assert!(check_sort_field("Title").is_err());
    // Dates sort by time, from the _dt string or the milliseconds.
    let a = json!({"metadata": {"uid": "a"}, "finding_info": {"modified_time_dt": "2026-01-02T00:00:00+01:00"}});
    let b = json!({"metadata": {"uid": "b"}, "finding_info": {"modified_time": 1_767_312_000_000_i64}});
    assert_eq!(compare_findings(&a, &b, &by("finding_info.modified_time_dt", false)), std::cmp::Ordering::Less);
}
