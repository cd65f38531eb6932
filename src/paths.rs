//! Where hubtriage keeps its files by default: the platform's data directory (the store) and its
//! config directory (`config.toml`, `keymap.toml`), both named for hubtriage.

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
