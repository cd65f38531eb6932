//! The `hubtriage` binary end to end: import, findings, update, api, history, generate, on a temp store.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

mod common;
use common::run;

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn generate(dir: &Path, count: usize, seed: u64) -> std::path::PathBuf {
    let p = dir.join(format!("gen-{count}-{seed}.json"));
    let o = run(
        &dir.join("unused.db"),
        &["generate", "--count", &count.to_string(), "--seed", &seed.to_string(), "-o", p.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", text(&o));
    p
}

#[test]
fn import_then_query_then_bulk_update_then_history() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    let file = generate(dir.path(), 300, 7);
    let o = run(&store, &["import", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("300 imported, 0 failed"), "{}", text(&o));

    let o = run(&store, &["findings", "status:new", "sev>=high", "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let n = v["Findings"].as_array().unwrap().len();
    assert!(n > 0);
    assert!(v["Findings"].as_array().unwrap().iter().all(|f| f["Workflow"]["Status"] == "NEW"));

    // Without --yes and without a terminal, nothing is applied.
    let o = run(&store, &["update", "status:new", "sev>=high", "--workflow", "resolved"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("--yes"), "{}", text(&o));

    let o = run(
        &store,
        &["update", "status:new", "sev>=high", "--workflow", "resolved", "--note", "bulk fix", "--dry-run"],
    );
    assert!(
        text(&o).contains(&format!(
            "Set Workflow RESOLVED, Note on {n} findings: {} BatchUpdateFindings call",
            n.div_ceil(100)
        )),
        "{}",
        text(&o)
    );

    let o =
        run(&store, &["update", "status:new", "sev>=high", "--workflow", "resolved", "--note", "bulk fix", "--yes"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains(&format!("{n} processed, 0 unprocessed")), "{}", text(&o));
    let o = run(&store, &["findings", "status:new", "sev>=high", "--format", "json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["Findings"].as_array().unwrap().len(), 0);

    let o = run(&store, &["findings", "note:bulk", "--format", "csv"]);
    let csv = String::from_utf8_lossy(&o.stdout).to_string();
    assert_eq!(csv.lines().count(), n + 1, "header plus one row per finding");
    let id = csv.lines().nth(1).unwrap().split(',').next().unwrap().to_string();
    let o = run(&store, &["history", &id]);
    assert!(o.status.success(), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("BATCH_UPDATE_FINDINGS by tester"), "{t}");
    assert!(t.contains("Workflow.Status: NEW -> RESOLVED"), "{t}");
}

#[test]
fn malformed_file_names_file_line_and_column_and_keeps_what_came_before() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    let good = generate(dir.path(), 3, 7);
    let v: Value = serde_json::from_slice(&std::fs::read(&good).unwrap()).unwrap();
    let lines: Vec<String> = v["Findings"].as_array().unwrap().iter().map(|f| f.to_string()).collect();
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, format!("{}\n{}\n{{\"Id\": oops}}\n", lines[0], lines[1])).unwrap();
    let o = run(&store, &["import", bad.to_str().unwrap()]);
    assert!(!o.status.success());
    let t = text(&o);
    assert!(t.contains(&format!("{}:3:8:", bad.display())), "{t}");
    assert!(t.contains("2 imported"), "{t}");
    let o = run(&store, &["findings", "--format", "json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["Findings"].as_array().unwrap().len(), 2);
}

#[test]
fn api_speaks_the_exact_request_and_response_json() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    let file = generate(dir.path(), 5, 7);
    let v: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let req = dir.path().join("import.json");
    std::fs::write(&req, json!({"Findings": v["Findings"]}).to_string()).unwrap();
    let o = run(&store, &["api", "BatchImportFindings", "--input-json", req.to_str().unwrap()]);
    let out: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(out, json!({"FailedCount": 0, "SuccessCount": 5, "FailedFindings": []}));

    let first = &v["Findings"][0];
    let upd = dir.path().join("update.json");
    std::fs::write(
        &upd,
        json!({"FindingIdentifiers": [{"Id": first["Id"], "ProductArn": first["ProductArn"]}], "Confidence": 101})
            .to_string(),
    )
    .unwrap();
    let o = run(&store, &["api", "batch-update-findings", "--input-json", upd.to_str().unwrap()]);
    assert!(!o.status.success());
    let err: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(err["Code"], "InvalidInputException");
    assert!(err["Message"].as_str().unwrap().contains("Confidence"));

    let o = run(&store, &["api", "GetFindings"]);
    let out: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(out["Findings"].as_array().unwrap().len(), 5);
}

#[test]
fn query_errors_point_at_the_column() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&dir.path().join("s.db"), &["findings", "status:new sevv>=high"]);
    assert_eq!(o.status.code(), Some(2));
    let t = text(&o);
    assert!(t.contains("column 12"), "{t}");
    assert!(t.contains("sevv"), "{t}");
}

// Brief: acknowledged edits survive kill -9. An importer is killed mid-run; every call it had
// reported as done is in the store afterwards, and the store opens cleanly.
#[test]
fn acknowledged_imports_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    let files: Vec<String> = (0..40).map(|i| generate(dir.path(), 100, i).to_str().unwrap().to_string()).collect();
    // After the files comes `-`, standard input, held open by this test: the importer is alive when
    // the kill comes, whether it is still importing the files or already waiting on stdin.
    let mut child = Command::new(env!("CARGO_BIN_EXE_hubtriage"))
        .arg("import")
        .args(&files)
        .arg("-")
        .env("HUBTRIAGE_STORE", &store)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut acknowledged = 0;
    let reader = std::io::BufRead::lines(std::io::BufReader::new(stdout));
    for line in reader {
        let line = line.unwrap();
        if line.contains("100 imported") {
            acknowledged += 100;
            if acknowledged == 500 {
                child.kill().unwrap(); // SIGKILL
                break;
            }
        }
    }
    let status = child.wait().unwrap();
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(libc::SIGKILL), "{status:?}");
    assert_eq!(acknowledged, 500);
    let o = run(&store, &["findings", "--format", "csv"]);
    assert!(o.status.success(), "{}", text(&o));
    let rows = String::from_utf8_lossy(&o.stdout).lines().count() - 1;
    assert!(rows >= acknowledged, "{rows} stored < {acknowledged} acknowledged");
}

// Finding text is third-party: what the CLI prints of it (failure messages quoting a provider's
// value, history field names from ProductFields keys, unprocessed reasons) never carries an escape
// byte to the terminal; the stored document keeps the bytes as sent.
#[test]
fn provider_text_in_messages_and_history_cannot_drive_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    let gen = generate(dir.path(), 2, 3);
    let mut findings: Vec<Value> =
        serde_json::from_slice::<Value>(&std::fs::read(&gen).unwrap()).unwrap()["Findings"].as_array().unwrap().clone();
    findings[0]["UpdatedAt"] = json!("\u{1b}]0;pwned\u{7}\u{1b}[2J");
    findings[1]["ProductFields"] = json!({"key\u{1b}[31m": "one"});
    let file = dir.path().join("hostile.json");
    std::fs::write(&file, serde_json::to_vec(&json!({"Findings": findings})).unwrap()).unwrap();
    let o = run(&store, &["import", file.to_str().unwrap()]);
    assert!(!o.status.success());
    let out = text(&o);
    assert!(out.contains("1 imported, 1 failed") && out.contains("data.UpdatedAt"), "{out}");
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    assert!(out.contains('\u{241b}'), "the escape is shown as a placeholder: {out}");

    findings[1]["ProductFields"] = json!({"key\u{1b}[31m": "two"});
    findings[1]["UpdatedAt"] = json!("2099-01-01T00:00:00Z");
    std::fs::write(&file, serde_json::to_vec(&json!({"Findings": [findings[1].clone()]})).unwrap()).unwrap();
    let o = run(&store, &["import", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&store, &["history", findings[1]["Id"].as_str().unwrap()]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("ProductFields.key\u{241b}[31m: one -> two"), "{out}");
    assert!(!out.contains('\u{1b}'), "{out:?}");
    let o = run(&store, &["findings", "--format", "json"]);
    let stored: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(stored["Findings"][0]["ProductFields"]["key\u{1b}[31m"], "two");
}

// History names who made the change (--user), not the note's author (--by, Note.UpdatedBy only).
#[test]
fn update_by_sets_the_note_author_but_history_names_the_user() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    let file = generate(dir.path(), 1, 3);
    assert!(run(&store, &["import", file.to_str().unwrap()]).status.success());
    let f: Value = serde_json::from_slice(&run(&store, &["findings", "--format", "json"]).stdout).unwrap();
    let id = f["Findings"][0]["Id"].as_str().unwrap().to_string();
    let query = format!("id:\"{id}\"");
    let o = run(&store, &["--user", "alice", "update", &query, "--note", "x", "--by", "bob", "--yes"]);
    assert!(o.status.success(), "{}", text(&o));
    let f: Value = serde_json::from_slice(&run(&store, &["findings", "--format", "json"]).stdout).unwrap();
    assert_eq!(f["Findings"][0]["Note"]["UpdatedBy"], "bob");
    let o = run(&store, &["history", &id]);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("by alice"), "{out}");
    assert!(!out.contains("by bob"), "{out}");
}

// Without a terminal, an empty store is shown as it is: nothing is written until the analyst asks
// for the demo (--load-demo), and the overview says how.
#[test]
fn overview_of_an_empty_store_writes_nothing_until_asked() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, r#"{"Findings": []}"#).unwrap();
    let o = run(&store, &["import", empty.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let count = || -> usize {
        let o = run(&store, &["findings", "--format", "json"]);
        assert!(o.status.success(), "{}", text(&o));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        v["Findings"].as_array().unwrap().len()
    };
    let o = run(&store, &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("0 findings"), "{}", text(&o));
    assert!(text(&o).contains("hubtriage --load-demo"), "{}", text(&o));
    assert_eq!(count(), 0, "the overview wrote nothing");
    let o = run(&store, &["--load-demo"]);
    assert!(o.status.success(), "{}", text(&o));
    // The demo's 2,000 ASFF findings and 300 OCSF ones.
    assert_eq!(count(), 2300);
    // Only into an empty store: demo findings are not mixed into real ones.
    let o = run(&store, &["--load-demo"]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("not empty"), "{}", text(&o));
}

// A mistyped --store on a command that only reads is reported, and nothing is created; a command
// that writes creates the store.
#[test]
fn read_only_commands_never_create_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("typo");
    let store = typo.join("s.db");
    let reads: [&[&str]; 5] =
        [&["findings"], &["history", "x"], &[], &["api", "GetFindings"], &["api", "GetFindingHistory"]];
    for args in reads {
        let o = run(&store, args);
        assert!(!o.status.success(), "{args:?}: {}", text(&o));
        assert!(text(&o).contains("no store at"), "{args:?}: {}", text(&o));
        assert!(!typo.exists(), "{args:?} created {}", typo.display());
    }
    let file = generate(dir.path(), 2, 1);
    let o = run(&store, &["import", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&store, &["findings"]);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn suppress_reason_required_holds_for_the_cli_too() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    let file = generate(dir.path(), 5, 4);
    assert!(run(&store, &["import", file.to_str().unwrap()]).status.success());
    // Without the setting, a suppression needs no reason.
    let o = run(&store, &["update", "--workflow", "suppressed", "--yes", "sev>=informational"]);
    assert!(o.status.success(), "{}", text(&o));
    let cfg = dir.path().join("config").join("hubtriage");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("config.toml"), "suppress_reason_required = true\n").unwrap();
    let o = run(&store, &["update", "--workflow", "suppressed", "--yes", "sev>=informational"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("a reason is required to suppress"), "{}", text(&o));
    let o = run(&store, &["update", "--workflow", "suppressed", "--note", "   ", "--yes", "sev>=informational"]);
    assert!(!o.status.success(), "a blank note is no reason: {}", text(&o));
    let o =
        run(&store, &["update", "--workflow", "suppressed", "--note", "accepted risk", "--yes", "sev>=informational"]);
    assert!(o.status.success(), "{}", text(&o));
}

// `--account` limits reads as it limits updates: a member lists its own findings, an administrator
// its own and its members', an account the store has never heard of its own (none); `update QUERY`
// selects only what the account may see, and `history` does not find another account's finding.
#[test]
fn account_limits_findings_update_and_history() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    let file = generate(dir.path(), 60, 3);
    assert!(run(&store, &["import", file.to_str().unwrap()]).status.success());
    let all: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let all = all["Findings"].as_array().unwrap();
    let mut accounts: Vec<&str> = all.iter().map(|f| f["AwsAccountId"].as_str().unwrap()).collect();
    accounts.sort();
    accounts.dedup();
    assert!(accounts.len() >= 3, "{accounts:?}");
    let (adm, mem, other) = (accounts[0], accounts[1], accounts[2]);
    assert!(run(&store, &["org", "add", adm, mem]).status.success());
    let of = |a: &[&str]| all.iter().filter(|f| a.contains(&f["AwsAccountId"].as_str().unwrap())).count();
    let listed = |account: &str| -> Vec<String> {
        let o = run(&store, &["--account", account, "findings", "--format", "json"]);
        assert!(o.status.success(), "{}", text(&o));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        v["Findings"].as_array().unwrap().iter().map(|f| f["AwsAccountId"].as_str().unwrap().to_string()).collect()
    };
    let seen = listed(mem);
    assert!(seen.iter().all(|a| a == mem) && seen.len() == of(&[mem]), "{seen:?}");
    let seen = listed(adm);
    assert!(seen.iter().all(|a| a == adm || a == mem) && seen.len() == of(&[adm, mem]), "{seen:?}");
    assert!(listed("999999999999").is_empty());
    let o = run(&store, &["--account", "999999999999", "findings"]);
    assert!(text(&o).contains("0 findings"), "{}", text(&o));

    let o = run(&store, &["--account", mem, "update", "--workflow", "notified", "--yes", "--", ""]);
    assert!(o.status.success(), "{}", text(&o));
    let expected = format!("{} processed, 0 unprocessed", of(&[mem]));
    assert!(text(&o).contains(&expected), "{}", text(&o));

    let theirs = all.iter().find(|f| f["AwsAccountId"] == other).unwrap()["Id"].as_str().unwrap();
    let o = run(&store, &["--account", mem, "history", theirs]);
    assert!(!o.status.success() && text(&o).contains("no finding has Id"), "{}", text(&o));
    // An --ids line of an Id alone is looked up among the account's findings too.
    let ids = dir.path().join("ids.txt");
    std::fs::write(&ids, format!("{theirs}\n")).unwrap();
    let o =
        run(&store, &["--account", mem, "update", "--ids", ids.to_str().unwrap(), "--workflow", "resolved", "--yes"]);
    assert!(!o.status.success() && text(&o).contains("no finding has Id"), "{}", text(&o));
}

#[test]
fn the_overview_shows_only_what_the_account_may_see() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    let file = generate(dir.path(), 40, 11);
    assert!(run(&store, &["import", file.to_str().unwrap()]).status.success());
    let docs: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let docs = docs["Findings"].as_array().unwrap();
    let account = docs[0]["AwsAccountId"].as_str().unwrap();
    let own = docs.iter().filter(|d| d["AwsAccountId"] == account).count();
    assert!(own < docs.len(), "the generated findings span several accounts");
    let everyone = text(&run(&store, &[]));
    assert!(everyone.contains(&format!("hubtriage: {} findings", docs.len())), "{everyone}");
    let o = run(&store, &["--account", account]);
    assert!(o.status.success(), "{}", text(&o));
    let theirs = text(&o);
    let noun = if own == 1 { "finding" } else { "findings" };
    assert!(theirs.contains(&format!("hubtriage: {own} {noun}")), "{theirs}");
    let others: Vec<&str> = docs.iter().filter_map(|d| d["AwsAccountId"].as_str()).filter(|a| *a != account).collect();
    assert!(others.iter().all(|a| !theirs.contains(a)), "no other account's finding is listed: {theirs}");
}

/// Older Security Hub control findings (CIS 1.2 by RuleId, PCI DSS by ControlId, in ProductFields)
/// have no Compliance.SecurityControlId: the query language's `control:` and the summary fall back to
/// ProductFields, for Security Hub's own findings only; GetFindings' ComplianceSecurityControlId keeps
/// AWS's meaning.
#[test]
fn control_finds_older_security_hub_control_findings_by_their_product_fields() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/legacy-control-findings.json");
    let o = run(&store, &["import", fixture]);
    assert!(text(&o).contains("5 imported, 0 failed"), "{}", text(&o));
    let ids = |query: &[&str]| -> Vec<String> {
        let mut args = vec!["findings"];
        args.extend_from_slice(query);
        args.extend_from_slice(&["--format", "json"]);
        let o = run(&store, &args);
        assert!(o.status.success(), "{}", text(&o));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        v["Findings"].as_array().unwrap().iter().map(|f| f["Title"].as_str().unwrap().to_string()).collect()
    };
    let cis = "1.3 Ensure credentials unused for 90 days or greater are disabled";
    let pci = "PCI.Lambda.2 Lambda functions should be in a VPC";
    // The example scanner's own RuleId 1.3 is not a Security Hub control.
    assert_eq!(ids(&["control:1.3"]), [cis]);
    assert_eq!(ids(&["control:PCI.Lambda.2"]), [pci]);
    assert_eq!(ids(&["control:PCI.*"]), [pci]);
    assert_eq!(ids(&["control:S3.8"]), ["S3 general purpose buckets should block public access"]);
    assert_eq!(ids(&["control:1.3,2.9", "--sort", "control"]).len(), 2);
    assert_eq!(ids(&["product:securityhub", "!control:1.3"]).len(), 3);
    // A free word finds a control id wherever it came from.
    assert_eq!(ids(&["PCI.Lambda.2", "lambda"]), [pci]);
    // The CSV's control column is the summary's.
    let o = run(&store, &["findings", "control:2.9", "--format", "csv"]);
    let csv = String::from_utf8_lossy(&o.stdout).to_string();
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.lines().nth(1).unwrap().contains(",FAILED,2.9,"), "{csv}");

    // GetFindings: ComplianceSecurityControlId is Compliance.SecurityControlId only, as at AWS.
    let get = |filters: Value| -> usize {
        let req = dir.path().join("get.json");
        std::fs::write(&req, json!({"Filters": filters}).to_string()).unwrap();
        let o = run(&store, &["api", "GetFindings", "--input-json", req.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        v["Findings"].as_array().unwrap().len()
    };
    assert_eq!(get(json!({"ComplianceSecurityControlId": [{"Value": "1.3", "Comparison": "EQUALS"}]})), 0);
    assert_eq!(get(json!({"ComplianceSecurityControlId": [{"Value": "S3.8", "Comparison": "EQUALS"}]})), 1);
    assert_eq!(get(json!({"ComplianceSecurityControlId": [{"Value": "S3", "Comparison": "PREFIX"}]})), 1);
    assert_eq!(get(json!({"ComplianceSecurityControlId": [{"Value": "1.3", "Comparison": "NOT_EQUALS"}]})), 5);
}

/// A query that can match nothing: a closed set's mistyped value fails with a suggestion; a `*`
/// that is not a trailing prefix is warned of on stderr, and the query still runs.
#[test]
fn findings_and_update_refuse_a_mistyped_value_and_warn_of_a_literal_star() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    let file = generate(dir.path(), 20, 3);
    assert!(run(&store, &["import", file.to_str().unwrap()]).status.success());
    let o = run(&store, &["findings", "sev:hgh"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("(did you mean high?)"), "{}", text(&o));
    let o = run(&store, &["update", "status:nwe", "--workflow", "resolved", "--dry-run"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("(did you mean new?)"), "{}", text(&o));

    let star = "warning: query column 11: only a trailing \"*\" makes a prefix; this \"*\" is matched as itself";
    let o = run(&store, &["findings", "control:S3*1"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains(star), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("0 findings"), "{}", text(&o));
    let o = run(&store, &["update", "control:S3*1", "--workflow", "resolved", "--dry-run"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains(star), "{}", text(&o));
    let o = run(&store, &["findings", "control:S3*"]);
    assert!(!String::from_utf8_lossy(&o.stderr).contains("warning"), "{}", text(&o));
}

// `--remove-demo` deletes exactly the demo findings (asked for: --yes, or a yes on a terminal),
// says how many, and leaves the analyst's own findings byte-identical; with none it does nothing.
#[test]
fn remove_demo_removes_exactly_the_demo_findings() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    // Never creates a store.
    let o = run(&store, &["--remove-demo", "--yes"]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("no store at"), "{}", text(&o));
    assert!(!store.exists());

    assert!(run(&store, &["--load-demo"]).status.success());
    let file = generate(dir.path(), 50, 3);
    assert!(run(&store, &["import", file.to_str().unwrap()]).status.success());
    let mine = || -> std::collections::BTreeMap<String, String> {
        let o = run(&store, &["findings", "--format", "json"]);
        assert!(o.status.success(), "{}", text(&o));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        let all = v["Findings"].as_array().unwrap();
        all.iter()
            .filter(|f| {
                f["CompanyName"] != "hubtriage demo" && f["metadata"]["product"]["vendor_name"] != "hubtriage demo"
            })
            .map(|f| (f["Id"].as_str().unwrap().to_string(), serde_json::to_string(f).unwrap()))
            .collect()
    };
    let before = mine();
    assert_eq!(before.len(), 50);
    // Demo findings are ASFF sample findings: a query can leave them out, or select only them. The
    // demo's 300 OCSF findings have no sample flag (OCSF has none); their analytic is the generator.
    let matching = |q: &str| {
        let o = run(&store, &["findings", q, "--format", "json"]);
        serde_json::from_slice::<Value>(&o.stdout).unwrap()["Findings"].as_array().unwrap().len()
    };
    // OCSF has no sample flag: `sample:false` keeps the OCSF demo findings; `generator:` selects all.
    assert_eq!(matching("sample:false"), 50 + 300);
    assert_eq!(matching("sample:true"), 2000);
    assert_eq!(matching("generator:hubtriage-demo/*"), 2300);
    // The overview says the store holds demo findings, and how to remove them.
    let o = run(&store, &[]);
    assert!(text(&o).contains("2,300 demo findings"), "{}", text(&o));
    assert!(text(&o).contains("hubtriage --remove-demo"), "{}", text(&o));

    // Without a terminal and without --yes, nothing is removed.
    let o = run(&store, &["--remove-demo"]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("--yes"), "{}", text(&o));
    let count = || {
        let o = run(&store, &["findings", "--format", "json"]);
        serde_json::from_slice::<Value>(&o.stdout).unwrap()["Findings"].as_array().unwrap().len()
    };
    assert_eq!(count(), 2350);

    let o = run(&store, &["--remove-demo", "--yes"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("Removed 2,300 demo findings"), "{}", text(&o));
    assert_eq!(count(), 50);
    assert_eq!(mine(), before, "the imported findings are untouched");
    let o = run(&store, &["history", before.keys().next().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));

    // None left: a clear message, and nothing changes.
    let o = run(&store, &["--remove-demo", "--yes"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("no demo findings"), "{}", text(&o));
    assert_eq!(mine(), before);
    // It acts on the whole store as its owner, not as an account of the access model.
    let o = run(&store, &["--remove-demo", "--yes", "--account", "111111111111"]);
    assert!(!o.status.success(), "{}", text(&o));
    // It is used alone.
    let o = run(&store, &["--remove-demo", "findings"]);
    assert!(!o.status.success(), "{}", text(&o));
}

// `api --input-json` with a file that is not JSON names the file and the position once.
#[test]
fn api_input_that_is_not_json_names_its_position_once() {
    let dir = tempfile::tempdir().unwrap();
    let req = dir.path().join("req.json");
    std::fs::write(&req, "{\"Findings\": [x]}").unwrap();
    let o = run(&dir.path().join("s.db"), &["api", "BatchImportFindings", "--input-json", req.to_str().unwrap()]);
    let t = text(&o);
    assert!(!o.status.success(), "{t}");
    assert!(t.contains("req.json:1:15: "), "{t}");
    assert!(!t.contains("at line"), "{t}");
}

/// Opening a store made by an older hubtriage rebuilds its indexes from every document, once, before
/// the command runs (~24 s per million findings): the first open says so on stderr, with no
/// finding's text; later opens, a new store and an empty one say nothing.
#[test]
fn upgrading_an_older_store_says_so_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    let file = generate(dir.path(), 20, 3);
    let o = run(&store, &["import", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(!text(&o).contains("upgrading"), "a new store is not upgraded: {}", text(&o));
    // As schema 11 left a store: no resource index.
    let back_to_11 = |path: &Path| {
        rusqlite::Connection::open(path)
            .unwrap()
            .execute_batch(
                "DROP TRIGGER resource_postings_dropped; DROP TABLE resource_postings; DROP TABLE resource_terms;
                 DROP TABLE resource_of; PRAGMA user_version = 11;",
            )
            .unwrap();
    };
    back_to_11(&store);
    let o = run(&store, &["findings", "--format", "csv"]);
    assert!(o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(err.lines().filter(|l| l.starts_with("hubtriage: upgrading the store")).count(), 1, "{err}");
    assert!(err.contains("per million findings"), "{err}");
    assert!(!err.contains("arn:"), "no finding text: {err}");
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 21, "then the command runs");
    let o = run(&store, &["findings", "--format", "csv"]);
    assert!(!text(&o).contains("upgrading"), "once: {}", text(&o));

    // An empty store at an older schema is upgraded without a word.
    let empty = dir.path().join("empty.db");
    let o = run(&empty, &["import", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    rusqlite::Connection::open(&empty).unwrap().execute_batch("DELETE FROM findings").unwrap();
    back_to_11(&empty);
    let o = run(&empty, &["findings", "--format", "csv"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(!text(&o).contains("upgrading"), "{}", text(&o));
}
