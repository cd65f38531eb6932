//! OCSF (V2) findings over a remote, against `hubtriage serve` on a loopback port whose store holds
//! both formats: `sync` reads GetFindings and GetFindingsV2 into the same read cache (`--api v1`
//! only the first, `--api v2` only the second), and `findings` lists both, a finding present in
//! both forms once.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use hubtriage::generate::ocsf::generate_ocsf;
use hubtriage::generate::{generate, GenOptions};
use hubtriage::remote::cache::Cache;
use hubtriage::remote::outbox;
use serde_json::{json, Value};

const KEY_ID: &str = "AKIDV2TEST";
const SECRET: &str = "v2/Secret+Key";

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

use common::Served as Server;

/// A serve store of 6 findings in both forms, 3 only in OCSF form and 2 only in ASFF form (as
/// the local store's own test of twins), served without `--auth` (every caller sees every account).
fn serve_both(dir: &Path) -> (Server, Vec<Value>) {
    let opts = GenOptions { count: 6, seed: 31, ..GenOptions::default() };
    let mut all: Vec<Value> = generate(&opts).collect();
    all.extend(generate_ocsf(&opts));
    all.extend(generate_ocsf(&GenOptions { count: 3, seed: 77, ..GenOptions::default() }));
    all.extend(generate(&GenOptions { count: 2, seed: 78, ..GenOptions::default() }));
    let store = dir.join("s.db");
    let file = dir.join("both.json");
    std::fs::write(&file, json!({ "Findings": all }).to_string()).unwrap();
    let o = common::run(&store, &["import", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    (common::serve(&store, "127.0.0.1:0", &[], &dir.join("stderr.txt")), all)
}

fn client(home: &Path, args: &[&str]) -> Output {
    common::client_command(home, KEY_ID, SECRET).args(args).output().unwrap()
}

fn cache_file(home: &Path, url: &str) -> PathBuf {
    let env = common::client_environment(home, KEY_ID, SECRET);
    let dir = outbox::cache_dir(&env).unwrap();
    hubtriage::remote::cache::cache_path(&outbox::store_path(&dir, url, KEY_ID, "us-east-1"))
}

/// `findings '' --format json` on the remote: (ASFF documents, OCSF documents) listed.
fn listed(home: &Path, url: &str, api: &str) -> (usize, usize) {
    let o = client(home, &["findings", "", "--format", "json", "--endpoint-url", url, "--api", api]);
    assert!(o.status.success(), "{}", text(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)));
    let found = v["Findings"].as_array().unwrap();
    let ocsf = found.iter().filter(|f| f.get("metadata").is_some()).count();
    (found.len() - ocsf, ocsf)
}

#[test]
fn sync_reads_both_apis_into_the_cache_and_findings_lists_a_twin_once() {
    let dir = tempfile::tempdir().unwrap();
    let (server, all) = serve_both(dir.path());
    let home = tempfile::tempdir().unwrap();
    let o = client(home.path(), &["sync", "--all", "--endpoint-url", &server.url]);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(out.contains("8 findings in 1 GetFindings pages and 9 OCSF findings in 1 GetFindingsV2 pages"), "{out}");
    assert!(out.contains("17 new, 0 updated, 0 gone from the view"), "{out}");
    assert!(!text(&o).contains("does not implement"), "{}", text(&o));

    // The cache holds each OCSF document exactly as GetFindingsV2 returned it (here: as imported).
    let cache = Cache::open(&cache_file(home.path(), &server.url)).unwrap();
    assert_eq!(cache.store.count().unwrap(), 17);
    assert_eq!(cache.store.all_ocsf_keys().unwrap().len(), 9);
    drop(cache);

    // Both formats listed; the 6 findings in both forms once, as their ASFF rows.
    assert_eq!(listed(home.path(), &server.url, "both"), (8, 3));
    assert!(all.len() == 17);

    // A second sync changes nothing.
    let o = client(home.path(), &["sync", "--all", "--endpoint-url", &server.url]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("0 new, 0 updated, 0 gone from the view"), "{}", text(&o));
}

#[test]
fn api_v1_reads_only_asff_and_api_v2_only_ocsf() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = serve_both(dir.path());

    let v1 = tempfile::tempdir().unwrap();
    let o = client(v1.path(), &["sync", "--all", "--api", "v1", "--endpoint-url", &server.url]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(!String::from_utf8_lossy(&o.stdout).contains("GetFindingsV2"), "{}", text(&o));
    assert_eq!(listed(v1.path(), &server.url, "v1"), (8, 0));

    let v2 = tempfile::tempdir().unwrap();
    let o = client(v2.path(), &["sync", "--all", "--api", "v2", "--endpoint-url", &server.url]);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(out.contains("9 OCSF findings in 1 GetFindingsV2 pages") && !out.contains("GetFindings pages"), "{out}");
    // No ASFF row to stand for them: every OCSF finding is listed as itself.
    assert_eq!(listed(v2.path(), &server.url, "v2"), (0, 9));
}

/// The console's default view asks GetFindingsV2 for status_id 1 (New) or 2 (In Progress) only.
#[test]
fn the_default_view_mirrors_new_and_in_progress_ocsf_findings() {
    let dir = tempfile::tempdir().unwrap();
    let (server, all) = serve_both(dir.path());
    let home = tempfile::tempdir().unwrap();
    let o = client(home.path(), &["sync", "--api", "v2", "--endpoint-url", &server.url]);
    assert!(o.status.success(), "{}", text(&o));
    let open: Vec<&Value> =
        all.iter().filter(|d| d.get("metadata").is_some() && matches!(d["status_id"].as_i64(), Some(1 | 2))).collect();
    // The service filtered: it returned exactly the New and In Progress ones.
    let said = format!("{} OCSF findings in 1 GetFindingsV2 pages", open.len());
    assert!(String::from_utf8_lossy(&o.stdout).contains(&said), "{}", text(&o));
    // The cache keeps those the view holds (an In Progress finding closed by its activity is not
    // record:active).
    let cache = Cache::open(&cache_file(home.path(), &server.url)).unwrap();
    let keys = cache.store.all_ocsf_keys().unwrap();
    assert!(!keys.is_empty() && keys.len() <= open.len(), "{}", text(&o));
    for k in keys {
        let doc = cache.store.get(&k).unwrap().unwrap();
        assert!(matches!(doc["status_id"].as_i64(), Some(1 | 2)), "{doc}");
    }
}

/// `update QUERY` over a selection holding both formats: the ASFF findings' edit goes out as
/// BatchUpdateFindings, the OCSF-only ones' as BatchUpdateFindingsV2 (queued in the same outbox,
/// by metadata.uid), and both land in serve's store.
#[test]
fn update_sends_a_mixed_selection_with_both_calls_and_it_lands_in_both_formats() {
    let dir = tempfile::tempdir().unwrap();
    let (server, all) = serve_both(dir.path());
    let home = tempfile::tempdir().unwrap();
    let o = client(home.path(), &["sync", "--all", "--endpoint-url", &server.url]);
    assert!(o.status.success(), "{}", text(&o));

    let o = client(
        home.path(),
        &[
            "update",
            "sev>=informational",
            "--workflow",
            "resolved",
            "--note",
            "fixed",
            "--yes",
            "--endpoint-url",
            &server.url,
        ],
    );
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("BatchUpdateFindingsV2"), "the preview names the V2 call: {out}");
    assert!(out.contains("0 of this edit still queued"), "{out}");
    assert!(!out.contains("refused  "), "{out}");

    // In serve's store: every OCSF finding resolved (status_id 4) with the comment, the 3 OCSF-only
    // ones by BatchUpdateFindingsV2, the 6 in both forms through their ASFF twin; the ASFF ones
    // resolved too.
    let req = dir.path().join("get.json");
    std::fs::write(&req, json!({"MaxResults": 100}).to_string()).unwrap();
    let store = dir.path().join("s.db");
    let o = common::run(&store, &["api", "GetFindingsV2", "--input-json", req.to_str().unwrap()]);
    let v2: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)));
    let v2 = v2["Findings"].as_array().unwrap();
    assert_eq!(v2.len(), 9);
    let resolved = v2.iter().filter(|f| f["status_id"] == 4).count();
    assert_eq!(resolved, 9, "{out}");
    for f in v2 {
        assert_eq!(f["status_id"], 4, "{f}");
        assert_eq!(f["comment"], "fixed", "{f}");
    }
    let o = common::run(&store, &["findings", "status:resolved", "--format", "json"]);
    let v1: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)));
    let asff = v1["Findings"].as_array().unwrap().iter().filter(|f| f.get("Id").is_some()).count();
    assert_eq!(asff, all.iter().filter(|d| d.get("Id").is_some()).count(), "{v1}");

    // Nothing left in the outbox.
    let o = client(home.path(), &["outbox", "--endpoint-url", &server.url]);
    assert!(!text(&o).contains("queued,"), "{}", text(&o));
}
