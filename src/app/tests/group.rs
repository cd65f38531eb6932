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

/// The groups counted by each value's code are the groups of each value's text, for every field
/// and pair, after a query narrowed the rows.
#[test]
fn grouping_by_value_codes_counts_what_grouping_by_text_counts() {
    use std::collections::BTreeMap;
    let mut s = loaded(400);
    act(&mut s, &[Action::StartCommand]);
    typed(&mut s, "sev>=medium");
    act(&mut s, &[Action::Submit]);
    assert!(s.view.visible.len() < 400 && !s.view.visible.is_empty());
    let fields: Vec<Option<GroupField>> = std::iter::once(None).chain(GroupField::ALL.map(Some)).collect();
    for field in GroupField::ALL {
        for &second in &fields {
            let second = second.filter(|f| *f != field);
            s.group.field = field;
            s.group.second = second;
            super::super::group::compute(&mut s);
            let mut expected: BTreeMap<(String, Option<String>), (usize, [usize; 6])> = BTreeMap::new();
            for &i in &s.view.visible {
                let r = s.rows.get(i).unwrap();
                let slot = match r.severity {
                    Some(l) => SeverityLabel::ALL.len() - 1 - l.rank() as usize,
                    None => 5,
                };
                let v = field.value_of(r).to_string();
                let mut keys = vec![(v.clone(), None)];
                if let Some(f2) = second {
                    keys.push((v, Some(f2.value_of(r).to_string())));
                }
                for k in keys {
                    let e = expected.entry(k).or_default();
                    e.0 += 1;
                    e.1[slot] += 1;
                }
            }
            let got: BTreeMap<(String, Option<String>), (usize, [usize; 6])> =
                s.group.groups.iter().map(|g| ((g.value.clone(), g.sub.clone()), (g.count, g.severity))).collect();
            assert_eq!(got.len(), s.group.groups.len(), "each group once ({field:?}, {second:?})");
            assert_eq!(got, expected, "{field:?}, {second:?}");
            // Each second-level group follows its first-level one.
            for (n, g) in s.group.groups.iter().enumerate() {
                if g.sub.is_some() {
                    let top = s.group.groups[..n].iter().rev().find(|t| t.sub.is_none()).unwrap();
                    assert_eq!(top.value, g.value);
                }
            }
        }
    }
}

/// `:group type` and `:group generator` count the rows by their types (joined) and generator, as
/// the documents hold them; drilling into a type group queries its first type.
#[test]
fn type_and_generator_groups_count_each_value_from_the_documents() {
    let mut s = loaded(200);
    let mut expected: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut generators: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for d in docs(200) {
        let types: Vec<&str> = d["Types"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
        *expected.entry(types.join(", ")).or_default() += 1;
        *generators.entry(d["GeneratorId"].as_str().unwrap().to_string()).or_default() += 1;
    }
    assert!(expected.len() > 1 && !expected.contains_key(""), "{expected:?}");
    group(&mut s, "type");
    assert_eq!(s.group.field, GroupField::Type);
    let counted: std::collections::HashMap<String, usize> =
        s.group.groups.iter().map(|g| (g.value.clone(), g.count)).collect();
    assert_eq!(counted, expected);
    let counts: Vec<usize> = s.group.groups.iter().map(|g| g.count).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "largest first: {counts:?}");

    group(&mut s, "generator");
    assert_eq!(s.group.field, GroupField::Generator);
    let counted: std::collections::HashMap<String, usize> =
        s.group.groups.iter().map(|g| (g.value.clone(), g.count)).collect();
    assert_eq!(counted, generators);

    group(&mut s, "type");
    let first = s.group.groups[0].value.clone();
    act(&mut s, &[Action::Submit]);
    let head = first.split(", ").next().unwrap();
    assert!(s.view.query.text.contains(&format!("type:\"{head}\"")), "{}", s.view.query.text);
}
