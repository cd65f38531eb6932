//! The help overlay names every `:` command the line runs, in both of its topics (`?` and `:help`).

use crate::app::cmdline::COMMANDS;
use crate::app::state::HelpTopic;
use crate::keys::Keymap;

fn text(topic: HelpTopic) -> String {
    let keymap = Keymap::defaults().unwrap();
    super::help::sections(&keymap, topic)
        .into_iter()
        .flatten()
        .map(|l| l.spans.iter().map(|s| s.content.to_string()).collect::<String>() + "\n")
        .collect()
}

#[test]
fn help_lists_every_colon_command() {
    for topic in [HelpTopic::Keys, HelpTopic::CommandLine] {
        let help = text(topic);
        for command in COMMANDS {
            // `:q` stands for quit, `:demo remove` for demo.
            let named = format!(":{command}");
            assert!(help.contains(&named), "{named} is not in the {topic:?} help:\n{help}");
        }
        for want in [":columns [LIST]", ":columns default", ":log", ":help"] {
            assert!(help.contains(want), "{want} is not in the {topic:?} help:\n{help}");
        }
        // Each column :columns takes is named.
        for c in crate::app::columns::Column::ALL {
            assert!(help.contains(c.name()), "column {} is not in the {topic:?} help", c.name());
        }
    }
}
