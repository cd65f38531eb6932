use serde_json::json;

use super::*;

#[test]
fn the_view_holds_sanitised_text_in_the_panes_order() {
    let doc = json!({
        "Id": "f-1\u{1b}[31m", "Title": "Open \u{1b}]52;c;x\u{7}port", "Description": "line one\nline two",
        "Severity": {"Label": "HIGH", "Normalized": 70},
        "Resources": [{"Type": "AwsEc2Instance", "Id": "i-1", "Tags": {"env": "prod"}}],
        "Note": {"Text": "seen", "UpdatedBy": "alice", "UpdatedAt": "2026-11-01T00:00:00Z"},
    });
    let v = DetailView::of_asff(&doc);
    assert!(!v.title.contains('\u{1b}') && v.title.starts_with("Open"), "{}", v.title);
    assert_eq!(v.severity, Some(SeverityLabel::High));
    assert_eq!(v.description, vec!["line one", "line two"]);
    assert_eq!(v.fields[0], ("Severity", "HIGH  normalized 70  original -".to_string()));
    let id = v.fields.iter().find(|f| f.0 == "Id").unwrap();
    assert!(!id.1.contains('\u{1b}'), "{}", id.1);
    let headings: Vec<_> = v.sections.iter().map(|s| s.heading).collect();
    assert_eq!(headings, vec!["Resources", "Note"]);
    assert_eq!(v.sections[0].lines[2], DetailLine::dim("    tags env=prod"));
    assert_eq!(v.sections[1].lines.last().unwrap().tone, Tone::Dim);
}

#[test]
fn an_empty_document_shows_placeholders() {
    let v = DetailView::of_asff(&json!({}));
    assert_eq!(v.fields.len(), 16);
    assert_eq!(v.fields.iter().find(|f| f.0 == "Region").unwrap().1, "-");
    assert_eq!(v.sections[1].lines, vec![DetailLine::dim("  (none)")]);
}

/// Generated findings (the project's own generator), the first `n` of a product (any, if empty).
fn generated(product: &str, n: usize, pick: impl Fn(&Value) -> bool) -> Vec<Value> {
    let opts = crate::generate::GenOptions { count: 3000, seed: 11, ..Default::default() };
    crate::generate::generate(&opts)
        .filter(|d| (product.is_empty() || d["ProductName"] == product) && pick(d))
        .take(n)
        .collect()
}

fn section<'a>(v: &'a DetailView, heading: &str) -> &'a DetailSection {
    v.sections.iter().find(|s| s.heading == heading).unwrap_or_else(|| panic!("no {heading} in {v:#?}"))
}

fn texts(s: &DetailSection) -> Vec<&str> {
    s.lines.iter().map(|l| l.text.as_str()).collect()
}

/// Each line of `want` is a line of the section (its text trimmed).
fn has(s: &DetailSection, want: &str) -> bool {
    s.lines.iter().any(|l| l.text.trim() == want)
}

fn field<'a>(v: &'a DetailView, label: &str) -> Option<&'a str> {
    v.fields.iter().find(|f| f.0 == label).map(|f| f.1.as_str())
}

#[test]
fn a_vulnerability_shows_its_packages_scores_exploit_fix_and_references() {
    let docs = generated("Inspector", 40, |_| true);
    assert_eq!(docs.len(), 40);
    let mut exploits = 0;
    for doc in &docs {
        let v = DetailView::of_asff(doc);
        let s = section(&v, "Vulnerabilities");
        let vuln = &doc["Vulnerabilities"][0];
        assert_eq!(s.lines[0].text, format!("  {}", vuln["Id"].as_str().unwrap()));
        let cvss = &vuln["Cvss"][0];
        let score = format!(
            "CVSS         {}  v{}  {}  {}",
            cvss["BaseScore"],
            cvss["Version"].as_str().unwrap(),
            cvss["Source"].as_str().unwrap(),
            cvss["BaseVector"].as_str().unwrap()
        );
        assert!(has(s, &score), "{score} in {:#?}", texts(s));
        assert!(has(s, &format!("EPSS         {}", vuln["EpssScore"])), "{:#?}", texts(s));
        assert!(has(s, &format!("fix          {}", vuln["FixAvailable"].as_str().unwrap())), "{:#?}", texts(s));
        let exploit = s.lines.iter().find(|l| l.text.trim_start().starts_with("exploit ")).unwrap();
        if vuln["ExploitAvailable"] == "YES" {
            exploits += 1;
            assert_eq!(exploit.tone, Tone::Alert);
            assert!(exploit.text.contains("last known 20"), "{}", exploit.text);
        } else {
            assert_eq!(exploit.tone, Tone::Plain);
        }
        for p in vuln["VulnerablePackages"].as_array().unwrap() {
            let fixed = match p["FixedInVersion"].as_str().unwrap() {
                "NotAvailable" => "none available",
                f => f,
            };
            let want = format!(
                "package      {}  installed {}  fixed {fixed}  {}",
                p["Name"].as_str().unwrap(),
                p["Version"].as_str().unwrap(),
                p["PackageManager"].as_str().unwrap()
            );
            assert!(has(s, &want), "{want} in {:#?}", texts(s));
            if let Some(cmd) = p["Remediation"].as_str() {
                assert!(has(s, &format!("fix: {cmd}")), "{cmd} in {:#?}", texts(s));
            }
            if let Some(path) = p["FilePath"].as_str() {
                assert!(has(s, &format!("path {path}")), "{path} in {:#?}", texts(s));
            }
        }
        let nvd = vuln["ReferenceUrls"][0].as_str().unwrap();
        assert!(has(s, &format!("reference    {nvd}")), "{:#?}", texts(s));
        assert_eq!(s.lines.iter().filter(|l| l.text.contains(nvd)).count(), 1, "the vendor URL is not repeated");
        assert!(has(
            s,
            &format!(
                "severity     {}  by NVD  published {}",
                vuln["Vendor"]["VendorSeverity"].as_str().unwrap(),
                vuln["Vendor"]["VendorCreatedAt"].as_str().unwrap()
            )
        ));
        // The resource it was found on, with its details.
        let r = section(&v, "Resources");
        let kind = doc["Resources"][0]["Type"].as_str().unwrap();
        let details = &doc["Resources"][0]["Details"][kind];
        match kind {
            "AwsEc2Instance" => {
                assert!(has(r, &format!("instance     {}", details["Type"].as_str().unwrap())), "{:#?}", texts(r));
                assert!(has(r, &format!("image        {}", details["ImageId"].as_str().unwrap())));
                assert!(has(r, &format!("vpc          {}", details["VpcId"].as_str().unwrap())));
                assert!(has(r, &format!("subnet       {}", details["SubnetId"].as_str().unwrap())));
                assert!(r.lines.iter().any(|l| l.text.trim_start().starts_with("ipv4         10.")), "{:#?}", texts(r));
                assert!(has(r, &format!("profile      {}", details["IamInstanceProfileArn"].as_str().unwrap())));
                assert!(has(r, &format!("launched     {}", details["LaunchedAt"].as_str().unwrap())));
            }
            "AwsEcrContainerImage" => {
                assert!(
                    has(r, &format!("image        {}", details["RepositoryName"].as_str().unwrap())),
                    "{:#?}",
                    texts(r)
                );
                assert!(has(r, &format!("digest       {}", details["ImageDigest"].as_str().unwrap())));
                assert!(has(r, &format!("registry     {}", details["RegistryId"].as_str().unwrap())));
            }
            "AwsLambdaFunction" => {
                assert!(has(r, &format!("runtime      {}", details["Runtime"].as_str().unwrap())), "{:#?}", texts(r));
                assert!(has(r, &format!("role         {}", details["Role"].as_str().unwrap())));
                assert!(has(r, &format!("handler      {}", details["Handler"].as_str().unwrap())));
                assert!(has(r, &format!("modified     {}", details["LastModified"].as_str().unwrap())));
            }
            other => panic!("an Inspector finding on {other}"),
        }
    }
    assert!(exploits > 0, "some generated vulnerability has a known exploit");
}

#[test]
fn a_threat_finding_shows_the_action_the_remote_address_and_the_count() {
    let connections = generated("GuardDuty", 5, |d| d["Action"]["ActionType"] == "NETWORK_CONNECTION");
    assert_eq!(connections.len(), 5);
    for doc in &connections {
        let v = DetailView::of_asff(doc);
        let s = section(&v, "Threat");
        let c = &doc["Action"]["NetworkConnectionAction"];
        let r = &c["RemoteIpDetails"];
        let head = format!(
            "action       NETWORK_CONNECTION  {}  TCP  not blocked",
            c["ConnectionDirection"].as_str().unwrap()
        );
        assert_eq!(s.lines[0].text.trim(), head);
        let remote = format!(
            "remote       {}  port {} ({})",
            r["IpAddressV4"].as_str().unwrap(),
            c["RemotePortDetails"]["Port"],
            c["RemotePortDetails"]["PortName"].as_str().unwrap()
        );
        assert!(has(s, &remote), "{remote} in {:#?}", texts(s));
        let place = format!(
            "location     {} ({})",
            r["Country"]["CountryName"].as_str().unwrap(),
            r["Country"]["CountryCode"].as_str().unwrap()
        );
        assert!(has(s, &place), "{place} in {:#?}", texts(s));
        let asn =
            format!("network      AS{}  {}", r["Organization"]["Asn"], r["Organization"]["AsnOrg"].as_str().unwrap());
        assert!(has(s, &asn), "{asn} in {:#?}", texts(s));
        assert!(s.lines.iter().any(|l| l.text.trim_start().starts_with("local port   ")), "{:#?}", texts(s));
        let n = &doc["Network"];
        assert!(
            s.lines.iter().any(|l| l.text.trim_start().starts_with(&format!(
                "connection   {}  TCP  {}:{} → ",
                n["Direction"].as_str().unwrap(),
                n["SourceIpV4"].as_str().unwrap(),
                n["SourcePort"]
            ))),
            "{:#?}",
            texts(s)
        );
        let count = doc["ProductFields"]["aws/guardduty/service/count"].as_str().unwrap();
        assert_eq!(s.lines.last().unwrap().text.trim(), format!("count        {count}"));
        // GuardDuty's own console link.
        assert_eq!(v.console_url.as_deref(), doc["SourceUrl"].as_str());
        assert_eq!(field(&v, "Console"), doc["SourceUrl"].as_str());
        assert_eq!(field(&v, "First seen"), doc["FirstObservedAt"].as_str());
        assert_eq!(field(&v, "Last seen"), doc["LastObservedAt"].as_str());
    }
    let calls = generated("GuardDuty", 5, |d| d["Action"]["ActionType"] == "AWS_API_CALL");
    assert_eq!(calls.len(), 5);
    for doc in &calls {
        let v = DetailView::of_asff(doc);
        let s = section(&v, "Threat");
        let c = &doc["Action"]["AwsApiCallAction"];
        assert!(has(s, "action       AWS_API_CALL"), "{:#?}", texts(s));
        let api = format!("api          {} on {}", c["Api"].as_str().unwrap(), c["ServiceName"].as_str().unwrap());
        assert!(has(s, &api), "{api} in {:#?}", texts(s));
        assert!(has(s, "caller       Remote IP"), "{:#?}", texts(s));
        assert!(has(s, &format!("remote       {}", c["RemoteIpDetails"]["IpAddressV4"].as_str().unwrap())));
        assert!(has(s, &format!("first call   {}", c["FirstSeen"].as_str().unwrap())));
        // The access key the call was made with.
        let r = section(&v, "Resources");
        let key = &doc["Resources"][0]["Details"]["AwsIamAccessKey"];
        assert!(has(r, &format!("principal    {}", key["PrincipalName"].as_str().unwrap())), "{:#?}", texts(r));
    }
}

#[test]
fn a_control_finding_shows_its_reasons_standards_requirements_and_remediation() {
    let controls = generated("Security Hub", 200, |d| d["Compliance"]["SecurityControlId"].is_string());
    assert!(controls.len() > 100);
    let (mut reasons, mut reqs) = (0, 0);
    for doc in &controls {
        let v = DetailView::of_asff(doc);
        let c = &doc["Compliance"];
        let control = c["SecurityControlId"].as_str().unwrap();
        assert_eq!(
            field(&v, "Compliance"),
            Some(format!("{}  control {control}", c["Status"].as_str().unwrap()).as_str())
        );
        let s = section(&v, "Compliance");
        for st in c["AssociatedStandards"].as_array().unwrap() {
            assert!(has(s, &format!("standard     {}", st["StandardsId"].as_str().unwrap())), "{:#?}", texts(s));
        }
        if let Some(r) = c["RelatedRequirements"].as_array() {
            reqs += 1;
            let all: Vec<&str> = r.iter().map(|x| x.as_str().unwrap()).collect();
            assert!(has(s, &format!("requirements {}", all.join(", "))), "{:#?}", texts(s));
        }
        if let Some(r) = c["StatusReasons"].as_array() {
            reasons += 1;
            let want = format!(
                "reason       {}: {}",
                r[0]["ReasonCode"].as_str().unwrap(),
                r[0]["Description"].as_str().unwrap()
            );
            assert_eq!(s.lines[0].text.trim(), want);
        }
        let rem = section(&v, "Remediation");
        let url = doc["Remediation"]["Recommendation"]["Url"].as_str().unwrap();
        assert!(has(rem, url) && has(rem, doc["Remediation"]["Recommendation"]["Text"].as_str().unwrap()));
        // No SourceUrl: Security Hub's console, searching for the Id.
        let link = v.console_url.as_deref().unwrap();
        let region = doc["Region"].as_str().unwrap();
        assert!(
            link.starts_with(&format!(
                "https://{region}.console.aws.amazon.com/securityhub/home?region={region}#/findings?search=Id%3D%255Coperator%255C%253AEQUALS%255C%253Aarn%253Aaws%253Asecurityhub%253A{region}%253A"
            )),
            "{link}"
        );
    }
    assert!(reasons > 0 && reqs > 0, "{reasons} {reqs}");
    let params = controls.iter().find(|d| d["Compliance"]["SecurityControlId"] == "IAM.3");
    if let Some(doc) = params {
        assert!(has(section(&DetailView::of_asff(doc), "Compliance"), "parameter    maxAccessKeyAge = 90"));
    }
}

#[test]
fn an_older_control_finding_shows_the_standard_product_fields_name() {
    let doc = json!({
        "Id": "arn:aws:securityhub:eu-west-1:111122223333:subscription/pci-dss/v/3.2.1/PCI.Lambda.2/finding/1",
        "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/securityhub",
        "Compliance": {"Status": "WARNING", "StatusReasons": [{"ReasonCode": "CONFIG_ACCESS_DENIED"}]},
        "ProductFields": {"StandardsArn": "arn:aws:securityhub:::standards/pci-dss/v/3.2.1", "ControlId": "PCI.Lambda.2"}
    });
    let v = DetailView::of_asff(&doc);
    assert_eq!(field(&v, "Compliance"), Some("WARNING  control PCI.Lambda.2"));
    let s = section(&v, "Compliance");
    assert_eq!(
        texts(s),
        vec!["  reason       CONFIG_ACCESS_DENIED", "  standard     arn:aws:securityhub:::standards/pci-dss/v/3.2.1"]
    );
    // Another product's StandardsArn is its own: not shown as a Security Hub standard.
    let mut other = doc.clone();
    other["ProductArn"] = json!("arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default");
    let v = DetailView::of_asff(&other);
    assert_eq!(texts(section(&v, "Compliance")), vec!["  reason       CONFIG_ACCESS_DENIED"]);
}

#[test]
fn resources_show_the_details_that_matter_per_type() {
    let doc = json!({"Resources": [
        {"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::b", "Partition": "aws", "Region": "eu-west-1", "Details": {"AwsS3Bucket": {
            "OwnerAccountId": "111122223333", "CreatedAt": "2026-01-01T00:00:00Z",
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": false, "IgnorePublicAcls": true},
            "ServerSideEncryptionConfiguration": {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "k-1"}}]}
        }}},
        {"Type": "AwsIamRole", "Id": "arn:aws:iam::111122223333:role/r", "Details": {"AwsIamRole": {
            "RoleName": "r", "CreateDate": "2025-01-01T00:00:00Z",
            "AssumeRolePolicyDocument": "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\"}]}"
        }}},
        {"Type": "Container", "Id": "c-1", "Details": {"Container": {"Name": "web", "ImageName": "nginx:1.25", "ImageId": "sha256:ab", "Privileged": true}}},
        {"Type": "AwsRdsDbInstance", "Id": "db-1", "Details": {"AwsRdsDbInstance": {"Engine": "postgres", "PubliclyAccessible": true, "Endpoint": {"Address": "x"}}}},
        {"Type": "Other", "Id": "o-1", "Details": {"Other": {"team": "blue"}}},
        {"Type": "AwsEc2Instance", "Id": "i-1", "Details": {"AwsEc2Instance": {}}},
        {"Type": "AwsEc2Instance", "Id": "i-2", "Details": {"AwsEc2Instance": "odd", "AwsLambdaFunction": null}},
        {"Type": "AwsS3Bucket"}
    ]});
    let v = DetailView::of_asff(&doc);
    let s = section(&v, "Resources");
    let t = texts(s);
    for want in [
        "owner        111122223333",
        "created      2026-01-01T00:00:00Z",
        "public block off: BlockPublicPolicy, RestrictPublicBuckets",
        "encryption   aws:kms key k-1",
        "role         r",
        "trust        Allow sts:AssumeRole by AWS *",
        "created      2025-01-01T00:00:00Z",
        "container    web",
        "image        nginx:1.25",
        "image id     sha256:ab",
        "privileged   true",
        "Engine       postgres",
        "PubliclyAccessible true",
        "team         blue",
        "AwsS3Bucket  -",
    ] {
        assert!(has(s, want), "{want} in {t:#?}");
    }
    assert!(!t.iter().any(|l| l.contains("Endpoint")), "an object member of an unknown type is not shown as JSON");
    // The empty and odd details add nothing after their resource's two lines.
    let i1 = t.iter().position(|l| l.contains("i-1")).unwrap();
    assert!(t[i1 + 2].contains("i-2"), "{t:#?}");
    assert_eq!(t.len(), i1 + 2 + 2 + 2, "{t:#?}");
}

#[test]
fn odd_members_are_skipped_and_hostile_text_is_sanitised_everywhere() {
    let evil = "x\u{1b}]52;c;AAAA\u{7}\u{9b}2J\u{202e}y";
    let doc = json!({
        "Id": evil, "Region": "eu-west-1", "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/inspector",
        "SourceUrl": format!("https://e.example/{evil}"),
        "Vulnerabilities": [
            {"Id": evil, "VulnerablePackages": [{"Name": evil, "Version": evil, "FixedInVersion": evil, "Remediation": evil, "FilePath": evil}],
             "Cvss": [{"BaseScore": "9.8", "BaseVector": evil, "Source": evil, "Version": 3}], "EpssScore": evil,
             "ExploitAvailable": evil, "FixAvailable": evil, "ReferenceUrls": [evil, 7, null], "Vendor": {"Url": evil, "Name": evil}},
            {"VulnerablePackages": "odd", "Cvss": {"BaseScore": 1}, "ReferenceUrls": "odd"},
            "odd"
        ],
        "Action": {"ActionType": evil, "NetworkConnectionAction": {"RemoteIpDetails": {"IpAddressV4": evil, "City": {"CityName": evil},
            "Country": {"CountryName": evil}, "Organization": {"AsnOrg": evil, "Isp": evil, "Org": "other"}}, "Protocol": evil, "Blocked": "no"}},
        "Network": {"Direction": evil, "DestinationDomain": evil},
        "Compliance": {"Status": "FAILED", "StatusReasons": [{"Description": evil}, "odd"], "AssociatedStandards": [{"StandardsId": evil}, 5],
            "RelatedRequirements": [evil], "SecurityControlParameters": [{"Name": evil, "Value": [evil]}]},
        "Resources": [{"Type": "AwsEc2Instance", "Id": evil, "Tags": {evil: evil}, "Details": {"AwsEc2Instance": {"Type": evil, "IpV4Addresses": [evil, 1]}}},
            {"Type": evil, "Details": {evil: {evil: evil}}}],
        "ProductFields": {"aws/guardduty/service/count": evil}
    });
    let v = DetailView::of_asff(&doc);
    let all: Vec<&str> = v
        .sections
        .iter()
        .flat_map(|s| s.lines.iter().map(|l| l.text.as_str()))
        .chain(v.fields.iter().map(|f| f.1.as_str()))
        .collect();
    for l in &all {
        assert!(!l.chars().any(|c| c.is_control() || sanitize::is_reordering_or_c1(c)), "{l:?}");
    }
    let headings: Vec<_> = v.sections.iter().map(|s| s.heading).collect();
    assert_eq!(headings, vec!["Compliance", "Vulnerabilities", "Threat", "Resources", "Note"]);
    // The SourceUrl has a control character: not a link; Security Hub's is built from the Id.
    assert!(v.console_url.as_deref().unwrap().starts_with("https://eu-west-1.console.aws.amazon.com/securityhub/"));
    assert!(v
        .console_url
        .as_deref()
        .unwrap()
        .ends_with("x%251B%255D52%253Bc%253BAAAA%2507%25C2%259B2J%25E2%2580%25AEy"));
    let vulns = section(&v, "Vulnerabilities");
    assert!(has(vulns, "(no id)"), "{:#?}", texts(vulns));
    assert!(
        has(vulns, "CVSS         9.8  v3  x␛]52;c;AAAA␇\u{fffd}2J\u{fffd}y  x␛]52;c;AAAA␇\u{fffd}2J\u{fffd}y"),
        "{:#?}",
        texts(vulns)
    );
    let refs: Vec<&str> = texts(vulns).into_iter().filter(|l| l.contains("reference")).map(str::trim).collect();
    assert_eq!(
        refs,
        vec!["reference    x␛]52;c;AAAA␇\u{fffd}2J\u{fffd}y", "reference    7"],
        "the vendor's URL repeats one"
    );
    let threat = section(&v, "Threat");
    assert!(
        threat.lines[0].text.ends_with("␛]52;c;AAAA␇\u{fffd}2J\u{fffd}y"),
        "Blocked that is not a boolean is left out"
    );
}

#[test]
fn the_console_link_follows_the_partition_and_needs_an_id_and_a_region() {
    let link = |doc: Value| DetailView::of_asff(&doc).console_url;
    let id = "arn:aws-cn:securityhub:cn-north-1:111122223333:security-control/IAM.3/finding/a b";
    assert_eq!(
        link(json!({"Id": id, "ProductArn": "arn:aws-cn:securityhub:cn-north-1::product/aws/securityhub"})).as_deref(),
        Some("https://console.amazonaws.cn/securityhub/home?region=cn-north-1#/findings?search=Id%3D%255Coperator%255C%253AEQUALS%255C%253Aarn%253Aaws-cn%253Asecurityhub%253Acn-north-1%253A111122223333%253Asecurity-control%252FIAM.3%252Ffinding%252Fa%2520b")
    );
    let gov = link(
        json!({"Id": "f", "Region": "us-gov-west-1", "ProductArn": "arn:aws-us-gov:securityhub:us-gov-west-1::product/aws/securityhub"}),
    );
    assert_eq!(gov.as_deref(), Some("https://console.amazonaws-us-gov.com/securityhub/home?region=us-gov-west-1#/findings?search=Id%3D%255Coperator%255C%253AEQUALS%255C%253Af"));
    assert_eq!(link(json!({"Id": "f", "ProductArn": "arn:aws-iso:securityhub:us-iso-east-1::product/x/y"})), None);
    assert_eq!(link(json!({"Id": "f"})), None, "no Region");
    assert_eq!(link(json!({"Id": "f", "Region": "eu-west-1/../x"})), None);
    assert_eq!(link(json!({"Region": "eu-west-1"})), None, "no Id");
    assert_eq!(link(json!({"SourceUrl": "javascript:alert(1)"})), None);
    assert_eq!(link(json!({"SourceUrl": " https://x.example/a "})).as_deref(), Some("https://x.example/a"));
    let v = DetailView::of_asff(&json!({"Id": "f", "Region": "eu-west-1"}));
    assert_eq!(field(&v, "Console"), v.console_url.as_deref());
}

#[test]
fn port_probes_and_dns_requests_show_what_was_probed_and_asked() {
    let probe = json!({"Action": {"ActionType": "PORT_PROBE", "PortProbeAction": {"Blocked": true, "PortProbeDetails": [
        {"LocalPortDetails": {"Port": 22, "PortName": "SSH"}, "LocalIpDetails": {"IpAddressV4": "10.0.0.5"},
         "RemoteIpDetails": {"IpAddressV4": "198.51.100.9", "City": {"CityName": "Roubaix"}, "Country": {"CountryCode": "FR"},
                             "Organization": {"Asn": 16276, "AsnOrg": "OVH SAS", "Isp": "OVH SAS", "Org": "OVH"}}},
        {"LocalPortDetails": {"Port": 3389}}
    ]}}});
    let v = DetailView::of_asff(&probe);
    assert_eq!(
        texts(section(&v, "Threat")),
        vec![
            "  action       PORT_PROBE  blocked",
            "  probe        port 22 (SSH)  on 10.0.0.5",
            "  remote       198.51.100.9",
            "  location     Roubaix, FR",
            "  network      AS16276  OVH SAS  org OVH",
            "  probe        port 3389",
        ]
    );
    let dns = json!({"Action": {"ActionType": "DNS_REQUEST", "DnsRequestAction": {"Domain": "pool.example", "Protocol": "UDP", "Blocked": false}}});
    let v = DetailView::of_asff(&dns);
    assert_eq!(
        texts(section(&v, "Threat")),
        vec!["  action       DNS_REQUEST  UDP  not blocked", "  domain       pool.example"]
    );
    // Neither Action nor Network: no threat section, even with GuardDuty's count.
    let v = DetailView::of_asff(&json!({"ProductFields": {"aws/guardduty/service/count": "3"}, "Action": "odd"}));
    assert!(v.sections.iter().all(|s| s.heading != "Threat"));
}

#[test]
fn generated_buckets_and_roles_show_their_owner_protection_and_trust() {
    let of_type = |t: &'static str| move |d: &Value| d["Resources"][0]["Type"] == t;
    let bucket = &generated("", 1, of_type("AwsS3Bucket"))[0];
    let view = DetailView::of_asff(bucket);
    let r = section(&view, "Resources");
    let d = &bucket["Resources"][0]["Details"]["AwsS3Bucket"];
    assert!(has(r, &format!("owner        {}", d["OwnerAccountId"].as_str().unwrap())), "{:#?}", texts(r));
    assert!(has(r, &format!("created      {}", d["CreatedAt"].as_str().unwrap())));
    let block = if d["PublicAccessBlockConfiguration"]["BlockPublicAcls"] == true {
        "all on"
    } else {
        "off: BlockPublicAcls, BlockPublicPolicy, IgnorePublicAcls, RestrictPublicBuckets"
    };
    assert!(has(r, &format!("public block {block}")), "{:#?}", texts(r));
    let algo = d["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]
        .as_str()
        .unwrap();
    assert!(has(r, &format!("encryption   {algo}")), "{:#?}", texts(r));

    let role = &generated("", 1, of_type("AwsIamRole"))[0];
    let view = DetailView::of_asff(role);
    let r = section(&view, "Resources");
    let d = &role["Resources"][0]["Details"]["AwsIamRole"];
    assert!(has(r, &format!("role         {}", d["RoleName"].as_str().unwrap())), "{:#?}", texts(r));
    assert!(
        r.lines.iter().any(|l| l.text.trim_start().starts_with("trust        Allow sts:AssumeRole by Service ")),
        "{:#?}",
        texts(r)
    );
    assert!(has(r, &format!("created      {}", d["CreateDate"].as_str().unwrap())));
}
