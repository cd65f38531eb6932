//! `AwsSecurityFindingFilters` (Security Hub V1 filters): parsing the AWS request JSON, writing it back,
//! and evaluating the filters locally against ASFF findings held as `serde_json::Value`.
//!
//! Semantics (API-DIGEST 3.1/3.2, botocore model doc strings):
//! * different fields are ANDed;
//! * on a string field the positive comparisons (`EQUALS`, `PREFIX`, `CONTAINS`, `CONTAINS_WORD`) are ORed
//!   and the negative ones (`NOT_EQUALS`, `PREFIX_NOT_EQUALS`, `NOT_CONTAINS`) ANDed; the positive set is
//!   evaluated first and the negatives then remove matches;
//! * list-valued attributes (`Types[]`, `Resources[].Id`, ...) match a positive filter when any element
//!   matches, and fail a negative filter when any element violates it;
//! * a missing attribute fails positive filters and passes negative ones;
//! * several `NumberFilter`/`DateFilter`/`IpFilter`/`BooleanFilter`/`KeywordFilter` entries on one field
//!   are ORed (each entry is one range; every bound inside an entry must hold);
//! * `MapFilter`: `EQUALS`/`CONTAINS` ORed, `NOT_EQUALS`/`NOT_CONTAINS` ANDed, like strings.
//!
//! Deliberate choices where the model is silent: an entry without any bound (`NumberFilter {}`,
//! `DateFilter {}`) and a `DateFilter` carrying both `Start`/`End` and `DateRange` are rejected;
//! `CONTAINS_WORD` matches `Value` bounded by non-alphanumeric characters (case-sensitive); an `IpFilter`
//! `Cidr` may be a bare address (a /32 or /128); `Keyword` is a case-insensitive substring search over
//! every string value of the finding.

use std::fmt::Write as _;
use std::net::IpAddr;

use serde_json::{Map, Value};
use time::{Duration, OffsetDateTime};

use crate::model::enums::string_enum;
use crate::model::timestamp;

/// At most this many filter values per field (model doc of `AwsSecurityFindingFilters`).
pub const MAX_VALUES_PER_FIELD: usize = 20;

/// An invalid filter document. `Display` is `<where>: <what>`, e.g.
/// `Filters.SeverityLabel[1].Comparison: "EQUAL" is not one of EQUALS|PREFIX|...`.
/// Callers answer it as the AWS `InvalidInputException`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct FilterError {
    /// Where in the request, e.g. `Filters.SeverityLabel[1].Comparison`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl FilterError {
    fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { path: path.into(), message: message.into() }
    }
}

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
    /// The botocore shape name, e.g. `StringFilter`.
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

/// One member of `AwsSecurityFindingFilters`.
#[derive(Debug, PartialEq, Eq)]
pub struct FieldDef {
    /// Member name, e.g. `ResourceType`.
    pub name: &'static str,
    pub kind: FilterKind,
    /// ASFF path, dot-separated; `[]` marks a list whose every element is visited (any element may
    /// match). Empty for `Keyword`, which searches the whole finding.
    pub path: &'static str,
}

const fn field(name: &'static str, kind: FilterKind, path: &'static str) -> FieldDef {
    FieldDef { name, kind, path }
}

/// All 107 members of `AwsSecurityFindingFilters`, in model order, with their ASFF paths
/// (member list from the botocore model; paths per API-DIGEST 3.5).
pub static FIELDS: [FieldDef; 107] = [
    field("ProductArn", FilterKind::String, "ProductArn"),
    field("AwsAccountId", FilterKind::String, "AwsAccountId"),
    field("Id", FilterKind::String, "Id"),
    field("GeneratorId", FilterKind::String, "GeneratorId"),
    field("Region", FilterKind::String, "Region"),
    field("Type", FilterKind::String, "Types[]"),
    field("FirstObservedAt", FilterKind::Date, "FirstObservedAt"),
    field("LastObservedAt", FilterKind::Date, "LastObservedAt"),
    field("CreatedAt", FilterKind::Date, "CreatedAt"),
    field("UpdatedAt", FilterKind::Date, "UpdatedAt"),
    field("SeverityProduct", FilterKind::Number, "Severity.Product"),
    field("SeverityNormalized", FilterKind::Number, "Severity.Normalized"),
    field("SeverityLabel", FilterKind::String, "Severity.Label"),
    field("Confidence", FilterKind::Number, "Confidence"),
    field("Criticality", FilterKind::Number, "Criticality"),
    field("Title", FilterKind::String, "Title"),
    field("Description", FilterKind::String, "Description"),
    field("RecommendationText", FilterKind::String, "Remediation.Recommendation.Text"),
    field("SourceUrl", FilterKind::String, "SourceUrl"),
    field("ProductFields", FilterKind::Map, "ProductFields"),
    field("ProductName", FilterKind::String, "ProductName"),
    field("CompanyName", FilterKind::String, "CompanyName"),
    field("UserDefinedFields", FilterKind::Map, "UserDefinedFields"),
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
    field("ResourceType", FilterKind::String, "Resources[].Type"),
    field("ResourceId", FilterKind::String, "Resources[].Id"),
    field("ResourcePartition", FilterKind::String, "Resources[].Partition"),
    field("ResourceRegion", FilterKind::String, "Resources[].Region"),
    field("ResourceTags", FilterKind::Map, "Resources[].Tags"),
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
    field("ComplianceStatus", FilterKind::String, "Compliance.Status"),
    field("VerificationState", FilterKind::String, "VerificationState"),
    field("WorkflowState", FilterKind::String, "WorkflowState"),
    field("WorkflowStatus", FilterKind::String, "Workflow.Status"),
    field("RecordState", FilterKind::String, "RecordState"),
    field("RelatedFindingsProductArn", FilterKind::String, "RelatedFindings[].ProductArn"),
    field("RelatedFindingsId", FilterKind::String, "RelatedFindings[].Id"),
    field("NoteText", FilterKind::String, "Note.Text"),
    field("NoteUpdatedAt", FilterKind::Date, "Note.UpdatedAt"),
    field("NoteUpdatedBy", FilterKind::String, "Note.UpdatedBy"),
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
    field("Sample", FilterKind::Boolean, "Sample"),
    field("ComplianceSecurityControlId", FilterKind::String, "Compliance.SecurityControlId"),
    field("ComplianceAssociatedStandardsId", FilterKind::String, "Compliance.AssociatedStandards[].StandardsId"),
    field("VulnerabilitiesExploitAvailable", FilterKind::String, "Vulnerabilities[].ExploitAvailable"),
    field("VulnerabilitiesFixAvailable", FilterKind::String, "Vulnerabilities[].FixAvailable"),
    field("ComplianceSecurityControlParametersName", FilterKind::String, "Compliance.SecurityControlParameters[].Name"),
    field(
        "ComplianceSecurityControlParametersValue",
        FilterKind::String,
        "Compliance.SecurityControlParameters[].Value[]",
    ),
    field("AwsAccountName", FilterKind::String, "AwsAccountName"),
    field("ResourceApplicationName", FilterKind::String, "Resources[].ApplicationName"),
    field("ResourceApplicationArn", FilterKind::String, "Resources[].ApplicationArn"),
    field("ResourceOwnerAccountId", FilterKind::String, "Resources[].Owner.Account.Id"),
    field("ResourceOwnerOrgId", FilterKind::String, "Resources[].Owner.Org.Id"),
    field("ResourceProvider", FilterKind::String, "Resources[].Provider"),
];

/// Looks up a member of `AwsSecurityFindingFilters` by its exact (case-sensitive) name.
pub fn field_def(name: &str) -> Option<&'static FieldDef> {
    FIELDS.iter().find(|f| f.name == name)
}

string_enum!(
    /// `StringFilterComparison`.
    StringComparison {
        Equals => "EQUALS",
        Prefix => "PREFIX",
        NotEquals => "NOT_EQUALS",
        PrefixNotEquals => "PREFIX_NOT_EQUALS",
        Contains => "CONTAINS",
        NotContains => "NOT_CONTAINS",
        ContainsWord => "CONTAINS_WORD",
    }
);

string_enum!(
    /// `MapFilterComparison`.
    MapComparison {
        Equals => "EQUALS",
        NotEquals => "NOT_EQUALS",
        Contains => "CONTAINS",
        NotContains => "NOT_CONTAINS",
    }
);

string_enum!(
    /// `DateRangeComparison`; `WITHIN` when absent.
    DateRangeComparison {
        Within => "WITHIN",
        OlderThan => "OLDER_THAN",
    }
);

string_enum!(
    /// `DateRangeUnit`.
    DateRangeUnit {
        Days => "DAYS",
    }
);

impl StringComparison {
    /// `NOT_EQUALS`, `PREFIX_NOT_EQUALS` and `NOT_CONTAINS` (ANDed on a field); the rest are ORed.
    pub fn is_negative(self) -> bool {
        matches!(self, Self::NotEquals | Self::PrefixNotEquals | Self::NotContains)
    }
}

impl MapComparison {
    /// `NOT_EQUALS` and `NOT_CONTAINS`.
    pub fn is_negative(self) -> bool {
        matches!(self, Self::NotEquals | Self::NotContains)
    }
}

/// `StringFilter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringFilter {
    pub value: String,
    pub comparison: StringComparison,
}

impl StringFilter {
    pub fn new(value: impl Into<String>, comparison: StringComparison) -> Self {
        Self { value: value.into(), comparison }
    }
}

/// `NumberFilter`: every bound present must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NumberFilter {
    pub gte: Option<f64>,
    pub lte: Option<f64>,
    pub eq: Option<f64>,
    pub gt: Option<f64>,
    pub lt: Option<f64>,
}

/// `DateRange`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateRange {
    pub value: i64,
    pub unit: DateRangeUnit,
    pub comparison: DateRangeComparison,
}

impl DateRange {
    /// `now` minus `value` days: the lower edge of a `WITHIN` range, the upper (exclusive) edge of an
    /// `OLDER_THAN` one. `None` when that lies before the earliest representable date (then `WITHIN`
    /// has no lower edge and `OLDER_THAN` matches nothing). Never panics.
    pub fn cutoff(&self, now: OffsetDateTime) -> Option<OffsetDateTime> {
        let days = match self.unit {
            DateRangeUnit::Days => self.value,
        };
        days.checked_mul(86_400).and_then(|s| now.checked_sub(Duration::seconds(s)))
    }
}

/// `DateFilter`: an absolute window `start..=end` (either bound optional) or a relative `date_range`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DateFilter {
    pub start: Option<String>,
    pub end: Option<String>,
    pub date_range: Option<DateRange>,
}

/// `MapFilter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapFilter {
    pub key: String,
    pub value: String,
    pub comparison: MapComparison,
}

/// `BooleanFilter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BooleanFilter {
    pub value: bool,
}

/// `IpFilter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpFilter {
    pub cidr: String,
}

/// `KeywordFilter` (deprecated member `Keyword`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeywordFilter {
    pub value: String,
}

/// The typed filter list of one field.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterList {
    String(Vec<StringFilter>),
    Number(Vec<NumberFilter>),
    Date(Vec<DateFilter>),
    Map(Vec<MapFilter>),
    Boolean(Vec<BooleanFilter>),
    Ip(Vec<IpFilter>),
    Keyword(Vec<KeywordFilter>),
}

impl FilterList {
    pub fn kind(&self) -> FilterKind {
        match self {
            FilterList::String(_) => FilterKind::String,
            FilterList::Number(_) => FilterKind::Number,
            FilterList::Date(_) => FilterKind::Date,
            FilterList::Map(_) => FilterKind::Map,
            FilterList::Boolean(_) => FilterKind::Boolean,
            FilterList::Ip(_) => FilterKind::Ip,
            FilterList::Keyword(_) => FilterKind::Keyword,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            FilterList::String(v) => v.len(),
            FilterList::Number(v) => v.len(),
            FilterList::Date(v) => v.len(),
            FilterList::Map(v) => v.len(),
            FilterList::Boolean(v) => v.len(),
            FilterList::Ip(v) => v.len(),
            FilterList::Keyword(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends `other` when both are of the same kind; returns `false` (and leaves `self`) otherwise.
    fn extend(&mut self, other: FilterList) -> bool {
        match (self, other) {
            (FilterList::String(a), FilterList::String(b)) => a.extend(b),
            (FilterList::Number(a), FilterList::Number(b)) => a.extend(b),
            (FilterList::Date(a), FilterList::Date(b)) => a.extend(b),
            (FilterList::Map(a), FilterList::Map(b)) => a.extend(b),
            (FilterList::Boolean(a), FilterList::Boolean(b)) => a.extend(b),
            (FilterList::Ip(a), FilterList::Ip(b)) => a.extend(b),
            (FilterList::Keyword(a), FilterList::Keyword(b)) => a.extend(b),
            _ => return false,
        }
        true
    }
}

/// Pre-parsed parts of a field's filters, built once when the filter is accepted.
#[derive(Debug, Clone, PartialEq)]
enum Compiled {
    None,
    Dates(Vec<DateBounds>),
    Cidrs(Vec<Cidr>),
    /// Lower-cased keywords.
    Keywords(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct DateBounds {
    start: Option<OffsetDateTime>,
    end: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cidr {
    V4 { net: u32, mask: u32 },
    V6 { net: u128, mask: u128 },
}

impl Cidr {
    fn parse(s: &str) -> Option<Cidr> {
        let s = s.trim();
        let (addr, len) = match s.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (s, None),
        };
        let addr: IpAddr = addr.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let len: u32 = match len {
            Some(l) if !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()) => l.parse().ok()?,
            Some(_) => return None,
            None => max,
        };
        if len > max {
            return None;
        }
        Some(match addr {
            IpAddr::V4(a) => {
                let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
                Cidr::V4 { net: u32::from(a) & mask, mask }
            }
            IpAddr::V6(a) => {
                let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
                Cidr::V6 { net: u128::from(a) & mask, mask }
            }
        })
    }

    fn contains(self, ip: IpAddr) -> bool {
        match (self, ip) {
            (Cidr::V4 { net, mask }, IpAddr::V4(a)) => u32::from(a) & mask == net,
            (Cidr::V6 { net, mask }, IpAddr::V6(a)) => u128::from(a) & mask == net,
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct FieldEntry {
    def: &'static FieldDef,
    list: FilterList,
    compiled: Compiled,
}

/// An `AwsSecurityFindingFilters` document: an ordered list of (field, typed filter list), validated
/// and pre-parsed. Build it with [`Filters::from_json`] or [`Filters::push`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    entries: Vec<FieldEntry>,
}

impl Filters {
    /// No filters: matches every finding.
    pub fn new() -> Self {
        Self::default()
    }

    /// True when no field has a filter.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of fields with filters.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The filtered fields, in order.
    pub fn field_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.entries.iter().map(|e| e.def.name)
    }

    /// (field, filters) pairs, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static FieldDef, &FilterList)> + '_ {
        self.entries.iter().map(|e| (e.def, &e.list))
    }

    /// The filters of one field.
    pub fn get(&self, field: &str) -> Option<&FilterList> {
        self.entries.iter().find(|e| e.def.name == field).map(|e| &e.list)
    }

    /// The `StringFilter`s of one field (for SQL pushdown); `None` when the field has none or is not a
    /// string field.
    pub fn string_filters(&self, field: &str) -> Option<&[StringFilter]> {
        match self.get(field) {
            Some(FilterList::String(v)) => Some(v),
            _ => None,
        }
    }

    /// Removes a field's filters and returns them.
    pub fn remove(&mut self, field: &str) -> Option<FilterList> {
        let i = self.entries.iter().position(|e| e.def.name == field)?;
        Some(self.entries.remove(i).list)
    }

    /// Adds filters to `field` (appending to any it already has) after validating the combined list as
    /// [`Filters::from_json`] would. On error `self` is unchanged.
    pub fn push(&mut self, field: &str, list: FilterList) -> Result<(), FilterError> {
        let def = lookup_field(field)?;
        let path = format!("Filters.{}", def.name);
        if list.kind() != def.kind {
            return Err(FilterError::new(
                path,
                format!("takes {} values, not {}", def.kind.shape_name(), list.kind().shape_name()),
            ));
        }
        let pos = self.entries.iter().position(|e| e.def.name == def.name);
        let combined = match pos {
            Some(i) => {
                let mut l = self.entries[i].list.clone();
                l.extend(list);
                l
            }
            None => list,
        };
        let compiled = check_list(&combined, &path)?;
        let entry = FieldEntry { def, list: combined, compiled };
        match pos {
            Some(i) => self.entries[i] = entry,
            None if entry.list.is_empty() => {}
            None => self.entries.push(entry),
        }
        Ok(())
    }

    /// Parses the `Filters` member of a `GetFindings` request (the AWS JSON shape, PascalCase members).
    /// `null` members and empty lists are ignored.
    pub fn from_json(json: &Value) -> Result<Filters, FilterError> {
        let obj = match json {
            Value::Object(o) => o,
            other => return Err(FilterError::new("Filters", format!("expected an object, got {}", type_name(other)))),
        };
        let mut filters = Filters::new();
        for (name, value) in obj {
            let def = lookup_field(name)?;
            let path = format!("Filters.{name}");
            let items = match value {
                Value::Null => continue,
                Value::Array(a) => a,
                other => {
                    return Err(FilterError::new(
                        path,
                        format!("expected a list of {}, got {}", def.kind.shape_name(), type_name(other)),
                    ))
                }
            };
            if items.is_empty() {
                continue;
            }
            if items.len() > MAX_VALUES_PER_FIELD {
                return Err(FilterError::new(
                    path,
                    format!("at most {MAX_VALUES_PER_FIELD} filter values per field, got {}", items.len()),
                ));
            }
            let list = parse_list(def, items, &path)?;
            let compiled = check_list(&list, &path)?;
            filters.entries.push(FieldEntry { def, list, compiled });
        }
        Ok(filters)
    }

    /// The AWS request JSON for these filters; `Filters::from_json(&f.to_json()) == Ok(f)`.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        for e in &self.entries {
            let items: Vec<Value> = match &e.list {
                FilterList::String(v) => v
                    .iter()
                    .map(|f| {
                        obj(vec![("Value", f.value.as_str().into()), ("Comparison", f.comparison.as_str().into())])
                    })
                    .collect(),
                FilterList::Number(v) => v
                    .iter()
                    .map(|f| {
                        let bounds = [("Gte", f.gte), ("Lte", f.lte), ("Eq", f.eq), ("Gt", f.gt), ("Lt", f.lt)];
                        obj(bounds.into_iter().filter_map(|(k, b)| b.map(|b| (k, number_json(b)))).collect())
                    })
                    .collect(),
                FilterList::Date(v) => v
                    .iter()
                    .map(|f| {
                        let mut m = Vec::new();
                        if let Some(s) = &f.start {
                            m.push(("Start", Value::from(s.as_str())));
                        }
                        if let Some(s) = &f.end {
                            m.push(("End", Value::from(s.as_str())));
                        }
                        if let Some(r) = &f.date_range {
                            m.push((
                                "DateRange",
                                obj(vec![
                                    ("Value", r.value.into()),
                                    ("Unit", r.unit.as_str().into()),
                                    ("Comparison", r.comparison.as_str().into()),
                                ]),
                            ));
                        }
                        obj(m)
                    })
                    .collect(),
                FilterList::Map(v) => v
                    .iter()
                    .map(|f| {
                        obj(vec![
                            ("Key", f.key.as_str().into()),
                            ("Value", f.value.as_str().into()),
                            ("Comparison", f.comparison.as_str().into()),
                        ])
                    })
                    .collect(),
                FilterList::Boolean(v) => v.iter().map(|f| obj(vec![("Value", f.value.into())])).collect(),
                FilterList::Ip(v) => v.iter().map(|f| obj(vec![("Cidr", f.cidr.as_str().into())])).collect(),
                FilterList::Keyword(v) => v.iter().map(|f| obj(vec![("Value", f.value.as_str().into())])).collect(),
            };
            out.insert(e.def.name.to_owned(), Value::Array(items));
        }
        Value::Object(out)
    }

    /// Whether `finding` (an ASFF finding) passes every filter, with `now` as the reference for
    /// `DateRange`s.
    pub fn matches(&self, finding: &Value, now: OffsetDateTime) -> bool {
        self.entries.iter().all(|e| e.matches(finding, now))
    }
}

fn obj(members: Vec<(&str, Value)>) -> Value {
    Value::Object(members.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

fn number_json(x: f64) -> Value {
    // Whole numbers are written as integers (`70`, not `70.0`); both read back to the same f64.
    if x.fract() == 0.0 && x.abs() < 9.007_199_254_740_992e15 {
        Value::from(x as i64)
    } else {
        Value::from(x)
    }
}

fn lookup_field(name: &str) -> Result<&'static FieldDef, FilterError> {
    if let Some(def) = field_def(name) {
        return Ok(def);
    }
    let mut msg = String::from("unknown filter field");
    if let Some(def) = FIELDS.iter().find(|f| f.name.eq_ignore_ascii_case(name)) {
        let _ = write!(msg, " (did you mean {}?)", def.name);
    }
    Err(FilterError::new(format!("Filters.{name}"), msg))
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// One filter object being read, with its location for messages.
struct Reader<'a> {
    obj: &'a Map<String, Value>,
    path: &'a str,
}

impl<'a> Reader<'a> {
    fn new(v: &'a Value, path: &'a str, shape: &str, members: &[&str]) -> Result<Self, FilterError> {
        let Value::Object(obj) = v else {
            return Err(FilterError::new(path, format!("expected a {shape} object, got {}", type_name(v))));
        };
        if let Some(k) = obj.keys().find(|k| !members.contains(&k.as_str())) {
            return Err(FilterError::new(
                format!("{path}.{k}"),
                format!("unknown member of {shape} (expected {})", members.join(", ")),
            ));
        }
        Ok(Self { obj, path })
    }

    fn at(&self, member: &str) -> String {
        format!("{}.{member}", self.path)
    }

    fn get(&self, member: &str) -> Option<&'a Value> {
        self.obj.get(member).filter(|v| !v.is_null())
    }

    fn required<T>(&self, member: &str, v: Option<T>) -> Result<T, FilterError> {
        v.ok_or_else(|| FilterError::new(self.at(member), "missing (required)"))
    }

    /// A `NonEmptyString` member (pattern `.*\S.*`).
    fn string(&self, member: &str) -> Result<Option<&'a str>, FilterError> {
        match self.get(member) {
            None => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => {
                Err(FilterError::new(self.at(member), "must not be empty or blank"))
            }
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => {
                Err(FilterError::new(self.at(member), format!("expected a string, got {}", type_name(other))))
            }
        }
    }

    fn number(&self, member: &str) -> Result<Option<f64>, FilterError> {
        match self.get(member) {
            None => Ok(None),
            Some(Value::Number(n)) => {
                n.as_f64().map(Some).ok_or_else(|| FilterError::new(self.at(member), "number out of range"))
            }
            Some(other) => {
                Err(FilterError::new(self.at(member), format!("expected a number, got {}", type_name(other))))
            }
        }
    }

    fn enumeration<T>(
        &self,
        member: &str,
        parse: fn(&str) -> Option<T>,
        allowed: fn() -> String,
    ) -> Result<Option<T>, FilterError> {
        match self.get(member) {
            None => Ok(None),
            Some(Value::String(s)) => parse(s)
                .map(Some)
                .ok_or_else(|| FilterError::new(self.at(member), format!("\"{s}\" is not one of {}", allowed()))),
            Some(other) => {
                Err(FilterError::new(self.at(member), format!("expected a string, got {}", type_name(other))))
            }
        }
    }
}

fn parse_list(def: &FieldDef, items: &[Value], path: &str) -> Result<FilterList, FilterError> {
    let shape = def.kind.shape_name();
    let mut readers = Vec::with_capacity(items.len());
    let paths: Vec<String> = (0..items.len()).map(|i| format!("{path}[{i}]")).collect();
    let members: &[&str] = match def.kind {
        FilterKind::String => &["Value", "Comparison"],
        FilterKind::Number => &["Gte", "Lte", "Eq", "Gt", "Lt"],
        FilterKind::Date => &["Start", "End", "DateRange"],
        FilterKind::Map => &["Key", "Value", "Comparison"],
        FilterKind::Boolean => &["Value"],
        FilterKind::Ip => &["Cidr"],
        FilterKind::Keyword => &["Value"],
    };
    for (item, p) in items.iter().zip(&paths) {
        readers.push(Reader::new(item, p, shape, members)?);
    }
    let mut out = match def.kind {
        FilterKind::String => FilterList::String(Vec::new()),
        FilterKind::Number => FilterList::Number(Vec::new()),
        FilterKind::Date => FilterList::Date(Vec::new()),
        FilterKind::Map => FilterList::Map(Vec::new()),
        FilterKind::Boolean => FilterList::Boolean(Vec::new()),
        FilterKind::Ip => FilterList::Ip(Vec::new()),
        FilterKind::Keyword => FilterList::Keyword(Vec::new()),
    };
    for r in &readers {
        match &mut out {
            FilterList::String(v) => {
                let value = r.required("Value", r.string("Value")?)?;
                let cmp = r.enumeration("Comparison", StringComparison::parse, StringComparison::allowed)?;
                let comparison = r.required("Comparison", cmp)?;
                v.push(StringFilter { value: value.to_owned(), comparison });
            }
            FilterList::Number(v) => v.push(NumberFilter {
                gte: r.number("Gte")?,
                lte: r.number("Lte")?,
                eq: r.number("Eq")?,
                gt: r.number("Gt")?,
                lt: r.number("Lt")?,
            }),
            FilterList::Date(v) => {
                let date_range = match r.get("DateRange") {
                    None => None,
                    Some(dr) => {
                        let p = r.at("DateRange");
                        let rr = Reader::new(dr, &p, "DateRange", &["Value", "Unit", "Comparison"])?;
                        let value = match rr.get("Value") {
                            None => return Err(FilterError::new(rr.at("Value"), "missing (required)")),
                            Some(Value::Number(n)) => n.as_i64().ok_or_else(|| {
                                FilterError::new(rr.at("Value"), format!("expected a whole number of days, got {n}"))
                            })?,
                            Some(other) => {
                                return Err(FilterError::new(
                                    rr.at("Value"),
                                    format!("expected an integer, got {}", type_name(other)),
                                ))
                            }
                        };
                        if !(0..=i64::from(i32::MAX)).contains(&value) {
                            return Err(FilterError::new(
                                rr.at("Value"),
                                format!("must be between 0 and {}, got {value}", i32::MAX),
                            ));
                        }
                        let unit = rr.enumeration("Unit", DateRangeUnit::parse, DateRangeUnit::allowed)?;
                        let unit = rr.required("Unit", unit)?;
                        let comparison = rr
                            .enumeration("Comparison", DateRangeComparison::parse, DateRangeComparison::allowed)?
                            .unwrap_or(DateRangeComparison::Within);
                        Some(DateRange { value, unit, comparison })
                    }
                };
                v.push(DateFilter {
                    start: r.string("Start")?.map(str::to_owned),
                    end: r.string("End")?.map(str::to_owned),
                    date_range,
                });
            }
            FilterList::Map(v) => {
                let key = r.required("Key", r.string("Key")?)?;
                let value = r.required("Value", r.string("Value")?)?;
                let cmp = r.enumeration("Comparison", MapComparison::parse, MapComparison::allowed)?;
                let comparison = r.required("Comparison", cmp)?;
                v.push(MapFilter { key: key.to_owned(), value: value.to_owned(), comparison });
            }
            FilterList::Boolean(v) => {
                let value = match r.get("Value") {
                    None => return Err(FilterError::new(r.at("Value"), "missing (required)")),
                    Some(Value::Bool(b)) => *b,
                    Some(other) => {
                        return Err(FilterError::new(
                            r.at("Value"),
                            format!("expected true or false, got {}", type_name(other)),
                        ))
                    }
                };
                v.push(BooleanFilter { value });
            }
            FilterList::Ip(v) => {
                let cidr = r.required("Cidr", r.string("Cidr")?)?;
                v.push(IpFilter { cidr: cidr.to_owned() });
            }
            FilterList::Keyword(v) => {
                let value = r.required("Value", r.string("Value")?)?;
                v.push(KeywordFilter { value: value.to_owned() });
            }
        }
    }
    Ok(out)
}

/// Validates a field's whole list (limits, value rules, banned combinations) and pre-parses it.
fn check_list(list: &FilterList, path: &str) -> Result<Compiled, FilterError> {
    if list.len() > MAX_VALUES_PER_FIELD {
        return Err(FilterError::new(
            path,
            format!("at most {MAX_VALUES_PER_FIELD} filter values per field, got {}", list.len()),
        ));
    }
    let at = |i: usize, member: &str| format!("{path}[{i}]{}{member}", if member.is_empty() { "" } else { "." });
    let blank = |s: &str| s.trim().is_empty();
    match list {
        FilterList::String(v) => {
            // Model doc (StringFilter.Comparison): "You can't provide both an EQUALS filter and a
            // NOT_EQUALS or PREFIX_NOT_EQUALS filter on the same field. Combining filters in this way
            // returns an error. CONTAINS filters can only be used with other CONTAINS filters.
            // NOT_CONTAINS filters can only be used with other NOT_CONTAINS filters."
            use StringComparison as C;
            let clash = |a: C, b: C| match (a, b) {
                (C::Contains, other) | (other, C::Contains) => other != C::Contains,
                (C::NotContains, other) | (other, C::NotContains) => other != C::NotContains,
                (C::Equals, other) | (other, C::Equals) => matches!(other, C::NotEquals | C::PrefixNotEquals),
                _ => false,
            };
            for (i, f) in v.iter().enumerate() {
                if blank(&f.value) {
                    return Err(FilterError::new(at(i, "Value"), "must not be empty or blank"));
                }
                if let Some(j) = v[..i].iter().position(|g| clash(f.comparison, g.comparison)) {
                    return Err(FilterError::new(
                        at(i, "Comparison"),
                        format!(
                            "{} cannot be combined with {} ({}) on the same field",
                            f.comparison.as_str(),
                            v[j].comparison.as_str(),
                            at(j, "")
                        ),
                    ));
                }
            }
            Ok(Compiled::None)
        }
        FilterList::Map(v) => {
            // Model doc (MapFilter.Comparison): "CONTAINS filters can only be used with other CONTAINS
            // filters. NOT_CONTAINS filters can only be used with other NOT_CONTAINS filters. [...] you
            // can't have both an EQUALS filter and a NOT_EQUALS filter on the same field."
            use MapComparison as C;
            let clash = |a: C, b: C| match (a, b) {
                (C::Contains, other) | (other, C::Contains) => other != C::Contains,
                (C::NotContains, other) | (other, C::NotContains) => other != C::NotContains,
                (C::Equals, C::NotEquals) | (C::NotEquals, C::Equals) => true,
                _ => false,
            };
            for (i, f) in v.iter().enumerate() {
                if blank(&f.key) {
                    return Err(FilterError::new(at(i, "Key"), "must not be empty or blank"));
                }
                if blank(&f.value) {
                    return Err(FilterError::new(at(i, "Value"), "must not be empty or blank"));
                }
                if let Some(j) = v[..i].iter().position(|g| clash(f.comparison, g.comparison)) {
                    return Err(FilterError::new(
                        at(i, "Comparison"),
                        format!(
                            "{} cannot be combined with {} ({}) on the same field",
                            f.comparison.as_str(),
                            v[j].comparison.as_str(),
                            at(j, "")
                        ),
                    ));
                }
            }
            Ok(Compiled::None)
        }
        FilterList::Number(v) => {
            for (i, f) in v.iter().enumerate() {
                let bounds = [f.gte, f.lte, f.eq, f.gt, f.lt];
                if bounds.iter().all(Option::is_none) {
                    return Err(FilterError::new(at(i, ""), "needs at least one of Gte, Lte, Eq, Gt, Lt"));
                }
                if bounds.iter().flatten().any(|b| !b.is_finite()) {
                    return Err(FilterError::new(at(i, ""), "bounds must be finite numbers"));
                }
            }
            Ok(Compiled::None)
        }
        FilterList::Date(v) => {
            let mut out = Vec::with_capacity(v.len());
            for (i, f) in v.iter().enumerate() {
                let parse = |member: &str, s: &Option<String>| -> Result<Option<OffsetDateTime>, FilterError> {
                    match s {
                        None => Ok(None),
                        Some(s) => timestamp::parse(s).map(Some).ok_or_else(|| {
                            FilterError::new(at(i, member), format!("\"{s}\" is not an RFC 3339 date-time"))
                        }),
                    }
                };
                let start = parse("Start", &f.start)?;
                let end = parse("End", &f.end)?;
                match (&f.date_range, start.is_some() || end.is_some()) {
                    (None, false) => {
                        return Err(FilterError::new(at(i, ""), "needs Start and/or End, or a DateRange"));
                    }
                    (Some(_), true) => {
                        return Err(FilterError::new(at(i, ""), "use either Start/End or DateRange, not both"));
                    }
                    (Some(r), false) if !(0..=i64::from(i32::MAX)).contains(&r.value) => {
                        return Err(FilterError::new(
                            at(i, "DateRange.Value"),
                            format!("must be between 0 and {}, got {}", i32::MAX, r.value),
                        ));
                    }
                    _ => {}
                }
                out.push(DateBounds { start, end });
            }
            Ok(Compiled::Dates(out))
        }
        FilterList::Ip(v) => {
            let mut out = Vec::with_capacity(v.len());
            for (i, f) in v.iter().enumerate() {
                let cidr = Cidr::parse(&f.cidr).ok_or_else(|| {
                    FilterError::new(at(i, "Cidr"), format!("\"{}\" is not an IPv4 or IPv6 CIDR block", f.cidr))
                })?;
                out.push(cidr);
            }
            Ok(Compiled::Cidrs(out))
        }
        FilterList::Keyword(v) => {
            for (i, f) in v.iter().enumerate() {
                if blank(&f.value) {
                    return Err(FilterError::new(at(i, "Value"), "must not be empty or blank"));
                }
            }
            Ok(Compiled::Keywords(v.iter().map(|k| k.value.to_lowercase()).collect()))
        }
        FilterList::Boolean(_) => Ok(Compiled::None),
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

/// `Value` occurs in `s` with no letter or digit right before or after it.
fn contains_word(s: &str, word: &str) -> bool {
    s.match_indices(word).any(|(i, _)| {
        let before = s[..i].chars().next_back();
        let after = s[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

fn string_test(f: &StringFilter, s: &str) -> bool {
    let v = f.value.as_str();
    match f.comparison {
        StringComparison::Equals | StringComparison::NotEquals => s == v,
        StringComparison::Prefix | StringComparison::PrefixNotEquals => s.starts_with(v),
        StringComparison::Contains | StringComparison::NotContains => s.contains(v),
        StringComparison::ContainsWord => contains_word(s, v),
    }
}

fn map_test(f: &MapFilter, s: &str) -> bool {
    match f.comparison {
        MapComparison::Equals | MapComparison::NotEquals => s == f.value,
        MapComparison::Contains | MapComparison::NotContains => s.contains(f.value.as_str()),
    }
}

fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn number_test(f: &NumberFilter, x: f64) -> bool {
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
                    let hit = any_at(finding, path, &mut |v| {
                        v.as_str()
                            .is_some_and(|s| list.iter().any(|f| !f.comparison.is_negative() && string_test(f, s)))
                    });
                    if !hit {
                        return false;
                    }
                }
                // A negative filter is violated when any element hits its value.
                !has_neg
                    || !any_at(finding, path, &mut |v| {
                        v.as_str().is_some_and(|s| list.iter().any(|f| f.comparison.is_negative() && string_test(f, s)))
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
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2025-03-01 12:00:00 UTC);

    fn f(v: Value) -> Filters {
        Filters::from_json(&v).unwrap()
    }

    fn err(v: Value) -> String {
        Filters::from_json(&v).unwrap_err().to_string()
    }

    fn finding() -> Value {
        json!({
            "Id": "arn:aws:securityhub:eu-west-1:123456789012:finding/1",
            "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/guardduty",
            "AwsAccountId": "123456789012",
            "Region": "eu-west-1",
            "ProductName": "GuardDuty",
            "Title": "EC2 instance is querying a CloudFront domain",
            "Types": ["TTPs/Discovery/Recon:EC2-PortProbe", "Effects/Data Exposure"],
            "Severity": {"Label": "HIGH", "Normalized": 70, "Product": 7.5},
            "Confidence": 80,
            "Workflow": {"Status": "NEW"},
            "RecordState": "ACTIVE",
            "CreatedAt": "2025-02-20T10:00:00Z",
            "UpdatedAt": "2025-02-27T10:00:00.000Z",
            "ProductFields": {"aws/guardduty/service/count": "3"},
            "Network": {"SourceIpV4": "198.51.100.7", "SourceIpV6": "2001:db8::17", "SourcePort": 443},
            "Compliance": {
                "Status": "FAILED",
                "SecurityControlId": "S3.1",
                "AssociatedStandards": [{"StandardsId": "standards/aws-foundational-security-best-practices/v/1.0.0"}],
                "SecurityControlParameters": [{"Name": "maxDays", "Value": ["90", "30"]}]
            },
            "Resources": [
                {"Type": "AwsEc2Instance", "Id": "i-0abc", "Tags": {"env": "prod", "team": "blue"},
                 "Details": {"AwsEc2Instance": {"IpV4Addresses": ["10.0.1.5", "172.16.0.9"], "LaunchedAt": "2024-01-01T00:00:00Z"}}},
                {"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::logs", "Tags": {"env": "dev"},
                 "Details": {"Other": {"k": "v1"}}}
            ]
        })
    }

    fn m(filters: Value) -> bool {
        f(filters).matches(&finding(), NOW)
    }

    #[test]
    fn table_has_the_107_model_members_with_the_model_types() {
        // botocore model, shape AwsSecurityFindingFilters: 107 members; API-DIGEST 3.4 counts per type.
        assert_eq!(FIELDS.len(), 107);
        let count = |k| FIELDS.iter().filter(|d| d.kind == k).count();
        assert_eq!(count(FilterKind::String), 74);
        assert_eq!(count(FilterKind::Number), 10);
        assert_eq!(count(FilterKind::Date), 11);
        assert_eq!(count(FilterKind::Map), 4);
        assert_eq!(count(FilterKind::Ip), 6);
        assert_eq!(count(FilterKind::Boolean), 1);
        assert_eq!(count(FilterKind::Keyword), 1);
        let mut names: Vec<_> = FIELDS.iter().map(|d| d.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 107);
        // API-DIGEST 3.5 examples.
        assert_eq!(field_def("Type").unwrap().path, "Types[]");
        assert_eq!(field_def("ResourceId").unwrap().path, "Resources[].Id");
        assert_eq!(field_def("ResourceTags").unwrap().path, "Resources[].Tags");
        assert_eq!(
            field_def("ComplianceSecurityControlParametersValue").unwrap().path,
            "Compliance.SecurityControlParameters[].Value[]"
        );
        assert_eq!(field_def("WorkflowStatus").unwrap().path, "Workflow.Status");
    }

    #[test]
    fn every_field_parses_round_trips_and_evaluates_without_panicking() {
        for def in &FIELDS {
            let item = match def.kind {
                FilterKind::String => json!({"Value": "x", "Comparison": "PREFIX"}),
                FilterKind::Number => json!({"Gte": 1}),
                FilterKind::Date => json!({"DateRange": {"Value": 3, "Unit": "DAYS"}}),
                FilterKind::Map => json!({"Key": "k", "Value": "v", "Comparison": "EQUALS"}),
                FilterKind::Boolean => json!({"Value": true}),
                FilterKind::Ip => json!({"Cidr": "10.0.0.0/8"}),
                FilterKind::Keyword => json!({"Value": "x"}),
            };
            let parsed = f(json!({ def.name: [item] }));
            assert_eq!(Filters::from_json(&parsed.to_json()).unwrap(), parsed, "{}", def.name);
            let _ = parsed.matches(&finding(), NOW);
        }
    }

    #[test]
    fn different_fields_are_anded() {
        // API-DIGEST 3.1: different members are ANDed.
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
        // API-DIGEST 3.2: a positive filter matches if any element matches (Type -> Types[],
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
        // API-DIGEST 3.1: every bound in one entry must hold; entries on one field are ORed.
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
        // API-DIGEST 3.1: Start..End (inclusive), DateRange WITHIN / OLDER_THAN N DAYS, default WITHIN.
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
    fn date_range_cutoff_never_panics() {
        // DateRange doc: WITHIN = the last N days; the edge is now - N days.
        let r = |value| DateRange { value, unit: DateRangeUnit::Days, comparison: DateRangeComparison::Within };
        assert_eq!(r(7).cutoff(NOW), Some(datetime!(2025-02-22 12:00:00 UTC)));
        assert_eq!(r(0).cutoff(NOW), Some(NOW));
        assert_eq!(r(i64::from(i32::MAX)).cutoff(NOW), None);
        assert_eq!(r(i64::MAX).cutoff(NOW), None);
    }

    #[test]
    fn map_filters() {
        // API-DIGEST 3.1: look up Key; EQUALS or CONTAINS ORed, NOT_* ANDed; ResourceTags = Resources[].Tags.
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
        // API-DIGEST 3.1: true selects sample findings, false excludes them; missing Sample = false (brief).
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
        // API-DIGEST 3.1: the finding's address lies inside the CIDR (v4 and v6).
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
        // API-DIGEST 3.1: deprecated Keyword; here a case-insensitive search over string values.
        assert!(m(json!({"Keyword": [{"Value": "cloudfront"}]})));
        assert!(m(json!({"Keyword": [{"Value": "PROD"}]})));
        assert!(!m(json!({"Keyword": [{"Value": "lambda"}]})));
    }

    #[test]
    fn round_trip_keeps_the_aws_shape() {
        // Brief: to_json produces exactly the AWS request shape.
        let input = json!({
            "SeverityLabel": [{"Value": "HIGH", "Comparison": "EQUALS"}],
            "Confidence": [{"Gte": 50, "Lt": 90.5}],
            "UpdatedAt": [{"DateRange": {"Value": 7, "Unit": "DAYS", "Comparison": "WITHIN"}},
                          {"Start": "2025-01-01T00:00:00Z", "End": "2025-02-01T00:00:00Z"}],
            "ResourceTags": [{"Key": "env", "Value": "prod", "Comparison": "EQUALS"}],
            "Sample": [{"Value": false}],
            "NetworkSourceIpV4": [{"Cidr": "10.0.0.0/8"}],
            "Keyword": [{"Value": "x"}]
        });
        let parsed = f(input.clone());
        assert_eq!(parsed.to_json(), input);
        assert_eq!(Filters::from_json(&parsed.to_json()).unwrap(), parsed);
        assert_eq!(
            parsed.field_names().collect::<Vec<_>>(),
            ["SeverityLabel", "Confidence", "UpdatedAt", "ResourceTags", "Sample", "NetworkSourceIpV4", "Keyword"]
        );
        // DateRange.Comparison defaults to WITHIN (model doc) and is written out.
        let d = f(json!({"CreatedAt": [{"DateRange": {"Value": 3, "Unit": "DAYS"}}]}));
        assert_eq!(d.to_json()["CreatedAt"][0]["DateRange"]["Comparison"], "WITHIN");
    }

    #[test]
    fn accessors() {
        let filters = f(json!({
            "ProductName": [{"Value": "GuardDuty", "Comparison": "EQUALS"}],
            "Confidence": [{"Gte": 1}],
            "Title": null,
            "Region": []
        }));
        assert_eq!(filters.len(), 2);
        assert!(!filters.is_empty());
        assert_eq!(
            filters.string_filters("ProductName"),
            Some(&[StringFilter::new("GuardDuty", StringComparison::Equals)][..])
        );
        assert_eq!(filters.string_filters("Confidence"), None);
        assert_eq!(filters.string_filters("Region"), None);
        assert!(Filters::new().is_empty());
    }

    #[test]
    fn push_validates_and_appends() {
        let mut filters = Filters::new();
        filters
            .push("WorkflowStatus", FilterList::String(vec![StringFilter::new("NEW", StringComparison::Equals)]))
            .unwrap();
        filters
            .push("WorkflowStatus", FilterList::String(vec![StringFilter::new("NOTIFIED", StringComparison::Equals)]))
            .unwrap();
        assert_eq!(filters.string_filters("WorkflowStatus").unwrap().len(), 2);
        // Model doc: EQUALS with NOT_EQUALS on one field is an error; on error nothing changes.
        let e = filters
            .push("WorkflowStatus", FilterList::String(vec![StringFilter::new("NEW", StringComparison::NotEquals)]))
            .unwrap_err();
        assert_eq!(e.path, "Filters.WorkflowStatus[2].Comparison");
        assert_eq!(filters.string_filters("WorkflowStatus").unwrap().len(), 2);
        let e = filters.push("Confidence", FilterList::String(vec![])).unwrap_err();
        assert_eq!(e.to_string(), "Filters.Confidence: takes NumberFilter values, not StringFilter");
        assert!(filters.push("Nope", FilterList::Boolean(vec![])).is_err());
        assert_eq!(filters.remove("WorkflowStatus").map(|l| l.len()), Some(2));
        assert!(filters.is_empty());
    }

    #[test]
    fn error_messages_say_where() {
        // Brief: clear errors with their location (mapped to InvalidInputException by callers).
        assert_eq!(
            err(
                json!({"SeverityLabel": [{"Value": "HIGH", "Comparison": "EQUALS"}, {"Value": "LOW", "Comparison": "EQUAL"}]})
            ),
            "Filters.SeverityLabel[1].Comparison: \"EQUAL\" is not one of EQUALS|PREFIX|NOT_EQUALS|\
             PREFIX_NOT_EQUALS|CONTAINS|NOT_CONTAINS|CONTAINS_WORD"
        );
        assert_eq!(err(json!({"Foo": []})), "Filters.Foo: unknown filter field");
        assert_eq!(
            err(json!({"severitylabel": []})),
            "Filters.severitylabel: unknown filter field (did you mean SeverityLabel?)"
        );
        assert_eq!(err(json!([])), "Filters: expected an object, got a list");
        assert_eq!(
            err(json!({"Title": {"Value": "x"}})),
            "Filters.Title: expected a list of StringFilter, got an object"
        );
        assert_eq!(err(json!({"Title": ["x"]})), "Filters.Title[0]: expected a StringFilter object, got a string");
        assert_eq!(err(json!({"Title": [{"Comparison": "EQUALS"}]})), "Filters.Title[0].Value: missing (required)");
        assert_eq!(err(json!({"Title": [{"Value": "x"}]})), "Filters.Title[0].Comparison: missing (required)");
        assert_eq!(
            err(json!({"Title": [{"Value": 3, "Comparison": "EQUALS"}]})),
            "Filters.Title[0].Value: expected a string, got a number"
        );
        assert_eq!(
            err(json!({"Title": [{"Value": "  ", "Comparison": "EQUALS"}]})),
            "Filters.Title[0].Value: must not be empty or blank"
        );
        assert_eq!(
            err(json!({"Title": [{"Value": "x", "Comparison": "EQUALS", "comparison": "EQUALS"}]})),
            "Filters.Title[0].comparison: unknown member of StringFilter (expected Value, Comparison)"
        );
        assert_eq!(
            err(json!({"Confidence": [{"Gte": "5"}]})),
            "Filters.Confidence[0].Gte: expected a number, got a string"
        );
        assert_eq!(
            err(json!({"Confidence": [{}]})),
            "Filters.Confidence[0]: needs at least one of Gte, Lte, Eq, Gt, Lt"
        );
        assert_eq!(
            err(json!({"UpdatedAt": [{"DateRange": {"Value": 7, "Unit": "HOURS"}}]})),
            "Filters.UpdatedAt[0].DateRange.Unit: \"HOURS\" is not one of DAYS"
        );
        assert_eq!(
            err(json!({"UpdatedAt": [{"DateRange": {"Value": 7}}]})),
            "Filters.UpdatedAt[0].DateRange.Unit: missing (required)"
        );
        assert_eq!(
            err(json!({"UpdatedAt": [{"DateRange": {"Value": 1.5, "Unit": "DAYS"}}]})),
            "Filters.UpdatedAt[0].DateRange.Value: expected a whole number of days, got 1.5"
        );
        assert_eq!(
            err(json!({"UpdatedAt": [{"DateRange": {"Value": -1, "Unit": "DAYS"}}]})),
            "Filters.UpdatedAt[0].DateRange.Value: must be between 0 and 2147483647, got -1"
        );
        assert_eq!(
            err(json!({"UpdatedAt": [{"DateRange": {"Value": 1, "Unit": "DAYS", "Comparison": "NEWER"}}]})),
            "Filters.UpdatedAt[0].DateRange.Comparison: \"NEWER\" is not one of WITHIN|OLDER_THAN"
        );
        assert_eq!(
            err(json!({"UpdatedAt": [{"Start": "2025-13-01"}]})),
            "Filters.UpdatedAt[0].Start: \"2025-13-01\" is not an RFC 3339 date-time"
        );
        assert_eq!(
            err(json!({"UpdatedAt": [{"Start": "2025-01-01T00:00:00Z", "End": "last week"}]})),
            "Filters.UpdatedAt[0].End: \"last week\" is not an RFC 3339 date-time"
        );
        assert_eq!(err(json!({"UpdatedAt": [{}]})), "Filters.UpdatedAt[0]: needs Start and/or End, or a DateRange");
        assert_eq!(
            err(json!({"UpdatedAt": [{"Start": "2025-01-01T00:00:00Z", "DateRange": {"Value": 1, "Unit": "DAYS"}}]})),
            "Filters.UpdatedAt[0]: use either Start/End or DateRange, not both"
        );
        assert_eq!(
            err(json!({"NetworkSourceIpV4": [{"Cidr": "10.0.0.0/33"}]})),
            "Filters.NetworkSourceIpV4[0].Cidr: \"10.0.0.0/33\" is not an IPv4 or IPv6 CIDR block"
        );
        assert!(err(json!({"NetworkSourceIpV4": [{"Cidr": "10.0.0/8"}]})).contains("is not an IPv4 or IPv6 CIDR block"));
        assert!(err(json!({"NetworkSourceIpV6": [{"Cidr": "2001:db8::/129"}]})).contains("Cidr"));
        assert!(err(json!({"NetworkSourceIpV4": [{"Cidr": "10.0.0.0/"}]})).contains("Cidr"));
        assert_eq!(
            err(json!({"Sample": [{"Value": "true"}]})),
            "Filters.Sample[0].Value: expected true or false, got a string"
        );
        assert_eq!(
            err(json!({"ResourceTags": [{"Value": "x", "Comparison": "EQUALS"}]})),
            "Filters.ResourceTags[0].Key: missing (required)"
        );
        assert_eq!(
            err(json!({"ResourceTags": [{"Key": "k", "Value": "x", "Comparison": "PREFIX"}]})),
            "Filters.ResourceTags[0].Comparison: \"PREFIX\" is not one of EQUALS|NOT_EQUALS|CONTAINS|NOT_CONTAINS"
        );
    }

    #[test]
    fn banned_combinations_are_rejected() {
        // Model doc StringFilter.Comparison: EQUALS with NOT_EQUALS or PREFIX_NOT_EQUALS on the same
        // field returns an error; CONTAINS only with CONTAINS, NOT_CONTAINS only with NOT_CONTAINS.
        let s = |a: &str, b: &str| {
            Filters::from_json(&json!({"Title": [{"Value": "x", "Comparison": a}, {"Value": "y", "Comparison": b}]}))
        };
        assert_eq!(
            s("CONTAINS", "NOT_CONTAINS").unwrap_err().to_string(),
            "Filters.Title[1].Comparison: NOT_CONTAINS cannot be combined with CONTAINS (Filters.Title[0]) on the same field"
        );
        assert!(s("NOT_CONTAINS", "CONTAINS").is_err());
        assert!(s("EQUALS", "NOT_EQUALS").is_err());
        assert!(s("PREFIX_NOT_EQUALS", "EQUALS").is_err());
        // Model doc: PREFIX may be combined with NOT_EQUALS / PREFIX_NOT_EQUALS.
        assert!(s("PREFIX", "NOT_EQUALS").is_ok());
        assert!(s("PREFIX", "PREFIX_NOT_EQUALS").is_ok());
        assert!(s("EQUALS", "PREFIX").is_ok());
        assert!(s("CONTAINS", "CONTAINS").is_ok());
        assert!(s("NOT_CONTAINS", "NOT_CONTAINS").is_ok());
        for other in ["EQUALS", "PREFIX", "NOT_EQUALS", "PREFIX_NOT_EQUALS", "CONTAINS_WORD"] {
            assert_eq!(
                s(other, "CONTAINS").unwrap_err().to_string(),
                format!("Filters.Title[1].Comparison: CONTAINS cannot be combined with {other} (Filters.Title[0]) on the same field")
            );
            assert!(s("CONTAINS", other).is_err(), "CONTAINS then {other}");
            assert!(s(other, "NOT_CONTAINS").is_err(), "{other} then NOT_CONTAINS");
            assert!(s("NOT_CONTAINS", other).is_err(), "NOT_CONTAINS then {other}");
        }
        // Model doc MapFilter.Comparison: the same for CONTAINS and NOT_CONTAINS; EQUALS with NOT_EQUALS.
        let mp = |a: &str, b: &str| {
            Filters::from_json(&json!({"ResourceTags": [
                {"Key": "k", "Value": "x", "Comparison": a}, {"Key": "k2", "Value": "y", "Comparison": b}]}))
        };
        assert!(mp("CONTAINS", "NOT_CONTAINS").is_err());
        assert!(mp("EQUALS", "NOT_EQUALS").is_err());
        assert!(mp("EQUALS", "NOT_CONTAINS").is_err());
        assert!(mp("CONTAINS", "EQUALS").is_err());
        assert!(mp("NOT_EQUALS", "NOT_EQUALS").is_ok());
        assert!(mp("CONTAINS", "CONTAINS").is_ok());
    }

    #[test]
    fn at_most_twenty_values_per_field() {
        // Model doc AwsSecurityFindingFilters: up to 20 filter values per attribute.
        let item = json!({"Value": "x", "Comparison": "EQUALS"});
        assert!(Filters::from_json(&json!({"Id": vec![item.clone(); 20]})).is_ok());
        assert_eq!(err(json!({"Id": vec![item; 21]})), "Filters.Id: at most 20 filter values per field, got 21");
    }

    #[test]
    fn helpers() {
        assert!(contains_ignore_case("Hello World", "world"));
        assert!(!contains_ignore_case("Hello", "world"));
        assert!(contains_ignore_case("ÄPFEL", "äpfel"));
        assert!(contains_word("a b-c", "b"));
        assert!(!contains_word("abc", "b"));
    }
}
