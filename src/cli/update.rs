//! `hubtriage update`: select findings by a query or a file of identifiers, preview the
//! BatchUpdateFindings and BatchUpdateFindingsV2 calls, confirm, and send them.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{anyhow, bail, Context, Result};
use clap::Args;
use serde_json::Value;

use super::findings::parse_query;
use super::{Global, Outcome};
use crate::input;
use crate::model::enums::{SeverityLabel, VerificationState, WorkflowStatus};
use crate::model::finding::FindingId;
use crate::model::finding::FindingKey;
use crate::model::plan::CallPlan;
use crate::model::sanitize;
use crate::model::timestamp;
use crate::model::update::{FindingUpdate, NoteUpdate, SeverityUpdate};
use crate::model::wire::batch_update_v2::{BatchUpdateV2Request, V2Targets};
use crate::store::expiry::{parse_expiry, SetExpiry};
use crate::store::{Access, Store};

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Query selecting the findings (see `findings`).
    pub query: Vec<String>,
    /// File of identifiers: JSON [{"Id","ProductArn"} or {"MetadataUid"}], or lines of "Id",
    /// "ProductArn Id" or an OCSF metadata.uid (OCSF ones are updated with BatchUpdateFindingsV2).
    #[arg(long, value_name = "FILE", conflicts_with = "query")]
    pub ids: Option<String>,
    #[arg(long, value_name = "STATUS", value_parser = parse_workflow)]
    pub workflow: Option<WorkflowStatus>,
    #[arg(long, value_name = "LABEL", value_parser = parse_severity)]
    pub severity: Option<SeverityLabel>,
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// The note's author (Note.UpdatedBy); default --user, else $USER. History always names --user.
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
    /// With --workflow suppressed: reopen the findings (back to NEW, with a note saying why) when
    /// this passes, at the next `hubtriage expire`: a span (30d, 2w, 12h) or an RFC 3339 time.
    #[arg(long, value_name = "WHEN")]
    pub expires: Option<String>,
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

/// The identifiers in `file` for `update` (local, and on a remote's cache), each for its own API:
/// ASFF keys (JSON `{"Id", "ProductArn"}` items or `FindingIdentifiers`, or lines of "ProductArn
/// Id") and OCSF `metadata.uid` values. JSON items may be `{"MetadataUid"}`, and
/// an object may hold `MetadataUids` beside `FindingIdentifiers`; a line of an identifier alone is
/// an ASFF `Id` or an OCSF `metadata.uid`, whichever the store has.
pub(super) fn read_mixed_ids(store: &Store, access: &Access, file: &str) -> Result<(Vec<FindingKey>, Vec<String>)> {
    let bytes = input::read_bytes(file)?;
    let text = std::str::from_utf8(&bytes).with_context(|| format!("{file}: not UTF-8 text"))?;
    let (mut keys, mut uids) = (Vec::new(), Vec::new());
    if text.trim_start().starts_with('[') || text.trim_start().starts_with('{') {
        let v: Value = serde_json::from_str(text)
            .map_err(|e| anyhow!("{file}:{}:{}: {}", e.line(), e.column(), crate::input::clean(&e)))?;
        let list = v.get("FindingIdentifiers").or_else(|| v.is_array().then_some(&v));
        let listed = v.get("MetadataUids").and_then(Value::as_array);
        if list.is_none() && listed.is_none() {
            bail!("{file}: expected a JSON list of {{\"Id\", \"ProductArn\"}} or {{\"MetadataUid\"}}");
        }
        let list = match list {
            Some(l) => l.as_array().ok_or_else(|| anyhow!("{file}: FindingIdentifiers should be a list"))?.as_slice(),
            None => &[],
        };
        for (i, x) in list.iter().enumerate() {
            match (FindingKey::of(x), x.get("MetadataUid").and_then(Value::as_str)) {
                (Some(k), _) => keys.push(k),
                (None, Some(uid)) => uids.push(uid.to_string()),
                (None, None) => bail!("{file}: item {i} needs Id and ProductArn strings, or a MetadataUid string"),
            }
        }
        for (i, uid) in listed.into_iter().flatten().enumerate() {
            let uid = uid.as_str().ok_or_else(|| anyhow!("{file}: MetadataUids[{i}] should be a string"))?;
            uids.push(uid.to_string());
        }
        return Ok((keys, uids));
    }
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some((arn, id)) = line.split_once(char::is_whitespace).filter(|(arn, _)| arn.contains(":product/")) {
            keys.push(FindingKey::new(arn, id.trim()));
            continue;
        }
        let at = format!("{}:{}", sanitize::line(file), n + 1);
        let found = store.findings_named_as(access, line)?;
        let asff = found.iter().filter(|f| matches!(f, FindingId::Asff(_))).count();
        match (found.as_slice(), asff) {
            ([], _) => bail!("{at}: no finding has Id or metadata.uid {}", sanitize::line(line)),
            ([FindingId::Asff(k)], _) => keys.push(k.clone()),
            ([FindingId::Ocsf(uid)], _) => uids.push(uid.clone()),
            (_, a) if a == found.len() => {
                bail!("{at}: {a} products have a finding with Id {}; write \"ProductArn Id\"", sanitize::line(line))
            }
            _ => bail!(
                "{at}: {} is both an ASFF Id and an OCSF metadata.uid; write \"ProductArn Id\" for the ASFF one",
                sanitize::line(line)
            ),
        }
    }
    Ok((keys, uids))
}

pub(super) fn confirm(prompt: &str) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        bail!("{prompt}: refusing to apply without confirmation; pass --yes (or --dry-run to preview)");
    }
    eprint!("{prompt} [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

/// The update the flags ask for, checked with the service's own rules before anything is touched
/// (the local `update` and the remote one both start here).
pub(super) fn update_of(g: &Global, a: &UpdateArgs) -> Result<FindingUpdate> {
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
    // The workbench's rule holds here too (config.toml: suppress_reason_required): a suppression says why.
    let blank_note = u.note.as_ref().is_none_or(|n| n.text.trim().is_empty());
    if u.workflow_status == Some(WorkflowStatus::Suppressed) && blank_note {
        let settings = crate::tui::Settings::load(crate::tui::Settings::file().as_deref())?;
        if settings.suppress_reason_required {
            bail!("a reason is required to suppress (config: suppress_reason_required): pass --note REASON");
        }
    }
    if u.is_empty() {
        bail!("nothing to update: give at least one of --workflow, --severity, --note, --verification, --confidence, --criticality, --type, --field");
    }
    u.validate().map_err(|e| anyhow!("invalid update: {e}"))?;
    Ok(u)
}

/// The expiry `--expires` asks for, checked before anything is touched: only a suppression expires.
fn expiry_of(g: &Global, a: &UpdateArgs, u: &FindingUpdate, store: &Store) -> Result<Option<SetExpiry>> {
    let Some(text) = &a.expires else { return Ok(None) };
    if u.workflow_status != Some(WorkflowStatus::Suppressed) {
        bail!("--expires times a suppression: use it with --workflow suppressed");
    }
    let expires = parse_expiry(text, store.now()).map_err(|e| anyhow!("--expires: {e}"))?;
    let reason = u.note.as_ref().map(|n| n.text.clone()).unwrap_or_default();
    Ok(Some(SetExpiry { expires, set_by: g.identity(), reason }))
}

pub(super) fn update(g: &Global, a: &UpdateArgs) -> Result<Outcome> {
    let u = update_of(g, a)?;

    let mut store = g.open_or_create()?;
    let expiry = expiry_of(g, a, &u, &store)?;
    // Only what the caller may see is selected (and previewed), as only that can be updated.
    let access = store.access(&g.caller())?;
    // The OCSF (Security Hub V2) findings a query selects, updated with BatchUpdateFindingsV2.
    let (keys, mut uids) = match &a.ids {
        Some(file) => read_mixed_ids(&store, &access, file)?,
        None => {
            if a.query.is_empty() {
                bail!("name the findings: a query (e.g. 'status:new product:guardduty') or --ids FILE");
            }
            let q = parse_query(&a.query.join(" "))?;
            // Keys only, in storage order: the calls' order does not matter, and no document is
            // kept or sorted however many match.
            let words = |doc: &Value| q.matches_text(doc);
            let extra: Option<&(dyn Fn(&Value) -> bool + Sync)> = if q.text.is_empty() { None } else { Some(&words) };
            let keys = store.matching_keys_as(&access, &q.filters, &q.text, extra)?;
            for row in store.take_unreadable() {
                eprintln!("warning: {row}");
            }
            let ocsf_extra: Option<&dyn Fn(&Value) -> bool> = if q.text.is_empty() { None } else { Some(&words) };
            let uids = store.matching_ocsf_as(&access, &q.filters, ocsf_extra)?;
            (keys, uids)
        }
    };
    if keys.is_empty() && uids.is_empty() {
        println!("No findings match; nothing to update.");
        return Ok(Outcome::Ok);
    }
    let mut description = format!("Set {}", u.describe());
    if let Some(e) = &expiry {
        description.push_str(&format!(" (suppression expires {})", timestamp::format(e.expires)));
    }
    // Previewed as both kinds of call; sent as BatchUpdateFindings requests and V2 requests.
    let ids: Vec<FindingId> =
        keys.iter().cloned().map(FindingId::Asff).chain(uids.iter().cloned().map(FindingId::Ocsf)).collect();
    println!("{}", CallPlan::new(u.clone(), ids).preview(&description));
    let v2 = u.to_v2();
    // A finding stored in both forms (`model::ocsf::same`) is selected once, by its ASFF key; the
    // edit goes to its OCSF form too, in the BatchUpdateFindingsV2 calls.
    let mut twins = Vec::new();
    for k in &keys {
        twins.extend(store.ocsf_twin_as(&access, k)?.filter(|t| !uids.contains(t)));
    }
    if !twins.is_empty() && !v2.is_empty() {
        let calls = (uids.len() + twins.len()).div_ceil(crate::model::update::MAX_IDENTIFIERS)
            - uids.len().div_ceil(crate::model::update::MAX_IDENTIFIERS);
        let how = match calls {
            0 => "in the same BatchUpdateFindingsV2 calls".to_string(),
            1 => "in 1 more BatchUpdateFindingsV2 call".to_string(),
            n => format!("in {n} more BatchUpdateFindingsV2 calls"),
        };
        println!("{} of them are also stored in OCSF form, updated too ({how})", twins.len());
        uids.extend(twins);
    }
    let plan = CallPlan::new(u, keys);
    if a.dry_run {
        if let Some(first) = plan.requests().next() {
            println!(
                "First call's request (dry run, nothing sent):\n{}",
                sanitize::json::to_string_pretty(&first.to_json())?
            );
        }
        return Ok(Outcome::Ok);
    }
    if !a.yes && !confirm("Apply?")? {
        println!("Cancelled; nothing changed.");
        return Ok(Outcome::Ok);
    }
    let caller = g.caller();
    let (mut processed, mut unprocessed) = (0usize, Vec::new());
    if expiry.is_some() && !uids.is_empty() {
        println!(
            "{} OCSF findings are suppressed without an expiry: time-boxed suppression is kept for ASFF findings",
            uids.len()
        );
    }
    // The OCSF findings, in BatchUpdateFindingsV2 calls of 100; an edit V2 has no member for
    // leaves them as they are, said so.
    let v2_requests: Vec<BatchUpdateV2Request> = if !uids.is_empty() && v2.is_empty() {
        println!(
            "{} OCSF findings left as they are: BatchUpdateFindingsV2 cannot set {}",
            uids.len(),
            plan_dropped(&plan)
        );
        Vec::new()
    } else {
        uids.chunks(crate::model::update::MAX_IDENTIFIERS)
            .map(|chunk| BatchUpdateV2Request { targets: V2Targets::MetadataUids(chunk.to_vec()), update: v2.clone() })
            .collect()
    };
    // The calls of 100 of both APIs are each answered as a call, and committed together: all land
    // or none does. Logged as one bulk edit of both formats (`hubtriage log`), so it can be undone
    // after this command ends.
    let requests: Vec<_> = plan.requests().collect();
    let answers = store.batch_updates_both_logged(&caller, &requests, &v2_requests, expiry.as_ref(), &description)?;
    for r in answers.asff {
        processed += r.processed.len();
        unprocessed.extend(r.unprocessed.into_iter().map(|x| {
            (format!("{} ({})", sanitize::line(&x.key.id), sanitize::line(&x.key.product_arn)), x.code, x.message)
        }));
    }
    for r in answers.v2 {
        processed += r.processed.len();
        unprocessed.extend(r.unprocessed.into_iter().map(|x| {
            let uid = x.finding.metadata_uid.unwrap_or_default();
            (sanitize::line(&uid).into_owned(), x.error_code.as_str().to_string(), x.error_message)
        }));
    }
    println!("{processed} processed, {} unprocessed", unprocessed.len());
    for (who, code, message) in &unprocessed {
        println!("  {who}: {code}: {}", sanitize::line(message));
    }
    Ok(if unprocessed.is_empty() { Outcome::Ok } else { Outcome::Failed })
}

/// What of the plan's update BatchUpdateFindingsV2 has no member for.
fn plan_dropped(plan: &CallPlan<FindingKey>) -> String {
    plan.groups().first().map(|(u, _)| u.v2_dropped().join(", ")).unwrap_or_default()
}
