//! Data exposure findings: Amazon Macie (sensitive data in S3 objects, bucket policy changes) and
//! IAM Access Analyzer (external and unused access, at most one finding per resource and type).

use serde_json::Value;

use super::generator::{Draft, Generator};
use super::products::Product;
use super::random::{ts, DAY_MS};
use super::resources::Kind;
use super::texts::{cfn_type, title_case};
// Short severity names keep each catalogue row on one line.
use crate::model::enums::SeverityLabel::{Critical as CRIT, High as HIGH, Low as LOW, Medium as MED};
use crate::model::enums::{RecordState, SeverityLabel};

/// Macie finding types: (ASFF type, Macie type, title, severity, whether it names an object).
const MACIE: &[(&str, &str, &str, SeverityLabel, bool)] = &[
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
const ACCESS_ANALYZER: &[(&str, &str, SeverityLabel, Kind, bool)] = &[
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

impl Generator {
    pub(super) fn macie(&mut self) -> Draft {
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
        d.original = Some(title_case(label).to_string());
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
        d.record_state = if self.rng.chance(0.08) { RecordState::Archived } else { RecordState::Active };
        d
    }

    pub(super) fn access_analyzer(&mut self) -> Draft {
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
        d.record_state = if self.rng.chance(0.1) { RecordState::Archived } else { RecordState::Active };
        d
    }
}
