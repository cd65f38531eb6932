//! The neutral finding summary: what the list, sorting, grouping and the in-memory query know of a
//! finding, whichever format (ASFF or OCSF) it is stored in and whichever backend it came from. Each
//! format maps into it; its display text is sanitised once, when it is built.

use serde_json::{json, Value};

use super::enums::{ComplianceStatus, RecordState, SeverityLabel, VerificationState, WorkflowStatus};
use super::finding::{FindingId, Format, Summary};
use super::sanitize;
use super::timestamp;

#[derive(Debug, Clone, Default, PartialEq)]
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
    pub title: String,
    pub resource_type: String,
    pub resource_id: String,
    pub account: String,
    pub region: String,
    pub product: String,
    pub control_id: String,
    pub updated_at: String,
    pub updated_ns: i64,
    /// An OCSF finding's own severity, status and class beside the ASFF labels above; `None` for ASFF.
    pub ocsf: Option<super::ocsf::OcsfLabels>,
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
    pub updated_at: String,
    pub updated_ns: i64,
    pub confidence: Option<i64>,
    pub criticality: Option<i64>,
}

fn clean(s: &str) -> String {
    sanitize::line(s).into_owned()
}

impl FindingSummary {
    pub fn from_columns(f: SummaryColumns) -> FindingSummary {
        FindingSummary {
            severity: SeverityLabel::parse(&f.severity_label),
            workflow: WorkflowStatus::parse(&f.workflow_status),
            record_state: RecordState::parse(&f.record_state),
            verification: VerificationState::parse(&f.verification_state),
            compliance: ComplianceStatus::parse(&f.compliance_status),
            confidence: f.confidence,
            criticality: f.criticality,
            title: clean(&f.title),
            resource_type: clean(&f.resource_type),
            resource_id: clean(&f.resource_id),
            account: clean(&f.aws_account_id),
            region: clean(&f.region),
            product: clean(&f.product_name),
            control_id: clean(&f.control_id),
            updated_ns: timestamp::parse(&f.updated_at).map_or(f.updated_ns, timestamp::to_nanos),
            updated_at: clean(&f.updated_at),
            key: f.key,
            ocsf: None,
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
            updated_at: s.updated_at,
            updated_ns,
            confidence: s.confidence,
            criticality: s.criticality,
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
            "AwsAccountId": self.account,
            "Region": self.region,
            "ProductName": self.product,
            "Title": self.title,
            "UpdatedAt": self.updated_at,
            "Compliance": {"SecurityControlId": self.control_id},
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
