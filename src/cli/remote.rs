//! What the commands that work against a remote share: the remote flags (`RemoteArgs`, as the
//! workbench's) resolved as the aws CLI does into a client on a runtime of its own, and the files
//! of that (endpoint, account, region) under the cache directory: the outbox and the read cache;
//! and `findings`, `update`, `history` and `api` on a remote (dispatched here from `cli::run` when
//! a remote flag is given, so that the local commands stay as they are).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{anyhow, bail, Result};
use serde_json::{json, Value};

use super::findings::OutputFormat;
use super::sync::sync_view;
use super::update::UpdateArgs;
use super::workbench::RemoteArgs;
use super::{Global, Outcome};
use crate::model::filter::Filters;
use crate::model::finding::{FindingId, FindingKey};
use crate::model::ocsf::Ocsf;
use crate::model::plan::CallPlan;
use crate::model::sanitize;
use crate::model::undo;
use crate::model::wire::get_findings::GetFindingsRequest;
use crate::model::wire::history::HistoryRequest;
use crate::remote::cache::{self, Cache, View};
use crate::remote::outbox::{self, Outbox, SendLock};
use crate::remote::{sender, Client, Environment, Operation, RemoteOptions};
use crate::store::Access;

/// A connected remote (credentials loaded; no call made yet): what every command on a remote
/// (`findings`, `update`, `history`, `api`, `sync`, `outbox`, `simulate`) starts from.
pub(super) struct Remote {
    pub runtime: tokio::runtime::Runtime,
    pub client: Client,
    /// The outbox file.
    pub outbox: PathBuf,
    /// The read cache file beside it.
    pub cache: PathBuf,
    /// Which finding APIs are read (`--api`).
    pub api: crate::remote::endpoint::Api,
}

impl Remote {
    pub fn connect(args: &RemoteArgs) -> Result<Remote> {
        let opts = RemoteOptions {
            profile: args.profile.clone(),
            region: args.region.clone(),
            endpoint_url: args.endpoint_url.clone(),
        };
        let env = Environment::process();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| anyhow!("cannot start the remote client's runtime: {e}"))?;
        let client = runtime.block_on(Client::connect(&opts, &env, args.client_config())).map_err(|e| anyhow!(e))?;
        let outbox = runtime.block_on(crate::remote::backend::outbox_path(&client, &env)).map_err(|e| anyhow!(e))?;
        let cache = cache::cache_path(&outbox);
        Ok(Remote { runtime, client, outbox, cache, api: args.api })
    }

    /// The endpoint and region, for messages.
    pub fn describe(&self) -> String {
        self.client.describe()
    }

    /// The outbox, opened for this endpoint, account and region (created if there is none).
    pub fn open_outbox(&self) -> Result<Outbox> {
        let account = self.runtime.block_on(self.client.account_key()).map_err(|e| anyhow!(e))?;
        Outbox::open(&self.outbox, &self.client.endpoint().url, &account, self.client.region()).map_err(|e| anyhow!(e))
    }

    pub fn open_cache(&self) -> Result<Cache> {
        Cache::open(&self.cache).map_err(|e| anyhow!(e))
    }
}

/// The view the cache mirrors (the console's default until a `sync` chose another).
fn cached_view(cache: &Cache) -> View {
    cache.state().ok().and_then(|s| s.view).and_then(|t| View::parse(&t).ok()).unwrap_or_else(View::default_view)
}

/// Refreshes the cache before a command reads it: a page or two when it is warm. Offline (or
/// refused), a cache synced before is read as it is, with a warning that says how old it is.
fn refresh(remote: &Remote, cache: &mut Cache) -> Result<()> {
    let synced_before = cache.state().ok().and_then(|s| s.finished_ms).is_some();
    let view = cached_view(cache);
    match sync_view(remote, cache, &view, false) {
        Ok(_) => Ok(()),
        Err(e) if synced_before => {
            eprintln!(
                "warning: the cache of {} was not refreshed ({}); reading it as {}",
                remote.describe(),
                sanitize::line(&e.to_string()),
                cache.staleness()
            );
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// `findings QUERY` on a remote: the read cache, refreshed first, queried as a local store is (the
/// same sort, limit and formats). A query that reaches past the cached view is said to.
pub(super) fn findings(
    g: &Global,
    top: &RemoteArgs,
    text: &str,
    format: OutputFormat,
    limit: Option<usize>,
    sort: &[String],
) -> Result<Outcome> {
    let remote = Remote::connect(top)?;
    let mut cache = remote.open_cache()?;
    refresh(&remote, &mut cache)?;
    let view = cached_view(&cache);
    if let Ok(q) = crate::query::parse(text) {
        if !view.covers(&q) {
            eprintln!(
                "note: the cache mirrors the view '{}' of {}; findings outside it are not listed \
                 (`hubtriage sync --all` mirrors every finding, `hubtriage sync QUERY` another view)",
                sanitize::line(&view.text),
                remote.describe()
            );
        }
    }
    drop(cache);
    let on_cache = Global { store: Some(remote.cache.clone()), account: None, user: g.user.clone() };
    // The cache may hold both formats (a `--api both` session filled it): `--api` says which are read.
    super::findings::findings_of(&on_cache, text, format, limit, sort, remote.api)
}

/// Refused findings listed by name; the rest are counted.
const LISTED: usize = 20;

/// `update` on a remote: the findings selected in the refreshed cache (or named by `--ids`), the
/// edit committed to the durable outbox (with what undo restores), written into the cached
/// documents, then sent now; what was sent and what is still queued is said. Another process
/// sending this outbox (the workbench) sends it instead.
pub(super) fn update(g: &Global, top: &RemoteArgs, a: &UpdateArgs) -> Result<Outcome> {
    let u = super::update::update_of(g, a)?;
    let remote = Remote::connect(top)?;
    let mut cache = remote.open_cache()?;
    // OCSF findings the query selects (not those in both forms: their ASFF row stands for them),
    // or the file names by metadata.uid.
    let mut ocsf: Vec<Value> = Vec::new();
    let mut named_uids: Vec<String> = Vec::new();
    let keys = match &a.ids {
        Some(file) => {
            refresh(&remote, &mut cache)?;
            let (keys, uids) = super::update::read_mixed_ids(&cache.store, &Access::Unrestricted, file)?;
            if !uids.is_empty() && !remote.api.v2() {
                bail!("{file}: names OCSF findings by metadata.uid, which --api v1 does not edit");
            }
            for uid in &uids {
                ocsf.extend(cache.store.get_ocsf_as(&Access::Unrestricted, uid)?);
            }
            named_uids = uids;
            keys
        }
        None => {
            if a.query.is_empty() {
                bail!("name the findings: a query (e.g. 'status:new product:guardduty') or --ids FILE");
            }
            let q = super::findings::parse_query(&a.query.join(" "))?;
            refresh(&remote, &mut cache)?;
            let words = |doc: &Value| q.matches_text(doc);
            let extra: Option<&(dyn Fn(&Value) -> bool + Sync)> = if q.text.is_empty() { None } else { Some(&words) };
            if remote.api.v2() {
                let words = |doc: &Value| q.matches_text(doc);
                let extra: Option<&dyn Fn(&Value) -> bool> = if q.text.is_empty() { None } else { Some(&words) };
                ocsf = cache.store.matching_ocsf_docs_as(&Access::Unrestricted, &q.filters, extra, true)?;
            }
            cache.store.matching_keys(&q.filters, &q.text, extra)?
        }
    };
    if keys.is_empty() && ocsf.is_empty() && named_uids.is_empty() {
        println!("No cached findings of {} match; nothing to update.", remote.describe());
        return Ok(Outcome::Ok);
    }
    let description = format!("Set {}", u.describe());
    // Named by the file (cached or not) or selected by the query.
    let mut uids: Vec<String> = named_uids.clone();
    uids.extend(ocsf.iter().map(|d| Ocsf(d).metadata_uid().to_string()).filter(|uid| !named_uids.contains(uid)));
    let ids: Vec<FindingId> =
        keys.iter().cloned().map(FindingId::Asff).chain(uids.iter().cloned().map(FindingId::Ocsf)).collect();
    let plan = CallPlan::new(u.clone(), ids);
    println!("{}", plan.preview(&description));
    if a.dry_run {
        println!("Dry run: nothing queued or sent.");
        return Ok(Outcome::Ok);
    }
    if !a.yes && !super::update::confirm(&format!("Apply to {}?", remote.describe()))? {
        println!("Cancelled; nothing changed.");
        return Ok(Outcome::Ok);
    }
    let mut previous = HashMap::new();
    let now = time::OffsetDateTime::now_utc();
    let mut edited = Vec::new();
    for k in &keys {
        if let Some(mut doc) = cache.store.get(k)? {
            previous.insert(k.clone(), undo::restore_for(&doc, &u));
            u.apply(&mut doc, now);
            edited.push(doc);
        }
    }
    // A finding in both forms is listed (and selected) as its ASFF row; its OCSF form is edited too,
    // as the local store does (`Store::ocsf_twin_as`).
    if remote.api.v2() {
        for k in &keys {
            if let Some(uid) = cache.store.ocsf_twin_as(&Access::Unrestricted, k)? {
                if let Some(doc) = cache.store.get_ocsf_as(&Access::Unrestricted, &uid)? {
                    ocsf.push(doc);
                }
            }
        }
    }
    for doc in &ocsf {
        let uid = Ocsf(doc).metadata_uid().to_string();
        if !uids.contains(&uid) {
            uids.push(uid);
        }
    }
    // OCSF findings' edits are queued beside them, marked V2 and keyed by metadata.uid, and sent
    // as BatchUpdateFindingsV2 calls (StatusId, SeverityId, Comment), with what undo restores, as
    // an ASFF finding's are.
    let v2 = u.to_v2();
    for doc in &mut ocsf {
        previous.insert(outbox::v2_key(Ocsf(doc).metadata_uid()), undo::restore_for(doc, &u));
        v2.apply(doc);
    }
    let mut queued_keys = keys.clone();
    queued_keys.extend(uids.iter().map(|uid| outbox::v2_key(uid)));
    let mut outbox = remote.open_outbox()?;
    let edit = outbox.enqueue(&queued_keys, &u, &previous).map_err(|e| anyhow!(e))?;
    // As the remote will hold them once sent: BatchUpdateFindings leaves UpdatedAt, so no refresh
    // would bring the change into the cache.
    let view = cached_view(&cache);
    cache.put_edited(edited, &view).map_err(|e| anyhow!(e))?;
    cache.put_edited_ocsf(ocsf, &view).map_err(|e| anyhow!(e))?;
    println!("Queued {} findings' edit {edit} in the outbox of {}.", queued_keys.len(), remote.describe());
    let Some(_sending) = SendLock::try_take(&remote.outbox).map_err(|e| anyhow!(e))? else {
        println!(
            "Another hubtriage process (the workbench?) is sending this outbox: it sends these edits \
             (`hubtriage outbox` shows what is left)."
        );
        return Ok(Outcome::Ok);
    };
    let outbox = Mutex::new(outbox);
    let started = Instant::now();
    let r = remote.runtime.block_on(sender::send_pass(&outbox, &remote.client, false, 0)).map_err(|e| anyhow!(e))?;
    let outbox = outbox.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    let (queued, refused) = outbox.edit_state(edit).map_err(|e| anyhow!(e))?;
    let all_queued = outbox.queued().map_err(|e| anyhow!(e))?;
    println!(
        "Sent {} findings' edits in {} calls, {:.2} s; {} refused; {queued} of this edit still \
         queued ({all_queued} in the outbox).",
        r.sent,
        r.calls,
        started.elapsed().as_secs_f64(),
        refused.len()
    );
    for f in refused.iter().take(LISTED) {
        println!("refused  {}  {}: {}", sanitize::line(&f.key.id), sanitize::line(&f.code), sanitize::line(&f.message));
    }
    if refused.len() > LISTED {
        println!("refused  ... and {} more (`hubtriage outbox`)", refused.len() - LISTED);
    }
    if let Some(why) = &r.stopped {
        println!(
            "Stopped: {}. The {all_queued} queued are kept and will be sent next time (`hubtriage outbox --send`, \
             or the workbench).",
            sanitize::line(why)
        );
    }
    Ok(if r.stopped.is_none() && refused.is_empty() && queued == 0 { Outcome::Ok } else { Outcome::Failed })
}

/// `history ID` on a remote: GetFindingHistory, the finding's ProductArn from `--product-arn`, the
/// cache, or else GetFindings by Id.
pub(super) fn history(top: &RemoteArgs, id: &str, product_arn: Option<&str>) -> Result<Outcome> {
    let remote = Remote::connect(top)?;
    let key = match product_arn {
        Some(arn) => FindingKey::new(arn, id),
        None => {
            let mut keys = match Cache::open_existing(&remote.cache).map_err(|e| anyhow!(e))? {
                Some(c) => c.store.keys_for_id(id)?,
                None => Vec::new(),
            };
            if keys.is_empty() {
                let filters = Filters::from_json(&json!({"Id": [{"Value": id, "Comparison": "EQUALS"}]}))
                    .map_err(|e| anyhow!("{e}"))?;
                let request = GetFindingsRequest { filters, ..Default::default() };
                remote
                    .runtime
                    .block_on(remote.client.get_all_findings(&request, |page| {
                        keys.extend(page.iter().filter_map(FindingKey::of));
                        true
                    }))
                    .map_err(|e| anyhow!(e))?;
            }
            match keys.as_slice() {
                [] => bail!("no finding has Id {} at {}", sanitize::line(id), remote.describe()),
                [k] => k.clone(),
                _ => bail!("{} products have a finding with Id {}; pass --product-arn", keys.len(), sanitize::line(id)),
            }
        }
    };
    let mut req = HistoryRequest::new(key.clone());
    println!("History of {} ({}), newest first:", sanitize::line(&key.id), sanitize::line(&key.product_arn));
    loop {
        let page = remote.runtime.block_on(remote.client.get_finding_history(&req)).map_err(|e| anyhow!(e))?;
        super::history::print_records(&page.records);
        match page.next_token {
            Some(t) => req.next_token = Some(t),
            None => return Ok(Outcome::Ok),
        }
    }
}

/// `api OPERATION` on a remote: the request JSON sent as it is, signed; the answer printed.
pub(super) fn api(top: &RemoteArgs, operation: &str, input_json: Option<&str>) -> Result<Outcome> {
    const SENT: [Operation; 4] = [
        Operation::GetFindings,
        Operation::BatchUpdateFindings,
        Operation::GetFindingHistory,
        Operation::BatchImportFindings,
    ];
    let name = crate::api::Operation::parse(operation).map(|o| o.name()).unwrap_or(operation);
    let op = SENT.into_iter().find(|o| o.name() == name).ok_or_else(|| {
        anyhow!(
            "{} is not sent to a remote; one of {}",
            sanitize::line(operation),
            SENT.iter().map(|o| o.name()).collect::<Vec<_>>().join(", ")
        )
    })?;
    let body: Value = match input_json {
        None => json!({}),
        Some(file) => {
            let bytes = crate::input::read_bytes(file)?;
            serde_json::from_slice(&bytes).map_err(|e| {
                anyhow!("{}:{}:{}: {}", crate::input::display_name(file), e.line(), e.column(), crate::input::clean(&e))
            })?
        }
    };
    let remote = Remote::connect(top)?;
    match remote.runtime.block_on(remote.client.call(op, &body)) {
        Ok(v) => {
            println!("{}", sanitize::json::to_string_pretty(&v)?);
            Ok(Outcome::Ok)
        }
        Err(e) => {
            eprintln!("An error occurred when calling the {} operation: {}", op.name(), sanitize::text(&e.to_string()));
            Ok(Outcome::Failed)
        }
    }
}
