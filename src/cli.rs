//! The `hubtriage` command line: argument parsing (clap) and each command's work over a store.
//! Commands print results on stdout, problems on stderr, and exit non-zero when anything failed.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::{json, Value};

use crate::api::{self, Operation};
use crate::generate::{self, GenOptions};
use crate::input::{self, ReadError};
use crate::model::enums::{SeverityLabel, VerificationState, WorkflowStatus};
use crate::model::finding::{FindingKey, Summary};
use crate::model::raw::Incoming;
use crate::model::sanitize;
use crate::model::timestamp;
use crate::model::update::{BatchUpdateRequest, FindingUpdate, NoteUpdate, SeverityUpdate, MAX_IDENTIFIERS};
use crate::query;
use crate::serve::limits::FaultSpec;
use crate::store::{
    Caller, HistoryRequest, ImportQueue, SortCriterion, Store, StoreError, MAX_IMPORT_BYTES, MAX_IMPORT_FINDINGS,
    SORT_FIELDS,
};

#[derive(Debug, Parser)]
#[command(name = "hubtriage", version, about = "Triage AWS Security Hub findings from the terminal")]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    /// Open the workbench on a throwaway store filled with the demo dataset.
    #[arg(long)]
    pub demo: bool,
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
    },
    /// Serve the store over Security Hub's HTTP API, for the aws CLI, boto3 and SDKs (--endpoint-url).
    #[command(after_long_help = SERVE_HELP)]
    Serve(ServeArgs),
    /// The demo access model: administrator and member accounts.
    Org {
        #[command(subcommand)]
        action: OrgAction,
    },
}

const SERVE_HELP: &str = "\
Operations: GetFindings (POST /findings), BatchImportFindings (POST /findings/import),
BatchUpdateFindings (PATCH /findings/batchupdate), GetFindingHistory (POST /findingHistory/get),
EnableSecurityHub / DescribeHub / DisableSecurityHub (POST / GET / DELETE /accounts).

Auth file (JSON):
  {\"Keys\": [{\"AccessKeyId\": \"AKIAADMIN\", \"SecretAccessKey\": \"...\", \"AccountId\": \"111111111111\",
             \"UserName\": \"alice\"}]}
Without --auth, requests are not verified and every caller is --account (default: administrator of
every account).

Fault SPEC: comma-separated items, each drawn independently per request (RATE a probability, default 1):
  latency=DURATION[@RATE]  delay the answer (200ms, 1s)
  error=500|503[@RATE]     answer InternalException (500) or ServiceUnavailableException (503)
  drop[@RATE]              close the connection without an answer
e.g. --fault latency=200ms@0.1,error=503@0.05,drop@0.01 --seed 42. Faults strike before the
operation runs: a failed call changed nothing.

Example:
  hubtriage serve &
  AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x aws securityhub get-findings \\
      --endpoint-url http://127.0.0.1:4566 --region us-east-1";

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 lets the OS choose (the bound address is printed).
    #[arg(long, default_value = "127.0.0.1:4566", value_name = "ADDR:PORT")]
    pub listen: std::net::SocketAddr,
    /// Access keys (JSON): verify every request's SigV4 signature and map each key to an account.
    /// Required to listen on a non-loopback address.
    #[arg(long, value_name = "FILE")]
    pub auth: Option<PathBuf>,
    /// Emulate Security Hub's published rate limits (429 LimitExceededException).
    #[arg(long, value_enum, value_name = "MODE")]
    pub throttle: Option<ThrottleMode>,
    /// Inject faults, e.g. latency=200ms@0.1,error=503@0.05,drop@0.01 (see below).
    #[arg(long, value_name = "SPEC", value_parser = parse_fault)]
    pub fault: Option<FaultSpec>,
    /// Seed of the fault draws, for reproducible runs.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ThrottleMode {
    /// BatchImportFindings/BatchUpdateFindings 10 TPS burst 30, GetFindings 3 TPS burst 6, per account
    Aws,
}

fn parse_fault(s: &str) -> Result<FaultSpec, String> {
    FaultSpec::parse(s)
}

#[derive(Debug, Subcommand)]
pub enum OrgAction {
    /// Make MEMBERS member accounts of ADMIN.
    Add { admin: String, members: Vec<String> },
    /// Remove a member account from its administrator.
    Remove { member: String },
    /// List the relations.
    Show,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum GenFormat {
    /// {"Findings": [...]}, compact
    Asff,
    /// one finding per line
    Jsonl,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Query selecting the findings (see `findings`).
    pub query: Vec<String>,
    /// File of identifiers: JSON [{"Id","ProductArn"}], or lines of "Id" or "ProductArn Id".
    #[arg(long, value_name = "FILE", conflicts_with = "query")]
    pub ids: Option<String>,
    #[arg(long, value_name = "STATUS", value_parser = parse_workflow)]
    pub workflow: Option<WorkflowStatus>,
    #[arg(long, value_name = "LABEL", value_parser = parse_severity)]
    pub severity: Option<SeverityLabel>,
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Note.UpdatedBy; default --user, else $USER.
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    #[arg(long, value_name = "STATE", value_parser = parse_verification)]
    pub verification: Option<VerificationState>,
    #[arg(long, value_parser = clap::value_parser!(i64).range(0..=100))]
    pub confidence: Option<i64>,
    #[arg(long, value_parser = clap::value_parser!(i64).range(0..=100))]
    pub criticality: Option<i64>,
    /// Replace Types (repeatable), e.g. "Effects/Data Exposure".
    #[arg(long = "type", value_name = "TYPE")]
    pub types: Vec<String>,
    /// Set a user-defined field KEY=VALUE (repeatable).
    #[arg(long = "field", value_name = "KEY=VALUE")]
    pub fields: Vec<String>,
    /// Show what would be sent, change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation.
    #[arg(long, short)]
    pub yes: bool,
}

fn parse_workflow(s: &str) -> Result<WorkflowStatus, String> {
    WorkflowStatus::parse(&s.to_ascii_uppercase())
        .ok_or_else(|| format!("expected one of {}", WorkflowStatus::allowed()))
}

fn parse_severity(s: &str) -> Result<SeverityLabel, String> {
    SeverityLabel::parse(&s.to_ascii_uppercase()).ok_or_else(|| format!("expected one of {}", SeverityLabel::allowed()))
}

fn parse_verification(s: &str) -> Result<VerificationState, String> {
    VerificationState::parse(&s.to_ascii_uppercase().replace('-', "_"))
        .ok_or_else(|| format!("expected one of {}", VerificationState::allowed()))
}

/// What a command ended with: success, or a failure already reported (exit code 1).
pub enum Outcome {
    Ok,
    Failed,
}

impl Global {
    fn open(&self) -> Result<Store> {
        let path = match &self.store {
            Some(p) => p.clone(),
            None => Store::default_path()?,
        };
        Ok(Store::open(&path)?)
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
        None if cli.demo => workbench(g, true),
        None if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() => workbench(g, false),
        None => overview(g),
        Some(Command::Import { files }) => import(g, &files),
        Some(Command::Findings { query, format, limit, sort }) => findings(g, &query.join(" "), format, limit, &sort),
        Some(Command::Update(args)) => update(g, &args),
        Some(Command::Api { operation, input_json }) => api_call(g, &operation, input_json.as_deref()),
        Some(Command::History { id, product_arn }) => history(g, &id, product_arn.as_deref()),
        Some(Command::Generate { count, seed, format, output }) => gen(count, seed, format, output),
        Some(Command::Org { action }) => org(g, action),
        Some(Command::Serve(args)) => serve(g, args),
    }
}

/// Without a command, on a terminal: the interactive workbench. `demo` uses a throwaway store in
/// the temp directory, filled with the demo dataset by the worker and removed on exit.
fn workbench(g: &Global, demo: bool) -> Result<Outcome> {
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
        (
            match &g.store {
                Some(p) => p.clone(),
                None => Store::default_path()?,
            },
            None,
        )
    };
    let backend = crate::backend::StoreBackend::open(&path, caller).map_err(|e| anyhow!(e))?;
    let result = crate::tui::run(Box::new(backend), config);
    if let Some(dir) = temp_dir {
        let _ = std::fs::remove_dir_all(dir);
    }
    result.map(|()| Outcome::Ok)
}

/// Without a command: the store at a glance. An empty default store is seeded with demo data so a
/// first run needs no AWS account. (The interactive workbench replaces this view.)
fn overview(g: &Global) -> Result<Outcome> {
    let mut store = g.open()?;
    if store.count()? == 0 {
        eprintln!(
            "The store {} is empty; loading the demo dataset (2,000 generated findings)...",
            store.path().display()
        );
        crate::backend::import_demo(&mut store)?;
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

fn default_sort() -> Vec<SortCriterion> {
    vec![
        SortCriterion { field: "SeverityLabel".into(), descending: true },
        SortCriterion { field: "UpdatedAt".into(), descending: true },
    ]
}

/// `FIELD[:asc|desc]` with FIELD a SortCriteria field name or a short alias (the aliases are the field
/// registry's, `model::filter::fields`).
pub fn parse_sort(spec: &str) -> Result<SortCriterion> {
    let (name, order) = spec.split_once(':').unwrap_or((spec, "asc"));
    let aliases = crate::model::filter::fields::cli_sort_aliases;
    let field = aliases()
        .find(|(a, _)| a.eq_ignore_ascii_case(name))
        .map(|(_, f)| f)
        .or_else(|| SORT_FIELDS.iter().find(|(f, _)| f.eq_ignore_ascii_case(name)).map(|(f, _)| *f))
        .ok_or_else(|| {
            anyhow!(
                "--sort {spec}: unknown field {name}; use one of {} or {}",
                aliases().map(|(a, _)| a).collect::<Vec<_>>().join(", "),
                SORT_FIELDS.iter().map(|(f, _)| *f).collect::<Vec<_>>().join(", ")
            )
        })?;
    let descending = match order.to_ascii_lowercase().as_str() {
        "asc" => false,
        "desc" => true,
        other => bail!("--sort {spec}: order {other} is not asc or desc"),
    };
    Ok(SortCriterion { field: field.to_string(), descending })
}

fn parse_query(text: &str) -> Result<query::Query> {
    query::parse(text).map_err(|e| {
        let caret = format!("{}^", " ".repeat(e.column.saturating_sub(1)));
        anyhow!("query error at {e}\n  {text}\n  {caret}")
    })
}

fn select(store: &Store, q: &query::Query, sort: &[SortCriterion], limit: Option<usize>) -> Result<Vec<Value>> {
    let words = |doc: &Value| q.matches_text(doc);
    let extra: Option<&dyn Fn(&Value) -> bool> = if q.text.is_empty() { None } else { Some(&words) };
    Ok(store.find_all(&q.filters, sort, limit, extra)?)
}

fn findings(g: &Global, text: &str, format: OutputFormat, limit: Option<usize>, sort: &[String]) -> Result<Outcome> {
    let q = parse_query(text)?;
    let sort =
        if sort.is_empty() { default_sort() } else { sort.iter().map(|s| parse_sort(s)).collect::<Result<_>>()? };
    let store = g.open()?;
    let found = select(&store, &q, &sort, limit)?;
    let mut out = std::io::stdout().lock();
    match format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &json!({"Findings": found}))?;
            writeln!(out)?;
        }
        OutputFormat::Csv => write_csv(&found, &mut out)?,
        OutputFormat::Table => {
            print_table(&found, &mut out)?;
            writeln!(out, "{} finding{}", found.len(), if found.len() == 1 { "" } else { "s" })?;
        }
    }
    Ok(Outcome::Ok)
}

fn age(updated: &str, now: time::OffsetDateTime) -> String {
    let Some(t) = timestamp::parse(updated) else { return "-".into() };
    let d = now - t;
    if d.whole_days() >= 1 {
        format!("{}d", d.whole_days())
    } else if d.whole_hours() >= 1 {
        format!("{}h", d.whole_hours())
    } else {
        format!("{}m", d.whole_minutes().max(0))
    }
}

fn cell(s: &str, width: usize) -> String {
    let clean = sanitize::line(s);
    let n = clean.chars().count();
    if n <= width {
        format!("{clean:<width$}")
    } else {
        let cut: String = clean.chars().take(width.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

fn short_resource(s: &Summary) -> String {
    let id = s.resource_id.rsplit(['/', ':']).next().unwrap_or(&s.resource_id);
    format!("{} {}", s.resource_type, id)
}

fn print_table(found: &[Value], out: &mut impl Write) -> Result<()> {
    let now = time::OffsetDateTime::now_utc();
    writeln!(
        out,
        "{:<13} {:<10} {:<12} {:<14} {:<12} {:<32} {:>4}  TITLE",
        "SEVERITY", "STATUS", "ACCOUNT", "REGION", "PRODUCT", "RESOURCE", "AGE"
    )?;
    for doc in found {
        let s = Summary::of(doc);
        writeln!(
            out,
            "{} {} {} {} {} {} {:>4}  {}",
            cell(s.severity_label.map_or("-", |l| l.as_str()), 13),
            cell(s.workflow_status.map_or("-", |w| w.as_str()), 10),
            cell(&s.aws_account_id, 12),
            cell(&s.region, 14),
            cell(&s.product_name, 12),
            cell(&short_resource(&s), 32),
            age(&s.updated_at, now),
            sanitize::line(&s.title)
        )?;
    }
    Ok(())
}

fn write_csv(found: &[Value], out: &mut impl Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "Id",
        "ProductArn",
        "SeverityLabel",
        "WorkflowStatus",
        "RecordState",
        "AwsAccountId",
        "Region",
        "ProductName",
        "ResourceType",
        "ResourceId",
        "ComplianceStatus",
        "SecurityControlId",
        "Title",
        "UpdatedAt",
    ])?;
    for doc in found {
        let s = Summary::of(doc);
        w.write_record([
            s.id.as_str(),
            &s.product_arn,
            s.severity_label.map_or("", |l| l.as_str()),
            s.workflow_status.map_or("", |l| l.as_str()),
            s.record_state.map_or("", |l| l.as_str()),
            &s.aws_account_id,
            &s.region,
            &s.product_name,
            &s.resource_type,
            &s.resource_id,
            s.compliance_status.map_or("", |l| l.as_str()),
            &s.control_id,
            &s.title,
            &s.updated_at,
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Splits a stream of findings into BatchImportFindings calls (at most 100 findings and 6 MB each)
/// and sends them, keeping per-file counts and failures.
struct Importer<'a> {
    queue: &'a mut ImportQueue,
    call: Vec<Incoming>,
    call_bytes: usize,
    call_exact: bool,
    /// Findings in each call sent, in order.
    sent: Vec<usize>,
}

impl Importer<'_> {
    fn push(&mut self, f: Incoming) -> Result<(), StoreError> {
        // call_bytes is at least the call's encoded size: a cheap bound of each finding's, until the
        // bound nears the 6 MB limit; from there on the call is measured exactly.
        let mut size = f.size_bound();
        if !self.call_exact && self.call_bytes + size > MAX_IMPORT_BYTES {
            self.call_bytes = self.call.iter().map(Incoming::exact_size).sum();
            self.call_exact = true;
        }
        if self.call_exact {
            size = f.exact_size();
        }
        if self.call.len() == MAX_IMPORT_FINDINGS
            || (!self.call.is_empty() && self.call_bytes + size > MAX_IMPORT_BYTES)
        {
            self.cut()?;
        }
        self.call_bytes += size;
        self.call.push(f);
        Ok(())
    }

    /// Sends the call being filled, if any, to the store's import thread.
    fn cut(&mut self) -> Result<(), StoreError> {
        if self.call.is_empty() {
            return Ok(());
        }
        let call = std::mem::replace(&mut self.call, Vec::with_capacity(MAX_IMPORT_FINDINGS));
        self.call_bytes = 0;
        self.call_exact = false;
        self.sent.push(call.len());
        self.queue.send(call)
    }
}

fn import(g: &Global, files: &[String]) -> Result<Outcome> {
    crate::alloc::tune_for_bulk_import();
    let mut store = g.open()?;
    let mut any_failed = false;
    let started = std::time::Instant::now();
    let mut total = 0usize;
    for file in files {
        let name = input::display_name(file);
        let bytes = match input::read_bytes(file) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{e}");
                any_failed = true;
                continue;
            }
        };
        // The file is parsed on this thread while the store imports the calls already cut, on another.
        let ((read, sent), results) = store.import_pipelined(&g.caller(), |queue| {
            let mut imp = Importer { queue, call: Vec::new(), call_bytes: 0, call_exact: false, sent: Vec::new() };
            let read = input::for_each_finding(&name, &bytes, |f| imp.push(f));
            // Whatever parsed before an error is still imported: nothing already read is lost.
            let finished = imp.cut();
            (finished.map(|()| read), imp.sent)
        })?;
        // A send fails only once the import has stopped on a store error, which import_pipelined returned.
        let read_error = match read? {
            Ok(()) => None,
            Err(ReadError::Input(e)) => Some(e.to_string()),
            Err(ReadError::Sink(e)) => return Err(e.into()),
        };
        let (mut ok, mut failed, mut first) = (0usize, Vec::new(), 0usize);
        for (result, n) in results.into_iter().zip(sent) {
            match result {
                Ok(r) => {
                    ok += r.success_count;
                    failed.extend(
                        // Validation messages quote the provider's values: sanitised, as every
                        // third-party text printed to a terminal.
                        r.failed
                            .iter()
                            .map(|f| format!("{}: {}: {}", sanitize::line(&f.id), f.code, sanitize::line(&f.message))),
                    );
                }
                // A call refused whole (a lone finding over 6 MB): its findings failed, not the file.
                Err(StoreError::InvalidInput(m)) => {
                    failed.push(format!("findings {}..{}: {}", first + 1, first + n, sanitize::line(&m)))
                }
                Err(e) => return Err(e.into()),
            }
            first += n;
        }
        total += ok;
        println!("{name}: {ok} imported, {} failed", failed.len());
        for f in &failed {
            println!("  failed {f}");
        }
        if let Some(e) = read_error {
            eprintln!("{}", sanitize::text(&e));
            eprintln!("  (the {ok} findings read before this point were imported)");
            any_failed = true;
        }
        any_failed |= !failed.is_empty();
    }
    let secs = started.elapsed().as_secs_f64();
    if files.len() > 1 || total >= 10_000 {
        println!("total: {total} imported in {secs:.1} s ({:.0} findings/s)", total as f64 / secs.max(1e-9));
    }
    Ok(if any_failed { Outcome::Failed } else { Outcome::Ok })
}

fn read_ids(store: &Store, file: &str) -> Result<Vec<FindingKey>> {
    let bytes = input::read_bytes(file)?;
    let text = std::str::from_utf8(&bytes).with_context(|| format!("{file}: not UTF-8 text"))?;
    if text.trim_start().starts_with('[') || text.trim_start().starts_with('{') {
        let v: Value = serde_json::from_str(text).map_err(|e| anyhow!("{file}:{}:{}: {e}", e.line(), e.column()))?;
        let list = v.get("FindingIdentifiers").unwrap_or(&v);
        let list =
            list.as_array().ok_or_else(|| anyhow!("{file}: expected a JSON list of {{\"Id\", \"ProductArn\"}}"))?;
        return list
            .iter()
            .enumerate()
            .map(|(i, x)| FindingKey::of(x).ok_or_else(|| anyhow!("{file}: item {i} needs Id and ProductArn strings")))
            .collect();
    }
    let mut keys = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_once(char::is_whitespace) {
            Some((arn, id)) if arn.contains(":product/") => keys.push(FindingKey::new(arn, id.trim())),
            _ => {
                let found = store.keys_for_id(line)?;
                match found.len() {
                    0 => bail!("{file}:{}: no finding has Id {line}", n + 1),
                    1 => keys.extend(found),
                    k => bail!("{file}:{}: {k} products have a finding with Id {line}; write \"ProductArn Id\"", n + 1),
                }
            }
        }
    }
    Ok(keys)
}

fn confirm(prompt: &str) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        bail!("{prompt}: refusing to apply without confirmation; pass --yes (or --dry-run to preview)");
    }
    eprint!("{prompt} [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

fn update(g: &Global, a: &UpdateArgs) -> Result<Outcome> {
    let mut u = FindingUpdate {
        workflow_status: a.workflow,
        verification_state: a.verification,
        confidence: a.confidence,
        criticality: a.criticality,
        severity: a.severity.map(|l| SeverityUpdate { label: Some(l), ..Default::default() }),
        ..Default::default()
    };
    if let Some(text) = &a.note {
        u.note = Some(NoteUpdate { text: text.clone(), updated_by: a.by.clone().unwrap_or_else(|| g.identity()) });
    }
    if !a.types.is_empty() {
        u.types = Some(a.types.clone());
    }
    if !a.fields.is_empty() {
        let pairs = a
            .fields
            .iter()
            .map(|f| {
                f.split_once('=')
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .ok_or_else(|| anyhow!("--field {f}: expected KEY=VALUE"))
            })
            .collect::<Result<Vec<_>>>()?;
        u.user_defined_fields = Some(pairs);
    }
    if u.is_empty() {
        bail!("nothing to update: give at least one of --workflow, --severity, --note, --verification, --confidence, --criticality, --type, --field");
    }
    // Validate once, with the service's own rules, before touching anything.
    let probe = BatchUpdateRequest { identifiers: vec![FindingKey::new("p", "i")], update: u.clone() };
    BatchUpdateRequest::from_json(&probe.to_json()).map_err(|e| anyhow!("invalid update: {e}"))?;

    let mut store = g.open()?;
    let keys = match &a.ids {
        Some(file) => read_ids(&store, file)?,
        None => {
            if a.query.is_empty() {
                bail!("name the findings: a query (e.g. 'status:new product:guardduty') or --ids FILE");
            }
            let q = parse_query(&a.query.join(" "))?;
            select(&store, &q, &default_sort(), None)?.iter().filter_map(FindingKey::of).collect()
        }
    };
    if keys.is_empty() {
        println!("No findings match; nothing to update.");
        return Ok(Outcome::Ok);
    }
    let calls = keys.len().div_ceil(MAX_IDENTIFIERS);
    let plan = format!(
        "Set {} on {} finding{}: {} BatchUpdateFindings call{}",
        u.describe(),
        keys.len(),
        if keys.len() == 1 { "" } else { "s" },
        calls,
        if calls == 1 { "" } else { "s" }
    );
    println!("{plan}");
    if a.dry_run {
        let first = BatchUpdateRequest { identifiers: keys.iter().take(MAX_IDENTIFIERS).cloned().collect(), update: u };
        println!("First call's request (dry run, nothing sent):\n{}", serde_json::to_string_pretty(&first.to_json())?);
        return Ok(Outcome::Ok);
    }
    if !a.yes && !confirm("Apply?")? {
        println!("Cancelled; nothing changed.");
        return Ok(Outcome::Ok);
    }
    let caller = g.caller();
    let (mut processed, mut unprocessed) = (0usize, Vec::new());
    for chunk in keys.chunks(MAX_IDENTIFIERS) {
        let req = BatchUpdateRequest { identifiers: chunk.to_vec(), update: u.clone() };
        let r = store.batch_update(&caller, &req)?;
        processed += r.processed.len();
        unprocessed.extend(r.unprocessed);
    }
    println!("{processed} processed, {} unprocessed", unprocessed.len());
    for x in &unprocessed {
        println!(
            "  {} ({}): {}: {}",
            sanitize::line(&x.key.id),
            sanitize::line(&x.key.product_arn),
            x.code,
            sanitize::line(&x.message)
        );
    }
    Ok(if unprocessed.is_empty() { Outcome::Ok } else { Outcome::Failed })
}

fn api_call(g: &Global, operation: &str, input_json: Option<&str>) -> Result<Outcome> {
    let op = Operation::parse(operation).ok_or_else(|| {
        anyhow!(
            "unknown operation {operation}; supported: {}",
            Operation::ALL.iter().map(|o| o.name()).collect::<Vec<_>>().join(", ")
        )
    })?;
    let input: Value = match input_json {
        None => json!({}),
        Some(file) => {
            let bytes = input::read_bytes(file)?;
            serde_json::from_slice(&bytes)
                .map_err(|e| anyhow!("{}:{}:{}: {e}", input::display_name(file), e.line(), e.column()))?
        }
    };
    let mut store = g.open()?;
    match api::call(&mut store, &g.caller(), op, &input) {
        Ok(v) => {
            println!("{}", serde_json::to_string_pretty(&v)?);
            Ok(Outcome::Ok)
        }
        Err(e) => {
            eprintln!(
                "An error occurred ({}) when calling the {} operation: {}",
                e.code,
                op.name(),
                sanitize::text(&e.message)
            );
            println!("{}", serde_json::to_string_pretty(&e.to_json())?);
            Ok(Outcome::Failed)
        }
    }
}

fn history(g: &Global, id: &str, product_arn: Option<&str>) -> Result<Outcome> {
    let store = g.open()?;
    let key = match product_arn {
        Some(arn) => FindingKey::new(arn, id),
        None => {
            let keys = store.keys_for_id(id)?;
            match keys.as_slice() {
                [] => bail!("no finding has Id {id}"),
                [k] => k.clone(),
                _ => bail!("{} products have a finding with Id {id}; pass --product-arn", keys.len()),
            }
        }
    };
    let mut req = HistoryRequest::new(key.clone());
    println!("History of {} ({}), newest first:", sanitize::line(&key.id), sanitize::line(&key.product_arn));
    loop {
        let page = store.finding_history(&req)?;
        for r in &page.records {
            let who = if r.is_service_change() {
                format!("Security Hub (automatic: {})", sanitize::line(r.reason.as_deref().unwrap_or("")))
            } else {
                format!("{} by {}", r.source, sanitize::line(&r.identity))
            };
            println!("{}  {}{}", r.time, who, if r.created { "  created" } else { "" });
            for u in &r.updates {
                let show = |v: &Option<String>| {
                    v.as_deref().map_or("(none)".to_string(), |s| cell(s, 60).trim_end().to_string())
                };
                // Field names come from the provider's keys (`ProductFields.<key>`).
                println!("    {}: {} -> {}", sanitize::line(&u.field), show(&u.old), show(&u.new));
            }
        }
        match page.next_token {
            Some(t) => req.next_token = Some(t),
            None => break,
        }
    }
    Ok(Outcome::Ok)
}

fn gen(count: usize, seed: u64, format: GenFormat, output: Option<PathBuf>) -> Result<Outcome> {
    let opts = GenOptions { count, seed, ..GenOptions::default() };
    let sink: Box<dyn Write> = match &output {
        Some(p) => Box::new(std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = std::io::BufWriter::new(sink);
    match format {
        GenFormat::Asff => {
            w.write_all(b"{\"Findings\":[")?;
            for (i, f) in generate::generate(&opts).enumerate() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                serde_json::to_writer(&mut w, &f)?;
            }
            w.write_all(b"]}\n")?;
        }
        GenFormat::Jsonl => {
            for f in generate::generate(&opts) {
                serde_json::to_writer(&mut w, &f)?;
                w.write_all(b"\n")?;
            }
        }
    }
    w.flush()?;
    Ok(Outcome::Ok)
}

fn serve(g: &Global, args: ServeArgs) -> Result<Outcome> {
    let store = match &g.store {
        Some(p) => p.clone(),
        None => Store::default_path()?,
    };
    crate::serve::run(crate::serve::ServeOptions {
        listen: args.listen,
        store,
        auth: args.auth,
        throttle: args.throttle == Some(ThrottleMode::Aws),
        fault: args.fault.unwrap_or_default(),
        seed: args.seed,
        default_caller: g.caller(),
    })?;
    Ok(Outcome::Ok)
}

fn org(g: &Global, action: OrgAction) -> Result<Outcome> {
    let mut store = g.open()?;
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
