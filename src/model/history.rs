//! A finding's edit history as the workbench shows it, whichever backend kept it
//! (GetFindingHistory's records, or a store's own history table).

use super::change::FieldChange;
use super::wire::history::HistoryRecord;

/// One entry of a finding's edit history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub time: String,
    pub who: String,
    /// Security Hub's own automatic change (e.g. a finding reopened), with its reason.
    pub service_reason: Option<String>,
    pub created: bool,
    pub changes: Vec<FieldChange>,
}

impl From<HistoryRecord> for HistoryEntry {
    /// A GetFindingHistory record as the detail pane shows it: Security Hub's own changes are
    /// named as such, with their reason.
    fn from(r: HistoryRecord) -> Self {
        let service = r.is_service_change();
        HistoryEntry {
            time: r.time,
            who: if service { "Security Hub".into() } else { r.identity },
            service_reason: service.then(|| r.reason.unwrap_or_default()),
            created: r.created,
            changes: r.updates,
        }
    }
}
