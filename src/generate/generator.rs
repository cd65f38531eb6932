//! The generator itself: the account pool and the resource cache, the draws every finding shares
//! (timestamps, workflow status), and the assembly of a product's [`Draft`] into a finding with its
//! members in a fixed order. What each product puts in a draft lives in that product's module.

use std::collections::HashMap;
use std::rc::Rc;

use serde_json::{Map, Value};

use super::controls::CONTROLS;
use super::json::IntoJson;
use super::products::{Product, PRODUCTS};
use super::random::{ts, DAY_MS, HOUR_MS, R};
use super::resources::{make_resource, Account, Kind, Res};
use super::texts::{slug, truncate, ACCOUNT_NAMES, ANALYSTS, NOTE_TEXTS, PEOPLE, REGIONS};
use super::GenOptions;
use crate::model::enums::{RecordState, SeverityLabel, VerificationState, WorkflowState, WorkflowStatus};

/// Iterator over generated findings; see [`generate`](super::generate).
pub struct Generator {
    pub(super) rng: R,
    pub(super) seed: u64,
    remaining: usize,
    pub(super) anchor: i64,
    pub(super) accounts: Vec<Account>,
    account_cumulative: Vec<u32>,
    pool_scale: u32,
    pools: HashMap<(usize, Kind), Vec<Option<Rc<Res>>>>,
    /// Next resource index per (account, kind) for IAM Access Analyzer, which keeps one finding per resource.
    pub(super) analyzer_next: HashMap<(usize, Kind), u32>,
    pub(super) control_slugs: Vec<String>,
    /// Top-level object templates by the set of members present.
    templates: HashMap<u64, Map<String, Value>>,
}

/// Everything a product generator decides; [`Generator::assemble`] turns it into the finding.
pub(super) struct Draft {
    pub(super) product: Product,
    pub(super) acct: usize,
    pub(super) region: &'static str,
    pub(super) id: String,
    pub(super) generator_id: String,
    pub(super) types: Vec<String>,
    pub(super) label: SeverityLabel,
    pub(super) normalized: i64,
    pub(super) product_severity: Option<f64>,
    pub(super) original: Option<String>,
    pub(super) title: String,
    pub(super) description: String,
    pub(super) remediation: Option<Value>,
    pub(super) source_url: Option<String>,
    pub(super) product_fields: Map<String, Value>,
    pub(super) resources: Vec<Value>,
    /// Product-specific members (Compliance, Vulnerabilities, Network, Action, PatchSummary, ...), in order.
    pub(super) extra: Vec<(usize, Value)>,
    pub(super) workflow: WorkflowStatus,
    pub(super) record_state: RecordState,
    pub(super) confidence: Option<u8>,
}

/// Top-level finding members in the order they are written.
const TOP_KEYS: [&str; 36] = [
    "SchemaVersion",
    "Id",
    "ProductArn",
    "ProductName",
    "CompanyName",
    "Region",
    "GeneratorId",
    "AwsAccountId",
    "AwsAccountName",
    "Types",
    "FirstObservedAt",
    "LastObservedAt",
    "CreatedAt",
    "UpdatedAt",
    "ProcessedAt",
    "Severity",
    "Confidence",
    "Title",
    "Description",
    "Remediation",
    "SourceUrl",
    "ProductFields",
    "Resources",
    "Compliance",
    "Vulnerabilities",
    "PatchSummary",
    "Network",
    "Action",
    "WorkflowState",
    "Workflow",
    "RecordState",
    "VerificationState",
    "FindingProviderFields",
    "Note",
    "UserDefinedFields",
    "Sample",
];
const T_SCHEMA: usize = 0;
const T_ID: usize = 1;
const T_PRODUCT_ARN: usize = 2;
const T_PRODUCT_NAME: usize = 3;
const T_COMPANY_NAME: usize = 4;
const T_REGION: usize = 5;
const T_GENERATOR_ID: usize = 6;
const T_ACCOUNT_ID: usize = 7;
const T_ACCOUNT_NAME: usize = 8;
const T_TYPES: usize = 9;
const T_FIRST_OBSERVED: usize = 10;
const T_LAST_OBSERVED: usize = 11;
const T_CREATED: usize = 12;
const T_UPDATED: usize = 13;
const T_PROCESSED: usize = 14;
const T_SEVERITY: usize = 15;
const T_CONFIDENCE: usize = 16;
const T_TITLE: usize = 17;
const T_DESCRIPTION: usize = 18;
const T_REMEDIATION: usize = 19;
const T_SOURCE_URL: usize = 20;
const T_PRODUCT_FIELDS: usize = 21;
const T_RESOURCES: usize = 22;
pub(super) const T_COMPLIANCE: usize = 23;
pub(super) const T_VULNERABILITIES: usize = 24;
pub(super) const T_PATCH_SUMMARY: usize = 25;
pub(super) const T_NETWORK: usize = 26;
pub(super) const T_ACTION: usize = 27;
const T_WORKFLOW_STATE: usize = 28;
const T_WORKFLOW: usize = 29;
const T_RECORD_STATE: usize = 30;
const T_VERIFICATION: usize = 31;
const T_PROVIDER_FIELDS: usize = 32;
const T_NOTE: usize = 33;
const T_USER_DEFINED: usize = 34;
const T_SAMPLE: usize = 35;

/// When a finding was first observed, created and last updated (ms since the epoch).
pub(super) struct Times {
    pub(super) first: i64,
    pub(super) created: i64,
    pub(super) updated: i64,
}

impl Generator {
    pub(super) fn new(opts: &GenOptions) -> Generator {
        let mut rng = R::new(opts.seed);
        let n = opts.accounts.max(1);
        let mut accounts = Vec::with_capacity(n);
        let mut seen = std::collections::HashSet::new();
        let region_names: Vec<&'static str> = REGIONS.iter().map(|r| r.0).collect();
        for i in 0..n {
            let mut id = rng.digits(12);
            while !seen.insert(id.clone()) {
                id = rng.digits(12);
            }
            let base = ACCOUNT_NAMES[i % ACCOUNT_NAMES.len()];
            let name = if i < ACCOUNT_NAMES.len() {
                base.to_string()
            } else {
                format!("{base}-{}", i / ACCOUNT_NAMES.len() + 1)
            };
            let env = if name.contains("prod") {
                "prod"
            } else if name.contains("staging") {
                "staging"
            } else if name.contains("dev") || name.contains("qa") || name.contains("sandbox") {
                "dev"
            } else {
                "shared"
            };
            let home = match i {
                0 | 1 => "us-east-1",
                2 => "eu-west-1",
                3 => "us-west-2",
                _ => *rng.pick_weighted(REGIONS),
            };
            let mut regions = vec![home];
            for _ in 0..rng.below(3) {
                let extra = region_names[rng.below(region_names.len())];
                if !regions.contains(&extra) {
                    regions.push(extra);
                }
            }
            accounts.push(Account { id, name, env, regions });
        }
        // Zipf-like: the first (production) accounts carry most of the findings.
        let mut account_cumulative = Vec::with_capacity(n);
        let mut acc = 0_u32;
        for i in 0..n {
            acc += (10_000.0 / ((i + 1) as f64).powf(0.85)) as u32 + 1;
            account_cumulative.push(acc);
        }
        let control_slugs = CONTROLS.iter().map(|c| slug(c.title)).collect();
        Generator {
            rng,
            seed: opts.seed,
            remaining: opts.count,
            anchor: i64::try_from(opts.anchor.unix_timestamp_nanos() / 1_000_000).unwrap_or(0),
            accounts,
            account_cumulative,
            pool_scale: 1 + u32::try_from(opts.count / 25_000).unwrap_or(u32::MAX / 64).min(64),
            pools: HashMap::new(),
            analyzer_next: HashMap::new(),
            control_slugs,
            templates: HashMap::new(),
        }
    }

    pub(super) fn pick_account(&mut self) -> usize {
        self.rng.pick_cumulative(&self.account_cumulative)
    }

    /// A resource of `kind` from the account's pool (created on first use).
    pub(super) fn resource(&mut self, acct: usize, kind: Kind) -> Rc<Res> {
        let size = kind.pool() * self.pool_scale;
        let idx = self.rng.below(size as usize);
        self.resource_at(acct, kind, idx as u32)
    }

    pub(super) fn resource_at(&mut self, acct: usize, kind: Kind, idx: u32) -> Rc<Res> {
        let size = (kind.pool() * self.pool_scale) as usize;
        let (seed, anchor) = (self.seed, self.anchor);
        let account = &self.accounts[acct];
        if idx as usize >= size {
            // Beyond the pool: a one-off resource, not cached.
            return Rc::new(make_resource(seed, acct, account, kind, idx, anchor));
        }
        let pool = self.pools.entry((acct, kind)).or_insert_with(|| vec![None; size]);
        pool[idx as usize].get_or_insert_with(|| Rc::new(make_resource(seed, acct, account, kind, idx, anchor))).clone()
    }

    fn times(&mut self) -> Times {
        let r = &mut self.rng;
        // Exponential age (mean 40 days, capped at ~14 months): most findings are recent.
        let age_days = (-(1.0 - r.unit()).ln() * 40.0).min(420.0);
        let created = self.anchor - (age_days * DAY_MS as f64) as i64 - r.int(0, DAY_MS);
        let first = created - r.int(0, 6 * HOUR_MS);
        let span = self.anchor - created;
        let updated = if r.chance(0.75) { created + (span as f64 * r.unit() * r.unit()) as i64 } else { created };
        Times { first, created, updated: updated.min(self.anchor) }
    }

    pub(super) fn workflow(&mut self) -> WorkflowStatus {
        let x = self.rng.unit();
        if x < 0.66 {
            WorkflowStatus::New
        } else if x < 0.79 {
            WorkflowStatus::Notified
        } else if x < 0.89 {
            WorkflowStatus::Suppressed
        } else {
            WorkflowStatus::Resolved
        }
    }

    pub(super) fn draft(product: Product, acct: usize, region: &'static str, label: SeverityLabel) -> Draft {
        Draft {
            product,
            acct,
            region,
            id: String::new(),
            generator_id: String::new(),
            types: Vec::new(),
            label,
            normalized: label.to_normalized(),
            product_severity: None,
            original: None,
            title: String::new(),
            description: String::new(),
            remediation: None,
            source_url: None,
            product_fields: Map::with_capacity(10),
            resources: Vec::with_capacity(2),
            extra: Vec::with_capacity(3),
            workflow: WorkflowStatus::New,
            record_state: RecordState::Active,
            confidence: None,
        }
    }

    fn next_finding(&mut self) -> Value {
        let product = *self.rng.pick_weighted(PRODUCTS);
        let t = self.times();
        let d = match product {
            Product::SecurityHub => self.security_hub(),
            Product::Inspector => self.inspector(),
            Product::GuardDuty => self.guardduty(),
            Product::Prowler => self.prowler(),
            Product::Config => self.config(),
            Product::AccessAnalyzer => self.access_analyzer(),
            Product::Macie => self.macie(),
            Product::Health => self.health(&t),
            Product::PatchManager => self.patch_manager(&t),
        };
        self.assemble(d, &t)
    }

    fn assemble(&mut self, d: Draft, t: &Times) -> Value {
        let anchor = self.anchor;
        let acct = &self.accounts[d.acct];
        let r = &mut self.rng;
        let (path, pname, cname) = d.product.names();
        let s = |x: &str| Some(Value::String(x.to_string()));
        // Members go into fixed slots (canonical order); the object is then made from a cached template
        // with the same keys, which saves hashing every key of every finding.
        let mut slots: [Option<Value>; TOP_KEYS.len()] = std::array::from_fn(|_| None);
        slots[T_SCHEMA] = s("2018-10-08");
        slots[T_ID] = Some(Value::String(d.id));
        slots[T_PRODUCT_ARN] = Some(Value::String(format!("arn:aws:securityhub:{}::product/{path}", d.region)));
        slots[T_PRODUCT_NAME] = s(pname);
        slots[T_COMPANY_NAME] = s(cname);
        slots[T_REGION] = s(d.region);
        slots[T_GENERATOR_ID] = Some(Value::String(d.generator_id));
        slots[T_ACCOUNT_ID] = s(&acct.id);
        slots[T_ACCOUNT_NAME] = s(&acct.name);
        let types: Vec<Value> = d.types.into_iter().map(Value::String).collect();
        slots[T_TYPES] = Some(Value::Array(types.clone()));
        let updated = ts(t.updated);
        slots[T_FIRST_OBSERVED] = Some(Value::String(ts(t.first)));
        slots[T_LAST_OBSERVED] = Some(Value::String(updated.clone()));
        slots[T_CREATED] = Some(Value::String(ts(t.created)));
        slots[T_UPDATED] = Some(Value::String(updated));
        slots[T_PROCESSED] = Some(Value::String(ts((t.updated + r.int(300, 120_000)).min(anchor.max(t.updated)))));
        let mut sev = Map::with_capacity(4);
        if let Some(p) = d.product_severity {
            sev.insert("Product".into(), p.j());
        }
        sev.insert("Label".into(), d.label.as_str().j());
        sev.insert("Normalized".into(), d.normalized.j());
        if let Some(o) = &d.original {
            sev.insert("Original".into(), o.j());
        }
        slots[T_SEVERITY] = Some(Value::Object(sev));
        slots[T_CONFIDENCE] = d.confidence.map(IntoJson::j);
        slots[T_TITLE] = Some(Value::String(truncate(d.title, 256)));
        slots[T_DESCRIPTION] = Some(Value::String(truncate(d.description, 1024)));
        slots[T_REMEDIATION] = d.remediation;
        slots[T_SOURCE_URL] = d.source_url.map(Value::String);
        slots[T_PRODUCT_FIELDS] = Some(Value::Object(d.product_fields));
        slots[T_RESOURCES] = Some(Value::Array(d.resources));
        for (k, v) in d.extra {
            slots[k] = Some(v);
        }
        slots[T_WORKFLOW_STATE] = s(WorkflowState::New.as_str());
        slots[T_WORKFLOW] = Some(obj! {"Status" => d.workflow.as_str()});
        slots[T_RECORD_STATE] = s(d.record_state.as_str());
        if d.workflow != WorkflowStatus::New && r.chance(0.5) {
            let v = if d.workflow == WorkflowStatus::Notified {
                VerificationState::TruePositive
            } else {
                *r.pick(&[
                    VerificationState::TruePositive,
                    VerificationState::FalsePositive,
                    VerificationState::BenignPositive,
                    VerificationState::Unknown,
                ])
            };
            slots[T_VERIFICATION] = s(v.as_str());
        }
        let original = match (&d.original, d.product_severity) {
            (Some(o), _) => o.clone(),
            (None, Some(p)) => format!("{p:.1}"),
            (None, None) => d.label.as_str().to_string(),
        };
        let mut fpf = Map::with_capacity(3);
        if let Some(c) = d.confidence {
            fpf.insert("Confidence".into(), c.j());
        }
        fpf.insert("Severity".into(), obj! {"Label" => d.label.as_str(), "Original" => original});
        fpf.insert("Types".into(), Value::Array(types));
        slots[T_PROVIDER_FIELDS] = Some(Value::Object(fpf));
        if r.chance(0.04)
            || (matches!(d.workflow, WorkflowStatus::Notified | WorkflowStatus::Suppressed) && r.chance(0.3))
        {
            slots[T_NOTE] = Some(obj! {
                "Text" => r.pick(NOTE_TEXTS),
                "UpdatedBy" => format!("arn:aws:sts::{}:assumed-role/SecurityTriage/{}", acct.id, r.pick(ANALYSTS)),
                "UpdatedAt" => ts((t.updated + r.int(60_000, 4 * DAY_MS)).min(anchor.max(t.updated))),
            });
        }
        if r.chance(0.07) {
            let mut u = Map::with_capacity(3);
            u.insert("ticket".into(), Value::String(format!("SEC-{}", r.int(100, 9999))));
            u.insert("owner".into(), Value::String(format!("{}@example.com", r.pick(PEOPLE))));
            if r.chance(0.5) {
                u.insert("triage".into(), r.pick(&["risk-accepted", "fix-scheduled", "owner-unknown"]).j());
            }
            slots[T_USER_DEFINED] = Some(Value::Object(u));
        }
        slots[T_SAMPLE] = Some(Value::Bool(false));

        let mut mask = 0_u64;
        for (i, slot) in slots.iter().enumerate() {
            if slot.is_some() {
                mask |= 1 << i;
            }
        }
        let template = self.templates.entry(mask).or_insert_with(|| {
            let mut m = Map::with_capacity(mask.count_ones() as usize);
            for (i, k) in TOP_KEYS.iter().enumerate() {
                if mask & (1 << i) != 0 {
                    m.insert((*k).to_string(), Value::Null);
                }
            }
            m
        });
        let mut f = template.clone();
        for (dst, v) in f.values_mut().zip(slots.into_iter().flatten()) {
            *dst = v;
        }
        Value::Object(f)
    }
}

impl Iterator for Generator {
    type Item = Value;

    fn next(&mut self) -> Option<Value> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        Some(self.next_finding())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for Generator {}
