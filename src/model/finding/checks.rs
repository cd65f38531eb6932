//! The checks of an imported finding that `validate_asff` makes beyond each member's type and
//! range: no member may be null, and ProductArn must be a product ARN.

use serde_json::Value;

use super::{value_at, Member};
use crate::model::sanitize;

/// ASFF has no nullable member: a null is refused as the member it is sent for, wherever the
/// import reads (every top-level member, and within the members the rules check), one rule and one
/// message (a null Workflow or Region was accepted, a null Note or Confidence refused). Within
/// Resources and Compliance only the members the rules read are looked at: the rest is kept as
/// text by a file import and never parsed.
pub(super) fn refuse_nulls(doc: &Value) -> Result<(), String> {
    let refuse = |path: String| Err(null_refused(&path));
    let Some(obj) = doc.as_object() else { return Ok(()) };
    if let Some((k, _)) = obj.iter().find(|(_, v)| v.is_null()) {
        return refuse(sanitize::line(k).into_owned());
    }
    let mut objects: Vec<(String, &Value)> = Vec::new();
    for member in ["Severity", "Workflow", "Note", "UserDefinedFields", "FindingProviderFields"] {
        if let Some(v) = obj.member(member) {
            objects.push((member.to_string(), v));
        }
    }
    if let Some(v) = value_at(doc, &["FindingProviderFields", "Severity"]) {
        objects.push(("FindingProviderFields.Severity".to_string(), v));
    }
    for path in [&["RelatedFindings"][..], &["FindingProviderFields", "RelatedFindings"]] {
        let list = value_at(doc, path).and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
        for (i, rf) in list.iter().enumerate() {
            objects.push((format!("{}[{i}]", path.join(".")), rf));
        }
    }
    for (at, v) in objects {
        if let Some((k, _)) = v.as_object().and_then(|m| m.iter().find(|(_, v)| v.is_null())) {
            return refuse(format!("{at}.{}", sanitize::line(k)));
        }
    }
    let resources = obj.member("Resources").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    for (i, r) in resources.iter().enumerate() {
        for member in RESOURCE_CHECKED {
            if r.member(member).is_some_and(Value::is_null) {
                return refuse(format!("Resources[{i}].{member}"));
            }
        }
    }
    for member in COMPLIANCE_CHECKED {
        if value_at(doc, &["Compliance", member]).is_some_and(Value::is_null) {
            return refuse(format!("Compliance.{member}"));
        }
    }
    Ok(())
}

/// The refusal of a null sent for the member at `path` (`Resources[0].Id`).
pub fn null_refused(path: &str) -> String {
    format!("data.{path}: null is not allowed; leave the member out")
}

/// The members of each resource and of Compliance the rules read (and a file import parses).
const RESOURCE_CHECKED: [&str; 2] = ["Type", "Id"];
const COMPLIANCE_CHECKED: [&str; 2] = ["Status", "SecurityControlId"];

/// ASFF reference, ProductArn: "the ARN that Security Hub generates ... after a product registers",
/// `arn:<partition>:securityhub:<region>:<account>:product/<company>/<product>`; the account is
/// empty for AWS's own products (`arn:aws:securityhub:us-east-1::product/aws/guardduty`) and the
/// company is an account id for a custom integration. The key of every finding, the product's name
/// and the Region filled in on import are read from it: a name that is not such an ARN is refused.
pub(super) fn check_product_arn(arn: &str) -> Result<(), String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ok = match parts[..] {
        ["arn", partition, "securityhub", region, account, resource] => {
            partition.starts_with("aws")
                && !region.is_empty()
                && (account.is_empty() || (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())))
                && resource.strip_prefix("product/").is_some_and(|rest| {
                    let mut segments = rest.split('/');
                    let (company, product) = (segments.next().unwrap_or(""), segments.next().unwrap_or(""));
                    !company.is_empty() && !product.is_empty()
                })
        }
        _ => false,
    };
    if ok {
        return Ok(());
    }
    let shown: String = arn.chars().take(100).collect();
    let cut = if shown.len() < arn.len() { "..." } else { "" };
    Err(format!(
        "data.ProductArn \"{shown}{cut}\" is not a product ARN \
         (arn:<partition>:securityhub:<region>:<account>:product/<company>/<product>)"
    ))
}
