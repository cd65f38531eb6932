//! The field names GetFindingsV2's typed filters take, exactly the service model's enums
//! (`OcsfStringField`, `OcsfDateField`, `OcsfNumberField`, `OcsfBooleanField`, `OcsfMapField`,
//! `OcsfIpField`), in the model's order. Each name is also the dot path of the value in the OCSF
//! document (a list met on the way is walked element by element).

/// The service model's `OcsfStringField` (79 names).
pub const STRING_FIELDS: [&str; 79] = [
    "metadata.uid",
    "activity_name",
    "cloud.account.uid",
    "cloud.provider",
    "cloud.region",
    "compliance.assessments.category",
    "compliance.assessments.name",
    "compliance.control",
    "compliance.status",
    "compliance.standards",
    "finding_info.desc",
    "finding_info.src_url",
    "finding_info.title",
    "finding_info.types",
    "finding_info.uid",
    "finding_info.related_events.traits.category",
    "finding_info.related_events.uid",
    "finding_info.related_events.product.uid",
    "finding_info.related_events.title",
    "impact",
    "likelihood",
    "metadata.product.name",
    "metadata.product.uid",
    "metadata.product.vendor_name",
    "remediation.desc",
    "remediation.references",
    "resources.cloud_partition",
    "resources.criticality",
    "resources.name",
    "resources.owner.account.uid",
    "resources.owner.org.uid",
    "resources.owner.account.name",
    "resources.provider",
    "resources.region",
    "resources.type",
    "resources.uid",
    "severity",
    "status",
    "comment",
    "vulnerabilities.fix_coverage",
    "class_name",
    "databucket.encryption_details.algorithm",
    "databucket.encryption_details.key_uid",
    "databucket.file.data_classifications.classifier_details.type",
    "evidences.actor.user.account.uid",
    "evidences.api.operation",
    "evidences.api.response.error_message",
    "evidences.api.service.name",
    "evidences.connection_info.direction",
    "evidences.connection_info.protocol_name",
    "evidences.dst_endpoint.autonomous_system.name",
    "evidences.dst_endpoint.location.city",
    "evidences.dst_endpoint.location.country",
    "evidences.src_endpoint.autonomous_system.name",
    "evidences.src_endpoint.hostname",
    "evidences.src_endpoint.location.city",
    "evidences.src_endpoint.location.country",
    "finding_info.analytic.name",
    "malware.name",
    "malware_scan_info.uid",
    "malware.severity",
    "resources.cloud_function.layers.uid_alt",
    "resources.cloud_function.runtime",
    "resources.cloud_function.user.uid",
    "resources.device.encryption_details.key_uid",
    "resources.device.image.uid",
    "resources.image.architecture",
    "resources.image.registry_uid",
    "resources.image.repository_name",
    "resources.image.uid",
    "resources.subnet_info.uid",
    "resources.vpc_uid",
    "vulnerabilities.affected_code.file.path",
    "vulnerabilities.affected_packages.name",
    "vulnerabilities.cve.epss.score",
    "vulnerabilities.cve.uid",
    "vulnerabilities.related_vulnerabilities",
    "cloud.account.name",
    "vendor_attributes.severity",
];

/// The service model's `OcsfDateField` (7 names).
pub const DATE_FIELDS: [&str; 7] = [
    "finding_info.created_time_dt",
    "finding_info.first_seen_time_dt",
    "finding_info.last_seen_time_dt",
    "finding_info.modified_time_dt",
    "resources.image.created_time_dt",
    "resources.image.last_used_time_dt",
    "resources.modified_time_dt",
];

/// The service model's `OcsfNumberField` (14 names).
pub const NUMBER_FIELDS: [&str; 14] = [
    "activity_id",
    "compliance.status_id",
    "confidence_score",
    "severity_id",
    "status_id",
    "finding_info.related_events_count",
    "evidences.api.response.code",
    "evidences.dst_endpoint.autonomous_system.number",
    "evidences.dst_endpoint.port",
    "evidences.src_endpoint.autonomous_system.number",
    "evidences.src_endpoint.port",
    "resources.image.in_use_count",
    "vulnerabilities.cve.cvss.base_score",
    "vendor_attributes.severity_id",
];

/// The service model's `OcsfBooleanField` (3 names).
pub const BOOLEAN_FIELDS: [&str; 3] = [
    "compliance.assessments.meets_criteria",
    "vulnerabilities.is_exploit_available",
    "vulnerabilities.is_fix_available",
];

/// The service model's `OcsfMapField` (4 names).
pub const MAP_FIELDS: [&str; 4] =
    ["resources.tags", "compliance.control_parameters", "databucket.tags", "finding_info.tags"];

/// The service model's `OcsfIpField` (2 names).
pub const IP_FIELDS: [&str; 2] = ["evidences.dst_endpoint.ip", "evidences.src_endpoint.ip"];

/// Which typed list of a `CompositeFilter` a field belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OcsfFieldKind {
    String,
    Date,
    Number,
    Boolean,
    Map,
    Ip,
}

impl OcsfFieldKind {
    pub const ALL: [OcsfFieldKind; 6] = [
        OcsfFieldKind::String,
        OcsfFieldKind::Date,
        OcsfFieldKind::Number,
        OcsfFieldKind::Boolean,
        OcsfFieldKind::Map,
        OcsfFieldKind::Ip,
    ];

    /// The `CompositeFilter` member that holds filters of this kind.
    pub fn list_member(self) -> &'static str {
        match self {
            OcsfFieldKind::String => "StringFilters",
            OcsfFieldKind::Date => "DateFilters",
            OcsfFieldKind::Number => "NumberFilters",
            OcsfFieldKind::Boolean => "BooleanFilters",
            OcsfFieldKind::Map => "MapFilters",
            OcsfFieldKind::Ip => "IpFilters",
        }
    }

    /// The service model's enum of this kind's field names.
    pub fn enum_name(self) -> &'static str {
        match self {
            OcsfFieldKind::String => "OcsfStringField",
            OcsfFieldKind::Date => "OcsfDateField",
            OcsfFieldKind::Number => "OcsfNumberField",
            OcsfFieldKind::Boolean => "OcsfBooleanField",
            OcsfFieldKind::Map => "OcsfMapField",
            OcsfFieldKind::Ip => "OcsfIpField",
        }
    }

    pub fn fields(self) -> &'static [&'static str] {
        match self {
            OcsfFieldKind::String => &STRING_FIELDS,
            OcsfFieldKind::Date => &DATE_FIELDS,
            OcsfFieldKind::Number => &NUMBER_FIELDS,
            OcsfFieldKind::Boolean => &BOOLEAN_FIELDS,
            OcsfFieldKind::Map => &MAP_FIELDS,
            OcsfFieldKind::Ip => &IP_FIELDS,
        }
    }

    /// The model's spelling of `name` when it is a field of this kind.
    pub fn field(self, name: &str) -> Option<&'static str> {
        self.fields().iter().copied().find(|f| *f == name)
    }
}

/// The kind of a field name, whichever list it is in.
pub fn kind_of(name: &str) -> Option<OcsfFieldKind> {
    OcsfFieldKind::ALL.into_iter().find(|k| k.field(name).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_in_one_list_only() {
        let total: usize = OcsfFieldKind::ALL.iter().map(|k| k.fields().len()).sum();
        assert_eq!(total, 79 + 7 + 14 + 3 + 4 + 2);
        for k in OcsfFieldKind::ALL {
            for f in k.fields() {
                assert_eq!(kind_of(f), Some(k), "{f}");
            }
        }
        assert_eq!(kind_of("finding_info.title"), Some(OcsfFieldKind::String));
        assert_eq!(kind_of("severity_id"), Some(OcsfFieldKind::Number));
        assert_eq!(kind_of("Title"), None);
    }
}
