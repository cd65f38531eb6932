//! Which pane has the keyboard and what fills the screen: Tab between list and detail, the detail
//! at full height, the help overlay, and Esc stepping back one level at a time.

use super::action::Action;
use super::detail::sync_detail;
use super::effect::Effect;
use super::list::resize;
use super::state::{Focus, HelpTopic, Mode};
use super::view::{clear_query, set_filter};
use super::AppState;

/// Tab: list or detail, in the split view.
pub(super) fn toggle(s: &mut AppState) -> Vec<Effect> {
    if s.mode == Mode::Split {
        s.focus = if s.focus == Focus::List { Focus::Detail } else { Focus::List };
    }
    Vec::new()
}

/// Enter: the detail at full height.
pub(super) fn open_detail(s: &mut AppState) -> Vec<Effect> {
    s.mode = Mode::DetailFull;
    s.focus = Focus::Detail;
    resize(s, s.size.0, s.size.1);
    sync_detail(s)
}

/// Esc undoes the innermost of: the full-height detail, the detail's focus, a `v` range started
/// (with the mark its anchor made),
/// the `/` pattern, the `:` query.
pub(super) fn back(s: &mut AppState) -> Vec<Effect> {
    let in_detail = s.mode == Mode::DetailFull || s.focus == Focus::Detail;
    if in_detail && !s.detail.search.is_empty() {
        super::detail::set_search(s, String::new());
    } else if s.mode == Mode::DetailFull {
        s.mode = Mode::Split;
        s.focus = Focus::List;
        resize(s, s.size.0, s.size.1);
    } else if s.focus == Focus::Detail {
        s.focus = Focus::List;
    } else if s.list.anchor.is_some() {
        super::list::drop_anchor(s);
    } else if !s.view.filter.pattern.is_empty() {
        return set_filter(s, String::new());
    } else if !s.view.query.text.is_empty() {
        return clear_query(s);
    } else {
        s.dirty = false;
    }
    Vec::new()
}

/// Help was laid out: `bottom` is the largest scroll that still fills its box (`ui::help_bottom`).
pub fn help_measured(s: &mut AppState, bottom: u16) {
    s.help_bottom = bottom;
    if s.help_scroll > bottom {
        s.help_scroll = bottom;
        s.dirty = true;
    }
}

pub(super) fn show_help(s: &mut AppState) -> Vec<Effect> {
    s.help = true;
    s.help_topic = HelpTopic::Keys;
    Vec::new()
}

/// `:help`: the help overlay on the `:` line: its keys, its commands and the query language.
pub(super) fn show_command_help(s: &mut AppState) -> Vec<Effect> {
    s.help = true;
    s.help_topic = HelpTopic::CommandLine;
    s.help_scroll = 0;
    Vec::new()
}

/// While help shows, the keys that open or leave things close it, the movement keys scroll it
/// (up to where the renderer measured its end); the rest do nothing.
pub(super) fn help_action(s: &mut AppState, a: Action) -> Vec<Effect> {
    let bottom = s.help_bottom;
    let page = s.size.1.min(40).saturating_sub(3).max(1);
    s.help_scroll = match a {
        Action::Help | Action::Back | Action::Quit | Action::No => {
            s.help = false;
            s.help_topic = HelpTopic::Keys;
            0
        }
        Action::MoveDown => s.help_scroll.saturating_add(1).min(bottom),
        Action::MoveUp => s.help_scroll.saturating_sub(1),
        Action::PageDown => s.help_scroll.saturating_add(page).min(bottom),
        Action::PageUp => s.help_scroll.saturating_sub(page),
        Action::Top => 0,
        Action::Bottom => bottom,
        _ => {
            s.dirty = false;
            s.help_scroll
        }
    };
    Vec::new()
}
