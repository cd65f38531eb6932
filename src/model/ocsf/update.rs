//! BatchUpdateFindingsV2's change to one OCSF finding, as a pure function (BatchUpdateFindingsV2 API
//! reference and the service model): `Comment` sets `comment`; `SeverityId` sets `severity_id` and its
//! string sibling `severity` to the OCSF caption; `StatusId` sets `status_id` and `status` likewise.
//! Nothing else changes: "Updates from BatchUpdateFindingsV2 don't affect the value of
//! finding_info.modified_time, finding_info.modified_time_dt, time, or time_dt for a finding."

use serde_json::{json, Value};

use super::validate::MAX_COMMENT_CHARS;
use super::{SeverityId, StatusId};
use crate::model::change::{render, FieldChange};

/// What one BatchUpdateFindingsV2 call changes in each finding it names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OcsfUpdate {
    pub comment: Option<String>,
    pub severity_id: Option<SeverityId>,
    pub status_id: Option<StatusId>,
}

/// Checks a `Comment`: the service model's NonEmptyString (not blank) of 1 to 512 characters.
pub fn check_comment(c: &str) -> Result<(), String> {
    let n = c.chars().count();
    if n > MAX_COMMENT_CHARS {
        return Err(format!("Comment must be 1 to {MAX_COMMENT_CHARS} characters, not {n}"));
    }
    if c.trim().is_empty() {
        return Err("Comment must not be empty or blank".to_string());
    }
    Ok(())
}

impl OcsfUpdate {
    /// True when the update changes nothing (BatchUpdateFindingsV2 refuses it).
    pub fn is_empty(&self) -> bool {
        self.comment.is_none() && self.severity_id.is_none() && self.status_id.is_none()
    }

    /// Applies the update to `doc` and returns what changed, member by member, for the history
    /// (`comment`, `severity_id`, `severity`, `status_id`, `status`). A member set to the value it
    /// has is not a change.
    pub fn apply(&self, doc: &mut Value) -> Vec<FieldChange> {
        let mut changes = Vec::new();
        let Some(obj) = doc.as_object_mut() else { return changes };
        let mut set = |member: &str, v: Value| {
            let old = obj.get(member);
            if old != Some(&v) {
                changes.push(FieldChange { field: member.to_string(), old: old.map(render), new: Some(render(&v)) });
                obj.insert(member.to_string(), v);
            }
        };
        if let Some(c) = &self.comment {
            set("comment", json!(c));
        }
        if let Some(s) = self.severity_id {
            set("severity_id", json!(s.id()));
            set("severity", json!(s.caption()));
        }
        if let Some(s) = self.status_id {
            set("status_id", json!(s.id()));
            set("status", json!(s.caption()));
        }
        changes
    }

    /// How the edit reads in a preview: `status Resolved, severity High, comment "…"`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.status_id {
            parts.push(format!("status {}", s.caption()));
        }
        if let Some(s) = self.severity_id {
            parts.push(format!("severity {}", s.caption()));
        }
        if let Some(c) = &self.comment {
            parts.push(format!("comment \"{}\"", crate::model::sanitize::line(c)));
        }
        parts.join(", ")
    }
}

impl crate::model::update::FindingUpdate {
    /// The BatchUpdateFindingsV2 update this edit is for an OCSF finding: its exact `v2` when set,
    /// else the members V2 can take: Workflow NEW, NOTIFIED, SUPPRESSED, RESOLVED as `StatusId` 1,
    /// 2, 3, 4; the severity label (or the label of the normalized score) as its `SeverityId`; the
    /// note's text as `Comment`.
    pub fn to_v2(&self) -> OcsfUpdate {
        if let Some(v2) = &self.v2 {
            return v2.clone();
        }
        let label = self
            .severity
            .as_ref()
            .and_then(|s| s.label.or_else(|| s.normalized.map(crate::model::enums::SeverityLabel::from_normalized)));
        OcsfUpdate {
            comment: self.note.as_ref().map(|n| n.text.clone()),
            severity_id: label.map(SeverityId::from_label),
            status_id: self.workflow_status.map(StatusId::from_workflow),
        }
    }

    /// The members this edit sets that BatchUpdateFindingsV2 has no place for (an OCSF finding
    /// keeps them as they are), in request order.
    pub fn v2_dropped(&self) -> Vec<&'static str> {
        if self.v2.is_some() {
            return Vec::new();
        }
        [
            (self.verification_state.is_some(), "VerificationState"),
            (self.confidence.is_some(), "Confidence"),
            (self.criticality.is_some(), "Criticality"),
            (self.types.is_some(), "Types"),
            (self.user_defined_fields.is_some(), "UserDefinedFields"),
            (self.related_findings.is_some(), "RelatedFindings"),
            (self.severity.as_ref().is_some_and(|s| s.label.is_none() && s.normalized.is_none()), "Severity.Product"),
        ]
        .into_iter()
        .filter_map(|(set, name)| set.then_some(name))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ocsf::tests::sample;

    const TIMES: [&[&str]; 4] =
        [&["finding_info", "modified_time"], &["finding_info", "modified_time_dt"], &["time"], &["time_dt"]];

    fn at<'a>(doc: &'a Value, path: &[&str]) -> &'a Value {
        path.iter().fold(doc, |v, k| &v[*k])
    }

    #[test]
    fn sets_the_ids_their_captions_and_the_comment_and_nothing_else() {
        let mut doc = sample();
        let before = doc.clone();
        let u = OcsfUpdate {
            comment: Some("accepted risk".into()),
            severity_id: Some(SeverityId::Fatal),
            status_id: Some(StatusId::InProgress),
        };
        let changes = u.apply(&mut doc);
        assert_eq!((&doc["severity_id"], &doc["severity"]), (&json!(6), &json!("Fatal")));
        assert_eq!((&doc["status_id"], &doc["status"]), (&json!(2), &json!("In Progress")));
        assert_eq!(doc["comment"], "accepted risk");
        let fields: Vec<_> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["comment", "severity_id", "severity", "status_id", "status"]);
        assert_eq!(
            changes[1],
            FieldChange { field: "severity_id".into(), old: Some("4".into()), new: Some("6".into()) }
        );
        // BatchUpdateFindingsV2 API reference: the four times never change; nor does anything else.
        for path in TIMES {
            assert_eq!(at(&doc, path), at(&before, path), "{path:?}");
        }
        let mut rest = doc.clone();
        let mut rest_before = before.clone();
        for m in ["comment", "severity_id", "severity", "status_id", "status"] {
            rest.as_object_mut().unwrap().remove(m);
            rest_before.as_object_mut().unwrap().remove(m);
        }
        assert_eq!(rest, rest_before);
        // The same update again changes nothing.
        assert!(u.apply(&mut doc).is_empty());
    }

    #[test]
    fn a_missing_member_is_added_and_only_the_named_fields_move() {
        let mut doc = sample();
        doc.as_object_mut().unwrap().remove("comment");
        let changes = OcsfUpdate { comment: Some("x".into()), ..Default::default() }.apply(&mut doc);
        assert_eq!(changes, vec![FieldChange { field: "comment".into(), old: None, new: Some("x".into()) }]);
        assert_eq!(doc["severity_id"], 4);
        let changes = OcsfUpdate { status_id: Some(StatusId::Resolved), ..Default::default() }.apply(&mut doc);
        assert_eq!(changes.len(), 2);
        assert_eq!(doc["status"], "Resolved");
        assert_eq!(doc["severity"], "High");
    }

    #[test]
    fn comment_rules_and_description() {
        assert!(check_comment("ok").is_ok());
        assert!(check_comment(&"é".repeat(512)).is_ok());
        assert_eq!(check_comment(&"x".repeat(513)).unwrap_err(), "Comment must be 1 to 512 characters, not 513");
        assert_eq!(check_comment("").unwrap_err(), "Comment must not be empty or blank");
        assert_eq!(check_comment("  ").unwrap_err(), "Comment must not be empty or blank");
        let u = OcsfUpdate {
            comment: Some("a\u{1b}b".into()),
            severity_id: Some(SeverityId::High),
            status_id: Some(StatusId::Suppressed),
        };
        assert_eq!(u.describe(), "status Suppressed, severity High, comment \"a␛b\"");
        assert!(OcsfUpdate::default().is_empty());
    }
}
