//! Tests of reading, detecting and validating OCSF findings, and of their summary. The finding here
//! is written for these tests in the shape Security Hub's GetFindingsV2 returns.

use serde_json::{json, Value};

use super::*;
use crate::model::enums::{ComplianceStatus, RecordState, SeverityLabel, WorkflowStatus};
use crate::model::finding::{FindingId, Format};
use crate::model::summary::FindingSummary;

/// A compliance finding (class 2003) with every member triage reads.
pub(crate) fn sample() -> Value {
    json!({
        "activity_id": 1,
        "activity_name": "Create",
        "category_uid": 2,
        "class_name": "Compliance Finding",
        "class_uid": 2003,
        "cloud": {"account": {"uid": "111122223333", "name": "prod"}, "provider": "AWS", "region": "eu-west-1"},
        "compliance": {
            "control": "S3.8",
            "standards": ["standards/aws-foundational-security-best-practices/v/1.0.0", "standards/cis/v/3.0.0"],
            "status": "Fail",
            "status_id": 3,
            "control_parameters": [{"name": "maxDays", "value": "90"}]
        },
        "finding_info": {
            "uid": "arn:aws:securityhub:eu-west-1:111122223333:security-control/S3.8/finding/0001",
            "title": "S3 general purpose buckets should block public access",
            "desc": "This control checks whether the bucket blocks public access.",
            "types": ["Software and Configuration Checks/Industry and Regulatory Standards", "Posture Management"],
            "created_time": 1_767_225_600_000_i64,
            "created_time_dt": "2026-01-01T00:00:00.000Z",
            "modified_time": 1_767_312_000_000_i64,
            "modified_time_dt": "2026-01-02T00:00:00.000Z",
            "tags": [{"name": "team", "value": "storage"}]
        },
        "metadata": {
            "uid": "m-0001",
            "version": "1.6.0",
            "product": {
                "name": "Security Hub",
                "uid": "arn:aws:securityhub:eu-west-1::productv2/aws/securityhub",
                "vendor_name": "AWS"
            }
        },
        "resources": [
            {"type": "AWS::S3::Bucket", "uid": "arn:aws:s3:::logs", "name": "logs", "region": "eu-west-1",
             "tags": [{"name": "env", "value": "prod"}, {"name": "team", "value": "blue"}]},
            {"type": "AWS::EC2::Instance", "uid": "i-0abc", "region": "eu-west-1",
             "tags": [{"name": "env", "value": "dev"}]}
        ],
        "vulnerabilities": [{
            "cve": {"uid": "CVE-2026-0001", "cvss": [{"base_score": 5.5}, {"base_score": 7.5}], "epss": {"score": "0.002"}},
            "affected_packages": [{"name": "openssl", "version": "3.0.1", "fixed_in_version": "3.0.9"}],
            "is_fix_available": true,
            "is_exploit_available": false
        }],
        "evidences": [{"src_endpoint": {"ip": "198.51.100.7", "port": 443}, "dst_endpoint": {"ip": "2001:db8::17"}}],
        "confidence_score": 80,
        "severity": "High",
        "severity_id": 4,
        "status": "New",
        "status_id": 1,
        "comment": "seen before",
        "time": 1_767_312_000_000_i64,
        "time_dt": "2026-01-02T00:00:00.000Z",
        "type_uid": 200301
    })
}

fn with(mut doc: Value, path: &[&str], v: Value) -> Value {
    let mut at = &mut doc;
    for p in &path[..path.len() - 1] {
        at = &mut at[*p];
    }
    at[path[path.len() - 1]] = v;
    doc
}

fn without(mut doc: Value, path: &[&str]) -> Value {
    let mut at = &mut doc;
    for p in &path[..path.len() - 1] {
        at = &mut at[*p];
    }
    if let Some(o) = at.as_object_mut() {
        o.remove(path[path.len() - 1]);
    }
    doc
}

#[test]
fn the_view_reads_identity_and_essentials() {
    let doc = sample();
    let f = Ocsf(&doc);
    assert_eq!(f.metadata_uid(), "m-0001");
    assert_eq!(
        f.identifier(),
        Some(OcsfFindingIdentifier::new(
            "111122223333",
            "arn:aws:securityhub:eu-west-1:111122223333:security-control/S3.8/finding/0001",
            "arn:aws:securityhub:eu-west-1::productv2/aws/securityhub"
        ))
    );
    assert_eq!(f.class(), Some(OcsfClass::Compliance));
    assert_eq!(f.severity_id(), Some(SeverityId::High));
    assert_eq!(f.status_id(), Some(StatusId::New));
    assert_eq!(f.title(), "S3 general purpose buckets should block public access");
    assert_eq!(f.region(), "eu-west-1");
    assert_eq!(f.comment(), "seen before");
    assert_eq!(f.types().len(), 2);
    let t = |s: &str| crate::model::timestamp::parse(s);
    assert_eq!(f.created_time(), t("2026-01-01T00:00:00Z"));
    assert_eq!(f.modified_time(), t("2026-01-02T00:00:00Z"));
    assert_eq!(f.updated_time(), t("2026-01-02T00:00:00Z"));
    // Without the _dt strings, the epoch milliseconds are read.
    let ms = without(without(doc.clone(), &["finding_info", "modified_time_dt"]), &["time_dt"]);
    assert_eq!(Ocsf(&ms).modified_time(), t("2026-01-02T00:00:00Z"));
    let r = f.resources();
    assert_eq!((r[0].r#type.as_str(), r[0].uid.as_str(), r.len()), ("AWS::S3::Bucket", "arn:aws:s3:::logs", 2));
    assert_eq!((f.control(), f.compliance_status_id()), ("S3.8", Some(ComplianceStatusId::Fail)));
    assert_eq!(f.first_resource().map(|r| r.uid), Some("arn:aws:s3:::logs".to_string()));
    let caption_only = without(doc.clone(), &["compliance", "status_id"]);
    assert_eq!(Ocsf(&caption_only).compliance_status_id(), Some(ComplianceStatusId::Fail));
    let c = f.compliance().unwrap();
    assert_eq!((c.control.as_str(), c.status_id, c.standards.len()), ("S3.8", Some(ComplianceStatusId::Fail), 2));
    let v = &f.vulnerabilities()[0];
    assert_eq!((v.cve.as_str(), v.cvss_score, v.fix_available), ("CVE-2026-0001", Some(7.5), Some(true)));
    assert_eq!(v.packages, vec![("openssl".into(), "3.0.1".into(), "3.0.9".into())]);
    // Lenient: a member of the wrong type reads as absent.
    let odd = with(doc.clone(), &["finding_info", "title"], json!(3));
    assert_eq!(Ocsf(&odd).title(), "");
    // Captions stand in for missing ids.
    let caption = without(without(doc, &["severity_id"]), &["status_id"]);
    assert_eq!(Ocsf(&caption).severity_id(), Some(SeverityId::High));
    assert_eq!(Ocsf(&caption).status_id(), Some(StatusId::New));
}

#[test]
fn the_triple_corresponds_to_an_asff_identity() {
    // AWS's Automated Security Response: finding_info.uid is the ASFF Id; ::productv2/ is ::product/.
    let id = Ocsf(&sample()).identifier().unwrap();
    let key = id.to_asff();
    assert_eq!(key.product_arn, "arn:aws:securityhub:eu-west-1::product/aws/securityhub");
    assert_eq!(key.id, id.finding_info_uid);
    assert_eq!(ocsf_product_uid(&key.product_arn), id.metadata_product_uid);
    assert_eq!(
        id.to_json(),
        json!({"CloudAccountUid": "111122223333", "FindingInfoUid": id.finding_info_uid,
               "MetadataProductUid": id.metadata_product_uid})
    );
}

#[test]
fn format_is_detected_from_the_document() {
    assert_eq!(Format::of(&sample()), Some(Format::Ocsf));
    assert_eq!(Format::of(&json!({"class_uid": 2004})), Some(Format::Ocsf));
    assert_eq!(Format::of(&json!({"metadata": {"uid": "x"}})), Some(Format::Ocsf));
    assert_eq!(Format::of(&json!({"SchemaVersion": "2018-10-08", "Id": "x"})), Some(Format::Asff));
    assert_eq!(Format::of(&json!({"ProductArn": "arn"})), Some(Format::Asff));
    assert_eq!(Format::of(&json!({"Title": "x"})), None);
    assert_eq!(Format::of(&json!({"metadata": "x"})), None);
    assert_eq!(Format::of(&json!([])), None);
}

#[test]
fn a_valid_finding_passes_and_each_rule_names_its_member() {
    assert_eq!(validate_ocsf(&sample()), Ok(()));
    let err = |doc: Value| validate_ocsf(&doc).unwrap_err();
    assert_eq!(err(json!([])), "data should be an object");
    assert_eq!(err(without(sample(), &["metadata", "uid"])), "data.metadata should have required property 'uid'");
    assert_eq!(err(without(sample(), &["metadata"])), "data should have required property 'metadata'");
    assert_eq!(err(with(sample(), &["metadata", "uid"], json!(" "))), "data.metadata.uid should NOT be empty or blank");
    assert_eq!(
        err(with(sample(), &["finding_info", "uid"], json!(7))),
        "data.finding_info.uid should be string, not number"
    );
    assert_eq!(
        err(without(sample(), &["metadata", "product", "uid"])),
        "data.metadata.product should have required property 'uid'"
    );
    assert_eq!(
        err(with(sample(), &["cloud", "account"], json!("x"))),
        "data.cloud.account should be object, not string"
    );
    assert_eq!(
        err(with(sample(), &["cloud", "account", "uid"], json!("12345"))),
        "data.cloud.account.uid \"12345\" should be a 12-digit account id"
    );
    assert_eq!(err(without(sample(), &["class_uid"])), "data should have required property 'class_uid'");
    assert_eq!(
        err(with(sample(), &["class_uid"], json!(2005))),
        "data.class_uid 2005 should be one of 2002, 2003, 2004, 2006 (Vulnerability, Compliance, Detection, Data Security Finding)"
    );
    assert_eq!(
        err(with(sample(), &["severity_id"], json!(7))),
        "data.severity_id 7 should be one of 0, 1, 2, 3, 4, 5, 6, 99"
    );
    assert_eq!(err(with(sample(), &["severity_id"], json!("4"))), "data.severity_id should be integer, not \"4\"");
    assert_eq!(err(without(sample(), &["status_id"])), "data should have required property 'status_id'");
    assert_eq!(err(with(sample(), &["status_id"], json!(6))), "data.status_id 6 should be one of 0, 1, 2, 3, 4, 5, 99");
    assert_eq!(
        err(with(sample(), &["comment"], json!("x".repeat(513)))),
        "data.comment should NOT be longer than 512 characters (it has 513)"
    );
    assert_eq!(err(with(sample(), &["status"], json!(1))), "data.status should be string, not number");
    assert_eq!(
        err(with(sample(), &["finding_info", "modified_time_dt"], json!("yesterday"))),
        "data.finding_info.modified_time_dt \"yesterday\" is not an RFC 3339 date-time"
    );
    assert_eq!(
        err(with(sample(), &["time"], json!("1767312000000"))),
        "data.time should be an integer (milliseconds since the epoch), not \"1767312000000\""
    );
    let no_time = ["modified_time", "modified_time_dt"]
        .iter()
        .fold(without(without(sample(), &["time"]), &["time_dt"]), |d, m| without(d, &["finding_info", m]));
    assert_eq!(
        err(no_time.clone()),
        "data should have finding_info.modified_time_dt, finding_info.modified_time, time_dt or time"
    );
    // Any one of the four times is enough.
    assert_eq!(validate_ocsf(&with(no_time, &["time"], json!(1_767_312_000_000_i64))), Ok(()));
    assert_eq!(
        err(with(sample(), &["compliance", "status_id"], json!(4))),
        "data.compliance.status_id 4 should be one of 0, 1, 2, 3, 99"
    );
    assert_eq!(err(with(sample(), &["resources"], json!([1]))), "data.resources[0] should be object");
    // Each of the four classes, and the extra severities and statuses, are valid.
    for class in [2002, 2003, 2004, 2006] {
        assert_eq!(validate_ocsf(&with(sample(), &["class_uid"], json!(class))), Ok(()));
    }
    for (sev, st) in [(0, 0), (6, 5), (99, 99)] {
        assert_eq!(
            validate_ocsf(&with(with(sample(), &["severity_id"], json!(sev)), &["status_id"], json!(st))),
            Ok(())
        );
    }
}

#[test]
fn the_summary_maps_onto_the_asff_labels_and_keeps_its_own() {
    let s = FindingSummary::from_ocsf(&sample());
    assert_eq!(s.key, FindingId::Ocsf("m-0001".into()));
    assert_eq!(s.format(), Format::Ocsf);
    assert_eq!(s.severity, Some(SeverityLabel::High));
    assert_eq!(s.workflow, Some(WorkflowStatus::New));
    assert_eq!(s.record_state, Some(RecordState::Active));
    assert_eq!(s.compliance, Some(ComplianceStatus::Failed));
    assert_eq!(s.control_id, "S3.8");
    assert_eq!(
        (s.account.as_str(), s.region.as_str(), s.product.as_str()),
        ("111122223333", "eu-west-1", "Security Hub")
    );
    assert_eq!((s.resource_type.as_str(), s.resource_id.as_str()), ("AWS::S3::Bucket", "arn:aws:s3:::logs"));
    assert_eq!(s.updated_at(), "2026-01-02T00:00:00.000Z");
    assert_eq!(s.confidence, Some(80));
    assert_eq!(s.ocsf.and_then(|o| o.class), Some(OcsfClass::Compliance));
    assert_eq!((s.severity_text(), s.workflow_text()), ("HIGH", "NEW"));
    // OCSF's extra values read as themselves and order with their ASFF counterparts.
    let odd = with(with(sample(), &["severity_id"], json!(6)), &["status_id"], json!(5));
    let s = FindingSummary::from_ocsf(&odd);
    assert_eq!(
        (s.severity, s.workflow, s.record_state),
        (Some(SeverityLabel::Critical), Some(WorkflowStatus::Resolved), Some(RecordState::Archived))
    );
    assert_eq!((s.severity_text(), s.workflow_text()), ("FATAL", "ARCHIVED"));
    let s = FindingSummary::from_ocsf(&with(with(sample(), &["severity_id"], json!(99)), &["status_id"], json!(2)));
    assert_eq!((s.severity, s.workflow), (None, Some(WorkflowStatus::Notified)));
    assert_eq!((s.severity_text(), s.workflow_text()), ("OTHER", "IN_PROGRESS"));
    // Display text is sanitised, as for ASFF.
    let hostile = with(sample(), &["finding_info", "title"], json!("a\u{1b}[2Jb"));
    assert_eq!(FindingSummary::from_ocsf(&hostile).title, "a␛[2Jb");
    // activity_id 3 (Close) is archived too.
    let closed = with(sample(), &["activity_id"], json!(3));
    assert_eq!(FindingSummary::from_ocsf(&closed).record_state, Some(RecordState::Archived));
}

#[test]
fn asff_rows_read_as_before() {
    let asff = json!({"Id": "x", "ProductArn": "p", "Severity": {"Label": "HIGH"}, "Workflow": {"Status": "NOTIFIED"}});
    let s = FindingSummary::from_asff(&asff);
    assert_eq!(s.ocsf, None);
    assert_eq!((s.severity_text(), s.workflow_text()), ("HIGH", "NOTIFIED"));
}
