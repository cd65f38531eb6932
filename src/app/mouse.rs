//! The mouse: a click on a row selects it, the wheel scrolls the list, a click on a column header
//! sorts by that column (again: the other way). The terminal side (`tui`) turns a mouse event into
//! one of these actions with `ui::mouse_action`, which knows where the panes are drawn; this module
//! only moves the state, so it is tested like the keys. On unless `mouse = false` in config.toml.

use super::detail::sync_detail;
use super::effect::Effect;
use super::filter::{SortColumn, SortSpec};
use super::list::scroll_into_view;
use super::state::{Focus, Mode};
use super::AppState;

/// Rows one wheel notch scrolls.
pub const WHEEL_STEP: usize = 3;

/// Where a press landed in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    /// The n-th row on the page (0 is the first row under the header).
    Row(usize),
    /// A column header: its index in `SortColumn::ALL`.
    Header(usize),
}

/// A click on the n-th row of the page: the cursor goes there, the list takes the keyboard.
pub(super) fn click_row(s: &mut AppState, n: u16) -> Vec<Effect> {
    if s.mode != Mode::Split {
        s.dirty = false;
        return Vec::new();
    }
    let pos = s.list.offset + usize::from(n);
    if pos >= s.view.visible.len() {
        s.dirty = false;
        return Vec::new();
    }
    s.list.cursor = pos;
    s.focus = Focus::List;
    scroll_into_view(s);
    sync_detail(s)
}

/// A click on a header: sorts by its column, in the direction that column reads best; a click on
/// the column already sorted by reverses it.
pub(super) fn click_header(s: &mut AppState, index: u8) -> Vec<Effect> {
    let Some(&column) = SortColumn::ALL.get(usize::from(index)) else { return Vec::new() };
    let spec = if s.view.sort.column == column {
        SortSpec { column, descending: !s.view.sort.descending }
    } else {
        SortSpec { column, descending: matches!(column, SortColumn::Severity | SortColumn::Updated) }
    };
    super::view::set_sort(s, spec)
}

/// The wheel: the page moves by `WHEEL_STEP` rows and the cursor stays on it.
pub(super) fn scroll(s: &mut AppState, down: bool) -> Vec<Effect> {
    let len = s.view.visible.len();
    let page = s.list.page.max(1);
    let max_offset = len.saturating_sub(page);
    let before = (s.list.offset, s.list.cursor);
    s.list.offset =
        if down { (s.list.offset + WHEEL_STEP).min(max_offset) } else { s.list.offset.saturating_sub(WHEEL_STEP) };
    s.list.cursor = s.list.cursor.clamp(s.list.offset, (s.list.offset + page - 1).min(len.saturating_sub(1)));
    if (s.list.offset, s.list.cursor) == before {
        s.dirty = false;
        return Vec::new();
    }
    sync_detail(s)
}
