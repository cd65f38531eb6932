//! The neutral finding summary: what the list, sorting, grouping and the in-memory query know of a
//! finding, whichever format (ASFF or OCSF) it is stored in and whichever backend it came from. Each
//! format maps into it; its display text is sanitised once, when it is built.

use serde_json::{json, Value};

use super::enums::{ComplianceStatus, RecordState, SeverityLabel, VerificationState, WorkflowStatus};
use super::finding::{FindingId, Format, Summary};
use super::sanitize;
use super::timestamp;

#[derive(Debug, Clone, PartialEq)]
pub struct FindingSummary {
    pub key: FindingId,
    pub severity: Option<SeverityLabel>,
    pub workflow: Option<WorkflowStatus>,
    pub record_state: Option<RecordState>,
    pub verification: Option<VerificationState>,
    pub compliance: Option<ComplianceStatus>,
    pub confidence: Option<i64>,
    pub criticality: Option<i64>,
    /// Display text below is sanitised: no control or escape character survives.
    pub title: Shared,
    pub resource_type: Shared,
    pub resource_id: Shared,
    pub account: Shared,
    pub region: Shared,
    pub product: Shared,
    pub control_id: Shared,
    /// The generator (ASFF GeneratorId; OCSF: the analytic's uid, else its name, as the ASFF
    /// mapping names it) and the finding types joined with ", " (ASFF Types; OCSF
    /// finding_info.types): list columns and group fields, interned like the region.
    pub generator: Shared,
    pub types: Shared,
    /// The updated time as the source wrote it (sanitised), kept only when `updated_ns` does not
    /// give it back (text that is no time, or not in the service's form): a million rows kept it
    /// beside its nanoseconds at about 56 bytes each. Read through `updated_at` and
    /// `updated_time`.
    pub updated_text: Option<Shared>,
    pub updated_ns: i64,
    /// An OCSF finding's own severity, status and class beside the ASFF labels above; `None` for ASFF.
    pub ocsf: Option<super::ocsf::OcsfLabels>,
}

/// No values; no updated time (its text empty, as `from_columns` reads a missing one).
impl Default for FindingSummary {
    fn default() -> Self {
        FindingSummary {
            key: FindingId::default(),
            severity: None,
            workflow: None,
            record_state: None,
            verification: None,
            compliance: None,
            confidence: None,
            criticality: None,
            title: Shared::default(),
            resource_type: Shared::default(),
            resource_id: Shared::default(),
            account: Shared::default(),
            region: Shared::default(),
            product: Shared::default(),
            control_id: Shared::default(),
            generator: Shared::default(),
            types: Shared::default(),
            updated_text: Some(Shared::default()),
            updated_ns: 0,
            ocsf: None,
        }
    }
}

/// Text that many summaries hold alike (an account, a region, a product, a resource type, a control
/// id, and often a title or a resource id): reference-counted, so a list holding a million rows keeps
/// one copy of each value (the list interns them, `app::rows`). Reads as a `&str`.
///
/// One pointer (8 bytes) rather than `Arc<str>`'s pointer and length: a row holds ten of them, so
/// at a million rows the lengths beside each row's pointers were 80 MB. The count, the length and
/// the text are one allocation (`arcstr::ArcStr`): reading a value's length or text follows one
/// pointer, where the `Arc<Box<str>>` before it followed two to two allocations (the interning's
/// compare of a candidate was mostly that second cache miss, and each distinct value cost two
/// allocations and their headers).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Shared(arcstr::ArcStr);

impl Shared {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether both are the one copy (interned alike), which then need no comparing.
    pub fn same(&self, other: &Shared) -> bool {
        arcstr::ArcStr::ptr_eq(&self.0, &other.0)
    }

    /// Where the one copy is held: the same for every clone, and for no other value while one lives
    /// (the text sits in the copy's one allocation; the empty text is one static copy for all).
    pub fn addr(&self) -> usize {
        self.0.as_ptr() as usize
    }
}

/// The empty text: one static copy, cloned without counting, so rows without a value allocate nothing.
impl Default for Shared {
    fn default() -> Self {
        Shared(arcstr::ArcStr::new())
    }
}

impl std::ops::Deref for Shared {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Shared {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Shared {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Shared {
    fn from(s: &str) -> Self {
        Shared(arcstr::ArcStr::from(s))
    }
}

impl From<&String> for Shared {
    fn from(s: &String) -> Self {
        Shared(arcstr::ArcStr::from(s.as_str()))
    }
}

impl From<Shared> for String {
    fn from(s: Shared) -> Self {
        s.as_str().to_string()
    }
}

impl serde::Serialize for Shared {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

impl rusqlite::types::FromSql for Shared {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        value.as_str().map(Shared::from)
    }
}

impl rusqlite::ToSql for Shared {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::Borrowed(rusqlite::types::ValueRef::Text(self.as_bytes())))
    }
}

impl From<String> for Shared {
    fn from(s: String) -> Self {
        Shared(arcstr::ArcStr::from(s.as_str()))
    }
}

impl PartialEq<str> for Shared {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Shared {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Shared {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

/// The summary columns as a backend holds them, raw (the local store's listing, a remote's cache).
/// `FindingSummary::from_columns` sanitises and types them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SummaryColumns {
    pub key: FindingId,
    pub product_name: String,
    pub aws_account_id: String,
    pub region: String,
    pub title: String,
    pub severity_label: String,
    pub workflow_status: String,
    pub record_state: String,
    pub verification_state: String,
    pub compliance_status: String,
    pub control_id: String,
    pub resource_type: String,
    pub resource_id: String,
    pub generator_id: String,
    /// The types one a line, as the store's `types` column holds them.
    pub types: String,
    pub updated_at: String,
    pub updated_ns: i64,
    pub confidence: Option<i64>,
    pub criticality: Option<i64>,
    /// An OCSF row's own severity, status and class (`None` for ASFF).
    pub ocsf: Option<super::ocsf::OcsfLabels>,
}

/// The summary columns borrowed from where they are read: the store's listing reads each row's
/// text in place (`rusqlite`'s `get_ref`) instead of into a string per column. The key is read
/// apart (it is the one value each row owns).
#[derive(Debug, Clone, Copy, Default)]
pub struct ColumnsRef<'a> {
    pub product_name: &'a str,
    pub aws_account_id: &'a str,
    pub region: &'a str,
    pub title: &'a str,
    pub severity_label: &'a str,
    pub workflow_status: &'a str,
    pub record_state: &'a str,
    pub verification_state: &'a str,
    pub compliance_status: &'a str,
    pub control_id: &'a str,
    pub resource_type: &'a str,
    pub resource_id: &'a str,
    pub generator_id: &'a str,
    pub types: &'a str,
    pub updated_at: &'a str,
    pub updated_ns: i64,
    pub confidence: Option<i64>,
    pub criticality: Option<i64>,
    pub ocsf: Option<super::ocsf::OcsfLabels>,
}

impl SummaryColumns {
    /// The columns borrowed, and the key.
    fn split(&self) -> ColumnsRef<'_> {
        ColumnsRef {
            product_name: &self.product_name,
            aws_account_id: &self.aws_account_id,
            region: &self.region,
            title: &self.title,
            severity_label: &self.severity_label,
            workflow_status: &self.workflow_status,
            record_state: &self.record_state,
            verification_state: &self.verification_state,
            compliance_status: &self.compliance_status,
            control_id: &self.control_id,
            resource_type: &self.resource_type,
            resource_id: &self.resource_id,
            generator_id: &self.generator_id,
            types: &self.types,
            updated_at: &self.updated_at,
            updated_ns: self.updated_ns,
            confidence: self.confidence,
            criticality: self.criticality,
            ocsf: self.ocsf,
        }
    }
}

/// A multiply-rotate hash over 8-byte words (as rustc's FxHash), for tables of text values that
/// only the rows being loaded fill (`Values`, the list's interning, `app::rows`): SipHash's
/// resistance to chosen keys buys nothing there (a bad case costs time, never correctness).
#[derive(Debug, Default, Clone, Copy)]
pub struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl WordHasher {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// The text columns `Values` keeps apart.
#[derive(Clone, Copy)]
enum Column {
    Title,
    ResourceType,
    ResourceId,
    Account,
    Region,
    Product,
    Control,
    Generator,
    Types,
}

/// One copy of each (sanitised) value met so far, per text column, for a reader that builds many
/// summaries (the store's listing): a million rows name a few hundred accounts, regions, products
/// and controls, and a value met again is the copy already made instead of a new allocation (the
/// list interns the rows again on its own thread, `app::rows`, and finds these copies).
#[derive(Default)]
pub struct Values {
    kept: Option<Box<[ValueSet; 9]>>,
    /// Where a row's types are joined: one buffer for every row rather than a string each (a
    /// string made and freed per row made the allocator consolidate its free lists, ~4% of a
    /// million rows' load).
    joined: String,
}

type ValueSet = std::collections::HashSet<Shared, std::hash::BuildHasherDefault<WordHasher>>;

/// Values kept per column at most: a column whose values do not repeat (a title each) stops
/// growing there, and makes a copy for each new value as without the cache.
const VALUES_KEPT: usize = 1 << 19;

impl Values {
    /// A cache that keeps the values it meets.
    pub fn kept() -> Values {
        Values { kept: Some(Box::default()), joined: String::new() }
    }

    /// `raw` sanitised, as the column's one copy if it was met before.
    fn get(&mut self, column: Column, raw: &str) -> Shared {
        let text = sanitize::line(raw);
        let Some(sets) = &mut self.kept else { return Shared::from(&*text) };
        let set = &mut sets[column as usize];
        if let Some(one) = set.get(&*text) {
            return one.clone();
        }
        let one = Shared::from(&*text);
        if set.len() < VALUES_KEPT {
            set.insert(one.clone());
        }
        one
    }
}

/// `timestamp::format(timestamp::from_nanos(ns)) == text`, without formatting: the load of a
/// million rows formatted each row's time with `format!` only to compare it (3% of its CPU).
fn formats_as(ns: i64, text: &str) -> bool {
    let t = timestamp::from_nanos(ns).to_offset(time::UtcOffset::UTC);
    let year = t.year();
    let Ok(year) = u32::try_from(year) else { return timestamp::format(t) == text };
    if year > 9999 {
        return timestamp::format(t) == text;
    }
    // "YYYY-MM-DDTHH:MM:SS.mmmZ"
    let mut out = *b"0000-00-00T00:00:00.000Z";
    let mut put = |at: usize, width: usize, mut v: u32| {
        for i in (at..at + width).rev() {
            if let Some(d) = out.get_mut(i) {
                *d = b'0' + (v % 10) as u8;
            }
            v /= 10;
        }
    };
    put(0, 4, year);
    put(5, 2, u32::from(u8::from(t.month())));
    put(8, 2, u32::from(t.day()));
    put(11, 2, u32::from(t.hour()));
    put(14, 2, u32::from(t.minute()));
    put(17, 2, u32::from(t.second()));
    put(20, 3, u32::from(t.millisecond()));
    out == text.as_bytes()
}

fn clean(s: &str) -> String {
    sanitize::line(s).into_owned()
}

impl FindingSummary {
    pub fn from_columns(f: SummaryColumns) -> FindingSummary {
        let mut s = FindingSummary::from_ref(FindingId::default(), &f.split(), &mut Values::default());
        s.key = f.key;
        s
    }

    /// The summary of `key` and its borrowed columns (sanitised and typed), its text values taken
    /// from `values` when met before.
    pub fn from_ref(key: FindingId, f: &ColumnsRef<'_>, values: &mut Values) -> FindingSummary {
        // The store holds the types one a line; the list shows them joined.
        let mut joined = std::mem::take(&mut values.joined);
        let types = if f.types.contains('\n') {
            joined.clear();
            for t in f.types.split('\n').filter(|t| !t.is_empty()) {
                if !joined.is_empty() {
                    joined.push_str(", ");
                }
                joined.push_str(t);
            }
            joined.as_str()
        } else {
            f.types
        };
        let types = values.get(Column::Types, types);
        values.joined = joined;
        let parsed = timestamp::parse(f.updated_at);
        let updated_ns = parsed.map_or(f.updated_ns, timestamp::to_nanos);
        // The text as written, kept only when the nanoseconds do not give it back (`with_updated_text`).
        let text = sanitize::line(f.updated_at);
        let text_parsed = match &text {
            std::borrow::Cow::Borrowed(_) => parsed,
            std::borrow::Cow::Owned(t) => timestamp::parse(t),
        };
        let exact = text_parsed.map(timestamp::to_nanos) == Some(updated_ns) && formats_as(updated_ns, &text);
        FindingSummary {
            severity: SeverityLabel::parse(f.severity_label),
            workflow: WorkflowStatus::parse(f.workflow_status),
            record_state: RecordState::parse(f.record_state),
            verification: VerificationState::parse(f.verification_state),
            compliance: ComplianceStatus::parse(f.compliance_status),
            confidence: f.confidence,
            criticality: f.criticality,
            title: values.get(Column::Title, f.title),
            resource_type: values.get(Column::ResourceType, f.resource_type),
            resource_id: values.get(Column::ResourceId, f.resource_id),
            account: values.get(Column::Account, f.aws_account_id),
            region: values.get(Column::Region, f.region),
            product: values.get(Column::Product, f.product_name),
            control_id: values.get(Column::Control, f.control_id),
            generator: values.get(Column::Generator, f.generator_id),
            types,
            updated_ns,
            updated_text: (!exact).then(|| Shared::from(&*text)),
            key,
            ocsf: f.ocsf,
        }
    }

    /// `self` with `text` as its updated time as written (`updated_ns` already set): kept only
    /// when the nanoseconds do not give it back, as the service writes times
    /// (`timestamp::format`), and name the time it parses as.
    fn with_updated_text(mut self, text: &str) -> FindingSummary {
        let ns = self.updated_ns;
        let exact = timestamp::parse(text).map(timestamp::to_nanos) == Some(ns)
            && timestamp::format(timestamp::from_nanos(ns)) == text;
        self.updated_text = (!exact).then(|| text.into());
        self
    }

    /// Sets the updated time as a source would write it (`text`, as `from_columns` reads it).
    pub fn set_updated_at(&mut self, text: &str) {
        self.updated_ns = timestamp::parse(text).map_or(0, timestamp::to_nanos);
        *self = std::mem::take(self).with_updated_text(&clean(text));
    }

    /// The updated time the summary's text parses as: what a date filter on `UpdatedAt` reads.
    pub fn updated_time(&self) -> Option<time::OffsetDateTime> {
        match &self.updated_text {
            Some(text) => timestamp::parse(text),
            None => Some(timestamp::from_nanos(self.updated_ns)),
        }
    }

    /// The updated time as written (sanitised).
    pub fn updated_at(&self) -> std::borrow::Cow<'_, str> {
        match &self.updated_text {
            Some(text) => std::borrow::Cow::Borrowed(text.as_str()),
            None => std::borrow::Cow::Owned(timestamp::format(timestamp::from_nanos(self.updated_ns))),
        }
    }

    /// The summary of a whole ASFF document (tests, benches, and backends that only have documents).
    pub fn from_asff(doc: &Value) -> FindingSummary {
        let s = Summary::of(doc);
        let updated_ns = timestamp::parse(&s.updated_at).map_or(0, timestamp::to_nanos);
        let label = |l: Option<&'static str>| l.unwrap_or_default().to_string();
        FindingSummary::from_columns(SummaryColumns {
            key: FindingId::asff(s.product_arn, s.id),
            product_name: s.product_name,
            aws_account_id: s.aws_account_id,
            region: s.region,
            title: s.title,
            severity_label: label(s.severity_label.map(SeverityLabel::as_str)),
            workflow_status: label(s.workflow_status.map(WorkflowStatus::as_str)),
            record_state: label(s.record_state.map(RecordState::as_str)),
            verification_state: label(s.verification_state.map(VerificationState::as_str)),
            compliance_status: label(s.compliance_status.map(ComplianceStatus::as_str)),
            control_id: s.control_id,
            resource_type: s.resource_type,
            resource_id: s.resource_id,
            generator_id: s.generator_id,
            types: s.types.join("\n"),
            updated_at: s.updated_at,
            updated_ns,
            confidence: s.confidence,
            criticality: s.criticality,
            ocsf: None,
        })
    }

    pub fn format(&self) -> Format {
        self.key.format()
    }

    /// The fields the `/` filter searches, in the haystack's order.
    pub fn search_fields(&self) -> [&str; 6] {
        [&self.title, &self.resource_type, &self.resource_id, &self.account, &self.product, &self.control_id]
    }

    /// The last path segment of the resource id: enough to recognise it in a narrow column.
    pub fn short_resource(&self) -> &str {
        super::resource::short_id(&self.resource_id)
    }

    /// A minimal ASFF document with the fields a summary knows, so the engine's own filter evaluator
    /// can decide structured queries in memory with exactly the store's semantics.
    pub fn probe_doc(&self) -> Value {
        let mut doc = json!({
            "Id": self.key.display_id(),
            "ProductArn": self.key.scope(),
            "AwsAccountId": self.account.as_str(),
            "Region": self.region.as_str(),
            "ProductName": self.product.as_str(),
            "Title": self.title.as_str(),
            "UpdatedAt": self.updated_at(),
            "Compliance": {"SecurityControlId": self.control_id.as_str()},
        });
        let set = |doc: &mut Value, path: &[&str], v: Value| {
            let mut at = doc;
            for p in &path[..path.len() - 1] {
                at = &mut at[*p];
            }
            at[path[path.len() - 1]] = v;
        };
        if let Some(s) = self.severity {
            set(&mut doc, &["Severity"], json!({"Label": s.as_str()}));
        }
        if let Some(w) = self.workflow {
            set(&mut doc, &["Workflow"], json!({"Status": w.as_str()}));
        }
        if let Some(r) = self.record_state {
            set(&mut doc, &["RecordState"], json!(r.as_str()));
        }
        if let Some(v) = self.verification {
            set(&mut doc, &["VerificationState"], json!(v.as_str()));
        }
        if let Some(c) = self.compliance {
            set(&mut doc, &["Compliance", "Status"], json!(c.as_str()));
        }
        if let Some(c) = self.confidence {
            set(&mut doc, &["Confidence"], json!(c));
        }
        if let Some(c) = self.criticality {
            set(&mut doc, &["Criticality"], json!(c));
        }
        doc
    }
}

#[cfg(test)]
mod tests;
