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
    serve_both_with(dir, &[])
}

/// `serve_both` with more of serve's arguments (`--fault latency=...`).
fn serve_both_with(dir: &Path, extra: &[&str]) -> (Server, Vec<Value>) {
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
    (common::serve(&store, "127.0.0.1:0", extra, &dir.join("stderr.txt")), all)
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

/// A cache a `--api both` session filled holds both formats: `--api v1` lists (and queries) its
/// ASFF findings only and `--api v2` its OCSF ones (a finding in both forms as its OCSF row, with
/// no ASFF row to stand for it), in `findings` and in the workbench, as `--api` reads.
#[test]
fn api_v1_and_v2_list_only_their_format_from_a_cache_both_filled() {
    use hubtriage::backend::Backend;
    use hubtriage::model::finding::FindingId;
    use hubtriage::remote::endpoint::Api;
    use hubtriage::remote::{ClientConfig, RemoteBackend, RemoteOptions};
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = serve_both(dir.path());
    let home = tempfile::tempdir().unwrap();
    let o = client(home.path(), &["sync", "--all", "--endpoint-url", &server.url]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(listed(home.path(), &server.url, "both"), (8, 3));
    assert_eq!(listed(home.path(), &server.url, "v1"), (8, 0));
    assert_eq!(listed(home.path(), &server.url, "v2"), (0, 9));

    let env = common::client_environment(home.path(), KEY_ID, SECRET);
    let opts = RemoteOptions { endpoint_url: Some(server.url.clone()), ..Default::default() };
    let count = |ids: &[FindingId]| {
        let ocsf = ids.iter().filter(|id| matches!(id, FindingId::Ocsf(_))).count();
        (ids.len() - ocsf, ocsf)
    };
    for (api, want) in [(Api::V1, (8, 0)), (Api::V2, (0, 9)), (Api::Both, (8, 3))] {
        let mut b = RemoteBackend::connect(&opts, &env, ClientConfig::default()).unwrap();
        b.use_cache(&cache_file(home.path(), &server.url), hubtriage::remote::cache::View::all()).unwrap();
        b.set_api(api);
        let mut rows = Vec::new();
        b.for_each_summary(&mut |s| {
            rows.push(s.key);
            true
        })
        .unwrap();
        assert_eq!(count(&rows), want, "{api:?} lists");
        let queried = b.query(&hubtriage::query::parse("").unwrap()).unwrap();
        assert_eq!(count(&queried), want, "{api:?} queries");
    }
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

/// The remote workbench honours `--api` (default both): its refresh reads GetFindingsV2 into the
/// cache beside GetFindings, so the list holds the OCSF rows (a finding in both forms once, as its
/// ASFF row); an edit of OCSF findings goes through the outbox as BatchUpdateFindingsV2, pending
/// until the remote answers, a refusal coming back as the `!` with its code; an edit of a finding
/// in both forms reaches both APIs. (The workbench read and edited ASFF findings only.)
#[test]
fn the_remote_workbench_lists_and_edits_ocsf_findings_through_both_apis() {
    use hubtriage::app::event::Event;
    use hubtriage::app::Effect;
    use hubtriage::model::call::UpdateCall;
    use hubtriage::model::enums::WorkflowStatus;
    use hubtriage::model::finding::{FindingId, FindingKey};
    use hubtriage::model::update::FindingUpdate;
    use hubtriage::remote::{ClientConfig, RemoteBackend, RemoteOptions};
    let dir = tempfile::tempdir().unwrap();
    // Answers a second late, so that the pending marks are seen before the answer.
    let (server, all) = serve_both_with(dir.path(), &["--fault", "latency=1s"]);
    let home = tempfile::tempdir().unwrap();
    let env = common::client_environment(home.path(), KEY_ID, SECRET);
    let opts = RemoteOptions { endpoint_url: Some(server.url.clone()), ..Default::default() };
    let mut b = RemoteBackend::connect(&opts, &env, ClientConfig::default()).unwrap();
    b.set_view(hubtriage::remote::cache::View::all());
    b.set_api(hubtriage::remote::endpoint::Api::Both);
    let (tx, erx) = tokio::sync::mpsc::unbounded_channel();
    let (etx, mut events) = tokio::sync::mpsc::unbounded_channel();
    hubtriage::worker::spawn(Box::new(b), erx, etx).unwrap();
    tx.send(Effect::LoadRows { generation: 1 }).unwrap();
    let mut rows = Vec::new();
    let mut described = String::new();
    loop {
        match events.blocking_recv().expect("an event") {
            Event::RowsLoaded { rows: r, done, .. } => {
                rows.extend(r);
                if done {
                    break;
                }
            }
            Event::SourceDescribed { source, .. } => described = source,
            Event::RowsFailed { error, .. } => panic!("{error}"),
            _ => {}
        }
    }
    let keys: std::collections::HashSet<&FindingId> = rows.iter().map(|r| &r.key).collect();
    assert_eq!(keys.len(), rows.len(), "each finding listed once");
    let ocsf: Vec<FindingId> = rows.iter().filter(|r| r.ocsf.is_some()).map(|r| r.key.clone()).collect();
    assert_eq!((rows.len() - ocsf.len(), ocsf.len()), (8, 3), "8 ASFF rows (6 of them in both forms), 3 OCSF-only");
    assert!(ocsf.iter().all(|k| matches!(k, FindingId::Ocsf(_))));
    assert!(!described.contains("GetFindingsV2"), "nothing skipped: {described}");

    // Resolve the OCSF-only findings (and one serve does not hold), and a finding in both forms.
    // A finding in both forms resolved in neither, so that the edit shows in both.
    let (twin, twin_ocsf) = all[..6]
        .iter()
        .filter(|d| d["Workflow"]["Status"] != "RESOLVED")
        .find_map(|d| {
            let key = FindingKey::of(d).unwrap();
            let o =
                all.iter().find(|o| o.get("metadata").is_some() && hubtriage::model::ocsf::same::is_same(&key, o))?;
            (o["status_id"] != 4).then_some((key, o))
        })
        .expect("a finding in both forms, open in both");
    let twin_uid = twin_ocsf["metadata"]["uid"].as_str().unwrap().to_string();
    let missing = FindingId::Ocsf("no-such-metadata-uid".into());
    let resolve = FindingUpdate { workflow_status: Some(WorkflowStatus::Resolved), ..Default::default() };
    let mut v2_ids = ocsf.clone();
    v2_ids.push(missing.clone());
    let calls = vec![
        UpdateCall { ids: v2_ids, update: resolve.clone() },
        UpdateCall { ids: vec![FindingId::Asff(twin.clone())], update: resolve },
    ];
    tx.send(Effect::ApplyBatch { batch_id: 1, calls }).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let (mut acked, mut pending_seen, mut refused, mut cleared) = (0, false, None, false);
    while acked < 2 || refused.is_none() || !cleared {
        assert!(std::time::Instant::now() < deadline, "acked {acked}, pending {pending_seen}, refused {refused:?}");
        match events.try_recv() {
            Ok(Event::BatchApplied { outcome, .. }) => {
                assert!(outcome.unprocessed.is_empty(), "{:?}", outcome.unprocessed);
                acked += 1;
            }
            Ok(Event::BatchFailed { error, .. }) => panic!("{error}"),
            Ok(Event::OutboxChanged { state }) => {
                pending_seen |= ocsf.iter().all(|k| state.queued.iter().any(|q| &q.key == k));
                cleared |= pending_seen && state.queued.is_empty();
                if let Some(r) = state.refused.iter().find(|r| r.key == missing) {
                    refused = Some(r.reason.clone());
                }
            }
            Ok(_) => {}
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
        }
    }
    assert!(refused.as_deref().unwrap().starts_with("ResourceNotFoundException"), "{refused:?}");

    // In serve's store: the OCSF-only findings and the twin's OCSF form resolved (status_id 4),
    // the twin's ASFF form too.
    let req = dir.path().join("get.json");
    std::fs::write(&req, json!({"MaxResults": 100}).to_string()).unwrap();
    let store = dir.path().join("s.db");
    let o = common::run(&store, &["api", "GetFindingsV2", "--input-json", req.to_str().unwrap()]);
    let v2: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)));
    for f in v2["Findings"].as_array().unwrap() {
        let uid = f["metadata"]["uid"].as_str().unwrap();
        if uid == twin_uid || ocsf.contains(&FindingId::Ocsf(uid.to_string())) {
            assert_eq!(f["status_id"], 4, "{f}");
        }
    }
    let o = common::run(&store, &["findings", "status:resolved", "--format", "json"]);
    let v1: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)));
    let resolved: Vec<&str> = v1["Findings"].as_array().unwrap().iter().filter_map(|f| f["Id"].as_str()).collect();
    assert!(resolved.contains(&twin.id.as_str()), "{resolved:?}");
}

/// Another analyst's BatchUpdateFindingsV2 (a status and a comment: `finding_info.modified_time`
/// does not change, so no V2 refresh brings it) reaches the workbench's cache and list through the
/// background pass over the cached findings (GetFindingsV2 by `metadata.uid`), without `sync --full`.
#[test]
fn another_analysts_batch_update_findings_v2_is_caught_by_the_background_pass() {
    use hubtriage::app::event::Event;
    use hubtriage::model::finding::FindingId;
    use hubtriage::model::ocsf::StatusId;
    use hubtriage::remote::{ClientConfig, RemoteBackend, RemoteOptions};
    let dir = tempfile::tempdir().unwrap();
    let (server, all) = serve_both(dir.path());
    let home = tempfile::tempdir().unwrap();
    let env = common::client_environment(home.path(), KEY_ID, SECRET);
    let opts = RemoteOptions { endpoint_url: Some(server.url.clone()), ..Default::default() };
    let mut b = RemoteBackend::connect(&opts, &env, ClientConfig::default()).unwrap();
    b.set_view(hubtriage::remote::cache::View::all());
    b.set_api(hubtriage::remote::endpoint::Api::Both);
    // An OCSF-only finding (listed as itself), and a status it does not have.
    let target = &all[12];
    assert!(
        target.get("metadata").is_some()
            && all[..6].iter().all(|a| !hubtriage::model::ocsf::same::is_same(
                &hubtriage::model::finding::FindingKey::of(a).unwrap(),
                target
            ))
    );
    let uid = target["metadata"]["uid"].as_str().unwrap().to_string();
    let status = if target["status_id"] == 3 { StatusId::Resolved } else { StatusId::Suppressed };

    let (_effects, mut events, _) = common::loaded_worker(Box::new(b));

    // Bob, in another process, sets the status and a comment (BatchUpdateFindingsV2 on serve's
    // store: the remote's own state changes as his call would change it).
    let input = home.path().join("bob.json");
    let request = json!({"MetadataUids": [uid], "StatusId": status.id(), "Comment": "seen by bob"});
    std::fs::write(&input, request.to_string()).unwrap();
    let store = dir.path().join("s.db");
    let o = common::run(&store, &["api", "BatchUpdateFindingsV2", "--input-json", input.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains(&uid), "{}", text(&o));
    let edited = std::time::Instant::now();

    let key = FindingId::Ocsf(uid.clone());
    let deadline = edited + std::time::Duration::from_secs(30);
    let (mut row, mut checked) = (None, false);
    while row.is_none() || !checked {
        assert!(std::time::Instant::now() < deadline, "the pass never brought bob's V2 edit (checked {checked})");
        match events.try_recv() {
            Ok(Event::RowsUpdated { rows }) => {
                if let Some(r) = rows.into_iter().find(|r| r.key == key) {
                    row = Some(r);
                }
            }
            Ok(Event::Rechecked { keys, .. }) => checked |= keys.contains(&key),
            Ok(_) => {}
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
        }
    }
    eprintln!("bob's V2 edit reached the list {:?} after it was made", edited.elapsed());
    assert_eq!(row.unwrap().ocsf.and_then(|o| o.status_id), Some(status));
    let cache = Cache::open(&cache_file(home.path(), &server.url)).unwrap();
    let doc = cache.store.get_ocsf_as(&hubtriage::store::Access::Unrestricted, &uid).unwrap().unwrap();
    assert_eq!((&doc["comment"], &doc["status_id"]), (&json!("seen by bob"), &json!(status.id())), "{doc}");
}

/// An endpoint that answers GetFindings but not GetFindingsV2 (404, as moto does), played by a
/// loopback server of the test's own: one connection at a time, keep-alive, the path deciding.
fn v1_only_endpoint(doc: Value) -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let doc = doc.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut out = stream;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let path = line.split_whitespace().nth(1).unwrap_or_default().to_string();
                    let mut length = 0;
                    loop {
                        let mut h = String::new();
                        reader.read_line(&mut h).unwrap();
                        if h.trim().is_empty() {
                            break;
                        }
                        if let Some((name, value)) = h.split_once(':') {
                            if name.eq_ignore_ascii_case("content-length") {
                                length = value.trim().parse().unwrap();
                            }
                        }
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).unwrap();
                    let (status, answer) = if path == "/findings" {
                        ("200 OK", json!({ "Findings": [doc] }).to_string())
                    } else {
                        ("404 Not Found", json!({"message": "Not Found"}).to_string())
                    };
                    let reply = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{answer}",
                        answer.len()
                    );
                    if out.write_all(reply.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

/// Under the default `--api both`, an endpoint without GetFindingsV2 is skipped and the header says
/// so; its ASFF findings are listed.
#[test]
fn the_remote_workbench_skips_getfindingsv2_where_the_endpoint_lacks_it_and_says_so() {
    use hubtriage::backend::Backend;
    use hubtriage::remote::{ClientConfig, RemoteBackend, RemoteOptions};
    let doc = generate(&GenOptions { count: 1, seed: 5, ..GenOptions::default() }).next().unwrap();
    let url = v1_only_endpoint(doc);
    let home = tempfile::tempdir().unwrap();
    let env = common::client_environment(home.path(), KEY_ID, SECRET);
    let opts = RemoteOptions { endpoint_url: Some(url), ..Default::default() };
    let mut b = RemoteBackend::connect(&opts, &env, ClientConfig::default()).unwrap();
    b.set_view(hubtriage::remote::cache::View::all());
    let mut rows = 0;
    let mut sink = |_| {
        rows += 1;
        true
    };
    b.for_each_summary(&mut sink).unwrap();
    b.refresh_summaries(&mut sink).unwrap();
    assert_eq!(rows, 1);
    let header = b.describe();
    assert!(header.contains("GetFindingsV2 not available: ASFF only"), "{header}");
    assert!(!header.contains("not refreshed"), "{header}");
}

/// How many OCSF findings a `sync` output says GetFindingsV2 returned.
fn v2_returned(out: &str) -> usize {
    let before = out.split(" OCSF finding").next().unwrap();
    before.rsplit(' ').next().unwrap().parse().unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// A V2 refresh asks GetFindingsV2 only for the findings modified since the last sync (a
/// DateFilter on `finding_info.modified_time_dt` from the newest one seen, less a margin), as the
/// ASFF refresh does with `UpdatedAt`; it was always a full pass. A finding the provider modifies
/// afterwards comes back as updated; `--full` reads them all again.
#[test]
fn a_v2_refresh_reads_only_what_was_modified_since_the_last_sync() {
    let dir = tempfile::tempdir().unwrap();
    let (server, all) = serve_both(dir.path());
    let home = tempfile::tempdir().unwrap();
    let sync = |extra: &[&str]| {
        let mut args = vec!["sync", "--all", "--endpoint-url", &server.url];
        args.extend_from_slice(extra);
        let o = client(home.path(), &args);
        assert!(o.status.success(), "{}", text(&o));
        String::from_utf8_lossy(&o.stdout).to_string()
    };
    assert_eq!(v2_returned(&sync(&[])), 9);
    let again = sync(&[]);
    assert!(v2_returned(&again) < 9, "the refresh read every OCSF finding again: {again}");
    assert!(again.contains("0 new, 0 updated, 0 gone"), "{again}");

    // The provider retitles an OCSF-only finding now.
    let mut doc = all.iter().rfind(|d| d.get("metadata").is_some()).unwrap().clone();
    let now = time::OffsetDateTime::now_utc();
    doc["finding_info"]["title"] = json!("Retitled by the provider");
    doc["finding_info"]["modified_time"] = json!((now.unix_timestamp_nanos() / 1_000_000) as i64);
    doc["finding_info"]["modified_time_dt"] = json!(hubtriage::model::timestamp::format(now));
    let file = dir.path().join("retitled.json");
    std::fs::write(&file, json!({ "Findings": [doc] }).to_string()).unwrap();
    let o = common::run(&dir.path().join("s.db"), &["import", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let after = sync(&[]);
    assert!(after.contains("0 new, 1 updated, 0 gone"), "{after}");
    assert!(after.contains("Retitled by the provider"), "{after}");
    assert_eq!(v2_returned(&sync(&["--full"])), 9, "--full reads them all");
}

/// `update --ids FILE` on a remote names OCSF findings by metadata.uid beside ASFF ones (it read
/// ASFF identifiers only): the OCSF one is queued for BatchUpdateFindingsV2 with what undo
/// restores kept in its outbox row, as an ASFF row keeps it, and both land.
#[test]
fn update_ids_on_a_remote_names_ocsf_findings_by_metadata_uid_and_keeps_their_previous_values() {
    let dir = tempfile::tempdir().unwrap();
    let (server, all) = serve_both(dir.path());
    let home = tempfile::tempdir().unwrap();
    let o = client(home.path(), &["sync", "--all", "--endpoint-url", &server.url]);
    assert!(o.status.success(), "{}", text(&o));
    // The last ASFF finding (ASFF only) and the last OCSF one (OCSF only), neither resolved.
    let asff = all.iter().rfind(|d| d.get("Id").is_some()).unwrap();
    let ocsf = all.iter().rfind(|d| d.get("metadata").is_some()).unwrap();
    let uid = ocsf["metadata"]["uid"].as_str().unwrap();
    let file = home.path().join("ids.json");
    let ids = json!({
        "FindingIdentifiers": [{"Id": asff["Id"], "ProductArn": asff["ProductArn"]}],
        "MetadataUids": [uid],
    });
    std::fs::write(&file, ids.to_string()).unwrap();

    // Another process holds the sending: the edit stays queued, to be read.
    let env = common::client_environment(home.path(), KEY_ID, SECRET);
    let outbox_file = outbox::store_path(&outbox::cache_dir(&env).unwrap(), &server.url, KEY_ID, "us-east-1");
    let held = outbox::SendLock::try_take(&outbox_file).unwrap().unwrap();
    let args = ["update", "--ids", file.to_str().unwrap(), "--workflow", "suppressed", "--yes"];
    let o = client(home.path(), &[&args[..], &["--endpoint-url", &server.url]].concat());
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("BatchUpdateFindingsV2") && out.contains("Queued 2 findings' edit"), "{out}");
    let db = rusqlite::Connection::open(&outbox_file).unwrap();
    let previous: Option<String> = db
        .query_row("SELECT previous_json FROM outbox WHERE product_arn = ?1 AND id = ?2", [outbox::V2_MARK, uid], |r| {
            r.get(0)
        })
        .unwrap();
    let previous: Value = serde_json::from_str(&previous.expect("the V2 row keeps what undo restores")).unwrap();
    assert!(previous.to_string().contains("Workflow") || previous.to_string().contains("Status"), "{previous}");
    drop(db);
    drop(held);

    let o = client(home.path(), &["outbox", "--send", "--endpoint-url", &server.url]);
    assert!(o.status.success(), "{}", text(&o));
    let req = dir.path().join("get.json");
    std::fs::write(&req, json!({"MaxResults": 100}).to_string()).unwrap();
    let store = dir.path().join("s.db");
    let o = common::run(&store, &["api", "GetFindingsV2", "--input-json", req.to_str().unwrap()]);
    let v2: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)));
    let f = v2["Findings"].as_array().unwrap().iter().find(|f| f["metadata"]["uid"] == uid).unwrap();
    assert_eq!(f["status_id"], 3, "suppressed: {f}");
    let o = common::run(&store, &["findings", "status:suppressed", "--format", "csv"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains(asff["Id"].as_str().unwrap()), "{}", text(&o));
}

/// A workbench `:` query beyond the cached view (the console's open work) asks GetFindingsV2 too
/// (`--api both`), its status compiled to every `status_id` the list shows as it (RESOLVED:
/// Resolved, Archived, Other): the OCSF findings it selects come back as rows beside the ASFF ones
/// GetFindings returns, and the cache keeps them.
#[test]
fn a_query_beyond_the_cached_view_fetches_the_ocsf_findings_it_selects_too() {
    use hubtriage::app::event::Event;
    use hubtriage::app::Effect;
    use hubtriage::model::finding::{FindingId, FindingKey};
    use hubtriage::remote::{ClientConfig, RemoteBackend, RemoteOptions};
    use std::collections::HashSet;
    let dir = tempfile::tempdir().unwrap();
    let mut all: Vec<Value> = generate_ocsf(&GenOptions { count: 60, seed: 5, ..GenOptions::default() }).collect();
    all.extend(generate(&GenOptions { count: 30, seed: 6, ..GenOptions::default() }));
    let store = dir.path().join("s.db");
    let file = dir.path().join("all.json");
    std::fs::write(&file, json!({ "Findings": all }).to_string()).unwrap();
    let o = common::run(&store, &["import", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let server = common::serve(&store, "127.0.0.1:0", &[], &dir.path().join("stderr.txt"));
    let resolved_ocsf: HashSet<FindingId> = all
        .iter()
        .filter(|d| d.get("metadata").is_some() && [4, 5, 99].contains(&d["status_id"].as_i64().unwrap_or(0)))
        .map(|d| FindingId::Ocsf(d["metadata"]["uid"].as_str().unwrap().to_string()))
        .collect();
    let resolved_asff: HashSet<FindingId> = all
        .iter()
        .filter(|d| d.get("metadata").is_none() && d["Workflow"]["Status"] == "RESOLVED")
        .map(|d| FindingId::Asff(FindingKey::of(d).unwrap()))
        .collect();
    assert!(!resolved_ocsf.is_empty() && !resolved_asff.is_empty());

    let home = tempfile::tempdir().unwrap();
    let env = common::client_environment(home.path(), KEY_ID, SECRET);
    let opts = RemoteOptions { endpoint_url: Some(server.url.clone()), ..Default::default() };
    let mut b = RemoteBackend::connect(&opts, &env, ClientConfig::default()).unwrap();
    b.set_api(hubtriage::remote::endpoint::Api::Both);
    let (tx, mut events, rows) = common::loaded_worker(Box::new(b));
    let listed: HashSet<FindingId> = rows.into_iter().map(|r| r.key).collect();
    assert!(listed.is_disjoint(&resolved_ocsf) && listed.is_disjoint(&resolved_asff), "beyond the view");

    tx.send(Effect::FetchBeyondView { query: hubtriage::query::parse("status:resolved").unwrap() }).unwrap();
    let rows = loop {
        match events.blocking_recv().expect("an event") {
            Event::FetchedBeyondView { rows } => break rows,
            Event::FetchBeyondViewFailed { error } => panic!("{error}"),
            _ => {}
        }
    };
    let ocsf: HashSet<FindingId> = rows.iter().filter(|r| r.ocsf.is_some()).map(|r| r.key.clone()).collect();
    let asff: HashSet<FindingId> = rows.iter().filter(|r| r.ocsf.is_none()).map(|r| r.key.clone()).collect();
    assert_eq!(ocsf, resolved_ocsf, "every OCSF finding the list shows as RESOLVED, and no other");
    assert_eq!(asff, resolved_asff);
    drop(tx);
    let cache = Cache::open(&cache_file(home.path(), &server.url)).unwrap();
    let cached: HashSet<String> = cache.store.all_ocsf_keys().unwrap().into_iter().map(|k| k.id).collect();
    for id in &resolved_ocsf {
        let FindingId::Ocsf(uid) = id else { unreachable!() };
        assert!(cached.contains(uid), "{uid} cached");
    }
}
