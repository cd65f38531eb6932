//! A store used as a read cache of a remote Security Hub (`remote::cache`): the remote's documents
//! written exactly as returned, with no import rules applied (no CreatedAt kept, no Workflow change,
//! no history), so that the cache shows what the service holds; and findings removed when they
//! leave the mirrored view. The listing columns come from the same `Summary::of` as an import's, so
//! a cache lists at the speed of a local store of its size. OCSF documents (GetFindingsV2) are
//! mirrored the same way beside them (`mirror_ocsf`), in the rows `store::ocsf` writes.

use std::collections::HashSet;

use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde_json::Value;

use super::codec::Codec;
use super::ocsf;
use super::rows::{write_finding, Encoded, Inserter, Scratch};
use super::{id_hash, Result, Store, BY_KEY};
use crate::model::finding::FindingKey;
use crate::model::import::BufFields;
use crate::model::ocsf::import::V2Edited;
use crate::model::ocsf::Ocsf;
use crate::model::timestamp;

/// What writing a page of the remote's documents changed in the cache.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mirrored {
    /// Findings the cache did not hold.
    pub new: Vec<FindingKey>,
    /// Findings it held with another document.
    pub updated: Vec<FindingKey>,
    /// Findings it held with the same document.
    pub unchanged: usize,
    /// Documents without an Id and ProductArn, not cached.
    pub skipped: usize,
}

/// The two formats as the cache keeps them: how a document is keyed, found and written.
#[derive(Debug, Clone, Copy)]
enum Form {
    /// GetFindings' documents, keyed by (ProductArn, Id).
    Asff,
    /// GetFindingsV2's, keyed by `metadata.uid` (reported with `metadata.product.uid`).
    Ocsf,
}

impl Form {
    /// The document's key, if it has one.
    fn key(self, doc: &Value) -> Option<FindingKey> {
        match self {
            Form::Asff => FindingKey::of(doc),
            Form::Ocsf => {
                let f = Ocsf(doc);
                let (uid, product) = (f.metadata_uid(), f.product_uid());
                let named = !uid.trim().is_empty() && !product.trim().is_empty();
                named.then(|| FindingKey { product_arn: product.into(), id: uid.to_string() })
            }
        }
    }

    fn lookup_sql(self) -> String {
        let cond = match self {
            Form::Asff => BY_KEY,
            Form::Ocsf => ocsf::BY_UID,
        };
        format!("SELECT rowid, doc FROM findings WHERE {cond}")
    }

    /// The stored row of `key`: its rowid and document.
    fn find(self, lookup: &mut rusqlite::Statement<'_>, key: &FindingKey) -> Result<Option<(i64, Vec<u8>)>> {
        let row = |r: &rusqlite::Row<'_>| Ok((r.get(0)?, r.get(1)?));
        Ok(match self {
            Form::Asff => lookup.query_row(params![id_hash(&key.id), key.id, key.product_arn], row),
            Form::Ocsf => lookup.query_row(params![id_hash(&key.id), key.id], row),
        }
        .optional()?)
    }
}

/// What one mirroring transaction writes with.
struct Writer<'t> {
    tx: &'t rusqlite::Transaction<'t>,
    codec: &'t Codec,
    scratch: &'t mut Scratch,
    inserter: Inserter<'t>,
    now_ns: i64,
}

impl Writer<'_> {
    /// Writes `doc` as it is: over the row `rowid`, or as a new row.
    fn write(&mut self, form: Form, key: &FindingKey, doc: &Value, rowid: Option<i64>) -> Result<()> {
        match (form, rowid) {
            (Form::Asff, rowid) => {
                self.scratch.encode_json(doc)?;
                let encoded = Encoded::of(doc, self.scratch, self.codec)?;
                match rowid {
                    Some(rowid) => {
                        // Every column written: the stored summary is not compared with.
                        let before = std::array::from_fn(|_| rusqlite::types::Value::Null);
                        write_finding(self.tx, rowid, &before, encoded, BufFields::default())?;
                    }
                    None => {
                        self.inserter.insert(key, &encoded, self.now_ns)?;
                    }
                }
            }
            (Form::Ocsf, Some(rowid)) => ocsf::rewrite(self.tx, self.codec, rowid, doc, V2Edited::default())?,
            (Form::Ocsf, None) => {
                ocsf::insert(self.tx, self.codec, doc, self.now_ns)?;
            }
        }
        Ok(())
    }
}

impl Store {
    /// Writes the remote's documents as they are, in one transaction: a finding the store holds is
    /// replaced, one it does not is added.
    pub fn mirror(&mut self, docs: &[Value]) -> Result<Mirrored> {
        self.mirror_as(Form::Asff, docs)
    }

    /// Writes GetFindingsV2's documents as they are, in one transaction, keyed by `metadata.uid`:
    /// no import rule (`model::ocsf::import`) applied, so the cache shows what the service holds.
    /// The keys reported are (`metadata.product.uid`, `metadata.uid`), the columns the OCSF row is
    /// stored under, so `forget` removes it.
    pub fn mirror_ocsf(&mut self, docs: &[Value]) -> Result<Mirrored> {
        self.mirror_as(Form::Ocsf, docs)
    }

    /// `mirror` or `mirror_ocsf`: each document compared with the stored one, and written only
    /// when it differs.
    fn mirror_as(&mut self, form: Form, docs: &[Value]) -> Result<Mirrored> {
        self.train_dictionary_if_due()?;
        let now_ns = timestamp::to_nanos(self.now());
        let mut out = Mirrored::default();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let codec: &Codec = &self.codec;
            let mut lookup = tx.prepare_cached(&form.lookup_sql())?;
            let inserter = Inserter::new(&tx)?;
            let mut writer = Writer { tx: &tx, codec, scratch: &mut self.scratch, inserter, now_ns };
            let mut seen = HashSet::new();
            for doc in docs {
                let Some(key) = form.key(doc) else {
                    out.skipped += 1;
                    continue;
                };
                let found = form.find(&mut lookup, &key)?;
                if let Some((_, blob)) = &found {
                    if codec.decompress(blob).ok().and_then(|j| serde_json::from_slice::<Value>(&j).ok()).as_ref()
                        == Some(doc)
                    {
                        out.unchanged += 1;
                        continue;
                    }
                }
                let rowid = found.map(|(rowid, _)| rowid);
                writer.write(form, &key, doc, rowid)?;
                if seen.insert(key.clone()) {
                    if rowid.is_some() {
                        out.updated.push(key)
                    } else {
                        out.new.push(key)
                    }
                }
            }
        }
        tx.commit()?;
        self.known_ids = None;
        self.committed();
        Ok(out)
    }

    /// Removes these findings (those that left the mirrored view); returns those it held.
    pub fn forget(&mut self, keys: &[FindingKey]) -> Result<Vec<FindingKey>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut held = Vec::new();
        {
            let mut history = tx.prepare_cached(&format!(
                "DELETE FROM history WHERE finding IN (SELECT rowid FROM findings WHERE {BY_KEY})"
            ))?;
            let mut delete = tx.prepare_cached(&format!("DELETE FROM findings WHERE {BY_KEY}"))?;
            for k in keys {
                let p = params![id_hash(&k.id), k.id, k.product_arn];
                history.execute(p)?;
                if delete.execute(p)? > 0 {
                    held.push(k.clone());
                }
            }
        }
        tx.commit()?;
        self.known_ids = None;
        self.committed();
        Ok(held)
    }

    /// Every ASFF finding's identity, for a full GetFindings pass to tell which ones the remote no
    /// longer returns (OCSF rows are GetFindingsV2's to keep or drop: `all_ocsf_keys`).
    pub fn all_keys(&self) -> Result<Vec<FindingKey>> {
        self.keys_of("asff")
    }

    /// Every OCSF finding's identity (`metadata.product.uid`, `metadata.uid`), as `mirror_ocsf`
    /// reports them, for a full GetFindingsV2 pass.
    pub fn all_ocsf_keys(&self) -> Result<Vec<FindingKey>> {
        self.keys_of("ocsf")
    }

    fn keys_of(&self, format: &str) -> Result<Vec<FindingKey>> {
        let mut stmt = self.conn.prepare_cached("SELECT product_arn, id FROM findings WHERE format = ?1")?;
        let rows = stmt.query_map([format], |r| Ok(FindingKey { product_arn: r.get(0)?, id: r.get(1)? }))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{generate, GenOptions};

    // The document read back is the one given, byte for byte as JSON: no import rule touched it
    // (an import would keep the first CreatedAt and reset a RESOLVED finding's Workflow on change).
    #[test]
    fn mirrored_documents_are_stored_exactly_and_replaced_and_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("c.db")).unwrap();
        let mut docs: Vec<Value> = generate(&GenOptions { count: 3, seed: 9, ..GenOptions::default() }).collect();
        docs[0]["Workflow"] = serde_json::json!({"Status": "RESOLVED"});
        docs[0]["Unknown"] = serde_json::json!({"kept": [1, 2]});
        let m = store.mirror(&docs).unwrap();
        assert_eq!((m.new.len(), m.updated.len(), m.unchanged), (3, 0, 0));
        let key = FindingKey::of(&docs[0]).unwrap();
        assert_eq!(store.get(&key).unwrap().as_ref(), Some(&docs[0]));
        docs[0]["CreatedAt"] = Value::String("2020-01-01T00:00:00.000Z".into());
        let m = store.mirror(&docs).unwrap();
        assert_eq!((m.new.len(), m.updated, m.unchanged), (0, vec![key.clone()], 2));
        assert_eq!(store.get(&key).unwrap().as_ref(), Some(&docs[0]));
        assert_eq!(store.count().unwrap(), 3);
        assert_eq!(store.forget(&[key.clone(), FindingKey::new("arn:x", "nope")]).unwrap(), vec![key.clone()]);
        assert_eq!(store.count().unwrap(), 2);
        assert_eq!(store.all_keys().unwrap().len(), 2);
    }

    // OCSF documents are kept as returned beside the ASFF ones, keyed by metadata.uid, and each
    // format's keys are its own (a full pass of one API never drops the other's findings).
    #[test]
    fn ocsf_documents_are_mirrored_exactly_beside_asff_ones() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("c.db")).unwrap();
        let opts = GenOptions { count: 2, seed: 4, ..GenOptions::default() };
        store.mirror(&generate(&opts).collect::<Vec<_>>()).unwrap();
        let mut docs: Vec<Value> = crate::generate::ocsf::generate_ocsf(&opts).collect();
        docs[0]["unmapped"] = serde_json::json!({"kept": true});
        let m = store.mirror_ocsf(&docs).unwrap();
        assert_eq!((m.new.len(), m.updated.len(), m.unchanged, m.skipped), (2, 0, 0, 0));
        assert_eq!(store.get(&m.new[0]).unwrap().as_ref(), Some(&docs[0]));
        docs[1]["status_id"] = serde_json::json!(4);
        let again = store.mirror_ocsf(&docs).unwrap();
        assert_eq!((again.new.len(), again.updated.len(), again.unchanged), (0, 1, 1));
        assert_eq!(store.get(&again.updated[0]).unwrap().as_ref(), Some(&docs[1]));
        assert_eq!((store.all_keys().unwrap().len(), store.all_ocsf_keys().unwrap().len()), (2, 2));
        assert_eq!(store.forget(&m.new[..1]).unwrap().len(), 1);
        assert_eq!((store.all_keys().unwrap().len(), store.all_ocsf_keys().unwrap().len()), (2, 1));
    }
}
