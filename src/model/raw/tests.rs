//! Tests of raw findings: read from text (by serde_json or the scanner) and created or updated by
//! splicing, they give the documents the whole-`Value` path gives, byte for byte.

use super::project::{copy_projected, scan_object, scan_resources};
use super::*;
use crate::model::finding::{tests::sample, validate_asff, Summary};
use crate::model::scan::Scanner;
use serde_json::json;

fn now() -> OffsetDateTime {
    crate::model::timestamp::parse("2026-02-03T04:05:06Z").unwrap()
}

fn raw(v: &Value, pretty: bool) -> Incoming {
    let text = if pretty { serde_json::to_vec_pretty(v) } else { serde_json::to_vec(v) }.unwrap();
    let i: Incoming = serde_json::from_slice(&text).unwrap();
    assert!(matches!(i, Incoming::Raw(_)));
    i
}

/// Findings that exercise every rule the parsed members feed, and text a provider may send.
fn tricky() -> Vec<Value> {
    let mut out = Vec::new();
    let mut f = sample("escapes \"quoted\" \\ \u{e9} \u{1F600}");
    f["Title"] = json!("tab\there\nnewline \u{1b}[31m red");
    f["ProductFields"] = json!({"k\"ey": "v\\al", "n": "1", "nested": {"deep": [1, 2.5, -3e-7, true, null]}});
    out.push(f);
    let mut f = sample("provider-fields");
    f["FindingProviderFields"] = json!({"Severity": {"Label": "CRITICAL", "Original": "9.8"}, "Confidence": 70, "Types": ["TTPs/Initial Access"]});
    f["Confidence"] = json!(10);
    f["Criticality"] = json!(55);
    f["RelatedFindings"] = json!([{"ProductArn": "arn:aws:securityhub:us-east-1::product/aws/guardduty", "Id": "x"}]);
    out.push(f);
    let mut f = sample("control");
    f["ProductArn"] = json!("arn:aws:securityhub:us-east-1::product/aws/securityhub");
    f["Compliance"] = json!({
        "Status": "PASSED", "SecurityControlId": "S3.1",
        "AssociatedStandards": [{"StandardsId": "standards/aws-foundational-security-best-practices/v/1.0.0"}],
        "RelatedRequirements": ["NIST.800-53.r5 AC-3"], "StatusReasons": [{"ReasonCode": "CONFIG_EVALUATIONS_EMPTY"}]
    });
    out.push(f);
    // Older Security Hub control findings name their control in ProductFields only (CIS 1.2 by
    // RuleId, PCI DSS by ControlId): the summary reads it from the projected members.
    let mut f = sample("cis-1.2-control");
    f["ProductArn"] = json!("arn:aws:securityhub:us-east-1::product/aws/securityhub");
    f["Compliance"] = json!({"Status": "FAILED"});
    f["ProductFields"] = json!({
        "StandardsGuideArn": "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0",
        "RuleId": "1.3", "RecommendationUrl": "https://docs.aws.amazon.com/console/securityhub/standards-cis-1.3/remediation",
        "StandardsControlArn": "arn:aws:securityhub:us-east-1:111122223333:control/cis-aws-foundations-benchmark/v/1.2.0/1.3",
        "aws/securityhub/ProductName": "Security Hub"
    });
    out.push(f);
    let mut f = sample("pci-control");
    f["ProductArn"] = json!("arn:aws:securityhub:us-east-1::product/aws/securityhub");
    f["ProductFields"] =
        json!({"StandardsArn": "arn:aws:securityhub:::standards/pci-dss/v/3.2.1", "ControlId": "PCI.Lambda.2"});
    out.push(f);
    let mut f = sample("product-fields-not-an-object");
    f["ProductArn"] = json!("arn:aws:securityhub:us-east-1::product/aws/securityhub");
    f["ProductFields"] = json!(["ControlId", "PCI.Lambda.2"]);
    out.push(f);
    let mut f = sample("product-fields-escaped-name");
    f["ProductArn"] = json!("arn:aws:securityhub:us-east-1::product/aws/securityhub");
    f["ProductFields"] = json!({"\"ControlId": "y", "StandardsControlArn": "arn:aws:securityhub:us-east-1:1:control/pci-dss/v/3.2.1/PCI.S3.1"});
    out.push(f);
    // Compliance as the rules must not read it: not an object, or with a status outside the enum.
    let mut f = sample("compliance-string");
    f["Compliance"] = json!("FAILED");
    out.push(f);
    let mut f = sample("compliance-bad-status");
    f["Compliance"] = json!({"Status": "INFOED", "SecurityControlId": 7});
    out.push(f);
    let mut f = sample("workflow-state");
    f["WorkflowState"] = json!("DEFERRED");
    f.as_object_mut().unwrap().remove("Region");
    f["Resources"] = json!([
        {"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::b", "Details": {"AwsS3Bucket": {"Owner": "me"}}, "Tags": {"a": "b"}},
        {"Id": "second", "Partition": "aws", "Type": "Other"}
    ]);
    f["Network"] = json!({"Direction": "IN", "SourcePort": 443});
    out.push(f);
    let mut f = sample("big-numbers");
    f["ProductFields"] = json!({"x": 1e300, "y": 12345678901234567890u64, "z": -0.0});
    f["Severity"] = json!({"Normalized": 72});
    out.push(f);
    let mut f = sample("note-and-fields");
    f["Note"] = json!({"Text": "seen", "UpdatedBy": "me", "UpdatedAt": "2025-01-01T00:00:00Z"});
    f["UserDefinedFields"] = json!({"ticket": "SEC-1"});
    f["VerificationState"] = json!("TRUE_POSITIVE");
    out.push(f);
    out.extend(crate::generate::generate(&crate::generate::GenOptions { count: 300, ..Default::default() }));
    out
}

// A raw finding is checked and created exactly as its parsed `Value`: the same validation
// answer, the same document (member for member), summary and automatic change, and a size bound
// at least its exact size; compact or pretty-printed.
#[test]
fn raw_and_parsed_findings_are_created_alike() {
    for f in tricky() {
        for pretty in [false, true] {
            let r = raw(&f, pretty);
            assert_eq!(validate_asff(r.view()), validate_asff(&f), "{}", f["Id"]);
            assert_eq!(Summary::of(r.view()), Summary::of(&f), "{}", f["Id"]);
            assert!(r.size_bound() >= encoded_len(&f), "{}", f["Id"]);
            assert_eq!(r.exact_size(), encoded_len(&f));
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let (doc_a, auto_a) = Incoming::Value(f.clone()).create(now(), &mut a).unwrap();
            let (doc_b, auto_b) = r.clone().create(now(), &mut b).unwrap();
            let spliced: Value = serde_json::from_slice(&b).unwrap();
            let whole: Value = serde_json::from_slice(&a).unwrap();
            assert_eq!(spliced, whole, "{}", f["Id"]);
            assert_eq!(auto_a, auto_b);
            assert_eq!(Summary::of(&doc_a), Summary::of(&doc_b));
            // The member order is the whole path's too.
            let order = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
            assert_eq!(order(&spliced), order(&whole));
            assert_eq!(r.into_value().unwrap(), f);
        }
    }
}

// The scanner reads a finding exactly as serde_json's path does: the same text, members, parsed
// members, size bound and oddness, compact or pretty-printed, whatever shape Resources has; an
// escaped member name it leaves to serde_json's path.
#[test]
fn scanned_findings_are_read_as_serde_json_reads_them() {
    let mut findings = tricky();
    for resources in [
        json!("not a list"),
        json!([]),
        json!([1, {"Type": "a"}]),
        json!([{}, {"Type": 5, "Id": ["i"], "Details": {"x": [1, {"y": null}]}}]),
        json!({"Type": "an object"}),
    ] {
        let mut f = sample("odd-resources");
        f["Resources"] = resources;
        findings.push(f);
    }
    let compact = |f: &Value| serde_json::to_string(f).unwrap();
    let mut texts: Vec<String> =
        findings.iter().flat_map(|f| [compact(f), serde_json::to_string_pretty(f).unwrap()]).collect();
    // A name sent twice (the finding is odd); a resource member sent twice (a defect, refused).
    texts.push(compact(&sample("dup")).replacen('{', "{\"Title\":\"first\",", 1));
    texts.push(compact(&sample("dup-type")).replace("\"Type\":\"AwsS3Bucket\"", "\"Type\":\"A\",\"Type\":\"B\""));
    assert!(texts.last().unwrap().contains("\"Type\":\"B\""), "the sample has a bucket");
    for text in &texts {
        // A file's serde_json path reads findings as `ContainedFinding` (a name sent twice in a
        // resource is a defect there as in the scanner's reading).
        let slow = serde::de::DeserializeSeed::deserialize(
            super::ContainedFinding,
            &mut serde_json::Deserializer::from_str(text),
        )
        .unwrap();
        let (fast, end) = scan_finding(text, 0).expect(text);
        assert_eq!(end, text.len());
        assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{text}");
    }
    let escaped = compact(&sample("escaped")).replace("\"Title\"", "\"\\u0054itle\"");
    assert!(scan_finding(&escaped, 0).is_none());
    // A resource member name with an escape: the projection falls back, to the same result.
    let text = compact(&sample("escaped-type")).replace("\"Type\"", "\"T\\u0079pe\"");
    let slow: Incoming = serde_json::from_str(&text).unwrap();
    assert_eq!(format!("{:?}", scan_finding(&text, 0).unwrap().0), format!("{slow:?}"));
}

// Resources and Compliance are copied and projected in one pass (`copy_projected`): over
// generated findings, compact and pretty, with bytes of those two members damaged, whatever the
// scanner reads is what serde_json's path reads, member for member (and what it cannot, it
// leaves to that path).
#[test]
fn resources_and_compliance_read_in_one_pass_are_read_as_serde_json_reads_them() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
    let alphabet = b" {}[]:,\"\\-.e019tfnul";
    let (mut same, mut left) = (0, 0);
    let generated =
        crate::generate::generate(&crate::generate::GenOptions { count: 80, seed: 6, ..Default::default() });
    for f in generated.filter(|f| f.get("Compliance").is_some()) {
        for text in [serde_json::to_string(&f).unwrap(), serde_json::to_string_pretty(&f).unwrap()] {
            for member in ["\"Resources\"", "\"Compliance\""] {
                let from = text.find(member).unwrap() + member.len();
                for _ in 0..25 {
                    let mut bytes = text.clone().into_bytes();
                    let at = from + rng.random_range(0..60);
                    match rng.random_range(0..3) {
                        0 => {
                            bytes.remove(at);
                        }
                        1 => bytes.insert(at, alphabet[rng.random_range(0..alphabet.len())]),
                        _ => bytes[at] = alphabet[rng.random_range(0..alphabet.len())],
                    }
                    let Ok(damaged) = String::from_utf8(bytes) else { continue };
                    match scan_finding(&damaged, 0) {
                        Some((fast, end)) => {
                            let slow: Incoming = serde_json::from_str(&damaged).expect(&damaged);
                            assert_eq!(end, damaged.len());
                            assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{damaged}");
                            same += 1;
                        }
                        None => left += 1,
                    }
                }
            }
        }
    }
    assert!(same > 200 && left > 200, "read alike {same}, left to serde_json {left}");
}

// The one-pass reading is the path taken, not only its fallback: on every generated finding,
// compact and pretty, copy_projected reads Resources, Compliance and ProductFields, copies exactly what
// copy_value copies (with the same count of numbers), projects as scan_resources and
// scan_object project that copy, and stops where copy_value stops.
#[test]
fn copy_projected_reads_every_generated_resources_and_compliance() {
    let generated =
        crate::generate::generate(&crate::generate::GenOptions { count: 60, seed: 8, ..Default::default() });
    let mut read = 0;
    for f in generated {
        for text in [serde_json::to_string(&f).unwrap(), serde_json::to_string_pretty(&f).unwrap()] {
            for (member, key) in
                [("\"Resources\"", RESOURCES), ("\"Compliance\"", COMPLIANCE), ("\"ProductFields\"", PRODUCT_FIELDS)]
            {
                let Some(at) = text.find(member) else { continue };
                let start = at + member.len() + text[at + member.len()..].find(':').unwrap() + 1;
                let start = start + text[start..].len() - text[start..].trim_start().len();
                let (mut one, mut other) = (Scanner::new(&text, start), Scanner::new(&text, start));
                let (mut copy, mut expected) = (Vec::new(), Vec::new());
                let (projected, numbers) = copy_projected(&mut one, &mut copy, key).expect(&text[start..]);
                assert_eq!(Some(numbers), other.copy_value(&mut expected));
                assert_eq!(
                    (std::str::from_utf8(&copy).unwrap(), one.pos),
                    (std::str::from_utf8(&expected).unwrap(), other.pos)
                );
                let slow = match picked_members(key) {
                    Some(members) => scan_object(&copy, members),
                    None => scan_resources(&copy),
                };
                assert_eq!(Some(projected), slow);
                read += 1;
            }
        }
    }
    assert!(read > 150, "{read}");
}

// The splice relies on this: every member the create rules add or change is a parsed one,
// also for a finding that leaves out every member the rules fill in.
#[test]
fn the_rules_write_only_parsed_members() {
    let mut bare = sample("bare");
    for k in ["Region", "CompanyName", "ProductName", "Workflow", "RecordState", "FindingProviderFields"] {
        bare.as_object_mut().unwrap().remove(k);
    }
    bare["Confidence"] = json!(5);
    for f in tricky().into_iter().chain([bare]) {
        let (doc, _) = create(f.clone(), now());
        for (k, v) in doc.as_object().unwrap() {
            if f.get(k) != Some(v) {
                assert!(is_parsed(k), "{k} of {}", f["Id"]);
            }
        }
    }
}

// StoredDoc relies on this: every member a BatchUpdateFindings change adds or changes is a parsed
// one, and a document changed through it is the document changed whole.
#[test]
fn the_update_rules_write_only_parsed_members() {
    use crate::model::wire::batch_update::BatchUpdateRequest;
    let request = BatchUpdateRequest::from_json(&json!({
        "FindingIdentifiers": [{"Id": "x", "ProductArn": "p"}],
        "Confidence": 10, "Criticality": 20,
        "Note": {"Text": "t", "UpdatedBy": "me"},
        "RelatedFindings": [{"Id": "y", "ProductArn": "p"}],
        "Severity": {"Label": "LOW"},
        "Types": ["Effects/Data Exposure"],
        "UserDefinedFields": {"k": "v"},
        "VerificationState": "TRUE_POSITIVE",
        "Workflow": {"Status": "RESOLVED"}
    }))
    .unwrap();
    let mut bare = sample("bare");
    for k in ["Note", "Workflow", "UserDefinedFields", "VerificationState", "Confidence", "Criticality"] {
        bare.as_object_mut().unwrap().remove(k);
    }
    for f in tricky().into_iter().chain([bare]) {
        let (mut whole, _) = create(f, now());
        let mut stored = StoredDoc::parse(&serde_json::to_vec(&whole).unwrap()).unwrap();
        let before = whole.clone();
        let (changes, set) = request.update.apply(&mut whole, now());
        let (raw_changes, raw_set) = request.update.apply(stored.view_mut(), now());
        assert_eq!((format!("{changes:?}"), set), (format!("{raw_changes:?}"), raw_set));
        for (k, v) in whole.as_object().unwrap() {
            if before.get(k) != Some(v) {
                assert!(is_parsed(k), "{k}");
            }
        }
        let mut out = Vec::new();
        stored.write(&mut out).unwrap();
        assert_eq!(out, serde_json::to_vec(&whole).unwrap(), "{}", whole["Id"]);
        assert_eq!(Summary::of(stored.view()), Summary::of(&whole));
    }
}

// Whitespace goes, strings keep theirs; numbers are counted once each.
#[test]
fn minify_keeps_strings_and_counts_numbers() {
    let mut text = b"kept".to_vec();
    let numbers =
        push_minified(&mut text, b"{ \"a b\" : [ 1 , -2.5e+3 , \"x \\\" y\" ],\n\t\"c\":true, \"d\": [-1,2] }");
    assert_eq!(text, b"kept{\"a b\":[1,-2.5e+3,\"x \\\" y\"],\"c\":true,\"d\":[-1,2]}");
    assert_eq!(numbers, 4);
}

// The splice's compact writer writes what serde_json writes, escapes and all.
#[test]
fn compact_writing_is_serde_jsons() {
    let mut values = vec![
        json!(null),
        json!(true),
        json!(-0.5e-7),
        json!(18446744073709551615u64),
        json!(-12),
        json!(""),
        json!("plain text, ünïcödé and emoji 🦀"),
        json!("quote \" backslash \\ newline \n tab \t nul \u{0} esc \u{1b} del \u{7f} sep \u{2028}"),
        json!({"a": [1, "two", {"three": null}], "": {}, "k\"ey": [], "x": [[]]}),
    ];
    values.extend(tricky());
    values.push(sample("compact"));
    for v in values {
        let mut ours = Vec::new();
        write_compact(&mut ours, &v).unwrap();
        assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&v).unwrap());
    }
}

// A member named twice, or Resources that are not a list of objects, take the whole-Value path
// and give its answer.
#[test]
fn duplicate_members_and_odd_resources_fall_back() {
    let mut text = serde_json::to_string(&sample("dup")).unwrap();
    text.insert_str(1, "\"Title\":\"first\",");
    let r: Incoming = serde_json::from_str(&text).unwrap();
    let whole: Value = serde_json::from_str(&text).unwrap();
    let mut a = Vec::new();
    let (doc, _) = r.create(now(), &mut a).unwrap();
    assert_eq!(doc["Title"], whole["Title"]);
    // A member name with an escape in it: `\u0054itle` is Title.
    let text = serde_json::to_string(&sample("escaped")).unwrap().replace("\"Title\"", "\"\\u0054itle\"");
    let r: Incoming = serde_json::from_str(&text).unwrap();
    let (doc, _) = r.create(now(), &mut a).unwrap();
    assert_eq!(doc["Title"], sample("escaped")["Title"]);
    assert_eq!(serde_json::from_slice::<Value>(&a).unwrap(), doc);
    for resources in [json!("not a list"), json!([1, "x"]), json!([{"Type": 5, "Id": "i"}])] {
        let mut f = sample("odd");
        f["Resources"] = resources;
        let r = raw(&f, false);
        let e = validate_asff(r.view()).unwrap_err();
        assert_eq!(Err(e), validate_asff(&f));
    }
    let not_object: Incoming = serde_json::from_str("[1]").unwrap();
    assert!(matches!(not_object, Incoming::Value(_)));
}
