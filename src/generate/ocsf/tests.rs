//! The OCSF generator: deterministic, every class, valid, and the V2 form of its ASFF finding.

use std::collections::HashMap;

use serde_json::Value;

use super::*;
use crate::model::finding::{FindingId, FindingKey};
use crate::model::ocsf::{validate_ocsf, Ocsf};
use crate::model::summary::FindingSummary;

fn opts(count: usize, seed: u64) -> GenOptions {
    GenOptions { count, seed, ..GenOptions::default() }
}

#[test]
fn deterministic_for_a_seed() {
    let a: Vec<Value> = generate_ocsf(&opts(300, 5)).collect();
    let b: Vec<Value> = generate_ocsf(&opts(300, 5)).collect();
    assert_eq!(serde_json::to_string(&a).ok(), serde_json::to_string(&b).ok());
    let c: Vec<Value> = generate_ocsf(&opts(300, 6)).collect();
    assert_ne!(a, c);
    assert_eq!(generate_ocsf(&opts(17, 1)).len(), 17);
}

#[test]
fn every_class_appears_and_every_finding_is_valid() {
    let mut classes = HashMap::new();
    for f in generate_ocsf(&opts(2000, 11)) {
        assert_eq!(validate_ocsf(&f), Ok(()), "{f}");
        *classes.entry(f["class_uid"].as_i64().unwrap_or(0)).or_insert(0) += 1;
        assert_eq!(
            f["type_uid"].as_i64(),
            Some(f["class_uid"].as_i64().unwrap_or(0) * 100 + f["activity_id"].as_i64().unwrap_or(0))
        );
        assert_eq!(f["finding_info"]["modified_time"].as_i64(), f["time"].as_i64());
        let sev = SeverityId::from_id(f["severity_id"].as_i64().unwrap_or(-1)).unwrap();
        assert_eq!(f["severity"], sev.caption());
        let st = StatusId::from_id(f["status_id"].as_i64().unwrap_or(-1)).unwrap();
        assert_eq!(f["status"], st.caption());
    }
    for class in [2002, 2003, 2004, 2006] {
        assert!(classes.get(&class).copied().unwrap_or(0) >= 20, "{classes:?}");
    }
}

#[test]
fn each_is_the_v2_form_of_its_asff_finding() {
    let mut archived = 0;
    for asff in generate(&opts(1500, 3)) {
        let ocsf = to_ocsf(&asff);
        // AWS's Automated Security Response pairing: the triple names the ASFF finding.
        let id = Ocsf(&ocsf).identifier().unwrap();
        assert_eq!(Some(id.to_asff()), FindingKey::of(&asff));
        assert_eq!(id.cloud_account_uid, asff["AwsAccountId"]);
        assert!(id.metadata_product_uid.contains("::productv2/"));
        // The neutral summary of both forms agrees on what the list, filters and groups use.
        let (a, o) = (FindingSummary::from_asff(&asff), FindingSummary::from_ocsf(&ocsf));
        assert_eq!((o.severity, o.workflow, o.record_state), (a.severity, a.workflow, a.record_state), "{asff}");
        assert_eq!((&o.account, &o.region, &o.title, &o.product), (&a.account, &a.region, &a.title, &a.product));
        assert_eq!((&o.control_id, o.compliance, o.confidence), (&a.control_id, a.compliance, a.confidence));
        assert_eq!((&o.resource_id, o.updated_at(), o.updated_ns), (&a.resource_id, a.updated_at(), a.updated_ns));
        assert!(o.resource_type.starts_with("AWS::"), "{}", o.resource_type);
        assert!(matches!(o.key, FindingId::Ocsf(ref uid) if uid.len() == 64));
        archived += usize::from(o.record_state == Some(crate::model::enums::RecordState::Archived));
        assert_eq!(Ocsf(&ocsf).comment(), crate::model::finding::str_at(&asff, &["Note", "Text"]));
    }
    assert!(archived > 0);
}

#[test]
fn the_demo_has_ocsf_findings_of_each_class_and_marked_as_demo() {
    let asff = crate::generate::demo_dataset();
    let all = crate::generate::demo_all();
    let ocsf: Vec<&Value> = all.iter().filter(|f| f.get("metadata").is_some()).collect();
    assert_eq!((all.len() - asff.len(), ocsf.len()), (DEMO_OCSF_COUNT, DEMO_OCSF_COUNT));
    let share = ocsf.len() * 100 / all.len();
    assert!((10..=15).contains(&share), "{share}%");
    for class in [2002, 2003, 2004, 2006] {
        assert!(ocsf.iter().any(|f| f["class_uid"] == class), "class {class}");
    }
    assert!(all.iter().all(crate::generate::is_demo));
    assert!(ocsf.iter().all(|f| crate::model::ocsf::validate_ocsf(f).is_ok()));
    let uids: std::collections::HashSet<&str> = ocsf.iter().map(|f| f["metadata"]["uid"].as_str().unwrap()).collect();
    assert_eq!(uids.len(), DEMO_OCSF_COUNT);
}

#[test]
fn generate_mixed_writes_the_share_asked_and_zero_is_generate() {
    let opts = GenOptions { count: 400, seed: 5, ..GenOptions::default() };
    let plain: Vec<Value> = generate(&opts).collect();
    assert_eq!(generate_mixed(&opts, 0).collect::<Vec<_>>(), plain);
    let mixed: Vec<Value> = generate_mixed(&opts, 15).collect();
    let n = mixed.iter().filter(|f| f.get("metadata").is_some()).count();
    assert!((30..=90).contains(&n), "{n} of 400");
    for (m, p) in mixed.iter().zip(&plain) {
        assert!(m == p || *m == to_ocsf(p));
    }
    assert_eq!(generate_mixed(&opts, 100).filter(|f| f.get("metadata").is_some()).count(), 400);
}
