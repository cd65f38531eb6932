//! One update call as the workbench and a `Backend` speak of it: the findings (in either format) and
//! the update to set on them. A backend turns it into the format's own request (BatchUpdateFindings
//! for ASFF findings), at most 100 findings a call.

use super::finding::FindingId;
use super::update::FindingUpdate;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpdateCall {
    pub ids: Vec<FindingId>,
    pub update: FindingUpdate,
}
