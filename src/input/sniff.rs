//! What a findings file's first bytes say about it before it is read as JSON: a UTF-16 or UTF-32
//! file (which serde_json reports only as `1:1: expected value`) is named with its encoding, and two
//! JSON-lines objects on one line are named as such (which read as an envelope without `Findings`);
//! and whether the text is JSON lines at all.

use std::fmt;

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};

/// The message for a file in UTF-16 or UTF-32, found by its byte order mark or, without one, by
/// where its NUL bytes are: JSON text starts with an ASCII character, so its first four bytes have
/// the pattern RFC 4627 (section 3) gives for each encoding.
pub(super) fn wrong_encoding(bytes: &[u8]) -> Option<String> {
    let (name, iconv) = match bytes {
        [0xff, 0xfe, 0, 0, ..] | [_, 0, 0, 0, ..] => ("UTF-32 (little-endian)", "UTF-32LE"),
        [0, 0, 0xfe, 0xff, ..] | [0, 0, 0, _, ..] => ("UTF-32 (big-endian)", "UTF-32BE"),
        [0xff, 0xfe, ..] | [_, 0, _, 0, ..] => ("UTF-16 (little-endian)", "UTF-16LE"),
        [0xfe, 0xff, ..] | [0, _, 0, _, ..] => ("UTF-16 (big-endian)", "UTF-16BE"),
        _ => return None,
    };
    // `iconv -f UTF-16LE` (not `UTF-16`): without a byte order mark, iconv's UTF-16 is big-endian.
    Some(format!("the file is {name}; findings files are UTF-8: convert it, e.g. iconv -f {iconv} -t UTF-8"))
}

pub(super) const TWO_ON_A_LINE: &str = "two JSON values on one line; JSON lines have one finding per line";

/// Where a second JSON value starts on the line of a first, whole, object in `line` (an offset into
/// it): JSON lines written without their newlines. None when the line's text is not an object
/// followed by another JSON value.
pub(super) fn second_value_on_line(line: &[u8]) -> Option<usize> {
    let start = line.iter().position(|b| !b.is_ascii_whitespace())?;
    if line[start] != b'{' {
        return None;
    }
    let mut values = serde_json::Deserializer::from_slice(&line[start..]).into_iter::<serde::de::IgnoredAny>();
    values.next()?.ok()?;
    let end = start + values.byte_offset();
    let line_end = memchr::memchr(b'\n', &line[end..]).map_or(line.len(), |p| end + p);
    if line[start..end].contains(&b'\n') {
        return None;
    }
    let second = end + line[end..line_end].iter().position(|b| !b.is_ascii_whitespace())?;
    // The next value must itself be JSON (an object, most likely), not any stray text.
    let mut next = serde_json::Deserializer::from_slice(&line[second..line_end]).into_iter::<serde::de::IgnoredAny>();
    next.next()?.ok()?;
    Some(second)
}

/// JSON lines: the first line is a complete JSON object of its own and more text follows it (or
/// it is a lone finding). Only the first value is read, never built, and an envelope's reading
/// ends at its `Findings` member: a one-line envelope can be hundreds of megabytes, and reading
/// it through (to find it had one line) took ~30 ms on one core before the first finding was read.
pub(super) fn is_json_lines(bytes: &[u8]) -> bool {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
    if bytes.get(start) != Some(&b'{') {
        return false;
    }
    let mut values = serde_json::Deserializer::from_slice(&bytes[start..]).into_iter::<Shape>();
    let Some(Ok(shape)) = values.next() else { return false };
    let end = start + values.byte_offset();
    // The object is the whole of its line...
    let line_end = memchr::memchr(b'\n', &bytes[end..]).map_or(bytes.len(), |p| end + p);
    if bytes[start..end].contains(&b'\n') || !bytes[end..line_end].iter().all(u8::is_ascii_whitespace) {
        return false;
    }
    // ...and more lines follow; a lone object is one finding.
    let more = bytes[line_end..].iter().any(|b| !b.is_ascii_whitespace());
    more || shape.finding_like
}

/// The top-level shape of a JSON object, read without building it: whether it has a finding's
/// members. Anything but an object is an error, and so is a `Findings` member, which ends the scan
/// early: such a text is an envelope whatever follows.
struct Shape {
    finding_like: bool,
}

impl<'de> serde::Deserialize<'de> for Shape {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Shape, D::Error> {
        d.deserialize_any(ShapeVisitor)
    }
}

struct ShapeVisitor;

impl<'de> Visitor<'de> for ShapeVisitor {
    type Value = Shape;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
        let mut shape = Shape { finding_like: false };
        while let Some(key) = map.next_key::<ShapeKey>()? {
            match key {
                ShapeKey::Findings => return Err(serde::de::Error::custom("an envelope")),
                ShapeKey::FindingMember => shape.finding_like = true,
                ShapeKey::Other => {}
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(shape)
    }
}

enum ShapeKey {
    Findings,
    FindingMember,
    Other,
}

impl<'de> serde::Deserialize<'de> for ShapeKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ShapeKey, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = ShapeKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_str<E: serde::de::Error>(self, k: &str) -> Result<ShapeKey, E> {
                Ok(match k {
                    "Findings" => ShapeKey::Findings,
                    "Id" | "SchemaVersion" => ShapeKey::FindingMember,
                    _ => ShapeKey::Other,
                })
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}
