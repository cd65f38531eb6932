//! Read-only listing for the workbench: every finding's summary columns in one streaming SELECT,
//! without touching the ASFF documents, so 100,000 rows load in one pass and a few tens of
//! megabytes. OCSF rows (`format = 'ocsf'`) are listed beside them; their own severity, status and
//! class (`OcsfLabels`, which the columns do not hold) are read from their document. A finding
//! stored in both forms is listed once, as its ASFF row (`model::ocsf::same`).

use std::collections::HashSet;

use rusqlite::types::Value as SqlValue;
use rusqlite::Row;

use super::codec::Codec;
use super::query::and_visible;
use super::rows::decompress;
use super::{Access, Result, Store};
use crate::model::finding::FindingId;
use crate::model::summary::{ColumnsRef, FindingSummary, Shared, SummaryColumns, Values};

/// The columns a listing reads. Only an OCSF row's document and `finding_uid` are read (`is_twin`): SQLite copies every text
/// column of a row it steps to, and `finding_uid` is stored after the document.
const COLUMNS: &str = "product_arn, id, product_name, aws_account_id, region, title, severity_label, workflow_status, \
    record_state, verification_state, compliance_status, control_id, resource_type, resource_id, updated_at, \
    updated_ns, confidence, criticality, format, CASE WHEN format = 'ocsf' THEN doc END, \
    CASE WHEN format = 'ocsf' THEN finding_uid END, rowid, generator_id, types";
/// How many ASFF and OCSF rows the store holds, counted in indexes: each part's condition implies
/// a partial index's, so SQLite counts that index's entries (a few megabytes). `findings_product`
/// holds the rows with `format = 'asff' AND product_name IS NOT NULL`: every ASFF row, the column
/// being NOT NULL; `product_name >= ''` is true of every value it can hold (any text is at least
/// '', a blob sorts after text) and, unlike `IS NOT NULL`, lets SQLite use the index.
/// `findings_ocsf_finding` holds the rows with `format = 'ocsf'`. `format IN ('asff', 'ocsf')` matches no
/// partial index: it scanned the table, every page of it with the documents stored inline (0.3 s
/// at a million findings, while the first rows' load waited for it on the worker thread).
/// `tests::the_count_reads_indexes_only_and_counts_the_listed_rows` holds the plan.
const COUNT_LISTED: &str = "SELECT (SELECT count(*) FROM findings WHERE format = 'asff' AND product_name >= '') \
    + (SELECT count(*) FROM findings WHERE format = 'ocsf')";
/// The row id's place in `COLUMNS`.
const ROWID: usize = 21;

/// The product ARNs a listing has met: every finding of a product names the same one, so the
/// rows share one copy of it. Looked up for every row: hashed with `WordHasher` (SipHash was ~1%
/// of a million rows' load).
#[derive(Default)]
struct Arns(
    std::collections::HashMap<String, Shared, std::hash::BuildHasherDefault<crate::model::summary::WordHasher>>,
);

impl Arns {
    fn get(&mut self, arn: &str) -> Shared {
        if let Some(one) = self.0.get(arn) {
            return one.clone();
        }
        let one = Shared::from(arn);
        self.0.insert(arn.to_string(), one.clone());
        one
    }
}

/// A row's key, its OCSF labels, and for an OCSF row the generator its document names.
fn key_and_labels(
    codec: &Codec,
    arns: &mut Arns,
    r: &Row<'_>,
) -> Result<(FindingId, Option<crate::model::ocsf::OcsfLabels>, Option<String>)> {
    let ocsf = r.get_ref(18)?.as_str().is_ok_and(|f| f == "ocsf");
    let key = if ocsf {
        FindingId::Ocsf(r.get::<_, String>(1)?)
    } else {
        let arn = match r.get_ref(0)?.as_str() {
            Ok(arn) => arns.get(arn),
            // Not text: the error reading it as text gives.
            Err(_) => Shared::from(r.get::<_, String>(0)?),
        };
        FindingId::asff(arn, r.get::<_, String>(1)?)
    };
    // A row whose document cannot be read still lists, with the labels its columns hold.
    // An OCSF row's generator is read from its document too: the column holds the analytic's name,
    // the ASFF mapping (and so the list) its uid first.
    let mut generator = None;
    let labels = match r.get_ref(19)?.as_blob_or_null().ok().flatten() {
        Some(blob) if ocsf => decompress(codec, blob).ok().and_then(|doc| {
            generator = Some(crate::model::ocsf::Ocsf(&doc).generator().to_string());
            FindingSummary::from_ocsf(&doc).ocsf
        }),
        _ => None,
    };
    Ok((key, labels, generator))
}

/// Column `i` as text, read in place.
fn text<'r>(r: &'r Row<'_>, i: usize) -> Result<&'r str> {
    match r.get_ref(i)?.as_str() {
        Ok(s) => Ok(s),
        // Not text: the error reading it as text gives (a string reads text only, as this does).
        Err(_) => {
            r.get::<_, String>(i)?;
            Ok("")
        }
    }
}

/// The row ids of the first page's rows (`Store::streamed`).
type Listed = HashSet<i64, std::hash::BuildHasherDefault<crate::model::summary::WordHasher>>;

/// What a listing makes of each row it reads.
trait Reader {
    type Out;
    fn read(&mut self, codec: &Codec, r: &Row<'_>) -> Result<Self::Out>;
}

/// The raw columns (`SummaryColumns`).
#[derive(Default)]
struct Columns(Arns);

impl Reader for Columns {
    type Out = SummaryColumns;

    /// One row's summary columns as stored (raw text: `FindingSummary::from_columns` sanitises them).
    fn read(&mut self, codec: &Codec, r: &Row<'_>) -> Result<SummaryColumns> {
        let (key, labels, generator) = key_and_labels(codec, &mut self.0, r)?;
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
            generator_id: match generator {
                Some(g) => g,
                None => r.get(22)?,
            },
            types: r.get(23)?,
            updated_at: r.get(14)?,
            updated_ns: r.get(15)?,
            confidence: r.get(16)?,
            criticality: r.get(17)?,
        })
    }
}

/// The summaries themselves, read from the row in place: no string per column, and a value met
/// before is the copy already made (`model::summary::Values`). What `FindingSummary::from_columns`
/// makes of the `Columns` reader's row, exactly (a test compares them).
struct Summaries {
    arns: Arns,
    values: Values,
}

impl Reader for Summaries {
    type Out = FindingSummary;

    fn read(&mut self, codec: &Codec, r: &Row<'_>) -> Result<FindingSummary> {
        let (key, labels, generator) = key_and_labels(codec, &mut self.arns, r)?;
        let columns = ColumnsRef {
            ocsf: labels,
            product_name: text(r, 2)?,
            aws_account_id: text(r, 3)?,
            region: text(r, 4)?,
            title: text(r, 5)?,
            severity_label: text(r, 6)?,
            workflow_status: text(r, 7)?,
            record_state: text(r, 8)?,
            verification_state: text(r, 9)?,
            compliance_status: text(r, 10)?,
            control_id: text(r, 11)?,
            resource_type: text(r, 12)?,
            resource_id: text(r, 13)?,
            generator_id: match &generator {
                Some(g) => g,
                None => text(r, 22)?,
            },
            types: text(r, 23)?,
            updated_at: text(r, 14)?,
            updated_ns: r.get(15)?,
            confidence: r.get(16)?,
            criticality: r.get(17)?,
        };
        Ok(FindingSummary::from_ref(key, &columns, &mut self.values))
    }
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
        let (cond, params) = and_visible(access);
        let sql = if cond.is_empty() {
            COUNT_LISTED.to_string()
        } else {
            format!("SELECT count(*) FROM findings WHERE format IN ('asff', 'ocsf'){cond}")
        };
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
        let (cond, params) = and_visible(access);
        let sql = format!(
            "SELECT {COLUMNS} FROM findings WHERE format IN ('asff', 'ocsf'){cond} \
             ORDER BY severity_rank DESC, updated_ns DESC, rowid"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        let mut reader = Columns::default();
        while let Some(row) = rows.next()? {
            if !self.offer(access, &mut reader, row, &mut sink)? {
                break;
            }
        }
        Ok(())
    }

    /// `for_each_listed_as` of one format's findings only (a remote read with `--api v1` or
    /// `v2`): with no ASFF row listed, a finding stored in both forms is listed as its OCSF row.
    pub fn for_each_listed_of_as(
        &self,
        access: &Access,
        format: crate::model::finding::Format,
        mut sink: impl FnMut(SummaryColumns) -> bool,
    ) -> Result<()> {
        let (cond, params) = and_visible(access);
        let format = match format {
            crate::model::finding::Format::Asff => "asff",
            crate::model::finding::Format::Ocsf => "ocsf",
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM findings WHERE format = '{format}'{cond} \
             ORDER BY severity_rank DESC, updated_ns DESC, rowid"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        let mut reader = Columns::default();
        while let Some(row) = rows.next()? {
            if !sink(reader.read(&self.codec, row)?) {
                break;
            }
        }
        Ok(())
    }

    /// Every finding's summary `access` may see, for a list that sorts what it is given: the first
    /// `first` in `for_each_listed`'s order (the first screenful, read through the indexes), then
    /// all the others in the table's own order. Walking the severity index for a whole listing
    /// reads the table's pages in random order (18.8 s for 1,000,000 findings on a loaded
    /// machine, most of it the kernel's page reads); the table in its own order reads each page
    /// once. Both parts read one snapshot, so the rows of the first part are not listed again.
    pub fn for_each_listed_streamed_as(
        &self,
        access: &Access,
        first: usize,
        sink: impl FnMut(SummaryColumns) -> bool,
    ) -> Result<()> {
        self.streamed(access, first, &mut Columns::default(), sink)
    }

    /// `for_each_listed_streamed_as` giving each row's summary (`FindingSummary::from_columns` of
    /// its columns), read from the row in place: the workbench's load of a million rows.
    pub fn for_each_summary_streamed_as(
        &self,
        access: &Access,
        first: usize,
        sink: impl FnMut(FindingSummary) -> bool,
    ) -> Result<()> {
        let mut reader = Summaries { arns: Arns::default(), values: Values::kept() };
        let two_cores = std::thread::available_parallelism().is_ok_and(|c| c.get() >= 2);
        if !two_cores {
            return self.streamed(access, first, &mut reader, sink);
        }
        self.streamed_in_pipeline(access, first, reader, sink)
    }

    fn streamed<R: Reader>(
        &self,
        access: &Access,
        first: usize,
        reader: &mut R,
        mut sink: impl FnMut(R::Out) -> bool,
    ) -> Result<()> {
        let _mapped = Mapped::begin(self.conn())?;
        let _snapshot = Snapshot::begin(self.conn())?;
        let (cond, params) = and_visible(access);
        // Looked up for every row of the table while the first page's rows have not all been
        // met again: hashed with `WordHasher` rather than SipHash.
        let mut listed: Listed = HashSet::default();
        if !self.first_page(access, reader, &cond, &params, first, &mut listed, &mut sink)? {
            return Ok(());
        }
        let sql = format!("SELECT {COLUMNS} FROM findings NOT INDEXED WHERE format IN ('asff', 'ocsf'){cond}");
        let mut stmt = self.conn().prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        while let Some(row) = rows.next()? {
            if self.passed_over(access, &mut listed, row)? {
                continue;
            }
            if !sink(reader.read(&self.codec, row)?) {
                break;
            }
        }
        drop(rows);
        drop(stmt);
        self.shrink()
    }

    /// The scan filled the page cache (up to 64 MB) with table pages the workbench will not
    /// read again soon; a detail reads its few pages back from the OS's cache.
    fn shrink(&self) -> Result<()> {
        self.conn().execute_batch("PRAGMA shrink_memory")?;
        Ok(())
    }

    /// The first `want` findings in `for_each_listed`'s order, one severity at a time from the
    /// highest: a severity held by many rows is read walking the updated-time index (it meets
    /// `want` of them after reading about `want * total / count` rows), one held by few through
    /// the severity index, its rows then sorted (`count` rows). Notes each row read in `listed`;
    /// false when `sink` asked to stop.
    #[allow(clippy::too_many_arguments)]
    fn first_page<R: Reader>(
        &self,
        access: &Access,
        reader: &mut R,
        cond: &str,
        params: &[SqlValue],
        want: usize,
        listed: &mut Listed,
        sink: &mut impl FnMut(R::Out) -> bool,
    ) -> Result<bool> {
        if want == 0 {
            return Ok(true);
        }
        let conn = self.conn();
        // The largest row id: at least the number of rows, found without counting them.
        let total: i64 = conn.query_row("SELECT coalesce(max(rowid), 0) FROM findings", [], |r| r.get(0))?;
        let mut below = i64::MAX;
        while listed.len() < want {
            let rank: Option<i64> =
                conn.query_row("SELECT max(severity_rank) FROM findings WHERE severity_rank < ?1", [below], |r| {
                    r.get(0)
                })?;
            let Some(rank) = rank else { break };
            below = rank;
            let need = (want - listed.len()) as i64;
            // Whether more than sqrt(need * total) rows hold it: counted only that far.
            let enough = (need.saturating_mul(total) as f64).sqrt() as i64 + 1;
            let count: i64 = conn.query_row(
                "SELECT count(*) FROM (SELECT 1 FROM findings WHERE severity_rank = ?1 LIMIT ?2)",
                [rank, enough],
                |r| r.get(0),
            )?;
            // The unary plus keeps SQLite off the severity index, so it walks the updated one.
            let by_updated = count >= enough;
            let term = if by_updated { "+severity_rank" } else { "severity_rank" };
            let sql = format!(
                "SELECT {COLUMNS} FROM findings WHERE {term} = ? AND format IN ('asff', 'ocsf'){cond} \
                 ORDER BY updated_ns DESC, rowid LIMIT ?"
            );
            let mut stmt = conn.prepare(&sql)?;
            let values = std::iter::once(SqlValue::Integer(rank))
                .chain(params.iter().cloned())
                .chain(std::iter::once(SqlValue::Integer(need)));
            let mut rows = stmt.query(rusqlite::params_from_iter(values))?;
            while listed.len() < want {
                let Some(row) = rows.next()? else { break };
                listed.insert(row.get(ROWID)?);
                if !self.offer(access, reader, row, sink)? {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    /// Gives `row` to `sink` unless it is an OCSF finding also stored in ASFF form (`model::ocsf::same`:
    /// listed once, as its ASFF row); false when `sink` asked to stop.
    fn offer<R: Reader>(
        &self,
        access: &Access,
        reader: &mut R,
        row: &Row<'_>,
        sink: &mut impl FnMut(R::Out) -> bool,
    ) -> Result<bool> {
        if self.is_twin(access, row)? {
            return Ok(true);
        }
        Ok(sink(reader.read(&self.codec, row)?))
    }

    /// Whether the table scan after the first page passes over `row`: the first page listed it
    /// (noted in `listed`, which forgets it once met) or it is a twin (`is_twin`).
    fn passed_over(&self, access: &Access, listed: &mut Listed, row: &Row<'_>) -> Result<bool> {
        if !listed.is_empty() && listed.remove(&row.get::<_, i64>(ROWID)?) {
            return Ok(true);
        }
        self.is_twin(access, row)
    }

    /// Whether `row` is an OCSF finding also stored in ASFF form (`model::ocsf::same`), not listed.
    fn is_twin(&self, access: &Access, row: &Row<'_>) -> Result<bool> {
        let ocsf = row.get_ref(18)?.as_str().is_ok_and(|f| f == "ocsf");
        Ok(ocsf
            && self.has_asff_twin(
                access,
                &row.get::<_, Option<String>>(20)?.unwrap_or_default(),
                &row.get::<_, String>(0)?,
            )?)
    }
}

/// The database file mapped into memory for as long as it lives (`PRAGMA mmap_size`): a listing
/// reads every table page once, and a page read through `pread` is copied out of the OS's cache
/// (1.2 GB at a million findings, a fifth of the load's CPU time); a mapped one is read in place.
/// Unmapped afterwards, so the pages do not stay in the process's resident set.
pub(super) struct Mapped<'c>(&'c rusqlite::Connection);

/// SQLite's own ceiling on the mapping (SQLITE_MAX_MMAP_SIZE): a larger file is read beyond it
/// with `pread` as before.
const MMAP_SIZE: i64 = 0x7fff_0000;

impl<'c> Mapped<'c> {
    pub(super) fn begin(conn: &'c rusqlite::Connection) -> Result<Mapped<'c>> {
        conn.execute_batch(&format!("PRAGMA mmap_size = {MMAP_SIZE}"))?;
        Ok(Mapped(conn))
    }
}

impl Drop for Mapped<'_> {
    fn drop(&mut self) {
        // Back to reading pages with `pread`; failing leaves them mapped, which reads the same.
        let _ = self.0.execute_batch("PRAGMA mmap_size = 0");
    }
}

/// A read transaction for as long as it lives (none when one is open already), so that the
/// queries of one listing read the same rows.
struct Snapshot<'c>(Option<&'c rusqlite::Connection>);

impl<'c> Snapshot<'c> {
    fn begin(conn: &'c rusqlite::Connection) -> Result<Snapshot<'c>> {
        if !conn.is_autocommit() {
            return Ok(Snapshot(None));
        }
        conn.execute_batch("BEGIN DEFERRED")?;
        Ok(Snapshot(Some(conn)))
    }
}

impl Drop for Snapshot<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.0 {
            // A read transaction: ending it cannot lose anything.
            let _ = conn.execute_batch("COMMIT");
        }
    }
}

mod pipeline;

#[cfg(test)]
mod tests;
