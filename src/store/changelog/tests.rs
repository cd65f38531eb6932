//! The change log: a logged edit is an entry with each finding's restore, kept across opening the
//! store again, and undone from there.

use serde_json::json;

use super::*;
use crate::model::plan::CallPlan;
use crate::store::tests::clock;

#[test]
fn a_logged_edit_is_undone_after_the_store_is_opened_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let findings: Vec<Value> =
        crate::generate::generate(&crate::generate::GenOptions { count: 5, ..Default::default() }).collect();
    let keys: Vec<FindingKey> = findings.iter().filter_map(FindingKey::of).collect();
    let before: Vec<Value> = {
        let mut store = Store::open(&path).unwrap().with_clock(clock);
        store.batch_import(&Caller::unrestricted("t"), findings.clone()).unwrap();
        let request = BatchUpdateRequest::from_json(&json!({
            "FindingIdentifiers": keys.iter().map(FindingKey::to_json).collect::<Vec<_>>(),
            "Workflow": {"Status": "SUPPRESSED"}, "Severity": {"Label": "LOW"}
        }))
        .unwrap();
        let before = keys.iter().map(|k| store.get(k).unwrap().unwrap()).collect();
        let (answers, id) = store
            .batch_updates_logged(&Caller::unrestricted("alice"), &[request], None, "Set Workflow SUPPRESSED")
            .unwrap();
        assert_eq!(answers[0].processed.len(), 5);
        assert_eq!(id, Some(1));
        before
    };
    // The program quits; another opens the store.
    let mut store = Store::open(&path).unwrap().with_clock(clock);
    let log = store.change_log(10).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].identity.as_str(), log[0].findings, log[0].undone_by), ("alice", 5, None));
    let plan = store.undo_plan(1).unwrap();
    assert_eq!((plan.restores.len(), plan.unrestorable), (5, 0));
    let calls = CallPlan::grouping(plan.restores.clone());
    let requests: Vec<_> = calls.requests().collect();
    let (_, undo) = store.batch_updates_logged(&Caller::unrestricted("bob"), &requests, None, "Undo #1").unwrap();
    store.mark_undone(1, undo.unwrap()).unwrap();
    for (k, b) in keys.iter().zip(&before) {
        let now = store.get(k).unwrap().unwrap();
        assert_eq!(now["Workflow"]["Status"], b["Workflow"]["Status"]);
        assert_eq!(now["Severity"]["Label"], b["Severity"]["Label"]);
    }
    assert_eq!(store.change_log(10).unwrap()[1].undone_by, Some(2));
    assert!(store.undo_plan(9).is_err());
}

#[test]
fn an_edit_that_processes_nothing_is_not_logged() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("s.db")).unwrap();
    let request = BatchUpdateRequest::from_json(&json!({
        "FindingIdentifiers": [{"Id": "none", "ProductArn": "arn:aws:securityhub:us-east-1::product/x/y"}],
        "Workflow": {"Status": "RESOLVED"}
    }))
    .unwrap();
    let (_, id) = store.batch_updates_logged(&Caller::unrestricted("a"), &[request], None, "x").unwrap();
    assert_eq!(id, None);
    assert!(store.change_log(5).unwrap().is_empty());
}

// The restore read from the summary columns is the one the document gives, for every field a quick
// edit touches, on findings with and without each field.
#[test]
fn restores_from_the_columns_match_restores_from_the_documents() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("s.db")).unwrap();
    let findings: Vec<Value> =
        crate::generate::generate(&crate::generate::GenOptions { count: 300, seed: 11, ..Default::default() })
            .collect();
    for chunk in findings.chunks(100) {
        store.batch_import(&Caller::unrestricted("t"), chunk.to_vec()).unwrap();
    }
    // Every third finding: a spread of products, and of findings with and without each field.
    let keys: Vec<FindingKey> = findings.iter().filter_map(FindingKey::of).step_by(3).collect();
    let request = BatchUpdateRequest::from_json(&json!({
        "FindingIdentifiers": keys.iter().take(100).map(FindingKey::to_json).collect::<Vec<_>>(),
        "Workflow": {"Status": "NOTIFIED"}, "Severity": {"Label": "LOW"}, "VerificationState": "TRUE_POSITIVE",
        "Confidence": 5, "Criticality": 6, "Note": {"Text": "x", "UpdatedBy": "y"}
    }))
    .unwrap();
    let docs: Vec<Value> = keys.iter().take(100).map(|k| store.get(k).unwrap().unwrap()).collect();
    let codec = super::super::codec::Codec::load(std::path::PathBuf::new(), &store.conn).unwrap();
    let tx = store.conn.transaction().unwrap();
    let restores = restores_before(&tx, &codec, std::slice::from_ref(&request)).unwrap();
    assert_eq!(restores.len(), 100);
    for (key, doc) in keys.iter().zip(&docs) {
        let expected = crate::model::undo::restore_for(doc, &request.update);
        assert_eq!(restores[key].1, expected, "{}", key.id);
    }
}
