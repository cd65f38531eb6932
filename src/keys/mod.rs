//! The keymap: which key means which `Action` in each context. Defaults are embedded from
//! `assets/keymap.toml`; a `keymap.toml` in the config directory overrides them entry by entry.
//! The help overlay and the status-line hints are generated from the live keymap.

use std::collections::HashMap;
use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::state::Context;
use crate::app::Action;

pub const DEFAULTS: &str = include_str!("../../assets/keymap.toml");

/// A key with its modifiers, normalised (a typed `G` is `G`, whatever crossterm says of shift).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn from_event(e: &KeyEvent) -> Key {
        let mut mods = e.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match e.code {
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                // Terminals report ctrl-r as Char('r') with CONTROL; keep letters lower-case then.
                if mods.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            other => other,
        };
        Key { code, mods }
    }

    /// Parses `G`, `ctrl-r`, `enter`, `space`, ...
    pub fn parse(s: &str) -> Result<Key, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                mods |= KeyModifiers::CONTROL;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-") {
                mods |= KeyModifiers::ALT;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" => KeyCode::PageUp,
            "pgdown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "delete" => KeyCode::Delete,
            one if one.chars().count() == 1 => {
                let c = one.chars().next().unwrap_or(' ');
                KeyCode::Char(if mods.contains(KeyModifiers::CONTROL) { c.to_ascii_lowercase() } else { c })
            }
            other => return Err(format!("unknown key \"{other}\"")),
        };
        Ok(Key { code, mods })
    }

    /// The way the help overlay writes it.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Char(' ') => "Space".into(),
            KeyCode::Backspace => "Bksp".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::Char(c) => c.to_string(),
            _ => "?".into(),
        };
        let mut s = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            s.push_str("C-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            s.push_str("M-");
        }
        s + &base
    }
}

/// A keymap error names the file, the section and the entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("keymap {source_name}: {message}")]
pub struct KeymapError {
    pub source_name: String,
    pub message: String,
}

type Section = Vec<(Key, Action)>;

#[derive(Debug, Clone, Default)]
pub struct Keymap {
    sections: HashMap<String, Section>,
}

const SECTIONS: [&str; 10] = ["global", "list", "detail", "group", "form", "input", "line", "prompt", "menu", "help"];

/// The section of line-editing keys, looked up after `[input]` for a line of text. The `?` help
/// lists `[input]`; `:help` lists these.
const LINE: &str = "line";

/// A section's entries as written; `None` unbinds.
type ParsedSection = (String, Vec<(Key, Option<Action>)>);

fn parse_sections(text: &str, source_name: &str) -> Result<Vec<ParsedSection>, KeymapError> {
    let fail = |message: String| KeymapError { source_name: source_name.to_string(), message };
    let table: toml::Table = toml::from_str(text).map_err(|e| fail(e.to_string()))?;
    let mut out = Vec::new();
    for (section, entries) in table {
        if !SECTIONS.contains(&section.as_str()) {
            return Err(fail(format!("unknown section [{section}]; sections are {}", SECTIONS.join(", "))));
        }
        let entries = entries.as_table().ok_or_else(|| fail(format!("[{section}] must be a table")))?;
        let mut list = Vec::new();
        for (k, v) in entries {
            let key = Key::parse(k).map_err(|e| fail(format!("[{section}] {e}")))?;
            let name = v.as_str().ok_or_else(|| fail(format!("[{section}] \"{k}\": the action must be a string")))?;
            let action = if name == "none" {
                None
            } else {
                Some(
                    serde_json::from_value::<Action>(serde_json::Value::String(name.to_string()))
                        .map_err(|_| fail(format!("[{section}] \"{k}\": unknown action \"{name}\"")))?,
                )
            };
            list.push((key, action));
        }
        out.push((section, list));
    }
    Ok(out)
}

impl Keymap {
    /// The shipped defaults.
    pub fn defaults() -> Result<Keymap, KeymapError> {
        let mut k = Keymap::default();
        k.merge(DEFAULTS, "assets/keymap.toml")?;
        Ok(k)
    }

    /// The defaults with the user's file merged over them, when it exists.
    pub fn load(user_file: Option<&Path>) -> Result<Keymap, KeymapError> {
        let mut k = Keymap::defaults()?;
        if let Some(path) = user_file.filter(|p| p.exists()) {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(path)
                .map_err(|e| KeymapError { source_name: name.clone(), message: e.to_string() })?;
            k.merge(&text, &name)?;
        }
        Ok(k)
    }

    /// `keymap.toml` in the platform config directory.
    pub fn user_file() -> Option<std::path::PathBuf> {
        crate::paths::config_file("keymap.toml")
    }

    /// Entries of `text` replace the same keys; "none" unbinds.
    pub fn merge(&mut self, text: &str, source_name: &str) -> Result<(), KeymapError> {
        for (section, entries) in parse_sections(text, source_name)? {
            let list = self.sections.entry(section).or_default();
            for (key, action) in entries {
                list.retain(|(k, _)| *k != key);
                if let Some(a) = action {
                    list.push((key, a));
                }
            }
        }
        Ok(())
    }

    fn section(&self, name: &str) -> &[(Key, Action)] {
        self.sections.get(name).map_or(&[], Vec::as_slice)
    }

    fn lookup(&self, name: &str, key: Key) -> Option<Action> {
        self.section(name).iter().find(|(k, _)| *k == key).map(|(_, a)| *a)
    }

    fn uses_global(ctx: Context) -> bool {
        matches!(ctx, Context::List | Context::Detail | Context::Group)
    }

    /// What a key means in a context. In text contexts an unbound character is typed.
    pub fn resolve(&self, ctx: Context, event: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(event);
        if let Some(a) = self.lookup(ctx.name(), key) {
            return Some(a);
        }
        if Keymap::uses_global(ctx) {
            if let Some(a) = self.lookup("global", key) {
                return Some(a);
            }
        }
        if ctx == Context::Input {
            if let Some(a) = self.lookup(LINE, key) {
                return Some(a);
            }
        }
        match (ctx, key.code) {
            (Context::Input | Context::Form | Context::Menu, KeyCode::Char(c))
                if !key.mods.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                Some(Action::Input(c))
            }
            _ => None,
        }
    }

    /// Every binding of a context (its own, then the shared ones), grouped by action in first-bound
    /// order: (keys, action).
    pub fn bindings(&self, ctx: Context) -> Vec<(Vec<String>, Action)> {
        let mut out: Vec<(Vec<String>, Action)> = Vec::new();
        let mut all: Vec<(Key, Action)> = self.section(ctx.name()).to_vec();
        if Keymap::uses_global(ctx) {
            all.extend(self.section("global").iter().filter(|(k, _)| self.lookup(ctx.name(), *k).is_none()));
        }
        for (k, a) in all {
            match out.iter_mut().find(|(_, x)| *x == a) {
                Some((keys, _)) => keys.push(k.label()),
                None => out.push((vec![k.label()], a)),
            }
        }
        out.sort_by_key(|(_, a)| *a);
        out
    }

    /// The line-editing keys (`[line]`), grouped by action as `bindings` groups them.
    pub fn line_bindings(&self) -> Vec<(Vec<String>, Action)> {
        let mut out: Vec<(Vec<String>, Action)> = Vec::new();
        for (k, a) in self.section(LINE).iter().filter(|(k, _)| self.lookup(Context::Input.name(), *k).is_none()) {
            match out.iter_mut().find(|(_, x)| x == a) {
                Some((keys, _)) => keys.push(k.label()),
                None => out.push((vec![k.label()], *a)),
            }
        }
        out.sort_by_key(|(_, a)| *a);
        out
    }

    /// The first key bound to `action` in a context, for hints.
    pub fn key_for(&self, ctx: Context, action: Action) -> Option<String> {
        // The plainest key reads best in a hint: short, unmodified, lower-case.
        let rank =
            |k: &String| (k.chars().count(), k.contains("C-") || k.contains("M-"), k.chars().any(char::is_uppercase));
        self.bindings(ctx).into_iter().find(|(_, a)| *a == action).and_then(|(k, _)| k.into_iter().min_by_key(rank))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn defaults_parse_and_resolve_per_context() {
        let k = Keymap::defaults().unwrap();
        assert_eq!(k.resolve(Context::List, &ev(KeyCode::Char('j'), KeyModifiers::NONE)), Some(Action::MoveDown));
        assert_eq!(k.resolve(Context::List, &ev(KeyCode::Char('G'), KeyModifiers::SHIFT)), Some(Action::Bottom));
        assert_eq!(k.resolve(Context::List, &ev(KeyCode::Char('r'), KeyModifiers::CONTROL)), Some(Action::Redo));
        assert_eq!(k.resolve(Context::List, &ev(KeyCode::Char(' '), KeyModifiers::NONE)), Some(Action::ToggleMark));
        assert_eq!(k.resolve(Context::Detail, &ev(KeyCode::Char('q'), KeyModifiers::NONE)), Some(Action::Quit));
        assert_eq!(k.resolve(Context::Input, &ev(KeyCode::Char('q'), KeyModifiers::NONE)), Some(Action::Input('q')));
        assert_eq!(k.resolve(Context::Input, &ev(KeyCode::Enter, KeyModifiers::NONE)), Some(Action::Submit));
        assert_eq!(k.resolve(Context::Form, &ev(KeyCode::BackTab, KeyModifiers::SHIFT)), Some(Action::PrevField));
        assert_eq!(k.resolve(Context::Prompt, &ev(KeyCode::Char('y'), KeyModifiers::NONE)), Some(Action::Yes));
        assert_eq!(k.resolve(Context::Prompt, &ev(KeyCode::Char('x'), KeyModifiers::NONE)), None);
        assert_eq!(k.resolve(Context::List, &ev(KeyCode::F(5), KeyModifiers::NONE)), None);
    }

    #[test]
    fn a_line_of_text_takes_the_line_editing_keys_after_its_own() {
        let k = Keymap::defaults().unwrap();
        let ctrl = |c| ev(KeyCode::Char(c), KeyModifiers::CONTROL);
        assert_eq!(k.resolve(Context::Input, &ctrl('u')), Some(Action::KillToStart));
        assert_eq!(k.resolve(Context::Input, &ctrl('w')), Some(Action::KillWord));
        assert_eq!(k.resolve(Context::Input, &ctrl('a')), Some(Action::LineStart));
        assert_eq!(k.resolve(Context::Input, &ctrl('c')), Some(Action::Back), "[input] first");
        assert_eq!(k.resolve(Context::Input, &ev(KeyCode::Up, KeyModifiers::NONE)), Some(Action::HistoryPrev));
        assert_eq!(k.resolve(Context::Input, &ev(KeyCode::Tab, KeyModifiers::NONE)), Some(Action::Complete));
        assert_eq!(k.resolve(Context::Input, &ev(KeyCode::Delete, KeyModifiers::NONE)), Some(Action::DeleteForward));
        assert_eq!(k.resolve(Context::List, &ctrl('u')), Some(Action::PageUp), "only a line of text");
        assert_eq!(k.resolve(Context::Form, &ev(KeyCode::Left, KeyModifiers::NONE)), Some(Action::CyclePrev));
        assert!(!k.bindings(Context::Input).iter().any(|(_, a)| *a == Action::KillWord), "? help is unchanged");
        let line = k.line_bindings();
        assert!(
            line.iter().any(|(keys, a)| *a == Action::LineStart
                && keys.contains(&"Home".to_string())
                && keys.contains(&"C-a".to_string())),
            "{line:?}"
        );
    }

    #[test]
    fn user_entries_override_and_unbind() {
        let mut k = Keymap::defaults().unwrap();
        k.merge("[list]\n\"x\" = \"resolve\"\n\"r\" = \"none\"\n[global]\n\"ctrl-q\" = \"quit\"\n", "user").unwrap();
        assert_eq!(k.resolve(Context::List, &ev(KeyCode::Char('x'), KeyModifiers::NONE)), Some(Action::Resolve));
        assert_eq!(k.resolve(Context::List, &ev(KeyCode::Char('r'), KeyModifiers::NONE)), None);
        assert_eq!(k.resolve(Context::Group, &ev(KeyCode::Char('q'), KeyModifiers::CONTROL)), Some(Action::Quit));
        assert_eq!(k.key_for(Context::List, Action::Resolve), Some("x".into()));
        assert!(k.bindings(Context::List).iter().any(|(keys, a)| *a == Action::MoveDown && keys.len() == 2));
    }

    #[test]
    fn mistakes_name_the_file_section_and_entry() {
        let mut k = Keymap::default();
        let e = k.merge("[list]\n\"j\" = \"fly\"\n", "my.toml").unwrap_err();
        assert_eq!(e.to_string(), "keymap my.toml: [list] \"j\": unknown action \"fly\"");
        let e = k.merge("[lists]\n", "my.toml").unwrap_err();
        assert!(e.message.contains("unknown section [lists]"), "{e}");
        let e = k.merge("[list]\n\"hyper-j\" = \"top\"\n", "my.toml").unwrap_err();
        assert!(e.message.contains("unknown key"), "{e}");
        assert!(k.merge("[list", "my.toml").is_err());
    }

    #[test]
    fn every_context_has_a_way_back() {
        let k = Keymap::defaults().unwrap();
        for ctx in Context::ALL {
            let b = k.bindings(ctx);
            assert!(
                b.iter().any(|(_, a)| matches!(a, Action::Back | Action::No | Action::Help)),
                "{} has no way out",
                ctx.name()
            );
        }
    }
}
