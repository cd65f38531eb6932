//! The list's columns as a view chooses them: which, in what order and how wide. `:columns
//! title,severity,resource:40` sets them (a width after a colon; without one the column's own, the
//! title taking what is left), `:columns default` goes back to as many as fit, and a saved view
//! keeps them (`columns = [...]` in its TOML). `:columns` alone opens the chooser, a menu over the
//! list: every column, the shown ones first in their order, to switch on and off, move and size.
//! The list (`ui::list`) lays them out.
//!
//! Generator and type read the rows' interned values (`FindingSummary::generator`, `types`).

use super::action::Action;
use super::effect::Effect;
use super::menu::{Menu, MenuItem, MenuKind};
use super::AppState;

/// A list column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Severity,
    Status,
    Title,
    Resource,
    Account,
    Region,
    Product,
    Compliance,
    Control,
    Generator,
    Type,
    Age,
}

impl Column {
    /// Every column, in the order the chooser lists them.
    pub const ALL: [Column; 12] = [
        Column::Severity,
        Column::Status,
        Column::Title,
        Column::Resource,
        Column::Account,
        Column::Region,
        Column::Product,
        Column::Compliance,
        Column::Control,
        Column::Generator,
        Column::Type,
        Column::Age,
    ];

    /// The columns of the default list, in its order (those that fit the width are shown).
    pub const DEFAULT: [Column; 8] = [
        Column::Severity,
        Column::Status,
        Column::Title,
        Column::Resource,
        Column::Account,
        Column::Region,
        Column::Product,
        Column::Age,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Column::Severity => "severity",
            Column::Status => "status",
            Column::Title => "title",
            Column::Resource => "resource",
            Column::Account => "account",
            Column::Region => "region",
            Column::Product => "product",
            Column::Compliance => "compliance",
            Column::Control => "control",
            Column::Generator => "generator",
            Column::Type => "type",
            Column::Age => "age",
        }
    }

    pub fn parse(name: &str) -> Option<Column> {
        let n = name.trim().to_ascii_lowercase();
        Column::ALL.iter().copied().find(|c| c.name() == n).or(match n.as_str() {
            "sev" => Some(Column::Severity),
            "workflow" => Some(Column::Status),
            "updated" => Some(Column::Age),
            "control_id" | "controlid" => Some(Column::Control),
            "generatorid" | "generator_id" => Some(Column::Generator),
            "types" => Some(Column::Type),
            _ => None,
        })
    }

    /// The header the list shows.
    pub fn header(self) -> &'static str {
        match self {
            Column::Severity => "SEVERITY",
            Column::Status => "STATUS",
            Column::Title => "TITLE",
            Column::Resource => "RESOURCE",
            Column::Account => "ACCOUNT",
            Column::Region => "REGION",
            Column::Product => "PRODUCT",
            Column::Compliance => "COMPLIANCE",
            Column::Control => "CONTROL",
            Column::Generator => "GENERATOR",
            Column::Type => "TYPE",
            Column::Age => "AGE",
        }
    }

    /// The width the column takes without one chosen: enough for its usual values
    /// (NOT_AVAILABLE is the longest compliance status, `S3.8`…`EC2.172` controls).
    pub fn default_width(self) -> u16 {
        match self {
            Column::Severity => 8,
            Column::Status => 10,
            Column::Title => 30,
            Column::Resource => 24,
            Column::Account => 12,
            Column::Region => 14,
            Column::Product => 12,
            Column::Compliance => 13,
            Column::Control => 10,
            Column::Generator => 28,
            Column::Type => 28,
            Column::Age => 4,
        }
    }

    /// The columns shown whatever a view chose before views could choose them all.
    pub fn always(self) -> bool {
        matches!(self, Column::Severity | Column::Status | Column::Title | Column::Age)
    }
}

/// A chosen column and its width (`None`: the column's own; the title's: what is left).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chosen {
    pub column: Column,
    pub width: Option<u16>,
}

impl Chosen {
    /// As the TOML and the command line write it: `resource` or `resource:40`.
    pub fn word(self) -> String {
        match self.width {
            Some(w) => format!("{}:{w}", self.column.name()),
            None => self.column.name().to_string(),
        }
    }
}

/// The widest a chosen width may be: wider than any terminal the list is drawn in.
const MAX_WIDTH: u16 = 400;

/// One column word: `title`, `resource:40`.
pub fn parse_word(word: &str) -> Result<Chosen, String> {
    let (name, width) = match word.split_once(':') {
        Some((n, w)) => (n, Some(w)),
        None => (word, None),
    };
    let column = Column::parse(name).ok_or_else(|| {
        let names: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
        format!("columns: \"{}\" is not one of {}", name.trim(), names.join(", "))
    })?;
    let width = match width {
        None => None,
        Some(w) => match w.trim().parse::<u16>() {
            Ok(n) if (1..=MAX_WIDTH).contains(&n) => Some(n),
            _ => return Err(format!("columns: the width of {} must be 1 to {MAX_WIDTH}", column.name())),
        },
    };
    Ok(Chosen { column, width })
}

/// A list of column words, separated by commas or spaces; each column at most once.
pub fn parse_list(text: &str) -> Result<Vec<Chosen>, String> {
    let mut out: Vec<Chosen> = Vec::new();
    for word in text.split(|c: char| c == ',' || c.is_whitespace()).filter(|w| !w.is_empty()) {
        let c = parse_word(word)?;
        if out.iter().any(|o| o.column == c.column) {
            return Err(format!("columns: {} is named twice", c.column.name()));
        }
        out.push(c);
    }
    Ok(out)
}

/// The columns a view's words show, in order. Empty words: `None` (the default, as many as fit).
/// Words naming none of severity, status, title and age (a view file written before every column
/// could be chosen: `columns = ["resource", "account"]`) keep those four around them, as then.
pub fn resolve(words: &[String]) -> Option<Vec<Chosen>> {
    if words.is_empty() {
        return None;
    }
    let chosen: Vec<Chosen> = words.iter().filter_map(|w| parse_word(w).ok()).collect();
    if chosen.iter().any(|c| c.column.always()) {
        return Some(chosen);
    }
    let plain = |column| Chosen { column, width: None };
    let mut out = vec![plain(Column::Severity), plain(Column::Status), plain(Column::Title)];
    out.extend(chosen);
    out.push(plain(Column::Age));
    Some(out)
}

/// `:columns …`: the list's columns from now on (a view saved after keeps them). Nothing after
/// the command opens the chooser; `default` goes back to as many as fit.
pub(super) fn command(s: &mut AppState, args: &str) -> Result<Vec<Effect>, String> {
    if args.trim().is_empty() {
        return Ok(open_chooser(s));
    }
    let args = if args.trim() == "default" { "" } else { args };
    let chosen = parse_list(args)?;
    if !chosen.is_empty()
        && !chosen.iter().any(|c| c.column == Column::Title)
        && !chosen.iter().any(|c| c.column == Column::Resource)
    {
        // Allowed, but said: nothing takes the rest of the width.
        s.info("Columns set; without title or resource the list leaves the rest of its width blank");
    } else if chosen.is_empty() {
        s.info("Columns: as many as fit (the default)");
    } else {
        s.info(format!("Columns: {}", words(&chosen).join(", ")));
    }
    s.view.columns = words(&chosen);
    Ok(Vec::new())
}

/// The keys of the chooser, said on the status line while it is open.
pub const CHOOSER_HINT: &str = "space on/off · J/K move · +/- width · = own width · Enter applies · Esc cancels";

/// The chooser's entries: the shown columns in their order (the default's when the view chose
/// none), then the others. An entry's key is its mark (`✓` shown), its value its chosen width.
fn chooser_items(words: &[String]) -> Vec<MenuItem> {
    let shown = resolve(words)
        .unwrap_or_else(|| Column::DEFAULT.iter().map(|&column| Chosen { column, width: None }).collect());
    let mut items: Vec<MenuItem> = shown.iter().map(|c| item(c.column, true, c.width)).collect();
    for c in Column::ALL {
        if !shown.iter().any(|o| o.column == c) {
            items.push(item(c, false, None));
        }
    }
    items
}

fn item(column: Column, on: bool, width: Option<u16>) -> MenuItem {
    let detail = match (width, column) {
        (Some(w), _) => format!("{w} wide"),
        (None, Column::Title) => "the rest of the width".to_string(),
        (None, Column::Resource) => format!("{} wide, more when there is room", column.default_width()),
        (None, c) => format!("{} wide", c.default_width()),
    };
    MenuItem {
        key: if on { '✓' } else { ' ' },
        label: column.name().to_string(),
        detail,
        value: width.map(|w| w.to_string()).unwrap_or_default(),
    }
}

fn read_item(i: &MenuItem) -> Option<(Chosen, bool)> {
    let column = Column::parse(&i.label)?;
    Some((Chosen { column, width: i.value.parse().ok() }, i.key == '✓'))
}

/// `:columns` alone: the chooser, over the list.
pub(super) fn open_chooser(s: &mut AppState) -> Vec<Effect> {
    let items = chooser_items(&s.view.columns);
    s.menu = Some(Menu { kind: MenuKind::Columns, title: " Columns ".into(), items, cursor: 0 });
    s.info(CHOOSER_HINT);
    Vec::new()
}

/// The chooser's own keys; `None` for the menu's (moving, Esc).
pub(super) fn chooser_action(s: &mut AppState, a: Action) -> Option<Vec<Effect>> {
    let menu = s.menu.as_mut().filter(|m| m.kind == MenuKind::Columns)?;
    let cursor = menu.cursor;
    let (chosen, on) = menu.items.get(cursor).and_then(read_item)?;
    let width = |d: i32| {
        let w = i32::from(chosen.width.unwrap_or(chosen.column.default_width())) + d;
        u16::try_from(w.clamp(1, i32::from(MAX_WIDTH))).ok()
    };
    match a {
        Action::Input(' ') => menu.items[cursor] = item(chosen.column, !on, chosen.width),
        Action::Input('J') if cursor + 1 < menu.items.len() => {
            menu.items.swap(cursor, cursor + 1);
            menu.cursor += 1;
        }
        Action::Input('K') if cursor > 0 => {
            menu.items.swap(cursor, cursor - 1);
            menu.cursor -= 1;
        }
        Action::Input('+') => menu.items[cursor] = item(chosen.column, on, width(2)),
        Action::Input('-') => menu.items[cursor] = item(chosen.column, on, width(-2)),
        Action::Input('=') => menu.items[cursor] = item(chosen.column, on, None),
        Action::Submit | Action::OpenDetail | Action::Yes => {
            let chosen: Vec<Chosen> =
                menu.items.iter().filter_map(read_item).filter(|(_, on)| *on).map(|(c, _)| c).collect();
            s.menu = None;
            s.view.columns = words(&chosen);
            s.info(format!("Columns: {}", s.view.columns.join(", ")));
            return Some(Vec::new());
        }
        Action::Input(_) => {}
        _ => return None,
    }
    s.info(CHOOSER_HINT);
    Some(Vec::new())
}

pub fn words(chosen: &[Chosen]) -> Vec<String> {
    chosen.iter().map(|c| c.word()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_parse_with_widths_and_in_order() {
        let c = parse_list("title, severity resource:40").unwrap();
        assert_eq!(words(&c), ["title", "severity", "resource:40"]);
        assert!(parse_list("title,nope").unwrap_err().contains("\"nope\" is not one of"));
        assert!(parse_list("title,title").unwrap_err().contains("named twice"));
        assert!(parse_list("title:0").is_err());
        assert!(parse_list("title:x").is_err());
        assert_eq!(parse_list("").unwrap(), []);
    }

    #[test]
    fn an_old_view_file_keeps_the_four_always_shown() {
        let old = resolve(&["resource".into(), "account".into()]).unwrap();
        let names: Vec<&str> = old.iter().map(|c| c.column.name()).collect();
        assert_eq!(names, ["severity", "status", "title", "resource", "account", "age"]);
        let new = resolve(&["title".into(), "control".into()]).unwrap();
        assert_eq!(new.iter().map(|c| c.column.name()).collect::<Vec<_>>(), ["title", "control"]);
        assert_eq!(resolve(&[]), None);
    }
}
