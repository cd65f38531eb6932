//! Time-boxed suppression end to end: `update --expires`, `hubtriage expire` (run at a chosen time
//! with `--at`), history, and the refusal over a remote.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

mod common;
use common::run;

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A store with `count` generated findings; returns its path and the findings' Ids.
fn store(dir: &Path, count: usize) -> (PathBuf, Vec<String>) {
    let store = dir.join("s.db");
    let file = dir.join("gen.json");
    let o = run(&store, &["generate", "--count", &count.to_string(), "-o", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&store, &["import", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let v: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let list = v.get("Findings").unwrap_or(&v).as_array().unwrap().clone();
    (store, list.iter().map(|f| f["Id"].as_str().unwrap().to_string()).collect())
}

fn ids_file(dir: &Path, name: &str, ids: &[String]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, ids.join("\n")).unwrap();
    p.to_str().unwrap().to_string()
}

fn status(store: &Path, id: &str) -> (String, String) {
    let o = run(store, &["findings", &format!("id:{id}"), "--format", "json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", text(&o)));
    let f = &v["Findings"][0];
    (f["Workflow"]["Status"].as_str().unwrap().to_string(), f["Note"]["Text"].as_str().unwrap_or("").to_string())
}

#[test]
fn a_suppression_expires_once_with_a_note_and_history() {
    let dir = tempfile::tempdir().unwrap();
    let (store, ids) = store(dir.path(), 3);
    let file = ids_file(dir.path(), "ids.txt", &ids[..2]);
    let untouched = status(&store, &ids[2]).0;
    let o = run(
        &store,
        &[
            "update",
            "--ids",
            &file,
            "--workflow",
            "suppressed",
            "--note",
            "accepted risk",
            "--expires",
            "2099-01-31T00:00:00Z",
            "--yes",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("suppression expires 2099-01-31T00:00:00.000Z"), "{}", text(&o));

    let o = run(&store, &["expire"]);
    assert!(text(&o).contains("nothing reopened"), "{}", text(&o));
    assert_eq!(status(&store, &ids[0]).0, "SUPPRESSED");

    let o = run(&store, &["expire", "--at", "2099-02-01T00:00:00Z", "--dry-run"]);
    assert!(text(&o).contains("2 suppressed findings would be reopened"), "{}", text(&o));
    assert_eq!(status(&store, &ids[0]).0, "SUPPRESSED");

    let o = run(&store, &["expire", "--at", "2099-02-01T00:00:00Z"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("Reopened 2 suppressed findings"), "{}", text(&o));
    let (workflow, note) = status(&store, &ids[0]);
    assert_eq!(workflow, "NEW");
    assert!(note.starts_with("suppression expired (set "), "{note}");
    assert!(note.ends_with(" by tester: accepted risk)"), "{note}");
    assert_eq!(status(&store, &ids[2]).0, untouched, "never suppressed");

    let o = run(&store, &["history", &ids[0]]);
    assert!(text(&o).contains("hubtriage expire"), "{}", text(&o));
    // The reopening is a bulk edit in the change log, so it can be undone.
    let o = run(&store, &["log"]);
    assert!(
        text(&o).contains("hubtriage expire") && text(&o).contains("Reopen 2 findings (suppression expired)"),
        "{}",
        text(&o)
    );

    // Idempotent: a second run does nothing.
    let o = run(&store, &["expire", "--at", "2099-02-01T00:00:00Z"]);
    assert!(text(&o).contains("nothing reopened"), "{}", text(&o));
}

#[test]
fn another_edit_clears_the_expiry() {
    let dir = tempfile::tempdir().unwrap();
    let (store, ids) = store(dir.path(), 1);
    let file = ids_file(dir.path(), "ids.txt", &ids);
    let o = run(
        &store,
        &["update", "--ids", &file, "--workflow", "suppressed", "--note", "r", "--expires", "30d", "--yes"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&store, &["update", "--ids", &file, "--workflow", "resolved", "--yes"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&store, &["expire", "--at", "2199-01-01T00:00:00Z"]);
    assert!(text(&o).contains("nothing reopened"), "{}", text(&o));
    assert_eq!(status(&store, &ids[0]).0, "RESOLVED");
}

#[test]
fn expires_is_checked_before_anything_changes() {
    let dir = tempfile::tempdir().unwrap();
    let (store, ids) = store(dir.path(), 1);
    let file = ids_file(dir.path(), "ids.txt", &ids);
    let before = status(&store, &ids[0]).0;
    let o = run(&store, &["update", "--ids", &file, "--workflow", "resolved", "--expires", "30d", "--yes"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("--workflow suppressed"), "{}", text(&o));
    let o = run(
        &store,
        &["update", "--ids", &file, "--workflow", "suppressed", "--note", "r", "--expires", "soon", "--yes"],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("30d"), "{}", text(&o));
    assert_eq!(status(&store, &ids[0]).0, before);
}

#[test]
fn expires_over_a_remote_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        &dir.path().join("s.db"),
        &[
            "--endpoint-url",
            "http://127.0.0.1:9",
            "update",
            "status:new",
            "--workflow",
            "suppressed",
            "--note",
            "r",
            "--expires",
            "30d",
            "--yes",
        ],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("--expires works on the local store only"), "{}", text(&o));
}
