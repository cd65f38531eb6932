//! The store's automation rules (schema 9, `automation_rules`): CreateAutomationRule,
//! BatchGet/List/BatchUpdate/BatchDeleteAutomationRules over the table, and the rules applied to
//! what an import created or updated (`apply`), in the import's transaction.
//!
//! As Security Hub applies them (Security Hub user guide, "Automation rules"): to new findings and
//! to findings an import updated, after the import's own rules (the service's reopening and
//! resolving), enabled rules only, in RuleOrder (lowest first; on a tie the rule updated earlier
//! first), each rule's criteria evaluated on the finding as the rules before left it, and none after
//! a matching rule with IsTerminal. A rule's action is a BatchUpdateFindings update: the fields it
//! sets are kept from the provider's later imports like an analyst's, and history records the
//! change with the rule's ARN as the identity.

use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde_json::Value;
use time::OffsetDateTime;

use super::codec::Codec;
use super::rows::{decompress, record, write_finding};
use super::update::{prepare_update, PreparedUpdate};
use super::{Access, Result, Store, SOURCE_UPDATE};
use crate::model::import::BufFields;
use crate::model::timestamp;
use crate::model::wire::batch_update::BatchUpdateRequest;
use crate::rules::{AutomationRule, CompiledRule, RuleSpec, RuleUpdate};

/// `UnprocessedAutomationRule.ErrorCode` (an integer in the service model) for a rule that does
/// not exist, and for an update the rule cannot take: the HTTP statuses of ResourceNotFoundException
/// and InvalidInputException.
pub const NOT_FOUND: i64 = 404;
pub const INVALID: i64 = 400;

/// A rule a batch call did not process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnprocessedRule {
    pub arn: String,
    pub code: i64,
    pub message: String,
}

impl UnprocessedRule {
    pub fn to_json(&self) -> Value {
        serde_json::json!({"RuleArn": self.arn, "ErrorCode": self.code, "ErrorMessage": self.message})
    }

    fn not_found(arn: &str) -> UnprocessedRule {
        UnprocessedRule { arn: arn.to_string(), code: NOT_FOUND, message: "no automation rule has this ARN".into() }
    }
}

const COLUMNS: &str = "arn, rule_order, enabled, name, description, is_terminal, criteria, actions, tags, \
     created_ns, updated_ns, created_by";

fn rule_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AutomationRule> {
    let json = |i: usize| -> rusqlite::Result<Value> {
        let text: String = r.get(i)?;
        serde_json::from_str(&text)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
    };
    let tags: Option<String> = r.get(8)?;
    Ok(AutomationRule {
        arn: r.get(0)?,
        spec: RuleSpec {
            order: r.get(1)?,
            enabled: r.get(2)?,
            name: r.get(3)?,
            description: r.get(4)?,
            is_terminal: r.get(5)?,
            criteria: json(6)?,
            actions: json(7)?,
            tags: tags.and_then(|t| serde_json::from_str(&t).ok()),
        },
        created_at: timestamp::from_nanos(r.get(9)?),
        updated_at: timestamp::from_nanos(r.get(10)?),
        created_by: r.get(11)?,
    })
}

fn write_rule(tx: &rusqlite::Transaction<'_>, r: &AutomationRule) -> Result<()> {
    tx.execute(
        &format!(
            "INSERT INTO automation_rules ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) \
             ON CONFLICT (arn) DO UPDATE SET rule_order = excluded.rule_order, enabled = excluded.enabled, \
             name = excluded.name, description = excluded.description, is_terminal = excluded.is_terminal, \
             criteria = excluded.criteria, actions = excluded.actions, updated_ns = excluded.updated_ns"
        ),
        params![
            r.arn,
            r.spec.order,
            r.spec.enabled,
            r.spec.name,
            r.spec.description,
            r.spec.is_terminal,
            r.spec.criteria.to_string(),
            r.spec.actions.to_string(),
            r.spec.tags.as_ref().map(Value::to_string),
            timestamp::to_nanos(r.created_at),
            timestamp::to_nanos(r.updated_at),
            r.created_by,
        ],
    )?;
    Ok(())
}

/// The order rules apply in: RuleOrder, then the one updated earlier, then the ARN (so it is total).
const ORDER: &str = "ORDER BY rule_order, updated_ns, arn";

impl Store {
    /// Every rule, in the order they apply (ListAutomationRules answers them in this order too).
    pub fn automation_rules(&self) -> Result<Vec<AutomationRule>> {
        let mut stmt = self.conn.prepare(&format!("SELECT {COLUMNS} FROM automation_rules {ORDER}"))?;
        let rows = stmt.query_map([], rule_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn automation_rule(&self, arn: &str) -> Result<Option<AutomationRule>> {
        let mut stmt = self.conn.prepare_cached(&format!("SELECT {COLUMNS} FROM automation_rules WHERE arn = ?1"))?;
        Ok(stmt.query_row([arn], rule_row).optional()?)
    }

    pub fn automation_rule_count(&self) -> Result<usize> {
        let n: i64 = self.conn.query_row("SELECT count(*) FROM automation_rules", [], |r| r.get(0))?;
        Ok(n as usize)
    }

    /// CreateAutomationRule: saves `rule` under a new ARN of `region` and `account`, created by
    /// `created_by`. Returns the ARN. (The caller checks `MAX_RULES` first: LimitExceededException.)
    pub fn create_automation_rule(
        &mut self,
        rule: RuleSpec,
        region: &str,
        account: &str,
        created_by: &str,
    ) -> Result<String> {
        let arn = crate::rules::new_arn(region, account);
        let rule = rule.into_rule(arn.clone(), self.now(), created_by);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        write_rule(&tx, &rule)?;
        tx.commit()?;
        Ok(arn)
    }

    /// BatchGetAutomationRules: the rules found, in the ARNs' order, and those not found.
    pub fn get_automation_rules(&self, arns: &[String]) -> Result<(Vec<AutomationRule>, Vec<UnprocessedRule>)> {
        let (mut found, mut missing) = (Vec::new(), Vec::new());
        for arn in arns {
            match self.automation_rule(arn)? {
                Some(r) => found.push(r),
                None => missing.push(UnprocessedRule::not_found(arn)),
            }
        }
        Ok((found, missing))
    }

    /// BatchUpdateAutomationRules: each item applied to its rule, in one transaction.
    pub fn update_automation_rules(&mut self, items: &[RuleUpdate]) -> Result<(Vec<String>, Vec<UnprocessedRule>)> {
        let now = self.now();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (mut done, mut missing) = (Vec::new(), Vec::new());
        for item in items {
            let current = tx
                .prepare_cached(&format!("SELECT {COLUMNS} FROM automation_rules WHERE arn = ?1"))?
                .query_row([&item.arn], rule_row)
                .optional()?;
            match current {
                Some(rule) => {
                    write_rule(&tx, &item.apply(&rule, now))?;
                    done.push(item.arn.clone());
                }
                None => missing.push(UnprocessedRule::not_found(&item.arn)),
            }
        }
        tx.commit()?;
        Ok((done, missing))
    }

    /// BatchDeleteAutomationRules.
    pub fn delete_automation_rules(&mut self, arns: &[String]) -> Result<(Vec<String>, Vec<UnprocessedRule>)> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (mut done, mut missing) = (Vec::new(), Vec::new());
        for arn in arns {
            if tx.execute("DELETE FROM automation_rules WHERE arn = ?1", [arn])? > 0 {
                done.push(arn.clone());
            } else {
                missing.push(UnprocessedRule::not_found(arn));
            }
        }
        tx.commit()?;
        Ok((done, missing))
    }

    /// How many stored (ASFF) findings `access` may see match a rule's criteria now: what `rules
    /// preview` and `rules create` say before the rule is saved.
    pub fn automation_rule_matches(&self, access: &Access, criteria: &Value) -> Result<usize> {
        let filters = crate::rules::criteria(criteria).map_err(|e| super::StoreError::InvalidInput(e.0))?;
        Ok(self.matching_keys_as(access, &filters, &[], None)?.len())
    }
}

/// The enabled rules, compiled, in the order they apply. A rule that no longer compiles (saved by
/// a version with other limits) is passed over rather than failing every import.
pub(super) fn enabled(tx: &rusqlite::Transaction<'_>) -> Result<Vec<CompiledRule>> {
    let mut stmt = tx.prepare_cached(&format!("SELECT {COLUMNS} FROM automation_rules WHERE enabled {ORDER}"))?;
    let rules: Vec<AutomationRule> = stmt.query_map([], rule_row)?.collect::<rusqlite::Result<_>>()?;
    Ok(rules.iter().filter_map(|r| r.compile().ok()).collect())
}

/// Applies `rules` to the findings at `rowids` (created or updated by the import, in its order),
/// each change written and recorded in history with the rule's ARN as the identity.
pub(super) fn apply(
    tx: &rusqlite::Transaction<'_>,
    codec: &Codec,
    rules: &[CompiledRule],
    rowids: &[i64],
    now: OffsetDateTime,
) -> Result<()> {
    let now_text = timestamp::format(now);
    let now_ns = timestamp::to_nanos(now);
    let mut seen = std::collections::HashSet::new();
    let mut read = tx.prepare_cached("SELECT doc, buf_fields FROM findings WHERE rowid = ?1 AND format = 'asff'")?;
    for &rowid in rowids {
        if !seen.insert(rowid) {
            continue;
        }
        let Some((mut blob, mut buf)) =
            read.query_row([rowid], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, u8>(1)?))).optional()?
        else {
            continue;
        };
        let mut doc = decompress(codec, &blob)?;
        for rule in rules {
            if !rule.criteria.matches(&doc, now) {
                continue;
            }
            let request = BatchUpdateRequest { identifiers: Vec::new(), update: rule.update.clone() };
            if let PreparedUpdate::Write { before, encoded, buf: set, updates } =
                prepare_update(codec, &blob, BufFields(buf), &request, now)?
            {
                write_finding(tx, rowid, &before, *encoded, set)?;
                record(tx, rowid, now_ns, &now_text, SOURCE_UPDATE, &rule.arn, None, updates.as_deref())?;
                // The next rule sees the finding as this one left it.
                (blob, buf) = read.query_row([rowid], |r| Ok((r.get(0)?, r.get(1)?)))?;
                doc = decompress(codec, &blob)?;
            }
            if rule.is_terminal {
                break;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
