//! The group view: the visible findings counted by one field (severity, status, account, …), a
//! cursor over the groups, and Enter drilling into one group by adding its term to the `:` query.
//! The counts themselves are kept current by `view::compute_groups`, since every refresh of the
//! view changes them.

use super::action::Action;
use super::effect::Effect;
use super::list::resize;
use super::prompt::quit;
use super::state::{GroupField, Mode};
use super::view::{apply_query, compute_groups};
use super::AppState;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupState {
    pub field: GroupField,
    /// (value, count), largest first.
    pub groups: Vec<(String, usize)>,
    pub cursor: usize,
}

/// `g`: the group view, on the field it last showed.
pub(super) fn open(s: &mut AppState) -> Vec<Effect> {
    s.mode = Mode::Group;
    compute_groups(s);
    Vec::new()
}

/// `:group FIELD`: the group view on that field, from its first group.
pub(super) fn open_on(s: &mut AppState, field: GroupField) -> Vec<Effect> {
    s.group.field = field;
    s.group.cursor = 0;
    open(s)
}

/// The group view's keys.
pub(super) fn action(s: &mut AppState, a: Action) -> Vec<Effect> {
    let n = s.group.groups.len();
    match a {
        Action::MoveDown => s.group.cursor = (s.group.cursor + 1).min(n.saturating_sub(1)),
        Action::MoveUp => s.group.cursor = s.group.cursor.saturating_sub(1),
        Action::Top => s.group.cursor = 0,
        Action::Bottom => s.group.cursor = n.saturating_sub(1),
        Action::CycleNext | Action::CyclePrev | Action::NextField | Action::PrevField => {
            let all = GroupField::ALL;
            let i = all.iter().position(|f| *f == s.group.field).unwrap_or(0);
            let forward = matches!(a, Action::CycleNext | Action::NextField);
            s.group.field = all[if forward { (i + 1) % all.len() } else { (i + all.len() - 1) % all.len() }];
            s.group.cursor = 0;
            compute_groups(s);
        }
        Action::OpenDetail | Action::Submit => {
            let Some((value, _)) = s.group.groups.get(s.group.cursor).cloned() else { return Vec::new() };
            if value.is_empty() {
                s.error("Findings without a value cannot be selected by a query");
                return Vec::new();
            }
            let term = s.group.field.term(&value);
            let text = if s.view.query.text.is_empty() { term } else { format!("{} {term}", s.view.query.text) };
            s.mode = Mode::Split;
            resize(s, s.size.0, s.size.1);
            return apply_query(s, &text).unwrap_or_else(|e| {
                s.error(e);
                Vec::new()
            });
        }
        Action::Back | Action::GroupView => {
            s.mode = Mode::Split;
            resize(s, s.size.0, s.size.1);
        }
        Action::Quit => return quit(s),
        Action::Help => s.help = true,
        _ => s.dirty = false,
    }
    Vec::new()
}
