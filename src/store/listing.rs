//! Read-only listing for the workbench: every finding's summary columns in one streaming SELECT,
//! without touching the ASFF documents, so 100,000 rows load in one pass and a few tens of
//! megabytes. OCSF rows (`format = 'ocsf'`) are listed beside them; their own severity, status and
//! class (`OcsfLabels`, which the columns do not hold) are read from their document. A finding
//! stored in both forms is listed once, as its ASFF row (`model::ocsf::same`).

use rusqlite::Row;

use super::codec::Codec;
use super::query::visible;
use super::rows::decompress;
use super::{Access, Result, Store};
use crate::model::finding::FindingId;
use crate::model::summary::{FindingSummary, SummaryColumns};

const COLUMNS: &str = "product_arn, id, product_name, aws_account_id, region, title, severity_label, workflow_status, \
    record_state, verification_state, compliance_status, control_id, resource_type, resource_id, updated_at, \
    updated_ns, confidence, criticality, format, CASE WHEN format = 'ocsf' THEN doc END, finding_uid";

/// One row's summary columns as stored (raw text: `FindingSummary::from_columns` sanitises them).
fn listed(codec: &Codec, r: &Row<'_>) -> Result<SummaryColumns> {
    let ocsf = r.get_ref(18)?.as_str().is_ok_and(|f| f == "ocsf");
    let key = if ocsf {
        FindingId::Ocsf(r.get::<_, String>(1)?)
    } else {
        FindingId::asff(r.get::<_, String>(0)?, r.get::<_, String>(1)?)
    };
    // A row whose document cannot be read still lists, with the labels its columns hold.
    let labels = match r.get_ref(19)?.as_blob_or_null().ok().flatten() {
        Some(blob) if ocsf => decompress(codec, blob).ok().and_then(|doc| FindingSummary::from_ocsf(&doc).ocsf),
        _ => None,
    };
    Ok(SummaryColumns {
        key,
        ocsf: labels,
        product_name: r.get(2)?,
        aws_account_id: r.get(3)?,
        region: r.get(4)?,
        title: r.get(5)?,
        severity_label: r.get(6)?,
        workflow_status: r.get(7)?,
        record_state: r.get(8)?,
        verification_state: r.get(9)?,
        compliance_status: r.get(10)?,
        control_id: r.get(11)?,
        resource_type: r.get(12)?,
        resource_id: r.get(13)?,
        updated_at: r.get(14)?,
        updated_ns: r.get(15)?,
        confidence: r.get(16)?,
        criticality: r.get(17)?,
    })
}

impl Store {
    /// Streams every finding's summary, most severe and most recently updated first, to `sink`.
    /// `sink` returns `false` to stop early. Walking the severity index lets the first (most severe)
    /// rows arrive before the whole table has been read.
    pub fn for_each_listed(&self, sink: impl FnMut(SummaryColumns) -> bool) -> Result<()> {
        self.for_each_listed_as(&Access::Unrestricted, sink)
    }

    /// How many findings `for_each_listed_as` lists for `access`: a finding stored in both forms
    /// counts once, as it lists once (the workbench shows this count beside the list).
    pub fn listed_count_as(&self, access: &Access) -> Result<u64> {
        let (cond, params) = match visible(access) {
            Some((cond, params)) => (format!(" AND {cond}"), params),
            None => (String::new(), Vec::new()),
        };
        let sql = format!("SELECT count(*) FROM findings WHERE format IN ('asff', 'ocsf'){cond}");
        let all: u64 = self.conn().query_row(&sql, rusqlite::params_from_iter(params.iter()), |r| r.get(0))?;
        let sql = format!("SELECT finding_uid, product_arn FROM findings WHERE format = 'ocsf'{cond}");
        let mut stmt = self.conn().prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        let mut twins = 0;
        while let Some(row) = rows.next()? {
            let (uid, product) = (row.get::<_, Option<String>>(0)?.unwrap_or_default(), row.get::<_, String>(1)?);
            twins += u64::from(self.has_asff_twin(access, &uid, &product)?);
        }
        Ok(all.saturating_sub(twins))
    }

    /// `for_each_listed` over the findings `access` may see.
    pub fn for_each_listed_as(&self, access: &Access, mut sink: impl FnMut(SummaryColumns) -> bool) -> Result<()> {
        let (cond, params) = match visible(access) {
            Some((cond, params)) => (format!(" AND {cond}"), params),
            None => (String::new(), Vec::new()),
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM findings WHERE format IN ('asff', 'ocsf'){cond} \
             ORDER BY severity_rank DESC, updated_ns DESC, rowid"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        while let Some(row) = rows.next()? {
            // A finding stored in both forms (`model::ocsf::same`) is listed once, as its ASFF row.
            let ocsf = row.get_ref(18)?.as_str().is_ok_and(|f| f == "ocsf");
            if ocsf
                && self.has_asff_twin(
                    access,
                    &row.get::<_, Option<String>>(20)?.unwrap_or_default(),
                    &row.get::<_, String>(0)?,
                )?
            {
                continue;
            }
            if !sink(listed(&self.codec, row)?) {
                break;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{generate, GenOptions};
    use crate::store::Caller;

    #[test]
    fn lists_every_finding_most_severe_first() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("s.db")).unwrap();
        let docs: Vec<_> = generate(&GenOptions { count: 150, ..GenOptions::default() }).collect();
        for chunk in docs.chunks(100) {
            store.batch_import(&Caller::unrestricted("t"), chunk.to_vec()).unwrap();
        }
        let mut all = Vec::new();
        store
            .for_each_listed(|f| {
                all.push(f);
                true
            })
            .unwrap();
        assert_eq!(all.len(), 150);
        let rank = |l: &str| crate::model::enums::SeverityLabel::parse(l).map_or(-1, |l| i64::from(l.rank()));
        assert!(all.windows(2).all(|w| rank(&w[0].severity_label) >= rank(&w[1].severity_label)));
        assert!(all.iter().all(|f| !f.key.display_id().is_empty() && !f.key.scope().is_empty()));
        let mut first = 0;
        store
            .for_each_listed(|_| {
                first += 1;
                first < 10
            })
            .unwrap();
        assert_eq!(first, 10, "the sink can stop the scan");
    }
}
