//! Modal questions: the preview of an edit waiting for a yes, quitting while edits are in flight,
//! the demo dataset offered to an empty store (and its removal, `:demo remove`), and the line of text a suppress reason or a note asks
//! for. A yes to a preview hands its plan to `edits`.

use super::action::Action;
use super::edit;
use super::edits::start_batch;
use super::effect::Effect;
use super::line::LineEdit;
use super::state::{EditPlan, LoadState, Origin};
use super::AppState;
use crate::model::enums::WorkflowStatus;
use crate::model::finding::FindingId;
use crate::model::plan::CallPlan;
use crate::model::timestamp;
use crate::model::update::FindingUpdate;
use crate::store::expiry::SetExpiry;

/// Why a suppression without a reason is refused, by `s` and by the edit form alike.
pub(super) const REASON_REQUIRED: &str = "A reason is required to suppress (config: suppress_reason_required)";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextPurpose {
    SuppressReason,
    Note,
}

/// A modal question.
#[derive(Debug, Clone, PartialEq)]
pub enum Prompt {
    Text {
        purpose: TextPurpose,
        text: LineEdit,
        error: Option<String>,
        /// The suppress prompt's second field: when the suppression expires ("30d", "2w", an
        /// RFC 3339 time; empty: never). Tab (or ↑/↓) moves between the fields.
        expires: LineEdit,
        /// The cursor is in `expires`.
        on_expires: bool,
    },
    Confirm(EditPlan),
    QuitWithEditsInFlight,
    OfferDemo,
    /// `:demo remove`: delete the demo findings from the store?
    RemoveDemo,
    /// `:log`, `u`: undo change-log entry `id`? `lines` say what it sends and changes.
    UndoLogged {
        id: i64,
        lines: Vec<String>,
    },
}

/// A quick key (`r`, `n`): a workflow status for the targets, previewed.
pub(super) fn quick(s: &mut AppState, status: WorkflowStatus) -> Vec<Effect> {
    confirm(s, edit::workflow_update(status, None));
    Vec::new()
}

/// `t`: the preview of re-sending every failed edit; a yes sends it.
pub(super) fn retry(s: &mut AppState) -> Vec<Effect> {
    match super::edits::retry_plan(s) {
        Some(mut plan) => {
            let targets: Vec<u32> =
                plan.calls.groups().iter().flat_map(|(_, k)| k).filter_map(|k| s.rows.index_of(k)).collect();
            plan.hidden = hidden_targets(s, &targets);
            s.prompt = Some(Prompt::Confirm(plan));
        }
        None => s.info("No failed edits to retry"),
    }
    Vec::new()
}

/// Shows the preview of `update` on the targets and waits for a yes.
pub(super) fn confirm(s: &mut AppState, update: FindingUpdate) {
    let targets = s.targets();
    let keys: Vec<FindingId> = targets.iter().filter_map(|&i| s.rows.get(i)).map(|r| r.key.clone()).collect();
    if keys.is_empty() {
        s.error("No finding selected");
        return;
    }
    let description = format!("Set {}", edit::describe(&update));
    let caveat = undo_caveat(s, &update);
    let breakdown = edit::breakdown(targets.iter().filter_map(|&i| s.rows.get(i)), &update);
    let mut plan = EditPlan::new(description, CallPlan::new(update, keys), Origin::Edit);
    plan.caveat = caveat;
    plan.breakdown = breakdown;
    plan.hidden = hidden_targets(s, &targets);
    s.prompt = Some(Prompt::Confirm(plan));
}

/// How many of `targets` the current view does not show: marked findings stay the target when the
/// query or filter changes, and the preview says how many of them the analyst cannot see.
pub(super) fn hidden_targets(s: &AppState, targets: &[u32]) -> usize {
    let shown: std::collections::HashSet<u32> = s.view.visible.iter().copied().collect();
    targets.iter().filter(|i| !shown.contains(i)).count()
}

/// What undo will not be able to put back, known before the edit from what the rows hold.
/// BatchUpdateFindings cannot delete a field, so undo leaves a field a finding did not have. The rows
/// do not hold the note or the user-defined fields, so an edit that sets them always says so; they
/// do hold Confidence and Criticality, so those are named only when a target has none.
fn undo_caveat(s: &AppState, update: &FindingUpdate) -> Option<String> {
    let rows: Vec<_> = s.targets().iter().filter_map(|&i| s.rows.get(i)).collect();
    let mut items: Vec<String> = Vec::new();
    if update.note.is_some() {
        items.push("a note".into());
    }
    if update.user_defined_fields.is_some() {
        items.push("user-defined fields".into());
    }
    for (set, name, absent) in [
        (update.confidence.is_some(), "Confidence", rows.iter().filter(|r| r.confidence.is_none()).count()),
        (update.criticality.is_some(), "Criticality", rows.iter().filter(|r| r.criticality.is_none()).count()),
    ] {
        if set && absent > 0 {
            items.push(format!("{name} ({absent} of the findings have none)"));
        }
    }
    let last = items.pop()?;
    let list = if items.is_empty() { last } else { format!("{} or {last}", items.join(", ")) };
    Some(format!(
        "Undo cannot remove {list} from a finding that did not have it: BatchUpdateFindings can set a field, not delete it"
    ))
}

/// `s` and `N`: asks for the suppress reason or the note, when there is something to edit.
pub(super) fn ask_text(s: &mut AppState, purpose: TextPurpose) -> Vec<Effect> {
    if !s.targets().is_empty() {
        s.prompt = Some(Prompt::Text {
            purpose,
            text: LineEdit::default(),
            error: None,
            expires: LineEdit::default(),
            on_expires: false,
        });
    } else {
        s.error(match purpose {
            TextPurpose::SuppressReason => "No finding to suppress",
            TextPurpose::Note => "No finding to annotate",
        });
    }
    Vec::new()
}

/// Quits, unless edits are still in flight: then asks first.
pub(super) fn quit(s: &mut AppState) -> Vec<Effect> {
    if s.edits.in_flight.is_empty() {
        s.quit = true;
        vec![Effect::Quit]
    } else {
        s.prompt = Some(Prompt::QuitWithEditsInFlight);
        Vec::new()
    }
}

/// Yes or no to the open question; other keys do nothing.
pub(super) fn answer(s: &mut AppState, a: Action) -> Vec<Effect> {
    let Some(prompt) = s.prompt.clone() else { return Vec::new() };
    let yes = matches!(a, Action::Yes | Action::Submit);
    let no = matches!(a, Action::No | Action::Back);
    if !yes && !no {
        s.dirty = false;
        return Vec::new();
    }
    s.prompt = None;
    match (prompt, yes) {
        (Prompt::Confirm(plan), true) => {
            s.form = None;
            start_batch(s, plan, None)
        }
        // A preview of the edit form goes back to the form, with everything typed into it.
        (Prompt::Confirm(_), false) if s.form.is_some() => {
            s.info("Back to the form; nothing sent");
            Vec::new()
        }
        (Prompt::Confirm(_), false) => {
            s.info("Cancelled; nothing sent");
            Vec::new()
        }
        (Prompt::QuitWithEditsInFlight, true) => {
            s.quit = true;
            vec![Effect::Quit]
        }
        (Prompt::QuitWithEditsInFlight, false) => Vec::new(),
        (Prompt::OfferDemo, true) => {
            s.info("Loading the demo dataset…");
            s.status.load = LoadState::Loading { loaded: 0, total: 0 };
            vec![Effect::LoadDemo]
        }
        (Prompt::OfferDemo, false) => {
            s.info("The store is empty: import findings with `hubtriage import FILE`, or R to reload");
            Vec::new()
        }
        (Prompt::RemoveDemo, true) => {
            s.info("Removing the demo findings…");
            vec![Effect::RemoveDemo]
        }
        (Prompt::RemoveDemo, false) => {
            s.info("Cancelled; nothing removed");
            Vec::new()
        }
        (Prompt::UndoLogged { id, .. }, true) => super::changelog::confirmed(s, id),
        (Prompt::UndoLogged { .. }, false) => {
            s.info("Cancelled; nothing sent");
            Vec::new()
        }
        (Prompt::Text { .. }, _) => Vec::new(),
    }
}

/// Typing into a text prompt; Enter previews the edit it makes once it validates
/// (`FindingUpdate::validate`, the store's own rules).
pub(super) fn text_action(s: &mut AppState, a: Action) -> Vec<Effect> {
    let Some(Prompt::Text { purpose, text, error, expires, on_expires }) = &mut s.prompt else { return Vec::new() };
    let purpose = *purpose;
    let switch = matches!(a, Action::Complete | Action::CompletePrev | Action::HistoryPrev | Action::HistoryNext);
    match a {
        _ if purpose == TextPurpose::SuppressReason && switch => *on_expires = !*on_expires,
        _ if *on_expires && expires.edit(a) => *error = None,
        _ if !*on_expires && text.edit(a) => *error = None,
        Action::PullNote => match current_note(s) {
            Ok(note) => {
                if let Some(Prompt::Text { text, error, .. }) = &mut s.prompt {
                    text.set(note);
                    *error = None;
                }
            }
            Err(e) => set_prompt_error(s, e),
        },
        Action::Back => s.prompt = None,
        Action::Submit => {
            let expires = expires.text().trim().to_string();
            let text = text.text().trim().to_string();
            return submit_text(s, purpose, text, &expires);
        }
        _ => s.dirty = false,
    }
    Vec::new()
}

/// The one target's current note, from the document the detail pane holds, for `Ctrl-R`.
pub fn current_note(s: &AppState) -> Result<String, &'static str> {
    let [one] = s.targets()[..] else { return Err("Only one finding's note can be pulled in") };
    let key = &s.rows.get(one).ok_or("No finding selected")?.key;
    let doc = s.detail.doc.as_ref().filter(|_| s.detail.key.as_ref() == Some(key));
    let doc = doc.ok_or("The finding's document is still loading; try again in a moment")?;
    doc.pointer("/Note/Text").and_then(|v| v.as_str()).map(str::to_string).ok_or("This finding has no note")
}

fn submit_text(s: &mut AppState, purpose: TextPurpose, text: String, expires: &str) -> Vec<Effect> {
    let user = s.config.user.clone();
    let expiry = match (purpose, expires) {
        (TextPurpose::SuppressReason, e) if !e.is_empty() => match crate::store::expiry::parse_expiry(e, s.now) {
            Ok(at) => Some(SetExpiry { expires: at, set_by: user.clone(), reason: text.clone() }),
            Err(e) => {
                set_prompt_error(s, &format!("Expires: {e}"));
                return Vec::new();
            }
        },
        _ => None,
    };
    let (update, what) = match purpose {
        TextPurpose::SuppressReason => {
            if text.is_empty() && s.config.suppress_reason_required {
                set_prompt_error(s, REASON_REQUIRED);
                return Vec::new();
            }
            let note = (!text.is_empty()).then_some((text.as_str(), user.as_str()));
            (edit::workflow_update(WorkflowStatus::Suppressed, note), "suppress")
        }
        TextPurpose::Note => (
            FindingUpdate {
                note: Some(crate::model::update::NoteUpdate { text: text.clone(), updated_by: user }),
                ..FindingUpdate::default()
            },
            "note",
        ),
    };
    if let Err(e) = update.validate() {
        set_prompt_error(s, &format!("Cannot {what}: {e}"));
        return Vec::new();
    }
    s.prompt = None;
    confirm(s, update);
    if let Some(expiry) = expiry {
        expiring(s, expiry);
    }
    Vec::new()
}

/// The preview on screen keeps `expiry` with its edit and says when it expires (`s` with Expires,
/// and the edit form's Expires).
pub(super) fn expiring(s: &mut AppState, expiry: SetExpiry) {
    if let Some(Prompt::Confirm(plan)) = &mut s.prompt {
        plan.description.push_str(&format!(" (suppression expires {})", timestamp::format(expiry.expires)));
        plan.expiry = Some(expiry);
    }
}

fn set_prompt_error(s: &mut AppState, msg: &str) {
    if let Some(Prompt::Text { error, .. }) = &mut s.prompt {
        *error = Some(msg.to_string());
    }
}
