//! Facts the worker reports back, in the past tense.

use std::path::PathBuf;

use serde_json::Value;

use super::effect::BatchId;
use super::row::Row;
use crate::model::finding::FindingId;
pub use crate::model::history::HistoryEntry;
use crate::model::source::{BackendError, Capabilities};
use crate::model::update::FindingUpdate;

/// One finding that a call did not process, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    pub key: FindingId,
    pub reason: String,
}

/// The outcome of one BatchUpdateFindings call.
#[derive(Debug, Clone, PartialEq)]
pub struct CallOutcome {
    pub processed: Vec<FindingId>,
    pub unprocessed: Vec<Rejected>,
    /// For each processed finding, the update that would restore its previous values (for undo).
    pub restores: Vec<(FindingId, FindingUpdate)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The backend's description, for the header.
    SourceDescribed {
        source: String,
        capabilities: Capabilities,
    },
    /// A chunk of rows; `done` on the last one. `total` is the backend's count when it has one
    /// (GetFindings gives none).
    RowsLoaded {
        generation: u64,
        rows: Vec<Row>,
        total: Option<usize>,
        done: bool,
    },
    /// Newer summaries of findings already listed (a remote's refresh): replaced in place by key,
    /// whatever load they came with.
    RowsUpdated {
        rows: Vec<Row>,
    },
    /// These findings were read again from the remote (the recheck pass) at `at_ms` (ms since the
    /// epoch): the detail says how fresh a finding is.
    Rechecked {
        keys: Vec<FindingId>,
        at_ms: i64,
    },
    /// What the remote's outbox holds now (queued and refused edits), for the pending marks.
    OutboxChanged {
        state: crate::model::source::OutboxState,
    },
    RowsFailed {
        generation: u64,
        error: BackendError,
    },
    DetailLoaded {
        key: FindingId,
        doc: Option<Box<Value>>,
        history: Vec<HistoryEntry>,
    },
    DetailFailed {
        key: FindingId,
        error: BackendError,
    },
    /// After `DetailLoaded`: the same finding's document in its other format (`Backend::other_form`).
    OtherFormLoaded {
        key: FindingId,
        doc: Box<Value>,
    },
    QueryMatched {
        query_id: u64,
        keys: Vec<FindingId>,
    },
    QueryFailed {
        query_id: u64,
        error: BackendError,
    },
    /// `Effect::FetchBeyondView` brought these findings into the cache: they join the list.
    FetchedBeyondView {
        rows: Vec<Row>,
    },
    FetchBeyondViewFailed {
        error: BackendError,
    },
    /// One call of a batch answered.
    BatchApplied {
        batch_id: BatchId,
        call: usize,
        outcome: CallOutcome,
    },
    /// One call of a batch failed whole (a request error, the store unreachable).
    BatchFailed {
        batch_id: BatchId,
        call: usize,
        keys: Vec<FindingId>,
        error: BackendError,
    },
    DemoLoaded {
        count: usize,
    },
    DemoFailed {
        error: BackendError,
    },
    DemoRemoved {
        count: usize,
    },
    /// `Effect::ExpireDue` reopened this many suppressed findings.
    SuppressionsExpired {
        count: usize,
    },
    /// `Effect::LogEdit` could not write the change log (the edit itself was applied).
    LogFailed {
        error: BackendError,
    },
    /// The change log's newest entries, newest first (`Effect::LoadChangeLog`).
    ChangeLogLoaded {
        entries: Vec<crate::store::changelog::LogEntry>,
    },
    /// What undoing an entry would send (`Effect::LoadLogEntry`).
    LogEntryLoaded {
        plan: Box<crate::store::changelog::UndoPlan>,
    },
    /// Entry `id` was undone (`Effect::UndoLogged`), logged as entry `by` (`None`: nothing to put
    /// back), with the calls' answers.
    LogUndone {
        id: i64,
        by: Option<i64>,
        outcome: crate::backend::UpdateOutcome,
    },
    /// The change log could not be read or the undo sent (`id`: the entry it was about).
    ChangeLogFailed {
        id: Option<i64>,
        error: BackendError,
    },
    /// Another process changed the source since the last `Effect::WatchStore`.
    StoreChanged,
    ExpiryFailed {
        error: BackendError,
    },
    DemoRemoveFailed {
        error: BackendError,
    },
    Exported {
        path: PathBuf,
        count: usize,
    },
    ExportFailed {
        path: PathBuf,
        error: String,
    },
    /// The `:` line's history file, oldest line first.
    HistoryLoaded {
        entries: Vec<String>,
    },
    /// The view files read: the good ones, and an error naming the file and line for each bad one.
    ViewsLoaded {
        views: Vec<super::views::SavedView>,
        errors: Vec<String>,
    },
    ViewSaved {
        path: PathBuf,
    },
    ViewSaveFailed {
        error: String,
    },
    Copied {
        what: String,
        chars: usize,
    },
    CopyFailed {
        what: String,
        reason: String,
    },
    Opened {
        url: String,
    },
    OpenFailed {
        error: String,
    },
    /// The history file could not be read or written.
    HistoryFailed {
        error: String,
    },
}
