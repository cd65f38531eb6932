//! Tests of reading findings files: the three shapes, errors placed by line and column, UTF-8
//! checked piece by piece, gzip and mapped files, and a sink that stops the read.

use super::*;

fn ids(text: &str) -> Result<Vec<String>, ReadError<()>> {
    let mut out = Vec::new();
    for_each_finding("f.json", text.as_bytes(), |v| {
        out.push(v.view()["Id"].as_str().unwrap_or("?").to_string());
        Ok::<(), ()>(())
    })?;
    Ok(out)
}

#[test]
fn reads_the_three_shapes() {
    assert_eq!(ids(r#"{"Findings": [{"Id": "a"}, {"Id": "b"}], "NextToken": "x"}"#).unwrap(), ["a", "b"]);
    assert_eq!(ids(r#"[{"Id": "a"}, {"Id": "b"}]"#).unwrap(), ["a", "b"]);
    assert_eq!(ids("{\"Id\": \"a\"}\n\n{\"Id\": \"b\"}\n").unwrap(), ["a", "b"]);
    assert_eq!(ids("{\"Id\": \"solo\"}").unwrap(), ["solo"]);
    assert_eq!(ids("{\"Findings\": [\n{\"Id\": \"a\"}\n]}\n").unwrap(), ["a"]);
    // A one-line object with a Findings member is an envelope, whatever else it has.
    assert_eq!(ids(r#"{"Id": "x", "Findings": [{"Id": "a"}]}"#).unwrap(), ["a"]);
    assert_eq!(ids("\n  \n{\"Id\": \"a\"}\r\n\n{\"Id\": \"b\"}").unwrap(), ["a", "b"]);
    // Text beyond ASCII, in each shape (the scanner checks it is UTF-8 as it reads).
    assert_eq!(ids(r#"{"Findings": [{"Id": "café ✓"}, {"Id": "日本"}]}"#).unwrap(), ["café ✓", "日本"]);
    assert_eq!(ids("[{\"Id\": \"naïve\"}]").unwrap(), ["naïve"]);
    assert_eq!(ids("{\"Id\": \"é\"}\n{\"Id\": \"✓\"}\n").unwrap(), ["é", "✓"]);
}

#[test]
fn errors_name_line_and_column() {
    let Err(ReadError::Input(e)) = ids("{\"Findings\": [\n  {\"Id\": \"a\"},\n  {\"Id\": }\n]}") else {
        panic!("expected an input error")
    };
    assert_eq!((e.line, e.column), (3, 10));
    assert!(e.to_string().starts_with("f.json:3:10: "), "{e}");
    let Err(ReadError::Input(e)) = ids("{\"Id\": \"a\"}\n{\"Id\": \"b\",}\n") else { panic!() };
    assert_eq!(e.line, 2);
    let Err(ReadError::Input(e)) = ids("{\"Other\": []}") else { panic!() };
    assert!(e.message.contains("no \"Findings\" member"), "{e}");
    let Err(ReadError::Input(e)) = ids("[1]") else { panic!() };
    assert!(e.message.contains("Findings[0]"), "{e}");
    let Err(ReadError::Input(e)) = ids("   ") else { panic!() };
    assert!(e.message.contains("empty"));
}

// The text is checked as UTF-8 a piece at a time: characters cut by a piece's end, findings
// longer than what is checked ahead and a bad byte in a later piece are all read as when the
// text is checked whole.
#[test]
fn text_checked_piece_by_piece_reads_as_checked_whole() {
    let findings: Vec<String> =
        (0..12).map(|i| format!(r#"{{"Id":"f{i} café ✓ 日本","Title":"{}"}}"#, "é".repeat(i))).collect();
    let text = format!("{{\"Findings\": [{}]}}", findings.join(", "));
    let read = |bytes: &[u8], piece: usize| {
        let mut ids = Vec::new();
        // Findings are longer than what is checked ahead of them.
        let checked = Checked { bytes, valid: 0, piece, ahead: 16 };
        let scanned = scan_checked(checked, &mut |f: Incoming, _| {
            ids.push(f.view()["Id"].as_str().unwrap().to_string());
            Ok::<(), ()>(())
        });
        (scanned, ids)
    };
    let whole: Vec<String> = (0..12).map(|i| format!("f{i} café ✓ 日本")).collect();
    for piece in [1, 2, 3, 5, 7, 64, text.len()] {
        let (scanned, ids) = read(text.as_bytes(), piece);
        assert!(matches!(scanned, Scanned::Done), "piece {piece}");
        assert_eq!(ids, whole, "piece {piece}");
    }
    // A bad byte in the eighth finding: the seven before it are read, then the scanner stops.
    let mut bad = text.clone().into_bytes();
    let at = text.find("f7 caf").unwrap() + 4;
    bad[at] = 0xff;
    for piece in [3, 64, bad.len()] {
        let (scanned, ids) = read(&bad, piece);
        assert!(matches!(scanned, Scanned::GaveUp { delivered: 7 }), "piece {piece}");
        assert_eq!(ids, whole[..7], "piece {piece}");
    }
    // Bytes after the array that are not UTF-8: not a file the scanner reads whole.
    let mut tail = text.into_bytes();
    tail.extend_from_slice(b" \xff");
    assert!(matches!(read(&tail, 5).0, Scanned::GaveUp { delivered: 12 }));
}

// A file that is not UTF-8 is still read up to the bad byte, and the error says where it is.
#[test]
fn invalid_utf8_is_reported_where_it_is() {
    for (text, line) in [
        (&b"{\"Findings\": [\n{\"Id\": \"a\"},\n{\"Id\": \"b\xff\"}]}"[..], 3),
        (&b"{\"Id\": \"a\"}\n{\"Id\": \"b\xff\"}\n"[..], 2),
    ] {
        let mut seen = Vec::new();
        let r = for_each_finding("f.json", text, |v| {
            seen.push(v.view()["Id"].clone());
            Ok::<(), ()>(())
        });
        let Err(ReadError::Input(e)) = r else { panic!("expected an input error") };
        assert_eq!(e.line, line, "{e}");
        assert!(e.message.contains("unicode") || e.message.contains("UTF-8"), "{e}");
        assert_eq!(seen, ["a"]);
    }
}

#[test]
fn where_the_scanner_stops_serde_json_goes_on() {
    // The second finding has an escaped member name, which only serde_json's path reads: every
    // finding is still delivered once, in order; the same with an error after them.
    let text = r#"{"Other": {"x": [1, 2]}, "Findings": [{"Id": "a"}, {"\u0049d": "b"}, {"Id": "c"}]}"#;
    assert_eq!(ids(text).unwrap(), ["a", "b", "c"]);
    let mut count = 0;
    let mut sink = |_: Incoming, _| -> Result<(), ()> {
        count += 1;
        Ok(())
    };
    assert!(matches!(scan_findings(text.as_bytes(), &mut sink), Scanned::GaveUp { delivered: 1 }));
    // Generated findings, compact or pretty-printed, in an envelope or an array: the scanner
    // reads them all.
    let findings: Vec<serde_json::Value> =
        crate::generate::generate(&crate::generate::GenOptions { count: 20, ..Default::default() }).collect();
    for text in [
        serde_json::to_string(&serde_json::json!({"Findings": findings, "NextToken": null})).unwrap(),
        serde_json::to_string_pretty(&serde_json::json!({"Findings": findings})).unwrap(),
        serde_json::to_string_pretty(&findings).unwrap(),
    ] {
        assert!(matches!(scan_findings(text.as_bytes(), &mut sink), Scanned::Done));
    }
    assert_eq!(count, 1 + 3 * 20);
    let mut seen = Vec::new();
    let r = for_each_finding("f", b"[{\"Id\": \"a\"}, {\"\\u0049d\": \"b\"}, {\"Id\": \"c\"}, 07]", |v| {
        seen.push(v.view()["Id"].clone());
        Ok::<(), ()>(())
    });
    assert_eq!(seen, ["a", "b", "c"]);
    let Err(ReadError::Input(e)) = r else { panic!("{r:?}") };
    assert_eq!((e.line, e.column, e.message.as_str()), (1, 47, "invalid number"), "{e}");
}

#[test]
fn findings_before_an_error_are_delivered() {
    let mut seen = Vec::new();
    let r = for_each_finding("f", b"[{\"Id\": \"a\"}, {\"Id\": \"b\"}, oops]", |v| {
        seen.push(v.view()["Id"].clone());
        Ok::<(), ()>(())
    });
    assert!(matches!(r, Err(ReadError::Input(_))));
    assert_eq!(seen.len(), 2);
}

#[test]
fn a_sink_error_stops_reading() {
    let mut n = 0;
    let r = for_each_finding("f", b"[{}, {}, {}]", |_| {
        n += 1;
        if n == 2 {
            Err("full")
        } else {
            Ok(())
        }
    });
    assert!(matches!(r, Err(ReadError::Sink("full"))));
    assert_eq!(n, 2);
}

#[test]
fn gzip_is_detected() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("f.json.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(b"[{\"Id\": \"z\"}]").unwrap();
    std::fs::write(&p, enc.finish().unwrap()).unwrap();
    let bytes = read_bytes(p.to_str().unwrap()).unwrap();
    assert!(matches!(bytes, Bytes::Read(_)));
    assert_eq!(&*bytes, b"[{\"Id\": \"z\"}]");
}

// A plain file is mapped, not read; an empty one too reads as empty; a missing one says so.
#[test]
fn files_are_mapped() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("f.json");
    std::fs::write(&p, b"[{\"Id\": \"m\"}]").unwrap();
    let bytes = read_bytes(p.to_str().unwrap()).unwrap();
    assert!(matches!(bytes, Bytes::Mapped(_)));
    assert_eq!(&*bytes, b"[{\"Id\": \"m\"}]");
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, b"").unwrap();
    assert_eq!(&*read_bytes(empty.to_str().unwrap()).unwrap(), b"");
    let missing = dir.path().join("missing.json");
    let e = read_bytes(missing.to_str().unwrap()).err().unwrap();
    assert!(e.message.starts_with("cannot read"), "{e}");
}

/// Gzip text of `text`, as a file in `dir`.
fn gzip_file(dir: &std::path::Path, name: &str, text: &[u8]) -> String {
    use std::io::Write;
    let p = dir.join(name);
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(text).unwrap();
    std::fs::write(&p, enc.finish().unwrap()).unwrap();
    p.to_str().unwrap().to_string()
}

// A small gzip file whose text is huge (a few KB of gzip, megabytes of spaces) is refused once its
// text passes what a plain file may be, naming the file, without decompressing the rest; text
// within the limit is read, kept in memory or (beyond that) in a mapped temporary file.
#[test]
fn gzip_text_is_held_to_the_size_of_a_plain_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = b"[{\"Id\": \"g\"}".to_vec();
    text.resize(text.len() + (8 << 20), b' ');
    text.push(b']');
    let bomb = gzip_file(dir.path(), "bomb.json.gz", &text);
    assert!(std::fs::metadata(&bomb).unwrap().len() < 64 << 10, "highly compressible");
    let e = read_bytes_within(&bomb, 1 << 20, 1 << 16).err().unwrap();
    assert_eq!(e.file, bomb);
    assert_eq!(e.message, "decompressed, the file is larger than 1 MB, the most a findings file may be; split it");
    assert!(e.to_string().starts_with(&format!("{bomb}: ")), "{e}");
    // One byte within the limit is read whole: past the in-memory part, from a mapped file.
    let bytes = read_bytes_within(&bomb, text.len() as u64, 1 << 16).unwrap();
    assert!(matches!(bytes, Bytes::Mapped(_)));
    assert_eq!(&*bytes, &text[..]);
    let bytes = read_bytes_within(&bomb, text.len() as u64, 16 << 20).unwrap();
    assert!(matches!(bytes, Bytes::Read(_)));
    assert_eq!(&*bytes, &text[..]);
    let e = read_bytes_within(&bomb, text.len() as u64 - 1, 16 << 20).err().unwrap();
    assert!(e.message.contains("is larger than"), "{e}");
    // A plain file is held to the same size.
    let plain = dir.path().join("plain.json");
    std::fs::write(&plain, &text).unwrap();
    let e = read_bytes_within(plain.to_str().unwrap(), 1 << 20, 1 << 16).err().unwrap();
    assert_eq!(e.message, "the file is larger than 1 MB, the most a findings file may be; split it");
    assert_eq!(size_text(MAX_INPUT_BYTES), "4 GB");
    assert_eq!(size_text(3 << 19), "1.5 MB");
    // Damaged gzip still says so.
    let mut damaged = std::fs::read(&bomb).unwrap();
    damaged.truncate(damaged.len() / 2);
    let p = dir.path().join("damaged.json.gz");
    std::fs::write(&p, damaged).unwrap();
    let e = read_bytes(p.to_str().unwrap()).err().unwrap();
    assert!(e.message.starts_with("not a valid gzip file"), "{e}");
}

fn input_error(bytes: &[u8]) -> InputError {
    match for_each_finding("f.json", bytes, |_| Ok::<(), ()>(())) {
        Err(ReadError::Input(e)) => e,
        other => panic!("expected an input error, got {other:?}"),
    }
}

fn encoded(text: &str, bom: &[u8], unit: impl Fn(u32) -> Vec<u8>) -> Vec<u8> {
    let mut out = bom.to_vec();
    for c in text.chars() {
        out.extend(unit(c as u32));
    }
    out
}

// A UTF-16 or UTF-32 file, with or without its byte order mark, is refused naming its encoding and
// how to convert it, not as `1:1: expected value`; a UTF-8 byte order mark is passed over.
#[test]
fn utf16_and_utf32_are_named() {
    let text = "{\"Findings\": [{\"Id\": \"a\"}]}\n";
    let le16 = |c: u32| (c as u16).to_le_bytes().to_vec();
    let be16 = |c: u32| (c as u16).to_be_bytes().to_vec();
    let le32 = |c: u32| c.to_le_bytes().to_vec();
    let be32 = |c: u32| c.to_be_bytes().to_vec();
    let cases: [(Vec<u8>, &str, &str); 8] = [
        (encoded(text, b"\xff\xfe", le16), "UTF-16 (little-endian)", "UTF-16LE"),
        (encoded(text, b"", le16), "UTF-16 (little-endian)", "UTF-16LE"),
        (encoded(text, b"\xfe\xff", be16), "UTF-16 (big-endian)", "UTF-16BE"),
        (encoded(text, b"", be16), "UTF-16 (big-endian)", "UTF-16BE"),
        (encoded(text, b"\xff\xfe\x00\x00", le32), "UTF-32 (little-endian)", "UTF-32LE"),
        (encoded(text, b"", le32), "UTF-32 (little-endian)", "UTF-32LE"),
        (encoded(text, b"\x00\x00\xfe\xff", be32), "UTF-32 (big-endian)", "UTF-32BE"),
        (encoded(text, b"", be32), "UTF-32 (big-endian)", "UTF-32BE"),
    ];
    for (bytes, name, iconv) in cases {
        let e = input_error(&bytes);
        assert_eq!(
            e.to_string(),
            format!("f.json: the file is {name}; findings files are UTF-8: convert it, e.g. iconv -f {iconv} -t UTF-8"),
        );
    }
    // Leading whitespace, and JSON lines, in UTF-16 too.
    let e = input_error(&encoded("  \n{\"Id\": \"a\"}\n{\"Id\": \"b\"}\n", b"", le16));
    assert!(e.message.starts_with("the file is UTF-16 (little-endian)"), "{e}");
    assert_eq!(ids("\u{feff}{\"Findings\": [{\"Id\": \"a\"}]}").unwrap(), ["a"]);
    assert_eq!(ids("\u{feff}{\"Id\": \"a\"}\n{\"Id\": \"b\"}\n").unwrap(), ["a", "b"]);
    assert_eq!(ids("\u{feff}[{\"Id\": \"a\"}]").unwrap(), ["a"]);
}

// Two JSON-lines objects on one line say so, on the first line or a later one, rather than that the
// object has no Findings member or that characters trail.
#[test]
fn two_values_on_one_line_say_so() {
    let message = "two JSON values on one line; JSON lines have one finding per line";
    let e = input_error(b"{\"Id\": \"a\"} {\"Id\": \"b\"}\n{\"Id\": \"c\"}\n");
    assert_eq!(e.to_string(), format!("f.json:1:13: {message}"));
    let e = input_error(b"{\"Id\": \"a\"}{\"Id\": \"b\"}");
    assert_eq!(e.to_string(), format!("f.json:1:12: {message}"));
    let e = input_error(b"{\"Id\": \"a\"}\n{\"Id\": \"b\"}  {\"Id\": \"c\"}\n");
    assert_eq!(e.to_string(), format!("f.json:2:14: {message}"));
    // An object without Findings alone is still that.
    let e = input_error(b"{\"Other\": []}");
    assert!(e.message.contains("no \"Findings\" member"), "{e}");
    // Text after a line's object that is not JSON is still an error about that text.
    let e = input_error(b"{\"Id\": \"a\"}\n{\"Id\": \"b\"} x\n");
    assert!(!e.message.contains("two JSON values"), "{e}");
}

// A second Findings member in the envelope is refused: the CLI imported both arrays where the JSON
// API (reading the body whole, the last member winning) took only the last.
#[test]
fn a_second_findings_member_is_refused() {
    for text in [
        r#"{"Findings": [{"Id": "a"}], "Findings": [{"Id": "b"}]}"#,
        "{\"Findings\": [{\"Id\": \"a\"}],\n \"NextToken\": \"x\",\n \"Findings\": []}",
    ] {
        let e = input_error(text.as_bytes());
        assert!(e.message.contains("Findings appears more than once"), "{e}");
    }
}
