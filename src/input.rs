//! Reading findings files: `{"Findings": [...]}` (the GetFindings/BatchImportFindings envelope), a
//! JSON array, or JSON lines, optionally gzip-compressed, from a file or standard input. Findings are
//! handed to a sink one at a time as they are parsed, so a 100k-finding file never sits in memory as
//! one JSON tree. Errors name the file, line and column. An input (a gzip file's text too) may be
//! at most `MAX_INPUT_BYTES`. A file in UTF-16 or UTF-32, or JSON lines with two objects on a line,
//! is refused saying so (`sniff`).

use std::fmt;
use std::io::Read;
use std::path::Path;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::model::raw::{scan_finding, ContainedFinding, Incoming};
use crate::model::sanitize;
use crate::model::scan::Scanner;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InputError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

// The file's name and serde's message (which can quote the file's text) are third-party text:
// shown made inert, as all such text printed to a terminal.
impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (file, message) = (sanitize::line(&self.file), sanitize::line(&self.message));
        if self.line == 0 {
            write!(f, "{file}: {message}")
        } else {
            write!(f, "{file}:{}:{}: {message}", self.line, self.column)
        }
    }
}

/// An input's bytes: a file mapped into memory, or what was read (standard input, un-gzipped).
pub enum Bytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Read(v) => v,
        }
    }
}

/// The most text an input may be: a file's size, standard input's, and a gzip file's once
/// decompressed (so a small gzip file that decompresses without end is refused when it passes
/// this, not when memory runs out: 1 MB of gzip took 3.2 GB). 100,000 findings are ~280 MB.
pub const MAX_INPUT_BYTES: u64 = 4 << 30;

/// Decompressed text up to this size is kept in memory; beyond, it goes to a temporary file
/// (deleted at once, so only the open handle keeps it) mapped as a plain file is.
const GUNZIP_IN_MEMORY: usize = 64 << 20;

/// Reads the whole input, un-gzipping it when it starts with the gzip magic bytes. A file is mapped
/// rather than read: reading copied every byte and made the kernel hand out (and zero) as much
/// fresh memory, ~0.25 s of CPU for a 276 MB file of 100,000 findings. An input larger than
/// `MAX_INPUT_BYTES`, or whose decompressed text is, is refused.
pub fn read_bytes(path: &str) -> Result<Bytes, InputError> {
    read_bytes_within(path, MAX_INPUT_BYTES, GUNZIP_IN_MEMORY)
}

/// `read_bytes` with its limits given (tests lower them).
fn read_bytes_within(path: &str, limit: u64, in_memory: usize) -> Result<Bytes, InputError> {
    let err = |message: String| InputError { file: display_name(path), line: 0, column: 0, message };
    let too_large = |what: &str| {
        err(format!("{what} is larger than {}, the most a findings file may be; split it", size_text(limit)))
    };
    let raw = if path == "-" {
        let mut raw = Vec::new();
        std::io::stdin()
            .take(limit.saturating_add(1))
            .read_to_end(&mut raw)
            .map_err(|e| err(format!("cannot read standard input: {e}")))?;
        if raw.len() as u64 > limit {
            return Err(too_large("the input"));
        }
        Bytes::Read(raw)
    } else {
        let file = std::fs::File::open(Path::new(path)).map_err(|e| err(format!("cannot read: {e}")))?;
        if file.metadata().is_ok_and(|m| m.len() > limit) {
            return Err(too_large("the file"));
        }
        // SAFETY: the map is read-only and private. Should another process shorten the file while
        // it is imported, reading past its new end would fault; a findings file is not edited
        // while it is imported.
        match unsafe { memmap2::Mmap::map(&file) } {
            Ok(m) => Bytes::Mapped(m),
            // Not mappable (a pipe, say): read.
            Err(_) => {
                let mut raw = Vec::new();
                (&file)
                    .take(limit.saturating_add(1))
                    .read_to_end(&mut raw)
                    .map_err(|e| err(format!("cannot read: {e}")))?;
                if raw.len() as u64 > limit {
                    return Err(too_large("the file"));
                }
                Bytes::Read(raw)
            }
        }
    };
    if raw.starts_with(&[0x1f, 0x8b]) {
        return gunzip(&raw, limit, in_memory).map_err(|e| match e {
            Gunzip::TooLarge => too_large("decompressed, the file"),
            Gunzip::Failed(message) => err(message),
        });
    }
    Ok(raw)
}

enum Gunzip {
    TooLarge,
    Failed(String),
}

/// Decompresses gzip text a piece at a time, stopping as soon as it passes `limit`: in memory up
/// to `in_memory` bytes, then in a temporary file, mapped.
fn gunzip(raw: &[u8], limit: u64, in_memory: usize) -> Result<Bytes, Gunzip> {
    use std::io::Write;
    let invalid = |e: std::io::Error| Gunzip::Failed(format!("not a valid gzip file: {e}"));
    let mut decoder = flate2::read::MultiGzDecoder::new(raw).take(limit.saturating_add(1));
    let mut out = Vec::new();
    (&mut decoder).take(in_memory as u64 + 1).read_to_end(&mut out).map_err(invalid)?;
    if out.len() as u64 > limit {
        return Err(Gunzip::TooLarge);
    }
    if out.len() <= in_memory {
        return Ok(Bytes::Read(out));
    }
    let spill = |e: std::io::Error| Gunzip::Failed(format!("cannot decompress into a temporary file: {e}"));
    let file = temporary_file().map_err(spill)?;
    let mut writer = std::io::BufWriter::with_capacity(1 << 20, &file);
    writer.write_all(&out).map_err(spill)?;
    drop(out);
    let mut total = in_memory as u64 + 1;
    let mut buffer = vec![0; 1 << 20];
    loop {
        let n = decoder.read(&mut buffer).map_err(invalid)?;
        if n == 0 {
            break;
        }
        total += n as u64;
        if total > limit {
            return Err(Gunzip::TooLarge);
        }
        writer.write_all(&buffer[..n]).map_err(spill)?;
    }
    writer.flush().map_err(spill)?;
    drop(writer);
    // SAFETY: a read-only private map of a file no other process can open (deleted once created).
    unsafe { memmap2::Mmap::map(&file) }.map(Bytes::Mapped).map_err(spill)
}

/// A new file in the temporary directory, deleted at once (on Unix; elsewhere it stays behind).
fn temporary_file() -> std::io::Result<std::fs::File> {
    static COUNT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("hubtriage-gunzip-{}-{n}.json", std::process::id()));
    let file = std::fs::OpenOptions::new().read(true).write(true).create_new(true).open(&path)?;
    let _ = std::fs::remove_file(&path);
    Ok(file)
}

/// `4 GB`, `1.5 MB`, `512 bytes`.
fn size_text(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GB"), (1 << 20, "MB"), (1 << 10, "KB")];
    for (unit, name) in UNITS {
        if bytes >= unit {
            let whole = bytes / unit;
            let tenths = (bytes % unit) * 10 / unit;
            return if tenths == 0 { format!("{whole} {name}") } else { format!("{whole}.{tenths} {name}") };
        }
    }
    format!("{bytes} bytes")
}

/// The input's name as messages show it: a file's name can carry an escape sequence.
pub fn display_name(path: &str) -> String {
    if path == "-" {
        "<stdin>".to_string()
    } else {
        sanitize::line(path).into_owned()
    }
}

/// Parses findings from `bytes` and passes each to `sink`. A sink error stops the reading and is
/// returned as is; a parse error names where it is.
pub fn for_each_finding<E>(
    source: &str,
    bytes: &[u8],
    mut sink: impl FnMut(Incoming) -> Result<(), E>,
) -> Result<(), ReadError<E>> {
    for_each_finding_at(source, bytes, |f, _| sink(f))
}

/// `for_each_finding`, also passing where each finding starts in `bytes` (a byte offset, for
/// `line_column`), so a finding refused later can be named by its place. The offset is known for
/// what the scanner and the JSON lines reader deliver; `None` for findings serde_json reads after
/// the scanner gave up (a file with an odd member somewhere).
pub fn for_each_finding_at<E>(
    source: &str,
    bytes: &[u8],
    mut sink: impl FnMut(Incoming, Option<usize>) -> Result<(), E>,
) -> Result<(), ReadError<E>> {
    let at = |line: usize, column: usize, message: String| {
        ReadError::Input(InputError { file: source.to_string(), line, column, message })
    };
    if let Some(message) = sniff::wrong_encoding(bytes) {
        return Err(at(0, 0, message));
    }
    let text_start = bytes.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = text_start else {
        return Err(at(0, 0, "the file is empty; expected {\"Findings\": [...]}, a JSON array or JSON lines".into()));
    };
    let bom = if bytes.starts_with(b"\xef\xbb\xbf") { 3 } else { 0 };
    let bytes = &bytes[bom..];
    if sniff::is_json_lines(bytes) {
        let mut line_start = bom;
        for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
            let at_line = line_start;
            line_start += line.len() + 1;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let first = line.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(0);
            // Text already known to be UTF-8 is not checked again (the findings are read from it).
            // The scanner reads a line it accepts whole; serde_json reads any other, for its error.
            let v: Incoming = match std::str::from_utf8(line) {
                Ok(text) => match scan_line(text) {
                    Some(f) => Ok(f),
                    None => contained(&mut serde_json::Deserializer::from_str(text)),
                },
                Err(_) => contained(&mut serde_json::Deserializer::from_slice(line)),
            }
            .map_err(|e| match sniff::second_value_on_line(line) {
                Some(second) => at(i + 1, second + 1, sniff::TWO_ON_A_LINE.into()),
                None => at(i + 1, e.column(), clean(&e)),
            })?;
            if !is_object(&v) {
                return Err(at(i + 1, 1, "each line must be one finding (a JSON object)".into()));
            }
            sink(v, Some(at_line + first)).map_err(ReadError::Sink)?;
        }
        return Ok(());
    }
    let mut failure = None;
    // The scanner reads the text first, checked as UTF-8 a piece at a time just ahead of it
    // (`Checked`). Should it stop (at invalid JSON or UTF-8, say), serde_json reads the text again,
    // passing over the findings the scanner delivered, and says what and where.
    let mut scanned = |f: Incoming, at: usize| sink(f, Some(bom + at));
    let mut skip = match scan_findings(bytes, &mut scanned) {
        Scanned::Done => return Ok(()),
        Scanned::Stopped(e) => return Err(ReadError::Sink(e)),
        Scanned::GaveUp { delivered } => delivered,
    };
    // A file that is not UTF-8 is read as bytes, so the findings before the bad byte are still
    // imported and the error says where it is.
    let text = std::str::from_utf8(bytes);
    let mut rest = |f: Incoming| {
        if skip > 0 {
            skip -= 1;
            return Ok(());
        }
        sink(f, None)
    };
    let seed = FindingsSeed { sink: &mut rest, failure: &mut failure, top: true };
    let result = match text {
        Ok(text) => {
            let mut de = serde_json::Deserializer::from_str(text);
            seed.deserialize(&mut de).and_then(|()| de.end())
        }
        Err(_) => {
            let mut de = serde_json::Deserializer::from_slice(bytes);
            seed.deserialize(&mut de).and_then(|()| de.end())
        }
    };
    if let Some(e) = failure {
        return Err(ReadError::Sink(e));
    }
    // JSON lines written with two objects on a line read as one object (no Findings member) and
    // more: say what is wrong instead.
    let second = || sniff::second_value_on_line(bytes);
    match result {
        Ok(()) => Ok(()),
        Err(_) if second().is_some() => {
            let (line, column) = position(bytes, second().unwrap_or(0));
            Err(at(line, column, sniff::TWO_ON_A_LINE.into()))
        }
        Err(e) if e.line() == 0 => {
            let (line, column) = position(bytes, start);
            Err(at(line, column, clean(&e)))
        }
        Err(e) => Err(at(e.line(), e.column(), clean(&e))),
    }
}

/// How far the scanner read a file.
enum Scanned<E> {
    /// Every finding was delivered.
    Done,
    /// The sink refused a finding.
    Stopped(E),
    /// The scanner stopped (invalid JSON, or what only serde_json's path reads) after delivering
    /// this many findings.
    GaveUp { delivered: usize },
}

/// A file's bytes as the scanner reads them: checked as UTF-8 a piece at a time, just ahead of the
/// scanner, so the first findings are read (and imported, on the other core) while the rest is
/// not yet checked, or for a mapped file not yet even read in. Checking a file of 100,000 findings
/// whole before its first finding took ~40 ms on one core, ~0.1 s when its pages were first
/// mapped, while the other core waited.
struct Checked<'a> {
    bytes: &'a [u8],
    /// `bytes[..valid]` is UTF-8.
    valid: usize,
    /// CHECK_PIECE and CHECK_AHEAD (tests check in smaller pieces, less far ahead).
    piece: usize,
    ahead: usize,
}

/// How much more of a file is checked at a time, and how far ahead of the scanner at least.
const CHECK_PIECE: usize = 4 << 20;
const CHECK_AHEAD: usize = 1 << 20;

impl<'a> Checked<'a> {
    /// The text checked so far.
    fn text(&self) -> &'a str {
        // SAFETY: `bytes[..valid]` is pieces each checked as UTF-8 by `more`, each cut at a
        // character boundary (where `valid_up_to` cuts), and UTF-8 pieces make UTF-8.
        unsafe { std::str::from_utf8_unchecked(&self.bytes[..self.valid]) }
    }

    /// Checks the next piece; false when nothing more is UTF-8 (the end, or bytes that are not).
    fn more(&mut self) -> bool {
        // A character is at most 4 bytes: a piece of 4 from a character's start holds one whole.
        let end = (self.valid + self.piece.max(4)).min(self.bytes.len());
        let valid = match std::str::from_utf8(&self.bytes[self.valid..end]) {
            Ok(_) => end,
            // Up to a bad byte, or to a character the piece cut (the next piece has it whole).
            Err(e) => self.valid + e.valid_up_to(),
        };
        let more = valid > self.valid;
        self.valid = valid;
        more
    }

    /// Checks at least `ahead` bytes past `pos` (or to the end); true if the text grew.
    fn ahead_of(&mut self, pos: usize) -> bool {
        let mut grew = false;
        while self.valid < self.bytes.len() && self.valid.saturating_sub(pos) < self.ahead && self.more() {
            grew = true;
        }
        grew
    }

    fn is_whole(&self) -> bool {
        self.valid == self.bytes.len()
    }
}

/// Reads an envelope or a JSON array of findings with the scanner (`model::scan`), delivering each
/// finding as it is read, exactly as `FindingsSeed` does with serde_json.
fn scan_findings<E>(bytes: &[u8], sink: &mut impl FnMut(Incoming, usize) -> Result<(), E>) -> Scanned<E> {
    scan_checked(Checked { bytes, valid: 0, piece: CHECK_PIECE, ahead: CHECK_AHEAD }, sink)
}

fn scan_checked<E>(mut checked: Checked<'_>, sink: &mut impl FnMut(Incoming, usize) -> Result<(), E>) -> Scanned<E> {
    checked.ahead_of(0);
    let mut s = Scanner::new(checked.text(), 0);
    let mut delivered = 0;
    let mut failure = None;
    let read = match s.skip_ws() {
        Some(b'[') => scan_array(&mut checked, &mut s, sink, &mut delivered, &mut failure),
        Some(b'{') => {
            let mut found = false;
            let mut skipped = Vec::new();
            s.object(|s, key| {
                if key != "Findings" {
                    skipped.clear();
                    return s.copy_value(&mut skipped).map(drop);
                }
                // A second Findings member: serde_json's reading refuses it, saying so.
                if found {
                    return None;
                }
                found = true;
                scan_array(&mut checked, s, sink, &mut delivered, &mut failure)
            })
            .filter(|()| found)
        }
        _ => None,
    };
    // Only whitespace may follow, to the end of the file.
    while checked.more() {}
    s.extend(checked.text());
    match (failure, read) {
        (Some(e), _) => Scanned::Stopped(e),
        (None, Some(())) if s.skip_ws().is_none() && checked.is_whole() => Scanned::Done,
        _ => Scanned::GaveUp { delivered },
    }
}

/// A JSON array of findings at `s.pos`: each finding is delivered as it is read. A sink error is
/// kept in `failure` and stops the reading.
fn scan_array<'a, E>(
    checked: &mut Checked<'a>,
    s: &mut Scanner<'a>,
    sink: &mut impl FnMut(Incoming, usize) -> Result<(), E>,
    delivered: &mut usize,
    failure: &mut Option<E>,
) -> Option<()> {
    s.array(|s| {
        if checked.ahead_of(s.pos) {
            s.extend(checked.text());
        }
        let start = s.pos;
        let (finding, end) = loop {
            match scan_finding(checked.text(), s.pos) {
                Some(found) => break found,
                // Perhaps a finding longer than what was checked ahead: check more, read it again.
                None if checked.more() => s.extend(checked.text()),
                None => return None,
            }
        };
        s.pos = end;
        // What follows (a comma, a bracket) is read next.
        if checked.ahead_of(end) {
            s.extend(checked.text());
        }
        if let Err(e) = sink(finding, start) {
            *failure = Some(e);
            return None;
        }
        *delivered += 1;
        Some(())
    })
}

/// A JSON line read by the scanner: one finding object and nothing else.
fn scan_line(line: &str) -> Option<Incoming> {
    let mut s = Scanner::new(line, 0);
    s.skip_ws()?;
    let (finding, end) = scan_finding(line, s.pos)?;
    s.pos = end;
    s.skip_ws().is_none().then_some(finding)
}

/// One finding and nothing after it, read by serde_json as the scanner reads it: what could not
/// be read back once stored is that finding's defect (`ContainedFinding`), not the file's error.
fn contained<'de, R: serde_json::de::Read<'de>>(de: &mut serde_json::Deserializer<R>) -> serde_json::Result<Incoming> {
    let finding = ContainedFinding.deserialize(&mut *de)?;
    de.end()?;
    Ok(finding)
}

#[derive(Debug)]
pub enum ReadError<E> {
    Input(InputError),
    Sink(E),
}

/// Findings are objects (read as `RawFinding`s); anything else is kept as a `Value` to be refused.
fn is_object(f: &Incoming) -> bool {
    !matches!(f, Incoming::Value(v) if !v.is_object())
}

/// The line and column (both from 1; the column counts bytes, as serde_json's do) of a byte offset.
pub fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    position(bytes, offset)
}

fn position(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let column = offset - before.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1) + 1;
    (line, column)
}

/// serde_json's message without the " at line L column C" it appends: callers print the position
/// themselves, once.
pub fn clean(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

struct FindingsSeed<'a, F, E> {
    sink: &'a mut F,
    failure: &'a mut Option<E>,
    /// At the top level an object is the envelope; inside `Findings` only an array is accepted.
    top: bool,
}

impl<'de, F, E> DeserializeSeed<'de> for FindingsSeed<'_, F, E>
where
    F: FnMut(Incoming) -> Result<(), E>,
{
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, F, E> Visitor<'de> for FindingsSeed<'_, F, E>
where
    F: FnMut(Incoming) -> Result<(), E>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.top {
            f.write_str("{\"Findings\": [...]}, a JSON array of findings, or JSON lines")
        } else {
            f.write_str("a list of findings")
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        while let Some(v) = seq.next_element_seed(ContainedFinding)? {
            if !is_object(&v) {
                return Err(serde::de::Error::custom(format!("Findings[{index}] must be a finding (a JSON object)")));
            }
            if let Err(e) = (self.sink)(v) {
                *self.failure = Some(e);
                return Err(serde::de::Error::custom("stopped"));
            }
            index += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        if !self.top {
            return Err(serde::de::Error::custom("Findings must be a list of findings"));
        }
        let mut found = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "Findings" {
                // The JSON API reads a body whole, where the last of two members wins; read here
                // as it streams, both arrays were imported. Neither is what was meant.
                if found {
                    return Err(serde::de::Error::custom(
                        "Findings appears more than once in the object; expected one {\"Findings\": [...]}",
                    ));
                }
                map.next_value_seed(FindingsSeed { sink: &mut *self.sink, failure: &mut *self.failure, top: false })?;
                found = true;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        if found {
            Ok(())
        } else {
            Err(serde::de::Error::custom("the object has no \"Findings\" member; expected {\"Findings\": [...]}"))
        }
    }
}

mod sniff;

#[cfg(test)]
mod tests;
