//! Issue 20 ("`y` copies … `o` opens the console link or remediation URL"): through `update`.

use serde_json::Value;

use super::{act, docs, loaded};
use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::event::Event;
use crate::app::state::Level;
use crate::app::{handle_event, AppState};
use crate::model::finding::FindingId;

/// A state with the cursor finding's document loaded, changed by `edit` first.
fn with_doc(edit: impl Fn(&mut Value)) -> (AppState, Value) {
    let mut s = loaded(30);
    let key = s.detail.key.clone().unwrap();
    let mut doc = docs(30)
        .into_iter()
        .find(|d| crate::model::finding::FindingKey::of(d).map(FindingId::Asff).as_ref() == Some(&key))
        .unwrap();
    edit(&mut doc);
    handle_event(&mut s, Event::DetailLoaded { key, doc: Some(Box::new(doc.clone())), history: vec![] });
    (s, doc)
}

fn message(s: &AppState) -> (Level, String) {
    let m = s.status.message.clone().unwrap();
    (m.level, m.text)
}

#[test]
fn y_offers_the_id_the_product_arn_the_json_and_the_console_link() {
    let (mut s, doc) = with_doc(|_| {});
    act(&mut s, &[Action::Copy]);
    let menu = s.menu.clone().expect("a menu");
    let labels: Vec<&str> = menu.items.iter().map(|i| i.label.as_str()).collect();
    assert_eq!(labels, ["Id", "ProductArn", "JSON", "console link"]);
    let e = act(&mut s, &[Action::Input('i')]);
    assert_eq!(e, vec![Effect::Copy { what: "Id".into(), text: doc["Id"].as_str().unwrap().into() }]);
    assert_eq!(s.menu, None);
    handle_event(&mut s, Event::Copied { what: "Id".into(), chars: 80 });
    assert_eq!(message(&s), (Level::Info, "Copied the Id (80 characters) to the clipboard (OSC 52)".into()));

    act(&mut s, &[Action::Copy, Action::MoveDown, Action::MoveDown, Action::Submit]);
    handle_event(
        &mut s,
        Event::CopyFailed { what: "JSON".into(), reason: "the Linux console has no clipboard".into() },
    );
    let (level, text) = message(&s);
    assert_eq!(level, Level::Error);
    assert!(text.starts_with("The JSON was not copied: the Linux console has no clipboard"), "{text}");
}

#[test]
fn y_waits_for_the_document() {
    let mut s = loaded(30);
    assert!(s.detail.doc.is_none());
    assert_eq!(act(&mut s, &[Action::Copy]), vec![]);
    assert_eq!(s.menu, None);
    assert!(message(&s).1.contains("still loading"));
}

#[test]
fn o_opens_the_console_link_or_the_remediation_url_and_only_http() {
    let (mut s, _) = with_doc(|d| {
        d["SourceUrl"] = "https://console.example/finding/1".into();
        d["Remediation"] = serde_json::json!({"Recommendation": {"Url": "https://docs.example/fix"}});
    });
    act(&mut s, &[Action::OpenLink]);
    let labels: Vec<String> = s.menu.clone().unwrap().items.into_iter().map(|i| i.label).collect();
    assert_eq!(labels, ["console link", "remediation"]);
    let e = act(&mut s, &[Action::Input('r')]);
    assert_eq!(e, vec![Effect::OpenUrl { url: "https://docs.example/fix".into() }]);

    let (mut s, _) = with_doc(|d| {
        d["SourceUrl"] = "https://console.example/finding/1".into();
        d["Remediation"] = serde_json::json!({"Recommendation": {"Url": "javascript:alert(1)"}});
    });
    let e = act(&mut s, &[Action::OpenLink]);
    assert_eq!(e, vec![Effect::OpenUrl { url: "https://console.example/finding/1".into() }], "one link: no menu");

    let (mut s, _) = with_doc(|d| {
        d["SourceUrl"] = "file:///etc/passwd".into();
        d.as_object_mut().unwrap().remove("Remediation");
        d.as_object_mut().unwrap().remove("Region");
        d.as_object_mut().unwrap().remove("Id");
    });
    assert_eq!(act(&mut s, &[Action::OpenLink]), vec![]);
    assert!(message(&s).1.contains("no console link or remediation URL"), "{:?}", message(&s));
    for bad in ["http://a b", "ftp://x", "https://", "https://x\u{1b}[2J"] {
        assert!(!crate::app::menu::openable(bad), "{bad}");
    }
}
