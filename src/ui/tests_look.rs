//! What a look at the workbench in a terminal (tmux, 80×24 and 160×48, on the demo data) found cut
//! badly: an Id in the copy menu losing its distinguishing tail, key hints cut mid-word.

use super::tests::{screen, screen_text};
use crate::app::{update, Action};

#[test]
fn the_copy_menu_keeps_the_tail_of_a_long_id() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut s = screen(w, h);
        let id = match &s.cursor_row().unwrap().1.key {
            crate::model::finding::FindingId::Asff(k) => k.id.clone(),
            crate::model::finding::FindingId::Ocsf(uid) => uid.clone(),
        };
        update(&mut s, Action::Copy);
        let text = screen_text(&s, w, h);
        let tail: String = id.chars().rev().take(8).collect::<Vec<_>>().into_iter().rev().collect();
        assert!(text.contains(&tail), "the Id's end {tail} is shown at {w}x{h}:\n{text}");
    }
}

#[test]
fn key_hints_are_never_cut_mid_word() {
    let keymap = crate::keys::Keymap::defaults().unwrap();
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut s = screen(w, h);
        for setup in [vec![], vec![Action::GroupView], vec![Action::Back, Action::OpenDetail]] {
            for a in setup {
                update(&mut s, a);
            }
            let text = screen_text(&s, w, h);
            let shown = text.lines().last().unwrap().trim_end().to_string();
            // The line is the first few hints, whole.
            let ctx = s.context();
            let items: Vec<String> = super::chrome::hints_for(ctx, &s)
                .iter()
                .filter_map(|a| Some(format!("{} {}", keymap.key_for(ctx, *a)?, a.describe())))
                .collect();
            let whole = (1..=items.len()).any(|n| items[..n].join("  ") == shown);
            assert!(whole, "{shown:?} is not whole hints at {w}x{h} in {ctx:?}: {items:?}");
        }
    }
}

/// In tmux the undo's outcome ("Undid #1: …") was replaced at once by the reload's count: the
/// `:log` overlay keeps it above the entries.
#[test]
fn the_change_log_keeps_what_the_undo_did_after_the_rows_reload() {
    use crate::app::event::Event;
    use crate::app::handle_event;
    let mut s = screen(80, 24);
    for a in [Action::StartCommand, Action::KillToStart, Action::Input('l'), Action::Input('o'), Action::Input('g')] {
        update(&mut s, a);
    }
    update(&mut s, Action::Submit);
    let outcome = crate::backend::UpdateOutcome::default();
    let effects = handle_event(&mut s, Event::LogUndone { id: 1, by: Some(2), outcome });
    let generation = effects
        .iter()
        .find_map(|e| match e {
            crate::app::Effect::LoadRows { generation } => Some(*generation),
            _ => None,
        })
        .unwrap();
    let rows: Vec<_> = s.rows.all.clone();
    handle_event(&mut s, Event::RowsLoaded { generation, rows, total: None, done: true });
    handle_event(&mut s, Event::ChangeLogLoaded { entries: crate::app::changelog::tests::entries(2) });
    // In the overlay, not only on the status line, which the next message replaces.
    let text = screen_text(&s, 80, 24);
    let overlay: Vec<&str> = text.lines().take(22).collect();
    assert!(overlay.join("\n").contains("Undid #1: 0 findings put back, logged as #2"), "{text}");
}

/// In tmux `:columns` ticked account, region and product though the list had no room to
/// show them: the chooser says which chosen columns the width leaves out.
#[test]
fn the_column_chooser_says_which_columns_have_no_room() {
    for (w, h, left_out) in [(80u16, 24u16, true), (160, 48, false)] {
        let mut s = screen(w, h);
        for a in [Action::StartCommand, Action::KillToStart] {
            update(&mut s, a);
        }
        "columns".chars().for_each(|c| drop(update(&mut s, Action::Input(c))));
        update(&mut s, Action::Submit);
        let text = screen_text(&s, w, h);
        let line = |name: &str| text.lines().find(|l| l.contains(&format!("✓  {name}"))).unwrap_or("").to_string();
        assert_eq!(line("account").contains("no room"), left_out, "{w}x{h}:\n{text}");
        assert!(line("product").contains("no room"), "{w}x{h}:\n{text}");
        assert!(!line("title").contains("no room"), "{text}");
    }
}
