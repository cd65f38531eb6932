//! What the `hubtriage` binary prints of third-party text (a provider's finding, a file's name or
//! content) cannot drive the terminal: no C0 control but the output's own newlines, no DEL, no C1
//! control, no bidi override reaches stdout or stderr raw.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Output;

use serde_json::{json, Value};

mod common;
use common::run;

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A character a terminal acts on or that reorders what is read.
fn drives_the_terminal(c: char) -> bool {
    c.is_control() && c != '\n' || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn assert_inert(what: &str, out: &str) {
    assert!(!out.chars().any(drives_the_terminal), "{what}: {out:?}");
}

const HOSTILE: &str = "\u{1b}]52;c;cHduZWQ=\u{7}\u{1b}]0;title\u{7}\u{1b}[2J\u{8}\r\u{9b}31m\u{7f}\u{202e}";

// A file's name is the file's, not the analyst's: a name carrying an escape sequence (a
// downloaded findings file, a glob) is shown with placeholders in every message that names it.
#[test]
fn input_errors_name_a_hostile_file_inertly() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    let missing = dir.path().join(format!("missing{HOSTILE}.json"));
    let malformed = dir.path().join(format!("bad{HOSTILE}.json"));
    std::fs::write(&malformed, "{\"Findings\": [").unwrap();
    for args in [
        vec!["import", missing.to_str().unwrap()],
        vec!["import", malformed.to_str().unwrap()],
        vec!["api", "get-findings", "--input-json", missing.to_str().unwrap()],
        vec!["api", "get-findings", "--input-json", malformed.to_str().unwrap()],
    ] {
        let o = run(&store, &args);
        assert!(!o.status.success(), "{args:?}");
        let out = text(&o);
        assert_inert(&format!("{args:?}"), &out);
        assert!(out.contains("␛]52;c;cHduZWQ=␇"), "the name stays recognisable: {out}");
    }
}

// `findings` in CSV and JSON, end to end: provider text in Title, Id and resource id.
#[test]
fn findings_csv_and_json_are_inert() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    let gen = dir.path().join("gen.json");
    let o = run(&store, &["generate", "--count", "1", "--seed", "3", "-o", gen.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let mut finding = serde_json::from_slice::<Value>(&std::fs::read(&gen).unwrap()).unwrap()["Findings"][0].clone();
    finding["Id"] = json!(format!("id-{HOSTILE}"));
    finding["Title"] = json!(format!("title {HOSTILE}\nsecond line\tend"));
    finding["Resources"][0]["Id"] = json!(format!("res-{HOSTILE}"));
    let file = dir.path().join("hostile.json");
    std::fs::write(&file, serde_json::to_vec(&json!({"Findings": [finding]})).unwrap()).unwrap();
    let o = run(&store, &["import", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));

    let o = run(&store, &["findings", "--format", "csv"]);
    assert!(o.status.success(), "{}", text(&o));
    let csv = text(&o);
    assert_inert("csv", &csv);
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.contains("title ␛]52;c;cHduZWQ=␇␛]0;title␇␛[2J␈ \u{fffd}31m␡\u{fffd} second line end"), "{csv}");

    let o = run(&store, &["findings", "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_inert("json", &text(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["Findings"][0]["Id"], json!(format!("id-{HOSTILE}")), "the value is unchanged");
    assert_eq!(v["Findings"][0]["Resources"][0]["Id"], json!(format!("res-{HOSTILE}")));
}
