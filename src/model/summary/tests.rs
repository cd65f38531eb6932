//! The summary's size, its updated time's text, and the time compared without formatting.

use super::*;

/// A list holds a million of these: each shared value one pointer, the struct 160 bytes at
/// most (it was 224, with the text values' lengths beside their pointers).
#[test]
fn a_summary_is_small() {
    assert_eq!(std::mem::size_of::<Shared>(), 8);
    assert_eq!(std::mem::size_of::<Option<Shared>>(), 8);
    assert!(std::mem::size_of::<FindingSummary>() <= 160, "{}", std::mem::size_of::<FindingSummary>());
    let (a, b) = (Shared::default(), Shared::default());
    assert!(a.same(&b) && a.is_empty(), "the empty value is one copy");
    assert_eq!(Shared::from("x".to_string()), Shared::from("x"));
}

/// A value's handle points at its text: the count, the length and the text are one allocation,
/// so reading a value follows one pointer (an `Arc<Box<str>>` pointed at a box that pointed at
/// the text elsewhere). Clones share the one copy; equal text made apart is another copy.
#[test]
fn a_value_is_one_allocation() {
    let a = Shared::from("arn:aws:ec2:us-east-1:111122223333:instance/i-0abc");
    assert_eq!(a.addr(), a.as_str().as_ptr() as usize, "the handle is the text's own address");
    let b = a.clone();
    assert!(a.same(&b) && a.addr() == b.addr());
    let c = Shared::from(a.to_string());
    assert!(!a.same(&c) && a.addr() != c.addr() && a == c);
    assert_eq!(a.len(), 50);
}

/// The comparison without formatting answers as the formatted text compared.
#[test]
fn formats_as_compares_as_the_formatted_text() {
    let mut texts: Vec<String> = [
        "2026-10-31T23:59:59.999Z",
        "2026-10-31T23:59:59.999",
        "2026-10-31T23:59:59.99Z",
        "1970-01-01T00:00:00.000Z",
        "1677-09-21T00:12:43.145Z",
        "2262-04-11T23:47:16.854Z",
        "0000-01-01T00:00:00.000Z",
        "",
        "2026-10-31T23:59:59.999Z ",
    ]
    .iter()
    .map(|t| t.to_string())
    .collect();
    let mut n: i64 = 0x1234_5678_9abc_def1;
    for _ in 0..2_000 {
        n = n.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        texts.push(timestamp::format(timestamp::from_nanos(n)));
    }
    for text in &texts {
        for ns in [i64::MIN, i64::MAX, 0, 5, n, timestamp::parse(text).map_or(0, timestamp::to_nanos)] {
            for ns in [ns, ns.saturating_add(1_000_000), ns.saturating_sub(1)] {
                let formatted = timestamp::format(timestamp::from_nanos(ns)) == *text;
                assert_eq!(formats_as(ns, text), formatted, "{ns} {text:?}");
            }
        }
    }
}

/// The updated time's text is kept only when the nanoseconds do not give it back; what it
/// reads as (text and time) is the same either way.
#[test]
fn the_updated_text_is_kept_only_when_the_nanoseconds_do_not_give_it_back() {
    for (text, kept) in [
        ("2026-10-31T23:59:59.999Z", false),
        ("2026-10-31T23:59:59Z", true),
        ("2026-10-31T23:59:59.999999Z", true),
        (" 2026-10-02T00:00:00.000Z ", true),
        ("2026-10-31T23:59:59.999+01:00", true),
        ("not a date", true),
        ("", true),
        ("9999-12-31T23:59:59.999Z", true),
    ] {
        let s = FindingSummary::from_columns(SummaryColumns {
            updated_at: text.into(),
            updated_ns: 5,
            ..SummaryColumns::default()
        });
        assert_eq!(s.updated_text.is_some(), kept, "{text:?}");
        assert_eq!(s.updated_at(), text, "{text:?}");
        assert_eq!(s.updated_time(), timestamp::parse(text), "{text:?}");
        assert_eq!(s.updated_ns, timestamp::parse(text).map_or(5, timestamp::to_nanos), "{text:?}");
        assert_eq!(FindingSummary::default().updated_time(), None);
        let mut set = FindingSummary::default();
        set.set_updated_at(text);
        assert_eq!(set.updated_time(), timestamp::parse(text), "{text:?}");
    }
}
