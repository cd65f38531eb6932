//! The workbench's load of every row on two threads: this one steps SQLite through the table and
//! copies each row's text out (`Batch`), a helper thread builds the summaries from it (sanitising,
//! parsing times, finding the copy of a value met before: about half of the reading thread's CPU
//! at a million rows) and hands them back in order. One connection and one read transaction, so
//! the rows are one moment's store, the same rows in the same order as `Store::streamed` lists.

use std::sync::mpsc;

use rusqlite::types::{Type, ValueRef};

use super::*;

/// Rows per batch handed to the helper: large enough that the hand-over costs nothing per row,
/// small enough that the rows reach the list as they are read.
const BATCH: usize = 1024;
/// Batches read ahead of the helper at most (the reading thread waits beyond).
const AHEAD: usize = 4;

/// The text columns a summary is built from, in `ColumnsRef`'s order of reading; `GENERATOR`
/// stands for the generator (an OCSF row's is read from its document).
const TEXT: [usize; 15] = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, GENERATOR, 23, 14];
const GENERATOR: usize = 22;

/// Batches built on the helper thread (tests: the pipeline is used).
#[cfg(test)]
pub(super) static HELPED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// One row as read: its key, labels and numbers, and where its text columns end in the batch's
/// buffer (the first starts where the row before ended).
struct Raw {
    key: FindingId,
    ocsf: Option<crate::model::ocsf::OcsfLabels>,
    ends: [usize; TEXT.len()],
    updated_ns: i64,
    confidence: Option<i64>,
    criticality: Option<i64>,
}

/// Rows read and not yet built: their text in one buffer rather than a string per column, as
/// stored (checked as UTF-8 by the helper: a sixth of the reading thread's own work).
struct Batch {
    text: Vec<u8>,
    rows: Vec<Raw>,
}

/// A batch built: its summaries, the error that stopped it (a column not UTF-8), and the batch
/// emptied, to be filled again (a fresh buffer for every batch faulted its pages in anew).
struct Built {
    summaries: Vec<FindingSummary>,
    error: Option<rusqlite::Error>,
    spent: Batch,
}

impl Batch {
    fn new() -> Batch {
        Batch { text: Vec::with_capacity(BATCH * 512), rows: Vec::with_capacity(BATCH) }
    }

    /// Copies `r` in, failing as the `Summaries` reader fails on it.
    fn push(&mut self, codec: &Codec, arns: &mut Arns, r: &Row<'_>) -> Result<()> {
        let (key, ocsf, generator) = key_and_labels(codec, arns, r)?;
        let mut ends = [0; TEXT.len()];
        for (end, i) in ends.iter_mut().zip(TEXT) {
            match (&generator, i) {
                (Some(g), GENERATOR) => self.text.extend_from_slice(g.as_bytes()),
                _ => self.text.extend_from_slice(bytes(r, i)?),
            }
            *end = self.text.len();
        }
        let (updated_ns, confidence, criticality) = (r.get(15)?, r.get(16)?, r.get(17)?);
        self.rows.push(Raw { key, ocsf, ends, updated_ns, confidence, criticality });
        Ok(())
    }

    /// The rows' summaries, as the `Summaries` reader makes them, up to a column that is not
    /// UTF-8 (the error reading it as text gives, as that reader fails); the batch emptied.
    fn build(mut self, values: &mut Values) -> Built {
        #[cfg(test)]
        HELPED.fetch_add(
            usize::from(std::thread::current().name() == Some(HELPER)),
            std::sync::atomic::Ordering::Relaxed,
        );
        let mut summaries = Vec::with_capacity(self.rows.len());
        let mut error = None;
        let mut start = 0;
        for raw in self.rows.drain(..) {
            let row_end = raw.ends.last().copied().unwrap_or(start);
            let t = match row_text(&self.text, start, &raw.ends) {
                Some(t) => t,
                None => match columns_text(&self.text, start, &raw.ends) {
                    Ok(t) => t,
                    Err(e) => {
                        error = Some(e.into());
                        break;
                    }
                },
            };
            start = row_end;
            let [product_name, aws_account_id, region, title, severity_label, workflow_status, record_state, verification_state, compliance_status, control_id, resource_type, resource_id, generator_id, types, updated_at] =
                t;
            let columns = ColumnsRef {
                ocsf: raw.ocsf,
                product_name,
                aws_account_id,
                region,
                title,
                severity_label,
                workflow_status,
                record_state,
                verification_state,
                compliance_status,
                control_id,
                resource_type,
                resource_id,
                generator_id,
                types,
                updated_at,
                updated_ns: raw.updated_ns,
                confidence: raw.confidence,
                criticality: raw.criticality,
            };
            summaries.push(FindingSummary::from_ref(raw.key, &columns, values));
        }
        self.rows.clear();
        self.text.clear();
        Built { summaries, error, spent: self }
    }
}

/// A row's text columns (`TEXT`; the first starts at `start`, each ends where `ends` says) checked
/// as UTF-8 in one pass over the whole row: fifteen checks of a few bytes each were 2.3% of a million
/// rows' load. Text valid as a whole is each column's exactly when every column ends at a character's
/// boundary (`str::get` says); `None` otherwise, and then `columns_text` finds the column at fault.
fn row_text<'t>(text: &'t [u8], start: usize, ends: &[usize; TEXT.len()]) -> Option<[&'t str; TEXT.len()]> {
    let row = std::str::from_utf8(text.get(start..ends.last().copied().unwrap_or(start))?).ok()?;
    let mut t = [""; TEXT.len()];
    let mut from = 0;
    for (t, &end) in t.iter_mut().zip(ends) {
        let to = end.saturating_sub(start);
        *t = row.get(from..to)?;
        from = to;
    }
    Some(t)
}

/// A row's text columns checked one by one: the first that is not UTF-8 fails, with the error reading
/// it as text gives (as the `Summaries` reader fails).
fn columns_text<'t>(
    text: &'t [u8],
    mut start: usize,
    ends: &[usize; TEXT.len()],
) -> std::result::Result<[&'t str; TEXT.len()], ConversionFailure> {
    let mut t = [""; TEXT.len()];
    for ((t, &end), i) in t.iter_mut().zip(ends).zip(TEXT) {
        *t = std::str::from_utf8(text.get(start..end).unwrap_or_default()).map_err(|e| ConversionFailure(i, e))?;
        start = end;
    }
    Ok(t)
}

/// Column `i` is not UTF-8.
struct ConversionFailure(usize, std::str::Utf8Error);

impl From<ConversionFailure> for rusqlite::Error {
    fn from(ConversionFailure(i, e): ConversionFailure) -> rusqlite::Error {
        rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e))
    }
}

/// Column `i`'s text as stored, failing as `text` fails on a value that is not text.
fn bytes<'r>(r: &'r Row<'_>, i: usize) -> Result<&'r [u8]> {
    match r.get_ref(i)? {
        ValueRef::Text(b) => Ok(b),
        _ => text(r, i).map(str::as_bytes),
    }
}

impl Store {
    /// Puts `row` in `batch` unless the table scan passes over it (`passed_over`).
    fn admit(
        &self,
        access: &Access,
        listed: &mut Listed,
        arns: &mut Arns,
        batch: &mut Batch,
        row: &Row<'_>,
    ) -> Result<()> {
        if self.passed_over(access, listed, row)? {
            return Ok(());
        }
        batch.push(&self.codec, arns, row)
    }
}

/// The helper thread's name.
const HELPER: &str = "hubtriage-rows";

impl Store {
    /// `streamed` with the `Summaries` reader, the table's rows built on a helper thread (see the
    /// module doc). The first page is read and built on this thread, so the first rows come as soon.
    pub(super) fn streamed_in_pipeline(
        &self,
        access: &Access,
        first: usize,
        mut reader: Summaries,
        mut sink: impl FnMut(FindingSummary) -> bool,
    ) -> Result<()> {
        let _mapped = Mapped::begin(self.conn())?;
        let _snapshot = Snapshot::begin(self.conn())?;
        let (cond, params) = and_visible(access);
        let mut listed: Listed = HashSet::default();
        if !self.first_page(access, &mut reader, &cond, &params, first, &mut listed, &mut sink)? {
            return Ok(());
        }
        let Summaries { mut arns, values } = reader;
        let sql = format!("SELECT {COLUMNS} FROM findings NOT INDEXED WHERE format IN ('asff', 'ocsf'){cond}");
        let mut stmt = self.conn().prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        // Gives the sink a batch's rows (false once it asked to stop), then the error that
        // stopped the batch, if any; keeps the batch's buffers for the next.
        let mut spare: Vec<Batch> = Vec::new();
        let mut take = |b: Built, spare: &mut Vec<Batch>| -> Result<bool> {
            spare.push(b.spent);
            let going = b.summaries.into_iter().all(&mut sink);
            match b.error {
                Some(e) if going => Err(e.into()),
                _ => Ok(going),
            }
        };
        std::thread::scope(|s| -> Result<()> {
            let (to_helper, batches) = mpsc::sync_channel::<Batch>(AHEAD);
            let (helper_done, built) = mpsc::channel::<Built>();
            let spawned = std::thread::Builder::new().name(HELPER.into()).spawn_scoped(s, move || {
                let mut values = values;
                for batch in batches {
                    if helper_done.send(batch.build(&mut values)).is_err() {
                        break;
                    }
                }
            });
            // No thread to be had: the rows are built here, as `streamed` does.
            let (to_helper, mut here) = match spawned {
                Ok(_) => (Some(to_helper), None),
                Err(_) => (None, Some(Values::kept())),
            };
            let mut hand = |batch: Batch, spare: &mut Vec<Batch>| -> Result<bool> {
                match (&to_helper, &mut here) {
                    (Some(tx), _) => {
                        if tx.send(batch).is_err() {
                            return Ok(false);
                        }
                        for b in built.try_iter() {
                            if !take(b, spare)? {
                                return Ok(false);
                            }
                        }
                        Ok(true)
                    }
                    (None, Some(values)) => take(batch.build(values), spare),
                    (None, None) => Ok(false),
                }
            };
            let mut batch = Batch::new();
            let mut going = true;
            // A row that cannot be read (a key that is not text, a page SQLite cannot step past)
            // stops the reading, but the rows read before it still reach the sink first, as the
            // columns' listing gives them before failing on it.
            let mut failed = None;
            loop {
                let row = match rows.next() {
                    Ok(Some(row)) => row,
                    Ok(None) => break,
                    Err(e) => {
                        failed = Some(e.into());
                        break;
                    }
                };
                if let Err(e) = self.admit(access, &mut listed, &mut arns, &mut batch, row) {
                    failed = Some(e);
                    break;
                }
                if batch.rows.len() >= BATCH {
                    let next = spare.pop().unwrap_or_else(Batch::new);
                    going = hand(std::mem::replace(&mut batch, next), &mut spare)?;
                    if !going {
                        break;
                    }
                }
            }
            if going && !batch.rows.is_empty() {
                going = hand(batch, &mut spare)?;
            }
            drop(to_helper);
            if going {
                // The helper ends once it has built every batch sent.
                for b in built.iter() {
                    if !take(b, &mut spare)? {
                        going = false;
                        break;
                    }
                }
            }
            // Rows the sink did not ask for: how they fail is not its business.
            match failed {
                Some(e) if going => Err(e),
                _ => Ok(()),
            }
        })?;
        drop(rows);
        drop(stmt);
        self.shrink()
    }
}
