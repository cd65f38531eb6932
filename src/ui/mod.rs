//! Rendering: `render(frame, &state, &keymap)` only reads state. Panes live in their own modules;
//! geometry comes from `app::layout` so scrolling and drawing agree.

pub mod changelog;
pub mod chrome;
pub mod detail;
pub mod help;
pub use help::help_bottom;
pub mod list;
pub mod overlay;
pub mod theme;
pub mod wrap;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::Frame;

use crate::app::layout::{list_block_height, WIDE};
use crate::app::state::Mode;
use crate::app::AppState;
use crate::keys::Keymap;

pub fn render(frame: &mut Frame<'_>, s: &AppState, keymap: &Keymap) {
    let area = frame.area();
    let [header, main, status, hints] = rows(area);
    chrome::render_header(frame, header, s);
    match s.mode {
        Mode::DetailFull => detail::render_detail(frame, main, s),
        Mode::Group => overlay::render_group(frame, main, s),
        Mode::Split => {
            let (list_area, detail_area) = split(main, area.width, area.height);
            list::render_list(frame, list_area, s);
            detail::render_detail(frame, detail_area, s);
        }
    }
    chrome::render_status(frame, status, s);
    chrome::render_hints(frame, hints, s, keymap);
    changelog::render_changelog(frame, main, s);
    overlay::render_form(frame, main, s);
    overlay::render_prompt(frame, main, s);
    overlay::render_menu(frame, main, s);
    if s.help {
        help::render_help(frame, area, s, keymap);
    }
}

/// Header, main area, status line, key hints.
fn rows(area: Rect) -> [Rect; 4] {
    Layout::vertical([Constraint::Length(1), Constraint::Fill(1), Constraint::Length(1), Constraint::Length(1)])
        .areas(area)
}

/// The largest scroll at which the detail pane is still full, laid out as `render` lays it out on
/// a screen of `s.size`; `None` when the detail pane is not shown. The main loop gives it to
/// `app::detail_measured` before each frame, so `G` scrolls to the end and `j` stops there.
pub fn detail_bottom(s: &AppState) -> Option<u16> {
    let (width, height) = s.size;
    let [_, main, _, _] = rows(Rect::new(0, 0, width, height));
    let area = match s.mode {
        Mode::DetailFull => main,
        Mode::Split => split(main, width, height).1,
        Mode::Group => return None,
    };
    let lines = detail::paragraph(s, area.width.saturating_sub(2)).line_count(area.width.saturating_sub(2));
    Some(u16::try_from(lines.saturating_sub(usize::from(area.height))).unwrap_or(u16::MAX))
}

/// The lines of the detail pane that hold its search, laid out as `render` lays the pane out;
/// `None` when there is no search or no pane. The main loop gives them to
/// `app::detail_search_measured`, so `n`/`N` scroll to them.
pub fn detail_matches(s: &AppState) -> Option<Vec<u16>> {
    if s.detail.search.is_empty() {
        return None;
    }
    let (width, height) = s.size;
    let [_, main, _, _] = rows(Rect::new(0, 0, width, height));
    let area = match s.mode {
        Mode::DetailFull => main,
        Mode::Split => split(main, width, height).1,
        Mode::Group => return None,
    };
    Some(detail::search_lines(s, area.width.saturating_sub(2)))
}

/// The action a mouse event means, laid out as `render` lays the panes out: a press on a list row
/// or a column header, the wheel over the list. Only the list in the split view takes the mouse,
/// and only while nothing (a prompt, a menu, help, the form) is over it.
pub fn mouse_action(s: &AppState, m: &crossterm::event::MouseEvent) -> Option<crate::app::Action> {
    use crate::app::mouse::Hit;
    use crate::app::Action;
    use crossterm::event::{MouseButton, MouseEventKind};
    if s.mode != Mode::Split
        || s.context() != crate::app::state::Context::List && s.context() != crate::app::state::Context::Detail
    {
        return None;
    }
    let (width, height) = s.size;
    let [_, main, _, _] = rows(Rect::new(0, 0, width, height));
    let list = split(main, width, height).0;
    let inside =
        m.column >= list.x && m.column < list.x + list.width && m.row >= list.y && m.row < list.y + list.height;
    match m.kind {
        MouseEventKind::ScrollDown if inside => Some(Action::ScrollDown),
        MouseEventKind::ScrollUp if inside => Some(Action::ScrollUp),
        MouseEventKind::Down(MouseButton::Left) => match list::hit(s, list, m.column, m.row)? {
            Hit::Row(n) => Some(Action::ClickRow(u16::try_from(n).ok()?)),
            Hit::Header(i) => Some(Action::ClickHeader(u8::try_from(i).ok()?)),
        },
        _ => None,
    }
}

/// List and detail side by side when wide, stacked otherwise.
fn split(main: Rect, width: u16, height: u16) -> (Rect, Rect) {
    if width >= WIDE {
        let [l, d] = Layout::horizontal([Constraint::Percentage(64), Constraint::Percentage(36)]).areas(main);
        (l, d)
    } else {
        let [l, d] =
            Layout::vertical([Constraint::Length(list_block_height(width, height)), Constraint::Fill(1)]).areas(main);
        (l, d)
    }
}
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_columns;
#[cfg(test)]
mod tests_form;
#[cfg(test)]
mod tests_help;
#[cfg(test)]
mod tests_log;
#[cfg(test)]
mod tests_look;
#[cfg(test)]
mod tests_ocsf;
#[cfg(test)]
mod tests_remote;
