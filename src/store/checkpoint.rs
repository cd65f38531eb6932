//! The background checkpointer: folds the WAL into the database file on a thread of its own, so
//! that a write's caller does not wait for checkpoints.

use std::path::Path;

use rusqlite::Connection;

use super::Store;

/// How often, at most, the background checkpointer folds the WAL into the database.
const CHECKPOINT_INTERVAL: std::time::Duration = std::time::Duration::from_millis(200);

/// WAL frames after which the background checkpointer also restarts the WAL (64 MB of 8 KB pages).
const RESTART_FRAMES: i64 = 8_192;

/// Folds the WAL into the database file off the writer's path. After a commit the writer nudges a
/// thread that has its own connection; it runs a PASSIVE checkpoint (which never waits for readers
/// or writers) at most every CHECKPOINT_INTERVAL. An acknowledged call so no longer pays for
/// checkpoints; durability is unchanged (a commit is durable once it is in the WAL).
/// Under a steady stream of commits a PASSIVE checkpoint never catches up with the end of the WAL,
/// so the WAL cannot start over from its beginning; once it holds RESTART_FRAMES the thread runs
/// a RESTART checkpoint, which waits (at most 200 ms) for the writer to finish its transaction.
/// The writer's own autocheckpoint stays on, at a much larger size, as a backstop. Started at the
/// first write.
pub(super) struct Checkpointer {
    nudge: Option<std::sync::mpsc::SyncSender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    fn start(path: &Path) -> Option<Checkpointer> {
        let conn = Connection::open(path).ok()?;
        conn.busy_timeout(std::time::Duration::from_millis(200)).ok()?;
        let (nudge, nudged) = std::sync::mpsc::sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("hubtriage-checkpoint".into())
            .spawn(move || {
                use std::sync::mpsc::RecvTimeoutError;
                let mut last: Option<std::time::Instant> = None;
                while nudged.recv().is_ok() {
                    if let Some(wait) = last.map(|l| CHECKPOINT_INTERVAL.saturating_sub(l.elapsed())) {
                        let deadline = std::time::Instant::now() + wait;
                        loop {
                            let left = deadline.saturating_duration_since(std::time::Instant::now());
                            if left.is_zero() {
                                break;
                            }
                            if let Err(RecvTimeoutError::Disconnected) = nudged.recv_timeout(left) {
                                break;
                            }
                        }
                    }
                    // A failed checkpoint (the store busy, say) is retried at the next nudge.
                    let frames: i64 = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1)).unwrap_or(0);
                    if frames >= RESTART_FRAMES {
                        let _ = conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(()));
                    }
                    last = Some(std::time::Instant::now());
                }
            })
            .ok()?;
        Some(Checkpointer { nudge: Some(nudge), thread: Some(thread) })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.nudge = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Store {
    /// After a write transaction committed: let the background checkpointer know.
    pub(super) fn committed(&mut self) {
        let checkpointer = self.checkpointer.get_mut();
        if checkpointer.is_none() {
            *checkpointer = Checkpointer::start(&self.path);
        }
        if let Some(nudge) = checkpointer.as_ref().and_then(|c| c.nudge.as_ref()) {
            // Full means a nudge is already waiting: this commit is folded by that checkpoint.
            let _ = nudge.try_send(());
        }
    }
}
