//! Tests of one finding: its summary and the strict checks on what a provider sends. Also `sample`,
//! the minimal valid finding the other test modules build on (hence `pub(crate)`).

use super::*;
use serde_json::json;

/// A minimal valid finding, as a provider would send it.
pub fn sample(id: &str) -> Value {
    json!({
        "SchemaVersion": "2018-10-08",
        "Id": id,
        "ProductArn": "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default",
        "GeneratorId": "gen-1",
        "AwsAccountId": "123456789012",
        "CreatedAt": "2025-01-01T00:00:00Z",
        "UpdatedAt": "2025-01-02T00:00:00.000Z",
        "Title": "An S3 bucket is public",
        "Description": "Bucket policy allows public read",
        "Severity": {"Label": "HIGH"},
        "Resources": [{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::bucket-a"}]
    })
}

#[test]
fn encoded_len_is_the_serialised_length() {
    let mut f = sample("f-\"quoted\" \\ back\u{1}\u{1f}\n\t\r\u{8}\u{c}é€😀/");
    f["Numbers"] = json!([0, -1, 7.5, 1e300, -2.5e-8, u64::MAX, i64::MIN, 0.1, 100.0]);
    f["Flags"] = json!({"a": true, "b": false, "c": null, "": [], "d": {}, "e\u{7f}": [[]]});
    f["Types"] = json!(["Software and Configuration Checks/Vulnerabilities/CVE"]);
    for v in [f, json!(null), json!([]), json!({}), json!("x"), json!(12), json!(-1.7976931348623157e308)] {
        assert_eq!(encoded_len(&v), serde_json::to_vec(&v).unwrap().len(), "{v}");
        assert!(encoded_len_bound(&v) >= encoded_len(&v), "{v}");
    }
    assert!(encoded_len_bound(&json!("\u{1}\u{2}")) >= encoded_len(&json!("\u{1}\u{2}")));
    for f in crate::generate::generate(&crate::generate::GenOptions { count: 300, seed: 3, ..Default::default() }) {
        assert_eq!(encoded_len(&f), serde_json::to_vec(&f).unwrap().len());
        assert!(encoded_len_bound(&f) >= encoded_len(&f));
    }
}

#[test]
fn summary_reads_the_indexed_members() {
    let mut f = sample("f-1");
    f["Workflow"] = json!({"Status": "NOTIFIED"});
    f["Compliance"] = json!({"Status": "FAILED", "SecurityControlId": "S3.8"});
    f["Types"] = json!(["Effects/Data Exposure"]);
    let s = Summary::of(&f);
    assert_eq!(s.id, "f-1");
    assert_eq!(s.severity_label, Some(SeverityLabel::High));
    assert_eq!(s.workflow_status, Some(WorkflowStatus::Notified));
    assert_eq!(s.compliance_status, Some(ComplianceStatus::Failed));
    assert_eq!(s.control_id, "S3.8");
    assert_eq!(s.resource_type, "AwsS3Bucket");
    assert_eq!(s.types, vec!["Effects/Data Exposure"]);
}

#[test]
fn summary_is_lenient_with_messy_data() {
    // Fixtures README: Normalized sent as a string; label derived from Normalized when absent.
    let f = json!({"Severity": {"Normalized": "75"}, "WorkflowState": "IN_PROGRESS", "Resources": "oops"});
    let s = Summary::of(&f);
    assert_eq!(s.severity_label, Some(SeverityLabel::High));
    assert_eq!(s.workflow_status, Some(WorkflowStatus::Notified));
    assert_eq!(s.resource_count, 0);
    assert_eq!(s.id, "");
}

// The service model's AwsSecurityFinding: the ten required members plus a Severity from either place.
#[test]
fn validation_names_the_missing_member() {
    assert_eq!(validate_asff(&sample("ok")), Ok(()));
    for member in [
        "SchemaVersion",
        "Id",
        "ProductArn",
        "GeneratorId",
        "AwsAccountId",
        "CreatedAt",
        "UpdatedAt",
        "Title",
        "Description",
        "Resources",
    ] {
        let mut f = sample("x");
        f.as_object_mut().unwrap().remove(member);
        let err = validate_asff(&f).unwrap_err();
        assert!(err.contains(member), "{member}: {err}");
    }
    let mut f = sample("x");
    f.as_object_mut().unwrap().remove("Severity");
    assert!(validate_asff(&f).unwrap_err().contains("Severity"));
    f["FindingProviderFields"] = json!({"Severity": {"Label": "LOW", "Original": "2"}});
    assert_eq!(validate_asff(&f), Ok(()));
    // An Original alone, in either place, is no severity Security Hub can rank.
    f["FindingProviderFields"] = json!({"Severity": {"Original": "2"}});
    f["Severity"] = json!({"Original": "2"});
    let refused = "data should have a Severity with a Label or Normalized value, or a \
                   FindingProviderFields.Severity with a Label";
    assert_eq!(validate_asff(&f).unwrap_err(), refused);
    // FindingProviderSeverity (model) has no Normalized: one there ranks nothing either.
    f["FindingProviderFields"] = json!({"Severity": {"Normalized": 50}});
    assert_eq!(validate_asff(&f).unwrap_err(), refused);
    f["Severity"] = json!({"Normalized": 12, "Original": "2"});
    // Now refused for its unknown member too, whatever the top level holds.
    assert!(validate_asff(&f).unwrap_err().contains("FindingProviderFields.Severity has unknown member Normalized"));
    f.as_object_mut().unwrap().remove("FindingProviderFields");
    assert_eq!(validate_asff(&f), Ok(()));
}

#[test]
fn validation_rejects_wrong_types_and_out_of_range_values() {
    let cases: Vec<(Value, &str)> = vec![
        (json!({"Title": 7}), "data.Title should be string"),
        (json!({"AwsAccountId": "12345"}), "12-digit"),
        (json!({"Resources": [{"Type": "", "Id": "x"}]}), "data.Resources[0].Type should NOT be shorter than 1"),
        (json!({"Resources": []}), "1 to 32"),
        (json!({"Severity": {"Label": "SEVERE"}}), "data.Severity.Label"),
        (json!({"Severity": {"Normalized": 101}}), "0 to 100"),
        (json!({"Confidence": 101}), "data.Confidence"),
        (json!({"Workflow": {"Status": "CLOSED"}}), "NEW|NOTIFIED|RESOLVED|SUPPRESSED"),
        (json!({"RecordState": "GONE"}), "ACTIVE|ARCHIVED"),
        (json!({"Compliance": {"Status": "INFOED"}}), "PASSED|WARNING|FAILED|NOT_AVAILABLE"),
        (json!({"Types": [" "]}), "data.Types[0]"),
        (json!({"UpdatedAt": "last tuesday"}), "data.UpdatedAt"),
        (json!({"Note": {"Text": "x"}}), "UpdatedBy"),
    ];
    for (patch, expected) in cases {
        let mut f = sample("x");
        for (k, v) in patch.as_object().unwrap() {
            f[k] = v.clone();
        }
        let err = validate_asff(&f).unwrap_err();
        assert!(err.contains(expected), "{patch}: {err}");
    }
}

// ASFF reference, ProductArn: the ARN Security Hub generates for a product,
// arn:<partition>:securityhub:<region>:<account>:product/<company>/<product> (the account is empty
// for AWS's own products). Anything else is refused, naming the member.
#[test]
fn validation_refuses_a_product_arn_that_is_not_a_product_arn() {
    for good in [
        "arn:aws:securityhub:us-east-1::product/aws/guardduty",
        "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default",
        "arn:aws-us-gov:securityhub:us-gov-west-1::product/prowler/prowler",
        "arn:aws-cn:securityhub:cn-north-1::product/aquasecurity/aquasecurity",
    ] {
        let mut f = sample("x");
        f["ProductArn"] = json!(good);
        assert_eq!(validate_asff(&f), Ok(()), "{good}");
    }
    for bad in [
        "p",
        "guardduty",
        "arn:aws:securityhub",
        "arn:aws:s3:::bucket-a",
        "arn:aws:securityhub:us-east-1::hub/default",
        "arn:aws:securityhub:us-east-1::product/aws",
        "arn:aws:securityhub:us-east-1::product//guardduty",
        "arn:aws:securityhub::123456789012:product/aws/guardduty",
        "arn:aws:securityhub:us-east-1:12345:product/aws/guardduty",
        "arn::securityhub:us-east-1::product/aws/guardduty",
        "ARN:aws:securityhub:us-east-1::product/aws/guardduty",
    ] {
        let mut f = sample("x");
        f["ProductArn"] = json!(bad);
        let err = validate_asff(&f).unwrap_err();
        assert!(err.starts_with("data.ProductArn "), "{bad}: {err}");
        assert!(err.contains("is not a product ARN"), "{bad}: {err}");
    }
}

// The model's Severity has Label, Normalized, Original and Product; FindingProviderSeverity has
// Label and Original. Any other member is refused, naming it; Normalized is an integer from 0 to
// 100 (not 50.7, not the string "50"), Product a number.
#[test]
fn validation_refuses_unknown_severity_members_and_a_normalized_that_is_not_an_integer() {
    let cases: Vec<(&str, Value, &str)> = vec![
        ("Severity", json!({"Label": "LOW", "Score": 3}), "data.Severity has unknown member Score"),
        ("Severity", json!({"Label": "LOW", "label": "HIGH"}), "data.Severity has unknown member label"),
        ("Severity", json!({"Normalized": 50.7}), "data.Severity.Normalized should be an integer"),
        ("Severity", json!({"Normalized": "50"}), "data.Severity.Normalized should be an integer"),
        ("Severity", json!({"Label": "LOW", "Product": "7"}), "data.Severity.Product should be a number"),
        (
            "FindingProviderFields",
            json!({"Severity": {"Label": "LOW", "Normalized": 10}}),
            "data.FindingProviderFields.Severity has unknown member Normalized",
        ),
    ];
    for (member, value, expected) in cases {
        let mut f = sample("x");
        f[member] = value.clone();
        let err = validate_asff(&f).unwrap_err();
        assert!(err.contains(expected), "{value}: {err}");
    }
    let mut f = sample("x");
    f["Severity"] = json!({"Label": "LOW", "Normalized": 10, "Original": "3", "Product": 2.5});
    f["FindingProviderFields"] = json!({"Severity": {"Label": "LOW", "Original": "3"}});
    assert_eq!(validate_asff(&f), Ok(()));
}

// ASFF has no nullable member: a null is refused wherever it is sent (it was accepted for Workflow
// or Region, refused for Note or Confidence), with one message naming the member.
#[test]
fn validation_refuses_a_null_member_anywhere_it_checks() {
    let cases: Vec<(Value, &str)> = vec![
        (json!({"Workflow": null}), "data.Workflow"),
        (json!({"Region": null}), "data.Region"),
        (json!({"Note": null}), "data.Note"),
        (json!({"Confidence": null}), "data.Confidence"),
        (json!({"ProductFields": null}), "data.ProductFields"),
        (json!({"Title": null}), "data.Title"),
        (json!({"Workflow": {"Status": null}}), "data.Workflow.Status"),
        (json!({"Severity": {"Label": "LOW", "Original": null}}), "data.Severity.Original"),
        (json!({"Severity": {"Label": "LOW", "Product": null}}), "data.Severity.Product"),
        (json!({"Note": {"Text": null, "UpdatedBy": "a", "UpdatedAt": "2025-01-01T00:00:00Z"}}), "data.Note.Text"),
        (json!({"FindingProviderFields": {"Confidence": null}}), "data.FindingProviderFields.Confidence"),
        (json!({"FindingProviderFields": {"Severity": {"Label": null}}}), "data.FindingProviderFields.Severity.Label"),
        (json!({"Resources": [{"Type": "AwsS3Bucket", "Id": null}]}), "data.Resources[0].Id"),
        (json!({"Compliance": {"Status": null}}), "data.Compliance.Status"),
        (json!({"RelatedFindings": [{"ProductArn": "p", "Id": null}]}), "data.RelatedFindings[0].Id"),
        (json!({"UserDefinedFields": {"k": null}}), "data.UserDefinedFields.k"),
    ];
    for (patch, path) in cases {
        let mut f = sample("x");
        for (k, v) in patch.as_object().unwrap() {
            f[k] = v.clone();
        }
        let err = validate_asff(&f).unwrap_err();
        assert_eq!(err, format!("{path}: null is not allowed; leave the member out"), "{patch}");
    }
}
