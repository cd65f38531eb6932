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
    let o = run(&store, &["findings", "--format", "json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["Findings"].as_array().unwrap().len(), 3);
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
