//! The free-word text answers exactly what evaluating the words on every document answers, for
//! words from every field they are looked for in, in odd case and beyond ASCII, after imports,
//! BatchImportFindings updates, BatchUpdateFindings edits (Types) and deletions, and once a store
//! of the previous schema is migrated.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::*;
use crate::model::finding::FindingKey;
use crate::model::wire::batch_update::BatchUpdateRequest;
use crate::store::query::halves::split_every_read;
use crate::store::tests::clock;
use crate::store::{Access, Caller, Store};

use crate::store::terms::tests::docs_of;

/// Each ASFF finding has exactly its document's text, and no row outlives its finding.
fn text_follows_documents(store: &Store) {
    for (rowid, doc) in docs_of(store) {
        let stored: Vec<u8> = store
            .conn
            .query_row("SELECT text FROM finding_words WHERE finding = ?1", [rowid], |r| r.get(0))
            .unwrap_or_else(|e| panic!("row {rowid}: {e}"));
        assert_eq!(stored, text_of(&doc), "row {rowid}: {doc}");
    }
    let strays: i64 = store
        .conn
        .query_row("SELECT count(*) FROM finding_words WHERE finding NOT IN (SELECT rowid FROM findings)", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(strays, 0);
}

/// A query term for `word` as itself (quoted, `"` and `\` escaped).
fn quoted(word: &str) -> String {
    format!("\"{}\"", word.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Words cut from each field free words are looked for in (in another case), words across two
/// fields, beyond ASCII, empty, with a NUL; alone, in pairs and beside filters.
fn queries(store: &Store) -> Vec<String> {
    let mut words = BTreeSet::new();
    for (i, (_, doc)) in docs_of(store).iter().enumerate().step_by(7) {
        for def in fields::free_text_fields() {
            any_str_of(def, doc, &mut |s| {
                let chars: Vec<char> = s.chars().collect();
                let (a, b) = (chars.len() / 3, (chars.len() / 3 + 5 + i % 4).min(chars.len()));
                let cut: String = chars[a..b].iter().collect();
                words.insert(if i % 2 == 0 { cut.to_uppercase() } else { cut });
                false
            });
        }
    }
    let mut out: Vec<String> = words.iter().map(|w| quoted(w)).collect();
    for w in [
        "ärger",
        "STRASSE",
        "straße",
        "key",
        "\u{212a}ey",
        "İstanbul",
        "i\u{307}stanbul",
        "ΣΊΣΥΦΟΣ",
        "σίσυφος",
        "ﬁle",
        "a\u{0}b",
        "zzz-nothing",
        "public",
        "s3",
        "ec2",
        "CIS",
        "unicode-title",
        "description\u{0}",
    ] {
        out.push(quoted(w));
    }
    out.push("public s3".into());
    out.push("ärger straße".into());
    out.push("sev>=high public".into());
    out.push("resource:AwsS3Bucket public".into());
    out.push("tag:Environment=prod s3".into());
    out
}

/// Every query answers, through the free-word text (the workbench's `matching_keys`, with and
/// without the words' own check beside it, and the command line's ordered read), exactly the
/// findings evaluating it on each document matches.
fn answers_agree(store: &Store) {
    let now = store.now();
    let docs = docs_of(store);
    for text in queries(store) {
        let q = crate::query::parse(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let expected: BTreeSet<FindingKey> =
            docs.iter().filter(|(_, d)| q.matches(d, now)).filter_map(|(_, d)| FindingKey::of(d)).collect();
        let keys = store.matching_keys(&q.filters, &q.text, None).unwrap();
        assert_eq!(keys.len(), expected.len(), "{text}: each once");
        assert_eq!(keys.into_iter().collect::<BTreeSet<_>>(), expected, "{text}");
        // Read in two halves of the row ids, on two connections, as a large store is.
        let keys = split_every_read(|| store.matching_keys(&q.filters, &q.text, None)).unwrap();
        assert_eq!(keys.len(), expected.len(), "{text} (split): each once");
        assert_eq!(keys.into_iter().collect::<BTreeSet<_>>(), expected, "{text} (split)");
        let keys = split_every_read(|| store.matching_keys(&q.filters, &q.text, Some(&|d: &Value| q.matches_text(d))));
        assert_eq!(keys.unwrap().into_iter().collect::<BTreeSet<_>>(), expected, "{text} (split, documents read)");
        let words = |doc: &Value| q.matches_text(doc);
        let keys = store.matching_keys(&q.filters, &q.text, Some(&words)).unwrap();
        assert_eq!(keys.into_iter().collect::<BTreeSet<_>>(), expected, "{text} (with the words' check)");
        for split in [false, true] {
            let mut listed = Vec::new();
            let mut read = || {
                store.for_each_rendered(&Access::Unrestricted, &q.filters, &q.text, &[], None, None, &|d| d, &mut |d| {
                    listed.extend(FindingKey::of(&d));
                    Ok(true)
                })
            };
            if split { split_every_read(read) } else { read() }.unwrap();
            assert_eq!(listed.len(), expected.len(), "{text} (ordered read, split {split}): each once");
            assert_eq!(listed.into_iter().collect::<BTreeSet<_>>(), expected, "{text} (ordered read, split {split})");
        }
        // With a limit, common words read in order rather than through the text (`Words::worth_it`):
        // either way, the same first findings.
        let all = ordered(store, &q, None);
        for limit in [1, 3, 40] {
            assert_eq!(
                ordered(store, &q, Some(limit)),
                all.iter().take(limit).cloned().collect::<Vec<_>>(),
                "{text} --limit {limit}"
            );
        }
    }
}

/// The keys `findings QUERY [--limit N]` lists, in its order.
fn ordered(store: &Store, q: &crate::query::Query, limit: Option<usize>) -> Vec<FindingKey> {
    let mut listed = Vec::new();
    store
        .for_each_rendered(&Access::Unrestricted, &q.filters, &q.text, &[], limit, None, &|d| d, &mut |d| {
            listed.extend(FindingKey::of(&d));
            Ok(true)
        })
        .unwrap();
    listed
}

/// `findings WORD --limit N`: a word most findings have is not looked for in the whole text first
/// (the ordered read stops after a few documents); a rare one, or no limit, is.
#[test]
fn a_common_word_with_a_small_limit_reads_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("s.db")).unwrap().with_clock(clock);
    assert!(import(&mut store, findings()) >= 300);
    let docs = docs_of(&store);
    let rare = FindingKey::of(&docs[7].1).unwrap().id;
    let scans = |text: &str, limit: Option<usize>| {
        let q = crate::query::parse(text).unwrap();
        let before = TEXTS_SCANNED.with(std::cell::Cell::get);
        let listed = ordered(&store, &q, limit);
        (TEXTS_SCANNED.with(std::cell::Cell::get) - before, listed.len())
    };
    assert_eq!(scans("a", Some(3)), (0, 3), "common word, small limit: in order");
    assert_eq!(scans(&quoted(&rare), Some(3)).0, 1, "rare word: through the text");
    let (scanned, n) = scans("a", None);
    assert_eq!(scanned, 1, "no limit: through the text");
    assert!(n > 250, "{n}");
}

/// Findings with words in every field free words are looked for in, beyond ASCII and in odd case.
fn odd_findings() -> Vec<Value> {
    use crate::model::finding::tests::sample;
    let mut out = Vec::new();
    let mut f = sample("unicode-title");
    f["Title"] = json!("ÄRGER in der Straße: \u{212a}elvin");
    f["Description"] = json!("ΣΊΣΥΦΟΣ İstanbul ﬁle");
    f["GeneratorId"] = json!("Gen/ÜBER");
    f["AwsAccountName"] = json!("Prod-Ärger");
    f["ProductName"] = json!("Odd Product");
    f["Types"] = json!(["Software and Configuration Checks/Ünusual", "Effects/Data Exposure"]);
    f["Resources"] =
        json!([{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::Public-Bucket-ß"}, {"Type": "Other", "Id": "x/Ü"}]);
    out.push(f);
    let mut f = sample("description-end");
    f["Title"] = json!("ends in DESCRIPTION");
    f["Description"] = json!("a\u{0}b inside");
    out.push(f);
    let mut f = sample("kelvin");
    f["Title"] = json!("\u{212a}EY only as a Kelvin sign");
    f["Compliance"] = json!({"Status": "FAILED", "SecurityControlId": "S3.Public.ÄRGER"});
    out.push(f);
    out
}

fn import(store: &mut Store, findings: Vec<Value>) -> usize {
    let calls: Vec<Vec<Value>> = findings.chunks(100).map(<[Value]>::to_vec).collect();
    store.import_calls(&Caller::unrestricted("t"), calls).unwrap().into_iter().map(|r| r.unwrap().success_count).sum()
}

fn findings() -> Vec<Value> {
    let generated =
        crate::generate::generate(&crate::generate::GenOptions { count: 300, seed: 11, ..Default::default() });
    [generated.collect(), odd_findings()].concat()
}

#[test]
fn free_words_through_the_text_answer_as_the_documents_do() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("s.db")).unwrap().with_clock(clock);
    let findings = findings();
    assert!(import(&mut store, findings.clone()) >= 300);
    text_follows_documents(&store);
    answers_agree(&store);

    // BatchImportFindings updates: titles and descriptions changed.
    let updated: Vec<Value> = findings
        .iter()
        .step_by(3)
        .map(|f| {
            let mut f = f.clone();
            f["UpdatedAt"] = json!("2026-11-02T00:00:00.000Z");
            f["Title"] = json!(format!("Retitled PUBLIC ärger {}", f["Title"].as_str().unwrap_or_default()));
            f["Description"] = json!("new description");
            f
        })
        .collect();
    import(&mut store, updated);
    // BatchUpdateFindings: Types (free words are looked for in them) and the workflow.
    let keys: Vec<FindingKey> = findings.iter().step_by(5).filter_map(FindingKey::of).collect();
    let mut body = json!({"Types": ["Unusual Behaviors/Öffentlich Public"], "Workflow": {"Status": "NOTIFIED"}});
    body["FindingIdentifiers"] = json!(keys.iter().take(100).map(FindingKey::to_json).collect::<Vec<_>>());
    store.batch_update(&Caller::unrestricted("bob"), &BatchUpdateRequest::from_json(&body).unwrap()).unwrap();
    store.conn.execute("DELETE FROM findings WHERE rowid % 7 = 0", []).unwrap();
    text_follows_documents(&store);
    answers_agree(&store);
}

#[test]
fn a_store_of_the_previous_schema_gets_its_text_and_answers_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    {
        let mut store = Store::open(&path).unwrap().with_clock(clock);
        assert!(import(&mut store, findings()) >= 300);
        store
            .conn
            .execute_batch("DROP TRIGGER finding_words_dropped; DROP TABLE finding_words; PRAGMA user_version = 12;")
            .unwrap();
    }
    let store = Store::open(&path).unwrap().with_clock(clock);
    let version: i64 = store.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 16);
    text_follows_documents(&store);
    answers_agree(&store);
}
