//! The Python suites (tests/python) against the binary, with a real AWS client. `.ci/run` installs
//! boto3 and the aws CLI in a venv and sets HUBTRIAGE_TEST_PYTHON and
//! HUBTRIAGE_REQUIRE_AWS_CLIENTS=1; elsewhere a suite is skipped, saying so, when python3 cannot
//! import what it needs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Runs tests/python/`file` and asserts it passed; its output (stdout, then stderr), or None when
/// skipped. `modules`: what the suite imports, as a Python import list (`"boto3, awscli"`).
pub fn suite(file: &str, modules: &str) -> Option<String> {
    let required = std::env::var("HUBTRIAGE_REQUIRE_AWS_CLIENTS").is_ok_and(|v| v == "1");
    let python = match std::env::var_os("HUBTRIAGE_TEST_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => {
            let has = Command::new("python3")
                .args(["-c", &format!("import {modules}")])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if !has {
                assert!(!required, "HUBTRIAGE_REQUIRE_AWS_CLIENTS=1 but {modules} not installed");
                eprintln!("skipped: {modules} not installed; run .ci/run");
                return None;
            }
            PathBuf::from("python3")
        }
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python").join(file);
    let o = Command::new(&python)
        .arg(&path)
        .env("HUBTRIAGE_BIN", env!("CARGO_BIN_EXE_hubtriage"))
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    let out = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "python suite {file} failed:\n{out}");
    Some(out)
}
