//! Deterministic, realistic synthetic Security Hub findings (ASFF, as `GetFindings` returns them).
//!
//! [`generate`] returns a lazy iterator: findings are built one at a time, so a large count never has to
//! be held in memory. The only state that grows is a cache of the synthetic resources (EC2 instances,
//! buckets, roles, ...) that findings point at; its size depends on the number of accounts and on a pool
//! size that grows slowly with `count`, not on the number of findings produced.
//!
//! The same [`GenOptions`] always produce identical findings, in the same order and with the same member
//! order. All account ids, names and addresses are synthetic: account ids are random 12-digit numbers and
//! public IP addresses come from the documentation ranges (RFC 5737).
//!
//! [`demo_dataset`] is the one set of generated findings marked as demo data ([`mark_demo`],
//! [`is_demo`]): it is what an analyst loads to try hubtriage, and removes again with
//! `hubtriage --remove-demo`.
//!
//! Product mix (weights out of 100): Security Hub control findings 50, Inspector 20, GuardDuty 9,
//! Prowler 6, Config 4, IAM Access Analyzer 4, Macie 3, Health 2, Patch Manager 2.
//!
//! Layout: [`GenOptions`] and the entry points are here; `generator` draws the shared parts and
//! assembles findings; `products` lists the products and their weights, and each product family drafts
//! its findings in its own module (`compliance`, `inspector`, `guardduty`, `exposure`, `operations`);
//! `resources` builds the resources findings point at, `texts` holds word lists and text helpers,
//! `random` the seeded random source, and `json` the `obj!`/`arr!` macros.

use serde_json::Value;
use time::OffsetDateTime;

// First, so that its `obj!` and `arr!` macros are in scope in the modules below.
#[macro_use]
mod json;

mod compliance;
mod controls;
mod exposure;
mod generator;
mod guardduty;
mod inspector;
pub mod ocsf;
mod operations;
mod products;
mod random;
mod resources;
pub mod simulate;
mod texts;

pub use generator::Generator;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenOptions {
    /// Number of findings the iterator yields.
    pub count: usize,
    /// Random seed; the same options always give the same findings.
    pub seed: u64,
    /// Size of the pool of AWS accounts the findings belong to (at least 1 is used).
    pub accounts: usize,
    /// "Now" for the data: every CreatedAt/UpdatedAt/ProcessedAt is at or before this instant.
    pub anchor: OffsetDateTime,
}

/// The anchor used by [`GenOptions::default`] and [`demo_dataset`]: 2026-11-01T00:00:00Z.
pub const DEFAULT_ANCHOR: OffsetDateTime = time::macros::datetime!(2026-11-01 0:00 UTC);
/// Number of findings in [`demo_dataset`].
pub const DEMO_COUNT: usize = 2_000;
/// Seed of [`demo_dataset`].
pub const DEMO_SEED: u64 = 42;

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions { count: 1_000, seed: 1, accounts: 12, anchor: DEFAULT_ANCHOR }
    }
}

/// The fixed demo data set: [`DEMO_COUNT`] findings, seed [`DEMO_SEED`], 12 accounts, anchor
/// [`DEFAULT_ANCHOR`], each marked as demo data ([`mark_demo`]). `generate` itself marks nothing:
/// its output is data for benchmarks and tests, the same for the same options.
pub fn demo_dataset() -> Vec<Value> {
    generate(&GenOptions { count: DEMO_COUNT, seed: DEMO_SEED, accounts: 12, anchor: DEFAULT_ANCHOR })
        .map(|mut f| {
            mark_demo(&mut f);
            f
        })
        .collect()
}

/// The CompanyName of every demo finding: the detail pane's Product line reads
/// "GuardDuty (hubtriage demo)". The ProductName stays the real product's, so that the demo's
/// `product:guardduty` queries and product groups behave as they would on real findings.
pub const DEMO_COMPANY_NAME: &str = "hubtriage demo";
/// What every demo finding's GeneratorId starts with (the rest is the generated one), so that the
/// generator says "demo" too and `generator:hubtriage-demo/*` selects the demo findings.
pub const DEMO_GENERATOR_PREFIX: &str = "hubtriage-demo/";

/// Marks a generated finding as demo data: [`DEMO_COMPANY_NAME`], [`DEMO_GENERATOR_PREFIX`] before
/// its GeneratorId, and `Sample: true` (the AWS Security Finding Format's own "this is a sample
/// finding" flag, which GuardDuty's sample findings set too; the `sample:false` query hides them).
/// Nothing else changes, and members keep their order.
pub fn mark_demo(f: &mut Value) {
    let Some(m) = f.as_object_mut() else { return };
    if let Some(c) = m.get_mut("CompanyName") {
        *c = Value::String(DEMO_COMPANY_NAME.to_string());
    }
    if let Some(Value::String(g)) = m.get_mut("GeneratorId") {
        g.insert_str(0, DEMO_GENERATOR_PREFIX);
    }
    if let Some(s) = m.get_mut("Sample") {
        *s = Value::Bool(true);
    }
}

/// Whether a finding is demo data: both the CompanyName and the GeneratorId say so (one alone could
/// be a provider's own choice of name); for an OCSF finding, `metadata.product.vendor_name` and
/// `finding_info.analytic.name`. `store::demo` removes exactly these, by the same rule.
pub fn is_demo(f: &Value) -> bool {
    if f.get("metadata").is_some() {
        let at = |p: &[&str]| crate::model::finding::str_at(f, p);
        return at(&["metadata", "product", "vendor_name"]) == DEMO_COMPANY_NAME
            && at(&["finding_info", "analytic", "name"]).starts_with(DEMO_GENERATOR_PREFIX);
    }
    f.get("CompanyName").and_then(Value::as_str) == Some(DEMO_COMPANY_NAME)
        && f.get("GeneratorId").and_then(Value::as_str).is_some_and(|g| g.starts_with(DEMO_GENERATOR_PREFIX))
}

/// Everything the demo loads: [`demo_dataset`]'s ASFF findings, then the OCSF ones
/// (`ocsf::demo_ocsf`).
pub fn demo_all() -> Vec<Value> {
    let mut all = demo_dataset();
    all.extend(ocsf::demo_ocsf());
    all
}

/// Starts generating findings. The returned iterator yields exactly `opts.count` findings.
pub fn generate(opts: &GenOptions) -> Generator {
    Generator::new(opts)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::model::timestamp;
    use serde_json::json;
    use std::collections::{HashMap, HashSet};

    fn opts(count: usize, seed: u64) -> GenOptions {
        GenOptions { count, seed, ..GenOptions::default() }
    }

    #[test]
    fn deterministic_for_a_seed_and_different_across_seeds() {
        let a: Vec<Value> = generate(&opts(500, 7)).collect();
        let b: Vec<Value> = generate(&opts(500, 7)).collect();
        assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
        let c: Vec<Value> = generate(&opts(500, 8)).collect();
        assert_ne!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&c).unwrap());
        // A prefix of a longer run is not required to match, but the same options always do.
        let d: Vec<Value> = generate(&opts(500, 7)).collect();
        assert_eq!(a, d);
    }

    #[test]
    fn yields_exactly_count() {
        for n in [0, 1, 17, 1000] {
            let g = generate(&opts(n, 3));
            assert_eq!(g.len(), n);
            assert_eq!(g.count(), n);
        }
    }

    #[test]
    fn every_finding_has_the_required_members() {
        let anchor = DEFAULT_ANCHOR;
        let labels = ["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"];
        for f in generate(&opts(3000, 11)) {
            for k in ["SchemaVersion", "Id", "ProductArn", "GeneratorId", "Title", "Description"] {
                let v = f.get(k).and_then(Value::as_str).unwrap_or_else(|| panic!("{k} missing in {f}"));
                assert!(!v.is_empty(), "{k} empty");
            }
            assert_eq!(f["SchemaVersion"], "2018-10-08");
            assert!(f["Id"].as_str().unwrap().len() <= 512);
            let acct = f["AwsAccountId"].as_str().unwrap();
            assert!(acct.len() == 12 && acct.bytes().all(|b| b.is_ascii_digit()), "{acct}");
            let created = timestamp::parse(f["CreatedAt"].as_str().unwrap()).unwrap();
            let updated = timestamp::parse(f["UpdatedAt"].as_str().unwrap()).unwrap();
            let first = timestamp::parse(f["FirstObservedAt"].as_str().unwrap()).unwrap();
            let last = timestamp::parse(f["LastObservedAt"].as_str().unwrap()).unwrap();
            let processed = timestamp::parse(f["ProcessedAt"].as_str().unwrap()).unwrap();
            assert!(first <= created && created <= updated && updated <= anchor, "{f}");
            assert!(last <= anchor && processed <= anchor && processed >= updated);
            let res = f["Resources"].as_array().unwrap();
            assert!((1..=3).contains(&res.len()));
            for r in res {
                assert!(!r["Type"].as_str().unwrap().is_empty());
                assert!(!r["Id"].as_str().unwrap().is_empty());
                assert_eq!(r["Partition"], "aws");
            }
            let label = f["Severity"]["Label"].as_str().unwrap();
            assert!(labels.contains(&label), "{label}");
            let n = f["Severity"]["Normalized"].as_u64().unwrap();
            let ok = match label {
                "INFORMATIONAL" => n == 0,
                "LOW" => (1..=39).contains(&n),
                "MEDIUM" => (40..=69).contains(&n),
                "HIGH" => (70..=89).contains(&n),
                _ => (90..=100).contains(&n),
            };
            assert!(ok, "{label} {n}");
            assert_eq!(f["FindingProviderFields"]["Severity"]["Label"], label);
            let product_arn = f["ProductArn"].as_str().unwrap();
            let region = f["Region"].as_str().unwrap();
            assert!(product_arn.starts_with(&format!("arn:aws:securityhub:{region}::product/")));
            for t in f["Types"].as_array().unwrap() {
                let t = t.as_str().unwrap();
                let ns = t.split('/').next().unwrap();
                assert!(
                    [
                        "Software and Configuration Checks",
                        "TTPs",
                        "Effects",
                        "Unusual Behaviors",
                        "Sensitive Data Identifications"
                    ]
                    .contains(&ns),
                    "{t}"
                );
                assert!(t.split('/').count() <= 3, "{t}");
            }
            assert!(["NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"].contains(&f["Workflow"]["Status"].as_str().unwrap()));
            assert!(["ACTIVE", "ARCHIVED"].contains(&f["RecordState"].as_str().unwrap()));
            if let Some(c) = f.get("Compliance") {
                assert!(["PASSED", "FAILED", "WARNING", "NOT_AVAILABLE"].contains(&c["Status"].as_str().unwrap()));
            }
            for (_, v) in f["ProductFields"].as_object().unwrap() {
                assert!(v.is_string());
            }
            assert_eq!(f["Sample"], false);
        }
    }

    #[test]
    fn identities_are_unique() {
        let mut seen = HashSet::new();
        for f in generate(&opts(20_000, 5)) {
            let key = (f["ProductArn"].as_str().unwrap().to_string(), f["Id"].as_str().unwrap().to_string());
            assert!(seen.insert(key.clone()), "duplicate {key:?}");
        }
        assert_eq!(seen.len(), 20_000);
    }

    #[test]
    fn product_and_status_mix() {
        let mut products = HashMap::new();
        let mut statuses = HashSet::new();
        let mut records = HashSet::new();
        let mut accounts = HashSet::new();
        let mut controls = HashSet::new();
        for f in generate(&opts(5000, 9)) {
            let p = f["ProductArn"].as_str().unwrap().rsplit("product/").next().unwrap().to_string();
            *products.entry(p).or_insert(0_usize) += 1;
            statuses.insert(f["Workflow"]["Status"].as_str().unwrap().to_string());
            records.insert(f["RecordState"].as_str().unwrap().to_string());
            accounts.insert(f["AwsAccountId"].as_str().unwrap().to_string());
            if let Some(id) = f["GeneratorId"].as_str().unwrap().strip_prefix("security-control/") {
                controls.insert(id.to_string());
                assert!(f["Compliance"]["SecurityControlId"].as_str() == Some(id));
                assert!(f["Remediation"]["Recommendation"]["Url"].is_string());
            }
        }
        assert!(products.len() >= 6, "{products:?}");
        let sh = products.get("aws/securityhub").copied().unwrap_or(0);
        assert!((2000..3000).contains(&sh), "{sh}");
        assert_eq!(statuses.len(), 4, "{statuses:?}");
        assert_eq!(records.len(), 2);
        assert_eq!(accounts.len(), 12);
        assert!(controls.len() >= 35, "{}", controls.len());
    }

    #[test]
    fn text_limits() {
        for f in generate(&opts(5000, 13)) {
            assert!(f["Title"].as_str().unwrap().len() <= 256);
            assert!(f["Description"].as_str().unwrap().len() <= 1024);
        }
    }

    #[test]
    fn demo_dataset_is_fixed() {
        let d = demo_dataset();
        assert_eq!(d.len(), DEMO_COUNT);
        // The demo is `generate`'s findings for its options, each marked as demo data.
        let mut first = generate(&opts(1, DEMO_SEED)).next().unwrap();
        mark_demo(&mut first);
        assert_eq!(d[0], first);
    }

    // Demo findings say so where an analyst looks (the detail's Product and Generator lines, the
    // `sample` filter), and nothing else about them changes; `generate` marks nothing.
    #[test]
    fn demo_findings_are_marked_and_generated_ones_are_not() {
        let plain: Vec<Value> =
            generate(&GenOptions { count: DEMO_COUNT, seed: DEMO_SEED, accounts: 12, anchor: DEFAULT_ANCHOR })
                .collect();
        let demo = demo_dataset();
        for (p, d) in plain.iter().zip(&demo) {
            assert!(is_demo(d), "{d}");
            assert!(!is_demo(p), "{p}");
            assert_eq!(d["CompanyName"], DEMO_COMPANY_NAME);
            assert_eq!(d["Sample"], true);
            let generator = d["GeneratorId"].as_str().unwrap();
            assert_eq!(generator.strip_prefix(DEMO_GENERATOR_PREFIX), p["GeneratorId"].as_str(), "{generator}");
            // Everything else, and the members' order, as generated.
            let (mut d, mut p) = (d.clone(), p.clone());
            for k in ["CompanyName", "GeneratorId", "Sample"] {
                d[k] = Value::Null;
                p[k] = Value::Null;
            }
            assert_eq!(serde_json::to_string(&d).unwrap(), serde_json::to_string(&p).unwrap());
        }
        // One marker is not enough: a provider named like the demo is not demo data.
        let mut half = plain[0].clone();
        half["CompanyName"] = json!(DEMO_COMPANY_NAME);
        assert!(!is_demo(&half));
    }
}
