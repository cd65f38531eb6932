//! The bad-input corpus: findings and inputs that once got into a store and made it unreadable, or
//! took unbounded memory, through every import path (a file, JSON lines, standard input's text,
//! gzip, the JSON API). Each input is generated here (some would be large as files).

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use hubtriage::api::{self, Operation};
use hubtriage::input::{for_each_finding, read_bytes, ReadError};
use hubtriage::model::raw::Incoming;
use hubtriage::store::{Caller, GetFindingsRequest, Store};
use serde_json::{json, Value};

const ARN: &str = "arn:aws:securityhub:us-east-1::product/aws/guardduty";

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path().join("findings.db")).unwrap();
    (dir, s)
}

fn admin() -> Caller {
    Caller::unrestricted("analyst")
}

/// A valid finding's JSON text, with `extra` (`"Name": value` text) as its last members, or
/// (`@Details:value`) as its resource's Details.
fn finding_text(id: &str, extra: &str) -> String {
    let base = json!({
        "SchemaVersion": "2018-10-08",
        "Id": id,
        "ProductArn": ARN,
        "GeneratorId": "gen",
        "AwsAccountId": "111122223333",
        "CreatedAt": "2026-01-01T00:00:00Z",
        "UpdatedAt": "2026-01-02T00:00:00Z",
        "Title": format!("Title of {id}"),
        "Description": "d",
        "Severity": {"Label": "MEDIUM"},
        "Resources": [{"Type": "AwsEc2Instance", "Id": format!("i-{id}")}]
    })
    .to_string();
    if extra.is_empty() {
        return base;
    }
    if let Some(details) = extra.strip_prefix("@Details:") {
        return base.replacen("\"Resources\":[{", &format!("\"Resources\":[{{\"Details\":{details},"), 1);
    }
    format!("{},{extra}}}", &base[..base.len() - 1])
}

/// `levels` nested arrays around a string.
fn nested(levels: usize) -> String {
    format!("{}\"x\"{}", "[".repeat(levels), "]".repeat(levels))
}

/// The poisons: each an extra member text, and what the refusal must name.
fn poisons() -> Vec<(&'static str, String, &'static str)> {
    vec![
        // A member kept as text (the scanner copies it).
        ("deep kept member", format!("\"ProductFields\":{{\"a\":{}}}", nested(200)), "nested deeper than"),
        ("huge number", "\"ProductFields\":{\"a\":1e400}".to_string(), "number 1e400 in ProductFields is out of range"),
        ("huge negative number", "\"Action\":{\"b\":[1,-2.5E999]}".to_string(), "out of range"),
        ("huge integer", format!("\"Action\":{{\"b\":{}}}", "9".repeat(400)), "out of range"),
        // A member the rules parse.
        ("deep parsed member", format!("\"UserDefinedFields\":{{\"a\":{}}}", nested(200)), "nested deeper than"),
        ("huge parsed number", "\"Confidence\":1e400".to_string(), "out of range"),
        // Inside a resource (projected while it is copied).
        // Inside a resource (projected while it is copied): `finding_text` puts it there.
        ("deep resource detail", format!("@Details:{}", nested(130)), "nested deeper than"),
        ("huge number in a resource", "@Details:{\"n\":1e400}".to_string(), "out of range"),
    ]
}

/// Reads `bytes` as `source` would be read and imports every finding in one call.
fn import_bytes(s: &mut Store, source: &str, bytes: &[u8]) -> Value {
    let mut findings: Vec<Incoming> = Vec::new();
    let read = for_each_finding(source, bytes, |f| {
        findings.push(f);
        Ok::<(), ()>(())
    });
    match read {
        Ok(()) => {}
        Err(ReadError::Input(e)) => panic!("{source}: the input was refused whole: {e}"),
        Err(ReadError::Sink(())) => unreachable!(),
    }
    s.batch_import(&admin(), findings).unwrap().to_json()
}

fn all_ids(s: &Store) -> Vec<String> {
    let req = GetFindingsRequest::from_json(&json!({"MaxResults": 100})).unwrap();
    let page = s.get_findings(&req, None).unwrap();
    let mut ids: Vec<String> = page.findings.iter().map(|f| f["Id"].as_str().unwrap().to_string()).collect();
    ids.sort();
    ids
}

/// Checks one call's answer: the poisoned finding failed naming why, the others were imported, and
/// the store reads back.
fn check_refused(s: &Store, answer: &Value, what: &str, why: &str) {
    assert_eq!(answer["SuccessCount"], 2, "{what}: {answer}");
    assert_eq!(answer["FailedCount"], 1, "{what}: {answer}");
    let failed = &answer["FailedFindings"][0];
    assert_eq!(failed["Id"], "poison", "{what}: {answer}");
    let message = failed["ErrorMessage"].as_str().unwrap();
    assert!(message.contains(why), "{what}: {message}");
    assert_eq!(all_ids(s), ["a", "b"], "{what}: the store reads back");
}

// A finding that could be stored but never read back (serde_json stops at 128 levels and at numbers
// beyond f64) is refused on its own, naming why, and the rest of the call is imported: in an
// envelope, a JSON array, JSON lines, gzip, and pretty-printed.
#[test]
fn findings_that_could_not_be_read_back_are_refused_on_every_file_path() {
    for (what, extra, why) in poisons() {
        let texts = [finding_text("a", ""), finding_text("poison", &extra), finding_text("b", "")];
        let envelope = format!("{{\"Findings\":[{}]}}", texts.join(","));
        let array = format!("[{}]", texts.join(",\n"));
        let lines = texts.join("\n");
        let pretty = serde_json::to_string_pretty(&json!({"Findings": [
            serde_json::from_str::<Value>(&texts[0]).unwrap(),
            "POISON",
            serde_json::from_str::<Value>(&texts[2]).unwrap(),
        ]}))
        .unwrap()
        .replace("\"POISON\"", &texts[1]);
        for (form, text) in [("envelope", &envelope), ("array", &array), ("lines", &lines), ("pretty", &pretty)] {
            let (_d, mut s) = store();
            let answer = import_bytes(&mut s, "<stdin>", text.as_bytes());
            check_refused(&s, &answer, &format!("{what} ({form})"), why);
        }
        // Gzip, through the file reader.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.json.gz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, envelope.as_bytes()).unwrap();
        std::fs::write(&path, gz.finish().unwrap()).unwrap();
        let path = path.to_str().unwrap();
        let bytes = read_bytes(path).unwrap();
        let (_d, mut s) = store();
        let answer = import_bytes(&mut s, path, &bytes);
        check_refused(&s, &answer, &format!("{what} (gzip)"), why);
        // After a member name with an escape (which only serde_json's path reads), the file is read
        // by serde_json. A member kept as text is checked as it is copied, a member the rules parse
        // as it is parsed: refused alone too (a member the rules parse used to fail the whole file).
        let escaped = format!("[{},{},{}]", finding_text("a", "\"X\\u0041\":1"), texts[1], texts[2]);
        let (_d, mut s) = store();
        let mut findings: Vec<Incoming> = Vec::new();
        let read = for_each_finding("f.json", escaped.as_bytes(), |f| {
            findings.push(f);
            Ok::<(), ()>(())
        });
        match read {
            Ok(()) => {
                let answer = s.batch_import(&admin(), findings).unwrap().to_json();
                check_refused(&s, &answer, &format!("{what} (serde_json's path)"), why);
            }
            Err(ReadError::Input(e)) => panic!("{what}: the file was refused whole: {e}"),
            Err(ReadError::Sink(())) => unreachable!(),
        }
    }
}

// A finding nested just within the limit is stored and read back whole.
#[test]
fn a_finding_nested_to_the_limit_is_imported_and_read_back() {
    let (_d, mut s) = store();
    // The finding is level 1 and ProductFields level 2: 123 more levels make 125.
    let text = finding_text("deep", &format!("\"ProductFields\":{{\"a\":{}}}", nested(123)));
    let answer = import_bytes(&mut s, "f.json", format!("[{text}]").as_bytes());
    assert_eq!(answer["SuccessCount"], 1, "{answer}");
    assert_eq!(all_ids(&s), ["deep"]);
    // As the service would answer GetFindings (the finding inside {"Findings": [...]}), the answer
    // is read back by serde_json.
    let req = GetFindingsRequest::from_json(&json!({})).unwrap();
    let page = s.get_findings(&req, None).unwrap().to_json().to_string();
    assert!(serde_json::from_str::<Value>(&page).is_ok());
}

// The JSON API: a request's findings are parsed already, so only nesting can be out of reach (a
// number beyond f64 cannot be a `Value`). Refused on its own, the rest imported.
#[test]
fn the_api_refuses_a_finding_nested_too_deeply() {
    let (_d, mut s) = store();
    let mut deep = Value::from("x");
    for _ in 0..200 {
        deep = Value::Array(vec![deep]);
    }
    let mut poison: Value = serde_json::from_str(&finding_text("poison", "")).unwrap();
    poison["ProductFields"] = json!({ "a": deep });
    let findings: Vec<Value> = vec![
        serde_json::from_str(&finding_text("a", "")).unwrap(),
        poison,
        serde_json::from_str(&finding_text("b", "")).unwrap(),
    ];
    let answer = api::call(&mut s, &admin(), Operation::BatchImportFindings, &json!({ "Findings": findings })).unwrap();
    check_refused(&s, &answer, "api", "nested deeper than");
    let page = api::call(&mut s, &admin(), Operation::GetFindings, &json!({})).unwrap();
    assert_eq!(page["Findings"].as_array().unwrap().len(), 2);
}

/// A store holding "a", "poison" and "b", where poison's stored document was written (as an older
/// version imported it) with a member nested 200 levels deep: valid JSON that serde_json refuses.
fn poisoned_store() -> (tempfile::TempDir, Store) {
    let (dir, mut s) = store();
    let texts = [finding_text("a", ""), finding_text("poison", ""), finding_text("b", "")];
    let answer = import_bytes(&mut s, "f.json", format!("[{}]", texts.join(",")).as_bytes());
    assert_eq!(answer["SuccessCount"], 3);
    let doc = finding_text("poison", &format!("\"ProductFields\":{{\"a\":{}}}", nested(200)));
    let conn = rusqlite::Connection::open(dir.path().join("findings.db")).unwrap();
    let changed = conn
        .execute("UPDATE findings SET doc = ?1 WHERE id = 'poison'", [lz4_flex::compress_prepend_size(doc.as_bytes())])
        .unwrap();
    assert_eq!(changed, 1);
    (dir, s)
}

// A store that already holds an unreadable row still lists, matches and pages through the others,
// and names the row it skipped (the CLI prints it as a warning).
#[test]
fn a_store_holding_an_unreadable_row_reads_the_others_and_names_it() {
    let (_d, mut s) = poisoned_store();
    // Earlier findings' rows named on this thread are not this test's.
    s.take_unreadable();
    assert_eq!(all_ids(&s), ["a", "b"]);
    let skipped = s.take_unreadable();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    let line = skipped[0].to_string();
    assert!(line.starts_with("finding poison (arn:aws:securityhub:us-east-1::product/aws/guardduty) in "), "{line}");
    assert!(line.contains("cannot be read: ") && line.ends_with("; skipped"), "{line}");
    assert!(line.contains("recursion limit exceeded"), "{line}");
    assert!(s.take_unreadable().is_empty(), "taken once");
    // Paging one finding at a time passes over it.
    let mut req = GetFindingsRequest::from_json(&json!({"MaxResults": 1})).unwrap();
    let mut seen = Vec::new();
    loop {
        let page = s.get_findings(&req, None).unwrap();
        seen.extend(page.findings.iter().map(|f| f["Id"].as_str().unwrap().to_string()));
        match page.next_token {
            Some(t) => req.next_token = Some(t),
            None => break,
        }
    }
    seen.sort();
    assert_eq!(seen, ["a", "b"]);
    // Matching (the workbench's queries, `update QUERY`) too.
    let filters = GetFindingsRequest::from_json(&json!({})).unwrap().filters;
    let mut keys: Vec<String> = s.matching_keys(&filters, &[], None).unwrap().into_iter().map(|k| k.id).collect();
    keys.sort();
    assert_eq!(keys, ["a", "b"]);
    assert_eq!(s.find_all(&filters, &[], None, None).unwrap().len(), 2);
    assert!(!s.take_unreadable().is_empty());
    // The provider re-sends it, readable and newer: it replaces the unreadable row.
    let fixed = finding_text("poison", "").replace("2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z");
    let answer = import_bytes(&mut s, "f.json", format!("[{fixed},{}]", finding_text("c", "")).as_bytes());
    assert_eq!(answer["SuccessCount"], 2, "{answer}");
    assert_eq!(all_ids(&s), ["a", "b", "c", "poison"]);
    assert!(s.take_unreadable().is_empty());
}

// The CLI lists the readable findings of such a store, and warns on standard error which one it
// skipped; `update` of a query that includes it updates the others.
#[test]
fn the_cli_lists_past_an_unreadable_row_with_a_warning() {
    let (dir, s) = poisoned_store();
    drop(s);
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_hubtriage"))
            .args(args)
            .env("HUBTRIAGE_STORE", dir.path().join("findings.db"))
            .env_remove("HUBTRIAGE_ACCOUNT")
            .env("HUBTRIAGE_USER", "tester")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    };
    let o = run(&["findings", "--format", "json"]);
    let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "{out}{err}");
    let listed: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(listed["Findings"].as_array().unwrap().len(), 2, "{out}");
    assert_eq!(err.lines().filter(|l| l.contains("cannot be read")).count(), 1, "{err}");
    assert!(err.contains(&format!("warning: finding poison ({ARN}) in ")), "{err}");
    assert!(err.contains("; skipped"), "{err}");
    let o = run(&["update", "--yes", "--workflow", "notified", "account:111122223333"]);
    let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "{out}{err}");
    assert!(err.contains("poison"), "{err}");
    assert!(out.contains("on 2 findings") && out.contains("2 processed, 0 unprocessed"), "{out}");
}

// Inputs that were refused unclearly or taken silently: a UTF-16 or UTF-32 file (gzip-compressed
// too) names its encoding; JSON lines with two objects on a line say so; an envelope with Findings
// twice is refused at its second member. Through the CLI's `import`, which (as after any error) keeps
// only what was read before the error: the first array's findings.
#[test]
fn the_cli_names_what_is_wrong_with_an_unclear_input() {
    let (dir, s) = store();
    drop(s);
    let text = format!("{{\"Findings\": [{}]}}\n", finding_text("a", ""));
    let utf16: Vec<u8> = b"\xff\xfe".iter().copied().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let utf32be: Vec<u8> = text.chars().flat_map(|c| (c as u32).to_be_bytes()).collect();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &utf16).unwrap();
    let one_line = format!("{} {}\n", finding_text("a", ""), finding_text("b", ""));
    let twice = format!("{{\"Findings\": [{}], \"Findings\": [{}]}}", finding_text("a", ""), finding_text("b", ""));
    let cases: [(&str, Vec<u8>, &str); 5] = [
        (
            "utf16.json",
            utf16,
            "the file is UTF-16 (little-endian); findings files are UTF-8: convert it, e.g. iconv -f UTF-16LE -t UTF-8",
        ),
        ("utf32.json", utf32be, "the file is UTF-32 (big-endian)"),
        ("utf16.json.gz", gz.finish().unwrap(), "the file is UTF-16 (little-endian)"),
        ("lines.json", one_line.into_bytes(), "two JSON values on one line; JSON lines have one finding per line"),
        ("twice.json", twice.into_bytes(), "Findings appears more than once"),
    ];
    for (name, bytes, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_hubtriage"))
            .args(["import", path.to_str().unwrap()])
            .env("HUBTRIAGE_STORE", dir.path().join("findings.db"))
            .env_remove("HUBTRIAGE_ACCOUNT")
            .env("HUBTRIAGE_USER", "tester")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(!o.status.success(), "{name}: {out}{err}");
        assert!(err.contains(expected), "{name}: expected {expected:?} in {err}");
        assert!(!err.contains("expected value") && !err.contains("no \"Findings\" member"), "{name}: {err}");
    }
    let s = Store::open(dir.path().join("findings.db")).unwrap();
    assert_eq!(all_ids(&s), ["a"], "only the first Findings array, read before the second member");
}

/// Imports `a`, `poison` (with `extra`) and `b` from a file's text, as JSON lines and as an
/// envelope, and through the JSON API (its body's text; with `tree`, also a parsed request):
/// `poison` alone fails, its message containing `why`.
fn check_refused_on_paths(what: &str, extra: &str, why: &str, tree: bool) {
    let texts = [finding_text("a", ""), finding_text("poison", extra), finding_text("b", "")];
    let envelope = format!("{{\"Findings\":[{}]}}", texts.join(","));
    // The scanner reads the first two; a member name with an escape sends a file to serde_json.
    let escaped = format!("[{},{},{}]", finding_text("a", "\"X\\u0041\":1"), texts[1], texts[2]);
    for (form, text) in [("envelope", envelope.clone()), ("lines", texts.join("\n")), ("serde_json's path", escaped)] {
        let (_d, mut s) = store();
        let answer = import_bytes(&mut s, "f.json", text.as_bytes());
        check_refused(&s, &answer, &format!("{what} ({form})"), why);
    }
    let (_d, mut s) = store();
    let answer = api::call_body(&mut s, &admin(), Operation::BatchImportFindings, envelope.as_bytes()).unwrap();
    check_refused(&s, &answer, &format!("{what} (api body)"), why);
    if tree {
        let (_d, mut s) = store();
        let request: Value = serde_json::from_str(&envelope).unwrap();
        let answer = api::call(&mut s, &admin(), Operation::BatchImportFindings, &request).unwrap();
        check_refused(&s, &answer, &format!("{what} (api)"), why);
    }
}

fn check_refused_on_every_path(what: &str, extra: &str, why: &str) {
    check_refused_on_paths(what, extra, why, true);
}

// ASFF has no nullable member: a null is refused the same way for every member (a null Workflow or
// Region was accepted where a null Note or Confidence was refused), on every path.
#[test]
fn a_null_member_is_refused_on_every_path() {
    for member in ["Workflow", "Region", "Note", "Confidence", "ProductFields", "Remediation"] {
        let why = format!("data.{member}: null is not allowed");
        check_refused_on_every_path(member, &format!("\"{member}\":null"), &why);
    }
    check_refused_on_every_path("Workflow.Status", "\"Workflow\":{\"Status\":null}", "data.Workflow.Status: null");
}

// The JSON API's request body (`hubtriage api`, serve's HTTP BatchImportFindings) is read as a
// file is: a finding that could not be read back fails alone, naming why, and the rest are
// imported (the whole request was refused, 400). A body that cannot be split into findings is
// still refused whole.
#[test]
fn the_api_body_refuses_an_unreadable_finding_alone() {
    for (what, extra, why) in poisons() {
        let texts = [finding_text("a", ""), finding_text("poison", &extra), finding_text("b", "")];
        let body = format!("{{\"Findings\": [{}]}}", texts.join(",\n"));
        let (_d, mut s) = store();
        let answer = api::call_body(&mut s, &admin(), Operation::BatchImportFindings, body.as_bytes()).unwrap();
        check_refused(&s, &answer, &format!("{what} (api body)"), why);
    }
    let (_d, mut s) = store();
    for (body, expected) in [
        (&b"{\"Findings\": [1,}"[..], "not valid JSON"),
        (b"{\"Findings\": {}}", "Findings must be a list of findings"),
        (b"{\"Findings\": [], \"Other\": 1}", "unknown member Other"),
        (b"{}", "Findings is required"),
        (b"", "Findings is required"),
    ] {
        let e = api::call_body(&mut s, &admin(), Operation::BatchImportFindings, body).unwrap_err();
        assert_eq!(e.status, 400, "{e}");
        assert!(e.message.contains(expected), "{}: {e}", String::from_utf8_lossy(body));
    }
    // A finding that is not an object fails alone, as before.
    let body = format!("{{\"Findings\": [1, {}]}}", finding_text("a", ""));
    let answer = api::call_body(&mut s, &admin(), Operation::BatchImportFindings, body.as_bytes()).unwrap();
    assert_eq!((answer["SuccessCount"].as_u64(), answer["FailedCount"].as_u64()), (Some(1), Some(1)), "{answer}");
    assert_eq!(answer["FailedFindings"][0]["Id"], "Findings[0]", "{answer}");
    // The CLI's `api` reads its --input-json so.
    let dir = tempfile::tempdir().unwrap();
    let req = dir.path().join("req.json");
    let poison = finding_text("poison", &format!("\"UserDefinedFields\":{{\"a\":{}}}", nested(200)));
    std::fs::write(&req, format!("{{\"Findings\": [{},{poison}]}}", finding_text("a", ""))).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_hubtriage"))
        .args(["api", "BatchImportFindings", "--input-json", req.to_str().unwrap()])
        .env("HUBTRIAGE_STORE", dir.path().join("findings.db"))
        .env_remove("HUBTRIAGE_ACCOUNT")
        .env("HUBTRIAGE_USER", "tester")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "{out}{err}");
    let answer: Value = serde_json::from_str(&out).unwrap();
    assert_eq!((answer["SuccessCount"].as_u64(), answer["FailedCount"].as_u64()), (Some(1), Some(1)), "{answer}");
    assert!(answer["FailedFindings"][0]["ErrorMessage"].as_str().unwrap().contains("nested deeper than"), "{answer}");
}

// A member name sent twice anywhere in a finding is refused, naming the member and where it is
// (serde_json kept the last value silently); the rest of the call is imported. On every path that
// reads text (a parsed request has lost the first value already).
#[test]
fn a_member_sent_twice_is_refused_on_every_path() {
    let cases = [
        ("top level", "\"Title\":\"again\"".to_string(), "duplicate member \"Title\""),
        (
            "resource details",
            "@Details:{\"Id\":1,\"Other\":[],\"Id\":2}".to_string(),
            "Resources[0].Details: duplicate member \"Id\"",
        ),
        (
            "deep in a kept member",
            "\"ProductFields\":{\"a\":\"1\"},\"Action\":{\"x\":[{},{\"k\":1,\"k\":1}]}".to_string(),
            "Action.x[1]: duplicate member \"k\"",
        ),
        (
            "parsed member",
            "\"Workflow\":{\"Status\":\"NEW\",\"Status\":\"RESOLVED\"}".to_string(),
            "Workflow: duplicate member \"Status\"",
        ),
        (
            "parsed nested member",
            "\"FindingProviderFields\":{\"Severity\":{\"Label\":\"LOW\",\"Label\":\"HIGH\"}}".to_string(),
            "FindingProviderFields.Severity: duplicate member \"Label\"",
        ),
        (
            "compliance",
            "\"Compliance\":{\"Status\":\"PASSED\",\"Status\":\"FAILED\"}".to_string(),
            "Compliance: duplicate member \"Status\"",
        ),
    ];
    for (what, extra, why) in cases {
        check_refused_on_paths(what, &extra, why, false);
    }
    // A resource's own member twice.
    let twice = finding_text("poison", "").replacen(
        "\"Type\":\"AwsEc2Instance\"",
        "\"Type\":\"AwsEc2Instance\",\"Type\":\"Other\"",
        1,
    );
    let texts = [finding_text("a", ""), twice, finding_text("b", "")];
    let (_d, mut s) = store();
    let answer = import_bytes(&mut s, "f.json", format!("[{}]", texts.join(",")).as_bytes());
    check_refused(&s, &answer, "resource", "Resources[0]: duplicate member \"Type\"");
    // Objects with many members are checked too, and alike objects pass.
    let many: Vec<String> = (0..100).map(|i| format!("\"k{i}\":{i}")).collect();
    let (_d, mut s) = store();
    let ok = finding_text("c", &format!("\"ProductFields\":{{{}}}", many.join(",")));
    let bad = finding_text("poison", &format!("\"ProductFields\":{{{},\"k7\":0}}", many.join(",")));
    let answer = import_bytes(&mut s, "f.json", format!("[{ok},{bad}]").as_bytes());
    assert_eq!(answer["SuccessCount"], 1, "{answer}");
    assert!(
        answer["FailedFindings"][0]["ErrorMessage"]
            .as_str()
            .unwrap()
            .contains("ProductFields: duplicate member \"k7\""),
        "{answer}"
    );
}
