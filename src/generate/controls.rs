//! The Security Hub controls findings are drawn from: a data table shared by the compliance catalogue
//! (which draws findings from it) and the generator (which names its resources after the controls).

use super::resources::Kind;
// Short severity names keep each catalogue row on one line.
use crate::model::enums::SeverityLabel;
use crate::model::enums::SeverityLabel::{Critical as CRIT, High as HIGH, Low as LOW, Medium as MED};

/// A Security Hub control: id, title, severity when failed, resource it evaluates (None = the account).
pub(super) struct Control {
    pub(super) id: &'static str,
    pub(super) title: &'static str,
    pub(super) severity: SeverityLabel,
    pub(super) kind: Option<Kind>,
}

const fn ctl(id: &'static str, title: &'static str, severity: SeverityLabel, kind: Option<Kind>) -> Control {
    Control { id, title, severity, kind }
}

/// The controls findings are drawn from, as the AWS Security Hub controls reference names them.
pub(super) const CONTROLS: &[Control] = &[
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
