//! Tests of the resource index: queries through it answer exactly what evaluating the query on
//! every document answers, after imports, BatchImportFindings updates, BatchUpdateFindings edits and
//! deletions, and on a store of the schema before it once migrated.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::*;
use crate::model::finding::FindingKey;
use crate::model::wire::batch_update::BatchUpdateRequest;
use crate::store::tests::clock;
use crate::store::{Caller, Store};

/// Every ASFF finding's row id and document, in row id order (also read by `words::tests`).
pub(super) fn docs_of(store: &Store) -> Vec<(i64, Value)> {
    let mut stmt = store.conn.prepare("SELECT rowid, doc FROM findings WHERE format = 'asff' ORDER BY rowid").unwrap();
    stmt.query_map([], |r| {
        Ok((r.get(0)?, super::super::rows::decompress(&store.codec, &r.get::<_, Vec<u8>>(1)?).unwrap()))
    })
    .unwrap()
    .collect::<rusqlite::Result<Vec<_>>>()
    .unwrap()
}

/// The index lists exactly each stored document's terms.
fn index_follows_documents(store: &Store) {
    for (rowid, doc) in docs_of(store) {
        let mut listed: Vec<Vec<u8>> = store
            .conn
            .prepare(
                "SELECT t.term FROM resource_postings p JOIN resource_terms t ON t.id = p.term WHERE p.finding = ?1",
            )
            .unwrap()
            .query_map([rowid], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap();
        listed.sort();
        assert_eq!(listed, of(&doc), "row {rowid}: {doc}");
        let mut posted: Vec<i64> = store
            .conn
            .prepare("SELECT term FROM resource_postings WHERE finding = ?1")
            .unwrap()
            .query_map([rowid], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap();
        posted.sort();
        assert_eq!(super::listed(&store.conn, rowid).unwrap(), posted, "row {rowid}: resource_of");
    }
    let strays: i64 = store
        .conn
        .query_row("SELECT count(*) FROM resource_of WHERE finding NOT IN (SELECT rowid FROM findings)", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(strays, 0);
    let orphans: i64 = store
        .conn
        .query_row(
            "SELECT count(*) FROM resource_postings WHERE finding NOT IN (SELECT rowid FROM findings)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0);
}

/// Queries on resource types, ids (equal and prefix) and tags drawn from the stored documents, with
/// other terms beside them.
fn queries(store: &Store) -> Vec<String> {
    let mut types = BTreeSet::new();
    let mut ids = BTreeSet::new();
    let mut tags = BTreeSet::new();
    for (_, doc) in docs_of(store) {
        any_at(&doc, "Resources[].Type", &mut |v| {
            types.extend(v.as_str().map(str::to_string));
            false
        });
        any_at(&doc, "Resources[].Id", &mut |v| {
            ids.extend(v.as_str().map(str::to_string));
            false
        });
        any_at(&doc, "Resources[].Tags", &mut |m| {
            for (k, v) in m.as_object().into_iter().flatten() {
                // The query language cannot write an empty key or value, or a key with `=` in it.
                if let Some(s) = v.as_str().filter(|s| !s.trim().is_empty() && !k.trim().is_empty() && !k.contains('='))
                {
                    tags.insert((k.clone(), s.to_string()));
                }
            }
            false
        });
    }
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut out = Vec::new();
    for t in types.iter().take(12) {
        out.push(format!("resource:{}", quote(t)));
        out.push(format!("resource:{} sev>=medium", quote(t)));
        out.push(format!("resource:{} public", quote(t)));
        out.push(format!("-resource:{}", quote(t)));
        out.push(format!("resource:{}*", &t[..t.len().min(5)]));
    }
    out.push(format!("resource:{},{}", quote(types.iter().next().unwrap()), quote(types.iter().last().unwrap())));
    for id in ids.iter().step_by(ids.len() / 10 + 1) {
        out.push(format!("resourceid:{}", quote(id)));
        out.push(format!("resource:{}", quote(id)));
        out.push(format!("resourceid:{}*", &id[..id.len().min(20)]));
    }
    for (k, v) in tags.iter().step_by(tags.len() / 12 + 1) {
        out.push(format!("tag:{}", quote(&format!("{k}={v}"))));
        out.push(format!("-tag:{}", quote(&format!("{k}={v}"))));
        out.push(format!("tag:{} status:new", quote(&format!("{k}={v}"))));
        out.push(format!("tag:{} resource:{}", quote(&format!("{k}={v}")), quote(types.iter().next().unwrap())));
    }
    out.extend(
        ["tag:Environment=prod", "tag:environment=prod", "tag:Environment=Prod", "resource:awss3bucket"]
            .map(String::from),
    );
    out.extend(
        ["resource:AwsS3Bucket", "resource:Aws*", "resource:Other", "resourceid:x/", "tag:Nested=deep"]
            .map(String::from),
    );
    out
}

/// Every query answers, through the index (the workbench's `matching_keys` and the command line's
/// ordered read), exactly the findings evaluating it on each document matches.
fn answers_agree(store: &Store) {
    use crate::store::query::halves::split_every_read;
    let now = store.now();
    let docs = docs_of(store);
    for text in queries(store) {
        let q = crate::query::parse(&text).unwrap();
        let expected: BTreeSet<FindingKey> =
            docs.iter().filter(|(_, d)| q.matches(d, now)).filter_map(|(_, d)| FindingKey::of(d)).collect();
        let words = |doc: &Value| q.matches_text(doc);
        let extra: Option<&(dyn Fn(&Value) -> bool + Sync)> = if q.text.is_empty() { None } else { Some(&words) };
        let keys = store.matching_keys(&q.filters, &q.text, extra).unwrap();
        assert_eq!(keys.len(), expected.len(), "{text}: each once");
        assert_eq!(keys.into_iter().collect::<BTreeSet<_>>(), expected, "{text}");
        // Read in two halves of the row ids, on two connections, as a large store is.
        let keys = split_every_read(|| store.matching_keys(&q.filters, &q.text, extra)).unwrap();
        assert_eq!(keys.len(), expected.len(), "{text} (split): each once");
        assert_eq!(keys.into_iter().collect::<BTreeSet<_>>(), expected, "{text} (split)");
        let listed: BTreeSet<FindingKey> = store
            .find_all(&q.filters, &[], None, extra.map(|f| f as &dyn Fn(&Value) -> bool))
            .unwrap()
            .iter()
            .filter_map(FindingKey::of)
            .collect();
        assert_eq!(listed, expected, "{text} (ordered read)");
        // With a limit, a common term reads in order rather than through the index
        // (`worth_it`): either way, the same first findings.
        let all = store.find_all(&q.filters, &[], None, extra.map(|f| f as &dyn Fn(&Value) -> bool)).unwrap();
        for limit in [1, 3, 40] {
            let first = store.find_all(&q.filters, &[], Some(limit), extra.map(|f| f as &dyn Fn(&Value) -> bool));
            assert_eq!(first.unwrap(), all.iter().take(limit).cloned().collect::<Vec<_>>(), "{text} --limit {limit}");
        }
    }
}

/// Findings with resources in every shape the filters read: several resources, a type listed twice,
/// tags that are not strings, `Resources` as one object, a list inside a list, keys that would run
/// into their values.
fn odd_findings() -> Vec<Value> {
    use crate::model::finding::tests::sample;
    let mut out = Vec::new();
    let with = |id: &str, resources: Value| {
        let mut f = sample(id);
        f["Resources"] = resources;
        f
    };
    out.push(with(
        "odd-two",
        json!([
            {"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::b1", "Tags": {"Environment": "prod", "n": 5}},
            {"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::b2", "Tags": {"Environment": "dev"}}
        ]),
    ));
    out.push(with("odd-object", json!({"Type": "AwsEc2Instance", "Id": "i-1", "Tags": {"Environment": "prod"}})));
    out.push(with("odd-nested", json!([[{"Type": "Other", "Id": "x/1", "Tags": [{"Nested": "deep"}]}]])));
    out.push(with("odd-join-a", json!([{"Type": "Other", "Id": "x/2", "Tags": {"ab": "c"}}])));
    out.push(with("odd-join-b", json!([{"Type": "Other", "Id": "x/3", "Tags": {"a": "bc", "": ""}}])));
    out.push(with(
        "odd-case",
        json!([{"Type": "awss3bucket", "Id": "ARN:AWS:S3:::B1", "Tags": {"environment": "Prod"}}]),
    ));
    out.push(with(
        "odd-unicode",
        json!([{"Type": "Aws\u{00e9}\u{ffff}", "Id": "arn:\u{10ffff}", "Tags": {"\u{0}": "\u{0}"}}]),
    ));
    out.push(with("odd-none", json!([])));
    out.push(with("odd-untyped", json!([{"Id": 7, "Type": null}])));
    out
}

/// Imports `findings`; returns how many were imported (BatchImportFindings refuses some odd shapes).
fn import(store: &mut Store, findings: Vec<Value>) -> usize {
    let calls: Vec<Vec<Value>> = findings.chunks(100).map(<[Value]>::to_vec).collect();
    store.import_calls(&Caller::unrestricted("t"), calls).unwrap().into_iter().map(|r| r.unwrap().success_count).sum()
}

fn generated(count: usize, seed: u64) -> Vec<Value> {
    crate::generate::generate(&crate::generate::GenOptions { count, seed, ..Default::default() }).collect()
}

/// The same findings later: resources replaced, tags dropped or changed, archived, as a provider's
/// BatchImportFindings update sends them.
fn updated(findings: &[Value]) -> Vec<Value> {
    findings
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 == 0)
        .map(|(i, f)| {
            let mut f = f.clone();
            f["UpdatedAt"] = json!("2026-11-02T00:00:00.000Z");
            match i % 4 {
                0 => f["Resources"] = json!([{"Type": "AwsS3Bucket", "Id": format!("arn:aws:s3:::moved-{i}")}]),
                1 => {
                    if let Some(r) = f["Resources"][0].as_object_mut() {
                        r.remove("Tags");
                    }
                }
                2 => f["Resources"][0]["Tags"] = json!({"Environment": "prod", "Owner": "team-new"}),
                _ => f["RecordState"] = json!("ARCHIVED"),
            }
            f
        })
        .collect()
}

#[test]
fn the_index_answers_as_the_documents_do_through_imports_updates_and_deletions() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("s.db")).unwrap().with_clock(clock);
    let findings = [generated(300, 7), odd_findings()].concat();
    assert!(import(&mut store, findings.clone()) >= 300);
    index_follows_documents(&store);
    answers_agree(&store);

    // BatchImportFindings updates: resources replaced, tags removed and changed, archived.
    import(&mut store, updated(&findings));
    // BatchUpdateFindings: the workflow and a note (no resource changes).
    let keys: Vec<FindingKey> = findings.iter().step_by(5).filter_map(FindingKey::of).collect();
    let mut body = json!({"Workflow": {"Status": "RESOLVED"}, "Note": {"Text": "seen", "UpdatedBy": "bob"}});
    body["FindingIdentifiers"] = json!(keys.iter().take(100).map(FindingKey::to_json).collect::<Vec<_>>());
    store.batch_update(&Caller::unrestricted("bob"), &BatchUpdateRequest::from_json(&body).unwrap()).unwrap();
    // Findings removed: the delete trigger drops their terms.
    store.conn.execute("DELETE FROM findings WHERE rowid % 7 = 0", []).unwrap();
    index_follows_documents(&store);
    answers_agree(&store);

    // A finding removed and stored again under the same row id gets only its new terms.
    let last: i64 = store.conn.query_row("SELECT max(rowid) FROM findings", [], |r| r.get(0)).unwrap();
    store.conn.execute("DELETE FROM findings WHERE rowid = ?1", [last]).unwrap();
    let mut again = crate::model::finding::tests::sample("again");
    again["Resources"] = json!([{"Type": "Fresh", "Id": "fresh/1"}]);
    assert_eq!(import(&mut store, vec![again]), 1);
    index_follows_documents(&store);
    answers_agree(&store);
}

#[test]
fn a_store_of_the_previous_schema_gets_its_index_and_answers_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    {
        let mut store = Store::open(&path).unwrap().with_clock(clock);
        assert!(import(&mut store, [generated(200, 3), odd_findings()].concat()) >= 200);
        // As schema 11 left a store: no index.
        store
            .conn
            .execute_batch(
                "DROP TRIGGER resource_postings_dropped; DROP TABLE resource_postings; DROP TABLE resource_terms;
                 DROP TABLE resource_of;
                 PRAGMA user_version = 11;",
            )
            .unwrap();
    }
    let store = Store::open(&path).unwrap().with_clock(clock);
    let version: i64 = store.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 16);
    index_follows_documents(&store);
    answers_agree(&store);
}

#[test]
fn terms_keep_types_ids_and_tag_pairs_apart() {
    let doc = json!({"Resources": [{"Type": "a", "Id": "a", "Tags": {"ab": "c", "a": "bc"}}]});
    let terms = of(&doc);
    assert_eq!(terms.len(), 4, "{terms:?}");
    assert_ne!(tag_term("ab", "c"), tag_term("a", "bc"));
    assert_eq!(after_prefix(b"ab"), Some(b"ac".to_vec()));
    assert_eq!(after_prefix(&[b'a', 0xff]), Some(b"b".to_vec()));
    assert_eq!(after_prefix(&[0xff]), None);
}

/// The index is written as the postings by term and one row a finding (`resource_of`), not an
/// index entry a posting by finding as well: that second B-tree cost an import as much as the
/// postings themselves.
#[test]
fn a_finding_s_terms_are_one_row_not_an_index_by_finding() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("s.db")).unwrap().with_clock(clock);
    assert_eq!(import(&mut store, generated(20, 5)), 20);
    let indexes: Vec<String> = store
        .conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name LIKE 'resource_%' AND sql IS NOT NULL",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<Vec<_>>>()
        .unwrap();
    assert_eq!(indexes, Vec::<String>::new());
    let rows: i64 = store.conn.query_row("SELECT count(*) FROM resource_of", [], |r| r.get(0)).unwrap();
    assert_eq!(rows, 20);
}

/// `findings 'tag:Environment=prod' --limit 100` at 1,000,000 findings (314,222 postings) read
/// every posting's finding and sorted them before the first 100 were read (5.6 s, against 2.6 s
/// for the ordered read before the index); a rare term still goes through the index.
#[test]
fn a_common_term_with_a_small_limit_reads_in_order() {
    assert!(!worth_it(314_222, Some(100), 1_000_000));
    assert!(!worth_it(118_852, Some(100), 1_000_000));
    assert!(worth_it(21, Some(100), 1_000_000));
    assert!(worth_it(314_222, None, 1_000_000));
    assert!(worth_it(314_222, Some(100_000), 1_000_000));
    assert!(worth_it(0, Some(1), 0));
}
