//! What the workbench marks as pending: the outbox's rows read per finding (the oldest queued
//! edit, how often a call carrying it failed and why; the refusals with their codes), over a
//! read-only connection of its own so that the watcher never waits on the sender's lock. The
//! outbox's tables are `remote::outbox`'s; this reads them only.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::outbox::parse_update;
use crate::backend::{BackendError, Result};
use crate::model::finding::{FindingId, FindingKey};
use crate::model::source::{OutboxState, QueuedEdit, RefusedEdit};

/// How often the workbench reads the outbox: a pending mark clears within this of the answer.
pub const POLL: Duration = Duration::from_millis(500);

fn db(e: rusqlite::Error) -> BackendError {
    BackendError::other(format!("the outbox: {e}"))
}

/// The outbox at `path`, per finding: queued findings in the order they were queued, refused ones
/// with "CODE: message" and the update that was refused.
pub fn read(path: &Path) -> Result<OutboxState> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(db)?;
    conn.busy_timeout(Duration::from_millis(200)).map_err(db)?;
    let mut stmt = conn
        .prepare(
            "SELECT o.product_arn, o.id, o.state, e.created_ms, o.attempts, o.error_code, o.last_error, e.update_json
             FROM outbox o JOIN outbox_edit e ON e.id = o.edit ORDER BY o.seq",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                FindingKey::new(r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, String>(7)?,
            ))
        })
        .map_err(db)?;
    let mut state = OutboxState::default();
    let mut at: HashMap<FindingKey, usize> = HashMap::new();
    for row in rows {
        let (key, st, created_ms, attempts, code, last_error, update_json) = row.map_err(db)?;
        // An OCSF finding's edit is queued under `outbox::v2_key`: its row is named by metadata.uid.
        let id = if key.product_arn == super::outbox::V2_MARK {
            FindingId::Ocsf(key.id.clone())
        } else {
            FindingId::Asff(key.clone())
        };
        if st == "failed" {
            let reason = format!("{}: {}", code.unwrap_or_default(), last_error.unwrap_or_default());
            let update = parse_update(&update_json).unwrap_or_default();
            state.refused.push(RefusedEdit { key: id, reason, update });
            continue;
        }
        let attempts = u32::try_from(attempts).unwrap_or(u32::MAX);
        match at.get(&key).and_then(|&i| state.queued.get_mut(i)) {
            // A later edit of a finding already queued: the oldest says since when.
            Some(q) => {
                if attempts > q.attempts {
                    q.attempts = attempts;
                    q.last_error = last_error.or(q.last_error.take());
                }
            }
            None => {
                at.insert(key, state.queued.len());
                state.queued.push(QueuedEdit { key: id, queued_ms: created_ms, attempts, last_error });
            }
        }
    }
    Ok(state)
}
