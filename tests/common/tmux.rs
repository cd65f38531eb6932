//! The workbench in a real terminal: a tmux server of the test's own running the binary on a temp
//! store, its screen read with capture-pane. tmux is installed by `.ci/run`, which sets
//! `HUBTRIAGE_REQUIRE_TMUX=1` so that a missing tmux fails there instead of skipping.

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_hubtriage");

/// `hubtriage ARGS` on `store` as the workbench's user (`e2e-tester`, so history names the same
/// actor for both), which must succeed.
pub fn cli(store: &Path, args: &[&str]) -> Output {
    let o = Command::new(BIN)
        .args(args)
        .env("HUBTRIAGE_STORE", store)
        .env("HUBTRIAGE_USER", "e2e-tester")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    o
}

/// A tmux server of this test's own (its socket in the temp dir), killed when dropped.
pub struct Tmux {
    pub socket: PathBuf,
}

impl Tmux {
    /// The workbench on `store` in a new session of `size`. The shell line prints the exit status
    /// after the workbench ends and keeps the pane open to show it; HOME and the XDG directories
    /// point into `dir`, so the user's own keymap, config and `:` history neither apply nor change.
    pub fn workbench(&self, dir: &Path, store: &Path, size: (u16, u16)) {
        self.workbench_with(dir, store, size, "", "");
    }

    /// The same, with more `VAR=value` words for env and arguments for the workbench.
    pub fn workbench_with(&self, dir: &Path, store: &Path, size: (u16, u16), env: &str, args: &str) {
        let home = dir.join("home");
        std::fs::create_dir_all(&home).unwrap();
        let line = format!(
            "env HOME='{home}' XDG_CONFIG_HOME='{home}/.config' XDG_DATA_HOME='{home}/.local/share' \
             XDG_STATE_HOME='{home}/.local/state' HUBTRIAGE_STORE='{store}' HUBTRIAGE_USER=e2e-tester \
             {env} TERM=xterm-256color '{BIN}' {args}; echo EXITED-$?; sleep 60",
            home = home.display(),
            store = store.display()
        );
        let (w, h) = (size.0.to_string(), size.1.to_string());
        // A tmux server starting while the machine is busy can die before it answers ("server exited
        // unexpectedly"); that is tmux, not the workbench, so the session is asked for again.
        let mut o = self.cmd(&["new-session", "-d", "-s", "e2e", "-x", &w, "-y", &h, &line]);
        for _ in 0..2 {
            if o.status.success() || !String::from_utf8_lossy(&o.stderr).contains("server exited unexpectedly") {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
            o = self.cmd(&["new-session", "-d", "-s", "e2e", "-x", &w, "-y", &h, &line]);
        }
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }

    pub fn cmd(&self, args: &[&str]) -> Output {
        // `-f /dev/null`: the user's ~/.tmux.conf must not change sizes, keys or the status line.
        Command::new("tmux").arg("-f").arg("/dev/null").arg("-S").arg(&self.socket).args(args).output().unwrap()
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "e2e"]).stdout).into_owned()
    }

    /// Waits until the screen shows `needle`; on timeout fails with what the screen showed.
    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_until(needle, |s| s.contains(needle))
    }

    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(Instant::now() < deadline, "the screen never showed {what}; it shows:\n{s}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        assert!(self.cmd(&args).status.success());
    }

    pub fn literal(&self, text: &str) {
        assert!(self.cmd(&["send-keys", "-t", "e2e", "-l", text]).status.success());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

pub fn tmux_available() -> bool {
    let found = Command::new("tmux").arg("-V").output().is_ok_and(|o| o.status.success());
    if !found && std::env::var("HUBTRIAGE_REQUIRE_TMUX").as_deref() == Ok("1") {
        panic!("tmux is required (HUBTRIAGE_REQUIRE_TMUX=1) but not installed");
    }
    if !found {
        eprintln!("skipped: tmux is not installed; .ci/run installs it");
    }
    found
}
