//! Time-boxed suppression in the workbench: the "suppressed, expiring" view's narrowing, and what the
//! worker's expiry runs (at start, then every minute: `Effect::ExpireDue`) report. The suppress
//! prompt's "Expires" field is `prompt`'s; the store keeps and applies expiries (`store::expiry`).

use time::Duration;

use super::effect::Effect;
use super::load;
use super::state::LoadState;
use super::AppState;
use crate::backend::BackendError;

/// How soon an expiry must come for the "suppressed, expiring" view to show the finding.
pub const EXPIRING_WITHIN: Duration = Duration::days(14);

/// "suppressed, expiring": the query's rows, narrowed to those whose suppression expires within
/// `EXPIRING_WITHIN`, by the worker from the store's expiries.
pub(super) fn find_expiring(s: &mut AppState) -> Vec<Effect> {
    let keys = s.view.base.iter().filter_map(|&i| s.rows.get(i)).map(|r| r.key.clone()).collect();
    s.view.query.next_id += 1;
    let query_id = s.view.query.next_id;
    s.view.query.pending = Some(query_id);
    s.info("Reading the suppressions' expiries…");
    vec![Effect::FindExpiring { query_id, keys, within: EXPIRING_WITHIN }]
}

/// `Event::SuppressionsExpired`: findings were reopened; rows loaded before are stale, so they are
/// loaded again (a run before the first load has nothing to refresh).
pub(super) fn expired(s: &mut AppState, count: usize) -> Vec<Effect> {
    if count == 0 {
        s.dirty = false;
        return Vec::new();
    }
    let what = crate::model::words::count(count, "suppressed finding");
    if matches!(s.status.load, LoadState::Loaded) && s.edits.in_flight.is_empty() {
        let effects = load::reload(s);
        s.info(format!("Suppression expired: {what} reopened (NEW); reloading…"));
        return effects;
    }
    s.info(format!("Suppression expired: {what} reopened (NEW)"));
    Vec::new()
}

/// `Event::ExpiryFailed`.
pub(super) fn failed(s: &mut AppState, error: BackendError) -> Vec<Effect> {
    s.error(format!("Could not reopen expired suppressions: {}", crate::model::sanitize::line(&error.to_string())));
    Vec::new()
}
