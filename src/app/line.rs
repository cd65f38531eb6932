//! One line of text being typed, with a cursor: the editing every text line of the workbench shares
//! (the `/` filter, the `:` command line, a note or a suppress reason), so each key means the same
//! in all of them. The cursor is a byte offset on a character boundary. The whole line can be
//! selected (the `:` line opens with the current query selected): typing replaces it, a movement
//! key keeps it.

use super::action::Action;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineEdit {
    text: String,
    cursor: usize,
    selected: bool,
}

impl LineEdit {
    /// `text` with the cursor at its end.
    pub fn new(text: impl Into<String>) -> LineEdit {
        let text = text.into();
        LineEdit { cursor: text.len(), text, selected: false }
    }

    /// `text` selected whole, the cursor at its end.
    pub fn selected(text: impl Into<String>) -> LineEdit {
        let mut l = LineEdit::new(text);
        l.selected = !l.text.is_empty();
        l
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn is_selected(&self) -> bool {
        self.selected
    }

    /// The text before and after the cursor.
    pub fn split(&self) -> (&str, &str) {
        self.text.split_at(self.cursor)
    }

    /// Replaces the whole line, the cursor at its end.
    pub fn set(&mut self, text: impl Into<String>) {
        *self = LineEdit::new(text);
    }

    /// Replaces `start..self.cursor` by `with`, the cursor after it.
    pub fn replace_before_cursor(&mut self, start: usize, with: &str) {
        let start = start.min(self.cursor);
        self.text.replace_range(start..self.cursor, with);
        self.cursor = start + with.len();
        self.selected = false;
    }

    fn take_selection(&mut self) -> bool {
        if std::mem::take(&mut self.selected) {
            self.text.clear();
            self.cursor = 0;
            true
        } else {
            false
        }
    }

    fn prev_boundary(&self) -> usize {
        self.text[..self.cursor].char_indices().next_back().map_or(0, |(i, _)| i)
    }

    fn next_boundary(&self) -> usize {
        self.text[self.cursor..].chars().next().map_or(self.cursor, |c| self.cursor + c.len_utf8())
    }

    pub fn insert(&mut self, c: char) {
        self.take_selection();
        self.text.insert(self.cursor, c);
        self.cursor += c.len_utf8();
    }

    /// Applies an editing action. Returns whether it was one (whether or not the text changed);
    /// the caller handles every other action.
    pub fn edit(&mut self, a: Action) -> bool {
        match a {
            Action::Input(c) => self.insert(c),
            Action::Backspace => {
                if !self.take_selection() {
                    let p = self.prev_boundary();
                    self.text.replace_range(p..self.cursor, "");
                    self.cursor = p;
                }
            }
            Action::DeleteForward => {
                if !self.take_selection() {
                    let n = self.next_boundary();
                    self.text.replace_range(self.cursor..n, "");
                }
            }
            Action::CursorLeft => {
                self.selected = false;
                self.cursor = self.prev_boundary();
            }
            Action::CursorRight => {
                self.selected = false;
                self.cursor = self.next_boundary();
            }
            Action::LineStart => {
                self.selected = false;
                self.cursor = 0;
            }
            Action::LineEnd => {
                self.selected = false;
                self.cursor = self.text.len();
            }
            Action::KillToStart => {
                if !self.take_selection() {
                    self.text.replace_range(..self.cursor, "");
                    self.cursor = 0;
                }
            }
            Action::KillToEnd => {
                if !self.take_selection() {
                    self.text.truncate(self.cursor);
                }
            }
            // As readline's unix-word-rubout: back over spaces, then to the previous space, so a
            // whole query term (`status:new`) goes at once.
            Action::KillWord => {
                if !self.take_selection() {
                    let before = &self.text[..self.cursor];
                    let trimmed = before.trim_end();
                    let start = trimmed.rfind(char::is_whitespace).map_or(0, |i| i + 1);
                    self.text.replace_range(start..self.cursor, "");
                    self.cursor = start;
                }
            }
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(l: &mut LineEdit, actions: &[Action]) {
        for a in actions {
            assert!(l.edit(*a), "{a:?} edits");
        }
    }

    #[test]
    fn moves_and_edits_at_the_cursor() {
        let mut l = LineEdit::new("sev:high");
        run(&mut l, &[Action::LineStart, Action::CursorRight, Action::CursorRight, Action::CursorRight]);
        assert_eq!(l.split(), ("sev", ":high"));
        run(&mut l, &[Action::Input('e'), Action::Input('r')]);
        assert_eq!(l.text(), "sever:high");
        run(&mut l, &[Action::Backspace, Action::DeleteForward]);
        assert_eq!((l.text(), l.cursor()), ("sevehigh", 4));
        run(&mut l, &[Action::LineEnd, Action::CursorRight]);
        assert_eq!(l.cursor(), 8, "right stops at the end");
        run(&mut l, &[Action::LineStart, Action::CursorLeft, Action::Backspace]);
        assert_eq!((l.text(), l.cursor()), ("sevehigh", 0), "left and backspace stop at the start");
    }

    #[test]
    fn kills_to_the_start_the_end_and_the_previous_word() {
        let mut l = LineEdit::new("sev>=high status:new  region:eu-west-1");
        run(&mut l, &[Action::KillWord]);
        assert_eq!(l.text(), "sev>=high status:new  ");
        run(&mut l, &[Action::KillWord]);
        assert_eq!(l.text(), "sev>=high ", "spaces, then the word");
        run(&mut l, &[Action::CursorLeft, Action::CursorLeft, Action::KillToEnd]);
        assert_eq!(l.text(), "sev>=hig");
        run(&mut l, &[Action::CursorLeft, Action::KillToStart]);
        assert_eq!((l.text(), l.cursor()), ("g", 0));
        run(&mut l, &[Action::KillWord]);
        assert_eq!(l.text(), "g", "nothing before the cursor");
    }

    #[test]
    fn multibyte_characters_move_whole() {
        let mut l = LineEdit::new("añb");
        run(&mut l, &[Action::CursorLeft, Action::CursorLeft, Action::Backspace]);
        assert_eq!(l.text(), "ñb");
        run(&mut l, &[Action::DeleteForward]);
        assert_eq!(l.text(), "b");
    }

    #[test]
    fn a_selection_is_replaced_by_typing_and_kept_by_moving() {
        let mut l = LineEdit::selected("sev>=high");
        assert!(l.is_selected());
        run(&mut l, &[Action::Input('s')]);
        assert_eq!((l.text(), l.is_selected()), ("s", false));
        for del in [Action::Backspace, Action::DeleteForward, Action::KillToStart, Action::KillWord] {
            let mut l = LineEdit::selected("sev>=high");
            run(&mut l, &[del]);
            assert_eq!(l.text(), "", "{del:?} deletes the selection");
        }
        let mut l = LineEdit::selected("sev>=high");
        run(&mut l, &[Action::LineEnd, Action::Input(' ')]);
        assert_eq!(l.text(), "sev>=high ");
        assert!(!LineEdit::selected("").is_selected());
        assert!(!l.edit(Action::Submit));
    }
}
