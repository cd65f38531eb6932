//! Writing JSON text: a stored document spliced from its parsed members and the members kept as
//! text, serde_json's compact form written faster, and the text of a kept member minified as it is
//! read. What is written here must be byte for byte what serde_json writes.

use serde_json::Value;

use super::{is_parsed, Kind, Member};
use crate::model::scan::{Defect, FINDING_DEPTH};

/// Writes the document `doc` (the parsed members after the rules) with the members kept as text
/// spliced in where they were sent, and the members the rules added at the end, where serde_json
/// puts an object's new members.
///
/// `doc` is the view after the create rules, which only add members and change parsed ones
/// (`tests::the_rules_write_only_parsed_members`): its first members are the view's, in the order
/// sent, and the rest are the ones the rules added. The update rules (`StoredDoc`) keep to the same
/// (`tests::the_update_rules_write_only_parsed_members`). So the members are matched in step, with
/// no lookup by name. Should a rule ever add a member that was kept as text, the finding fails with
/// an error rather than being stored with that member twice.
pub(super) fn splice(text: &[u8], members: &[Member], doc: &Value, out: &mut Vec<u8>) -> serde_json::Result<()> {
    use serde::ser::Error;
    let Some(doc) = doc.as_object() else { return Err(serde_json::Error::custom("a finding is not an object")) };
    // Names are stored decoded; a finding with an escaped name is not spliced (`odd`), so each
    // name here is its own JSON.
    let name = |m: &Member| &text[m.key.clone()];
    let mut doc_members = doc.iter();
    out.clear();
    out.push(b'{');
    for m in members {
        if m.kind == Kind::Opaque {
            write_name(out, 1, name(m));
            out.extend_from_slice(&text[m.value.clone()]);
            continue;
        }
        let Some((key, v)) = doc_members.next().filter(|(key, _)| key.as_bytes() == name(m)) else {
            return Err(serde_json::Error::custom("the import or update rules reordered a finding's members"));
        };
        write_name(out, 1, key.as_bytes());
        if m.kind == Kind::Projected {
            // No rule writes Resources or Compliance: the text is the value.
            out.extend_from_slice(&text[m.value.clone()]);
        } else {
            write_compact(out, v)?;
        }
    }
    for (key, v) in doc_members {
        if !is_parsed(key) && members.iter().any(|m| name(m) == key.as_bytes()) {
            return Err(serde_json::Error::custom(format!(
                "an import or update rule wrote {key}, which is kept as text"
            )));
        }
        write_member(out, out.len() > 1, key, v)?;
    }
    out.push(b'}');
    Ok(())
}

/// Writes `v` as `serde_json::to_writer` does (compact), faster: most strings in a finding need no
/// escaping, which is checked for a whole string at once and the string copied as it is, where
/// serde_json looks each byte up in its escape table as it copies. That was about a third of the
/// splice's instructions (`tests::compact_writing_is_serde_jsons`).
pub(super) fn write_compact(out: &mut Vec<u8>, v: &Value) -> serde_json::Result<()> {
    match v {
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_compact(out, item)?;
            }
            out.push(b']');
            Ok(())
        }
        Value::Object(members) => {
            out.push(b'{');
            for (i, (key, item)) in members.iter().enumerate() {
                write_member(out, i > 0, key, item)?;
            }
            out.push(b'}');
            Ok(())
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => serde_json::to_writer(&mut *out, v),
    }
}

/// `"key":value`, after a comma if `comma`.
fn write_member(out: &mut Vec<u8>, comma: bool, key: &str, v: &Value) -> serde_json::Result<()> {
    if comma {
        out.push(b',');
    }
    write_str(out, key)?;
    out.push(b':');
    write_compact(out, v)
}

/// A JSON string as serde_json writes it: only `"`, `\` and control characters (below U+0020)
/// are escaped. A string without any is copied in one piece.
fn write_str(out: &mut Vec<u8>, s: &str) -> serde_json::Result<()> {
    // No early exit, so that the compiler checks many bytes per instruction.
    let plain = !s.bytes().fold(false, |escape, b| escape | (b < 0x20) | (b == b'"') | (b == b'\\'));
    if !plain {
        return serde_json::to_writer(&mut *out, s);
    }
    out.reserve(s.len() + 2);
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
    Ok(())
}

/// `"name":`, after a comma unless it is the first member of the object whose members begin at
/// `first` in `out`.
pub(super) fn write_name(out: &mut Vec<u8>, first: usize, name: &[u8]) {
    if out.len() > first {
        out.push(b',');
    }
    out.push(b'"');
    out.extend_from_slice(name);
    out.extend_from_slice(b"\":");
}

/// Appends valid JSON to `out` without its whitespace outside strings, and counts its numbers.
/// Every cut is at an ASCII byte, so the pieces copied are whole characters.
#[cfg(test)]
pub(crate) fn push_minified(out: &mut Vec<u8>, json: &[u8]) -> usize {
    push_minified_checked(out, json, 0).0
}

/// `push_minified` of a value `level` arrays and objects deep, also finding in the same pass what
/// would make a finding holding it unreadable (as the scanner does, `scan::Defect`): nesting
/// deeper than `scan::FINDING_DEPTH`, a number beyond f64.
pub(crate) fn push_minified_checked(out: &mut Vec<u8>, json: &[u8], level: usize) -> (usize, Option<Defect>) {
    let mut numbers = 0;
    let mut run = 0;
    let mut i = 0;
    let (mut depth, mut deepest) = (level, level);
    let mut defect = None;
    while i < json.len() {
        match json[i] {
            b'"' => {
                i += 1;
                while let Some(p) = memchr::memchr2(b'"', b'\\', &json[i..]) {
                    i += p;
                    if json[i] == b'\\' {
                        i += 2;
                    } else {
                        i += 1;
                        break;
                    }
                }
            }
            b' ' | b'\n' | b'\r' | b'\t' => {
                out.extend_from_slice(&json[run..i]);
                i += 1;
                run = i;
            }
            b'-' | b'0'..=b'9' => {
                // A number, read to its end (valid JSON: nothing else follows a number's first byte).
                numbers += 1;
                let end = json[i..]
                    .iter()
                    .position(|b| !matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                    .map_or(json.len(), |p| i + p);
                let number = &json[i..end];
                if (number.len() > SAFE_NUMBER_LEN || number.iter().any(|b| matches!(b, b'e' | b'E')))
                    && defect.is_none()
                    && serde_json::from_slice::<serde_json::Number>(number).is_err()
                {
                    let shown = String::from_utf8_lossy(&number[..number.len().min(40)]).into_owned();
                    let shown = if number.len() > 40 { format!("{shown}...") } else { shown };
                    defect = Some(Defect::OutOfRange(shown));
                }
                i = end;
            }
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
                i += 1;
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ => i += 1,
        }
    }
    out.extend_from_slice(&json[run.min(json.len())..]);
    if deepest > FINDING_DEPTH {
        defect = Some(Defect::TooDeep);
    }
    (numbers, defect)
}

/// Numbers of up to this many characters without an exponent are within f64's range.
const SAFE_NUMBER_LEN: usize = 300;
