//! The counting sort against the comparator it replaces (`SortSpec::compare` under a stable sort),
//! on generated findings and on rows made to tie: every sortable column, both directions.

use super::*;
use crate::app::rows::RowStore;
use crate::generate::{generate, GenOptions, DEFAULT_ANCHOR};
use crate::model::enums::{SeverityLabel, WorkflowStatus};
use crate::model::finding::FindingId;

/// What `sorted` did before: a stable sort of the load order by the comparator.
fn by_comparator(rows: &[Row], spec: SortSpec) -> Vec<u32> {
    let mut order: Vec<u32> = (0..rows.len() as u32).collect();
    order.sort_by(|&a, &b| spec.compare(&rows[a as usize], &rows[b as usize]));
    order
}

/// Rows whose values repeat and tie: few times, titles sharing long prefixes, empty text, text
/// beyond ASCII, a value that is a prefix of another, absent enums.
fn tying_rows() -> Vec<Row> {
    let texts = [
        "",
        "a",
        "A",
        "ab",
        "ab\u{0}",
        "abc",
        "Ensure hardware MFA is enabled for the root account",
        "Ensure hardware MFA is enabled for the root user",
        "Ensure hardware MFA is enabled",
        "École",
        "ÉCOLE",
        "Überprüfung",
        "z",
        "\u{10ffff}",
        "0123456789abcdef",
        "0123456789abcdeg",
        "0123456789abcdef0",
    ];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as usize
    };
    (0..2_000)
        .map(|i| {
            let sev = SeverityLabel::ALL.get(next(SeverityLabel::ALL.len() + 1)).copied();
            let workflow = WorkflowStatus::ALL.get(next(WorkflowStatus::ALL.len() + 1)).copied();
            let mut pick = |_: ()| texts[next(texts.len())];
            Row {
                key: FindingId::asff("arn:p", format!("f{i}")),
                title: pick(()).into(),
                resource_type: pick(()).into(),
                resource_id: pick(()).into(),
                account: pick(()).into(),
                region: pick(()).into(),
                product: pick(()).into(),
                control_id: pick(()).into(),
                severity: sev,
                workflow,
                updated_ns: [i64::MIN, -1, 0, 1, 5, i64::MAX][next(6)],
                ..Row::default()
            }
        })
        .collect()
}

fn check(rows: &[Row]) {
    let keys = SortKeys::default();
    for column in SortColumn::ALL {
        for descending in [false, true] {
            let spec = SortSpec { column, descending };
            assert_eq!(sorted(rows, &keys, spec), by_comparator(rows, spec), "{spec:?}");
        }
    }
}

#[test]
fn every_column_both_directions_sorts_as_the_comparator_on_tying_rows() {
    check(&tying_rows());
}

#[test]
fn every_column_both_directions_sorts_as_the_comparator_on_generated_findings() {
    let rows: Vec<Row> = generate(&GenOptions { count: 3_000, seed: 5, accounts: 9, anchor: DEFAULT_ANCHOR })
        .map(|doc| Row::from_asff(&doc))
        .collect();
    check(&rows);
    // The same through a row store, whose search columns rank the text by distinct value.
    let mut store = RowStore::default();
    for r in rows {
        store.push(r);
    }
    for column in SortColumn::ALL {
        for descending in [false, true] {
            let spec = SortSpec { column, descending };
            assert_eq!(crate::app::filter::sorted(&store, spec), by_comparator(&store.all, spec), "{spec:?}");
        }
    }
}

#[test]
fn kept_keys_follow_rows_added_later() {
    let all = tying_rows();
    let mut store = RowStore::default();
    for r in all.iter().take(700).cloned() {
        store.push(r);
    }
    let spec = SortSpec { column: SortColumn::Title, descending: false };
    assert_eq!(crate::app::filter::sorted(&store, spec), by_comparator(&store.all, spec));
    for r in all.iter().skip(700).cloned() {
        store.push(r);
    }
    for column in SortColumn::ALL {
        let spec = SortSpec { column, descending: true };
        assert_eq!(crate::app::filter::sorted(&store, spec), by_comparator(&store.all, spec), "{spec:?}");
    }
    // An edit changes severity and status: the next sort reads them afresh.
    store.all[3].severity = Some(SeverityLabel::Critical);
    store.all[4].workflow = Some(WorkflowStatus::Resolved);
    for column in [SortColumn::Severity, SortColumn::Status] {
        let spec = SortSpec { column, descending: false };
        assert_eq!(crate::app::filter::sorted(&store, spec), by_comparator(&store.all, spec), "{spec:?}");
    }
}

#[test]
fn ranks_kept_by_the_background_thread_sort_as_the_comparator() {
    let rows: Vec<Row> = generate(&GenOptions { count: 2_000, seed: 7, accounts: 5, anchor: DEFAULT_ANCHOR })
        .map(|doc| Row::from_asff(&doc))
        .chain(tying_rows())
        .collect();
    let mut store = RowStore::default();
    for r in rows {
        store.push(r);
    }
    // Sorting while the thread may still be ranking, then after it is done: the same exact order.
    store.sort_keys.rank_in_background(&store);
    for column in [SortColumn::Title, SortColumn::Resource] {
        let spec = SortSpec { column, descending: false };
        assert_eq!(crate::app::filter::sorted(&store, spec), by_comparator(&store.all, spec), "{spec:?}");
    }
    let mut store2 = RowStore::default();
    for r in store.all.iter().cloned() {
        store2.push(r);
    }
    store2.sort_keys.rank_in_background(&store2);
    let n = store2.all.len();
    let waited = std::time::Instant::now();
    while !(store2.sort_keys.has_ranks(n, SortColumn::Title) && store2.sort_keys.has_ranks(n, SortColumn::Resource)) {
        assert!(waited.elapsed() < std::time::Duration::from_secs(60), "the thread keeps its ranks");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    for column in SortColumn::ALL {
        for descending in [false, true] {
            let spec = SortSpec { column, descending };
            assert_eq!(crate::app::filter::sorted(&store2, spec), by_comparator(&store2.all, spec), "{spec:?}");
        }
    }
}

/// The rows of a load merged chunk by chunk, in any order, are in the default sort's order after
/// each chunk; the kept keys are merged where they are (a chunk's merge wrote every key to a new
/// vector: 16 MB of fresh pages per chunk at a million rows).
#[test]
fn a_load_merged_chunk_by_chunk_is_in_the_default_order_and_keeps_its_keys_in_place() {
    let mut rows: Vec<Row> = tying_rows();
    rows.extend(
        generate(&GenOptions { count: 400, seed: 7, accounts: 3, anchor: DEFAULT_ANCHOR }).map(|d| Row::from_asff(&d)),
    );
    let mut order = LoadOrder::default();
    order.keys.reserve(rows.len());
    let kept = order.keys.as_ptr();
    let spec = SortSpec::default();
    for end in [0, 1, 7, 40, 41, 200, rows.len()] {
        let merged = order.merge(&rows[..end], end == rows.len());
        assert_eq!(merged, by_comparator(&rows[..end], spec), "after {end} rows");
        assert_eq!(order.keys.as_ptr(), kept, "after {end} rows");
    }
}
