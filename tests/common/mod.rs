//! What the integration tests share: running the `hubtriage` binary hermetically (a store of the
//! test's own, no account or user from the environment, a config directory of its own, no stdin).

// Each test binary uses some of these helpers, not all.
#![allow(dead_code)]

/// The Python suites with a real AWS client (`serve`, `rules_serve`, `ocsf_python`).
pub mod python;
/// The workbench in tmux (`tui_e2e`, `tui_views`, `tui_log`, `tui_ocsf`).
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

/// Every finding's (Id, workflow status), sorted, from `findings --format json`'s output.
pub fn workflow_statuses(o: &Output) -> Vec<(String, String)> {
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|_| panic!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)));
    let mut out: Vec<(String, String)> = v["Findings"]
        .as_array()
        .expect("a Findings list")
        .iter()
        .map(|f| {
            (
                f["Id"].as_str().unwrap_or_default().to_string(),
                f["Workflow"]["Status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// A `serve` started by `serve`, killed when dropped; `url` is `http://ADDRESS`.
pub struct Served {
    pub child: std::process::Child,
    pub url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `spawn_serve`, as a `Served` that stops the server when dropped.
pub fn serve(store: &Path, listen: &str, extra: &[&str], stderr: &Path) -> Served {
    let (child, addr) = spawn_serve(store, listen, extra, stderr);
    Served { child, url: format!("http://{addr}") }
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

/// A remote client's world, as the remote tests give it to the library and the binary: these keys
/// in the environment, region us-east-1, no instance metadata, and HOME, the cache directory (where
/// the outbox and the read cache live), the config directory and the aws CLI's files in `home`, so
/// that the real `~/.aws` and the user's config are never read.
pub fn client_vars(home: &Path, key_id: &str, secret: &str) -> Vec<(String, String)> {
    let path = |p: &str| home.join(p).to_str().expect("UTF-8 path").to_string();
    vec![
        ("AWS_ACCESS_KEY_ID".into(), key_id.into()),
        ("AWS_SECRET_ACCESS_KEY".into(), secret.into()),
        ("AWS_REGION".into(), "us-east-1".into()),
        ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ("HOME".into(), home.to_str().expect("UTF-8 path").to_string()),
        ("XDG_CACHE_HOME".into(), path("cache")),
        ("XDG_CONFIG_HOME".into(), path("config")),
        ("AWS_CONFIG_FILE".into(), path("aws-config")),
        ("AWS_SHARED_CREDENTIALS_FILE".into(), path("aws-credentials")),
    ]
}

/// `client_vars` as the library's explicit environment.
pub fn client_environment(home: &Path, key_id: &str, secret: &str) -> hubtriage::remote::Environment {
    hubtriage::remote::Environment::from_map(client_vars(home, key_id, secret).into_iter().collect())
}

/// The `hubtriage` binary as a remote client, in a cleared environment of `client_vars` (and PATH),
/// with no local store of its own; the caller adds the arguments.
pub fn client_command(home: &Path, key_id: &str, secret: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hubtriage"));
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(client_vars(home, key_id, secret))
        .env("HUBTRIAGE_USER", "tester")
        .env("HUBTRIAGE_STORE", home.join("no-local-store.db"))
        .stdin(Stdio::null());
    c
}

/// The workbench's worker (no terminal) on `backend`, once its first load has ended: its effect
/// sender, its event receiver (the events after the load's last chunk), and the rows listed. A
/// failed load fails the test.
pub fn loaded_worker(
    backend: Box<dyn hubtriage::backend::Backend>,
) -> (
    tokio::sync::mpsc::UnboundedSender<hubtriage::app::Effect>,
    tokio::sync::mpsc::UnboundedReceiver<hubtriage::app::event::Event>,
    Vec<hubtriage::model::summary::FindingSummary>,
) {
    use hubtriage::app::event::Event;
    let (tx, erx) = tokio::sync::mpsc::unbounded_channel();
    let (etx, mut events) = tokio::sync::mpsc::unbounded_channel();
    hubtriage::worker::spawn(backend, erx, etx).unwrap();
    tx.send(hubtriage::app::Effect::LoadRows { generation: 1 }).unwrap();
    let mut listed = Vec::new();
    loop {
        match events.blocking_recv().expect("an event") {
            Event::RowsLoaded { rows, done, .. } => {
                listed.extend(rows);
                if done {
                    return (tx, events, listed);
                }
            }
            Event::RowsFailed { error, .. } => panic!("{error}"),
            _ => {}
        }
    }
}
