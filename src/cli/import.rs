//! `hubtriage import`: findings files into BatchImportFindings calls, parsed on this thread while
//! the store imports on another.

use anyhow::Result;

use super::{Global, Outcome};
use crate::input::{self, ReadError};
use crate::model::raw::{Incoming, OcsfIncoming};
use crate::model::sanitize;
use crate::model::wire::batch_import::ImportFailure;
use crate::store::{ImportQueue, StoreError, MAX_IMPORT_BYTES, MAX_IMPORT_FINDINGS};

/// Splits a stream of findings into BatchImportFindings calls (at most 100 findings and 6 MB each)
/// and sends them, keeping per-file counts and failures.
struct Importer<'a> {
    queue: &'a mut ImportQueue,
    call: Vec<Incoming>,
    call_bytes: usize,
    call_exact: bool,
    /// Findings in each call sent, in order.
    sent: Vec<usize>,
    /// The OCSF (V2) call being filled (imported by `Store::import_ocsf`'s rules on the same
    /// import thread), each finding with where it starts in the file, to name a refused one by its
    /// place.
    ocsf: Vec<(OcsfIncoming, Option<usize>)>,
    /// Each OCSF call sent: its place in `sent`, and its findings' ids and places.
    ocsf_sent: Vec<OcsfCall>,
}

/// An OCSF call sent: its place among the calls, and its findings' ids and places in the file.
struct OcsfCall {
    call: usize,
    ids: Vec<String>,
    at: Vec<Option<usize>>,
}

impl Importer<'_> {
    fn push(&mut self, f: Incoming, at: Option<usize>) -> Result<(), StoreError> {
        // The reader's view holds the members the ASFF rules read; a finding with none of ASFF's
        // identifying members is looked at whole, and goes to the OCSF path when it is one.
        let asff_like =
            ["SchemaVersion", "ProductArn", "AwsAccountId", "Id"].iter().any(|m| f.view().get(*m).is_some());
        // An OCSF finding read from the file keeps its text (`OcsfIncoming`): only the members
        // its checks read are parsed.
        let f = if asff_like || !f.view().is_object() {
            f
        } else {
            match f.into_ocsf() {
                Ok(Ok(o)) => {
                    self.ocsf.push((o, at));
                    if self.ocsf.len() == MAX_IMPORT_FINDINGS {
                        self.cut_ocsf()?;
                    }
                    return Ok(());
                }
                Ok(Err(f)) => f,
                Err(e) => return Err(StoreError::Corrupt(e.to_string())),
            }
        };
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

    /// Sends the OCSF call being filled, if any, to the store's import thread.
    fn cut_ocsf(&mut self) -> Result<(), StoreError> {
        if self.ocsf.is_empty() {
            return Ok(());
        }
        let (call, at): (Vec<OcsfIncoming>, Vec<Option<usize>>) = std::mem::take(&mut self.ocsf).into_iter().unzip();
        let ids = call.iter().enumerate().map(|(i, f)| failure_id(f.view(), i)).collect();
        self.ocsf_sent.push(OcsfCall { call: self.sent.len(), ids, at });
        self.sent.push(call.len());
        self.queue.send_ocsf(call)
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

pub(super) fn import(g: &Global, files: &[String]) -> Result<Outcome> {
    crate::alloc::tune_for_bulk_import();
    let mut store = g.open_or_create()?;
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
        let ((read, sent, ocsf), results) = store.import_pipelined(&g.caller(), |queue| {
            let mut imp = Importer {
                queue,
                call: Vec::new(),
                call_bytes: 0,
                call_exact: false,
                sent: Vec::new(),
                ocsf: Vec::new(),
                ocsf_sent: Vec::new(),
            };
            let read = input::for_each_finding_at(&name, &bytes, |f, at| imp.push(f, at));
            // Whatever parsed before an error is still imported: nothing already read is lost.
            let finished = imp.cut().and_then(|()| imp.cut_ocsf());
            (finished.map(|()| read), imp.sent, imp.ocsf_sent)
        })?;
        let mut results = results;
        for c in ocsf {
            if let Some(Ok(r)) = results.get_mut(c.call) {
                place_failures(&mut r.failed, &c.ids, &c.at, &name, &bytes);
            }
        }
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

/// The id `Store::import_ocsf` names a refused finding by: its `metadata.uid`, else its index.
fn failure_id(f: &serde_json::Value, index: usize) -> String {
    match crate::model::ocsf::Ocsf(f).metadata_uid() {
        "" => format!("Findings[{index}]"),
        uid => uid.to_string(),
    }
}

/// Puts `file:line:column` before each refused finding's id, as a parse error is named. Failures
/// come in the call's order, so each is the next finding of the call with its id.
fn place_failures(failed: &mut [ImportFailure], ids: &[String], at: &[Option<usize>], name: &str, bytes: &[u8]) {
    let mut next = 0;
    for f in failed {
        let Some(i) = (next..ids.len()).find(|i| ids[*i] == f.id) else { continue };
        next = i + 1;
        if let Some(offset) = at.get(i).copied().flatten() {
            let (line, column) = input::line_column(bytes, offset);
            f.id = format!("{name}:{line}:{column}: {}", f.id);
        }
    }
}
