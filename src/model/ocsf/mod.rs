//! OCSF findings (Security Hub's V2 APIs keep findings in the Open Cybersecurity Schema Framework,
//! classes 2002 Vulnerability, 2003 Compliance, 2004 Detection and 2006 Data Security): reading a
//! finding's identity and the members triage needs from the document, telling the two formats apart
//! (`Format::of`), the checks a V2 finding passes before it is stored (`validate`), its summary for
//! the list (`summary`: `FindingSummary::from_ocsf`), GetFindingsV2's filters (`filter`), and
//! BatchUpdateFindingsV2's change to a finding (`update`; on the stored text, `text`), and the import
//! rules (`import`).
//!
//! The document (the service model's `OcsfFinding` is a free-form document) is the source of truth;
//! reading is lenient (a member of the wrong type reads as absent), validation is strict.
//!
//! Identity (BatchUpdateFindingsV2 API reference): a finding is its `metadata.uid`, or the triple
//! (`cloud.account.uid`, `finding_info.uid`, `metadata.product.uid`), the `OcsfFindingIdentifier`.

use serde_json::{json, Value};
use time::OffsetDateTime;

use super::finding::{int_of, str_at, value_at, FindingKey, Member};
use super::timestamp;

pub mod asff;
pub mod enums;
pub mod filter;
pub mod import;
pub mod same;
pub mod summary;
pub mod text;
pub mod update;
pub mod validate;

pub use asff::asff_view;
pub use enums::{ComplianceStatusId, OcsfClass, SeverityId, StatusId};
pub use summary::OcsfLabels;
pub use update::OcsfUpdate;
pub use validate::validate_ocsf;

/// The `OcsfFindingIdentifier` of the service model: the triple that names a V2 finding beside its
/// `metadata.uid`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OcsfFindingIdentifier {
    /// `cloud.account.uid`.
    pub cloud_account_uid: String,
    /// `finding_info.uid`.
    pub finding_info_uid: String,
    /// `metadata.product.uid`.
    pub metadata_product_uid: String,
}

impl OcsfFindingIdentifier {
    pub fn new(account: impl Into<String>, finding: impl Into<String>, product: impl Into<String>) -> Self {
        OcsfFindingIdentifier {
            cloud_account_uid: account.into(),
            finding_info_uid: finding.into(),
            metadata_product_uid: product.into(),
        }
    }

    /// `{"CloudAccountUid", "FindingInfoUid", "MetadataProductUid"}`, the wire shape.
    pub fn to_json(&self) -> Value {
        json!({
            "CloudAccountUid": self.cloud_account_uid,
            "FindingInfoUid": self.finding_info_uid,
            "MetadataProductUid": self.metadata_product_uid,
        })
    }

    /// The ASFF identity of the same finding seen through the V1 APIs, as AWS's Automated Security
    /// Response solution pairs them: `finding_info.uid` is the ASFF `Id`, and the product uid is the
    /// ProductArn with `::productv2/` for `::product/`.
    pub fn to_asff(&self) -> FindingKey {
        FindingKey::new(asff_product_arn(&self.metadata_product_uid), self.finding_info_uid.clone())
    }
}

/// `arn:aws:securityhub:<region>::productv2/aws/guardduty` -> `...::product/aws/guardduty`.
pub fn asff_product_arn(product_uid: &str) -> String {
    product_uid.replacen("::productv2/", "::product/", 1)
}

/// `arn:aws:securityhub:<region>::product/aws/guardduty` -> `...::productv2/aws/guardduty`.
pub fn ocsf_product_uid(product_arn: &str) -> String {
    product_arn.replacen("::product/", "::productv2/", 1)
}

/// A resource of the finding (`resources[]`), as the list and the detail pane show it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OcsfResource {
    pub r#type: String,
    pub uid: String,
    /// `uid_alt` (AWS writes the ARN there when `uid` is a name or a URL).
    pub uid_alt: String,
    pub name: String,
    pub region: String,
}

/// `compliance`: the control, its standards and the check's status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OcsfCompliance {
    pub control: String,
    pub standards: Vec<String>,
    /// `compliance.status`, the caption (`Fail`).
    pub status: String,
    pub status_id: Option<ComplianceStatusId>,
}

/// One `vulnerabilities[]` entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OcsfVulnerability {
    /// `cve.uid`.
    pub cve: String,
    /// The highest `cve.cvss[].base_score`.
    pub cvss_score: Option<f64>,
    /// `affected_packages[]`: (name, version, fixed_in_version).
    pub packages: Vec<(String, String, String)>,
    pub fix_available: Option<bool>,
    pub exploit_available: Option<bool>,
}

/// A read-only view of an OCSF finding document: every accessor reads the member where the OCSF
/// schema puts it, and gives "" / `None` / empty when it is missing or of another type.
#[derive(Debug, Clone, Copy)]
pub struct Ocsf<'a>(pub &'a Value);

impl<'a> Ocsf<'a> {
    fn s(&self, path: &[&str]) -> &'a str {
        str_at(self.0, path)
    }

    fn int(&self, path: &[&str]) -> Option<i64> {
        value_at(self.0, path).and_then(int_of)
    }

    /// `metadata.uid`, the finding's global identity.
    pub fn metadata_uid(&self) -> &'a str {
        self.s(&["metadata", "uid"])
    }

    pub fn account(&self) -> &'a str {
        self.s(&["cloud", "account", "uid"])
    }

    pub fn account_name(&self) -> &'a str {
        self.s(&["cloud", "account", "name"])
    }

    pub fn finding_uid(&self) -> &'a str {
        self.s(&["finding_info", "uid"])
    }

    pub fn product_uid(&self) -> &'a str {
        self.s(&["metadata", "product", "uid"])
    }

    pub fn product_name(&self) -> &'a str {
        self.s(&["metadata", "product", "name"])
    }

    /// The triple, when all three members are strings.
    pub fn identifier(&self) -> Option<OcsfFindingIdentifier> {
        let (a, f, p) = (self.account(), self.finding_uid(), self.product_uid());
        (!a.is_empty() && !f.is_empty() && !p.is_empty()).then(|| OcsfFindingIdentifier::new(a, f, p))
    }

    pub fn class_uid(&self) -> Option<i64> {
        self.int(&["class_uid"])
    }

    pub fn class(&self) -> Option<OcsfClass> {
        self.class_uid().and_then(OcsfClass::from_id)
    }

    /// `severity_id`, or the `severity` caption when the id is missing.
    pub fn severity_id(&self) -> Option<SeverityId> {
        match self.int(&["severity_id"]) {
            Some(id) => SeverityId::from_id(id),
            None => SeverityId::from_caption(self.severity()),
        }
    }

    pub fn severity(&self) -> &'a str {
        self.s(&["severity"])
    }

    /// `status_id`, or the `status` caption when the id is missing.
    pub fn status_id(&self) -> Option<StatusId> {
        match self.int(&["status_id"]) {
            Some(id) => StatusId::from_id(id),
            None => StatusId::from_caption(self.status()),
        }
    }

    pub fn status(&self) -> &'a str {
        self.s(&["status"])
    }

    /// `activity_id` 3 (Close) is how OCSF says a finding is closed, ASFF's RecordState ARCHIVED.
    pub fn is_closed(&self) -> bool {
        self.int(&["activity_id"]) == Some(3) || self.status_id().is_some_and(StatusId::is_archived)
    }

    pub fn title(&self) -> &'a str {
        self.s(&["finding_info", "title"])
    }

    pub fn desc(&self) -> &'a str {
        self.s(&["finding_info", "desc"])
    }

    pub fn types(&self) -> Vec<&'a str> {
        strings(value_at(self.0, &["finding_info", "types"]))
    }

    /// The analytic (the rule or detector) as the ASFF mapping's GeneratorId: its uid, else its name.
    pub fn generator(&self) -> &'a str {
        match self.s(&["finding_info", "analytic", "uid"]) {
            "" => self.s(&["finding_info", "analytic", "name"]),
            uid => uid,
        }
    }

    pub fn region(&self) -> &'a str {
        self.s(&["cloud", "region"])
    }

    pub fn comment(&self) -> &'a str {
        self.s(&["comment"])
    }

    /// `finding_info.created_time_dt`, else `finding_info.created_time` (epoch milliseconds).
    pub fn created_time(&self) -> Option<OffsetDateTime> {
        time_of(self.0, &["finding_info"], "created_time")
    }

    /// `finding_info.modified_time_dt`, else `finding_info.modified_time`.
    pub fn modified_time(&self) -> Option<OffsetDateTime> {
        time_of(self.0, &["finding_info"], "modified_time")
    }

    /// The event's `time_dt`, else `time`.
    pub fn time(&self) -> Option<OffsetDateTime> {
        time_of(self.0, &[], "time")
    }

    /// When the provider last changed the finding: `finding_info.modified_time`, else `time`. This is
    /// what an import compares (a later one replaces the stored finding) and what the list's
    /// "updated" column shows; BatchUpdateFindingsV2 never changes it.
    pub fn updated_time(&self) -> Option<OffsetDateTime> {
        self.modified_time().or_else(|| self.time())
    }

    pub fn resources(&self) -> Vec<OcsfResource> {
        let Some(list) = self.0.member("resources").and_then(Value::as_array) else { return Vec::new() };
        list.iter().filter(|r| r.is_object()).map(resource).collect()
    }

    /// The first resource, which the list shows (as it shows the first ASFF resource).
    pub fn first_resource(&self) -> Option<OcsfResource> {
        self.0.member("resources").and_then(Value::as_array)?.iter().find(|r| r.is_object()).map(resource)
    }

    /// `compliance.control`.
    pub fn control(&self) -> &'a str {
        self.s(&["compliance", "control"])
    }

    /// `compliance.status_id`, or the `compliance.status` caption when the id is missing.
    pub fn compliance_status_id(&self) -> Option<ComplianceStatusId> {
        match self.int(&["compliance", "status_id"]) {
            Some(id) => ComplianceStatusId::from_id(id),
            None => ComplianceStatusId::from_caption(self.s(&["compliance", "status"])),
        }
    }

    pub fn compliance(&self) -> Option<OcsfCompliance> {
        let c = self.0.member("compliance").filter(|c| c.is_object())?;
        let status = str_at(c, &["status"]).to_string();
        let status_id = match c.member("status_id").and_then(int_of) {
            Some(id) => ComplianceStatusId::from_id(id),
            None => ComplianceStatusId::from_caption(&status),
        };
        Some(OcsfCompliance {
            control: str_at(c, &["control"]).to_string(),
            standards: strings(c.member("standards")).into_iter().map(str::to_string).collect(),
            status,
            status_id,
        })
    }

    pub fn vulnerabilities(&self) -> Vec<OcsfVulnerability> {
        let Some(list) = self.0.member("vulnerabilities").and_then(Value::as_array) else { return Vec::new() };
        list.iter()
            .filter(|v| v.is_object())
            .map(|v| {
                let cvss = value_at(v, &["cve", "cvss"]).and_then(Value::as_array);
                let cvss_score = cvss
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c.member("base_score").and_then(Value::as_f64))
                    .fold(None, |best: Option<f64>, s| Some(best.map_or(s, |b| b.max(s))));
                let packages = v
                    .member("affected_packages")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|p| {
                        let f = |k: &str| str_at(p, &[k]).to_string();
                        (f("name"), f("version"), f("fixed_in_version"))
                    })
                    .collect();
                OcsfVulnerability {
                    cve: str_at(v, &["cve", "uid"]).to_string(),
                    cvss_score,
                    packages,
                    fix_available: v.member("is_fix_available").and_then(Value::as_bool),
                    exploit_available: v.member("is_exploit_available").and_then(Value::as_bool),
                }
            })
            .collect()
    }
}

fn resource(r: &Value) -> OcsfResource {
    OcsfResource {
        r#type: str_at(r, &["type"]).to_string(),
        uid: str_at(r, &["uid"]).to_string(),
        uid_alt: str_at(r, &["uid_alt"]).to_string(),
        name: str_at(r, &["name"]).to_string(),
        region: str_at(r, &["region"]).to_string(),
    }
}

/// The strings of a string or a list of strings.
fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// An OCSF time pair below `at`: `<name>_dt` (RFC 3339) when it parses, else `<name>` (the OCSF
/// `timestamp_t`, milliseconds since the epoch).
pub fn time_of(doc: &Value, at: &[&str], name: &str) -> Option<OffsetDateTime> {
    let obj = value_at(doc, at)?;
    let dt = format!("{name}_dt");
    if let Some(t) = obj.member(&dt).and_then(Value::as_str).and_then(timestamp::parse) {
        return Some(t);
    }
    obj.member(name).and_then(int_of).and_then(from_millis)
}

/// An OCSF `timestamp_t` (milliseconds since the epoch).
pub fn from_millis(ms: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
}

/// The OCSF `timestamp_t` of a time.
pub fn to_millis(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests;
