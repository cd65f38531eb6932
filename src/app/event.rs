//! Facts the worker reports back, in the past tense.

use std::path::PathBuf;

use serde_json::Value;

use super::effect::BatchId;
use super::row::Row;
use crate::model::change::FieldChange;
use crate::model::finding::FindingKey;
use crate::model::update::FindingUpdate;

/// One entry of a finding's edit history, as the detail pane shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub time: String,
    pub who: String,
    /// Security Hub's own automatic change (e.g. a finding reopened), with its reason.
    pub service_reason: Option<String>,
    pub created: bool,
    pub changes: Vec<FieldChange>,
}

/// One finding that a call did not process, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    pub key: FindingKey,
    pub reason: String,
}

/// The outcome of one BatchUpdateFindings call.
#[derive(Debug, Clone, PartialEq)]
pub struct CallOutcome {
    pub processed: Vec<FindingKey>,
    pub unprocessed: Vec<Rejected>,
    /// For each processed finding, the update that would restore its previous values (for undo).
    pub restores: Vec<(FindingKey, FindingUpdate)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The backend's description, for the header.
    SourceDescribed {
        source: String,
    },
    /// A chunk of rows; `done` on the last one. `total` is the backend's count when known.
    RowsLoaded {
        generation: u64,
        rows: Vec<Row>,
        total: usize,
        done: bool,
    },
    RowsFailed {
        generation: u64,
        error: String,
    },
    DetailLoaded {
        key: FindingKey,
        doc: Option<Box<Value>>,
        history: Vec<HistoryEntry>,
    },
    DetailFailed {
        key: FindingKey,
        error: String,
    },
    QueryMatched {
        query_id: u64,
        keys: Vec<FindingKey>,
    },
    QueryFailed {
        query_id: u64,
        error: String,
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
        keys: Vec<FindingKey>,
        error: String,
    },
    DemoLoaded {
        count: usize,
    },
    DemoFailed {
        error: String,
    },
    Exported {
        path: PathBuf,
        count: usize,
    },
    ExportFailed {
        path: PathBuf,
        error: String,
    },
}
