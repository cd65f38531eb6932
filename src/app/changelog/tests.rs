//! `:log` without a terminal: the log and each change are read by the worker, `u` asks before
//! the worker undoes, and after the undo the log and the rows are read again.

use time::macros::datetime;

use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::event::Event;
use crate::app::prompt::Prompt;
use crate::app::tests::loaded;
use crate::app::{handle_event, update, AppState};
use crate::backend::{BackendError, Unprocessed, UpdateOutcome};
use crate::model::enums::WorkflowStatus;
use crate::model::finding::{FindingId, FindingKey};
use crate::model::update::{FindingUpdate, NoteUpdate};
use crate::store::changelog::{LogEntry, UndoPlan};

fn command(s: &mut AppState, line: &str) -> Vec<Effect> {
    update(s, Action::StartCommand);
    for c in line.chars() {
        update(s, Action::Input(c));
    }
    update(s, Action::Submit)
}

/// `n` entries, newest first, with the awkward ones an analyst meets: a long description, a
/// name and a note with control characters, an entry already undone.
pub(crate) fn entries(n: usize) -> Vec<LogEntry> {
    (1..=n as i64)
        .rev()
        .map(|id| {
            let description = match id % 4 {
                0 => "Set Workflow RESOLVED".to_string(),
                1 => "Set Workflow SUPPRESSED and Note (suppression expires 2027-01-05T10:00:00.000Z)".to_string(),
                2 => format!("Undo #{} (Set Workflow NOTIFIED by bob at 2026-10-30T09:12:44.000Z)", id - 1),
                _ => "Set Note \u{1b}]52;c;ZXZpbA==\u{7}accepted risk until the migration of every bucket in the \
                      legacy accounts is done, see SEC-4211 and the exception register"
                    .to_string(),
            };
            LogEntry {
                id,
                at: datetime!(2026-10-31 21:00 UTC) - time::Duration::hours((n as i64 - id) * 3),
                identity: if id % 5 == 0 {
                    "alice\u{1b}[2J@example.com-on-call-rotation".into()
                } else {
                    "alice".into()
                },
                description,
                findings: [240, 1, 10_000, 37][id as usize % 4],
                undone_by: (id == n as i64 - 2).then_some(n as i64 - 1),
            }
        })
        .collect()
}

/// Entry `entry`'s plan over the first `n` rows of `s`: each back to NEW, one with its note.
pub(crate) fn plan_for(s: &AppState, entry: LogEntry, n: usize) -> UndoPlan {
    let restores = (0..n as u32)
        .filter_map(|i| s.rows.get(i))
        .enumerate()
        .map(|(j, r)| {
            let key = r.key.clone();
            assert!(matches!(key, FindingId::Asff(_)));
            let mut u = FindingUpdate { workflow_status: Some(WorkflowStatus::New), ..FindingUpdate::default() };
            if j == 1 {
                u.note = Some(NoteUpdate {
                    text: "was: triage \u{1b}[31mlater\u{1b}[0m, owner ops".into(),
                    updated_by: "bob".into(),
                });
            }
            (key, u)
        })
        .collect();
    let entry = LogEntry { findings: n + 2, ..entry };
    UndoPlan { entry, restores, unrestorable: 2 }
}

/// `s` with the first `n` rows resolved, as an edit logged as an entry left them.
pub(crate) fn resolved(n: usize) -> AppState {
    let mut s = loaded(30);
    for i in 0..n as u32 {
        if let Some(r) = s.rows.all.get_mut(i as usize) {
            r.workflow = Some(WorkflowStatus::Resolved);
        }
    }
    s
}

#[test]
fn colon_log_reads_the_log_through_the_worker_and_lists_it() {
    let mut s = loaded(30);
    let effects = command(&mut s, "log");
    assert_eq!(effects.last(), Some(&Effect::LoadChangeLog { limit: super::LOG_LIMIT }));
    assert!(s.changelog.as_ref().unwrap().loading, "reading…");
    assert_eq!(s.context(), crate::app::state::Context::Menu);
    handle_event(&mut s, Event::ChangeLogLoaded { entries: entries(12) });
    let view = s.changelog.as_ref().unwrap();
    assert!(!view.loading);
    assert_eq!(view.entries.len(), 12);
    update(&mut s, Action::MoveDown);
    update(&mut s, Action::Bottom);
    assert_eq!(s.changelog.as_ref().unwrap().cursor, 11);
    update(&mut s, Action::Top);
    // Esc closes it, and the list has the keys again.
    update(&mut s, Action::Back);
    assert!(s.changelog.is_none());
    assert_eq!(s.context(), crate::app::state::Context::List);
}

#[test]
fn enter_shows_the_change_and_u_asks_then_the_worker_undoes_then_both_are_read_again() {
    let mut s = resolved(8);
    crate::app::resize(&mut s, 80, 24);
    command(&mut s, "log");
    let log = entries(4);
    handle_event(&mut s, Event::ChangeLogLoaded { entries: log.clone() });
    update(&mut s, Action::MoveDown);
    let id = log[1].id;
    assert_eq!(update(&mut s, Action::Submit), vec![Effect::LoadLogEntry { id }]);
    let plan = plan_for(&s, log[1].clone(), 8);
    handle_event(&mut s, Event::LogEntryLoaded { plan: Box::new(plan) });
    let shown = s.changelog.as_ref().unwrap().shown.as_ref().unwrap();
    assert_eq!(shown.plan.as_ref().unwrap().restores.len(), 8);
    // Scrolls within the change.
    update(&mut s, Action::MoveDown);
    assert_eq!(s.changelog.as_ref().unwrap().shown.as_ref().unwrap().scroll, 1);
    let text: Vec<String> = super::detail_window(&s, 0, 100).into_iter().map(|(_, t)| t).collect();
    assert!(text.iter().any(|l| l.contains("8 findings: 8 RESOLVED -> NEW")), "{text:#?}");
    assert!(text.iter().any(|l| l.contains("-> Workflow NEW · Note \"was: triage ␛[31mlater")), "{text:#?}");
    assert!(text.iter().all(|l| !l.contains('\u{1b}')), "no escape reaches the screen");

    // u: the plan is known, so the question comes at once, and nothing is sent before the yes.
    assert!(update(&mut s, Action::Input('u')).is_empty());
    let Some(Prompt::UndoLogged { id: asked, lines }) = &s.prompt else { panic!("{:?}", s.prompt) };
    assert_eq!(*asked, id);
    assert!(lines[0].starts_with(&format!("Undo #{id} (")), "{lines:?}");
    assert!(lines[0].contains("restore the previous values on 8 findings: 2 BatchUpdateFindings calls"), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("8 findings: 8 RESOLVED -> NEW")), "{lines:?}");
    assert!(lines.iter().any(|l| l.starts_with("2 findings keep what the edit set")), "{lines:?}");
    assert_eq!(update(&mut s, Action::Yes), vec![Effect::UndoLogged { id }]);
    assert!(s.status.message.as_ref().unwrap().text.contains(&format!("Undoing #{id}")));

    // Done: logged as #5; the rows and the log are read again, the new entry under the cursor.
    let generation = s.generation;
    let outcome = UpdateOutcome { processed: vec![], unprocessed: vec![] };
    let effects = handle_event(&mut s, Event::LogUndone { id, by: Some(5), outcome });
    assert!(effects.contains(&Effect::LoadRows { generation: generation + 1 }), "{effects:?}");
    assert!(effects.contains(&Effect::LoadChangeLog { limit: super::LOG_LIMIT }), "{effects:?}");
    let view = s.changelog.as_ref().unwrap();
    assert!(view.shown.is_none());
    assert_eq!(view.cursor, 0);
    assert!(s.status.message.as_ref().unwrap().text.contains("logged as #5"));
}

#[test]
fn u_on_the_list_reads_the_plan_first_and_no_sends_nothing() {
    let mut s = resolved(3);
    command(&mut s, "log");
    let log = entries(3);
    handle_event(&mut s, Event::ChangeLogLoaded { entries: log.clone() });
    let id = log[0].id;
    assert_eq!(update(&mut s, Action::Input('u')), vec![Effect::LoadLogEntry { id }]);
    assert!(s.prompt.is_none(), "no question before the plan is read");
    let plan = plan_for(&s, log[0].clone(), 3);
    handle_event(&mut s, Event::LogEntryLoaded { plan: Box::new(plan) });
    assert!(matches!(s.prompt, Some(Prompt::UndoLogged { .. })));
    assert!(update(&mut s, Action::No).is_empty());
    assert!(s.prompt.is_none());
    assert!(s.changelog.is_some(), "back to the log");
    assert!(s.status.message.as_ref().unwrap().text.contains("Cancelled"));

    // An entry with nothing to put back says so instead of asking.
    update(&mut s, Action::Input('u'));
    let empty = UndoPlan { entry: log[0].clone(), restores: vec![], unrestorable: 240 };
    handle_event(&mut s, Event::LogEntryLoaded { plan: Box::new(empty) });
    assert!(s.prompt.is_none());
    assert!(s.status.message.as_ref().unwrap().text.contains("nothing to put back"));
}

#[test]
fn a_source_without_a_change_log_says_why_in_the_overlay() {
    let mut s = loaded(5);
    command(&mut s, "log");
    let error = BackendError::invalid("endpoint: the change log is kept by a local store only");
    handle_event(&mut s, Event::ChangeLogFailed { id: None, error });
    let view = s.changelog.as_ref().unwrap();
    assert!(view.error.as_ref().unwrap().contains("local store only"));
    assert!(s.status.message.as_ref().unwrap().text.starts_with("The change log: "));
}

#[test]
fn an_undo_with_refusals_says_how_many_and_why() {
    let mut s = loaded(5);
    command(&mut s, "log");
    let key = FindingKey::new("arn:p", "f-1");
    let outcome = UpdateOutcome {
        processed: vec![],
        unprocessed: vec![Unprocessed {
            id: FindingId::Asff(key),
            code: "FindingNotFound".into(),
            message: "gone\u{1b}[2J".into(),
        }],
    };
    handle_event(&mut s, Event::LogUndone { id: 3, by: Some(4), outcome });
    let m = &s.status.message.as_ref().unwrap().text;
    assert!(m.contains("1 not (FindingNotFound: gone␛[2J)"), "{m}");
}

/// `n` rows of which the last `ocsf` are OCSF findings (Security Hub V2), as a mixed store lists them.
fn mixed(n: usize, ocsf: usize) -> AppState {
    use crate::app::row::Row;
    let config = crate::app::state::Config { user: "alice".into(), ..Default::default() };
    let mut s = AppState::new(config, "test.db", datetime!(2026-11-01 0:00 UTC));
    crate::app::resize(&mut s, 160, 48);
    assert_eq!(crate::app::start(&mut s), vec![Effect::LoadRows { generation: 1 }]);
    let mut rows: Vec<Row> = crate::app::tests::docs(n - ocsf).iter().map(Row::from_asff).collect();
    let opts = crate::generate::GenOptions { count: ocsf, seed: 77, ..Default::default() };
    rows.extend(crate::generate::ocsf::generate_ocsf(&opts).map(|d| Row::from_ocsf(&d)));
    handle_event(&mut s, Event::RowsLoaded { generation: 1, rows, total: Some(n), done: true });
    assert_eq!(s.rows.all.len(), n);
    s
}

// A bulk edit of ASFF and OCSF rows is kept in the change log with both: each OCSF finding's
// restore carries its exact BatchUpdateFindingsV2 members; and the change, read back from the
// log, names the OCSF rows as the list holds them.
#[test]
fn a_mixed_edit_is_logged_with_its_ocsf_restores_and_its_change_names_the_ocsf_rows() {
    use crate::app::event::CallOutcome;
    use crate::model::ocsf::{OcsfUpdate, StatusId};
    let mut s = mixed(10, 4);
    update(&mut s, Action::MarkAll);
    update(&mut s, Action::Resolve);
    let effects = update(&mut s, Action::Yes);
    let Some(Effect::ApplyBatch { batch_id, calls }) = effects.iter().find(|e| matches!(e, Effect::ApplyBatch { .. }))
    else {
        panic!("{effects:?}")
    };
    let v2 = OcsfUpdate { status_id: Some(StatusId::InProgress), ..OcsfUpdate::default() };
    let restore_of = |id: &FindingId| match id {
        FindingId::Asff(_) => FindingUpdate { workflow_status: Some(WorkflowStatus::New), ..FindingUpdate::default() },
        FindingId::Ocsf(_) => crate::model::undo::from_v2(v2.clone()),
    };
    let mut logged = Vec::new();
    for (i, c) in calls.iter().enumerate() {
        let restores = c.ids.iter().map(|id| (id.clone(), restore_of(id))).collect();
        let outcome = CallOutcome { processed: c.ids.clone(), unprocessed: vec![], restores };
        logged.extend(handle_event(&mut s, Event::BatchApplied { batch_id: *batch_id, call: i, outcome }));
    }
    let logged: Vec<_> = logged.into_iter().filter(|e| matches!(e, Effect::LogEdit { .. })).collect();
    let [Effect::LogEdit { restores, .. }] = logged.as_slice() else { panic!("{logged:?}") };
    assert_eq!(restores.len(), 10);
    let ocsf: Vec<_> = restores.iter().filter(|(id, _)| matches!(id, FindingId::Ocsf(_))).collect();
    assert_eq!(ocsf.len(), 4);
    assert!(ocsf.iter().all(|(_, u)| u.v2 == Some(v2.clone())), "{ocsf:?}");

    // The entry read back from the log: its OCSF findings are rows of the list.
    command(&mut s, "log");
    let log = entries(1);
    handle_event(&mut s, Event::ChangeLogLoaded { entries: log.clone() });
    update(&mut s, Action::Submit);
    let entry = LogEntry { findings: 10, ..log[0].clone() };
    let plan = UndoPlan { entry, restores: restores.clone(), unrestorable: 0 };
    handle_event(&mut s, Event::LogEntryLoaded { plan: Box::new(plan) });
    let text: Vec<String> = super::detail_window(&s, 0, 100).into_iter().map(|(_, t)| t).collect();
    assert!(text.iter().any(|l| l.contains("10 findings:")), "{text:#?}");
    assert!(text.iter().all(|l| !l.contains("not in the list")), "{text:#?}");
    assert!(text.iter().any(|l| l.contains("-> Workflow NOTIFIED")), "InProgress reads as NOTIFIED: {text:#?}");
}
