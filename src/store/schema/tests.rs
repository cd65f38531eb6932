//! Schema 14's partial indexes, schema 15's hash of `finding_info.uid` and schema 16's list of the
//! OCSF rows: what they hold, the reads that use them, and the upgrades to them.

use rusqlite::Connection;
use serde_json::Value;

use crate::generate::ocsf::generate_ocsf;
use crate::generate::{generate, GenOptions};
use crate::store::{Caller, Store};

/// The indexes schema 14 keeps to ASFF rows.
const ASFF_ONLY: [&str; 3] = ["findings_product", "findings_control", "findings_triage"];

/// A store with `n` ASFF and `n` OCSF findings.
fn mixed_store(n: usize) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("s.db")).unwrap();
    let caller = Caller::unrestricted("test");
    let asff: Vec<Value> = generate(&GenOptions { count: n, seed: 3, ..GenOptions::default() }).collect();
    assert_eq!(store.batch_import(&caller, asff).unwrap().success_count, n);
    let ocsf: Vec<Value> = generate_ocsf(&GenOptions { count: n, seed: 3, ..GenOptions::default() }).collect();
    assert_eq!(store.import_ocsf(&caller, ocsf).unwrap().success_count, n);
    (dir, store)
}

/// SQLite's plan for `sql`, its lines joined (its parameters, if any, bound to NULL: the plan
/// does not depend on them).
fn plan(conn: &Connection, sql: &str) -> String {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let nulls = vec![rusqlite::types::Null; stmt.parameter_count()];
    let rows = stmt.query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3)).unwrap();
    rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
}

/// How many entries `index` holds: every text is `>= ''`, and the comparison lets SQLite read the
/// partial index (`IS NOT NULL` on a NOT NULL column is no term it matches).
fn entries(conn: &Connection, index: &str, column: &str) -> i64 {
    conn.query_row(
        &format!("SELECT count(*) FROM findings INDEXED BY {index} WHERE format = 'asff' AND {column} >= ''"),
        [],
        |r| r.get(0),
    )
    .unwrap()
}

/// Every ASFF read that narrows by the product, control or triage columns (`store::query`'s
/// pushed-down conditions, written as it writes them, and the expiry's lookup) still searches its
/// index, and a read that names none of those columns scans the table in order, not a partial
/// index (which SQLite, without statistics, would otherwise prefer). Should a later change of the
/// schema or of SQLite lose an index for these reads, this says which.
#[test]
fn asff_reads_keep_the_partial_indexes() {
    let (_dir, store) = mixed_store(20);
    let conn = store.conn();
    let select = "SELECT product_arn, id FROM findings WHERE format = 'asff' AND";
    for (sql, index) in [
        (format!("{select} (product_name = 'p')"), "findings_product (product_name=?)"),
        (format!("{select} (product_name = 'p' OR product_name = 'q')"), "findings_product (product_name=?)"),
        (format!("{select} (control_id = 'c')"), "findings_control (control_id=?)"),
        (format!("{select} (workflow_status = 'NEW')"), "findings_triage (workflow_status=?)"),
        (
            format!("{select} (workflow_status = 'NEW') AND (record_state = 'ACTIVE')"),
            "findings_triage (workflow_status=? AND record_state=?)",
        ),
        (
            format!("{select} (workflow_status = 'NEW' OR workflow_status = 'NOTIFIED') AND (severity_label = 'HIGH')"),
            "findings_triage (workflow_status=?)",
        ),
        (
            "SELECT rowid FROM findings WHERE id_hash = 1 AND id = 'i' AND product_arn = 'a' \
             AND format = 'asff' AND workflow_status = 'SUPPRESSED'"
                .to_string(),
            "findings_id_hash (id_hash=?)",
        ),
    ] {
        let p = plan(conn, &sql);
        assert!(p.contains(&format!("INDEX {index}")), "{sql}\n{p}");
    }
    for sql in [
        "SELECT doc, product_arn, id FROM findings WHERE format = 'asff' AND 1".to_string(),
        format!("{select} (instr(title, 't') > 0)"),
        format!("{select} (region = 'us-east-1')"),
    ] {
        let p = plan(conn, &sql);
        assert_eq!(p, "SCAN findings", "{sql}");
    }
}

/// An OCSF row writes no entry in the three indexes; an ASFF row writes one in each.
#[test]
fn ocsf_rows_are_not_in_the_asff_only_indexes() {
    let (_dir, store) = mixed_store(20);
    let conn = store.conn();
    for (index, column) in ASFF_ONLY.iter().zip(["product_name", "control_id", "workflow_status"]) {
        let sql: String =
            conn.query_row("SELECT sql FROM sqlite_master WHERE name = ?1", [index], |r| r.get(0)).unwrap();
        assert!(sql.contains(&format!("WHERE format = 'asff' AND {column} IS NOT NULL")), "{sql}");
        assert_eq!(entries(conn, index, column), 20, "{index}");
    }
}

/// The store in `dir` (`s.db`) taken back to an older schema by `sql`, opened again: upgraded to the
/// current version.
fn reopened_after(dir: &tempfile::TempDir, sql: &str) -> Store {
    let path = dir.path().join("s.db");
    Connection::open(&path).unwrap().execute_batch(sql).unwrap();
    let store = Store::open(&path).unwrap();
    let version: i64 = store.conn().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, super::VERSION);
    store
}

/// A store at schema 13 (the full indexes) gets the partial ones, with every ASFF row in them, and
/// answers the same.
#[test]
fn the_upgrade_from_13_rebuilds_the_indexes_for_asff_rows() {
    let (dir, store) = mixed_store(30);
    let count = |conn: &Connection| -> i64 {
        conn.query_row("SELECT count(*) FROM findings WHERE format = 'asff' AND (workflow_status = 'NEW')", [], |r| {
            r.get(0)
        })
        .unwrap()
    };
    let before = count(store.conn());
    drop(store);
    let store = reopened_after(
        &dir,
        "DROP INDEX findings_product; DROP INDEX findings_control; DROP INDEX findings_triage;
         CREATE INDEX findings_product ON findings (product_name);
         CREATE INDEX findings_control ON findings (control_id);
         CREATE INDEX findings_triage ON findings (workflow_status, record_state, severity_label, updated_ns);
         PRAGMA user_version = 13;",
    );
    let conn = store.conn();
    for (index, column) in ASFF_ONLY.iter().zip(["product_name", "control_id", "workflow_status"]) {
        assert_eq!(entries(conn, index, column), 30, "{index}");
    }
    assert_eq!(count(conn), before);
    assert!(before > 0);
}

/// A GetFindings sorted by ProductName, ComplianceSecurityControlId or WorkflowStatus (with no
/// filter on that column) walks the column's partial index to its first page, as it walked the
/// full index before schema 14, rather than sorting every ASFF row; and answers as before.
#[test]
fn a_sort_on_a_partially_indexed_column_walks_its_index() {
    let (_dir, store) = mixed_store(20);
    let conn = store.conn();
    let filters = crate::model::filter::Filters::default();
    let now = time::OffsetDateTime::now_utc();
    for (col, index) in [
        ("product_name", "findings_product"),
        ("control_id", "findings_control"),
        ("workflow_status", "findings_triage"),
    ] {
        for desc in [false, true] {
            let sort = vec![(col.to_string(), desc)];
            let (sql, params) = crate::store::query::sorted_sql(
                &crate::store::Access::Unrestricted,
                &filters,
                &sort,
                None,
                now,
                true,
                None,
            );
            assert!(params.is_empty(), "{sql}");
            let p = plan(conn, &format!("{sql} LIMIT 100"));
            assert!(p.contains(&format!("INDEX {index}")), "{sql}\n{p}");
            assert!(!p.contains("TEMP B-TREE FOR ORDER BY"), "no sort of every row: {sql}\n{p}");
            // Every ASFF row, in the column's order: the added term drops none.
            let mut stmt = conn.prepare(&sql).unwrap();
            let keys: Vec<String> =
                stmt.query_map([], |r| r.get::<_, String>(1)).unwrap().map(Result::unwrap).collect();
            assert_eq!(keys.len(), 20, "{sql}");
            let mut sorted = keys.clone();
            sorted.sort();
            if desc {
                sorted.reverse();
            }
            assert_eq!(keys, sorted, "{sql}");
        }
    }
}

/// Schema 15: the reads by `finding_info.uid` (BatchUpdateFindingsV2's identifier triple, and the
/// OCSF twin of an ASFF finding) search `findings_ocsf_finding` by its hash, and the text index
/// they searched before is gone.
#[test]
fn reads_by_finding_uid_search_its_hash() {
    let (_dir, store) = mixed_store(20);
    let conn = store.conn();
    for sql in [
        format!("SELECT rowid, aws_account_id FROM findings WHERE {}", crate::store::ocsf::BY_TRIPLE),
        "SELECT id, aws_account_id FROM findings \
         WHERE format = 'ocsf' AND finding_hash = ?3 AND finding_uid = ?1 AND product_arn = ?2"
            .to_string(),
    ] {
        let p = plan(conn, &sql);
        assert!(p.contains("INDEX findings_ocsf_finding (finding_hash=?)"), "{sql}\n{p}");
    }
    let triple: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master WHERE name = 'findings_ocsf_triple'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(triple, 0);
    // Every OCSF row has the hash of its `finding_uid`; ASFF rows none.
    let mut stmt = conn.prepare("SELECT format, finding_uid, finding_hash FROM findings").unwrap();
    let rows: Vec<(String, Option<String>, Option<i64>)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 40);
    for (format, uid, hash) in rows {
        match format.as_str() {
            "ocsf" => assert_eq!(hash, Some(crate::store::id_hash(&uid.unwrap()))),
            _ => assert_eq!(hash, None),
        }
    }
}

/// A store at schema 14 (the triple's text index, no hash) gets every OCSF row's hash and the
/// hash index, and BatchUpdateFindingsV2 finds its findings by their identifier triple as before.
#[test]
fn the_upgrade_from_14_hashes_the_finding_uids() {
    let (dir, store) = mixed_store(25);
    let triples: Vec<(String, String, String)> = {
        let mut stmt = store
            .conn()
            .prepare("SELECT finding_uid, aws_account_id, product_arn FROM findings WHERE format = 'ocsf'")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
    };
    drop(store);
    // As schema 14 left a store (SQLite drops no column in use by an index, so the index first).
    let mut store = reopened_after(
        &dir,
        "DROP INDEX findings_ocsf_finding;
         ALTER TABLE findings DROP COLUMN finding_hash;
         CREATE INDEX findings_ocsf_triple ON findings (finding_uid, aws_account_id, product_arn)
             WHERE format = 'ocsf';
         PRAGMA user_version = 14;",
    );
    let hashed: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM findings INDEXED BY findings_ocsf_finding WHERE format = 'ocsf' AND finding_hash IS NOT NULL", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(hashed, 25);
    let ids: Vec<Value> = triples
        .iter()
        .map(|(f, a, p)| serde_json::json!({"FindingInfoUid": f, "CloudAccountUid": a, "MetadataProductUid": p}))
        .collect();
    let body = serde_json::json!({"FindingIdentifiers": ids, "StatusId": 3});
    let request = crate::model::wire::batch_update_v2::BatchUpdateV2Request::from_json(&body).unwrap();
    let answer = store.batch_update_v2_as(&Caller::unrestricted("test"), &request).unwrap();
    assert_eq!((answer.processed.len(), answer.unprocessed.len()), (25, 0));
}

/// The notice before the upgrade to 15 (which reads the OCSF rows alone) is said for a store with
/// OCSF findings, and not for a store of ASFF findings alone, which upgrades at once; an upgrade
/// from further back that reads every finding is announced either way.
#[test]
fn the_notice_for_15_is_said_only_for_a_store_with_ocsf_findings() {
    let dir = tempfile::tempdir().unwrap();
    let caller = Caller::unrestricted("test");
    let asff_only = dir.path().join("asff.db");
    let mut store = Store::open(&asff_only).unwrap();
    let asff: Vec<Value> = generate(&GenOptions { count: 3, seed: 5, ..GenOptions::default() }).collect();
    assert_eq!(store.batch_import(&caller, asff).unwrap().success_count, 3);
    assert_eq!(super::upgrade_notice(store.conn(), 14, 15).unwrap(), None);
    let from_13 = super::upgrade_notice(store.conn(), 13, 15).unwrap().unwrap();
    assert!(from_13.contains("schema 15") && from_13.contains("about 7 s per million"), "{from_13}");
    let ocsf: Vec<Value> = generate_ocsf(&GenOptions { count: 1, seed: 5, ..GenOptions::default() }).collect();
    assert_eq!(store.import_ocsf(&caller, ocsf).unwrap().success_count, 1);
    let from_14 = super::upgrade_notice(store.conn(), 14, 15).unwrap().unwrap();
    assert!(from_14.contains("schema 15") && from_14.contains("about 10 s per million"), "{from_14}");
    let from_13 = super::upgrade_notice(store.conn(), 13, 15).unwrap().unwrap();
    assert!(from_13.contains("about 17 s per million"), "{from_13}");
}

/// Schema 16: GetFindingsV2 without SortCriteria walks `findings_ocsf_rows` in row order (from
/// the cursor's row on, and whatever else narrows it), a read narrowed by `metadata.uid` searches
/// its hash, and the index over the uids is gone. The index holds the OCSF rows alone.
#[test]
fn reads_in_stored_order_walk_the_ocsf_rows_index() {
    let (_dir, store) = mixed_store(20);
    let conn = store.conn();
    let select = "SELECT rowid, doc FROM findings WHERE format = 'ocsf'";
    for sql in [
        format!("{select} ORDER BY rowid"),
        format!("{select} AND rowid > ? ORDER BY rowid"),
        format!("{select} AND aws_account_id IN (?, ?) AND region = ? AND rowid > ? ORDER BY rowid"),
    ] {
        let p = plan(conn, &sql);
        assert!(p.contains("INDEX findings_ocsf_rows (format=?"), "{sql}\n{p}");
        assert!(!p.contains("TEMP B-TREE"), "{sql}\n{p}");
    }
    let sql = "SELECT rowid, doc FROM findings INDEXED BY findings_id_hash \
               WHERE format = 'ocsf' AND id_hash = ? AND id = ? AND rowid > ? ORDER BY rowid";
    let p = plan(conn, sql);
    assert!(p.contains("INDEX findings_id_hash (id_hash=?") && !p.contains("TEMP B-TREE"), "{p}");
    let uid_index: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master WHERE name = 'findings_ocsf_uid'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(uid_index, 0);
    let listed: i64 = conn
        .query_row("SELECT count(*) FROM findings INDEXED BY findings_ocsf_rows WHERE format = 'ocsf'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(listed, 20);
}

/// A store at schema 15 (the index over the uids) loses it for `findings_ocsf_rows`, and
/// GetFindingsV2 pages its findings in the order they were stored, each once.
#[test]
fn the_upgrade_from_15_lists_the_ocsf_rows_in_stored_order() {
    let (dir, store) = mixed_store(25);
    let stored: Vec<String> = {
        let mut stmt = store.conn().prepare("SELECT id FROM findings WHERE format = 'ocsf' ORDER BY rowid").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    drop(store);
    let store = reopened_after(
        &dir,
        "DROP INDEX findings_ocsf_rows;
         CREATE INDEX findings_ocsf_uid ON findings (id) WHERE format = 'ocsf';
         PRAGMA user_version = 15;",
    );
    let conn = store.conn();
    let indexes: Vec<String> = {
        let mut stmt =
            conn.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'findings_ocsf_%' ORDER BY name").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(indexes, ["findings_ocsf_finding", "findings_ocsf_rows"]);
    let access = store.access(&Caller::unrestricted("test")).unwrap();
    let mut request =
        crate::model::wire::get_findings_v2::GetFindingsV2Request { max_results: 4, ..Default::default() };
    let mut paged = Vec::new();
    loop {
        let page = store.get_findings_v2_as(&access, &request).unwrap();
        paged.extend(page.findings.iter().map(|f| f["metadata"]["uid"].as_str().unwrap().to_string()));
        match page.next_token {
            Some(t) => request.next_token = Some(t),
            None => break,
        }
    }
    assert_eq!(paged, stored);
}
