//! Without a command: the interactive workbench on a terminal, else the store at a glance.

use anyhow::{anyhow, Result};

use super::findings::print_table;
use super::sort::default_sort;
use super::{Global, Outcome};
use crate::model::enums::WorkflowStatus;
use crate::query;
use crate::store::Caller;

/// Without a command, on a terminal: the interactive workbench. `demo` uses a throwaway store in
/// the temp directory, filled with the demo dataset by the worker and removed on exit.
pub(super) fn workbench(g: &Global, demo: bool) -> Result<Outcome> {
    let settings = crate::tui::Settings::load(crate::tui::Settings::file().as_deref())?;
    let user = g.user.clone().or(settings.user).unwrap_or_else(|| g.identity());
    let config = crate::app::state::Config {
        user: user.clone(),
        suppress_reason_required: settings.suppress_reason_required,
        auto_demo: demo,
    };
    let caller = Caller { account: g.account.clone(), identity: user };
    let (path, temp_dir) = if demo {
        let dir = std::env::temp_dir().join(format!("hubtriage-demo-{}", std::process::id()));
        (dir.join("findings.db"), Some(dir))
    } else {
        (g.store_path()?, None)
    };
    let backend = crate::store::StoreBackend::open(&path, caller).map_err(|e| anyhow!(e))?;
    let result = crate::tui::run(Box::new(backend), config);
    if let Some(dir) = temp_dir {
        let _ = std::fs::remove_dir_all(dir);
    }
    result.map(|()| Outcome::Ok)
}

/// Without a command: the store at a glance. An empty default store is seeded with demo data so a
/// first run needs no AWS account. (The interactive workbench replaces this view.)
pub(super) fn overview(g: &Global) -> Result<Outcome> {
    let mut store = g.open()?;
    if store.count()? == 0 {
        eprintln!(
            "The store {} is empty; loading the demo dataset (2,000 generated findings)...",
            store.path().display()
        );
        crate::store::import_demo(&mut store)?;
    }
    let total = store.count()?;
    println!("hubtriage: {} findings in {}", total, store.path().display());
    let mut counts = std::collections::BTreeMap::<(i64, String), [u64; 4]>::new();
    for (rank, label, status, n) in store.severity_status_counts()? {
        let slot = match WorkflowStatus::parse(&status) {
            Some(WorkflowStatus::New) => 0,
            Some(WorkflowStatus::Notified) => 1,
            Some(WorkflowStatus::Resolved) => 2,
            _ => 3,
        };
        counts.entry((-rank, label)).or_default()[slot] += n;
    }
    println!("\n{:<14}{:>8}{:>10}{:>10}{:>12}", "SEVERITY", "NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED");
    for ((_, label), c) in &counts {
        println!("{:<14}{:>8}{:>10}{:>10}{:>12}", if label.is_empty() { "-" } else { label }, c[0], c[1], c[2], c[3]);
    }
    println!("\nMost severe open findings:");
    let q = query::parse("status:new,notified record:active").map_err(|e| anyhow!("{e}"))?;
    let top = store.find_all(&q.filters, &default_sort(), Some(10), None)?;
    print_table(&top, &mut std::io::stdout().lock())?;
    println!("\nNext: `hubtriage findings 'sev>=high status:new'`, `hubtriage update --help`, `hubtriage --help`.");
    Ok(Outcome::Ok)
}
