//! Amazon GuardDuty threat findings: brute force, reconnaissance, crypto-mining and credential misuse
//! against EC2 instances and IAM credentials, with the remote address, its network and the connection
//! or API call in `Network` and `Action`.

use serde_json::Value;

use super::generator::{Draft, Generator, T_ACTION, T_NETWORK};
use super::products::Product;
use super::random::{hash_hex, mix, region_code, ts, DAY_MS};
use super::resources::Kind;
use super::texts::port_name;
use crate::model::enums::{RecordState, SeverityLabel, WorkflowStatus};

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

impl Generator {
    pub(super) fn guardduty(&mut self) -> Draft {
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
        let normalized = (psev * 10.0).round() as i64;
        let label = SeverityLabel::from_normalized(normalized);
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
        d.record_state = if matches!(d.workflow, WorkflowStatus::Resolved | WorkflowStatus::Suppressed) && r.chance(0.7)
        {
            RecordState::Archived
        } else {
            RecordState::Active
        };
        d
    }
}
