//! Automation rules applied on import: one test per kind of criterion (string, date, number, map;
//! the shape has no boolean criterion), order and IsTerminal, disabled rules, updated findings,
//! history naming the rule, and the batch operations on the table.

use serde_json::{json, Value};

use super::*;
use crate::model::finding::tests::sample;
use crate::model::finding::FindingKey;
use crate::store::tests::clock;
use crate::store::{Caller, HistoryRequest};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("s.db")).unwrap().with_clock(clock);
    (dir, store)
}

/// Saves a rule from a CreateAutomationRule request; returns its ARN.
fn rule(store: &mut Store, order: i64, criteria: Value, fields: Value, extra: Value) -> String {
    let mut request = json!({
        "RuleName": format!("rule {order}"), "Description": "test", "RuleOrder": order,
        "Criteria": criteria,
        "Actions": [{"Type": "FINDING_FIELDS_UPDATE", "FindingFieldsUpdate": fields}],
    });
    for (k, v) in extra.as_object().unwrap() {
        request[k] = v.clone();
    }
    let new = RuleSpec::from_json(&request).unwrap();
    store.create_automation_rule(new, "us-east-1", "123456789012", "tester").unwrap()
}

fn import(store: &mut Store, findings: Vec<Value>) {
    let r = store.batch_import(&Caller::unrestricted("t"), findings).unwrap();
    assert!(r.failed.is_empty(), "{:?}", r.failed);
}

fn doc(store: &Store, id: &str) -> Value {
    store.get(&FindingKey::of(&sample(id)).unwrap()).unwrap().unwrap()
}

fn suppress() -> Value {
    json!({"Workflow": {"Status": "SUPPRESSED"}})
}

#[test]
fn a_string_criterion_matches_new_findings_and_history_names_the_rule() {
    let (_d, mut store) = store();
    let arn = rule(&mut store, 1, json!({"Title": [{"Value": "S3", "Comparison": "CONTAINS"}]}), suppress(), json!({}));
    assert!(arn.starts_with("arn:aws:securityhub:us-east-1:123456789012:automation-rule/"), "{arn}");
    let mut other = sample("other");
    other["Title"] = json!("An EC2 instance is open");
    import(&mut store, vec![sample("s3"), other]);
    assert_eq!(doc(&store, "s3")["Workflow"]["Status"], "SUPPRESSED");
    assert_ne!(doc(&store, "other")["Workflow"]["Status"], "SUPPRESSED");
    let page = store.finding_history(&HistoryRequest::new(FindingKey::of(&sample("s3")).unwrap())).unwrap();
    let by_rule = page.records.iter().find(|r| r.identity == arn).expect("a record by the rule");
    assert!(by_rule.updates.iter().any(|u| u.field == "Workflow.Status"), "{:?}", by_rule.updates);
}

#[test]
fn a_date_criterion() {
    let (_d, mut store) = store();
    rule(
        &mut store,
        1,
        json!({"CreatedAt": [{"Start": "2025-01-01T00:00:00Z", "End": "2025-01-31T00:00:00Z"}]}),
        suppress(),
        json!({}),
    );
    let mut late = sample("late");
    late["CreatedAt"] = json!("2025-06-01T00:00:00Z");
    late["UpdatedAt"] = json!("2025-06-01T00:00:00Z");
    import(&mut store, vec![sample("early"), late]);
    assert_eq!(doc(&store, "early")["Workflow"]["Status"], "SUPPRESSED");
    assert_ne!(doc(&store, "late")["Workflow"]["Status"], "SUPPRESSED");
}

#[test]
fn a_number_criterion() {
    let (_d, mut store) = store();
    rule(&mut store, 1, json!({"Confidence": [{"Gte": 80}]}), json!({"Criticality": 90}), json!({}));
    let mut sure = sample("sure");
    sure["Confidence"] = json!(85);
    let mut unsure = sample("unsure");
    unsure["Confidence"] = json!(20);
    import(&mut store, vec![sure, unsure]);
    assert_eq!(doc(&store, "sure")["Criticality"], 90);
    assert_eq!(doc(&store, "unsure").get("Criticality"), None);
}

#[test]
fn a_map_criterion() {
    let (_d, mut store) = store();
    rule(
        &mut store,
        1,
        json!({"ResourceTags": [{"Key": "env", "Value": "dev", "Comparison": "EQUALS"}]}),
        json!({"UserDefinedFields": {"owner": "dev-team"}, "Note": {"Text": "dev resource", "UpdatedBy": "rule"}}),
        json!({}),
    );
    let mut dev = sample("dev");
    dev["Resources"][0]["Tags"] = json!({"env": "dev"});
    let mut prod = sample("prod");
    prod["Resources"][0]["Tags"] = json!({"env": "prod"});
    import(&mut store, vec![dev, prod]);
    assert_eq!(doc(&store, "dev")["UserDefinedFields"]["owner"], "dev-team");
    assert_eq!(doc(&store, "dev")["Note"]["Text"], "dev resource");
    assert_eq!(doc(&store, "prod").get("UserDefinedFields"), None);
}

// AutomationRulesFindingFilters has no BooleanFilter member (the service model): a `Sample`
// criterion, boolean in GetFindings, is refused naming it.
#[test]
fn there_is_no_boolean_criterion() {
    let err = crate::rules::criteria(&json!({"Sample": [{"Value": true}]})).unwrap_err();
    assert_eq!(err.0, "Criteria.Sample: unknown member");
}

#[test]
fn rules_apply_in_order_and_a_terminal_rule_stops_the_rest() {
    let (_d, mut store) = store();
    let all = json!({"AwsAccountId": [{"Value": "123456789012", "Comparison": "EQUALS"}]});
    // Created out of order: RuleOrder decides.
    rule(&mut store, 30, all.clone(), json!({"Note": {"Text": "third", "UpdatedBy": "r"}}), json!({}));
    rule(
        &mut store,
        10,
        all.clone(),
        json!({"Note": {"Text": "first", "UpdatedBy": "r"}, "Confidence": 10}),
        json!({}),
    );
    rule(&mut store, 20, all.clone(), json!({"Severity": {"Label": "LOW"}}), json!({}));
    import(&mut store, vec![sample("a")]);
    let a = doc(&store, "a");
    assert_eq!(a["Note"]["Text"], "third", "the last rule's note wins");
    assert_eq!((a["Confidence"].clone(), a["Severity"]["Label"].clone()), (json!(10), json!("LOW")));

    // A terminal rule at 15: 20 and 30 are not applied after it.
    rule(&mut store, 15, all, json!({"VerificationState": "TRUE_POSITIVE"}), json!({"IsTerminal": true}));
    import(&mut store, vec![sample("b")]);
    let b = doc(&store, "b");
    assert_eq!(b["Note"]["Text"], "first");
    assert_eq!(b["VerificationState"], "TRUE_POSITIVE");
    assert_eq!(b["Severity"]["Label"], "HIGH", "rule 20 did not run");
}

// Each rule's criteria see the finding as the rules before left it.
#[test]
fn a_later_rule_sees_what_an_earlier_one_set() {
    let (_d, mut store) = store();
    rule(
        &mut store,
        1,
        json!({"Id": [{"Value": "x", "Comparison": "EQUALS"}]}),
        json!({"Severity": {"Label": "CRITICAL"}}),
        json!({}),
    );
    rule(
        &mut store,
        2,
        json!({"SeverityLabel": [{"Value": "CRITICAL", "Comparison": "EQUALS"}]}),
        json!({"Workflow": {"Status": "NOTIFIED"}}),
        json!({}),
    );
    import(&mut store, vec![sample("x")]);
    assert_eq!(doc(&store, "x")["Workflow"]["Status"], "NOTIFIED");
}

#[test]
fn a_disabled_rule_does_nothing_until_enabled() {
    let (_d, mut store) = store();
    let arn = rule(&mut store, 1, json!({}), suppress(), json!({"RuleStatus": "DISABLED"}));
    import(&mut store, vec![sample("a")]);
    assert_eq!(doc(&store, "a")["Workflow"]["Status"], "NEW");
    let enable = RuleUpdate::from_json(&json!({"RuleArn": arn, "RuleStatus": "ENABLED"}), "").unwrap();
    let (done, missing) = store.update_automation_rules(&[enable]).unwrap();
    assert_eq!((done.len(), missing.len()), (1, 0));
    import(&mut store, vec![sample("b")]);
    assert_eq!(doc(&store, "b")["Workflow"]["Status"], "SUPPRESSED");
}

// Rules apply to a finding an import updates, and not to one it ignores (an older UpdatedAt).
#[test]
fn rules_apply_to_updated_findings_not_to_ignored_ones() {
    let (_d, mut store) = store();
    import(&mut store, vec![sample("a")]);
    rule(&mut store, 1, json!({"Title": [{"Value": "renamed", "Comparison": "EQUALS"}]}), suppress(), json!({}));
    let mut stale = sample("a");
    stale["Title"] = json!("renamed");
    import(&mut store, vec![stale.clone()]);
    assert_eq!(doc(&store, "a")["Workflow"]["Status"], "NEW", "same UpdatedAt: ignored");
    stale["UpdatedAt"] = json!("2025-03-01T00:00:00Z");
    import(&mut store, vec![stale]);
    assert_eq!(doc(&store, "a")["Workflow"]["Status"], "SUPPRESSED");
}

#[test]
fn get_update_delete_and_unknown_arns() {
    let (_d, mut store) = store();
    let arn = rule(&mut store, 5, json!({}), suppress(), json!({"Tags": {"team": "sec"}}));
    let missing = "arn:aws:securityhub:us-east-1:123456789012:automation-rule/none".to_string();
    let (found, unprocessed) = store.get_automation_rules(&[arn.clone(), missing.clone()]).unwrap();
    assert_eq!(found.len(), 1);
    let config = found[0].to_config();
    assert_eq!(config["RuleOrder"], 5);
    assert_eq!(config["RuleStatus"], "ENABLED");
    assert_eq!(config["CreatedBy"], "tester");
    assert_eq!(config["Actions"][0]["FindingFieldsUpdate"], suppress());
    assert_eq!(
        unprocessed[0].to_json(),
        json!({"RuleArn": missing, "ErrorCode": 404, "ErrorMessage": "no automation rule has this ARN"})
    );
    let rename = RuleUpdate::from_json(&json!({"RuleArn": arn, "RuleName": "renamed", "RuleOrder": 7}), "").unwrap();
    store.update_automation_rules(&[rename]).unwrap();
    let r = store.automation_rule(&arn).unwrap().unwrap();
    assert_eq!((r.spec.name.as_str(), r.spec.order, r.spec.tags.clone()), ("renamed", 7, Some(json!({"team": "sec"}))));
    let (done, not_found) = store.delete_automation_rules(&[arn.clone(), missing]).unwrap();
    assert_eq!((done, not_found.len()), (vec![arn], 1));
    assert_eq!(store.automation_rule_count().unwrap(), 0);
}

#[test]
fn preview_counts_what_a_rule_would_match() {
    let (_d, mut store) = store();
    let mut other = sample("other");
    other["Title"] = json!("nothing");
    import(&mut store, vec![sample("a"), sample("b"), other]);
    let n = store
        .automation_rule_matches(&Access::Unrestricted, &json!({"Title": [{"Value": "S3", "Comparison": "CONTAINS"}]}))
        .unwrap();
    assert_eq!(n, 2);
}
