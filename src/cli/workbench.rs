//! Without a command: the interactive workbench on a terminal (on the local store, or with
//! `--remote`/`--endpoint-url` on a remote Security Hub), else the store at a glance; and
//! `--load-demo`, the one way the demo dataset is written into a store.

use std::io::IsTerminal;

use anyhow::{anyhow, bail, Result};
use clap::Args;

use super::findings::print_table;
use super::sort::default_sort;
use super::{Global, Outcome};
use crate::model::enums::WorkflowStatus;
use crate::query;
use crate::store::{Caller, Store};

/// The workbench and the commands that can (`sync`, `outbox`) on a remote Security Hub instead of
/// the local store, configured as the aws CLI is. Global, so that they go before or after the
/// command as in the aws CLI; a command that cannot work on a remote refuses them rather than
/// quietly reading the local store.
#[derive(Debug, Args)]
pub struct RemoteArgs {
    /// Open the workbench on Security Hub in the configured region, with the usual AWS configuration.
    #[arg(long, global = true)]
    pub remote: bool,
    /// The AWS profile for --remote (default: AWS_PROFILE, else default).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// The AWS region for --remote (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's).
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
    /// A Security Hub endpoint; implies --remote (e.g. http://127.0.0.1:4566, a `hubtriage serve`).
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Which finding APIs `sync` and `findings` read on the remote: v1 (ASFF), v2 (OCSF) or both.
    #[arg(long, global = true, value_enum, default_value_t = crate::remote::endpoint::Api::Both)]
    pub api: crate::remote::endpoint::Api,
    /// The client's pacing: `published` keeps to Security Hub's published rates (for AWS); `none`
    /// for an endpoint that publishes no limit (a local serve). Throttling answers are retried either way.
    #[arg(long, global = true, value_enum, default_value_t = crate::remote::limit::RateLimit::Published)]
    pub rate_limit: crate::remote::limit::RateLimit,
}

impl RemoteArgs {
    /// The remote client's settings these flags choose.
    pub(super) fn client_config(&self) -> crate::remote::ClientConfig {
        crate::remote::ClientConfig {
            limiter: std::sync::Arc::new(self.rate_limit.limiter()),
            ..crate::remote::ClientConfig::default()
        }
    }
}

impl RemoteArgs {
    /// Whether any of the remote flags was given.
    pub(super) fn is_given(&self) -> bool {
        self.remote || self.endpoint_url.is_some() || self.profile.is_some() || self.region.is_some()
    }
}

/// The workbench's settings and the name edits are recorded under.
fn workbench_config(g: &Global, demo: bool, view: Option<&str>) -> Result<crate::app::state::Config> {
    let settings = crate::tui::Settings::load(crate::tui::Settings::file().as_deref())?;
    let user = g.user.clone().or(settings.user.clone()).unwrap_or_else(|| g.identity());
    Ok(crate::app::state::Config {
        user,
        suppress_reason_required: settings.suppress_reason_required,
        auto_demo: demo,
        history_file: crate::paths::history_file(),
        default_view: Some(settings.start_view(view)),
        views_dir: crate::paths::config_file("views"),
        mouse: settings.mouse.unwrap_or(true),
    })
}

/// `--remote` or `--endpoint-url`: the workbench on the remote's read cache (the cached rows at
/// once, then refreshed from the remote), its edits sent through the durable outbox.
pub(super) fn remote(g: &Global, args: &RemoteArgs, view: Option<&str>) -> Result<Outcome> {
    if !args.remote && args.endpoint_url.is_none() {
        bail!("--profile and --region choose the remote's AWS configuration: add --remote (or --endpoint-url URL)");
    }
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        bail!("the remote workbench needs a terminal");
    }
    let config = workbench_config(g, false, view)?;
    let opts = crate::remote::RemoteOptions {
        profile: args.profile.clone(),
        region: args.region.clone(),
        endpoint_url: args.endpoint_url.clone(),
    };
    let env = crate::remote::Environment::process();
    let mut backend =
        crate::remote::RemoteBackend::connect(&opts, &env, args.client_config()).map_err(|e| anyhow!(e))?;
    backend.set_api(args.api);
    let outbox = backend.outbox_path();
    crate::tui::run(Box::new(backend), config)?;
    // Edits not confirmed yet stay in the outbox: said, so that nobody thinks them lost or sent.
    let unsent = outbox.and_then(|p| crate::remote::outbox::Outbox::queued_at(&p).ok()).unwrap_or(0);
    if unsent > 0 {
        eprintln!(
            "{unsent} findings' edits are not sent yet: they are kept and will be sent next time \
             (`hubtriage outbox` lists them, `hubtriage outbox --send` sends them now)."
        );
    }
    Ok(Outcome::Ok)
}

/// Without a command, on a terminal: the interactive workbench. `demo` uses a throwaway store in
/// the temp directory, filled with the demo dataset by the worker and removed on exit; `simulate`
/// (with `demo` only) plays finding providers against it in the background at that rate.
pub(super) fn workbench(
    g: &Global,
    demo: bool,
    view: Option<&str>,
    simulate: Option<super::simulate::Rate>,
) -> Result<Outcome> {
    let config = workbench_config(g, demo, view)?;
    let caller = Caller { account: g.account.clone(), identity: config.user.clone() };
    let (path, temp_dir) = if demo {
        let dir = std::env::temp_dir().join(format!("hubtriage-demo-{}", std::process::id()));
        (dir.join("findings.db"), Some(dir))
    } else {
        (g.store_path()?, None)
    };
    let backend = crate::store::StoreBackend::open(&path, caller).map_err(|e| anyhow!(e))?;
    let simulation = match simulate.filter(|_| demo) {
        Some(rate) => Some(super::demo::simulation::start(path.clone(), rate)?),
        None => None,
    };
    let result = crate::tui::run(Box::new(backend), config);
    if let Some(running) = simulation {
        running.stop();
    }
    if let Some(dir) = temp_dir {
        let _ = std::fs::remove_dir_all(dir);
    }
    result.map(|()| Outcome::Ok)
}

/// How to get findings into an empty store, said by the overview.
const EMPTY_HINT: &str = "To try hubtriage: `hubtriage --demo` opens the workbench on a throwaway demo store; \
`hubtriage --load-demo` loads the demo dataset (2,300 generated findings: 2,000 ASFF and 300 OCSF) into this store. \
Your own findings: `hubtriage import FILE`.";

/// `--load-demo`: the demo dataset imported into an empty store (asked for explicitly: the
/// overview never writes), then the overview.
pub(super) fn load_demo(g: &Global) -> Result<Outcome> {
    let mut store = g.open_or_create()?;
    let count = store.count()?;
    if count > 0 {
        bail!(
            "the store {} is not empty ({count} findings): the demo loads only into an empty store, so that \
             demo findings never mix with real ones; `hubtriage --demo` opens a throwaway demo store",
            store.path().display()
        );
    }
    eprintln!(
        "Loading the demo dataset (2,300 generated findings: 2,000 ASFF and 300 OCSF) into {}...",
        store.path().display()
    );
    crate::store::import_demo(&mut store)?;
    overview_of(g, &store)
}

/// Without a command and without a terminal: the store at a glance. Writes nothing: an empty store
/// is shown empty, with how to load the demo. (The interactive workbench replaces this view.)
pub(super) fn overview(g: &Global) -> Result<Outcome> {
    // A first run without `--store` has no store yet: that is an empty store, not a mistake.
    let path = g.store_path()?;
    if g.store.is_none() && !path.exists() {
        println!("hubtriage: 0 findings (no store yet at {})", path.display());
        println!("\n{EMPTY_HINT}");
        return Ok(Outcome::Ok);
    }
    overview_of(g, &g.open()?)
}

/// What `--account` may see of the store (everything by default), as `findings` shows it.
fn overview_of(g: &Global, store: &Store) -> Result<Outcome> {
    let access = store.access(&g.caller())?;
    let total = store.count_as(&access)?;
    println!("hubtriage: {} in {}", crate::model::words::count(total as usize, "finding"), store.path().display());
    let demo = store.count_demo()? as usize;
    if demo > 0 {
        println!(
            "The store holds {} (company \"hubtriage demo\"); `hubtriage --remove-demo` removes them.",
            crate::model::words::count(demo, "demo finding")
        );
    }
    if total == 0 {
        println!("\n{EMPTY_HINT}");
        return Ok(Outcome::Ok);
    }
    let mut counts = std::collections::BTreeMap::<(i64, String), [u64; 4]>::new();
    for (rank, label, status, n) in store.severity_status_counts(&access)? {
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
    let top = store.find_all_as(&access, &q.filters, &default_sort(), Some(10), None)?;
    print_table(&top, &mut std::io::stdout().lock())?;
    println!("\nNext: `hubtriage findings 'sev>=high status:new'`, `hubtriage update --help`, `hubtriage --help`.");
    Ok(Outcome::Ok)
}
