//! The demo findings in a local store: counting them and removing them (with their history). A
//! finding is demo data by `generate::is_demo`'s rule, read here from the summary columns. Only a
//! local store can do this: Security Hub has no operation that deletes a finding (a provider can
//! only archive it), so a remote source would refuse it.

use rusqlite::{params, Connection};

use super::{Result, Store, TransactionBehavior};
use crate::generate::{DEMO_COMPANY_NAME, DEMO_GENERATOR_PREFIX};

/// `generate::is_demo` over the summary columns: ?1 the demo CompanyName, ?2 the GeneratorId prefix
/// (compared exactly: LIKE would ignore case and read `_` as a wildcard).
const IS_DEMO: &str = "company_name = ?1 AND substr(generator_id, 1, length(?2)) = ?2";

/// The page cache while looking for demo findings (negative: KiB): a scan reads each page once.
const SCAN_CACHE_KIB: i64 = -256;

/// Row ids per part of `has_demo_from`: about 30 ms of reading on a quiet machine.
pub const DEMO_PART: i64 = 65_536;

impl Store {
    /// How many demo findings the store holds.
    pub fn count_demo(&self) -> Result<u64> {
        let sql = format!("SELECT count(*) FROM findings WHERE {IS_DEMO}");
        Ok(self.conn.query_row(&sql, params![DEMO_COMPANY_NAME, DEMO_GENERATOR_PREFIX], |r| r.get(0))?)
    }

    /// Whether the store holds any demo finding: `count_demo() > 0`, stopping at the first. A store
    /// without any is read to the end (the workbench asks once its rows are loaded): through a
    /// small page cache, released after, so that the scan leaves the process's memory as it found
    /// it (SQLite's own cache would keep 64 MB of pages; a mapped file would count all its pages
    /// as resident while the scan runs).
    pub fn has_demo(&self) -> Result<bool> {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM findings WHERE {IS_DEMO})");
        self.through_scan_cache(|conn| {
            conn.query_row(&sql, params![DEMO_COMPANY_NAME, DEMO_GENERATOR_PREFIX], |r| r.get(0))
        })
    }

    /// `read` through a small page cache, released after (see `has_demo`), the connection's own
    /// cache size put back whether `read` succeeded or not.
    fn through_scan_cache<T>(&self, read: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        let cache: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        self.conn.execute_batch(&format!("PRAGMA cache_size = {SCAN_CACHE_KIB}"))?;
        let found = read(&self.conn);
        self.conn.execute_batch(&format!("PRAGMA cache_size = {cache}; PRAGMA shrink_memory"))?;
        Ok(found?)
    }

    /// `has_demo` a part at a time: whether a demo finding has a row id in `from..from + DEMO_PART`
    /// (`Some(true)`), else `None` while there are rows after that part, else `Some(false)`. The
    /// parts are read one statement each: a demo finding written meanwhile into a part already read
    /// is not seen, as it would not be by `has_demo` had it run a moment earlier (writing the demo
    /// describes the source again).
    pub fn has_demo_from(&self, from: i64) -> Result<Option<bool>> {
        let to = from.saturating_add(DEMO_PART);
        let sql = format!(
            "SELECT EXISTS (SELECT 1 FROM findings WHERE rowid >= ?3 AND rowid < ?4 AND {IS_DEMO}), \
             EXISTS (SELECT 1 FROM findings WHERE rowid >= ?4)"
        );
        let found = self.through_scan_cache(|conn| {
            conn.query_row(&sql, params![DEMO_COMPANY_NAME, DEMO_GENERATOR_PREFIX, from, to], |r| {
                Ok((r.get::<_, bool>(0)?, r.get::<_, bool>(1)?))
            })
        });
        Ok(match found? {
            (true, _) => Some(true),
            (false, true) => None,
            (false, false) => Some(false),
        })
    }

    /// Deletes every demo finding and its history in one transaction; returns how many were
    /// deleted. Every other finding, and its history, is left as it was.
    pub fn remove_demo(&mut self) -> Result<u64> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let demo = params![DEMO_COMPANY_NAME, DEMO_GENERATOR_PREFIX];
        tx.execute(
            &format!("DELETE FROM history WHERE finding IN (SELECT rowid FROM findings WHERE {IS_DEMO})"),
            demo,
        )?;
        let removed = tx.execute(&format!("DELETE FROM findings WHERE {IS_DEMO}"), demo)?;
        tx.commit()?;
        // The ids this connection knew to be stored (`import::KnownIds`) include the deleted ones.
        self.known_ids = None;
        if removed > 0 {
            self.committed();
        }
        Ok(removed as u64)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::generate::{generate, GenOptions};
    use crate::model::finding::FindingKey;
    use crate::model::wire::batch_update::BatchUpdateRequest;
    use crate::store::{Caller, HistoryRequest};

    fn key(f: &Value) -> FindingKey {
        FindingKey::new(f["ProductArn"].as_str().unwrap(), f["Id"].as_str().unwrap())
    }

    fn note(store: &mut Store, f: &Value, text: &str) {
        let k = key(f);
        let body = json!({
            "FindingIdentifiers": [{"Id": k.id, "ProductArn": k.product_arn}],
            "Note": {"Text": text, "UpdatedBy": "alice"},
        });
        let r = store.batch_update(&Caller::unrestricted("alice"), &BatchUpdateRequest::from_json(&body).unwrap());
        assert_eq!(r.unwrap().processed.len(), 1);
    }

    /// Each finding's stored document and history, as JSON text.
    fn snapshot(store: &Store, findings: &[Value]) -> Vec<(String, String)> {
        findings
            .iter()
            .map(|f| {
                let doc = store.get(&key(f)).unwrap().unwrap();
                let history = store.finding_history(&HistoryRequest::new(key(f))).unwrap();
                (serde_json::to_string(&doc).unwrap(), format!("{:?}", history.records))
            })
            .collect()
    }

    // A store holding the demo and imported findings: removing the demo deletes exactly the demo
    // findings and their history; the imported ones are left byte for byte, history included.
    #[test]
    fn removes_the_demo_findings_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("s.db")).unwrap().with_clock(crate::store::tests::clock);
        // The demo's ASFF findings and its OCSF ones.
        let all = crate::generate::DEMO_COUNT + crate::generate::ocsf::DEMO_OCSF_COUNT;
        assert_eq!(crate::store::import_demo(&mut store).unwrap(), all);
        let mut mine: Vec<Value> = generate(&GenOptions { count: 150, seed: 5, ..GenOptions::default() }).collect();
        // Named like the demo but not generated by it: not demo data.
        mine[0]["CompanyName"] = json!(DEMO_COMPANY_NAME);
        mine[1]["GeneratorId"] = json!(format!("{DEMO_GENERATOR_PREFIX}x"));
        mine[2]["CompanyName"] = json!("Hubtriage Demo");
        mine[2]["GeneratorId"] = json!("HUBTRIAGE-DEMO/x");
        let calls: Vec<Vec<Value>> = mine.chunks(100).map(<[Value]>::to_vec).collect();
        for r in store.import_calls(&Caller::unrestricted("me"), calls).unwrap() {
            assert!(r.unwrap().failed.is_empty());
        }
        let demo = crate::generate::demo_dataset();
        note(&mut store, &demo[0], "looked at the demo");
        note(&mut store, &mine[3], "mine");
        let before = snapshot(&store, &mine);
        assert_eq!(store.count_demo().unwrap(), all as u64);
        assert!(store.has_demo().unwrap());

        assert_eq!(store.remove_demo().unwrap(), all as u64);
        assert_eq!(store.count().unwrap(), 150);
        assert_eq!(store.count_demo().unwrap(), 0);
        // The look-alikes are not demo data.
        assert!(!store.has_demo().unwrap());
        assert_eq!(snapshot(&store, &mine), before);
        assert!(demo.iter().all(|f| store.get(&key(f)).unwrap().is_none()));
        let orphans: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM history WHERE finding NOT IN (SELECT rowid FROM findings)", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(orphans, 0, "the demo's history goes with it");

        // Nothing left to remove: nothing changes.
        assert_eq!(store.remove_demo().unwrap(), 0);
        assert_eq!(snapshot(&store, &mine), before);
        // The demo can be loaded again afterwards.
        assert_eq!(crate::store::import_demo(&mut store).unwrap(), all);
        assert_eq!(store.count_demo().unwrap(), all as u64);
    }

    // The workbench's header names the source: a store holding demo findings says so.
    #[test]
    fn the_source_says_demo_data_while_the_store_holds_demo_findings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut b = crate::store::StoreBackend::open(&path, Caller::unrestricted("me")).unwrap();
        let plain = path.display().to_string();
        assert_eq!(crate::backend::Backend::describe(&b), plain);
        crate::store::import_demo(&mut b.store).unwrap();
        assert_eq!(crate::backend::Backend::describe(&b), format!("{plain} · demo data"));
        b.store.remove_demo().unwrap();
        assert_eq!(crate::backend::Backend::describe(&b), plain);
    }

    /// The description a part at a time reads as the whole: parts before the demo findings go on,
    /// the part holding one says demo data, and a store without any is read to its last row.
    #[test]
    fn the_source_is_described_a_part_at_a_time() {
        use crate::backend::{Backend, Describing};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut b = crate::store::StoreBackend::open(&path, Caller::unrestricted("me")).unwrap();
        let plain = path.display().to_string();
        let whole = |b: &crate::store::StoreBackend| {
            let (mut from, mut parts) = (0, 0);
            loop {
                parts += 1;
                match b.describe_from(from) {
                    Describing::Done(d) => return (d, parts),
                    Describing::From(next) => {
                        assert!(next > from);
                        from = next;
                    }
                }
            }
        };
        assert_eq!(whole(&b), (plain.clone(), 1), "an empty store");
        let mine: Vec<Value> = generate(&GenOptions { count: 20, seed: 5, ..GenOptions::default() }).collect();
        b.store.import_calls(&Caller::unrestricted("me"), vec![mine]).unwrap();
        // The demo's rows after a gap of more than a part of row ids.
        b.store.conn().execute("UPDATE findings SET rowid = rowid + 3 * ?1 WHERE rowid = 20", [DEMO_PART]).unwrap();
        assert_eq!(whole(&b), (plain.clone(), 4), "read to the last row");
        crate::store::import_demo(&mut b.store).unwrap();
        let demo_at: i64 = b
            .store
            .conn()
            .query_row("SELECT min(rowid) FROM findings WHERE company_name = ?1", [DEMO_COMPANY_NAME], |r| r.get(0))
            .unwrap();
        assert!(demo_at > 3 * DEMO_PART, "{demo_at}");
        assert_eq!(whole(&b), (format!("{plain} · demo data"), 4));
        assert_eq!(b.store.has_demo_from(0).unwrap(), None);
        assert_eq!(b.store.has_demo_from(3 * DEMO_PART).unwrap(), Some(true));
        b.store.remove_demo().unwrap();
        assert_eq!(whole(&b), (plain, 4));
    }
}
