//! A finding as a provider sent it, kept as JSON text, with only the members the import rules read
//! parsed. Building a `serde_json::Value` of a whole finding (every string and map allocated) and
//! serialising it again was most of what a bulk import cost; most of a finding's bytes (resource
//! details, product fields, remediation, network and process data...) are members no rule looks
//! into. `Incoming::create` imports a new finding from the parsed members and splices the others
//! into the stored document as they were sent, so the document has exactly the members and values
//! the whole-`Value` path gives it (`tests::raw_and_parsed_findings_are_created_alike`).
//!
//! This module owns the types (`RawFinding`, `Incoming`, `StoredDoc`) and which members are parsed;
//! an OCSF finding read from a file is kept the same way (`ocsf`: `OcsfIncoming`).
//! Reading a finding's text into a `RawFinding` is in `read` (by serde_json or by the scanner),
//! the parsed part of Resources and Compliance in `project`, and writing the stored document
//! back out (the splice) in `write`.

use std::ops::Range;

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::finding::{encoded_len, encoded_len_bound};
use super::import::{create, AutoChange};

mod ocsf;
mod project;
mod read;
mod write;

pub use ocsf::{OcsfIncoming, OcsfText};

pub use read::{scan_finding, ContainedFinding};
#[cfg(test)]
pub(crate) use write::push_minified;
use write::push_minified_checked;
use write::{splice, write_compact};

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

/// ProductFields is read only for the members that name an older Security Hub control finding's
/// control (the summary's control id, `control`): those are parsed, the rest (often dozens of
/// provider keys) is kept as text. No rule writes it.
const PRODUCT_FIELDS: &str = "ProductFields";
const PRODUCT_FIELDS_MEMBERS: &[&str] = super::control::PRODUCT_FIELDS_MEMBERS;

/// The members kept as text of which an object's named members are parsed: which ones, by name.
fn picked_members(key: &str) -> Option<&'static [&'static str]> {
    match key {
        COMPLIANCE => Some(COMPLIANCE_MEMBERS),
        PRODUCT_FIELDS => Some(PRODUCT_FIELDS_MEMBERS),
        _ => None,
    }
}

/// serde_json writes at most this many characters for a number (as `finding::encoded_len_bound`).
const MAX_NUMBER_LEN: usize = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Parsed in full: the value is in the view only.
    Parsed,
    /// Resources, Compliance, ProductFields: parsed in part (in the view), and kept as text.
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
    /// Valid JSON that could not be read back once stored (nested too deeply, a number beyond
    /// f64: serde_json keeps such a member as text but refuses to parse it): why, naming the
    /// member. The import refuses such a finding (`Incoming::unreadable`).
    defect: Option<String>,
    /// The first member kept as text whose value is `null`: the view, which the validator reads,
    /// does not hold it (ASFF has no nullable member: `Incoming::null_member`).
    null_member: Option<String>,
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

    /// Why the finding, if stored, could not be read back (a member nested deeper than
    /// `scan::FINDING_DEPTH`, a number beyond f64), naming the member; `None` for a readable one.
    /// Found as the finding was read (a raw finding) or by walking it (a parsed one).
    pub fn unreadable(&self) -> Option<String> {
        match self {
            Incoming::Value(v) => super::scan::value_defect(v),
            Incoming::Raw(r) => r.defect.clone(),
        }
    }

    /// A top-level member sent as `null` that the view does not hold (a member kept as text); the
    /// validator finds those the view holds, and every null of a parsed finding.
    pub fn null_member(&self) -> Option<&str> {
        match self {
            Incoming::Value(_) => None,
            Incoming::Raw(r) => r.null_member.as_deref(),
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

#[cfg(test)]
mod tests;
