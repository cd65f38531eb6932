//! Timestamps as ASFF carries them: RFC 3339 strings, with or without fractional seconds, with `Z` or an
//! offset. Parsing is lenient in the ways real findings are (lower-case `t`/`z`, a missing offset is read
//! as UTC); output is always the service's own form, `2025-01-15T09:30:00.000Z`.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// Parses an ASFF timestamp. Returns `None` for text that is not a date-time.
pub fn parse(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    let upper = s.to_ascii_uppercase();
    if let Ok(t) = OffsetDateTime::parse(&upper, &Rfc3339) {
        return Some(t);
    }
    // No offset at all: AWS reads these as UTC.
    let no_offset =
        format_description!(version = 2, "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]");
    PrimitiveDateTime::parse(&upper, &no_offset).ok().map(|p| p.assume_offset(UtcOffset::UTC))
}

/// Formats a time the way Security Hub writes timestamps: UTC, milliseconds, `Z`.
pub fn format(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// `format(t)`, remembering the last time formatted on this thread: an import formats the same
/// `now` for each of its findings.
pub fn format_repeated(t: OffsetDateTime) -> String {
    thread_local! {
        static LAST: std::cell::RefCell<Option<(OffsetDateTime, String)>> = const { std::cell::RefCell::new(None) };
    }
    LAST.with_borrow_mut(|last| match last {
        Some((at, text)) if *at == t => text.clone(),
        _ => last.insert((t, format(t))).1.clone(),
    })
}

/// Nanoseconds since the Unix epoch, for sortable storage. Saturates outside i64's range.
pub fn to_nanos(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos()).unwrap_or(if t.year() < 1970 { i64::MIN } else { i64::MAX })
}

/// The time `nanos` after the Unix epoch: `to_nanos` undone (every i64 is in range).
pub fn from_nanos(nanos: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos)).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// "3d", "5h", "12m": how long before `now` a finding was updated, in its largest whole unit, as the
/// CLI table and the workbench list show it. A time after `now` is "0m"; an unknown one is "-".
pub fn age(updated: Option<OffsetDateTime>, now: OffsetDateTime) -> String {
    let Some(t) = updated else { return "-".into() };
    let d = now - t;
    // Four columns at most, whatever the age: past 999 days the list says years.
    if d.whole_days() >= 1000 {
        format!("{}y", d.whole_days() / 365)
    } else if d.whole_days() >= 1 {
        format!("{}d", d.whole_days())
    } else if d.whole_hours() >= 1 {
        format!("{}h", d.whole_hours())
    } else {
        format!("{}m", d.whole_minutes().max(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_format_is_the_format() {
        let a = parse("2026-02-03T04:05:06.789Z").unwrap();
        let b = parse("2026-02-03T04:05:07Z").unwrap();
        for t in [a, a, b, a] {
            assert_eq!(format_repeated(t), format(t));
        }
    }

    #[test]
    fn parses_the_forms_real_findings_use() {
        let a = parse("2023-03-18T15:43:31Z").unwrap();
        let b = parse("2023-03-18T15:43:31.000Z").unwrap();
        let c = parse("2023-03-18T16:43:31+01:00").unwrap();
        let d = parse("2023-03-18T15:43:31").unwrap();
        let e = parse("2023-03-18t15:43:31z").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a, d);
        assert_eq!(a, e);
        assert_eq!(parse("2020-08-06T02:18:23.076Z").unwrap().millisecond(), 76);
        assert!(parse("yesterday").is_none());
        assert!(parse("").is_none());
    }

    #[test]
    fn age_is_the_largest_whole_unit() {
        let now = parse("2026-03-10T12:00:00Z").unwrap();
        let age_of = |s: &str| age(parse(s), now);
        assert_eq!(age_of("2026-03-07T11:00:00Z"), "3d");
        // Past 999 days the unit stays, in years: the list's age column is four wide.
        assert_eq!(age_of("2023-06-15T12:00:00Z"), "999d");
        assert_eq!(age_of("2022-12-26T12:00:00Z"), "3y");
        assert_eq!(age_of("1990-01-01T00:00:00Z"), "36y");
        assert_eq!(age_of("2026-03-09T12:00:00Z"), "1d");
        assert_eq!(age_of("2026-03-09T12:00:01Z"), "23h");
        assert_eq!(age_of("2026-03-10T07:00:00Z"), "5h");
        assert_eq!(age_of("2026-03-10T11:48:00Z"), "12m");
        assert_eq!(age_of("2026-03-10T11:59:30Z"), "0m");
        assert_eq!(age_of("2026-03-11T12:00:00Z"), "0m", "a time after now");
        assert_eq!(age_of("yesterday"), "-");
        assert_eq!(age(None, now), "-");
    }

    #[test]
    fn nanos_round_trip() {
        let t = parse("2023-03-18T15:43:31.123456789Z").unwrap();
        assert_eq!(from_nanos(to_nanos(t)), t);
        assert_eq!(from_nanos(0), OffsetDateTime::UNIX_EPOCH);
    }

    #[test]
    fn formats_in_the_service_form() {
        let t = parse("2023-03-18T16:43:31.5+01:00").unwrap();
        assert_eq!(format(t), "2023-03-18T15:43:31.500Z");
    }
}
