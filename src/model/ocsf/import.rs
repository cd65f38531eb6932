//! Importing an OCSF finding into a store that may hold it already, as a pure function. AWS has no
//! public V2 import API, so the rules are hubtriage's, modelled on BatchImportFindings:
//! * a finding is created under its `metadata.uid` when the store does not have it;
//! * it is updated when the incoming `finding_info.modified_time` (else `time`) is later than the
//!   stored one, and ignored otherwise (as BatchImportFindings ignores an UpdatedAt that does not
//!   move forward);
//! * what BatchUpdateFindingsV2 set on the stored finding (`comment`; `severity_id` with
//!   `severity`; `status_id` with `status`) survives the provider's update, as V1 keeps the values
//!   BatchUpdateFindings set. The store keeps, per finding, which of them were set ([`V2Edited`]).

use serde_json::Value;

use super::{Ocsf, OcsfUpdate};
use crate::model::change::{diff, FieldChange};

/// Which members BatchUpdateFindingsV2 has set on a stored finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct V2Edited(pub u8);

impl V2Edited {
    pub const COMMENT: V2Edited = V2Edited(1);
    pub const SEVERITY: V2Edited = V2Edited(2);
    pub const STATUS: V2Edited = V2Edited(4);

    /// What an update sets.
    pub fn of(u: &OcsfUpdate) -> V2Edited {
        let flag = |set: bool, f: V2Edited| if set { f.0 } else { 0 };
        V2Edited(
            flag(u.comment.is_some(), V2Edited::COMMENT)
                | flag(u.severity_id.is_some(), V2Edited::SEVERITY)
                | flag(u.status_id.is_some(), V2Edited::STATUS),
        )
    }

    pub fn contains(self, other: V2Edited) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn union(self, other: V2Edited) -> V2Edited {
        V2Edited(self.0 | other.0)
    }
}

/// The members each flag keeps.
const KEPT: [(V2Edited, &[&str]); 3] = [
    (V2Edited::COMMENT, &["comment"]),
    (V2Edited::SEVERITY, &["severity_id", "severity"]),
    (V2Edited::STATUS, &["status_id", "status"]),
];

#[derive(Debug, Clone, PartialEq)]
pub enum OcsfImportOutcome {
    Created {
        doc: Value,
    },
    Updated {
        doc: Value,
        changes: Vec<FieldChange>,
    },
    /// The incoming finding is not newer than the stored one.
    Ignored,
}

/// Applies one validated incoming OCSF finding; `existing` is the stored document and what
/// BatchUpdateFindingsV2 set on it.
pub fn apply_import_ocsf(existing: Option<(&Value, V2Edited)>, incoming: Value) -> OcsfImportOutcome {
    let Some((old, edited)) = existing else { return OcsfImportOutcome::Created { doc: incoming } };
    let newer = match (Ocsf(&incoming).updated_time(), Ocsf(old).updated_time()) {
        (Some(new), Some(stored)) => new > stored,
        (Some(_), None) => true,
        (None, _) => false,
    };
    if !newer {
        return OcsfImportOutcome::Ignored;
    }
    let mut doc = incoming;
    if let (Some(obj), Some(stored)) = (doc.as_object_mut(), old.as_object()) {
        for (flag, members) in KEPT {
            if !edited.contains(flag) {
                continue;
            }
            for m in members {
                match stored.get(*m) {
                    Some(v) => obj.insert((*m).to_string(), v.clone()),
                    None => obj.remove(*m),
                };
            }
        }
    }
    let changes = diff(old, &doc);
    OcsfImportOutcome::Updated { doc, changes }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::ocsf::tests::sample;
    use crate::model::ocsf::{SeverityId, StatusId};

    fn later(mut doc: Value, title: &str) -> Value {
        doc["finding_info"]["modified_time_dt"] = json!("2026-02-01T00:00:00.000Z");
        doc["finding_info"]["modified_time"] = json!(1_769_904_000_000_i64);
        doc["finding_info"]["title"] = json!(title);
        doc["severity_id"] = json!(2);
        doc["severity"] = json!("Low");
        doc["status_id"] = json!(1);
        doc["status"] = json!("New");
        doc["comment"] = json!("provider text");
        doc
    }

    #[test]
    fn created_when_new_ignored_unless_later() {
        assert_eq!(apply_import_ocsf(None, sample()), OcsfImportOutcome::Created { doc: sample() });
        let stored = sample();
        assert_eq!(apply_import_ocsf(Some((&stored, V2Edited::default())), sample()), OcsfImportOutcome::Ignored);
        let mut earlier = sample();
        earlier["finding_info"]["modified_time_dt"] = json!("2025-01-01T00:00:00Z");
        earlier["finding_info"]["title"] = json!("older");
        assert_eq!(apply_import_ocsf(Some((&stored, V2Edited::default())), earlier), OcsfImportOutcome::Ignored);
    }

    #[test]
    fn a_later_finding_replaces_all_but_what_batch_update_findings_v2_set() {
        let mut stored = sample();
        let u =
            OcsfUpdate { comment: Some("analyst".into()), severity_id: None, status_id: Some(StatusId::Suppressed) };
        u.apply(&mut stored);
        let edited = V2Edited::of(&u);
        assert!(edited.contains(V2Edited::COMMENT) && edited.contains(V2Edited::STATUS));
        assert!(!edited.contains(V2Edited::SEVERITY));
        let OcsfImportOutcome::Updated { doc, changes } =
            apply_import_ocsf(Some((&stored, edited)), later(sample(), "new"))
        else {
            panic!("not updated")
        };
        assert_eq!(doc["finding_info"]["title"], "new");
        assert_eq!(
            (&doc["comment"], &doc["status_id"], &doc["status"]),
            (&json!("analyst"), &json!(3), &json!("Suppressed"))
        );
        // The provider's severity was not edited, so its new value wins.
        assert_eq!((&doc["severity_id"], &doc["severity"]), (&json!(SeverityId::Low.id()), &json!("Low")));
        let fields: Vec<_> = changes.iter().map(|c| c.field.as_str()).collect();
        assert!(fields.contains(&"finding_info.title") && fields.contains(&"severity_id"), "{fields:?}");
        assert!(!fields.contains(&"status_id") && !fields.contains(&"comment"), "{fields:?}");
        // Without edits, everything is the provider's.
        let OcsfImportOutcome::Updated { doc, .. } =
            apply_import_ocsf(Some((&stored, V2Edited::default())), later(sample(), "x"))
        else {
            panic!("not updated")
        };
        assert_eq!(doc["comment"], "provider text");
        assert_eq!(V2Edited::COMMENT.union(V2Edited::STATUS), V2Edited(5));
    }
}
