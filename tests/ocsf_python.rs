//! boto3's get_findings_v2 and batch_update_findings_v2 against `hubtriage serve`
//! (tests/python/test_ocsf_v2.py): the V2 filters, paging and BatchUpdateFindingsV2's checks over
//! HTTP with a real AWS client. Skipped, saying so, where boto3 is not installed, unless
//! HUBTRIAGE_REQUIRE_AWS_CLIENTS=1 (`.ci/run` installs it and sets HUBTRIAGE_TEST_PYTHON).

// Test code: a failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

#[test]
fn boto3_get_findings_v2_and_batch_update_findings_v2() {
    if let Some(out) = common::python::suite("test_ocsf_v2.py", "boto3, awscli") {
        assert!(out.contains("OK") && out.contains("Ran 5 tests"), "{out}");
        eprintln!("{out}");
    }
}
