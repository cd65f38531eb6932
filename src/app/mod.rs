//! The workbench's core, free of terminal, async runtime and I/O: the root state `AppState`, the three
//! message types (`Action` in, `Effect` out, `Event` back), and the pure `update`/`handle_event`.
//!
//! Each pane owns its sub-state and its transitions in one module, and `update` only hands each
//! message to its module. The pane modules use this root and the ones listed before them, never
//! one after, so there is no cycle:
//! `detail`, `list`, `view`, `edits`, `prompt`, then `form`, `focus`, `group`, `views`, `menu`, `load`,
//! `changelog`, `input`, and `update` over all. Below them are the shared types, which import no pane: `state`,
//! `action`, `effect`, `event`, `row`, `rows`, `filter`, `matcher`, `columnar`, `layout`, `edit`,
//! `line`, `cmdline`.
//!
//! A bench or test drives it without a terminal:
//! `AppState::new` → `start` → `handle_event(RowsLoaded{..})` → `update(Action)` →
//! `ui::render` into a ratatui `TestBackend`.
pub mod action;
pub mod changelog;
pub mod cmdline;
pub mod columnar;
pub mod columns;
pub mod detail;
pub mod edit;
pub mod edits;
pub mod effect;
pub mod event;
pub mod expiry;
pub mod filter;
pub mod focus;
pub mod form;
pub mod group;
pub mod input;
pub mod layout;
pub mod line;
pub mod list;
pub mod load;
pub mod log;
pub mod matcher;
pub mod menu;
pub mod mouse;
pub mod prompt;
pub mod row;
pub mod rows;
pub mod state;
pub mod update;
pub mod view;
pub mod views;

use std::collections::HashSet;

use time::OffsetDateTime;

pub use action::Action;
pub use detail::{detail_measured, detail_search_measured};
pub use effect::Effect;
pub use event::Event;
pub use focus::help_measured;
pub use list::resize;
pub use load::start;
pub use update::{handle_event, update};

use crate::model::finding::FindingId;
use crate::model::source::Capabilities;
use detail::DetailState;
use edits::{PendingEdits, UndoHistory};
use form::FormState;
use group::GroupState;
use input::InputLine;
use list::ListState;
use prompt::Prompt;
use row::Row;
use rows::RowStore;
use state::{Config, Context, Focus, Level, LoadState, Message, Mode, StatusState};
use view::ViewState;

/// Everything the workbench knows, one field per pane. Built with [`AppState::new`]; changed only
/// by the functions this module exports (`update`, `handle_event`, `start`, `tick`, `resize`, …).
#[derive(Debug)]
pub struct AppState {
    /// The injected clock: set from ticks, so update and render are repeatable.
    pub now: OffsetDateTime,
    pub config: Config,
    pub source: String,
    /// What the source can do, as the worker reported it.
    pub capabilities: Capabilities,
    pub rows: RowStore,
    pub view: ViewState,
    pub list: ListState,
    pub marks: HashSet<u32>,
    /// Marked findings of the previous load, marked again as their rows arrive.
    pub pending_marks: HashSet<FindingId>,
    pub detail: DetailState,
    pub input: Option<InputLine>,
    /// The `:` line's history.
    pub cmdline: cmdline::CmdlineState,
    pub prompt: Option<Prompt>,
    pub form: Option<FormState>,
    /// A small menu over the panes (the view picker).
    pub menu: Option<menu::Menu>,
    pub group: GroupState,
    /// The named views: the shipped ones and the files read.
    pub views: views::Catalog,
    pub edits: PendingEdits,
    pub history: UndoHistory,
    pub status: StatusState,
    pub focus: Focus,
    pub mode: Mode,
    pub help: bool,
    pub help_topic: state::HelpTopic,
    /// How far the help overlay is scrolled.
    pub help_scroll: u16,
    /// The furthest the help overlay can scroll, as `ui::help_bottom` measured it for the main loop
    /// (`help_measured`): its length depends on the keymap and the screen, which only the UI has.
    pub help_bottom: u16,
    pub generation: u64,
    pub size: (u16, u16),
    pub quit: bool,
    /// Something visible changed since the last frame.
    pub dirty: bool,
    /// Changes to the store by other processes (`log`).
    pub log: log::LogState,
    /// The `:log` overlay over the store's change log, while open.
    pub changelog: Option<changelog::LogView>,
}

impl AppState {
    pub fn new(config: Config, source: impl Into<String>, now: OffsetDateTime) -> AppState {
        AppState {
            now,
            config,
            source: source.into(),
            capabilities: Capabilities::default(),
            rows: RowStore::default(),
            view: ViewState::default(),
            list: ListState { page: 20, ..ListState::default() },
            marks: HashSet::new(),
            pending_marks: HashSet::new(),
            detail: DetailState::default(),
            input: None,
            cmdline: cmdline::CmdlineState::default(),
            prompt: None,
            form: None,
            menu: None,
            group: GroupState::default(),
            views: views::Catalog::default(),
            edits: PendingEdits::default(),
            history: UndoHistory::default(),
            status: StatusState::default(),
            focus: Focus::List,
            mode: Mode::Split,
            help: false,
            help_topic: state::HelpTopic::Keys,
            help_scroll: 0,
            help_bottom: 0,
            generation: 0,
            size: (80, 24),
            quit: false,
            dirty: true,
            log: log::LogState::default(),
            changelog: None,
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
        } else if self.menu.is_some() || self.changelog.is_some() {
            Context::Menu
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

/// Advances the injected clock. Redraws only when something on screen moves with time.
pub fn tick(s: &mut AppState, now: OffsetDateTime) {
    let minute_changed = s.now.unix_timestamp() / 60 != now.unix_timestamp() / 60;
    s.now = now;
    if minute_changed || !s.edits.in_flight.is_empty() || matches!(s.status.load, LoadState::Loading { .. }) {
        s.dirty = true;
    }
}

#[cfg(test)]
pub(crate) mod tests;
#[cfg(test)]
mod tests_status;
