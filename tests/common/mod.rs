//! What the integration tests share: running the `hubtriage` binary hermetically (a store of the
//! test's own, no account or user from the environment, a config directory of its own, no stdin).

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// `hubtriage ARGS` on `store`, as the given user; never the caller's own config.toml or keymap.
pub fn run(store: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hubtriage"))
        .args(args)
        .env("HUBTRIAGE_STORE", store)
        .env_remove("HUBTRIAGE_ACCOUNT")
        .env("HUBTRIAGE_USER", "tester")
        // A config directory of the test's own, empty unless the test writes one.
        .env("XDG_CONFIG_HOME", store.parent().unwrap_or(store).join("config"))
        .stdin(Stdio::null())
        .output()
        .expect("run hubtriage")
}
