//! The background checkpointer: folds the WAL into the database file on a thread of its own, so
//! that a write's caller does not wait for checkpoints.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::Connection;

use super::Store;

/// When the background checkpointer checkpoints and restarts the WAL.
#[derive(Debug, Clone, Copy)]
struct Pace {
    /// How often, at most, it folds the WAL into the database.
    interval: Duration,
    /// WAL frames after which it also restarts the WAL, once writes pause (`quiet`).
    restart_frames: i64,
    /// WAL frames after which it restarts the WAL even while writes go on.
    force_restart_frames: i64,
    /// How long no commit must come for the writes to count as paused.
    quiet: Duration,
}

impl Pace {
    /// Every 200 ms at most; a restart at 64 MB of 8 KB pages once writes pause for 250 ms (longer
    /// than a bulk import's transactions, ~0.1 s each, whose writer would otherwise wait for the
    /// restart between two), at 512 MB whatever the writes.
    const STORE: Pace = Pace {
        interval: Duration::from_millis(200),
        restart_frames: 8_192,
        force_restart_frames: 8 * 8_192,
        quiet: Duration::from_millis(250),
    };
}

/// Folds the WAL into the database file off the writer's path. After a commit the writer nudges a
/// thread that has its own connection; it runs a PASSIVE checkpoint (which never waits for readers
/// or writers) at most every `interval`. An acknowledged call so no longer pays for
/// checkpoints; durability is unchanged (a commit is durable once it is in the WAL).
///
/// Under a steady stream of commits a PASSIVE checkpoint never catches up with the end of the WAL,
/// so the WAL cannot start over from its beginning. Once it holds `restart_frames` the thread runs a
/// RESTART checkpoint, which holds off writers until it has copied the rest of the WAL, synced the
/// database and seen the readers leave: measured in `cargo bench --bench engine`, 50-280 ms, which
/// a BatchUpdateFindings call arriving then waited for (one call of each run of 100 took 55-190 ms,
/// the others ~4 ms). So the restart waits for a pause in the writes (`quiet` without a commit); a
/// stream of writes that never pauses gets it at `force_restart_frames`. The writer's own
/// autocheckpoint stays on, at a much larger size, as a backstop. Started at the first write.
pub(super) struct Checkpointer {
    nudge: Option<std::sync::mpsc::SyncSender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// RESTART checkpoints run so far (the tests read it).
    #[cfg_attr(not(test), allow(dead_code))]
    restarts: Arc<AtomicUsize>,
}

impl Checkpointer {
    fn start(path: &Path, pace: Pace) -> Option<Checkpointer> {
        let conn = Connection::open(path).ok()?;
        conn.busy_timeout(std::time::Duration::from_millis(200)).ok()?;
        let (nudge, nudged) = std::sync::mpsc::sync_channel::<()>(1);
        let restarts = Arc::new(AtomicUsize::new(0));
        let restarted = restarts.clone();
        let thread = std::thread::Builder::new()
            .name("hubtriage-checkpoint".into())
            .spawn(move || {
                use std::sync::mpsc::RecvTimeoutError;
                let mut last: Option<std::time::Instant> = None;
                // A commit came while a restart waited for a pause: another round without a nudge.
                let mut again = false;
                loop {
                    if !std::mem::take(&mut again) && nudged.recv().is_err() {
                        break;
                    }
                    if let Some(wait) = last.map(|l| pace.interval.saturating_sub(l.elapsed())) {
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
                    let frames = passive(&conn);
                    last = Some(std::time::Instant::now());
                    if frames < pace.restart_frames {
                        continue;
                    }
                    match nudged.recv_timeout(pace.quiet) {
                        Err(RecvTimeoutError::Timeout) => {}
                        Ok(()) if frames >= pace.force_restart_frames => {}
                        Ok(()) => {
                            again = true;
                            continue;
                        }
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                    // Fold what came since the first checkpoint before holding writers off.
                    if passive(&conn) >= pace.restart_frames {
                        let _ = conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(()));
                        restarted.fetch_add(1, Ordering::Relaxed);
                    }
                    last = Some(std::time::Instant::now());
                }
            })
            .ok()?;
        Some(Checkpointer { nudge: Some(nudge), thread: Some(thread), restarts })
    }
}

/// A PASSIVE checkpoint: the WAL's frames (0 when it failed).
fn passive(conn: &Connection) -> i64 {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1)).unwrap_or(0)
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
            *checkpointer = Checkpointer::start(&self.path, Pace::STORE);
        }
        if let Some(nudge) = checkpointer.as_ref().and_then(|c| c.nudge.as_ref()) {
            // Full means a nudge is already waiting: this commit is folded by that checkpoint.
            let _ = nudge.try_send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WAL-mode database with a table, and a checkpointer on it that checkpoints every
    /// millisecond, restarting the WAL past 10 frames after `quiet`, past `force_restart_frames`
    /// at once.
    fn setup(force_restart_frames: i64, quiet: Duration) -> (tempfile::TempDir, Connection, Checkpointer) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
        conn.execute_batch("CREATE TABLE t (x BLOB)").unwrap();
        let pace = Pace { interval: Duration::from_millis(1), restart_frames: 10, force_restart_frames, quiet };
        let checkpointer = Checkpointer::start(&path, pace).unwrap();
        (dir, conn, checkpointer)
    }

    /// A connection reading the database as it is now, until it is dropped: the WAL cannot start
    /// over by itself meanwhile (a writer restarts a WAL that was checkpointed whole, when no
    /// reader uses it), so it grows with every commit.
    fn reader(dir: &Path) -> Connection {
        let conn = Connection::open(dir.join("c.db")).unwrap();
        conn.execute_batch("BEGIN").unwrap();
        conn.query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0)).unwrap();
        conn
    }

    /// Commits a few pages' worth and nudges the checkpointer, as `Store::committed` does.
    fn commit(conn: &Connection, checkpointer: &Checkpointer) {
        conn.execute("INSERT INTO t VALUES (zeroblob(20000))", []).unwrap();
        let _ = checkpointer.nudge.as_ref().unwrap().try_send(());
    }

    fn wait_for(what: impl Fn() -> bool) -> bool {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while std::time::Instant::now() < deadline {
            if what() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    // A restart holds writers off, so it waits for the writes to pause: none while commits keep
    // coming (each well within `quiet` of the last), one once they stop.
    #[test]
    fn the_wal_is_restarted_once_writes_pause() {
        let (dir, conn, checkpointer) = setup(i64::MAX, Duration::from_secs(2));
        let reading = reader(dir.path());
        for _ in 0..40 {
            commit(&conn, &checkpointer);
            std::thread::sleep(Duration::from_millis(2));
        }
        assert_eq!(checkpointer.restarts.load(Ordering::Relaxed), 0);
        drop(reading);
        assert!(wait_for(|| checkpointer.restarts.load(Ordering::Relaxed) == 1));
    }

    // A stream of writes that never pauses still gets its WAL restarted past
    // `force_restart_frames`.
    #[test]
    fn a_wal_that_keeps_growing_is_restarted_during_the_writes() {
        let (dir, conn, checkpointer) = setup(20, Duration::from_secs(3600));
        let _reading = reader(dir.path());
        let restarted = (0..2000).any(|_| {
            commit(&conn, &checkpointer);
            std::thread::sleep(Duration::from_millis(2));
            checkpointer.restarts.load(Ordering::Relaxed) > 0
        });
        assert!(restarted);
    }
}
