//! The project's own OCSF fixtures (tests/fixtures/ocsf: one finding or more of each class Security
//! Hub keeps, 2002 Vulnerability, 2003 Compliance, 2004 Detection, 2006 Data Security, with long
//! ARNs, non-ASCII text, nested resources, CVSS and packages) imported through every envelope the
//! reader takes, and read back exactly as they were through `findings --format json` and
//! `api GetFindingsV2`. Findings lacking a member an import requires are refused, each named with
//! its file, line and column, and the rest are imported.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::Path;
use std::process::Output;

use serde_json::{json, Value};

mod common;
use common::run;

const GOOD: &str = include_str!("fixtures/ocsf/findings.json");
const BAD: &str = include_str!("fixtures/ocsf/bad.json");

fn findings(text: &str) -> Vec<Value> {
    serde_json::from_str::<Value>(text).unwrap()["Findings"].as_array().unwrap().clone()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn uid(f: &Value) -> &str {
    f["metadata"]["uid"].as_str().unwrap()
}

/// The good findings with the bad ones among them: bad ones at 1, 3 and 6.
fn interleaved() -> Vec<Value> {
    let (good, bad) = (findings(GOOD), findings(BAD));
    let mut all = good.clone();
    for (at, b) in [1, 3, 6].into_iter().zip(bad) {
        all.insert(at, b);
    }
    all
}

/// Checks that the store holds exactly the good findings, byte for byte, through both readers.
fn reads_back_unchanged(store: &Path, dir: &Path) {
    let good = findings(GOOD);
    let compact = |v: &Value| serde_json::to_string(v).unwrap();
    let check = |got: &[Value], through: &str| {
        let ocsf: Vec<&Value> = got.iter().filter(|f| f.get("metadata").is_some()).collect();
        assert_eq!(ocsf.len(), good.len(), "{through}: {got:?}");
        for want in &good {
            let found = ocsf.iter().find(|f| f["metadata"]["uid"] == want["metadata"]["uid"]);
            let found = found.unwrap_or_else(|| panic!("{through}: {} missing", uid(want)));
            assert_eq!(*found, want, "{through}: {} changed", uid(want));
            assert_eq!(compact(found), compact(want), "{through}: {} not byte-equal", uid(want));
        }
    };
    let o = run(store, &["findings", "", "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let out: Value = serde_json::from_slice(&o.stdout).unwrap();
    check(out["Findings"].as_array().unwrap(), "findings --format json");

    let req = dir.join("get.json");
    std::fs::write(&req, json!({"MaxResults": 100}).to_string()).unwrap();
    let o = run(store, &["api", "GetFindingsV2", "--input-json", req.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let out: Value = serde_json::from_slice(&o.stdout).unwrap();
    check(out["Findings"].as_array().unwrap(), "api GetFindingsV2");
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

#[test]
fn the_fixtures_cover_every_class_and_are_valid() {
    let good = findings(GOOD);
    let classes: std::collections::BTreeSet<i64> = good.iter().map(|f| f["class_uid"].as_i64().unwrap()).collect();
    assert_eq!(classes.into_iter().collect::<Vec<_>>(), [2002, 2003, 2004, 2006]);
    for f in &good {
        assert_eq!(hubtriage::model::ocsf::validate_ocsf(f), Ok(()), "{}", uid(f));
    }
    for f in findings(BAD) {
        assert!(hubtriage::model::ocsf::validate_ocsf(&f).is_err(), "{}", uid(&f));
    }
    // What the fixtures are for: text that is not ASCII, CVSS and packages, nested resources.
    assert!(!GOOD.is_ascii());
    assert!(good.iter().any(|f| f["vulnerabilities"][0]["cve"]["cvss"][0]["base_score"].is_f64()));
    assert!(good.iter().any(|f| f["vulnerabilities"][0]["affected_packages"].as_array().is_some_and(|p| p.len() > 1)));
    assert!(good.iter().any(|f| f["resources"][0]["data"]["details"].is_object()));
}

#[test]
fn the_fixture_file_as_written_imports_and_reads_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ocsf/findings.json");
    let o = run(&store, &["import", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("5 imported, 0 failed"), "{}", text(&o));
    reads_back_unchanged(&store, dir.path());
}

#[test]
fn every_envelope_imports_the_good_and_refuses_the_bad_by_file_line_and_column() {
    let all = interleaved();
    let lines: Vec<String> = all.iter().map(Value::to_string).collect();
    // Each finding on a line of its own, so where each one starts is known: (file, first line).
    let object = format!("{{\"Findings\": [\n{}\n]}}\n", lines.join(",\n"));
    let array = format!("[\n  {}\n]\n", lines.join(",\n  "));
    let jsonl = lines.join("\n") + "\n";
    let envelopes: [(&str, Vec<u8>, usize, usize); 5] = [
        ("findings.json", object.clone().into_bytes(), 2, 1),
        ("array.json", array.into_bytes(), 2, 3),
        ("lines.jsonl", jsonl.clone().into_bytes(), 1, 1),
        ("findings.json.gz", gzip(object.as_bytes()), 2, 1),
        ("lines.jsonl.gz", gzip(jsonl.as_bytes()), 1, 1),
    ];
    for (name, bytes, first_line, column) in envelopes {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("s.db");
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let o = run(&store, &["import", file.to_str().unwrap()]);
        let t = text(&o);
        assert!(!o.status.success(), "{name}: {t}");
        assert!(t.contains(&format!("{name}: 5 imported, 3 failed")), "{name}: {t}");
        for (at, member) in [(1, "cloud.account"), (3, "finding_info.uid"), (6, "status_id")] {
            let place = format!("{name}:{}:{column}: {}: InvalidInput:", first_line + at, uid(&all[at]));
            let line = t.lines().find(|l| l.contains(&place)).unwrap_or_else(|| panic!("{name}: no {place:?} in {t}"));
            let (parent, leaf) = member.rsplit_once('.').map_or(("", member), |(p, l)| (p, l));
            let parent = if parent.is_empty() { String::new() } else { format!(".{parent}") };
            assert!(line.contains(&format!("data{parent} should have required property '{leaf}'")), "{name}: {line}");
        }
        reads_back_unchanged(&store, dir.path());
    }
}
