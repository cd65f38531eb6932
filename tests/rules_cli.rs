//! `hubtriage rules` end to end: preview, create (asks; --yes), list, get, update, delete, the
//! model's limits, and a rule applied to findings imported after it.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Output;

use serde_json::{json, Value};

mod common;
use common::run;

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Generated findings in a file; returns the path and the findings.
fn generated(dir: &Path, count: usize, seed: u64) -> (String, Vec<Value>) {
    let p = dir.join(format!("gen-{seed}.json"));
    let o = run(
        &dir.join("unused.db"),
        &["generate", "--count", &count.to_string(), "--seed", &seed.to_string(), "-o", p.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", text(&o));
    let v: Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    let list = v.get("Findings").unwrap_or(&v).as_array().unwrap().clone();
    (p.to_str().unwrap().to_string(), list)
}

fn write(dir: &Path, name: &str, v: &Value) -> String {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_vec(v).unwrap()).unwrap();
    p.to_str().unwrap().to_string()
}

fn critical(findings: &[Value]) -> usize {
    findings.iter().filter(|f| f["Severity"]["Label"] == "CRITICAL").count()
}

#[test]
fn create_list_get_update_delete_and_the_rule_on_import() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    let (first, findings) = generated(dir.path(), 200, 1);
    assert!(run(&store, &["import", &first]).status.success());
    let request = json!({
        "RuleName": "note criticals", "Description": "every CRITICAL finding gets a note", "RuleOrder": 10,
        "Criteria": {"SeverityLabel": [{"Value": "CRITICAL", "Comparison": "EQUALS"}]},
        "Actions": [{"Type": "FINDING_FIELDS_UPDATE",
                     "FindingFieldsUpdate": {"Note": {"Text": "auto-triaged", "UpdatedBy": "rules"}}}],
    });
    let file = write(dir.path(), "rule.json", &request);
    let n = critical(&findings);
    assert!(n > 0);
    let want = format!("This rule would match {n} findings now");

    let o = run(&store, &["rules", "preview", "--input-json", &file]);
    assert!(o.status.success() && text(&o).contains(&want), "{}", text(&o));

    // Without a terminal and without --yes: asked, refused, nothing saved.
    let o = run(&store, &["rules", "create", "--input-json", &file]);
    assert!(!o.status.success() && text(&o).contains(&want) && text(&o).contains("--yes"), "{}", text(&o));
    assert!(text(&run(&store, &["rules", "list"])).contains("No automation rules."));

    let o = run(&store, &["rules", "create", "--input-json", &file, "--yes"]);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    let arn = out.split_whitespace().find(|w| w.starts_with("arn:aws:securityhub:")).unwrap().to_string();
    assert!(arn.starts_with("arn:aws:securityhub:us-east-1:123456789012:automation-rule/"), "{arn}");

    let o = run(&store, &["rules", "list"]);
    assert!(text(&o).contains("note criticals") && text(&o).contains(&arn), "{}", text(&o));
    let o = run(&store, &["rules", "get", &arn]);
    let got: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", text(&o)));
    assert_eq!(got["RuleName"], "note criticals");
    assert_eq!(got["CreatedBy"], "tester");
    assert_eq!(got["Criteria"], request["Criteria"]);

    // Findings imported from now on are noted; those stored before are not.
    let (second, new) = generated(dir.path(), 200, 2);
    assert!(run(&store, &["import", &second]).status.success());
    let o = run(&store, &["findings", "sev:critical", "--format", "json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let noted = v["Findings"].as_array().unwrap().iter().filter(|f| f["Note"]["Text"] == "auto-triaged").count();
    assert_eq!(noted, critical(&new));
    let one = new.iter().find(|f| f["Severity"]["Label"] == "CRITICAL").unwrap();
    let o = run(&store, &["history", one["Id"].as_str().unwrap()]);
    assert!(text(&o).contains(&arn), "history names the rule: {}", text(&o));

    let update = write(dir.path(), "update.json", &json!({"RuleArn": arn, "RuleStatus": "DISABLED"}));
    let o = run(&store, &["rules", "update", "--input-json", &update]);
    assert!(o.status.success() && text(&o).contains(&format!("Updated {arn}")), "{}", text(&o));
    assert!(text(&run(&store, &["rules", "list"])).contains("DISABLED"));

    let o = run(&store, &["rules", "delete", &arn]);
    assert!(o.status.success() && text(&o).contains(&format!("Deleted {arn}")), "{}", text(&o));
    let o = run(&store, &["rules", "get", &arn]);
    assert!(!o.status.success() && text(&o).contains("no automation rule"), "{}", text(&o));
    let o = run(&store, &["rules", "delete", &arn]);
    assert!(!o.status.success() && text(&o).contains("no automation rule has this ARN"), "{}", text(&o));
}

#[test]
fn a_bad_rule_is_refused_naming_the_member() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    let bad = json!({
        "RuleName": "x", "Description": "y", "RuleOrder": 0, "Criteria": {},
        "Actions": [{"Type": "FINDING_FIELDS_UPDATE", "FindingFieldsUpdate": {"Workflow": {"Status": "RESOLVED"}}}],
    });
    let file = write(dir.path(), "bad.json", &bad);
    let o = run(&store, &["rules", "create", "--input-json", &file, "--yes"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("RuleOrder must be an integer from 1 to 1000, not 0"), "{}", text(&o));
    let mut too_many = bad.clone();
    too_many["RuleOrder"] = json!(1);
    too_many["Criteria"] =
        json!({"Id": (0..21).map(|i| json!({"Value": format!("i{i}"), "Comparison": "EQUALS"})).collect::<Vec<_>>()});
    let file = write(dir.path(), "many.json", &too_many);
    let o = run(&store, &["rules", "preview", "--input-json", &file]);
    assert!(!o.status.success());
    assert!(text(&o).contains("Criteria.Id: at most 20 filter values per field, got 21"), "{}", text(&o));
}
