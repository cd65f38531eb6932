//! Synthetic OCSF findings (Security Hub's V2 format), made from the ASFF findings `generate`
//! draws: each OCSF finding is the V2 form of one generated ASFF finding, so the same options give
//! the same findings, and the pair corresponds as AWS's Automated Security Response solution pairs
//! them (`finding_info.uid` is the ASFF `Id`, `metadata.product.uid` the ProductArn with
//! `::productv2/`, `cloud.account.uid` the `AwsAccountId`).
//!
//! Classes by product: Inspector 2002 Vulnerability; Security Hub controls, Config, Prowler and
//! Patch Manager 2003 Compliance; GuardDuty, IAM Access Analyzer and Health 2004 Detection; Macie
//! 2006 Data Security. Severity and status map as the model's `ocsf::enums` documents (a RESOLVED
//! and ARCHIVED finding is status 5 Archived; any ARCHIVED one is activity 3 Close), so the neutral
//! summary of both forms agrees.
//!
//! `hubtriage generate --ocsf PERCENT` writes that share of its findings in this form
//! ([`generate_mixed`]; without the flag its output is as before, byte for byte), and the demo has
//! [`DEMO_OCSF_COUNT`] OCSF findings beside its ASFF ones ([`demo_ocsf`]).

use serde_json::{json, Map, Value};

use super::{generate, GenOptions};
use crate::model::enums::{ComplianceStatus, SeverityLabel, WorkflowStatus};
use crate::model::finding::{str_at, value_at};
use crate::model::fnv1a;
use crate::model::ocsf::{ocsf_product_uid, to_millis, ComplianceStatusId, OcsfClass, SeverityId, StatusId};
use crate::model::timestamp;

/// The OCSF version the findings say they follow (what Security Hub writes in 2026).
pub const OCSF_VERSION: &str = "1.6.0";

/// Generates `opts.count` OCSF findings: the V2 form of `generate(opts)`'s ASFF findings, in order.
pub fn generate_ocsf(opts: &GenOptions) -> impl ExactSizeIterator<Item = Value> {
    generate(opts).map(|f| to_ocsf(&f))
}

/// `generate(opts)` with about `percent` in 100 of its findings in their OCSF form: which ones is
/// decided per finding by the seed and its position, so the same options give the same output.
pub fn generate_mixed(opts: &GenOptions, percent: u8) -> impl Iterator<Item = Value> {
    let seed = opts.seed;
    generate(opts).enumerate().map(move |(i, f)| if is_picked(seed, i, percent) { to_ocsf(&f) } else { f })
}

fn is_picked(seed: u64, i: usize, percent: u8) -> bool {
    let h = fnv1a(&[seed.to_le_bytes(), (i as u64).to_le_bytes()].concat());
    h % 100 < u64::from(percent.min(100))
}

/// How many OCSF findings the demo has beside its `DEMO_COUNT` ASFF ones (13% of the whole), so a
/// first run shows both formats and each class.
pub const DEMO_OCSF_COUNT: usize = 300;

/// The demo's OCSF findings: other findings than the ASFF demo's (their own seed), each marked as
/// demo data as those are (`generate::is_demo`): `metadata.product.vendor_name` is the demo's
/// CompanyName and `finding_info.analytic.name` starts with the demo's GeneratorId prefix.
pub fn demo_ocsf() -> Vec<Value> {
    let opts =
        GenOptions { count: DEMO_OCSF_COUNT, seed: super::DEMO_SEED + 1, accounts: 12, anchor: super::DEFAULT_ANCHOR };
    generate(&opts)
        .map(|mut f| {
            super::mark_demo(&mut f);
            let generator = str_at(&f, &["GeneratorId"]).to_string();
            let mut o = to_ocsf(&f);
            let analytic = &mut o["finding_info"]["analytic"];
            if !analytic.is_object() {
                *analytic = json!({"type": "Rule", "type_id": 1});
            }
            analytic["name"] = json!(generator);
            o
        })
        .collect()
}

/// The class Security Hub gives a product's findings.
fn class_of(product_arn: &str) -> OcsfClass {
    let product = product_arn.rsplit("::product/").next().unwrap_or_default();
    match product {
        "aws/inspector" => OcsfClass::Vulnerability,
        "aws/guardduty" | "aws/access-analyzer" | "aws/health" => OcsfClass::Detection,
        "aws/macie" => OcsfClass::DataSecurity,
        _ => OcsfClass::Compliance,
    }
}

/// The CloudFormation-style resource type OCSF findings carry for an ASFF resource type.
fn resource_type(asff: &str) -> String {
    crate::model::ocsf::asff::ocsf_resource_type(asff).to_string()
}

/// A stable 64-hex-digit `metadata.uid` for an ASFF identity (Security Hub's are 56 to 64 hex).
fn metadata_uid(product_arn: &str, id: &str) -> String {
    let key = format!("{product_arn}\u{0}{id}");
    (0u8..4).map(|i| format!("{:016x}", fnv1a(&[&[i], key.as_bytes()].concat()))).collect()
}

/// Writes `<name>` (epoch milliseconds) and `<name>_dt` (RFC 3339) from an ASFF time.
fn put_time(m: &mut Map<String, Value>, name: &str, asff_time: &str) {
    if let Some(t) = timestamp::parse(asff_time) {
        m.insert(name.to_string(), json!(to_millis(t)));
        m.insert(format!("{name}_dt"), json!(timestamp::format(t)));
    }
}

fn severity_of(label: Option<SeverityLabel>) -> SeverityId {
    label.map_or(SeverityId::Unknown, SeverityId::from_label)
}

fn resources(asff: &Value, account: &str) -> Vec<Value> {
    let list = asff.get("Resources").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    list.iter()
        .map(|r| {
            let uid = str_at(r, &["Id"]);
            let name = uid.rsplit(['/', ':']).next().unwrap_or(uid);
            let mut m = Map::new();
            m.insert("cloud_partition".into(), json!(str_at(r, &["Partition"])));
            m.insert("name".into(), json!(name));
            m.insert("owner".into(), json!({"account": {"uid": account}}));
            m.insert("region".into(), json!(str_at(r, &["Region"])));
            if let Some(tags) = r.get("Tags").and_then(Value::as_object) {
                let pairs: Vec<Value> = tags.iter().map(|(k, v)| json!({"name": k, "value": v})).collect();
                m.insert("tags".into(), Value::Array(pairs));
            }
            m.insert("type".into(), json!(resource_type(str_at(r, &["Type"]))));
            m.insert("uid".into(), json!(uid));
            Value::Object(m)
        })
        .collect()
}

fn compliance(c: &Value) -> Value {
    let status = c.get("Status").and_then(Value::as_str).and_then(ComplianceStatus::parse);
    let status_id = match status {
        Some(ComplianceStatus::Passed) => ComplianceStatusId::Pass,
        Some(ComplianceStatus::Warning) => ComplianceStatusId::Warning,
        Some(ComplianceStatus::Failed) => ComplianceStatusId::Fail,
        Some(ComplianceStatus::NotAvailable) | None => ComplianceStatusId::Unknown,
    };
    let mut m = Map::new();
    if let Some(control) = c.get("SecurityControlId").and_then(Value::as_str) {
        m.insert("control".into(), json!(control));
    }
    if let Some(params) = c.get("SecurityControlParameters").and_then(Value::as_array) {
        let pairs: Vec<Value> = params
            .iter()
            .map(|p| {
                let values: Vec<&str> =
                    p.get("Value").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
                json!({"name": str_at(p, &["Name"]), "value": values.join(",")})
            })
            .collect();
        m.insert("control_parameters".into(), Value::Array(pairs));
    }
    let standards: Vec<&str> = c
        .get("AssociatedStandards")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|s| str_at(s, &["StandardsId"]))
        .collect();
    if !standards.is_empty() {
        m.insert("standards".into(), json!(standards));
    }
    m.insert("status".into(), json!(status_id.caption()));
    m.insert("status_id".into(), json!(status_id.id()));
    Value::Object(m)
}

fn vulnerability(v: &Value) -> Value {
    let cvss: Vec<Value> = v
        .get("Cvss")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| {
            json!({
                "base_score": c.get("BaseScore").cloned().unwrap_or(Value::Null),
                "vector_string": str_at(c, &["BaseVector"]),
                "vendor_name": str_at(c, &["Source"]),
                "version": str_at(c, &["Version"]),
            })
        })
        .collect();
    let packages: Vec<Value> = v
        .get("VulnerablePackages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            json!({
                "fixed_in_version": str_at(p, &["FixedInVersion"]),
                "name": str_at(p, &["Name"]),
                "package_manager": str_at(p, &["PackageManager"]),
                "remediation": {"desc": str_at(p, &["Remediation"])},
                "version": str_at(p, &["Version"]),
            })
        })
        .collect();
    let mut cve = Map::new();
    cve.insert("cvss".into(), Value::Array(cvss));
    if let Some(e) = v.get("EpssScore").and_then(Value::as_f64) {
        // Security Hub writes the EPSS score as a string.
        cve.insert("epss".into(), json!({"score": format!("{e}")}));
    }
    cve.insert("uid".into(), json!(str_at(v, &["Id"])));
    let fix = str_at(v, &["FixAvailable"]);
    let (coverage, coverage_id) = match fix {
        "YES" => ("Complete", 1),
        "PARTIAL" => ("Partial", 2),
        _ => ("None", 3),
    };
    json!({
        "affected_packages": packages,
        "cve": cve,
        "fix_coverage": coverage,
        "fix_coverage_id": coverage_id,
        "is_exploit_available": str_at(v, &["ExploitAvailable"]) == "YES",
        "is_fix_available": fix == "YES" || fix == "PARTIAL",
        "references": v.get("ReferenceUrls").cloned().unwrap_or_else(|| json!([])),
    })
}

/// GuardDuty's network connection as OCSF evidence.
fn evidence(n: &Value) -> Value {
    let endpoint = |ip: &str, port: &str| {
        let mut m = Map::new();
        if let Some(ip) = n.get(ip) {
            m.insert("ip".into(), ip.clone());
        }
        if let Some(port) = n.get(port) {
            m.insert("port".into(), port.clone());
        }
        Value::Object(m)
    };
    json!({
        "connection_info": {
            "direction": if str_at(n, &["Direction"]) == "IN" { "Inbound" } else { "Outbound" },
            "protocol_name": str_at(n, &["Protocol"]).to_ascii_lowercase(),
        },
        "dst_endpoint": endpoint("DestinationIpV4", "DestinationPort"),
        "src_endpoint": endpoint("SourceIpV4", "SourcePort"),
    })
}

/// The OCSF (V2) form of an ASFF finding, as Security Hub would return it from GetFindingsV2.
pub fn to_ocsf(asff: &Value) -> Value {
    let s = |path: &[&str]| str_at(asff, path);
    let (product_arn, id, account, region) = (s(&["ProductArn"]), s(&["Id"]), s(&["AwsAccountId"]), s(&["Region"]));
    let class = class_of(product_arn);
    let archived = s(&["RecordState"]) == "ARCHIVED";
    let workflow = WorkflowStatus::parse(s(&["Workflow", "Status"])).unwrap_or(WorkflowStatus::New);
    let status = match StatusId::from_workflow(workflow) {
        StatusId::Resolved if archived => StatusId::Archived,
        other => other,
    };
    let severity = severity_of(SeverityLabel::parse(s(&["Severity", "Label"])));
    let provider_severity = SeverityLabel::parse(s(&["FindingProviderFields", "Severity", "Label"]))
        .map_or(severity, |l| severity_of(Some(l)));
    let (activity_id, activity) = if archived {
        (3, "Close")
    } else if s(&["UpdatedAt"]) != s(&["CreatedAt"]) {
        (2, "Update")
    } else {
        (1, "Create")
    };

    let mut info = Map::new();
    if class == OcsfClass::Compliance {
        info.insert("analytic".into(), json!({"name": s(&["GeneratorId"]), "type": "Rule", "type_id": 1}));
    }
    put_time(&mut info, "created_time", s(&["CreatedAt"]));
    info.insert("desc".into(), json!(s(&["Description"])));
    put_time(&mut info, "first_seen_time", s(&["FirstObservedAt"]));
    put_time(&mut info, "last_seen_time", s(&["LastObservedAt"]));
    put_time(&mut info, "modified_time", s(&["UpdatedAt"]));
    if let Some(url) = asff.get("SourceUrl") {
        info.insert("src_url".into(), url.clone());
    }
    info.insert("title".into(), json!(s(&["Title"])));
    info.insert("types".into(), asff.get("Types").cloned().unwrap_or_else(|| json!([])));
    info.insert("uid".into(), json!(id));

    let mut cloud_account = Map::new();
    if let Some(name) = asff.get("AwsAccountName") {
        cloud_account.insert("name".into(), name.clone());
    }
    cloud_account.insert("type".into(), json!("AWS Account"));
    cloud_account.insert("type_id".into(), json!(10));
    cloud_account.insert("uid".into(), json!(account));

    let mut m = Map::new();
    m.insert("activity_id".into(), json!(activity_id));
    m.insert("activity_name".into(), json!(activity));
    m.insert("category_name".into(), json!("Findings"));
    m.insert("category_uid".into(), json!(2));
    m.insert("class_name".into(), json!(class.caption()));
    m.insert("class_uid".into(), json!(class.id()));
    m.insert("cloud".into(), json!({"account": cloud_account, "provider": "AWS", "region": region}));
    if let Some(note) = value_at(asff, &["Note", "Text"]) {
        m.insert("comment".into(), note.clone());
    }
    if let Some(c) = asff.get("Compliance") {
        m.insert("compliance".into(), compliance(c));
    }
    if let Some(c) = asff.get("Confidence") {
        m.insert("confidence_score".into(), c.clone());
    }
    if class == OcsfClass::DataSecurity {
        let bucket = asff.get("Resources").and_then(Value::as_array).and_then(|r| r.first());
        if let Some(b) = bucket {
            let uid = str_at(b, &["Id"]);
            m.insert(
                "databucket".into(),
                json!({"name": uid.rsplit(':').next().unwrap_or(uid), "type": "S3", "type_id": 1, "uid": uid}),
            );
        }
    }
    if let Some(n) = asff.get("Network") {
        m.insert("evidences".into(), json!([evidence(n)]));
    }
    m.insert("finding_info".into(), Value::Object(info));
    m.insert(
        "metadata".into(),
        json!({
            "product": {"name": s(&["ProductName"]), "uid": ocsf_product_uid(product_arn), "vendor_name": s(&["CompanyName"])},
            "profiles": ["cloud", "datetime"],
            "uid": metadata_uid(product_arn, id),
            "version": OCSF_VERSION,
        }),
    );
    if let Some(r) = asff.get("Remediation").and_then(|r| r.get("Recommendation")) {
        let mut rem = Map::new();
        rem.insert("desc".into(), json!(str_at(r, &["Text"])));
        if let Some(url) = r.get("Url") {
            rem.insert("references".into(), json!([url]));
        }
        m.insert("remediation".into(), Value::Object(rem));
    }
    m.insert("resources".into(), Value::Array(resources(asff, account)));
    m.insert("severity".into(), json!(severity.caption()));
    m.insert("severity_id".into(), json!(severity.id()));
    m.insert("status".into(), json!(status.caption()));
    m.insert("status_id".into(), json!(status.id()));
    put_time(&mut m, "time", s(&["UpdatedAt"]));
    m.insert("type_name".into(), json!(format!("{}: {activity}", class.caption())));
    m.insert("type_uid".into(), json!(class.id() * 100 + activity_id));
    m.insert(
        "vendor_attributes".into(),
        json!({"severity": provider_severity.caption(), "severity_id": provider_severity.id()}),
    );
    if let Some(v) = asff.get("Vulnerabilities").and_then(Value::as_array) {
        m.insert("vulnerabilities".into(), v.iter().map(vulnerability).collect());
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests;
