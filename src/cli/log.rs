//! `hubtriage log`: the store's change log (`store::changelog`): recent bulk edits with who, when,
//! what and how many findings (of both formats), and `--undo ID`, which previews the calls that
//! put back what the edit changed (BatchUpdateFindings and BatchUpdateFindingsV2), asks (or
//! `--yes`), sends them (`Store::apply_undo`), and logs the undo as an edit of its own.

use anyhow::Result;
use clap::Args;

use super::update::confirm;
use super::{Global, Outcome};
use crate::model::plan::CallPlan;
use crate::model::{sanitize, timestamp};

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Undo the bulk edit with this id (as listed).
    #[arg(long, value_name = "ID")]
    pub undo: Option<i64>,
    /// At most this many entries, newest first.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// With --undo: show what would be sent, change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// With --undo: do not ask for confirmation.
    #[arg(long, short)]
    pub yes: bool,
}

pub(super) fn log(g: &Global, a: &LogArgs) -> Result<Outcome> {
    let Some(id) = a.undo else {
        let store = g.open()?;
        let entries = store.change_log(a.limit)?;
        if entries.is_empty() {
            println!("No bulk edits logged yet (`hubtriage update` logs each one).");
        }
        for e in entries {
            let undone = e.undone_by.map(|by| format!("  (undone by #{by})")).unwrap_or_default();
            println!(
                "#{:<4} {}  {:<12} {:>6} findings  {}{undone}",
                e.id,
                timestamp::format(e.at),
                sanitize::line(&e.identity),
                e.findings,
                sanitize::line(&e.description)
            );
        }
        return Ok(Outcome::Ok);
    };
    let mut store = g.open()?;
    let plan = store.undo_plan(id)?;
    let e = &plan.entry;
    if let Some(by) = e.undone_by {
        println!("Note: #{id} was undone already (by #{by}); undoing it again puts back its own previous values.");
    }
    let description = plan.description();
    if plan.restores.is_empty() {
        println!("{description}: nothing to put back on {} findings.", e.findings);
        return Ok(Outcome::Ok);
    }
    let calls = CallPlan::grouping(plan.restores.clone());
    println!("{}", calls.preview(&format!("{description}: restore the previous values")));
    if plan.unrestorable > 0 {
        println!(
            "{} findings keep what the edit set: they did not have the field before (BatchUpdateFindings can set a \
             field, not delete it) or are no longer stored",
            plan.unrestorable
        );
    }
    if a.dry_run {
        return Ok(Outcome::Ok);
    }
    if !a.yes && !confirm("Undo?")? {
        println!("Cancelled; nothing changed.");
        return Ok(Outcome::Ok);
    }
    let (_, outcome) = store.apply_undo(&g.caller(), &plan)?;
    println!("{} processed, {} unprocessed", outcome.processed.len(), outcome.unprocessed.len());
    for u in &outcome.unprocessed {
        println!("  {}: {}: {}", sanitize::line(u.id.display_id()), u.code, sanitize::line(&u.message));
    }
    Ok(if outcome.unprocessed.is_empty() { Outcome::Ok } else { Outcome::Failed })
}
