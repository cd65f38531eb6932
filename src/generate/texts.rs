//! Texts and word lists: Regions, account aliases, service, team and people names, analysts' notes,
//! and the helpers that turn catalogue entries into titles and descriptions (slugs, nouns, type names,
//! fixed versions, length limits).

use crate::model::enums::SeverityLabel;

/// Regions accounts use, weighted by how much of a typical estate runs there.
pub(super) const REGIONS: &[(&str, u32)] = &[
    ("us-east-1", 30),
    ("us-west-2", 14),
    ("eu-west-1", 13),
    ("eu-central-1", 10),
    ("us-east-2", 9),
    ("ap-northeast-1", 6),
    ("ap-southeast-2", 5),
    ("eu-west-2", 4),
    ("ap-southeast-1", 4),
    ("ca-central-1", 3),
    ("ap-south-1", 2),
];

/// Account aliases; the environment (prod, staging, dev, shared) is read from the name.
pub(super) const ACCOUNT_NAMES: &[&str] = &[
    "payments-prod",
    "storefront-prod",
    "datalake-prod",
    "identity-prod",
    "core-api-prod",
    "security-audit",
    "storefront-staging",
    "sandbox-dev-1",
    "log-archive",
    "platform-dev",
    "shared-network",
    "datalake-staging",
    "ml-training",
    "analytics-prod",
    "erp-legacy",
    "qa-automation",
    "partner-gateway",
    "backup-vault",
    "mobile-prod",
    "sandbox-dev-2",
    "build-ci",
    "edge-prod",
];

/// Application names that resource names and tags are built from.
pub(super) const SERVICES: &[&str] = &[
    "checkout",
    "ledger",
    "catalog",
    "auth",
    "search",
    "notify",
    "reporting",
    "ingest",
    "frontend",
    "gateway",
    "etl",
    "recs",
];
pub(super) const TEAMS: &[&str] = &["payments", "storefront", "platform", "data", "identity", "ml", "sre", "secops"];
pub(super) const PEOPLE: &[&str] =
    &["amara", "bjorn", "chen", "dolores", "emeka", "fatima", "giulia", "hiro", "ines", "jonas"];
pub(super) const ANALYSTS: &[&str] = &["amara", "chen", "ines", "triage-bot", "soc-oncall"];

/// What an analyst writes in `Note.Text`.
pub(super) const NOTE_TEXTS: &[&str] = &[
    "Ticket raised with the owning team; fix planned for the next release train.",
    "Risk accepted until the workload is decommissioned at the end of the quarter.",
    "Expected: traffic originates from our authorised external scanner.",
    "Under investigation with platform engineering.",
    "Mitigated by a WAF rule and network ACL while the patch is rolled out.",
    "Duplicate of an incident already being tracked.",
    "Resource is a short-lived test fixture, will be torn down automatically.",
];

/// `s` cut to at most `max` bytes on a character boundary (ASFF limits Title and Description).
pub(super) fn truncate(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

/// A config-rule-like slug from a control title: lower-case words joined with '-', at most six.
pub(super) fn slug(title: &str) -> String {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| {
            !w.is_empty() && !matches!(*w, "should" | "be" | "the" | "a" | "an" | "to" | "for" | "with" | "all")
        })
        .take(6)
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("-")
}

/// CloudFormation-style type name Access Analyzer uses in descriptions.
pub(super) fn cfn_type(asff_type: &str) -> &'static str {
    match asff_type {
        "AwsS3Bucket" => "AWS::S3::Bucket",
        "AwsIamRole" => "AWS::IAM::Role",
        "AwsIamUser" => "AWS::IAM::User",
        "AwsKmsKey" => "AWS::KMS::Key",
        "AwsSqsQueue" => "AWS::SQS::Queue",
        "AwsLambdaFunction" => "AWS::Lambda::Function",
        "AwsSecretsManagerSecret" => "AWS::SecretsManager::Secret",
        _ => "AWS::::Resource",
    }
}

/// The service name GuardDuty gives a well-known port.
pub(super) fn port_name(port: u16) -> &'static str {
    match port {
        22 => "SSH",
        53 => "DNS",
        80 => "HTTP",
        443 => "HTTPS",
        1433 => "MSSQL",
        3389 => "RDP",
        5900 => "VNC",
        6667 => "IRC",
        _ => "Unknown",
    }
}

/// A plausible fixed version: the last run of digits in `v` is increased by `step`.
pub(super) fn bump_version(v: &str, step: i64) -> String {
    let bytes = v.as_bytes();
    let mut end = bytes.len();
    while end > 0 && !bytes[end - 1].is_ascii_digit() {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && bytes[start - 1].is_ascii_digit() {
        start -= 1;
    }
    match v[start..end].parse::<i64>() {
        Ok(n) if start < end => format!("{}{}{}", &v[..start], n + step, &v[end..]),
        _ => format!("{v}.1"),
    }
}

/// A severity label as Macie writes it in `Severity.Original` (title case).
pub(super) fn title_case(label: SeverityLabel) -> &'static str {
    match label {
        SeverityLabel::Informational => "Informational",
        SeverityLabel::Low => "Low",
        SeverityLabel::Medium => "Medium",
        SeverityLabel::High => "High",
        SeverityLabel::Critical => "Critical",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::generate::random::unique_suffix;
    use std::collections::HashSet;

    #[test]
    fn helpers() {
        assert_eq!(bump_version("1.1.1k-9", 2), "1.1.1k-11");
        assert_eq!(bump_version("v0.17.0", 1), "v0.17.1");
        assert_eq!(truncate("héllo".to_string(), 2), "h");
        let s: HashSet<String> = (0..5000).map(|i| unique_suffix(i, 77)).collect();
        assert_eq!(s.len(), 5000);
        assert_eq!(
            slug("S3 general purpose buckets should block public access"),
            "s3-general-purpose-buckets-block-public"
        );
    }
}
