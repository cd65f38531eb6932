//! The store's SQLite schema and its versioned migrations. `PRAGMA user_version` holds the version;
//! each migration runs once, in order, inside a transaction.

use rusqlite::{Connection, Transaction};

use super::Result;

enum Migration {
    Sql(&'static str),
    Code(fn(&Transaction<'_>) -> Result<()>),
}

/// Migration N (1-based) brings the schema from version N-1 to N.
const MIGRATIONS: &[Migration] = &[
    Migration::Sql(V1),
    Migration::Sql(V2),
    Migration::Code(v3),
    Migration::Sql(V4),
    Migration::Sql(V5),
    Migration::Code(v6),
    Migration::Code(v7),
    Migration::Sql(V8),
    Migration::Sql(V9),
    Migration::Sql(V10),
    Migration::Sql(V11),
    Migration::Code(super::terms::migrate),
    Migration::Code(super::terms::words::migrate),
    Migration::Sql(V14),
    Migration::Code(v15),
    Migration::Sql(V16),
];

// 1: findings with their indexed summary, per-finding history, and the demo access model.
const V1: &str = r#"
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
    "#;

// 2: the triage query (status, record state, severity, newest first) answered from one index.
const V2: &str = r#"
    CREATE INDEX findings_triage ON findings (workflow_status, record_state, severity_label, updated_ns);
"#;

/// The findings columns of versions 1 and 2, in order; version 3 keeps them all.
const V2_COLUMNS: &str = "rowid, format, product_arn, id, product_name, company_name, generator_id, aws_account_id, \
    region, title, severity_label, severity_rank, severity_normalized, workflow_status, record_state, \
    verification_state, compliance_status, control_id, resource_type, resource_id, types, created_at, updated_at, \
    updated_ns, created_ns, first_observed_ns, last_observed_ns, note_text, note_updated_by, confidence, criticality, \
    buf_fields, doc_size, doc";

/// 3: a leaner write path. The finding's identity is looked up through `id_hash` (a 64-bit hash of the
/// Id, see `store::id_hash`) instead of a UNIQUE (product_arn, id) text index: that index was the
/// largest in the store (~190 bytes an entry, in random order, so every commit rewrote most of it).
/// (ProductArn, Id) stays unique: every write looks the pair up first inside an immediate
/// transaction. The hash index also serves lookups by Id alone. Dropped: findings_workflow (the
/// triage index starts with workflow_status) and findings_resource_type (no query used it).
/// SQLite cannot drop a table constraint in place, so the table is rebuilt, keeping every row id.
fn v3(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(&format!(
        r#"
        CREATE TABLE findings_v3 (
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
            id_hash INTEGER NOT NULL DEFAULT 0
        );
        INSERT INTO findings_v3 ({V2_COLUMNS}) SELECT {V2_COLUMNS} FROM findings ORDER BY rowid;
        DROP TABLE findings;
        ALTER TABLE findings_v3 RENAME TO findings;
        "#
    ))?;
    {
        let mut read = tx.prepare("SELECT rowid, id FROM findings")?;
        let mut write = tx.prepare("UPDATE findings SET id_hash = ?1 WHERE rowid = ?2")?;
        let mut rows = read.query([])?;
        while let Some(row) = rows.next()? {
            let (rowid, id): (i64, String) = (row.get(0)?, row.get(1)?);
            write.execute(rusqlite::params![super::id_hash(&id), rowid])?;
        }
    }
    tx.execute_batch(
        r#"
        CREATE INDEX findings_id_hash ON findings (id_hash);
        CREATE INDEX findings_updated ON findings (updated_ns);
        CREATE INDEX findings_severity ON findings (severity_rank);
        CREATE INDEX findings_product ON findings (product_name);
        CREATE INDEX findings_account ON findings (aws_account_id);
        CREATE INDEX findings_control ON findings (control_id);
        CREATE INDEX findings_triage ON findings (workflow_status, record_state, severity_label, updated_ns);
        "#,
    )?;
    Ok(())
}

/// 4: documents may be zstd frames made with a dictionary trained on the store's findings
/// (`store::codec`); the dictionaries are kept here, by their zstd dictionary id. Older versions
/// cannot read such documents, which is why the version changes.
const V4: &str = r#"
    CREATE TABLE dictionaries (
        id INTEGER PRIMARY KEY,
        dict BLOB NOT NULL,
        trained_at TEXT NOT NULL,
        samples INTEGER NOT NULL
    );
"#;

/// 5: a finding's creation is no longer a history row of its own: `imported_ns` holds when the
/// import created it, and GetFindingHistory reports the creation from it (`store::query`). A
/// history row and its index entry per created finding were a tenth of a bulk import's SQLite
/// work. Findings created before version 5 keep their creation row (their `imported_ns` is NULL).
const V5: &str = r#"
    ALTER TABLE findings ADD COLUMN imported_ns INTEGER;
"#;

/// 6: the summary's control id (`control_id`) is, for an older Security Hub control finding (CIS
/// 1.2, PCI DSS) without Compliance.SecurityControlId, the control its ProductFields name
/// (`model::control`); rows stored before have it empty, so `control:`, grouping and the list found
/// nothing for them. Only Security Hub's own findings without a control id can change; their
/// documents are read once. A document that cannot be read keeps its row as it is (reads report it).
fn v6(tx: &Transaction<'_>) -> Result<()> {
    // Every dictionary a document may name is in this database, so no path is needed to find one.
    let codec = super::codec::Codec::load(std::path::PathBuf::new(), tx)?;
    let mut read = tx.prepare(
        "SELECT rowid, doc FROM findings WHERE control_id = '' AND product_arn LIKE '%::product/aws/securityhub'",
    )?;
    let mut write = tx.prepare("UPDATE findings SET control_id = ?1 WHERE rowid = ?2")?;
    let mut rows = read.query([])?;
    while let Some(row) = rows.next()? {
        let (rowid, blob): (i64, Vec<u8>) = (row.get(0)?, row.get(1)?);
        let doc = match super::rows::decompress(&codec, &blob) {
            Ok(doc) => doc,
            Err(super::StoreError::Corrupt(_)) => continue,
            Err(e) => return Err(e),
        };
        if let Some(id) = crate::model::control::control_id(&doc) {
            write.execute(rusqlite::params![id, rowid])?;
        }
    }
    Ok(())
}

/// 7: OCSF (Security Hub V2) findings live in `findings` beside ASFF ones, with `format = 'ocsf'`:
/// `id` is the finding's `metadata.uid` (its key), `product_arn` its `metadata.product.uid`, and
/// `finding_uid` its `finding_info.uid`, so that BatchUpdateFindingsV2's identifier triple
/// (`cloud.account.uid`, `finding_info.uid`, `metadata.product.uid`) is one index lookup.
/// `v2_edited` holds which members BatchUpdateFindingsV2 set (`model::ocsf::import::V2Edited`),
/// which a later import of the provider's version keeps. ASFF rows leave both at their defaults.
/// A store whose version was set back (as tests do) may have the columns already.
fn v7(tx: &Transaction<'_>) -> Result<()> {
    if !has_column(tx, "finding_uid")? {
        tx.execute_batch(
            "ALTER TABLE findings ADD COLUMN finding_uid TEXT;
             ALTER TABLE findings ADD COLUMN v2_edited INTEGER NOT NULL DEFAULT 0;",
        )?;
    }
    tx.execute_batch(
        "CREATE INDEX IF NOT EXISTS findings_ocsf_triple ON findings (finding_uid, aws_account_id, product_arn) \
         WHERE format = 'ocsf';",
    )?;
    Ok(())
}

/// 8: time-boxed suppressions (`store::expiry`): when a suppressed finding goes back to NEW, who
/// set it and why. A row lives only while the finding's workflow status is the one it was set
/// with: any other change of the status (an analyst's edit, Security Hub reopening it on import, the
/// expiry itself) drops it, in the same statement as the change, whichever path wrote it.
const V8: &str = r#"
    CREATE TABLE IF NOT EXISTS expiries (
        finding INTEGER PRIMARY KEY,
        expires_ns INTEGER NOT NULL,
        set_ns INTEGER NOT NULL,
        set_by TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX IF NOT EXISTS expiries_due ON expiries (expires_ns);
    CREATE TRIGGER IF NOT EXISTS expiry_cleared_on_workflow AFTER UPDATE OF workflow_status ON findings
        WHEN OLD.workflow_status IS NOT NEW.workflow_status
        BEGIN DELETE FROM expiries WHERE finding = OLD.rowid; END;
    CREATE TRIGGER IF NOT EXISTS expiry_cleared_on_delete AFTER DELETE ON findings
        BEGIN DELETE FROM expiries WHERE finding = OLD.rowid; END;
"#;

/// 9: automation rules (`store::rules`), in the shape of Security Hub's AutomationRulesConfig:
/// `criteria` and `actions` hold the request's JSON as given, `tags` the Tags map.
const V9: &str = r#"
    CREATE TABLE IF NOT EXISTS automation_rules (
        arn TEXT PRIMARY KEY,
        rule_order INTEGER NOT NULL,
        enabled INTEGER NOT NULL,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        is_terminal INTEGER NOT NULL,
        criteria TEXT NOT NULL,
        actions TEXT NOT NULL,
        tags TEXT,
        created_ns INTEGER NOT NULL,
        updated_ns INTEGER NOT NULL,
        created_by TEXT NOT NULL
    );
"#;

/// 10: the change log (`store::changelog`): each logged bulk edit, and per finding the update that
/// restores what it changed.
const V10: &str = r#"
    CREATE TABLE IF NOT EXISTS change_log (
        id INTEGER PRIMARY KEY,
        at_ns INTEGER NOT NULL,
        identity TEXT NOT NULL,
        description TEXT NOT NULL,
        findings INTEGER NOT NULL,
        undone_by INTEGER
    );
    CREATE TABLE IF NOT EXISTS change_log_items (
        log INTEGER NOT NULL,
        finding INTEGER NOT NULL,
        restore TEXT NOT NULL,
        PRIMARY KEY (log, finding)
    );
    CREATE INDEX IF NOT EXISTS change_log_items_by_finding ON change_log_items (finding);
    CREATE TRIGGER IF NOT EXISTS change_log_items_dropped AFTER DELETE ON findings
        BEGIN DELETE FROM change_log_items WHERE finding = OLD.rowid; END;
"#;

/// 11: `findings_ocsf_uid` orders the OCSF rows by `metadata.uid`, GetFindingsV2's order without
/// SortCriteria until schema 16, so that a first page reads only the rows it needs. Its own version
/// so that a store already at 7 gets it too.
const V11: &str = "CREATE INDEX IF NOT EXISTS findings_ocsf_uid ON findings (id) WHERE format = 'ocsf';";

// 12: the resource index (`store::terms`): each ASFF finding's resource types, ids and tags, so a
// query on them reads only the findings that have them; built here from every stored document.
// 13: the free-word text (`store::terms::words`), built here from every stored document.

/// 14: the product, control and triage indexes hold ASFF rows only. Only the ASFF reads
/// (`store::query`, the expiry) narrow by those columns, always with `format = 'asff'`; an OCSF
/// row's entries in them were 3 of the 10 index entries each imported OCSF finding wrote, and never
/// read. The `IS NOT NULL` term (always true: the columns are NOT NULL) makes SQLite use an index
/// only for a read that compares its column: with `format = 'asff'` alone, SQLite (without
/// statistics) would take a partial index for every ASFF full scan, reading the table out of order
/// (twice as slow at 100,000 findings). `tests::asff_reads_keep_the_partial_indexes` holds the plans.
const V14: &str = r#"
    DROP INDEX IF EXISTS findings_product;
    DROP INDEX IF EXISTS findings_control;
    DROP INDEX IF EXISTS findings_triage;
    CREATE INDEX findings_product ON findings (product_name) WHERE format = 'asff' AND product_name IS NOT NULL;
    CREATE INDEX findings_control ON findings (control_id) WHERE format = 'asff' AND control_id IS NOT NULL;
    CREATE INDEX findings_triage ON findings (workflow_status, record_state, severity_label, updated_ns)
        WHERE format = 'asff' AND workflow_status IS NOT NULL;
"#;

/// 15: BatchUpdateFindingsV2's identifier triple (and the ASFF-to-OCSF twin lookup) is found
/// through `finding_hash`, a 64-bit hash of `finding_info.uid` (`store::id_hash`, as schema 3 did
/// for the ASFF `Id`), instead of the text index `findings_ocsf_triple` (finding_uid,
/// aws_account_id, product_arn): ~210 bytes an entry in random order, the largest index an OCSF
/// row wrote, so every import transaction's random inserts dirtied most of its pages (the WAL and
/// checkpoint wrote them all again). A hash entry is ~12 bytes; the reads compare the texts after
/// it, so a collision only costs a row read. ASFF rows leave the column NULL. Only the OCSF rows
/// are read (through the OCSF index of the time), so a store of ASFF findings upgrades at once.
fn v15(tx: &Transaction<'_>) -> Result<()> {
    if !has_column(tx, "finding_hash")? {
        tx.execute_batch("ALTER TABLE findings ADD COLUMN finding_hash INTEGER;")?;
    }
    // Read through the OCSF index, written in row order: each table page is rewritten once (3
    // times faster than in the index's order at 100,000 OCSF findings).
    let mut hashes = Vec::new();
    {
        let mut read = tx.prepare("SELECT rowid, finding_uid FROM findings WHERE format = 'ocsf'")?;
        let mut rows = read.query([])?;
        while let Some(row) = rows.next()? {
            let (rowid, uid): (i64, Option<String>) = (row.get(0)?, row.get(1)?);
            hashes.push((rowid, super::id_hash(uid.as_deref().unwrap_or_default())));
        }
    }
    hashes.sort_unstable();
    {
        let mut write = tx.prepare("UPDATE findings SET finding_hash = ?2 WHERE rowid = ?1")?;
        for (rowid, hash) in hashes {
            write.execute(rusqlite::params![rowid, hash])?;
        }
    }
    tx.execute_batch(
        "DROP INDEX IF EXISTS findings_ocsf_triple;
         CREATE INDEX IF NOT EXISTS findings_ocsf_finding ON findings (finding_hash) WHERE format = 'ocsf';",
    )?;
    Ok(())
}

/// Whether `findings` has the column `name`: a store whose version was set back (as tests do) may
/// have a migration's columns already, and SQLite has no `ADD COLUMN IF NOT EXISTS`.
fn has_column(tx: &Transaction<'_>, name: &str) -> Result<bool> {
    let n: i64 =
        tx.query_row("SELECT count(*) FROM pragma_table_info('findings') WHERE name = ?1", [name], |r| r.get(0))?;
    Ok(n > 0)
}

/// 16: GetFindingsV2 without SortCriteria returns findings in the order they were first stored
/// (row order; AWS documents no order) instead of `metadata.uid`'s, so `findings_ocsf_uid` goes:
/// its random 64-character keys were the costliest index entry an imported OCSF finding wrote
/// (~80 bytes each, in random order, so each import transaction dirtied most of its pages and the
/// WAL and checkpoint wrote them again: ~1/3 of the import's WAL). `findings_ocsf_rows` lists the
/// OCSF rows in row order (entries of a few bytes, appended), so a first page still reads only the
/// rows it needs, and a store of ASFF findings is not scanned for them. A lookup by `metadata.uid`
/// searches `findings_id_hash`, as it could before. Building it reads every row's `format`, not
/// its document.
const V16: &str = "DROP INDEX IF EXISTS findings_ocsf_uid;
    CREATE INDEX IF NOT EXISTS findings_ocsf_rows ON findings (format) WHERE format = 'ocsf';";

pub const VERSION: i64 = MIGRATIONS.len() as i64;

/// The migrations that read every stored document, by the version they bring the store to, with
/// about how long each takes per million findings (measured on a busy 2-core machine): the first
/// open of a large store by a newer hubtriage waits for them, so it says so first.
/// 14 reads every row once per index it rebuilds (6.7 s per million on a quiet machine). 15
/// rewrites every OCSF row, in row order (0.9-1.0 s wall, 0.6 s CPU per 100,000 OCSF findings at
/// load 4), and a store of ASFF findings alone upgrades at once: it is slow only for a store with
/// OCSF findings.
const SLOW: &[(i64, u32, Reads)] =
    &[(12, 24, Reads::Every), (13, 30, Reads::Every), (14, 7, Reads::Every), (15, 10, Reads::Ocsf)];

/// Which findings a slow migration reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reads {
    Every,
    Ocsf,
}

/// The line said before migrating a store from `current` to `target` when that reads every
/// document of a store that has findings: what is happening and about how long it takes. Never
/// any finding's text. `None` for a new or empty store, or when no slow migration is due.
fn upgrade_notice(conn: &Connection, current: i64, target: i64) -> Result<Option<String>> {
    let due: Vec<(u32, Reads)> =
        SLOW.iter().filter(|(v, ..)| *v > current && *v <= target).map(|&(_, s, r)| (s, r)).collect();
    if current == 0 || due.is_empty() {
        return Ok(None);
    }
    let any: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM findings)", [], |r| r.get(0))?;
    if !any {
        return Ok(None);
    }
    // A step that reads OCSF findings alone is slow only if there are some (their index answers).
    let ocsf: bool = if due.iter().any(|(_, r)| *r == Reads::Ocsf) {
        conn.query_row("SELECT EXISTS (SELECT 1 FROM findings WHERE format = 'ocsf')", [], |r| r.get(0))?
    } else {
        false
    };
    let secs: u32 = due.iter().filter(|(_, r)| *r == Reads::Every || ocsf).map(|(s, _)| s).sum();
    Ok((secs > 0).then(|| {
        format!(
            "hubtriage: upgrading the store to schema {target}, reading every finding (once; about {secs} s per \
             million findings)"
        )
    }))
}

/// Brings the schema up to date. A store written by a newer hubtriage is refused rather than damaged.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_to(conn, VERSION)
}

/// Brings the schema up to `target` (tests build older stores with it).
pub(crate) fn migrate_to(conn: &mut Connection, target: i64) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > VERSION {
        return Err(super::StoreError::TooNew { found: current, supported: VERSION });
    }
    if let Some(line) = upgrade_notice(conn, current, target)? {
        eprintln!("{line}");
    }
    for (i, migration) in MIGRATIONS.iter().enumerate().skip(current as usize).take((target - current).max(0) as usize)
    {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the lock.
        let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if now > i as i64 {
            continue;
        }
        match migration {
            Migration::Sql(sql) => tx.execute_batch(sql)?,
            Migration::Code(f) => f(&tx)?,
        }
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
