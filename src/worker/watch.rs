//! Noticing another process's writes: `Effect::WatchStore`, sent by the terminal loop every
//! `WATCH_EVERY`, asks the backend whether the source changed elsewhere (a store: SQLite's
//! `PRAGMA data_version` on the worker's own connection, one cheap read; the worker's own edits
//! do not count), and reports `Event::StoreChanged` when it did. Never run on the UI thread.

use tokio::sync::mpsc::UnboundedSender;

use crate::app::event::Event;
use crate::backend::Backend;

/// How often the workbench asks.
pub const WATCH_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// One poll. A failed read says nothing: the next poll asks again. Returns false when the app has
/// gone.
pub fn check(backend: &mut dyn Backend, events: &UnboundedSender<Event>) -> bool {
    match backend.changed_elsewhere() {
        Ok(true) => events.send(Event::StoreChanged).is_ok(),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::app::Effect;
    use crate::generate::{generate, GenOptions};
    use crate::store::{Caller, Store, StoreBackend};

    #[test]
    fn another_handle_writing_the_store_is_reported_and_our_own_edits_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut backend = StoreBackend::new(Store::open(&path).unwrap(), Caller::unrestricted("alice"));
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        // The first poll takes note; nothing changed since.
        assert!(super::super::execute(&mut backend, Effect::WatchStore, &tx));
        assert!(super::super::execute(&mut backend, Effect::WatchStore, &tx));
        assert!(rx.try_recv().is_err());

        // The worker's own write is not someone else's.
        let docs: Vec<Value> = generate(&GenOptions { count: 2, seed: 1, ..GenOptions::default() }).collect();
        backend.store.batch_import(&Caller::unrestricted("t"), docs).unwrap();
        assert!(super::super::execute(&mut backend, Effect::WatchStore, &tx));
        assert!(rx.try_recv().is_err(), "own writes are not reported");

        // A second handle (as another process would) writes.
        let mut other = Store::open(&path).unwrap();
        let docs: Vec<Value> = generate(&GenOptions { count: 2, seed: 2, ..GenOptions::default() }).collect();
        other.batch_import(&Caller::unrestricted("t"), docs).unwrap();
        assert!(super::super::execute(&mut backend, Effect::WatchStore, &tx));
        assert_eq!(rx.try_recv().unwrap(), Event::StoreChanged);
        // Reported once.
        assert!(super::super::execute(&mut backend, Effect::WatchStore, &tx));
        assert!(rx.try_recv().is_err());
    }
}

#[cfg(test)]
mod log_tests {
    use serde_json::Value;

    use crate::app::{Effect, Event};
    use crate::generate::{generate, GenOptions};
    use crate::model::call::UpdateCall;
    use crate::model::enums::WorkflowStatus;
    use crate::model::finding::{FindingId, FindingKey};
    use crate::store::{Caller, Store, StoreBackend};

    #[test]
    fn the_workbench_s_edit_is_in_the_change_log_and_can_be_undone_from_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut store = Store::open(&path).unwrap();
        let docs: Vec<Value> = generate(&GenOptions { count: 3, seed: 5, ..GenOptions::default() }).collect();
        store.batch_import(&Caller::unrestricted("t"), docs.clone()).unwrap();
        let ids: Vec<FindingId> = docs.iter().map(|d| FindingId::Asff(FindingKey::of(d).unwrap())).collect();
        let mut backend = StoreBackend::new(store, Caller::unrestricted("alice"));
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let update = crate::app::edit::workflow_update(WorkflowStatus::Resolved, None);
        let call = UpdateCall { ids: ids.clone(), update };
        assert!(super::super::execute(&mut backend, Effect::ApplyBatch { batch_id: 1, calls: vec![call] }, &tx));
        let Event::BatchApplied { outcome, .. } = rx.try_recv().unwrap() else { panic!() };
        let description = "Set Workflow RESOLVED on 3 findings".to_string();
        let effect = Effect::LogEdit { description: description.clone(), restores: outcome.restores };
        assert!(super::super::execute(&mut backend, effect, &tx));
        assert!(rx.try_recv().is_err(), "written, nothing to say");

        let log = Store::open(&path).unwrap();
        let entries = log.change_log(10).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(
            (entries[0].identity.as_str(), entries[0].description.as_str(), entries[0].findings),
            ("alice", description.as_str(), 3)
        );
        let plan = log.undo_plan(entries[0].id).unwrap();
        assert_eq!(plan.restores.len(), 3);
        assert!(plan.restores.iter().all(|(_, u)| u.workflow_status.is_some()));
    }
}
