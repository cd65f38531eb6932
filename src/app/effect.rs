//! I/O the app asks for. The worker runs each against a `Backend` and answers with `Event`s.

use std::path::PathBuf;

use crate::model::call::UpdateCall;
use crate::model::finding::FindingId;
use crate::query::Query;

/// Identifies one bulk edit (all its BatchUpdateFindings calls) across effects and events.
pub type BatchId = u64;

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Stream every row; `generation` tags the answer so a stale load is ignored.
    LoadRows {
        generation: u64,
    },
    /// One finding's document and history for the detail pane.
    LoadDetail {
        key: FindingId,
    },
    /// A structured query the rows cannot answer (free words, resources, tags): matching keys.
    RunQuery {
        query_id: u64,
        query: Query,
    },
    /// A `:` query on a cached view of a remote: fetch what it selects beyond the view.
    FetchBeyondView {
        query: Query,
    },
    /// Update calls (each ≤ 100 findings), sent one at a time in order. The worker reads the
    /// findings' documents once, before the first call, for what undo restores.
    ApplyBatch {
        batch_id: BatchId,
        calls: Vec<UpdateCall>,
    },
    /// Import the demo dataset into the (empty) source.
    LoadDemo,
    /// Delete the demo findings from the source (`:demo remove`, after a yes).
    RemoveDemo,
    /// Write these findings to a file, JSON or CSV by its extension (`export::ExportFormat`);
    /// an existing file is replaced only when `overwrite`.
    Export {
        path: PathBuf,
        keys: Vec<FindingId>,
        overwrite: bool,
    },
    /// Read the `:` line's history file (`Event::HistoryLoaded`); a missing file is an empty history.
    LoadHistory {
        path: PathBuf,
    },
    /// Write the `:` line's history file, replacing it whole.
    SaveHistory {
        path: PathBuf,
        entries: Vec<String>,
    },
    /// Read every `*.toml` view file of `dir` (`Event::ViewsLoaded`); a missing directory has none.
    LoadViews {
        dir: PathBuf,
    },
    /// Write one view file, replacing it.
    SaveView {
        path: PathBuf,
        text: String,
    },
    /// Of these findings, the ones whose history shows the workflow going from RESOLVED or
    /// SUPPRESSED back to NEW or NOTIFIED, answered as `Event::QueryMatched`.
    FindReopened {
        query_id: u64,
        keys: Vec<FindingId>,
    },
    /// Put `text` on the terminal's clipboard (OSC 52): the terminal loop writes it, and answers
    /// `Event::Copied` or `Event::CopyFailed`. `what` names it ("Id", "JSON").
    Copy {
        what: String,
        text: String,
    },
    /// Open an http(s) URL in the browser (xdg-open, open); the worker starts it and never waits.
    OpenUrl {
        url: String,
    },
    /// Update calls as `ApplyBatch`, for a suppression with an expiry (`s` with "Expires"): the
    /// source keeps the expiry in the same transaction (a local store; others refuse).
    ApplyExpiringBatch {
        batch_id: BatchId,
        calls: Vec<UpdateCall>,
        expiry: crate::store::expiry::SetExpiry,
    },
    /// Reopen the suppressions whose expiry has passed (`store::expiry`), answered as
    /// `Event::SuppressionsExpired`; sent when the workbench starts and then every minute.
    ExpireDue,
    /// Of these findings, the ones whose suppression expires within `within`, answered as
    /// `Event::QueryMatched` (the "suppressed, expiring" view).
    FindExpiring {
        query_id: u64,
        keys: Vec<FindingId>,
        within: time::Duration,
    },
    /// Keep a finished bulk edit in the source's change log (`Backend::log_edit`): its
    /// description and each processed finding's restore. Answered only on failure
    /// (`Event::LogFailed`).
    LogEdit {
        description: String,
        restores: Vec<(FindingId, crate::model::update::FindingUpdate)>,
    },
    /// Read the newest `limit` entries of the source's change log (`:log`), answered as
    /// `Event::ChangeLogLoaded` or `Event::ChangeLogFailed`.
    LoadChangeLog {
        limit: usize,
    },
    /// Read what undoing change-log entry `id` would send (`:log`, Enter or `u`), answered as
    /// `Event::LogEntryLoaded` or `Event::ChangeLogFailed`.
    LoadLogEntry {
        id: i64,
    },
    /// Undo change-log entry `id` as `hubtriage log --undo` does (after the analyst's yes),
    /// answered as `Event::LogUndone` or `Event::ChangeLogFailed`.
    UndoLogged {
        id: i64,
    },
    /// Whether another process changed the source since the last ask (`worker::watch`), answered
    /// as `Event::StoreChanged` only when it did; sent every two seconds.
    WatchStore,
    Quit,
}
