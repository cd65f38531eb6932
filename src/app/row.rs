//! One list row: the summary columns of a finding, sanitised once when built. Rows never carry
//! documents; the live filter's lower-case copy of the search fields lives in `RowStore`.

use serde_json::{json, Value};

use crate::model::enums::{ComplianceStatus, RecordState, SeverityLabel, VerificationState, WorkflowStatus};
use crate::model::finding::{FindingKey, Summary};
use crate::model::sanitize;
use crate::store::ListedFinding;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    pub key: FindingKey,
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
}

fn clean(s: &str) -> String {
    sanitize::line(s).into_owned()
}

impl Row {
    pub fn from_listed(f: ListedFinding) -> Row {
        Row {
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
            updated_ns: crate::model::timestamp::parse(&f.updated_at)
                .map_or(f.updated_ns, crate::model::timestamp::to_nanos),
            updated_at: clean(&f.updated_at),
            key: FindingKey::new(f.product_arn, f.id),
        }
    }

    /// A row from a whole document (tests, benches, and backends that only have documents).
    pub fn from_doc(doc: &Value) -> Row {
        let s = Summary::of(doc);
        let updated_ns = crate::model::timestamp::parse(&s.updated_at).map_or(0, crate::model::timestamp::to_nanos);
        Row::from_listed(ListedFinding {
            product_arn: s.product_arn,
            id: s.id,
            product_name: s.product_name,
            aws_account_id: s.aws_account_id,
            region: s.region,
            title: s.title,
            severity_label: s.severity_label.map(|l| l.as_str().to_string()).unwrap_or_default(),
            workflow_status: s.workflow_status.map(|l| l.as_str().to_string()).unwrap_or_default(),
            record_state: s.record_state.map(|l| l.as_str().to_string()).unwrap_or_default(),
            verification_state: s.verification_state.map(|l| l.as_str().to_string()).unwrap_or_default(),
            compliance_status: s.compliance_status.map(|l| l.as_str().to_string()).unwrap_or_default(),
            control_id: s.control_id,
            resource_type: s.resource_type,
            resource_id: s.resource_id,
            updated_at: s.updated_at,
            updated_ns,
            confidence: s.confidence,
            criticality: s.criticality,
        })
    }

    /// The fields the `/` filter searches, in the haystack's order.
    pub fn search_fields(&self) -> [&str; 6] {
        [&self.title, &self.resource_type, &self.resource_id, &self.account, &self.product, &self.control_id]
    }

    /// The last path segment of the resource id: enough to recognise it in a narrow column.
    pub fn short_resource(&self) -> &str {
        self.resource_id.rsplit(['/', ':']).find(|s| !s.is_empty()).unwrap_or(&self.resource_id)
    }

    /// A minimal ASFF document with the fields a row knows, so the engine's own filter evaluator can
    /// decide structured queries in memory with exactly the store's semantics.
    pub fn probe_doc(&self) -> Value {
        let mut doc = json!({
            "Id": self.key.id,
            "ProductArn": self.key.product_arn,
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

/// Filter fields a row answers exactly (its first resource alone would not answer resource filters):
/// derived from the field registry (`model::filter::fields`).
pub static IN_MEMORY_FIELDS: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| crate::model::filter::fields::in_memory().collect());
