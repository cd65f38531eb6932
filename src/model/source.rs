//! What a source of findings (the local store, a remote Security Hub) can do and how it fails, as
//! the workbench sees it: the capabilities the UI may ask about, and the typed error every `Backend`
//! operation returns. The app reacts to the kind; the message says what and where, never a secret.

use super::finding::Format;

/// How an operation failed, so the UI can act on it (wait and retry, go offline, ask to fix input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The endpoint's rate limit was hit (HTTP 429, ThrottlingException, LimitExceededException).
    Throttled,
    /// The source cannot be reached or failed for now (network, a 5xx, a busy or damaged store);
    /// the same request may succeed later.
    Unavailable,
    /// The caller is not allowed (credentials, permissions).
    AccessDenied,
    /// What the request names does not exist.
    NotFound,
    /// The request itself is wrong (InvalidInputException, a query the source refuses).
    Invalid,
    Other,
}

impl ErrorKind {
    /// Whether the same request may succeed if sent again later.
    pub fn is_retryable(self) -> bool {
        matches!(self, ErrorKind::Throttled | ErrorKind::Unavailable)
    }
}

/// A failed operation: its kind and a message that says what and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct BackendError {
    pub kind: ErrorKind,
    pub message: String,
}

impl BackendError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> BackendError {
        BackendError { kind, message: message.into() }
    }

    pub fn throttled(message: impl Into<String>) -> BackendError {
        BackendError::new(ErrorKind::Throttled, message)
    }

    pub fn unavailable(message: impl Into<String>) -> BackendError {
        BackendError::new(ErrorKind::Unavailable, message)
    }

    pub fn invalid(message: impl Into<String>) -> BackendError {
        BackendError::new(ErrorKind::Invalid, message)
    }

    pub fn other(message: impl Into<String>) -> BackendError {
        BackendError::new(ErrorKind::Other, message)
    }
}

/// A published request rate: `per_second` sustained, `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub per_second: f64,
    pub burst: u32,
}

/// What a source can do, for the UI to ask before offering it.
#[derive(Debug, Clone, PartialEq)]
pub struct Capabilities {
    /// The finding formats it holds.
    pub formats: Vec<Format>,
    /// Whether findings have an edit history to show.
    pub history: bool,
    /// Whether it can be seeded with findings (the demo dataset).
    pub seed: bool,
    /// The rate limits of its reads and updates, when it has any.
    pub read_rate: Option<Rate>,
    pub update_rate: Option<Rate>,
    /// Whether it holds a cached view of a larger source that can be asked for a query's findings
    /// beyond that view (a remote's read cache): the workbench asks it for each `:` query.
    pub fetches_beyond_view: bool,
}

impl Default for Capabilities {
    fn default() -> Self {
        Capabilities {
            formats: vec![Format::Asff],
            history: true,
            seed: true,
            read_rate: None,
            update_rate: None,
            fetches_beyond_view: false,
        }
    }
}

/// A finding's edit waiting in a remote's outbox: on disk, not yet confirmed by the remote.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedEdit {
    pub key: super::finding::FindingId,
    /// When its oldest unconfirmed edit was queued, ms since the epoch.
    pub queued_ms: i64,
    /// Calls that carried it and failed in a way worth retrying (offline, throttled, 5xx).
    pub attempts: u32,
    /// Why the last of those failed.
    pub last_error: Option<String>,
}

/// A finding's edit the remote refused for good, with its code (as the workbench's `!` shows).
#[derive(Debug, Clone, PartialEq)]
pub struct RefusedEdit {
    pub key: super::finding::FindingId,
    /// "CODE: message".
    pub reason: String,
    pub update: super::update::FindingUpdate,
}

/// What a remote's outbox holds, as the workbench marks it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OutboxState {
    pub queued: Vec<QueuedEdit>,
    pub refused: Vec<RefusedEdit>,
}

/// What a background recheck of a remote's cached findings found (another analyst's
/// BatchUpdateFindings edits, which do not change `UpdatedAt`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rechecked {
    /// Findings read again and found changed: their new summaries.
    pub updated: Vec<super::summary::FindingSummary>,
    /// Findings read again (changed or not), and when, ms since the epoch.
    pub checked: Vec<super::finding::FindingId>,
    pub at_ms: i64,
}
