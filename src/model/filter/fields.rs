//! The one table of finding fields. Every member of `AwsSecurityFindingFilters` is one row, holding all
//! that hubtriage knows of it: its filter name, filter kind and ASFF path; the store's sort expression
//! and the summary column that holds it exactly (for SQL pushdown); whether a workbench list row holds
//! it; whether free words search it; its keys in the query language and how they read values; its
//! `--sort` aliases on the command line; and its names in the workbench's `:sort` and `:group`.
//!
//! Every other list of fields is derived from this table by the functions below, so a field is added,
//! renamed or given a column in one place. Code that needs one particular field names it with
//! [`named`] in a `const { }` block, so a misspelt name fails the build.
//!
//! Listings have an established order that error messages show (`use one of UpdatedAt, CreatedAt,
//! ...`) and that breaks ties between equally close "did you mean" suggestions, and it is not the
//! model order; so the attributes that are listed carry their place in the listing (`order`, from 0,
//! no gaps). The tests in `fields/tests.rs` check the table's invariants.

use crate::model::enums::{ComplianceStatus, RecordState, VerificationState, WorkflowStatus};

/// Which filter type a field of `AwsSecurityFindingFilters` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilterKind {
    String,
    Number,
    Date,
    Map,
    Boolean,
    Ip,
    Keyword,
}

impl FilterKind {
    /// The service model's shape name, e.g. `StringFilter`.
    pub fn shape_name(self) -> &'static str {
        match self {
            FilterKind::String => "StringFilter",
            FilterKind::Number => "NumberFilter",
            FilterKind::Date => "DateFilter",
            FilterKind::Map => "MapFilter",
            FilterKind::Boolean => "BooleanFilter",
            FilterKind::Ip => "IpFilter",
            FilterKind::Keyword => "KeywordFilter",
        }
    }
}

/// A closed ASFF value set, whose values come from `crate::model::enums`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueSet {
    WorkflowStatus,
    ComplianceStatus,
    RecordState,
    VerificationState,
}

impl ValueSet {
    /// The service's spellings, in the enum's order.
    pub fn values(self) -> Vec<&'static str> {
        fn names<T: Copy>(all: &[T], as_str: fn(T) -> &'static str) -> Vec<&'static str> {
            all.iter().map(|v| as_str(*v)).collect()
        }
        match self {
            ValueSet::WorkflowStatus => names(WorkflowStatus::ALL, WorkflowStatus::as_str),
            ValueSet::ComplianceStatus => names(ComplianceStatus::ALL, ComplianceStatus::as_str),
            ValueSet::RecordState => names(RecordState::ALL, RecordState::as_str),
            ValueSet::VerificationState => names(VerificationState::ALL, VerificationState::as_str),
        }
    }
}

/// How the query language reads the values of a field's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// As the filter kind reads them: strings EQUALS (PREFIX with a trailing `*`), maps `KEY=VALUE`,
    /// numbers and dates with bounds, booleans `true`/`false`.
    Plain,
    /// Strings, always PREFIX.
    Prefix,
    /// Strings, CONTAINS (NOT_CONTAINS negated).
    Contains,
    /// One of a closed set, case-insensitive, `-` for `_`.
    OneOf(ValueSet),
    /// Severity labels, also compared by their order (`sev>=high`).
    Severity,
    /// Product names, with the query language's short names for the service's own products.
    Product,
    /// A value that looks like an id (`arn:...`, or containing `/`) filters the named field instead.
    TypeOrId(&'static str),
}

/// GetFindings `SortCriteria`: how the store sorts by the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreSort {
    /// Place in the listing of sortable fields.
    pub order: u8,
    /// The SQL expression over the summary table to order by.
    pub expr: &'static str,
}

/// The query language's keys for a field (lower-case; the first one is the field's own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryKeys {
    /// Place of these keys in the listing of all keys.
    pub order: u8,
    pub keys: &'static [&'static str],
    pub read: Read,
}

/// The command line's short names for sorting by a field (`findings --sort sev:desc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CliSort {
    /// Place of these aliases in the listing of all aliases.
    pub order: u8,
    pub aliases: &'static [&'static str],
}

/// A workbench name for a field (`:sort severity`, `:group account`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Named {
    /// What the workbench shows.
    pub name: &'static str,
    /// The lower-case words that select it.
    pub words: &'static [&'static str],
}

/// A value hubtriage works out from several members, for a field of its own (not a member of
/// `AwsSecurityFindingFilters`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Derived {
    /// The summary's control id (`model::control`): `Compliance.SecurityControlId`, or for an older
    /// Security Hub control finding, its control as `ProductFields` names it.
    ControlId,
}

impl Derived {
    /// The value in `doc`, if it has one.
    pub fn value(self, doc: &serde_json::Value) -> Option<&str> {
        match self {
            Derived::ControlId => crate::model::control::control_id(doc),
        }
    }
}

/// One finding field.
#[derive(Debug, PartialEq, Eq)]
pub struct FieldDef {
    /// Filter member name, e.g. `ResourceType`; for a field of hubtriage's own, its own name.
    pub name: &'static str,
    pub kind: FilterKind,
    /// ASFF path, dot-separated; `[]` marks a list whose every element is visited (any element may
    /// match). Empty for `Keyword`, which searches the whole finding.
    pub path: &'static str,
    /// A member of `AwsSecurityFindingFilters`, so GetFindings filters on it. The others are
    /// hubtriage's own (`derived`): the query language and the workbench filter on them, a
    /// GetFindings request cannot name them.
    pub filterable: bool,
    /// The value is worked out from several members (`path` is then only where it is usually found),
    /// and filters and free words read it so.
    pub derived: Option<Derived>,
    /// Sortable in the store.
    pub sort: Option<StoreSort>,
    /// The store's summary column that holds this (string or date) value wherever the finding has
    /// one, so positive conditions on it can be pushed into SQL (the exact evaluation follows). It
    /// holds exactly this value but for `ComplianceSecurityControlId`, whose column is the summary's
    /// control id (`ControlId`): the same wherever Compliance.SecurityControlId is set.
    pub column: Option<&'static str>,
    /// A workbench list row holds this value exactly (a row keeps only the first resource, so no
    /// resource field is here), so a query on it is answered in memory.
    pub in_memory: bool,
    /// Free words of a query are searched for here.
    pub free_text: bool,
    pub query: Option<QueryKeys>,
    pub cli_sort: Option<CliSort>,
    /// The workbench's `:sort` column for this field.
    pub workbench_sort: Option<Named>,
    /// The workbench's `:group` field.
    pub workbench_group: Option<Named>,
}

impl FieldDef {
    /// The field's own query key (`sev` for `SeverityLabel`), used to write a term that selects a value.
    pub fn query_key(&self) -> Option<&'static str> {
        self.query.and_then(|q| q.keys.first().copied())
    }

    const fn sort_by(mut self, order: u8, expr: &'static str) -> Self {
        self.sort = Some(StoreSort { order, expr });
        self
    }

    const fn in_column(mut self, column: &'static str) -> Self {
        self.column = Some(column);
        self
    }

    const fn in_rows(mut self) -> Self {
        self.in_memory = true;
        self
    }

    const fn free_words(mut self) -> Self {
        self.free_text = true;
        self
    }

    const fn keys(mut self, order: u8, keys: &'static [&'static str], read: Read) -> Self {
        self.query = Some(QueryKeys { order, keys, read });
        self
    }

    const fn cli_aliases(mut self, order: u8, aliases: &'static [&'static str]) -> Self {
        self.cli_sort = Some(CliSort { order, aliases });
        self
    }

    const fn sort_column(mut self, name: &'static str, words: &'static [&'static str]) -> Self {
        self.workbench_sort = Some(Named { name, words });
        self
    }

    const fn group_by(mut self, name: &'static str, words: &'static [&'static str]) -> Self {
        self.workbench_group = Some(Named { name, words });
        self
    }
}

/// A filterable field with nothing else known of it; the builder methods above add the rest.
const fn field(name: &'static str, kind: FilterKind, path: &'static str) -> FieldDef {
    FieldDef {
        name,
        kind,
        path,
        filterable: true,
        derived: None,
        sort: None,
        column: None,
        in_memory: false,
        free_text: false,
        query: None,
        cli_sort: None,
        workbench_sort: None,
        workbench_group: None,
    }
}

/// A field of hubtriage's own, worked out by `derived`; `path` is where its value usually is.
const fn own(name: &'static str, path: &'static str, derived: Derived) -> FieldDef {
    let mut f = field(name, FilterKind::String, path);
    f.filterable = false;
    f.derived = Some(derived);
    f
}

/// The registry: all 107 members of `AwsSecurityFindingFilters`, in model order (service model, shape
/// `AwsSecurityFindingFilters`), with their ASFF paths (AWS Security Finding Format (ASFF) reference)
/// and what the rest of hubtriage knows of each; then hubtriage's own fields.
pub static FIELDS: [FieldDef; 108] = [
    field("ProductArn", FilterKind::String, "ProductArn").sort_by(16, "product_arn").in_column("product_arn").in_rows(),
    field("AwsAccountId", FilterKind::String, "AwsAccountId")
        .keys(3, &["account"], Read::Plain)
        .sort_by(12, "aws_account_id")
        .in_column("aws_account_id")
        .in_rows()
        .free_words()
        .cli_aliases(5, &["account"])
        .sort_column("account", &["account"])
        .group_by("account", &["account"]),
    field("Id", FilterKind::String, "Id")
        .keys(13, &["id"], Read::Plain)
        .sort_by(18, "id")
        .in_column("id")
        .in_rows()
        .free_words(),
    field("GeneratorId", FilterKind::String, "GeneratorId")
        .keys(12, &["generator"], Read::Plain)
        .sort_by(17, "generator_id")
        .in_column("generator_id")
        .free_words()
        .group_by("generator", &["generator", "generatorid"]),
    field("Region", FilterKind::String, "Region")
        .keys(4, &["region"], Read::Plain)
        .sort_by(13, "region")
        .in_column("region")
        .in_rows()
        .cli_aliases(6, &["region"])
        .sort_column("region", &["region"])
        .group_by("region", &["region"]),
    field("Type", FilterKind::String, "Types[]")
        .keys(5, &["type"], Read::Prefix)
        .free_words()
        .group_by("type", &["type", "types"]),
    field("FirstObservedAt", FilterKind::Date, "FirstObservedAt")
        .keys(24, &["firstseen"], Read::Plain)
        .sort_by(2, "IFNULL(first_observed_ns, -9223372036854775808)"),
    field("LastObservedAt", FilterKind::Date, "LastObservedAt")
        .keys(25, &["lastseen"], Read::Plain)
        .sort_by(3, "IFNULL(last_observed_ns, -9223372036854775808)"),
    field("CreatedAt", FilterKind::Date, "CreatedAt")
        .keys(23, &["created"], Read::Plain)
        .sort_by(1, "created_ns")
        .in_column("created_ns")
        .cli_aliases(2, &["created"]),
    field("UpdatedAt", FilterKind::Date, "UpdatedAt")
        .keys(22, &["updated"], Read::Plain)
        .sort_by(0, "updated_ns")
        .in_column("updated_ns")
        .in_rows()
        .cli_aliases(1, &["updated"])
        .sort_column("updated", &["updated", "age"]),
    field("SeverityProduct", FilterKind::Number, "Severity.Product"),
    field("SeverityNormalized", FilterKind::Number, "Severity.Normalized")
        .sort_by(5, "IFNULL(severity_normalized, -1)"),
    field("SeverityLabel", FilterKind::String, "Severity.Label")
        .keys(0, &["sev", "severity"], Read::Severity)
        .sort_by(4, "severity_rank")
        .in_column("severity_label")
        .in_rows()
        .cli_aliases(0, &["severity", "sev"])
        .sort_column("severity", &["severity", "sev"])
        .group_by("severity", &["severity", "sev"]),
    field("Confidence", FilterKind::Number, "Confidence")
        .keys(20, &["confidence"], Read::Plain)
        .sort_by(21, "IFNULL(confidence, -1)")
        .in_rows(),
    field("Criticality", FilterKind::Number, "Criticality")
        .keys(21, &["criticality"], Read::Plain)
        .sort_by(22, "IFNULL(criticality, -1)")
        .in_rows(),
    field("Title", FilterKind::String, "Title")
        .keys(14, &["title"], Read::Contains)
        .sort_by(11, "title")
        .in_column("title")
        .in_rows()
        .free_words()
        .cli_aliases(4, &["title"])
        .sort_column("title", &["title"])
        .group_by("title", &["title"]),
    field("Description", FilterKind::String, "Description").free_words(),
    field("RecommendationText", FilterKind::String, "Remediation.Recommendation.Text"),
    field("SourceUrl", FilterKind::String, "SourceUrl"),
    field("ProductFields", FilterKind::Map, "ProductFields"),
    field("ProductName", FilterKind::String, "ProductName")
        .keys(2, &["product"], Read::Product)
        .sort_by(14, "product_name")
        .in_column("product_name")
        .in_rows()
        .free_words()
        .cli_aliases(7, &["product"])
        .sort_column("product", &["product"])
        .group_by("product", &["product"]),
    field("CompanyName", FilterKind::String, "CompanyName").sort_by(15, "company_name").in_column("company_name"),
    field("UserDefinedFields", FilterKind::Map, "UserDefinedFields").keys(19, &["udf"], Read::Plain),
    field("MalwareName", FilterKind::String, "Malware[].Name"),
    field("MalwareType", FilterKind::String, "Malware[].Type"),
    field("MalwarePath", FilterKind::String, "Malware[].Path"),
    field("MalwareState", FilterKind::String, "Malware[].State"),
    field("NetworkDirection", FilterKind::String, "Network.Direction"),
    field("NetworkProtocol", FilterKind::String, "Network.Protocol"),
    field("NetworkSourceIpV4", FilterKind::Ip, "Network.SourceIpV4"),
    field("NetworkSourceIpV6", FilterKind::Ip, "Network.SourceIpV6"),
    field("NetworkSourcePort", FilterKind::Number, "Network.SourcePort"),
    field("NetworkSourceDomain", FilterKind::String, "Network.SourceDomain"),
    field("NetworkSourceMac", FilterKind::String, "Network.SourceMac"),
    field("NetworkDestinationIpV4", FilterKind::Ip, "Network.DestinationIpV4"),
    field("NetworkDestinationIpV6", FilterKind::Ip, "Network.DestinationIpV6"),
    field("NetworkDestinationPort", FilterKind::Number, "Network.DestinationPort"),
    field("NetworkDestinationDomain", FilterKind::String, "Network.DestinationDomain"),
    field("ProcessName", FilterKind::String, "Process.Name"),
    field("ProcessPath", FilterKind::String, "Process.Path"),
    field("ProcessPid", FilterKind::Number, "Process.Pid"),
    field("ProcessParentPid", FilterKind::Number, "Process.ParentPid"),
    field("ProcessLaunchedAt", FilterKind::Date, "Process.LaunchedAt"),
    field("ProcessTerminatedAt", FilterKind::Date, "Process.TerminatedAt"),
    field("ThreatIntelIndicatorType", FilterKind::String, "ThreatIntelIndicators[].Type"),
    field("ThreatIntelIndicatorValue", FilterKind::String, "ThreatIntelIndicators[].Value"),
    field("ThreatIntelIndicatorCategory", FilterKind::String, "ThreatIntelIndicators[].Category"),
    field("ThreatIntelIndicatorLastObservedAt", FilterKind::Date, "ThreatIntelIndicators[].LastObservedAt"),
    field("ThreatIntelIndicatorSource", FilterKind::String, "ThreatIntelIndicators[].Source"),
    field("ThreatIntelIndicatorSourceUrl", FilterKind::String, "ThreatIntelIndicators[].SourceUrl"),
    field("ResourceType", FilterKind::String, "Resources[].Type")
        .keys(6, &["resource"], Read::TypeOrId("ResourceId"))
        .sort_by(19, "resource_type")
        .free_words()
        .cli_aliases(8, &["resource"])
        .sort_column("resource", &["resource"])
        .group_by("resource type", &["resource", "resourcetype", "resource-type"]),
    field("ResourceId", FilterKind::String, "Resources[].Id")
        .keys(7, &["resourceid"], Read::Plain)
        .sort_by(20, "resource_id")
        .free_words(),
    field("ResourcePartition", FilterKind::String, "Resources[].Partition"),
    field("ResourceRegion", FilterKind::String, "Resources[].Region"),
    field("ResourceTags", FilterKind::Map, "Resources[].Tags").keys(18, &["tag"], Read::Plain),
    field("ResourceAwsEc2InstanceType", FilterKind::String, "Resources[].Details.AwsEc2Instance.Type"),
    field("ResourceAwsEc2InstanceImageId", FilterKind::String, "Resources[].Details.AwsEc2Instance.ImageId"),
    field("ResourceAwsEc2InstanceIpV4Addresses", FilterKind::Ip, "Resources[].Details.AwsEc2Instance.IpV4Addresses[]"),
    field("ResourceAwsEc2InstanceIpV6Addresses", FilterKind::Ip, "Resources[].Details.AwsEc2Instance.IpV6Addresses[]"),
    field("ResourceAwsEc2InstanceKeyName", FilterKind::String, "Resources[].Details.AwsEc2Instance.KeyName"),
    field(
        "ResourceAwsEc2InstanceIamInstanceProfileArn",
        FilterKind::String,
        "Resources[].Details.AwsEc2Instance.IamInstanceProfileArn",
    ),
    field("ResourceAwsEc2InstanceVpcId", FilterKind::String, "Resources[].Details.AwsEc2Instance.VpcId"),
    field("ResourceAwsEc2InstanceSubnetId", FilterKind::String, "Resources[].Details.AwsEc2Instance.SubnetId"),
    field("ResourceAwsEc2InstanceLaunchedAt", FilterKind::Date, "Resources[].Details.AwsEc2Instance.LaunchedAt"),
    field("ResourceAwsS3BucketOwnerId", FilterKind::String, "Resources[].Details.AwsS3Bucket.OwnerId"),
    field("ResourceAwsS3BucketOwnerName", FilterKind::String, "Resources[].Details.AwsS3Bucket.OwnerName"),
    field("ResourceAwsIamAccessKeyUserName", FilterKind::String, "Resources[].Details.AwsIamAccessKey.UserName"),
    field(
        "ResourceAwsIamAccessKeyPrincipalName",
        FilterKind::String,
        "Resources[].Details.AwsIamAccessKey.PrincipalName",
    ),
    field("ResourceAwsIamAccessKeyStatus", FilterKind::String, "Resources[].Details.AwsIamAccessKey.Status"),
    field("ResourceAwsIamAccessKeyCreatedAt", FilterKind::Date, "Resources[].Details.AwsIamAccessKey.CreatedAt"),
    field("ResourceAwsIamUserUserName", FilterKind::String, "Resources[].Details.AwsIamUser.UserName"),
    field("ResourceContainerName", FilterKind::String, "Resources[].Details.Container.Name"),
    field("ResourceContainerImageId", FilterKind::String, "Resources[].Details.Container.ImageId"),
    field("ResourceContainerImageName", FilterKind::String, "Resources[].Details.Container.ImageName"),
    field("ResourceContainerLaunchedAt", FilterKind::Date, "Resources[].Details.Container.LaunchedAt"),
    field("ResourceDetailsOther", FilterKind::Map, "Resources[].Details.Other"),
    field("ComplianceStatus", FilterKind::String, "Compliance.Status")
        .keys(8, &["compliance"], Read::OneOf(ValueSet::ComplianceStatus))
        .sort_by(9, "compliance_status")
        .in_column("compliance_status")
        .in_rows()
        .cli_aliases(10, &["compliance"])
        .group_by("compliance", &["compliance"]),
    field("VerificationState", FilterKind::String, "VerificationState")
        .keys(11, &["verification", "verif"], Read::OneOf(ValueSet::VerificationState))
        .sort_by(8, "verification_state")
        .in_column("verification_state")
        .in_rows(),
    field("WorkflowState", FilterKind::String, "WorkflowState"),
    field("WorkflowStatus", FilterKind::String, "Workflow.Status")
        .keys(1, &["status", "workflow"], Read::OneOf(ValueSet::WorkflowStatus))
        .sort_by(6, "workflow_status")
        .in_column("workflow_status")
        .in_rows()
        .cli_aliases(3, &["status", "workflow"])
        .sort_column("status", &["status", "workflow"])
        .group_by("status", &["status", "workflow"]),
    field("RecordState", FilterKind::String, "RecordState")
        .keys(10, &["record"], Read::OneOf(ValueSet::RecordState))
        .sort_by(7, "record_state")
        .in_column("record_state")
        .in_rows()
        .cli_aliases(11, &["record"]),
    field("RelatedFindingsProductArn", FilterKind::String, "RelatedFindings[].ProductArn"),
    field("RelatedFindingsId", FilterKind::String, "RelatedFindings[].Id"),
    field("NoteText", FilterKind::String, "Note.Text").keys(15, &["note"], Read::Contains),
    field("NoteUpdatedAt", FilterKind::Date, "Note.UpdatedAt"),
    field("NoteUpdatedBy", FilterKind::String, "Note.UpdatedBy").keys(16, &["by"], Read::Plain),
    field("Keyword", FilterKind::Keyword, ""),
    field("FindingProviderFieldsConfidence", FilterKind::Number, "FindingProviderFields.Confidence"),
    field("FindingProviderFieldsCriticality", FilterKind::Number, "FindingProviderFields.Criticality"),
    field("FindingProviderFieldsRelatedFindingsId", FilterKind::String, "FindingProviderFields.RelatedFindings[].Id"),
    field(
        "FindingProviderFieldsRelatedFindingsProductArn",
        FilterKind::String,
        "FindingProviderFields.RelatedFindings[].ProductArn",
    ),
    field("FindingProviderFieldsSeverityLabel", FilterKind::String, "FindingProviderFields.Severity.Label"),
    field("FindingProviderFieldsSeverityOriginal", FilterKind::String, "FindingProviderFields.Severity.Original"),
    field("FindingProviderFieldsTypes", FilterKind::String, "FindingProviderFields.Types[]"),
    field("Sample", FilterKind::Boolean, "Sample").keys(26, &["sample"], Read::Plain),
    // Compliance.SecurityControlId only, as at AWS (GetFindings). Sorting by it (`--sort control`,
    // `:sort control`, SortCriteria) orders by the summary's control id, which older Security Hub
    // control findings have too; the query language's `control:` is `ControlId`.
    field("ComplianceSecurityControlId", FilterKind::String, "Compliance.SecurityControlId")
        .sort_by(10, "control_id")
        .in_column("control_id")
        .cli_aliases(9, &["control"])
        .sort_column("control", &["control"]),
    field("ComplianceAssociatedStandardsId", FilterKind::String, "Compliance.AssociatedStandards[].StandardsId").keys(
        17,
        &["standard"],
        Read::Prefix,
    ),
    field("VulnerabilitiesExploitAvailable", FilterKind::String, "Vulnerabilities[].ExploitAvailable"),
    field("VulnerabilitiesFixAvailable", FilterKind::String, "Vulnerabilities[].FixAvailable"),
    field("ComplianceSecurityControlParametersName", FilterKind::String, "Compliance.SecurityControlParameters[].Name"),
    field(
        "ComplianceSecurityControlParametersValue",
        FilterKind::String,
        "Compliance.SecurityControlParameters[].Value[]",
    ),
    field("AwsAccountName", FilterKind::String, "AwsAccountName").free_words(),
    field("ResourceApplicationName", FilterKind::String, "Resources[].ApplicationName"),
    field("ResourceApplicationArn", FilterKind::String, "Resources[].ApplicationArn"),
    field("ResourceOwnerAccountId", FilterKind::String, "Resources[].Owner.Account.Id"),
    field("ResourceOwnerOrgId", FilterKind::String, "Resources[].Owner.Org.Id"),
    field("ResourceProvider", FilterKind::String, "Resources[].Provider"),
    // hubtriage's own: the control id as the summary has it (`model::control`), for `control:`,
    // free words and grouping by control, so the list, the group view, the detail pane and a query
    // agree on older Security Hub control findings (CIS 1.2, PCI DSS) too.
    own("ControlId", "Compliance.SecurityControlId", Derived::ControlId)
        .keys(9, &["control"], Read::Plain)
        .in_column("control_id")
        .in_rows()
        .free_words()
        .group_by("control", &["control"]),
];

/// Looks up a filterable field by its exact (case-sensitive) filter name.
pub fn field_def(name: &str) -> Option<&'static FieldDef> {
    FIELDS.iter().find(|f| f.filterable && f.name == name)
}

/// The field named `name`, for code that needs one particular field. Call it in a `const { }` block:
/// a name not in the table then fails the build (called at run time, it would panic).
pub const fn named(name: &str) -> &'static FieldDef {
    let mut i = 0;
    while i < FIELDS.len() {
        if const_eq(FIELDS[i].name, name) {
            return &FIELDS[i];
        }
        i += 1;
    }
    panic!("no field of that name in model::filter::fields::FIELDS")
}

const fn const_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The fields that have an attribute listed in order, by their place (`order`) in that listing.
fn listed(place: fn(&FieldDef) -> Option<u8>) -> impl Iterator<Item = &'static FieldDef> {
    (0..=u8::MAX).map_while(move |i| FIELDS.iter().find(|f| place(f) == Some(i)))
}

/// GetFindings `SortCriteria.Field` values the store sorts by, with the SQL expression of each, in
/// listing order.
pub fn sort_columns() -> impl Iterator<Item = (&'static str, &'static str)> {
    listed(|f| f.sort.map(|s| s.order)).filter_map(|f| f.sort.map(|s| (f.name, s.expr)))
}

/// String fields whose value is exactly one summary column: (field, column).
pub fn string_columns() -> impl Iterator<Item = (&'static str, &'static str)> {
    FIELDS.iter().filter(|f| f.kind == FilterKind::String).filter_map(|f| f.column.map(|c| (f.name, c)))
}

/// Date fields whose value is exactly one summary column (nanoseconds): (field, column).
pub fn date_columns() -> impl Iterator<Item = (&'static str, &'static str)> {
    FIELDS.iter().filter(|f| f.kind == FilterKind::Date).filter_map(|f| f.column.map(|c| (f.name, c)))
}

/// Fields a workbench list row answers exactly.
pub fn in_memory() -> impl Iterator<Item = &'static str> {
    FIELDS.iter().filter(|f| f.in_memory).map(|f| f.name)
}

/// The ASFF paths free words are searched in.
pub fn free_text_paths() -> impl Iterator<Item = &'static str> {
    free_text_fields().map(|f| f.path)
}

/// The fields free words are searched in.
pub fn free_text_fields() -> impl Iterator<Item = &'static FieldDef> {
    FIELDS.iter().filter(|f| f.free_text)
}

/// Every query-language key with its field, in listing order.
pub fn query_keys() -> impl Iterator<Item = (&'static str, &'static FieldDef)> {
    listed(|f| f.query.map(|q| q.order)).flat_map(|f| f.query.map_or(&[][..], |q| q.keys).iter().map(move |k| (*k, f)))
}

/// The field a (lower-case) query key selects, and how the key reads values.
pub fn query_key(key: &str) -> Option<(&'static FieldDef, Read)> {
    FIELDS.iter().find_map(|f| f.query.filter(|q| q.keys.contains(&key)).map(|q| (f, q.read)))
}

/// The command line's sort aliases with their field, in listing order.
pub fn cli_sort_aliases() -> impl Iterator<Item = (&'static str, &'static str)> {
    listed(|f| f.cli_sort.map(|c| c.order))
        .flat_map(|f| f.cli_sort.map_or(&[][..], |c| c.aliases).iter().map(move |a| (*a, f.name)))
}

/// The field a word names as a workbench `:sort` column (case-insensitive).
pub fn workbench_sort(word: &str) -> Option<&'static FieldDef> {
    FIELDS.iter().find(|f| f.workbench_sort.is_some_and(|n| n.words.iter().any(|w| w.eq_ignore_ascii_case(word))))
}

/// The field a word names as a workbench `:group` field (case-insensitive).
pub fn workbench_group(word: &str) -> Option<&'static FieldDef> {
    FIELDS.iter().find(|f| f.workbench_group.is_some_and(|n| n.words.iter().any(|w| w.eq_ignore_ascii_case(word))))
}

#[cfg(test)]
mod tests;
