//! The control a finding reports on, as hubtriage knows it: the summary's control id (the list's
//! control column, grouping by control, the detail pane, the CSV) and the query language's
//! `control:` key all read it from here, so they agree.
//!
//! Security Hub's consolidated control findings carry `Compliance.SecurityControlId` (AWS Security
//! Finding Format (ASFF) reference, Compliance). Control findings written before consolidated
//! controls (CIS AWS Foundations Benchmark 1.2, PCI DSS 3.2.1, and the older AWS Foundational
//! Security Best Practices findings) have no such member: the control is named only in
//! `ProductFields`, as `ControlId` (PCI DSS, FSBP), `RuleId` (CIS 1.2) and the tail of
//! `StandardsControlArn` (`…:control/cis-aws-foundations-benchmark/v/1.2.0/1.3`). Those members are
//! read only for Security Hub's own findings (ProductArn `…::product/aws/securityhub`): another
//! product's `RuleId` is that product's own rule, not a Security Hub control.
//!
//! GetFindings' `ComplianceSecurityControlId` filter keeps AWS's meaning (the Compliance member
//! only); the fallback is hubtriage's own field `ControlId` (`filter::fields`).

use serde_json::Value;

/// The members of `ProductFields` the fallback reads, in the order tried (`raw` parses these).
pub const PRODUCT_FIELDS_MEMBERS: &[&str] = &["ControlId", "RuleId", "StandardsControlArn"];

/// The finding's control id: `Compliance.SecurityControlId`, or for a Security Hub finding without
/// one, its control as `ProductFields` names it. `None` when it has neither.
pub fn control_id(doc: &Value) -> Option<&str> {
    let security_control = doc
        .get("Compliance")
        .and_then(|c| c.get("SecurityControlId"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    security_control.or_else(|| legacy_control_id(doc))
}

/// The control id of a control finding written before consolidated controls, from `ProductFields`.
fn legacy_control_id(doc: &Value) -> Option<&str> {
    if !doc.get("ProductArn").and_then(Value::as_str).is_some_and(is_security_hub_product) {
        return None;
    }
    let fields = doc.get("ProductFields")?;
    let member = |name: &str| fields.get(name).and_then(Value::as_str).filter(|s| !s.trim().is_empty());
    member("ControlId").or_else(|| member("RuleId")).or_else(|| {
        // arn:aws:securityhub:REGION:ACCOUNT:control/STANDARD/v/VERSION/CONTROL
        let (_, path) = member("StandardsControlArn")?.split_once(":control/")?;
        path.rsplit('/').next().filter(|s| !s.is_empty())
    })
}

/// `arn:PARTITION:securityhub:REGION::product/aws/securityhub`: Security Hub's own product.
pub(crate) fn is_security_hub_product(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", _, "securityhub", _, "", "product/aws/securityhub"])
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const HUB: &str = "arn:aws:securityhub:eu-west-1::product/aws/securityhub";

    #[test]
    fn the_security_control_id_comes_first_then_product_fields_for_security_hub_findings() {
        let doc = |arn: &str, compliance: Value, fields: Value| json!({"ProductArn": arn, "Compliance": compliance, "ProductFields": fields});
        let cis = json!({
            "StandardsGuideArn": "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0",
            "RuleId": "1.3",
            "StandardsControlArn": "arn:aws:securityhub:eu-west-1:111122223333:control/cis-aws-foundations-benchmark/v/1.2.0/1.3"
        });
        let pci = json!({
            "StandardsArn": "arn:aws:securityhub:::standards/pci-dss/v/3.2.1",
            "ControlId": "PCI.Lambda.2",
            "StandardsControlArn": "arn:aws:securityhub:eu-west-1:111122223333:control/pci-dss/v/3.2.1/PCI.Lambda.2"
        });
        assert_eq!(control_id(&doc(HUB, json!({"Status": "FAILED"}), cis.clone())), Some("1.3"));
        assert_eq!(control_id(&doc(HUB, json!({"Status": "FAILED"}), pci.clone())), Some("PCI.Lambda.2"));
        assert_eq!(control_id(&doc(HUB, json!({"SecurityControlId": "IAM.3"}), cis.clone())), Some("IAM.3"));
        assert_eq!(control_id(&doc(HUB, json!({"SecurityControlId": ""}), cis.clone())), Some("1.3"));
        assert_eq!(control_id(&doc(HUB, Value::Null, cis.clone())), Some("1.3"));
        // Only the ARN names it.
        let arn_only = json!({"StandardsControlArn": cis["StandardsControlArn"]});
        assert_eq!(control_id(&doc(HUB, Value::Null, arn_only)), Some("1.3"));
        assert_eq!(
            control_id(&doc("arn:aws-cn:securityhub:cn-north-1::product/aws/securityhub", Value::Null, pci)),
            Some("PCI.Lambda.2")
        );
        // Another product's RuleId is its own.
        let other = "arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default";
        assert_eq!(control_id(&doc(other, Value::Null, cis.clone())), None);
        assert_eq!(control_id(&doc("arn:aws:securityhub:eu-west-1::product/aws/guardduty", Value::Null, cis)), None);
        assert_eq!(control_id(&doc(HUB, Value::Null, json!({"RuleId": " ", "ControlId": 7}))), None);
        assert_eq!(control_id(&json!({})), None);
    }

    // The summary (the list's control column, grouping) and the detail pane show the control of an
    // older finding, and a row's probe document answers `control:` as the store does.
    #[test]
    fn the_summary_and_the_detail_pane_show_an_older_findings_control() {
        let doc = json!({
            "Id": "arn:aws:securityhub:eu-west-1:111122223333:subscription/pci-dss/v/3.2.1/PCI.Lambda.2/finding/1",
            "ProductArn": HUB,
            "Compliance": {"Status": "FAILED"},
            "ProductFields": {"StandardsArn": "arn:aws:securityhub:::standards/pci-dss/v/3.2.1", "ControlId": "PCI.Lambda.2"}
        });
        assert_eq!(crate::model::finding::Summary::of(&doc).control_id, "PCI.Lambda.2");
        let summary = crate::model::summary::FindingSummary::from_asff(&doc);
        assert_eq!(summary.control_id, "PCI.Lambda.2");
        let detail = crate::model::detail::DetailView::of_asff(&doc);
        let compliance = detail.fields.iter().find(|(label, _)| *label == "Compliance").map(|(_, v)| v.as_str());
        assert_eq!(compliance, Some("FAILED  control PCI.Lambda.2"));
        let q = crate::query::parse("control:PCI.Lambda.2").unwrap();
        let now = time::OffsetDateTime::UNIX_EPOCH;
        assert!(q.filters.matches(&summary.probe_doc(), now) && q.filters.matches(&doc, now));
    }
}
