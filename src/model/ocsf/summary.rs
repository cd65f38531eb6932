//! An OCSF finding in the neutral summary (the list row), and telling the two formats apart.
//!
//! The summary's shared fields order, filter and group both formats alike: `severity` and
//! `workflow` hold the ASFF labels the OCSF ids map to (see `enums`), `record_state` is ARCHIVED for
//! a closed or Archived finding, `compliance` the ASFF compliance status. What OCSF says beyond the
//! ASFF labels (Fatal, Unknown, Other, In Progress, Archived) rides beside them in `ocsf`
//! ([`OcsfLabels`]), for the list to show as themselves ([`FindingSummary::severity_text`]); ASFF
//! rows have `ocsf: None` and read exactly as before.

use serde_json::Value;

use super::{Ocsf, OcsfClass, SeverityId, StatusId};
use crate::model::enums::{RecordState, SeverityLabel, WorkflowStatus};
use crate::model::finding::{FindingId, Format, Member};
use crate::model::summary::{FindingSummary, SummaryColumns};
use crate::model::timestamp;

/// What an OCSF row knows beyond the ASFF labels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OcsfLabels {
    pub class: Option<OcsfClass>,
    pub severity_id: Option<SeverityId>,
    pub status_id: Option<StatusId>,
}

impl Format {
    /// Which schema a finding document follows: OCSF when it has a `class_uid` or a `metadata`
    /// object (the OCSF base event), ASFF when it has the ASFF's own required members
    /// (`SchemaVersion`, `ProductArn`, `AwsAccountId`, `Id`); `None` for neither.
    pub fn of(doc: &Value) -> Option<Format> {
        let obj = doc.as_object()?;
        if obj.member("class_uid").is_some() || obj.member("metadata").is_some_and(Value::is_object) {
            return Some(Format::Ocsf);
        }
        ["SchemaVersion", "ProductArn", "AwsAccountId", "Id"]
            .iter()
            .any(|m| obj.member(m).is_some())
            .then_some(Format::Asff)
    }
}

impl FindingSummary {
    /// The summary of a whole OCSF document. The first resource gives the resource columns, as the
    /// first ASFF resource does; `updated_at` is `finding_info.modified_time` (else `time`).
    pub fn from_ocsf(doc: &Value) -> FindingSummary {
        let f = Ocsf(doc);
        let severity_id = f.severity_id();
        let status_id = f.status_id();
        let updated = f.updated_time();
        let first = f.first_resource().unwrap_or_default();
        let label = |s: Option<&'static str>| s.unwrap_or_default().to_string();
        let mut s = FindingSummary::from_columns(SummaryColumns {
            key: FindingId::Ocsf(f.metadata_uid().to_string()),
            product_name: f.product_name().to_string(),
            aws_account_id: f.account().to_string(),
            region: f.region().to_string(),
            title: f.title().to_string(),
            severity_label: label(severity_id.and_then(SeverityId::to_label).map(SeverityLabel::as_str)),
            workflow_status: label(status_id.map(|s| s.to_workflow().as_str())),
            record_state: if f.is_closed() { RecordState::Archived } else { RecordState::Active }.as_str().to_string(),
            verification_state: String::new(),
            compliance_status: label(f.compliance_status_id().map(|c| c.to_asff().as_str())),
            control_id: f.control().to_string(),
            resource_type: first.r#type,
            resource_id: if first.uid.is_empty() { first.uid_alt } else { first.uid },
            generator_id: f.generator().to_string(),
            types: f.types().join("\n"),
            updated_at: updated.map(timestamp::format).unwrap_or_default(),
            updated_ns: updated.map_or(0, timestamp::to_nanos),
            confidence: doc.member("confidence_score").and_then(crate::model::finding::int_of),
            criticality: None,
            ocsf: None,
        });
        s.ocsf = Some(OcsfLabels { class: f.class(), severity_id, status_id });
        s
    }

    /// The severity as the list shows it: the ASFF label, or for an OCSF finding its own value in
    /// the labels' style (FATAL, UNKNOWN, OTHER beside INFORMATIONAL .. CRITICAL).
    pub fn severity_text(&self) -> &'static str {
        match self.ocsf.and_then(|o| o.severity_id) {
            Some(id) => id.label_text(),
            None => self.severity.map_or("", SeverityLabel::as_str),
        }
    }

    /// The workflow status as the list shows it: the ASFF status, or for an OCSF finding its own
    /// (UNKNOWN, IN_PROGRESS, ARCHIVED and OTHER beside NEW, SUPPRESSED, RESOLVED).
    pub fn workflow_text(&self) -> &'static str {
        match self.ocsf.and_then(|o| o.status_id) {
            Some(id) => id.label_text(),
            None => self.workflow.map_or("", WorkflowStatus::as_str),
        }
    }
}
