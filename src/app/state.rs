//! The types several panes share, plain data importing no pane module: the settings, which keymap
//! section applies (`Context`), focus and layout mode, the status line with the load state, the
//! group field, and an edit plan with where it came from and what rolls it back. Each pane's own
//! sub-state lives in its module (`list`, `detail`, `view`, `input`, `prompt`, `form`, `group`,
//! `edits`) and the root `AppState` in `app`.

use super::row::Row;
use crate::model::enums::{SeverityLabel, VerificationState, WorkflowStatus};
use crate::model::finding::FindingId;
use crate::model::plan::CallPlan;

/// Settings the app reads (from the config file and the command line).
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Recorded as Note.UpdatedBy.
    pub user: String,
    /// `s` refuses an empty reason.
    pub suppress_reason_required: bool,
    /// Load the demo dataset into an empty store without asking (`--demo`).
    pub auto_demo: bool,
    /// Where the `:` line's history is kept across runs; `None` keeps it for this run only.
    pub history_file: Option<std::path::PathBuf>,
    /// The view the workbench opens on (`app::views`): "open work", "all", or a saved view's name;
    /// `None` shows every finding.
    pub default_view: Option<String>,
    /// Where saved views are kept, one TOML file each (`app::views`); `None`: the shipped ones only.
    pub views_dir: Option<std::path::PathBuf>,
    /// Mouse clicks and the wheel (`mouse = false` in config.toml turns them off).
    pub mouse: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            user: "hubtriage".into(),
            suppress_reason_required: false,
            auto_demo: false,
            history_file: None,
            default_view: None,
            views_dir: None,
            mouse: true,
        }
    }
}

/// What the help overlay shows: every key (`?`), or the `:` line's keys, commands and query
/// language (`:help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HelpTopic {
    #[default]
    Keys,
    CommandLine,
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
    /// A small menu: the view picker.
    Menu,
    Help,
}

impl Context {
    pub const ALL: [Context; 8] = [
        Context::List,
        Context::Detail,
        Context::Group,
        Context::Form,
        Context::Input,
        Context::Prompt,
        Context::Menu,
        Context::Help,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Context::List => "list",
            Context::Detail => "detail",
            Context::Group => "group",
            Context::Form => "form",
            Context::Input => "input",
            Context::Prompt => "prompt",
            Context::Menu => "menu",
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

/// An edit ready to send: identical updates grouped, each group split into calls of ≤ 100.
#[derive(Debug, Clone, PartialEq)]
pub struct EditPlan {
    pub description: String,
    pub calls: CallPlan<FindingId>,
    pub origin: Origin,
    /// How many of the findings are marked but not in the current view.
    pub hidden: usize,
    /// What undo will not be able to put back, said before the edit is sent.
    pub caveat: Option<String>,
    /// A suppression's expiry, kept with the edit by the store (`s` with "Expires").
    pub expiry: Option<crate::store::expiry::SetExpiry>,
    /// What changes, a line per field the edit sets ("240 findings: 180 NEW -> RESOLVED, …").
    pub breakdown: Vec<String>,
}

impl EditPlan {
    /// A plan with nothing hidden and nothing to warn about.
    pub fn new(description: String, calls: CallPlan<FindingId>, origin: Origin) -> EditPlan {
        EditPlan { description, calls, origin, hidden: 0, caveat: None, expiry: None, breakdown: Vec::new() }
    }

    pub fn findings(&self) -> usize {
        self.calls.findings()
    }

    /// "Set Workflow RESOLVED and Note on 240 findings: 3 BatchUpdateFindings calls", with
    /// "(2 marked, not in this view)" after the count when some are not shown.
    pub fn preview(&self) -> String {
        self.calls.preview_hidden(&self.description, self.hidden)
    }
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
    Title,
    Compliance,
    Generator,
    Type,
}

impl GroupField {
    pub const ALL: [GroupField; 11] = [
        GroupField::Severity,
        GroupField::Status,
        GroupField::Product,
        GroupField::Account,
        GroupField::ResourceType,
        GroupField::Control,
        GroupField::Region,
        GroupField::Title,
        GroupField::Compliance,
        GroupField::Generator,
        GroupField::Type,
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
            GroupField::Control => const { named("ControlId") },
            GroupField::Region => const { named("Region") },
            GroupField::Title => const { named("Title") },
            GroupField::Compliance => const { named("ComplianceStatus") },
            GroupField::Generator => const { named("GeneratorId") },
            GroupField::Type => const { named("Type") },
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
            GroupField::Title => &r.title,
            GroupField::Compliance => r.compliance.map_or("", |c| c.as_str()),
            GroupField::Generator => &r.generator,
            GroupField::Type => &r.types,
        }
    }

    /// The query term that selects one group, for drilling in. A type group's value is all of a
    /// finding's types joined, which no one term selects (a repeated key ORs): its first type,
    /// which `type:` reads as a prefix, selects those findings and any others with that type.
    pub fn term(self, value: &str) -> String {
        let key = self.field().query_key().unwrap_or_default();
        let value = match self {
            GroupField::Type => value.split(", ").next().unwrap_or(value),
            _ => value,
        };
        format!("{key}:\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    }
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
    /// An OCSF row's own severity and status.
    pub ocsf: Option<crate::model::ocsf::OcsfLabels>,
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
