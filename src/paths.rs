//! Where hubtriage keeps its files by default: the platform's data directory (the store), its
//! config directory (`config.toml`, `keymap.toml`) and its state directory where the platform has
//! one, else the data directory (the `:` line's history), all named for hubtriage.

use std::path::PathBuf;

use directories::ProjectDirs;

/// The platform's directories for hubtriage; `None` when there is no home directory.
pub fn dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "hubtriage")
}

/// The file `name` in the config directory.
pub fn config_file(name: &str) -> Option<PathBuf> {
    dirs().map(|d| d.config_dir().join(name))
}

/// The `:` line's history: `command_history` in the state directory (Linux: `$XDG_STATE_HOME`,
/// `~/.local/state/hubtriage`), else in the data directory (macOS, Windows).
pub fn history_file() -> Option<PathBuf> {
    let d = dirs()?;
    Some(d.state_dir().unwrap_or(d.data_dir()).join("command_history"))
}
