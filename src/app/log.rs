//! The store as other processes change it: `Event::StoreChanged` (the worker's poll,
//! `worker::watch`) reloads the rows at once when nothing of the analyst's would be disturbed,
//! else leaves a notice in the header ("store changed by another process · R to reload") until the
//! rows are next reloaded. And the workbench's own bulk edits kept in the store's change log
//! (`Effect::LogEdit`, sent by `edits` when an edit's last call is answered).

use super::effect::Effect;
use super::load;
use super::state::{Context, LoadState};
use super::AppState;

/// What the workbench knows of the store's changes by others.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogState {
    /// Another process changed the store since the rows were read, and they were not reloaded.
    pub stale: bool,
}

/// The header's notice while the rows are stale.
pub const STALE_NOTICE: &str = "store changed by another process · R to reload";
/// The header's notice where the whole one does not fit (80 columns).
pub const STALE_SHORT: &str = "changed · R reload";

/// Whether a reload now would disturb nothing: the rows are loaded, nothing is marked (a reload
/// re-marks by id, but a selection being built should not move under the analyst), no edit is in
/// flight, and the list or detail has the keyboard (no prompt, form, line, menu, group view or
/// help open).
fn quiet(s: &AppState) -> bool {
    matches!(s.status.load, LoadState::Loaded)
        && s.marks.is_empty()
        && s.edits.in_flight.is_empty()
        && matches!(s.context(), Context::List | Context::Detail)
}

/// `Event::StoreChanged`.
pub(super) fn store_changed(s: &mut AppState) -> Vec<Effect> {
    if quiet(s) {
        s.log.stale = false;
        let effects = load::reload(s);
        s.info("The store was changed by another process; reloading…");
        return effects;
    }
    s.log.stale = true;
    s.dirty = true;
    Vec::new()
}

/// `R`: the rows are read again, which clears the notice.
pub(super) fn reload(s: &mut AppState) -> Vec<Effect> {
    s.log.stale = false;
    load::reload(s)
}

/// `Event::LogFailed`: the edit stands; only its entry in the change log is missing.
pub(super) fn log_failed(s: &mut AppState, error: crate::backend::BackendError) -> Vec<Effect> {
    s.error(format!(
        "The edit was applied but could not be kept in the change log: {}",
        crate::model::sanitize::line(&error.to_string())
    ));
    Vec::new()
}

#[cfg(test)]
mod tests;
