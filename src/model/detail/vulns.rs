//! The vulnerabilities section (Inspector-like findings): for each entry of `Vulnerabilities`, its
//! severity as the vendor rates it, CVSS scores and vectors, the EPSS score, whether an exploit is
//! known, whether a fix is available, each vulnerable package with its installed and fixed version
//! and the fix command, and the reference URLs (AWS Security Finding Format (ASFF) reference,
//! Vulnerabilities).

use serde_json::Value;

use super::{at, facts, joined, list, DetailLine, DetailSection, Tone, LABEL};

/// The column a package's second and later lines start at (under the value of `package`).
const PACKAGE_HANG: usize = 4 + LABEL + 1;

pub(super) fn section(doc: &Value) -> Option<DetailSection> {
    let vulns = list(doc, &["Vulnerabilities"]);
    if vulns.is_empty() {
        return None;
    }
    let mut lines = Vec::new();
    for v in vulns {
        lines.push(DetailLine::plain(format!("  {}", at(v, &["Id"]).unwrap_or_else(|| "(no id)".into()))));
        let vendor = facts(&[
            ("", at(v, &["Vendor", "VendorSeverity"])),
            ("by", at(v, &["Vendor", "Name"])),
            ("published", at(v, &["Vendor", "VendorCreatedAt"])),
            ("updated", at(v, &["Vendor", "VendorUpdatedAt"])),
        ]);
        if let Some(vendor) = vendor {
            lines.push(DetailLine::kv(4, "severity", vendor));
        }
        for c in list(v, &["Cvss"]) {
            let version = at(c, &["Version"]).map(|v| format!("v{v}"));
            let score = facts(&[
                ("", at(c, &["BaseScore"])),
                ("", version),
                ("", at(c, &["Source"])),
                ("", at(c, &["BaseVector"])),
            ]);
            if let Some(score) = score {
                lines.push(DetailLine::kv(4, "CVSS", score));
            }
        }
        if let Some(epss) = at(v, &["EpssScore"]) {
            lines.push(DetailLine::kv(4, "EPSS", epss));
        }
        if let Some(exploit) = at(v, &["ExploitAvailable"]) {
            let known = exploit.eq_ignore_ascii_case("YES");
            let text = match at(v, &["LastKnownExploitAt"]) {
                Some(when) => format!("{exploit}  last known {when}"),
                None => exploit,
            };
            let line = DetailLine::kv(4, "exploit", text);
            lines.push(if known { line.tone(Tone::Alert) } else { line });
        }
        if let Some(fix) = at(v, &["FixAvailable"]) {
            lines.push(DetailLine::kv(4, "fix", fix));
        }
        for p in list(v, &["VulnerablePackages"]) {
            package(p, &mut lines);
        }
        for c in list(v, &["CodeVulnerabilities"]) {
            let cwes = joined(c, &["Cwes"]);
            let path = at(c, &["FilePath", "FilePath"]);
            let line = at(c, &["FilePath", "StartLine"]);
            let place = path.map(|p| line.map_or(p.clone(), |l| format!("{p}:{l}")));
            if let Some(text) = facts(&[("", cwes), ("at", place)]) {
                lines.push(DetailLine::kv(4, "code", text));
            }
        }
        if let Some(related) = joined(v, &["RelatedVulnerabilities"]) {
            lines.push(DetailLine::kv(4, "related", related));
        }
        let mut urls: Vec<String> = list(v, &["ReferenceUrls"]).iter().filter_map(|u| super::scalar(Some(u))).collect();
        if let Some(vendor_url) = at(v, &["Vendor", "Url"]) {
            if !urls.contains(&vendor_url) {
                urls.push(vendor_url);
            }
        }
        for u in urls {
            lines.push(DetailLine::kv(4, "reference", u));
        }
    }
    Some(DetailSection { heading: "Vulnerabilities", lines })
}

/// One vulnerable package: name, installed and fixed version and manager on its first line, then
/// what else is known of it under the value column.
fn package(p: &Value, lines: &mut Vec<DetailLine>) {
    let fixed = at(p, &["FixedInVersion"]).map(|f| if f == "NotAvailable" { "none available".into() } else { f });
    let first = facts(&[
        ("", at(p, &["Name"]).or_else(|| Some("(unnamed)".into()))),
        ("installed", at(p, &["Version"])),
        ("fixed", fixed.or_else(|| Some("-".into()))),
        ("", at(p, &["PackageManager"])),
    ]);
    lines.push(DetailLine::kv(4, "package", first.unwrap_or_default()));
    let more = |label: &str, text: Option<String>| {
        text.map(|t| DetailLine::plain(format!("{:PACKAGE_HANG$}{label} {t}", "")).tone(Tone::Dim))
    };
    let build = facts(&[
        ("epoch", at(p, &["Epoch"]).filter(|e| e != "0")),
        ("release", at(p, &["Release"])),
        ("arch", at(p, &["Architecture"])),
    ]);
    lines.extend(build.map(|b| DetailLine::plain(format!("{:PACKAGE_HANG$}{b}", "")).tone(Tone::Dim)));
    lines.extend(more("path", at(p, &["FilePath"])));
    lines.extend(more("fix:", at(p, &["Remediation"])).map(|l| l.tone(Tone::Plain)));
}
