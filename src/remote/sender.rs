//! Sends the durable outbox (`remote::outbox`) as BatchUpdateFindings calls: the rows that may go
//! now (each finding's oldest), identical updates grouped into calls of at most 100 identifiers,
//! several calls in flight under the client's token bucket, and each answer recorded in one
//! transaction. A row leaves the outbox only once the remote has answered for it, and a finding's
//! next edit is not sent before its previous one is answered, so a call sent again after a crash sets
//! the same values it set the first time and nothing later is overwritten by it.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::FutureExt;
use rand::{Rng, SeedableRng};

use super::client::Client;
use super::error::RemoteError;
use super::outbox::{now_ms, parse_update, v2_key, Outbox, Ready, SendLock, V2_MARK};
use crate::backend::Result;
use crate::model::finding::FindingKey;
use crate::model::sanitize;
use crate::model::update::{FindingUpdate, MAX_IDENTIFIERS};
use crate::model::wire::batch_update::{BatchUpdateRequest, Unprocessed, UpdateResult};
use crate::model::wire::batch_update_v2::{BatchUpdateV2Request, V2FindingRef, V2Targets};

/// Calls in flight at once. At 10 calls a second, 32 keeps the bucket busy with answers up to 3 s
/// slow; the bucket, not this, sets the pace.
pub const MAX_IN_FLIGHT: usize = 32;

/// What one pass over the outbox did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SendReport {
    pub calls: usize,
    /// Findings the remote processed.
    pub sent: usize,
    /// Findings it refused for good (UnprocessedFindings, other 4xx).
    pub refused: usize,
    /// Why the pass stopped with findings still queued (offline, throttled past the retries, ...).
    pub stopped: Option<String>,
    /// Times the outbox was read for rows ready to send.
    pub scans: usize,
}

/// One call: an update and the rows (findings) it names.
struct Planned {
    update: FindingUpdate,
    rows: Vec<(i64, FindingKey)>,
    /// A BatchUpdateFindingsV2 call: rows keyed `outbox::v2_key`, named by MetadataUids.
    v2: bool,
}

/// Whether a call that failed so may succeed later, so that its edits stay queued: the endpoint
/// unreachable, throttled or failing (after the client's own retries), a missing or expired login,
/// a clock to fix, an endpoint without BatchUpdateFindings (moto). Other 4xx are final.
fn worth_keeping(e: &RemoteError) -> bool {
    match e {
        RemoteError::Service { status, .. } => *status >= 500 || *status == 429,
        RemoteError::NotEnabled { .. } | RemoteError::AccessDenied { .. } | RemoteError::BadResponse { .. } => false,
        _ => true,
    }
}

/// The code a refused edit is shown with.
fn code_of(e: &RemoteError) -> String {
    match e {
        RemoteError::Service { code, .. } | RemoteError::AccessDenied { code, .. } if !code.is_empty() => code.clone(),
        RemoteError::NotEnabled { .. } => "InvalidAccessException".into(),
        RemoteError::BadResponse { .. } => "BadResponse".into(),
        RemoteError::Service { status, .. } => format!("HTTP{status}"),
        _ => "Error".into(),
    }
}

/// The wait before trying again after `failures` failed passes in a row: full jitter under a
/// ceiling doubling from 1 s to 60 s.
pub fn backoff(failures: u32) -> Duration {
    let ceiling = Duration::from_secs(1u64 << failures.saturating_sub(1).min(6)).min(Duration::from_secs(60));
    let seed = time::OffsetDateTime::now_utc().unix_timestamp_nanos() as u64;
    let jitter = rand_chacha::ChaCha8Rng::seed_from_u64(seed).random::<f64>();
    ceiling.mul_f64(jitter).max(Duration::from_millis(100))
}

fn lock(outbox: &Mutex<Outbox>) -> std::sync::MutexGuard<'_, Outbox> {
    // A panic elsewhere mid-transaction rolled that transaction back; the connection is usable.
    outbox.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Ready rows as calls: grouped by identical update in the order first seen, at most 100 a call.
fn plan(ready: Vec<Ready>) -> Result<Vec<Planned>> {
    // An update's JSON and whether its rows are V2 ones.
    type Group = (String, bool);
    let mut groups: Vec<(Group, Vec<(i64, FindingKey)>)> = Vec::new();
    let mut index: HashMap<Group, usize> = HashMap::new();
    for r in ready {
        let group = (r.update_json, r.key.product_arn == V2_MARK);
        match index.get(&group) {
            Some(&i) => groups[i].1.push((r.seq, r.key)),
            None => {
                index.insert(group.clone(), groups.len());
                groups.push((group, vec![(r.seq, r.key)]));
            }
        }
    }
    let mut calls = Vec::new();
    for ((text, v2), rows) in groups {
        let update = parse_update(&text)?;
        // BatchUpdateFindingsV2 takes at most 100 MetadataUids too.
        for chunk in rows.chunks(MAX_IDENTIFIERS) {
            calls.push(Planned { update: update.clone(), rows: chunk.to_vec(), v2 });
        }
    }
    Ok(calls)
}

async fn send_one(client: &Client, call: Planned) -> (Planned, std::result::Result<UpdateResult, RemoteError>) {
    if call.v2 {
        let r = send_v2(client, &call).await;
        return (call, r);
    }
    let request = BatchUpdateRequest {
        identifiers: call.rows.iter().map(|(_, k)| k.clone()).collect(),
        update: call.update.clone(),
    };
    let r = client.batch_update_findings(&request).await;
    (call, r)
}

/// A V2 call: the update as BatchUpdateFindingsV2 takes it (StatusId, SeverityId, Comment), the
/// findings named by MetadataUids; its answer told in the rows' keys, as a V1 answer is.
async fn send_v2(client: &Client, call: &Planned) -> std::result::Result<UpdateResult, RemoteError> {
    let request = BatchUpdateV2Request {
        targets: V2Targets::MetadataUids(call.rows.iter().map(|(_, k)| k.id.clone()).collect()),
        update: call.update.to_v2(),
    };
    let answer = client.batch_update_findings_v2(&request).await?;
    // Named by MetadataUids, the answer names them so too.
    let uid_of = |r: &V2FindingRef| r.metadata_uid.clone();
    Ok(UpdateResult {
        processed: answer.processed.iter().filter_map(uid_of).map(|u| v2_key(&u)).collect(),
        unprocessed: answer
            .unprocessed
            .iter()
            .filter_map(|u| {
                Some(Unprocessed {
                    key: v2_key(&uid_of(&u.finding)?),
                    code: u.error_code.as_str().to_string(),
                    message: u.error_message.clone(),
                })
            })
            .collect(),
    })
}

/// What answered calls leave to record: findings processed and refused, written in one
/// transaction (one fsync) for every call answered at about the same time.
#[derive(Default)]
struct Answers {
    done: Vec<i64>,
    refused: Vec<(i64, String, String)>,
}

/// Notes one call's answer in `answers` (or, for a call worth trying again later, records it now);
/// returns the error that should stop the pass, if any.
fn record(
    outbox: &Mutex<Outbox>,
    call: &Planned,
    r: std::result::Result<UpdateResult, RemoteError>,
    report: &mut SendReport,
    answers: &mut Answers,
    failures: u32,
) -> Result<Option<String>> {
    let seqs: Vec<i64> = call.rows.iter().map(|(s, _)| *s).collect();
    report.calls += 1;
    match r {
        Ok(answer) => {
            let by_key: HashMap<&FindingKey, i64> = call.rows.iter().map(|(s, k)| (k, *s)).collect();
            let mut answered: HashSet<i64> = HashSet::new();
            let done: Vec<i64> = answer.processed.iter().filter_map(|k| by_key.get(k).copied()).collect();
            answered.extend(&done);
            let mut refused: Vec<(i64, String, String)> = answer
                .unprocessed
                .iter()
                .filter_map(|u| {
                    let seq = by_key.get(&u.key).copied()?;
                    Some((seq, sanitize::line(&u.code).into_owned(), sanitize::line(&u.message).into_owned()))
                })
                .collect();
            answered.extend(refused.iter().map(|(s, _, _)| *s));
            // The service answers for every finding named; one it left out was not updated.
            refused.extend(
                seqs.iter()
                    .filter(|s| !answered.contains(s))
                    .map(|s| (*s, "NoAnswer".to_string(), "the answer did not name this finding".to_string())),
            );
            report.sent += done.len();
            report.refused += refused.len();
            answers.done.extend(done);
            answers.refused.extend(refused);
            Ok(None)
        }
        Err(e) if worth_keeping(&e) => {
            let message = e.to_string();
            let wait = backoff(failures + 1).as_millis() as i64;
            lock(outbox).record_retry(&seqs, &message, now_ms() + wait)?;
            Ok(Some(message))
        }
        Err(e) => {
            let (code, message) = (code_of(&e), e.to_string());
            report.refused += seqs.len();
            answers.refused.extend(seqs.iter().map(|s| (*s, code.clone(), message.clone())));
            Ok(None)
        }
    }
}

/// One pass: sends what is ready until nothing is, or until a call fails in a way worth trying
/// again later (then the calls in flight finish and the pass stops, the rest left queued).
/// `honour_backoff` false sends rows waiting out a backoff too (the user asked: `outbox --send`).
/// `failures` is how many passes in a row failed before this one, for the backoff recorded.
pub async fn send_pass(
    outbox: &Mutex<Outbox>,
    client: &Client,
    honour_backoff: bool,
    failures: u32,
) -> Result<SendReport> {
    send_pass_woken(outbox, client, honour_backoff, failures, None).await
}

/// `send_pass`, reading the outbox again whenever `wake` is notified (an edit was queued) while
/// calls are in flight. The workbench queues a bulk edit one call of 100 at a time, each
/// acknowledged at once; without this, the calls queued after a pass had started waited for the
/// first answers (a whole round trip to a slow endpoint) before they were sent.
pub async fn send_pass_woken(
    outbox: &Mutex<Outbox>,
    client: &Client,
    honour_backoff: bool,
    failures: u32,
    wake: Option<&tokio::sync::Notify>,
) -> Result<SendReport> {
    let mut report = SendReport::default();
    let mut in_flight: HashSet<i64> = HashSet::new();
    let mut queue: VecDeque<Planned> = VecDeque::new();
    let mut running = FuturesUnordered::new();
    // Calls answered since the outbox was last read. Reading it after every answer (a query over
    // every queued row, on the thread that drives the calls) held 10,000 findings unthrottled to
    // about 5,500 a second; reading it again once half the calls in flight are answered (or none
    // is left) keeps the pipe full, and still picks up each finding's next edit soon after its
    // previous one is answered.
    let mut answered_since_scan = usize::MAX;
    let mut woken = false;
    loop {
        let due = woken || answered_since_scan >= MAX_IN_FLIGHT / 2 || running.is_empty();
        if report.stopped.is_none() && queue.is_empty() && due {
            answered_since_scan = 0;
            woken = false;
            report.scans += 1;
            let mut o = lock(outbox);
            let ready = o.ready(&in_flight, now_ms(), honour_backoff, MAX_IN_FLIGHT * MAX_IDENTIFIERS)?;
            let seqs: Vec<i64> = ready.iter().map(|r| r.seq).collect();
            o.mark_sent(&seqs, now_ms())?;
            drop(o);
            for call in plan(ready)? {
                in_flight.extend(call.rows.iter().map(|(s, _)| *s));
                queue.push_back(call);
            }
        }
        while report.stopped.is_none() && running.len() < MAX_IN_FLIGHT {
            let Some(call) = queue.pop_front() else { break };
            running.push(send_one(client, call));
        }
        let next = match wake {
            Some(wake) if !running.is_empty() && report.stopped.is_none() => {
                tokio::select! {
                    next = running.next() => next,
                    () = wake.notified() => {
                        woken = true;
                        continue;
                    }
                }
            }
            _ => running.next().await,
        };
        let Some(first) = next else {
            // Nothing to send and nothing in flight: done, unless edits wait behind a fence (a dead
            // process's call that may still land), which is short and waited out.
            let fence = lock(outbox).next_fence_ms()?;
            match fence {
                Some(at) if report.stopped.is_none() && at > now_ms() => {
                    tokio::time::sleep(Duration::from_millis((at - now_ms()) as u64)).await;
                    continue;
                }
                _ => break,
            }
        };
        // Every call answered by now is recorded in one transaction.
        let mut answered = vec![first];
        while let Some(Some(more)) = running.next().now_or_never() {
            answered.push(more);
        }
        let mut answers = Answers::default();
        for (call, r) in answered {
            for (s, _) in &call.rows {
                in_flight.remove(s);
            }
            answered_since_scan = answered_since_scan.saturating_add(1);
            if let Some(stop) = record(outbox, &call, r, &mut report, &mut answers, failures)? {
                report.stopped.get_or_insert(stop);
            }
        }
        if !answers.done.is_empty() || !answers.refused.is_empty() {
            lock(outbox).record_answer(&answers.done, &answers.refused)?;
        }
    }
    Ok(report)
}

/// How the background sender is doing, for the backend's callers.
#[derive(Debug, Default)]
pub struct SenderState {
    /// Passes that stopped on a failure, ever: a caller waiting for its edit stops waiting when
    /// this moves (the endpoint is down; the edit stays queued).
    pub failed_passes: std::sync::atomic::AtomicU64,
    /// The last pass's failure, while it lasts.
    pub last_failure: Mutex<Option<String>>,
}

/// Sends the outbox for as long as the runtime runs: a pass whenever woken (an edit was queued),
/// and after a failed pass again after a backoff (offline: until the endpoint answers).
pub async fn run_background(
    outbox: Arc<Mutex<Outbox>>,
    client: Arc<Client>,
    wake: Arc<tokio::sync::Notify>,
    state: Arc<SenderState>,
) {
    let mut failures = 0u32;
    let path = lock(&outbox).path().to_path_buf();
    let mut held: Option<SendLock> = None;
    loop {
        if held.is_none() {
            held = SendLock::try_take(&path).ok().flatten();
        }
        let stopped = if held.is_none() {
            Some("another hubtriage process is sending this outbox".to_string())
        } else {
            match send_pass_woken(&outbox, &client, true, failures, Some(&wake)).await {
                Ok(r) => r.stopped,
                Err(e) => Some(e.message),
            }
        };
        let wait = match stopped {
            Some(why) => {
                failures += 1;
                *state.last_failure.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(why);
                state.failed_passes.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Some(backoff(failures))
            }
            None => {
                failures = 0;
                *state.last_failure.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
                // Rows waiting out an earlier backoff (another process's pass) are due later.
                match lock(&outbox).next_due_ms() {
                    Ok(Some(due)) => Some(Duration::from_millis((due - now_ms()).clamp(50, 60_000) as u64)),
                    _ => None,
                }
            }
        };
        match wait {
            Some(w) => {
                tokio::select! {
                    _ = wake.notified() => {}
                    _ = tokio::time::sleep(w) => {}
                }
            }
            None => wake.notified().await,
        }
    }
}
