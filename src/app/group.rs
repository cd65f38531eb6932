//! The group view: the visible findings counted by one field (severity, status, account, control,
//! title, compliance, …) and optionally by a second one under it (`:group control,account`, or `+`
//! in the group view), each group with its severity distribution; a cursor over the groups; Enter
//! drilling into one group by adding its terms to the `:` query; and acting on a whole group:
//! space marks it, and resolve, suppress, notify, note and the edit form apply to the marked
//! findings, or to the group under the cursor (which they mark first) through the normal preview.

use std::collections::HashMap;

use super::action::Action;
use super::effect::Effect;
use super::list::resize;
use super::prompt::{quit, TextPurpose};
use super::row::Row;
use super::state::{GroupField, Mode};
use super::view::apply_query;
use super::AppState;
use crate::model::enums::{SeverityLabel, WorkflowStatus};

/// Severity distribution slots: CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, none.
pub const SEVERITY_SLOTS: usize = 6;

/// One line of the group view: a first-level group, or (with `sub`) one of its second-level
/// groups, listed under it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Group {
    pub value: String,
    /// The second field's value, for a second-level group.
    pub sub: Option<String>,
    pub count: usize,
    /// How many of its findings are CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, or have none.
    pub severity: [usize; SEVERITY_SLOTS],
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupState {
    pub field: GroupField,
    /// The second level, when the groups are split again.
    pub second: Option<GroupField>,
    /// First-level groups in order, each followed by its second-level groups.
    pub groups: Vec<Group>,
    pub cursor: usize,
}

fn severity_slot(r: &Row) -> usize {
    match r.severity {
        Some(SeverityLabel::Critical) => 0,
        Some(SeverityLabel::High) => 1,
        Some(SeverityLabel::Medium) => 2,
        Some(SeverityLabel::Low) => 3,
        Some(SeverityLabel::Informational) => 4,
        None => 5,
    }
}

type Tally = (usize, [usize; SEVERITY_SLOTS]);

fn add(t: &mut Tally, slot: usize) {
    t.0 += 1;
    t.1[slot] += 1;
}

/// Severity and status read best in their own order; values outside it (e.g. "-") go last; the
/// others by count, largest first.
fn ordered<'a, T>(field: GroupField, tallies: impl Iterator<Item = (&'a str, Tally, T)>) -> Vec<(&'a str, Tally, T)> {
    let mut v: Vec<(&str, Tally, T)> = tallies.collect();
    v.sort_by(|a, b| {
        let rank = |x: &str| field.natural_rank(x).unwrap_or(usize::MAX);
        rank(a.0).cmp(&rank(b.0)).then_with(|| b.1 .0.cmp(&a.1 .0)).then_with(|| a.0.cmp(b.0))
    });
    v
}

/// The search column (`RowStore::search`) holding `field`'s values, whose value ids the rows
/// hold: grouping by it counts by id, without hashing each row's text.
fn search_column(field: GroupField) -> Option<usize> {
    match field {
        GroupField::Title => Some(0),
        GroupField::ResourceType => Some(1),
        GroupField::Account => Some(3),
        GroupField::Product => Some(4),
        GroupField::Control => Some(5),
        _ => None,
    }
}

/// An enum field's value as a small integer (0 for none), for the fields that are enums.
fn enum_code(field: GroupField, r: &Row) -> Option<u32> {
    let code = |v: Option<usize>| Some(v.map_or(0, |v| v as u32 + 1));
    match field {
        GroupField::Severity => code(r.severity.map(|v| v as usize)),
        GroupField::Status => code(r.workflow.map(|v| v as usize)),
        GroupField::Compliance => code(r.compliance.map(|v| v as usize)),
        _ => None,
    }
}

/// Each visible row's value of one field as a small integer, and the first row found with each.
struct Codes<'a> {
    of_row: Vec<u32>,
    first: Vec<u32>,
    rows: &'a super::rows::RowStore,
    field: GroupField,
}

impl<'a> Codes<'a> {
    fn new(s: &'a AppState, field: GroupField) -> Codes<'a> {
        let rows = &s.rows;
        let visible = &s.view.visible;
        let mut first: Vec<u32> = Vec::new();
        let of_row: Vec<u32> = match search_column(field).filter(|_| rows.coded_rows() == rows.all.len()) {
            Some(c) => {
                first = vec![u32::MAX; rows.search[c].len()];
                visible
                    .iter()
                    .map(|&i| {
                        let id = rows.code(i, c).unwrap_or(0);
                        if let Some(f) = first.get_mut(id as usize) {
                            if *f == u32::MAX {
                                *f = i;
                            }
                        }
                        id
                    })
                    .collect()
            }
            None if enum_code(field, &Row::default()).is_some() => {
                // An enum's code is its variant: a slot per variant and one for none.
                use crate::model::enums::ComplianceStatus;
                let variants = [SeverityLabel::ALL.len(), WorkflowStatus::ALL.len(), ComplianceStatus::ALL.len()];
                first = vec![u32::MAX; 1 + variants.into_iter().max().unwrap_or(0)];
                visible
                    .iter()
                    .map(|&i| {
                        let id = rows.get(i).and_then(|r| enum_code(field, r)).unwrap_or(0);
                        if let Some(f) = first.get_mut(id as usize).filter(|f| **f == u32::MAX) {
                            *f = i;
                        }
                        id
                    })
                    .collect()
            }
            None => {
                let mut ids: HashMap<&str, u32> = HashMap::new();
                visible
                    .iter()
                    .map(|&i| {
                        let v = rows.get(i).map_or("", |r| field.value_of(r));
                        *ids.entry(v).or_insert_with(|| {
                            first.push(i);
                            first.len() as u32 - 1
                        })
                    })
                    .collect()
            }
        };
        Codes { of_row, first, rows, field }
    }

    /// The value of code `c`.
    fn value(&self, c: u32) -> &'a str {
        let field = self.field;
        self.first.get(c as usize).and_then(|&i| self.rows.get(i)).map_or("", |r| field.value_of(r))
    }
}

/// Counts the visible rows by the group fields' values, for the group pane: one pass over the
/// visible rows by each value's code (a search column's value id, else a hash entry per distinct
/// value), then a hash entry per distinct pair for a second level.
pub(super) fn compute(s: &mut AppState) {
    let (field, second) = (s.group.field, s.group.second);
    let slots: Vec<u8> = s.view.visible.iter().map(|&i| s.rows.get(i).map_or(5, severity_slot) as u8).collect();
    let one = Codes::new(s, field);
    let mut top: Vec<Tally> = vec![(0, [0; SEVERITY_SLOTS]); one.first.len()];
    for (&c, &slot) in one.of_row.iter().zip(&slots) {
        if let Some(t) = top.get_mut(c as usize) {
            add(t, usize::from(slot));
        }
    }
    let mut subs: HashMap<u32, Vec<(&str, Tally)>> = HashMap::new();
    if let Some(f2) = second {
        let two = Codes::new(s, f2);
        let mut below: HashMap<(u32, u32), Tally> = HashMap::new();
        for ((&a, &b), &slot) in one.of_row.iter().zip(&two.of_row).zip(&slots) {
            add(below.entry((a, b)).or_default(), usize::from(slot));
        }
        for ((a, b), t) in below {
            subs.entry(a).or_default().push((two.value(b), t));
        }
    }
    let tallies = top.into_iter().enumerate().filter(|(_, t)| t.0 > 0).map(|(c, t)| (one.value(c as u32), t, c as u32));
    let mut groups = Vec::new();
    for (v, (count, severity), c) in ordered(field, tallies) {
        groups.push(Group { value: v.to_string(), sub: None, count, severity });
        if let (Some(f2), Some(list)) = (second, subs.remove(&c)) {
            for (w, (count, severity), ()) in ordered(f2, list.into_iter().map(|(w, t)| (w, t, ()))) {
                groups.push(Group { value: v.to_string(), sub: Some(w.to_string()), count, severity });
            }
        }
    }
    s.group.groups = groups;
    s.group.cursor = s.group.cursor.min(s.group.groups.len().saturating_sub(1));
}

/// `g`: the group view, on the field it last showed.
pub(super) fn open(s: &mut AppState) -> Vec<Effect> {
    s.mode = Mode::Group;
    compute(s);
    Vec::new()
}

/// `:group FIELD,SECOND`: the group view on two levels.
pub(super) fn open_on_two(s: &mut AppState, field: GroupField, second: Option<GroupField>) -> Vec<Effect> {
    s.group.field = field;
    s.group.second = second.filter(|f| *f != field);
    s.group.cursor = 0;
    open(s)
}

/// Parses "control" or "control,account".
pub fn parse_fields(text: &str) -> Result<(GroupField, Option<GroupField>), String> {
    let mut parts = text.split(',').map(str::trim).filter(|p| !p.is_empty());
    let one = |p: &str| {
        GroupField::parse(p).ok_or_else(|| {
            let names: Vec<&str> = GroupField::ALL.iter().map(|g| g.name()).collect();
            format!("group: {p} is not one of {}", names.join(", "))
        })
    };
    let first = one(parts.next().unwrap_or("severity"))?;
    let second = parts.next().map(one).transpose()?;
    if parts.next().is_some() {
        return Err("group: at most two fields (e.g. control,account)".into());
    }
    Ok((first, second))
}

/// The words a view file and `:group` use for the grouping: "control" or "control,account".
pub fn words(field: GroupField, second: Option<GroupField>) -> String {
    let w = |g: GroupField| g.field().workbench_group.map_or("", |n| n.words[0]).to_string();
    match second {
        Some(f2) => format!("{},{}", w(field), w(f2)),
        None => w(field),
    }
}

/// The visible rows in the group under the cursor.
fn members(s: &AppState) -> Vec<u32> {
    let Some(g) = s.group.groups.get(s.group.cursor) else { return Vec::new() };
    let (field, second) = (s.group.field, s.group.second);
    s.view
        .visible
        .iter()
        .copied()
        .filter(|&i| {
            s.rows.get(i).is_some_and(|r| {
                field.value_of(r) == g.value
                    && match (&g.sub, second) {
                        (Some(w), Some(f2)) => f2.value_of(r) == w,
                        _ => true,
                    }
            })
        })
        .collect()
}

/// Space: marks every finding of the group under the cursor, or unmarks them when all are marked.
fn toggle_mark(s: &mut AppState) {
    let rows = members(s);
    if rows.is_empty() {
        return;
    }
    let all_marked = rows.iter().all(|i| s.marks.contains(i));
    for i in &rows {
        if all_marked {
            s.marks.remove(i);
        } else {
            s.marks.insert(*i);
        }
    }
    let n = rows.len();
    s.info(format!("{} {n} finding{} of the group", if all_marked { "Unmarked" } else { "Marked" }, plural(n)));
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// An edit from the group view applies to the marked findings; with none marked, the group under
/// the cursor is marked first, so the preview (and a cancelled one) shows what it is about.
fn edit(s: &mut AppState, a: Action) -> Vec<Effect> {
    if s.marks.is_empty() {
        toggle_mark(s);
    }
    match a {
        Action::Resolve => super::prompt::quick(s, WorkflowStatus::Resolved),
        Action::Notify => super::prompt::quick(s, WorkflowStatus::Notified),
        Action::Suppress => super::prompt::ask_text(s, TextPurpose::SuppressReason),
        Action::Note => super::prompt::ask_text(s, TextPurpose::Note),
        _ => super::form::open(s),
    }
}

/// The next second level: none, then each field but the first, then none again.
fn cycle_second(s: &mut AppState) {
    let all = GroupField::ALL;
    let start = s.group.second.and_then(|f| all.iter().position(|g| *g == f)).map_or(0, |i| i + 1);
    s.group.second = all[start.min(all.len())..].iter().copied().find(|g| *g != s.group.field);
    s.group.cursor = 0;
    compute(s);
    match s.group.second {
        Some(f2) => s.info(format!("Grouped by {} and {}", s.group.field.name(), f2.name())),
        None => s.info(format!("Grouped by {}", s.group.field.name())),
    }
}

/// The group view's keys.
pub(super) fn action(s: &mut AppState, a: Action) -> Vec<Effect> {
    let n = s.group.groups.len();
    match a {
        Action::MoveDown => s.group.cursor = (s.group.cursor + 1).min(n.saturating_sub(1)),
        Action::MoveUp => s.group.cursor = s.group.cursor.saturating_sub(1),
        Action::Top => s.group.cursor = 0,
        Action::Bottom => s.group.cursor = n.saturating_sub(1),
        Action::CycleNext | Action::CyclePrev | Action::NextField | Action::PrevField => {
            let all = GroupField::ALL;
            let i = all.iter().position(|f| *f == s.group.field).unwrap_or(0);
            let forward = matches!(a, Action::CycleNext | Action::NextField);
            s.group.field = all[if forward { (i + 1) % all.len() } else { (i + all.len() - 1) % all.len() }];
            if s.group.second == Some(s.group.field) {
                s.group.second = None;
            }
            s.group.cursor = 0;
            compute(s);
        }
        Action::GroupSecond => cycle_second(s),
        // `:group …` and any other command from the group view itself.
        Action::StartCommand => return super::input::start_command(s),
        Action::ToggleMark => toggle_mark(s),
        Action::Resolve | Action::Notify | Action::Suppress | Action::Note | Action::Edit => return edit(s, a),
        Action::OpenDetail | Action::Submit => {
            let Some(g) = s.group.groups.get(s.group.cursor).cloned() else { return Vec::new() };
            if g.value.is_empty() || g.sub.as_ref().is_some_and(String::is_empty) {
                s.error("Findings without a value cannot be selected by a query");
                return Vec::new();
            }
            let mut term = s.group.field.term(&g.value);
            if let (Some(w), Some(f2)) = (&g.sub, s.group.second) {
                term = format!("{term} {}", f2.term(w));
            }
            let text = if s.view.query.text.is_empty() { term } else { format!("{} {term}", s.view.query.text) };
            s.mode = Mode::Split;
            resize(s, s.size.0, s.size.1);
            return apply_query(s, &text).unwrap_or_else(|e| {
                s.error(e);
                Vec::new()
            });
        }
        Action::Back | Action::GroupView => {
            s.mode = Mode::Split;
            resize(s, s.size.0, s.size.1);
        }
        Action::Quit => return quit(s),
        Action::Help => s.help = true,
        _ => s.dirty = false,
    }
    Vec::new()
}
