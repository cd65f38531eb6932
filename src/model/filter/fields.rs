//! The table of finding fields: every member of `AwsSecurityFindingFilters` with its filter kind and
//! where it lives in an ASFF finding.

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
/// (members from the service model, shape `AwsSecurityFindingFilters`; paths per the AWS Security Finding
/// Format (ASFF) reference).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_the_107_model_members_with_the_model_types() {
        // Service model, shape AwsSecurityFindingFilters: 107 members, and the filter type of each.
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
}
