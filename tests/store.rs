//! The store's Security Hub semantics, end to end over a real SQLite file in a temp dir.
//! Each test cites the AWS document it checks. One file over 600 lines on purpose: the tests share
//! their fixtures (generated findings, the pinned clock, the access model) and read as one list of
//! the service's rules.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use hubtriage::model::finding::FindingKey;
use hubtriage::model::wire::batch_update::BatchUpdateRequest;
use hubtriage::store::{Caller, GetFindingsRequest, HistoryRequest, Store, StoreError};
use serde_json::{json, Value};

fn fixed_now() -> time::OffsetDateTime {
    hubtriage::model::timestamp::parse("2026-02-01T12:00:00Z").unwrap()
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path().join("findings.db")).unwrap().with_clock(fixed_now);
    (dir, s)
}

const ARN: &str = "arn:aws:securityhub:us-east-1::product/aws/guardduty";

fn finding(id: &str, account: &str) -> Value {
    json!({
        "SchemaVersion": "2018-10-08",
        "Id": id,
        "ProductArn": ARN,
        "GeneratorId": "gen",
        "AwsAccountId": account,
        "CreatedAt": "2026-01-01T00:00:00Z",
        "UpdatedAt": "2026-01-02T00:00:00Z",
        "Title": format!("Title of {id}"),
        "Description": "d",
        "FindingProviderFields": {"Severity": {"Label": "MEDIUM", "Original": "5"}},
        "Resources": [{"Type": "AwsEc2Instance", "Id": format!("arn:aws:ec2:us-east-1:{account}:instance/i-{id}")}]
    })
}

fn admin() -> Caller {
    Caller::unrestricted("analyst")
}

fn update(s: &mut Store, caller: &Caller, body: Value) -> Value {
    let req = BatchUpdateRequest::from_json(&body).unwrap();
    s.batch_update(caller, &req).unwrap().to_json()
}

fn ids(keys: &[&str]) -> Value {
    Value::Array(keys.iter().map(|k| json!({"Id": k, "ProductArn": ARN})).collect())
}

// The BatchImportFindings API reference: the response is exactly {FailedCount, SuccessCount, FailedFindings}.
#[test]
fn import_reports_counts_and_failures_and_imports_the_rest() {
    let (_d, mut s) = store();
    let mut bad = finding("bad", "111122223333");
    bad.as_object_mut().unwrap().remove("Resources");
    let r = s.batch_import(&admin(), vec![finding("a", "111122223333"), bad, finding("b", "111122223333")]).unwrap();
    let v = r.to_json();
    assert_eq!(v.as_object().unwrap().keys().collect::<Vec<_>>(), ["FailedCount", "SuccessCount", "FailedFindings"]);
    assert_eq!(v["SuccessCount"], 2);
    assert_eq!(v["FailedCount"], 1);
    assert_eq!(v["FailedFindings"][0]["Id"], "bad");
    assert_eq!(v["FailedFindings"][0]["ErrorCode"], "InvalidInput");
    assert!(v["FailedFindings"][0]["ErrorMessage"].as_str().unwrap().contains("Resources"));
    assert_eq!(s.count().unwrap(), 2);
    let doc = s.get(&FindingKey::new(ARN, "a")).unwrap().unwrap();
    assert_eq!(doc["Workflow"]["Status"], "NEW");
    assert_eq!(doc["RecordState"], "ACTIVE");
    assert_eq!(doc["Severity"]["Label"], "MEDIUM", "FPF severity replicated to the top level");
}

// The user guide ("Using BatchImportFindings"): 1..100 findings per call, 240 KB per finding, 6 MB per call.
#[test]
fn import_limits_fail_cleanly_and_lose_nothing() {
    let (_d, mut s) = store();
    s.batch_import(&admin(), vec![finding("keep", "111122223333")]).unwrap();
    let too_many: Vec<Value> = (0..101).map(|i| finding(&format!("f{i}"), "111122223333")).collect();
    let e = s.batch_import(&admin(), too_many).unwrap_err();
    assert!(matches!(&e, StoreError::InvalidInput(m) if m.contains("101")), "{e}");
    assert!(matches!(s.batch_import(&admin(), Vec::<serde_json::Value>::new()), Err(StoreError::InvalidInput(_))));

    let mut big = finding("big", "111122223333");
    big["ProductFields"] = json!({"blob": "x".repeat(300 * 1024)});
    let r = s.batch_import(&admin(), vec![big, finding("small", "111122223333")]).unwrap();
    assert_eq!(r.success_count, 1);
    assert_eq!(r.failed[0].code, "FindingSizeExceeded");
    assert!(r.failed[0].message.contains("240 KB"));

    // 7 MB in one call: the whole call is refused before anything is written.
    let batch: Vec<Value> = (0..35)
        .map(|i| {
            let mut f = finding(&format!("m{i}"), "111122223333");
            f["ProductFields"] = json!({"blob": "y".repeat(200 * 1024)});
            f
        })
        .collect();
    let e = s.batch_import(&admin(), batch).unwrap_err();
    assert!(e.to_string().contains("6 MB"), "{e}");
    assert_eq!(s.count().unwrap(), 2, "nothing already stored is lost, nothing partial is written");
}

// The user guide ("Using BatchImportFindings"): an update whose UpdatedAt is not later is ignored;
// a later one updates but keeps
// Note, UserDefinedFields, VerificationState and Workflow.
#[test]
fn reimport_respects_updated_at_and_customer_fields() {
    let (_d, mut s) = store();
    s.batch_import(&admin(), vec![finding("a", "111122223333")]).unwrap();
    update(
        &mut s,
        &admin(),
        json!({"FindingIdentifiers": ids(&["a"]), "Workflow": {"Status": "SUPPRESSED"},
        "Note": {"Text": "accepted risk", "UpdatedBy": "alice"}, "VerificationState": "BENIGN_POSITIVE"}),
    );
    let mut same = finding("a", "111122223333");
    same["Title"] = json!("ignored");
    let r = s.batch_import(&admin(), vec![same]).unwrap();
    assert_eq!(r.success_count, 1);
    let key = FindingKey::new(ARN, "a");
    assert_eq!(s.get(&key).unwrap().unwrap()["Title"], "Title of a");

    let mut later = finding("a", "111122223333");
    later["UpdatedAt"] = json!("2026-01-20T00:00:00Z");
    later["Title"] = json!("new title");
    later["Workflow"] = json!({"Status": "NEW"});
    later["Note"] = json!({"Text": "provider note", "UpdatedBy": "p", "UpdatedAt": "2026-01-20T00:00:00Z"});
    s.batch_import(&admin(), vec![later]).unwrap();
    let doc = s.get(&key).unwrap().unwrap();
    assert_eq!(doc["Title"], "new title");
    assert_eq!(doc["Workflow"]["Status"], "SUPPRESSED");
    assert_eq!(doc["Note"]["Text"], "accepted risk");
    assert_eq!(doc["VerificationState"], "BENIGN_POSITIVE");
}

// BatchUpdateFindings API reference: every field, UpdatedAt untouched, response shape exact.
#[test]
fn batch_update_applies_every_field() {
    let (_d, mut s) = store();
    s.batch_import(&admin(), vec![finding("a", "111122223333"), finding("b", "111122223333")]).unwrap();
    let v = update(
        &mut s,
        &admin(),
        json!({
            "FindingIdentifiers": ids(&["a", "b", "missing", "a"]),
            "Note": {"Text": "Known issue that is not a risk.", "UpdatedBy": "user1"},
            "Severity": {"Label": "LOW"},
            "Workflow": {"Status": "RESOLVED"},
            "VerificationState": "FALSE_POSITIVE",
            "Confidence": 20, "Criticality": 80,
            "Types": ["Effects/Data Exposure"],
            "UserDefinedFields": {"ticket": "SEC-42"},
            "RelatedFindings": [{"Id": "b", "ProductArn": ARN}]
        }),
    );
    assert_eq!(v.as_object().unwrap().keys().collect::<Vec<_>>(), ["ProcessedFindings", "UnprocessedFindings"]);
    assert_eq!(v["ProcessedFindings"], ids(&["a", "b"]));
    let codes: Vec<&str> =
        v["UnprocessedFindings"].as_array().unwrap().iter().map(|u| u["ErrorCode"].as_str().unwrap()).collect();
    assert_eq!(codes, ["FindingNotFound", "DuplicatedFindingIdentifier"]);
    let doc = s.get(&FindingKey::new(ARN, "a")).unwrap().unwrap();
    assert_eq!(doc["Severity"]["Label"], "LOW");
    assert_eq!(doc["Severity"]["Normalized"], 1);
    assert_eq!(doc["Workflow"]["Status"], "RESOLVED");
    assert_eq!(doc["Note"]["UpdatedBy"], "user1");
    assert_eq!(doc["Note"]["UpdatedAt"], "2026-02-01T12:00:00.000Z");
    assert_eq!(doc["Confidence"], 20);
    assert_eq!(doc["Criticality"], 80);
    assert_eq!(doc["UserDefinedFields"]["ticket"], "SEC-42");
    assert_eq!(doc["RelatedFindings"][0]["Id"], "b");
    assert_eq!(doc["UpdatedAt"], "2026-01-02T00:00:00Z", "BatchUpdateFindings API reference: UpdatedAt never changes");
}

// The user guide ("Using BatchImportFindings"): after BatchUpdateFindings sets Severity, a
// provider's FPF severity does not reach the top level.
#[test]
fn analyst_severity_survives_provider_reimport() {
    let (_d, mut s) = store();
    s.batch_import(&admin(), vec![finding("a", "111122223333")]).unwrap();
    update(&mut s, &admin(), json!({"FindingIdentifiers": ids(&["a"]), "Severity": {"Label": "CRITICAL"}}));
    let mut later = finding("a", "111122223333");
    later["UpdatedAt"] = json!("2026-01-25T00:00:00Z");
    later["FindingProviderFields"] = json!({"Severity": {"Label": "LOW", "Original": "1"}, "Confidence": 70});
    s.batch_import(&admin(), vec![later]).unwrap();
    let doc = s.get(&FindingKey::new(ARN, "a")).unwrap().unwrap();
    assert_eq!(doc["Severity"]["Label"], "CRITICAL");
    assert_eq!(doc["FindingProviderFields"]["Severity"]["Label"], "LOW");
    assert_eq!(doc["Confidence"], 70, "not set by BatchUpdateFindings, so replicated");
}

// The access model: the BatchUpdateFindings API reference and the user guide ("Using BatchUpdateFindings").
#[test]
fn access_model_limits_members_and_administrators() {
    let (_d, mut s) = store();
    let (adm, mem, other) = ("111111111111", "222222222222", "333333333333");
    s.batch_import(&admin(), vec![finding("adm", adm), finding("mem", mem), finding("other", other)]).unwrap();
    s.set_members(adm, &[mem.to_string()]).unwrap();
    let as_admin = Caller { account: Some(adm.into()), identity: "boss".into() };
    let v = update(
        &mut s,
        &as_admin,
        json!({"FindingIdentifiers": ids(&["adm", "mem", "other"]), "Workflow": {"Status": "NOTIFIED"}}),
    );
    assert_eq!(v["ProcessedFindings"], ids(&["adm", "mem"]));
    assert_eq!(v["UnprocessedFindings"][0]["FindingIdentifier"]["Id"], "other");
    // A finding the caller may not update is one it cannot see: the documented code.
    assert_eq!(v["UnprocessedFindings"][0]["ErrorCode"], "FindingNotFound");
    assert!(v["UnprocessedFindings"][0]["ErrorMessage"].as_str().unwrap().contains(other), "{v}");

    let as_member = Caller { account: Some(mem.into()), identity: "dev".into() };
    let v = update(
        &mut s,
        &as_member,
        json!({"FindingIdentifiers": ids(&["mem", "adm"]), "Note": {"Text": "looking", "UpdatedBy": "dev"}}),
    );
    assert_eq!(v["ProcessedFindings"], ids(&["mem"]));
    assert_eq!(v["UnprocessedFindings"][0]["FindingIdentifier"]["Id"], "adm");
    assert_eq!(v["UnprocessedFindings"][0]["ErrorCode"], "FindingNotFound");
    // The service model (and the BatchUpdateFindings API reference): a member account updates any
    // of the fields on its own
    // findings; "only the Note" is the user guide's older word.
    let v = update(
        &mut s,
        &as_member,
        json!({"FindingIdentifiers": ids(&["mem", "other"]), "Workflow": {"Status": "RESOLVED"}, "Severity": {"Label": "LOW"}}),
    );
    assert_eq!(v["ProcessedFindings"], ids(&["mem"]));
    assert_eq!(v["UnprocessedFindings"][0]["FindingIdentifier"]["Id"], "other");
    let stored = s.get(&FindingKey::new(ARN, "mem")).unwrap().unwrap();
    assert_eq!((&stored["Workflow"]["Status"], &stored["Severity"]["Label"]), (&json!("RESOLVED"), &json!("LOW")));

    // Import: the caller's account must be the finding's AwsAccountId (BatchImportFindings API reference).
    let r = s.batch_import(&as_member, vec![finding("x", other)]).unwrap();
    assert_eq!(r.failed[0].code, "AccessDeniedException");
}

// Engine issue: history of every applied change, newest first, with the service's own changes apart.
#[test]
fn history_records_imports_updates_and_automatic_changes() {
    let (_d, mut s) = store();
    let mut f = finding("a", "111122223333");
    f["RecordState"] = json!("ACTIVE");
    s.batch_import(&admin(), vec![f.clone()]).unwrap();
    update(
        &mut s,
        &admin(),
        json!({"FindingIdentifiers": ids(&["a"]), "Workflow": {"Status": "RESOLVED"}, "Note": {"Text": "fixed", "UpdatedBy": "bob"}}),
    );
    f["UpdatedAt"] = json!("2026-01-10T00:00:00Z");
    f["RecordState"] = json!("ARCHIVED");
    s.batch_import(&admin(), vec![f.clone()]).unwrap();
    f["UpdatedAt"] = json!("2026-01-11T00:00:00Z");
    f["RecordState"] = json!("ACTIVE");
    s.batch_import(&admin(), vec![f]).unwrap();
    let key = FindingKey::new(ARN, "a");
    assert_eq!(s.get(&key).unwrap().unwrap()["Workflow"]["Status"], "NEW", "reopened by Security Hub");

    let page = s.finding_history(&HistoryRequest::new(key.clone())).unwrap();
    let sources: Vec<(&str, &str)> = page.records.iter().map(|r| (r.source.as_str(), r.identity.as_str())).collect();
    assert_eq!(
        sources,
        [
            ("SERVICE", "securityhub.amazonaws.com"),
            ("BATCH_IMPORT_FINDINGS", ARN),
            ("BATCH_IMPORT_FINDINGS", ARN),
            // The caller, not the Note's UpdatedBy ("bob"): UpdateSource.Identity is who called.
            ("BATCH_UPDATE_FINDINGS", "analyst"),
            ("BATCH_IMPORT_FINDINGS", ARN),
        ]
    );
    assert!(page.records[0].reason.as_deref().unwrap().contains("ARCHIVED to ACTIVE"));
    assert!(page.records[4].created);
    let wire = page.to_json();
    let first = &wire["Records"][0];
    assert_eq!(first["UpdateSource"]["Type"], "BATCH_IMPORT_FINDINGS");
    assert_eq!(
        first["Updates"][0],
        json!({"UpdatedField": "Workflow.Status", "OldValue": "RESOLVED", "NewValue": "NEW"})
    );
    let bob = &wire["Records"][3]["Updates"];
    assert!(bob
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["UpdatedField"] == "Workflow.Status" && u["NewValue"] == "RESOLVED"));

    // The creation is reported from the finding's row (schema 5), at the import's time, and obeys
    // the requested time window like any record.
    let created_at = hubtriage::model::timestamp::parse(&page.records[4].time).expect("a timestamp");
    let mut window = HistoryRequest::new(key.clone());
    window.end = Some(created_at - time::Duration::seconds(1));
    assert!(s.finding_history(&window).unwrap().records.is_empty());
    window.end = Some(created_at);
    assert!(s.finding_history(&window).unwrap().records.iter().any(|r| r.created));
    window.end = None;
    window.start = Some(created_at + time::Duration::milliseconds(1));
    assert!(!s.finding_history(&window).unwrap().records.iter().any(|r| r.created));

    // Paging through history returns each record once.
    let mut req = HistoryRequest::new(key);
    req.max_results = 2;
    let mut seen = 0;
    loop {
        let p = s.finding_history(&req).unwrap();
        seen += p.records.len();
        match p.next_token {
            Some(t) => req.next_token = Some(t),
            None => break,
        }
    }
    assert_eq!(seen, 5);
}

fn get(s: &Store, body: Value) -> Value {
    s.get_findings(&GetFindingsRequest::from_json(&body).unwrap(), None).unwrap().to_json()
}

// GetFindings API reference and the service model's filters: OR within a field for positives, AND
// across fields.
#[test]
fn get_findings_filters_sorts_and_pages_exactly_once() {
    let (_d, mut s) = store();
    let mut all = Vec::new();
    for i in 0..250 {
        let mut f = finding(&format!("f{i:03}"), if i % 2 == 0 { "111122223333" } else { "444455556666" });
        f["FindingProviderFields"]["Severity"]["Label"] = json!(["LOW", "MEDIUM", "HIGH", "CRITICAL"][i % 4]);
        f["UpdatedAt"] = json!(format!("2026-01-{:02}T00:00:00Z", 1 + i % 28));
        all.push(f);
    }
    for chunk in all.chunks(100) {
        s.batch_import(&admin(), chunk.to_vec()).unwrap();
    }
    let v = get(
        &s,
        json!({"Filters": {
        "SeverityLabel": [{"Value": "HIGH", "Comparison": "EQUALS"}, {"Value": "CRITICAL", "Comparison": "EQUALS"}],
        "AwsAccountId": [{"Value": "111122223333", "Comparison": "EQUALS"}]
    }, "MaxResults": 100}),
    );
    let found = v["Findings"].as_array().unwrap();
    assert_eq!(found.len(), 62);
    assert!(found.iter().all(|f| f["AwsAccountId"] == "111122223333" && f["Severity"]["Label"] != "LOW"));

    // Paging: 250 findings, pages of 40, sorted by severity then id: each exactly once, in order.
    let mut req = json!({"SortCriteria": [{"Field": "SeverityLabel", "SortOrder": "desc"}, {"Field": "Id", "SortOrder": "asc"}], "MaxResults": 40});
    let mut seen = Vec::new();
    loop {
        let page = get(&s, req.clone());
        let batch = page["Findings"].as_array().unwrap();
        assert!(batch.len() <= 40);
        seen.extend(batch.iter().map(|f| f["Id"].as_str().unwrap().to_string()));
        match page.get("NextToken") {
            Some(t) => req["NextToken"] = t.clone(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 250);
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), 250);
    assert!(seen[0].as_str() < seen[1].as_str());
    let first = s.get(&FindingKey::new(ARN, &seen[0])).unwrap().unwrap();
    assert_eq!(first["Severity"]["Label"], "CRITICAL");

    // A token from another query is refused.
    let page = get(&s, json!({"MaxResults": 10}));
    let token = page["NextToken"].clone();
    let e = s
        .get_findings(
            &GetFindingsRequest::from_json(&json!({"NextToken": token, "SortCriteria": [{"Field": "Title"}]})).unwrap(),
            None,
        )
        .unwrap_err();
    assert!(e.to_string().contains("NextToken"));
}

/// An EQUALS filter on each of the first `n` of eleven string attributes.
fn equals_filters(n: usize) -> serde_json::Map<String, Value> {
    ["Title", "Id", "Region", "Description", "GeneratorId", "ProductName", "CompanyName", "AwsAccountId", "ResourceId"]
        .into_iter()
        .chain(["ResourceType", "ComplianceStatus"])
        .take(n)
        .map(|f| (f.to_string(), json!([{"Value": "x", "Comparison": "EQUALS"}])))
        .collect()
}

#[test]
fn get_findings_rejects_bad_requests_with_the_member_named() {
    for (body, expected) in [
        (json!({"MaxResults": 0}), "MaxResults"),
        (json!({"MaxResults": 101}), "MaxResults"),
        (json!({"SortCriteria": [{"Field": "Nope"}]}), "Nope"),
        (json!({"Filters": {"Bogus": []}}), "Bogus"),
        (json!({"Filtres": {}}), "unknown member Filtres"),
        // Model, GetFindingsRequest.Filters: up to 10 finding attributes.
        (json!({"Filters": equals_filters(11)}), "at most 10 finding attributes can be filtered on, got 11"),
        // Model, StringFilter.Comparison: CONTAINS_WORD is for the V2 APIs only.
        (
            json!({"Filters": {"Title": [{"Value": "x", "Comparison": "CONTAINS_WORD"}]}}),
            "Filters.Title[0].Comparison: CONTAINS_WORD works only in the V2 APIs",
        ),
    ] {
        let e = GetFindingsRequest::from_json(&body).unwrap_err();
        assert!(e.to_string().contains(expected), "{body}: {e}");
    }
    assert!(GetFindingsRequest::from_json(&json!({"Filters": equals_filters(10)})).is_ok());
    // An attribute sent as null or [] filters on nothing and is not counted.
    let mut ten = equals_filters(10);
    ten.insert("Sample".into(), Value::Null);
    ten.insert("Type".into(), json!([]));
    assert!(GetFindingsRequest::from_json(&json!({"Filters": ten})).is_ok());
}

// Engine issue: several processes on one store; acknowledged updates are never lost.
#[test]
fn two_writers_on_one_store_lose_no_update() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let mut s = Store::open(&path).unwrap();
    let all: Vec<Value> = (0..100).map(|i| finding(&format!("c{i}"), "111122223333")).collect();
    s.batch_import(&admin(), all).unwrap();
    let handles: Vec<_> = ["alice", "bob"]
        .into_iter()
        .map(|who| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut s = Store::open(&path).unwrap();
                for i in 0..100 {
                    let body = json!({"FindingIdentifiers": [{"Id": format!("c{i}"), "ProductArn": ARN}],
                        "UserDefinedFields": {who: format!("{i}")}});
                    let r = s
                        .batch_update(&Caller::unrestricted(who), &BatchUpdateRequest::from_json(&body).unwrap())
                        .unwrap();
                    assert_eq!(r.processed.len(), 1);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    for i in 0..100 {
        let doc = s.get(&FindingKey::new(ARN, format!("c{i}"))).unwrap().unwrap();
        assert_eq!(doc["UserDefinedFields"]["alice"], format!("{i}"));
        assert_eq!(doc["UserDefinedFields"]["bob"], format!("{i}"));
    }
}

// Migrations: a store written by schema version 2 (tests/fixtures/store-v2.db.gz, made by hubtriage at
// commit 2e354f8: `generate --count 30 --seed 7`, imported, then one finding updated to SUPPRESSED with
// a note by alice) opens at the current version with every finding, its history and its lookups intact.
#[test]
fn a_version_2_store_is_upgraded_in_place() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("findings.db");
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(
        std::fs::File::open(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store-v2.db.gz")).unwrap(),
    )
    .read_to_end(&mut bytes)
    .unwrap();
    std::fs::write(&path, bytes).unwrap();
    let version = |p: &std::path::Path| -> i64 {
        rusqlite::Connection::open(p).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap()
    };
    assert_eq!(version(&path), 2);

    let mut s = Store::open(&path).unwrap();
    assert_eq!(version(&path), 16, "brought up to the current schema");
    assert_eq!(s.count().unwrap(), 30);
    let product = "arn:aws:securityhub:us-west-2::product/aws/securityhub";
    let id = "arn:aws:securityhub:us-west-2:342840004254:security-control/Config.1/finding/ed1205f1-589b-4784-87cd-2681d42b974a";
    let key = FindingKey::new(product, id);
    let doc = s.get(&key).unwrap().expect("the updated finding survives");
    assert_eq!(doc["Workflow"]["Status"], "SUPPRESSED");
    assert_eq!(doc["Note"]["Text"], "kept in v2");
    assert_eq!(s.keys_for_id(id).unwrap(), vec![key.clone()]);
    let history = s.finding_history(&HistoryRequest::new(key.clone())).unwrap();
    assert_eq!(history.records.len(), 2);
    assert_eq!(history.records[0].identity, "alice");
    assert!(history.records[1].created);

    // Filters on the summary columns and on Id (through the new hash index) still find it.
    let page = get(&s, json!({"Filters": {"Id": [{"Value": id, "Comparison": "EQUALS"}]}}));
    assert_eq!(page["Findings"].as_array().unwrap().len(), 1);
    let page = get(&s, json!({"Filters": {"WorkflowStatus": [{"Value": "SUPPRESSED", "Comparison": "EQUALS"}]}}));
    assert!(page["Findings"].as_array().unwrap().iter().any(|f| f["Id"] == id), "{page}");
    let all = get(&s, json!({"MaxResults": 100}));
    assert_eq!(all["Findings"].as_array().unwrap().len(), 30);

    // (ProductArn, Id) is still one finding: a newer import updates it, an update finds it.
    let mut newer = doc.clone();
    newer["UpdatedAt"] = json!("2026-11-30T00:00:00Z");
    newer["Title"] = json!("retitled after the upgrade");
    let r = s.batch_import(&admin(), vec![newer]).unwrap();
    assert_eq!((r.success_count, r.failed.len()), (1, 0));
    assert_eq!(s.count().unwrap(), 30);
    let doc = s.get(&key).unwrap().unwrap();
    assert_eq!(
        (doc["Title"].as_str(), doc["Workflow"]["Status"].as_str()),
        (Some("retitled after the upgrade"), Some("SUPPRESSED"))
    );
    let r =
        update(&mut s, &admin(), json!({"FindingIdentifiers": [key.to_json()], "Workflow": {"Status": "RESOLVED"}}));
    assert_eq!(r["ProcessedFindings"].as_array().unwrap().len(), 1);
    let r = s.batch_import(&admin(), vec![finding("new-after-upgrade", "111122223333")]).unwrap();
    assert_eq!(r.success_count, 1);
    assert_eq!(s.count().unwrap(), 31);
    // A finding created before schema 5 keeps its creation row; one created after has its creation
    // reported from its row. Both read the same.
    let created = |k: FindingKey| {
        let h = s.finding_history(&HistoryRequest::new(k)).unwrap();
        h.records.iter().filter(|r| r.created && r.source == "BATCH_IMPORT_FINDINGS").count()
    };
    assert_eq!(created(key.clone()), 1);
    assert_eq!(created(FindingKey::new(ARN, "new-after-upgrade")), 1);
    drop(s);

    // Opening again migrates nothing more.
    let s = Store::open(&path).unwrap();
    assert_eq!((version(&path), s.count().unwrap()), (16, 31));
    let indexes: Vec<String> = rusqlite::Connection::open(&path)
        .unwrap()
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'findings' ORDER BY 1")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(indexes.contains(&"findings_id_hash".to_string()), "{indexes:?}");
    assert!(!indexes.iter().any(|i| i.starts_with("sqlite_autoindex")), "{indexes:?}");
}

// The workbench's store queries (`matching_keys`: keys only, documents parsed only when their JSON
// text can match) find exactly what GetFindings' exact evaluation finds.
#[test]
fn matching_keys_agree_with_the_exact_evaluation() {
    let (_d, mut s) = store();
    let all = hubtriage::generate::demo_dataset();
    let calls: Vec<Vec<Value>> = all.chunks(100).map(<[Value]>::to_vec).collect();
    for r in s.import_calls(&admin(), calls).unwrap() {
        assert!(r.unwrap().failed.is_empty());
    }
    let queries = [
        "resource:AwsS3Bucket",
        "tag:Environment=prod",
        "public",
        "PUBLIC access",
        "sev>=high status:new product:guardduty",
        "\"publicly accessible\"",
        "type:\"Software and Configuration Checks\" compliance:failed",
        "i-0",
        "région",
        "say \"no\"",
    ];
    let mut narrowed = 0;
    for text in queries {
        let q = hubtriage::query::parse(text).unwrap();
        let words = |doc: &Value| q.matches_text(doc);
        let extra: Option<&(dyn Fn(&Value) -> bool + Sync)> = if q.text.is_empty() { None } else { Some(&words) };
        let exact: std::collections::BTreeSet<FindingKey> = s
            .find_all(&q.filters, &[], None, extra.map(|f| f as &dyn Fn(&Value) -> bool))
            .unwrap()
            .iter()
            .filter_map(FindingKey::of)
            .collect();
        let keys = s.matching_keys(&q.filters, &q.text, extra).unwrap();
        let got: std::collections::BTreeSet<FindingKey> = keys.iter().cloned().collect();
        assert_eq!(got.len(), keys.len(), "{text}: each key once");
        assert_eq!(got, exact, "{text}");
        if !exact.is_empty() && exact.len() < all.len() {
            narrowed += 1;
        }
    }
    assert!(narrowed >= 6, "most queries select some findings but not all: {narrowed}");
}

// Model, Severity.Label: "If you provide Normalized and don't provide Label, then Label is set
// automatically" (and Normalized from Label): a finding sent with either alone is found by the
// other's filter.
#[test]
fn a_severity_given_as_normalized_alone_is_filtered_by_its_label() {
    let (_d, mut s) = store();
    let mut by_normalized = finding("n", "111122223333");
    by_normalized.as_object_mut().unwrap().remove("FindingProviderFields");
    by_normalized["Severity"] = json!({"Normalized": 75});
    let mut by_label = finding("l", "111122223333");
    by_label.as_object_mut().unwrap().remove("FindingProviderFields");
    by_label["Severity"] = json!({"Label": "HIGH"});
    let r = s.batch_import(&admin(), vec![by_normalized, by_label]).unwrap();
    assert_eq!(r.success_count, 2);
    let high = get(&s, json!({"Filters": {"SeverityLabel": [{"Value": "HIGH", "Comparison": "EQUALS"}]}}));
    let ids: Vec<&str> = high["Findings"].as_array().unwrap().iter().map(|f| f["Id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2, "{high}");
    let seventy = get(&s, json!({"Filters": {"SeverityNormalized": [{"Gte": 70, "Lte": 70}]}}));
    assert_eq!(seventy["Findings"][0]["Id"], "l", "{seventy}");
    assert_eq!(seventy["Findings"].as_array().unwrap().len(), 1);
}

// BatchUpdateFindings API reference / model: FindingSizeExceeded, "The finding size was greater
// than the permissible
// value of 240 KB": an update that would take a stored finding over the limit is unprocessed and the
// stored finding is left as it was, while the others of the call are updated.
#[test]
fn an_update_that_would_exceed_240_kb_is_unprocessed_and_changes_nothing() {
    let (_d, mut s) = store();
    let mut big = finding("big", "111122223333");
    let size = serde_json::to_vec(&big).unwrap().len();
    big["Vulnerabilities"] = json!([{"Id": "CVE-2026-0001", "Description": "v".repeat(240 * 1024 - 700 - size)}]);
    let r = s.batch_import(&admin(), vec![big, finding("small", "111122223333")]).unwrap();
    assert_eq!(r.success_count, 2, "{r:?}");
    let before = s.get(&FindingKey::new(ARN, "big")).unwrap().unwrap();
    let udf: serde_json::Map<String, Value> = (0..3).map(|i| (format!("k{i}"), json!("x".repeat(1000)))).collect();
    let v = update(&mut s, &admin(), json!({"FindingIdentifiers": ids(&["big", "small"]), "UserDefinedFields": udf}));
    assert_eq!(v["ProcessedFindings"], ids(&["small"]), "{v}");
    assert_eq!(v["UnprocessedFindings"][0]["FindingIdentifier"]["Id"], "big");
    assert_eq!(v["UnprocessedFindings"][0]["ErrorCode"], "FindingSizeExceeded");
    assert!(v["UnprocessedFindings"][0]["ErrorMessage"].as_str().unwrap().contains("240 KB"), "{v}");
    assert_eq!(s.get(&FindingKey::new(ARN, "big")).unwrap().unwrap(), before);
    assert_eq!(s.get(&FindingKey::new(ARN, "small")).unwrap().unwrap()["UserDefinedFields"]["k2"], "x".repeat(1000));
}

// A very long PREFIX value (1 MB) is no server error ("LIKE or GLOB pattern too complex"): it is
// evaluated exactly, without a LIKE, and so is a long prefix that does match.
#[test]
fn a_long_prefix_filter_is_evaluated_not_a_store_error() {
    let (_d, mut s) = store();
    let long_id = "p".repeat(200);
    s.batch_import(&admin(), vec![finding(&long_id, "111122223333"), finding("q", "111122223333")]).unwrap();
    let prefix = |value: &str| json!({"Filters": {"Id": [{"Value": value, "Comparison": "PREFIX"}]}});
    let found = get(&s, prefix(&"x".repeat(1 << 20)));
    assert_eq!(found["Findings"].as_array().unwrap().len(), 0);
    let found = get(&s, prefix(&"p".repeat(1 << 20)));
    assert_eq!(found["Findings"].as_array().unwrap().len(), 0);
    let found = get(&s, prefix(&"p".repeat(199)));
    assert_eq!(found["Findings"].as_array().unwrap().len(), 1);
    // Over SQLite's LIKE pattern limit (50,000 bytes), and a match.
    let title =
        json!({"Filters": {"Title": [{"Value": format!("Title of {}", "p".repeat(60_000)), "Comparison": "PREFIX"}]}});
    assert_eq!(get(&s, title)["Findings"].as_array().unwrap().len(), 0);
    let filters = GetFindingsRequest::from_json(&prefix(&"%".repeat(1 << 20))).unwrap().filters;
    assert!(s.matching_keys(&filters, &[], None).unwrap().is_empty());
}

// The access model applies to reads as to updates (BatchUpdateFindings API reference, "Using
// BatchUpdateFindings"): a member sees its own findings, an administrator its own and its members',
// an account in no organisation (even one the store has never heard of) its own; the rest are not
// found. Checked for GetFindings, GetFindingHistory, the workbench's listing, queries and documents.
#[test]
fn reads_show_a_restricted_caller_only_the_accounts_it_may_see() {
    use hubtriage::api::{call, Operation};
    use hubtriage::backend::Backend;
    use hubtriage::model::finding::FindingId;
    use hubtriage::store::StoreBackend;

    let (d, mut s) = store();
    let (adm, mem, other) = ("111111111111", "222222222222", "333333333333");
    s.batch_import(&admin(), vec![finding("adm", adm), finding("mem", mem), finding("other", other)]).unwrap();
    s.set_members(adm, &[mem.to_string()]).unwrap();
    let as_account = |a: Option<&str>| Caller { account: a.map(str::to_string), identity: "t".into() };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let cases: [(Option<&str>, &[&str]); 4] = [
        (None, &["adm", "mem", "other"]),
        (Some(adm), &["adm", "mem"]),
        (Some(mem), &["mem"]),
        (Some("444444444444"), &[]),
    ];
    for (account, expected) in cases {
        let caller = as_account(account);
        let expected: Vec<String> = expected.iter().map(|e| e.to_string()).collect();
        let page = call(&mut s, &caller, Operation::GetFindings, &json!({})).unwrap();
        let got = page["Findings"].as_array().unwrap().iter().map(|f| f["Id"].as_str().unwrap().to_string());
        assert_eq!(sorted(got.collect()), expected, "GetFindings as {account:?}");
        for id in ["adm", "mem", "other"] {
            let req = json!({"FindingIdentifier": {"Id": id, "ProductArn": ARN}});
            let history = call(&mut s, &caller, Operation::GetFindingHistory, &req).unwrap();
            let found = !history["Records"].as_array().unwrap().is_empty();
            assert_eq!(found, expected.iter().any(|e| e == id), "GetFindingHistory of {id} as {account:?}");
        }

        let backend = StoreBackend::new(Store::open(d.path().join("findings.db")).unwrap(), caller);
        let mut listed = Vec::new();
        backend
            .for_each_summary(&mut |f| {
                listed.push(f.key.display_id().to_string());
                true
            })
            .unwrap();
        assert_eq!(sorted(listed), expected, "listing as {account:?}");
        assert_eq!(backend.count().unwrap(), Some(expected.len()), "count as {account:?}");
        let keys = backend.query(&hubtriage::query::parse("title:Title").unwrap()).unwrap();
        let keys = keys.iter().map(|k| k.display_id().to_string()).collect();
        assert_eq!(sorted(keys), expected, "matching keys as {account:?}");
        let wanted: Vec<FindingId> = ["adm", "mem", "other"].iter().map(|i| FindingId::asff(ARN, *i)).collect();
        let docs = backend.documents(&wanted).unwrap();
        let shown = docs.iter().flatten().map(|doc| doc["Id"].as_str().unwrap().to_string()).collect();
        assert_eq!(sorted(shown), expected, "documents as {account:?}");
        let history = backend.history(&FindingId::asff(ARN, "other")).unwrap();
        assert_eq!(history.is_empty(), !expected.iter().any(|e| e == "other"), "history as {account:?}");
    }
}

/// The findings of tests/fixtures/legacy-control-findings.json: CIS 1.2 and PCI DSS control findings
/// that name their control only in ProductFields, a consolidated one (Compliance.SecurityControlId),
/// and another product whose own ProductFields RuleId is not a Security Hub control.
fn legacy_control_findings() -> Vec<Value> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/legacy-control-findings.json"))
            .unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["Findings"].as_array().unwrap().clone()
}

/// (Title, control id) of every listed finding, by title.
fn listed_controls(s: &Store) -> Vec<(String, String)> {
    let mut out = Vec::new();
    s.for_each_listed(|c| {
        out.push((c.title, c.control_id));
        true
    })
    .unwrap();
    out.sort();
    out
}

// The query language's `control:` answers alike in memory (the workbench's rows, through each
// summary's probe document) and in the store (SQL pushdown, then the exact evaluation), for older
// Security Hub control findings too; and a store written before the fallback (schema 5, its control
// column empty for them) is brought up to date when opened.
#[test]
fn control_agrees_in_memory_and_in_the_store_and_older_stores_are_reprojected() {
    use hubtriage::model::summary::FindingSummary;
    let (dir, mut s) = store();
    let r = s.batch_import(&admin(), legacy_control_findings()).unwrap();
    assert_eq!((r.success_count, r.failed.len()), (5, 0), "{r:?}");
    let expected = vec![
        ("1.3 Ensure credentials unused for 90 days or greater are disabled".to_string(), "1.3".to_string()),
        ("2.9 Ensure VPC flow logging is enabled in all VPCs".into(), "2.9".into()),
        ("Example scanner rule 1.3 triggered".into(), "".into()),
        ("PCI.Lambda.2 Lambda functions should be in a VPC".into(), "PCI.Lambda.2".into()),
        ("S3 general purpose buckets should block public access".into(), "S3.8".into()),
    ];
    assert_eq!(listed_controls(&s), expected);

    let agree = |s: &Store| {
        let mut rows = Vec::new();
        s.for_each_listed(|c| {
            rows.push(FindingSummary::from_columns(c));
            true
        })
        .unwrap();
        for text in
            ["control:1.3", "control:PCI.Lambda.2", "control:PCI*", "control:S3.8", "control:1.3,2.9", "-control:2.9"]
        {
            let q = hubtriage::query::parse(text).unwrap();
            let mut in_memory: Vec<String> = rows
                .iter()
                .filter(|r| q.filters.matches(&r.probe_doc(), fixed_now()))
                .map(|r| r.key.display_id().to_string())
                .collect();
            let mut stored: Vec<String> =
                s.matching_keys(&q.filters, &q.text, None).unwrap().into_iter().map(|k| k.id).collect();
            in_memory.sort();
            stored.sort();
            assert_eq!(in_memory, stored, "{text}");
            assert!(!stored.is_empty(), "{text}");
        }
    };
    agree(&s);

    // An edit rewrites the row from the stored document's parsed members: the control id stays.
    let cis = legacy_control_findings()[0].clone();
    let key = FindingKey::of(&cis).unwrap();
    let v =
        update(&mut s, &admin(), json!({"FindingIdentifiers": [key.to_json()], "Workflow": {"Status": "NOTIFIED"}}));
    assert_eq!(v["ProcessedFindings"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(listed_controls(&s), expected);
    drop(s);

    // As a store written before schema 6 left them: no control id for the older control findings.
    let path = dir.path().join("findings.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let n = conn
            .execute("UPDATE findings SET control_id = '' WHERE control_id IN ('1.3', '2.9', 'PCI.Lambda.2')", [])
            .unwrap();
        assert_eq!(n, 3);
        conn.pragma_update(None, "user_version", 5).unwrap();
    }
    let s = Store::open(&path).unwrap().with_clock(fixed_now);
    let version: i64 =
        rusqlite::Connection::open(&path).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 16);
    assert_eq!(listed_controls(&s), expected);
    agree(&s);
}
