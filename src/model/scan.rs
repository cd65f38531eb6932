//! A strict JSON scanner for the fast path of reading findings files (`raw::scan_finding`,
//! `input::for_each_finding`): it finds where a value ends, copies it without its whitespace and
//! counts its numbers in one pass, where serde_json scanned each member kept as text once to find
//! its end and `raw::push_minified` scanned it again to copy it.
//!
//! It accepts only what serde_json accepts, and answers `None` for anything else (and for the rare
//! things it does not handle: control characters in strings). The reader then reads the input
//! again with serde_json, whose error says what and where. So the scanner never has to explain a
//! syntax error, only never to accept one
//! (`tests::the_scanner_accepts_only_what_serde_json_accepts`).
//!
//! It also finds, in the same pass, what serde_json would read as valid JSON but could not read
//! back as a finding: nesting deeper than `FINDING_DEPTH` and a number beyond f64 (`1e400`).
//! serde_json copies such text as a raw value without complaint, but refuses to parse it, so a
//! finding holding it could be stored and never read again. The scanner reads past it and keeps
//! what it found (`Scanner::defect`), for the import to refuse that finding alone.

/// The deepest a finding may nest, counting the finding object as level 1. serde_json refuses a
/// text nested 128 levels deep; a stored finding is read inside `{"Findings": [...]}` (a
/// GetFindings answer, a BatchImportFindings request), two levels more, so 125 levels is the most
/// that every reader of a finding reads back.
pub const FINDING_DEPTH: usize = 125;

/// What makes valid JSON text unreadable as a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Defect {
    /// Nested deeper than `FINDING_DEPTH`.
    TooDeep,
    /// A number serde_json refuses to read (beyond f64): its text, cut short if long.
    OutOfRange(String),
    /// A member name sent twice in one object (serde_json keeps the last value silently): the
    /// name as written, where its second opening quote is in the text, and (once `located`) the
    /// path from the member to that object (`[0].Details`).
    Duplicate { name: String, at: usize, path: String },
}

impl Defect {
    /// The refusal's message, naming the member it is in.
    pub fn describe(&self, member: &str) -> String {
        match self {
            Defect::TooDeep => format!(
                "{member} is nested deeper than {FINDING_DEPTH} levels (counting the finding), which cannot be read back"
            ),
            Defect::OutOfRange(n) => format!("number {n} in {member} is out of range (beyond a 64-bit float)"),
            Defect::Duplicate { name, path, .. } => {
                // The path's names are the provider's text too.
                let (path, name) = (crate::model::sanitize::line(path), crate::model::sanitize::line(name));
                format!("{member}{path}: duplicate member \"{name}\"")
            }
        }
    }

    /// The defect, a duplicate naming its path from the value that begins at `start` in `text`
    /// (walked again only when one is found).
    pub fn located(self, text: &str, start: usize) -> Defect {
        match self {
            Defect::Duplicate { name, at, .. } => {
                let mut path = String::new();
                Scanner::new(text, start).locate(at, &mut path);
                Defect::Duplicate { name, at, path }
            }
            other => other,
        }
    }
}

/// Objects with up to this many members are checked for a name sent twice as each is read; a
/// larger one is checked once it is read, its names sorted.
const PAIRWISE_NAMES: usize = 16;

/// How deeply `v` nests arrays and objects (0 for a string, a number...).
pub fn depth(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        serde_json::Value::Object(members) => 1 + members.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// A finding's first member nested deeper than `FINDING_DEPTH` (a finding parsed already can hold
/// no number beyond f64): why it cannot be stored and read back.
pub fn value_defect(finding: &serde_json::Value) -> Option<String> {
    let members = finding.as_object()?;
    members.iter().find(|(_, v)| 1 + depth(v) > FINDING_DEPTH).map(|(k, _)| Defect::TooDeep.describe(k))
}

/// Integers of up to this many digits without an exponent are within f64's range (below 1e308):
/// longer ones, and any with an exponent, are read by serde_json to know.
const SAFE_DIGITS: usize = 300;

/// Scans JSON text from a position: `pos` is always the next byte to read.
pub struct Scanner<'a> {
    text: &'a str,
    pub pos: usize,
    /// How many arrays and objects (`array`, `object`) enclose `pos`.
    level: usize,
    /// The first defect found (valid JSON that cannot be read back), if any; `take_defect` takes it.
    defect: Option<Defect>,
    /// Where the member names of the objects being read are (without quotes), innermost last.
    names: Vec<std::ops::Range<usize>>,
}

impl<'a> Scanner<'a> {
    pub fn new(text: &'a str, pos: usize) -> Scanner<'a> {
        Scanner { text, pos, level: 0, defect: None, names: Vec::new() }
    }

    /// A scanner of a value's text (from its start) that is `level` arrays and objects deep in a
    /// finding (1 for a member of the finding).
    pub fn within(text: &'a str, level: usize) -> Scanner<'a> {
        Scanner { text, pos: 0, level, defect: None, names: Vec::new() }
    }

    /// Notes the member name just read (its opening quote at `at`) of the object whose names begin
    /// at `names[base]`, finding it if it was sent before in a small object.
    fn name_read(&mut self, base: usize, at: usize) {
        let name = at + 1..self.pos - 1;
        if self.defect.is_none() && self.names.len() - base < PAIRWISE_NAMES {
            let bytes = self.text.as_bytes();
            if self.names[base..].iter().any(|seen| bytes[seen.clone()] == bytes[name.clone()]) {
                self.found(Defect::Duplicate { name: self.text[name.clone()].to_string(), at, path: String::new() });
            }
        }
        self.names.push(name);
    }

    /// The object whose names begin at `names[base]` is read: a large one is checked (its names
    /// sorted), and its names are let go.
    fn object_read(&mut self, base: usize) {
        if self.defect.is_none() && self.names.len() - base >= PAIRWISE_NAMES {
            let bytes = self.text.as_bytes();
            let names = &mut self.names[base..];
            names.sort_unstable_by(|a, b| bytes[a.clone()].cmp(&bytes[b.clone()]).then(a.start.cmp(&b.start)));
            if let Some(pair) = names.windows(2).find(|w| bytes[w[0].clone()] == bytes[w[1].clone()]) {
                let second = pair[1].clone();
                let name = self.text[second.clone()].to_string();
                self.found(Defect::Duplicate { name, at: second.start - 1, path: String::new() });
            }
        }
        self.names.truncate(base);
    }

    /// From the value at `pos`, the path (`.Details`, `[0]`) to the object holding the member
    /// name whose opening quote is at `at`, appended to `path`. Only where a defect was found.
    fn locate(&mut self, at: usize, path: &mut String) -> Option<()> {
        let open = self.skip_ws()?;
        if open != b'{' && open != b'[' {
            return None;
        }
        self.pos += 1;
        let mut index = 0;
        loop {
            if matches!(self.skip_ws()?, b'}' | b']') {
                return None;
            }
            let mut name = "";
            if open == b'{' {
                let start = self.pos;
                self.string()?;
                if start == at {
                    return Some(());
                }
                name = self.text.get(start + 1..self.pos - 1)?;
                self.expect(b':')?;
                self.skip_ws()?;
            }
            let start = self.pos;
            let mut probe = Scanner::new(self.text, start);
            probe.value(&mut Copy { run: start, numbers: 0 }, &mut Vec::new(), 0)?;
            if (start..probe.pos).contains(&at) {
                if open == b'{' {
                    path.push('.');
                    path.push_str(name);
                } else {
                    path.push_str(&format!("[{index}]"));
                }
                return self.locate(at, path);
            }
            self.pos = probe.pos;
            index += 1;
            if self.skip_ws()? == b',' {
                self.pos += 1;
            }
        }
    }

    /// The first defect found since the last call.
    pub fn take_defect(&mut self) -> Option<Defect> {
        self.defect.take()
    }

    fn found(&mut self, defect: Defect) {
        self.defect.get_or_insert(defect);
    }

    /// Goes on in a longer text that begins with the one read so far (a file checked as UTF-8 a
    /// piece at a time).
    pub fn extend(&mut self, text: &'a str) {
        debug_assert!(text.len() >= self.text.len() && text.as_ptr() == self.text.as_ptr());
        self.text = text;
    }

    /// The next byte, if any.
    pub fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// Skips JSON whitespace; returns the next byte.
    pub fn skip_ws(&mut self) -> Option<u8> {
        while let Some(b) = self.peek() {
            if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    /// Expects `b` (after whitespace) and steps over it.
    pub fn expect(&mut self, b: u8) -> Option<()> {
        (self.skip_ws()? == b).then(|| self.pos += 1)
    }

    /// A string without escapes, whose opening quote is at `pos`: its contents, `pos` after its
    /// closing quote. `None` for a string with an escape or a control character.
    pub fn plain_string(&mut self) -> Option<&'a str> {
        let start = self.pos + 1;
        let end = start + special(self.text.as_bytes().get(start..)?)?;
        if self.text.as_bytes()[end] != b'"' {
            return None;
        }
        self.pos = end + 1;
        // Both ends are at ASCII quotes, so on character boundaries.
        self.text.get(start..end)
    }

    /// An array at `pos` (after whitespace): `item` reads each element, from its first byte.
    pub fn array(&mut self, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.expect(b'[')?;
        self.level += 1;
        if self.skip_ws()? == b']' {
            self.pos += 1;
            self.level -= 1;
            return Some(());
        }
        loop {
            item(self)?;
            match self.skip_ws()? {
                b',' => {
                    self.pos += 1;
                    self.skip_ws()?;
                }
                b']' => {
                    self.pos += 1;
                    self.level -= 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// An object at `pos` (after whitespace) whose member names have no escapes: `member` reads
    /// each value, from its first byte, given the member's name.
    /// Inside a finding (not the finding's own members, which its reader checks, nor an
    /// envelope's), a member name sent twice is a defect.
    pub fn object(&mut self, mut member: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.expect(b'{')?;
        let check = self.level >= 1;
        self.level += 1;
        if self.skip_ws()? == b'}' {
            self.pos += 1;
            self.level -= 1;
            return Some(());
        }
        let base = self.names.len();
        loop {
            if self.skip_ws()? != b'"' {
                return None;
            }
            let at = self.pos;
            let name = self.plain_string()?;
            if check {
                self.name_read(base, at);
            }
            self.expect(b':')?;
            self.skip_ws()?;
            member(self, name)?;
            match self.skip_ws()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    self.level -= 1;
                    if check {
                        self.object_read(base);
                    }
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// The value at `pos` parsed by serde_json, `pos` after it; `None` for what serde_json refuses.
    /// A value that is valid JSON but cannot be read back (`Defect`) is `Null`, with the defect
    /// kept. A string without escapes is taken as it is: most of a finding's parsed members are
    /// (Id, Title, timestamps...), and starting serde_json on each cost ~800 instructions, ~2% of a
    /// bulk import's. (Objects and arrays of such strings built by the scanner too saved only 0.4%
    /// more: their cost is serde_json's map, not its start.)
    pub fn parse_value(&mut self) -> Option<serde_json::Value> {
        let start = self.pos;
        if self.peek() == Some(b'"') {
            if let Some(s) = self.plain_string() {
                return Some(serde_json::Value::String(s.to_owned()));
            }
            self.pos = start;
        }
        // An object or array is scanned first (a name sent twice, which serde_json would not
        // tell, nesting and numbers), then parsed from its text.
        if matches!(self.peek(), Some(b'{' | b'[')) {
            let before = self.defect.take();
            let mut copy = Copy { run: self.pos, numbers: 0 };
            let scanned = self.value(&mut copy, &mut Vec::new(), self.level);
            let found = std::mem::replace(&mut self.defect, before);
            return match (scanned, found) {
                (Some(()), Some(defect)) => {
                    self.found(defect);
                    Some(serde_json::Value::Null)
                }
                (Some(()), None) => serde_json::from_str(self.text.get(start..self.pos)?).ok(),
                (None, _) => {
                    self.pos = start;
                    None
                }
            };
        }
        let mut values = serde_json::Deserializer::from_str(self.text.get(self.pos..)?).into_iter();
        match values.next() {
            Some(Ok(v)) => {
                self.pos += values.byte_offset();
                if self.level + depth(&v) > FINDING_DEPTH {
                    self.found(Defect::TooDeep);
                    return Some(serde_json::Value::Null);
                }
                Some(v)
            }
            // Refused: too deep or out of range for serde_json, or not JSON. The scanner's own
            // reading tells which (and finds the end of what serde_json would accept as text).
            _ => {
                let before = self.defect.take();
                let mut copy = Copy { run: self.pos, numbers: 0 };
                let scanned = self.value(&mut copy, &mut Vec::new(), self.level);
                let found = std::mem::replace(&mut self.defect, before);
                match (scanned, found) {
                    (Some(()), Some(defect)) => {
                        self.found(defect);
                        Some(serde_json::Value::Null)
                    }
                    _ => {
                        self.pos = start;
                        None
                    }
                }
            }
        }
    }

    /// Steps over one value starting at `pos` (no whitespace before it), appending it to `out`
    /// without whitespace outside strings. Returns how many numbers it holds.
    pub fn copy_value(&mut self, out: &mut Vec<u8>) -> Option<usize> {
        let mut copy = Copy { run: self.pos, numbers: 0 };
        self.value(&mut copy, out, self.level)?;
        out.extend_from_slice(&self.text.as_bytes()[copy.run..self.pos]);
        Some(copy.numbers)
    }

    /// Steps over one value starting at `pos` in compact text (nothing is copied).
    pub fn skip_value(&mut self) -> Option<()> {
        let mut copy = Copy { run: self.pos, numbers: 0 };
        // Only whitespace is ever copied before the value's end, and compact text has none.
        self.value(&mut copy, &mut Vec::new(), self.level)
    }

    /// One value at `pos`, `depth` arrays and objects deep (`level` and those the value is in).
    fn value(&mut self, copy: &mut Copy, out: &mut Vec<u8>, depth: usize) -> Option<()> {
        match self.peek()? {
            b'"' => self.string(),
            open @ (b'{' | b'[') => {
                let depth = depth + 1;
                if depth > FINDING_DEPTH {
                    return self.too_deep();
                }
                let close = if open == b'{' { b'}' } else { b']' };
                self.pos += 1;
                if self.ws(copy, out)? == close {
                    self.pos += 1;
                    return Some(());
                }
                let base = self.names.len();
                loop {
                    if open == b'{' {
                        if self.peek()? != b'"' {
                            return None;
                        }
                        let at = self.pos;
                        self.string()?;
                        self.name_read(base, at);
                        if self.ws(copy, out)? != b':' {
                            return None;
                        }
                        self.pos += 1;
                        self.ws(copy, out)?;
                    }
                    self.value(copy, out, depth)?;
                    match self.ws(copy, out)? {
                        b',' => {
                            self.pos += 1;
                            self.ws(copy, out)?;
                        }
                        b if b == close => {
                            self.pos += 1;
                            if open == b'{' {
                                self.object_read(base);
                            }
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => {
                copy.numbers += 1;
                self.number()
            }
            _ => None,
        }
    }

    /// Skips whitespace as `skip_ws`, leaving it out of the copy.
    fn ws(&mut self, copy: &mut Copy, out: &mut Vec<u8>) -> Option<u8> {
        let start = self.pos;
        let next = self.skip_ws();
        if self.pos > start {
            out.extend_from_slice(&self.text.as_bytes()[copy.run..start]);
            copy.run = self.pos;
        }
        next
    }

    /// A string whose opening quote is at `pos`, escapes and all.
    fn string(&mut self) -> Option<()> {
        let bytes = self.text.as_bytes();
        let mut i = self.pos + 1;
        loop {
            i += special(bytes.get(i..)?)?;
            match bytes[i] {
                b'"' => {
                    self.pos = i + 1;
                    return Some(());
                }
                // An escape: as serde_json checks one it does not decode (`\u` with four hex
                // digits; which code point they name is left to whoever decodes the string).
                b'\\' => match *bytes.get(i + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                    b'u' => {
                        if !bytes.get(i + 2..i + 6)?.iter().all(u8::is_ascii_hexdigit) {
                            return None;
                        }
                        i += 6;
                    }
                    _ => return None,
                },
                // A control character.
                _ => return None,
            }
        }
    }

    /// An array or object at `pos` deeper than a finding may nest: stepped over by serde_json's
    /// skipping, which checks its syntax without recursing (the scanner recurses, and the text may
    /// nest a million levels). Copied as it is: the finding is refused anyway.
    fn too_deep(&mut self) -> Option<()> {
        let mut values =
            serde_json::Deserializer::from_str(self.text.get(self.pos..)?).into_iter::<serde::de::IgnoredAny>();
        values.next()?.ok()?;
        self.pos += values.byte_offset();
        self.found(Defect::TooDeep);
        Some(())
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        if !self.text.as_bytes().get(self.pos..)?.starts_with(word) {
            return None;
        }
        self.pos += word.len();
        Some(())
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, as JSON (and serde_json) has it.
    /// A number beyond f64 (`1e400`, 400 nines) is a defect: serde_json refuses to read it.
    fn number(&mut self) -> Option<()> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let integer = self.pos;
        match self.peek()? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        let mut safe = self.pos - integer <= SAFE_DIGITS;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.some_digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.some_digits()?;
            safe = false;
        }
        if !safe {
            let text = self.text.get(start..self.pos)?;
            if serde_json::from_str::<serde_json::Number>(text).is_err() {
                let shown = if text.len() > 40 { format!("{}...", &text[..40]) } else { text.to_string() };
                self.found(Defect::OutOfRange(shown));
            }
        }
        // What follows ("01", "1x") is the container's to judge: only a comma, a bracket or
        // whitespace may.
        Some(())
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }

    fn some_digits(&mut self) -> Option<()> {
        let start = self.pos;
        self.digits();
        (self.pos > start).then_some(())
    }
}

/// Where the copy of the current value is: the text from `run` to `pos` is still to be copied.
struct Copy {
    run: usize,
    numbers: usize,
}

/// Where the first `"`, `\\` or control character (below U+0020, which a JSON string may not hold
/// as it is) of `s` is, if any. Eight bytes at a time: strings in findings are mostly short, and
/// memchr's setup cost more than the search.
fn special(s: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    // The high bit of each byte of `w` that is zero (or, above the first such byte, may be).
    let zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGH;
    let mut words = s.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut words {
        let w = u64::from_le_bytes(chunk.try_into().ok()?);
        let found = zero(w ^ (ONES * u64::from(b'"')))
            | zero(w ^ (ONES * u64::from(b'\\')))
            | (w.wrapping_sub(ONES * 0x20) & !w & HIGH);
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    words.remainder().iter().position(|b| matches!(b, b'"' | b'\\' | 0..=0x1f)).map(|p| at + p)
}

#[cfg(test)]
mod tests;
