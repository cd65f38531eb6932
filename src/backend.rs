//! The I/O seam: what the worker needs from a source of findings, as a trait over model types. The
//! local store implements it (`store::StoreBackend`); a remote Security Hub implements the same
//! operations. Every operation fails with a typed `BackendError` whose kind the UI can act on.

use std::collections::HashMap;

use serde_json::Value;

use crate::model::call::UpdateCall;
use crate::model::finding::FindingId;
use crate::model::history::HistoryEntry;
use crate::model::summary::FindingSummary;
use crate::model::update::FindingUpdate;
use crate::query::Query;

pub use crate::model::source::{BackendError, Capabilities, ErrorKind, OutboxState, Rate, Rechecked};

pub type Result<T> = std::result::Result<T, BackendError>;

/// One finding an update call did not process, and why (UnprocessedFindings).
#[derive(Debug, Clone, PartialEq)]
pub struct Unprocessed {
    pub id: FindingId,
    /// The service's ErrorCode (e.g. FindingNotFound).
    pub code: String,
    pub message: String,
}

/// The answer to one update call.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpdateOutcome {
    pub processed: Vec<FindingId>,
    pub unprocessed: Vec<Unprocessed>,
}

/// What a background refresh tells as it goes (`Backend::refresh_in_background`).
#[derive(Debug)]
pub enum Refreshed {
    /// Findings the refresh added.
    New(Vec<FindingSummary>),
    /// Findings already listed whose values the refresh changed: their rows are replaced in place.
    Updated(Vec<FindingSummary>),
    /// The refresh has ended (an error only when there were no rows to keep: a cache never
    /// synced); `described` is the source's description now (how fresh it is).
    Done { result: Result<()>, described: String },
}

/// One part of `Backend::describe_from`.
#[derive(Debug, Clone, PartialEq)]
pub enum Describing {
    /// The description.
    Done(String),
    /// Not decided yet: go on from here.
    From(i64),
}

/// Where a background refresh reports; returns false once nobody listens.
pub type RefreshReport = Box<dyn FnMut(Refreshed) -> bool + Send>;

pub trait Backend: Send {
    /// Where the findings come from, for the header (a store path, an endpoint and region).
    fn describe(&self) -> String;
    /// What the header says before any finding is read, when `describe` would read them (a store
    /// counting its demo findings: a scan of the table, half a second at a million findings, which
    /// the first frame must not wait for). The worker sends `describe` once the first load is done.
    /// `None`: `describe` is cheap, and is the first description.
    fn first_description(&self) -> Option<String> {
        None
    }
    /// `describe` a part at a time, for a description that reads the findings: each call reads
    /// from `from` (0 the first time) and gives the description or where to go on from. The worker
    /// answers what is asked between two parts, so that a detail asked while a store at a million
    /// findings is looked over for demo data (half a second) does not wait for the whole look.
    fn describe_from(&self, from: i64) -> Describing {
        let _ = from;
        Describing::Done(self.describe())
    }
    /// What this source can do.
    fn capabilities(&self) -> Capabilities;
    /// How many findings there are, when the source knows without reading them all (a store does;
    /// GetFindings gives no total).
    fn count(&self) -> Result<Option<usize>>;
    /// Streams every finding's summary, the first screenful most severe first, the rest in any
    /// order (the list sorts what it is given); `sink` returns false to stop.
    fn for_each_summary(&self, sink: &mut dyn FnMut(FindingSummary) -> bool) -> Result<()>;
    /// Whether `refresh_summaries` has anything to do after `for_each_summary` (a remote's read
    /// cache: the cached rows are listed first, then the cache is synced).
    fn refreshes(&self) -> bool {
        false
    }
    /// After `for_each_summary`: brings the source up to date and streams the findings that adds.
    /// The worker shows the rows listed so far before calling it, so that a slow refresh (a
    /// remote's pages) never holds back the first frame.
    fn refresh_summaries(&self, _sink: &mut dyn FnMut(FindingSummary) -> bool) -> Result<()> {
        Ok(())
    }
    /// The same refresh, run off the caller's thread (a remote's first sync takes minutes, and
    /// the worker must answer details and edits meanwhile): what it finds goes to `report`, ending
    /// with `Refreshed::Done`. Returns false when the source cannot (the caller then calls
    /// `refresh_summaries`). A refresh already running is handed the new `report` instead of a
    /// second one starting.
    fn refresh_in_background(&self, _report: RefreshReport) -> bool {
        false
    }
    /// Reports what the source's outbox of edits holds (queued, refused) now and whenever it
    /// changes, from a thread of its own, until `report` returns false or the source is dropped.
    /// Returns false when the source has no outbox (a store applies edits at once).
    fn watch_outbox(&self, _report: Box<dyn FnMut(OutboxState) -> bool + Send>) -> bool {
        false
    }
    /// Reads the source's cached findings again in the background, at the rate its reads leave
    /// spare, and reports what changed (a remote whose other analysts' edits no refresh brings).
    /// Returns false when there is nothing to recheck (a store is the source itself).
    fn recheck_in_background(&self, _report: Box<dyn FnMut(Rechecked) -> bool + Send>) -> bool {
        false
    }
    /// The documents of these findings, in the order asked (`None` for one that does not exist).
    fn documents(&self, ids: &[FindingId]) -> Result<Vec<Option<Value>>>;
    /// The documents the source holds without asking the network (what undo restores is read
    /// from them when an edit is made, so that an edit never waits on a remote's reads); by
    /// default the same as `documents`.
    fn documents_at_hand(&self, ids: &[FindingId]) -> Result<Vec<Option<Value>>> {
        self.documents(ids)
    }
    /// The finding's document in its other format, when the source holds the same finding in both
    /// (an ASFF finding's OCSF form, `model::ocsf::same`): the detail pane's raw JSON shows both.
    fn other_form(&self, _id: &FindingId) -> Result<Option<Value>> {
        Ok(None)
    }
    /// A finding's history, newest first.
    fn history(&self, id: &FindingId) -> Result<Vec<HistoryEntry>>;
    /// The findings a structured query matches.
    fn query(&self, query: &Query) -> Result<Vec<FindingId>>;
    /// A cached view of a larger source (`Capabilities::fetches_beyond_view`): when `query` asks
    /// for findings beyond the cached view, fetches them from the source into the cache and
    /// returns the summaries of all it fetched (the list adds those it lacks). A source that holds
    /// everything has nothing to fetch.
    fn fetch_beyond_view(&mut self, _query: &Query) -> Result<Vec<FindingSummary>> {
        Ok(Vec::new())
    }
    /// One update call (at most 100 findings).
    fn batch_update(&mut self, call: &UpdateCall) -> Result<UpdateOutcome>;
    /// The same, with each finding's previous values (what undo restores), for a source that
    /// keeps the edit before sending it (a remote's outbox).
    fn batch_update_undoable(
        &mut self,
        call: &UpdateCall,
        _previous: &HashMap<FindingId, FindingUpdate>,
    ) -> Result<UpdateOutcome> {
        self.batch_update(call)
    }
    /// Seeds the source with findings as its owner, whatever the caller's account (the demo
    /// dataset into an empty store), in BatchImportFindings calls of at most 100 findings each;
    /// returns how many were imported. Only where `capabilities().seed`.
    fn seed(&mut self, calls: Vec<Vec<Value>>) -> Result<usize>;
    /// `batch_update` of a suppression with an expiry (`store::expiry`), kept in the same
    /// transaction. Only a local store can: Security Hub has no suppression expiry.
    fn batch_update_expiring(
        &mut self,
        _call: &UpdateCall,
        _expiry: &crate::store::expiry::SetExpiry,
    ) -> Result<UpdateOutcome> {
        Err(BackendError::invalid(format!(
            "{}: a suppression can expire on a local store only (Security Hub has no suppression expiry); \
             suppress without an expiry",
            self.describe()
        )))
    }
    /// Keeps a bulk edit the workbench applied in the source's change log (`store::changelog`):
    /// `description` and each processed finding's restore. A source without a change log keeps
    /// nothing.
    fn log_edit(&mut self, _description: &str, _restores: &[(FindingId, FindingUpdate)]) -> Result<()> {
        Ok(())
    }
    /// The newest `limit` entries of the source's change log (`store::changelog`), newest first,
    /// for the workbench's `:log`. Only a local store keeps one.
    fn change_log(&self, _limit: usize) -> Result<Vec<crate::store::changelog::LogEntry>> {
        Err(no_change_log(&self.describe()))
    }
    /// What undoing change-log entry `id` would send (`:log`, Enter and `u`).
    fn undo_plan(&self, _id: i64) -> Result<crate::store::changelog::UndoPlan> {
        Err(no_change_log(&self.describe()))
    }
    /// Undoes change-log entry `id` as `hubtriage log --undo` does: the restores in one
    /// transaction, logged as an entry of their own that marks `id` undone by it. Returns that
    /// entry's id (`None` when there was nothing to put back) and the calls' answers.
    fn undo_logged(&mut self, _id: i64) -> Result<(Option<i64>, UpdateOutcome)> {
        Err(no_change_log(&self.describe()))
    }
    /// Whether someone else (another process) changed the source since the last call; the first
    /// call only takes note. A source that cannot tell says no (`worker::watch`).
    fn changed_elsewhere(&mut self) -> Result<bool> {
        Ok(false)
    }
    /// Reopens the suppressions whose expiry has passed (`store::expiry`); returns how many. A
    /// source without expiries has none to reopen.
    fn expire_due(&mut self) -> Result<usize> {
        Ok(0)
    }
    /// The findings whose suppression expires, with when, the soonest first.
    fn expiring(&self) -> Result<Vec<(FindingId, time::OffsetDateTime)>> {
        Ok(Vec::new())
    }
    /// Deletes the demo findings (`generate::is_demo`) and their history; returns how many. Only a
    /// local store can: Security Hub has no operation that deletes a finding, so by default a
    /// source refuses.
    fn remove_demo(&mut self) -> Result<usize> {
        Err(BackendError::invalid(format!(
            "{}: demo findings can be removed from a local store only (Security Hub cannot delete findings)",
            self.describe()
        )))
    }
}

/// Why a source without a change log (a remote: Security Hub keeps none) cannot show or undo one.
fn no_change_log(source: &str) -> BackendError {
    BackendError::invalid(format!(
        "{source}: the change log is kept by a local store only (Security Hub has no log of bulk edits); \
         each finding's history is in the detail pane"
    ))
}
