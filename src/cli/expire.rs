//! `hubtriage expire`: reopen the suppressed findings whose time-boxed suppression (`update
//! --expires`) has passed, for cron. Prints what it reopened; a second run finds nothing to do.

use anyhow::{anyhow, Result};
use clap::Args;

use super::{Global, Outcome};
use crate::model::{sanitize, timestamp};

#[derive(Debug, Args)]
pub struct ExpireArgs {
    /// Act as if it were this time (RFC 3339), e.g. to see what a later run reopens; default now.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// List what would be reopened, change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

pub(super) fn expire(g: &Global, a: &ExpireArgs) -> Result<Outcome> {
    let mut store = g.open()?;
    let at = match &a.at {
        Some(t) => timestamp::parse(t)
            .ok_or_else(|| anyhow!("--at {:?}: expected an RFC 3339 time", sanitize::line(t).into_owned()))?,
        None => store.now(),
    };
    if a.dry_run {
        let due: Vec<_> = store.expiries()?.into_iter().filter(|e| e.expires <= at).collect();
        println!("{} suppressed findings would be reopened (dry run, nothing changed)", due.len());
        for e in &due {
            print_one(e, "would reopen");
        }
        return Ok(Outcome::Ok);
    }
    let reopened = store.expire_due(at)?;
    if reopened.is_empty() {
        println!("No suppression has expired; nothing reopened.");
        return Ok(Outcome::Ok);
    }
    println!("Reopened {} suppressed findings (set back to NEW):", reopened.len());
    for e in &reopened {
        print_one(e, "reopened");
    }
    Ok(Outcome::Ok)
}

fn print_one(e: &crate::store::expiry::Expiry, what: &str) {
    println!(
        "  {what} {} ({}): expired {}; {}",
        sanitize::line(&e.key.id),
        sanitize::line(&e.key.product_arn),
        timestamp::format(e.expires),
        sanitize::line(&e.reopen_note())
    );
}
