//! Splitting a query into whitespace-separated terms: quotes removed (their characters marked), each
//! character with its 1-based column for error messages.

use super::{error, QueryError};

#[derive(Debug, Clone, Copy)]
pub(super) struct Ch {
    pub(super) c: char,
    pub(super) quoted: bool,
    pub(super) col: usize,
}

/// One whitespace-separated term: its characters (quotes removed, marked `quoted`) and start column.
pub(super) struct Term {
    pub(super) chars: Vec<Ch>,
    pub(super) col: usize,
}

pub(super) fn lex(input: &str) -> Result<Vec<Term>, QueryError> {
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
