//! The rule for another process's changes: reload at once when nothing would be disturbed, else a
//! notice until `R`.

use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::event::Event;
use crate::app::tests::loaded;
use crate::app::{handle_event, update};

#[test]
fn a_change_elsewhere_reloads_at_once_when_nothing_is_marked_or_open() {
    let mut s = loaded(20);
    let generation = s.generation;
    let effects = handle_event(&mut s, Event::StoreChanged);
    assert_eq!(effects, vec![Effect::LoadRows { generation: generation + 1 }]);
    assert!(!s.log.stale);
    assert!(s.status.message.as_ref().unwrap().text.contains("changed by another process"));
}

#[test]
fn with_marks_or_a_prompt_open_the_header_says_so_until_r() {
    let mut s = loaded(20);
    update(&mut s, Action::ToggleMark);
    let effects = handle_event(&mut s, Event::StoreChanged);
    assert!(effects.is_empty(), "the marks are not disturbed");
    assert!(s.log.stale);
    let generation = s.generation;
    assert_eq!(update(&mut s, Action::Reload), vec![Effect::LoadRows { generation: generation + 1 }]);
    assert!(!s.log.stale, "R reads the rows again");

    let mut s = loaded(20);
    update(&mut s, Action::Resolve);
    assert!(s.prompt.is_some());
    assert!(handle_event(&mut s, Event::StoreChanged).is_empty(), "the confirmation is not disturbed");
    assert!(s.log.stale);
}

#[test]
fn a_bulk_edit_is_kept_in_the_change_log_once_its_last_call_is_answered() {
    use crate::app::event::CallOutcome;
    use crate::model::enums::WorkflowStatus;
    use crate::model::update::FindingUpdate;

    let mut s = loaded(150);
    update(&mut s, Action::MarkAll);
    update(&mut s, Action::Resolve);
    let effects = update(&mut s, Action::Yes);
    let (batch_id, calls) = effects
        .iter()
        .find_map(|e| match e {
            Effect::ApplyBatch { batch_id, calls } => Some((*batch_id, calls.clone())),
            _ => None,
        })
        .unwrap();
    assert_eq!(calls.len(), 2);
    let restore = FindingUpdate { workflow_status: Some(WorkflowStatus::New), ..FindingUpdate::default() };
    let mut logged = Vec::new();
    for (i, c) in calls.iter().enumerate() {
        let outcome = CallOutcome {
            processed: c.ids.clone(),
            unprocessed: vec![],
            restores: c.ids.iter().map(|k| (k.clone(), restore.clone())).collect(),
        };
        let effects = handle_event(&mut s, Event::BatchApplied { batch_id, call: i, outcome });
        logged.extend(effects.into_iter().filter(|e| matches!(e, Effect::LogEdit { .. })));
    }
    assert_eq!(logged.len(), 1, "one entry for the whole edit, after its last call");
    let Effect::LogEdit { description, restores } = &logged[0] else { unreachable!() };
    assert!(description.contains("RESOLVED"), "{description}");
    assert_eq!(restores.len(), 150);

    // A failure to log leaves the edit standing and says so.
    let error = crate::backend::BackendError::invalid("disk full");
    assert!(handle_event(&mut s, Event::LogFailed { error }).is_empty());
    assert!(s.status.message.as_ref().unwrap().text.contains("could not be kept in the change log"));
}
