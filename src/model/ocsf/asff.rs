//! An OCSF finding read through the ASFF's member names, so that the one filter engine (the query
//! language's `sev>=high status:new account: region: product: title: resource: control:
//! compliance:` and free words) decides both formats alike: the store evaluates a query on this
//! projection of each OCSF row, as it evaluates it on each ASFF document.
//!
//! The labels are the summary's (`enums`: severity 6 Fatal reads CRITICAL, status 2 In Progress
//! NOTIFIED, 5 Archived RESOLVED with RecordState ARCHIVED), so a query means the same whether the
//! workbench answers it from its rows or the store answers it from the documents.

use serde_json::{json, Map, Value};

use super::Ocsf;
use crate::model::finding::Member;
use crate::model::summary::FindingSummary;

/// ASFF resource types and the CloudFormation-style types OCSF findings carry for them (AWS
/// Security Finding Format (ASFF) reference, Resources; the OCSF findings Security Hub writes).
const RESOURCE_TYPES: &[(&str, &str)] = &[
    ("AwsAccount", "AWS::::Account"),
    ("AwsCloudTrailTrail", "AWS::CloudTrail::Trail"),
    ("AwsDynamoDbTable", "AWS::DynamoDB::Table"),
    ("AwsEc2Instance", "AWS::EC2::Instance"),
    ("AwsEc2SecurityGroup", "AWS::EC2::SecurityGroup"),
    ("AwsEc2Volume", "AWS::EC2::Volume"),
    ("AwsEc2Vpc", "AWS::EC2::VPC"),
    ("AwsEcrContainerImage", "AWS::ECR::ContainerImage"),
    ("AwsEcrRepository", "AWS::ECR::Repository"),
    ("AwsEksCluster", "AWS::EKS::Cluster"),
    ("AwsElbv2LoadBalancer", "AWS::ElasticLoadBalancingV2::LoadBalancer"),
    ("AwsIamAccessKey", "AWS::IAM::AccessKey"),
    ("AwsIamPolicy", "AWS::IAM::Policy"),
    ("AwsIamRole", "AWS::IAM::Role"),
    ("AwsIamUser", "AWS::IAM::User"),
    ("AwsKmsKey", "AWS::KMS::Key"),
    ("AwsLambdaFunction", "AWS::Lambda::Function"),
    ("AwsRdsDbInstance", "AWS::RDS::DBInstance"),
    ("AwsS3Bucket", "AWS::S3::Bucket"),
    ("AwsSecretsManagerSecret", "AWS::SecretsManager::Secret"),
    ("AwsSnsTopic", "AWS::SNS::Topic"),
    ("AwsSqsQueue", "AWS::SQS::Queue"),
];

/// The OCSF resource type of an ASFF one (itself when not known).
pub fn ocsf_resource_type(asff: &str) -> &str {
    RESOURCE_TYPES.iter().find(|(a, _)| *a == asff).map_or(asff, |(_, o)| o)
}

/// The ASFF resource type of an OCSF one (itself when not known), so `resource:AwsS3Bucket`
/// finds an OCSF finding's `AWS::S3::Bucket`.
pub fn asff_resource_type(ocsf: &str) -> &str {
    RESOURCE_TYPES.iter().find(|(_, o)| *o == ocsf).map_or(ocsf, |(a, _)| a)
}

/// The ASFF-shaped document of an OCSF finding: identity, account, region, product, title,
/// description, types, labels, compliance (control, standards, status), every resource, the
/// comment as the note, the times and the confidence. Members OCSF does not have are absent.
pub fn asff_view(doc: &Value) -> Value {
    let f = Ocsf(doc);
    let s = FindingSummary::from_ocsf(doc);
    let mut out = Map::new();
    let mut put = |k: &str, v: Value| {
        out.insert(k.to_string(), v);
    };
    put("Id", json!(f.metadata_uid()));
    put("ProductArn", json!(f.product_uid()));
    put("ProductName", json!(f.product_name()));
    put("AwsAccountId", json!(f.account()));
    if !f.account_name().is_empty() {
        put("AwsAccountName", json!(f.account_name()));
    }
    put("Region", json!(f.region()));
    put("Title", json!(f.title()));
    put("Description", json!(f.desc()));
    put("Types", json!(f.types()));
    // The analytic (the rule or detector) is OCSF's generator: its uid, else its name.
    let analytic = doc.member("finding_info").and_then(|i| i.member("analytic"));
    if let Some(g) = analytic.and_then(|a| a.member("uid").or_else(|| a.member("name"))) {
        put("GeneratorId", g.clone());
    }
    if let Some(l) = s.severity {
        put("Severity", json!({"Label": l.as_str()}));
    }
    if let Some(w) = s.workflow {
        put("Workflow", json!({"Status": w.as_str()}));
    }
    if let Some(r) = s.record_state {
        put("RecordState", json!(r.as_str()));
    }
    let mut compliance = Map::new();
    if let Some(c) = f.compliance() {
        if !c.control.is_empty() {
            compliance.insert("SecurityControlId".into(), json!(c.control));
        }
        if !c.standards.is_empty() {
            let standards: Vec<Value> = c.standards.iter().map(|s| json!({"StandardsId": s})).collect();
            compliance.insert("AssociatedStandards".into(), Value::Array(standards));
        }
    }
    if let Some(c) = s.compliance {
        compliance.insert("Status".into(), json!(c.as_str()));
    }
    if !compliance.is_empty() {
        put("Compliance", Value::Object(compliance));
    }
    let resources: Vec<Value> = f
        .resources()
        .into_iter()
        .map(|r| {
            let id = if r.uid.is_empty() { r.uid_alt } else { r.uid };
            json!({"Type": asff_resource_type(&r.r#type), "Id": id, "Region": r.region})
        })
        .collect();
    put("Resources", Value::Array(resources));
    if !f.comment().is_empty() {
        put("Note", json!({"Text": f.comment()}));
    }
    let time = |t: Option<time::OffsetDateTime>| t.map(crate::model::timestamp::format);
    if let Some(t) = time(f.created_time()) {
        put("CreatedAt", json!(t));
    }
    if !s.updated_at().is_empty() {
        put("UpdatedAt", json!(s.updated_at()));
    }
    if let Some(c) = s.confidence {
        put("Confidence", json!(c));
    }
    Value::Object(out)
}
