//! Reading and writing the JSON shapes of `AwsSecurityFindingFilters` (the `Filters` member of a
//! GetFindings request): every member, typed and located for error messages.

use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::fields::{field_def, FieldDef, FilterKind, FIELDS};
use super::rules::{check_list_max, MAX_VALUES_PER_FIELD};
use super::{
    BooleanFilter, DateFilter, DateRange, DateRangeComparison, DateRangeUnit, FieldEntry, FilterError, FilterList,
    Filters, IpFilter, KeywordFilter, MapComparison, MapFilter, NumberFilter, StringComparison, StringFilter,
};

impl Filters {
    /// Parses the `Filters` member of a `GetFindings` request (the AWS JSON shape, PascalCase members).
    /// `null` members and empty lists are ignored.
    pub fn from_json(json: &Value) -> Result<Filters, FilterError> {
        Filters::from_json_as(json, "Filters", &|_| Some(MAX_VALUES_PER_FIELD))
    }

    /// `from_json` for a shape made of the same filters under another name (an automation rule's
    /// `Criteria`, `AutomationRulesFindingFilters`): errors are located under `member`, and `fields`
    /// says which fields the shape has and how many values each takes (`None`: not a member).
    pub fn from_json_as(
        json: &Value,
        member: &str,
        fields: &dyn Fn(&str) -> Option<usize>,
    ) -> Result<Filters, FilterError> {
        let obj = match json {
            Value::Object(o) => o,
            other => return Err(FilterError::new(member, format!("expected an object, got {}", type_name(other)))),
        };
        let mut filters = Filters::new();
        for (name, value) in obj {
            let Some(max) = fields(name) else {
                return Err(FilterError::new(format!("{member}.{name}"), "unknown member"));
            };
            let def = lookup_field(name).map_err(|e| FilterError::new(format!("{member}.{name}"), e.message))?;
            let path = format!("{member}.{name}");
            let items = match value {
                Value::Null => continue,
                Value::Array(a) => a,
                other => {
                    return Err(FilterError::new(
                        path,
                        format!("expected a list of {}, got {}", def.kind.shape_name(), type_name(other)),
                    ))
                }
            };
            if items.is_empty() {
                continue;
            }
            if items.len() > max {
                return Err(FilterError::new(
                    path,
                    format!("at most {max} filter values per field, got {}", items.len()),
                ));
            }
            let list = parse_list(def, items, &path)?;
            let compiled = check_list_max(&list, &path, max)?;
            filters.entries.push(FieldEntry { def, list, compiled });
        }
        Ok(filters)
    }

    /// The AWS request JSON for these filters; `Filters::from_json(&f.to_json()) == Ok(f)`. A field of
    /// hubtriage's own (only the query language makes one) is written under its own name, which
    /// `from_json` refuses: such filters are for the local store, never sent as a request.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        for e in &self.entries {
            let items: Vec<Value> = match &e.list {
                FilterList::String(v) => v
                    .iter()
                    .map(|f| {
                        obj(vec![("Value", f.value.as_str().into()), ("Comparison", f.comparison.as_str().into())])
                    })
                    .collect(),
                FilterList::Number(v) => v
                    .iter()
                    .map(|f| {
                        let bounds = [("Gte", f.gte), ("Lte", f.lte), ("Eq", f.eq), ("Gt", f.gt), ("Lt", f.lt)];
                        obj(bounds.into_iter().filter_map(|(k, b)| b.map(|b| (k, number_json(b)))).collect())
                    })
                    .collect(),
                FilterList::Date(v) => v
                    .iter()
                    .map(|f| {
                        let mut m = Vec::new();
                        if let Some(s) = &f.start {
                            m.push(("Start", Value::from(s.as_str())));
                        }
                        if let Some(s) = &f.end {
                            m.push(("End", Value::from(s.as_str())));
                        }
                        if let Some(r) = &f.date_range {
                            m.push((
                                "DateRange",
                                obj(vec![
                                    ("Value", r.value.into()),
                                    ("Unit", r.unit.as_str().into()),
                                    ("Comparison", r.comparison.as_str().into()),
                                ]),
                            ));
                        }
                        obj(m)
                    })
                    .collect(),
                FilterList::Map(v) => v
                    .iter()
                    .map(|f| {
                        obj(vec![
                            ("Key", f.key.as_str().into()),
                            ("Value", f.value.as_str().into()),
                            ("Comparison", f.comparison.as_str().into()),
                        ])
                    })
                    .collect(),
                FilterList::Boolean(v) => v.iter().map(|f| obj(vec![("Value", f.value.into())])).collect(),
                FilterList::Ip(v) => v.iter().map(|f| obj(vec![("Cidr", f.cidr.as_str().into())])).collect(),
                FilterList::Keyword(v) => v.iter().map(|f| obj(vec![("Value", f.value.as_str().into())])).collect(),
            };
            out.insert(e.def.name.to_owned(), Value::Array(items));
        }
        Value::Object(out)
    }
}

fn obj(members: Vec<(&str, Value)>) -> Value {
    Value::Object(members.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

fn number_json(x: f64) -> Value {
    // Whole numbers are written as integers (`70`, not `70.0`); both read back to the same f64.
    if x.fract() == 0.0 && x.abs() < 9.007_199_254_740_992e15 {
        Value::from(x as i64)
    } else {
        Value::from(x)
    }
}

pub(super) fn lookup_field(name: &str) -> Result<&'static FieldDef, FilterError> {
    if let Some(def) = field_def(name) {
        return Ok(def);
    }
    let mut msg = String::from("unknown filter field");
    if let Some(def) = FIELDS.iter().find(|f| f.filterable && f.name.eq_ignore_ascii_case(name)) {
        let _ = write!(msg, " (did you mean {}?)", def.name);
    }
    Err(FilterError::new(format!("Filters.{name}"), msg))
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// One filter object being read, with its location for messages.
struct Reader<'a> {
    obj: &'a Map<String, Value>,
    path: &'a str,
}

impl<'a> Reader<'a> {
    fn new(v: &'a Value, path: &'a str, shape: &str, members: &[&str]) -> Result<Self, FilterError> {
        let Value::Object(obj) = v else {
            return Err(FilterError::new(path, format!("expected a {shape} object, got {}", type_name(v))));
        };
        if let Some(k) = obj.keys().find(|k| !members.contains(&k.as_str())) {
            return Err(FilterError::new(
                format!("{path}.{k}"),
                format!("unknown member of {shape} (expected {})", members.join(", ")),
            ));
        }
        Ok(Self { obj, path })
    }

    fn at(&self, member: &str) -> String {
        format!("{}.{member}", self.path)
    }

    fn get(&self, member: &str) -> Option<&'a Value> {
        self.obj.get(member).filter(|v| !v.is_null())
    }

    fn required<T>(&self, member: &str, v: Option<T>) -> Result<T, FilterError> {
        v.ok_or_else(|| FilterError::new(self.at(member), "missing (required)"))
    }

    /// A `NonEmptyString` member (pattern `.*\S.*`).
    fn string(&self, member: &str) -> Result<Option<&'a str>, FilterError> {
        match self.get(member) {
            None => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => {
                Err(FilterError::new(self.at(member), "must not be empty or blank"))
            }
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => {
                Err(FilterError::new(self.at(member), format!("expected a string, got {}", type_name(other))))
            }
        }
    }

    fn number(&self, member: &str) -> Result<Option<f64>, FilterError> {
        match self.get(member) {
            None => Ok(None),
            Some(Value::Number(n)) => {
                n.as_f64().map(Some).ok_or_else(|| FilterError::new(self.at(member), "number out of range"))
            }
            Some(other) => {
                Err(FilterError::new(self.at(member), format!("expected a number, got {}", type_name(other))))
            }
        }
    }

    fn enumeration<T>(
        &self,
        member: &str,
        parse: fn(&str) -> Option<T>,
        allowed: fn() -> String,
    ) -> Result<Option<T>, FilterError> {
        match self.get(member) {
            None => Ok(None),
            Some(Value::String(s)) => parse(s)
                .map(Some)
                .ok_or_else(|| FilterError::new(self.at(member), format!("\"{s}\" is not one of {}", allowed()))),
            Some(other) => {
                Err(FilterError::new(self.at(member), format!("expected a string, got {}", type_name(other))))
            }
        }
    }
}

fn parse_list(def: &FieldDef, items: &[Value], path: &str) -> Result<FilterList, FilterError> {
    let shape = def.kind.shape_name();
    let mut readers = Vec::with_capacity(items.len());
    let paths: Vec<String> = (0..items.len()).map(|i| format!("{path}[{i}]")).collect();
    let members: &[&str] = match def.kind {
        FilterKind::String => &["Value", "Comparison"],
        FilterKind::Number => &["Gte", "Lte", "Eq", "Gt", "Lt"],
        FilterKind::Date => &["Start", "End", "DateRange"],
        FilterKind::Map => &["Key", "Value", "Comparison"],
        FilterKind::Boolean => &["Value"],
        FilterKind::Ip => &["Cidr"],
        FilterKind::Keyword => &["Value"],
    };
    for (item, p) in items.iter().zip(&paths) {
        readers.push(Reader::new(item, p, shape, members)?);
    }
    let mut out = match def.kind {
        FilterKind::String => FilterList::String(Vec::new()),
        FilterKind::Number => FilterList::Number(Vec::new()),
        FilterKind::Date => FilterList::Date(Vec::new()),
        FilterKind::Map => FilterList::Map(Vec::new()),
        FilterKind::Boolean => FilterList::Boolean(Vec::new()),
        FilterKind::Ip => FilterList::Ip(Vec::new()),
        FilterKind::Keyword => FilterList::Keyword(Vec::new()),
    };
    for r in &readers {
        match &mut out {
            FilterList::String(v) => {
                let value = r.required("Value", r.string("Value")?)?;
                let cmp = r.enumeration("Comparison", StringComparison::parse, StringComparison::allowed)?;
                let comparison = r.required("Comparison", cmp)?;
                v.push(StringFilter { value: value.to_owned(), comparison });
            }
            FilterList::Number(v) => v.push(NumberFilter {
                gte: r.number("Gte")?,
                lte: r.number("Lte")?,
                eq: r.number("Eq")?,
                gt: r.number("Gt")?,
                lt: r.number("Lt")?,
            }),
            FilterList::Date(v) => {
                let date_range = match r.get("DateRange") {
                    None => None,
                    Some(dr) => {
                        let p = r.at("DateRange");
                        let rr = Reader::new(dr, &p, "DateRange", &["Value", "Unit", "Comparison"])?;
                        let value = match rr.get("Value") {
                            None => return Err(FilterError::new(rr.at("Value"), "missing (required)")),
                            Some(Value::Number(n)) => n.as_i64().ok_or_else(|| {
                                FilterError::new(rr.at("Value"), format!("expected a whole number of days, got {n}"))
                            })?,
                            Some(other) => {
                                return Err(FilterError::new(
                                    rr.at("Value"),
                                    format!("expected an integer, got {}", type_name(other)),
                                ))
                            }
                        };
                        if !(0..=i64::from(i32::MAX)).contains(&value) {
                            return Err(FilterError::new(
                                rr.at("Value"),
                                format!("must be between 0 and {}, got {value}", i32::MAX),
                            ));
                        }
                        let unit = rr.enumeration("Unit", DateRangeUnit::parse, DateRangeUnit::allowed)?;
                        let unit = rr.required("Unit", unit)?;
                        let comparison = rr
                            .enumeration("Comparison", DateRangeComparison::parse, DateRangeComparison::allowed)?
                            .unwrap_or(DateRangeComparison::Within);
                        Some(DateRange { value, unit, comparison })
                    }
                };
                v.push(DateFilter {
                    start: r.string("Start")?.map(str::to_owned),
                    end: r.string("End")?.map(str::to_owned),
                    date_range,
                });
            }
            FilterList::Map(v) => {
                let key = r.required("Key", r.string("Key")?)?;
                let value = r.required("Value", r.string("Value")?)?;
                let cmp = r.enumeration("Comparison", MapComparison::parse, MapComparison::allowed)?;
                let comparison = r.required("Comparison", cmp)?;
                v.push(MapFilter { key: key.to_owned(), value: value.to_owned(), comparison });
            }
            FilterList::Boolean(v) => {
                let value = match r.get("Value") {
                    None => return Err(FilterError::new(r.at("Value"), "missing (required)")),
                    Some(Value::Bool(b)) => *b,
                    Some(other) => {
                        return Err(FilterError::new(
                            r.at("Value"),
                            format!("expected true or false, got {}", type_name(other)),
                        ))
                    }
                };
                v.push(BooleanFilter { value });
            }
            FilterList::Ip(v) => {
                let cidr = r.required("Cidr", r.string("Cidr")?)?;
                v.push(IpFilter { cidr: cidr.to_owned() });
            }
            FilterList::Keyword(v) => {
                let value = r.required("Value", r.string("Value")?)?;
                v.push(KeywordFilter { value: value.to_owned() });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{err, f, finding, NOW};
    use super::*;
    use serde_json::json;

    #[test]
    fn every_field_parses_round_trips_and_evaluates_without_panicking() {
        for def in FIELDS.iter().filter(|d| d.filterable) {
            let item = match def.kind {
                FilterKind::String => json!({"Value": "x", "Comparison": "PREFIX"}),
                FilterKind::Number => json!({"Gte": 1}),
                FilterKind::Date => json!({"DateRange": {"Value": 3, "Unit": "DAYS"}}),
                FilterKind::Map => json!({"Key": "k", "Value": "v", "Comparison": "EQUALS"}),
                FilterKind::Boolean => json!({"Value": true}),
                FilterKind::Ip => json!({"Cidr": "10.0.0.0/8"}),
                FilterKind::Keyword => json!({"Value": "x"}),
            };
            let parsed = f(json!({ def.name: [item] }));
            assert_eq!(Filters::from_json(&parsed.to_json()).unwrap(), parsed, "{}", def.name);
            let _ = parsed.matches(&finding(), NOW);
        }
    }

    #[test]
    fn round_trip_keeps_the_aws_shape() {
        // Brief: to_json produces exactly the AWS request shape.
        let input = json!({
            "SeverityLabel": [{"Value": "HIGH", "Comparison": "EQUALS"}],
            "Confidence": [{"Gte": 50, "Lt": 90.5}],
            "UpdatedAt": [{"DateRange": {"Value": 7, "Unit": "DAYS", "Comparison": "WITHIN"}},
                          {"Start": "2025-01-01T00:00:00Z", "End": "2025-02-01T00:00:00Z"}],
            "ResourceTags": [{"Key": "env", "Value": "prod", "Comparison": "EQUALS"}],
            "Sample": [{"Value": false}],
            "NetworkSourceIpV4": [{"Cidr": "10.0.0.0/8"}],
            "Keyword": [{"Value": "x"}]
        });
        let parsed = f(input.clone());
        assert_eq!(parsed.to_json(), input);
        assert_eq!(Filters::from_json(&parsed.to_json()).unwrap(), parsed);
        assert_eq!(
            parsed.field_names().collect::<Vec<_>>(),
            ["SeverityLabel", "Confidence", "UpdatedAt", "ResourceTags", "Sample", "NetworkSourceIpV4", "Keyword"]
        );
        // DateRange.Comparison defaults to WITHIN (model doc) and is written out.
        let d = f(json!({"CreatedAt": [{"DateRange": {"Value": 3, "Unit": "DAYS"}}]}));
        assert_eq!(d.to_json()["CreatedAt"][0]["DateRange"]["Comparison"], "WITHIN");
    }

    #[test]
    fn error_messages_say_where() {
        // Brief: clear errors with their location (mapped to InvalidInputException by callers).
        assert_eq!(
            err(
                json!({"SeverityLabel": [{"Value": "HIGH", "Comparison": "EQUALS"}, {"Value": "LOW", "Comparison": "EQUAL"}]})
            ),
            "Filters.SeverityLabel[1].Comparison: \"EQUAL\" is not one of EQUALS|PREFIX|NOT_EQUALS|\
             PREFIX_NOT_EQUALS|CONTAINS|NOT_CONTAINS|CONTAINS_WORD"
        );
        assert_eq!(err(json!({"Foo": []})), "Filters.Foo: unknown filter field");
        assert_eq!(
            err(json!({"severitylabel": []})),
            "Filters.severitylabel: unknown filter field (did you mean SeverityLabel?)"
        );
        assert_eq!(err(json!([])), "Filters: expected an object, got a list");
        assert_eq!(
            err(json!({"Title": {"Value": "x"}})),
            "Filters.Title: expected a list of StringFilter, got an object"
        );
        assert_eq!(err(json!({"Title": ["x"]})), "Filters.Title[0]: expected a StringFilter object, got a string");
        assert_eq!(err(json!({"Title": [{"Comparison": "EQUALS"}]})), "Filters.Title[0].Value: missing (required)");
        assert_eq!(err(json!({"Title": [{"Value": "x"}]})), "Filters.Title[0].Comparison: missing (required)");
        assert_eq!(
            err(json!({"Title": [{"Value": 3, "Comparison": "EQUALS"}]})),
            "Filters.Title[0].Value: expected a string, got a number"
        );
        assert_eq!(
            err(json!({"Title": [{"Value": "  ", "Comparison": "EQUALS"}]})),
            "Filters.Title[0].Value: must not be empty or blank"
        );
        assert_eq!(
            err(json!({"Title": [{"Value": "x", "Comparison": "EQUALS", "comparison": "EQUALS"}]})),
            "Filters.Title[0].comparison: unknown member of StringFilter (expected Value, Comparison)"
        );
        assert_eq!(
            err(json!({"Confidence": [{"Gte": "5"}]})),
            "Filters.Confidence[0].Gte: expected a number, got a string"
        );
        assert_eq!(
            err(json!({"Confidence": [{}]})),
            "Filters.Confidence[0]: needs at least one of Gte, Lte, Eq, Gt, Lt"
        );
        assert_eq!(
            err(json!({"UpdatedAt": [{"DateRange": {"Value": 7, "Unit": "HOURS"}}]})),
            "Filters.UpdatedAt[0].DateRange.Unit: \"HOURS\" is not one of DAYS"
        );
        assert_eq!(
            err(json!({"UpdatedAt": [{"DateRange": {"Value": 7}}]})),
            "Filters.UpdatedAt[0].DateRange.Unit: missing (required)"
        );
        assert_eq!(
            err(json!({"UpdatedAt": [{"DateRange": {"Value": 1.5, "Unit": "DAYS"}}]})),
            "Filters.UpdatedAt[0].DateRange.Value: expected a whole number of days, got 1.5"
        );
        assert_eq!(
            err(json!({"UpdatedAt": [{"DateRange": {"Value": -1, "Unit": "DAYS"}}]})),
            "Filters.UpdatedAt[0].DateRange.Value: must be between 0 and 2147483647, got -1"
        );
        assert_eq!(
            err(json!({"UpdatedAt": [{"DateRange": {"Value": 1, "Unit": "DAYS", "Comparison": "NEWER"}}]})),
            "Filters.UpdatedAt[0].DateRange.Comparison: \"NEWER\" is not one of WITHIN|OLDER_THAN"
        );
        assert_eq!(
            err(json!({"UpdatedAt": [{"Start": "2025-13-01"}]})),
            "Filters.UpdatedAt[0].Start: \"2025-13-01\" is not an RFC 3339 date-time"
        );
        assert_eq!(
            err(json!({"UpdatedAt": [{"Start": "2025-01-01T00:00:00Z", "End": "last week"}]})),
            "Filters.UpdatedAt[0].End: \"last week\" is not an RFC 3339 date-time"
        );
        assert_eq!(err(json!({"UpdatedAt": [{}]})), "Filters.UpdatedAt[0]: needs Start and/or End, or a DateRange");
        assert_eq!(
            err(json!({"UpdatedAt": [{"Start": "2025-01-01T00:00:00Z", "DateRange": {"Value": 1, "Unit": "DAYS"}}]})),
            "Filters.UpdatedAt[0]: use either Start/End or DateRange, not both"
        );
        assert_eq!(
            err(json!({"NetworkSourceIpV4": [{"Cidr": "10.0.0.0/33"}]})),
            "Filters.NetworkSourceIpV4[0].Cidr: \"10.0.0.0/33\" is not an IPv4 or IPv6 CIDR block"
        );
        assert!(err(json!({"NetworkSourceIpV4": [{"Cidr": "10.0.0/8"}]})).contains("is not an IPv4 or IPv6 CIDR block"));
        assert!(err(json!({"NetworkSourceIpV6": [{"Cidr": "2001:db8::/129"}]})).contains("Cidr"));
        assert!(err(json!({"NetworkSourceIpV4": [{"Cidr": "10.0.0.0/"}]})).contains("Cidr"));
        assert_eq!(
            err(json!({"Sample": [{"Value": "true"}]})),
            "Filters.Sample[0].Value: expected true or false, got a string"
        );
        assert_eq!(
            err(json!({"ResourceTags": [{"Value": "x", "Comparison": "EQUALS"}]})),
            "Filters.ResourceTags[0].Key: missing (required)"
        );
        assert_eq!(
            err(json!({"ResourceTags": [{"Key": "k", "Value": "x", "Comparison": "PREFIX"}]})),
            "Filters.ResourceTags[0].Comparison: \"PREFIX\" is not one of EQUALS|NOT_EQUALS|CONTAINS|NOT_CONTAINS"
        );
    }
}
