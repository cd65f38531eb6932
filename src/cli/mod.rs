//! The `hubtriage` command line: argument parsing (clap) and dispatch to each command's module.
//! Commands print results on stdout, problems on stderr, and exit non-zero when anything failed.
//! Each command's work over a store lives in its own module; this one owns the arguments every
//! command shares (`Global`) and what a command ends with (`Outcome`).

mod api;
mod demo;
mod expire;
mod findings;
mod generate;
mod history;
mod import;
mod log;
mod org;
mod outbox;
mod remote;
mod rules;
mod serve;
mod simulate;
mod sort;
mod sync;
mod update;
mod workbench;

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};

pub use findings::OutputFormat;
pub use generate::GenFormat;
pub use org::OrgAction;
pub use serve::{ServeArgs, ThrottleMode};
pub use simulate::SimulateArgs;
pub use sort::parse_sort;
pub use update::UpdateArgs;

use crate::store::{Caller, Store};

#[derive(Debug, Parser)]
#[command(name = "hubtriage", version, about = "Triage AWS Security Hub findings from the terminal")]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    /// Open the workbench on a throwaway store filled with the demo dataset.
    #[arg(long, conflicts_with_all = ["load_demo", "remote", "endpoint_url"])]
    pub demo: bool,
    /// With --demo: finding providers at work in the background (`hubtriage simulate` on the demo
    /// store), one event every 2 seconds unless --rate says otherwise; the workbench shows them.
    #[arg(long, requires = "demo")]
    pub simulate: bool,
    /// With --simulate: events a second, e.g. 1/s, 30/min (the default), or max.
    #[arg(long, requires = "simulate", value_parser = simulate::parse_rate)]
    pub rate: Option<simulate::Rate>,
    /// Load the demo dataset (2,300 generated findings: 2,000 ASFF and 300 OCSF) into an empty store, then show the overview.
    #[arg(long, conflicts_with_all = ["remote", "endpoint_url"])]
    pub load_demo: bool,
    /// Remove the demo findings (and their history) from the store; asks first unless --yes.
    #[arg(long, conflicts_with_all = ["demo", "load_demo"])]
    pub remove_demo: bool,
    /// With --remove-demo: do not ask for confirmation.
    #[arg(long, requires = "remove_demo")]
    pub yes: bool,
    /// The view the workbench opens on: "open work" (the default: active, NEW or NOTIFIED), "all",
    /// or a saved view's name. Overrides `default_view` in config.toml.
    #[arg(long, value_name = "NAME")]
    pub view: Option<String>,
    #[command(flatten)]
    pub remote: workbench::RemoteArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct Global {
    /// The local store (SQLite). Default: findings.db in the platform data directory.
    #[arg(long, global = true, env = "HUBTRIAGE_STORE", value_name = "PATH")]
    pub store: Option<PathBuf>,
    /// Act as this AWS account (the access model); default: administrator of every account.
    #[arg(long, global = true, env = "HUBTRIAGE_ACCOUNT", value_name = "ACCOUNT_ID")]
    pub account: Option<String>,
    /// Your name, recorded as Note.UpdatedBy and in history. Default: $USER.
    #[arg(long = "user", global = true, env = "HUBTRIAGE_USER", value_name = "NAME")]
    pub user: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import findings (BatchImportFindings in calls of at most 100).
    Import {
        /// Files with {"Findings": [...]}, a JSON array, or JSON lines; gzip is detected; - for stdin.
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// List findings matching a query.
    Findings {
        /// Query, e.g. 'sev>=high status:new product:guardduty updated<7d'. See README.
        query: Vec<String>,
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
        /// At most this many findings.
        #[arg(long)]
        limit: Option<usize>,
        /// FIELD[:asc|desc], repeatable, e.g. --sort severity:desc --sort updated. Default severity:desc, updated:desc.
        #[arg(long)]
        sort: Vec<String>,
    },
    /// Update findings (BatchUpdateFindings in calls of at most 100).
    Update(UpdateArgs),
    /// Call an operation with the exact AWS request JSON and print the response JSON.
    Api {
        /// GetFindings, BatchImportFindings, BatchUpdateFindings, GetFindingHistory (or get-findings, ...).
        operation: String,
        /// Request JSON file, or - for stdin. Default: {}.
        #[arg(long = "input-json", value_name = "FILE")]
        input_json: Option<String>,
    },
    /// Show a finding's history (GetFindingHistory).
    History {
        /// The finding's Id.
        id: String,
        /// The finding's ProductArn, when several products share the Id.
        #[arg(long)]
        product_arn: Option<String>,
    },
    /// Play finding providers against the store, for demos: new findings, findings observed again,
    /// compliance flipping, resources archived and back, each through BatchImportFindings.
    Simulate(SimulateArgs),
    /// Write deterministic synthetic findings.
    Generate {
        #[arg(long, default_value_t = 1000)]
        count: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, value_enum, default_value_t = GenFormat::Asff)]
        format: GenFormat,
        /// Output file; default stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Write about PERCENT of the findings in their OCSF (Security Hub V2) form (0-100).
        #[arg(long, value_name = "PERCENT", default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
        ocsf: u8,
    },
    /// Serve the store over Security Hub's HTTP API, for the aws CLI, boto3 and SDKs (--endpoint-url).
    #[command(after_long_help = serve::SERVE_HELP)]
    Serve(ServeArgs),
    /// The demo access model: administrator and member accounts.
    Org {
        #[command(subcommand)]
        action: OrgAction,
    },
    /// Remote edits not yet sent (the durable outbox); --send sends them now, --drop ID drops one.
    Outbox(outbox::OutboxArgs),
    /// Fetch a remote's findings into its local read cache now and print what changed.
    Sync(sync::SyncArgs),
    /// Reopen suppressed findings whose suppression has expired (`update --expires`); for cron.
    Expire(expire::ExpireArgs),
    /// Automation rules (Security Hub's shape), applied to findings as they are imported.
    Rules(rules::RulesArgs),
    /// Recent bulk edits (who, when, what, how many); --undo ID puts one back.
    Log(log::LogArgs),
}

/// What a command ended with: success, or a failure already reported (exit code 1).
pub enum Outcome {
    Ok,
    Failed,
}

impl Global {
    /// `--store`, else the default store.
    fn store_path(&self) -> Result<PathBuf> {
        match &self.store {
            Some(p) => Ok(p.clone()),
            None => Ok(Store::default_path()?),
        }
    }

    /// The existing store, for commands that only read: a mistyped `--store` is reported (non-zero
    /// exit), never created.
    fn open(&self) -> Result<Store> {
        Ok(Store::open_existing(&self.store_path()?)?)
    }

    /// The store, created with its directory when there is none: for commands that write.
    fn open_or_create(&self) -> Result<Store> {
        Ok(Store::open(&self.store_path()?)?)
    }

    fn identity(&self) -> String {
        self.user
            .clone()
            .or_else(|| std::env::var("USER").ok())
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| "hubtriage".to_string())
    }

    fn caller(&self) -> Caller {
        Caller { account: self.account.clone(), identity: self.identity() }
    }
}

pub fn run(cli: Cli) -> Result<Outcome> {
    let g = &cli.global;
    match cli.command {
        Some(_) if cli.load_demo => anyhow::bail!("--load-demo is used alone: `hubtriage --load-demo`"),
        Some(_) if cli.remove_demo => anyhow::bail!("--remove-demo is used alone: `hubtriage --remove-demo`"),
        None if cli.remove_demo => demo::remove_demo(g, cli.yes),
        Some(Command::Outbox(args)) => outbox::outbox(&cli.remote, &args),
        Some(Command::Sync(args)) => sync::sync(&cli.remote, &args),
        // Before the remote flags are looked at: serve's own --region is also the remote flag's.
        Some(Command::Serve(args)) => serve::serve(g, args),
        Some(Command::Findings { query, format, limit, sort }) if cli.remote.is_given() => {
            remote::findings(g, &cli.remote, &query.join(" "), format, limit, &sort)
        }
        // An expiry is kept beside the local store's findings; a remote Security Hub has no such field.
        Some(Command::Update(args)) if cli.remote.is_given() && args.expires.is_some() => anyhow::bail!(
            "--expires works on the local store only: Security Hub has no suppression expiry, and the outbox \
             cannot reopen a remote finding later; suppress with a note saying until when instead"
        ),
        Some(Command::Update(args)) if cli.remote.is_given() => remote::update(g, &cli.remote, &args),
        Some(Command::History { id, product_arn }) if cli.remote.is_given() => {
            remote::history(&cli.remote, &id, product_arn.as_deref())
        }
        Some(Command::Simulate(args)) if cli.remote.is_given() => simulate::simulate_remote(&cli.remote, &args),
        Some(Command::Api { operation, input_json }) if cli.remote.is_given() => {
            remote::api(&cli.remote, &operation, input_json.as_deref())
        }
        Some(_) if cli.remote.is_given() => {
            anyhow::bail!(
                "--remote, --endpoint-url, --profile and --region work with the workbench (no command), sync, outbox, \
                 findings, update, history, api and simulate only"
            )
        }
        None if cli.remote.is_given() => workbench::remote(g, &cli.remote, cli.view.as_deref()),
        None if cli.demo => {
            let simulate = cli.simulate.then_some(cli.rate).map(|rate| match rate {
                Some(rate) => Ok(rate),
                None => simulate::parse_rate(demo::simulation::DEMO_RATE).map_err(anyhow::Error::msg),
            });
            workbench::workbench(g, true, cli.view.as_deref(), simulate.transpose()?)
        }
        None if cli.load_demo => workbench::load_demo(g),
        None if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() => {
            workbench::workbench(g, false, cli.view.as_deref(), None)
        }
        None => workbench::overview(g),
        Some(Command::Import { files }) => import::import(g, &files),
        Some(Command::Findings { query, format, limit, sort }) => {
            findings::findings(g, &query.join(" "), format, limit, &sort)
        }
        Some(Command::Update(args)) => update::update(g, &args),
        Some(Command::Api { operation, input_json }) => api::api_call(g, &operation, input_json.as_deref()),
        Some(Command::History { id, product_arn }) => history::history(g, &id, product_arn.as_deref()),
        Some(Command::Generate { count, seed, format, output, ocsf }) => {
            generate::gen(count, seed, format, output, ocsf)
        }
        Some(Command::Org { action }) => org::org(g, action),
        Some(Command::Expire(args)) => expire::expire(g, &args),
        Some(Command::Rules(args)) => rules::rules(g, &args),
        Some(Command::Log(args)) => log::log(g, &args),
        Some(Command::Simulate(args)) => simulate::simulate(g, &args),
    }
}
