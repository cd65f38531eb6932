//! The `hubtriage` binary with OCSF (Security Hub V2) findings: `import` of both formats in every
//! envelope the reader reads, and `api GetFindingsV2` / `api BatchUpdateFindingsV2` on the store.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::Output;

use serde_json::{json, Value};

use hubtriage::generate::ocsf::generate_ocsf;
use hubtriage::generate::{generate, GenOptions};

mod common;
use common::run;

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn ocsf(count: usize, seed: u64) -> Vec<Value> {
    generate_ocsf(&GenOptions { count, seed, ..GenOptions::default() }).collect()
}

fn asff(count: usize, seed: u64) -> Vec<Value> {
    generate(&GenOptions { count, seed, ..GenOptions::default() }).collect()
}

#[test]
fn import_routes_each_finding_by_its_format_in_every_envelope() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");

    // JSON lines, mixed, with one bad OCSF finding.
    let (o1, a1) = (ocsf(4, 3), asff(3, 3));
    let mut bad = o1[0].clone();
    bad["metadata"]["uid"] = json!("bad-one");
    bad["status_id"] = json!(6);
    let lines: Vec<String> =
        [&o1[..], &a1[..], std::slice::from_ref(&bad)].concat().iter().map(Value::to_string).collect();
    let jsonl = dir.path().join("mixed.jsonl");
    std::fs::write(&jsonl, lines.join("\n")).unwrap();
    let o = run(&store, &["import", jsonl.to_str().unwrap()]);
    let t = text(&o);
    assert!(!o.status.success(), "{t}");
    assert!(t.contains("7 imported, 1 failed"), "{t}");
    assert!(t.contains("bad-one: InvalidInput:") && t.contains("data.status_id 6 should be one of"), "{t}");

    // {"Findings": [...]} gzipped, and a JSON array.
    let o2 = ocsf(5, 11);
    let gz = dir.path().join("v2.json.gz");
    let mut enc = flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), flate2::Compression::fast());
    enc.write_all(json!({"Findings": o2}).to_string().as_bytes()).unwrap();
    enc.finish().unwrap();
    let arr = dir.path().join("array.json");
    let o3 = ocsf(2, 21);
    std::fs::write(&arr, Value::from(o3.clone()).to_string()).unwrap();
    let o = run(&store, &["import", gz.to_str().unwrap(), arr.to_str().unwrap()]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("5 imported, 0 failed") && t.contains("2 imported, 0 failed"), "{t}");

    // Every OCSF finding reads back as it was; the ASFF ones stay V1's.
    let req = dir.path().join("get.json");
    std::fs::write(&req, json!({"MaxResults": 100}).to_string()).unwrap();
    let o = run(&store, &["api", "GetFindingsV2", "--input-json", req.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let out: Value = serde_json::from_slice(&o.stdout).unwrap();
    let got = out["Findings"].as_array().unwrap();
    assert_eq!(got.len(), 11);
    for d in o1.iter().chain(&o2).chain(&o3) {
        assert!(got.contains(d), "{} missing or changed", d["metadata"]["uid"]);
    }
    // `findings` lists both formats (it listed the 3 ASFF findings only before OCSF was listed).
    // The first 3 OCSF findings (seed 3) are the OCSF form of the 3 ASFF ones (seed 3): one
    // finding in both forms lists once, as its ASFF row (`model::ocsf::same`).
    let o = run(&store, &["findings", "--format", "json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["Findings"].as_array().unwrap().len(), 3 + 11 - 3);
}

#[test]
fn api_get_findings_v2_and_batch_update_findings_v2() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    let docs = ocsf(12, 5);
    let file = dir.path().join("v2.json");
    std::fs::write(&file, json!({"Findings": docs}).to_string()).unwrap();
    assert!(run(&store, &["import", file.to_str().unwrap()]).status.success());
    let api = |op: &str, body: Value| {
        let p = dir.path().join("req.json");
        std::fs::write(&p, body.to_string()).unwrap();
        let o = run(&store, &["api", op, "--input-json", p.to_str().unwrap()]);
        (o.status.success(), serde_json::from_slice::<Value>(&o.stdout).unwrap_or(Value::Null), text(&o))
    };

    // Paging returns each finding once.
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({"MaxResults": 5, "SortCriteria": [{"Field": "finding_info.title", "SortOrder": "asc"}]});
        if let Some(t) = &token {
            body["NextToken"] = json!(t);
        }
        let (ok, out, t) = api("GetFindingsV2", body);
        assert!(ok, "{t}");
        seen.extend(out["Findings"].as_array().unwrap().iter().map(|f| f["metadata"]["uid"].clone()));
        match out["NextToken"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 12);
    seen.dedup();
    assert_eq!(seen.len(), 12);

    // Bad requests are V2's ValidationException.
    let (ok, out, t) = api("GetFindingsV2", json!({"MaxResults": 0}));
    assert!(!ok, "{t}");
    assert_eq!(out["Code"], "ValidationException", "{t}");
    let (ok, out, _) =
        api("BatchUpdateFindingsV2", json!({"MetadataUids": ["a"], "FindingIdentifiers": [], "StatusId": 4}));
    assert!(!ok);
    assert_eq!(out["Code"], "ValidationException");
    assert!(out["Message"].as_str().unwrap().contains("cannot be used together"));

    // An update by uid, and an unknown uid unprocessed.
    let uid = docs[0]["metadata"]["uid"].clone();
    let (ok, out, t) =
        api("BatchUpdateFindingsV2", json!({"MetadataUids": [uid, "nope"], "StatusId": 4, "Comment": "done"}));
    assert!(ok, "{t}");
    assert_eq!(out["ProcessedFindings"], json!([{"MetadataUid": uid}]));
    assert_eq!(out["UnprocessedFindings"][0]["ErrorCode"], "ResourceNotFoundException");
    let (_, out, _) = api(
        "GetFindingsV2",
        json!({"Filters": {"CompositeFilters": [{"StringFilters": [
            {"FieldName": "metadata.uid", "Filter": {"Value": uid, "Comparison": "EQUALS"}}]}]}}),
    );
    let f = &out["Findings"][0];
    assert_eq!(
        (f["status_id"].clone(), f["status"].clone(), f["comment"].clone()),
        (json!(4), json!("Resolved"), json!("done"))
    );
    assert_eq!(f["finding_info"]["modified_time"], docs[0]["finding_info"]["modified_time"]);
}

/// A store with 6 ASFF findings and the OCSF form of 6 others.
fn mixed_store(dir: &std::path::Path) -> std::path::PathBuf {
    let store = dir.join("s.db");
    let mut all = asff(6, 21);
    all.extend(ocsf(12, 22).into_iter().skip(6));
    let file = dir.join("mixed.json");
    std::fs::write(&file, json!({"Findings": all}).to_string()).unwrap();
    let o = run(&store, &["import", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    store
}

#[test]
fn findings_lists_both_formats_each_in_its_own_format() {
    let dir = tempfile::tempdir().unwrap();
    let store = mixed_store(dir.path());
    let o = run(&store, &["findings", "", "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let found: Value = serde_json::from_slice(&o.stdout).unwrap();
    let found = found["Findings"].as_array().unwrap();
    assert_eq!(found.len(), 12);
    assert_eq!(found.iter().filter(|f| f.get("metadata").is_some()).count(), 6, "OCSF documents as stored");
    assert_eq!(found.iter().filter(|f| f.get("SchemaVersion").is_some()).count(), 6);

    let o = run(&store, &["findings", "", "--format", "csv"]);
    let csv = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(csv.lines().next().unwrap().ends_with(",UpdatedAt,Format"), "{csv}");
    assert_eq!(csv.lines().filter(|l| l.ends_with(",ocsf")).count(), 6, "{csv}");

    let o = run(&store, &["findings", ""]);
    let table = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(table.contains(" FMT ") && table.contains("12 findings"), "{table}");
    assert_eq!(table.lines().filter(|l| l.contains(" ocsf ")).count(), 6, "{table}");
    // A query means the same on both: each format's findings of the query.
    let o = run(&store, &["findings", "sev>=high", "--format", "json"]);
    let found: Value = serde_json::from_slice(&o.stdout).unwrap();
    let high = |f: &Value| {
        let label = f["Severity"]["Label"].as_str().unwrap_or_default();
        matches!(label, "HIGH" | "CRITICAL") || f["severity_id"].as_i64().is_some_and(|s| (4..=6).contains(&s))
    };
    assert!(found["Findings"].as_array().unwrap().iter().all(high));
}

#[test]
fn update_of_a_query_sends_both_kinds_of_call() {
    let dir = tempfile::tempdir().unwrap();
    let store = mixed_store(dir.path());
    let o = run(&store, &["update", "", "--workflow", "resolved", "--note", "done", "--yes"]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("on 12 findings: 1 BatchUpdateFindings call and 1 BatchUpdateFindingsV2 call"), "{out}");
    assert!(out.contains("12 processed, 0 unprocessed"), "{out}");
    let o = run(&store, &["findings", "", "--format", "json"]);
    let found: Value = serde_json::from_slice(&o.stdout).unwrap();
    for f in found["Findings"].as_array().unwrap() {
        if f.get("metadata").is_some() {
            assert_eq!((&f["status_id"], &f["comment"]), (&json!(4), &json!("done")), "{f}");
        } else {
            assert_eq!(f["Workflow"]["Status"], "RESOLVED");
        }
    }
    // Only what V2 cannot set: the OCSF findings are left as they are, and said so.
    let o = run(&store, &["update", "", "--confidence", "5", "--yes"]);
    let out = text(&o);
    assert!(out.contains("BatchUpdateFindingsV2 cannot set Confidence"), "{out}");
}

#[test]
fn update_ids_takes_ocsf_metadata_uids_beside_asff_ids() {
    let dir = tempfile::tempdir().unwrap();
    let store = mixed_store(dir.path());
    let o = run(&store, &["findings", "", "--format", "json"]);
    let all: Value = serde_json::from_slice(&o.stdout).unwrap();
    let all = all["Findings"].as_array().unwrap().clone();
    let (v2, v1): (Vec<&Value>, Vec<&Value>) = all.iter().partition(|f| f.get("metadata").is_some());
    let uid = |f: &Value| f["metadata"]["uid"].as_str().unwrap().to_string();
    let id = |f: &Value| f["Id"].as_str().unwrap().to_string();

    // Lines: a bare ASFF Id, "ProductArn Id", and bare OCSF metadata.uid values.
    let lines = format!(
        "# mixed\n{}\n{} {}\n{}\n{}\n",
        id(v1[0]),
        v1[1]["ProductArn"].as_str().unwrap(),
        id(v1[1]),
        uid(v2[0]),
        uid(v2[1])
    );
    let file = dir.path().join("ids.txt");
    std::fs::write(&file, lines).unwrap();
    let o = run(
        &store,
        &["update", "--ids", file.to_str().unwrap(), "--workflow", "resolved", "--note", "by ids", "--yes"],
    );
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("on 4 findings: 1 BatchUpdateFindings call and 1 BatchUpdateFindingsV2 call"), "{out}");
    assert!(out.contains("4 processed, 0 unprocessed"), "{out}");
    let o = run(&store, &["findings", "", "--format", "json"]);
    let after: Value = serde_json::from_slice(&o.stdout).unwrap();
    let after = after["Findings"].as_array().unwrap();
    let of_uid = |u: &str| after.iter().find(|f| f["metadata"]["uid"] == u).unwrap();
    for u in [uid(v2[0]), uid(v2[1])] {
        assert_eq!((&of_uid(&u)["status_id"], &of_uid(&u)["comment"]), (&json!(4), &json!("by ids")));
    }
    assert_eq!(of_uid(&uid(v2[2]))["comment"], v2[2]["comment"], "only the named ones");
    for i in [id(v1[0]), id(v1[1])] {
        let f = after.iter().find(|f| f["Id"] == i.as_str()).unwrap();
        assert_eq!(f["Workflow"]["Status"], "RESOLVED");
    }

    // JSON: {"Id","ProductArn"} and {"MetadataUid"} items, previewed as both kinds of call.
    let items = json!([
        {"Id": id(v1[2]), "ProductArn": v1[2]["ProductArn"]},
        {"MetadataUid": uid(v2[3])},
        {"MetadataUid": uid(v2[4])},
    ]);
    std::fs::write(&file, items.to_string()).unwrap();
    let o = run(&store, &["update", "--ids", file.to_str().unwrap(), "--severity", "low", "--dry-run"]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("on 3 findings: 1 BatchUpdateFindings call and 1 BatchUpdateFindingsV2 call"), "{out}");

    // An Id that is neither is refused by its line.
    std::fs::write(&file, "no-such-finding\n").unwrap();
    let o = run(&store, &["update", "--ids", file.to_str().unwrap(), "--severity", "low", "--yes"]);
    assert!(!o.status.success());
    assert!(text(&o).contains(":1: no finding has Id or metadata.uid no-such-finding"), "{}", text(&o));
}

#[test]
fn batch_update_findings_never_finds_an_ocsf_finding() {
    let dir = tempfile::tempdir().unwrap();
    let store = mixed_store(dir.path());
    let o = run(&store, &["findings", "", "--format", "json"]);
    let all: Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = all["Findings"].as_array().unwrap().iter().find(|f| f.get("metadata").is_some()).unwrap().clone();
    // The OCSF finding's own uid and product uid, as if they were an ASFF Id and ProductArn.
    let req = dir.path().join("req.json");
    let ident = json!({"Id": f["metadata"]["uid"], "ProductArn": f["metadata"]["product"]["uid"]});
    std::fs::write(&req, json!({"FindingIdentifiers": [ident], "Workflow": {"Status": "RESOLVED"}}).to_string())
        .unwrap();
    let o = run(&store, &["api", "BatchUpdateFindings", "--input-json", req.to_str().unwrap()]);
    let out: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(out["ProcessedFindings"], json!([]), "{}", text(&o));
    assert_eq!(out["UnprocessedFindings"][0]["ErrorCode"], "FindingNotFound", "{}", text(&o));
    let o = run(&store, &["findings", "", "--format", "json"]);
    let after: Value = serde_json::from_slice(&o.stdout).unwrap();
    let same = after["Findings"].as_array().unwrap().iter().find(|g| g["metadata"]["uid"] == f["metadata"]["uid"]);
    assert_eq!(same, Some(&f), "the OCSF document is left as it was");
}
