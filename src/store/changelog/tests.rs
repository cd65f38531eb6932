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
    let calls = CallPlan::grouping(plan.restores.iter().map(|(id, u)| (id.as_asff().unwrap().clone(), u.clone())));
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

/// ASFF findings 0..4, the OCSF form of findings 0 and 1 (stored in both forms) and OCSF findings
/// 4..7 alone: finding 4 with a comment, finding 5 Archived and Fatal (no ASFF label names either).
fn mixed(store: &mut Store) -> (Vec<FindingKey>, Vec<String>, Vec<String>) {
    let opts = crate::generate::GenOptions { count: 7, seed: 31, ..Default::default() };
    let asff: Vec<Value> = crate::generate::generate(&opts).collect();
    let mut ocsf: Vec<Value> = crate::generate::ocsf::generate_ocsf(&opts).collect();
    ocsf[4]["comment"] = json!("was: triage later");
    ocsf[5]["status_id"] = json!(5);
    ocsf[5]["status"] = json!("Archived");
    ocsf[5]["severity_id"] = json!(6);
    ocsf[5]["severity"] = json!("Fatal");
    store.batch_import(&Caller::unrestricted("t"), asff[..4].to_vec()).unwrap();
    let mut imported = ocsf[..2].to_vec();
    imported.extend(ocsf[4..].iter().cloned());
    let r = store.import_ocsf(&Caller::unrestricted("t"), imported).unwrap();
    assert_eq!(r.success_count, 5);
    let keys = asff[..4].iter().filter_map(FindingKey::of).collect();
    let uid = |d: &Value| d["metadata"]["uid"].as_str().unwrap().to_string();
    (keys, ocsf[..2].iter().map(uid).collect(), ocsf[4..].iter().map(uid).collect())
}

// A bulk edit of both formats is one entry counting each finding once (a finding stored in both
// forms is one), and its undo puts back the OCSF findings' exact status_id, severity_id and
// comment through BatchUpdateFindingsV2, times untouched, logged as an undo entry.
#[test]
fn a_mixed_edit_is_logged_with_its_ocsf_findings_and_undone_after_the_store_is_opened_again() {
    use crate::model::ocsf::{OcsfUpdate, SeverityId, StatusId};
    use crate::model::wire::batch_update_v2::{BatchUpdateV2Request, V2Targets};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let access = super::super::Access::Unrestricted;
    let (keys, twins, alone, before) = {
        let mut store = Store::open(&path).unwrap().with_clock(clock);
        let (keys, twins, alone) = mixed(&mut store);
        let before: Vec<Value> =
            twins.iter().chain(&alone).map(|u| store.get_ocsf_as(&access, u).unwrap().unwrap()).collect();
        let asff = BatchUpdateRequest::from_json(&json!({
            "FindingIdentifiers": keys.iter().map(FindingKey::to_json).collect::<Vec<_>>(),
            "Workflow": {"Status": "RESOLVED"}, "Severity": {"Label": "LOW"}, "Note": {"Text": "done", "UpdatedBy": "alice"}
        }))
        .unwrap();
        let update = OcsfUpdate {
            comment: Some("done".into()),
            severity_id: Some(SeverityId::Low),
            status_id: Some(StatusId::Resolved),
        };
        let uids: Vec<String> = twins.iter().chain(&alone).cloned().collect();
        let v2 = BatchUpdateV2Request { targets: V2Targets::MetadataUids(uids), update };
        let answers = store
            .batch_updates_both_logged(&Caller::unrestricted("alice"), &[asff], &[v2], None, "Set Workflow RESOLVED")
            .unwrap();
        assert_eq!((answers.asff[0].processed.len(), answers.v2[0].processed.len()), (4, 5));
        assert_eq!(answers.entry, Some(1));
        (keys, twins, alone, before)
    };
    // The program quits; another opens the store.
    let mut store = Store::open(&path).unwrap().with_clock(clock);
    let log = store.change_log(10).unwrap();
    assert_eq!(log[0].findings, 7, "4 ASFF findings (2 also in OCSF form) and 3 OCSF findings alone");
    let plan = store.undo_plan(1).unwrap();
    assert_eq!((plan.restores.len(), plan.unrestorable), (7, 0));
    for uid in &alone {
        let (_, u) = plan.restores.iter().find(|(id, _)| *id == FindingId::Ocsf(uid.clone())).unwrap();
        assert!(u.v2.is_some(), "{u:?}");
    }
    let twin = plan.restores.iter().find(|(id, _)| *id == FindingId::Asff(keys[0].clone())).unwrap();
    assert!(twin.1.v2.is_some(), "the OCSF form's own restore rides with its ASFF form's");

    let (by, outcome) = store.apply_undo(&Caller::unrestricted("bob"), &plan).unwrap();
    assert_eq!((by, outcome.processed.len(), outcome.unprocessed.len()), (Some(2), 7, 0));
    for (uid, was) in twins.iter().chain(&alone).zip(&before) {
        let now = store.get_ocsf_as(&access, uid).unwrap().unwrap();
        for member in ["status_id", "status", "severity_id", "severity", "finding_info", "time", "metadata"] {
            assert_eq!(now[member], was[member], "{uid} {member}");
        }
        // A comment the finding did not have stays: BatchUpdateFindingsV2 cannot remove one.
        let comment = if was.get("comment").is_some() { was["comment"].clone() } else { json!("done") };
        assert_eq!(now["comment"], comment, "{uid}");
    }
    assert_eq!(before[3]["status_id"], json!(5), "Archived came back, which no workflow status names");
    assert_eq!(store.get_ocsf_as(&access, &alone[1]).unwrap().unwrap()["severity_id"], json!(6));
    let log = store.change_log(10).unwrap();
    assert_eq!((log[0].findings, log[1].undone_by), (7, Some(2)));
    assert!(log[0].description.starts_with("Undo #1 (Set Workflow RESOLVED by alice at "), "{}", log[0].description);
    // The undo is itself undoable, in both formats.
    let again = store.undo_plan(2).unwrap();
    assert_eq!(again.restores.len(), 7);
}

// An entry kept before OCSF findings were logged names only the ASFF form of a finding stored in
// both forms: its undo puts the OCSF form back too, with the ASFF restore, as an edit sends an ASFF
// edit there.
#[test]
fn an_older_entry_without_the_ocsf_form_s_restore_puts_it_back_from_the_asff_one() {
    use crate::model::enums::WorkflowStatus;
    use crate::model::ocsf::{OcsfUpdate, StatusId};
    use crate::model::wire::batch_update_v2::{BatchUpdateV2Request, V2Targets};
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("s.db")).unwrap().with_clock(clock);
    let (keys, twins, _) = mixed(&mut store);
    let access = super::super::Access::Unrestricted;
    let before = store.get(&keys[0]).unwrap().unwrap()["Workflow"]["Status"].clone();
    let workflow = WorkflowStatus::parse(before.as_str().unwrap()).unwrap();
    // Both forms edited to Suppressed, the entry kept with the ASFF restore alone.
    let edit = BatchUpdateRequest::from_json(&json!({
        "FindingIdentifiers": [keys[0].to_json()], "Workflow": {"Status": "SUPPRESSED"}
    }))
    .unwrap();
    store.batch_update(&Caller::unrestricted("a"), &edit).unwrap();
    let update = OcsfUpdate { status_id: Some(StatusId::Suppressed), ..OcsfUpdate::default() };
    let v2 = BatchUpdateV2Request { targets: V2Targets::MetadataUids(vec![twins[0].clone()]), update };
    store.batch_update_v2_as(&Caller::unrestricted("a"), &v2).unwrap();
    let restore = FindingUpdate { workflow_status: Some(workflow), ..FindingUpdate::default() };
    let id = store.log_edit(
        &Caller::unrestricted("a"),
        "Set Workflow SUPPRESSED",
        &[(keys[0].clone().into(), restore)],
        &[],
    );
    let plan = store.undo_plan(id.unwrap().unwrap()).unwrap();
    assert_eq!((plan.restores.len(), plan.restores[0].1.v2.clone()), (1, None));

    let (_, outcome) = store.apply_undo(&Caller::unrestricted("b"), &plan).unwrap();
    assert_eq!(outcome.processed, vec![FindingId::Asff(keys[0].clone())], "the OCSF form is not counted apart");
    assert_eq!(store.get(&keys[0]).unwrap().unwrap()["Workflow"]["Status"], before);
    let twin = store.get_ocsf_as(&access, &twins[0]).unwrap().unwrap();
    assert_eq!(twin["status_id"], json!(StatusId::from_workflow(workflow).id()));
    assert_eq!(store.change_log(1).unwrap()[0].findings, 1);
}
