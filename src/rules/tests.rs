//! Reading CreateAutomationRule and BatchUpdateAutomationRules requests: the service model's
//! limits, each error naming the member.

use serde_json::{json, Value};

use super::*;

fn request() -> Value {
    json!({
        "RuleName": "suppress dev", "Description": "dev findings", "RuleOrder": 1,
        "Criteria": {"ResourceTags": [{"Key": "env", "Value": "dev", "Comparison": "EQUALS"}]},
        "Actions": [{"Type": "FINDING_FIELDS_UPDATE", "FindingFieldsUpdate": {"Workflow": {"Status": "SUPPRESSED"}}}],
    })
}

fn error(change: impl FnOnce(&mut Value)) -> String {
    let mut r = request();
    change(&mut r);
    RuleSpec::from_json(&r).unwrap_err().0
}

#[test]
fn a_create_request_reads_with_its_defaults() {
    let r = RuleSpec::from_json(&request()).unwrap();
    assert!(r.enabled && !r.is_terminal);
    assert_eq!(r.order, 1);
    let compiled = r.into_rule("arn".into(), OffsetDateTime::UNIX_EPOCH, "me").compile().unwrap();
    assert_eq!(compiled.update.workflow_status, Some(crate::model::enums::WorkflowStatus::Suppressed));
}

#[test]
fn every_limit_names_its_member() {
    assert_eq!(error(|r| r["RuleOrder"] = json!(0)), "RuleOrder must be an integer from 1 to 1000, not 0");
    assert_eq!(error(|r| r["RuleOrder"] = json!(1001)), "RuleOrder must be an integer from 1 to 1000, not 1001");
    assert_eq!(error(|r| r["RuleName"] = json!("  ")), "RuleName must not be blank");
    assert_eq!(
        error(|r| r.as_object_mut().unwrap().remove("Description").map(|_| ()).unwrap()),
        "Description is required"
    );
    assert_eq!(error(|r| r["RuleStatus"] = json!("ON")), "RuleStatus: \"ON\" is not one of ENABLED, DISABLED");
    assert_eq!(error(|r| r["IsTerminal"] = json!("yes")), "IsTerminal must be true or false, not \"yes\"");
    assert!(error(|r| r["Extra"] = json!(1)).starts_with("unknown member Extra"));
    let values: Vec<Value> = (0..21).map(|i| json!({"Value": format!("p{i}"), "Comparison": "EQUALS"})).collect();
    assert_eq!(
        error(|r| r["Criteria"] = json!({"ProductArn": values.clone()})),
        "Criteria.ProductArn: at most 20 filter values per field, got 21"
    );
    // Title takes 100.
    assert!(RuleSpec::from_json(&{
        let mut r = request();
        r["Criteria"] = json!({"Title": values});
        r
    })
    .is_ok());
    assert_eq!(
        error(|r| r["Criteria"] = json!({"SeverityLabel": [{"Value": "HIGH", "Comparison": "EQUAL"}]})),
        "Criteria.SeverityLabel[0].Comparison: \"EQUAL\" is not one of EQUALS|PREFIX|NOT_EQUALS|PREFIX_NOT_EQUALS|CONTAINS|NOT_CONTAINS|CONTAINS_WORD"
    );
    assert_eq!(error(|r| r["Criteria"] = json!({"Region": []})), "Criteria.Region: unknown member");
    assert_eq!(error(|r| r["Actions"] = json!([])), "Actions must hold exactly 1 action, not 0");
    assert_eq!(
        error(|r| r["Actions"][0]["Type"] = json!("NOTIFY")),
        "Actions[0].Type: \"NOTIFY\" is not one of FINDING_FIELDS_UPDATE"
    );
    let e = error(|r| r["Actions"][0]["FindingFieldsUpdate"] = json!({"Confidence": 101}));
    assert!(e.starts_with("Actions[0].FindingFieldsUpdate: ") && e.contains("Confidence"), "{e}");
    assert_eq!(error(|r| r["Tags"] = json!({"aws:x": "y"})).split(':').next(), Some("Tags"));
}

#[test]
fn an_update_item_names_where_it_is() {
    let e = RuleUpdate::from_json(&json!({"RuleOrder": 3}), "UpdateAutomationRulesRequestItems[2]").unwrap_err();
    assert_eq!(e.0, "UpdateAutomationRulesRequestItems[2]: RuleArn is required");
    let u = RuleUpdate::from_json(&json!({"RuleArn": "a", "IsTerminal": true}), "").unwrap();
    assert_eq!(u.is_terminal, Some(true));
}

#[test]
fn arns_are_new_each_time_and_shaped_as_aws_makes_them() {
    let a = new_arn("eu-west-1", "111122223333");
    let b = new_arn("eu-west-1", "111122223333");
    assert_ne!(a, b);
    let uuid = a.strip_prefix("arn:aws:securityhub:eu-west-1:111122223333:automation-rule/").unwrap();
    let parts: Vec<usize> = uuid.split('-').map(str::len).collect();
    assert_eq!(parts, [8, 4, 4, 4, 12]);
    assert_eq!(&uuid[14..15], "4");
}
