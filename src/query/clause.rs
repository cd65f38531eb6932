//! Reading one term as a clause, `[-|!]key<op>value[,value...]`, or recognising it as a free word.

use super::lex::{Ch, Term};
use super::{error, QueryError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    Colon,
    Eq,
    Ge,
    Gt,
    Le,
    Lt,
}

impl Op {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Op::Colon => ":",
            Op::Eq => "=",
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Lt => "<",
        }
    }

    pub(super) fn is_equality(self) -> bool {
        matches!(self, Op::Colon | Op::Eq)
    }
}

/// One value of a term.
pub(super) struct Val {
    pub(super) text: String,
    pub(super) col: usize,
    /// A trailing unquoted `*` was stripped.
    pub(super) prefix: bool,
}

/// A `key<op>values` term.
pub(super) struct Clause {
    pub(super) negated: bool,
    pub(super) key: String,
    pub(super) key_col: usize,
    pub(super) op: Op,
    pub(super) op_col: usize,
    pub(super) values: Vec<Val>,
    /// Columns of unquoted `*`s that are not a value's trailing one: matched as themselves.
    pub(super) literal_stars: Vec<usize>,
}

fn is_op(ch: &Ch) -> bool {
    !ch.quoted && matches!(ch.c, ':' | '<' | '>' | '=')
}

/// Splits a term into a clause, or returns `None` for a free word.
pub(super) fn clause(term: &Term) -> Result<Option<Clause>, QueryError> {
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
    let mut literal_stars = Vec::new();
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
        literal_stars.extend(first_literal_star(body));
        let text: String = body.iter().map(|ch| ch.c).collect();
        if text.trim().is_empty() {
            return error(col, format!("missing value after \"{key}{}\"", op.as_str()));
        }
        values.push(Val { text, col, prefix });
    }
    if values.is_empty() {
        return error(after_op, format!("missing value after \"{key}{}\"", op.as_str()));
    }
    Ok(Some(Clause { negated, key, key_col: chars[start].col, op, op_col, values, literal_stars }))
}

/// The column of the first unquoted `*` in `chars`, if any.
pub(super) fn first_literal_star(chars: &[Ch]) -> Option<usize> {
    chars.iter().find(|ch| !ch.quoted && ch.c == '*').map(|ch| ch.col)
}
