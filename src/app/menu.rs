//! The small menus drawn over the panes: the view picker (`V`, or `:view` alone) and, for the
//! cursor finding, what `y` copies and which link `o` opens. A menu has a cursor (j/k, Enter) and a
//! key per entry (typed, it chooses at once); Esc closes it.
//!
//! A copy goes through the terminal's clipboard (OSC 52, written by the terminal loop, base64 of
//! the value: finding text never reaches the terminal as text); a link is opened by the worker
//! (xdg-open or open), and only an http(s) URL.

use super::action::Action;
use super::effect::Effect;
use super::views;
use super::AppState;
use crate::model::finding::FindingId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuKind {
    Views,
    Copy,
    Open,
    /// The list's columns (`app::columns`).
    Columns,
}

/// One entry: the key that chooses it, its label and a line of what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuItem {
    pub key: char,
    pub label: String,
    pub detail: String,
    /// What choosing it copies or opens (unused by the view picker).
    pub value: String,
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
            if v.expiring {
                detail.push_str(" · expiring within 14 days");
            }
            if let Some(g) = v.group {
                detail.push_str(&format!(" · grouped by {}", g.name()));
            }
            MenuItem { key: index_key(i), label: v.name.clone(), detail, value: String::new() }
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
    if let Some(effects) = super::columns::chooser_action(s, a) {
        return effects;
    }
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
        MenuKind::Copy => vec![Effect::Copy { what: item.label.clone(), text: item.value.clone() }],
        MenuKind::Open => open_url(s, &item.label, &item.value),
        // Its Enter is the chooser's own (`columns::chooser_action`).
        MenuKind::Columns => Vec::new(),
    }
}

/// The cursor finding's document, when it is the one the detail pane holds.
fn cursor_doc(s: &mut AppState) -> Option<&serde_json::Value> {
    let key = s.cursor_row().map(|(_, r)| r.key.clone());
    let Some(key) = key else {
        s.error("No finding selected");
        return None;
    };
    if s.detail.key.as_ref() != Some(&key) || s.detail.doc.is_none() {
        s.error("The finding's document is still loading; try again in a moment");
        return None;
    }
    s.detail.doc.as_ref()
}

/// A short, single-line preview of a value for the menu (the UI sanitises it).
fn preview(v: &str) -> String {
    v.lines().next().unwrap_or_default().chars().take(120).collect()
}

/// `y`: what to copy of the cursor finding: its Id, its ProductArn, its JSON, its console link.
pub(super) fn open_copy(s: &mut AppState) -> Vec<Effect> {
    let Some(doc) = cursor_doc(s) else { return Vec::new() };
    let json = serde_json::to_string_pretty(doc).unwrap_or_default();
    let (id, product_arn) = match &s.detail.key {
        Some(FindingId::Asff(k)) => (k.id.clone(), Some(k.product_arn.clone())),
        Some(FindingId::Ocsf(uid)) => (uid.clone(), None),
        None => return Vec::new(),
    };
    let mut items = vec![MenuItem { key: 'i', label: "Id".into(), detail: preview(&id), value: id }];
    if let Some(p) = product_arn {
        items.push(MenuItem { key: 'p', label: "ProductArn".into(), detail: preview(&p), value: p.to_string() });
    }
    let size = crate::model::words::count(json.len(), "byte");
    items.push(MenuItem { key: 'J', label: "JSON".into(), detail: format!("the whole finding, {size}"), value: json });
    if let Some(url) = s.detail.view.console_url.clone() {
        items.push(MenuItem { key: 'l', label: "console link".into(), detail: preview(&url), value: url });
    }
    s.menu = Some(Menu { kind: MenuKind::Copy, title: " Copy ".into(), items, cursor: 0 });
    Vec::new()
}

/// An http(s) URL with nothing a shell or a browser would read otherwise (no space, no control
/// character): the only kind `o` opens.
pub fn openable(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && url.len() > "https://".len()
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// `o`: the finding's console link or its remediation URL in the browser; both: a menu.
pub(super) fn open_link(s: &mut AppState) -> Vec<Effect> {
    let Some(doc) = cursor_doc(s) else { return Vec::new() };
    let remediation = doc.pointer("/Remediation/Recommendation/Url").and_then(|v| v.as_str()).map(str::to_string);
    let console = s.detail.view.console_url.clone();
    let mut items = Vec::new();
    for (key, label, url) in [('c', "console link", console), ('r', "remediation", remediation)] {
        if let Some(url) = url.filter(|u| openable(u)) {
            items.push(MenuItem { key, label: label.into(), detail: preview(&url), value: url });
        }
    }
    match items.len() {
        0 => {
            s.info("This finding has no console link or remediation URL to open (only http(s) links open)");
            Vec::new()
        }
        1 => {
            let item = items.remove(0);
            open_url(s, &item.label, &item.value)
        }
        _ => {
            s.menu = Some(Menu { kind: MenuKind::Open, title: " Open in the browser ".into(), items, cursor: 0 });
            Vec::new()
        }
    }
}

fn open_url(s: &mut AppState, what: &str, url: &str) -> Vec<Effect> {
    if !openable(url) {
        s.error(format!("Not opened: the {what} is not an http(s) URL"));
        return Vec::new();
    }
    s.info(format!("Opening the {what} in the browser…"));
    vec![Effect::OpenUrl { url: url.to_string() }]
}

/// `Event::Copied`: the terminal took the copy.
pub(super) fn copied(s: &mut AppState, what: String, chars: usize) -> Vec<Effect> {
    s.info(format!("Copied the {what} ({}) to the clipboard (OSC 52)", crate::model::words::count(chars, "character")));
    Vec::new()
}

/// `Event::CopyFailed`: the terminal cannot take it; what to do instead.
pub(super) fn copy_failed(s: &mut AppState, what: String, reason: String) -> Vec<Effect> {
    s.error(format!("The {what} was not copied: {reason}; `:export FILE` writes the findings in view to a file"));
    Vec::new()
}

/// `Event::Opened`.
pub(super) fn opened(s: &mut AppState, url: String) -> Vec<Effect> {
    s.info(format!("Opened {url}"));
    Vec::new()
}

/// `Event::OpenFailed`.
pub(super) fn open_failed(s: &mut AppState, error: String) -> Vec<Effect> {
    s.error(format!("Could not open the browser ({error}); y copies the link instead"));
    Vec::new()
}
