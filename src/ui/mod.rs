//! Rendering: `render(frame, &state, &keymap)` only reads state. Panes live in their own modules;
//! geometry comes from `app::layout` so scrolling and drawing agree.

pub mod chrome;
pub mod detail;
pub mod list;
pub mod overlay;
pub mod theme;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::Frame;

use crate::app::layout::{list_block_height, WIDE};
use crate::app::state::{AppState, Mode};
use crate::keys::Keymap;

pub fn render(frame: &mut Frame<'_>, s: &AppState, keymap: &Keymap) {
    let area = frame.area();
    let [header, main, status, hints] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1), Constraint::Length(1), Constraint::Length(1)])
            .areas(area);
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
    overlay::render_form(frame, main, s);
    overlay::render_prompt(frame, main, s);
    if s.help {
        overlay::render_help(frame, area, keymap);
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
