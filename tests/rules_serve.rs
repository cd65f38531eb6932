//! The automation-rule operations over `hubtriage serve`'s HTTP API (the service model's routes and
//! shapes), and a rule applied to findings imported through BatchImportFindings over HTTP. The
//! boto3 run of the same is tests/python/test_automation_rules.py.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Child;

use serde_json::{json, Value};

struct Server {
    child: Child,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let (child, addr) =
            common::spawn_serve(&dir.path().join("s.db"), "127.0.0.1:0", extra, &dir.path().join("stderr.txt"));
        Server { child, addr, _dir: dir }
    }

    /// (status, X-Amzn-ErrorType, body)
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Option<String>, Value) {
        let agent: ureq::Agent =
            ureq::Agent::config_builder().http_status_as_error(false).max_idle_connections(0).build().into();
        let bytes = body.map(|b| serde_json::to_vec(b).unwrap()).unwrap_or_default();
        let req = ureq::http::Request::builder()
            .method(method)
            .uri(format!("http://{}{path}", self.addr))
            .header("content-type", "application/json")
            .body(bytes)
            .unwrap();
        let resp = agent.run(req).unwrap();
        let status = resp.status().as_u16();
        let kind = resp.headers().get("x-amzn-errortype").map(|v| v.to_str().unwrap().to_string());
        let text = resp.into_body().read_to_string().unwrap();
        (status, kind, serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}")))
    }

    fn ok(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let (status, kind, v) = self.call(method, path, body);
        assert_eq!((status, kind), (200, None), "{method} {path}: {v}");
        v
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn finding(id: &str, severity: &str) -> Value {
    json!({
        "SchemaVersion": "2018-10-08", "Id": id,
        "ProductArn": "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default",
        "GeneratorId": "gen", "AwsAccountId": "123456789012",
        "CreatedAt": "2025-01-01T00:00:00Z", "UpdatedAt": "2025-01-02T00:00:00Z",
        "Title": format!("finding {id}"), "Description": "d", "Severity": {"Label": severity},
        "Resources": [{"Type": "Other", "Id": "r"}],
    })
}

fn rule(name: &str, order: i64, terminal: bool, fields: Value) -> Value {
    json!({
        "RuleName": name, "Description": "d", "RuleOrder": order, "IsTerminal": terminal,
        "Criteria": {"SeverityLabel": [{"Value": "LOW", "Comparison": "EQUALS"}]},
        "Actions": [{"Type": "FINDING_FIELDS_UPDATE", "FindingFieldsUpdate": fields}],
    })
}

#[test]
fn rules_over_http_create_get_list_update_delete_and_apply_on_import() {
    let s = Server::start(&[]);
    let first = s.ok(
        "POST",
        "/automationrules/create",
        Some(&rule("suppress low", 1, true, json!({"Workflow": {"Status": "SUPPRESSED"}}))),
    );
    let arn = first["RuleArn"].as_str().unwrap().to_string();
    assert!(arn.starts_with("arn:aws:securityhub:us-east-1:123456789012:automation-rule/"), "{arn}");
    let second = s.ok("POST", "/automationrules/create", Some(&rule("never runs", 2, false, json!({"Confidence": 5}))));
    let arn2 = second["RuleArn"].as_str().unwrap().to_string();

    // Imported over HTTP: the terminal rule 1 applies, rule 2 does not.
    let imported =
        s.ok("POST", "/findings/import", Some(&json!({"Findings": [finding("low", "LOW"), finding("high", "HIGH")]})));
    assert_eq!(imported["SuccessCount"], 2);
    let got = s.ok("POST", "/findings", Some(&json!({"Filters": {"Id": [{"Value": "low", "Comparison": "EQUALS"}]}})));
    let low = &got["Findings"][0];
    assert_eq!(low["Workflow"]["Status"], "SUPPRESSED");
    assert_eq!(low.get("Confidence"), None);
    let history = s.ok(
        "POST",
        "/findingHistory/get",
        Some(&json!({"FindingIdentifier": {"Id": "low", "ProductArn": low["ProductArn"]}})),
    );
    assert!(
        history["Records"].as_array().unwrap().iter().any(|r| r["UpdateSource"]["Identity"] == arn.as_str()),
        "{history}"
    );

    let missing = "arn:aws:securityhub:us-east-1:123456789012:automation-rule/00000000-0000-4000-8000-000000000000";
    let got = s.ok("POST", "/automationrules/get", Some(&json!({"AutomationRulesArns": [arn, missing]})));
    assert_eq!(got["Rules"][0]["RuleName"], "suppress low");
    assert_eq!(got["Rules"][0]["IsTerminal"], true);
    assert_eq!(got["UnprocessedAutomationRules"][0]["RuleArn"], missing);
    assert_eq!(got["UnprocessedAutomationRules"][0]["ErrorCode"], 404);

    let page = s.ok("GET", "/automationrules/list?MaxResults=1", None);
    assert_eq!(page["AutomationRulesMetadata"].as_array().unwrap().len(), 1);
    assert_eq!(page["AutomationRulesMetadata"][0]["RuleArn"], arn.as_str());
    assert!(page["AutomationRulesMetadata"][0].get("Criteria").is_none());
    let token = page["NextToken"].as_str().unwrap();
    let next = s.ok("GET", &format!("/automationrules/list?MaxResults=1&NextToken={token}"), None);
    assert_eq!(next["AutomationRulesMetadata"][0]["RuleArn"], arn2.as_str());
    assert!(next.get("NextToken").is_none());

    let updated = s.ok(
        "PATCH",
        "/automationrules/update",
        Some(&json!({"UpdateAutomationRulesRequestItems": [{"RuleArn": arn, "RuleStatus": "DISABLED"}, {"RuleArn": missing}]})),
    );
    assert_eq!(updated["ProcessedAutomationRules"], json!([arn]));
    assert_eq!(updated["UnprocessedAutomationRules"][0]["ErrorCode"], 404);
    // Rule 1 disabled: rule 2 applies to the next import.
    s.ok("POST", "/findings/import", Some(&json!({"Findings": [finding("low2", "LOW")]})));
    let got = s.ok("POST", "/findings", Some(&json!({"Filters": {"Id": [{"Value": "low2", "Comparison": "EQUALS"}]}})));
    assert_eq!(got["Findings"][0]["Confidence"], 5);
    assert_eq!(got["Findings"][0]["Workflow"]["Status"], "NEW");

    let deleted = s.ok("POST", "/automationrules/delete", Some(&json!({"AutomationRulesArns": [arn, arn2]})));
    assert_eq!(deleted["ProcessedAutomationRules"].as_array().unwrap().len(), 2);
    let empty = s.ok("GET", "/automationrules/list", None);
    assert_eq!(empty["AutomationRulesMetadata"], json!([]));
}

#[test]
fn bad_rule_requests_are_invalid_input_naming_the_member() {
    let s = Server::start(&[]);
    let mut bad = rule("x", 1001, false, json!({"Confidence": 5}));
    let (status, kind, v) = s.call("POST", "/automationrules/create", Some(&bad));
    assert_eq!((status, kind.as_deref()), (400, Some("InvalidInputException")), "{v}");
    assert_eq!(v["Message"], "RuleOrder must be an integer from 1 to 1000, not 1001");
    bad["RuleOrder"] = json!(1);
    bad["Criteria"] = json!({"Keyword": [{"Value": "x"}]});
    let (status, _, v) = s.call("POST", "/automationrules/create", Some(&bad));
    assert_eq!((status, v["Message"].as_str()), (400, Some("Criteria.Keyword: unknown member")));
    let (status, _, v) = s.call("POST", "/automationrules/get", Some(&json!({"AutomationRulesArns": []})));
    assert_eq!((status, v["Message"].as_str()), (400, Some("AutomationRulesArns must hold 1 to 100 ARNs, not 0")));
    let (status, _, v) = s.call("GET", "/automationrules/list?MaxResults=101", None);
    assert_eq!((status, v["Message"].as_str()), (400, Some("MaxResults must be from 1 to 100, not \"101\"")));
    // The same route with another method is no operation.
    let (status, kind, _) = s.call("GET", "/automationrules/create", None);
    assert_eq!((status, kind.as_deref()), (404, Some("UnknownOperationException")));
}

#[test]
fn rule_operations_take_the_injected_faults() {
    let s = Server::start(&["--fault", "error=503"]);
    let (status, kind, _) = s.call("GET", "/automationrules/list", None);
    assert_eq!((status, kind.as_deref()), (503, Some("ServiceUnavailableException")));
}

/// tests/python/test_automation_rules.py with boto3 (and the aws CLI when installed); skipped
/// without boto3 unless HUBTRIAGE_REQUIRE_AWS_CLIENTS=1, as the aws clients suite is.
#[test]
fn automation_rules_python_suite() {
    if let Some(out) = common::python::suite("test_automation_rules.py", "boto3") {
        assert!(out.contains("OK"), "{out}");
    }
}
