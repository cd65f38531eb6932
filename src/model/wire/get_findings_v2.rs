//! GetFindingsV2 (`POST /findingsv2`): the request (OCSF filters, organization scopes, sort,
//! paging) and a page of OCSF findings, as the service model shapes them. A refused request is a
//! ValidationException (`V2Error::from(WireError)`).

use serde_json::{json, Map, Value};

use super::get_findings::SortCriterion;
use super::{check_members, insert_paging, list, max_results, next_token, object, page_json, WireError};
use crate::model::ocsf::filter::{check_sort_field, OcsfFindingFilters};

/// The members a GetFindingsV2 request takes.
const MEMBERS: [&str; 5] = ["Filters", "Scopes", "SortCriteria", "NextToken", "MaxResults"];

/// At most this many `Scopes.AwsOrganizations` entries (service model, AwsOrganizationScopeList).
pub const MAX_SCOPES: usize = 10;

/// One `AwsOrganizationScope`: an organization, an organizational unit, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganizationScope {
    pub organization_id: Option<String>,
    pub organizational_unit_id: Option<String>,
}

/// A GetFindingsV2 request.
#[derive(Debug, Clone, PartialEq)]
pub struct GetFindingsV2Request {
    pub filters: OcsfFindingFilters,
    /// `Scopes.AwsOrganizations` (ORed; the delegated administrator's only).
    pub scopes: Vec<OrganizationScope>,
    pub sort: Vec<SortCriterion>,
    pub next_token: Option<String>,
    pub max_results: usize,
}

impl Default for GetFindingsV2Request {
    fn default() -> Self {
        GetFindingsV2Request {
            filters: OcsfFindingFilters::default(),
            scopes: Vec::new(),
            sort: Vec::new(),
            next_token: None,
            max_results: 100,
        }
    }
}

fn non_blank(v: &Value, at: &str) -> Result<String, WireError> {
    match v.as_str() {
        Some(s) if !s.trim().is_empty() => Ok(s.to_string()),
        _ => Err(WireError(format!("{at} must be a non-blank string"))),
    }
}

fn scopes(v: &Value) -> Result<Vec<OrganizationScope>, WireError> {
    let obj = object(v, "Scopes", "Scopes")?;
    check_members(obj, &["AwsOrganizations"], "Scopes")?;
    let Some(orgs) = obj.get("AwsOrganizations") else { return Ok(Vec::new()) };
    let orgs = list(orgs, "Scopes.AwsOrganizations")?;
    if orgs.len() > MAX_SCOPES {
        return Err(WireError(format!(
            "Scopes.AwsOrganizations takes at most {MAX_SCOPES} entries, got {}",
            orgs.len()
        )));
    }
    orgs.iter()
        .enumerate()
        .map(|(i, o)| {
            let at = format!("Scopes.AwsOrganizations[{i}]");
            let obj = object(o, &at, "")?;
            check_members(obj, &["OrganizationId", "OrganizationalUnitId"], "an AwsOrganizationScope")?;
            let member = |m: &str| obj.get(m).map(|v| non_blank(v, &format!("{at}.{m}"))).transpose();
            Ok(OrganizationScope {
                organization_id: member("OrganizationId")?,
                organizational_unit_id: member("OrganizationalUnitId")?,
            })
        })
        .collect()
}

fn sort_criterion(i: usize, c: &Value) -> Result<SortCriterion, WireError> {
    let at = format!("SortCriteria[{i}]");
    let obj = object(c, &at, "")?;
    check_members(obj, &["Field", "SortOrder"], "a SortCriterion")?;
    let field = obj.get("Field").ok_or_else(|| WireError(format!("{at}.Field is required")))?;
    let field = non_blank(field, &format!("{at}.Field"))?;
    let field = check_sort_field(&field).map_err(|e| WireError(format!("{at}.Field {e}")))?;
    let descending = match obj.get("SortOrder").map(Value::as_str) {
        None | Some(Some("asc")) => false,
        Some(Some("desc")) => true,
        Some(_) => return Err(WireError(format!("{at}.SortOrder must be asc or desc"))),
    };
    Ok(SortCriterion { field: field.to_string(), descending })
}

impl GetFindingsV2Request {
    /// Reads the exact AWS request JSON; an empty body is an empty request.
    pub fn from_json(v: &Value) -> Result<GetFindingsV2Request, WireError> {
        let empty = Map::new();
        let obj = match v {
            Value::Object(o) => o,
            Value::Null => &empty,
            _ => return Err(WireError::from("the request body must be a JSON object")),
        };
        check_members(obj, &MEMBERS, "GetFindingsV2")?;
        let filters = match obj.get("Filters") {
            // boto3 never sends null; read as absent, as GetFindings reads it.
            None | Some(Value::Null) => OcsfFindingFilters::default(),
            Some(f) => OcsfFindingFilters::from_json(f).map_err(|e| WireError(e.to_string()))?,
        };
        let scopes = obj.get("Scopes").map(scopes).transpose()?.unwrap_or_default();
        let mut sort = Vec::new();
        if let Some(l) = obj.get("SortCriteria") {
            for (i, c) in list(l, "SortCriteria")?.iter().enumerate() {
                sort.push(sort_criterion(i, c)?);
            }
        }
        Ok(GetFindingsV2Request {
            filters,
            scopes,
            sort,
            next_token: next_token(obj.get("NextToken"))?,
            max_results: max_results(obj.get("MaxResults"))?,
        })
    }

    /// The request as a client sends it: members at their defaults are left out.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        if !self.filters.is_empty() || self.filters.composite_operator.is_some() {
            m.insert("Filters".into(), self.filters.to_json());
        }
        if !self.scopes.is_empty() {
            let orgs = self.scopes.iter().map(|s| {
                let mut o = Map::new();
                if let Some(id) = &s.organization_id {
                    o.insert("OrganizationId".into(), json!(id));
                }
                if let Some(id) = &s.organizational_unit_id {
                    o.insert("OrganizationalUnitId".into(), json!(id));
                }
                Value::Object(o)
            });
            m.insert("Scopes".into(), json!({"AwsOrganizations": orgs.collect::<Vec<_>>()}));
        }
        insert_paging(&mut m, &self.sort, self.next_token.as_deref(), self.max_results);
        Value::Object(m)
    }
}

/// A page of GetFindingsV2's answer: OCSF documents, kept as they are (the model's `OcsfFinding` is
/// a free-form document).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FindingsV2Page {
    pub findings: Vec<Value>,
    pub next_token: Option<String>,
}

impl FindingsV2Page {
    /// The GetFindingsV2 response shape; `NextToken` only when there is a next page.
    pub fn to_json(&self) -> Value {
        page_json("Findings", self.findings.clone(), self.next_token.as_deref())
    }

    /// Reads a GetFindingsV2 response (a missing `Findings` is an empty page).
    pub fn from_json(v: &Value) -> Result<FindingsV2Page, WireError> {
        let obj = object(v, "", "the GetFindingsV2 response")?;
        let findings = match obj.get("Findings") {
            None | Some(Value::Null) => Vec::new(),
            Some(f) => list(f, "Findings")?.to_vec(),
        };
        Ok(FindingsV2Page { findings, next_token: next_token(obj.get("NextToken"))? })
    }
}

#[cfg(test)]
mod tests;
