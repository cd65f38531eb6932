//! One finding stored in both forms (its ASFF document from GetFindings and its OCSF document from
//! GetFindingsV2: `finding_info.uid` is the ASFF `Id`, `metadata.product.uid` the ProductArn with
//! `::productv2/`): the workbench's listing and `findings` show it once, as its ASFF row; the detail
//! can show the OCSF document too; an edit goes to both (BatchUpdateFindings and
//! BatchUpdateFindingsV2). GetFindingsV2 itself still answers with every OCSF finding.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Output;

use serde_json::{json, Value};

use hubtriage::backend::Backend;
use hubtriage::generate::ocsf::generate_ocsf;
use hubtriage::generate::{generate, GenOptions};
use hubtriage::model::call::UpdateCall;
use hubtriage::model::enums::WorkflowStatus;
use hubtriage::model::finding::{FindingId, FindingKey};
use hubtriage::model::update::FindingUpdate;
use hubtriage::store::{Caller, Store, StoreBackend};

mod common;
use common::run;

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// 6 findings in both forms, 3 only in OCSF form, 2 only in ASFF form.
fn store(dir: &std::path::Path) -> (std::path::PathBuf, Vec<Value>, Vec<Value>) {
    let opts = GenOptions { count: 6, seed: 31, ..GenOptions::default() };
    let both_asff: Vec<Value> = generate(&opts).collect();
    let both_ocsf: Vec<Value> = generate_ocsf(&opts).collect();
    let mut all = both_asff.clone();
    all.extend(both_ocsf.clone());
    all.extend(generate_ocsf(&GenOptions { count: 3, seed: 77, ..GenOptions::default() }));
    all.extend(generate(&GenOptions { count: 2, seed: 78, ..GenOptions::default() }));
    let path = dir.join("s.db");
    let file = dir.join("both.json");
    std::fs::write(&file, json!({"Findings": all}).to_string()).unwrap();
    let o = run(&path, &["import", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    (path, both_asff, both_ocsf)
}

fn v2_all(store: &std::path::Path, dir: &std::path::Path) -> Vec<Value> {
    let req = dir.join("get.json");
    std::fs::write(&req, json!({"MaxResults": 100}).to_string()).unwrap();
    let o = run(store, &["api", "GetFindingsV2", "--input-json", req.to_str().unwrap()]);
    let out: Value = serde_json::from_slice(&o.stdout).unwrap();
    out["Findings"].as_array().unwrap().clone()
}

#[test]
fn a_finding_in_both_forms_lists_once() {
    let dir = tempfile::tempdir().unwrap();
    let (path, asff, _) = store(dir.path());
    let o = run(&path, &["findings", "", "--format", "json"]);
    let found: Value = serde_json::from_slice(&o.stdout).unwrap();
    let found = found["Findings"].as_array().unwrap();
    assert_eq!(found.len(), 6 + 3 + 2, "{}", text(&o));
    assert_eq!(found.iter().filter(|f| f.get("metadata").is_some()).count(), 3, "only the OCSF-only ones");
    for a in &asff {
        assert!(found.iter().any(|f| f["Id"] == a["Id"]), "the ASFF row of a finding in both forms is the one listed");
    }
    let o = run(&path, &["findings", ""]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("11 findings"), "{}", text(&o));

    // The workbench's listing.
    let store = Store::open(&path).unwrap();
    let mut rows = Vec::new();
    store
        .for_each_listed(|r| {
            rows.push(r.key);
            true
        })
        .unwrap();
    assert_eq!(rows.len(), 11, "{rows:?}");
    assert_eq!(rows.iter().filter(|k| matches!(k, FindingId::Ocsf(_))).count(), 3);

    // GetFindingsV2 is the V2 API: every OCSF finding.
    assert_eq!(v2_all(&path, dir.path()).len(), 9);
}

#[test]
fn the_detail_has_both_documents_and_an_edit_goes_to_both() {
    let dir = tempfile::tempdir().unwrap();
    let (path, asff, ocsf) = store(dir.path());
    let mut backend = StoreBackend::new(Store::open(&path).unwrap(), Caller::unrestricted("tester"));
    let key = FindingKey::of(&asff[0]).unwrap();
    let id = FindingId::Asff(key.clone());
    assert_eq!(backend.other_form(&id).unwrap().as_ref(), Some(&ocsf[0]));
    let only_ocsf = generate_ocsf(&GenOptions { count: 3, seed: 77, ..GenOptions::default() }).next().unwrap();
    let uid = only_ocsf["metadata"]["uid"].as_str().unwrap().to_string();
    assert_eq!(backend.other_form(&FindingId::Ocsf(uid)).unwrap(), None);

    let update = FindingUpdate { workflow_status: Some(WorkflowStatus::Suppressed), ..FindingUpdate::default() };
    let out = backend.batch_update(&UpdateCall { ids: vec![id.clone()], update }).unwrap();
    assert_eq!(out.processed, vec![id.clone()]);
    assert!(out.unprocessed.is_empty(), "{out:?}");
    let twin = backend.other_form(&id).unwrap().unwrap();
    assert_eq!((&twin["status_id"], &twin["status"]), (&json!(3), &json!("Suppressed")));
    let asff_now = backend.documents(std::slice::from_ref(&id)).unwrap().pop().flatten().unwrap();
    assert_eq!(asff_now["Workflow"]["Status"], "SUPPRESSED");
}

#[test]
fn update_sends_both_calls_for_a_finding_in_both_forms() {
    let dir = tempfile::tempdir().unwrap();
    let (path, asff, _) = store(dir.path());
    let o = run(&path, &["update", "", "--workflow", "resolved", "--note", "both", "--yes"]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("on 11 findings: 1 BatchUpdateFindings call and 1 BatchUpdateFindingsV2 call"), "{out}");
    assert!(out.contains("6 of them are also stored in OCSF form, updated too"), "{out}");
    for f in v2_all(&path, dir.path()) {
        assert_eq!((&f["status_id"], &f["comment"]), (&json!(4), &json!("both")), "{f}");
    }

    // By --ids: the ASFF Id alone names the finding; both forms change.
    let file = dir.path().join("ids.txt");
    std::fs::write(&file, format!("{}\n", asff[1]["Id"].as_str().unwrap())).unwrap();
    let o = run(&path, &["update", "--ids", file.to_str().unwrap(), "--workflow", "notified", "--yes"]);
    let out = text(&o);
    assert!(
        out.contains("1 of them are also stored in OCSF form, updated too (in 1 more BatchUpdateFindingsV2 call)"),
        "{out}"
    );
    assert!(out.contains("2 processed, 0 unprocessed"), "{out}");
    let twin_uid = hubtriage::model::ocsf::same::ocsf_ref_of(&FindingKey::of(&asff[1]).unwrap()).0.to_string();
    let v2 = v2_all(&path, dir.path());
    let twin = v2.iter().find(|f| f["finding_info"]["uid"] == twin_uid.as_str()).unwrap();
    assert_eq!(twin["status_id"], 2);
}

#[test]
fn an_expiring_suppression_reaches_both_forms() {
    let dir = tempfile::tempdir().unwrap();
    let (path, asff, _) = store(dir.path());
    let mut backend = StoreBackend::new(Store::open(&path).unwrap(), Caller::unrestricted("tester"));
    let key = FindingKey::of(&asff[0]).unwrap();
    let id = FindingId::Asff(key.clone());
    let expiry = hubtriage::store::expiry::SetExpiry {
        expires: hubtriage::model::timestamp::parse("2099-01-31T00:00:00Z").unwrap(),
        set_by: "tester".into(),
        reason: "accepted risk".into(),
    };
    let update = FindingUpdate { workflow_status: Some(WorkflowStatus::Suppressed), ..FindingUpdate::default() };
    let out = backend.batch_update_expiring(&UpdateCall { ids: vec![id.clone()], update }, &expiry).unwrap();
    assert_eq!(out.processed, vec![id.clone()]);
    assert!(out.unprocessed.is_empty(), "{out:?}");
    let asff_now = backend.documents(std::slice::from_ref(&id)).unwrap().pop().flatten().unwrap();
    assert_eq!(asff_now["Workflow"]["Status"], "SUPPRESSED");
    assert_eq!(backend.store.expiry_of(&key).unwrap().map(|e| e.expires), Some(expiry.expires));
    let twin = backend.other_form(&id).unwrap().unwrap();
    assert_eq!(
        (&twin["status_id"], &twin["status"]),
        (&json!(3), &json!("Suppressed")),
        "the OCSF form is suppressed too"
    );

    // When the expiry passes, both forms are reopened, the OCSF one with the same note as comment.
    let reopened =
        backend.store.expire_due(hubtriage::model::timestamp::parse("2099-02-01T00:00:00Z").unwrap()).unwrap();
    assert_eq!(reopened.len(), 1);
    let asff_now = backend.documents(std::slice::from_ref(&id)).unwrap().pop().flatten().unwrap();
    assert_eq!(asff_now["Workflow"]["Status"], "NEW");
    let twin = backend.other_form(&id).unwrap().unwrap();
    assert_eq!((&twin["status_id"], &twin["status"]), (&json!(1), &json!("New")), "the OCSF form is reopened too");
    assert_eq!(twin["comment"], asff_now["Note"]["Text"]);
}

#[test]
fn the_workbench_count_counts_a_finding_in_both_forms_once() {
    let dir = tempfile::tempdir().unwrap();
    let (path, asff, _) = store(dir.path());
    let backend = StoreBackend::new(Store::open(&path).unwrap(), Caller::unrestricted("tester"));
    let mut listed = 0;
    backend
        .for_each_summary(&mut |_| {
            listed += 1;
            true
        })
        .unwrap();
    assert_eq!(listed, 11);
    assert_eq!(backend.count().unwrap(), Some(11), "the header's count is the list's");
    // An account's caller counts what it may see, once too.
    let account = asff[0]["AwsAccountId"].as_str().unwrap().to_string();
    let caller = Caller { account: Some(account), identity: "member".into() };
    let backend = StoreBackend::new(Store::open(&path).unwrap(), caller);
    let mut listed = 0;
    backend
        .for_each_summary(&mut |_| {
            listed += 1;
            true
        })
        .unwrap();
    assert_eq!(backend.count().unwrap(), Some(listed));
}
