//! `:log`'s effects against the real store: the log read, an entry's plan read, and an undo sent
//! as `hubtriage log --undo` sends it (logged, the entry marked undone); a source without a log
//! answers with why.

use serde_json::Value;
use tokio::sync::mpsc::unbounded_channel;

use super::execute;
use crate::app::{Effect, Event};
use crate::backend::Backend;
use crate::generate::{generate, GenOptions};
use crate::model::call::UpdateCall;
use crate::model::enums::WorkflowStatus;
use crate::model::finding::{FindingId, FindingKey};
use crate::store::{Caller, Store, StoreBackend};

#[test]
fn the_log_is_read_an_entry_planned_and_undone_through_the_worker() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = Store::open(&path).unwrap();
    let docs: Vec<Value> = generate(&GenOptions { count: 4, seed: 9, ..GenOptions::default() }).collect();
    store.batch_import(&Caller::unrestricted("t"), docs.clone()).unwrap();
    let keys: Vec<FindingKey> = docs.iter().map(|d| FindingKey::of(d).unwrap()).collect();
    let before: Vec<Option<String>> =
        keys.iter().map(|k| store.get(k).unwrap().unwrap()["Workflow"]["Status"].as_str().map(String::from)).collect();
    let mut backend = StoreBackend::new(store, Caller::unrestricted("alice"));
    let (tx, mut rx) = unbounded_channel();

    // The workbench's edit, logged as it logs it.
    let ids: Vec<FindingId> = keys.iter().cloned().map(FindingId::Asff).collect();
    let update = crate::app::edit::workflow_update(WorkflowStatus::Resolved, None);
    assert!(execute(&mut backend, Effect::ApplyBatch { batch_id: 1, calls: vec![UpdateCall { ids, update }] }, &tx));
    let Event::BatchApplied { outcome, .. } = rx.try_recv().unwrap() else { panic!() };
    let effect = Effect::LogEdit { description: "Set Workflow RESOLVED".into(), restores: outcome.restores };
    assert!(execute(&mut backend, effect, &tx));

    assert!(execute(&mut backend, Effect::LoadChangeLog { limit: 10 }, &tx));
    let Event::ChangeLogLoaded { entries } = rx.try_recv().unwrap() else { panic!() };
    assert_eq!(entries.len(), 1);
    let id = entries[0].id;
    assert_eq!((entries[0].identity.as_str(), entries[0].findings), ("alice", 4));

    assert!(execute(&mut backend, Effect::LoadLogEntry { id }, &tx));
    let Event::LogEntryLoaded { plan } = rx.try_recv().unwrap() else { panic!() };
    assert_eq!(plan.restores.len(), 4);

    assert!(execute(&mut backend, Effect::UndoLogged { id }, &tx));
    let Event::LogUndone { id: undone, by: Some(by), outcome } = rx.try_recv().unwrap() else { panic!() };
    assert_eq!(undone, id);
    assert_eq!(outcome.processed.len(), 4);
    assert!(outcome.unprocessed.is_empty());

    // In the store: the findings are as before the edit, the undo is logged, the entry says so.
    let store = Store::open(&path).unwrap();
    let after: Vec<Option<String>> =
        keys.iter().map(|k| store.get(k).unwrap().unwrap()["Workflow"]["Status"].as_str().map(String::from)).collect();
    assert_eq!(after, before);
    let log = store.change_log(10).unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].id, by);
    assert!(log[0].description.starts_with(&format!("Undo #{id} (Set Workflow RESOLVED by alice at ")));
    assert_eq!(log[1].undone_by, Some(by));

    // An unknown entry is an error the overlay shows.
    assert!(execute(&mut backend, Effect::LoadLogEntry { id: 99 }, &tx));
    let Event::ChangeLogFailed { id: Some(99), error } = rx.try_recv().unwrap() else { panic!() };
    assert!(error.to_string().contains("no change log entry #99"), "{error}");
}

// The workbench's edit of ASFF findings, OCSF findings and findings stored in both forms is kept
// whole: every finding (each counted once, as the list shows it), and its undo from the log puts
// the OCSF findings' exact status_id, severity_id and comment back through BatchUpdateFindingsV2,
// and the OCSF form of a finding stored in both forms with its ASFF form.
#[test]
fn a_mixed_edit_is_logged_whole_and_undone_through_both_apis() {
    use serde_json::json;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = Store::open(&path).unwrap();
    let opts = GenOptions { count: 8, seed: 13, ..GenOptions::default() };
    let mut asff: Vec<Value> = generate(&opts).collect();
    let mut ocsf: Vec<Value> = crate::generate::ocsf::generate_ocsf(&opts).collect();
    // Findings 0..3 in ASFF form, 0 and 1 also in OCSF form; 3..8 in OCSF form alone, one Archived
    // and Fatal, one with a comment.
    // All NEW and without a note or comment before the edit, but for these.
    for d in &mut asff {
        d["Workflow"]["Status"] = json!("NEW");
        d["RecordState"] = json!("ACTIVE");
        d.as_object_mut().unwrap().remove("Note");
    }
    for d in &mut ocsf {
        d["status_id"] = json!(1);
        d["status"] = json!("New");
        d.as_object_mut().unwrap().remove("comment");
    }
    ocsf[3]["status_id"] = json!(5);
    ocsf[3]["status"] = json!("Archived");
    ocsf[3]["severity_id"] = json!(6);
    ocsf[3]["severity"] = json!("Fatal");
    ocsf[4]["comment"] = json!("was: accepted");
    store.batch_import(&Caller::unrestricted("t"), asff[..3].to_vec()).unwrap();
    let mut imported = ocsf[..2].to_vec();
    imported.extend(ocsf[3..].iter().cloned());
    store.import_ocsf(&Caller::unrestricted("t"), imported).unwrap();
    let uid = |d: &Value| d["metadata"]["uid"].as_str().unwrap().to_string();
    let twins: Vec<String> = ocsf[..2].iter().map(uid).collect();
    let alone: Vec<String> = ocsf[3..].iter().map(uid).collect();
    let access = crate::store::Access::Unrestricted;
    let read = |store: &Store, uid: &str| store.get_ocsf_as(&access, uid).unwrap().unwrap();
    let before: Vec<Value> = twins.iter().chain(&alone).map(|u| read(&store, u)).collect();
    let mut backend = StoreBackend::new(store, Caller::unrestricted("alice"));
    let (tx, mut rx) = unbounded_channel();

    // As the workbench plans it: a call of the ASFF rows and one of the OCSF rows.
    let update = crate::app::edit::workflow_update(WorkflowStatus::Resolved, Some(("done", "alice")));
    let calls = vec![
        UpdateCall {
            ids: asff[..3].iter().map(|d| FindingId::Asff(FindingKey::of(d).unwrap())).collect(),
            update: update.clone(),
        },
        UpdateCall { ids: alone.iter().cloned().map(FindingId::Ocsf).collect(), update },
    ];
    assert!(execute(&mut backend, Effect::ApplyBatch { batch_id: 1, calls }, &tx));
    let mut restores = Vec::new();
    while let Ok(Event::BatchApplied { outcome, .. }) = rx.try_recv() {
        assert!(outcome.unprocessed.is_empty());
        restores.extend(outcome.restores);
    }
    assert_eq!(restores.len(), 8);
    assert!(execute(&mut backend, Effect::LogEdit { description: "Set Workflow RESOLVED".into(), restores }, &tx));
    assert!(rx.try_recv().is_err(), "written, nothing to say");
    for (u, was) in twins.iter().chain(&alone).zip(&before) {
        assert_ne!(read(&backend.store, u)["status_id"], was["status_id"], "{u} edited");
    }

    assert!(execute(&mut backend, Effect::LoadChangeLog { limit: 10 }, &tx));
    let Event::ChangeLogLoaded { entries } = rx.try_recv().unwrap() else { panic!() };
    assert_eq!(entries[0].findings, 8, "3 ASFF findings (2 also in OCSF form) and 5 OCSF findings");
    let id = entries[0].id;
    assert!(execute(&mut backend, Effect::UndoLogged { id }, &tx));
    let Event::LogUndone { by: Some(_), outcome, .. } = rx.try_recv().unwrap() else { panic!() };
    assert_eq!((outcome.processed.len(), outcome.unprocessed.len()), (8, 0), "{outcome:?}");
    for (u, was) in twins.iter().chain(&alone).zip(&before) {
        let now = read(&backend.store, u);
        for member in ["status_id", "status", "severity_id", "severity", "finding_info"] {
            assert_eq!(now[member], was[member], "{u} {member}");
        }
    }
    assert_eq!(read(&backend.store, &alone[1])["comment"], json!("was: accepted"));
    let log = backend.store.change_log(10).unwrap();
    assert_eq!((log[0].findings, log[1].undone_by), (8, Some(log[0].id)));
}

/// A source that keeps no change log and no expiry (as a remote): the trait's own answers.
pub(crate) struct NoLog;

impl Backend for NoLog {
    fn describe(&self) -> String {
        "https://securityhub.us-east-1.amazonaws.com (us-east-1)".into()
    }
    fn capabilities(&self) -> crate::backend::Capabilities {
        crate::backend::Capabilities::default()
    }
    fn count(&self) -> crate::backend::Result<Option<usize>> {
        Ok(None)
    }
    fn for_each_summary(
        &self,
        _sink: &mut dyn FnMut(crate::model::summary::FindingSummary) -> bool,
    ) -> crate::backend::Result<()> {
        Ok(())
    }
    fn documents(&self, ids: &[FindingId]) -> crate::backend::Result<Vec<Option<Value>>> {
        Ok(vec![None; ids.len()])
    }
    fn history(&self, _id: &FindingId) -> crate::backend::Result<Vec<crate::model::history::HistoryEntry>> {
        Ok(Vec::new())
    }
    fn query(&self, _q: &crate::query::Query) -> crate::backend::Result<Vec<FindingId>> {
        Ok(Vec::new())
    }
    fn batch_update(&mut self, _call: &UpdateCall) -> crate::backend::Result<crate::backend::UpdateOutcome> {
        Ok(crate::backend::UpdateOutcome::default())
    }
    fn seed(&mut self, _calls: Vec<Vec<Value>>) -> crate::backend::Result<usize> {
        Ok(0)
    }
}

#[test]
fn a_source_without_a_change_log_says_so_for_each_effect() {
    let mut backend = NoLog;
    let (tx, mut rx) = unbounded_channel();
    for effect in [Effect::LoadChangeLog { limit: 5 }, Effect::LoadLogEntry { id: 1 }, Effect::UndoLogged { id: 1 }] {
        assert!(execute(&mut backend, effect, &tx));
        let Event::ChangeLogFailed { error, .. } = rx.try_recv().unwrap() else { panic!() };
        assert!(error.to_string().contains("the change log is kept by a local store only"), "{error}");
    }
}
