//! The workbench end to end, as a user sees it: the real binary in a real terminal (tmux) on a temp
//! store. Filter, mark all, resolve, quit; then the store itself must show those findings RESOLVED.
//!
//! tmux is installed by `.ci/run`, which sets `HUBTRIAGE_REQUIRE_TMUX=1` so that a missing tmux
//! fails there instead of skipping.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

mod common;
use common::tmux::{cli, tmux_available, Tmux};

fn findings(store: &Path) -> Vec<Value> {
    let o = cli(store, &["findings", "--format", "json", "--limit", "100000"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    v["Findings"].as_array().unwrap().clone()
}

/// The header's "N matching" count.
fn matching(screen: &str) -> Option<usize> {
    let header = screen.lines().next()?;
    let part = header.split('·').find(|p| p.contains("matching"))?;
    part.trim().trim_end_matches("matching").trim().replace(',', "").parse().ok()
}

fn is_guardduty(f: &Value) -> bool {
    f["ProductName"] == "GuardDuty"
}

#[test]
fn filter_mark_all_resolve_quit_then_the_store_shows_them_resolved() {
    if !tmux_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("e2e.db");
    let data = dir.path().join("findings.json");
    cli(&store, &["generate", "--count", "300", "--seed", "7", "-o", data.to_str().unwrap()]);
    cli(&store, &["import", data.to_str().unwrap()]);
    let before = findings(&store);
    let guardduty = before.iter().filter(|f| is_guardduty(f)).count();
    assert!(guardduty > 0 && before.iter().any(|f| is_guardduty(f) && f["Workflow"]["Status"] != "RESOLVED"));

    let tmux = Tmux { socket: dir.path().join("tmux.sock") };
    tmux.workbench(dir.path(), &store, (160, 48));
    tmux.wait_for("open work · 300 total");
    // The workbench opens on the open work; `0` shows every finding, which this edit is about.
    tmux.keys(&["0"]);
    tmux.wait_for("all · 300 total · 300 matching");

    // Live filter, then apply it.
    tmux.keys(&["/"]);
    tmux.literal("guardduty");
    tmux.keys(&["Enter"]);
    // The whole filter must be applied: the screen shows the list while the filter is being typed,
    // so wait for the header to name it, and for the count to settle.
    let applied =
        |s: &str| s.lines().next().is_some_and(|h| h.contains("/guardduty")) && matching(s).is_some_and(|n| n < 300);
    let mut screen = tmux.wait_until("the filter narrowing the list", applied);
    loop {
        std::thread::sleep(Duration::from_millis(300));
        let again = tmux.wait_until("the filter narrowing the list", applied);
        if matching(&again) == matching(&screen) {
            break;
        }
        screen = again;
    }
    let matching = matching(&screen).unwrap();
    assert!(matching >= guardduty, "{screen}");

    // Mark every match, resolve, confirm the preview.
    tmux.keys(&["a"]);
    tmux.wait_for(&format!("{matching} marked"));
    tmux.keys(&["r"]);
    tmux.wait_for(&format!("Set Workflow RESOLVED on {matching} findings"));
    tmux.keys(&["y"]);
    tmux.wait_for(&format!("{matching} findings updated"));
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED-0");

    // The store, read by another process, has every GuardDuty finding RESOLVED, by our user.
    let after = findings(&store);
    assert_eq!(after.len(), 300);
    for f in after.iter().filter(|f| is_guardduty(f)) {
        assert_eq!(f["Workflow"]["Status"], "RESOLVED", "{}", f["Id"]);
    }
    let newly_resolved = |v: &[Value]| v.iter().filter(|f| f["Workflow"]["Status"] == "RESOLVED").count();
    assert!(newly_resolved(&after) > newly_resolved(&before));
    assert!(newly_resolved(&after) - newly_resolved(&before) <= matching);
    let reopened = before.iter().find(|f| is_guardduty(f) && f["Workflow"]["Status"] != "RESOLVED").unwrap();
    let request = dir.path().join("history.json");
    let id = serde_json::json!({"FindingIdentifier": {"Id": reopened["Id"], "ProductArn": reopened["ProductArn"]}});
    std::fs::write(&request, id.to_string()).unwrap();
    let o = cli(&store, &["api", "get-finding-history", "--input-json", request.to_str().unwrap()]);
    let history: Value = serde_json::from_slice(&o.stdout).unwrap();
    let latest = &history["Records"][0];
    assert_eq!(latest["UpdateSource"]["Identity"], "e2e-tester", "{history}");
    assert!(latest["Updates"].to_string().contains("RESOLVED"), "{history}");
}

/// At 80×24 with a long store path: marked findings that the filter hides are counted in the header
/// and in the preview, whose answer line stays on screen; `n` sends nothing.
#[test]
fn at_80_columns_hidden_marks_are_counted_and_n_sends_nothing() {
    if !tmux_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let deep = dir.path().join("analyst/customers/acme-production/security-hub/exports");
    std::fs::create_dir_all(&deep).unwrap();
    let store = deep.join("findings.db");
    let data = dir.path().join("findings.json");
    cli(&store, &["generate", "--count", "50", "--seed", "7", "-o", data.to_str().unwrap()]);
    cli(&store, &["import", data.to_str().unwrap()]);
    let before = findings(&store);

    let tmux = Tmux { socket: dir.path().join("tmux.sock") };
    tmux.workbench(dir.path(), &store, (80, 24));
    tmux.wait_for("50 total");
    tmux.keys(&["Space", "Space"]);
    tmux.wait_for("2 marked");
    tmux.keys(&["/"]);
    tmux.literal("matches-no-finding");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("0 matching");
    assert!(screen.lines().next().unwrap().contains("2 marked"), "{screen}");
    tmux.keys(&["r"]);
    let screen = tmux.wait_for("(2 marked, not in this view)");
    assert!(screen.contains("y / Enter: apply"), "{screen}");
    tmux.keys(&["n"]);
    tmux.wait_for("Cancelled; nothing sent");
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED-0");
    assert_eq!(findings(&store), before, "nothing was sent");
}

/// Issue 20: the `:` line completes a key and a value with Tab, and what ran is offered by Up in
/// the next run (the history file in the state directory).
#[test]
fn the_colon_line_completes_and_remembers_its_history_across_runs() {
    if !tmux_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("e2e.db");
    let data = dir.path().join("findings.json");
    cli(&store, &["generate", "--count", "300", "--seed", "7", "-o", data.to_str().unwrap()]);
    cli(&store, &["import", data.to_str().unwrap()]);
    let tmux = Tmux { socket: dir.path().join("tmux.sock") };
    tmux.workbench(dir.path(), &store, (80, 24));
    tmux.wait_for("300 total");
    tmux.keys(&[":"]);
    tmux.literal("seve");
    tmux.keys(&["Tab"]);
    tmux.wait_for(":severity:▏");
    tmux.keys(&["Tab"]);
    let listed = tmux.wait_for(":severity:critical▏");
    assert!(listed.contains("critical  high  medium  low  informational"), "{listed}");
    tmux.keys(&["Enter"]);
    tmux.wait_until("the query narrowing the list", |s| matching(s).is_some_and(|n| n < 300));
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED-0");
    let file = dir.path().join("home/.local/state/hubtriage/command_history");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "severity:critical\n");

    let _ = tmux.cmd(&["kill-session", "-t", "e2e"]);
    tmux.workbench(dir.path(), &store, (80, 24));
    tmux.wait_for("300 total");
    tmux.keys(&[":"]);
    tmux.keys(&["Up"]);
    tmux.wait_for(":severity:critical▏");
    tmux.keys(&["C-w"]);
    tmux.literal("sev>=high");
    tmux.keys(&["Enter"]);
    tmux.wait_until("the query narrowing the list", |s| matching(s).is_some_and(|n| n < 300));
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED-0");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "severity:critical\nsev>=high\n");
}

/// The client's world for a remote run, as env words: a region and dummy keys (serve without
/// `--auth` accepts any signed request), no instance metadata, the cache and AWS files in the temp
/// HOME (never the real ~/.aws).
fn remote_env(dir: &Path) -> String {
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    format!(
        "AWS_ACCESS_KEY_ID=AKIDE2E AWS_SECRET_ACCESS_KEY=e2e-secret AWS_REGION=us-east-1 \
         AWS_EC2_METADATA_DISABLED=true XDG_CACHE_HOME='{home}/.cache' AWS_CONFIG_FILE='{home}/aws-config' \
         AWS_SHARED_CREDENTIALS_FILE='{home}/aws-credentials'",
        home = home.display()
    )
}

/// Issue 18: the workbench on a remote (`--endpoint-url` to a `serve` on a loopback port): a `:`
/// query, mark all, resolve, quit; then serve's store shows exactly those findings RESOLVED, and
/// no other finding changed.
#[test]
fn remote_query_mark_all_resolve_quit_then_serves_store_shows_exactly_those_resolved() {
    if !tmux_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("serve.db");
    let data = dir.path().join("findings.json");
    cli(&store, &["generate", "--count", "400", "--seed", "11", "-o", data.to_str().unwrap()]);
    cli(&store, &["import", data.to_str().unwrap()]);
    let before = findings(&store);
    // The workbench mirrors the console's view (active, NEW or NOTIFIED); a query beyond it is
    // asked of the remote too, so `product:guardduty` selects every GuardDuty finding the remote
    // holds, whatever its workflow or record state, as on a local store.
    let in_view = |f: &Value| {
        f["RecordState"] == "ACTIVE" && (f["Workflow"]["Status"] == "NEW" || f["Workflow"]["Status"] == "NOTIFIED")
    };
    assert!(before.iter().any(|f| is_guardduty(f) && !in_view(f)), "some beyond the cached view");
    let expected: std::collections::HashSet<String> =
        before.iter().filter(|f| is_guardduty(f)).map(|f| f["Id"].as_str().unwrap().to_string()).collect();
    assert!(!expected.is_empty());

    let (mut serve, addr) = common::spawn_serve(&store, "127.0.0.1:0", &[], &dir.path().join("serve.err"));
    let tmux = Tmux { socket: dir.path().join("tmux.sock") };
    let client_store = dir.path().join("no-local-store.db");
    tmux.workbench_with(
        dir.path(),
        &client_store,
        (160, 48),
        &remote_env(dir.path()),
        &format!("--endpoint-url http://{addr}"),
    );
    tmux.wait_for("synced");
    tmux.keys(&[":"]);
    tmux.literal("product:guardduty");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_until("the query's count", |s| matching(s) == Some(expected.len()));
    tmux.keys(&["a"]);
    tmux.wait_for(&format!("{} marked", expected.len()));
    tmux.keys(&["r"]);
    tmux.wait_for(&format!("Set Workflow RESOLVED on {} findings", expected.len()));
    tmux.keys(&["y"]);
    tmux.wait_for(&format!("{} findings updated", expected.len()));
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED-0");
    assert!(!tmux.screen().contains("e2e-secret") && !screen.contains("e2e-secret"), "no credential shown");

    let after = findings(&store);
    let _ = serve.kill();
    let _ = serve.wait();
    assert_eq!(after.len(), before.len());
    let before: std::collections::HashMap<&Value, &Value> = before.iter().map(|f| (&f["Id"], f)).collect();
    for a in &after {
        let b = before[&a["Id"]];
        if expected.contains(a["Id"].as_str().unwrap()) {
            assert_eq!(a["Workflow"]["Status"], "RESOLVED", "{}", a["Id"]);
        } else {
            assert_eq!(a["Workflow"], b["Workflow"], "{} changed", a["Id"]);
            assert_eq!(a["Severity"], b["Severity"], "{} changed", a["Id"]);
            assert_eq!(a.get("Note"), b.get("Note"), "{} changed", a["Id"]);
        }
    }
}
