//! The workbench end to end on a store holding both ASFF and OCSF findings: a structured query that
//! means the same on both formats, mark all, resolve (one preview naming both kinds of call), quit;
//! then the store, read by another process, shows exactly the matching findings resolved in each
//! format's own terms (ASFF `Workflow.Status`, OCSF `status_id`/`status`) and no other finding changed.
//!
//! tmux is installed by `.ci/run`, which sets `HUBTRIAGE_REQUIRE_TMUX=1` so that a missing tmux
//! fails there instead of skipping.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

mod common;
use common::tmux::{cli, tmux_available, Tmux};

/// Each finding by its own identifier (ASFF `Id`, OCSF `metadata.uid`), as the store prints it.
fn findings(store: &Path) -> BTreeMap<String, Value> {
    let o = cli(store, &["findings", "", "--format", "json", "--limit", "100000"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    v["Findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let id = f["Id"].as_str().or_else(|| f["metadata"]["uid"].as_str()).unwrap();
            (id.to_string(), f.clone())
        })
        .collect()
}

fn is_ocsf(f: &Value) -> bool {
    f.get("metadata").is_some()
}

/// `sev>=high` on either format: ASFF's label, OCSF's severity_id (High 4, Critical 5, Fatal 6).
fn high_or_worse(f: &Value) -> bool {
    if is_ocsf(f) {
        f["severity_id"].as_i64().is_some_and(|s| (4..=6).contains(&s))
    } else {
        matches!(f["Severity"]["Label"].as_str(), Some("HIGH" | "CRITICAL"))
    }
}

fn resolved(f: &Value) -> bool {
    if is_ocsf(f) {
        f["status_id"] == 4 && f["status"] == "Resolved"
    } else {
        f["Workflow"]["Status"] == "RESOLVED"
    }
}

#[test]
fn a_mixed_selection_is_resolved_with_both_calls_and_the_store_shows_exactly_those() {
    if !tmux_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("mixed.db");
    let data = dir.path().join("findings.json");
    cli(&store, &["generate", "--count", "300", "--seed", "11", "--ocsf", "40", "-o", data.to_str().unwrap()]);
    cli(&store, &["import", data.to_str().unwrap()]);
    let before = findings(&store);
    assert_eq!(before.len(), 300);
    let target: Vec<&String> = before.iter().filter(|(_, f)| high_or_worse(f)).map(|(id, _)| id).collect();
    let ocsf_targets = target.iter().filter(|id| is_ocsf(&before[**id])).count();
    assert!(ocsf_targets > 0 && ocsf_targets < target.len(), "the query must match both formats");
    assert!(target.iter().any(|id| !resolved(&before[*id])), "something to resolve");

    let tmux = Tmux { socket: dir.path().join("tmux.sock") };
    tmux.workbench(dir.path(), &store, (160, 48));
    tmux.wait_for("300 total");
    tmux.keys(&[":"]);
    tmux.literal("sev>=high");
    tmux.keys(&["Enter"]);
    tmux.wait_for(&format!("{} matching", target.len()));
    tmux.keys(&["a"]);
    tmux.wait_for(&format!("{} marked", target.len()));
    tmux.keys(&["r"]);
    let preview = tmux.wait_for(&format!("Set Workflow RESOLVED on {} findings", target.len()));
    assert!(
        preview.contains("BatchUpdateFindings call") && preview.contains("BatchUpdateFindingsV2 call"),
        "{preview}"
    );
    tmux.keys(&["y"]);
    tmux.wait_for(&format!("{} findings updated", target.len()));
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED-0");

    let after = findings(&store);
    assert_eq!(after.len(), 300);
    for (id, f) in &after {
        if high_or_worse(&before[id]) {
            assert!(resolved(f), "{id} should be resolved: {f}");
        } else {
            assert_eq!(f, &before[id], "{id} is not in the selection and must not change");
        }
    }
}
