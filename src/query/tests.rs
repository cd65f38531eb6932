//! The query language end to end: each test parses text with [`parse`](super::parse) and checks the
//! filters, the free words, or the error with its column.

use super::*;
use crate::model::filter::StringComparison as C;
use serde_json::json;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2025-03-01 12:00:00 UTC);

fn q(s: &str) -> Query {
    parse(s).unwrap()
}

fn err(s: &str) -> String {
    parse(s).unwrap_err().to_string()
}

fn strings(query: &Query, field: &str) -> Vec<(String, C)> {
    query.filters.string_filters(field).unwrap().iter().map(|f| (f.value.clone(), f.comparison)).collect()
}

fn s(v: &str, c: C) -> (String, C) {
    (v.to_owned(), c)
}

fn finding() -> Value {
    json!({
        "Id": "arn:aws:guardduty:eu-west-1:123456789012:detector/d/finding/f1",
        "GeneratorId": "arn:aws:guardduty:eu-west-1:123456789012:detector/d",
        "AwsAccountId": "123456789012",
        "Region": "eu-west-1",
        "ProductName": "GuardDuty",
        "Title": "S3 bucket logs is publicly readable",
        "Description": "The bucket policy allows anonymous reads.",
        "Types": ["Software and Configuration Checks/AWS Security Best Practices"],
        "Severity": {"Label": "HIGH"},
        "Workflow": {"Status": "NOTIFIED"},
        "RecordState": "ACTIVE",
        "Compliance": {"Status": "FAILED", "SecurityControlId": "S3.2"},
        "UpdatedAt": "2025-02-27T10:00:00Z",
        "Resources": [{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::logs", "Tags": {"env": "prod"}}]
    })
}

#[test]
fn the_example_from_the_brief_parses_and_matches() {
    let query = q("sev>=high status:new,notified product:guardduty account:123456789012 \
                   type:\"Software and Configuration Checks\" resource:AwsS3Bucket compliance:failed \
                   record:active region:eu-* updated<7d free words");
    assert_eq!(strings(&query, "SeverityLabel"), [s("HIGH", C::Equals), s("CRITICAL", C::Equals)]);
    assert_eq!(strings(&query, "WorkflowStatus"), [s("NEW", C::Equals), s("NOTIFIED", C::Equals)]);
    assert_eq!(strings(&query, "ProductName"), [s("GuardDuty", C::Equals)]);
    assert_eq!(strings(&query, "AwsAccountId"), [s("123456789012", C::Equals)]);
    assert_eq!(strings(&query, "Type"), [s("Software and Configuration Checks", C::Prefix)]);
    assert_eq!(strings(&query, "ResourceType"), [s("AwsS3Bucket", C::Equals)]);
    assert_eq!(strings(&query, "ComplianceStatus"), [s("FAILED", C::Equals)]);
    assert_eq!(strings(&query, "RecordState"), [s("ACTIVE", C::Equals)]);
    assert_eq!(strings(&query, "Region"), [s("eu-", C::Prefix)]);
    assert_eq!(
        query.filters.to_json()["UpdatedAt"],
        json!([{"DateRange": {"Value": 7, "Unit": "DAYS", "Comparison": "WITHIN"}}])
    );
    assert_eq!(query.text, ["free", "words"]);
    assert!(query.filters.matches(&finding(), NOW));
    assert!(!query.matches_text(&finding()));
    let no_words = q("sev>=high status:new,notified product:guardduty updated<7d bucket LOGS");
    assert!(no_words.matches(&finding(), NOW));
}

#[test]
fn severity_forms() {
    // Brief: INFORMATIONAL<LOW<MEDIUM<HIGH<CRITICAL, expanded to EQUALS on each label.
    let labels = |s: &str| strings(&q(s), "SeverityLabel").into_iter().map(|(v, _)| v).collect::<Vec<_>>();
    assert_eq!(labels("sev>medium"), ["HIGH", "CRITICAL"]);
    assert_eq!(labels("sev<=low"), ["INFORMATIONAL", "LOW"]);
    assert_eq!(labels("sev<med"), ["INFORMATIONAL", "LOW"]);
    assert_eq!(labels("sev=critical"), ["CRITICAL"]);
    assert_eq!(labels("severity:info,crit"), ["INFORMATIONAL", "CRITICAL"]);
    assert_eq!(labels("SEV:Informational"), ["INFORMATIONAL"]);
    assert_eq!(strings(&q("-sev:low"), "SeverityLabel"), [s("LOW", C::NotEquals)]);
    assert_eq!(err("sev>critical"), "column 5: no severity satisfies this comparison");
    assert!(err("sev:urgent").starts_with("column 5: \"urgent\" is not a severity"));
}

#[test]
fn negation_and_prefix() {
    // Brief: -key / !key negate (NOT_EQUALS / PREFIX_NOT_EQUALS); trailing * = PREFIX.
    assert_eq!(strings(&q("-region:us-east-1"), "Region"), [s("us-east-1", C::NotEquals)]);
    assert_eq!(strings(&q("!region:us-*"), "Region"), [s("us-", C::PrefixNotEquals)]);
    assert_eq!(strings(&q("account:1234*"), "AwsAccountId"), [s("1234", C::Prefix)]);
    // A quoted * is literal.
    assert_eq!(strings(&q("id:\"a*\""), "Id"), [s("a*", C::Equals)]);
    // type is always PREFIX.
    assert_eq!(strings(&q("-type:TTPs"), "Type"), [s("TTPs", C::PrefixNotEquals)]);
    // Contains-keys negate to NOT_CONTAINS.
    assert_eq!(strings(&q("title:bucket"), "Title"), [s("bucket", C::Contains)]);
    assert_eq!(strings(&q("-note:ok"), "NoteText"), [s("ok", C::NotContains)]);
    // Negated values are ANDed (service model, StringFilter.Comparison).
    let query = q("-region:eu-west-1,us-east-1");
    assert!(!query.filters.matches(&finding(), NOW));
    assert!(q("-region:eu-west-2,us-east-1").filters.matches(&finding(), NOW));
    // Model doc: EQUALS with NOT_EQUALS on one field is rejected; reported at the second term.
    assert_eq!(
        err("status:new -status:resolved"),
        "column 13: Filters.WorkflowStatus[1].Comparison: NOT_EQUALS cannot be combined with EQUALS \
         (Filters.WorkflowStatus[0]) on the same field"
    );
    // Model doc: CONTAINS only with other CONTAINS, NOT_CONTAINS only with other NOT_CONTAINS.
    assert_eq!(strings(&q("title:s3,bucket"), "Title"), [s("s3", C::Contains), s("bucket", C::Contains)]);
    assert_eq!(
        err("title:s3,cloud*"),
        "column 1: Filters.Title[1].Comparison: PREFIX cannot be combined with CONTAINS (Filters.Title[0]) on the \
         same field"
    );
    assert!(err("-title:s3 -title:cloud*").contains("PREFIX_NOT_EQUALS cannot be combined with NOT_CONTAINS"));
    // Model doc: PREFIX with NOT_EQUALS is allowed.
    assert_eq!(
        strings(&q("type:TTPs -type:TTPs/Discovery"), "Type"),
        [s("TTPs", C::Prefix), s("TTPs/Discovery", C::PrefixNotEquals)]
    );
}

#[test]
fn key_mapping() {
    // Brief: key table.
    assert_eq!(strings(&q("workflow:suppressed"), "WorkflowStatus"), [s("SUPPRESSED", C::Equals)]);
    assert_eq!(strings(&q("compliance:not-available"), "ComplianceStatus"), [s("NOT_AVAILABLE", C::Equals)]);
    assert_eq!(strings(&q("record:archived"), "RecordState"), [s("ARCHIVED", C::Equals)]);
    assert_eq!(strings(&q("verif:true_positive"), "VerificationState"), [s("TRUE_POSITIVE", C::Equals)]);
    assert_eq!(strings(&q("verification:benign-positive"), "VerificationState"), [s("BENIGN_POSITIVE", C::Equals)]);
    // `control:` is hubtriage's own ControlId (Compliance.SecurityControlId, or an older Security
    // Hub finding's ProductFields control); GetFindings' ComplianceSecurityControlId is not used.
    assert_eq!(strings(&q("control:S3.1"), "ControlId"), [s("S3.1", C::Equals)]);
    assert_eq!(q("control:S3.1").filters.get("ComplianceSecurityControlId"), None);
    assert_eq!(strings(&q("generator:aws-foundational*"), "GeneratorId"), [s("aws-foundational", C::Prefix)]);
    assert_eq!(strings(&q("id:abc"), "Id"), [s("abc", C::Equals)]);
    assert_eq!(strings(&q("by:alice"), "NoteUpdatedBy"), [s("alice", C::Equals)]);
    assert_eq!(
        strings(&q("standard:standards/cis"), "ComplianceAssociatedStandardsId"),
        [s("standards/cis", C::Prefix)]
    );
    assert_eq!(strings(&q("resourceid:i-0abc"), "ResourceId"), [s("i-0abc", C::Equals)]);
    assert_eq!(strings(&q("resource:arn:aws:s3:::logs"), "ResourceId"), [s("arn:aws:s3:::logs", C::Equals)]);
    assert_eq!(strings(&q("resource:AWS::S3::Bucket/x"), "ResourceId"), [s("AWS::S3::Bucket/x", C::Equals)]);
    assert_eq!(strings(&q("resource:AwsEc2*"), "ResourceType"), [s("AwsEc2", C::Prefix)]);
    assert!(err("resource:AwsS3Bucket,arn:aws:s3:::x").contains("mixes resource types and resource ids"));
}

#[test]
fn products_map_to_service_names() {
    // Brief: common lower-case product names map to the ProductName values.
    let p = |s: &str| strings(&q(s), "ProductName").into_iter().map(|(v, _)| v).collect::<Vec<_>>();
    assert_eq!(
        p("product:guardduty,inspector,macie,config,health"),
        ["GuardDuty", "Inspector", "Macie", "Config", "Health"]
    );
    assert_eq!(p("product:securityhub"), ["Security Hub"]);
    assert_eq!(p("product:\"security hub\""), ["Security Hub"]);
    assert_eq!(p("product:access-analyzer,accessanalyzer"), ["IAM Access Analyzer", "IAM Access Analyzer"]);
    assert_eq!(
        p("product:patch-manager,prowler,firewall-manager"),
        ["Systems Manager Patch Manager", "Prowler", "Firewall Manager"]
    );
    assert_eq!(p("product:GuardDuty"), ["GuardDuty"]);
    assert_eq!(p("product:\"Acme Scanner\""), ["Acme Scanner"]);
}

#[test]
fn maps_numbers_booleans() {
    let query = q("tag:env=prod,env=dev udf:ticket=SEC-1");
    assert_eq!(
        query.filters.to_json(),
        json!({
            "ResourceTags": [{"Key": "env", "Value": "prod", "Comparison": "EQUALS"},
                             {"Key": "env", "Value": "dev", "Comparison": "EQUALS"}],
            "UserDefinedFields": [{"Key": "ticket", "Value": "SEC-1", "Comparison": "EQUALS"}]
        })
    );
    assert_eq!(
        q("-tag:team=red,env=dev").filters.to_json(),
        json!({"ResourceTags": [{"Key": "team", "Value": "red", "Comparison": "NOT_EQUALS"},
                                {"Key": "env", "Value": "dev", "Comparison": "NOT_EQUALS"}]})
    );
    // Model doc MapFilter.Comparison: EQUALS with NOT_EQUALS on one field is an error.
    assert!(err("tag:env=prod -tag:team=red").starts_with("column 15: Filters.ResourceTags[1].Comparison"));
    assert!(q("tag:env=prod").filters.matches(&finding(), NOW));
    assert!(!q("tag:env=dev").filters.matches(&finding(), NOW));
    assert_eq!(err("tag:env"), "column 5: expected tag:KEY=VALUE");
    // Bounds on one key form one range (AND); = values are alternatives.
    let n = q("confidence>=50 confidence<80 criticality:10,20");
    assert_eq!(
        n.filters.to_json(),
        json!({"Criticality": [{"Eq": 10}, {"Eq": 20}], "Confidence": [{"Gte": 50, "Lt": 80}]})
    );
    assert!(q("confidence>50").filters.matches(&json!({"Confidence": 60}), NOW));
    assert!(!q("confidence>=50 confidence<=55").filters.matches(&json!({"Confidence": 60}), NOW));
    assert_eq!(err("confidence>high"), "column 12: \"high\" is not a number");
    assert_eq!(err("confidence>1 confidence>2"), "column 24: confidence> given twice");
    assert_eq!(err("-confidence>1"), "column 1: confidence cannot be negated");
    // sample:true|false -> BooleanFilter.
    assert_eq!(q("sample:false").filters.to_json(), json!({"Sample": [{"Value": false}]}));
    assert_eq!(q("-sample:true").filters.to_json(), json!({"Sample": [{"Value": false}]}));
    assert!(err("sample:maybe").contains("is not a boolean"));
}

#[test]
fn dates() {
    // Brief: <Nd = WITHIN, >Nd = OLDER_THAN, >=DATE = Start, <=DATE = End.
    let j = |s: &str| q(s).filters.to_json();
    assert_eq!(
        j("created>30d"),
        json!({"CreatedAt": [{"DateRange": {"Value": 30, "Unit": "DAYS", "Comparison": "OLDER_THAN"}}]})
    );
    assert_eq!(
        j("lastseen<2w"),
        json!({"LastObservedAt": [{"DateRange": {"Value": 14, "Unit": "DAYS", "Comparison": "WITHIN"}}]})
    );
    assert_eq!(
        j("updated>=2025-01-01 updated<=2025-02-01"),
        json!({"UpdatedAt": [{"Start": "2025-01-01T00:00:00.000Z", "End": "2025-02-01T23:59:59.999Z"}]})
    );
    assert_eq!(
        j("firstseen>2025-01-01 firstseen<2025-02-01"),
        json!({"FirstObservedAt": [{"Start": "2025-01-02T00:00:00.000Z", "End": "2025-01-31T23:59:59.999Z"}]})
    );
    assert_eq!(j("updated>=2025-01-01T10:00:00+02:00"), json!({"UpdatedAt": [{"Start": "2025-01-01T08:00:00.000Z"}]}));
    assert!(q("updated>=2025-02-27").filters.matches(&finding(), NOW));
    assert!(!q("updated<2025-02-27").filters.matches(&finding(), NOW));
    assert!(q("updated<=2025-02-27").filters.matches(&finding(), NOW));
    assert!(q("updated<7d").filters.matches(&finding(), NOW));
    assert!(!q("updated>7d").filters.matches(&finding(), NOW));
    assert_eq!(
        err("updated<yesterday"),
        "column 9: \"yesterday\" is not a date (YYYY-MM-DD, an RFC 3339 time, or Nd / Nw)"
    );
    assert!(err("updated:7d").starts_with("column 8: use updated<7d"));
    assert!(err("updated<7d updated>30d").starts_with("column 12: only one relative range"));
    assert!(err("updated>=2025-01-01 updated<7d").starts_with("column 21: only one relative range"));
    assert_eq!(err("updated<99999999999d"), "column 9: \"99999999999d\" is too large");
}

#[test]
fn errors_carry_columns() {
    // Brief: unknown keys with an edit-distance suggestion; enum values list the allowed ones.
    assert_eq!(err("status:new sev:high sevv:low"), "column 21: unknown field \"sevv\" (did you mean sev?)");
    assert_eq!(err("-stauts:new"), "column 2: unknown field \"stauts\" (did you mean status?)");
    assert_eq!(err("http://example.com"), "column 1: unknown field \"http\" (quote the term to search for it as text)");
    assert_eq!(
        err("status:new,open"),
        "column 12: \"open\" is not a status; expected one of NEW, NOTIFIED, RESOLVED, SUPPRESSED"
    );
    assert_eq!(
        err("x compliance:\"bad value\""),
        "column 14: \"bad value\" is not a compliance; expected one of PASSED, WARNING, FAILED, NOT_AVAILABLE"
    );
    assert_eq!(err("title:\"open"), "column 7: unterminated quote");
    assert_eq!(err("a \"b"), "column 3: unterminated quote");
    assert_eq!(err("status:"), "column 8: missing value after \"status:\"");
    assert_eq!(err("status:new,"), "column 12: missing value after \"status:\"");
    assert_eq!(err(":x"), "column 1: missing field name before \":\"");
    assert_eq!(err("region>eu"), "column 7: \">\" does not apply to region; use region:VALUE");
    assert_eq!(err("-word"), "column 1: free words cannot be negated; use a field, e.g. -title:WORD");
    assert_eq!(err("ok \"\""), "column 4: empty quotes");
    // Columns count characters, not bytes.
    assert_eq!(err("\"é\" sevv:x"), "column 5: unknown field \"sevv\" (did you mean sev?)");
}

#[test]
fn free_text() {
    // Brief: free words ANDed, case-insensitive, over the listed fields.
    let query = q("\"publicly readable\" s3.2 AWSS3BUCKET \"arn:aws:s3:::logs\"");
    assert_eq!(query.text, ["publicly readable", "s3.2", "awss3bucket", "arn:aws:s3:::logs"]);
    assert!(query.filters.is_empty());
    assert!(query.matches_text(&finding()));
    assert!(q("anonymous 123456789012 guardduty best").matches_text(&finding()));
    assert!(!q("anonymous lambda").matches_text(&finding()));
    assert!(q("").matches_text(&finding()));
    assert_eq!(q("  "), Query::default());
}

#[test]
fn repeated_keys_or_their_values() {
    // Service model, StringFilter.Comparison: positive values on one field are ORed.
    let query = q("status:new status:notified");
    assert_eq!(strings(&query, "WorkflowStatus"), [s("NEW", C::Equals), s("NOTIFIED", C::Equals)]);
    assert!(query.filters.matches(&finding(), NOW));
    // AWS limit: at most 20 values per field.
    let many = (0..21).map(|i| format!("a{i}")).collect::<Vec<_>>().join(",");
    assert!(err(&format!("account:{many}")).contains("at most 20 filter values per field"));
}

#[test]
fn the_key_table_in_the_module_doc_names_every_key() {
    // Column one of each table row, e.g. "| `sev`, `severity` | ..." or "| `tag:KEY=VALUE` | ...".
    let mut documented: Vec<&str> = include_str!("mod.rs")
        .lines()
        .filter_map(|l| l.strip_prefix("//! | `"))
        .flat_map(|row| row.split(" | ").next().unwrap_or_default().split(", "))
        .map(|k| k.trim_matches('`').split(':').next().unwrap_or_default())
        .collect();
    let mut keys: Vec<&str> = crate::model::filter::fields::query_keys().map(|(k, _)| k).collect();
    documented.sort_unstable();
    keys.sort_unstable();
    assert_eq!(documented, keys);
}

#[test]
fn a_product_prefix_is_written_as_the_products_name_writes_it() {
    use crate::model::filter::StringComparison as C;
    let strings = |q: &Query| match q.filters.get("ProductName") {
        Some(crate::model::filter::FilterList::String(list)) => {
            list.iter().map(|f| (f.value.clone(), f.comparison)).collect::<Vec<_>>()
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(strings(&parse("product:guard*").unwrap()), [("Guard".to_string(), C::Prefix)]);
    assert_eq!(strings(&parse("product:GUARDD*").unwrap()), [("GuardD".to_string(), C::Prefix)]);
    // A prefix of no known product stays as typed.
    assert_eq!(strings(&parse("product:Acme*").unwrap()), [("Acme".to_string(), C::Prefix)]);
    // Without `*` the aliases are as before.
    assert_eq!(strings(&parse("product:guardduty").unwrap()), [("GuardDuty".to_string(), C::Equals)]);
}

// A closed set's value outside the set can match nothing: an error, with the nearest value when it
// is a likely typo.
#[test]
fn a_mistyped_enumerated_value_is_an_error_with_a_suggestion() {
    assert_eq!(
        err("sev:hgh"),
        "column 5: \"hgh\" is not a severity; expected one of informational (info), low, medium, high, critical (crit) (did you mean high?)"
    );
    assert_eq!(
        err("status:nwe"),
        "column 8: \"nwe\" is not a status; expected one of NEW, NOTIFIED, RESOLVED, SUPPRESSED (did you mean new?)"
    );
    assert!(
        err("record:actve").ends_with("expected one of ACTIVE, ARCHIVED (did you mean active?)"),
        "{}",
        err("record:actve")
    );
    assert!(err("verif:true-positve").ends_with("(did you mean true_positive?)"), "{}", err("verif:true-positve"));
    assert!(err("compliance:faild").ends_with("(did you mean failed?)"), "{}", err("compliance:faild"));
    assert!(err("sev>=crtical").ends_with("(did you mean critical?)"), "{}", err("sev>=crtical"));
    // A prefix that starts no value says so; nothing close, no guess.
    assert!(err("status:x*").contains("\"x\" is not a status"), "{}", err("status:x*"));
    assert!(!err("status:open").contains("did you mean"), "{}", err("status:open"));
}

// Only a trailing unquoted `*` makes a prefix; one elsewhere is matched as itself, so it is warned
// of (the query still runs: a value may hold a `*`). A quoted `*` is meant, and not warned of.
#[test]
fn a_star_that_is_not_a_trailing_prefix_is_warned_of() {
    let warnings = |s: &str| q(s).warnings.iter().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(
        warnings("control:S3*1"),
        ["column 11: only a trailing \"*\" makes a prefix; this \"*\" is matched as itself"]
    );
    assert_eq!(strings(&q("control:S3*1"), "ControlId"), [s("S3*1", C::Equals)]);
    assert_eq!(warnings("sev:high product:*guard*").len(), 1);
    assert_eq!(
        warnings("product:*guard*")[0],
        "column 9: only a trailing \"*\" makes a prefix; this \"*\" is matched as itself"
    );
    assert_eq!(warnings("account:1*,2*"), Vec::<String>::new(), "each value's own trailing star is a prefix");
    assert!(warnings("control:\"S3*1\"").is_empty());
    assert!(warnings("control:S3* region:eu-*").is_empty());
    // A free word is searched as text anywhere: its `*` is matched as itself.
    assert_eq!(
        warnings("guard*"),
        ["column 6: a free word is found anywhere in the text; its \"*\" is matched as itself"]
    );
    assert!(q("\"guard*\"").warnings.is_empty());
}
