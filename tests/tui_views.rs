//! Saved views and grouping end to end, in a real terminal (tmux): open a saved view read from its
//! file, group it by control, resolve one whole group from the group view, quit; then the store,
//! read by another process, must show exactly that control's findings of the view RESOLVED.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

mod common;
use common::tmux::{tmux_available, Tmux};

fn cli(store: &Path, args: &[&str]) -> Vec<u8> {
    let o = common::run(store, args);
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    o.stdout
}

/// Every finding's workflow status, by Id.
fn statuses(store: &Path) -> HashMap<String, (String, Value)> {
    let out = cli(store, &["findings", "--format", "json", "--limit", "100000"]);
    let v: Value = serde_json::from_slice(&out).unwrap();
    v["Findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["Id"].as_str().unwrap().to_string(), (f["Workflow"]["Status"].to_string(), f.clone())))
        .collect()
}

/// The control a finding belongs to, as the workbench groups it.
fn control(f: &Value) -> Option<&str> {
    f["Compliance"]["SecurityControlId"].as_str().or_else(|| f["ProductFields"]["ControlId"].as_str())
}

#[test]
fn a_saved_view_grouped_by_control_resolves_one_whole_group() {
    if !tmux_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("views.db");
    let data = dir.path().join("findings.json");
    cli(&store, &["generate", "--count", "300", "--seed", "7", "-o", data.to_str().unwrap()]);
    cli(&store, &["import", data.to_str().unwrap()]);
    // The saved view, where the workbench (HOME and XDG in the temp dir) reads its views.
    let views = dir.path().join("home/.config/hubtriage/views");
    std::fs::create_dir_all(&views).unwrap();
    std::fs::write(views.join("failed-mine.toml"), "name = \"failed mine\"\nquery = \"compliance:failed\"\n").unwrap();
    let before = statuses(&store);

    let tmux = Tmux { socket: dir.path().join("tmux.sock") };
    tmux.workbench(dir.path(), &store, (160, 48));
    tmux.wait_for("open work · 300 total");
    tmux.keys(&[":", "C-u"]);
    tmux.literal("view failed mine");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("failed mine · 300 total");
    let in_view: Vec<&Value> =
        before.values().map(|(_, f)| f).filter(|f| f["Compliance"]["Status"] == "FAILED").collect();
    assert!(screen.contains(&format!("{} matching", in_view.len())), "{screen}");

    tmux.keys(&[":", "C-u"]);
    tmux.literal("group control");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Group by control");
    // The first group may be the findings without a control, "(none)": the second is a control.
    tmux.keys(&["j"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let screen = tmux.wait_for("VALUE");
    let lines: Vec<&str> = screen.lines().collect();
    let header = lines.iter().position(|l| l.contains("VALUE")).unwrap();
    let first = lines[header + 1];
    let row = if first.contains("(none)") { lines[header + 2] } else { first };
    let cells: Vec<&str> = row.trim_matches('│').split_whitespace().collect();
    let (count, group) = (cells[0].parse::<usize>().unwrap(), *cells.last().unwrap());
    let expected: Vec<&&Value> = in_view.iter().filter(|f| control(f) == Some(group)).collect();
    assert_eq!(expected.len(), count, "the group's count is its findings in the view: {row}");
    if !first.contains("(none)") {
        // No "(none)" group: the cursor's group is the second line; go back to the first.
        tmux.keys(&["k"]);
    }

    // Space marks the group; r previews the edit on it; y sends it.
    tmux.keys(&["Space"]);
    tmux.wait_for(&format!("{count} marked"));
    tmux.keys(&["r"]);
    tmux.wait_for(&format!("Set Workflow RESOLVED on {count} findings"));
    tmux.keys(&["y"]);
    tmux.wait_for(&format!("{count} findings updated"));
    // Back to the list, then quit (one at a time: Escape and q at once read as Alt-q).
    tmux.keys(&["Escape"]);
    tmux.wait_for("┌ Findings");
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED-0");

    // Exactly that control's findings of the view are RESOLVED now; every other finding is as it was.
    let after = statuses(&store);
    assert_eq!(after.len(), before.len());
    for (id, (status, f)) in &after {
        let was = &before[id].0;
        if f["Compliance"]["Status"] == "FAILED" && control(f) == Some(group) {
            assert_eq!(status, "\"RESOLVED\"", "{id} of {group}");
        } else {
            assert_eq!(status, was, "{id} is not in {group}: unchanged");
        }
    }
}
