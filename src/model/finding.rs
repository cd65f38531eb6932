//! One finding: its identity, the typed summary the store indexes, and the strict checks
//! BatchImportFindings applies to what a provider sends.
//!
//! The full JSON document is the source of truth; the summary is derived from it and never edited on
//! its own. Extraction is lenient (real findings break model rules: empty strings, >50 ProductFields,
//! unknown resource types), validation is strict where AWS is strict (the ASFF reference and the
//! service model's AwsSecurityFinding).

use serde_json::{Map, Value};

use super::enums::{ComplianceStatus, RecordState, SeverityLabel, VerificationState, WorkflowState, WorkflowStatus};
use super::sanitize;
use super::timestamp;

/// Which schema a stored document follows. OCSF (Security Hub V2) arrives in a later issue; the store's
/// schema already keeps the format beside each document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Asff,
    Ocsf,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Asff => "asff",
            Format::Ocsf => "ocsf",
        }
    }
}

/// A finding's identity: the pair (ProductArn, Id) (ASFF reference and the service model's
/// AwsSecurityFinding).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FindingKey {
    /// Shared: the findings of one product name it alike, and a list of a million rows holds one
    /// copy of each (the workbench's listing interns it).
    pub product_arn: super::summary::Shared,
    pub id: String,
}

impl FindingKey {
    pub fn new(product_arn: impl Into<super::summary::Shared>, id: impl Into<String>) -> Self {
        FindingKey { product_arn: product_arn.into(), id: id.into() }
    }

    /// `{"Id": ..., "ProductArn": ...}`, the AwsSecurityFindingIdentifier shape.
    pub fn to_json(&self) -> Value {
        serde_json::json!({"Id": self.id, "ProductArn": self.product_arn})
    }

    pub fn of(doc: &Value) -> Option<FindingKey> {
        Some(FindingKey::new(doc.member("ProductArn")?.as_str()?, doc.member("Id")?.as_str()?))
    }
}

/// A finding's identity in either format: what the workbench, the worker and a `Backend` name a
/// finding by. An ASFF finding is its (ProductArn, Id) pair, the AwsSecurityFindingIdentifier of
/// the BatchUpdateFindings API reference; an OCSF finding (Security Hub's V2 APIs) is its
/// `metadata.uid`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FindingId {
    Asff(FindingKey),
    Ocsf(String),
}

impl Default for FindingId {
    fn default() -> Self {
        FindingId::Asff(FindingKey::default())
    }
}

impl From<FindingKey> for FindingId {
    fn from(k: FindingKey) -> Self {
        FindingId::Asff(k)
    }
}

impl FindingId {
    /// An ASFF finding's identity.
    pub fn asff(product_arn: impl Into<super::summary::Shared>, id: impl Into<String>) -> FindingId {
        FindingId::Asff(FindingKey::new(product_arn, id))
    }

    pub fn format(&self) -> Format {
        match self {
            FindingId::Asff(_) => Format::Asff,
            FindingId::Ocsf(_) => Format::Ocsf,
        }
    }

    /// The ASFF key, when this is an ASFF finding.
    pub fn as_asff(&self) -> Option<&FindingKey> {
        match self {
            FindingId::Asff(k) => Some(k),
            FindingId::Ocsf(_) => None,
        }
    }

    /// The finding's own id as an analyst reads it: the ASFF Id or the OCSF metadata.uid.
    pub fn display_id(&self) -> &str {
        match self {
            FindingId::Asff(k) => &k.id,
            FindingId::Ocsf(uid) => uid,
        }
    }

    /// Where the finding comes from, beside its id: the ASFF ProductArn (an OCSF uid stands alone).
    pub fn scope(&self) -> &str {
        match self {
            FindingId::Asff(k) => &k.product_arn,
            FindingId::Ocsf(_) => "",
        }
    }
}

/// The typed summary of a finding, extracted for listing, sorting and filtering.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub id: String,
    pub product_arn: String,
    pub product_name: String,
    pub company_name: String,
    pub generator_id: String,
    pub aws_account_id: String,
    pub aws_account_name: String,
    pub region: String,
    pub title: String,
    pub severity_label: Option<SeverityLabel>,
    pub severity_normalized: Option<i64>,
    pub workflow_status: Option<WorkflowStatus>,
    pub record_state: Option<RecordState>,
    pub verification_state: Option<VerificationState>,
    pub compliance_status: Option<ComplianceStatus>,
    pub control_id: String,
    pub resource_type: String,
    pub resource_id: String,
    pub resource_count: usize,
    pub types: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    pub first_observed_at: String,
    pub last_observed_at: String,
    pub note_text: String,
    pub note_updated_by: String,
    pub note_updated_at: String,
    pub confidence: Option<i64>,
    pub criticality: Option<i64>,
}

/// Looks a member up by comparing names instead of hashing them. serde_json's objects (IndexMaps
/// here) hash the name on every lookup with SipHash, which was a tenth of a bulk import's
/// instructions; a finding's objects have a few dozen members at most, and comparing names (their
/// lengths first) is cheaper than hashing one.
pub trait Member {
    fn member(&self, key: &str) -> Option<&Value>;
}

impl Member for Map<String, Value> {
    fn member(&self, key: &str) -> Option<&Value> {
        if self.len() > 64 {
            return self.get(key);
        }
        self.iter().find_map(|(k, v)| (k == key).then_some(v))
    }
}

impl Member for Value {
    fn member(&self, key: &str) -> Option<&Value> {
        self.as_object().and_then(|m| m.member(key))
    }
}

/// `doc.a.b.c` as a string, or "".
pub fn str_at<'a>(doc: &'a Value, path: &[&str]) -> &'a str {
    value_at(doc, path).and_then(Value::as_str).unwrap_or("")
}

pub fn value_at<'a>(doc: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(doc, |v, k| v.member(k))
}

/// An integer that may have been sent as 40, 40.0 or "40".
pub fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f.round() as i64)),
        Value::String(s) => s.trim().parse::<f64>().ok().map(|f| f.round() as i64),
        _ => None,
    }
}

impl Summary {
    pub fn of(doc: &Value) -> Summary {
        let s = |path: &[&str]| str_at(doc, path).to_string();
        let severity = doc.member("Severity");
        let normalized = severity.and_then(|s| s.member("Normalized")).and_then(int_of);
        let severity_label = severity
            .and_then(|s| s.member("Label"))
            .and_then(Value::as_str)
            .and_then(SeverityLabel::parse)
            .or_else(|| normalized.map(SeverityLabel::from_normalized));
        let workflow_status = value_at(doc, &["Workflow", "Status"])
            .and_then(Value::as_str)
            .and_then(WorkflowStatus::parse)
            .or_else(|| {
                doc.member("WorkflowState")
                    .and_then(Value::as_str)
                    .and_then(WorkflowState::parse)
                    .map(WorkflowState::to_status)
            });
        let resources = doc.member("Resources").and_then(Value::as_array);
        let first = resources.and_then(|r| r.first());
        Summary {
            id: s(&["Id"]),
            product_arn: s(&["ProductArn"]),
            product_name: s(&["ProductName"]),
            company_name: s(&["CompanyName"]),
            generator_id: s(&["GeneratorId"]),
            aws_account_id: s(&["AwsAccountId"]),
            aws_account_name: s(&["AwsAccountName"]),
            region: s(&["Region"]),
            title: s(&["Title"]),
            severity_label,
            severity_normalized: normalized,
            workflow_status,
            record_state: doc.member("RecordState").and_then(Value::as_str).and_then(RecordState::parse),
            verification_state: doc
                .member("VerificationState")
                .and_then(Value::as_str)
                .and_then(VerificationState::parse),
            compliance_status: value_at(doc, &["Compliance", "Status"])
                .and_then(Value::as_str)
                .and_then(ComplianceStatus::parse),
            control_id: super::control::control_id(doc).unwrap_or_default().to_string(),
            resource_type: first.map(|r| str_at(r, &["Type"]).to_string()).unwrap_or_default(),
            resource_id: first.map(|r| str_at(r, &["Id"]).to_string()).unwrap_or_default(),
            resource_count: resources.map_or(0, Vec::len),
            types: doc
                .member("Types")
                .and_then(Value::as_array)
                .map(|t| t.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default(),
            created_at: s(&["CreatedAt"]),
            updated_at: s(&["UpdatedAt"]),
            first_observed_at: s(&["FirstObservedAt"]),
            last_observed_at: s(&["LastObservedAt"]),
            note_text: s(&["Note", "Text"]),
            note_updated_by: s(&["Note", "UpdatedBy"]),
            note_updated_at: s(&["Note", "UpdatedAt"]),
            confidence: doc.member("Confidence").and_then(int_of),
            criticality: doc.member("Criticality").and_then(int_of),
        }
    }
}

/// The length of `serde_json::to_vec(v)`, computed without serialising: the import limits (240 KB
/// per finding, 6 MB per call) are on the encoded size, and measuring each finding by encoding it
/// cost as much as storing it.
pub fn encoded_len(v: &Value) -> usize {
    match v {
        Value::Null => 4,
        Value::Bool(b) => 4 + usize::from(!b),
        Value::Number(n) => {
            // serde_json writes a Number exactly as it displays it (itoa / ryu).
            struct Count(usize);
            impl std::fmt::Write for Count {
                fn write_str(&mut self, s: &str) -> std::fmt::Result {
                    self.0 += s.len();
                    Ok(())
                }
            }
            let mut c = Count(0);
            let _ = std::fmt::write(&mut c, format_args!("{n}"));
            c.0
        }
        Value::String(s) => string_len(s),
        Value::Array(a) => 2 + a.len().saturating_sub(1) + a.iter().map(encoded_len).sum::<usize>(),
        Value::Object(m) => {
            2 + m.len().saturating_sub(1) + m.iter().map(|(k, v)| string_len(k) + 1 + encoded_len(v)).sum::<usize>()
        }
    }
}

/// An upper bound of `encoded_len(v)` that never reads string contents (a byte escapes to at most
/// six). Where the bound is within a limit, so is the length; only findings near a limit need the
/// exact length.
pub fn encoded_len_bound(v: &Value) -> usize {
    match v {
        // serde_json writes at most 24 characters for a number (ryu / itoa).
        Value::Null | Value::Bool(_) | Value::Number(_) => 24,
        Value::String(s) => 2 + 6 * s.len(),
        Value::Array(a) => 2 + a.len() + a.iter().map(encoded_len_bound).sum::<usize>(),
        Value::Object(m) => 2 + m.len() + m.iter().map(|(k, v)| 3 + 6 * k.len() + encoded_len_bound(v)).sum::<usize>(),
    }
}

/// A JSON string's encoded length: quotes, and serde_json's escapes (`\"`, `\\`, the short forms
/// `\b \t \n \f \r`, and `\u00XX` for the other control characters).
fn string_len(s: &str) -> usize {
    // Most strings need no escape; this count vectorises.
    if s.bytes().filter(|&b| b < 0x20 || b == b'"' || b == b'\\').count() == 0 {
        return 2 + s.len();
    }
    2 + s.len()
        + s.bytes()
            .map(|b| match b {
                b'"' | b'\\' | 0x08 | 0x09 | 0x0a | 0x0c | 0x0d => 1,
                0x00..=0x1f => 5,
                _ => 0,
            })
            .sum::<usize>()
}

/// Largest finding BatchImportFindings accepts (Security Hub user guide, "Using
/// BatchImportFindings": 240 KB).
pub const MAX_FINDING_BYTES: usize = 240 * 1024;

/// Checks a finding as BatchImportFindings does before accepting it. The message follows the service's
/// style ("Finding does not adhere to Amazon Finding Format. data.X ...") and names the member.
pub fn validate_asff(doc: &Value) -> Result<(), String> {
    let obj = doc.as_object().ok_or_else(|| "data should be an object".to_string())?;
    refuse_nulls(doc)?;
    for member in ["SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "Title", "Description"] {
        required_string(obj, member)?;
    }
    for member in ["CreatedAt", "UpdatedAt"] {
        let t = required_string(obj, member)?;
        if timestamp::parse(t).is_none() {
            return Err(format!("data.{member} \"{t}\" is not an RFC 3339 date-time"));
        }
    }
    for member in ["FirstObservedAt", "LastObservedAt", "ProcessedAt"] {
        if let Some(v) = obj.member(member) {
            let t = v.as_str().ok_or_else(|| format!("data.{member} should be string"))?;
            if timestamp::parse(t).is_none() {
                return Err(format!("data.{member} \"{t}\" is not an RFC 3339 date-time"));
            }
        }
    }
    check_product_arn(str_at(doc, &["ProductArn"]))?;
    max_len(obj, "Id", 512)?;
    max_len(obj, "Title", 256)?;
    max_len(obj, "Description", 1024)?;
    let account = str_at(doc, &["AwsAccountId"]);
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("data.AwsAccountId \"{account}\" should be a 12-digit account id"));
    }
    let resources = obj
        .member("Resources")
        .ok_or_else(|| "data should have required property 'Resources'".to_string())?
        .as_array()
        .ok_or_else(|| "data.Resources should be array".to_string())?;
    if resources.is_empty() || resources.len() > 32 {
        return Err(format!("data.Resources should have 1 to 32 items, not {}", resources.len()));
    }
    for (i, r) in resources.iter().enumerate() {
        let r = r.as_object().ok_or_else(|| format!("data.Resources[{i}] should be object"))?;
        for member in ["Type", "Id"] {
            required_string(r, member).map_err(|e| e.replace("data", &format!("data.Resources[{i}]")))?;
        }
    }
    // The model's FindingProviderSeverity has only Label and Original: there, only a Label ranks.
    let has_severity = obj.member("Severity").is_some_and(has_severity_value)
        || value_at(doc, &["FindingProviderFields", "Severity"]).is_some_and(|s| s.member("Label").is_some());
    if !has_severity {
        return Err(
            "data should have a Severity with a Label or Normalized value, or a FindingProviderFields.Severity with a Label"
            .to_string()
        );
    }
    check_severity(doc.member("Severity"), "data.Severity", true)?;
    check_severity(
        value_at(doc, &["FindingProviderFields", "Severity"]),
        "data.FindingProviderFields.Severity",
        false,
    )?;
    check_enum(doc, &["Workflow", "Status"], WorkflowStatus::parse, WorkflowStatus::allowed)?;
    check_enum(doc, &["WorkflowState"], WorkflowState::parse, WorkflowState::allowed)?;
    check_enum(doc, &["RecordState"], RecordState::parse, RecordState::allowed)?;
    check_enum(doc, &["VerificationState"], VerificationState::parse, VerificationState::allowed)?;
    check_enum(doc, &["Compliance", "Status"], ComplianceStatus::parse, ComplianceStatus::allowed)?;
    for path in [
        &["Confidence"][..],
        &["Criticality"],
        &["FindingProviderFields", "Confidence"],
        &["FindingProviderFields", "Criticality"],
    ] {
        if let Some(v) = value_at(doc, path) {
            match v.as_i64() {
                Some(0..=100) => {}
                _ => return Err(format!("data.{} should be an integer from 0 to 100, not {v}", path.join("."))),
            }
        }
    }
    for path in [&["Types"][..], &["FindingProviderFields", "Types"]] {
        if let Some(v) = value_at(doc, path) {
            let list = v.as_array().ok_or_else(|| format!("data.{} should be array", path.join(".")))?;
            if list.len() > 50 {
                return Err(format!("data.{} should have at most 50 items", path.join(".")));
            }
            // Only the shape is checked on import: real providers (Prowler) send namespaces outside the
            // five, and Security Hub accepts them; BatchUpdateFindings is where the namespace is enforced.
            for (i, t) in list.iter().enumerate() {
                if !t.as_str().is_some_and(|t| t.chars().any(|c| !c.is_whitespace())) {
                    return Err(format!("data.{}[{i}] should be a non-blank string", path.join(".")));
                }
            }
        }
    }
    if let Some(note) = obj.member("Note") {
        for member in ["Text", "UpdatedBy", "UpdatedAt"] {
            if note.member(member).and_then(Value::as_str).is_none() {
                return Err(format!("data.Note should have required property '{member}'"));
            }
        }
        if str_at(note, &["Text"]).chars().count() > 512 {
            return Err("data.Note.Text should NOT be longer than 512 characters".to_string());
        }
    }
    for path in [&["RelatedFindings"][..], &["FindingProviderFields", "RelatedFindings"]] {
        if let Some(v) = value_at(doc, path) {
            let list = v.as_array().ok_or_else(|| format!("data.{} should be array", path.join(".")))?;
            for (i, rf) in list.iter().enumerate() {
                for member in ["ProductArn", "Id"] {
                    if rf.member(member).and_then(Value::as_str).is_none_or(str::is_empty) {
                        return Err(format!("data.{}[{i}] should have required property '{member}'", path.join(".")));
                    }
                }
            }
        }
    }
    if let Some(v) = obj.member("UserDefinedFields") {
        let map = v.as_object().ok_or_else(|| "data.UserDefinedFields should be object".to_string())?;
        if map.values().any(|v| !v.is_string()) {
            return Err("data.UserDefinedFields values should be strings".to_string());
        }
    }
    Ok(())
}

/// ASFF: a finding's severity is its Label, or the deprecated Normalized it is derived from; an
/// Original alone is the product's own scale, which Security Hub cannot rank.
fn has_severity_value(s: &Value) -> bool {
    s.member("Label").is_some() || s.member("Normalized").is_some()
}

fn check_severity(sev: Option<&Value>, at: &str, top_level: bool) -> Result<(), String> {
    let Some(sev) = sev else { return Ok(()) };
    let Some(members) = sev.as_object() else {
        return Err(format!("{at} should be object"));
    };
    // The model's Severity and FindingProviderSeverity: a member outside them (a misspelt
    // `label`, a product's own `Score`) would be stored and read by nothing.
    let known: &[&str] =
        if top_level { &["Label", "Normalized", "Original", "Product"] } else { &["Label", "Original"] };
    if let Some(name) = members.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(format!("{at} has unknown member {}; it may have {}", sanitize::line(name), known.join(", ")));
    }
    if let Some(label) = sev.member("Label") {
        let ok = label.as_str().and_then(SeverityLabel::parse).is_some();
        if !ok {
            return Err(format!("{at}.Label {label} should be one of {}", SeverityLabel::allowed()));
        }
    }
    if top_level {
        // An integer (the model's Integer): not 50.7, not the string "50", which a reader of the
        // stored finding would round or parse differently.
        if let Some(n) = sev.member("Normalized") {
            match n.as_i64() {
                Some(0..=100) => {}
                _ => return Err(format!("{at}.Normalized should be an integer from 0 to 100, not {n}")),
            }
        }
    }
    if let Some(p) = sev.member("Product") {
        if !p.is_number() {
            return Err(format!("{at}.Product should be a number, not {}", json_type(p)));
        }
    }
    if let Some(o) = sev.member("Original") {
        match o.as_str() {
            Some(s) if s.chars().count() <= 64 => {}
            _ => return Err(format!("{at}.Original should be a string of at most 64 characters")),
        }
    }
    Ok(())
}

fn check_enum<T>(
    doc: &Value,
    path: &[&str],
    parse: fn(&str) -> Option<T>,
    allowed: fn() -> String,
) -> Result<(), String> {
    match value_at(doc, path) {
        None => Ok(()),
        Some(v) if v.as_str().and_then(parse).is_some() => Ok(()),
        Some(v) => Err(format!("data.{} {v} should be one of {}", path.join("."), allowed())),
    }
}

fn required_string<'a>(obj: &'a Map<String, Value>, member: &str) -> Result<&'a str, String> {
    match obj.member(member) {
        None | Some(Value::Null) => Err(format!("data should have required property '{member}'")),
        Some(Value::String(s)) if s.is_empty() => Err(format!("data.{member} should NOT be shorter than 1 characters")),
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(format!("data.{member} should be string, not {}", json_type(other))),
    }
}

fn max_len(obj: &Map<String, Value>, member: &str, max: usize) -> Result<(), String> {
    let n = obj.member(member).and_then(Value::as_str).map_or(0, |s| s.chars().count());
    if n > max {
        Err(format!("data.{member} should NOT be longer than {max} characters (it has {n})"))
    } else {
        Ok(())
    }
}

pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

mod checks;
pub use checks::null_refused;
use checks::{check_product_arn, refuse_nulls};

#[cfg(test)]
pub(crate) mod tests;
