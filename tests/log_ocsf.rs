//! `hubtriage log` on a store with OCSF (Security Hub V2) findings: `update` and `expire` log their
//! OCSF part with their ASFF part, as one entry counting each finding once, and `log --undo` puts
//! both back (BatchUpdateFindings and BatchUpdateFindingsV2).

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{json, Value};

use hubtriage::generate::ocsf::generate_ocsf;
use hubtriage::generate::{generate, GenOptions};

mod common;
use common::run;

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A store with 6 ASFF findings (the first 2 also in OCSF form) and 6 OCSF findings alone, all
/// NEW, one of the OCSF ones with a comment: 12 findings as the list counts them.
fn mixed_store(dir: &Path) -> PathBuf {
    let store = dir.join("s.db");
    let opts = GenOptions { count: 6, seed: 21, ..GenOptions::default() };
    let mut all: Vec<Value> = generate(&opts).collect();
    all.extend(generate_ocsf(&opts).take(2));
    all.extend(generate_ocsf(&GenOptions { count: 12, seed: 22, ..GenOptions::default() }).skip(6));
    for f in &mut all {
        if f.get("metadata").is_some() {
            f["status_id"] = json!(1);
            f["status"] = json!("New");
            f.as_object_mut().unwrap().remove("comment");
        } else {
            f["Workflow"]["Status"] = json!("NEW");
            f["RecordState"] = json!("ACTIVE");
            f["Compliance"] = json!({"Status": "FAILED"});
        }
    }
    all[8]["comment"] = json!("was: accepted risk");
    let file = dir.join("mixed.json");
    std::fs::write(&file, json!({"Findings": all}).to_string()).unwrap();
    let o = run(&store, &["import", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    store
}

/// Every OCSF finding (both forms' too), by `metadata.uid`: (status_id, comment).
fn ocsf_state(store: &Path) -> Vec<(String, Value, Value)> {
    let body = store.parent().unwrap().join("get.json");
    std::fs::write(&body, json!({"MaxResults": 100}).to_string()).unwrap();
    let o = run(store, &["api", "GetFindingsV2", "--input-json", body.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let out: Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut v: Vec<_> = out["Findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["metadata"]["uid"].as_str().unwrap().to_string(), f["status_id"].clone(), f["comment"].clone()))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn asff_state(store: &Path) -> Vec<(String, String)> {
    common::workflow_statuses(&run(store, &["findings", "", "--format", "json"]))
        .into_iter()
        .filter(|(id, _)| !id.is_empty())
        .collect()
}

#[test]
fn update_of_a_mixed_store_is_logged_whole_and_undone_through_both_apis() {
    let dir = tempfile::tempdir().unwrap();
    let store = mixed_store(dir.path());
    let (asff_before, ocsf_before) = (asff_state(&store), ocsf_state(&store));
    assert_eq!(ocsf_before.len(), 8);

    let o = run(&store, &["update", "", "--workflow", "resolved", "--note", "done", "--yes"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(ocsf_state(&store).iter().all(|(_, s, c)| (s, c) == (&json!(4), &json!("done"))));

    let o = run(&store, &["log"]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("    12 findings  Set Workflow RESOLVED"), "every finding, each once: {out}");

    let o = run(&store, &["log", "--undo", "1", "--yes"]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("12 processed, 0 unprocessed"), "{out}");
    assert_eq!(asff_state(&store), asff_before);
    for ((uid, status, comment), (_, was, was_comment)) in ocsf_state(&store).iter().zip(&ocsf_before) {
        assert_eq!(status, was, "{uid}");
        // A comment the finding did not have stays: BatchUpdateFindingsV2 cannot remove one.
        let expected = if was_comment.is_null() { json!("done") } else { was_comment.clone() };
        assert_eq!(comment, &expected, "{uid}");
    }
    let o = run(&store, &["log"]);
    let out = text(&o);
    assert!(out.contains("    12 findings  Undo #1 (Set Workflow RESOLVED"), "{out}");
    assert!(out.contains("(undone by #2)"), "{out}");
}

#[test]
fn expire_logs_the_ocsf_form_it_reopens_and_its_undo_suppresses_both_forms_again() {
    let dir = tempfile::tempdir().unwrap();
    let store = mixed_store(dir.path());
    let o = run(&store, &["update", "", "--workflow", "suppressed", "--note", "later", "--expires", "1h", "--yes"]);
    assert!(o.status.success(), "{}", text(&o));
    let suppressed = ocsf_state(&store);
    assert!(suppressed.iter().all(|(_, s, _)| s == &json!(3)), "{suppressed:?}");

    let later = "2099-01-01T00:00:00Z";
    let o = run(&store, &["expire", "--at", later]);
    assert!(o.status.success(), "{}", text(&o));
    let reopened = ocsf_state(&store);
    assert_eq!(reopened.iter().filter(|(_, s, _)| s == &json!(1)).count(), 2, "the 2 OCSF forms: {reopened:?}");

    let o = run(&store, &["log"]);
    let out = text(&o);
    assert!(out.contains("     6 findings  Reopen 6 findings (suppression expired)"), "{out}");
    let o = run(&store, &["log", "--undo", "2", "--yes"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(asff_state(&store).iter().all(|(_, w)| w == "SUPPRESSED"));
    assert_eq!(ocsf_state(&store), suppressed, "the OCSF forms suppressed again, comments as they were");
}
