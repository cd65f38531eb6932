//! The worker keeps a suppression's expiry with the edit, and reopens what has expired, against the
//! real store (whose clock is set past the expiry for the second run).

use serde_json::Value;

use super::*;
use crate::generate::{generate, GenOptions};
use crate::model::call::UpdateCall;
use crate::model::enums::WorkflowStatus;
use crate::model::finding::{FindingId, FindingKey};
use crate::store::expiry::SetExpiry;
use crate::store::{Caller, Store, StoreBackend};

fn later() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + time::Duration::days(40)
}

#[test]
fn the_worker_keeps_the_expiry_and_reopens_what_expired() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = Store::open(&path).unwrap();
    let docs: Vec<Value> = generate(&GenOptions { count: 3, seed: 3, ..GenOptions::default() }).collect();
    store.batch_import(&Caller::unrestricted("t"), docs.clone()).unwrap();
    let ids: Vec<FindingId> = docs.iter().map(|d| FindingId::Asff(FindingKey::of(d).unwrap())).collect();
    let mut backend = StoreBackend::new(store, Caller::unrestricted("alice"));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let call = UpdateCall {
        ids: ids.clone(),
        update: crate::app::edit::workflow_update(WorkflowStatus::Suppressed, Some(("why", "alice"))),
    };
    let expiry = SetExpiry {
        expires: time::OffsetDateTime::now_utc() + time::Duration::days(30),
        set_by: "alice".into(),
        reason: "why".into(),
    };
    assert!(execute(&mut backend, Effect::ApplyExpiringBatch { batch_id: 1, calls: vec![call], expiry }, &tx));
    assert!(matches!(rx.try_recv().unwrap(), Event::BatchApplied { .. }));
    assert_eq!(backend.expiring().unwrap().len(), 3);
    let within = time::Duration::days(31);
    match views::find_expiring(&backend, 5, ids[..2].to_vec(), within) {
        Event::QueryMatched { query_id: 5, keys } => assert_eq!(keys, ids[..2]),
        other => panic!("{other:?}"),
    }

    // Not due yet.
    assert!(execute(&mut backend, Effect::ExpireDue, &tx));
    assert!(matches!(rx.try_recv().unwrap(), Event::SuppressionsExpired { count: 0 }));
    // Forty days on, they are reopened, once.
    let mut backend = StoreBackend::new(Store::open(&path).unwrap().with_clock(later), Caller::unrestricted("alice"));
    assert!(execute(&mut backend, Effect::ExpireDue, &tx));
    assert!(matches!(rx.try_recv().unwrap(), Event::SuppressionsExpired { count: 3 }));
    assert!(execute(&mut backend, Effect::ExpireDue, &tx));
    assert!(matches!(rx.try_recv().unwrap(), Event::SuppressionsExpired { count: 0 }));
    let doc = backend.documents(&ids[..1]).unwrap().remove(0).unwrap();
    assert_eq!(doc["Workflow"]["Status"], "NEW");
}
