//! The group view beyond one field: title and compliance, two levels, the severity distribution,
//! and acting on a whole group through the normal preview.

use super::*;
use crate::app::state::GroupField;

fn group(s: &mut AppState, fields: &str) {
    act(s, &[Action::StartCommand]);
    typed(s, &format!("group {fields}"));
    act(s, &[Action::Submit]);
    assert_eq!(s.mode, Mode::Group, "{:?}", s.status.message);
}

#[test]
fn two_levels_count_each_pair_under_its_group_with_the_severity_distribution() {
    let mut s = loaded(200);
    group(&mut s, "control,account");
    assert_eq!((s.group.field, s.group.second), (GroupField::Control, Some(GroupField::Account)));
    let tops: Vec<_> = s.group.groups.iter().filter(|g| g.sub.is_none()).collect();
    assert_eq!(tops.iter().map(|g| g.count).sum::<usize>(), 200);
    for top in &tops {
        let subs: Vec<_> = s.group.groups.iter().filter(|g| g.sub.is_some() && g.value == top.value).collect();
        assert!(!subs.is_empty());
        assert_eq!(subs.iter().map(|g| g.count).sum::<usize>(), top.count, "{}", top.value);
        assert_eq!(top.severity.iter().sum::<usize>(), top.count, "the distribution adds up");
        let expected_crit = s
            .view
            .visible
            .iter()
            .filter(|&&i| {
                let r = s.rows.get(i).unwrap();
                r.control_id == top.value && r.severity == Some(SeverityLabel::Critical)
            })
            .count();
        assert_eq!(top.severity[0], expected_crit);
    }
    // + cycles the second level; a view saved now keeps both.
    act(&mut s, &[Action::GroupSecond]);
    assert_eq!(s.group.second, Some(GroupField::ResourceType));
    assert_eq!(super::super::group::words(GroupField::Control, Some(GroupField::Account)), "control,account");
}

#[test]
fn title_and_compliance_are_group_fields() {
    let mut s = loaded(120);
    group(&mut s, "title");
    assert_eq!(s.group.field, GroupField::Title);
    assert_eq!(s.group.groups.iter().map(|g| g.count).sum::<usize>(), 120);
    group(&mut s, "compliance");
    assert_eq!(s.group.field, GroupField::Compliance);
    assert!(s.group.groups.iter().any(|g| g.value == "FAILED"));
}

#[test]
fn resolving_a_group_from_the_group_view_previews_and_sends_exactly_its_findings() {
    let mut s = loaded(200);
    group(&mut s, "account");
    let g = s.group.groups[0].clone();
    let members: Vec<FindingId> = s
        .view
        .visible
        .iter()
        .map(|&i| s.rows.get(i).unwrap())
        .filter(|r| r.account == g.value)
        .map(|r| r.key.clone())
        .collect();
    assert_eq!(members.len(), g.count);
    act(&mut s, &[Action::Resolve]);
    let Some(Prompt::Confirm(plan)) = &s.prompt else { panic!("a preview, got {:?}", s.prompt) };
    assert_eq!(plan.findings(), g.count);
    assert!(plan.preview().contains(&format!("on {} findings", g.count)), "{}", plan.preview());
    let effects = act(&mut s, &[Action::Yes]);
    let (_, calls) = batch(&effects);
    let mut sent: Vec<FindingId> = calls.iter().flat_map(|c| c.ids.clone()).collect();
    let mut want = members.clone();
    sent.sort_by_key(|k| format!("{k:?}"));
    want.sort_by_key(|k| format!("{k:?}"));
    assert_eq!(sent, want);
    assert!(s.marks.is_empty());
    assert_eq!(s.mode, Mode::Group, "the group view stays open");
}

#[test]
fn space_marks_a_whole_sub_group_and_space_again_unmarks_it() {
    let mut s = loaded(200);
    group(&mut s, "severity,status");
    act(&mut s, &[Action::MoveDown]);
    let g = s.group.groups[1].clone();
    assert!(g.sub.is_some());
    act(&mut s, &[Action::ToggleMark]);
    assert_eq!(s.marks.len(), g.count);
    act(&mut s, &[Action::ToggleMark]);
    assert!(s.marks.is_empty());
    // Enter on a sub-group drills in with both terms.
    act(&mut s, &[Action::Submit]);
    assert_eq!(s.view.visible.len(), g.count, "{}", s.view.query.text);
}
