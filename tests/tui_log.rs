//! `:log` end to end: a bulk edit made with `hubtriage update` on ASFF and OCSF findings is listed
//! in the workbench, shown with Enter, undone with `u` and `y`; then the store itself has the
//! findings of both formats as before the edit, and `hubtriage log` shows the undo and the entry it
//! undid.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

mod common;
use common::tmux::{cli, tmux_available, Tmux};

fn statuses(store: &Path) -> Vec<(String, String)> {
    common::workflow_statuses(&cli(store, &["findings", "--format", "json", "--limit", "100000"]))
}

/// Every OCSF finding's (metadata.uid, status_id), sorted, from GetFindingsV2.
fn ocsf_statuses(store: &Path) -> Vec<(String, serde_json::Value)> {
    let body = store.with_extension("get.json");
    std::fs::write(&body, r#"{"MaxResults": 100}"#).unwrap();
    let o = cli(store, &["api", "GetFindingsV2", "--input-json", body.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut out: Vec<_> = v["Findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["metadata"]["uid"].as_str().unwrap().to_string(), f["status_id"].clone()))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn colon_log_undoes_yesterdays_bulk_edit_and_the_store_shows_it() {
    if !tmux_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("log.db");
    let data = dir.path().join("findings.json");
    cli(&store, &["generate", "--count", "80", "--seed", "7", "--ocsf", "30", "-o", data.to_str().unwrap()]);
    cli(&store, &["import", data.to_str().unwrap()]);
    let (before, ocsf_before) = (statuses(&store), ocsf_statuses(&store));
    assert!(!ocsf_before.is_empty());
    cli(&store, &["update", "sev>=high", "--workflow", "resolved", "--yes"]);
    let edited = statuses(&store);
    assert_ne!(edited, before);
    assert_ne!(ocsf_statuses(&store), ocsf_before, "the OCSF findings are edited too");

    let tmux = Tmux { socket: dir.path().join("tmux.sock") };
    tmux.workbench(dir.path(), &store, (80, 24));
    tmux.wait_for("80 total");
    tmux.keys(&[":"]);
    tmux.literal("log");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Change log · 1 edit");
    assert!(screen.contains("e2e-tester") && screen.contains("Set Workflow RESOLVED"), "{screen}");
    tmux.keys(&["Enter"]);
    tmux.wait_for("u undoes it");
    tmux.keys(&["u"]);
    let screen = tmux.wait_for("y / Enter: undo it");
    assert!(screen.contains("Undo #1 ("), "{screen}");
    tmux.keys(&["y"]);
    let screen = tmux.wait_for("Undid #1");
    assert!(screen.contains("logged as #2"), "{screen}");
    tmux.wait_for("(undone by #2)");
    tmux.keys(&["Escape"]);
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED-0");

    assert_eq!(statuses(&store), before, "the store has the findings as before the edit");
    assert_eq!(ocsf_statuses(&store), ocsf_before, "the OCSF findings too");
    let log = String::from_utf8(cli(&store, &["log"]).stdout).unwrap();
    assert!(log.contains("#2") && log.contains("Undo #1"), "{log}");
    assert!(log.contains("(undone by #2)"), "{log}");
}
