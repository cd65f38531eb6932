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
