//! Remote mode against moto's server (PyPI `moto[server]`, which `.ci/run` installs in its venv),
//! another implementation of Security Hub's API, started by the test on a loopback port: a sync
//! reads what BatchImportFindings put there, and BatchUpdateFindings, which moto does not
//! implement (it answers 404), is reported as such with the edits kept in the outbox. Skipped, with
//! the reason printed, where moto is not installed (unless HUBTRIAGE_REQUIRE_AWS_CLIENTS=1, as in CI).

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The Python with moto's server, or why there is none.
fn moto_python() -> Result<PathBuf, String> {
    let python = std::env::var_os("HUBTRIAGE_TEST_PYTHON").map_or_else(|| PathBuf::from("python3"), PathBuf::from);
    let has = Command::new(&python)
        .args(["-c", "import moto.server"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if has {
        Ok(python)
    } else {
        Err(format!("{} cannot import moto.server (pip install 'moto[server]'; .ci/run does)", python.display()))
    }
}

struct Moto {
    child: Child,
    url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// moto's server on a free loopback port, waited for until it accepts connections.
fn start_moto(python: &Path, dir: &Path) -> Moto {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(python)
        .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &port.to_string()])
        .env("HOME", dir)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(dir.join("moto.out")).unwrap())
        .stderr(std::fs::File::create(dir.join("moto.err")).unwrap())
        .spawn()
        .unwrap();
    let moto = Moto { child, url: format!("http://127.0.0.1:{port}") };
    let t = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "moto did not start: {}",
            std::fs::read_to_string(dir.join("moto.err")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    moto
}

/// `hubtriage ARGS` in a cleared environment: moto's test keys, a temp HOME and cache directory.
fn run(home: &Path, args: &[&str]) -> Output {
    common::client_command(home, "testing", "moto-secret-testing").args(args).output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn sync_reads_moto_and_its_missing_batch_update_keeps_the_edits_queued() {
    let python = match moto_python() {
        Ok(p) => p,
        Err(why) => {
            let required = std::env::var("HUBTRIAGE_REQUIRE_AWS_CLIENTS").is_ok_and(|v| v == "1");
            assert!(!required, "HUBTRIAGE_REQUIRE_AWS_CLIENTS=1 but {why}");
            eprintln!("skipped: {why}");
            return;
        }
    };
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let moto = start_moto(&python, h);

    // Three active, new findings of moto's default account, imported through `api`, signed.
    let gen = h.join("gen.json");
    let o = run(h, &["generate", "--count", "3", "--seed", "4", "-o", gen.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let mut v: Value = serde_json::from_slice(&std::fs::read(&gen).unwrap()).unwrap();
    for f in v["Findings"].as_array_mut().unwrap() {
        f["AwsAccountId"] = json!("123456789012");
        f["RecordState"] = json!("ACTIVE");
        f["Workflow"] = json!({"Status": "NEW"});
    }
    std::fs::write(&gen, v.to_string()).unwrap();
    let o = run(h, &["api", "BatchImportFindings", "--input-json", gen.to_str().unwrap(), "--endpoint-url", &moto.url]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("\"SuccessCount\": 3"), "{}", text(&o));

    let o = run(h, &["sync", "--endpoint-url", &moto.url]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("3 new, 0 updated, 0 gone from the view"), "{}", text(&o));
    // moto has no GetFindingsV2: skipped under the default `--api both`, said once.
    let err = String::from_utf8_lossy(&o.stderr);
    let said = "this endpoint does not implement GetFindingsV2; showing ASFF findings only";
    assert_eq!(err.matches(said).count(), 1, "{}", text(&o));
    let o = run(h, &["findings", "--format", "csv", "--endpoint-url", &moto.url]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 4, "{}", text(&o));

    // moto has no BatchUpdateFindings: said plainly, and the edits stay queued.
    let o = run(h, &["update", "sev>=informational", "--workflow", "resolved", "--yes", "--endpoint-url", &moto.url]);
    assert!(!o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("this endpoint") && out.contains("does not implement BatchUpdateFindings"), "{out}");
    assert!(out.contains("3 of this edit still queued"), "{out}");
    let o = run(h, &["outbox", "--endpoint-url", &moto.url]);
    assert!(text(&o).contains("3 findings' edits queued"), "{}", text(&o));
    assert!(!out.contains("moto-secret-testing"), "no credential printed");
}
