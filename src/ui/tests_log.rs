//! Snapshots of the change-log screens: the header's notice of another process's changes.

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
