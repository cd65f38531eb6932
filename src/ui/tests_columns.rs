//! Snapshots of the list's columns: the default at every width (at 220 the title and the resource
//! take the room), and columns chosen with `:columns`, at 80×24, 160×48 and 220×50.

use ratatui::backend::TestBackend;
use ratatui::Terminal;

use crate::app::tests::loaded;
use crate::app::{resize, update, Action, AppState};
use crate::keys::Keymap;

fn draw(s: &AppState, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let keymap = Keymap::defaults().unwrap();
    t.draw(|f| super::render(f, s, &keymap)).unwrap();
    t
}

fn act(s: &mut AppState, actions: &[Action]) {
    for a in actions {
        update(s, *a);
    }
}

fn typed(s: &mut AppState, text: &str) {
    for c in text.chars() {
        update(s, Action::Input(c));
    }
}

fn sizes(name: &str, command: Option<&str>, then: &[Action]) {
    for (w, h) in [(80u16, 24u16), (160, 48), (220, 50)] {
        let mut s = loaded(60);
        resize(&mut s, w, h);
        if let Some(c) = command {
            act(&mut s, &[Action::StartCommand, Action::KillToStart]);
            typed(&mut s, c);
            act(&mut s, &[Action::Submit]);
            assert_eq!(s.input, None, "{c}");
        }
        act(&mut s, then);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(&s, w, h).backend());
    }
}

#[test]
fn the_default_columns_at_three_widths() {
    sizes("columns_default", None, &[]);
}

#[test]
fn chosen_columns_in_their_order_and_widths() {
    sizes("columns_chosen", Some("columns control,severity,title,compliance,resource,account:12"), &[]);
}

/// Generator and type, from the rows' interned values (at 160×48: the first screen of the list).
#[test]
fn generator_and_type_columns() {
    let mut s = loaded(60);
    resize(&mut s, 160, 48);
    act(&mut s, &[Action::StartCommand, Action::KillToStart]);
    typed(&mut s, "columns severity,generator,type,title");
    act(&mut s, &[Action::Submit]);
    assert_eq!(s.input, None);
    insta::assert_snapshot!("columns_generator_type_160x48", draw(&s, 160, 48).backend());
}

/// The chooser (`:columns`), after switching on control and making the resource wider.
#[test]
fn the_column_chooser() {
    // Control is third from the bottom (generator and type follow it).
    let keys = [Action::Bottom, Action::MoveUp, Action::MoveUp, Action::Input(' '), Action::MoveUp];
    let keys: Vec<Action> = keys.into_iter().chain([Action::MoveUp; 5]).chain([Action::Input('+')]).collect();
    sizes("column_chooser", Some("columns"), &keys);
}
