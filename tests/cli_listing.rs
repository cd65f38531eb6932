//! `hubtriage findings` over more findings than one GetFindings page: every format lists each
//! finding once, in the order GetFindings pages give, written as the store is read.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

mod common;
use common::run;

/// A store of `count` generated findings.
fn store_of(dir: &std::path::Path, count: usize) -> std::path::PathBuf {
    let file = dir.join("gen.json");
    let store = dir.join("s.db");
    let o = run(&store, &["generate", "--count", &count.to_string(), "--seed", "11", "-o", file.to_str().unwrap()]);
    assert!(o.status.success());
    let o = run(&store, &["import", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    store
}

/// The (ProductArn, Id) of each finding, in order.
fn keys(findings: &[Value]) -> Vec<(String, String)> {
    findings.iter().map(|f| (f["ProductArn"].as_str().unwrap().into(), f["Id"].as_str().unwrap().into())).collect()
}

#[test]
fn every_format_lists_each_finding_once_in_getfindings_order() {
    let dir = tempfile::tempdir().unwrap();
    // Three GetFindings pages of 100.
    let store = store_of(dir.path(), 250);

    // What GetFindings returns page by page, sorted by severity then most recently updated.
    let sort =
        json!([{"Field": "SeverityNormalized", "SortOrder": "desc"}, {"Field": "UpdatedAt", "SortOrder": "desc"}]);
    let (mut paged, mut token) = (Vec::new(), None::<String>);
    loop {
        let mut req = json!({"SortCriteria": sort, "MaxResults": 100});
        if let Some(t) = &token {
            req["NextToken"] = json!(t);
        }
        let file = dir.path().join("req.json");
        std::fs::write(&file, req.to_string()).unwrap();
        let o = run(&store, &["api", "GetFindings", "--input-json", file.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let page: Value = serde_json::from_slice(&o.stdout).unwrap();
        paged.extend(page["Findings"].as_array().unwrap().iter().cloned());
        match page["NextToken"].as_str() {
            Some(t) => token = Some(t.into()),
            None => break,
        }
    }
    assert_eq!(paged.len(), 250);

    let args = ["findings", "", "--sort", "severity:desc", "--sort", "updated:desc"];
    let o = run(&store, &[&args[..], &["--format", "json"]].concat());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let listed: Value = serde_json::from_slice(&o.stdout).unwrap();
    let listed = listed["Findings"].as_array().unwrap();
    assert_eq!(keys(listed), keys(&paged), "the JSON listing is GetFindings' pages, in order");
    assert_eq!(listed, &paged, "and the documents are the ones GetFindings returns");

    let o = run(&store, &[&args[..], &["--format", "csv"]].concat());
    let mut csv = csv::Reader::from_reader(o.stdout.as_slice());
    let ids: Vec<String> = csv.records().map(|r| r.unwrap()[0].to_string()).collect();
    assert_eq!(ids, keys(&paged).into_iter().map(|k| k.1).collect::<Vec<_>>(), "the CSV has the same rows");

    let o = run(&store, &[&args[..], &["--format", "table"]].concat());
    let table = String::from_utf8(o.stdout).unwrap();
    assert_eq!(table.lines().count(), 1 + 250 + 1, "header, a row each, the count");
    assert!(table.ends_with("250 findings\n"), "{}", &table[table.len() - 40..]);

    let o = run(&store, &[&args[..], &["--format", "json", "--limit", "120"]].concat());
    let limited: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(keys(limited["Findings"].as_array().unwrap()), keys(&paged[..120]));
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    // More than a pipe holds (64 KiB) in every format, so the listing is still writing when the
    // reader goes.
    let store = store_of(dir.path(), 1000);
    for format in ["table", "json", "csv"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hubtriage"))
            .arg("--store")
            .arg(&store)
            .args(["findings", "", "--format", format])
            .env("HUBTRIAGE_USER", "tester")
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env_remove("HUBTRIAGE_ACCOUNT")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // `| head -1`: read one line, then go away.
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        assert!(!first.is_empty());
        let o = child.wait_with_output().unwrap();
        // As `cat` or `grep` would: SIGPIPE ends it quietly (or, where SIGPIPE is ignored, the
        // closed pipe ends the listing with success).
        let quiet_end = o.status.success() || o.status.signal() == Some(libc::SIGPIPE);
        assert!(quiet_end, "{format}: {:?} {}", o.status, String::from_utf8_lossy(&o.stderr));
        assert_eq!(String::from_utf8_lossy(&o.stderr), "", "{format}: nothing said about the closed pipe");
    }
}
