//! JSON for a terminal: what the CLI prints as JSON (`findings --format json`, `api`, the
//! `update --dry-run` request) is serde_json's pretty output, except that C1 controls, DEL and the
//! bidi overrides and isolates inside strings are written as `\uXXXX` escapes. JSON itself escapes
//! only C0 controls; the others would reach the terminal raw (a C1 CSI or OSC acts as ESC [ or
//! ESC ] does on many terminals, a bidi override reorders what the analyst reads). The escaped
//! text parses back to the same value; text without those characters is byte for byte serde_json's.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter, Serializer};

use super::is_reordering_or_c1;

/// Writes `value` as `serde_json::to_writer_pretty` does, with the escapes above.
pub fn to_writer_pretty<W: Write, T: Serialize + ?Sized>(writer: W, value: &T) -> serde_json::Result<()> {
    value.serialize(&mut Serializer::with_formatter(writer, Escaping(PrettyFormatter::new())))
}

/// `value` as `serde_json::to_string_pretty` writes it, with the escapes above.
pub fn to_string_pretty<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::with_capacity(128);
    to_writer_pretty(&mut out, value)?;
    // The serializer writes UTF-8 only (its input is `str`, the escapes are ASCII).
    String::from_utf8(out).map_err(|e| serde::ser::Error::custom(e.to_string()))
}

/// True for DEL, C1 controls and the bidi characters `sanitize` also neutralises.
fn needs_escape(c: char) -> bool {
    c == '\u{7f}' || is_reordering_or_c1(c)
}

/// Writes `text` with each character that `needs_escape` as `\uXXXX`. Every such character is at
/// least U+007F, so its UTF-8 starts with 0x7f, 0xc2 (U+0080..U+00BF) or 0xe2 (U+2000..U+2FFF):
/// text without those bytes, nearly all of it, is written in one piece.
fn write_escaped<W: ?Sized + Write>(w: &mut W, text: &str) -> io::Result<()> {
    if memchr::memchr3(0x7f, 0xc2, 0xe2, text.as_bytes()).is_none() {
        return w.write_all(text.as_bytes());
    }
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if needs_escape(c) {
            w.write_all(&text.as_bytes()[start..i])?;
            // Lower-case hex, as serde_json writes its own `\u001b`.
            write!(w, "\\u{:04x}", c as u32)?;
            start = i + c.len_utf8();
        }
    }
    w.write_all(&text.as_bytes()[start..])
}

/// A formatter that lays out as `F` does and escapes strings' characters as above.
struct Escaping<F>(F);

impl<F: Formatter> Formatter for Escaping<F> {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        write_escaped(w, fragment)
    }

    // Raw JSON (a `RawValue`) holds these characters only inside its strings, where an escape
    // means the same character.
    fn write_raw_fragment<W: ?Sized + Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        write_escaped(w, fragment)
    }

    // The layout is `F`'s.
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    fn hostile() -> Value {
        json!({
            "k\u{9d}0;title\u{9c}": ["\u{80}\u{85}\u{9f}\u{7f}", "\u{202a}\u{202b}\u{202c}\u{202d}\u{202e}"],
            "bidi": "exe.\u{2066}\u{2067}\u{2068}\u{2069}txt",
            "kept": "\u{1b}[2J \u{a0}é … ✓ — 日本 \u{2028} \u{200f}",
            "n": [1, -2.5, null, true, {}, []],
        })
    }

    #[test]
    fn escapes_parse_back_to_the_same_value_with_nothing_raw() {
        let v = hostile();
        let text = to_string_pretty(&v).unwrap();
        assert!(!text.chars().any(|c| c.is_control() && c != '\n' || needs_escape(c)), "{text:?}");
        assert!(text.contains(r#""k\u009d0;title\u009c""#), "{text}");
        assert!(text.contains(r#""exe.\u2066\u2067\u2068\u2069txt""#), "{text}");
        assert!(text.contains(r#""\u0080\u0085\u009f\u007f""#), "{text}");
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), v);
    }

    #[test]
    fn text_without_those_characters_is_serde_jsons_own() {
        let v = json!({"a": [1, {"b": "c\u{1b}\n\"é … ✓"}], "e": {}, "f": []});
        assert_eq!(to_string_pretty(&v).unwrap(), serde_json::to_string_pretty(&v).unwrap());
        let raw = serde_json::value::RawValue::from_string(r#"{"x": "a\u0007"}"#.into()).unwrap();
        assert_eq!(to_string_pretty(&raw).unwrap(), serde_json::to_string_pretty(&raw).unwrap());
        let mut out = Vec::new();
        to_writer_pretty(&mut out, &v).unwrap();
        assert_eq!(out, serde_json::to_vec_pretty(&v).unwrap());
    }

    #[test]
    fn raw_json_is_escaped_too() {
        let raw = serde_json::value::RawValue::from_string("{\"x\": \"a\u{9b}b\u{202e}\"}".into()).unwrap();
        let text = to_string_pretty(&raw).unwrap();
        assert_eq!(text, r#"{"x": "a\u009bb\u202e"}"#);
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), json!({"x": "a\u{9b}b\u{202e}"}));
    }
}
