//! Making third-party text safe to show in a terminal. Finding text comes from providers and may
//! carry escape sequences that would drive the terminal; every control character becomes a visible
//! placeholder instead. Applied where text is displayed, never to the stored document. JSON the
//! CLI prints is written by `json`, which escapes the same characters as `\uXXXX` instead.

use std::borrow::Cow;

pub mod json;

/// C1 controls (CSI U+009B, OSC U+009D, ...), and the bidi overrides and isolates that reorder text.
pub(crate) fn is_reordering_or_c1(c: char) -> bool {
    matches!(c, '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The visible stand-in for one character, or `None` when it is safe as is.
fn placeholder(c: char, keep_newlines: bool) -> Option<char> {
    match c {
        '\n' if keep_newlines => None,
        '\t' | '\n' | '\r' => Some(' '),
        // C0 controls (ESC is U+241B "␛") and DEL, as Unicode control pictures.
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32),
        '\u{7f}' => Some('\u{2421}'),
        _ if is_reordering_or_c1(c) => Some('\u{fffd}'),
        _ => None,
    }
}

fn clean(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    // Nearly all finding text is printable ASCII, which needs no placeholder: a byte test decides
    // it without decoding characters (a million rows' listing spent 4% of its time here).
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Cow::Borrowed(s);
    }
    if !s.chars().any(|c| placeholder(c, keep_newlines).is_some()) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().map(|c| placeholder(c, keep_newlines).unwrap_or(c)).collect())
}

/// For one line of output (a table cell, a title): newlines and tabs become spaces.
pub fn line(s: &str) -> Cow<'_, str> {
    clean(s, false)
}

/// For multi-line text (a description): newlines are kept, everything else is made visible.
pub fn text(s: &str) -> Cow<'_, str> {
    clean(s, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_become_visible_and_inert() {
        let hostile = "ok\x1b[2J\x1b]0;pwned\x07\u{9b}31m\u{202e}done";
        let out = line(hostile);
        assert!(!out.chars().any(|c| c.is_control()), "{out:?}");
        assert_eq!(out, "ok␛[2J␛]0;pwned␇\u{fffd}31m\u{fffd}done");
        assert_eq!(text("a\nb\tc"), "a\nb c");
        assert_eq!(line("a\nb"), "a b");
        assert!(matches!(line("plain ünïcode"), Cow::Borrowed(_)));
    }

    /// Every ASCII byte, alone and beside printable text, cleaned exactly as character by character.
    #[test]
    fn ascii_text_is_cleaned_as_before() {
        for b in 0u8..0x80 {
            let c = char::from(b);
            for s in [c.to_string(), format!("ab{c}cd")] {
                for keep in [false, true] {
                    let want: String = s.chars().map(|c| placeholder(c, keep).unwrap_or(c)).collect();
                    assert_eq!(clean(&s, keep), want, "{b:#x}");
                    assert_eq!(matches!(clean(&s, keep), Cow::Borrowed(_)), want == s, "{b:#x}");
                }
            }
        }
    }
}
