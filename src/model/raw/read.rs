//! Reading a finding object's text into a `RawFinding`, in one pass, two ways: by serde_json's
//! deserializer (`Incoming`'s `Deserialize`, `FindingReader`) and by the scanner (`scan_finding`,
//! the fast path for files). Both hand each member to one `Builder`, so they keep the same text
//! and parse the same members. Also the serde visitor shared with `project` (`ObjectOr`, `Key`).

use std::ops::Range;

use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::project::{copy_projected, project_object, project_resources, scan_object, scan_resources};
use super::{
    is_parsed, picked_members, push_minified_checked, Incoming, Kind, Member, RawFinding, MAX_NUMBER_LEN, RESOURCES,
};
use crate::model::finding::encoded_len_bound;
use crate::model::scan::{Defect, Scanner};

/// A finding in a file, read in one pass: an object is read as a `RawFinding` (which borrows each
/// member kept as text from the file's text, so the deserializer must read from a slice or str);
/// anything else is kept as a `Value` (and refused by the reader).
impl<'de> Deserialize<'de> for Incoming {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Incoming, D::Error> {
        d.deserialize_any(ObjectOr(FindingReader { contained: false }))
    }
}

/// A finding of a request or a file, read as `Incoming`'s `Deserialize` reads it, but with what
/// serde_json could not read back contained in the finding: a member the rules parse that is
/// nested too deeply or holds a number beyond f64 is kept as a defect of that finding
/// (`RawFinding::defect`, refused alone on import), as the scanner keeps it, instead of failing
/// the whole text. (Members kept as text are checked as they are copied, in either reading.)
pub struct ContainedFinding;

impl<'de> serde::de::DeserializeSeed<'de> for ContainedFinding {
    type Value = Incoming;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Incoming, D::Error> {
        d.deserialize_any(ObjectOr(FindingReader { contained: true }))
    }
}

/// How `ObjectOr` reads a JSON object; any other JSON value becomes `other(value)`.
pub(super) trait ObjectReader<'de> {
    type Out;
    const EXPECTING: &'static str;
    fn read<A: MapAccess<'de>>(self, map: A) -> Result<Self::Out, A::Error>;
    fn other(v: Value) -> Self::Out;
}

/// A visitor that reads an object its own way (`ObjectReader`) and keeps anything else as a `Value`.
pub(super) struct ObjectOr<R>(pub(super) R);

impl<'de, R: ObjectReader<'de>> Visitor<'de> for ObjectOr<R> {
    type Value = R::Out;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(R::EXPECTING)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<R::Out, A::Error> {
        self.0.read(map)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<R::Out, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element::<Value>()? {
            out.push(v);
        }
        Ok(R::other(Value::Array(out)))
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<R::Out, E> {
        Ok(R::other(Value::Bool(v)))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<R::Out, E> {
        Ok(R::other(Value::from(v)))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<R::Out, E> {
        Ok(R::other(Value::from(v)))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<R::Out, E> {
        Ok(R::other(Value::from(v)))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<R::Out, E> {
        Ok(R::other(Value::from(v)))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<R::Out, E> {
        Ok(R::other(Value::Null))
    }
}

struct FindingReader {
    /// A member the rules parse is read as text first and parsed by the scanner (`ContainedFinding`).
    contained: bool,
}

impl<'de> ObjectReader<'de> for FindingReader {
    type Out = Incoming;
    const EXPECTING: &'static str = "a finding (a JSON object)";

    fn read<A: MapAccess<'de>>(self, mut map: A) -> Result<Incoming, A::Error> {
        let mut finding = Builder::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let escaped = matches!(key, Key::Escaped(_));
            let key = key.as_str();
            let name = finding.name(key, escaped);
            if is_parsed(key) && self.contained {
                let raw: &'de RawValue = map.next_value()?;
                // The finding is level 1: its members' values begin at level 1.
                let mut s = Scanner::within(raw.get(), 1);
                let value = match s.parse_value() {
                    Some(v) => v,
                    // The text is valid JSON (serde_json read it): not reached.
                    None => serde_json::from_str(raw.get()).map_err(serde::de::Error::custom)?,
                };
                finding.refuse(key, s.take_defect().map(|d| d.located(raw.get(), 0)));
                finding.parsed(name, key, value);
            } else if is_parsed(key) {
                finding.parsed(name, key, map.next_value()?);
            } else {
                let raw: &'de RawValue = map.next_value()?;
                let start = finding.text.len();
                // The finding is level 1: its members' values begin at level 1.
                let (numbers, mut defect) = push_minified_checked(&mut finding.text, raw.get().as_bytes(), 1);
                // A name sent twice, which only a reading of the structure finds (on the text as
                // sent, so the path is found in it).
                if self.contained && defect.is_none() && matches!(raw.get().as_bytes().first(), Some(b'{' | b'[')) {
                    let mut s = Scanner::within(raw.get(), 1);
                    if s.skip_value().is_some() {
                        defect = s.take_defect().map(|d| d.located(raw.get(), 0));
                    }
                }
                finding.refuse(key, defect);
                finding.kept(name, key, start, numbers, None).map_err(serde::de::Error::custom)?;
            }
        }
        Ok(finding.finish())
    }

    fn other(v: Value) -> Incoming {
        Incoming::Value(v)
    }
}

/// A `RawFinding` as its members are read, by serde_json (`FindingReader`) or the scanner
/// (`scan_finding`).
struct Builder {
    text: Vec<u8>,
    members: Vec<Member>,
    view: Map<String, Value>,
    size_bound: usize,
    odd: bool,
    /// The names' hashes: a name sent twice is found by them first (a finding has a few dozen).
    hashes: Vec<u64>,
    /// Why the finding could not be read back if stored (`RawFinding::defect`).
    defect: Option<String>,
    /// The first member kept as text that is `null` (`RawFinding::null_member`).
    null_member: Option<String>,
}

thread_local! {
    /// The text the last finding read on this thread kept: the next one's is allocated that large
    /// and a little more. Findings in a file are alike in size, and a finding waits in memory until
    /// its group is imported: text allocated much larger than it needs (4 KB for ~2.5 KB) made up
    /// a tenth of an import's memory, each page of it faulted in and zeroed by the kernel.
    static TEXT_HINT: std::cell::Cell<usize> = const { std::cell::Cell::new(1024) };
}

impl Builder {
    fn new() -> Builder {
        Builder {
            text: Vec::with_capacity(TEXT_HINT.with(std::cell::Cell::get)),
            members: Vec::with_capacity(40),
            // Allocated with room for every parsed member by the first (`view_insert`).
            view: Map::new(),
            size_bound: 2,
            odd: false,
            hashes: Vec::with_capacity(40),
            defect: None,
            null_member: None,
        }
    }

    /// Keeps the first defect found, naming the member it is in.
    fn refuse(&mut self, key: &str, defect: Option<Defect>) {
        if let (None, Some(d)) = (&self.defect, defect) {
            self.defect = Some(d.describe(key));
        }
    }

    /// A member's name (decoded; `escaped` if it was written with escapes): where it is in the text.
    fn name(&mut self, key: &str, escaped: bool) -> Range<usize> {
        let hash = crate::model::fnv1a(key.as_bytes());
        let twice =
            self.hashes.contains(&hash) && self.members.iter().any(|m| &self.text[m.key.clone()] == key.as_bytes());
        if escaped || twice {
            self.odd = true;
        }
        // serde_json keeps a name's last value silently: which one the provider meant is unknown.
        if twice && self.defect.is_none() {
            self.defect = Some(format!("duplicate member \"{}\"", crate::model::sanitize::line(key)));
        }
        self.hashes.push(hash);
        let name = self.text.len()..self.text.len() + key.len();
        self.text.extend_from_slice(key.as_bytes());
        // Quotes, colon and comma; an escaped name may be written longer than it was decoded.
        self.size_bound += 4 + if escaped { 6 * key.len() } else { key.len() };
        name
    }

    /// A member parsed in full (`is_parsed`).
    fn parsed(&mut self, name: Range<usize>, key: &str, v: Value) {
        self.size_bound += encoded_len_bound(&v);
        self.view_insert(key, v);
        self.members.push(Member { key: name, value: 0..0, kind: Kind::Parsed });
    }

    /// A member kept as text: its value (without whitespace, holding `numbers` numbers) has just
    /// been appended to the text at `start`. Resources, Compliance and ProductFields are also projected.
    fn kept(
        &mut self,
        name: Range<usize>,
        key: &str,
        start: usize,
        numbers: usize,
        projected: Option<Value>,
    ) -> serde_json::Result<()> {
        self.size_bound += self.text.len() - start + MAX_NUMBER_LEN * numbers;
        let value = &self.text[start..];
        let projected = match (projected, key) {
            (Some(v), _) => Some(v),
            (None, RESOURCES) => Some(scan_resources(value).map_or_else(|| project_resources(value), Ok)?),
            (None, _) => match picked_members(key) {
                Some(members) => Some(scan_object(value, members).map_or_else(|| project_object(value, members), Ok)?),
                None => None,
            },
        };
        let kind = match projected {
            Some(v) => {
                self.view_insert(key, v);
                Kind::Projected
            }
            None => {
                if value == b"null" && self.null_member.is_none() {
                    self.null_member = Some(key.to_string());
                }
                Kind::Opaque
            }
        };
        self.members.push(Member { key: name, value: start..self.text.len(), kind });
        Ok(())
    }

    /// Adds a member to the view. The map is made with room for every parsed member, so it is
    /// not grown (and rehashed) as it fills, but only when a member is: an OCSF finding has none
    /// of ASFF's, and its empty view is dropped at once.
    fn view_insert(&mut self, key: &str, v: Value) {
        if self.view.is_empty() {
            self.view = Map::with_capacity(32);
        }
        self.view.insert(key.to_string(), v);
    }

    fn finish(self) -> Incoming {
        let Builder { text, members, view, size_bound, odd, defect, null_member, .. } = self;
        TEXT_HINT.with(|hint| hint.set(text.len() + text.len() / 8 + 64));
        Incoming::from(RawFinding { text, members, view: Value::Object(view), size_bound, odd, defect, null_member })
    }
}

/// `FindingReader` without serde_json's deserializer (`model::scan`): the finding object at `pos`
/// in `text` (a `{`), read as `FindingReader` reads it, and the position after it. `None` when the
/// text there is not valid JSON, or has what only serde_json's path handles (an escaped member name,
/// a control character in a string): the caller then reads it that way, for its error. Valid JSON
/// that could not be read back once stored (`scan::Defect`) is read, the defect kept on the finding.
pub fn scan_finding(text: &str, pos: usize) -> Option<(Incoming, usize)> {
    let mut s = Scanner::new(text, pos);
    let mut finding = Builder::new();
    s.object(|s, key| {
        let name = finding.name(key, false);
        let from = s.pos;
        if is_parsed(key) {
            finding.parsed(name, key, s.parse_value()?);
        } else {
            let start = finding.text.len();
            if let Some((projected, numbers)) = copy_projected(s, &mut finding.text, key) {
                finding.kept(name, key, start, numbers, Some(projected)).ok()?;
                finding.refuse(key, s.take_defect().map(|d| d.located(text, from)));
                return Some(());
            }
            // Whatever the partial reading found is found again.
            s.take_defect();
            // Not a projected member, or not of the shape `copy_projected` reads.
            finding.text.truncate(start);
            s.pos = from;
            let numbers = s.copy_value(&mut finding.text)?;
            finding.kept(name, key, start, numbers, None).ok()?;
        }
        finding.refuse(key, s.take_defect().map(|d| d.located(text, from)));
        Some(())
    })?;
    Some((finding.finish(), s.pos))
}

/// A member name as it is in the text, or (when it has escapes) decoded.
pub(super) enum Key<'de> {
    Text(&'de str),
    Escaped(String),
}

impl Key<'_> {
    pub(super) fn as_str(&self) -> &str {
        match self {
            Key::Text(k) => k,
            Key::Escaped(k) => k,
        }
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key<'de>, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, k: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Text(k))
            }
            fn visit_str<E: serde::de::Error>(self, k: &str) -> Result<Key<'de>, E> {
                Ok(Key::Escaped(k.to_string()))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}
