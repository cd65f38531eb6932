//! The scanner against serde_json: what it accepts, copies and parses.
use super::*;
use rand::{Rng, SeedableRng};

/// What the scanner makes of `text` as one value: the copy and its numbers, or None.
fn scan(text: &str) -> Option<(String, usize)> {
    let mut s = Scanner::new(text, 0);
    s.skip_ws()?;
    let mut out = Vec::new();
    let numbers = s.copy_value(&mut out)?;
    // Only whitespace may follow.
    if s.skip_ws().is_some() {
        return None;
    }
    Some((String::from_utf8(out).unwrap(), numbers))
}

/// `text` with `edits` bytes removed, inserted from `alphabet` or replaced by one of it; None if
/// that cut a character.
fn mutated(rng: &mut impl Rng, text: &str, alphabet: &[u8], edits: usize) -> Option<String> {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..edits {
        let at = rng.random_range(0..bytes.len());
        match rng.random_range(0..3) {
            0 => {
                bytes.remove(at);
            }
            1 => bytes.insert(at, alphabet[rng.random_range(0..alphabet.len())]),
            _ => bytes[at] = alphabet[rng.random_range(0..alphabet.len())],
        }
    }
    String::from_utf8(bytes).ok()
}

/// serde_json's judgement of `text`, read as a `RawValue` (as members kept as text are read):
/// its text without whitespace outside strings, and its numbers.
fn serde(text: &str) -> Option<(String, usize)> {
    let raw: &serde_json::value::RawValue = serde_json::from_str(text).ok()?;
    let mut out = Vec::new();
    let numbers = crate::model::raw::push_minified(&mut out, raw.get().as_bytes());
    Some((String::from_utf8(out).unwrap(), numbers))
}

#[test]
fn values_are_copied_without_whitespace() {
    for (text, copy, numbers) in [
        (
            " { \"a\" : [ 1 , -2.5e+3 , \"x y\" ] ,\n\t\"b\":{} , \"c\" : [ ] } ",
            r#"{"a":[1,-2.5e+3,"x y"],"b":{},"c":[]}"#,
            2,
        ),
        (r#""esc \" \\ \/ \u00e9 \n""#, r#""esc \" \\ \/ \u00e9 \n""#, 0),
        ("[true,false,null,0,-0,0.5,1E9]", "[true,false,null,0,-0,0.5,1E9]", 4),
    ] {
        assert_eq!(scan(text), Some((copy.to_string(), numbers)), "{text}");
        assert_eq!(scan(text), serde(text), "{text}");
    }
}

#[test]
fn invalid_json_is_refused() {
    for text in [
        "",
        "{",
        "}",
        "[1,]",
        "[,1]",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "{a:1}",
        "{\"a\" 1}",
        "01",
        "1.",
        ".5",
        "-",
        "1e",
        "1e+",
        "+1",
        "tru",
        "nul",
        "True",
        "\"unterminated",
        "\"bad \\x escape\"",
        "\"short \\u12\"",
        "\"not hex \\u12g4\"",
        "\"tab\there\"",
        "[1 2]",
        "{\"a\":1 \"b\":2}",
        "1x",
        "[1]]",
        "NaN",
        "Infinity",
        "'single'",
    ] {
        assert_eq!(scan(text), None, "{text:?}");
        assert_eq!(serde(text), None, "serde_json refuses {text:?} too");
    }
}

// A parsed value is serde_json's, a plain string taken by the scanner or not, and the scanner
// stops where serde_json does; what serde_json refuses, it refuses.
#[test]
fn parsed_values_are_serde_jsons() {
    let texts = [
        r#""plain", 1"#,
        r#""""#,
        r#""ünïcödé ✓ 🔒","#,
        r#""with \"escapes\" \\ \u00e9 \n""#,
        "\"a control \u{1}\"",
        r#""unterminated"#,
        r#""a" "b""#,
        r#"{"Label":"HIGH","Original":"8"} "#,
        r#"["a","b\u0041"]"#,
        "12.5e3,",
        "true",
        "nul",
    ];
    let check = |text: &str| {
        let mut s = Scanner::new(text, 0);
        let ours = s.parse_value();
        let mut theirs = serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>();
        match theirs.next() {
            Some(Ok(v)) => {
                assert_eq!(ours, Some(v), "{text}");
                assert_eq!(s.pos, theirs.byte_offset(), "{text}");
                true
            }
            _ => {
                assert_eq!(ours, None, "{text}");
                false
            }
        }
    };
    for text in texts {
        check(text);
    }
    // Every member the rules parse, of generated findings, compact and pretty, and mutated.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
    let alphabet = b" {}[]:,\"\\-.e0123456789tfnul";
    let (mut accepted, mut refused) = (0, 0);
    for f in crate::generate::generate(&crate::generate::GenOptions { count: 60, seed: 4, ..Default::default() }) {
        for (_, v) in f.as_object().unwrap().iter().filter(|(k, _)| crate::model::raw::is_parsed(k)) {
            for base in [serde_json::to_string(v).unwrap(), serde_json::to_string_pretty(v).unwrap()] {
                assert!(check(&base), "{base}");
                for _ in 0..20 {
                    let Some(text) = mutated(&mut rng, &base, alphabet, 1) else { continue };
                    if check(&text) {
                        accepted += 1;
                    } else {
                        refused += 1;
                    }
                }
            }
        }
    }
    assert!(accepted > 1000 && refused > 1000, "accepted {accepted}, refused {refused}");
}

// Every finding of the generator and every text mutated from them: what the scanner accepts,
// serde_json accepts, with the same copy and count of numbers.
#[test]
fn the_scanner_accepts_only_what_serde_json_accepts() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let alphabet = b" \t\n{}[]:,\"\\/-+.eE0123456789tfnulasrbu";
    let (mut accepted, mut refused) = (0, 0);
    for f in crate::generate::generate(&crate::generate::GenOptions { count: 40, ..Default::default() }) {
        let compact = serde_json::to_string(&f).unwrap();
        let pretty = serde_json::to_string_pretty(&f).unwrap();
        assert_eq!(scan(&compact), Some((compact.clone(), serde(&compact).unwrap().1)));
        assert_eq!(scan(&pretty), serde(&pretty));
        for base in [&compact, &pretty] {
            for _ in 0..150 {
                let edits = rng.random_range(1..4);
                let Some(text) = mutated(&mut rng, base, alphabet, edits) else { continue };
                let ours = scan(&text);
                match (&ours, serde(&text)) {
                    (Some(_), theirs) => {
                        assert_eq!(ours, theirs, "{text}");
                        accepted += 1;
                    }
                    (None, _) => refused += 1,
                }
            }
        }
    }
    // Both outcomes were exercised.
    assert!(accepted > 100 && refused > 1000, "accepted {accepted}, refused {refused}");
}

// Valid JSON that serde_json would copy but not parse back is accepted, with the defect kept:
// nesting beyond FINDING_DEPTH (even a million levels, without recursing that deep), a number
// beyond f64. What is within reach has no defect.
#[test]
fn unreadable_values_are_stepped_over_with_their_defect() {
    let nested = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
    let defect = |text: &str| {
        let mut s = Scanner::new(text, 0);
        let mut out = Vec::new();
        s.copy_value(&mut out).expect(text);
        assert_eq!(s.pos, text.len());
        s.take_defect()
    };
    assert_eq!(defect(&nested(FINDING_DEPTH)), None);
    assert_eq!(defect(&nested(FINDING_DEPTH + 1)), Some(Defect::TooDeep));
    assert_eq!(defect(&nested(1_000_000)), Some(Defect::TooDeep));
    for ok in ["1e308", "-1.5E-400", "0.000001e-5", "123456789012345678901234567890", "[1,2.5,-3e2]"] {
        assert_eq!(defect(ok), None, "{ok}");
    }
    for bad in ["1e400", "[0,-2E309]", "{\"a\":1e99999}"] {
        assert!(matches!(defect(bad), Some(Defect::OutOfRange(_))), "{bad}");
    }
    let long = "9".repeat(400);
    assert_eq!(defect(&long), Some(Defect::OutOfRange(format!("{}...", &long[..40]))));
    // Parsed members too: serde_json's refusal is read again by the scanner to know why.
    let mut s = Scanner::new("{\"a\":1e400} ", 0);
    assert_eq!(s.parse_value(), Some(serde_json::Value::Null));
    assert_eq!(s.pos, 11);
    assert!(matches!(s.take_defect(), Some(Defect::OutOfRange(_))));
    let deep = nested(200);
    let mut s = Scanner::new(&deep, 0);
    assert_eq!(s.parse_value(), Some(serde_json::Value::Null));
    assert_eq!(s.take_defect(), Some(Defect::TooDeep));
    // Not JSON stays None, for serde_json to explain.
    assert_eq!(Scanner::new("[1e400,]", 0).parse_value(), None);
}
