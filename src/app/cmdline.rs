//! What the `:` line knows beyond editing: its history (Up/Down walk the lines run before, kept
//! across runs in a file the worker reads and writes) and Tab completion of the query language's
//! keys, the commands and the values a key takes (its closed set, or what the loaded rows hold).
//!
//! Completion works on the term before the cursor: a key (`sev` → `sev:`), or the last value after
//! a key's operator (`region:eu` → `region:eu-west-1`, `status:new,res` → `status:new,resolved`).
//! Several candidates: the first Tab puts in the first and lists them all under the line, each
//! further Tab (Shift-Tab back) puts in the next; any other key keeps the one shown.

use std::collections::BTreeSet;

use super::filter::SortColumn;
use super::rows::RowStore;
use super::state::GroupField;
use crate::model::enums::SeverityLabel;
use crate::model::filter::fields::{self, Read};

/// The most `:` lines kept, in memory and in the file: older ones are dropped.
pub const MAX_HISTORY: usize = 500;

/// The `:` line's state between openings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CmdlineState {
    pub history: History,
    /// The history file was read: until then it is not written, so a file that could not be read
    /// is never replaced by this run's lines alone.
    pub loaded: bool,
    /// A line joined the history since the file was read.
    pub changed: bool,
}

impl CmdlineState {
    /// Whether the history should be written to its file at quit.
    pub fn to_save(&self) -> bool {
        self.loaded && self.changed
    }
}

/// The `:` lines run, oldest first, no two in a row the same.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    pub entries: Vec<String>,
}

impl History {
    /// A line that ran. An empty line, or the same as the last, is not kept again.
    pub fn push(&mut self, line: &str) -> bool {
        let line = line.trim();
        if line.is_empty() || self.entries.last().is_some_and(|l| l == line) {
            return false;
        }
        self.entries.push(line.to_string());
        self.trim();
        true
    }

    /// The history file's lines, read after this session may already have run some: they go before.
    pub fn loaded(&mut self, mut older: Vec<String>) {
        older.retain(|l| !l.trim().is_empty());
        older.dedup();
        let mine = std::mem::take(&mut self.entries);
        self.entries = older;
        for l in mine {
            self.push(&l);
        }
        self.trim();
    }

    fn trim(&mut self) {
        let over = self.entries.len().saturating_sub(MAX_HISTORY);
        self.entries.drain(..over);
    }
}

/// Walking the history from the line being typed: which entry shows, and the line typed before the
/// walk, shown again when Down walks past the newest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Browse {
    pub index: usize,
    pub draft: String,
}

/// A completion in progress: the candidates for the term that started at `start`, and which one is
/// in the line (it ends at the cursor).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub start: usize,
    pub candidates: Vec<String>,
    pub index: usize,
}

/// The `:` commands, completed as the first word of the line.
pub(crate) const COMMANDS: [&str; 10] =
    ["sort", "group", "view", "export", "clear", "help", "quit", "demo", "columns", "log"];

/// Where the term the cursor ends starts: after the last whitespace outside quotes.
fn term_start(before: &str) -> usize {
    let mut quoted = false;
    let mut escaped = false;
    let mut start = 0;
    for (i, c) in before.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => start = i + c.len_utf8(),
            _ => {}
        }
    }
    start
}

/// A value as the query language reads it: quoted when it has a space or a character the language
/// gives a meaning to.
fn quote(v: &str) -> String {
    if v.is_empty() || v.chars().any(|c| c.is_whitespace() || matches!(c, ',' | '"' | '*' | '\\' | '<' | '>' | '=')) {
        format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        v.to_string()
    }
}

fn starts_with_folded(candidate: &str, typed: &str) -> bool {
    candidate.len() >= typed.len()
        && candidate.is_char_boundary(typed.len())
        && candidate[..typed.len()].eq_ignore_ascii_case(typed)
}

/// The values a key takes that start with `typed`: a closed set in its order, else the distinct
/// values of the loaded rows, sorted.
fn values(key: &str, typed: &str, rows: &RowStore) -> Vec<String> {
    let Some((field, read)) = fields::query_key(key) else { return Vec::new() };
    let typed = typed.strip_prefix('"').unwrap_or(typed);
    let closed: Option<Vec<String>> = match read {
        Read::Severity => Some(SeverityLabel::ALL.iter().rev().map(|l| l.as_str().to_ascii_lowercase()).collect()),
        Read::OneOf(set) => Some(set.values().iter().map(|v| v.to_ascii_lowercase()).collect()),
        _ if field.name == "Sample" => Some(vec!["true".into(), "false".into()]),
        _ => None,
    };
    if let Some(all) = closed {
        return all.into_iter().filter(|v| starts_with_folded(v, typed)).collect();
    }
    let of: fn(&super::row::Row) -> &str = match field.name {
        "AwsAccountId" => |r| &r.account,
        "Region" => |r| &r.region,
        "ProductName" => |r| &r.product,
        "ControlId" => |r| &r.control_id,
        "ResourceType" => |r| &r.resource_type,
        _ => return Vec::new(),
    };
    let found: BTreeSet<&str> =
        rows.all.iter().map(of).filter(|v| !v.is_empty() && starts_with_folded(v, typed)).collect();
    found.into_iter().map(quote).collect()
}

/// After `view ` (or `view save `): the views' names that start with what is typed (a name may have
/// spaces, so the whole rest of the line is the term), and `save` itself.
pub fn view_candidates(before: &str, names: &[String]) -> Option<(usize, Vec<String>)> {
    let rest = before.strip_prefix("view ")?;
    let start = before.len() - rest.trim_start().len();
    let typed = rest.trim_start();
    let (start, typed, with_save) = match typed.strip_prefix("save ") {
        Some(name) => (before.len() - name.trim_start().len(), name.trim_start(), false),
        None => (start, typed, true),
    };
    let mut out: Vec<String> = names.iter().filter(|n| starts_with_folded(n, typed)).cloned().collect();
    if with_save && starts_with_folded("save", typed) {
        out.push("save ".into());
    }
    Some((start, out))
}

/// The candidates for the term before the cursor, each the whole term it would become, and where
/// the term starts.
pub fn candidates(before: &str, rows: &RowStore) -> (usize, Vec<String>) {
    let start = term_start(before);
    let term = &before[start..];
    let first_word = before[..start].trim().is_empty();
    let words: Vec<&str> = before[..start].split_whitespace().collect();
    // `:columns title,sev…`: the piece after the term's last comma is a column's name.
    if words.first() == Some(&"columns") {
        let piece = term.rfind(',').map_or(0, |i| i + 1);
        let (head, typed) = term.split_at(piece);
        let names = super::columns::Column::ALL.iter().map(|c| c.name());
        return (start, names.filter(|n| starts_with_folded(n, typed)).map(|n| format!("{head}{n}")).collect());
    }
    // The arguments of `:sort` and `:group`.
    if let [command] = words.as_slice() {
        let names: Vec<&str> = match *command {
            "sort" => SortColumn::ALL.iter().map(|c| c.name()).collect(),
            "group" => GroupField::ALL.iter().flat_map(|g| g.field().workbench_group.map(|n| n.words[0])).collect(),
            _ => Vec::new(),
        };
        if !names.is_empty() {
            return (start, names.into_iter().filter(|n| starts_with_folded(n, term)).map(String::from).collect());
        }
    }
    let sign = if term.starts_with(['-', '!']) { 1 } else { 0 };
    let (sign, rest) = term.split_at(sign);
    // A key and an operator: complete the last of its values.
    if let Some(op) = rest.find([':', '=', '<', '>']) {
        let key = rest[..op].to_ascii_lowercase();
        let after_op = rest[op..].trim_start_matches([':', '=', '<', '>']);
        let head_len = rest.len() - after_op.len();
        let last = after_op.rfind(',').map_or(0, |i| i + 1);
        let prefix = format!("{sign}{}{}", &rest[..head_len], &after_op[..last]);
        let found = values(&key, &after_op[last..], rows);
        return (start, found.into_iter().map(|v| format!("{prefix}{v}")).collect());
    }
    let lower = rest.to_ascii_lowercase();
    // A key typed whole is the one meant, though longer keys start with it (`resource`, `verif`).
    if fields::query_key(&lower).is_some() {
        return (start, vec![format!("{sign}{lower}:")]);
    }
    let mut out: Vec<String> =
        fields::query_keys().map(|(k, _)| k).filter(|k| k.starts_with(&lower)).map(|k| format!("{sign}{k}:")).collect();
    if first_word && sign.is_empty() {
        out.extend(COMMANDS.iter().filter(|c| c.starts_with(&lower)).map(|c| format!("{c} ")));
    }
    (start, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::row::Row;

    fn rows() -> RowStore {
        let mut s = RowStore::default();
        for (account, region, product) in [
            ("111122223333", "eu-west-1", "Security Hub"),
            ("111122223333", "eu-central-1", "GuardDuty"),
            ("444455556666", "us-east-1", "Inspector"),
        ] {
            s.push(Row { account: account.into(), region: region.into(), product: product.into(), ..Row::default() });
        }
        s
    }

    fn complete(before: &str) -> Vec<String> {
        candidates(before, &rows()).1
    }

    #[test]
    fn keys_complete_from_the_registry() {
        assert_eq!(complete("sev"), ["sev:"], "a whole key is the one meant");
        assert_eq!(complete("seve"), ["severity:"]);
        assert_eq!(complete("-sta"), ["-status:", "-standard:"]);
        assert_eq!(complete("sev>=high re"), ["region:", "resource:", "resourceid:", "record:"]);
        assert!(complete("").contains(&"sev:".to_string()) && complete("").contains(&"sort ".to_string()));
        assert_eq!(complete("so"), ["sort "], "a command, as the first word");
        assert_eq!(complete("sort t"), ["title"]);
        assert_eq!(complete("group res"), ["resource"]);
        assert_eq!(complete("xyz"), Vec::<String>::new());
    }

    #[test]
    fn values_complete_from_the_closed_sets_and_the_rows() {
        assert_eq!(
            complete("sev>="),
            ["critical", "high", "medium", "low", "informational"].map(|v| format!("sev>={v}"))
        );
        assert_eq!(complete("status:new,re"), ["status:new,resolved"]);
        assert_eq!(complete("-compliance:f"), ["-compliance:failed"]);
        assert_eq!(complete("record:a"), ["record:active", "record:archived"]);
        assert_eq!(complete("verif:t"), ["verif:true_positive"]);
        assert_eq!(complete("region:eu"), ["region:eu-central-1", "region:eu-west-1"]);
        assert_eq!(complete("account:"), ["account:111122223333", "account:444455556666"]);
        assert_eq!(complete("product:s"), ["product:\"Security Hub\""], "quoted: it has a space");
        assert_eq!(complete("product:\"sec"), ["product:\"Security Hub\""]);
        assert_eq!(complete("product:\"Security H"), ["product:\"Security Hub\""], "a quoted space");
        assert_eq!(complete("updated<"), Vec::<String>::new(), "no values to offer");
    }

    #[test]
    fn history_keeps_no_repeats_and_at_most_its_limit() {
        let mut h = History::default();
        assert!(h.push("sev>=high"));
        assert!(!h.push(" sev>=high "));
        assert!(!h.push("  "));
        assert!(h.push("status:new"));
        assert!(h.push("sev>=high"), "only repeats in a row are dropped");
        h.loaded(vec!["old".into(), "old".into(), String::new(), "sev>=high".into()]);
        assert_eq!(h.entries, ["old", "sev>=high", "status:new", "sev>=high"]);
        for i in 0..MAX_HISTORY + 10 {
            h.push(&format!("q{i}"));
        }
        assert_eq!(h.entries.len(), MAX_HISTORY);
        assert_eq!(h.entries.last().map(String::as_str), Some("q509"));
        assert_eq!(h.entries[0], "q10");
    }
}
