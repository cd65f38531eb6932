use std::collections::HashSet;

use serde_json::{json, Value};

use super::*;
use crate::generate::ocsf::generate_ocsf;
use crate::generate::GenOptions;
use crate::model::ocsf::filter::OcsfFindingFilters;
use crate::model::wire::batch_update_v2::{BatchUpdateV2Request, V2FindingRef, V2UnprocessedCode};
use crate::model::wire::get_findings::SortCriterion;
use crate::store::Caller;

fn clock() -> time::OffsetDateTime {
    timestamp::parse("2026-02-03T04:05:06.789Z").unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

fn store(count: usize) -> (tempfile::TempDir, Store, Vec<Value>) {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path().join("s.db")).unwrap().with_clock(clock);
    let docs: Vec<Value> = generate_ocsf(&GenOptions { count, seed: 7, ..GenOptions::default() }).collect();
    let r = s.import_ocsf(&Caller::unrestricted("test"), docs.clone()).unwrap();
    assert_eq!(r.success_count, count, "{:?}", r.failed);
    (dir, s, docs)
}

fn uid(doc: &Value) -> String {
    doc["metadata"]["uid"].as_str().unwrap().to_string()
}

fn all(s: &Store, access: &Access, request: GetFindingsV2Request) -> Vec<Value> {
    let mut out = Vec::new();
    let mut request = request;
    loop {
        let page = s.get_findings_v2_as(access, &request).unwrap();
        assert!(page.findings.len() <= request.max_results);
        out.extend(page.findings);
        match page.next_token {
            Some(t) => request.next_token = Some(t),
            None => return out,
        }
    }
}

fn update(v: Value) -> BatchUpdateV2Request {
    BatchUpdateV2Request::from_json(&v).unwrap()
}

#[test]
fn imported_findings_read_back_unchanged_beside_asff_ones() {
    let (_d, mut s, docs) = store(40);
    let asff: Vec<Value> =
        crate::generate::generate(&GenOptions { count: 5, seed: 7, ..GenOptions::default() }).collect();
    s.batch_import(&Caller::unrestricted("test"), asff).unwrap();
    assert_eq!(s.count().unwrap(), 45);
    for d in &docs {
        assert_eq!(s.get_ocsf_as(&Access::Unrestricted, &uid(d)).unwrap().as_ref(), Some(d));
    }
    // V1 reads keep to the ASFF findings.
    let v1 =
        s.get_findings(&crate::store::GetFindingsRequest { max_results: 100, ..Default::default() }, None).unwrap();
    assert_eq!(v1.findings.len(), 5);
    let v2 = all(&s, &Access::Unrestricted, GetFindingsV2Request::default());
    assert_eq!(v2.len(), 40);
    // The summary columns are the neutral summary's.
    let (label, format): (String, String) = s
        .conn()
        .query_row("SELECT severity_label, format FROM findings WHERE id = ?1", [uid(&docs[0])], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(format, "ocsf");
    assert_eq!(label, FindingSummary::from_ocsf(&docs[0]).severity.map_or("", |l| l.as_str()));
}

#[test]
fn a_bad_finding_is_reported_and_the_rest_imported() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path().join("s.db")).unwrap();
    let mut docs: Vec<Value> = generate_ocsf(&GenOptions { count: 3, seed: 1, ..GenOptions::default() }).collect();
    docs[1]["metadata"].as_object_mut().unwrap().remove("uid");
    let r = s.import_ocsf(&Caller::unrestricted("t"), docs).unwrap();
    assert_eq!(r.success_count, 2);
    assert_eq!(r.failed.len(), 1);
    assert_eq!(r.failed[0].id, "Findings[1]");
    assert!(r.failed[0].message.contains("data.metadata should have required property 'uid'"), "{:?}", r.failed);
}

#[test]
fn an_import_is_for_the_callers_own_account() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path().join("s.db")).unwrap();
    let mut docs: Vec<Value> = generate_ocsf(&GenOptions { count: 2, seed: 1, ..GenOptions::default() }).collect();
    docs[0]["cloud"]["account"]["uid"] = json!("111111111111");
    docs[1]["cloud"]["account"]["uid"] = json!("222222222222");
    let caller = Caller { account: Some("111111111111".into()), identity: "me".into() };
    let r = s.import_ocsf(&caller, docs).unwrap();
    assert_eq!(r.success_count, 1);
    assert_eq!(r.failed[0].code, "AccessDeniedException");
}

#[test]
fn a_later_version_replaces_an_older_one_and_keeps_what_batch_update_v2_set() {
    let (_d, mut s, docs) = store(1);
    let u = uid(&docs[0]);
    let caller = Caller::unrestricted("analyst");
    let r = s
        .batch_update_v2_as(&caller, &update(json!({"MetadataUids": [u], "StatusId": 2, "Comment": "looking"})))
        .unwrap();
    assert_eq!(r.processed.len(), 1);

    let mut newer = docs[0].clone();
    let modified = Ocsf(&docs[0]).updated_time().unwrap() + time::Duration::hours(1);
    newer["finding_info"]["modified_time_dt"] = json!(timestamp::format(modified));
    newer["finding_info"]["modified_time"] = json!(crate::model::ocsf::to_millis(modified));
    newer["finding_info"]["title"] = json!("a new title");
    newer["status_id"] = json!(1);
    newer["status"] = json!("New");
    newer["comment"] = json!("provider");
    s.import_ocsf(&caller, vec![newer.clone()]).unwrap();
    let stored = s.get_ocsf_as(&Access::Unrestricted, &u).unwrap().unwrap();
    assert_eq!(stored["finding_info"]["title"], "a new title");
    assert_eq!(stored["status_id"], 2);
    assert_eq!(stored["status"], "In Progress");
    assert_eq!(stored["comment"], "looking");

    // An equal time is ignored.
    let mut same = newer.clone();
    same["finding_info"]["title"] = json!("ignored");
    s.import_ocsf(&caller, vec![same]).unwrap();
    let stored = s.get_ocsf_as(&Access::Unrestricted, &u).unwrap().unwrap();
    assert_eq!(stored["finding_info"]["title"], "a new title");

    // The history has the update and the import.
    let key = crate::model::finding::FindingKey::new(Ocsf(&docs[0]).product_uid(), u.as_str());
    let h = s
        .finding_history(&crate::store::HistoryRequest {
            key,
            start: None,
            end: None,
            next_token: None,
            max_results: 100,
        })
        .unwrap();
    assert!(h.records.len() >= 3, "{:?}", h.records);
}

#[test]
fn batch_update_v2_by_uid_and_triple_never_touches_the_times() {
    let (_d, mut s, docs) = store(3);
    let caller = Caller::unrestricted("analyst");
    let f = Ocsf(&docs[1]);
    let triple = json!({"CloudAccountUid": f.account(), "FindingInfoUid": f.finding_uid(), "MetadataProductUid": f.product_uid()});
    let unknown = json!({"CloudAccountUid": "123456789012", "FindingInfoUid": "x", "MetadataProductUid": "y"});
    let r = s
        .batch_update_v2_as(&caller, &update(json!({"FindingIdentifiers": [triple, unknown], "SeverityId": 6})))
        .unwrap();
    assert_eq!(r.processed.len(), 1);
    assert_eq!(r.unprocessed.len(), 1);
    assert_eq!(r.unprocessed[0].error_code, V2UnprocessedCode::ResourceNotFoundException);
    let stored = s.get_ocsf_as(&Access::Unrestricted, &uid(&docs[1])).unwrap().unwrap();
    assert_eq!(stored["severity_id"], 6);
    assert_eq!(stored["severity"], "Fatal");
    for (a, b) in [("finding_info", "modified_time"), ("finding_info", "modified_time_dt")] {
        assert_eq!(stored[a][b], docs[1][a][b]);
    }
    assert_eq!(stored["time"], docs[1]["time"]);
    assert_eq!(stored["time_dt"], docs[1]["time_dt"]);
    let r = s.batch_update_v2_as(&caller, &update(json!({"MetadataUids": ["nope"], "StatusId": 4}))).unwrap();
    assert_eq!(r.unprocessed[0].error_code, V2UnprocessedCode::ResourceNotFoundException);
    // The summary follows: Fatal lists as CRITICAL.
    let label: String =
        s.conn().query_row("SELECT severity_label FROM findings WHERE id = ?1", [uid(&docs[1])], |r| r.get(0)).unwrap();
    assert_eq!(label, "CRITICAL");
}

#[test]
fn access_is_v1s_administrator_and_members() {
    let (_d, mut s, docs) = store(30);
    let accounts: Vec<String> = docs.iter().map(|d| Ocsf(d).account().to_string()).collect();
    let distinct: HashSet<&String> = accounts.iter().collect();
    assert!(distinct.len() >= 2, "the generator spreads findings over accounts");
    let own = accounts[0].clone();
    let other = accounts.iter().find(|a| **a != own).unwrap().clone();
    let member = Caller { account: Some(own.clone()), identity: "m".into() };
    let access = s.access(&member).unwrap();
    let seen = all(&s, &access, GetFindingsV2Request::default());
    assert!(seen.iter().all(|d| Ocsf(d).account() == own));
    assert_eq!(seen.len(), accounts.iter().filter(|a| **a == own).count());
    let theirs = docs.iter().find(|d| Ocsf(d).account() == other).unwrap();
    let r = s.batch_update_v2_as(&member, &update(json!({"MetadataUids": [uid(theirs)], "StatusId": 4}))).unwrap();
    assert_eq!(r.unprocessed.len(), 1);
    s.set_members(&own, std::slice::from_ref(&other)).unwrap();
    let r = s.batch_update_v2_as(&member, &update(json!({"MetadataUids": [uid(theirs)], "StatusId": 4}))).unwrap();
    assert_eq!(r.processed.len(), 1);
}

#[test]
fn paging_returns_each_finding_once_in_order_and_filters_exactly() {
    let (_d, mut s, docs) = store(57);
    let sort = vec![SortCriterion { field: "severity_id".into(), descending: true }];
    let request = GetFindingsV2Request { sort: sort.clone(), max_results: 10, ..Default::default() };
    let first = s.get_findings_v2_as(&Access::Unrestricted, &request).unwrap();
    // Findings changed between pages are still returned once.
    let caller = Caller::unrestricted("a");
    s.batch_update_v2_as(&caller, &update(json!({"MetadataUids": [uid(&first.findings[0])], "Comment": "x"}))).unwrap();
    let mut got = first.findings.clone();
    let mut next = GetFindingsV2Request { next_token: first.next_token.clone(), ..request.clone() };
    loop {
        let page = s.get_findings_v2_as(&Access::Unrestricted, &next).unwrap();
        got.extend(page.findings);
        match page.next_token {
            Some(t) => next.next_token = Some(t),
            None => break,
        }
    }
    let uids: Vec<String> = got.iter().map(uid).collect();
    assert_eq!(uids.iter().collect::<HashSet<_>>().len(), 57);
    assert_eq!(uids.len(), 57);
    assert!(got.windows(2).all(|w| compare_findings(&w[0], &w[1], &sort) != std::cmp::Ordering::Greater));

    let filters = OcsfFindingFilters::from_json(&json!({"CompositeFilters": [{"NumberFilters": [
        {"FieldName": "severity_id", "Filter": {"Gte": 4}}]}]}))
    .unwrap();
    let expected = docs.iter().filter(|d| filters.matches(d, clock())).count();
    let request = GetFindingsV2Request { filters, max_results: 7, ..Default::default() };
    assert_eq!(all(&s, &Access::Unrestricted, request).len(), expected);

    let bad = GetFindingsV2Request { next_token: Some("v2.zz".into()), ..Default::default() };
    assert!(matches!(s.get_findings_v2_as(&Access::Unrestricted, &bad), Err(StoreError::InvalidInput(_))));
}

// Without SortCriteria the pages come in the order the findings were stored (schema 16), which is
// not `metadata.uid`'s order, filtered exactly, narrowed or not.
#[test]
fn without_sort_criteria_pages_come_in_stored_order_and_filter_exactly() {
    let (_d, s, docs) = store(90);
    let region = docs[0]["cloud"]["region"].as_str().unwrap().to_string();
    for filters in [
        json!({"CompositeFilters": [{"StringFilters": [
            {"FieldName": "cloud.region", "Filter": {"Value": region, "Comparison": "EQUALS"}}],
            "NumberFilters": [{"FieldName": "severity_id", "Filter": {"Gte": 2}}]}]}),
        // An OR: the region cannot narrow the reading.
        json!({"CompositeFilters": [{"Operator": "OR", "StringFilters": [
            {"FieldName": "cloud.region", "Filter": {"Value": region, "Comparison": "EQUALS"}}],
            "NumberFilters": [{"FieldName": "severity_id", "Filter": {"Gte": 4}}]}]}),
        // Narrowed by `metadata.uid`'s hash.
        json!({"CompositeFilters": [{"StringFilters": [
            {"FieldName": "metadata.uid", "Filter": {"Value": uid(&docs[40]), "Comparison": "EQUALS"}}]}]}),
        json!({}),
    ] {
        let filters = OcsfFindingFilters::from_json(&filters).unwrap();
        let expected: Vec<String> = docs.iter().filter(|d| filters.matches(d, clock())).map(uid).collect();
        let request = GetFindingsV2Request { filters, max_results: 7, ..Default::default() };
        let got: Vec<String> = all(&s, &Access::Unrestricted, request).iter().map(uid).collect();
        assert_eq!(got, expected);
    }
    let mut by_uid: Vec<String> = docs.iter().map(uid).collect();
    by_uid.sort();
    assert_ne!(by_uid, docs.iter().map(uid).collect::<Vec<_>>(), "the stored order is not the uid order");
}

// A client paging without SortCriteria while findings are imported gets every finding once: a
// finding updated meanwhile keeps its place, a new one comes after every page already read.
#[test]
fn paging_in_stored_order_returns_each_finding_once_while_findings_are_imported() {
    let (_d, mut s, docs) = store(30);
    let request = GetFindingsV2Request { max_results: 7, ..Default::default() };
    let first = s.get_findings_v2_as(&Access::Unrestricted, &request).unwrap();
    let mut got: Vec<String> = first.findings.iter().map(uid).collect();
    let mut newer = docs[20].clone();
    newer["finding_info"]["modified_time_dt"] = json!("2030-01-01T00:00:00.000Z");
    newer["finding_info"]["modified_time"] = json!(1_893_456_000_000_i64);
    newer["finding_info"]["title"] = json!("changed while paging");
    let mut added: Vec<Value> = generate_ocsf(&GenOptions { count: 5, seed: 8, ..GenOptions::default() }).collect();
    added.push(newer);
    let r = s.import_ocsf(&Caller::unrestricted("test"), added.clone()).unwrap();
    assert_eq!(r.success_count, 6, "{:?}", r.failed);
    let rest = all(&s, &Access::Unrestricted, GetFindingsV2Request { next_token: first.next_token, ..request });
    got.extend(rest.iter().map(uid));
    let expected: Vec<String> = docs.iter().chain(&added[..5]).map(uid).collect();
    assert_eq!(got, expected);
    let updated = rest.iter().find(|d| uid(d) == uid(&docs[20])).unwrap();
    assert_eq!(updated["finding_info"]["title"], json!("changed while paging"));
}

// Several BatchUpdateFindingsV2 calls in one transaction (`batch_updates_v2`): each call answers
// for itself, in its targets' order, and writes its own history; a finding a later call names
// again (here by the other form of its identity) is read after the earlier call's write, so
// neither call's change is lost. The findings are read ahead of the writes on a machine with two
// cores: without the split into runs the second call would read the finding before the first
// call's comment was written and write it back without it.
#[test]
fn batched_v2_calls_answer_each_call_and_a_finding_named_again_sees_the_earlier_write() {
    let (_d, mut s, docs) = store(6);
    let caller = Caller::unrestricted("analyst");
    let f = Ocsf(&docs[2]);
    let triple = json!({"CloudAccountUid": f.account(), "FindingInfoUid": f.finding_uid(), "MetadataProductUid": f.product_uid()});
    let calls = vec![
        update(json!({"MetadataUids": [uid(&docs[0]), uid(&docs[2]), "nope"], "Comment": "first"})),
        update(json!({"FindingIdentifiers": [triple.clone()], "StatusId": 4})),
        update(json!({"MetadataUids": [uid(&docs[1]), uid(&docs[2]), uid(&docs[1])], "SeverityId": 6})),
    ];
    let answers = s.batch_updates_v2(&caller, &calls).unwrap();
    assert_eq!(answers.len(), 3);
    let uids = |refs: &[V2FindingRef]| -> Vec<String> {
        refs.iter().map(|r| r.metadata_uid.clone().unwrap_or_default()).collect()
    };
    assert_eq!(uids(&answers[0].processed), [uid(&docs[0]), uid(&docs[2])]);
    assert_eq!(answers[0].unprocessed.len(), 1);
    assert_eq!(answers[0].unprocessed[0].finding.metadata_uid.as_deref(), Some("nope"));
    assert_eq!(answers[0].unprocessed[0].error_code, V2UnprocessedCode::ResourceNotFoundException);
    assert_eq!(answers[1].processed.len(), 1);
    assert_eq!(
        answers[1].processed[0].finding_identifier.as_ref().map(|i| i.finding_info_uid.as_str()),
        Some(f.finding_uid())
    );
    assert!(answers[1].unprocessed.is_empty());
    // Named twice by one call: answered twice, updated once.
    assert_eq!(uids(&answers[2].processed), [uid(&docs[1]), uid(&docs[2]), uid(&docs[1])]);

    // The finding all three calls named has every call's change, and the flags of each.
    let stored = s.get_ocsf_as(&Access::Unrestricted, &uid(&docs[2])).unwrap().unwrap();
    assert_eq!(
        (&stored["comment"], &stored["status_id"], &stored["severity_id"]),
        (&json!("first"), &json!(4), &json!(6))
    );
    let edited: i64 =
        s.conn().query_row("SELECT v2_edited FROM findings WHERE id = ?1", [uid(&docs[2])], |r| r.get(0)).unwrap();
    let all =
        V2Edited::of(&calls[0].update).union(V2Edited::of(&calls[1].update)).union(V2Edited::of(&calls[2].update));
    assert_eq!(edited, i64::from(all.0));
    let one = s.get_ocsf_as(&Access::Unrestricted, &uid(&docs[1])).unwrap().unwrap();
    assert_eq!(one["severity_id"], 6);

    // Each call wrote its own history record: three for the finding named by all three calls (each
    // one's change from the state the call before left), one for the one named twice by one call.
    let history = |d: &Value| {
        let key = crate::model::finding::FindingKey::new(Ocsf(d).product_uid(), uid(d).as_str());
        let request = crate::store::HistoryRequest { key, start: None, end: None, next_token: None, max_results: 100 };
        s.finding_history(&request).unwrap().records
    };
    let h = history(&docs[2]);
    let updates: Vec<_> = h.iter().filter(|r| r.identity == "analyst").collect();
    assert_eq!(updates.len(), 3, "{h:?}");
    assert_eq!(history(&docs[1]).iter().filter(|r| r.identity == "analyst").count(), 1);
}

// The update edits the stored text and rewrites only the columns the edited members give: every
// column (the document's text included) reads as the whole document's `columns` would write it.
#[test]
fn an_updated_row_reads_as_its_whole_document_would_be_written() {
    let (_d, mut s, docs) = store(12);
    let caller = Caller::unrestricted("analyst");
    let uids: Vec<String> = docs.iter().map(uid).collect();
    // Archived (a closed finding), Fatal, a comment with characters JSON escapes; then other values.
    for body in [
        json!({"MetadataUids": uids[..8], "StatusId": 5, "SeverityId": 6, "Comment": "a \"quoted\"\n\u{1b} é"}),
        json!({"MetadataUids": uids[4..], "StatusId": 1, "SeverityId": 0}),
        json!({"MetadataUids": uids[..2], "Comment": "again"}),
    ] {
        let r = s.batch_update_v2_as(&caller, &update(body)).unwrap();
        assert!(r.unprocessed.is_empty());
    }
    let names: Vec<&str> = columns(&s.codec, &docs[0]).unwrap().into_iter().map(|(n, _)| n).collect();
    for u in &uids {
        let doc = s.get_ocsf_as(&Access::Unrestricted, u).unwrap().unwrap();
        let sql = format!("SELECT {} FROM findings WHERE format = 'ocsf' AND id = ?1", names.join(", "));
        let row: Vec<SqlValue> =
            s.conn().query_row(&sql, [u], |r| (0..names.len()).map(|i| r.get::<_, SqlValue>(i)).collect()).unwrap();
        for ((name, want), got) in columns(&s.codec, &doc).unwrap().into_iter().zip(row) {
            match (want, got) {
                (SqlValue::Blob(_), SqlValue::Blob(got)) => {
                    let text = s.codec.decompress(&got).unwrap();
                    assert_eq!(text, serde_json::to_vec(&doc).unwrap(), "{u}: the document's text");
                }
                (want, got) => assert_eq!(got, want, "{u}: {name}"),
            }
        }
    }
    let closed: i64 = s
        .conn()
        .query_row("SELECT count(*) FROM findings WHERE format = 'ocsf' AND record_state = 'ARCHIVED'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(closed >= 4, "status Archived closes the first findings");
}

/// `doc` as its provider sends it again `hours` later, with another title.
fn later(doc: &Value, hours: i64, title: &str) -> Value {
    let mut newer = doc.clone();
    let modified = Ocsf(doc).updated_time().unwrap() + time::Duration::hours(hours);
    newer["finding_info"]["modified_time_dt"] = json!(timestamp::format(modified));
    newer["finding_info"]["modified_time"] = json!(crate::model::ocsf::to_millis(modified));
    newer["finding_info"]["title"] = json!(title);
    newer
}

// Many calls in one bulk import (transactions of many calls, the new findings prepared on the other
// core) keep each call's rules and answer: a finding named again later in the same import (in its
// own call or a later one) is updated when newer and ignored when not, as if each call were its
// own import; BatchUpdateFindingsV2's values survive; bad findings are reported by their call.
#[test]
fn a_bulk_import_answers_each_call_as_its_own_import() {
    let (_d, mut s, docs) = store(2);
    let caller = Caller { account: Some(Ocsf(&docs[0]).account().to_string()), identity: "me".into() };
    let stored = uid(&docs[0]);
    s.batch_update_v2_as(&caller, &update(json!({"MetadataUids": [stored], "StatusId": 3, "Comment": "kept"})))
        .unwrap();
    let account = Ocsf(&docs[0]).account().to_string();
    let fresh: Vec<Value> = generate_ocsf(&GenOptions { count: 150, seed: 99, ..GenOptions::default() })
        .map(|mut d| {
            d["cloud"]["account"]["uid"] = json!(account);
            d
        })
        .collect();
    let mut bad = fresh[0].clone();
    bad["metadata"]["uid"] = json!("bad-one");
    bad["status_id"] = json!(6);
    let mut other_account = fresh[1].clone();
    other_account["metadata"]["uid"] = json!("theirs");
    other_account["cloud"]["account"]["uid"] = json!("999999999999");
    let calls = vec![
        // New ones, one of them named twice (its later version wins), and the stored one, newer.
        [&fresh[..60], &[later(&fresh[5], 1, "second"), later(&docs[0], 1, "provider's")]].concat(),
        [&fresh[60..], &[bad, later(&fresh[5], 1, "not newer"), later(&fresh[70], 2, "third")]].concat(),
        vec![other_account, later(&fresh[5], 3, "fourth")],
    ];
    let results = s.import_ocsf_calls(&caller, calls).unwrap();
    let counts: Vec<(usize, usize)> = results.iter().map(|r| (r.success_count, r.failed.len())).collect();
    assert_eq!(counts, [(62, 0), (fresh.len() - 60 + 2, 1), (1, 1)]);
    assert_eq!((results[1].failed[0].id.as_str(), results[1].failed[0].code.as_str()), ("bad-one", "InvalidInput"));
    assert_eq!(results[2].failed[0].code, "AccessDeniedException");
    let get = |u: &str| s.get_ocsf_as(&Access::Unrestricted, u).unwrap().unwrap();
    assert_eq!(get(&uid(&fresh[5]))["finding_info"]["title"], "fourth");
    assert_eq!(get(&uid(&fresh[70]))["finding_info"]["title"], "third");
    assert_eq!(get(&uid(&fresh[100])), fresh[100], "a new finding reads back as sent");
    let kept = get(&stored);
    assert_eq!(kept["finding_info"]["title"], "provider's");
    assert_eq!((&kept["status_id"], &kept["comment"]), (&json!(3), &json!("kept")));
    assert!(s.get_ocsf_as(&Access::Unrestricted, "theirs").unwrap().is_none());
    let n: i64 = s.conn().query_row("SELECT count(*) FROM findings WHERE format = 'ocsf'", [], |r| r.get(0)).unwrap();
    assert_eq!(n as usize, 2 + fresh.len());
}

/// Every column of every row of the `findings` table, in row id order.
fn table(conn: &rusqlite::Connection) -> Vec<Vec<SqlValue>> {
    let mut stmt = conn.prepare("SELECT rowid, * FROM findings ORDER BY rowid").unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| (0..n).map(|i| r.get::<_, SqlValue>(i)).collect())
        .unwrap()
        .map(std::result::Result::unwrap)
        .collect()
}

// The prepared statements a bulk write uses (`write::Writer`, values bound without a copy) write
// the rows the generic path (`insert_columns`, `rewrite_columns`: rusqlite, the SQL made per row)
// writes from the same columns, column for column, on inserts and on each kind of rewrite.
#[test]
fn prepared_writer_writes_the_rows_of_the_generic_path() {
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let mut stores: Vec<Store> =
        dirs.iter().map(|d| Store::open(d.path().join("s.db")).unwrap().with_clock(clock)).collect();
    let mut docs: Vec<Value> = generate_ocsf(&GenOptions { count: 120, seed: 3, ..GenOptions::default() }).collect();
    docs[1]["comment"] = json!("a \"quoted\"\n\u{1b} é");
    if let Some(o) = docs[2].as_object_mut() {
        o.remove("confidence_score");
        o.remove("comment");
    }
    let codec = &stores[0].codec;
    let rows: Vec<Vec<(&'static str, SqlValue)>> =
        docs.iter().map(|d| row_columns(codec, d, &serde_json::to_vec(d).unwrap())).collect::<Result<_>>().unwrap();
    let new_rows: Vec<NewRow> =
        docs.iter().map(|d| new_row(codec, d, &serde_json::to_vec(d).unwrap())).collect::<Result<_>>().unwrap();
    let edits = [
        V2Edited::SEVERITY.union(V2Edited::STATUS).union(V2Edited::COMMENT),
        V2Edited::STATUS,
        V2Edited::COMMENT,
        V2Edited::default(),
    ];
    let mut rewrites = Vec::new();
    for (i, d) in docs.iter().enumerate().step_by(3) {
        let mut edited = d.clone();
        edited["status_id"] = json!(1 + i % 5);
        edited["severity_id"] = json!(i % 7);
        edited["comment"] = json!(format!("note {i}"));
        let json = serde_json::to_vec(&edited).unwrap();
        let set = edits[i % edits.len()];
        let cols = match i % 5 {
            // The whole document's columns, as a rewrite of a parsed document gives them.
            0 => columns(codec, &edited).unwrap(),
            // Nothing but `v2_edited`.
            1 => Vec::new(),
            _ => edited_columns(codec, &edited, set, &json).unwrap(),
        };
        rewrites.push((i as i64 + 1, cols, set));
    }
    for (n, s) in stores.iter_mut().enumerate() {
        let tx = s.conn.transaction().unwrap();
        {
            let mut writer = write::Writer::new(&tx);
            for (i, cols) in rows.iter().enumerate() {
                let rowid = if n == 0 && i % 2 == 0 {
                    // As an import writes a new finding's row: its texts bound from one buffer.
                    writer.insert_row(&new_rows[i], 1_000 + i as i64).unwrap()
                } else if n == 0 {
                    writer.insert(cols, 1_000 + i as i64).unwrap()
                } else {
                    insert_columns(&tx, cols.clone(), 1_000 + i as i64).unwrap()
                };
                assert_eq!(rowid, i as i64 + 1);
            }
            for (rowid, cols, set) in &rewrites {
                if n == 0 {
                    writer.rewrite(*rowid, cols, *set).unwrap();
                } else {
                    rewrite_columns(&tx, *rowid, cols.clone(), *set).unwrap();
                }
            }
        }
        tx.commit().unwrap();
    }
    let (prepared, generic) = (table(stores[0].conn()), table(stores[1].conn()));
    assert_eq!(prepared.len(), docs.len());
    assert_eq!(prepared, generic);
}

// An import keeps the set of stored findings' hashes (`KnownIds`) for the next one: a finding it
// stored is found again by the next import, and one another connection stored since (the set is
// then stale) too, so nothing is stored twice.
#[test]
fn imports_after_an_import_find_what_is_stored_whoever_stored_it() {
    let (d, mut s, docs) = store(120);
    let caller = Caller::unrestricted("test");
    let newer: Vec<Value> = docs.iter().map(|d| later(d, 1, "again")).collect();
    let r = s.import_ocsf(&caller, newer.clone()).unwrap();
    assert_eq!((r.success_count, r.failed.len()), (120, 0));
    let fresh: Vec<Value> = generate_ocsf(&GenOptions { count: 40, seed: 11, ..GenOptions::default() }).collect();
    let mut other = Store::open(d.path().join("s.db")).unwrap().with_clock(clock);
    assert_eq!(other.import_ocsf(&caller, fresh.clone()).unwrap().success_count, 40);
    drop(other);
    let again: Vec<Value> = fresh.iter().map(|d| later(d, 2, "third")).collect();
    assert_eq!(s.import_ocsf(&caller, [again, newer].concat()).unwrap().success_count, 160);
    let n: i64 = s.conn().query_row("SELECT count(*) FROM findings WHERE format = 'ocsf'", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 160);
    let get = |u: &str| s.get_ocsf_as(&Access::Unrestricted, u).unwrap().unwrap();
    assert_eq!(get(&uid(&fresh[7]))["finding_info"]["title"], "third");
    assert_eq!(get(&uid(&docs[7]))["finding_info"]["title"], "again");
}

// A BatchUpdateFindingsV2 that changes the status fires the expiry trigger, so each row's UPDATE
// journals the pages it touches: the store keeps that journal in memory (a temporary file took a
// system call per page for the rest of the transaction once one statement passed 64 KB).
#[test]
fn statement_journals_are_kept_in_memory() {
    let (_d, s, _) = store(1);
    let temp_store: i64 = s.conn().query_row("PRAGMA temp_store", [], |r| r.get(0)).unwrap();
    assert_eq!(temp_store, 2, "MEMORY");
}
