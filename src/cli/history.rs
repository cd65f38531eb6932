//! `hubtriage history`: a finding's GetFindingHistory records, newest first.

use anyhow::{bail, Result};

use super::findings::cell;
use super::{Global, Outcome};
use crate::model::finding::FindingKey;
use crate::model::sanitize;
use crate::store::{HistoryRecord, HistoryRequest};

pub(super) fn history(g: &Global, id: &str, product_arn: Option<&str>) -> Result<Outcome> {
    let store = g.open()?;
    // A finding the caller (`--account`) may not see is not found, as for GetFindingHistory.
    let access = store.access(&g.caller())?;
    let key = match product_arn {
        Some(arn) => FindingKey::new(arn, id),
        None => {
            let keys = store.keys_for_id_as(&access, id)?;
            match keys.as_slice() {
                [] => bail!("no finding has Id {}", sanitize::line(id)),
                [k] => k.clone(),
                _ => bail!("{} products have a finding with Id {}; pass --product-arn", keys.len(), sanitize::line(id)),
            }
        }
    };
    let mut req = HistoryRequest::new(key.clone());
    println!("History of {} ({}), newest first:", sanitize::line(&key.id), sanitize::line(&key.product_arn));
    loop {
        let page = store.finding_history_as(&access, &req)?;
        print_records(&page.records);
        match page.next_token {
            Some(t) => req.next_token = Some(t),
            None => break,
        }
    }
    Ok(Outcome::Ok)
}

/// GetFindingHistory records as lines (the local store's and a remote's), every text sanitised.
pub(super) fn print_records(records: &[HistoryRecord]) {
    for r in records {
        let who = if r.is_service_change() {
            format!("Security Hub (automatic: {})", sanitize::line(r.reason.as_deref().unwrap_or("")))
        } else {
            format!("{} by {}", r.source, sanitize::line(&r.identity))
        };
        println!("{}  {}{}", r.time, who, if r.created { "  created" } else { "" });
        for u in &r.updates {
            let show =
                |v: &Option<String>| v.as_deref().map_or("(none)".to_string(), |s| cell(s, 60).trim_end().to_string());
            // Field names come from the provider's keys (`ProductFields.<key>`).
            println!("    {}: {} -> {}", sanitize::line(&u.field), show(&u.old), show(&u.new));
        }
    }
}
