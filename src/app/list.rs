//! The list pane: the cursor and scroll over the visible rows, the page size the terminal allows,
//! and the marks (single, `v` range, all, clear) that say what an edit applies to. Marks are row
//! indices kept on the root (`AppState::marks`), since edits and reloads move them too.

use super::action::Action;
use super::detail::sync_detail;
use super::effect::Effect;
use super::layout;
use super::AppState;
use crate::model::words;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ListState {
    /// Position in `view.visible`.
    pub cursor: usize,
    /// First visible position.
    pub offset: usize,
    /// Rows the list shows at once (from the terminal size).
    pub page: usize,
    /// Where a `v` range started.
    pub anchor: Option<usize>,
    /// The row the anchor marked, when it was not marked before: Esc takes it back.
    pub anchor_mark: Option<u32>,
}

/// What the status line says while a `v` range is open.
pub(super) const RANGE_HINT: &str = "Range mark: move, then v again to mark everything between (Esc drops it)";

/// The terminal's size changed.
pub fn resize(s: &mut AppState, width: u16, height: u16) {
    s.size = (width, height);
    s.list.page = layout::list_page(width, height, s.mode);
    scroll_into_view(s);
    s.dirty = true;
}

/// The movement keys while the list has the keyboard.
pub(super) fn step(s: &mut AppState, a: Action) -> Vec<Effect> {
    let delta = match a {
        Action::MoveDown => 1,
        Action::MoveUp => -1,
        Action::PageDown => s.list.page as i64,
        Action::PageUp => -(s.list.page as i64),
        Action::Top => i64::MIN / 2,
        _ => i64::MAX / 2,
    };
    move_cursor(s, delta)
}

pub(super) fn move_cursor(s: &mut AppState, delta: i64) -> Vec<Effect> {
    let len = s.view.visible.len();
    if len == 0 {
        return Vec::new();
    }
    let to = (s.list.cursor as i64).saturating_add(delta).clamp(0, len as i64 - 1);
    s.list.cursor = to as usize;
    scroll_into_view(s);
    sync_detail(s)
}

/// Keeps the cursor within the rows and on the page.
pub(super) fn scroll_into_view(s: &mut AppState) {
    let len = s.view.visible.len();
    s.list.cursor = s.list.cursor.min(len.saturating_sub(1));
    let page = s.list.page.max(1);
    if s.list.cursor < s.list.offset {
        s.list.offset = s.list.cursor;
    } else if s.list.cursor >= s.list.offset + page {
        s.list.offset = s.list.cursor + 1 - page;
    }
    s.list.offset = s.list.offset.min(len.saturating_sub(page));
}

/// Marks or unmarks the cursor row and moves on.
pub(super) fn toggle_mark(s: &mut AppState) -> Vec<Effect> {
    if let Some((i, _)) = s.cursor_row() {
        if !s.marks.remove(&i) {
            s.marks.insert(i);
        }
        return move_cursor(s, 1);
    }
    Vec::new()
}

/// The first `v` drops an anchor on the cursor row; the second marks every row between.
pub(super) fn range_mark(s: &mut AppState) -> Vec<Effect> {
    match s.list.anchor.take() {
        None => {
            s.list.anchor = Some(s.list.cursor);
            s.list.anchor_mark = None;
            if let Some((i, _)) = s.cursor_row() {
                if s.marks.insert(i) {
                    s.list.anchor_mark = Some(i);
                }
            }
            s.info(RANGE_HINT);
        }
        Some(a) => {
            s.list.anchor_mark = None;
            let (lo, hi) = (a.min(s.list.cursor), a.max(s.list.cursor));
            let range: Vec<u32> = s.view.visible.iter().skip(lo).take(hi + 1 - lo).copied().collect();
            let n = range.len();
            s.marks.extend(range);
            s.info(format!("Marked {}", words::count(n, "finding")));
        }
    }
    Vec::new()
}

/// Esc with a `v` range open: the range is dropped, and so is the mark its anchor made.
pub(super) fn drop_anchor(s: &mut AppState) {
    s.list.anchor = None;
    if let Some(i) = s.list.anchor_mark.take() {
        s.marks.remove(&i);
    }
}

pub(super) fn mark_all(s: &mut AppState) -> Vec<Effect> {
    s.marks.extend(s.view.visible.iter().copied());
    let n = s.marks.len();
    s.info(format!("{} marked", words::count(n, "finding")));
    Vec::new()
}

pub(super) fn clear_marks(s: &mut AppState) -> Vec<Effect> {
    s.marks.clear();
    s.list.anchor = None;
    s.list.anchor_mark = None;
    s.info("Marks cleared");
    Vec::new()
}
