//! `hubtriage org`: the demo access model's administrator and member accounts.

use anyhow::{bail, Result};
use clap::Subcommand;

use super::{Global, Outcome};

#[derive(Debug, Subcommand)]
pub enum OrgAction {
    /// Make MEMBERS member accounts of ADMIN.
    Add { admin: String, members: Vec<String> },
    /// Remove a member account from its administrator.
    Remove { member: String },
    /// List the relations.
    Show,
}

pub(super) fn org(g: &Global, action: OrgAction) -> Result<Outcome> {
    // Showing the relations only reads; changing them creates the store if need be.
    let mut store = if matches!(action, OrgAction::Show) { g.open()? } else { g.open_or_create()? };
    let check = |a: &str| -> Result<()> {
        if a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()) {
            Ok(())
        } else {
            bail!("{a} is not a 12-digit AWS account id")
        }
    };
    match action {
        OrgAction::Add { admin, members } => {
            check(&admin)?;
            members.iter().try_for_each(|m| check(m))?;
            if members.contains(&admin) {
                bail!("an account cannot be its own member");
            }
            store.set_members(&admin, &members)?;
            println!("{} member account(s) now belong to administrator {admin}", members.len());
        }
        OrgAction::Remove { member } => {
            if !store.remove_member(&member)? {
                bail!("{member} is not a member account");
            }
            println!("{member} removed");
        }
        OrgAction::Show => {
            let rows = store.members()?;
            if rows.is_empty() {
                println!("No administrator/member relations: every account stands alone.");
            }
            for (a, m) in rows {
                println!("{a} administers {m}");
            }
        }
    }
    Ok(Outcome::Ok)
}
