//! Tests of time-boxed suppression on the store, with the store's clock fixed (`store::tests::clock`,
//! 2026-02-03) and the expiry run at a chosen time.

use serde_json::{json, Value};
use time::Duration;

use super::*;
use crate::store::tests::clock;
use crate::store::HistoryRequest;

fn store_with(count: usize) -> (tempfile::TempDir, Store, Vec<FindingKey>) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("s.db")).unwrap().with_clock(clock);
    let findings: Vec<Value> =
        crate::generate::generate(&crate::generate::GenOptions { count, ..Default::default() }).collect();
    store.batch_import(&Caller::unrestricted("t"), findings.clone()).unwrap();
    let keys = findings.iter().filter_map(FindingKey::of).collect();
    (dir, store, keys)
}

fn request(keys: &[FindingKey], update: Value) -> BatchUpdateRequest {
    let mut body = update;
    body["FindingIdentifiers"] = json!(keys.iter().map(FindingKey::to_json).collect::<Vec<_>>());
    BatchUpdateRequest::from_json(&body).unwrap()
}

fn suppress(store: &mut Store, keys: &[FindingKey], days: i64) {
    let expiry =
        SetExpiry { expires: clock() + Duration::days(days), set_by: "alice".into(), reason: "accepted risk".into() };
    let r = request(
        keys,
        json!({"Workflow": {"Status": "SUPPRESSED"}, "Note": {"Text": "accepted risk", "UpdatedBy": "alice"}}),
    );
    store.batch_updates_expiring(&Caller::unrestricted("alice"), &[r], Some(&expiry)).unwrap();
}

#[test]
fn a_passed_expiry_reopens_the_finding_with_a_note_and_history() {
    let (_dir, mut store, keys) = store_with(3);
    suppress(&mut store, &keys[..2], 30);
    assert_eq!(store.expiries().unwrap().len(), 2);
    assert_eq!(store.expiry_of(&keys[0]).unwrap().unwrap().set_by, "alice");
    assert!(store.expiry_of(&keys[2]).unwrap().is_none());

    // Not yet due: nothing happens.
    assert!(store.expire_due(clock() + Duration::days(29)).unwrap().is_empty());
    assert_eq!(store.get(&keys[0]).unwrap().unwrap()["Workflow"]["Status"], "SUPPRESSED");

    let reopened = store.expire_due(clock() + Duration::days(31)).unwrap();
    assert_eq!(reopened.len(), 2);
    for key in &keys[..2] {
        let doc = store.get(key).unwrap().unwrap();
        assert_eq!(doc["Workflow"]["Status"], "NEW");
        assert_eq!(doc["Note"]["Text"], "suppression expired (set 2026-02-03 by alice: accepted risk)");
        assert_eq!(doc["Note"]["UpdatedBy"], EXPIRE_IDENTITY);
        let page = store.finding_history(&HistoryRequest::new(key.clone())).unwrap();
        let newest = &page.records[0];
        assert_eq!(newest.identity, EXPIRE_IDENTITY);
        assert!(newest.updates.iter().any(|u| u.field == "Workflow.Status"), "{:?}", newest.updates);
    }
    assert!(store.expiries().unwrap().is_empty());
}

#[test]
fn expiring_twice_does_nothing_the_second_time() {
    let (_dir, mut store, keys) = store_with(2);
    suppress(&mut store, &keys, 1);
    let at = clock() + Duration::days(2);
    assert_eq!(store.expire_due(at).unwrap().len(), 2);
    let history: i64 = store.conn.query_row("SELECT count(*) FROM history", [], |r| r.get(0)).unwrap();
    assert!(store.expire_due(at).unwrap().is_empty());
    let again: i64 = store.conn.query_row("SELECT count(*) FROM history", [], |r| r.get(0)).unwrap();
    assert_eq!(history, again, "the second run writes nothing");
}

#[test]
fn another_workflow_change_clears_the_expiry() {
    let (_dir, mut store, keys) = store_with(2);
    suppress(&mut store, &keys, 1);
    store
        .batch_update(&Caller::unrestricted("bob"), &request(&keys[..1], json!({"Workflow": {"Status": "RESOLVED"}})))
        .unwrap();
    // A note alone leaves the workflow, and so the expiry, as it is.
    store
        .batch_update(
            &Caller::unrestricted("bob"),
            &request(&keys[1..], json!({"Note": {"Text": "seen", "UpdatedBy": "bob"}})),
        )
        .unwrap();
    assert!(store.expiry_of(&keys[0]).unwrap().is_none());
    assert!(store.expiry_of(&keys[1]).unwrap().is_some());
    let reopened = store.expire_due(clock() + Duration::days(2)).unwrap();
    assert_eq!(reopened.iter().map(|e| &e.key).collect::<Vec<_>>(), [&keys[1]]);
    assert_eq!(store.get(&keys[0]).unwrap().unwrap()["Workflow"]["Status"], "RESOLVED");
}

#[test]
fn an_expiry_is_kept_only_for_findings_left_suppressed() {
    let (_dir, mut store, keys) = store_with(1);
    let expiry = SetExpiry { expires: clock() + Duration::days(1), set_by: "a".into(), reason: String::new() };
    let r = request(&keys, json!({"Workflow": {"Status": "NOTIFIED"}}));
    store.batch_updates_expiring(&Caller::unrestricted("a"), &[r], Some(&expiry)).unwrap();
    assert!(store.expiries().unwrap().is_empty());
}

#[test]
fn expiries_parse_as_spans_or_times_in_the_future() {
    let now = clock();
    assert_eq!(parse_expiry("30d", now).unwrap(), now + Duration::days(30));
    assert_eq!(parse_expiry("2w", now).unwrap(), now + Duration::weeks(2));
    assert_eq!(parse_expiry("12h", now).unwrap(), now + Duration::hours(12));
    assert_eq!(
        parse_expiry("2027-01-31T00:00:00Z", now).unwrap(),
        crate::model::timestamp::parse("2027-01-31T00:00:00Z").unwrap()
    );
    assert!(parse_expiry("2020-01-01T00:00:00Z", now).unwrap_err().contains("not in the future"));
    assert!(parse_expiry("soon", now).unwrap_err().contains("30d"));
    assert!(parse_expiry("0d", now).is_err());
}

#[test]
fn the_reopening_note_fits_a_note() {
    let e = Expiry {
        key: FindingKey::new("p", "i"),
        expires: clock(),
        set: clock(),
        set_by: "alice".into(),
        reason: "x".repeat(600),
    };
    let note = e.reopen_note();
    assert_eq!(note.chars().count(), 512);
    assert!(note.starts_with("suppression expired (set 2026-02-03 by alice: xxx"));
}
