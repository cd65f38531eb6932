//! `hubtriage api`: one operation with the exact AWS request JSON, answering the response JSON.

use anyhow::{anyhow, Result};
use serde_json::{json, Value};

use super::{Global, Outcome};
use crate::api::{self, Operation};
use crate::input;
use crate::model::sanitize;

pub(super) fn api_call(g: &Global, operation: &str, input_json: Option<&str>) -> Result<Outcome> {
    let op = Operation::parse(operation).ok_or_else(|| {
        anyhow!(
            "unknown operation {operation}; supported: {}",
            Operation::ALL.iter().map(|o| o.name()).collect::<Vec<_>>().join(", ")
        )
    })?;
    let input: Value = match input_json {
        None => json!({}),
        Some(file) => {
            let bytes = input::read_bytes(file)?;
            serde_json::from_slice(&bytes).map_err(|e| {
                anyhow!("{}:{}:{}: {}", input::display_name(file), e.line(), e.column(), input::clean(&e))
            })?
        }
    };
    // The read operations open an existing store only; the writes create it if need be.
    let mut store = match op {
        Operation::GetFindings | Operation::GetFindingHistory => g.open()?,
        Operation::BatchImportFindings | Operation::BatchUpdateFindings => g.open_or_create()?,
    };
    match api::call(&mut store, &g.caller(), op, &input) {
        Ok(v) => {
            println!("{}", crate::model::sanitize::json::to_string_pretty(&v)?);
            Ok(Outcome::Ok)
        }
        Err(e) => {
            eprintln!(
                "An error occurred ({}) when calling the {} operation: {}",
                e.code,
                op.name(),
                sanitize::text(&e.message)
            );
            println!("{}", crate::model::sanitize::json::to_string_pretty(&e.to_json())?);
            Ok(Outcome::Failed)
        }
    }
}
