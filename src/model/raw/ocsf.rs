//! An OCSF (V2) finding as read from a file: its document kept as the text read (whitespace
//! outside strings removed), with only the top-level members the V2 import reads parsed (the
//! view), as an ASFF finding is kept (`RawFinding`). Parsing each whole OCSF finding into a
//! `serde_json::Value` on the reading thread and serialising it again for the store was most of
//! what a bulk OCSF import cost (the reading thread was the import's bottleneck); most of a
//! finding's bytes (resources' details, evidences, remediation, vulnerabilities' packages,
//! `unmapped`...) are members no rule looks into.
//!
//! The view holds what `validate_ocsf`, the row's columns (`store::ocsf`: `FindingSummary::from_ocsf`
//! and the `Ocsf` accessors it reads) and the import's lookup (`metadata.uid`) read, so each gives
//! the same answer on the view as on the whole document (`tests::the_view_reads_as_the_whole_document`).
//! A finding the import must merge with a stored one is parsed whole then (`OcsfIncoming::into_value`).

use serde_json::{Map, Value};

use super::write::{write_compact, write_name};
use super::{Incoming, Kind, RawFinding};
use crate::model::finding::Format;
use crate::model::scan::Scanner;

/// `OCSF_PARSED` and `is_ocsf_parsed` from one list of names, so they cannot disagree.
macro_rules! ocsf_parsed {
    ($($name:literal),+ $(,)?) => {
        /// The top-level members parsed in full: every member `validate_ocsf`,
        /// `FindingSummary::from_ocsf` and the row's other columns (`store::ocsf::row_columns`)
        /// read. A rule that reads another member must add it here (or to the projected ones below).
        pub(crate) const OCSF_PARSED: &[&str] = &[$($name),+];

        /// Whether `key` is one of `OCSF_PARSED`: a `match`, as it is asked for every member of
        /// every finding.
        fn is_ocsf_parsed(key: &str) -> bool {
            matches!(key, $($name)|+)
        }
    };
}

ocsf_parsed![
    "metadata",
    "finding_info",
    "cloud",
    "class_uid",
    "class_name",
    "severity_id",
    "severity",
    "status_id",
    "status",
    "activity_id",
    "comment",
    "time",
    "time_dt",
    "compliance",
    "confidence_score",
];

/// Which members of a parsed object member are kept in the view (`Keep::Members`), and of those
/// which are objects cut the same way in turn.
#[derive(Debug)]
enum Keep {
    /// The value whole.
    All,
    /// An object cut to these members (each value as its `Keep` says); anything but an object
    /// (which the checks report as it is) kept whole.
    Members(&'static [(&'static str, Keep)]),
}

/// The object members of `OCSF_PARSED` projected to what the checks and the row read of them
/// (`Ocsf::metadata_uid`, `product_uid`, `product_name`, `account`, `finding_uid`, `region`,
/// `title`, `types`, `control`, `compliance_status_id`, the times of `validate_ocsf`,
/// `created_time`, `updated_time`, and `store::ocsf`'s `metadata.product.vendor_name` and
/// `finding_info.analytic.name`); parsing the rest (`finding_info.desc`, its seen times and URL,
/// `metadata.profiles`, the account's name and type...) into maps each finding was most of the
/// reading thread's parse (perf, 100,000 generated findings). A rule reading another of their
/// members must add it here.
fn projected_object(key: &str) -> Option<&'static [(&'static str, Keep)]> {
    use Keep::{All, Members};
    match key {
        "metadata" => Some(&[("uid", All), ("product", Members(&[("uid", All), ("name", All), ("vendor_name", All)]))]),
        "finding_info" => Some(&[
            ("uid", All),
            ("title", All),
            ("types", All),
            ("analytic", Members(&[("uid", All), ("name", All)])),
            ("created_time", All),
            ("created_time_dt", All),
            ("modified_time", All),
            ("modified_time_dt", All),
        ]),
        "cloud" => Some(&[("account", Members(&[("uid", All)])), ("region", All)]),
        "compliance" => Some(&[("control", All), ("status_id", All), ("status", All)]),
        _ => None,
    }
}

/// Lists read only for each element's type (validation: each must be an object) and, for
/// `resources`, the members of the first resource the summary reads: projected to those, each
/// element that is not an object kept whole.
fn projected_members(key: &str) -> Option<&'static [&'static str]> {
    match key {
        "resources" => Some(&["type", "uid", "uid_alt"]),
        "vulnerabilities" => Some(&[]),
        _ => None,
    }
}

/// An OCSF finding read from a file, kept as text (`OcsfText`), or parsed whole (from a request,
/// or a finding whose text the splice does not take).
#[derive(Debug, Clone)]
pub enum OcsfIncoming {
    Value(Value),
    Text(Box<OcsfText>),
}

/// The document's text as read, and the members the import reads.
#[derive(Debug, Clone)]
pub struct OcsfText {
    /// The whole document's compact JSON text.
    text: Vec<u8>,
    /// The members of `OCSF_PARSED` the document has, and `resources` and `vulnerabilities`
    /// projected, in the document's order.
    view: Value,
    /// At least the size serde_json writes the whole document in (`finding::encoded_len`).
    size_bound: usize,
}

impl From<Value> for OcsfIncoming {
    fn from(v: Value) -> OcsfIncoming {
        OcsfIncoming::Value(v)
    }
}

impl OcsfIncoming {
    /// What the checks and the row's columns read: the whole document, or its parsed members.
    pub fn view(&self) -> &Value {
        match self {
            OcsfIncoming::Value(v) => v,
            OcsfIncoming::Text(t) => &t.view,
        }
    }

    /// The document's text as read, when it was kept (`None` for a parsed document).
    pub fn text(&self) -> Option<&[u8]> {
        match self {
            OcsfIncoming::Value(_) => None,
            OcsfIncoming::Text(t) => Some(&t.text),
        }
    }

    /// At least the size serde_json writes the whole document in; exact for a parsed one.
    pub fn size_bound(&self) -> usize {
        match self {
            OcsfIncoming::Value(v) => crate::model::finding::encoded_len(v),
            OcsfIncoming::Text(t) => t.size_bound,
        }
    }

    /// The whole document.
    pub fn into_value(self) -> serde_json::Result<Value> {
        match self {
            OcsfIncoming::Value(v) => Ok(v),
            OcsfIncoming::Text(t) => serde_json::from_slice(&t.text),
        }
    }
}

impl Incoming {
    /// The finding as an OCSF one when it is one (`Format::of`: a `class_uid`, or a `metadata`
    /// object), else itself (a finding read as text then parsed whole, as the ASFF checks of a
    /// finding without ASFF's identifying members read it). A finding read as text keeps its text.
    pub fn into_ocsf(self) -> serde_json::Result<Result<OcsfIncoming, Incoming>> {
        let raw = match self {
            Incoming::Value(v) if Format::of(&v) == Some(Format::Ocsf) => return Ok(Ok(OcsfIncoming::Value(v))),
            Incoming::Value(v) => return Ok(Err(Incoming::Value(v))),
            // A name sent twice or escaped, or text serde_json could not read back: parsed whole,
            // as before (serde_json decides what it holds).
            Incoming::Raw(r) if r.odd || r.defect.is_some() => {
                let v = r.to_value()?;
                return Ok(if Format::of(&v) == Some(Format::Ocsf) {
                    Ok(OcsfIncoming::Value(v))
                } else {
                    Err(Incoming::Value(v))
                });
            }
            Incoming::Raw(r) => r,
        };
        if !is_ocsf(&raw) {
            return Ok(Err(Incoming::Value(raw.to_value()?)));
        }
        Ok(Ok(OcsfIncoming::Text(Box::new(OcsfText::of(*raw)?))))
    }
}

/// `Format::of` on a finding read as text: a `class_uid` member, or a `metadata` object.
fn is_ocsf(r: &RawFinding) -> bool {
    r.members.iter().any(|m| {
        let key = &r.text[m.key.clone()];
        match m.kind {
            Kind::Parsed => false,
            _ => key == b"class_uid" || (key == b"metadata" && r.text.get(m.value.start) == Some(&b'{')),
        }
    })
}

impl OcsfText {
    fn of(r: RawFinding) -> serde_json::Result<OcsfText> {
        let RawFinding { text, members, view: asff_view, size_bound, .. } = r;
        let mut view = Map::with_capacity(OCSF_PARSED.len() + 2);
        for m in &members {
            let key = std::str::from_utf8(&text[m.key.clone()]).map_err(serde::de::Error::custom)?;
            if m.kind == Kind::Parsed {
                // A member named as ASFF's parsed ones (none of OCSF's is): its value is in the
                // reader's view.
                if is_ocsf_parsed(key) {
                    view.insert(key.to_string(), asff_view.get(key).cloned().unwrap_or(Value::Null));
                }
                continue;
            }
            let value = &text[m.value.clone()];
            if let Some(keep) = projected_object(key) {
                let projected = std::str::from_utf8(value).ok().and_then(|v| project_object(v, keep));
                view.insert(key.to_string(), projected.map_or_else(|| parse(value), Ok)?);
            } else if is_ocsf_parsed(key) {
                view.insert(key.to_string(), parse(value)?);
            } else if let Some(keep) = projected_members(key) {
                let projected = std::str::from_utf8(value).ok().and_then(|v| project_list(v, keep));
                view.insert(key.to_string(), projected.map_or_else(|| serde_json::from_slice(value), Ok)?);
            }
        }
        let text = match compact_in_place(text, &members) {
            Ok(doc) => doc,
            Err(text) => compact_copy(&text, &members, &asff_view)?,
        };
        Ok(OcsfText { text, view: Value::Object(view), size_bound })
    }
}

/// The document's compact text written over the reader's `text` (each member's name and value one
/// after the other, from the start), when that is all it holds: the quotes, colons, commas and
/// braces go in between, moving each piece right, the last member first, so no piece is written
/// over before it is moved. A second buffer and copy of every finding's text was a tenth of the
/// reading thread's time (perf, 100,000 generated findings). `Err(text)`, untouched, when a member
/// is not held there (a parsed one) or the pieces are not in order.
fn compact_in_place(mut text: Vec<u8>, members: &[super::Member]) -> Result<Vec<u8>, Vec<u8>> {
    let mut end = 0;
    for m in members {
        if m.kind == Kind::Parsed || m.key.start != end || m.value.start != m.key.end || m.value.end < m.value.start {
            return Err(text);
        }
        end = m.value.end;
    }
    if end != text.len() {
        return Err(text);
    }
    // Each member adds two quotes and a colon, each but the first a comma; and the braces.
    let len = text.len() + 4 * members.len() + 2 - usize::from(!members.is_empty());
    text.resize(len, 0);
    for (i, m) in members.iter().enumerate().rev() {
        // Where the member's opening quote goes: after the brace and, for each member before it,
        // three more bytes and a comma.
        let quote = m.key.start + 4 * i + 1;
        let name_at = quote + 1;
        let value_at = name_at + m.key.len() + 2;
        text.copy_within(m.value.clone(), value_at);
        text.copy_within(m.key.clone(), name_at);
        text[quote] = b'"';
        text[value_at - 2] = b'"';
        text[value_at - 1] = b':';
        if i > 0 {
            text[quote - 1] = b',';
        }
    }
    text[0] = b'{';
    text[len - 1] = b'}';
    Ok(text)
}

/// The document's compact text in a new buffer (`compact_in_place` when that cannot be done): a
/// parsed member's value is written from the reader's view.
fn compact_copy(text: &[u8], members: &[super::Member], asff_view: &Value) -> serde_json::Result<Vec<u8>> {
    let mut doc = Vec::with_capacity(text.len() + 4 * members.len() + 2);
    doc.push(b'{');
    for m in members {
        let key = &text[m.key.clone()];
        write_name(&mut doc, 1, key);
        if m.kind == Kind::Parsed {
            let key = std::str::from_utf8(key).map_err(serde::de::Error::custom)?;
            write_compact(&mut doc, asff_view.get(key).unwrap_or(&Value::Null))?;
        } else {
            doc.extend_from_slice(&text[m.value.clone()]);
        }
    }
    doc.push(b'}');
    Ok(doc)
}

/// A member's compact text parsed: a string without escapes taken as it is (most are). Text
/// already checked to be UTF-8 is parsed as a `str`, which serde_json does not check again.
fn parse(value: &[u8]) -> serde_json::Result<Value> {
    let Ok(text) = std::str::from_utf8(value) else { return serde_json::from_slice(value) };
    let mut s = Scanner::within(text, 1);
    if s.peek() == Some(b'"') {
        if let Some(plain) = s.plain_string() {
            if s.pos == text.len() {
                return Ok(Value::String(plain.to_owned()));
            }
        }
    }
    serde_json::from_str(text)
}

/// An object member's text cut to the `keep` members (`Keep`); anything but an object whole. `None`
/// when the text is not one the scanner reads, or holds what it reports (a name sent twice, which
/// serde_json would keep the last of; too deep; a number out of range): the caller parses it whole.
fn project_object(text: &str, keep: &'static [(&'static str, Keep)]) -> Option<Value> {
    let mut s = Scanner::within(text, 1);
    let v = project_value(&mut s, &Keep::Members(keep))?;
    (s.pos == text.len() && s.take_defect().is_none()).then_some(v)
}

/// The value at the scanner's position, cut as `keep` says.
fn project_value(s: &mut Scanner<'_>, keep: &Keep) -> Option<Value> {
    let Keep::Members(members) = keep else { return s.parse_value() };
    if s.peek()? != b'{' {
        return s.parse_value();
    }
    let mut obj = Map::new();
    s.object(|s, key| match members.iter().find(|(name, _)| *name == key) {
        Some((_, inner)) => {
            obj.insert(key.to_string(), project_value(s, inner)?);
            Some(())
        }
        None => s.skip_value(),
    })?;
    Some(Value::Object(obj))
}

/// A list whose object elements are cut to the `keep` members; any other element kept whole.
/// `None` when the text is not a list the scanner reads (the caller parses it whole).
fn project_list(text: &str, keep: &[&str]) -> Option<Value> {
    let mut s = Scanner::within(text, 1);
    if s.peek()? != b'[' {
        return None;
    }
    let mut out = Vec::new();
    s.array(|s| {
        if s.peek()? != b'{' {
            out.push(s.parse_value()?);
            return Some(());
        }
        let mut obj = Map::new();
        s.object(|s, key| {
            if keep.contains(&key) {
                obj.insert(key.to_string(), s.parse_value()?);
                Some(())
            } else {
                s.skip_value()
            }
        })?;
        out.push(Value::Object(obj));
        Some(())
    })?;
    (s.pos == text.len() && s.take_defect().is_none()).then_some(Value::Array(out))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::finding::str_at;
    use crate::model::ocsf::{validate_ocsf, Ocsf};
    use crate::model::summary::FindingSummary;

    fn read(text: &str) -> Incoming {
        let (f, end) = super::super::scan_finding(text, 0).unwrap();
        assert_eq!(end, text.len());
        f
    }

    /// Generated findings, and each with a member the checks read broken, missing or odd.
    fn documents() -> Vec<Value> {
        use crate::generate::ocsf::generate_ocsf;
        use crate::generate::GenOptions;
        let mut out: Vec<Value> = generate_ocsf(&GenOptions { count: 40, seed: 3, ..GenOptions::default() }).collect();
        let base = out[0].clone();
        type Edit = Box<dyn Fn(&mut Value)>;
        let edits: Vec<Edit> = vec![
            Box::new(|d| d["resources"] = json!([1, {"type": "T", "uid": "u", "x": {"y": [1]}}])),
            Box::new(|d| d["resources"] = json!({"type": "T"})),
            Box::new(|d| d["resources"] = json!([{"uid_alt": "arn:x", "type": "AwsS3Bucket"}, {"type": "2"}])),
            Box::new(|d| d["vulnerabilities"] = json!([{"cve": {"uid": "CVE-1"}}, "no"])),
            Box::new(|d| d["vulnerabilities"] = json!("no")),
            Box::new(|d| d["metadata"]["uid"] = json!(" ")),
            Box::new(|d| d["cloud"]["account"]["uid"] = json!("12")),
            Box::new(|d| d["class_uid"] = json!(9)),
            Box::new(|d| d["severity_id"] = json!("3")),
            Box::new(|d| d["status_id"] = json!(null)),
            Box::new(|d| d["comment"] = json!("x".repeat(600))),
            Box::new(|d| d["compliance"] = json!({"status_id": 9})),
            Box::new(|d| d["compliance"] = json!([1])),
            Box::new(|d| d["finding_info"]["modified_time_dt"] = json!("yesterday")),
            Box::new(|d| d["time"] = json!(1.5)),
            Box::new(|d| {
                let o = d.as_object_mut().unwrap();
                o.remove("finding_info");
                o.remove("time");
                o.remove("time_dt");
            }),
            Box::new(|d| d["confidence_score"] = json!(77)),
            Box::new(|d| d["comment"] = json!("é \"q\" \\ \u{1}")),
            // The projected members (`projected_object`): what is cut, and what is kept whole.
            Box::new(|d| d["metadata"]["product"] = json!("p")),
            Box::new(|d| d["metadata"]["product"] = json!({"uid": 7, "name": null, "vendor_name": ["v"]})),
            Box::new(|d| d["metadata"] = json!([{"uid": "m"}])),
            Box::new(|d| d["finding_info"]["analytic"] = json!([{"name": "n"}])),
            Box::new(|d| d["finding_info"]["analytic"] = json!({"uid": "", "name": "rule", "x": {"y": 1}})),
            Box::new(|d| d["finding_info"]["types"] = json!("one type")),
            Box::new(|d| d["finding_info"]["created_time_dt"] = json!(5)),
            Box::new(|d| d["finding_info"]["modified_time"] = json!("x")),
            Box::new(|d| d["cloud"]["account"] = json!(null)),
            Box::new(|d| d["cloud"] = json!({"region": {"r": 1}, "account": {"uid": 283483870381_i64}})),
            Box::new(|d| d["compliance"] = json!({"control": "C.1", "status": "Fail", "standards": ["s"]})),
            Box::new(|d| d["compliance"] = json!({"control": ["C.1"], "status_id": "3"})),
        ];
        for e in edits {
            let mut d = base.clone();
            e(&mut d);
            out.push(d);
        }
        out
    }

    #[test]
    fn the_view_reads_as_the_whole_document() {
        for doc in documents() {
            // Pretty-printed: the text kept is the compact one.
            let text = serde_json::to_string_pretty(&doc).unwrap();
            let Ok(Ok(f)) = read(&text).into_ocsf() else { panic!("not read as OCSF: {text}") };
            assert!(f.text().is_some());
            assert_eq!(validate_ocsf(f.view()), validate_ocsf(&doc), "{text}");
            let (a, b) = (FindingSummary::from_ocsf(f.view()), FindingSummary::from_ocsf(&doc));
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
            let (v, d) = (Ocsf(f.view()), Ocsf(&doc));
            assert_eq!(
                (v.metadata_uid(), v.finding_uid(), v.product_uid(), v.product_name(), v.account(), v.region()),
                (d.metadata_uid(), d.finding_uid(), d.product_uid(), d.product_name(), d.account(), d.region())
            );
            assert_eq!(
                (v.title(), v.control(), v.types(), v.comment()),
                (d.title(), d.control(), d.types(), d.comment())
            );
            assert_eq!((v.created_time(), v.updated_time()), (d.created_time(), d.updated_time()));
            // What `store::ocsf`'s row reads besides.
            let vendor = ["metadata", "product", "vendor_name"];
            let analytic = ["finding_info", "analytic", "name"];
            assert_eq!(
                (str_at(f.view(), &vendor), str_at(f.view(), &analytic), v.generator(), v.compliance_status_id()),
                (str_at(&doc, &vendor), str_at(&doc, &analytic), d.generator(), d.compliance_status_id())
            );
            assert!(f.size_bound() >= serde_json::to_vec(&doc).unwrap().len());
            assert_eq!(String::from_utf8(f.text().unwrap().to_vec()).unwrap(), serde_json::to_string(&doc).unwrap());
            assert_eq!(f.into_value().unwrap(), doc);
        }
    }

    /// A projected member with a name sent twice or escaped is parsed whole (serde_json keeps the
    /// last of two, and reads an escape as its character), as the projection cannot tell.
    #[test]
    fn a_projected_member_the_scanner_cannot_cut_is_parsed_whole() {
        for (text, uid) in [
            (r#"{"class_uid": 2004, "metadata": {"uid": "a", "uid": "b"}}"#, "b"),
            (r#"{"class_uid": 2004, "metadata": {"u\u0069d": "c", "version": "1"}}"#, "c"),
            (
                r#"{"class_uid": 2004, "metadata": {"version": "1", "uid": "d", "product": {"uid": "p", "uid": "q"}}}"#,
                "d",
            ),
        ] {
            let Ok(Ok(f)) = read(text).into_ocsf() else { panic!("not OCSF: {text}") };
            let doc: Value = serde_json::from_str(text).unwrap();
            assert_eq!(f.view()["metadata"], doc["metadata"], "{text}");
            assert_eq!(Ocsf(f.view()).metadata_uid(), uid, "{text}");
        }
        // A member the projection can cut keeps only what is read.
        let text = r#"{"class_uid": 2004, "metadata": {"version": "1", "uid": "e", "profiles": ["x"]}}"#;
        let Ok(Ok(f)) = read(text).into_ocsf() else { panic!("not OCSF") };
        assert_eq!(f.view()["metadata"], json!({"uid": "e"}));
        assert_eq!(f.into_value().unwrap(), serde_json::from_str::<Value>(text).unwrap());
    }

    #[test]
    fn the_parsed_members_are_the_listed_ones() {
        assert!(OCSF_PARSED.iter().all(|k| is_ocsf_parsed(k)));
        for k in ["", "metadat", "metadata ", "Metadata", "resources", "vulnerabilities", "unmapped", "Id"] {
            assert!(!is_ocsf_parsed(k), "{k}");
        }
    }

    // The text is written over the reader's buffer when it holds every member, and copied when a
    // member is ASFF's parsed one ("Id", "Types"): the same compact text either way, in order.
    #[test]
    fn the_text_is_the_compact_document_in_place_or_copied() {
        for text in [
            r#"{}"#,
            r#"{"class_uid": 2004}"#,
            r#"{ "class_uid" : 2004, "x": [1, {"a": "b"}], "metadata": {"uid": "m"}, "y": null }"#,
            r#"{"class_uid": 2004, "Id": "i", "metadata": {"uid": "m"}, "Types": ["a", "b"], "z": 1}"#,
            r#"{"Id": "i", "class_uid": 2004}"#,
        ] {
            let Incoming::Raw(r) = read(text) else { panic!("not read as text: {text}") };
            let in_place = r.members.iter().all(|m| m.kind != Kind::Parsed);
            let expected = serde_json::to_vec(&serde_json::from_str::<Value>(text).unwrap()).unwrap();
            assert_eq!(compact_copy(&r.text, &r.members, &r.view).unwrap(), expected, "{text}");
            match compact_in_place(r.text.clone(), &r.members) {
                Ok(doc) => {
                    assert!(in_place, "{text}");
                    assert_eq!(doc, expected, "{text}");
                }
                Err(back) => {
                    assert!(!in_place, "{text}");
                    assert_eq!(back, r.text, "untouched: {text}");
                }
            }
            if text != "{}" {
                let Ok(Ok(f)) = read(text).into_ocsf() else { panic!("not OCSF: {text}") };
                assert_eq!(f.text().unwrap(), expected.as_slice(), "{text}");
            }
        }
    }

    #[test]
    fn text_as_sent_is_kept_and_other_findings_are_not_ocsf() {
        let text = r#"{ "class_uid" : 2004, "x": "caf\u00e9", "n": 1.0E3, "metadata": {"uid": "m"} }"#;
        let Ok(Ok(f)) = read(text).into_ocsf() else { panic!("not OCSF") };
        assert_eq!(f.text().unwrap(), br#"{"class_uid":2004,"x":"caf\u00e9","n":1.0E3,"metadata":{"uid":"m"}}"#);
        assert_eq!(f.view(), &json!({"class_uid": 2004, "metadata": {"uid": "m"}}));
        assert_eq!(f.into_value().unwrap(), serde_json::from_str::<Value>(text).unwrap());
        // A metadata member that is not an object, and no class_uid: not OCSF (`Format::of`).
        let Ok(Err(Incoming::Value(v))) = read(r#"{"metadata": "m", "a": [1]}"#).into_ocsf() else { panic!() };
        assert_eq!(v, json!({"metadata": "m", "a": [1]}));
        // A name sent twice: parsed whole, the last value kept, as serde_json does.
        let Ok(Ok(OcsfIncoming::Value(v))) = read(r#"{"class_uid": 1, "class_uid": 2004}"#).into_ocsf() else {
            panic!()
        };
        assert_eq!(v, json!({"class_uid": 2004}));
    }
}
