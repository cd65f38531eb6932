use super::*;
use crate::model::enums::WorkflowStatus;

fn key(i: usize) -> FindingKey {
    FindingKey::new("arn:aws:securityhub:us-east-1::product/aws/guardduty", format!("f-{i}"))
}

fn workflow(w: WorkflowStatus) -> FindingUpdate {
    FindingUpdate { workflow_status: Some(w), ..Default::default() }
}

fn open(dir: &Path) -> Outbox {
    Outbox::open(&dir.join("o.db"), "http://127.0.0.1:1", "111111111111", "us-east-1").unwrap()
}

#[test]
fn an_edit_is_on_disk_when_enqueue_returns_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let keys: Vec<FindingKey> = (0..250).map(key).collect();
    let prev: HashMap<FindingKey, FindingUpdate> = [(key(0), workflow(WorkflowStatus::New))].into_iter().collect();
    let id = open(dir.path()).enqueue(&keys, &workflow(WorkflowStatus::Resolved), &prev).unwrap();
    let o = open(dir.path());
    assert_eq!(o.queued().unwrap(), 250);
    let list = o.list().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].id, list[0].findings, list[0].queued), (id, 250, 250));
    assert_eq!(list[0].update, workflow(WorkflowStatus::Resolved));
    // A store made for another endpoint, account or region is not used.
    assert!(Outbox::open(&dir.path().join("o.db"), "http://127.0.0.1:1", "222222222222", "us-east-1").is_err());
}

#[test]
fn a_later_edit_of_a_finding_waits_for_the_earlier_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = open(dir.path());
    o.enqueue(&[key(1), key(2)], &workflow(WorkflowStatus::Notified), &HashMap::new()).unwrap();
    o.enqueue(&[key(2), key(3)], &workflow(WorkflowStatus::Resolved), &HashMap::new()).unwrap();
    let ready = o.ready(&HashSet::new(), now_ms(), true, 100).unwrap();
    let names: Vec<&str> = ready.iter().map(|r| r.key.id.as_str()).collect();
    assert_eq!(names, ["f-1", "f-2", "f-3"], "f-2's second edit waits");
    // In flight, the first edit of f-2 is not offered again, and its second still waits.
    let f2 = ready[1].seq;
    let again = o.ready(&[f2].into_iter().collect(), now_ms(), true, 100).unwrap();
    assert!(again.iter().all(|r| r.key != key(2)), "{again:?}");
    // Answered: the second edit of f-2 is next.
    o.record_answer(&[ready[0].seq, f2], &[]).unwrap();
    let next = o.ready(&HashSet::new(), now_ms(), true, 100).unwrap();
    let names: Vec<&str> = next.iter().map(|r| r.key.id.as_str()).collect();
    assert_eq!(names, ["f-2", "f-3"]);
    assert!(next.iter().all(|r| r.update_json == update_text(&workflow(WorkflowStatus::Resolved))));
    // Refused ones stay, with their codes, and no longer block.
    o.record_answer(&[next[1].seq], &[(next[0].seq, "FindingNotFound".into(), "gone".into())]).unwrap();
    assert_eq!(o.queued().unwrap(), 0);
    assert_eq!(o.refused().unwrap()[0].code, "FindingNotFound");
    let list = o.list().unwrap();
    assert_eq!((list.len(), list[0].failed), (1, 1));
    assert_eq!(o.drop_edit(list[0].id).unwrap(), Some(1));
    assert!(o.list().unwrap().is_empty());
    assert_eq!(o.drop_edit(list[0].id).unwrap(), None);
}

#[test]
fn a_row_waiting_out_a_backoff_is_not_ready_until_then() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = open(dir.path());
    o.enqueue(&[key(1)], &workflow(WorkflowStatus::Resolved), &HashMap::new()).unwrap();
    let seq = o.ready(&HashSet::new(), now_ms(), true, 10).unwrap()[0].seq;
    o.record_retry(&[seq], "cannot reach", now_ms() + 60_000).unwrap();
    assert!(o.ready(&HashSet::new(), now_ms(), true, 10).unwrap().is_empty());
    assert_eq!(o.ready(&HashSet::new(), now_ms(), false, 10).unwrap().len(), 1, "unless the user asks");
    let list = o.list().unwrap();
    assert_eq!((list[0].attempts, list[0].last_error.as_deref()), (1, Some("cannot reach")));
}

#[test]
fn the_cache_dir_follows_the_given_environment() {
    let env = Environment::from_map([("HOME".to_string(), "/tmp/h".to_string())].into_iter().collect());
    let dir = cache_dir(&env).unwrap();
    assert!(dir.starts_with("/tmp/h"), "{dir:?}");
    let a = store_path(&dir, "http://x", "1", "us-east-1");
    assert_ne!(a, store_path(&dir, "http://x", "1", "eu-west-1"));
    assert!(a.starts_with(dir.join("remote")));
}

#[test]
fn an_edit_sent_by_a_process_that_died_fences_the_findings_next_edit() {
    let dir = tempfile::tempdir().unwrap();
    let mut dead = open(dir.path());
    dead.enqueue(&[key(1), key(2)], &workflow(WorkflowStatus::Notified), &HashMap::new()).unwrap();
    dead.enqueue(&[key(1)], &workflow(WorkflowStatus::Resolved), &HashMap::new()).unwrap();
    let first: Vec<i64> = dead.ready(&HashSet::new(), now_ms(), true, 10).unwrap().iter().map(|r| r.seq).collect();
    let t0 = now_ms();
    dead.mark_sent(&first, t0).unwrap();
    drop(dead);
    // The next process sends the same edits again and is answered...
    let mut o = open(dir.path());
    let again = o.ready(&HashSet::new(), t0, true, 10).unwrap();
    assert_eq!(again.iter().map(|r| r.seq).collect::<Vec<_>>(), first);
    o.mark_sent(&first, t0 + 10).unwrap();
    o.record_answer(&first, &[]).unwrap();
    // ...but the dead process's call may still land: f-1's later edit waits until it cannot.
    assert!(o.ready(&HashSet::new(), t0 + 20, true, 10).unwrap().is_empty());
    assert!(o.ready(&HashSet::new(), t0 + 20, false, 10).unwrap().is_empty(), "even when the user asks");
    assert_eq!(o.next_fence_ms().unwrap(), Some(t0 + ORPHAN_FENCE_MS));
    let later = o.ready(&HashSet::new(), t0 + ORPHAN_FENCE_MS, true, 10).unwrap();
    assert_eq!(later.iter().map(|r| r.key.id.as_str()).collect::<Vec<_>>(), ["f-1"]);
    // Sent and answered within one process, a finding's next edit is not fenced.
    let mut same = open(dir.path());
    same.enqueue(&[key(3)], &workflow(WorkflowStatus::Notified), &HashMap::new()).unwrap();
    same.enqueue(&[key(3)], &workflow(WorkflowStatus::Resolved), &HashMap::new()).unwrap();
    let r = same.ready(&HashSet::new(), now_ms(), true, 10).unwrap();
    let f3: Vec<i64> = r.iter().filter(|r| r.key == key(3)).map(|r| r.seq).collect();
    same.mark_sent(&f3, now_ms()).unwrap();
    same.record_answer(&f3, &[]).unwrap();
    assert!(same.ready(&HashSet::new(), now_ms(), true, 10).unwrap().iter().any(|r| r.key == key(3)));
}

#[test]
fn one_process_sends_an_outbox_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("o.db");
    let held = SendLock::try_take(&store).unwrap();
    assert!(held.is_some());
    // flock locks belong to the open file: a second opening (as by another process) is refused.
    assert!(SendLock::try_take(&store).unwrap().is_none());
    drop(held);
    assert!(SendLock::try_take(&store).unwrap().is_some());
}
