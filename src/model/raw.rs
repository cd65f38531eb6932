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

/// The top-level members parsed in full: every member that `finding::validate_asff`,
/// `import::create`, `finding::Summary::of`, `FindingKey::of` and the access check read or write.
/// A rule that reads another member must add it here; should one write a member that is not here,
/// the splice notices and the whole finding is parsed instead.
fn is_parsed(key: &str) -> bool {
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
            | "Compliance"
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
const RESOURCE_MEMBERS: [&str; 2] = ["Type", "Id"];

/// serde_json writes at most this many characters for a number (as `finding::encoded_len_bound`).
const MAX_NUMBER_LEN: usize = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Parsed,
    /// Resources: parsed in part, kept as text.
    Projected,
    Opaque,
}

#[derive(Debug, Clone)]
struct Member {
    /// Where the name (without its quotes; it has no escapes) and the value are in the text.
    key: Range<usize>,
    value: Range<usize>,
    kind: Kind,
}

/// A finding object as JSON text (whitespace outside strings removed) and its members.
#[derive(Debug, Clone)]
pub struct RawFinding {
    text: Vec<u8>,
    members: Vec<Member>,
    /// The parsed members (Resources projected to each resource's Type and Id), in the order sent.
    view: Value,
    /// How many numbers the text holds: serde_json may write one longer than it was sent (`1e2`
    /// becomes `100.0`), which `size_bound` allows for.
    numbers: usize,
    /// A member name appears twice (only the whole-`Value` path knows which value counts), or has
    /// an escape in it: the whole-`Value` path takes the finding.
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
            Incoming::Raw(r) => r.text.len() + MAX_NUMBER_LEN * r.numbers,
        }
    }

    /// The finding's serialised size, as `finding::encoded_len` of its `Value`.
    pub fn exact_size(&self) -> usize {
        match self {
            Incoming::Value(v) => encoded_len(v),
            Incoming::Raw(r) => r.to_value().map_or(r.text.len(), |v| encoded_len(&v)),
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
        // No rule writes Resources: the splice checks that with this small copy (each Type and Id).
        let resources = view.get(RESOURCES).cloned();
        let (doc, auto) = create(view, now);
        if splice(&text, &members, &doc, resources.as_ref(), json)? {
            return Ok((doc, auto));
        }
        // A rule wrote a member that was kept as text: parse the whole finding after all.
        let whole = serde_json::from_slice(&text)?;
        created(whole, now, json)
    }
}

fn created(v: Value, now: OffsetDateTime, json: &mut Vec<u8>) -> serde_json::Result<(Value, Option<AutoChange>)> {
    let (doc, auto) = create(v, now);
    json.clear();
    serde_json::to_writer(&mut *json, &doc)?;
    Ok((doc, auto))
}

/// Writes the document `doc` (the parsed members after the rules) with the members kept as text
/// spliced in where they were sent, and the members the rules added at the end, as serde_json
/// orders an object's new members. False when the rules touched a member kept as text.
fn splice(
    text: &[u8],
    members: &[Member],
    doc: &Value,
    resources: Option<&Value>,
    out: &mut Vec<u8>,
) -> serde_json::Result<bool> {
    let Some(doc) = doc.as_object() else { return Ok(false) };
    // Member names in the text have no escapes (`Key`), so they are their own JSON.
    let name = |m: &Member| std::str::from_utf8(&text[m.key.clone()]).unwrap_or_default();
    out.clear();
    out.push(b'{');
    for m in members {
        let key = name(m);
        let unchanged = match m.kind {
            Kind::Parsed => {
                if let Some(v) = doc.get(key) {
                    write_name(out, &text[m.key.clone()]);
                    serde_json::to_writer(&mut *out, v)?;
                }
                continue;
            }
            Kind::Projected => doc.get(key) == resources,
            Kind::Opaque => !doc.contains_key(key),
        };
        if !unchanged {
            return Ok(false);
        }
        write_name(out, &text[m.key.clone()]);
        out.extend_from_slice(&text[m.value.clone()]);
    }
    for (key, v) in doc {
        if !members.iter().any(|m| &text[m.key.clone()] == key.as_bytes()) {
            if out.len() > 1 {
                out.push(b',');
            }
            serde_json::to_writer(&mut *out, key)?;
            out.push(b':');
            serde_json::to_writer(&mut *out, v)?;
        }
    }
    out.push(b'}');
    Ok(true)
}

/// `"name":`, after a comma unless it is the object's first member.
fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    if out.len() > 1 {
        out.push(b',');
    }
    out.push(b'"');
    out.extend_from_slice(name);
    out.extend_from_slice(b"\":");
}

impl RawFinding {
    /// Reads a finding from JSON text. Errors are serde_json's (the caller says where the text was).
    pub fn parse(json: &str) -> serde_json::Result<RawFinding> {
        let (text, numbers) = minify(json);
        // From a str: serde_json checks no UTF-8 again.
        let mut de = serde_json::Deserializer::from_str(&text);
        let top = (&mut de).deserialize_map(TopVisitor { text: text.as_bytes() })?;
        de.end()?;
        let Top { members, view, odd } = top;
        Ok(RawFinding { text: text.into_bytes(), members, view: Value::Object(view), numbers, odd })
    }

    fn to_value(&self) -> serde_json::Result<Value> {
        serde_json::from_slice(&self.text)
    }

    /// The finding's JSON text, without whitespace outside strings.
    pub fn text(&self) -> &[u8] {
        &self.text
    }
}

/// A finding in a file: an object is read as a `RawFinding`; anything else is kept as a `Value`
/// (and refused by the reader).
impl<'de> Deserialize<'de> for Incoming {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Incoming, D::Error> {
        let raw = <&RawValue>::deserialize(d)?;
        if raw.get().starts_with('{') {
            RawFinding::parse(raw.get()).map(Incoming::from).map_err(serde::de::Error::custom)
        } else {
            serde_json::from_str(raw.get()).map(Incoming::Value).map_err(serde::de::Error::custom)
        }
    }
}

/// Removes the whitespace outside strings from valid JSON, and counts its numbers. Every cut is at
/// an ASCII byte, so the pieces copied are whole characters.
fn minify(json: &str) -> (String, usize) {
    let bytes = json.as_bytes();
    let mut out = String::with_capacity(json.len());
    let mut numbers = 0;
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while let Some(p) = memchr::memchr2(b'"', b'\\', &bytes[i..]) {
                    i += p;
                    if bytes[i] == b'\\' {
                        i += 2;
                    } else {
                        i += 1;
                        break;
                    }
                }
            }
            b' ' | b'\n' | b'\r' | b'\t' => {
                out.push_str(&json[run..i]);
                i += 1;
                run = i;
            }
            b'-' | b'0'..=b'9' => {
                let previous = if run < i { bytes[i - 1] } else { out.as_bytes().last().copied().unwrap_or(b' ') };
                if !matches!(previous, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                    numbers += 1;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    out.push_str(&json[run.min(json.len())..]);
    (out, numbers)
}

struct Top {
    members: Vec<Member>,
    view: Map<String, Value>,
    odd: bool,
}

struct TopVisitor<'t> {
    /// The text being read, to turn slices of it into ranges.
    text: &'t [u8],
}

/// A member name as it is in the text, or (when it has escapes) decoded.
enum Key<'de> {
    Text(&'de str),
    Escaped,
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
            fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Key<'de>, E> {
                Ok(Key::Escaped)
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

impl<'de> Visitor<'de> for TopVisitor<'de> {
    type Value = Top;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a finding (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        let mut top = Top { members: Vec::with_capacity(32), view: Map::new(), odd: false };
        let mut hashes: Vec<u64> = Vec::with_capacity(32);
        let base = self.text.as_ptr() as usize;
        let range = |s: &str| {
            let start = s.as_ptr() as usize - base;
            start..start + s.len()
        };
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let key = match key {
                Key::Text(k) => k,
                Key::Escaped => {
                    // Rare: the whole-Value path reads this finding.
                    top.odd = true;
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            // Names compared by a hash first: a finding has a few dozen members.
            let hash =
                key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
            if hashes.contains(&hash) && top.members.iter().any(|m| &self.text[m.key.clone()] == key.as_bytes()) {
                top.odd = true;
            }
            hashes.push(hash);
            let (kind, value) = if is_parsed(key) {
                top.view.insert(key.to_string(), map.next_value()?);
                (Kind::Parsed, 0..0)
            } else if key == RESOURCES {
                let raw: &'de RawValue = map.next_value()?;
                top.view.insert(
                    key.to_string(),
                    project_resources(raw.get().as_bytes()).map_err(serde::de::Error::custom)?,
                );
                (Kind::Projected, range(raw.get()))
            } else {
                let raw: &'de RawValue = map.next_value()?;
                (Kind::Opaque, range(raw.get()))
            };
            top.members.push(Member { key: range(key), value, kind });
        }
        Ok(top)
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
            while let Some(r) = seq.next_element::<&'de RawValue>()? {
                let v = if r.get().starts_with('{') {
                    let mut de = serde_json::Deserializer::from_str(r.get());
                    (&mut de).deserialize_map(Resource).map_err(serde::de::Error::custom)?
                } else {
                    serde_json::from_str(r.get()).map_err(serde::de::Error::custom)?
                };
                out.push(v);
            }
            Ok(Value::Array(out))
        }
    }
    struct Resource;
    impl<'de> Visitor<'de> for Resource {
        type Value = Value;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a resource")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut out = Map::new();
            while let Some(key) = map.next_key::<String>()? {
                if RESOURCE_MEMBERS.contains(&key.as_str()) {
                    out.insert(key, map.next_value()?);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(Value::Object(out))
        }
    }
    if json.first() == Some(&b'[') {
        let mut de = serde_json::Deserializer::from_slice(json);
        (&mut de).deserialize_seq(Resources)
    } else {
        serde_json::from_slice(json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::finding::{tests::sample, validate_asff, Summary};
    use serde_json::json;

    fn now() -> OffsetDateTime {
        crate::model::timestamp::parse("2026-02-03T04:05:06Z").unwrap()
    }

    fn raw(v: &Value, pretty: bool) -> Incoming {
        let text = if pretty { serde_json::to_vec_pretty(v) } else { serde_json::to_vec(v) }.unwrap();
        let i: Incoming = serde_json::from_slice(&text).unwrap();
        assert!(matches!(i, Incoming::Raw(_)));
        i
    }

    /// Findings that exercise every rule the parsed members feed, and text a provider may send.
    fn tricky() -> Vec<Value> {
        let mut out = Vec::new();
        let mut f = sample("escapes \"quoted\" \\ \u{e9} \u{1F600}");
        f["Title"] = json!("tab\there\nnewline \u{1b}[31m red");
        f["ProductFields"] = json!({"k\"ey": "v\\al", "n": "1", "nested": {"deep": [1, 2.5, -3e-7, true, null]}});
        out.push(f);
        let mut f = sample("provider-fields");
        f["FindingProviderFields"] = json!({"Severity": {"Label": "CRITICAL", "Original": "9.8"}, "Confidence": 70, "Types": ["TTPs/Initial Access"]});
        f["Confidence"] = json!(10);
        f["Criticality"] = json!(55);
        f["RelatedFindings"] =
            json!([{"ProductArn": "arn:aws:securityhub:us-east-1::product/aws/guardduty", "Id": "x"}]);
        out.push(f);
        let mut f = sample("control");
        f["ProductArn"] = json!("arn:aws:securityhub:us-east-1::product/aws/securityhub");
        f["Compliance"] = json!({"Status": "PASSED", "SecurityControlId": "S3.1"});
        out.push(f);
        let mut f = sample("workflow-state");
        f["WorkflowState"] = json!("DEFERRED");
        f.as_object_mut().unwrap().remove("Region");
        f["Resources"] = json!([
            {"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::b", "Details": {"AwsS3Bucket": {"Owner": "me"}}, "Tags": {"a": "b"}},
            {"Id": "second", "Partition": "aws", "Type": "Other"}
        ]);
        f["Network"] = json!({"Direction": "IN", "SourcePort": 443});
        out.push(f);
        let mut f = sample("big-numbers");
        f["ProductFields"] = json!({"x": 1e300, "y": 12345678901234567890u64, "z": -0.0});
        f["Severity"] = json!({"Normalized": 72});
        out.push(f);
        let mut f = sample("note-and-fields");
        f["Note"] = json!({"Text": "seen", "UpdatedBy": "me", "UpdatedAt": "2025-01-01T00:00:00Z"});
        f["UserDefinedFields"] = json!({"ticket": "SEC-1"});
        f["VerificationState"] = json!("TRUE_POSITIVE");
        out.push(f);
        out.extend(crate::generate::generate(&crate::generate::GenOptions { count: 300, ..Default::default() }));
        out
    }

    // A raw finding is checked and created exactly as its parsed `Value`: the same validation
    // answer, the same document (member for member), summary and automatic change, and a size bound
    // at least its exact size; compact or pretty-printed.
    #[test]
    fn raw_and_parsed_findings_are_created_alike() {
        for f in tricky() {
            for pretty in [false, true] {
                let r = raw(&f, pretty);
                assert_eq!(validate_asff(r.view()), validate_asff(&f), "{}", f["Id"]);
                assert_eq!(Summary::of(r.view()).resource_type, Summary::of(&f).resource_type);
                assert!(r.size_bound() >= encoded_len(&f), "{}", f["Id"]);
                assert_eq!(r.exact_size(), encoded_len(&f));
                let (mut a, mut b) = (Vec::new(), Vec::new());
                let (doc_a, auto_a) = Incoming::Value(f.clone()).create(now(), &mut a).unwrap();
                let (doc_b, auto_b) = r.clone().create(now(), &mut b).unwrap();
                let spliced: Value = serde_json::from_slice(&b).unwrap();
                let whole: Value = serde_json::from_slice(&a).unwrap();
                assert_eq!(spliced, whole, "{}", f["Id"]);
                assert_eq!(auto_a, auto_b);
                assert_eq!(Summary::of(&doc_a), Summary::of(&doc_b));
                // The member order is the whole path's too.
                let order = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
                assert_eq!(order(&spliced), order(&whole));
                assert_eq!(r.into_value().unwrap(), f);
            }
        }
    }

    // Whitespace goes, strings keep theirs; numbers are counted once each.
    #[test]
    fn minify_keeps_strings_and_counts_numbers() {
        let (text, numbers) = minify("{ \"a b\" : [ 1 , -2.5e+3 , \"x \\\" y\" ],\n\t\"c\":true, \"d\": [-1,2] }");
        assert_eq!(text, "{\"a b\":[1,-2.5e+3,\"x \\\" y\"],\"c\":true,\"d\":[-1,2]}");
        assert_eq!(numbers, 4);
    }

    // A member named twice, or Resources that are not a list of objects, take the whole-Value path
    // and give its answer.
    #[test]
    fn duplicate_members_and_odd_resources_fall_back() {
        let mut text = serde_json::to_string(&sample("dup")).unwrap();
        text.insert_str(1, "\"Title\":\"first\",");
        let r: Incoming = serde_json::from_str(&text).unwrap();
        let whole: Value = serde_json::from_str(&text).unwrap();
        let mut a = Vec::new();
        let (doc, _) = r.create(now(), &mut a).unwrap();
        assert_eq!(doc["Title"], whole["Title"]);
        // A member name with an escape in it: `\u0054itle` is Title.
        let text = serde_json::to_string(&sample("escaped")).unwrap().replace("\"Title\"", "\"\\u0054itle\"");
        let r: Incoming = serde_json::from_str(&text).unwrap();
        let (doc, _) = r.create(now(), &mut a).unwrap();
        assert_eq!(doc["Title"], sample("escaped")["Title"]);
        assert_eq!(serde_json::from_slice::<Value>(&a).unwrap(), doc);
        for resources in [json!("not a list"), json!([1, "x"]), json!([{"Type": 5, "Id": "i"}])] {
            let mut f = sample("odd");
            f["Resources"] = resources;
            let r = raw(&f, false);
            let e = validate_asff(r.view()).unwrap_err();
            assert_eq!(Err(e), validate_asff(&f));
        }
        let not_object: Incoming = serde_json::from_str("[1]").unwrap();
        assert!(matches!(not_object, Incoming::Value(_)));
    }
}
