//! `hubtriage simulate`: repeatable for a seed, and every event goes through the import rules, so
//! Security Hub's own workflow changes happen (and are recorded as Security Hub's) as at AWS.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::run;
use hubtriage::model::finding::FindingKey;
use hubtriage::store::{HistoryRequest, Store};
use serde_json::Value;

/// A store in `dir` with the same 300 generated findings every time.
fn store(dir: &Path, name: &str) -> PathBuf {
    let file = dir.join("g.json");
    if !file.exists() {
        let out = run(
            &dir.join("unused.db"),
            &["generate", "--count", "300", "--seed", "5", "--output", file.to_str().unwrap()],
        );
        assert!(out.status.success());
    }
    let db = dir.join(name);
    let out = run(&db, &["import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    db
}

/// The events printed, without their clock column.
fn events(db: &Path, args: &[&str]) -> Vec<String> {
    let out = run(db, &[&["simulate", "--rate", "max"], args].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(|l| l.get(10..).unwrap_or("").to_string()).collect()
}

/// Every finding's (Workflow.Status, RecordState, Compliance.Status).
fn states(db: &Path) -> BTreeMap<FindingKey, (Value, Value, Value)> {
    let s = Store::open(db).unwrap();
    let (keys, _) = s.keys_and_accounts().unwrap();
    keys.into_iter()
        .map(|k| {
            let d = s.get(&k).unwrap().unwrap();
            let state = (d["Workflow"]["Status"].clone(), d["RecordState"].clone(), d["Compliance"]["Status"].clone());
            (k, state)
        })
        .collect()
}

#[test]
fn the_same_seed_on_the_same_store_plays_the_same_events() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (store(dir.path(), "a.db"), store(dir.path(), "b.db"), store(dir.path(), "c.db"));
    let played = events(&a, &["--count", "80", "--seed", "9"]);
    assert_eq!(played.len(), 80);
    assert_eq!(played, events(&b, &["--count", "80", "--seed", "9"]));
    assert_eq!(states(&a), states(&b));
    assert_eq!(states(&a).len(), 300 + played.iter().filter(|e| e.starts_with("new ")).count());
    assert_ne!(played, events(&c, &["--count", "80", "--seed", "10"]));
    for kind in ["new ", "observed ", "compliance ", "record-state "] {
        assert!(played.iter().any(|e| e.starts_with(kind)), "no {kind}event in {played:#?}");
    }
}

#[test]
fn compliance_events_go_through_the_import_rules_and_history_names_security_hub() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path(), "s.db");
    let before = states(&db);
    let played = events(&db, &["--count", "40", "--seed", "4", "--events", "compliance"]);
    assert!(played.iter().all(|e| e.starts_with("compliance ")), "{played:#?}");
    let after = states(&db);
    let s = Store::open(&db).unwrap();
    let (mut reopened, mut resolved) = (0, 0);
    for (key, (workflow, record, compliance)) in &after {
        let (old_workflow, old_record, old_compliance) = &before[key];
        assert_eq!(record, old_record, "a compliance event leaves the record state");
        if compliance == old_compliance {
            continue;
        }
        // The import rules (BatchUpdateFindings API reference, Workflow): a Security Hub control
        // finding that passes while NEW or NOTIFIED is RESOLVED; a finding that fails again after
        // being resolved or notified is NEW.
        let control = key.product_arn.ends_with("product/aws/securityhub");
        if control && compliance == "PASSED" && matches!(old_workflow.as_str(), Some("NEW" | "NOTIFIED")) {
            assert_eq!(workflow, "RESOLVED", "{key:?}");
            resolved += 1;
        }
        if matches!(old_workflow.as_str(), Some("RESOLVED" | "NOTIFIED")) && old_compliance == "PASSED" {
            assert_eq!(workflow, "NEW", "{key:?}");
            reopened += 1;
            let history = s.finding_history(&HistoryRequest::new(key.clone())).unwrap();
            let by_service = history.records.iter().find(|r| r.is_service_change()).expect("a record by Security Hub");
            assert_eq!(by_service.identity, "securityhub.amazonaws.com");
        }
    }
    assert!(reopened > 0 && resolved > 0, "reopened {reopened}, resolved {resolved}: {played:#?}");
    assert!(played.iter().any(|e| e.contains("Security Hub set workflow RESOLVED -> NEW")));
}

#[test]
fn events_that_need_findings_on_an_empty_store_are_refused_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("empty.db");
    let out = run(&db, &["simulate", "--count", "1", "--events", "compliance"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no findings for these events to change"));
    let out = run(&db, &["simulate", "--rate", "fast"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("fast: expected a positive number of events, e.g. 2/s"));
    let out = run(&db, &["simulate", "--rate", "3/day"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("3/day: expected N/s, N/min, N/h or max"));
}

// Against a `hubtriage serve` on loopback (`--endpoint-url`): the events are BatchImportFindings
// calls over HTTP, signed by the remote client with the test's own keys (serve without --auth
// accepts any signature), and land in serve's store through the same import rules.
#[test]
fn simulate_plays_against_a_serve_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path(), "served.db");
    let before = states(&db);
    let (mut serve, addr) = common::spawn_serve(&db, "127.0.0.1:0", &[], &dir.path().join("serve.err"));
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hubtriage"))
        .args(["--endpoint-url", &format!("http://{addr}")])
        .args(["simulate", "--rate", "max", "--count", "12", "--seed", "4", "--events", "compliance,new"])
        .env_clear()
        .env("AWS_ACCESS_KEY_ID", "AKIDSIMULATE")
        .env("AWS_SECRET_ACCESS_KEY", "simulate-secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("HOME", &home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("AWS_CONFIG_FILE", home.join("aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("aws-credentials"))
        .env("HUBTRIAGE_STORE", home.join("no-local-store.db"))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let _ = serve.kill();
    let _ = serve.wait();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("simulate-secret"), "the secret key is never printed");
    let played = String::from_utf8(out.stdout).unwrap();
    assert_eq!(played.lines().count(), 12, "{played}");
    let after = states(&db);
    let new = played.lines().filter(|l| l.get(10..).is_some_and(|e| e.starts_with("new "))).count();
    assert!(new > 0, "{played}");
    assert_eq!(after.len(), before.len() + new, "each new finding landed in serve's store");
    let flipped = before.iter().filter(|(k, (_, _, c))| after[*k].2 != *c).count();
    assert!(flipped > 0, "compliance changes landed in serve's store: {played}");
    assert!(!Path::new(&home.join("no-local-store.db")).exists(), "no local store was made");
}
