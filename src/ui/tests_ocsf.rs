//! Snapshots of the workbench over both formats: the list with ASFF and OCSF (Security Hub V2)
//! findings, and an OCSF finding's detail pane, at 80×24 and 160×48.

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use serde_json::{json, Value};
use time::macros::datetime;

use crate::app::event::Event;
use crate::app::state::Config;
use crate::app::{handle_event, resize, start, AppState};
use crate::generate::ocsf::to_ocsf;
use crate::generate::{generate, GenOptions};
use crate::keys::Keymap;
use crate::model::summary::FindingSummary;

fn draw(s: &AppState, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let keymap = Keymap::defaults().unwrap();
    t.draw(|f| super::render(f, s, &keymap)).unwrap();
    t
}

/// 30 generated findings, every third in its OCSF form, and four OCSF ones with the values only
/// OCSF has (Fatal, Other, Unknown; In Progress, Archived, Other).
pub(crate) fn mixed_docs() -> Vec<Value> {
    let mut docs: Vec<Value> = generate(&GenOptions { count: 30, seed: 7, ..GenOptions::default() })
        .enumerate()
        .map(|(i, d)| if i % 3 == 0 { to_ocsf(&d) } else { d })
        .collect();
    let extra = [(6, "Fatal", 2, "In Progress"), (99, "Other", 5, "Archived"), (0, "Unknown", 99, "Other")];
    for (n, (sev, sev_caption, status, status_caption)) in extra.into_iter().enumerate() {
        let mut d = docs[n * 3].clone();
        d["metadata"]["uid"] = json!(format!("ocsf-extra-{n}"));
        d["finding_info"]["uid"] = json!(format!("extra-{n}"));
        d["finding_info"]["title"] =
            json!(format!("OCSF finding with severity {sev_caption}, status {status_caption}"));
        d["severity_id"] = json!(sev);
        d["severity"] = json!(sev_caption);
        d["status_id"] = json!(status);
        d["status"] = json!(status_caption);
        docs.push(d);
    }
    docs
}

fn summary(d: &Value) -> FindingSummary {
    match crate::model::finding::Format::of(d) {
        Some(crate::model::finding::Format::Ocsf) => FindingSummary::from_ocsf(d),
        _ => FindingSummary::from_asff(d),
    }
}

/// The workbench with `mixed_docs` loaded, at a fixed clock.
pub(crate) fn mixed(w: u16, h: u16) -> AppState {
    mixed_with(w, h, &[])
}

fn mixed_with(w: u16, h: u16, extra: &[Value]) -> AppState {
    let mut s =
        AppState::new(Config { user: "alice".into(), ..Config::default() }, "test.db", datetime!(2026-11-01 0:00 UTC));
    resize(&mut s, w, h);
    start(&mut s);
    let mut rows: Vec<_> = mixed_docs().iter().chain(extra).map(summary).collect();
    rows.sort_by(|a, b| crate::app::filter::SortSpec::default().compare(a, b));
    let total = rows.len();
    handle_event(&mut s, Event::RowsLoaded { generation: 1, rows, total: Some(total), done: true });
    s
}

#[test]
fn list_with_both_formats() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let s = mixed(w, h);
        let t = draw(&s, w, h);
        let text: String = t.backend().buffer().content().iter().map(|c| c.symbol()).collect();
        assert!(text.contains("V2") && text.contains("v2"), "the format column");
        insta::assert_snapshot!(format!("list_both_formats_{w}x{h}"), t.backend());
    }
}

/// An Inspector finding in its OCSF form, with a compliance object, a comment and hostile text.
fn vulnerability_doc() -> Value {
    let asff = generate(&GenOptions { count: 400, seed: 7, ..GenOptions::default() })
        .find(|d| d["ProductName"] == "Inspector" && d["Vulnerabilities"].is_array() && d.get("Remediation").is_some())
        .unwrap();
    let mut d = to_ocsf(&asff);
    d["compliance"] = json!({"control": "Inspector.1", "standards": ["standards/aws-foundational-security-best-practices/v/1.0.0"], "status": "Fail", "status_id": 3});
    d["comment"] = json!("Seen on the build fleet\u{1b}[2J; ticket SEC-1234");
    d["finding_info"]["title"] = json!(format!("{}\u{1b}]0;pwned\u{7}", d["finding_info"]["title"].as_str().unwrap()));
    d
}

#[test]
fn ocsf_detail_pane() {
    use crate::app::{update, Action};
    let doc = vulnerability_doc();
    let uid = crate::model::ocsf::Ocsf(&doc).metadata_uid().to_string();
    let key = crate::model::finding::FindingId::Ocsf(uid);
    let view = crate::model::detail::DetailView::of(&doc);
    let headings: Vec<_> = view.sections.iter().map(|s| s.heading).collect();
    assert_eq!(headings, ["Compliance", "Vulnerabilities", "Resources", "Remediation", "Comment"]);
    assert!(view.fields.iter().any(|(l, v)| *l == "Class" && v == "Vulnerability Finding (2002)"));
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut s = mixed_with(w, h, std::slice::from_ref(&doc));
        let pos = s.view.visible.iter().position(|&i| s.rows.get(i).unwrap().key == key).unwrap();
        for _ in 0..pos {
            update(&mut s, Action::MoveDown);
        }
        assert_eq!(s.detail.key.as_ref(), Some(&key));
        let history = vec![crate::app::event::HistoryEntry {
            time: "2026-10-31T10:00:00.000Z".into(),
            who: "alice".into(),
            service_reason: None,
            created: false,
            changes: vec![crate::model::change::FieldChange {
                field: "status_id".into(),
                old: Some("1".into()),
                new: Some("2".into()),
            }],
        }];
        handle_event(&mut s, Event::DetailLoaded { key: key.clone(), doc: Some(Box::new(doc.clone())), history });
        update(&mut s, Action::OpenDetail);
        let t = draw(&s, w, h);
        let text: String = t.backend().buffer().content().iter().map(|c| c.symbol()).collect();
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "no escape reaches the terminal");
        insta::assert_snapshot!(format!("detail_ocsf_{w}x{h}"), t.backend());
    }
}

#[test]
fn a_mixed_selection_is_previewed_as_both_kinds_of_call() {
    use crate::app::prompt::Prompt;
    use crate::app::{update, Action};
    let mut s = mixed(160, 48);
    update(&mut s, Action::MarkAll);
    update(&mut s, Action::Resolve);
    let Some(Prompt::Confirm(plan)) = &s.prompt else { panic!("a preview") };
    assert_eq!(
        plan.preview(),
        "Set Workflow RESOLVED on 33 findings: 1 BatchUpdateFindings call and 1 BatchUpdateFindingsV2 call"
    );
    let effects = update(&mut s, Action::Yes);
    let calls = effects
        .iter()
        .find_map(|e| match e {
            crate::app::effect::Effect::ApplyBatch { calls, .. } => Some(calls.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(calls.len(), 2);
    assert!(calls[0].ids.iter().all(|k| k.as_asff().is_some()));
    assert!(calls[1].ids.iter().all(|k| k.as_asff().is_none()) && calls[1].ids.len() == 13);
    // The OCSF rows show the status V2 sets (Resolved), not their old one.
    let texts: Vec<&str> = s.rows.all.iter().filter(|r| r.ocsf.is_some()).map(|r| r.workflow_text()).collect();
    assert!(texts.iter().all(|t| *t == "RESOLVED"), "{texts:?}");
}
