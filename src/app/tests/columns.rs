//! `:columns`: choose, order and size the list's columns; a saved view keeps them.

use super::{act, run, views_dir};
use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::event::Event;
use crate::app::row::Row;
use crate::app::state::Config;
use crate::app::{handle_event, start, AppState};

fn loaded_with_views(views: Vec<crate::app::views::SavedView>) -> AppState {
    let config = Config { views_dir: Some(views_dir()), ..Config::default() };
    let mut s = AppState::new(config, "test.db", time::macros::datetime!(2026-11-01 0:00 UTC));
    start(&mut s);
    handle_event(&mut s, Event::ViewsLoaded { views, errors: vec![] });
    let rows: Vec<Row> = super::docs(40).iter().map(Row::from_asff).collect();
    handle_event(&mut s, Event::RowsLoaded { generation: 1, rows, total: Some(40), done: true });
    s
}

#[test]
fn columns_command_sets_order_and_widths_and_alone_goes_back_to_the_default() {
    let mut s = loaded_with_views(vec![]);
    assert_eq!(run(&mut s, "columns title,severity resource:40 control"), vec![]);
    assert_eq!(s.input, None);
    assert_eq!(s.view.columns, ["title", "severity", "resource:40", "control"]);
    assert!(s.status.message.as_ref().unwrap().text.contains("title, severity, resource:40, control"));

    run(&mut s, "columns title,nope");
    let error = s.input.as_ref().and_then(|i| i.error.clone()).unwrap_or_default();
    assert!(error.contains("\"nope\" is not one of"), "{error}");
    assert_eq!(s.view.columns, ["title", "severity", "resource:40", "control"], "a bad line changes nothing");

    act(&mut s, &[Action::Back]);
    run(&mut s, "columns default");
    assert!(s.view.columns.is_empty());
}

fn chooser(s: &AppState) -> Vec<(char, String, String)> {
    s.menu.as_ref().unwrap().items.iter().map(|i| (i.key, i.label.clone(), i.value.clone())).collect()
}

#[test]
fn the_chooser_switches_moves_and_sizes_columns_and_enter_applies_them() {
    let mut s = loaded_with_views(vec![]);
    run(&mut s, "columns");
    assert_eq!(s.menu.as_ref().unwrap().kind, crate::app::menu::MenuKind::Columns);
    let items = chooser(&s);
    let names: Vec<&str> = items.iter().map(|i| i.1.as_str()).collect();
    assert_eq!(
        names,
        [
            "severity",
            "status",
            "title",
            "resource",
            "account",
            "region",
            "product",
            "age",
            "compliance",
            "control",
            "generator",
            "type"
        ],
        "the default's columns first, shown; then the others"
    );
    assert_eq!(items.iter().filter(|i| i.0 == '✓').count(), 8);

    // Title to the top, status off, resource 4 wider, control on and moved up beside it.
    act(&mut s, &[Action::MoveDown, Action::MoveDown]);
    act(&mut s, &[Action::Input('K'), Action::Input('K')]);
    act(&mut s, &[Action::MoveDown, Action::MoveDown, Action::Input(' ')]);
    act(&mut s, &[Action::MoveDown, Action::Input('+'), Action::Input('+')]);
    // Control is third from the bottom (generator and type follow it).
    act(&mut s, &[Action::Bottom, Action::MoveUp, Action::MoveUp, Action::Input(' ')]);
    for _ in 0..6 {
        act(&mut s, &[Action::Input('K')]);
    }
    assert!(s.view.columns.is_empty(), "nothing applies before Enter");
    act(&mut s, &[Action::Submit]);
    assert_eq!(s.menu, None);
    assert_eq!(s.view.columns, ["title", "severity", "control", "resource:28", "account", "region", "product", "age"]);

    // Opened again, it shows the chosen ones; Esc leaves them.
    run(&mut s, "columns");
    assert_eq!(chooser(&s)[3], ('✓', "resource".to_string(), "28".to_string()));
    act(&mut s, &[Action::Input(' '), Action::Back]);
    assert_eq!(s.menu, None);
    assert_eq!(s.view.columns[3], "resource:28");
}

#[test]
fn a_saved_view_keeps_its_columns_and_opening_it_applies_them() {
    let mut s = loaded_with_views(vec![]);
    run(&mut s, "columns title:50,compliance,control");
    let effects = run(&mut s, "view save by control");
    let Some(Effect::SaveView { text, path }) = effects.first() else { panic!("{effects:?}") };
    assert!(text.contains("columns = [\"title:50\", \"compliance\", \"control\"]\n"), "{text}");
    let read = crate::app::views::parse(path, text).unwrap();
    assert_eq!(read.columns, ["title:50", "compliance", "control"]);

    // Another run: the file is read, the list starts on its default columns, and the view applies its own.
    let mut s = loaded_with_views(vec![read]);
    assert!(s.view.columns.is_empty());
    run(&mut s, "view by control");
    assert_eq!(s.view.columns, ["title:50", "compliance", "control"]);
    run(&mut s, "view all");
    assert!(s.view.columns.is_empty(), "a view without columns goes back to the default");
}

#[test]
fn a_view_file_with_an_unknown_column_is_named_with_its_line() {
    let text = "query = \"\"\ncolumns = [\"title\", \"nope\"]\n";
    let e = crate::app::views::parse(&views_dir().join("t.toml"), text).unwrap_err();
    assert!(e.starts_with("views/t.toml line 2: columns: \"nope\" is not one of"), "{e}");
}

/// A saved view's columns take generator and type (and their other words) as `:columns` does.
#[test]
fn a_view_file_keeps_generator_and_type_columns() {
    let text = "query = \"\"\ncolumns = [\"severity\", \"generator:30\", \"types\", \"title\"]\n";
    let read = crate::app::views::parse(&views_dir().join("t.toml"), text).unwrap();
    let chosen = crate::app::columns::resolve(&read.columns).unwrap();
    let names: Vec<&str> = chosen.iter().map(|c| c.column.name()).collect();
    assert_eq!(names, ["severity", "generator", "type", "title"]);
    assert_eq!(chosen[1].width, Some(30));

    let mut s = loaded_with_views(vec![]);
    assert_eq!(run(&mut s, "columns severity,generator,type,title"), vec![]);
    assert_eq!(s.view.columns, ["severity", "generator", "type", "title"]);
}

#[test]
fn column_names_complete_after_columns() {
    let mut s = loaded_with_views(vec![]);
    act(&mut s, &[Action::StartCommand, Action::KillToStart]);
    super::typed(&mut s, "columns title,com");
    act(&mut s, &[Action::Complete]);
    assert_eq!(s.input.as_ref().unwrap().text(), "columns title,compliance");
}
