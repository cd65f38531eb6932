//! `--sort FIELD[:asc|desc]`: SortCriteria fields by name or by the field registry's short aliases,
//! and the default order.

use anyhow::{anyhow, bail, Result};

use crate::store::{SortCriterion, SORT_FIELDS};

pub(super) fn default_sort() -> Vec<SortCriterion> {
    vec![
        SortCriterion { field: "SeverityLabel".into(), descending: true },
        SortCriterion { field: "UpdatedAt".into(), descending: true },
    ]
}

/// `FIELD[:asc|desc]` with FIELD a SortCriteria field name or a short alias (the aliases are the field
/// registry's, `model::filter::fields`).
pub fn parse_sort(spec: &str) -> Result<SortCriterion> {
    let (name, order) = spec.split_once(':').unwrap_or((spec, "asc"));
    let aliases = crate::model::filter::fields::cli_sort_aliases;
    let field = aliases()
        .find(|(a, _)| a.eq_ignore_ascii_case(name))
        .map(|(_, f)| f)
        .or_else(|| SORT_FIELDS.iter().find(|(f, _)| f.eq_ignore_ascii_case(name)).map(|(f, _)| *f))
        .ok_or_else(|| {
            anyhow!(
                "--sort {spec}: unknown field {name}; use one of {} or {}",
                aliases().map(|(a, _)| a).collect::<Vec<_>>().join(", "),
                SORT_FIELDS.iter().map(|(f, _)| *f).collect::<Vec<_>>().join(", ")
            )
        })?;
    let descending = match order.to_ascii_lowercase().as_str() {
        "asc" => false,
        "desc" => true,
        other => bail!("--sort {spec}: order {other} is not asc or desc"),
    };
    Ok(SortCriterion { field: field.to_string(), descending })
}
