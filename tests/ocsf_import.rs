//! `hubtriage import` of a file mixing OCSF (Security Hub V2) and ASFF findings in several calls of
//! each: the OCSF calls go through the same pipelined import as the ASFF ones, in the file's order,
//! and keep their rules: created by `metadata.uid`, updated when `finding_info.modified_time` is
//! later, what BatchUpdateFindingsV2 set kept, and a bad finding named by file, line and column
//! with the rest imported.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Output;

use serde_json::{json, Value};

use hubtriage::generate::ocsf::generate_ocsf;
use hubtriage::generate::{generate, GenOptions};

mod common;
use common::run;

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn v2_all(store: &std::path::Path, dir: &std::path::Path) -> Vec<Value> {
    let mut out = Vec::new();
    let mut body = json!({"MaxResults": 100});
    loop {
        let req = dir.join("get.json");
        std::fs::write(&req, body.to_string()).unwrap();
        let o = run(store, &["api", "GetFindingsV2", "--input-json", req.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o));
        let page: Value = serde_json::from_slice(&o.stdout).unwrap();
        out.extend(page["Findings"].as_array().unwrap().iter().cloned());
        match page["NextToken"].as_str() {
            Some(t) => body["NextToken"] = json!(t),
            None => return out,
        }
    }
}

#[test]
fn a_mixed_file_imports_in_its_order_and_names_bad_ocsf_findings_by_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    let ocsf: Vec<Value> = generate_ocsf(&GenOptions { count: 230, seed: 5, ..GenOptions::default() }).collect();
    let asff: Vec<Value> = generate(&GenOptions { count: 150, seed: 6, ..GenOptions::default() }).collect();

    // The first import; then one finding is edited with BatchUpdateFindingsV2.
    let first = dir.path().join("first.jsonl");
    let lines: Vec<String> = ocsf[..10].iter().map(Value::to_string).collect();
    std::fs::write(&first, lines.join("\n")).unwrap();
    assert!(run(&store, &["import", first.to_str().unwrap()]).status.success());
    let edited = ocsf[3]["metadata"]["uid"].as_str().unwrap().to_string();
    let req = dir.path().join("update.json");
    std::fs::write(&req, json!({"MetadataUids": [edited], "StatusId": 3, "Comment": "accepted"}).to_string()).unwrap();
    let o = run(&store, &["api", "BatchUpdateFindingsV2", "--input-json", req.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));

    // Then a file of JSON lines: OCSF and ASFF findings interleaved, a later version of the edited
    // finding (its provider's status and comment), and two bad OCSF findings in different calls.
    let mut newer = ocsf[3].clone();
    let modified = newer["finding_info"]["modified_time"].as_i64().unwrap() + 3_600_000;
    newer["finding_info"]["modified_time"] = json!(modified);
    newer["finding_info"].as_object_mut().unwrap().remove("modified_time_dt");
    newer["finding_info"]["title"] = json!("provider's new title");
    newer["status_id"] = json!(1);
    newer["status"] = json!("New");
    let bad = |i: usize, uid: &str| {
        let mut b: Value = ocsf[i].clone();
        b["metadata"]["uid"] = json!(uid);
        b["severity_id"] = json!(42);
        b
    };
    let mut lines: Vec<String> = Vec::new();
    let mut bad_lines = Vec::new();
    for (i, o) in ocsf[10..].iter().enumerate() {
        lines.push(o.to_string());
        if i < asff.len() {
            lines.push(asff[i].to_string());
        }
        if i == 40 || i == 170 {
            bad_lines.push(lines.len() + 1);
            lines.push(format!("  {}", bad(i, &format!("bad-{i}"))));
        }
        if i == 120 {
            lines.push(newer.to_string());
        }
    }
    let file = dir.path().join("mixed.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let o = run(&store, &["import", file.to_str().unwrap()]);
    let t = text(&o);
    assert!(!o.status.success(), "{t}");
    assert!(t.contains(&format!("{} imported, 2 failed", 220 + 1 + 150)), "{t}");
    for (line, i) in bad_lines.iter().zip([40, 170]) {
        assert!(t.contains(&format!("mixed.jsonl:{line}:3: bad-{i}: InvalidInput:")), "line {line}: {t}");
    }

    let v2 = v2_all(&store, dir.path());
    assert_eq!(v2.len(), 230);
    let got = v2.iter().find(|f| f["metadata"]["uid"] == edited.as_str()).unwrap();
    assert_eq!(got["finding_info"]["title"], "provider's new title");
    assert_eq!(
        (&got["status_id"], &got["status"], &got["comment"]),
        (&json!(3), &json!("Suppressed"), &json!("accepted"))
    );
    for o in &ocsf[10..] {
        assert!(v2.contains(o), "{} reads back as sent", o["metadata"]["uid"]);
    }
    let o = run(&store, &["findings", "--format", "json"]);
    let listed: Value = serde_json::from_slice(&o.stdout).unwrap();
    let asff_listed = listed["Findings"].as_array().unwrap().iter().filter(|f| f.get("Id").is_some()).count();
    assert_eq!(asff_listed, 150);
}
