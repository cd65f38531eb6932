//! Issue 20 ("the `:` line has history, cursor movement, Ctrl-U/Ctrl-W, completion, prefill and
//! `:help`"): each behaviour through `update` and `handle_event`, without a terminal.

use std::path::PathBuf;

use super::{act, loaded, run, typed};
use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::event::Event;
use crate::app::prompt::Prompt;
use crate::app::state::{Context, HelpTopic};
use crate::app::{handle_event, start, AppState};

fn line(s: &AppState) -> String {
    s.input.as_ref().map(|i| i.text().to_string()).unwrap_or_default()
}

/// Opens `:`, clears whatever it opened with, types `text` and runs it.
#[test]
fn up_and_down_walk_the_lines_run_and_come_back_to_the_one_typed() {
    let mut s = loaded(50);
    run(&mut s, "sev>=high");
    run(&mut s, "status:new");
    run(&mut s, "status:new");
    run(&mut s, "sevv:high");
    act(&mut s, &[Action::Back]);
    run(&mut s, "sort title");
    assert_eq!(s.cmdline.history.entries, ["sev>=high", "status:new", "sort title"], "no repeats, no errors");
    act(&mut s, &[Action::StartCommand, Action::KillToStart]);
    typed(&mut s, "reg");
    act(&mut s, &[Action::HistoryPrev]);
    assert_eq!(line(&s), "sort title", "the newest first");
    act(&mut s, &[Action::HistoryPrev, Action::HistoryPrev]);
    assert_eq!(line(&s), "sev>=high");
    act(&mut s, &[Action::HistoryPrev]);
    assert_eq!(line(&s), "sev>=high", "the oldest stays");
    act(&mut s, &[Action::HistoryNext]);
    assert_eq!(line(&s), "status:new");
    act(&mut s, &[Action::HistoryNext, Action::HistoryNext]);
    assert_eq!(line(&s), "reg", "past the newest: the line being typed");
    act(&mut s, &[Action::HistoryNext]);
    assert_eq!(line(&s), "reg");
    act(&mut s, &[Action::HistoryPrev, Action::Submit]);
    assert_eq!(s.view.sort.column, crate::app::filter::SortColumn::Title, "a line from the history runs");
    // The / filter has no history: Up does nothing there.
    act(&mut s, &[Action::StartFilter]);
    typed(&mut s, "s3");
    act(&mut s, &[Action::HistoryPrev]);
    assert_eq!(line(&s), "s3");
}

#[test]
fn the_history_is_read_and_written_by_the_worker() {
    let path = PathBuf::from("/nonexistent/hubtriage-test/command_history");
    let mut s = loaded(20);
    s.config.history_file = Some(path.clone());
    let effects = start(&mut s);
    assert_eq!(effects[0], Effect::LoadHistory { path: path.clone() }, "{effects:?}");
    assert!(matches!(effects[1], Effect::LoadRows { .. }));
    // A line that runs before the file is read is not written over it.
    let e = run(&mut s, "sev>=high");
    assert!(!e.iter().any(|e| matches!(e, Effect::SaveHistory { .. })), "{e:?}");
    assert!(!s.cmdline.to_save());
    handle_event(&mut s, Event::HistoryLoaded { entries: vec!["account:1".into(), "sev>=high".into()] });
    assert_eq!(s.cmdline.history.entries, ["account:1", "sev>=high"]);
    assert!(s.cmdline.to_save(), "written at quit");
    let e = run(&mut s, "status:new");
    assert_eq!(
        e[0],
        Effect::SaveHistory { path, entries: vec!["account:1".into(), "sev>=high".into(), "status:new".into()] }
    );
    let e = run(&mut s, "q");
    assert!(matches!(e[0], Effect::SaveHistory { .. }) && e.last() == Some(&Effect::Quit), "saved before the quit");
    handle_event(&mut s, Event::HistoryFailed { error: "cannot read x".into() });
    assert!(s.status.message.as_ref().is_some_and(|m| m.text.contains("cannot read x")));
}

#[test]
fn the_cursor_moves_and_ctrl_u_ctrl_w_delete_in_every_line() {
    let mut s = loaded(50);
    act(&mut s, &[Action::StartCommand]);
    typed(&mut s, "sev>=high status:new");
    act(&mut s, &[Action::KillWord]);
    assert_eq!(line(&s), "sev>=high ");
    act(&mut s, &[Action::LineStart, Action::DeleteForward, Action::DeleteForward, Action::DeleteForward]);
    typed(&mut s, "severity");
    act(&mut s, &[Action::LineEnd, Action::CursorLeft, Action::Backspace]);
    assert_eq!(line(&s), "severity>=hig ");
    let cursor = s.input.as_ref().map(|i| i.line.cursor());
    assert_eq!(cursor, Some(13));
    act(&mut s, &[Action::KillToStart]);
    assert_eq!(line(&s), " ");
    // The / filter applies what the editing keys leave.
    act(&mut s, &[Action::Back, Action::StartFilter]);
    typed(&mut s, "s3 zzzz");
    assert!(s.view.visible.is_empty());
    act(&mut s, &[Action::KillWord]);
    assert_eq!(s.view.filter.pattern, "s3 ");
    assert!(!s.view.visible.is_empty());
    act(&mut s, &[Action::KillToStart]);
    assert_eq!(s.view.visible.len(), 50);
    // A note too.
    act(&mut s, &[Action::Back, Action::Note]);
    assert_eq!(s.context(), Context::Input);
    typed(&mut s, "ticket SEC-1");
    act(&mut s, &[Action::KillWord]);
    typed(&mut s, "SEC-2");
    act(&mut s, &[Action::LineStart, Action::DeleteForward]);
    let Some(Prompt::Text { text, .. }) = &s.prompt else { panic!("the note prompt") };
    assert_eq!(text.text(), "icket SEC-2");
}

#[test]
fn tab_completes_keys_and_cycles_through_several() {
    let mut s = loaded(50);
    act(&mut s, &[Action::StartCommand]);
    typed(&mut s, "sev");
    act(&mut s, &[Action::Complete]);
    assert_eq!(line(&s), "sev:");
    assert_eq!(s.input.as_ref().and_then(|i| i.completion.clone()), None, "one candidate: nothing to list");
    act(&mut s, &[Action::Complete]);
    assert_eq!(line(&s), "sev:critical", "then the key's values");
    let listed = s.input.as_ref().and_then(|i| i.completion.clone()).expect("several values are listed");
    assert_eq!(listed.candidates.len(), 5);
    act(&mut s, &[Action::Complete, Action::Complete]);
    assert_eq!(line(&s), "sev:medium");
    act(&mut s, &[Action::CompletePrev]);
    assert_eq!(line(&s), "sev:high");
    typed(&mut s, " re");
    assert_eq!(s.input.as_ref().and_then(|i| i.completion.clone()), None, "typing keeps the one shown");
    act(&mut s, &[Action::Complete]);
    assert_eq!(line(&s), "sev:high region:");
    act(&mut s, &[Action::Complete, Action::Complete, Action::Complete]);
    assert_eq!(line(&s), "sev:high record:");
    act(&mut s, &[Action::Complete]);
    assert_eq!(line(&s), "sev:high region:", "cycling wraps round");
    // The text after the cursor stays.
    act(&mut s, &[Action::KillToStart]);
    typed(&mut s, "stat region:x");
    for _ in 0..9 {
        act(&mut s, &[Action::CursorLeft]);
    }
    act(&mut s, &[Action::Complete]);
    assert_eq!(line(&s), "status: region:x");
    let before = line(&s);
    act(&mut s, &[Action::LineEnd, Action::KillToStart]);
    typed(&mut s, "zzz");
    act(&mut s, &[Action::Complete]);
    assert_eq!(line(&s), "zzz", "nothing to complete: nothing changes (was {before})");
}

#[test]
fn tab_completes_values_the_loaded_rows_hold() {
    let mut s = loaded(200);
    let mut regions: Vec<String> = s.rows.all.iter().map(|r| r.region.to_string()).collect();
    regions.sort();
    regions.dedup();
    assert!(regions.len() > 1, "{regions:?}");
    act(&mut s, &[Action::StartCommand]);
    typed(&mut s, "region:");
    let mut seen = Vec::new();
    for _ in 0..regions.len() {
        act(&mut s, &[Action::Complete]);
        seen.push(line(&s).trim_start_matches("region:").to_string());
    }
    assert_eq!(seen, regions, "every region of the rows, sorted, once");
    act(&mut s, &[Action::Submit]);
    assert!(s.view.visible.iter().all(|&i| s.rows.get(i).unwrap().region == regions[regions.len() - 1]));
    let account = s.rows.all[0].account.clone();
    act(&mut s, &[Action::StartCommand, Action::KillToStart]);
    typed(&mut s, &format!("-account:{}", &account[..6]));
    act(&mut s, &[Action::Complete]);
    assert!(
        line(&s).starts_with("-account:") && s.rows.all.iter().any(|r| line(&s) == format!("-account:{}", r.account))
    );
}

#[test]
fn the_line_opens_on_the_current_query_selected() {
    let mut s = loaded(100);
    run(&mut s, "sev>=high");
    let high = s.view.visible.len();
    act(&mut s, &[Action::StartCommand]);
    let input = s.input.as_ref().unwrap();
    assert_eq!((input.text(), input.line.is_selected()), ("sev>=high", true));
    // Refining: one key to keep it, then the new term.
    act(&mut s, &[Action::LineEnd]);
    typed(&mut s, " status:new");
    act(&mut s, &[Action::Submit]);
    assert_eq!(s.view.query.text, "sev>=high status:new");
    assert!(s.view.visible.len() <= high);
    // Typing replaces it: a command is not added to the query.
    act(&mut s, &[Action::StartCommand]);
    typed(&mut s, "sort title");
    act(&mut s, &[Action::Submit]);
    assert_eq!(s.view.query.text, "sev>=high status:new");
    assert_eq!(s.view.sort.column, crate::app::filter::SortColumn::Title);
    // Enter on it as it opened runs it again; an empty line clears it, as before.
    act(&mut s, &[Action::StartCommand, Action::Submit]);
    assert_eq!(s.view.query.text, "sev>=high status:new");
    act(&mut s, &[Action::StartCommand, Action::Backspace, Action::Submit]);
    assert_eq!(s.view.query.text, "");
    assert_eq!(s.view.visible.len(), 100);
    act(&mut s, &[Action::StartCommand]);
    assert_eq!(s.input.as_ref().map(|i| i.line.is_selected()), Some(false), "nothing to select");
}

#[test]
fn colon_help_shows_the_command_line_help_and_esc_closes_it() {
    let mut s = loaded(20);
    run(&mut s, "help");
    assert!(s.help && s.input.is_none());
    assert_eq!(s.help_topic, HelpTopic::CommandLine);
    act(&mut s, &[Action::Back]);
    assert!(!s.help);
    assert_eq!(s.help_topic, HelpTopic::Keys);
    act(&mut s, &[Action::Help]);
    assert_eq!(s.help_topic, HelpTopic::Keys, "? is every key, as before");
    act(&mut s, &[Action::Back]);
    run(&mut s, "help me");
    assert!(!s.help, ":help with words is a query");
}
