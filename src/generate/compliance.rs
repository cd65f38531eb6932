//! Compliance checks: Security Hub's own control findings (with the standards each control belongs
//! to), AWS Config rules outside the standards, and Prowler checks. Each evaluates one resource or the
//! account and reports PASSED or FAILED in `Compliance`.

use serde_json::{Map, Value};

use super::controls::CONTROLS;
use super::generator::{Draft, Generator, T_COMPLIANCE};
use super::products::Product;
use super::random::{hash_hex, mix};
use super::resources::{account_resource, kind_noun, Kind};
// Short severity names keep each catalogue row on one line.
use crate::model::enums::SeverityLabel::{
    Critical as CRIT, High as HIGH, Informational as INFO, Low as LOW, Medium as MED,
};
use crate::model::enums::{ComplianceStatus, RecordState, SeverityLabel, WorkflowStatus};

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
/// AWS Foundational Security Best Practices, the standard every control finding is associated with.
const FSBP: &str = "standards/aws-foundational-security-best-practices/v/1.0.0";

/// `Compliance.StatusReasons` for WARNING and NOT_AVAILABLE results: (ReasonCode, Description).
const STATUS_REASONS: &[(&str, &str)] = &[
    ("CONFIG_EVALUATIONS_EMPTY", "AWS Config has not produced an evaluation for this rule. The resources in scope may have been deleted or are not yet recorded."),
    ("CONFIG_RETURNS_NOT_APPLICABLE", "AWS Config reported the rule as not applicable to the resource, so Security Hub cannot determine a compliance status."),
    ("CONFIG_ACCESS_DENIED", "Security Hub could not read the AWS Config evaluation: recording is off or the service-linked role lacks permissions."),
    ("LAMBDA_CUSTOM_RUNTIME_DETAILS_NOT_AVAILABLE", "The function uses a custom runtime, so its runtime support status could not be evaluated."),
];

/// Config rules outside the Security Hub standards: (rule name, resource kind, severity when failed).
const CONFIG_RULES: &[(&str, Kind, SeverityLabel)] = &[
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
type ProwlerCheck = (&'static str, &'static str, SeverityLabel, Option<Kind>, &'static str, &'static str);
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

/// `Compliance.Status` of a check that either passed or failed.
pub(super) fn passed_or_failed(passed: bool) -> &'static str {
    if passed { ComplianceStatus::Passed } else { ComplianceStatus::Failed }.as_str()
}

impl Generator {
    pub(super) fn security_hub(&mut self) -> Draft {
        let acct = self.pick_account();
        let ci = self.rng.below(CONTROLS.len());
        let c = &CONTROLS[ci];
        let x = self.rng.unit();
        let status = if x < 0.50 {
            ComplianceStatus::Failed
        } else if x < 0.92 {
            ComplianceStatus::Passed
        } else if x < 0.96 {
            ComplianceStatus::Warning
        } else {
            ComplianceStatus::NotAvailable
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
        let label = if status == ComplianceStatus::Passed { INFO } else { c.severity };
        let mut d = Self::draft(Product::SecurityHub, acct, region, label);
        let a = &self.accounts[acct];
        let r = &mut self.rng;
        let fid = format!("arn:aws:securityhub:{region}:{}:security-control/{}/finding/{}", a.id, c.id, r.uuid());
        d.generator_id = format!("security-control/{}", c.id);
        d.types = vec![String::from("Software and Configuration Checks/Industry and Regulatory Standards")];
        d.title = c.title.to_string();
        let outcome = match status {
            ComplianceStatus::Passed => "The resource meets the requirement.",
            ComplianceStatus::Failed => "The resource does not meet the requirement and should be remediated.",
            ComplianceStatus::Warning => {
                "Security Hub could not fully evaluate the resource; review the status reasons."
            }
            ComplianceStatus::NotAvailable => "The evaluation result is not available for this resource.",
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
        comp.insert("Status".into(), Value::String(status.as_str().into()));
        if !reqs.is_empty() {
            comp.insert("RelatedRequirements".into(), Value::Array(reqs));
        }
        comp.insert("SecurityControlId".into(), Value::String(c.id.into()));
        comp.insert("AssociatedStandards".into(), Value::Array(standards));
        if matches!(status, ComplianceStatus::Warning | ComplianceStatus::NotAvailable) {
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
        d.workflow = if status == ComplianceStatus::Passed { WorkflowStatus::Resolved } else { self.workflow() };
        let r = &mut self.rng;
        d.record_state = if (status == ComplianceStatus::NotAvailable && r.chance(0.7)) || r.chance(0.05) {
            RecordState::Archived
        } else {
            RecordState::Active
        };
        d
    }

    pub(super) fn config(&mut self) -> Draft {
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
        d.extra.push((T_COMPLIANCE, obj! {"Status" => passed_or_failed(!failed)}));
        d.workflow = if failed { self.workflow() } else { WorkflowStatus::Resolved };
        d
    }

    pub(super) fn prowler(&mut self) -> Draft {
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
                "Status" => passed_or_failed(!failed),
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
        d.workflow = if failed { self.workflow() } else { WorkflowStatus::Resolved };
        let r = &mut self.rng;
        d.record_state = if !failed && r.chance(0.5) { RecordState::Archived } else { RecordState::Active };
        d
    }
}
