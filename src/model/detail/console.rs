//! The finding's console link: the provider's `SourceUrl` when it is a web address, else Security
//! Hub's findings page searching for the finding's Id.
//!
//! The Security Hub console keeps its findings filter in the page's fragment as
//! `#/findings?search=Id%3D%255Coperator%255C%253AEQUALS%255C%253A<id>`: the filter
//! `Id=\operator\:EQUALS\:<id>` percent-encoded twice (the console decodes the `search` parameter,
//! then each filter value), so the Id is encoded twice as well. That is the address the console's findings page has when
//! it is filtered by Id, and the form integrations that link into the console use. The console host depends on the
//! partition: `<region>.console.aws.amazon.com` (aws), `console.amazonaws.cn` (aws-cn),
//! `console.amazonaws-us-gov.com` (aws-us-gov); other partitions get no link.

use serde_json::Value;

use crate::model::finding::str_at;

const SEARCH_BY_ID: &str = "Id%3D%255Coperator%255C%253AEQUALS%255C%253A";

pub(super) fn link(doc: &Value) -> Option<String> {
    let source = str_at(doc, &["SourceUrl"]).trim();
    let is_web = (source.starts_with("https://") || source.starts_with("http://"))
        && !source.chars().any(|c| c.is_whitespace() || c.is_control());
    if is_web {
        return Some(super::clean(source));
    }
    security_hub_link(doc)
}

/// Security Hub's findings page filtered to this finding's Id, in the finding's Region.
pub(super) fn security_hub_link(doc: &Value) -> Option<String> {
    let id = str_at(doc, &["Id"]);
    if id.is_empty() {
        return None;
    }
    let product_arn: Vec<&str> = str_at(doc, &["ProductArn"]).split(':').collect();
    let region = match str_at(doc, &["Region"]) {
        "" => product_arn.get(3).copied().unwrap_or(""),
        r => r,
    };
    // A Region is letters, digits and dashes; anything else would not be a console host.
    if region.is_empty() || !region.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    let partition = product_arn.get(1).copied().filter(|p| !p.is_empty()).unwrap_or("aws");
    let host = match partition {
        "aws" => format!("{region}.console.aws.amazon.com"),
        "aws-cn" => "console.amazonaws.cn".into(),
        "aws-us-gov" => "console.amazonaws-us-gov.com".into(),
        _ => return None,
    };
    let encoded = encode(&encode(id));
    Some(format!("https://{host}/securityhub/home?region={region}#/findings?search={SEARCH_BY_ID}{encoded}"))
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
