//! One list row: the model's neutral finding summary (sanitised once when built), and the filter
//! fields a row answers exactly. Rows never carry documents; the live filter's lower-case copy of the
//! search fields lives in `RowStore`.

pub use crate::model::summary::FindingSummary as Row;

/// Filter fields a row answers exactly (its first resource alone would not answer resource filters).
pub const IN_MEMORY_FIELDS: &[&str] = &[
    "SeverityLabel",
    "WorkflowStatus",
    "RecordState",
    "VerificationState",
    "ComplianceStatus",
    "ComplianceSecurityControlId",
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
