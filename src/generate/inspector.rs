//! Amazon Inspector package vulnerability findings: the packages it knows to be vulnerable, and a
//! CVE finding on an EC2 instance, an ECR image or a Lambda function with the affected packages,
//! CVSS, EPSS and fix availability in `Vulnerabilities`.

use serde_json::{Map, Value};

use super::generator::{Draft, Generator, T_VULNERABILITIES};
use super::products::Product;
use super::random::{ts, DAY_MS};
use super::resources::Kind;
use super::texts::bump_version;
use crate::model::enums::{RecordState, SeverityLabel, WorkflowStatus};

/// Inspector packages: (name, package manager, known-vulnerable versions, where it shows up).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Eco {
    Os,
    Lang,
}
const PACKAGES: &[(&str, &str, &[&str], Eco)] = &[
    ("openssl-libs", "OS", &["1.0.2k-24", "1.1.1k-9", "3.0.7-25"], Eco::Os),
    ("glibc", "OS", &["2.26-63", "2.34-60", "2.28-225"], Eco::Os),
    ("libcurl", "OS", &["7.79.1-6", "8.3.0-1"], Eco::Os),
    ("kernel", "OS", &["4.14.343-261", "5.10.210-201", "6.1.82-99"], Eco::Os),
    ("expat", "OS", &["2.1.0-15", "2.5.0-1"], Eco::Os),
    ("sqlite", "OS", &["3.7.17-8", "3.40.0-1"], Eco::Os),
    ("systemd", "OS", &["219-78", "252-21"], Eco::Os),
    ("bind-libs", "OS", &["9.11.4-26", "9.16.23-14"], Eco::Os),
    ("vim-minimal", "OS", &["9.0.2081-1", "8.2.5172-1"], Eco::Os),
    ("krb5-libs", "OS", &["1.15.1-55", "1.21.1-1"], Eco::Os),
    ("libssh2", "OS", &["1.4.3-12", "1.10.0-2"], Eco::Os),
    ("log4j-core", "JAR", &["2.14.1", "2.17.0"], Eco::Lang),
    ("spring-web", "JAR", &["5.3.18", "6.0.11"], Eco::Lang),
    ("netty-codec-http2", "JAR", &["4.1.94.Final", "4.1.100.Final"], Eco::Lang),
    ("snakeyaml", "JAR", &["1.33", "1.30"], Eco::Lang),
    ("cryptography", "PIP", &["39.0.1", "41.0.3"], Eco::Lang),
    ("urllib3", "PIP", &["1.26.16", "2.0.6"], Eco::Lang),
    ("pillow", "PIP", &["9.5.0", "10.0.0"], Eco::Lang),
    ("django", "PIP", &["3.2.19", "4.2.6"], Eco::Lang),
    ("axios", "NPM", &["0.21.1", "1.5.1"], Eco::Lang),
    ("jsonwebtoken", "NPM", &["8.5.1"], Eco::Lang),
    ("express", "NPM", &["4.17.1", "4.18.2"], Eco::Lang),
    ("golang.org/x/crypto", "GOBINARY", &["v0.14.0", "v0.0.0-20220722155217"], Eco::Lang),
    ("golang.org/x/net", "GOBINARY", &["v0.10.0", "v0.17.0"], Eco::Lang),
    ("stdlib", "GOBINARY", &["go1.20.4", "go1.21.1"], Eco::Lang),
];

const VULN_EFFECTS: &[&str] = &[
    "crash the process through a crafted input, resulting in a denial of service",
    "execute arbitrary code in the context of the affected application",
    "read memory outside the bounds of an allocated buffer and disclose sensitive information",
    "bypass certificate or signature verification",
    "escalate privileges on the host",
    "smuggle HTTP requests past an intermediary",
    "cause excessive CPU or memory consumption with a small request",
];

impl Generator {
    pub(super) fn inspector(&mut self) -> Draft {
        let acct = self.pick_account();
        let x = self.rng.below(100);
        let kind = if x < 50 {
            Kind::Instance
        } else if x < 85 {
            Kind::Image
        } else {
            Kind::Function
        };
        let res = self.resource(acct, kind);
        let r = &mut self.rng;
        let n_pkgs = match r.below(100) {
            0..=74 => 1,
            75..=92 => 2,
            _ => 3,
        };
        // Lambda functions have no OS packages; instances and images mostly do.
        let want_os = kind != Kind::Function && r.chance(0.7);
        let candidates: Vec<usize> =
            PACKAGES.iter().enumerate().filter(|(_, p)| (p.3 == Eco::Os) == want_os).map(|(i, _)| i).collect();
        let first = candidates[r.below(candidates.len())];
        let (pname, mgr, versions, eco) = PACKAGES[first];
        let year = *r.pick(&[2019, 2020, 2021, 2022, 2023, 2023, 2024, 2024, 2025, 2025, 2026]);
        let cve = format!("CVE-{year}-{}", r.int(1000, 52_999));
        let score10 = match r.below(3) {
            0 => r.int(20, 69),
            1 => r.int(40, 89),
            _ => r.int(70, 100),
        } as u8;
        let score = f64::from(score10) / 10.0;
        let label = SeverityLabel::from_normalized(i64::from(score10));
        let vector = format!(
            "CVSS:3.1/AV:{}/AC:{}/PR:{}/UI:{}/S:{}/C:{}/I:{}/A:{}",
            r.pick(&["N", "N", "N", "L", "A"]),
            r.pick(&["L", "L", "H"]),
            r.pick(&["N", "L", "H"]),
            r.pick(&["N", "R"]),
            r.pick(&["U", "U", "C"]),
            r.pick(&["N", "L", "H"]),
            r.pick(&["N", "L", "H"]),
            r.pick(&["N", "L", "H"]),
        );
        // Same-CVE packages: e.g. an OS library and its siblings, or several language deps.
        let mut pkgs: Vec<(&str, &str, &str)> = vec![(pname, mgr, *r.pick(versions))];
        for _ in 1..n_pkgs {
            let (n2, m2, v2, e2) = PACKAGES[candidates[r.below(candidates.len())]];
            if e2 == eco && !pkgs.iter().any(|p| p.0 == n2) {
                pkgs.push((n2, m2, *r.pick(v2)));
            }
        }
        let mut vpk = Vec::with_capacity(pkgs.len());
        let mut fixed_count = 0;
        let (release_tag, platform) = match kind {
            Kind::Instance => (*r.pick(&["amzn2", "amzn2023", "el8"]), "AMAZON_LINUX_2"),
            Kind::Image => (*r.pick(&["deb12u2", "deb11u7", "alpine3.18"]), "DEBIAN_12"),
            _ => ("", "PYTHON_3_12"),
        };
        for (name, m, v) in &pkgs {
            let fixable = r.chance(0.82);
            let mut p = Map::new();
            p.insert("Name".into(), Value::String((*name).into()));
            p.insert("Version".into(), Value::String((*v).into()));
            p.insert("Epoch".into(), Value::String("0".into()));
            p.insert("PackageManager".into(), Value::String((*m).into()));
            if fixable {
                fixed_count += 1;
                p.insert("FixedInVersion".into(), Value::String(bump_version(v, r.int(1, 9))));
            } else {
                p.insert("FixedInVersion".into(), Value::String("NotAvailable".into()));
            }
            if *m == "OS" {
                p.insert("Release".into(), Value::String(format!("{}.{release_tag}", r.int(1, 40))));
                p.insert("Architecture".into(), Value::String(r.pick(&["X86_64", "AARCH64"]).to_string()));
                p.insert(
                    "Remediation".into(),
                    Value::String(if release_tag.starts_with("deb") {
                        format!("apt-get install --only-upgrade {name}")
                    } else {
                        format!("yum update {name}")
                    }),
                );
            } else {
                let dir = match *m {
                    "PIP" => "/var/task/",
                    "NPM" => "/app/node_modules/",
                    "JAR" => "/opt/app/lib/",
                    _ => "/usr/local/bin/",
                };
                p.insert("FilePath".into(), Value::String(format!("{dir}{}", name.rsplit('/').next().unwrap_or(name))));
            }
            vpk.push(Value::Object(p));
        }
        let fix = if fixed_count == pkgs.len() {
            "YES"
        } else if fixed_count == 0 {
            "NO"
        } else {
            "PARTIAL"
        };
        let exploit = r.chance(0.1);
        let names: Vec<&str> = pkgs.iter().map(|p| p.0).collect();
        let mut d_region = res.region;
        if d_region.is_empty() {
            d_region = "us-east-1";
        }
        let a = &self.accounts[acct];
        let fid = format!("arn:aws:inspector2:{d_region}:{}:finding/{}", a.id, r.hex(32));
        let effect = *r.pick(VULN_EFFECTS);
        let published = self.anchor - r.int(30, 1500) * DAY_MS;
        let epss = (r.unit().powi(4) * 100_000.0).round() / 100_000.0;

        let mut d = Draft { normalized: i64::from(score10), ..Self::draft(Product::Inspector, acct, d_region, label) };
        let r = &mut self.rng;
        d.generator_id = String::from("AWSInspector");
        d.types = vec![String::from("Software and Configuration Checks/Vulnerabilities/CVE")];
        d.title = format!("{cve} - {}", names.join(", "));
        d.description = format!(
            "A flaw was found in {}. A remote or local attacker able to reach the affected code path could {effect}. Versions up to and including {} are affected; {}",
            names[0],
            pkgs[0].2,
            if fix == "NO" { "no fixed version has been released yet." } else { "upgrade to the fixed version listed in the vulnerability details." }
        );
        d.remediation = Some(obj! {
            "Recommendation" => obj! {
                "Text" => if fix == "NO" {
            "None Provided"
        } else {
            "Remediation is available. Please refer to the Fixed version in the vulnerability details section above. For detailed remediation guidance for each of the affected packages, refer to the vulnerabilities section of the detailed finding JSON."
        },
            },
        });
        let pf = &mut d.product_fields;
        pf.insert("aws/inspector/ProductVersion".into(), Value::String("2".into()));
        pf.insert("aws/inspector/FindingStatus".into(), Value::String("ACTIVE".into()));
        pf.insert("aws/inspector/inspectorScore".into(), Value::String(format!("{score:.1}")));
        let platform_key = match kind {
            Kind::Instance => "aws/inspector/resources/1/resourceDetails/awsEc2InstanceDetails/platform",
            Kind::Image => "aws/inspector/resources/1/resourceDetails/awsEcrContainerImageDetails/platform",
            _ => "aws/inspector/resources/1/resourceDetails/awsLambdaFunctionDetails/runtime",
        };
        pf.insert(platform_key.into(), Value::String(platform.into()));
        pf.insert(
            "aws/securityhub/FindingId".into(),
            Value::String(format!("arn:aws:securityhub:{d_region}::product/aws/inspector/{fid}")),
        );
        pf.insert("aws/securityhub/ProductName".into(), Value::String("Inspector".into()));
        pf.insert("aws/securityhub/CompanyName".into(), Value::String("Amazon".into()));
        d.id = fid;
        d.resources.push(res.json.clone());
        let nvd = format!("https://nvd.nist.gov/vuln/detail/{cve}");
        let mut vuln = obj! {
            "Id" => &cve,
            "VulnerablePackages" => vpk,
            "Cvss" => arr![obj!{"Version" => "3.1", "BaseScore" => score, "BaseVector" => vector, "Source" => "NVD"}],
            "Vendor" => obj! {
                "Name" => "NVD",
                "Url" => &nvd,
                "VendorSeverity" => label.as_str(),
                "VendorCreatedAt" => ts(published),
            },
            "ReferenceUrls" => arr![&nvd],
            "FixAvailable" => fix,
            "ExploitAvailable" => if exploit { "YES" } else { "NO" },
            "EpssScore" => epss,
        };
        if exploit {
            if let Some(v) = vuln.as_object_mut() {
                v.insert("LastKnownExploitAt".into(), Value::String(ts(self.anchor - r.int(1, 200) * DAY_MS)));
            }
        }
        d.extra.push((T_VULNERABILITIES, arr![vuln]));
        d.workflow = self.workflow();
        let r = &mut self.rng;
        d.record_state = if (d.workflow == WorkflowStatus::Resolved && r.chance(0.6)) || r.chance(0.04) {
            RecordState::Archived
        } else {
            RecordState::Active
        };
        if d.record_state == RecordState::Archived {
            d.product_fields.insert("aws/inspector/FindingStatus".into(), Value::String("CLOSED".into()));
        }
        d
    }
}
