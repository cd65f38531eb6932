//! The store's SQLite schema and its versioned migrations. `PRAGMA user_version` holds the version;
//! each migration runs once, in order, inside a transaction.

use rusqlite::Connection;

use super::Result;

/// Migration N (1-based) brings the schema from version N-1 to N.
const MIGRATIONS: &[&str] = &[
    // 1: findings with their indexed summary, per-finding history, and the demo access model.
    r#"
    CREATE TABLE findings (
        rowid INTEGER PRIMARY KEY,
        format TEXT NOT NULL DEFAULT 'asff',
        product_arn TEXT NOT NULL,
        id TEXT NOT NULL,
        product_name TEXT NOT NULL DEFAULT '',
        company_name TEXT NOT NULL DEFAULT '',
        generator_id TEXT NOT NULL DEFAULT '',
        aws_account_id TEXT NOT NULL DEFAULT '',
        region TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL DEFAULT '',
        severity_label TEXT NOT NULL DEFAULT '',
        severity_rank INTEGER NOT NULL DEFAULT -1,
        severity_normalized INTEGER,
        workflow_status TEXT NOT NULL DEFAULT '',
        record_state TEXT NOT NULL DEFAULT '',
        verification_state TEXT NOT NULL DEFAULT '',
        compliance_status TEXT NOT NULL DEFAULT '',
        control_id TEXT NOT NULL DEFAULT '',
        resource_type TEXT NOT NULL DEFAULT '',
        resource_id TEXT NOT NULL DEFAULT '',
        types TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL DEFAULT '',
        updated_ns INTEGER NOT NULL DEFAULT 0,
        created_ns INTEGER NOT NULL DEFAULT 0,
        first_observed_ns INTEGER,
        last_observed_ns INTEGER,
        note_text TEXT NOT NULL DEFAULT '',
        note_updated_by TEXT NOT NULL DEFAULT '',
        confidence INTEGER,
        criticality INTEGER,
        buf_fields INTEGER NOT NULL DEFAULT 0,
        doc_size INTEGER NOT NULL,
        doc BLOB NOT NULL,
        UNIQUE (product_arn, id)
    );
    CREATE INDEX findings_updated ON findings (updated_ns);
    CREATE INDEX findings_severity ON findings (severity_rank);
    CREATE INDEX findings_workflow ON findings (workflow_status);
    CREATE INDEX findings_product ON findings (product_name);
    CREATE INDEX findings_account ON findings (aws_account_id);
    CREATE INDEX findings_resource_type ON findings (resource_type);
    CREATE INDEX findings_control ON findings (control_id);
    CREATE TABLE history (
        seq INTEGER PRIMARY KEY,
        finding INTEGER NOT NULL,
        at_ns INTEGER NOT NULL,
        at TEXT NOT NULL,
        source TEXT NOT NULL,
        identity TEXT NOT NULL,
        created INTEGER NOT NULL DEFAULT 0,
        reason TEXT,
        updates TEXT
    );
    CREATE INDEX history_by_finding ON history (finding, seq);
    CREATE TABLE members (
        administrator TEXT NOT NULL,
        member TEXT NOT NULL PRIMARY KEY
    );
    "#,
    // 2: the triage query (status, record state, severity, newest first) answered from one index.
    r#"
    CREATE INDEX findings_triage ON findings (workflow_status, record_state, severity_label, updated_ns);
    "#,
];

pub const VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the schema up to date. A store written by a newer hubtriage is refused rather than damaged.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > VERSION {
        return Err(super::StoreError::TooNew { found: current, supported: VERSION });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the lock.
        let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if now > i as i64 {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
