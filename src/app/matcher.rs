//! The `/` filter's predicate: does a row match the pattern, yes or no.
//!
//! The pattern is split on whitespace into terms, and a row matches when every term matches one of
//! its search fields (title, resource type, resource id, account, product, control id) on its own,
//! never across two fields. A term matches a field, case-insensitively, when it is
//! - a substring of the field (`rds`, `i-49b8`, `5420`), or
//! - word pieces: a piece that starts a word and has at least 3 characters (or is the whole word),
//!   then pieces of at least 2 characters (the last may be 1) that each start a later word of the
//!   same field: `pubacc` is "**pub**lic **acc**ess", `rdsdbi` is "**RDS** **DB** **I**nstances" or
//!   "Aws**RdsDbI**nstance", `s3bu` is "**S3** **bu**cket".
//!
//! A word starts after a non-alphanumeric character or at a lower-to-upper case change. Scattered
//! letters (`rds` in "hardwa**r**e … **d**i**s**abled") never match, so the result is predictable.
//!
//! Both rules are monotone: when a pattern extends another (`pub` → `puba`), whatever matches the
//! longer one matched the shorter one. That is what lets the filter narrow the previous matches
//! instead of scanning every row, and the answer is the same however the pattern was typed.

use memchr::memmem::Finder;

/// Separates the fields in a row's haystack (`RowStore::haystack`): sanitised text never contains
/// it and whitespace splits it out of every term, so a substring never spans two fields.
pub const SEPARATOR: char = '\n';

/// Terms longer than this match only as substrings (the piece search keeps its state on the stack).
const MAX_PIECES_TERM: usize = 64;

/// Lower-cases text for matching without changing its length in bytes, so a position in the folded
/// text is the same position in the original, where word starts are decided (camel case needs the
/// original). The rare character whose lower case is longer in UTF-8 ('İ') is kept as it is.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// [`fold`], appending to `out`.
pub fn fold_into(s: &str, out: &mut String) {
    if s.is_ascii() {
        let start = out.len();
        out.push_str(s);
        if let Some(tail) = out.get_mut(start..) {
            tail.make_ascii_lowercase();
        }
        return;
    }
    for c in s.chars() {
        let mut lower = c.to_lowercase();
        match (lower.next(), lower.next()) {
            (Some(l), None) if l.len_utf8() == c.len_utf8() => out.push(l),
            _ => out.push(c),
        }
    }
}

/// One whitespace-separated term, folded, with its searchers built once per pattern.
pub struct Term {
    text: Box<[u8]>,
    whole: Finder<'static>,
    /// The first two bytes: every word-pieces match contains them.
    head: Option<Finder<'static>>,
}

impl Term {
    fn new(text: &str) -> Term {
        let text: Box<[u8]> = text.as_bytes().into();
        let head = (text.len() >= 3 && text.len() <= MAX_PIECES_TERM).then(|| Finder::new(&text[..2]).into_owned());
        Term { whole: Finder::new(&text).into_owned(), head, text }
    }

    /// The term, folded.
    pub fn text(&self) -> &str {
        // Built from a `&str` split on whitespace, so the bytes are that string's.
        std::str::from_utf8(&self.text).unwrap_or_default()
    }

    /// Whether the term matches one of the fields in `hay` (fields joined by [`SEPARATOR`]) on its
    /// own.
    pub fn matches(&self, hay: &Haystack<'_>) -> bool {
        let text = hay.text.as_bytes();
        if self.whole.find(text).is_some() {
            return true;
        }
        let Some(head) = &self.head else { return false };
        if head.find(text).is_none() {
            return false;
        }
        let mut start = 0;
        for end in memchr::memchr_iter(SEPARATOR as u8, text).chain([text.len()]) {
            if word_pieces(&self.text, hay, start, end) {
                return true;
            }
            start = end + 1;
        }
        false
    }
}

/// One row's haystack: its search fields folded and joined by [`SEPARATOR`], and where words start
/// in it (one bit per byte of a buffer the haystack is a part of, from [`mark_word_starts`]).
#[derive(Debug, Clone, Copy)]
pub struct Haystack<'a> {
    pub text: &'a str,
    starts: &'a [u64],
    /// Where `text` begins in the buffer `starts` describes.
    at: usize,
}

impl<'a> Haystack<'a> {
    pub fn new(text: &'a str, starts: &'a [u64], at: usize) -> Haystack<'a> {
        Haystack { text, starts, at }
    }

    fn is_word_start(&self, i: usize) -> bool {
        let g = self.at + i;
        self.starts.get(g / 64).is_some_and(|w| (w >> (g % 64)) & 1 == 1)
    }

    /// Whether a word ends just before `i`.
    fn is_word_end(&self, i: usize) -> bool {
        self.text.as_bytes().get(i).is_none_or(|&c| !is_word_char(c)) || self.is_word_start(i)
    }
}

/// Sets the bits of `bits` for the word starts of `orig` (a field as shown, so camel case counts),
/// which begins at byte `at` of the buffer `bits` describes.
pub fn mark_word_starts(orig: &str, at: usize, bits: &mut Vec<u64>) {
    let orig = orig.as_bytes();
    bits.resize((at + orig.len()).div_ceil(64).max(bits.len()), 0);
    for i in 0..orig.len() {
        if is_word_start(orig, i) {
            let g = at + i;
            if let Some(w) = bits.get_mut(g / 64) {
                *w |= 1 << (g % 64);
            }
        }
    }
}

/// A compiled `/` pattern.
pub struct Pattern {
    terms: Vec<Term>,
}

impl Pattern {
    /// `pattern` as typed; it is folded here.
    pub fn new(pattern: &str) -> Pattern {
        Pattern { terms: fold(pattern).split_whitespace().map(Term::new).collect() }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// Whether the row whose haystack (`RowStore::haystack`) is `hay` matches.
    pub fn matches(&self, hay: &Haystack<'_>) -> bool {
        self.terms.iter().all(|t| t.matches(hay))
    }
}

fn is_word_char(b: u8) -> bool {
    // Any byte of a non-ASCII character counts as a letter.
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// Whether a word starts at `i` of the original field (as shown: camel case counts).
fn is_word_start(orig: &[u8], i: usize) -> bool {
    let Some(&cur) = orig.get(i) else { return false };
    if !is_word_char(cur) || (0x80..0xc0).contains(&cur) {
        return false;
    }
    match i.checked_sub(1).and_then(|p| orig.get(p)) {
        None => true,
        Some(&prev) => !is_word_char(prev) || (prev.is_ascii_lowercase() && cur.is_ascii_uppercase()),
    }
}

/// Whether `term` splits into word pieces of the field at `start..end` of the haystack. Keeps, for
/// each prefix of the term, the earliest field position at which that prefix can end as whole
/// non-final pieces: a later start can only see fewer words, so the earliest dominates and the
/// search is polynomial.
fn word_pieces(term: &[u8], hay: &Haystack<'_>, start: usize, end: usize) -> bool {
    let n = term.len();
    let Some(lower) = hay.text.as_bytes().get(start..end) else { return false };
    if !(3..=MAX_PIECES_TERM).contains(&n) {
        return false;
    }
    const NONE: usize = usize::MAX;
    let mut earliest = [NONE; MAX_PIECES_TERM + 1];
    earliest[0] = 0;
    for i in 0..n {
        let from = earliest[i];
        if from == NONE {
            continue;
        }
        let Some(rest) = lower.get(from..) else { continue };
        for b in memchr::memchr_iter(term[i], rest).map(|b| b + from) {
            if !hay.is_word_start(start + b) {
                continue;
            }
            let k = term[i..].iter().zip(&lower[b..]).take_while(|(x, y)| x == y).count();
            if i + k == n {
                return true;
            }
            // The first piece has at least 3 bytes or is a whole word ("s3"); later ones at least 2
            // unless they end the term.
            let min = if i > 0 || (k >= 2 && hay.is_word_end(start + b + 2)) { 2 } else { 3 };
            for len in min..=k.min(n - i - 1) {
                let at = &mut earliest[i + len];
                *at = (*at).min(b + len);
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(term: &str, field: &str) -> bool {
        let (text, mut starts) = (fold(field), Vec::new());
        mark_word_starts(field, 0, &mut starts);
        word_pieces(fold(term).as_bytes(), &Haystack::new(&text, &starts, 0), 0, text.len())
    }

    #[test]
    fn folding_keeps_byte_positions() {
        assert_eq!(fold("RdsDbInstance"), "rdsdbinstance");
        assert_eq!(fold("ÉCOLE Straße"), "école straße");
        let odd = "İstanbul";
        assert_eq!(fold(odd).len(), odd.len());
    }

    #[test]
    fn word_pieces_start_words_and_never_scatter() {
        assert!(pieces("pubacc", "RDS DB Instances should prohibit public access"));
        assert!(pieces("rdsdbi", "RDS DB Instances should prohibit public access"));
        assert!(pieces("rdsinst", "AwsRdsDbInstance"), "camel-case words");
        assert!(pieces("ec219", "EC2.19"));
        assert!(pieces("s3bucp", "S3 bucket should prohibit public access"));
        assert!(pieces("puba", "public access"), "the last piece may be one character");
        assert!(!pieces("rds", "Ensure hardware MFA is disabled"));
        assert!(!pieces("pacc", "public access"), "the first piece has 3 characters");
        assert!(pieces("s3b", "S3 bucket"), "or is a whole word");
        assert!(!pieces("rds", "RDP brute force from a scanner"), "\"rd\" is not a whole word");
        assert!(!pieces("pubaccx", "public access"));
        assert!(!pieces("ublacc", "public access"), "pieces start words");
        assert!(!pieces("pubaxcs", "public access"), "middle pieces have 2 characters");
        assert!(!pieces("hdwmfa", "Ensure hardware MFA is enabled"));
        assert!(!pieces("accpub", "public access"), "in order");
    }

    #[test]
    fn earliest_end_finds_a_split_a_greedy_one_misses() {
        // The first word starting "pub" (publisher) leads nowhere; the search goes on to "public".
        assert!(pieces("publicx", "publisher public xray"));
        assert!(pieces("stopstart", "stopping start"), "a longer first piece");
        assert!(!pieces("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", &"aa ".repeat(200)), "no blow-up, no match");
    }
}
