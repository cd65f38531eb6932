//! The saved views' files (`app::views`): every `*.toml` of the views directory read at start, one
//! file written per `:view save`; and the history walk behind the "reopened" view.

use std::path::Path;

use crate::app::event::Event;
use crate::app::views::{self, SavedView};
use crate::backend::Backend;
use crate::model::finding::FindingId;

/// The views of `dir`, by file name, and an error naming the file and line for each bad one: a bad
/// file never keeps the others from loading. A missing directory has none.
pub fn read(dir: &Path) -> (Vec<SavedView>, Vec<String>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Vec::new(), Vec::new()),
        Err(e) => return (Vec::new(), vec![format!("cannot read {}: {e}", dir.display())]),
    };
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let (mut good, mut bad) = (Vec::new(), Vec::new());
    for path in paths {
        let parsed = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))
            .and_then(|text| views::parse(&path, &text));
        match parsed {
            Ok(v) => good.push(v),
            Err(e) => bad.push(e),
        }
    }
    (good, bad)
}

/// Writes one view file (its directory created), through a temporary file renamed over it.
pub fn write(path: &Path, text: &str) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    if let Err(e) = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(e));
    }
    Ok(())
}

/// The keys whose history says they were reopened (`views::is_reopened`), as a query's answer.
pub fn find_reopened(backend: &dyn Backend, query_id: u64, keys: Vec<FindingId>) -> Event {
    let mut found = Vec::new();
    for key in keys {
        match backend.history(&key) {
            Ok(h) if views::is_reopened(&h) => found.push(key),
            Ok(_) => {}
            Err(error) => return Event::QueryFailed { query_id, error },
        }
    }
    Event::QueryMatched { query_id, keys: found }
}

/// Of `keys`, those whose suppression expires within `within` of the source's clock (a store's
/// expiries; a source without any has none), as a query's answer.
pub fn find_expiring(backend: &dyn Backend, query_id: u64, keys: Vec<FindingId>, within: time::Duration) -> Event {
    let soon = match backend.expiring() {
        Ok(all) => {
            let until = time::OffsetDateTime::now_utc() + within;
            all.into_iter().filter(|(_, at)| *at <= until).map(|(k, _)| k).collect::<std::collections::HashSet<_>>()
        }
        Err(error) => return Event::QueryFailed { query_id, error },
    };
    Event::QueryMatched { query_id, keys: keys.into_iter().filter(|k| soon.contains(k)).collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_file_is_named_with_its_line_and_the_others_load() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.toml"), "name = \"mine\"\nquery = \"sev>=high\"\nsort = \"updated asc\"\n")
            .unwrap();
        std::fs::write(dir.path().join("b.toml"), "name = \"broken\"\nquery = \"sev>=high\"\nqurey = \"x\"\n").unwrap();
        std::fs::write(dir.path().join("c.toml"), "name = \"bad query\"\n\nquery = \"sevv:high\"\n").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a view").unwrap();
        let (good, bad) = read(dir.path());
        assert_eq!(good.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), ["mine"]);
        assert_eq!(bad.len(), 2, "{bad:?}");
        assert!(bad[0].contains("b.toml line 3") && bad[0].contains("qurey"), "{}", bad[0]);
        assert!(bad[1].contains("c.toml line 3") && bad[1].contains("sevv"), "{}", bad[1]);
        assert_eq!(read(&dir.path().join("none")), (Vec::new(), Vec::new()), "no directory: no views");
    }

    /// Security Hub's reopening on import (RecordState ARCHIVED -> ACTIVE) of a finding an analyst
    /// resolved is found from the store's history; a finding only resolved is not.
    #[test]
    fn the_store_history_finds_the_findings_security_hub_reopened() {
        use crate::model::call::UpdateCall;
        use crate::model::enums::WorkflowStatus;
        use crate::store::{Caller, Store, StoreBackend};
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("s.db")).unwrap();
        let gen = crate::generate::GenOptions { count: 2, seed: 5, ..Default::default() };
        let mut docs: Vec<serde_json::Value> = crate::generate::generate(&gen).collect();
        for d in &mut docs {
            d["RecordState"] = "ARCHIVED".into();
            d["Workflow"] = serde_json::json!({"Status": "NEW"});
        }
        let caller = Caller::unrestricted("t");
        store.batch_import(&caller, docs.clone()).unwrap();
        let keys: Vec<FindingId> =
            docs.iter().map(|d| FindingId::Asff(crate::model::finding::FindingKey::of(d).unwrap())).collect();
        let mut backend = StoreBackend::new(store, Caller::unrestricted("analyst"));
        let resolve = crate::app::edit::workflow_update(WorkflowStatus::Resolved, None);
        backend.batch_update(&UpdateCall { ids: keys.clone(), update: resolve }).unwrap();
        // The provider sends the first finding again, active.
        let mut again = docs[0].clone();
        again["RecordState"] = "ACTIVE".into();
        again["UpdatedAt"] = "2030-01-01T00:00:00.000Z".into();
        again.as_object_mut().unwrap().remove("Workflow");
        backend.seed(vec![vec![again]]).unwrap();
        let history = backend.history(&keys[0]).unwrap();
        assert!(views::is_reopened(&history), "{history:?}");
        match find_reopened(&backend, 7, keys.clone()) {
            Event::QueryMatched { query_id, keys: found } => assert_eq!((query_id, found), (7, vec![keys[0].clone()])),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_saved_view_reads_back_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let mut v = views::shipped().into_iter().find(|v| v.name == "failed controls").unwrap();
        v.name = "my \"controls\"".into();
        v.columns = vec!["account".into(), "resource".into()];
        let path = dir.path().join("views").join(views::file_name(&v.name));
        write(&path, &v.to_toml()).unwrap();
        let (good, bad) = read(&dir.path().join("views"));
        assert!(bad.is_empty(), "{bad:?}");
        v.file = Some(path);
        assert_eq!(good, vec![v]);
    }
}
