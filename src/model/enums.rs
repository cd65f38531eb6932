//! The closed value sets of ASFF that triage touches, with the service's own spellings.

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Exact, case-sensitive match as the API requires.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }

            /// `A|B|C`, for error messages.
            pub fn allowed() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join("|")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use string_enum;

string_enum!(
    /// `Severity.Label`, ordered from least to most severe.
    SeverityLabel {
        Informational => "INFORMATIONAL",
        Low => "LOW",
        Medium => "MEDIUM",
        High => "HIGH",
        Critical => "CRITICAL",
    }
);

string_enum!(
    /// `Workflow.Status`.
    WorkflowStatus {
        New => "NEW",
        Notified => "NOTIFIED",
        Resolved => "RESOLVED",
        Suppressed => "SUPPRESSED",
    }
);

string_enum!(
    /// `RecordState`.
    RecordState {
        Active => "ACTIVE",
        Archived => "ARCHIVED",
    }
);

string_enum!(
    /// `VerificationState`.
    VerificationState {
        Unknown => "UNKNOWN",
        TruePositive => "TRUE_POSITIVE",
        FalsePositive => "FALSE_POSITIVE",
        BenignPositive => "BENIGN_POSITIVE",
    }
);

string_enum!(
    /// `Compliance.Status`.
    ComplianceStatus {
        Passed => "PASSED",
        Warning => "WARNING",
        Failed => "FAILED",
        NotAvailable => "NOT_AVAILABLE",
    }
);

string_enum!(
    /// The deprecated `WorkflowState`, still sent by older providers.
    WorkflowState {
        New => "NEW",
        Assigned => "ASSIGNED",
        InProgress => "IN_PROGRESS",
        Deferred => "DEFERRED",
        Resolved => "RESOLVED",
    }
);

impl SeverityLabel {
    /// 0 (INFORMATIONAL) to 4 (CRITICAL), for sorting.
    pub fn rank(self) -> u8 {
        self as u8
    }

    /// BatchUpdateFindings API reference, Severity: 0 INFORMATIONAL, 1-39 LOW, 40-69 MEDIUM,
    /// 70-89 HIGH, 90-100 CRITICAL.
    pub fn from_normalized(n: i64) -> Self {
        match n {
            i64::MIN..=0 => SeverityLabel::Informational,
            1..=39 => SeverityLabel::Low,
            40..=69 => SeverityLabel::Medium,
            70..=89 => SeverityLabel::High,
            _ => SeverityLabel::Critical,
        }
    }

    /// BatchUpdateFindings API reference, Severity: a label alone sets Normalized to 0/1/40/70/90.
    pub fn to_normalized(self) -> i64 {
        match self {
            SeverityLabel::Informational => 0,
            SeverityLabel::Low => 1,
            SeverityLabel::Medium => 40,
            SeverityLabel::High => 70,
            SeverityLabel::Critical => 90,
        }
    }
}

impl WorkflowState {
    /// How Security Hub maps the deprecated WorkflowState onto Workflow.Status.
    pub fn to_status(self) -> WorkflowStatus {
        match self {
            WorkflowState::New => WorkflowStatus::New,
            WorkflowState::Assigned | WorkflowState::InProgress => WorkflowStatus::Notified,
            WorkflowState::Deferred => WorkflowStatus::Suppressed,
            WorkflowState::Resolved => WorkflowStatus::Resolved,
        }
    }
}

/// The five valid `Types` namespaces (BatchUpdateFindings API reference, `Types`).
pub const TYPE_NAMESPACES: [&str; 5] =
    ["Software and Configuration Checks", "TTPs", "Effects", "Unusual Behaviors", "Sensitive Data Identifications"];

/// Checks one `namespace/category/classifier` finding type. Category and classifier are optional,
/// as in real findings (`Effects/Data Exposure`), but the namespace must be one of the five.
pub fn check_finding_type(t: &str) -> Result<(), String> {
    if t.trim().is_empty() {
        return Err("a finding type must not be blank".into());
    }
    let namespace = t.split('/').next().unwrap_or_default();
    if TYPE_NAMESPACES.contains(&namespace) {
        Ok(())
    } else {
        Err(format!(
            "finding type \"{t}\" has namespace \"{namespace}\"; valid namespaces are {}",
            TYPE_NAMESPACES.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // BatchUpdateFindings API reference, Severity: Normalized -> Label mapping and back.
    #[test]
    fn severity_mapping_matches_the_digest() {
        let cases = [
            (0, "INFORMATIONAL"),
            (1, "LOW"),
            (39, "LOW"),
            (40, "MEDIUM"),
            (69, "MEDIUM"),
            (70, "HIGH"),
            (89, "HIGH"),
            (90, "CRITICAL"),
            (100, "CRITICAL"),
        ];
        for (n, label) in cases {
            assert_eq!(SeverityLabel::from_normalized(n).as_str(), label, "normalized {n}");
        }
        let back: Vec<i64> = SeverityLabel::ALL.iter().map(|l| l.to_normalized()).collect();
        assert_eq!(back, vec![0, 1, 40, 70, 90]);
    }

    #[test]
    fn enums_parse_exactly() {
        assert_eq!(WorkflowStatus::parse("RESOLVED"), Some(WorkflowStatus::Resolved));
        assert_eq!(WorkflowStatus::parse("resolved"), None);
        assert_eq!(WorkflowStatus::allowed(), "NEW|NOTIFIED|RESOLVED|SUPPRESSED");
        assert!(SeverityLabel::Critical > SeverityLabel::High);
    }

    // The BatchUpdateFindings API reference: Types use one of five namespaces.
    #[test]
    fn finding_types_need_a_valid_namespace() {
        assert!(check_finding_type("Software and Configuration Checks/Vulnerabilities/CVE").is_ok());
        assert!(check_finding_type("TTPs/Initial Access").is_ok());
        assert!(check_finding_type("Effects").is_ok());
        let err = check_finding_type("Threats/Foo/Bar").unwrap_err();
        assert!(err.contains("Threats"), "{err}");
        assert!(check_finding_type("  ").is_err());
    }
}
