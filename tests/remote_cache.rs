//! The read cache end to end, against `hubtriage serve --auth` on a loopback port with credentials
//! the test writes itself (an explicit environment for the library, a cleared environment with a
//! temp HOME and cache directory for the binary; never the real `~/.aws`): the remote workbench
//! opens on the cached findings (offline too), keeps the remote's documents exactly, and refreshes;
//! `hubtriage sync` fetches a view and says what changed; `findings`, `update`, `history` and `api`
//! work against the remote with the same flags. The workbench's worker on a remote (issue 18: the
//! refresh off the worker, rows updated in place, pending marks, the recheck pass) is tested here
//! too, over the same serve sites and client worlds: hence a file over 600 lines.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use hubtriage::backend::Backend;
use hubtriage::model::finding::FindingKey;
use hubtriage::model::wire::get_findings::GetFindingsRequest;
use hubtriage::remote::cache::{Cache, View};
use hubtriage::remote::outbox;
use hubtriage::remote::{Client, ClientConfig, Environment, RemoteBackend, RemoteOptions};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_hubtriage");
const KEY_ID: &str = "AKIDALICE";
const SECRET: &str = "alice/Secret+Key";
const AUTH: &str = r#"{"Keys": [
    {"AccessKeyId": "AKIDALICE", "SecretAccessKey": "alice/Secret+Key", "AccountId": "111111111111", "UserName": "alice"}
]}"#;

/// A serve's directory: its store (filled before it starts) and auth file.
struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    fn new() -> Site {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("auth.json"), AUTH).unwrap();
        Site { dir }
    }

    fn store(&self) -> PathBuf {
        self.dir.path().join("s.db")
    }

    /// `count` generated findings of alice's account (seed `seed`), imported into the store.
    fn seed(&self, count: usize, seed: u64) -> Vec<Value> {
        let p = self.dir.path().join(format!("gen{seed}.json"));
        let o = local(
            &self.store(),
            &["generate", "--count", &count.to_string(), "--seed", &seed.to_string(), "-o", p.to_str().unwrap()],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let mut v: Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
        for f in v["Findings"].as_array_mut().unwrap() {
            f["AwsAccountId"] = json!("111111111111");
        }
        std::fs::write(&p, v.to_string()).unwrap();
        let o = local(&self.store(), &["import", p.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        v["Findings"].as_array().unwrap().clone()
    }

    /// `serve --auth` on `listen`, with `extra` arguments.
    fn serve(&self, listen: &str, extra: &[&str]) -> Server {
        let auth = self.dir.path().join("auth.json");
        let mut args = vec!["--auth", auth.to_str().unwrap()];
        args.extend_from_slice(extra);
        common::serve(&self.store(), listen, &args, &self.dir.path().join("stderr.txt"))
    }
}

use common::Served as Server;

/// The binary on a local store, hermetic.
fn local(store: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(["--store", store.to_str().unwrap()])
        .args(args)
        .env_remove("HUBTRIAGE_ACCOUNT")
        .env("HUBTRIAGE_USER", "tester")
        .env("XDG_CONFIG_HOME", store.parent().unwrap().join("config"))
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn environment(home: &Path) -> Environment {
    common::client_environment(home, KEY_ID, SECRET)
}

/// `hubtriage ARGS` as the client, in a cleared environment (no store of its own: remote only).
fn client_cmd(home: &Path, args: &[&str]) -> Output {
    common::client_command(home, KEY_ID, SECRET).args(args).output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// The cache file the binary and `RemoteBackend::connect` use for `url`.
fn cache_file(home: &Path, url: &str) -> PathBuf {
    let dir = outbox::cache_dir(&environment(home)).unwrap();
    hubtriage::remote::cache::cache_path(&outbox::store_path(&dir, url, KEY_ID, "us-east-1"))
}

fn connect(home: &Path, url: &str) -> RemoteBackend {
    let opts = RemoteOptions { endpoint_url: Some(url.to_string()), ..Default::default() };
    RemoteBackend::connect(&opts, &environment(home), ClientConfig::default()).unwrap()
}

/// What the remote returns for the console's default view, read straight with GetFindings.
fn remote_view(home: &Path, url: &str) -> Vec<Value> {
    remote_query(home, url, &View::default_view().query)
}

/// What the remote returns for `q`'s filters, read straight with GetFindings.
fn remote_query(home: &Path, url: &str, q: &hubtriage::query::Query) -> Vec<Value> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let opts = RemoteOptions { endpoint_url: Some(url.to_string()), ..Default::default() };
        let c = Client::connect(&opts, &environment(home), ClientConfig::default()).await.unwrap();
        let request = GetFindingsRequest { filters: q.filters.clone(), ..Default::default() };
        let mut out = Vec::new();
        c.get_all_findings(&request, |page| {
            out.extend(page);
            true
        })
        .await
        .unwrap();
        out
    })
}

/// One load of the list as the worker makes it: the cached rows, then the refresh's.
fn listed(b: &RemoteBackend) -> Vec<FindingKey> {
    let mut rows = Vec::new();
    let mut sink = |s: hubtriage::model::summary::FindingSummary| {
        rows.push(s.key.as_asff().unwrap().clone());
        true
    };
    b.for_each_summary(&mut sink).unwrap();
    b.refresh_summaries(&mut sink).unwrap();
    rows
}

/// One load by the worker, as the workbench asks for it: how many rows it listed, and the rows its
/// refresh said changed (`Event::RowsUpdated`).
fn worker_load(home: &Path, url: &str) -> (usize, Vec<hubtriage::model::summary::FindingSummary>) {
    use hubtriage::app::event::Event;
    use hubtriage::app::Effect;
    let (tx, erx) = tokio::sync::mpsc::unbounded_channel();
    let (etx, mut events) = tokio::sync::mpsc::unbounded_channel();
    hubtriage::worker::spawn(Box::new(connect(home, url)), erx, etx).unwrap();
    tx.send(Effect::LoadRows { generation: 1 }).unwrap();
    let (mut rows, mut updated) = (0, Vec::new());
    loop {
        match events.blocking_recv().expect("an event") {
            Event::RowsLoaded { rows: r, done, .. } => {
                rows += r.len();
                if done {
                    return (rows, updated);
                }
            }
            Event::RowsUpdated { rows } => updated.extend(rows),
            Event::RowsFailed { error, .. } => panic!("{error}"),
            _ => {}
        }
    }
}

/// The workbench's backend opens on the cache: the first load mirrors the default view (the
/// remote's documents exactly), a reopened one lists the cached rows even with the endpoint down,
/// and says how fresh they are and why they were not refreshed.
#[test]
fn the_remote_workbench_lists_the_cache_and_keeps_the_remotes_documents_exactly() {
    let site = Site::new();
    site.seed(300, 5);
    let home = tempfile::tempdir().unwrap();
    let server = site.serve("127.0.0.1:0", &[]);
    let url = server.url.clone();
    let expected = remote_view(home.path(), &url);
    assert!(!expected.is_empty() && expected.len() < 300, "the default view is a part: {}", expected.len());

    let b = connect(home.path(), &url);
    let rows = listed(&b);
    let want: HashSet<FindingKey> = expected.iter().map(|d| FindingKey::of(d).unwrap()).collect();
    assert_eq!(rows.iter().cloned().collect::<HashSet<_>>(), want);
    assert_eq!(rows.len(), want.len(), "each finding once");
    assert!(b.describe().contains("synced just now"), "{}", b.describe());
    drop(b);

    let cache = Cache::open(&cache_file(home.path(), &url)).unwrap();
    for d in &expected {
        assert_eq!(cache.store.get(&FindingKey::of(d).unwrap()).unwrap().as_ref(), Some(d), "kept exactly");
    }
    drop(cache);

    drop(server);
    let b = connect(home.path(), &url);
    let t = std::time::Instant::now();
    let mut first = None;
    let mut n = 0;
    let mut sink = |_| {
        first.get_or_insert(t.elapsed());
        n += 1;
        true
    };
    b.for_each_summary(&mut sink).unwrap();
    b.refresh_summaries(&mut sink).unwrap();
    assert_eq!(n, want.len(), "the cached rows, offline");
    assert!(first.unwrap() < std::time::Duration::from_secs(1), "{first:?}");
    let d = b.describe();
    assert!(d.contains("synced") && d.contains("not refreshed"), "{d}");
    assert!(d.ends_with("not refreshed: endpoint unavailable"), "short enough for the header: {d}");
}

/// Findings imported into serve's store (BatchImportFindings as alice, in another process), with
/// `UpdatedAt` now: what a provider sends when a finding is new or changes.
fn import_now(site: &Site, docs: &mut [Value], name: &str) {
    let now = hubtriage::model::timestamp::format(time::OffsetDateTime::now_utc());
    for d in docs.iter_mut() {
        d["UpdatedAt"] = json!(now);
    }
    let p = site.dir.path().join(name);
    std::fs::write(&p, json!({ "Findings": docs }).to_string()).unwrap();
    let o = local(&site.store(), &["import", p.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
}

/// `hubtriage sync`: the first run fetches the default view in full (progress on stderr), the next
/// only what was updated since, and says what is new, updated and gone from the view.
#[test]
fn sync_fetches_the_view_then_what_changed_and_says_so() {
    let site = Site::new();
    let all = site.seed(300, 5);
    let home = tempfile::tempdir().unwrap();
    let server = site.serve("127.0.0.1:0", &[]);
    let url = server.url.clone();
    let view = remote_view(home.path(), &url);

    let first = client_cmd(home.path(), &["sync", "--endpoint-url", &url]);
    assert!(first.status.success(), "{}", text(&first));
    let out = String::from_utf8_lossy(&first.stdout).to_string();
    assert!(out.contains("in full"), "{out}");
    assert!(out.contains(&format!("{} new, 0 updated, 0 gone from the view", view.len())), "{out}");
    let err = String::from_utf8_lossy(&first.stderr).to_string();
    assert!(err.contains("sync: 1 pages") && err.contains("findings/s"), "{err}");
    assert!(!text(&first).contains(SECRET), "no credential printed");

    // Upstream: a new active finding, a cached one retitled, a cached one archived.
    let in_view: Vec<&Value> = all.iter().filter(|d| view.iter().any(|v| v["Id"] == d["Id"])).collect();
    let mut fresh =
        hubtriage::generate::generate(&hubtriage::generate::GenOptions { count: 1, seed: 77, ..Default::default() })
            .collect::<Vec<Value>>();
    fresh[0]["AwsAccountId"] = json!("111111111111");
    fresh[0]["RecordState"] = json!("ACTIVE");
    fresh[0]["Workflow"] = json!({"Status": "NEW"});
    let mut retitled = in_view[0].clone();
    retitled["Title"] = json!("Retitled upstream");
    let mut archived = in_view[1].clone();
    archived["RecordState"] = json!("ARCHIVED");
    let mut changes = vec![fresh[0].clone(), retitled, archived];
    import_now(&site, &mut changes, "changes.json");

    let second = client_cmd(home.path(), &["sync", "--endpoint-url", &url]);
    assert!(second.status.success(), "{}", text(&second));
    let out = String::from_utf8_lossy(&second.stdout).to_string();
    assert!(out.contains("since the last sync"), "{out}");
    assert!(out.contains("1 new, 1 updated, 1 gone from the view"), "{out}");
    assert!(out.contains("Retitled upstream"), "{out}");
    let gone_id = in_view[1]["Id"].as_str().unwrap();
    assert!(out.lines().any(|l| l.starts_with("gone") && l.contains(gone_id)), "{out}");
    let cache = Cache::open(&cache_file(home.path(), &url)).unwrap();
    assert_eq!(cache.store.count().unwrap() as usize, view.len(), "one in, one out");
}

/// A first sync of 1,500 findings (`--all`, 15 pages) against `serve --throttle aws` (GetFindings 3
/// a second, burst 6): no call fails for throttling, and it takes about the ideal, 6 at once then 9
/// at 3 a second (3.0 s).
#[test]
fn a_first_sync_uses_the_whole_published_rate_and_no_more() {
    let site = Site::new();
    site.seed(1_500, 8);
    let home = tempfile::tempdir().unwrap();
    let server = site.serve("127.0.0.1:0", &["--throttle", "aws"]);
    let t = std::time::Instant::now();
    let o = client_cmd(home.path(), &["sync", "--all", "--endpoint-url", &server.url]);
    let secs = t.elapsed().as_secs_f64();
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(out.contains("1,500 findings in 15 GetFindings pages") || out.contains("1500 findings in 15"), "{out}");
    eprintln!("first sync of 1,500 findings under --throttle aws: {secs:.2} s (ideal 3.0 s)");
    assert!(secs >= 2.7, "faster than the published rate allows: {secs:.2} s");
}

/// How many findings in serve's store have Workflow.Status RESOLVED.
fn resolved(site: &Site) -> usize {
    let o = local(&site.store(), &["findings", "status:resolved", "--format", "csv"]);
    assert!(o.status.success(), "{}", text(&o));
    String::from_utf8_lossy(&o.stdout).lines().count().saturating_sub(1)
}

/// `findings`, `update`, `history` and `api` with `--endpoint-url` (before or after the command):
/// findings lists the refreshed cache, update queues the edit in the outbox and sends it, history
/// is GetFindingHistory, api sends the raw request signed.
#[test]
fn findings_update_history_and_api_work_against_the_remote() {
    let site = Site::new();
    site.seed(200, 5);
    let home = tempfile::tempdir().unwrap();
    let server = site.serve("127.0.0.1:0", &[]);
    let url = server.url.clone();
    let view = remote_view(home.path(), &url);
    let h = home.path();

    // Never synced: findings syncs first, then lists the cache as a local store is listed.
    let listed = client_cmd(h, &["findings", "--format", "csv", "--endpoint-url", &url]);
    assert!(listed.status.success(), "{}", text(&listed));
    assert_eq!(String::from_utf8_lossy(&listed.stdout).lines().count() - 1, view.len(), "{}", text(&listed));
    let outside = client_cmd(h, &["--endpoint-url", &url, "findings", "status:resolved"]);
    assert!(outside.status.success(), "{}", text(&outside));
    assert!(
        String::from_utf8_lossy(&outside.stderr).contains("findings outside it are not listed"),
        "{}",
        text(&outside)
    );

    let critical: Vec<&Value> = view.iter().filter(|d| d["Severity"]["Label"] == "CRITICAL").collect();
    assert!(!critical.is_empty());
    let before = resolved(&site);
    let up = client_cmd(h, &["update", "sev:critical", "--workflow", "resolved", "--yes", "--endpoint-url", &url]);
    assert!(up.status.success(), "{}", text(&up));
    let out = String::from_utf8_lossy(&up.stdout).to_string();
    assert!(out.contains(&format!("Sent {} findings' edits", critical.len())), "{out}");
    assert!(out.contains("0 of this edit still queued"), "{out}");
    assert_eq!(resolved(&site), before + critical.len(), "landed in serve's store");
    // Resolved, they left the cached view.
    let listed = client_cmd(h, &["findings", "--format", "csv", "--endpoint-url", &url]);
    assert_eq!(String::from_utf8_lossy(&listed.stdout).lines().count() - 1, view.len() - critical.len());

    let id = critical[0]["Id"].as_str().unwrap();
    let hist = client_cmd(h, &["history", id, "--endpoint-url", &url]);
    assert!(hist.status.success(), "{}", text(&hist));
    let out = String::from_utf8_lossy(&hist.stdout).to_string();
    assert!(out.contains("alice") && out.contains("Workflow.Status") && out.contains("RESOLVED"), "{out}");

    let input = h.join("in.json");
    std::fs::write(&input, r#"{"MaxResults": 2}"#).unwrap();
    let api = client_cmd(h, &["api", "get-findings", "--input-json", input.to_str().unwrap(), "--endpoint-url", &url]);
    assert!(api.status.success(), "{}", text(&api));
    let v: Value = serde_json::from_slice(&api.stdout).unwrap();
    assert_eq!(v["Findings"].as_array().unwrap().len(), 2, "{v}");
    for o in [&listed, &up, &hist, &api] {
        assert!(!text(o).contains(SECRET), "no credential printed");
    }
}

/// The workbench's worker on a cached remote whose endpoint is down: the cached rows reach the list
/// at once, before the refresh has given up (retries against a closed port take seconds), and the
/// load then ends with the rows kept.
#[test]
fn the_workers_first_rows_are_the_cached_ones_before_the_refresh_ends() {
    use hubtriage::app::event::Event;
    use hubtriage::app::Effect;
    let site = Site::new();
    site.seed(100, 5);
    let home = tempfile::tempdir().unwrap();
    let server = site.serve("127.0.0.1:0", &[]);
    let url = server.url.clone();
    let want = remote_view(home.path(), &url).len();
    assert!(want < 500, "fewer than the worker's first chunk");
    assert_eq!(listed(&connect(home.path(), &url)).len(), want);
    drop(server);

    let (tx, erx) = tokio::sync::mpsc::unbounded_channel();
    let (etx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let started = std::time::Instant::now();
    hubtriage::worker::spawn(Box::new(connect(home.path(), &url)), erx, etx).unwrap();
    tx.send(Effect::LoadRows { generation: 1 }).unwrap();
    let mut first = None;
    let mut rows = 0;
    loop {
        match events.blocking_recv().expect("an event") {
            Event::RowsLoaded { rows: r, done, .. } => {
                if !r.is_empty() {
                    first.get_or_insert(started.elapsed());
                }
                rows += r.len();
                if done {
                    break;
                }
            }
            Event::RowsFailed { error, .. } => panic!("{error}"),
            _ => {}
        }
    }
    let took = started.elapsed();
    assert_eq!(rows, want);
    let first = first.unwrap();
    assert!(first < std::time::Duration::from_secs(1) && first < took / 2, "first rows {first:?}, load {took:?}");
}

/// The worker of a remote workbench whose first sync is long (every finding, a slow endpoint): a
/// finding's detail (its cached document and GetFindingHistory) and an edit are answered while the
/// sync's pages are still streaming in, not after it.
#[test]
fn details_and_edits_are_answered_while_a_long_first_sync_streams() {
    use hubtriage::app::event::Event;
    use hubtriage::app::Effect;
    use hubtriage::model::call::UpdateCall;
    use hubtriage::model::enums::WorkflowStatus;
    use hubtriage::model::update::FindingUpdate;
    let site = Site::new();
    site.seed(1_500, 9);
    let home = tempfile::tempdir().unwrap();
    let server = site.serve("127.0.0.1:0", &["--fault", "latency=400ms"]);
    let mut b = connect(home.path(), &server.url);
    b.set_view(View::all());

    let (tx, erx) = tokio::sync::mpsc::unbounded_channel();
    let (etx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let started = std::time::Instant::now();
    hubtriage::worker::spawn(Box::new(b), erx, etx).unwrap();
    tx.send(Effect::LoadRows { generation: 1 }).unwrap();
    let (mut detail, mut edit, mut done) = (None, None, None);
    let mut rows = 0;
    let mut keys = Vec::new();
    while detail.is_none() || edit.is_none() || done.is_none() {
        match events.blocking_recv().expect("an event") {
            Event::RowsLoaded { rows: r, done: d, .. } => {
                let asked = keys.len() >= 2;
                if keys.is_empty() && !r.is_empty() {
                    assert_eq!(r.len(), 100, "the first page reaches the list whole, as it arrives");
                }
                keys.extend(r.iter().map(|r| r.key.clone()));
                if !asked && keys.len() >= 2 {
                    // The first page is in: ask for a detail and an edit now.
                    tx.send(Effect::LoadDetail { key: keys[0].clone() }).unwrap();
                    let update =
                        FindingUpdate { workflow_status: Some(WorkflowStatus::Notified), ..Default::default() };
                    let calls = vec![UpdateCall { ids: vec![keys[1].clone()], update }];
                    tx.send(Effect::ApplyBatch { batch_id: 1, calls }).unwrap();
                }
                rows += r.len();
                if d {
                    done = Some(started.elapsed());
                }
            }
            Event::DetailLoaded { doc, history, .. } => {
                assert!(doc.is_some() && !history.is_empty(), "the document and its history");
                detail = Some(started.elapsed());
            }
            Event::BatchApplied { outcome, .. } => {
                assert_eq!(outcome.processed.len(), 1, "{outcome:?}");
                edit = Some(started.elapsed());
            }
            Event::RowsFailed { error, .. } | Event::DetailFailed { error, .. } | Event::BatchFailed { error, .. } => {
                panic!("{error}")
            }
            _ => {}
        }
    }
    let (detail, edit, done) = (detail.unwrap(), edit.unwrap(), done.unwrap());
    eprintln!("first sync of 1,500 at 400 ms a call: detail {detail:?}, edit {edit:?}, sync done {done:?}");
    assert_eq!(rows, 1_500);
    assert!(detail < done && edit < done, "detail {detail:?} and edit {edit:?} before the sync's end {done:?}");
}

/// The worker's refresh of a cached remote tells the app which listed findings changed upstream
/// (`Event::RowsUpdated`, with their new values), so that their rows change in place.
#[test]
fn the_workers_refresh_sends_the_rows_it_updated() {
    let site = Site::new();
    let all = site.seed(200, 5);
    let home = tempfile::tempdir().unwrap();
    let server = site.serve("127.0.0.1:0", &[]);
    let url = server.url.clone();
    let view = remote_view(home.path(), &url);
    assert_eq!(listed(&connect(home.path(), &url)).len(), view.len());

    let mut retitled = all.iter().find(|d| d["Id"] == view[0]["Id"]).unwrap().clone();
    retitled["Title"] = json!("Retitled upstream");
    import_now(&site, std::slice::from_mut(&mut retitled), "retitled.json");

    let (rows, updated) = worker_load(home.path(), &url);
    assert_eq!(rows, view.len(), "each finding listed once");
    assert_eq!(updated.len(), 1, "{updated:?}");
    assert_eq!(updated[0].key.as_asff(), FindingKey::of(&retitled).as_ref());
    assert_eq!(updated[0].title, "Retitled upstream");
}

/// A finding the refresh finds updated out of the view (archived upstream: it leaves the console's
/// default view) is told to the app with its new values, so that its row leaves the list at once
/// (`app::load::rows_updated`); it was only taken out of the cache, its row listed as it was until
/// `R`.
#[test]
fn the_workers_refresh_tells_the_rows_that_left_the_view() {
    let site = Site::new();
    let all = site.seed(200, 5);
    let home = tempfile::tempdir().unwrap();
    let server = site.serve("127.0.0.1:0", &[]);
    let url = server.url.clone();
    let view = remote_view(home.path(), &url);
    assert_eq!(listed(&connect(home.path(), &url)).len(), view.len());

    let mut archived = all.iter().find(|d| d["Id"] == view[1]["Id"]).unwrap().clone();
    archived["RecordState"] = json!("ARCHIVED");
    import_now(&site, std::slice::from_mut(&mut archived), "archived.json");
    let key = FindingKey::of(&archived).unwrap();

    let (_, updated) = worker_load(home.path(), &url);
    let row = updated.iter().find(|r| r.key.as_asff() == Some(&key)).expect("the archived row is told");
    assert_eq!(row.record_state, Some(hubtriage::model::enums::RecordState::Archived), "{row:?}");
    let cache = Cache::open(&cache_file(home.path(), &url)).unwrap();
    assert!(cache.store.get(&key).unwrap().is_none(), "out of the cache");
}

/// The worker reports what the outbox holds: an edit the remote has not answered yet (a slow
/// endpoint; the acknowledgement never waits for it) is queued, then cleared once the sender has
/// the answer; an edit the remote refuses after the acknowledgement comes back as refused with its
/// code.
#[test]
fn the_worker_reports_queued_edits_until_confirmed_and_refusals_with_their_code() {
    use hubtriage::app::event::Event;
    use hubtriage::app::Effect;
    use hubtriage::model::call::UpdateCall;
    use hubtriage::model::enums::WorkflowStatus;
    use hubtriage::model::finding::FindingId;
    use hubtriage::model::update::FindingUpdate;
    let site = Site::new();
    let all = site.seed(20, 5);
    let home = tempfile::tempdir().unwrap();
    let before = resolved(&site);
    let server = site.serve("127.0.0.1:0", &["--fault", "latency=3s"]);
    let key = FindingId::Asff(FindingKey::of(&all[0]).unwrap());
    let missing = FindingId::asff(all[0]["ProductArn"].as_str().unwrap(), "no-such-finding");

    let (tx, erx) = tokio::sync::mpsc::unbounded_channel();
    let (etx, mut events) = tokio::sync::mpsc::unbounded_channel();
    hubtriage::worker::spawn(Box::new(connect(home.path(), &server.url)), erx, etx).unwrap();
    let update = FindingUpdate { workflow_status: Some(WorkflowStatus::Resolved), ..Default::default() };
    let calls = vec![UpdateCall { ids: vec![key.clone()], update: update.clone() }];
    tx.send(Effect::ApplyBatch { batch_id: 1, calls }).unwrap();
    tx.send(Effect::ApplyBatch { batch_id: 2, calls: vec![UpdateCall { ids: vec![missing.clone()], update }] })
        .unwrap();

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let (mut seen_queued, mut cleared, mut refused) = (false, false, None);
    while !(cleared && refused.is_some()) {
        assert!(std::time::Instant::now() < deadline, "queued {seen_queued}, cleared {cleared}, refused {refused:?}");
        match events.try_recv() {
            Ok(Event::OutboxChanged { state }) => {
                let queued = state.queued.iter().any(|q| q.key == key);
                seen_queued |= queued;
                cleared |= seen_queued && !queued;
                if let Some(r) = state.refused.iter().find(|r| r.key == missing) {
                    refused = Some(r.reason.clone());
                }
            }
            Ok(_) => {}
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
        }
    }
    assert!(refused.unwrap().starts_with("FindingNotFound"), "the code leads");
    assert_eq!(resolved(&site), before + 1, "the confirmed edit is in serve's store");
}

/// Another analyst's BatchUpdateFindings (a note and a severity: `UpdatedAt` does not change, so
/// no refresh brings it) reaches the workbench's cache and list through the background pass over
/// the cached findings, without `sync --full`.
#[test]
fn another_analysts_batch_update_is_caught_by_the_background_pass() {
    use hubtriage::app::event::Event;
    let site = Site::new();
    site.seed(60, 5);
    let home = tempfile::tempdir().unwrap();
    let server = site.serve("127.0.0.1:0", &[]);
    let url = server.url.clone();
    let view = remote_view(home.path(), &url);
    let target = view.last().unwrap().clone();
    let key = FindingKey::of(&target).unwrap();

    let started = std::time::Instant::now();
    let (_effects, mut events, _) = common::loaded_worker(Box::new(connect(home.path(), &url)));

    // Bob, in another process, notes the finding and raises its severity.
    let input = home.path().join("bob.json");
    let request = json!({
        "FindingIdentifiers": [{"Id": key.id, "ProductArn": key.product_arn}],
        "Note": {"Text": "seen by bob", "UpdatedBy": "bob"},
        "Severity": {"Label": "CRITICAL"},
    });
    std::fs::write(&input, request.to_string()).unwrap();
    let bob = home.path().join("bob");
    let o = client_cmd(
        &bob,
        &["api", "batch-update-findings", "--input-json", input.to_str().unwrap(), "--endpoint-url", &url],
    );
    assert!(o.status.success(), "{}", text(&o));
    let edited = std::time::Instant::now();

    let deadline = edited + std::time::Duration::from_secs(30);
    let row = loop {
        assert!(std::time::Instant::now() < deadline, "the pass never brought bob's edit");
        match events.try_recv() {
            Ok(Event::RowsUpdated { rows }) => {
                if let Some(r) = rows.into_iter().find(|r| r.key.as_asff() == Some(&key)) {
                    break r;
                }
            }
            Ok(_) => {}
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
        }
    };
    eprintln!(
        "bob's edit reached the list {:?} after it was made ({} cached findings, {:?} after opening)",
        edited.elapsed(),
        view.len(),
        started.elapsed()
    );
    assert_eq!(row.severity, Some(hubtriage::model::enums::SeverityLabel::Critical));
    let cache = Cache::open(&cache_file(home.path(), &url)).unwrap();
    let doc = cache.store.get(&key).unwrap().unwrap();
    assert_eq!(doc["Note"]["Text"], "seen by bob", "in the cache: {doc}");
}

/// A `:` query beyond the cached view (the console's open work) is asked of the remote with
/// GetFindings' filters: the worker mirrors what it selects into the cache and says how many it
/// added, and the next load lists them (the app then reads the rows again with the query kept).
/// A query the view covers asks nothing.
#[test]
fn a_query_beyond_the_cached_view_is_fetched_from_the_remote_into_the_cache() {
    use hubtriage::app::event::Event;
    use hubtriage::app::Effect;
    let site = Site::new();
    site.seed(200, 9);
    let home = tempfile::tempdir().unwrap();
    let server = site.serve("127.0.0.1:0", &[]);
    let url = server.url.clone();
    let resolved = remote_query(home.path(), &url, &hubtriage::query::parse("status:resolved").unwrap());
    let resolved_upstream = resolved.len();
    assert!(resolved_upstream > 0);
    let first = listed(&connect(home.path(), &url));
    assert_eq!(first.len(), remote_view(home.path(), &url).len(), "the cache holds the default view");

    let (tx, erx) = tokio::sync::mpsc::unbounded_channel();
    let (etx, mut events) = tokio::sync::mpsc::unbounded_channel();
    hubtriage::worker::spawn(Box::new(connect(home.path(), &url)), erx, etx).unwrap();
    // Covered by the view: nothing is fetched, so no answer comes; a beyond-view query next.
    tx.send(Effect::FetchBeyondView { query: hubtriage::query::parse("record:active status:new sev>=high").unwrap() })
        .unwrap();
    tx.send(Effect::FetchBeyondView { query: hubtriage::query::parse("status:resolved").unwrap() }).unwrap();
    let added = loop {
        match events.blocking_recv().expect("an event") {
            Event::FetchedBeyondView { rows } => break rows.len(),
            Event::FetchBeyondViewFailed { error } => panic!("{error}"),
            _ => {}
        }
    };
    assert_eq!(added, resolved_upstream);
    drop(tx);
    let after = listed(&connect(home.path(), &url));
    assert_eq!(after.len(), first.len() + resolved_upstream, "the resolved findings are cached beside the view");
    for d in &resolved {
        assert!(after.contains(&FindingKey::of(d).unwrap()), "{}", d["Id"]);
    }
}
