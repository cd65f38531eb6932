//! The workbench's state, split by pane: rows and the current view of them, the list cursor and
//! marks, the detail pane, the input line and prompts, the edit form, the group view, edits in
//! flight with undo/redo, and the status line. Plain data: selection and scroll are numbers.

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use time::OffsetDateTime;

use super::effect::BatchId;
use super::event::HistoryEntry;
use super::filter::{LiveFilter, SortSpec};
use super::form::FormState;
use super::matcher::{self, Haystack};
use super::row::Row;
use crate::model::enums::{SeverityLabel, VerificationState, WorkflowStatus};
use crate::model::finding::FindingKey;
use crate::model::update::FindingUpdate;

/// Settings the app reads (from the config file and the command line).
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Recorded as Note.UpdatedBy.
    pub user: String,
    /// `s` refuses an empty reason.
    pub suppress_reason_required: bool,
    /// Load the demo dataset into an empty store without asking (`--demo`).
    pub auto_demo: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config { user: "hubtriage".into(), suppress_reason_required: false, auto_demo: false }
    }
}

/// The keymap sections: what the keys mean depends on what has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    List,
    Detail,
    Group,
    Form,
    /// A line of text: the `/` filter, the `:` command line, a note or reason.
    Input,
    /// A yes/no question.
    Prompt,
    Help,
}

impl Context {
    pub const ALL: [Context; 7] =
        [Context::List, Context::Detail, Context::Group, Context::Form, Context::Input, Context::Prompt, Context::Help];

    pub fn name(self) -> &'static str {
        match self {
            Context::List => "list",
            Context::Detail => "detail",
            Context::Group => "group",
            Context::Form => "form",
            Context::Input => "input",
            Context::Prompt => "prompt",
            Context::Help => "help",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    #[default]
    List,
    Detail,
}

/// What fills the main area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Split,
    /// The detail pane at full height.
    DetailFull,
    Group,
}

/// All rows, in load order. Indices into `all` (u32) are stable until the next reload.
#[derive(Debug, Default)]
pub struct RowStore {
    pub all: Vec<Row>,
    /// Finds a row by its key without a second copy of every key (about 200 bytes a row): the
    /// index maps a 64-bit hash of the key; a key whose hash another key already has goes to
    /// `collided`.
    by_hash: HashMap<u64, u32>,
    collided: HashMap<FindingKey, u32>,
    /// Every row's search fields (`Row::search_fields`), folded to lower case and joined by
    /// `matcher::SEPARATOR`, one row after another: the `/` filter scans this one buffer, in load
    /// order, instead of a heap string per row. Edits never change the search fields.
    haystacks: String,
    /// One bit per byte of `haystacks`: whether a word starts there, decided on the text as shown
    /// (which knows camel case) when the row was added.
    word_starts: Vec<u64>,
    /// Where each row's haystack starts in `haystacks`, and one more: the end of the last.
    haystack_at: Vec<usize>,
}

impl RowStore {
    pub fn push(&mut self, row: Row) -> u32 {
        let i = self.all.len() as u32;
        if self.haystack_at.is_empty() {
            self.haystack_at.push(0);
        }
        for (n, field) in row.search_fields().iter().enumerate() {
            if n > 0 {
                self.haystacks.push(matcher::SEPARATOR);
            }
            matcher::mark_word_starts(field, self.haystacks.len(), &mut self.word_starts);
            matcher::fold_into(field, &mut self.haystacks);
        }
        self.haystack_at.push(self.haystacks.len());
        let h = key_hash(&row.key);
        match self.by_hash.get(&h).and_then(|&j| self.all.get(j as usize)) {
            Some(other) if other.key != row.key => {
                self.collided.insert(row.key.clone(), i);
            }
            // A key seen again now names the newer row, as a map insert would.
            _ => {
                self.by_hash.insert(h, i);
            }
        }
        self.all.push(row);
        i
    }

    /// Room for `n` more rows, when their number is known.
    pub fn reserve(&mut self, n: usize) {
        self.all.reserve(n);
        self.by_hash.reserve(n);
        self.haystack_at.reserve(n + 1);
    }

    /// Row `i`'s search fields, folded, joined by `matcher::SEPARATOR`, with their word starts
    /// (empty when there is no row `i`).
    pub fn haystack(&self, i: u32) -> Haystack<'_> {
        let i = i as usize;
        match (self.haystack_at.get(i), self.haystack_at.get(i + 1)) {
            (Some(&start), Some(&end)) => {
                Haystack::new(self.haystacks.get(start..end).unwrap_or(""), &self.word_starts, start)
            }
            _ => Haystack::new("", &[], 0),
        }
    }

    pub fn get(&self, i: u32) -> Option<&Row> {
        self.all.get(i as usize)
    }

    pub fn index_of(&self, key: &FindingKey) -> Option<u32> {
        match self.by_hash.get(&key_hash(key)) {
            Some(&i) if self.get(i).is_some_and(|r| r.key == *key) => Some(i),
            _ => self.collided.get(key).copied(),
        }
    }
}

fn key_hash(key: &FindingKey) -> u64 {
    std::hash::BuildHasher::hash_one(&std::hash::BuildHasherDefault::<std::hash::DefaultHasher>::default(), key)
}

/// Where loading stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoadState {
    #[default]
    Starting,
    Loading {
        loaded: usize,
        total: usize,
    },
    Loaded,
    Failed,
}

/// The active structured query (`:` line).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryState {
    pub text: String,
    /// Rows matching, when the worker answered (or the rows were evaluated in memory).
    pub matched: Option<HashSet<u32>>,
    /// Waiting for the worker's answer to this query id.
    pub pending: Option<u64>,
    pub next_id: u64,
}

/// Which rows show, in which order.
#[derive(Debug, Default)]
pub struct ViewState {
    /// Every row, sorted.
    pub order: Vec<u32>,
    /// `order` narrowed by the structured query.
    pub base: Vec<u32>,
    /// `base` narrowed by the live filter: what the list shows.
    pub visible: Vec<u32>,
    pub sort: SortSpec,
    pub query: QueryState,
    pub filter: LiveFilter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ListState {
    /// Position in `view.visible`.
    pub cursor: usize,
    /// First visible position.
    pub offset: usize,
    /// Rows the list shows at once (from the terminal size).
    pub page: usize,
    /// Where a `v` range started.
    pub anchor: Option<usize>,
}

#[derive(Debug, Default)]
pub struct DetailState {
    pub key: Option<FindingKey>,
    pub doc: Option<Value>,
    pub history: Vec<HistoryEntry>,
    pub loading: bool,
    pub error: Option<String>,
    /// First line shown.
    pub scroll: u16,
    /// The largest `scroll` that still fills the pane, as the pane was last laid out
    /// (`update::detail_measured`); `None` until then, when scrolling is not bounded.
    pub bottom: Option<u16>,
    pub raw: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Filter,
    Command,
}

/// The `/` or `:` line while it is being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputLine {
    pub kind: InputKind,
    pub text: String,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextPurpose {
    SuppressReason,
    Note,
}

/// An edit ready to send: identical updates grouped, each group split into calls of ≤ 100.
#[derive(Debug, Clone, PartialEq)]
pub struct EditPlan {
    pub description: String,
    pub groups: Vec<(FindingUpdate, Vec<FindingKey>)>,
    pub origin: Origin,
}

impl EditPlan {
    pub fn findings(&self) -> usize {
        self.groups.iter().map(|(_, k)| k.len()).sum()
    }

    pub fn calls(&self) -> usize {
        self.groups.iter().map(|(_, k)| k.len().div_ceil(crate::model::update::MAX_IDENTIFIERS)).sum()
    }

    /// "Set Workflow RESOLVED and Note on 240 findings: 3 BatchUpdateFindings calls".
    pub fn preview(&self) -> String {
        let (n, c) = (self.findings(), self.calls());
        format!(
            "{} on {n} finding{}: {c} BatchUpdateFindings call{}",
            self.description,
            if n == 1 { "" } else { "s" },
            if c == 1 { "" } else { "s" }
        )
    }
}

/// A modal question.
#[derive(Debug, Clone, PartialEq)]
pub enum Prompt {
    Text { purpose: TextPurpose, text: String, error: Option<String> },
    Confirm(EditPlan),
    QuitWithEditsInFlight,
    OfferDemo,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupField {
    #[default]
    Severity,
    Status,
    Product,
    Account,
    ResourceType,
    Control,
    Region,
}

impl GroupField {
    pub const ALL: [GroupField; 7] = [
        GroupField::Severity,
        GroupField::Status,
        GroupField::Product,
        GroupField::Account,
        GroupField::ResourceType,
        GroupField::Control,
        GroupField::Region,
    ];

    /// The finding field this groups by. Its name, the words that select it and its query key are
    /// that field's in the field registry (`model::filter::fields`).
    pub fn field(self) -> &'static crate::model::filter::FieldDef {
        use crate::model::filter::fields::named;
        match self {
            GroupField::Severity => const { named("SeverityLabel") },
            GroupField::Status => const { named("WorkflowStatus") },
            GroupField::Product => const { named("ProductName") },
            GroupField::Account => const { named("AwsAccountId") },
            GroupField::ResourceType => const { named("ResourceType") },
            GroupField::Control => const { named("ComplianceSecurityControlId") },
            GroupField::Region => const { named("Region") },
        }
    }

    pub fn name(self) -> &'static str {
        self.field().workbench_group.map_or("", |n| n.name)
    }

    /// Where a value stands in the field's own order (most severe first; the workflow's order), for
    /// fields that have one; the others are listed by count.
    pub fn natural_rank(self, value: &str) -> Option<usize> {
        match self {
            GroupField::Severity => SeverityLabel::parse(value).map(|l| SeverityLabel::ALL.len() - l.rank() as usize),
            GroupField::Status => WorkflowStatus::ALL.iter().position(|w| w.as_str() == value),
            _ => None,
        }
    }

    pub fn parse(s: &str) -> Option<GroupField> {
        let field = crate::model::filter::fields::workbench_group(s)?;
        GroupField::ALL.iter().copied().find(|g| g.field().name == field.name)
    }

    /// A row's value for this field ("" when it has none).
    pub fn value_of(self, r: &Row) -> &str {
        match self {
            GroupField::Severity => r.severity.map_or("", SeverityLabel::as_str),
            GroupField::Status => r.workflow.map_or("", WorkflowStatus::as_str),
            GroupField::Product => &r.product,
            GroupField::Account => &r.account,
            GroupField::ResourceType => &r.resource_type,
            GroupField::Control => &r.control_id,
            GroupField::Region => &r.region,
        }
    }

    /// The query term that selects one group, for drilling in.
    pub fn term(self, value: &str) -> String {
        let key = self.field().query_key().unwrap_or_default();
        format!("{key}:\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupState {
    pub field: GroupField,
    /// (value, count), largest first.
    pub groups: Vec<(String, usize)>,
    pub cursor: usize,
}

/// Where a batch came from, and so what completing it does to the undo history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Edit,
    Retry,
    Undo,
    Redo,
}

/// The visible values of a row an edit may change, kept to roll an optimistic change back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowFields {
    pub workflow: Option<WorkflowStatus>,
    pub severity: Option<SeverityLabel>,
    pub verification: Option<VerificationState>,
    pub confidence: Option<i64>,
    pub criticality: Option<i64>,
}

/// A bulk edit whose calls are still being answered.
#[derive(Debug, Clone, PartialEq)]
pub struct InFlight {
    pub plan: EditPlan,
    /// The update and identifiers of each call, by call index.
    pub calls: Vec<(FindingUpdate, Vec<FindingKey>)>,
    pub answered: usize,
    pub findings_done: usize,
    pub rollback: HashMap<FindingKey, RowFields>,
    pub restores: Vec<(FindingKey, FindingUpdate)>,
    pub processed: Vec<(FindingUpdate, Vec<FindingKey>)>,
    pub rejected: usize,
    pub started: OffsetDateTime,
    /// The applied edit this batch undoes; it moves to the redo stack when the batch completes.
    pub undoing: Option<AppliedEdit>,
}

/// An edit the backend acknowledged, with what undoes it.
#[derive(Debug, Clone, PartialEq)]
pub struct AppliedEdit {
    pub description: String,
    /// Re-applies the edit (redo).
    pub forward: Vec<(FindingUpdate, Vec<FindingKey>)>,
    /// Restores each finding's previous values (undo).
    pub restores: Vec<(FindingKey, FindingUpdate)>,
}

/// A finding the backend did not update: it stays marked with the reason until retried.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub reason: String,
    pub update: FindingUpdate,
}

#[derive(Debug, Default)]
pub struct PendingEdits {
    pub next_id: BatchId,
    pub in_flight: HashMap<BatchId, InFlight>,
    pub failed: HashMap<FindingKey, Failure>,
}

impl PendingEdits {
    pub fn findings_in_flight(&self) -> usize {
        self.in_flight.values().map(|b| b.plan.findings() - b.findings_done).sum()
    }
}

#[derive(Debug, Default)]
pub struct UndoHistory {
    pub undo: Vec<AppliedEdit>,
    pub redo: Vec<AppliedEdit>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub level: Level,
    pub text: String,
}

#[derive(Debug, Default)]
pub struct StatusState {
    pub message: Option<Message>,
    pub load: LoadState,
}

/// Everything the workbench knows. Built with [`AppState::new`]; changed only by `update`.
#[derive(Debug)]
pub struct AppState {
    /// The injected clock: set from ticks, so update and render are repeatable.
    pub now: OffsetDateTime,
    pub config: Config,
    pub source: String,
    pub rows: RowStore,
    pub view: ViewState,
    pub list: ListState,
    pub marks: HashSet<u32>,
    /// Marked findings of the previous load, marked again as their rows arrive.
    pub pending_marks: HashSet<FindingKey>,
    pub detail: DetailState,
    pub input: Option<InputLine>,
    pub prompt: Option<Prompt>,
    pub form: Option<FormState>,
    pub group: GroupState,
    pub edits: PendingEdits,
    pub history: UndoHistory,
    pub status: StatusState,
    pub focus: Focus,
    pub mode: Mode,
    pub help: bool,
    pub generation: u64,
    pub size: (u16, u16),
    pub quit: bool,
    /// Something visible changed since the last frame.
    pub dirty: bool,
}

impl AppState {
    pub fn new(config: Config, source: impl Into<String>, now: OffsetDateTime) -> AppState {
        AppState {
            now,
            config,
            source: source.into(),
            rows: RowStore::default(),
            view: ViewState::default(),
            list: ListState { page: 20, ..ListState::default() },
            marks: HashSet::new(),
            pending_marks: HashSet::new(),
            detail: DetailState::default(),
            input: None,
            prompt: None,
            form: None,
            group: GroupState::default(),
            edits: PendingEdits::default(),
            history: UndoHistory::default(),
            status: StatusState::default(),
            focus: Focus::List,
            mode: Mode::Split,
            help: false,
            generation: 0,
            size: (80, 24),
            quit: false,
            dirty: true,
        }
    }

    /// The row under the cursor.
    pub fn cursor_row(&self) -> Option<(u32, &Row)> {
        let i = *self.view.visible.get(self.list.cursor)?;
        Some((i, self.rows.get(i)?))
    }

    /// What an edit applies to: the marked rows, else the cursor row.
    pub fn targets(&self) -> Vec<u32> {
        if self.marks.is_empty() {
            self.cursor_row().map(|(i, _)| vec![i]).unwrap_or_default()
        } else {
            // In list order, so calls and previews are stable.
            self.view.order.iter().copied().filter(|i| self.marks.contains(i)).collect()
        }
    }

    /// Which keymap section applies now.
    pub fn context(&self) -> Context {
        if self.help {
            Context::Help
        } else if let Some(p) = &self.prompt {
            match p {
                Prompt::Text { .. } => Context::Input,
                _ => Context::Prompt,
            }
        } else if self.form.is_some() {
            Context::Form
        } else if self.input.is_some() {
            Context::Input
        } else if self.mode == Mode::Group {
            Context::Group
        } else if self.focus == Focus::Detail || self.mode == Mode::DetailFull {
            Context::Detail
        } else {
            Context::List
        }
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.status.message = Some(Message { level: Level::Info, text: text.into() });
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.status.message = Some(Message { level: Level::Error, text: text.into() });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, title: &str) -> Row {
        Row { key: FindingKey::new("arn:p", id), title: title.into(), account: "111122223333".into(), ..Row::default() }
    }

    #[test]
    fn rows_are_found_by_key_even_when_hashes_collide() {
        let mut s = RowStore::default();
        assert_eq!(s.push(row("a", "First")), 0);
        assert_eq!(s.push(row("b", "Second")), 1);
        assert_eq!(s.index_of(&FindingKey::new("arn:p", "b")), Some(1));
        assert_eq!(s.index_of(&FindingKey::new("arn:p", "zz")), None);
        // Pretend "c" hashes like "a": it must still be found, and "a" too.
        let c = FindingKey::new("arn:p", "c");
        s.by_hash.insert(key_hash(&c), 0);
        assert_eq!(s.push(row("c", "Third")), 2);
        assert_eq!(s.index_of(&c), Some(2));
        assert_eq!(s.index_of(&FindingKey::new("arn:p", "a")), Some(0));
        assert_eq!(s.push(row("b", "Again")), 3, "a key seen again names the newer row");
        assert_eq!(s.index_of(&FindingKey::new("arn:p", "b")), Some(3));
    }

    #[test]
    fn each_row_has_its_folded_haystack() {
        let mut s = RowStore::default();
        s.push(row("a", "S3 Bucket"));
        s.push(row("b", "ÉCOLE"));
        assert_eq!(s.haystack(0).text, "s3 bucket\n\n\n111122223333\n\n");
        assert_eq!(s.haystack(1).text, "école\n\n\n111122223333\n\n");
        assert_eq!(s.haystack(2).text, "");
    }
}
