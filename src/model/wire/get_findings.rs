//! GetFindings (`POST /findings`): the request (filters, sort, paging) and a page of findings.

use serde_json::{Map, Value};

use super::{check_members, insert_paging, list, max_results, next_token, object, page_json, WireError};
use crate::model::filter::{fields, Filters};

/// GetFindings filters on at most this many attributes (the service model, GetFindingsRequest.Filters:
/// "You can filter by up to 10 finding attributes").
const MAX_FILTER_ATTRIBUTES: usize = 10;

/// The members a GetFindings request takes.
const MEMBERS: [&str; 4] = ["Filters", "SortCriteria", "NextToken", "MaxResults"];

#[derive(Debug, Clone, PartialEq)]
pub struct SortCriterion {
    pub field: String,
    pub descending: bool,
}

/// A GetFindings request.
#[derive(Debug, Clone, PartialEq)]
pub struct GetFindingsRequest {
    pub filters: Filters,
    pub sort: Vec<SortCriterion>,
    pub next_token: Option<String>,
    pub max_results: usize,
}

impl Default for GetFindingsRequest {
    fn default() -> Self {
        GetFindingsRequest { filters: Filters::default(), sort: Vec::new(), next_token: None, max_results: 100 }
    }
}

/// Refuses what GetFindings refuses before looking at a filter's values: more than ten attributes,
/// and CONTAINS_WORD (the service model, StringFilter.Comparison: "The CONTAINS_WORD operator works
/// only in the GetFindingsV2, GetFindingStatisticsV2, GetResourcesV2, and GetResourcesStatisticsV2
/// APIs").
fn check_v1_filters(f: &Value) -> Result<(), WireError> {
    // An attribute sent as null or [] filters on nothing and is not counted.
    let used =
        f.as_object().map_or(0, |m| m.values().filter(|v| v.as_array().is_some_and(|list| !list.is_empty())).count());
    if used > MAX_FILTER_ATTRIBUTES {
        return Err(WireError(format!(
            "Filters: at most {MAX_FILTER_ATTRIBUTES} finding attributes can be filtered on, got {used}"
        )));
    }
    for (field, list) in f.as_object().into_iter().flatten() {
        for (i, entry) in list.as_array().into_iter().flatten().enumerate() {
            if entry.get("Comparison").and_then(Value::as_str) == Some("CONTAINS_WORD") {
                return Err(WireError(format!(
                    "Filters.{field}[{i}].Comparison: CONTAINS_WORD works only in the V2 APIs \
                     (GetFindingsV2 and the other V2 operations), not in GetFindings"
                )));
            }
        }
    }
    Ok(())
}

fn sort_criterion(i: usize, c: &Value) -> Result<SortCriterion, WireError> {
    let field = c
        .get("Field")
        .and_then(Value::as_str)
        .ok_or_else(|| WireError(format!("SortCriteria[{i}].Field is required")))?;
    if !fields::sort_columns().any(|(f, _)| f == field) {
        return Err(WireError(format!(
            "SortCriteria[{i}].Field {field} cannot be sorted on; use one of {}",
            fields::sort_columns().map(|(f, _)| f).collect::<Vec<_>>().join(", ")
        )));
    }
    let descending = match c.get("SortOrder").and_then(Value::as_str) {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(other) => return Err(WireError(format!("SortCriteria[{i}].SortOrder {other} is not asc or desc"))),
    };
    Ok(SortCriterion { field: field.to_string(), descending })
}

impl GetFindingsRequest {
    /// Reads the exact AWS request JSON.
    pub fn from_json(v: &Value) -> Result<GetFindingsRequest, WireError> {
        let empty = Map::new();
        let obj = match v {
            Value::Object(o) => o,
            Value::Null => &empty,
            _ => return Err(WireError::from("the request body must be a JSON object")),
        };
        check_members(obj, &MEMBERS, "GetFindings")?;
        let filters = match obj.get("Filters") {
            None | Some(Value::Null) => Filters::default(),
            Some(f) => {
                check_v1_filters(f)?;
                Filters::from_json(f).map_err(|e| WireError(e.to_string()))?
            }
        };
        let mut sort = Vec::new();
        if let Some(list) = obj.get("SortCriteria") {
            let list = list.as_array().ok_or_else(|| WireError::from("SortCriteria must be a list"))?;
            for (i, c) in list.iter().enumerate() {
                sort.push(sort_criterion(i, c)?);
            }
        }
        Ok(GetFindingsRequest {
            filters,
            sort,
            next_token: next_token(obj.get("NextToken"))?,
            max_results: max_results(obj.get("MaxResults"))?,
        })
    }

    /// The request as a client sends it: members at their defaults are left out.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        let filters = self.filters.to_json();
        if filters.as_object().is_some_and(|f| !f.is_empty()) {
            m.insert("Filters".into(), filters);
        }
        insert_paging(&mut m, &self.sort, self.next_token.as_deref(), self.max_results);
        Value::Object(m)
    }
}

/// A page of GetFindings' answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FindingsPage {
    pub findings: Vec<Value>,
    pub next_token: Option<String>,
}

impl FindingsPage {
    /// The GetFindings response shape.
    pub fn to_json(&self) -> Value {
        page_json("Findings", self.findings.clone(), self.next_token.as_deref())
    }

    /// Reads a GetFindings response: `Findings` is required, `NextToken` absent on the last page.
    pub fn from_json(v: &Value) -> Result<FindingsPage, WireError> {
        let obj = object(v, "", "the GetFindings response")?;
        let findings = list(obj.get("Findings").unwrap_or(&Value::Null), "Findings")?.to_vec();
        Ok(FindingsPage { findings, next_token: next_token(obj.get("NextToken"))? })
    }
}

#[cfg(test)]
mod tests;
