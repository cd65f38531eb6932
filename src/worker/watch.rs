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
