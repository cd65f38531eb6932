//! Turning clauses into filters. The key names a field of the field registry
//! (`model::filter::fields`), which says how the key reads values (severity order, enumerated values,
//! product names, resource types or ids, or as the field's kind reads them: strings, maps, numbers,
//! dates, booleans); the values become [`Filters`](crate::model::filter::Filters) entries, so the service's own rules check the result.

use time::OffsetDateTime;

use super::clause::{Clause, Op, Val};
use super::{error, Query, QueryError};
use crate::model::enums::SeverityLabel;
use crate::model::filter::fields::{self, Read};
use crate::model::filter::{
    BooleanFilter, DateFilter, DateRange, DateRangeComparison, DateRangeUnit, FilterKind, FilterList, MapComparison,
    MapFilter, NumberFilter, StringComparison, StringFilter,
};
use crate::model::timestamp;

/// How a string key's values compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Equals,
    Prefix,
    Contains,
}

/// The service's product names (`ProductName` values) for the short names a user types. A table of
/// values of one field, not of fields.
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
    let best = fields::query_keys().map(|(name, _)| (edit_distance(key, name), name)).min_by_key(|(d, _)| *d);
    let hint = match best {
        Some((d, name)) if d <= 2 && d < key.chars().count() => format!(" (did you mean {name}?)"),
        _ => " (quote the term to search for it as text)".to_owned(),
    };
    QueryError { column: col, message: format!("unknown field \"{key}\"{hint}") }
}

/// ` (did you mean X?)` for the value of `candidates` closest to `typed` when it is a likely typo
/// (at most two edits, and fewer than its length), else nothing. Suggested in lower case, as a
/// query is usually typed.
fn suggestion(typed: &str, candidates: &[&str]) -> String {
    let typed = typed.trim().to_lowercase();
    let best =
        candidates.iter().map(|c| c.to_lowercase()).map(|c| (edit_distance(&typed, &c), c)).min_by_key(|(d, _)| *d);
    match best {
        Some((d, c)) if d <= 2 && d < typed.chars().count() => format!(" (did you mean {c}?)"),
        _ => String::new(),
    }
}

/// Upper-cases an enumerated value (`-` and spaces read as `_`) and checks it.
fn enum_value(v: &Val, allowed: &[&str], what: &str) -> Result<String, QueryError> {
    let up: String =
        v.text.trim().chars().map(|c| if c == '-' || c == ' ' { '_' } else { c.to_ascii_uppercase() }).collect();
    let ok = if v.prefix { allowed.iter().any(|a| a.starts_with(&up)) } else { allowed.contains(&up.as_str()) };
    if ok {
        Ok(up)
    } else {
        let hint = suggestion(&up, allowed);
        error(v.col, format!("\"{}\" is not a {what}; expected one of {}{hint}", v.text, allowed.join(", ")))
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
            let names: Vec<&str> = SeverityLabel::ALL.iter().map(|l| l.as_str()).collect();
            let hint = suggestion(&v.text, &names);
            return error(
                v.col,
                format!(
                    "\"{}\" is not a severity; expected one of informational (info), low, medium, high, critical \
                     (crit){hint}",
                    v.text
                ),
            );
        }
    };
    if v.prefix {
        return error(v.col + v.text.chars().count(), "severities take no \"*\"");
    }
    Ok(rank)
}

#[derive(Default)]
pub(super) struct Builder {
    pub(super) query: Query,
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

    pub(super) fn clause(&mut self, c: &Clause) -> Result<(), QueryError> {
        let Some((def, read)) = fields::query_key(&c.key) else {
            return Err(unknown_key(&c.key, c.key_col));
        };
        let field = def.name;
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
        match (read, def.kind) {
            (Read::Severity, _) => {
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
                    labels.extend((0..SeverityLabel::ALL.len()).filter(|&i| match c.op {
                        Op::Ge => i >= r,
                        Op::Gt => i > r,
                        Op::Le => i <= r,
                        _ => i < r,
                    }));
                    if labels.is_empty() {
                        return error(c.values[0].col, "no severity satisfies this comparison");
                    }
                }
                let values = labels.into_iter().map(|i| (SeverityLabel::ALL[i].as_str().to_owned(), false)).collect();
                self.strings(c, field, Mode::Equals, values)
            }
            (Read::OneOf(set), _) => {
                equality_only(&c.key)?;
                let allowed = set.values();
                let mut values = Vec::new();
                for v in &c.values {
                    values.push((enum_value(v, &allowed, &c.key)?, v.prefix));
                }
                self.strings(c, field, Mode::Equals, values)
            }
            (Read::Plain | Read::Prefix | Read::Contains, FilterKind::String) => {
                equality_only(&c.key)?;
                let mode = match read {
                    Read::Prefix => Mode::Prefix,
                    Read::Contains => Mode::Contains,
                    _ => Mode::Equals,
                };
                let values = c.values.iter().map(|v| (v.text.clone(), v.prefix)).collect();
                self.strings(c, field, mode, values)
            }
            (Read::Product, _) => {
                equality_only(&c.key)?;
                let mut values = Vec::new();
                for v in &c.values {
                    let lower = v.text.trim().to_ascii_lowercase();
                    if v.prefix {
                        // PREFIX is exact, as GetFindings' is, so `guard*` would match nothing: a
                        // prefix of a known product's name is written as that name writes it.
                        let mut cased: Vec<String> = PRODUCTS
                            .iter()
                            .filter(|(_, name)| name.to_ascii_lowercase().starts_with(&lower))
                            .filter_map(|(_, name)| name.get(..v.text.trim().len()).map(str::to_owned))
                            .collect();
                        cased.dedup();
                        if cased.is_empty() {
                            values.push((v.text.clone(), true));
                        } else {
                            values.extend(cased.into_iter().map(|p| (p, true)));
                        }
                        continue;
                    }
                    let known = PRODUCTS.iter().find(|(k, _)| *k == lower);
                    values.push((known.map_or_else(|| v.text.clone(), |(_, name)| (*name).to_owned()), false));
                }
                self.strings(c, field, Mode::Equals, values)
            }
            (Read::TypeOrId(id_field), _) => {
                equality_only(&c.key)?;
                let is_id = |v: &Val| v.text.starts_with("arn:") || v.text.contains('/');
                let ids = c.values.iter().filter(|v| is_id(v)).count();
                if ids != 0 && ids != c.values.len() {
                    return error(
                        c.values[0].col,
                        "mixes resource types and resource ids; use separate resource: and resourceid: terms",
                    );
                }
                let field = if ids == 0 { field } else { id_field };
                let values = c.values.iter().map(|v| (v.text.clone(), v.prefix)).collect();
                self.strings(c, field, Mode::Equals, values)
            }
            (_, FilterKind::Map) => {
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
            (_, FilterKind::Boolean) => {
                equality_only(&c.key)?;
                let mut list = Vec::new();
                for v in &c.values {
                    let b = match v.text.trim().to_ascii_lowercase().as_str() {
                        "true" | "yes" => true,
                        "false" | "no" => false,
                        _ => return error(v.col, format!("\"{}\" is not a boolean; expected true or false", v.text)),
                    };
                    list.push(BooleanFilter { value: b != c.negated });
                }
                self.push(field, FilterList::Boolean(list), c.key_col)
            }
            (_, FilterKind::Number) => {
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
            (_, FilterKind::Date) => {
                not_negated(&c.key)?;
                if c.op.is_equality() {
                    return error(c.op_col, format!("use {0}<7d, {0}>30d, {0}>=2025-01-01 or {0}<=2025-02-01", c.key));
                }
                if c.values.len() > 1 {
                    return error(c.values[1].col, format!("\"{}\" takes one date", c.op.as_str()));
                }
                self.date(c, field, &c.values[0])
            }
            // The registry gives no IP or keyword field a query key (its tests check).
            (_, FilterKind::Ip | FilterKind::Keyword) => Err(unknown_key(&c.key, c.key_col)),
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

    pub(super) fn finish(mut self) -> Result<Query, QueryError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_works() {
        assert_eq!(edit_distance("sevv", "sev"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
