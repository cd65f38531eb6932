//! Snapshots of each pane and whole screens at 80×24 and 160×48 with a fixed clock, and the
//! terminal-safety check: hostile finding text never puts an escape byte into the buffer.

use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;
use serde_json::json;

use crate::app::event::{Event, HistoryEntry};
use crate::app::tests::{docs, loaded};
use crate::app::{handle_event, resize, update, Action, AppState};
use crate::keys::Keymap;
use crate::model::change::FieldChange;
use crate::model::detail::DetailView;

pub(super) fn draw(s: &AppState, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let keymap = Keymap::defaults().unwrap();
    t.draw(|f| super::render(f, s, &keymap)).unwrap();
    t
}

/// The state at a size, with the cursor finding's detail loaded and a history to show.
pub(super) fn screen(w: u16, h: u16) -> AppState {
    let mut s = loaded(60);
    resize(&mut s, w, h);
    let key = s.detail.key.clone().unwrap();
    let doc = docs(60)
        .into_iter()
        .find(|d| {
            crate::model::finding::FindingKey::of(d).map(crate::model::finding::FindingId::Asff).as_ref() == Some(&key)
        })
        .unwrap();
    let history = vec![
        HistoryEntry {
            time: "2026-10-31T10:00:00.000Z".into(),
            who: "Security Hub".into(),
            service_reason: Some("Compliance.Status PASSED -> FAILED".into()),
            created: false,
            changes: vec![FieldChange {
                field: "Workflow.Status".into(),
                old: Some("RESOLVED".into()),
                new: Some("NEW".into()),
            }],
        },
        HistoryEntry {
            time: "2026-10-30T09:00:00.000Z".into(),
            who: "arn:provider".into(),
            service_reason: None,
            created: true,
            changes: vec![],
        },
    ];
    handle_event(&mut s, Event::DetailLoaded { key, doc: Some(Box::new(doc)), history });
    s
}

fn act(s: &mut AppState, actions: &[Action]) {
    for a in actions {
        update(s, *a);
    }
}

macro_rules! both_sizes {
    ($name:literal, $setup:expr) => {
        for (w, h) in [(80u16, 24u16), (160, 48)] {
            let mut s = screen(w, h);
            #[allow(clippy::redundant_closure_call)]
            ($setup)(&mut s);
            insta::assert_snapshot!(format!("{}_{w}x{h}", $name), draw(&s, w, h).backend());
        }
    };
}

#[test]
fn first_frame_is_a_loading_indicator() {
    let mut s = AppState::new(Default::default(), "/data/findings.db", time::macros::datetime!(2026-11-01 0:00 UTC));
    resize(&mut s, 80, 24);
    crate::app::start(&mut s);
    insta::assert_snapshot!("loading_80x24", draw(&s, 80, 24).backend());
}

#[test]
fn list_and_detail() {
    both_sizes!("list_detail", |s: &mut AppState| {
        let (a, b) = (s.view.visible[1], s.view.visible[2]);
        s.marks.extend([a, b]);
    });
}

#[test]
fn detail_full_height_and_raw_json() {
    both_sizes!("detail_full", |s: &mut AppState| act(s, &[Action::OpenDetail]));
    both_sizes!("detail_raw", |s: &mut AppState| act(s, &[Action::OpenDetail, Action::ToggleRaw, Action::MoveDown]));
}

// `detail_bottom` is measured as `render` lays the pane out: scrolled there, the pane's last row
// shows the finding's last line (its oldest history entry), and one line up that line is below
// the pane; a finding that fits is not scrolled.
#[test]
fn detail_bottom_is_the_scroll_that_shows_the_last_line() {
    let mut scrolled = 0;
    for (w, h, full) in [(80u16, 24u16, false), (160, 48, false), (80, 24, true), (160, 48, true)] {
        let mut s = screen(w, h);
        if full {
            act(&mut s, &[Action::OpenDetail]);
        } else {
            act(&mut s, &[Action::ToggleFocus]);
        }
        let bottom = super::detail_bottom(&s).unwrap();
        crate::app::detail_measured(&mut s, bottom);
        let rows = |s: &AppState| {
            let t = draw(s, w, h);
            let buffer = t.backend().buffer().clone();
            (0..h).map(|y| (0..w).map(|x| buffer[(x, y)].symbol().to_string()).collect::<String>()).collect::<Vec<_>>()
        };
        act(&mut s, &[Action::Bottom]);
        assert_eq!(s.detail.scroll, bottom);
        let screen = rows(&s);
        let last = screen.iter().rposition(|r| r.contains("arn:provider")).unwrap();
        // The row below the last text line is the pane's bottom border, unless the finding fits.
        assert!(
            bottom == 0 || screen[last + 1].contains('└') || screen[last + 1].contains('─'),
            "{w}x{h}:\n{}",
            screen.join("\n")
        );
        if bottom > 0 {
            act(&mut s, &[Action::MoveUp]);
            assert!(!rows(&s).iter().any(|r| r.contains("arn:provider")), "{w}x{h}: one line up hides the last line");
        }
        scrolled += usize::from(bottom > 0);
    }
    // The pane shows the finding's compliance and console link too: it fits only a 160x48 screen's
    // full-height pane.
    assert_eq!(scrolled, 3, "the finding fits only the full-height pane of a 160x48 screen");
}

#[test]
fn edit_form_and_confirmation() {
    both_sizes!("form", |s: &mut AppState| {
        act(
            s,
            &[
                Action::MarkAll,
                Action::Edit,
                Action::CycleNext,
                Action::CycleNext,
                Action::NextField,
                Action::NextField,
                Action::NextField,
            ],
        );
        act(s, &[Action::Input('1'), Action::Input('5'), Action::Input('0'), Action::Submit]);
    });
    both_sizes!("confirm", |s: &mut AppState| act(s, &[Action::MarkAll, Action::Resolve]));
}

#[test]
fn help_group_filter_and_progress() {
    both_sizes!("help", |s: &mut AppState| act(s, &[Action::Help]));
    both_sizes!("group", |s: &mut AppState| act(s, &[Action::GroupView, Action::CycleNext, Action::CycleNext]));
    both_sizes!("filter", |s: &mut AppState| act(s, &[Action::StartFilter, Action::Input('s'), Action::Input('3')]));
    both_sizes!("progress", |s: &mut AppState| {
        act(s, &[Action::MarkAll, Action::Notify, Action::Yes]);
        s.now += time::Duration::seconds(2);
    });
}

/// Issue 20: the `:` line with a completion list under it, opened on the current query, and `:help`.
#[test]
fn command_line_completion_prefill_and_help() {
    let typed = |s: &mut AppState, text: &str| act(s, &text.chars().map(Action::Input).collect::<Vec<_>>());
    both_sizes!("command_complete", |s: &mut AppState| {
        act(s, &[Action::StartCommand]);
        typed(s, "sev>=high region:");
        act(s, &[Action::Complete, Action::Complete]);
    });
    both_sizes!("command_prefill", |s: &mut AppState| {
        act(s, &[Action::StartCommand]);
        typed(s, "sev>=high");
        act(s, &[Action::Submit, Action::StartCommand]);
    });
    both_sizes!("command_help", |s: &mut AppState| {
        act(s, &[Action::StartCommand]);
        typed(s, "help");
        act(s, &[Action::Submit]);
    });
}

/// The cursor stays in view in a line longer than the screen, wherever it is.
#[test]
fn a_long_line_keeps_its_cursor_in_view() {
    let mut s = screen(80, 24);
    act(&mut s, &[Action::StartCommand]);
    let long: String = (0..30).map(|i| format!("account:{i:012} ")).collect();
    act(&mut s, &long.chars().map(Action::Input).collect::<Vec<_>>());
    let status = |s: &AppState| {
        let t = draw(s, 80, 24);
        let buffer = t.backend().buffer().clone();
        (0..80).map(|x| buffer[(x, 22)].symbol().to_string()).collect::<String>()
    };
    assert!(status(&s).starts_with(":…") && status(&s).trim_end().ends_with('▏'), "{}", status(&s));
    act(&mut s, &[Action::LineStart]);
    assert!(status(&s).starts_with(":▏account:000000000000 ") && status(&s).ends_with('…'), "{}", status(&s));
    for _ in 0..200 {
        act(&mut s, &[Action::CursorRight]);
    }
    let middle = status(&s);
    assert!(middle.starts_with(":…") && middle.contains('▏') && middle.ends_with('…'), "{middle}");
}

#[test]
fn hostile_text_renders_as_placeholders_and_no_escape_byte_reaches_the_buffer() {
    let mut doc = docs(1).remove(0);
    let hostile = "pwn\x1b[2J\x1b]0;title\x07\u{9b}31m\u{9d}8;;http://x\u{9c}\x1bPq\u{85}end";
    doc["Title"] = json!(hostile);
    doc["Description"] = json!(format!("line1\n{hostile}"));
    doc["Note"] = json!({"Text": hostile, "UpdatedBy": hostile, "UpdatedAt": "2026-10-01T00:00:00Z"});
    doc["Resources"][0]["Id"] = json!(hostile);
    doc["UserDefinedFields"] = json!({hostile: hostile});
    let row = crate::app::row::Row::from_asff(&doc);
    let key = row.key.clone();
    let mut s = AppState::new(Default::default(), hostile, time::macros::datetime!(2026-11-01 0:00 UTC));
    resize(&mut s, 160, 48);
    crate::app::start(&mut s);
    handle_event(&mut s, Event::RowsLoaded { generation: 1, rows: vec![row], total: Some(1), done: true });
    let history = vec![HistoryEntry {
        time: hostile.into(),
        who: hostile.into(),
        service_reason: None,
        created: false,
        changes: vec![FieldChange { field: hostile.into(), old: Some(hostile.into()), new: None }],
    }];
    handle_event(&mut s, Event::DetailLoaded { key, doc: Some(Box::new(doc)), history });
    for raw in [false, true] {
        s.detail.raw = raw;
        let t = draw(&s, 160, 48);
        let buf = t.backend().buffer();
        let text: String = buf.content().iter().map(|c| c.symbol()).collect();
        assert!(
            !text.chars().any(|c| c == '\x1b' || ('\u{80}'..='\u{9f}').contains(&c) || c.is_control()),
            "an escape or control character reached the buffer (raw: {raw})"
        );
        if !raw {
            assert!(text.contains("pwn␛[2J␛]0;title␇"), "ESC shows as a visible placeholder");
            assert!(text.contains('\u{fffd}'), "C1 controls show as a replacement character");
        }
    }
}

/// The header keeps the marked count at every width: a long store path and the query shorten first.
#[test]
fn the_header_shows_the_marked_count_at_every_width() {
    for w in [60u16, 80, 100, 160] {
        let mut s = screen(w, 24);
        s.source = "/home/analyst/.local/share/hubtriage/customers/acme-production/findings.db".into();
        let (a, b) = (s.view.visible[1], s.view.visible[2]);
        s.marks.extend([a, b]);
        act(&mut s, &[Action::StartFilter, Action::Input('s'), Action::Input('3'), Action::Submit]);
        let t = draw(&s, w, 24);
        let buffer = t.backend().buffer().clone();
        let header: String = (0..w).map(|x| buffer[(x, 0)].symbol().to_string()).collect();
        assert!(header.contains("2 marked"), "{w} columns: {header}");
        assert!(header.contains("findings.db"), "the store's file name is the part of the path kept: {header}");
    }
}

/// A preview that wraps (hidden marks, an undo caveat) still shows its own y / n line.
#[test]
fn the_confirm_popup_keeps_its_answer_line_when_the_summary_wraps() {
    for (w, h) in [(80u16, 24u16), (160, 48), (60, 20)] {
        let mut s = screen(w, h);
        act(&mut s, &[Action::ToggleMark, Action::ToggleMark, Action::StartFilter, Action::Input('z')]);
        act(&mut s, &[Action::Input('q'), Action::Submit, Action::Top, Action::Note]);
        for c in "a reason long enough to matter".chars() {
            act(&mut s, &[Action::Input(c)]);
        }
        act(&mut s, &[Action::Submit]);
        assert!(matches!(s.prompt, Some(crate::app::prompt::Prompt::Confirm(_))));
        let t = draw(&s, w, h);
        let buffer = t.backend().buffer().clone();
        let text: Vec<String> =
            (0..h).map(|y| (0..w).map(|x| buffer[(x, y)].symbol().to_string()).collect::<String>()).collect();
        let all = text.join("\n");
        assert!(all.contains("not in this view"), "{w}x{h}:\n{all}");
        assert!(all.contains("y / Enter: apply"), "{w}x{h}:\n{all}");
        assert!(all.contains("BatchUpdateFindings can set a field"), "the caveat's end shows: {w}x{h}:\n{all}");
    }
}

pub(super) fn screen_text(s: &AppState, w: u16, h: u16) -> String {
    let t = draw(s, w, h);
    let buffer = t.backend().buffer().clone();
    (0..h)
        .map(|y| (0..w).map(|x| buffer[(x, y)].symbol().to_string()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_long_note_scrolls_keeps_its_cursor_and_says_it_is_over_the_limit() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut s = screen(w, h);
        act(&mut s, &[Action::Note]);
        for i in 0..600 {
            act(&mut s, &[Action::Input(if i == 599 { 'Z' } else { 'x' })]);
        }
        let all = screen_text(&s, w, h);
        assert!(all.contains("…xxx"), "the head gives way: {w}x{h}:\n{all}");
        assert!(all.contains("xZ▏"), "the end and the cursor show: {w}x{h}:\n{all}");
        assert!(all.contains("600 characters; the most is 512"), "over the limit as it is typed: {w}x{h}:\n{all}");
        act(&mut s, &[Action::Submit]);
        let all = screen_text(&s, w, h);
        assert!(all.contains("Cannot note: Note.Text has 600 characters; the most is 512"), "{w}x{h}:\n{all}");
    }
}

#[test]
fn a_long_filter_keeps_its_cursor_in_view() {
    let mut s = screen(80, 24);
    act(&mut s, &[Action::StartFilter]);
    for i in 0..120 {
        act(&mut s, &[Action::Input(if i == 119 { 'Z' } else { 'y' })]);
    }
    let all = screen_text(&s, 80, 24);
    assert!(all.contains("/…yyy"), "{all}");
    assert!(all.contains("yZ▏"), "{all}");
}

#[test]
fn a_long_form_note_keeps_its_cursor_and_the_fields_below_it() {
    let mut s = screen(80, 24);
    act(&mut s, &[Action::Edit]);
    while s.form.as_ref().unwrap().focus
        != crate::app::form::FormField::ALL.iter().position(|f| *f == crate::app::form::FormField::Note).unwrap()
    {
        act(&mut s, &[Action::NextField]);
    }
    for i in 0..200 {
        act(&mut s, &[Action::Input(if i == 199 { 'Z' } else { 'x' })]);
    }
    let all = screen_text(&s, 80, 24);
    assert!(all.contains("…xxx"), "{all}");
    assert!(all.contains("xZ▏"), "{all}");
    assert!(all.contains("User fields k=v"), "the field after Note still shows: {all}");
}

/// At 80×24 and 160×48 the help overlay scrolls to every binding and every section: sort, group,
/// raw JSON and quit, the form's fields, the `:` commands and the query terms.
#[test]
fn help_scrolls_to_everything_it_has() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut s = screen(w, h);
        act(&mut s, &[Action::Help]);
        let mut seen = screen_text(&s, w, h);
        let first = seen.clone();
        let mut last = String::new();
        let keymap = Keymap::defaults().unwrap();
        for _ in 0..200 {
            // As the main loop does before each frame: help measured at this screen's size.
            let bottom = super::help_bottom(Rect::new(0, 0, w, h), &keymap, s.help_topic);
            crate::app::help_measured(&mut s, bottom);
            act(&mut s, &[Action::MoveDown]);
            last = screen_text(&s, w, h);
            seen.push_str(&last);
            if s.help_scroll == s.help_bottom {
                break;
            }
        }
        if w == 80 {
            assert!(first.contains("more below"), "{first}");
        }
        assert!(!last.contains("more below"), "the end says nothing more is below: {last}");
        for want in ["sort", "group", "raw JSON", "quit", "edit form fields", ":export! FILE", ":sort COL", "sev>=high"]
        {
            assert!(seen.contains(want), "{want} at {w}x{h}");
        }
        act(&mut s, &[Action::Top]);
        assert_eq!(s.help_scroll, 0);
        act(&mut s, &[Action::Back]);
        assert!(!s.help);
    }
}

/// A state showing one finding's detail full height, at a size.
fn detail_of(doc: serde_json::Value, w: u16, h: u16) -> AppState {
    let row = crate::app::row::Row::from_asff(&doc);
    let key = row.key.clone();
    let mut s = AppState::new(Default::default(), "test.db", time::macros::datetime!(2026-11-01 0:00 UTC));
    resize(&mut s, w, h);
    crate::app::start(&mut s);
    handle_event(&mut s, Event::RowsLoaded { generation: 1, rows: vec![row], total: Some(1), done: true });
    handle_event(&mut s, Event::DetailLoaded { key, doc: Some(Box::new(doc)), history: vec![] });
    act(&mut s, &[Action::OpenDetail]);
    s
}

/// The first generated finding of a product that `pick` accepts.
fn generated(product: &str, pick: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    let opts = crate::generate::GenOptions { count: 3000, seed: 11, ..Default::default() };
    crate::generate::generate(&opts).find(|d| d["ProductName"] == product && pick(d)).unwrap()
}

/// Scrolls the full-height detail so that `heading` is its first line (as `j` would).
fn scroll_to(s: &mut AppState, heading: &str) {
    let (w, h) = s.size;
    let tall = screen_text(s, w, 400);
    let row = tall.lines().position(|l| l.starts_with(&format!("│{heading} "))).unwrap();
    resize(s, w, h);
    s.detail.scroll = u16::try_from(row - 2).unwrap();
}

/// Every token of the pane that starts like `longs[0]` is all of one of `longs` (values that share
/// a head: a finding's Id and its detector's) or its head and tail around an ellipsis: never split
/// across lines.
fn assert_whole_or_shortened(screen: &str, longs: &[&str]) {
    let prefix = &longs[0][..12];
    let mut seen = false;
    for line in screen.lines() {
        for tok in line.split([' ', '│']).filter(|t| t.contains(prefix)) {
            if tok == longs[0] || tok.contains('…') {
                seen = true;
            }
            let (head, tail) = tok.split_once('…').unwrap_or((tok, ""));
            let piece = |long: &&str| long.starts_with(head) && long.ends_with(tail);
            assert!(longs.iter().any(piece), "{tok} is none of {longs:?}:\n{screen}");
            assert!(tok.contains('…') || longs.contains(&tok), "{tok} is a piece of {longs:?}:\n{screen}");
        }
    }
    assert!(seen, "{} shows:\n{screen}", longs[0]);
}

#[test]
fn the_detail_pane_of_a_vulnerability() {
    let doc = generated("Inspector", |d| {
        d["Resources"][0]["Type"] == "AwsEcrContainerImage"
            && d["Vulnerabilities"][0]["VulnerablePackages"][1].is_object()
    });
    let arn = doc["Resources"][0]["Id"].as_str().unwrap().to_string();
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut s = detail_of(doc.clone(), w, h);
        scroll_to(&mut s, "Vulnerabilities");
        if w == 160 {
            // The console link above it too.
            s.detail.scroll -= 4;
        }
        insta::assert_snapshot!(format!("vulnerability_{w}x{h}"), draw(&s, w, h).backend());
        let mut s = detail_of(doc.clone(), w, h);
        scroll_to(&mut s, "Resources");
        assert_whole_or_shortened(&screen_text(&s, w, h), &[&arn]);
    }
}

#[test]
fn the_detail_pane_of_a_threat_finding() {
    let doc = generated("GuardDuty", |d| d["Action"]["ActionType"] == "NETWORK_CONNECTION");
    let (id, detector) = (doc["Id"].as_str().unwrap(), doc["GeneratorId"].as_str().unwrap());
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut s = detail_of(doc.clone(), w, h);
        if w == 80 {
            scroll_to(&mut s, "Threat");
        }
        insta::assert_snapshot!(format!("threat_{w}x{h}"), draw(&s, w, h).backend());
        let s = detail_of(doc.clone(), w, h);
        assert_whole_or_shortened(&screen_text(&s, w, h), &[id, detector]);
    }
}

#[test]
fn the_detail_pane_of_a_control_finding() {
    let doc = generated("Security Hub", |d| {
        d["Compliance"]["StatusReasons"].is_array() && d["Compliance"]["RelatedRequirements"].is_array()
    });
    let url = DetailView::of_asff(&doc).console_url.unwrap();
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut s = detail_of(doc.clone(), w, h);
        if w == 80 {
            scroll_to(&mut s, "Compliance");
            s.detail.scroll -= 3;
        }
        insta::assert_snapshot!(format!("control_{w}x{h}"), draw(&s, w, h).backend());
        assert_whole_or_shortened(&screen_text(&s, w, h), &[&url]);
    }
}

/// Issue 20: the header names the view ("open work"), and `0` shows all findings.
#[test]
fn the_header_names_the_view() {
    both_sizes!("open_work", |s: &mut AppState| {
        s.config.default_view = Some("open work".into());
        act(s, &[Action::ShowAll]);
    });
    both_sizes!("all_findings", |s: &mut AppState| {
        s.config.default_view = Some("open work".into());
        act(s, &[Action::ShowAll, Action::ShowAll]);
    });
}

/// Issue 20: the view picker (`V`).
#[test]
fn the_view_picker() {
    both_sizes!("view_picker", |s: &mut AppState| act(s, &[Action::ViewPicker, Action::MoveDown]));
}

/// Issue 20: what `y` copies.
#[test]
fn the_copy_menu() {
    both_sizes!("copy_menu", |s: &mut AppState| act(s, &[Action::Copy]));
}

/// Issue 20: the form for one finding shows its current values, and on Types says it replaces them.
#[test]
fn the_form_for_one_finding() {
    both_sizes!("form_one_finding", |s: &mut AppState| {
        act(s, &[Action::Edit, Action::NextField, Action::CycleNext]);
        for _ in 0..5 {
            act(s, &[Action::NextField]);
        }
    });
    both_sizes!("note_prompt_current", |s: &mut AppState| {
        let doc = s.detail.doc.as_mut().unwrap();
        doc["Note"] = json!({"Text": "Risk accepted until Q3, SEC-42", "UpdatedBy": "bob", "UpdatedAt": "x"});
        act(s, &[Action::Note, Action::PullNote]);
    });
}

/// Lays the detail out as the main loop does before a frame: its bottom and its search's matches.
fn measure(s: &mut AppState) {
    if let Some(bottom) = super::detail_bottom(s) {
        crate::app::detail_measured(s, bottom);
    }
    if let Some(m) = super::detail_matches(s) {
        crate::app::detail_search_measured(s, m);
    }
}

/// Issue 20 ("`/` inside the detail pane searches it (n/N)"), laid out as on screen.
#[test]
fn slash_in_the_detail_searches_it_and_n_steps_through_the_matches() {
    let mut s = screen(80, 24);
    act(&mut s, &[Action::OpenDetail, Action::StartSearch]);
    assert_eq!(s.input.as_ref().map(|i| i.kind), Some(crate::app::input::InputKind::DetailSearch));
    for c in "ROOT".chars() {
        update(&mut s, Action::Input(c));
    }
    measure(&mut s);
    let matches = s.detail.matches.clone();
    assert!(matches.len() >= 3, "{matches:?}");
    assert_eq!(s.detail.match_at, Some(0), "typing jumps to the first match");
    update(&mut s, Action::Submit);
    assert_eq!(s.view.filter.pattern, "", "the list's filter is not touched");
    act(&mut s, &[Action::Notify]);
    assert_eq!((s.detail.match_at, s.prompt.is_none()), (Some(1), true), "n is the next match, not notified");
    assert_eq!(s.detail.scroll, matches[1].min(s.detail.bottom.unwrap()));
    act(&mut s, &[Action::SearchPrev, Action::SearchPrev]);
    assert_eq!(s.detail.match_at, Some(matches.len() - 1), "N goes around to the last");
    let screen_text = format!("{:?}", draw(&s, 80, 24).backend());
    assert!(screen_text.contains(&format!("/ROOT {} of {}", matches.len(), matches.len())), "{screen_text}");
    act(&mut s, &[Action::Back]);
    assert_eq!(
        (s.detail.search.as_str(), s.mode),
        ("", crate::app::state::Mode::DetailFull),
        "Esc clears the search first"
    );
    act(&mut s, &[Action::Notify]);
    assert!(s.prompt.is_some(), "without a search n is notified again");
}

#[test]
fn the_detail_search() {
    both_sizes!("detail_search", |s: &mut AppState| {
        act(s, &[Action::OpenDetail, Action::StartSearch]);
        for c in "mfa".chars() {
            update(s, Action::Input(c));
        }
        update(s, Action::Submit);
        measure(s);
        act(s, &[Action::Notify]);
    });
}

/// The group view on two levels (control, then account) with each group's severity distribution.
#[test]
fn the_group_view_on_two_levels() {
    both_sizes!("group_two_levels", |s: &mut AppState| {
        act(s, &[Action::StartCommand]);
        act(s, &"group control,account".chars().map(Action::Input).collect::<Vec<_>>());
        act(s, &[Action::Submit, Action::MoveDown]);
    });
}

/// Where a mouse press lands, laid out as the frame is drawn: rows under the header, the header's
/// columns, nothing on the border or below the list.
#[test]
fn a_mouse_press_is_matched_against_the_list_as_drawn() {
    use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let press = |x: u16, y: u16| MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: x,
        row: y,
        modifiers: KeyModifiers::NONE,
    };
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let s = screen(w, h);
        let text = screen_text(&s, w, h);
        let lines: Vec<&str> = text.lines().collect();
        // Header at y=2, first row at y=3.
        assert!(lines[2].contains("TITLE"), "{}", lines[2]);
        assert_eq!(super::mouse_action(&s, &press(5, 3)), Some(Action::ClickRow(0)));
        assert_eq!(super::mouse_action(&s, &press(5, 7)), Some(Action::ClickRow(4)));
        let col = |name: &str| lines[2][..lines[2].find(name).unwrap()].chars().count() as u16;
        let title_x = col("TITLE");
        let title = crate::app::filter::SortColumn::ALL
            .iter()
            .position(|c| *c == crate::app::filter::SortColumn::Title)
            .unwrap() as u8;
        assert_eq!(super::mouse_action(&s, &press(title_x + 1, 2)), Some(Action::ClickHeader(title)));
        let status_x = col("STATUS");
        assert_eq!(super::mouse_action(&s, &press(status_x, 2)), Some(Action::ClickHeader(1)));
        assert_eq!(super::mouse_action(&s, &press(0, 3)), None, "the border");
        assert_eq!(super::mouse_action(&s, &press(5, h - 1)), None, "the hints line");
    }
}
