//! `hubtriage outbox`: the remote edits waiting in the durable outbox of one (endpoint, account,
//! region), chosen with the remote flags as the workbench's; `--send` sends them now, `--drop ID`
//! removes one edit after a confirmation.

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{anyhow, bail, Result};
use clap::Args;

use super::remote::Remote;
use super::workbench::RemoteArgs;
use super::Outcome;
use crate::model::sanitize;
use crate::remote::outbox::now_ms;

#[derive(Debug, Args)]
pub struct OutboxArgs {
    /// Send the queued edits now, waiting for the answers.
    #[arg(long, conflicts_with = "drop")]
    pub send: bool,
    /// Drop the edit with this ID (its findings not yet sent are not sent); asks first unless --yes.
    #[arg(long, value_name = "ID")]
    pub drop: Option<i64>,
    /// With --drop: do not ask for confirmation.
    #[arg(long, requires = "drop")]
    pub yes: bool,
}

/// "42s", "3m", "5h", "2d".
fn age(ms: i64) -> String {
    let s = (ms / 1000).max(0);
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        3600..=86_399 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

fn confirm(prompt: &str) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        bail!("{prompt}: refusing without confirmation; pass --yes");
    }
    eprint!("{prompt} [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

pub(super) fn outbox(top: &RemoteArgs, a: &OutboxArgs) -> Result<Outcome> {
    // Credentials are loaded (locally: no call is made) to know the account, which names the store.
    let remote = Remote::connect(top)?;
    let (runtime, client, path) = (&remote.runtime, &remote.client, &remote.outbox);
    let where_ = client.describe();
    if !path.exists() {
        println!("Nothing queued for {where_}: no edits were made there from this computer.");
        return Ok(Outcome::Ok);
    }
    let mut outbox = remote.open_outbox()?;

    if let Some(id) = a.drop {
        let Some(edit) = outbox.list().map_err(|e| anyhow!(e))?.into_iter().find(|e| e.id == id) else {
            bail!("no edit {id} in the outbox of {where_} (`hubtriage outbox` lists them)");
        };
        let prompt = format!(
            "Drop edit {id} ({} on {} findings, {} not sent yet)?",
            edit.update.describe(),
            edit.findings,
            edit.queued
        );
        if !a.yes && !confirm(&prompt)? {
            println!("Kept; nothing changed.");
            return Ok(Outcome::Ok);
        }
        let n = outbox.drop_edit(id).map_err(|e| anyhow!(e))?.unwrap_or(0);
        println!("Dropped edit {id}: {n} findings' changes will not be sent.");
        return Ok(Outcome::Ok);
    }

    if a.send {
        let Some(_sending) = crate::remote::outbox::SendLock::try_take(path).map_err(|e| anyhow!(e))? else {
            bail!(
                "another hubtriage process (the workbench?) is sending this outbox now; it sends the queued \
                 edits itself (`hubtriage outbox` shows what is left)"
            );
        };
        let before = outbox.queued().map_err(|e| anyhow!(e))?;
        let outbox = Mutex::new(outbox);
        let started = Instant::now();
        let r =
            runtime.block_on(crate::remote::sender::send_pass(&outbox, client, false, 0)).map_err(|e| anyhow!(e))?;
        let outbox = outbox.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        let left = outbox.queued().map_err(|e| anyhow!(e))?;
        let secs = started.elapsed().as_secs_f64();
        let stats = client.stats();
        println!(
            "Sent {} of {before} queued findings' edits to {where_} in {} BatchUpdateFindings calls, {secs:.2} s \
             ({} retries, {} after throttling); {} refused; {left} still queued.",
            r.sent, r.calls, stats.retries, stats.throttled, r.refused
        );
        if let Some(why) = &r.stopped {
            println!("Stopped: {}. The {left} queued will be sent next time.", sanitize::line(why));
        }
        if r.refused > 0 {
            println!("Refused findings stay listed with their codes: `hubtriage outbox`; drop them with --drop ID.");
        }
        return Ok(if r.stopped.is_none() && r.refused == 0 { Outcome::Ok } else { Outcome::Failed });
    }

    let edits = outbox.list().map_err(|e| anyhow!(e))?;
    if edits.is_empty() {
        println!("Nothing queued for {where_}.");
        return Ok(Outcome::Ok);
    }
    let now = now_ms();
    println!(
        "{:>6}  {:>5}  {:>8}  {:>7}  {:>6}  {:>8}  {:<32}  LAST ERROR",
        "ID", "AGE", "FINDINGS", "QUEUED", "FAILED", "ATTEMPTS", "WHAT"
    );
    for e in &edits {
        let what: String = e.update.describe().chars().take(32).collect();
        let error = e.last_error.as_deref().map(sanitize::line).unwrap_or_default();
        println!(
            "{:>6}  {:>5}  {:>8}  {:>7}  {:>6}  {:>8}  {:<32}  {}",
            e.id,
            age(now - e.created_ms),
            e.findings,
            e.queued,
            e.failed,
            e.attempts,
            sanitize::line(&what),
            error
        );
    }
    let queued: usize = edits.iter().map(|e| e.queued).sum();
    println!("{queued} findings' edits queued for {where_}; `hubtriage outbox --send` sends them now.");
    Ok(Outcome::Ok)
}
