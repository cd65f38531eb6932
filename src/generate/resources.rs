//! The resource catalogue: the kinds of AWS resources findings point at ([`Kind`]) and how one
//! synthetic resource of each kind is built, with the `Details` member Security Hub reports for it.

use serde_json::{Map, Value};

use super::random::{mix, ts, unique_suffix, DAY_MS, R};
use super::texts::{SERVICES, TEAMS};

/// Kinds of pooled resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Kind {
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
    pub(super) fn pool(self) -> u32 {
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

/// A synthetic AWS account: its id, alias, environment and the Regions it uses (home Region first).
pub(super) struct Account {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) env: &'static str,
    pub(super) regions: Vec<&'static str>,
}

/// A pooled resource: its `Resources[]` member and the parts findings quote in titles and ids.
#[derive(Clone)]
pub(super) struct Res {
    pub(super) json: Value,
    /// The short name used in titles (instance id, bucket name, user name, ...).
    pub(super) short: String,
    pub(super) region: &'static str,
    pub(super) arn: String,
    pub(super) private_ip: String,
}

/// The Resources[] member for the account itself.
pub(super) fn account_resource(acct: &Account, region: &str) -> Value {
    obj! {
        "Type" => "AwsAccount",
        "Id" => format!("AWS::::Account:{}", acct.id),
        "Partition" => "aws",
        "Region" => region,
    }
}

/// The resource `idx` of `kind` in an account. Drawn from its own sub-seed, so the same resource is
/// identical whichever finding asks for it first.
pub(super) fn make_resource(seed: u64, acct_idx: usize, acct: &Account, kind: Kind, idx: u32, anchor: i64) -> Res {
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

/// How a control description names the resource it evaluated.
pub(super) fn kind_noun(kind: Option<Kind>) -> &'static str {
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
