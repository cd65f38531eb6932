//! Snapshots of the change-log screens: the header's notice of another process's changes, and
//! the `:log` overlay (its list, one change, the undo question).

use ratatui::backend::TestBackend;
use ratatui::Terminal;

use crate::app::event::Event;
use crate::app::tests::loaded;
use crate::app::{handle_event, resize, update, Action, AppState};
use crate::keys::Keymap;

fn draw(s: &AppState, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let keymap = Keymap::defaults().unwrap();
    t.draw(|f| super::render(f, s, &keymap)).unwrap();
    t
}

#[test]
fn the_header_says_the_store_changed_elsewhere() {
    let mut s = loaded(30);
    resize(&mut s, 80, 24);
    update(&mut s, Action::ToggleMark);
    handle_event(&mut s, Event::StoreChanged);
    insta::assert_snapshot!("store_changed_80x24", draw(&s, 80, 24).backend());
    resize(&mut s, 160, 48);
    insta::assert_snapshot!("store_changed_160x48", draw(&s, 160, 48).backend());
}

/// `:log` over the store's change log: many entries, long descriptions, control characters in a
/// name and a note (shown as visible stand-ins, never sent to the terminal).
#[test]
fn the_change_log_overlay_lists_shows_a_change_and_asks_before_undoing() {
    use crate::app::changelog::tests::{entries, plan_for, resolved};
    let mut s = resolved(6);
    resize(&mut s, 80, 24);
    update(&mut s, Action::StartCommand);
    for c in "log".chars() {
        update(&mut s, Action::Input(c));
    }
    update(&mut s, Action::Submit);
    let log = entries(40);
    handle_event(&mut s, Event::ChangeLogLoaded { entries: log.clone() });
    for _ in 0..3 {
        update(&mut s, Action::MoveDown);
    }
    let list80 = draw(&s, 80, 24);
    assert!(!format!("{:?}", list80.backend()).contains('\u{1b}'));
    insta::assert_snapshot!("change_log_80x24", list80.backend());
    resize(&mut s, 160, 48);
    insta::assert_snapshot!("change_log_160x48", draw(&s, 160, 48).backend());

    update(&mut s, Action::Submit);
    let plan = plan_for(&s, log[3].clone(), 6);
    handle_event(&mut s, Event::LogEntryLoaded { plan: Box::new(plan) });
    insta::assert_snapshot!("change_log_entry_160x48", draw(&s, 160, 48).backend());
    resize(&mut s, 80, 24);
    insta::assert_snapshot!("change_log_entry_80x24", draw(&s, 80, 24).backend());

    update(&mut s, Action::Input('u'));
    insta::assert_snapshot!("change_log_undo_80x24", draw(&s, 80, 24).backend());
    resize(&mut s, 160, 48);
    insta::assert_snapshot!("change_log_undo_160x48", draw(&s, 160, 48).backend());
}

#[test]
fn the_change_log_overlay_on_a_source_without_one() {
    let mut s = loaded(10);
    resize(&mut s, 80, 24);
    update(&mut s, Action::StartCommand);
    for c in "log".chars() {
        update(&mut s, Action::Input(c));
    }
    update(&mut s, Action::Submit);
    let error = crate::backend::BackendError::invalid(
        "https://securityhub.us-east-1.amazonaws.com (us-east-1): the change log is kept by a local store only \
         (Security Hub has no log of bulk edits); each finding's history is in the detail pane",
    );
    handle_event(&mut s, Event::ChangeLogFailed { id: None, error });
    insta::assert_snapshot!("change_log_remote_80x24", draw(&s, 80, 24).backend());
}
