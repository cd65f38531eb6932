//! Evaluating accepted filters against an ASFF finding held as `serde_json::Value`, with the semantics
//! listed in the module doc of `model::filter`.

use std::net::IpAddr;

use serde_json::Value;
use time::OffsetDateTime;

use super::rules::{Compiled, DateBounds};
use super::{
    DateFilter, DateRangeComparison, FieldDef, FieldEntry, FilterList, Filters, MapComparison, MapFilter, NumberFilter,
    StringComparison, StringFilter,
};
use crate::model::timestamp;

impl Filters {
    /// Whether `finding` (an ASFF finding) passes every filter, with `now` as the reference for
    /// `DateRange`s.
    pub fn matches(&self, finding: &Value, now: OffsetDateTime) -> bool {
        self.entries.iter().all(|e| e.matches(finding, now))
    }
}

/// Calls `f` on every value at `path` below `v` (a dot-separated ASFF path; lists met on the way, and a
/// list at the end, are walked element by element) until `f` returns true. Returns whether it did.
pub(crate) fn any_at<'a>(v: &'a Value, path: &str, f: &mut dyn FnMut(&'a Value) -> bool) -> bool {
    if let Value::Array(items) = v {
        return items.iter().any(|item| any_at(item, path, f));
    }
    if path.is_empty() {
        return f(v);
    }
    let (seg, rest) = path.split_once('.').unwrap_or((path, ""));
    let key = seg.strip_suffix("[]").unwrap_or(seg);
    match v.get(key) {
        Some(child) => any_at(child, rest, f),
        None => false,
    }
}

/// Calls `f` on every string value of `def`'s field in `v` (its path's, or the one value a field of
/// hubtriage's own works out) until `f` returns true. Returns whether it did.
pub(crate) fn any_str_of(def: &FieldDef, v: &Value, f: &mut dyn FnMut(&str) -> bool) -> bool {
    match def.derived {
        Some(derived) => derived.value(v).is_some_and(f),
        None => any_at(v, def.path, &mut |x| x.as_str().is_some_and(&mut *f)),
    }
}

/// Case-insensitive substring test; `needle_lower` must already be lower-case. Does not allocate when the
/// needle is ASCII.
pub(crate) fn contains_ignore_case(haystack: &str, needle_lower: &str) -> bool {
    if needle_lower.is_empty() {
        return true;
    }
    if needle_lower.is_ascii() {
        let n = needle_lower.as_bytes();
        haystack.as_bytes().windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
    } else {
        haystack.to_lowercase().contains(needle_lower)
    }
}

/// `Value` occurs in `s` with no letter or digit right before or after it; with `ignore_case`,
/// regardless of case. The V2 filters ignore case, as the service model's example says ("Title
/// CONTAINS_WORD lambda" matches "GuardDuty Lambda Protection"); the V1 filters (which GetFindings
/// refuses CONTAINS_WORD in, but automation rules and views evaluate) keep it, as the workbench's
/// in-memory filter (`app::columnar`) decides it, and the two must agree.
pub(crate) fn contains_word(s: &str, word: &str, ignore_case: bool) -> bool {
    let (s, word) = if ignore_case {
        (std::borrow::Cow::Owned(s.to_lowercase()), std::borrow::Cow::Owned(word.to_lowercase()))
    } else {
        (std::borrow::Cow::Borrowed(s), std::borrow::Cow::Borrowed(word))
    };
    s.match_indices(&*word).any(|(i, _)| {
        let before = s[..i].chars().next_back();
        let after = s[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Whether `s` hits the filter's value (for a negative comparison: the value it must not have).
/// One comparison for both APIs' string filters (GetFindings and GetFindingsV2); `word_ignores_case`
/// says how CONTAINS_WORD takes case (`contains_word`).
pub(crate) fn string_test(f: &StringFilter, s: &str, word_ignores_case: bool) -> bool {
    let v = f.value.as_str();
    match f.comparison {
        StringComparison::Equals | StringComparison::NotEquals => s == v,
        StringComparison::Prefix | StringComparison::PrefixNotEquals => s.starts_with(v),
        StringComparison::Contains | StringComparison::NotContains => s.contains(v),
        StringComparison::ContainsWord => contains_word(s, v, word_ignores_case),
    }
}

fn map_test(f: &MapFilter, s: &str) -> bool {
    match f.comparison {
        MapComparison::Equals | MapComparison::NotEquals => s == f.value,
        MapComparison::Contains | MapComparison::NotContains => s.contains(f.value.as_str()),
    }
}

/// A number, or a string holding one: what a NumberFilter compares (both APIs).
pub(crate) fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Whether `x` is within every bound of the entry (both APIs' number filters).
pub(crate) fn number_test(f: &NumberFilter, x: f64) -> bool {
    f.gte.is_none_or(|b| x >= b)
        && f.lte.is_none_or(|b| x <= b)
        && f.eq.is_none_or(|b| x == b)
        && f.gt.is_none_or(|b| x > b)
        && f.lt.is_none_or(|b| x < b)
}

fn date_test(f: &DateFilter, b: &DateBounds, t: OffsetDateTime, now: OffsetDateTime) -> bool {
    if let Some(r) = &f.date_range {
        // DateRange doc: WITHIN = inside the last N days, OLDER_THAN = before that range.
        let cutoff = r.cutoff(now);
        return match r.comparison {
            DateRangeComparison::Within => cutoff.is_none_or(|c| t >= c) && t <= now,
            DateRangeComparison::OlderThan => cutoff.is_some_and(|c| t < c),
        };
    }
    b.start.is_none_or(|s| t >= s) && b.end.is_none_or(|e| t <= e)
}

fn any_string_in(v: &Value, needle_lower: &str) -> bool {
    match v {
        Value::String(s) => contains_ignore_case(s, needle_lower),
        Value::Array(a) => a.iter().any(|x| any_string_in(x, needle_lower)),
        Value::Object(o) => o.values().any(|x| any_string_in(x, needle_lower)),
        _ => false,
    }
}

impl FieldEntry {
    fn matches(&self, finding: &Value, now: OffsetDateTime) -> bool {
        let path = self.def.path;
        match (&self.list, &self.compiled) {
            (FilterList::String(list), _) => {
                let has_pos = list.iter().any(|f| !f.comparison.is_negative());
                let has_neg = list.iter().any(|f| f.comparison.is_negative());
                if has_pos {
                    let hit = any_str_of(self.def, finding, &mut |s| {
                        list.iter().any(|f| !f.comparison.is_negative() && string_test(f, s, false))
                    });
                    if !hit {
                        return false;
                    }
                }
                // A negative filter is violated when any element hits its value.
                !has_neg
                    || !any_str_of(self.def, finding, &mut |s| {
                        list.iter().any(|f| f.comparison.is_negative() && string_test(f, s, false))
                    })
            }
            (FilterList::Map(list), _) => {
                let has_pos = list.iter().any(|f| !f.comparison.is_negative());
                let has_neg = list.iter().any(|f| f.comparison.is_negative());
                let hits = |m: &Value, negative: bool| {
                    list.iter().any(|f| {
                        f.comparison.is_negative() == negative
                            && m.get(&f.key).and_then(Value::as_str).is_some_and(|s| map_test(f, s))
                    })
                };
                if has_pos && !any_at(finding, path, &mut |m| hits(m, false)) {
                    return false;
                }
                !has_neg || !any_at(finding, path, &mut |m| hits(m, true))
            }
            (FilterList::Number(list), _) => {
                any_at(finding, path, &mut |v| as_number(v).is_some_and(|x| list.iter().any(|f| number_test(f, x))))
            }
            (FilterList::Date(list), Compiled::Dates(bounds)) => any_at(finding, path, &mut |v| {
                v.as_str()
                    .and_then(timestamp::parse)
                    .is_some_and(|t| list.iter().zip(bounds).any(|(f, b)| date_test(f, b, t, now)))
            }),
            (FilterList::Ip(_), Compiled::Cidrs(cidrs)) => any_at(finding, path, &mut |v| {
                v.as_str()
                    .and_then(|s| s.split('/').next())
                    .and_then(|s| s.trim().parse::<IpAddr>().ok())
                    .is_some_and(|ip| cidrs.iter().any(|c| c.contains(ip)))
            }),
            (FilterList::Boolean(list), _) => {
                // Sample: a finding without the member is not a sample.
                let value = finding.get(path).and_then(Value::as_bool).unwrap_or(false);
                list.iter().any(|f| f.value == value)
            }
            (FilterList::Keyword(_), Compiled::Keywords(words)) => words.iter().any(|w| any_string_in(finding, w)),
            // The compiled form always matches the list kind (built together in `check_list`).
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{f, finding, m, NOW};
    use super::*;
    use serde_json::json;

    #[test]
    fn different_fields_are_anded() {
        // Service model, AwsSecurityFindingFilters: different members are ANDed.
        let eq = |v: &str| json!([{"Value": v, "Comparison": "EQUALS"}]);
        assert!(m(json!({"SeverityLabel": eq("HIGH"), "WorkflowStatus": eq("NEW")})));
        assert!(!m(json!({"SeverityLabel": eq("HIGH"), "WorkflowStatus": eq("RESOLVED")})));
        assert!(Filters::new().matches(&finding(), NOW));
    }

    #[test]
    fn string_comparisons() {
        // Model doc StringFilter.Comparison: EQUALS exact, PREFIX starts-with, CONTAINS substring; case-sensitive.
        let one = |field: &str, v: &str, c: &str| m(json!({ field: [{"Value": v, "Comparison": c}] }));
        assert!(one("SeverityLabel", "HIGH", "EQUALS"));
        assert!(!one("SeverityLabel", "high", "EQUALS"));
        assert!(!one("SeverityLabel", "HIG", "EQUALS"));
        assert!(one("Region", "eu-", "PREFIX"));
        assert!(!one("Region", "us-", "PREFIX"));
        assert!(one("Title", "CloudFront", "CONTAINS"));
        assert!(!one("Title", "cloudfront", "CONTAINS"));
        assert!(one("Title", "CloudFront", "NOT_EQUALS"));
        assert!(!one("Title", "CloudFront", "NOT_CONTAINS"));
        assert!(one("Title", "CloudWatch", "NOT_CONTAINS"));
        assert!(!one("Region", "eu", "PREFIX_NOT_EQUALS"));
        assert!(one("Region", "us", "PREFIX_NOT_EQUALS"));
        // CONTAINS_WORD (semantics unstated in the model; this module: word boundaries, case-sensitive).
        assert!(one("Title", "CloudFront", "CONTAINS_WORD"));
        assert!(!one("Title", "Cloud", "CONTAINS_WORD"));
        assert!(one("Title", "a CloudFront", "CONTAINS_WORD"));
    }

    #[test]
    fn positives_are_ored_and_negatives_anded() {
        // Model doc: CONTAINS/EQUALS/PREFIX on a field are joined by OR; NOT_* are joined by AND.
        assert!(m(json!({"SeverityLabel": [
            {"Value": "LOW", "Comparison": "EQUALS"}, {"Value": "HIGH", "Comparison": "EQUALS"}]})));
        assert!(m(json!({"Title": [
            {"Value": "CloudWatch", "Comparison": "CONTAINS"}, {"Value": "CloudFront", "Comparison": "CONTAINS"}]})));
        assert!(!m(json!({"Title": [
            {"Value": "CloudWatch", "Comparison": "NOT_CONTAINS"}, {"Value": "CloudFront", "Comparison": "NOT_CONTAINS"}]})));
        assert!(m(json!({"Title": [
            {"Value": "CloudWatch", "Comparison": "NOT_CONTAINS"}, {"Value": "Lambda", "Comparison": "NOT_CONTAINS"}]})));
    }

    #[test]
    fn prefix_then_negatives_remove_matches() {
        // Model doc example: ResourceType PREFIX AwsIam, PREFIX AwsEc2, NOT_EQUALS AwsIamPolicy,
        // NOT_EQUALS AwsEc2NetworkInterface.
        let filters = f(json!({"ResourceType": [
            {"Value": "AwsIam", "Comparison": "PREFIX"},
            {"Value": "AwsEc2", "Comparison": "PREFIX"},
            {"Value": "AwsIamPolicy", "Comparison": "NOT_EQUALS"},
            {"Value": "AwsEc2NetworkInterface", "Comparison": "NOT_EQUALS"}]}));
        let with = |t: &str| json!({"Resources": [{"Type": t, "Id": "x"}]});
        assert!(filters.matches(&with("AwsIamRole"), NOW));
        assert!(filters.matches(&with("AwsEc2Instance"), NOW));
        assert!(!filters.matches(&with("AwsIamPolicy"), NOW));
        assert!(!filters.matches(&with("AwsEc2NetworkInterface"), NOW));
        assert!(!filters.matches(&with("AwsS3Bucket"), NOW));
    }

    #[test]
    fn list_valued_attributes() {
        // GetFindings API reference: a positive filter matches if any element matches (Type -> Types[],
        // ResourceId -> Resources[].Id). Brief: a negative filter excludes when any element hits.
        let one = |field: &str, v: &str, c: &str| m(json!({ field: [{"Value": v, "Comparison": c}] }));
        assert!(one("Type", "Effects/Data Exposure", "EQUALS"));
        assert!(one("Type", "TTPs/", "PREFIX"));
        assert!(!one("Type", "Effects/Data Exposure", "NOT_EQUALS"));
        assert!(one("Type", "Unusual Behaviors", "PREFIX_NOT_EQUALS"));
        assert!(one("ResourceId", "arn:aws:s3:::logs", "EQUALS"));
        assert!(!one("ResourceId", "i-0abc", "NOT_EQUALS"));
        assert!(one("ComplianceSecurityControlParametersValue", "30", "EQUALS"));
        assert!(one("ComplianceSecurityControlParametersName", "maxDays", "EQUALS"));
        assert!(one("ComplianceAssociatedStandardsId", "standards/aws-foundational", "PREFIX"));
    }

    #[test]
    fn missing_attribute_fails_positive_and_passes_negative() {
        // Brief (AWS semantics): missing attribute fails positive filters and passes negative ones.
        let one = |v: &str, c: &str| m(json!({"NoteText": [{"Value": v, "Comparison": c}]}));
        assert!(!one("x", "EQUALS"));
        assert!(!one("x", "PREFIX"));
        assert!(!one("x", "CONTAINS"));
        assert!(one("x", "NOT_EQUALS"));
        assert!(one("x", "NOT_CONTAINS"));
        assert!(one("x", "PREFIX_NOT_EQUALS"));
    }

    #[test]
    fn number_filters() {
        // Service model, NumberFilter: every bound in one entry must hold; entries on one field are ORed.
        assert!(m(json!({"Confidence": [{"Gte": 80, "Lte": 90}]})));
        assert!(!m(json!({"Confidence": [{"Gt": 80}]})));
        assert!(m(json!({"Confidence": [{"Eq": 80.0}]})));
        assert!(!m(json!({"Confidence": [{"Gte": 10, "Lt": 80}]})));
        assert!(m(json!({"Confidence": [{"Lt": 10}, {"Gt": 79}]})));
        // Floats in findings; ints in findings vs float bounds.
        assert!(m(json!({"SeverityProduct": [{"Gt": 7.4, "Lt": 7.6}]})));
        assert!(m(json!({"SeverityNormalized": [{"Gte": 69.5}]})));
        assert!(m(json!({"NetworkSourcePort": [{"Eq": 443}]})));
        // Missing attribute never matches.
        assert!(!m(json!({"Criticality": [{"Gte": 0}]})));
    }

    #[test]
    fn date_filters() {
        // Service model, DateFilter and DateRange: Start..End (inclusive), DateRange WITHIN / OLDER_THAN N DAYS,
        // default WITHIN.
        assert!(m(json!({"UpdatedAt": [{"Start": "2025-02-27T10:00:00Z", "End": "2025-02-27T10:00:00Z"}]})));
        assert!(m(json!({"UpdatedAt": [{"Start": "2025-02-01T00:00:00Z"}]})));
        assert!(!m(json!({"UpdatedAt": [{"End": "2025-02-27T09:59:59Z"}]})));
        assert!(m(json!({"UpdatedAt": [{"End": "2025-02-27T11:00:00+01:00"}]})));
        assert!(m(json!({"UpdatedAt": [{"DateRange": {"Value": 7, "Unit": "DAYS"}}]})));
        assert!(!m(json!({"CreatedAt": [{"DateRange": {"Value": 7, "Unit": "DAYS", "Comparison": "WITHIN"}}]})));
        assert!(m(json!({"CreatedAt": [{"DateRange": {"Value": 7, "Unit": "DAYS", "Comparison": "OLDER_THAN"}}]})));
        assert!(!m(json!({"UpdatedAt": [{"DateRange": {"Value": 7, "Unit": "DAYS", "Comparison": "OLDER_THAN"}}]})));
        // List-valued dates; missing dates never match.
        assert!(m(json!({"ResourceAwsEc2InstanceLaunchedAt": [{"End": "2024-06-01T00:00:00Z"}]})));
        assert!(!m(json!({"NoteUpdatedAt": [{"Start": "2000-01-01T00:00:00Z"}]})));
        // A finding date in the future is not "within the last N days".
        let future = json!({"UpdatedAt": "2025-03-05T00:00:00Z"});
        assert!(!f(json!({"UpdatedAt": [{"DateRange": {"Value": 30, "Unit": "DAYS"}}]})).matches(&future, NOW));
        // Brief: unparsable finding dates never match.
        let junk = json!({"UpdatedAt": "yesterday"});
        assert!(!f(json!({"UpdatedAt": [{"Start": "2000-01-01T00:00:00Z"}]})).matches(&junk, NOW));
        assert!(!f(json!({"UpdatedAt": [{"DateRange": {"Value": 1, "Unit": "DAYS", "Comparison": "OLDER_THAN"}}]}))
            .matches(&junk, NOW));
        // Huge ranges do not overflow.
        assert!(m(json!({"UpdatedAt": [{"DateRange": {"Value": 2147483647, "Unit": "DAYS"}}]})));
        assert!(!m(
            json!({"UpdatedAt": [{"DateRange": {"Value": 2147483647, "Unit": "DAYS", "Comparison": "OLDER_THAN"}}]})
        ));
    }

    #[test]
    fn map_filters() {
        // Service model, MapFilter: look up Key; EQUALS or CONTAINS ORed, NOT_* ANDed; ResourceTags =
        // Resources[].Tags (ASFF reference).
        let tag = |k: &str, v: &str, c: &str| json!({"Key": k, "Value": v, "Comparison": c});
        assert!(m(json!({"ResourceTags": [tag("env", "dev", "EQUALS")]})));
        assert!(m(json!({"ResourceTags": [tag("env", "tes", "CONTAINS"), tag("team", "blu", "CONTAINS")]})));
        assert!(m(json!({"ResourceTags": [tag("env", "test", "EQUALS"), tag("env", "dev", "EQUALS")]})));
        assert!(!m(json!({"ResourceTags": [tag("env", "Prod", "EQUALS")]})));
        assert!(!m(json!({"ResourceTags": [tag("env", "prod", "NOT_EQUALS")]})));
        assert!(m(json!({"ResourceTags": [tag("owner", "x", "NOT_EQUALS")]})));
        assert!(!m(json!({"ResourceTags": [tag("owner", "x", "EQUALS")]})));
        assert!(!m(json!({"ResourceTags": [tag("env", "pro", "NOT_CONTAINS"), tag("team", "red", "NOT_CONTAINS")]})));
        assert!(m(json!({"ResourceTags": [tag("env", "test", "NOT_CONTAINS"), tag("team", "red", "NOT_CONTAINS")]})));
        assert!(m(json!({"ProductFields": [tag("aws/guardduty/service/count", "3", "EQUALS")]})));
        assert!(m(json!({"ResourceDetailsOther": [tag("k", "v", "CONTAINS")]})));
        assert!(!m(json!({"UserDefinedFields": [tag("k", "v", "EQUALS")]})));
    }

    #[test]
    fn boolean_filter_on_sample() {
        // Service model, BooleanFilter on Sample: true selects sample findings, false excludes them; missing
        // Sample = false (brief).
        let yes = f(json!({"Sample": [{"Value": true}]}));
        let no = f(json!({"Sample": [{"Value": false}]}));
        assert!(!yes.matches(&finding(), NOW));
        assert!(no.matches(&finding(), NOW));
        let sample = json!({"Sample": true});
        assert!(yes.matches(&sample, NOW));
        assert!(!no.matches(&sample, NOW));
    }

    #[test]
    fn ip_filters() {
        // Service model, IpFilter: the finding's address lies inside the CIDR (v4 and v6).
        let ip = |field: &str, c: &str| m(json!({ field: [{"Cidr": c}] }));
        assert!(ip("NetworkSourceIpV4", "198.51.100.0/24"));
        assert!(ip("NetworkSourceIpV4", "198.51.100.7/32"));
        assert!(ip("NetworkSourceIpV4", "198.51.100.7"));
        assert!(ip("NetworkSourceIpV4", "0.0.0.0/0"));
        assert!(!ip("NetworkSourceIpV4", "198.51.101.0/24"));
        assert!(ip("NetworkSourceIpV6", "2001:db8::/32"));
        assert!(!ip("NetworkSourceIpV6", "2001:db9::/32"));
        assert!(!ip("NetworkSourceIpV4", "::/0"));
        assert!(ip("ResourceAwsEc2InstanceIpV4Addresses", "172.16.0.0/12"));
        assert!(!ip("NetworkDestinationIpV4", "0.0.0.0/0"));
        assert!(m(json!({"NetworkSourceIpV4": [{"Cidr": "10.0.0.0/8"}, {"Cidr": "198.51.100.0/24"}]})));
    }

    #[test]
    fn keyword_filter() {
        // Service model, KeywordFilter: deprecated Keyword; here a case-insensitive search over string values.
        assert!(m(json!({"Keyword": [{"Value": "cloudfront"}]})));
        assert!(m(json!({"Keyword": [{"Value": "PROD"}]})));
        assert!(!m(json!({"Keyword": [{"Value": "lambda"}]})));
    }

    #[test]
    fn helpers() {
        assert!(contains_ignore_case("Hello World", "world"));
        assert!(!contains_ignore_case("Hello", "world"));
        assert!(contains_ignore_case("ÄPFEL", "äpfel"));
        for ignore_case in [false, true] {
            assert!(contains_word("a b-c", "b", ignore_case));
            assert!(!contains_word("abc", "b", ignore_case));
        }
        assert!(!contains_word("a B-c", "b", false));
        assert!(contains_word("a B-c", "b", true));
    }
}
