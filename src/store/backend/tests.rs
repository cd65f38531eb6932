//! The store as the workbench's backend over both formats: one list, and queries that mean the same
//! on an ASFF finding and on its OCSF (Security Hub V2) form.

use std::collections::{BTreeSet, HashMap};

use super::*;
use crate::generate::ocsf::to_ocsf;
use crate::generate::{generate, GenOptions};
use crate::model::ocsf::Ocsf;

/// A store holding `n` generated ASFF findings and the OCSF form of each, and the OCSF uid of each
/// ASFF finding. Each OCSF form gets a `finding_info.uid` of its own, so that it is another finding
/// with the same members (one finding in both forms lists once: `model::ocsf::same`, tested in
/// tests/ocsf_same.rs), and the two lists can be compared row by row.
fn both(n: usize) -> (tempfile::TempDir, StoreBackend, HashMap<FindingId, FindingId>) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("s.db")).unwrap();
    let asff: Vec<Value> = generate(&GenOptions { count: n, seed: 11, ..GenOptions::default() }).collect();
    let ocsf: Vec<Value> = asff
        .iter()
        .map(|a| {
            let mut o = to_ocsf(a);
            let uid = format!("{}/copy", Ocsf(&o).finding_uid());
            o["finding_info"]["uid"] = Value::String(uid);
            o
        })
        .collect();
    let caller = Caller::unrestricted("t");
    for chunk in asff.chunks(100) {
        store.batch_import(&caller, chunk.to_vec()).unwrap();
    }
    let r = store.import_ocsf(&caller, ocsf.clone()).unwrap();
    assert_eq!(r.success_count, n, "{:?}", r.failed);
    let pairs = asff
        .iter()
        .zip(&ocsf)
        .map(|(a, o)| {
            (FindingId::Asff(FindingKey::of(a).unwrap()), FindingId::Ocsf(Ocsf(o).metadata_uid().to_string()))
        })
        .collect();
    (dir, StoreBackend::new(store, caller), pairs)
}

#[test]
fn the_list_holds_both_formats_with_ocsf_labels() {
    let (_dir, backend, pairs) = both(60);
    let mut rows = Vec::new();
    backend
        .for_each_summary(&mut |s| {
            rows.push(s);
            true
        })
        .unwrap();
    assert_eq!(rows.len(), 120);
    let ocsf: Vec<_> = rows.iter().filter(|r| r.key.format() == crate::model::finding::Format::Ocsf).collect();
    assert_eq!(ocsf.len(), 60);
    assert!(ocsf.iter().all(|r| r.ocsf.is_some_and(|o| o.class.is_some() && o.severity_id.is_some())));
    assert!(rows.iter().filter(|r| r.ocsf.is_none()).all(|r| r.key.as_asff().is_some()));
    // The OCSF form reads as its ASFF finding in the list's columns.
    let by_key: HashMap<_, _> = rows.iter().map(|r| (r.key.clone(), r)).collect();
    for (a, o) in &pairs {
        let (a, o) = (by_key[a], by_key[o]);
        assert_eq!((a.severity, a.workflow, &a.title, &a.account), (o.severity, o.workflow, &o.title, &o.account));
    }
    // Its document and history are there for the detail pane.
    let (_, uid) = pairs.iter().next().unwrap();
    let docs = backend.documents(std::slice::from_ref(uid)).unwrap();
    assert!(docs[0].as_ref().is_some_and(|d| Format::of(d) == Some(crate::model::finding::Format::Ocsf)));
}

use crate::model::finding::Format;

#[test]
fn queries_mean_the_same_on_both_formats() {
    let (_dir, backend, pairs) = both(120);
    let sample = backend.documents(&[pairs.keys().next().unwrap().clone()]).unwrap().remove(0).unwrap();
    let account = sample["AwsAccountId"].as_str().unwrap().to_string();
    let region = sample["Region"].as_str().unwrap().to_string();
    let queries = [
        "sev>=high".to_string(),
        "status:new".into(),
        "status:notified,suppressed".into(),
        format!("account:{account}"),
        format!("region:{region}"),
        "product:guardduty".into(),
        "product:inspector sev:critical".into(),
        "title:bucket".into(),
        "resource:AwsS3Bucket".into(),
        "resource:AwsEc2Instance,AwsIamRole".into(),
        "control:S3.*".into(),
        "compliance:failed".into(),
        "record:archived".into(),
        "public".into(),
    ];
    for text in queries {
        let q = crate::query::parse(&text).unwrap();
        let found: BTreeSet<FindingId> = backend.query(&q).unwrap().into_iter().collect();
        let asff: BTreeSet<&FindingId> = found.iter().filter(|k| k.as_asff().is_some()).collect();
        let ocsf: BTreeSet<&FindingId> = found.iter().filter(|k| k.as_asff().is_none()).collect();
        let expected: BTreeSet<&FindingId> = asff.iter().map(|a| &pairs[*a]).collect();
        assert_eq!(ocsf, expected, "{text}: the OCSF forms of the ASFF matches");
        if !text.starts_with("record") {
            assert!(!asff.is_empty(), "{text} matches something");
        }
    }
}

#[test]
fn the_workbench_rows_answer_as_the_store_does_on_both_formats() {
    let (_dir, backend, _) = both(80);
    let mut rows = Vec::new();
    backend
        .for_each_summary(&mut |s| {
            rows.push(s);
            true
        })
        .unwrap();
    let now = backend.store.now();
    for text in ["sev>=high", "sev:critical", "status:new", "status:notified", "product:inspector", "compliance:failed"]
    {
        let q = crate::query::parse(text).unwrap();
        assert!(
            q.filters.iter().all(|(d, _)| crate::app::row::IN_MEMORY_FIELDS.contains(&d.name)),
            "{text} is in memory"
        );
        let set = crate::app::columnar::matching(&rows, &q.filters, now);
        let in_memory: BTreeSet<FindingId> =
            (0..rows.len() as u32).filter(|i| set.contains(*i)).map(|i| rows[i as usize].key.clone()).collect();
        let stored: BTreeSet<FindingId> = backend.query(&q).unwrap().into_iter().collect();
        assert_eq!(in_memory, stored, "{text}");
        assert!(in_memory.iter().any(|k| k.as_asff().is_none()), "{text} finds OCSF rows");
    }
}

#[test]
fn ocsf_edits_go_through_batch_update_findings_v2_and_undo_restores_their_ids() {
    use crate::model::enums::{SeverityLabel, WorkflowStatus};
    use crate::model::update::{FindingUpdate, NoteUpdate, SeverityUpdate};
    let (_dir, mut backend, pairs) = both(10);
    let mut ids: Vec<FindingId> = pairs.keys().take(3).cloned().collect();
    ids.extend(pairs.values().take(3).cloned());
    // Give the OCSF findings values only OCSF has, and a comment.
    let v2 = |uids: Vec<String>, update| crate::model::wire::batch_update_v2::BatchUpdateV2Request {
        targets: crate::model::wire::batch_update_v2::V2Targets::MetadataUids(uids),
        update,
    };
    let uids: Vec<String> = ids[3..].iter().map(|k| k.display_id().to_string()).collect();
    let odd = crate::model::ocsf::OcsfUpdate {
        comment: Some("before".into()),
        severity_id: Some(crate::model::ocsf::SeverityId::Fatal),
        status_id: Some(crate::model::ocsf::StatusId::Archived),
    };
    backend.store.batch_update_v2_as(&backend.caller.clone(), &v2(uids, odd)).unwrap();
    let before = backend.documents(&ids).unwrap();

    let edit = FindingUpdate {
        workflow_status: Some(WorkflowStatus::Notified),
        severity: Some(SeverityUpdate { label: Some(SeverityLabel::Low), ..SeverityUpdate::default() }),
        note: Some(NoteUpdate { text: "looked at".into(), updated_by: "alice".into() }),
        ..FindingUpdate::default()
    };
    let plan = crate::model::plan::CallPlan::new(edit.clone(), ids.clone());
    let mut restores = Vec::new();
    for call in plan.update_calls() {
        let outcome = backend.batch_update(&call).unwrap();
        assert_eq!(outcome.processed.len(), 3, "{:?}", outcome.unprocessed);
    }
    for (id, doc) in ids.iter().zip(&before) {
        restores.push((id.clone(), crate::model::undo::restore_for(doc.as_ref().unwrap(), &edit)));
    }
    let after = backend.documents(&ids).unwrap();
    for doc in &after[3..] {
        let d = doc.as_ref().unwrap();
        assert_eq!((&d["status_id"], &d["status"]), (&serde_json::json!(2), &serde_json::json!("In Progress")));
        assert_eq!((&d["severity_id"], &d["comment"]), (&serde_json::json!(2), &serde_json::json!("looked at")));
    }
    assert_eq!(after[0].as_ref().unwrap()["Workflow"]["Status"], "NOTIFIED");
    let history = backend.history(&ids[3]).unwrap();
    assert!(history[0].changes.iter().any(|c| c.field == "status_id"), "{history:?}");

    // Undo: the previous status_id 5, severity_id 6 and comment, exactly.
    let undo = crate::model::plan::CallPlan::grouping(restores);
    assert_eq!(undo.v2_call_count(), 1);
    for call in undo.update_calls() {
        backend.batch_update(&call).unwrap();
    }
    let undone = backend.documents(&ids).unwrap();
    for (b, u) in before[3..].iter().zip(&undone[3..]) {
        let (b, u) = (b.as_ref().unwrap(), u.as_ref().unwrap());
        for m in ["status_id", "status", "severity_id", "severity", "comment"] {
            assert_eq!(b[m], u[m], "{m}");
        }
    }
    assert_eq!(undone[0].as_ref().unwrap()["Workflow"]["Status"], before[0].as_ref().unwrap()["Workflow"]["Status"]);
}
