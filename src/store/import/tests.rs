//! Tests of the store's import path: prepared and pipelined imports store what one-by-one imports
//! store, findings another connection imported are updated, and a paused or panicking producer
//! leaves the store usable.

use serde_json::json;

use super::*;
use crate::store::tests::clock;

/// Each stored finding: row id, document, BatchUpdateFindings-set attributes.
type Row = (i64, Value, u8);

/// Every stored document and history row, for comparing two stores.
fn dump(store: &Store) -> (Vec<Row>, Vec<Vec<String>>) {
    let mut docs = store.conn.prepare("SELECT rowid, doc, buf_fields FROM findings ORDER BY rowid").unwrap();
    let docs = docs
        .query_map([], |r| Ok((r.get(0)?, decompress(&store.codec, &r.get::<_, Vec<u8>>(1)?).unwrap(), r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<Vec<_>>>()
        .unwrap();
    let mut rows = store.conn.prepare("SELECT * FROM history ORDER BY seq").unwrap();
    let n = rows.column_count();
    let rows = rows
        .query_map([], |r| (0..n).map(|i| r.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}"))).collect())
        .unwrap()
        .collect::<rusqlite::Result<Vec<_>>>()
        .unwrap();
    (docs, rows)
}

// Findings prepared as new off the database (on two threads) are imported exactly as the
// one-by-one path imports them: same answers, same documents and rows, same history.
#[test]
fn prepared_imports_match_one_by_one_imports() {
    use crate::model::finding::tests::sample;
    let at = |f: &mut Value, t: &str| f["UpdatedAt"] = json!(t);
    let mut stored = vec![sample("old-updated"), sample("old-ignored"), sample("old-archived")];
    stored[2]["RecordState"] = json!("ARCHIVED");
    stored[2]["Workflow"] = json!({"Status": "RESOLVED"});
    let mut newer = sample("old-updated");
    at(&mut newer, "2025-03-01T00:00:00Z");
    newer["Title"] = json!("renamed");
    let mut reactivated = sample("old-archived");
    at(&mut reactivated, "2025-03-01T00:00:00Z");
    reactivated["RecordState"] = json!("ACTIVE");
    let mut invalid = sample("invalid");
    invalid.as_object_mut().unwrap().remove("Title");
    let mut no_id = sample("x");
    no_id.as_object_mut().unwrap().remove("Id");
    let mut oversize = sample("oversize");
    oversize["ProductFields"] = json!({"blob": "x".repeat(250 * 1024)});
    let mut again = sample("new-1");
    at(&mut again, "2025-04-01T00:00:00Z");
    again["Severity"] = json!({"Label": "LOW"});
    let mut provider = sample("new-2");
    provider["FindingProviderFields"] = json!({"Severity": {"Label": "CRITICAL", "Original": "9"}, "Confidence": 70});
    provider["Confidence"] = json!(10);
    let mut control = sample("control");
    control["ProductArn"] = json!("arn:aws:securityhub:us-east-1::product/aws/securityhub");
    control["Compliance"] = json!({"Status": "PASSED", "SecurityControlId": "S3.1"});
    let mut stale = sample("new-1");
    at(&mut stale, "2025-01-01T00:00:00Z");
    let calls = vec![
        vec![sample("new-1"), newer, sample("old-ignored"), invalid, oversize, again, no_id, reactivated],
        vec![stale, provider, control, sample("new-3")],
        (0..101).map(|i| sample(&format!("too-many-{i}"))).collect(),
        vec![sample("new-3"), sample("new-4")],
    ];
    let other_account = Caller { account: Some("999999999999".into()), identity: "t".into() };
    let run = |prepare_new: bool| {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("s.db")).unwrap().with_clock(clock);
        let caller = Caller::unrestricted("t");
        store.import_calls_with(&caller, vec![stored.clone()], prepare_new).unwrap();
        let results = store.import_calls_with(&caller, calls.clone(), prepare_new).unwrap();
        let denied = store.import_calls_with(&other_account, vec![vec![sample("mine")]], prepare_new).unwrap();
        let results: Vec<String> = results.iter().chain(&denied).map(|r| format!("{r:?}")).collect();
        (results, dump(&store))
    };
    let (prepared, one_by_one) = (run(true), run(false));
    assert_eq!(prepared.0, one_by_one.0);
    assert_eq!(prepared.1, one_by_one.1);
    // The batch exercised every outcome.
    let all = prepared.0.join("\n");
    for expected in ["InvalidInput", "FindingSizeExceeded", "Findings[6]", "AccessDeniedException", "101 items"] {
        assert!(all.contains(expected), "{expected}: {all}");
    }
    let docs = &prepared.1 .0;
    assert_eq!(docs.len(), 3 + 5, "3 stored, new-1..3, new-2's control twin: {docs:?}");
    assert!(prepared.1 .1.iter().any(|row| row.iter().any(|c| c.contains("ARCHIVED to ACTIVE"))));
}

// The pipelined import answers exactly as import_calls does, group by group.
#[test]
fn pipelined_imports_answer_as_import_calls() {
    use crate::model::finding::tests::sample;
    let mut invalid = sample("invalid");
    invalid["Title"] = json!(7);
    let mut later = sample("a");
    later["UpdatedAt"] = json!("2025-06-01T00:00:00Z");
    let groups = vec![
        vec![vec![sample("a"), invalid, sample("b")], vec![later.clone(), sample("b")]],
        vec![(0..101).map(|i| sample(&format!("x{i}"))).collect()],
        vec![vec![later, sample("c")]],
    ];
    let open = || {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("s.db")).unwrap().with_clock(clock);
        (dir, store)
    };
    let caller = Caller::unrestricted("t");
    let (_d1, mut one) = open();
    let mut expected = Vec::new();
    for g in groups.clone() {
        expected.extend(one.import_calls(&caller, g).unwrap().into_iter().map(|r| format!("{r:?}")));
    }
    let (_d2, mut two) = open();
    let (sent, results) = two
        .import_pipelined(&caller, |queue| {
            for call in groups.into_iter().flatten() {
                queue.send(call).unwrap();
            }
            "done"
        })
        .unwrap();
    assert_eq!(sent, "done");
    assert_eq!(results.iter().map(|r| format!("{r:?}")).collect::<Vec<_>>(), expected);
    assert_eq!(dump(&one), dump(&two));
}

// The user guide ("Using BatchImportFindings"): a finding already stored is updated, never
// imported twice. A connection that
// found the store empty looks up only the Ids it has imported itself (`KnownIds`), until
// another connection writes: then it looks up every finding again.
#[test]
fn findings_another_connection_imported_are_updated_not_duplicated() {
    use crate::model::finding::tests::sample;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let caller = Caller::unrestricted("t");
    let mut one = Store::open(&path).unwrap();
    let mut two = Store::open(&path).unwrap();
    let later = |id: &str| {
        let mut f = sample(id);
        f["UpdatedAt"] = json!("2025-06-01T00:00:00Z");
        f["Title"] = json!(format!("{id}, updated"));
        f
    };
    let imported = |store: &mut Store, findings: Vec<Value>| store.batch_import(&caller, findings).unwrap();
    assert_eq!(imported(&mut one, vec![sample("a"), sample("b")]).success_count, 2);
    assert!(one.known_ids.is_some(), "an empty store's Ids are known");
    assert_eq!(imported(&mut two, vec![sample("c")]).success_count, 1);
    assert_eq!(imported(&mut one, vec![later("a"), later("c"), sample("d")]).success_count, 3);
    assert_eq!(one.count().unwrap(), 4);
    for id in ["a", "c"] {
        let key = FindingKey::new(sample(id)["ProductArn"].as_str().unwrap(), id);
        let stored = one.get(&key).unwrap().unwrap();
        assert_eq!(stored["Title"], json!(format!("{id}, updated")));
    }
    // After another connection's write, a store that is not empty is looked up finding by finding.
    assert!(one.known_ids.is_none());
    assert_eq!(imported(&mut one, vec![later("b"), later("d")]).success_count, 2);
    assert_eq!(one.count().unwrap(), 4);
}

// A bulk import's first transactions are small, so that the store's dictionary is trained
// (before a transaction, once TRAIN_AFTER findings are stored) early in a large import; every
// finding of every call is imported, each call answered in order.
#[test]
fn a_pipelined_import_trains_the_dictionary_early() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("s.db")).unwrap();
    // 1,600 findings: one transaction, were it not for the small first ones.
    let calls = 16;
    let ((), results) = store
        .import_pipelined(&Caller::unrestricted("t"), |queue| {
            for c in 0..calls {
                let call = (0..100).map(|i| crate::model::finding::tests::sample(&format!("c{c}f{i}"))).collect();
                queue.send(call).unwrap();
            }
        })
        .unwrap();
    assert_eq!(results.len(), calls);
    assert!(results.iter().all(|r| r.as_ref().is_ok_and(|r| r.success_count == 100)));
    assert_eq!(store.count().unwrap(), calls as u64 * 100);
    assert!(store.codec.has_dictionary(), "trained before the last transaction");
}

// A producer that pauses does not keep the store locked: what it sent is committed while it
// waits, and another connection can write meanwhile.
#[test]
fn a_pausing_producer_leaves_the_store_writable() {
    use crate::model::finding::tests::sample;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = Store::open(&path).unwrap();
    let mut other = Store::open(&path).unwrap();
    let caller = Caller::unrestricted("t");
    let ((), results) = store
        .import_pipelined(&caller, |queue| {
            queue.send(vec![sample("first")]).unwrap();
            // Within the pause the import thread commits: the other connection sees the
            // finding, and can import one of its own (without waiting out a busy timeout).
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
            while other.count().unwrap() == 0 {
                assert!(std::time::Instant::now() < deadline, "the first call was never committed");
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            assert_eq!(other.batch_import(&caller, vec![sample("other")]).unwrap().success_count, 1);
            queue.send(vec![sample("second")]).unwrap();
        })
        .unwrap();
    assert!(results.iter().all(|r| r.as_ref().is_ok_and(|r| r.success_count == 1)));
    assert_eq!(store.count().unwrap(), 3);
}

// A producer that panics does not leave the import thread waiting for it.
#[test]
#[should_panic(expected = "producer failed")]
fn a_panicking_producer_ends_the_pipelined_import() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("s.db")).unwrap();
    let _ = store.import_pipelined(&Caller::unrestricted("t"), |queue| {
        queue.send(vec![crate::model::finding::tests::sample("a")]).unwrap();
        panic!("producer failed");
    });
}
