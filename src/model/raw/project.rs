//! The parsed part of the members kept as text that the rules read into: each resource's Type
//! and Id, Compliance's Status and SecurityControlId, and the members of ProductFields that name a
//! control (`RESOURCE_MEMBERS`, `picked_members`). The scanner's way (`copy_projected` while copying, `scan_resources` and
//! `scan_object` from a copy) and serde_json's (`project_resources`, `project_object`) for the
//! shapes the scanner leaves to it.

use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::read::{Key, ObjectOr, ObjectReader};
use super::write::write_name;
use super::{picked_members, RESOURCES, RESOURCE_MEMBERS};
use crate::model::scan::Scanner;

/// Resources (an array of objects), or Compliance or ProductFields (an object), copied as `copy_value` copies it, and
/// projected as `scan_resources` or `scan_object` would project the copy, in the same pass: reading
/// them again was ~4% of a bulk import's instructions. Also returns the numbers copied. `None` for
/// another member, or another shape (which the caller reads the other way); `s` and `out` are then
/// left part way.
pub(super) fn copy_projected(s: &mut Scanner<'_>, out: &mut Vec<u8>, key: &str) -> Option<(Value, usize)> {
    let mut numbers = 0;
    let projected = match key {
        RESOURCES => {
            let mut resources = Vec::new();
            out.push(b'[');
            let first = out.len();
            s.array(|s| {
                if out.len() > first {
                    out.push(b',');
                }
                resources.push(copy_picking(s, out, RESOURCE_MEMBERS, &mut numbers)?);
                Some(())
            })?;
            out.push(b']');
            Value::Array(resources)
        }
        _ => copy_picking(s, out, picked_members(key)?, &mut numbers)?,
    };
    Some((projected, numbers))
}

/// The object at `s.pos`, copied into `out` as `copy_value` copies it (its count of numbers added to
/// `numbers`), and `scan_pick` of that copy: only the `members` named, each parsed from its copy.
fn copy_picking(s: &mut Scanner<'_>, out: &mut Vec<u8>, members: &[&str], numbers: &mut usize) -> Option<Value> {
    if s.peek()? != b'{' {
        return None;
    }
    let mut picked = Map::new();
    out.push(b'{');
    let first = out.len();
    s.object(|s, name| {
        write_name(out, first, name.as_bytes());
        let start = out.len();
        *numbers += s.copy_value(out)?;
        if members.contains(&name) {
            let copy = std::str::from_utf8(&out[start..]).ok()?;
            picked.insert(name.to_string(), Scanner::new(copy, 0).parse_value()?);
        }
        Some(())
    })?;
    out.push(b'}');
    Some(Value::Object(picked))
}

/// Resources as the rules see them: each resource object with only its Type and Id; anything
/// else (not an array, an element not an object) in full, for validation to refuse.
pub(super) fn project_resources(json: &[u8]) -> serde_json::Result<Value> {
    struct Resources;
    impl<'de> Visitor<'de> for Resources {
        type Value = Value;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("Resources")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut out = Vec::new();
            while let Some(v) = seq.next_element_seed(ResourceSeed)? {
                out.push(v);
            }
            Ok(Value::Array(out))
        }
    }
    struct ResourceSeed;
    impl<'de> serde::de::DeserializeSeed<'de> for ResourceSeed {
        type Value = Value;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            d.deserialize_any(ObjectOr(Pick(RESOURCE_MEMBERS)))
        }
    }
    if json.first() == Some(&b'[') {
        let mut de = serde_json::Deserializer::from_slice(json);
        (&mut de).deserialize_seq(Resources)
    } else {
        serde_json::from_slice(json)
    }
}

/// `project_resources` with the scanner, for the usual shape (an array of objects whose member
/// names have no escapes); `None` for any other, which `project_resources` reads.
pub(super) fn scan_resources(json: &[u8]) -> Option<Value> {
    let text = std::str::from_utf8(json).ok()?;
    let mut s = Scanner::new(text, 0);
    let mut out = Vec::new();
    s.array(|s| {
        out.push(scan_pick(s, RESOURCE_MEMBERS)?);
        Some(())
    })?;
    (s.pos == text.len()).then_some(Value::Array(out))
}

/// `project_object(json, members)` with the scanner, for an object whose member names have no
/// escapes; `None` for anything else, which `project_object` reads.
pub(super) fn scan_object(json: &[u8], members: &[&str]) -> Option<Value> {
    let text = std::str::from_utf8(json).ok()?;
    let mut s = Scanner::new(text, 0);
    let v = scan_pick(&mut s, members)?;
    (s.pos == text.len()).then_some(v)
}

/// `Pick` with the scanner: the object at `s.pos` in compact text, with only the `members` named,
/// each parsed by serde_json.
fn scan_pick(s: &mut Scanner<'_>, members: &[&str]) -> Option<Value> {
    let mut out = Map::new();
    s.object(|s, name| {
        if members.contains(&name) {
            out.insert(name.to_string(), s.parse_value()?);
        } else {
            s.skip_value()?;
        }
        Some(())
    })?;
    Some(Value::Object(out))
}

/// A member's value (compact JSON text) as the rules see it: an object with only the `members`
/// named (a name sent twice takes its last value), anything else whole.
pub(super) fn project_object(json: &[u8], members: &'static [&'static str]) -> serde_json::Result<Value> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let v = (&mut de).deserialize_any(ObjectOr(Pick(members)))?;
    de.end()?;
    Ok(v)
}

/// Reads an object keeping only the members named; anything else is kept whole.
struct Pick(&'static [&'static str]);

impl<'de> ObjectReader<'de> for Pick {
    type Out = Value;
    const EXPECTING: &'static str = "a JSON value";
    fn read<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let name = key.as_str();
            if self.0.contains(&name) {
                out.insert(name.to_string(), map.next_value()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Value::Object(out))
    }
    fn other(v: Value) -> Value {
        v
    }
}
