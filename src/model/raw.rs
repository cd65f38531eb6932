//! A finding as a provider sent it, kept as JSON text, with only the members the import rules read
//! parsed. Building a `serde_json::Value` of a whole finding (every string and map allocated) and
//! serialising it again was most of what a bulk import cost; most of a finding's bytes (resource
//! details, product fields, remediation, network and process data...) are members no rule looks
//! into. `Incoming::create` imports a new finding from the parsed members and splices the others
//! into the stored document as they were sent, so the document has exactly the members and values
//! the whole-`Value` path gives it (`tests::raw_and_parsed_findings_are_created_alike`).

use std::ops::Range;

use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::finding::{encoded_len, encoded_len_bound};
use super::import::{create, AutoChange};
use super::scan::Scanner;

/// The top-level members parsed in full: every member that `finding::validate_asff`,
/// `import::create`, `finding::Summary::of`, `FindingKey::of` and the access check read or write.
/// A rule that reads another member must add it here; should one write a member that is not here,
/// the splice notices and the whole finding is parsed instead.
pub(crate) fn is_parsed(key: &str) -> bool {
    matches!(
        key,
        "SchemaVersion"
            | "Id"
            | "ProductArn"
            | "GeneratorId"
            | "AwsAccountId"
            | "AwsAccountName"
            | "Title"
            | "Description"
            | "CreatedAt"
            | "UpdatedAt"
            | "FirstObservedAt"
            | "LastObservedAt"
            | "ProcessedAt"
            | "Region"
            | "CompanyName"
            | "ProductName"
            | "Severity"
            | "FindingProviderFields"
            | "Workflow"
            | "WorkflowState"
            | "RecordState"
            | "VerificationState"
            | "Confidence"
            | "Criticality"
            | "Types"
            | "RelatedFindings"
            | "Note"
            | "UserDefinedFields"
    )
}

/// Resources is read only for each resource's Type and Id (validation, the summary's first
/// resource): those are parsed, the rest of each resource is kept as text. No rule writes it.
const RESOURCES: &str = "Resources";
const RESOURCE_MEMBERS: &[&str] = &["Type", "Id"];

/// Compliance is read only for its Status (validation, the summary, the automatic workflow
/// changes) and SecurityControlId (the summary): those are parsed, the rest (associated standards,
/// requirements, status reasons, parameters: often most of it) is kept as text. No rule writes it.
const COMPLIANCE: &str = "Compliance";
const COMPLIANCE_MEMBERS: &[&str] = &["Status", "SecurityControlId"];

/// serde_json writes at most this many characters for a number (as `finding::encoded_len_bound`).
const MAX_NUMBER_LEN: usize = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Parsed in full: the value is in the view only.
    Parsed,
    /// Resources: parsed in part (in the view), and kept as text.
    Projected,
    /// Kept as text only.
    Opaque,
}

#[derive(Debug, Clone)]
struct Member {
    /// Where the name (decoded) is in `text`.
    key: Range<usize>,
    /// Where the value is in `text`; empty for a parsed member.
    value: Range<usize>,
    kind: Kind,
}

/// A finding object read from JSON text in one pass: the members the rules read are parsed (the
/// view), the others are kept as their text, whitespace outside strings removed.
#[derive(Debug, Clone)]
pub struct RawFinding {
    /// Each member's name, and the value of each member kept as text, one after the other.
    text: Vec<u8>,
    /// The members in the order sent.
    members: Vec<Member>,
    /// The parsed members (Resources projected to each resource's Type and Id).
    view: Value,
    /// At least the finding's serialised size (`finding::encoded_len`).
    size_bound: usize,
    /// A member name appears twice (only the whole-`Value` path knows which value counts), or has
    /// an escape in it: the finding is created from its whole `Value`, not spliced.
    odd: bool,
}

/// A finding of a BatchImportFindings call: parsed in full (the API and the server get it that
/// way) or as read from a file (`RawFinding`).
#[derive(Debug, Clone)]
pub enum Incoming {
    Value(Value),
    Raw(Box<RawFinding>),
}

impl From<Value> for Incoming {
    fn from(v: Value) -> Incoming {
        Incoming::Value(v)
    }
}

impl From<RawFinding> for Incoming {
    fn from(r: RawFinding) -> Incoming {
        Incoming::Raw(Box::new(r))
    }
}

impl Incoming {
    /// The finding as the rules that check it see it: for a raw finding, its parsed members (with
    /// each resource's Type and Id). Validation, the key, the account and the Id read this.
    pub fn view(&self) -> &Value {
        match self {
            Incoming::Value(v) => v,
            Incoming::Raw(r) => &r.view,
        }
    }

    /// At least the finding's serialised size (`finding::encoded_len`); exact only near a limit is
    /// measured with `exact_size`.
    pub fn size_bound(&self) -> usize {
        match self {
            Incoming::Value(v) => encoded_len_bound(v),
            Incoming::Raw(r) => r.size_bound,
        }
    }

    /// The finding's serialised size, as `finding::encoded_len` of its `Value`.
    pub fn exact_size(&self) -> usize {
        match self {
            Incoming::Value(v) => encoded_len(v),
            Incoming::Raw(r) => r.to_value().map_or(r.size_bound, |v| encoded_len(&v)),
        }
    }

    /// The whole finding.
    pub fn into_value(self) -> serde_json::Result<Value> {
        match self {
            Incoming::Value(v) => Ok(v),
            Incoming::Raw(r) => r.to_value(),
        }
    }

    /// Imports the finding as a new one (`import::create`): the document, its
    /// compact JSON text (written into `json`), and Security Hub's automatic workflow change.
    pub fn create(self, now: OffsetDateTime, json: &mut Vec<u8>) -> serde_json::Result<(Value, Option<AutoChange>)> {
        let raw = match self {
            Incoming::Value(v) => return created(v, now, json),
            Incoming::Raw(r) if r.odd => return created(r.to_value()?, now, json),
            Incoming::Raw(r) => r,
        };
        let RawFinding { text, members, view, .. } = *raw;
        let (doc, auto) = create(view, now);
        splice(&text, &members, &doc, json)?;
        Ok((doc, auto))
    }
}

/// A stored document read for a BatchUpdateFindings change: like an imported finding, only the
/// members the rules read are parsed (`view_mut`), the others stay text and are spliced back by
/// `write`. The update rules only add members and change parsed ones
/// (`tests::the_update_rules_write_only_parsed_members`). Reading and writing a whole `Value` was
/// most of what an update cost.
pub struct StoredDoc(Incoming);

impl StoredDoc {
    /// Reads a stored document's JSON text.
    pub fn parse(json: &[u8]) -> serde_json::Result<StoredDoc> {
        Ok(StoredDoc(match serde_json::from_slice::<Incoming>(json)? {
            Incoming::Raw(r) if r.odd => Incoming::Value(r.to_value()?),
            other => other,
        }))
    }

    /// The parsed members (each resource's Type and Id only): what the summary and the update
    /// rules read and write.
    pub fn view(&self) -> &Value {
        self.0.view()
    }

    pub fn view_mut(&mut self) -> &mut Value {
        match &mut self.0 {
            Incoming::Value(v) => v,
            Incoming::Raw(r) => &mut r.view,
        }
    }

    /// The whole document's compact JSON text, with the changes made through `view_mut`.
    pub fn write(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        match &self.0 {
            Incoming::Value(v) => {
                out.clear();
                write_compact(out, v)
            }
            Incoming::Raw(r) => splice(&r.text, &r.members, &r.view, out),
        }
    }
}

fn created(v: Value, now: OffsetDateTime, json: &mut Vec<u8>) -> serde_json::Result<(Value, Option<AutoChange>)> {
    let (doc, auto) = create(v, now);
    json.clear();
    write_compact(json, &doc)?;
    Ok((doc, auto))
}

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
fn splice(text: &[u8], members: &[Member], doc: &Value, out: &mut Vec<u8>) -> serde_json::Result<()> {
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
fn write_compact(out: &mut Vec<u8>, v: &Value) -> serde_json::Result<()> {
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
fn write_name(out: &mut Vec<u8>, first: usize, name: &[u8]) {
    if out.len() > first {
        out.push(b',');
    }
    out.push(b'"');
    out.extend_from_slice(name);
    out.extend_from_slice(b"\":");
}

impl RawFinding {
    /// The whole finding, as serde_json would have parsed its text: members in the order first
    /// sent, a name sent twice taking its last value.
    fn to_value(&self) -> serde_json::Result<Value> {
        let mut whole = Map::with_capacity(self.members.len());
        for m in &self.members {
            let key = std::str::from_utf8(&self.text[m.key.clone()]).map_err(serde::de::Error::custom)?;
            let value = match m.kind {
                Kind::Parsed => self.view.get(key).cloned().unwrap_or(Value::Null),
                Kind::Projected | Kind::Opaque => serde_json::from_slice(&self.text[m.value.clone()])?,
            };
            whole.insert(key.to_string(), value);
        }
        Ok(Value::Object(whole))
    }
}

/// A finding in a file, read in one pass: an object is read as a `RawFinding` (which borrows each
/// member kept as text from the file's text, so the deserializer must read from a slice or str);
/// anything else is kept as a `Value` (and refused by the reader).
impl<'de> Deserialize<'de> for Incoming {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Incoming, D::Error> {
        d.deserialize_any(ObjectOr(FindingReader))
    }
}

/// How `ObjectOr` reads a JSON object; any other JSON value becomes `other(value)`.
trait ObjectReader<'de> {
    type Out;
    const EXPECTING: &'static str;
    fn read<A: MapAccess<'de>>(self, map: A) -> Result<Self::Out, A::Error>;
    fn other(v: Value) -> Self::Out;
}

/// A visitor that reads an object its own way (`ObjectReader`) and keeps anything else as a `Value`.
struct ObjectOr<R>(R);

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

struct FindingReader;

impl<'de> ObjectReader<'de> for FindingReader {
    type Out = Incoming;
    const EXPECTING: &'static str = "a finding (a JSON object)";

    fn read<A: MapAccess<'de>>(self, mut map: A) -> Result<Incoming, A::Error> {
        let mut finding = Builder::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let escaped = matches!(key, Key::Escaped(_));
            let key = key.as_str();
            let name = finding.name(key, escaped);
            if is_parsed(key) {
                finding.parsed(name, key, map.next_value()?);
            } else {
                let raw: &'de RawValue = map.next_value()?;
                let start = finding.text.len();
                let numbers = push_minified(&mut finding.text, raw.get().as_bytes());
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
            // Room for every parsed member, so the map is not grown (and rehashed) as it fills.
            view: Map::with_capacity(32),
            size_bound: 2,
            odd: false,
            hashes: Vec::with_capacity(40),
        }
    }

    /// A member's name (decoded; `escaped` if it was written with escapes): where it is in the text.
    fn name(&mut self, key: &str, escaped: bool) -> Range<usize> {
        let hash = super::fnv1a(key.as_bytes());
        if escaped
            || (self.hashes.contains(&hash) && self.members.iter().any(|m| &self.text[m.key.clone()] == key.as_bytes()))
        {
            self.odd = true;
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
        self.view.insert(key.to_string(), v);
        self.members.push(Member { key: name, value: 0..0, kind: Kind::Parsed });
    }

    /// A member kept as text: its value (without whitespace, holding `numbers` numbers) has just
    /// been appended to the text at `start`. Resources and Compliance are also projected.
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
            (None, COMPLIANCE) => {
                Some(scan_object(value).map_or_else(|| project_object(value, COMPLIANCE_MEMBERS), Ok)?)
            }
            (None, _) => None,
        };
        let kind = match projected {
            Some(v) => {
                self.view.insert(key.to_string(), v);
                Kind::Projected
            }
            None => Kind::Opaque,
        };
        self.members.push(Member { key: name, value: start..self.text.len(), kind });
        Ok(())
    }

    fn finish(self) -> Incoming {
        let Builder { text, members, view, size_bound, odd, .. } = self;
        TEXT_HINT.with(|hint| hint.set(text.len() + text.len() / 8 + 64));
        Incoming::from(RawFinding { text, members, view: Value::Object(view), size_bound, odd })
    }
}

/// `FindingReader` without serde_json's deserializer (`model::scan`): the finding object at `pos`
/// in `text` (a `{`), read as `FindingReader` reads it, and the position after it. `None` when the
/// text there is not valid JSON, or has what only serde_json's path handles (an escaped member name,
/// a parsed member serde_json refuses): the caller then reads it that way, for its error.
pub fn scan_finding(text: &str, pos: usize) -> Option<(Incoming, usize)> {
    let mut s = Scanner::new(text, pos);
    let mut finding = Builder::new();
    s.object(|s, key| {
        let name = finding.name(key, false);
        if is_parsed(key) {
            finding.parsed(name, key, s.parse_value()?);
        } else {
            let (start, from) = (finding.text.len(), s.pos);
            if let Some((projected, numbers)) = copy_projected(s, &mut finding.text, key) {
                finding.kept(name, key, start, numbers, Some(projected)).ok()?;
                return Some(());
            }
            // Not Resources or Compliance, or not of the shape `copy_projected` reads.
            finding.text.truncate(start);
            s.pos = from;
            let numbers = s.copy_value(&mut finding.text)?;
            finding.kept(name, key, start, numbers, None).ok()?;
        }
        Some(())
    })?;
    Some((finding.finish(), s.pos))
}

/// Resources (an array of objects) or Compliance (an object) copied as `copy_value` copies it, and
/// projected as `scan_resources` or `scan_object` would project the copy, in the same pass: reading
/// them again was ~4% of a bulk import's instructions. Also returns the numbers copied. `None` for
/// another member, or another shape (which the caller reads the other way); `s` and `out` are then
/// left part way.
fn copy_projected(s: &mut Scanner<'_>, out: &mut Vec<u8>, key: &str) -> Option<(Value, usize)> {
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
        COMPLIANCE => copy_picking(s, out, COMPLIANCE_MEMBERS, &mut numbers)?,
        _ => return None,
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

/// Appends valid JSON to `out` without its whitespace outside strings, and counts its numbers.
/// Every cut is at an ASCII byte, so the pieces copied are whole characters.
pub(crate) fn push_minified(out: &mut Vec<u8>, json: &[u8]) -> usize {
    let mut numbers = 0;
    let mut run = 0;
    let mut i = 0;
    // The byte before `i` in the output (whitespace is never copied).
    let mut previous = b' ';
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
                previous = b'"';
            }
            b' ' | b'\n' | b'\r' | b'\t' => {
                out.extend_from_slice(&json[run..i]);
                i += 1;
                run = i;
            }
            b => {
                if matches!(b, b'-' | b'0'..=b'9')
                    && !matches!(previous, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    numbers += 1;
                }
                previous = b;
                i += 1;
            }
        }
    }
    out.extend_from_slice(&json[run.min(json.len())..]);
    numbers
}

/// A member name as it is in the text, or (when it has escapes) decoded.
enum Key<'de> {
    Text(&'de str),
    Escaped(String),
}

impl Key<'_> {
    fn as_str(&self) -> &str {
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

/// Resources as the rules see them: each resource object with only its Type and Id; anything
/// else (not an array, an element not an object) in full, for validation to refuse.
fn project_resources(json: &[u8]) -> serde_json::Result<Value> {
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
fn scan_resources(json: &[u8]) -> Option<Value> {
    let text = std::str::from_utf8(json).ok()?;
    let mut s = Scanner::new(text, 0);
    let mut out = Vec::new();
    s.array(|s| {
        out.push(scan_pick(s, RESOURCE_MEMBERS)?);
        Some(())
    })?;
    (s.pos == text.len()).then_some(Value::Array(out))
}

/// `project_object(json, COMPLIANCE_MEMBERS)` with the scanner, for an object whose member names
/// have no escapes; `None` for anything else, which `project_object` reads.
fn scan_object(json: &[u8]) -> Option<Value> {
    let text = std::str::from_utf8(json).ok()?;
    let mut s = Scanner::new(text, 0);
    let v = scan_pick(&mut s, COMPLIANCE_MEMBERS)?;
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
fn project_object(json: &[u8], members: &'static [&'static str]) -> serde_json::Result<Value> {
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

#[cfg(test)]
mod tests;
