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
//! * Keys (case-insensitive) and their filter fields (the keys, their fields and how they read values
//!   are the field registry's, `model::filter::fields`; a test checks this table names every key):
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
//! | `control` | ControlId (hubtriage's own) | Compliance.SecurityControlId, or for an older Security Hub control finding (CIS 1.2, PCI DSS) `ProductFields` ControlId / RuleId / StandardsControlArn (`model::control`) |
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
//! Enumerated values are case-insensitive (`-` may stand for `_`); a value outside the set (`sev:hgh`,
//! `status:nwe`, `record:actve`) can match nothing, so it is an error, naming the values and the
//! nearest one when it is a likely typo (`(did you mean high?)`). An unquoted `*` anywhere but at the
//! end of a value is matched as itself (only a trailing one makes a prefix), and so is any `*` in a
//! free word: the query runs, with a warning (`Query::warnings`; the CLI prints it on stderr, the
//! workbench in its status line). Quote a `*` that is meant as itself.
//!
//! Any other term is a free word: every free word must occur (case-insensitively) in the Title, Description, Id, GeneratorId, AwsAccountId,
//! AwsAccountName, ProductName, Resources[].Id, Resources[].Type, the control id (as `control`) or Types[];
//! quote a word that contains `:`, `<`, `>` or `=` (`"arn:aws:s3:::bucket"`).
//!
//! Errors carry the 1-based character column of the offending token:
//! `column 17: unknown field "sevv" (did you mean sev?)`.
//!
//! Layout: `lex` splits the input into terms (quotes, columns), `clause` reads a term as
//! `[-]key<op>values` or a free word, `build` turns clauses into [`Filters`] entries by the field
//! registry's keys.

mod build;
mod clause;
mod lex;
#[cfg(test)]
mod tests;

use std::sync::LazyLock;

use serde_json::Value;
use time::OffsetDateTime;

use crate::model::filter::{any_str_of, contains_ignore_case, fields, Filters};

use build::Builder;
use clause::{clause, first_literal_star};
use lex::lex;

/// A parsed query: AWS filters plus free words (stored lower-case), and what in it is likely not
/// what was meant though it parses (`warnings`, shown beside the answer).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    pub filters: Filters,
    pub text: Vec<String>,
    pub warnings: Vec<QueryWarning>,
}

/// Something in a query that parses but likely matches nothing it was meant to (a `*` that is not a
/// trailing prefix). `Display` is `column N: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryWarning {
    /// 1-based character column of the token warned of.
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for QueryWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
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

/// Where free words are looked for: the fields the registry marks `free_text`.
static TEXT_FIELDS: LazyLock<Vec<&'static fields::FieldDef>> = LazyLock::new(|| fields::free_text_fields().collect());

impl Query {
    /// Every free word occurs, case-insensitively, in one of the text fields (see the module doc).
    pub fn matches_text(&self, finding: &Value) -> bool {
        text_matches(&self.text, finding)
    }

    /// The filters and the free words together.
    pub fn matches(&self, finding: &Value, now: OffsetDateTime) -> bool {
        self.filters.matches(finding, now) && self.matches_text(finding)
    }
}

/// Every one of the free `words` (lower-case) occurs, case-insensitively, in one of the text fields
/// of `finding`: `Query::matches_text`, for a reader that holds only the words (the store).
pub fn text_matches(words: &[String], finding: &Value) -> bool {
    words
        .iter()
        .all(|word| TEXT_FIELDS.iter().any(|def| any_str_of(def, finding, &mut |s| contains_ignore_case(s, word))))
}

/// Parses a query (see the module doc for the grammar).
pub fn parse(input: &str) -> Result<Query, QueryError> {
    let mut b = Builder::default();
    let mut warnings = Vec::new();
    for term in lex(input)? {
        match clause(&term)? {
            Some(c) => {
                b.clause(&c)?;
                warnings.extend(c.literal_stars.iter().map(|&column| QueryWarning {
                    column,
                    message: "only a trailing \"*\" makes a prefix; this \"*\" is matched as itself".into(),
                }));
            }
            None => {
                if let Some(column) = first_literal_star(&term.chars) {
                    warnings.push(QueryWarning {
                        column,
                        message: "a free word is found anywhere in the text; its \"*\" is matched as itself".into(),
                    });
                }
                let word: String = term.chars.iter().map(|ch| ch.c).collect();
                b.query.text.push(word.to_lowercase());
            }
        }
    }
    let mut query = b.finish()?;
    query.warnings = warnings;
    Ok(query)
}
