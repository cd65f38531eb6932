//! The registry's invariants, and the lists derived from it pinned to the ones they replaced.
use super::*;

#[test]
fn table_has_the_107_model_members_with_the_model_types() {
    // Service model, shape AwsSecurityFindingFilters: 107 members, and the filter type of each; then
    // hubtriage's own fields, which a request cannot name.
    let model: Vec<&FieldDef> = FIELDS.iter().filter(|d| d.filterable).collect();
    assert_eq!(model.len(), 107);
    let own: Vec<&str> = FIELDS.iter().filter(|d| !d.filterable).map(|d| d.name).collect();
    assert_eq!(own, ["ControlId"]);
    assert_eq!(field_def("ControlId"), None);
    let count = |k| model.iter().filter(|d| d.kind == k).count();
    assert_eq!(count(FilterKind::String), 74);
    assert_eq!(count(FilterKind::Number), 10);
    assert_eq!(count(FilterKind::Date), 11);
    assert_eq!(count(FilterKind::Map), 4);
    assert_eq!(count(FilterKind::Ip), 6);
    assert_eq!(count(FilterKind::Boolean), 1);
    assert_eq!(count(FilterKind::Keyword), 1);
    let mut names: Vec<_> = model.iter().map(|d| d.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 107);
    // ASFF reference: where these attributes live.
    assert_eq!(field_def("Type").unwrap().path, "Types[]");
    assert_eq!(field_def("ResourceId").unwrap().path, "Resources[].Id");
    assert_eq!(field_def("ResourceTags").unwrap().path, "Resources[].Tags");
    assert_eq!(
        field_def("ComplianceSecurityControlParametersValue").unwrap().path,
        "Compliance.SecurityControlParameters[].Value[]"
    );
    assert_eq!(field_def("WorkflowStatus").unwrap().path, "Workflow.Status");
}

fn with<T>(attr: impl Fn(&FieldDef) -> Option<T>) -> impl Iterator<Item = (&'static FieldDef, T)> {
    FIELDS.iter().filter_map(move |f| attr(f).map(|a| (f, a)))
}

fn assert_unique<'a>(what: &str, items: impl Iterator<Item = &'a str>) {
    let mut seen = std::collections::HashSet::new();
    for i in items {
        assert!(seen.insert(i.to_ascii_lowercase()), "{what} {i} is listed twice");
    }
}

/// The places of a listed attribute run 0, 1, 2, ... with no gap or repeat, so the listing holds
/// every field that has the attribute.
fn assert_places(what: &str, places: impl Iterator<Item = u8>) {
    let mut places: Vec<u8> = places.collect();
    places.sort_unstable();
    assert_eq!(places, (0..places.len() as u8).collect::<Vec<_>>(), "places of {what}");
}

#[test]
fn the_registry_keeps_its_invariants() {
    assert_unique("field", FIELDS.iter().map(|f| f.name));
    for f in &FIELDS {
        let used = f.sort.is_some()
            || f.column.is_some()
            || f.in_memory
            || f.free_text
            || f.query.is_some()
            || f.cli_sort.is_some()
            || f.workbench_sort.is_some()
            || f.workbench_group.is_some();
        assert!(
            f.filterable || !used || f.derived.is_some(),
            "{} is used as a filter field but is not filterable",
            f.name
        );
        // A field of hubtriage's own is worked out (`derived`), a string, and never sorted by the
        // store (GetFindings' SortCriteria name model members).
        assert_eq!(f.filterable, f.derived.is_none(), "{}", f.name);
        if f.derived.is_some() {
            assert!(f.kind == FilterKind::String && f.sort.is_none() && f.cli_sort.is_none(), "{}", f.name);
        }
        assert!(!f.free_text || !f.path.is_empty(), "{}: free words need a path", f.name);
        if let Some(c) = f.column {
            assert!(
                matches!(f.kind, FilterKind::String | FilterKind::Date),
                "{}: column {c} on a {:?}",
                f.name,
                f.kind
            );
        }
    }
    // Query keys: unique, lower-case (a clause lower-cases its key), and read as their kind allows.
    assert_unique("query key", query_keys().map(|(k, _)| k));
    assert_places("query keys", with(|f| f.query).map(|(_, q)| q.order));
    for (f, q) in with(|f| f.query) {
        assert!(!q.keys.is_empty(), "{}", f.name);
        for k in q.keys {
            assert!(k.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'), "key {k}");
        }
        match q.read {
            Read::Plain => assert!(!matches!(f.kind, FilterKind::Ip | FilterKind::Keyword), "{}", f.name),
            Read::TypeOrId(id) => {
                assert_eq!(f.kind, FilterKind::String, "{}", f.name);
                assert_eq!(field_def(id).map(|d| d.kind), Some(FilterKind::String), "{}: {id}", f.name);
            }
            _ => assert_eq!(f.kind, FilterKind::String, "{}: {:?}", f.name, q.read),
        }
    }
    // Store sorting and command-line sort aliases.
    assert_places("sort columns", with(|f| f.sort).map(|(_, s)| s.order));
    assert_places("--sort aliases", with(|f| f.cli_sort).map(|(_, c)| c.order));
    assert_unique("--sort alias", cli_sort_aliases().map(|(a, _)| a));
    for (f, _) in with(|f| f.cli_sort) {
        assert!(f.sort.is_some(), "--sort alias of {}, which the store does not sort by", f.name);
    }
    // Workbench names: each word selects one field, a sort column is selected by its own name, and a
    // group field has a query key to drill in with.
    assert_unique("workbench sort word", with(|f| f.workbench_sort).flat_map(|(_, n)| n.words.iter().copied()));
    assert_unique("workbench group word", with(|f| f.workbench_group).flat_map(|(_, n)| n.words.iter().copied()));
    for (f, n) in with(|f| f.workbench_sort) {
        assert!(n.words.contains(&n.name), "{}: :sort {} does not select it", f.name, n.name);
        assert_eq!(workbench_sort(n.name).map(|d| d.name), Some(f.name));
    }
    for (f, _) in with(|f| f.workbench_group) {
        assert!(f.query_key().is_some(), "{} is grouped by but has no query key", f.name);
    }
    for f in &FIELDS {
        assert!(std::ptr::eq(named(f.name), f));
    }
}

#[test]
fn every_store_column_exists_in_the_findings_table() {
    // The sort expressions and the pushdown columns are read against the store's own schema.
    let dir = tempfile::tempdir().unwrap();
    let store = crate::store::Store::open(dir.path().join("s.db")).unwrap();
    let select = |expr: &str| store.conn().prepare(&format!("SELECT {expr} FROM findings LIMIT 0")).map(|_| ());
    for (field, expr) in sort_columns() {
        assert!(select(expr).is_ok(), "{field}: sort expression {expr}");
    }
    for (field, column) in string_columns().chain(date_columns()) {
        assert!(select(column).is_ok(), "{field}: column {column}");
    }
}

/// The lists the registry replaced, as they were written out before it (the pushdown columns, the
/// in-memory fields and the free-text paths were only ever used as sets).
const OLD_SORT_FIELDS: &[(&str, &str)] = &[
    ("UpdatedAt", "updated_ns"),
    ("CreatedAt", "created_ns"),
    ("FirstObservedAt", "IFNULL(first_observed_ns, -9223372036854775808)"),
    ("LastObservedAt", "IFNULL(last_observed_ns, -9223372036854775808)"),
    ("SeverityLabel", "severity_rank"),
    ("SeverityNormalized", "IFNULL(severity_normalized, -1)"),
    ("WorkflowStatus", "workflow_status"),
    ("RecordState", "record_state"),
    ("VerificationState", "verification_state"),
    ("ComplianceStatus", "compliance_status"),
    ("ComplianceSecurityControlId", "control_id"),
    ("Title", "title"),
    ("AwsAccountId", "aws_account_id"),
    ("Region", "region"),
    ("ProductName", "product_name"),
    ("CompanyName", "company_name"),
    ("ProductArn", "product_arn"),
    ("GeneratorId", "generator_id"),
    ("Id", "id"),
    ("ResourceType", "resource_type"),
    ("ResourceId", "resource_id"),
    ("Confidence", "IFNULL(confidence, -1)"),
    ("Criticality", "IFNULL(criticality, -1)"),
];

const OLD_STRING_COLUMNS: &[(&str, &str)] = &[
    ("SeverityLabel", "severity_label"),
    ("WorkflowStatus", "workflow_status"),
    ("RecordState", "record_state"),
    ("VerificationState", "verification_state"),
    ("ComplianceStatus", "compliance_status"),
    ("ComplianceSecurityControlId", "control_id"),
    // The query language's `control:` (hubtriage's own field; the column is the summary's control id).
    ("ControlId", "control_id"),
    ("ProductName", "product_name"),
    ("CompanyName", "company_name"),
    ("AwsAccountId", "aws_account_id"),
    ("Region", "region"),
    ("GeneratorId", "generator_id"),
    ("Id", "id"),
    ("ProductArn", "product_arn"),
    ("Title", "title"),
];

const OLD_DATE_COLUMNS: &[(&str, &str)] = &[("UpdatedAt", "updated_ns"), ("CreatedAt", "created_ns")];

const OLD_IN_MEMORY_FIELDS: &[&str] = &[
    "SeverityLabel",
    "WorkflowStatus",
    "RecordState",
    "VerificationState",
    "ComplianceStatus",
    // A row's control id is the summary's (`model::control`), which `control:` (ControlId) reads;
    // Compliance.SecurityControlId alone is no longer what a row holds.
    "ControlId",
    "AwsAccountId",
    "Region",
    "ProductName",
    "Title",
    "Id",
    "ProductArn",
    "UpdatedAt",
    "Confidence",
    "Criticality",
];

const OLD_SORT_ALIASES: &[(&str, &str)] = &[
    ("severity", "SeverityLabel"),
    ("sev", "SeverityLabel"),
    ("updated", "UpdatedAt"),
    ("created", "CreatedAt"),
    ("status", "WorkflowStatus"),
    ("workflow", "WorkflowStatus"),
    ("title", "Title"),
    ("account", "AwsAccountId"),
    ("region", "Region"),
    ("product", "ProductName"),
    ("resource", "ResourceType"),
    ("control", "ComplianceSecurityControlId"),
    ("compliance", "ComplianceStatus"),
    ("record", "RecordState"),
];

const OLD_TEXT_PATHS: &[&str] = &[
    "Title",
    "Description",
    "Id",
    "GeneratorId",
    "AwsAccountId",
    "AwsAccountName",
    "ProductName",
    "Resources[].Id",
    "Resources[].Type",
    "Compliance.SecurityControlId",
    "Types[]",
];

fn sorted<T: Ord + Clone>(v: &[T]) -> Vec<T> {
    let mut v = v.to_vec();
    v.sort();
    v
}

#[test]
fn derived_lists_equal_the_lists_they_replaced() {
    assert_eq!(sort_columns().collect::<Vec<_>>(), OLD_SORT_FIELDS);
    assert_eq!(sorted(&string_columns().collect::<Vec<_>>()), sorted(OLD_STRING_COLUMNS));
    assert_eq!(sorted(&date_columns().collect::<Vec<_>>()), sorted(OLD_DATE_COLUMNS));
    assert_eq!(sorted(&in_memory().collect::<Vec<_>>()), sorted(OLD_IN_MEMORY_FIELDS));
    assert_eq!(sorted(&free_text_paths().collect::<Vec<_>>()), sorted(OLD_TEXT_PATHS));
    assert_eq!(cli_sort_aliases().collect::<Vec<_>>(), OLD_SORT_ALIASES);

    // The query language's key table, in its order (ties between "did you mean" suggestions go to
    // the earlier key), with what each key read.
    use ValueSet as V;
    let keys: Vec<(&str, &str, Read)> = query_keys().map(|(k, f)| (k, f.name, query_key(k).unwrap().1)).collect();
    assert_eq!(
        keys,
        [
            ("sev", "SeverityLabel", Read::Severity),
            ("severity", "SeverityLabel", Read::Severity),
            ("status", "WorkflowStatus", Read::OneOf(V::WorkflowStatus)),
            ("workflow", "WorkflowStatus", Read::OneOf(V::WorkflowStatus)),
            ("product", "ProductName", Read::Product),
            ("account", "AwsAccountId", Read::Plain),
            ("region", "Region", Read::Plain),
            ("type", "Type", Read::Prefix),
            ("resource", "ResourceType", Read::TypeOrId("ResourceId")),
            ("resourceid", "ResourceId", Read::Plain),
            ("compliance", "ComplianceStatus", Read::OneOf(V::ComplianceStatus)),
            ("control", "ControlId", Read::Plain),
            ("record", "RecordState", Read::OneOf(V::RecordState)),
            ("verification", "VerificationState", Read::OneOf(V::VerificationState)),
            ("verif", "VerificationState", Read::OneOf(V::VerificationState)),
            ("generator", "GeneratorId", Read::Plain),
            ("id", "Id", Read::Plain),
            ("title", "Title", Read::Contains),
            ("note", "NoteText", Read::Contains),
            ("by", "NoteUpdatedBy", Read::Plain),
            ("standard", "ComplianceAssociatedStandardsId", Read::Prefix),
            ("tag", "ResourceTags", Read::Plain),
            ("udf", "UserDefinedFields", Read::Plain),
            ("confidence", "Confidence", Read::Plain),
            ("criticality", "Criticality", Read::Plain),
            ("updated", "UpdatedAt", Read::Plain),
            ("created", "CreatedAt", Read::Plain),
            ("firstseen", "FirstObservedAt", Read::Plain),
            ("lastseen", "LastObservedAt", Read::Plain),
            ("sample", "Sample", Read::Plain),
        ]
    );
    // The value lists the query language spelt out before, now from `model::enums`.
    assert_eq!(V::WorkflowStatus.values(), ["NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"]);
    assert_eq!(V::ComplianceStatus.values(), ["PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"]);
    assert_eq!(V::RecordState.values(), ["ACTIVE", "ARCHIVED"]);
    assert_eq!(V::VerificationState.values(), ["UNKNOWN", "TRUE_POSITIVE", "FALSE_POSITIVE", "BENIGN_POSITIVE"]);
    let severities: Vec<&str> = crate::model::enums::SeverityLabel::ALL.iter().map(|l| l.as_str()).collect();
    assert_eq!(severities, ["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"]);
}

#[test]
fn consumers_see_what_they_listed_before() {
    use crate::app::filter::SortColumn;
    use crate::app::state::GroupField;

    assert_eq!(crate::store::SORT_FIELDS.as_slice(), OLD_SORT_FIELDS);
    assert_eq!(sorted(crate::app::row::IN_MEMORY_FIELDS.as_slice()), sorted(OLD_IN_MEMORY_FIELDS));
    for (alias, field) in OLD_SORT_ALIASES {
        assert_eq!(crate::cli::parse_sort(&alias.to_uppercase()).unwrap().field, *field);
    }
    let aliases: Vec<&str> = OLD_SORT_ALIASES.iter().map(|(a, _)| *a).collect();
    let fields: Vec<&str> = OLD_SORT_FIELDS.iter().map(|(f, _)| *f).collect();
    assert_eq!(
        crate::cli::parse_sort("x:desc").unwrap_err().to_string(),
        format!("--sort x:desc: unknown field x; use one of {} or {}", aliases.join(", "), fields.join(", "))
    );

    // The workbench's `:sort` columns: names, the words that select them, in the cycle's order.
    let names: Vec<&str> = SortColumn::ALL.iter().map(|c| c.name()).collect();
    assert_eq!(
        names,
        ["severity", "status", "title", "resource", "account", "region", "product", "updated", "control"]
    );
    for (word, column) in
        [("sev", SortColumn::Severity), ("WORKFLOW", SortColumn::Status), ("age", SortColumn::Updated)]
    {
        assert_eq!(SortColumn::parse(word), Some(column), "{word}");
    }
    for c in SortColumn::ALL {
        assert_eq!(SortColumn::parse(&c.name().to_uppercase()), Some(c));
    }
    assert_eq!(SortColumn::parse("created"), None);

    // The workbench's `:group` fields: names, words, and the query term that drills into a group.
    let names: Vec<&str> = GroupField::ALL.iter().map(|g| g.name()).collect();
    assert_eq!(
        names,
        [
            "severity",
            "status",
            "product",
            "account",
            "resource type",
            "control",
            "region",
            "title",
            "compliance",
            "generator",
            "type"
        ]
    );
    let words = [
        ("severity", GroupField::Severity),
        ("sev", GroupField::Severity),
        ("status", GroupField::Status),
        ("workflow", GroupField::Status),
        ("product", GroupField::Product),
        ("account", GroupField::Account),
        ("resource", GroupField::ResourceType),
        ("resourcetype", GroupField::ResourceType),
        ("Resource-Type", GroupField::ResourceType),
        ("control", GroupField::Control),
        ("region", GroupField::Region),
    ];
    for (word, group) in words {
        assert_eq!(GroupField::parse(word), Some(group), "{word}");
    }
    assert_eq!(GroupField::parse("resource type"), None);
    // Title groups since the group view groups by any list field (it was None before).
    assert_eq!(GroupField::parse("title"), Some(GroupField::Title));
    assert_eq!(GroupField::parse("compliance"), Some(GroupField::Compliance));
    assert_eq!(GroupField::parse("generator"), Some(GroupField::Generator));
    assert_eq!(GroupField::parse("types"), Some(GroupField::Type));
    assert_eq!(GroupField::Type.term("TTPs/Discovery, Effects/Data Exposure"), "type:\"TTPs/Discovery\"");
    let terms: Vec<String> = GroupField::ALL.iter().map(|g| g.term("x")).collect();
    assert_eq!(
        terms,
        [
            "sev:\"x\"",
            "status:\"x\"",
            "product:\"x\"",
            "account:\"x\"",
            "resource:\"x\"",
            "control:\"x\"",
            "region:\"x\"",
            "title:\"x\"",
            "compliance:\"x\"",
            "generator:\"x\"",
            "type:\"x\""
        ]
    );
}
