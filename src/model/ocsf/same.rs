//! "The same finding seen through both APIs": an ASFF finding (GetFindings) and an OCSF one
//! (GetFindingsV2) are one finding when the OCSF `finding_info.uid` is the ASFF `Id` and the OCSF
//! `metadata.product.uid` is the ASFF `ProductArn` with `::productv2/` for `::product/`. AWS
//! documents no mapping; this is the pairing AWS's Automated Security Response solution (v3) uses
//! when it updates a finding through both APIs. The local store lists such a pair once and sends an
//! edit to both (`store::ocsf`).

use serde_json::Value;

use super::{ocsf_product_uid, Ocsf};
use crate::model::finding::FindingKey;

/// The ASFF identity of an OCSF finding, when it has the members that name it.
pub fn asff_key_of(ocsf: &Value) -> Option<FindingKey> {
    Ocsf(ocsf).identifier().map(|id| id.to_asff())
}

/// Where the OCSF form of an ASFF finding is: its `finding_info.uid` and `metadata.product.uid`.
pub fn ocsf_ref_of(key: &FindingKey) -> (&str, String) {
    (key.id.as_str(), ocsf_product_uid(&key.product_arn))
}

/// Whether `asff` (its key) and the OCSF document `ocsf` are one finding.
pub fn is_same(asff: &FindingKey, ocsf: &Value) -> bool {
    let f = Ocsf(ocsf);
    let (uid, product) = ocsf_ref_of(asff);
    !uid.is_empty() && f.finding_uid() == uid && f.product_uid() == product
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn pairs_by_finding_uid_and_product_uid() {
        let key = FindingKey::new(
            "arn:aws:securityhub:us-east-1::product/aws/guardduty",
            "arn:aws:guardduty:us-east-1:111111111111:detector/d/finding/f",
        );
        let ocsf = json!({
            "cloud": {"account": {"uid": "111111111111"}},
            "finding_info": {"uid": "arn:aws:guardduty:us-east-1:111111111111:detector/d/finding/f"},
            "metadata": {"uid": "m-1", "product": {"uid": "arn:aws:securityhub:us-east-1::productv2/aws/guardduty"}}
        });
        assert!(is_same(&key, &ocsf));
        assert_eq!(asff_key_of(&ocsf), Some(key.clone()));
        let mut other = ocsf.clone();
        other["metadata"]["product"]["uid"] = json!("arn:aws:securityhub:us-east-1::productv2/aws/inspector");
        assert!(!is_same(&key, &other));
        let mut v1_arn = ocsf.clone();
        v1_arn["metadata"]["product"]["uid"] = json!("arn:aws:securityhub:us-east-1::product/aws/guardduty");
        assert!(!is_same(&key, &v1_arn), "the V2 product uid says productv2");
        let mut other = ocsf;
        other["finding_info"]["uid"] = json!("another");
        assert!(!is_same(&key, &other));
        assert!(!is_same(&FindingKey::new("p", ""), &json!({"finding_info": {"uid": ""}})));
    }
}
