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
//! Product mix (weights out of 100): Security Hub control findings 50, Inspector 20, GuardDuty 9,
//! Prowler 6, Config 4, IAM Access Analyzer 4, Macie 3, Health 2, Patch Manager 2.

use std::collections::HashMap;
use std::rc::Rc;

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::model::timestamp;

/// Conversion into a JSON value without going through serde (the generator is allocation-bound).
trait IntoJson {
    fn j(self) -> Value;
}

impl IntoJson for Value {
    fn j(self) -> Value {
        self
    }
}
impl IntoJson for &str {
    fn j(self) -> Value {
        Value::String(self.to_string())
    }
}
impl IntoJson for &&str {
    fn j(self) -> Value {
        Value::String((*self).to_string())
    }
}
impl IntoJson for String {
    fn j(self) -> Value {
        Value::String(self)
    }
}
impl IntoJson for &String {
    fn j(self) -> Value {
        Value::String(self.clone())
    }
}
impl IntoJson for bool {
    fn j(self) -> Value {
        Value::Bool(self)
    }
}
impl IntoJson for f64 {
    fn j(self) -> Value {
        Value::from(self)
    }
}
impl IntoJson for Vec<Value> {
    fn j(self) -> Value {
        Value::Array(self)
    }
}
impl IntoJson for Map<String, Value> {
    fn j(self) -> Value {
        Value::Object(self)
    }
}
macro_rules! int_into_json {
    ($($t:ty),*) => {$(
        impl IntoJson for $t {
            fn j(self) -> Value {
                Value::from(self)
            }
        }
        impl IntoJson for &$t {
            fn j(self) -> Value {
                Value::from(*self)
            }
        }
    )*};
}
int_into_json!(i32, i64, u8, u16, u32, u64);

/// A JSON object with its capacity known up front: `obj! { "Key" => value, ... }`.
macro_rules! obj {
    ($($k:literal => $v:expr),* $(,)?) => {{
        let mut m = Map::with_capacity(0 $(+ { let _ = $k; 1 })*);
        $( m.insert(String::from($k), IntoJson::j($v)); )*
        Value::Object(m)
    }};
}

/// A JSON array: `arr![a, b, ...]`.
macro_rules! arr {
    ($($v:expr),* $(,)?) => {
        Value::Array(vec![$(IntoJson::j($v)),*])
    };
}

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
/// [`DEFAULT_ANCHOR`].
pub fn demo_dataset() -> Vec<Value> {
    generate(&GenOptions { count: DEMO_COUNT, seed: DEMO_SEED, accounts: 12, anchor: DEFAULT_ANCHOR }).collect()
}

/// Starts generating findings. The returned iterator yields exactly `opts.count` findings.
pub fn generate(opts: &GenOptions) -> Generator {
    Generator::new(opts)
}

// ---------------------------------------------------------------------------------------------------
// Catalogues
// ---------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Label {
    Informational,
    Low,
    Medium,
    High,
    Critical,
}

impl Label {
    fn as_str(self) -> &'static str {
        match self {
            Label::Informational => "INFORMATIONAL",
            Label::Low => "LOW",
            Label::Medium => "MEDIUM",
            Label::High => "HIGH",
            Label::Critical => "CRITICAL",
        }
    }

    /// The value Security Hub puts in `Severity.Normalized` when a product gives only a label.
    fn normalized(self) -> u8 {
        match self {
            Label::Informational => 0,
            Label::Low => 1,
            Label::Medium => 40,
            Label::High => 70,
            Label::Critical => 90,
        }
    }

    /// Label for a 0..=100 normalized score (the ASFF mapping).
    fn from_normalized(n: u8) -> Label {
        match n {
            0 => Label::Informational,
            1..=39 => Label::Low,
            40..=69 => Label::Medium,
            70..=89 => Label::High,
            _ => Label::Critical,
        }
    }

    fn title_case(self) -> &'static str {
        match self {
            Label::Informational => "Informational",
            Label::Low => "Low",
            Label::Medium => "Medium",
            Label::High => "High",
            Label::Critical => "Critical",
        }
    }
}

use Label::{Critical as CRIT, High as HIGH, Informational as INFO, Low as LOW, Medium as MED};

/// Kinds of pooled resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Bucket,
    Instance,
    SecGroup,
    Vpc,
    Volume,
    Role,
    User,
    Policy,
    AccessKey,
    Function,
    Database,
    Image,
    Repository,
    Key,
    Trail,
    Queue,
    Topic,
    Cluster,
    Table,
    LoadBalancer,
    Secret,
}

impl Kind {
    /// Resources of this kind per account, before scaling with the finding count.
    fn pool(self) -> u32 {
        match self {
            Kind::Instance => 26,
            Kind::Bucket => 18,
            Kind::Role => 14,
            Kind::Image => 14,
            Kind::Volume => 14,
            Kind::Function => 12,
            Kind::SecGroup => 12,
            Kind::User => 9,
            Kind::Policy => 7,
            Kind::AccessKey => 7,
            Kind::Secret => 6,
            Kind::Database => 5,
            Kind::Queue => 5,
            Kind::Topic => 5,
            Kind::Table => 5,
            Kind::Repository => 5,
            Kind::Key => 5,
            Kind::LoadBalancer => 4,
            Kind::Vpc => 3,
            Kind::Trail => 2,
            Kind::Cluster => 2,
        }
    }

    fn code(self) -> u64 {
        self as u64 + 1
    }
}

/// A Security Hub control: id, title, severity when failed, resource it evaluates (None = the account).
struct Control {
    id: &'static str,
    title: &'static str,
    severity: Label,
    kind: Option<Kind>,
}

const fn ctl(id: &'static str, title: &'static str, severity: Label, kind: Option<Kind>) -> Control {
    Control { id, title, severity, kind }
}

const CONTROLS: &[Control] = &[
    ctl("Account.1", "Security contact information should be provided for an AWS account", MED, None),
    ctl("CloudTrail.1", "CloudTrail should be enabled and configured with at least one multi-Region trail that includes read and write management events", HIGH, None),
    ctl("CloudTrail.2", "CloudTrail should have encryption at-rest enabled", MED, Some(Kind::Trail)),
    ctl("CloudTrail.4", "CloudTrail log file validation should be enabled", LOW, Some(Kind::Trail)),
    ctl("Config.1", "AWS Config should be enabled and use the service-linked role for resource recording", MED, None),
    ctl("DynamoDB.2", "DynamoDB tables should have point-in-time recovery enabled", MED, Some(Kind::Table)),
    ctl("EC2.1", "Amazon EBS snapshots should not be publicly restorable", CRIT, None),
    ctl("EC2.2", "VPC default security groups should not allow inbound or outbound traffic", HIGH, Some(Kind::SecGroup)),
    ctl("EC2.3", "Attached Amazon EBS volumes should be encrypted at-rest", MED, Some(Kind::Volume)),
    ctl("EC2.6", "VPC flow logging should be enabled in all VPCs", MED, Some(Kind::Vpc)),
    ctl("EC2.8", "EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)", HIGH, Some(Kind::Instance)),
    ctl("EC2.9", "Amazon EC2 instances should not have a public IPv4 address", HIGH, Some(Kind::Instance)),
    ctl("EC2.19", "Security groups should not allow unrestricted access to ports with high risk", CRIT, Some(Kind::SecGroup)),
    ctl("EC2.53", "EC2 security groups should not allow ingress from 0.0.0.0/0 to remote server administration ports", HIGH, Some(Kind::SecGroup)),
    ctl("ECR.1", "ECR private repositories should have image scanning configured", HIGH, Some(Kind::Repository)),
    ctl("ECR.3", "ECR repositories should have at least one lifecycle policy configured", MED, Some(Kind::Repository)),
    ctl("EKS.1", "EKS cluster endpoints should not be publicly accessible", HIGH, Some(Kind::Cluster)),
    ctl("EKS.2", "EKS clusters should run on a supported Kubernetes version", HIGH, Some(Kind::Cluster)),
    ctl("ELB.1", "Application Load Balancer should be configured to redirect all HTTP requests to HTTPS", MED, Some(Kind::LoadBalancer)),
    ctl("ELB.4", "Application Load Balancer should be configured to drop invalid http headers", MED, Some(Kind::LoadBalancer)),
    ctl("GuardDuty.1", "GuardDuty should be enabled", HIGH, None),
    ctl("IAM.1", "IAM policies should not allow full \"*\" administrative privileges", HIGH, Some(Kind::Policy)),
    ctl("IAM.2", "IAM users should not have IAM policies attached", LOW, Some(Kind::User)),
    ctl("IAM.3", "IAM users' access keys should be rotated every 90 days or less", MED, Some(Kind::User)),
    ctl("IAM.5", "MFA should be enabled for all IAM users that have a console password", MED, Some(Kind::User)),
    ctl("IAM.6", "Hardware MFA should be enabled for the root user", CRIT, None),
    ctl("IAM.9", "MFA should be enabled for the root user", CRIT, None),
    ctl("KMS.3", "AWS KMS keys should not be deleted unintentionally", CRIT, Some(Kind::Key)),
    ctl("KMS.4", "AWS KMS key rotation should be enabled", MED, Some(Kind::Key)),
    ctl("Lambda.1", "Lambda function policies should prohibit public access", CRIT, Some(Kind::Function)),
    ctl("Lambda.2", "Lambda functions should use supported runtimes", MED, Some(Kind::Function)),
    ctl("RDS.2", "RDS DB Instances should prohibit public access, as determined by the PubliclyAccessible configuration", CRIT, Some(Kind::Database)),
    ctl("RDS.3", "RDS DB instances should have encryption at-rest enabled", MED, Some(Kind::Database)),
    ctl("RDS.5", "RDS DB instances should be configured with multiple Availability Zones", MED, Some(Kind::Database)),
    ctl("S3.1", "S3 general purpose buckets should have block public access settings enabled", MED, None),
    ctl("S3.5", "S3 general purpose buckets should require requests to use SSL", MED, Some(Kind::Bucket)),
    ctl("S3.8", "S3 general purpose buckets should block public access", HIGH, Some(Kind::Bucket)),
    ctl("S3.9", "S3 general purpose bucket server access logging should be enabled", MED, Some(Kind::Bucket)),
    ctl("S3.17", "S3 general purpose buckets should be encrypted at rest with AWS KMS keys", MED, Some(Kind::Bucket)),
    ctl("SecretsManager.1", "Secrets Manager secrets should have automatic rotation enabled", MED, Some(Kind::Secret)),
    ctl("SNS.1", "SNS topics should be encrypted at-rest using AWS KMS", MED, Some(Kind::Topic)),
    ctl("SQS.1", "Amazon SQS queues should be encrypted at rest", MED, Some(Kind::Queue)),
    ctl("SSM.1", "Amazon EC2 instances should be managed by AWS Systems Manager", MED, Some(Kind::Instance)),
];

/// Standards a control can belong to: (StandardsId, requirement prefix, requirement ids).
const STANDARDS: &[(&str, &str, &[&str])] = &[
    (
        "standards/cis-aws-foundations-benchmark/v/1.4.0",
        "CIS AWS Foundations Benchmark v1.4.0/",
        &["1.5", "1.10", "1.14", "2.1.2", "2.2.1", "3.1", "3.2", "3.7", "4.3", "5.3"],
    ),
    (
        "standards/cis-aws-foundations-benchmark/v/3.0.0",
        "CIS AWS Foundations Benchmark v3.0.0/",
        &["1.4", "1.9", "1.15", "2.1.1", "2.3.3", "3.5", "3.8", "5.2", "5.6"],
    ),
    (
        "standards/nist-800-53/v/5.0.0",
        "NIST.800-53.r5 ",
        &[
            "AC-2(1)", "AC-3", "AC-4(21)", "AC-6(10)", "AU-2", "AU-12", "CM-7", "CP-9", "IA-5(1)", "SC-7(11)", "SC-8",
            "SC-13", "SC-28(1)", "SI-2(2)",
        ],
    ),
    (
        "standards/pci-dss/v/4.0.1",
        "PCI DSS v4.0.1/",
        &["1.3.1", "1.4.4", "2.2.5", "3.5.1", "7.2.2", "8.3.9", "8.4.2", "10.2.1", "11.3.1"],
    ),
];
const FSBP: &str = "standards/aws-foundational-security-best-practices/v/1.0.0";

const STATUS_REASONS: &[(&str, &str)] = &[
    ("CONFIG_EVALUATIONS_EMPTY", "AWS Config has not produced an evaluation for this rule. The resources in scope may have been deleted or are not yet recorded."),
    ("CONFIG_RETURNS_NOT_APPLICABLE", "AWS Config reported the rule as not applicable to the resource, so Security Hub cannot determine a compliance status."),
    ("CONFIG_ACCESS_DENIED", "Security Hub could not read the AWS Config evaluation: recording is off or the service-linked role lacks permissions."),
    ("LAMBDA_CUSTOM_RUNTIME_DETAILS_NOT_AVAILABLE", "The function uses a custom runtime, so its runtime support status could not be evaluated."),
];

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

/// GuardDuty finding types: (ASFF type, title template, what it targets, base product severity).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Instance,
    Key,
    KeyTrail,
    KeyBucket,
}
const GUARDDUTY: &[(&str, &str, Target, f64)] = &[
    ("TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce", "{ip} is performing SSH brute force attacks against {res}.", Target::Instance, 2.0),
    ("TTPs/Initial Access/UnauthorizedAccess:EC2-RDPBruteForce", "{ip} is performing RDP brute force attacks against {res}.", Target::Instance, 5.0),
    ("TTPs/Discovery/Recon:EC2-PortProbeUnprotectedPort", "Unprotected port on EC2 instance {res} is being probed by {ip}.", Target::Instance, 2.0),
    ("TTPs/Discovery/Recon:EC2-Portscan", "EC2 instance {res} is performing outbound port scans against remote host {ip}.", Target::Instance, 5.0),
    ("Effects/Resource Consumption/CryptoCurrency:EC2-BitcoinTool.B", "EC2 instance {res} is communicating with IP address {ip} that is associated with cryptocurrency-related activity.", Target::Instance, 8.0),
    ("TTPs/Command and Control/Backdoor:EC2-DenialOfService.Tcp", "EC2 instance {res} is behaving in a manner that may indicate it is being used to perform a Denial of Service (DoS) attack using the TCP protocol.", Target::Instance, 8.0),
    ("TTPs/Command and Control/Trojan:EC2-BlackholeTraffic", "EC2 instance {res} is attempting to communicate with IP address {ip} that is a known black hole.", Target::Instance, 5.0),
    ("Unusual Behaviors/VM/Behavior:EC2-NetworkPortUnusual", "EC2 instance {res} is communicating with a remote host {ip} on an unusual server port.", Target::Instance, 5.0),
    ("TTPs/Credential Access/CredentialAccess:IAMUser-AnomalousBehavior", "APIs commonly used to gain access to secrets were invoked by {res} in an unusual way.", Target::Key, 5.0),
    ("TTPs/Persistence/Persistence:IAMUser-AnomalousBehavior", "APIs commonly used to maintain unauthorized access were invoked by {res} in an unusual way.", Target::Key, 5.0),
    ("TTPs/Initial Access/UnauthorizedAccess:IAMUser-ConsoleLoginSuccess.B", "Multiple worldwide successful console logins for {res} were observed, the latest from {ip}.", Target::Key, 5.0),
    ("TTPs/Initial Access/UnauthorizedAccess:IAMUser-InstanceCredentialExfiltration.OutsideAWS", "Credentials created exclusively for an EC2 instance through role {res} are being used from external IP address {ip}.", Target::Key, 8.0),
    ("TTPs/Defense Evasion/Stealth:IAMUser-CloudTrailLoggingDisabled", "AWS CloudTrail trail {other} was disabled by {res}.", Target::KeyTrail, 2.0),
    ("Effects/Data Exposure/Policy:S3-BucketAnonymousAccessGranted", "Amazon S3 bucket {other} was made accessible to anonymous users by {res}.", Target::KeyBucket, 8.0),
    ("TTPs/Discovery/Discovery:S3-MaliciousIPCaller", "S3 API calls against bucket {other} were invoked from known malicious IP address {ip}.", Target::KeyBucket, 5.0),
    ("Unusual Behaviors/User/Exfiltration:S3-AnomalousBehavior", "{res} invoked an unusual number of S3 data-read API calls against bucket {other}.", Target::KeyBucket, 8.0),
];

/// Remote networks GuardDuty attributes traffic to: (ASN, org, country code, country, city, lat, lon).
const REMOTE_ORGS: &[(u32, &str, &str, &str, &str, f64, f64)] = &[
    (14061, "DigitalOcean, LLC", "NL", "Netherlands", "Amsterdam", 52.3676, 4.9041),
    (4134, "Chinanet", "CN", "China", "Shanghai", 31.2222, 121.4581),
    (16276, "OVH SAS", "FR", "France", "Roubaix", 50.6942, 3.1746),
    (12389, "Rostelecom", "RU", "Russia", "Moscow", 55.7522, 37.6156),
    (9009, "M247 Europe SRL", "RO", "Romania", "Bucharest", 44.4323, 26.1063),
    (45090, "Tencent Cloud Computing", "SG", "Singapore", "Singapore", 1.2897, 103.8501),
    (396982, "Google LLC", "US", "United States", "Council Bluffs", 41.2619, -95.8608),
];

/// Macie finding types: (ASFF type, Macie type, title, severity, whether it names an object).
const MACIE: &[(&str, &str, &str, Label, bool)] = &[
    (
        "Sensitive Data Identifications/PII/SensitiveData:S3Object-Personal",
        "SensitiveData:S3Object/Personal",
        "The S3 object contains personally identifiable information.",
        HIGH,
        true,
    ),
    (
        "Sensitive Data Identifications/Financial/SensitiveData:S3Object-Financial",
        "SensitiveData:S3Object/Financial",
        "The S3 object contains financial information such as card or bank account numbers.",
        HIGH,
        true,
    ),
    (
        "Sensitive Data Identifications/Passwords/SensitiveData:S3Object-Credentials",
        "SensitiveData:S3Object/Credentials",
        "The S3 object contains credentials such as private keys or secret access keys.",
        CRIT,
        true,
    ),
    (
        "Sensitive Data Identifications/PII/SensitiveData:S3Object-Multiple",
        "SensitiveData:S3Object/Multiple",
        "The S3 object contains more than one category of sensitive data.",
        MED,
        true,
    ),
    (
        "Effects/Data Exposure/Policy:IAMUser-S3BucketPublic",
        "Policy:IAMUser/S3BucketPublic",
        "An S3 bucket policy or ACL now allows public access.",
        HIGH,
        false,
    ),
    (
        "Effects/Data Exposure/Policy:IAMUser-S3BucketSharedExternally",
        "Policy:IAMUser/S3BucketSharedExternally",
        "An S3 bucket is now shared with an AWS account outside the organization.",
        MED,
        false,
    ),
    (
        "Software and Configuration Checks/AWS Security Best Practices/Policy:IAMUser-S3BlockPublicAccessDisabled",
        "Policy:IAMUser/S3BlockPublicAccessDisabled",
        "Block public access settings were disabled for an S3 bucket.",
        LOW,
        false,
    ),
];

const MACIE_OBJECTS: &[(&str, &str)] = &[
    ("exports/customers/customers-2026-09.csv", "text/csv"),
    ("raw/crm/contacts.json", "application/json"),
    ("backups/pg/dump-latest.sql.gz", "application/gzip"),
    ("uploads/invoices/inv-4411.pdf", "application/pdf"),
    ("config/.env.production", "text/plain"),
    ("hr/payroll/2026-q3.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
];

/// Access Analyzer finding types: (ASFF type, title verb, severity, resource kind, external access?).
const ACCESS_ANALYZER: &[(&str, &str, Label, Kind, bool)] = &[
    (
        "Software and Configuration Checks/AWS Security Best Practices/External Access Granted",
        "allows cross-account access",
        LOW,
        Kind::Bucket,
        true,
    ),
    ("Effects/Data Exposure/External Access Granted", "allows public access", HIGH, Kind::Bucket, true),
    (
        "Software and Configuration Checks/AWS Security Best Practices/External Access Granted",
        "allows cross-account access",
        LOW,
        Kind::Role,
        true,
    ),
    (
        "Software and Configuration Checks/AWS Security Best Practices/External Access Granted",
        "allows cross-account access",
        LOW,
        Kind::Key,
        true,
    ),
    (
        "Software and Configuration Checks/AWS Security Best Practices/External Access Granted",
        "allows cross-account access",
        LOW,
        Kind::Queue,
        true,
    ),
    ("Effects/Data Exposure/External Access Granted", "allows public access", HIGH, Kind::Function, true),
    (
        "Software and Configuration Checks/AWS Security Best Practices/External Access Granted",
        "allows cross-account access",
        LOW,
        Kind::Secret,
        true,
    ),
    (
        "Software and Configuration Checks/AWS Security Best Practices/Unused IAM Role",
        "contains unused IAM role",
        LOW,
        Kind::Role,
        false,
    ),
    (
        "Software and Configuration Checks/AWS Security Best Practices/Unused Permission",
        "contains unused permissions",
        LOW,
        Kind::Role,
        false,
    ),
    (
        "Software and Configuration Checks/AWS Security Best Practices/Unused IAM User Password",
        "contains unused IAM user password",
        LOW,
        Kind::User,
        false,
    ),
    (
        "Software and Configuration Checks/AWS Security Best Practices/Unused IAM User Access Key",
        "contains unused IAM user access key",
        LOW,
        Kind::User,
        false,
    ),
];

/// Config rules outside the Security Hub standards: (rule name, resource kind, severity when failed).
const CONFIG_RULES: &[(&str, Kind, Label)] = &[
    ("required-tags", Kind::Instance, LOW),
    ("restricted-ssh", Kind::SecGroup, HIGH),
    ("approved-amis-by-id", Kind::Instance, MED),
    ("desired-instance-type", Kind::Instance, LOW),
    ("ec2-volume-inuse-check", Kind::Volume, LOW),
    ("encrypted-volumes", Kind::Volume, MED),
    ("s3-bucket-versioning-enabled", Kind::Bucket, MED),
    ("s3-bucket-replication-enabled", Kind::Bucket, LOW),
    ("rds-snapshots-public-prohibited", Kind::Database, CRIT),
    ("db-instance-backup-enabled", Kind::Database, MED),
];

/// Prowler checks: (check id, title, severity, resource kind (None = account), service, remediation URL).
type ProwlerCheck = (&'static str, &'static str, Label, Option<Kind>, &'static str, &'static str);
const PROWLER: &[ProwlerCheck] = &[
    (
        "iam_root_hardware_mfa_enabled",
        "Ensure hardware MFA is enabled for the root account",
        CRIT,
        None,
        "iam",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_physical.html",
    ),
    (
        "iam_password_policy_minimum_length_14",
        "Ensure IAM password policy requires minimum length of 14 or greater",
        MED,
        None,
        "iam",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html",
    ),
    (
        "iam_user_mfa_enabled_console_access",
        "Ensure multi-factor authentication (MFA) is enabled for all IAM users that have a console password.",
        HIGH,
        Some(Kind::User),
        "iam",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa.html",
    ),
    (
        "s3_bucket_secure_transport_policy",
        "Ensure S3 buckets have secure transport policy.",
        MED,
        Some(Kind::Bucket),
        "s3",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html",
    ),
    (
        "s3_bucket_public_access",
        "Ensure there are no S3 buckets open to Everyone or Any AWS user.",
        CRIT,
        Some(Kind::Bucket),
        "s3",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
    ),
    (
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389",
        "Ensure no security groups allow ingress from 0.0.0.0/0 or ::/0 to port 3389.",
        HIGH,
        Some(Kind::SecGroup),
        "ec2",
        "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html",
    ),
    (
        "ec2_instance_imdsv2_enabled",
        "Check if EC2 Instance Metadata Service Version 2 (IMDSv2) is Enabled and Required.",
        MED,
        Some(Kind::Instance),
        "ec2",
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html",
    ),
    (
        "cloudtrail_log_file_validation_enabled",
        "Ensure CloudTrail log file validation is enabled",
        MED,
        Some(Kind::Trail),
        "cloudtrail",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-enabling.html",
    ),
    (
        "awslambda_function_using_supported_runtimes",
        "Find obsolete Lambda runtimes.",
        MED,
        Some(Kind::Function),
        "lambda",
        "https://docs.aws.amazon.com/lambda/latest/dg/runtime-support-policy.html",
    ),
    (
        "rds_instance_no_public_access",
        "Ensure there are no Public Accessible RDS instances.",
        CRIT,
        Some(Kind::Database),
        "rds",
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html",
    ),
    (
        "kms_cmk_rotation_enabled",
        "Ensure rotation for customer created KMS CMKs is enabled.",
        MED,
        Some(Kind::Key),
        "kms",
        "https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html",
    ),
    (
        "secretsmanager_automatic_rotation_enabled",
        "Check if Secrets Manager secret rotation is enabled.",
        MED,
        Some(Kind::Secret),
        "secretsmanager",
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html",
    ),
];

/// AWS Health events: (event type code, service, category, severity, resource kind).
const HEALTH: &[(&str, &str, &str, Label, Kind)] = &[
    ("AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED", "EC2", "scheduledChange", MED, Kind::Instance),
    ("AWS_EC2_OPERATIONAL_ISSUE", "EC2", "issue", INFO, Kind::Instance),
    ("AWS_EBS_VOLUME_LOST", "EBS", "issue", HIGH, Kind::Volume),
    ("AWS_RDS_MAINTENANCE_SCHEDULED", "RDS", "scheduledChange", LOW, Kind::Database),
    ("AWS_LAMBDA_PLANNED_LIFECYCLE_EVENT", "LAMBDA", "accountNotification", LOW, Kind::Function),
    ("AWS_EKS_PLANNED_LIFECYCLE_EVENT", "EKS", "accountNotification", MED, Kind::Cluster),
    ("AWS_RISK_CREDENTIALS_EXPOSED", "RISK", "issue", CRIT, Kind::AccessKey),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Product {
    SecurityHub,
    Inspector,
    GuardDuty,
    Prowler,
    Config,
    AccessAnalyzer,
    Macie,
    Health,
    PatchManager,
}

const PRODUCTS: &[(Product, u32)] = &[
    (Product::SecurityHub, 500),
    (Product::Inspector, 200),
    (Product::GuardDuty, 90),
    (Product::Prowler, 60),
    (Product::Config, 40),
    (Product::AccessAnalyzer, 40),
    (Product::Macie, 30),
    (Product::Health, 20),
    (Product::PatchManager, 20),
];

impl Product {
    /// (product path in the ARN, ProductName, CompanyName)
    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Product::SecurityHub => ("aws/securityhub", "Security Hub", "AWS"),
            Product::Inspector => ("aws/inspector", "Inspector", "Amazon"),
            Product::GuardDuty => ("aws/guardduty", "GuardDuty", "Amazon"),
            Product::Prowler => ("prowler/prowler", "Prowler", "Prowler"),
            Product::Config => ("aws/config", "Config", "AWS"),
            Product::AccessAnalyzer => ("aws/access-analyzer", "IAM Access Analyzer", "AWS"),
            Product::Macie => ("aws/macie", "Macie", "Amazon"),
            Product::Health => ("aws/health", "Health", "AWS"),
            Product::PatchManager => ("aws/ssm-patch-manager", "Systems Manager Patch Manager", "AWS"),
        }
    }
}

const REGIONS: &[(&str, u32)] = &[
    ("us-east-1", 30),
    ("us-west-2", 14),
    ("eu-west-1", 13),
    ("eu-central-1", 10),
    ("us-east-2", 9),
    ("ap-northeast-1", 6),
    ("ap-southeast-2", 5),
    ("eu-west-2", 4),
    ("ap-southeast-1", 4),
    ("ca-central-1", 3),
    ("ap-south-1", 2),
];

const ACCOUNT_NAMES: &[&str] = &[
    "payments-prod",
    "storefront-prod",
    "datalake-prod",
    "identity-prod",
    "core-api-prod",
    "security-audit",
    "storefront-staging",
    "sandbox-dev-1",
    "log-archive",
    "platform-dev",
    "shared-network",
    "datalake-staging",
    "ml-training",
    "analytics-prod",
    "erp-legacy",
    "qa-automation",
    "partner-gateway",
    "backup-vault",
    "mobile-prod",
    "sandbox-dev-2",
    "build-ci",
    "edge-prod",
];

const SERVICES: &[&str] = &[
    "checkout",
    "ledger",
    "catalog",
    "auth",
    "search",
    "notify",
    "reporting",
    "ingest",
    "frontend",
    "gateway",
    "etl",
    "recs",
];
const TEAMS: &[&str] = &["payments", "storefront", "platform", "data", "identity", "ml", "sre", "secops"];
const PEOPLE: &[&str] = &["amara", "bjorn", "chen", "dolores", "emeka", "fatima", "giulia", "hiro", "ines", "jonas"];
const ANALYSTS: &[&str] = &["amara", "chen", "ines", "triage-bot", "soc-oncall"];

const NOTE_TEXTS: &[&str] = &[
    "Ticket raised with the owning team; fix planned for the next release train.",
    "Risk accepted until the workload is decommissioned at the end of the quarter.",
    "Expected: traffic originates from our authorised external scanner.",
    "Under investigation with platform engineering.",
    "Mitigated by a WAF rule and network ACL while the patch is rolled out.",
    "Duplicate of an incident already being tracked.",
    "Resource is a short-lived test fixture, will be torn down automatically.",
];

// ---------------------------------------------------------------------------------------------------
// Random helpers
// ---------------------------------------------------------------------------------------------------

const HEX: &[u8; 16] = b"0123456789abcdef";

struct R(ChaCha8Rng);

impl R {
    fn new(seed: u64) -> R {
        R(ChaCha8Rng::seed_from_u64(seed))
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        self.0.random_range(0..n.max(1))
    }

    /// Uniform in `lo..=hi`.
    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        self.0.random_range(lo..=hi.max(lo))
    }

    fn unit(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    fn pick_weighted<'a, T>(&mut self, xs: &'a [(T, u32)]) -> &'a T {
        let total: u32 = xs.iter().map(|x| x.1).sum();
        let mut x = self.0.random_range(0..total.max(1));
        for (item, w) in xs {
            if x < *w {
                return item;
            }
            x -= w;
        }
        &xs[xs.len() - 1].0
    }

    /// Index drawn with the given cumulative weights.
    fn pick_cumulative(&mut self, cumulative: &[u32]) -> usize {
        let total = cumulative.last().copied().unwrap_or(1).max(1);
        let x = self.0.random_range(0..total);
        cumulative.partition_point(|&c| c <= x).min(cumulative.len().saturating_sub(1))
    }

    fn push_hex(&mut self, out: &mut String, n: usize) {
        let mut left = n;
        while left > 0 {
            let mut v = self.0.next_u64();
            for _ in 0..left.min(16) {
                out.push(char::from(HEX[(v & 15) as usize]));
                v >>= 4;
            }
            left = left.saturating_sub(16);
        }
    }

    fn hex(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        self.push_hex(&mut s, n);
        s
    }

    fn upper_hex(&mut self, n: usize) -> String {
        self.hex(n).to_ascii_uppercase()
    }

    fn uuid(&mut self) -> String {
        let h = self.hex(32);
        let variant = char::from(b"89ab"[self.below(4)]);
        format!("{}-{}-4{}-{}{}-{}", &h[..8], &h[8..12], &h[13..16], variant, &h[17..20], &h[20..32])
    }

    /// An address from the documentation ranges (RFC 5737).
    fn public_ip(&mut self) -> String {
        let net = self.pick(&["192.0.2.", "198.51.100.", "203.0.113."]);
        format!("{net}{}", self.int(1, 254))
    }

    fn private_ip(&mut self, second: u8) -> String {
        format!("10.{second}.{}.{}", self.int(0, 255), self.int(4, 254))
    }

    fn digits(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        s.push(char::from(b'1' + self.below(9) as u8));
        for _ in 1..n {
            s.push(char::from(b'0' + self.below(10) as u8));
        }
        s
    }
}

/// SplitMix64 finaliser: a good 64-bit mixer for deriving sub-seeds.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn hash_hex(v: u64, len: usize) -> String {
    let mut s = String::with_capacity(len);
    let mut x = v;
    while s.len() < len {
        x = mix(x);
        for i in 0..16 {
            if s.len() == len {
                break;
            }
            s.push(char::from(HEX[((x >> (i * 4)) & 15) as usize]));
        }
    }
    s
}

/// A 6-hex-digit suffix that is distinct for every `idx` below 2^24 (odd multiplier, bijective mod 2^24).
fn unique_suffix(idx: u32, salt: u64) -> String {
    let v = idx.wrapping_mul(0x9E37_79B1).wrapping_add(salt as u32) & 0x00FF_FFFF;
    format!("{v:06x}")
}

fn ts(ms: i64) -> String {
    match OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) {
        Ok(t) => timestamp::format(t),
        Err(_) => String::from("1970-01-01T00:00:00.000Z"),
    }
}

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

// ---------------------------------------------------------------------------------------------------
// Accounts and resources
// ---------------------------------------------------------------------------------------------------

struct Account {
    id: String,
    name: String,
    env: &'static str,
    regions: Vec<&'static str>,
}

#[derive(Clone)]
struct Res {
    json: Value,
    /// The short name used in titles (instance id, bucket name, user name, ...).
    short: String,
    region: &'static str,
    arn: String,
    private_ip: String,
}

/// The Resources[] member for the account itself.
fn account_resource(acct: &Account, region: &str) -> Value {
    obj! {
        "Type" => "AwsAccount",
        "Id" => format!("AWS::::Account:{}", acct.id),
        "Partition" => "aws",
        "Region" => region,
    }
}

fn make_resource(seed: u64, acct_idx: usize, acct: &Account, kind: Kind, idx: u32, anchor: i64) -> Res {
    let sub_seed = mix(seed ^ mix(((acct_idx as u64) << 40) ^ (kind.code() << 32) ^ u64::from(idx)));
    let mut r = R::new(sub_seed);
    let a = acct.id.as_str();
    let env = acct.env;
    let region: &'static str = match kind {
        // IAM is global: Security Hub reports it in the account's home Region.
        Kind::Role | Kind::User | Kind::Policy | Kind::AccessKey => acct.regions[0],
        _ => acct.regions[r.below(acct.regions.len())],
    };
    let svc = *r.pick(SERVICES);
    let uniq = unique_suffix(idx, sub_seed.rotate_left(17) ^ kind.code());
    let created_ms = anchor - r.int(20, 1100) * DAY_MS - r.int(0, DAY_MS);
    let created = ts(created_ms);
    let private_ip = r.private_ip((acct.id.as_bytes()[11] - b'0') * 16 + 1);
    let (typ, arn, short, details): (&str, String, String, Value) = match kind {
        Kind::Instance => {
            let iid = format!("i-{}", r.hex(17));
            let arn = format!("arn:aws:ec2:{region}:{a}:instance/{iid}");
            let mut d = obj! {
                "Type" => r.pick(&["t3.medium", "m6i.large", "c7g.xlarge", "r6i.2xlarge", "t3.small", "m5.4xlarge"]),
                "ImageId" => format!("ami-{}", r.hex(17)),
                "IpV4Addresses" => arr![&private_ip],
                "IamInstanceProfileArn" => format!("arn:aws:iam::{a}:instance-profile/{svc}-{env}"),
                "VpcId" => format!("vpc-{}", r.hex(17)),
                "SubnetId" => format!("subnet-{}", r.hex(17)),
                "LaunchedAt" => &created,
                "MetadataOptions" => obj! {"HttpEndpoint" => "enabled", "HttpTokens" => if r.chance(0.6) { "required" } else { "optional" }},
            };
            if r.chance(0.2) {
                if let Some(addrs) = d.get_mut("IpV4Addresses").and_then(Value::as_array_mut) {
                    addrs.push(Value::String(r.public_ip()));
                }
            }
            ("AwsEc2Instance", arn, iid, obj! {"AwsEc2Instance" => d})
        }
        Kind::Bucket => {
            let purpose = r.pick(&["logs", "assets", "exports", "backups", "uploads", "artifacts"]);
            let name = format!("{}-{svc}-{purpose}-{uniq}", acct.name);
            let arn = format!("arn:aws:s3:::{name}");
            let algo = if r.chance(0.6) { "AES256" } else { "aws:kms" };
            let block = r.chance(0.8);
            let d = obj! {
                "AwsS3Bucket" => obj! {
                    "OwnerId" => r.hex(64),
                    "OwnerAccountId" => a,
                    "CreatedAt" => &created,
                    "Name" => &name,
                    "ServerSideEncryptionConfiguration" => obj! {"Rules" => arr![obj!{"ApplyServerSideEncryptionByDefault" => obj!{"SSEAlgorithm" => algo}}]},
                    "PublicAccessBlockConfiguration" => obj! {
                        "BlockPublicAcls" => block,
                        "BlockPublicPolicy" => block,
                        "IgnorePublicAcls" => block,
                        "RestrictPublicBuckets" => block,
                    },
                },
            };
            ("AwsS3Bucket", arn, name, d)
        }
        Kind::SecGroup => {
            let gid = format!("sg-{}", r.hex(17));
            let arn = format!("arn:aws:ec2:{region}:{a}:security-group/{gid}");
            let name = if r.chance(0.25) { String::from("default") } else { format!("{svc}-{env}-sg") };
            let port = *r.pick(&[22_u16, 443, 3389, 5432, 80, 8080]);
            let cidr = if r.chance(0.4) { "0.0.0.0/0" } else { "10.0.0.0/8" };
            let d = obj! {
                "AwsEc2SecurityGroup" => obj! {
                    "GroupName" => &name,
                    "GroupId" => &gid,
                    "OwnerId" => a,
                    "VpcId" => format!("vpc-{}", r.hex(17)),
                    "IpPermissions" => arr![
                        obj! {
                            "IpProtocol" => "tcp",
                            "FromPort" => port,
                            "ToPort" => port,
                            "IpRanges" => arr![obj!{"CidrIp" => cidr}],
                        },
                    ],
                },
            };
            ("AwsEc2SecurityGroup", arn, gid, d)
        }
        Kind::Vpc => {
            let vid = format!("vpc-{}", r.hex(17));
            let arn = format!("arn:aws:ec2:{region}:{a}:vpc/{vid}");
            let d = obj! {
                "AwsEc2Vpc" => obj! {
                    "CidrBlockAssociationSet" => arr![
                        obj! {
                            "AssociationId" => format!("vpc-cidr-assoc-{}", r.hex(17)),
                            "CidrBlock" => format!("10.{}.0.0/16", r.int(0, 255)),
                            "CidrBlockState" => "associated",
                        },
                    ],
                    "DhcpOptionsId" => format!("dopt-{}", r.hex(17)),
                    "State" => "available",
                },
            };
            ("AwsEc2Vpc", arn, vid, d)
        }
        Kind::Volume => {
            let vid = format!("vol-{}", r.hex(17));
            let arn = format!("arn:aws:ec2:{region}:{a}:volume/{vid}");
            let d = obj! {
                "AwsEc2Volume" => obj! {
                    "CreateTime" => &created,
                    "Encrypted" => r.chance(0.7),
                    "Size" => r.pick(&[8_u32, 20, 50, 100, 500]),
                    "Status" => "in-use",
                    "VolumeId" => &vid,
                    "VolumeType" => r.pick(&["gp3", "gp2", "io2"]),
                    "Attachments" => arr![
                        obj! {
                            "InstanceId" => format!("i-{}", r.hex(17)),
                            "Status" => "attached",
                            "DeleteOnTermination" => r.chance(0.8),
                        },
                    ],
                },
            };
            ("AwsEc2Volume", arn, vid, d)
        }
        Kind::Role => {
            let name = format!("{svc}-{env}-{}-{uniq}", r.pick(&["task", "exec", "deploy", "reader", "admin"]));
            let arn = format!("arn:aws:iam::{a}:role/{name}");
            let principal = r.pick(&["ec2.amazonaws.com", "lambda.amazonaws.com", "ecs-tasks.amazonaws.com"]);
            let d = obj! {
                "AwsIamRole" => obj! {
                    "AssumeRolePolicyDocument" => format!("%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22{principal}%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D"),
                    "CreateDate" => &created,
                    "RoleId" => format!("AROA{}", r.upper_hex(17)),
                    "RoleName" => &name,
                    "MaxSessionDuration" => 3600,
                    "Path" => "/",
                },
            };
            ("AwsIamRole", arn, name, d)
        }
        Kind::User => {
            let name = format!(
                "{}-{uniq}",
                r.pick(&[
                    "amara",
                    "bjorn",
                    "chen",
                    "dolores",
                    "svc-deploy",
                    "svc-backup",
                    "terraform",
                    "ci-runner",
                    "reporting-bot"
                ])
            );
            let arn = format!("arn:aws:iam::{a}:user/{name}");
            let d = obj! {
                "AwsIamUser" => obj! {
                    "AttachedManagedPolicies" => arr![
                        obj! {"PolicyName" => "ReadOnlyAccess", "PolicyArn" => "arn:aws:iam::aws:policy/ReadOnlyAccess"},
                    ],
                    "CreateDate" => &created,
                    "Path" => "/",
                    "UserId" => format!("AIDA{}", r.upper_hex(17)),
                    "UserName" => &name,
                },
            };
            ("AwsIamUser", arn, name, d)
        }
        Kind::Policy => {
            let name = format!("{svc}-{env}-{}-{uniq}", r.pick(&["access", "fullaccess", "ops", "boundary"]));
            let arn = format!("arn:aws:iam::{a}:policy/{name}");
            let d = obj! {
                "AwsIamPolicy" => obj! {
                    "AttachmentCount" => r.int(0, 8),
                    "CreateDate" => &created,
                    "DefaultVersionId" => format!("v{}", r.int(1, 6)),
                    "IsAttachable" => true,
                    "Path" => "/",
                    "PermissionsBoundaryUsageCount" => 0,
                    "PolicyId" => format!("ANPA{}", r.upper_hex(17)),
                    "PolicyName" => &name,
                    "UpdateDate" => ts(created_ms + r.int(0, 200) * DAY_MS),
                },
            };
            ("AwsIamPolicy", arn, name, d)
        }
        Kind::AccessKey => {
            let kid = format!("ASIA{}", r.upper_hex(16));
            let principal = format!(
                "{}-{uniq}",
                r.pick(&["svc-deploy", "terraform", "ci-runner", "amara", "chen", "reporting-bot"])
            );
            let arn = format!("arn:aws:iam::{a}:user/{principal}");
            let d = obj! {
                "AwsIamAccessKey" => obj! {
                    "PrincipalId" => format!("AIDA{}", r.upper_hex(17)),
                    "PrincipalType" => if r.chance(0.7) { "IAMUser" } else { "AssumedRole" },
                    "PrincipalName" => &principal,
                    "Status" => "Active",
                    "CreatedAt" => &created,
                    "AccountId" => a,
                    "AccessKeyId" => &kid,
                },
            };
            return finish_res(&mut r, acct, "AwsIamAccessKey", kid, arn, principal, region, d, private_ip);
        }
        Kind::Function => {
            let name = format!("{svc}-{env}-{}-{uniq}", r.pick(&["handler", "worker", "cron", "api", "stream"]));
            let arn = format!("arn:aws:lambda:{region}:{a}:function:{name}");
            let d = obj! {
                "AwsLambdaFunction" => obj! {
                    "FunctionName" => &name,
                    "Handler" => "index.handler",
                    "LastModified" => &created,
                    "MemorySize" => r.pick(&[128_u32, 256, 512, 1024, 2048]),
                    "Role" => format!("arn:aws:iam::{a}:role/{svc}-{env}-exec"),
                    "Runtime" => r.pick(&["python3.12", "python3.9", "nodejs20.x", "nodejs16.x", "java17", "provided.al2023", "python3.8"]),
                    "Timeout" => r.pick(&[3_u32, 15, 30, 60, 300, 900]),
                    "Version" => "$LATEST",
                    "Architectures" => arr![r.pick(&["x86_64", "arm64"])],
                    "PackageType" => "Zip",
                },
            };
            ("AwsLambdaFunction", arn, name, d)
        }
        Kind::Database => {
            let name = format!("{svc}-{env}-db-{uniq}");
            let arn = format!("arn:aws:rds:{region}:{a}:db:{name}");
            let (engine, version) = *r.pick(&[
                ("postgres", "15.4"),
                ("mysql", "8.0.35"),
                ("aurora-postgresql", "14.9"),
                ("mariadb", "10.6.14"),
            ]);
            let d = obj! {
                "AwsRdsDbInstance" => obj! {
                    "DBInstanceIdentifier" => &name,
                    "DBInstanceClass" => r.pick(&["db.t3.medium", "db.r6g.large", "db.m6i.xlarge"]),
                    "DbInstancePort" => if engine.contains("postgres") { 5432 } else { 3306 },
                    "DbiResourceId" => format!("db-{}", r.upper_hex(26)),
                    "Engine" => engine,
                    "EngineVersion" => version,
                    "InstanceCreateTime" => &created,
                    "AllocatedStorage" => r.pick(&[20_u32, 100, 500, 1000]),
                    "MultiAz" => r.chance(0.5),
                    "PubliclyAccessible" => r.chance(0.1),
                    "StorageEncrypted" => r.chance(0.8),
                },
            };
            ("AwsRdsDbInstance", arn, name, d)
        }
        Kind::Image => {
            let repo = format!("{env}/{svc}");
            let digest = format!("sha256:{}", r.hex(64));
            let arn = format!("arn:aws:ecr:{region}:{a}:repository/{repo}/{digest}");
            let tag = if r.chance(0.3) {
                String::from("latest")
            } else {
                format!("{}.{}.{}", r.int(1, 4), r.int(0, 20), r.int(0, 9))
            };
            let d = obj! {
                "AwsEcrContainerImage" => obj! {
                    "RegistryId" => a,
                    "RepositoryName" => &repo,
                    "Architecture" => r.pick(&["amd64", "arm64"]),
                    "ImageDigest" => &digest,
                    "ImageTags" => arr![tag],
                    "ImagePublishedAt" => &created,
                },
            };
            ("AwsEcrContainerImage", arn, repo, d)
        }
        Kind::Repository => {
            let repo = format!("{env}/{svc}-{uniq}");
            let arn = format!("arn:aws:ecr:{region}:{a}:repository/{repo}");
            let d = obj! {
                "AwsEcrRepository" => obj! {
                    "Arn" => &arn,
                    "RepositoryName" => &repo,
                    "ImageTagMutability" => r.pick(&["MUTABLE", "IMMUTABLE"]),
                    "ImageScanningConfiguration" => obj! {"ScanOnPush" => r.chance(0.5)},
                },
            };
            ("AwsEcrRepository", arn, repo, d)
        }
        Kind::Key => {
            let kid = r.uuid();
            let arn = format!("arn:aws:kms:{region}:{a}:key/{kid}");
            let d = obj! {
                "AwsKmsKey" => obj! {
                    "AWSAccountId" => a,
                    "CreationDate" => (created_ms / 1000) as f64,
                    "KeyId" => &kid,
                    "KeyManager" => "CUSTOMER",
                    "KeyState" => if r.chance(0.95) { "Enabled" } else { "PendingDeletion" },
                    "Origin" => "AWS_KMS",
                    "Description" => format!("{svc} {env} data key"),
                    "KeyRotationStatus" => r.chance(0.5),
                },
            };
            ("AwsKmsKey", arn, kid, d)
        }
        Kind::Trail => {
            let name = format!("{}-{uniq}", r.pick(&["management-events", "org-trail", "audit-trail", "data-events"]));
            let arn = format!("arn:aws:cloudtrail:{region}:{a}:trail/{name}");
            let d = obj! {
                "AwsCloudTrailTrail" => obj! {
                    "HomeRegion" => region,
                    "IncludeGlobalServiceEvents" => true,
                    "IsMultiRegionTrail" => r.chance(0.6),
                    "IsOrganizationTrail" => r.chance(0.3),
                    "LogFileValidationEnabled" => r.chance(0.7),
                    "Name" => &name,
                    "S3BucketName" => format!("{}-cloudtrail-{}", acct.name, r.hex(6)),
                    "TrailArn" => &arn,
                },
            };
            ("AwsCloudTrailTrail", arn, name, d)
        }
        Kind::Queue => {
            let name = format!("{svc}-{env}-{}-{uniq}", r.pick(&["jobs", "events", "dlq"]));
            let arn = format!("arn:aws:sqs:{region}:{a}:{name}");
            let mut d = Map::new();
            d.insert("QueueName".into(), Value::String(name.clone()));
            if r.chance(0.5) {
                d.insert("KmsMasterKeyId".into(), Value::String(String::from("alias/aws/sqs")));
            }
            ("AwsSqsQueue", arn, name, obj! {"AwsSqsQueue" => d})
        }
        Kind::Topic => {
            let name = format!("{svc}-{env}-alerts-{uniq}");
            let arn = format!("arn:aws:sns:{region}:{a}:{name}");
            let d = obj! {"AwsSnsTopic" => obj!{"TopicName" => &name, "Owner" => a}};
            ("AwsSnsTopic", arn, name, d)
        }
        Kind::Cluster => {
            let name = format!("{env}-{svc}-{uniq}");
            let arn = format!("arn:aws:eks:{region}:{a}:cluster/{name}");
            let d = obj! {
                "AwsEksCluster" => obj! {
                    "Arn" => &arn,
                    "Name" => &name,
                    "ClusterStatus" => "ACTIVE",
                    "Version" => r.pick(&["1.26", "1.28", "1.30", "1.32"]),
                    "RoleArn" => format!("arn:aws:iam::{a}:role/{name}-cluster-role"),
                    "ResourcesVpcConfig" => obj! {
                        "EndpointPublicAccess" => r.chance(0.4),
                        "SecurityGroupIds" => arr![format!("sg-{}", r.hex(17))],
                        "SubnetIds" => arr![format!("subnet-{}", r.hex(17)), format!("subnet-{}", r.hex(17))],
                    },
                },
            };
            ("AwsEksCluster", arn, name, d)
        }
        Kind::Table => {
            let name = format!("{svc}-{env}-{uniq}");
            let arn = format!("arn:aws:dynamodb:{region}:{a}:table/{name}");
            let d = obj! {
                "AwsDynamoDbTable" => obj! {
                    "TableName" => &name,
                    "TableStatus" => "ACTIVE",
                    "ItemCount" => r.int(0, 20_000_000),
                    "TableSizeBytes" => r.int(0, 50_000_000_000),
                    "BillingModeSummary" => obj! {"BillingMode" => r.pick(&["PAY_PER_REQUEST", "PROVISIONED"])},
                    "CreationDateTime" => &created,
                },
            };
            ("AwsDynamoDbTable", arn, name, d)
        }
        Kind::LoadBalancer => {
            let name = format!("{svc}-{env}-alb");
            let lb_hex = r.hex(16);
            let arn = format!("arn:aws:elasticloadbalancing:{region}:{a}:loadbalancer/app/{name}/{lb_hex}");
            let scheme = if r.chance(0.6) { "internet-facing" } else { "internal" };
            let d = obj! {
                "AwsElbv2LoadBalancer" => obj! {
                    "CreatedTime" => &created,
                    "DNSName" => format!("{name}-{}.{region}.elb.amazonaws.com", r.int(100_000_000, 2_000_000_000)),
                    "Scheme" => scheme,
                    "State" => obj! {"Code" => "active"},
                    "Type" => "application",
                    "VpcId" => format!("vpc-{}", r.hex(17)),
                    "IpAddressType" => "ipv4",
                },
            };
            ("AwsElbv2LoadBalancer", arn, name, d)
        }
        Kind::Secret => {
            let name =
                format!("{env}/{svc}/{}-{uniq}", r.pick(&["db-password", "api-key", "oauth-client", "signing-key"]));
            let arn = format!("arn:aws:secretsmanager:{region}:{a}:secret:{name}-{}", r.hex(6));
            let d = obj! {
                "AwsSecretsManagerSecret" => obj! {
                    "Name" => &name,
                    "RotationEnabled" => r.chance(0.4),
                    "Deleted" => false,
                    "Description" => format!("{svc} credentials ({env})"),
                },
            };
            ("AwsSecretsManagerSecret", arn, name, d)
        }
    };
    let id = arn.clone();
    finish_res(&mut r, acct, typ, id, arn, short, region, details, private_ip)
}

#[allow(clippy::too_many_arguments)]
fn finish_res(
    r: &mut R,
    acct: &Account,
    typ: &str,
    id: String,
    arn: String,
    short: String,
    region: &'static str,
    details: Value,
    private_ip: String,
) -> Res {
    let mut m = Map::new();
    m.insert("Type".into(), Value::String(typ.into()));
    m.insert("Id".into(), Value::String(id));
    m.insert("Partition".into(), Value::String("aws".into()));
    m.insert("Region".into(), Value::String(region.into()));
    if r.chance(0.5) {
        let mut t = Map::with_capacity(4);
        t.insert("Environment".into(), Value::String(acct.env.into()));
        t.insert("Owner".into(), Value::String(format!("team-{}", r.pick(TEAMS))));
        if r.chance(0.5) {
            t.insert("Application".into(), Value::String(r.pick(SERVICES).to_string()));
        }
        if r.chance(0.35) {
            t.insert("CostCenter".into(), Value::String(format!("CC-{}", r.int(1000, 9999))));
        }
        m.insert("Tags".into(), Value::Object(t));
    }
    m.insert("Details".into(), details);
    Res { json: Value::Object(m), short, region, arn, private_ip }
}

// ---------------------------------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------------------------------

/// Iterator over generated findings; see [`generate`].
pub struct Generator {
    rng: R,
    seed: u64,
    remaining: usize,
    anchor: i64,
    accounts: Vec<Account>,
    account_cumulative: Vec<u32>,
    pool_scale: u32,
    pools: HashMap<(usize, Kind), Vec<Option<Rc<Res>>>>,
    /// Next resource index per (account, kind) for IAM Access Analyzer, which keeps one finding per resource.
    analyzer_next: HashMap<(usize, Kind), u32>,
    control_slugs: Vec<String>,
    /// Top-level object templates by the set of members present.
    templates: HashMap<u64, Map<String, Value>>,
}

/// Everything a product generator decides; [`Generator::assemble`] turns it into the finding.
struct Draft {
    product: Product,
    acct: usize,
    region: &'static str,
    id: String,
    generator_id: String,
    types: Vec<String>,
    label: Label,
    normalized: u8,
    product_severity: Option<f64>,
    original: Option<String>,
    title: String,
    description: String,
    remediation: Option<Value>,
    source_url: Option<String>,
    product_fields: Map<String, Value>,
    resources: Vec<Value>,
    /// Product-specific members (Compliance, Vulnerabilities, Network, Action, PatchSummary, ...), in order.
    extra: Vec<(usize, Value)>,
    workflow: &'static str,
    record_state: &'static str,
    confidence: Option<u8>,
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
const T_COMPLIANCE: usize = 23;
const T_VULNERABILITIES: usize = 24;
const T_PATCH_SUMMARY: usize = 25;
const T_NETWORK: usize = 26;
const T_ACTION: usize = 27;
const T_WORKFLOW_STATE: usize = 28;
const T_WORKFLOW: usize = 29;
const T_RECORD_STATE: usize = 30;
const T_VERIFICATION: usize = 31;
const T_PROVIDER_FIELDS: usize = 32;
const T_NOTE: usize = 33;
const T_USER_DEFINED: usize = 34;
const T_SAMPLE: usize = 35;

struct Times {
    first: i64,
    created: i64,
    updated: i64,
}

impl Generator {
    fn new(opts: &GenOptions) -> Generator {
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

    fn pick_account(&mut self) -> usize {
        self.rng.pick_cumulative(&self.account_cumulative)
    }

    /// A resource of `kind` from the account's pool (created on first use).
    fn resource(&mut self, acct: usize, kind: Kind) -> Rc<Res> {
        let size = kind.pool() * self.pool_scale;
        let idx = self.rng.below(size as usize);
        self.resource_at(acct, kind, idx as u32)
    }

    fn resource_at(&mut self, acct: usize, kind: Kind, idx: u32) -> Rc<Res> {
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

    fn workflow(&mut self) -> &'static str {
        let x = self.rng.unit();
        if x < 0.66 {
            "NEW"
        } else if x < 0.79 {
            "NOTIFIED"
        } else if x < 0.89 {
            "SUPPRESSED"
        } else {
            "RESOLVED"
        }
    }

    fn draft(product: Product, acct: usize, region: &'static str, label: Label) -> Draft {
        Draft {
            product,
            acct,
            region,
            id: String::new(),
            generator_id: String::new(),
            types: Vec::new(),
            label,
            normalized: label.normalized(),
            product_severity: None,
            original: None,
            title: String::new(),
            description: String::new(),
            remediation: None,
            source_url: None,
            product_fields: Map::with_capacity(10),
            resources: Vec::with_capacity(2),
            extra: Vec::with_capacity(3),
            workflow: "NEW",
            record_state: "ACTIVE",
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

    // -- products ------------------------------------------------------------------------------------

    fn security_hub(&mut self) -> Draft {
        let acct = self.pick_account();
        let ci = self.rng.below(CONTROLS.len());
        let c = &CONTROLS[ci];
        let x = self.rng.unit();
        let status = if x < 0.50 {
            "FAILED"
        } else if x < 0.92 {
            "PASSED"
        } else if x < 0.96 {
            "WARNING"
        } else {
            "NOT_AVAILABLE"
        };
        let (resource, region, short) = match c.kind {
            Some(kind) => {
                let res = self.resource(acct, kind);
                (res.json.clone(), res.region, res.short.clone())
            }
            None => {
                let a = &self.accounts[acct];
                let region = a.regions[self.rng.below(a.regions.len())];
                (account_resource(a, region), region, a.id.clone())
            }
        };
        let label = if status == "PASSED" { INFO } else { c.severity };
        let mut d = Self::draft(Product::SecurityHub, acct, region, label);
        let a = &self.accounts[acct];
        let r = &mut self.rng;
        let fid = format!("arn:aws:securityhub:{region}:{}:security-control/{}/finding/{}", a.id, c.id, r.uuid());
        d.generator_id = format!("security-control/{}", c.id);
        d.types = vec![String::from("Software and Configuration Checks/Industry and Regulatory Standards")];
        d.title = c.title.to_string();
        let outcome = match status {
            "PASSED" => "The resource meets the requirement.",
            "FAILED" => "The resource does not meet the requirement and should be remediated.",
            "WARNING" => "Security Hub could not fully evaluate the resource; review the status reasons.",
            _ => "The evaluation result is not available for this resource.",
        };
        d.description = format!("Control {} evaluated {} {short}. {outcome}", c.id, kind_noun(c.kind));
        d.remediation = Some(obj! {
            "Recommendation" => obj! {
                "Text" => "For information on how to correct this issue, consult the AWS Security Hub controls documentation.",
                "Url" => format!("https://docs.aws.amazon.com/console/securityhub/{}/remediation", c.id),
            },
        });
        let rule = format!(
            "securityhub-{}-{}",
            self.control_slugs[ci],
            hash_hex(mix(self.seed) ^ (ci as u64) ^ ((acct as u64) << 8), 8)
        );
        let pf = &mut d.product_fields;
        pf.insert("RelatedAWSResources:0/name".into(), Value::String(rule));
        pf.insert("RelatedAWSResources:0/type".into(), Value::String("AWS::Config::ConfigRule".into()));
        pf.insert("aws/securityhub/ProductName".into(), Value::String("Security Hub".into()));
        pf.insert("aws/securityhub/CompanyName".into(), Value::String("AWS".into()));
        if let Some(rid) = resource.get("Id").and_then(Value::as_str) {
            pf.insert("Resources:0/Id".into(), Value::String(rid.to_string()));
        }
        pf.insert(
            "aws/securityhub/FindingId".into(),
            Value::String(format!("arn:aws:securityhub:{region}::product/aws/securityhub/{fid}")),
        );
        d.id = fid;
        d.resources.push(resource);

        // Compliance
        let mut standards = vec![obj! {"StandardsId" => FSBP}];
        let mut reqs: Vec<Value> = Vec::new();
        for (sid, prefix, ids) in STANDARDS {
            if r.chance(0.35) {
                standards.push(obj! {"StandardsId" => sid});
                let n = if prefix.starts_with("NIST") { 2 } else { 1 };
                for _ in 0..n {
                    reqs.push(Value::String(format!("{prefix}{}", r.pick(ids))));
                }
            }
        }
        let mut comp = Map::new();
        comp.insert("Status".into(), Value::String(status.into()));
        if !reqs.is_empty() {
            comp.insert("RelatedRequirements".into(), Value::Array(reqs));
        }
        comp.insert("SecurityControlId".into(), Value::String(c.id.into()));
        comp.insert("AssociatedStandards".into(), Value::Array(standards));
        if status == "WARNING" || status == "NOT_AVAILABLE" {
            let (code, text) = *r.pick(STATUS_REASONS);
            comp.insert("StatusReasons".into(), arr![obj! {"ReasonCode" => code, "Description" => text}]);
        }
        if c.id == "IAM.3" {
            comp.insert(
                "SecurityControlParameters".into(),
                arr![obj! {"Name" => "maxAccessKeyAge", "Value" => arr!["90"]}],
            );
        } else if c.id == "Lambda.2" {
            comp.insert(
                "SecurityControlParameters".into(),
                arr![obj! {"Name" => "runtime", "Value" => arr!["python3.12", "python3.11", "nodejs20.x", "java21"]}],
            );
        }
        d.extra.push((T_COMPLIANCE, Value::Object(comp)));
        d.workflow = if status == "PASSED" { "RESOLVED" } else { self.workflow() };
        let r = &mut self.rng;
        d.record_state =
            if (status == "NOT_AVAILABLE" && r.chance(0.7)) || r.chance(0.05) { "ARCHIVED" } else { "ACTIVE" };
        d
    }

    fn inspector(&mut self) -> Draft {
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
        let label = Label::from_normalized(score10);
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

        let mut d = Draft { normalized: score10, ..Self::draft(Product::Inspector, acct, d_region, label) };
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
        d.record_state =
            if (d.workflow == "RESOLVED" && r.chance(0.6)) || r.chance(0.04) { "ARCHIVED" } else { "ACTIVE" };
        if d.record_state == "ARCHIVED" {
            d.product_fields.insert("aws/inspector/FindingStatus".into(), Value::String("CLOSED".into()));
        }
        d
    }

    fn guardduty(&mut self) -> Draft {
        let acct = self.pick_account();
        let (gtype, template, target, base) = *self.rng.pick(GUARDDUTY);
        let main = match target {
            Target::Instance => self.resource(acct, Kind::Instance),
            _ => self.resource(acct, Kind::AccessKey),
        };
        let other = match target {
            Target::KeyTrail => Some(self.resource(acct, Kind::Trail)),
            Target::KeyBucket => Some(self.resource(acct, Kind::Bucket)),
            _ => None,
        };
        let region = match (&other, target) {
            (Some(o), _) => o.region,
            (None, Target::Instance) => main.region,
            _ => {
                let a = &self.accounts[acct];
                a.regions[self.rng.below(a.regions.len())]
            }
        };
        let r = &mut self.rng;
        let psev = if base >= 8.0 { base + *r.pick(&[0.0, 0.0, 0.5]) } else { base + *r.pick(&[0.0, 0.0, 0.5, 0.9]) };
        let normalized = (psev * 10.0).round() as u8;
        let label = Label::from_normalized(normalized);
        let a = &self.accounts[acct];
        let det = hash_hex(mix(self.seed ^ 0x6475_7479) ^ ((acct as u64) << 16) ^ region_code(region), 32);
        let short_id = r.hex(32);
        let fid = format!("arn:aws:guardduty:{region}:{}:detector/{det}/finding/{short_id}", a.id);
        let ip = r.public_ip();
        let other_short = other.as_ref().map(|o| o.short.as_str()).unwrap_or("");
        let title = template.replace("{ip}", &ip).replace("{res}", &main.short).replace("{other}", other_short);
        let count = r.int(1, 500);
        let (asn, org, cc, country, _city, lat, lon) = *r.pick(REMOTE_ORGS);
        let remote = obj! {
            "IpAddressV4" => &ip,
            "Organization" => obj! {"Asn" => asn, "AsnOrg" => org},
            "Country" => obj! {"CountryCode" => cc, "CountryName" => country},
            "GeoLocation" => obj! {"Lat" => lat, "Lon" => lon},
        };

        let mut d =
            Draft { normalized, product_severity: Some(psev), ..Self::draft(Product::GuardDuty, acct, region, label) };
        let r = &mut self.rng;
        d.generator_id = format!("arn:aws:guardduty:{region}:{}:detector/{det}", a.id);
        d.types = vec![gtype.to_string()];
        d.title = title.clone();
        d.description = format!("{title} Observed {count} time{}.", if count == 1 { "" } else { "s" });
        d.source_url = Some(format!(
            "https://{region}.console.aws.amazon.com/guardduty/home?region={region}#/findings?macros=current&fId={short_id}"
        ));
        d.confidence = Some(*r.pick(&[50_u8, 70, 80, 90]));
        let pf = &mut d.product_fields;
        pf.insert("aws/guardduty/service/archived".into(), Value::String("false".into()));
        pf.insert("aws/guardduty/service/count".into(), Value::String(count.to_string()));
        pf.insert("aws/guardduty/service/detectorId".into(), Value::String(det));
        pf.insert("aws/guardduty/service/serviceName".into(), Value::String("guardduty".into()));
        pf.insert(
            "aws/guardduty/service/resourceRole".into(),
            Value::String(
                if gtype.contains("Portscan") || gtype.contains("DenialOfService") { "ACTOR" } else { "TARGET" }.into(),
            ),
        );
        pf.insert(
            "aws/securityhub/FindingId".into(),
            Value::String(format!("arn:aws:securityhub:{region}::product/aws/guardduty/{fid}")),
        );
        pf.insert("aws/securityhub/ProductName".into(), Value::String("GuardDuty".into()));
        pf.insert("aws/securityhub/CompanyName".into(), Value::String("Amazon".into()));
        d.id = fid;
        d.resources.push(main.json.clone());
        if let Some(o) = other {
            d.resources.push(o.json.clone());
        }
        if target == Target::Instance {
            let outbound = gtype.contains("Portscan")
                || gtype.contains("BitcoinTool")
                || gtype.contains("Blackhole")
                || gtype.contains("DenialOfService")
                || gtype.contains("NetworkPortUnusual");
            let port: u16 = if gtype.contains("SSH") {
                22
            } else if gtype.contains("RDP") {
                3389
            } else {
                *r.pick(&[443_u16, 8333, 6667, 53, 1433, 5900])
            };
            let ephemeral = r.int(1024, 65535);
            let (src, sport, dst, dport, dir) = if outbound {
                (main.private_ip.clone(), ephemeral, ip.clone(), i64::from(port), "OUT")
            } else {
                (ip.clone(), ephemeral, main.private_ip.clone(), i64::from(port), "IN")
            };
            d.extra.push((
                T_NETWORK,
                obj! {
                    "Direction" => dir,
                    "Protocol" => "TCP",
                    "SourceIpV4" => src,
                    "SourcePort" => sport,
                    "DestinationIpV4" => dst,
                    "DestinationPort" => dport,
                },
            ));
            if r.chance(0.7) {
                d.extra.push((
                    T_ACTION,
                    obj! {
                        "ActionType" => "NETWORK_CONNECTION",
                        "NetworkConnectionAction" => obj! {
                            "ConnectionDirection" => if outbound { "OUTBOUND" } else { "INBOUND" },
                            "RemoteIpDetails" => remote,
                            "RemotePortDetails" => obj! {
                                "Port" => if outbound { dport } else { sport },
                                "PortName" => if outbound { port_name(port) } else { "Unknown" },
                            },
                            "LocalPortDetails" => obj! {
                                "Port" => if outbound { sport } else { dport },
                                "PortName" => if outbound { "Unknown" } else { port_name(port) },
                            },
                            "Protocol" => "TCP",
                            "Blocked" => false,
                        },
                    },
                ));
            }
        } else if r.chance(0.7) {
            let (api, service) = *r.pick(&[
                ("GetSecretValue", "secretsmanager.amazonaws.com"),
                ("ListBuckets", "s3.amazonaws.com"),
                ("GetObject", "s3.amazonaws.com"),
                ("StopLogging", "cloudtrail.amazonaws.com"),
                ("CreateAccessKey", "iam.amazonaws.com"),
                ("ConsoleLogin", "signin.amazonaws.com"),
                ("PutBucketPolicy", "s3.amazonaws.com"),
            ]);
            d.extra.push((
                T_ACTION,
                obj! {
                    "ActionType" => "AWS_API_CALL",
                    "AwsApiCallAction" => obj! {
                        "Api" => api,
                        "ServiceName" => service,
                        "CallerType" => "Remote IP",
                        "RemoteIpDetails" => remote,
                        "FirstSeen" => ts(self.anchor - r.int(1, 30) * DAY_MS),
                    },
                },
            ));
        }
        d.workflow = self.workflow();
        let r = &mut self.rng;
        d.record_state =
            if matches!(d.workflow, "RESOLVED" | "SUPPRESSED") && r.chance(0.7) { "ARCHIVED" } else { "ACTIVE" };
        d
    }

    fn macie(&mut self) -> Draft {
        let acct = self.pick_account();
        let (atype, mtype, title, label, object) = *self.rng.pick(MACIE);
        let bucket = self.resource(acct, Kind::Bucket);
        let region = bucket.region;
        // Objects encrypted with a customer managed key also name the key.
        let kms_key = if object && self.rng.chance(0.3) { Some(self.resource(acct, Kind::Key)) } else { None };
        let mut d = Self::draft(Product::Macie, acct, region, label);
        let r = &mut self.rng;
        let a = &self.accounts[acct];
        let fid = format!("arn:aws:macie2:{region}:{}:finding/{}", a.id, r.hex(32));
        d.generator_id = String::from("aws/macie");
        d.types = vec![atype.to_string()];
        d.original = Some(label.title_case().to_string());
        d.title = title.to_string();
        d.resources.push(bucket.json.clone());
        if object {
            let (key, content_type) = *r.pick(MACIE_OBJECTS);
            let occurrences = r.int(1, 5000);
            d.description = format!(
                "The object {key} in S3 bucket {} contains sensitive data ({} occurrences detected by managed data identifiers).",
                bucket.short, occurrences
            );
            d.resources.push(obj! {
                "Type" => "AwsS3Object",
                "Id" => format!("arn:aws:s3:::{}/{key}", bucket.short),
                "Partition" => "aws",
                "Region" => region,
                "Details" => obj! {
                    "AwsS3Object" => obj! {
                        "ContentType" => content_type,
                        "ETag" => r.hex(32),
                        "ServerSideEncryption" => if kms_key.is_some() { "aws:kms" } else { "AES256" },
                        "LastModified" => ts(self.anchor - r.int(1, 300) * DAY_MS),
                    },
                },
            });
            if let Some(k) = &kms_key {
                d.resources.push(k.json.clone());
            }
            d.product_fields
                .insert("aws/macie/sensitiveData/totalCount".into(), Value::String(occurrences.to_string()));
        } else {
            d.description =
                format!("{title} Bucket: {}. The change was made by an IAM user in account {}.", bucket.short, a.id);
        }
        let pf = &mut d.product_fields;
        pf.insert("aws/macie/findingType".into(), Value::String(mtype.into()));
        pf.insert("aws/macie/count".into(), Value::String(r.int(1, 30).to_string()));
        pf.insert(
            "aws/securityhub/FindingId".into(),
            Value::String(format!("arn:aws:securityhub:{region}::product/aws/macie/{fid}")),
        );
        pf.insert("aws/securityhub/ProductName".into(), Value::String("Macie".into()));
        pf.insert("aws/securityhub/CompanyName".into(), Value::String("Amazon".into()));
        d.id = fid;
        d.workflow = self.workflow();
        d.record_state = if self.rng.chance(0.08) { "ARCHIVED" } else { "ACTIVE" };
        d
    }

    fn access_analyzer(&mut self) -> Draft {
        let acct = self.pick_account();
        let (atype, verb, label, kind, external) = *self.rng.pick(ACCESS_ANALYZER);
        // One finding per (analyzer, resource, type): walk the pool in order, then past it.
        let slot = self.analyzer_next.entry((acct, kind)).or_insert(0);
        let idx = *slot;
        *slot += 1;
        let res = self.resource_at(acct, kind, idx);
        let region = res.region;
        let mut d = Self::draft(Product::AccessAnalyzer, acct, region, label);
        let r = &mut self.rng;
        let a = &self.accounts[acct];
        let (analyzer, suffix) = if external {
            ("external-access", String::new())
        } else {
            ("unused-access", format!("/{}", atype.rsplit('/').next().unwrap_or("").replace(' ', "")))
        };
        d.id = format!("arn:aws:access-analyzer:{region}:{}:analyzer/{analyzer}/{}{suffix}", a.id, res.arn);
        d.generator_id = String::from("aws/access-analyzer");
        d.types = vec![atype.to_string()];
        let typ = res.json.get("Type").and_then(Value::as_str).unwrap_or("Other").to_string();
        d.title = format!("{typ}/{}/ {verb}", res.arn);
        let mut pub_res = res.json.clone();
        if external {
            let principal = if verb.contains("public") { String::from("*") } else { r.digits(12) };
            d.description = format!("{}/{}/ {verb} from AWS {principal}", cfn_type(&typ), res.arn);
            let action = match kind {
                Kind::Bucket => "s3:GetObject,s3:ListBucket",
                Kind::Role => "sts:AssumeRole",
                Kind::Key => "kms:Decrypt,kms:GenerateDataKey",
                Kind::Queue => "sqs:SendMessage",
                Kind::Function => "lambda:InvokeFunction",
                _ => "secretsmanager:GetSecretValue",
            };
            if let Some(m) = pub_res.as_object_mut() {
                m.insert(
                    "Details".into(),
                    obj! {
                        "Other" => obj! {
                            "External Principal Type" => "AWS",
                            "Condition" => "none",
                            "Action Granted" => action,
                            "External Principal" => &principal,
                        },
                    },
                );
            }
        } else {
            let days = r.int(90, 400);
            d.description = format!("{}/{}/ {verb}; last used {days} days ago or never.", cfn_type(&typ), res.arn);
        }
        d.remediation = Some(obj! {
            "Recommendation" => obj! {
                "Text" => "If the access isn't intended, it indicates a potential security risk. Use the console for the resource to modify or remove the policy that grants the unintended access, then rescan to confirm the finding is resolved.",
            },
        });
        d.source_url = Some(format!(
            "https://console.aws.amazon.com/access-analyzer/home?region={region}#/findings/details/{}",
            r.uuid()
        ));
        d.product_fields.insert("aws/securityhub/ProductName".into(), Value::String("IAM Access Analyzer".into()));
        d.product_fields.insert("aws/securityhub/CompanyName".into(), Value::String("AWS".into()));
        d.resources.push(pub_res);
        d.workflow = self.workflow();
        d.record_state = if self.rng.chance(0.1) { "ARCHIVED" } else { "ACTIVE" };
        d
    }

    fn config(&mut self) -> Draft {
        let acct = self.pick_account();
        let ri = self.rng.below(CONFIG_RULES.len());
        let (rule, kind, fail_label) = CONFIG_RULES[ri];
        let res = self.resource(acct, kind);
        let region = res.region;
        let failed = self.rng.chance(0.7);
        let label = if failed { fail_label } else { INFO };
        let mut d = Self::draft(Product::Config, acct, region, label);
        let r = &mut self.rng;
        let a = &self.accounts[acct];
        let rule_id = format!("config-rule-{}", hash_hex(mix(self.seed) ^ ((acct as u64) << 20) ^ ri as u64, 6));
        let rule_arn = format!("arn:aws:config:{region}:{}:config-rule/{rule_id}", a.id);
        d.id = format!("{rule_arn}/finding/{}", r.hex(40));
        d.generator_id = rule_arn.clone();
        d.types = vec![String::from("Software and Configuration Checks/AWS Config Analysis")];
        d.title = rule.to_string();
        d.description = format!(
            "AWS Config rule {rule} evaluated {} as {}.",
            res.short,
            if failed { "NON_COMPLIANT" } else { "COMPLIANT" }
        );
        let pf = &mut d.product_fields;
        pf.insert("aws/config/ConfigRuleName".into(), Value::String(rule.into()));
        pf.insert("aws/config/ConfigRuleArn".into(), Value::String(rule_arn));
        pf.insert(
            "aws/config/ConfigComplianceType".into(),
            Value::String(if failed { "NON_COMPLIANT" } else { "COMPLIANT" }.into()),
        );
        pf.insert("aws/securityhub/ProductName".into(), Value::String("Config".into()));
        pf.insert("aws/securityhub/CompanyName".into(), Value::String("AWS".into()));
        d.resources.push(res.json.clone());
        d.extra.push((T_COMPLIANCE, obj! {"Status" => if failed { "FAILED" } else { "PASSED" }}));
        d.workflow = if failed { self.workflow() } else { "RESOLVED" };
        d
    }

    fn prowler(&mut self) -> Draft {
        let acct = self.pick_account();
        let (check, title, sev, kind, service, url) = *self.rng.pick(PROWLER);
        let (resource, region, rid) = match kind {
            Some(k) => {
                let res = self.resource(acct, k);
                (res.json.clone(), res.region, res.arn.clone())
            }
            None => {
                let a = &self.accounts[acct];
                let region = a.regions[self.rng.below(a.regions.len())];
                let rid = format!("arn:aws:iam::{}:root", a.id);
                (obj! {"Type" => "AwsAccount", "Id" => &rid, "Partition" => "aws", "Region" => region}, region, rid)
            }
        };
        let failed = self.rng.chance(0.5);
        let mut d = Self::draft(Product::Prowler, acct, region, sev);
        let r = &mut self.rng;
        let a = &self.accounts[acct];
        d.id = format!("prowler-{check}-{}-{region}-{}", a.id, r.hex(10));
        d.generator_id = format!("prowler-{check}");
        d.types = vec![String::from(if service == "iam" {
            "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"
        } else {
            "Software and Configuration Checks/AWS Security Best Practices"
        })];
        d.title = title.to_string();
        d.description = if failed {
            format!("{rid} does not pass the check {check}: {title}")
        } else {
            format!("{rid} passes the check {check}.")
        };
        d.remediation = Some(obj! {
            "Recommendation" => obj! {
                "Text" => format!("Review the {service} configuration of the resource and apply the setting this check requires."),
                "Url" => url,
            },
        });
        let pf = &mut d.product_fields;
        pf.insert("ProviderName".into(), Value::String("Prowler".into()));
        pf.insert("ProviderVersion".into(), Value::String(r.pick(&["3.16.4", "4.3.5", "5.1.0"]).to_string()));
        pf.insert("ProwlerResourceName".into(), Value::String(rid));
        d.resources.push(resource);
        d.extra.push((
            T_COMPLIANCE,
            obj! {
                "Status" => if failed { "FAILED" } else { "PASSED" },
                "RelatedRequirements" => arr![
                    format!("CIS-2.0 {}.{}", r.int(1, 5), r.int(1, 20)),
                    format!("AWS-Foundational-Security-Best-Practices {service}"),
                ],
                "AssociatedStandards" => arr![
                    obj! {"StandardsId" => "CIS-2.0"},
                    obj! {"StandardsId" => "AWS-Foundational-Security-Best-Practices"},
                ],
            },
        ));
        d.workflow = if failed { self.workflow() } else { "RESOLVED" };
        let r = &mut self.rng;
        d.record_state = if !failed && r.chance(0.5) { "ARCHIVED" } else { "ACTIVE" };
        d
    }

    fn health(&mut self, t: &Times) -> Draft {
        let acct = self.pick_account();
        let (code, service, category, label, kind) = *self.rng.pick(HEALTH);
        let res = self.resource(acct, kind);
        let region = res.region;
        let mut d = Self::draft(Product::Health, acct, region, label);
        let r = &mut self.rng;
        let a = &self.accounts[acct];
        d.id = format!("arn:aws:health:{region}:{}:event/{service}/{code}/{code}_{}", a.id, r.uuid());
        d.generator_id = code.to_string();
        d.types = vec![format!("Software and Configuration Checks/AWS Health/{category}")];
        d.title = format!("AWS Health - {code}");
        let start = t.created + r.int(1, 30) * DAY_MS;
        d.description = format!(
            "AWS Health event {code} ({category}) affects {} in {region}. {}",
            res.short,
            match category {
                "scheduledChange" => format!("The change is scheduled to start at {}. Plan maintenance before then.", ts(start)),
                "issue" => String::from("AWS is investigating an issue that affects this resource; check the Personal Health Dashboard for updates."),
                _ => String::from("Review the notification and take action before the stated deadline."),
            }
        );
        let pf = &mut d.product_fields;
        pf.insert("aws/health/service".into(), Value::String(service.into()));
        pf.insert("aws/health/eventTypeCategory".into(), Value::String(category.into()));
        pf.insert("aws/health/eventTypeCode".into(), Value::String(code.into()));
        pf.insert("aws/health/statusCode".into(), Value::String(r.pick(&["open", "upcoming", "closed"]).to_string()));
        pf.insert("aws/securityhub/ProductName".into(), Value::String("Health".into()));
        pf.insert("aws/securityhub/CompanyName".into(), Value::String("AWS".into()));
        d.resources.push(res.json.clone());
        d.workflow = self.workflow();
        d
    }

    fn patch_manager(&mut self, t: &Times) -> Draft {
        let acct = self.pick_account();
        let res = self.resource(acct, Kind::Instance);
        let region = res.region;
        let missing = if self.rng.chance(0.85) { self.rng.int(1, 45) } else { 0 };
        let label = if missing == 0 {
            INFO
        } else if missing > 25 {
            HIGH
        } else {
            MED
        };
        let mut d = Self::draft(Product::PatchManager, acct, region, label);
        let r = &mut self.rng;
        let a = &self.accounts[acct];
        let baseline = *r.pick(&[
            "AWS-AmazonLinux2DefaultPatchBaseline",
            "AWS-AmazonLinux2023DefaultPatchBaseline",
            "AWS-UbuntuDefaultPatchBaseline",
            "AWS-WindowsPredefinedPatchBaseline-OS",
        ]);
        d.id = format!("arn:aws:ssm:{region}:{}:patchcompliance/{}/{}", a.id, res.short, r.hex(24));
        d.generator_id = baseline.to_string();
        d.types = vec![String::from("Software and Configuration Checks/Patch Management/Compliance")];
        d.title = if missing == 0 {
            format!("EC2 instance {} is compliant with its patch baseline", res.short)
        } else {
            format!("EC2 instance {} is missing {missing} patches", res.short)
        };
        d.description = format!(
            "Patch Manager scanned instance {} against baseline {baseline}: {missing} missing, {} failed.",
            res.short,
            if missing == 0 { 0 } else { r.int(0, 3) }
        );
        let end = t.updated;
        let start = end - r.int(60_000, HOUR_MS);
        d.product_fields
            .insert("aws/securityhub/ProductName".into(), Value::String("Systems Manager Patch Manager".into()));
        d.product_fields.insert("aws/securityhub/CompanyName".into(), Value::String("AWS".into()));
        d.resources.push(res.json.clone());
        d.extra.push((T_COMPLIANCE, obj! {"Status" => if missing == 0 { "PASSED" } else { "FAILED" }}));
        d.extra.push((
            T_PATCH_SUMMARY,
            obj! {
                "Id" => format!("pb-{}", r.hex(17)),
                "InstalledCount" => r.int(150, 1200),
                "MissingCount" => missing,
                "FailedCount" => if missing == 0 { 0 } else { r.int(0, 3) },
                "InstalledOtherCount" => r.int(0, 40),
                "InstalledRejectedCount" => 0,
                "InstalledPendingReboot" => r.int(0, 4),
                "OperationStartTime" => ts(start),
                "OperationEndTime" => ts(end),
                "RebootOption" => "RebootIfNeeded",
                "Operation" => "Scan",
            },
        ));
        d.workflow = if missing == 0 { "RESOLVED" } else { self.workflow() };
        d
    }

    // -- assembly ------------------------------------------------------------------------------------

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
        slots[T_WORKFLOW_STATE] = s("NEW");
        slots[T_WORKFLOW] = Some(obj! {"Status" => d.workflow});
        slots[T_RECORD_STATE] = s(d.record_state);
        if d.workflow != "NEW" && r.chance(0.5) {
            let v = if d.workflow == "NOTIFIED" {
                "TRUE_POSITIVE"
            } else {
                *r.pick(&["TRUE_POSITIVE", "FALSE_POSITIVE", "BENIGN_POSITIVE", "UNKNOWN"])
            };
            slots[T_VERIFICATION] = s(v);
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
        if r.chance(0.04) || (matches!(d.workflow, "NOTIFIED" | "SUPPRESSED") && r.chance(0.3)) {
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

// ---------------------------------------------------------------------------------------------------
// Small text helpers
// ---------------------------------------------------------------------------------------------------

fn truncate(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

/// A config-rule-like slug from a control title: lower-case words joined with '-', at most six.
fn slug(title: &str) -> String {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| {
            !w.is_empty() && !matches!(*w, "should" | "be" | "the" | "a" | "an" | "to" | "for" | "with" | "all")
        })
        .take(6)
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("-")
}

fn kind_noun(kind: Option<Kind>) -> &'static str {
    match kind {
        None => "the AWS account",
        Some(Kind::Bucket) => "an S3 general purpose bucket",
        Some(Kind::Instance) => "an Amazon EC2 instance",
        Some(Kind::SecGroup) => "a VPC security group",
        Some(Kind::Vpc) => "an Amazon VPC",
        Some(Kind::Volume) => "an Amazon EBS volume",
        Some(Kind::Role) => "an IAM role",
        Some(Kind::User) => "an IAM user",
        Some(Kind::Policy) => "a customer managed IAM policy",
        Some(Kind::AccessKey) => "an IAM access key",
        Some(Kind::Function) => "a Lambda function",
        Some(Kind::Database) => "an RDS DB instance",
        Some(Kind::Image) => "an ECR container image",
        Some(Kind::Repository) => "an ECR private repository",
        Some(Kind::Key) => "an AWS KMS key",
        Some(Kind::Trail) => "a CloudTrail trail",
        Some(Kind::Queue) => "an Amazon SQS queue",
        Some(Kind::Topic) => "an Amazon SNS topic",
        Some(Kind::Cluster) => "an Amazon EKS cluster",
        Some(Kind::Table) => "a DynamoDB table",
        Some(Kind::LoadBalancer) => "an Application Load Balancer",
        Some(Kind::Secret) => "a Secrets Manager secret",
    }
}

/// CloudFormation-style type name Access Analyzer uses in descriptions.
fn cfn_type(asff_type: &str) -> &'static str {
    match asff_type {
        "AwsS3Bucket" => "AWS::S3::Bucket",
        "AwsIamRole" => "AWS::IAM::Role",
        "AwsIamUser" => "AWS::IAM::User",
        "AwsKmsKey" => "AWS::KMS::Key",
        "AwsSqsQueue" => "AWS::SQS::Queue",
        "AwsLambdaFunction" => "AWS::Lambda::Function",
        "AwsSecretsManagerSecret" => "AWS::SecretsManager::Secret",
        _ => "AWS::::Resource",
    }
}

fn port_name(port: u16) -> &'static str {
    match port {
        22 => "SSH",
        53 => "DNS",
        80 => "HTTP",
        443 => "HTTPS",
        1433 => "MSSQL",
        3389 => "RDP",
        5900 => "VNC",
        6667 => "IRC",
        _ => "Unknown",
    }
}

fn region_code(region: &str) -> u64 {
    region.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// A plausible fixed version: the last run of digits in `v` is increased by `step`.
fn bump_version(v: &str, step: i64) -> String {
    let bytes = v.as_bytes();
    let mut end = bytes.len();
    while end > 0 && !bytes[end - 1].is_ascii_digit() {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && bytes[start - 1].is_ascii_digit() {
        start -= 1;
    }
    match v[start..end].parse::<i64>() {
        Ok(n) if start < end => format!("{}{}{}", &v[..start], n + step, &v[end..]),
        _ => format!("{v}.1"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::collections::HashSet;

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
        assert_eq!(d[0], generate(&opts(1, DEMO_SEED)).next().unwrap());
    }

    #[test]
    fn helpers() {
        assert_eq!(bump_version("1.1.1k-9", 2), "1.1.1k-11");
        assert_eq!(bump_version("v0.17.0", 1), "v0.17.1");
        assert_eq!(truncate("héllo".to_string(), 2), "h");
        let s: HashSet<String> = (0..5000).map(|i| unique_suffix(i, 77)).collect();
        assert_eq!(s.len(), 5000);
        assert_eq!(
            slug("S3 general purpose buckets should block public access"),
            "s3-general-purpose-buckets-block-public"
        );
    }
}
