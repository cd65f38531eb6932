//! `hubtriage log`: the change log of bulk edits outlives the command that made them, and
//! `log --undo ID` previews, asks (or --yes) and puts the previous values back, logged in turn.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Output;

mod common;
use common::run;

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn statuses(store: &std::path::Path) -> Vec<(String, String)> {
    common::workflow_statuses(&run(store, &["findings", "--format", "json"]))
}

#[test]
fn a_bulk_edit_is_listed_and_undone_by_a_later_command() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    let file = dir.path().join("gen.json");
    assert!(run(&store, &["generate", "--count", "30", "-o", file.to_str().unwrap()]).status.success());
    assert!(run(&store, &["import", file.to_str().unwrap()]).status.success());
    let o = run(&store, &["log"]);
    assert!(text(&o).contains("No bulk edits logged yet"), "{}", text(&o));
    let before = statuses(&store);

    let o = run(&store, &["update", "sev>=medium", "--workflow", "resolved", "--note", "bulk", "--yes"]);
    assert!(o.status.success(), "{}", text(&o));
    let changed = before.iter().zip(statuses(&store)).filter(|(a, b)| a.1 != b.1).count();
    assert!(changed > 0);

    let o = run(&store, &["log"]);
    let listing = text(&o);
    assert!(
        listing.contains("#1") && listing.contains("tester") && listing.contains("Set Workflow RESOLVED, Note"),
        "{listing}"
    );

    // Without --yes and without a terminal: refused, nothing changed.
    let o = run(&store, &["log", "--undo", "1"]);
    assert!(!o.status.success() && text(&o).contains("Undo #1"), "{}", text(&o));
    let o = run(&store, &["log", "--undo", "1", "--dry-run"]);
    assert!(text(&o).contains("BatchUpdateFindings call"), "{}", text(&o));
    assert_ne!(statuses(&store), before);

    let o = run(&store, &["log", "--undo", "1", "--yes"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(statuses(&store), before, "every workflow status is back");
    let o = run(&store, &["log"]);
    assert!(text(&o).contains("(undone by #2)") && text(&o).contains("Undo #1"), "{}", text(&o));

    let o = run(&store, &["log", "--undo", "9", "--yes"]);
    assert!(!o.status.success() && text(&o).contains("no change log entry #9"), "{}", text(&o));
}
