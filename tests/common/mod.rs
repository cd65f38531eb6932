//! What the integration tests share: running the `hubtriage` binary hermetically (a store of the
//! test's own, no account or user from the environment, a config directory of its own, no stdin).

// Each test binary uses some of these helpers, not all.
#![allow(dead_code)]

/// The workbench in tmux (`tui_e2e`, `tui_views`).
pub mod tmux;

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

/// `hubtriage --store STORE serve --listen LISTEN EXTRA...` with its stderr in `stderr`, started and
/// waited for until it prints the address it listens on. Returns the child and that address
/// (`127.0.0.1:PORT`); if it prints anything else, kills it and panics with what it wrote to stderr.
pub fn spawn_serve(store: &Path, listen: &str, extra: &[&str], stderr: &Path) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_hubtriage"))
        .args(["--store", store.to_str().expect("UTF-8 path"), "serve", "--listen", listen])
        .args(extra)
        .env_remove("HUBTRIAGE_ACCOUNT")
        .env("HUBTRIAGE_USER", "tester")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(stderr).expect("stderr file"))
        .spawn()
        .expect("start hubtriage serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("read serve's first line");
    match line.trim().strip_prefix("listening on http://") {
        Some(addr) => (child, addr.to_string()),
        None => {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "serve: unexpected first line {line:?}; stderr: {}",
                std::fs::read_to_string(stderr).unwrap_or_default()
            )
        }
    }
}
