//! How stored documents are compressed. Two formats live side by side and each blob says which it
//! is, so a store written by any version reads back whole:
//! - lz4 (lz4_flex's size-prepended block), which schema 1 to 3 wrote and which a store still
//!   writes until it has a dictionary;
//! - a zstd frame (level 1, its match finder tuned) made with the store's dictionary (schema 4).
//!   Findings are small JSON documents that repeat the same member names and much of the same
//!   values, which a trained dictionary captures: on generated findings a document shrinks to ~15%
//!   of its JSON, against ~60% with lz4, so every commit writes about a third of the bytes to the
//!   WAL and the database.
//!
//! The dictionary is trained once, from the store's own documents, when the store first holds
//! `TRAIN_AFTER` findings (`Store::train_dictionary_if_due`), and kept in the `dictionaries` table:
//! documents name it by its zstd dictionary id, in their frame header. It never changes, so each
//! process keeps the ones it has read.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use rusqlite::{Connection, OpenFlags};
use zstd::zstd_safe::{self, CCtx, CParameter, DCtx, DDict};

use super::{Result, StoreError};

/// The zstd level documents are compressed at: the fastest (with a dictionary most of the gain is
/// the dictionary's).
const LEVEL: i32 = 1;
/// Level 1's match finder, tuned for documents of a few KB and a 64 KB dictionary: a larger hash
/// table (2^14 entries, level 1 has 2^13) and matches of at least 7 bytes (level 1: 6). Measured on
/// 10,000 generated findings, each compressed alone with a dictionary trained on 500 others: 8%
/// less time and documents of 14.5% of their JSON instead of 15.2%. Shorter matches cost more time
/// for larger documents (4 bytes: +25%, 0.180); a smaller table shrinks less.
const HASH_LOG: u32 = 14;
const MIN_MATCH: u32 = 7;
/// A zstd frame begins with these bytes. A lz4 blob begins with its document's length (little
/// endian), which would have to be ~4 GB to look the same.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];
/// No stored document is near this; a frame claiming more is damaged.
const MAX_DOCUMENT: u64 = 64 * 1024 * 1024;
/// A dictionary is trained once the store holds this many findings.
pub(super) const TRAIN_AFTER: i64 = 1_000;
/// How many of the newest documents train it, and its largest size. More samples barely shrink the
/// documents further, and training time grows with them.
const TRAIN_SAMPLES: i64 = 500;
const DICTIONARY_BYTES: usize = 64 * 1024;
/// The trainer's parameters (zstd's fastCover: segments of `TRAIN_SEGMENT` bytes scored by their
/// `TRAIN_DMER`-byte substrings, counted in a table of 2^`TRAIN_TABLE_LOG` entries). zstd's default
/// trainer (`ZDICT_trainFromBuffer`) searches for the segment size, training and testing a
/// dictionary for each of several: on 500 generated findings that took ~0.1 s, on the import thread
/// of a bulk import while the other core mostly waited, and chose 1,511 bytes with 8-byte
/// substrings. Trained once with these: ~12 ms, and 10,000 other findings compressed to 13.95% of
/// their JSON instead of 13.77%.
const TRAIN_SEGMENT: u32 = 1_500;
const TRAIN_DMER: u32 = 8;
const TRAIN_TABLE_LOG: u32 = 18;

thread_local! {
    /// This thread's compression context, with the dictionary of the encoder (`Encoder::serial`) it
    /// was last used with loaded.
    static CCTX: std::cell::RefCell<Option<(u64, CCtx<'static>)>> = const { std::cell::RefCell::new(None) };
    static DCTX: std::cell::RefCell<DCtx<'static>> = std::cell::RefCell::new(DCtx::create());
}

/// Numbers encoders, so that a thread's context knows which dictionary it holds.
static ENCODERS: AtomicU64 = AtomicU64::new(0);

/// The dictionary new documents are written with.
struct Encoder {
    /// Unique in the process: which contexts have this dictionary loaded.
    serial: u64,
    dict: Vec<u8>,
}

impl Encoder {
    /// A compression context with this dictionary loaded, at `LEVEL` with the tuned match finder.
    fn context(&self) -> std::result::Result<CCtx<'static>, usize> {
        let mut c = CCtx::create();
        c.set_parameter(CParameter::CompressionLevel(LEVEL))?;
        c.set_parameter(CParameter::HashLog(HASH_LOG))?;
        c.set_parameter(CParameter::MinMatch(MIN_MATCH))?;
        c.load_dictionary(&self.dict)?;
        Ok(c)
    }
}

/// The store's compression: the dictionary new documents are written with, and every dictionary
/// its documents may name. Shared by the threads one write or read uses.
pub(super) struct Codec {
    path: PathBuf,
    encoder: Option<Encoder>,
    decoders: RwLock<HashMap<u32, Arc<DDict<'static>>>>,
    /// No training is tried again before the store holds this many findings (after one failed).
    pub(super) next_training: i64,
}

impl Codec {
    /// The codec of the store at `path`, with the dictionaries `conn` sees: the newest one is
    /// written with.
    pub(super) fn load(path: PathBuf, conn: &Connection) -> Result<Codec> {
        let mut codec =
            Codec { path, encoder: None, decoders: RwLock::new(HashMap::new()), next_training: TRAIN_AFTER };
        codec.adopt(conn)?;
        Ok(codec)
    }

    /// Reads the dictionaries `conn` sees and writes with the newest. Returns whether there is one.
    pub(super) fn adopt(&mut self, conn: &Connection) -> Result<bool> {
        let newest = read_dictionaries(conn, &mut self.decoders.write().unwrap_or_else(PoisonError::into_inner))?;
        if let Some((_, dict)) = newest {
            self.encoder = Some(Encoder { serial: ENCODERS.fetch_add(1, Ordering::Relaxed), dict });
        }
        Ok(self.encoder.is_some())
    }

    pub(super) fn has_dictionary(&self) -> bool {
        self.encoder.is_some()
    }

    /// Compresses `json` into `out` (replacing what it held).
    pub(super) fn compress(&self, json: &[u8], out: &mut Vec<u8>) -> Result<()> {
        out.clear();
        match &self.encoder {
            Some(encoder) => {
                out.reserve(zstd_safe::compress_bound(json.len()));
                CCTX.with(|c| match &mut *c.borrow_mut() {
                    Some((serial, context)) if *serial == encoder.serial => context.compress2(out, json),
                    c => {
                        let mut context = encoder.context()?;
                        let written = context.compress2(out, json);
                        *c = Some((encoder.serial, context));
                        written
                    }
                })
                .map_err(|code| StoreError::Corrupt(format!("zstd: {}", zstd_safe::get_error_name(code))))?;
            }
            None => {
                let len = u32::try_from(json.len()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                out.extend_from_slice(&len.to_le_bytes());
                out.resize(4 + lz4_flex::block::get_maximum_output_size(json.len()), 0);
                let n = lz4_flex::block::compress_into(json, &mut out[4..])
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                out.truncate(4 + n);
            }
        }
        Ok(())
    }

    /// A stored document's JSON text.
    pub(super) fn decompress(&self, blob: &[u8]) -> Result<Vec<u8>> {
        if !blob.starts_with(&ZSTD_MAGIC) {
            return lz4_flex::decompress_size_prepended(blob).map_err(|e| StoreError::Corrupt(e.to_string()));
        }
        let corrupt = |what: &str| StoreError::Corrupt(format!("zstd document: {what}"));
        let size = match zstd_safe::get_frame_content_size(blob) {
            Ok(Some(n)) if n <= MAX_DOCUMENT => n as usize,
            _ => return Err(corrupt("no valid content size")),
        };
        let mut out = Vec::with_capacity(size);
        let result = match zstd_safe::get_dict_id_from_frame(blob) {
            None => DCTX.with(|d| d.borrow_mut().decompress(&mut out, blob)),
            Some(id) => {
                let dict = self.decoder(id)?;
                DCTX.with(|d| d.borrow_mut().decompress_using_ddict(&mut out, blob, &dict))
            }
        };
        result.map_err(|code| corrupt(zstd_safe::get_error_name(code)))?;
        if out.len() != size {
            return Err(corrupt("shorter than its header says"));
        }
        Ok(out)
    }

    /// The dictionary `id`. One trained by another process since this one read the table is read
    /// then, through a connection of its own (decompression runs on threads without one).
    fn decoder(&self, id: NonZeroU32) -> Result<Arc<DDict<'static>>> {
        if let Some(d) = self.decoders.read().unwrap_or_else(PoisonError::into_inner).get(&id.get()) {
            return Ok(d.clone());
        }
        let conn = Connection::open_with_flags(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let mut decoders = self.decoders.write().unwrap_or_else(PoisonError::into_inner);
        read_dictionaries(&conn, &mut decoders)?;
        decoders.get(&id.get()).cloned().ok_or_else(|| {
            StoreError::Corrupt(format!("a document names zstd dictionary {id}, which the store does not have"))
        })
    }

    /// Trains a dictionary on the newest documents `conn` sees and stores it, unless the store has
    /// one by now (then that one is adopted). Returns whether there is one. Runs in `conn`'s
    /// immediate transaction, so two processes never both train.
    pub(super) fn train(&mut self, tx: &rusqlite::Transaction<'_>) -> Result<bool> {
        if self.adopt(tx)? {
            return Ok(true);
        }
        let mut samples = Vec::new();
        let mut sizes = Vec::new();
        {
            let mut stmt = tx.prepare("SELECT doc FROM findings ORDER BY rowid DESC LIMIT ?1")?;
            let mut rows = stmt.query([TRAIN_SAMPLES])?;
            while let Some(row) = rows.next()? {
                let blob = row.get_ref(0)?.as_blob().map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let json = self.decompress(blob)?;
                samples.extend_from_slice(&json);
                sizes.push(json.len());
            }
        }
        // Too few or too alike documents to learn from: lz4 it stays, for now.
        let Some(dict) = train_dictionary(&samples, &sizes) else { return Ok(false) };
        let Some(id) = zstd_safe::get_dict_id(&dict) else { return Ok(false) };
        tx.execute(
            "INSERT INTO dictionaries (id, dict, trained_at, samples) VALUES (?1, ?2, datetime('now'), ?3)",
            rusqlite::params![id.get(), dict, sizes.len()],
        )?;
        self.adopt(tx)
    }
}

/// A dictionary of at most DICTIONARY_BYTES trained on `samples` (the documents one after the
/// other, `sizes` long), with the fixed parameters above; none if zstd finds nothing to learn.
fn train_dictionary(samples: &[u8], sizes: &[usize]) -> Option<Vec<u8>> {
    use zstd_safe::zstd_sys;
    let count = u32::try_from(sizes.len()).ok()?;
    if sizes.iter().sum::<usize>() != samples.len() {
        return None;
    }
    // SAFETY: a C struct of numbers, for which all zeros means "the default" to zstd.
    let mut params: zstd_sys::ZDICT_fastCover_params_t = unsafe { std::mem::zeroed() };
    params.k = TRAIN_SEGMENT;
    params.d = TRAIN_DMER;
    params.f = TRAIN_TABLE_LOG;
    params.accel = 1;
    // Train on every sample (the default keeps a quarter apart to test parameters with).
    params.splitPoint = 1.0;
    let mut dict = vec![0u8; DICTIONARY_BYTES];
    // SAFETY: zstd writes at most `dict.len()` bytes into `dict`, and reads `count` samples whose
    // sizes `sizes` holds (`count` of them) and which fill `samples` exactly (checked above).
    let written = unsafe {
        zstd_sys::ZDICT_trainFromBuffer_fastCover(
            dict.as_mut_ptr().cast(),
            dict.len(),
            samples.as_ptr().cast(),
            sizes.as_ptr(),
            count,
            params,
        )
    };
    // SAFETY: only reads the number.
    if unsafe { zstd_sys::ZDICT_isError(written) } != 0 {
        return None;
    }
    dict.truncate(written);
    Some(dict)
}

/// Adds the dictionaries `conn` sees to `decoders`; returns the newest (id and bytes).
fn read_dictionaries(
    conn: &Connection,
    decoders: &mut HashMap<u32, Arc<DDict<'static>>>,
) -> Result<Option<(u32, Vec<u8>)>> {
    let mut stmt = conn.prepare("SELECT id, dict FROM dictionaries ORDER BY rowid")?;
    let mut rows = stmt.query([])?;
    let mut newest = None;
    while let Some(row) = rows.next()? {
        let id: u32 = row.get(0)?;
        let bytes: Vec<u8> = row.get(1)?;
        decoders.entry(id).or_insert_with(|| Arc::new(DDict::create(&bytes)));
        newest = Some((id, bytes));
    }
    Ok(newest)
}

/// Whether a stored blob is a zstd frame (for tests and the store's statistics).
#[cfg(test)]
pub(super) fn is_zstd(blob: &[u8]) -> bool {
    blob.starts_with(&ZSTD_MAGIC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{generate, GenOptions};
    use crate::store::{Caller, Store};
    use serde_json::Value;

    fn findings(count: usize, seed: u64) -> Vec<Value> {
        generate(&GenOptions { count, seed, ..GenOptions::default() }).collect()
    }

    fn import(store: &mut Store, findings: Vec<Value>) {
        let calls: Vec<Vec<Value>> = findings.chunks(100).map(<[Value]>::to_vec).collect();
        for r in store.import_calls(&Caller::unrestricted("t"), calls).unwrap() {
            assert!(r.unwrap().failed.is_empty());
        }
    }

    /// (how many documents are zstd frames, how many lz4 blocks).
    fn formats(store: &Store) -> (usize, usize) {
        let mut stmt = store.conn.prepare("SELECT doc FROM findings").unwrap();
        let blobs: Vec<Vec<u8>> = stmt.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
        let zstd = blobs.iter().filter(|b| is_zstd(b)).count();
        (zstd, blobs.len() - zstd)
    }

    // A store writes lz4 until it holds TRAIN_AFTER findings; the next import trains its dictionary
    // once and writes zstd frames with it; documents of both formats read back as imported.
    #[test]
    fn a_store_trains_its_dictionary_and_reads_both_formats() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("s.db")).unwrap();
        let n = TRAIN_AFTER as usize;
        let all = findings(n + 300, 7);
        import(&mut store, all[..n - 100].to_vec());
        import(&mut store, all[n - 100..n + 100].to_vec());
        assert!(!store.codec.has_dictionary(), "the store held {} findings when that import began", n - 100);
        assert_eq!(formats(&store), (0, n + 100));
        import(&mut store, all[n + 100..].to_vec());
        assert!(store.codec.has_dictionary(), "trained once the store held {TRAIN_AFTER} findings");
        assert_eq!(formats(&store), (200, n + 100));
        let dictionaries: i64 = store.conn.query_row("SELECT count(*) FROM dictionaries", [], |r| r.get(0)).unwrap();
        assert_eq!(dictionaries, 1);
        for f in all.iter().step_by(37).chain(all.last()) {
            let key = crate::model::finding::FindingKey::of(f).unwrap();
            let stored = store.get(&key).unwrap().unwrap();
            assert_eq!(stored["Title"], f["Title"]);
            assert_eq!(stored["Resources"], f["Resources"]);
            assert_eq!(stored["ProductFields"], f["ProductFields"]);
        }
        // The dictionary pays: zstd documents are well under half the size of lz4 ones.
        let avg = |zstd: bool| -> f64 {
            let mut stmt = store.conn.prepare("SELECT doc, doc_size FROM findings").unwrap();
            let rows: Vec<(Vec<u8>, i64)> =
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(|r| r.unwrap()).collect();
            let picked: Vec<f64> = rows
                .iter()
                .filter(|(b, _)| is_zstd(b) == zstd)
                .map(|(b, size)| b.len() as f64 / *size as f64)
                .collect();
            picked.iter().sum::<f64>() / picked.len() as f64
        };
        assert!(avg(true) < avg(false) / 2.0, "zstd {:.2} vs lz4 {:.2}", avg(true), avg(false));
    }

    // A process that opened the store before another trained the dictionary reads the documents
    // written with it, and writes with it too (adopted, not trained again).
    #[test]
    fn a_dictionary_trained_by_another_handle_is_read_and_adopted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut early = Store::open(&path).unwrap();
        let mut trainer = Store::open(&path).unwrap();
        let n = TRAIN_AFTER as usize;
        let all = findings(n + 200, 8);
        import(&mut trainer, all[..n].to_vec());
        import(&mut trainer, all[n..n + 100].to_vec());
        assert!(trainer.codec.has_dictionary());
        assert!(!early.codec.has_dictionary());
        let last = crate::model::finding::FindingKey::of(&all[n + 99]).unwrap();
        assert_eq!(early.get(&last).unwrap().unwrap(), trainer.get(&last).unwrap().unwrap());
        import(&mut early, all[n + 100..].to_vec());
        assert!(early.codec.has_dictionary());
        let dictionaries: i64 = early.conn.query_row("SELECT count(*) FROM dictionaries", [], |r| r.get(0)).unwrap();
        assert_eq!(dictionaries, 1);
        assert_eq!(formats(&early), (200, n));
    }

    // The trainer's fixed parameters learn a dictionary that pays on findings it has not seen:
    // documents compressed alone with it are under a fifth of their JSON (~14% on generated ones,
    // ~60% with lz4). Too few samples, or sizes that do not add up, give none.
    #[test]
    fn the_trainer_learns_a_dictionary_from_findings_and_refuses_what_it_cannot() {
        let docs: Vec<Vec<u8>> = findings(1_500, 21).iter().map(|f| serde_json::to_vec(f).unwrap()).collect();
        let (train, test) = docs.split_at(TRAIN_SAMPLES as usize);
        let sizes: Vec<usize> = train.iter().map(Vec::len).collect();
        let dict = train_dictionary(&train.concat(), &sizes).expect("a dictionary");
        assert!(dict.len() <= DICTIONARY_BYTES && dict.len() > DICTIONARY_BYTES / 2, "{}", dict.len());
        let encoder = Encoder { serial: ENCODERS.fetch_add(1, Ordering::Relaxed), dict };
        let mut context = encoder.context().unwrap();
        let (mut json, mut compressed) = (0, 0);
        for doc in test {
            let mut out = Vec::with_capacity(zstd_safe::compress_bound(doc.len()));
            context.compress2(&mut out, doc).unwrap();
            json += doc.len();
            compressed += out.len();
        }
        assert!(compressed * 5 < json, "{compressed} of {json}");

        // zstd learns from no fewer than five samples.
        assert_eq!(train_dictionary(&train[..4].concat(), &sizes[..4]), None);
        assert_eq!(train_dictionary(&train.concat(), &sizes[1..]), None, "sizes short of the samples");
    }

    // A thread's compression context follows the store's dictionary: one thread writing to two
    // stores in turn writes each store's documents with that store's own dictionary.
    #[test]
    fn one_thread_writes_two_stores_each_with_its_own_dictionary() {
        let dir = tempfile::tempdir().unwrap();
        let n = TRAIN_AFTER as usize;
        let trained = |name: &str, seed: u64| {
            let mut store = Store::open(dir.path().join(name)).unwrap();
            let all = findings(n + 100, seed);
            import(&mut store, all[..n].to_vec());
            import(&mut store, all[n..].to_vec());
            assert!(store.codec.has_dictionary());
            store
        };
        let (a, b) = (trained("a.db", 11), trained("b.db", 12));
        let ids = |store: &Store| -> Vec<u32> {
            let mut stmt = store.conn.prepare("SELECT id FROM dictionaries").unwrap();
            stmt.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect()
        };
        let (id_a, id_b) = (ids(&a), ids(&b));
        assert_ne!(id_a, id_b);
        let json = serde_json::to_vec(&findings(1, 13)[0]).unwrap();
        for (store, id, other) in [(&a, &id_a, &b), (&b, &id_b, &a), (&a, &id_a, &b)] {
            let mut blob = Vec::new();
            store.codec.compress(&json, &mut blob).unwrap();
            let frame_dict = zstd_safe::get_dict_id_from_frame(&blob).map(NonZeroU32::get);
            assert_eq!(frame_dict.as_slice(), id.as_slice());
            assert!(blob.len() < json.len() / 3, "{} of {}", blob.len(), json.len());
            assert_eq!(store.codec.decompress(&blob).unwrap(), json);
            let e = other.codec.decompress(&blob).unwrap_err();
            assert!(e.to_string().contains("does not have"), "{e}");
        }
    }

    // Without a dictionary a document is written exactly as versions 1 to 3 wrote it (lz4_flex's
    // size-prepended block), and reads back.
    #[test]
    fn without_a_dictionary_documents_are_the_earlier_lz4_format() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("s.db")).unwrap();
        let mut blob = Vec::new();
        for doc in findings(50, 9) {
            let json = serde_json::to_vec(&doc).unwrap();
            store.codec.compress(&json, &mut blob).unwrap();
            assert_eq!(blob, lz4_flex::compress_prepend_size(&json));
            assert_eq!(store.codec.decompress(&blob).unwrap(), json);
        }
    }

    // A damaged document is an error that says so, not a panic or garbage.
    #[test]
    fn a_damaged_document_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("s.db")).unwrap();
        let mut frame = Vec::new();
        store.codec.compress(b"{\"a\":1}", &mut frame).unwrap();
        assert!(!is_zstd(&frame), "lz4 without a dictionary");
        let mut zstd_frame = Vec::with_capacity(64);
        CCtx::create().compress(&mut zstd_frame, b"{\"a\":1}", 1).unwrap();
        assert_eq!(store.codec.decompress(&zstd_frame).unwrap(), b"{\"a\":1}");
        let mut damaged = zstd_frame.clone();
        let last = damaged.len() - 2;
        damaged[last] ^= 0xff;
        damaged.truncate(last);
        let e = store.codec.decompress(&damaged).unwrap_err();
        assert!(matches!(e, StoreError::Corrupt(_)), "{e}");
        let e = store.codec.decompress(&ZSTD_MAGIC).unwrap_err();
        assert!(e.to_string().contains("zstd document"), "{e}");
    }
}
