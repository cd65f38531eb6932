//! The resources section: for each entry of `Resources`, its type, id, Region, partition and tags,
//! then the members of its `Details` that an analyst triages on, per type (AWS Security Finding
//! Format (ASFF) reference, Resources, and the resource details objects): an instance's type,
//! image, addresses, VPC, subnet, profile and launch time; a bucket's owner, creation, public
//! access block and encryption; a role's name, trust policy and creation; a function's runtime,
//! role, handler and last change; a container image's name, digest and registry. Other types show
//! their first few scalar members. Any member may be absent; what is absent is not shown.

use serde_json::Value;

use super::{at, clean, joined, list, or_dash, render, scalar, DetailLine, DetailSection};
use crate::model::finding::str_at;

/// How many scalar members of a type this module does not know are shown.
const GENERIC: usize = 6;

pub(super) fn section(doc: &Value) -> DetailSection {
    let mut lines = Vec::new();
    for r in list(doc, &["Resources"]) {
        lines.push(DetailLine::plain(format!("  {}  {}", or_dash(str_at(r, &["Type"])), or_dash(str_at(r, &["Id"])))));
        lines.push(DetailLine::dim(format!(
            "    region {}  partition {}",
            or_dash(str_at(r, &["Region"])),
            or_dash(str_at(r, &["Partition"]))
        )));
        if let Some(tags) = r.get("Tags").and_then(Value::as_object).filter(|t| !t.is_empty()) {
            let t: Vec<String> = tags.iter().map(|(k, v)| format!("{}={}", clean(k), clean(&render(v)))).collect();
            lines.push(DetailLine::dim(format!("    tags {}", t.join(", "))));
        }
        for (kind, d) in r.get("Details").and_then(Value::as_object).into_iter().flatten() {
            if d.is_object() {
                details(kind, d, &mut lines);
            }
        }
    }
    DetailSection { heading: "Resources", lines }
}

fn details(kind: &str, d: &Value, lines: &mut Vec<DetailLine>) {
    let pairs: Vec<(&str, Option<String>)> = match kind {
        "AwsEc2Instance" => vec![
            ("instance", at(d, &["Type"])),
            ("image", at(d, &["ImageId"])),
            ("ipv4", joined(d, &["IpV4Addresses"])),
            ("ipv6", joined(d, &["IpV6Addresses"])),
            ("vpc", at(d, &["VpcId"])),
            ("subnet", at(d, &["SubnetId"])),
            ("profile", at(d, &["IamInstanceProfileArn"])),
            ("launched", at(d, &["LaunchedAt"])),
            ("IMDS tokens", at(d, &["MetadataOptions", "HttpTokens"])),
        ],
        "AwsS3Bucket" => vec![
            ("owner", at(d, &["OwnerAccountId"]).or_else(|| at(d, &["OwnerName"])).or_else(|| at(d, &["OwnerId"]))),
            ("created", at(d, &["CreatedAt"])),
            ("public block", public_access_block(d.get("PublicAccessBlockConfiguration"))),
            ("encryption", encryption(d)),
        ],
        "AwsIamRole" => vec![
            ("role", at(d, &["RoleName"])),
            ("trust", at(d, &["AssumeRolePolicyDocument"]).map(|p| trust_summary(&p))),
            ("created", at(d, &["CreateDate"])),
            ("max session", at(d, &["MaxSessionDuration"]).map(|s| format!("{s} s"))),
        ],
        "AwsLambdaFunction" => vec![
            ("runtime", at(d, &["Runtime"])),
            ("role", at(d, &["Role"])),
            ("handler", at(d, &["Handler"])),
            ("modified", at(d, &["LastModified"])),
            ("package", at(d, &["PackageType"])),
        ],
        "AwsEcrContainerImage" => vec![
            ("image", at(d, &["RepositoryName"])),
            ("image tags", joined(d, &["ImageTags"])),
            ("digest", at(d, &["ImageDigest"])),
            ("registry", at(d, &["RegistryId"])),
            ("published", at(d, &["ImagePublishedAt"])),
        ],
        "Container" => vec![
            ("container", at(d, &["Name"])),
            ("image", at(d, &["ImageName"])),
            ("image id", at(d, &["ImageId"])),
            ("launched", at(d, &["LaunchedAt"])),
            ("privileged", at(d, &["Privileged"])),
        ],
        "AwsIamAccessKey" => vec![
            ("principal", at(d, &["PrincipalName"])),
            ("type", at(d, &["PrincipalType"])),
            ("status", at(d, &["Status"])),
            ("created", at(d, &["CreatedAt"])),
        ],
        "AwsIamUser" => vec![("user", at(d, &["UserName"])), ("created", at(d, &["CreateDate"]))],
        _ => d
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| scalar(Some(v)).map(|v| (k.as_str(), Some(v))))
            .take(GENERIC)
            .collect(),
    };
    for (label, value) in pairs {
        if let Some(v) = value {
            lines.push(DetailLine::kv(4, &clean(label), v));
        }
    }
}

/// The four switches of a public access block: "all on", or which are off.
fn public_access_block(block: Option<&Value>) -> Option<String> {
    let block = block.filter(|b| b.is_object())?;
    let names = ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"];
    let off: Vec<&str> =
        names.iter().copied().filter(|n| block.get(*n).and_then(Value::as_bool) != Some(true)).collect();
    Some(if off.is_empty() { "all on".into() } else { format!("off: {}", off.join(", ")) })
}

/// The default encryption of a bucket's rules: algorithm and key.
fn encryption(d: &Value) -> Option<String> {
    let rules: Vec<String> = list(d, &["ServerSideEncryptionConfiguration", "Rules"])
        .iter()
        .filter_map(|r| {
            let algo = at(r, &["ApplyServerSideEncryptionByDefault", "SSEAlgorithm"])?;
            Some(match at(r, &["ApplyServerSideEncryptionByDefault", "KMSMasterKeyID"]) {
                Some(key) => format!("{algo} key {key}"),
                None => algo,
            })
        })
        .collect();
    (!rules.is_empty()).then(|| rules.join(", "))
}

/// A role's trust policy in one line: `Allow sts:AssumeRole by Service ec2.amazonaws.com` per
/// statement. ASFF carries the policy URL-encoded (AwsIamRoleDetails, AssumeRolePolicyDocument);
/// plain JSON is read too. What cannot be read says so.
fn trust_summary(encoded: &str) -> String {
    let decoded = percent_decode(encoded);
    let Ok(policy) = serde_json::from_str::<Value>(&decoded) else {
        return "(not a policy document)".into();
    };
    let statements = match policy.get("Statement") {
        Some(Value::Array(a)) => a.clone(),
        Some(s @ Value::Object(_)) => vec![s.clone()],
        _ => Vec::new(),
    };
    let one = |s: &Value| {
        let words = |v: Option<&Value>| match v {
            Some(Value::Array(a)) => a.iter().filter_map(|x| scalar(Some(x))).collect::<Vec<_>>().join(", "),
            other => scalar(other).unwrap_or_else(|| "-".into()),
        };
        let principal = match s.get("Principal") {
            Some(Value::Object(m)) => {
                m.iter().map(|(k, v)| format!("{} {}", clean(k), words(Some(v)))).collect::<Vec<_>>().join("; ")
            }
            other => words(other),
        };
        let condition = if s.get("Condition").is_some() { " (with conditions)" } else { "" };
        format!("{} {} by {principal}{condition}", words(s.get("Effect")), words(s.get("Action")))
    };
    let parts: Vec<String> = statements.iter().map(one).collect();
    if parts.is_empty() {
        "(no statements)".into()
    } else {
        parts.join(" | ")
    }
}

/// `%7B%22Version...` to `{"Version...`; a `%` that does not start an escape is kept.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trust_policy_reads_as_one_line() {
        let enc = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D";
        assert_eq!(trust_summary(enc), "Allow sts:AssumeRole by Service ec2.amazonaws.com");
        let plain = r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":["sts:AssumeRole","sts:TagSession"],"Condition":{}}}"#;
        assert_eq!(trust_summary(plain), "Allow sts:AssumeRole, sts:TagSession by * (with conditions)");
        assert_eq!(trust_summary("100%zz"), "(not a policy document)");
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%41%"), "A%");
    }
}
