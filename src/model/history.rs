//! A finding's edit history as the workbench shows it, whichever backend kept it
//! (GetFindingHistory's records, or a store's own history table).

use super::change::FieldChange;

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
