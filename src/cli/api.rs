//! `hubtriage api`: one operation with the exact AWS request JSON, answering the response JSON.

use anyhow::{anyhow, Result};
use serde_json::{json, Value};

use super::{Global, Outcome};
use crate::api::{self, ApiError, Operation};
use crate::input;
use crate::model::sanitize;
use crate::model::wire::batch_import::{BatchImportRequest, BodyError};

pub(super) fn api_call(g: &Global, operation: &str, input_json: Option<&str>) -> Result<Outcome> {
    let op = Operation::parse(operation).ok_or_else(|| {
        anyhow!(
            "unknown operation {operation}; supported: {}",
            Operation::ALL.iter().map(|o| o.name()).collect::<Vec<_>>().join(", ")
        )
    })?;
    let not_json = |file: &str, e: &serde_json::Error| {
        anyhow!("{}:{}:{}: {}", input::display_name(file), e.line(), e.column(), input::clean(e))
    };
    // BatchImportFindings reads its findings as a file import does (`BatchImportRequest::read_body`):
    // a finding that could not be read back fails alone.
    let mut findings = None;
    let input: Value = match input_json {
        None => json!({}),
        Some(file) if op == Operation::BatchImportFindings => {
            let bytes = input::read_bytes(file)?;
            match BatchImportRequest::read_body(&bytes) {
                Ok(list) => findings = Some(list),
                Err(BodyError::NotJson(e)) => return Err(not_json(file, &e)),
                // Left to the operation, which refuses it as it refuses any input without Findings.
                Err(BodyError::NotObject) => {}
                Err(BodyError::Shape(e)) => return failed(op, &ApiError::from(e)),
            }
            Value::Null
        }
        Some(file) => {
            let bytes = input::read_bytes(file)?;
            serde_json::from_slice(&bytes).map_err(|e| not_json(file, &e))?
        }
    };
    // The read operations open an existing store only; the writes create it if need be.
    let mut store = if op.reads_only() { g.open()? } else { g.open_or_create()? };
    let answer = match findings {
        Some(findings) => api::import(&mut store, &g.caller(), findings),
        None => api::call(&mut store, &g.caller(), op, &input),
    };
    match answer {
        Ok(v) => {
            println!("{}", crate::model::sanitize::json::to_string_pretty(&v)?);
            Ok(Outcome::Ok)
        }
        Err(e) => failed(op, &e),
    }
}

/// Prints an operation's error as the aws CLI does, and its `{Code, Message}` body.
fn failed(op: Operation, e: &ApiError) -> Result<Outcome> {
    eprintln!(
        "An error occurred ({}) when calling the {} operation: {}",
        e.code,
        op.name(),
        sanitize::text(&e.message)
    );
    println!("{}", crate::model::sanitize::json::to_string_pretty(&e.to_json())?);
    Ok(Outcome::Failed)
}
