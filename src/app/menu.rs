//! The small menus drawn over the panes: the view picker (`V`, or `:view` alone) and, for one
//! finding, what `y` copies. A menu has a cursor (j/k, Enter) and a key per entry (typed, it
//! chooses at once); Esc closes it.

use super::action::Action;
use super::effect::Effect;
use super::views;
use super::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuKind {
    Views,
}

/// One entry: the key that chooses it, its label and a line of what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuItem {
    pub key: char,
    pub label: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu {
    pub kind: MenuKind,
    pub title: String,
    pub items: Vec<MenuItem>,
    pub cursor: usize,
}

/// The key of entry `i`: 1-9, then the letters the menu's own keys leave free.
fn index_key(i: usize) -> char {
    const KEYS: &[u8] = b"123456789abcdefhilmnoprstuvwxyz";
    KEYS.get(i).map_or(' ', |b| char::from(*b))
}

/// `V`: every view, the current one under the cursor.
pub(super) fn open_views(s: &mut AppState) -> Vec<Effect> {
    let all = s.views.all();
    let current = s.view.named.as_ref().map(|v| v.name.clone());
    let items: Vec<MenuItem> = all
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let query = if v.query.is_empty() { "every finding".to_string() } else { v.query.clone() };
            let mut detail = query;
            if v.reopened {
                detail.push_str(" · reopened (history)");
            }
            if let Some(g) = v.group {
                detail.push_str(&format!(" · grouped by {}", g.name()));
            }
            MenuItem { key: index_key(i), label: v.name.clone(), detail }
        })
        .collect();
    let cursor = current.and_then(|c| all.iter().position(|v| v.name == c)).unwrap_or(0);
    s.menu = Some(Menu { kind: MenuKind::Views, title: " Views ".into(), items, cursor });
    if let Some(e) = views::errors_message(s) {
        s.error(e);
    }
    Vec::new()
}

/// The menu's keys.
pub(super) fn action(s: &mut AppState, a: Action) -> Vec<Effect> {
    let Some(menu) = &mut s.menu else { return Vec::new() };
    let n = menu.items.len();
    match a {
        Action::MoveDown | Action::NextField => menu.cursor = (menu.cursor + 1).min(n.saturating_sub(1)),
        Action::MoveUp | Action::PrevField => menu.cursor = menu.cursor.saturating_sub(1),
        Action::Top => menu.cursor = 0,
        Action::Bottom => menu.cursor = n.saturating_sub(1),
        Action::Back | Action::No => s.menu = None,
        Action::Submit | Action::OpenDetail | Action::Yes => return choose(s, None),
        Action::Input(c) => match menu.items.iter().position(|i| i.key == c) {
            Some(i) => return choose(s, Some(i)),
            None => s.dirty = false,
        },
        _ => s.dirty = false,
    }
    Vec::new()
}

fn choose(s: &mut AppState, index: Option<usize>) -> Vec<Effect> {
    let Some(menu) = s.menu.take() else { return Vec::new() };
    let i = index.unwrap_or(menu.cursor);
    let Some(item) = menu.items.get(i) else { return Vec::new() };
    match menu.kind {
        MenuKind::Views => match s.views.find(&item.label) {
            Some(v) => views::open_or_say(s, &v),
            None => Vec::new(),
        },
    }
}
