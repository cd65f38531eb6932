//! `hubtriage rules`: the store's automation rules (`store::rules`) from the command line. `create`
//! takes the exact CreateAutomationRule request and `update` a BatchUpdateAutomationRules item (or
//! the whole request); both are checked with the service model's limits, each error naming the
//! member. `create` and `preview` say how many stored findings the rule would match now, and
//! `create` asks before it saves (on a terminal; `--yes` for scripts).

use anyhow::{anyhow, bail, Result};
use clap::{Args, Subcommand};
use serde_json::Value;

use super::update::confirm;
use super::{Global, Outcome};
use crate::api::Operation;
use crate::input;
use crate::model::sanitize;
use crate::rules::{ops, RuleSpec};

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub action: RulesAction,
}

#[derive(Debug, Subcommand)]
pub enum RulesAction {
    /// Create a rule from a CreateAutomationRule request; says how many findings it would match first.
    Create {
        #[arg(long = "input-json", value_name = "FILE")]
        input_json: String,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
    /// How many stored findings a CreateAutomationRule request's Criteria match now; saves nothing.
    Preview {
        #[arg(long = "input-json", value_name = "FILE")]
        input_json: String,
    },
    /// The rules, in the order they apply.
    List,
    /// One rule as AutomationRulesConfig JSON.
    Get { arn: String },
    /// Change a rule: a BatchUpdateAutomationRules item ({"RuleArn", ...}) or the whole request.
    Update {
        #[arg(long = "input-json", value_name = "FILE")]
        input_json: String,
    },
    /// Delete a rule.
    Delete { arn: String },
}

fn read_json(file: &str) -> Result<Value> {
    let bytes = input::read_bytes(file)?;
    serde_json::from_slice(&bytes)
        .map_err(|e| anyhow!("{}:{}:{}: {}", input::display_name(file), e.line(), e.column(), input::clean(&e)))
}

/// An operation's answer, or its error as the service would say it.
fn run(g: &Global, op: Operation, input: &Value) -> Result<Value> {
    let mut store = if op.reads_only() { g.open()? } else { g.open_or_create()? };
    ops::call(&mut store, &g.caller(), crate::serve::DEFAULT_REGION, op, input)
        .map_err(|e| anyhow!("{}: {}", e.code, sanitize::line(&e.message)))
}

/// "This rule would match 12 findings now" for a request's Criteria, against what the caller sees.
fn would_match(g: &Global, request: &Value) -> Result<String> {
    let rule = RuleSpec::from_json(request).map_err(|e| anyhow!("invalid rule: {}", sanitize::line(&e.0)))?;
    let store = g.open_or_create()?;
    let n = store.automation_rule_matches(&store.access(&g.caller())?, &rule.criteria)?;
    Ok(format!(
        "This rule would match {} now (rules apply to findings as they are imported from now on)",
        crate::model::words::count(n, "finding")
    ))
}

pub(super) fn rules(g: &Global, a: &RulesArgs) -> Result<Outcome> {
    match &a.action {
        RulesAction::Preview { input_json } => {
            println!("{}", would_match(g, &read_json(input_json)?)?);
        }
        RulesAction::Create { input_json, yes } => {
            let request = read_json(input_json)?;
            println!("{}", would_match(g, &request)?);
            if !yes && !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
                bail!("refusing to create the rule without confirmation: pass --yes (`rules preview` saves nothing)");
            }
            if !yes && !confirm("Create the rule?")? {
                println!("Cancelled; no rule created.");
                return Ok(Outcome::Ok);
            }
            let v = run(g, Operation::CreateAutomationRule, &request)?;
            println!("Created {}", sanitize::line(v["RuleArn"].as_str().unwrap_or_default()));
        }
        RulesAction::List => {
            let mut input = serde_json::json!({});
            let mut any = false;
            loop {
                let page = run(g, Operation::ListAutomationRules, &input)?;
                for r in page["AutomationRulesMetadata"].as_array().into_iter().flatten() {
                    if !any {
                        println!("{:>5}  {:<8}  {:<8}  {:<30}  ARN", "ORDER", "STATUS", "TERMINAL", "NAME");
                        any = true;
                    }
                    let s = |k: &str| sanitize::line(r[k].as_str().unwrap_or_default()).into_owned();
                    println!(
                        "{:>5}  {:<8}  {:<8}  {:<30}  {}",
                        r["RuleOrder"],
                        s("RuleStatus"),
                        if r["IsTerminal"] == true { "yes" } else { "no" },
                        s("RuleName"),
                        s("RuleArn")
                    );
                }
                match page.get("NextToken") {
                    Some(t) => input["NextToken"] = t.clone(),
                    None => break,
                }
            }
            if !any {
                println!("No automation rules.");
            }
        }
        RulesAction::Get { arn } => {
            let v = run(g, Operation::BatchGetAutomationRules, &serde_json::json!({"AutomationRulesArns": [arn]}))?;
            let Some(rule) = v["Rules"].as_array().and_then(|r| r.first()) else {
                bail!("no automation rule has ARN {}", sanitize::line(arn));
            };
            println!("{}", sanitize::json::to_string_pretty(rule)?);
        }
        RulesAction::Update { input_json } => {
            let v = read_json(input_json)?;
            let request = if v.get("UpdateAutomationRulesRequestItems").is_some() {
                v
            } else {
                serde_json::json!({"UpdateAutomationRulesRequestItems": [v]})
            };
            return report(run(g, Operation::BatchUpdateAutomationRules, &request)?, "Updated");
        }
        RulesAction::Delete { arn } => {
            let request = serde_json::json!({"AutomationRulesArns": [arn]});
            return report(run(g, Operation::BatchDeleteAutomationRules, &request)?, "Deleted");
        }
    }
    Ok(Outcome::Ok)
}

/// A batch answer: each processed ARN, then each unprocessed one with why (a failure).
fn report(v: Value, what: &str) -> Result<Outcome> {
    for arn in v["ProcessedAutomationRules"].as_array().into_iter().flatten() {
        println!("{what} {}", sanitize::line(arn.as_str().unwrap_or_default()));
    }
    let failed = v["UnprocessedAutomationRules"].as_array().cloned().unwrap_or_default();
    for u in &failed {
        eprintln!(
            "{}: {} ({})",
            sanitize::line(u["RuleArn"].as_str().unwrap_or_default()),
            sanitize::line(u["ErrorMessage"].as_str().unwrap_or_default()),
            u["ErrorCode"]
        );
    }
    Ok(if failed.is_empty() { Outcome::Ok } else { Outcome::Failed })
}
