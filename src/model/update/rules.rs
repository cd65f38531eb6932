//! The value rules of a BatchUpdateFindings update (BatchUpdateFindings API reference): one function
//! each, with the typed error whose text the service emulation answers. `BatchUpdateRequest::from_json`
//! applies each rule as it reads the member it is about, and `FindingUpdate::validate` in the same
//! order, so a request with several faults is refused for the same one either way.

use serde_json::Value;

use super::{FindingUpdate, SeverityUpdate, MEMBERS};
use crate::model::enums::check_finding_type;
use crate::model::finding::FindingKey;

/// Most related findings an update may set.
pub(crate) const MAX_RELATED: usize = 10;
/// Longest Note.Text, in characters.
const MAX_NOTE: usize = 512;
/// Most Types an update may set.
const MAX_TYPES: usize = 50;
/// Most UserDefinedFields pairs an update may set.
const MAX_USER_FIELDS: usize = 50;

/// Why BatchUpdateFindings refuses an update's values (a request-level InvalidInputException). Each
/// message names the member at fault; the text is the service emulation's, which users and tests see.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpdateError {
    /// `member` is a path such as `Note.Text` or `RelatedFindings[0].Id`.
    #[error("{member} must not be blank")]
    Blank { member: String },
    #[error("Note.Text has {chars} characters; the most is {MAX_NOTE}")]
    NoteTooLong { chars: usize },
    /// `value` is as the request JSON would show it.
    #[error("{member} must be an integer from 0 to 100, not {value}")]
    NotARatio { member: &'static str, value: String },
    #[error("Severity.Product must be a number, not {value}")]
    NotANumber { value: String },
    #[error("Severity must have a Label, Normalized or Product")]
    NoSeverity,
    #[error("Types has {count} items; the most is {MAX_TYPES}")]
    TooManyTypes { count: usize },
    #[error("Types[{index}]: {reason}")]
    BadType { index: usize, reason: String },
    #[error("UserDefinedFields has {count} pairs; the most is {MAX_USER_FIELDS}")]
    TooManyUserFields { count: usize },
    #[error("UserDefinedFields key and value must not be blank (key \"{key}\")")]
    BlankUserField { key: String },
    #[error("UserDefinedFields.{key}: keys are at most 128 and values 1024 characters")]
    UserFieldTooLong { key: String },
    #[error("{member} has {count} items; at most {max} are allowed in one call")]
    TooManyIdentifiers { member: &'static str, count: usize, max: usize },
    #[error("the request names findings but no field to update")]
    NothingToUpdate,
}

impl UpdateError {
    /// The request member at fault (`Note`, `Confidence`, `Types`, ...); `None` when the update
    /// names no field at all.
    pub fn member(&self) -> Option<&str> {
        let path = match self {
            UpdateError::Blank { member } => member.as_str(),
            UpdateError::NotARatio { member, .. } | UpdateError::TooManyIdentifiers { member, .. } => member,
            UpdateError::NoteTooLong { .. } => "Note",
            UpdateError::NotANumber { .. } | UpdateError::NoSeverity => "Severity",
            UpdateError::TooManyTypes { .. } | UpdateError::BadType { .. } => "Types",
            UpdateError::TooManyUserFields { .. }
            | UpdateError::BlankUserField { .. }
            | UpdateError::UserFieldTooLong { .. } => "UserDefinedFields",
            UpdateError::NothingToUpdate => return None,
        };
        path.split(['.', '[']).next()
    }

    /// Whether a request with both faults is refused for this one rather than `other`: members are
    /// checked in `MEMBERS` order, and "no field to update" last.
    pub fn precedes(&self, other: &UpdateError) -> bool {
        let rank =
            |e: &UpdateError| e.member().and_then(|m| MEMBERS.iter().position(|x| *x == m)).unwrap_or(MEMBERS.len());
        rank(self) < rank(other)
    }
}

fn non_blank(s: &str) -> bool {
    s.chars().any(|c| !c.is_whitespace())
}

pub(crate) fn check_not_blank(s: &str, member: impl FnOnce() -> String) -> Result<(), UpdateError> {
    if non_blank(s) {
        Ok(())
    } else {
        Err(UpdateError::Blank { member: member() })
    }
}

pub(crate) fn check_note_length(text: &str) -> Result<(), UpdateError> {
    match text.chars().count() {
        chars if chars > MAX_NOTE => Err(UpdateError::NoteTooLong { chars }),
        _ => Ok(()),
    }
}

pub(crate) fn check_ratio(n: i64, member: &'static str) -> Result<i64, UpdateError> {
    if (0..=100).contains(&n) {
        Ok(n)
    } else {
        Err(UpdateError::NotARatio { member, value: n.to_string() })
    }
}

pub(crate) fn check_product(p: f64) -> Result<f64, UpdateError> {
    // JSON has no NaN or infinity: such a value would be sent as null.
    if p.is_finite() {
        Ok(p)
    } else {
        Err(UpdateError::NotANumber { value: Value::Null.to_string() })
    }
}

pub(crate) fn check_severity(s: &SeverityUpdate) -> Result<(), UpdateError> {
    if *s == SeverityUpdate::default() {
        Err(UpdateError::NoSeverity)
    } else {
        Ok(())
    }
}

pub(crate) fn check_type_count(count: usize) -> Result<(), UpdateError> {
    if count > MAX_TYPES {
        Err(UpdateError::TooManyTypes { count })
    } else {
        Ok(())
    }
}

pub(crate) fn check_type(index: usize, t: &str) -> Result<(), UpdateError> {
    check_finding_type(t).map_err(|reason| UpdateError::BadType { index, reason })
}

pub(crate) fn check_user_field_count(count: usize) -> Result<(), UpdateError> {
    if count > MAX_USER_FIELDS {
        Err(UpdateError::TooManyUserFields { count })
    } else {
        Ok(())
    }
}

pub(crate) fn check_user_field(key: &str, value: &str) -> Result<(), UpdateError> {
    if !non_blank(key) || !non_blank(value) {
        return Err(UpdateError::BlankUserField { key: key.to_string() });
    }
    if key.chars().count() > 128 || value.chars().count() > 1024 {
        return Err(UpdateError::UserFieldTooLong { key: key.to_string() });
    }
    Ok(())
}

pub(crate) fn check_identifier_count(member: &'static str, count: usize, max: usize) -> Result<(), UpdateError> {
    if count > max {
        Err(UpdateError::TooManyIdentifiers { member, count, max })
    } else {
        Ok(())
    }
}

pub(super) fn check_identifier(member: &'static str, i: usize, key: &FindingKey) -> Result<(), UpdateError> {
    check_not_blank(&key.product_arn, || format!("{member}[{i}].ProductArn"))?;
    check_not_blank(&key.id, || format!("{member}[{i}].Id"))
}

impl FindingUpdate {
    /// The service's rules for these values, checked in the order `BatchUpdateRequest::from_json`
    /// checks the request's members: the first fault, as the service would refuse the call for it.
    pub fn validate(&self) -> Result<(), UpdateError> {
        if let Some(n) = &self.note {
            check_not_blank(&n.text, || "Note.Text".into())?;
            check_note_length(&n.text)?;
            check_not_blank(&n.updated_by, || "Note.UpdatedBy".into())?;
        }
        if let Some(s) = &self.severity {
            if let Some(n) = s.normalized {
                check_ratio(n, "Severity.Normalized")?;
            }
            if let Some(p) = s.product {
                check_product(p)?;
            }
            check_severity(s)?;
        }
        if let Some(c) = self.confidence {
            check_ratio(c, "Confidence")?;
        }
        if let Some(c) = self.criticality {
            check_ratio(c, "Criticality")?;
        }
        if let Some(types) = &self.types {
            check_type_count(types.len())?;
            types.iter().enumerate().try_for_each(|(i, t)| check_type(i, t))?;
        }
        if let Some(pairs) = &self.user_defined_fields {
            check_user_field_count(pairs.len())?;
            pairs.iter().try_for_each(|(k, v)| check_user_field(k, v))?;
        }
        if let Some(related) = &self.related_findings {
            check_identifier_count("RelatedFindings", related.len(), MAX_RELATED)?;
            related.iter().enumerate().try_for_each(|(i, k)| check_identifier("RelatedFindings", i, k))?;
        }
        if self.is_empty() {
            return Err(UpdateError::NothingToUpdate);
        }
        Ok(())
    }
}
