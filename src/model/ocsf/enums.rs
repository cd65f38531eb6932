//! The closed integer value sets of an OCSF finding that triage reads and writes, with the OCSF
//! captions (the strings AWS writes in the `severity`, `status`, `class_name` and `compliance.status`
//! siblings), and their mapping onto the ASFF labels the neutral summary orders by.
//!
//! Which integers are allowed follows the service model (BatchUpdateFindingsV2Request: "SeverityId ...
//! allowed enum values [0, 1, 2, 3, 4, 5, 6, 99]", "StatusId ... [0, 1, 2, 3, 4, 5, 99]"). The ASFF
//! mapping is the one AWS's Automated Security Response solution implements (there is no documented
//! one): status 1/2/3/4 are NEW/NOTIFIED/SUPPRESSED/RESOLVED and back 0 and 1 read NEW, anything
//! above 3 RESOLVED; severity 1..5 are INFORMATIONAL..CRITICAL and 6 (Fatal) reads CRITICAL.

use crate::model::enums::{ComplianceStatus, SeverityLabel, WorkflowStatus};

macro_rules! id_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $id:literal, $caption:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The integer OCSF writes.
            pub fn id(self) -> i64 {
                match self { $($name::$variant => $id),+ }
            }

            /// The OCSF caption, the string sibling's value.
            pub fn caption(self) -> &'static str {
                match self { $($name::$variant => $caption),+ }
            }

            pub fn from_id(id: i64) -> Option<Self> {
                match id { $($id => Some($name::$variant),)+ _ => None }
            }

            /// `0, 1, 2, ...`, for error messages.
            pub fn allowed() -> String {
                Self::ALL.iter().map(|v| v.id().to_string()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.caption())
            }
        }
    };
}

id_enum!(
    /// `severity_id` (OCSF base finding; the service model's BatchUpdateFindingsV2Request.SeverityId).
    SeverityId {
        Unknown => 0, "Unknown",
        Informational => 1, "Informational",
        Low => 2, "Low",
        Medium => 3, "Medium",
        High => 4, "High",
        Critical => 5, "Critical",
        Fatal => 6, "Fatal",
        Other => 99, "Other",
    }
);

id_enum!(
    /// `status_id` (OCSF finding; the service model's BatchUpdateFindingsV2Request.StatusId).
    StatusId {
        Unknown => 0, "Unknown",
        New => 1, "New",
        InProgress => 2, "In Progress",
        Suppressed => 3, "Suppressed",
        Resolved => 4, "Resolved",
        Archived => 5, "Archived",
        Other => 99, "Other",
    }
);

id_enum!(
    /// `class_uid`: the four finding classes Security Hub keeps (OCSF 1.x Findings category).
    OcsfClass {
        Vulnerability => 2002, "Vulnerability Finding",
        Compliance => 2003, "Compliance Finding",
        Detection => 2004, "Detection Finding",
        DataSecurity => 2006, "Data Security Finding",
    }
);

id_enum!(
    /// `compliance.status_id` (OCSF compliance object).
    ComplianceStatusId {
        Unknown => 0, "Unknown",
        Pass => 1, "Pass",
        Warning => 2, "Warning",
        Fail => 3, "Fail",
        Other => 99, "Other",
    }
);

impl SeverityId {
    /// The ASFF label this severity orders with: Fatal with CRITICAL; Unknown and Other have none.
    pub fn to_label(self) -> Option<SeverityLabel> {
        match self {
            SeverityId::Informational => Some(SeverityLabel::Informational),
            SeverityId::Low => Some(SeverityLabel::Low),
            SeverityId::Medium => Some(SeverityLabel::Medium),
            SeverityId::High => Some(SeverityLabel::High),
            SeverityId::Critical | SeverityId::Fatal => Some(SeverityLabel::Critical),
            SeverityId::Unknown | SeverityId::Other => None,
        }
    }

    /// The id an edit made with an ASFF label sets.
    pub fn from_label(l: SeverityLabel) -> SeverityId {
        match l {
            SeverityLabel::Informational => SeverityId::Informational,
            SeverityLabel::Low => SeverityId::Low,
            SeverityLabel::Medium => SeverityId::Medium,
            SeverityLabel::High => SeverityId::High,
            SeverityLabel::Critical => SeverityId::Critical,
        }
    }

    /// The list's text for it, in the ASFF labels' style: an exact ASFF counterpart reads as that
    /// label, so both formats' columns look alike; Fatal, Unknown and Other read as themselves.
    pub fn label_text(self) -> &'static str {
        match self {
            SeverityId::Fatal => "FATAL",
            SeverityId::Unknown => "UNKNOWN",
            SeverityId::Other => "OTHER",
            other => other.to_label().map_or("", SeverityLabel::as_str),
        }
    }

    /// A finer order than the labels': Unknown, Other, Informational .. Critical, Fatal.
    pub fn rank(self) -> u8 {
        match self {
            SeverityId::Unknown => 0,
            SeverityId::Other => 1,
            SeverityId::Fatal => 7,
            other => other.id() as u8 + 1,
        }
    }

    /// The severity of the caption AWS writes in `severity` (case-insensitive).
    pub fn from_caption(s: &str) -> Option<SeverityId> {
        SeverityId::ALL.iter().copied().find(|v| v.caption().eq_ignore_ascii_case(s.trim()))
    }
}

impl StatusId {
    /// The ASFF workflow status it orders and filters with: 0 and 1 NEW, 2 NOTIFIED, 3 SUPPRESSED,
    /// anything else RESOLVED (AWS's Automated Security Response mapping).
    pub fn to_workflow(self) -> WorkflowStatus {
        match self {
            StatusId::Unknown | StatusId::New => WorkflowStatus::New,
            StatusId::InProgress => WorkflowStatus::Notified,
            StatusId::Suppressed => WorkflowStatus::Suppressed,
            StatusId::Resolved | StatusId::Archived | StatusId::Other => WorkflowStatus::Resolved,
        }
    }

    /// The id an edit made with an ASFF workflow status sets: NEW 1, NOTIFIED 2, SUPPRESSED 3,
    /// RESOLVED 4.
    pub fn from_workflow(w: WorkflowStatus) -> StatusId {
        match w {
            WorkflowStatus::New => StatusId::New,
            WorkflowStatus::Notified => StatusId::InProgress,
            WorkflowStatus::Suppressed => StatusId::Suppressed,
            WorkflowStatus::Resolved => StatusId::Resolved,
        }
    }

    /// The list's text in the ASFF labels' style: New, Suppressed and Resolved read as the ASFF
    /// statuses; Unknown, In Progress, Archived and Other read as themselves.
    pub fn label_text(self) -> &'static str {
        match self {
            StatusId::Unknown => "UNKNOWN",
            StatusId::InProgress => "IN_PROGRESS",
            StatusId::Archived => "ARCHIVED",
            StatusId::Other => "OTHER",
            other => other.to_workflow().as_str(),
        }
    }

    /// Archived is the OCSF form of an ASFF RecordState ARCHIVED.
    pub fn is_archived(self) -> bool {
        self == StatusId::Archived
    }

    /// The status of the caption AWS writes in `status` (case-insensitive).
    pub fn from_caption(s: &str) -> Option<StatusId> {
        StatusId::ALL.iter().copied().find(|v| v.caption().eq_ignore_ascii_case(s.trim()))
    }
}

impl ComplianceStatusId {
    /// Pass, Warning and Fail are PASSED, WARNING and FAILED; Unknown and Other are NOT_AVAILABLE.
    pub fn to_asff(self) -> ComplianceStatus {
        match self {
            ComplianceStatusId::Pass => ComplianceStatus::Passed,
            ComplianceStatusId::Warning => ComplianceStatus::Warning,
            ComplianceStatusId::Fail => ComplianceStatus::Failed,
            ComplianceStatusId::Unknown | ComplianceStatusId::Other => ComplianceStatus::NotAvailable,
        }
    }

    /// The status of the caption in `compliance.status` (case-insensitive; AWS writes `Fail`).
    pub fn from_caption(s: &str) -> Option<ComplianceStatusId> {
        ComplianceStatusId::ALL.iter().copied().find(|v| v.caption().eq_ignore_ascii_case(s.trim()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_captions_follow_the_service_model() {
        // Service model, BatchUpdateFindingsV2Request: SeverityId [0..6, 99], StatusId [0..5, 99].
        assert_eq!(SeverityId::allowed(), "0, 1, 2, 3, 4, 5, 6, 99");
        assert_eq!(StatusId::allowed(), "0, 1, 2, 3, 4, 5, 99");
        assert_eq!(SeverityId::from_id(6), Some(SeverityId::Fatal));
        assert_eq!(SeverityId::from_id(7), None);
        assert_eq!(StatusId::from_id(6), None);
        assert_eq!(StatusId::from_id(99).map(StatusId::caption), Some("Other"));
        assert_eq!(StatusId::InProgress.caption(), "In Progress");
        assert_eq!(OcsfClass::allowed(), "2002, 2003, 2004, 2006");
        assert_eq!(SeverityId::from_caption("fatal"), Some(SeverityId::Fatal));
        assert_eq!(StatusId::from_caption("In Progress"), Some(StatusId::InProgress));
        assert_eq!(ComplianceStatusId::from_caption("Fail"), Some(ComplianceStatusId::Fail));
    }

    #[test]
    fn asff_mapping_is_aws_remediation_solutions() {
        use SeverityLabel as L;
        let sev: Vec<_> = SeverityId::ALL.iter().map(|s| s.to_label()).collect();
        assert_eq!(
            sev,
            [
                None,
                Some(L::Informational),
                Some(L::Low),
                Some(L::Medium),
                Some(L::High),
                Some(L::Critical),
                Some(L::Critical),
                None
            ]
        );
        for l in SeverityLabel::ALL {
            assert_eq!(SeverityId::from_label(*l).to_label(), Some(*l));
        }
        use WorkflowStatus as W;
        let wf: Vec<_> = StatusId::ALL.iter().map(|s| s.to_workflow()).collect();
        assert_eq!(wf, [W::New, W::New, W::Notified, W::Suppressed, W::Resolved, W::Resolved, W::Resolved]);
        for w in WorkflowStatus::ALL {
            assert_eq!(StatusId::from_workflow(*w).to_workflow(), *w);
        }
        assert_eq!(StatusId::from_workflow(W::Notified), StatusId::InProgress);
    }

    #[test]
    fn extra_values_read_as_themselves() {
        let sev: Vec<_> = SeverityId::ALL.iter().map(|s| s.label_text()).collect();
        assert_eq!(sev, ["UNKNOWN", "INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL", "FATAL", "OTHER"]);
        let st: Vec<_> = StatusId::ALL.iter().map(|s| s.label_text()).collect();
        assert_eq!(st, ["UNKNOWN", "NEW", "IN_PROGRESS", "SUPPRESSED", "RESOLVED", "ARCHIVED", "OTHER"]);
        let mut by_rank = SeverityId::ALL.to_vec();
        by_rank.sort_by_key(|s| s.rank());
        assert_eq!(by_rank.first(), Some(&SeverityId::Unknown));
        assert_eq!(by_rank.last(), Some(&SeverityId::Fatal));
        assert!(SeverityId::Critical.rank() > SeverityId::High.rank());
    }
}
