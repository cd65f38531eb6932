//! The listing's tests: order, access, twins, and the mapped scan.

use super::*;
use crate::generate::{generate, GenOptions};
use crate::store::Caller;

/// A store (`s.db` in the returned directory) of `count` generated findings, imported in calls of 100.
fn store_of(count: usize) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("s.db")).unwrap();
    let docs: Vec<_> = generate(&GenOptions { count, ..GenOptions::default() }).collect();
    for chunk in docs.chunks(100) {
        store.batch_import(&Caller::unrestricted("t"), chunk.to_vec()).unwrap();
    }
    (dir, store)
}

#[test]
fn lists_every_finding_most_severe_first() {
    let (_dir, store) = store_of(150);
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

/// The workbench's listing: the first rows as `for_each_listed` orders them (whichever index a
/// severity is read through), then every other row once.
#[test]
fn the_streamed_listing_leads_with_the_first_rows_in_order_and_lists_each_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("s.db")).unwrap();
    let docs: Vec<_> = generate(&GenOptions { count: 400, ..GenOptions::default() }).collect();
    for chunk in docs.chunks(100) {
        store.batch_import(&Caller::unrestricted("t"), chunk.to_vec()).unwrap();
    }
    let keys = |first: Option<usize>, access: &Access| {
        let mut all = Vec::new();
        let sink = |f: SummaryColumns| {
            all.push(f.key);
            true
        };
        match first {
            Some(first) => store.for_each_listed_streamed_as(access, first, sink).unwrap(),
            None => store.for_each_listed_as(access, sink).unwrap(),
        }
        all
    };
    let ordered = keys(None, &Access::Unrestricted);
    assert_eq!(ordered.len(), 400);
    // 400 rows: a severity held by more than sqrt(first * 400) rows is walked by updated time.
    for first in [0, 1, 5, 50, 399, 400, 1000] {
        let streamed = keys(Some(first), &Access::Unrestricted);
        let n = first.min(400);
        assert_eq!(streamed[..n], ordered[..n], "the first {first} in order");
        let mut a = streamed.clone();
        let mut b = ordered.clone();
        a.sort();
        b.sort();
        assert_eq!(a, b, "every row once (first {first})");
    }
    let account = docs[0]["AwsAccountId"].as_str().unwrap().to_string();
    let member = Access::Member { account };
    let ordered = keys(None, &member);
    assert!(!ordered.is_empty() && ordered.len() < 400);
    let streamed = keys(Some(30), &member);
    assert_eq!(streamed[..30.min(ordered.len())], ordered[..30.min(ordered.len())]);
    assert_eq!(streamed.len(), ordered.len(), "what the access sees, once each");
    let mut stopped = 0;
    store
        .for_each_listed_streamed_as(&Access::Unrestricted, 5, |_| {
            stopped += 1;
            stopped < 3
        })
        .unwrap();
    assert_eq!(stopped, 3, "the sink can stop the first page");
}

/// The workbench's listing reads each row in place into its summary: exactly what
/// `from_columns` makes of the row's columns (ASFF and OCSF rows, times not in the service's
/// form, text to sanitise), in the same order, and a value many rows hold is one copy.
#[test]
fn summaries_read_in_place_are_the_columns_summaries_with_values_shared() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("s.db")).unwrap();
    let mut docs: Vec<_> = generate(&GenOptions { count: 120, ..GenOptions::default() }).collect();
    docs[1]["UpdatedAt"] = "2026-10-31T23:59:59Z".into();
    docs[2]["UpdatedAt"] = "2026-10-31T23:59:59.5+01:00".into();
    docs[3]["Title"] = "bad\u{1b}[2J title".into();
    for chunk in docs.chunks(100) {
        let r = store.batch_import(&Caller::unrestricted("t"), chunk.to_vec()).unwrap();
        assert!(r.failed.is_empty(), "{:?}", r.failed);
    }
    let opts = GenOptions { count: 3, seed: 5, ..GenOptions::default() };
    let mut ocsf: Vec<serde_json::Value> = crate::generate::ocsf::generate_ocsf(&opts).collect();
    ocsf[0]["finding_info"]["types"] = serde_json::json!(["A/B", "C"]);
    assert_eq!(store.import_ocsf(&Caller::unrestricted("t"), ocsf).unwrap().success_count, 3);
    let mut columns = Vec::new();
    store
        .for_each_listed_streamed_as(&Access::Unrestricted, 7, |f| {
            columns.push(FindingSummary::from_columns(f));
            true
        })
        .unwrap();
    let mut summaries = Vec::new();
    store
        .for_each_summary_streamed_as(&Access::Unrestricted, 7, |s| {
            summaries.push(s);
            true
        })
        .unwrap();
    assert_eq!(summaries.len(), 123);
    assert_eq!(summaries, columns);
    assert!(summaries.iter().any(|s| s.updated_text.is_some()), "a time kept as written");
    assert!(summaries.iter().any(|s| s.types.contains(", ")), "types joined");
    let same_account: Vec<&FindingSummary> = summaries.iter().filter(|s| s.account == summaries[0].account).collect();
    assert!(same_account.len() > 1);
    assert!(same_account.iter().all(|s| s.account.same(&summaries[0].account)), "one copy of the account");
}

/// The listing gives each row its generator and types: ASFF from the columns, OCSF its
/// analytic's uid (else name) as the ASFF mapping names the generator, and its types.
#[test]
fn rows_list_their_generator_and_types() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("s.db")).unwrap();
    let docs: Vec<_> = generate(&GenOptions { count: 30, ..GenOptions::default() }).collect();
    store.batch_import(&Caller::unrestricted("t"), docs.clone()).unwrap();
    let opts = GenOptions { count: 2, seed: 3, ..GenOptions::default() };
    let mut ocsf: Vec<serde_json::Value> = crate::generate::ocsf::generate_ocsf(&opts).collect();
    ocsf[0]["finding_info"]["analytic"]["uid"] = "rule-uid-1".into();
    ocsf[0]["finding_info"]["analytic"]["name"] = "Rule one".into();
    ocsf[0]["finding_info"]["types"] = serde_json::json!(["A/B", "C"]);
    let r = store.import_ocsf(&Caller::unrestricted("t"), ocsf.clone()).unwrap();
    assert_eq!(r.success_count, 2, "{:?}", r.failed);
    let mut rows = std::collections::HashMap::new();
    store
        .for_each_listed(|f| {
            let s = FindingSummary::from_columns(f);
            rows.insert(s.key.display_id().to_string(), s);
            true
        })
        .unwrap();
    for d in &docs {
        let row = &rows[d["Id"].as_str().unwrap()];
        assert_eq!(row.generator, d["GeneratorId"].as_str().unwrap());
        let types: Vec<&str> = d["Types"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
        assert!(!types.is_empty());
        assert_eq!(row.types, types.join(", "));
    }
    let uid = ocsf[0]["metadata"]["uid"].as_str().unwrap();
    let row = rows.values().find(|r| r.key.display_id() == uid).unwrap();
    assert_eq!((row.generator.as_str(), row.types.as_str()), ("rule-uid-1", "A/B, C"));
    assert_eq!(row, &FindingSummary::from_ocsf(&ocsf[0]), "the listing reads as the document");
}

/// The workbench's listing reads the table mapped into memory (no copy of each page out of the
/// OS's cache), and unmaps it when done, so its pages do not stay in the process's resident set.
#[test]
fn the_streamed_listing_reads_the_file_mapped_and_unmaps_it_after() {
    let (_dir, store) = store_of(30);
    let mmap_size = |store: &Store| store.conn().query_row("PRAGMA mmap_size", [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(mmap_size(&store), 0);
    let mut during = Vec::new();
    store
        .for_each_summary_streamed_as(&Access::Unrestricted, 5, |_| {
            during.push(mmap_size(&store));
            true
        })
        .unwrap();
    assert_eq!(during.len(), 30);
    assert!(during.iter().all(|&m| m == MMAP_SIZE), "{during:?}");
    assert_eq!(mmap_size(&store), 0, "unmapped after the listing");
    let cache_size = |store: &Store| store.conn().query_row("PRAGMA cache_size", [], |r| r.get::<_, i64>(0)).unwrap();
    let cache = cache_size(&store);
    assert!(!store.has_demo().unwrap());
    assert_eq!(mmap_size(&store), 0, "not mapped to look for demo findings");
    assert_eq!(cache_size(&store), cache, "the page cache's size is restored");
}

/// A million rows' load builds the summaries on a helper thread while this one reads the table
/// (`pipeline`): over several batches the rows are exactly the columns' summaries in the same
/// order, the sink still stops the load at once, and a commit by another connection during the
/// load is not seen (one read transaction: the store of one moment).
#[test]
fn the_pipelined_load_builds_rows_on_a_helper_thread_as_one_moment_in_order() {
    let (dir, mut store) = store_of(2600);
    let path = dir.path().join("s.db");
    let opts = GenOptions { count: 3, seed: 5, ..GenOptions::default() };
    let ocsf: Vec<serde_json::Value> = crate::generate::ocsf::generate_ocsf(&opts).collect();
    assert_eq!(store.import_ocsf(&Caller::unrestricted("t"), ocsf).unwrap().success_count, 3);
    let mut columns = Vec::new();
    store
        .for_each_listed_streamed_as(&Access::Unrestricted, 7, |f| {
            columns.push(FindingSummary::from_columns(f));
            true
        })
        .unwrap();
    assert_eq!(columns.len(), 2603);
    let helped = pipeline::HELPED.load(std::sync::atomic::Ordering::Relaxed);
    let other = rusqlite::Connection::open(&path).unwrap();
    let mut summaries = Vec::new();
    store
        .for_each_summary_streamed_as(&Access::Unrestricted, 7, |s| {
            summaries.push(s);
            if summaries.len() == 600 {
                other.execute("DELETE FROM findings WHERE rowid % 2 = 0", []).unwrap();
            }
            true
        })
        .unwrap();
    assert_eq!(summaries.len(), 2603, "the rows of the moment the load began");
    assert_eq!(summaries, columns);
    if std::thread::available_parallelism().is_ok_and(|c| c.get() >= 2) {
        let now = pipeline::HELPED.load(std::sync::atomic::Ordering::Relaxed);
        assert!(now >= helped + 2, "batches built on the helper thread: {helped} -> {now}");
    }
    let mut stopped = 0;
    store
        .for_each_summary_streamed_as(&Access::Unrestricted, 7, |_| {
            stopped += 1;
            stopped < 1000
        })
        .unwrap();
    assert_eq!(stopped, 1000, "the sink stops the load");
}

/// How the columns' listing and the pipelined load each fail on a store of 2,600 findings whose
/// 1,501st row `update` (SQL, `?1` its row id) made unreadable: each one's error and the rows it
/// gave before it.
fn both_listings_failing_after(update: &str) -> ((String, usize), (String, usize)) {
    let (_dir, store) = store_of(2600);
    let bad = store.conn().query_row("SELECT rowid FROM findings LIMIT 1 OFFSET 1500", [], |r| r.get::<_, i64>(0));
    store.conn().execute(update, [bad.unwrap()]).unwrap();
    let mut columns = 0;
    let expected = store.for_each_listed_streamed_as(&Access::Unrestricted, 0, |_| {
        columns += 1;
        true
    });
    let mut summaries = 0;
    let got = store.for_each_summary_streamed_as(&Access::Unrestricted, 0, |_| {
        summaries += 1;
        true
    });
    ((expected.unwrap_err().to_string(), columns), (got.unwrap_err().to_string(), summaries))
}

/// A text column that is not UTF-8 fails the pipelined load as it fails the columns' listing:
/// the same error, after the same rows.
#[test]
fn the_pipelined_load_fails_on_text_that_is_not_utf8_after_the_same_rows() {
    let ((expected, columns), (got, summaries)) =
        both_listings_failing_after("UPDATE findings SET title = CAST(x'ff41' AS TEXT) WHERE rowid = ?1");
    assert!(expected.contains("utf-8") || expected.contains("UTF-8"), "{expected}");
    assert_eq!(got, expected);
    assert_eq!(summaries, columns, "the rows before the bad one, each once");
    assert!(summaries > 1024 && summaries < 2600, "past the first batch, not the whole table: {summaries}");
}

/// Two columns that are each not UTF-8 but are side by side (a character's first byte ending the
/// title, its last beginning the severity): the pipelined load, which checks a row's text in one
/// pass, still fails on the title as the columns' listing does, after the same rows.
#[test]
fn a_character_split_across_two_columns_fails_the_pipelined_load_on_the_first() {
    let ((expected, columns), (got, summaries)) = both_listings_failing_after(
        "UPDATE findings SET title = CAST(x'41c3' AS TEXT), severity_label = CAST(x'a9' AS TEXT) WHERE rowid = ?1",
    );
    assert!(expected.contains("index: 5"), "the title's column: {expected}");
    assert_eq!(got, expected);
    assert_eq!(summaries, columns, "the rows before the bad one, each once");
    assert!(summaries > 1024 && summaries < 2600, "past the first batch, not the whole table: {summaries}");
}

/// A key that is not UTF-8 (read as the row is stepped to, before the helper thread sees it) fails
/// the pipelined load as it fails the columns' listing: the same error, after the same rows (the
/// batches handed to the helper before it were dropped).
#[test]
fn the_pipelined_load_fails_on_a_key_that_is_not_utf8_after_the_same_rows() {
    let ((expected, columns), (got, summaries)) =
        both_listings_failing_after("UPDATE findings SET id = CAST(x'ff41' AS TEXT) WHERE rowid = ?1");
    assert!(expected.contains("utf-8") || expected.contains("UTF-8"), "{expected}");
    assert_eq!(got, expected);
    assert_eq!(summaries, columns, "the rows before the bad one, each once");
    assert!(summaries > 1024 && summaries < 2600, "past the first batch, not the whole table: {summaries}");
}

/// The count shown beside the list (`listed_count_as`) is read from two partial indexes, never the
/// table, and is the number of rows the listing gives: a finding stored in both forms once, a row
/// of another format not at all, a product name of any type counted.
#[test]
fn the_count_reads_indexes_only_and_counts_the_listed_rows() {
    let (_dir, mut store) = store_of(40);
    let caller = Caller::unrestricted("t");
    let asff: Vec<_> = generate(&GenOptions { count: 40, ..GenOptions::default() }).collect();
    // Ten OCSF forms of listed ASFF findings (twins, not listed) and five OCSF findings of their own.
    let mut ocsf: Vec<_> = asff[..10].iter().map(crate::generate::ocsf::to_ocsf).collect();
    ocsf.extend(crate::generate::ocsf::generate_ocsf(&GenOptions { count: 5, seed: 3, ..GenOptions::default() }));
    assert_eq!(store.import_ocsf(&caller, ocsf).unwrap().success_count, 15);
    store.conn().execute_batch("UPDATE findings SET format = 'other' WHERE rowid = 20").unwrap();
    let listed = |access: &Access| {
        let mut n = 0u64;
        store
            .for_each_listed_as(access, |_| {
                n += 1;
                true
            })
            .unwrap();
        n
    };
    assert_eq!(listed(&Access::Unrestricted), 39 + 5);
    assert_eq!(store.listed_count_as(&Access::Unrestricted).unwrap(), 39 + 5);
    let member = Access::Member { account: asff[0]["AwsAccountId"].as_str().unwrap().to_string() };
    assert_eq!(store.listed_count_as(&member).unwrap(), listed(&member));
    // A product name that is no text (which the listing fails on) is counted as any other.
    store.conn().execute_batch("UPDATE findings SET product_name = x'00' WHERE rowid = 21").unwrap();
    assert_eq!(store.listed_count_as(&Access::Unrestricted).unwrap(), 39 + 5);
    let mut stmt = store.conn().prepare(&format!("EXPLAIN QUERY PLAN {COUNT_LISTED}")).unwrap();
    let plan: Vec<String> = stmt.query_map([], |r| r.get(3)).unwrap().map(std::result::Result::unwrap).collect();
    let counts: Vec<_> =
        plan.iter().filter(|l| l.starts_with("SCAN findings") || l.starts_with("SEARCH findings")).collect();
    assert_eq!(counts.len(), 2, "{plan:?}");
    assert!(counts.iter().all(|l| l.contains(" USING COVERING INDEX ") || l.contains(" USING INDEX ")), "{plan:?}");
}
