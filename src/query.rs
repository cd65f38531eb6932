//! The human query language of the CLI and TUI, compiled to [`Filters`] plus free-text words.
//!
//! ```text
//! sev>=high status:new,notified product:guardduty account:123456789012
//! type:"Software and Configuration Checks" resource:AwsS3Bucket compliance:failed record:active
//! region:eu-* updated<7d free words
//! ```
//!
//! # Grammar
//!
//! A query is a whitespace-separated list of terms. `"..."` quotes a value (or a free word) with spaces,
//! commas, `*` or operators in it; `\"` and `\\` escape inside quotes.
//!
//! * `key:value[,value...]` — comma-separated values are alternatives (OR). A trailing unquoted `*` makes a
//!   value a prefix match (`PREFIX`). `key=value` is the same as `key:value`.
//! * `-key:value` or `!key:value` negates: `NOT_EQUALS` (`PREFIX_NOT_EQUALS` for prefixes, `NOT_CONTAINS`
//!   for the contains-keys `title`/`note`); all negated values must hold (AND).
//! * Different keys are ANDed. Repeating a key adds values to the same field (positive values OR,
//!   negated values AND, as in the AWS filter semantics); AWS rejects `EQUALS` together with a negation
//!   on one field, so `status:new -status:resolved` is an error (`type:TTPs -type:TTPs/Discovery` is fine),
//!   and `CONTAINS` (`NOT_CONTAINS`) only goes with other `CONTAINS` (`NOT_CONTAINS`) values, so on the
//!   contains-keys `title:s3,bucket` is fine but `title:s3,cloud*` and `title:s3 -title:public` are errors.
//! * Keys (case-insensitive) and their filter fields:
//!
//! | key | field | notes |
//! |---|---|---|
//! | `sev`, `severity` | SeverityLabel | `sev:high,critical`, `sev>=high`, `sev>medium`, `sev<=low`, `sev<low`, `sev=critical`; INFORMATIONAL < LOW < MEDIUM < HIGH < CRITICAL; `info`, `med`, `crit` accepted |
//! | `status`, `workflow` | WorkflowStatus | NEW, NOTIFIED, RESOLVED, SUPPRESSED |
//! | `product` | ProductName | guardduty, inspector, securityhub/"security hub", macie, config, access-analyzer, health, patch-manager, prowler, firewall-manager map to the service's names; other values as typed |
//! | `account` | AwsAccountId | |
//! | `region` | Region | |
//! | `type` | Type | always PREFIX (types are namespace/category/classifier) |
//! | `resource` | ResourceType, or ResourceId when the value starts with `arn:` or contains `/` | |
//! | `resourceid` | ResourceId | |
//! | `compliance` | ComplianceStatus | PASSED, WARNING, FAILED, NOT_AVAILABLE |
//! | `control` | ComplianceSecurityControlId | |
//! | `record` | RecordState | ACTIVE, ARCHIVED |
//! | `verification`, `verif` | VerificationState | UNKNOWN, TRUE_POSITIVE, FALSE_POSITIVE, BENIGN_POSITIVE |
//! | `generator` | GeneratorId | |
//! | `id` | Id | |
//! | `title` | Title | CONTAINS |
//! | `note` | NoteText | CONTAINS |
//! | `by` | NoteUpdatedBy | |
//! | `standard` | ComplianceAssociatedStandardsId | PREFIX |
//! | `tag:KEY=VALUE` | ResourceTags | map EQUALS (negated: NOT_EQUALS) |
//! | `udf:KEY=VALUE` | UserDefinedFields | map EQUALS (negated: NOT_EQUALS) |
//! | `confidence`, `criticality` | Confidence, Criticality | `>=`, `>`, `<=`, `<` bounds on one key combine into one range (AND); `:`/`=` values are alternatives (OR) |
//! | `updated`, `created`, `firstseen`, `lastseen` | UpdatedAt, CreatedAt, FirstObservedAt, LastObservedAt | `<7d` within the last 7 days, `>30d` older than 30 days (`w` = weeks); `>=2025-01-01` from, `<=2025-02-01` until (whole days: `<=` includes the day, `<` ends before it, `>` starts after it; full RFC 3339 times are used as given) |
//! | `sample` | Sample | `true` or `false` |
//!
//! Enumerated values are case-insensitive (`-` may stand for `_`). Any other term is a free word: every
//! free word must occur (case-insensitively) in the Title, Description, Id, GeneratorId, AwsAccountId,
//! AwsAccountName, ProductName, Resources[].Id, Resources[].Type, Compliance.SecurityControlId or Types[];
//! quote a word that contains `:`, `<`, `>` or `=` (`"arn:aws:s3:::bucket"`).
//!
//! Errors carry the 1-based character column of the offending token:
//! `column 17: unknown field "sevv" (did you mean sev?)`.

use serde_json::Value;
use time::OffsetDateTime;

use crate::model::filter::{
    any_at, contains_ignore_case, BooleanFilter, DateFilter, DateRange, DateRangeComparison, DateRangeUnit, FilterList,
    Filters, MapComparison, MapFilter, NumberFilter, StringComparison, StringFilter,
};
use crate::model::timestamp;

/// A parsed query: AWS filters plus free words (stored lower-case).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    pub filters: Filters,
    pub text: Vec<String>,
}

/// A query that does not parse. `Display` is `column N: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct QueryError {
    /// 1-based character column of the offending token.
    pub column: usize,
    pub message: String,
}

fn error<T>(column: usize, message: impl Into<String>) -> Result<T, QueryError> {
    Err(QueryError { column, message: message.into() })
}

/// Where free words are looked for (paths as in the filter table).
const TEXT_PATHS: [&str; 11] = [
    "Title",
    "Description",
    "Id",
    "GeneratorId",
    "AwsAccountId",
    "AwsAccountName",
    "ProductName",
    "Resources[].Id",
    "Resources[].Type",
    "Compliance.SecurityControlId",
    "Types[]",
];

impl Query {
    /// Every free word occurs, case-insensitively, in one of the text fields (see the module doc).
    pub fn matches_text(&self, finding: &Value) -> bool {
        self.text.iter().all(|word| {
            TEXT_PATHS
                .iter()
                .any(|p| any_at(finding, p, &mut |v| v.as_str().is_some_and(|s| contains_ignore_case(s, word))))
        })
    }

    /// The filters and the free words together.
    pub fn matches(&self, finding: &Value, now: OffsetDateTime) -> bool {
        self.filters.matches(finding, now) && self.matches_text(finding)
    }
}

// ---------------------------------------------------------------------------------------------------
// Lexing

#[derive(Debug, Clone, Copy)]
struct Ch {
    c: char,
    quoted: bool,
    col: usize,
}

/// One whitespace-separated term: its characters (quotes removed, marked `quoted`) and start column.
struct Term {
    chars: Vec<Ch>,
    col: usize,
}

fn lex(input: &str) -> Result<Vec<Term>, QueryError> {
    let mut terms = Vec::new();
    let mut it = input.chars().enumerate().map(|(i, c)| (i + 1, c)).peekable();
    while let Some(&(col, c)) = it.peek() {
        if c.is_whitespace() {
            it.next();
            continue;
        }
        let mut chars = Vec::new();
        let mut had_quotes = false;
        while let Some(&(col, c)) = it.peek() {
            if c.is_whitespace() {
                break;
            }
            it.next();
            if c != '"' {
                chars.push(Ch { c, quoted: false, col });
                continue;
            }
            had_quotes = true;
            let open = col;
            loop {
                match it.next() {
                    None => return error(open, "unterminated quote"),
                    Some((_, '"')) => break,
                    Some((col, '\\')) => match it.next() {
                        Some((_, e @ ('"' | '\\'))) => chars.push(Ch { c: e, quoted: true, col }),
                        Some((_, other)) => {
                            chars.push(Ch { c: '\\', quoted: true, col });
                            chars.push(Ch { c: other, quoted: true, col: col + 1 });
                        }
                        None => return error(open, "unterminated quote"),
                    },
                    Some((col, c)) => chars.push(Ch { c, quoted: true, col }),
                }
            }
        }
        if chars.is_empty() && had_quotes {
            return error(col, "empty quotes");
        }
        terms.push(Term { chars, col });
    }
    Ok(terms)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Colon,
    Eq,
    Ge,
    Gt,
    Le,
    Lt,
}

impl Op {
    fn as_str(self) -> &'static str {
        match self {
            Op::Colon => ":",
            Op::Eq => "=",
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Lt => "<",
        }
    }

    fn is_equality(self) -> bool {
        matches!(self, Op::Colon | Op::Eq)
    }
}

/// One value of a term.
struct Val {
    text: String,
    col: usize,
    /// A trailing unquoted `*` was stripped.
    prefix: bool,
}

/// A `key<op>values` term.
struct Clause {
    negated: bool,
    key: String,
    key_col: usize,
    op: Op,
    op_col: usize,
    values: Vec<Val>,
}

fn is_op(ch: &Ch) -> bool {
    !ch.quoted && matches!(ch.c, ':' | '<' | '>' | '=')
}

/// Splits a term into a clause, or returns `None` for a free word.
fn clause(term: &Term) -> Result<Option<Clause>, QueryError> {
    let chars = &term.chars;
    let negated = chars.len() > 1 && !chars[0].quoted && matches!(chars[0].c, '-' | '!');
    let start = usize::from(negated);
    let Some(op_at) = chars.iter().position(is_op) else {
        if negated {
            return error(term.col, "free words cannot be negated; use a field, e.g. -title:WORD");
        }
        return Ok(None);
    };
    if op_at < start {
        return Ok(None);
    }
    let key_chars = &chars[start..op_at];
    if key_chars.is_empty() {
        return error(chars[op_at].col, format!("missing field name before \"{}\"", chars[op_at].c));
    }
    if let Some(bad) = key_chars.iter().find(|ch| ch.quoted || !(ch.c.is_ascii_alphanumeric() || ch.c == '_')) {
        if bad.quoted {
            return error(bad.col, "a field name cannot be quoted; quote the whole term to search for text");
        }
        return error(bad.col, format!("unexpected \"{}\" in field name", bad.c));
    }
    let key: String = key_chars.iter().map(|ch| ch.c.to_ascii_lowercase()).collect();
    let op_col = chars[op_at].col;
    let next_is_eq = chars.get(op_at + 1).is_some_and(|ch| !ch.quoted && ch.c == '=');
    let (op, len) = match chars[op_at].c {
        ':' => (Op::Colon, 1),
        '=' => (Op::Eq, 1),
        '>' if next_is_eq => (Op::Ge, 2),
        '>' => (Op::Gt, 1),
        '<' if next_is_eq => (Op::Le, 2),
        _ => (Op::Lt, 1),
    };
    let rest = &chars[op_at + len..];
    let after_op = op_col + len;
    let mut values = Vec::new();
    for (n, piece) in rest.split(|ch| !ch.quoted && ch.c == ',').enumerate() {
        let col = match piece.first() {
            Some(ch) if ch.quoted => ch.col.saturating_sub(1).max(1),
            Some(ch) => ch.col,
            None if n == 0 => after_op,
            // The column just after the comma.
            None => values.last().map_or(after_op, |v: &Val| v.col + v.text.chars().count() + 1),
        };
        let prefix = piece.last().is_some_and(|ch| !ch.quoted && ch.c == '*');
        let body = if prefix { &piece[..piece.len() - 1] } else { piece };
        let text: String = body.iter().map(|ch| ch.c).collect();
        if text.trim().is_empty() {
            return error(col, format!("missing value after \"{key}{}\"", op.as_str()));
        }
        values.push(Val { text, col, prefix });
    }
    if values.is_empty() {
        return error(after_op, format!("missing value after \"{key}{}\"", op.as_str()));
    }
    Ok(Some(Clause { negated, key, key_col: chars[start].col, op, op_col, values }))
}

// ---------------------------------------------------------------------------------------------------
// Keys

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Equals,
    Prefix,
    Contains,
}

#[derive(Debug, Clone, Copy)]
enum Key {
    Severity,
    /// A string field; `Some(values)` = enumerated (upper-cased and validated).
    Str(&'static str, Mode, Option<&'static [&'static str]>),
    Product,
    Resource,
    Map(&'static str),
    Number(&'static str),
    Date(&'static str),
    Sample,
}

const SEVERITIES: &[&str] = &["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"];
const WORKFLOW: &[&str] = &["NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"];
const COMPLIANCE: &[&str] = &["PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"];
const RECORD: &[&str] = &["ACTIVE", "ARCHIVED"];
const VERIFICATION: &[&str] = &["UNKNOWN", "TRUE_POSITIVE", "FALSE_POSITIVE", "BENIGN_POSITIVE"];

const KEYS: &[(&str, Key)] = &[
    ("sev", Key::Severity),
    ("severity", Key::Severity),
    ("status", Key::Str("WorkflowStatus", Mode::Equals, Some(WORKFLOW))),
    ("workflow", Key::Str("WorkflowStatus", Mode::Equals, Some(WORKFLOW))),
    ("product", Key::Product),
    ("account", Key::Str("AwsAccountId", Mode::Equals, None)),
    ("region", Key::Str("Region", Mode::Equals, None)),
    ("type", Key::Str("Type", Mode::Prefix, None)),
    ("resource", Key::Resource),
    ("resourceid", Key::Str("ResourceId", Mode::Equals, None)),
    ("compliance", Key::Str("ComplianceStatus", Mode::Equals, Some(COMPLIANCE))),
    ("control", Key::Str("ComplianceSecurityControlId", Mode::Equals, None)),
    ("record", Key::Str("RecordState", Mode::Equals, Some(RECORD))),
    ("verification", Key::Str("VerificationState", Mode::Equals, Some(VERIFICATION))),
    ("verif", Key::Str("VerificationState", Mode::Equals, Some(VERIFICATION))),
    ("generator", Key::Str("GeneratorId", Mode::Equals, None)),
    ("id", Key::Str("Id", Mode::Equals, None)),
    ("title", Key::Str("Title", Mode::Contains, None)),
    ("note", Key::Str("NoteText", Mode::Contains, None)),
    ("by", Key::Str("NoteUpdatedBy", Mode::Equals, None)),
    ("standard", Key::Str("ComplianceAssociatedStandardsId", Mode::Prefix, None)),
    ("tag", Key::Map("ResourceTags")),
    ("udf", Key::Map("UserDefinedFields")),
    ("confidence", Key::Number("Confidence")),
    ("criticality", Key::Number("Criticality")),
    ("updated", Key::Date("UpdatedAt")),
    ("created", Key::Date("CreatedAt")),
    ("firstseen", Key::Date("FirstObservedAt")),
    ("lastseen", Key::Date("LastObservedAt")),
    ("sample", Key::Sample),
];

const PRODUCTS: &[(&str, &str)] = &[
    ("guardduty", "GuardDuty"),
    ("inspector", "Inspector"),
    ("securityhub", "Security Hub"),
    ("security hub", "Security Hub"),
    ("macie", "Macie"),
    ("config", "Config"),
    ("access-analyzer", "IAM Access Analyzer"),
    ("accessanalyzer", "IAM Access Analyzer"),
    ("health", "Health"),
    ("patch-manager", "Systems Manager Patch Manager"),
    ("prowler", "Prowler"),
    ("firewall-manager", "Firewall Manager"),
];

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diag + usize::from(ca != *cb)).min(row[j] + 1).min(row[j + 1] + 1);
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

fn unknown_key(key: &str, col: usize) -> QueryError {
    let best = KEYS.iter().map(|(name, _)| (edit_distance(key, name), *name)).min_by_key(|(d, _)| *d);
    let hint = match best {
        Some((d, name)) if d <= 2 && d < key.chars().count() => format!(" (did you mean {name}?)"),
        _ => " (quote the term to search for it as text)".to_owned(),
    };
    QueryError { column: col, message: format!("unknown field \"{key}\"{hint}") }
}

/// Upper-cases an enumerated value (`-` and spaces read as `_`) and checks it.
fn enum_value(v: &Val, allowed: &[&str], what: &str) -> Result<String, QueryError> {
    let up: String =
        v.text.trim().chars().map(|c| if c == '-' || c == ' ' { '_' } else { c.to_ascii_uppercase() }).collect();
    let ok = if v.prefix { allowed.iter().any(|a| a.starts_with(&up)) } else { allowed.contains(&up.as_str()) };
    if ok {
        Ok(up)
    } else {
        error(v.col, format!("\"{}\" is not a {what}; expected one of {}", v.text, allowed.join(", ")))
    }
}

fn severity_rank(v: &Val) -> Result<usize, QueryError> {
    let rank = match v.text.trim().to_ascii_lowercase().as_str() {
        "info" | "informational" => 0,
        "low" => 1,
        "med" | "medium" => 2,
        "high" => 3,
        "crit" | "critical" => 4,
        _ => {
            return error(
                v.col,
                format!(
                "\"{}\" is not a severity; expected one of informational (info), low, medium, high, critical (crit)",
                v.text
            ),
            )
        }
    };
    if v.prefix {
        return error(v.col + v.text.chars().count(), "severities take no \"*\"");
    }
    Ok(rank)
}

// ---------------------------------------------------------------------------------------------------
// Parsing

#[derive(Default)]
struct Builder {
    query: Query,
    /// Range entries being assembled from bound terms: (field, entry, column of first term).
    numbers: Vec<(&'static str, NumberFilter, usize)>,
    dates: Vec<(&'static str, DateFilter, usize)>,
    /// Fields with a relative (`<7d`) date term.
    relative: Vec<&'static str>,
}

impl Builder {
    fn push(&mut self, field: &str, list: FilterList, col: usize) -> Result<(), QueryError> {
        self.query.filters.push(field, list).map_err(|e| QueryError { column: col, message: e.to_string() })
    }

    fn strings(
        &mut self,
        c: &Clause,
        field: &'static str,
        mode: Mode,
        values: Vec<(String, bool)>,
    ) -> Result<(), QueryError> {
        let list = values
            .into_iter()
            .map(|(value, prefix)| {
                let comparison = match (mode, prefix || mode == Mode::Prefix, c.negated) {
                    (Mode::Contains, false, false) => StringComparison::Contains,
                    (Mode::Contains, false, true) => StringComparison::NotContains,
                    (_, true, false) => StringComparison::Prefix,
                    (_, true, true) => StringComparison::PrefixNotEquals,
                    (_, false, false) => StringComparison::Equals,
                    (_, false, true) => StringComparison::NotEquals,
                };
                StringFilter { value, comparison }
            })
            .collect();
        self.push(field, FilterList::String(list), c.key_col)
    }

    fn clause(&mut self, c: &Clause) -> Result<(), QueryError> {
        let Some(&(_, key)) = KEYS.iter().find(|(name, _)| *name == c.key) else {
            return Err(unknown_key(&c.key, c.key_col));
        };
        let equality_only = |what: &str| -> Result<(), QueryError> {
            if c.op.is_equality() {
                Ok(())
            } else {
                error(c.op_col, format!("\"{}\" does not apply to {what}; use {}:VALUE", c.op.as_str(), c.key))
            }
        };
        let not_negated = |what: &str| -> Result<(), QueryError> {
            if c.negated {
                error(c.key_col.saturating_sub(1).max(1), format!("{what} cannot be negated"))
            } else {
                Ok(())
            }
        };
        match key {
            Key::Severity => {
                let mut labels = Vec::new();
                if c.op.is_equality() {
                    for v in &c.values {
                        labels.push(severity_rank(v)?);
                    }
                } else {
                    if c.values.len() > 1 {
                        return error(c.values[1].col, format!("\"{}\" takes one severity", c.op.as_str()));
                    }
                    let r = severity_rank(&c.values[0])?;
                    labels.extend((0..SEVERITIES.len()).filter(|&i| match c.op {
                        Op::Ge => i >= r,
                        Op::Gt => i > r,
                        Op::Le => i <= r,
                        _ => i < r,
                    }));
                    if labels.is_empty() {
                        return error(c.values[0].col, "no severity satisfies this comparison");
                    }
                }
                let values = labels.into_iter().map(|i| (SEVERITIES[i].to_owned(), false)).collect();
                self.strings(c, "SeverityLabel", Mode::Equals, values)
            }
            Key::Str(field, mode, allowed) => {
                equality_only(&c.key)?;
                let mut values = Vec::new();
                for v in &c.values {
                    let text = match allowed {
                        Some(allowed) => enum_value(v, allowed, &c.key)?,
                        None => v.text.clone(),
                    };
                    values.push((text, v.prefix));
                }
                self.strings(c, field, mode, values)
            }
            Key::Product => {
                equality_only("product")?;
                let values = c
                    .values
                    .iter()
                    .map(|v| {
                        let lower = v.text.trim().to_ascii_lowercase();
                        let known = PRODUCTS.iter().find(|(k, _)| !v.prefix && *k == lower);
                        (known.map_or_else(|| v.text.clone(), |(_, name)| (*name).to_owned()), v.prefix)
                    })
                    .collect();
                self.strings(c, "ProductName", Mode::Equals, values)
            }
            Key::Resource => {
                equality_only("resource")?;
                let is_id = |v: &Val| v.text.starts_with("arn:") || v.text.contains('/');
                let ids = c.values.iter().filter(|v| is_id(v)).count();
                if ids != 0 && ids != c.values.len() {
                    return error(
                        c.values[0].col,
                        "mixes resource types and resource ids; use separate resource: and resourceid: terms",
                    );
                }
                let field = if ids == 0 { "ResourceType" } else { "ResourceId" };
                let values = c.values.iter().map(|v| (v.text.clone(), v.prefix)).collect();
                self.strings(c, field, Mode::Equals, values)
            }
            Key::Map(field) => {
                equality_only(&c.key)?;
                let mut list = Vec::new();
                for v in &c.values {
                    let Some((k, value)) = v.text.split_once('=') else {
                        return error(v.col, format!("expected {}:KEY=VALUE", c.key));
                    };
                    if k.trim().is_empty() || value.trim().is_empty() || v.prefix {
                        return error(v.col, format!("expected {}:KEY=VALUE (no \"*\")", c.key));
                    }
                    let comparison = if c.negated { MapComparison::NotEquals } else { MapComparison::Equals };
                    list.push(MapFilter { key: k.to_owned(), value: value.to_owned(), comparison });
                }
                self.push(field, FilterList::Map(list), c.key_col)
            }
            Key::Sample => {
                equality_only("sample")?;
                let mut list = Vec::new();
                for v in &c.values {
                    let b = match v.text.trim().to_ascii_lowercase().as_str() {
                        "true" | "yes" => true,
                        "false" | "no" => false,
                        _ => return error(v.col, format!("\"{}\" is not a boolean; expected true or false", v.text)),
                    };
                    list.push(BooleanFilter { value: b != c.negated });
                }
                self.push("Sample", FilterList::Boolean(list), c.key_col)
            }
            Key::Number(field) => {
                not_negated(&c.key)?;
                let mut nums = Vec::new();
                for v in &c.values {
                    match v.text.trim().parse::<f64>() {
                        Ok(x) if x.is_finite() && !v.prefix => nums.push(x),
                        _ => return error(v.col, format!("\"{}\" is not a number", v.text)),
                    }
                }
                if c.op.is_equality() {
                    let list =
                        nums.into_iter().map(|x| NumberFilter { eq: Some(x), ..NumberFilter::default() }).collect();
                    return self.push(field, FilterList::Number(list), c.key_col);
                }
                if nums.len() > 1 {
                    return error(c.values[1].col, format!("\"{}\" takes one number", c.op.as_str()));
                }
                let i = match self.numbers.iter().position(|(f, _, _)| *f == field) {
                    Some(i) => i,
                    None => {
                        self.numbers.push((field, NumberFilter::default(), c.key_col));
                        self.numbers.len() - 1
                    }
                };
                let entry = &mut self.numbers[i].1;
                let slot = match c.op {
                    Op::Ge => &mut entry.gte,
                    Op::Gt => &mut entry.gt,
                    Op::Le => &mut entry.lte,
                    _ => &mut entry.lt,
                };
                if slot.is_some() {
                    return error(c.op_col, format!("{}{} given twice", c.key, c.op.as_str()));
                }
                *slot = Some(nums[0]);
                Ok(())
            }
            Key::Date(field) => {
                not_negated(&c.key)?;
                if c.op.is_equality() {
                    return error(c.op_col, format!("use {0}<7d, {0}>30d, {0}>=2025-01-01 or {0}<=2025-02-01", c.key));
                }
                if c.values.len() > 1 {
                    return error(c.values[1].col, format!("\"{}\" takes one date", c.op.as_str()));
                }
                self.date(c, field, &c.values[0])
            }
        }
    }

    fn date(&mut self, c: &Clause, field: &'static str, v: &Val) -> Result<(), QueryError> {
        let text = v.text.trim();
        let has_absolute = self.dates.iter().any(|(f, _, _)| *f == field);
        if let Some(days) = relative_days(text) {
            let days = days.ok_or_else(|| QueryError { column: v.col, message: format!("\"{text}\" is too large") })?;
            if v.prefix {
                return error(v.col, "a relative date takes no \"*\"");
            }
            if has_absolute || self.relative.contains(&field) {
                return error(c.key_col, format!("only one relative range, or dates, per field ({})", c.key));
            }
            let comparison = match c.op {
                Op::Lt | Op::Le => DateRangeComparison::Within,
                _ => DateRangeComparison::OlderThan,
            };
            self.relative.push(field);
            let range = DateRange { value: days, unit: DateRangeUnit::Days, comparison };
            let list = FilterList::Date(vec![DateFilter { date_range: Some(range), ..DateFilter::default() }]);
            return self.push(field, list, c.key_col);
        }
        if self.relative.contains(&field) {
            return error(c.key_col, format!("only one relative range, or dates, per field ({})", c.key));
        }
        let Some(at) = absolute_date(text, c.op).filter(|_| !v.prefix) else {
            return error(v.col, format!("\"{}\" is not a date (YYYY-MM-DD, an RFC 3339 time, or Nd / Nw)", v.text));
        };
        let i = match self.dates.iter().position(|(f, _, _)| *f == field) {
            Some(i) => i,
            None => {
                self.dates.push((field, DateFilter::default(), c.key_col));
                self.dates.len() - 1
            }
        };
        let entry = &mut self.dates[i].1;
        let slot = if matches!(c.op, Op::Ge | Op::Gt) { &mut entry.start } else { &mut entry.end };
        if slot.is_some() {
            let which = if matches!(c.op, Op::Ge | Op::Gt) { "start" } else { "end" };
            return error(c.op_col, format!("{} {which} date given twice", c.key));
        }
        *slot = Some(timestamp::format(at));
        Ok(())
    }

    fn finish(mut self) -> Result<Query, QueryError> {
        for (field, entry, col) in std::mem::take(&mut self.numbers) {
            self.push(field, FilterList::Number(vec![entry]), col)?;
        }
        for (field, entry, col) in std::mem::take(&mut self.dates) {
            self.push(field, FilterList::Date(vec![entry]), col)?;
        }
        Ok(self.query)
    }
}

/// `7d` / `2w` -> days; `Some(None)` when it is of that form but too large.
fn relative_days(s: &str) -> Option<Option<i64>> {
    let (num, mult) = if let Some(n) = s.strip_suffix(['d', 'D']) {
        (n, 1)
    } else if let Some(n) = s.strip_suffix(['w', 'W']) {
        (n, 7)
    } else {
        return None;
    };
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(num.parse::<i64>().ok().and_then(|n| n.checked_mul(mult)).filter(|&n| n <= i64::from(i32::MAX)))
}

/// A date bound: a full RFC 3339 time as given, or a calendar day (UTC) widened per the operator.
fn absolute_date(s: &str, op: Op) -> Option<OffsetDateTime> {
    if s.len() == 10 {
        let day = timestamp::parse(&format!("{s}T00:00:00Z"))?;
        let next = day.checked_add(time::Duration::DAY)?;
        let ms = time::Duration::milliseconds(1);
        return match op {
            Op::Ge => Some(day),
            Op::Gt => Some(next),
            Op::Le => next.checked_sub(ms),
            _ => day.checked_sub(ms),
        };
    }
    timestamp::parse(s)
}

/// Parses a query (see the module doc for the grammar).
pub fn parse(input: &str) -> Result<Query, QueryError> {
    let mut b = Builder::default();
    for term in lex(input)? {
        match clause(&term)? {
            Some(c) => b.clause(&c)?,
            None => {
                let word: String = term.chars.iter().map(|ch| ch.c).collect();
                b.query.text.push(word.to_lowercase());
            }
        }
    }
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::filter::StringComparison as C;
    use serde_json::json;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2025-03-01 12:00:00 UTC);

    fn q(s: &str) -> Query {
        parse(s).unwrap()
    }

    fn err(s: &str) -> String {
        parse(s).unwrap_err().to_string()
    }

    fn strings(query: &Query, field: &str) -> Vec<(String, C)> {
        query.filters.string_filters(field).unwrap().iter().map(|f| (f.value.clone(), f.comparison)).collect()
    }

    fn s(v: &str, c: C) -> (String, C) {
        (v.to_owned(), c)
    }

    fn finding() -> Value {
        json!({
            "Id": "arn:aws:guardduty:eu-west-1:123456789012:detector/d/finding/f1",
            "GeneratorId": "arn:aws:guardduty:eu-west-1:123456789012:detector/d",
            "AwsAccountId": "123456789012",
            "Region": "eu-west-1",
            "ProductName": "GuardDuty",
            "Title": "S3 bucket logs is publicly readable",
            "Description": "The bucket policy allows anonymous reads.",
            "Types": ["Software and Configuration Checks/AWS Security Best Practices"],
            "Severity": {"Label": "HIGH"},
            "Workflow": {"Status": "NOTIFIED"},
            "RecordState": "ACTIVE",
            "Compliance": {"Status": "FAILED", "SecurityControlId": "S3.2"},
            "UpdatedAt": "2025-02-27T10:00:00Z",
            "Resources": [{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::logs", "Tags": {"env": "prod"}}]
        })
    }

    #[test]
    fn the_example_from_the_brief_parses_and_matches() {
        let query = q("sev>=high status:new,notified product:guardduty account:123456789012 \
                       type:\"Software and Configuration Checks\" resource:AwsS3Bucket compliance:failed \
                       record:active region:eu-* updated<7d free words");
        assert_eq!(strings(&query, "SeverityLabel"), [s("HIGH", C::Equals), s("CRITICAL", C::Equals)]);
        assert_eq!(strings(&query, "WorkflowStatus"), [s("NEW", C::Equals), s("NOTIFIED", C::Equals)]);
        assert_eq!(strings(&query, "ProductName"), [s("GuardDuty", C::Equals)]);
        assert_eq!(strings(&query, "AwsAccountId"), [s("123456789012", C::Equals)]);
        assert_eq!(strings(&query, "Type"), [s("Software and Configuration Checks", C::Prefix)]);
        assert_eq!(strings(&query, "ResourceType"), [s("AwsS3Bucket", C::Equals)]);
        assert_eq!(strings(&query, "ComplianceStatus"), [s("FAILED", C::Equals)]);
        assert_eq!(strings(&query, "RecordState"), [s("ACTIVE", C::Equals)]);
        assert_eq!(strings(&query, "Region"), [s("eu-", C::Prefix)]);
        assert_eq!(
            query.filters.to_json()["UpdatedAt"],
            json!([{"DateRange": {"Value": 7, "Unit": "DAYS", "Comparison": "WITHIN"}}])
        );
        assert_eq!(query.text, ["free", "words"]);
        assert!(query.filters.matches(&finding(), NOW));
        assert!(!query.matches_text(&finding()));
        let no_words = q("sev>=high status:new,notified product:guardduty updated<7d bucket LOGS");
        assert!(no_words.matches(&finding(), NOW));
    }

    #[test]
    fn severity_forms() {
        // Brief: INFORMATIONAL<LOW<MEDIUM<HIGH<CRITICAL, expanded to EQUALS on each label.
        let labels = |s: &str| strings(&q(s), "SeverityLabel").into_iter().map(|(v, _)| v).collect::<Vec<_>>();
        assert_eq!(labels("sev>medium"), ["HIGH", "CRITICAL"]);
        assert_eq!(labels("sev<=low"), ["INFORMATIONAL", "LOW"]);
        assert_eq!(labels("sev<med"), ["INFORMATIONAL", "LOW"]);
        assert_eq!(labels("sev=critical"), ["CRITICAL"]);
        assert_eq!(labels("severity:info,crit"), ["INFORMATIONAL", "CRITICAL"]);
        assert_eq!(labels("SEV:Informational"), ["INFORMATIONAL"]);
        assert_eq!(strings(&q("-sev:low"), "SeverityLabel"), [s("LOW", C::NotEquals)]);
        assert_eq!(err("sev>critical"), "column 5: no severity satisfies this comparison");
        assert!(err("sev:urgent").starts_with("column 5: \"urgent\" is not a severity"));
    }

    #[test]
    fn negation_and_prefix() {
        // Brief: -key / !key negate (NOT_EQUALS / PREFIX_NOT_EQUALS); trailing * = PREFIX.
        assert_eq!(strings(&q("-region:us-east-1"), "Region"), [s("us-east-1", C::NotEquals)]);
        assert_eq!(strings(&q("!region:us-*"), "Region"), [s("us-", C::PrefixNotEquals)]);
        assert_eq!(strings(&q("account:1234*"), "AwsAccountId"), [s("1234", C::Prefix)]);
        // A quoted * is literal.
        assert_eq!(strings(&q("id:\"a*\""), "Id"), [s("a*", C::Equals)]);
        // type is always PREFIX.
        assert_eq!(strings(&q("-type:TTPs"), "Type"), [s("TTPs", C::PrefixNotEquals)]);
        // Contains-keys negate to NOT_CONTAINS.
        assert_eq!(strings(&q("title:bucket"), "Title"), [s("bucket", C::Contains)]);
        assert_eq!(strings(&q("-note:ok"), "NoteText"), [s("ok", C::NotContains)]);
        // Negated values are ANDed (API-DIGEST 3.2).
        let query = q("-region:eu-west-1,us-east-1");
        assert!(!query.filters.matches(&finding(), NOW));
        assert!(q("-region:eu-west-2,us-east-1").filters.matches(&finding(), NOW));
        // Model doc: EQUALS with NOT_EQUALS on one field is rejected; reported at the second term.
        assert_eq!(
            err("status:new -status:resolved"),
            "column 13: Filters.WorkflowStatus[1].Comparison: NOT_EQUALS cannot be combined with EQUALS \
             (Filters.WorkflowStatus[0]) on the same field"
        );
        // Model doc: CONTAINS only with other CONTAINS, NOT_CONTAINS only with other NOT_CONTAINS.
        assert_eq!(strings(&q("title:s3,bucket"), "Title"), [s("s3", C::Contains), s("bucket", C::Contains)]);
        assert_eq!(
            err("title:s3,cloud*"),
            "column 1: Filters.Title[1].Comparison: PREFIX cannot be combined with CONTAINS (Filters.Title[0]) on the \
             same field"
        );
        assert!(err("-title:s3 -title:cloud*").contains("PREFIX_NOT_EQUALS cannot be combined with NOT_CONTAINS"));
        // Model doc: PREFIX with NOT_EQUALS is allowed.
        assert_eq!(
            strings(&q("type:TTPs -type:TTPs/Discovery"), "Type"),
            [s("TTPs", C::Prefix), s("TTPs/Discovery", C::PrefixNotEquals)]
        );
    }

    #[test]
    fn key_mapping() {
        // Brief: key table.
        assert_eq!(strings(&q("workflow:suppressed"), "WorkflowStatus"), [s("SUPPRESSED", C::Equals)]);
        assert_eq!(strings(&q("compliance:not-available"), "ComplianceStatus"), [s("NOT_AVAILABLE", C::Equals)]);
        assert_eq!(strings(&q("record:archived"), "RecordState"), [s("ARCHIVED", C::Equals)]);
        assert_eq!(strings(&q("verif:true_positive"), "VerificationState"), [s("TRUE_POSITIVE", C::Equals)]);
        assert_eq!(strings(&q("verification:benign-positive"), "VerificationState"), [s("BENIGN_POSITIVE", C::Equals)]);
        assert_eq!(strings(&q("control:S3.1"), "ComplianceSecurityControlId"), [s("S3.1", C::Equals)]);
        assert_eq!(strings(&q("generator:aws-foundational*"), "GeneratorId"), [s("aws-foundational", C::Prefix)]);
        assert_eq!(strings(&q("id:abc"), "Id"), [s("abc", C::Equals)]);
        assert_eq!(strings(&q("by:alice"), "NoteUpdatedBy"), [s("alice", C::Equals)]);
        assert_eq!(
            strings(&q("standard:standards/cis"), "ComplianceAssociatedStandardsId"),
            [s("standards/cis", C::Prefix)]
        );
        assert_eq!(strings(&q("resourceid:i-0abc"), "ResourceId"), [s("i-0abc", C::Equals)]);
        assert_eq!(strings(&q("resource:arn:aws:s3:::logs"), "ResourceId"), [s("arn:aws:s3:::logs", C::Equals)]);
        assert_eq!(strings(&q("resource:AWS::S3::Bucket/x"), "ResourceId"), [s("AWS::S3::Bucket/x", C::Equals)]);
        assert_eq!(strings(&q("resource:AwsEc2*"), "ResourceType"), [s("AwsEc2", C::Prefix)]);
        assert!(err("resource:AwsS3Bucket,arn:aws:s3:::x").contains("mixes resource types and resource ids"));
    }

    #[test]
    fn products_map_to_service_names() {
        // Brief: common lower-case product names map to the ProductName values.
        let p = |s: &str| strings(&q(s), "ProductName").into_iter().map(|(v, _)| v).collect::<Vec<_>>();
        assert_eq!(
            p("product:guardduty,inspector,macie,config,health"),
            ["GuardDuty", "Inspector", "Macie", "Config", "Health"]
        );
        assert_eq!(p("product:securityhub"), ["Security Hub"]);
        assert_eq!(p("product:\"security hub\""), ["Security Hub"]);
        assert_eq!(p("product:access-analyzer,accessanalyzer"), ["IAM Access Analyzer", "IAM Access Analyzer"]);
        assert_eq!(
            p("product:patch-manager,prowler,firewall-manager"),
            ["Systems Manager Patch Manager", "Prowler", "Firewall Manager"]
        );
        assert_eq!(p("product:GuardDuty"), ["GuardDuty"]);
        assert_eq!(p("product:\"Acme Scanner\""), ["Acme Scanner"]);
    }

    #[test]
    fn maps_numbers_booleans() {
        let query = q("tag:env=prod,env=dev udf:ticket=SEC-1");
        assert_eq!(
            query.filters.to_json(),
            json!({
                "ResourceTags": [{"Key": "env", "Value": "prod", "Comparison": "EQUALS"},
                                 {"Key": "env", "Value": "dev", "Comparison": "EQUALS"}],
                "UserDefinedFields": [{"Key": "ticket", "Value": "SEC-1", "Comparison": "EQUALS"}]
            })
        );
        assert_eq!(
            q("-tag:team=red,env=dev").filters.to_json(),
            json!({"ResourceTags": [{"Key": "team", "Value": "red", "Comparison": "NOT_EQUALS"},
                                    {"Key": "env", "Value": "dev", "Comparison": "NOT_EQUALS"}]})
        );
        // Model doc MapFilter.Comparison: EQUALS with NOT_EQUALS on one field is an error.
        assert!(err("tag:env=prod -tag:team=red").starts_with("column 15: Filters.ResourceTags[1].Comparison"));
        assert!(q("tag:env=prod").filters.matches(&finding(), NOW));
        assert!(!q("tag:env=dev").filters.matches(&finding(), NOW));
        assert_eq!(err("tag:env"), "column 5: expected tag:KEY=VALUE");
        // Bounds on one key form one range (AND); = values are alternatives.
        let n = q("confidence>=50 confidence<80 criticality:10,20");
        assert_eq!(
            n.filters.to_json(),
            json!({"Criticality": [{"Eq": 10}, {"Eq": 20}], "Confidence": [{"Gte": 50, "Lt": 80}]})
        );
        assert!(q("confidence>50").filters.matches(&json!({"Confidence": 60}), NOW));
        assert!(!q("confidence>=50 confidence<=55").filters.matches(&json!({"Confidence": 60}), NOW));
        assert_eq!(err("confidence>high"), "column 12: \"high\" is not a number");
        assert_eq!(err("confidence>1 confidence>2"), "column 24: confidence> given twice");
        assert_eq!(err("-confidence>1"), "column 1: confidence cannot be negated");
        // sample:true|false -> BooleanFilter.
        assert_eq!(q("sample:false").filters.to_json(), json!({"Sample": [{"Value": false}]}));
        assert_eq!(q("-sample:true").filters.to_json(), json!({"Sample": [{"Value": false}]}));
        assert!(err("sample:maybe").contains("is not a boolean"));
    }

    #[test]
    fn dates() {
        // Brief: <Nd = WITHIN, >Nd = OLDER_THAN, >=DATE = Start, <=DATE = End.
        let j = |s: &str| q(s).filters.to_json();
        assert_eq!(
            j("created>30d"),
            json!({"CreatedAt": [{"DateRange": {"Value": 30, "Unit": "DAYS", "Comparison": "OLDER_THAN"}}]})
        );
        assert_eq!(
            j("lastseen<2w"),
            json!({"LastObservedAt": [{"DateRange": {"Value": 14, "Unit": "DAYS", "Comparison": "WITHIN"}}]})
        );
        assert_eq!(
            j("updated>=2025-01-01 updated<=2025-02-01"),
            json!({"UpdatedAt": [{"Start": "2025-01-01T00:00:00.000Z", "End": "2025-02-01T23:59:59.999Z"}]})
        );
        assert_eq!(
            j("firstseen>2025-01-01 firstseen<2025-02-01"),
            json!({"FirstObservedAt": [{"Start": "2025-01-02T00:00:00.000Z", "End": "2025-01-31T23:59:59.999Z"}]})
        );
        assert_eq!(
            j("updated>=2025-01-01T10:00:00+02:00"),
            json!({"UpdatedAt": [{"Start": "2025-01-01T08:00:00.000Z"}]})
        );
        assert!(q("updated>=2025-02-27").filters.matches(&finding(), NOW));
        assert!(!q("updated<2025-02-27").filters.matches(&finding(), NOW));
        assert!(q("updated<=2025-02-27").filters.matches(&finding(), NOW));
        assert!(q("updated<7d").filters.matches(&finding(), NOW));
        assert!(!q("updated>7d").filters.matches(&finding(), NOW));
        assert_eq!(
            err("updated<yesterday"),
            "column 9: \"yesterday\" is not a date (YYYY-MM-DD, an RFC 3339 time, or Nd / Nw)"
        );
        assert!(err("updated:7d").starts_with("column 8: use updated<7d"));
        assert!(err("updated<7d updated>30d").starts_with("column 12: only one relative range"));
        assert!(err("updated>=2025-01-01 updated<7d").starts_with("column 21: only one relative range"));
        assert_eq!(err("updated<99999999999d"), "column 9: \"99999999999d\" is too large");
    }

    #[test]
    fn errors_carry_columns() {
        // Brief: unknown keys with an edit-distance suggestion; enum values list the allowed ones.
        assert_eq!(err("status:new sev:high sevv:low"), "column 21: unknown field \"sevv\" (did you mean sev?)");
        assert_eq!(err("-stauts:new"), "column 2: unknown field \"stauts\" (did you mean status?)");
        assert_eq!(
            err("http://example.com"),
            "column 1: unknown field \"http\" (quote the term to search for it as text)"
        );
        assert_eq!(
            err("status:new,open"),
            "column 12: \"open\" is not a status; expected one of NEW, NOTIFIED, RESOLVED, SUPPRESSED"
        );
        assert_eq!(
            err("x compliance:\"bad value\""),
            "column 14: \"bad value\" is not a compliance; expected one of PASSED, WARNING, FAILED, NOT_AVAILABLE"
        );
        assert_eq!(err("title:\"open"), "column 7: unterminated quote");
        assert_eq!(err("a \"b"), "column 3: unterminated quote");
        assert_eq!(err("status:"), "column 8: missing value after \"status:\"");
        assert_eq!(err("status:new,"), "column 12: missing value after \"status:\"");
        assert_eq!(err(":x"), "column 1: missing field name before \":\"");
        assert_eq!(err("region>eu"), "column 7: \">\" does not apply to region; use region:VALUE");
        assert_eq!(err("-word"), "column 1: free words cannot be negated; use a field, e.g. -title:WORD");
        assert_eq!(err("ok \"\""), "column 4: empty quotes");
        // Columns count characters, not bytes.
        assert_eq!(err("\"é\" sevv:x"), "column 5: unknown field \"sevv\" (did you mean sev?)");
    }

    #[test]
    fn free_text() {
        // Brief: free words ANDed, case-insensitive, over the listed fields.
        let query = q("\"publicly readable\" s3.2 AWSS3BUCKET \"arn:aws:s3:::logs\"");
        assert_eq!(query.text, ["publicly readable", "s3.2", "awss3bucket", "arn:aws:s3:::logs"]);
        assert!(query.filters.is_empty());
        assert!(query.matches_text(&finding()));
        assert!(q("anonymous 123456789012 guardduty best").matches_text(&finding()));
        assert!(!q("anonymous lambda").matches_text(&finding()));
        assert!(q("").matches_text(&finding()));
        assert_eq!(q("  "), Query::default());
    }

    #[test]
    fn repeated_keys_or_their_values() {
        // API-DIGEST 3.2: positive values on one field are ORed.
        let query = q("status:new status:notified");
        assert_eq!(strings(&query, "WorkflowStatus"), [s("NEW", C::Equals), s("NOTIFIED", C::Equals)]);
        assert!(query.filters.matches(&finding(), NOW));
        // AWS limit: at most 20 values per field.
        let many = (0..21).map(|i| format!("a{i}")).collect::<Vec<_>>().join(",");
        assert!(err(&format!("account:{many}")).contains("at most 20 filter values per field"));
    }

    #[test]
    fn edit_distance_works() {
        assert_eq!(edit_distance("sevv", "sev"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
