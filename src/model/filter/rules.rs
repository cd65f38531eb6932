//! The service's rules on a field's filter list: at most 20 values, no blank values, bounds that make
//! sense, and which comparisons may be mixed on one field; an accepted list is pre-parsed here once
//! (dates, CIDR blocks, lower-cased keywords) so evaluation does not parse again.

use std::net::IpAddr;

use time::OffsetDateTime;

use super::{FilterError, FilterList, MapComparison, StringComparison};
use crate::model::timestamp;

/// At most this many filter values per field (model doc of `AwsSecurityFindingFilters`).
pub const MAX_VALUES_PER_FIELD: usize = 20;

/// Pre-parsed parts of a field's filters, built once when the filter is accepted.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Compiled {
    None,
    Dates(Vec<DateBounds>),
    Cidrs(Vec<Cidr>),
    /// Lower-cased keywords.
    Keywords(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct DateBounds {
    pub(super) start: Option<OffsetDateTime>,
    pub(super) end: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cidr {
    V4 { net: u32, mask: u32 },
    V6 { net: u128, mask: u128 },
}

impl Cidr {
    fn parse(s: &str) -> Option<Cidr> {
        let s = s.trim();
        let (addr, len) = match s.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (s, None),
        };
        let addr: IpAddr = addr.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let len: u32 = match len {
            Some(l) if !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()) => l.parse().ok()?,
            Some(_) => return None,
            None => max,
        };
        if len > max {
            return None;
        }
        Some(match addr {
            IpAddr::V4(a) => {
                let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
                Cidr::V4 { net: u32::from(a) & mask, mask }
            }
            IpAddr::V6(a) => {
                let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
                Cidr::V6 { net: u128::from(a) & mask, mask }
            }
        })
    }

    pub(super) fn contains(self, ip: IpAddr) -> bool {
        match (self, ip) {
            (Cidr::V4 { net, mask }, IpAddr::V4(a)) => u32::from(a) & mask == net,
            (Cidr::V6 { net, mask }, IpAddr::V6(a)) => u128::from(a) & mask == net,
            _ => false,
        }
    }
}

/// Validates a field's whole list (limits, value rules, banned combinations) and pre-parses it.
pub(super) fn check_list(list: &FilterList, path: &str) -> Result<Compiled, FilterError> {
    check_list_max(list, path, MAX_VALUES_PER_FIELD)
}

/// `check_list` with a field's own limit (automation rules' criteria allow 100 values on a few fields).
pub(super) fn check_list_max(list: &FilterList, path: &str, max: usize) -> Result<Compiled, FilterError> {
    if list.len() > max {
        return Err(FilterError::new(path, format!("at most {max} filter values per field, got {}", list.len())));
    }
    let at = |i: usize, member: &str| format!("{path}[{i}]{}{member}", if member.is_empty() { "" } else { "." });
    let blank = |s: &str| s.trim().is_empty();
    match list {
        FilterList::String(v) => {
            // Model doc (StringFilter.Comparison): "You can't provide both an EQUALS filter and a
            // NOT_EQUALS or PREFIX_NOT_EQUALS filter on the same field. Combining filters in this way
            // returns an error. CONTAINS filters can only be used with other CONTAINS filters.
            // NOT_CONTAINS filters can only be used with other NOT_CONTAINS filters."
            use StringComparison as C;
            let clash = |a: C, b: C| match (a, b) {
                (C::Contains, other) | (other, C::Contains) => other != C::Contains,
                (C::NotContains, other) | (other, C::NotContains) => other != C::NotContains,
                (C::Equals, other) | (other, C::Equals) => matches!(other, C::NotEquals | C::PrefixNotEquals),
                _ => false,
            };
            for (i, f) in v.iter().enumerate() {
                if blank(&f.value) {
                    return Err(FilterError::new(at(i, "Value"), "must not be empty or blank"));
                }
                if let Some(j) = v[..i].iter().position(|g| clash(f.comparison, g.comparison)) {
                    return Err(FilterError::new(
                        at(i, "Comparison"),
                        format!(
                            "{} cannot be combined with {} ({}) on the same field",
                            f.comparison.as_str(),
                            v[j].comparison.as_str(),
                            at(j, "")
                        ),
                    ));
                }
            }
            Ok(Compiled::None)
        }
        FilterList::Map(v) => {
            // Model doc (MapFilter.Comparison): "CONTAINS filters can only be used with other CONTAINS
            // filters. NOT_CONTAINS filters can only be used with other NOT_CONTAINS filters. [...] you
            // can't have both an EQUALS filter and a NOT_EQUALS filter on the same field."
            use MapComparison as C;
            let clash = |a: C, b: C| match (a, b) {
                (C::Contains, other) | (other, C::Contains) => other != C::Contains,
                (C::NotContains, other) | (other, C::NotContains) => other != C::NotContains,
                (C::Equals, C::NotEquals) | (C::NotEquals, C::Equals) => true,
                _ => false,
            };
            for (i, f) in v.iter().enumerate() {
                if blank(&f.key) {
                    return Err(FilterError::new(at(i, "Key"), "must not be empty or blank"));
                }
                if blank(&f.value) {
                    return Err(FilterError::new(at(i, "Value"), "must not be empty or blank"));
                }
                if let Some(j) = v[..i].iter().position(|g| clash(f.comparison, g.comparison)) {
                    return Err(FilterError::new(
                        at(i, "Comparison"),
                        format!(
                            "{} cannot be combined with {} ({}) on the same field",
                            f.comparison.as_str(),
                            v[j].comparison.as_str(),
                            at(j, "")
                        ),
                    ));
                }
            }
            Ok(Compiled::None)
        }
        FilterList::Number(v) => {
            for (i, f) in v.iter().enumerate() {
                let bounds = [f.gte, f.lte, f.eq, f.gt, f.lt];
                if bounds.iter().all(Option::is_none) {
                    return Err(FilterError::new(at(i, ""), "needs at least one of Gte, Lte, Eq, Gt, Lt"));
                }
                if bounds.iter().flatten().any(|b| !b.is_finite()) {
                    return Err(FilterError::new(at(i, ""), "bounds must be finite numbers"));
                }
            }
            Ok(Compiled::None)
        }
        FilterList::Date(v) => {
            let mut out = Vec::with_capacity(v.len());
            for (i, f) in v.iter().enumerate() {
                let parse = |member: &str, s: &Option<String>| -> Result<Option<OffsetDateTime>, FilterError> {
                    match s {
                        None => Ok(None),
                        Some(s) => timestamp::parse(s).map(Some).ok_or_else(|| {
                            FilterError::new(at(i, member), format!("\"{s}\" is not an RFC 3339 date-time"))
                        }),
                    }
                };
                let start = parse("Start", &f.start)?;
                let end = parse("End", &f.end)?;
                match (&f.date_range, start.is_some() || end.is_some()) {
                    (None, false) => {
                        return Err(FilterError::new(at(i, ""), "needs Start and/or End, or a DateRange"));
                    }
                    (Some(_), true) => {
                        return Err(FilterError::new(at(i, ""), "use either Start/End or DateRange, not both"));
                    }
                    (Some(r), false) if !(0..=i64::from(i32::MAX)).contains(&r.value) => {
                        return Err(FilterError::new(
                            at(i, "DateRange.Value"),
                            format!("must be between 0 and {}, got {}", i32::MAX, r.value),
                        ));
                    }
                    _ => {}
                }
                out.push(DateBounds { start, end });
            }
            Ok(Compiled::Dates(out))
        }
        FilterList::Ip(v) => {
            let mut out = Vec::with_capacity(v.len());
            for (i, f) in v.iter().enumerate() {
                let cidr = Cidr::parse(&f.cidr).ok_or_else(|| {
                    FilterError::new(at(i, "Cidr"), format!("\"{}\" is not an IPv4 or IPv6 CIDR block", f.cidr))
                })?;
                out.push(cidr);
            }
            Ok(Compiled::Cidrs(out))
        }
        FilterList::Keyword(v) => {
            for (i, f) in v.iter().enumerate() {
                if blank(&f.value) {
                    return Err(FilterError::new(at(i, "Value"), "must not be empty or blank"));
                }
            }
            Ok(Compiled::Keywords(v.iter().map(|k| k.value.to_lowercase()).collect()))
        }
        FilterList::Boolean(_) => Ok(Compiled::None),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::err;
    use super::super::Filters;
    use serde_json::json;

    #[test]
    fn banned_combinations_are_rejected() {
        // Model doc StringFilter.Comparison: EQUALS with NOT_EQUALS or PREFIX_NOT_EQUALS on the same
        // field returns an error; CONTAINS only with CONTAINS, NOT_CONTAINS only with NOT_CONTAINS.
        let s = |a: &str, b: &str| {
            Filters::from_json(&json!({"Title": [{"Value": "x", "Comparison": a}, {"Value": "y", "Comparison": b}]}))
        };
        assert_eq!(
            s("CONTAINS", "NOT_CONTAINS").unwrap_err().to_string(),
            "Filters.Title[1].Comparison: NOT_CONTAINS cannot be combined with CONTAINS (Filters.Title[0]) on the same field"
        );
        assert!(s("NOT_CONTAINS", "CONTAINS").is_err());
        assert!(s("EQUALS", "NOT_EQUALS").is_err());
        assert!(s("PREFIX_NOT_EQUALS", "EQUALS").is_err());
        // Model doc: PREFIX may be combined with NOT_EQUALS / PREFIX_NOT_EQUALS.
        assert!(s("PREFIX", "NOT_EQUALS").is_ok());
        assert!(s("PREFIX", "PREFIX_NOT_EQUALS").is_ok());
        assert!(s("EQUALS", "PREFIX").is_ok());
        assert!(s("CONTAINS", "CONTAINS").is_ok());
        assert!(s("NOT_CONTAINS", "NOT_CONTAINS").is_ok());
        for other in ["EQUALS", "PREFIX", "NOT_EQUALS", "PREFIX_NOT_EQUALS", "CONTAINS_WORD"] {
            assert_eq!(
                s(other, "CONTAINS").unwrap_err().to_string(),
                format!("Filters.Title[1].Comparison: CONTAINS cannot be combined with {other} (Filters.Title[0]) on the same field")
            );
            assert!(s("CONTAINS", other).is_err(), "CONTAINS then {other}");
            assert!(s(other, "NOT_CONTAINS").is_err(), "{other} then NOT_CONTAINS");
            assert!(s("NOT_CONTAINS", other).is_err(), "NOT_CONTAINS then {other}");
        }
        // Model doc MapFilter.Comparison: the same for CONTAINS and NOT_CONTAINS; EQUALS with NOT_EQUALS.
        let mp = |a: &str, b: &str| {
            Filters::from_json(&json!({"ResourceTags": [
                {"Key": "k", "Value": "x", "Comparison": a}, {"Key": "k2", "Value": "y", "Comparison": b}]}))
        };
        assert!(mp("CONTAINS", "NOT_CONTAINS").is_err());
        assert!(mp("EQUALS", "NOT_EQUALS").is_err());
        assert!(mp("EQUALS", "NOT_CONTAINS").is_err());
        assert!(mp("CONTAINS", "EQUALS").is_err());
        assert!(mp("NOT_EQUALS", "NOT_EQUALS").is_ok());
        assert!(mp("CONTAINS", "CONTAINS").is_ok());
    }

    #[test]
    fn at_most_twenty_values_per_field() {
        // Model doc AwsSecurityFindingFilters: up to 20 filter values per attribute.
        let item = json!({"Value": "x", "Comparison": "EQUALS"});
        assert!(Filters::from_json(&json!({"Id": vec![item.clone(); 20]})).is_ok());
        assert_eq!(err(json!({"Id": vec![item; 21]})), "Filters.Id: at most 20 filter values per field, got 21");
    }
}
