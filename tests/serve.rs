//! `hubtriage serve` over HTTP: the binary started on an OS-chosen loopback port with a temp store,
//! driven by a plain HTTP client (ureq) and requests signed with the crate's own SigV4 signer.
//! The real aws CLI and boto3 run in `aws_clients_python_suite` (tests/python).

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hubtriage::sigv4::{self, Credentials};
use serde_json::{json, Value};
use time::OffsetDateTime;

const BIN: &str = env!("CARGO_BIN_EXE_hubtriage");

struct Server {
    child: Option<Child>,
    addr: String,
    dir: tempfile::TempDir,
}

fn hubtriage(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(["--store", dir.join("s.db").to_str().unwrap()])
        .args(args)
        .env_remove("HUBTRIAGE_ACCOUNT")
        .env("HUBTRIAGE_USER", "tester")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        Server::start_in(tempfile::tempdir().unwrap(), extra)
    }

    fn start_in(dir: tempfile::TempDir, extra: &[&str]) -> Server {
        let (child, addr) =
            common::spawn_serve(&dir.path().join("s.db"), "127.0.0.1:0", extra, &dir.path().join("stderr.txt"));
        Server { child: Some(child), addr, dir }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// SIGTERM, then the exit status and what the server printed on stderr.
    fn stop(&mut self) -> (std::process::ExitStatus, String) {
        let mut child = self.child.take().unwrap();
        // SAFETY: signalling our own child process by its id.
        unsafe {
            libc::kill(child.id() as i32, libc::SIGTERM);
        }
        let status = child.wait().unwrap();
        (status, std::fs::read_to_string(self.dir.path().join("stderr.txt")).unwrap())
    }

    fn call(&self, method: &str, path: &str, body: &Value) -> Reply {
        self.raw(method, path, serde_json::to_vec(body).unwrap(), &[])
    }

    fn raw(&self, method: &str, path: &str, body: Vec<u8>, headers: &[(String, String)]) -> Reply {
        let agent: ureq::Agent =
            ureq::Agent::config_builder().http_status_as_error(false).max_idle_connections(0).build().into();
        let mut req = ureq::http::Request::builder().method(method).uri(self.url(path));
        req = req.header("content-type", "application/json");
        for (n, v) in headers {
            req = req.header(n.as_str(), v.as_str());
        }
        let resp = agent.run(req.body(body).unwrap()).unwrap();
        let status = resp.status().as_u16();
        let header = |n: &str| resp.headers().get(n).map(|v| v.to_str().unwrap().to_string());
        let (error_type, request_id) = (header("x-amzn-errortype"), header("x-amzn-requestid"));
        let text = resp.into_body().read_to_string().unwrap();
        let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
        Reply { status, error_type, request_id, json }
    }

    /// A request signed with `creds` as an SDK would sign it.
    fn signed(&self, creds: &Credentials, method: &str, path: &str, body: &Value, at: OffsetDateTime) -> Reply {
        let body = serde_json::to_vec(body).unwrap();
        let mut headers =
            vec![("content-type".to_string(), "application/json".to_string()), ("host".to_string(), self.addr.clone())];
        let req = sigv4::Request { method, path, query: "", headers: &headers, body: &body };
        let added = sigv4::sign(&req, creds, "us-east-1", at);
        headers.retain(|(n, _)| n != "content-type");
        headers.extend(added);
        self.raw(method, path, body, &headers)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

#[derive(Debug)]
struct Reply {
    status: u16,
    error_type: Option<String>,
    request_id: Option<String>,
    json: Value,
}

impl Reply {
    fn ok(self) -> Value {
        assert_eq!(self.status, 200, "{self:?}");
        assert!(self.error_type.is_none());
        self.json
    }

    /// Asserts an AWS-style error: status, `X-Amzn-ErrorType` and the `{Code, Message}` body.
    fn error(&self, status: u16, code: &str) -> &str {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(self.error_type.as_deref(), Some(code), "{self:?}");
        assert_eq!(self.json["Code"], code, "{self:?}");
        assert_eq!(self.json.as_object().unwrap().len(), 2, "{self:?}");
        self.json["Message"].as_str().unwrap()
    }
}

fn findings(dir: &Path, count: usize, seed: u64) -> Vec<Value> {
    let p = dir.join(format!("gen-{count}-{seed}.json"));
    let o = hubtriage(
        dir,
        &["generate", "--count", &count.to_string(), "--seed", &seed.to_string(), "-o", p.to_str().unwrap()],
    );
    assert!(o.status.success());
    let v: Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    v["Findings"].as_array().unwrap().clone()
}

fn key(f: &Value) -> Value {
    json!({"Id": f["Id"], "ProductArn": f["ProductArn"]})
}

fn import_all(s: &Server, all: &[Value]) {
    for chunk in all.chunks(100) {
        let r = s.call("POST", "/findings/import", &json!({"Findings": chunk})).ok();
        assert_eq!(r["SuccessCount"], chunk.len(), "{r}");
        assert_eq!(r["FailedCount"], 0);
    }
}

#[test]
fn operations_paging_and_error_shapes() {
    let s = Server::start(&[]);
    let all = findings(s.dir.path(), 250, 3);
    import_all(&s, &all);

    // Paging with NextToken returns every finding exactly once.
    let mut seen = std::collections::HashSet::new();
    let mut token: Option<String> = None;
    let mut ids = std::collections::HashSet::new();
    loop {
        let mut req = json!({"MaxResults": 100, "SortCriteria": [{"Field": "UpdatedAt", "SortOrder": "desc"}]});
        if let Some(t) = &token {
            req["NextToken"] = json!(t);
        }
        let r = s.call("POST", "/findings", &req);
        ids.insert(r.request_id.clone().unwrap());
        let page = r.ok();
        for f in page["Findings"].as_array().unwrap() {
            assert!(seen.insert(f["Id"].as_str().unwrap().to_string()), "duplicate {}", f["Id"]);
        }
        match page.get("NextToken").and_then(Value::as_str) {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 250);
    assert_eq!(ids.len(), 3, "request ids are unique");

    // A filter, and an update with history.
    let filter = json!({"Filters": {"WorkflowStatus": [{"Value": "NEW", "Comparison": "EQUALS"}]}, "MaxResults": 100});
    let new = s.call("POST", "/findings", &filter).ok();
    let first = &new["Findings"][0];
    assert_eq!(first["Workflow"]["Status"], "NEW");
    let upd = json!({"FindingIdentifiers": [key(first)], "Workflow": {"Status": "RESOLVED"},
                     "Note": {"Text": "fixed in SEC-1", "UpdatedBy": "alice"}});
    let r = s.call("PATCH", "/findings/batchupdate", &upd).ok();
    assert_eq!(r["ProcessedFindings"], json!([key(first)]));
    assert_eq!(r["UnprocessedFindings"], json!([]));
    let h = s.call("POST", "/findingHistory/get", &json!({"FindingIdentifier": key(first)})).ok();
    let latest = &h["Records"][0];
    assert_eq!(latest["UpdateSource"]["Type"], "BATCH_UPDATE_FINDINGS");
    assert!(latest["Updates"].to_string().contains("RESOLVED"), "{latest}");
    assert!(latest["UpdateTime"].as_str().unwrap().ends_with('Z'));

    // Request errors carry the AWS shapes and a request id.
    let many: Vec<Value> = (0..101).map(|i| json!({"Id": format!("x{i}"), "ProductArn": "p"})).collect();
    let r =
        s.call("PATCH", "/findings/batchupdate", &json!({"FindingIdentifiers": many, "Workflow": {"Status": "NEW"}}));
    r.error(400, "InvalidInputException");
    assert!(r.request_id.is_some());
    s.call("POST", "/findings", &json!({"MaxResults": 0})).error(400, "InvalidInputException");
    s.raw("POST", "/findings", b"{\"MaxResults\": ".to_vec(), &[]).error(400, "SerializationException");
    s.raw("POST", "/findings", b"[]".to_vec(), &[]).error(400, "SerializationException");
    let r = s.call("GET", "/findingsv2", &json!({}));
    assert!(r.error(404, "UnknownOperationException").contains("/findingsv2"));
    s.call("GET", "/findings", &json!({})).error(404, "UnknownOperationException");
    s.call("GET", "/", &json!({})).error(404, "UnknownOperationException");

    // Over 6 MB is the store's request error; over 16 MB the HTTP layer refuses.
    let mut big = all[0].clone();
    big["Description"] = json!("x".repeat(1000));
    big["ProductFields"] = json!({"pad": "y".repeat(60_000)});
    let heavy: Vec<Value> = (0..100)
        .map(|i| {
            let mut f = big.clone();
            f["Id"] = json!(format!("big-{i}"));
            f
        })
        .collect();
    let m =
        s.call("POST", "/findings/import", &json!({"Findings": heavy})).error(400, "InvalidInputException").to_string();
    assert!(m.contains("6 MB"), "{m}");
    let huge = format!("{{\"Findings\": [\"{}\"]}}", "z".repeat(17 * 1024 * 1024));
    s.raw("POST", "/findings/import", huge.into_bytes(), &[]).error(413, "RequestEntityTooLargeException");

    // The hub calls SDK setup code makes.
    s.call("GET", "/accounts", &json!({})).error(401, "InvalidAccessException");
    assert_eq!(s.call("POST", "/accounts", &json!({"EnableDefaultStandards": false})).ok(), json!({}));
    s.call("POST", "/accounts", &json!({})).error(409, "ResourceConflictException");
    let hub = s.call("GET", "/accounts", &json!({})).ok();
    assert!(hub["HubArn"].as_str().unwrap().starts_with("arn:aws:securityhub:us-east-1:"), "{hub}");
}

const AUTH: &str = r#"{"Keys": [
    {"AccessKeyId": "AKIDADMIN", "SecretAccessKey": "admin/secret", "AccountId": "111111111111", "UserName": "alice"},
    {"AccessKeyId": "AKIDMEMBER", "SecretAccessKey": "member/secret", "AccountId": "222222222222", "UserName": "bob"}
]}"#;

fn creds(key: &str, secret: &str) -> Credentials {
    Credentials { access_key_id: key.into(), secret_access_key: secret.into(), session_token: None }
}

/// `serve --auth` with the keys of `AUTH`; with `org`, 111111111111 administers 222222222222.
fn auth_server(org: bool) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let auth = dir.path().join("auth.json");
    std::fs::write(&auth, AUTH).unwrap();
    if org {
        let o = hubtriage(dir.path(), &["org", "add", "111111111111", "222222222222"]);
        assert!(o.status.success());
    }
    Server::start_in(dir, &["--auth", auth.to_str().unwrap()])
}

#[test]
fn auth_verifies_signatures_and_maps_accounts() {
    let s = auth_server(true);
    let admin = creds("AKIDADMIN", "admin/secret");
    let member = creds("AKIDMEMBER", "member/secret");
    let now = OffsetDateTime::now_utc;

    let mut mine = findings(s.dir.path(), 3, 5);
    for f in &mut mine[..2] {
        f["AwsAccountId"] = json!("222222222222");
    }
    // An import must be for the caller's own account: the third is not bob's.
    let r = s.signed(&member, "POST", "/findings/import", &json!({"Findings": mine}), now()).ok();
    assert_eq!((r["SuccessCount"].as_u64(), r["FailedCount"].as_u64()), (Some(2), Some(1)), "{r}");
    assert_eq!(r["FailedFindings"][0]["ErrorCode"], "AccessDeniedException");

    // The member updates its own findings, not its administrator's (a finding it cannot see); the
    // administrator updates its member's.
    mine[2]["AwsAccountId"] = json!("111111111111");
    let r = s.signed(&admin, "POST", "/findings/import", &json!({"Findings": [mine[2]]}), now()).ok();
    assert_eq!(r["SuccessCount"], 1, "{r}");
    let r = s
        .signed(
            &member,
            "PATCH",
            "/findings/batchupdate",
            &json!({"FindingIdentifiers": [key(&mine[0]), key(&mine[2])], "Workflow": {"Status": "SUPPRESSED"}}),
            now(),
        )
        .ok();
    assert_eq!(r["ProcessedFindings"], json!([key(&mine[0])]), "{r}");
    assert_eq!(r["UnprocessedFindings"][0]["FindingIdentifier"], key(&mine[2]), "{r}");
    assert_eq!(r["UnprocessedFindings"][0]["ErrorCode"], "FindingNotFound", "{r}");
    let ids = json!([key(&mine[0])]);
    let r = s
        .signed(
            &admin,
            "PATCH",
            "/findings/batchupdate",
            &json!({"FindingIdentifiers": ids, "Workflow": {"Status": "NOTIFIED"}}),
            now(),
        )
        .ok();
    assert_eq!(r["ProcessedFindings"], ids);
    let h = s.signed(&admin, "POST", "/findingHistory/get", &json!({"FindingIdentifier": key(&mine[0])}), now()).ok();
    assert_eq!(h["Records"][0]["UpdateSource"]["Identity"], "alice", "{h}");

    // Authentication failures, as AWS's front end answers them.
    s.call("POST", "/findings", &json!({})).error(403, "MissingAuthenticationTokenException");
    s.signed(&creds("AKIDNOBODY", "x"), "POST", "/findings", &json!({}), now())
        .error(403, "UnrecognizedClientException");
    s.signed(&creds("AKIDADMIN", "wrong"), "POST", "/findings", &json!({}), now())
        .error(403, "InvalidSignatureException");
    let old = now() - time::Duration::minutes(20);
    let m = s.signed(&admin, "POST", "/findings", &json!({}), old).error(403, "InvalidSignatureException").to_string();
    assert!(m.contains("expired"), "{m}");
    // A body changed after signing.
    let body = serde_json::to_vec(&json!({"MaxResults": 1})).unwrap();
    let mut headers =
        vec![("content-type".to_string(), "application/json".to_string()), ("host".to_string(), s.addr.clone())];
    let req = sigv4::Request { method: "POST", path: "/findings", query: "", headers: &headers, body: &body };
    let added = sigv4::sign(&req, &admin, "us-east-1", now());
    headers.retain(|(n, _)| n != "content-type");
    headers.extend(added);
    s.raw("POST", "/findings", b"{\"MaxResults\": 2}".to_vec(), &headers).error(403, "InvalidSignatureException");
    s.raw("POST", "/findings", body, &headers).ok();
    // Unknown routes too are answered only to signed requests.
    s.call("POST", "/nothing", &json!({})).error(403, "MissingAuthenticationTokenException");
    s.signed(&admin, "POST", "/nothing", &json!({}), now()).error(404, "UnknownOperationException");
}

#[test]
fn non_loopback_needs_auth() {
    let dir = tempfile::tempdir().unwrap();
    let o = hubtriage(dir.path(), &["serve", "--listen", "0.0.0.0:0"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("refusing to listen on 0.0.0.0:0 without --auth"), "{err}");
}

#[test]
fn throttle_answers_429_after_the_burst() {
    let s = Server::start(&["--throttle", "aws"]);
    let replies: Vec<Reply> = (0..12).map(|_| s.call("POST", "/findings", &json!({"MaxResults": 1}))).collect();
    let statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    assert!(statuses[..6].iter().all(|&c| c == 200), "{statuses:?}");
    let throttled = replies.iter().find(|r| r.status == 429).unwrap_or_else(|| panic!("no 429: {statuses:?}"));
    throttled.error(429, "LimitExceededException");
    // History is not throttled, and imports have their own bucket.
    assert!((0..10).all(|_| s
        .call("POST", "/findingHistory/get", &json!({"FindingIdentifier": {"Id": "a", "ProductArn": "b"}}))
        .status
        == 200));
}

#[test]
fn faults_inject_errors_latency_and_drops() {
    let s = Server::start(&["--fault", "error=503"]);
    s.call("POST", "/findings", &json!({})).error(503, "ServiceUnavailableException");
    let s = Server::start(&["--fault", "error=500@1"]);
    s.call("POST", "/findings", &json!({})).error(500, "InternalException");

    let s = Server::start(&["--fault", "latency=300ms"]);
    let t = Instant::now();
    s.call("POST", "/findings", &json!({})).ok();
    assert!(t.elapsed() >= Duration::from_millis(300));

    let s = Server::start(&["--fault", "drop"]);
    let agent: ureq::Agent = ureq::Agent::config_builder().max_idle_connections(0).build().into();
    let r = agent.post(s.url("/findings")).send("{}");
    assert!(r.is_err(), "a dropped connection gives no answer: {r:?}");

    // Rates follow the seed: the same seed gives the same sequence of outcomes.
    let run = |seed: &str| {
        let s = Server::start(&["--fault", "error=503@0.5", "--seed", seed]);
        (0..16).map(|_| s.call("POST", "/findings", &json!({})).status).collect::<Vec<_>>()
    };
    let a = run("9");
    assert_eq!(a, run("9"));
    assert!(a.contains(&503) && a.contains(&200), "{a:?}");

    let dir = tempfile::tempdir().unwrap();
    let o = hubtriage(dir.path(), &["serve", "--listen", "127.0.0.1:0", "--fault", "explode@0.1"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown fault"));
}

/// Clients updating the same findings at once: every acknowledged update is in the history and the
/// final values, nothing is lost and no SQLITE_BUSY escapes.
#[test]
fn concurrent_updates_are_all_applied() {
    let s = Server::start(&[]);
    let all = findings(s.dir.path(), 100, 11);
    import_all(&s, &all);
    let ids: Vec<Value> = all.iter().map(key).collect();
    const CLIENTS: usize = 4;
    const CALLS: usize = 15;
    let acknowledged: Vec<Vec<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let (s, ids) = (&s, &ids);
                scope.spawn(move || {
                    let mut acked = Vec::new();
                    for i in 0..CALLS {
                        let text = format!("client {c} call {i}");
                        let req = json!({"FindingIdentifiers": ids, "Note": {"Text": text, "UpdatedBy": format!("c{c}")},
                                         "UserDefinedFields": {format!("client{c}"): i.to_string()}});
                        let r = s.call("PATCH", "/findings/batchupdate", &req).ok();
                        assert_eq!(r["ProcessedFindings"].as_array().unwrap().len(), 100, "{r}");
                        acked.push(text);
                        // Readers run beside the writer.
                        s.call("POST", "/findings", &json!({"MaxResults": 5})).ok();
                    }
                    acked
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for probe in [&ids[0], &ids[57], &ids[99]] {
        let mut notes = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut req = json!({"FindingIdentifier": probe, "MaxResults": 100});
            if let Some(t) = &token {
                req["NextToken"] = json!(t);
            }
            let page = s.call("POST", "/findingHistory/get", &req).ok();
            for r in page["Records"].as_array().unwrap() {
                for u in r["Updates"].as_array().into_iter().flatten() {
                    if u["UpdatedField"] == "Note.Text" {
                        notes.push(u["NewValue"].as_str().unwrap().to_string());
                    }
                }
            }
            match page.get("NextToken").and_then(Value::as_str) {
                Some(t) => token = Some(t.to_string()),
                None => break,
            }
        }
        for text in acknowledged.iter().flatten() {
            assert!(notes.contains(text), "update {text:?} missing from history of {probe}: {notes:?}");
        }
        let f = &s
            .call("POST", "/findings", &json!({"Filters": {"Id": [{"Value": probe["Id"], "Comparison": "EQUALS"}]}}))
            .ok()["Findings"][0];
        for c in 0..CLIENTS {
            assert_eq!(f["UserDefinedFields"][format!("client{c}")], (CALLS - 1).to_string(), "{f}");
        }
    }
}

#[test]
fn shutdown_finishes_requests_in_flight_and_closes_the_store() {
    // The request must be inside the server when the signal comes: it is held there for 3 s by the
    // injected latency, and the signal follows 1 s after it was sent.
    let mut s = Server::start(&["--fault", "latency=3000ms"]);
    // A write first, so that an empty WAL afterwards shows the checkpoint on close.
    let all = findings(s.dir.path(), 5, 1);
    import_all(&s, &all);
    let url = s.url("/findings");
    let inflight = std::thread::spawn(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        agent.post(&url).send("{}").map(|r| r.status().as_u16())
    });
    std::thread::sleep(Duration::from_millis(1000));
    let (status, stderr) = s.stop();
    assert_eq!(inflight.join().unwrap().unwrap(), 200, "the request in flight was answered");
    assert!(status.success(), "{stderr}");
    assert!(stderr.contains("store closed"), "{stderr}");
    assert!(stderr.contains("GetFindings: 1 calls, p50"), "{stderr}");
    assert!(stderr.contains("BatchImportFindings: 1 calls, p50"), "{stderr}");
    let wal = s.dir.path().join("s.db-wal");
    assert!(std::fs::metadata(&wal).map_or(0, |m| m.len()) == 0, "WAL checkpointed");
}

/// The Python suite (tests/python) with the real aws CLI and boto3. `.ci/run` installs them in a venv
/// and sets HUBTRIAGE_TEST_PYTHON and HUBTRIAGE_REQUIRE_AWS_CLIENTS=1.
#[test]
fn aws_clients_python_suite() {
    common::python::suite("test_aws_clients.py", "boto3, awscli");
}

// With --auth, history names the authenticated caller, whatever the Note's UpdatedBy says.
#[test]
fn auth_history_names_the_signer_not_the_notes_author() {
    let s = auth_server(false);
    let admin = creds("AKIDADMIN", "admin/secret");
    let now = OffsetDateTime::now_utc;
    let mut mine = findings(s.dir.path(), 1, 9);
    mine[0]["AwsAccountId"] = json!("111111111111");
    let r = s.signed(&admin, "POST", "/findings/import", &json!({"Findings": mine}), now()).ok();
    assert_eq!(r["SuccessCount"], 1, "{r}");
    let ids = json!([key(&mine[0])]);
    let body = json!({"FindingIdentifiers": ids, "Note": {"Text": "mine", "UpdatedBy": "bob"}});
    let r = s.signed(&admin, "PATCH", "/findings/batchupdate", &body, now()).ok();
    assert_eq!(r["ProcessedFindings"], ids, "{r}");
    let h = s.signed(&admin, "POST", "/findingHistory/get", &json!({"FindingIdentifier": key(&mine[0])}), now()).ok();
    assert_eq!(h["Records"][0]["UpdateSource"]["Identity"], "alice", "{h}");
    let f = s.signed(&admin, "POST", "/findings", &json!({}), now()).ok();
    assert_eq!(f["Findings"][0]["Note"]["UpdatedBy"], "bob", "{f}");
}

// With --auth, reads are each key's account's, as updates are: a member's key lists only its own
// account's findings and cannot read another's history; its administrator's key sees both.
#[test]
fn auth_reads_show_each_key_only_what_its_account_may_see() {
    let s = auth_server(true);
    let admin = creds("AKIDADMIN", "admin/secret");
    let member = creds("AKIDMEMBER", "member/secret");
    let now = OffsetDateTime::now_utc;
    let mut all = findings(s.dir.path(), 3, 11);
    all[0]["AwsAccountId"] = json!("222222222222");
    for f in &mut all[1..] {
        f["AwsAccountId"] = json!("111111111111");
    }
    let r = s.signed(&member, "POST", "/findings/import", &json!({"Findings": [all[0]]}), now()).ok();
    assert_eq!(r["SuccessCount"], 1, "{r}");
    let r = s.signed(&admin, "POST", "/findings/import", &json!({"Findings": all[1..]}), now()).ok();
    assert_eq!(r["SuccessCount"], 2, "{r}");

    let f = s.signed(&member, "POST", "/findings", &json!({}), now()).ok();
    let listed: Vec<Value> = f["Findings"].as_array().unwrap().iter().map(key).collect();
    assert_eq!(listed, vec![key(&all[0])]);
    let f = s.signed(&admin, "POST", "/findings", &json!({}), now()).ok();
    assert_eq!(f["Findings"].as_array().unwrap().len(), 3, "{f}");
    let h = s.signed(&member, "POST", "/findingHistory/get", &json!({"FindingIdentifier": key(&all[1])}), now()).ok();
    assert_eq!(h["Records"], json!([]), "{h}");
    let h = s.signed(&member, "POST", "/findingHistory/get", &json!({"FindingIdentifier": key(&all[0])}), now()).ok();
    assert_eq!(h["Records"].as_array().unwrap().len(), 1, "{h}");
}

// A JSON tree keeps a repeated member's last value: the endpoint refuses `Findings` twice, as the
// CLI refuses it in a file, instead of importing only the last list.
#[test]
fn findings_twice_in_an_import_request_is_refused() {
    let s = Server::start(&[]);
    let all = findings(s.dir.path(), 2, 21);
    let body = format!(
        "{{\"Findings\": [{}], \"Findings\": [{}]}}",
        serde_json::to_string(&all[0]).unwrap(),
        serde_json::to_string(&all[1]).unwrap()
    );
    let r = s.raw("POST", "/findings/import", body.into_bytes(), &[]);
    assert_eq!(r.status, 400, "{}", r.json);
    assert_eq!(r.error_type.as_deref(), Some("InvalidInputException"), "{}", r.json);
    assert!(r.json["Message"].as_str().unwrap().contains("Findings appears more than once"), "{}", r.json);
    let found = s.call("POST", "/findings", &json!({}));
    assert_eq!(found.json["Findings"].as_array().unwrap().len(), 0, "nothing was imported");
    let one = s.call("POST", "/findings/import", &json!({"Findings": [all[0].clone()]}));
    assert_eq!(one.status, 200, "{}", one.json);
}

// A body that is not JSON is refused naming where, once: serde_json's own message also ends with
// the position, which was printed a second time.
#[test]
fn a_body_that_is_not_json_names_its_position_once() {
    let s = Server::start(&[]);
    let r = s.raw("POST", "/findings/import", b"{\"Findings\": [x]}".to_vec(), &[]);
    let message = r.error(400, "SerializationException");
    assert_eq!(message.matches("line").count(), 1, "{message}");
    assert_eq!(message.matches("column").count(), 1, "{message}");
    assert!(message.contains("line 1, column 15"), "{message}");
}

// HTTP BatchImportFindings reads its body as a file is read: a finding nested too deeply or with a
// number beyond f64 fails alone (InvalidInput), the others are imported; the whole request was 400.
#[test]
fn an_unreadable_finding_fails_alone_over_http() {
    let s = Server::start(&[]);
    let all = findings(s.dir.path(), 3, 22);
    // Without the members the poisons are sent as, so none is sent twice.
    let text = |f: &Value| {
        let mut f = f.clone();
        f.as_object_mut().unwrap().retain(|k, _| k != "UserDefinedFields" && k != "Confidence");
        serde_json::to_string(&f).unwrap()
    };
    let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    let poison_deep = text(&all[1]).replacen('{', &format!("{{\"UserDefinedFields\":{{\"a\":{deep}}},"), 1);
    let poison_big = text(&all[2]).replacen('{', "{\"Confidence\":1e400,", 1);
    let body = format!("{{\"Findings\": [{},{poison_deep},{poison_big}]}}", text(&all[0]));
    let r = s.raw("POST", "/findings/import", body.into_bytes(), &[]).ok();
    assert_eq!(r["SuccessCount"], 1, "{r}");
    assert_eq!(r["FailedCount"], 2, "{r}");
    for (i, why) in [(1, "nested deeper than"), (2, "out of range")] {
        let failed = &r["FailedFindings"][i - 1];
        assert_eq!(failed["Id"], all[i]["Id"], "{r}");
        assert_eq!(failed["ErrorCode"], "InvalidInput", "{r}");
        assert!(failed["ErrorMessage"].as_str().unwrap().contains(why), "{r}");
    }
    let found = s.call("POST", "/findings", &json!({})).ok();
    assert_eq!(found["Findings"].as_array().unwrap().len(), 1, "{found}");
}

// GetFindingsV2 (`POST /findingsv2`) and BatchUpdateFindingsV2 (`PATCH /findingsv2/batchupdatev2`)
// over HTTP, with V2's ValidationException for a refused request.
#[test]
fn v2_operations_and_their_error_shape() {
    let dir = tempfile::tempdir().unwrap();
    let docs: Vec<Value> = hubtriage::generate::ocsf::generate_ocsf(&hubtriage::generate::GenOptions {
        count: 15,
        seed: 4,
        ..Default::default()
    })
    .collect();
    let file = dir.path().join("v2.json");
    std::fs::write(&file, json!({"Findings": docs}).to_string()).unwrap();
    let o = hubtriage(dir.path(), &["import", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let s = Server::start_in(dir, &[]);

    let mut seen = std::collections::HashSet::new();
    let mut token: Option<String> = None;
    loop {
        let mut req = json!({"MaxResults": 4, "SortCriteria": [{"Field": "severity_id", "SortOrder": "desc"}]});
        if let Some(t) = &token {
            req["NextToken"] = json!(t);
        }
        let page = s.call("POST", "/findingsv2", &req).ok();
        for f in page["Findings"].as_array().unwrap() {
            assert!(seen.insert(f["metadata"]["uid"].as_str().unwrap().to_string()));
        }
        match page.get("NextToken").and_then(Value::as_str) {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 15);

    let uid = docs[0]["metadata"]["uid"].clone();
    let r = s.call("PATCH", "/findingsv2/batchupdatev2", &json!({"MetadataUids": [uid, "gone"], "SeverityId": 6})).ok();
    assert_eq!(r["ProcessedFindings"], json!([{"MetadataUid": uid}]));
    assert_eq!(r["UnprocessedFindings"][0]["ErrorCode"], "ResourceNotFoundException");

    let m = s.call("POST", "/findingsv2", &json!({"MaxResults": 101})).error(400, "ValidationException").to_string();
    assert!(m.contains("MaxResults"), "{m}");
    let r = s.call("PATCH", "/findingsv2/batchupdatev2", &json!({"MetadataUids": [uid], "StatusId": 6}));
    assert!(r.error(400, "ValidationException").contains("StatusId"));
}
