//! `hubtriage --remove-demo`: the demo findings taken out of the local store again (`--load-demo`
//! and the workbench's offer put them in; `generate::is_demo` says which they are).

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{bail, Result};

use super::{Global, Outcome};
use crate::model::words;

/// Deletes the demo findings and their history from the store, after a yes on a terminal (or
/// `--yes`). The analyst's own findings are never touched; a store without demo findings is left
/// as it is, and said so.
pub(super) fn remove_demo(g: &Global, yes: bool) -> Result<Outcome> {
    if g.account.is_some() {
        // Demo findings were loaded by the store's owner, for every account: removing them is not
        // an operation of one account of the access model.
        bail!("--remove-demo acts on the whole local store as its owner; run it without --account");
    }
    let mut store = g.open()?;
    let path = store.path().display().to_string();
    let demo = store.count_demo()? as usize;
    if demo == 0 {
        println!("The store {path} holds no demo findings: nothing removed.");
        return Ok(Outcome::Ok);
    }
    let what = format!("{} (and their history) from {path}", words::count(demo, "demo finding"));
    if !yes {
        if !std::io::stdin().is_terminal() {
            bail!("remove {what}: refusing without confirmation; pass --yes");
        }
        eprint!("Remove {what}? Other findings are kept. [y/N] ");
        std::io::stderr().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            eprintln!("Nothing removed.");
            return Ok(Outcome::Ok);
        }
    }
    let removed = store.remove_demo()? as usize;
    let left = store.count()? as usize;
    println!("Removed {} from {path}; {} left.", words::count(removed, "demo finding"), words::count(left, "finding"));
    Ok(Outcome::Ok)
}
