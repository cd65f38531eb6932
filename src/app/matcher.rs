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

/// A folded value in brief, computed once when the value is interned, so that a term can rule most
/// values out without searching them ([`Term::admits`]): which bytes the value holds (a bit of its
/// own for each letter, digit and common separator, the other bytes sharing the rest) and which
/// pairs of adjacent bytes (hashed to 64 bits).
///
/// Under both rules every byte of a matching term is a byte of the value, and the term's first two
/// bytes are adjacent in it (in a substring; or in the first word piece, which has at least two
/// bytes), so a value whose sketch lacks one of them cannot match. A 1-byte term matches exactly
/// when its byte is in the value, so when that byte has a bit of its own the sketch is the answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sketch {
    bytes: u64,
    pairs: u64,
}

/// Bits `0..OWN_BITS` belong to one byte each; the other bytes share the bits above.
const OWN_BITS: u8 = 42;

const fn byte_bits() -> [u8; 256] {
    let mut bits = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        bits[b] = match c {
            b'a'..=b'z' => c - b'a',
            b'0'..=b'9' => 26 + c - b'0',
            b' ' => 36,
            b'-' => 37,
            b'.' => 38,
            b'_' => 39,
            b':' => 40,
            b'/' => 41,
            _ => OWN_BITS + c % (64 - OWN_BITS),
        };
        b += 1;
    }
    bits
}

static BYTE_BIT: [u8; 256] = byte_bits();

fn byte_bit(b: u8) -> u64 {
    1 << BYTE_BIT[b as usize]
}

fn pair_bit(a: u8, b: u8) -> u64 {
    1 << ((u32::from(a) << 8 | u32::from(b)).wrapping_mul(0x9e37_79b1) >> 26)
}

impl Sketch {
    /// The sketch of a folded value (`fold`).
    pub fn of(folded: &str) -> Sketch {
        let folded = folded.as_bytes();
        let mut s = Sketch { bytes: folded.first().map_or(0, |&b| byte_bit(b)), pairs: 0 };
        for w in folded.windows(2) {
            s.bytes |= byte_bit(w[1]);
            s.pairs |= pair_bit(w[0], w[1]);
        }
        s
    }
}

/// One whitespace-separated term, folded, with its searchers built once per pattern.
pub struct Term {
    text: Box<[u8]>,
    whole: Finder<'static>,
    /// The first two bytes: every word-pieces match contains them.
    head: Option<Finder<'static>>,
    /// What a value's sketch must hold for the term to match it.
    needs: Sketch,
    /// The term is one byte with a sketch bit of its own: the sketch decides alone.
    by_sketch: bool,
}

impl Term {
    fn new(text: &str) -> Term {
        let text: Box<[u8]> = text.as_bytes().into();
        let head = (text.len() >= 3 && text.len() <= MAX_PIECES_TERM).then(|| Finder::new(&text[..2]).into_owned());
        let mut needs = Sketch { bytes: text.iter().fold(0, |m, &b| m | byte_bit(b)), pairs: 0 };
        if let [a, b, ..] = *text {
            needs.pairs = pair_bit(a, b);
        }
        if head.is_none() {
            // Substrings only: every adjacent pair.
            needs.pairs = text.windows(2).fold(needs.pairs, |m, w| m | pair_bit(w[0], w[1]));
        }
        let by_sketch = matches!(*text, [b] if BYTE_BIT[b as usize] < OWN_BITS);
        Term { whole: Finder::new(&text).into_owned(), head, text, needs, by_sketch }
    }

    /// Whether the term can match a value whose sketch is `s` (when `false`, [`Term::matches`] is
    /// `false` on that value).
    pub fn admits(&self, s: Sketch) -> bool {
        s.bytes & self.needs.bytes == self.needs.bytes && s.pairs & self.needs.pairs == self.needs.pairs
    }

    /// Whether [`Term::admits`] is the whole answer: [`Term::matches`] on one value equals it.
    pub fn decided_by_sketch(&self) -> bool {
        self.by_sketch
    }

    /// [`Term::matches`] on one value (a haystack of one field) whose sketch is `s`, asking the
    /// haystack only when the sketch does not answer.
    pub fn matches_value<'a>(&self, s: Sketch, hay: impl FnOnce() -> Haystack<'a>) -> bool {
        self.admits(s) && (self.by_sketch || self.matches(&hay()))
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

    /// The sketch is a prefilter: it never rules out a value the predicate accepts, and where it
    /// claims to decide alone (a 1-byte term) it equals the predicate.
    #[test]
    fn a_sketch_never_rules_out_a_value_the_term_matches() {
        let values = [
            "",
            "S3 bucket should prohibit public access",
            "RDS DB Instances should prohibit public access",
            "AwsRdsDbInstance",
            "ÉCOLE Straße",
            "İstanbul",
            "i-0abc12",
            "EC2.19",
            "arn:aws:s3:::prod-logs",
            "Ωmega ÅSA",
            "x",
            "111122223333",
            "key_rotation/a~b!c@d#e$f%g^h&i*j(k)l+m=n[o]p{q}r|s;t'u\"v<w>x,y?z`",
        ];
        let mut terms: Vec<String> =
            ["pubacc", "rdsdbi", "rdsinst", "s3bu", "s3b", "ec219", "ωm", "straß", "İst", "zz"]
                .iter()
                .map(|t| t.to_string())
                .collect();
        terms.extend((0x21u8..0x7f).map(|b| char::from(b).to_string()));
        terms.extend(["é", "ß", "İ", "Ω", "å", "\u{e9}c", "\u{2603}"].map(String::from));
        for v in values {
            let chars: Vec<char> = v.chars().collect();
            for a in 0..chars.len() {
                for b in a + 1..=(a + 8).min(chars.len()) {
                    terms.push(chars[a..b].iter().collect());
                }
            }
        }
        terms.push("x".repeat(MAX_PIECES_TERM + 1));
        let (mut ruled_out, mut decided) = (0, 0);
        for v in values {
            let (text, mut starts) = (fold(v), Vec::new());
            mark_word_starts(v, 0, &mut starts);
            let hay = Haystack::new(&text, &starts, 0);
            let sketch = Sketch::of(&text);
            for term in &terms {
                // Multi-word terms split into several terms, each decided on its own.
                for t in Pattern::new(term).terms() {
                    let m = t.matches(&hay);
                    assert!(!m || t.admits(sketch), "/{} ruled out of {v:?}", t.text());
                    if t.decided_by_sketch() {
                        decided += 1;
                        assert_eq!(t.admits(sketch), m, "/{} on {v:?} by the sketch alone", t.text());
                    }
                    assert_eq!(t.matches_value(sketch, || hay), m, "/{} on {v:?}", t.text());
                    ruled_out += usize::from(!t.admits(sketch));
                }
            }
        }
        assert!(ruled_out > terms.len() && decided > 0, "the sketch rules values out ({ruled_out})");
        let public = Sketch::of("public access");
        assert!(!Pattern::new("zz").terms()[0].admits(public) && !Pattern::new("pux").terms()[0].admits(public));
        assert!(Pattern::new("pubacc").terms()[0].admits(public), "pieces need only their first pair adjacent");
    }

    #[test]
    fn earliest_end_finds_a_split_a_greedy_one_misses() {
        // The first word starting "pub" (publisher) leads nowhere; the search goes on to "public".
        assert!(pieces("publicx", "publisher public xray"));
        assert!(pieces("stopstart", "stopping start"), "a longer first piece");
        assert!(!pieces("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", &"aa ".repeat(200)), "no blow-up, no match");
    }
}
