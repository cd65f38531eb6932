//! The threat section (GuardDuty-like findings): what was done (`Action`: its `ActionType` and the
//! connection, API call, port probe or DNS request it describes), by whom and from where (the
//! remote address, its port, country, city and network), the connection in `Network`, and how often
//! it was seen (AWS Security Finding Format (ASFF) reference, Action and Network).
//!
//! ASFF has no top-level count; GuardDuty writes its own (how many times it saw the activity) as
//! `ProductFields` `aws/guardduty/service/count`, which is shown as `count`.

use serde_json::Value;

use super::{at, facts, list, scalar, DetailLine, DetailSection};

const COUNT: &str = "aws/guardduty/service/count";

pub(super) fn section(doc: &Value) -> Option<DetailSection> {
    let mut lines = Vec::new();
    if let Some(a) = doc.get("Action").filter(|a| a.is_object()) {
        action(a, &mut lines);
    }
    if let Some(n) = doc.get("Network").filter(|n| n.is_object()) {
        network(n, &mut lines);
    }
    if let Some(count) = doc.get("ProductFields").and_then(|f| scalar(f.get(COUNT))) {
        if !lines.is_empty() {
            lines.push(DetailLine::kv(2, "count", count));
        }
    }
    (!lines.is_empty()).then_some(DetailSection { heading: "Threat", lines })
}

fn blocked(v: &Value) -> Option<String> {
    v.get("Blocked").and_then(Value::as_bool).map(|b| if b { "blocked" } else { "not blocked" }.to_string())
}

fn port(v: &Value, path: &str) -> Option<String> {
    let p = v.get(path)?;
    let number = at(p, &["Port"])?;
    Some(match at(p, &["PortName"]) {
        Some(name) => format!("{number} ({name})"),
        None => number,
    })
}

fn action(a: &Value, lines: &mut Vec<DetailLine>) {
    let kind = at(a, &["ActionType"]);
    if let Some(c) = a.get("NetworkConnectionAction").filter(|c| c.is_object()) {
        let head = facts(&[
            ("", kind.clone()),
            ("", at(c, &["ConnectionDirection"])),
            ("", at(c, &["Protocol"])),
            ("", blocked(c)),
        ]);
        lines.extend(head.map(|h| DetailLine::kv(2, "action", h)));
        remote(c.get("RemoteIpDetails"), port(c, "RemotePortDetails"), lines);
        lines.extend(port(c, "LocalPortDetails").map(|p| DetailLine::kv(2, "local port", p)));
    } else if let Some(c) = a.get("AwsApiCallAction").filter(|c| c.is_object()) {
        lines.extend(kind.clone().map(|k| DetailLine::kv(2, "action", k)));
        let call = match (at(c, &["Api"]), at(c, &["ServiceName"])) {
            (Some(api), Some(service)) => Some(format!("{api} on {service}")),
            (api, service) => api.or(service),
        };
        lines.extend(call.map(|c| DetailLine::kv(2, "api", c)));
        lines.extend(at(c, &["CallerType"]).map(|c| DetailLine::kv(2, "caller", c)));
        remote(c.get("RemoteIpDetails"), None, lines);
        lines.extend(at(c, &["DomainDetails", "Domain"]).map(|d| DetailLine::kv(2, "domain", d)));
        lines.extend(at(c, &["FirstSeen"]).map(|t| DetailLine::kv(2, "first call", t)));
        lines.extend(at(c, &["LastSeen"]).map(|t| DetailLine::kv(2, "last call", t)));
        if let Some(affected) = c.get("AffectedResources").and_then(Value::as_object).filter(|m| !m.is_empty()) {
            let pairs: Vec<String> = affected
                .iter()
                .map(|(k, v)| format!("{}={}", super::clean(k), scalar(Some(v)).unwrap_or_default()))
                .collect();
            lines.push(DetailLine::kv(2, "affected", pairs.join(", ")));
        }
    } else if let Some(c) = a.get("PortProbeAction").filter(|c| c.is_object()) {
        let head = facts(&[("", kind.clone()), ("", blocked(c))]);
        lines.extend(head.map(|h| DetailLine::kv(2, "action", h)));
        for d in list(c, &["PortProbeDetails"]) {
            let probe =
                facts(&[("port", port(d, "LocalPortDetails")), ("on", at(d, &["LocalIpDetails", "IpAddressV4"]))]);
            lines.extend(probe.map(|p| DetailLine::kv(2, "probe", p)));
            remote(d.get("RemoteIpDetails"), None, lines);
        }
    } else if let Some(c) = a.get("DnsRequestAction").filter(|c| c.is_object()) {
        let head = facts(&[("", kind.clone()), ("", at(c, &["Protocol"])), ("", blocked(c))]);
        lines.extend(head.map(|h| DetailLine::kv(2, "action", h)));
        lines.extend(at(c, &["Domain"]).map(|d| DetailLine::kv(2, "domain", d)));
    } else if let Some(k) = kind {
        lines.push(DetailLine::kv(2, "action", k));
    }
}

/// The remote address, where it is and whose network it is on: one line each.
fn remote(details: Option<&Value>, remote_port: Option<String>, lines: &mut Vec<DetailLine>) {
    let Some(r) = details.filter(|r| r.is_object()) else {
        lines.extend(remote_port.map(|p| DetailLine::kv(2, "remote port", p)));
        return;
    };
    let address = facts(&[("", at(r, &["IpAddressV4"])), ("port", remote_port)]);
    lines.extend(address.map(|a| DetailLine::kv(2, "remote", a)));
    let country = match (at(r, &["Country", "CountryName"]), at(r, &["Country", "CountryCode"])) {
        (Some(name), Some(code)) => Some(format!("{name} ({code})")),
        (name, code) => name.or(code),
    };
    let place: Vec<String> = [at(r, &["City", "CityName"]), country].into_iter().flatten().collect();
    if !place.is_empty() {
        lines.push(DetailLine::kv(2, "location", place.join(", ")));
    }
    let asn = at(r, &["Organization", "Asn"]).map(|a| format!("AS{a}"));
    let org = at(r, &["Organization", "AsnOrg"]);
    let isp = at(r, &["Organization", "Isp"]).filter(|i| Some(i) != org.as_ref());
    let named = at(r, &["Organization", "Org"]).filter(|o| Some(o) != org.as_ref() && Some(o) != isp.as_ref());
    if let Some(n) = facts(&[("", asn), ("", org), ("isp", isp), ("org", named)]) {
        lines.push(DetailLine::kv(2, "network", n));
    }
}

/// `Network`: the connection as the provider saw it (source and destination, direction, protocol).
fn network(n: &Value, lines: &mut Vec<DetailLine>) {
    let end = |ip: &str, ip6: &str, port: &str, domain: &str| {
        let host = at(n, &[ip]).or_else(|| at(n, &[ip6])).or_else(|| at(n, &[domain]));
        match (host, at(n, &[port])) {
            (Some(h), Some(p)) => Some(format!("{h}:{p}")),
            (h, p) => h.or(p.map(|p| format!("port {p}"))),
        }
    };
    let source = end("SourceIpV4", "SourceIpV6", "SourcePort", "SourceDomain");
    let destination = end("DestinationIpV4", "DestinationIpV6", "DestinationPort", "DestinationDomain");
    let path = match (source, destination) {
        (Some(s), Some(d)) => Some(format!("{s} → {d}")),
        (Some(s), None) => Some(format!("from {s}")),
        (None, Some(d)) => Some(format!("to {d}")),
        (None, None) => None,
    };
    let connection = facts(&[("", at(n, &["Direction"])), ("", at(n, &["Protocol"])), ("", path)]);
    lines.extend(connection.map(|c| DetailLine::kv(2, "connection", c)));
    let range = facts(&[("", at(n, &["OpenPortRange", "Begin"])), ("-", at(n, &["OpenPortRange", "End"]))]);
    lines.extend(range.map(|r| DetailLine::kv(2, "open ports", r)));
}
