//! Mouse actions through `update`: a click selects a row, the wheel scrolls, a header click sorts.

use super::*;
use crate::app::filter::SortColumn;

#[test]
fn a_click_on_a_row_selects_it_and_asks_for_its_detail() {
    let mut s = loaded(100);
    s.focus = super::super::state::Focus::Detail;
    let effects = act(&mut s, &[Action::ClickRow(4)]);
    assert_eq!(s.list.cursor, 4);
    assert_eq!(s.focus, super::super::state::Focus::List);
    let key = s.rows.get(s.view.visible[4]).unwrap().key.clone();
    assert!(effects.iter().any(|e| matches!(e, Effect::LoadDetail { key: k, .. } if *k == key)), "{effects:?}");
    // Past the last row: nothing.
    let mut few = loaded(3);
    act(&mut few, &[Action::ClickRow(10)]);
    assert_eq!(few.list.cursor, 0);
}

#[test]
fn the_wheel_scrolls_the_page_and_keeps_the_cursor_on_it() {
    let mut s = loaded(100);
    let page = s.list.page;
    act(&mut s, &[Action::ScrollDown, Action::ScrollDown]);
    assert_eq!(s.list.offset, 6);
    assert_eq!(s.list.cursor, 6, "the cursor moved onto the page");
    act(&mut s, &[Action::ClickRow(2)]);
    assert_eq!(s.list.cursor, 8, "a click counts from the page's first row");
    act(&mut s, &[Action::ScrollUp]);
    assert_eq!(s.list.offset, 3);
    assert_eq!(s.list.cursor, 8);
    for _ in 0..100 {
        act(&mut s, &[Action::ScrollDown]);
    }
    assert_eq!(s.list.offset, 100 - page, "stops at the last page");
}

#[test]
fn a_click_on_a_header_sorts_by_it_and_again_reverses() {
    let mut s = loaded(50);
    let title = SortColumn::ALL.iter().position(|c| *c == SortColumn::Title).unwrap() as u8;
    act(&mut s, &[Action::ClickHeader(title)]);
    assert_eq!((s.view.sort.column, s.view.sort.descending), (SortColumn::Title, false));
    act(&mut s, &[Action::ClickHeader(title)]);
    assert_eq!((s.view.sort.column, s.view.sort.descending), (SortColumn::Title, true));
}

#[test]
fn mouse_actions_do_nothing_under_a_prompt() {
    let mut s = loaded(50);
    act(&mut s, &[Action::Resolve]);
    act(&mut s, &[Action::ClickRow(5)]);
    assert_eq!(s.list.cursor, 0);
}
