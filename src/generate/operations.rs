//! Operational findings: AWS Health events (scheduled changes, issues, notifications) and Systems
//! Manager Patch Manager compliance scans of EC2 instances, with `PatchSummary`.

use serde_json::Value;

use super::compliance::passed_or_failed;
use super::generator::{Draft, Generator, Times, T_COMPLIANCE, T_PATCH_SUMMARY};
use super::products::Product;
use super::random::{ts, DAY_MS, HOUR_MS};
use super::resources::Kind;
// Short severity names keep each catalogue row on one line.
use crate::model::enums::SeverityLabel::{
    Critical as CRIT, High as HIGH, Informational as INFO, Low as LOW, Medium as MED,
};
use crate::model::enums::{SeverityLabel, WorkflowStatus};

/// AWS Health events: (event type code, service, category, severity, resource kind).
const HEALTH: &[(&str, &str, &str, SeverityLabel, Kind)] = &[
    ("AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED", "EC2", "scheduledChange", MED, Kind::Instance),
    ("AWS_EC2_OPERATIONAL_ISSUE", "EC2", "issue", INFO, Kind::Instance),
    ("AWS_EBS_VOLUME_LOST", "EBS", "issue", HIGH, Kind::Volume),
    ("AWS_RDS_MAINTENANCE_SCHEDULED", "RDS", "scheduledChange", LOW, Kind::Database),
    ("AWS_LAMBDA_PLANNED_LIFECYCLE_EVENT", "LAMBDA", "accountNotification", LOW, Kind::Function),
    ("AWS_EKS_PLANNED_LIFECYCLE_EVENT", "EKS", "accountNotification", MED, Kind::Cluster),
    ("AWS_RISK_CREDENTIALS_EXPOSED", "RISK", "issue", CRIT, Kind::AccessKey),
];

impl Generator {
    pub(super) fn health(&mut self, t: &Times) -> Draft {
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

    pub(super) fn patch_manager(&mut self, t: &Times) -> Draft {
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
        d.extra.push((T_COMPLIANCE, obj! {"Status" => passed_or_failed(missing == 0)}));
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
        d.workflow = if missing == 0 { WorkflowStatus::Resolved } else { self.workflow() };
        d
    }
}
