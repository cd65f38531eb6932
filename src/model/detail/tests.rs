use serde_json::json;

use super::*;

#[test]
fn the_view_holds_sanitised_text_in_the_panes_order() {
    let doc = json!({
        "Id": "f-1\u{1b}[31m", "Title": "Open \u{1b}]52;c;x\u{7}port", "Description": "line one\nline two",
        "Severity": {"Label": "HIGH", "Normalized": 70},
        "Resources": [{"Type": "AwsEc2Instance", "Id": "i-1", "Tags": {"env": "prod"}}],
        "Note": {"Text": "seen", "UpdatedBy": "alice", "UpdatedAt": "2026-11-01T00:00:00Z"},
    });
    let v = DetailView::of_asff(&doc);
    assert!(!v.title.contains('\u{1b}') && v.title.starts_with("Open"), "{}", v.title);
    assert_eq!(v.severity, Some(SeverityLabel::High));
    assert_eq!(v.description, vec!["line one", "line two"]);
    assert_eq!(v.fields[0], ("Severity", "HIGH  normalized 70  original -".to_string()));
    let id = v.fields.iter().find(|f| f.0 == "Id").unwrap();
    assert!(!id.1.contains('\u{1b}'), "{}", id.1);
    let headings: Vec<_> = v.sections.iter().map(|s| s.heading).collect();
    assert_eq!(headings, vec!["Resources", "Note"]);
    assert_eq!(v.sections[0].lines[2], DetailLine::dim("    tags env=prod"));
    assert_eq!(v.sections[1].lines.last().unwrap().tone, Tone::Dim);
}

#[test]
fn an_empty_document_shows_placeholders() {
    let v = DetailView::of_asff(&json!({}));
    assert_eq!(v.fields.len(), 16);
    assert_eq!(v.fields.iter().find(|f| f.0 == "Region").unwrap().1, "-");
    assert_eq!(v.sections[1].lines, vec![DetailLine::dim("  (none)")]);
}
